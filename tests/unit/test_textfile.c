// SPDX-License-Identifier: GPL-2.0
/*
 * test_textfile.c - --textfile: textfile_check() at start (a missing
 * directory, a file where the directory should be, a directory that cannot be
 * written (a read-only bind mount when run as root, mode 0555 otherwise), a
 * path that is a directory; each with its one message) and textfile_write():
 * the content exact, mode 0644 whatever the umask, the old file replaced by a
 * rename (a new inode; a reader of the old one keeps it), the temporary file
 * hidden in the same directory and never left behind (seen with inotify), a
 * symlink planted at the path replaced and its target untouched, and a
 * directory that disappeared, a failing write or a path that became a
 * directory each giving an error and leaving nothing.
 */
#include "unit.h"

#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "log.h"
#include "textfile.h"

struct fixture {
	char dir[PATH_MAX];
	struct capture log; /* what log_msg() said */
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	tmpdir_make(fx->dir);
	capture_open(&fx->log);
	log_setup(fx->log.f, false);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	log_setup(NULL, false);
	capture_close(&fx->log);
	/* a test may leave the directory read-only for others: make it removable */
	chmod(fx->dir, 0700);
	tmpdir_remove(fx->dir);
	free(fx);
	return 0;
}

/* fx->dir/rel into buf. */
static const char *in_dir(const struct fixture *fx, const char *rel, char *buf)
{
	assert_true((size_t)snprintf(buf, PATH_MAX, "%s/%s", fx->dir, rel) < PATH_MAX);
	return buf;
}

/* What the log says, then forget it. */
static void assert_logged(struct fixture *fx, const char *want)
{
	const char *got = capture_text(&fx->log);

	if (strcmp(got, want) != 0)
		print_error("log: got \"%s\", want \"%s\"\n", got, want);
	assert_string_equal(got, want);
	capture_close(&fx->log);
	capture_open(&fx->log);
	log_setup(fx->log.f, false);
}

/* ---- textfile_check ---- */

static void test_check_ok(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], other[PATH_MAX], cwd[PATH_MAX];

	/* absent: it will be created */
	assert_int_equal(textfile_check(in_dir(fx, "execcount.prom", path)), 0);
	/* present: it will be replaced */
	write_file(fx->dir, "old.prom", "x", 1);
	assert_int_equal(textfile_check(in_dir(fx, "old.prom", path)), 0);
	/* a symlink (even to a directory, or dangling) is replaced, never followed */
	assert_int_equal(mkdir(in_dir(fx, "d", other), 0755), 0);
	assert_int_equal(symlink(other, in_dir(fx, "link.prom", path)), 0);
	assert_int_equal(textfile_check(path), 0);
	assert_int_equal(symlink("/nonexistent/x", in_dir(fx, "dangling.prom", path)), 0);
	assert_int_equal(textfile_check(path), 0);
	/* a directory reached through a symlink is a directory */
	assert_int_equal(symlink(other, in_dir(fx, "dlink", path)), 0);
	assert_int_equal(textfile_check(in_dir(fx, "dlink/x.prom", path)), 0);
	/* relative: the current directory */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(fx->dir), 0);
	assert_int_equal(textfile_check("rel.prom"), 0);
	assert_int_equal(textfile_check("d/rel.prom"), 0);
	assert_int_equal(chdir(cwd), 0);
	/* nothing said, nothing created */
	assert_logged(fx, "");
	assert_listing(fx->dir, "d|dangling.prom|dlink|link.prom|old.prom");
	assert_listing(other, "");
}

static void test_check_missing_dir(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], want[3 * PATH_MAX];

	in_dir(fx, "nope/x.prom", path);
	assert_int_equal(textfile_check(path), -ENOENT);
	snprintf(want, sizeof(want),
		 "bcc-execcount: --textfile %s: its directory %s/nope: No such file or directory\n",
		 path, fx->dir);
	assert_logged(fx, want);
	/* deeper */
	in_dir(fx, "a/b/c/x.prom", path);
	assert_int_equal(textfile_check(path), -ENOENT);
	snprintf(
		want, sizeof(want),
		"bcc-execcount: --textfile %s: its directory %s/a/b/c: No such file or directory\n",
		path, fx->dir);
	assert_logged(fx, want);
	/* a dangling symlink as the directory */
	assert_int_equal(symlink("/nonexistent", in_dir(fx, "gone", path)), 0);
	in_dir(fx, "gone/x.prom", path);
	assert_int_equal(textfile_check(path), -ENOENT);
	assert_listing(fx->dir, "gone");
}

static void test_check_file_as_dir(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], want[3 * PATH_MAX];

	write_file(fx->dir, "file", "data", 4);
	in_dir(fx, "file/x.prom", path);
	assert_int_equal(textfile_check(path), -ENOTDIR);
	snprintf(want, sizeof(want),
		 "bcc-execcount: --textfile %s: its directory %s/file: Not a directory\n", path,
		 fx->dir);
	assert_logged(fx, want);
	/* untouched */
	assert_content(in_dir(fx, "file", path), "data", 4);
}

static void test_check_path_is_dir(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], want[3 * PATH_MAX];

	assert_int_equal(mkdir(in_dir(fx, "x.prom", path), 0755), 0);
	assert_int_equal(textfile_check(path), -EISDIR);
	snprintf(want, sizeof(want), "bcc-execcount: --textfile %s: is a directory\n", path);
	assert_logged(fx, want);
	/* a name ending in '/' names a directory, whatever is there */
	in_dir(fx, "y/", path);
	assert_int_equal(textfile_check(path), -EISDIR);
	snprintf(want, sizeof(want),
		 "bcc-execcount: --textfile %s: names a directory, not a file\n", path);
	assert_logged(fx, want);
	assert_int_equal(textfile_check("/"), -EISDIR);
	assert_logged(fx, "bcc-execcount: --textfile /: names a directory, not a file\n");
}

static void test_check_too_long(void **state)
{
	struct fixture *fx = *state;
	char *path = malloc(PATH_MAX + 64);
	size_t at;

	assert_non_null(path);
	at = snprintf(path, PATH_MAX + 64, "%s/", fx->dir);
	memset(path + at, 'a', PATH_MAX + 10 - at);
	strcpy(path + PATH_MAX + 10, ".prom");
	assert_int_equal(textfile_check(path), -ENAMETOOLONG);
	assert_non_null(strstr(capture_text(&fx->log), ": File name too long\n"));
	assert_int_equal(textfile_write(path, "x", 1), -ENAMETOOLONG);
	assert_listing(fx->dir, "");
	free(path);
}

/* A valid file name whose temporary name (".NAME.XXXXXX") is too long: refused at the check. */
static void test_check_temp_name_too_long(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX];
	size_t at;
	FILE *f;

	at = snprintf(path, sizeof(path), "%s/", fx->dir);
	memset(path + at, 'a', 245);
	strcpy(path + at + 245, ".prom"); /* 250 bytes: NAME_MAX is 255 */
	assert_int_equal(textfile_check(path), -ENAMETOOLONG);
	assert_non_null(strstr(capture_text(&fx->log), ": File name too long\n"));
	/* the name itself would do */
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	unlink(path);
	assert_listing(fx->dir, "");
}

/* In a child with its own mount namespace: dir bind-mounted read-only onto itself. */
static void check_read_only_bind(const char *dir)
{
	char path[PATH_MAX];
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int rc;

		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount(dir, dir, NULL, MS_BIND, NULL) ||
		    mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL))
			_exit(77);
		snprintf(path, sizeof(path), "%s/x.prom", dir);
		rc = textfile_check(path);
		/* and a write fails the same way, leaving nothing */
		if (rc == -EROFS && textfile_write(path, "x", 1) == -EROFS)
			_exit(0);
		_exit(1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		print_message("skipped: no mount namespace here (%s) for a read-only bind mount\n",
			      strerror(EPERM));
		return;
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_check_not_writable(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], sub[PATH_MAX], want[3 * PATH_MAX];

	assert_int_equal(mkdir(in_dir(fx, "ro", sub), 0755), 0);
	if (geteuid() == 0) {
		/*
		 * Root passes every permission check (CAP_DAC_OVERRIDE), so mode 0555 proves
		 * nothing; a read-only mount does stop root.  The child's messages go to
		 * its own copy of the log stream; the exit status carries the result.
		 */
		check_read_only_bind(sub);
		/* as root, 0555 is writable: the check agrees with what a write would do */
		assert_int_equal(chmod(sub, 0555), 0);
		assert_int_equal(textfile_check(in_dir(fx, "ro/x.prom", path)), 0);
		assert_int_equal(textfile_write(path, "ok\n", 3), 0);
		assert_content(path, "ok\n", 3);
		assert_int_equal(unlink(path), 0);
		assert_int_equal(chmod(sub, 0755), 0);
		assert_logged(fx, "");
		return;
	}
	assert_int_equal(chmod(sub, 0555), 0);
	in_dir(fx, "ro/x.prom", path);
	assert_int_equal(textfile_check(path), -EACCES);
	snprintf(want, sizeof(want),
		 "bcc-execcount: --textfile %s: cannot create files in %s: Permission denied\n",
		 path, sub);
	assert_logged(fx, want);
	assert_int_equal(textfile_write(path, "x", 1), -EACCES);
	/* search permission is needed too */
	assert_int_equal(chmod(sub, 0600), 0);
	assert_int_equal(textfile_check(path), -EACCES);
	assert_int_equal(chmod(sub, 0755), 0);
	assert_listing(sub, "");
}

/* ---- textfile_write ---- */

static void test_write_content_and_mode(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX];
	static const char page[] = "# HELP a x\n# TYPE a gauge\na 1\n";
	char big[200000];
	struct stat st;
	mode_t old = umask(077);

	in_dir(fx, "x.prom", path);
	assert_int_equal(textfile_write(path, page, strlen(page)), 0);
	assert_content(path, page, strlen(page));
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* readable by node_exporter whatever our umask */
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_listing(fx->dir, "x.prom");

	/* replaced, not appended to; shorter content leaves no tail */
	assert_int_equal(textfile_write(path, "b 2\n", 4), 0);
	assert_content(path, "b 2\n", 4);
	/* any bytes, NULs too, and more than one write() may take */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	assert_int_equal(textfile_write(path, big, sizeof(big)), 0);
	assert_content(path, big, sizeof(big));
	/* empty */
	assert_int_equal(textfile_write(path, "", 0), 0);
	assert_content(path, "", 0);
	umask(0);
	assert_int_equal(textfile_write(path, "c\n", 2), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	umask(old);
	assert_listing(fx->dir, "x.prom");
	assert_logged(fx, "");
}

static void test_write_replaces_by_rename(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX];
	struct stat before, after;
	char buf[16];
	int fd;

	in_dir(fx, "x.prom", path);
	assert_int_equal(textfile_write(path, "first\n", 6), 0);
	assert_int_equal(stat(path, &before), 0);
	/* a reader in the middle of the old file (node_exporter) keeps reading it whole */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(textfile_write(path, "second\n", 7), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_true(before.st_ino != after.st_ino);
	assert_int_equal(read(fd, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "first\n", 6);
	close(fd);
	assert_content(path, "second\n", 7);
	/* a hard link to the old file is not written through either */
	{
		char keep[PATH_MAX];

		assert_int_equal(link(path, in_dir(fx, "keep", keep)), 0);
		assert_int_equal(textfile_write(path, "third\n", 6), 0);
		assert_content(keep, "second\n", 7);
	}
	assert_content(path, "third\n", 6);
	assert_listing(fx->dir, "keep|x.prom");
}

/* The inotify events of dir while fn runs, as "CREATE name|MOVED_FROM name|..." */
static char *watch(const char *dir, void (*fn)(void *), void *arg)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct capture c;
	ssize_t len;
	bool first = true;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	assert_true(fd >= 0);
	assert_true(inotify_add_watch(fd, dir,
				      IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO) >= 0);
	fn(arg);
	capture_open(&c);
	while ((len = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			const char *what = ev->mask & IN_CREATE	      ? "CREATE"
					   : ev->mask & IN_DELETE     ? "DELETE"
					   : ev->mask & IN_MOVED_FROM ? "MOVED_FROM"
					   : ev->mask & IN_MOVED_TO   ? "MOVED_TO"
								      : "OTHER";

			fprintf(c.f, "%s%s %s", first ? "" : "|", what, ev->len ? ev->name : "");
			first = false;
			p += sizeof(*ev) + ev->len;
		}
	}
	close(fd);
	fclose(c.f);
	return c.buf;
}

struct write_args {
	const char *path;
	int rc;
};

static void do_write(void *arg)
{
	struct write_args *w = arg;

	w->rc = textfile_write(w->path, "a 1\n", 4);
}

/* "CREATE .x.prom.AbC123|..." -> the temporary name, checked to be .x.prom.XXXXXX */
static void assert_temp_name(const char *events, const char *prefix, char *tmp)
{
	const char *name = strchr(events, ' ');

	assert_non_null(name);
	name++;
	assert_int_equal(strncmp(name, prefix, strlen(prefix)), 0);
	for (size_t i = 0; i < 6; i++)
		assert_true(name[strlen(prefix) + i] && name[strlen(prefix) + i] != '|');
	snprintf(tmp, 64, "%.*s", (int)(strlen(prefix) + 6), name);
	/* hidden, and not *.prom: node_exporter never reads a half-written file */
	assert_int_equal(tmp[0], '.');
	assert_true(strlen(tmp) < 5 || strcmp(tmp + strlen(tmp) - 5, ".prom") != 0);
}

static void test_write_temp_in_same_dir(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], tmp[64], want[256];
	struct write_args w;
	char *events;

	w.path = in_dir(fx, "x.prom", path);
	events = watch(fx->dir, do_write, &w);
	assert_int_equal(w.rc, 0);
	/* created in the same directory, then renamed over the path: nothing else */
	assert_temp_name(events, ".x.prom.", tmp);
	snprintf(want, sizeof(want), "CREATE %s|MOVED_FROM %s|MOVED_TO x.prom", tmp, tmp);
	assert_string_equal(events, want);
	free(events);

	/* a rename onto a directory fails: the temporary file is removed */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	write_file(fx->dir, "x.prom/inside", "i", 1);
	events = watch(fx->dir, do_write, &w);
	assert_true(w.rc == -EISDIR || w.rc == -ENOTEMPTY || w.rc == -EEXIST);
	assert_temp_name(events, ".x.prom.", tmp);
	snprintf(want, sizeof(want), "CREATE %s|DELETE %s", tmp, tmp);
	assert_string_equal(events, want);
	free(events);
	assert_listing(fx->dir, "x.prom");
	assert_content(in_dir(fx, "x.prom/inside", path), "i", 1);

	/* relative to the current directory */
	{
		char cwd[PATH_MAX];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		assert_int_equal(chdir(fx->dir), 0);
		w.path = "rel.prom";
		events = watch(".", do_write, &w);
		assert_int_equal(chdir(cwd), 0);
		assert_int_equal(w.rc, 0);
		assert_temp_name(events, ".rel.prom.", tmp);
		free(events);
		assert_content(in_dir(fx, "rel.prom", path), "a 1\n", 4);
	}
}

static void test_write_replaces_symlink(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], target[PATH_MAX + 16], tdir[PATH_MAX];
	struct stat st;

	/* a file someone wants overwritten, outside the directory */
	tmpdir_make(tdir);
	write_file(tdir, "secret", "keep me\n", 8);
	in_dir(fx, "x.prom", path);
	snprintf(target, sizeof(target), "%s/secret", tdir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(textfile_check(path), 0);
	assert_int_equal(textfile_write(path, "a 1\n", 4), 0);
	/* the link is gone, a regular file is in its place, the target untouched */
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_content(path, "a 1\n", 4);
	assert_content(target, "keep me\n", 8);
	assert_int_equal(lstat(target, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	/* a dangling link: replaced, its target never created */
	assert_int_equal(unlink(path), 0);
	snprintf(target, sizeof(target), "%s/created", tdir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(textfile_write(path, "b 2\n", 4), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(access(target, F_OK), -1);

	/* a link to a directory: replaced, nothing written into the directory */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink(tdir, path), 0);
	assert_int_equal(textfile_write(path, "c 3\n", 4), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_content(path, "c 3\n", 4);
	assert_listing(tdir, "secret");
	assert_listing(fx->dir, "x.prom");
	tmpdir_remove(tdir);
}

static void test_write_dir_disappeared(void **state)
{
	struct fixture *fx = *state;
	char sub[PATH_MAX], path[PATH_MAX];

	assert_int_equal(mkdir(in_dir(fx, "sub", sub), 0755), 0);
	in_dir(fx, "sub/x.prom", path);
	assert_int_equal(textfile_check(path), 0);
	assert_int_equal(textfile_write(path, "a 1\n", 4), 0);
	/* removed after the start-time check */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(textfile_write(path, "a 2\n", 4), -ENOENT);
	assert_listing(fx->dir, "");
	/* and again: still an error, still nothing (the caller retries every interval) */
	assert_int_equal(textfile_write(path, "a 3\n", 4), -ENOENT);
	assert_listing(fx->dir, "");
	/* back: the next write works */
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(textfile_write(path, "a 4\n", 4), 0);
	assert_content(path, "a 4\n", 4);
	assert_listing(sub, "x.prom");
	/* replaced by a file */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(sub), 0);
	write_file(fx->dir, "sub", "f", 1);
	assert_int_equal(textfile_write(path, "a 5\n", 4), -ENOTDIR);
	assert_listing(fx->dir, "sub");
	/* write never logs: the caller says it once */
	assert_logged(fx, "");
}

/* A write() that fails half way (RLIMIT_FSIZE, in a child): an error, the old file kept. */
static void test_write_fails_midway(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX];
	pid_t pid;
	int status;

	in_dir(fx, "x.prom", path);
	assert_int_equal(textfile_write(path, "old\n", 4), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { .rlim_cur = 10, .rlim_max = 10 };
		static char page[100];

		signal(SIGXFSZ, SIG_IGN);
		memset(page, 'x', sizeof(page));
		if (setrlimit(RLIMIT_FSIZE, &rl))
			_exit(2);
		_exit(textfile_write(path, page, sizeof(page)) == -EFBIG ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_content(path, "old\n", 4);
	assert_listing(fx->dir, "x.prom");
}

/* Every interval for days: no descriptor or file left over per write. */
static void test_write_many(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], line[32];
	int before, after;

	in_dir(fx, "x.prom", path);
	before = dup(0);
	assert_true(before >= 0);
	close(before);
	for (int i = 0; i < 200; i++) {
		int n = snprintf(line, sizeof(line), "a %d\n", i);

		assert_int_equal(textfile_write(path, line, n), 0);
	}
	assert_content(path, "a 199\n", 6);
	after = dup(0);
	assert_true(after >= 0);
	close(after);
	assert_int_equal(after, before); /* the lowest free descriptor did not move */
	assert_listing(fx->dir, "x.prom");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_missing_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_file_as_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_path_is_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_temp_name_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_not_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_content_and_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_replaces_by_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_temp_in_same_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_replaces_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_dir_disappeared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_fails_midway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_many, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
