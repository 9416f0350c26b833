/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics.h - the counters in Prometheus's text exposition format (0.0.4),
 * for --listen and --textfile.  Pure: renders into a FILE *.
 */
#ifndef EXECCOUNT_METRICS_H
#define EXECCOUNT_METRICS_H

#include <stdio.h>

#include "counts.h"
#include "render.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * Every family with its HELP and TYPE lines.  view's rows must be sorted by
 * count, descending, with names filled in: beyond opts->max_series keys, the
 * first max_series - 1 are exported and the rest summed into one key whose
 * every key label is "other", marked with the label folded="true" (a real
 * key may be named "other").  Returns 0 or -EIO.
 */
int metrics_render(FILE *out, const struct render_opts *opts, const struct view *view,
		   const struct run_about *info);

/* A label value: \ " and newline escaped, invalid UTF-8 bytes as U+FFFD. */
void metrics_write_label_value(FILE *out, const char *s);

#endif
