/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output.h - one renderer per format, each writing to a FILE * so tests can
 * render into memory.  Renderers print; they never sort or look anything up.
 */
#ifndef EXECCOUNT_OUTPUT_H
#define EXECCOUNT_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "counts.h"
#include "render.h"

/* Counting has begun (only json prints anything: its "start" line). */
int output_start(const struct render_opts *opts, FILE *out, const struct run_about *info,
		 const struct timespec *now);

/*
 * One interval's rows, already in display order (at most opts->top of them
 * are printed); final marks the last block, printed at exit.  Returns 0, or
 * -EIO once the stream has failed.
 */
int output_rows(const struct render_opts *opts, FILE *out, const struct view *view,
		const struct timespec *now, bool final);

/*
 * The table for a terminal, redrawn in place: clear the screen, a header
 * line (time, hook kind, interval, total execs, rate, keys, dropped), then
 * the table.  hook is "kprobe" or "tracepoint".
 */
int output_live(const struct render_opts *opts, FILE *out, const struct view *view,
		const struct timespec *now, bool final, const char *hook);

/* Helpers shared by the renderers, exported for the unit tests. */
void csv_write_field(FILE *out, const char *s);
void json_write_string(FILE *out, const char *s);
int format_rfc3339(char *buf, size_t len, const struct timespec *ts);

#endif
