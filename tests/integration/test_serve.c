/* test_serve.c - the running server, spoken to over real HTTP, on each store.
 *
 * What users and operators rely on from `stagewise serve` before any feature
 * is added: /healthz, JSON errors for unknown routes and methods, keep-alive,
 * request ids, one access-log line per request that never carries query
 * values, and a clean stop on SIGTERM that lets a request in flight finish
 * and closes new connections unanswered. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testdb.h"
#include "testserver.h"

struct fixture {
    char          *db;
    sw_test_server srv;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->db = sw_test_fresh_db();
    sw_test_init_db(f->db);
    if (sw_test_server_start(&f->srv, f->db, NULL) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->srv.pid > 0)
        sw_test_server_stop(&f->srv, SIGTERM, 15);
    free(f->db);
    free(f);
    return 0;
}

/* Parses an /api error body and checks its shape; returns the code. */
static const char *error_code(const char *body, json_t **keep)
{
    json_error_t je;
    json_t *doc = json_loads(body, 0, &je);
    assert_non_null(doc);
    json_t *err = json_object_get(doc, "error");
    assert_true(json_is_object(err));
    assert_true(json_is_string(json_object_get(err, "message")));
    assert_true(strlen(json_string_value(json_object_get(err, "message"))) > 0);
    assert_true(json_is_array(json_object_get(err, "details")));
    *keep = doc;
    return json_string_value(json_object_get(err, "code"));
}

static void healthz_answers_ok(void **state)
{
    struct fixture *f = *state;
    sw_http_result r;
    assert_int_equal(sw_http(&f->srv, "GET", "/healthz", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *doc = json_loads(r.body, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
    const char *expect = strcmp(sw_test_store(), "postgres") == 0 ? "postgresql" : "sqlite";
    assert_string_equal(json_string_value(json_object_get(doc, "store")), expect);
    char buf[128];
    assert_non_null(sw_http_header(&r, "Content-Type", buf, sizeof buf));
    assert_string_equal(buf, "application/json");
    assert_non_null(sw_http_header(&r, "X-Request-Id", buf, sizeof buf));
    assert_int_equal(strlen(buf), 16);
    json_decref(doc);
    sw_http_result_free(&r);

    assert_int_equal(sw_http(&f->srv, "HEAD", "/healthz", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 0);
    sw_http_result_free(&r);
}

static void unknown_routes_get_json_404(void **state)
{
    struct fixture *f = *state;
    static const char *const paths[] = {
        "/api/no-such-thing", "/nope", "/healthz/extra", "/api/%C3%A9t%C3%A9",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        sw_http_result r;
        assert_int_equal(sw_http(&f->srv, "GET", paths[i], NULL, NULL, 0, &r), 0);
        assert_int_equal(r.status, 404);
        json_t *doc;
        assert_string_equal(error_code(r.body, &doc), "not_found");
        json_decref(doc);
        sw_http_result_free(&r);
    }
}

static void wrong_method_gets_405_with_allow(void **state)
{
    struct fixture *f = *state;
    sw_http_result r;
    assert_int_equal(sw_http(&f->srv, "POST", "/healthz", NULL, "{}", 2, &r), 0);
    assert_int_equal(r.status, 405);
    char allow[64];
    assert_non_null(sw_http_header(&r, "Allow", allow, sizeof allow));
    assert_non_null(strstr(allow, "GET"));
    json_t *doc;
    assert_string_equal(error_code(r.body, &doc), "method_not_allowed");
    json_decref(doc);
    sw_http_result_free(&r);
}

static void bad_targets_get_json_400(void **state)
{
    struct fixture *f = *state;
    static const char *const paths[] = {
        "/healthz?x=%ZZ", "/api/%00", "/api/%C3%28", "/api/../healthz",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        sw_http_result r;
        assert_int_equal(sw_http(&f->srv, "GET", paths[i], NULL, NULL, 0, &r), 0);
        assert_int_equal(r.status, 400);
        json_t *doc;
        assert_string_equal(error_code(r.body, &doc), "bad_request");
        json_decref(doc);
        sw_http_result_free(&r);
    }
}

/* Two requests on one connection, the first an error: both answered, and
 * the connection stays open between them. */
static void keep_alive_survives_errors(void **state)
{
    struct fixture *f = *state;
    int fd = sw_test_connect(f->srv.port);
    assert_true(fd >= 0);
    const char req[] =
        "GET /api/missing HTTP/1.1\r\nHost: t\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    assert_int_equal(send(fd, req, sizeof req - 1, 0), (ssize_t)(sizeof req - 1));
    int closed;
    char *got = sw_test_read_all(fd, 1500, &closed);
    assert_false(closed);
    char *first = strstr(got, "HTTP/1.1 404");
    char *second = strstr(got, "HTTP/1.1 200");
    assert_non_null(first);
    assert_non_null(second);
    assert_true(first < second);
    free(got);
    close(fd);
}

static void access_log_has_route_not_query(void **state)
{
    struct fixture *f = *state;
    sw_http_result r;
    assert_int_equal(sw_http(&f->srv, "GET", "/healthz?name=Jane%20Doe&mrn=998877",
                             NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    char id[32];
    assert_non_null(sw_http_header(&r, "X-Request-Id", id, sizeof id));
    sw_http_result_free(&r);
    assert_int_equal(sw_http(&f->srv, "GET", "/fhir/Patient/998877", NULL, NULL, 0, &r), 0);
    sw_http_result_free(&r);

    char *log = NULL;
    /* The line is written when the response completes; give it a moment. */
    for (int i = 0; i < 50; i++) {
        free(log);
        log = sw_test_server_log(&f->srv);
        if (strstr(log, id) && strstr(log, "status=404"))
            break;
        usleep(20000);
    }
    char *line = strstr(log, id);
    assert_non_null(line);
    while (line > log && line[-1] != '\n')
        line--;
    assert_non_null(strstr(line, "method=GET route=/healthz status=200"));
    assert_non_null(strstr(line, "ms="));
    assert_non_null(strstr(line, "user=-"));
    assert_null(strstr(log, "Jane"));
    assert_null(strstr(log, "998877"));
    free(log);
}

/* SIGTERM while a request is still arriving: the request is answered, new
 * connections are closed unanswered, and the server exits 0. */
static void sigterm_finishes_request_in_flight(void **state)
{
    struct fixture *f = *state;
    int fd = sw_test_connect(f->srv.port);
    assert_true(fd >= 0);
    const char head[] = "POST /healthz HTTP/1.1\r\nHost: t\r\n"
                        "Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"a\":";
    assert_int_equal(send(fd, head, sizeof head - 1, 0), (ssize_t)(sizeof head - 1));
    usleep(200000);
    kill(f->srv.pid, SIGTERM);
    usleep(300000);
    /* No new connections once stopping: one that gets through the
     * kernel's queue is closed unanswered. */
    int late = sw_test_connect(f->srv.port);
    if (late >= 0) {
        int late_closed;
        char *nothing = sw_test_read_all(late, 3000, &late_closed);
        assert_true(late_closed);
        assert_string_equal(nothing, "");
        free(nothing);
        close(late);
    }
    assert_int_equal(send(fd, "12345", 5, 0), 5);
    int closed;
    char *got = sw_test_read_all(fd, 3000, &closed);
    assert_non_null(strstr(got, "HTTP/1.1 405"));
    free(got);
    close(fd);
    int status = sw_test_server_stop(&f->srv, SIGTERM, 15);
    assert_int_equal(status, 0);
    char *log = sw_test_server_log(&f->srv);
    assert_non_null(strstr(log, "stopped cleanly"));
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(healthz_answers_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_routes_get_json_404, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_method_gets_405_with_allow, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_targets_get_json_400, setup, teardown),
        cmocka_unit_test_setup_teardown(keep_alive_survives_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(access_log_has_route_not_query, setup, teardown),
        cmocka_unit_test_setup_teardown(sigterm_finishes_request_in_flight, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
