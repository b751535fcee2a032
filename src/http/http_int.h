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
#include <stdint.h>

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

/* A new TCP connection; NULL when out of memory (it goes unwatched). */
http_watch_conn *http_watch_open(http_watch *w, int fd);
void http_watch_close(http_watch *w, http_watch_conn *c);
/* A request began on c; phase is the request's phase word. */
void http_watch_begin(http_watch *w, http_watch_conn *c, _Atomic int *phase);
/* The request on c ended; c is idle again. */
void http_watch_end(http_watch *w, http_watch_conn *c);

#endif
