/* SPDX-License-Identifier: GPL-2.0 */
/*
 * counts.h - snapshots of the kernel's counters as plain arrays, and the
 * arithmetic on them: order, deltas.  Pure functions, no libbcc.
 */
#ifndef EXECCOUNT_COUNTS_H
#define EXECCOUNT_COUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

/* One key's counters, cumulative since the probe was loaded (the probe's struct execcount_value). */
struct exec_counts {
	uint64_t execve;   /* execve() calls entered */
	uint64_t execveat; /* execveat() calls entered */
	uint64_t ok;	   /* execs that succeeded */
	uint64_t failed;   /* calls that returned an error */
};

struct count_row {
	struct exec_key key;
	struct exec_counts n;
	uint64_t count;	    /* execve + execveat: attempts */
	uint64_t delta;	    /* attempts since the previous snapshot */
	const char *user;   /* passwd name of key.uid, or NULL; filled in for output */
	const char *cgroup; /* path of key.cgroup, or NULL; filled in for output */
};

struct snapshot {
	struct count_row *rows;
	size_t len;
	size_t cap;
	uint64_t dropped; /* execs not counted because the table was full (cumulative) */
};

/*
 * What a sink renders: a snapshot's rows in the sink's order.  Either the
 * snapshot's own array (rows) or pointers into it (order): a view copies no
 * row.
 */
struct view {
	const struct count_row *rows;
	const struct count_row *const *order; /* when set, row i is order[i] */
	size_t len;
	uint64_t dropped; /* the snapshot's */
	double seconds;	  /* the time the deltas cover; 0: unknown (one interval) */
};

static inline const struct count_row *view_row(const struct view *v, size_t i)
{
	return v->order ? v->order[i] : &v->rows[i];
}

/* A snapshot as it stands, as a view (a pointer to a compound literal). */
#define SNAPSHOT_VIEW(s)                                                                           \
	(&(struct view){ .rows = (s)->rows, .len = (s)->len, .dropped = (s)->dropped })

/*
 * Numbers sort descending, key fields ascending; ties by key.  Each --by
 * field is an order too, ORDER_BY(field): a new field in keys.c's table
 * sorts with no entry here.
 */
enum count_order {
	ORDER_BY_KEY,	/* key_compare ascending */
	ORDER_BY_COUNT, /* count descending, then key ascending */
	ORDER_BY_OK,
	ORDER_BY_FAILED,
	ORDER_BY_DELTA,
	ORDER_BY_EXECVE,
	ORDER_BY_EXECVEAT,
	ORDER_BY_FIELD, /* + enum key_field: that field ascending (key_field_compare), then key */
	ORDER_COUNT_ = ORDER_BY_FIELD + FIELD_COUNT_,
};

#define ORDER_BY(field) ((enum count_order)(ORDER_BY_FIELD + (field)))

/* "count", "ok", ..., or a key field's name (the --sort names), or -1. */
int count_order_parse(const char *name);
/* The key field (enum key_field) an order sorts by, or -1 for an order by a number. */
int count_order_field(enum count_order order);

void snapshot_free(struct snapshot *snap);
/* Returns 0 or -ENOMEM; the buffer grows but never shrinks, so steady state allocates nothing. */
int snapshot_push(struct snapshot *snap, const struct exec_key *key, const struct exec_counts *n);
int snapshot_copy(struct snapshot *dst, const struct snapshot *src);
/* Room for need rows (len unchanged): 0 or -ENOMEM. */
int snapshot_reserve(struct snapshot *snap, size_t need);

void counts_sort(struct snapshot *snap, enum count_order order);
/* The order's comparison of two rows (qsort's sign): ties by key. */
int counts_compare(const struct count_row *x, const struct count_row *y, enum count_order order);

/*
 * Merge rows with equal keys (snap sorted by key), summing their counters.
 * The kernel's key bytes can differ where the decoded key does not: bytes
 * after a string's NUL (bpf_probe_read_user_str before Linux 5.10 could
 * copy some; a hand-edited probe might not zero them).
 */
void counts_merge(struct snapshot *snap);

/*
 * Set each row's delta against prev: both sorted by key.  A key absent from
 * prev is new (delta = count); a count below its previous value means the
 * counter was reset under us, and counts as new too.
 */
void counts_delta(struct snapshot *cur, const struct snapshot *prev);

#endif
