/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fdio.h - read() and write() to the end: retried on EINTR and after short
 * counts.  Used for the cache's entries, --probe files and atomic_write().
 * Pure: no state, no messages.
 */
#ifndef EXECCOUNT_FDIO_H
#define EXECCOUNT_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* Up to len bytes into buf: the bytes read (fewer than len only at end of file), or a negative errno. */
ssize_t read_full(int fd, void *buf, size_t len);

/* All len bytes of data: 0, or a negative errno (then some of it may have been written). */
int write_full(int fd, const void *data, size_t len);

#endif
