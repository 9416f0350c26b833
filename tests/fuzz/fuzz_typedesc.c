// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_typedesc.c - libbcc's type descriptions (typedesc.c): any text read,
 * and compared with the contract's layouts.
 *
 * The input, cut at its first NUL, is the description.  Checked besides
 * memory safety and UB:
 *  - a parse either fails with a reason or gives at most TYPEDESC_FIELDS_MAX
 *    fields, each name shorter than TYPEDESC_NAME_MAX; a sized struct's
 *    fields lie in order inside its size, none overlapping;
 *  - a struct whose fields are all sized agrees with the layout made from
 *    its own fields (the comparison is not confused by its input);
 *  - against every table of the contract (the counts key for a --by set
 *    the input's first byte picks): 0, or one non-empty line.
 */
#include "fuzz.h"

#include "contract.h"
#include "keys.h"
#include "typedesc.h"

#define MAX_TEXT 8192

static void check_why(int rc, const char *why)
{
	if (rc != 0 && rc != 1)
		fuzz_fail("typedesc_compare returned %d", rc);
	if (rc == 1 && (!*why || strchr(why, '\n')))
		fuzz_fail("a difference not said in one line: '%s'", why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[MAX_TEXT + 1];
	static struct typedesc d;
	static struct layout_field own[TYPEDESC_FIELDS_MAX];
	struct contract_layouts c;
	struct key_layout keys;
	const char *why = NULL;
	char diff[256];
	size_t n = size < MAX_TEXT ? size : MAX_TEXT;

	memcpy(text, data, n);
	text[n] = '\0';
	if (typedesc_parse(text, &d, &why)) {
		if (!why || !*why)
			fuzz_fail("a refusal without a reason");
		return 0;
	}
	if (d.nfields > TYPEDESC_FIELDS_MAX ||
	    strnlen(d.name, TYPEDESC_NAME_MAX) == TYPEDESC_NAME_MAX)
		fuzz_fail("%u fields, or a name without its NUL", d.nfields);
	for (unsigned int i = 0; i < d.nfields; i++) {
		const struct typedesc_field *f = &d.fields[i];

		if (strnlen(f->name, TYPEDESC_NAME_MAX) == TYPEDESC_NAME_MAX ||
		    strnlen(f->type, TYPEDESC_NAME_MAX) == TYPEDESC_NAME_MAX)
			fuzz_fail("field %u: a name or type without its NUL", i);
		if (d.sized && !f->sized)
			fuzz_fail("field %u unsized in a sized struct", i);
		if (d.sized && (f->offset + f->size > d.size ||
				(i && f->offset < d.fields[i - 1].offset + d.fields[i - 1].size)))
			fuzz_fail("field %u at %zu, %zu bytes: outside or overlapping", i,
				  f->offset, f->size);
	}
	if (d.kind == TYPEDESC_STRUCT && d.sized && d.nfields) {
		bool unique = true;

		for (unsigned int i = 0; i < d.nfields; i++) {
			own[i] = (struct layout_field){ d.fields[i].name, d.fields[i].offset,
							d.fields[i].size };
			for (unsigned int j = 0; j < i; j++)
				unique = unique && strcmp(d.fields[i].name, d.fields[j].name) != 0;
		}
		/* the first of two fields of one name is the one compared: only unique names agree */
		if (unique && typedesc_compare(&d, &(struct layout){ own, d.nfields, d.size }, diff,
					       sizeof(diff)))
			fuzz_fail("a struct differs from its own layout: %s", diff);
	}
	key_layout_init(&keys, n ? (data[0] & 15u) | 1u : 1u);
	contract_layouts_init(&c, &keys);
	for (int t = 0; t < CONTRACT_TABLES_; t++) {
		check_why(typedesc_compare(&d, &c.tables[t].key, diff, sizeof(diff)), diff);
		check_why(typedesc_compare(&d, &c.tables[t].value, diff, sizeof(diff)), diff);
	}
	return 0;
}
