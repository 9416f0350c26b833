// SPDX-License-Identifier: GPL-2.0
/*
 * exec_helper - make an exact, known number of execve() calls under a given uid,
 * so the integration tests can assert exact counts.
 *
 *   exec_helper [--uid UID] [--gid GID] --count N [--mode ok|fail] [--procs P]
 *
 * It first drops to GID/UID (supplementary groups cleared; real, effective and
 * saved ids all set, so the real uid the probe keys on is UID).  --gid defaults
 * to UID when only --uid is given.  Then P processes (default 1) wait on a
 * barrier and start together; each makes N execve() calls:
 *   fail (default)  execve("/nonexistent/bcc-execcount-test"), which must fail
 *                   with ENOENT: no fork, well under a microsecond per call
 *   ok              fork, execve("/bin/true") in the child, waitpid, exit status 0
 *
 * stdout: the total number of execve() calls made, one line.
 * Exit status: 0 when every call behaved as expected; 1 when one did not, or a
 * setup step failed (each reason on stderr); 64 for bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* setresuid, setresgid, pipe2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <grp.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG	     "exec_helper"
#define EX_BADARGS   64
#define MISSING_PATH "/nonexistent/bcc-execcount-test"
#define TRUE_PATH    "/bin/true"
#define MAX_PROCS    64
#define MAX_COUNT    1000000000UL
/* uid_t (-1) means "leave unchanged" to setresuid: not a uid that can be set */
#define MAX_ID 4294967294UL

enum mode { MODE_FAIL, MODE_OK };

struct options {
	bool have_uid, have_gid;
	uid_t uid;
	gid_t gid;
	unsigned long count;
	bool have_count;
	enum mode mode;
	unsigned long procs;
};

/* What each worker reports back through the result pipe (one write, < PIPE_BUF). */
struct result {
	uint64_t calls;
	uint64_t bad;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: " PROG " [--uid UID] [--gid GID] --count N [--mode ok|fail] [--procs P]\n");
}

/* Strict unsigned parse: digits only (strtoul would accept "-1" and " 1"), range checked. */
static bool parse_ulong(const char *name, const char *text, unsigned long min, unsigned long max,
			unsigned long *out)
{
	char *end;
	unsigned long v;

	if (text[0] < '0' || text[0] > '9') {
		fprintf(stderr, PROG ": %s '%s': not a non-negative integer\n", name, text);
		return false;
	}
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end != '\0') {
		fprintf(stderr, PROG ": %s '%s': not an integer in range\n", name, text);
		return false;
	}
	if (v < min || v > max) {
		fprintf(stderr, PROG ": %s '%s': out of range %lu..%lu\n", name, text, min, max);
		return false;
	}
	*out = v;
	return true;
}

static bool parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "uid", required_argument, NULL, 'u' },   { "gid", required_argument, NULL, 'g' },
		{ "count", required_argument, NULL, 'n' }, { "mode", required_argument, NULL, 'm' },
		{ "procs", required_argument, NULL, 'p' }, { NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c;

	*o = (struct options){ .mode = MODE_FAIL, .procs = 1 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (!parse_ulong("--uid", optarg, 0, MAX_ID, &v))
				return false;
			o->uid = (uid_t)v;
			o->have_uid = true;
			break;
		case 'g':
			if (!parse_ulong("--gid", optarg, 0, MAX_ID, &v))
				return false;
			o->gid = (gid_t)v;
			o->have_gid = true;
			break;
		case 'n':
			if (!parse_ulong("--count", optarg, 0, MAX_COUNT, &o->count))
				return false;
			o->have_count = true;
			break;
		case 'm':
			if (strcmp(optarg, "ok") == 0) {
				o->mode = MODE_OK;
			} else if (strcmp(optarg, "fail") == 0) {
				o->mode = MODE_FAIL;
			} else {
				fprintf(stderr, PROG ": --mode '%s': want ok or fail\n", optarg);
				return false;
			}
			break;
		case 'p':
			if (!parse_ulong("--procs", optarg, 1, MAX_PROCS, &o->procs))
				return false;
			break;
		default:
			fprintf(stderr, PROG ": unknown option or missing value: %s\n",
				argv[optind - 1]);
			return false;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return false;
	}
	if (!o->have_count) {
		fprintf(stderr, PROG ": --count is required\n");
		return false;
	}
	if (o->have_uid && !o->have_gid) {
		o->gid = (gid_t)o->uid;
		o->have_gid = true;
	}
	return true;
}

/* Groups first (that needs privilege), then gid, then uid (after which nothing else can change). */
static bool drop_ids(const struct options *o)
{
	if (!o->have_uid && !o->have_gid)
		return true;
	if (setgroups(0, NULL)) {
		fprintf(stderr, PROG ": setgroups(0): %s\n", strerror(errno));
		return false;
	}
	if (o->have_gid && setresgid(o->gid, o->gid, o->gid)) {
		fprintf(stderr, PROG ": setresgid(%lu): %s\n", (unsigned long)o->gid,
			strerror(errno));
		return false;
	}
	if (o->have_uid && setresuid(o->uid, o->uid, o->uid)) {
		fprintf(stderr, PROG ": setresuid(%lu): %s\n", (unsigned long)o->uid,
			strerror(errno));
		return false;
	}
	if (o->have_uid && getuid() != o->uid) {
		fprintf(stderr, PROG ": real uid is %lu after setresuid(%lu)\n",
			(unsigned long)getuid(), (unsigned long)o->uid);
		return false;
	}
	return true;
}

/* One failing exec: it must come back with ENOENT. */
static bool exec_fail(void)
{
	char *const args[] = { (char *)MISSING_PATH, NULL };
	char *const env[] = { NULL };
	int err;

	execve(MISSING_PATH, args, env);
	err = errno;
	if (err != ENOENT) {
		fprintf(stderr, PROG ": execve(%s): %s, expected ENOENT\n", MISSING_PATH,
			strerror(err));
		return false;
	}
	return true;
}

/* One successful exec: fork, exec /bin/true, check it exited 0. */
static bool exec_ok(void)
{
	char *const args[] = { (char *)TRUE_PATH, NULL };
	char *const env[] = { NULL };
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0) {
		fprintf(stderr, PROG ": fork: %s\n", strerror(errno));
		return false;
	}
	if (pid == 0) {
		execve(TRUE_PATH, args, env);
		fprintf(stderr, PROG ": execve(%s): %s\n", TRUE_PATH, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, PROG ": waitpid: %s\n", strerror(errno));
			return false;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, PROG ": %s ended with status 0x%x, expected exit 0\n", TRUE_PATH,
			status);
		return false;
	}
	return true;
}

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Read exactly len bytes; false on EOF or error. */
static bool read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * A worker: say it is ready, wait for the go pipe to close (EOF releases every
 * worker at once), make its calls, report them, exit 0 if all went as expected.
 */
static int worker(const struct options *o, int ready_fd, int go_fd, int result_fd)
{
	struct result r = { 0 };
	char byte = 'r';
	ssize_t n;

	if (!write_all(ready_fd, &byte, 1)) {
		fprintf(stderr, PROG ": worker: writing the ready pipe: %s\n", strerror(errno));
		return 1;
	}
	close(ready_fd);
	do
		n = read(go_fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 0) {
		fprintf(stderr, PROG ": worker: the barrier did not end with EOF\n");
		return 1;
	}
	close(go_fd);

	for (unsigned long i = 0; i < o->count; i++) {
		bool good = o->mode == MODE_OK ? exec_ok() : exec_fail();

		r.calls++;
		if (!good) {
			r.bad++;
			break; /* one wrong call is enough to fail; stop so the count stays known */
		}
	}
	if (!write_all(result_fd, &r, sizeof(r))) {
		fprintf(stderr, PROG ": worker: writing the result pipe: %s\n", strerror(errno));
		return 1;
	}
	return r.bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct options o;
	int ready[2], go[2], results[2];
	pid_t pids[MAX_PROCS];
	uint64_t total = 0;
	bool ok = true;
	char byte;

	if (!parse_args(argc, argv, &o)) {
		usage();
		return EX_BADARGS;
	}
	if (!drop_ids(&o))
		return 1;
	/* close-on-exec: the /bin/true children must not hold the barrier open */
	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC) || pipe2(results, O_CLOEXEC)) {
		fprintf(stderr, PROG ": pipe: %s\n", strerror(errno));
		return 1;
	}
	/* nothing of ours is buffered in stdout yet, so the children inherit no pending output */
	fflush(stdout);

	for (unsigned long i = 0; i < o.procs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			fprintf(stderr, PROG ": fork: %s\n", strerror(errno));
			/* stop the workers already started before they make any call */
			for (unsigned long j = 0; j < i; j++) {
				kill(pids[j], SIGKILL);
				waitpid(pids[j], NULL, 0);
			}
			return 1;
		}
		if (pids[i] == 0) {
			close(ready[0]);
			close(go[1]);
			close(results[0]);
			_exit(worker(&o, ready[1], go[0], results[1]));
		}
	}
	close(ready[1]);
	close(go[0]);
	close(results[1]);

	/* every worker is forked and blocked on the barrier: release them together */
	for (unsigned long i = 0; i < o.procs; i++) {
		if (!read_all(ready[0], &byte, 1)) {
			fprintf(stderr, PROG ": a worker died before the barrier\n");
			ok = false;
			break;
		}
	}
	close(ready[0]);
	close(go[1]);

	for (unsigned long i = 0; i < o.procs; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) < 0) {
			if (errno != EINTR) {
				fprintf(stderr, PROG ": waitpid: %s\n", strerror(errno));
				return 1;
			}
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, PROG ": worker %lu ended with status 0x%x\n", i, status);
			ok = false;
		}
	}
	for (unsigned long i = 0; i < o.procs; i++) {
		struct result r;

		if (!read_all(results[0], &r, sizeof(r))) {
			fprintf(stderr, PROG ": worker results: %lu of %lu reported\n", i, o.procs);
			ok = false;
			break;
		}
		total += r.calls;
		if (r.bad)
			ok = false;
	}
	close(results[0]);
	if (ok && total != (uint64_t)o.count * o.procs) {
		fprintf(stderr, PROG ": %" PRIu64 " calls made, expected %" PRIu64 "\n", total,
			(uint64_t)o.count * o.procs);
		ok = false;
	}

	printf("%" PRIu64 "\n", total);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, PROG ": writing stdout: %s\n", strerror(errno));
		return 1;
	}
	return ok ? 0 : 1;
}
