/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroups.h - cgroup v2 id to path.  The id bpf_get_current_cgroup_id()
 * returns is the inode number of the cgroup's directory in cgroupfs, so a
 * walk of the cgroup2 mount finds it.  Paths are remembered; a miss walks the
 * tree once more (a new cgroup), and an id still not found is remembered as
 * gone (ids are never reused).
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

/* The path below root ("/" for root itself), or NULL; valid until cgroup_names_free(). */
const char *cgroup_names_get(struct cgroup_names *names, uint64_t id);

#endif
