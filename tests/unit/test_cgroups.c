// SPDX-License-Identifier: GPL-2.0
/*
 * test_cgroups.c - cgroup v2 ids to paths.  cgroup2_mount_find() over
 * mountinfo(5) text: the first cgroup2 line's mount point, octal escapes
 * decoded, optional fields skipped, cgroup (v1) and lookalike types ignored,
 * -ENOENT without one, -ENAMETOOLONG when the buffer is short.
 * cgroup_names over a scratch tree (mkdtemp) standing in for the cgroup2
 * mount: an id is the directory's st_ino, the root is "/", nested paths are
 * below it, a directory made after a walk is found by the next miss, an
 * unknown id is NULL and remembered (no walk for it again), files are not
 * cgroups, and a name handed out stays valid across later walks.
 */
#include "unit.h"

#include <stdbool.h>

#include "cgroups.h"

/* ---- cgroup2_mount_find ---- */

/* cgroup2_mount_find over text, with a buffer of len bytes; the result in out. */
static int find_in(const char *text, char *out, size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(f);
	rc = cgroup2_mount_find(f, out, len);
	fclose(f);
	return rc;
}

static void assert_mount(const char *text, const char *want)
{
	char buf[PATH_MAX];
	int rc;

	memset(buf, 'x', sizeof(buf));
	rc = find_in(text, buf, sizeof(buf));
	if (rc != 0 || strcmp(buf, want) != 0)
		print_error("rc %d, got \"%s\" want \"%s\"\n", rc, rc ? "" : buf, want);
	assert_int_equal(rc, 0);
	assert_string_equal(buf, want);
}

/* A real system's mountinfo, abridged: cgroup2 at /sys/fs/cgroup. */
static const char systemd_host[] =
	"22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"23 28 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw\n"
	"28 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
	"26 22 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n"
	"27 22 0:25 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw\n";

static void test_mount_systemd(void **state)
{
	(void)state;
	assert_mount(systemd_host, "/sys/fs/cgroup");
}

static void test_mount_hybrid_v1_ignored(void **state)
{
	/* a hybrid layout: v1 hierarchies first, the unified one at .../unified */
	static const char hybrid[] =
		"30 25 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
		"33 30 0:29 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup "
		"rw,xattr,name=systemd\n"
		"35 30 0:31 / /sys/fs/cgroup/memory rw,nosuid shared:15 - cgroup cgroup rw,memory\n"
		"31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - "
		"cgroup2 cgroup2 rw,nsdelegate\n";
	/* v1 only: no unified hierarchy at all */
	static const char v1_only[] =
		"33 30 0:29 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"
		"35 30 0:31 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n";
	char buf[64] = "untouched";

	(void)state;
	assert_mount(hybrid, "/sys/fs/cgroup/unified");
	assert_int_equal(find_in(v1_only, buf, sizeof(buf)), -ENOENT);
}

static void test_mount_none(void **state)
{
	static const char *const texts[] = {
		"",
		"\n",
		"28 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n",
		/* lookalikes: the type must be exactly cgroup2 */
		"40 28 0:40 / /mnt/a rw - cgroup2fs cgroup2 rw\n",
		"41 28 0:41 / /mnt/b rw - cgroup cgroup2 rw\n",
		"42 28 0:42 / /mnt/c rw - fuse.cgroup2 cgroup2 rw\n",
		/* "cgroup2" elsewhere on the line is not the type */
		"43 28 0:43 / /cgroup2 rw - tmpfs cgroup2 rw\n",
		"44 28 0:44 / /x rw shared:1 - ext4 cgroup2 rw\n",
		/* no " - " separator at all */
		"45 28 0:45 / /y rw cgroup2 cgroup2 rw\n",
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (find_in(texts[i], buf, sizeof(buf)) != -ENOENT)
			print_error("text %zu: not -ENOENT: %s\n", i, texts[i]);
		assert_int_equal(find_in(texts[i], buf, sizeof(buf)), -ENOENT);
	}
}

static void test_mount_escapes(void **state)
{
	(void)state;
	/* space, tab, newline and backslash are written as \ooo in mountinfo */
	assert_mount("50 28 0:50 / /mnt/my\\040cgroups rw - cgroup2 none rw\n", "/mnt/my cgroups");
	assert_mount("51 28 0:51 / /a\\011b\\012c\\134d rw - cgroup2 none rw\n", "/a\tb\nc\\d");
	/* several in a row, and at the very end of the field */
	assert_mount("52 28 0:52 / /sp\\040\\040\\040 rw - cgroup2 none rw\n", "/sp   ");
	/* a backslash not followed by three octal digits is kept as it is */
	assert_mount("53 28 0:53 / /x\\9y rw - cgroup2 none rw\n", "/x\\9y");
	assert_mount("54 28 0:54 / /x\\08 rw - cgroup2 none rw\n", "/x\\08");
	assert_mount("55 28 0:55 / /x\\400 rw - cgroup2 none rw\n", "/x\\400");
	/* non-ASCII bytes pass through */
	assert_mount("56 28 0:56 / /caf\xc3\xa9 rw - cgroup2 none rw\n", "/caf\xc3\xa9");
	/* the root field (4) is not the mount point (5) */
	assert_mount("57 28 0:57 /init.scope /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
		     "/sys/fs/cgroup");
}

static void test_mount_optional_fields(void **state)
{
	(void)state;
	/* zero, one or several optional fields before " - " */
	assert_mount("60 28 0:60 / /none rw - cgroup2 cgroup2 rw\n", "/none");
	assert_mount("61 28 0:61 / /one rw,relatime shared:4 - cgroup2 cgroup2 rw\n", "/one");
	assert_mount("62 28 0:62 / /many rw shared:4 master:2 propagate_from:1 unbindable - "
		     "cgroup2 cgroup2 rw\n",
		     "/many");
	/* no newline at the end of the stream */
	assert_mount("63 28 0:63 / /last rw - cgroup2 cgroup2 rw", "/last");
}

static void test_mount_first_wins(void **state)
{
	(void)state;
	assert_mount("70 28 0:70 / /first rw - cgroup2 cgroup2 rw\n"
		     "71 28 0:70 / /second rw - cgroup2 cgroup2 rw\n",
		     "/first");
	/* after lines that are not cgroup2 */
	assert_mount("72 28 8:1 / / rw - ext4 /dev/sda1 rw\n"
		     "73 28 0:29 / /v1 rw - cgroup cgroup rw,cpu\n"
		     "74 28 0:70 / /unified rw - cgroup2 cgroup2 rw\n",
		     "/unified");
}

static void test_mount_buffer_size(void **state)
{
	static const char line[] = "80 28 0:80 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
	char buf[32];

	(void)state;
	/* "/sys/fs/cgroup" is 14 bytes: 15 with its NUL fit, 14 do not */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(find_in(line, buf, 15), 0);
	assert_string_equal(buf, "/sys/fs/cgroup");
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(find_in(line, buf, 14), -ENAMETOOLONG);
	/* nothing written past the buffer it was given */
	assert_int_equal(buf[14], 'x');
	assert_int_equal(find_in(line, buf, 1), -ENAMETOOLONG);
	/* an escape counts as the one byte it stands for */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(find_in("81 28 0:81 / /a\\040b rw - cgroup2 c rw\n", buf, 5), 0);
	assert_string_equal(buf, "/a b");
}

/* ---- cgroup_names over a scratch tree ---- */

static uint64_t ino_of(const char *dir, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", dir, rel);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static void make_dir(const char *dir, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", dir, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void remove_dir(const char *dir, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", dir, rel);
	assert_int_equal(rmdir(path), 0);
}

static void assert_name(struct cgroup_names *names, uint64_t id, const char *want)
{
	const char *got = cgroup_names_get(names, id);

	if (!got || strcmp(got, want) != 0)
		print_error("id %llu: got %s%s%s want \"%s\"\n", (unsigned long long)id,
			    got ? "\"" : "", got ? got : "NULL", got ? "\"" : "", want);
	assert_non_null(got);
	assert_string_equal(got, want);
}

/* A tree like a cgroup2 mount: system.slice/ssh.service, user.slice/user-1000.slice/... */
static void make_tree(const char *dir)
{
	make_dir(dir, "/system.slice");
	make_dir(dir, "/system.slice/ssh.service");
	make_dir(dir, "/user.slice");
	make_dir(dir, "/user.slice/user-1000.slice");
	make_dir(dir, "/user.slice/user-1000.slice/session-1.scope");
	make_dir(dir, "/odd name\twith\"bytes\xff");
	/* a file is not a cgroup (cgroupfs has cgroup.procs and the like) */
	write_file(dir, "cgroup.procs", "1\n", 2);
	write_file(dir, "system.slice/cgroup.procs", "", 0);
}

static void test_names_tree(void **state)
{
	char dir[PATH_MAX];
	struct cgroup_names *names;

	(void)state;
	tmpdir_make(dir);
	make_tree(dir);
	names = cgroup_names_new(dir);
	assert_non_null(names);

	assert_name(names, ino_of(dir, ""), "/");
	assert_name(names, ino_of(dir, "/system.slice"), "/system.slice");
	assert_name(names, ino_of(dir, "/system.slice/ssh.service"), "/system.slice/ssh.service");
	assert_name(names, ino_of(dir, "/user.slice"), "/user.slice");
	assert_name(names, ino_of(dir, "/user.slice/user-1000.slice/session-1.scope"),
		    "/user.slice/user-1000.slice/session-1.scope");
	assert_name(names, ino_of(dir, "/odd name\twith\"bytes\xff"), "/odd name\twith\"bytes\xff");
	/* asked again: the same remembered string */
	assert_ptr_equal(cgroup_names_get(names, ino_of(dir, "/user.slice")),
			 cgroup_names_get(names, ino_of(dir, "/user.slice")));
	/* a file's inode is not a cgroup */
	assert_null(cgroup_names_get(names, ino_of(dir, "/cgroup.procs")));
	assert_null(cgroup_names_get(names, ino_of(dir, "/system.slice/cgroup.procs")));

	cgroup_names_free(names);
	tmpdir_remove(dir);
}

static void test_names_root_with_slashes(void **state)
{
	char dir[PATH_MAX], slashed[PATH_MAX + 4];
	struct cgroup_names *names;

	(void)state;
	tmpdir_make(dir);
	make_dir(dir, "/a");
	make_dir(dir, "/a/b");
	/* a root given with trailing slashes gives the same paths */
	snprintf(slashed, sizeof(slashed), "%s//", dir);
	names = cgroup_names_new(slashed);
	assert_non_null(names);
	assert_name(names, ino_of(dir, ""), "/");
	assert_name(names, ino_of(dir, "/a"), "/a");
	assert_name(names, ino_of(dir, "/a/b"), "/a/b");
	cgroup_names_free(names);
	tmpdir_remove(dir);
}

static void test_names_new_dir_found(void **state)
{
	char dir[PATH_MAX];
	struct cgroup_names *names;
	uint64_t later;

	(void)state;
	tmpdir_make(dir);
	make_dir(dir, "/early");
	names = cgroup_names_new(dir);
	assert_non_null(names);
	/* the first walk */
	assert_name(names, ino_of(dir, "/early"), "/early");
	/* made after it: in the same block no second walk, so not found, and taken as removed */
	make_dir(dir, "/later");
	make_dir(dir, "/later/deeper");
	later = ino_of(dir, "/later/deeper");
	assert_null(cgroup_names_get(names, later));
	cgroup_names_free(names);
	/* in a new block the first miss walks again and finds it, nested too */
	names = cgroup_names_new(dir);
	assert_non_null(names);
	assert_name(names, ino_of(dir, "/early"), "/early");
	make_dir(dir, "/later2");
	later = ino_of(dir, "/later2");
	cgroup_names_next_block(names);
	assert_name(names, later, "/later2");
	assert_name(names, ino_of(dir, "/later/deeper"), "/later/deeper");
	assert_name(names, ino_of(dir, "/later"), "/later");
	assert_name(names, ino_of(dir, "/early"), "/early");
	cgroup_names_free(names);
	tmpdir_remove(dir);
}

static void test_names_unknown_remembered(void **state)
{
	char dir[PATH_MAX];
	struct cgroup_names *names;
	uint64_t made, brief;

	(void)state;
	tmpdir_make(dir);
	make_dir(dir, "/kept");
	make_dir(dir, "/brief");
	names = cgroup_names_new(dir);
	assert_non_null(names);
	brief = ino_of(dir, "/brief");
	assert_name(names, brief, "/brief");
	/* inode 0 and 2^64 - 1 are nobody's */
	assert_null(cgroup_names_get(names, 0));
	assert_null(cgroup_names_get(names, UINT64_MAX));

	/*
	 * Remembered: asking for UINT64_MAX again must not walk.  Had it walked,
	 * it would learn "/made" now, and still know it after the directory is
	 * gone; as it did not, the later miss for it walks a tree without it.
	 * (Nothing is made after the rmdir, so its inode is not reused here.)
	 */
	make_dir(dir, "/made");
	made = ino_of(dir, "/made");
	cgroup_names_next_block(names);
	assert_null(cgroup_names_get(names, UINT64_MAX));
	remove_dir(dir, "/made");
	assert_null(cgroup_names_get(names, made));
	assert_null(cgroup_names_get(names, made));

	/* a cgroup removed after being named keeps its name: ids are never reused */
	remove_dir(dir, "/brief");
	assert_name(names, brief, "/brief");
	assert_name(names, ino_of(dir, "/kept"), "/kept");
	cgroup_names_free(names);
	tmpdir_remove(dir);
}

static void test_names_root_missing(void **state)
{
	struct cgroup_names *names = cgroup_names_new("/nonexistent/execcount-unit/cgroup");

	(void)state;
	/* a root that cannot be walked names nothing, and does not fail */
	assert_non_null(names);
	assert_null(cgroup_names_get(names, 1));
	assert_null(cgroup_names_get(names, 1));
	cgroup_names_free(names);
}

static void test_names_many(void **state)
{
	enum { N = 300 };
	char dir[PATH_MAX], rel[64];
	struct cgroup_names *names;
	static uint64_t ids[N][2];

	(void)state;
	tmpdir_make(dir);
	for (int i = 0; i < N; i++) {
		snprintf(rel, sizeof(rel), "/g%d", i);
		make_dir(dir, rel);
		ids[i][0] = ino_of(dir, rel);
		snprintf(rel, sizeof(rel), "/g%d/h%d", i, i);
		make_dir(dir, rel);
		ids[i][1] = ino_of(dir, rel);
	}
	names = cgroup_names_new(dir);
	assert_non_null(names);
	/* any order: the first miss learns them all */
	for (int i = N; i-- > 0;) {
		snprintf(rel, sizeof(rel), "/g%d/h%d", i, i);
		assert_name(names, ids[i][1], rel);
		snprintf(rel, sizeof(rel), "/g%d", i);
		assert_name(names, ids[i][0], rel);
	}
	cgroup_names_free(names);
	tmpdir_remove(dir);
}

static void test_free_null(void **state)
{
	(void)state;
	cgroup_names_free(NULL);
}

/*
 * cgroups.h: a name is "valid until cgroup_names_free()".  The tick
 * keeps one per row, and a later row's new id walks the tree
 * again: that walk must not replace (free) the names already handed out.
 * ASan reports a heap-use-after-free if it does.
 */
static void test_names_stay_valid_across_walks(void **state)
{
	char dir[PATH_MAX];
	struct cgroup_names *names;
	const char *root, *a;

	(void)state;
	tmpdir_make(dir);
	make_dir(dir, "/a");
	names = cgroup_names_new(dir);
	assert_non_null(names);
	root = cgroup_names_get(names, ino_of(dir, ""));
	a = cgroup_names_get(names, ino_of(dir, "/a"));
	make_dir(dir, "/b");
	cgroup_names_next_block(names);
	assert_name(names, ino_of(dir, "/b"), "/b"); /* a miss in a new block: walked again */
	assert_string_equal(root, "/");
	assert_string_equal(a, "/a");
	/* and the same pointers are handed out again */
	assert_ptr_equal(cgroup_names_get(names, ino_of(dir, "")), root);
	assert_ptr_equal(cgroup_names_get(names, ino_of(dir, "/a")), a);
	/* a miss that finds nothing walks too */
	cgroup_names_next_block(names);
	assert_null(cgroup_names_get(names, UINT64_MAX));
	assert_string_equal(a, "/a");
	cgroup_names_free(names);
	tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_systemd),
		cmocka_unit_test(test_mount_hybrid_v1_ignored),
		cmocka_unit_test(test_mount_none),
		cmocka_unit_test(test_mount_escapes),
		cmocka_unit_test(test_mount_optional_fields),
		cmocka_unit_test(test_mount_first_wins),
		cmocka_unit_test(test_mount_buffer_size),
		cmocka_unit_test(test_names_tree),
		cmocka_unit_test(test_names_root_with_slashes),
		cmocka_unit_test(test_names_new_dir_found),
		cmocka_unit_test(test_names_unknown_remembered),
		cmocka_unit_test(test_names_root_missing),
		cmocka_unit_test(test_names_many),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_names_stay_valid_across_walks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
