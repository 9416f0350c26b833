// SPDX-License-Identifier: GPL-2.0
/*
 * test_text.c - text for a terminal: UTF-8 sequences, and a block cut to the
 * screen (a 20x3 terminal showed two bare numbers: the lines wrapped and
 * pushed the header off, issue 14 item 9).
 */
#include "unit.h"

#include "text.h"

static char *fit(const char *in, unsigned int cols, unsigned int rows)
{
	static char buf[512];
	size_t len = strlen(in);

	assert_true(len < sizeof(buf));
	memcpy(buf, in, len + 1);
	len = text_fit_screen(buf, len, cols, rows);
	assert_int_equal(strlen(buf), len);
	return buf;
}

static void test_fit_cuts_lines_and_rows(void **state)
{
	(void)state;
	/* wide enough: unchanged */
	assert_string_equal(fit("ab\ncd\n", 10, 10), "ab\ncd\n");
	/* each line to its first 3 characters */
	assert_string_equal(fit("abcdef\nxy\n", 3, 10), "abc\nxy\n");
	/* 2 rows: the second line kept without its newline, the rest gone */
	assert_string_equal(fit("one\ntwo\nthree\n", 10, 2), "one\ntwo");
	assert_string_equal(fit("one\ntwo\n", 10, 2), "one\ntwo");
	assert_string_equal(fit("one\n", 10, 1), "one");
	/* no room at all */
	assert_string_equal(fit("one\n", 10, 0), "");
	assert_string_equal(fit("one\n", 0, 2), "\n");
}

static void test_fit_counts_characters_not_bytes(void **state)
{
	(void)state;
	/* the clear and home sequences take no column */
	assert_string_equal(fit("\033[H\033[2Jheader line\n", 6, 5), "\033[H\033[2Jheader\n");
	/* a UTF-8 character is one column, kept whole */
	assert_string_equal(fit("\xc3\xa9t\xc3\xa9 x\n", 3, 5), "\xc3\xa9t\xc3\xa9\n");
	/* an invalid byte is one column */
	assert_string_equal(fit("\xff\xfe"
				"abc\n",
				3, 5),
			    "\xff\xfe"
			    "a\n");
}

static void test_fit_20x3(void **state)
{
	const char *block =
		"\033[H\033[2Jbcc-execcount - 01:40:30  tracepoint  every 1 s  execs: 7\n"
		"\n"
		"UID      USER     COUNT\n"
		"1000     alice        7\n";

	(void)state;
	assert_string_equal(fit(block, 20, 3),
			    "\033[H\033[2Jbcc-execcount - 01:4\n\nUID      USER     CO");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_cuts_lines_and_rows),
		cmocka_unit_test(test_fit_counts_characters_not_bytes),
		cmocka_unit_test(test_fit_20x3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
