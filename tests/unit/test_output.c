// SPDX-License-Identifier: GPL-2.0
/*
 * test_output.c - the renderers: JSON strings for any bytes, RFC 3339 times,
 * JSON lines that parse and carry the contract's fields, the classic line, the
 * table's columns and width, and -EIO from a stream that fails.
 */
#include "unit.h"

#include <ctype.h>
#include <stdbool.h>
#include <time.h>

#include "output.h"

/* 2025-11-25T01:40:30.123456789Z */
static const struct timespec when = { .tv_sec = 1764034830, .tv_nsec = 123456789 };

/* ---- a strict JSON checker (RFC 8259), written for these tests ---- */

struct json_in {
	const unsigned char *p, *end;
	int depth;
};

static bool j_value(struct json_in *j);

static void j_ws(struct json_in *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool j_eat(struct json_in *j, char c)
{
	j_ws(j);
	if (j->p < j->end && *j->p == (unsigned char)c) {
		j->p++;
		return true;
	}
	return false;
}

/* Length of a well-formed UTF-8 sequence at p (RFC 3629 table 3-7), 0 if it is not one. */
static size_t j_utf8(const unsigned char *p, size_t avail)
{
	static const struct {
		unsigned char lead_lo, lead_hi, second_lo, second_hi, len;
	} forms[] = {
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 }, { 0xe0, 0xe0, 0xa0, 0xbf, 3 },
		{ 0xe1, 0xec, 0x80, 0xbf, 3 }, { 0xed, 0xed, 0x80, 0x9f, 3 },
		{ 0xee, 0xef, 0x80, 0xbf, 3 }, { 0xf0, 0xf0, 0x90, 0xbf, 4 },
		{ 0xf1, 0xf3, 0x80, 0xbf, 4 }, { 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		if (p[0] < forms[f].lead_lo || p[0] > forms[f].lead_hi)
			continue;
		if (avail < forms[f].len || p[1] < forms[f].second_lo || p[1] > forms[f].second_hi)
			return 0;
		for (size_t i = 2; i < forms[f].len; i++)
			if (p[i] < 0x80 || p[i] > 0xbf)
				return 0;
		return forms[f].len;
	}
	return 0;
}

static bool j_string(struct json_in *j)
{
	if (!j_eat(j, '"'))
		return false;
	while (j->p < j->end) {
		unsigned char c = *j->p;
		size_t n;

		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (j->end - j->p < 2)
				return false;
			c = j->p[1];
			if (c == 'u') {
				if (j->end - j->p < 6)
					return false;
				for (int i = 2; i < 6; i++)
					if (!isxdigit(j->p[i]))
						return false;
				j->p += 6;
			} else if (c && strchr("\"\\/bfnrt", c)) {
				j->p += 2;
			} else {
				return false;
			}
			continue;
		}
		n = c < 0x80 ? 1 : j_utf8(j->p, j->end - j->p);
		if (!n)
			return false;
		j->p += n;
	}
	return false;
}

static bool j_digits(struct json_in *j)
{
	const unsigned char *start = j->p;

	while (j->p < j->end && isdigit(*j->p))
		j->p++;
	return j->p > start;
}

static bool j_number(struct json_in *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!(j->p < j->end && *j->p >= '1' && *j->p <= '9') || !j_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!j_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!j_digits(j))
			return false;
	}
	return true;
}

static bool j_literal(struct json_in *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool j_members(struct json_in *j, char close, bool keyed)
{
	if (++j->depth > 32)
		return false;
	if (j_eat(j, close))
		goto done;
	do {
		if (keyed && (!j_string(j) || !j_eat(j, ':')))
			return false;
		if (!j_value(j))
			return false;
	} while (j_eat(j, ','));
	if (!j_eat(j, close))
		return false;
done:
	j->depth--;
	return true;
}

static bool j_value(struct json_in *j)
{
	j_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
		j->p++;
		return j_members(j, '}', true);
	case '[':
		j->p++;
		return j_members(j, ']', false);
	case '"':
		return j_string(j);
	case 't':
		return j_literal(j, "true");
	case 'f':
		return j_literal(j, "false");
	case 'n':
		return j_literal(j, "null");
	default:
		return j_number(j);
	}
}

static bool json_valid(const char *text, size_t len)
{
	struct json_in j = { (const unsigned char *)text, (const unsigned char *)text + len, 0 };

	if (!j_value(&j))
		return false;
	j_ws(&j);
	return j.p == j.end;
}

/* Every line of text (each ending in '\n') is one valid JSON object. */
static void assert_json_lines(const char *text)
{
	size_t lines = 0;

	assert_true(*text);
	while (*text) {
		const char *nl = strchr(text, '\n');

		assert_non_null(nl);
		if (!json_valid(text, nl - text))
			print_error("not JSON: %.*s\n", (int)(nl - text), text);
		assert_true(json_valid(text, nl - text));
		assert_int_equal(*text, '{');
		text = nl + 1;
		lines++;
	}
	assert_true(lines > 0);
}

static void test_json_checker_self_check(void **state)
{
	static const char *const good[] = {
		"{}",
		"[]",
		"{\"a\":[1,-2,3.5,1e9,0,true,false,null]}",
		"\"\\u00e9\\n\"",
		"\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
		"{\"a\":{\"b\":\"\"}}",
		"18446744073709551615",
	};
	static const char *const bad[] = {
		"",
		"{",
		"{\"a\":1,}",
		"[1,]",
		"{\"a\" 1}",
		"{a:1}",
		"[01]",
		"[1.]",
		"[+1]",
		"\"\x01\"",
		"\"\\x41\"",
		"\"\\u12\"",
		"\"\xff\"",
		"\"\xc0\xaf\"",
		"\"\xed\xa0\x80\"",
		"\"\xf4\x90\x80\x80\"",
		"\"\xe2\x82\"",
		"\"abc",
		"{} {}",
		"nul",
		"[1]x",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!json_valid(good[i], strlen(good[i])))
			print_error("rejected: %s\n", good[i]);
		assert_true(json_valid(good[i], strlen(good[i])));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (json_valid(bad[i], strlen(bad[i])))
			print_error("accepted: %s\n", bad[i]);
		assert_false(json_valid(bad[i], strlen(bad[i])));
	}
}

/* ---- helpers ---- */

/* json_write_string(s) into a new string. */
static char *json_of(const char *s)
{
	struct capture c;

	capture_open(&c);
	json_write_string(c.f, s);
	fclose(c.f);
	return c.buf;
}

struct rendered {
	int rc;
	char *text;
};

static struct rendered render(enum output_format format, const struct snapshot *snap, bool final)
{
	struct capture c;
	struct rendered r;

	capture_open(&c);
	r.rc = output_rows(format, c.f, snap, &when, final);
	fclose(c.f);
	r.text = c.buf;
	return r;
}

static void push_row(struct snapshot *snap, uint32_t uid, const char *user, uint64_t count,
		     uint64_t delta)
{
	assert_int_equal(snapshot_push(snap, uid, count), 0);
	snap->rows[snap->len - 1].user = user;
	snap->rows[snap->len - 1].delta = delta;
}

/* ---- json_write_string ---- */

static void assert_json_string(const char *in, const char *want)
{
	char *got = json_of(in);

	if (strcmp(got, want) != 0)
		print_error("json_write_string: got %s want %s\n", got, want);
	assert_string_equal(got, want);
	assert_true(json_valid(got, strlen(got)));
	free(got);
}

static void test_json_string_plain(void **state)
{
	(void)state;
	assert_json_string("", "\"\"");
	assert_json_string("root", "\"root\"");
	assert_json_string("a b/c-d_e.f~", "\"a b/c-d_e.f~\"");
}

static void test_json_string_quote_backslash(void **state)
{
	(void)state;
	assert_json_string("\"", "\"\\\"\"");
	assert_json_string("\\", "\"\\\\\"");
	assert_json_string("a\"b\\c", "\"a\\\"b\\\\c\"");
	assert_json_string("\\\"\\\"", "\"\\\\\\\"\\\\\\\"\"");
}

static void test_json_string_control_bytes(void **state)
{
	(void)state;
	assert_json_string("\n", "\"\\n\"");
	assert_json_string("\t", "\"\\t\"");
	assert_json_string("\x01", "\"\\u0001\"");
	assert_json_string("\x1f", "\"\\u001f\"");
	assert_json_string("\r\b\f\x1b", "\"\\u000d\\u0008\\u000c\\u001b\"");
	assert_json_string("a\nb\tc\x01", "\"a\\nb\\tc\\u0001\"");
	/* DEL is legal in JSON, but escaped so a terminal shows it */
	assert_json_string("\x7f", "\"\\u007f\"");
	/* the first byte that needs no escape either side of the range */
	assert_json_string(" ~", "\" ~\"");
}

static void test_json_string_valid_utf8_kept(void **state)
{
	(void)state;
	assert_json_string("\xc2\x80", "\"\xc2\x80\"");			/* U+0080 */
	assert_json_string("caf\xc3\xa9", "\"caf\xc3\xa9\"");		/* 2 bytes */
	assert_json_string("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");		/* U+0800 */
	assert_json_string("\xe2\x82\xac", "\"\xe2\x82\xac\"");		/* euro, 3 bytes */
	assert_json_string("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");		/* U+D7FF */
	assert_json_string("\xee\x80\x80", "\"\xee\x80\x80\"");		/* U+E000 */
	assert_json_string("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");		/* U+FFFD itself */
	assert_json_string("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\""); /* U+10000 */
	assert_json_string("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""); /* emoji, 4 bytes */
	assert_json_string("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
	assert_json_string("\xe6\x97\xa5\xe6\x9c\xac", "\"\xe6\x97\xa5\xe6\x9c\xac\"");
}

static void test_json_string_invalid_utf8_replaced(void **state)
{
	(void)state;
	assert_json_string("\xff", "\"\\ufffd\"");
	assert_json_string("\xfe", "\"\\ufffd\"");
	assert_json_string("a\x80z", "\"a\\ufffdz\""); /* lone continuation */
	assert_json_string("\xbf", "\"\\ufffd\"");
	assert_json_string("x\xc3", "\"x\\ufffd\"");			   /* truncated at end */
	assert_json_string("x\xe2\x82", "\"x\\ufffd\\ufffd\"");		   /* truncated at end */
	assert_json_string("x\xf0\x9f\x98", "\"x\\ufffd\\ufffd\\ufffd\""); /* truncated at end */
	assert_json_string("\xe2\x82z", "\"\\ufffd\\ufffdz\"");		 /* truncated mid-string */
	assert_json_string("\xc3\"", "\"\\ufffd\\\"\"");		 /* cut by a quote */
	assert_json_string("\xc0\xaf", "\"\\ufffd\\ufffd\"");		 /* overlong '/' */
	assert_json_string("\xc1\xbf", "\"\\ufffd\\ufffd\"");		 /* overlong */
	assert_json_string("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""); /* overlong, 3 bytes */
	assert_json_string("\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* 4 bytes */
	assert_json_string("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate D800 */
	assert_json_string("\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate DFFF */
	assert_json_string("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* 0x110000 */
	assert_json_string("\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	assert_json_string("\xf8\x88\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
	/* invalid bytes between valid text: only the bad byte goes */
	assert_json_string("r\xffo\xc3\xa9t", "\"r\\ufffdo\xc3\xa9t\"");
}

/* ---- format_rfc3339 ---- */

static void test_rfc3339(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(format_rfc3339(buf, sizeof(buf), &(struct timespec){ 0, 0 }), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	assert_int_equal(format_rfc3339(buf, sizeof(buf), &when), 0);
	assert_string_equal(buf, "2025-11-25T01:40:30.123Z");
	/* milliseconds are truncated, never rounded up into the next second */
	assert_int_equal(
		format_rfc3339(buf, sizeof(buf), &(struct timespec){ 1764034830, 999999999 }), 0);
	assert_string_equal(buf, "2025-11-25T01:40:30.999Z");
	assert_int_equal(format_rfc3339(buf, sizeof(buf), &(struct timespec){ 86399, 1000000 }), 0);
	assert_string_equal(buf, "1970-01-01T23:59:59.001Z");
	/* a leap day */
	assert_int_equal(format_rfc3339(buf, sizeof(buf), &(struct timespec){ 951782400, 0 }), 0);
	assert_string_equal(buf, "2000-02-29T00:00:00.000Z");
}

static void test_rfc3339_short_buffer(void **state)
{
	char buf[32];

	(void)state;
	/* 24 characters need 25 bytes */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(format_rfc3339(buf, 25, &when), 0);
	assert_string_equal(buf, "2025-11-25T01:40:30.123Z");
	assert_int_equal(format_rfc3339(buf, 24, &when), -ENOSPC);
	assert_int_equal(format_rfc3339(buf, 10, &when), -ENOSPC);
	assert_int_equal(format_rfc3339(buf, 1, &when), -ENOSPC);
	assert_int_equal(format_rfc3339(buf, 0, &when), -ENOSPC);
}

/* ---- json lines ---- */

static const struct run_info info = {
	.hook = "kprobe:__x64_sys_execve",
	.probe = "builtin",
	.interval = 5,
	.pid = 1234,
	.version = "0.1.0",
};

static void test_json_start(void **state)
{
	struct capture c;

	(void)state;
	capture_open(&c);
	assert_int_equal(output_start(FORMAT_JSON, c.f, &info, &when), 0);
	assert_string_equal(capture_text(&c),
			    "{\"type\":\"start\",\"ts\":\"2025-11-25T01:40:30.123Z\","
			    "\"hook\":\"kprobe:__x64_sys_execve\",\"interval\":5,"
			    "\"probe\":\"builtin\",\"pid\":1234,\"version\":\"0.1.0\"}\n");
	assert_json_lines(c.buf);
	capture_close(&c);
}

static void test_json_start_odd_probe_path(void **state)
{
	struct run_info odd = info;
	struct capture c;

	(void)state;
	odd.hook = "tracepoint:syscalls:sys_enter_execve";
	odd.probe = "/tmp/my \"probe\"\\\n\xff.c";
	odd.interval = 86400;
	odd.pid = 4194304;
	capture_open(&c);
	assert_int_equal(output_start(FORMAT_JSON, c.f, &odd, &when), 0);
	assert_string_equal(capture_text(&c),
			    "{\"type\":\"start\",\"ts\":\"2025-11-25T01:40:30.123Z\","
			    "\"hook\":\"tracepoint:syscalls:sys_enter_execve\",\"interval\":86400,"
			    "\"probe\":\"/tmp/my \\\"probe\\\"\\\\\\n\\ufffd.c\",\"pid\":4194304,"
			    "\"version\":\"0.1.0\"}\n");
	assert_json_lines(c.buf);
	capture_close(&c);
}

static void test_json_start_only_for_json(void **state)
{
	struct capture c;

	(void)state;
	capture_open(&c);
	assert_int_equal(output_start(FORMAT_TABLE, c.f, &info, &when), 0);
	assert_int_equal(output_start(FORMAT_CLASSIC, c.f, &info, &when), 0);
	assert_string_equal(capture_text(&c), "");
	assert_int_equal(output_start(FORMAT_JSON, c.f, &info, &when), 0);
	assert_int_equal(count_lines(capture_text(&c)), 1);
	capture_close(&c);
}

/* Rows that stress the JSON writer: a NULL user, uids >= 2^31, counts > 2^32, odd bytes. */
static void fill_odd_rows(struct snapshot *snap)
{
	push_row(snap, 0, "root", 3, 1);
	push_row(snap, 4294967295u, NULL, 5000000000ull, 4294967297ull);
	push_row(snap, 2147483648u, "we\"ird\xff\x01", UINT64_MAX, 0);
	push_row(snap, 1000, "caf\xc3\xa9", 1, 1);
}

static void test_json_tick(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;

	(void)state;
	fill_odd_rows(&snap);
	r = render(FORMAT_JSON, &snap, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(
		r.text,
		"{\"type\":\"tick\",\"ts\":\"2025-11-25T01:40:30.123Z\",\"rows\":["
		"{\"uid\":0,\"user\":\"root\",\"count\":3,\"delta\":1},"
		"{\"uid\":4294967295,\"user\":null,\"count\":5000000000,\"delta\":4294967297},"
		"{\"uid\":2147483648,\"user\":\"we\\\"ird\\ufffd\\u0001\","
		"\"count\":18446744073709551615,\"delta\":0},"
		"{\"uid\":1000,\"user\":\"caf\xc3\xa9\",\"count\":1,\"delta\":1}]}\n");
	assert_json_lines(r.text);
	free(r.text);
	snapshot_free(&snap);
}

static void test_json_final_and_empty(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;

	(void)state;
	r = render(FORMAT_JSON, &snap, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(
		r.text, "{\"type\":\"tick\",\"ts\":\"2025-11-25T01:40:30.123Z\",\"rows\":[]}\n");
	assert_json_lines(r.text);
	free(r.text);

	r = render(FORMAT_JSON, &snap, true);
	assert_int_equal(r.rc, 0);
	assert_string_equal(
		r.text, "{\"type\":\"final\",\"ts\":\"2025-11-25T01:40:30.123Z\",\"rows\":[]}\n");
	free(r.text);

	push_row(&snap, 7, "seven", 2, 2);
	r = render(FORMAT_JSON, &snap, true);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text,
			    "{\"type\":\"final\",\"ts\":\"2025-11-25T01:40:30.123Z\",\"rows\":["
			    "{\"uid\":7,\"user\":\"seven\",\"count\":2,\"delta\":2}]}\n");
	assert_json_lines(r.text);
	free(r.text);
	snapshot_free(&snap);
}

/* The renderer prints rows in the order given: sorting is the caller's job. */
static void test_json_keeps_row_order(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;
	const char *a, *b;

	(void)state;
	push_row(&snap, 5, NULL, 1, 0);
	push_row(&snap, 2, NULL, 9, 0);
	r = render(FORMAT_JSON, &snap, false);
	a = strstr(r.text, "\"uid\":5");
	b = strstr(r.text, "\"uid\":2");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	free(r.text);
	snapshot_free(&snap);
}

/*
 * A second, independent parser: python's json module reads every line (as
 * strict UTF-8), checks the contract's keys and types, and prints each row
 * back; the test compares what it decoded.
 */
static const char python_check[] =
	"import json, sys\n"
	"for raw in sys.stdin.buffer:\n"
	"    d = json.loads(raw.decode(\"utf-8\"))\n"
	"    t = d[\"type\"]\n"
	"    assert isinstance(d[\"ts\"], str) and d[\"ts\"].endswith(\"Z\"), d\n"
	"    if t == \"start\":\n"
	"        assert set(d) == {\"type\", \"ts\", \"hook\", \"interval\", \"probe\", \"pid\", "
	"\"version\"}, d\n"
	"        assert type(d[\"interval\"]) is int and type(d[\"pid\"]) is int, d\n"
	"        print(t, d[\"hook\"], d[\"interval\"], ascii(d[\"probe\"]), d[\"pid\"], "
	"d[\"version\"])\n"
	"        continue\n"
	"    assert t in (\"tick\", \"final\") and set(d) == {\"type\", \"ts\", \"rows\"}, d\n"
	"    print(t, len(d[\"rows\"]))\n"
	"    for r in d[\"rows\"]:\n"
	"        assert set(r) == {\"uid\", \"user\", \"count\", \"delta\"}, r\n"
	"        assert all(type(r[k]) is int and r[k] >= 0 for k in (\"uid\", \"count\", "
	"\"delta\")), r\n"
	"        assert r[\"uid\"] < 2**32 and r[\"count\"] < 2**64 and r[\"delta\"] < 2**64, r\n"
	"        assert r[\"user\"] is None or type(r[\"user\"]) is str, r\n"
	"        print(r[\"uid\"], ascii(r[\"user\"]), r[\"count\"], r[\"delta\"])\n";

static void test_json_lines_parse_in_python(void **state)
{
	static const char python[] = "/usr/bin/python3";
	struct snapshot snap = { 0 };
	struct run_info odd = info;
	char dir[PATH_MAX], lines_path[PATH_MAX + 16], script_path[PATH_MAX + 16];
	char cmd[3 * PATH_MAX];
	struct capture lines, got;
	FILE *proc;
	char buf[256];
	size_t n;

	(void)state;
	if (access(python, X_OK) != 0) {
		print_message("skipped: %s is not installed, the C checker still ran\n", python);
		skip();
	}
	odd.probe = "/tmp/p\xc3\xa9 \"x\"\xff.c";

	capture_open(&lines);
	fill_odd_rows(&snap);
	assert_int_equal(output_start(FORMAT_JSON, lines.f, &odd, &when), 0);
	assert_int_equal(output_rows(FORMAT_JSON, lines.f, &snap, &when, false), 0);
	assert_int_equal(output_rows(FORMAT_JSON, lines.f, &snap, &when, true), 0);
	snap.len = 0;
	assert_int_equal(output_rows(FORMAT_JSON, lines.f, &snap, &when, true), 0);
	capture_text(&lines);
	assert_json_lines(lines.buf);

	tmpdir_make(dir);
	snprintf(lines_path, sizeof(lines_path), "%s/lines", dir);
	snprintf(script_path, sizeof(script_path), "%s/check.py", dir);
	write_file(dir, "lines", lines.buf, lines.len);
	write_file(dir, "check.py", python_check, strlen(python_check));
	snprintf(cmd, sizeof(cmd), "%s %s < %s", python, script_path, lines_path);

	capture_open(&got);
	proc = popen(cmd, "r");
	assert_non_null(proc);
	while ((n = fread(buf, 1, sizeof(buf), proc)) > 0)
		fwrite(buf, 1, n, got.f);
	assert_int_equal(pclose(proc), 0);
	assert_string_equal(
		capture_text(&got),
		"start kprobe:__x64_sys_execve 5 '/tmp/p\\xe9 \"x\"\\ufffd.c' 1234 0.1.0\n"
		"tick 4\n"
		"0 'root' 3 1\n"
		"4294967295 None 5000000000 4294967297\n"
		"2147483648 'we\"ird\\ufffd\\x01' 18446744073709551615 0\n"
		"1000 'caf\\xe9' 1 1\n"
		"final 4\n"
		"0 'root' 3 1\n"
		"4294967295 None 5000000000 4294967297\n"
		"2147483648 'we\"ird\\ufffd\\x01' 18446744073709551615 0\n"
		"1000 'caf\\xe9' 1 1\n"
		"final 0\n");
	capture_close(&got);
	capture_close(&lines);
	tmpdir_remove(dir);
	snapshot_free(&snap);
}

/* ---- classic ---- */

static void test_classic(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;

	(void)state;
	r = render(FORMAT_CLASSIC, &snap, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "\n");
	free(r.text);

	push_row(&snap, 0, "root", 2, 1);
	push_row(&snap, 1001, NULL, 16, 16);
	r = render(FORMAT_CLASSIC, &snap, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "User ID 0 has invoked 2 times execve syscall!\t"
				    "User ID 1001 has invoked 16 times execve syscall!\t\n");
	free(r.text);

	/* the final block looks like any other; full 32-bit uids and 64-bit counts */
	push_row(&snap, 4294967295u, NULL, 5000000000ull, 0);
	r = render(FORMAT_CLASSIC, &snap, true);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text,
			    "User ID 0 has invoked 2 times execve syscall!\t"
			    "User ID 1001 has invoked 16 times execve syscall!\t"
			    "User ID 4294967295 has invoked 5000000000 times execve syscall!\t\n");
	free(r.text);
	snapshot_free(&snap);
}

/* ---- table ---- */

/* Split text into its lines (each '\n' ends one); the pointers point into *copy. */
static size_t split_lines(const char *text, char **copy, char *line[], size_t max)
{
	size_t n = 0;
	char *p;

	*copy = strdup(text);
	assert_non_null(*copy);
	p = *copy;
	while (*p) {
		char *nl = strchr(p, '\n');

		assert_non_null(nl); /* no unterminated last line */
		assert_true(n < max);
		*nl = '\0';
		line[n++] = p;
		p = nl + 1;
	}
	return n;
}

/* Start and end (one past) columns of the idx-th blank-separated field of line. */
static void field_span(const char *line, int idx, size_t *start, size_t *end)
{
	size_t i = 0;

	for (int f = 0;; f++) {
		while (line[i] == ' ')
			i++;
		assert_true(line[i] != '\0');
		*start = i;
		while (line[i] && line[i] != ' ')
			i++;
		*end = i;
		if (f == idx)
			return;
	}
}

static void field_text(const char *line, int idx, char *buf, size_t len)
{
	size_t start, end;

	field_span(line, idx, &start, &end);
	assert_true(end - start < len);
	memcpy(buf, line + start, end - start);
	buf[end - start] = '\0';
}

/* A data line of the table: its four fields, each aligned with its header. */
static void assert_table_row(const char *header, const char *line, const char *uid,
			     const char *user, const char *count, const char *delta)
{
	const char *want[4] = { uid, user, count, delta };
	size_t hs, he, ls, le;
	char buf[64];

	for (int f = 0; f < 4; f++) {
		field_text(line, f, buf, sizeof(buf));
		if (strcmp(buf, want[f]) != 0)
			print_error("field %d of \"%s\": got \"%s\" want \"%s\"\n", f, line, buf,
				    want[f]);
		assert_string_equal(buf, want[f]);
		field_span(header, f, &hs, &he);
		field_span(line, f, &ls, &le);
		if (f == 1)
			assert_int_equal(ls, hs); /* USER: left-aligned */
		else
			assert_int_equal(le, he); /* numbers: right-aligned */
	}
	/* nothing after DELTA */
	assert_int_equal(strlen(line), le);
}

static int table_setup(void **state)
{
	(void)state;
	/* the time line is local time: make it known */
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void test_table_layout(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;
	char *copy, *line[16];
	char buf[32];
	size_t n;

	(void)state;
	push_row(&snap, 0, "root", 3, 1);
	push_row(&snap, 1000, "alice", 1234567, 12);
	push_row(&snap, 65534, NULL, 1, 0);
	/* the widest values that fit their columns */
	push_row(&snap, 4294967295u, "abcdefghijklmnop", 999999999999ull, 9999999999ull);
	r = render(FORMAT_TABLE, &snap, false);
	assert_int_equal(r.rc, 0);
	n = split_lines(r.text, &copy, line, 16);
	/* time, header, four rows, a blank line between blocks */
	assert_int_equal(n, 7);
	assert_string_equal(line[0], "01:40:30");
	for (int f = 0; f < 4; f++) {
		static const char *const names[] = { "UID", "USER", "COUNT", "DELTA" };

		field_text(line[1], f, buf, sizeof(buf));
		assert_string_equal(buf, names[f]);
	}
	assert_table_row(line[1], line[2], "0", "root", "3", "1");
	assert_table_row(line[1], line[3], "1000", "alice", "1234567", "12");
	assert_table_row(line[1], line[4], "65534", "-", "1", "0"); /* no user: '-' */
	assert_table_row(line[1], line[5], "4294967295", "abcdefghijklmnop", "999999999999",
			 "9999999999");
	/* at full width the fields still have a blank between them */
	assert_string_equal(line[5], "4294967295 abcdefghijklmnop 999999999999 9999999999");
	assert_string_equal(line[6], "");
	free(copy);
	free(r.text);
	snapshot_free(&snap);
}

static void test_table_final_and_empty(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;
	char *copy, *line[8];

	(void)state;
	r = render(FORMAT_TABLE, &snap, true);
	assert_int_equal(r.rc, 0);
	assert_int_equal(split_lines(r.text, &copy, line, 8), 3);
	assert_string_equal(line[0], "01:40:30 (final)");
	assert_non_null(strstr(line[1], "UID"));
	assert_string_equal(line[2], "");
	free(copy);
	free(r.text);

	r = render(FORMAT_TABLE, &snap, false);
	assert_int_equal(split_lines(r.text, &copy, line, 8), 3);
	assert_string_equal(line[0], "01:40:30");
	assert_null(strstr(r.text, "final"));
	free(copy);
	free(r.text);
}

static void test_table_fits_80_columns(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;
	char *copy, *line[8];
	size_t n;

	(void)state;
	push_row(&snap, 4294967295u, "averyveryverylongusernameindeed", UINT64_MAX, UINT64_MAX);
	push_row(&snap, 2147483648u, NULL, 10000000000000000000ull, 0);
	r = render(FORMAT_TABLE, &snap, true);
	assert_int_equal(r.rc, 0);
	n = split_lines(r.text, &copy, line, 8);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		if (strlen(line[i]) >= 80)
			print_error("line %zu is %zu columns: %s\n", i, strlen(line[i]), line[i]);
		assert_true(strlen(line[i]) < 80);
	}
	/* the values are whole even where they overflow their column */
	assert_non_null(strstr(line[2], "4294967295 "));
	assert_non_null(strstr(line[2], " 18446744073709551615 18446744073709551615"));
	assert_non_null(strstr(line[3], "2147483648 "));
	assert_non_null(strstr(line[3], " 10000000000000000000 "));
	free(copy);
	free(r.text);
	snapshot_free(&snap);
}

static void test_table_user_names(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;
	char *copy, *line[16];

	(void)state;
	push_row(&snap, 1, "averyveryverylongusername", 5, 5);
	push_row(&snap, 2, "abcdefghijklmnop", 5, 5);  /* exactly 16: whole */
	push_row(&snap, 3, "abcdefghijklmnopq", 5, 5); /* 17: cut */
	push_row(&snap, 4,
		 "a\tb\x01"
		 "c\x7f\x1b",
		 5, 5);
	push_row(&snap, 5, "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n", 5, 5);
	push_row(&snap, 6, NULL, 5, 5);
	push_row(&snap, 7, "", 5, 5);
	r = render(FORMAT_TABLE, &snap, false);
	assert_int_equal(r.rc, 0);
	/* control bytes never reach the terminal: one line per row, no escapes */
	assert_int_equal(split_lines(r.text, &copy, line, 16), 10);
	assert_null(strpbrk(r.text, "\t\x01\x7f\x1b"));
	assert_table_row(line[1], line[2], "1", "averyveryverylo+", "5", "5");
	assert_table_row(line[1], line[3], "2", "abcdefghijklmnop", "5", "5");
	assert_table_row(line[1], line[4], "3", "abcdefghijklmno+", "5", "5");
	assert_table_row(line[1], line[5], "4", "a?b?c??", "5", "5");
	assert_table_row(line[1], line[6], "5", "???????????????+", "5", "5");
	assert_table_row(line[1], line[7], "6", "-", "5", "5");
	/* an empty name leaves the USER column blank, the numbers still aligned */
	assert_true(strlen(line[8]) == strlen(line[7]));
	assert_string_equal(line[9], "");
	free(copy);
	free(r.text);
	snapshot_free(&snap);
}

/* Display columns of a UTF-8 line: one per character. */
static size_t utf8_columns(const char *s)
{
	size_t cols = 0;

	for (; *s; s++)
		cols += ((unsigned char)*s & 0xc0) != 0x80;
	return cols;
}

static void test_table_utf8_user_names(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;
	char *copy, *line[16];

	(void)state;
	push_row(&snap, 1, "jos\xc3\xa9", 5, 5); /* josé: 4 columns, 5 bytes */
	push_row(&snap, 2,
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 5, 5);
	push_row(&snap, 3,
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
		 5, 5);
	push_row(&snap, 4,
		 "a\xc2\x85"
		 "b\xff",
		 5, 5); /* a C1 control (NEL), an invalid byte */
	r = render(FORMAT_TABLE, &snap, false);
	assert_int_equal(r.rc, 0);
	assert_int_equal(split_lines(r.text, &copy, line, 16), 7);
	assert_string_equal(line[2], "         1 jos\xc3\xa9                        5          5");
	assert_string_equal(
		line[3],
		"         2 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"                   5          5");
	/* 17 characters: 15 kept whole, then '+', never half a character */
	assert_string_equal(
		line[4],
		"         3 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9+            5          5");
	assert_string_equal(line[5], "         4 a?b?                        5          5");
	/* every row as wide as the header on screen */
	for (int i = 2; i <= 5; i++)
		assert_int_equal(utf8_columns(line[i]), strlen(line[1]));
	free(copy);
	free(r.text);
	snapshot_free(&snap);
}

/* ---- failing streams ---- */

static FILE *open_full(int mode)
{
	FILE *f = fopen("/dev/full", "w");

	assert_non_null(f);
	assert_int_equal(setvbuf(f, NULL, mode, 0), 0);
	return f;
}

static void test_failed_stream_is_eio(void **state)
{
	static const enum output_format formats[] = { FORMAT_TABLE, FORMAT_CLASSIC, FORMAT_JSON };
	/* unbuffered, and line-buffered as main() makes stdout */
	static const int modes[] = { _IONBF, _IOLBF };
	struct snapshot snap = { 0 };

	(void)state;
	if (access("/dev/full", W_OK) != 0) {
		print_message("skipped: no writable /dev/full to fail writes on\n");
		skip();
	}
	push_row(&snap, 0, "root", 1, 1);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
			FILE *f = open_full(modes[m]);

			assert_int_equal(output_rows(formats[i], f, &snap, &when, false), -EIO);
			/* the failure sticks */
			assert_int_equal(output_rows(formats[i], f, &snap, &when, true), -EIO);
			fclose(f);
		}
		{
			FILE *f = open_full(modes[m]);

			assert_int_equal(output_start(FORMAT_JSON, f, &info, &when), -EIO);
			fclose(f);
		}
	}
	/* an empty block still writes, and still fails */
	snap.len = 0;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		FILE *f = open_full(_IONBF);

		assert_int_equal(output_rows(formats[i], f, &snap, &when, false), -EIO);
		fclose(f);
	}
	snapshot_free(&snap);
}

static void test_healthy_stream_is_zero(void **state)
{
	static const enum output_format formats[] = { FORMAT_TABLE, FORMAT_CLASSIC, FORMAT_JSON };
	struct snapshot snap = { 0 };
	FILE *f = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(f);
	push_row(&snap, 0, "root", 1, 1);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		assert_int_equal(output_start(formats[i], f, &info, &when), 0);
		assert_int_equal(output_rows(formats[i], f, &snap, &when, false), 0);
		assert_int_equal(output_rows(formats[i], f, &snap, &when, true), 0);
	}
	fclose(f);
	snapshot_free(&snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_checker_self_check),
		cmocka_unit_test(test_json_string_plain),
		cmocka_unit_test(test_json_string_quote_backslash),
		cmocka_unit_test(test_json_string_control_bytes),
		cmocka_unit_test(test_json_string_valid_utf8_kept),
		cmocka_unit_test(test_json_string_invalid_utf8_replaced),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_rfc3339_short_buffer),
		cmocka_unit_test(test_json_start),
		cmocka_unit_test(test_json_start_odd_probe_path),
		cmocka_unit_test(test_json_start_only_for_json),
		cmocka_unit_test(test_json_tick),
		cmocka_unit_test(test_json_final_and_empty),
		cmocka_unit_test(test_json_keeps_row_order),
		cmocka_unit_test(test_json_lines_parse_in_python),
		cmocka_unit_test(test_classic),
		cmocka_unit_test(test_table_layout),
		cmocka_unit_test(test_table_final_and_empty),
		cmocka_unit_test(test_table_fits_80_columns),
		cmocka_unit_test(test_table_user_names),
		cmocka_unit_test(test_table_utf8_user_names),
		cmocka_unit_test(test_failed_stream_is_eio),
		cmocka_unit_test(test_healthy_stream_is_zero),
	};

	return cmocka_run_group_tests(tests, table_setup, NULL);
}
