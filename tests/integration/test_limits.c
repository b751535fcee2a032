/* test_limits.c - hostile and broken clients against the running server.
 *
 * Every bound of src/core/limits.h that a client can reach over HTTP, hit
 * with raw sockets: an oversized body (declared, and streamed without a
 * length), an oversized head, an overlong URI, malformed request lines, and
 * clients that send one byte at a time. Each must get a 4xx (JSON where the
 * request reached Stagewise) or a closed connection, never a crash or a
 * hang, and the server must keep answering /healthz afterwards. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/limits.h"
#include "testdb.h"
#include "testserver.h"

#define SHORT_TIMEOUT_S 2

struct fixture {
    char          *db;
    sw_test_server srv;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->db = sw_test_fresh_db();
    sw_test_init_db(f->db);
    static const char *const extra[] = { "--request-timeout", "2",
                                         "--idle-timeout", "2", NULL };
    if (sw_test_server_start(&f->srv, f->db, extra) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    /* Whatever a test did, the server must still be healthy and stop cleanly. */
    sw_http_result r;
    int rc = sw_http(&f->srv, "GET", "/healthz", NULL, NULL, 0, &r);
    long status = r.status;
    sw_http_result_free(&r);
    int exit_status = sw_test_server_stop(&f->srv, SIGTERM, 15);
    free(f->db);
    free(f);
    assert_int_equal(rc, 0);
    assert_int_equal(status, 200);
    assert_int_equal(exit_status, 0);
    return 0;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Sends raw bytes on a new connection and returns the status of the first
 * response (0 if the server closed without answering), with the response. */
static int raw_status(int port, const char *data, size_t n, char **response)
{
    int fd = sw_test_connect(port);
    assert_true(fd >= 0);
    size_t sent = 0;
    while (sent < n) {
        ssize_t w = send(fd, data + sent, n - sent, MSG_NOSIGNAL);
        if (w <= 0)
            break;              /* the server may stop reading and answer */
        sent += (size_t)w;
    }
    int closed;
    char *got = sw_test_read_all(fd, 3000, &closed);
    close(fd);
    int status = 0;
    if (strncmp(got, "HTTP/1.1 ", 9) == 0)
        status = atoi(got + 9);
    if (response)
        *response = got;
    else
        free(got);
    return status;
}

static void assert_json_error(const char *response, const char *code)
{
    const char *body = strstr(response, "\r\n\r\n");
    assert_non_null(body);
    assert_non_null(strstr(response, "Content-Type: application/json"));
    char want[96];
    snprintf(want, sizeof want, "{\"error\":{\"code\":\"%s\"", code);
    assert_non_null(strstr(body, want));
}

static void declared_oversized_body_is_413_unread(void **state)
{
    struct fixture *f = *state;
    char head[256];
    int n = snprintf(head, sizeof head,
                     "POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                     "Content-Length: %d\r\n\r\n", 100 * 1024 * 1024);
    char *resp;
    /* Only the head is sent: the answer must come without the body. */
    assert_int_equal(raw_status(f->srv.port, head, (size_t)n, &resp), 413);
    assert_json_error(resp, "too_large");
    free(resp);
}

static void streamed_oversized_body_is_413(void **state)
{
    struct fixture *f = *state;
    int fd = sw_test_connect(f->srv.port);
    assert_true(fd >= 0);
    const char head[] = "POST /healthz HTTP/1.1\r\nHost: t\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n";
    assert_true(send(fd, head, sizeof head - 1, 0) > 0);
    size_t chunk = 1024 * 1024;
    char *data = malloc(chunk);
    memset(data, 'x', chunk);
    char size_line[32];
    int sl = snprintf(size_line, sizeof size_line, "%zx\r\n", chunk);
    size_t total = 0;
    while (total <= (size_t)SW_HTTP_MAX_BODY_BYTES) {
        if (send(fd, size_line, (size_t)sl, MSG_NOSIGNAL) <= 0)
            break;
        size_t off = 0;
        while (off < chunk) {
            ssize_t w = send(fd, data + off, chunk - off, MSG_NOSIGNAL);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        send(fd, "\r\n", 2, MSG_NOSIGNAL);
        total += chunk;
    }
    send(fd, "0\r\n\r\n", 5, MSG_NOSIGNAL);
    free(data);
    int closed;
    char *got = sw_test_read_all(fd, 5000, &closed);
    close(fd);
    assert_int_equal(strncmp(got, "HTTP/1.1 413", 12), 0);
    assert_json_error(got, "too_large");
    free(got);
}

static void oversized_head_is_431(void **state)
{
    struct fixture *f = *state;
    /* Over our limit but within the library's connection memory: our JSON. */
    size_t big = SW_HTTP_MAX_HEADER_BYTES + 100;
    char *req = malloc(big + 256);
    int n = sprintf(req, "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Filler: ");
    memset(req + n, 'a', big);
    n += (int)big;
    n += sprintf(req + n, "\r\n\r\n");
    char *resp;
    assert_int_equal(raw_status(f->srv.port, req, (size_t)n, &resp), 431);
    assert_json_error(resp, "headers_too_large");
    free(resp);
    free(req);

    /* Far beyond it, the library refuses before Stagewise sees the request;
     * still a 4xx, never a crash. */
    big = SW_HTTP_CONNECTION_MEMORY * 2;
    req = malloc(big + 256);
    n = sprintf(req, "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Filler: ");
    memset(req + n, 'a', big);
    n += (int)big;
    n += sprintf(req + n, "\r\n\r\n");
    int status = raw_status(f->srv.port, req, (size_t)n, NULL);
    assert_true(status == 431 || status == 413 || status == 400);
    free(req);
}

static void overlong_uri_is_414(void **state)
{
    struct fixture *f = *state;
    size_t len = SW_HTTP_MAX_URI_BYTES + 10;
    char *req = malloc(len + 64);
    int n = sprintf(req, "GET /healthz?q=");
    memset(req + n, 'a', len);
    n += (int)len;
    n += sprintf(req + n, " HTTP/1.1\r\nHost: t\r\n\r\n");
    char *resp;
    assert_int_equal(raw_status(f->srv.port, req, (size_t)n, &resp), 414);
    assert_json_error(resp, "uri_too_long");
    free(resp);
    free(req);
}

/* Request lines the HTTP library cannot parse never reach Stagewise; the
 * library answers 4xx/505 or closes the connection. Either way the server
 * stays up (checked in teardown). */
static void malformed_request_lines_are_refused(void **state)
{
    struct fixture *f = *state;
    static const char *const lines[] = {
        "GARBAGE\r\n\r\n",
        "GET /healthz HTTP/1.1 extra\r\nHost: t\r\n\r\n",
        "GET /healthz FOO/1.1\r\nHost: t\r\n\r\n",
        "GET /healthz HTTP/2.0\r\nHost: t\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nNoColonHere\r\n\r\n",
        "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        int status = raw_status(f->srv.port, lines[i], strlen(lines[i]), NULL);
        assert_true(status == 0 || (status >= 400 && status < 600));
        assert_int_not_equal(status, 200);
    }
    /* A target that parses as HTTP but not as a path gets our JSON. */
    char *resp;
    const char odd[] = "GET healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    assert_int_equal(raw_status(f->srv.port, odd, sizeof odd - 1, &resp), 400);
    assert_json_error(resp, "bad_request");
    free(resp);
}

/* Sends prefix at once, then drips the rest with a pause between bytes;
 * returns what came back and how long it took. */
static char *drip(int port, const char *prefix, const char *data, long pause_ms,
                  long *elapsed_ms)
{
    int fd = sw_test_connect(port);
    assert_true(fd >= 0);
    long t0 = now_ms();
    if (prefix[0])
        assert_true(send(fd, prefix, strlen(prefix), MSG_NOSIGNAL) > 0);
    for (size_t i = 0; data[i]; i++) {
        if (send(fd, data + i, 1, MSG_NOSIGNAL) <= 0)
            break;
        usleep((useconds_t)pause_ms * 1000);
        if (now_ms() - t0 > 10000)
            break;
    }
    int closed;
    char *got = sw_test_read_all(fd, 10000, &closed);
    *elapsed_ms = now_ms() - t0;
    close(fd);
    assert_true(closed);
    return got;
}

/* The request line arrives, then the headers trickle: 408 at the deadline. */
static void slow_head_is_408(void **state)
{
    struct fixture *f = *state;
    long ms;
    char *got = drip(f->srv.port, "GET /healthz HTTP/1.1\r\n",
                     "Host: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
                     500, &ms);
    assert_int_equal(strncmp(got, "HTTP/1.1 408", 12), 0);
    assert_json_error(got, "request_timeout");
    /* Answered near the deadline, not after the whole drip. */
    assert_true(ms < (SHORT_TIMEOUT_S + 4) * 1000);
    free(got);
}

/* Even the request line trickles: the HTTP library does not show it to us
 * until it is complete, so the idle limit closes the connection. */
static void slow_request_line_is_closed(void **state)
{
    struct fixture *f = *state;
    long ms;
    char *got = drip(f->srv.port, "", "GET /healthz?aaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n\r\n",
                     500, &ms);
    assert_true(ms < (SHORT_TIMEOUT_S + 4) * 1000);
    assert_null(strstr(got, "200 OK"));
    free(got);
}

static void slow_body_is_408(void **state)
{
    struct fixture *f = *state;
    int fd = sw_test_connect(f->srv.port);
    assert_true(fd >= 0);
    const char head[] = "POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n";
    assert_true(send(fd, head, sizeof head - 1, 0) > 0);
    for (int i = 0; i < 12; i++) {
        if (send(fd, "x", 1, MSG_NOSIGNAL) <= 0)
            break;
        usleep(500000);
    }
    int closed;
    char *got = sw_test_read_all(fd, 5000, &closed);
    close(fd);
    assert_int_equal(strncmp(got, "HTTP/1.1 408", 12), 0);
    assert_json_error(got, "request_timeout");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(declared_oversized_body_is_413_unread, setup, teardown),
        cmocka_unit_test_setup_teardown(streamed_oversized_body_is_413, setup, teardown),
        cmocka_unit_test_setup_teardown(oversized_head_is_431, setup, teardown),
        cmocka_unit_test_setup_teardown(overlong_uri_is_414, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_request_lines_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(slow_head_is_408, setup, teardown),
        cmocka_unit_test_setup_teardown(slow_request_line_is_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(slow_body_is_408, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
