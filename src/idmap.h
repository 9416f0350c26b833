/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmap.h - a small sorted map from a number to a name (or to "none"), for
 * the caches that turn uids and cgroup ids into names.
 */
#ifndef EXECCOUNT_IDMAP_H
#define EXECCOUNT_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idmap_entry {
	uint64_t id;
	char *name; /* NULL: known to have no name */
};

struct idmap {
	struct idmap_entry *entries;
	size_t len;
	size_t cap;
};

void idmap_free(struct idmap *map);
/* The entry for id, or NULL when id has never been put. */
const struct idmap_entry *idmap_find(const struct idmap *map, uint64_t id);
/*
 * Put a copy of name (NULL for "none") under id, replacing any; 0 or -ENOMEM.
 * Names handed out before stay valid unless their id is put again.
 */
int idmap_put(struct idmap *map, uint64_t id, const char *name);

#endif
