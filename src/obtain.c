// SPDX-License-Identifier: GPL-2.0
#include "obtain.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "cflags.h"
#include "fdio.h"
#include "kernel.h"
#include "log.h"
#include "preflight.h"

#ifndef EXECCOUNT_VERSION
#define EXECCOUNT_VERSION "0.0.0"
#endif

/* The environment libbcc and clang read while compiling: part of the cache key. */
static void compile_env(char *buf, size_t len)
{
	static const char *const names[] = {
		"BCC_KERNEL_SOURCE",
		"BCC_LINUX_VERSION_CODE",
		"BCC_KERNEL_MODULES_SUFFIX",
		"ARCH",
		"CPATH",
		"C_INCLUDE_PATH",
	};
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && at < len; i++) {
		const char *v = getenv(names[i]);

		if (v)
			at += snprintf(buf + at, len - at, "%s%s=%s", at ? " " : "", names[i], v);
	}
}

/* Everything the compile depends on, as the cache's key; false when it cannot be written. */
static bool make_key(struct obtained *ob, const struct cflags *cflags,
		     const struct probe_source *src)
{
	char headers[2 * PATH_MAX + 64], env[4096], libbcc[PATH_MAX + 64];
	struct utsname u;

	uname(&u);
	kernel_headers_identity(headers, sizeof(headers));
	compile_env(env, sizeof(env));
	probe_libbcc_identity(libbcc, sizeof(libbcc));
	if (cache_key_text(&(struct cache_key_input){ .tool_version = EXECCOUNT_VERSION,
						      .libbcc_version = libbcc,
						      .release = u.release,
						      .build = u.version,
						      .machine = u.machine,
						      .headers = headers,
						      .env = env,
						      .cflags = cflags->argv,
						      .ncflags = cflags->n,
						      .source = src->text,
						      .source_len = src->len },
			   ob->key, sizeof(ob->key))) {
		log_verbose(
			"cache: not used: a setting is too long for the key, or holds a newline");
		return false;
	}
	return true;
}

/* The cache's entry for the key: 0 a hit (ob->probe set), else compile (*cacheable says whether to keep it). */
static int from_cache(struct obtained *ob, bool *cacheable)
{
	struct probe_image img = { 0 };
	char path[PATH_MAX];
	int err;

	cache_entry_path(ob->cache, ob->key, path);
	err = cache_load(ob->cache, ob->key, &img);
	if (err == -ENOENT)
		log_verbose("cache: miss %s", path);
	if (err)
		return -ENOENT; /* none, or refused: compile, and store it anew */
	log_verbose("cache: hit %s", path);
	err = probe_from_image(&ob->probe, &img);
	image_free(&img);
	if (err == 0) {
		log_stage("cache");
		return 0;
	}
	if (err == -EPERM)
		return err;
	/* what libbcc made, the image could not make again: compile, keep nothing */
	log_msg("cache entry %s could not be loaded -- compiling the probe", path);
	*cacheable = false;
	return -ENOENT;
}

/* The compiler process's exit status for "compile it in the run's own process" (see compile_child). */
#define COMPILE_HERE	200
#define IMAGE_BYTES_MAX (64u << 20)

/* What the compiler process sends first, with the fds (SCM_RIGHTS): its tables', then its programs'. */
struct handover_msg {
	struct probe_handover h; /* its fds are the sender's: the received ones replace them */
	uint64_t image_len;	 /* the image's bytes follow */
};

static int send_handover(int sock, const struct probe_handover *h, size_t image_len)
{
	struct handover_msg msg = { .h = *h, .image_len = image_len };
	int fds[IMAGE_TABLES_MAX + PROBE_PROGS_MAX];
	unsigned int n = 0;
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} control = { 0 };
	struct iovec iov = { .iov_base = &msg, .iov_len = sizeof(msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf };
	struct cmsghdr *c;

	for (unsigned int i = 0; i < h->ntables; i++)
		fds[n++] = h->table_fds[i];
	for (unsigned int i = 0; i < h->nprogs; i++)
		fds[n++] = h->prog_fds[i];
	mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(msg) ? 0 : -EIO;
}

/* The other end: the header and its fds into *h; 0 or -errno (said). */
static int recv_handover(int sock, struct probe_handover *h, size_t *image_len)
{
	struct handover_msg msg;
	int fds[IMAGE_TABLES_MAX + PROBE_PROGS_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = &msg, .iov_len = sizeof(msg) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *c;
	unsigned int n = 0, want;
	ssize_t got;

	do
		got = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	while (got < 0 && errno == EINTR);
	if (got == 0)
		return -ENODATA; /* nothing sent: the compiler process said why, or must compile here */
	c = got == (ssize_t)sizeof(msg) ? CMSG_FIRSTHDR(&mh) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		n = (unsigned int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	if (n)
		memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	want = msg.h.ntables + msg.h.nprogs;
	if (got != (ssize_t)sizeof(msg) || (mh.msg_flags & MSG_CTRUNC) ||
	    msg.h.ntables > IMAGE_TABLES_MAX || msg.h.nprogs > PROBE_PROGS_MAX || n != want ||
	    msg.image_len > IMAGE_BYTES_MAX) {
		for (unsigned int i = 0; i < n; i++)
			close(fds[i]);
		log_msg("the compiler process handed over something else than a probe");
		return -EIO;
	}
	*h = msg.h;
	for (unsigned int i = 0; i < h->ntables; i++)
		h->table_fds[i] = fds[i];
	for (unsigned int i = 0; i < h->nprogs; i++)
		h->prog_fds[i] = fds[h->ntables + i];
	*image_len = (size_t)msg.image_len;
	return 0;
}

/* Run the contract check and the verifier with stderr held back: shown only when they pass. */
static int check_and_load_quietly(struct probe *probe, const struct config *cfg,
				  struct hooks *hooks)
{
	struct key_layout layout;
	int held = memfd_create("bcc-execcount-load", MFD_CLOEXEC), saved = dup(STDERR_FILENO);
	char buf[4096];
	ssize_t n;
	int err;

	if (held < 0 || saved < 0 || dup2(held, STDERR_FILENO) < 0)
		return -errno;
	key_layout_init(&layout, cfg->by_mask);
	err = hooks_check(hooks, probe, &layout);
	if (!err)
		err = hooks_load(hooks, probe, cfg->verbose);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	if (!err && lseek(held, 0, SEEK_SET) == 0)
		while ((n = read(held, buf, sizeof(buf))) > 0)
			write_full(STDERR_FILENO, buf, (size_t)n);
	return err;
}

/*
 * In the compiler process: compile, check, load, hand the tables, the
 * programs and the image over sock, exit; never returns.  A probe that does
 * not compile says so here and exits with its errno.  One that compiles but
 * cannot be handed over (pinned tables), or that the contract check or the
 * verifier refuses, exits COMPILE_HERE: the run compiles it again in its own
 * process, where the refusal is said in the phase it belongs to.
 */
static void compile_child(int sock, const struct config *cfg, const struct probe_source *src,
			  const struct cflags *cflags, const char *key, struct hooks *hooks)
{
	struct probe_handover h;
	struct probe *probe;
	unsigned char *buf = NULL;
	size_t len = 0;
	int err;

	err = probe_compile(&probe, src->text, src->len, src->name, cflags->argv, cflags->n);
	if (err)
		_exit(-err > 0 && -err < COMPILE_HERE ? -err : EIO);
	if (!probe_cacheable(probe) || check_and_load_quietly(probe, cfg, hooks))
		_exit(COMPILE_HERE);
	err = image_serialize(probe_image(probe), key, &buf, &len);
	if (!err) {
		probe_handover(probe, &h);
		err = send_handover(sock, &h, len);
	}
	if (!err)
		err = write_full(sock, buf, len);
	/* no destructors (libbcc's doubled globals, main.c) and nothing to free: the process ends */
	_exit(err ? EIO : 0);
}

/*
 * The compile, in a process of its own that checks and loads the programs
 * (through libbcc's module: with clang's BTF) and hands tables, programs and
 * image back: LLVM (over 100 MB resident) is never in the counting process.
 * 0 with ob->probe set; 1: compile in this process instead; or -errno (said,
 * by the compiler process or here).
 */
static int compile_apart(struct obtained *ob, const struct config *cfg,
			 const struct probe_source *src, const struct cflags *cflags,
			 const struct hooks *hooks)
{
	struct probe_image img = { 0 };
	struct probe_handover h;
	unsigned char *buf = NULL;
	const char *why = NULL;
	int sv[2], status, err;
	size_t len = 0;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		log_msg("starting the compiler process: socketpair: %s", strerror(errno));
		return -errno;
	}
	fflush(NULL); /* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		err = -errno;
		log_msg("starting the compiler process: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0) {
		struct hooks mine = *hooks;

		close(sv[0]);
		compile_child(sv[1], cfg, src, cflags, ob->key, &mine);
	}
	close(sv[1]);
	err = recv_handover(sv[0], &h, &len);
	if (!err) {
		buf = malloc(len ? len : 1);
		err = !buf ? -ENOMEM : read_full(sv[0], buf, len) == (ssize_t)len ? 0 : -EIO;
		if (err)
			log_msg("reading the compiled probe from the compiler process: %s",
				strerror(-err));
	}
	close(sv[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!err && image_parse(&img, buf, len, ob->key, &why)) {
		log_msg("the compiled probe came back unreadable from the compiler process: %s",
			why);
		err = -EIO;
	}
	free(buf);
	if (!err) {
		err = probe_adopt(&ob->probe, &img, &h);
		image_free(&img);
		return err;
	}
	if (err != -ENODATA) {
		image_free(&img);
		return err;
	}
	image_free(&img);
	if (WIFSIGNALED(status)) {
		log_msg("the compiler process was killed by signal %d (%s)", WTERMSIG(status),
			strsignal(WTERMSIG(status)));
		return -EINTR;
	}
	if (WEXITSTATUS(status) == COMPILE_HERE) {
		log_verbose(
			"the compiler process handed nothing over (pinned tables, or the contract or the verifier refuses the probe): compiling in this process");
		return 1;
	}
	return WEXITSTATUS(status) ? -WEXITSTATUS(status) : -EIO; /* said by the compiler process */
}

int obtain_probe(struct obtained *ob, const struct config *cfg, const struct cache *cache,
		 const struct probe_source *src, const struct hooks *hooks)
{
	struct finding headers;
	struct cflags cflags;
	bool cacheable = cache->usable;
	int err;

	memset(ob, 0, sizeof(*ob));
	ob->cache = cache;
	if (cfg->kernel_headers && setenv("BCC_KERNEL_SOURCE", cfg->kernel_headers, 1)) {
		log_msg("setting BCC_KERNEL_SOURCE: %s", strerror(errno));
		return -errno;
	}
	cflags_build(&cflags, cfg, hooks->kind == HOOK_KPROBE, hooks->syscall_wrapper,
		     hooks->at_exit);
	for (int i = 0; i < cflags.n; i++)
		log_verbose("cflag: %s", cflags.argv[i]);
	if (cfg->no_cache)
		log_verbose("cache: off (--no-cache)");
	if (cacheable)
		cacheable = make_key(ob, &cflags, src);
	if (cacheable) {
		err = from_cache(ob, &cacheable);
		if (err != -ENOENT)
			return err;
	}

	check_headers(&headers);
	err = finding_report(&headers);
	if (err)
		return err;
	err = compile_apart(ob, cfg, src, &cflags, hooks);
	if (err == 0) {
		log_stage("compile");
		ob->store = cacheable; /* the compiler process checked the image stands for it */
		return 0;
	}
	if (err != 1)
		return err;
	err = probe_compile(&ob->probe, src->text, src->len, src->name, cflags.argv, cflags.n);
	if (err)
		return err;
	log_stage("compile");
	ob->store = cacheable && probe_cacheable(ob->probe);
	if (cacheable && !ob->store)
		log_verbose(
			"cache: not stored: the probe has tables a start from the cache could not make the same (pinned, or of a type needing BTF)");
	return 0;
}

void obtained_commit(struct obtained *ob)
{
	if (!ob->store)
		return;
	cache_store(ob->cache, ob->key, probe_image(ob->probe));
	ob->store = false;
	log_stage("store");
}

void obtained_release(struct obtained *ob)
{
	probe_destroy(ob->probe);
	ob->probe = NULL;
}
