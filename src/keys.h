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

#include <stdbool.h>
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

/* How a field's value is held in struct exec_key and in the kernel's key. */
enum key_kind {
	KEY_U32,
	KEY_U64,
	KEY_STR, /* size bytes in the kernel, NUL-terminated in exec_key */
};

/* One output column of a field: a JSON key, a CSV column, a Prometheus label, maybe a table column. */
struct key_column {
	const char *name;    /* "uid", "user", ...: JSON key, CSV column and label name */
	int name_offset;     /* >= 0: the resolved name at this offset in struct count_row
				* (NULL when unknown); -1: the key's own value */
	const char *heading; /* the table's column heading; NULL: not in the table */
	int width;	     /* table: pad to width columns; 0: whole; KEY_WIDTH_FIT */
	const char *unknown; /* table: shown for an unknown name ("-", "?") */
};

#define KEY_WIDTH_FIT (-1) /* padded to the longest shown, at most 48 columns */

/*
 * Everything about one --by field, once: a new field is an entry here, a
 * member of struct exec_key, and the probe's #ifdef (docs/design.md).
 */
struct key_field_info {
	const char *name;   /* --by, --sort, "by" in the JSON start line */
	const char *define; /* the -D setting that puts it in the probe's key */
	enum key_kind kind;
	size_t size, align; /* in the probe's struct execcount_key */
	size_t offset;	    /* of its member in struct exec_key */
	bool tail;    /* table: after the numbers (long text), else before them in --by order */
	bool at_exit; /* the same at the syscall's exit: an exec changes it not (EXECCOUNT_AT_EXIT) */
	struct key_column columns[2];
	unsigned int ncolumns;
};

/* The table's entry for field. */
const struct key_field_info *key_field(enum key_field field);

/* The fields in the order of the probe's struct (cgroup, uid, comm, exe): the layout's order. */
extern const enum key_field key_probe_order[FIELD_COUNT_];

/* "uid", "comm", "exe", "cgroup"; the -D setting that puts the field in the key. */
const char *key_field_name(enum key_field field);
const char *key_field_define(enum key_field field);
/* The field called name, or -1. */
int key_field_parse(const char *name);
/* Can every field of mask (1u << FIELD_*) be read at the syscall's exit, after the exec? */
bool key_fields_at_exit(unsigned int mask);

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
/* Total order over every field: uid, comm, exe, cgroup (enum key_field's order). */
int key_compare(const struct exec_key *a, const struct exec_key *b);
/* Order by one field alone. */
int key_field_compare(enum key_field field, const struct exec_key *a, const struct exec_key *b);

struct count_row;
/*
 * A column's value in row as text: a number in num (24 bytes), a string,
 * or a resolved name; NULL when the name is unknown.  *number says whether
 * JSON writes it bare.
 */
/* A number column's value (the key's own, not a name): true and *v set; else false. */
bool key_column_number(const struct key_field_info *field, const struct key_column *col,
		       const struct count_row *row, uint64_t *v);
const char *key_column_value(const struct key_field_info *field, const struct key_column *col,
			     const struct count_row *row, char *num, bool *number);

#endif
