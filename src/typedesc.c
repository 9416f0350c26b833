// SPDX-License-Identifier: GPL-2.0
#include "typedesc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * The text as a tree: strings, numbers and arrays (all libbcc writes; no
 * objects, no escapes).  Nodes come from a fixed pool, nesting is bounded:
 * any input ends in a tree or a refusal, never a deep recursion.
 */
#define NODES_MAX 1024
#define DEPTH_MAX 16
/* larger than any BPF key or value: a size past it is not taken at its word */
#define SIZE_LIMIT ((size_t)1 << 30)

enum node_kind { N_STR, N_NUM, N_ARR };

struct node {
	enum node_kind kind;
	const char *s; /* N_STR: the bytes between the quotes */
	size_t len;
	uint64_t num;
	int child, next; /* N_ARR: first element; the next element of the parent; -1: none */
	unsigned int n;	 /* N_ARR: elements */
};

struct tree {
	struct node nodes[NODES_MAX];
	int count;
	const char *p;
	const char *why;
};

static void skip_space(struct tree *t)
{
	while (*t->p == ' ' || *t->p == '\t' || *t->p == '\n' || *t->p == '\r')
		t->p++;
}

static int new_node(struct tree *t, enum node_kind kind)
{
	if (t->count == NODES_MAX) {
		t->why = "too large";
		return -1;
	}
	t->nodes[t->count] = (struct node){ .kind = kind, .child = -1, .next = -1 };
	return t->count++;
}

/* One value at t->p: its node, or -1 with t->why set. */
static int parse_value(struct tree *t, int depth)
{
	int id, last = -1;

	skip_space(t);
	if (*t->p == '"') {
		const char *start = ++t->p;

		/* C names and type names: no escapes, no control characters (messages quote them) */
		while (*t->p && *t->p != '"' && *t->p != '\\' && (unsigned char)*t->p >= ' ' &&
		       *t->p != 0x7f)
			t->p++;
		if (*t->p != '"') {
			t->why = !*t->p		 ? "an unterminated string"
				 : *t->p == '\\' ? "an escape in a string"
						 : "a control character in a string";
			return -1;
		}
		id = new_node(t, N_STR);
		if (id < 0)
			return -1;
		t->nodes[id].s = start;
		t->nodes[id].len = t->p++ - start;
		return id;
	}
	if (*t->p >= '0' && *t->p <= '9') {
		uint64_t v = 0;

		for (; *t->p >= '0' && *t->p <= '9'; t->p++) {
			if (v > (UINT32_MAX - 9) / 10) {
				t->why = "a number too large";
				return -1;
			}
			v = v * 10 + (uint64_t)(*t->p - '0');
		}
		id = new_node(t, N_NUM);
		if (id < 0)
			return -1;
		t->nodes[id].num = v;
		return id;
	}
	if (*t->p != '[') {
		t->why = "not a string, a number or a list";
		return -1;
	}
	if (depth == DEPTH_MAX) {
		t->why = "nested too deep";
		return -1;
	}
	t->p++;
	id = new_node(t, N_ARR);
	if (id < 0)
		return -1;
	skip_space(t);
	if (*t->p == ']') {
		t->p++;
		return id;
	}
	for (;;) {
		int child = parse_value(t, depth + 1);

		if (child < 0)
			return -1;
		if (last < 0)
			t->nodes[id].child = child;
		else
			t->nodes[last].next = child;
		last = child;
		t->nodes[id].n++;
		skip_space(t);
		if (*t->p == ']') {
			t->p++;
			return id;
		}
		if (*t->p != ',') {
			t->why = "a list without its ',' or ']'";
			return -1;
		}
		t->p++;
	}
}

/* The i-th element of array node a, or NULL. */
static const struct node *elem(const struct tree *t, const struct node *a, unsigned int i)
{
	int id = a->child;

	while (id >= 0 && i--)
		id = t->nodes[id].next;
	return id >= 0 ? &t->nodes[id] : NULL;
}

static bool str_is(const struct node *n, const char *s)
{
	return n && n->kind == N_STR && n->len == strlen(s) && memcmp(n->s, s, n->len) == 0;
}

/* n's string into buf (TYPEDESC_NAME_MAX); false if it does not fit. */
static bool copy_str(const struct node *n, char *buf)
{
	if (n->len >= TYPEDESC_NAME_MAX)
		return false;
	memcpy(buf, n->s, n->len);
	buf[n->len] = '\0';
	return true;
}

/* The C types clang names, as sized on the 64-bit targets BPF programs are built for. */
static size_t scalar_size(const struct node *n)
{
	static const struct {
		const char *name;
		size_t size;
	} types[] = {
		{ "char", 1 },
		{ "signed char", 1 },
		{ "unsigned char", 1 },
		{ "_Bool", 1 },
		{ "bool", 1 },
		{ "short", 2 },
		{ "unsigned short", 2 },
		{ "int", 4 },
		{ "unsigned int", 4 },
		{ "long", 8 },
		{ "unsigned long", 8 },
		{ "long long", 8 },
		{ "unsigned long long", 8 },
		{ "__int128", 16 },
		{ "unsigned __int128", 16 },
		{ "float", 4 },
		{ "double", 8 },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (str_is(n, types[i].name))
			return types[i].size;
	return 0;
}

/* A record: ["tag", [fields], "struct_packed" | "struct" | "union" | "enum"]. */
static bool is_record(const struct node *n, const struct tree *t)
{
	const struct node *kind = n->kind == N_ARR && n->n == 3 ? elem(t, n, 2) : NULL;

	return kind && kind->kind == N_STR && elem(t, n, 0)->kind == N_STR &&
	       elem(t, n, 1)->kind == N_ARR;
}

/* A type node's size, or 0 when the description does not give it. */
static size_t type_size(const struct tree *t, const struct node *type, int depth);

/* The size of a packed record's fields together, or 0. */
static size_t packed_size(const struct tree *t, const struct node *fields, int depth)
{
	size_t sum = 0;

	for (const struct node *f = elem(t, fields, 0); f;
	     f = f->next >= 0 ? &t->nodes[f->next] : NULL) {
		size_t size, count = 1;
		const struct node *extra;

		if (f->kind != N_ARR || f->n < 2 || f->n > 3)
			return 0;
		if (is_record(f, t)) { /* an anonymous struct or union member */
			size = type_size(t, f, depth + 1);
		} else {
			extra = elem(t, f, 2);
			if (extra && (extra->kind != N_ARR || extra->n != 1 ||
				      elem(t, extra, 0)->kind != N_NUM))
				return 0; /* a bitfield: not in a packed struct */
			if (extra)
				count = elem(t, extra, 0)->num;
			size = type_size(t, elem(t, f, 1), depth + 1);
		}
		if (!size || size * count > SIZE_LIMIT - sum)
			return 0;
		sum += size * count;
	}
	return sum;
}

static size_t type_size(const struct tree *t, const struct node *type, int depth)
{
	if (depth > DEPTH_MAX)
		return 0;
	if (type->kind == N_STR)
		return scalar_size(type);
	if (is_record(type, t) && str_is(elem(t, type, 2), "struct_packed"))
		return packed_size(t, elem(t, type, 1), depth);
	return 0;
}

/* A field's type as a short text: "unsigned int", "struct x", "union", "enum". */
static void type_name(const struct tree *t, const struct node *type, char *buf)
{
	const struct node *tag = is_record(type, t) ? elem(t, type, 0) : NULL;
	const char *kind = tag ? (str_is(elem(t, type, 2), "union")  ? "union"
				  : str_is(elem(t, type, 2), "enum") ? "enum"
								     : "struct")
			       : NULL;

	if (type->kind == N_STR && type->len < TYPEDESC_NAME_MAX)
		snprintf(buf, TYPEDESC_NAME_MAX, "%.*s", (int)type->len, type->s);
	else if (tag && tag->len && tag->len < TYPEDESC_NAME_MAX - 8)
		snprintf(buf, TYPEDESC_NAME_MAX, "%s %.*s", kind, (int)tag->len, tag->s);
	else
		snprintf(buf, TYPEDESC_NAME_MAX, "%s", kind ? kind : "?");
}

/* A packed struct's fields into desc, at their running offsets. */
static int read_fields(const struct tree *t, const struct node *fields, struct typedesc *desc,
		       const char **why)
{
	size_t at = 0;
	bool sized = true;

	*why = "a field that is not [\"name\", TYPE] or [\"name\", TYPE, [COUNT]]";
	for (const struct node *f = elem(t, fields, 0); f;
	     f = f->next >= 0 ? &t->nodes[f->next] : NULL) {
		struct typedesc_field *out;
		const struct node *name, *type, *extra;
		size_t size, count = 1;

		if (f->kind != N_ARR || f->n < 2 || f->n > 3)
			return -EINVAL;
		if (is_record(f, t)) { /* anonymous: no name of its own */
			name = NULL;
			type = f;
			extra = NULL;
		} else {
			name = elem(t, f, 0);
			type = elem(t, f, 1);
			extra = elem(t, f, 2);
			if (name->kind != N_STR || type->kind == N_NUM)
				return -EINVAL;
			if (extra && (extra->kind != N_ARR || extra->n != 1 ||
				      elem(t, extra, 0)->kind != N_NUM))
				return -EINVAL;
			if (extra)
				count = elem(t, extra, 0)->num;
		}
		size = type_size(t, type, 1);
		if (size * count > SIZE_LIMIT - at)
			size = 0;
		/* libbcc's padding: accounted for in the offsets, not a field */
		if (name && name->len >= 6 && memcmp(name->s, "__pad_", 6) == 0 && size) {
			at += size * count;
			continue;
		}
		if (desc->nfields == TYPEDESC_FIELDS_MAX) {
			*why = "more fields than the host reads a description of";
			return -EINVAL;
		}
		out = &desc->fields[desc->nfields];
		if (name && !copy_str(name, out->name)) {
			*why = "a field name too long";
			return -EINVAL;
		}
		type_name(t, type, out->type);
		out->offset = at;
		out->sized = sized && size;
		out->size = size * count;
		if (!size && sized) {
			sized = false; /* and every offset after it unknown */
			snprintf(desc->unsized, sizeof(desc->unsized), "%s", out->type);
		}
		at += size * count;
		desc->nfields++;
	}
	desc->size = at;
	desc->sized = sized;
	return 0;
}

int typedesc_parse(const char *text, struct typedesc *desc, const char **why)
{
	struct tree tree, *t = &tree; /* 48 KiB */
	const struct node *root, *kind;
	int id;

	memset(desc, 0, sizeof(*desc));
	t->count = 0;
	t->p = text;
	t->why = NULL;
	if (strnlen(text, TYPEDESC_TEXT_MAX + 1) > TYPEDESC_TEXT_MAX) {
		*why = "too large";
		return -EINVAL;
	}
	id = parse_value(t, 0);
	if (id >= 0) {
		skip_space(t);
		if (*t->p) {
			t->why = "text after the description";
			id = -1;
		}
	}
	if (id < 0) {
		*why = t->why;
		return -EINVAL;
	}
	root = &t->nodes[id];
	if (root->kind == N_STR) {
		desc->kind = TYPEDESC_SCALAR;
		if (!copy_str(root, desc->name)) {
			*why = "a type name too long";
			return -EINVAL;
		}
		desc->size = scalar_size(root);
		desc->sized = desc->size != 0;
		return 0;
	}
	if (!is_record(root, t)) {
		*why = "neither a type name nor [\"name\", [fields], \"kind\"]";
		return -EINVAL;
	}
	if (!copy_str(elem(t, root, 0), desc->name)) {
		*why = "a type name too long";
		return -EINVAL;
	}
	kind = elem(t, root, 2);
	if (str_is(kind, "struct_packed")) {
		desc->kind = TYPEDESC_STRUCT;
		return read_fields(t, elem(t, root, 1), desc, why);
	}
	desc->kind = TYPEDESC_OTHER;
	desc->what = str_is(kind, "union")    ? "a union"
		     : str_is(kind, "enum")   ? "an enum"
		     : str_is(kind, "struct") ? "a struct with a bitfield or a flexible array"
					      : "a type of a kind libbcc did not say";
	return 0;
}

static const struct typedesc_field *find(const struct typedesc *d, const char *name)
{
	for (unsigned int i = 0; i < d->nfields; i++)
		if (strcmp(d->fields[i].name, name) == 0)
			return &d->fields[i];
	return NULL;
}

static bool expected(const struct layout *want, const char *name)
{
	for (unsigned int i = 0; i < want->nfields; i++)
		if (strcmp(want->fields[i].name, name) == 0)
			return true;
	return false;
}

int typedesc_compare(const struct typedesc *found, const struct layout *want, char *why, size_t len)
{
	if (!want->nfields) {
		if (found->kind == TYPEDESC_SCALAR && found->size == want->size)
			return 0;
		if (found->kind == TYPEDESC_SCALAR)
			snprintf(why, len, "is '%s', the host reads a %zu-byte integer",
				 found->name, want->size);
		else
			snprintf(why, len,
				 "is a struct or union, the host reads a %zu-byte integer",
				 want->size);
		return 1;
	}
	if (found->kind == TYPEDESC_SCALAR) {
		snprintf(why, len, "is '%s', the host reads a struct with a field '%s'",
			 found->name, want->fields[0].name);
		return 1;
	}
	if (found->kind == TYPEDESC_OTHER) {
		snprintf(why, len, "is %s, the host reads a struct of plain fields", found->what);
		return 1;
	}
	for (unsigned int i = 0; i < want->nfields; i++) {
		const struct layout_field *w = &want->fields[i];
		const struct typedesc_field *f = find(found, w->name);

		if (!f) {
			snprintf(why, len,
				 "has no field '%s' (the host reads %zu bytes at offset %zu)",
				 w->name, w->size, w->offset);
			return 1;
		}
		if (!f->sized) {
			snprintf(
				why, len,
				"field '%s' cannot be placed: libbcc gives no size for '%s' at or before it (the host reads it at offset %zu)",
				w->name, found->unsized, w->offset);
			return 1;
		}
		if (f->offset != w->offset) {
			snprintf(why, len,
				 "field '%s' is at offset %zu, the host reads it at offset %zu",
				 w->name, f->offset, w->offset);
			return 1;
		}
		if (f->size != w->size) {
			snprintf(why, len, "field '%s' is %zu bytes ('%s'), the host reads %zu",
				 w->name, f->size, f->type, w->size);
			return 1;
		}
	}
	for (unsigned int i = 0; i < found->nfields; i++)
		if (!expected(want, found->fields[i].name)) {
			snprintf(why, len,
				 "has a field '%s' (at offset %zu) the host does not read",
				 *found->fields[i].name ? found->fields[i].name
							: found->fields[i].type,
				 found->fields[i].offset);
			return 1;
		}
	if (!found->sized || found->size != want->size) {
		snprintf(why, len, "is %zu bytes as libbcc describes it, the host reads %zu",
			 found->size, want->size);
		return 1;
	}
	return 0;
}
