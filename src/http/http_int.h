/* http_int.h - shared between the server adapter (server.c) and the
 * connection watchdog (watch.c); nothing outside src/http/ includes it.
 *
 * A request moves RECEIVING -> RESPONDING when its handler starts, or
 * RECEIVING -> TIMED_OUT when the watchdog answers 408 for it. Both sides
 * make the move with a compare-and-swap, so exactly one of them writes to
 * the client. */
#ifndef SW_HTTP_INT_H
#define SW_HTTP_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"

enum http_phase {
    HTTP_PHASE_RECEIVING = 0,
    HTTP_PHASE_RESPONDING,
    HTTP_PHASE_TIMED_OUT,
};

typedef struct http_watch      http_watch;
typedef struct http_watch_conn http_watch_conn;

/* Starts the watchdog thread. A request that has not fully arrived
 * request_timeout_s after it began is answered 408 and its connection
 * closed; a connection that has not begun a request idle_timeout_s after
 * the previous one ended (or after it opened) is closed. */
int  http_watch_start(int request_timeout_s, int idle_timeout_s,
                      http_watch **out);
void http_watch_stop(http_watch *w);
/* Timed-out requests get no 408, only the shutdown: over TLS the bytes
 * would land in the encrypted stream as garbage. */
void http_watch_no_timeout_response(http_watch *w);

/* A new TCP connection; NULL when out of memory (it goes unwatched). */
http_watch_conn *http_watch_open(http_watch *w, int fd);
void http_watch_close(http_watch *w, http_watch_conn *c);
/* A request began on c; phase is the request's phase word. */
void http_watch_begin(http_watch *w, http_watch_conn *c, _Atomic int *phase);
/* The request on c ended; c is idle again. */
void http_watch_end(http_watch *w, http_watch_conn *c);

/* ---- Trusted reverse proxies (proxy.c) ----------------------------------- */

typedef struct http_proxies http_proxies;

/* Parses numeric addresses; *out stays NULL for an empty list. SW_EUSAGE
 * with a sentence for an entry that is not an IP address. */
int  http_proxies_parse(const char *const *list, size_t n, http_proxies **out,
                        sw_err *err);
void http_proxies_free(http_proxies *p);
/* Whether addr (text, as inet_ntop writes it) is a trusted proxy. */
bool http_proxies_has(const http_proxies *p, const char *addr);
/* Given the X-Forwarded-For list a trusted peer sent, overwrites client
 * with the rightmost address that is not a trusted proxy (or the leftmost
 * if all are); leaves it when the list is empty or its last entry is not
 * an address. */
void http_proxies_client(const http_proxies *p, const char *xff, char *client,
                         size_t cap);

#endif
