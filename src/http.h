/* SPDX-License-Identifier: GPL-2.0 */
/*
 * http.h - --listen: GET /metrics over HTTP, served by libmicrohttpd from
 * its own thread.  The counting loop publishes a rendered page each
 * interval; a slow, silent or broken client only ever holds a connection
 * (closed after HTTP_TIMEOUT_S idle; at most HTTP_MAX_PER_CLIENT per client
 * address), never the loop.  Until the first page, GET /metrics is 503.
 * The only file that touches libmicrohttpd.
 */
#ifndef EXECCOUNT_HTTP_H
#define EXECCOUNT_HTTP_H

#include <stddef.h>

#include "cli.h"

#define HTTP_TIMEOUT_S	     10 /* a connection idle this long is closed */
#define HTTP_MAX_CONNECTIONS 64
#define HTTP_MAX_PER_CLIENT  8 /* per client address: one host cannot take every slot */

struct http_server;

/*
 * Bind addr (before anything is attached, so a taken port fails early).
 * Logs why not; returns 0, or a negative errno (-EADDRINUSE, ...).
 */
int http_bind(struct http_server **out, const struct listen_addr *addr);

/*
 * Start serving on the bound socket, from libmicrohttpd's thread (started
 * after the capabilities are dropped, so it never holds them).  0 or -EIO.
 */
int http_serve(struct http_server *server);

/* The page GET /metrics returns from now on (copied). 0 or -ENOMEM. */
int http_publish(struct http_server *server, const char *text, size_t len);

/* Stop serving and close the socket; NULL is fine. */
void http_stop(struct http_server *server);

#endif
