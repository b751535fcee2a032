/* watch.c - the connection watchdog: request deadlines and idle limits.
 *
 * libmicrohttpd's own timeout counts inactivity, so a client that sends one
 * byte a second never trips it and can hold a connection (and a share of a
 * worker) for hours. This thread enforces wall-clock limits instead:
 *
 * - a request whose head and body have not fully arrived within the request
 *   timeout gets a 408 with our JSON error body, and its socket is shut
 *   down, which makes the library close the connection (over TLS only the
 *   shutdown: this thread cannot write into the encrypted stream);
 * - a connection that has not begun a new request within the idle timeout
 *   is shut down silently (a kept-alive connection nobody uses, or a
 *   request line trickling in byte by byte).
 *
 * Writing to the socket from this thread is safe because it only happens
 * while the request is RECEIVING (the library writes nothing then) and the
 * phase swap guarantees the handler will not answer too. The library calls
 * http_watch_close before it closes the descriptor, and we only touch
 * descriptors of connections still in the list, under the lock. The list is
 * scanned four times a second: cheap for the few hundred connections a
 * practice has. */
#include "http_int.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/errors.h"
#include "core/log.h"

#define SCAN_INTERVAL_MS 250

struct http_watch_conn {
    int              fd;
    int64_t          since_ms;     /* request start, or idle start */
    _Atomic int     *phase;        /* NULL while idle */
    bool             shut;         /* already shut down */
    http_watch_conn *prev, *next;
};

struct http_watch {
    pthread_t        thread;
    pthread_mutex_t  lock;
    pthread_cond_t   wake;
    bool             stopping;
    int64_t          request_timeout_ms;
    int64_t          idle_timeout_ms;
    http_watch_conn *conns;
    char             timeout_response[512];
    size_t           timeout_len;
};

static void send_timeout(http_watch *w, http_watch_conn *c)
{
    /* The socket buffer of a connection that is sending us a request has
     * room for a few hundred bytes; if not, the shutdown still closes it. */
    if (w->timeout_len > 0)
        (void)send(c->fd, w->timeout_response, w->timeout_len,
                   MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(c->fd, SHUT_RDWR);
    c->shut = true;
}

void http_watch_no_timeout_response(http_watch *w)
{
    pthread_mutex_lock(&w->lock);
    w->timeout_len = 0;
    pthread_mutex_unlock(&w->lock);
}

static void scan(http_watch *w, int64_t now)
{
    for (http_watch_conn *c = w->conns; c != NULL; c = c->next) {
        if (c->shut)
            continue;
        if (c->phase != NULL) {
            if (now - c->since_ms < w->request_timeout_ms)
                continue;
            int expect = HTTP_PHASE_RECEIVING;
            if (atomic_compare_exchange_strong(c->phase, &expect,
                                               HTTP_PHASE_TIMED_OUT)) {
                sw_info("http: request did not arrive within %lld s; answered 408",
                        (long long)(w->request_timeout_ms / 1000));
                send_timeout(w, c);
            }
        } else if (now - c->since_ms >= w->idle_timeout_ms) {
            shutdown(c->fd, SHUT_RDWR);
            c->shut = true;
        }
    }
}

static void *watch_main(void *arg)
{
    http_watch *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += SCAN_INTERVAL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->wake, &w->lock, &until);
        if (!w->stopping)
            scan(w, sw_now_mono_ms());
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int http_watch_start(int request_timeout_s, int idle_timeout_s,
                     http_watch **out)
{
    http_watch *w = sw_calloc(1, sizeof *w);
    if (w == NULL)
        return SW_ENOMEM;
    w->request_timeout_ms = (int64_t)request_timeout_s * 1000;
    w->idle_timeout_ms = (int64_t)idle_timeout_s * 1000;
    char body[256];
    int blen = snprintf(body, sizeof body,
        "{\"error\":{\"code\":\"%s\",\"message\":\"The request did not "
        "arrive within %d seconds.\",\"details\":[]}}",
        sw_code_id(SW_ETIMEOUT), request_timeout_s);
    int n = snprintf(w->timeout_response, sizeof w->timeout_response,
        "HTTP/1.1 408 Request Timeout\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: %d\r\n"
        "Connection: close\r\n\r\n%s", blen, body);
    w->timeout_len = (size_t)n;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        sw_free(w);
        return SW_ENOMEM;
    }
    *out = w;
    return SW_OK;
}

void http_watch_stop(http_watch *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    while (w->conns != NULL) {
        http_watch_conn *c = w->conns;
        w->conns = c->next;
        sw_free(c);
    }
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    sw_free(w);
}

http_watch_conn *http_watch_open(http_watch *w, int fd)
{
    http_watch_conn *c = sw_calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->fd = fd;
    c->since_ms = sw_now_mono_ms();
    pthread_mutex_lock(&w->lock);
    c->next = w->conns;
    if (w->conns)
        w->conns->prev = c;
    w->conns = c;
    pthread_mutex_unlock(&w->lock);
    return c;
}

void http_watch_close(http_watch *w, http_watch_conn *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&w->lock);
    sw_free(c);
}

void http_watch_begin(http_watch *w, http_watch_conn *c, _Atomic int *phase)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    c->phase = phase;
    c->since_ms = sw_now_mono_ms();
    pthread_mutex_unlock(&w->lock);
}

void http_watch_end(http_watch *w, http_watch_conn *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    c->phase = NULL;
    c->since_ms = sw_now_mono_ms();
    pthread_mutex_unlock(&w->lock);
}
