/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sha256.h - SHA-256 from nettle, for the compiled-program cache: the name of
 * an entry (the digest of its key, in hex) and the check of its content.
 * Two one-call helpers over nettle's <nettle/sha2.h> and <nettle/base16.h>.
 */
#ifndef EXECCOUNT_SHA256_H
#define EXECCOUNT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/base16.h>
#include <nettle/sha2.h>

#define SHA256_LEN     SHA256_DIGEST_SIZE
#define SHA256_HEX_LEN BASE16_ENCODE_LENGTH(SHA256_LEN)

/* digest of data */
static inline void sha256(const void *data, size_t len, unsigned char digest[SHA256_LEN])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, SHA256_LEN, digest);
}

/* Lowercase hex, NUL-terminated: hex has SHA256_HEX_LEN + 1 bytes. */
static inline void sha256_hex(const unsigned char digest[SHA256_LEN], char *hex)
{
	base16_encode_update(hex, SHA256_LEN, digest);
	hex[SHA256_HEX_LEN] = '\0';
}

#endif
