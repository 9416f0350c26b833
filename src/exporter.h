/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exporter.h - the metrics sink: each tick's Prometheus page (metrics.h),
 * published to the --listen server and written to the --textfile.  A failed
 * textfile write is said once and retried every interval: the counts are
 * safe in the kernel meanwhile.
 */
#ifndef EXECCOUNT_EXPORTER_H
#define EXECCOUNT_EXPORTER_H

#include <stdbool.h>

#include "http.h"
#include "render.h"
#include "tick.h"

struct exporter {
	struct http_server *http; /* NULL: no --listen */
	const char *textfile;	  /* NULL: no --textfile */
	bool failing;		  /* the textfile's last write failed (said) */
	struct render_opts opts;  /* the page's settings (each sink owns its own) */
};

/* Where to, and the page's settings from cfg. */
void exporter_init(struct exporter *e, const struct config *cfg, struct http_server *http);

/* Whether there is anywhere to export to. */
bool exporter_wanted(const struct exporter *e);

/* The page from the tick's rows by count.  0, or -ENOMEM (said); a textfile failure is only said. */
int exporter_publish(struct exporter *e, struct tick *t, const struct run_about *about);

#endif
