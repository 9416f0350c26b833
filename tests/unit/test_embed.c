// SPDX-License-Identifier: GPL-2.0
/*
 * test_embed.c - the probe embedded at build time (cmake/embed_file.cmake) is
 * probes/execcount.bpf.c byte for byte, NUL-terminated, with its display name.
 */
#include "unit.h"

#ifndef PROBE_FILE
#error "PROBE_FILE must name probes/execcount.bpf.c (tests/unit/CMakeLists.txt sets it)"
#endif

extern const char execcount_probe[];
extern const unsigned long execcount_probe_len;
extern const char execcount_probe_name[];

static void test_same_bytes_as_file(void **state)
{
	size_t len;
	char *file = slurp(PROBE_FILE, &len);

	(void)state;
	assert_true(len > 0);
	assert_int_equal(execcount_probe_len, len);
	assert_memory_equal(execcount_probe, file, len);
	free(file);
}

static void test_nul_terminated_text(void **state)
{
	(void)state;
	/* one NUL, just past the end: usable as a C string of the full length */
	assert_int_equal(execcount_probe[execcount_probe_len], '\0');
	assert_int_equal(strlen(execcount_probe), execcount_probe_len);
	/* the file's own last byte, not a padding one */
	assert_int_equal(execcount_probe[execcount_probe_len - 1], '\n');
	assert_int_equal(strncmp(execcount_probe, "// SPDX-License-Identifier:", 27), 0);
}

static void test_display_name(void **state)
{
	(void)state;
	assert_string_equal(execcount_probe_name, "probes/execcount.bpf.c");
	/* the name is the file's path relative to the project */
	assert_true(strlen(PROBE_FILE) > strlen(execcount_probe_name));
	assert_string_equal(PROBE_FILE + strlen(PROBE_FILE) - strlen(execcount_probe_name),
			    execcount_probe_name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_bytes_as_file),
		cmocka_unit_test(test_nul_terminated_text),
		cmocka_unit_test(test_display_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
