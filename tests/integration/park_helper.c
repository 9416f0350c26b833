// SPDX-License-Identifier: GPL-2.0
/*
 * park_helper - hold N execve() calls inside the kernel at once, then let
 * them all finish: the in-flight case of issue 14 (a path on a slow
 * filesystem keeps calls between the syscall's entry and its outcome).
 *
 *   park_helper --uid UID --threads N
 *
 * The path each call passes lies on a page registered with userfaultfd and
 * not yet there, so every call blocks in the kernel reading it (after the
 * syscall's entry hooks ran).  Once the helper has read N page faults from
 * the userfaultfd (one per parked thread), it fills the page with a path that
 * does not exist and all N calls go on and fail with ENOENT.  The ids are
 * dropped to UID (real, effective, saved; gid UID too) after the userfaultfd
 * is made (that needs root) and RLIMIT_NPROC's soft limit raised to its
 * hard one for the threads.
 *
 * stdout: N, the calls made, one line.  Exit status: 0 when all N parked and
 * failed with ENOENT; 1 otherwise (the reason on stderr); 64 bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PROG	     "park_helper"
#define PARKED_PATH  "/nonexistent/bcc-execcount-parked"
#define MAX_THREADS  30000
#define STACK_BYTES  (64 * 1024)
#define PARK_TIMEOUT 120000 /* ms for all threads to park */

static char *page;
static atomic_ulong enoent, other;

static void *call(void *arg)
{
	char *argv[] = { page, NULL };
	char *envp[] = { NULL };

	(void)arg;
	execve(page, argv, envp);
	atomic_fetch_add(errno == ENOENT ? &enoent : &other, 1);
	return NULL;
}

static int die(const char *what)
{
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
	return 1;
}

/* Read page-fault messages until n came; 0, or -1 (said). */
static int wait_parked(int uffd, unsigned long n)
{
	struct uffd_msg msgs[64];
	unsigned long seen = 0;

	while (seen < n) {
		struct pollfd pfd = { .fd = uffd, .events = POLLIN };
		ssize_t got;

		if (poll(&pfd, 1, PARK_TIMEOUT) != 1) {
			fprintf(stderr, PROG ": only %lu of %lu calls parked within %d s\n", seen,
				n, PARK_TIMEOUT / 1000);
			return -1;
		}
		got = read(uffd, msgs, sizeof(msgs));
		if (got < 0 && errno == EAGAIN)
			continue;
		if (got < 0)
			return die("reading the userfaultfd"), -1;
		for (size_t i = 0; i < (size_t)got / sizeof(msgs[0]); i++)
			seen += msgs[i].event == UFFD_EVENT_PAGEFAULT;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	struct uffdio_copy copy = { 0 };
	struct rlimit nproc;
	unsigned long uid = 0, n = 0;
	long page_size = sysconf(_SC_PAGESIZE);
	pthread_attr_t attr;
	pthread_t *threads;
	char *src;
	int uffd;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--uid") == 0)
			uid = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--threads") == 0)
			n = strtoul(argv[i + 1], NULL, 10);
	}
	if (argc != 5 || !uid || !n || n > MAX_THREADS) {
		fprintf(stderr, "usage: " PROG " --uid UID --threads N (1..%d)\n", MAX_THREADS);
		return 64;
	}
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		return die("userfaultfd (needs root, or vm.unprivileged_userfaultfd=1)");
	if (ioctl(uffd, UFFDIO_API, &api))
		return die("UFFDIO_API");
	page = mmap(NULL, (size_t)page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	src = mmap(NULL, (size_t)page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	if (page == MAP_FAILED || src == MAP_FAILED)
		return die("mmap");
	reg.range.start = (unsigned long)page;
	reg.range.len = (unsigned long)page_size;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		return die("UFFDIO_REGISTER");
	/* the threads count as the uid's processes: the soft limit up to the hard one */
	if (getrlimit(RLIMIT_NPROC, &nproc))
		return die("getrlimit(RLIMIT_NPROC)");
	if (nproc.rlim_max != RLIM_INFINITY && nproc.rlim_max < n + 16) {
		fprintf(stderr, PROG ": RLIMIT_NPROC's hard limit %lu is below %lu threads\n",
			(unsigned long)nproc.rlim_max, n);
		return 1;
	}
	nproc.rlim_cur = nproc.rlim_max;
	if (setrlimit(RLIMIT_NPROC, &nproc))
		return die("setrlimit(RLIMIT_NPROC)");
	if (setgroups(0, NULL) || setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) ||
	    setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid))
		return die("dropping the ids");
	threads = calloc(n, sizeof(*threads));
	if (!threads || pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, STACK_BYTES))
		return die("thread set-up");
	for (unsigned long i = 0; i < n; i++) {
		errno = pthread_create(&threads[i], &attr, call, NULL);
		if (errno) {
			fprintf(stderr, PROG ": thread %lu of %lu: %s\n", i + 1, n,
				strerror(errno));
			return 1; /* the parked ones die with the process */
		}
	}
	if (wait_parked(uffd, n))
		return 1;
	/* the page arrives: every parked call reads a path that does not exist */
	strcpy(src, PARKED_PATH);
	copy.dst = (unsigned long)page;
	copy.src = (unsigned long)src;
	copy.len = (unsigned long)page_size;
	if (ioctl(uffd, UFFDIO_COPY, &copy))
		return die("UFFDIO_COPY");
	for (unsigned long i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_attr_destroy(&attr);
	if (atomic_load(&enoent) != n) {
		fprintf(stderr, PROG ": of %lu calls, %lu failed with ENOENT and %lu otherwise\n",
			n, atomic_load(&enoent), atomic_load(&other));
		return 1;
	}
	printf("%lu\n", n);
	return 0;
}
