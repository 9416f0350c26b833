/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sha256.h - SHA-256 (FIPS 180-4), for the compiled-program cache: the name
 * of an entry (the digest of its key) and the check of its content.  Pure.
 */
#ifndef EXECCOUNT_SHA256_H
#define EXECCOUNT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN     32
#define SHA256_HEX_LEN (2 * SHA256_LEN)

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	unsigned char block[64];
	size_t fill; /* bytes in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char digest[SHA256_LEN]);

/* One call: digest of data. */
void sha256(const void *data, size_t len, unsigned char digest[SHA256_LEN]);
/* Lowercase hex, NUL-terminated: hex has SHA256_HEX_LEN + 1 bytes. */
void sha256_hex(const unsigned char digest[SHA256_LEN], char *hex);

#endif
