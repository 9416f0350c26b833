// SPDX-License-Identifier: GPL-2.0
#include "users.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"

struct user_names {
	user_lookup_fn lookup;
	struct idmap map; /* uid -> name, or NULL: looked up, no such user */
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
	idmap_free(&names->map);
	free(names);
}

const char *user_names_get(struct user_names *names, uint32_t uid)
{
	const struct idmap_entry *known = idmap_find(&names->map, uid);
	char buf[256];
	int err;

	if (known)
		return known->name;
	err = names->lookup(uid, buf, sizeof(buf));
	/* getpwuid_r(3) may say "no such user" with any of these */
	if (err == -ESRCH || err == -EBADF || err == -EPERM)
		err = -ENOENT;
	/* remember names and "no such user", but retry after a passing NSS failure */
	if (err && err != -ENOENT)
		return NULL;
	/* out of memory: no answer, and nothing remembered */
	if (idmap_put(&names->map, uid, err ? NULL : buf))
		return NULL;
	return idmap_find(&names->map, uid)->name;
}
