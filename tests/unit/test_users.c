// SPDX-License-Identifier: GPL-2.0
/*
 * test_users.c - the uid -> name cache (on idmap): one lookup per uid, misses
 * remembered (-ENOENT, and -ESRCH/-EBADF/-EPERM, getpwuid_r's other ways of
 * saying so), passing failures retried, answers right and the same pointers
 * whatever the order of the uids.
 */
#include "unit.h"

#include "users.h"

/* What the fake lookup was asked. */
static struct {
	unsigned calls;
	uint32_t last_uid;
	unsigned eio_left; /* uid 500 fails with -EIO this many more times */
} fake;

/*
 * uid 0 root, 1000 alice, 404 and 405: no such user, 500: -EIO while
 * fake.eio_left > 0 then "flaky", 600: a name too long for the buffer,
 * 701/702/703: -ESRCH/-EBADF/-EPERM, anything else: "u<uid>".
 */
static int fake_lookup(uint32_t uid, char *buf, size_t len)
{
	int n;

	fake.calls++;
	fake.last_uid = uid;
	switch (uid) {
	case 404:
	case 405:
		return -ENOENT;
	case 500:
		if (fake.eio_left) {
			fake.eio_left--;
			return -EIO;
		}
		n = snprintf(buf, len, "flaky");
		break;
	case 600:
		return -ENAMETOOLONG;
	/* getpwuid_r(3) may say "no such user" with these too */
	case 701:
		return -ESRCH;
	case 702:
		return -EBADF;
	case 703:
		return -EPERM;
	case 0:
		n = snprintf(buf, len, "root");
		break;
	case 1000:
		n = snprintf(buf, len, "alice");
		break;
	default:
		n = snprintf(buf, len, "u%u", uid);
		break;
	}
	assert_true(n > 0 && (size_t)n < len);
	return 0;
}

static int reset_fake(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	return 0;
}

static void test_same_uid_one_lookup(void **state)
{
	struct user_names *names = user_names_new(fake_lookup);
	const char *first, *second;

	(void)state;
	assert_non_null(names);
	first = user_names_get(names, 1000);
	assert_string_equal(first, "alice");
	assert_int_equal(fake.calls, 1);
	assert_int_equal(fake.last_uid, 1000);
	second = user_names_get(names, 1000);
	assert_int_equal(fake.calls, 1);
	/* the remembered string itself, not a fresh copy */
	assert_ptr_equal(first, second);

	assert_string_equal(user_names_get(names, 0), "root");
	assert_int_equal(fake.calls, 2);
	assert_string_equal(user_names_get(names, 0), "root");
	assert_string_equal(user_names_get(names, 1000), "alice");
	assert_int_equal(fake.calls, 2);
	user_names_free(names);
}

static void test_miss_remembered(void **state)
{
	struct user_names *names = user_names_new(fake_lookup);

	(void)state;
	assert_non_null(names);
	assert_null(user_names_get(names, 404));
	assert_int_equal(fake.calls, 1);
	assert_null(user_names_get(names, 404));
	assert_null(user_names_get(names, 404));
	assert_int_equal(fake.calls, 1);
	/* a miss does not shadow its neighbours */
	assert_null(user_names_get(names, 405));
	assert_int_equal(fake.calls, 2);
	assert_string_equal(user_names_get(names, 403), "u403");
	assert_string_equal(user_names_get(names, 406), "u406");
	assert_int_equal(fake.calls, 4);
	assert_null(user_names_get(names, 404));
	assert_null(user_names_get(names, 405));
	assert_int_equal(fake.calls, 4);
	user_names_free(names);
}

static void test_no_such_user_errnos_remembered(void **state)
{
	struct user_names *names = user_names_new(fake_lookup);

	(void)state;
	assert_non_null(names);
	for (uint32_t uid = 701; uid <= 703; uid++) {
		unsigned calls = fake.calls;

		assert_null(user_names_get(names, uid));
		assert_int_equal(fake.calls, calls + 1);
		/* an answer ("no such user"), so not asked again */
		assert_null(user_names_get(names, uid));
		assert_int_equal(fake.calls, calls + 1);
	}
	user_names_free(names);
}

static void test_transient_error_retried(void **state)
{
	struct user_names *names = user_names_new(fake_lookup);

	(void)state;
	assert_non_null(names);
	fake.eio_left = 2;
	assert_null(user_names_get(names, 500));
	assert_int_equal(fake.calls, 1);
	assert_null(user_names_get(names, 500));
	assert_int_equal(fake.calls, 2);
	/* NSS is back: the name is found, then remembered */
	assert_string_equal(user_names_get(names, 500), "flaky");
	assert_int_equal(fake.calls, 3);
	assert_string_equal(user_names_get(names, 500), "flaky");
	assert_int_equal(fake.calls, 3);

	/* any error but -ENOENT is not an answer either */
	assert_null(user_names_get(names, 600));
	assert_null(user_names_get(names, 600));
	assert_int_equal(fake.calls, 5);
	user_names_free(names);
}

/* A deterministic shuffle of uids: small, ordinary, >= 2^31 and the extremes. */
#define N_UIDS 700

static void make_uids(uint32_t *uids)
{
	uint64_t x = 88172645463325252ull;

	for (size_t i = 0; i < N_UIDS; i++)
		uids[i] = (uint32_t)(i * 6151u + 1); /* distinct */
	uids[0] = 0;
	uids[1] = 0xffffffffu;
	uids[2] = 0x80000000u;
	uids[3] = 0x7fffffffu;
	uids[4] = 1000;
	for (size_t i = N_UIDS - 1; i > 0; i--) {
		size_t j;
		uint32_t t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = x % (i + 1);
		t = uids[i];
		uids[i] = uids[j];
		uids[j] = t;
	}
}

static const char *expected_name(uint32_t uid, char *buf, size_t len)
{
	if (uid == 0)
		return "root";
	if (uid == 1000)
		return "alice";
	snprintf(buf, len, "u%u", uid);
	return buf;
}

static void test_many_uids_any_order(void **state)
{
	struct user_names *names = user_names_new(fake_lookup);
	static uint32_t uids[N_UIDS];
	const char *first_answer[N_UIDS];
	char want[32];

	(void)state;
	assert_non_null(names);
	make_uids(uids);
	for (size_t i = 0; i < N_UIDS; i++) {
		first_answer[i] = user_names_get(names, uids[i]);
		assert_non_null(first_answer[i]);
		assert_string_equal(first_answer[i], expected_name(uids[i], want, sizeof(want)));
		assert_int_equal(fake.calls, i + 1);
		assert_int_equal(fake.last_uid, uids[i]);
	}
	/* again, backwards: every answer from the cache, the same pointer, still intact */
	for (size_t i = N_UIDS; i-- > 0;) {
		const char *name = user_names_get(names, uids[i]);

		assert_ptr_equal(name, first_answer[i]);
		assert_string_equal(name, expected_name(uids[i], want, sizeof(want)));
	}
	assert_int_equal(fake.calls, N_UIDS);
	/* a uid between cached ones is still looked up */
	assert_null(user_names_get(names, 404));
	assert_int_equal(fake.calls, N_UIDS + 1);
	user_names_free(names);
}

static void test_ascending_and_descending_inserts(void **state)
{
	struct user_names *names = user_names_new(fake_lookup);
	char want[32];

	(void)state;
	assert_non_null(names);
	/* descending inserts always land at the front, ascending at the back */
	for (uint32_t uid = 3000; uid > 2000; uid -= 7)
		assert_non_null(user_names_get(names, uid));
	for (uint32_t uid = 5000; uid < 6000; uid += 7)
		assert_non_null(user_names_get(names, uid));
	for (uint32_t uid = 3000; uid > 2000; uid -= 7)
		assert_string_equal(user_names_get(names, uid), expected_name(uid, want, 32));
	for (uint32_t uid = 5000; uid < 6000; uid += 7)
		assert_string_equal(user_names_get(names, uid), expected_name(uid, want, 32));
	assert_int_equal(fake.calls, 143 + 143);
	user_names_free(names);
}

static void test_free_null(void **state)
{
	(void)state;
	user_names_free(NULL);
}

static void test_passwd_root(void **state)
{
	struct user_names *names = user_names_new(NULL);
	const char *root;

	(void)state;
	assert_non_null(names);
	root = user_names_get(names, 0);
	assert_non_null(root);
	assert_string_equal(root, "root");
	assert_ptr_equal(user_names_get(names, 0), root);
	user_names_free(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_same_uid_one_lookup, reset_fake),
		cmocka_unit_test_setup(test_miss_remembered, reset_fake),
		cmocka_unit_test_setup(test_no_such_user_errnos_remembered, reset_fake),
		cmocka_unit_test_setup(test_transient_error_retried, reset_fake),
		cmocka_unit_test_setup(test_many_uids_any_order, reset_fake),
		cmocka_unit_test_setup(test_ascending_and_descending_inserts, reset_fake),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_passwd_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
