// SPDX-License-Identifier: GPL-2.0
/*
 * test_counts.c - snapshots: growth, copy without reallocation (rows and the
 * dropped count), count = execve + execveat, the sort orders (by the
 * whole key: full 32-bit uids, comm, exe, 64-bit cgroup ids; by 64-bit
 * counts, ties by key; every --sort order: each number descending as 64
 * bits, each key field ascending, ties by the whole key whatever the input
 * order), the --sort names, and deltas between snapshots matched by whole key.
 */
#include "unit.h"

#include "counts.h"

/* A row keyed by uid alone with count execs (all execve, all succeeded). */
static int push_uid(struct snapshot *snap, uint32_t uid, uint64_t count)
{
	struct exec_key key = { .uid = uid };
	struct exec_counts n = { .execve = count, .ok = count };

	return snapshot_push(snap, &key, &n);
}

/* Push n (uid, count) pairs given as a flat list. */
static void push_all(struct snapshot *snap, size_t n, const uint64_t pairs[][2])
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(push_uid(snap, (uint32_t)pairs[i][0], pairs[i][1]), 0);
}

static struct exec_key key_of(uint32_t uid, const char *comm, const char *exe, uint64_t cgroup)
{
	struct exec_key key;

	memset(&key, 0, sizeof(key));
	key.uid = uid;
	snprintf(key.comm, sizeof(key.comm), "%s", comm);
	snprintf(key.exe, sizeof(key.exe), "%s", exe);
	key.cgroup = cgroup;
	return key;
}

/* A row with a whole key and execve + execveat attempts. */
static void push_key(struct snapshot *snap, uint32_t uid, const char *comm, const char *exe,
		     uint64_t cgroup, uint64_t execve, uint64_t execveat)
{
	struct exec_key key = key_of(uid, comm, exe, cgroup);
	struct exec_counts n = {
		.execve = execve, .execveat = execveat, .ok = execve, .failed = execveat
	};

	assert_int_equal(snapshot_push(snap, &key, &n), 0);
}

#define PUSH_ALL(snap, pairs) push_all((snap), sizeof(pairs) / sizeof((pairs)[0]), (pairs))

static void assert_row(const struct snapshot *snap, size_t i, uint32_t uid, uint64_t count,
		       uint64_t delta)
{
	assert_true(i < snap->len);
	if (snap->rows[i].key.uid != uid || snap->rows[i].count != count ||
	    snap->rows[i].delta != delta)
		print_error("row %zu: got uid %u count %llu delta %llu, want %u %llu %llu\n", i,
			    snap->rows[i].key.uid, (unsigned long long)snap->rows[i].count,
			    (unsigned long long)snap->rows[i].delta, uid, (unsigned long long)count,
			    (unsigned long long)delta);
	assert_int_equal(snap->rows[i].key.uid, uid);
	assert_int_equal(snap->rows[i].count, count);
	assert_int_equal(snap->rows[i].delta, delta);
}

static void test_push_grows(void **state)
{
	struct snapshot snap = { 0 };
	size_t last_cap = 0;

	(void)state;
	for (uint32_t i = 0; i < 1000; i++) {
		assert_int_equal(push_uid(&snap, 1000000 + i, (uint64_t)i * 3 + 1), 0);
		assert_int_equal(snap.len, i + 1);
		assert_true(snap.cap >= snap.len);
		assert_true(snap.cap >= last_cap); /* never shrinks */
		last_cap = snap.cap;
	}
	/* every row survived every reallocation, with a clean delta and no user */
	for (uint32_t i = 0; i < 1000; i++) {
		assert_row(&snap, i, 1000000 + i, (uint64_t)i * 3 + 1, 0);
		assert_null(snap.rows[i].user);
		assert_null(snap.rows[i].cgroup);
	}
	snapshot_free(&snap);
	assert_null(snap.rows);
	assert_int_equal(snap.len, 0);
	assert_int_equal(snap.cap, 0);
	/* a freed snapshot is an empty one, usable again */
	assert_int_equal(push_uid(&snap, 7, 8), 0);
	assert_row(&snap, 0, 7, 8, 0);
	snapshot_free(&snap);
}

static void test_copy_reuses_capacity(void **state)
{
	struct snapshot big = { 0 }, small = { 0 }, dst = { 0 };
	struct count_row *rows;
	size_t cap;

	(void)state;
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(push_uid(&big, i, i + 1000), 0);
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(push_uid(&small, 500 + i, i), 0);
	big.rows[3].delta = 77;

	/* into an empty snapshot: allocates, copies every field */
	assert_int_equal(snapshot_copy(&dst, &big), 0);
	assert_int_equal(dst.len, 100);
	assert_true(dst.cap >= 100);
	assert_ptr_not_equal(dst.rows, big.rows);
	assert_memory_equal(dst.rows, big.rows, 100 * sizeof(*big.rows));
	rows = dst.rows;
	cap = dst.cap;

	/* equal size: same buffer, same capacity */
	assert_int_equal(snapshot_copy(&dst, &big), 0);
	assert_ptr_equal(dst.rows, rows);
	assert_int_equal(dst.cap, cap);
	assert_int_equal(dst.len, 100);

	/* smaller: same buffer, same capacity, len shrinks */
	assert_int_equal(snapshot_copy(&dst, &small), 0);
	assert_ptr_equal(dst.rows, rows);
	assert_int_equal(dst.cap, cap);
	assert_int_equal(dst.len, 10);
	assert_memory_equal(dst.rows, small.rows, 10 * sizeof(*small.rows));

	/* a source exactly as long as the capacity still fits */
	for (uint32_t i = 0; small.len < cap; i++)
		assert_int_equal(push_uid(&small, 2000 + i, i), 0);
	assert_int_equal(snapshot_copy(&dst, &small), 0);
	assert_ptr_equal(dst.rows, rows);
	assert_int_equal(dst.cap, cap);
	assert_int_equal(dst.len, cap);
	assert_memory_equal(dst.rows, small.rows, cap * sizeof(*small.rows));

	/* empty source: len 0, buffer kept */
	snapshot_free(&small);
	assert_int_equal(snapshot_copy(&dst, &small), 0);
	assert_int_equal(dst.len, 0);
	assert_ptr_equal(dst.rows, rows);
	assert_int_equal(dst.cap, cap);

	/* the copy is independent of its source */
	assert_int_equal(snapshot_copy(&dst, &big), 0);
	big.rows[0].count = 999;
	assert_int_equal(dst.rows[0].count, 1000);

	snapshot_free(&big);
	snapshot_free(&dst);
}

static void test_copy_empty_into_empty(void **state)
{
	struct snapshot src = { 0 }, dst = { 0 };

	(void)state;
	assert_int_equal(snapshot_copy(&dst, &src), 0);
	assert_int_equal(dst.len, 0);
	snapshot_free(&dst);
}

static void test_sort_by_key_uid(void **state)
{
	static const uint64_t pairs[][2] = {
		{ 0x80000000u, 1 }, { 1000, 2 },  { 0xffffffffu, 3 }, { 0, 4 },
		{ 0x7fffffffu, 5 }, { 65534, 6 }, { 1, 7 },	      { 0xfffffffeu, 8 },
	};
	struct snapshot snap = { 0 };

	(void)state;
	PUSH_ALL(&snap, pairs);
	counts_sort(&snap, ORDER_BY_KEY);
	/* unsigned order: 2^31 and above come after 2^31 - 1, not before 0 */
	assert_row(&snap, 0, 0, 4, 0);
	assert_row(&snap, 1, 1, 7, 0);
	assert_row(&snap, 2, 1000, 2, 0);
	assert_row(&snap, 3, 65534, 6, 0);
	assert_row(&snap, 4, 0x7fffffffu, 5, 0);
	assert_row(&snap, 5, 0x80000000u, 1, 0);
	assert_row(&snap, 6, 0xfffffffeu, 8, 0);
	assert_row(&snap, 7, 0xffffffffu, 3, 0);
	snapshot_free(&snap);
}

static void test_sort_by_count(void **state)
{
	static const uint64_t pairs[][2] = {
		{ 5, 10 },
		{ 0xffffffffu, 10 },
		{ 3, 1 },
		{ 0x80000000u, 10 },
		{ 0, 10 },
		{ 7, 0x100000000ull }, /* more than 2^32: compared as 64 bits */
		{ 8, 0xffffffffull },
		{ 2, UINT64_MAX },
		{ 9, 1 },
	};
	struct snapshot snap = { 0 };

	(void)state;
	PUSH_ALL(&snap, pairs);
	counts_sort(&snap, ORDER_BY_COUNT);
	assert_row(&snap, 0, 2, UINT64_MAX, 0);
	assert_row(&snap, 1, 7, 0x100000000ull, 0);
	assert_row(&snap, 2, 8, 0xffffffffull, 0);
	/* ties on count: uid ascending, unsigned */
	assert_row(&snap, 3, 0, 10, 0);
	assert_row(&snap, 4, 5, 10, 0);
	assert_row(&snap, 5, 0x80000000u, 10, 0);
	assert_row(&snap, 6, 0xffffffffu, 10, 0);
	assert_row(&snap, 7, 3, 1, 0);
	assert_row(&snap, 8, 9, 1, 0);
	snapshot_free(&snap);
}

static void test_sort_keeps_row_fields_together(void **state)
{
	struct snapshot snap = { 0 };

	(void)state;
	assert_int_equal(push_uid(&snap, 30, 1), 0);
	assert_int_equal(push_uid(&snap, 10, 3), 0);
	assert_int_equal(push_uid(&snap, 20, 2), 0);
	snap.rows[0].user = "thirty";
	snap.rows[0].delta = 31;
	snap.rows[1].user = "ten";
	snap.rows[1].delta = 11;
	snap.rows[2].user = "twenty";
	snap.rows[2].delta = 21;
	counts_sort(&snap, ORDER_BY_KEY);
	assert_row(&snap, 0, 10, 3, 11);
	assert_string_equal(snap.rows[0].user, "ten");
	assert_row(&snap, 2, 30, 1, 31);
	assert_string_equal(snap.rows[2].user, "thirty");
	counts_sort(&snap, ORDER_BY_COUNT);
	assert_row(&snap, 0, 10, 3, 11);
	assert_row(&snap, 1, 20, 2, 21);
	assert_string_equal(snap.rows[1].user, "twenty");
	assert_row(&snap, 2, 30, 1, 31);
	snapshot_free(&snap);
}

static void test_sort_empty_and_single(void **state)
{
	struct snapshot snap = { 0 };

	(void)state;
	counts_sort(&snap, ORDER_BY_KEY);
	counts_sort(&snap, ORDER_BY_COUNT);
	assert_int_equal(snap.len, 0);
	assert_int_equal(push_uid(&snap, 42, 1), 0);
	counts_sort(&snap, ORDER_BY_COUNT);
	assert_row(&snap, 0, 42, 1, 0);
	snapshot_free(&snap);
}

static void test_delta(void **state)
{
	static const uint64_t prev_pairs[][2] = {
		{ 1, 5 }, { 2, 10 }, { 3, 7 }, { 4, 100 }, { 0x80000000u, 1 },
	};
	static const uint64_t cur_pairs[][2] = {
		{ 0, 4 },  /* new, before every old uid */
		{ 1, 5 },  /* unchanged */
		{ 2, 15 }, /* grew */
		{ 3, 2 },  /* went down: reset under us, counts as new */
		/* 4 is gone */
		{ 0x80000000u, 0x100000001ull }, /* grew past 2^32 */
		{ 0xffffffffu, 9 },		 /* new, after every old uid */
	};
	struct snapshot prev = { 0 }, cur = { 0 };

	(void)state;
	PUSH_ALL(&prev, prev_pairs);
	PUSH_ALL(&cur, cur_pairs);
	for (size_t i = 0; i < cur.len; i++)
		cur.rows[i].delta = 0xdeadbeef; /* stale values are overwritten */
	counts_delta(&cur, &prev);
	assert_int_equal(cur.len, 6);
	assert_row(&cur, 0, 0, 4, 4);
	assert_row(&cur, 1, 1, 5, 0);
	assert_row(&cur, 2, 2, 15, 5);
	assert_row(&cur, 3, 3, 2, 2);
	assert_row(&cur, 4, 0x80000000u, 0x100000001ull, 0x100000000ull);
	assert_row(&cur, 5, 0xffffffffu, 9, 9);
	/* prev is only read */
	assert_int_equal(prev.len, 5);
	assert_row(&prev, 3, 4, 100, 0);
	snapshot_free(&prev);
	snapshot_free(&cur);
}

static void test_delta_interleaved(void **state)
{
	/* uids alternate between the two snapshots, so the merge must step both sides */
	static const uint64_t prev_pairs[][2] = { { 2, 1 }, { 4, 1 }, { 6, 1 }, { 8, 1 } };
	static const uint64_t cur_pairs[][2] = { { 1, 3 }, { 4, 3 }, { 5, 3 }, { 8, 3 }, { 9, 3 } };
	struct snapshot prev = { 0 }, cur = { 0 };

	(void)state;
	PUSH_ALL(&prev, prev_pairs);
	PUSH_ALL(&cur, cur_pairs);
	counts_delta(&cur, &prev);
	assert_row(&cur, 0, 1, 3, 3);
	assert_row(&cur, 1, 4, 3, 2);
	assert_row(&cur, 2, 5, 3, 3);
	assert_row(&cur, 3, 8, 3, 2);
	assert_row(&cur, 4, 9, 3, 3);
	snapshot_free(&prev);
	snapshot_free(&cur);
}

static void test_delta_empty_prev(void **state)
{
	static const uint64_t cur_pairs[][2] = { { 0, 3 },
						 { 1000, 0 },
						 { 0xffffffffu, UINT64_MAX } };
	struct snapshot prev = { 0 }, cur = { 0 };

	(void)state;
	PUSH_ALL(&cur, cur_pairs);
	counts_delta(&cur, &prev);
	assert_row(&cur, 0, 0, 3, 3);
	assert_row(&cur, 1, 1000, 0, 0);
	assert_row(&cur, 2, 0xffffffffu, UINT64_MAX, UINT64_MAX);
	snapshot_free(&cur);
}

static void test_delta_empty_cur(void **state)
{
	static const uint64_t prev_pairs[][2] = { { 0, 3 }, { 1, 4 } };
	struct snapshot prev = { 0 }, cur = { 0 };

	(void)state;
	PUSH_ALL(&prev, prev_pairs);
	counts_delta(&cur, &prev);
	assert_int_equal(cur.len, 0);
	assert_row(&prev, 0, 0, 3, 0);
	assert_row(&prev, 1, 1, 4, 0);
	snapshot_free(&prev);
}

/* The steady state of main's loop: delta against prev, then prev = cur. */
static void test_delta_over_ticks(void **state)
{
	struct snapshot prev = { 0 }, cur = { 0 };

	(void)state;
	assert_int_equal(push_uid(&cur, 0, 2), 0);
	counts_delta(&cur, &prev);
	assert_row(&cur, 0, 0, 2, 2);
	assert_int_equal(snapshot_copy(&prev, &cur), 0);

	cur.len = 0;
	assert_int_equal(push_uid(&cur, 0, 5), 0);
	assert_int_equal(push_uid(&cur, 1000, 1), 0);
	counts_delta(&cur, &prev);
	assert_row(&cur, 0, 0, 5, 3);
	assert_row(&cur, 1, 1000, 1, 1);
	assert_int_equal(snapshot_copy(&prev, &cur), 0);

	cur.len = 0;
	assert_int_equal(push_uid(&cur, 0, 5), 0);
	assert_int_equal(push_uid(&cur, 1000, 4), 0);
	counts_delta(&cur, &prev);
	assert_row(&cur, 0, 0, 5, 0);
	assert_row(&cur, 1, 1000, 4, 3);
	snapshot_free(&prev);
	snapshot_free(&cur);
}

static void test_push_copies_key_and_counts(void **state)
{
	struct snapshot snap = { 0 };
	struct exec_key key = key_of(4294967295u, "bash", "/usr/bin/env", 0x123456789ull);
	struct exec_counts n = { .execve = 3, .execveat = 4, .ok = 5, .failed = 2 };
	const struct count_row *row;

	(void)state;
	assert_int_equal(snapshot_push(&snap, &key, &n), 0);
	row = &snap.rows[0];
	/* count is the attempts of both syscalls */
	assert_int_equal(row->count, 7);
	assert_memory_equal(&row->key, &key, sizeof(key));
	assert_memory_equal(&row->n, &n, sizeof(n));
	assert_int_equal(row->delta, 0);
	assert_null(row->user);
	assert_null(row->cgroup);

	/* a reused buffer: stale names and deltas are cleared on push */
	snap.rows[0].user = "stale";
	snap.rows[0].cgroup = "/stale";
	snap.rows[0].delta = 99;
	snap.len = 0;
	n = (struct exec_counts){ .execve = 1ull << 63, .execveat = (1ull << 63) - 1 };
	assert_int_equal(snapshot_push(&snap, &key, &n), 0);
	assert_true(snap.rows[0].count == UINT64_MAX); /* 64-bit sum */
	assert_int_equal(snap.rows[0].delta, 0);
	assert_null(snap.rows[0].user);
	assert_null(snap.rows[0].cgroup);
	/* the inputs are only read */
	assert_string_equal(key.comm, "bash");
	snapshot_free(&snap);
}

static void test_dropped(void **state)
{
	struct snapshot src = { 0 }, dst = { 0 };

	(void)state;
	src.dropped = 17;
	assert_int_equal(push_uid(&src, 1, 1), 0);
	/* push leaves the dropped count alone */
	assert_int_equal(src.dropped, 17);
	assert_int_equal(snapshot_copy(&dst, &src), 0);
	assert_int_equal(dst.dropped, 17);
	/* copied even when there are no rows */
	src.len = 0;
	src.dropped = UINT64_MAX;
	assert_int_equal(snapshot_copy(&dst, &src), 0);
	assert_int_equal(dst.len, 0);
	assert_true(dst.dropped == UINT64_MAX);
	counts_sort(&dst, ORDER_BY_COUNT);
	assert_true(dst.dropped == UINT64_MAX);
	snapshot_free(&dst);
	assert_int_equal(dst.dropped, 0);
	snapshot_free(&src);
}

static void assert_key(const struct snapshot *snap, size_t i, uint32_t uid, const char *comm,
		       const char *exe, uint64_t cgroup)
{
	const struct exec_key *k;

	assert_true(i < snap->len);
	k = &snap->rows[i].key;
	if (k->uid != uid || strcmp(k->comm, comm) || strcmp(k->exe, exe) || k->cgroup != cgroup)
		print_error("row %zu: got %u \"%s\" \"%s\" %llu, want %u \"%s\" \"%s\" %llu\n", i,
			    k->uid, k->comm, k->exe, (unsigned long long)k->cgroup, uid, comm, exe,
			    (unsigned long long)cgroup);
	assert_int_equal(k->uid, uid);
	assert_string_equal(k->comm, comm);
	assert_string_equal(k->exe, exe);
	assert_true(k->cgroup == cgroup);
}

static void test_sort_by_key_all_fields(void **state)
{
	struct snapshot snap = { 0 };

	(void)state;
	push_key(&snap, 1000, "sh", "/bin/true", 2, 1, 0);
	push_key(&snap, 0, "sh", "/bin/true", 0xffffffffffull, 1, 0);
	push_key(&snap, 1000, "bash", "/bin/true", 2, 1, 0);
	push_key(&snap, 0, "sh", "/bin/true", 1, 1, 0);
	push_key(&snap, 0, "sh", "/bin/false", 9, 1, 0);
	push_key(&snap, 0, "\xff", "", 0, 1, 0);
	push_key(&snap, 0, "", "", 0, 1, 0);
	push_key(&snap, 1000, "sh", "", 2, 1, 0);
	counts_sort(&snap, ORDER_BY_KEY);
	/* uid, then comm, exe, cgroup; strings as unsigned bytes */
	assert_key(&snap, 0, 0, "", "", 0);
	assert_key(&snap, 1, 0, "sh", "/bin/false", 9);
	assert_key(&snap, 2, 0, "sh", "/bin/true", 1);
	assert_key(&snap, 3, 0, "sh", "/bin/true", 0xffffffffffull);
	assert_key(&snap, 4, 0, "\xff", "", 0);
	assert_key(&snap, 5, 1000, "bash", "/bin/true", 2);
	assert_key(&snap, 6, 1000, "sh", "", 2);
	assert_key(&snap, 7, 1000, "sh", "/bin/true", 2);
	for (size_t i = 1; i < snap.len; i++)
		assert_true(key_compare(&snap.rows[i - 1].key, &snap.rows[i].key) < 0);
	snapshot_free(&snap);
}

static void test_sort_by_count_ties_by_whole_key(void **state)
{
	struct snapshot snap = { 0 };

	(void)state;
	/* count = execve + execveat, whichever syscall it was */
	push_key(&snap, 0, "b", "", 0, 0, 4);
	push_key(&snap, 0, "a", "/z", 0, 2, 2);
	push_key(&snap, 0, "a", "/y", 7, 4, 0);
	push_key(&snap, 0, "a", "/y", 3, 1, 3);
	push_key(&snap, 5, "", "", 0, 5, 0);
	push_key(&snap, 0, "zzz", "", 0, 0, 1);
	counts_sort(&snap, ORDER_BY_COUNT);
	assert_key(&snap, 0, 5, "", "", 0);
	assert_int_equal(snap.rows[0].count, 5);
	assert_key(&snap, 1, 0, "a", "/y", 3);
	assert_key(&snap, 2, 0, "a", "/y", 7);
	assert_key(&snap, 3, 0, "a", "/z", 0);
	assert_key(&snap, 4, 0, "b", "", 0);
	for (size_t i = 1; i <= 4; i++)
		assert_int_equal(snap.rows[i].count, 4);
	assert_key(&snap, 5, 0, "zzz", "", 0);
	/* the counters travel with their key */
	assert_int_equal(snap.rows[1].n.execve, 1);
	assert_int_equal(snap.rows[1].n.execveat, 3);
	assert_int_equal(snap.rows[4].n.execveat, 4);
	snapshot_free(&snap);
}

static void test_delta_by_whole_key(void **state)
{
	struct snapshot prev = { 0 }, cur = { 0 };

	(void)state;
	push_key(&prev, 0, "sh", "/a", 1, 5, 0);
	push_key(&prev, 0, "sh", "/b", 1, 3, 0);
	push_key(&prev, 0, "bash", "", 0, 10, 0);
	push_key(&prev, 1000, "sh", "/a", 1, 2, 0);
	counts_sort(&prev, ORDER_BY_KEY);

	push_key(&cur, 0, "sh", "/a", 1, 6, 1);	   /* grew by 2, one of each syscall */
	push_key(&cur, 0, "sh", "/a", 2, 4, 0);	   /* same but for the cgroup: new */
	push_key(&cur, 0, "sh", "/b", 1, 3, 0);	   /* unchanged */
	push_key(&cur, 0, "bash", "/a", 0, 1, 0);  /* same uid and comm, other exe: new */
	push_key(&cur, 1000, "sh", "/a", 1, 1, 0); /* went down: reset, counts as new */
	push_key(&cur, 1000, "sh", "/b", 1, 8, 0); /* other uid's key: new */
	counts_sort(&cur, ORDER_BY_KEY);
	counts_delta(&cur, &prev);

	assert_key(&cur, 0, 0, "bash", "/a", 0);
	assert_int_equal(cur.rows[0].delta, 1);
	assert_key(&cur, 1, 0, "sh", "/a", 1);
	assert_int_equal(cur.rows[1].delta, 2);
	assert_key(&cur, 2, 0, "sh", "/a", 2);
	assert_int_equal(cur.rows[2].delta, 4);
	assert_key(&cur, 3, 0, "sh", "/b", 1);
	assert_int_equal(cur.rows[3].delta, 0);
	assert_key(&cur, 4, 1000, "sh", "/a", 1);
	assert_int_equal(cur.rows[4].delta, 1);
	assert_key(&cur, 5, 1000, "sh", "/b", 1);
	assert_int_equal(cur.rows[5].delta, 8);
	snapshot_free(&prev);
	snapshot_free(&cur);
}

/* main's loop: sort by key, delta, keep a copy, then sort by count for display. */
static void test_delta_survives_display_sort(void **state)
{
	struct snapshot prev = { 0 }, cur = { 0 };

	(void)state;
	push_key(&cur, 0, "a", "", 0, 1, 0);
	push_key(&cur, 0, "b", "", 0, 5, 0);
	counts_sort(&cur, ORDER_BY_KEY);
	counts_delta(&cur, &prev);
	assert_int_equal(snapshot_copy(&prev, &cur), 0);
	counts_sort(&cur, ORDER_BY_COUNT);
	assert_key(&cur, 0, 0, "b", "", 0);

	cur.len = 0;
	push_key(&cur, 0, "b", "", 0, 6, 0);
	push_key(&cur, 0, "a", "", 0, 9, 0);
	counts_sort(&cur, ORDER_BY_KEY);
	counts_delta(&cur, &prev);
	counts_sort(&cur, ORDER_BY_COUNT);
	assert_key(&cur, 0, 0, "a", "", 0);
	assert_int_equal(cur.rows[0].delta, 8);
	assert_key(&cur, 1, 0, "b", "", 0);
	assert_int_equal(cur.rows[1].delta, 1);
	snapshot_free(&prev);
	snapshot_free(&cur);
}

/* ---- issue 4: --sort, every order ---- */

/* The six rows the order tests sort, named A..F (the comm/exe/cgroup fields are chosen so
 * that every order differs from the others and has ties broken by the whole key). */
static const struct {
	char name;
	uint32_t uid;
	const char *comm, *exe;
	uint64_t cgroup;
	struct exec_counts n;
	uint64_t delta;
} order_rows[] = {
	/* name, uid, comm, exe, cgroup, { execve, execveat, ok, failed }, delta */
	{ 'A', 1000, "sh", "/bin/sh", 7, { 5, 0, 4, 1 }, 0 },			    /* count 5 */
	{ 'B', 0, "bash", "/usr/bin/x", 3, { 1, 3, 0, 4 }, 4 },			    /* count 4 */
	{ 'C', 0x80000000u, "\xff", "", 0x8000000000000000ull, { 2, 2, 4, 0 }, 2 }, /* count 4 */
	{ 'D', 5, "a", "/bin/sh", 1, { 0, 1, 1, 0 }, 1 },			    /* count 1 */
	{ 'E', 5, "a", "/a", 1, { 0, 1, 1, 0 }, 1 },				    /* count 1 */
	{ 'F', 0xffffffffu, "", "/z", 2, { 9, 0, 0, 9 }, 9 },			    /* count 9 */
};

#define N_ORDER_ROWS (sizeof(order_rows) / sizeof(order_rows[0]))

/* The rows in the sequence given by idx (a permutation of 0..N_ORDER_ROWS-1). */
static void push_order_rows(struct snapshot *snap, const size_t idx[N_ORDER_ROWS])
{
	for (size_t i = 0; i < N_ORDER_ROWS; i++) {
		size_t k = idx[i];
		struct exec_key key = key_of(order_rows[k].uid, order_rows[k].comm,
					     order_rows[k].exe, order_rows[k].cgroup);

		assert_int_equal(snapshot_push(snap, &key, &order_rows[k].n), 0);
		snap->rows[snap->len - 1].delta = order_rows[k].delta;
	}
}

/* The row names, in the snapshot's order: "FABCED". */
static void row_names(const struct snapshot *snap, char *out)
{
	for (size_t i = 0; i < snap->len; i++) {
		out[i] = '?';
		for (size_t k = 0; k < N_ORDER_ROWS; k++)
			if (snap->rows[i].key.uid == order_rows[k].uid &&
			    strcmp(snap->rows[i].key.comm, order_rows[k].comm) == 0 &&
			    strcmp(snap->rows[i].key.exe, order_rows[k].exe) == 0 &&
			    snap->rows[i].key.cgroup == order_rows[k].cgroup) {
				/* the counters travel with their key */
				assert_memory_equal(&snap->rows[i].n, &order_rows[k].n,
						    sizeof(order_rows[k].n));
				assert_int_equal(snap->rows[i].delta, order_rows[k].delta);
				out[i] = order_rows[k].name;
			}
	}
	out[snap->len] = '\0';
}

static void test_sort_every_order(void **state)
{
	static const struct {
		enum count_order order;
		const char *want;
	} cases[] = {
		/* numbers descending, ties by key (uid, comm, exe, cgroup ascending) */
		{ ORDER_BY_COUNT, "FABCED" },
		{ ORDER_BY_OK, "ACEDBF" },
		{ ORDER_BY_FAILED, "FBAEDC" },
		{ ORDER_BY_DELTA, "FBCEDA" },
		{ ORDER_BY_EXECVE, "FACBED" },
		{ ORDER_BY_EXECVEAT, "BCEDAF" },
		/* key fields ascending (uids and cgroup ids unsigned, strings as unsigned bytes),
		 * ties by the whole key */
		{ ORDER_BY(FIELD_UID), "BEDACF" },
		{ ORDER_BY(FIELD_COMM), "FEDBAC" },
		{ ORDER_BY(FIELD_EXE), "CEDABF" },
		{ ORDER_BY(FIELD_CGROUP), "EDFBAC" },
		{ ORDER_BY_KEY, "BEDACF" },
	};
	/* qsort is not stable: the result must not depend on the input order */
	static const size_t perms[][N_ORDER_ROWS] = {
		{ 0, 1, 2, 3, 4, 5 }, { 5, 4, 3, 2, 1, 0 }, { 3, 4, 0, 5, 2, 1 },
		{ 4, 3, 1, 2, 5, 0 }, { 2, 0, 4, 1, 3, 5 },
	};
	char got[N_ORDER_ROWS + 1];

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t p = 0; p < sizeof(perms) / sizeof(perms[0]); p++) {
			struct snapshot snap = { 0 };

			push_order_rows(&snap, perms[p]);
			snap.dropped = 11;
			counts_sort(&snap, cases[c].order);
			row_names(&snap, got);
			if (strcmp(got, cases[c].want) != 0)
				print_error("order %d, permutation %zu: got %s, want %s\n",
					    cases[c].order, p, got, cases[c].want);
			assert_string_equal(got, cases[c].want);
			assert_int_equal(snap.len, N_ORDER_ROWS);
			assert_int_equal(snap.dropped, 11);
			snapshot_free(&snap);
		}
	}
}

/* Each number is compared as 64 bits, descending; equal numbers by key. */
static void test_sort_numbers_64_bit(void **state)
{
	static const enum count_order orders[] = {
		ORDER_BY_COUNT, ORDER_BY_OK,	 ORDER_BY_FAILED,
		ORDER_BY_DELTA, ORDER_BY_EXECVE, ORDER_BY_EXECVEAT,
	};
	/* (uid, value) pushed in this order; want: the uids after sorting */
	static const uint64_t values[][2] = {
		{ 10, 1 }, { 11, 0xffffffffull },	  { 12, UINT64_MAX },
		{ 13, 0 }, { 14, 0x100000000ull },	  { 15, 0x8000000000000000ull },
		{ 9, 1 },  { 16, 0x7fffffffffffffffull },
	};
	static const uint32_t want[] = { 12, 15, 16, 14, 11, 9, 10, 13 };

	(void)state;
	for (size_t o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
		struct snapshot snap = { 0 };

		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
			struct exec_key key = key_of((uint32_t)values[i][0], "c", "/e", 1);
			struct exec_counts n = { 0 };
			uint64_t v = values[i][1];

			switch (orders[o]) {
			case ORDER_BY_COUNT:
			case ORDER_BY_EXECVE:
				n.execve = v;
				break;
			case ORDER_BY_EXECVEAT:
				n.execveat = v;
				break;
			case ORDER_BY_OK:
				n.ok = v;
				break;
			case ORDER_BY_FAILED:
				n.failed = v;
				break;
			default:
				break;
			}
			/* the other numbers run the other way, so only the asked one can order */
			if (orders[o] != ORDER_BY_OK)
				n.ok = UINT64_MAX - v;
			if (orders[o] != ORDER_BY_FAILED)
				n.failed = v ^ 0x5555;
			assert_int_equal(snapshot_push(&snap, &key, &n), 0);
			snap.rows[snap.len - 1].delta = orders[o] == ORDER_BY_DELTA ? v : ~v;
		}
		counts_sort(&snap, orders[o]);
		for (size_t i = 0; i < snap.len; i++) {
			if (snap.rows[i].key.uid != want[i])
				print_error("order %d row %zu: uid %u, want %u\n", orders[o], i,
					    snap.rows[i].key.uid, want[i]);
			assert_int_equal(snap.rows[i].key.uid, want[i]);
		}
		snapshot_free(&snap);
	}
}

static void test_count_order_parse(void **state)
{
	static const struct {
		const char *name;
		int order;
	} cases[] = {
		{ "count", ORDER_BY_COUNT },
		{ "ok", ORDER_BY_OK },
		{ "failed", ORDER_BY_FAILED },
		{ "delta", ORDER_BY_DELTA },
		{ "execve", ORDER_BY_EXECVE },
		{ "execveat", ORDER_BY_EXECVEAT },
		{ "uid", ORDER_BY(FIELD_UID) },
		{ "comm", ORDER_BY(FIELD_COMM) },
		{ "exe", ORDER_BY(FIELD_EXE) },
		{ "cgroup", ORDER_BY(FIELD_CGROUP) },
		/* no name for the internal key order, nothing loose */
		{ "key", -1 },
		{ "", -1 },
		{ "COUNT", -1 },
		{ "count ", -1 },
		{ " ok", -1 },
		{ "co", -1 },
		{ "counts", -1 },
		{ "execveat2", -1 },
		{ "user", -1 },
		{ "cgroup_id", -1 },
		{ "ok,failed", -1 },
		{ "0", -1 },
		{ "1", -1 },
		{ "\xff", -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (count_order_parse(cases[i].name) != cases[i].order)
			print_error("\"%s\": got %d, want %d\n", cases[i].name,
				    count_order_parse(cases[i].name), cases[i].order);
		assert_int_equal(count_order_parse(cases[i].name), cases[i].order);
	}
}

/* Rows whose decoded keys are equal (raw bytes differed after a NUL) merge, counters summed. */
static void test_merge_equal_keys(void **state)
{
	struct snapshot snap = { 0 };

	(void)state;
	push_key(&snap, 7, "sh", "/bin/a", 0, 1, 2);
	push_key(&snap, 7, "sh", "/bin/a", 0, 10, 20);
	push_key(&snap, 7, "sh", "/bin/b", 0, 100, 0);
	push_key(&snap, 7, "sh", "/bin/a", 0, 1000, 0);
	push_key(&snap, 8, "sh", "/bin/a", 0, 5, 0);
	counts_sort(&snap, ORDER_BY_KEY);
	counts_merge(&snap);
	assert_int_equal(snap.len, 3);
	assert_string_equal(snap.rows[0].key.exe, "/bin/a");
	assert_int_equal(snap.rows[0].key.uid, 7);
	assert_int_equal(snap.rows[0].n.execve, 1011);
	assert_int_equal(snap.rows[0].n.execveat, 22);
	assert_int_equal(snap.rows[0].count, 1033);
	assert_string_equal(snap.rows[1].key.exe, "/bin/b");
	assert_int_equal(snap.rows[1].count, 100);
	assert_int_equal(snap.rows[2].key.uid, 8);
	assert_int_equal(snap.rows[2].count, 5);
	/* nothing to merge: unchanged */
	counts_merge(&snap);
	assert_int_equal(snap.len, 3);
	snapshot_free(&snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_equal_keys),
		cmocka_unit_test(test_push_grows),
		cmocka_unit_test(test_copy_reuses_capacity),
		cmocka_unit_test(test_copy_empty_into_empty),
		cmocka_unit_test(test_sort_by_key_uid),
		cmocka_unit_test(test_sort_by_count),
		cmocka_unit_test(test_sort_keeps_row_fields_together),
		cmocka_unit_test(test_sort_empty_and_single),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_delta_interleaved),
		cmocka_unit_test(test_delta_empty_prev),
		cmocka_unit_test(test_delta_empty_cur),
		cmocka_unit_test(test_delta_over_ticks),
		cmocka_unit_test(test_push_copies_key_and_counts),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_sort_by_key_all_fields),
		cmocka_unit_test(test_sort_by_count_ties_by_whole_key),
		cmocka_unit_test(test_delta_by_whole_key),
		cmocka_unit_test(test_delta_survives_display_sort),
		cmocka_unit_test(test_sort_every_order),
		cmocka_unit_test(test_sort_numbers_64_bit),
		cmocka_unit_test(test_count_order_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
