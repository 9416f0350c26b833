/* SPDX-License-Identifier: GPL-2.0 */
/*
 * http.h - --listen: GET /metrics over HTTP, served by libmicrohttpd from
 * its own thread.  The counting loop publishes a rendered page each
 * interval; a slow, silent or broken client only ever holds one of
 * HTTP_MAX_CONNECTIONS connections for at most HTTP_TIMEOUT_S, never the
 * loop.  HTTP/1.1 connections are kept alive between requests.  Until the
 * first page, GET /metrics is 503.  The only file that touches libmicrohttpd.
 */
#ifndef EXECCOUNT_HTTP_H
#define EXECCOUNT_HTTP_H

#include <stddef.h>

#include "cli.h"

/*
 * A connection gets this long to deliver a whole request (from its opening,
 * or from the end of the previous answer when kept alive), and is closed
 * after this long without traffic: idle and trickling clients alike lose
 * their slot.  No per-address limit: every local user shares 127.0.0.1.
 */
#define HTTP_TIMEOUT_S	     5
#define HTTP_MAX_CONNECTIONS 256 /* at once, in all; more wait in the listen backlog */

struct http_server;

/*
 * Bind addr (before anything is attached, so a taken port fails early).
 * Logs why not; returns 0, or a negative errno (-EADDRINUSE, ...).
 */
int http_bind(struct http_server **out, const struct listen_addr *addr);

/*
 * Start serving on the bound socket, from libmicrohttpd's thread and the
 * reaper's (both started after the capabilities are dropped, so they never
 * hold them).  0 or -EIO.
 */
int http_serve(struct http_server *server);

/* The page GET /metrics returns from now on (copied). 0 or -ENOMEM. */
int http_publish(struct http_server *server, const char *text, size_t len);

/* Stop serving and close the socket; NULL is fine. */
void http_stop(struct http_server *server);

#endif
