// SPDX-License-Identifier: GPL-2.0
#include "idmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void idmap_free(struct idmap *map)
{
	for (size_t i = 0; i < map->len; i++)
		free(map->entries[i].name);
	free(map->entries);
	*map = (struct idmap){ 0 };
}

/* Index of the first entry with entry.id >= id. */
static size_t lower_bound(const struct idmap *map, uint64_t id)
{
	size_t lo = 0, hi = map->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (map->entries[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct idmap_entry *idmap_find(const struct idmap *map, uint64_t id)
{
	size_t at = lower_bound(map, id);

	return at < map->len && map->entries[at].id == id ? &map->entries[at] : NULL;
}

int idmap_put(struct idmap *map, uint64_t id, const char *name)
{
	size_t at = lower_bound(map, id);
	char *copy = NULL;

	if (name && !(copy = strdup(name)))
		return -ENOMEM;
	if (at < map->len && map->entries[at].id == id) {
		free(map->entries[at].name);
		map->entries[at].name = copy;
		return 0;
	}
	if (map->len == map->cap) {
		size_t cap = map->cap ? map->cap * 2 : 16;
		struct idmap_entry *entries = realloc(map->entries, cap * sizeof(*entries));

		if (!entries) {
			free(copy);
			return -ENOMEM;
		}
		map->entries = entries;
		map->cap = cap;
	}
	memmove(&map->entries[at + 1], &map->entries[at], (map->len - at) * sizeof(*map->entries));
	map->entries[at] = (struct idmap_entry){ .id = id, .name = copy };
	map->len++;
	return 0;
}
