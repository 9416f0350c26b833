// SPDX-License-Identifier: GPL-2.0
/*
 * test_metrics.c - the Prometheus text exposition format (0.0.4) written for
 * --listen and --textfile: the exact page for a small snapshot per --by uid
 * (every family with its HELP and TYPE lines, series in snapshot order, the
 * values), labels in --by order for comm/exe/cgroup (cgroup_id, "" for a
 * missing name), folding beyond --max-series into one key whose every label
 * is "other", marked folded="true" (summing the rest, totals preserved), label escaping (\\ \" \n,
 * invalid UTF-8 as U+FFFD, valid UTF-8 kept), -EIO from a failing stream,
 * and that every page parses under a strict exposition-format checker
 * written here, under python (an independent parser) and under promtool
 * when it is installed.
 */
#include "unit.h"

#include <stdbool.h>
#include <sys/wait.h>

#include "metrics.h"

/* The renderers' settings from a test's config. */
#define OPTS(cfg) render_opts_of((cfg), &(struct render_opts){ 0 })

/* ---- a strict checker of the text exposition format, written for these tests ---- */

#define PROM_MAX_SAMPLES  256
#define PROM_MAX_FAMILIES 32
#define PROM_MAX_LABELS	  16

struct prom_sample {
	char name[128];
	/* the labels decoded, in page order: "uid=1000,user=alice,outcome=ok" */
	char labels[1024];
	char value[64];
};

struct prom_family {
	char name[128];
	bool help, type, samples, closed;
};

struct prom_page {
	struct prom_sample samples[PROM_MAX_SAMPLES];
	size_t n;
	struct prom_family families[PROM_MAX_FAMILIES];
	size_t nfamilies;
	char error[256];
	/* the series seen: "name" then each label "k=v" sorted, as one string */
	char *series[PROM_MAX_SAMPLES];
};

/* Length of the valid UTF-8 sequence at p (which has avail bytes), 0 if none (own code, not
 * text.c's, so the two are checked against each other). */
static size_t p_utf8(const unsigned char *p, size_t avail)
{
	size_t n;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		n = 2, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static bool p_fail(struct prom_page *pg, size_t line, const char *what)
{
	snprintf(pg->error, sizeof(pg->error), "line %zu: %s", line, what);
	return false;
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* (metric) or [a-zA-Z_][a-zA-Z0-9_]* (label) at *p, into out. */
static bool p_name(const char **p, char *out, size_t outlen, bool colon)
{
	size_t n = 0;
	const char *s = *p;

	while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
	       (colon && *s == ':') || (n > 0 && *s >= '0' && *s <= '9')) {
		if (n + 1 >= outlen)
			return false;
		out[n++] = *s++;
	}
	out[n] = '\0';
	*p = s;
	return n > 0;
}

/* A Go ParseFloat number as Prometheus writes them, or NaN, +Inf, -Inf; up to the line end. */
static bool p_value(const char *s, size_t len)
{
	size_t i = 0;
	bool digits = false;

	if ((len == 3 && !memcmp(s, "NaN", 3)) || (len == 4 && !memcmp(s, "+Inf", 4)) ||
	    (len == 4 && !memcmp(s, "-Inf", 4)))
		return true;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, digits = true;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, digits = true;
	}
	if (!digits)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return false;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == len;
}

static struct prom_family *p_family(struct prom_page *pg, const char *name, bool add)
{
	for (size_t i = 0; i < pg->nfamilies; i++)
		if (strcmp(pg->families[i].name, name) == 0)
			return &pg->families[i];
	if (!add || pg->nfamilies == PROM_MAX_FAMILIES)
		return NULL;
	snprintf(pg->families[pg->nfamilies].name, sizeof(pg->families[0].name), "%s", name);
	return &pg->families[pg->nfamilies++];
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A "# HELP name text" or "# TYPE name type" line. */
static bool p_comment(struct prom_page *pg, size_t ln, const char *s, size_t len)
{
	char name[128];
	const char *p;
	bool help = len > 7 && !memcmp(s, "# HELP ", 7);
	struct prom_family *fam;

	if (!help && !(len > 7 && !memcmp(s, "# TYPE ", 7)))
		return p_fail(pg, ln, "a comment other than HELP or TYPE");
	p = s + 7;
	if (!p_name(&p, name, sizeof(name), true) || *p != ' ')
		return p_fail(pg, ln, "bad metric name in HELP/TYPE");
	p++;
	fam = p_family(pg, name, true);
	if (!fam)
		return p_fail(pg, ln, "too many families");
	if (fam->samples)
		return p_fail(pg, ln, "HELP/TYPE after the family's samples");
	if (help) {
		if (fam->help)
			return p_fail(pg, ln, "second HELP");
		fam->help = true;
		/* the docstring: UTF-8, escapes \\ and \n only */
		for (; p < s + len;) {
			size_t n = p_utf8((const unsigned char *)p, s + len - p);

			if (!n)
				return p_fail(pg, ln, "HELP is not UTF-8");
			if (*p == '\\' && (p + 1 >= s + len || (p[1] != '\\' && p[1] != 'n')))
				return p_fail(pg, ln, "bad escape in HELP");
			p += *p == '\\' ? 2 : n;
		}
		return true;
	}
	if (fam->type)
		return p_fail(pg, ln, "second TYPE");
	fam->type = true;
	{
		static const char *const types[] = { "counter", "gauge", "histogram", "summary",
						     "untyped" };
		size_t rest = s + len - p;

		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (rest == strlen(types[i]) && !memcmp(p, types[i], rest))
				return true;
	}
	return p_fail(pg, ln, "bad TYPE");
}

/* name{label="value",...} value */
static bool p_sample(struct prom_page *pg, size_t ln, const char *s, size_t len,
		     struct prom_family **current)
{
	struct prom_sample *smp;
	struct prom_family *fam;
	const char *p = s, *end = s + len, *err = NULL;
	char *pairs[PROM_MAX_LABELS], key[1200];
	size_t npairs = 0, at = 0, klen;

	if (pg->n == PROM_MAX_SAMPLES)
		return p_fail(pg, ln, "too many samples");
	smp = &pg->samples[pg->n];
	memset(smp, 0, sizeof(*smp));
	if (!p_name(&p, smp->name, sizeof(smp->name), true))
		return p_fail(pg, ln, "bad metric name");
	fam = p_family(pg, smp->name, false);
	if (!fam || !fam->help || !fam->type)
		return p_fail(pg, ln, "a sample without HELP and TYPE before it");
	if (fam->closed || (*current && *current != fam && fam->samples))
		return p_fail(pg, ln, "a family's samples are not together");
	if (*current && *current != fam)
		(*current)->closed = true;
	*current = fam;
	fam->samples = true;
	if (p < end && *p == '{') {
		p++;
		for (;;) {
			char lname[128], value[512], *pair;
			size_t vlen = 0;

			if (!p_name(&p, lname, sizeof(lname), false) || p >= end || *p != '=' ||
			    p + 1 >= end || p[1] != '"') {
				err = "bad label";
				goto out;
			}
			if (!strncmp(lname, "__", 2)) {
				err = "reserved label name";
				goto out;
			}
			p += 2;
			while (!err) {
				size_t n;

				if (p >= end)
					err = "unterminated label value";
				else if (*p == '"')
					break;
				else if (*p == '\\') {
					if (p + 1 >= end ||
					    (p[1] != '\\' && p[1] != '"' && p[1] != 'n'))
						err = "bad escape in a label value";
					else if (vlen + 1 >= sizeof(value))
						err = "label value too long";
					else {
						value[vlen++] = p[1] == 'n' ? '\n' : p[1];
						p += 2;
					}
				} else if (!(n = p_utf8((const unsigned char *)p, end - p)))
					err = "label value is not UTF-8";
				else if (vlen + n >= sizeof(value))
					err = "label value too long";
				else {
					memcpy(value + vlen, p, n);
					vlen += n;
					p += n;
				}
			}
			if (err)
				goto out;
			value[vlen] = '\0';
			p++; /* the closing quote */
			for (size_t i = 0; i < npairs; i++)
				if (!strncmp(pairs[i], lname, strlen(lname)) &&
				    pairs[i][strlen(lname)] == '=')
					err = "a label given twice";
			if (!err && npairs == PROM_MAX_LABELS)
				err = "too many labels";
			if (err)
				goto out;
			assert_true(asprintf(&pair, "%s=%s", lname, value) > 0);
			pairs[npairs++] = pair;
			at += snprintf(smp->labels + at, sizeof(smp->labels) - at, "%s%s",
				       npairs > 1 ? "," : "", pair);
			assert_true(at < sizeof(smp->labels));
			if (p + 1 < end && *p == ',' && p[1] != '}') {
				p++;
				continue;
			}
			if (p < end && *p == '}') {
				p++;
				break;
			}
			err = "bad label list";
			goto out;
		}
	}
	/* one space, the value, nothing after it (no timestamps here) */
	if (p >= end || *p != ' ' || !p_value(p + 1, end - p - 1) ||
	    (size_t)(end - p - 1) >= sizeof(smp->value)) {
		err = "bad value";
		goto out;
	}
	memcpy(smp->value, p + 1, end - p - 1);
	/* one sample per series: the name and the set of labels */
	qsort(pairs, npairs, sizeof(pairs[0]), cmp_str);
	klen = snprintf(key, sizeof(key), "%s", smp->name);
	for (size_t i = 0; i < npairs; i++) {
		klen += snprintf(key + klen, sizeof(key) - klen, "%c%zu:%s", 0x1e, strlen(pairs[i]),
				 pairs[i]);
		assert_true(klen < sizeof(key));
	}
	for (size_t i = 0; i < pg->n && !err; i++)
		if (strcmp(pg->series[i], key) == 0)
			err = "a series given twice";
	if (!err) {
		pg->series[pg->n] = strdup(key);
		assert_non_null(pg->series[pg->n]);
		pg->n++;
	}
out:
	for (size_t i = 0; i < npairs; i++)
		free(pairs[i]);
	return err ? p_fail(pg, ln, err) : true;
}

static void prom_free(struct prom_page *pg)
{
	for (size_t i = 0; i < pg->n; i++)
		free(pg->series[i]);
	pg->n = 0;
}

/* Parse a whole page into pg (allocated by the caller); false with pg->error set if it is bad. */
static bool prom_parse(const char *text, struct prom_page *pg)
{
	struct prom_family *current = NULL;
	size_t ln = 0;

	prom_free(pg); /* a page parsed before */
	memset(pg, 0, sizeof(*pg));
	if (*text && text[strlen(text) - 1] != '\n')
		return p_fail(pg, 0, "the last line has no newline");
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl - s;
		bool good;

		ln++;
		if (len == 0)
			return p_fail(pg, ln, "an empty line");
		if (memchr(s, '\r', len))
			return p_fail(pg, ln, "a CR");
		good = s[0] == '#' ? p_comment(pg, ln, s, len) : p_sample(pg, ln, s, len, &current);
		if (!good)
			return false;
		s = nl + 1;
	}
	/* every family declared has both lines */
	for (size_t i = 0; i < pg->nfamilies; i++)
		if (!pg->families[i].help || !pg->families[i].type)
			return p_fail(pg, ln, "a family without HELP or TYPE");
	return true;
}

static struct prom_page *page_alloc(void)
{
	struct prom_page *pg = calloc(1, sizeof(*pg));

	assert_non_null(pg);
	return pg;
}

/* The page parses; returns it parsed (free with page_free). */
static struct prom_page *assert_page(const char *text)
{
	struct prom_page *pg = page_alloc();

	if (!prom_parse(text, pg))
		print_error("not a valid exposition page: %s\n%s", pg->error, text);
	assert_string_equal(pg->error, "");
	return pg;
}

static void page_free(struct prom_page *pg)
{
	prom_free(pg);
	free(pg);
}

/* The value of the sample name{labels}, or NULL. */
static const char *page_value(const struct prom_page *pg, const char *name, const char *labels)
{
	for (size_t i = 0; i < pg->n; i++)
		if (!strcmp(pg->samples[i].name, name) && !strcmp(pg->samples[i].labels, labels))
			return pg->samples[i].value;
	return NULL;
}

static void test_checker_self_check(void **state)
{
	static const char head[] = "# HELP a_total Help \\\\ text\\n.\n# TYPE a_total counter\n";
	static const char *const good[] = {
		"",
		"# HELP a_total x\n# TYPE a_total counter\n",
		"# TYPE a_total counter\n# HELP a_total x\na_total 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"\"} 0\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"\\\\\\\"\\n\xc3\xa9\t\x01\"} 1\n",
		"# HELP a x\n# TYPE a gauge\na{a=\"1\",b=\"2\"} 1.5e3\na{a=\"2\",b=\"2\"} -Inf\n"
		"# HELP b x\n# TYPE b untyped\nb NaN\n",
	};
	static const char *const bad[] = {
		"# HELP a_total x\n# TYPE a_total counter\na_total 1", /* no last newline */
		"a_total 1\n",					       /* no HELP/TYPE */
		"# HELP a_total x\na_total 1\n",		       /* no TYPE */
		"# TYPE a_total counter\na_total 1\n",		       /* no HELP */
		"# HELP a_total x\n",				       /* no TYPE at all */
		"# HELP a_total x\n# TYPE a_total counter\n# TYPE a_total counter\n",
		"# HELP a_total x\n# HELP a_total y\n# TYPE a_total counter\n",
		"# HELP a_total x\n# TYPE a_total counters\n",
		"# HELP a_total x\n# TYPE a_total counter\n\na_total 1\n", /* empty line */
		"# a comment\n",
		"# HELP a_total bad \\t escape\n# TYPE a_total counter\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"1\"} 1\na_total{x=\"1\"} 2\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"1\",y=\"2\"} 1\n"
		"a_total{y=\"2\",x=\"1\"} 2\n", /* the same series, labels in another order */
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"\\t\"} 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"\xff\"} 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"\xc0\xaf\"} 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"\xed\xa0\x80\"} 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"1} 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=1} 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{1x=\"1\"} 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{__x=\"1\"} 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"1\",x=\"2\"} 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"1\",} 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"1\" } 1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"1\"}  1\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"1\"} 1 \n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"1\"} 1 1700000000\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total{x=\"1\"}\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total abc\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total 0x10\n",
		"# HELP a_total x\n# TYPE a_total counter\na_total 1\r\n",
		"# HELP a_total x\n# TYPE a_total counter\n# HELP b x\n# TYPE b gauge\n"
		"a_total 1\nb 1\na_total{x=\"2\"} 1\n", /* a family's samples split */
		"# HELP a_total x\n# TYPE a_total counter\na_total 1\n# HELP a_total x\n",
		"# HELP a_total x\n# TYPE a_total counter\nb_total 1\n", /* undeclared family */
		"# HELP 1a x\n# TYPE 1a counter\n",
	};
	struct prom_page *pg = page_alloc();

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!prom_parse(good[i], pg))
			print_error("good %zu refused: %s\n", i, pg->error);
		assert_true(prom_parse(good[i], pg));
		prom_free(pg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (prom_parse(bad[i], pg))
			print_error("bad %zu accepted: %s\n", i, bad[i]);
		assert_false(prom_parse(bad[i], pg));
		assert_string_not_equal(pg->error, "");
		prom_free(pg);
	}
	/* what it decodes */
	assert_true(prom_parse("# HELP a x\n# TYPE a gauge\n"
			       "a{k=\"q\\\"b\\\\s\\nn\",o=\"ok\"} 12\n",
			       pg));
	assert_int_equal(pg->n, 1);
	assert_string_equal(pg->samples[0].name, "a");
	assert_string_equal(pg->samples[0].labels, "k=q\"b\\s\nn,o=ok");
	assert_string_equal(pg->samples[0].value, "12");
	prom_free(pg);
	assert_true(prom_parse(head, pg));
	prom_free(pg);
	free(pg);
}

/* ---- the renderer ---- */

static const char *const tp_hooks[] = {
	"tracepoint:syscalls:sys_enter_execve",
	"tracepoint:syscalls:sys_enter_execveat",
	"tracepoint:syscalls:sys_exit_execve",
};

static const struct run_about info = {
	.hooks = tp_hooks,
	.nhooks = 3,
	.version = "0.1.0",
	.libbcc_version = "0.26.0",
};

/* A config as cli_parse() makes it: a --by list such as "uid,comm" and --max-series. */
static struct config make_cfg(const char *by, unsigned long max_series)
{
	struct config cfg = {
		.action = CLI_RUN,
		.format = FORMAT_TABLE,
		.interval = 5,
		.syscalls = SYSCALL_EXECVE | SYSCALL_EXECVEAT,
		.max_keys = 10240,
		.sort = ORDER_BY_COUNT,
		.max_series = max_series,
	};
	char list[64], *save = NULL;

	assert_true(strlen(by) < sizeof(list));
	strcpy(list, by);
	for (char *f = strtok_r(list, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		int field = key_field_parse(f);

		assert_true(field >= 0);
		cfg.by[cfg.nby++] = field;
		cfg.by_mask |= 1u << field;
	}
	return cfg;
}

static struct count_row *push_key(struct snapshot *snap, uint32_t uid, const char *comm,
				  const char *exe, uint64_t cgroup, uint64_t ok, uint64_t failed)
{
	struct exec_key key;
	struct exec_counts n = { .execve = ok + failed, .ok = ok, .failed = failed };

	memset(&key, 0, sizeof(key));
	key.uid = uid;
	assert_true(strlen(comm) <= KEY_COMM_LEN && strlen(exe) <= KEY_EXE_LEN);
	strcpy(key.comm, comm);
	strcpy(key.exe, exe);
	key.cgroup = cgroup;
	assert_int_equal(snapshot_push(snap, &key, &n), 0);
	return &snap->rows[snap->len - 1];
}

/* metrics_render into memory; the page must be valid; returns it (free it). */
static char *render(const struct config *cfg, const struct snapshot *snap,
		    const struct run_about *in)
{
	struct capture c;
	struct prom_page *pg;
	char *text;

	capture_open(&c);
	assert_int_equal(metrics_render(c.f, OPTS(cfg), SNAPSHOT_VIEW(snap), in), 0);
	fclose(c.f);
	text = c.buf;
	pg = assert_page(text);
	page_free(pg);
	return text;
}

#define FAMILIES_AFTER_EXECS                                                                       \
	"# HELP bcc_execcount_dropped_total Exec calls not counted because the kernel table was "  \
	"full (raise --max-keys).\n"                                                               \
	"# TYPE bcc_execcount_dropped_total counter\n"                                             \
	"bcc_execcount_dropped_total %s\n"                                                         \
	"# HELP bcc_execcount_keys Keys in the kernel table.\n"                                    \
	"# TYPE bcc_execcount_keys gauge\n"                                                        \
	"bcc_execcount_keys %s\n"                                                                  \
	"# HELP bcc_execcount_max_keys Size of the kernel table (--max-keys).\n"                   \
	"# TYPE bcc_execcount_max_keys gauge\n"                                                    \
	"bcc_execcount_max_keys %s\n"                                                              \
	"# HELP bcc_execcount_hook_info The hooks attached, one series each (1).\n"                \
	"# TYPE bcc_execcount_hook_info gauge\n"                                                   \
	"bcc_execcount_hook_info{hook=\"tracepoint:syscalls:sys_enter_execve\"} 1\n"               \
	"bcc_execcount_hook_info{hook=\"tracepoint:syscalls:sys_enter_execveat\"} 1\n"             \
	"bcc_execcount_hook_info{hook=\"tracepoint:syscalls:sys_exit_execve\"} 1\n"                \
	"# HELP bcc_execcount_build_info Versions of bcc-execcount and libbcc (1).\n"              \
	"# TYPE bcc_execcount_build_info gauge\n"                                                  \
	"bcc_execcount_build_info{version=\"0.1.0\",libbcc=\"0.26.0\"} 1\n"

#define EXECS_HEAD                                                                                 \
	"# HELP bcc_execcount_execs_total Exec calls (execve, execveat) finished since the tool "  \
	"started, by key and outcome.\n"                                                           \
	"# TYPE bcc_execcount_execs_total counter\n"

/* The families after execs_total with these values. */
static char *tail_of(const char *dropped, const char *keys, const char *max_keys)
{
	char *s;

	assert_true(asprintf(&s, FAMILIES_AFTER_EXECS, dropped, keys, max_keys) > 0);
	return s;
}

static void assert_page_equal(const char *got, const char *execs, const char *tail)
{
	char *want;

	assert_true(asprintf(&want, "%s%s%s", EXECS_HEAD, execs, tail) > 0);
	if (strcmp(got, want) != 0)
		print_error("got:\n%s\nwant:\n%s\n", got, want);
	assert_string_equal(got, want);
	free(want);
}

static void test_page_by_uid(void **state)
{
	struct config cfg = make_cfg("uid", 10000);
	struct snapshot snap = { 0 };
	struct count_row *row;
	char *page, *tail;

	(void)state;
	/* in count order, as main() hands them over */
	row = push_key(&snap, 1000, "", "", 0, 12, 3);
	row->user = "alice";
	row = push_key(&snap, 0, "", "", 0, 5, 0);
	row->user = "root";
	push_key(&snap, 4294967294u, "", "", 0, 0, 1); /* no name: user="" */
	push_key(&snap, 2147483648u, "", "", 0, 0, 0)->user = "big";
	snap.dropped = 7;
	cfg.max_keys = 4096;
	page = render(&cfg, &snap, &info);
	tail = tail_of("7", "4", "4096");
	assert_page_equal(
		page,
		"bcc_execcount_execs_total{uid=\"1000\",user=\"alice\",outcome=\"ok\"} 12\n"
		"bcc_execcount_execs_total{uid=\"1000\",user=\"alice\",outcome=\"failed\"} 3\n"
		"bcc_execcount_execs_total{uid=\"0\",user=\"root\",outcome=\"ok\"} 5\n"
		"bcc_execcount_execs_total{uid=\"0\",user=\"root\",outcome=\"failed\"} 0\n"
		"bcc_execcount_execs_total{uid=\"4294967294\",user=\"\",outcome=\"ok\"} 0\n"
		"bcc_execcount_execs_total{uid=\"4294967294\",user=\"\",outcome=\"failed\"} 1\n"
		"bcc_execcount_execs_total{uid=\"2147483648\",user=\"big\",outcome=\"ok\"} 0\n"
		"bcc_execcount_execs_total{uid=\"2147483648\",user=\"big\",outcome=\"failed\"} 0\n",
		tail);
	free(tail);
	free(page);
	snapshot_free(&snap);
}

static void test_page_empty(void **state)
{
	struct config cfg = make_cfg("uid", 1);
	struct snapshot snap = { 0 };
	struct run_about one = info;
	char *page, *tail;

	(void)state;
	/* before the first interval: every family, no execs series */
	page = render(&cfg, &snap, &info);
	tail = tail_of("0", "0", "10240");
	assert_page_equal(page, "", tail);
	free(tail);
	free(page);

	/* the kprobe's one hook, versions with odd bytes */
	one.nhooks = 1;
	one.hooks = (const char *const[]){ "kprobe:__x64_sys_execve" };
	one.version = "0.1.0-\"dev\"";
	one.libbcc_version = "0.26\\\n\xff";
	page = render(&cfg, &snap, &one);
	assert_non_null(strstr(page, "# TYPE bcc_execcount_hook_info gauge\n"
				     "bcc_execcount_hook_info{hook=\"kprobe:__x64_sys_execve\"} 1\n"
				     "# HELP bcc_execcount_build_info"));
	assert_non_null(strstr(page, "bcc_execcount_build_info{version=\"0.1.0-\\\"dev\\\"\","
				     "libbcc=\"0.26\\\\\\n\xef\xbf\xbd\"} 1\n"));
	free(page);
}

static void test_page_big_numbers(void **state)
{
	struct config cfg = make_cfg("uid", 10000);
	struct snapshot snap = { 0 };
	char *page;
	struct prom_page *pg;

	(void)state;
	push_key(&snap, 1, "", "", 0, UINT64_MAX, 0x100000000ull)->user = "a";
	snap.dropped = UINT64_MAX;
	cfg.max_keys = 1048576;
	page = render(&cfg, &snap, &info);
	pg = assert_page(page);
	/* integers in full, never a float's rounding */
	assert_string_equal(page_value(pg, "bcc_execcount_execs_total", "uid=1,user=a,outcome=ok"),
			    "18446744073709551615");
	assert_string_equal(
		page_value(pg, "bcc_execcount_execs_total", "uid=1,user=a,outcome=failed"),
		"4294967296");
	assert_string_equal(page_value(pg, "bcc_execcount_dropped_total", ""),
			    "18446744073709551615");
	assert_string_equal(page_value(pg, "bcc_execcount_max_keys", ""), "1048576");
	page_free(pg);
	free(page);
	snapshot_free(&snap);
}

static void test_page_by_comm_exe_cgroup(void **state)
{
	struct config cfg = make_cfg("comm,exe,cgroup", 10000);
	struct snapshot snap = { 0 };
	struct count_row *row;
	char *page, *tail;

	(void)state;
	row = push_key(&snap, 0, "bash", "/usr/bin/ls", 0x100000001ull, 4, 1);
	row->cgroup = "/user.slice/user-1000.slice";
	row = push_key(&snap, 0, "sh", "/bin/false", 1, 0, 2);
	row->cgroup = "/";
	/* a cgroup that is gone: cgroup="" with its id */
	push_key(&snap, 0, "x", "", UINT64_MAX, 1, 0);
	page = render(&cfg, &snap, &info);
	tail = tail_of("0", "3", "10240");
	assert_page_equal(
		page,
		"bcc_execcount_execs_total{comm=\"bash\",exe=\"/usr/bin/ls\","
		"cgroup=\"/user.slice/user-1000.slice\",cgroup_id=\"4294967297\",outcome=\"ok\"} 4\n"
		"bcc_execcount_execs_total{comm=\"bash\",exe=\"/usr/bin/ls\","
		"cgroup=\"/user.slice/user-1000.slice\",cgroup_id=\"4294967297\",outcome=\"failed\"} 1\n"
		"bcc_execcount_execs_total{comm=\"sh\",exe=\"/bin/false\",cgroup=\"/\",cgroup_id=\"1\","
		"outcome=\"ok\"} 0\n"
		"bcc_execcount_execs_total{comm=\"sh\",exe=\"/bin/false\",cgroup=\"/\",cgroup_id=\"1\","
		"outcome=\"failed\"} 2\n"
		"bcc_execcount_execs_total{comm=\"x\",exe=\"\",cgroup=\"\","
		"cgroup_id=\"18446744073709551615\",outcome=\"ok\"} 1\n"
		"bcc_execcount_execs_total{comm=\"x\",exe=\"\",cgroup=\"\","
		"cgroup_id=\"18446744073709551615\",outcome=\"failed\"} 0\n",
		tail);
	free(page);

	/* the same rows with --by in another order: the labels follow it */
	cfg = make_cfg("cgroup,uid,exe", 10000);
	snap.rows[0].user = "alice";
	snap.rows[0].key.uid = 1000;
	page = render(&cfg, &snap, &info);
	assert_page_equal(
		page,
		"bcc_execcount_execs_total{cgroup=\"/user.slice/user-1000.slice\","
		"cgroup_id=\"4294967297\",uid=\"1000\",user=\"alice\",exe=\"/usr/bin/ls\",outcome=\"ok\"} 4\n"
		"bcc_execcount_execs_total{cgroup=\"/user.slice/user-1000.slice\","
		"cgroup_id=\"4294967297\",uid=\"1000\",user=\"alice\",exe=\"/usr/bin/ls\","
		"outcome=\"failed\"} 1\n"
		"bcc_execcount_execs_total{cgroup=\"/\",cgroup_id=\"1\",uid=\"0\",user=\"\","
		"exe=\"/bin/false\",outcome=\"ok\"} 0\n"
		"bcc_execcount_execs_total{cgroup=\"/\",cgroup_id=\"1\",uid=\"0\",user=\"\","
		"exe=\"/bin/false\",outcome=\"failed\"} 2\n"
		"bcc_execcount_execs_total{cgroup=\"\",cgroup_id=\"18446744073709551615\",uid=\"0\","
		"user=\"\",exe=\"\",outcome=\"ok\"} 1\n"
		"bcc_execcount_execs_total{cgroup=\"\",cgroup_id=\"18446744073709551615\",uid=\"0\","
		"user=\"\",exe=\"\",outcome=\"failed\"} 0\n",
		tail);
	free(page);

	/* comm alone, and a key of all four */
	cfg = make_cfg("comm", 10000);
	page = render(&cfg, &snap, &info);
	assert_non_null(strstr(page,
			       "\nbcc_execcount_execs_total{comm=\"bash\",outcome=\"ok\"} 4\n"
			       "bcc_execcount_execs_total{comm=\"bash\",outcome=\"failed\"} 1\n"
			       "bcc_execcount_execs_total{comm=\"sh\",outcome=\"ok\"} 0\n"));
	free(page);
	cfg = make_cfg("exe,comm,cgroup,uid", 10000);
	page = render(&cfg, &snap, &info);
	assert_non_null(strstr(page,
			       "\nbcc_execcount_execs_total{exe=\"/usr/bin/ls\",comm=\"bash\","
			       "cgroup=\"/user.slice/user-1000.slice\",cgroup_id=\"4294967297\","
			       "uid=\"1000\",user=\"alice\",outcome=\"ok\"} 4\n"));
	free(page);
	free(tail);
	snapshot_free(&snap);
}

/* ---- --max-series: folding into "other" ---- */

/* Six keys in count order (ok + failed: 60, 50, 40, 30, 20, 10); sums: ok 126, failed 84. */
static void fill_six(struct snapshot *snap)
{
	static const char *const users[] = { "u0", "u1", "u2", "u3", "u4", NULL };

	for (uint32_t i = 0; i < 6; i++) {
		uint64_t total = 60 - 10 * i;
		struct count_row *row =
			push_key(snap, 100 + i, "c", "/e", i, total * 3 / 5, total * 2 / 5);

		row->user = users[i];
		row->cgroup = "/cg";
	}
	snap->dropped = 2;
}

/* The sum of execs_total over every series with this outcome. */
static uint64_t sum_outcome(const struct prom_page *pg, const char *outcome)
{
	char suffix[32];
	uint64_t sum = 0;

	snprintf(suffix, sizeof(suffix), "outcome=%s", outcome);
	for (size_t i = 0; i < pg->n; i++) {
		const char *l = pg->samples[i].labels;
		size_t len = strlen(l);

		if (strcmp(pg->samples[i].name, "bcc_execcount_execs_total") == 0 &&
		    len >= strlen(suffix) && strcmp(l + len - strlen(suffix), suffix) == 0)
			sum += strtoull(pg->samples[i].value, NULL, 10);
	}
	return sum;
}

static size_t count_execs_series(const struct prom_page *pg)
{
	size_t n = 0;

	for (size_t i = 0; i < pg->n; i++)
		n += strcmp(pg->samples[i].name, "bcc_execcount_execs_total") == 0;
	return n;
}

/* A real key called "other" and the folded one are two series (render() checks the page) */
static void test_fold_beside_a_key_named_other(void **state)
{
	struct snapshot snap = { 0 };
	struct config cfg = make_cfg("comm", 2);
	char *page;

	(void)state;
	push_key(&snap, 0, "other", "", 0, 100, 0); /* a program named "other", the busiest */
	push_key(&snap, 0, "a", "", 0, 50, 0);
	push_key(&snap, 0, "b", "", 0, 10, 0);
	page = render(&cfg, &snap, &info);
	assert_non_null(
		strstr(page, "bcc_execcount_execs_total{comm=\"other\",outcome=\"ok\"} 100\n"));
	assert_non_null(strstr(
		page,
		"bcc_execcount_execs_total{comm=\"other\",folded=\"true\",outcome=\"ok\"} 60\n"));
	free(page);
	snapshot_free(&snap);
}

/* Two keys whose labels render the same (invalid UTF-8 -> U+FFFD) are one series, summed */
static void test_equal_labels_summed(void **state)
{
	struct snapshot snap = { 0 };
	struct config cfg = make_cfg("comm", 100);
	char *page;

	(void)state;
	push_key(&snap, 0, "ok", "", 0, 9, 0);
	push_key(&snap, 0, "\xff", "", 0, 2, 1);
	push_key(&snap, 0, "\xfe", "", 0, 1, 3);
	page = render(&cfg, &snap, &info); /* render() refuses a series given twice */
	assert_non_null(strstr(page, "{comm=\"\xef\xbf\xbd\",outcome=\"ok\"} 3\n"));
	assert_non_null(strstr(page, "{comm=\"\xef\xbf\xbd\",outcome=\"failed\"} 4\n"));
	assert_non_null(strstr(page, "{comm=\"ok\",outcome=\"ok\"} 9\n"));
	free(page);
	snapshot_free(&snap);
}

static void test_fold_by_uid(void **state)
{
	struct snapshot snap = { 0 };
	char *page, *tail;

	(void)state;
	fill_six(&snap);
	tail = tail_of("2", "6", "10240");

	/* 1: everything is "other" */
	{
		struct config cfg = make_cfg("uid", 1);

		page = render(&cfg, &snap, &info);
		assert_page_equal(
			page,
			"bcc_execcount_execs_total{uid=\"other\",user=\"other\",folded=\"true\",outcome=\"ok\"} 126\n"
			"bcc_execcount_execs_total{uid=\"other\",user=\"other\",folded=\"true\",outcome=\"failed\"} 84\n",
			tail);
		free(page);
	}
	/* 2: the biggest key, then the other five summed */
	{
		struct config cfg = make_cfg("uid", 2);

		page = render(&cfg, &snap, &info);
		assert_page_equal(
			page,
			"bcc_execcount_execs_total{uid=\"100\",user=\"u0\",outcome=\"ok\"} 36\n"
			"bcc_execcount_execs_total{uid=\"100\",user=\"u0\",outcome=\"failed\"} 24\n"
			"bcc_execcount_execs_total{uid=\"other\",user=\"other\",folded=\"true\",outcome=\"ok\"} 90\n"
			"bcc_execcount_execs_total{uid=\"other\",user=\"other\",folded=\"true\",outcome=\"failed\"} 60\n",
			tail);
		free(page);
	}
	/* 5 of 6: four keys and "other" = the last two */
	{
		struct config cfg = make_cfg("uid", 5);

		page = render(&cfg, &snap, &info);
		assert_non_null(strstr(
			page,
			"bcc_execcount_execs_total{uid=\"103\",user=\"u3\",outcome=\"failed\"} 12\n"
			"bcc_execcount_execs_total{uid=\"other\",user=\"other\",folded=\"true\",outcome=\"ok\"} 18\n"
			"bcc_execcount_execs_total{uid=\"other\",user=\"other\",folded=\"true\",outcome=\"failed\"} 12\n"
			"# HELP bcc_execcount_dropped_total"));
		assert_null(strstr(page, "uid=\"104\""));
		assert_null(strstr(page, "uid=\"105\""));
		free(page);
	}
	/* exactly as many keys as series, or fewer: no "other" */
	for (unsigned long max = 6; max <= 8; max++) {
		struct config cfg = make_cfg("uid", max);

		page = render(&cfg, &snap, &info);
		assert_null(strstr(page, "other"));
		assert_non_null(strstr(
			page,
			"bcc_execcount_execs_total{uid=\"105\",user=\"\",outcome=\"failed\"} 4\n"));
		free(page);
	}
	free(tail);
	snapshot_free(&snap);
}

static void test_fold_totals_every_cap(void **state)
{
	static const char *const bys[] = { "uid", "comm,exe,cgroup", "cgroup,uid,exe,comm" };
	struct snapshot snap = { 0 };

	(void)state;
	fill_six(&snap);
	for (size_t b = 0; b < sizeof(bys) / sizeof(bys[0]); b++) {
		for (unsigned long max = 1; max <= 8; max++) {
			struct config cfg = make_cfg(bys[b], max);
			char *page = render(&cfg, &snap, &info);
			struct prom_page *pg = assert_page(page);
			size_t keys = max < 6 ? max : 6;

			/* at most max keys, two series each; the totals kept exactly */
			assert_int_equal(count_execs_series(pg), 2 * keys);
			assert_int_equal(sum_outcome(pg, "ok"), 126);
			assert_int_equal(sum_outcome(pg, "failed"), 84);
			/* the table's size and the dropped count are about the kernel, not the cap
			 */
			assert_string_equal(page_value(pg, "bcc_execcount_keys", ""), "6");
			assert_string_equal(page_value(pg, "bcc_execcount_dropped_total", ""), "2");
			/* "other" appears exactly when keys were folded, on every key label */
			if (max < 6) {
				char want[256] = "";
				size_t at = 0;

				for (unsigned int f = 0; f < cfg.nby; f++) {
					static const char *const labels[] = {
						[FIELD_UID] = "uid=other,user=other",
						[FIELD_COMM] = "comm=other",
						[FIELD_EXE] = "exe=other",
						[FIELD_CGROUP] = "cgroup=other,cgroup_id=other",
					};

					at += snprintf(want + at, sizeof(want) - at, "%s,",
						       labels[cfg.by[f]]);
				}
				snprintf(want + at, sizeof(want) - at, "folded=true,outcome=ok");
				assert_non_null(page_value(pg, "bcc_execcount_execs_total", want));
				/* the last series of the family is the "other" key */
				assert_string_equal(pg->samples[2 * keys - 2].labels, want);
			} else {
				assert_null(strstr(page, "\"other\""));
			}
			page_free(pg);
			free(page);
		}
	}
	snapshot_free(&snap);
}

/* ---- label values ---- */

static char *label_of(const char *s)
{
	return written_by(metrics_write_label_value, s);
}

static void assert_label(const char *in, const char *want)
{
	char *got = label_of(in);

	if (strcmp(got, want) != 0)
		print_error("label of \"%s\": got \"%s\", want \"%s\"\n", in, got, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_label_escaping(void **state)
{
	(void)state;
	assert_label("", "");
	assert_label("plain /usr/bin/env-1.0_x", "plain /usr/bin/env-1.0_x");
	/* the three escapes of the format */
	assert_label("a\\b", "a\\\\b");
	assert_label("say \"hi\"", "say \\\"hi\\\"");
	assert_label("two\nlines\n", "two\\nlines\\n");
	assert_label("\\\"\n", "\\\\\\\"\\n");
	assert_label("\\n", "\\\\n"); /* a backslash and an n stay two characters */
	/* other bytes below 0x20 and DEL are valid UTF-8: kept as they are */
	assert_label("\t\r\x01\x1b\x7f", "\t\r\x01\x1b\x7f");
	/* valid UTF-8 kept: 2, 3 and 4 bytes, U+FFFD itself, the largest code point */
	assert_label("caf\xc3\xa9", "caf\xc3\xa9");
	assert_label("\xe2\x82\xac \xe6\x97\xa5", "\xe2\x82\xac \xe6\x97\xa5");
	assert_label("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
	assert_label("\xef\xbf\xbd", "\xef\xbf\xbd");
	assert_label("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");
	assert_label("\xc2\x80\xc2\x9f", "\xc2\x80\xc2\x9f");
	/* each byte of an invalid sequence becomes U+FFFD (EF BF BD) */
	assert_label("\xff", "\xef\xbf\xbd");
	assert_label("a\xfe\xff"
		     "b",
		     "a\xef\xbf\xbd\xef\xbf\xbd"
		     "b");
	assert_label("\x80", "\xef\xbf\xbd");		      /* lone continuation */
	assert_label("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"); /* overlong '/' */
	assert_label("\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* overlong */
	assert_label("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
	assert_label("\xf4\x90\x80\x80",
		     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* > U+10FFFF */
	assert_label("x\xe2\x82", "x\xef\xbf\xbd\xef\xbf\xbd");		  /* cut at the end */
	assert_label("\xe2\x82\"", "\xef\xbf\xbd\xef\xbf\xbd\\\"");	  /* cut by a quote */
	assert_label("\xc3\n", "\xef\xbf\xbd\\n");			  /* cut by a newline */
	assert_label("\xff\\\xc3\xa9", "\xef\xbf\xbd\\\\\xc3\xa9");
}

/* Every key field with odd bytes: the page still parses, and decodes to the bytes (with
 * U+FFFD for the invalid ones). */
static void test_page_odd_keys(void **state)
{
	struct config cfg = make_cfg("uid,comm,exe,cgroup", 10000);
	struct snapshot snap = { 0 };
	struct count_row *row;
	struct prom_page *pg;
	char *page;

	(void)state;
	row = push_key(&snap, 0, "a\"b\\c\nd", "/tmp/x\xff\xc3\xa9\n", 1, 3, 1);
	row->user = "r\"t";
	row->cgroup = "/a\\b\"c\nd\xc0";
	row = push_key(&snap, 1, "\xe6\x97\xa5\t", "\\", 2, 1, 0);
	row->user = "\xff";
	page = render(&cfg, &snap, &info);
	assert_non_null(strstr(page, "{uid=\"0\",user=\"r\\\"t\",comm=\"a\\\"b\\\\c\\nd\","
				     "exe=\"/tmp/x\xef\xbf\xbd\xc3\xa9\\n\","
				     "cgroup=\"/a\\\\b\\\"c\\nd\xef\xbf\xbd\",cgroup_id=\"1\","
				     "outcome=\"ok\"} 3\n"));
	pg = assert_page(page);
	assert_string_equal(
		page_value(pg, "bcc_execcount_execs_total",
			   "uid=0,user=r\"t,comm=a\"b\\c\nd,exe=/tmp/x\xef\xbf\xbd\xc3\xa9\n,"
			   "cgroup=/a\\b\"c\nd\xef\xbf\xbd,cgroup_id=1,outcome=failed"),
		"1");
	assert_string_equal(page_value(pg, "bcc_execcount_execs_total",
				       "uid=1,user=\xef\xbf\xbd,comm=\xe6\x97\xa5\t,exe=\\,cgroup=,"
				       "cgroup_id=2,outcome=ok"),
			    "1");
	page_free(pg);
	free(page);
	snapshot_free(&snap);
}

static void test_failed_stream_is_eio(void **state)
{
	struct config cfg = make_cfg("uid,exe", 2);
	struct snapshot snap = { 0 };
	FILE *f;

	(void)state;
	if (access("/dev/full", W_OK) != 0) {
		print_message("skipped: no writable /dev/full to fail writes on\n");
		skip();
	}
	fill_six(&snap);
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(metrics_render(f, OPTS(&cfg), SNAPSHOT_VIEW(&snap), &info), -EIO);
	fclose(f);
	/* an empty snapshot still writes every family, and still fails */
	snap.len = 0;
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(metrics_render(f, OPTS(&cfg), SNAPSHOT_VIEW(&snap), &info), -EIO);
	fclose(f);
	snapshot_free(&snap);
}

/* ---- independent parsers: python, promtool ---- */

/*
 * A parser of the exposition format in python, written apart from the C one:
 * a regex per line, the escapes undone, the page decoded as strict UTF-8; it
 * prints each execs_total sample as its labels (ascii()) and value.
 */
static const char python_check[] =
	"import re, sys\n"
	"data = sys.stdin.buffer.read().decode('utf-8')\n"
	"assert data.endswith('\\n')\n"
	"NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'\n"
	"LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"'\n"
	"SAMPLE = re.compile(r'(%s)(?:\\{(%s(?:,%s)*)\\})? (?P<value>[0-9]+)$' % (NAME, LABEL, LABEL))\n"
	"helps, types, seen, done, last = set(), {}, set(), set(), None\n"
	"def unescape(v):\n"
	"    return re.sub(r'\\\\(.)', lambda m: {'n': '\\n'}.get(m.group(1), m.group(1)), v)\n"
	"for line in data.split('\\n')[:-1]:\n"
	"    m = re.fullmatch(r'# (HELP|TYPE) (%s) (.*)' % NAME, line)\n"
	"    if m:\n"
	"        if m.group(1) == 'HELP':\n"
	"            assert m.group(2) not in helps; helps.add(m.group(2))\n"
	"        else:\n"
	"            assert m.group(3) in ('counter', 'gauge'), line\n"
	"            assert m.group(2) not in types; types[m.group(2)] = m.group(3)\n"
	"        continue\n"
	"    m = SAMPLE.match(line)\n"
	"    assert m, line\n"
	"    name = m.group(1)\n"
	"    assert name in helps and name in types, line\n"
	"    if name != last:\n"
	"        assert name not in done, line\n"
	"        if last: done.add(last)\n"
	"        last = name\n"
	"    labels = [(k, unescape(v)) for k, v in re.findall(LABEL, m.group(2) or '')]\n"
	"    key = (name, tuple(sorted(labels)))\n"
	"    assert key not in seen, line; seen.add(key)\n"
	"    assert len(set(k for k, v in labels)) == len(labels), line\n"
	"    if name == 'bcc_execcount_execs_total':\n"
	"        print(' '.join('%s=%s' % (k, ascii(v)) for k, v in labels), m.group('value'))\n"
	"print('families', ' '.join('%s:%s' % (n, types[n]) for n in sorted(types)))\n";

/* Run prog with page on its stdin; returns its exit status, its stdout in *out (free it). */
static int run_with_input(const char *cmd, const char *page, char **out)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], full[3 * PATH_MAX];
	struct capture got;
	FILE *proc;
	char buf[256];
	size_t n;
	int status;

	tmpdir_make(dir);
	write_file(dir, "page", page, strlen(page));
	write_file(dir, "check.py", python_check, strlen(python_check));
	snprintf(path, sizeof(path), "%s", dir);
	snprintf(full, sizeof(full), "cd %s && %s < page 2>&1", path, cmd);
	capture_open(&got);
	proc = popen(full, "r");
	assert_non_null(proc);
	while ((n = fread(buf, 1, sizeof(buf), proc)) > 0)
		fwrite(buf, 1, n, got.f);
	status = pclose(proc);
	fclose(got.f);
	*out = got.buf;
	tmpdir_remove(dir);
	return status;
}

static char *odd_page(void)
{
	struct config cfg = make_cfg("uid,comm,exe,cgroup", 3);
	struct snapshot snap = { 0 };
	struct count_row *row;
	char *page;

	row = push_key(&snap, 0, "a\"b\\c\nd", "/tmp/x\xff\xc3\xa9\n", 1, 30, 10);
	row->user = "root";
	row->cgroup = "/a\\b\"c\nd\xc0";
	push_key(&snap, 4294967294u, "\xe6\x97\xa5\t", "\\n", 2, 20, 0);
	push_key(&snap, 5, "five", "/5", 5, 3, 4)->user = "five";
	push_key(&snap, 6, "six", "/6", 6, 1, 1)->user = "six";
	page = render(&cfg, &snap, &info);
	snapshot_free(&snap);
	return page;
}

static void test_page_parses_in_python(void **state)
{
	static const char python[] = "/usr/bin/python3";
	char *page, *out;

	(void)state;
	if (access(python, X_OK) != 0) {
		print_message("skipped: %s is not installed, the C checker still ran\n", python);
		skip();
	}
	page = odd_page();
	assert_int_equal(run_with_input("/usr/bin/python3 check.py", page, &out), 0);
	assert_string_equal(
		out,
		"uid='0' user='root' comm='a\"b\\\\c\\nd' exe='/tmp/x\\ufffd\\xe9\\n' "
		"cgroup='/a\\\\b\"c\\nd\\ufffd' cgroup_id='1' outcome='ok' 30\n"
		"uid='0' user='root' comm='a\"b\\\\c\\nd' exe='/tmp/x\\ufffd\\xe9\\n' "
		"cgroup='/a\\\\b\"c\\nd\\ufffd' cgroup_id='1' outcome='failed' 10\n"
		"uid='4294967294' user='' comm='\\u65e5\\t' exe='\\\\n' cgroup='' cgroup_id='2' "
		"outcome='ok' 20\n"
		"uid='4294967294' user='' comm='\\u65e5\\t' exe='\\\\n' cgroup='' cgroup_id='2' "
		"outcome='failed' 0\n"
		"uid='other' user='other' comm='other' exe='other' cgroup='other' "
		"cgroup_id='other' folded='true' outcome='ok' 4\n"
		"uid='other' user='other' comm='other' exe='other' cgroup='other' "
		"cgroup_id='other' folded='true' outcome='failed' 5\n"
		"families bcc_execcount_build_info:gauge bcc_execcount_dropped_total:counter "
		"bcc_execcount_execs_total:counter bcc_execcount_hook_info:gauge "
		"bcc_execcount_keys:gauge bcc_execcount_max_keys:gauge\n");
	free(out);
	/* the python checker refuses what it should */
	assert_int_not_equal(run_with_input("/usr/bin/python3 check.py",
					    "# HELP a_total x\n# TYPE a_total counter\n"
					    "a_total{x=\"1\"} 1\na_total{x=\"1\"} 1\n",
					    &out),
			     0);
	free(out);
	assert_int_not_equal(run_with_input("/usr/bin/python3 check.py",
					    "# HELP a_total x\n# TYPE a_total counter\n"
					    "a_total{x=\"\xff\"} 1\n",
					    &out),
			     0);
	free(out);
	free(page);
}

/* Prometheus's own parser and linter (Debian's prometheus package), when it is here. */
static void test_page_passes_promtool(void **state)
{
	static const char promtool[] = "/usr/bin/promtool";
	struct config cfg = make_cfg("uid", 10000);
	struct snapshot snap = { 0 };
	char *page, *out;
	int status;

	(void)state;
	if (access(promtool, X_OK) != 0) {
		print_message("skipped: %s is not installed, the C and python checkers still ran\n",
			      promtool);
		skip();
	}
	page = odd_page();
	status = run_with_input("/usr/bin/promtool check metrics", page, &out);
	if (status != 0)
		print_error("promtool: %s\n", out);
	assert_int_equal(status, 0);
	free(out);
	free(page);
	/* an empty page and a plain one too */
	page = render(&cfg, &snap, &info);
	assert_int_equal(run_with_input("/usr/bin/promtool check metrics", page, &out), 0);
	free(out);
	free(page);
	/* and it does refuse a broken page */
	assert_int_not_equal(run_with_input("/usr/bin/promtool check metrics",
					    "# HELP a_total x\n# TYPE a_total counter\n"
					    "a_total{x=\"\xff\"} 1\n",
					    &out),
			     0);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker_self_check),
		cmocka_unit_test(test_page_by_uid),
		cmocka_unit_test(test_page_empty),
		cmocka_unit_test(test_page_big_numbers),
		cmocka_unit_test(test_page_by_comm_exe_cgroup),
		cmocka_unit_test(test_fold_beside_a_key_named_other),
		cmocka_unit_test(test_equal_labels_summed),
		cmocka_unit_test(test_fold_by_uid),
		cmocka_unit_test(test_fold_totals_every_cap),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_page_odd_keys),
		cmocka_unit_test(test_failed_stream_is_eio),
		cmocka_unit_test(test_page_parses_in_python),
		cmocka_unit_test(test_page_passes_promtool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
