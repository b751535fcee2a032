/* fuzz_http_target.c - libFuzzer target for request-target parsing and
 * routing (http_parse_target in src/http/uri.c, http_route_match in
 * src/http/router.c): the first code to touch the URL of every request,
 * from unauthenticated peers.
 *
 * Each input is one raw request target. Besides what ASan and UBSan catch,
 * the target checks the parser's promises:
 *   - a refusal is SW_EBADREQUEST or SW_EURITOOLONG (SW_ENOMEM cannot happen
 *     within the request budget), with err filled; over SW_HTTP_MAX_URI_BYTES
 *     is always SW_EURITOOLONG;
 *   - on success every segment and parameter is valid UTF-8 with no NUL, no
 *     segment is "." or "..", no parameter name is empty, and the counts
 *     are within SW_HTTP_MAX_PATH_SEGMENTS / SW_HTTP_MAX_QUERY_PARAMS;
 *   - decoding round-trips: re-encoding the parsed target and parsing it
 *     again gives the same segments and parameters;
 *   - http_query_get finds the first parameter of each name.
 * It then routes the parsed target with several methods against a small
 * fixed table and checks each match against its pattern: every {name} value
 * is the non-empty segment at its position, a * rest is the remaining
 * segments joined with '/', a 405 always comes with an Allow list, and HEAD
 * is routed exactly like GET.
 *
 * Run by hand (new inputs go to the first directory, so not the seeds):
 *   build/san/fuzz/fuzz_http_target -dict=fuzz/http_target.dict
 *       -max_len=9000 /tmp/corpus fuzz/corpus/http_target */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "http/http.h"

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,       \
                    __LINE__, #cond);                                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

static int handler(sw_request *req, sw_response *res)
{
    (void)req;
    (void)res;
    return SW_OK;
}

static const http_route fhir_rows[] = {
    { "GET",    "/fhir/metadata",                   handler, 0, NULL },
    { "GET",    "/fhir/{type}",                     handler, 0, NULL },
    { "POST",   "/fhir/{type}",                     handler, 0, NULL },
    { "GET",    "/fhir/{type}/{id}",                handler, 0, NULL },
    { "PUT",    "/fhir/{type}/{id}",                handler, 0, NULL },
    { "DELETE", "/fhir/{type}/{id}",                handler, 0, NULL },
    { "GET",    "/fhir/{type}/{id}/_history/{vid}", handler, 0, NULL },
    { "POST",   "/fhir/{type}/_search",             handler, 0, NULL },
};
static const http_route misc_rows[] = {
    { "GET",  "/",          handler, 0, NULL },
    { "GET",  "/healthz",   handler, 0, NULL },
    { "GET",  "/files/*",   handler, 0, NULL },
    { NULL,   "/any/{x}",   handler, 0, NULL },
    { "POST", "/login",     handler, 0, NULL },
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

static void check_text(const char *s)
{
    CHECK(s != NULL);
    CHECK(sw_utf8_valid(s, strlen(s)));   /* strlen: no NUL inside */
}

static void check_target(const http_target *t)
{
    CHECK(t->raw_path != NULL && t->raw_path[0] == '/');
    CHECK(t->nsegments >= 0 && t->nsegments <= SW_HTTP_MAX_PATH_SEGMENTS);
    CHECK(t->nparams >= 0 && t->nparams <= SW_HTTP_MAX_QUERY_PARAMS);
    for (int i = 0; i < t->nsegments; i++) {
        check_text(t->segments[i]);
        CHECK(strcmp(t->segments[i], ".") != 0);
        CHECK(strcmp(t->segments[i], "..") != 0);
    }
    for (int i = 0; i < t->nparams; i++) {
        check_text(t->params[i].name);
        check_text(t->params[i].value);
        CHECK(t->params[i].name[0] != '\0');
    }
}

/* Percent-encodes everything but unreserved characters. */
static void put_encoded(sw_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '~') {
            sw_buf_putc(b, (char)c);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            sw_buf_append(b, e, 3);
        }
    }
}

static void check_round_trip(const http_target *t)
{
    sw_buf b = SW_BUF_INIT(4 * SW_HTTP_MAX_URI_BYTES);
    sw_buf_putc(&b, '/');
    for (int i = 0; i < t->nsegments; i++) {
        if (i > 0)
            sw_buf_putc(&b, '/');
        put_encoded(&b, t->segments[i]);
    }
    /* a final empty segment needs its slash written out ("/a//" is [a, ""]) */
    if (t->nsegments > 0 && t->segments[t->nsegments - 1][0] == '\0')
        sw_buf_putc(&b, '/');
    for (int i = 0; i < t->nparams; i++) {
        sw_buf_putc(&b, i ? '&' : '?');
        put_encoded(&b, t->params[i].name);
        sw_buf_putc(&b, '=');
        put_encoded(&b, t->params[i].value);
    }
    if (b.len <= SW_HTTP_MAX_URI_BYTES) {
        sw_arena *a = sw_arena_create(SW_HTTP_MAX_REQUEST_MEMORY);
        CHECK(a != NULL);
        http_target u;
        int rc = http_parse_target(a, sw_buf_str(&b), b.len, &u, NULL);
        if (rc != SW_OK)
            fprintf(stderr, "re-encoded target refused: %s\n", sw_buf_str(&b));
        CHECK(rc == SW_OK);
        CHECK(u.nsegments == t->nsegments);
        for (int i = 0; i < t->nsegments; i++)
            CHECK(strcmp(u.segments[i], t->segments[i]) == 0);
        CHECK(u.nparams == t->nparams);
        for (int i = 0; i < t->nparams; i++) {
            CHECK(strcmp(u.params[i].name, t->params[i].name) == 0);
            CHECK(strcmp(u.params[i].value, t->params[i].value) == 0);
        }
        sw_arena_destroy(a);
    }
    sw_buf_free(&b);
}

/* Walks the matched pattern again and compares with what the router gave. */
static void check_match(const sw_request *req)
{
    const http_target *t = &req->target;
    const char *p = req->route->pattern;
    CHECK(p[0] == '/');
    p++;
    int seg = 0;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 1 && p[0] == '*') {
            CHECK(req->rest != NULL);
            size_t off = 0;
            for (int i = seg; i < t->nsegments; i++) {
                size_t l = strlen(t->segments[i]);
                if (i > seg) {
                    CHECK(req->rest[off] == '/');
                    off++;
                }
                CHECK(strncmp(req->rest + off, t->segments[i], l) == 0);
                off += l;
            }
            CHECK(req->rest[off] == '\0');
            return;
        }
        CHECK(seg < t->nsegments);
        if (n >= 2 && p[0] == '{' && p[n - 1] == '}') {
            char name[32];
            CHECK(n - 2 < sizeof name);
            memcpy(name, p + 1, n - 2);
            name[n - 2] = '\0';
            const char *v = http_route_value(req, name);
            CHECK(v != NULL && v[0] != '\0');
            CHECK(strcmp(v, t->segments[seg]) == 0);
        } else {
            CHECK(strlen(t->segments[seg]) == n);
            CHECK(memcmp(t->segments[seg], p, n) == 0);
        }
        seg++;
        p += n;
        if (*p == '/')
            p++;
    }
    CHECK(seg == t->nsegments);
}

/* http_query_get gives the first parameter of a name, or NULL. */
static void check_query_get(sw_arena *a, const http_target *t)
{
    sw_request req;
    memset(&req, 0, sizeof req);
    req.arena = a;
    req.target = *t;
    for (int i = 0; i < t->nparams; i++) {
        int first = 0;
        while (strcmp(t->params[first].name, t->params[i].name) != 0)
            first++;
        CHECK(http_query_get(&req, t->params[i].name) == t->params[first].value);
    }
    CHECK(http_query_get(&req, "") == NULL);
}

static void route(sw_arena *a, const http_target *t)
{
    static const char *const methods[] = { "GET", "HEAD", "POST", "PUT",
                                           "DELETE", "PATCH" };
    const http_route *get_route = NULL;
    http_match_result get_result = HTTP_MATCH_NO_PATH;
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
        sw_request req;
        memset(&req, 0, sizeof req);
        req.arena = a;
        req.method = methods[i];
        req.target = *t;
        const http_route_table *tb = NULL;
        char allow[64];
        http_match_result m = http_route_match(tables, 2, &req, &tb, allow,
                                               sizeof allow);
        CHECK(m == HTTP_MATCH_OK || m == HTTP_MATCH_NO_PATH
              || m == HTTP_MATCH_NO_METHOD);
        CHECK(strlen(allow) < sizeof allow);
        if (m == HTTP_MATCH_OK) {
            CHECK(req.route != NULL && tb != NULL);
            CHECK(req.route >= tb->routes && req.route < tb->routes + tb->count);
            const char *rm = req.route->method;
            CHECK(rm == NULL || strcmp(rm, req.method) == 0
                  || (strcmp(req.method, "HEAD") == 0 && strcmp(rm, "GET") == 0));
            check_match(&req);
        } else if (m == HTTP_MATCH_NO_METHOD) {
            CHECK(allow[0] != '\0');
        } else {
            CHECK(allow[0] == '\0');
        }
        if (i == 0) {
            get_result = m;
            get_route = req.route;
        } else if (i == 1) {
            /* HEAD goes exactly where GET goes */
            CHECK(m == get_result);
            CHECK(m != HTTP_MATCH_OK || req.route == get_route);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena *a = sw_arena_create(SW_HTTP_MAX_REQUEST_MEMORY);
    if (a == NULL)
        return 0;
    http_target t;
    sw_err err;
    sw_err_clear(&err);
    int rc = http_parse_target(a, (const char *)data, size, &t, &err);
    if (rc == SW_OK) {
        check_target(&t);
        check_round_trip(&t);
        check_query_get(a, &t);
        route(a, &t);
    } else {
        CHECK(rc == SW_EBADREQUEST || rc == SW_EURITOOLONG);
        CHECK(err.code == rc);
        CHECK(err.msg[0] != '\0');
        CHECK(size <= SW_HTTP_MAX_URI_BYTES || rc == SW_EURITOOLONG);
    }
    sw_arena_destroy(a);
    return 0;
}
