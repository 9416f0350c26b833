// SPDX-License-Identifier: GPL-2.0
#include "exporter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "textfile.h"

bool exporter_wanted(const struct exporter *e)
{
	return e->http || e->textfile;
}

void exporter_init(struct exporter *e, const struct config *cfg, struct http_server *http)
{
	*e = (struct exporter){ .http = http, .textfile = cfg->textfile };
	render_opts_of(cfg, &e->opts);
}

int exporter_publish(struct exporter *e, struct tick *t, const struct run_about *about)
{
	const struct render_opts *opts = &e->opts;
	const struct view *view;
	char *page = NULL;
	size_t len = 0;
	FILE *m;
	int err;

	if (!exporter_wanted(e))
		return 0;
	view = tick_view(t, ORDER_BY_COUNT, opts->max_series);
	m = view ? open_memstream(&page, &len) : NULL;
	if (!m || metrics_render(m, opts, view, about) || fclose(m)) {
		if (m)
			fclose(m);
		free(page);
		log_msg("out of memory rendering the metrics");
		return -ENOMEM;
	}
	err = e->http ? http_publish(e->http, page, len) : 0;
	if (!err && e->textfile) {
		int werr = textfile_write(e->textfile, page, len);

		if (werr && !e->failing)
			log_msg("warning: writing --textfile %s: %s -- retrying every interval",
				e->textfile, strerror(-werr));
		else if (!werr && e->failing)
			log_msg("--textfile %s written again", e->textfile);
		e->failing = werr != 0;
	}
	free(page);
	if (err)
		log_msg("out of memory publishing the metrics");
	return err;
}
