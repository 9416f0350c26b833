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

int snapshot_reserve(struct snapshot *snap, size_t need)
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

static const char *const order_names[ORDER_BY_FIELD] = {
	[ORDER_BY_COUNT] = "count", [ORDER_BY_OK] = "ok",	  [ORDER_BY_FAILED] = "failed",
	[ORDER_BY_DELTA] = "delta", [ORDER_BY_EXECVE] = "execve", [ORDER_BY_EXECVEAT] = "execveat",
};

int count_order_parse(const char *name)
{
	int field;

	for (size_t i = 0; i < ORDER_BY_FIELD; i++)
		if (order_names[i] && strcmp(order_names[i], name) == 0)
			return (int)i;
	field = key_field_parse(name);
	return field < 0 ? -1 : (int)ORDER_BY(field);
}

int count_order_field(enum count_order order)
{
	return order >= ORDER_BY_FIELD && order < ORDER_COUNT_ ? (int)(order - ORDER_BY_FIELD) : -1;
}

static int desc(uint64_t a, uint64_t b)
{
	return (a < b) - (a > b);
}

int counts_compare(const struct count_row *x, const struct count_row *y, enum count_order order)
{
	int c = 0;

	switch (order) {
	case ORDER_BY_KEY:
		break;
	case ORDER_BY_COUNT:
		c = desc(x->count, y->count);
		break;
	case ORDER_BY_OK:
		c = desc(x->n.ok, y->n.ok);
		break;
	case ORDER_BY_FAILED:
		c = desc(x->n.failed, y->n.failed);
		break;
	case ORDER_BY_DELTA:
		c = desc(x->delta, y->delta);
		break;
	case ORDER_BY_EXECVE:
		c = desc(x->n.execve, y->n.execve);
		break;
	case ORDER_BY_EXECVEAT:
		c = desc(x->n.execveat, y->n.execveat);
		break;
	default:
		if (count_order_field(order) >= 0)
			c = key_field_compare(count_order_field(order), &x->key, &y->key);
		break;
	}
	return c ? c : key_compare(&x->key, &y->key);
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
	return counts_compare(a, b, *(const enum count_order *)arg);
}

void counts_sort(struct snapshot *snap, enum count_order order)
{
	if (snap->len > 1)
		qsort_r(snap->rows, snap->len, sizeof(*snap->rows), cmp_rows, &order);
}

void counts_merge(struct snapshot *snap)
{
	size_t out = 0;

	for (size_t i = 0; i < snap->len; i++) {
		struct count_row *row = &snap->rows[i];
		struct count_row *last = out ? &snap->rows[out - 1] : NULL;

		if (last && key_compare(&last->key, &row->key) == 0) {
			last->n.execve += row->n.execve;
			last->n.execveat += row->n.execveat;
			last->n.ok += row->n.ok;
			last->n.failed += row->n.failed;
			last->count += row->count;
			continue;
		}
		if (out != i)
			snap->rows[out] = *row;
		out++;
	}
	snap->len = out;
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
