// SPDX-License-Identifier: GPL-2.0
#include "users.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

struct user_entry {
	uint32_t uid;
	char *name; /* NULL: looked up, no such user */
};

/* Sorted by uid; a machine has few uids that exec, so an array will do. */
struct user_names {
	user_lookup_fn lookup;
	struct user_entry *entries;
	size_t len;
	size_t cap;
};

static int passwd_lookup(uint32_t uid, char *buf, size_t len)
{
	char scratch[4096];
	struct passwd pw, *found = NULL;
	int err = getpwuid_r(uid, &pw, scratch, sizeof(scratch), &found);

	if (err)
		return -err;
	if (!found)
		return -ENOENT;
	if (strlen(found->pw_name) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, found->pw_name);
	return 0;
}

struct user_names *user_names_new(user_lookup_fn lookup)
{
	struct user_names *names = calloc(1, sizeof(*names));

	if (!names)
		return NULL;
	names->lookup = lookup ? lookup : passwd_lookup;
	return names;
}

void user_names_free(struct user_names *names)
{
	if (!names)
		return;
	for (size_t i = 0; i < names->len; i++)
		free(names->entries[i].name);
	free(names->entries);
	free(names);
}

/* Index of the first entry with entry.uid >= uid. */
static size_t lower_bound(const struct user_names *names, uint32_t uid)
{
	size_t lo = 0, hi = names->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (names->entries[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const char *user_names_get(struct user_names *names, uint32_t uid)
{
	size_t at = lower_bound(names, uid);
	char buf[256];
	char *name = NULL;
	int err;

	if (at < names->len && names->entries[at].uid == uid)
		return names->entries[at].name;

	err = names->lookup(uid, buf, sizeof(buf));
	/* getpwuid_r(3) may say "no such user" with any of these */
	if (err == -ESRCH || err == -EBADF || err == -EPERM)
		err = -ENOENT;
	/* remember names and "no such user", but retry after a passing NSS failure */
	if (err && err != -ENOENT)
		return NULL;
	if (!err && !(name = strdup(buf)))
		return NULL;
	if (names->len == names->cap) {
		size_t cap = names->cap ? names->cap * 2 : 16;
		struct user_entry *entries = realloc(names->entries, cap * sizeof(*entries));

		/* out of memory: answer without remembering */
		if (!entries) {
			free(name);
			return NULL;
		}
		names->entries = entries;
		names->cap = cap;
	}
	memmove(&names->entries[at + 1], &names->entries[at],
		(names->len - at) * sizeof(*names->entries));
	names->entries[at] = (struct user_entry){ .uid = uid, .name = name };
	names->len++;
	return name;
}
