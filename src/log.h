/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h - messages for people, on stderr; stdout carries data only.
 *
 * Every line starts with the program name, is lowercase, has no trailing
 * period, and names the object it is about (style.md, bpftool's p_err).
 */
#ifndef EXECCOUNT_LOG_H
#define EXECCOUNT_LOG_H

#include <stdbool.h>
#include <stdio.h>

#define PROG_NAME "bcc-execcount"

/* Where messages go (stderr unless a test says otherwise) and how many. */
void log_setup(FILE *stream, bool verbose);

/* An error (with a hint toward the fix) or a note the user must see. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A stage or detail, printed only with --verbose. */
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether --verbose is on (what log_verbose() prints). */
bool log_verbose_enabled(void);

/*
 * A start-up stage has ended: with --verbose, its name and how long it took
 * since the previous one ended (or log_setup()): "compile     312.4 ms".
 */
void log_stage(const char *stage);

#endif
