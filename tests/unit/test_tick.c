// SPDX-License-Identifier: GPL-2.0
/*
 * test_tick.c - one interval's counts: rows read in the kernel's order put
 * in key order and merged once, deltas across ticks (a reset counter counts
 * as new), views in several orders that leave the tick's snapshot alone and
 * are sorted once per tick, names resolved once per row and tick, for the
 * rows shown, classic's busiest in key order, and the dropped count said
 * once.
 */
#include "unit.h"

#include "tick.h"

static int namings;

static void namer(void *ctx, struct count_row *row)
{
	(void)ctx;
	namings++;
	row->user = row->key.uid == 0 ? "root" : "someone";
}

/* One kernel row: uid and attempts (all execve, all ok). */
static void read_row(struct tick *t, uint32_t uid, uint64_t n)
{
	struct exec_key key = { .uid = uid };
	struct exec_counts c = { .execve = n, .ok = n };

	assert_int_equal(snapshot_push(tick_reading(t), &key, &c), 0);
}

static void start_read(struct tick *t)
{
	tick_reading(t)->len = 0;
}

static void test_merge_and_deltas(void **state)
{
	struct tick t;
	const struct view *v;

	(void)state;
	tick_init(&t, NULL, NULL);
	/* the kernel's order, and two rows of one key (bytes past a NUL) */
	read_row(&t, 7, 5);
	read_row(&t, 3, 1);
	read_row(&t, 7, 2);
	assert_int_equal(tick_advance(&t, 0), 0);
	assert_int_equal(t.cur.len, 2);
	assert_int_equal(t.cur.rows[0].key.uid, 3);
	assert_int_equal(t.cur.rows[1].count, 7);
	assert_int_equal(t.cur.rows[1].delta, 7);
	/* next interval: 7 grew by 3, 3 was reset under us (counts as new), 9 is new */
	start_read(&t);
	read_row(&t, 9, 4);
	read_row(&t, 7, 10);
	read_row(&t, 3, 0);
	assert_int_equal(tick_advance(&t, 0), 0);
	v = tick_view(&t, ORDER_BY_KEY, 0);
	assert_non_null(v);
	assert_int_equal(v->len, 3);
	assert_int_equal(view_row(v, 0)->delta, 0);
	assert_int_equal(view_row(v, 1)->delta, 3);
	assert_int_equal(view_row(v, 2)->delta, 4);
	/* a third interval: against the second (the buffers swap, the first is gone) */
	start_read(&t);
	read_row(&t, 7, 10);
	read_row(&t, 9, 6);
	read_row(&t, 3, 0);
	assert_int_equal(tick_advance(&t, 0), 0);
	v = tick_view(&t, ORDER_BY_KEY, 0);
	assert_int_equal(v->len, 3);
	assert_int_equal(view_row(v, 0)->delta, 0);
	assert_int_equal(view_row(v, 1)->delta, 0);
	assert_int_equal(view_row(v, 2)->delta, 2);
	/* a view copies nothing: its rows are the tick's */
	assert_ptr_equal(view_row(v, 1), &t.cur.rows[1]);
	tick_free(&t);
}

static void test_views(void **state)
{
	struct tick t;
	const struct view *by_count, *again, *by_uid;

	(void)state;
	namings = 0;
	tick_init(&t, namer, NULL);
	read_row(&t, 5, 1);
	read_row(&t, 0, 30);
	read_row(&t, 2, 20);
	read_row(&t, 9, 20);
	assert_int_equal(tick_advance(&t, 0), 0);
	by_count = tick_view(&t, ORDER_BY_COUNT, 2);
	assert_non_null(by_count);
	assert_int_equal(by_count->len, 4);
	assert_int_equal(view_row(by_count, 0)->key.uid, 0);
	assert_int_equal(view_row(by_count, 1)->key.uid, 2); /* a tie: by key */
	assert_int_equal(view_row(by_count, 2)->key.uid, 9);
	assert_int_equal(view_row(by_count, 3)->key.uid, 5);
	/* the first top named, the rest not */
	assert_string_equal(view_row(by_count, 0)->user, "root");
	assert_string_equal(view_row(by_count, 1)->user, "someone");
	assert_null(view_row(by_count, 2)->user);
	assert_int_equal(namings, 2);
	/* the tick's own snapshot still by key */
	for (size_t i = 1; i < t.cur.len; i++)
		assert_true(t.cur.rows[i - 1].key.uid < t.cur.rows[i].key.uid);
	/* the same order again: sorted once (the same pointers), named rows not named twice */
	struct count_row **sorted = t.order[ORDER_BY_COUNT];

	again = tick_view(&t, ORDER_BY_COUNT, 0);
	assert_ptr_equal(again, by_count);
	assert_ptr_equal(t.order[ORDER_BY_COUNT], sorted);
	assert_int_equal(namings, 4);
	by_uid = tick_view(&t, ORDER_BY(FIELD_UID), 0);
	assert_int_equal(view_row(by_uid, 0)->key.uid, 0);
	assert_int_equal(view_row(by_uid, 3)->key.uid, 9);
	assert_string_equal(view_row(by_uid, 3)->user, "someone");
	assert_int_equal(namings, 4);
	/* the next tick names again, and sorts again */
	start_read(&t);
	read_row(&t, 5, 100);
	assert_int_equal(tick_advance(&t, 0), 0);
	by_count = tick_view(&t, ORDER_BY_COUNT, 0);
	assert_int_equal(by_count->len, 1);
	assert_int_equal(view_row(by_count, 0)->delta, 99);
	assert_int_equal(namings, 5);
	tick_free(&t);
}

static void test_classic(void **state)
{
	struct tick t;
	const struct view *v;

	(void)state;
	namings = 0;
	tick_init(&t, namer, NULL);
	read_row(&t, 40, 1);
	read_row(&t, 30, 9);
	read_row(&t, 20, 2);
	read_row(&t, 10, 8);
	assert_int_equal(tick_advance(&t, 0), 0);
	/* the two busiest (30, 10), in uid order */
	v = tick_view_classic(&t, 2);
	assert_int_equal(v->len, 2);
	assert_int_equal(view_row(v, 0)->key.uid, 10);
	assert_int_equal(view_row(v, 1)->key.uid, 30);
	/* all of them: uid order */
	v = tick_view_classic(&t, 0);
	assert_int_equal(v->len, 4);
	assert_int_equal(view_row(v, 0)->key.uid, 10);
	assert_int_equal(view_row(v, 3)->key.uid, 40);
	assert_int_equal(namings, 0); /* bare uids */
	tick_free(&t);
}

static void test_dropped_and_empty(void **state)
{
	struct tick t;
	const struct view *v;

	(void)state;
	tick_init(&t, NULL, NULL);
	/* before any row: views are empty, not an error */
	v = tick_view(&t, ORDER_BY_COUNT, 0);
	assert_non_null(v);
	assert_int_equal(v->len, 0);
	tick_reading(&t)->dropped = 5;
	assert_int_equal(tick_advance(&t, 0), 0);
	assert_int_equal(tick_dropped_news(&t), 5);
	assert_int_equal(tick_dropped_news(&t), 0);
	start_read(&t);
	tick_reading(&t)->dropped = 12;
	assert_int_equal(tick_advance(&t, 0), 0);
	assert_int_equal(tick_dropped_news(&t), 7);
	assert_int_equal(tick_view(&t, ORDER_BY_KEY, 0)->dropped, 12);
	tick_free(&t);
}

/* A view says the time its deltas cover: since the tick before (a stall: longer than an interval). */
static void test_seconds(void **state)
{
	struct tick t;

	(void)state;
	tick_init(&t, NULL, NULL);
	read_row(&t, 1, 1);
	assert_int_equal(tick_advance(&t, 5000000000u), 0);
	assert_true(tick_view(&t, ORDER_BY_KEY, 0)->seconds == 0); /* the first: unknown */
	start_read(&t);
	read_row(&t, 1, 2);
	assert_int_equal(tick_advance(&t, 25500000000u), 0);
	assert_true(tick_view(&t, ORDER_BY_COUNT, 0)->seconds == 20.5);
	tick_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_and_deltas), cmocka_unit_test(test_views),
		cmocka_unit_test(test_classic),		 cmocka_unit_test(test_dropped_and_empty),
		cmocka_unit_test(test_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
