// SPDX-License-Identifier: GPL-2.0
/*
 * test_typedesc.c - libbcc's type descriptions read and compared with what
 * the host reads.  The descriptions are libbcc 0.26's own for the built-in
 * probe (bpf_table_key_desc_id() and bpf_table_leaf_desc_id() after a
 * compile, written out here), for each --by set the contract's layouts
 * agree with them; a value with ok and failed swapped, a renamed field, a
 * wider one, a missing, an extra one, a union, a bitfield, a scalar where a
 * struct is read each give their one line; renamed structs pass; and
 * malformed text is refused, never overrun.
 */
#include "unit.h"

#include "contract.h"
#include "keys.h"
#include "typedesc.h"

#define U64 "\"unsigned long long\""
#define U32 "\"unsigned int\""

static const char value_desc[] =
	"[\"execcount_value\", [[\"execve_ok\"," U64 "], [\"execve_failed\"," U64
	"], [\"execveat_ok\"," U64 "], [\"execveat_failed\"," U64 "] ], \"struct_packed\"]";
static const char swapped_desc[] =
	"[\"execcount_value\", [[\"execve_failed\"," U64 "], [\"execve_ok\"," U64
	"], [\"execveat_failed\"," U64 "], [\"execveat_ok\"," U64 "] ], \"struct_packed\"]";
static const char self_desc[] =
	"[\"execcount_self\", [[\"pidns_dev\"," U64 "], [\"pidns_ino\"," U64 "], [\"tgid\"," U32
	"], [\"global_tgid\"," U32 "], [\"entries\"," U64 "], [\"exits\"," U64
	"] ], \"struct_packed\"]";
static const char stats_desc[] =
	"[\"execcount_stats\", [[\"dropped\",\"unsigned long long\"] ], \"struct_packed\"]";

/* The counts key for each --by set, as libbcc 0.26 describes the probe's struct execcount_key. */
static const struct {
	unsigned int fields;
	const char *desc;
} keys[] = {
	{ 1u << FIELD_UID,
	  "[\"execcount_key\", [[\"uid\",\"unsigned int\"] ], \"struct_packed\"]" },
	{ 1u << FIELD_COMM,
	  "[\"execcount_key\", [[\"comm\",\"char\", [16]] ], \"struct_packed\"]" },
	{ 1u << FIELD_CGROUP | 1u << FIELD_UID,
	  "[\"execcount_key\", [[\"cgroup\",\"unsigned long long\"], [\"uid\",\"unsigned int\"], [\"__pad_end\",\"char\",[4]] ], \"struct_packed\"]" },
	{ 1u << FIELD_CGROUP | 1u << FIELD_UID | 1u << FIELD_COMM | 1u << FIELD_EXE,
	  "[\"execcount_key\", [[\"cgroup\",\"unsigned long long\"], [\"uid\",\"unsigned int\"], [\"comm\",\"char\", [16]], [\"exe\",\"char\", [256]], [\"__pad_end\",\"char\",[4]] ], \"struct_packed\"]" },
	{ 1u << FIELD_UID | 1u << FIELD_EXE,
	  "[\"execcount_key\", [[\"uid\",\"unsigned int\"], [\"exe\",\"char\", [256]] ], \"struct_packed\"]" },
	{ 1u << FIELD_CGROUP | 1u << FIELD_COMM,
	  "[\"execcount_key\", [[\"cgroup\",\"unsigned long long\"], [\"comm\",\"char\", [16]] ], \"struct_packed\"]" },
};

/* desc compared with want: "" when they agree, else the difference. */
static const char *compare(const char *desc, const struct layout *want)
{
	static char why[256];
	struct typedesc found;
	const char *perr = "(not set)";

	assert_int_equal(typedesc_parse(desc, &found, &perr), 0);
	why[0] = '\0';
	if (typedesc_compare(&found, want, why, sizeof(why)) == 0)
		return "";
	assert_true(why[0] != '\0');
	assert_null(strchr(why, '\n'));
	return why;
}

/* Why desc does not parse. */
static const char *refused(const char *desc)
{
	static struct typedesc found;
	const char *why = NULL;

	assert_int_equal(typedesc_parse(desc, &found, &why), -EINVAL);
	assert_non_null(why);
	return why;
}

static void test_builtin_agrees(void **state)
{
	struct contract_layouts c;
	struct key_layout layout;

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		key_layout_init(&layout, keys[i].fields);
		contract_layouts_init(&c, &layout);
		assert_string_equal(compare(keys[i].desc, &c.tables[CONTRACT_COUNTS].key), "");
		assert_string_equal(compare(value_desc, &c.tables[CONTRACT_COUNTS].value), "");
		assert_string_equal(compare("\"int\"", &c.tables[CONTRACT_STATS].key), "");
		assert_string_equal(compare(stats_desc, &c.tables[CONTRACT_STATS].value), "");
		assert_string_equal(compare("\"unsigned int\"", &c.tables[CONTRACT_SELF].key), "");
		assert_string_equal(compare(self_desc, &c.tables[CONTRACT_SELF].value), "");
		/* another --by set's key is not this one's */
		if (i)
			assert_string_not_equal(
				compare(keys[0].desc, &c.tables[CONTRACT_COUNTS].key), "");
	}
}

static void test_parsed(void **state)
{
	struct typedesc d;
	const char *why;

	(void)state;
	assert_int_equal(typedesc_parse(keys[3].desc, &d, &why), 0);
	assert_int_equal(d.kind, TYPEDESC_STRUCT);
	assert_string_equal(d.name, "execcount_key");
	/* the padding is not a field, but it is in the size */
	assert_int_equal(d.nfields, 4);
	assert_true(d.sized);
	assert_int_equal(d.size, 8 + 4 + 16 + 256 + 4);
	assert_string_equal(d.fields[2].name, "comm");
	assert_int_equal(d.fields[2].offset, 12);
	assert_int_equal(d.fields[2].size, 16);
	assert_string_equal(d.fields[3].type, "char");
	assert_int_equal(d.fields[3].offset, 28);
	assert_int_equal(d.fields[3].size, 256);

	assert_int_equal(typedesc_parse(" \"unsigned long long\" ", &d, &why), 0);
	assert_int_equal(d.kind, TYPEDESC_SCALAR);
	assert_int_equal(d.size, 8);
	assert_int_equal(typedesc_parse("\"struct pt_regs\"", &d, &why), 0);
	assert_false(d.sized);

	/* a nested packed struct, an anonymous union, padding inside */
	assert_int_equal(
		typedesc_parse(
			"[\"outer\", [[\"a\",\"char\"], [\"__pad_1\",\"char\",[7]], [\"in\", [\"inner\", [[\"x\",\"int\"], [\"y\",\"short\", [2]]], \"struct_packed\"], [2]], [\"tail\",\"long\"]], \"struct_packed\"]",
			&d, &why),
		0);
	assert_int_equal(d.nfields, 3);
	assert_int_equal(d.fields[1].offset, 8);
	assert_int_equal(d.fields[1].size, 16);
	assert_string_equal(d.fields[1].type, "struct inner");
	assert_int_equal(d.fields[2].offset, 24);
	assert_int_equal(d.size, 32);
	assert_int_equal(
		typedesc_parse(
			"[\"u\", [[\"a\",\"int\"], [\"\", [[\"p\",\"int\"], [\"q\",\"long\"]], \"union\"], [\"b\",\"int\"]], \"struct_packed\"]",
			&d, &why),
		0);
	assert_int_equal(d.nfields, 3);
	assert_string_equal(d.fields[1].name, "");
	assert_string_equal(d.fields[1].type, "union");
	assert_false(d.fields[1].sized);
	assert_false(d.fields[2].sized);
	assert_false(d.sized);
	assert_string_equal(d.unsized, "union");

	assert_int_equal(typedesc_parse("[\"v\", [[\"a\",\"int\"]], \"union\"]", &d, &why), 0);
	assert_int_equal(d.kind, TYPEDESC_OTHER);
	assert_string_equal(d.what, "a union");
	assert_int_equal(typedesc_parse("[\"e\", [\"A\",\"B\"], \"enum\"]", &d, &why), 0);
	assert_string_equal(d.what, "an enum");
	assert_int_equal(typedesc_parse("[\"\", [], \"struct\"]", &d, &why), 0);
	assert_int_equal(d.kind, TYPEDESC_OTHER);
}

static void test_mismatches(void **state)
{
	struct contract_layouts c;
	struct key_layout layout;
	const struct layout *value, *key;

	(void)state;
	key_layout_init(&layout, 1u << FIELD_UID);
	contract_layouts_init(&c, &layout);
	value = &c.tables[CONTRACT_COUNTS].value;
	key = &c.tables[CONTRACT_COUNTS].key;

	/* the fault: same sizes, ok and failed swapped */
	assert_string_equal(compare(swapped_desc, value),
			    "field 'execve_ok' is at offset 8, the host reads it at offset 0");
	/* renamed structs, same fields: fine */
	assert_string_equal(compare("[\"tally\", [[\"execve_ok\"," U64 "], [\"execve_failed\"," U64
				    "], [\"execveat_ok\"," U64 "], [\"execveat_failed\"," U64
				    "]], \"struct_packed\"]",
				    value),
			    "");
	assert_string_equal(compare("[\"mine\", [[\"uid\",\"int\"]], \"struct_packed\"]", key), "");
	/* a field renamed */
	assert_string_equal(compare("[\"execcount_value\", [[\"execve_ok\"," U64
				    "], [\"execve_fail\"," U64 "], [\"execveat_ok\"," U64
				    "], [\"execveat_failed\"," U64 "]], \"struct_packed\"]",
				    value),
			    "has no field 'execve_failed' (the host reads 8 bytes at offset 8)");
	/* two u32s where a u64 is read */
	assert_string_equal(compare("[\"execcount_value\", [[\"execve_ok\"," U32 "], [\"pad\"," U32
				    "], [\"execve_failed\"," U64 "], [\"execveat_ok\"," U64
				    "], [\"execveat_failed\"," U64 "]], \"struct_packed\"]",
				    value),
			    "field 'execve_ok' is 4 bytes ('unsigned int'), the host reads 8");
	/* an extra field in what would be padding */
	key_layout_init(&layout, 1u << FIELD_CGROUP | 1u << FIELD_UID);
	contract_layouts_init(&c, &layout);
	key = &c.tables[CONTRACT_COUNTS].key;
	assert_string_equal(compare("[\"k\", [[\"cgroup\"," U64 "], [\"uid\"," U32
				    "], [\"gid\"," U32 "]], \"struct_packed\"]",
				    key),
			    "has a field 'gid' (at offset 12) the host does not read");
	/* the key's fields in another order than the probe's */
	assert_string_equal(compare("[\"k\", [[\"uid\"," U32
				    "], [\"__pad_1\",\"char\",[4]], [\"cgroup\"," U64
				    "]], \"struct_packed\"]",
				    key),
			    "field 'cgroup' is at offset 8, the host reads it at offset 0");
	/* padding that does not add up to the table's size */
	assert_string_equal(compare("[\"k\", [[\"cgroup\"," U64 "], [\"uid\"," U32
				    "]], \"struct_packed\"]",
				    key),
			    "is 12 bytes as libbcc describes it, the host reads 16");
	/* not a struct of plain fields */
	assert_string_equal(
		compare("[\"k\", [[\"cgroup\"," U64 "], [\"uid\"," U32 ", 20]], \"struct\"]", key),
		"is a struct with a bitfield or a flexible array, the host reads a struct of plain fields");
	assert_string_equal(compare("\"unsigned int\"", key),
			    "is 'unsigned int', the host reads a struct with a field 'cgroup'");
	assert_string_equal(
		compare("[\"k\", [[\"u\", [\"x\", [[\"a\",\"int\"]], \"union\"]], [\"cgroup\"," U64
			"], [\"uid\"," U32 "]], \"struct_packed\"]",
			key),
		"field 'cgroup' cannot be placed: libbcc gives no size for 'union x' at or before it (the host reads it at offset 0)");
	/* an array's index: any 4-byte integer, not a struct */
	assert_string_equal(compare("\"long\"", &c.tables[CONTRACT_STATS].key),
			    "is 'long', the host reads a 4-byte integer");
	assert_string_equal(compare(stats_desc, &c.tables[CONTRACT_SELF].key),
			    "is a struct or union, the host reads a 4-byte integer");
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"[",
		"]",
		"\"int",
		"\"in\\\"t\"",
		"\"in\nt\"",
		"\"in\x7ft\"",
		"[\"k\", [[\"ui\td\",\"int\"]], \"struct_packed\"]",
		"[\"k\", [[\"uid\",\"int\"]], \"struct_packed\"",
		"[\"k\", [[\"uid\",\"int\"]], \"struct_packed\"] x",
		"[\"k\", [[\"uid\" \"int\"]], \"struct_packed\"]",
		"[\"k\", [[\"uid\",\"int\"],], \"struct_packed\"]",
		"[\"k\", [[\"uid\"]], \"struct_packed\"]",
		"[\"k\", [[3,\"int\"]], \"struct_packed\"]",
		"[\"k\", [[\"uid\",4]], \"struct_packed\"]",
		"[\"k\", [[\"uid\",\"int\",[\"x\"]]], \"struct_packed\"]",
		"[\"k\", [[\"uid\",\"int\",[1,2]]], \"struct_packed\"]",
		"[\"k\", [\"uid\"], \"struct_packed\"]",
		"[\"k\", [[\"uid\",\"int\",[99999999999]]], \"struct_packed\"]",
		"[\"k\", [[\"uid\",\"int\"]]]",
		"[\"k\", [[\"uid\",\"int\"]], 7]",
		"[1, [], \"struct_packed\"]",
		"7",
		"{}",
	};
	char deep[200], wide[40 * (TYPEDESC_FIELDS_MAX + 1) + 64], name[TYPEDESC_NAME_MAX + 40];
	size_t at;
	struct typedesc d;
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i]);
	/* nested past the limit */
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	assert_string_equal(refused(deep), "nested too deep");
	/* more fields than kept */
	at = (size_t)sprintf(wide, "[\"w\", [");
	for (int i = 0; i <= TYPEDESC_FIELDS_MAX; i++)
		at += (size_t)sprintf(wide + at, "%s[\"f%d\",\"char\"]", i ? "," : "", i);
	sprintf(wide + at, "], \"struct_packed\"]");
	assert_string_equal(refused(wide), "more fields than the host reads a description of");
	/* a name one byte too long */
	memset(name, 'n', sizeof(name));
	name[0] = '"';
	sprintf(name + 1 + TYPEDESC_NAME_MAX, "\"");
	assert_string_equal(refused(name), "a type name too long");
	sprintf(name + TYPEDESC_NAME_MAX, "\"");
	assert_int_equal(typedesc_parse(name, &d, &why), 0);
	/* sizes that would overflow are unknown, not wrapped */
	assert_int_equal(
		typedesc_parse(
			"[\"k\", [[\"a\",\"__int128\",[4000000000]], [\"b\",\"int\"]], \"struct_packed\"]",
			&d, &why),
		0);
	assert_false(d.fields[0].sized);
	assert_false(d.sized);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_agrees),
		cmocka_unit_test(test_parsed),
		cmocka_unit_test(test_mismatches),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
