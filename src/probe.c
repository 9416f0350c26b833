// SPDX-License-Identifier: GPL-2.0
#include "probe.h"

/* declarations only: libbcc proper is dlopen()ed, see probe_compiler_load() */
#include <bcc/bcc_common.h>
#include <bcc/bcc_version.h>
#include <bcc/libbpf.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "contract.h"
#include "image.h"
#include "kernel.h"
#include "log.h"
#include "typedesc.h"

#define PROGS_MAX PROBE_PROGS_MAX
/* libbcc proper: the library with clang and LLVM in it */
#define LIBBCC_SONAME "libbcc.so.0"
/* keys per batch call, so that keys and per-CPU values take at most about 1 MiB */
#define BATCH_BYTES (1u << 20)
/* the kernel's ENOTSUPP, which user-space headers do not define */
#define KERNEL_ENOTSUPP 524

struct probe {
	/*
	 * After a compile, libbcc's module, kept until the end: programs are
	 * loaded through it with clang's BTF (bpftool then shows their source
	 * lines).  From the cache: NULL, the image's bare instructions.
	 */
	void *module;
	bool cacheable; /* the image can make what the module made */
	struct probe_image img;
	int table_fds[IMAGE_TABLES_MAX]; /* one per img.tables[], -1 until open */
	struct {
		const char *fn;
		int fd;
	} progs[PROGS_MAX];
	unsigned int nprogs;
	int counts_fd;
	int stats_fd;
	int self_fd;
	/* reading counts: one value per possible CPU per key; buffers allocated on first use */
	int ncpus;
	bool no_batch;
	unsigned int batch_len;
	void *batch_keys;
	struct contract_counts *values;
};

const char *probe_libbcc_version(void)
{
	return LIBBCC_VERSION;
}

int probe_libbcc_identity(char *buf, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX];
	const char *slash;
	struct stat st;
	Dl_info info;

	/* libbcc proper lies beside libbcc_bpf, which is mapped: both come in one package */
	if (!dladdr((void *)bcc_prog_load, &info) || !info.dli_fname ||
	    !(slash = strrchr(info.dli_fname, '/'))) {
		snprintf(buf, len, "%s", LIBBCC_VERSION);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - info.dli_fname), info.dli_fname,
		 LIBBCC_SONAME);
	if (!realpath(path, real) || stat(real, &st)) {
		snprintf(buf, len, "%s", LIBBCC_VERSION);
		return -ENOENT;
	}
	snprintf(buf, len, "%s %s %lld bytes %lld", LIBBCC_VERSION, real, (long long)st.st_size,
		 (long long)st.st_mtime);
	return 0;
}

/* 1 once libbcc proper is loaded, or the negative errno loading it failed with */
static int loaded;

bool probe_compiler_loaded(void)
{
	return loaded == 1;
}

/*
 * libbcc proper (libbcc.so.0: clang and LLVM, some 64 MiB and 20 ms to map)
 * is loaded only to compile.  Everything else, tables, loads, attach and
 * reads, is libbcc_bpf, which the binary links: a start served from the
 * cache never maps LLVM.  These are the functions a compile uses.
 */
static struct {
	typeof(&bpf_module_create_c_from_string) create;
	typeof(&bpf_module_destroy) destroy;
	typeof(&bpf_module_license) license;
	typeof(&bpf_module_kern_version) kern_version;
	typeof(&bpf_num_functions) num_functions;
	typeof(&bpf_function_name) function_name;
	typeof(&bpf_function_start_id) function_start;
	typeof(&bpf_function_size_id) function_size;
	typeof(&bpf_num_tables) num_tables;
	typeof(&bpf_table_name) table_name;
	typeof(&bpf_table_fd_id) table_fd;
	typeof(&bpf_table_type_id) table_type;
	typeof(&bpf_table_key_size_id) table_key_size;
	typeof(&bpf_table_leaf_size_id) table_leaf_size;
	typeof(&bpf_table_max_entries_id) table_max_entries;
	typeof(&bpf_table_flags_id) table_flags;
	typeof(&bpf_table_key_desc_id) table_key_desc;
	typeof(&bpf_table_leaf_desc_id) table_leaf_desc;
	typeof(&bcc_func_load) func_load;
} bcc;

int probe_compiler_load(void)
{
	static const struct {
		const char *name;
		size_t offset;
	} syms[] = {
#define SYM(field, name) { #name, offsetof(typeof(bcc), field) }
		SYM(create, bpf_module_create_c_from_string),
		SYM(destroy, bpf_module_destroy),
		SYM(license, bpf_module_license),
		SYM(kern_version, bpf_module_kern_version),
		SYM(num_functions, bpf_num_functions),
		SYM(function_name, bpf_function_name),
		SYM(function_start, bpf_function_start_id),
		SYM(function_size, bpf_function_size_id),
		SYM(num_tables, bpf_num_tables),
		SYM(table_name, bpf_table_name),
		SYM(table_fd, bpf_table_fd_id),
		SYM(table_type, bpf_table_type_id),
		SYM(table_key_size, bpf_table_key_size_id),
		SYM(table_leaf_size, bpf_table_leaf_size_id),
		SYM(table_max_entries, bpf_table_max_entries_id),
		SYM(table_flags, bpf_table_flags_id),
		SYM(table_key_desc, bpf_table_key_desc_id),
		SYM(table_leaf_desc, bpf_table_leaf_desc_id),
		SYM(func_load, bcc_func_load),
#undef SYM
	};
	void *lib;

	if (loaded)
		return loaded < 0 ? loaded : 0;
	loaded = -ENOENT;
	/* never closed: LLVM does not take well to being unloaded */
	lib = dlopen(LIBBCC_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		log_msg("cannot load %s, which compiles the probe: %s -- install libbpfcc (Debian, Ubuntu)",
			LIBBCC_SONAME, dlerror());
		return loaded;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *fn = dlsym(lib, syms[i].name);

		if (!fn) {
			log_msg("%s has no %s: %s -- libbcc 0.25 or later is needed", LIBBCC_SONAME,
				syms[i].name, dlerror());
			return loaded;
		}
		memcpy((char *)&bcc + syms[i].offset, &fn, sizeof(fn));
	}
	loaded = 1;
	return 0;
}

/*
 * libbcc prints some of its complaints on stdout (for one, "Unable to find
 * kernel headers"), and stdout is for data: point fd 1 at stderr meanwhile.
 */
static int stdout_to_stderr(void)
{
	int saved;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		close(saved);
		return -1;
	}
	return saved;
}

static void stdout_restore(int saved)
{
	if (saved < 0)
		return;
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
}

/* more lines than this from a failed compile are cut to its first error (--verbose: all) */
#define COMPILE_LINES_MAX 40
/* of an include chain above the first error, the outermost line and the innermost few */
#define CHAIN_INNER_KEPT 3
/* of the first error, its line and at most this many after it (source, caret, notes) */
#define ERROR_BLOCK_MAX 20

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "file:line:col: error: ...", "error: ..." and the fatal kind */
static bool clang_error_line(const char *l)
{
	return starts(l, "error: ") || starts(l, "fatal error: ") || strstr(l, ": error: ") ||
	       strstr(l, ": fatal error: ");
}

/* clang's "N errors generated." (or "M warnings and N errors generated."): N, or 0 */
static unsigned int errors_generated(const char *l)
{
	const char *at = strstr(l, " error");
	unsigned int n;

	if (!at || !strstr(l, " generated."))
		return 0;
	while (at > l && at[-1] >= '0' && at[-1] <= '9')
		at--;
	return sscanf(at, "%u", &n) == 1 ? n : 0;
}

/* A line that begins another diagnostic than the one above it (notes belong to it). */
static bool clang_header_line(const char *l)
{
	return starts(l, "In file included from ") || clang_error_line(l) ||
	       strstr(l, ": warning: ") || starts(l, "warning: ") ||
	       (l[0] >= '0' && l[0] <= '9' && strstr(l, " generated."));
}

/* What was left out of a failed compile's messages, for the tool's line. */
struct compile_cut {
	size_t left;	     /* lines not shown; 0: all shown */
	unsigned int errors; /* errors in all */
	size_t chain;	     /* lines of the first error's include chain */
	size_t chain_left;   /* of them, not shown */
};

/*
 * Replay a compile's messages.  In full after a success, with --verbose,
 * or when they are short; else only the first error: its include chain
 * (identical lines once; the outermost line and the innermost few), its
 * line and what follows it up to the next diagnostic.  A file that
 * includes itself otherwise prints 200 lines of include chain before each
 * of its 20 errors.
 */
static void replay_compile_messages(FILE *f, bool failed, struct compile_cut *cut)
{
	char **lines = NULL, *line = NULL;
	size_t n = 0, cap = 0, room = 0, first = 0, chain, shown = 0;
	bool all = !failed || log_verbose_enabled();

	*cut = (struct compile_cut){ 0 };
	while (capture_next_line(f, &line, &cap)) {
		if (n == room) {
			char **more =
				realloc(lines, (room = room ? 2 * room : 256) * sizeof(*lines));

			if (!more)
				break;
			lines = more;
		}
		lines[n++] = line;
		line = NULL;
		cap = 0;
	}
	free(line);
	if (f)
		fclose(f);
	while (first < n && !clang_error_line(lines[first]))
		first++;
	if (all || n <= COMPILE_LINES_MAX || first == n) {
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s\n", lines[i]);
	} else {
		size_t kept[1 + CHAIN_INNER_KEPT], nkept = 0, end;
		unsigned int generated = 0;

		chain = first;
		while (chain > 0 && starts(lines[chain - 1], "In file included from "))
			chain--;
		/* the chain's lines, each once where it repeats: the outermost and the innermost few */
		for (size_t i = chain; i < first; i++) {
			if (i > chain && strcmp(lines[i], lines[i - 1]) == 0)
				continue;
			if (nkept < 1 + CHAIN_INNER_KEPT) {
				kept[nkept++] = i;
			} else {
				memmove(kept + 1, kept + 2,
					sizeof(kept[0]) * (CHAIN_INNER_KEPT - 1));
				kept[CHAIN_INNER_KEPT] = i;
			}
		}
		for (size_t i = 0; i < nkept; i++, shown++)
			fprintf(stderr, "%s\n", lines[kept[i]]);
		for (end = first + 1;
		     end < n && end <= first + ERROR_BLOCK_MAX && !clang_header_line(lines[end]);)
			end++;
		for (size_t i = first; i < end; i++, shown++)
			fprintf(stderr, "%s\n", lines[i]);
		/* clang's count, "N errors generated.", or the error lines */
		for (size_t i = 0; i < n && !generated; i++)
			generated = errors_generated(lines[i]);
		for (size_t i = 0; i < n && !generated; i++)
			generated += clang_error_line(lines[i]);
		cut->left = n - shown;
		cut->errors = generated;
		cut->chain = first - chain;
		cut->chain_left = first - chain - nkept;
	}
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static struct probe *probe_new(void)
{
	int ncpus = kernel_possible_cpus();
	struct probe *probe;

	if (ncpus < 1) {
		log_msg("cannot tell how many CPUs there can be (/sys/devices/system/cpu/possible): %s",
			strerror(ncpus ? -ncpus : EINVAL));
		errno = EIO;
		return NULL;
	}
	probe = calloc(1, sizeof(*probe));
	if (!probe) {
		log_msg("out of memory");
		errno = ENOMEM;
		return NULL;
	}
	for (int i = 0; i < IMAGE_TABLES_MAX; i++)
		probe->table_fds[i] = -1;
	probe->ncpus = ncpus;
	probe->counts_fd = probe->stats_fd = probe->self_fd = -1;
	/* a debugging switch for the tests: read key by key, as on kernels before 5.6 */
	probe->no_batch = getenv("EXECCOUNT_DEBUG_NO_BATCH") != NULL;
	return probe;
}

/* The fd of the image's table called name, or -1. */
static int table_fd(const struct probe *probe, const char *name)
{
	const struct image_table *t = image_table(&probe->img, name);

	return t ? probe->table_fds[t - probe->img.tables] : -1;
}

static void contract_fds(struct probe *probe)
{
	probe->counts_fd = table_fd(probe, CONTRACT_COUNTS_TABLE);
	probe->stats_fd = table_fd(probe, CONTRACT_STATS_TABLE);
	probe->self_fd = table_fd(probe, CONTRACT_SELF_TABLE);
}

/* A table bcc_create_map() makes from its sizes alone, as libbcc did. */
static bool table_type_plain(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return true;
	default:
		return false;
	}
}

/* The module's tables and functions as an image; its tables' fds duplicated into the probe. */
static int image_from_module(struct probe *probe, void *module)
{
	struct probe_image *img = &probe->img;
	int fds[IMAGE_TABLES_MAX];
	size_t ntables = bcc.num_tables(module), nfns = bcc.num_functions(module);
	const char *license = bcc.license(module);

	if (ntables > IMAGE_TABLES_MAX || nfns > IMAGE_PROGS_MAX || !license ||
	    strlen(license) >= sizeof(img->license))
		return -E2BIG;
	snprintf(img->license, sizeof(img->license), "%s", license);
	img->kern_version = bcc.kern_version(module);
	for (size_t i = 0; i < ntables; i++) {
		struct image_table *t = &img->tables[i];
		const char *name = bcc.table_name(module, i);

		if (!name || strlen(name) >= sizeof(t->name))
			return -E2BIG;
		snprintf(t->name, sizeof(t->name), "%s", name);
		t->type = bcc.table_type(module, i);
		t->key_size = bcc.table_key_size(module, i);
		t->value_size = bcc.table_leaf_size(module, i);
		t->max_entries = bcc.table_max_entries(module, i);
		t->flags = bcc.table_flags(module, i);
		/* clang's types of key and value, for the contract check (kept in the cache) */
		if (image_set_descs(t, bcc.table_key_desc(module, i),
				    bcc.table_leaf_desc(module, i)))
			return -ENOMEM;
		/* tables that need more than their sizes to be made again (BTF, an inner map, pins) */
		if (!table_type_plain(t->type))
			probe->cacheable = false;
		fds[i] = bcc.table_fd(module, i);
		img->ntables++;
		/* the module closes its own fds when destroyed: the tables live on in these */
		probe->table_fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		if (probe->table_fds[i] < 0)
			return -errno;
	}
	for (size_t i = 0; i < nfns; i++) {
		const char *name = bcc.function_name(module, i);
		int err = image_add_prog(img, name, bcc.function_start(module, i),
					 bcc.function_size(module, i), fds);

		if (err == -ENOTSUP)
			log_msg("probe function '%s' uses an instruction bcc-execcount cannot load by itself (a reference to global data, a BTF id or a function pointer) -- keep to tables and helpers, as the built-in probe does",
				name);
		if (err)
			return err;
	}
	return 0;
}

int probe_compile(struct probe **out, const char *source, size_t len, const char *name,
		  const char *const *cflags, int ncflags)
{
	struct compile_cut cut;
	struct capture cap;
	struct probe *probe;
	char chain[96] = "";
	void *module;
	char *text;
	int n, saved, err;

	*out = NULL;
	err = probe_compiler_load();
	if (err)
		return err;
	probe = probe_new();
	if (!probe)
		return -errno;
	/* #line: clang's diagnostics then name the user's file, not /virtual/main.c */
	text = malloc(sizeof("#line 1 \"\"\n") + 2 * strlen(name) + len);
	if (!text) {
		free(probe);
		log_msg("out of memory compiling probe %s", name);
		return -ENOMEM;
	}
	n = sprintf(text, "#line 1 \"");
	for (const char *c = name; *c; c++) {
		if (*c == '"' || *c == '\\')
			text[n++] = '\\';
		text[n++] = *c;
	}
	n += sprintf(text + n, "\"\n");
	memcpy(text + n, source, len);
	text[n + len] = '\0';

	capture_begin(&cap);
	saved = stdout_to_stderr();
	module = bcc.create(text, 0, (const char **)cflags, ncflags, true, NULL);
	stdout_restore(saved);
	replay_compile_messages(capture_end(&cap), !module, &cut);
	free(text);
	if (!module) {
		free(probe);
		if (!cut.left) {
			log_msg("probe %s did not compile, or its tables could not be created (the messages above say which; a table too large for --max-keys shows as \"could not open bpf map\")",
				name);
			return -EINVAL;
		}
		if (cut.chain_left)
			snprintf(chain, sizeof(chain),
				 ", and %zu of the %zu lines of the include chain above it",
				 cut.chain_left, cut.chain);
		log_msg("probe %s did not compile: its first error is above; %zu more lines of clang's messages left out (%u error%s in all%s) -- --verbose shows them all",
			name, cut.left, cut.errors, cut.errors == 1 ? "" : "s", chain);
		return -EINVAL;
	}
	probe->module = module;
	/* a pinned table is opened by libbcc from bpffs: the image would make a new one */
	probe->cacheable = !memmem(source, len, "_PINNED", 7);
	err = image_from_module(probe, module);
	if (err) {
		if (err == -E2BIG)
			log_msg("probe %s: more than %d tables or functions, or a name of %d bytes or more -- bcc-execcount loads at most that",
				name, IMAGE_TABLES_MAX, IMAGE_NAME_MAX);
		else if (err != -ENOTSUP)
			log_msg("probe %s: reading what libbcc compiled: %s", name, strerror(-err));
		probe_destroy(probe);
		return err == -ENOTSUP ? -EINVAL : err;
	}
	contract_fds(probe);
	*out = probe;
	return 0;
}

int probe_from_image(struct probe **out, struct probe_image *img)
{
	struct probe *probe = probe_new();

	*out = NULL;
	if (!probe)
		return -errno;
	probe->img = *img;
	/* the probe owns the instructions now */
	memset(img, 0, sizeof(*img));
	for (uint32_t i = 0; i < probe->img.ntables; i++) {
		const struct image_table *t = &probe->img.tables[i];
		int fd = bcc_create_map(t->type, t->name, t->key_size, t->value_size,
					t->max_entries, t->flags);

		if (fd < 0) {
			int err = fd < -1 ? fd : -errno;

			if (err == -EPERM)
				log_msg("creating table '%s': %s -- needs CAP_BPF (or root), and a kernel not in lockdown mode",
					t->name, strerror(-err));
			else
				log_msg("creating table '%s' (%u entries of %u + %u bytes): %s",
					t->name, t->max_entries, t->key_size, t->value_size,
					strerror(-err));
			probe_destroy(probe);
			return err;
		}
		probe->table_fds[i] = fd;
	}
	contract_fds(probe);
	*out = probe;
	return 0;
}

void probe_handover(const struct probe *probe, struct probe_handover *h)
{
	memset(h, 0, sizeof(*h));
	h->ntables = probe->img.ntables;
	for (unsigned int i = 0; i < h->ntables; i++)
		h->table_fds[i] = probe->table_fds[i];
	h->nprogs = probe->nprogs;
	for (unsigned int i = 0; i < probe->nprogs; i++) {
		h->prog_index[i] = (unsigned int)(image_prog(&probe->img, probe->progs[i].fn) -
						  probe->img.progs);
		h->prog_fds[i] = probe->progs[i].fd;
	}
}

static void close_handover(const struct probe_handover *h)
{
	for (unsigned int i = 0; i < h->ntables && i < IMAGE_TABLES_MAX; i++)
		close(h->table_fds[i]);
	for (unsigned int i = 0; i < h->nprogs && i < PROGS_MAX; i++)
		close(h->prog_fds[i]);
}

int probe_adopt(struct probe **out, struct probe_image *img, const struct probe_handover *h)
{
	struct probe *probe;

	*out = NULL;
	if (h->ntables != img->ntables || h->nprogs > PROGS_MAX) {
		log_msg("the compiler process handed over %u tables and %u programs for an image of %u tables",
			h->ntables, h->nprogs, img->ntables);
		close_handover(h);
		return -EIO;
	}
	for (unsigned int i = 0; i < h->nprogs; i++)
		if (h->prog_index[i] >= img->nprogs) {
			log_msg("the compiler process handed over program %u of an image of %u",
				h->prog_index[i], img->nprogs);
			close_handover(h);
			return -EIO;
		}
	probe = probe_new();
	if (!probe) {
		close_handover(h);
		return -errno;
	}
	probe->img = *img;
	memset(img, 0, sizeof(*img));
	for (unsigned int i = 0; i < h->ntables; i++)
		probe->table_fds[i] = h->table_fds[i];
	for (unsigned int i = 0; i < h->nprogs; i++) {
		probe->progs[i].fn = probe->img.progs[h->prog_index[i]].name;
		probe->progs[i].fd = h->prog_fds[i];
	}
	probe->nprogs = h->nprogs;
	probe->cacheable = true;
	contract_fds(probe);
	*out = probe;
	return 0;
}

const struct probe_image *probe_image(const struct probe *probe)
{
	return &probe->img;
}

bool probe_cacheable(const struct probe *probe)
{
	return probe->cacheable;
}

/*
 * One side (key or value) of a table against what the host reads of it:
 * libbcc's description of the compiled type, field by field.
 */
static int check_desc(const char *table, const char *side, const char *desc,
		      const struct layout *want, const char *builtin)
{
	struct typedesc found;
	const char *why;
	char diff[256];

	if (!desc) {
		log_msg("probe table '%s': libbcc gave no description of its %s type, so its layout cannot be checked -- declare it as the built-in probe's %s (--print-probe)",
			table, side, builtin);
		return -ENOENT;
	}
	if (typedesc_parse(desc, &found, &why)) {
		log_msg("probe table '%s': libbcc's description of its %s type cannot be read (%s), so its layout cannot be checked -- declare it as the built-in probe's %s (--print-probe)",
			table, side, why, builtin);
		return -ENOENT;
	}
	if (typedesc_compare(&found, want, diff, sizeof(diff)) == 0)
		return 0;
	if (found.kind == TYPEDESC_STRUCT)
		log_msg("probe table '%s' %s (struct %s): %s -- the host reads the bytes by the built-in probe's %s: the same field names, types and order (--print-probe)",
			table, side, found.name, diff, builtin);
	else
		log_msg("probe table '%s' %s: %s -- the host reads the bytes by the built-in probe's %s: the same field names, types and order (--print-probe)",
			table, side, diff, builtin);
	return -ENOENT;
}

static int check_table(struct probe *probe, const struct contract_table *ct, int type)
{
	static const char *const type_names[] = {
		[BPF_MAP_TYPE_ARRAY] = "BPF_ARRAY",
		[BPF_MAP_TYPE_PERCPU_HASH] = "BPF_PERCPU_HASH",
	};
	const struct image_table *t = image_table(&probe->img, ct->name);
	int err;

	if (!t) {
		log_msg("probe has no table '%s' -- it is part of the probe contract (see --print-probe)",
			ct->name);
		return -ENOENT;
	}
	if (t->type != (uint32_t)type) {
		log_msg("probe table '%s' must be a %s, as in the built-in probe (--print-probe)",
			ct->name, type_names[type]);
		return -ENOENT;
	}
	if (t->key_size != ct->key.size || t->value_size != ct->value.size) {
		log_msg("probe table '%s' has %u-byte keys and %u-byte values, the host needs %zu and %zu",
			ct->name, t->key_size, t->value_size, ct->key.size, ct->value.size);
		return -ENOENT;
	}
	err = check_desc(ct->name, "key", t->key_desc, &ct->key, ct->key_struct);
	if (!err)
		err = check_desc(ct->name, "value", t->value_desc, &ct->value, ct->value_struct);
	return err;
}

int probe_check_contract(struct probe *probe, const struct key_layout *layout,
			 const char *const *fns, unsigned int nfns)
{
	static const int types[CONTRACT_TABLES_] = {
		[CONTRACT_COUNTS] = BPF_MAP_TYPE_PERCPU_HASH,
		[CONTRACT_STATS] = BPF_MAP_TYPE_ARRAY,
		[CONTRACT_SELF] = BPF_MAP_TYPE_ARRAY,
	};
	struct contract_layouts want;
	int err;

	contract_layouts_init(&want, layout);
	for (int i = 0; i < CONTRACT_TABLES_; i++) {
		err = check_table(probe, &want.tables[i], types[i]);
		if (err)
			return err;
	}
	for (unsigned int i = 0; i < nfns; i++)
		if (!image_prog(&probe->img, fns[i])) {
			log_msg("probe has no function '%s', which this hook attaches", fns[i]);
			return -ENOENT;
		}
	return 0;
}

/* One program into the kernel: the module's own load after a compile (with BTF), else the image's. */
static int load(struct probe *probe, const struct image_prog *prog, const struct image_insn *insns,
		int prog_type, int log_level, char *log, unsigned int log_size)
{
	if (probe->module)
		return bcc.func_load(probe->module, prog_type, prog->name,
				     bcc.function_start(probe->module, prog - probe->img.progs),
				     prog->ninsns * sizeof(*insns), probe->img.license,
				     probe->img.kern_version, log_level, log, log_size, NULL, -1);
	return bcc_prog_load(prog_type, prog->name, (const struct bpf_insn *)insns,
			     prog->ninsns * sizeof(*insns), probe->img.license,
			     probe->img.kern_version, log_level, log, log_size);
}

/* libbcc's line for any E2BIG: "bpf: <strerror>. Program <name> too large (N insns), at most M insns" */
static bool libbcc_too_large_line(const char *line)
{
	return strncmp(line, "bpf: ", 5) == 0 && strstr(line, " too large (") &&
	       strstr(line, " insns), at most ");
}

/*
 * Replay what libbcc printed during a load.  On E2BIG, libbcc prints
 * "Program too large (N insns), at most 4096 insns" and no log, whatever
 * the kernel meant: that line (and the blank one after it) is dropped, as
 * the caller says what the verifier said.
 */
static void replay_load_messages(FILE *f, bool e2big)
{
	char *line = NULL;
	size_t cap = 0;
	bool dropped = false;

	while (capture_next_line(f, &line, &cap)) {
		if (e2big && libbcc_too_large_line(line)) {
			dropped = true;
			continue;
		}
		if (dropped && !*line) {
			dropped = false;
			continue;
		}
		dropped = false;
		fprintf(stderr, "%s\n", line);
	}
	free(line);
	if (f)
		fclose(f);
}

/* how many of the verifier log's last lines are shown */
#define VERIFIER_TAIL_LINES 4

/* The last VERIFIER_TAIL_LINES non-empty lines of log on stderr, as libbcc shows a log; how many. */
static int print_log_tail(const char *log)
{
	const char *from[VERIFIER_TAIL_LINES];
	int n = 0, len[VERIFIER_TAIL_LINES];

	for (const char *p = log; *p;) {
		const char *nl = strchrnul(p, '\n');

		if (nl > p) {
			if (n == VERIFIER_TAIL_LINES) {
				memmove(from, from + 1, sizeof(from[0]) * (n - 1));
				memmove(len, len + 1, sizeof(len[0]) * (n - 1));
				n--;
			}
			from[n] = p;
			len[n++] = (int)(nl - p);
		}
		p = *nl ? nl + 1 : nl;
	}
	for (int i = 0; i < n; i++)
		fprintf(stderr, "%.*s\n", len[i], from[i]);
	return n;
}

/*
 * E2BIG from a load: the kernel says so both for a program over its size
 * limit (before verifying) and for one whose verification did not finish
 * ("BPF program is too large. Processed 1000001 insn": the verifier walks
 * every path, each turn of a loop a step, up to a million).  log is the
 * verifier's at level 4 (its reason and statistics), or "".  Its last lines
 * first, then the tool's one line.
 */
static void explain_e2big(const char *fn, unsigned int ninsns, const char *log)
{
	unsigned long processed = 0, limit = 0;
	const char *at, *shown;
	char lim[48] = "";

	if ((at = strstr(log, "BPF program is too large. Processed ")))
		sscanf(at, "BPF program is too large. Processed %lu", &processed);
	if ((at = strstr(log, " insns (limit ")))
		sscanf(at, " insns (limit %lu)", &limit);
	shown = print_log_tail(log) ? "the verifier's last lines are above"
				    : "the verifier gave no log";
	if (limit)
		snprintf(lim, sizeof(lim), " (%lu)", limit);
	if (processed)
		log_msg("the kernel verifier could not finish probe function '%s': it gave up after processing %lu instructions, over its complexity limit%s -- a loop it follows turn by turn, or too many paths through the branches: bound the loop far lower, or take fewer branches (the function has %u instructions; %s)",
			fn, processed, lim, ninsns, shown);
	else
		log_msg("the kernel refused probe function '%s' as too large: %s -- the kernel loads at most 1000000 instructions (4096 without CAP_BPF); the function has %u (%s)",
			fn, strerror(E2BIG), ninsns, shown);
}

int probe_load(struct probe *probe, const char *fn, int prog_type, struct load_stats *stats)
{
	const struct image_prog *prog = image_prog(&probe->img, fn);
	/* the verifier's statistics (log level 4): a few lines, its reason first when it fails */
	char log[16384] = "";
	struct image_insn *insns;
	struct capture cap;
	int fd = -1, err = 0;

	for (unsigned int i = 0; i < probe->nprogs; i++)
		if (strcmp(probe->progs[i].fn, fn) == 0)
			return probe->progs[i].fd;
	if (probe->nprogs == PROGS_MAX)
		return -E2BIG;
	if (!prog)
		return -ENOENT;
	/* the tables' fds of this run in place of the image's table numbers */
	insns = image_relocate(prog, probe->table_fds);
	if (!insns)
		return -ENOMEM;

	capture_begin(&cap);
	/* with --verbose, the statistics */
	if (stats) {
		const char *at;

		fd = load(probe, prog, insns, prog_type, 4, log, sizeof(log));
		*stats = (struct load_stats){ 0 };
		if (fd >= 0) {
			if ((at = strstr(log, "processed ")))
				sscanf(at, "processed %lu insns", &stats->insns);
			if ((at = strstr(log, "verification time ")))
				sscanf(at, "verification time %lu usec", &stats->verify_us);
		} else {
			err = fd < -1 ? fd : -errno;
		}
	}
	/* a failed load makes libbcc retry with a log and print the verifier's output on stderr */
	if (!stats || (fd < 0 && err != -E2BIG)) {
		fd = load(probe, prog, insns, prog_type, 0, NULL, 0);
		err = fd < 0 ? (fd < -1 ? fd : -errno) : 0;
	}
	/* ...but not on E2BIG: then the verifier's reason and statistics, once more if not had */
	if (fd < 0 && err == -E2BIG && !stats) {
		int again = load(probe, prog, insns, prog_type, 4, log, sizeof(log));

		if (again >= 0) {
			/* it loaded this time (it should not): keep it */
			fd = again;
			err = 0;
		}
	}
	replay_load_messages(capture_end(&cap), err == -E2BIG);
	free(insns);
	if (fd < 0) {
		/* EPERM: not allowed to load at all; EACCES (and others): the verifier said no */
		if (err == -EPERM)
			log_msg("loading probe function '%s': %s -- needs CAP_BPF and CAP_PERFMON (or root), and a kernel not in lockdown mode",
				fn, strerror(-err));
		else if (err == -E2BIG)
			explain_e2big(fn, prog->ninsns, log);
		else
			log_msg("the kernel verifier rejected probe function '%s': %s (its log is above)",
				fn, strerror(-err));
		return err;
	}
	probe->progs[probe->nprogs].fn = fn;
	probe->progs[probe->nprogs++].fd = fd;
	return fd;
}

int probe_self_write(struct probe *probe, const struct contract_self *self)
{
	uint32_t zero = 0;

	if (bpf_update_elem(probe->self_fd, &zero, (void *)self, 0)) {
		log_msg("writing table '%s': %s", CONTRACT_SELF_TABLE, strerror(errno));
		return -errno;
	}
	return 0;
}

int probe_self_read(struct probe *probe, struct contract_self *self)
{
	uint32_t zero = 0;

	if (bpf_lookup_elem(probe->self_fd, &zero, self)) {
		log_msg("reading table '%s': %s", CONTRACT_SELF_TABLE, strerror(errno));
		return -errno;
	}
	return 0;
}

/* One key: its per-CPU values summed, and the host's numbers derived. */
static int push_raw(struct probe *probe, struct snapshot *snap, const struct key_layout *layout,
		    const void *raw, const struct contract_counts *percpu)
{
	struct contract_counts sum = { 0 };
	struct exec_counts n;
	struct exec_key key;

	for (int cpu = 0; cpu < probe->ncpus; cpu++) {
		sum.execve_ok += percpu[cpu].execve_ok;
		sum.execve_failed += percpu[cpu].execve_failed;
		sum.execveat_ok += percpu[cpu].execveat_ok;
		sum.execveat_failed += percpu[cpu].execveat_failed;
	}
	n = (struct exec_counts){
		.execve = sum.execve_ok + sum.execve_failed,
		.execveat = sum.execveat_ok + sum.execveat_failed,
		.ok = sum.execve_ok + sum.execveat_ok,
		.failed = sum.execve_failed + sum.execveat_failed,
	};
	key_decode(layout, raw, &key);
	return snapshot_push(snap, &key, &n);
}

/* Room for batch_len keys and their values (batch_len >= 1). */
static int read_buffers(struct probe *probe, const struct key_layout *layout)
{
	size_t per_key = layout->size + probe->ncpus * sizeof(struct contract_counts);

	if (probe->values)
		return 0;
	probe->batch_len = BATCH_BYTES / per_key ? BATCH_BYTES / per_key : 1;
	probe->batch_keys = malloc(probe->batch_len * layout->size);
	probe->values = malloc(probe->batch_len * probe->ncpus * sizeof(struct contract_counts));
	return probe->batch_keys && probe->values ? 0 : -ENOMEM;
}

/* One lookup per key: kernels before 5.6.  Keys are never deleted, so a failed lookup is an error. */
static int read_by_key(struct probe *probe, const struct key_layout *layout, struct snapshot *snap)
{
	unsigned char key[sizeof(struct exec_key)], next[sizeof(struct exec_key)];
	int err = read_buffers(probe, layout);

	if (err)
		return err;
	if (bpf_get_first_key(probe->counts_fd, next, layout->size))
		goto out_iter;
	do {
		memcpy(key, next, layout->size);
		if (bpf_lookup_elem(probe->counts_fd, key, probe->values))
			return -errno;
		err = push_raw(probe, snap, layout, key, probe->values);
		if (err)
			return err;
	} while (bpf_get_next_key(probe->counts_fd, key, next) == 0);
out_iter:
	/* the iteration ends (or finds an empty table) with ENOENT */
	return errno == ENOENT ? 0 : -errno;
}

/*
 * batch_len keys at a time.  -EINVAL or -ENOTSUPP on the first call: the
 * kernel has no batch ops (< 5.6), and the caller falls back for good.
 */
static int read_batch(struct probe *probe, const struct key_layout *layout, struct snapshot *snap)
{
	__u32 batch, next, n;
	bool first = true;
	int err = read_buffers(probe, layout);

	if (err)
		return err;
	for (;;) {
		n = probe->batch_len;
		err = bpf_lookup_batch(probe->counts_fd, first ? NULL : &batch, &next,
				       probe->batch_keys, probe->values, &n);
		err = err ? -errno : 0;
		if (err && err != -ENOENT)
			return err;
		for (__u32 i = 0; i < n; i++) {
			int perr = push_raw(probe, snap, layout,
					    (unsigned char *)probe->batch_keys + i * layout->size,
					    probe->values + (size_t)i * probe->ncpus);

			if (perr)
				return perr;
		}
		if (err == -ENOENT)
			return 0;
		batch = next;
		first = false;
	}
}

int probe_read_counts(struct probe *probe, const struct key_layout *layout, struct snapshot *snap)
{
	struct contract_stats stats;
	uint32_t zero = 0;
	const char *table = CONTRACT_COUNTS_TABLE;
	int err = -EINVAL;

	snap->len = 0;
	if (!probe->no_batch) {
		err = read_batch(probe, layout, snap);
		if ((err == -EINVAL || err == -KERNEL_ENOTSUPP) && snap->len == 0) {
			log_verbose("no batch lookups in this kernel (%s): reading key by key",
				    strerror(-err));
			probe->no_batch = true;
		}
	}
	/* a hash bucket with more keys than a batch holds: this read goes key by key */
	if (probe->no_batch || err == -ENOSPC) {
		snap->len = 0;
		err = read_by_key(probe, layout, snap);
	}
	if (!err) {
		table = CONTRACT_STATS_TABLE;
		err = bpf_lookup_elem(probe->stats_fd, &zero, &stats) ? -errno : 0;
		if (!err)
			snap->dropped = stats.dropped;
	}
	if (err)
		log_msg("reading table '%s': %s", table,
			err == -ENOMEM ? "out of memory" : strerror(-err));
	return err;
}

void probe_destroy(struct probe *probe)
{
	if (!probe)
		return;
	for (unsigned int i = 0; i < probe->nprogs; i++)
		close(probe->progs[i].fd);
	for (int i = 0; i < IMAGE_TABLES_MAX; i++)
		if (probe->table_fds[i] >= 0)
			close(probe->table_fds[i]);
	if (probe->module)
		bcc.destroy(probe->module);
	image_free(&probe->img);
	free(probe->batch_keys);
	free(probe->values);
	free(probe);
}
