/* SPDX-License-Identifier: GPL-2.0 */
/*
 * text.h - bytes from the kernel (comm, paths, names) are not always UTF-8;
 * every renderer that needs UTF-8 asks here.
 */
#ifndef EXECCOUNT_TEXT_H
#define EXECCOUNT_TEXT_H

#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one (s is NUL-terminated). */
int utf8_len(const unsigned char *s);

#endif
