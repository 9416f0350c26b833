// SPDX-License-Identifier: GPL-2.0
/*
 * test_output.c - the renderers: JSON strings for any bytes, RFC 3339 times,
 * JSON lines that parse (a strict checker here, python's json module too) and
 * carry the contract's fields for every --by list (start: hooks, by,
 * syscalls, max_keys; tick/final: keys, dropped, rows of the --by fields then
 * count/execve/execveat/ok/failed/delta), comm/exe/cgroup with odd bytes, the
 * classic line, the table's columns for each key (UID USER, COMM, the numbers,
 * then CGROUP/EXE paths) with odd bytes shown as '?', --top and its note, the
 * dropped line, CSV (the header per --by, RFC 4180 quoting of comma, quote, CR
 * and LF, empty fields for missing names, --top, nothing for an empty block,
 * tick/final rows, read back by python's csv module), the live view (clear,
 * the header line with totals over every key, the rate with one decimal,
 * keys, dropped, "(final)", then the table), and -EIO from a stream that fails.
 */
#include "unit.h"

#include <ctype.h>
#include <stdbool.h>
#include <time.h>

#include "output.h"

/* The renderers' settings from a test's config. */
#define OPTS(cfg) render_opts_of((cfg), &(struct render_opts){ 0 })

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
	return written_by(json_write_string, s);
}

/* A config as cli_parse() makes it: format, a --by list such as "uid,comm", --top (0: all). */
static struct config make_cfg(enum output_format format, const char *by, unsigned long top)
{
	struct config cfg = {
		.action = CLI_RUN,
		.attach = ATTACH_AUTO,
		.format = format,
		.interval = 5,
		.syscalls = SYSCALL_EXECVE | SYSCALL_EXECVEAT,
		.max_keys = 10240,
		.top = top,
	};
	char list[64], *save = NULL;

	assert_true(strlen(by) < sizeof(list));
	strcpy(list, by);
	for (char *f = strtok_r(list, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		int field = key_field_parse(f);

		assert_true(field >= 0);
		assert_true(cfg.nby < FIELD_COUNT_);
		assert_false(cfg.by_mask & 1u << field);
		cfg.by[cfg.nby++] = field;
		cfg.by_mask |= 1u << field;
	}
	return cfg;
}

struct rendered {
	int rc;
	char *text;
};

static struct rendered render(const struct config *cfg, const struct snapshot *snap, bool final)
{
	struct capture c;
	struct rendered r;

	capture_open(&c);
	r.rc = output_rows(OPTS(cfg), c.f, SNAPSHOT_VIEW(snap), &when, final);
	fclose(c.f);
	r.text = c.buf;
	return r;
}

/* render() for a format and --by list, with every row shown. */
static struct rendered render_as(enum output_format format, const char *by,
				 const struct snapshot *snap, bool final)
{
	struct config cfg = make_cfg(format, by, 0);

	return render(&cfg, snap, final);
}

/* A row keyed by every field; returns it for the caller to name (valid until the next push). */
static struct count_row *push_key(struct snapshot *snap, uint32_t uid, const char *comm,
				  const char *exe, uint64_t cgroup, uint64_t execve,
				  uint64_t execveat, uint64_t ok, uint64_t failed)
{
	struct exec_key key;
	struct exec_counts n = {
		.execve = execve, .execveat = execveat, .ok = ok, .failed = failed
	};

	memset(&key, 0, sizeof(key));
	key.uid = uid;
	assert_true(strlen(comm) <= KEY_COMM_LEN && strlen(exe) <= KEY_EXE_LEN);
	strcpy(key.comm, comm);
	strcpy(key.exe, exe);
	key.cgroup = cgroup;
	assert_int_equal(snapshot_push(snap, &key, &n), 0);
	return &snap->rows[snap->len - 1];
}

/* A row keyed by uid: count execs, all execve, all succeeded. */
static void push_row(struct snapshot *snap, uint32_t uid, const char *user, uint64_t count,
		     uint64_t delta)
{
	struct count_row *row = push_key(snap, uid, "", "", 0, count, 0, count, 0);

	row->user = user;
	row->delta = delta;
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

static const char *const kprobe_hooks[] = {
	"kprobe:__x64_sys_execve",
	"kprobe:__x64_sys_execveat",
	"tracepoint:syscalls:sys_exit_execve",
	"tracepoint:syscalls:sys_exit_execveat",
	"tracepoint:sched:sched_process_exec",
};

static const struct run_about info = {
	.hooks = kprobe_hooks,
	.nhooks = 5,
	.probe = "builtin",
	.pid = 1234,
	.version = "0.1.0",
};

static void test_json_start(void **state)
{
	struct config cfg = make_cfg(FORMAT_JSON, "uid", 0);
	struct capture c;

	(void)state;
	capture_open(&c);
	assert_int_equal(output_start(OPTS(&cfg), c.f, &info, &when), 0);
	assert_string_equal(capture_text(&c),
			    "{\"type\":\"start\",\"ts\":\"2025-11-25T01:40:30.123Z\","
			    "\"hook\":\"kprobe:__x64_sys_execve\","
			    "\"hooks\":[\"kprobe:__x64_sys_execve\",\"kprobe:__x64_sys_execveat\","
			    "\"tracepoint:syscalls:sys_exit_execve\","
			    "\"tracepoint:syscalls:sys_exit_execveat\","
			    "\"tracepoint:sched:sched_process_exec\"],"
			    "\"by\":[\"uid\"],\"syscalls\":[\"execve\",\"execveat\"],"
			    "\"max_keys\":10240,\"interval\":5,"
			    "\"probe\":\"builtin\",\"pid\":1234,\"version\":\"0.1.0\"}\n");
	assert_json_lines(c.buf);
	capture_close(&c);
}

static void test_json_start_settings(void **state)
{
	static const char *const tp_hooks[] = {
		"tracepoint:syscalls:sys_enter_execveat",
		"tracepoint:syscalls:sys_exit_execveat",
		"tracepoint:sched:sched_process_exec",
	};
	struct config cfg = make_cfg(FORMAT_JSON, "comm,exe,cgroup,uid", 3);
	struct run_about odd = info;
	struct capture c;

	(void)state;
	/* --by in the order given, one syscall, the largest table, an odd --probe path */
	cfg.syscalls = SYSCALL_EXECVEAT;
	cfg.max_keys = 1048576;
	cfg.interval = 86400;
	odd.hooks = tp_hooks;
	odd.nhooks = 3;
	odd.probe = "/tmp/my \"probe\"\\\n\xff.c";
	odd.pid = 4194304;
	capture_open(&c);
	assert_int_equal(output_start(OPTS(&cfg), c.f, &odd, &when), 0);
	assert_string_equal(
		capture_text(&c),
		"{\"type\":\"start\",\"ts\":\"2025-11-25T01:40:30.123Z\","
		"\"hook\":\"tracepoint:syscalls:sys_enter_execveat\","
		"\"hooks\":[\"tracepoint:syscalls:sys_enter_execveat\","
		"\"tracepoint:syscalls:sys_exit_execveat\","
		"\"tracepoint:sched:sched_process_exec\"],"
		"\"by\":[\"comm\",\"exe\",\"cgroup\",\"uid\"],\"syscalls\":[\"execveat\"],"
		"\"max_keys\":1048576,\"interval\":86400,"
		"\"probe\":\"/tmp/my \\\"probe\\\"\\\\\\n\\ufffd.c\",\"pid\":4194304,"
		"\"version\":\"0.1.0\"}\n");
	assert_json_lines(c.buf);
	capture_close(&c);

	/* execve alone */
	cfg = make_cfg(FORMAT_JSON, "exe", 0);
	cfg.syscalls = SYSCALL_EXECVE;
	capture_open(&c);
	assert_int_equal(output_start(OPTS(&cfg), c.f, &info, &when), 0);
	assert_non_null(strstr(capture_text(&c), ",\"by\":[\"exe\"],\"syscalls\":[\"execve\"],"));
	assert_json_lines(c.buf);
	capture_close(&c);
}

static void test_json_start_no_hooks(void **state)
{
	struct config cfg = make_cfg(FORMAT_JSON, "uid", 0);
	struct run_about none = info;
	struct capture c;

	(void)state;
	/* never the case at run time, but still one valid line */
	none.hooks = NULL;
	none.nhooks = 0;
	capture_open(&c);
	assert_int_equal(output_start(OPTS(&cfg), c.f, &none, &when), 0);
	assert_non_null(strstr(capture_text(&c), ",\"hook\":\"\",\"hooks\":[],\"by\":[\"uid\"],"));
	assert_json_lines(c.buf);
	capture_close(&c);
}

static void test_json_start_only_for_json(void **state)
{
	struct config table = make_cfg(FORMAT_TABLE, "uid,comm", 0);
	struct config classic = make_cfg(FORMAT_CLASSIC, "uid", 0);
	struct config json = make_cfg(FORMAT_JSON, "uid", 0);
	struct capture c;

	(void)state;
	capture_open(&c);
	assert_int_equal(output_start(OPTS(&table), c.f, &info, &when), 0);
	assert_int_equal(output_start(OPTS(&classic), c.f, &info, &when), 0);
	assert_string_equal(capture_text(&c), "");
	assert_int_equal(output_start(OPTS(&json), c.f, &info, &when), 0);
	assert_int_equal(count_lines(capture_text(&c)), 1);
	capture_close(&c);
}

/* Rows keyed by uid that stress the JSON writer: a NULL user, uids >= 2^31, counts > 2^32, odd
 * bytes. */
static void fill_odd_rows(struct snapshot *snap)
{
	struct count_row *row;

	row = push_key(snap, 0, "", "", 0, 2, 1, 2, 1);
	row->user = "root";
	row->delta = 1;
	row = push_key(snap, 4294967295u, "", "", 0, 5000000000ull, 0, 4999999999ull, 1);
	row->delta = 4294967297ull;
	row = push_key(snap, 2147483648u, "", "", 0, UINT64_MAX, 0, UINT64_MAX, 0);
	row->user = "we\"ird\xff\x01";
	row = push_key(snap, 1000, "", "", 0, 0, 1, 0, 1);
	row->user = "caf\xc3\xa9";
	row->delta = 1;
}

/* Rows with every field odd: control bytes, quotes, invalid UTF-8, full-length strings. */
static char long_exe[KEY_EXE_LEN + 1];

static void fill_odd_keys(struct snapshot *snap)
{
	struct count_row *row;

	memset(long_exe, 'x', KEY_EXE_LEN);
	long_exe[0] = '/';
	long_exe[KEY_EXE_LEN] = '\0'; /* 256 bytes, no room for a NUL in the kernel's key */
	row = push_key(snap, 0, "sh\t\x01\"\\", "/tmp/a b\n\xff\xc3\xa9", 1, 2, 1, 2, 1);
	row->user = "root";
	row->cgroup = "/";
	row->delta = 3;
	row = push_key(snap, 4294967295u, "0123456789abcdef", "", UINT64_MAX, 0, 7, 0, 7);
	row = push_key(snap, 1000, "\x7f\xed\xa0\x80", "/usr/bin/\"q\"\\x", 0x100000000ull, 1, 0, 1,
		       0);
	row->user = "caf\xc3\xa9";
	row->cgroup = "/user.slice/x\"y\x1b";
	row->delta = 1;
	row = push_key(snap, 5, "\xc3\xa9t\xc3\xa9", long_exe, 2, 1, 0, 0, 1);
	row->user = "";
	row->cgroup = "/caf\xc3\xa9 \xc0\xaf";
	row->delta = 1;
}

static void test_json_tick(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;

	(void)state;
	fill_odd_rows(&snap);
	r = render_as(FORMAT_JSON, "uid", &snap, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(
		r.text,
		"{\"type\":\"tick\",\"ts\":\"2025-11-25T01:40:30.123Z\",\"keys\":4,\"dropped\":0,"
		"\"rows\":["
		"{\"uid\":0,\"user\":\"root\",\"count\":3,\"execve\":2,\"execveat\":1,\"ok\":2,"
		"\"failed\":1,\"delta\":1},"
		"{\"uid\":4294967295,\"user\":null,\"count\":5000000000,\"execve\":5000000000,"
		"\"execveat\":0,\"ok\":4999999999,\"failed\":1,\"delta\":4294967297},"
		"{\"uid\":2147483648,\"user\":\"we\\\"ird\\ufffd\\u0001\","
		"\"count\":18446744073709551615,\"execve\":18446744073709551615,\"execveat\":0,"
		"\"ok\":18446744073709551615,\"failed\":0,\"delta\":0},"
		"{\"uid\":1000,\"user\":\"caf\xc3\xa9\",\"count\":1,\"execve\":0,\"execveat\":1,"
		"\"ok\":0,\"failed\":1,\"delta\":1}]}\n");
	assert_json_lines(r.text);
	free(r.text);
	snapshot_free(&snap);
}

static void test_json_final_and_empty(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;

	(void)state;
	r = render_as(FORMAT_JSON, "uid", &snap, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "{\"type\":\"tick\",\"ts\":\"2025-11-25T01:40:30.123Z\","
				    "\"keys\":0,\"dropped\":0,\"rows\":[]}\n");
	assert_json_lines(r.text);
	free(r.text);

	r = render_as(FORMAT_JSON, "comm,exe", &snap, true);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "{\"type\":\"final\",\"ts\":\"2025-11-25T01:40:30.123Z\","
				    "\"keys\":0,\"dropped\":0,\"rows\":[]}\n");
	free(r.text);

	push_row(&snap, 7, "seven", 2, 2);
	r = render_as(FORMAT_JSON, "uid", &snap, true);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text,
			    "{\"type\":\"final\",\"ts\":\"2025-11-25T01:40:30.123Z\",\"keys\":1,"
			    "\"dropped\":0,\"rows\":[{\"uid\":7,\"user\":\"seven\",\"count\":2,"
			    "\"execve\":2,\"execveat\":0,\"ok\":2,\"failed\":0,\"delta\":2}]}\n");
	assert_json_lines(r.text);
	free(r.text);
	snapshot_free(&snap);
}

/* The row of one key for each --by field alone, and all four in two orders. */
static void test_json_by_fields(void **state)
{
	static const struct {
		const char *by, *row;
	} cases[] = {
		{ "uid", "{\"uid\":1000,\"user\":\"alice\",\"count\":5,\"execve\":3,\"execveat\":2,"
			 "\"ok\":4,\"failed\":1,\"delta\":2}" },
		{ "comm", "{\"comm\":\"make\",\"count\":5,\"execve\":3,\"execveat\":2,\"ok\":4,"
			  "\"failed\":1,\"delta\":2}" },
		{ "exe",
		  "{\"exe\":\"/usr/bin/cc\",\"count\":5,\"execve\":3,\"execveat\":2,\"ok\":4,"
		  "\"failed\":1,\"delta\":2}" },
		{ "cgroup", "{\"cgroup\":\"/user.slice\",\"cgroup_id\":4294967296,\"count\":5,"
			    "\"execve\":3,\"execveat\":2,\"ok\":4,\"failed\":1,\"delta\":2}" },
		{ "uid,comm,exe,cgroup",
		  "{\"uid\":1000,\"user\":\"alice\",\"comm\":\"make\",\"exe\":\"/usr/bin/cc\","
		  "\"cgroup\":\"/user.slice\",\"cgroup_id\":4294967296,\"count\":5,\"execve\":3,"
		  "\"execveat\":2,\"ok\":4,\"failed\":1,\"delta\":2}" },
		{ "cgroup,exe,comm,uid",
		  "{\"cgroup\":\"/user.slice\",\"cgroup_id\":4294967296,\"exe\":\"/usr/bin/cc\","
		  "\"comm\":\"make\",\"uid\":1000,\"user\":\"alice\",\"count\":5,\"execve\":3,"
		  "\"execveat\":2,\"ok\":4,\"failed\":1,\"delta\":2}" },
		{ "exe,uid",
		  "{\"exe\":\"/usr/bin/cc\",\"uid\":1000,\"user\":\"alice\",\"count\":5,\"execve\":3,"
		  "\"execveat\":2,\"ok\":4,\"failed\":1,\"delta\":2}" },
	};
	struct snapshot snap = { 0 };
	struct count_row *row;

	(void)state;
	row = push_key(&snap, 1000, "make", "/usr/bin/cc", 0x100000000ull, 3, 2, 4, 1);
	row->user = "alice";
	row->cgroup = "/user.slice";
	row->delta = 2;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rendered r = render_as(FORMAT_JSON, cases[i].by, &snap, false);
		char want[1024];

		snprintf(want, sizeof(want),
			 "{\"type\":\"tick\",\"ts\":\"2025-11-25T01:40:30.123Z\",\"keys\":1,"
			 "\"dropped\":0,\"rows\":[%s]}\n",
			 cases[i].row);
		if (strcmp(r.text, want) != 0)
			print_error("--by %s:\n got %s want %s", cases[i].by, r.text, want);
		assert_int_equal(r.rc, 0);
		assert_string_equal(r.text, want);
		assert_json_lines(r.text);
		free(r.text);
	}
	snapshot_free(&snap);
}

static void test_json_odd_keys(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;
	char *want;

	(void)state;
	fill_odd_keys(&snap);
	r = render_as(FORMAT_JSON, "uid,comm,exe,cgroup", &snap, false);
	assert_int_equal(r.rc, 0);
	assert_json_lines(r.text);
	assert_int_equal(count_lines(r.text), 1);
	/* the exact escapes, row by row */
	assert_non_null(strstr(
		r.text,
		"{\"uid\":0,\"user\":\"root\",\"comm\":\"sh\\t\\u0001\\\"\\\\\","
		"\"exe\":\"/tmp/a b\\n\\ufffd\xc3\xa9\",\"cgroup\":\"/\",\"cgroup_id\":1,"
		"\"count\":3,\"execve\":2,\"execveat\":1,\"ok\":2,\"failed\":1,\"delta\":3}"));
	assert_non_null(strstr(
		r.text,
		"{\"uid\":4294967295,\"user\":null,\"comm\":\"0123456789abcdef\",\"exe\":\"\","
		"\"cgroup\":null,\"cgroup_id\":18446744073709551615,\"count\":7,\"execve\":0,"
		"\"execveat\":7,\"ok\":0,\"failed\":7,\"delta\":0}"));
	assert_non_null(strstr(
		r.text,
		"{\"uid\":1000,\"user\":\"caf\xc3\xa9\",\"comm\":\"\\u007f\\ufffd\\ufffd\\ufffd\","
		"\"exe\":\"/usr/bin/\\\"q\\\"\\\\x\",\"cgroup\":\"/user.slice/x\\\"y\\u001b\","
		"\"cgroup_id\":4294967296,\"count\":1,"));
	/* a 256-byte exe (no NUL in the key) is written whole */
	want = malloc(KEY_EXE_LEN + 64);
	assert_non_null(want);
	snprintf(want, KEY_EXE_LEN + 64, "\"exe\":\"%s\",\"cgroup\":", long_exe);
	assert_non_null(strstr(r.text, want));
	free(want);
	assert_non_null(strstr(r.text, "\"user\":\"\",\"comm\":\"\xc3\xa9t\xc3\xa9\","));
	assert_non_null(
		strstr(r.text, "\"cgroup\":\"/caf\xc3\xa9 \\ufffd\\ufffd\",\"cgroup_id\":2,"));
	free(r.text);
	snapshot_free(&snap);
}

/* Every --by list there is (64 orderings of 1 to 4 fields): valid JSON, the fields in that order.
 */
static void test_json_every_by_list(void **state)
{
	static const char *const names[] = { "uid", "comm", "exe", "cgroup" };
	static const char *const first_key[] = { "\"uid\":", "\"comm\":", "\"exe\":",
						 "\"cgroup\":" };
	struct snapshot snap = { 0 };
	unsigned int lists = 0;

	(void)state;
	fill_odd_keys(&snap);
	/* a list is a sequence of distinct fields: count in base 5, digit 0 ends it */
	for (unsigned int code = 1; code < 5 * 5 * 5 * 5; code++) {
		int seq[4], n = 0;
		unsigned int used = 0, c = code;
		char by[64] = "";
		bool ok = true;
		struct rendered r;
		const char *p;

		while (c) {
			int d = c % 5;

			c /= 5;
			if (d == 0 || used & 1u << (d - 1)) {
				ok = false;
				break;
			}
			used |= 1u << (d - 1);
			seq[n++] = d - 1;
		}
		if (!ok)
			continue;
		for (int i = 0; i < n; i++)
			snprintf(by + strlen(by), sizeof(by) - strlen(by), "%s%s", i ? "," : "",
				 names[seq[i]]);
		lists++;
		r = render_as(FORMAT_JSON, by, &snap, lists % 2);
		assert_int_equal(r.rc, 0);
		assert_json_lines(r.text);
		/* each row: the fields in --by order, then count */
		p = r.text;
		for (size_t row = 0; row < snap.len; row++) {
			p = strstr(p, ",{" + (row == 0));
			assert_non_null(p);
			for (int i = 0; i < n; i++) {
				const char *at = strstr(p, first_key[seq[i]]);

				assert_non_null(at);
				p = at;
			}
			p = strstr(p, "\"count\":");
			assert_non_null(p);
		}
		/* fields not asked for are absent */
		for (int f = 0; f < 4; f++)
			if (!(used & 1u << f))
				assert_null(strstr(r.text, first_key[f]));
		free(r.text);
	}
	assert_int_equal(lists, 64);
	snapshot_free(&snap);
}

static void test_json_top_keys_dropped(void **state)
{
	struct snapshot snap = { 0 };
	struct config cfg = make_cfg(FORMAT_JSON, "uid", 2);
	struct rendered r;

	(void)state;
	push_row(&snap, 10, "a", 9, 1);
	push_row(&snap, 20, "b", 8, 1);
	push_row(&snap, 30, "c", 7, 1);
	push_row(&snap, 40, "d", 6, 1);
	snap.dropped = 12345678901ull;
	r = render(&cfg, &snap, false);
	assert_int_equal(r.rc, 0);
	/* keys counts them all; rows holds the first --top */
	assert_string_equal(
		r.text,
		"{\"type\":\"tick\",\"ts\":\"2025-11-25T01:40:30.123Z\",\"keys\":4,"
		"\"dropped\":12345678901,\"rows\":["
		"{\"uid\":10,\"user\":\"a\",\"count\":9,\"execve\":9,\"execveat\":0,\"ok\":9,"
		"\"failed\":0,\"delta\":1},"
		"{\"uid\":20,\"user\":\"b\",\"count\":8,\"execve\":8,\"execveat\":0,\"ok\":8,"
		"\"failed\":0,\"delta\":1}]}\n");
	assert_json_lines(r.text);
	free(r.text);

	/* --top at or above the number of keys: every row */
	for (unsigned long top = 4; top <= 5; top++) {
		cfg.top = top;
		r = render(&cfg, &snap, true);
		assert_non_null(strstr(r.text, "\"keys\":4,"));
		assert_non_null(strstr(r.text, "\"uid\":40"));
		assert_json_lines(r.text);
		free(r.text);
	}
	cfg.top = 1;
	r = render(&cfg, &snap, true);
	assert_non_null(strstr(r.text, "\"uid\":10"));
	assert_null(strstr(r.text, "\"uid\":20"));
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
	r = render_as(FORMAT_JSON, "uid", &snap, false);
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
 * strict UTF-8), checks the contract's keys (in order) and types against the
 * latest start line's "by", and prints each row back; the test compares what
 * it decoded.
 */
static const char python_check[] =
	"import json, sys\n"
	"by = None\n"
	"FIELDS = {\"uid\": [\"uid\", \"user\"], \"comm\": [\"comm\"], \"exe\": [\"exe\"],\n"
	"          \"cgroup\": [\"cgroup\", \"cgroup_id\"]}\n"
	"COUNTERS = [\"count\", \"execve\", \"execveat\", \"ok\", \"failed\", \"delta\"]\n"
	"def uint(v, bits):\n"
	"    assert type(v) is int and 0 <= v < 2**bits, v\n"
	"for raw in sys.stdin.buffer:\n"
	"    d = json.loads(raw.decode(\"utf-8\"))\n"
	"    t = d[\"type\"]\n"
	"    assert isinstance(d[\"ts\"], str) and d[\"ts\"].endswith(\"Z\"), d\n"
	"    if t == \"start\":\n"
	"        assert list(d) == [\"type\", \"ts\", \"hook\", \"hooks\", \"by\", \"syscalls\",\n"
	"                           \"max_keys\", \"interval\", \"probe\", \"pid\", \"version\"], d\n"
	"        assert d[\"hook\"] == d[\"hooks\"][0], d\n"
	"        assert all(type(h) is str for h in d[\"hooks\"]), d\n"
	"        by = d[\"by\"]\n"
	"        assert by and len(set(by)) == len(by) and set(by) <= set(FIELDS), d\n"
	"        assert d[\"syscalls\"] in ([\"execve\"], [\"execveat\"], [\"execve\", \"execveat\"]), d\n"
	"        for k in (\"max_keys\", \"interval\", \"pid\"):\n"
	"            uint(d[k], 32)\n"
	"        print(t, d[\"hook\"], len(d[\"hooks\"]), \",\".join(by), \",\".join(d[\"syscalls\"]),\n"
	"              d[\"max_keys\"], d[\"interval\"], ascii(d[\"probe\"]), d[\"pid\"], d[\"version\"])\n"
	"        continue\n"
	"    assert t in (\"tick\", \"final\"), d\n"
	"    assert list(d) == [\"type\", \"ts\", \"keys\", \"dropped\", \"rows\"], d\n"
	"    uint(d[\"keys\"], 64)\n"
	"    uint(d[\"dropped\"], 64)\n"
	"    assert d[\"keys\"] >= len(d[\"rows\"]), d\n"
	"    print(t, d[\"keys\"], d[\"dropped\"], len(d[\"rows\"]))\n"
	"    want = [k for f in by for k in FIELDS[f]] + COUNTERS\n"
	"    for r in d[\"rows\"]:\n"
	"        assert list(r) == want, (list(r), want)\n"
	"        for k in COUNTERS:\n"
	"            uint(r[k], 64)\n"
	"        if \"uid\" in r:\n"
	"            uint(r[\"uid\"], 32)\n"
	"            assert r[\"user\"] is None or type(r[\"user\"]) is str, r\n"
	"        if \"cgroup\" in r:\n"
	"            uint(r[\"cgroup_id\"], 64)\n"
	"            assert r[\"cgroup\"] is None or type(r[\"cgroup\"]) is str, r\n"
	"        for k in (\"comm\", \"exe\"):\n"
	"            assert k not in r or type(r[k]) is str, r\n"
	"        print(\" \".join(k + \"=\" + (ascii(v) if k != \"exe\" or len(v) < 64 else\n"
	"                                   \"<%d bytes>\" % len(v)) for k, v in r.items()))\n";

static void test_json_lines_parse_in_python(void **state)
{
	static const char python[] = "/usr/bin/python3";
	struct snapshot snap = { 0 };
	struct run_about odd = info;
	struct config by_uid = make_cfg(FORMAT_JSON, "uid", 0);
	struct config by_all = make_cfg(FORMAT_JSON, "cgroup,uid,exe,comm", 4);
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
	assert_int_equal(output_start(OPTS(&by_uid), lines.f, &odd, &when), 0);
	assert_int_equal(output_rows(OPTS(&by_uid), lines.f, SNAPSHOT_VIEW(&snap), &when, false),
			 0);
	snap.len = 0;
	assert_int_equal(output_rows(OPTS(&by_uid), lines.f, SNAPSHOT_VIEW(&snap), &when, true), 0);

	fill_odd_keys(&snap);
	push_row(&snap, 6, "six", 1, 0); /* beyond --top 4 */
	snap.dropped = 42;
	by_all.syscalls = SYSCALL_EXECVE;
	assert_int_equal(output_start(OPTS(&by_all), lines.f, &info, &when), 0);
	assert_int_equal(output_rows(OPTS(&by_all), lines.f, SNAPSHOT_VIEW(&snap), &when, true), 0);
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
		"start kprobe:__x64_sys_execve 5 uid execve,execveat 10240 5 "
		"'/tmp/p\\xe9 \"x\"\\ufffd.c' 1234 0.1.0\n"
		"tick 4 0 4\n"
		"uid=0 user='root' count=3 execve=2 execveat=1 ok=2 failed=1 delta=1\n"
		"uid=4294967295 user=None count=5000000000 execve=5000000000 execveat=0 "
		"ok=4999999999 failed=1 delta=4294967297\n"
		"uid=2147483648 user='we\"ird\\ufffd\\x01' count=18446744073709551615 "
		"execve=18446744073709551615 execveat=0 ok=18446744073709551615 failed=0 delta=0\n"
		"uid=1000 user='caf\\xe9' count=1 execve=0 execveat=1 ok=0 failed=1 delta=1\n"
		"final 0 0 0\n"
		"start kprobe:__x64_sys_execve 5 cgroup,uid,exe,comm execve 10240 5 'builtin' 1234 "
		"0.1.0\n"
		"final 5 42 4\n"
		"cgroup='/' cgroup_id=1 uid=0 user='root' exe='/tmp/a b\\n\\ufffd\\xe9' "
		"comm='sh\\t\\x01\"\\\\' count=3 execve=2 execveat=1 ok=2 failed=1 delta=3\n"
		"cgroup=None cgroup_id=18446744073709551615 uid=4294967295 user=None exe='' "
		"comm='0123456789abcdef' count=7 execve=0 execveat=7 ok=0 failed=7 delta=0\n"
		"cgroup='/user.slice/x\"y\\x1b' cgroup_id=4294967296 uid=1000 user='caf\\xe9' "
		"exe='/usr/bin/\"q\"\\\\x' comm='\\x7f\\ufffd\\ufffd\\ufffd' count=1 execve=1 "
		"execveat=0 ok=1 failed=0 delta=1\n"
		"cgroup='/caf\\xe9 \\ufffd\\ufffd' cgroup_id=2 uid=5 user='' exe=<256 bytes> "
		"comm='\\xe9t\\xe9' count=1 execve=1 execveat=0 ok=0 failed=1 delta=1\n");
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
	r = render_as(FORMAT_CLASSIC, "uid", &snap, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "\n");
	free(r.text);

	push_row(&snap, 0, "root", 2, 1);
	push_row(&snap, 1001, NULL, 16, 16);
	r = render_as(FORMAT_CLASSIC, "uid", &snap, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "User ID 0 has invoked 2 times execve syscall!\t"
				    "User ID 1001 has invoked 16 times execve syscall!\t\n");
	free(r.text);

	/* the final block looks like any other; full 32-bit uids and 64-bit counts */
	push_row(&snap, 4294967295u, NULL, 5000000000ull, 0);
	r = render_as(FORMAT_CLASSIC, "uid", &snap, true);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text,
			    "User ID 0 has invoked 2 times execve syscall!\t"
			    "User ID 1001 has invoked 16 times execve syscall!\t"
			    "User ID 4294967295 has invoked 5000000000 times execve syscall!\t\n");
	free(r.text);
	snapshot_free(&snap);
}

static void test_classic_counts_both_syscalls(void **state)
{
	struct snapshot snap = { 0 };
	struct count_row *row;
	struct rendered r;

	(void)state;
	/* "times execve syscall" is the original's wording; the number is every attempt */
	row = push_key(&snap, 1000, "", "", 0, 2, 3, 4, 1);
	row->user = "alice"; /* never printed */
	r = render_as(FORMAT_CLASSIC, "uid", &snap, false);
	assert_string_equal(r.text, "User ID 1000 has invoked 5 times execve syscall!\t\n");
	free(r.text);
	snapshot_free(&snap);
}

static void test_classic_top(void **state)
{
	struct snapshot snap = { 0 };
	struct config cfg = make_cfg(FORMAT_CLASSIC, "uid", 2);
	struct rendered r;

	(void)state;
	push_row(&snap, 1, NULL, 30, 0);
	push_row(&snap, 2, NULL, 20, 0);
	push_row(&snap, 3, NULL, 10, 0);
	snap.dropped = 9;
	/* the first --top rows as given, no "more keys" or "dropped" text in the original's line */
	r = render(&cfg, &snap, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "User ID 1 has invoked 30 times execve syscall!\t"
				    "User ID 2 has invoked 20 times execve syscall!\t\n");
	free(r.text);
	cfg.top = 3;
	r = render(&cfg, &snap, true);
	assert_int_equal(count_lines(r.text), 1);
	assert_non_null(strstr(r.text, "User ID 3 has invoked 10 times"));
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

/*
 * A data line of the --by uid table: UID USER COUNT OK FAILED DELTA, each
 * field aligned with its header (USER on the left, numbers on the right).
 */
static void assert_table_row(const char *header, const char *line, const char *uid,
			     const char *user, const char *count, const char *ok,
			     const char *failed, const char *delta)
{
	const char *want[6] = { uid, user, count, ok, failed, delta };
	size_t hs, he, ls, le;
	char buf[64];

	for (int f = 0; f < 6; f++) {
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

/* A row keyed by uid with its own ok and failed. */
static void push_counts(struct snapshot *snap, uint32_t uid, const char *user, uint64_t count,
			uint64_t ok, uint64_t failed, uint64_t delta)
{
	struct count_row *row = push_key(snap, uid, "", "", 0, count, 0, ok, failed);

	row->user = user;
	row->delta = delta;
}

#define UID_HEADER "       UID USER                    COUNT         OK     FAILED      DELTA"

static void test_table_layout(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;
	char *copy, *line[16];
	char buf[32];
	size_t n;

	(void)state;
	push_counts(&snap, 0, "root", 3, 2, 1, 1);
	push_counts(&snap, 1000, "alice", 1234567, 1234500, 67, 12);
	push_counts(&snap, 65534, NULL, 1, 0, 1, 0);
	/* the widest values that fit their columns */
	push_counts(&snap, 4294967295u, "abcdefghijklmnop", 999999999999ull, 9999999999ull,
		    9999999999ull, 9999999999ull);
	r = render_as(FORMAT_TABLE, "uid", &snap, false);
	assert_int_equal(r.rc, 0);
	n = split_lines(r.text, &copy, line, 16);
	/* time, header, four rows, a blank line between blocks */
	assert_int_equal(n, 7);
	assert_string_equal(line[0], "01:40:30");
	assert_string_equal(line[1], UID_HEADER);
	for (int f = 0; f < 6; f++) {
		static const char *const names[] = {
			"UID", "USER", "COUNT", "OK", "FAILED", "DELTA"
		};

		field_text(line[1], f, buf, sizeof(buf));
		assert_string_equal(buf, names[f]);
	}
	assert_string_equal(
		line[2],
		"         0 root                        3          2          1          1");
	assert_table_row(line[1], line[2], "0", "root", "3", "2", "1", "1");
	assert_table_row(line[1], line[3], "1000", "alice", "1234567", "1234500", "67", "12");
	assert_table_row(line[1], line[4], "65534", "-", "1", "0", "1", "0"); /* no user: '-' */
	assert_table_row(line[1], line[5], "4294967295", "abcdefghijklmnop", "999999999999",
			 "9999999999", "9999999999", "9999999999");
	/* at full width the fields still have a blank between them */
	assert_string_equal(
		line[5],
		"4294967295 abcdefghijklmnop 999999999999 9999999999 9999999999 9999999999");
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
	r = render_as(FORMAT_TABLE, "uid", &snap, true);
	assert_int_equal(r.rc, 0);
	assert_int_equal(split_lines(r.text, &copy, line, 8), 3);
	assert_string_equal(line[0], "01:40:30 (final)");
	assert_string_equal(line[1], UID_HEADER);
	assert_string_equal(line[2], "");
	free(copy);
	free(r.text);

	r = render_as(FORMAT_TABLE, "uid", &snap, false);
	assert_int_equal(split_lines(r.text, &copy, line, 8), 3);
	assert_string_equal(line[0], "01:40:30");
	assert_null(strstr(r.text, "final"));
	free(copy);
	free(r.text);

	/* an empty block keeps its header whatever the key */
	r = render_as(FORMAT_TABLE, "comm,exe", &snap, false);
	assert_int_equal(split_lines(r.text, &copy, line, 8), 3);
	assert_string_equal(line[1],
			    "COMM                    COUNT         OK     FAILED      DELTA EXE");
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
	/* the widest values that fit their columns, a name cut to its column */
	push_counts(&snap, 4294967295u, "averyveryverylongusernameindeed", 999999999999ull,
		    9999999999ull, 9999999999ull, 9999999999ull);
	r = render_as(FORMAT_TABLE, "uid", &snap, true);
	assert_int_equal(r.rc, 0);
	n = split_lines(r.text, &copy, line, 8);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		if (strlen(line[i]) >= 80)
			print_error("line %zu is %zu columns: %s\n", i, strlen(line[i]), line[i]);
		assert_true(strlen(line[i]) < 80);
	}
	free(copy);
	free(r.text);
	snapshot_free(&snap);

	/* the values are whole even where they overflow their column */
	push_counts(&snap, 4294967295u, "averyveryverylongusernameindeed", UINT64_MAX,
		    UINT64_MAX - 1, 10000000000000000000ull, UINT64_MAX);
	push_counts(&snap, 2147483648u, NULL, 10000000000000000000ull, 0, 0, 0);
	r = render_as(FORMAT_TABLE, "uid", &snap, true);
	assert_int_equal(r.rc, 0);
	n = split_lines(r.text, &copy, line, 8);
	assert_int_equal(n, 5);
	assert_string_equal(line[2], "4294967295 averyveryverylo+ 18446744073709551615 "
				     "18446744073709551614 10000000000000000000 "
				     "18446744073709551615");
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
	r = render_as(FORMAT_TABLE, "uid", &snap, false);
	assert_int_equal(r.rc, 0);
	/* control bytes never reach the terminal: one line per row, no escapes */
	assert_int_equal(split_lines(r.text, &copy, line, 16), 10);
	assert_null(strpbrk(r.text, "\t\x01\x7f\x1b"));
	assert_table_row(line[1], line[2], "1", "averyveryverylo+", "5", "5", "0", "5");
	assert_table_row(line[1], line[3], "2", "abcdefghijklmnop", "5", "5", "0", "5");
	assert_table_row(line[1], line[4], "3", "abcdefghijklmno+", "5", "5", "0", "5");
	assert_table_row(line[1], line[5], "4", "a?b?c??", "5", "5", "0", "5");
	assert_table_row(line[1], line[6], "5", "???????????????+", "5", "5", "0", "5");
	assert_table_row(line[1], line[7], "6", "-", "5", "5", "0", "5");
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

/* The counters of push_row(.., 5, 5), after the key columns. */
#define NUMS_5 "            5          5          0          5"

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
	/* exactly 16 characters, the last one two bytes: whole, no '+' */
	push_row(&snap, 5,
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
		 5, 5);
	r = render_as(FORMAT_TABLE, "uid", &snap, false);
	assert_int_equal(r.rc, 0);
	assert_int_equal(split_lines(r.text, &copy, line, 16), 8);
	assert_string_equal(line[2], "         1 jos\xc3\xa9            " NUMS_5);
	assert_string_equal(
		line[3],
		"         2 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"       " NUMS_5);
	/* 17 characters: 15 kept whole, then '+', never half a character */
	assert_string_equal(
		line[4],
		"         3 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9+" NUMS_5);
	assert_string_equal(line[5], "         4 a?b?            " NUMS_5);
	assert_string_equal(
		line[6],
		"         5 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" NUMS_5);
	/* every row as wide as the header on screen */
	for (int i = 2; i <= 6; i++)
		assert_int_equal(utf8_columns(line[i]), strlen(line[1]));
	free(copy);
	free(r.text);
	snapshot_free(&snap);
}

/* A row keyed by comm (or exe, or cgroup path) with count 1, ok 1, failed 0, delta 1. */
#define NUMS_1 "           1          1          0          1"

static void test_table_by_comm(void **state)
{
	struct snapshot snap = { 0 };
	struct count_row *row;
	struct rendered r;
	char *copy, *line[16];

	(void)state;
	row = push_key(&snap, 0, "bash", "", 0, 10, 0, 9, 1);
	row->delta = 2;
	push_key(&snap, 0, "0123456789abcdef", "", 0, 1, 0, 1, 0)->delta = 1; /* 16: whole */
	push_key(&snap, 0, "a\tb\x01\x7f", "", 0, 1, 0, 1, 0)->delta = 1;
	push_key(&snap, 0, "\xff\xfe", "", 0, 1, 0, 1, 0)->delta = 1;
	push_key(&snap, 0, "", "", 0, 1, 0, 1, 0)->delta = 1;
	push_key(&snap, 0, "\xc3\xa9t\xc3\xa9", "", 0, 1, 0, 1, 0)->delta = 1;
	push_key(&snap, 0, "\xc2\x9b[31m\x1b[0m", "", 0, 1, 0, 1, 0)->delta = 1;
	r = render_as(FORMAT_TABLE, "comm", &snap, false);
	assert_int_equal(r.rc, 0);
	assert_int_equal(split_lines(r.text, &copy, line, 16), 10);
	assert_string_equal(line[1],
			    "COMM                    COUNT         OK     FAILED      DELTA");
	assert_string_equal(line[2],
			    "bash                       10          9          1          2");
	assert_string_equal(line[3], "0123456789abcdef " NUMS_1);
	assert_string_equal(line[4], "a?b??            " NUMS_1);
	assert_string_equal(line[5], "??               " NUMS_1);
	assert_string_equal(line[6], "                 " NUMS_1);
	assert_string_equal(line[7], "\xc3\xa9t\xc3\xa9              " NUMS_1);
	/* a C1 CSI and an ESC: no escape sequence reaches the terminal */
	assert_string_equal(line[8], "?[31m?[0m        " NUMS_1);
	assert_string_equal(line[9], "");
	/* the uid is not shown when it is not in the key */
	assert_null(strstr(line[1], "UID"));
	free(copy);
	free(r.text);
	snapshot_free(&snap);
}

static void test_table_by_exe(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;
	char *copy, *line[16];
	char *want;

	(void)state;
	memset(long_exe, 'x', KEY_EXE_LEN);
	long_exe[0] = '/';
	long_exe[KEY_EXE_LEN] = '\0';
	push_key(&snap, 0, "", "/usr/bin/env", 0, 1, 0, 1, 0)->delta = 1;
	push_key(&snap, 0, "", "/tmp/with space\ttab\nnl\x1b[31m", 0, 1, 0, 1, 0)->delta = 1;
	push_key(&snap, 0, "", "", 0, 1, 0, 1, 0)->delta = 1; /* fexecve that failed */
	push_key(&snap, 0, "", long_exe, 0, 1, 0, 1, 0)->delta = 1;
	push_key(&snap, 0, "", "/x\xff\xc3", 0, 1, 0, 1, 0)->delta = 1;
	push_key(&snap, 0, "", "/caf\xc3\xa9/\xc2\x9b", 0, 1, 0, 1, 0)->delta = 1;
	push_key(&snap, 0, "", "/dev/fd/3", 0, 1, 0, 1, 0)->delta = 1;
	r = render_as(FORMAT_TABLE, "exe", &snap, false);
	assert_int_equal(r.rc, 0);
	assert_int_equal(split_lines(r.text, &copy, line, 16), 10);
	assert_string_equal(line[1], "       COUNT         OK     FAILED      DELTA EXE");
	assert_string_equal(line[2], NUMS_1 " /usr/bin/env");
	assert_string_equal(line[3], NUMS_1 " /tmp/with space?tab?nl?[31m");
	assert_string_equal(line[4], NUMS_1 " ");
	/* one path column: written whole, however long */
	want = malloc(KEY_EXE_LEN + 64);
	assert_non_null(want);
	snprintf(want, KEY_EXE_LEN + 64, NUMS_1 " %s", long_exe);
	assert_string_equal(line[5], want);
	free(want);
	assert_string_equal(line[6], NUMS_1 " /x??");
	assert_string_equal(line[7], NUMS_1 " /caf\xc3\xa9/?");
	assert_string_equal(line[8], NUMS_1 " /dev/fd/3");
	assert_string_equal(line[9], "");
	free(copy);
	free(r.text);
	snapshot_free(&snap);
}

static void test_table_by_cgroup(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;
	char *copy, *line[16];

	(void)state;
	push_key(&snap, 0, "", "", 1, 1, 0, 1, 0)->cgroup = "/";
	snap.rows[0].delta = 1;
	push_key(&snap, 0, "", "", 7, 1, 0, 1, 0)->cgroup = "/system.slice/ssh.service";
	snap.rows[1].delta = 1;
	push_key(&snap, 0, "", "", 9, 1, 0, 1, 0)->delta = 1; /* gone: no path */
	push_key(&snap, 0, "", "", 11, 1, 0, 1, 0)->cgroup = "/x\x1by\xff";
	snap.rows[3].delta = 1;
	r = render_as(FORMAT_TABLE, "cgroup", &snap, false);
	assert_int_equal(r.rc, 0);
	assert_int_equal(split_lines(r.text, &copy, line, 16), 7);
	assert_string_equal(line[1], "       COUNT         OK     FAILED      DELTA CGROUP");
	assert_string_equal(line[2], NUMS_1 " /");
	assert_string_equal(line[3], NUMS_1 " /system.slice/ssh.service");
	assert_string_equal(line[4], NUMS_1 " ?");
	assert_string_equal(line[5], NUMS_1 " /x?y?");
	free(copy);
	free(r.text);
	snapshot_free(&snap);
}

static void test_table_uid_and_comm(void **state)
{
	struct snapshot snap = { 0 };
	struct count_row *row;
	struct rendered r;
	char *copy, *line[8];

	(void)state;
	row = push_key(&snap, 1000, "make", "", 0, 1, 0, 1, 0);
	row->user = "alice";
	row->delta = 1;
	row = push_key(&snap, 0, "a\x01", "", 0, 1, 0, 1, 0);
	row->delta = 1;
	/* the fixed columns in --by order */
	r = render_as(FORMAT_TABLE, "uid,comm", &snap, false);
	assert_int_equal(split_lines(r.text, &copy, line, 8), 5);
	assert_string_equal(line[1], "       UID USER             COMM                    COUNT"
				     "         OK     FAILED      DELTA");
	assert_string_equal(line[2], "      1000 alice            make             " NUMS_1);
	assert_string_equal(line[3], "         0 -                a?               " NUMS_1);
	free(copy);
	free(r.text);
	r = render_as(FORMAT_TABLE, "comm,uid", &snap, false);
	assert_int_equal(split_lines(r.text, &copy, line, 8), 5);
	assert_string_equal(line[1], "COMM                    UID USER                    COUNT"
				     "         OK     FAILED      DELTA");
	assert_string_equal(line[2], "make                   1000 alice            " NUMS_1);
	assert_string_equal(line[3], "a?                        0 -                " NUMS_1);
	free(copy);
	free(r.text);
	snapshot_free(&snap);
}

/* The display column where needle starts in line (the first one after skipping skip bytes). */
static size_t column_of(const char *line, const char *needle)
{
	const char *at = strstr(line, needle);
	size_t cols = 0;

	assert_non_null(at);
	for (const char *p = line; p < at; p++)
		cols += ((unsigned char)*p & 0xc0) != 0x80;
	return cols;
}

static void test_table_two_paths(void **state)
{
	struct snapshot snap = { 0 };
	struct count_row *row;
	struct rendered r;
	char *copy, *line[8];

	(void)state;
	row = push_key(&snap, 0, "", "/bin/sh", 5, 1, 0, 1, 0);
	row->cgroup = "/a";
	row->delta = 1;
	push_key(&snap, 0, "", "/usr/local/bin/program", 6, 1, 0, 1, 0)->delta = 1; /* gone */

	/*
	 * CGROUP then EXE whatever the --by order; CGROUP padded to its longest
	 * entry but at least its header's 6 columns; EXE last, written whole.
	 */
	for (int order = 0; order < 2; order++) {
		r = render_as(FORMAT_TABLE, order ? "cgroup,exe" : "exe,cgroup", &snap, false);
		assert_int_equal(split_lines(r.text, &copy, line, 8), 5);
		assert_string_equal(line[1],
				    "       COUNT         OK     FAILED      DELTA CGROUP EXE");
		assert_string_equal(line[2], NUMS_1 " /a     /bin/sh");
		assert_string_equal(line[3], NUMS_1 " ?      /usr/local/bin/program");
		free(copy);
		free(r.text);
	}

	/* a longer cgroup path sets the width; with uid, the fixed columns come first */
	snap.rows[0].user = "root";
	snap.rows[1].cgroup = "/system.slice/ssh.service";
	r = render_as(FORMAT_TABLE, "exe,uid,cgroup", &snap, false);
	assert_int_equal(split_lines(r.text, &copy, line, 8), 5);
	assert_string_equal(line[1], UID_HEADER " CGROUP                    EXE");
	assert_string_equal(line[2], "         0 root             " NUMS_1
				     " /a                        /bin/sh");
	assert_string_equal(line[3], "         0 -                " NUMS_1
				     " /system.slice/ssh.service /usr/local/bin/program");
	free(copy);
	free(r.text);

	/* CGROUP alone is not padded: nothing follows it */
	r = render_as(FORMAT_TABLE, "cgroup,uid", &snap, false);
	assert_int_equal(split_lines(r.text, &copy, line, 8), 5);
	assert_string_equal(line[1], UID_HEADER " CGROUP");
	assert_string_equal(line[2], "         0 root             " NUMS_1 " /a");
	free(copy);
	free(r.text);
	snapshot_free(&snap);
}

static void test_table_two_paths_long_and_odd(void **state)
{
	char sixty[61], cut[64];
	struct snapshot snap = { 0 };
	struct rendered r;
	char *copy, *line[8];
	size_t col;

	(void)state;
	memset(sixty, 'p', 60);
	sixty[0] = '/';
	sixty[60] = '\0';
	push_key(&snap, 0, "", "/long", 5, 1, 0, 1, 0)->cgroup = sixty;
	push_key(&snap, 0, "", "/utf8", 6, 1, 0, 1, 0)->cgroup =
		"/\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
	push_key(&snap, 0, "", "/tab", 7, 1, 0, 1, 0)->cgroup = "/a\tb";
	push_key(&snap, 0, "", "/gone", 8, 1, 0, 1, 0);
	r = render_as(FORMAT_TABLE, "exe,cgroup", &snap, false);
	assert_int_equal(split_lines(r.text, &copy, line, 8), 7);
	/* CGROUP is at most 48 wide: a longer path is cut, '+' in its last column */
	col = column_of(line[1], "EXE");
	assert_int_equal(col, strlen(NUMS_1) + 1 + 48 + 1);
	snprintf(cut, sizeof(cut), " %.47s+ /long", sixty);
	assert_non_null(strstr(line[2], cut));
	/* every EXE starts in the same display column, whatever the bytes before it */
	assert_int_equal(column_of(line[2], "/long"), col);
	assert_int_equal(column_of(line[3], "/utf8"), col);
	assert_int_equal(column_of(line[4], "/tab"), col);
	assert_int_equal(column_of(line[5], "/gone"), col);
	assert_non_null(strstr(line[4], " /a?b "));
	assert_non_null(strstr(line[5], " ? "));
	free(copy);
	free(r.text);
	snapshot_free(&snap);
}

static void test_table_top(void **state)
{
	struct snapshot snap = { 0 };
	struct config cfg = make_cfg(FORMAT_TABLE, "uid", 2);
	struct rendered r;
	char *copy, *line[16];

	(void)state;
	for (uint32_t uid = 1; uid <= 5; uid++)
		push_row(&snap, uid, NULL, 100 - uid, 0);
	r = render(&cfg, &snap, false);
	assert_int_equal(r.rc, 0);
	assert_int_equal(split_lines(r.text, &copy, line, 16), 6);
	assert_string_equal(line[1], UID_HEADER);
	assert_table_row(line[1], line[2], "1", "-", "99", "99", "0", "0");
	assert_table_row(line[1], line[3], "2", "-", "98", "98", "0", "0");
	assert_string_equal(line[4], "(3 more keys: --top 2)");
	assert_string_equal(line[5], "");
	free(copy);
	free(r.text);

	cfg.top = 4;
	r = render(&cfg, &snap, true);
	assert_int_equal(split_lines(r.text, &copy, line, 16), 8);
	assert_string_equal(line[6], "(1 more keys: --top 4)");
	free(copy);
	free(r.text);

	/* --top at or above the number of keys: all of them, no note */
	for (unsigned long top = 5; top <= 6; top++) {
		cfg.top = top;
		r = render(&cfg, &snap, false);
		assert_int_equal(split_lines(r.text, &copy, line, 16), 8);
		assert_null(strstr(r.text, "more keys"));
		free(copy);
		free(r.text);
	}
	/* an empty block has nothing more either */
	snap.len = 0;
	cfg.top = 1;
	r = render(&cfg, &snap, false);
	assert_null(strstr(r.text, "more keys"));
	free(r.text);
	snapshot_free(&snap);
}

static void test_table_dropped(void **state)
{
	struct snapshot snap = { 0 };
	struct config cfg = make_cfg(FORMAT_TABLE, "comm", 1);
	struct rendered r;
	char *copy, *line[16];

	(void)state;
	push_key(&snap, 0, "a", "", 0, 2, 0, 2, 0);
	push_key(&snap, 0, "b", "", 0, 1, 0, 1, 0);
	cfg.max_keys = 2;
	/* nothing dropped: no line */
	r = render(&cfg, &snap, false);
	assert_null(strstr(r.text, "dropped"));
	free(r.text);

	snap.dropped = 18446744073709551615ull;
	r = render(&cfg, &snap, false);
	assert_int_equal(r.rc, 0);
	assert_int_equal(split_lines(r.text, &copy, line, 16), 6);
	/* after the rows and the --top note, before the blank line */
	assert_string_equal(line[3], "(1 more keys: --top 1)");
	assert_string_equal(line[4], "dropped 18446744073709551615 execs: the table is full at 2 "
				     "keys -- raise --max-keys");
	assert_string_equal(line[5], "");
	free(copy);
	free(r.text);

	cfg.top = 0;
	cfg.max_keys = 10240;
	snap.dropped = 7;
	r = render(&cfg, &snap, true);
	assert_int_equal(split_lines(r.text, &copy, line, 16), 6);
	assert_string_equal(line[0], "01:40:30 (final)");
	assert_string_equal(line[4],
			    "dropped 7 execs: the table is full at 10240 keys -- raise --max-keys");
	free(copy);
	free(r.text);

	/* one of each: no plural */
	cfg.max_keys = 1;
	snap.dropped = 1;
	r = render(&cfg, &snap, true);
	assert_int_equal(split_lines(r.text, &copy, line, 16), 6);
	assert_string_equal(line[4],
			    "dropped 1 exec: the table is full at 1 key -- raise --max-keys");
	free(copy);
	free(r.text);
	snapshot_free(&snap);
}

/* Every byte of text is printable ASCII or part of valid UTF-8, besides '\n'. */
static void assert_terminal_safe(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	while (*p) {
		size_t n;

		if (*p == '\n' || (*p >= 0x20 && *p < 0x7f)) {
			p++;
			continue;
		}
		n = j_utf8(p, strlen((const char *)p));
		if (!n || (p[0] == 0xc2 && p[1] < 0xa0))
			print_error("unsafe byte 0x%02x at %zu\n", *p,
				    (size_t)(p - (const unsigned char *)text));
		assert_true(n > 0);
		assert_false(p[0] == 0xc2 && p[1] < 0xa0); /* C1 control */
		p += n;
	}
}

/* Every --by list: text safe for a terminal, COUNT right-aligned under its header. */
static void test_table_every_by_list(void **state)
{
	static const char *const names[] = { "uid", "comm", "exe", "cgroup" };
	struct snapshot snap = { 0 };
	unsigned int lists = 0;

	(void)state;
	fill_odd_keys(&snap);
	for (unsigned int code = 1; code < 5 * 5 * 5 * 5; code++) {
		unsigned int used = 0, c = code;
		char by[64] = "", *copy, *line[16], num[32];
		bool ok = true;
		struct rendered r;
		size_t n, count_end;

		while (c) {
			int d = c % 5;

			c /= 5;
			if (d == 0 || used & 1u << (d - 1)) {
				ok = false;
				break;
			}
			used |= 1u << (d - 1);
			snprintf(by + strlen(by), sizeof(by) - strlen(by), "%s%s", *by ? "," : "",
				 names[d - 1]);
		}
		if (!ok)
			continue;
		lists++;
		r = render_as(FORMAT_TABLE, by, &snap, false);
		assert_int_equal(r.rc, 0);
		assert_terminal_safe(r.text);
		n = split_lines(r.text, &copy, line, 16);
		assert_int_equal(n, 2 + snap.len + 1);
		count_end = column_of(line[1], "COUNT") + strlen("COUNT");
		for (size_t i = 0; i < snap.len; i++) {
			const char *p = line[2 + i];
			size_t cols = 0;

			/* the text up to COUNT's last column ends with the count, right-aligned */
			while (*p && cols < count_end) {
				cols += ((unsigned char)*p & 0xc0) != 0x80;
				p++;
				while (((unsigned char)*p & 0xc0) == 0x80)
					p++;
			}
			/* "%12llu", then a blank (or the end), after a blank (or the start) */
			assert_true(cols == count_end && p - line[2 + i] >= 12);
			snprintf(num, sizeof(num), "%12llu",
				 (unsigned long long)snap.rows[i].count);
			if (strncmp(p - 12, num, 12) != 0)
				print_error("--by %s: count not under COUNT in \"%s\"\n", by,
					    line[2 + i]);
			assert_memory_equal(p - 12, num, 12);
			assert_true(*p == ' ' || *p == '\0');
			assert_true(p - 12 == line[2 + i] || p[-13] == ' ');
		}
		free(copy);
		free(r.text);
	}
	assert_int_equal(lists, 64);
	snapshot_free(&snap);
}

/* ---- csv ---- */

static char *csv_of(const char *s)
{
	return written_by(csv_write_field, s);
}

static void assert_csv_field(const char *in, const char *want)
{
	char *got = csv_of(in);

	if (strcmp(got, want) != 0)
		print_error("csv of \"%s\": got \"%s\", want \"%s\"\n", in, got, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_csv_field(void **state)
{
	(void)state;
	/* plain fields as they are: empty, blanks, tabs, other punctuation, any bytes */
	assert_csv_field("", "");
	assert_csv_field("root", "root");
	assert_csv_field("/usr/bin/env", "/usr/bin/env");
	assert_csv_field(" a b ", " a b ");
	assert_csv_field("a\tb;c|d'e", "a\tb;c|d'e");
	assert_csv_field("caf\xc3\xa9", "caf\xc3\xa9");
	assert_csv_field("\xff\x01\x7f", "\xff\x01\x7f"); /* CSV is bytes */
	/* RFC 4180: comma, double quote, CR, LF: quoted, inner quotes doubled */
	assert_csv_field("a,b", "\"a,b\"");
	assert_csv_field(",", "\",\"");
	assert_csv_field("a\"b", "\"a\"\"b\"");
	assert_csv_field("\"", "\"\"\"\"");
	assert_csv_field("\"\"", "\"\"\"\"\"\"");
	assert_csv_field("a\rb", "\"a\rb\"");
	assert_csv_field("a\nb", "\"a\nb\"");
	assert_csv_field("\r\n", "\"\r\n\"");
	assert_csv_field("say \"hi\", \xff\n", "\"say \"\"hi\"\", \xff\n\"");
	assert_csv_field("end\"", "\"end\"\"\"");
}

#define CSV_HEAD_TAIL "count,execve,execveat,ok,failed,delta\n"

static void assert_csv_header(const char *by, const char *want)
{
	struct config cfg = make_cfg(FORMAT_CSV, by, 0);
	struct capture c;

	capture_open(&c);
	assert_int_equal(output_start(OPTS(&cfg), c.f, &info, &when), 0);
	if (strcmp(capture_text(&c), want) != 0)
		print_error("--by %s: got \"%s\"\n", by, c.buf);
	assert_string_equal(c.buf, want);
	capture_close(&c);
}

static void test_csv_header(void **state)
{
	(void)state;
	assert_csv_header("uid", "type,ts,uid,user," CSV_HEAD_TAIL);
	assert_csv_header("comm", "type,ts,comm," CSV_HEAD_TAIL);
	assert_csv_header("exe", "type,ts,exe," CSV_HEAD_TAIL);
	assert_csv_header("cgroup", "type,ts,cgroup,cgroup_id," CSV_HEAD_TAIL);
	/* in --by order */
	assert_csv_header("uid,comm", "type,ts,uid,user,comm," CSV_HEAD_TAIL);
	assert_csv_header("comm,uid", "type,ts,comm,uid,user," CSV_HEAD_TAIL);
	assert_csv_header("cgroup,uid,exe,comm",
			  "type,ts,cgroup,cgroup_id,uid,user,exe,comm," CSV_HEAD_TAIL);
	assert_csv_header("exe,cgroup", "type,ts,exe,cgroup,cgroup_id," CSV_HEAD_TAIL);
}

static void test_csv_rows_by_uid(void **state)
{
	struct snapshot snap = { 0 };
	struct rendered r;

	(void)state;
	fill_odd_rows(&snap);
	r = render_as(FORMAT_CSV, "uid", &snap, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text,
			    "tick,2025-11-25T01:40:30.123Z,0,root,3,2,1,2,1,1\n"
			    /* no name: an empty field */
			    "tick,2025-11-25T01:40:30.123Z,4294967295,,5000000000,5000000000,0,"
			    "4999999999,1,4294967297\n"
			    /* quoted for its quote; the odd bytes as they are */
			    "tick,2025-11-25T01:40:30.123Z,2147483648,\"we\"\"ird\xff\x01\","
			    "18446744073709551615,18446744073709551615,0,18446744073709551615,0,0\n"
			    "tick,2025-11-25T01:40:30.123Z,1000,caf\xc3\xa9,1,0,1,0,1,1\n");
	free(r.text);
	/* the last block says so */
	r = render_as(FORMAT_CSV, "uid", &snap, true);
	assert_int_equal(r.rc, 0);
	assert_int_equal(count_lines(r.text), 4);
	assert_int_equal(strncmp(r.text, "final,2025-11-25T01:40:30.123Z,0,root,3,", 40), 0);
	assert_non_null(strstr(r.text, "\nfinal,2025-11-25T01:40:30.123Z,1000,caf\xc3\xa9,1,0,1,"));
	assert_null(strstr(r.text, "tick"));
	free(r.text);
	snapshot_free(&snap);
}

static void test_csv_rows_quoting(void **state)
{
	struct snapshot snap = { 0 };
	struct count_row *row;
	struct rendered r;

	(void)state;
	row = push_key(&snap, 7, "a,b", "/x\"y\"", 3, 1, 0, 1, 0);
	row->user = "u,1";
	row->cgroup = "/c\rg";
	row = push_key(&snap, 8, "line\nbreak", "/p\r\n,q", 4, 0, 2, 1, 1);
	row->delta = 2;
	row = push_key(&snap, 9, "plain", "/bin/true", 0, 5, 0, 5, 0);
	/* uid without a name and a cgroup that is gone: empty fields */
	row = push_key(&snap, 10, "", "", 18446744073709551615ull, 1, 0, 0, 1);
	row->user = NULL;
	row->cgroup = NULL;

	r = render_as(FORMAT_CSV, "comm,exe", &snap, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(
		r.text, "tick,2025-11-25T01:40:30.123Z,\"a,b\",\"/x\"\"y\"\"\",1,1,0,1,0,0\n"
			"tick,2025-11-25T01:40:30.123Z,\"line\nbreak\",\"/p\r\n,q\",2,0,2,1,1,2\n"
			"tick,2025-11-25T01:40:30.123Z,plain,/bin/true,5,5,0,5,0,0\n"
			"tick,2025-11-25T01:40:30.123Z,,,1,1,0,0,1,0\n");
	free(r.text);

	r = render_as(FORMAT_CSV, "cgroup,uid", &snap, true);
	assert_int_equal(r.rc, 0);
	assert_string_equal(
		r.text, "final,2025-11-25T01:40:30.123Z,\"/c\rg\",3,7,\"u,1\",1,1,0,1,0,0\n"
			"final,2025-11-25T01:40:30.123Z,,4,8,,2,0,2,1,1,2\n"
			"final,2025-11-25T01:40:30.123Z,,0,9,,5,5,0,5,0,0\n"
			"final,2025-11-25T01:40:30.123Z,,18446744073709551615,10,,1,1,0,0,1,0\n");
	free(r.text);
	snapshot_free(&snap);
}

static void test_csv_top_and_empty(void **state)
{
	struct snapshot snap = { 0 };
	struct config cfg = make_cfg(FORMAT_CSV, "uid", 2);
	struct rendered r;

	(void)state;
	for (uint32_t uid = 1; uid <= 5; uid++)
		push_row(&snap, uid, NULL, 100 - uid, 1);
	snap.dropped = 4;
	/* the first --top rows, in the order given; no note, nothing about dropped */
	r = render(&cfg, &snap, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "tick,2025-11-25T01:40:30.123Z,1,,99,99,0,99,0,1\n"
				    "tick,2025-11-25T01:40:30.123Z,2,,98,98,0,98,0,1\n");
	free(r.text);
	/* --top at or above the number of keys: all */
	for (unsigned long top = 5; top <= 6; top++) {
		cfg.top = top;
		r = render(&cfg, &snap, true);
		assert_int_equal(count_lines(r.text), 5);
		free(r.text);
	}
	/* a block without rows prints nothing, tick or final */
	snap.len = 0;
	for (int final = 0; final <= 1; final++) {
		r = render(&cfg, &snap, final);
		assert_int_equal(r.rc, 0);
		assert_string_equal(r.text, "");
		free(r.text);
	}
	snapshot_free(&snap);
}

/* A header then rows: every row has as many fields as the header (a small RFC 4180 reader). */
static size_t csv_record_fields(const char **p)
{
	size_t fields = 1;
	const char *s = *p;

	for (;;) {
		if (*s == '"') {
			for (s++;; s++) {
				assert_true(*s != '\0');
				if (*s == '"' && s[1] == '"')
					s++;
				else if (*s == '"')
					break;
			}
			s++;
			/* after a quoted field: a separator or the end of the record */
			assert_true(*s == ',' || *s == '\n');
		} else {
			while (*s && *s != ',' && *s != '\n') {
				assert_true(*s != '"' && *s != '\r');
				s++;
			}
		}
		assert_true(*s != '\0'); /* every record ends in LF */
		if (*s == '\n') {
			*p = s + 1;
			return fields;
		}
		fields++;
		s++;
	}
}

static void assert_csv_shape(const char *text, size_t records)
{
	const char *p = text;
	size_t want = csv_record_fields(&p), n = 1;

	while (*p) {
		assert_int_equal(csv_record_fields(&p), want);
		n++;
	}
	assert_int_equal(n, records);
}

static void test_csv_every_by_list(void **state)
{
	static const char *const lists[] = {
		"uid", "comm", "exe", "cgroup", "uid,comm", "exe,cgroup", "cgroup,uid,exe,comm"
	};
	struct snapshot snap = { 0 };

	(void)state;
	fill_odd_keys(&snap);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		struct config cfg = make_cfg(FORMAT_CSV, lists[i], 0);
		struct capture c;

		capture_open(&c);
		assert_int_equal(output_start(OPTS(&cfg), c.f, &info, &when), 0);
		assert_int_equal(output_rows(OPTS(&cfg), c.f, SNAPSHOT_VIEW(&snap), &when, false),
				 0);
		assert_int_equal(output_rows(OPTS(&cfg), c.f, SNAPSHOT_VIEW(&snap), &when, true),
				 0);
		assert_csv_shape(capture_text(&c), 1 + 2 * snap.len);
		capture_close(&c);
	}
	snapshot_free(&snap);
}

/* python's csv module reads it back: every field's bytes, typed columns. */
static const char python_csv_check[] =
	"import csv, io, sys\n"
	"data = sys.stdin.buffer.read()\n"
	"assert data.endswith(b'\\n')\n"
	"rows = list(csv.reader(io.StringIO(data.decode('latin-1'), newline=''), strict=True))\n"
	"head = rows[0]\n"
	"print(','.join(head))\n"
	"NUM = ['count', 'execve', 'execveat', 'ok', 'failed', 'delta', 'uid', 'cgroup_id']\n"
	"for r in rows[1:]:\n"
	"    assert len(r) == len(head), r\n"
	"    d = dict(zip(head, r))\n"
	"    assert d['type'] in ('tick', 'final'), d\n"
	"    assert d['ts'] == '2025-11-25T01:40:30.123Z', d\n"
	"    for k in NUM:\n"
	"        if k in d:\n"
	"            assert d[k].isdigit() and 0 <= int(d[k]) < 2**64, d\n"
	"    print(' '.join('%s=%r' % (k, v.encode('latin-1')) for k, v in d.items()))\n";

static void test_csv_parses_in_python(void **state)
{
	static const char python[] = "/usr/bin/python3";
	struct snapshot snap = { 0 };
	struct config cfg = make_cfg(FORMAT_CSV, "cgroup,uid,exe,comm", 4);
	char dir[PATH_MAX], cmd[3 * PATH_MAX];
	struct capture lines, got;
	struct count_row *row;
	FILE *proc;
	char buf[256];
	size_t n;

	(void)state;
	if (access(python, X_OK) != 0) {
		print_message("skipped: %s is not installed, the C reader still ran\n", python);
		skip();
	}
	row = push_key(&snap, 7, "a,b\"c", "/x\r\ny", 3, 1, 0, 1, 0);
	row->user = "u \"1\"";
	row->cgroup = "/c,g";
	row->delta = 1;
	row = push_key(&snap, 4294967295u, "\xff\xc3\xa9\n", "", 18446744073709551615ull, 0, 2, 0,
		       2);
	push_row(&snap, 6, "six", 1, 0);
	capture_open(&lines);
	assert_int_equal(output_start(OPTS(&cfg), lines.f, &info, &when), 0);
	assert_int_equal(output_rows(OPTS(&cfg), lines.f, SNAPSHOT_VIEW(&snap), &when, false), 0);
	assert_int_equal(output_rows(OPTS(&cfg), lines.f, SNAPSHOT_VIEW(&snap), &when, true), 0);
	capture_text(&lines);

	tmpdir_make(dir);
	write_file(dir, "rows.csv", lines.buf, lines.len);
	write_file(dir, "check.py", python_csv_check, strlen(python_csv_check));
	snprintf(cmd, sizeof(cmd), "cd %s && %s check.py < rows.csv", dir, python);
	capture_open(&got);
	proc = popen(cmd, "r");
	assert_non_null(proc);
	while ((n = fread(buf, 1, sizeof(buf), proc)) > 0)
		fwrite(buf, 1, n, got.f);
	assert_int_equal(pclose(proc), 0);
	assert_string_equal(
		capture_text(&got),
		"type,ts,cgroup,cgroup_id,uid,user,exe,comm,count,execve,execveat,ok,failed,delta\n"
		"type=b'tick' ts=b'2025-11-25T01:40:30.123Z' cgroup=b'/c,g' cgroup_id=b'3' uid=b'7' "
		"user=b'u \"1\"' exe=b'/x\\r\\ny' comm=b'a,b\"c' count=b'1' execve=b'1' "
		"execveat=b'0' ok=b'1' failed=b'0' delta=b'1'\n"
		"type=b'tick' ts=b'2025-11-25T01:40:30.123Z' cgroup=b'' "
		"cgroup_id=b'18446744073709551615' uid=b'4294967295' user=b'' exe=b'' "
		"comm=b'\\xff\\xc3\\xa9\\n' count=b'2' execve=b'0' execveat=b'2' ok=b'0' "
		"failed=b'2' delta=b'0'\n"
		"type=b'tick' ts=b'2025-11-25T01:40:30.123Z' cgroup=b'' cgroup_id=b'0' uid=b'6' "
		"user=b'six' exe=b'' comm=b'' count=b'1' execve=b'1' execveat=b'0' ok=b'1' "
		"failed=b'0' delta=b'0'\n"
		"type=b'final' ts=b'2025-11-25T01:40:30.123Z' cgroup=b'/c,g' cgroup_id=b'3' "
		"uid=b'7' user=b'u \"1\"' exe=b'/x\\r\\ny' comm=b'a,b\"c' count=b'1' execve=b'1' "
		"execveat=b'0' ok=b'1' failed=b'0' delta=b'1'\n"
		"type=b'final' ts=b'2025-11-25T01:40:30.123Z' cgroup=b'' "
		"cgroup_id=b'18446744073709551615' uid=b'4294967295' user=b'' exe=b'' "
		"comm=b'\\xff\\xc3\\xa9\\n' count=b'2' execve=b'0' execveat=b'2' ok=b'0' "
		"failed=b'2' delta=b'0'\n"
		"type=b'final' ts=b'2025-11-25T01:40:30.123Z' cgroup=b'' cgroup_id=b'0' uid=b'6' "
		"user=b'six' exe=b'' comm=b'' count=b'1' execve=b'1' execveat=b'0' ok=b'1' "
		"failed=b'0' delta=b'0'\n");
	capture_close(&got);
	capture_close(&lines);
	tmpdir_remove(dir);
	snapshot_free(&snap);
}

/* ---- the live view ---- */

static struct rendered render_live(const struct config *cfg, const struct snapshot *snap,
				   bool final, const char *hook)
{
	struct capture c;
	struct rendered r;

	capture_open(&c);
	r.rc = output_live(OPTS(cfg), c.f, SNAPSHOT_VIEW(snap), &when, final, hook);
	fclose(c.f);
	r.text = c.buf;
	return r;
}

#define CLEAR "\033[H\033[2J"

/* The live block is the clear, its header line, a blank line, then the plain table's block
 * without its time line. */
static void assert_live(const struct config *cfg, const struct snapshot *snap, bool final,
			const char *hook, const char *want_header)
{
	struct rendered live = render_live(cfg, snap, final, hook);
	struct rendered plain = render(cfg, snap, final);
	const char *table = strchr(plain.text, '\n') + 1;
	char *want;

	assert_int_equal(live.rc, 0);
	assert_true(asprintf(&want, CLEAR "%s\n\n%s", want_header, table) > 0);
	if (strcmp(live.text, want) != 0)
		print_error("got:\n%s\nwant:\n%s\n", live.text, want);
	assert_string_equal(live.text, want);
	/* the screen is cleared once, at the start */
	assert_int_equal(strncmp(live.text, "\033[H\033[2J", 7), 0);
	assert_null(strstr(live.text + strlen(CLEAR), "\033"));
	free(want);
	free(live.text);
	free(plain.text);
}

static void test_live_header(void **state)
{
	struct snapshot snap = { 0 };
	struct config cfg = make_cfg(FORMAT_TABLE, "uid", 0);

	(void)state;
	push_counts(&snap, 1000, "alice", 1234567, 1234500, 67, 12);
	push_counts(&snap, 0, "root", 3, 2, 1, 1);
	push_counts(&snap, 65534, NULL, 1, 0, 1, 0);
	/* total over every key, the rate over the interval with one decimal */
	assert_live(
		&cfg, &snap, false, "tracepoint",
		"bcc-execcount - 01:40:30  tracepoint  every 5 s  execs: 1234571  2.6/s  keys: 3"
		"  dropped: 0");
	assert_live(&cfg, &snap, true, "kprobe",
		    "bcc-execcount - 01:40:30 (final)  kprobe  every 5 s  execs: 1234571  2.6/s  "
		    "keys: 3  dropped: 0");
	/* another interval: 13 / 3 = 4.333 */
	cfg.interval = 3;
	snap.dropped = 9;
	assert_live(&cfg, &snap, false, "kprobe",
		    "bcc-execcount - 01:40:30  kprobe  every 3 s  execs: 1234571  4.3/s  keys: 3  "
		    "dropped: 9");
	/* 20 / 3 = 6.667: rounded, not cut */
	snap.rows[0].delta = 19;
	assert_live(&cfg, &snap, false, "kprobe",
		    "bcc-execcount - 01:40:30  kprobe  every 3 s  execs: 1234571  6.7/s  keys: 3  "
		    "dropped: 9");
	/* every second: the rate is the delta */
	cfg.interval = 1;
	assert_live(
		&cfg, &snap, false, "tracepoint",
		"bcc-execcount - 01:40:30  tracepoint  every 1 s  execs: 1234571  20.0/s  keys: 3"
		"  dropped: 9");
	snapshot_free(&snap);
}

/* After a stall the block covers more than an interval: the rate is over the time it covers. */
static void test_live_rate_over_a_stall(void **state)
{
	struct snapshot snap = { 0 };
	struct config cfg = make_cfg(FORMAT_TABLE, "uid", 0);
	struct view view;
	struct capture c;
	struct rendered r;

	(void)state;
	push_counts(&snap, 1000, "alice", 6000, 6000, 0, 6000);
	view = *SNAPSHOT_VIEW(&snap);
	view.seconds = 20;
	cfg.interval = 1;
	capture_open(&c);
	r.rc = output_live(OPTS(&cfg), c.f, &view, &when, false, "tracepoint");
	fclose(c.f);
	r.text = c.buf;
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.text, "every 1 s  execs: 6000  300.0/s  keys: 1"));
	free(r.text);
	snapshot_free(&snap);
}

static void test_live_top_counts_every_key(void **state)
{
	struct snapshot snap = { 0 };
	struct config cfg = make_cfg(FORMAT_TABLE, "uid", 2);
	struct rendered r;
	char *copy, *line[16];

	(void)state;
	for (uint32_t uid = 1; uid <= 5; uid++)
		push_row(&snap, uid, NULL, 100 - uid, uid);
	/* totals and keys over all five rows, two shown */
	assert_live(&cfg, &snap, false, "tracepoint",
		    "bcc-execcount - 01:40:30  tracepoint  every 5 s  execs: 485  3.0/s  keys: 5  "
		    "dropped: 0");
	r = render_live(&cfg, &snap, false, "tracepoint");
	assert_int_equal(split_lines(r.text, &copy, line, 16), 7);
	assert_string_equal(line[1], "");
	assert_string_equal(line[2], UID_HEADER);
	assert_table_row(line[2], line[3], "1", "-", "99", "99", "0", "1");
	assert_table_row(line[2], line[4], "2", "-", "98", "98", "0", "2");
	assert_string_equal(line[5], "(3 more keys: --top 2)");
	assert_string_equal(line[6], "");
	free(copy);
	free(r.text);
	/* counts past 2^32, summed as 64 bits */
	snap.len = 0;
	push_row(&snap, 1, "a", 0x100000000ull, 0x100000000ull);
	push_row(&snap, 2, "b", 0x100000000ull, 0);
	cfg.top = 0;
	cfg.interval = 1;
	assert_live(
		&cfg, &snap, false, "kprobe",
		"bcc-execcount - 01:40:30  kprobe  every 1 s  execs: 8589934592  4294967296.0/s  "
		"keys: 2  dropped: 0");
	snapshot_free(&snap);
}

static void test_live_empty_and_by(void **state)
{
	struct snapshot snap = { 0 };
	struct config cfg = make_cfg(FORMAT_TABLE, "uid", 0);
	struct rendered r;

	(void)state;
	assert_live(&cfg, &snap, false, "tracepoint",
		    "bcc-execcount - 01:40:30  tracepoint  every 5 s  execs: 0  0.0/s  keys: 0  "
		    "dropped: 0");
	r = render_live(&cfg, &snap, true, "tracepoint");
	assert_string_equal(r.text,
			    CLEAR "bcc-execcount - 01:40:30 (final)  tracepoint  every 5 s"
				  "  execs: 0  0.0/s  keys: 0  dropped: 0\n\n" UID_HEADER "\n\n");
	free(r.text);
	/* any key: the same header, that key's table */
	fill_odd_keys(&snap);
	snap.dropped = 1;
	cfg = make_cfg(FORMAT_TABLE, "cgroup,exe,comm", 0);
	assert_live(&cfg, &snap, false, "kprobe",
		    "bcc-execcount - 01:40:30  kprobe  every 5 s  execs: 12  1.0/s  keys: 4  "
		    "dropped: 1");
	r = render_live(&cfg, &snap, false, "kprobe");
	assert_terminal_safe(r.text + strlen(CLEAR));
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

static const struct {
	enum output_format format;
	const char *by;
} stream_cases[] = {
	{ FORMAT_TABLE, "uid" },
	{ FORMAT_TABLE, "comm,exe" },
	{ FORMAT_TABLE, "cgroup,exe,uid" },
	{ FORMAT_CLASSIC, "uid" },
	{ FORMAT_JSON, "uid" },
	{ FORMAT_JSON, "uid,comm,exe,cgroup" },
	{ FORMAT_CSV, "uid" },
	{ FORMAT_CSV, "cgroup,uid,exe,comm" },
};

#define N_STREAM_CASES (sizeof(stream_cases) / sizeof(stream_cases[0]))

static void test_failed_stream_is_eio(void **state)
{
	/* unbuffered, and line-buffered as main() makes stdout */
	static const int modes[] = { _IONBF, _IOLBF };
	struct snapshot snap = { 0 };

	(void)state;
	if (access("/dev/full", W_OK) != 0) {
		print_message("skipped: no writable /dev/full to fail writes on\n");
		skip();
	}
	fill_odd_keys(&snap);
	snap.dropped = 3;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		for (size_t i = 0; i < N_STREAM_CASES; i++) {
			struct config cfg = make_cfg(stream_cases[i].format, stream_cases[i].by, 0);
			FILE *f = open_full(modes[m]);

			assert_int_equal(
				output_rows(OPTS(&cfg), f, SNAPSHOT_VIEW(&snap), &when, false),
				-EIO);
			/* the failure sticks */
			assert_int_equal(
				output_rows(OPTS(&cfg), f, SNAPSHOT_VIEW(&snap), &when, true),
				-EIO);
			fclose(f);
			/* --top and its note fail the same way */
			cfg.top = 1;
			f = open_full(modes[m]);
			assert_int_equal(
				output_rows(OPTS(&cfg), f, SNAPSHOT_VIEW(&snap), &when, false),
				-EIO);
			fclose(f);
		}
		{
			struct config cfg = make_cfg(FORMAT_JSON, "comm", 0);
			FILE *f = open_full(modes[m]);

			assert_int_equal(output_start(OPTS(&cfg), f, &info, &when), -EIO);
			fclose(f);
			/* the csv header too */
			cfg.format = FORMAT_CSV;
			f = open_full(modes[m]);
			assert_int_equal(output_start(OPTS(&cfg), f, &info, &when), -EIO);
			fclose(f);
			/* and the live view */
			cfg.format = FORMAT_TABLE;
			f = open_full(modes[m]);
			assert_int_equal(output_live(OPTS(&cfg), f, SNAPSHOT_VIEW(&snap), &when,
						     false, "kprobe"),
					 -EIO);
			fclose(f);
		}
	}
	/* an empty block still writes, and still fails (csv writes nothing: nothing fails) */
	snap.len = 0;
	for (size_t i = 0; i < N_STREAM_CASES; i++) {
		struct config cfg = make_cfg(stream_cases[i].format, stream_cases[i].by, 0);
		FILE *f = open_full(_IONBF);

		assert_int_equal(output_rows(OPTS(&cfg), f, SNAPSHOT_VIEW(&snap), &when, false),
				 cfg.format == FORMAT_CSV ? 0 : -EIO);
		fclose(f);
	}
	snapshot_free(&snap);
}

static void test_healthy_stream_is_zero(void **state)
{
	struct snapshot snap = { 0 };
	FILE *f = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(f);
	fill_odd_keys(&snap);
	snap.dropped = 3;
	for (size_t i = 0; i < N_STREAM_CASES; i++) {
		struct config cfg = make_cfg(stream_cases[i].format, stream_cases[i].by, 2);

		assert_int_equal(output_start(OPTS(&cfg), f, &info, &when), 0);
		assert_int_equal(output_rows(OPTS(&cfg), f, SNAPSHOT_VIEW(&snap), &when, false), 0);
		assert_int_equal(output_rows(OPTS(&cfg), f, SNAPSHOT_VIEW(&snap), &when, true), 0);
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
		cmocka_unit_test(test_json_start_settings),
		cmocka_unit_test(test_json_start_no_hooks),
		cmocka_unit_test(test_json_start_only_for_json),
		cmocka_unit_test(test_json_tick),
		cmocka_unit_test(test_json_final_and_empty),
		cmocka_unit_test(test_json_by_fields),
		cmocka_unit_test(test_json_odd_keys),
		cmocka_unit_test(test_json_every_by_list),
		cmocka_unit_test(test_json_top_keys_dropped),
		cmocka_unit_test(test_json_keeps_row_order),
		cmocka_unit_test(test_json_lines_parse_in_python),
		cmocka_unit_test(test_classic),
		cmocka_unit_test(test_classic_counts_both_syscalls),
		cmocka_unit_test(test_classic_top),
		cmocka_unit_test(test_table_layout),
		cmocka_unit_test(test_table_final_and_empty),
		cmocka_unit_test(test_table_fits_80_columns),
		cmocka_unit_test(test_table_user_names),
		cmocka_unit_test(test_table_utf8_user_names),
		cmocka_unit_test(test_table_by_comm),
		cmocka_unit_test(test_table_by_exe),
		cmocka_unit_test(test_table_by_cgroup),
		cmocka_unit_test(test_table_uid_and_comm),
		cmocka_unit_test(test_table_two_paths),
		cmocka_unit_test(test_table_two_paths_long_and_odd),
		cmocka_unit_test(test_table_top),
		cmocka_unit_test(test_table_dropped),
		cmocka_unit_test(test_table_every_by_list),
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_csv_header),
		cmocka_unit_test(test_csv_rows_by_uid),
		cmocka_unit_test(test_csv_rows_quoting),
		cmocka_unit_test(test_csv_top_and_empty),
		cmocka_unit_test(test_csv_every_by_list),
		cmocka_unit_test(test_csv_parses_in_python),
		cmocka_unit_test(test_live_header),
		cmocka_unit_test(test_live_rate_over_a_stall),
		cmocka_unit_test(test_live_top_counts_every_key),
		cmocka_unit_test(test_live_empty_and_by),
		cmocka_unit_test(test_failed_stream_is_eio),
		cmocka_unit_test(test_healthy_stream_is_zero),
	};

	return cmocka_run_group_tests(tests, table_setup, NULL);
}
