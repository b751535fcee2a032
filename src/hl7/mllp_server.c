/* mllp_server.c - the MLLP server: a listening socket, an accept thread,
 * and one thread per connection that reassembles frames, hands each
 * message to the handler and writes its reply before reading the next.
 *
 * The PMS keeps one or a few connections open and sends message after
 * message, each waiting for its acknowledgment; the benchmark drives 16
 * connections as fast as they are answered. Handlers store the message
 * before answering and may block on the database, and the store commits
 * concurrent writers together (group commit), so connections must run in
 * parallel: hence a thread each, rather than an event loop that would
 * serialize the handlers. Per connection, the read buffer, the frame and
 * the reply buffers are allocated once and reused for every message.
 *
 * Stopping: an eventfd, written once, wakes the accept thread and every
 * connection waiting for bytes. A connection inside its handler finishes
 * it and writes the reply first, then closes. */
#include "hl7/mllp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "hl7/mllp_int.h"

/* Bytes asked of the socket per read: many small messages at once, or a
 * large one in few reads. Memory per connection is at most this plus the
 * frame limit. */
#define READ_CHUNK (64 * 1024)
/* After an oversized frame is answered, how long the rest of it is read
 * and discarded, so that closing does not reset the connection (which
 * could destroy the reply before the peer has read it). */
#define LINGER_MS 2000

typedef struct conn conn;

struct mllp_server {
    mllp_server_config cfg;         /* host and PEM pointers not kept */
    size_t             max_frame;
    int                max_connections;
    int64_t            idle_ms, read_ms;
    int                listen_fd;
    int                wake_fd;     /* eventfd: readable once stopping */
    int                port;
    char               where[80];   /* "127.0.0.1:2575", for messages */
    mllp_tls_server   *tls;
    pthread_t          accept_thread;
    atomic_bool        stopping;

    pthread_mutex_t    mu;          /* guards conns and active */
    conn              *conns;
    int                active;      /* connections not yet done */
};

struct conn {
    mllp_server *srv;
    conn        *next;
    pthread_t    thread;
    bool         done;              /* the thread has finished (under mu) */
    mllp_io      io;
    mllp_peer    peer;
    char         who[80];           /* "10.0.0.5:40312" */
    mllp_framer  framer;
    sw_buf       reply;             /* the handler's reply */
    sw_buf       out;               /* the reply as a frame */
    bool         answered;          /* a frame was handled by the last feed */
};

/* ---- Addresses -------------------------------------------------------------- */

/* "host:port", with brackets around an IPv6 address. */
static void host_port(char *out, size_t n, const char *host, int port)
{
    if (strchr(host, ':'))
        snprintf(out, n, "[%s]:%d", host, port);
    else
        snprintf(out, n, "%s:%d", host, port);
}

/* The peer's address as text; an IPv4 address reaching an IPv6 socket
 * ("::ffff:10.0.0.5") is given as IPv4, as the peer address list has it. */
static void peer_of(const struct sockaddr_storage *ss, mllp_peer *peer)
{
    peer->address[0] = '\0';
    peer->port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &a->sin_addr, peer->address, sizeof peer->address);
        peer->port = ntohs(a->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
            inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], peer->address,
                      sizeof peer->address);
        else
            inet_ntop(AF_INET6, &a->sin6_addr, peer->address,
                      sizeof peer->address);
        peer->port = ntohs(a->sin6_port);
    }
}

/* ---- One connection ----------------------------------------------------------- */

static int write_frame(conn *c, const sw_buf *msg)
{
    if (msg->len == 0)
        return SW_OK;
    sw_buf_reset(&c->out);
    int rc = mllp_frame_wrap(&c->out, msg->data, msg->len);
    if (rc != SW_OK)
        return rc;
    return mllp_io_write_all(&c->io, c->out.data, c->out.len,
                             sw_now_mono_ms() + c->srv->read_ms);
}

/* A complete frame: the handler answers, the reply goes out, and only then
 * is the next frame looked at. */
static int on_frame(void *ctx, const char *msg, size_t len)
{
    conn *c = ctx;
    mllp_server *s = c->srv;
    sw_buf_reset(&c->reply);
    c->answered = true;
    int rc = s->cfg.handler(s->cfg.ctx, &c->peer, msg, len, &c->reply);
    if (rc != SW_OK) {
        sw_info("mllp: the handler refused a message from %s (%s); "
                "closing the connection", c->who, sw_code_id(rc));
        return rc;
    }
    rc = write_frame(c, &c->reply);
    if (rc != SW_OK) {
        char why[MLLP_WHY_MAX];
        sw_info("mllp: the reply to %s could not be sent: %s", c->who,
                rc == SW_ETIMEOUT ? "the peer did not read it in time"
                : rc == SW_EIO ? mllp_io_error(&c->io, why) : sw_code_id(rc));
    }
    return rc;
}

/* Answers a frame past the limit (if the owner has something to say),
 * then reads and drops what the peer still sends for a moment, so the
 * answer is not lost to a reset when the connection closes. */
static void answer_oversize(conn *c, char *rbuf)
{
    mllp_server *s = c->srv;
    sw_info("mllp: a frame from %s passed the limit of %zu bytes; closing the "
            "connection", c->who, s->max_frame);
    if (s->cfg.oversize) {
        sw_buf_reset(&c->reply);
        s->cfg.oversize(s->cfg.ctx, &c->peer, s->max_frame, &c->reply);
        if (write_frame(c, &c->reply) != SW_OK)
            return;
    }
    mllp_io_shutdown_write(&c->io);
    int64_t until = sw_now_mono_ms() + LINGER_MS;
    while (mllp_io_read(&c->io, rbuf, READ_CHUNK, until, s->wake_fd) > 0)
        ;
}

/* Drops whatever has arrived and not been read, without waiting, so that
 * closing sends an orderly FIN after the last reply, not a reset. */
static void drain_unread(conn *c, char *rbuf)
{
    mllp_io_shutdown_write(&c->io);
    while (mllp_io_read(&c->io, rbuf, READ_CHUNK, 0, -1) > 0)
        ;
}

/* Reads and answers frames until the peer leaves, a timeout passes, the
 * server stops or something fails. */
static void serve_conn(conn *c, char *rbuf)
{
    mllp_server *s = c->srv;
    int64_t now = sw_now_mono_ms();
    int64_t idle_until = now + s->idle_ms;   /* for a frame to start */
    int64_t frame_until = 0;                 /* for the started one to end */

    for (;;) {
        /* Over TLS, bytes already decrypted are readable without a wait
         * that would notice the stop: check first. */
        if (atomic_load(&s->stopping))
            return;
        bool in_frame = mllp_framer_in_frame(&c->framer);
        ssize_t got = mllp_io_read(&c->io, rbuf, READ_CHUNK,
                                   in_frame ? frame_until : idle_until,
                                   s->wake_fd);
        if (got == MLLP_IO_TIMEOUT) {
            sw_info("mllp: %s %s; closing the connection", c->who,
                    in_frame ? "did not finish a frame in time"
                             : "sent nothing for too long");
            return;
        }
        if (got == MLLP_IO_WOKEN)
            return;
        if (got == MLLP_IO_FAILED) {
            char why[MLLP_WHY_MAX];
            sw_info("mllp: reading from %s failed: %s", c->who,
                    mllp_io_error(&c->io, why));
            return;
        }
        if (got == MLLP_IO_CLOSED)
            return;

        /* One frame at a time, so each is answered before the next. */
        size_t off = 0;
        while (off < (size_t)got) {
            bool was_in = mllp_framer_in_frame(&c->framer);
            size_t used = 0;
            c->answered = false;
            int rc = mllp_framer_feed_one(&c->framer, rbuf + off,
                                          (size_t)got - off, on_frame, c, &used);
            off += used;
            if (rc == SW_ETOOBIG) {
                answer_oversize(c, rbuf);
                return;
            }
            if (rc == SW_ENOMEM) {
                sw_warn("mllp: out of memory for a frame from %s; closing the "
                        "connection", c->who);
                return;
            }
            if (rc != SW_OK)
                return;                      /* handler refused, write failed */
            now = sw_now_mono_ms();
            if (c->answered) {
                idle_until = now + s->idle_ms;
                if (atomic_load(&s->stopping)) {
                    drain_unread(c, rbuf);
                    return;
                }
            }
            if (mllp_framer_in_frame(&c->framer) && (!was_in || c->answered))
                frame_until = now + s->read_ms;
        }
    }
}

static void *conn_main(void *arg)
{
    conn *c = arg;
    mllp_server *s = c->srv;
    char *rbuf = NULL;

    if (s->cfg.accept && !s->cfg.accept(s->cfg.ctx, &c->peer)) {
        sw_info("mllp: connection from %s refused: not a known peer address",
                c->who);
        goto out;
    }
    if (s->tls) {
        sw_err err = { 0 };
        if (mllp_tls_server_handshake(s->tls, &c->io,
                                      sw_now_mono_ms() + s->read_ms,
                                      s->wake_fd, c->who, &err) != SW_OK) {
            if (err.code != SW_ESHUTDOWN)
                sw_info("mllp: %s", sw_err_text(&err));
            goto out;
        }
    }
    rbuf = sw_malloc(READ_CHUNK);
    if (rbuf == NULL) {
        sw_warn("mllp: out of memory for a connection from %s", c->who);
        goto out;
    }
    serve_conn(c, rbuf);
out:
    sw_free(rbuf);
    mllp_io_close(&c->io);
    mllp_framer_free(&c->framer);
    sw_buf_free(&c->reply);
    sw_buf_free(&c->out);
    pthread_mutex_lock(&s->mu);
    c->done = true;
    s->active--;
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* ---- Accepting ------------------------------------------------------------------ */

/* Joins and frees the connections whose threads have finished. With all,
 * waits for every one (at stop). Called by the accept thread only, or
 * after it has ended. */
static void reap(mllp_server *s, bool all)
{
    pthread_mutex_lock(&s->mu);
    conn **pp = &s->conns, *finished = NULL;
    while (*pp) {
        conn *c = *pp;
        if (all || c->done) {
            *pp = c->next;
            c->next = finished;
            finished = c;
        } else {
            pp = &c->next;
        }
    }
    pthread_mutex_unlock(&s->mu);
    while (finished) {
        conn *c = finished;
        finished = c->next;
        pthread_join(c->thread, NULL);
        sw_free(c);
    }
}

static void start_conn(mllp_server *s, int fd, const struct sockaddr_storage *ss)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn *c = sw_calloc(1, sizeof *c);
    if (c == NULL) {
        sw_warn("mllp: out of memory for a new connection; closed it");
        close(fd);
        return;
    }
    c->srv = s;
    c->io.fd = fd;
    peer_of(ss, &c->peer);
    host_port(c->who, sizeof c->who, c->peer.address, c->peer.port);
    mllp_framer_init(&c->framer, s->max_frame);
    sw_buf_init(&c->reply, SW_HL7_MAX_MESSAGE_BYTES);
    sw_buf_init(&c->out, SW_HL7_MAX_MESSAGE_BYTES + 3);

    pthread_mutex_lock(&s->mu);
    c->next = s->conns;
    s->conns = c;
    s->active++;
    int rc = pthread_create(&c->thread, NULL, conn_main, c);
    if (rc != 0) {
        s->conns = c->next;
        s->active--;
    }
    pthread_mutex_unlock(&s->mu);
    if (rc != 0) {
        sw_warn("mllp: cannot start a thread for %s (%s); closed it", c->who,
                strerror(rc));
        close(fd);
        sw_free(c);
    }
}

static void *accept_main(void *arg)
{
    mllp_server *s = arg;
    for (;;) {
        struct pollfd p[2] = {
            { .fd = s->listen_fd, .events = POLLIN },
            { .fd = s->wake_fd, .events = POLLIN },
        };
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            sw_error("mllp: waiting for connections failed: %s", strerror(errno));
            break;
        }
        if (p[1].revents & POLLIN)
            break;
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept4(s->listen_fd, (struct sockaddr *)&ss, &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                errno == ENOMEM) {
                /* Out of descriptors: wait a little instead of spinning. */
                sw_warn("mllp: cannot accept a connection: %s", strerror(errno));
                struct pollfd w = { .fd = s->wake_fd, .events = POLLIN };
                poll(&w, 1, 100);
            }
            continue;           /* EAGAIN, ECONNABORTED, EINTR … */
        }
        reap(s, false);
        pthread_mutex_lock(&s->mu);
        bool full = s->active >= s->max_connections;
        pthread_mutex_unlock(&s->mu);
        if (full) {
            mllp_peer peer;
            peer_of(&ss, &peer);
            sw_info("mllp: connection from %s closed: %d connections are "
                    "already open", peer.address, s->max_connections);
            close(fd);
            continue;
        }
        start_conn(s, fd, &ss);
    }
    return NULL;
}

/* ---- Starting and stopping ---------------------------------------------------- */

static int open_listener(mllp_server *s, const char *host, sw_err *err)
{
    char port[16];
    snprintf(port, sizeof port, "%d", s->cfg.port);
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
    }, *res = NULL;
    int g = getaddrinfo(host, port, &hints, &res);
    if (g != 0)
        return sw_err_set(err, SW_EINVAL, "cannot listen for MLLP on %s: %s",
                          s->where, gai_strerror(g));
    int saved = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                        a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) {
            s->listen_fd = fd;
            break;
        }
        saved = errno;
        close(fd);
    }
    freeaddrinfo(res);
    if (s->listen_fd < 0) {
        char why[MLLP_WHY_MAX];
        mllp_io io = { .fd = -1, .last_errno = saved ? saved : EADDRNOTAVAIL };
        return sw_err_set(err, SW_EIO, "cannot listen for MLLP on %s: %s",
                          s->where, mllp_io_error(&io, why));
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(s->listen_fd, (struct sockaddr *)&ss, &len) == 0) {
        mllp_peer bound;
        peer_of(&ss, &bound);
        s->port = bound.port;
    }
    host_port(s->where, sizeof s->where, host, s->port);
    return SW_OK;
}

int mllp_server_start(const mllp_server_config *cfg, mllp_server **out,
                      sw_err *err)
{
    *out = NULL;
    if (cfg->handler == NULL)
        return sw_err_set(err, SW_EINVAL, "the MLLP server needs a message handler");
    if (cfg->host == NULL || cfg->host[0] == '\0')
        return sw_err_set(err, SW_EINVAL, "the MLLP server needs a host to "
                          "listen on (\"0.0.0.0\", \"::\" or an address)");
    if (cfg->port < 0 || cfg->port > 65535)
        return sw_err_set(err, SW_EINVAL, "the MLLP port must be from 0 to "
                          "65535, not %d", cfg->port);
    if ((cfg->tls_cert_pem == NULL) != (cfg->tls_key_pem == NULL))
        return sw_err_set(err, SW_EINVAL, "MLLP over TLS needs both a "
                          "certificate and its key");
    if (cfg->max_connections < 0 || cfg->idle_timeout_s < 0 ||
        cfg->read_timeout_s < 0)
        return sw_err_set(err, SW_EINVAL, "MLLP connection limits and timeouts "
                          "cannot be negative");

    mllp_server *s = sw_calloc(1, sizeof *s);
    if (s == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    s->cfg = *cfg;
    s->cfg.host = NULL;
    s->cfg.tls_cert_pem = s->cfg.tls_key_pem = NULL;
    s->max_frame = cfg->max_frame ? cfg->max_frame : SW_HL7_MAX_MESSAGE_BYTES;
    s->max_connections = cfg->max_connections ? cfg->max_connections
                                              : SW_MLLP_MAX_CONNECTIONS;
    s->idle_ms = 1000LL * (cfg->idle_timeout_s ? cfg->idle_timeout_s
                                                : SW_MLLP_IDLE_TIMEOUT_S);
    s->read_ms = 1000LL * (cfg->read_timeout_s ? cfg->read_timeout_s
                                                : SW_MLLP_READ_TIMEOUT_S);
    s->listen_fd = -1;
    s->wake_fd = -1;
    atomic_init(&s->stopping, false);
    host_port(s->where, sizeof s->where, cfg->host, cfg->port);
    int rc;
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        sw_free(s);
        return sw_err_set(err, SW_ENOMEM, NULL);
    }
    if (cfg->tls_cert_pem) {
        rc = mllp_tls_server_new(cfg->tls_cert_pem, cfg->tls_key_pem, &s->tls, err);
        if (rc != SW_OK)
            goto fail_mutex;
    }
    rc = open_listener(s, cfg->host, err);
    if (rc != SW_OK)
        goto fail_tls;
    s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->wake_fd < 0) {
        rc = sw_err_set(err, SW_EIO, "cannot set up the MLLP server on %s: %s",
                        s->where, strerror(errno));
        goto fail_listen;
    }
    int prc = pthread_create(&s->accept_thread, NULL, accept_main, s);
    if (prc != 0) {
        rc = sw_err_set(err, SW_EIO, "cannot start the MLLP server on %s: %s",
                        s->where, strerror(prc));
        goto fail_wake;
    }
    *out = s;
    return SW_OK;

fail_wake:
    close(s->wake_fd);
fail_listen:
    close(s->listen_fd);
fail_tls:
    mllp_tls_server_free(s->tls);
fail_mutex:
    pthread_mutex_destroy(&s->mu);
    sw_free(s);
    return rc;
}

int mllp_server_port(const mllp_server *s)
{
    return s->port;
}

void mllp_server_stop(mllp_server *s)
{
    if (s == NULL)
        return;
    atomic_store(&s->stopping, true);
    uint64_t one = 1;
    /* Readable from now on: wakes the accept thread and every connection
     * waiting for bytes; those in a handler see it once they have replied. */
    while (write(s->wake_fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
    pthread_join(s->accept_thread, NULL);
    close(s->listen_fd);
    reap(s, true);
    close(s->wake_fd);
    mllp_tls_server_free(s->tls);
    pthread_mutex_destroy(&s->mu);
    sw_free(s);
}
