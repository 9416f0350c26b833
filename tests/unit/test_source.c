// SPDX-License-Identifier: GPL-2.0
/*
 * test_source.c - the probe's text: a --probe file read whole and checked
 * (every refusal with its errno and one log line naming the file), and the
 * built-in copy.
 */
#include "unit.h"

#include "log.h"
#include "source.h"

extern const char execcount_probe[];
extern const unsigned long execcount_probe_len;

static char scratch[PATH_MAX];
static struct capture log_out;

static int group_setup(void **state)
{
	(void)state;
	tmpdir_make(scratch);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tmpdir_remove(scratch);
	return 0;
}

/* Each test starts with an empty log that it can read. */
static int log_to_memory(void **state)
{
	(void)state;
	capture_open(&log_out);
	log_setup(log_out.f, false);
	return 0;
}

static int log_to_stderr(void **state)
{
	(void)state;
	log_setup(NULL, false);
	capture_close(&log_out);
	return 0;
}

static void path_in(char *path, const char *name)
{
	assert_true((size_t)snprintf(path, PATH_MAX, "%s/%s", scratch, name) < PATH_MAX);
}

/* source_read() succeeds and returns exactly data. */
static void assert_reads(const char *path, const char *data, size_t len)
{
	struct probe_source src;

	assert_int_equal(source_read(&src, path), 0);
	assert_non_null(src.text);
	assert_int_equal(src.len, len);
	assert_memory_equal(src.text, data, len);
	assert_int_equal(src.text[len], '\0');
	assert_string_equal(src.name, path);
	assert_ptr_equal(src.owned, src.text);
	source_free(&src);
	assert_null(src.owned);
	/* nothing logged on success */
	assert_string_equal(capture_text(&log_out), "");
}

/* source_read() fails with want_rc, logs one line naming path and saying why. */
static void assert_refused(const char *path, int want_rc, const char *why)
{
	struct probe_source src;
	const char *logged;

	memset(&src, 0x5a, sizeof(src));
	assert_int_equal(source_read(&src, path), want_rc);
	/* nothing half-filled, and freeing it is harmless */
	assert_null(src.text);
	assert_null(src.owned);
	assert_int_equal(src.len, 0);
	source_free(&src);

	logged = capture_text(&log_out);
	if (count_lines(logged) != 1 || !strstr(logged, path) || !strstr(logged, why))
		print_error("log: %s", logged);
	assert_int_equal(count_lines(logged), 1);
	assert_int_equal(logged[strlen(logged) - 1], '\n');
	assert_int_equal(strncmp(logged, "bcc-execcount: ", 15), 0);
	assert_non_null(strstr(logged, path));
	assert_non_null(strstr(logged, why));
}

static void test_read_good_file(void **state)
{
	static const char text[] = "// SPDX-License-Identifier: GPL-2.0\n"
				   "int x = 1; /* caf\xc3\xa9 */\r\n"
				   "#define MAX_KEYS 1\n";
	char path[PATH_MAX];

	(void)state;
	path_in(path, "good.bpf.c");
	write_file(scratch, "good.bpf.c", text, sizeof(text) - 1);
	assert_reads(path, text, sizeof(text) - 1);
}

static void test_read_no_trailing_newline_and_symlink(void **state)
{
	char path[PATH_MAX], alias[PATH_MAX];

	(void)state;
	path_in(path, "short.c");
	write_file(scratch, "short.c", "x", 1);
	assert_reads(path, "x", 1);
	path_in(alias, "link.c");
	assert_int_equal(symlink(path, alias), 0);
	assert_reads(alias, "x", 1);
}

static void test_read_empty_file(void **state)
{
	char path[PATH_MAX];

	(void)state;
	path_in(path, "empty.c");
	write_file(scratch, "empty.c", "", 0);
	assert_reads(path, "", 0);
}

static void test_read_exactly_max_bytes(void **state)
{
	char path[PATH_MAX];
	char *big = malloc(SOURCE_MAX_BYTES);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', SOURCE_MAX_BYTES);
	big[SOURCE_MAX_BYTES - 1] = '\n';
	path_in(path, "max.c");
	write_file(scratch, "max.c", big, SOURCE_MAX_BYTES);
	assert_reads(path, big, SOURCE_MAX_BYTES);
	free(big);
}

static void test_refuse_missing(void **state)
{
	char path[PATH_MAX];

	(void)state;
	path_in(path, "does-not-exist.c");
	assert_refused(path, -ENOENT, strerror(ENOENT));
}

static void test_refuse_directory(void **state)
{
	char path[PATH_MAX];

	(void)state;
	path_in(path, "a-directory");
	assert_int_equal(mkdir(path, 0755), 0);
	assert_refused(path, -EISDIR, "not a regular file");
}

static void test_refuse_device(void **state)
{
	(void)state;
	assert_refused("/dev/null", -ENODEV, "not a regular file");
}

static void test_refuse_fifo(void **state)
{
	char path[PATH_MAX];

	(void)state;
	path_in(path, "fifo.c");
	assert_int_equal(mkfifo(path, 0644), 0);
	/* a FIFO with no writer must be refused at once, not waited on: fail rather than hang */
	alarm(10);
	assert_refused(path, -ENODEV, "not a regular file");
	alarm(0);
}

static void test_refuse_nul_byte(void **state)
{
	static const char text[] = "int a;\0int b;\n";
	char path[PATH_MAX];

	(void)state;
	path_in(path, "nul.c");
	write_file(scratch, "nul.c", text, sizeof(text) - 1);
	assert_refused(path, -EINVAL, "NUL");
}

static void test_refuse_too_large(void **state)
{
	char path[PATH_MAX];
	int fd;

	(void)state;
	path_in(path, "huge.c");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, SOURCE_MAX_BYTES + 1), 0);
	assert_int_equal(close(fd), 0);
	assert_refused(path, -EFBIG, "1048577 bytes");
}

/* uid and gid of "nobody": an unprivileged identity root can borrow */
#define NOBODY 65534

static void test_refuse_unreadable(void **state)
{
	struct probe_source src;
	char path[PATH_MAX];
	int rc;

	(void)state;
	path_in(path, "secret.c");
	write_file(scratch, "secret.c", "int x;\n", 7);
	assert_int_equal(chmod(path, 0), 0);
	if (geteuid() == 0) {
		/*
		 * Root reads mode 000 files anyway: read as nobody instead, with the
		 * directory searchable so it is the file that refuses.  No assertion
		 * runs while the identity is borrowed.
		 */
		assert_int_equal(chmod(scratch, 0711), 0);
		assert_int_equal(setegid(NOBODY), 0);
		assert_int_equal(seteuid(NOBODY), 0);
		rc = source_read(&src, path);
		if (seteuid(0) || setegid(0))
			abort(); /* the rest of the run would be wrong */
		assert_int_equal(chmod(scratch, 0700), 0);
		assert_int_equal(rc, -EACCES);
		assert_null(src.text);
		assert_non_null(strstr(capture_text(&log_out), strerror(EACCES)));
		assert_non_null(strstr(capture_text(&log_out), path));
		assert_int_equal(count_lines(capture_text(&log_out)), 1);
		return;
	}
	assert_refused(path, -EACCES, strerror(EACCES));
}

static void test_builtin(void **state)
{
	struct probe_source src;

	(void)state;
	source_builtin(&src);
	assert_ptr_equal(src.text, execcount_probe);
	assert_int_equal(src.len, execcount_probe_len);
	assert_true(src.len > 0);
	assert_int_equal(strlen(src.text), src.len);
	assert_string_equal(src.name, "probes/execcount.bpf.c");
	assert_null(src.owned);
	/* what the contract, and the integration tests that edit the probe, rely on */
	assert_non_null(strstr(src.text, "__sync_fetch_and_add(counter, 1);"));
	assert_non_null(strstr(src.text, "\tu64 execveat_failed;\n"));
	assert_non_null(strstr(src.text, "ok ? &value->execveat_ok : &value->execveat_failed"));
	assert_non_null(strstr(src.text, "__sync_fetch_and_add(&me->entries, 1);"));
	assert_non_null(strstr(src.text, "\tu32 uid; /* real uid"));
	assert_non_null(strstr(src.text, "u32 tid = ctx->old_pid;"));
	assert_non_null(strstr(src.text, "\tif (!call)\n\t\treturn 0;\n\tcount_call("));
	assert_non_null(strstr(src.text, "int execve_kprobe("));
	assert_non_null(strstr(src.text, "int execve_tracepoint("));
	assert_non_null(strstr(src.text, "BPF_PERCPU_HASH(counts, struct execcount_key, "
					 "struct execcount_value, EXECCOUNT_MAX_KEYS);"));
	/* freeing the built-in copy frees nothing */
	source_free(&src);
	assert_ptr_equal(src.text, execcount_probe);
	assert_string_equal(capture_text(&log_out), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_good_file, log_to_memory, log_to_stderr),
		cmocka_unit_test_setup_teardown(test_read_no_trailing_newline_and_symlink,
						log_to_memory, log_to_stderr),
		cmocka_unit_test_setup_teardown(test_read_empty_file, log_to_memory, log_to_stderr),
		cmocka_unit_test_setup_teardown(test_read_exactly_max_bytes, log_to_memory,
						log_to_stderr),
		cmocka_unit_test_setup_teardown(test_refuse_missing, log_to_memory, log_to_stderr),
		cmocka_unit_test_setup_teardown(test_refuse_directory, log_to_memory,
						log_to_stderr),
		cmocka_unit_test_setup_teardown(test_refuse_device, log_to_memory, log_to_stderr),
		cmocka_unit_test_setup_teardown(test_refuse_fifo, log_to_memory, log_to_stderr),
		cmocka_unit_test_setup_teardown(test_refuse_nul_byte, log_to_memory, log_to_stderr),
		cmocka_unit_test_setup_teardown(test_refuse_too_large, log_to_memory,
						log_to_stderr),
		cmocka_unit_test_setup_teardown(test_refuse_unreadable, log_to_memory,
						log_to_stderr),
		cmocka_unit_test_setup_teardown(test_builtin, log_to_memory, log_to_stderr),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
