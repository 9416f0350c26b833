/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_snapshot.h - a configuration and a snapshot of rows made from the
 * fuzzer's bytes, the way the tool makes them: the options within what
 * cli_parse() accepts (its defaults, then --by in any order, --sort by a
 * field in the key, --top, --max-series, ...), each row's key as the
 * kernel's raw bytes (arbitrary uid, cgroup id, comm and exe bytes: invalid
 * UTF-8, control bytes, bytes after a NUL, no NUL at all) through
 * key_decode(), then sorted by key, merged, given deltas against an altered
 * previous snapshot and sorted for display; user names and cgroup paths
 * from the input too.
 */
#ifndef EXECCOUNT_FUZZ_SNAPSHOT_H
#define EXECCOUNT_FUZZ_SNAPSHOT_H

#include <time.h>

#include "cli.h"
#include "counts.h"
#include "fuzz.h"
#include "keys.h"

#define FUZZ_MAX_ROWS	255 /* a count byte */
#define FUZZ_MAX_USER	256
#define FUZZ_MAX_CGROUP 1024

struct fuzz_case {
	struct config cfg;
	struct snapshot snap;
	struct timespec now;
	bool final;
	const char *hook;
	/* the names handed to rows (owned here) */
	char *names[2 * FUZZ_MAX_ROWS];
	size_t nnames;
};

static inline void fuzz_config(struct fuzz_in *in, struct config *cfg)
{
	char *argv[] = { "bcc-execcount", NULL };
	unsigned int mask = fuzz_u8(in) % 15 + 1; /* a non-empty subset of the 4 fields */
	enum key_field left[FIELD_COUNT_];
	unsigned int nleft = 0;
	FILE *null = fopen("/dev/null", "w");

	if (!null || cli_parse(cfg, 1, argv, null, null) != 0)
		fuzz_fail("cli_parse of no options failed");
	fclose(null);

	/* --by: the fields of mask in an order the input picks */
	for (int f = 0; f < FIELD_COUNT_; f++)
		if (mask & 1u << f)
			left[nleft++] = f;
	cfg->nby = 0;
	cfg->by_mask = mask;
	while (nleft) {
		unsigned int pick = fuzz_u8(in) % nleft;

		cfg->by[cfg->nby++] = left[pick];
		left[pick] = left[--nleft];
	}
	cfg->sort = fuzz_u8(in) % ORDER_COUNT_;
	if (count_order_field(cfg->sort) >= 0 && !(mask & 1u << count_order_field(cfg->sort)))
		cfg->sort = ORDER_BY_COUNT; /* cli_parse refuses a sort field outside --by */
	cfg->top = fuzz_range(in, 0, CLI_MAX_TOP);
	cfg->interval = fuzz_range(in, 1, CLI_MAX_INTERVAL);
	cfg->max_keys = fuzz_range(in, 1, CLI_MAX_MAX_KEYS);
	cfg->max_series = fuzz_range(in, 1, CLI_MAX_MAX_SERIES);
}

/* A name for a row: NULL (not known) or any bytes up to max. */
static inline const char *fuzz_name(struct fuzz_in *in, struct fuzz_case *fc, size_t max)
{
	if (!(fuzz_u8(in) & 1) || fc->nnames == sizeof(fc->names) / sizeof(fc->names[0]))
		return NULL;
	return fc->names[fc->nnames++] = fuzz_string(in, max);
}

static inline void fuzz_check_sorted_by_key(const struct snapshot *snap, const char *when)
{
	for (size_t i = 1; i < snap->len; i++)
		if (key_compare(&snap->rows[i - 1].key, &snap->rows[i].key) >= 0)
			fuzz_fail("%s: rows %zu and %zu not in strict key order", when, i - 1, i);
}

static inline void fuzz_case_build(struct fuzz_in *in, struct fuzz_case *fc)
{
	struct key_layout layout;
	unsigned char raw[512];
	struct snapshot prev = { 0 };
	struct exec_counts sum = { 0 }, merged = { 0 };
	size_t out = 0, nrows;

	memset(fc, 0, sizeof(*fc));
	fuzz_config(in, &fc->cfg);
	fc->now.tv_sec = (time_t)fuzz_u64(in);
	fc->now.tv_nsec = (long)(fuzz_u64(in) % 1000000000);
	fc->final = fuzz_u8(in) & 1;
	fc->hook = fuzz_u8(in) & 1 ? "kprobe" : "tracepoint";
	fc->snap.dropped = fuzz_u64(in);

	key_layout_init(&layout, fc->cfg.by_mask);
	if (layout.size > sizeof(raw))
		fuzz_fail("key size %zu", layout.size);
	/* how many rows: the previous snapshot's edits and the names follow them */
	nrows = fuzz_u8(in);
	for (size_t i = 0; i < nrows && in->n; i++) {
		struct exec_key key;
		struct exec_counts n;
		uint64_t cgroup = fuzz_u64(in);
		uint32_t uid = (uint32_t)fuzz_u64(in);

		/* the kernel's bytes: fields where the layout puts them, the rest (padding) any
		 * byte */
		memset(raw, fuzz_u8(in), sizeof(raw));
		if (layout.fields & 1u << FIELD_CGROUP)
			memcpy(raw + layout.offset[FIELD_CGROUP], &cgroup, sizeof(cgroup));
		if (layout.fields & 1u << FIELD_UID)
			memcpy(raw + layout.offset[FIELD_UID], &uid, sizeof(uid));
		if (layout.fields & 1u << FIELD_COMM) {
			memset(raw + layout.offset[FIELD_COMM], 0, KEY_COMM_LEN);
			fuzz_bytes(in, raw + layout.offset[FIELD_COMM], KEY_COMM_LEN);
		}
		if (layout.fields & 1u << FIELD_EXE) {
			memset(raw + layout.offset[FIELD_EXE], 0, KEY_EXE_LEN);
			fuzz_bytes(in, raw + layout.offset[FIELD_EXE], KEY_EXE_LEN);
		}
		key_decode(&layout, raw, &key);
		n.execve = fuzz_u64(in);
		n.execveat = fuzz_u64(in);
		n.ok = fuzz_u64(in);
		n.failed = fuzz_u64(in);
		if (snapshot_push(&fc->snap, &key, &n))
			abort();
		sum.execve += n.execve;
		sum.execveat += n.execveat;
		sum.ok += n.ok;
		sum.failed += n.failed;
	}

	/* as the tool reads the table: by key, equal keys merged, sums kept */
	counts_sort(&fc->snap, ORDER_BY_KEY);
	counts_merge(&fc->snap);
	fuzz_check_sorted_by_key(&fc->snap, "after counts_merge");
	for (size_t i = 0; i < fc->snap.len; i++) {
		const struct count_row *r = &fc->snap.rows[i];

		if (r->count != r->n.execve + r->n.execveat)
			fuzz_fail("row %zu: count %llu != execve + execveat", i,
				  (unsigned long long)r->count);
		merged.execve += r->n.execve;
		merged.execveat += r->n.execveat;
		merged.ok += r->n.ok;
		merged.failed += r->n.failed;
	}
	if (memcmp(&sum, &merged, sizeof(sum)) != 0)
		fuzz_fail("counts_merge changed the totals");

	/* the previous snapshot: the same keys, some gone, some counts changed */
	if (snapshot_copy(&prev, &fc->snap))
		abort();
	for (size_t i = 0; i < prev.len; i++) {
		uint8_t op = fuzz_u8(in) % 4;

		if (op == 1)
			continue; /* a key new since */
		if (op == 2)
			prev.rows[i].count = fuzz_u64(in); /* higher: the counter was reset */
		else if (op == 3 && prev.rows[i].count)
			prev.rows[i].count -= fuzz_range(in, 0, prev.rows[i].count);
		prev.rows[out++] = prev.rows[i];
	}
	prev.len = out;
	counts_delta(&fc->snap, &prev);
	for (size_t i = 0; i < fc->snap.len; i++)
		if (fc->snap.rows[i].delta > fc->snap.rows[i].count)
			fuzz_fail("row %zu: delta above count", i);
	snapshot_free(&prev);

	counts_sort(&fc->snap, fc->cfg.sort);
	for (size_t i = 0; i < fc->snap.len; i++) {
		struct count_row *r = &fc->snap.rows[i];

		if (fc->cfg.by_mask & 1u << FIELD_UID)
			r->user = fuzz_name(in, fc, FUZZ_MAX_USER);
		if (fc->cfg.by_mask & 1u << FIELD_CGROUP)
			r->cgroup = fuzz_name(in, fc, FUZZ_MAX_CGROUP);
	}
}

static inline void fuzz_case_free(struct fuzz_case *fc)
{
	for (size_t i = 0; i < fc->nnames; i++)
		free(fc->names[i]);
	snapshot_free(&fc->snap);
}

#endif
