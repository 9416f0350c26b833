/* SPDX-License-Identifier: GPL-2.0 */
/*
 * display.h - the stdout sink: each interval's block in the chosen format,
 * rendered in memory and written at once; on a terminal, the table redrawn
 * in place with as many rows as fit.  stdout carries data only.
 */
#ifndef EXECCOUNT_DISPLAY_H
#define EXECCOUNT_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "render.h"
#include "tick.h"

struct display {
	struct render_opts opts; /* top set per block */
	enum count_order sort;	 /* -s/--sort */
	unsigned long top;	 /* --top; 0: all (or what fits, live) */
	bool live;		 /* the table redrawn in place on a terminal */
	const char *hook;	 /* "kprobe" or "tracepoint", for the live header */
	int64_t grace_end_ms; /* CLOCK_MONOTONIC: when stdout's grace after a stop ends; 0: no stop */
};

void display_init(struct display *d, const struct config *cfg, const char *hook);

/* The start of the output (json's start line, csv's header). 0, -EPIPE, or -errno (said). */
int display_start(struct display *d, const struct run_about *about);

/* The tick's block; final marks the last.  0, -EPIPE (stdout's reader gone), -errno (said). */
int display_block(struct display *d, struct tick *t, bool final);

/*
 * After writing to stdout: 0; -EPIPE when its reader has gone away (a clean
 * end: `| head -1`); another -errno, reported here, when writing failed.
 * errno is cleared before the writes, so it names the write that failed.
 */
int stdout_status(void);

#endif
