/* SPDX-License-Identifier: GPL-2.0 */
/*
 * typedesc.h - libbcc's description of a table's key or value type, read and
 * compared with the layout the host expects (pure: no libbcc).
 *
 * After a compile libbcc describes each table's key and leaf type in a small
 * JSON text (bpf_table_key_desc_id(), bpf_table_leaf_desc_id()), as its
 * Python binding decodes it into ctypes:
 *   a scalar            "unsigned int"
 *   a struct            ["name", [FIELD, ...], "struct_packed"]
 *   a field             ["name", TYPE] or ["name", TYPE, [COUNT]] (an array)
 * "struct_packed" means libbcc wrote C's padding out as char arrays named
 * __pad_<n> and __pad_end, so the offsets are the running sum of the sizes.
 * A union, a struct with a bitfield or a flexible array ("union", "struct"),
 * and an enum ("enum") are described without their layout: the host refuses
 * them where it reads the bytes.
 */
#ifndef EXECCOUNT_TYPEDESC_H
#define EXECCOUNT_TYPEDESC_H

#include <stdbool.h>
#include <stddef.h>

#define TYPEDESC_NAME_MAX   64
#define TYPEDESC_FIELDS_MAX 64
#define TYPEDESC_TEXT_MAX   65536 /* longer descriptions are not read */

/* One field of a plain struct, padding left out. */
struct typedesc_field {
	char name[TYPEDESC_NAME_MAX];
	size_t offset;
	size_t size;
	bool sized;		      /* false: a type whose size the description does not give */
	char type[TYPEDESC_NAME_MAX]; /* as described: "unsigned int", "struct x", "union" */
};

enum typedesc_kind {
	TYPEDESC_SCALAR, /* a named C type (sized when it is a known one) */
	TYPEDESC_STRUCT, /* a struct with its layout: fields, offsets and sizes */
	TYPEDESC_OTHER,	 /* a union, an enum, a struct with a bitfield: no layout */
};

struct typedesc {
	enum typedesc_kind kind;
	char name[TYPEDESC_NAME_MAX]; /* the struct's tag, the scalar's type, or "union" ... */
	const char *what; /* TYPEDESC_OTHER: "union", "enum", "struct with a bitfield ..." */
	struct typedesc_field fields[TYPEDESC_FIELDS_MAX];
	unsigned int nfields;
	size_t size;
	bool sized;			 /* false: a field's size is not given, see unsized */
	char unsized[TYPEDESC_NAME_MAX]; /* the type of the first such field */
};

/*
 * Read text into desc.  0, or -EINVAL with *why saying what is wrong (not
 * the grammar above, nested too deep, too many fields, too long a name).
 */
int typedesc_parse(const char *text, struct typedesc *desc, const char **why);

/* What the host reads: a field's name, offset and size. */
struct layout_field {
	const char *name;
	size_t offset;
	size_t size;
};

/* A struct of nfields fields (in offset order) and size bytes; nfields 0: a scalar of size bytes. */
struct layout {
	const struct layout_field *fields;
	unsigned int nfields;
	size_t size;
};

/*
 * Compare what libbcc described with what the host reads: every expected
 * field by name, at its offset with its size, and no other field (padding
 * aside).  0 if they agree; else 1, with the first difference in why (one
 * line, e.g. "field 'ok' is at offset 8, the host reads it at offset 0").
 */
int typedesc_compare(const struct typedesc *found, const struct layout *want, char *why,
		     size_t len);

#endif
