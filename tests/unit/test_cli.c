// SPDX-License-Identifier: GPL-2.0
/*
 * test_cli.c - argv to struct config: defaults, every option in its short and
 * long forms, the positional INTERVAL and COUNT, the lists (--by, --syscalls,
 * --uid) and numbers (--max-keys, --top/-r/--rows, --max-series) with good
 * and bad values, classic only with --by uid and without --sort, --sort by
 * each name (a key field only when it is in --by), -C, --listen [ADDR:]PORT
 * (cli_parse_listen: family, host and port exact; every refusal with its
 * reason), --textfile, and every usage error (one message, nothing on out).
 */
#include "unit.h"

#include <sys/socket.h>

#include "cli.h"

#define MAX_ARGS 24

/* One cli_parse() call and everything it wrote. */
struct cli_run {
	struct config cfg;
	int rc;
	char *out;	   /* the out stream (help) */
	char *err;	   /* the err stream (argp's messages) */
	char *real_stderr; /* what reached fd 2 directly (glibc getopt's messages) */
};

static char *read_fd_all(int fd)
{
	struct capture c;
	char buf[512];
	ssize_t n;

	capture_open(&c);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, c.f);
	fclose(c.f);
	return c.buf;
}

/* cli_parse("bcc-execcount", args..., NULL) with every output captured. */
static void cli_run_v(struct cli_run *r, va_list ap)
{
	char *argv[MAX_ARGS + 2] = { (char *)"bcc-execcount" };
	int argc = 1;
	struct capture out, err;
	FILE *tmp = tmpfile();
	int saved;
	const char *arg;

	while ((arg = va_arg(ap, const char *))) {
		assert_true(argc <= MAX_ARGS);
		argv[argc++] = (char *)arg;
	}
	argv[argc] = NULL;

	capture_open(&out);
	capture_open(&err);
	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);

	memset(&r->cfg, 0xa5, sizeof(r->cfg)); /* prove cli_parse sets every field */
	r->rc = cli_parse(&r->cfg, argc, argv, out.f, err.f);

	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	r->real_stderr = read_fd_all(fileno(tmp));
	fclose(tmp);
	fclose(out.f);
	fclose(err.f);
	r->out = out.buf;
	r->err = err.buf;
}

static void cli_free(struct cli_run *r)
{
	free(r->out);
	free(r->err);
	free(r->real_stderr);
}

/* A successful parse: rc 0, nothing on either error channel. */
static void cli_ok(struct cli_run *r, ...)
{
	va_list ap;

	va_start(ap, r);
	cli_run_v(r, ap);
	va_end(ap);
	assert_int_equal(r->rc, 0);
	assert_string_equal(r->err, "");
	assert_string_equal(r->real_stderr, "");
}

static void test_defaults(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, NULL);
	assert_int_equal(r.cfg.action, CLI_RUN);
	assert_int_equal(r.cfg.attach, ATTACH_AUTO);
	assert_int_equal(r.cfg.format, FORMAT_TABLE);
	assert_int_equal(r.cfg.interval, 5);
	assert_int_equal(r.cfg.interval, CLI_DEFAULT_INTERVAL);
	assert_int_equal(r.cfg.count, 0);
	assert_null(r.cfg.probe_path);
	assert_null(r.cfg.kernel_headers);
	assert_false(r.cfg.verbose);
	/* --by uid, both syscalls, the default table size, no filter, every row */
	assert_int_equal(r.cfg.nby, 1);
	assert_int_equal(r.cfg.by[0], FIELD_UID);
	assert_int_equal(r.cfg.by_mask, 1u << FIELD_UID);
	assert_int_equal(r.cfg.syscalls, SYSCALL_EXECVE | SYSCALL_EXECVEAT);
	assert_int_equal(r.cfg.max_keys, 10240);
	assert_int_equal(r.cfg.max_keys, CLI_DEFAULT_MAX_KEYS);
	assert_int_equal(r.cfg.nuids, 0);
	assert_int_equal(r.cfg.top, 0);
	/* issue 4: sorted by count, redrawn on a terminal, no metrics, 10000 series */
	assert_int_equal(r.cfg.sort, ORDER_BY_COUNT);
	assert_false(r.cfg.sort_given);
	assert_false(r.cfg.noclear);
	assert_false(r.cfg.listen);
	assert_null(r.cfg.textfile);
	assert_int_equal(r.cfg.max_series, 10000);
	assert_int_equal(r.cfg.max_series, CLI_DEFAULT_MAX_SERIES);
	assert_string_equal(r.out, "");
	cli_free(&r);
}

/* "-a X", "-aX", "--attach X" and "--attach=X" all set the same field. */
static void assert_every_form(char shortopt, const char *longopt, const char *value,
			      int (*field)(const struct config *), int want)
{
	char sep_short[4], joined_short[64], sep_long[64], joined_long[64];
	struct cli_run r;

	snprintf(sep_short, sizeof(sep_short), "-%c", shortopt);
	snprintf(joined_short, sizeof(joined_short), "-%c%s", shortopt, value);
	snprintf(sep_long, sizeof(sep_long), "--%s", longopt);
	snprintf(joined_long, sizeof(joined_long), "--%s=%s", longopt, value);

	cli_ok(&r, sep_short, value, NULL);
	assert_int_equal(field(&r.cfg), want);
	cli_free(&r);
	cli_ok(&r, joined_short, NULL);
	assert_int_equal(field(&r.cfg), want);
	cli_free(&r);
	cli_ok(&r, sep_long, value, NULL);
	assert_int_equal(field(&r.cfg), want);
	cli_free(&r);
	cli_ok(&r, joined_long, NULL);
	assert_int_equal(field(&r.cfg), want);
	assert_int_equal(r.cfg.action, CLI_RUN);
	cli_free(&r);
}

static int attach_of(const struct config *cfg)
{
	return cfg->attach;
}

static int format_of(const struct config *cfg)
{
	return cfg->format;
}

static void test_attach_every_form(void **state)
{
	struct cli_run r;

	(void)state;
	assert_every_form('a', "attach", "auto", attach_of, ATTACH_AUTO);
	assert_every_form('a', "attach", "kprobe", attach_of, ATTACH_KPROBE);
	assert_every_form('a', "attach", "tracepoint", attach_of, ATTACH_TRACEPOINT);
	/* one option leaves the other at its default */
	cli_ok(&r, "-a", "kprobe", NULL);
	assert_int_equal(r.cfg.format, FORMAT_TABLE);
	cli_free(&r);
}

static void test_format_every_form(void **state)
{
	struct cli_run r;

	(void)state;
	assert_every_form('f', "format", "table", format_of, FORMAT_TABLE);
	assert_every_form('f', "format", "classic", format_of, FORMAT_CLASSIC);
	assert_every_form('f', "format", "json", format_of, FORMAT_JSON);
	assert_every_form('f', "format", "csv", format_of, FORMAT_CSV);
	cli_ok(&r, "-f", "json", NULL);
	assert_int_equal(r.cfg.attach, ATTACH_AUTO);
	cli_free(&r);
	/* csv takes any --by, --top and --sort, like json */
	cli_ok(&r, "-f", "csv", "-b", "cgroup,exe", "--top", "3", "-s", "exe", NULL);
	assert_int_equal(r.cfg.format, FORMAT_CSV);
	assert_int_equal(r.cfg.nby, 2);
	assert_int_equal(r.cfg.top, 3);
	assert_int_equal(r.cfg.sort, ORDER_BY(FIELD_EXE));
	cli_free(&r);
}

static void test_probe_path(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "-p", "mine.c", NULL);
	assert_string_equal(r.cfg.probe_path, "mine.c");
	assert_int_equal(r.cfg.action, CLI_RUN);
	cli_free(&r);
	cli_ok(&r, "-p/tmp/a b.c", NULL);
	assert_string_equal(r.cfg.probe_path, "/tmp/a b.c");
	cli_free(&r);
	cli_ok(&r, "--probe", "x.bpf.c", NULL);
	assert_string_equal(r.cfg.probe_path, "x.bpf.c");
	cli_free(&r);
	cli_ok(&r, "--probe=y.bpf.c", NULL);
	assert_string_equal(r.cfg.probe_path, "y.bpf.c");
	assert_null(r.cfg.kernel_headers);
	cli_free(&r);
}

static void test_kernel_headers(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "-k", "/usr/src/linux", NULL);
	assert_string_equal(r.cfg.kernel_headers, "/usr/src/linux");
	cli_free(&r);
	cli_ok(&r, "-k/opt/k", NULL);
	assert_string_equal(r.cfg.kernel_headers, "/opt/k");
	cli_free(&r);
	cli_ok(&r, "--kernel-headers", "/lib/modules/6.1.0/build", NULL);
	assert_string_equal(r.cfg.kernel_headers, "/lib/modules/6.1.0/build");
	cli_free(&r);
	cli_ok(&r, "--kernel-headers=hdrs", NULL);
	assert_string_equal(r.cfg.kernel_headers, "hdrs");
	assert_null(r.cfg.probe_path);
	cli_free(&r);
}

static void test_verbose(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "-v", NULL);
	assert_true(r.cfg.verbose);
	assert_int_equal(r.cfg.action, CLI_RUN);
	cli_free(&r);
	cli_ok(&r, "--verbose", NULL);
	assert_true(r.cfg.verbose);
	cli_free(&r);
}

static void test_print_probe(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "--print-probe", NULL);
	assert_int_equal(r.cfg.action, CLI_PRINT_PROBE);
	/* main() prints the probe; the parser itself writes nothing */
	assert_string_equal(r.out, "");
	cli_free(&r);
}

static void test_version(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "-V", NULL);
	assert_int_equal(r.cfg.action, CLI_VERSION);
	assert_string_equal(r.out, "");
	cli_free(&r);
	cli_ok(&r, "--version", NULL);
	assert_int_equal(r.cfg.action, CLI_VERSION);
	assert_string_equal(r.out, "");
	cli_free(&r);
}

static void assert_full_help(const struct cli_run *r)
{
	assert_int_equal(r->cfg.action, CLI_HELP);
	assert_non_null(strstr(r->out, "Usage: bcc-execcount"));
	assert_non_null(strstr(r->out, "[INTERVAL [COUNT]]"));
	assert_non_null(strstr(r->out, "EXAMPLES"));
	assert_non_null(strstr(r->out, "Exit status"));
	/* every option is documented */
	assert_non_null(strstr(r->out, "--attach=MODE"));
	assert_non_null(strstr(r->out, "--format=FORMAT"));
	assert_non_null(strstr(r->out, "--probe=FILE"));
	assert_non_null(strstr(r->out, "--print-probe"));
	assert_non_null(strstr(r->out, "--kernel-headers=DIR"));
	assert_non_null(strstr(r->out, "--verbose"));
	assert_non_null(strstr(r->out, "--version"));
	assert_non_null(strstr(r->out, "--usage"));
	assert_non_null(strstr(r->out, "-b, --by=FIELDS"));
	assert_non_null(strstr(r->out, "--syscalls=LIST"));
	assert_non_null(strstr(r->out, "--uid=UIDS"));
	assert_non_null(strstr(r->out, "--top=N"));
	assert_non_null(strstr(r->out, "--max-keys=N"));
	assert_non_null(strstr(r->out, "-C, --noclear"));
	assert_non_null(strstr(r->out, "-r, --rows=N"));
	assert_non_null(strstr(r->out, "-s, --sort=FIELD"));
	assert_non_null(strstr(r->out, "--listen=[ADDR:]PORT"));
	assert_non_null(strstr(r->out, "--textfile=PATH"));
	assert_non_null(strstr(r->out, "--max-series=N"));
	assert_non_null(strstr(r->out, "table (default), classic, json or csv"));
}

static void test_help(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "--help", NULL);
	assert_full_help(&r);
	cli_free(&r);
	cli_ok(&r, "-h", NULL);
	assert_full_help(&r);
	cli_free(&r);
}

static void test_usage(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "--usage", NULL);
	assert_int_equal(r.cfg.action, CLI_HELP);
	assert_non_null(strstr(r.out, "Usage: bcc-execcount"));
	assert_non_null(strstr(r.out, "[--attach=MODE]"));
	assert_non_null(strstr(r.out, "[INTERVAL [COUNT]]"));
	/* the short form: no descriptions, no examples */
	assert_null(strstr(r.out, "EXAMPLES"));
	assert_int_equal(r.out[strlen(r.out) - 1], '\n');
	cli_free(&r);
}

static void test_positional(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "2", NULL);
	assert_int_equal(r.cfg.interval, 2);
	assert_int_equal(r.cfg.count, 0);
	cli_free(&r);

	cli_ok(&r, "1", "10", NULL);
	assert_int_equal(r.cfg.interval, 1);
	assert_int_equal(r.cfg.count, 10);
	cli_free(&r);

	cli_ok(&r, "86400", "1", NULL);
	assert_int_equal(r.cfg.interval, CLI_MAX_INTERVAL);
	assert_int_equal(r.cfg.count, 1);
	cli_free(&r);

	/* decimal, not octal */
	cli_ok(&r, "010", "010", NULL);
	assert_int_equal(r.cfg.interval, 10);
	assert_int_equal(r.cfg.count, 10);
	cli_free(&r);

	/* the largest COUNT */
	cli_ok(&r, "1", "18446744073709551615", NULL);
	assert_int_equal(r.cfg.count, ULONG_MAX);
	cli_free(&r);

	/* options may come between and after the positionals */
	cli_ok(&r, "3", "-f", "json", "4", "-v", NULL);
	assert_int_equal(r.cfg.interval, 3);
	assert_int_equal(r.cfg.count, 4);
	assert_int_equal(r.cfg.format, FORMAT_JSON);
	assert_true(r.cfg.verbose);
	cli_free(&r);
}

static void test_everything_at_once(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "-v", "-f", "classic", "-a", "tracepoint", "-p", "p.c", "-k", "/k", "7", "9",
	       NULL);
	assert_int_equal(r.cfg.action, CLI_RUN);
	assert_int_equal(r.cfg.attach, ATTACH_TRACEPOINT);
	assert_int_equal(r.cfg.format, FORMAT_CLASSIC);
	assert_string_equal(r.cfg.probe_path, "p.c");
	assert_string_equal(r.cfg.kernel_headers, "/k");
	assert_int_equal(r.cfg.interval, 7);
	assert_int_equal(r.cfg.count, 9);
	assert_true(r.cfg.verbose);
	assert_string_equal(r.out, "");
	cli_free(&r);

	/* the last of a repeated option wins */
	cli_ok(&r, "-f", "json", "--format=table", NULL);
	assert_int_equal(r.cfg.format, FORMAT_TABLE);
	cli_free(&r);
}

static int by_mask_of(const struct config *cfg)
{
	return cfg->by_mask;
}

/* --by list parsed to the fields in the order given. */
static void assert_by(const char *arg, unsigned int n, const enum key_field want[])
{
	struct cli_run r;
	unsigned int mask = 0;

	cli_ok(&r, "--by", arg, NULL);
	assert_int_equal(r.cfg.nby, n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(r.cfg.by[i], want[i]);
		mask |= 1u << want[i];
	}
	assert_int_equal(r.cfg.by_mask, mask);
	cli_free(&r);
}

#define BY(...)                                                                                    \
	(sizeof((enum key_field[]){ __VA_ARGS__ }) / sizeof(enum key_field)), (enum key_field[])   \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}

static void test_by(void **state)
{
	struct cli_run r;

	(void)state;
	assert_every_form('b', "by", "uid", by_mask_of, 1u << FIELD_UID);
	assert_every_form('b', "by", "comm", by_mask_of, 1u << FIELD_COMM);
	assert_every_form('b', "by", "exe", by_mask_of, 1u << FIELD_EXE);
	assert_every_form('b', "by", "cgroup", by_mask_of, 1u << FIELD_CGROUP);
	assert_every_form('b', "by", "uid,comm", by_mask_of, 1u << FIELD_UID | 1u << FIELD_COMM);
	/* the order given is kept: it is the display order */
	assert_by("uid", BY(FIELD_UID));
	assert_by("comm,uid", BY(FIELD_COMM, FIELD_UID));
	assert_by("exe,cgroup", BY(FIELD_EXE, FIELD_CGROUP));
	assert_by("cgroup,exe,comm", BY(FIELD_CGROUP, FIELD_EXE, FIELD_COMM));
	assert_by("uid,comm,exe,cgroup", BY(FIELD_UID, FIELD_COMM, FIELD_EXE, FIELD_CGROUP));
	assert_by("cgroup,exe,comm,uid", BY(FIELD_CGROUP, FIELD_EXE, FIELD_COMM, FIELD_UID));

	/* the last --by wins whole, not merged */
	cli_ok(&r, "--by", "uid,comm,exe", "-b", "cgroup", NULL);
	assert_int_equal(r.cfg.nby, 1);
	assert_int_equal(r.cfg.by[0], FIELD_CGROUP);
	assert_int_equal(r.cfg.by_mask, 1u << FIELD_CGROUP);
	cli_free(&r);
	/* ... so the same field in two --by options is no duplicate */
	cli_ok(&r, "-b", "comm", "-b", "comm,uid", NULL);
	assert_int_equal(r.cfg.nby, 2);
	assert_int_equal(r.cfg.by_mask, 1u << FIELD_COMM | 1u << FIELD_UID);
	cli_free(&r);
	/* --by leaves the other new options at their defaults */
	cli_ok(&r, "-b", "exe", NULL);
	assert_int_equal(r.cfg.syscalls, SYSCALL_EXECVE | SYSCALL_EXECVEAT);
	assert_int_equal(r.cfg.max_keys, CLI_DEFAULT_MAX_KEYS);
	assert_int_equal(r.cfg.nuids, 0);
	assert_int_equal(r.cfg.top, 0);
	assert_int_equal(r.cfg.format, FORMAT_TABLE);
	cli_free(&r);
}

static int syscalls_of(const struct config *cfg)
{
	return cfg->syscalls;
}

static void test_syscalls(void **state)
{
	struct cli_run r;
	char sep[] = "--syscalls", joined[] = "--syscalls=execve";

	(void)state;
	cli_ok(&r, sep, "execve", NULL);
	assert_int_equal(syscalls_of(&r.cfg), SYSCALL_EXECVE);
	cli_free(&r);
	cli_ok(&r, joined, NULL);
	assert_int_equal(syscalls_of(&r.cfg), SYSCALL_EXECVE);
	cli_free(&r);
	cli_ok(&r, "--syscalls", "execveat", NULL);
	assert_int_equal(r.cfg.syscalls, SYSCALL_EXECVEAT);
	cli_free(&r);
	cli_ok(&r, "--syscalls", "execve,execveat", NULL);
	assert_int_equal(r.cfg.syscalls, SYSCALL_EXECVE | SYSCALL_EXECVEAT);
	cli_free(&r);
	/* a set: any order */
	cli_ok(&r, "--syscalls=execveat,execve", NULL);
	assert_int_equal(r.cfg.syscalls, SYSCALL_EXECVE | SYSCALL_EXECVEAT);
	cli_free(&r);
	/* the last one wins whole */
	cli_ok(&r, "--syscalls", "execve,execveat", "--syscalls", "execveat", NULL);
	assert_int_equal(r.cfg.syscalls, SYSCALL_EXECVEAT);
	cli_free(&r);
}

static void test_max_keys(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "--max-keys", "1", NULL);
	assert_int_equal(r.cfg.max_keys, 1);
	cli_free(&r);
	cli_ok(&r, "--max-keys=1048576", NULL);
	assert_int_equal(r.cfg.max_keys, CLI_MAX_MAX_KEYS);
	assert_int_equal(r.cfg.max_keys, 1048576);
	cli_free(&r);
	/* decimal, not octal */
	cli_ok(&r, "--max-keys", "010", NULL);
	assert_int_equal(r.cfg.max_keys, 10);
	cli_free(&r);
	cli_ok(&r, "--max-keys", "5", "--max-keys", "7", NULL);
	assert_int_equal(r.cfg.max_keys, 7);
	cli_free(&r);
}

/* --uid arg gives exactly the uids want[] (n of them), in that order. */
static void assert_uids(const char *arg, unsigned int n, const uint32_t want[])
{
	struct cli_run r;

	cli_ok(&r, "--uid", arg, NULL);
	assert_int_equal(r.cfg.nuids, n);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(r.cfg.uids[i], want[i]);
	cli_free(&r);
}

#define UIDS(...)                                                                                  \
	(sizeof((uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t)), (uint32_t[])                     \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}

static void test_uid(void **state)
{
	char many[CLI_MAX_UIDS * 11 + 1];
	size_t at = 0;
	struct cli_run r;

	(void)state;
	assert_uids("0", UIDS(0));
	assert_uids("1000", UIDS(1000));
	/* the largest: (uid_t)-1 is not a uid */
	assert_uids("4294967294", UIDS(4294967294u));
	assert_uids("2147483648", UIDS(2147483648u));
	assert_uids("1000,0,65534", UIDS(1000, 0, 65534));
	assert_uids("007", UIDS(7));
	/* a repeated uid once, the first place it appears */
	assert_uids("5,6,5,5,6", UIDS(5, 6));
	assert_uids("0,00,000", UIDS(0));

	/* 64 uids: the most there can be */
	for (unsigned int i = 0; i < CLI_MAX_UIDS; i++)
		at += snprintf(many + at, sizeof(many) - at, "%s%u", i ? "," : "", 4294967294u - i);
	cli_ok(&r, "--uid", many, NULL);
	assert_int_equal(r.cfg.nuids, CLI_MAX_UIDS);
	assert_int_equal(r.cfg.uids[0], 4294967294u);
	assert_int_equal(r.cfg.uids[CLI_MAX_UIDS - 1], 4294967294u - (CLI_MAX_UIDS - 1));
	cli_free(&r);

	/* the last --uid wins whole */
	cli_ok(&r, "--uid", "1,2,3", "--uid=4", NULL);
	assert_int_equal(r.cfg.nuids, 1);
	assert_int_equal(r.cfg.uids[0], 4);
	cli_free(&r);
	/* the filter leaves the key alone */
	cli_ok(&r, "--uid", "0", NULL);
	assert_int_equal(r.cfg.by_mask, 1u << FIELD_UID);
	cli_free(&r);
	cli_ok(&r, "--uid", "0", "--by", "comm", NULL);
	assert_int_equal(r.cfg.by_mask, 1u << FIELD_COMM);
	assert_int_equal(r.cfg.nuids, 1);
	cli_free(&r);
}

static void test_top(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "--top", "1", NULL);
	assert_int_equal(r.cfg.top, 1);
	cli_free(&r);
	cli_ok(&r, "--top=1000000", NULL);
	assert_int_equal(r.cfg.top, CLI_MAX_TOP);
	assert_int_equal(r.cfg.top, 1000000);
	cli_free(&r);
	cli_ok(&r, "--top", "10", "--top", "3", NULL);
	assert_int_equal(r.cfg.top, 3);
	cli_free(&r);
	/* every format */
	cli_ok(&r, "--top", "2", "-f", "classic", NULL);
	assert_int_equal(r.cfg.top, 2);
	assert_int_equal(r.cfg.format, FORMAT_CLASSIC);
	cli_free(&r);
	cli_ok(&r, "--top", "2", "-f", "json", "-b", "exe", NULL);
	assert_int_equal(r.cfg.top, 2);
	cli_free(&r);
}

static void test_classic_only_by_uid(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "-f", "classic", "--by", "uid", NULL);
	assert_int_equal(r.cfg.format, FORMAT_CLASSIC);
	assert_int_equal(r.cfg.by_mask, 1u << FIELD_UID);
	cli_free(&r);
	/* the uid filter is fine with classic */
	cli_ok(&r, "-f", "classic", "--uid", "0,1000", "--max-keys", "9", NULL);
	cli_free(&r);
	/* what counts is the last --by and the last --format */
	cli_ok(&r, "--by", "comm", "-f", "classic", "--by", "uid", NULL);
	cli_free(&r);
	cli_ok(&r, "-f", "classic", "--by", "comm", "-f", "json", NULL);
	assert_int_equal(r.cfg.format, FORMAT_JSON);
	cli_free(&r);
	/* help and version do not run, so nothing is refused */
	cli_ok(&r, "-f", "classic", "--by", "comm", "--help", NULL);
	assert_int_equal(r.cfg.action, CLI_HELP);
	cli_free(&r);
	cli_ok(&r, "-f", "classic", "--by", "exe", "-V", NULL);
	assert_int_equal(r.cfg.action, CLI_VERSION);
	cli_free(&r);
}

/*
 * A usage error: -EINVAL, nothing on out, and the hint to --help on err.
 * want_err must appear on the err stream (argp's own messages); want_stderr,
 * when given, on the real stderr (glibc getopt prints there, not to err).
 */
static void cli_fails(const char *want_err, const char *want_stderr, ...)
{
	struct cli_run r;
	va_list ap;

	va_start(ap, want_stderr);
	cli_run_v(&r, ap);
	va_end(ap);

	if (r.rc != -EINVAL || !strstr(r.err, want_err) ||
	    (want_stderr && !strstr(r.real_stderr, want_stderr)))
		print_error("rc %d\nerr: %s\nstderr: %s\n", r.rc, r.err, r.real_stderr);
	assert_int_equal(r.rc, -EINVAL);
	assert_non_null(strstr(r.err, want_err));
	assert_non_null(strstr(r.err, "Try `bcc-execcount --help'"));
	if (want_stderr) {
		assert_non_null(strstr(r.real_stderr, want_stderr));
	} else {
		assert_string_equal(r.real_stderr, "");
		/* one message, then the hint */
		assert_int_equal(count_lines(r.err), 2);
	}
	assert_string_equal(r.out, "");
	cli_free(&r);
}

static void test_error_unknown_option(void **state)
{
	(void)state;
	cli_fails("", "unrecognized option '--bogus'", "--bogus", NULL);
	cli_fails("", "invalid option -- 'z'", "-z", NULL);
	/* an unknown option is refused even after valid ones */
	cli_fails("", "unrecognized option '--colour'", "-v", "1", "--colour", NULL);
}

static void test_error_attach(void **state)
{
	(void)state;
	cli_fails("bcc-execcount: invalid attach mode 'bogus': use auto, kprobe or tracepoint",
		  NULL, "--attach", "bogus", NULL);
	cli_fails("invalid attach mode 'uprobe'", NULL, "-a", "uprobe", NULL);
	cli_fails("invalid attach mode ''", NULL, "--attach=", NULL);
}

static void test_error_format(void **state)
{
	(void)state;
	cli_fails("bcc-execcount: invalid format 'bogus': use table, classic, json or csv", NULL,
		  "--format", "bogus", NULL);
	/* csv is a format now (test_format_every_form); names are exact */
	cli_fails("invalid format 'CSV'", NULL, "-fCSV", NULL);
	cli_fails("invalid format 'tsv'", NULL, "-ftsv", NULL);
	cli_fails("invalid format 'csv '", NULL, "--format", "csv ", NULL);
	cli_fails("invalid format ''", NULL, "--format=", NULL);
}

static void test_error_interval(void **state)
{
	(void)state;
	cli_fails("bcc-execcount: invalid interval '0': must be 1 to 86400", NULL, "0", NULL);
	cli_fails("invalid interval '86401': must be 1 to 86400", NULL, "86401", NULL);
	cli_fails("invalid interval '99999999999999999999': must be 1 to 86400", NULL,
		  "99999999999999999999", NULL);
	cli_fails("bcc-execcount: invalid interval 'abc': not a whole number", NULL, "abc", NULL);
	cli_fails("invalid interval '': not a whole number", NULL, "", NULL);
	cli_fails("invalid interval ' 5': not a whole number", NULL, " 5", NULL);
	cli_fails("invalid interval '+5': not a whole number", NULL, "+5", NULL);
	cli_fails("invalid interval '5s': not a whole number", NULL, "5s", NULL);
	cli_fails("invalid interval '5 ': not a whole number", NULL, "5 ", NULL);
	cli_fails("invalid interval '1.5': not a whole number", NULL, "1.5", NULL);
	/* "-1" looks like an option to getopt, which names it on the real stderr */
	cli_fails("", "invalid option -- '1'", "-1", NULL);
	/* after "--" it reaches the number parser */
	cli_fails("invalid interval '-1': not a whole number", NULL, "--", "-1", NULL);
}

static void test_error_count(void **state)
{
	(void)state;
	cli_fails("bcc-execcount: invalid count '0': must be 1 to 18446744073709551615", NULL, "5",
		  "0", NULL);
	cli_fails("invalid count 'x': not a whole number", NULL, "5", "x", NULL);
	cli_fails("invalid count '18446744073709551616': must be 1 to", NULL, "5",
		  "18446744073709551616", NULL);
	cli_fails("", "invalid option -- '3'", "5", "-3", NULL);
	cli_fails("invalid count '-3': not a whole number", NULL, "--", "5", "-3", NULL);
}

static void test_error_third_positional(void **state)
{
	(void)state;
	cli_fails("bcc-execcount: unexpected argument '3': only INTERVAL and COUNT", NULL, "1", "2",
		  "3", NULL);
}

static void test_error_empty_paths(void **state)
{
	(void)state;
	cli_fails("bcc-execcount: invalid probe file '': empty path", NULL, "--probe", "", NULL);
	cli_fails("invalid probe file ''", NULL, "--probe=", NULL);
	cli_fails("invalid probe file ''", NULL, "-p", "", NULL);
	cli_fails("bcc-execcount: invalid kernel headers directory '': empty path", NULL,
		  "--kernel-headers", "", NULL);
	cli_fails("invalid kernel headers directory ''", NULL, "--kernel-headers=", NULL);
	cli_fails("invalid kernel headers directory ''", NULL, "-k", "", NULL);
}

static void test_error_missing_argument(void **state)
{
	(void)state;
	cli_fails("", "option requires an argument -- 'a'", "-a", NULL);
	cli_fails("", "option requires an argument -- 'f'", "-f", NULL);
	cli_fails("", "option requires an argument -- 'p'", "-p", NULL);
	cli_fails("", "option requires an argument -- 'k'", "-k", NULL);
	cli_fails("", "option '--attach' requires an argument", "--attach", NULL);
	cli_fails("", "option '--format' requires an argument", "--format", NULL);
	cli_fails("", "option '--probe' requires an argument", "--probe", NULL);
	cli_fails("", "option '--kernel-headers' requires an argument", "--kernel-headers", NULL);
	cli_fails("", "option requires an argument -- 'r'", "-r", NULL);
	cli_fails("", "option requires an argument -- 's'", "-s", NULL);
	cli_fails("", "option '--rows' requires an argument", "--rows", NULL);
	cli_fails("", "option '--sort' requires an argument", "--sort", NULL);
	cli_fails("", "option '--listen' requires an argument", "--listen", NULL);
	cli_fails("", "option '--textfile' requires an argument", "--textfile", NULL);
	cli_fails("", "option '--max-series' requires an argument", "--max-series", NULL);
	/* flags take no argument */
	cli_fails("", "option '--verbose' doesn't allow an argument", "--verbose=yes", NULL);
	cli_fails("", "option '--noclear' doesn't allow an argument", "--noclear=yes", NULL);
}

static void test_error_classic_by(void **state)
{
	static const char msg[] =
		"bcc-execcount: --format classic prints uids only: use table or json with --by";

	(void)state;
	cli_fails(msg, NULL, "-f", "classic", "--by", "comm", NULL);
	cli_fails(msg, NULL, "--by", "comm", "-f", "classic", NULL);
	cli_fails(msg, NULL, "-f", "classic", "-b", "uid,comm", NULL);
	cli_fails(msg, NULL, "-f", "classic", "-b", "comm,uid", NULL);
	cli_fails(msg, NULL, "-fclassic", "-bexe", NULL);
	cli_fails(msg, NULL, "-f", "classic", "-b", "cgroup", NULL);
	cli_fails(msg, NULL, "-f", "classic", "-b", "uid,comm,exe,cgroup", NULL);
	cli_fails(msg, NULL, "-f", "classic", "-b", "uid", "-b", "exe", NULL);
}

static void test_error_by(void **state)
{
	char long_item[80];

	(void)state;
	cli_fails("", "option '--by' requires an argument", "--by", NULL);
	cli_fails("", "option requires an argument -- 'b'", "-b", NULL);
	cli_fails("bcc-execcount: invalid --by '': empty item", NULL, "--by=", NULL);
	cli_fails("invalid --by '': empty item", NULL, "-b", "", NULL);
	cli_fails("invalid --by 'uid,': empty item", NULL, "--by", "uid,", NULL);
	cli_fails("invalid --by ',uid': empty item", NULL, "--by", ",uid", NULL);
	cli_fails("invalid --by 'uid,,comm': empty item", NULL, "--by", "uid,,comm", NULL);
	cli_fails("invalid --by ',': empty item", NULL, "--by", ",", NULL);
	cli_fails("bcc-execcount: invalid --by field 'bogus': use uid, comm, exe or cgroup", NULL,
		  "--by", "bogus", NULL);
	cli_fails("invalid --by field 'UID'", NULL, "--by", "UID", NULL);
	cli_fails("invalid --by field 'user'", NULL, "--by", "uid,user", NULL);
	cli_fails("invalid --by field 'uid '", NULL, "--by", "uid ", NULL);
	cli_fails("invalid --by field ' comm'", NULL, "--by", "uid, comm", NULL);
	cli_fails("invalid --by field 'path'", NULL, "-bpath", NULL);
	cli_fails("bcc-execcount: invalid --by: 'uid' is given twice", NULL, "--by", "uid,uid",
		  NULL);
	cli_fails("invalid --by: 'comm' is given twice", NULL, "--by", "comm,exe,comm", NULL);
	cli_fails("invalid --by: 'cgroup' is given twice", NULL, "-b", "cgroup,uid,cgroup", NULL);
	cli_fails("invalid --by 'uid,comm,exe,cgroup,uid': at most 4 items", NULL, "--by",
		  "uid,comm,exe,cgroup,uid", NULL);
	memset(long_item, 'u', 70);
	long_item[70] = '\0';
	cli_fails("an item is too long", NULL, "--by", long_item, NULL);
	/* a bad --by is refused even after a good one */
	cli_fails("invalid --by field 'x'", NULL, "--by", "uid", "--by", "x", NULL);
}

static void test_error_syscalls(void **state)
{
	(void)state;
	cli_fails("", "option '--syscalls' requires an argument", "--syscalls", NULL);
	cli_fails("bcc-execcount: invalid --syscalls '': empty item", NULL, "--syscalls=", NULL);
	cli_fails("invalid --syscalls '': empty item", NULL, "--syscalls", "", NULL);
	cli_fails("invalid --syscalls 'execve,': empty item", NULL, "--syscalls", "execve,", NULL);
	cli_fails("invalid --syscalls 'execve,,execveat': empty item", NULL, "--syscalls",
		  "execve,,execveat", NULL);
	cli_fails("bcc-execcount: invalid syscall 'fork': use execve, execveat or both", NULL,
		  "--syscalls", "fork", NULL);
	cli_fails("invalid syscall 'EXECVE'", NULL, "--syscalls", "EXECVE", NULL);
	cli_fails("invalid syscall 'execveat2'", NULL, "--syscalls", "execve,execveat2", NULL);
	cli_fails("invalid syscall 'all'", NULL, "--syscalls", "all", NULL);
	cli_fails("invalid --syscalls 'execve,execveat,execve': at most 2 items", NULL,
		  "--syscalls", "execve,execveat,execve", NULL);
	/*
	 * No short form: -s is --sort (issue 4), so "-s execve" sorts by execve
	 * and leaves the syscalls alone, and "-s execve,execveat" is no sort name.
	 */
	{
		struct cli_run r;

		cli_ok(&r, "-s", "execve", NULL);
		assert_int_equal(r.cfg.syscalls, SYSCALL_EXECVE | SYSCALL_EXECVEAT);
		assert_int_equal(r.cfg.sort, ORDER_BY_EXECVE);
		cli_free(&r);
	}
	cli_fails("invalid --sort 'execve,execveat'", NULL, "-s", "execve,execveat", NULL);
}

static void test_error_max_keys(void **state)
{
	(void)state;
	cli_fails("", "option '--max-keys' requires an argument", "--max-keys", NULL);
	cli_fails("bcc-execcount: invalid --max-keys '0': must be 1 to 1048576", NULL, "--max-keys",
		  "0", NULL);
	cli_fails("invalid --max-keys '1048577': must be 1 to 1048576", NULL, "--max-keys",
		  "1048577", NULL);
	cli_fails("invalid --max-keys '4294967296': must be 1 to 1048576", NULL, "--max-keys",
		  "4294967296", NULL);
	cli_fails("invalid --max-keys '99999999999999999999999': must be 1 to 1048576", NULL,
		  "--max-keys", "99999999999999999999999", NULL);
	cli_fails("bcc-execcount: invalid --max-keys '': not a whole number", NULL,
		  "--max-keys=", NULL);
	cli_fails("invalid --max-keys '': not a whole number", NULL, "--max-keys", "", NULL);
	/* an option's argument is taken whole, so "-1" reaches the number parser */
	cli_fails("invalid --max-keys '-1': not a whole number", NULL, "--max-keys", "-1", NULL);
	cli_fails("invalid --max-keys '-1': not a whole number", NULL, "--max-keys=-1", NULL);
	cli_fails("invalid --max-keys 'abc': not a whole number", NULL, "--max-keys", "abc", NULL);
	cli_fails("invalid --max-keys '10k': not a whole number", NULL, "--max-keys", "10k", NULL);
	cli_fails("invalid --max-keys '1e3': not a whole number", NULL, "--max-keys", "1e3", NULL);
	cli_fails("invalid --max-keys '0x10': not a whole number", NULL, "--max-keys", "0x10",
		  NULL);
	cli_fails("invalid --max-keys ' 5': not a whole number", NULL, "--max-keys", " 5", NULL);
	cli_fails("invalid --max-keys '+5': not a whole number", NULL, "--max-keys", "+5", NULL);
}

static void test_error_uid(void **state)
{
	char many[(CLI_MAX_UIDS + 1) * 11 + 1], want[64];
	char long_item[80];
	size_t at = 0;

	(void)state;
	cli_fails("", "option '--uid' requires an argument", "--uid", NULL);
	cli_fails("bcc-execcount: invalid uid '4294967295': must be 0 to 4294967294", NULL, "--uid",
		  "4294967295", NULL);
	cli_fails("invalid uid '4294967296': must be 0 to 4294967294", NULL, "--uid",
		  "0,4294967296", NULL);
	cli_fails("invalid uid '99999999999999999999999': must be 0 to 4294967294", NULL, "--uid",
		  "99999999999999999999999", NULL);
	cli_fails("bcc-execcount: invalid uid '-1': not a whole number", NULL, "--uid", "-1", NULL);
	cli_fails("invalid uid 'root': not a whole number", NULL, "--uid", "root", NULL);
	cli_fails("invalid uid '1000x': not a whole number", NULL, "--uid", "0,1000x", NULL);
	cli_fails("invalid uid ' 1': not a whole number", NULL, "--uid", "0, 1", NULL);
	cli_fails("invalid uid '+1': not a whole number", NULL, "--uid", "+1", NULL);
	cli_fails("invalid uid '1.0': not a whole number", NULL, "--uid", "1.0", NULL);
	cli_fails("bcc-execcount: invalid --uid '': empty item", NULL, "--uid=", NULL);
	cli_fails("invalid --uid '': empty item", NULL, "--uid", "", NULL);
	cli_fails("invalid --uid '1,,2': empty item", NULL, "--uid", "1,,2", NULL);
	cli_fails("invalid --uid '1000,': empty item", NULL, "--uid", "1000,", NULL);
	cli_fails("invalid --uid ',1000': empty item", NULL, "--uid", ",1000", NULL);

	/* 65 uids: one too many */
	for (unsigned int i = 0; i <= CLI_MAX_UIDS; i++)
		at += snprintf(many + at, sizeof(many) - at, "%s%u", i ? "," : "", 1000 + i);
	snprintf(want, sizeof(want), "': at most %d items", CLI_MAX_UIDS);
	cli_fails(want, NULL, "--uid", many, NULL);
	cli_fails("invalid --uid '1000,1001,", NULL, "--uid", many, NULL);

	memset(long_item, '0', 70);
	long_item[70] = '\0';
	cli_fails("an item is too long", NULL, "--uid", long_item, NULL);
}

static void test_error_top(void **state)
{
	(void)state;
	cli_fails("", "option '--top' requires an argument", "--top", NULL);
	cli_fails("bcc-execcount: invalid --top '0': must be 1 to 1000000", NULL, "--top", "0",
		  NULL);
	cli_fails("invalid --top '1000001': must be 1 to 1000000", NULL, "--top", "1000001", NULL);
	cli_fails("invalid --top '18446744073709551616': must be 1 to 1000000", NULL, "--top",
		  "18446744073709551616", NULL);
	cli_fails("bcc-execcount: invalid --top '': not a whole number", NULL, "--top=", NULL);
	cli_fails("invalid --top '-5': not a whole number", NULL, "--top", "-5", NULL);
	cli_fails("invalid --top 'ten': not a whole number", NULL, "--top", "ten", NULL);
	cli_fails("invalid --top '1.5': not a whole number", NULL, "--top", "1.5", NULL);
	cli_fails("invalid --top '5 ': not a whole number", NULL, "--top", "5 ", NULL);
}

/* ---- issue 4: -C, -r/--rows, -s/--sort, --listen, --textfile, --max-series ---- */

static void test_noclear(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "-C", NULL);
	assert_true(r.cfg.noclear);
	assert_int_equal(r.cfg.format, FORMAT_TABLE);
	cli_free(&r);
	cli_ok(&r, "--noclear", NULL);
	assert_true(r.cfg.noclear);
	cli_free(&r);
	/* grouped with another flag, and with any format (it only matters on a terminal) */
	cli_ok(&r, "-Cv", "-f", "json", NULL);
	assert_true(r.cfg.noclear);
	assert_true(r.cfg.verbose);
	cli_free(&r);
	/* nothing else changes */
	cli_ok(&r, "-C", NULL);
	assert_int_equal(r.cfg.top, 0);
	assert_int_equal(r.cfg.sort, ORDER_BY_COUNT);
	cli_free(&r);
}

static int top_of(const struct config *cfg)
{
	return (int)cfg->top;
}

static void test_rows(void **state)
{
	struct cli_run r;

	(void)state;
	/* -r/--rows is --top under another name: the same field */
	assert_every_form('r', "rows", "5", top_of, 5);
	assert_every_form('r', "rows", "1", top_of, 1);
	cli_ok(&r, "--rows", "1000000", NULL);
	assert_int_equal(r.cfg.top, CLI_MAX_TOP);
	cli_free(&r);
	cli_ok(&r, "-r", "010", NULL); /* decimal, not octal */
	assert_int_equal(r.cfg.top, 10);
	cli_free(&r);
	/* whichever of the two comes last wins */
	cli_ok(&r, "--top", "3", "-r", "4", NULL);
	assert_int_equal(r.cfg.top, 4);
	cli_free(&r);
	cli_ok(&r, "-r", "4", "--top", "3", NULL);
	assert_int_equal(r.cfg.top, 3);
	cli_free(&r);
	cli_ok(&r, "--rows=9", "--rows=2", NULL);
	assert_int_equal(r.cfg.top, 2);
	cli_free(&r);
	/* every format, classic too (as --top) */
	cli_ok(&r, "-r", "2", "-f", "classic", NULL);
	assert_int_equal(r.cfg.top, 2);
	cli_free(&r);
	cli_ok(&r, "-r", "2", "-f", "csv", "-b", "exe", NULL);
	assert_int_equal(r.cfg.top, 2);
	cli_free(&r);
}

static void test_error_rows(void **state)
{
	(void)state;
	/* the message names the option as given */
	cli_fails("bcc-execcount: invalid --rows '0': must be 1 to 1000000", NULL, "-r", "0", NULL);
	cli_fails("bcc-execcount: invalid --rows '0': must be 1 to 1000000", NULL, "--rows=0",
		  NULL);
	cli_fails("invalid --rows '1000001': must be 1 to 1000000", NULL, "--rows", "1000001",
		  NULL);
	cli_fails("invalid --rows '18446744073709551616': must be 1 to 1000000", NULL, "-r",
		  "18446744073709551616", NULL);
	cli_fails("bcc-execcount: invalid --rows '': not a whole number", NULL, "--rows=", NULL);
	cli_fails("invalid --rows '-5': not a whole number", NULL, "-r", "-5", NULL);
	cli_fails("invalid --rows 'all': not a whole number", NULL, "-rall", NULL);
	cli_fails("invalid --rows '2.5': not a whole number", NULL, "--rows", "2.5", NULL);
	cli_fails("invalid --rows ' 5': not a whole number", NULL, "--rows", " 5", NULL);
	/* a bad -r after a good --top is still refused */
	cli_fails("invalid --rows '0'", NULL, "--top", "5", "-r", "0", NULL);
	/* and --top keeps its own name */
	cli_fails("invalid --top '0'", NULL, "-r", "5", "--top", "0", NULL);
}

static const struct {
	const char *name;
	enum count_order order;
} sort_names[] = {
	{ "count", ORDER_BY_COUNT },	{ "ok", ORDER_BY_OK },
	{ "failed", ORDER_BY_FAILED },	{ "delta", ORDER_BY_DELTA },
	{ "execve", ORDER_BY_EXECVE },	{ "execveat", ORDER_BY_EXECVEAT },
	{ "uid", ORDER_BY(FIELD_UID) }, { "comm", ORDER_BY(FIELD_COMM) },
	{ "exe", ORDER_BY(FIELD_EXE) }, { "cgroup", ORDER_BY(FIELD_CGROUP) },
};

#define N_SORT_NAMES (sizeof(sort_names) / sizeof(sort_names[0]))

static void test_sort(void **state)
{
	char joined_short[32], joined_long[32];
	struct cli_run r;

	(void)state;
	for (size_t i = 0; i < N_SORT_NAMES; i++) {
		const char *name = sort_names[i].name;

		snprintf(joined_short, sizeof(joined_short), "-s%s", name);
		snprintf(joined_long, sizeof(joined_long), "--sort=%s", name);
		/* every form, with every key field in the key */
		cli_ok(&r, "-s", name, "-b", "uid,comm,exe,cgroup", NULL);
		assert_int_equal(r.cfg.sort, sort_names[i].order);
		assert_true(r.cfg.sort_given);
		cli_free(&r);
		cli_ok(&r, joined_short, "-b", "cgroup,exe,comm,uid", NULL);
		assert_int_equal(r.cfg.sort, sort_names[i].order);
		cli_free(&r);
		cli_ok(&r, "--sort", name, "--by=uid,comm,exe,cgroup", NULL);
		assert_int_equal(r.cfg.sort, sort_names[i].order);
		cli_free(&r);
		cli_ok(&r, joined_long, "-b", "uid,comm,exe,cgroup", "-f", "json", NULL);
		assert_int_equal(r.cfg.sort, sort_names[i].order);
		assert_int_equal(r.cfg.format, FORMAT_JSON);
		cli_free(&r);
		/* a key field needs only itself in --by; a number any --by */
		if (sort_names[i].order >= ORDER_BY(FIELD_UID)) {
			cli_ok(&r, "-s", name, "-b", name, "-f", "csv", NULL);
			assert_int_equal(r.cfg.sort, sort_names[i].order);
			assert_int_equal(r.cfg.nby, 1);
			cli_free(&r);
		} else {
			cli_ok(&r, "-s", name, "-b", "exe", NULL);
			assert_int_equal(r.cfg.sort, sort_names[i].order);
			cli_free(&r);
			cli_ok(&r, "-s", name, NULL);
			assert_int_equal(r.cfg.sort, sort_names[i].order);
			cli_free(&r);
		}
	}
	/* the field is checked against the final --by, wherever --sort stands */
	cli_ok(&r, "-s", "comm", "-b", "comm", NULL);
	assert_int_equal(r.cfg.sort, ORDER_BY(FIELD_COMM));
	cli_free(&r);
	cli_ok(&r, "-b", "uid", "-s", "cgroup", "-b", "exe,cgroup", NULL);
	assert_int_equal(r.cfg.sort, ORDER_BY(FIELD_CGROUP));
	cli_free(&r);
	/* uid is in the default key */
	cli_ok(&r, "--sort", "uid", NULL);
	assert_int_equal(r.cfg.sort, ORDER_BY(FIELD_UID));
	cli_free(&r);
	/* the last --sort wins */
	cli_ok(&r, "-s", "ok", "-s", "failed", NULL);
	assert_int_equal(r.cfg.sort, ORDER_BY_FAILED);
	cli_free(&r);
	cli_ok(&r, "-s", "comm", "-s", "delta", NULL); /* comm would need --by comm */
	assert_int_equal(r.cfg.sort, ORDER_BY_DELTA);
	cli_free(&r);
	/* the names are exactly those count_order_parse knows */
	for (size_t i = 0; i < N_SORT_NAMES; i++)
		assert_int_equal(count_order_parse(sort_names[i].name), sort_names[i].order);
	/* help and version do not run, so nothing is checked */
	cli_ok(&r, "-s", "exe", "--help", NULL);
	assert_int_equal(r.cfg.action, CLI_HELP);
	cli_free(&r);
	cli_ok(&r, "-f", "classic", "-s", "ok", "-V", NULL);
	assert_int_equal(r.cfg.action, CLI_VERSION);
	cli_free(&r);
}

static void test_error_sort(void **state)
{
	static const char *const bad[] = {
		"",	  "COUNT",     "Count",	    "key",   "user", "rate", "count ",
		" count", "ok,failed", "cgroup_id", "execs", "-1",   "0",
	};
	static const char use[] =
		"': use count, ok, failed, delta, execve, execveat, uid, comm, exe or cgroup";
	char want[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "bcc-execcount: invalid --sort '%s%s", bad[i], use);
		cli_fails(want, NULL, "--sort", bad[i], NULL);
	}
	cli_fails("bcc-execcount: invalid --sort '': use count", NULL, "--sort=", NULL);
	cli_fails("invalid --sort 'x'", NULL, "-sx", NULL);

	/* a key field not in --by: exit 64 with the field named */
	cli_fails("bcc-execcount: invalid --sort: 'comm' is not one of the --by fields", NULL, "-s",
		  "comm", NULL);
	cli_fails("bcc-execcount: invalid --sort: 'exe' is not one of the --by fields", NULL,
		  "--sort", "exe", "-b", "uid,comm", NULL);
	cli_fails("bcc-execcount: invalid --sort: 'cgroup' is not one of the --by fields", NULL,
		  "-s", "cgroup", "-b", "uid,comm,exe", NULL);
	cli_fails("bcc-execcount: invalid --sort: 'uid' is not one of the --by fields", NULL, "-s",
		  "uid", "-b", "comm", NULL);
	/* the last --by counts */
	cli_fails("invalid --sort: 'comm' is not one of the --by fields", NULL, "-s", "comm", "-b",
		  "comm", "-b", "uid", NULL);
	cli_fails("invalid --sort: 'exe' is not one of the --by fields", NULL, "-b", "exe", "-f",
		  "csv", "-s", "exe", "-b", "cgroup", NULL);
}

static void test_error_classic_sort(void **state)
{
	static const char msg[] =
		"bcc-execcount: --format classic prints uids in order: --sort does not apply";

	(void)state;
	/* every name, the default one too: classic ignores any order asked for */
	for (size_t i = 0; i < N_SORT_NAMES; i++) {
		cli_fails(msg, NULL, "-f", "classic", "-s", sort_names[i].name, NULL);
		cli_fails(msg, NULL, "--sort", sort_names[i].name, "--format=classic", NULL);
	}
	/* the --by refusal comes first when both apply */
	cli_fails("--format classic prints uids only", NULL, "-f", "classic", "-b", "comm", "-s",
		  "comm", NULL);
	/* the last --format counts */
	{
		struct cli_run r;

		cli_ok(&r, "-f", "classic", "-s", "ok", "-f", "table", NULL);
		assert_int_equal(r.cfg.sort, ORDER_BY_OK);
		cli_free(&r);
		/* classic without -s is fine */
		cli_ok(&r, "-f", "classic", NULL);
		assert_false(r.cfg.sort_given);
		assert_int_equal(r.cfg.sort, ORDER_BY_COUNT);
		cli_free(&r);
	}
}

/* --listen arg parsed to exactly this family, host and port (through argv and directly). */
static void assert_listen(const char *arg, int family, const char *host, unsigned int port)
{
	struct listen_addr a;
	const char *why = "untouched";
	struct cli_run r;

	memset(&a, 0xa5, sizeof(a));
	assert_int_equal(cli_parse_listen(arg, &a, &why), 0);
	assert_string_equal(why, "untouched");
	assert_int_equal(a.family, family);
	assert_string_equal(a.host, host);
	assert_int_equal(a.port, port);

	cli_ok(&r, "--listen", arg, NULL);
	assert_true(r.cfg.listen);
	assert_int_equal(r.cfg.listen_addr.family, family);
	assert_string_equal(r.cfg.listen_addr.host, host);
	assert_int_equal(r.cfg.listen_addr.port, port);
	/* the metrics leave the terminal output alone */
	assert_int_equal(r.cfg.format, FORMAT_TABLE);
	assert_null(r.cfg.textfile);
	cli_free(&r);
}

static void test_listen(void **state)
{
	struct cli_run r;
	char joined[64];

	(void)state;
	/* no address: loopback, never every interface */
	assert_listen("9400", AF_INET, "127.0.0.1", 9400);
	assert_listen("0.0.0.0:9400", AF_INET, "0.0.0.0", 9400);
	assert_listen("[::1]:9400", AF_INET6, "::1", 9400);
	assert_listen("[::]:1", AF_INET6, "::", 1);
	assert_listen("1", AF_INET, "127.0.0.1", 1);
	assert_listen("65535", AF_INET, "127.0.0.1", 65535);
	assert_listen("127.0.0.1:65535", AF_INET, "127.0.0.1", 65535);
	assert_listen("192.168.10.20:80", AF_INET, "192.168.10.20", 80);
	assert_listen("255.255.255.255:8080", AF_INET, "255.255.255.255", 8080);
	assert_listen("[fe80::1:2]:9100", AF_INET6, "fe80::1:2", 9100);
	assert_listen("[::ffff:10.0.0.1]:9100", AF_INET6, "::ffff:10.0.0.1", 9100);
	assert_listen("[2001:db8:0:0:0:0:0:1]:443", AF_INET6, "2001:db8:0:0:0:0:0:1", 443);
	assert_listen("9400", AF_INET, "127.0.0.1", 9400);
	/* the port is decimal */
	assert_listen("0.0.0.0:010", AF_INET, "0.0.0.0", 10);

	/* every form of the long option */
	snprintf(joined, sizeof(joined), "--listen=[::1]:9435");
	cli_ok(&r, joined, NULL);
	assert_true(r.cfg.listen);
	assert_int_equal(r.cfg.listen_addr.family, AF_INET6);
	assert_string_equal(r.cfg.listen_addr.host, "::1");
	assert_int_equal(r.cfg.listen_addr.port, 9435);
	cli_free(&r);
	/* the last one wins, whole: no address from the first survives */
	cli_ok(&r, "--listen", "[::1]:1", "--listen", "2", NULL);
	assert_int_equal(r.cfg.listen_addr.family, AF_INET);
	assert_string_equal(r.cfg.listen_addr.host, "127.0.0.1");
	assert_int_equal(r.cfg.listen_addr.port, 2);
	cli_free(&r);
	/* with every format, and with --textfile */
	cli_ok(&r, "--listen", "9400", "-f", "classic", "--textfile", "/t/x.prom", NULL);
	assert_true(r.cfg.listen);
	assert_string_equal(r.cfg.textfile, "/t/x.prom");
	cli_free(&r);
}

static const char why_port[] = "the port must be a number from 1 to 65535";
static const char why_v6[] = "an IPv6 address is written [ADDR]:PORT";
static const char why_addr[] =
	"the address must be an IPv4 address or [an IPv6 address] (names are not resolved)";

static void test_error_listen(void **state)
{
	static const struct {
		const char *arg;
		const char *why;
	} bad[] = {
		{ "", why_port },
		{ "0", why_port },
		{ "65536", why_port },
		{ "99999999999999999999999", why_port },
		{ "localhost:80", why_addr }, /* names are not resolved */
		{ "1.2.3:80", why_addr },
		{ "[::1]9400", why_v6 },
		{ "[::1", why_v6 },
		{ ":80", why_addr },
		{ "1.2.3.4:", why_port },
		{ "1.2.3.4:-1", why_port },
		{ "::1:80", why_addr }, /* unbracketed IPv6 */
		{ "::1", why_addr },
		{ "[::1]:", why_port },
		{ "[::1]:0", why_port },
		{ "[::1]:65536", why_port },
		{ "[::1]:80x", why_port },
		{ "[::1]:9400]", why_port },
		{ "[]:80", why_addr },
		{ "[1.2.3.4]:80", why_addr }, /* IPv4 in brackets */
		{ "[localhost]:80", why_addr },
		{ "[fe80::1%lo]:80", why_addr },
		{ "256.1.1.1:80", why_addr },
		{ "01.2.3.4:80", why_addr },
		{ "1.2.3.4:80:90", why_addr },
		{ "1.2.3.4 :80", why_addr },
		{ "1.2.3.4: 80", why_port },
		{ "9400 ", why_port },
		{ " 9400", why_port },
		{ "+9400", why_port },
		{ "http", why_port },
		{ "0x50", why_port },
		{ "[::1]:-1", why_port },
		{ "]:80", why_addr },
	};
	char want[256], long_host[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct listen_addr a;
		const char *why = NULL;

		if (cli_parse_listen(bad[i].arg, &a, &why) != -EINVAL || !why ||
		    strcmp(why, bad[i].why))
			print_error("case %zu '%s': why %s\n", i, bad[i].arg, why ? why : "(null)");
		assert_int_equal(cli_parse_listen(bad[i].arg, &a, &why), -EINVAL);
		assert_string_equal(why, bad[i].why);
		/* through argv: one line with the argument and the reason */
		snprintf(want, sizeof(want), "bcc-execcount: invalid --listen '%s': %s\n",
			 bad[i].arg, bad[i].why);
		cli_fails(want, NULL, "--listen", bad[i].arg, NULL);
	}
	/* an address longer than any address: refused, not truncated */
	snprintf(long_host, sizeof(long_host), "[%0100d]:80", 1);
	cli_fails(why_addr, NULL, "--listen", long_host, NULL);
	snprintf(long_host, sizeof(long_host), "[::%0*d]:80", 62, 1); /* 64 characters inside */
	cli_fails(why_addr, NULL, "--listen", long_host, NULL);
	snprintf(long_host, sizeof(long_host), "%0100d:80", 1);
	cli_fails(why_addr, NULL, "--listen", long_host, NULL);
	/* a bad --listen after a good one is refused */
	cli_fails("invalid --listen '0'", NULL, "--listen", "9400", "--listen=0", NULL);
}

static void test_textfile(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "--textfile", "/var/lib/prometheus/node-exporter/execcount.prom", NULL);
	assert_string_equal(r.cfg.textfile, "/var/lib/prometheus/node-exporter/execcount.prom");
	assert_false(r.cfg.listen);
	cli_free(&r);
	/* taken as given: relative, odd bytes; the directory is checked at start, not here */
	cli_ok(&r, "--textfile=x.prom", NULL);
	assert_string_equal(r.cfg.textfile, "x.prom");
	cli_free(&r);
	cli_ok(&r, "--textfile", "/no/such/dir/a b\xff.prom", NULL);
	assert_string_equal(r.cfg.textfile, "/no/such/dir/a b\xff.prom");
	cli_free(&r);
	/* the last one wins */
	cli_ok(&r, "--textfile", "a.prom", "--textfile", "b.prom", NULL);
	assert_string_equal(r.cfg.textfile, "b.prom");
	cli_free(&r);
}

static void test_error_textfile(void **state)
{
	(void)state;
	cli_fails("bcc-execcount: invalid --textfile '': empty path\n", NULL, "--textfile", "",
		  NULL);
	cli_fails("bcc-execcount: invalid --textfile '': empty path\n", NULL, "--textfile=", NULL);
	cli_fails("invalid --textfile '': empty path", NULL, "--textfile", "a.prom", "--textfile",
		  "", NULL);
}

static void test_max_series(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "--max-series", "1", NULL);
	assert_int_equal(r.cfg.max_series, 1);
	cli_free(&r);
	cli_ok(&r, "--max-series=1000000", NULL);
	assert_int_equal(r.cfg.max_series, CLI_MAX_MAX_SERIES);
	assert_int_equal(r.cfg.max_series, 1000000);
	cli_free(&r);
	cli_ok(&r, "--max-series", "010", NULL);
	assert_int_equal(r.cfg.max_series, 10);
	cli_free(&r);
	cli_ok(&r, "--max-series", "5", "--max-series", "7", NULL);
	assert_int_equal(r.cfg.max_series, 7);
	cli_free(&r);
	/* independent of --max-keys and --top */
	cli_ok(&r, "--max-series", "3", "--max-keys", "9", "--top", "4", NULL);
	assert_int_equal(r.cfg.max_series, 3);
	assert_int_equal(r.cfg.max_keys, 9);
	assert_int_equal(r.cfg.top, 4);
	cli_free(&r);
}

static void test_error_max_series(void **state)
{
	(void)state;
	cli_fails("bcc-execcount: invalid --max-series '0': must be 1 to 1000000", NULL,
		  "--max-series", "0", NULL);
	cli_fails("invalid --max-series '1000001': must be 1 to 1000000", NULL, "--max-series",
		  "1000001", NULL);
	cli_fails("invalid --max-series '18446744073709551616': must be 1 to 1000000", NULL,
		  "--max-series", "18446744073709551616", NULL);
	cli_fails("bcc-execcount: invalid --max-series '': not a whole number", NULL,
		  "--max-series=", NULL);
	cli_fails("invalid --max-series '-1': not a whole number", NULL, "--max-series", "-1",
		  NULL);
	cli_fails("invalid --max-series 'abc': not a whole number", NULL, "--max-series", "abc",
		  NULL);
	cli_fails("invalid --max-series '1e3': not a whole number", NULL, "--max-series", "1e3",
		  NULL);
	cli_fails("invalid --max-series '10 ': not a whole number", NULL, "--max-series", "10 ",
		  NULL);
}

static void test_issue4_all_at_once(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "-C", "-r", "9", "-s", "comm", "-f", "csv", "--listen", "[::1]:9100",
	       "--textfile", "/t.prom", "--max-series", "50", "-b", "comm,uid", "2", "3", NULL);
	assert_true(r.cfg.noclear);
	assert_int_equal(r.cfg.top, 9);
	assert_int_equal(r.cfg.sort, ORDER_BY(FIELD_COMM));
	assert_int_equal(r.cfg.format, FORMAT_CSV);
	assert_true(r.cfg.listen);
	assert_int_equal(r.cfg.listen_addr.family, AF_INET6);
	assert_string_equal(r.cfg.listen_addr.host, "::1");
	assert_int_equal(r.cfg.listen_addr.port, 9100);
	assert_string_equal(r.cfg.textfile, "/t.prom");
	assert_int_equal(r.cfg.max_series, 50);
	assert_int_equal(r.cfg.nby, 2);
	assert_int_equal(r.cfg.by[0], FIELD_COMM);
	assert_int_equal(r.cfg.interval, 2);
	assert_int_equal(r.cfg.count, 3);
	assert_string_equal(r.out, "");
	cli_free(&r);
}

/* "123" -> "124", carrying: the decimal string one above s (s holds room for a digit more). */
static void decimal_increment(char *s)
{
	size_t n = strlen(s);

	for (size_t i = n; i-- > 0;) {
		if (s[i] != '9') {
			s[i]++;
			return;
		}
		s[i] = '0';
	}
	memmove(s + 1, s, n + 1);
	s[0] = '1';
}

static void test_parse_ulong(void **state)
{
	static const struct {
		const char *s;
		unsigned long min, max;
		int rc;
		unsigned long want;
	} cases[] = {
		{ "1", 1, 10, 0, 1 },
		{ "10", 1, 10, 0, 10 },
		{ "0", 1, 10, -ERANGE, 0 },
		{ "11", 1, 10, -ERANGE, 0 },
		{ "0", 0, 0, 0, 0 },
		{ "007", 0, 10, 0, 7 },
		{ "99999999999999999999999", 0, ULONG_MAX, -ERANGE, 0 },
		{ "", 0, ULONG_MAX, -EINVAL, 0 },
		{ "-1", 0, ULONG_MAX, -EINVAL, 0 },
		{ "-0", 0, ULONG_MAX, -EINVAL, 0 },
		{ "+1", 0, ULONG_MAX, -EINVAL, 0 },
		{ " 1", 0, ULONG_MAX, -EINVAL, 0 },
		{ "\t1", 0, ULONG_MAX, -EINVAL, 0 },
		{ "1 ", 0, ULONG_MAX, -EINVAL, 0 },
		{ "1\n", 0, ULONG_MAX, -EINVAL, 0 },
		{ "1x", 0, ULONG_MAX, -EINVAL, 0 },
		{ "0x10", 0, ULONG_MAX, -EINVAL, 0 },
		{ "1e3", 0, ULONG_MAX, -EINVAL, 0 },
		{ "1.0", 0, ULONG_MAX, -EINVAL, 0 },
		{ "x", 0, ULONG_MAX, -EINVAL, 0 },
	};
	char max[32], above[32];
	unsigned long v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 4242;
		if (cli_parse_ulong(cases[i].s, cases[i].min, cases[i].max, &v) != cases[i].rc)
			print_error("case %zu: \"%s\"\n", i, cases[i].s);
		assert_int_equal(cli_parse_ulong(cases[i].s, cases[i].min, cases[i].max, &v),
				 cases[i].rc);
		/* the result is written on success only */
		assert_int_equal(v, cases[i].rc ? 4242 : cases[i].want);
	}

	/* ULONG_MAX is accepted, ULONG_MAX + 1 overflows strtoul: -ERANGE, not a wrap */
	snprintf(max, sizeof(max), "%lu", ULONG_MAX);
	snprintf(above, sizeof(above), "%lu", ULONG_MAX);
	decimal_increment(above);
	assert_int_equal(cli_parse_ulong(max, 0, ULONG_MAX, &v), 0);
	assert_int_equal(v, ULONG_MAX);
	assert_int_equal(cli_parse_ulong(max, 0, ULONG_MAX - 1, &v), -ERANGE);
	v = 4242;
	assert_int_equal(cli_parse_ulong(above, 0, ULONG_MAX, &v), -ERANGE);
	assert_int_equal(v, 4242);

	assert_int_equal(cli_parse_ulong(NULL, 0, ULONG_MAX, &v), -EINVAL);
	assert_int_equal(v, 4242);
}

/* every --help line fits argp's 79 columns, and no EXAMPLES line wrapped to column 0 */
static void test_help_lines_fit(void **state)
{
	struct cli_run r;
	const char *ex, *end;

	(void)state;
	cli_ok(&r, "--help", NULL);
	for (const char *l = r.out; *l; l = strchr(l, '\n') + 1)
		assert_true(strchr(l, '\n') - l <= 79);
	ex = strstr(r.out, "EXAMPLES:\n");
	end = strstr(r.out, "  -a, --attach");
	assert_true(ex && end && ex < end);
	for (const char *l = ex + strlen("EXAMPLES:\n"); l < end; l = strchr(l, '\n') + 1)
		assert_true(*l == '\n' || strncmp(l, "    ", 4) == 0);
	cli_free(&r);
}

/* getopt reports a bad option byte as '?': it must be an error, never --help (fuzz.cli found it) */
static void test_bad_option_byte_is_not_help(void **state)
{
	(void)state;
	cli_fails("", "invalid option", "-\xff", NULL);
	cli_fails("", "invalid option -- '?'", "-?", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_attach_every_form),
		cmocka_unit_test(test_format_every_form),
		cmocka_unit_test(test_probe_path),
		cmocka_unit_test(test_kernel_headers),
		cmocka_unit_test(test_verbose),
		cmocka_unit_test(test_print_probe),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_positional),
		cmocka_unit_test(test_everything_at_once),
		cmocka_unit_test(test_by),
		cmocka_unit_test(test_syscalls),
		cmocka_unit_test(test_max_keys),
		cmocka_unit_test(test_uid),
		cmocka_unit_test(test_top),
		cmocka_unit_test(test_classic_only_by_uid),
		cmocka_unit_test(test_error_unknown_option),
		cmocka_unit_test(test_error_attach),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_error_interval),
		cmocka_unit_test(test_error_count),
		cmocka_unit_test(test_error_third_positional),
		cmocka_unit_test(test_error_empty_paths),
		cmocka_unit_test(test_error_missing_argument),
		cmocka_unit_test(test_error_classic_by),
		cmocka_unit_test(test_error_by),
		cmocka_unit_test(test_error_syscalls),
		cmocka_unit_test(test_error_max_keys),
		cmocka_unit_test(test_error_uid),
		cmocka_unit_test(test_error_top),
		cmocka_unit_test(test_parse_ulong),
		cmocka_unit_test(test_help_lines_fit),
		cmocka_unit_test(test_bad_option_byte_is_not_help),
		cmocka_unit_test(test_noclear),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_error_rows),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_error_sort),
		cmocka_unit_test(test_error_classic_sort),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_error_listen),
		cmocka_unit_test(test_textfile),
		cmocka_unit_test(test_error_textfile),
		cmocka_unit_test(test_max_series),
		cmocka_unit_test(test_error_max_series),
		cmocka_unit_test(test_issue4_all_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
