/* test_response.c - building responses (http/response.c).
 *
 * Clients test the JSON error shape {"error":{"code","message","details":[]}}
 * and the status, so every code in the error table is rendered and parsed
 * back with jansson: exact keys, the id and status from the table, the
 * message from http_fail when it was for this code, and a body that always
 * names the right code whatever the message holds. Also covers http_reply,
 * http_set_header (copies, the Allow header of a 405 built as the server
 * does) and header allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "failalloc.h"
#include "http/http.h"

static sw_response make_response(sw_arena *a, size_t max_body)
{
    sw_response res;
    memset(&res, 0, sizeof res);
    res.arena = a;
    sw_buf_init(&res.body, max_body);
    return res;
}

/* Parses the rendered body and checks its shape; returns the error object
 * (owned by the returned root, which the caller releases). */
static json_t *parse_error_body(const sw_response *res, json_t **root)
{
    json_error_t jerr;
    *root = json_loadb(res->body.data ? res->body.data : "", res->body.len, 0, &jerr);
    if (*root == NULL)
        fail_msg("error body is not JSON (%s): %s", jerr.text, sw_buf_str(&res->body));
    assert_true(json_is_object(*root));
    assert_int_equal(json_object_size(*root), 1);
    json_t *e = json_object_get(*root, "error");
    assert_true(json_is_object(e));
    assert_int_equal(json_object_size(e), 3);
    assert_true(json_is_string(json_object_get(e, "code")));
    assert_true(json_is_string(json_object_get(e, "message")));
    json_t *details = json_object_get(e, "details");
    assert_true(json_is_array(details));
    assert_int_equal(json_array_size(details), 0);
    return e;
}

static const char *field(json_t *e, const char *name)
{
    return json_string_value(json_object_get(e, name));
}

static void test_every_code_renders(void **state)
{
    (void)state;
    sw_request req;
    memset(&req, 0, sizeof req);
    for (int code = 1; code < SW_ERR__COUNT; code++) {
        sw_arena *a = sw_arena_create(0);
        sw_response res = make_response(a, SW_HTTP_MAX_RESPONSE_BYTES);
        req.arena = a;
        http_render_json_error(&req, &res, code);
        assert_int_equal(res.status, sw_code_http_status(code));
        assert_string_equal(res.content_type, "application/json");
        json_t *root;
        json_t *e = parse_error_body(&res, &root);
        assert_string_equal(field(e, "code"), sw_code_id(code));
        assert_string_equal(field(e, "message"), sw_code_message(code));
        json_decref(root);
        sw_buf_free(&res.body);
        sw_arena_destroy(a);
    }
}

static void test_message_from_http_fail(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    sw_response res = make_response(a, SW_HTTP_MAX_RESPONSE_BYTES);
    int rc = http_fail(&res, SW_ENOTFOUND, "no %s with id %s", "Patient", "123");
    assert_int_equal(rc, SW_ENOTFOUND);
    assert_int_equal(res.err.code, SW_ENOTFOUND);
    http_render_json_error(NULL, &res, SW_ENOTFOUND);
    json_t *root;
    json_t *e = parse_error_body(&res, &root);
    assert_string_equal(field(e, "code"), "not_found");
    assert_string_equal(field(e, "message"), "no Patient with id 123");
    assert_int_equal(res.status, 404);
    json_decref(root);

    /* a message left for another code is not shown for this one */
    http_render_json_error(NULL, &res, SW_EINTERNAL);
    e = parse_error_body(&res, &root);
    assert_string_equal(field(e, "code"), "internal");
    assert_string_equal(field(e, "message"), sw_code_message(SW_EINTERNAL));
    assert_int_equal(res.status, 500);
    json_decref(root);

    /* NULL format: the table's message */
    assert_int_equal(http_fail(&res, SW_ECONFLICT, NULL), SW_ECONFLICT);
    assert_string_equal(res.err.msg, sw_code_message(SW_ECONFLICT));
    sw_buf_free(&res.body);
    sw_arena_destroy(a);
}

static void test_render_replaces_partial_body(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    sw_response res = make_response(a, SW_HTTP_MAX_RESPONSE_BYTES);
    assert_int_equal(http_reply(&res, 200, "text/plain", "half a resp", 11), SW_OK);
    http_render_json_error(NULL, &res, SW_EINTERNAL);
    assert_int_equal(res.status, 500);
    assert_string_equal(res.content_type, "application/json");
    assert_null(strstr(sw_buf_str(&res.body), "half"));
    json_t *root;
    json_t *e = parse_error_body(&res, &root);
    assert_string_equal(field(e, "code"), "internal");
    json_decref(root);
    sw_buf_free(&res.body);
    sw_arena_destroy(a);
}

static void test_message_is_escaped(void **state)
{
    (void)state;
    static const char *const messages[] = {
        "quote \" backslash \\ slash /",
        "new\nline\ttab\001ctl",
        "M\xc3\xbcller \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9d\x84\x9e",
        "</script><script>alert(1)</script>",
        "100% sure",
    };
    for (size_t i = 0; i < sizeof messages / sizeof *messages; i++) {
        sw_arena *a = sw_arena_create(0);
        sw_response res = make_response(a, SW_HTTP_MAX_RESPONSE_BYTES);
        http_fail(&res, SW_EBADREQUEST, "%s", messages[i]);
        http_render_json_error(NULL, &res, SW_EBADREQUEST);
        json_t *root;
        json_t *e = parse_error_body(&res, &root);
        assert_string_equal(field(e, "message"), messages[i]);
        assert_string_equal(field(e, "code"), "bad_request");
        json_decref(root);
        sw_buf_free(&res.body);
        sw_arena_destroy(a);
    }
}

/* Whatever the message holds, the body must name the code the status says:
 * a client reading "out_of_memory" next to a 404 is misled. Two ways a
 * message can be unusable in JSON: bytes that are not UTF-8, and a long
 * non-ASCII message that sw_err cut in the middle of a character. */
static void test_code_survives_an_unusable_message(void **state)
{
    (void)state;
    char long_msg[SW_ERR_MSG_MAX * 2 + 1];
    size_t n = 0;
    while (n + 2 < sizeof long_msg) {
        long_msg[n++] = (char)0xC3;
        long_msg[n++] = (char)0xA9;
    }
    long_msg[n] = '\0';
    const char *const messages[] = { "bad byte \xff here", long_msg };
    for (size_t i = 0; i < sizeof messages / sizeof *messages; i++) {
        sw_arena *a = sw_arena_create(0);
        sw_response res = make_response(a, SW_HTTP_MAX_RESPONSE_BYTES);
        http_fail(&res, SW_ENOTFOUND, "%s", messages[i]);
        http_render_json_error(NULL, &res, SW_ENOTFOUND);
        assert_int_equal(res.status, 404);
        json_t *root;
        json_t *e = parse_error_body(&res, &root);
        char code[64];
        snprintf(code, sizeof code, "%s", field(e, "code"));
        json_decref(root);
        sw_buf_free(&res.body);
        sw_arena_destroy(a);
        if (strcmp(code, "not_found") != 0)
            fail_msg("message %zu: a 404 body says code '%s'", i, code);
    }
}

static void test_reply(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    sw_response res = make_response(a, 16);
    assert_int_equal(http_reply(&res, 201, "application/fhir+json", "{\"a\":", 5), SW_OK);
    assert_int_equal(http_reply(&res, 201, "application/fhir+json", "1}", 2), SW_OK);
    assert_int_equal(res.status, 201);
    assert_string_equal(res.content_type, "application/fhir+json");
    assert_string_equal(sw_buf_str(&res.body), "{\"a\":1}");
    /* past the body's ceiling: refused, body unchanged */
    assert_int_equal(http_reply(&res, 200, "text/plain", "0123456789", 10), SW_ETOOBIG);
    assert_string_equal(sw_buf_str(&res.body), "{\"a\":1}");
    sw_buf_free(&res.body);
    sw_arena_destroy(a);
}

static const char *header_value(const sw_response *res, const char *name)
{
    for (const http_header *h = res->headers; h != NULL; h = h->next)
        if (strcmp(h->name, name) == 0)
            return h->value;
    return NULL;
}

static int count_headers(const sw_response *res)
{
    int n = 0;
    for (const http_header *h = res->headers; h != NULL; h = h->next)
        n++;
    return n;
}

static void test_set_header_copies(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    sw_response res = make_response(a, 100);
    char name[] = "Location";
    char value[] = "/fhir/Patient/1/_history/1";
    assert_int_equal(http_set_header(&res, name, value), SW_OK);
    assert_int_equal(http_set_header(&res, "ETag", "W/\"1\""), SW_OK);
    name[0] = 'X';
    value[1] = 'X';
    assert_string_equal(header_value(&res, "Location"), "/fhir/Patient/1/_history/1");
    assert_string_equal(header_value(&res, "ETag"), "W/\"1\"");
    assert_int_equal(count_headers(&res), 2);
    sw_arena_destroy(a);
}

static int handler(sw_request *req, sw_response *res)
{
    (void)req;
    (void)res;
    return SW_OK;
}

/* A 405 put together as server.c does: route match, Allow header, render. */
static void test_method_not_allowed_response(void **state)
{
    (void)state;
    static const http_route rows[] = {
        { "GET",  "/fhir/{type}", handler, 0, NULL },
        { "POST", "/fhir/{type}", handler, 0, NULL },
    };
    static const http_route_table table = { .name = "t", .routes = rows, .count = 2 };
    const http_route_table *tables[] = { &table };

    sw_arena *a = sw_arena_create(0);
    sw_request req;
    memset(&req, 0, sizeof req);
    req.arena = a;
    req.method = "DELETE";
    assert_int_equal(http_parse_target(a, "/fhir/Patient", 13, &req.target, NULL), SW_OK);
    char allow[64];
    assert_int_equal(http_route_match(tables, 1, &req, NULL, allow, sizeof allow),
                     HTTP_MATCH_NO_METHOD);
    sw_response res = make_response(a, SW_HTTP_MAX_RESPONSE_BYTES);
    assert_int_equal(http_set_header(&res, "Allow", allow), SW_OK);
    http_render_json_error(&req, &res, SW_EMETHOD);
    assert_int_equal(res.status, 405);
    assert_string_equal(header_value(&res, "Allow"), "GET, HEAD, POST");
    json_t *root;
    json_t *e = parse_error_body(&res, &root);
    assert_string_equal(field(e, "code"), "method_not_allowed");
    json_decref(root);
    sw_buf_free(&res.body);
    sw_arena_destroy(a);
}

static int teardown_allocator(void **state)
{
    (void)state;
    sw_failalloc_uninstall();
    return 0;
}

/* Each allocation failing in turn: http_set_header says SW_ENOMEM and a
 * header that could not be stored is not half-linked into the list. */
static void test_set_header_allocation_failure(void **state)
{
    (void)state;
    static char big[6000];
    memset(big, 'v', sizeof big - 1);
    sw_failalloc_install();
    long n;
    for (n = 1; n < 100; n++) {
        sw_failalloc_fail_at(n);
        sw_arena *a = sw_arena_create(0);
        int stored = 0, rc = SW_ENOMEM;
        if (a != NULL) {
            sw_response res = make_response(a, 100);
            rc = http_set_header(&res, "Allow", "GET, HEAD");
            if (rc == SW_OK) {
                stored++;
                rc = http_set_header(&res, "X-Big", big);
                if (rc == SW_OK)
                    stored++;
            }
            assert_int_equal(count_headers(&res), stored);
            if (stored > 0)
                assert_string_equal(header_value(&res, "Allow"), "GET, HEAD");
            sw_arena_destroy(a);
        }
        bool failed = sw_failalloc_failed();
        assert_int_equal(sw_failalloc_live(), 0);
        if (!failed) {
            assert_int_equal(rc, SW_OK);
            break;
        }
        assert_int_equal(rc, SW_ENOMEM);
    }
    assert_true(n >= 3);
    sw_failalloc_fail_at(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_renders),
        cmocka_unit_test(test_message_from_http_fail),
        cmocka_unit_test(test_render_replaces_partial_body),
        cmocka_unit_test(test_message_is_escaped),
        cmocka_unit_test(test_code_survives_an_unusable_message),
        cmocka_unit_test(test_reply),
        cmocka_unit_test(test_set_header_copies),
        cmocka_unit_test(test_method_not_allowed_response),
        cmocka_unit_test_teardown(test_set_header_allocation_failure,
                                  teardown_allocator),
    };
    return cmocka_run_group_tests_name("http/response", tests, NULL, NULL);
}
