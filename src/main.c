// SPDX-License-Identifier: GPL-2.0
/*
 * bcc-execcount - count execve() calls per user with eBPF through libbcc.
 *
 *   argv -> cli -> probe source -> checks -> hook plan -> cache hit, or
 *   compile (-D settings) -> contract -> load -> attach -> self-test ->
 *   commit to the cache -> loop: read, tick, views, sinks -> detach -> final
 *
 * main() only orchestrates: every phase lives in session.c and the module it
 * calls, and says its own error; the table below maps the failing phase
 * and its errno to the exit code (sysexits.h).  docs/design.md has the map.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "cache.h"
#include "cli.h"
#include "display.h"
#include "doctor.h"
#include "log.h"
#include "probe.h"
#include "session.h"
#include "source.h"
#include "ticker.h"
#include "versions.h"

#ifndef EXECCOUNT_VERSION
#define EXECCOUNT_VERSION "0.0.0"
#endif

static int print_versions(void)
{
	char llvm[300];

	/* LLVM is mapped only with libbcc proper, which compiles: load it to name it */
	probe_compiler_load();
	llvm_describe(llvm, sizeof(llvm));
	errno = 0;
	printf("bcc-execcount %s\nlibbcc %s\nLLVM %s\n", EXECCOUNT_VERSION, probe_libbcc_version(),
	       llvm);
	return stdout_status() ? EXIT_FAILURE : EX_OK;
}

static int doctor(const struct config *cfg)
{
	int failed;

	probe_compiler_load();
	errno = 0;
	failed = doctor_run(stdout, probe_libbcc_version(),
			    cfg->no_cache    ? NULL
			    : cfg->cache_dir ? cfg->cache_dir
					     : CACHE_DEFAULT_DIR);
	if (stdout_status())
		return EXIT_FAILURE;
	return failed ? EXIT_FAILURE : EX_OK;
}

static int print_probe(void)
{
	struct probe_source src;

	source_builtin(&src);
	errno = 0;
	fwrite(src.text, 1, src.len, stdout);
	return stdout_status() ? EXIT_FAILURE : EX_OK;
}

/* A run's phases, in order; a stage names the --verbose timing line that ends it. */
enum phase {
	PH_SOURCE,
	PH_KERNEL,
	PH_PRIVILEGES,
	PH_TEXTFILE,
	PH_LISTEN,
	PH_CACHE,
	PH_HOOKS,
	PH_PROBE,
	PH_CONTRACT,
	PH_LOAD,
	PH_ATTACH,
	PH_SELFTEST,
	PH_START,
	PH_COUNT,
	PH_COUNT_,
};

static const struct {
	int (*run)(struct session *s);
	const char *stage;
} phases[PH_COUNT_] = {
	[PH_SOURCE] = { session_source, NULL },		[PH_KERNEL] = { session_kernel, NULL },
	[PH_PRIVILEGES] = { session_privileges, NULL }, [PH_TEXTFILE] = { session_textfile, NULL },
	[PH_LISTEN] = { session_listen, NULL },		[PH_CACHE] = { session_cache, NULL },
	[PH_HOOKS] = { session_hooks, "checks" },	[PH_PROBE] = { session_probe, NULL },
	[PH_CONTRACT] = { session_contract, NULL },	[PH_LOAD] = { session_load, "load" },
	[PH_ATTACH] = { session_attach, "attach" },	[PH_SELFTEST] = { session_selftest, NULL },
	[PH_START] = { session_start, NULL },		[PH_COUNT] = { session_count, NULL },
};

/*
 * The exit code of a failed phase, by its errno: the first row that
 * matches (err 0: any errno).  docs/bcc-execcount.8 lists the codes.
 */
static const struct {
	enum phase phase;
	int err;
	int code;
} exits[] = {
	{ PH_SOURCE, EFBIG, EX_DATAERR },    { PH_SOURCE, EINVAL, EX_DATAERR },
	{ PH_SOURCE, 0, EX_NOINPUT },	     { PH_KERNEL, 0, EX_UNAVAILABLE },
	{ PH_PRIVILEGES, 0, EX_NOPERM },     { PH_TEXTFILE, 0, EX_CANTCREAT },
	{ PH_LISTEN, ENOMEM, EXIT_FAILURE }, { PH_LISTEN, 0, EX_UNAVAILABLE },
	{ PH_CACHE, 0, EX_CANTCREAT },	     { PH_HOOKS, EPERM, EX_NOPERM },
	{ PH_HOOKS, EACCES, EX_NOPERM },     { PH_HOOKS, 0, EX_UNAVAILABLE },
	{ PH_PROBE, EPERM, EX_NOPERM },	     { PH_PROBE, ENOENT, EX_UNAVAILABLE },
	{ PH_PROBE, EINVAL, EX_DATAERR },    { PH_CONTRACT, 0, EX_DATAERR },
	{ PH_LOAD, EPERM, EX_NOPERM },	     { PH_LOAD, 0, EX_DATAERR },
	{ PH_START, EPIPE, EX_OK },	     { PH_COUNT, EPIPE, EX_OK },
};

static int exit_code(enum phase phase, int err)
{
	for (size_t i = 0; i < sizeof(exits) / sizeof(exits[0]); i++)
		if (exits[i].phase == phase && (exits[i].err == 0 || exits[i].err == -err))
			return exits[i].code;
	return EXIT_FAILURE;
}

/*
 * Each phase in turn until one fails, or a stop signal comes before counting
 * (once it has begun, the count phase ends on it with the final block); then
 * everything undone.  An attach that asks for it plans again (SESSION_REPLAN).
 */
static int run(const struct config *cfg)
{
	struct session s;
	int rc = EX_OK;

	session_init(&s, cfg);
	for (enum phase p = 0; p < PH_COUNT_ && (p == PH_COUNT || !ticker_stopped()); p++) {
		int err = phases[p].run(&s);

		if (err == SESSION_REPLAN) {
			p = PH_HOOKS - 1;
			continue;
		}
		if (err) {
			rc = exit_code(p, err);
			break;
		}
		if (phases[p].stage)
			log_stage(phases[p].stage);
	}
	session_end(&s);
	return rc;
}

/*
 * The exit.  libbcc.so.0 and libbcc_bpf.so.0 (one package) define the same
 * C++ globals (bcc's USDT parser tables); loaded side by side, as after a
 * compile in this process (pinned tables, or a probe refused: obtain.c; the
 * compiler process _exit()s itself), each library's constructor and destructor runs on the one
 * interposed object, and exit() would destroy it twice (ASan: a
 * use-after-free in libbcc_bpf's destructor).  Such a process ends with
 * _exit() once its output is flushed: nothing of ours needs destructors.
 * The sanitized build runs its leak check first (tests/sanitize/lsan.supp
 * has the one leak the double construction makes).
 */
static int finish(int rc)
{
	if (!probe_compiler_loaded())
		return rc;
	/* what stdout takes was checked already; what it does not (a closed pipe) is not news */
	fflush(NULL);
#ifdef __SANITIZE_ADDRESS__
	__lsan_do_leak_check();
#endif
	_exit(rc);
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
		return finish(print_versions());
	case CLI_PRINT_PROBE:
		return print_probe();
	case CLI_DOCTOR:
		return finish(doctor(&cfg));
	case CLI_RUN:
		break;
	}
	setlinebuf(stdout);
	ticker_signals();
	return finish(run(&cfg));
}
