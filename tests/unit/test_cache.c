// SPDX-License-Identifier: GPL-2.0
/*
 * test_cache.c - the compiled-program cache.  sha256 (nettle's, through
 * sha256.h): the FIPS 180-4 vectors, the same digest whatever pieces the data
 * comes in (across block and padding boundaries), the hex form.  cache_key_text: every input in the
 * text (and so in the entry's name), nothing ambiguous (a newline inside an
 * input), a buffer too small.  image: table references turned into table
 * indices and back, what cannot be carried refused, the bytes as laid out,
 * and image_parse refusing every flipped byte, every truncation, another key,
 * another format version (1, before the tables carried their type
 * descriptions), and each malformed field behind a valid checksum.
 * cache: the directory made or refused (a symlink, a file, writable by
 * others, another owner), an entry stored and loaded back, and refused when it
 * is a symlink, a FIFO, a directory, writable by others, hard-linked, empty,
 * too large, corrupt or another owner's; a symlink planted at the entry's
 * name replaced, its target untouched; --doctor's line.  The temporary files
 * of stores that did not finish: atomic_write_temp_of() tells them by name,
 * and cache_open() removes the stale ones (and nothing else: younger ones,
 * other names, symlinks, directories).
 */
#include "unit.h"

#include <dirent.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "atomic_write.h"
#include "cache.h"
#include "image.h"
#include "log.h"
#include "sha256.h"

/* ---- sha256 ---- */

static void assert_digest(const unsigned char digest[SHA256_LEN], const char *want)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(digest, hex);
	assert_string_equal(hex, want);
}

static void test_sha256_fips(void **state)
{
	static const struct {
		const char *msg;
		const char *hex;
	} vectors[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		/* 448 bits: the padding needs a second block */
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		/* 896 bits */
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	static const char million_a[] =
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	unsigned char digest[SHA256_LEN];
	struct sha256_ctx s;
	char *a;

	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		sha256(vectors[i].msg, strlen(vectors[i].msg), digest);
		assert_digest(digest, vectors[i].hex);
	}
	/* one million 'a': in one call, in 1000 pieces of 1000, one byte at a time */
	a = malloc(1000000);
	assert_non_null(a);
	memset(a, 'a', 1000000);
	sha256(a, 1000000, digest);
	assert_digest(digest, million_a);
	sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		sha256_update(&s, 1000, (const uint8_t *)a + 1000 * i);
	sha256_digest(&s, SHA256_LEN, digest);
	assert_digest(digest, million_a);
	sha256_init(&s);
	for (int i = 0; i < 1000000; i++)
		sha256_update(&s, 1, (const uint8_t *)a + i);
	sha256_digest(&s, SHA256_LEN, digest);
	assert_digest(digest, million_a);
	free(a);
	/* a state is reusable after sha256_init */
	sha256_init(&s);
	sha256_update(&s, 3, (const uint8_t *)"abc");
	sha256_digest(&s, SHA256_LEN, digest);
	assert_digest(digest, vectors[1].hex);
}

/* byte i of the test data: (i * 37 + 11) mod 256 */
static const unsigned char *pattern(void)
{
	static unsigned char data[512];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 37 + 11);
	return data;
}

/* The digest of data fed piece bytes at a time, with empty updates in between. */
static void digest_in_pieces(const unsigned char *data, size_t len, size_t piece,
			     unsigned char digest[SHA256_LEN])
{
	struct sha256_ctx s;

	sha256_init(&s);
	for (size_t at = 0; at < len; at += piece) {
		sha256_update(&s, len - at < piece ? len - at : piece, data + at);
		sha256_update(&s, 0, data);
	}
	sha256_digest(&s, SHA256_LEN, digest);
}

static void test_sha256_pieces(void **state)
{
	/* from Python's hashlib, over the pattern above */
	static const struct {
		size_t len;
		const char *hex;
	} refs[] = {
		{ 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ 1, "e7cf46a078fed4fafd0b5e3aff144802b853f8ae459a4f0c14add3314b7cc3a6" },
		/* 55: the length fits in the same block; 56: it does not */
		{ 55, "2900465fcb533e05a158fd2b3be0e5e3b03740d83060aa3580e0d98a96bf2384" },
		{ 56, "31454ff48ef36af2f08fd511bdc37d9d5855ac23e992e5ff5445cb6b7674a674" },
		{ 57, "bcc0a5d3791b985b7550e04ca660a6c63a589ba1edd2283c8e110e5b515df124" },
		{ 63, "5f6401b96532c36de4e65beec0409b69b1d181864c8009b7a04f43e5d56350d1" },
		{ 64, "94eb5de4943613fd048dc93393ab06877405faa39c11f53e9386083339833e7e" },
		{ 65, "fc518669b6eb4b4dd91827ecacef86689c725bd5bab888fd3b26dbb196eec954" },
		{ 119, "b0dc41b1a384e2f1203f0351b38fbeaafceef577ce1191d5bfc25da39f721eae" },
		{ 120, "5df24dd802ac26132ce608dcb5f09841eef039ee0f152acf98d26d17fe4e88e6" },
		{ 127, "0fe729ff19257bd6fec853acc2ea355f6b34b58e6c0f684c3e188fcdfcd9baae" },
		{ 128, "0aedd4856f8eba0963627336ad5144a9a7dbe12498e6066f0165fc97d8ddee4c" },
		{ 129, "4f1757ae4bffbae86d775b831765b75af154d52f7deaa46dd378051a2d3ad57f" },
	};
	static const size_t pieces[] = { 1, 2, 3, 55, 56, 63, 64, 65, 127, 128, 1000 };
	const unsigned char *data = pattern();
	unsigned char digest[SHA256_LEN], whole[SHA256_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		sha256(data, refs[i].len, digest);
		assert_digest(digest, refs[i].hex);
		for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
			digest_in_pieces(data, refs[i].len, pieces[p], digest);
			assert_digest(digest, refs[i].hex);
		}
	}
	/* and every length up to 300 in every piece size up to 130 agrees with one call */
	for (size_t len = 0; len <= 300; len++) {
		sha256(data, len, whole);
		for (size_t piece = 1; piece <= 130; piece++) {
			digest_in_pieces(data, len, piece, digest);
			assert_memory_equal(digest, whole, SHA256_LEN);
		}
	}
}

static void test_sha256_hex(void **state)
{
	unsigned char digest[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 2];

	(void)state;
	/* 00 01 .. 0f, 10 20 .. f0, ff */
	for (int i = 0; i < 16; i++)
		digest[i] = (unsigned char)i;
	for (int i = 1; i < 16; i++)
		digest[15 + i] = (unsigned char)(i << 4);
	digest[31] = 0xff;
	memset(hex, 'X', sizeof(hex));
	sha256_hex(digest, hex);
	assert_string_equal(hex,
			    "000102030405060708090a0b0c0d0e0f102030405060708090a0b0c0d0e0f0ff");
	/* lowercase, 64 characters and a NUL, nothing written beyond */
	assert_int_equal(strlen(hex), SHA256_HEX_LEN);
	assert_int_equal(hex[SHA256_HEX_LEN + 1], 'X');
}

/* ---- cache_key_text, cache_entry_path ---- */

static const char *const base_cflags[] = { "-DA=1", "-DB=2" };
static const char base_source[] = "int x;\n";
static const char base_build[] = "#45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024";

static struct cache_key_input base_input(void)
{
	return (struct cache_key_input){
		.tool_version = "1.2.3",
		.libbcc_version = "0.29.1",
		.release = "6.8.0-45-generic",
		.build = base_build,
		.machine = "x86_64",
		.headers = "",
		.env = "",
		.cflags = base_cflags,
		.ncflags = 2,
		.source = base_source,
		.source_len = sizeof(base_source) - 1,
	};
}

/* The key text of in (asserted to fit), as a new string. */
static char *key_of(const struct cache_key_input *in)
{
	char buf[8192];

	assert_int_equal(cache_key_text(in, buf, sizeof(buf)), 0);
	return strdup(buf);
}

/* The entry path of key in a cache at dir. */
static void entry_path_in(const char *dir, const char *key, char *path)
{
	struct cache cache = { .usable = true };

	snprintf(cache.dir, sizeof(cache.dir), "%s", dir);
	cache_entry_path(&cache, key, path);
}

static void test_key_text_exact(void **state)
{
	struct cache_key_input in = base_input();
	char *key = key_of(&in);
	char path[PATH_MAX];
	unsigned char digest[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1], want[PATH_MAX];

	(void)state;
	/* sha256("int x;\n") from hashlib */
	assert_string_equal(
		key,
		"bcc-execcount 1.2.3 cache format 2\n"
		"libbcc 0.29.1\n"
		"kernel 6.8.0-45-generic\n"
		"build #45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024\n"
		"machine x86_64\n"
		"headers \n"
		"env \n"
		"probe sha256:7c725f30854a46033dd94f728ac6b08caf10845993cd3ed48e40079cdb0a76a6\n"
		"cflag -DA=1\n"
		"cflag -DB=2\n");
	/* the entry: the digest of that text, 64 lowercase hex characters + ".probe", in dir */
	entry_path_in("/var/cache/bcc-execcount", key, path);
	sha256(key, strlen(key), digest);
	sha256_hex(digest, hex);
	snprintf(want, sizeof(want), "/var/cache/bcc-execcount/%s.probe", hex);
	assert_string_equal(path, want);
	assert_int_equal(strlen(path), strlen("/var/cache/bcc-execcount/") + 64 + strlen(".probe"));
	for (size_t i = strlen("/var/cache/bcc-execcount/"), n = 0; n < 64; i++, n++)
		assert_non_null(strchr("0123456789abcdef", path[i]));
	entry_path_in("/tmp/c", key, path);
	snprintf(want, sizeof(want), "/tmp/c/%s.probe", hex);
	assert_string_equal(path, want);
	free(key);
}

static void test_key_text_every_input(void **state)
{
	static const char *const cflags_first[] = { "-DA=2", "-DB=2" };
	static const char *const cflags_second[] = { "-DA=1", "-DB=3" };
	static const char *const cflags_swapped[] = { "-DB=2", "-DA=1" };
	static const char *const cflags_one[] = { "-DA=1" };
	static const char *const cflags_joined[] = { "-DA=1 -DB=2" };
	static const char *const cflags_three[] = { "-DA=1", "-DB=2", "" };
	static const char source_last[] = "int x;\r";
	static const char source_first[] = "Int x;\n";
	enum { N = 20 };
	struct cache_key_input v[N];
	char *keys[N], paths[N][PATH_MAX];

	(void)state;
	for (int i = 0; i < N; i++)
		v[i] = base_input();
	v[1].tool_version = "1.2.4";
	v[2].libbcc_version = "0.29.2";
	v[3].release = "6.8.0-46-generic";
	v[4].build = "#46-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024";
	v[5].machine = "aarch64";
	v[6].headers = "/usr/src/linux-headers-6.8.0-45-generic";
	v[7].env = "395264";
	v[8].headers = "395264"; /* the same text in another field */
	v[9].cflags = cflags_first;
	v[10].cflags = cflags_second;
	v[11].cflags = cflags_swapped; /* their order */
	v[12].cflags = cflags_one;
	v[12].ncflags = 1;
	v[13].cflags = cflags_joined; /* one flag is not two */
	v[13].ncflags = 1;
	v[14].cflags = cflags_three; /* even an empty one counts */
	v[14].ncflags = 3;
	v[15].ncflags = 0;
	v[16].source = source_last; /* one byte of the probe */
	v[17].source = source_first;
	v[18].source_len = sizeof(base_source) - 2; /* one byte shorter */
	v[19].release = "6.8.0-45-generic\r";	    /* not a newline: another release */
	for (int i = 0; i < N; i++) {
		keys[i] = key_of(&v[i]);
		entry_path_in("/var/cache/bcc-execcount", keys[i], paths[i]);
	}
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++) {
			if (strcmp(keys[i], keys[j]) == 0 || strcmp(paths[i], paths[j]) == 0)
				print_error("inputs %d and %d give the same key:\n%s", i, j,
					    keys[i]);
			assert_string_not_equal(keys[i], keys[j]);
			assert_string_not_equal(paths[i], paths[j]);
		}
	for (int i = 0; i < N; i++)
		free(keys[i]);
}

static void test_key_text_identical(void **state)
{
	struct cache_key_input a = base_input(), b = base_input();
	char *copies[9], *source = malloc(sizeof(base_source));
	const char *cflags[2];
	char *ka, *kb, pa[PATH_MAX], pb[PATH_MAX];

	(void)state;
	/* equal inputs in other memory */
	copies[0] = strdup(a.tool_version);
	copies[1] = strdup(a.libbcc_version);
	copies[2] = strdup(a.release);
	copies[3] = strdup(a.build);
	copies[4] = strdup(a.machine);
	copies[5] = strdup(a.headers);
	copies[6] = strdup(a.env);
	copies[7] = strdup(base_cflags[0]);
	copies[8] = strdup(base_cflags[1]);
	assert_non_null(source);
	memcpy(source, base_source, sizeof(base_source));
	b.tool_version = copies[0];
	b.libbcc_version = copies[1];
	b.release = copies[2];
	b.build = copies[3];
	b.machine = copies[4];
	b.headers = copies[5];
	b.env = copies[6];
	cflags[0] = copies[7];
	cflags[1] = copies[8];
	b.cflags = cflags;
	b.source = source;
	ka = key_of(&a);
	kb = key_of(&b);
	assert_string_equal(ka, kb);
	entry_path_in("/d", ka, pa);
	entry_path_in("/d", kb, pb);
	assert_string_equal(pa, pb);
	/* and the same again */
	free(kb);
	kb = key_of(&a);
	assert_string_equal(ka, kb);
	free(ka);
	free(kb);
	for (int i = 0; i < 9; i++)
		free(copies[i]);
	free(source);
}

static void test_key_text_newline(void **state)
{
	static const char *const nl_first[] = { "-DA=1\n", "-DB=2" };
	static const char *const nl_second[] = { "-DA=1", "-DB=2\ncflag -DC=3" };
	static const char *const values[] = { "a\nb", "\n", "x\n", "\nx" };
	char buf[8192];

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		for (int field = 0; field < 7; field++) {
			struct cache_key_input in = base_input();
			const char **f[] = { &in.tool_version, &in.libbcc_version, &in.release,
					     &in.build,	       &in.machine,	   &in.headers,
					     &in.env };

			*f[field] = values[i];
			if (cache_key_text(&in, buf, sizeof(buf)) != -ENOSPC)
				print_error("field %d = \"%s\" accepted\n", field, values[i]);
			assert_int_equal(cache_key_text(&in, buf, sizeof(buf)), -ENOSPC);
		}
	}
	{
		struct cache_key_input in = base_input();

		in.cflags = nl_first;
		assert_int_equal(cache_key_text(&in, buf, sizeof(buf)), -ENOSPC);
		in.cflags = nl_second;
		assert_int_equal(cache_key_text(&in, buf, sizeof(buf)), -ENOSPC);
		/* only the cflags that are used */
		in.ncflags = 1;
		assert_int_equal(cache_key_text(&in, buf, sizeof(buf)), 0);
	}
	{
		/* the probe's text is hashed: its newlines are fine */
		struct cache_key_input in = base_input();
		static const char multi[] = "\n\n\nint x;\n\n";

		in.source = multi;
		in.source_len = sizeof(multi) - 1;
		assert_int_equal(cache_key_text(&in, buf, sizeof(buf)), 0);
		assert_int_equal(count_lines(buf), 10);
	}
}

static void test_key_text_too_small(void **state)
{
	struct cache_key_input in = base_input();
	char *key = key_of(&in);
	size_t need = strlen(key) + 1;

	(void)state;
	/* each size in its own allocation, exactly that big: ASan sees any byte beyond */
	for (size_t len = 0; len <= need; len++) {
		char *buf = malloc(len ? len : 1);

		assert_non_null(buf);
		if (len < need) {
			assert_int_equal(cache_key_text(&in, buf, len), -ENOSPC);
		} else {
			assert_int_equal(cache_key_text(&in, buf, len), 0);
			assert_string_equal(buf, key);
		}
		free(buf);
	}
	/* a source as big as one likes: only its digest is in the key */
	{
		size_t big = 1 << 20;
		char *source = malloc(big), *k;

		assert_non_null(source);
		memset(source, 'x', big);
		in.source = source;
		in.source_len = big;
		k = key_of(&in);
		assert_int_equal(strlen(k), strlen(key));
		free(k);
		free(source);
	}
	free(key);
}

/* ---- image ---- */

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define REGS(dst, src) ((uint8_t)((src) << 4 | (dst)))
#else
#define REGS(dst, src) ((uint8_t)((dst) << 4 | (src)))
#endif
/*
 * clang-format 14 lays a braced initializer in a macro out as a block, 19 on one line, and no
 * setting makes them agree: this one is left as written (tests/style/check-format.sh).
 */
// clang-format off
#define INSN(c, dst, src, o, i) { .code = (c), .regs = REGS(dst, src), .off = (o), .imm = (i) }
// clang-format on
#define NINSNS(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

#define LD_IMM64 0x18

/* fds[i] is table i's, in the run that compiled it */
static const int table_fds[3] = { 7, 9, 42 };

static const struct image_table test_tables[3] = {
	{ "counts", 1 /* hash */, 8, 16, 10240, 1 /* BPF_F_NO_PREALLOC */, NULL, NULL },
	{ "stats", 2 /* array */, 4, 8, 4, 0, NULL, NULL },
	{ "self", 2, 4, 4, 1, 0, NULL, NULL },
};

/* as the compiler left them: table references by fd */
static const struct image_insn exec_insns[] = {
	INSN(0xb7, 1, 0, 0, 0),	    /* r1 = 0 */
	INSN(LD_IMM64, 1, 1, 0, 9), /* r1 = table fd 9: stats */
	INSN(0x00, 0, 0, 0, 0),
	INSN(LD_IMM64, 2, 1, 0, 42), /* r2 = table fd 42: self */
	INSN(0x00, 0, 0, 0, 0),
	INSN(LD_IMM64, 3, 0, 0, 0x12345678), /* r3 = a constant whose upper half is 7 */
	INSN(0x00, 0, 0, 0, 7),
	INSN(LD_IMM64, 1, 1, 0, 7), /* r1 = table fd 7: counts */
	INSN(0x00, 0, 0, 0, 0),
	INSN(0xb7, 0, 0, 0, 9),	 /* r0 = 9: a number */
	INSN(0x07, 1, 0, 0, 42), /* r1 += 42: a number */
	INSN(0x85, 0, 0, 0, 1),	 /* call bpf_map_lookup_elem */
	INSN(0x95, 0, 0, 0, 0),	 /* exit */
};

/* as the image keeps them: table references by index */
static const struct image_insn exec_indexed[] = {
	INSN(0xb7, 1, 0, 0, 0),	    INSN(LD_IMM64, 1, 1, 0, 1), INSN(0x00, 0, 0, 0, 0),
	INSN(LD_IMM64, 2, 1, 0, 2), INSN(0x00, 0, 0, 0, 0),	INSN(LD_IMM64, 3, 0, 0, 0x12345678),
	INSN(0x00, 0, 0, 0, 7),	    INSN(LD_IMM64, 1, 1, 0, 0), INSN(0x00, 0, 0, 0, 0),
	INSN(0xb7, 0, 0, 0, 9),	    INSN(0x07, 1, 0, 0, 42),	INSN(0x85, 0, 0, 0, 1),
	INSN(0x95, 0, 0, 0, 0),
};

static const struct image_insn exit_insns[] = {
	INSN(LD_IMM64, 1, 1, 0, 42),
	INSN(0x00, 0, 0, 0, 0),
	INSN(0xb7, 0, 0, 0, 0),
	INSN(0x95, 0, 0, 0, 0),
};

/* libbcc's descriptions of counts' key and value (typedesc.h) */
#define KEY_DESC   "[\"execcount_key\", [[\"uid\",\"unsigned int\"] ], \"struct_packed\"]"
#define VALUE_DESC "[\"execcount_value\", [[\"ok\",\"unsigned long long\"] ], \"struct_packed\"]"

static void assert_descs_equal(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* A probe's image: three tables, two functions (img zeroed). */
static void build_image(struct probe_image *img)
{
	strcpy(img->license, "GPL");
	img->kern_version = 0x060800;
	memcpy(img->tables, test_tables, sizeof(test_tables));
	img->ntables = 3;
	assert_int_equal(image_set_descs(&img->tables[0], KEY_DESC, VALUE_DESC), 0);
	assert_int_equal(image_set_descs(&img->tables[1], "\"int\"", NULL), 0);
	assert_int_equal(
		image_add_prog(img, "count_exec", exec_insns, sizeof(exec_insns), table_fds), 0);
	assert_int_equal(
		image_add_prog(img, "count_exit", exit_insns, sizeof(exit_insns), table_fds), 0);
}

static void assert_images_equal(const struct probe_image *a, const struct probe_image *b)
{
	assert_string_equal(a->license, b->license);
	assert_int_equal(a->kern_version, b->kern_version);
	assert_int_equal(a->ntables, b->ntables);
	for (uint32_t i = 0; i < a->ntables; i++) {
		assert_string_equal(a->tables[i].name, b->tables[i].name);
		assert_int_equal(a->tables[i].type, b->tables[i].type);
		assert_int_equal(a->tables[i].key_size, b->tables[i].key_size);
		assert_int_equal(a->tables[i].value_size, b->tables[i].value_size);
		assert_int_equal(a->tables[i].max_entries, b->tables[i].max_entries);
		assert_int_equal(a->tables[i].flags, b->tables[i].flags);
		assert_descs_equal(a->tables[i].key_desc, b->tables[i].key_desc);
		assert_descs_equal(a->tables[i].value_desc, b->tables[i].value_desc);
	}
	assert_int_equal(a->nprogs, b->nprogs);
	for (uint32_t i = 0; i < a->nprogs; i++) {
		assert_string_equal(a->progs[i].name, b->progs[i].name);
		assert_int_equal(a->progs[i].ninsns, b->progs[i].ninsns);
		if (a->progs[i].ninsns)
			assert_memory_equal(a->progs[i].insns, b->progs[i].insns,
					    a->progs[i].ninsns * sizeof(struct image_insn));
	}
}

static void test_image_add_and_relocate(void **state)
{
	static const int other_fds[3] = { 100, 200, 300 };
	struct probe_image img = { 0 };
	struct image_insn copy[NINSNS(exec_insns)], want[NINSNS(exec_insns)];
	struct image_insn *out;
	const struct image_prog *prog;

	(void)state;
	assert_int_equal(sizeof(struct image_insn), 8); /* struct bpf_insn */
	memcpy(copy, exec_insns, sizeof(copy));
	build_image(&img);
	/* the caller's instructions untouched */
	assert_memory_equal(copy, exec_insns, sizeof(copy));
	assert_int_equal(img.nprogs, 2);
	assert_string_equal(img.progs[0].name, "count_exec");
	assert_int_equal(img.progs[0].ninsns, NINSNS(exec_insns));
	/* each table reference holds its table's index; nothing else changed */
	assert_memory_equal(img.progs[0].insns, exec_indexed, sizeof(exec_indexed));
	assert_string_equal(img.progs[1].name, "count_exit");
	assert_int_equal(img.progs[1].ninsns, NINSNS(exit_insns));
	assert_int_equal(img.progs[1].insns[0].imm, 2);
	assert_int_equal(img.progs[1].insns[2].imm, 0);

	/* looked up by name */
	prog = image_prog(&img, "count_exec");
	assert_ptr_equal(prog, &img.progs[0]);
	assert_ptr_equal(image_prog(&img, "count_exit"), &img.progs[1]);
	assert_null(image_prog(&img, "count"));
	assert_null(image_prog(&img, ""));
	assert_ptr_equal(image_table(&img, "counts"), &img.tables[0]);
	assert_ptr_equal(image_table(&img, "self"), &img.tables[2]);
	assert_null(image_table(&img, "count"));

	/* another run's fds: each reference gets its table's new fd */
	out = image_relocate(prog, other_fds);
	assert_non_null(out);
	memcpy(want, exec_insns, sizeof(want));
	want[1].imm = 200;
	want[3].imm = 300;
	want[7].imm = 100;
	assert_memory_equal(out, want, sizeof(want));
	free(out);
	/* the same fds: the compiler's instructions exactly */
	out = image_relocate(prog, table_fds);
	assert_non_null(out);
	assert_memory_equal(out, exec_insns, sizeof(exec_insns));
	free(out);
	/* the image itself is not changed by relocating */
	assert_memory_equal(img.progs[0].insns, exec_indexed, sizeof(exec_indexed));

	image_free(&img);
	assert_int_equal(img.nprogs, 0);
	assert_null(img.progs[0].insns);
	assert_null(img.progs[1].insns);
	/* twice is harmless */
	image_free(&img);
}

/* image_add_prog of insns into a fresh image with the test tables. */
static int add_one(const struct image_insn *insns, size_t bytes)
{
	struct probe_image img = { 0 };
	int err;

	memcpy(img.tables, test_tables, sizeof(test_tables));
	img.ntables = 3;
	err = image_add_prog(&img, "f", insns, bytes, table_fds);
	if (err) {
		assert_int_equal(img.nprogs, 0);
		assert_null(img.progs[0].insns);
	} else {
		assert_int_equal(img.nprogs, 1);
	}
	image_free(&img);
	return err;
}

static void test_image_add_refusals(void **state)
{
	static const struct image_insn unknown_fd[] = {
		INSN(LD_IMM64, 1, 1, 0, 5),
		INSN(0, 0, 0, 0, 0),
		INSN(0x95, 0, 0, 0, 0),
	};
	static const struct image_insn last_plain[] = {
		INSN(0xb7, 0, 0, 0, 0),
		INSN(LD_IMM64, 1, 0, 0, 1),
	};
	static const struct image_insn last_map[] = {
		INSN(0xb7, 0, 0, 0, 0),
		INSN(LD_IMM64, 1, 1, 0, 9),
	};
	static const struct image_insn ok_then_last[] = {
		INSN(LD_IMM64, 1, 1, 0, 9),
		INSN(0, 0, 0, 0, 0),
		INSN(LD_IMM64, 1, 1, 0, 9),
	};
	struct image_insn pseudo[3] = {
		INSN(LD_IMM64, 1, 1, 0, 9),
		INSN(0, 0, 0, 0, 0),
		INSN(0x95, 0, 0, 0, 0),
	};
	struct probe_image img = { 0 };
	char name[IMAGE_NAME_MAX + 1];
	void *huge;

	(void)state;
	/* the reference well formed: accepted */
	assert_int_equal(add_one(pseudo, sizeof(pseudo)), 0);
	/* an fd that is no table's */
	assert_int_equal(add_one(unknown_fd, sizeof(unknown_fd)), -ENOTSUP);
	/*
	 * src_reg 2 (a map value), 3 (a BTF id), 4 (a function), 5, 6 (maps by
	 * index) and anything else: even with the fd of a table as imm
	 */
	for (int src = 2; src < 16; src++) {
		pseudo[0].regs = REGS(1, src);
		if (add_one(pseudo, sizeof(pseudo)) != -ENOTSUP)
			print_error("ld_imm64 with src_reg %d accepted\n", src);
		assert_int_equal(add_one(pseudo, sizeof(pseudo)), -ENOTSUP);
	}
	/* a 64-bit load without its second half */
	assert_int_equal(add_one(last_plain, sizeof(last_plain)), -ENOTSUP);
	assert_int_equal(add_one(last_map, sizeof(last_map)), -ENOTSUP);
	assert_int_equal(add_one(ok_then_last, sizeof(ok_then_last)), -ENOTSUP);
	/* a partial instruction */
	assert_int_equal(add_one(exit_insns, sizeof(exit_insns) - 1), -E2BIG);
	/* more instructions than the kernel takes */
	huge = calloc(IMAGE_INSNS_MAX + 1, sizeof(struct image_insn));
	assert_non_null(huge);
	assert_int_equal(add_one(huge, (size_t)IMAGE_INSNS_MAX * sizeof(struct image_insn)), 0);
	assert_int_equal(add_one(huge, (size_t)(IMAGE_INSNS_MAX + 1) * sizeof(struct image_insn)),
			 -E2BIG);
	free(huge);
	/* no tables at all: a reference is to no table */
	assert_int_equal(image_add_prog(&img, "f", exit_insns, sizeof(exit_insns), table_fds),
			 -ENOTSUP);
	assert_int_equal(img.nprogs, 0);

	/* a name of IMAGE_NAME_MAX - 1 bytes fits, not one more */
	memcpy(img.tables, test_tables, sizeof(test_tables));
	img.ntables = 3;
	memset(name, 'n', IMAGE_NAME_MAX);
	name[IMAGE_NAME_MAX] = '\0';
	assert_int_equal(image_add_prog(&img, name, exit_insns, sizeof(exit_insns), table_fds),
			 -E2BIG);
	name[IMAGE_NAME_MAX - 1] = '\0';
	assert_int_equal(image_add_prog(&img, name, exit_insns, sizeof(exit_insns), table_fds), 0);
	assert_string_equal(img.progs[0].name, name);
	/* IMAGE_PROGS_MAX functions, not one more; a refusal keeps what was added */
	for (int i = 1; i < IMAGE_PROGS_MAX; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(
			image_add_prog(&img, name, exit_insns, sizeof(exit_insns), table_fds), 0);
	}
	assert_int_equal(
		image_add_prog(&img, "one_more", exit_insns, sizeof(exit_insns), table_fds),
		-E2BIG);
	assert_int_equal(img.nprogs, IMAGE_PROGS_MAX);
	assert_int_equal(img.progs[IMAGE_PROGS_MAX - 1].insns[0].imm, 2);
	image_free(&img);
	assert_int_equal(img.nprogs, 0);
}

/* ---- the entry's bytes, written by hand ---- */

/* image.c's layout: magic, then native-endian u32s, strings as a u32 length and the bytes */
static const unsigned char entry_magic[16] = "bcc-execcount\0p1";
/* 2 since each table carries its key and value descriptions; 1 is refused */
#define ENTRY_VERSION 2

static void w_u32(FILE *f, uint32_t v)
{
	assert_int_equal(fwrite(&v, sizeof(v), 1, f), 1);
}

static void w_raw(FILE *f, const void *data, size_t len)
{
	if (len)
		assert_int_equal(fwrite(data, len, 1, f), 1);
}

static void w_str(FILE *f, const char *s)
{
	w_u32(f, strlen(s));
	w_raw(f, s, strlen(s));
}

/* magic, format version, key, license, kern_version */
static FILE *entry_begin(struct capture *c, uint32_t version, const char *key, const char *license,
			 uint32_t kern_version)
{
	capture_open(c);
	w_raw(c->f, entry_magic, sizeof(entry_magic));
	w_u32(c->f, version);
	w_str(c->f, key);
	w_str(c->f, license);
	w_u32(c->f, kern_version);
	return c->f;
}

static void w_table(FILE *f, const struct image_table *t)
{
	w_str(f, t->name);
	w_u32(f, t->type);
	w_u32(f, t->key_size);
	w_u32(f, t->value_size);
	w_u32(f, t->max_entries);
	w_u32(f, t->flags);
	w_str(f, t->key_desc ? t->key_desc : "");
	w_str(f, t->value_desc ? t->value_desc : "");
}

static void w_prog(FILE *f, const char *name, const struct image_insn *insns, uint32_t n)
{
	w_str(f, name);
	w_u32(f, n);
	w_raw(f, insns, n * sizeof(*insns));
}

/* The SHA-256 of everything written appended; the bytes, in an allocation of exactly *len. */
static unsigned char *entry_end(struct capture *c, size_t *len)
{
	unsigned char digest[SHA256_LEN], *out;

	assert_int_equal(fflush(c->f), 0);
	sha256(c->buf, c->len, digest);
	w_raw(c->f, digest, sizeof(digest));
	assert_int_equal(fclose(c->f), 0);
	*len = c->len;
	out = malloc(*len);
	assert_non_null(out);
	memcpy(out, c->buf, *len);
	free(c->buf);
	*c = (struct capture){ 0 };
	return out;
}

/* The checksum at the end made right again after an edit. */
static void reseal(unsigned char *buf, size_t len)
{
	sha256(buf, len - SHA256_LEN, buf + len - SHA256_LEN);
}

static void put_u32_at(unsigned char *buf, size_t at, uint32_t v)
{
	memcpy(buf + at, &v, sizeof(v));
}

static uint32_t u32_at(const unsigned char *buf, size_t at)
{
	uint32_t v;

	memcpy(&v, buf + at, sizeof(v));
	return v;
}

#define KEY	      "bcc-execcount 1.2.3\nlibbcc 0.29.1\nkernel 6.8.0\n"
#define WHY_MAGIC     "not a bcc-execcount cache entry"
#define WHY_TRUNCATED "truncated"
#define WHY_CHECKSUM  "corrupt: its checksum does not match its content"
#define WHY_FORMAT    "written by another version of the cache format"
#define WHY_KEY	      "compiled for another configuration than its name says"
#define WHY_MALFORMED "malformed"

/* image_parse of len bytes at buf (copied to an allocation of exactly len): "parsed" or why not. */
static const char *parse_why(const unsigned char *buf, size_t len, const char *key)
{
	struct probe_image img = { 0 };
	unsigned char *copy = malloc(len ? len : 1);
	const char *why = "(not set)";
	int rc;

	assert_non_null(copy);
	if (len)
		memcpy(copy, buf, len);
	rc = image_parse(&img, copy, len, key, &why);
	free(copy);
	image_free(&img);
	if (rc == 0) {
		assert_null(why);
		return "parsed";
	}
	assert_int_equal(rc, -EINVAL);
	assert_non_null(why);
	return why;
}

/* The image build_image() makes, written by hand. */
static unsigned char *hand_entry(const struct probe_image *img, const char *key, size_t *len)
{
	struct capture c;
	FILE *f = entry_begin(&c, ENTRY_VERSION, key, img->license, img->kern_version);

	w_u32(f, img->ntables);
	for (uint32_t i = 0; i < img->ntables; i++)
		w_table(f, &img->tables[i]);
	w_u32(f, img->nprogs);
	for (uint32_t i = 0; i < img->nprogs; i++)
		w_prog(f, img->progs[i].name, img->progs[i].insns, img->progs[i].ninsns);
	return entry_end(&c, len);
}

static void test_image_round_trip(void **state)
{
	struct probe_image img = { 0 }, got = { 0 }, empty = { 0 };
	unsigned char *buf, *again, *hand, digest[SHA256_LEN];
	size_t len, again_len, hand_len, want_len;
	const char *why = "(not set)";

	(void)state;
	build_image(&img);
	assert_int_equal(image_serialize(&img, KEY, &buf, &len), 0);
	/* the layout: magic, version 2, the key (readable with strings(1)), ..., the checksum */
	want_len = 16 + 4 + 4 + strlen(KEY) + 4 + 3 + 4 + 4;
	for (uint32_t i = 0; i < img.ntables; i++)
		want_len += 4 + strlen(img.tables[i].name) + 5 * 4 + 4 +
			    (img.tables[i].key_desc ? strlen(img.tables[i].key_desc) : 0) + 4 +
			    (img.tables[i].value_desc ? strlen(img.tables[i].value_desc) : 0);
	want_len += 4;
	for (uint32_t i = 0; i < img.nprogs; i++)
		want_len += 4 + strlen(img.progs[i].name) + 4 + 8 * img.progs[i].ninsns;
	want_len += SHA256_LEN;
	assert_int_equal(len, want_len);
	assert_memory_equal(buf, entry_magic, 16);
	assert_int_equal(u32_at(buf, 16), ENTRY_VERSION);
	assert_int_equal(u32_at(buf, 20), strlen(KEY));
	assert_memory_equal(buf + 24, KEY, strlen(KEY));
	sha256(buf, len - SHA256_LEN, digest);
	assert_memory_equal(buf + len - SHA256_LEN, digest, SHA256_LEN);
	hand = hand_entry(&img, KEY, &hand_len);
	assert_int_equal(hand_len, len);
	assert_memory_equal(hand, buf, len);
	free(hand);

	/* and back */
	assert_int_equal(image_parse(&got, buf, len, KEY, &why), 0);
	assert_null(why);
	assert_images_equal(&img, &got);
	assert_memory_equal(got.progs[0].insns, exec_indexed, sizeof(exec_indexed));
	/* the same bytes again */
	assert_int_equal(image_serialize(&got, KEY, &again, &again_len), 0);
	assert_int_equal(again_len, len);
	assert_memory_equal(again, buf, len);
	free(again);
	image_free(&got);
	free(buf);

	/* nothing in it: tables and functions are optional */
	assert_int_equal(image_serialize(&empty, "", &buf, &len), 0);
	assert_int_equal(len, 16 + 4 + 4 + 4 + 4 + 4 + 4 + SHA256_LEN);
	assert_string_equal(parse_why(buf, len, ""), "parsed");
	assert_string_equal(parse_why(buf, len, "x"), WHY_KEY);
	free(buf);

	/* the largest of everything */
	memset(img.license, 'L', IMAGE_LICENSE_MAX - 1);
	img.license[IMAGE_LICENSE_MAX - 1] = '\0';
	img.kern_version = UINT32_MAX;
	for (uint32_t i = 0; i < IMAGE_TABLES_MAX; i++) {
		image_set_descs(&img.tables[i], NULL, NULL);
		img.tables[i] = test_tables[i % 3];
		memset(img.tables[i].name, 'a' + i % 26, IMAGE_NAME_MAX - 1);
		img.tables[i].name[IMAGE_NAME_MAX - 1] = '\0';
		img.tables[i].max_entries = UINT32_MAX - i;
	}
	img.ntables = IMAGE_TABLES_MAX;
	{
		char *big = malloc(IMAGE_DESC_MAX + 1);

		assert_non_null(big);
		memset(big, 'd', IMAGE_DESC_MAX);
		big[IMAGE_DESC_MAX] = '\0';
		assert_int_equal(image_set_descs(&img.tables[0], big, big), 0);
		assert_int_equal(image_set_descs(&img.tables[1], VALUE_DESC, KEY_DESC), 0);
		free(big);
		/* one byte longer: not kept (the contract check then refuses the table) */
		big = malloc(IMAGE_DESC_MAX + 2);
		assert_non_null(big);
		memset(big, 'd', IMAGE_DESC_MAX + 1);
		big[IMAGE_DESC_MAX + 1] = '\0';
		assert_int_equal(image_set_descs(&img.tables[2], big, "\"int\""), 0);
		assert_null(img.tables[2].key_desc);
		assert_string_equal(img.tables[2].value_desc, "\"int\"");
		free(big);
	}
	assert_int_equal(image_serialize(&img, KEY, &buf, &len), 0);
	assert_int_equal(image_parse(&got, buf, len, KEY, &why), 0);
	assert_images_equal(&img, &got);
	image_free(&got);
	free(buf);
	image_free(&img);
}

static void test_image_parse_key(void **state)
{
	struct probe_image img = { 0 };
	unsigned char *buf;
	size_t len;

	(void)state;
	build_image(&img);
	assert_int_equal(image_serialize(&img, KEY, &buf, &len), 0);
	image_free(&img);
	assert_string_equal(parse_why(buf, len, KEY), "parsed");
	assert_string_equal(parse_why(buf, len, KEY "x"), WHY_KEY);
	assert_string_equal(parse_why(buf, len, "bcc-execcount 1.2.3\n"), WHY_KEY);
	assert_string_equal(
		parse_why(buf, len, "Bcc-execcount 1.2.3\nlibbcc 0.29.1\nkernel 6.8.0\n"), WHY_KEY);
	assert_string_equal(parse_why(buf, len, ""), WHY_KEY);
	free(buf);
}

static void test_image_parse_flipped(void **state)
{
	static const unsigned char masks[] = { 0x01, 0x80, 0xff };
	struct probe_image img = { 0 };
	unsigned char *buf;
	size_t len;

	(void)state;
	build_image(&img);
	assert_int_equal(image_serialize(&img, KEY, &buf, &len), 0);
	image_free(&img);
	for (size_t i = 0; i < len; i++)
		for (size_t m = 0; m < sizeof(masks); m++) {
			const char *why;

			buf[i] ^= masks[m];
			why = parse_why(buf, len, KEY);
			buf[i] ^= masks[m];
			if (strcmp(why, i < 16 ? WHY_MAGIC : WHY_CHECKSUM))
				print_error("byte %zu ^ 0x%02x: %s\n", i, masks[m], why);
			assert_string_equal(why, i < 16 ? WHY_MAGIC : WHY_CHECKSUM);
		}
	assert_string_equal(parse_why(buf, len, KEY), "parsed");
	free(buf);
}

static void test_image_parse_truncated(void **state)
{
	struct probe_image img = { 0 };
	unsigned char *buf, *sealed;
	size_t len, body, key_end;

	(void)state;
	build_image(&img);
	assert_int_equal(image_serialize(&img, KEY, &buf, &len), 0);
	image_free(&img);
	/* cut anywhere: refused (parse_why copies exactly the bytes kept: ASan sees a read beyond)
	 */
	for (size_t n = 0; n < len; n++) {
		const char *want = n < 16		     ? WHY_MAGIC
				   : n < 16 + 4 + SHA256_LEN ? WHY_TRUNCATED
							     : WHY_CHECKSUM;

		assert_string_equal(parse_why(buf, n, KEY), want);
	}
	/* cut anywhere with a checksum that matches what is left: still refused */
	body = len - SHA256_LEN;
	key_end = 16 + 4 + 4 + strlen(KEY);
	sealed = malloc(len);
	assert_non_null(sealed);
	for (size_t n = 0; n < body; n++) {
		const char *want = n < 16	 ? WHY_MAGIC
				   : n < 20	 ? WHY_TRUNCATED
				   : n < key_end ? WHY_KEY
						 : WHY_MALFORMED;

		memcpy(sealed, buf, n);
		sha256(sealed, n, sealed + n);
		if (strcmp(parse_why(sealed, n + SHA256_LEN, KEY), want))
			print_error("%zu bytes resealed: %s\n", n,
				    parse_why(sealed, n + SHA256_LEN, KEY));
		assert_string_equal(parse_why(sealed, n + SHA256_LEN, KEY), want);
	}
	free(sealed);
	free(buf);
}

static void test_image_parse_format_version(void **state)
{
	/* 1: before the type descriptions, which an old entry would be misread without */
	static const uint32_t versions[] = { 0, 1, 3, 0x01000000, UINT32_MAX };
	struct probe_image img = { 0 };
	unsigned char *buf;
	size_t len;

	(void)state;
	build_image(&img);
	assert_int_equal(image_serialize(&img, KEY, &buf, &len), 0);
	image_free(&img);
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		put_u32_at(buf, 16, versions[i]);
		/* edited only: the checksum says so first */
		assert_string_equal(parse_why(buf, len, KEY), WHY_CHECKSUM);
		reseal(buf, len);
		assert_string_equal(parse_why(buf, len, KEY), WHY_FORMAT);
	}
	put_u32_at(buf, 16, ENTRY_VERSION);
	reseal(buf, len);
	assert_string_equal(parse_why(buf, len, KEY), "parsed");
	/* the magic's last bytes are its version too */
	buf[15] = '2';
	reseal(buf, len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MAGIC);
	free(buf);
}

/* The test tables and a function with these instructions, written by hand and sealed. */
static unsigned char *entry_with_prog(const struct image_insn *insns, uint32_t n, size_t *len)
{
	struct capture c;
	FILE *f = entry_begin(&c, ENTRY_VERSION, KEY, "GPL", 0);

	w_u32(f, 3);
	for (int i = 0; i < 3; i++)
		w_table(f, &test_tables[i]);
	w_u32(f, 2);
	/* a good one first: its instructions are allocated before the second is refused */
	w_prog(f, "good", exec_indexed, NINSNS(exec_indexed));
	w_prog(f, "f", insns, n);
	return entry_end(&c, len);
}

static const char *prog_why(const struct image_insn *insns, uint32_t n)
{
	size_t len;
	unsigned char *buf = entry_with_prog(insns, n, &len);
	const char *why = parse_why(buf, len, KEY);

	free(buf);
	return why;
}

static void test_image_parse_references(void **state)
{
	struct image_insn insns[4] = {
		INSN(LD_IMM64, 1, 1, 0, 2),
		INSN(0, 0, 0, 0, 0),
		INSN(0xb7, 0, 0, 0, 0),
		INSN(0x95, 0, 0, 0, 0),
	};
	static const struct image_insn last[] = {
		INSN(0xb7, 0, 0, 0, 0),
		INSN(LD_IMM64, 1, 1, 0, 0),
	};

	(void)state;
	/* the last table: fine */
	assert_string_equal(prog_why(insns, 4), "parsed");
	/* a table index out of range, behind a valid checksum */
	insns[0].imm = 3;
	assert_string_equal(prog_why(insns, 4), WHY_MALFORMED);
	insns[0].imm = INT32_MAX;
	assert_string_equal(prog_why(insns, 4), WHY_MALFORMED);
	insns[0].imm = -1;
	assert_string_equal(prog_why(insns, 4), WHY_MALFORMED);
	insns[0].imm = INT32_MIN;
	assert_string_equal(prog_why(insns, 4), WHY_MALFORMED);
	/* any other kind of 64-bit load */
	insns[0].imm = 0;
	for (int src = 2; src < 16; src++) {
		insns[0].regs = REGS(1, src);
		assert_string_equal(prog_why(insns, 4), WHY_MALFORMED);
	}
	/* a constant: any value */
	insns[0].regs = REGS(1, 0);
	insns[0].imm = -12345;
	insns[1].imm = 99;
	assert_string_equal(prog_why(insns, 4), "parsed");
	/* no second half */
	assert_string_equal(prog_why(last, NINSNS(last)), WHY_MALFORMED);
	assert_string_equal(prog_why(insns, 1), WHY_MALFORMED);
	/* no instructions at all: nothing wrong with them */
	assert_string_equal(prog_why(insns, 0), "parsed");
}

/*
 * The second half of a 64-bit load is no instruction of its own (the kernel
 * wants code, registers and offset 0 there).  Read as one, a table
 * reference hidden in it is never checked against ntables, and
 * image_relocate() then indexes fds[] with whatever it holds.
 */
static void test_image_parse_second_half(void **state)
{
	struct image_insn insns[] = {
		INSN(LD_IMM64, 1, 0, 0, 0),
		INSN(LD_IMM64, 0, 1, 0, 1000), /* a "table reference" as the upper half */
		INSN(0x95, 0, 0, 0, 0),
	};

	(void)state;
	assert_string_equal(prog_why(insns, NINSNS(insns)), WHY_MALFORMED);
	insns[1].imm = -100;
	assert_string_equal(prog_why(insns, NINSNS(insns)), WHY_MALFORMED);
}

static void test_image_parse_malformed(void **state)
{
	static const struct image_table empty_name = { "", 1, 4, 4, 1, 0, NULL, NULL };
	struct image_table long_name = { "", 1, 4, 4, 1, 0, NULL, NULL };
	char license[IMAGE_LICENSE_MAX + 1];
	struct probe_image img = { 0 };
	struct capture c;
	unsigned char *buf, *longer;
	size_t len, at;
	FILE *f;

	(void)state;
	build_image(&img);
	assert_int_equal(image_serialize(&img, KEY, &buf, &len), 0);
	image_free(&img);

	/* ntables above IMAGE_TABLES_MAX */
	at = 16 + 4 + 4 + strlen(KEY) + 4 + 3 + 4;
	assert_int_equal(u32_at(buf, at), 3);
	put_u32_at(buf, at, IMAGE_TABLES_MAX + 1);
	reseal(buf, len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	put_u32_at(buf, at, UINT32_MAX);
	reseal(buf, len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	/* fewer than there are: the rest does not fit */
	put_u32_at(buf, at, 2);
	reseal(buf, len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	put_u32_at(buf, at, 3);
	reseal(buf, len);
	assert_string_equal(parse_why(buf, len, KEY), "parsed");

	/* trailing bytes after the last function, the checksum over them */
	longer = malloc(len + 4);
	assert_non_null(longer);
	memcpy(longer, buf, len - SHA256_LEN);
	memset(longer + len - SHA256_LEN, 0, 4);
	reseal(longer, len + 4);
	assert_string_equal(parse_why(longer, len + 4, KEY), WHY_MALFORMED);
	longer[len - SHA256_LEN] = 'x';
	reseal(longer, len + 1);
	assert_string_equal(parse_why(longer, len + 1, KEY), WHY_MALFORMED);
	/* and bytes after the checksum */
	memcpy(longer, buf, len);
	memset(longer + len, 0, 4);
	assert_string_equal(parse_why(longer, len + 4, KEY), WHY_CHECKSUM);
	free(longer);
	free(buf);

	/* the key's length not the key's */
	f = entry_begin(&c, ENTRY_VERSION, "", "GPL", 0);
	buf = entry_end(&c, &len);
	put_u32_at(buf, 20, strlen(KEY));
	reseal(buf, len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_KEY);
	put_u32_at(buf, 20, UINT32_MAX);
	reseal(buf, len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_KEY);
	free(buf);

	/* a license of IMAGE_LICENSE_MAX bytes does not fit */
	memset(license, 'L', IMAGE_LICENSE_MAX);
	license[IMAGE_LICENSE_MAX] = '\0';
	f = entry_begin(&c, ENTRY_VERSION, KEY, license, 0);
	w_u32(f, 0);
	w_u32(f, 0);
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	free(buf);
	license[IMAGE_LICENSE_MAX - 1] = '\0';
	f = entry_begin(&c, ENTRY_VERSION, KEY, license, 0);
	w_u32(f, 0);
	w_u32(f, 0);
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), "parsed");
	free(buf);
	/* a NUL inside the license */
	capture_open(&c);
	w_raw(c.f, entry_magic, 16);
	w_u32(c.f, ENTRY_VERSION);
	w_str(c.f, KEY);
	w_u32(c.f, 3);
	w_raw(c.f, "G\0L", 3);
	w_u32(c.f, 0);
	w_u32(c.f, 0);
	w_u32(c.f, 0);
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	free(buf);
	/* a string's length as large as a u32 goes */
	capture_open(&c);
	w_raw(c.f, entry_magic, 16);
	w_u32(c.f, ENTRY_VERSION);
	w_str(c.f, KEY);
	w_u32(c.f, UINT32_MAX);
	w_u32(c.f, 0);
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	free(buf);

	/* a table without a name, or with one too long */
	f = entry_begin(&c, ENTRY_VERSION, KEY, "GPL", 0);
	w_u32(f, 1);
	w_table(f, &empty_name);
	w_u32(f, 0);
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	free(buf);
	memset(long_name.name, 't', IMAGE_NAME_MAX - 1);
	f = entry_begin(&c, ENTRY_VERSION, KEY, "GPL", 0);
	w_u32(f, 1);
	w_table(f, &long_name);
	w_u32(f, 0);
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), "parsed");
	free(buf);
	f = entry_begin(&c, ENTRY_VERSION, KEY, "GPL", 0);
	w_u32(f, 1);
	w_u32(f, IMAGE_NAME_MAX);
	for (int i = 0; i < IMAGE_NAME_MAX; i++)
		w_raw(f, "t", 1);
	for (int i = 0; i < 5; i++)
		w_u32(f, 1);
	w_u32(f, 0);
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	free(buf);

	/* more functions than IMAGE_PROGS_MAX */
	f = entry_begin(&c, ENTRY_VERSION, KEY, "GPL", 0);
	w_u32(f, 0);
	w_u32(f, IMAGE_PROGS_MAX + 1);
	for (int i = 0; i < IMAGE_PROGS_MAX + 1; i++)
		w_prog(f, "f", exit_insns + 2, 2);
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	free(buf);
	/* a function without a name */
	f = entry_begin(&c, ENTRY_VERSION, KEY, "GPL", 0);
	w_u32(f, 0);
	w_u32(f, 1);
	w_prog(f, "", exit_insns + 2, 2);
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	free(buf);
	/* more instructions than said, fewer, or more than the kernel takes */
	f = entry_begin(&c, ENTRY_VERSION, KEY, "GPL", 0);
	w_u32(f, 0);
	w_u32(f, 1);
	w_str(f, "f");
	w_u32(f, 3);
	w_raw(f, exit_insns + 2, 2 * sizeof(struct image_insn));
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	free(buf);
	f = entry_begin(&c, ENTRY_VERSION, KEY, "GPL", 0);
	w_u32(f, 0);
	w_u32(f, 1);
	w_str(f, "f");
	w_u32(f, 1);
	w_raw(f, exit_insns + 2, 2 * sizeof(struct image_insn));
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	free(buf);
	f = entry_begin(&c, ENTRY_VERSION, KEY, "GPL", 0);
	w_u32(f, 0);
	w_u32(f, 1);
	w_str(f, "f");
	w_u32(f, UINT32_MAX);
	w_raw(f, exit_insns + 2, 2 * sizeof(struct image_insn));
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	free(buf);
	/* a good function, then one whose reference is out of range: both freed (ASan) */
	f = entry_begin(&c, ENTRY_VERSION, KEY, "GPL", 0);
	w_u32(f, 1);
	w_table(f, &test_tables[0]);
	w_u32(f, 2);
	w_prog(f, "good", exit_insns + 2, 2);
	w_prog(f, "bad", exit_insns, NINSNS(exit_insns)); /* index 2: no such table */
	buf = entry_end(&c, &len);
	assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
	free(buf);

	/* a table's descriptions: a NUL inside, longer than IMAGE_DESC_MAX, past the end */
	for (int i = 0; i < 3; i++) {
		f = entry_begin(&c, ENTRY_VERSION, KEY, "GPL", 0);
		w_u32(f, 2);
		w_table(f,
			&test_tables[0]); /* a good one first: its descriptions are freed (ASan) */
		w_str(f, "stats");
		for (int j = 0; j < 5; j++)
			w_u32(f, 1);
		w_str(f, "\"int\"");
		if (i == 0) {
			w_u32(f, 3);
			w_raw(f, "a\0b", 3);
		} else {
			w_u32(f, i == 1 ? IMAGE_DESC_MAX + 1 : 100);
			w_raw(f, "\"int\"", 5);
		}
		w_u32(f, 0);
		buf = entry_end(&c, &len);
		assert_string_equal(parse_why(buf, len, KEY), WHY_MALFORMED);
		free(buf);
	}
}

/* ---- cache: the directory, the entries ---- */

#define NOBODY 65534

struct fixture {
	char dir[PATH_MAX];  /* scratch */
	char cdir[PATH_MAX]; /* dir/cache: the cache directory, made by the test */
	struct cache cache;
	struct capture log; /* what log_msg() said */
	bool verbose;
	mode_t umask;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	tmpdir_make(fx->dir);
	assert_true((size_t)snprintf(fx->cdir, sizeof(fx->cdir), "%s/cache", fx->dir) <
		    sizeof(fx->cdir));
	capture_open(&fx->log);
	log_setup(fx->log.f, false);
	fx->umask = umask(022);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	log_setup(NULL, false);
	capture_close(&fx->log);
	umask(fx->umask);
	chmod(fx->cdir, 0755);
	tmpdir_remove(fx->dir);
	free(fx);
	return 0;
}

static void set_verbose(struct fixture *fx, bool verbose)
{
	fx->verbose = verbose;
	log_setup(fx->log.f, verbose);
}

/* What the log says, then forget it. */
static void assert_logged(struct fixture *fx, const char *want)
{
	const char *got = capture_text(&fx->log);

	if (strcmp(got, want) != 0)
		print_error("log: got \"%s\", want \"%s\"\n", got, want);
	assert_string_equal(got, want);
	capture_close(&fx->log);
	capture_open(&fx->log);
	log_setup(fx->log.f, fx->verbose);
}

/* fx->dir/rel into buf. */
static const char *in_dir(const struct fixture *fx, const char *rel, char *buf)
{
	assert_true((size_t)snprintf(buf, PATH_MAX, "%s/%s", fx->dir, rel) < PATH_MAX);
	return buf;
}

/* The base name of path. */
static const char *base(const char *path)
{
	return strrchr(path, '/') + 1;
}

/* ---- cache_open ---- */

static void assert_mode(const char *path, mode_t type, mode_t mode)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & S_IFMT, type);
	if ((st.st_mode & 07777) != mode)
		print_error("%s: mode %04o, want %04o\n", path, (unsigned int)(st.st_mode & 07777),
			    (unsigned int)mode);
	assert_int_equal(st.st_mode & 07777, mode);
}

/* cache_open(dir) accepts it, silently. */
static void assert_open_ok(struct fixture *fx, const char *dir, bool explicit_dir)
{
	fx->cache.usable = false;
	assert_int_equal(cache_open(&fx->cache, dir, explicit_dir), 0);
	assert_logged(fx, "");
	assert_true(fx->cache.usable);
	/* kept without trailing slashes: "link/" would make O_NOFOLLOW follow link */
	{
		size_t n = strlen(dir);

		while (n > 1 && dir[n - 1] == '/')
			n--;
		assert_int_equal(strlen(fx->cache.dir), n);
		assert_memory_equal(fx->cache.dir, dir, n);
	}
}

/*
 * One line: "bcc-execcount: cache directory DIR <what>: <why>" then, after
 * anything (", compiling every time"), " -- " and a hint.
 */
static void assert_dir_line(struct fixture *fx, const char *dir, const char *what, const char *why)
{
	const char *got = capture_text(&fx->log), *dash;
	char prefix[3 * PATH_MAX];

	snprintf(prefix, sizeof(prefix), "bcc-execcount: cache directory %s %s: %s", dir, what,
		 why);
	if (strncmp(got, prefix, strlen(prefix)) != 0 || count_lines(got) != 1)
		print_error("log: got \"%s\", want one line starting \"%s\"\n", got, prefix);
	assert_int_equal(strncmp(got, prefix, strlen(prefix)), 0);
	assert_int_equal(count_lines(got), 1);
	assert_int_equal(got[strlen(got) - 1], '\n');
	dash = strstr(got + strlen(prefix), " -- ");
	assert_non_null(dash);
	assert_true(strlen(dash) > strlen(" -- \n")); /* a hint */
	assert_logged(fx, got);
}

/* cache_open(dir) refuses it, explicit (rc) or not (a warning and 0), with one line giving why. */
static void assert_open_refused(struct fixture *fx, const char *dir, int rc, const char *why)
{
	fx->cache.usable = true;
	assert_int_equal(cache_open(&fx->cache, dir, true), rc);
	assert_false(fx->cache.usable);
	assert_dir_line(fx, dir, "unusable", why);
	fx->cache.usable = true;
	assert_int_equal(cache_open(&fx->cache, dir, false), 0);
	assert_false(fx->cache.usable);
	assert_dir_line(fx, dir, "ignored", why);
}

static void test_open_creates(void **state)
{
	struct fixture *fx = *state;
	struct stat st;

	/* missing: made, mode 0755, ours; nothing said */
	assert_open_ok(fx, fx->cdir, true);
	assert_mode(fx->cdir, S_IFDIR, 0755);
	assert_int_equal(stat(fx->cdir, &st), 0);
	assert_int_equal(st.st_uid, geteuid());
	assert_listing(fx->cdir, "");
	/* there: taken as it is */
	assert_open_ok(fx, fx->cdir, true);
	assert_open_ok(fx, fx->cdir, false);
	/* the default's way too */
	assert_int_equal(rmdir(fx->cdir), 0);
	assert_open_ok(fx, fx->cdir, false);
	assert_mode(fx->cdir, S_IFDIR, 0755);
}

/* "created with mode 0755 if missing": not what the umask leaves of it */
static void test_open_creates_whatever_umask(void **state)
{
	static const mode_t masks[] = { 077, 027, 022, 002, 000 };
	struct fixture *fx = *state;

	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		struct stat st;
		int rc;

		umask(masks[i]);
		fx->cache.usable = false;
		rc = cache_open(&fx->cache, fx->cdir, true);
		umask(022);
		assert_int_equal(stat(fx->cdir, &st), 0);
		if (rc || !fx->cache.usable || (st.st_mode & 07777) != 0755)
			print_error("umask %03o: cache_open %d, usable %d, mode %04o, log \"%s\"\n",
				    (unsigned int)masks[i], rc, fx->cache.usable,
				    (unsigned int)(st.st_mode & 07777), capture_text(&fx->log));
		assert_int_equal(rc, 0);
		assert_true(fx->cache.usable);
		assert_int_equal(st.st_mode & 07777, 0755);
		assert_logged(fx, "");
		assert_int_equal(rmdir(fx->cdir), 0);
	}
}

static void test_open_accepts(void **state)
{
	static const mode_t modes[] = { 0755, 0700, 0750, 0555, 0711, 01755, 02755 };
	struct fixture *fx = *state;

	assert_int_equal(mkdir(fx->cdir, 0755), 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(fx->cdir, modes[i]), 0);
		assert_open_ok(fx, fx->cdir, true);
		assert_open_ok(fx, fx->cdir, false);
		/* and left as it was */
		assert_mode(fx->cdir, S_IFDIR, modes[i]);
	}
	assert_int_equal(chmod(fx->cdir, 0755), 0);
	/* a trailing slash names the same directory */
	{
		char slash[PATH_MAX + 1];

		snprintf(slash, sizeof(slash), "%s/", fx->cdir);
		assert_open_ok(fx, slash, true);
	}
	if (geteuid() != 0) {
		/* owned by root, not us: accepted too */
		assert_open_ok(fx, "/", true);
	} else {
		/* owned by root, its group someone else's: fine while the group cannot write */
		assert_int_equal(chown(fx->cdir, 0, NOBODY), 0);
		assert_open_ok(fx, fx->cdir, true);
	}
	assert_listing(fx->cdir, "");
}

static void test_open_refuses_symlink(void **state)
{
	struct fixture *fx = *state;
	char real[PATH_MAX];

	/* to a good directory */
	in_dir(fx, "real", real);
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, fx->cdir), 0);
	assert_open_refused(fx, fx->cdir, -ENOTDIR, "a symbolic link");
	/* dangling: not created through */
	assert_int_equal(unlink(fx->cdir), 0);
	assert_int_equal(rmdir(real), 0);
	assert_int_equal(symlink(real, fx->cdir), 0);
	assert_open_refused(fx, fx->cdir, -ENOTDIR, "a symbolic link");
	assert_listing(fx->dir, "cache");
}

static void test_open_refuses_file(void **state)
{
	struct fixture *fx = *state;

	write_file(fx->dir, "cache", "data", 4);
	assert_open_refused(fx, fx->cdir, -ENOTDIR, "not a directory");
	assert_content(fx->cdir, "data", 4);
	assert_mode(fx->cdir, S_IFREG, 0644);
}

static void test_open_refuses_writable(void **state)
{
	static const struct {
		mode_t mode;
		const char *why;
	} cases[] = {
		{ 0777, "writable by others (mode 0777)" },
		{ 0775, "writable by its group (mode 0775)" },
		{ 0770, "writable by its group (mode 0770)" },
		{ 0757, "writable by others (mode 0757)" },
		{ 0722, "writable by others (mode 0722)" },
		{ 01777, "writable by others (mode 1777)" },
		{ 02775, "writable by its group (mode 2775)" },
	};
	struct fixture *fx = *state;

	assert_int_equal(mkdir(fx->cdir, 0755), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(chmod(fx->cdir, cases[i].mode), 0);
		assert_open_refused(fx, fx->cdir, -EPERM, cases[i].why);
		/* not "repaired" behind the user's back */
		assert_mode(fx->cdir, S_IFDIR, cases[i].mode);
	}
}

static void test_open_refuses_owner(void **state)
{
	struct fixture *fx = *state;

	if (geteuid() != 0) {
		print_message("skipped: not root, so no directory can be given to uid %d\n",
			      NOBODY);
		skip();
	}
	assert_int_equal(mkdir(fx->cdir, 0755), 0);
	assert_int_equal(chown(fx->cdir, NOBODY, NOBODY), 0);
	assert_open_refused(fx, fx->cdir, -EPERM, "owned by uid 65534, not root");
	/* the owner first: whatever the mode */
	assert_int_equal(chmod(fx->cdir, 0777), 0);
	assert_open_refused(fx, fx->cdir, -EPERM, "owned by uid 65534, not root");
}

static void test_open_missing_parent(void **state)
{
	struct fixture *fx = *state;
	char dir[PATH_MAX], want[3 * PATH_MAX];

	in_dir(fx, "no/cache", dir);
	/* the default's parent missing: uncached, silently */
	fx->cache.usable = true;
	assert_int_equal(cache_open(&fx->cache, dir, false), 0);
	assert_false(fx->cache.usable);
	assert_logged(fx, "");
	/* --verbose says so */
	set_verbose(fx, true);
	assert_int_equal(cache_open(&fx->cache, dir, false), 0);
	assert_false(fx->cache.usable);
	snprintf(want, sizeof(want),
		 "bcc-execcount: cache: unavailable: cannot create %s: No such file or directory\n",
		 dir);
	assert_logged(fx, want);
	set_verbose(fx, false);
	/* an explicit one: an error */
	fx->cache.usable = true;
	assert_int_equal(cache_open(&fx->cache, dir, true), -ENOENT);
	assert_false(fx->cache.usable);
	snprintf(
		want, sizeof(want),
		"bcc-execcount: cache directory %s unusable: cannot create it: No such file or directory -- its parent must exist and be writable\n",
		dir);
	assert_logged(fx, want);
	/* only the last component is made */
	assert_listing(fx->dir, "");
}

static void test_open_too_long(void **state)
{
	struct fixture *fx = *state;
	char *dir = malloc(CACHE_DIR_MAX + 1);
	char want[256];
	size_t at;

	assert_non_null(dir);
	at = snprintf(dir, CACHE_DIR_MAX + 1, "%s/", fx->dir);
	memset(dir + at, 'a', CACHE_DIR_MAX - at);
	dir[CACHE_DIR_MAX] = '\0';
	snprintf(
		want, sizeof(want),
		"bcc-execcount: cache directory %.64s...: path too long -- choose a shorter --cache-dir\n",
		dir);
	fx->cache.usable = true;
	assert_int_equal(cache_open(&fx->cache, dir, true), -ENAMETOOLONG);
	assert_false(fx->cache.usable);
	assert_logged(fx, want);
	fx->cache.usable = true;
	assert_int_equal(cache_open(&fx->cache, dir, false), 0);
	assert_false(fx->cache.usable);
	assert_logged(fx, want);
	assert_listing(fx->dir, "");
	free(dir);
}

/* ---- cache_store, cache_load ---- */

#define KEY2 "bcc-execcount 1.2.3\nlibbcc 0.29.1\nkernel 6.9.0\n"

static void open_cache(struct fixture *fx)
{
	assert_open_ok(fx, fx->cdir, true);
}

/* A good entry for key, stored (nothing said without --verbose); its path in path. */
static void store_good(struct fixture *fx, const char *key, char *path)
{
	struct probe_image img = { 0 };

	build_image(&img);
	cache_store(&fx->cache, key, &img);
	image_free(&img);
	assert_logged(fx, "");
	cache_entry_path(&fx->cache, key, path);
	assert_mode(path, S_IFREG, 0644);
}

/* cache_load(key) is a hit, silently, with build_image()'s image. */
static void assert_hit(struct fixture *fx, const char *key)
{
	struct probe_image want = { 0 }, got = { 0 };

	build_image(&want);
	assert_int_equal(cache_load(&fx->cache, key, &got), 0);
	assert_logged(fx, "");
	assert_images_equal(&want, &got);
	image_free(&got);
	image_free(&want);
}

/* cache_load(key) refuses the entry: -EINVAL, nothing kept, one line saying why. */
static void assert_refused(struct fixture *fx, const char *key, const char *why)
{
	struct probe_image img = { 0 };
	char path[PATH_MAX], want[3 * PATH_MAX];

	cache_entry_path(&fx->cache, key, path);
	assert_int_equal(cache_load(&fx->cache, key, &img), -EINVAL);
	assert_int_equal(img.nprogs, 0);
	image_free(&img);
	snprintf(want, sizeof(want),
		 "bcc-execcount: cache entry %s ignored: %s -- compiling the probe\n", path, why);
	assert_logged(fx, want);
}

/* After a refusal: the next store puts a good entry in its place. */
static void assert_replaced(struct fixture *fx, const char *key)
{
	char path[PATH_MAX];
	struct stat st;

	store_good(fx, key, path);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(st.st_uid, geteuid());
	assert_hit(fx, key);
}

static void test_store_load(void **state)
{
	struct fixture *fx = *state;
	struct probe_image img = { 0 }, got = { 0 };
	char path[PATH_MAX], path2[PATH_MAX], want[3 * PATH_MAX], names[2 * PATH_MAX];
	unsigned char *bytes;
	struct stat st, again;
	size_t len;

	open_cache(fx);
	build_image(&img);
	cache_entry_path(&fx->cache, KEY, path);
	/* --verbose: said; mode 0644 whatever the umask */
	set_verbose(fx, true);
	umask(077);
	cache_store(&fx->cache, KEY, &img);
	umask(022);
	snprintf(want, sizeof(want), "bcc-execcount: cache: stored %s\n", path);
	assert_logged(fx, want);
	set_verbose(fx, false);
	assert_mode(path, S_IFREG, 0644);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(st.st_nlink, 1);
	/* the serialized image, nothing else left in the directory */
	assert_int_equal(image_serialize(&img, KEY, &bytes, &len), 0);
	assert_content(path, bytes, len);
	free(bytes);
	assert_listing(fx->cdir, base(path));

	/* loaded back, silently */
	assert_int_equal(cache_load(&fx->cache, KEY, &got), 0);
	assert_logged(fx, "");
	assert_images_equal(&img, &got);
	image_free(&got);
	set_verbose(fx, true); /* a hit is the caller's to say */
	assert_hit(fx, KEY);
	set_verbose(fx, false);

	/* another key: another name, a miss */
	assert_int_equal(cache_load(&fx->cache, KEY2, &got), -ENOENT);
	assert_int_equal(got.nprogs, 0);
	assert_logged(fx, "");
	/* stored beside it */
	cache_store(&fx->cache, KEY2, &img);
	cache_entry_path(&fx->cache, KEY2, path2);
	assert_string_not_equal(path, path2);
	snprintf(names, sizeof(names), "%s|%s",
		 strcmp(base(path), base(path2)) < 0 ? base(path) : base(path2),
		 strcmp(base(path), base(path2)) < 0 ? base(path2) : base(path));
	assert_listing(fx->cdir, names);
	assert_hit(fx, KEY2);
	assert_hit(fx, KEY);

	/* stored again: replaced by a rename (a new inode) */
	cache_store(&fx->cache, KEY, &img);
	assert_int_equal(lstat(path, &again), 0);
	assert_true(again.st_ino != st.st_ino);
	assert_hit(fx, KEY);
	assert_listing(fx->cdir, names);
	image_free(&img);
	assert_logged(fx, "");
}

static void test_load_missing(void **state)
{
	struct fixture *fx = *state;
	struct probe_image img = { 0 };

	open_cache(fx);
	set_verbose(fx, true); /* the caller says "miss" */
	assert_int_equal(cache_load(&fx->cache, KEY, &img), -ENOENT);
	assert_int_equal(img.nprogs, 0);
	assert_logged(fx, "");
	/* a dangling temporary name of another entry is no entry */
	write_file(fx->cdir, ".x.probe.AbC123", "x", 1);
	assert_int_equal(cache_load(&fx->cache, KEY, &img), -ENOENT);
	assert_logged(fx, "");
}

static void test_load_refuses_symlink(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], good[PATH_MAX];

	open_cache(fx);
	/* a symlink to a good entry (of this very key) */
	store_good(fx, KEY, path);
	in_dir(fx, "good", good);
	assert_int_equal(rename(path, good), 0);
	assert_int_equal(symlink(good, path), 0);
	assert_refused(fx, KEY, "a symbolic link");
	/* relative, and dangling */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("../good", path), 0);
	assert_refused(fx, KEY, "a symbolic link");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/nonexistent", path), 0);
	assert_refused(fx, KEY, "a symbolic link");
	assert_replaced(fx, KEY);
}

static void test_store_replaces_symlink(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], tdir[PATH_MAX], target[PATH_MAX + 16];
	unsigned char *before;
	struct stat st, tst;
	size_t len;

	open_cache(fx);
	/* a good entry, outside, the entry's name a symlink to it */
	tmpdir_make(tdir);
	snprintf(target, sizeof(target), "%s/entry", tdir);
	store_good(fx, KEY, path);
	assert_int_equal(rename(path, target), 0);
	before = slurp(target, &len);
	assert_int_equal(lstat(target, &tst), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_refused(fx, KEY, "a symbolic link");
	/* stored: the link replaced by a regular file, the target untouched */
	store_good(fx, KEY, path);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_true(st.st_ino != tst.st_ino);
	assert_int_equal(lstat(target, &st), 0);
	assert_int_equal(st.st_ino, tst.st_ino);
	assert_int_equal(st.st_mtim.tv_sec, tst.st_mtim.tv_sec);
	assert_int_equal(st.st_mtim.tv_nsec, tst.st_mtim.tv_nsec);
	assert_content(target, before, len);
	assert_listing(tdir, "entry");
	assert_hit(fx, KEY);
	/* a symlink to something else someone wants overwritten */
	assert_int_equal(unlink(path), 0);
	write_file(tdir, "secret", "keep me\n", 8);
	snprintf(target, sizeof(target), "%s/secret", tdir);
	assert_int_equal(symlink(target, path), 0);
	assert_refused(fx, KEY, "a symbolic link");
	store_good(fx, KEY, path);
	assert_content(target, "keep me\n", 8);
	assert_mode(target, S_IFREG, 0644);
	assert_hit(fx, KEY);
	free(before);
	tmpdir_remove(tdir);
}

static void test_load_refuses_fifo(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX];

	open_cache(fx);
	cache_entry_path(&fx->cache, KEY, path);
	assert_int_equal(mkfifo(path, 0644), 0);
	/* no writer ever comes: a blocking open would hang here (SIGALRM ends the test) */
	alarm(10);
	assert_refused(fx, KEY, "not a regular file");
	alarm(0);
	assert_replaced(fx, KEY);
}

static void test_load_refuses_directory(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], want[3 * PATH_MAX];
	struct probe_image img = { 0 };

	open_cache(fx);
	cache_entry_path(&fx->cache, KEY, path);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_refused(fx, KEY, "not a regular file");
	/* it cannot be replaced: said with --verbose, nothing left behind */
	build_image(&img);
	set_verbose(fx, true);
	cache_store(&fx->cache, KEY, &img);
	snprintf(want, sizeof(want), "bcc-execcount: cache: not stored in %s: Is a directory\n",
		 fx->cdir);
	assert_logged(fx, want);
	set_verbose(fx, false);
	cache_store(&fx->cache, KEY, &img);
	assert_logged(fx, "");
	image_free(&img);
	assert_listing(fx->cdir, base(path));
	assert_refused(fx, KEY, "not a regular file");
}

static void test_load_refuses_writable(void **state)
{
	static const struct {
		mode_t mode;
		const char *why;
	} cases[] = {
		{ 0666, "writable by others (mode 0666)" },
		{ 0646, "writable by others (mode 0646)" },
		{ 0664, "writable by its group (mode 0664)" },
		{ 0620, "writable by its group (mode 0620)" },
		{ 0602, "writable by others (mode 0602)" },
	};
	static const mode_t fine[] = { 0644, 0600, 0444, 0400, 0640, 0755 };
	struct fixture *fx = *state;
	char path[PATH_MAX];

	open_cache(fx);
	store_good(fx, KEY, path);
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		assert_int_equal(chmod(path, fine[i]), 0);
		assert_hit(fx, KEY);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(chmod(path, cases[i].mode), 0);
		assert_refused(fx, KEY, cases[i].why);
	}
	assert_replaced(fx, KEY);
	assert_mode(path, S_IFREG, 0644);
}

static void test_load_refuses_hard_link(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], other[PATH_MAX];
	unsigned char *old;
	size_t len;

	open_cache(fx);
	store_good(fx, KEY, path);
	old = slurp(path, &len);
	in_dir(fx, "other", other);
	assert_int_equal(link(path, other), 0);
	assert_refused(fx, KEY, "has other hard links");
	/* replaced: the other name keeps the old file */
	assert_replaced(fx, KEY);
	assert_content(other, old, len);
	free(old);
}

static void test_load_refuses_size(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX];

	open_cache(fx);
	store_good(fx, KEY, path);
	assert_int_equal(truncate(path, 0), 0);
	assert_refused(fx, KEY, "empty");
	/* a (sparse) gigabyte: refused before it is read */
	assert_int_equal(truncate(path, 1 << 30), 0);
	assert_refused(fx, KEY, "too large");
	assert_replaced(fx, KEY);
}

static void test_load_refuses_corrupt(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], path2[PATH_MAX];
	unsigned char *good;
	size_t len;

	open_cache(fx);
	store_good(fx, KEY, path);
	good = slurp(path, &len);
	/* one byte flipped: in the middle, in the checksum, in the magic */
	good[len / 2] ^= 0x10;
	write_file(fx->cdir, base(path), good, len);
	assert_refused(fx, KEY, WHY_CHECKSUM);
	good[len / 2] ^= 0x10;
	good[len - 1] ^= 0x01;
	write_file(fx->cdir, base(path), good, len);
	assert_refused(fx, KEY, WHY_CHECKSUM);
	good[len - 1] ^= 0x01;
	good[0] ^= 0x20;
	write_file(fx->cdir, base(path), good, len);
	assert_refused(fx, KEY, WHY_MAGIC);
	good[0] ^= 0x20;
	/* truncated: by a byte, or to next to nothing */
	write_file(fx->cdir, base(path), good, len - 1);
	assert_refused(fx, KEY, WHY_CHECKSUM);
	write_file(fx->cdir, base(path), good, 40);
	assert_refused(fx, KEY, WHY_TRUNCATED);
	write_file(fx->cdir, base(path), good, 10);
	assert_refused(fx, KEY, WHY_MAGIC);
	/* not ours at all */
	write_file(fx->cdir, base(path), "#!/bin/sh\necho hello\n", 21);
	assert_refused(fx, KEY, WHY_MAGIC);
	/* a good entry under another key's name */
	cache_entry_path(&fx->cache, KEY2, path2);
	write_file(fx->cdir, base(path2), good, len);
	assert_refused(fx, KEY2, WHY_KEY);
	/* the original, put back, is good */
	write_file(fx->cdir, base(path), good, len);
	assert_hit(fx, KEY);
	free(good);
	assert_replaced(fx, KEY2);
}

static void test_load_refuses_owner(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX];

	if (geteuid() != 0) {
		print_message("skipped: not root, so no entry can be given to uid %d\n", NOBODY);
		skip();
	}
	open_cache(fx);
	store_good(fx, KEY, path);
	/* its group does not matter while it cannot write */
	assert_int_equal(chown(path, 0, NOBODY), 0);
	assert_hit(fx, KEY);
	assert_int_equal(chown(path, NOBODY, NOBODY), 0);
	assert_refused(fx, KEY, "owned by uid 65534, not root");
	assert_int_equal(chmod(path, 0600), 0);
	assert_refused(fx, KEY, "owned by uid 65534, not root");
	assert_replaced(fx, KEY);
}

static void test_store_fails(void **state)
{
	struct fixture *fx = *state;
	struct probe_image img = { 0 };
	char want[3 * PATH_MAX], path[PATH_MAX];

	open_cache(fx);
	build_image(&img);
	/* the directory gone since it was opened: said with --verbose only */
	assert_int_equal(rmdir(fx->cdir), 0);
	cache_store(&fx->cache, KEY, &img);
	assert_logged(fx, "");
	set_verbose(fx, true);
	cache_store(&fx->cache, KEY, &img);
	snprintf(want, sizeof(want),
		 "bcc-execcount: cache: not stored in %s: No such file or directory\n", fx->cdir);
	assert_logged(fx, want);
	set_verbose(fx, false);
	assert_listing(fx->dir, "");
	/* back: stored */
	assert_int_equal(mkdir(fx->cdir, 0755), 0);
	store_good(fx, KEY, path);
	assert_hit(fx, KEY);
	image_free(&img);
}

/* ---- the temporary files of stores that did not finish ---- */

static void test_temp_of(void **state)
{
	static const struct {
		const char *base, *name; /* name NULL: not a temporary file */
	} cases[] = {
		{ ".a.probe.Ab9XyZ", "a.probe" },
		{ ".x.000000", "x" },
		{ "..hidden.zzzzzz", ".hidden" },
		{ ".with.dots.in.it.AAAAAA", "with.dots.in.it" },
		{ "a.probe.Ab9XyZ", NULL },   /* no leading dot */
		{ "..Ab9XyZ", NULL },	      /* no name */
		{ ".a.probe.Ab9Xy", NULL },   /* five */
		{ ".a.probe.Ab9XyZ1", NULL }, /* seven: ".a.probe.A" is not a name's end */
		{ ".a.probe.Ab9Xy~", NULL },  /* not a letter or digit */
		{ ".a.probe.Ab9-yZ", NULL },
		{ ".a.probe-Ab9XyZ", NULL }, /* no dot before the suffix */
		{ ".a.probe", NULL },
		{ ".Ab9XyZ", NULL },
		{ "", NULL },
		{ ".", NULL },
	};
	char name[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool is = atomic_write_temp_of(cases[i].base, name, sizeof(name));

		if (is != (cases[i].name != NULL))
			print_error("\"%s\": %s\n", cases[i].base, is ? "taken" : "not taken");
		assert_int_equal(is, cases[i].name != NULL);
		if (is)
			assert_string_equal(name, cases[i].name);
	}
	/* ".seven7.XXXXXX": "seven7" fits in 7 bytes, not in 6 */
	assert_true(atomic_write_temp_of(".seven7.XXXXXX", name, 7));
	assert_string_equal(name, "seven7");
	assert_false(atomic_write_temp_of(".seven7.XXXXXX", name, 6));
}

/* A file in the cache directory, written age seconds ago (negative: ahead). */
static void plant_aged(struct fixture *fx, const char *name, long age)
{
	struct timespec t[2];
	char path[2 * PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx->cdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("a file\n", f);
	assert_int_equal(fclose(f), 0);
	t[0].tv_sec = t[1].tv_sec = time(NULL) - age;
	t[0].tv_nsec = t[1].tv_nsec = 0;
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* names, sorted, joined by '|' (as listing() gives them, in the C locale), into buf */
static void joined(char **names, int n, char *buf, size_t len)
{
	size_t at = 0;

	qsort(names, n, sizeof(names[0]), by_name);
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		at += snprintf(buf + at, len - at, "%s%s", i ? "|" : "", names[i]);
		assert_true(at < len);
	}
}

static void test_open_removes_stale_temp_files(void **state)
{
	struct fixture *fx = *state;
	const long stale = CACHE_TEMP_STALE_SECONDS + 60;
	char hex[SHA256_HEX_LEN + 1], upper[SHA256_HEX_LEN + 1], want[4096], path[PATH_MAX];
	char link[2 * PATH_MAX], sub[2 * PATH_MAX], young[128], kept[16][128], *names[16];
	struct timespec t[2] = { { .tv_sec = time(NULL) - stale },
				 { .tv_sec = time(NULL) - stale } };
	int nkept = 0;

	assert_int_equal(mkdir(fx->cdir, 0755), 0);
	memset(hex, 'a', SHA256_HEX_LEN);
	hex[SHA256_HEX_LEN] = '\0';
	memcpy(hex, "0123456789abcdef", 16);
	strcpy(upper, hex);
	for (char *c = upper; *c; c++)
		*c = *c >= 'a' && *c <= 'f' ? *c - 'a' + 'A' : *c;
#define KEPT(...) snprintf(kept[nkept++], sizeof(kept[0]), __VA_ARGS__)
	/* stale, ours: removed */
	snprintf(path, sizeof(path), ".%s.probe.Gone01", hex);
	plant_aged(fx, path, stale);
	snprintf(path, sizeof(path), ".%s.probe.Gone02", hex);
	plant_aged(fx, path, -stale); /* the clock set back since */
	/* ours, but young (another instance's store in progress): kept */
	snprintf(young, sizeof(young), ".%s.probe.Young1", hex);
	plant_aged(fx, young, CACHE_TEMP_STALE_SECONDS - 60);
	KEPT("%s", young);
	KEPT(".%s.probe.Ahead1", hex);
	plant_aged(fx, kept[nkept - 1], -60);
	/* stale, not ours: kept */
	KEPT("notes.txt");
	KEPT(".notes.txt.abcdef");
	KEPT("%s.probe", hex); /* an entry */
	KEPT(".%s.probe", hex);
	KEPT(".%s.probe.abc", hex);
	KEPT(".%s.probe.abcdef~", hex);
	KEPT(".%s.probe.abcdef", upper);
	KEPT(".%.63s.probe.abcdef", hex);
	KEPT(".%s0.probe.abcdef", hex);
	KEPT(".%s.prob.abcdef", hex);
	for (int i = 2; i < nkept; i++)
		plant_aged(fx, kept[i], stale);
	/* of the pattern, but a symlink (its target stays) and a directory: kept */
	KEPT(".%s.probe.Link01", hex);
	snprintf(link, sizeof(link), "%s/%s", fx->cdir, kept[nkept - 1]);
	assert_int_equal(symlink(in_dir(fx, "target", path), link), 0);
	plant_aged(fx, "../target", stale);
	assert_int_equal(utimensat(AT_FDCWD, link, t, AT_SYMLINK_NOFOLLOW), 0);
	KEPT(".%s.probe.Dir001", hex);
	snprintf(sub, sizeof(sub), "%s/%s", fx->cdir, kept[nkept - 1]);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(utimensat(AT_FDCWD, sub, t, 0), 0);
#undef KEPT

	/* silent without --verbose */
	assert_open_ok(fx, fx->cdir, true);
	for (int i = 0; i < nkept; i++)
		names[i] = kept[i];
	joined(names, nkept, want, sizeof(want));
	assert_listing(fx->cdir, want);
	assert_listing(fx->dir, "cache|target");

	/* with it, one line each: the young one once stale */
	plant_aged(fx, young, stale);
	set_verbose(fx, true);
	fx->cache.usable = false;
	assert_int_equal(cache_open(&fx->cache, fx->cdir, false), 0);
	assert_true(fx->cache.usable);
	snprintf(
		want, sizeof(want),
		"bcc-execcount: cache: removed %.1000s/%s, left by a store that did not finish (written %ld s ago)\n",
		fx->cdir, young, stale);
	assert_logged(fx, want);
	set_verbose(fx, false);
	for (int i = 0; i + 1 < nkept; i++)
		names[i] = kept[i + 1]; /* kept[0] is the young one */
	joined(names, nkept - 1, want, sizeof(want));
	assert_listing(fx->cdir, want);
}

/* an unusable directory is left exactly as it is, its stale temporary files too */
static void test_open_unsafe_keeps_temp_files(void **state)
{
	struct fixture *fx = *state;
	char name[256], want[256];

	assert_int_equal(mkdir(fx->cdir, 0755), 0);
	snprintf(name, sizeof(name), ".%064d.probe.Stale1", 0);
	plant_aged(fx, name, CACHE_TEMP_STALE_SECONDS + 60);
	assert_int_equal(chmod(fx->cdir, 0775), 0);
	assert_open_refused(fx, fx->cdir, -EPERM, "writable by its group (mode 0775)");
	snprintf(want, sizeof(want), "%s", name);
	assert_listing(fx->cdir, want);
}

/* ---- cache_describe ---- */

static void assert_described(const char *dir, int rc, const char *fmt_tail)
{
	char buf[3 * PATH_MAX], want[3 * PATH_MAX];

	snprintf(want, sizeof(want), "%s: %s", dir, fmt_tail);
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(cache_describe(dir, buf, sizeof(buf)), rc);
	assert_string_equal(buf, want);
}

static void test_describe(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX], path2[PATH_MAX], tail[128], small[16];
	unsigned long long bytes;
	struct stat st;
	char *filler;

	assert_described(fx->cdir, 0, "No such file or directory (made at the first start)");
	open_cache(fx);
	assert_described(fx->cdir, 0, "0 compiled probes, 0 KiB");
	store_good(fx, KEY, path);
	assert_int_equal(stat(path, &st), 0);
	bytes = st.st_size;
	snprintf(tail, sizeof(tail), "1 compiled probe, %llu KiB", (bytes + 1023) / 1024);
	assert_described(fx->cdir, 0, tail);
	store_good(fx, KEY2, path2);
	assert_int_equal(stat(path2, &st), 0);
	bytes += st.st_size;
	snprintf(tail, sizeof(tail), "2 compiled probes, %llu KiB", (bytes + 1023) / 1024);
	assert_described(fx->cdir, 0, tail);
	/* only entries count: not other files, not temporary ones */
	filler = calloc(1, 5000);
	assert_non_null(filler);
	write_file(fx->cdir, "README", filler, 5000);
	write_file(fx->cdir, ".x.probe.AbC123", filler, 5000);
	write_file(fx->cdir, "x.probe", filler, 5000);
	free(filler);
	assert_described(fx->cdir, 0, tail);
	/* a small buffer: cut, terminated */
	memset(small, 'X', sizeof(small));
	assert_int_equal(cache_describe(fx->cdir, small, sizeof(small)), 0);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, fx->cdir, sizeof(small) - 1);

	/* what is wrong with it */
	assert_int_equal(chmod(fx->cdir, 0777), 0);
	assert_described(fx->cdir, -EPERM, "writable by others (mode 0777)");
	assert_int_equal(chmod(fx->cdir, 0775), 0);
	assert_described(fx->cdir, -EPERM, "writable by its group (mode 0775)");
	assert_int_equal(chmod(fx->cdir, 0755), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(fx->cdir, NOBODY, NOBODY), 0);
		assert_described(fx->cdir, -EPERM, "owned by uid 65534, not root");
		assert_int_equal(chown(fx->cdir, 0, 0), 0);
	} else {
		print_message("skipped: not root, so no directory can be given to uid %d\n",
			      NOBODY);
	}
	in_dir(fx, "link", path);
	assert_int_equal(symlink(fx->cdir, path), 0);
	assert_described(path, -EINVAL, "a symbolic link");
	in_dir(fx, "file", path);
	write_file(fx->dir, "file", "x", 1);
	assert_described(path, -EINVAL, "not a directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_fips),
		cmocka_unit_test(test_sha256_pieces),
		cmocka_unit_test(test_sha256_hex),
		cmocka_unit_test(test_key_text_exact),
		cmocka_unit_test(test_key_text_every_input),
		cmocka_unit_test(test_key_text_identical),
		cmocka_unit_test(test_key_text_newline),
		cmocka_unit_test(test_key_text_too_small),
		cmocka_unit_test(test_image_add_and_relocate),
		cmocka_unit_test(test_image_add_refusals),
		cmocka_unit_test(test_image_round_trip),
		cmocka_unit_test(test_image_parse_key),
		cmocka_unit_test(test_image_parse_flipped),
		cmocka_unit_test(test_image_parse_truncated),
		cmocka_unit_test(test_image_parse_format_version),
		cmocka_unit_test(test_image_parse_references),
		cmocka_unit_test(test_image_parse_second_half),
		cmocka_unit_test(test_image_parse_malformed),
		cmocka_unit_test_setup_teardown(test_open_creates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_creates_whatever_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_accepts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_missing_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_replaces_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_hard_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_describe, setup, teardown),
		cmocka_unit_test(test_temp_of),
		cmocka_unit_test_setup_teardown(test_open_removes_stale_temp_files, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_unsafe_keeps_temp_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
