/* SPDX-License-Identifier: GPL-2.0 */
/*
 * text.h - bytes from the kernel (comm, paths, names) are not always UTF-8;
 * every renderer that needs UTF-8 asks here.
 */
#ifndef EXECCOUNT_TEXT_H
#define EXECCOUNT_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one (s is NUL-terminated). */
int utf8_len(const unsigned char *s);

/*
 * Cut text, lines ending in '\n' (NUL-terminated at buf[len]), in place to a
 * screen of cols x rows: each line to its first cols characters (a UTF-8
 * sequence or an invalid byte is one, an ANSI escape sequence none), at most
 * rows lines, the last of them without its newline (which would scroll the
 * screen).  Returns the new length; buf stays NUL-terminated.
 */
size_t text_fit_screen(char *buf, size_t len, unsigned int cols, unsigned int rows);

#endif
