// SPDX-License-Identifier: GPL-2.0
#include "tick.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tick_init(struct tick *t, tick_namer *namer, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->namer = namer;
	t->namer_ctx = ctx;
}

void tick_free(struct tick *t)
{
	snapshot_free(&t->cur);
	snapshot_free(&t->prev);
	free(t->named);
	for (int i = 0; i < TICK_ORDERS; i++)
		free(t->order[i]);
	free(t->pick);
	memset(t, 0, sizeof(*t));
}

struct snapshot *tick_reading(struct tick *t)
{
	if (t->advanced) { /* the last tick becomes the previous one: buffers swapped, not copied */
		struct snapshot last = t->cur;

		t->cur = t->prev;
		t->prev = last;
		t->cur.len = 0;
		t->cur.dropped = t->prev.dropped; /* cumulative: until the reading says more */
		t->advanced = false;
	}
	return &t->cur;
}

int tick_advance(struct tick *t, uint64_t now_ns)
{
	t->seconds = t->read_ns && now_ns > t->read_ns ? (double)(now_ns - t->read_ns) / 1e9 : 0;
	t->read_ns = now_ns;
	counts_sort(&t->cur, ORDER_BY_KEY);
	counts_merge(&t->cur);
	counts_delta(&t->cur, &t->prev);
	memset(t->valid, 0, sizeof(t->valid));
	if (t->cur.len > t->named_cap) {
		bool *named = realloc(t->named, t->cur.len * sizeof(*named));

		if (!named)
			return -ENOMEM;
		t->named = named;
		t->named_cap = t->cur.len;
	}
	if (t->cur.len)
		memset(t->named, 0, t->cur.len * sizeof(*t->named));
	t->advanced = true;
	return 0;
}

uint64_t tick_dropped_news(struct tick *t)
{
	uint64_t news = t->cur.dropped > t->dropped_said ? t->cur.dropped - t->dropped_said : 0;

	if (news)
		t->dropped_said = t->cur.dropped;
	return news;
}

static int cmp_ptrs(const void *a, const void *b, void *order)
{
	const struct count_row *const *x = a, *const *y = b;

	return counts_compare(*x, *y, *(const enum count_order *)order);
}

/* The rows by pointer in order, sorted once per tick. */
static struct count_row **ordered(struct tick *t, enum count_order order)
{
	struct count_row **rows = t->order[order];

	if (t->valid[order])
		return rows;
	if (!rows || t->cur.len > t->order_cap[order]) {
		size_t cap = t->cur.len ? t->cur.len : 1;

		rows = realloc(rows, cap * sizeof(*rows));
		if (!rows)
			return NULL;
		t->order[order] = rows;
		t->order_cap[order] = cap;
	}
	for (size_t i = 0; i < t->cur.len; i++)
		rows[i] = &t->cur.rows[i];
	/* the snapshot is in key order already */
	if (order != ORDER_BY_KEY && t->cur.len > 1)
		qsort_r(rows, t->cur.len, sizeof(*rows), cmp_ptrs, &order);
	t->valid[order] = true;
	return rows;
}

/* The view: every row in the order given, the first named named (once per tick). */
static const struct view *fill(struct tick *t, struct view *view, struct count_row **rows,
			       size_t len, size_t named)
{
	for (size_t i = 0; i < named; i++) {
		size_t at = (size_t)(rows[i] - t->cur.rows);

		if (t->namer && !t->named[at]) {
			t->namer(t->namer_ctx, rows[i]);
			t->named[at] = true;
		}
	}
	*view = (struct view){
		.order = (const struct count_row *const *)rows,
		.len = len,
		.dropped = t->cur.dropped,
		.seconds = t->seconds,
	};
	return view;
}

static size_t shown(const struct tick *t, size_t top)
{
	return top && top < t->cur.len ? top : t->cur.len;
}

const struct view *tick_view(struct tick *t, enum count_order order, size_t top)
{
	struct count_row **rows = ordered(t, order);

	return rows ? fill(t, &t->views[order], rows, t->cur.len, shown(t, top)) : NULL;
}

static int by_address(const void *a, const void *b)
{
	const struct count_row *const *x = a, *const *y = b;

	return (*x > *y) - (*x < *y);
}

const struct view *tick_view_classic(struct tick *t, size_t top)
{
	size_t n = shown(t, top);
	struct count_row **rows = ordered(t, n < t->cur.len ? ORDER_BY_COUNT : ORDER_BY_KEY);

	if (!rows)
		return NULL;
	if (n == t->cur.len)
		return fill(t, &t->views[TICK_ORDERS], rows, n, 0);
	if (n > t->pick_cap || !t->pick) {
		struct count_row **pick = realloc(t->pick, (n ? n : 1) * sizeof(*pick));

		if (!pick)
			return NULL;
		t->pick = pick;
		t->pick_cap = n ? n : 1;
	}
	/* the busiest n, back in key order: the snapshot is by key, so by address */
	memcpy(t->pick, rows, n * sizeof(*t->pick));
	qsort(t->pick, n, sizeof(*t->pick), by_address);
	return fill(t, &t->views[TICK_ORDERS], t->pick, n, 0);
}
