/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tick.h - one interval's counts: the snapshot read from the kernel, put in
 * key order once, merged and set against the previous interval; and the
 * views the sinks ask of it.  Pure: no libbcc, unit-tested.
 *
 * A view is the tick's rows in one order (count, --sort, ...), by pointer
 * into the tick's snapshot: no row is copied.  Each order is sorted at most
 * once per tick, on those pointers: the tick's snapshot is never re-sorted.  Names (users, cgroup
 * paths) are resolved once per row per tick, for the rows a view shows (its
 * first top).
 */
#ifndef EXECCOUNT_TICK_H
#define EXECCOUNT_TICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counts.h"

/* Fills in a row's names (row->user, row->cgroup); called once per row and tick. */
typedef void tick_namer(void *ctx, struct count_row *row);

#define TICK_ORDERS ORDER_COUNT_

struct tick {
	struct snapshot cur;  /* this interval, by key */
	struct snapshot prev; /* the previous interval, by key */
	bool advanced;	      /* cur is this tick's: the next reading swaps it into prev */
	uint64_t read_ns;     /* CLOCK_MONOTONIC of the last tick_advance(), 0: none yet */
	double seconds;	      /* since the tick before it (0: the first) */
	uint64_t dropped_said;
	tick_namer *namer;
	void *namer_ctx;
	bool *named; /* one per row of cur: its names are resolved */
	size_t named_cap;
	/* per order: the rows by pointer, sorted this tick (valid[]) */
	struct count_row **order[TICK_ORDERS];
	size_t order_cap[TICK_ORDERS];
	bool valid[TICK_ORDERS];
	struct view views[TICK_ORDERS + 1]; /* the last: the classic view */
	struct count_row **pick;	    /* the classic view's rows */
	size_t pick_cap;
};

/* namer may be NULL (no names wanted). */
void tick_init(struct tick *t, tick_namer *namer, void *ctx);
void tick_free(struct tick *t);

/* The snapshot to read this tick's rows into (probe_read_counts()): empty on the first call after tick_advance(). */
struct snapshot *tick_reading(struct tick *t);

/*
 * The rows read at now_ns (CLOCK_MONOTONIC; 0: unknown): into key order,
 * merged, deltas set; the views made stale.  0 or -ENOMEM.
 */
int tick_advance(struct tick *t, uint64_t now_ns);

/* Execs dropped since the last call said so (0: nothing new to say). */
uint64_t tick_dropped_news(struct tick *t);

/* Every row in order, the first top named (0: all); NULL when out of memory.  Valid until the next tick_advance(). */
const struct view *tick_view(struct tick *t, enum count_order order, size_t top);

/* The original's line: the top busiest (by count; 0: all) alone, in key order, unnamed.  NULL: out of memory. */
const struct view *tick_view_classic(struct tick *t, size_t top);

#endif
