// SPDX-License-Identifier: GPL-2.0
/*
 * execstorm - the exec load generator of bench/run.py (built by it with `cc -O2`).
 *
 * Every exec it makes that is meant to fail names /nonexistent/bcc-execcount-bench: execve() then
 * returns ENOENT at once, without a fork and without a new program, so the cost of the syscall and
 * of whatever is attached to it is all there is to time.
 *
 *   execstorm storm   --calls N [--procs P] [--chunks C] [--uid U]
 *       P processes (default 1), started together, each make N failing execve() calls, timed in
 *       C chunks of N/C calls (default 1, at most 64); prints
 *       {"calls":N*P,"ns_per_call":[one per process],"chunks":[[ns per call of each chunk], ...]}
 *       (a process's ns per call is its wall time / N).
 *   execstorm trigger --period-us T --duration-ms D [--uid U]
 *       waits for one byte on stdin, then makes one failing execve() every T microseconds
 *       (absolute deadlines) for D milliseconds; then prints each call's CLOCK_MONOTONIC time in
 *       ns, taken just before the call, one per line.
 *   execstorm spawn   --calls N [--path PATH] [--uid U]
 *       N times posix_spawn(PATH) (default /bin/true: glibc's vfork-like clone + execve) +
 *       waitpid(); prints
 *       {"execs":N,"ok":M,"ns_per_exec":X}.
 *   execstorm keys    --first-uid U --count K
 *       for each uid U .. U+K-1: fork a child that takes the uid and makes one failing execve();
 *       prints {"keys":K}.
 *
 * --uid U makes the process (and so its children) take uid and gid U before doing anything.
 * Exit 0 on success, 1 on a failure (message on stderr), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MISSING_PATH "/nonexistent/bcc-execcount-bench"

extern char **environ;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "execstorm: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int take_uid(long uid)
{
	if (setgroups(0, NULL) != 0 || setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) != 0 ||
	    setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0)
		return -1;
	return 0;
}

/* One failing execve(); 0 when it failed as expected (ENOENT). */
static int fail_exec(void)
{
	static char *const argv[] = { MISSING_PATH, NULL };
	static char *const envp[] = { NULL };

	execve(MISSING_PATH, argv, envp);
	return errno == ENOENT ? 0 : -1;
}

#define MAX_CHUNKS 64

struct result {
	double total;
	double chunk[MAX_CHUNKS];
};

static int storm(long calls, long procs, long chunks)
{
	int go[2], res[2];
	pid_t pids[64];
	static struct result r[64];

	if (procs < 1 || procs > 64)
		return fprintf(stderr, "execstorm: --procs must be 1 to 64\n"), 2;
	if (chunks < 1 || chunks > MAX_CHUNKS || chunks > calls)
		return fprintf(stderr, "execstorm: --chunks must be 1 to %d, at most --calls\n",
			       MAX_CHUNKS),
		       2;
	if (pipe(go) != 0 || pipe(res) != 0)
		die("pipe");
	for (long p = 0; p < procs; p++) {
		pids[p] = fork();
		if (pids[p] < 0)
			die("fork");
		if (pids[p] == 0) {
			char c;
			struct result mine;
			long done = 0;

			close(go[1]);
			close(res[0]);
			if (read(go[0], &c, 1) < 0) /* returns 0 once the parent closes its end */
				_exit(1);
			uint64_t t = now_ns();
			for (long k = 0; k < chunks; k++) {
				long n = calls / chunks + (k < calls % chunks);
				uint64_t tc = now_ns();

				for (long i = 0; i < n; i++)
					if (fail_exec() != 0) {
						fprintf(stderr,
							"execstorm: execve: %s (expected ENOENT)\n",
							strerror(errno));
						_exit(1);
					}
				mine.chunk[k] = (double)(now_ns() - tc) / (double)n;
				done += n;
			}
			mine.total = (double)(now_ns() - t) / (double)done;
			/* one write of less than PIPE_BUF bytes: never interleaved with another's */
			if (write(res[1], &mine, sizeof(mine)) != sizeof(mine))
				_exit(1);
			_exit(0);
		}
	}
	close(go[0]);
	close(res[1]);
	close(go[1]); /* all start now */

	int failed = 0;
	long got = 0;

	for (long p = 0; p < procs; p++) {
		int st;

		if (waitpid(pids[p], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed = 1;
	}
	while (got < procs && read(res[0], &r[got], sizeof(r[0])) == sizeof(r[0]))
		got++;
	if (failed || got != procs)
		return fprintf(stderr, "execstorm: a storm process failed\n"), 1;
	printf("{\"calls\":%ld,\"ns_per_call\":[", calls * procs);
	for (long p = 0; p < procs; p++)
		printf("%s%.2f", p ? "," : "", r[p].total);
	printf("],\"chunks\":[");
	for (long p = 0; p < procs; p++) {
		printf("%s[", p ? "," : "");
		for (long k = 0; k < chunks; k++)
			printf("%s%.2f", k ? "," : "", r[p].chunk[k]);
		printf("]");
	}
	printf("]}\n");
	return 0;
}

static int trigger(long period_us, long duration_ms)
{
	long max = duration_ms * 1000 / period_us + 1;
	uint64_t *t = calloc((size_t)max, sizeof(*t));
	char c;
	long n = 0;

	if (!t)
		die("calloc");
	if (read(0, &c, 1) != 1)
		return fprintf(stderr, "execstorm: trigger: no start byte on stdin\n"), 1;

	uint64_t start = now_ns(), end = start + (uint64_t)duration_ms * 1000000u;

	for (n = 0; n < max; n++) {
		uint64_t due = start + (uint64_t)n * (uint64_t)period_us * 1000u;
		struct timespec ts = { .tv_sec = (time_t)(due / 1000000000u),
				       .tv_nsec = (long)(due % 1000000000u) };

		if (due > end)
			break;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		t[n] = now_ns();
		if (fail_exec() != 0)
			die("execve (expected ENOENT)");
	}
	for (long i = 0; i < n; i++)
		printf("%llu\n", (unsigned long long)t[i]);
	free(t);
	return 0;
}

static int spawn(long calls, const char *path)
{
	char *const argv[] = { (char *)path, NULL };
	long ok = 0;
	uint64_t t = now_ns();

	for (long i = 0; i < calls; i++) {
		int st, err;
		pid_t pid;

		err = posix_spawn(&pid, path, NULL, NULL, argv, environ);
		if (err != 0) {
			errno = err;
			die("posix_spawn");
		}
		if (waitpid(pid, &st, 0) < 0)
			die("waitpid");
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	}
	printf("{\"execs\":%ld,\"ok\":%ld,\"ns_per_exec\":%.1f}\n", calls, ok,
	       (double)(now_ns() - t) / (double)calls);
	return ok == calls ? 0 : 1;
}

static int keys(long first, long count)
{
	for (long u = first; u < first + count; u++) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			if (take_uid(u) != 0 || fail_exec() != 0)
				_exit(1);
			_exit(0);
		}
		if (waitpid(pid, &st, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return fprintf(stderr, "execstorm: keys: the child for uid %ld failed\n",
				       u),
			       1;
	}
	printf("{\"keys\":%ld}\n", count);
	return 0;
}

static long number(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "execstorm: %s: not a number from %ld to %ld: %s\n", opt, min, max,
			s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "calls", required_argument, NULL, 'n' },
		{ "procs", required_argument, NULL, 'p' },
		{ "uid", required_argument, NULL, 'u' },
		{ "period-us", required_argument, NULL, 't' },
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "path", required_argument, NULL, 'x' },
		{ "first-uid", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'k' },
		{ "chunks", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	long calls = 1000000, procs = 1, uid = -1, period = 1000, duration = 3000, first = -1,
	     count = 0, chunks = 1;
	const char *path = "/bin/true", *mode;
	int c;

	if (argc < 2) {
		fprintf(stderr,
			"usage: execstorm storm|trigger|spawn|keys [options] (see the source)\n");
		return 2;
	}
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			calls = number("--calls", optarg, 1, 1000000000L);
			break;
		case 'p':
			procs = number("--procs", optarg, 1, 64);
			break;
		case 'u':
			uid = number("--uid", optarg, 0, 4294967294L);
			break;
		case 't':
			period = number("--period-us", optarg, 1, 10000000L);
			break;
		case 'd':
			duration = number("--duration-ms", optarg, 1, 3600000L);
			break;
		case 'x':
			path = optarg;
			break;
		case 'f':
			first = number("--first-uid", optarg, 0, 4294967294L);
			break;
		case 'k':
			count = number("--count", optarg, 1, 1000000L);
			break;
		case 'c':
			chunks = number("--chunks", optarg, 1, MAX_CHUNKS);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc)
		return fprintf(stderr, "execstorm: unexpected argument: %s\n", argv[optind]), 2;
	signal(SIGPIPE, SIG_DFL);
	if (uid >= 0 && take_uid(uid) != 0)
		die("taking the uid");

	if (!strcmp(mode, "storm"))
		return storm(calls, procs, chunks);
	if (!strcmp(mode, "trigger"))
		return trigger(period, duration);
	if (!strcmp(mode, "spawn"))
		return spawn(calls, path);
	if (!strcmp(mode, "keys")) {
		if (first < 0 || count < 1 || first + count - 1 > 4294967294L)
			return fprintf(stderr, "execstorm: keys needs --first-uid and --count\n"),
			       2;
		return keys(first, count);
	}
	fprintf(stderr, "execstorm: unknown mode: %s\n", mode);
	return 2;
}
