// SPDX-License-Identifier: GPL-2.0
/*
 * bcc-execcount - count execve() calls per user with eBPF through libbcc.
 *
 *   argv -> cli -> probe source -> hook choice -> compile -> contract -> load
 *   -> attach -> self-test -> loop: snapshot, delta, render -> detach -> final
 *
 * main() only orchestrates: every phase lives in its own file and reports its
 * own error; main maps the failing phase to an exit code (sysexits.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "cli.h"
#include "counts.h"
#include "kernel.h"
#include "log.h"
#include "output.h"
#include "probe.h"
#include "source.h"
#include "users.h"

#ifndef EXECCOUNT_VERSION
#define EXECCOUNT_VERSION "0.0.0"
#endif

/* The self-test execs this: no file can have an empty name, so it always fails with ENOENT. */
#define SELF_TEST_PATH ""

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* SA_RESTART off, so a signal cuts a wait short; sigaction also overrides an inherited SIG_IGN. */
static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a closed stdout pipe shows up as EPIPE, and we stop cleanly */
	sigaction(SIGPIPE, &ign, NULL);
}

static double ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1e3 + (now.tv_nsec - start->tv_nsec) / 1e6;
}

static void stage_done(const char *stage, struct timespec *start)
{
	log_verbose("%-9s %7.1f ms", stage, ms_since(start));
	clock_gettime(CLOCK_MONOTONIC, start);
}

/* Exec a file that cannot exist and see the hook count it: proves the hook fires. */
static int self_test(struct probe *probe, const char *hook_name)
{
	char *const args[] = { (char *)"bcc-execcount-self-test", NULL };
	char *const env[] = { NULL };
	uint64_t before, after;
	int err;

	err = probe_self_hits(probe, &before);
	if (err)
		return err;
	execve(SELF_TEST_PATH, args, env);
	err = probe_self_hits(probe, &after);
	if (err)
		return err;
	if (after <= before) {
		log_msg("self-test failed: %s is attached but did not see this process's execve -- either the hook is not on the execve path, or the probe does not count its own process into table 'self' as the built-in one does (--print-probe)",
			hook_name);
		return -ENODATA;
	}
	return 0;
}

enum wait_result {
	WAIT_TICK,
	WAIT_STOP,
	WAIT_STDOUT_GONE,
};

/*
 * Sleep until deadline (CLOCK_MONOTONIC).  The stop signals are blocked
 * except inside ppoll, so one arriving between the check and the sleep is
 * not lost.  When stdout is a pipe, its reader going away wakes us too.
 */
static enum wait_result wait_until(const struct timespec *deadline, const sigset_t *waitmask,
				   bool watch_stdout)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = 0 };

	for (;;) {
		struct timespec now, left;

		if (stop_signal)
			return WAIT_STOP;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = deadline->tv_sec - now.tv_sec;
		left.tv_nsec = deadline->tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			return WAIT_TICK;
		if (ppoll(&pfd, watch_stdout ? 1 : 0, &left, waitmask) > 0 &&
		    (pfd.revents & (POLLERR | POLLHUP)))
			return WAIT_STDOUT_GONE;
	}
}

static bool stdout_is_pipe(void)
{
	struct stat st;

	return fstat(STDOUT_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

struct counter {
	struct probe *probe;
	struct user_names *users;
	struct snapshot cur;
	struct snapshot prev;
	enum output_format format;
};

/*
 * After writing to stdout: 0; -EPIPE when its reader has gone away (a clean
 * end: `| head -1`); another -errno, reported here, when writing failed.
 * errno is cleared before the writes, so it names the write that failed.
 */
static int stdout_status(void)
{
	int err;

	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	err = errno ? errno : EIO;
	if (err == EPIPE)
		return -EPIPE;
	log_msg("writing to stdout: %s", strerror(err));
	return -err;
}

/* Read the table, work out deltas, print.  -EPIPE when stdout has gone away. */
static int emit(struct counter *c, bool final)
{
	struct timespec now;
	int err;

	err = probe_read_counts(c->probe, &c->cur);
	if (err)
		return err;
	counts_sort(&c->cur, ORDER_BY_UID);
	counts_delta(&c->cur, &c->prev);
	err = snapshot_copy(&c->prev, &c->cur);
	if (err) {
		log_msg("out of memory keeping %zu rows", c->cur.len);
		return err;
	}
	/* classic is the original's line: uid order, no names */
	if (c->format != FORMAT_CLASSIC) {
		for (size_t i = 0; i < c->cur.len; i++)
			c->cur.rows[i].user = user_names_get(c->users, c->cur.rows[i].uid);
		counts_sort(&c->cur, ORDER_BY_COUNT);
	}
	clock_gettime(CLOCK_REALTIME, &now);
	errno = 0;
	output_rows(c->format, stdout, &c->cur, &now, final);
	return stdout_status();
}

static int print_versions(void)
{
	errno = 0;
	printf("bcc-execcount %s\nlibbcc %s\n", EXECCOUNT_VERSION, probe_libbcc_version());
	return stdout_status() ? EXIT_FAILURE : EX_OK;
}

static int print_probe(void)
{
	struct probe_source src;

	source_builtin(&src);
	errno = 0;
	fwrite(src.text, 1, src.len, stdout);
	return stdout_status() ? EXIT_FAILURE : EX_OK;
}

static int run(const struct config *cfg)
{
	struct probe_source src = { 0 };
	struct headers_info headers;
	struct hook hook = { .perf_fd = -1 };
	struct counter c = { .format = cfg->format };
	struct timespec stage, deadline;
	sigset_t stops, waitmask;
	unsigned long ticks = 0;
	bool watch_stdout;
	int err, rc = EX_OK;

	clock_gettime(CLOCK_MONOTONIC, &stage);

	/* The probe's text: built in, or the user's file. */
	if (cfg->probe_path) {
		err = source_read(&src, cfg->probe_path);
		if (err) {
			rc = (err == -EFBIG || err == -EINVAL) ? EX_DATAERR : EX_NOINPUT;
			goto out;
		}
	} else {
		source_builtin(&src);
	}

	/* Privileges: say what is needed before libbcc fails on its first map. */
	if (!kernel_initial_userns()) {
		log_msg("eBPF cannot be used from inside a user namespace (a rootless container?): its capabilities count only there -- run it on the host, as root");
		rc = EX_NOPERM;
		goto out;
	}
	if (!kernel_privileged()) {
		log_msg("loading eBPF needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN (mounting tracefs too) -- run as root: sudo bcc-execcount");
		rc = EX_NOPERM;
		goto out;
	}

	/* The hook: ask the kernel what it offers before trying anything. */
	err = hook_choose(cfg->attach, &hook);
	if (err) {
		rc = (err == -EPERM || err == -EACCES) ? EX_NOPERM : EX_UNAVAILABLE;
		goto out;
	}
	log_verbose("hook: %s", hook.name);

	/* Kernel headers: libbcc compiles against them and is unhelpful when they are missing. */
	if (cfg->kernel_headers && setenv("BCC_KERNEL_SOURCE", cfg->kernel_headers, 1)) {
		log_msg("setting BCC_KERNEL_SOURCE: %s", strerror(errno));
		rc = EXIT_FAILURE;
		goto out;
	}
	err = kernel_headers_find(&headers);
	if (err) {
		if (headers.from_env)
			log_msg("kernel headers at %s are incomplete: %s is missing -- the tree needs the source and the generated headers both (Debian splits them into linux-headers-<abi>-common and -<flavour>; scripts/setup.sh links them under /lib/modules)",
				headers.path, headers.missing);
		else
			log_msg("no kernel headers for %s (%s is missing) -- install linux-headers-%s, or point --kernel-headers DIR (BCC_KERNEL_SOURCE) at a kernel tree; scripts/setup.sh links the distribution's nearest headers",
				headers.release, headers.missing, headers.release);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	log_verbose("kernel headers: %s", headers.path);
	stage_done("checks", &stage);
	if (stop_signal)
		goto out;

	/* Compile: clang, through libbcc; the tables are created here. */
	err = probe_compile(&c.probe, src.text, src.len, src.name);
	if (err) {
		rc = err == -ENOMEM ? EXIT_FAILURE : EX_DATAERR;
		goto out;
	}
	stage_done("compile", &stage);
	err = probe_check_contract(c.probe, hook_function(&hook));
	if (err) {
		rc = EX_DATAERR;
		goto out_probe;
	}
	if (stop_signal)
		goto out_probe;

	/* Load: the kernel verifier checks the program. */
	err = probe_load(c.probe, hook_function(&hook), hook_prog_type(&hook));
	if (err) {
		rc = err == -EPERM ? EX_NOPERM : EX_DATAERR;
		goto out_probe;
	}
	stage_done("load", &stage);

	/* Attach, then prove the hook fires. */
	err = probe_self_set(c.probe);
	if (!err)
		err = hook_attach(&hook, probe_prog_fd(c.probe));
	if (err) {
		rc = EXIT_FAILURE;
		goto out_probe;
	}
	stage_done("attach", &stage);
	err = self_test(c.probe, hook.name);
	if (err) {
		rc = EXIT_FAILURE;
		goto out_detach;
	}
	stage_done("self-test", &stage);
	if (stop_signal)
		goto out_detach;

	c.users = user_names_new(NULL);
	if (!c.users) {
		log_msg("out of memory");
		rc = EXIT_FAILURE;
		goto out_detach;
	}
	log_msg("counting execve calls via %s, every %u s; Ctrl-C to end", hook.name,
		cfg->interval);
	clock_gettime(CLOCK_REALTIME, &deadline);
	errno = 0;
	output_start(cfg->format, stdout,
		     &(struct run_info){ .hook = hook.name,
					 .probe = cfg->probe_path ? cfg->probe_path : "builtin",
					 .interval = cfg->interval,
					 .pid = getpid(),
					 .version = EXECCOUNT_VERSION },
		     &deadline);
	err = stdout_status();
	if (err) {
		rc = err == -EPIPE ? EX_OK : EXIT_FAILURE;
		goto out_detach;
	}

	/* Count: one block per interval until a signal, COUNT, or stdout goes away. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, &waitmask);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGHUP);
	watch_stdout = stdout_is_pipe();
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	for (;;) {
		enum wait_result w;

		deadline.tv_sec += cfg->interval;
		w = wait_until(&deadline, &waitmask, watch_stdout);
		if (w == WAIT_STDOUT_GONE)
			goto out_detach;
		if (w == WAIT_STOP)
			break;
		err = emit(&c, false);
		if (err == -EPIPE)
			goto out_detach;
		if (err) {
			rc = EXIT_FAILURE;
			goto out_detach;
		}
		if (cfg->count && ++ticks == cfg->count)
			break;
	}

	/* Stop counting first, so the final totals are the last word. */
	hook_detach(&hook);
	err = emit(&c, true);
	/* a hung-up terminal (SIGHUP) cannot take the final block: not a failure */
	if (err && err != -EPIPE && !(err == -EIO && stop_signal == SIGHUP))
		rc = EXIT_FAILURE;

out_detach:
	hook_detach(&hook);
out_probe:
	probe_destroy(c.probe);
out:
	user_names_free(c.users);
	snapshot_free(&c.cur);
	snapshot_free(&c.prev);
	source_free(&src);
	return rc;
}

int main(int argc, char **argv)
{
	struct config cfg;

	/* a closed fd 0-2 would be reused by the first file we open, and written to as stdout */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
			return EXIT_FAILURE;
	/* getopt names the program after argv[0]: keep every message's prefix the same */
	argv[0] = (char *)PROG_NAME;
	if (cli_parse(&cfg, argc, argv, stdout, stderr))
		return EX_USAGE;
	log_setup(stderr, cfg.verbose);
	switch (cfg.action) {
	case CLI_HELP:
		return EX_OK;
	case CLI_VERSION:
		return print_versions();
	case CLI_PRINT_PROBE:
		return print_probe();
	case CLI_RUN:
		break;
	}
	setlinebuf(stdout);
	install_signals();
	return run(&cfg);
}
