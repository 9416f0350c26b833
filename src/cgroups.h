/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroups.h - cgroup v2 id to path.  The id bpf_get_current_cgroup_id()
 * returns is the inode number of the cgroup's directory in cgroupfs, so a
 * walk of the cgroup2 mount finds it.  Paths are remembered, also after the
 * cgroup is removed (the path says what it was).  The first miss of a block
 * walks the tree once more (new cgroups); an id that walk does not find was
 * removed before it was ever named, and is remembered as gone (ids are never
 * reused).
 */
#ifndef EXECCOUNT_CGROUPS_H
#define EXECCOUNT_CGROUPS_H

#include <stdint.h>
#include <stdio.h>

/* The cgroup2 mount point from a /proc/self/mountinfo stream: 0 or -ENOENT. */
int cgroup2_mount_find(FILE *mountinfo, char *buf, size_t len);

struct cgroup_names;

/* root: where cgroup2 is mounted.  NULL with errno on failure. */
struct cgroup_names *cgroup_names_new(const char *root);
void cgroup_names_free(struct cgroup_names *names);

/*
 * A new block of rows: the next miss may walk the tree again.  The table is
 * read before this, so every id of the block existed before that walk.
 */
void cgroup_names_next_block(struct cgroup_names *names);

/* The path below root ("/" for root itself), or NULL; valid until cgroup_names_free(). */
const char *cgroup_names_get(struct cgroup_names *names, uint64_t id);

#endif
