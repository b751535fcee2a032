/* test_mllp_socket.c - the MLLP server and client (src/hl7/mllp_server.c,
 * mllp_client.c, mllp_io.c) over real loopback sockets.
 *
 * The server's handler echoes ("ACK:" + the message), or holds a message
 * until the test lets it go. Covered: many messages on one connection, 16
 * clients at once, glued frames answered in order, a slow sender, an
 * oversized frame, the read and idle timeouts, max_connections, the accept
 * callback, the client's timeouts and errors, stopping while a handler
 * runs, IPv6, TLS (a certificate made with openssl at test time; trusted,
 * untrusted, plain against TLS) and Debian's python3-hl7 mllp_send as an
 * independent client. Waits have generous limits; nothing asserts how
 * long anything took. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "hl7/mllp.h"
#include "testdb.h"

#define WAIT_MS 10000      /* the longest any wait in these tests may take */

/* ---- The server under test --------------------------------------------------- */

enum mode { ECHO, HOLD, EMPTY_REPLY, FAIL };

struct srv {
    mllp_server    *server;
    int             port;
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    enum mode       mode;
    bool            entered;      /* a HOLD handler is waiting */
    bool            released;     /* and may go on */
    atomic_int      handled;
    const char     *refuse;       /* an address the accept callback refuses */
    char            last_peer[64];
    int             last_peer_port;
    atomic_int      asked;        /* accept callback calls */
};

static bool on_accept(void *ctx, const mllp_peer *peer)
{
    struct srv *s = ctx;
    pthread_mutex_lock(&s->mu);
    snprintf(s->last_peer, sizeof s->last_peer, "%s", peer->address);
    s->last_peer_port = peer->port;
    pthread_mutex_unlock(&s->mu);
    atomic_fetch_add(&s->asked, 1);
    return !(s->refuse && strcmp(peer->address, s->refuse) == 0);
}

static int on_message(void *ctx, const mllp_peer *peer, const char *msg,
                      size_t len, sw_buf *reply)
{
    (void)peer;
    struct srv *s = ctx;
    atomic_fetch_add(&s->handled, 1);
    if (s->mode == HOLD) {
        pthread_mutex_lock(&s->mu);
        s->entered = true;
        pthread_cond_broadcast(&s->cv);
        while (!s->released)
            pthread_cond_wait(&s->cv, &s->mu);
        pthread_mutex_unlock(&s->mu);
    }
    if (s->mode == FAIL)
        return SW_EINVAL;
    if (s->mode == EMPTY_REPLY)
        return SW_OK;
    int rc = sw_buf_puts(reply, "ACK:");
    return rc ? rc : sw_buf_append(reply, msg, len);
}

static void on_oversize(void *ctx, const mllp_peer *peer, size_t max_frame,
                        sw_buf *reply)
{
    (void)ctx;
    (void)peer;
    sw_buf_printf(reply, "AR:longer than %zu bytes", max_frame);
}

static void release(struct srv *s)
{
    pthread_mutex_lock(&s->mu);
    s->released = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Waits until a HOLD handler has been entered. */
static void wait_entered(struct srv *s)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_MS / 1000;
    pthread_mutex_lock(&s->mu);
    while (!s->entered)
        if (pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT)
            break;
    bool entered = s->entered;
    pthread_mutex_unlock(&s->mu);
    assert_true(entered);
}

static struct srv *new_srv(void)
{
    struct srv *s = calloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    return s;
}

/* Starts a server with cfg's limits (host 127.0.0.1 unless given). */
static void start(struct srv *s, mllp_server_config cfg)
{
    if (cfg.host == NULL)
        cfg.host = "127.0.0.1";
    cfg.accept = on_accept;
    cfg.handler = on_message;
    cfg.oversize = on_oversize;
    cfg.ctx = s;
    sw_err err = { 0 };
    if (mllp_server_start(&cfg, &s->server, &err) != SW_OK)
        fail_msg("the server does not start: %s", sw_err_text(&err));
    s->port = mllp_server_port(s->server);
    assert_true(s->port > 0);
}

static int setup(void **state)
{
    *state = new_srv();
    return 0;
}

static int teardown(void **state)
{
    struct srv *s = *state;
    release(s);
    mllp_server_stop(s->server);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
    return 0;
}

/* ---- Clients ------------------------------------------------------------------- */

static mllp_client *client_of(const char *host, int port, int reply_ms)
{
    mllp_client_config cfg = { .host = host, .port = port,
                               .reply_timeout_ms = reply_ms ? reply_ms : WAIT_MS };
    mllp_client *c = NULL;
    sw_err err = { 0 };
    if (mllp_client_connect(&cfg, &c, &err) != SW_OK)
        fail_msg("cannot connect: %s", sw_err_text(&err));
    return c;
}

static void exchange_ok(mllp_client *c, const char *msg)
{
    sw_buf reply = SW_BUF_INIT(1 << 20);
    sw_err err = { 0 };
    if (mllp_client_exchange(c, msg, strlen(msg), &reply, &err) != SW_OK)
        fail_msg("exchange failed: %s", sw_err_text(&err));
    assert_int_equal(reply.len, 4 + strlen(msg));
    assert_memory_equal(reply.data, "ACK:", 4);
    assert_memory_equal(reply.data + 4, msg, strlen(msg));
    sw_buf_free(&reply);
}

/* A plain blocking socket, for sending bytes exactly as a test needs. */
static int raw_connect(const char *host, int port)
{
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
    assert_int_equal(getaddrinfo(host, p, &hints, &res), 0);
    int fd = socket(res->ai_family, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    if (connect(fd, res->ai_addr, res->ai_addrlen) != 0)
        fail_msg("cannot connect to %s:%d: %s", host, port, strerror(errno));
    freeaddrinfo(res);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void raw_send(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
        assert_true(w > 0);
        data += w;
        n -= (size_t)w;
    }
}

/* Reads until the server closes the connection (true) or WAIT_MS pass;
 * what arrived is appended to got (may be NULL). */
static bool raw_wait_closed(int fd, sw_buf *got)
{
    int64_t until = sw_now_mono_ms() + WAIT_MS;
    char buf[4096];
    for (;;) {
        int64_t left = until - sw_now_mono_ms();
        if (left <= 0)
            return false;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r == 0 || (r < 0 && errno == ECONNRESET))
            return true;
        if (r < 0)
            return false;
        if (got)
            sw_buf_append(got, buf, (size_t)r);
    }
}

/* Collects reply frames read from a raw socket. */
struct frames {
    int  n;
    char text[8][256];
};

static int keep_frame(void *ctx, const char *msg, size_t len)
{
    struct frames *f = ctx;
    if (f->n < 8 && len < sizeof f->text[0]) {
        memcpy(f->text[f->n], msg, len);
        f->text[f->n][len] = '\0';
    }
    f->n++;
    return SW_OK;
}

static void raw_read_frames(int fd, struct frames *out, int want)
{
    mllp_framer fr;
    mllp_framer_init(&fr, 1 << 16);
    int64_t until = sw_now_mono_ms() + WAIT_MS;
    char buf[4096];
    while (out->n < want && sw_now_mono_ms() < until) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0)
            break;
        mllp_framer_feed(&fr, buf, (size_t)r, keep_frame, out);
    }
    mllp_framer_free(&fr);
    assert_int_equal(out->n, want);
}

/* ---- Exchanges -------------------------------------------------------------------- */

static void test_many_messages_one_connection(void **state)
{
    struct srv *s = *state;
    start(s, (mllp_server_config){ 0 });
    mllp_client *c = client_of("127.0.0.1", s->port, 0);
    char msg[128];
    for (int i = 0; i < 500; i++) {
        snprintf(msg, sizeof msg, "MSH|^~\\&|PMS|X|EHR|X|20261125||ADT^A08|%d|P|2.5.1\r"
                 "PID|1||%d\r", i, i * 7);
        exchange_ok(c, msg);
    }
    /* Send and receive separately, too. */
    sw_err err = { 0 };
    assert_int_equal(mllp_client_send(c, "one", 3, &err), SW_OK);
    sw_buf reply = SW_BUF_INIT(1024);
    assert_int_equal(mllp_client_receive(c, &reply, &err), SW_OK);
    assert_string_equal(sw_buf_str(&reply), "ACK:one");
    /* An empty message is a frame like any other. */
    assert_int_equal(mllp_client_exchange(c, "", 0, &reply, &err), SW_OK);
    assert_string_equal(sw_buf_str(&reply), "ACK:");
    sw_buf_free(&reply);
    mllp_client_close(c);
    assert_int_equal(atomic_load(&s->handled), 502);
}

struct worker {
    int  port, id, failures;
    char first_error[200];
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    mllp_client_config cfg = { .host = "127.0.0.1", .port = w->port,
                               .reply_timeout_ms = WAIT_MS };
    mllp_client *c = NULL;
    sw_err err = { 0 };
    if (mllp_client_connect(&cfg, &c, &err) != SW_OK) {
        w->failures = 200;
        snprintf(w->first_error, sizeof w->first_error, "%s", sw_err_text(&err));
        return NULL;
    }
    sw_buf reply = SW_BUF_INIT(4096);
    char msg[128], want[160];
    for (int i = 0; i < 200; i++) {
        int n = snprintf(msg, sizeof msg, "MSH|^~\\&|T%02d|||||||%d|P|2.5.1\r", w->id, i);
        snprintf(want, sizeof want, "ACK:%s", msg);
        if (mllp_client_exchange(c, msg, (size_t)n, &reply, &err) != SW_OK ||
            strcmp(sw_buf_str(&reply), want) != 0) {
            if (w->failures++ == 0)
                snprintf(w->first_error, sizeof w->first_error, "message %d: %s",
                         i, err.code ? sw_err_text(&err) : "wrong reply");
        }
    }
    sw_buf_free(&reply);
    mllp_client_close(c);
    return NULL;
}

static void test_sixteen_clients_at_once(void **state)
{
    struct srv *s = *state;
    start(s, (mllp_server_config){ 0 });
    pthread_t t[16];
    struct worker w[16];
    for (int i = 0; i < 16; i++) {
        w[i] = (struct worker){ .port = s->port, .id = i };
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 16; i++) {
        pthread_join(t[i], NULL);
        if (w[i].failures)
            fail_msg("client %d: %d failures, first: %s", i, w[i].failures,
                     w[i].first_error);
    }
    assert_int_equal(atomic_load(&s->handled), 16 * 200);
}

/* Three frames in one write (and noise between them): three replies, in
 * the order of the frames. */
static void test_glued_frames_answered_in_order(void **state)
{
    struct srv *s = *state;
    start(s, (mllp_server_config){ 0 });
    int fd = raw_connect("127.0.0.1", s->port);
    const char glued[] = "\x0b" "first" "\x1c\r" "\r\n"
                         "\x0b" "second" "\x1c\r"
                         "\x0b" "third" "\x1c\r";
    raw_send(fd, glued, sizeof glued - 1);
    struct frames got = { 0 };
    raw_read_frames(fd, &got, 3);
    assert_string_equal(got.text[0], "ACK:first");
    assert_string_equal(got.text[1], "ACK:second");
    assert_string_equal(got.text[2], "ACK:third");
    close(fd);
}

/* One frame dribbled a byte at a time over about half a second. */
static void test_slow_sender(void **state)
{
    struct srv *s = *state;
    start(s, (mllp_server_config){ 0 });
    int fd = raw_connect("127.0.0.1", s->port);
    const char frame[] = "\x0b" "MSH|^~\\&|SLOW|PMS|EHR|CLINIC|20261125||ADT^A04|77|P|2.5.1\r"
                         "PID|1||4242^^^PMS^MR||DOE^JANE\r" "\x1c\r";
    for (size_t i = 0; i < sizeof frame - 1; i++) {
        raw_send(fd, frame + i, 1);
        nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
    }
    struct frames got = { 0 };
    raw_read_frames(fd, &got, 1);
    assert_memory_equal(got.text[0], "ACK:MSH|^~\\&|SLOW", 17);
    close(fd);
}

/* A frame past max_frame: the oversize callback's reply, then the server
 * closes the connection; the next connection is served as usual. */
static void test_oversized_frame(void **state)
{
    struct srv *s = *state;
    start(s, (mllp_server_config){ .max_frame = 1024 });
    mllp_client *c = client_of("127.0.0.1", s->port, 0);
    char big[4096];
    memset(big, 'x', sizeof big);
    sw_buf reply = SW_BUF_INIT(1024);
    sw_err err = { 0 };
    assert_int_equal(mllp_client_exchange(c, big, sizeof big, &reply, &err), SW_OK);
    assert_string_equal(sw_buf_str(&reply), "AR:longer than 1024 bytes");
    int rc = mllp_client_exchange(c, "after", 5, &reply, &err);
    assert_int_equal(rc, SW_EIO);
    mllp_client_close(c);
    assert_int_equal(atomic_load(&s->handled), 0);

    /* Exactly the limit is fine. */
    c = client_of("127.0.0.1", s->port, 0);
    char exact[1024];
    memset(exact, 'y', sizeof exact);
    sw_buf r2 = SW_BUF_INIT(4096);
    assert_int_equal(mllp_client_exchange(c, exact, sizeof exact, &r2, &err), SW_OK);
    assert_int_equal(r2.len, 4 + sizeof exact);
    sw_buf_free(&r2);
    sw_buf_free(&reply);
    mllp_client_close(c);
}

/* A frame begun and never finished: closed after read_timeout_s. */
static void test_read_timeout(void **state)
{
    struct srv *s = *state;
    start(s, (mllp_server_config){ .read_timeout_s = 1, .idle_timeout_s = 600 });
    int fd = raw_connect("127.0.0.1", s->port);
    raw_send(fd, "\x0bMSH|^~\\&|never finished", 24);
    sw_buf got = SW_BUF_INIT(4096);
    assert_true(raw_wait_closed(fd, &got));
    assert_int_equal(got.len, 0);
    sw_buf_free(&got);
    close(fd);
    assert_int_equal(atomic_load(&s->handled), 0);
}

/* No frame begun at all: closed after idle_timeout_s. */
static void test_idle_timeout(void **state)
{
    struct srv *s = *state;
    start(s, (mllp_server_config){ .read_timeout_s = 600, .idle_timeout_s = 1 });
    int fd = raw_connect("127.0.0.1", s->port);
    /* Noise outside a frame does not count as a frame begun. */
    raw_send(fd, "\r\n", 2);
    assert_true(raw_wait_closed(fd, NULL));
    close(fd);

    /* After a reply, the idle clock starts again. */
    fd = raw_connect("127.0.0.1", s->port);
    raw_send(fd, "\x0bhello\x1c\r", 8);
    sw_buf got = SW_BUF_INIT(4096);
    assert_true(raw_wait_closed(fd, &got));
    assert_int_equal(got.len, 12);
    assert_memory_equal(got.data, "\x0b" "ACK:hello" "\x1c\r", 12);
    sw_buf_free(&got);
    close(fd);
}

/* With max_connections 2, a third connection is closed unanswered; once
 * one of the two leaves, a new one is served. */
static void test_max_connections(void **state)
{
    struct srv *s = *state;
    start(s, (mllp_server_config){ .max_connections = 2 });
    mllp_client *a = client_of("127.0.0.1", s->port, 0);
    mllp_client *b = client_of("127.0.0.1", s->port, 0);
    exchange_ok(a, "a");
    exchange_ok(b, "b");
    int fd = raw_connect("127.0.0.1", s->port);
    raw_send(fd, "\x0b" "third\x1c\r", 8);
    sw_buf got = SW_BUF_INIT(4096);
    assert_true(raw_wait_closed(fd, &got));
    assert_int_equal(got.len, 0);
    sw_buf_free(&got);
    close(fd);

    mllp_client_close(a);
    /* The server notices the departure on its own time: try until served. */
    int64_t until = sw_now_mono_ms() + WAIT_MS;
    bool served = false;
    while (!served && sw_now_mono_ms() < until) {
        mllp_client_config cfg = { .host = "127.0.0.1", .port = s->port,
                                   .reply_timeout_ms = WAIT_MS };
        mllp_client *c = NULL;
        sw_err err = { 0 };
        sw_buf reply = SW_BUF_INIT(64);
        if (mllp_client_connect(&cfg, &c, &err) == SW_OK &&
            mllp_client_exchange(c, "again", 5, &reply, &err) == SW_OK)
            served = strcmp(sw_buf_str(&reply), "ACK:again") == 0;
        sw_buf_free(&reply);
        mllp_client_close(c);
        if (!served)
            nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
    }
    assert_true(served);
    exchange_ok(b, "b still served");
    mllp_client_close(b);
}

/* The accept callback sees the peer's address before anything is read;
 * a refused peer's connection is closed without a reply. */
static void test_accept_callback(void **state)
{
    struct srv *s = *state;
    s->refuse = "127.0.0.1";
    start(s, (mllp_server_config){ 0 });
    int fd = raw_connect("127.0.0.1", s->port);
    raw_send(fd, "\x0bMSH|refused\x1c\r", 15);
    sw_buf got = SW_BUF_INIT(4096);
    assert_true(raw_wait_closed(fd, &got));
    assert_int_equal(got.len, 0);
    close(fd);
    assert_int_equal(atomic_load(&s->handled), 0);
    assert_int_equal(atomic_load(&s->asked), 1);
    assert_string_equal(s->last_peer, "127.0.0.1");
    assert_true(s->last_peer_port > 0);

    /* Through the client: SW_EIO, a sentence. */
    mllp_client *c = client_of("127.0.0.1", s->port, 0);
    sw_err err = { 0 };
    assert_int_equal(mllp_client_exchange(c, "x", 1, &got, &err), SW_EIO);
    assert_non_null(strstr(err.msg, "closed the connection"));
    mllp_client_close(c);
    sw_buf_free(&got);
}

/* IPv6: listen on ::1, port 0; the peer address is "::1". */
static void test_ipv6(void **state)
{
    struct srv *s = *state;
    start(s, (mllp_server_config){ .host = "::1" });
    mllp_client *c = client_of("::1", s->port, 0);
    exchange_ok(c, "over IPv6");
    mllp_client_close(c);
    assert_string_equal(s->last_peer, "::1");
}

/* ---- Errors, timeouts, stopping ---------------------------------------------- */

static void test_handler_refuses(void **state)
{
    struct srv *s = *state;
    s->mode = FAIL;
    start(s, (mllp_server_config){ 0 });
    mllp_client *c = client_of("127.0.0.1", s->port, 0);
    sw_buf reply = SW_BUF_INIT(64);
    sw_err err = { 0 };
    assert_int_equal(mllp_client_exchange(c, "bad", 3, &reply, &err), SW_EIO);
    /* The client is then unusable, and says so. */
    assert_int_equal(mllp_client_exchange(c, "bad", 3, &reply, &err), SW_EIO);
    assert_non_null(strstr(err.msg, "is closed"));
    sw_buf_free(&reply);
    mllp_client_close(c);
}

static void test_empty_reply_sends_nothing(void **state)
{
    struct srv *s = *state;
    s->mode = EMPTY_REPLY;
    start(s, (mllp_server_config){ 0 });
    mllp_client *c = client_of("127.0.0.1", s->port, 300);
    sw_buf reply = SW_BUF_INIT(64);
    sw_err err = { 0 };
    assert_int_equal(mllp_client_exchange(c, "quiet", 5, &reply, &err), SW_ETIMEOUT);
    sw_buf_free(&reply);
    mllp_client_close(c);
    assert_int_equal(atomic_load(&s->handled), 1);
}

static void test_client_reply_timeout(void **state)
{
    struct srv *s = *state;
    s->mode = HOLD;
    start(s, (mllp_server_config){ 0 });
    mllp_client *c = client_of("127.0.0.1", s->port, 300);
    sw_buf reply = SW_BUF_INIT(64);
    sw_err err = { 0 };
    assert_int_equal(mllp_client_exchange(c, "wait", 4, &reply, &err), SW_ETIMEOUT);
    char want[80];
    snprintf(want, sizeof want, "no reply from 127.0.0.1:%d within 300 ms", s->port);
    assert_string_equal(err.msg, want);
    /* The late reply still arrives, on the next receive. */
    release(s);
    assert_int_equal(mllp_client_receive(c, &reply, &err), SW_OK);
    assert_string_equal(sw_buf_str(&reply), "ACK:wait");
    sw_buf_free(&reply);
    mllp_client_close(c);
}

static void test_client_connect_refused(void **state)
{
    (void)state;
    /* A port that was free a moment ago and has no listener. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    int port = ntohs(a.sin_port);
    close(fd);

    mllp_client_config cfg = { .host = "127.0.0.1", .port = port };
    mllp_client *c = NULL;
    sw_err err = { 0 };
    assert_int_equal(mllp_client_connect(&cfg, &c, &err), SW_EIO);
    assert_null(c);
    char want[80];
    snprintf(want, sizeof want, "cannot connect to 127.0.0.1:%d: connection refused",
             port);
    assert_string_equal(err.msg, want);

    /* Bad configuration: a sentence naming what is wrong. */
    cfg.port = 0;
    assert_int_equal(mllp_client_connect(&cfg, &c, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "port"));
    cfg = (mllp_client_config){ .host = "no-such-host.invalid", .port = 2575 };
    assert_int_equal(mllp_client_connect(&cfg, &c, &err), SW_EIO);
    assert_non_null(strstr(err.msg, "cannot connect to no-such-host.invalid:2575: "));
}

struct stopper {
    mllp_server *server;
    atomic_bool  called;
};

static void *stop_main(void *arg)
{
    struct stopper *st = arg;
    atomic_store(&st->called, true);
    mllp_server_stop(st->server);
    return NULL;
}

struct one_exchange {
    int    port, rc;
    char   reply[64];
    sw_err err;
};

static void *exchange_main(void *arg)
{
    struct one_exchange *x = arg;
    mllp_client_config cfg = { .host = "127.0.0.1", .port = x->port,
                               .reply_timeout_ms = WAIT_MS };
    mllp_client *c = NULL;
    x->rc = mllp_client_connect(&cfg, &c, &x->err);
    if (x->rc != SW_OK)
        return NULL;
    sw_buf reply = SW_BUF_INIT(64);
    x->rc = mllp_client_exchange(c, "in flight", 9, &reply, &x->err);
    snprintf(x->reply, sizeof x->reply, "%s", sw_buf_str(&reply));
    sw_buf_free(&reply);
    mllp_client_close(c);
    return NULL;
}

/* Stopping while a handler runs: the server stops accepting, the handler
 * finishes, its reply is delivered, then everything closes. */
static void test_stop_delivers_reply_in_flight(void **state)
{
    struct srv *s = *state;
    s->mode = HOLD;
    start(s, (mllp_server_config){ 0 });
    struct one_exchange x = { .port = s->port };
    pthread_t client;
    assert_int_equal(pthread_create(&client, NULL, exchange_main, &x), 0);
    wait_entered(s);

    struct stopper st = { .server = s->server };
    s->server = NULL;            /* the stopper owns it now */
    pthread_t stopper;
    assert_int_equal(pthread_create(&stopper, NULL, stop_main, &st), 0);
    /* Once new connections are refused, the stop is under way. */
    int64_t until = sw_now_mono_ms() + WAIT_MS;
    bool refused = false;
    while (!refused && sw_now_mono_ms() < until) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)s->port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        refused = connect(fd, (struct sockaddr *)&a, sizeof a) != 0 &&
                  errno == ECONNREFUSED;
        close(fd);
        if (!refused)
            nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
    }
    assert_true(refused);
    release(s);
    pthread_join(stopper, NULL);
    pthread_join(client, NULL);
    if (x.rc != SW_OK)
        fail_msg("the reply in flight was lost: %s", sw_err_text(&x.err));
    assert_string_equal(x.reply, "ACK:in flight");
}

static void test_start_errors(void **state)
{
    struct srv *s = *state;
    start(s, (mllp_server_config){ 0 });
    mllp_server *other = NULL;
    sw_err err = { 0 };
    mllp_server_config cfg = { .host = "127.0.0.1", .port = s->port,
                               .handler = on_message };
    assert_int_equal(mllp_server_start(&cfg, &other, &err), SW_EIO);
    char want[96];
    snprintf(want, sizeof want, "cannot listen for MLLP on 127.0.0.1:%d: "
             "address already in use", s->port);
    assert_string_equal(err.msg, want);
    assert_null(other);

    cfg = (mllp_server_config){ .host = "127.0.0.1" };
    assert_int_equal(mllp_server_start(&cfg, &other, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "handler"));
    cfg = (mllp_server_config){ .host = "127.0.0.1", .handler = on_message,
                                .tls_cert_pem = "x" };
    assert_int_equal(mllp_server_start(&cfg, &other, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "certificate and its key"));
    cfg = (mllp_server_config){ .host = "127.0.0.1", .handler = on_message,
                                .tls_cert_pem = "not PEM", .tls_key_pem = "nor this" };
    assert_int_equal(mllp_server_start(&cfg, &other, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "certificate and key cannot be used"));
    mllp_server_stop(NULL);
}

/* ---- TLS ------------------------------------------------------------------------- */

struct tls_files {
    char  cert[512], key[512], other_cert[512], other_key[512];
    char *cert_pem, *key_pem, *other_key_pem;
};

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *p = calloc(1, 65536);
    size_t n = fread(p, 1, 65535, f);
    fclose(f);
    assert_true(n > 0);
    return p;
}

/* A throw-away self-signed certificate for localhost and 127.0.0.1, and
 * an unrelated second one, made with openssl as test_tls.c does. */
static void make_certs(struct tls_files *t)
{
    char *dir = sw_test_tmpdir();
    snprintf(t->cert, sizeof t->cert, "%s/mllp-cert.pem", dir);
    snprintf(t->key, sizeof t->key, "%s/mllp-key.pem", dir);
    snprintf(t->other_cert, sizeof t->other_cert, "%s/other-cert.pem", dir);
    snprintf(t->other_key, sizeof t->other_key, "%s/other-key.pem", dir);
    free(dir);
    const char *fmt = "openssl req -x509 -newkey ec -pkeyopt "
                      "ec_paramgen_curve:prime256v1 -nodes -days 1 "
                      "-subj /CN=localhost -addext "
                      "subjectAltName=DNS:localhost,IP:127.0.0.1 "
                      "-keyout '%s' -out '%s' >/dev/null 2>&1";
    char cmd[2048];
    snprintf(cmd, sizeof cmd, fmt, t->key, t->cert);
    if (system(cmd) != 0)
        fail_msg("openssl could not make a test certificate; install openssl "
                 "(scripts/deps.sh)");
    snprintf(cmd, sizeof cmd, fmt, t->other_key, t->other_cert);
    assert_int_equal(system(cmd), 0);
    t->cert_pem = slurp(t->cert);
    t->key_pem = slurp(t->key);
    t->other_key_pem = slurp(t->other_key);
}

static void free_certs(struct tls_files *t)
{
    free(t->cert_pem);
    free(t->key_pem);
    free(t->other_key_pem);
}

static void test_tls(void **state)
{
    struct srv *s = *state;
    struct tls_files t;
    make_certs(&t);
    start(s, (mllp_server_config){ .tls_cert_pem = t.cert_pem,
                                   .tls_key_pem = t.key_pem,
                                   .read_timeout_s = 5 });
    sw_err err = { 0 };
    sw_buf reply = SW_BUF_INIT(1 << 16);

    /* Verified against the certificate as CA, by address and by name. */
    const char *hosts[] = { "127.0.0.1", "localhost" };
    for (int h = 0; h < 2; h++) {
        mllp_client_config cfg = { .host = hosts[h], .port = s->port, .tls = true,
                                   .tls_ca_file = t.cert,
                                   .reply_timeout_ms = WAIT_MS };
        mllp_client *c = NULL;
        if (mllp_client_connect(&cfg, &c, &err) != SW_OK)
            fail_msg("TLS connect to %s: %s", hosts[h], sw_err_text(&err));
        for (int i = 0; i < 50; i++)
            exchange_ok(c, "MSH|^~\\&|over TLS\rPID|1\r");
        /* A reply bigger than one TLS record. */
        char big[40000];
        memset(big, 'z', sizeof big);
        assert_int_equal(mllp_client_exchange(c, big, sizeof big, &reply, &err), SW_OK);
        assert_int_equal(reply.len, 4 + sizeof big);
        mllp_client_close(c);
    }

    /* Insecure (tests only): no verification. */
    mllp_client_config cfg = { .host = "127.0.0.1", .port = s->port, .tls = true,
                               .tls_insecure = true, .reply_timeout_ms = WAIT_MS };
    mllp_client *c = NULL;
    assert_int_equal(mllp_client_connect(&cfg, &c, &err), SW_OK);
    exchange_ok(c, "insecure");
    mllp_client_close(c);

    /* Trusting another certificate: refused, with the reason. */
    cfg = (mllp_client_config){ .host = "127.0.0.1", .port = s->port, .tls = true,
                                .tls_ca_file = t.other_cert };
    c = NULL;
    assert_int_equal(mllp_client_connect(&cfg, &c, &err), SW_EIO);
    assert_null(c);
    char want[80];
    snprintf(want, sizeof want, "the certificate of 127.0.0.1:%d is not trusted",
             s->port);
    assert_non_null(strstr(err.msg, want));

    /* A CA file that does not exist. */
    cfg.tls_ca_file = "/nonexistent/ca.pem";
    assert_int_equal(mllp_client_connect(&cfg, &c, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "/nonexistent/ca.pem"));

    /* Plain MLLP to the TLS port: the server closes it, nothing handled. */
    int before = atomic_load(&s->handled);
    c = client_of("127.0.0.1", s->port, 0);
    assert_int_equal(mllp_client_exchange(c, "plain", 5, &reply, &err), SW_EIO);
    mllp_client_close(c);
    assert_int_equal(atomic_load(&s->handled), before);

    /* A key that does not belong to the certificate: refused at start. */
    mllp_server *bad = NULL;
    mllp_server_config bcfg = { .host = "127.0.0.1", .handler = on_message,
                                .tls_cert_pem = t.cert_pem,
                                .tls_key_pem = t.other_key_pem };
    assert_int_equal(mllp_server_start(&bcfg, &bad, &err), SW_EINVAL);
    assert_null(bad);
    sw_buf_free(&reply);
    free_certs(&t);
}

/* TLS client to a plain server: the handshake fails cleanly. */
static void test_tls_client_plain_server(void **state)
{
    struct srv *s = *state;
    start(s, (mllp_server_config){ 0 });
    mllp_client_config cfg = { .host = "127.0.0.1", .port = s->port, .tls = true,
                               .tls_insecure = true, .connect_timeout_ms = WAIT_MS };
    mllp_client *c = NULL;
    sw_err err = { 0 };
    assert_int_not_equal(mllp_client_connect(&cfg, &c, &err), SW_OK);
    assert_null(c);
    char want[80];
    snprintf(want, sizeof want, "127.0.0.1:%d", s->port);
    assert_non_null(strstr(err.msg, want));
}

/* ---- An independent client --------------------------------------------------------- */

/* Debian's python3-hl7 mllp_send sends two messages over our server and
 * prints the two replies. */
static void test_python_hl7_mllp_send(void **state)
{
    struct srv *s = *state;
    start(s, (mllp_server_config){ 0 });
    char *dir = sw_test_tmpdir();
    char in[512], out[512], cmd[2048];
    snprintf(in, sizeof in, "%s/two.hl7", dir);
    snprintf(out, sizeof out, "%s/replies.txt", dir);
    free(dir);
    FILE *f = fopen(in, "wb");
    assert_non_null(f);
    fputs("MSH|^~\\&|PMS|CLINIC|EHR|CLINIC|20261125||ADT^A04|1|P|2.5.1\n"
          "PID|1||100^^^PMS^MR||DOE^JANE\n"
          "MSH|^~\\&|PMS|CLINIC|EHR|CLINIC|20261125||ADT^A08|2|P|2.5.1\n"
          "PID|1||100^^^PMS^MR||DOE^JANE^Q\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "mllp_send --loose -p %d -f '%s' 127.0.0.1 > '%s' 2>&1",
             s->port, in, out);
    int rc = system(cmd);
    if (!WIFEXITED(rc) || WEXITSTATUS(rc) == 127)
        fail_msg("mllp_send is missing; install python3-hl7 (scripts/deps.sh)");
    char *text = slurp(out);
    if (WEXITSTATUS(rc) != 0)
        fail_msg("mllp_send failed: %s", text);
    assert_non_null(strstr(text, "ACK:MSH|^~\\&|PMS|CLINIC|EHR|CLINIC|20261125||ADT^A04|1|"));
    assert_non_null(strstr(text, "ACK:MSH|^~\\&|PMS|CLINIC|EHR|CLINIC|20261125||ADT^A08|2|"));
    free(text);
    assert_int_equal(atomic_load(&s->handled), 2);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_many_messages_one_connection),
        T(test_sixteen_clients_at_once),
        T(test_glued_frames_answered_in_order),
        T(test_slow_sender),
        T(test_oversized_frame),
        T(test_read_timeout),
        T(test_idle_timeout),
        T(test_max_connections),
        T(test_accept_callback),
        T(test_ipv6),
        T(test_handler_refuses),
        T(test_empty_reply_sends_nothing),
        T(test_client_reply_timeout),
        T(test_client_connect_refused),
        T(test_stop_delivers_reply_in_flight),
        T(test_start_errors),
        T(test_tls),
        T(test_tls_client_plain_server),
        T(test_python_hl7_mllp_send),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
