// SPDX-License-Identifier: GPL-2.0
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"

struct http_server {
	struct MHD_Daemon *daemon;
	int fd;		      /* listening; the daemon's once it has started */
	char where[96];	      /* "127.0.0.1:9435", for messages */
	pthread_mutex_t lock; /* guards page and len */
	char *page;
	size_t len;
};

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
 * Answered on the first call, before any body is read: a client streaming a
 * body at a wrong path or method is turned away at once, not read to the end.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **req_cls)
{
	static const char not_found[] = "Not found: the metrics are at /metrics\n";
	static const char not_allowed[] = "Method not allowed: GET or HEAD /metrics\n";
	static const char not_yet[] =
		"Not counting yet: the probe is being compiled and attached\n";
	struct http_server *server = cls;
	enum MHD_Result ret;

	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)req_cls;
	if (strcmp(url, "/metrics") != 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
			     "text/plain; charset=utf-8", NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed,
			     sizeof(not_allowed) - 1, "text/plain; charset=utf-8", "GET, HEAD");
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

	*out = NULL;
	server = calloc(1, sizeof(*server));
	if (!server) {
		log_msg("out of memory");
		return -ENOMEM;
	}
	snprintf(server->where, sizeof(server->where), "%s%s%s:%u", v6 ? "[" : "", addr->host,
		 v6 ? "]" : "", addr->port);
	pthread_mutex_init(&server->lock, NULL);
	server->fd = listen_socket(addr);
	if (server->fd < 0) {
		int err = server->fd;

		log_msg("cannot listen on %s: %s%s", server->where, strerror(-err),
			err == -EADDRINUSE ? " -- another process has that port: pick another"
					   : "");
		pthread_mutex_destroy(&server->lock);
		free(server);
		return err;
	}
	*out = server;
	return 0;
}

int http_serve(struct http_server *server)
{
	sigset_t all, old;

	/* the server's thread takes no signals: they are the counting loop's */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	server->daemon = MHD_start_daemon(
		MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, server,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, server->fd,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_PER_CLIENT,
		MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!server->daemon) {
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
	pthread_mutex_destroy(&server->lock);
	free(server->page);
	free(server);
}
