// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_metrics.c - the Prometheus page (metrics_render) on arbitrary keys,
 * folded at several --max-series.
 *
 * The snapshot comes from fuzz_snapshot.h (arbitrary uid/comm/exe/cgroup
 * bytes and names), sorted by count as the tool hands it over, and is
 * rendered with the input's --max-series and with 1, len - 1, len and
 * len + 1.  Each line must be valid UTF-8 and either a comment (# HELP or
 * # TYPE) or a sample `name{label="value",...} value` / `name value` with
 * only the escapes \\ \" \n in label values.  Beyond that, for
 * bcc_execcount_execs_total: the labels are the --by fields' in order, then
 * folded="true" on the folded key only, then outcome; at most
 * min(len, max-series) keys (keys whose labels render the same are summed),
 * two outcomes each, no label set twice; ok and failed summed over the page
 * equal the snapshot's (folding and summing lose nothing); dropped and keys as
 * in the snapshot.
 */
#include "fuzz.h"
#include "fuzz_snapshot.h"

#include <inttypes.h>

#include "metrics.h"

/* The renderers' settings from a test's config. */
#define OPTS(cfg) render_opts_of((cfg), &(struct render_opts){ 0 })

struct sample {
	const char *name;
	size_t name_len;
	/* the label names, "uid,user,outcome"; the outcome and folded values */
	char labels[128];
	char outcome[16];
	bool folded;
	uint64_t value;
};

static bool name_char(char ch, bool first)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == ':' ||
	       (!first && ch >= '0' && ch <= '9');
}

/* Parses one sample line (no newline) into s; fails with what is wrong. */
static void parse_sample(const char *line, size_t len, struct sample *s, size_t lineno)
{
	size_t i = 0;

	memset(s, 0, sizeof(*s));
	s->name = line;
	while (i < len && name_char(line[i], i == 0))
		i++;
	if (i == 0)
		fuzz_fail("metrics line %zu: no metric name: %.*s", lineno, (int)len, line);
	s->name_len = i;
	if (i < len && line[i] == '{') {
		i++;
		while (i < len && line[i] != '}') {
			size_t name_start = i, value_start;
			char lname[32];

			if (s->labels[0])
				strcat(s->labels, ",");
			while (i < len && name_char(line[i], i == name_start))
				i++;
			if (i == name_start || i - name_start >= sizeof(lname) || i + 1 >= len ||
			    line[i] != '=' || line[i + 1] != '"')
				fuzz_fail("metrics line %zu: bad label name at byte %zu", lineno,
					  i);
			memcpy(lname, line + name_start, i - name_start);
			lname[i - name_start] = '\0';
			if (strlen(s->labels) + strlen(lname) + 2 > sizeof(s->labels))
				fuzz_fail("metrics line %zu: too many labels", lineno);
			strcat(s->labels, lname);
			i += 2;
			value_start = i;
			for (;;) {
				if (i >= len)
					fuzz_fail("metrics line %zu: unterminated label value",
						  lineno);
				if (line[i] == '"')
					break;
				if (line[i] == '\\') {
					if (i + 1 >= len || !strchr("\\\"n", line[i + 1]) ||
					    !line[i + 1])
						fuzz_fail(
							"metrics line %zu: bad escape at byte %zu",
							lineno, i);
					i += 2;
					continue;
				}
				i++;
			}
			if (strcmp(lname, "outcome") == 0) {
				size_t vlen = i - value_start;

				if (vlen >= sizeof(s->outcome))
					fuzz_fail("metrics line %zu: outcome too long", lineno);
				memcpy(s->outcome, line + value_start, vlen);
			} else if (strcmp(lname, "folded") == 0) {
				if (i - value_start != 4 ||
				    memcmp(line + value_start, "true", 4) != 0)
					fuzz_fail("metrics line %zu: folded not \"true\"", lineno);
				s->folded = true;
			}
			i++; /* the closing quote */
			if (i < len && line[i] == ',')
				i++;
			else if (i >= len || line[i] != '}')
				fuzz_fail("metrics line %zu: ',' or '}' expected at byte %zu",
					  lineno, i);
		}
		if (i >= len)
			fuzz_fail("metrics line %zu: unterminated label set", lineno);
		i++; /* } */
	}
	if (i >= len || line[i] != ' ')
		fuzz_fail("metrics line %zu: no space before the value", lineno);
	i++;
	if (i >= len)
		fuzz_fail("metrics line %zu: no value", lineno);
	for (size_t j = i; j < len; j++) {
		if (line[j] < '0' || line[j] > '9')
			fuzz_fail("metrics line %zu: value not a whole number: %.*s", lineno,
				  (int)(len - i), line + i);
		if (s->value > (UINT64_MAX - (uint64_t)(line[j] - '0')) / 10)
			fuzz_fail("metrics line %zu: value beyond 64 bits", lineno);
		s->value = s->value * 10 + (uint64_t)(line[j] - '0');
	}
}

static bool is_name(const struct sample *s, const char *name)
{
	return s->name_len == strlen(name) && memcmp(s->name, name, s->name_len) == 0;
}

static void expected_labels(const struct config *cfg, bool folded, char *buf, size_t size)
{
	static const char *const names[] = {
		[FIELD_UID] = "uid,user",
		[FIELD_COMM] = "comm",
		[FIELD_EXE] = "exe",
		[FIELD_CGROUP] = "cgroup,cgroup_id",
	};

	buf[0] = '\0';
	for (unsigned int f = 0; f < cfg->nby; f++) {
		strncat(buf, names[cfg->by[f]], size - strlen(buf) - 1);
		strncat(buf, ",", size - strlen(buf) - 1);
	}
	if (folded)
		strncat(buf, "folded,", size - strlen(buf) - 1);
	strncat(buf, "outcome", size - strlen(buf) - 1);
}

struct span {
	const char *s;
	size_t len;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* No two bcc_execcount_execs_total samples with the same label set (a scraper keeps one). */
static void check_unique(const struct fuzz_mem *m, size_t lines)
{
	static const char name[] = "bcc_execcount_execs_total{";
	struct span *all = calloc(lines ? lines : 1, sizeof(*all));
	size_t n = 0;

	if (!all)
		abort();
	for (size_t at = 0; at < m->len;) {
		const char *line = m->buf + at;
		size_t len = (size_t)((const char *)memchr(line, '\n', m->len - at) - line);

		at += len + 1;
		if (len > sizeof(name) - 1 && memcmp(line, name, sizeof(name) - 1) == 0)
			/* the labels end at the last "} ": values are digits */
			all[n++] = (struct span){
				line, (size_t)((const char *)memrchr(line, '}', len) - line)
			};
	}
	qsort(all, n, sizeof(*all), span_cmp);
	for (size_t i = 1; i < n; i++)
		if (span_cmp(&all[i - 1], &all[i]) == 0)
			fuzz_fail("metrics: two series with the same labels: %.*s", (int)all[i].len,
				  all[i].s);
	free(all);
}

static void render(const struct fuzz_case *fc, unsigned long max_series)
{
	static const char *const hooks[] = { "kprobe:__x64_sys_execve",
					     "kprobe:__x64_sys_execveat" };
	const struct run_about info = {
		.hooks = hooks,
		.nhooks = 2,
		.version = "0.0.0-fuzz",
		.libbcc_version = "0.0.0",
	};
	struct config cfg = fc->cfg;
	struct fuzz_mem m;
	uint64_t want_ok = 0, want_failed = 0, ok = 0, failed = 0;
	size_t series = 0, folded = 0, lineno = 0;
	bool seen_dropped = false, seen_keys = false;
	char labels[128], labels_folded[128];

	cfg.max_series = max_series;
	fuzz_mem_open(&m);
	if (metrics_render(m.f, OPTS(&cfg), SNAPSHOT_VIEW(&fc->snap), &info))
		fuzz_fail("metrics_render: error on a memory stream");
	fuzz_mem_done(&m);
	if (!m.len || m.buf[m.len - 1] != '\n')
		fuzz_fail("metrics: page does not end with a newline");
	expected_labels(&cfg, false, labels, sizeof(labels));
	expected_labels(&cfg, true, labels_folded, sizeof(labels_folded));
	for (size_t at = 0; at < m.len;) {
		const char *line = m.buf + at;
		const char *nl = memchr(line, '\n', m.len - at);
		size_t len = (size_t)(nl - line), bad = fuzz_utf8_check(line, len);
		struct sample s;

		lineno++;
		at += len + 1;
		if (bad != len)
			fuzz_fail("metrics line %zu: invalid UTF-8 at byte %zu", lineno, bad);
		if (len && line[0] == '#') {
			if (len < 7 ||
			    (memcmp(line, "# HELP ", 7) != 0 && memcmp(line, "# TYPE ", 7) != 0))
				fuzz_fail("metrics line %zu: a comment that is not HELP or TYPE",
					  lineno);
			continue;
		}
		parse_sample(line, len, &s, lineno);
		if (is_name(&s, "bcc_execcount_execs_total")) {
			if (strcmp(s.labels, s.folded ? labels_folded : labels) != 0)
				fuzz_fail("metrics line %zu: labels %s, not %s", lineno, s.labels,
					  s.folded ? labels_folded : labels);
			if (strcmp(s.outcome, "ok") == 0)
				ok += s.value;
			else if (strcmp(s.outcome, "failed") == 0)
				failed += s.value;
			else
				fuzz_fail("metrics line %zu: outcome \"%s\"", lineno, s.outcome);
			series++;
			folded += s.folded;
		} else if (is_name(&s, "bcc_execcount_dropped_total")) {
			if (s.value != fc->snap.dropped)
				fuzz_fail("metrics: dropped %" PRIu64 ", not %" PRIu64, s.value,
					  fc->snap.dropped);
			seen_dropped = true;
		} else if (is_name(&s, "bcc_execcount_keys")) {
			if (s.value != fc->snap.len)
				fuzz_fail("metrics: keys %" PRIu64 ", not %zu", s.value,
					  fc->snap.len);
			seen_keys = true;
		}
	}
	for (size_t i = 0; i < fc->snap.len; i++) {
		want_ok += fc->snap.rows[i].n.ok;
		want_failed += fc->snap.rows[i].n.failed;
	}
	/* sums modulo 2^64, as the folded key's are */
	if (ok != want_ok || failed != want_failed)
		fuzz_fail("metrics: ok %" PRIu64 " failed %" PRIu64 " on the page, %" PRIu64
			  " and %" PRIu64 " in the snapshot",
			  ok, failed, want_ok, want_failed);
	/* keys whose labels render the same are summed into one series: fewer, never more */
	if (series > 2 * (fc->snap.len < max_series ? fc->snap.len : max_series) || series % 2 ||
	    (fc->snap.len && !series))
		fuzz_fail("metrics: %zu series for %zu keys at --max-series %lu", series,
			  fc->snap.len, max_series);
	check_unique(&m, lineno);
	if (folded != (fc->snap.len > max_series ? 2u : 0u))
		fuzz_fail("metrics: %zu folded series for %zu keys at --max-series %lu", folded,
			  fc->snap.len, max_series);
	if (!seen_dropped || !seen_keys)
		fuzz_fail("metrics: no dropped or keys sample");
	fuzz_mem_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_case fc;
	size_t len;

	fuzz_case_build(&in, &fc);
	counts_sort(&fc.snap, ORDER_BY_COUNT); /* what metrics_render expects */
	len = fc.snap.len;
	render(&fc, fc.cfg.max_series);
	render(&fc, 1);
	if (len > 1)
		render(&fc, len - 1);
	if (len)
		render(&fc, len);
	render(&fc, len + 1);
	fuzz_case_free(&fc);
	return 0;
}
