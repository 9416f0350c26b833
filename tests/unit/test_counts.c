// SPDX-License-Identifier: GPL-2.0
/*
 * test_counts.c - snapshots: growth, copy without reallocation (rows and the
 * dropped count), count = execve + execveat, the two sort orders (by the
 * whole key: full 32-bit uids, comm, exe, 64-bit cgroup ids; by 64-bit
 * counts, ties by key) and deltas between snapshots matched by whole key.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
