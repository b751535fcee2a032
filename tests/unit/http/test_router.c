/* test_router.c - matching requests to route rows (http/router.c).
 *
 * A table of requests against two route tables pins the matching rules a
 * route author relies on: literal segments, {name} (never an empty
 * segment), a trailing * that takes the rest, first match wins across rows
 * and tables, HEAD served by GET rows, and 405 with an Allow list (HEAD
 * included for GET rows, no duplicates, gathered across tables) when only
 * the method is wrong. Also: http_route_value, http_query_get, a small
 * Allow buffer, allocation failure, and that what a * hands a handler can
 * never climb out of its directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "failalloc.h"
#include "http/http.h"

static int handler(sw_request *req, sw_response *res)
{
    (void)req;
    (void)res;
    return SW_OK;
}

static const http_route fhir_rows[] = {
    /* 0 */ { "GET",    "/fhir/metadata",                   handler, 0, NULL },
    /* 1 */ { "GET",    "/fhir/{type}",                     handler, 0, NULL },
    /* 2 */ { "POST",   "/fhir/{type}",                     handler, HTTP_ROUTE_BODY, NULL },
    /* 3 */ { "GET",    "/fhir/{type}/{id}",                handler, 0, NULL },
    /* 4 */ { "PUT",    "/fhir/{type}/{id}",                handler, HTTP_ROUTE_BODY, NULL },
    /* 5 */ { "DELETE", "/fhir/{type}/{id}",                handler, 0, NULL },
    /* 6 */ { "GET",    "/fhir/{type}/{id}/_history/{vid}", handler, 0, NULL },
    /* 7 */ { "POST",   "/fhir/{type}/_search",             handler, HTTP_ROUTE_BODY, NULL },
};

static const http_route misc_rows[] = {
    /* 0 */ { "GET",     "/",               handler, HTTP_ROUTE_PUBLIC, NULL },
    /* 1 */ { "GET",     "/files/*",        handler, 0, NULL },
    /* 2 */ { NULL,      "/any",            handler, 0, NULL },
    /* 3 */ { "POST",    "/login",          handler, HTTP_ROUTE_PUBLIC, NULL },
    /* 4 */ { "OPTIONS", "/fhir/metadata",  handler, 0, NULL },
    /* 5 */ { "GET",     "/fhir/{type}",    handler, 0, NULL },   /* shadowed by fhir 1 */
};

static const http_route_table fhir_table = {
    .name = "fhir", .routes = fhir_rows,
    .count = sizeof fhir_rows / sizeof *fhir_rows,
};
static const http_route_table misc_table = {
    .name = "misc", .routes = misc_rows,
    .count = sizeof misc_rows / sizeof *misc_rows,
};
static const http_route_table *const tables[] = { &fhir_table, &misc_table };

typedef struct route_case {
    const char       *method;
    const char       *target;
    http_match_result want;
    const http_route_table *table;    /* for HTTP_MATCH_OK */
    int               row;
    const char       *values[7];      /* name, value, ..., NULL */
    const char       *rest;           /* NULL: req->rest must be NULL */
    const char       *allow;          /* for HTTP_MATCH_NO_METHOD */
} route_case;

/* One row per request: a match (table, row, {name} values, rest), a 405
 * (Allow list) or a 404. */
#define MATCH(m, t, tb, r, ...) \
    { .method = (m), .target = (t), .want = HTTP_MATCH_OK, .table = (tb), \
      .row = (r), .values = { __VA_ARGS__ } }
#define MATCH_REST(m, t, tb, r, rst) \
    { .method = (m), .target = (t), .want = HTTP_MATCH_OK, .table = (tb), \
      .row = (r), .rest = (rst) }
#define NO_METHOD(m, t, alw) \
    { .method = (m), .target = (t), .want = HTTP_MATCH_NO_METHOD, .allow = (alw) }
#define NO_PATH(m, t) \
    { .method = (m), .target = (t), .want = HTTP_MATCH_NO_PATH }

static const route_case cases[] = {
    /* literal before {name}: first match wins */
    MATCH("GET",  "/fhir/metadata",  &fhir_table, 0, NULL),
    MATCH("GET",  "/fhir/Patient",   &fhir_table, 1, "type", "Patient"),
    MATCH("HEAD", "/fhir/Patient",   &fhir_table, 1, "type", "Patient"),
    MATCH("POST", "/fhir/Patient",   &fhir_table, 2, "type", "Patient"),
    MATCH("GET",  "/fhir/Patient/",  &fhir_table, 1, "type", "Patient"),
    MATCH("GET",  "/fhir/a%2Fb",     &fhir_table, 1, "type", "a/b"),
    MATCH("GET",  "/fhir/Patient/123", &fhir_table, 3, "type", "Patient", "id", "123"),
    MATCH("PUT",  "/fhir/Patient/123", &fhir_table, 4, "type", "Patient", "id", "123"),
    MATCH("DELETE", "/fhir/Patient/123", &fhir_table, 5, "type", "Patient", "id", "123"),
    MATCH("GET",  "/fhir/Patient/123/_history/2", &fhir_table, 6,
          "type", "Patient", "id", "123", "vid", "2"),
    /* first match wins: GET .../_search is a read of id "_search" */
    MATCH("GET",  "/fhir/Patient/_search", &fhir_table, 3,
          "type", "Patient", "id", "_search"),
    MATCH("POST", "/fhir/Patient/_search", &fhir_table, 7, "type", "Patient"),
    /* a later table is consulted when no row of an earlier one matches */
    MATCH("OPTIONS", "/fhir/metadata", &misc_table, 4, NULL),
    MATCH("GET",  "/",               &misc_table, 0, NULL),
    MATCH("HEAD", "/",               &misc_table, 0, NULL),
    MATCH_REST("GET",  "/files/a/b/c.txt", &misc_table, 1, "a/b/c.txt"),
    MATCH_REST("HEAD", "/files/x",         &misc_table, 1, "x"),
    MATCH_REST("GET",  "/files",           &misc_table, 1, ""),
    MATCH("GET",  "/any",            &misc_table, 2, NULL),
    MATCH("PUT",  "/any",            &misc_table, 2, NULL),
    MATCH("BREW", "/any",            &misc_table, 2, NULL),

    /* wrong method only: 405 with everything that would have matched */
    NO_METHOD("PATCH",  "/fhir/Patient/123", "GET, HEAD, PUT, DELETE"),
    NO_METHOD("DELETE", "/fhir/Patient",     "GET, HEAD, POST"),
    NO_METHOD("PUT",    "/fhir/metadata",    "GET, HEAD, POST, OPTIONS"),
    NO_METHOD("POST",   "/",                 "GET, HEAD"),
    NO_METHOD("DELETE", "/files/a",          "GET, HEAD"),
    NO_METHOD("GET",    "/login",            "POST"),
    NO_METHOD("HEAD",   "/login",            "POST"),

    /* nothing at the path */
    NO_PATH("GET",  "/nothing"),
    NO_PATH("GET",  "/fhir"),
    NO_PATH("GET",  "/fhir//x"),                    /* {type} is never "" */
    NO_PATH("GET",  "/fhir/Patient//_history/1"),   /* nor is {id} */
    NO_PATH("GET",  "/fhir/Patient/1/_history/2/x"),
    NO_PATH("GET",  "/fhirx/Patient"),
    NO_PATH("GET",  "/FHIR/metadata"),              /* literals are exact */
};

static sw_request make_request(sw_arena *a, const char *method, const char *target)
{
    sw_request req;
    memset(&req, 0, sizeof req);
    req.arena = a;
    req.method = method;
    int rc = http_parse_target(a, target, strlen(target), &req.target, NULL);
    if (rc != SW_OK)
        fail_msg("cannot parse '%s': %s", target, sw_code_id(rc));
    return req;
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const route_case *c = &cases[i];
        sw_arena *a = sw_arena_create(0);
        sw_request req = make_request(a, c->method, c->target);
        const http_route_table *tb = NULL;
        char allow[128];
        memset(allow, 'X', sizeof allow);
        http_match_result m = http_route_match(tables, 2, &req, &tb, allow,
                                               sizeof allow);
        if (m != c->want)
            fail_msg("case %zu %s %s: result %d, want %d", i, c->method, c->target,
                     m, c->want);
        if (m == HTTP_MATCH_OK) {
            assert_ptr_equal(tb, c->table);
            assert_ptr_equal(req.route, &c->table->routes[c->row]);
            for (int k = 0; c->values[k] != NULL; k += 2) {
                const char *v = http_route_value(&req, c->values[k]);
                if (v == NULL || strcmp(v, c->values[k + 1]) != 0)
                    fail_msg("case %zu %s %s: {%s} is '%s', want '%s'", i,
                             c->method, c->target, c->values[k], v ? v : "(null)",
                             c->values[k + 1]);
            }
            if (c->rest == NULL)
                assert_null(req.rest);
            else
                assert_string_equal(req.rest, c->rest);
        } else if (m == HTTP_MATCH_NO_METHOD) {
            if (strcmp(allow, c->allow) != 0)
                fail_msg("case %zu %s %s: Allow '%s', want '%s'", i, c->method,
                         c->target, allow, c->allow);
        } else {
            assert_string_equal(allow, "");
        }
        sw_arena_destroy(a);
    }
}

static void test_route_value(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    sw_request req = make_request(a, "GET", "/fhir/Observation/o-1/_history/7");
    assert_null(http_route_value(&req, "type"));       /* nothing matched yet */
    assert_int_equal(http_route_match(tables, 2, &req, NULL, NULL, 0), HTTP_MATCH_OK);
    assert_string_equal(http_route_value(&req, "type"), "Observation");
    assert_string_equal(http_route_value(&req, "id"), "o-1");
    assert_string_equal(http_route_value(&req, "vid"), "7");
    assert_null(http_route_value(&req, "ty"));
    assert_null(http_route_value(&req, "types"));
    assert_null(http_route_value(&req, "missing"));
    assert_null(http_route_value(&req, ""));

    /* a route without {name} has no values */
    sw_request lit = make_request(a, "GET", "/fhir/metadata");
    assert_int_equal(http_route_match(tables, 2, &lit, NULL, NULL, 0), HTTP_MATCH_OK);
    assert_null(http_route_value(&lit, "type"));
    sw_arena_destroy(a);
}

static void test_query_get(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    sw_request req = make_request(a, "GET",
        "/fhir/Patient?name=Smith&name=Jones&active=&given=J%C3%BCrgen");
    assert_string_equal(http_query_get(&req, "name"), "Smith");   /* the first */
    assert_string_equal(http_query_get(&req, "active"), "");
    assert_string_equal(http_query_get(&req, "given"), "J\xc3\xbcrgen");
    assert_null(http_query_get(&req, "Name"));                     /* exact name */
    assert_null(http_query_get(&req, "nam"));
    assert_null(http_query_get(&req, "missing"));
    sw_request none = make_request(a, "GET", "/fhir/Patient");
    assert_null(http_query_get(&none, "name"));
    sw_arena_destroy(a);
}

static void test_allow_buffer_bounds(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    sw_request req = make_request(a, "PATCH", "/fhir/Patient/123");
    char small[8];
    assert_int_equal(http_route_match(tables, 2, &req, NULL, small, sizeof small),
                     HTTP_MATCH_NO_METHOD);
    assert_true(strlen(small) < sizeof small);
    assert_true(strncmp("GET, HEAD, PUT, DELETE", small, strlen(small)) == 0);

    /* no Allow buffer at all: the result alone */
    assert_int_equal(http_route_match(tables, 2, &req, NULL, NULL, 0),
                     HTTP_MATCH_NO_METHOD);
    sw_arena_destroy(a);
}

static void test_table_order(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    /* with the misc table alone, its {type} row serves the request */
    const http_route_table *only_misc[] = { &misc_table };
    sw_request req = make_request(a, "GET", "/fhir/Patient");
    const http_route_table *tb = NULL;
    assert_int_equal(http_route_match(only_misc, 1, &req, &tb, NULL, 0), HTTP_MATCH_OK);
    assert_ptr_equal(tb, &misc_table);
    assert_ptr_equal(req.route, &misc_rows[5]);
    /* no tables: nothing anywhere */
    assert_int_equal(http_route_match(tables, 0, &req, &tb, NULL, 0),
                     HTTP_MATCH_NO_PATH);
    sw_arena_destroy(a);
}

/* What a trailing * matched is handed to the handler decoded and joined
 * with '/'. An encoded slash inside a segment must not let that string step
 * out of the directory the route serves ("/files/a%2F..%2F..%2Fetc" must not
 * give "a/../../etc"). */
static void test_rest_has_no_dot_components(void **state)
{
    (void)state;
    static const char *const targets[] = {
        "/files/a%2F..%2F..%2Fetc%2Fpasswd",
        "/files/..%2Fsecret",
        "/files/x/%2E%2E%2F%2E%2E%2Fsecret",
        "/files/.%2Fa",
    };
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
        sw_arena *a = sw_arena_create(0);
        sw_request req;
        memset(&req, 0, sizeof req);
        req.arena = a;
        req.method = "GET";
        if (http_parse_target(a, targets[i], strlen(targets[i]), &req.target,
                              NULL) != SW_OK) {
            sw_arena_destroy(a);           /* refused at parse: fine */
            continue;
        }
        char bad[256] = "";
        if (http_route_match(tables, 2, &req, NULL, NULL, 0) == HTTP_MATCH_OK) {
            sw_str rest = sw_str_of(req.rest);
            while (rest.n > 0) {
                sw_str part;
                sw_str_split(&rest, '/', &part);
                if (sw_str_eq_cstr(part, "..") || sw_str_eq_cstr(part, "."))
                    snprintf(bad, sizeof bad, "%s", req.rest);
            }
        }
        sw_arena_destroy(a);
        if (bad[0] != '\0')
            fail_msg("'%s' gives rest '%s'", targets[i], bad);
    }
}

static int teardown_allocator(void **state)
{
    (void)state;
    sw_failalloc_uninstall();
    return 0;
}

/* When the arena cannot hold the route values or the rest, the match must
 * not be reported as a success (a handler would read NULL values). */
static void test_allocation_failure_never_matches(void **state)
{
    (void)state;
    static const struct { const char *method, *target; } reqs[] = {
        { "GET", "/fhir/Patient/123" },
        { "GET", "/files/a/b" },
    };
    for (size_t i = 0; i < sizeof reqs / sizeof *reqs; i++) {
        sw_arena *ta = sw_arena_create(0);
        sw_request req = make_request(ta, reqs[i].method, reqs[i].target);
        sw_failalloc_install();
        sw_arena *ra = sw_arena_create(0);      /* no block yet */
        assert_non_null(ra);
        req.arena = ra;
        sw_failalloc_fail_at(1);                /* its first block */
        http_match_result m = http_route_match(tables, 2, &req, NULL, NULL, 0);
        assert_true(sw_failalloc_failed());
        assert_int_equal(m, HTTP_MATCH_NO_MEMORY);   /* a 503, not a 404 */
        sw_failalloc_fail_at(0);
        /* with memory back the same request matches */
        assert_int_equal(http_route_match(tables, 2, &req, NULL, NULL, 0),
                         HTTP_MATCH_OK);
        sw_arena_destroy(ra);
        assert_int_equal(sw_failalloc_live(), 0);
        sw_failalloc_uninstall();
        sw_arena_destroy(ta);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_route_value),
        cmocka_unit_test(test_query_get),
        cmocka_unit_test(test_allow_buffer_bounds),
        cmocka_unit_test(test_table_order),
        cmocka_unit_test(test_rest_has_no_dot_components),
        cmocka_unit_test_teardown(test_allocation_failure_never_matches,
                                  teardown_allocator),
    };
    return cmocka_run_group_tests_name("http/router", tests, NULL, NULL);
}
