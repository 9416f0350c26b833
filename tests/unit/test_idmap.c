// SPDX-License-Identifier: GPL-2.0
/*
 * test_idmap.c - the sorted id -> name map behind the user and cgroup caches:
 * put copies, find hits and misses, replacing (a name by another, by "none"
 * and back), the entries kept in id order whatever the insertion order, the
 * full 64-bit id range, many entries, and free leaving an empty, reusable map.
 */
#include "unit.h"

#include "idmap.h"

/* The entries are strictly ascending by id (the binary search relies on it). */
static void assert_sorted(const struct idmap *map)
{
	assert_true(map->len <= map->cap);
	for (size_t i = 1; i < map->len; i++) {
		if (map->entries[i - 1].id >= map->entries[i].id)
			print_error("entries %zu and %zu out of order: %llu, %llu\n", i - 1, i,
				    (unsigned long long)map->entries[i - 1].id,
				    (unsigned long long)map->entries[i].id);
		assert_true(map->entries[i - 1].id < map->entries[i].id);
	}
}

static void test_empty(void **state)
{
	struct idmap map = { 0 };

	(void)state;
	assert_null(idmap_find(&map, 0));
	assert_null(idmap_find(&map, 1));
	assert_null(idmap_find(&map, UINT64_MAX));
	/* freeing an empty map is fine, twice too */
	idmap_free(&map);
	idmap_free(&map);
	assert_null(map.entries);
	assert_int_equal(map.len, 0);
	assert_int_equal(map.cap, 0);
}

static void test_put_find(void **state)
{
	struct idmap map = { 0 };
	const struct idmap_entry *e;

	(void)state;
	assert_int_equal(idmap_put(&map, 1000, "alice"), 0);
	e = idmap_find(&map, 1000);
	assert_non_null(e);
	assert_int_equal(e->id, 1000);
	assert_string_equal(e->name, "alice");
	assert_int_equal(map.len, 1);
	/* neighbours are misses */
	assert_null(idmap_find(&map, 999));
	assert_null(idmap_find(&map, 1001));
	assert_null(idmap_find(&map, 0));
	assert_null(idmap_find(&map, UINT64_MAX));
	idmap_free(&map);
}

static void test_put_copies_the_name(void **state)
{
	struct idmap map = { 0 };
	char name[] = "bob";
	const struct idmap_entry *e;

	(void)state;
	assert_int_equal(idmap_put(&map, 7, name), 0);
	name[0] = 'X';
	e = idmap_find(&map, 7);
	assert_non_null(e);
	assert_ptr_not_equal(e->name, name);
	assert_string_equal(e->name, "bob");
	/* the empty string is a name, not "none" */
	assert_int_equal(idmap_put(&map, 8, ""), 0);
	e = idmap_find(&map, 8);
	assert_non_null(e);
	assert_non_null(e->name);
	assert_string_equal(e->name, "");
	idmap_free(&map);
}

static void test_null_name_is_an_entry(void **state)
{
	struct idmap map = { 0 };
	const struct idmap_entry *e;

	(void)state;
	assert_int_equal(idmap_put(&map, 404, NULL), 0);
	/* found (known to have no name), unlike an id never put */
	e = idmap_find(&map, 404);
	assert_non_null(e);
	assert_int_equal(e->id, 404);
	assert_null(e->name);
	assert_null(idmap_find(&map, 405));
	assert_int_equal(map.len, 1);
	idmap_free(&map);
}

static void test_replace(void **state)
{
	struct idmap map = { 0 };
	const struct idmap_entry *e;

	(void)state;
	assert_int_equal(idmap_put(&map, 1, "one"), 0);
	assert_int_equal(idmap_put(&map, 2, "two"), 0);
	assert_int_equal(idmap_put(&map, 3, "three"), 0);

	/* a name by another: still one entry for the id, the others untouched */
	assert_int_equal(idmap_put(&map, 2, "deux"), 0);
	assert_int_equal(map.len, 3);
	assert_string_equal(idmap_find(&map, 2)->name, "deux");
	assert_string_equal(idmap_find(&map, 1)->name, "one");
	assert_string_equal(idmap_find(&map, 3)->name, "three");

	/* a name by "none", and back (the old strings are freed: ASan checks) */
	assert_int_equal(idmap_put(&map, 2, NULL), 0);
	e = idmap_find(&map, 2);
	assert_non_null(e);
	assert_null(e->name);
	assert_int_equal(map.len, 3);
	assert_int_equal(idmap_put(&map, 2, NULL), 0);
	assert_null(idmap_find(&map, 2)->name);
	assert_int_equal(idmap_put(&map, 2, "zwei"), 0);
	assert_string_equal(idmap_find(&map, 2)->name, "zwei");
	assert_int_equal(map.len, 3);

	/* the same name again, and the entry's own string (copied before the old one is freed) */
	assert_int_equal(idmap_put(&map, 3, "three"), 0);
	assert_string_equal(idmap_find(&map, 3)->name, "three");
	assert_int_equal(idmap_put(&map, 3, idmap_find(&map, 3)->name), 0);
	assert_string_equal(idmap_find(&map, 3)->name, "three");
	assert_int_equal(map.len, 3);
	assert_sorted(&map);
	idmap_free(&map);
}

static void test_order_any_insertion(void **state)
{
	static const uint64_t ids[] = {
		500,
		0,
		UINT64_MAX,
		1,
		0x100000000ull,
		0xffffffffull,
		499,
		501,
		0x8000000000000000ull,
		UINT64_MAX - 1,
		2,
	};
	static const uint64_t sorted[] = {
		0,
		1,
		2,
		499,
		500,
		501,
		0xffffffffull,
		0x100000000ull,
		0x8000000000000000ull,
		UINT64_MAX - 1,
		UINT64_MAX,
	};
	struct idmap map = { 0 };
	char name[32];

	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(name, sizeof(name), "n%llu", (unsigned long long)ids[i]);
		assert_int_equal(idmap_put(&map, ids[i], name), 0);
		assert_sorted(&map);
	}
	assert_int_equal(map.len, sizeof(sorted) / sizeof(sorted[0]));
	for (size_t i = 0; i < map.len; i++) {
		/* compared as unsigned 64-bit numbers: 2^63 and above come last */
		assert_true(map.entries[i].id == sorted[i]);
		snprintf(name, sizeof(name), "n%llu", (unsigned long long)sorted[i]);
		assert_string_equal(map.entries[i].name, name);
		assert_ptr_equal(idmap_find(&map, sorted[i]), &map.entries[i]);
	}
	/* between entries, below the first, above the last: misses */
	assert_null(idmap_find(&map, 3));
	assert_null(idmap_find(&map, 498));
	assert_null(idmap_find(&map, 0x100000001ull));
	assert_null(idmap_find(&map, UINT64_MAX - 2));
	idmap_free(&map);
}

/* A deterministic shuffle of n distinct ids spread over 64 bits. */
static uint64_t spread_id(size_t i)
{
	return (uint64_t)i * 0x9e3779b97f4a7c15ull; /* odd multiplier: distinct for i < 2^64 */
}

static void test_many_entries(void **state)
{
	enum { N = 5000 };
	struct idmap map = { 0 };
	char name[32];
	size_t last_cap = 0;
	const char *names[N];

	(void)state;
	for (size_t i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "id%zu", i);
		/* every other one has no name */
		assert_int_equal(idmap_put(&map, spread_id(i), i % 2 ? NULL : name), 0);
		assert_int_equal(map.len, i + 1);
		assert_true(map.cap >= last_cap); /* grows, never shrinks */
		last_cap = map.cap;
		names[i] = idmap_find(&map, spread_id(i))->name;
	}
	assert_sorted(&map);
	for (size_t i = N; i-- > 0;) {
		const struct idmap_entry *e = idmap_find(&map, spread_id(i));

		assert_non_null(e);
		assert_true(e->id == spread_id(i));
		/* a name stays where it was put while the array around it grows */
		assert_ptr_equal(e->name, names[i]);
		if (i % 2) {
			assert_null(e->name);
		} else {
			snprintf(name, sizeof(name), "id%zu", i);
			assert_string_equal(e->name, name);
		}
		/* the id one above is not in the map (the multiplier spreads them far apart) */
		assert_null(idmap_find(&map, spread_id(i) + 1));
	}
	/* ascending and descending runs land at the back and the front */
	for (uint64_t id = 1; id <= 100; id++)
		assert_int_equal(idmap_put(&map, UINT64_MAX - id, "hi"), 0);
	for (uint64_t id = 100; id >= 1; id--)
		assert_int_equal(idmap_put(&map, id, "lo"), 0);
	assert_int_equal(map.len, N + 200);
	assert_sorted(&map);
	assert_string_equal(idmap_find(&map, 50)->name, "lo");
	assert_string_equal(idmap_find(&map, UINT64_MAX - 50)->name, "hi");
	idmap_free(&map);
	assert_null(map.entries);
	assert_int_equal(map.len, 0);
	assert_int_equal(map.cap, 0);
}

static void test_reuse_after_free(void **state)
{
	struct idmap map = { 0 };

	(void)state;
	assert_int_equal(idmap_put(&map, 1, "a"), 0);
	assert_int_equal(idmap_put(&map, 2, NULL), 0);
	idmap_free(&map);
	assert_null(idmap_find(&map, 1));
	assert_null(idmap_find(&map, 2));
	assert_int_equal(idmap_put(&map, 2, "b"), 0);
	assert_string_equal(idmap_find(&map, 2)->name, "b");
	assert_null(idmap_find(&map, 1));
	idmap_free(&map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_put_find),
		cmocka_unit_test(test_put_copies_the_name),
		cmocka_unit_test(test_null_name_is_an_entry),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_order_any_insertion),
		cmocka_unit_test(test_many_entries),
		cmocka_unit_test(test_reuse_after_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
