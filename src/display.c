// SPDX-License-Identifier: GPL-2.0
#include "display.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "output.h"
#include "text.h"
#include "ticker.h"

/* Once a stop signal came, how long stdout has to take the rest: a reader that does not, loses it. */
#define STOP_GRACE_MS 1000

int stdout_status(void)
{
	int err;

	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	err = errno ? errno : EIO;
	if (err == EPIPE)
		return -EPIPE;
	log_msg("writing to stdout: %s", strerror(err));
	return -err;
}

void display_init(struct display *d, const struct config *cfg, const char *hook)
{
	render_opts_of(cfg, &d->opts);
	d->sort = cfg->sort;
	d->top = cfg->top;
	d->live = cfg->format == FORMAT_TABLE && !cfg->noclear && isatty(STDOUT_FILENO);
	d->hook = hook;
}

int display_start(struct display *d, const struct run_about *about)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	errno = 0;
	output_start(&d->opts, stdout, about, &now);
	return stdout_status();
}

static int64_t mono_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/*
 * The block to stdout with write(2), which a stop signal cuts short: a
 * reader that holds the pipe full cannot keep the tool from stopping.  After
 * a stop signal, the rest (and the final block) has STOP_GRACE_MS to go out.
 * 0, -EPIPE, -ETIMEDOUT or -errno (said).
 */
static int put(struct display *d, const char *buf, size_t len)
{
	while (len) {
		bool stopping = ticker_stopped() != 0;
		int left = -1, r;
		ssize_t n;

		if (stopping) {
			if (!d->grace_end_ms)
				d->grace_end_ms = mono_ms() + STOP_GRACE_MS;
			left = (int)(d->grace_end_ms - mono_ms());
			if (left <= 0) {
				log_msg("warning: stdout took nothing for %d ms after the stop signal: the rest of the output is lost",
					STOP_GRACE_MS);
				return -ETIMEDOUT;
			}
		}
		r = ticker_wait_writable(STDOUT_FILENO, left);
		if (r == -EINTR || r == 0)
			continue; /* a stop signal, or the grace is over: see above */
		n = r < 0 ? r : ticker_write(STDOUT_FILENO, buf, len, stopping);
		if (n == -EINTR || n == -EAGAIN)
			continue;
		if (n == -EPIPE)
			return -EPIPE;
		if (n < 0) {
			log_msg("writing to stdout: %s", strerror((int)-n));
			return (int)n;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The terminal's size, or 0 x 0 when it does not say. */
static struct winsize screen_size(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row == 0 || ws.ws_col == 0)
		return (struct winsize){ 0 };
	return ws;
}

/* Rows for the live view: as many as fit the terminal, unless -r/--top says. */
static unsigned long live_rows(unsigned long top, const struct winsize *ws)
{
	if (top)
		return top;
	if (!ws->ws_row)
		return 20;
	/* header, blank, column names, the "more keys" and "dropped" lines, the last newline */
	return ws->ws_row > 8 ? ws->ws_row - 7 : 1;
}

int display_block(struct display *d, struct tick *t, bool final)
{
	const struct view *view;
	struct timespec now;
	char *block = NULL;
	size_t block_len = 0;
	struct winsize ws = d->live ? screen_size() : (struct winsize){ 0 };
	FILE *mem, *out;
	int err;

	d->opts.top = d->live ? live_rows(d->top, &ws) : d->top;
	/* classic is the original's line: uid order (of the --top busiest), no names */
	if (d->opts.format == FORMAT_CLASSIC)
		view = tick_view_classic(t, d->opts.top);
	else
		view = tick_view(t, d->sort, d->opts.top);
	if (!view) {
		log_msg("out of memory ordering %zu rows", t->cur.len);
		return -ENOMEM;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	/*
	 * The block is rendered in memory and written at once: stdout is line
	 * buffered (each interval must reach a pipe at once), and a write per row
	 * was a fifth of the tool's CPU with 1,000 keys (docs/performance.md).  A
	 * terminal redrawn in place gets its whole screen in one write too.
	 */
	mem = open_memstream(&block, &block_len);
	out = mem ? mem : stdout;
	errno = 0;
	if (d->live)
		output_live(&d->opts, out, view, &now, final, d->hook);
	else
		output_rows(&d->opts, out, view, &now, final);
	if (mem) {
		err = fclose(mem) ? -ENOMEM : 0;
		errno = 0;
		/* a screen narrower or shorter than the block: cut, so nothing wraps or scrolls */
		if (!err && ws.ws_row)
			block_len = text_fit_screen(block, block_len, ws.ws_col, ws.ws_row);
		if (err)
			log_msg("out of memory rendering %zu rows", view->len);
		else
			err = put(d, block, block_len);
		free(block);
		return err;
	}
	return stdout_status();
}
