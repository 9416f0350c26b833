/* SPDX-License-Identifier: GPL-2.0 */
/*
 * obtain.h - the probe, ready to load: from the compiled-program cache when
 * it holds this very build (no clang, no LLVM in the process), else compiled
 * by clang through libbcc with the -D settings (cflags.h).  The cache key
 * and whether to keep a compile are decided here and carried in the
 * obtained probe until obtained_commit(), which a run calls once the probe
 * has been checked, loaded, attached and seen counting (selftest.h).
 */
#ifndef EXECCOUNT_OBTAIN_H
#define EXECCOUNT_OBTAIN_H

#include <stdbool.h>

#include "cache.h"
#include "cli.h"
#include "plan.h"
#include "probe.h"
#include "source.h"

#define OBTAIN_KEY_MAX 8192

struct obtained {
	struct probe *probe;
	const struct cache *cache;
	bool store;		  /* a compile the cache may keep, at the commit */
	char key[OBTAIN_KEY_MAX]; /* its cache key (cache_key_text) */
};

/*
 * Fill ob for cfg's settings, the hooks' kind and the probe text src; cache
 * may be unusable (or off).  Tables are created here.  0, or a negative
 * errno, logged: -ENOENT (no kernel headers, or no libbcc.so.0), -EINVAL (the
 * compile failed: clang's diagnostics are on stderr), -EPERM (privilege).
 */
int obtain_probe(struct obtained *ob, const struct config *cfg, const struct cache *cache,
		 const struct probe_source *src, const struct hooks *hooks);

/* The probe proved itself: keep a cacheable compile for the next start (a failure is only logged). */
void obtained_commit(struct obtained *ob);

/* Destroy the probe (which closes its programs and tables); safe on an empty ob. */
void obtained_release(struct obtained *ob);

#endif
