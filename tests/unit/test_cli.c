// SPDX-License-Identifier: GPL-2.0
/*
 * test_cli.c - argv to struct config: defaults, every option in its short and
 * long forms, the positional INTERVAL and COUNT, and every usage error.
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
	if (want_stderr)
		assert_non_null(strstr(r.real_stderr, want_stderr));
	else
		assert_string_equal(r.real_stderr, "");
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
		cmocka_unit_test(test_error_unknown_option),
		cmocka_unit_test(test_error_attach),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_error_interval),
		cmocka_unit_test(test_error_count),
		cmocka_unit_test(test_error_third_positional),
		cmocka_unit_test(test_error_empty_paths),
		cmocka_unit_test(test_error_missing_argument),
		cmocka_unit_test(test_parse_ulong),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
