/* SPDX-License-Identifier: GPL-2.0 */
/*
 * source.h - the probe's text: the copy embedded at build time, or a --probe
 * file read whole and checked (a regular file, not too large, no NUL bytes).
 */
#ifndef EXECCOUNT_SOURCE_H
#define EXECCOUNT_SOURCE_H

#include <stddef.h>

/* A probe file larger than this is refused (the built-in one is ~2 KiB). */
#define SOURCE_MAX_BYTES (1024 * 1024)

struct probe_source {
	const char *text; /* NUL-terminated */
	size_t len;
	const char *name; /* for messages and clang diagnostics */
	char *owned;	  /* heap copy when read from a file */
};

/* The probe embedded at build time (cmake/EmbedProbe.cmake). */
void source_builtin(struct probe_source *src);

/*
 * Read path.  Returns 0; -ENOENT/-EACCES/-EISDIR/-ENODEV (not a regular file)/...
 * when it cannot be read (EX_NOINPUT); -EFBIG or -EINVAL when it is too large or
 * not text (EX_DATAERR).
 * Logs one line naming the file on failure.
 */
int source_read(struct probe_source *src, const char *path);

void source_free(struct probe_source *src);

#endif
