// SPDX-License-Identifier: GPL-2.0
#include "keys.h"

#include <string.h>

static const struct {
	const char *name;
	const char *define;
} fields[FIELD_COUNT_] = {
	[FIELD_UID] = { "uid", "-DEXECCOUNT_BY_UID" },
	[FIELD_COMM] = { "comm", "-DEXECCOUNT_BY_COMM" },
	[FIELD_EXE] = { "exe", "-DEXECCOUNT_BY_EXE" },
	[FIELD_CGROUP] = { "cgroup", "-DEXECCOUNT_BY_CGROUP" },
};

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

static size_t align_up(size_t n, size_t align)
{
	return (n + align - 1) / align * align;
}

/* The probe's struct: u64 cgroup, u32 uid, char comm[16], char exe[256], in that order. */
void key_layout_init(struct key_layout *layout, unsigned int set)
{
	static const struct {
		enum key_field field;
		size_t size, align;
	} order[] = {
		{ FIELD_CGROUP, sizeof(uint64_t), _Alignof(uint64_t) },
		{ FIELD_UID, sizeof(uint32_t), _Alignof(uint32_t) },
		{ FIELD_COMM, KEY_COMM_LEN, 1 },
		{ FIELD_EXE, KEY_EXE_LEN, 1 },
	};
	size_t at = 0, align = 1;

	memset(layout, 0, sizeof(*layout));
	layout->fields = set;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(set & 1u << order[i].field))
			continue;
		at = align_up(at, order[i].align);
		layout->offset[order[i].field] = at;
		at += order[i].size;
		if (order[i].align > align)
			align = order[i].align;
	}
	layout->size = align_up(at, align);
}

void key_decode(const struct key_layout *layout, const void *raw, struct exec_key *key)
{
	const unsigned char *p = raw;

	memset(key, 0, sizeof(*key));
	if (layout->fields & 1u << FIELD_CGROUP)
		memcpy(&key->cgroup, p + layout->offset[FIELD_CGROUP], sizeof(key->cgroup));
	if (layout->fields & 1u << FIELD_UID)
		memcpy(&key->uid, p + layout->offset[FIELD_UID], sizeof(key->uid));
	if (layout->fields & 1u << FIELD_COMM)
		memcpy(key->comm, p + layout->offset[FIELD_COMM], KEY_COMM_LEN);
	if (layout->fields & 1u << FIELD_EXE)
		memcpy(key->exe, p + layout->offset[FIELD_EXE], KEY_EXE_LEN);
	/* the kernel NUL-terminates, a hand-edited probe might not: the extra byte is 0 */
}

int key_compare(const struct exec_key *a, const struct exec_key *b)
{
	int c;

	if (a->uid != b->uid)
		return a->uid < b->uid ? -1 : 1;
	c = strcmp(a->comm, b->comm);
	if (c)
		return c;
	c = strcmp(a->exe, b->exe);
	if (c)
		return c;
	return (a->cgroup > b->cgroup) - (a->cgroup < b->cgroup);
}
