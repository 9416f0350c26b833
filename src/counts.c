// SPDX-License-Identifier: GPL-2.0
#include "counts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void snapshot_free(struct snapshot *snap)
{
	free(snap->rows);
	*snap = (struct snapshot){ 0 };
}

static int snapshot_reserve(struct snapshot *snap, size_t need)
{
	size_t cap = snap->cap ? snap->cap : 64;
	struct count_row *rows;

	if (need <= snap->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	rows = realloc(snap->rows, cap * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	snap->rows = rows;
	snap->cap = cap;
	return 0;
}

int snapshot_push(struct snapshot *snap, uint32_t uid, uint64_t count)
{
	int err = snapshot_reserve(snap, snap->len + 1);

	if (err)
		return err;
	snap->rows[snap->len++] = (struct count_row){ .uid = uid, .count = count };
	return 0;
}

int snapshot_copy(struct snapshot *dst, const struct snapshot *src)
{
	int err = snapshot_reserve(dst, src->len);

	if (err)
		return err;
	if (src->len)
		memcpy(dst->rows, src->rows, src->len * sizeof(*src->rows));
	dst->len = src->len;
	return 0;
}

static int cmp_uid(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;

	return (x->uid > y->uid) - (x->uid < y->uid);
}

static int cmp_count(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return cmp_uid(a, b);
}

void counts_sort(struct snapshot *snap, enum count_order order)
{
	if (snap->len > 1)
		qsort(snap->rows, snap->len, sizeof(*snap->rows),
		      order == ORDER_BY_UID ? cmp_uid : cmp_count);
}

void counts_delta(struct snapshot *cur, const struct snapshot *prev)
{
	size_t j = 0;

	for (size_t i = 0; i < cur->len; i++) {
		struct count_row *row = &cur->rows[i];

		while (j < prev->len && prev->rows[j].uid < row->uid)
			j++;
		if (j < prev->len && prev->rows[j].uid == row->uid &&
		    prev->rows[j].count <= row->count)
			row->delta = row->count - prev->rows[j].count;
		else
			row->delta = row->count;
	}
}
