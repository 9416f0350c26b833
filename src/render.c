// SPDX-License-Identifier: GPL-2.0
#include "render.h"

#include <string.h>

const struct render_opts *render_opts_of(const struct config *cfg, struct render_opts *o)
{
	*o = (struct render_opts){ .format = cfg->format,
				   .nby = cfg->nby,
				   .by_mask = cfg->by_mask,
				   .syscalls = cfg->syscalls,
				   .interval = cfg->interval,
				   .max_keys = cfg->max_keys,
				   .top = cfg->top,
				   .max_series = cfg->max_series };
	memcpy(o->by, cfg->by, sizeof(o->by));
	return o;
}
