/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atomic_write.h - replace a file's content so that readers see the old file
 * or the new one, never a part: a temporary file in the same directory,
 * written, synced, renamed over the path, the directory synced.  rename()
 * replaces a symlink planted at the path; it never writes through one.
 * Used by --textfile and the compiled-program cache.
 */
#ifndef EXECCOUNT_ATOMIC_WRITE_H
#define EXECCOUNT_ATOMIC_WRITE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * "dir/name" -> dir "dir" and tmp "dir/.name.XXXXXX" (a mkostemp template,
 * hidden from collectors that read *.prom).  Both have PATH_MAX bytes.
 * -EISDIR if path ends in '/', -ENAMETOOLONG.
 */
int atomic_write_names(const char *path, char *dir, char *tmp);

/*
 * Whether base (a name in a directory, no '/') is one of atomic_write()'s
 * temporary files: ".NAME.XXXXXX", the six X as mkostemp() fills them
 * (letters and digits).  If so, NAME (the file it was to become) goes into
 * name (len bytes; false if it does not fit).
 */
bool atomic_write_temp_of(const char *base, char *name, size_t len);

/* path's content becomes data, mode 0644: 0, or a negative errno (nothing is left behind). */
int atomic_write(const char *path, const void *data, size_t len);

#endif
