// SPDX-License-Identifier: GPL-2.0
/*
 * test_keys.c - the --by fields and the kernel's key bytes: for each of the
 * 15 field sets key_layout_init() gives the offsets and size C gives the
 * probe's struct execcount_key (written out below without #ifdefs, one
 * struct per set, and checked against the probe's own text); key_decode()
 * reads any bytes, unaligned, with comm and exe that fill their arrays with no
 * NUL; key_compare() is a total order (uid, comm, exe, cgroup, all unsigned);
 * the field names and -D settings round-trip.
 */
#include "unit.h"

#include <stdbool.h>
#include <stddef.h>

#include "counts.h"
#include "keys.h"
#include "source.h"

/* ---- the probe's struct execcount_key, one per field set, fields in the probe's order ---- */

#define F_CGROUP uint64_t cgroup;
#define F_UID	 uint32_t uid;
#define F_COMM	 char comm[16];
#define F_EXE	 char exe[256];

/* clang-format off */
struct k_U { F_UID };
struct k_C { F_COMM };
struct k_UC { F_UID F_COMM };
struct k_E { F_EXE };
struct k_UE { F_UID F_EXE };
struct k_CE { F_COMM F_EXE };
struct k_UCE { F_UID F_COMM F_EXE };
struct k_G { F_CGROUP };
struct k_GU { F_CGROUP F_UID };
struct k_GC { F_CGROUP F_COMM };
struct k_GUC { F_CGROUP F_UID F_COMM };
struct k_GE { F_CGROUP F_EXE };
struct k_GUE { F_CGROUP F_UID F_EXE };
struct k_GCE { F_CGROUP F_COMM F_EXE };
struct k_GUCE { F_CGROUP F_UID F_COMM F_EXE };
/* clang-format on */

#define U (1u << FIELD_UID)
#define C (1u << FIELD_COMM)
#define E (1u << FIELD_EXE)
#define G (1u << FIELD_CGROUP)

/* offsetof where the struct has the field; NONE where it has not. */
#define NONE ((size_t)-1)

struct expected_layout {
	const char *name;
	unsigned int fields;
	size_t size;
	size_t offset[FIELD_COUNT_];
};

#define OFF(s, f) offsetof(struct s, f)

/* clang-format off */
static const struct expected_layout expected[] = {
	{ "U", U, sizeof(struct k_U), { [FIELD_UID] = OFF(k_U, uid), [FIELD_COMM] = NONE, [FIELD_EXE] = NONE, [FIELD_CGROUP] = NONE } },
	{ "C", C, sizeof(struct k_C), { [FIELD_UID] = NONE, [FIELD_COMM] = OFF(k_C, comm), [FIELD_EXE] = NONE, [FIELD_CGROUP] = NONE } },
	{ "UC", U | C, sizeof(struct k_UC), { [FIELD_UID] = OFF(k_UC, uid), [FIELD_COMM] = OFF(k_UC, comm), [FIELD_EXE] = NONE, [FIELD_CGROUP] = NONE } },
	{ "E", E, sizeof(struct k_E), { [FIELD_UID] = NONE, [FIELD_COMM] = NONE, [FIELD_EXE] = OFF(k_E, exe), [FIELD_CGROUP] = NONE } },
	{ "UE", U | E, sizeof(struct k_UE), { [FIELD_UID] = OFF(k_UE, uid), [FIELD_COMM] = NONE, [FIELD_EXE] = OFF(k_UE, exe), [FIELD_CGROUP] = NONE } },
	{ "CE", C | E, sizeof(struct k_CE), { [FIELD_UID] = NONE, [FIELD_COMM] = OFF(k_CE, comm), [FIELD_EXE] = OFF(k_CE, exe), [FIELD_CGROUP] = NONE } },
	{ "UCE", U | C | E, sizeof(struct k_UCE), { [FIELD_UID] = OFF(k_UCE, uid), [FIELD_COMM] = OFF(k_UCE, comm), [FIELD_EXE] = OFF(k_UCE, exe), [FIELD_CGROUP] = NONE } },
	{ "G", G, sizeof(struct k_G), { [FIELD_UID] = NONE, [FIELD_COMM] = NONE, [FIELD_EXE] = NONE, [FIELD_CGROUP] = OFF(k_G, cgroup) } },
	{ "GU", G | U, sizeof(struct k_GU), { [FIELD_UID] = OFF(k_GU, uid), [FIELD_COMM] = NONE, [FIELD_EXE] = NONE, [FIELD_CGROUP] = OFF(k_GU, cgroup) } },
	{ "GC", G | C, sizeof(struct k_GC), { [FIELD_UID] = NONE, [FIELD_COMM] = OFF(k_GC, comm), [FIELD_EXE] = NONE, [FIELD_CGROUP] = OFF(k_GC, cgroup) } },
	{ "GUC", G | U | C, sizeof(struct k_GUC), { [FIELD_UID] = OFF(k_GUC, uid), [FIELD_COMM] = OFF(k_GUC, comm), [FIELD_EXE] = NONE, [FIELD_CGROUP] = OFF(k_GUC, cgroup) } },
	{ "GE", G | E, sizeof(struct k_GE), { [FIELD_UID] = NONE, [FIELD_COMM] = NONE, [FIELD_EXE] = OFF(k_GE, exe), [FIELD_CGROUP] = OFF(k_GE, cgroup) } },
	{ "GUE", G | U | E, sizeof(struct k_GUE), { [FIELD_UID] = OFF(k_GUE, uid), [FIELD_COMM] = NONE, [FIELD_EXE] = OFF(k_GUE, exe), [FIELD_CGROUP] = OFF(k_GUE, cgroup) } },
	{ "GCE", G | C | E, sizeof(struct k_GCE), { [FIELD_UID] = NONE, [FIELD_COMM] = OFF(k_GCE, comm), [FIELD_EXE] = OFF(k_GCE, exe), [FIELD_CGROUP] = OFF(k_GCE, cgroup) } },
	{ "GUCE", G | U | C | E, sizeof(struct k_GUCE), { [FIELD_UID] = OFF(k_GUCE, uid), [FIELD_COMM] = OFF(k_GUCE, comm), [FIELD_EXE] = OFF(k_GUCE, exe), [FIELD_CGROUP] = OFF(k_GUCE, cgroup) } },
};
/* clang-format on */

#define N_LAYOUTS (sizeof(expected) / sizeof(expected[0]))

static void test_layout_matches_c_structs(void **state)
{
	bool seen[16] = { false };

	(void)state;
	assert_int_equal(N_LAYOUTS, 15);
	for (size_t i = 0; i < N_LAYOUTS; i++) {
		const struct expected_layout *want = &expected[i];
		struct key_layout got;

		/* each of the 15 non-empty subsets exactly once */
		assert_true(want->fields > 0 && want->fields < 16);
		assert_false(seen[want->fields]);
		seen[want->fields] = true;

		memset(&got, 0xa5, sizeof(got));
		key_layout_init(&got, want->fields);
		if (got.size != want->size)
			print_error("%s: size %zu, C says %zu\n", want->name, got.size, want->size);
		assert_int_equal(got.fields, want->fields);
		assert_int_equal(got.size, want->size);
		for (int f = 0; f < FIELD_COUNT_; f++) {
			if (want->offset[f] == NONE) {
				/* a field not in the key: not in the mask, offset left at 0 */
				assert_false(got.fields & 1u << f);
				assert_int_equal(got.offset[f], 0);
				continue;
			}
			if (got.offset[f] != want->offset[f])
				print_error("%s: %s at %zu, C says %zu\n", want->name,
					    key_field_name(f), got.offset[f], want->offset[f]);
			assert_true(got.fields & 1u << f);
			assert_int_equal(got.offset[f], want->offset[f]);
		}
	}
}

/* A few sizes by hand, so a wrong struct above cannot hide a wrong layout. */
static void test_layout_known_sizes(void **state)
{
	struct key_layout l;

	(void)state;
	key_layout_init(&l, U);
	assert_int_equal(l.size, 4);
	key_layout_init(&l, C);
	assert_int_equal(l.size, 16);
	key_layout_init(&l, U | C);
	assert_int_equal(l.size, 20); /* no padding: 4-byte aligned */
	assert_int_equal(l.offset[FIELD_COMM], 4);
	key_layout_init(&l, G | U);
	assert_int_equal(l.size, 16); /* 12 bytes padded to the u64's alignment */
	assert_int_equal(l.offset[FIELD_UID], 8);
	key_layout_init(&l, U | E);
	assert_int_equal(l.size, 260);
	key_layout_init(&l, G | C | E);
	assert_int_equal(l.size, 280);
	key_layout_init(&l, G | U | C | E);
	assert_int_equal(l.offset[FIELD_CGROUP], 0);
	assert_int_equal(l.offset[FIELD_UID], 8);
	assert_int_equal(l.offset[FIELD_COMM], 12);
	assert_int_equal(l.offset[FIELD_EXE], 28);
	assert_int_equal(l.size, 288); /* 284 padded to 8 */
	assert_int_equal(KEY_COMM_LEN, 16);
	assert_int_equal(KEY_EXE_LEN, 256);
}

/* The structs above are the probe's: same fields, same order, same sizes, same -D names. */
static void test_structs_are_the_probes(void **state)
{
	static const struct {
		enum key_field field;
		const char *member;
	} members[] = {
		/* in the order the probe declares them */
		{ FIELD_CGROUP, "\tu64 cgroup;" },
		{ FIELD_UID, "\tu32 uid;" },
		{ FIELD_COMM, "\tchar comm[COMM_LEN];" },
		{ FIELD_EXE, "\tchar exe[EXE_LEN];" },
	};
	struct probe_source src;
	const char *start, *end, *at;
	char *body;

	(void)state;
	source_builtin(&src);
	assert_non_null(strstr(src.text, "#define COMM_LEN 16"));
	assert_non_null(strstr(src.text, "#define EXE_LEN 256"));
	start = strstr(src.text, "struct execcount_key {\n");
	assert_non_null(start);
	end = strstr(start, "\n};");
	assert_non_null(end);
	body = strndup(start, end - start);
	assert_non_null(body);
	at = body;
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		char guarded[128];
		const char *define = key_field_define(members[i].field);
		const char *found;

		/* "#ifdef EXECCOUNT_BY_X\n\t<member>", after the previous member */
		assert_true(strncmp(define, "-D", 2) == 0);
		snprintf(guarded, sizeof(guarded), "#ifdef %s\n%s", define + 2, members[i].member);
		found = strstr(at, guarded);
		if (!found)
			print_error(
				"the probe's struct execcount_key has no \"%s\" after offset %zu\n",
				guarded, (size_t)(at - body));
		assert_non_null(found);
		at = found + strlen(guarded);
	}
	/* and nothing else: four #ifdefs, four members */
	{
		size_t n = 0;

		for (const char *p = body; (p = strstr(p, "#ifdef")); p++)
			n++;
		assert_int_equal(n, 4);
	}
	free(body);
}

/* ---- key_decode ---- */

/* Raw key bytes for layout l, built by the C struct (so the test does not trust the layout). */
static void test_decode_every_layout(void **state)
{
	struct k_GUCE full;
	unsigned char raw[sizeof(struct k_GUCE) + 1];

	(void)state;
	for (size_t i = 0; i < N_LAYOUTS; i++) {
		const struct expected_layout *want = &expected[i];
		struct key_layout l;
		struct exec_key key;

		key_layout_init(&l, want->fields);
		/* garbage everywhere, then the fields at the C offsets */
		memset(raw, 0xee, sizeof(raw));
		memset(&full, 0, sizeof(full));
		full.cgroup = 0x0123456789abcdefull;
		full.uid = 0xfffffffeu;
		memcpy(full.comm, "bash", 5);
		memcpy(full.exe, "/usr/bin/env", 13);
		if (want->offset[FIELD_CGROUP] != NONE)
			memcpy(raw + want->offset[FIELD_CGROUP], &full.cgroup, 8);
		if (want->offset[FIELD_UID] != NONE)
			memcpy(raw + want->offset[FIELD_UID], &full.uid, 4);
		if (want->offset[FIELD_COMM] != NONE)
			memcpy(raw + want->offset[FIELD_COMM], full.comm, 16);
		if (want->offset[FIELD_EXE] != NONE)
			memcpy(raw + want->offset[FIELD_EXE], full.exe, 256);

		memset(&key, 0x5a, sizeof(key)); /* stale contents are cleared */
		key_decode(&l, raw, &key);
		/* fields not in the key are zero / empty */
		assert_true(key.cgroup == (want->fields & G ? 0x0123456789abcdefull : 0));
		assert_int_equal(key.uid, want->fields & U ? 0xfffffffeu : 0);
		assert_string_equal(key.comm, want->fields & C ? "bash" : "");
		assert_string_equal(key.exe, want->fields & E ? "/usr/bin/env" : "");
		assert_int_equal(key.comm[KEY_COMM_LEN], '\0');
		assert_int_equal(key.exe[KEY_EXE_LEN], '\0');
	}
}

static void test_decode_unterminated_strings(void **state)
{
	struct key_layout l;
	struct exec_key key;
	unsigned char *raw;
	char comm[KEY_COMM_LEN + 1], exe[KEY_EXE_LEN + 1];

	(void)state;
	key_layout_init(&l, U | C | E | G);
	/* one byte more than the key, and decoded from an odd address: memcpy, no aligned loads */
	raw = malloc(l.size + 1);
	assert_non_null(raw);
	memset(raw, 0, l.size + 1);
	for (int i = 0; i < KEY_COMM_LEN; i++)
		comm[i] = (char)('A' + i);
	comm[KEY_COMM_LEN] = '\0';
	for (int i = 0; i < KEY_EXE_LEN; i++)
		exe[i] = (char)(0x80 + i % 0x7f); /* not text, and no NUL anywhere */
	exe[KEY_EXE_LEN] = '\0';
	memcpy(raw + 1 + l.offset[FIELD_COMM], comm, KEY_COMM_LEN);
	memcpy(raw + 1 + l.offset[FIELD_EXE], exe, KEY_EXE_LEN);
	memcpy(raw + 1 + l.offset[FIELD_UID], &(uint32_t){ 1000 }, 4);
	memcpy(raw + 1 + l.offset[FIELD_CGROUP], &(uint64_t){ UINT64_MAX }, 8);

	key_decode(&l, raw + 1, &key);
	/* every byte kept, and still a C string */
	assert_int_equal(strlen(key.comm), KEY_COMM_LEN);
	assert_string_equal(key.comm, comm);
	assert_int_equal(strlen(key.exe), KEY_EXE_LEN);
	assert_memory_equal(key.exe, exe, KEY_EXE_LEN + 1);
	assert_int_equal(key.uid, 1000);
	assert_true(key.cgroup == UINT64_MAX);
	free(raw);

	/* comm alone, filling the whole key: the decode reads exactly l.size bytes (ASan checks) */
	key_layout_init(&l, C);
	raw = malloc(l.size);
	assert_non_null(raw);
	memcpy(raw, comm, KEY_COMM_LEN);
	key_decode(&l, raw, &key);
	assert_string_equal(key.comm, comm);
	free(raw);

	key_layout_init(&l, E);
	raw = malloc(l.size);
	assert_non_null(raw);
	memcpy(raw, exe, KEY_EXE_LEN);
	key_decode(&l, raw, &key);
	assert_memory_equal(key.exe, exe, KEY_EXE_LEN + 1);
	free(raw);
}

static void test_decode_string_with_bytes_after_nul(void **state)
{
	struct key_layout l;
	struct exec_key key;
	unsigned char raw[20];

	(void)state;
	key_layout_init(&l, U | C);
	memset(raw, 'z', sizeof(raw));
	memcpy(raw, &(uint32_t){ 0 }, 4);
	memcpy(raw + 4, "sh\0", 3);
	key_decode(&l, raw, &key);
	assert_string_equal(key.comm, "sh");
	assert_int_equal(key.uid, 0);
	/* an empty comm */
	raw[4] = '\0';
	key_decode(&l, raw, &key);
	assert_string_equal(key.comm, "");
}

/* ---- key_compare ---- */

static struct exec_key mk(uint32_t uid, const char *comm, const char *exe, uint64_t cgroup)
{
	struct exec_key k;

	memset(&k, 0, sizeof(k));
	k.uid = uid;
	snprintf(k.comm, sizeof(k.comm), "%s", comm);
	snprintf(k.exe, sizeof(k.exe), "%s", exe);
	k.cgroup = cgroup;
	return k;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void test_compare_order(void **state)
{
	/* ascending, each strictly below the next */
	const struct exec_key keys[] = {
		mk(0, "", "", 0),	    mk(0, "", "", 1),
		mk(0, "", "", UINT64_MAX), /* unsigned 64-bit cgroup ids */
		mk(0, "", "/", 0),	    mk(0, "", "/bin/sh", 0),
		mk(0, "", "/bin/sh2", 0),   mk(0, "", "\xff", 0), /* bytes compare unsigned */
		mk(0, "a", "", 0),	    mk(0, "ab", "", 0),
		mk(0, "b", "", 0),	    mk(0, "\x80", "", 0),
		mk(1, "", "", 0), /* uid outranks everything else */
		mk(1000, "a", "/x", 5),	    mk(0x7fffffffu, "", "", 0),
		mk(0x80000000u, "", "", 0), /* unsigned 32-bit uids */
		mk(0xffffffffu, "", "", 0),
	};
	const size_t n = sizeof(keys) / sizeof(keys[0]);

	(void)state;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int want = (i > j) - (i < j);
			int got = sign(key_compare(&keys[i], &keys[j]));

			if (got != want)
				print_error("key_compare(#%zu, #%zu) = %d, want %d\n", i, j, got,
					    want);
			assert_int_equal(got, want);
		}
}

static void test_compare_field_precedence(void **state)
{
	struct exec_key a, b;

	(void)state;
	/* uid decides before comm, comm before exe, exe before cgroup */
	a = mk(1, "z", "z", 9);
	b = mk(2, "a", "a", 0);
	assert_true(key_compare(&a, &b) < 0);
	a = mk(5, "a", "z", 9);
	b = mk(5, "b", "a", 0);
	assert_true(key_compare(&a, &b) < 0);
	a = mk(5, "a", "a", 9);
	b = mk(5, "a", "b", 0);
	assert_true(key_compare(&a, &b) < 0);
	a = mk(5, "a", "b", 0);
	b = mk(5, "a", "b", 1);
	assert_true(key_compare(&a, &b) < 0);
	assert_true(key_compare(&b, &a) > 0);
	b = a;
	assert_int_equal(key_compare(&a, &b), 0);
	/* the full 16-byte comm and 256-byte exe take part */
	memset(a.comm, 'c', KEY_COMM_LEN);
	b = a;
	b.comm[KEY_COMM_LEN - 1] = 'd';
	assert_true(key_compare(&a, &b) < 0);
	memset(a.exe, 'e', KEY_EXE_LEN);
	b = a;
	b.exe[KEY_EXE_LEN - 1] = 'f';
	assert_true(key_compare(&a, &b) < 0);
}

/* ---- field names ---- */

static void test_field_names(void **state)
{
	static const struct {
		enum key_field field;
		const char *name, *define;
	} want[] = {
		{ FIELD_UID, "uid", "-DEXECCOUNT_BY_UID" },
		{ FIELD_COMM, "comm", "-DEXECCOUNT_BY_COMM" },
		{ FIELD_EXE, "exe", "-DEXECCOUNT_BY_EXE" },
		{ FIELD_CGROUP, "cgroup", "-DEXECCOUNT_BY_CGROUP" },
	};

	(void)state;
	assert_int_equal(FIELD_COUNT_, 4);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_string_equal(key_field_name(want[i].field), want[i].name);
		assert_string_equal(key_field_define(want[i].field), want[i].define);
		assert_int_equal(key_field_parse(want[i].name), want[i].field);
		assert_int_equal(key_field_parse(key_field_name(want[i].field)), want[i].field);
	}
}

static void test_field_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"UID",
		"Uid",
		"uid ",
		" uid",
		"uid,",
		"uids",
		"ui",
		"user",
		"COMM",
		"command",
		"path",
		"exe\n",
		"cgroups",
		"cgroup2",
		"cg",
		"count",
		"-DEXECCOUNT_BY_UID",
		"EXECCOUNT_BY_UID",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (key_field_parse(bad[i]) != -1)
			print_error("key_field_parse(\"%s\") accepted\n", bad[i]);
		assert_int_equal(key_field_parse(bad[i]), -1);
	}
}

/* The one table: every field complete, its member inside exec_key, its columns' values. */
static void test_field_table(void **state)
{
	struct count_row row = { 0 };
	char num[24];
	bool number;
	const char *v;

	(void)state;
	for (int i = 0; i < FIELD_COUNT_; i++) {
		const struct key_field_info *f = key_field(i);

		assert_non_null(f->name);
		assert_non_null(f->define);
		assert_true(f->ncolumns >= 1 && f->ncolumns <= 2);
		assert_true(f->offset + f->size <= sizeof(struct exec_key));
		assert_string_equal(f->columns[0].name, f->name);
		assert_non_null(f->columns[0].heading);
		/* each field once in the probe's order */
		int seen = 0;

		for (int j = 0; j < FIELD_COUNT_; j++)
			seen += key_probe_order[j] == (enum key_field)i;
		assert_int_equal(seen, 1);
	}
	row.key.uid = 4294967295u;
	row.key.cgroup = 18446744073709551615ull;
	snprintf(row.key.comm, sizeof(row.key.comm), "make");
	row.user = "root";
	v = key_column_value(key_field(FIELD_UID), &key_field(FIELD_UID)->columns[0], &row, num,
			     &number);
	assert_string_equal(v, "4294967295");
	assert_true(number);
	v = key_column_value(key_field(FIELD_UID), &key_field(FIELD_UID)->columns[1], &row, num,
			     &number);
	assert_string_equal(v, "root");
	assert_false(number);
	v = key_column_value(key_field(FIELD_CGROUP), &key_field(FIELD_CGROUP)->columns[1], &row,
			     num, &number);
	assert_string_equal(v, "18446744073709551615");
	/* an unknown cgroup path is NULL: each sink writes it its way (null, "", "?") */
	assert_null(key_column_value(key_field(FIELD_CGROUP), &key_field(FIELD_CGROUP)->columns[0],
				     &row, num, &number));
	v = key_column_value(key_field(FIELD_COMM), &key_field(FIELD_COMM)->columns[0], &row, num,
			     &number);
	assert_string_equal(v, "make");
	assert_false(number);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_matches_c_structs),
		cmocka_unit_test(test_layout_known_sizes),
		cmocka_unit_test(test_structs_are_the_probes),
		cmocka_unit_test(test_decode_every_layout),
		cmocka_unit_test(test_decode_unterminated_strings),
		cmocka_unit_test(test_decode_string_with_bytes_after_nul),
		cmocka_unit_test(test_compare_order),
		cmocka_unit_test(test_compare_field_precedence),
		cmocka_unit_test(test_field_names),
		cmocka_unit_test(test_field_parse_rejects),
		cmocka_unit_test(test_field_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
