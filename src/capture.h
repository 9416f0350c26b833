/* SPDX-License-Identifier: GPL-2.0 */
/*
 * capture.h - what a library writes straight to fd 2 (libbcc, clang), held
 * in a memory file meanwhile, so the caller can replay it filtered: some of
 * it is wrong (libbcc's "Program too large" for any E2BIG), too long (clang's
 * include chain of a file that includes itself), or noise about a path the
 * tool leaves for another (libbcc's tracefs kprobe after the PMU refused).
 * Nothing is lost when the capture cannot be set up: fd 2 is then left as it is.
 */
#ifndef EXECCOUNT_CAPTURE_H
#define EXECCOUNT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct capture {
	int saved; /* the real fd 2, or -1 when nothing is captured */
	int fd;	   /* the memory file */
};

void capture_begin(struct capture *c);

/* fd 2 back; what was written meanwhile, to read from its start (fclose it), or NULL. */
FILE *capture_end(struct capture *c);

/* The captured lines, one at a time (without the newline), into *line; false at the end (f may be NULL). */
bool capture_next_line(FILE *f, char **line, size_t *cap);

#endif
