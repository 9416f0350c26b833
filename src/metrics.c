// SPDX-License-Identifier: GPL-2.0
#include "metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

void metrics_write_label_value(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = utf8_len(p);

		if (n == 0) {
			fputs("\xef\xbf\xbd", out); /* U+FFFD: the format is UTF-8 */
			p++;
			continue;
		}
		if (*p == '\\')
			fputs("\\\\", out);
		else if (*p == '"')
			fputs("\\\"", out);
		else if (*p == '\n')
			fputs("\\n", out);
		else
			fwrite(p, 1, n, out);
		p += n;
	}
}

static void label(FILE *out, const char **sep, const char *name, const char *value)
{
	fprintf(out, "%s%s=\"", *sep, name);
	metrics_write_label_value(out, value);
	fputc('"', out);
	*sep = ",";
}

/* The key's labels, in --by order; row NULL: every one "other"; an unknown name "". */
static void key_labels(FILE *out, const struct render_opts *opts, const struct count_row *row,
		       const char **sep)
{
	char num[24];
	bool number;

	for (unsigned int f = 0; f < opts->nby; f++) {
		const struct key_field_info *field = key_field(opts->by[f]);

		for (unsigned int c = 0; c < field->ncolumns; c++) {
			const char *v =
				row ? key_column_value(field, &field->columns[c], row, num, &number)
				    : "other";

			label(out, sep, field->columns[c].name, v ? v : "");
		}
	}
}

/* One key's label set, rendered, and its counts. */
struct series {
	char *labels; /* `uid="0",user="root"`: without the outcome */
	size_t order; /* the row's place: by count, descending */
	uint64_t ok, failed;
};

static void execs(FILE *out, const struct series *one)
{
	static const char *const outcomes[] = { "ok", "failed" };
	const uint64_t values[] = { one->ok, one->failed };

	for (int i = 0; i < 2; i++)
		fprintf(out, "bcc_execcount_execs_total{%s%soutcome=\"%s\"} %" PRIu64 "\n",
			one->labels, *one->labels ? "," : "", outcomes[i], values[i]);
}

static int by_labels(const void *a, const void *b)
{
	const struct series *x = a, *y = b;
	int c = strcmp(x->labels, y->labels);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int by_order(const void *a, const void *b)
{
	const struct series *x = a, *y = b;

	return (x->order > y->order) - (x->order < y->order);
}

/*
 * The first n rows as series.  Two keys can render the same labels (each
 * byte of invalid UTF-8 becomes U+FFFD): they are summed, as a scraper keeps
 * only one of two equal series.  Returns the number of series, or -ENOMEM.
 */
static long build_series(const struct render_opts *opts, const struct view *view, size_t n,
			 struct series *all)
{
	size_t len, kept = 0;

	for (size_t i = 0; i < n; i++) {
		const char *sep = "";
		FILE *m = open_memstream(&all[i].labels, &len);

		if (!m) {
			for (size_t j = 0; j < i; j++)
				free(all[j].labels);
			return -ENOMEM;
		}
		key_labels(m, opts, view_row(view, i), &sep);
		fclose(m);
		all[i].order = i;
		all[i].ok = view_row(view, i)->n.ok;
		all[i].failed = view_row(view, i)->n.failed;
	}
	qsort(all, n, sizeof(*all), by_labels);
	for (size_t i = 0; i < n; i++) {
		if (kept && strcmp(all[kept - 1].labels, all[i].labels) == 0) {
			all[kept - 1].ok += all[i].ok;
			all[kept - 1].failed += all[i].failed;
			free(all[i].labels);
			continue;
		}
		all[kept++] = all[i];
	}
	qsort(all, kept, sizeof(*all), by_order);
	return (long)kept;
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int metrics_render(FILE *out, const struct render_opts *opts, const struct view *view,
		   const struct run_about *info)
{
	size_t n = view->len;
	uint64_t other_ok = 0, other_failed = 0;
	struct series *all;
	long kept;
	const char *sep;

	if (n > opts->max_series) {
		n = opts->max_series - 1;
		for (size_t i = n; i < view->len; i++) {
			other_ok += view_row(view, i)->n.ok;
			other_failed += view_row(view, i)->n.failed;
		}
	}
	all = calloc(n ? n : 1, sizeof(*all));
	kept = all ? build_series(opts, view, n, all) : -ENOMEM;
	if (kept < 0) {
		free(all);
		return -ENOMEM;
	}
	family(out, "bcc_execcount_execs_total", "counter",
	       "Exec calls (execve, execveat) finished since the tool started, by key and outcome.");
	for (long i = 0; i < kept; i++) {
		execs(out, &all[i]);
		free(all[i].labels);
	}
	free(all);
	if (n < view->len) {
		const char *folded = "";
		char *labels = NULL;
		size_t len;
		FILE *m = open_memstream(&labels, &len);

		if (!m)
			return -ENOMEM;
		/* a real key can be called "other" too (a program, a path): keep the two apart */
		key_labels(m, opts, NULL, &folded);
		label(m, &folded, "folded", "true");
		fclose(m);
		execs(out,
		      &(struct series){ .labels = labels, .ok = other_ok, .failed = other_failed });
		free(labels);
	}

	family(out, "bcc_execcount_dropped_total", "counter",
	       "Exec calls not counted because the kernel table was full (raise --max-keys).");
	fprintf(out, "bcc_execcount_dropped_total %" PRIu64 "\n", view->dropped);
	family(out, "bcc_execcount_keys", "gauge", "Keys in the kernel table.");
	fprintf(out, "bcc_execcount_keys %zu\n", view->len);
	family(out, "bcc_execcount_max_keys", "gauge", "Size of the kernel table (--max-keys).");
	fprintf(out, "bcc_execcount_max_keys %lu\n", opts->max_keys);
	family(out, "bcc_execcount_hook_info", "gauge", "The hooks attached, one series each (1).");
	for (unsigned int i = 0; i < info->nhooks; i++) {
		sep = "";
		fputs("bcc_execcount_hook_info{", out);
		label(out, &sep, "hook", info->hooks[i]);
		fputs("} 1\n", out);
	}
	family(out, "bcc_execcount_build_info", "gauge",
	       "Versions of bcc-execcount and libbcc (1).");
	sep = "";
	fputs("bcc_execcount_build_info{", out);
	label(out, &sep, "version", info->version);
	label(out, &sep, "libbcc", info->libbcc_version);
	fputs("} 1\n", out);
	return ferror(out) ? -EIO : 0;
}
