// SPDX-License-Identifier: GPL-2.0
#include "output.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "text.h"

#define USER_WIDTH 16
#define COMM_WIDTH 16

static int stream_status(FILE *out)
{
	return ferror(out) ? -EIO : 0;
}

int format_rfc3339(char *buf, size_t len, const struct timespec *ts)
{
	struct tm tm;
	char secs[32];

	if (!gmtime_r(&ts->tv_sec, &tm) || !strftime(secs, sizeof(secs), "%Y-%m-%dT%H:%M:%S", &tm))
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "%s.%03ldZ", secs, ts->tv_nsec / 1000000) >= len)
		return -ENOSPC;
	return 0;
}

/*
 * A JSON string for any bytes: quotes, backslashes and control characters
 * escaped; valid UTF-8 kept; each byte of an invalid sequence becomes U+FFFD,
 * so the line is always valid JSON.
 */
void json_write_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	while (*p) {
		int n = utf8_len(p);

		if (n == 0) {
			fputs("\\ufffd", out);
			p++;
			continue;
		}
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fwrite(p, 1, n, out);
		p += n;
	}
	fputc('"', out);
}

static size_t shown(const struct render_opts *opts, const struct view *view)
{
	return opts->top && opts->top < view->len ? opts->top : view->len;
}

/*
 * A row's key columns gathered in memory and written with one fwrite() (what
 * is gathered goes out before a string, which json_write_string() writes).
 * An fprintf() per column parsed its format and its %s pieces and took the
 * stream's lock each time: about 1,250 instructions per row more than the
 * one fprintf() for uid and user before the field table (docs/performance.md).
 */
struct json_line {
	FILE *out;
	size_t len;
	char buf[256];
};

static void line_flush(struct json_line *l)
{
	if (l->len)
		fwrite(l->buf, 1, l->len, l->out);
	l->len = 0;
}

static void line_put(struct json_line *l, const char *s, size_t n)
{
	if (n > sizeof(l->buf) - l->len) {
		line_flush(l);
		if (n > sizeof(l->buf)) {
			fwrite(s, 1, n, l->out);
			return;
		}
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

/* n in decimal, as %PRIu64 writes it */
static void line_u64(struct json_line *l, uint64_t n)
{
	char digits[20];
	size_t i = sizeof(digits);

	do
		digits[--i] = (char)('0' + n % 10);
	while (n /= 10);
	line_put(l, digits + i, sizeof(digits) - i);
}

/* The key's columns, in --by order: numbers bare, unknown names null. */
static void json_write_key(FILE *out, const struct render_opts *opts, const struct count_row *row)
{
	struct json_line l = { .out = out };
	bool first = true;
	char num[24];
	bool number;
	uint64_t u;

	for (unsigned int f = 0; f < opts->nby; f++) {
		const struct key_field_info *field = key_field(opts->by[f]);

		for (unsigned int c = 0; c < field->ncolumns; c++) {
			const struct key_column *col = &field->columns[c];
			const char *v;

			line_put(&l, first ? "\"" : ",\"", first ? 1 : 2);
			first = false;
			line_put(&l, col->name, strlen(col->name));
			line_put(&l, "\":", 2);
			if (key_column_number(field, col, row, &u)) {
				line_u64(&l, u);
				continue;
			}
			v = key_column_value(field, col, row, num, &number);
			if (!v) {
				line_put(&l, "null", 4);
				continue;
			}
			line_flush(&l);
			json_write_string(out, v);
		}
	}
	line_flush(&l);
}

static void json_write_rows(FILE *out, const struct render_opts *opts, const struct view *view)
{
	fputs("\"rows\":[", out);
	for (size_t i = 0; i < shown(opts, view); i++) {
		const struct count_row *row = view_row(view, i);

		fputs(i ? ",{" : "{", out);
		json_write_key(out, opts, row);
		fprintf(out,
			",\"count\":%" PRIu64 ",\"execve\":%" PRIu64 ",\"execveat\":%" PRIu64
			",\"ok\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"delta\":%" PRIu64 "}",
			row->count, row->n.execve, row->n.execveat, row->n.ok, row->n.failed,
			row->delta);
	}
	fputc(']', out);
}

static void json_write_head(FILE *out, const char *type, const struct timespec *now)
{
	char ts[64] = "";

	format_rfc3339(ts, sizeof(ts), now);
	fprintf(out, "{\"type\":\"%s\",\"ts\":\"%s\"", type, ts);
}

static int json_start(FILE *out, const struct render_opts *opts, const struct run_about *info,
		      const struct timespec *now)
{
	const char *sep = "";

	json_write_head(out, "start", now);
	fputs(",\"hook\":", out);
	json_write_string(out, info->nhooks ? info->hooks[0] : "");
	fputs(",\"hooks\":[", out);
	for (unsigned int i = 0; i < info->nhooks; i++) {
		fputs(i ? "," : "", out);
		json_write_string(out, info->hooks[i]);
	}
	fputs("],\"by\":[", out);
	for (unsigned int f = 0; f < opts->nby; f++)
		fprintf(out, "%s\"%s\"", f ? "," : "", key_field_name(opts->by[f]));
	fputs("],\"syscalls\":[", out);
	for (unsigned int i = 0; i < SYSCALLS_N; i++)
		if (opts->syscalls & syscall_table[i].bit) {
			fprintf(out, "%s\"%s\"", sep, syscall_table[i].name);
			sep = ",";
		}
	fprintf(out, "],\"max_keys\":%lu,\"interval\":%u,\"probe\":", opts->max_keys,
		opts->interval);
	json_write_string(out, info->probe);
	fprintf(out, ",\"pid\":%ld,\"version\":", (long)info->pid);
	json_write_string(out, info->version);
	fputs("}\n", out);
	return stream_status(out);
}

static int json_rows(FILE *out, const struct render_opts *opts, const struct view *view,
		     const struct timespec *now, bool final)
{
	json_write_head(out, final ? "final" : "tick", now);
	fprintf(out, ",\"keys\":%zu,\"dropped\":%" PRIu64 ",", view->len, view->dropped);
	json_write_rows(out, opts, view);
	fputs("}\n", out);
	return stream_status(out);
}

/*
 * Text for a terminal: a valid UTF-8 character is one column, control
 * characters (C0, DEL, C1) and invalid bytes are shown as '?'.  With width > 0
 * the text is padded to width columns, and a longer one is cut with a '+' in
 * its last column; with width 0 it is written whole.
 */
static void term_text(FILE *out, const char *text, int width)
{
	const unsigned char *p = (const unsigned char *)text;
	int cols = 0;

	while (*p && (width == 0 || cols < width)) {
		int n = utf8_len(p);
		/* U+0080..U+009F, the C1 controls, are 0xc2 0x80..0x9f in UTF-8 */
		bool control = *p < 0x20 || *p == 0x7f || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0);

		if (width && cols == width - 1 && p[n ? n : 1]) {
			fputc('+', out);
			cols++;
			break;
		}
		if (n == 0 || control) {
			fputc('?', out);
			p += n ? n : 1;
		} else {
			fwrite(p, 1, n, out);
			p += n;
		}
		cols++;
	}
	/* the padding in one call, not a call per column: it is most of a row */
	if (cols < width)
		fprintf(out, "%*s", width - cols, "");
}

/* A number's heading is right-aligned over it. */
static bool number_heading(const struct key_field_info *field, const struct key_column *col)
{
	return col->name_offset < 0 && field->kind != KEY_STR;
}

/*
 * The table's key columns: the fields before the numbers in --by order, then
 * the numbers, then the tail fields (CGROUP, EXE) in the probe's order.
 */
static void table_cells(FILE *out, const struct render_opts *opts, const struct count_row *row,
			bool tail, int fit_width)
{
	char num[24];
	bool number;
	uint64_t u;

	for (unsigned int i = 0; i < (tail ? FIELD_COUNT_ : opts->nby); i++) {
		enum key_field id = tail ? key_probe_order[i] : opts->by[i];
		const struct key_field_info *field = key_field(id);

		if (field->tail != tail || !(opts->by_mask & 1u << id))
			continue;
		for (unsigned int c = 0; c < field->ncolumns; c++) {
			const struct key_column *col = &field->columns[c];
			int width = col->width == KEY_WIDTH_FIT ? fit_width : col->width;
			const char *v;

			if (!col->heading)
				continue;
			if (tail)
				fputc(' ', out);
			if (!row) {
				fprintf(out, number_heading(field, col) ? "%*s" : "%-*s", width,
					col->heading);
			} else {
				if (key_column_number(field, col, row, &u)) {
					fprintf(out, "%*" PRIu64, width, u);
				} else {
					v = key_column_value(field, col, row, num, &number);
					term_text(out, v ? v : col->unknown, width);
				}
			}
			if (!tail)
				fputc(' ', out);
		}
	}
}

static void table_header(FILE *out, const struct render_opts *opts, int fit_width)
{
	table_cells(out, opts, NULL, false, fit_width);
	fprintf(out, "%12s %10s %10s %10s", "COUNT", "OK", "FAILED", "DELTA");
	table_cells(out, opts, NULL, true, fit_width);
	fputc('\n', out);
}

static void table_row(FILE *out, const struct render_opts *opts, const struct count_row *row,
		      int fit_width)
{
	table_cells(out, opts, row, false, fit_width);
	fprintf(out, "%12" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64, row->count, row->n.ok,
		row->n.failed, row->delta);
	table_cells(out, opts, row, true, fit_width);
	fputc('\n', out);
}

/*
 * The live view's first line, after clearing the screen (ANSI: home, erase):
 * totals over every key, and the rate over the time since the last block
 * (longer than the interval after a stall).
 */
static void live_header(FILE *out, const struct render_opts *opts, const struct view *view,
			const char *when, bool final, const char *hook)
{
	uint64_t total = 0, delta = 0;

	for (size_t i = 0; i < view->len; i++) {
		total += view_row(view, i)->count;
		delta += view_row(view, i)->delta;
	}
	fprintf(out,
		"\033[H\033[2J"
		"bcc-execcount - %s%s  %s  every %u s  execs: %" PRIu64
		"  %.1f/s  keys: %zu  dropped: %" PRIu64 "\n\n",
		when, final ? " (final)" : "", hook, opts->interval, total,
		(double)delta / (view->seconds > 0 ? view->seconds : opts->interval), view->len,
		view->dropped);
}

/*
 * A KEY_WIDTH_FIT column (CGROUP) is padded to its longest entry shown, up to
 * 48 columns, when a tail column (EXE) follows it; else it is written whole (0).
 */
static int fit_width(const struct render_opts *opts, const struct view *view, size_t n)
{
	const struct key_field_info *fit_field = NULL;
	const struct key_column *fit_col = NULL;
	bool followed = false;
	int width;

	for (int i = 0; i < FIELD_COUNT_; i++) {
		const struct key_field_info *field = key_field(key_probe_order[i]);

		if (!field->tail || !(opts->by_mask & 1u << key_probe_order[i]))
			continue;
		followed = fit_col != NULL;
		for (unsigned int c = 0; c < field->ncolumns && !fit_col; c++)
			if (field->columns[c].width == KEY_WIDTH_FIT) {
				fit_field = field;
				fit_col = &field->columns[c];
			}
	}
	if (!followed)
		return 0;
	width = (int)strlen(fit_col->heading);
	for (size_t i = 0; i < n; i++) {
		char num[24];
		bool number;
		const char *v =
			key_column_value(fit_field, fit_col, view_row(view, i), num, &number);
		size_t len = strlen(v ? v : fit_col->unknown);

		if (len > (size_t)width)
			width = len < 48 ? (int)len : 48;
	}
	return width;
}

static int table_rows(FILE *out, const struct render_opts *opts, const struct view *view,
		      const struct timespec *now, bool final, const char *live_hook)
{
	struct tm tm;
	char when[16] = "";
	size_t n = shown(opts, view);
	int fit = fit_width(opts, view, n);

	if (localtime_r(&now->tv_sec, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (live_hook)
		live_header(out, opts, view, when, final, live_hook);
	else
		fprintf(out, "%s%s\n", when, final ? " (final)" : "");
	table_header(out, opts, fit);
	for (size_t i = 0; i < n; i++)
		table_row(out, opts, view_row(view, i), fit);
	if (n < view->len)
		fprintf(out, "(%zu more keys: --top %lu)\n", view->len - n, opts->top);
	if (view->dropped)
		fprintf(out,
			"dropped %" PRIu64
			" exec%s: the table is full at %lu key%s -- raise --max-keys\n",
			view->dropped, view->dropped == 1 ? "" : "s", opts->max_keys,
			opts->max_keys == 1 ? "" : "s");
	fputc('\n', out);
	return stream_status(out);
}

/* The Python original's print(): every entry followed by a tab, then a newline. */
static int classic_rows(FILE *out, const struct render_opts *opts, const struct view *view)
{
	for (size_t i = 0; i < shown(opts, view); i++)
		fprintf(out, "User ID %" PRIu32 " has invoked %" PRIu64 " times execve syscall!\t",
			view_row(view, i)->key.uid, view_row(view, i)->count);
	fputc('\n', out);
	return stream_status(out);
}

/* RFC 4180: a field with a comma, a double quote, CR or LF is quoted, its quotes doubled. */
void csv_write_field(FILE *out, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static int csv_header(FILE *out, const struct render_opts *opts)
{
	fputs("type,ts", out);
	for (unsigned int f = 0; f < opts->nby; f++) {
		const struct key_field_info *field = key_field(opts->by[f]);

		for (unsigned int c = 0; c < field->ncolumns; c++)
			fprintf(out, ",%s", field->columns[c].name);
	}
	fputs(",count,execve,execveat,ok,failed,delta\n", out);
	return stream_status(out);
}

static int csv_rows(FILE *out, const struct render_opts *opts, const struct view *view,
		    const struct timespec *now, bool final)
{
	char ts[64] = "", num[24];
	bool number;

	format_rfc3339(ts, sizeof(ts), now);
	for (size_t i = 0; i < shown(opts, view); i++) {
		const struct count_row *row = view_row(view, i);

		fprintf(out, "%s,%s", final ? "final" : "tick", ts);
		for (unsigned int f = 0; f < opts->nby; f++) {
			const struct key_field_info *field = key_field(opts->by[f]);

			for (unsigned int c = 0; c < field->ncolumns; c++) {
				const char *v = key_column_value(field, &field->columns[c], row,
								 num, &number);

				fputc(',', out);
				csv_write_field(out, v ? v : "");
			}
		}
		fprintf(out,
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			"\n",
			row->count, row->n.execve, row->n.execveat, row->n.ok, row->n.failed,
			row->delta);
	}
	return stream_status(out);
}

int output_start(const struct render_opts *opts, FILE *out, const struct run_about *info,
		 const struct timespec *now)
{
	if (opts->format == FORMAT_JSON)
		return json_start(out, opts, info, now);
	if (opts->format == FORMAT_CSV)
		return csv_header(out, opts);
	return 0;
}

int output_live(const struct render_opts *opts, FILE *out, const struct view *view,
		const struct timespec *now, bool final, const char *hook)
{
	return table_rows(out, opts, view, now, final, hook);
}

int output_rows(const struct render_opts *opts, FILE *out, const struct view *view,
		const struct timespec *now, bool final)
{
	switch (opts->format) {
	case FORMAT_JSON:
		return json_rows(out, opts, view, now, final);
	case FORMAT_CLASSIC:
		return classic_rows(out, opts, view);
	case FORMAT_CSV:
		return csv_rows(out, opts, view, now, final);
	case FORMAT_TABLE:
	default:
		return table_rows(out, opts, view, now, final, NULL);
	}
}
