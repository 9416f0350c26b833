// SPDX-License-Identifier: GPL-2.0
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"

/* A connection as the request deadline sees it: a slot per connection MHD may hold. */
struct http_conn {
	int fd;		  /* -1: a free slot */
	int64_t deadline; /* ms, CLOCK_MONOTONIC: a whole request is due by then; 0: none due */
};

struct http_server {
	struct MHD_Daemon *daemon;
	int fd;		      /* listening; the daemon's once it has started */
	char where[96];	      /* "127.0.0.1:9435", for messages */
	pthread_mutex_t lock; /* guards page and len */
	char *page;
	size_t len;

	/*
	 * libmicrohttpd's timeout counts from the last byte received, so a client
	 * trickling a request keeps its connection for ever: the reaper thread
	 * shuts down each connection whose request is not in whole by its deadline.
	 */
	pthread_mutex_t conns_lock; /* guards conns and stopping */
	pthread_cond_t conns_wake;  /* a deadline was set, or stopping */
	struct http_conn conns[HTTP_MAX_CONNECTIONS];
	bool stopping;
	bool reaping; /* the reaper thread runs */
	pthread_t reaper;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The connection's slot, or NULL if it has none. */
static struct http_conn *conn_slot(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

/* A whole request is due from c within HTTP_TIMEOUT_S from now (due: true), or none is. */
static void conn_due(struct http_server *server, struct http_conn *c, bool due)
{
	if (!c)
		return;
	pthread_mutex_lock(&server->conns_lock);
	if (c->fd >= 0) {
		c->deadline = due ? now_ms() + HTTP_TIMEOUT_S * 1000 : 0;
		if (due)
			pthread_cond_signal(&server->conns_wake);
	}
	pthread_mutex_unlock(&server->conns_lock);
}

/*
 * Runs on libmicrohttpd's thread, which closes the socket only after the
 * CLOSED call: under conns_lock every fd in a slot is still the connection's.
 */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *server = cls;
	struct http_conn *c = *socket_context;
	const union MHD_ConnectionInfo *info;
	size_t i;

	if (code != MHD_CONNECTION_NOTIFY_STARTED) {
		if (c) {
			pthread_mutex_lock(&server->conns_lock);
			c->fd = -1;
			c->deadline = 0;
			pthread_mutex_unlock(&server->conns_lock);
		}
		return;
	}
	info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!info)
		return;
	pthread_mutex_lock(&server->conns_lock);
	for (i = 0; i < HTTP_MAX_CONNECTIONS; i++) {
		if (server->conns[i].fd < 0) {
			c = &server->conns[i];
			c->fd = info->connect_fd;
			c->deadline = now_ms() + HTTP_TIMEOUT_S * 1000;
			pthread_cond_signal(&server->conns_wake);
			break;
		}
	}
	pthread_mutex_unlock(&server->conns_lock);
	/* NULL if none was free (never: MHD holds at most as many): then MHD's timeout only */
	*socket_context = c;
}

/* An answer sent whole on a connection kept alive: the next request is due. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode code)
{
	(void)req_cls;
	if (code == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		conn_due(cls, conn_slot(conn), true);
}

static void *reap(void *arg)
{
	struct http_server *server = arg;
	struct timespec until;
	int64_t now, next;
	size_t i;

	pthread_mutex_lock(&server->conns_lock);
	while (!server->stopping) {
		now = now_ms();
		next = 0;
		for (i = 0; i < HTTP_MAX_CONNECTIONS; i++) {
			struct http_conn *c = &server->conns[i];

			if (c->fd < 0 || !c->deadline)
				continue;
			if (c->deadline <= now) {
				/* libmicrohttpd then reads EOF and closes it */
				shutdown(c->fd, SHUT_RDWR);
				c->deadline = 0;
				log_verbose(
					"http: closed a connection that sent no whole request in %d s",
					HTTP_TIMEOUT_S);
			} else if (!next || c->deadline < next) {
				next = c->deadline;
			}
		}
		if (!next) {
			pthread_cond_wait(&server->conns_wake, &server->conns_lock);
			continue;
		}
		until.tv_sec = next / 1000;
		until.tv_nsec = (next % 1000) * 1000000;
		pthread_cond_timedwait(&server->conns_wake, &server->conns_lock, &until);
	}
	pthread_mutex_unlock(&server->conns_lock);
	return NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_verbose("http: %s", line);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *body,
			     size_t len, const char *type, const char *allow)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * Errors are answered on the first call, before any body is read: a client
 * streaming a body at a wrong path or method is turned away at once, not read
 * to the end (libmicrohttpd then closes the connection).  GET and HEAD
 * /metrics are answered on a later call, once the request is in whole, which
 * is what lets libmicrohttpd keep the connection alive; a body sent with
 * them is read and dropped.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **req_cls)
{
	static const char not_found[] = "Not found: the metrics are at /metrics\n";
	static const char not_allowed[] = "Method not allowed: GET or HEAD /metrics\n";
	static const char not_yet[] =
		"Not counting yet: the probe is being compiled and attached\n";
	static int seen; /* *req_cls after the first call: its address, never data */
	struct http_server *server = cls;
	enum MHD_Result ret;

	(void)version;
	(void)upload_data;
	if (strcmp(url, "/metrics") != 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
			     "text/plain; charset=utf-8", NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed,
			     sizeof(not_allowed) - 1, "text/plain; charset=utf-8", "GET, HEAD");
	if (!*req_cls) {
		*req_cls = &seen;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	conn_due(server, conn_slot(conn), false);
	pthread_mutex_lock(&server->lock);
	if (server->page)
		ret = reply(conn, MHD_HTTP_OK, server->page, server->len, METRICS_CONTENT_TYPE,
			    NULL);
	else
		ret = reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, not_yet, sizeof(not_yet) - 1,
			    "text/plain; charset=utf-8", NULL);
	pthread_mutex_unlock(&server->lock);
	return ret;
}

/* Our own socket, so a bind failure is named exactly. */
static int listen_socket(const struct listen_addr *addr)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sslen;
	int one = 1, fd, err;

	if (addr->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(addr->port);
		inet_pton(AF_INET6, addr->host, &sin6->sin6_addr);
		sslen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(addr->port);
		inet_pton(AF_INET, addr->host, &sin->sin_addr);
		sslen = sizeof(*sin);
	}
	fd = socket(addr->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sslen) || listen(fd, 64)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int http_bind(struct http_server **out, const struct listen_addr *addr)
{
	bool v6 = addr->family == AF_INET6;
	struct http_server *server;
	pthread_condattr_t cattr;
	size_t i;

	*out = NULL;
	server = calloc(1, sizeof(*server));
	if (!server) {
		log_msg("out of memory");
		return -ENOMEM;
	}
	snprintf(server->where, sizeof(server->where), "%s%s%s:%u", v6 ? "[" : "", addr->host,
		 v6 ? "]" : "", addr->port);
	pthread_mutex_init(&server->lock, NULL);
	pthread_mutex_init(&server->conns_lock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&server->conns_wake, &cattr);
	pthread_condattr_destroy(&cattr);
	for (i = 0; i < HTTP_MAX_CONNECTIONS; i++)
		server->conns[i].fd = -1;
	server->fd = listen_socket(addr);
	if (server->fd < 0) {
		int err = server->fd;

		log_msg("cannot listen on %s: %s%s", server->where, strerror(-err),
			err == -EADDRINUSE ? " -- another process has that port: pick another"
					   : "");
		pthread_cond_destroy(&server->conns_wake);
		pthread_mutex_destroy(&server->conns_lock);
		pthread_mutex_destroy(&server->lock);
		free(server);
		return err;
	}
	*out = server;
	return 0;
}

static void stop_reaper(struct http_server *server)
{
	if (!server->reaping)
		return;
	pthread_mutex_lock(&server->conns_lock);
	server->stopping = true;
	pthread_cond_signal(&server->conns_wake);
	pthread_mutex_unlock(&server->conns_lock);
	pthread_join(server->reaper, NULL);
	server->reaping = false;
}

int http_serve(struct http_server *server)
{
	sigset_t all, old;
	int err;

	/* the server's threads take no signals: they are the counting loop's */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&server->reaper, NULL, reap, server);
	server->reaping = !err;
	/*
	 * No per-address limit (every local user shares 127.0.0.1, so one could
	 * fill it and keep a local scraper out); the deadline above bounds how
	 * long any client holds one of the slots.
	 */
	if (!err)
		server->daemon = MHD_start_daemon(
			MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request,
			server, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
			server->fd, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_CONNECTIONS,
			MHD_OPTION_NOTIFY_CONNECTION, on_connection, server,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, server, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		log_msg("cannot serve on %s: cannot start a thread: %s", server->where,
			strerror(err));
		return -EIO;
	}
	if (!server->daemon) {
		stop_reaper(server);
		log_msg("cannot serve on %s: libmicrohttpd did not start", server->where);
		return -EIO;
	}
	log_msg("serving metrics at http://%s/metrics", server->where);
	return 0;
}

int http_publish(struct http_server *server, const char *text, size_t len)
{
	char *page = malloc(len ? len : 1);

	if (!page)
		return -ENOMEM;
	memcpy(page, text, len);
	pthread_mutex_lock(&server->lock);
	free(server->page);
	server->page = page;
	server->len = len;
	pthread_mutex_unlock(&server->lock);
	return 0;
}

void http_stop(struct http_server *server)
{
	if (!server)
		return;
	if (server->daemon)
		MHD_stop_daemon(server->daemon); /* closes the listening socket too */
	else if (fcntl(server->fd, F_GETFD) != -1)
		close(server->fd); /* a failed start may have closed it already; no other thread runs */
	stop_reaper(server);
	pthread_cond_destroy(&server->conns_wake);
	pthread_mutex_destroy(&server->conns_lock);
	pthread_mutex_destroy(&server->lock);
	free(server->page);
	free(server);
}
