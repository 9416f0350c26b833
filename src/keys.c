// SPDX-License-Identifier: GPL-2.0
#include "keys.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "counts.h"

#define NAME(member) ((int)offsetof(struct count_row, member))

static const struct key_field_info fields[FIELD_COUNT_] = {
	[FIELD_UID] = {
		.name = "uid", .define = "-DEXECCOUNT_BY_UID", .kind = KEY_U32,
		.at_exit = true, /* the real uid: set-user-ID changes the effective one */
		.size = sizeof(uint32_t), .align = _Alignof(uint32_t),
		.offset = offsetof(struct exec_key, uid),
		.columns = { { "uid", -1, "UID", 10, NULL },
			     { "user", NAME(user), "USER", 16, "-" } },
		.ncolumns = 2,
	},
	[FIELD_COMM] = {
		.name = "comm", .define = "-DEXECCOUNT_BY_COMM", .kind = KEY_STR,
		.size = KEY_COMM_LEN, .align = 1,
		.offset = offsetof(struct exec_key, comm),
		.columns = { { "comm", -1, "COMM", 16, NULL } },
		.ncolumns = 1,
	},
	[FIELD_EXE] = {
		.name = "exe", .define = "-DEXECCOUNT_BY_EXE", .kind = KEY_STR,
		.size = KEY_EXE_LEN, .align = 1,
		.offset = offsetof(struct exec_key, exe),
		.tail = true,
		.columns = { { "exe", -1, "EXE", 0, NULL } },
		.ncolumns = 1,
	},
	[FIELD_CGROUP] = {
		.name = "cgroup", .define = "-DEXECCOUNT_BY_CGROUP", .kind = KEY_U64,
		.at_exit = true,
		.size = sizeof(uint64_t), .align = _Alignof(uint64_t),
		.offset = offsetof(struct exec_key, cgroup),
		.tail = true,
		.columns = { { "cgroup", NAME(cgroup), "CGROUP", KEY_WIDTH_FIT, "?" },
			     { "cgroup_id", -1, NULL, 0, NULL } },
		.ncolumns = 2,
	},
};

const enum key_field key_probe_order[FIELD_COUNT_] = { FIELD_CGROUP, FIELD_UID, FIELD_COMM,
						       FIELD_EXE };

const struct key_field_info *key_field(enum key_field field)
{
	return &fields[field];
}

const char *key_field_name(enum key_field field)
{
	return fields[field].name;
}

const char *key_field_define(enum key_field field)
{
	return fields[field].define;
}

int key_field_parse(const char *name)
{
	for (int i = 0; i < FIELD_COUNT_; i++)
		if (strcmp(fields[i].name, name) == 0)
			return i;
	return -1;
}

bool key_fields_at_exit(unsigned int mask)
{
	for (int i = 0; i < FIELD_COUNT_; i++)
		if ((mask & 1u << i) && !fields[i].at_exit)
			return false;
	return true;
}

static size_t align_up(size_t n, size_t align)
{
	return (n + align - 1) / align * align;
}

/* The probe's struct: the fields asked for, in key_probe_order, with C's alignment. */
void key_layout_init(struct key_layout *layout, unsigned int set)
{
	size_t at = 0, align = 1;

	memset(layout, 0, sizeof(*layout));
	layout->fields = set;
	for (int i = 0; i < FIELD_COUNT_; i++) {
		const struct key_field_info *f = &fields[key_probe_order[i]];

		if (!(set & 1u << key_probe_order[i]))
			continue;
		at = align_up(at, f->align);
		layout->offset[key_probe_order[i]] = at;
		at += f->size;
		if (f->align > align)
			align = f->align;
	}
	layout->size = align_up(at, align);
}

void key_decode(const struct key_layout *layout, const void *raw, struct exec_key *key)
{
	const unsigned char *p = raw;

	memset(key, 0, sizeof(*key));
	/* a string's extra byte in exec_key stays 0: the kernel NUL-terminates, an edited probe might not */
	/* unrolled, each field's offset and size are the table's constants: no memcpy() call per field */
#pragma GCC unroll FIELD_COUNT_
	for (int i = 0; i < FIELD_COUNT_; i++)
		if (layout->fields & 1u << i)
			memcpy((char *)key + fields[i].offset, p + layout->offset[i],
			       fields[i].size);
}

int key_field_compare(enum key_field field, const struct exec_key *a, const struct exec_key *b)
{
	const struct key_field_info *f = &fields[field];
	const char *x = (const char *)a + f->offset, *y = (const char *)b + f->offset;
	uint64_t u, v;

	switch (f->kind) {
	case KEY_STR:
		return strcmp(x, y);
	case KEY_U32:
		u = *(const uint32_t *)(const void *)x;
		v = *(const uint32_t *)(const void *)y;
		break;
	case KEY_U64:
	default:
		u = *(const uint64_t *)(const void *)x;
		v = *(const uint64_t *)(const void *)y;
		break;
	}
	return u == v ? 0 : u < v ? -1 : 1;
}

/*
 * Unrolled, each field's kind and offset are the table's constants: a uid
 * that differs is decided in a few instructions, with no register saved for
 * the strcmp() calls after it.  The sorts, merge and deltas call this about
 * 17 times per row and interval at 1,000 keys (docs/performance.md).
 */
int key_compare(const struct exec_key *a, const struct exec_key *b)
{
#pragma GCC unroll FIELD_COUNT_
	for (int i = 0; i < FIELD_COUNT_; i++) {
		int c = key_field_compare(i, a, b);

		if (c)
			return c;
	}
	return 0;
}

const char *key_column_value(const struct key_field_info *field, const struct key_column *col,
			     const struct count_row *row, char *num, bool *number)
{
	const char *v = (const char *)&row->key + field->offset;

	*number = false;
	if (col->name_offset >= 0)
		return *(const char *const *)(const void *)((const char *)row + col->name_offset);
	if (field->kind == KEY_STR)
		return v;
	*number = true;
	if (field->kind == KEY_U32)
		snprintf(num, 24, "%" PRIu32, *(const uint32_t *)(const void *)v);
	else
		snprintf(num, 24, "%" PRIu64, *(const uint64_t *)(const void *)v);
	return num;
}

bool key_column_number(const struct key_field_info *field, const struct key_column *col,
		       const struct count_row *row, uint64_t *v)
{
	const char *p = (const char *)&row->key + field->offset;

	if (col->name_offset >= 0 || field->kind == KEY_STR)
		return false;
	if (field->kind == KEY_U32)
		*v = *(const uint32_t *)(const void *)p;
	else
		*v = *(const uint64_t *)(const void *)p;
	return true;
}
