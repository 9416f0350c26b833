// SPDX-License-Identifier: GPL-2.0
/*
 * test_cflags.c - the -D settings the probe is compiled with, exactly, from
 * real command lines: the default, each --by set (fields in the probe's fixed
 * order whatever the order given), --max-keys, --uid lists (in the order
 * given, duplicates once, the longest list whole), the syscall wrapper flag,
 * and the options that must not change the probe (--syscalls, --top, -f).
 */
#include "unit.h"

#include <stdbool.h>

#include "cflags.h"
#include "cli.h"

#define MAX_ARGS 16

/* cli_parse("bcc-execcount", args..., NULL), which must succeed. */
static struct config parse(const char *first, ...)
{
	char *argv[MAX_ARGS + 2] = { (char *)"bcc-execcount" };
	int argc = 1;
	struct config cfg;
	struct capture out, err;
	va_list ap;

	va_start(ap, first);
	for (const char *arg = first; arg; arg = va_arg(ap, const char *)) {
		assert_true(argc <= MAX_ARGS);
		argv[argc++] = (char *)arg;
	}
	va_end(ap);
	capture_open(&out);
	capture_open(&err);
	if (cli_parse(&cfg, argc, argv, out.f, err.f) != 0)
		print_error("cli_parse failed: %s\n", capture_text(&err));
	assert_string_equal(capture_text(&err), "");
	capture_close(&out);
	capture_close(&err);
	assert_int_equal(cfg.action, CLI_RUN);
	return cfg;
}

/* cflags_build(cfg, kprobes = wrapper, wrapper) is exactly want[] (NULL-terminated). */
static void assert_cflags(const struct config *cfg, bool wrapper, const char *const want[])
{
	struct cflags got;
	int n = 0;

	memset(&got, 0x5a, sizeof(got));
	cflags_build(&got, cfg, wrapper, wrapper, false);
	while (want[n])
		n++;
	assert_true(got.n >= 0 && got.n <= CFLAGS_MAX);
	for (int i = 0; i < n && i < got.n; i++)
		if (strcmp(got.argv[i], want[i]) != 0)
			print_error("argv[%d]: got \"%s\" want \"%s\"\n", i, got.argv[i], want[i]);
	if (got.n != n)
		for (int i = 0; i < got.n; i++)
			print_error("argv[%d] = \"%s\"\n", i, got.argv[i]);
	assert_int_equal(got.n, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(got.argv[i], want[i]);
}

#define CFLAGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_default(void **state)
{
	struct config cfg = parse(NULL);

	(void)state;
	assert_cflags(&cfg, false, CFLAGS("-DEXECCOUNT_BY_UID", "-DEXECCOUNT_MAX_KEYS=10240"));
	assert_cflags(&cfg, true,
		      CFLAGS("-DEXECCOUNT_BY_UID", "-DEXECCOUNT_MAX_KEYS=10240",
			     "-DEXECCOUNT_KPROBES", "-DEXECCOUNT_SYSCALL_WRAPPER"));
	/* kprobes on a kernel before the syscall wrappers; a wrapper means nothing without kprobes */
	{
		struct cflags got;

		cflags_build(&got, &cfg, true, false, false);
		assert_int_equal(got.n, 3);
		assert_string_equal(got.argv[2], "-DEXECCOUNT_KPROBES");
		cflags_build(&got, &cfg, false, true, false);
		assert_int_equal(got.n, 2);
	}
}

static void test_by_sets(void **state)
{
	static const struct {
		const char *by;
		const char *want[5];
	} cases[] = {
		{ "uid", { "-DEXECCOUNT_BY_UID" } },
		{ "comm", { "-DEXECCOUNT_BY_COMM" } },
		{ "exe", { "-DEXECCOUNT_BY_EXE" } },
		{ "cgroup", { "-DEXECCOUNT_BY_CGROUP" } },
		{ "uid,comm", { "-DEXECCOUNT_BY_UID", "-DEXECCOUNT_BY_COMM" } },
		/* the order given does not matter to the probe */
		{ "comm,uid", { "-DEXECCOUNT_BY_UID", "-DEXECCOUNT_BY_COMM" } },
		{ "cgroup,exe", { "-DEXECCOUNT_BY_EXE", "-DEXECCOUNT_BY_CGROUP" } },
		{ "exe,comm", { "-DEXECCOUNT_BY_COMM", "-DEXECCOUNT_BY_EXE" } },
		{ "cgroup,uid,exe",
		  { "-DEXECCOUNT_BY_UID", "-DEXECCOUNT_BY_EXE", "-DEXECCOUNT_BY_CGROUP" } },
		{ "cgroup,exe,comm,uid",
		  { "-DEXECCOUNT_BY_UID", "-DEXECCOUNT_BY_COMM", "-DEXECCOUNT_BY_EXE",
		    "-DEXECCOUNT_BY_CGROUP" } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg = parse("--by", cases[i].by, NULL);
		const char *want[8] = { NULL };
		size_t n = 0;

		while (n < 5 && cases[i].want[n]) {
			want[n] = cases[i].want[n];
			n++;
		}
		want[n++] = "-DEXECCOUNT_MAX_KEYS=10240";
		want[n] = NULL;
		assert_cflags(&cfg, false, want);
	}
}

static void test_max_keys(void **state)
{
	struct config cfg;

	(void)state;
	cfg = parse("--max-keys", "1", NULL);
	assert_cflags(&cfg, false, CFLAGS("-DEXECCOUNT_BY_UID", "-DEXECCOUNT_MAX_KEYS=1"));
	cfg = parse("--max-keys=1048576", "-b", "comm", NULL);
	assert_cflags(&cfg, false, CFLAGS("-DEXECCOUNT_BY_COMM", "-DEXECCOUNT_MAX_KEYS=1048576"));
	cfg = parse("--max-keys", "007", NULL);
	assert_cflags(&cfg, false, CFLAGS("-DEXECCOUNT_BY_UID", "-DEXECCOUNT_MAX_KEYS=7"));
}

static void test_uids(void **state)
{
	struct config cfg;

	(void)state;
	cfg = parse("--uid", "1000", NULL);
	assert_cflags(&cfg, false,
		      CFLAGS("-DEXECCOUNT_BY_UID", "-DEXECCOUNT_MAX_KEYS=10240",
			     "-DEXECCOUNT_UIDS=1000"));
	/* the order given; the extremes; a duplicate once */
	cfg = parse("--uid=4294967294,0,1000,0", NULL);
	assert_cflags(&cfg, false,
		      CFLAGS("-DEXECCOUNT_BY_UID", "-DEXECCOUNT_MAX_KEYS=10240",
			     "-DEXECCOUNT_UIDS=4294967294,0,1000"));
	/* leading zeros are decimal, written back plainly */
	cfg = parse("--uid", "010", NULL);
	assert_cflags(
		&cfg, false,
		CFLAGS("-DEXECCOUNT_BY_UID", "-DEXECCOUNT_MAX_KEYS=10240", "-DEXECCOUNT_UIDS=10"));
	/* the filter is independent of the key */
	cfg = parse("--uid", "0", "--by", "exe", NULL);
	assert_cflags(
		&cfg, false,
		CFLAGS("-DEXECCOUNT_BY_EXE", "-DEXECCOUNT_MAX_KEYS=10240", "-DEXECCOUNT_UIDS=0"));
}

/* The longest list there can be: 64 ten-digit uids, nothing cut off. */
static void test_uids_longest(void **state)
{
	char arg[CLI_MAX_UIDS * 11 + 1], want[32 + CLI_MAX_UIDS * 11];
	size_t at = 0, wat;
	struct config cfg;
	struct cflags got;

	(void)state;
	wat = (size_t)snprintf(want, sizeof(want), "-DEXECCOUNT_UIDS=");
	for (unsigned int i = 0; i < CLI_MAX_UIDS; i++) {
		at += (size_t)snprintf(arg + at, sizeof(arg) - at, "%s%u", i ? "," : "",
				       4294967294u - i);
		wat += (size_t)snprintf(want + wat, sizeof(want) - wat, "%s%u", i ? "," : "",
					4294967294u - i);
	}
	assert_int_equal(strlen(arg), 64 * 10 + 63);
	cfg = parse("--uid", arg, NULL);
	assert_int_equal(cfg.nuids, CLI_MAX_UIDS);
	cflags_build(&got, &cfg, true, true, false);
	assert_int_equal(got.n, 5);
	assert_string_equal(got.argv[0], "-DEXECCOUNT_BY_UID");
	assert_string_equal(got.argv[1], "-DEXECCOUNT_MAX_KEYS=10240");
	assert_int_equal(strlen(got.argv[2]), strlen("-DEXECCOUNT_UIDS=") + 64 * 10 + 63);
	assert_string_equal(got.argv[2], want);
	assert_string_equal(got.argv[3], "-DEXECCOUNT_KPROBES");
	assert_string_equal(got.argv[4], "-DEXECCOUNT_SYSCALL_WRAPPER");
}

/* Counted at the exits alone: one more setting, last. */
static void test_at_exit(void **state)
{
	struct config cfg = parse("-b", "uid,cgroup", NULL);
	struct cflags got;

	(void)state;
	cflags_build(&got, &cfg, false, false, true);
	assert_int_equal(got.n, 4);
	assert_string_equal(got.argv[3], "-DEXECCOUNT_AT_EXIT");
}

static void test_everything(void **state)
{
	struct config cfg =
		parse("-b", "exe,cgroup,comm,uid", "--max-keys", "65536", "--uid", "0,65534",
		      "--syscalls", "execveat", "--top", "3", "-f", "json", "-a", "kprobe", NULL);

	(void)state;
	assert_cflags(&cfg, true,
		      CFLAGS("-DEXECCOUNT_BY_UID", "-DEXECCOUNT_BY_COMM", "-DEXECCOUNT_BY_EXE",
			     "-DEXECCOUNT_BY_CGROUP", "-DEXECCOUNT_MAX_KEYS=65536",
			     "-DEXECCOUNT_UIDS=0,65534", "-DEXECCOUNT_KPROBES",
			     "-DEXECCOUNT_SYSCALL_WRAPPER"));
	assert_true(8 <= CFLAGS_MAX);
}

/* --syscalls, --top, the format and the attach mode are the host's business, not the probe's. */
static void test_host_only_options(void **state)
{
	const char *const *argvs[] = {
		(const char *const[]){ "--syscalls", "execve", NULL },
		(const char *const[]){ "--syscalls", "execveat", NULL },
		(const char *const[]){ "--top", "1", NULL },
		(const char *const[]){ "-f", "classic", NULL },
		(const char *const[]){ "-a", "tracepoint", NULL },
		(const char *const[]){ "-v", "2", "3", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(argvs) / sizeof(argvs[0]); i++) {
		const char *const *a = argvs[i];
		struct config cfg = parse(a[0], a[1], a[1] ? a[2] : NULL, NULL);

		assert_cflags(&cfg, false,
			      CFLAGS("-DEXECCOUNT_BY_UID", "-DEXECCOUNT_MAX_KEYS=10240"));
	}
}

/* A struct reused: the second build replaces the first, nothing left over. */
static void test_rebuild(void **state)
{
	struct config big = parse("-b", "uid,comm,exe,cgroup", "--uid", "1,2,3", NULL);
	struct config small = parse("-b", "comm", "--max-keys", "9", NULL);
	struct cflags f;

	(void)state;
	cflags_build(&f, &big, true, true, false);
	assert_int_equal(f.n, 8);
	cflags_build(&f, &small, false, false, false);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.argv[0], "-DEXECCOUNT_BY_COMM");
	assert_string_equal(f.argv[1], "-DEXECCOUNT_MAX_KEYS=9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),		  cmocka_unit_test(test_by_sets),
		cmocka_unit_test(test_max_keys),	  cmocka_unit_test(test_uids),
		cmocka_unit_test(test_uids_longest),	  cmocka_unit_test(test_everything),
		cmocka_unit_test(test_host_only_options), cmocka_unit_test(test_rebuild),
		cmocka_unit_test(test_at_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
