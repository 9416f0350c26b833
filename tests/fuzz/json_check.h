/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json_check.h - a strict validator of one JSON text (RFC 8259), for the
 * fuzzers: valid UTF-8 throughout, no raw control characters in strings,
 * only the escapes JSON has, numbers in JSON's grammar, balanced brackets
 * and quotes, nothing after the value.  Written here, independent of src/.
 */
#ifndef EXECCOUNT_JSON_CHECK_H
#define EXECCOUNT_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "fuzz.h"

struct json_cur {
	const char *s;
	size_t len, at;
	const char *error;
};

static bool json_value(struct json_cur *c, int depth);

static inline int json_peek(const struct json_cur *c)
{
	return c->at < c->len ? (unsigned char)c->s[c->at] : -1;
}

static inline bool json_err(struct json_cur *c, const char *what)
{
	if (!c->error)
		c->error = what;
	return false;
}

static inline void json_ws(struct json_cur *c)
{
	while (c->at < c->len && strchr(" \t\r\n", c->s[c->at]) && c->s[c->at])
		c->at++;
}

static inline bool json_lit(struct json_cur *c, const char *word)
{
	size_t n = strlen(word);

	if (c->len - c->at < n || memcmp(c->s + c->at, word, n) != 0)
		return json_err(c, "bad literal");
	c->at += n;
	return true;
}

static inline bool json_hex(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static inline bool json_string(struct json_cur *c)
{
	c->at++; /* the opening quote */
	for (;;) {
		int ch = json_peek(c);

		if (ch < 0)
			return json_err(c, "unterminated string");
		if (ch == '"') {
			c->at++;
			return true;
		}
		if (ch < 0x20)
			return json_err(c, "raw control character in a string");
		if (ch == '\\') {
			c->at++;
			ch = json_peek(c);
			if (ch <= 0 || !strchr("\"\\/bfnrtu", ch))
				return json_err(c, "bad escape");
			c->at++;
			if (ch == 'u') {
				for (int i = 0; i < 4; i++, c->at++)
					if (!json_hex(json_peek(c)))
						return json_err(c, "bad \\u escape");
			}
			continue;
		}
		{
			size_t n =
				fuzz_utf8_len((const unsigned char *)c->s + c->at, c->len - c->at);

			if (!n)
				return json_err(c, "invalid UTF-8 in a string");
			c->at += n;
		}
	}
}

static inline bool json_digits(struct json_cur *c)
{
	size_t start = c->at;

	while (json_peek(c) >= '0' && json_peek(c) <= '9')
		c->at++;
	return c->at > start || json_err(c, "digits expected");
}

static inline bool json_number(struct json_cur *c)
{
	if (json_peek(c) == '-')
		c->at++;
	if (json_peek(c) == '0')
		c->at++;
	else if (!json_digits(c))
		return false;
	if (json_peek(c) == '.') {
		c->at++;
		if (!json_digits(c))
			return false;
	}
	if (json_peek(c) == 'e' || json_peek(c) == 'E') {
		c->at++;
		if (json_peek(c) == '+' || json_peek(c) == '-')
			c->at++;
		if (!json_digits(c))
			return false;
	}
	return true;
}

static inline bool json_members(struct json_cur *c, int depth, bool object)
{
	int close = object ? '}' : ']';

	c->at++; /* { or [ */
	json_ws(c);
	if (json_peek(c) == close) {
		c->at++;
		return true;
	}
	for (;;) {
		json_ws(c);
		if (object) {
			if (json_peek(c) != '"')
				return json_err(c, "member name expected");
			if (!json_string(c))
				return false;
			json_ws(c);
			if (json_peek(c) != ':')
				return json_err(c, "':' expected");
			c->at++;
		}
		if (!json_value(c, depth + 1))
			return false;
		json_ws(c);
		if (json_peek(c) == ',') {
			c->at++;
			continue;
		}
		if (json_peek(c) == close) {
			c->at++;
			return true;
		}
		return json_err(c, object ? "',' or '}' expected" : "',' or ']' expected");
	}
}

static bool json_value(struct json_cur *c, int depth)
{
	int ch;

	if (depth > 64)
		return json_err(c, "nested too deep");
	json_ws(c);
	ch = json_peek(c);
	switch (ch) {
	case '{':
	case '[':
		return json_members(c, depth, ch == '{');
	case '"':
		return json_string(c);
	case 't':
		return json_lit(c, "true");
	case 'f':
		return json_lit(c, "false");
	case 'n':
		return json_lit(c, "null");
	default:
		if (ch == '-' || (ch >= '0' && ch <= '9'))
			return json_number(c);
		return json_err(c, "a value expected");
	}
}

/* NULL if s[0..len) is one valid JSON text, else what is wrong (at *where). */
static inline const char *json_check(const char *s, size_t len, size_t *where)
{
	struct json_cur c = { .s = s, .len = len };

	if (json_value(&c, 0)) {
		json_ws(&c);
		if (c.at != len)
			json_err(&c, "text after the value");
	}
	*where = c.at;
	return c.error;
}

#endif
