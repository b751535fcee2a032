/* mllp_client.c - the MLLP client: connect (with a timeout, optionally
 * TLS), send a message as a frame, wait for the reply frame.
 *
 * Used by outbound delivery (one connection per PMS, a DFT^P03 at a time,
 * each waiting for its ACK), the interface test suite and the benchmark's
 * load generator (16 clients as fast as they are answered), so an exchange
 * allocates nothing: the frame, read and reply buffers live as long as
 * the client. Bytes read past a reply (a peer that answers twice, or
 * replies to pipelined sends) stay in the read buffer for the next
 * receive, so replies are never lost or reordered. */
#include "hl7/mllp.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/limits.h"
#include "hl7/mllp_int.h"

#define READ_CHUNK (16 * 1024)

struct mllp_client {
    mllp_io          io;
    mllp_tls_client *tls;
    mllp_framer      framer;
    sw_buf           out;           /* the frame being sent */
    char            *rbuf;          /* bytes read, rbuf[off..have) not yet framed */
    size_t           off, have;
    int              reply_ms;
    size_t           max_frame;
    bool             broken;        /* the connection is gone */
    char             where[80];     /* "10.0.0.5:2575" */
    /* During a receive: where the reply goes. */
    sw_buf          *target;
    bool             got;
};

static void host_port(char *out, size_t n, const char *host, int port)
{
    if (strchr(host, ':'))
        snprintf(out, n, "[%s]:%d", host, port);
    else
        snprintf(out, n, "%s:%d", host, port);
}

/* Connects one address before deadline_ms: SW_OK, SW_ETIMEOUT, or SW_EIO
 * with the errno in *why. */
static int connect_one(const struct addrinfo *a, int64_t deadline_ms, int *fd_out,
                       int *why)
{
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    a->ai_protocol);
    if (fd < 0) {
        *why = errno;
        return SW_EIO;
    }
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
        if (errno != EINPROGRESS && errno != EINTR) {
            *why = errno;
            close(fd);
            return SW_EIO;
        }
        for (;;) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            int rc = poll(&p, 1, mllp_poll_ms(deadline_ms));
            if (rc < 0 && errno == EINTR)
                continue;
            if (rc == 0) {
                close(fd);
                return SW_ETIMEOUT;
            }
            if (rc < 0) {
                *why = errno;
                close(fd);
                return SW_EIO;
            }
            break;
        }
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
            soerr = errno;
        if (soerr != 0) {
            *why = soerr;
            close(fd);
            return SW_EIO;
        }
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *fd_out = fd;
    return SW_OK;
}

static int open_socket(mllp_client *c, const mllp_client_config *cfg,
                       int64_t deadline_ms, int connect_ms, sw_err *err)
{
    char port[16];
    snprintf(port, sizeof port, "%d", cfg->port);
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_NUMERICSERV,
    }, *res = NULL;
    int g = getaddrinfo(cfg->host, port, &hints, &res);
    if (g != 0)
        return sw_err_set(err, SW_EIO, "cannot connect to %s: %s", c->where,
                          g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
    int rc = SW_EIO, why = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        rc = connect_one(a, deadline_ms, &c->io.fd, &why);
        if (rc != SW_EIO)
            break;                  /* connected, or out of time */
    }
    freeaddrinfo(res);
    if (rc == SW_ETIMEOUT)
        return sw_err_set(err, rc, "cannot connect to %s: no answer within %d ms",
                          c->where, connect_ms);
    if (rc != SW_OK) {
        char text[MLLP_WHY_MAX];
        mllp_io io = { .fd = -1, .last_errno = why ? why : ECONNREFUSED };
        return sw_err_set(err, rc, "cannot connect to %s: %s", c->where,
                          mllp_io_error(&io, text));
    }
    return SW_OK;
}

int mllp_client_connect(const mllp_client_config *cfg, mllp_client **out,
                        sw_err *err)
{
    *out = NULL;
    if (cfg->host == NULL || cfg->host[0] == '\0')
        return sw_err_set(err, SW_EINVAL, "the MLLP client needs a host to "
                          "connect to");
    if (cfg->port <= 0 || cfg->port > 65535)
        return sw_err_set(err, SW_EINVAL, "the MLLP port must be from 1 to "
                          "65535, not %d", cfg->port);
    if (cfg->connect_timeout_ms < 0 || cfg->reply_timeout_ms < 0)
        return sw_err_set(err, SW_EINVAL, "MLLP timeouts cannot be negative");
    int connect_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms
                                             : SW_MLLP_CONNECT_TIMEOUT_MS;

    mllp_client *c = sw_calloc(1, sizeof *c);
    if (c == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    c->io.fd = -1;
    c->reply_ms = cfg->reply_timeout_ms ? cfg->reply_timeout_ms
                                        : SW_MLLP_REPLY_TIMEOUT_MS;
    c->max_frame = cfg->max_frame ? cfg->max_frame : SW_HL7_MAX_MESSAGE_BYTES;
    host_port(c->where, sizeof c->where, cfg->host, cfg->port);
    mllp_framer_init(&c->framer, c->max_frame);
    sw_buf_init(&c->out, SW_HL7_MAX_MESSAGE_BYTES + 3);
    int rc;
    c->rbuf = sw_malloc(READ_CHUNK);
    if (c->rbuf == NULL) {
        rc = sw_err_set(err, SW_ENOMEM, NULL);
        goto fail;
    }
    if (cfg->tls) {
        rc = mllp_tls_client_new(cfg->tls_ca_file, cfg->tls_insecure, &c->tls, err);
        if (rc != SW_OK)
            goto fail;
    }
    int64_t deadline = sw_now_mono_ms() + connect_ms;
    rc = open_socket(c, cfg, deadline, connect_ms, err);
    if (rc != SW_OK)
        goto fail;
    if (c->tls) {
        rc = mllp_tls_client_handshake(c->tls, &c->io, cfg->host,
                                       cfg->tls_insecure, deadline, c->where, err);
        if (rc != SW_OK)
            goto fail;
    }
    *out = c;
    return SW_OK;

fail:
    mllp_client_close(c);
    return rc;
}

int mllp_client_send(mllp_client *c, const char *msg, size_t len, sw_err *err)
{
    if (c->broken)
        return sw_err_set(err, SW_EIO, "the connection to %s is closed; "
                          "connect again", c->where);
    sw_buf_reset(&c->out);
    int rc = mllp_frame_wrap(&c->out, msg, len);
    if (rc == SW_ETOOBIG)
        return sw_err_set(err, rc, "a message of %zu bytes is too long to send "
                          "to %s (at most %d)", len, c->where,
                          SW_HL7_MAX_MESSAGE_BYTES);
    if (rc != SW_OK)
        return sw_err_set(err, rc, NULL);
    rc = mllp_io_write_all(&c->io, c->out.data, c->out.len,
                           sw_now_mono_ms() + c->reply_ms);
    if (rc == SW_OK)
        return SW_OK;
    c->broken = true;
    if (rc == SW_ETIMEOUT)
        return sw_err_set(err, rc, "cannot send to %s: it did not take the "
                          "message within %d ms", c->where, c->reply_ms);
    char why[MLLP_WHY_MAX];
    return sw_err_set(err, SW_EIO, "cannot send to %s: %s", c->where,
                      mllp_io_error(&c->io, why));
}

static int on_reply(void *ctx, const char *msg, size_t len)
{
    mllp_client *c = ctx;
    c->got = true;
    return sw_buf_append(c->target, msg, len);
}

int mllp_client_receive(mllp_client *c, sw_buf *reply, sw_err *err)
{
    sw_buf_reset(reply);
    if (c->broken)
        return sw_err_set(err, SW_EIO, "the connection to %s is closed; "
                          "connect again", c->where);
    int64_t deadline = sw_now_mono_ms() + c->reply_ms;
    c->target = reply;
    c->got = false;
    for (;;) {
        while (c->off < c->have) {
            size_t used = 0;
            int rc = mllp_framer_feed_one(&c->framer, c->rbuf + c->off,
                                          c->have - c->off, on_reply, c, &used);
            c->off += used;
            if (rc == SW_ETOOBIG && !c->got)
                return sw_err_set(err, rc, "the reply from %s is longer than "
                                  "%zu bytes", c->where, c->max_frame);
            if (rc == SW_ETOOBIG)
                return sw_err_set(err, rc, "the reply from %s is longer than "
                                  "the %zu bytes it may have here", c->where,
                                  reply->max);
            if (rc != SW_OK)
                return sw_err_set(err, rc, NULL);
            if (c->got)
                return SW_OK;
        }
        c->off = c->have = 0;
        ssize_t got = mllp_io_read(&c->io, c->rbuf, READ_CHUNK, deadline, -1);
        if (got > 0) {
            c->have = (size_t)got;
            continue;
        }
        if (got == MLLP_IO_TIMEOUT)
            return sw_err_set(err, SW_ETIMEOUT, "no reply from %s within %d ms",
                              c->where, c->reply_ms);
        c->broken = true;
        if (got == MLLP_IO_CLOSED)
            return sw_err_set(err, SW_EIO, "%s closed the connection without "
                              "a reply", c->where);
        char why[MLLP_WHY_MAX];
        return sw_err_set(err, SW_EIO, "reading the reply from %s failed: %s",
                          c->where, mllp_io_error(&c->io, why));
    }
}

int mllp_client_exchange(mllp_client *c, const char *msg, size_t len,
                         sw_buf *reply, sw_err *err)
{
    int rc = mllp_client_send(c, msg, len, err);
    if (rc != SW_OK) {
        sw_buf_reset(reply);
        return rc;
    }
    return mllp_client_receive(c, reply, err);
}

void mllp_client_close(mllp_client *c)
{
    if (c == NULL)
        return;
    if (c->io.fd >= 0 && !c->broken)
        mllp_io_shutdown_write(&c->io);
    mllp_io_close(&c->io);
    mllp_tls_client_free(c->tls);
    mllp_framer_free(&c->framer);
    sw_buf_free(&c->out);
    sw_free(c->rbuf);
    sw_free(c);
}
