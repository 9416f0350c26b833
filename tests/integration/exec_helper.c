// SPDX-License-Identifier: GPL-2.0
/*
 * exec_helper - make an exact, known number of exec calls under a given uid,
 * so the integration tests can assert exact counts.
 *
 *   exec_helper [--uid UID] [--gid GID] --count N [--mode ok|fail] [--procs P]
 *               [--syscall execve|execveat|fexecve] [--path PATH] [--distinct D]
 *               [--comm NAME] [--cgroup DIR] [--thread] [--seccomp]
 *
 * With --cgroup DIR it first moves itself into that cgroup (writes "0\n" to
 * DIR/cgroup.procs, as root, before the ids are dropped); the workers forked
 * later, and their children, inherit it.  It then drops to GID/UID
 * (supplementary groups cleared; real, effective and saved ids all set, so the
 * real uid the probe keys on is UID).  --gid defaults to UID when only --uid is
 * given.  Then P processes (default 1, at most 64) are forked; each sets its
 * comm to NAME when --comm is given (prctl PR_SET_NAME; 1..15 bytes), waits on
 * a barrier so all start together, and makes N calls of one exec syscall:
 *   --syscall execve (default)  execve(PATH, argv, envp)
 *   --syscall execveat          syscall(SYS_execveat, AT_FDCWD, PATH, argv, envp, 0)
 *   --syscall fexecve           open(PATH, O_RDONLY | O_CLOEXEC), then glibc's
 *                               fexecve(fd, argv, envp), which is the one call
 *                               execveat(fd, "", argv, envp, AT_EMPTY_PATH), then close(fd)
 * (argv is { PATH, NULL }, envp is empty), in one of two modes:
 *   fail (default)  the call is made by the worker itself and must fail, no fork:
 *                   execve, execveat  with ENOENT; PATH defaults to
 *                                     "/nonexistent/bcc-execcount-test"
 *                   fexecve           with EACCES: PATH must be an existing readable file
 *                                     without execute permission; default "/etc/passwd"
 *   ok              fork; the child makes the call (PATH defaults to "/bin/true"), the
 *                   worker waits for it, and it must exit 0; a forked child keeps the
 *                   worker's comm until its exec succeeds
 * --distinct D (fail mode, execve or execveat only; 1..1000000): instead of PATH
 * itself, call i (i = 0 .. N-1, counted in each worker) uses "PATH-<i mod D>" in
 * decimal: with the default PATH, "/nonexistent/bcc-execcount-test-0" up to
 * "/nonexistent/bcc-execcount-test-<D-1>"; so each worker makes N / D calls on
 * every name, plus one more on names 0 .. (N mod D) - 1.
 *
 * --thread: each call is made from a new thread, not the process's first
 * (ok mode: the forked child starts the thread that execs, so the exec
 * comes from a non-leader thread and returns under the leader's pid).
 * --seccomp (fail mode, execve or execveat): each worker first installs a
 * seccomp filter that answers every execve and execveat with EPERM, so the
 * calls fail with EPERM before the syscall runs (no_new_privs is set).
 *
 * stdout: the total number of exec calls made, one line.
 * Exit status: 0 when every call behaved as expected; 1 when one did not, or a
 * setup step failed (each reason on stderr); 64 for bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* setresuid, setresgid, pipe2, fexecve */
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG	     "exec_helper"
#define EX_BADARGS   64
#define MISSING_PATH "/nonexistent/bcc-execcount-test"
#define NOEXEC_PATH  "/etc/passwd" /* exists everywhere, mode 0644 */
#define TRUE_PATH    "/bin/true"
#define MAX_PROCS    64
#define MAX_COUNT    1000000000UL
#define MAX_DISTINCT 1000000UL
#define COMM_MAX     15 /* TASK_COMM_LEN - 1 */
/* uid_t (-1) means "leave unchanged" to setresuid: not a uid that can be set */
#define MAX_ID 4294967294UL

enum mode { MODE_FAIL, MODE_OK };
enum call { CALL_EXECVE, CALL_EXECVEAT, CALL_FEXECVE };

static const char *const call_names[] = { "execve", "execveat", "fexecve" };

struct options {
	bool have_uid, have_gid;
	uid_t uid;
	gid_t gid;
	unsigned long count;
	bool have_count;
	enum mode mode;
	unsigned long procs;
	enum call call;
	const char *path;	/* NULL: the mode's default */
	unsigned long distinct; /* 0: PATH itself */
	const char *comm;	/* NULL: leave the comm alone */
	const char *cgroup;	/* NULL: stay in the cgroup we were started in */
	bool thread;		/* each call from a new thread */
	bool seccomp;		/* exec calls denied by seccomp (EPERM) */
};

/* What each worker reports back through the result pipe (one write, < PIPE_BUF). */
struct result {
	uint64_t calls;
	uint64_t bad;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: " PROG " [--uid UID] [--gid GID] --count N [--mode ok|fail] [--procs P]\n"
		"       [--syscall execve|execveat|fexecve] [--path PATH] [--distinct D]\n"
		"       [--comm NAME] [--cgroup DIR] [--thread] [--seccomp]\n");
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

/* A string value: not empty, at most max bytes. */
static bool parse_string(const char *name, const char *text, size_t max, const char **out)
{
	size_t len = strlen(text);

	if (len == 0) {
		fprintf(stderr, PROG ": %s: empty value\n", name);
		return false;
	}
	if (len > max) {
		fprintf(stderr, PROG ": %s '%s': %zu bytes, at most %zu allowed\n", name, text, len,
			max);
		return false;
	}
	*out = text;
	return true;
}

static bool parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "uid", required_argument, NULL, 'u' },
		{ "gid", required_argument, NULL, 'g' },
		{ "count", required_argument, NULL, 'n' },
		{ "mode", required_argument, NULL, 'm' },
		{ "procs", required_argument, NULL, 'p' },
		{ "syscall", required_argument, NULL, 's' },
		{ "path", required_argument, NULL, 'f' },
		{ "distinct", required_argument, NULL, 'd' },
		{ "comm", required_argument, NULL, 'c' },
		{ "cgroup", required_argument, NULL, 'C' },
		{ "thread", no_argument, NULL, 't' },
		{ "seccomp", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c;

	*o = (struct options){ .mode = MODE_FAIL, .procs = 1, .call = CALL_EXECVE };
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
		case 's':
			if (strcmp(optarg, "execve") == 0) {
				o->call = CALL_EXECVE;
			} else if (strcmp(optarg, "execveat") == 0) {
				o->call = CALL_EXECVEAT;
			} else if (strcmp(optarg, "fexecve") == 0) {
				o->call = CALL_FEXECVE;
			} else {
				fprintf(stderr,
					PROG ": --syscall '%s': want execve, execveat or fexecve\n",
					optarg);
				return false;
			}
			break;
		case 'f':
			/* room for "-<D-1>" after it, within PATH_MAX with the NUL */
			if (!parse_string("--path", optarg, PATH_MAX - 16, &o->path))
				return false;
			break;
		case 'd':
			if (!parse_ulong("--distinct", optarg, 1, MAX_DISTINCT, &o->distinct))
				return false;
			break;
		case 'c':
			if (!parse_string("--comm", optarg, COMM_MAX, &o->comm))
				return false;
			break;
		case 'C':
			if (!parse_string("--cgroup", optarg, PATH_MAX - 32, &o->cgroup))
				return false;
			break;
		case 't':
			o->thread = true;
			break;
		case 'S':
			o->seccomp = true;
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
	if (o->distinct && o->mode != MODE_FAIL) {
		fprintf(stderr, PROG ": --distinct needs --mode fail\n");
		return false;
	}
	if (o->distinct && o->call == CALL_FEXECVE) {
		fprintf(stderr, PROG ": --distinct needs --syscall execve or execveat (fexecve "
				     "opens an existing file)\n");
		return false;
	}
	if (o->seccomp && (o->mode != MODE_FAIL || o->call == CALL_FEXECVE)) {
		fprintf(stderr,
			PROG ": --seccomp needs --mode fail and --syscall execve or execveat\n");
		return false;
	}
	if (!o->path) {
		if (o->mode == MODE_OK)
			o->path = TRUE_PATH;
		else
			o->path = o->call == CALL_FEXECVE ? NOEXEC_PATH : MISSING_PATH;
	}
	if (o->have_uid && !o->have_gid) {
		o->gid = (gid_t)o->uid;
		o->have_gid = true;
	}
	return true;
}

/* Move this process into the cgroup DIR (its children will inherit it): needs root. */
static bool join_cgroup(const char *dir)
{
	char file[PATH_MAX];
	int fd;

	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, PROG ": open(%s): %s\n", file, strerror(errno));
		return false;
	}
	if (write(fd, "0\n", 2) != 2) {
		fprintf(stderr, PROG ": writing 0 to %s: %s\n", file, strerror(errno));
		close(fd);
		return false;
	}
	if (close(fd)) {
		fprintf(stderr, PROG ": close(%s): %s\n", file, strerror(errno));
		return false;
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

/*
 * One exec call of the chosen kind on path.  It returns only when the call
 * failed (or, for fexecve, the open did): the errno of the exec, or -1 with the
 * reason on stderr when the open failed and no exec call was made.
 */
static int exec_call(enum call call, const char *path)
{
	char *const args[] = { (char *)path, NULL };
	char *const env[] = { NULL };
	int fd, err;

	switch (call) {
	case CALL_EXECVE:
		execve(path, args, env);
		return errno;
	case CALL_EXECVEAT:
		syscall(SYS_execveat, AT_FDCWD, path, args, env, 0);
		return errno;
	case CALL_FEXECVE:
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, PROG ": open(%s) for fexecve: %s\n", path, strerror(errno));
			return -1;
		}
		fexecve(fd, args, env);
		err = errno;
		close(fd);
		return err;
	}
	return -1;
}

struct thread_call {
	enum call call;
	const char *path;
	int err;
};

static void *thread_call_run(void *arg)
{
	struct thread_call *tc = arg;

	tc->err = exec_call(tc->call, tc->path);
	return NULL;
}

/* exec_call() from a new thread (--thread); returns only if the exec failed. */
static int exec_call_thread(enum call call, const char *path)
{
	struct thread_call tc = { call, path, -1 };
	pthread_t thread;
	int err = pthread_create(&thread, NULL, thread_call_run, &tc);

	if (err) {
		fprintf(stderr, PROG ": pthread_create: %s\n", strerror(err));
		return -1;
	}
	pthread_join(thread, NULL);
	return tc.err;
}

static int exec_call_as(const struct options *o, const char *path)
{
	return o->thread ? exec_call_thread(o->call, path) : exec_call(o->call, path);
}

#if defined(__x86_64__)
#define SECCOMP_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_ARCH AUDIT_ARCH_AARCH64
#else
#error "exec_helper: which AUDIT_ARCH_ is this machine's?"
#endif

/* Every execve and execveat of this process answered with EPERM by seccomp (--seccomp). */
static bool deny_exec(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execve, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execveat, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
	};
	struct sock_fprog prog = { sizeof(filter) / sizeof(filter[0]), filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0)) {
		fprintf(stderr, PROG ": installing the seccomp filter: %s\n", strerror(errno));
		return false;
	}
	return true;
}

/* One failing exec: ENOENT for execve/execveat, EACCES for fexecve, EPERM under --seccomp. */
static bool exec_fail(const struct options *o, unsigned long i)
{
	char name[PATH_MAX];
	const char *path = o->path;
	int want = o->seccomp ? EPERM : o->call == CALL_FEXECVE ? EACCES : ENOENT;
	int err;

	if (o->distinct) {
		snprintf(name, sizeof(name), "%s-%lu", o->path, i % o->distinct);
		path = name;
	}
	err = exec_call_as(o, path);
	if (err < 0)
		return false;
	if (err != want) {
		fprintf(stderr, PROG ": %s(%s): %s, expected %s\n", call_names[o->call], path,
			strerror(err), strerrorname_np(want));
		return false;
	}
	return true;
}

/* One successful exec: fork, exec PATH in the child, check it exited 0. */
static bool exec_ok(const struct options *o)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0) {
		fprintf(stderr, PROG ": fork: %s\n", strerror(errno));
		return false;
	}
	if (pid == 0) {
		int err = exec_call_as(o, o->path);

		if (err >= 0)
			fprintf(stderr, PROG ": %s(%s): %s\n", call_names[o->call], o->path,
				strerror(err));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, PROG ": waitpid: %s\n", strerror(errno));
			return false;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, PROG ": %s(%s) child ended with status 0x%x, expected exit 0\n",
			call_names[o->call], o->path, status);
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

/* Set this process's comm to name (1..15 bytes) and read it back. */
static bool set_comm(const char *name)
{
	char now[COMM_MAX + 1] = { 0 };

	if (prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0)) {
		fprintf(stderr, PROG ": prctl(PR_SET_NAME, %s): %s\n", name, strerror(errno));
		return false;
	}
	if (prctl(PR_GET_NAME, (unsigned long)now, 0, 0, 0) || strcmp(now, name) != 0) {
		fprintf(stderr, PROG ": comm is '%s' after PR_SET_NAME '%s'\n", now, name);
		return false;
	}
	return true;
}

/*
 * A worker: set its comm (--comm), say it is ready, wait for the go pipe to
 * close (EOF releases every worker at once), make its calls, report them, exit
 * 0 if all went as expected.
 */
static int worker(const struct options *o, int ready_fd, int go_fd, int result_fd)
{
	struct result r = { 0 };
	char byte = 'r';
	ssize_t n;

	if (o->comm && !set_comm(o->comm))
		return 1; /* before the barrier: main reports a worker that died there */
	if (o->seccomp && !deny_exec())
		return 1;
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
		bool good = o->mode == MODE_OK ? exec_ok(o) : exec_fail(o, i);

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
	if (o.cgroup && !join_cgroup(o.cgroup))
		return 1;
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
