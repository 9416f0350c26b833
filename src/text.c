// SPDX-License-Identifier: GPL-2.0
#include "text.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one. */
int utf8_len(const unsigned char *s)
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

/* Length of the ANSI escape sequence at s (ESC [ params final, or ESC and one byte), else 0. */
static size_t escape_len(const unsigned char *s)
{
	size_t n = 2;

	if (s[0] != 0x1b || !s[1])
		return 0;
	if (s[1] != '[')
		return 2;
	while (s[n] && (s[n] < 0x40 || s[n] > 0x7e))
		n++;
	return s[n] ? n + 1 : n;
}

size_t text_fit_screen(char *buf, size_t len, unsigned int cols, unsigned int rows)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t r = 0, w = 0;
	unsigned int col = 0, line = 0;

	while (r < len && rows) {
		size_t n = escape_len(p + r);

		if (p[r] == '\n') {
			if (++line == rows)
				break;
			buf[w++] = '\n';
			r++;
			col = 0;
			continue;
		}
		if (!n) {
			n = (size_t)utf8_len(p + r);
			n = n ? n : 1;
			if (col++ >= cols) {
				r += n;
				continue;
			}
		}
		if (r + n > len)
			n = len - r;
		memmove(buf + w, buf + r, n);
		w += n;
		r += n;
	}
	buf[w] = '\0';
	return w;
}
