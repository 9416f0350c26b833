/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keys.h - what a row is counted under (--by), and the kernel's key bytes.
 *
 * The probe's struct execcount_key holds only the fields asked for, in a
 * fixed order (cgroup, uid, comm, exe) with C's alignment.  key_layout_init()
 * computes the same offsets, so the host decodes the bytes without libbcc's
 * type information; the contract check compares the sizes.
 */
#ifndef EXECCOUNT_KEYS_H
#define EXECCOUNT_KEYS_H

#include <stddef.h>
#include <stdint.h>

enum key_field {
	FIELD_UID,
	FIELD_COMM,
	FIELD_EXE,
	FIELD_CGROUP,
	FIELD_COUNT_,
};

#define KEY_COMM_LEN 16	 /* TASK_COMM_LEN */
#define KEY_EXE_LEN  256 /* the probe's EXE_LEN: longer paths are cut to 255 bytes */

/* "uid", "comm", "exe", "cgroup"; the -D setting that puts the field in the key. */
const char *key_field_name(enum key_field field);
const char *key_field_define(enum key_field field);
/* The field called name, or -1. */
int key_field_parse(const char *name);

/* A set of fields, as a mask of 1u << FIELD_*. */
struct key_layout {
	unsigned int fields;
	size_t offset[FIELD_COUNT_];
	size_t size;
};

void key_layout_init(struct key_layout *layout, unsigned int fields);

/* A decoded key: the strings always end in NUL; fields not in the key are zero. */
struct exec_key {
	uint64_t cgroup;
	uint32_t uid;
	char comm[KEY_COMM_LEN + 1];
	char exe[KEY_EXE_LEN + 1];
};

void key_decode(const struct key_layout *layout, const void *raw, struct exec_key *key);
/* Total order over every field: uid, comm, exe, cgroup. */
int key_compare(const struct exec_key *a, const struct exec_key *b);

#endif
