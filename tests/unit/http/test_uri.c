/* test_uri.c - request-target parsing (http_parse_target in http/uri.c).
 *
 * Every byte a handler sees from the URL has gone through this parser, so a
 * table pins what it makes of each kind of target: percent-decoding (an
 * encoded slash stays inside its segment), '+' as a space in the query only,
 * repeated parameters kept in order, empty ones skipped, and the refusals -
 * bad escapes, NUL, invalid UTF-8, raw spaces and control characters, dot
 * segments (also encoded), targets that are not origin- or absolute-form.
 * Separate tests walk the limits (exactly at each passes, one over fails)
 * and fail every allocation in turn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "failalloc.h"
#include "http/http.h"

#define MAXSEG 8
#define MAXPAR 8

typedef struct uri_case {
    const char *raw;
    size_t      len;                       /* 0: strlen(raw) */
    int         rc;                        /* 0: SW_OK */
    const char *segs[MAXSEG + 1];          /* decoded, NULL-terminated */
    const char *params[2 * MAXPAR + 1];    /* name, value, ..., NULL */
    const char *raw_path;                  /* NULL: not checked */
} uri_case;

static const uri_case cases[] = {
    /* ---- origin-form paths ---- */
    { .raw = "/", .raw_path = "/" },
    { .raw = "/fhir/Patient", .segs = { "fhir", "Patient" }, .raw_path = "/fhir/Patient" },
    { .raw = "/fhir/Patient/", .segs = { "fhir", "Patient" } },            /* trailing slash */
    { .raw = "/fhir/Patient/123/_history/2",
      .segs = { "fhir", "Patient", "123", "_history", "2" } },
    { .raw = "/a//b", .segs = { "a", "", "b" } },
    /* an encoded slash stays inside its segment */
    { .raw = "/fhir/Binary/a%2Fb", .segs = { "fhir", "Binary", "a/b" },
      .raw_path = "/fhir/Binary/a%2Fb" },
    { .raw = "/fhir/Binary/a%2fb", .segs = { "fhir", "Binary", "a/b" } },
    { .raw = "/a%20b", .segs = { "a b" } },
    { .raw = "/a+b", .segs = { "a+b" } },                                 /* no '+' rule in paths */
    { .raw = "/%4a%4A%41", .segs = { "JJA" } },
    { .raw = "/a%3Fb%23c%25", .segs = { "a?b#c%" } },
    { .raw = "/caf%C3%A9", .segs = { "caf\xc3\xa9" } },
    { .raw = "/caf\xc3\xa9", .segs = { "caf\xc3\xa9" } },                  /* raw UTF-8 */
    { .raw = "/caf%C3\xa9", .segs = { "caf\xc3\xa9" } },                   /* half and half */
    { .raw = "/%E5%B1%B1%E7%94%B0", .segs = { "\xe5\xb1\xb1\xe7\x94\xb0" } },
    { .raw = "/%F0%9D%84%9E", .segs = { "\xf0\x9d\x84\x9e" } },
    { .raw = "/.well-known/smart-configuration",
      .segs = { ".well-known", "smart-configuration" } },
    { .raw = "/a/.b/..c/.../x.", .segs = { "a", ".b", "..c", "...", "x." } },
    { .raw = "/fhir/Patient/$everything", .segs = { "fhir", "Patient", "$everything" } },
    { .raw = "/a:b@c;d=e,f!g'h(i)j*k", .segs = { "a:b@c;d=e,f!g'h(i)j*k" } },

    /* ---- queries ---- */
    { .raw = "/p?name=a+b", .segs = { "p" }, .params = { "name", "a b" },
      .raw_path = "/p" },
    { .raw = "/p?name=a%2Bb", .segs = { "p" }, .params = { "name", "a+b" } },
    { .raw = "/p?a+b=c", .segs = { "p" }, .params = { "a b", "c" } },
    { .raw = "/p?a=1&a=2&b=3", .segs = { "p" },
      .params = { "a", "1", "a", "2", "b", "3" } },                 /* repeats, in order */
    { .raw = "/p?a=1&&b=2&", .segs = { "p" }, .params = { "a", "1", "b", "2" } },
    { .raw = "/p?&", .segs = { "p" } },
    { .raw = "/p?", .segs = { "p" } },
    { .raw = "/?x=1", .params = { "x", "1" } },
    { .raw = "/p?flag", .segs = { "p" }, .params = { "flag", "" } },
    { .raw = "/p?flag=", .segs = { "p" }, .params = { "flag", "" } },
    { .raw = "/p?a=b=c", .segs = { "p" }, .params = { "a", "b=c" } },
    { .raw = "/p?%41=%42", .segs = { "p" }, .params = { "A", "B" } },
    { .raw = "/p?q=a?b", .segs = { "p" }, .params = { "q", "a?b" } },
    { .raw = "/p?x=a%26b&y=c%3Dd", .segs = { "p" }, .params = { "x", "a&b", "y", "c=d" } },
    { .raw = "/p?x=%0A", .segs = { "p" }, .params = { "x", "\n" } },     /* encoded: data */
    { .raw = "/p?a=..&b=.", .segs = { "p" }, .params = { "a", "..", "b", "." } },
    { .raw = "/fhir/Patient?family=Smith&birthdate=ge1970-01-01",
      .segs = { "fhir", "Patient" },
      .params = { "family", "Smith", "birthdate", "ge1970-01-01" } },
    { .raw = "/fhir/Observation?patient=Patient/123&code=http://loinc.org|8867-4",
      .segs = { "fhir", "Observation" },
      .params = { "patient", "Patient/123", "code", "http://loinc.org|8867-4" } },
    { .raw = "/fhir/Patient?family=M%C3%BCller&given:exact=J%C3%BCrgen",
      .segs = { "fhir", "Patient" },
      .params = { "family", "M\xc3\xbcller", "given:exact", "J\xc3\xbcrgen" } },
    { .raw = "/fhir/Patient?_has:Observation:patient:code=1234-5&_include=Patient:organization",
      .segs = { "fhir", "Patient" },
      .params = { "_has:Observation:patient:code", "1234-5",
                  "_include", "Patient:organization" } },

    /* ---- fragments are not part of the target ---- */
    { .raw = "/p#frag", .segs = { "p" }, .raw_path = "/p" },
    { .raw = "/p?a=1#frag", .segs = { "p" }, .params = { "a", "1" } },
    { .raw = "/p?a=1#x&b=2", .segs = { "p" }, .params = { "a", "1" } },
    { .raw = "/p#?a=1", .segs = { "p" } },
    { .raw = "/#", },

    /* ---- absolute-form ---- */
    { .raw = "http://example.org/fhir/Patient?x=1", .segs = { "fhir", "Patient" },
      .params = { "x", "1" }, .raw_path = "/fhir/Patient" },
    { .raw = "https://h:8443/a/b", .segs = { "a", "b" } },
    { .raw = "http://h/", },
    { .raw = "http://h",          .rc = SW_EBADREQUEST },
    { .raw = "http://",           .rc = SW_EBADREQUEST },
    { .raw = "http://h?x=1",      .rc = SW_EBADREQUEST },
    { .raw = "http://h?x=/y",     .rc = SW_EBADREQUEST },
    { .raw = "http://h/../x",     .rc = SW_EBADREQUEST },
    { .raw = "ftp://h/a",         .rc = SW_EBADREQUEST },

    /* ---- not a target ---- */
    { .raw = "",                  .rc = SW_EBADREQUEST },
    { .raw = "fhir/Patient",      .rc = SW_EBADREQUEST },
    { .raw = "*",                 .rc = SW_EBADREQUEST },
    { .raw = "?a=1",              .rc = SW_EBADREQUEST },
    { .raw = "#x",                .rc = SW_EBADREQUEST },

    /* ---- bad escapes ---- */
    { .raw = "/a%G1",             .rc = SW_EBADREQUEST },
    { .raw = "/a%1G",             .rc = SW_EBADREQUEST },
    { .raw = "/a%",               .rc = SW_EBADREQUEST },
    { .raw = "/a%4",              .rc = SW_EBADREQUEST },
    { .raw = "/a%4/b",            .rc = SW_EBADREQUEST },
    { .raw = "/%%41",             .rc = SW_EBADREQUEST },
    { .raw = "/a% 1",             .rc = SW_EBADREQUEST },
    { .raw = "/p?x=%",            .rc = SW_EBADREQUEST },
    { .raw = "/p?x=%4",           .rc = SW_EBADREQUEST },
    { .raw = "/p?x=%%",           .rc = SW_EBADREQUEST },
    { .raw = "/p?%zz=1",          .rc = SW_EBADREQUEST },
    { .raw = "/p?x=1%&y=2",       .rc = SW_EBADREQUEST },

    /* ---- NUL, encoded or raw ---- */
    { .raw = "/a%00b",            .rc = SW_EBADREQUEST },
    { .raw = "/p?x=%00",          .rc = SW_EBADREQUEST },
    { .raw = "/p?%00=1",          .rc = SW_EBADREQUEST },
    { .raw = "/a\0b", .len = 4,          .rc = SW_EBADREQUEST },
    { .raw = "/p?x=\0", .len = 6,        .rc = SW_EBADREQUEST },

    /* ---- invalid UTF-8 once decoded ---- */
    { .raw = "/%C0%AF",           .rc = SW_EBADREQUEST },     /* overlong '/' */
    { .raw = "/%C1%BF",           .rc = SW_EBADREQUEST },     /* overlong */
    { .raw = "/%E0%80%AF",        .rc = SW_EBADREQUEST },     /* overlong, 3 bytes */
    { .raw = "/%ED%A0%80",        .rc = SW_EBADREQUEST },     /* surrogate */
    { .raw = "/\xed\xa0\x80",     .rc = SW_EBADREQUEST },     /* raw surrogate */
    { .raw = "/%E2%82",           .rc = SW_EBADREQUEST },     /* truncated */
    { .raw = "/%F0%9D%84",        .rc = SW_EBADREQUEST },     /* truncated */
    { .raw = "/%F4%90%80%80",     .rc = SW_EBADREQUEST },     /* above U+10FFFF */
    { .raw = "/%FF",              .rc = SW_EBADREQUEST },
    { .raw = "/\xc3",             .rc = SW_EBADREQUEST },
    { .raw = "/p?x=%C3",          .rc = SW_EBADREQUEST },
    { .raw = "/p?%C3=1",          .rc = SW_EBADREQUEST },
    { .raw = "/p?x=%C3+",         .rc = SW_EBADREQUEST },     /* '+' is not a continuation */

    /* ---- raw spaces and control characters ---- */
    { .raw = "/a b",              .rc = SW_EBADREQUEST },
    { .raw = "/a\tb",             .rc = SW_EBADREQUEST },
    { .raw = "/a\x7f",            .rc = SW_EBADREQUEST },
    { .raw = "/a\x01",            .rc = SW_EBADREQUEST },
    { .raw = "/a\r\nX-Evil: 1",   .rc = SW_EBADREQUEST },
    { .raw = "/p?x=a b",          .rc = SW_EBADREQUEST },
    { .raw = "/p?x=\x1f",         .rc = SW_EBADREQUEST },
    { .raw = "/p?x\n=1",          .rc = SW_EBADREQUEST },

    /* ---- dot segments, plain or encoded ---- */
    { .raw = "/.",                .rc = SW_EBADREQUEST },
    { .raw = "/..",               .rc = SW_EBADREQUEST },
    { .raw = "/./",               .rc = SW_EBADREQUEST },
    { .raw = "/../",              .rc = SW_EBADREQUEST },
    { .raw = "/a/./b",            .rc = SW_EBADREQUEST },
    { .raw = "/a/../b",           .rc = SW_EBADREQUEST },
    { .raw = "/a/..",             .rc = SW_EBADREQUEST },
    { .raw = "/a/.",              .rc = SW_EBADREQUEST },
    { .raw = "/a/..?x=1",         .rc = SW_EBADREQUEST },
    { .raw = "/%2e",              .rc = SW_EBADREQUEST },
    { .raw = "/%2E%2E",           .rc = SW_EBADREQUEST },
    { .raw = "/a/.%2e/b",         .rc = SW_EBADREQUEST },
    { .raw = "/a/%2e./b",         .rc = SW_EBADREQUEST },
    { .raw = "/fhir/%2e%2e/admin", .rc = SW_EBADREQUEST },

    /* ---- parameters without a name ---- */
    { .raw = "/p?=v",             .rc = SW_EBADREQUEST },
    { .raw = "/p?a=1&=2",         .rc = SW_EBADREQUEST },
    { .raw = "/p?=",              .rc = SW_EBADREQUEST },
};

/* What every successful parse promises, whatever the input. */
static void check_invariants(const http_target *t)
{
    assert_non_null(t->raw_path);
    assert_int_equal(t->raw_path[0], '/');
    assert_in_range(t->nsegments, 0, SW_HTTP_MAX_PATH_SEGMENTS);
    assert_in_range(t->nparams, 0, SW_HTTP_MAX_QUERY_PARAMS);
    for (int i = 0; i < t->nsegments; i++) {
        const char *s = t->segments[i];
        assert_non_null(s);
        assert_true(sw_utf8_valid(s, strlen(s)));
        assert_true(strcmp(s, ".") != 0 && strcmp(s, "..") != 0);
    }
    for (int i = 0; i < t->nparams; i++) {
        const http_param *p = &t->params[i];
        assert_non_null(p->name);
        assert_non_null(p->value);
        assert_true(p->name[0] != '\0');
        assert_true(sw_utf8_valid(p->name, strlen(p->name)));
        assert_true(sw_utf8_valid(p->value, strlen(p->value)));
    }
}

static void check_case(size_t i, const uri_case *c)
{
    sw_arena *a = sw_arena_create(1 << 20);
    assert_non_null(a);
    size_t len = c->len ? c->len : strlen(c->raw);
    http_target t;
    sw_err err;
    sw_err_clear(&err);
    int rc = http_parse_target(a, c->raw, len, &t, &err);
    if (rc != c->rc)
        fail_msg("case %zu '%s': rc %s (%s), want %s", i, c->raw, sw_code_id(rc),
                 sw_err_text(&err), sw_code_id(c->rc));
    if (rc != SW_OK) {
        /* a refusal always says why */
        assert_int_equal(err.code, rc);
        assert_true(err.msg[0] != '\0');
        sw_arena_destroy(a);
        return;
    }
    check_invariants(&t);
    int nseg = 0;
    while (c->segs[nseg] != NULL)
        nseg++;
    if (t.nsegments != nseg)
        fail_msg("case %zu '%s': %d segments, want %d", i, c->raw, t.nsegments, nseg);
    for (int k = 0; k < nseg; k++)
        if (strcmp(t.segments[k], c->segs[k]) != 0)
            fail_msg("case %zu '%s': segment %d is '%s', want '%s'", i, c->raw, k,
                     t.segments[k], c->segs[k]);
    int npar = 0;
    while (c->params[2 * npar] != NULL)
        npar++;
    if (t.nparams != npar)
        fail_msg("case %zu '%s': %d params, want %d", i, c->raw, t.nparams, npar);
    for (int k = 0; k < npar; k++) {
        if (strcmp(t.params[k].name, c->params[2 * k]) != 0
            || strcmp(t.params[k].value, c->params[2 * k + 1]) != 0)
            fail_msg("case %zu '%s': param %d is '%s'='%s', want '%s'='%s'", i,
                     c->raw, k, t.params[k].name, t.params[k].value,
                     c->params[2 * k], c->params[2 * k + 1]);
    }
    if (c->raw_path != NULL)
        assert_string_equal(t.raw_path, c->raw_path);
    sw_arena_destroy(a);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_case(i, &cases[i]);
}

static void test_err_may_be_null(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    http_target t;
    assert_int_equal(http_parse_target(a, "/a%", 3, &t, NULL), SW_EBADREQUEST);
    assert_int_equal(http_parse_target(a, "/ok", 3, &t, NULL), SW_OK);
    sw_arena_destroy(a);
}

static void test_length_not_nul_bounds_the_input(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    http_target t;
    /* only the first 8 bytes are the target; the rest is not looked at */
    const char *raw = "/a/b?x=1 junk that would be refused";
    assert_int_equal(http_parse_target(a, raw, 8, &t, NULL), SW_OK);
    assert_int_equal(t.nsegments, 2);
    assert_int_equal(t.nparams, 1);
    assert_string_equal(t.params[0].value, "1");
    sw_arena_destroy(a);
}

static void test_reparse_resets_output(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    http_target t;
    assert_int_equal(http_parse_target(a, "/a/b/c?x=1&y=2", 14, &t, NULL), SW_OK);
    assert_int_equal(http_parse_target(a, "/", 1, &t, NULL), SW_OK);
    assert_int_equal(t.nsegments, 0);
    assert_int_equal(t.nparams, 0);
    sw_arena_destroy(a);
}

/* ---- Limits ---------------------------------------------------------------- */

static int parse_string(const char *raw, http_target *t, sw_arena *a)
{
    return http_parse_target(a, raw, strlen(raw), t, NULL);
}

static void test_uri_length_limit(void **state)
{
    (void)state;
    static char raw[SW_HTTP_MAX_URI_BYTES + 2];
    sw_arena *a = sw_arena_create(0);
    http_target t;

    /* a single segment: exactly at the limit, then one over */
    raw[0] = '/';
    memset(raw + 1, 'a', SW_HTTP_MAX_URI_BYTES);
    raw[SW_HTTP_MAX_URI_BYTES] = '\0';
    assert_int_equal(strlen(raw), SW_HTTP_MAX_URI_BYTES);
    assert_int_equal(parse_string(raw, &t, a), SW_OK);
    assert_int_equal(t.nsegments, 1);
    assert_int_equal(strlen(t.segments[0]), SW_HTTP_MAX_URI_BYTES - 1);
    raw[SW_HTTP_MAX_URI_BYTES] = 'a';
    raw[SW_HTTP_MAX_URI_BYTES + 1] = '\0';
    sw_err err;
    assert_int_equal(http_parse_target(a, raw, strlen(raw), &t, &err),
                     SW_EURITOOLONG);
    assert_int_equal(err.code, SW_EURITOOLONG);

    /* the query counts too */
    memcpy(raw, "/p?x=", 5);
    memset(raw + 5, 'v', SW_HTTP_MAX_URI_BYTES - 5);
    raw[SW_HTTP_MAX_URI_BYTES] = '\0';
    assert_int_equal(parse_string(raw, &t, a), SW_OK);
    assert_int_equal(strlen(t.params[0].value), SW_HTTP_MAX_URI_BYTES - 5);
    raw[SW_HTTP_MAX_URI_BYTES] = 'v';
    assert_int_equal(parse_string(raw, &t, a), SW_EURITOOLONG);
    sw_arena_destroy(a);
}

static void test_segment_limit(void **state)
{
    (void)state;
    char raw[4 * SW_HTTP_MAX_PATH_SEGMENTS + 8];
    sw_arena *a = sw_arena_create(0);
    http_target t;

    size_t n = 0;
    for (int i = 0; i < SW_HTTP_MAX_PATH_SEGMENTS; i++)
        n += (size_t)sprintf(raw + n, "/s");
    assert_int_equal(parse_string(raw, &t, a), SW_OK);
    assert_int_equal(t.nsegments, SW_HTTP_MAX_PATH_SEGMENTS);

    strcpy(raw + n, "/");                   /* a trailing slash adds none */
    assert_int_equal(parse_string(raw, &t, a), SW_OK);
    assert_int_equal(t.nsegments, SW_HTTP_MAX_PATH_SEGMENTS);

    strcpy(raw + n, "?q=1");
    assert_int_equal(parse_string(raw, &t, a), SW_OK);

    strcpy(raw + n, "/s");                  /* one over */
    sw_err err;
    assert_int_equal(http_parse_target(a, raw, strlen(raw), &t, &err),
                     SW_EURITOOLONG);
    assert_int_equal(err.code, SW_EURITOOLONG);

    /* empty segments count as segments */
    memset(raw, '/', SW_HTTP_MAX_PATH_SEGMENTS + 1);
    raw[SW_HTTP_MAX_PATH_SEGMENTS + 1] = 'x';
    raw[SW_HTTP_MAX_PATH_SEGMENTS + 2] = '\0';
    assert_int_equal(parse_string(raw, &t, a), SW_EURITOOLONG);
    sw_arena_destroy(a);
}

static char *params_query(char *raw, int count, const char *tail)
{
    size_t n = (size_t)sprintf(raw, "/p?");
    for (int i = 0; i < count; i++)
        n += (size_t)sprintf(raw + n, "%sk%d=%d", i ? "&" : "", i, i);
    strcpy(raw + n, tail);
    return raw;
}

static void test_param_limit(void **state)
{
    (void)state;
    static char raw[SW_HTTP_MAX_URI_BYTES];
    sw_arena *a = sw_arena_create(0);
    http_target t;

    assert_int_equal(parse_string(params_query(raw, SW_HTTP_MAX_QUERY_PARAMS, ""),
                                  &t, a), SW_OK);
    assert_int_equal(t.nparams, SW_HTTP_MAX_QUERY_PARAMS);
    for (int i = 0; i < t.nparams; i++) {
        char want[16];
        snprintf(want, sizeof want, "k%d", i);
        assert_string_equal(t.params[i].name, want);
    }

    sw_err err;
    params_query(raw, SW_HTTP_MAX_QUERY_PARAMS + 1, "");
    assert_int_equal(http_parse_target(a, raw, strlen(raw), &t, &err),
                     SW_EBADREQUEST);
    assert_int_equal(err.code, SW_EBADREQUEST);
    sw_arena_destroy(a);
}

/* Empty parameters are skipped, so they are not parameters: 128 of them
 * followed by a stray '&' (as many form builders send) is within the limit. */
static void test_param_limit_ignores_empty_params(void **state)
{
    (void)state;
    static char raw[SW_HTTP_MAX_URI_BYTES];
    sw_arena *a = sw_arena_create(0);
    http_target t;
    params_query(raw, SW_HTTP_MAX_QUERY_PARAMS, "&");
    sw_err err;
    sw_err_clear(&err);
    int rc = http_parse_target(a, raw, strlen(raw), &t, &err);
    int nparams = rc == SW_OK ? t.nparams : -1;
    sw_arena_destroy(a);
    if (rc != SW_OK)
        fail_msg("%d parameters and a trailing '&' refused: %s",
                 SW_HTTP_MAX_QUERY_PARAMS, sw_err_text(&err));
    assert_int_equal(nparams, SW_HTTP_MAX_QUERY_PARAMS);
}

/* ---- Memory ---------------------------------------------------------------- */

static const char busy_target[] =
    "/fhir/Observation/_search/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p?"
    "patient=Patient%2F123&code=http%3A%2F%2Floinc.org%7C8867-4&"
    "date=ge2020-01-01&date=le2020-12-31&_include=Observation%3Apatient&"
    "_count=50&_sort=-date&value-quantity=gt5.4%7Chttp%3A%2F%2Funitsofmeasure.org%7Cmg&"
    "subject.name=M%C3%BCller+J%C3%BCrgen&category=vital-signs&status=final&"
    "_elements=id,code,value&_summary=false&performer=Practitioner%2F9";

/* A budget too small for the target: a clean SW_ENOMEM, not a crash. */
static void test_small_arena_gives_enomem(void **state)
{
    (void)state;
    static char raw[SW_HTTP_MAX_URI_BYTES + 1];
    raw[0] = '/';
    memset(raw + 1, 'z', SW_HTTP_MAX_URI_BYTES - 1);
    raw[SW_HTTP_MAX_URI_BYTES] = '\0';
    sw_arena *a = sw_arena_create(4096);
    http_target t;
    sw_err err;
    assert_int_equal(http_parse_target(a, raw, strlen(raw), &t, &err), SW_ENOMEM);
    assert_int_equal(err.code, SW_ENOMEM);
    sw_arena_destroy(a);
}

static int teardown_allocator(void **state)
{
    (void)state;
    sw_failalloc_uninstall();
    return 0;
}

/* Fails each allocation in turn (the arena itself, then each block the
 * parse needs): SW_ENOMEM every time, nothing live after destroy. The long
 * target needs several blocks, so failures land in the middle of a parse. */
static void fail_each_allocation(const char *raw, int nsegments, int nparams)
{
    sw_failalloc_install();
    long n;
    int parse_failures = 0;
    for (n = 1; n < 1000; n++) {
        sw_failalloc_fail_at(n);
        int rc;
        sw_err err;
        sw_err_clear(&err);
        http_target t;
        sw_arena *a = sw_arena_create(SW_HTTP_MAX_REQUEST_MEMORY);
        if (a == NULL) {
            rc = SW_ENOMEM;
        } else {
            rc = http_parse_target(a, raw, strlen(raw), &t, &err);
            if (rc == SW_ENOMEM) {
                assert_int_equal(err.code, SW_ENOMEM);
                parse_failures++;
            } else if (rc == SW_OK) {
                check_invariants(&t);
                assert_int_equal(t.nsegments, nsegments);
                assert_int_equal(t.nparams, nparams);
            }
            sw_arena_destroy(a);
        }
        bool failed = sw_failalloc_failed();
        if (sw_failalloc_live() != 0)
            fail_msg("allocation %ld failing leaves %ld blocks", n,
                     sw_failalloc_live());
        if (!failed) {
            assert_int_equal(rc, SW_OK);
            break;
        }
        if (rc != SW_ENOMEM)
            fail_msg("allocation %ld failing gave %s", n, sw_code_id(rc));
    }
    assert_true(parse_failures >= 1);
    sw_failalloc_fail_at(0);
    sw_failalloc_uninstall();
}

static void test_allocation_failures(void **state)
{
    (void)state;
    fail_each_allocation(busy_target, 19, 14);

    /* 32 segments and 100 parameters, about 7 KB: several arena blocks */
    static char raw[SW_HTTP_MAX_URI_BYTES];
    size_t n = 0;
    for (int i = 0; i < SW_HTTP_MAX_PATH_SEGMENTS; i++)
        n += (size_t)sprintf(raw + n, "/segment-%02d%%2Fx", i);
    raw[n++] = '?';
    for (int i = 0; i < 100; i++)
        n += (size_t)sprintf(raw + n, "%sname%03d=v%%C3%%A9+%040d", i ? "&" : "", i, i);
    assert_true(n <= SW_HTTP_MAX_URI_BYTES);
    fail_each_allocation(raw, SW_HTTP_MAX_PATH_SEGMENTS, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_err_may_be_null),
        cmocka_unit_test(test_length_not_nul_bounds_the_input),
        cmocka_unit_test(test_reparse_resets_output),
        cmocka_unit_test(test_uri_length_limit),
        cmocka_unit_test(test_segment_limit),
        cmocka_unit_test(test_param_limit),
        cmocka_unit_test(test_param_limit_ignores_empty_params),
        cmocka_unit_test(test_small_arena_gives_enomem),
        cmocka_unit_test_teardown(test_allocation_failures, teardown_allocator),
    };
    return cmocka_run_group_tests_name("http/uri", tests, NULL, NULL);
}
