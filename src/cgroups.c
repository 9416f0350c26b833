// SPDX-License-Identifier: GPL-2.0
#include "cgroups.h"

#include <errno.h>
#include <stdbool.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "idmap.h"

struct cgroup_names {
	char *root;
	size_t root_len;
	struct idmap map;    /* the ids asked for: id -> path, or NULL: gone */
	struct idmap walked; /* this block's walk: every cgroup there is */
	bool walked_now;     /* the walk was made in this block */
};

/*
 * mountinfo(5): "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - cgroup2 cgroup2 rw"
 * The mount point is field 5 (octal escapes for blanks); the type follows " - ".
 */
int cgroup2_mount_find(FILE *mountinfo, char *buf, size_t len)
{
	char *line = NULL;
	size_t cap = 0;
	int err = -ENOENT;

	while (getline(&line, &cap, mountinfo) > 0) {
		char *dash = strstr(line, " - ");
		char *point = line;
		size_t n = 0;

		if (!dash || strncmp(dash + 3, "cgroup2 ", 8) != 0)
			continue;
		for (int field = 1; field < 5 && point; field++) {
			point = strchr(point, ' ');
			if (point)
				point++;
		}
		if (!point)
			continue;
		for (char *p = point; *p != ' ' && *p != '\n' && *p; p++) {
			int c = (unsigned char)*p;

			if (c == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
			    p[3] >= '0' && p[3] <= '7') {
				c = (p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0');
				p += 3;
			}
			if (n + 1 >= len) {
				err = -ENAMETOOLONG;
				goto out;
			}
			buf[n++] = (char)c;
		}
		buf[n] = '\0';
		err = 0;
		goto out;
	}
out:
	free(line);
	return err;
}

struct cgroup_names *cgroup_names_new(const char *root)
{
	struct cgroup_names *names = calloc(1, sizeof(*names));

	if (!names || !(names->root = strdup(root))) {
		free(names);
		return NULL;
	}
	names->root_len = strlen(root);
	while (names->root_len > 0 && names->root[names->root_len - 1] == '/')
		names->root[--names->root_len] = '\0';
	if (!names->root_len) /* mounted at / itself */
		strcpy(names->root, "/");
	return names;
}

void cgroup_names_free(struct cgroup_names *names)
{
	if (!names)
		return;
	idmap_free(&names->map);
	idmap_free(&names->walked);
	free(names->root);
	free(names);
}

/* nftw has no user pointer: the walk in progress */
static struct cgroup_names *walking;

static int remember(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *rel = path + walking->root_len;

	(void)ftw;
	if (type != FTW_D)
		return 0;
	return idmap_put(&walking->walked, st->st_ino, *rel ? rel : "/") ? 1 : 0;
}

void cgroup_names_next_block(struct cgroup_names *names)
{
	/* only the ids asked for are kept: a host with many short-lived cgroups does not grow us */
	idmap_free(&names->walked);
	names->walked_now = false;
}

const char *cgroup_names_get(struct cgroup_names *names, uint64_t id)
{
	const struct idmap_entry *known = idmap_find(&names->map, id);

	if (known)
		return known->name;
	/* cgroups made since the last walk: learn every path there is now, once a block */
	if (!names->walked_now) {
		walking = names;
		nftw(names->root, remember, 16, FTW_PHYS | FTW_MOUNT);
		walking = NULL;
		names->walked_now = true;
	}
	/*
	 * Not there after a walk made since the id was counted: removed, never
	 * to return (ids are not reused), and remembered as such.  A name once
	 * handed out is never replaced: rows hold pointers to it.
	 */
	known = idmap_find(&names->walked, id);
	if (idmap_put(&names->map, id, known ? known->name : NULL))
		return NULL;
	return idmap_find(&names->map, id)->name;
}
