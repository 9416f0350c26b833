// SPDX-License-Identifier: GPL-2.0
#include "image.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

/* what the kernel calls BPF_LD | BPF_IMM | BPF_DW, the two-slot 64-bit load */
#define INSN_LD_IMM64 0x18
/* its src_reg values: 1 a map by fd (what libbcc emits for a table); others we cannot carry */
#define PSEUDO_MAP_FD 1

static const char magic[16] = "bcc-execcount\0p1";
/* 2: each table's key and value descriptions after its flags */
#define FORMAT_VERSION IMAGE_FORMAT_VERSION

static unsigned int src_reg(const struct image_insn *insn)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return insn->regs >> 4;
#else
	return insn->regs & 0xf;
#endif
}

const struct image_table *image_table(const struct probe_image *img, const char *name)
{
	for (uint32_t i = 0; i < img->ntables; i++)
		if (strcmp(img->tables[i].name, name) == 0)
			return &img->tables[i];
	return NULL;
}

const struct image_prog *image_prog(const struct probe_image *img, const char *name)
{
	for (uint32_t i = 0; i < img->nprogs; i++)
		if (strcmp(img->progs[i].name, name) == 0)
			return &img->progs[i];
	return NULL;
}

static char *desc_copy(const char *desc, bool *failed)
{
	char *copy;

	if (!desc || !*desc || strlen(desc) > IMAGE_DESC_MAX)
		return NULL;
	copy = strdup(desc);
	if (!copy)
		*failed = true;
	return copy;
}

int image_set_descs(struct image_table *t, const char *key_desc, const char *value_desc)
{
	bool failed = false;

	free(t->key_desc);
	free(t->value_desc);
	t->key_desc = desc_copy(key_desc, &failed);
	t->value_desc = desc_copy(value_desc, &failed);
	return failed ? -ENOMEM : 0;
}

/* Every 64-bit load that names something: a table index below ntables, and nothing else. */
static bool references_valid(const struct image_insn *insns, uint32_t n, uint32_t ntables)
{
	for (uint32_t i = 0; i < n; i++) {
		if (insns[i].code != INSN_LD_IMM64)
			continue;
		/* the second half carries only the upper 32 bits (none for a table) */
		if (i + 1 == n || insns[i + 1].code || insns[i + 1].regs || insns[i + 1].off)
			return false;
		if (src_reg(&insns[i]) == PSEUDO_MAP_FD && insns[i + 1].imm)
			return false;
		if (src_reg(&insns[i]) != 0 &&
		    (src_reg(&insns[i]) != PSEUDO_MAP_FD || insns[i].imm < 0 ||
		     (uint32_t)insns[i].imm >= ntables))
			return false;
		i++;
	}
	return true;
}

int image_add_prog(struct probe_image *img, const char *name, const void *insns, size_t bytes,
		   const int *fds)
{
	struct image_prog *prog;
	uint32_t n = bytes / sizeof(struct image_insn);

	if (!*name)
		return -EINVAL;
	if (img->nprogs == IMAGE_PROGS_MAX || n > IMAGE_INSNS_MAX ||
	    bytes % sizeof(struct image_insn) || strlen(name) >= IMAGE_NAME_MAX)
		return -E2BIG;
	prog = &img->progs[img->nprogs];
	prog->insns = malloc(bytes ? bytes : 1);
	if (!prog->insns)
		return -ENOMEM;
	memcpy(prog->insns, insns, bytes);
	for (uint32_t i = 0; i < n; i++) {
		struct image_insn *insn = &prog->insns[i];
		uint32_t t;

		if (insn->code != INSN_LD_IMM64)
			continue;
		if (src_reg(insn) != PSEUDO_MAP_FD) {
			i++; /* its second half */
			continue;
		}
		for (t = 0; t < img->ntables && fds[t] != insn->imm; t++)
			;
		if (t == img->ntables) {
			free(prog->insns);
			prog->insns = NULL;
			return -ENOTSUP;
		}
		insn->imm = (int32_t)t;
		i++;
	}
	if (!references_valid(prog->insns, n, img->ntables)) {
		free(prog->insns);
		prog->insns = NULL;
		return -ENOTSUP;
	}
	strcpy(prog->name, name);
	prog->ninsns = n;
	img->nprogs++;
	return 0;
}

struct image_insn *image_relocate(const struct image_prog *prog, const int *fds)
{
	struct image_insn *out = malloc(prog->ninsns * sizeof(*out) + 1);

	if (!out)
		return NULL;
	memcpy(out, prog->insns, prog->ninsns * sizeof(*out));
	for (uint32_t i = 0; i < prog->ninsns; i++) {
		if (out[i].code != INSN_LD_IMM64)
			continue;
		if (src_reg(&out[i]) == PSEUDO_MAP_FD)
			out[i].imm = fds[out[i].imm];
		i++; /* the second half: the upper 32 bits */
	}
	return out;
}

/* Serializing: a growing buffer; a failed allocation sticks. */
struct writer {
	unsigned char *buf;
	size_t len, cap;
	bool failed;
};

static void put(struct writer *w, const void *data, size_t len)
{
	if (w->failed)
		return;
	if (w->len + len > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		unsigned char *buf;

		while (cap < w->len + len)
			cap *= 2;
		buf = realloc(w->buf, cap);
		if (!buf) {
			w->failed = true;
			return;
		}
		w->buf = buf;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, data, len);
	w->len += len;
}

static void put_u32(struct writer *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

static void put_str(struct writer *w, const char *s)
{
	put_u32(w, s ? strlen(s) : 0);
	if (s)
		put(w, s, strlen(s));
}

int image_serialize(const struct probe_image *img, const char *key, unsigned char **out,
		    size_t *len)
{
	struct writer w = { 0 };
	unsigned char digest[SHA256_LEN];

	put(&w, magic, sizeof(magic));
	put_u32(&w, FORMAT_VERSION);
	put_str(&w, key);
	put_str(&w, img->license);
	put_u32(&w, img->kern_version);
	put_u32(&w, img->ntables);
	for (uint32_t i = 0; i < img->ntables; i++) {
		const struct image_table *t = &img->tables[i];

		put_str(&w, t->name);
		put_u32(&w, t->type);
		put_u32(&w, t->key_size);
		put_u32(&w, t->value_size);
		put_u32(&w, t->max_entries);
		put_u32(&w, t->flags);
		put_str(&w, t->key_desc);
		put_str(&w, t->value_desc);
	}
	put_u32(&w, img->nprogs);
	for (uint32_t i = 0; i < img->nprogs; i++) {
		put_str(&w, img->progs[i].name);
		put_u32(&w, img->progs[i].ninsns);
		put(&w, img->progs[i].insns, img->progs[i].ninsns * sizeof(struct image_insn));
	}
	if (!w.failed)
		sha256(w.buf, w.len, digest);
	put(&w, digest, sizeof(digest));
	if (w.failed) {
		free(w.buf);
		return -ENOMEM;
	}
	*out = w.buf;
	*len = w.len;
	return 0;
}

/* Parsing: a cursor that refuses to read past the end. */
struct reader {
	const unsigned char *p, *end;
	bool short_read;
};

static bool get(struct reader *r, void *out, size_t len)
{
	if ((size_t)(r->end - r->p) < len) {
		r->short_read = true;
		return false;
	}
	memcpy(out, r->p, len);
	r->p += len;
	return true;
}

static uint32_t get_u32(struct reader *r)
{
	uint32_t v = 0;

	get(r, &v, sizeof(v));
	return v;
}

/* A string of fewer than cap bytes, no NUL inside, into out (NUL-terminated). */
static bool get_str(struct reader *r, char *out, size_t cap)
{
	uint32_t n = get_u32(r);

	if (n >= cap || !get(r, out, n))
		return false;
	out[n] = '\0';
	return strlen(out) == n;
}

/* A description: NULL when empty, else malloc'ed; false when malformed or out of memory. */
static bool get_desc(struct reader *r, char **out, bool *no_memory)
{
	uint32_t n = get_u32(r);

	*out = NULL;
	if (n > IMAGE_DESC_MAX || (size_t)(r->end - r->p) < n || memchr(r->p, '\0', n))
		return false;
	if (!n)
		return true;
	*out = malloc(n + 1);
	if (!*out) {
		*no_memory = true;
		return false;
	}
	get(r, *out, n);
	(*out)[n] = '\0';
	return true;
}

int image_parse(struct probe_image *img, const unsigned char *buf, size_t len, const char *key,
		const char **why)
{
	unsigned char digest[SHA256_LEN], tag[sizeof(magic)];
	struct reader r = { buf, buf + len, false };
	bool no_memory = false;
	uint32_t key_len;

	*why = "not a bcc-execcount cache entry";
	if (len < sizeof(magic) || memcmp(buf, magic, sizeof(magic)))
		return -EINVAL;
	*why = "truncated";
	if (len < sizeof(magic) + 4 + SHA256_LEN)
		return -EINVAL;
	*why = "corrupt: its checksum does not match its content";
	sha256(buf, len - SHA256_LEN, digest);
	if (memcmp(digest, buf + len - SHA256_LEN, SHA256_LEN))
		return -EINVAL;
	r.end -= SHA256_LEN;
	get(&r, tag, sizeof(tag));
	*why = "written by another version of the cache format";
	if (get_u32(&r) != FORMAT_VERSION)
		return -EINVAL;
	*why = "compiled for another configuration than its name says";
	key_len = get_u32(&r);
	if (key_len != strlen(key) || (size_t)(r.end - r.p) < key_len || memcmp(r.p, key, key_len))
		return -EINVAL;
	r.p += key_len;

	*why = "malformed";
	if (!get_str(&r, img->license, sizeof(img->license)))
		return -EINVAL;
	img->kern_version = get_u32(&r);
	img->ntables = get_u32(&r);
	if (img->ntables > IMAGE_TABLES_MAX) {
		img->ntables = 0;
		return -EINVAL;
	}
	for (uint32_t i = 0; i < img->ntables; i++) {
		struct image_table *t = &img->tables[i];

		if (!get_str(&r, t->name, sizeof(t->name)) || !*t->name)
			return -EINVAL;
		t->type = get_u32(&r);
		t->key_size = get_u32(&r);
		t->value_size = get_u32(&r);
		t->max_entries = get_u32(&r);
		t->flags = get_u32(&r);
		if (!get_desc(&r, &t->key_desc, &no_memory) ||
		    !get_desc(&r, &t->value_desc, &no_memory)) {
			if (no_memory)
				*why = "out of memory";
			return no_memory ? -ENOMEM : -EINVAL;
		}
	}
	{
		uint32_t nprogs = get_u32(&r);

		if (nprogs > IMAGE_PROGS_MAX)
			return -EINVAL;
		for (uint32_t i = 0; i < nprogs; i++) {
			struct image_prog *prog = &img->progs[i];
			uint32_t n;

			if (!get_str(&r, prog->name, sizeof(prog->name)) || !*prog->name)
				return -EINVAL;
			n = get_u32(&r);
			if (n > IMAGE_INSNS_MAX || (size_t)(r.end - r.p) < n * sizeof(*prog->insns))
				return -EINVAL;
			prog->insns = malloc(n * sizeof(*prog->insns) + 1);
			if (!prog->insns) {
				*why = "out of memory";
				return -ENOMEM;
			}
			img->nprogs = i + 1;
			get(&r, prog->insns, n * sizeof(*prog->insns));
			prog->ninsns = n;
			if (!references_valid(prog->insns, n, img->ntables))
				return -EINVAL;
		}
	}
	if (r.short_read || r.p != r.end)
		return -EINVAL;
	*why = NULL;
	return 0;
}

void image_free(struct probe_image *img)
{
	for (uint32_t i = 0; i < img->ntables; i++) {
		free(img->tables[i].key_desc);
		free(img->tables[i].value_desc);
		img->tables[i].key_desc = img->tables[i].value_desc = NULL;
	}
	for (uint32_t i = 0; i < img->nprogs; i++) {
		free(img->progs[i].insns);
		img->progs[i].insns = NULL;
	}
	img->nprogs = 0;
}
