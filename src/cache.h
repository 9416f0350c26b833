/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cache.h - the compiled-program cache: a probe compiled once is kept as an
 * image (image.h) in a root-owned directory, under the SHA-256 of what it was
 * compiled from, and loaded from there by the next start with the same
 * probe text, -D settings, kernel, libbcc and tool: no clang, no LLVM.
 *
 * Safe by refusal: the directory must be a real directory owned by root (or
 * by us) that no one else can write; an entry must be a regular file with
 * the same owner rule, one link, and a checksum and key that match.
 * Anything else is ignored with a message, and the probe is compiled.
 */
#ifndef EXECCOUNT_CACHE_H
#define EXECCOUNT_CACHE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "image.h"
#include "sha256.h"

#define CACHE_DEFAULT_DIR "/var/cache/bcc-execcount"
#define CACHE_SUFFIX	  ".probe"

/* What a compile depends on: any change gives another key. */
struct cache_key_input {
	const char *tool_version;
	const char *libbcc_version; /* probe_libbcc_identity(): the library, not only its version */
	const char *release;	    /* uname -r */
	const char *build;	    /* uname -v: two builds of one release differ */
	const char *machine;	    /* uname -m */
	const char *headers; /* the kernel headers asked for (-k, BCC_KERNEL_SOURCE), or "" */
	const char *env;     /* the variables libbcc and clang read, NAME=value, space-separated */
	const char *const *cflags;
	int ncflags;
	const char *source;
	size_t source_len;
};

/*
 * The key as text, a line per input (it is stored in the entry, and read
 * back by anyone curious: `strings FILE | head`), into buf.  -ENOSPC if it
 * does not fit (or an input holds a newline: it would be ambiguous).
 */
int cache_key_text(const struct cache_key_input *in, char *buf, size_t len);

/* room left in PATH_MAX for "/<64 hex>.probe" and a temporary name's suffix */
#define CACHE_DIR_MAX (PATH_MAX - 128)

struct cache {
	char dir[CACHE_DIR_MAX];
	bool usable;
};

/*
 * A temporary file of a store (".<64 hex>.probe.XXXXXX") older than this is
 * left by a store that did not finish; a younger one may be another
 * instance's store in progress (cache.c says more).
 */
#define CACHE_TEMP_STALE_SECONDS (10 * 60)

/*
 * Make dir (if missing, mode 0755 whatever the umask) and check it; once it
 * is usable, remove the stale temporary files of stores that did not finish.
 * explicit_dir: the user named it, so a problem is an error (logged; a
 * negative errno returned, the caller exits).  Otherwise (the default
 * directory) the cache is left unusable and 0 returned: a directory that
 * exists but is unsafe is a warning; one that cannot be made (no parent, a
 * read-only /var, a user without root's write access) only a --verbose line.
 */
int cache_open(struct cache *cache, const char *dir, bool explicit_dir);

/* dir/<sha256 of key>.probe, into path (PATH_MAX bytes). */
void cache_entry_path(const struct cache *cache, const char *key, char *path);

/*
 * The entry for key, checked and parsed into img (zeroed by the caller;
 * image_free() it).  0: a hit.  -ENOENT: none.  -EINVAL: there is one, but
 * it was refused or could not be read (the reason is logged).
 */
int cache_load(const struct cache *cache, const char *key, struct probe_image *img);

/* Store img as the entry for key; says so with --verbose; failure is only logged. */
void cache_store(const struct cache *cache, const char *key, const struct probe_image *img);

/* One line about dir for --doctor, into buf: entries and bytes, or what is wrong; 0 if usable. */
int cache_describe(const char *dir, char *buf, size_t len);

#endif
