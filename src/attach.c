// SPDX-License-Identifier: GPL-2.0
#include "attach.h"

#include <bcc/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "kernel.h"
#include "log.h"

static int prog_type(const struct attachment *at)
{
	switch (at->kind) {
	case AT_KPROBE:
	case AT_KRETPROBE:
		return BPF_PROG_TYPE_KPROBE;
	case AT_TRACEPOINT:
	default:
		return BPF_PROG_TYPE_TRACEPOINT;
	}
}

/*
 * libbcc tries the kprobe PMU, then tracefs's kprobe_events, and says on
 * fd 2 why the second failed too: the caller reports the failure, and
 * --verbose shows libbcc's lines.
 */
static int attach_kprobe(struct attachment *at, int prog_fd)
{
	struct capture cap;
	char *line = NULL;
	size_t len = 0;
	FILE *said;
	int fd, err;

	capture_begin(&cap);
	errno = 0;
	fd = bpf_attach_kprobe(prog_fd, at->kind == AT_KPROBE ? BPF_PROBE_ENTRY : BPF_PROBE_RETURN,
			       at->ev_name, at->target, 0, 0);
	err = errno;
	said = capture_end(&cap);
	while (capture_next_line(said, &line, &len))
		log_verbose("libbcc: %s", line);
	free(line);
	if (said)
		fclose(said);
	errno = err;
	return fd;
}

static int attach_one(struct attachment *at, int prog_fd)
{
	char category[sizeof(at->target)], *event;
	int fd;

	errno = 0;
	switch (at->kind) {
	case AT_KPROBE:
	case AT_KRETPROBE:
		fd = attach_kprobe(at, prog_fd);
		break;
	case AT_TRACEPOINT:
	default:
		snprintf(category, sizeof(category), "%s", at->target);
		event = strchr(category, ':');
		*event++ = '\0';
		fd = bpf_attach_tracepoint(prog_fd, category, event);
		break;
	}
	if (fd < 0)
		return errno ? -errno : -EINVAL;
	at->perf_fd = fd;
	return 0;
}

int hooks_check(const struct hooks *hooks, struct probe *probe, const struct key_layout *layout)
{
	const char *fns[HOOKS_MAX];

	for (unsigned int i = 0; i < hooks->n; i++)
		fns[i] = hooks->at[i].fn;
	return probe_check_contract(probe, layout, fns, hooks->n);
}

int hooks_load(struct hooks *hooks, struct probe *probe, bool verbose)
{
	for (unsigned int i = 0; i < hooks->n; i++) {
		struct attachment *at = &hooks->at[i];
		struct load_stats stats = { 0 };

		at->prog_fd = probe_load(probe, at->fn, prog_type(at), verbose ? &stats : NULL);
		if (at->prog_fd < 0)
			return at->prog_fd;
		if (stats.insns)
			log_verbose("verify    %7.1f ms  %s(): %lu instructions processed",
				    stats.verify_us / 1e3, at->fn, stats.insns);
	}
	return 0;
}

/* Outcomes before entries, so every call noted at entry has its outcome seen. */
int hooks_attach(struct hooks *hooks, const struct attachment **failed)
{
	for (int entries = 0; entries < 2; entries++)
		for (unsigned int i = 0; i < hooks->n; i++) {
			struct attachment *at = &hooks->at[i];
			int err;

			if (at->entry != entries)
				continue;
			err = attach_one(at, at->prog_fd);
			if (err) {
				*failed = at;
				hooks_detach(hooks);
				return err;
			}
		}
	return 0;
}

/*
 * The order of bcc's BPF::detach_kprobe_event: the perf event, then the
 * tracefs entry.  libbcc falls back to a tracefs kprobe on its own when the
 * PMU fails, so look for our entry wherever kprobe_events exists (libbcc
 * removes it only if it is there).
 */
static void detach_one(struct attachment *at)
{
	char category[sizeof(at->target)], *event;

	if (at->perf_fd < 0)
		return;
	bpf_close_perf_event_fd(at->perf_fd);
	at->perf_fd = -1;
	if (at->kind == AT_TRACEPOINT) {
		snprintf(category, sizeof(category), "%s", at->target);
		event = strchr(category, ':');
		*event++ = '\0';
		bpf_detach_tracepoint(category, event);
	} else if (tracefs_has(tracefs_path(), "kprobe_events")) {
		bpf_detach_kprobe(at->ev_name);
	}
}

void hooks_detach(struct hooks *hooks)
{
	for (unsigned int i = 0; i < hooks->n; i++)
		detach_one(&hooks->at[i]);
}
