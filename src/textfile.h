/* SPDX-License-Identifier: GPL-2.0 */
/*
 * textfile.h - --textfile: the metrics written for node_exporter's textfile
 * collector, atomically: a temporary file in the same directory, written,
 * synced, then renamed over the path.  rename() replaces a symlink planted at
 * the path; it never writes through one.
 */
#ifndef EXECCOUNT_TEXTFILE_H
#define EXECCOUNT_TEXTFILE_H

#include <stddef.h>

/*
 * Before anything is attached: the directory exists and we can create files
 * in it, and path is not a directory.  Logs why not; 0 or a negative errno.
 */
int textfile_check(const char *path);

/* Replace path's content with text: 0, or a negative errno (nothing is left behind). */
int textfile_write(const char *path, const char *text, size_t len);

#endif
