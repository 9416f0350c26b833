// SPDX-License-Identifier: GPL-2.0
#include "obtain.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cflags.h"
#include "kernel.h"
#include "log.h"
#include "preflight.h"

#ifndef EXECCOUNT_VERSION
#define EXECCOUNT_VERSION "0.0.0"
#endif

/* The environment libbcc and clang read while compiling: part of the cache key. */
static void compile_env(char *buf, size_t len)
{
	static const char *const names[] = {
		"BCC_KERNEL_SOURCE",
		"BCC_LINUX_VERSION_CODE",
		"BCC_KERNEL_MODULES_SUFFIX",
		"ARCH",
		"CPATH",
		"C_INCLUDE_PATH",
	};
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && at < len; i++) {
		const char *v = getenv(names[i]);

		if (v)
			at += snprintf(buf + at, len - at, "%s%s=%s", at ? " " : "", names[i], v);
	}
}

/* Everything the compile depends on, as the cache's key; false when it cannot be written. */
static bool make_key(struct obtained *ob, const struct cflags *cflags,
		     const struct probe_source *src)
{
	char headers[2 * PATH_MAX + 64], env[4096], libbcc[PATH_MAX + 64];
	struct utsname u;

	uname(&u);
	kernel_headers_identity(headers, sizeof(headers));
	compile_env(env, sizeof(env));
	probe_libbcc_identity(libbcc, sizeof(libbcc));
	if (cache_key_text(&(struct cache_key_input){ .tool_version = EXECCOUNT_VERSION,
						      .libbcc_version = libbcc,
						      .release = u.release,
						      .build = u.version,
						      .machine = u.machine,
						      .headers = headers,
						      .env = env,
						      .cflags = cflags->argv,
						      .ncflags = cflags->n,
						      .source = src->text,
						      .source_len = src->len },
			   ob->key, sizeof(ob->key))) {
		log_verbose(
			"cache: not used: a setting is too long for the key, or holds a newline");
		return false;
	}
	return true;
}

/* The cache's entry for the key: 0 a hit (ob->probe set), else compile (*cacheable says whether to keep it). */
static int from_cache(struct obtained *ob, bool *cacheable)
{
	struct probe_image img = { 0 };
	char path[PATH_MAX];
	int err;

	cache_entry_path(ob->cache, ob->key, path);
	err = cache_load(ob->cache, ob->key, &img);
	if (err == -ENOENT)
		log_verbose("cache: miss %s", path);
	if (err)
		return -ENOENT; /* none, or refused: compile, and store it anew */
	log_verbose("cache: hit %s", path);
	err = probe_from_image(&ob->probe, &img);
	image_free(&img);
	if (err == 0) {
		log_stage("cache");
		return 0;
	}
	if (err == -EPERM)
		return err;
	/* what libbcc made, the image could not make again: compile, keep nothing */
	log_msg("cache entry %s could not be loaded -- compiling the probe", path);
	*cacheable = false;
	return -ENOENT;
}

int obtain_probe(struct obtained *ob, const struct config *cfg, const struct cache *cache,
		 const struct probe_source *src, const struct hooks *hooks)
{
	struct finding headers;
	struct cflags cflags;
	bool cacheable = cache->usable;
	int err;

	memset(ob, 0, sizeof(*ob));
	ob->cache = cache;
	if (cfg->kernel_headers && setenv("BCC_KERNEL_SOURCE", cfg->kernel_headers, 1)) {
		log_msg("setting BCC_KERNEL_SOURCE: %s", strerror(errno));
		return -errno;
	}
	cflags_build(&cflags, cfg, hooks->kind == HOOK_KPROBE, hooks->syscall_wrapper);
	for (int i = 0; i < cflags.n; i++)
		log_verbose("cflag: %s", cflags.argv[i]);
	if (cfg->no_cache)
		log_verbose("cache: off (--no-cache)");
	if (cacheable)
		cacheable = make_key(ob, &cflags, src);
	if (cacheable) {
		err = from_cache(ob, &cacheable);
		if (err != -ENOENT)
			return err;
	}

	check_headers(&headers);
	err = finding_report(&headers);
	if (err)
		return err;
	err = probe_compile(&ob->probe, src->text, src->len, src->name, cflags.argv, cflags.n);
	if (err)
		return err;
	log_stage("compile");
	ob->store = cacheable && probe_cacheable(ob->probe);
	if (cacheable && !ob->store)
		log_verbose(
			"cache: not stored: the probe has tables a start from the cache could not make the same (pinned, or of a type needing BTF)");
	return 0;
}

void obtained_commit(struct obtained *ob)
{
	if (!ob->store)
		return;
	cache_store(ob->cache, ob->key, probe_image(ob->probe));
	ob->store = false;
	log_stage("store");
}

void obtained_release(struct obtained *ob)
{
	probe_destroy(ob->probe);
	ob->probe = NULL;
}
