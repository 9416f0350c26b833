// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_keys.c - the kernel's key bytes decoded for every --by layout, and the
 * order over keys.
 *
 * For a layout the input picks (any subset of uid, comm, exe, cgroup,
 * the empty one too), keys are decoded from raw bytes of the layout's size:
 * fresh bytes, or the previous key's bytes with one byte changed (so equal
 * and nearly equal keys are common).  Checked besides memory safety and UB:
 *  - the layout: every field inside the key, aligned, none overlapping, the
 *    size a multiple of the largest alignment;
 *  - key_decode: the strings always end in NUL within their arrays, the
 *    fields of the layout are the raw bytes (strings up to their first NUL),
 *    the others zero;
 *  - key_compare: a total order consistent with field equality
 *    (reflexive, antisymmetric; transitive over up to 24 keys decoded);
 *  - counts_sort by key then counts_merge: strictly ascending keys, the
 *    counters' totals unchanged; every other --sort keeps the rows (a
 *    permutation) and orders by its number or field.
 */
#include "fuzz.h"

#include "counts.h"
#include "keys.h"

#define MAX_KEYS    64
#define MAX_TRIPLES 24 /* transitivity is checked over this many keys (n^3) */

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void check_layout(const struct key_layout *l, unsigned int fields)
{
	static const size_t size[FIELD_COUNT_] = {
		[FIELD_UID] = 4,
		[FIELD_COMM] = KEY_COMM_LEN,
		[FIELD_EXE] = KEY_EXE_LEN,
		[FIELD_CGROUP] = 8,
	};
	static const size_t align[FIELD_COUNT_] = {
		[FIELD_UID] = 4,
		[FIELD_COMM] = 1,
		[FIELD_EXE] = 1,
		[FIELD_CGROUP] = 8,
	};
	size_t max_align = 1;

	if (l->fields != fields)
		fuzz_fail("layout fields %#x, asked %#x", l->fields, fields);
	for (int f = 0; f < FIELD_COUNT_; f++) {
		if (!(fields & 1u << f))
			continue;
		if (l->offset[f] + size[f] > l->size || l->offset[f] % align[f])
			fuzz_fail("field %d at %zu (size %zu) in a key of %zu", f, l->offset[f],
				  size[f], l->size);
		if (align[f] > max_align)
			max_align = align[f];
		for (int g = 0; g < f; g++)
			if ((fields & 1u << g) && l->offset[f] < l->offset[g] + size[g] &&
			    l->offset[g] < l->offset[f] + size[f])
				fuzz_fail("fields %d and %d overlap", f, g);
	}
	if (l->size % max_align)
		fuzz_fail("key size %zu not a multiple of %zu", l->size, max_align);
}

static void check_decoded(const struct key_layout *l, const unsigned char *raw,
			  const struct exec_key *k)
{
	bool cg = l->fields & 1u << FIELD_CGROUP, uid = l->fields & 1u << FIELD_UID;
	bool comm = l->fields & 1u << FIELD_COMM, exe = l->fields & 1u << FIELD_EXE;

	if (k->comm[KEY_COMM_LEN] || k->exe[KEY_EXE_LEN])
		fuzz_fail("a decoded string without its NUL");
	if (cg ? memcmp(&k->cgroup, raw + l->offset[FIELD_CGROUP], 8) != 0 : k->cgroup != 0)
		fuzz_fail("cgroup decoded wrong");
	if (uid ? memcmp(&k->uid, raw + l->offset[FIELD_UID], 4) != 0 : k->uid != 0)
		fuzz_fail("uid decoded wrong");
	if (comm ? strncmp(k->comm, (const char *)raw + l->offset[FIELD_COMM], KEY_COMM_LEN) != 0
		 : k->comm[0] != 0)
		fuzz_fail("comm decoded wrong");
	if (exe ? strncmp(k->exe, (const char *)raw + l->offset[FIELD_EXE], KEY_EXE_LEN) != 0
		: k->exe[0] != 0)
		fuzz_fail("exe decoded wrong");
}

static bool keys_equal(const struct exec_key *a, const struct exec_key *b)
{
	return a->uid == b->uid && a->cgroup == b->cgroup && strcmp(a->comm, b->comm) == 0 &&
	       strcmp(a->exe, b->exe) == 0;
}

static void check_order(const struct exec_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (key_compare(&keys[i], &keys[i]) != 0)
			fuzz_fail("key %zu differs from itself", i);
		for (size_t j = 0; j < n; j++) {
			int ij = sign(key_compare(&keys[i], &keys[j]));

			if (ij != -sign(key_compare(&keys[j], &keys[i])))
				fuzz_fail("keys %zu and %zu: not antisymmetric", i, j);
			if ((ij == 0) != keys_equal(&keys[i], &keys[j]))
				fuzz_fail("keys %zu and %zu: compare %d, fields %s", i, j, ij,
					  keys_equal(&keys[i], &keys[j]) ? "equal" : "differ");
			if (ij > 0 || n > MAX_TRIPLES)
				continue;
			for (size_t k = 0; k < n; k++)
				if (key_compare(&keys[j], &keys[k]) <= 0 &&
				    key_compare(&keys[i], &keys[k]) > 0)
					fuzz_fail("keys %zu <= %zu <= %zu but not %zu <= %zu", i, j,
						  k, i, k);
		}
	}
}

static uint64_t row_number(const struct count_row *r, enum count_order order)
{
	switch (order) {
	case ORDER_BY_COUNT:
		return r->count;
	case ORDER_BY_OK:
		return r->n.ok;
	case ORDER_BY_FAILED:
		return r->n.failed;
	case ORDER_BY_DELTA:
		return r->delta;
	case ORDER_BY_EXECVE:
		return r->n.execve;
	case ORDER_BY_EXECVEAT:
		return r->n.execveat;
	default:
		return 0;
	}
}

/* Row a comes before b in order (a number descending, a field ascending); ties by key. */
static void check_pair(const struct count_row *a, const struct count_row *b, enum count_order order,
		       size_t i)
{
	int c = 0;

	switch (order) {
	case ORDER_BY_KEY:
		break;
	case ORDER_BY(FIELD_UID):
		c = (a->key.uid > b->key.uid) - (a->key.uid < b->key.uid);
		break;
	case ORDER_BY(FIELD_COMM):
		c = sign(strcmp(a->key.comm, b->key.comm));
		break;
	case ORDER_BY(FIELD_EXE):
		c = sign(strcmp(a->key.exe, b->key.exe));
		break;
	case ORDER_BY(FIELD_CGROUP):
		c = (a->key.cgroup > b->key.cgroup) - (a->key.cgroup < b->key.cgroup);
		break;
	default:
		c = (row_number(a, order) < row_number(b, order)) -
		    (row_number(a, order) > row_number(b, order));
		break;
	}
	if (c > 0 || (c == 0 && key_compare(&a->key, &b->key) > 0))
		fuzz_fail("--sort %d: rows %zu and %zu out of order", order, i, i + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned int fields = fuzz_u8(&in) % (1u << FIELD_COUNT_);
	struct key_layout layout;
	unsigned char raw[MAX_KEYS][512];
	struct exec_key keys[MAX_KEYS];
	struct snapshot snap = { 0 }, sorted = { 0 };
	uint64_t total = 0, merged = 0;
	size_t n = 0;

	key_layout_init(&layout, fields);
	check_layout(&layout, fields);
	if (layout.size > sizeof(raw[0]))
		fuzz_fail("key size %zu", layout.size);

	while (in.n && n < MAX_KEYS) {
		uint8_t op = fuzz_u8(&in);
		struct exec_counts counts;

		if (n && op % 3 == 1) {
			/* the previous key with one byte changed: bytes after a NUL, say */
			memcpy(raw[n], raw[n - 1], layout.size);
			if (layout.size)
				raw[n][fuzz_u8(&in) % layout.size] = fuzz_u8(&in);
		} else if (n && op % 3 == 2) {
			memcpy(raw[n], raw[fuzz_u8(&in) % n], layout.size);
		} else {
			memset(raw[n], 0, layout.size);
			fuzz_bytes(&in, raw[n], layout.size);
		}
		key_decode(&layout, raw[n], &keys[n]);
		check_decoded(&layout, raw[n], &keys[n]);
		counts.execve = fuzz_u64(&in);
		counts.execveat = fuzz_u64(&in);
		counts.ok = fuzz_u64(&in);
		counts.failed = fuzz_u64(&in);
		if (snapshot_push(&snap, &keys[n], &counts))
			abort();
		snap.rows[n].delta = fuzz_u64(&in);
		total += snap.rows[n].count;
		n++;
	}
	check_order(keys, n);

	for (int order = ORDER_BY_COUNT; order < ORDER_COUNT_; order++) {
		uint64_t sum = 0;

		if (snapshot_copy(&sorted, &snap))
			abort();
		counts_sort(&sorted, order);
		for (size_t i = 0; i < sorted.len; i++) {
			sum += sorted.rows[i].count;
			if (i + 1 < sorted.len)
				check_pair(&sorted.rows[i], &sorted.rows[i + 1], order, i);
		}
		if (sorted.len != n || sum != total)
			fuzz_fail("--sort %d lost rows", order);
	}

	counts_sort(&snap, ORDER_BY_KEY);
	counts_merge(&snap);
	for (size_t i = 0; i < snap.len; i++) {
		merged += snap.rows[i].count;
		if (i && key_compare(&snap.rows[i - 1].key, &snap.rows[i].key) >= 0)
			fuzz_fail("after merge: rows %zu and %zu not strictly ascending", i - 1, i);
	}
	if (merged != total)
		fuzz_fail("merge changed the total");
	snapshot_free(&snap);
	snapshot_free(&sorted);
	return 0;
}
