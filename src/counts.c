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

int snapshot_push(struct snapshot *snap, const struct exec_key *key, const struct exec_counts *n)
{
	int err = snapshot_reserve(snap, snap->len + 1);
	struct count_row *row;

	if (err)
		return err;
	row = &snap->rows[snap->len++];
	row->key = *key;
	row->n = *n;
	row->count = n->execve + n->execveat;
	row->delta = 0;
	row->user = NULL;
	row->cgroup = NULL;
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
	dst->dropped = src->dropped;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;

	return key_compare(&x->key, &y->key);
}

static int cmp_count(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return cmp_key(a, b);
}

void counts_sort(struct snapshot *snap, enum count_order order)
{
	if (snap->len > 1)
		qsort(snap->rows, snap->len, sizeof(*snap->rows),
		      order == ORDER_BY_KEY ? cmp_key : cmp_count);
}

void counts_delta(struct snapshot *cur, const struct snapshot *prev)
{
	size_t j = 0;

	for (size_t i = 0; i < cur->len; i++) {
		struct count_row *row = &cur->rows[i];

		while (j < prev->len && key_compare(&prev->rows[j].key, &row->key) < 0)
			j++;
		if (j < prev->len && key_compare(&prev->rows[j].key, &row->key) == 0 &&
		    prev->rows[j].count <= row->count)
			row->delta = row->count - prev->rows[j].count;
		else
			row->delta = row->count;
	}
}
