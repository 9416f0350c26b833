// SPDX-License-Identifier: GPL-2.0
#include "output.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define USER_WIDTH 16

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

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one. */
static int utf8_len(const unsigned char *s)
{
	int n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
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

static void json_write_rows(FILE *out, const struct snapshot *snap)
{
	fputs("\"rows\":[", out);
	for (size_t i = 0; i < snap->len; i++) {
		const struct count_row *row = &snap->rows[i];

		fprintf(out, "%s{\"uid\":%" PRIu32 ",\"user\":", i ? "," : "", row->uid);
		if (row->user)
			json_write_string(out, row->user);
		else
			fputs("null", out);
		fprintf(out, ",\"count\":%" PRIu64 ",\"delta\":%" PRIu64 "}", row->count,
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

static int json_start(FILE *out, const struct run_info *info, const struct timespec *now)
{
	json_write_head(out, "start", now);
	fputs(",\"hook\":", out);
	json_write_string(out, info->hook);
	fprintf(out, ",\"interval\":%u,\"probe\":", info->interval);
	json_write_string(out, info->probe);
	fprintf(out, ",\"pid\":%ld,\"version\":", (long)info->pid);
	json_write_string(out, info->version);
	fputs("}\n", out);
	return stream_status(out);
}

static int json_rows(FILE *out, const struct snapshot *snap, const struct timespec *now, bool final)
{
	json_write_head(out, final ? "final" : "tick", now);
	fputc(',', out);
	json_write_rows(out, snap);
	fputs("}\n", out);
	return stream_status(out);
}

/*
 * A user name for a terminal, padded to USER_WIDTH columns: a valid UTF-8
 * character is one column, control characters (C0, DEL, C1) and invalid bytes
 * are shown as '?', and a longer name is cut with a '+' in its last column.
 * buf holds at least USER_WIDTH * 4 + 1 bytes.
 */
static void table_user(char *buf, const char *user)
{
	const unsigned char *p = (const unsigned char *)(user ? user : "-");
	size_t out = 0;
	int cols = 0;

	while (*p && cols < USER_WIDTH) {
		int n = utf8_len(p);
		/* U+0080..U+009F, the C1 controls, are 0xc2 0x80..0x9f in UTF-8 */
		bool control = *p < 0x20 || *p == 0x7f || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0);

		if (cols == USER_WIDTH - 1 && p[n ? n : 1]) {
			buf[out++] = '+';
			cols++;
			break;
		}
		if (n == 0 || control) {
			buf[out++] = '?';
			p += n ? n : 1;
		} else {
			memcpy(buf + out, p, n);
			out += n;
			p += n;
		}
		cols++;
	}
	while (cols++ < USER_WIDTH)
		buf[out++] = ' ';
	buf[out] = '\0';
}

static int table_rows(FILE *out, const struct snapshot *snap, const struct timespec *now,
		      bool final)
{
	struct tm tm;
	char when[16] = "";
	char user[USER_WIDTH * 4 + 1];

	if (localtime_r(&now->tv_sec, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(out, "%s%s\n", when, final ? " (final)" : "");
	fprintf(out, "%10s %-*s %12s %10s\n", "UID", USER_WIDTH, "USER", "COUNT", "DELTA");
	for (size_t i = 0; i < snap->len; i++) {
		const struct count_row *row = &snap->rows[i];

		table_user(user, row->user);
		fprintf(out, "%10" PRIu32 " %s %12" PRIu64 " %10" PRIu64 "\n", row->uid, user,
			row->count, row->delta);
	}
	fputc('\n', out);
	return stream_status(out);
}

/* The Python original's print(): every entry followed by a tab, then a newline. */
static int classic_rows(FILE *out, const struct snapshot *snap)
{
	for (size_t i = 0; i < snap->len; i++)
		fprintf(out, "User ID %" PRIu32 " has invoked %" PRIu64 " times execve syscall!\t",
			snap->rows[i].uid, snap->rows[i].count);
	fputc('\n', out);
	return stream_status(out);
}

int output_start(enum output_format format, FILE *out, const struct run_info *info,
		 const struct timespec *now)
{
	return format == FORMAT_JSON ? json_start(out, info, now) : 0;
}

int output_rows(enum output_format format, FILE *out, const struct snapshot *snap,
		const struct timespec *now, bool final)
{
	switch (format) {
	case FORMAT_JSON:
		return json_rows(out, snap, now, final);
	case FORMAT_CLASSIC:
		return classic_rows(out, snap);
	case FORMAT_TABLE:
	default:
		return table_rows(out, snap, now, final);
	}
}
