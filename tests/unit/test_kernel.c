// SPDX-License-Identifier: GPL-2.0
/*
 * test_kernel.c - the pure parts of kernel.c: the execve symbol picked from
 * kallsyms text as bcc picks it, the kernel headers search by
 * BCC_KERNEL_SOURCE over trees built in a scratch directory, and the CPU
 * list parser behind the per-CPU table's value count, and the oldest
 * kernel release accepted.
 */
#include "unit.h"

#include <sys/utsname.h>

#include "kernel.h"

/* syscall_fnname("execve") over kallsyms given as a string. */
static int fnname_len(const char *kallsyms, const char *name, char *out, size_t len)
{
	char *copy = strdup(kallsyms);
	FILE *f;
	int rc;

	assert_non_null(copy);
	f = fmemopen(copy, strlen(copy), "r");
	assert_non_null(f);
	rc = syscall_fnname(f, name, out, len);
	fclose(f);
	free(copy);
	return rc;
}

/* The answer for execve, or the error as text. */
static void assert_execve_fn(const char *kallsyms, const char *want)
{
	char out[128] = "untouched";
	int rc = fnname_len(kallsyms, "execve", out, sizeof(out));

	if (rc != 0 || strcmp(out, want) != 0)
		print_error("rc %d out \"%s\", want \"%s\"\n", rc, out, want);
	assert_int_equal(rc, 0);
	assert_string_equal(out, want);
}

static void assert_execve_fails(const char *kallsyms, int want_rc)
{
	char out[128] = "untouched";

	assert_int_equal(fnname_len(kallsyms, "execve", out, sizeof(out)), want_rc);
	/* nothing written on failure */
	assert_string_equal(out, "untouched");
}

/* A slice of a real x86_64 /proc/kallsyms. */
static const char x86_64[] = "ffffffff81000000 T startup_64\n"
			     "ffffffff812c4f20 T __do_sys_execve\n"
			     "ffffffff812c4f70 T __x64_sys_execveat\n"
			     "ffffffff812c4fd0 T __x64_sys_execve\n"
			     "ffffffff812c5030 T __ia32_sys_execve\n"
			     "ffffffff812c5090 T __ia32_compat_sys_execve\n"
			     "ffffffff8120c8e0 T __sys_bpf\n"
			     "ffffffff8120e6a0 T __x64_sys_bpf\n"
			     "ffffffff8120e6c0 T __ia32_sys_bpf\n"
			     "ffffffff82000000 D sys_call_table\n";

static void test_fnname_x86_64(void **state)
{
	(void)state;
	assert_execve_fn(x86_64, "__x64_sys_execve");
}

static void test_fnname_plain_sys(void **state)
{
	(void)state;
	/* an older kernel, or one without syscall wrappers */
	assert_execve_fn("c0100000 T sys_execve\n"
			 "c0200000 T sys_bpf\n",
			 "sys_execve");
}

static void test_fnname_sys_prefix_first(void **state)
{
	(void)state;
	/* bcc tries "sys_" before "__x64_sys_", whatever order the file has */
	assert_execve_fn("ffffffff8120e6a0 T __x64_sys_bpf\n"
			 "ffffffff812c4fd0 T __x64_sys_execve\n"
			 "ffffffff81200000 T sys_bpf\n"
			 "ffffffff81200100 T sys_execve\n",
			 "sys_execve");
	assert_execve_fn("ffffffff81200000 T sys_bpf\n"
			 "ffffffff81200100 T sys_execve\n"
			 "ffffffff8120e6a0 T __x64_sys_bpf\n"
			 "ffffffff812c4fd0 T __x64_sys_execve\n",
			 "sys_execve");
	/* so with sys_bpf present the answer is sys_<name> or nothing */
	assert_execve_fails("ffffffff8120e6a0 T __x64_sys_bpf\n"
			    "ffffffff812c4fd0 T __x64_sys_execve\n"
			    "ffffffff81200000 T sys_bpf\n",
			    -ENOENT);
}

static void test_fnname_arm64_s390(void **state)
{
	(void)state;
	assert_execve_fn("ffff800008010000 T __arm64_sys_execveat\n"
			 "ffff800008010100 T __arm64_sys_execve\n"
			 "ffff800008020000 T __arm64_sys_bpf\n",
			 "__arm64_sys_execve");
	assert_execve_fn("0000000000100000 T __s390x_sys_bpf\n"
			 "0000000000100100 T __s390x_sys_execve\n",
			 "__s390x_sys_execve");
	/* the first prefix in bcc's list wins: __x32_compat_sys_ before __ia32_compat_sys_ */
	assert_execve_fn("0 T __ia32_compat_sys_bpf\n"
			 "0 T __ia32_compat_sys_execve\n"
			 "0 T __x32_compat_sys_bpf\n"
			 "0 T __x32_compat_sys_execve\n",
			 "__x32_compat_sys_execve");
	assert_execve_fn("0 T __x32_compat_sys_bpf\n"
			 "0 T __x32_compat_sys_execve\n"
			 "0 T __ia32_compat_sys_bpf\n"
			 "0 T __ia32_compat_sys_execve\n",
			 "__x32_compat_sys_execve");
}

static void test_fnname_module_suffix_and_tabs(void **state)
{
	(void)state;
	/* module symbols end in "\t[module]"; lowercase types; no newline at the end */
	assert_execve_fn("ffffffffc0001000 t __x64_sys_bpf\t[fake_bpf]\n"
			 "ffffffffc0002000 t __x64_sys_execve\t[fake_exec]",
			 "__x64_sys_execve");
	/* the suffix is not part of the name */
	assert_execve_fails("ffffffffc0001000 t __x64_sys_bpf\t[m]\n"
			    "ffffffffc0002000 t __x64_sys_execve_helper\t[m]\n",
			    -ENOENT);
}

static void test_fnname_ignores_junk_lines(void **state)
{
	(void)state;
	assert_execve_fn("\n"
			 "garbage\n"
			 "only two\n"
			 "ffffffff8120e6a0 T __x64_sys_bpf\n"
			 "\n"
			 "ffffffff812c4fd0 T __x64_sys_execve\n",
			 "__x64_sys_execve");
}

static void test_fnname_no_bpf(void **state)
{
	(void)state;
	assert_execve_fails("", -ENOENT);
	assert_execve_fails("ffffffff812c4fd0 T __x64_sys_execve\n"
			    "ffffffff8120c8e0 T __sys_bpf\n"
			    "ffffffff8120c8e0 T __x64_sys_bpf_prog\n"
			    "ffffffff8120c8e0 T bpf\n",
			    -ENOENT);
}

static void test_fnname_no_execve(void **state)
{
	(void)state;
	/* near misses only: execveat, the inner __do_sys_, another prefix's */
	assert_execve_fails("ffffffff8120e6a0 T __x64_sys_bpf\n"
			    "ffffffff812c4f70 T __x64_sys_execveat\n"
			    "ffffffff812c4f20 T __do_sys_execve\n"
			    "ffffffff812c5030 T __ia32_sys_execve\n"
			    "ffffffff812c5030 T __se_sys_execve\n",
			    -ENOENT);
}

static void test_fnname_other_syscall(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(fnname_len(x86_64, "execveat", out, sizeof(out)), 0);
	assert_string_equal(out, "__x64_sys_execveat");
	assert_int_equal(fnname_len(x86_64, "bpf", out, sizeof(out)), 0);
	assert_string_equal(out, "__x64_sys_bpf");
	assert_int_equal(fnname_len(x86_64, "openat", out, sizeof(out)), -ENOENT);
}

static void test_fnname_small_buffer(void **state)
{
	char out[32];

	(void)state;
	/* "__x64_sys_execve" is 16 characters: 17 bytes fit, 16 do not */
	assert_int_equal(fnname_len(x86_64, "execve", out, 17), 0);
	assert_string_equal(out, "__x64_sys_execve");
	strcpy(out, "untouched");
	assert_int_equal(fnname_len(x86_64, "execve", out, 16), -ENAMETOOLONG);
	assert_string_equal(out, "untouched");
	assert_int_equal(fnname_len(x86_64, "execve", out, 1), -ENAMETOOLONG);
	assert_string_equal(out, "untouched");
}

/* ---- kernel_headers_find ---- */

static void make_tree(const char *dir, bool kconfig, bool autoconf)
{
	static const char kconfig_h[] = "/* kconfig.h */\n";
	static const char autoconf_h[] = "#define CONFIG_BPF 1\n";

	if (kconfig)
		write_file(dir, "include/linux/kconfig.h", kconfig_h, sizeof(kconfig_h) - 1);
	if (autoconf)
		write_file(dir, "include/generated/autoconf.h", autoconf_h, sizeof(autoconf_h) - 1);
}

static int unset_env(void **state)
{
	(void)state;
	unsetenv("BCC_KERNEL_SOURCE");
	return 0;
}

static void test_headers_complete_tree(void **state)
{
	struct headers_info info;
	struct utsname un;
	char dir[PATH_MAX];

	(void)state;
	tmpdir_make(dir);
	make_tree(dir, true, true);
	assert_int_equal(setenv("BCC_KERNEL_SOURCE", dir, 1), 0);
	memset(&info, 0x5a, sizeof(info));
	assert_int_equal(kernel_headers_find(&info), 0);
	assert_true(info.from_env);
	assert_string_equal(info.path, dir);
	assert_string_equal(info.missing, "");
	assert_int_equal(uname(&un), 0);
	assert_string_equal(info.release, un.release);
	unsetenv("BCC_KERNEL_SOURCE");
	tmpdir_remove(dir);
}

static void assert_headers_missing(const char *dir, const char *rel)
{
	struct headers_info info;
	char want[PATH_MAX + 64];

	assert_int_equal(setenv("BCC_KERNEL_SOURCE", dir, 1), 0);
	assert_int_equal(kernel_headers_find(&info), -ENOENT);
	assert_true(info.from_env);
	assert_string_equal(info.path, dir);
	snprintf(want, sizeof(want), "%s/%s", dir, rel);
	assert_string_equal(info.missing, want);
	unsetenv("BCC_KERNEL_SOURCE");
}

static void test_headers_missing_autoconf(void **state)
{
	char dir[PATH_MAX];

	(void)state;
	tmpdir_make(dir);
	make_tree(dir, true, false);
	assert_headers_missing(dir, "include/generated/autoconf.h");
	tmpdir_remove(dir);
}

static void test_headers_missing_kconfig(void **state)
{
	char dir[PATH_MAX];

	(void)state;
	tmpdir_make(dir);
	make_tree(dir, false, true);
	assert_headers_missing(dir, "include/linux/kconfig.h");
	tmpdir_remove(dir);
}

static void mkdir_in(const char *dir, const char *rel)
{
	char path[PATH_MAX];

	assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) < sizeof(path));
	assert_int_equal(mkdir(path, 0755), 0);
}

static void test_headers_empty_and_missing_dirs(void **state)
{
	char dir[PATH_MAX];

	(void)state;
	tmpdir_make(dir);
	/* nothing at all: the first file checked is named */
	assert_headers_missing(dir, "include/linux/kconfig.h");
	/* a directory where the header should be is not a header */
	make_tree(dir, true, false);
	mkdir_in(dir, "include/generated");
	mkdir_in(dir, "include/generated/autoconf.h");
	assert_headers_missing(dir, "include/generated/autoconf.h");
	tmpdir_remove(dir);
	/* the directory itself is gone */
	assert_headers_missing(dir, "include/linux/kconfig.h");
}

static void test_headers_empty_env_ignored(void **state)
{
	struct headers_info info;

	(void)state;
	/* an empty BCC_KERNEL_SOURCE is not a choice: the system search runs */
	assert_int_equal(setenv("BCC_KERNEL_SOURCE", "", 1), 0);
	kernel_headers_find(&info);
	assert_false(info.from_env);
	unsetenv("BCC_KERNEL_SOURCE");
}

static void test_cpu_list_good(void **state)
{
	static const struct {
		const char *list;
		int want;
	} cases[] = {
		{ "0", 1 },
		{ "0\n", 1 }, /* as read from sysfs */
		{ "0-0", 1 },
		{ "0-3", 4 },
		{ "0-3\n", 4 },
		{ "0-3,8,10-11", 7 },
		{ "0-3,8,10-11\n", 7 },
		{ "5", 1 },
		{ "1,3,5,7", 4 },
		{ "0-127", 128 },
		{ "0-8191", 8192 },
		{ "007", 1 },
		/* the most it takes: 65536 */
		{ "0-65535", 65536 },
		{ "0-32767,32768-65535", 65536 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = cpu_list_count(cases[i].list);

		if (got != cases[i].want)
			print_error("cpu_list_count(\"%s\") = %d, want %d\n", cases[i].list, got,
				    cases[i].want);
		assert_int_equal(got, cases[i].want);
	}
}

static void test_cpu_list_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		" 0",
		"0 ",
		"0\n\n",
		"0\n1",
		"-1",
		"+1",
		"0-",
		"0-\n",
		"-",
		"3-1",
		"0,",
		",0",
		"0,,1",
		"0-1-2",
		"0x1",
		"a",
		"0-a",
		"1;2",
		"0\t",
		"0-65536",
		"0-65535,65536",
		"0-4294967295",
		"0-18446744073709551615",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int got = cpu_list_count(bad[i]);

		if (got != -EINVAL)
			print_error("cpu_list_count(\"%s\") = %d, want -EINVAL\n", bad[i], got);
		assert_int_equal(got, -EINVAL);
	}
}

static void test_possible_cpus(void **state)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int n;

	(void)state;
	if (access("/sys/devices/system/cpu/possible", R_OK) != 0) {
		print_message("skipped: no /sys/devices/system/cpu/possible\n");
		skip();
	}
	n = kernel_possible_cpus();
	/* every online CPU is a possible one */
	assert_true(n >= 1);
	if (online > 0)
		assert_true(n >= online);
}

static void assert_release(const char *release, int want, unsigned int major, unsigned int minor)
{
	unsigned int got_major = 0, got_minor = 0;

	assert_int_equal(kernel_release_check(release, &got_major, &got_minor), want);
	if (want != -EINVAL) {
		assert_int_equal(got_major, major);
		assert_int_equal(got_minor, minor);
	}
}

static void test_release_supported(void **state)
{
	(void)state;
	assert_release("5.7.0", 0, 5, 7);
	assert_release("5.10.0-32-amd64", 0, 5, 10);
	assert_release("6.1.0-57-amd64", 0, 6, 1);
	assert_release("6.12.117+deb13-amd64", 0, 6, 12);
	assert_release("6.18.44-fc-v1045", 0, 6, 18);
	assert_release("10.0", 0, 10, 0);
	assert_release("6.2-rc1", 0, 6, 2);
}

static void test_release_too_old(void **state)
{
	(void)state;
	assert_release("5.6.19", -EOPNOTSUPP, 5, 6);
	assert_release("5.4.0-150-generic", -EOPNOTSUPP, 5, 4);
	assert_release("4.19.0-27-amd64", -EOPNOTSUPP, 4, 19);
	assert_release("3.10.0-1160.el7.x86_64", -EOPNOTSUPP, 3, 10);
	assert_release("4.99", -EOPNOTSUPP, 4, 99);
}

static void test_release_unreadable(void **state)
{
	(void)state;
	assert_release("", -EINVAL, 0, 0);
	assert_release("6", -EINVAL, 0, 0);
	assert_release("6.", -EINVAL, 0, 0);
	assert_release("v6.1", -EINVAL, 0, 0);
	assert_release("6-1", -EINVAL, 0, 0);
	assert_release(".1", -EINVAL, 0, 0);
	assert_release("6.x", -EINVAL, 0, 0);
	assert_release("99999999999999999999.1", -EINVAL, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_supported),
		cmocka_unit_test(test_release_too_old),
		cmocka_unit_test(test_release_unreadable),
		cmocka_unit_test(test_fnname_x86_64),
		cmocka_unit_test(test_fnname_plain_sys),
		cmocka_unit_test(test_fnname_sys_prefix_first),
		cmocka_unit_test(test_fnname_arm64_s390),
		cmocka_unit_test(test_fnname_module_suffix_and_tabs),
		cmocka_unit_test(test_fnname_ignores_junk_lines),
		cmocka_unit_test(test_fnname_no_bpf),
		cmocka_unit_test(test_fnname_no_execve),
		cmocka_unit_test(test_fnname_other_syscall),
		cmocka_unit_test(test_fnname_small_buffer),
		cmocka_unit_test(test_cpu_list_good),
		cmocka_unit_test(test_cpu_list_bad),
		cmocka_unit_test(test_possible_cpus),
		cmocka_unit_test_teardown(test_headers_complete_tree, unset_env),
		cmocka_unit_test_teardown(test_headers_missing_autoconf, unset_env),
		cmocka_unit_test_teardown(test_headers_missing_kconfig, unset_env),
		cmocka_unit_test_teardown(test_headers_empty_and_missing_dirs, unset_env),
		cmocka_unit_test_teardown(test_headers_empty_env_ignored, unset_env),
	};

	return cmocka_run_group_tests(tests, NULL, unset_env);
}
