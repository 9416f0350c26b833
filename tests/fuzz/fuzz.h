/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h - what the libFuzzer targets share: a reader that turns the fuzzer's
 * bytes into choices, numbers and strings (never reading past the end: an
 * exhausted input reads as zeros), an in-memory FILE *, and checks of the
 * output written here, independent of src/ (a UTF-8 validator of our own, so
 * text.c is checked against it, not against itself).
 *
 * A violated invariant calls fuzz_fail(), which prints what and abort()s:
 * libFuzzer reports it as a crash and keeps the input.
 */
#ifndef EXECCOUNT_FUZZ_H
#define EXECCOUNT_FUZZ_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__attribute__((noreturn, format(printf, 1, 2))) static inline void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz invariant violated: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* An unsigned number of 0-8 bytes (the first byte says how many), so small values are cheap. */
static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	unsigned int len = fuzz_u8(in) % 9;
	uint64_t v = 0;

	for (unsigned int i = 0; i < len; i++)
		v = v << 8 | fuzz_u8(in);
	return v;
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | fuzz_u8(in);
	return v;
}

/* A value in [lo, hi]. */
static inline uint64_t fuzz_range(struct fuzz_in *in, uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo;

	return span == UINT64_MAX ? fuzz_u64(in) : lo + fuzz_u64(in) % (span + 1);
}

/*
 * Up to max bytes into buf (a length byte, then the bytes, which may hold NULs
 * and anything else); returns how many were copied.
 */
static inline size_t fuzz_bytes(struct fuzz_in *in, void *buf, size_t max)
{
	size_t len = fuzz_u8(in);

	if (len >= 0xf0) /* a long one: 0xf0 + the high 4 bits, then the low 8 (up to 4095) */
		len = (size_t)(len - 0xf0) << 8 | fuzz_u8(in);
	if (len > max)
		len = max;
	if (len > in->n)
		len = in->n;
	memcpy(buf, in->p, len);
	in->p += len;
	in->n -= len;
	return len;
}

/* A NUL-terminated string of up to max bytes (no NUL inside: it ends at the first). */
static inline char *fuzz_string(struct fuzz_in *in, size_t max)
{
	char *s = malloc(max + 1);
	size_t len;

	if (!s)
		abort();
	len = fuzz_bytes(in, s, max);
	s[len] = '\0';
	return s;
}

/* ---- output checks ---- */

/* Length of the valid UTF-8 sequence at p (avail bytes there), 0 if none. */
static inline size_t fuzz_utf8_len(const unsigned char *p, size_t avail)
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

/* The offset of the first byte that is not valid UTF-8, or len if all is. */
static inline size_t fuzz_utf8_check(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n = fuzz_utf8_len(p + i, len - i);

		if (!n)
			return i;
		i += n;
	}
	return len;
}

/* An in-memory stream; fuzz_mem_done() closes it and leaves the bytes in buf/len. */
struct fuzz_mem {
	FILE *f;
	char *buf;
	size_t len;
};

static inline void fuzz_mem_open(struct fuzz_mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	if (!m->f)
		abort();
}

static inline void fuzz_mem_done(struct fuzz_mem *m)
{
	if (fclose(m->f))
		fuzz_fail("fclose of a memory stream failed");
	m->f = NULL;
}

static inline void fuzz_mem_free(struct fuzz_mem *m)
{
	if (m->f)
		fclose(m->f);
	free(m->buf);
	m->buf = NULL;
	m->f = NULL;
}

#endif
