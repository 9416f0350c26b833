/* SPDX-License-Identifier: GPL-2.0 */
/*
 * users.h - uid to user name, looked up once per uid and remembered
 * (a miss too), so a busy table costs one NSS lookup per new uid.
 */
#ifndef EXECCOUNT_USERS_H
#define EXECCOUNT_USERS_H

#include <stddef.h>
#include <stdint.h>

/* Writes the name into buf; returns 0, -ENOENT for no such user, or another -errno. */
typedef int (*user_lookup_fn)(uint32_t uid, char *buf, size_t len);

struct user_names;

/* lookup NULL means getpwuid_r(3). Returns NULL with errno set on failure. */
struct user_names *user_names_new(user_lookup_fn lookup);
void user_names_free(struct user_names *names);

/* The name of uid, or NULL when it has none; valid until user_names_free(). */
const char *user_names_get(struct user_names *names, uint32_t uid);

#endif
