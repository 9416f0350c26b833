// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_output.c - every output renderer on arbitrary keys.
 *
 * A configuration and a snapshot are made from the input (fuzz_snapshot.h:
 * any --by order, --sort, --top, arbitrary uid/comm/exe/cgroup bytes, user
 * names and cgroup paths, any counters and time), then rendered into memory
 * as table, live view, classic (when --by is uid alone, as cli_parse
 * demands), json and csv.
 *
 * Checked besides memory safety and UB:
 *  - table and live view: valid UTF-8, and no control byte reaches the
 *    terminal but the newlines (and the live view's leading clear-screen),
 *    whatever bytes the keys hold;
 *  - json: each line one valid JSON text (json_check.h: UTF-8, escapes,
 *    balanced quotes and brackets), two lines (start, then tick or final);
 *  - csv: every record has the header's number of fields (RFC 4180 quoting
 *    read back), one record per row shown;
 *  - classic: one line, the same text rules (tabs allowed: the original's separator);
 *  - every renderer returns 0 on a good stream.
 */
#include "fuzz.h"
#include "fuzz_snapshot.h"
#include "json_check.h"

#include "output.h"

/* The renderers' settings from a test's config. */
#define OPTS(cfg) render_opts_of((cfg), &(struct render_opts){ 0 })

static size_t rows_shown(const struct fuzz_case *fc)
{
	return fc->cfg.top && fc->cfg.top < fc->snap.len ? fc->cfg.top : fc->snap.len;
}

/* Terminal text: valid UTF-8 with no C0, DEL or C1 control characters but '\n' (and '\t' if tabs).
 */
static void check_terminal_text(const char *what, const char *s, size_t len, bool tabs)
{
	size_t bad = fuzz_utf8_check(s, len);

	if (bad != len)
		fuzz_fail("%s: invalid UTF-8 at byte %zu", what, bad);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x20 && ch != '\n' && !(tabs && ch == '\t')) || ch == 0x7f ||
		    (ch == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0))
			fuzz_fail("%s: control byte %#x at byte %zu", what, ch, i);
	}
}

static void render_table(struct fuzz_case *fc)
{
	struct fuzz_mem m;

	fc->cfg.format = FORMAT_TABLE;
	fuzz_mem_open(&m);
	if (output_start(OPTS(&fc->cfg), m.f, NULL, &fc->now) ||
	    output_rows(OPTS(&fc->cfg), m.f, SNAPSHOT_VIEW(&fc->snap), &fc->now, fc->final))
		fuzz_fail("table: error on a memory stream");
	fuzz_mem_done(&m);
	check_terminal_text("table", m.buf, m.len, false);
	fuzz_mem_free(&m);
}

static void render_live(struct fuzz_case *fc)
{
	static const char clear[] = "\033[H\033[2J";
	struct fuzz_mem m;

	fc->cfg.format = FORMAT_TABLE;
	fuzz_mem_open(&m);
	if (output_live(OPTS(&fc->cfg), m.f, SNAPSHOT_VIEW(&fc->snap), &fc->now, fc->final,
			fc->hook))
		fuzz_fail("live: error on a memory stream");
	fuzz_mem_done(&m);
	if (m.len < sizeof(clear) - 1 || memcmp(m.buf, clear, sizeof(clear) - 1) != 0)
		fuzz_fail("live: does not start by clearing the screen");
	check_terminal_text("live", m.buf + sizeof(clear) - 1, m.len - (sizeof(clear) - 1), false);
	fuzz_mem_free(&m);
}

static void render_classic(struct fuzz_case *fc)
{
	struct fuzz_mem m;

	if (fc->cfg.by_mask != 1u << FIELD_UID)
		return; /* cli_parse refuses classic with any other --by */
	fc->cfg.format = FORMAT_CLASSIC;
	fuzz_mem_open(&m);
	if (output_start(OPTS(&fc->cfg), m.f, NULL, &fc->now) ||
	    output_rows(OPTS(&fc->cfg), m.f, SNAPSHOT_VIEW(&fc->snap), &fc->now, fc->final))
		fuzz_fail("classic: error on a memory stream");
	fuzz_mem_done(&m);
	if (!m.len || memchr(m.buf, '\n', m.len) != m.buf + m.len - 1)
		fuzz_fail("classic: not exactly one line");
	check_terminal_text("classic", m.buf, m.len, true); /* a tab after each entry */
	fuzz_mem_free(&m);
}

static void render_json(struct fuzz_case *fc)
{
	static const char *const hooks[] = { "tracepoint:syscalls:sys_enter_execve",
					     "tracepoint:syscalls:sys_enter_execveat" };
	const struct run_about info = {
		.hooks = hooks,
		.nhooks = 2,
		.probe = "builtin",
		.pid = 1234,
		.version = "0.0.0-fuzz",
	};
	struct fuzz_mem m;
	size_t lines = 0;

	fc->cfg.format = FORMAT_JSON;
	fuzz_mem_open(&m);
	if (output_start(OPTS(&fc->cfg), m.f, &info, &fc->now) ||
	    output_rows(OPTS(&fc->cfg), m.f, SNAPSHOT_VIEW(&fc->snap), &fc->now, fc->final))
		fuzz_fail("json: error on a memory stream");
	fuzz_mem_done(&m);
	if (!m.len || m.buf[m.len - 1] != '\n')
		fuzz_fail("json: output does not end with a newline");
	for (size_t at = 0; at < m.len; lines++) {
		const char *nl = memchr(m.buf + at, '\n', m.len - at);
		size_t len = (size_t)(nl - (m.buf + at)), where;
		size_t bad = fuzz_utf8_check(m.buf + at, len);
		const char *why;

		if (bad != len)
			fuzz_fail("json line %zu: invalid UTF-8 at byte %zu", lines + 1, bad);
		why = json_check(m.buf + at, len, &where);
		if (why)
			fuzz_fail("json line %zu: %s at byte %zu: %.*s", lines + 1, why, where,
				  (int)len, m.buf + at);
		at += len + 1;
	}
	if (lines != 2)
		fuzz_fail("json: %zu lines, not start + one block", lines);
	fuzz_mem_free(&m);
}

/* RFC 4180 read back: the fields of each record; fails on a malformed quote. */
static void render_csv(struct fuzz_case *fc)
{
	struct fuzz_mem m;
	size_t records = 0, fields = 1, header_fields = 0;
	bool quoted = false, field_start = true;

	fc->cfg.format = FORMAT_CSV;
	fuzz_mem_open(&m);
	if (output_start(OPTS(&fc->cfg), m.f, NULL, &fc->now) ||
	    output_rows(OPTS(&fc->cfg), m.f, SNAPSHOT_VIEW(&fc->snap), &fc->now, fc->final))
		fuzz_fail("csv: error on a memory stream");
	fuzz_mem_done(&m);
	if (!m.len || m.buf[m.len - 1] != '\n')
		fuzz_fail("csv: output does not end with a newline");
	for (size_t i = 0; i < m.len; i++) {
		char ch = m.buf[i];

		if (quoted) {
			if (ch == '"') {
				if (i + 1 < m.len && m.buf[i + 1] == '"')
					i++;
				else
					quoted = false;
			}
			continue;
		}
		if (ch == '"') {
			if (!field_start)
				fuzz_fail("csv: a quote inside an unquoted field at byte %zu", i);
			quoted = true;
			field_start = false;
		} else if (ch == ',') {
			fields++;
			field_start = true;
		} else if (ch == '\n') {
			if (!records)
				header_fields = fields;
			else if (fields != header_fields)
				fuzz_fail("csv record %zu: %zu fields, the header has %zu",
					  records + 1, fields, header_fields);
			records++;
			fields = 1;
			field_start = true;
		} else if (ch == '\r') {
			fuzz_fail("csv: a bare CR at byte %zu", i);
		} else {
			if (!field_start && i && m.buf[i - 1] == '"')
				fuzz_fail("csv: text after a closing quote at byte %zu", i);
			field_start = false;
		}
	}
	if (quoted)
		fuzz_fail("csv: unterminated quoted field");
	if (records != 1 + rows_shown(fc))
		fuzz_fail("csv: %zu records for %zu rows shown", records, rows_shown(fc));
	fuzz_mem_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_case fc;

	fuzz_case_build(&in, &fc);
	render_table(&fc);
	render_live(&fc);
	render_classic(&fc);
	render_json(&fc);
	render_csv(&fc);
	fuzz_case_free(&fc);
	return 0;
}
