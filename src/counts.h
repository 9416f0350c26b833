/* SPDX-License-Identifier: GPL-2.0 */
/*
 * counts.h - snapshots of the kernel's counters as plain arrays, and the
 * arithmetic on them: order, deltas.  Pure functions, no libbcc.
 */
#ifndef EXECCOUNT_COUNTS_H
#define EXECCOUNT_COUNTS_H

#include <stddef.h>
#include <stdint.h>

struct count_row {
	uint32_t uid;
	uint64_t count;	  /* execs since the probe was loaded */
	uint64_t delta;	  /* execs since the previous snapshot */
	const char *user; /* passwd name, or NULL; filled in for output */
};

struct snapshot {
	struct count_row *rows;
	size_t len;
	size_t cap;
};

enum count_order {
	ORDER_BY_UID,	/* uid ascending */
	ORDER_BY_COUNT, /* count descending, then uid ascending */
};

void snapshot_free(struct snapshot *snap);
/* Returns 0 or -ENOMEM; the buffer grows but never shrinks, so steady state allocates nothing. */
int snapshot_push(struct snapshot *snap, uint32_t uid, uint64_t count);
int snapshot_copy(struct snapshot *dst, const struct snapshot *src);

void counts_sort(struct snapshot *snap, enum count_order order);

/*
 * Set each row's delta against prev: both sorted by uid.  A uid absent from
 * prev is new (delta = count); a count below its previous value means the
 * counter was reset under us, and counts as new too.
 */
void counts_delta(struct snapshot *cur, const struct snapshot *prev);

#endif
