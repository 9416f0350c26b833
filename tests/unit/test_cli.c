// SPDX-License-Identifier: GPL-2.0
/*
 * test_cli.c - argv to struct config: defaults, every option in its short and
 * long forms, the positional INTERVAL and COUNT, the lists (--by, --syscalls,
 * --uid) and numbers (--max-keys, --top) with good and bad values, classic
 * only with --by uid, and every usage error (one message, nothing on out).
 */
#include "unit.h"

#include "cli.h"

#define MAX_ARGS 16

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
	cli_ok(&r, "-f", "json", NULL);
	assert_int_equal(r.cfg.attach, ATTACH_AUTO);
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
}

static void test_help(void **state)
{
	struct cli_run r;

	(void)state;
	cli_ok(&r, "--help", NULL);
	assert_full_help(&r);
	cli_free(&r);
	cli_ok(&r, "-?", NULL);
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
	cli_fails("bcc-execcount: invalid format 'bogus': use table, classic or json", NULL,
		  "--format", "bogus", NULL);
	cli_fails("invalid format 'csv'", NULL, "-fcsv", NULL);
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
	/* flags take no argument */
	cli_fails("", "option '--verbose' doesn't allow an argument", "--verbose=yes", NULL);
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
	/* no short form */
	cli_fails("", "invalid option -- 's'", "-s", "execve", NULL);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
