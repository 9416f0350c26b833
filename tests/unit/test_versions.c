// SPDX-License-Identifier: GPL-2.0
/*
 * test_versions.c - which LLVM libbcc loaded, read from a maps stream; and
 * --doctor's report: one well-formed line per check and a verdict that
 * matches the lines (the checks themselves read this machine).
 */
#include "unit.h"

#include <regex.h>

#include "doctor.h"
#include "versions.h"

static int llvm_of(const char *maps, char *lib, char *major)
{
	FILE *f = fmemopen((void *)maps, strlen(maps), "r");
	int err;

	assert_non_null(f);
	err = llvm_from_maps(f, lib, 64, major, 8);
	fclose(f);
	return err;
}

static void test_llvm_debian(void **state)
{
	char lib[64], major[8];

	(void)state;
	assert_int_equal(
		llvm_of("7f00-7f01 r--p 00000000 08:01 1 /usr/lib/x86_64-linux-gnu/libbcc.so.0.26.0\n"
			"7f02-7f03 r--p 00000000 08:01 2 /usr/lib/x86_64-linux-gnu/libLLVM-14.so.1\n"
			"7f04-7f05 r--p 00000000 08:01 3 /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1\n",
			lib, major),
		0);
	assert_string_equal(lib, "libLLVM-14.so.1");
	assert_string_equal(major, "14");
}

static void test_llvm_other_names(void **state)
{
	char lib[64], major[8];

	(void)state;
	/* Fedora-style: libLLVM.so.19.1 */
	assert_int_equal(llvm_of("1-2 r-xp 0 0:0 1 /usr/lib64/libLLVM.so.19.1\n", lib, major), 0);
	assert_string_equal(major, "19");
	/* no LLVM, or a name without a version: not found */
	assert_int_equal(llvm_of("1-2 r-xp 0 0:0 1 /usr/lib/libc.so.6\n[heap]\n", lib, major),
			 -ENOENT);
	assert_int_equal(llvm_of("1-2 r-xp 0 0:0 1 /opt/libLLVM.so\n", lib, major), -ENOENT);
	assert_int_equal(llvm_of("", lib, major), -ENOENT);
}

/* Every line: "<ok|warn|fail> <check>: <detail>[ -- <hint>]"; the verdict counts the fails. */
static void test_doctor_report(void **state)
{
	struct capture c;
	regex_t re;
	char *text, *line, *save = NULL;
	int failed, fails = 0, lines = 0, hooks = 0;
	const char *verdict = NULL;

	(void)state;
	assert_int_equal(regcomp(&re, "^(ok  |warn|fail) [a-zA-Z0-9_ ]+: [^ ].*$", REG_EXTENDED),
			 0);
	capture_open(&c);
	failed = doctor_run(c.f, "0.26.0", "/nonexistent/bcc-execcount-cache");
	text = strdup(capture_text(&c));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "bcc-execcount ", 14) == 0) {
			verdict = line;
			continue;
		}
		if (regexec(&re, line, 0, NULL, 0) != 0)
			fail_msg("not a check line: \"%s\"", line);
		if (lines == 0 && strncmp(line + 5, "kernel: Linux ", 14) != 0)
			fail_msg("the first check is not the kernel's version: \"%s\"", line);
		lines++;
		fails += strncmp(line, "fail", 4) == 0;
		/* what a run with the defaults attaches: after sched_process_exec, before BTF */
		hooks += lines == 9 && strncmp(line + 5, "hooks: ", 7) == 0;
	}
	assert_int_equal(lines, 14); /* kernel, privileges ... cache */
	assert_int_equal(hooks, 1);
	assert_int_equal(fails, failed);
	assert_non_null(verdict);
	if (failed)
		assert_non_null(strstr(verdict, "cannot run here"));
	else
		assert_string_equal(verdict, "bcc-execcount can run here");
	free(text);
	capture_close(&c);
	regfree(&re);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_llvm_debian),
		cmocka_unit_test(test_llvm_other_names),
		cmocka_unit_test(test_doctor_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
