/* SPDX-License-Identifier: GPL-2.0 */
/*
 * image.h - a compiled probe as plain data: its tables' definitions and
 * each function's BPF instructions, with every reference to a table written
 * as the table's index instead of a file descriptor.  That is what the cache
 * keeps: loading it needs no compiler, only map creation and program loads.
 * Pure code: building, relocating, serializing and parsing, no libbcc.
 */
#ifndef EXECCOUNT_IMAGE_H
#define EXECCOUNT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_NAME_MAX	  64 /* table and function names (BPF's own are 16) */
#define IMAGE_TABLES_MAX  64
#define IMAGE_PROGS_MAX	  64
#define IMAGE_INSNS_MAX	  1000000 /* BPF_COMPLEXITY_LIMIT_INSNS */
#define IMAGE_LICENSE_MAX 128
/*
 * The entry's format; it is also in the cache key (cache.c), so entries of
 * two formats have two names and tools of either never replace each other's.
 */
#define IMAGE_FORMAT_VERSION 2u
#define IMAGE_DESC_MAX	     65536 /* a type description's bytes (typedesc.h) */

/* struct bpf_insn, without the kernel header */
struct image_insn {
	uint8_t code;
	uint8_t regs; /* dst_reg in the low nibble, src_reg in the high one (little-endian) */
	int16_t off;
	int32_t imm;
};

struct image_table {
	char name[IMAGE_NAME_MAX];
	uint32_t type; /* enum bpf_map_type */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t flags;
	/*
	 * libbcc's descriptions of the key and value types (typedesc.h), for the
	 * contract check on a hit as after a compile: malloc'ed, owned by the
	 * image, NULL when libbcc gave none.
	 */
	char *key_desc;
	char *value_desc;
};

struct image_prog {
	char name[IMAGE_NAME_MAX];
	struct image_insn *insns; /* table references hold the table's index */
	uint32_t ninsns;
};

struct probe_image {
	char license[IMAGE_LICENSE_MAX];
	uint32_t kern_version;
	struct image_table tables[IMAGE_TABLES_MAX];
	uint32_t ntables;
	struct image_prog progs[IMAGE_PROGS_MAX];
	uint32_t nprogs;
};

/* The table or function called name, or NULL. */
const struct image_table *image_table(const struct probe_image *img, const char *name);
const struct image_prog *image_prog(const struct probe_image *img, const char *name);

/*
 * Keep a copy of table t's key and value descriptions (NULL: none; longer
 * than IMAGE_DESC_MAX: none, the contract check then refuses the table).
 * 0 or -ENOMEM.
 */
int image_set_descs(struct image_table *t, const char *key_desc, const char *value_desc);

/*
 * Add a function whose instructions refer to tables by file descriptor:
 * fds[i] is table i's.  Each reference becomes the index.  -EINVAL (no
 * name), -E2BIG (too many functions or instructions, too long a name),
 * -ENOMEM, or -ENOTSUP: an instruction this
 * format cannot carry (a reference to an fd that is no table's, global data,
 * BTF ids, function pointers): such a probe is compiled every time.
 */
int image_add_prog(struct probe_image *img, const char *name, const void *insns, size_t bytes,
		   const int *fds);

/*
 * A copy of prog's instructions with each table index replaced by fds[index],
 * ready to load; free() it.  NULL with errno ENOMEM.
 */
struct image_insn *image_relocate(const struct image_prog *prog, const int *fds);

/*
 * The image as bytes, after key (a NUL-free text: what it was compiled
 * from), and a SHA-256 of all that at the end.  *out is malloc'ed.
 */
int image_serialize(const struct probe_image *img, const char *key, unsigned char **out,
		    size_t *len);

/*
 * The reverse, checking everything: returns 0, or -EINVAL with *why saying
 * what is wrong (truncated, checksum, format, another key...).  img must be
 * zeroed; image_free() it even on failure.
 */
int image_parse(struct probe_image *img, const unsigned char *buf, size_t len, const char *key,
		const char **why);

/* The instructions and descriptions freed; the rest stays. */
void image_free(struct probe_image *img);

#endif
