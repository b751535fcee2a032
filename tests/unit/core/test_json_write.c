/* test_json_write.c - writing, building and editing with core/json.h
 * (src/core/json_write.c, src/core/json_build.c).
 *
 * Stagewise hands back stored resources unchanged, so the writer must be
 * exact: compact, minimally escaped input comes back byte for byte, and
 * anything else comes back as text that parses to the same tree. Covered
 * here: escaping, byte-exact round trips (a table, and a real Synthea
 * bundle after compacting), the buffer ceiling, building and editing
 * (set in place, set_at moving, remove, append, clone), tree equality, the
 * streaming writer and its sticky errors, and allocation failure at every
 * point of parse, write, clone and the streaming writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/errors.h"
#include "core/json.h"
#include "failalloc.h"

#define S(lit) lit, sizeof(lit) - 1

static int setup_arena(void **state)
{
    *state = sw_arena_create(0);
    return *state ? 0 : -1;
}

static int teardown_arena(void **state)
{
    sw_arena_destroy(*state);
    return 0;
}

static int teardown_allocator(void **state)
{
    (void)state;
    sw_failalloc_uninstall();
    return 0;
}

static sw_json *parse_ok(sw_arena *a, const char *s, size_t n)
{
    sw_json *v = NULL;
    sw_err err = { 0 };
    int rc = sw_json_parse(a, s, n, &v, &err);
    if (rc != SW_OK)
        print_error("parse refused %.60s: %s\n", s, err.msg);
    assert_int_equal(rc, SW_OK);
    return v;
}

static char *write_str(const sw_json *v, size_t *len)
{
    sw_buf b = SW_BUF_INIT(256 * 1024 * 1024);
    assert_int_equal(sw_json_write(&b, v), SW_OK);
    return sw_buf_detach(&b, len);
}

static void assert_writes(const sw_json *v, const char *want)
{
    size_t len;
    char *out = write_str(v, &len);
    if (strcmp(out, want) != 0)
        print_error("wrote %s\n want %s\n", out, want);
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
    sw_free(out);
}

/* ---- Escaping ------------------------------------------------------------- */

static const struct {
    const char *s;
    size_t      n;
    const char *json;
} escapes[] = {
    { S(""), "\"\"" },
    { S("plain"), "\"plain\"" },
    { S("a\"b"), "\"a\\\"b\"" },
    { S("\\"), "\"\\\\\"" },
    { S("/"), "\"/\"" },
    { S("</div>"), "\"</div>\"" },
    { S("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"" },
    { S("\0"), "\"\\u0000\"" },
    { S("a\0b"), "\"a\\u0000b\"" },
    { S("\x01\x1f\x0b\x1b"), "\"\\u0001\\u001f\\u000b\\u001b\"" },
    { S("\x7f"), "\"\x7f\"" },
    { S(" !#$%&'()*+,-.:;<=>?@[]^_`{|}~"), "\" !#$%&'()*+,-.:;<=>?@[]^_`{|}~\"" },
    { S("M\xc3\xbcller \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x98\x80"),
      "\"M\xc3\xbcller \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x98\x80\"" },
    { S("\xe2\x80\xa8\xe2\x80\xa9"), "\"\xe2\x80\xa8\xe2\x80\xa9\"" },
    { S("0123456789abcdef\"0123456789abcdef\n0123456\\"),
      "\"0123456789abcdef\\\"0123456789abcdef\\n0123456\\\\\"" },
    { S("01234567\t"), "\"01234567\\t\"" },
    { S("0123456\t"), "\"0123456\\t\"" },
    { S("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"\xc3\xa9"), "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\\\"\xc3\xa9\"" },
};

static void test_escapes(void **state)
{
    sw_arena *a = *state;
    for (size_t i = 0; i < sizeof escapes / sizeof *escapes; i++) {
        sw_buf b = SW_BUF_INIT(1024);
        assert_int_equal(sw_json_write_string(&b, escapes[i].s, escapes[i].n), SW_OK);
        assert_string_equal(sw_buf_str(&b), escapes[i].json);
        sw_buf_free(&b);
        sw_json *v = sw_json_new_string(a, escapes[i].s, escapes[i].n);
        assert_non_null(v);
        assert_writes(v, escapes[i].json);
        /* and it reads back to the same bytes */
        sw_json *back = parse_ok(a, escapes[i].json, strlen(escapes[i].json));
        assert_int_equal(back->text.n, escapes[i].n);
        assert_memory_equal(back->text.p, escapes[i].s, escapes[i].n);
    }
    /* every control character, and a string made only of escapes */
    char all[32];
    for (int c = 0; c < 32; c++)
        all[c] = (char)c;
    sw_buf b = SW_BUF_INIT(1024);
    assert_int_equal(sw_json_write_string(&b, all, 32), SW_OK);
    assert_string_equal(sw_buf_str(&b),
        "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b"
        "\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
        "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
    sw_buf_free(&b);
    char many[3000];
    memset(many, '\x02', sizeof many);
    sw_buf c = SW_BUF_INIT(6 * sizeof many + 2);       /* exactly enough */
    assert_int_equal(sw_json_write_string(&c, many, sizeof many), SW_OK);
    assert_int_equal(c.len, 6 * sizeof many + 2);
    sw_buf_free(&c);
}

/* ---- Round trips ------------------------------------------------------------ */

/* Compact and minimally escaped: written back byte for byte. */
static const char *const exact[] = {
    "null", "true", "false", "0", "-0", "1.50", "1e400", "-1E-7",
    "123456789012345678901234567890.123456789", "0.000000000000000000001",
    "\"\"", "[]", "{}", "[[]]", "{\"\":{}}",
    "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\\u0000\\u001f\x7f\"",
    "[1,\"two\",3.0,true,false,null,{\"a\":[]}]",
    ("{\"resourceType\":\"Observation\",\"id\":\"o1\",\"status\":\"final\","
     "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\","
     "\"display\":\"Heart rate\"}]},\"valueQuantity\":{\"value\":72.0,\"unit\":"
     "\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}"),
    "{\"z\":1,\"a\":2,\"y\":[3,2,1]}",
    ("{\"name\":[{\"given\":[\"J\xc3\xb6rg\",\"\xe5\xb1\xb1\xe7\x94\xb0\"],"
     "\"text\":\"\xf0\x9f\x98\x80\"}]}"),
    "{\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">a\\nb</div>\"}",
};

static void test_round_trip_exact(void **state)
{
    sw_arena *a = *state;
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++) {
        sw_json *v = parse_ok(a, exact[i], strlen(exact[i]));
        assert_writes(v, exact[i]);
    }
}

/* Not minimal: written in the one minimal form, which parses to the same
 * tree. */
static const struct {
    const char *in;
    const char *out;
} normal[] = {
    { " { \"a\" : [ 1 , 2 ] }\n", "{\"a\":[1,2]}" },
    { "\"\\/\"", "\"/\"" },
    { "\"\\u0041\\u00E9\"", "\"A\xc3\xa9\"" },
    { "\"\\u001F\"", "\"\\u001f\"" },
    { "\"\\u0008\\u000C\"", "\"\\b\\f\"" },
    { "\"\\uD83D\\uDE00\"", "\"\xf0\x9f\x98\x80\"" },
    { "\"\\u007f\\u2028\"", "\"\x7f\xe2\x80\xa8\"" },
    { "\xef\xbb\xbf[1]", "[1]" },
};

static void test_round_trip_normalizes(void **state)
{
    sw_arena *a = *state;
    for (size_t i = 0; i < sizeof normal / sizeof *normal; i++) {
        sw_json *v = parse_ok(a, normal[i].in, strlen(normal[i].in));
        assert_writes(v, normal[i].out);
        sw_json *w = parse_ok(a, normal[i].out, strlen(normal[i].out));
        assert_true(sw_json_equal(v, w));
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    sw_buf b = SW_BUF_INIT(64 * 1024 * 1024);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        assert_int_equal(sw_buf_append(&b, chunk, n), SW_OK);
    fclose(f);
    return sw_buf_detach(&b, len);
}

/* A real FHIR document: a Synthea transaction bundle of 613 entries,
 * pretty-printed as Synthea writes it (tests/data/synthea/SOURCES.md). */
static void test_synthea_bundle(void **state)
{
    sw_arena *a = *state;
    const char *data = getenv("STAGEWISE_TEST_DATA");
    char path[4096];
    snprintf(path, sizeof path, "%s/synthea/"
             "Breana975_Harvey63_47e5d1f6-a017-1481-f0a2-49ef0edb3b72.json",
             data ? data : "tests/data");
    size_t n;
    char *text = read_file(path, &n);
    if (text == NULL)
        fail_msg("cannot read %s (STAGEWISE_TEST_DATA)", path);
    assert_int_equal(n, 2093948);

    sw_json *tree = parse_ok(a, text, n);
    assert_string_equal(sw_json_get_string(tree, "resourceType"), "Bundle");
    assert_string_equal(sw_json_get_string(tree, "type"), "transaction");
    sw_json *entry = sw_json_get(tree, "entry");
    assert_int_equal(entry->count, 613);
    sw_json *patient = sw_json_get(entry->items[0], "resource");
    assert_string_equal(sw_json_get_string(patient, "resourceType"), "Patient");
    assert_int_equal(patient->line, 6);

    size_t n1, n2;
    char *c1 = write_str(tree, &n1);               /* compacted */
    assert_true(n1 < n);
    sw_json *t2 = parse_ok(a, c1, n1);
    assert_true(sw_json_equal(tree, t2));          /* parse(write(parse(x))) == parse(x) */
    char *c2 = write_str(t2, &n2);                 /* write(parse(c)) == c */
    assert_int_equal(n2, n1);
    assert_memory_equal(c2, c1, n1);

    /* each resource on its own is a stored resource handed back unchanged */
    sw_buf one = SW_BUF_INIT(16 * 1024 * 1024);
    for (size_t i = 0; i < entry->count; i++) {
        sw_json *r = sw_json_get(entry->items[i], "resource");
        assert_non_null(r);
        sw_buf_reset(&one);
        assert_int_equal(sw_json_write(&one, r), SW_OK);
        sw_json *back = parse_ok(a, one.data, one.len);
        assert_true(sw_json_equal(r, back));
        size_t k;
        char *again = write_str(back, &k);
        assert_int_equal(k, one.len);
        assert_memory_equal(again, one.data, k);
        sw_free(again);
    }
    sw_buf_free(&one);
    sw_free(c1);
    sw_free(c2);
    sw_free(text);
}

/* ---- The buffer ------------------------------------------------------------- */

static void test_write_ceiling(void **state)
{
    sw_arena *a = *state;
    const char doc[] = "{\"a\":[1,2,3],\"b\":\"a string with \\n an escape\"}";
    sw_json *v = parse_ok(a, S(doc));
    size_t full;
    char *out = write_str(v, &full);
    sw_free(out);
    for (size_t max = 0; max <= full + 3; max++) {
        sw_buf b = SW_BUF_INIT(max);
        int rc = SW_OK;
        if (max >= 3)
            assert_int_equal(sw_buf_puts(&b, "xy,"), SW_OK);   /* kept either way */
        size_t before = b.len;
        rc = sw_json_write(&b, v);
        if (before + full <= max) {
            assert_int_equal(rc, SW_OK);
            assert_int_equal(b.len, before + full);
        } else {
            assert_int_equal(rc, SW_ETOOBIG);
            assert_int_equal(b.len, before);
            assert_string_equal(sw_buf_str(&b), before ? "xy," : "");
        }
        sw_buf_free(&b);
    }
}

static void test_write_refuses(void **state)
{
    sw_arena *a = *state;
    sw_buf b = SW_BUF_INIT(1 << 20);
    assert_int_equal(sw_json_write(&b, NULL), SW_EINVAL);

    /* deeper than a parse would accept */
    sw_json *root = sw_json_new_array(a), *v = root;
    for (int i = 1; i < SW_JSON_MAX_DEPTH; i++) {
        sw_json *inner = sw_json_new_array(a);
        assert_int_equal(sw_json_append(a, v, inner), SW_OK);
        v = inner;
    }
    assert_int_equal(sw_json_append(a, v, sw_json_new_int(a, 1)), SW_OK);
    assert_int_equal(sw_json_write(&b, root), SW_OK);           /* at the limit */
    sw_json *clone = sw_json_clone(a, root);
    assert_non_null(clone);
    assert_true(sw_json_equal(root, clone));
    sw_buf_reset(&b);
    sw_json *deeper = sw_json_new_array(a);
    assert_int_equal(sw_json_append(a, v, deeper), SW_OK);
    assert_int_equal(sw_json_write(&b, root), SW_EINVAL);       /* one more */
    assert_int_equal(b.len, 0);
    assert_null(sw_json_clone(a, root));
    assert_false(sw_json_equal(root, clone));

    /* a tree that contains itself */
    sw_json *loop = sw_json_new_object(a);
    assert_int_equal(sw_json_set(a, loop, "self", loop), SW_OK);
    assert_int_equal(sw_json_write(&b, loop), SW_EINVAL);
    assert_null(sw_json_clone(a, loop));
    sw_buf_free(&b);
}

/* ---- Building --------------------------------------------------------------- */

static void test_build(void **state)
{
    sw_arena *a = *state;
    sw_json *o = sw_json_new_object(a);
    assert_int_equal(sw_json_set(a, o, "resourceType", sw_json_new_cstring(a, "OperationOutcome")), SW_OK);
    sw_json *issues = sw_json_new_array(a);
    assert_int_equal(sw_json_set(a, o, "issue", issues), SW_OK);
    for (int i = 0; i < 10; i++) {
        sw_json *issue = sw_json_new_object(a);
        assert_int_equal(sw_json_set(a, issue, "n", sw_json_new_int(a, i)), SW_OK);
        assert_int_equal(sw_json_append(a, issues, issue), SW_OK);
    }
    assert_int_equal(sw_json_set(a, o, "t", sw_json_new_bool(a, true)), SW_OK);
    assert_int_equal(sw_json_set(a, o, "f", sw_json_new_bool(a, false)), SW_OK);
    assert_int_equal(sw_json_set(a, o, "z", sw_json_new_null(a)), SW_OK);
    assert_int_equal(sw_json_set(a, o, "d", sw_json_new_number(a, S("1.50"))), SW_OK);
    assert_int_equal(sw_json_set(a, o, "min", sw_json_new_int(a, INT64_MIN)), SW_OK);
    assert_int_equal(sw_json_set(a, o, "max", sw_json_new_int(a, INT64_MAX)), SW_OK);
    assert_int_equal(sw_json_set(a, o, "nul", sw_json_new_string(a, S("a\0b"))), SW_OK);
    assert_int_equal(sw_json_set(a, o, "k\"\xc3\xa9", sw_json_new_string(a, S(""))), SW_OK);
    assert_writes(o, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"n\":0},{\"n\":1},"
                     "{\"n\":2},{\"n\":3},{\"n\":4},{\"n\":5},{\"n\":6},{\"n\":7},{\"n\":8},"
                     "{\"n\":9}],\"t\":true,\"f\":false,\"z\":null,\"d\":1.50,"
                     "\"min\":-9223372036854775808,\"max\":9223372036854775807,"
                     "\"nul\":\"a\\u0000b\",\"k\\\"\xc3\xa9\":\"\"}");
    sw_json *n = sw_json_get(o, "d");
    assert_int_equal(n->line, 0);
    assert_int_equal(n->column, 0);
    assert_string_equal(n->text.p, "1.50");
    assert_int_equal(sw_json_get(o, "nul")->text.n, 3);

    /* what would make bad JSON is refused */
    assert_null(sw_json_new_number(a, S("01")));
    assert_null(sw_json_new_number(a, S("1.")));
    assert_null(sw_json_new_number(a, S("NaN")));
    assert_null(sw_json_new_number(a, S("")));
    assert_null(sw_json_new_number(a, NULL, 0));
    assert_non_null(sw_json_new_number(a, "2.5 garbage", 3));
    assert_null(sw_json_new_string(a, S("\xc3")));
    assert_null(sw_json_new_string(a, S("\xed\xa0\x80")));
    assert_null(sw_json_new_string(a, NULL, 1));
    assert_null(sw_json_new_cstring(a, NULL));
    assert_non_null(sw_json_new_string(a, NULL, 0));
    assert_int_equal(sw_json_set(a, o, "k", NULL), SW_EINVAL);
    assert_int_equal(sw_json_set(a, o, NULL, sw_json_new_null(a)), SW_EINVAL);
    assert_int_equal(sw_json_set(a, o, "\xff", sw_json_new_null(a)), SW_EINVAL);
    assert_int_equal(sw_json_set(a, issues, "k", sw_json_new_null(a)), SW_EINVAL);
    assert_int_equal(sw_json_set_at(a, issues, 0, "k", sw_json_new_null(a)), SW_EINVAL);
    assert_int_equal(sw_json_append(a, o, sw_json_new_null(a)), SW_EINVAL);
    assert_int_equal(sw_json_append(a, issues, NULL), SW_EINVAL);
    assert_int_equal(sw_json_append(a, NULL, sw_json_new_null(a)), SW_EINVAL);
}

static void test_edit(void **state)
{
    sw_arena *a = *state;
    sw_json *o = parse_ok(a, S("{\"a\":1,\"b\":2,\"c\":3}"));
    sw_json *x = sw_json_new_cstring(a, "x");

    assert_int_equal(sw_json_set(a, o, "b", x), SW_OK);          /* in place */
    assert_writes(o, "{\"a\":1,\"b\":\"x\",\"c\":3}");
    assert_int_equal(sw_json_set(a, o, "d", sw_json_new_int(a, 4)), SW_OK);   /* appended */
    assert_writes(o, "{\"a\":1,\"b\":\"x\",\"c\":3,\"d\":4}");
    assert_int_equal(o->count, 4);
    assert_true(o->cap >= 4);

    /* set_at moves an existing member, in either direction */
    assert_int_equal(sw_json_set_at(a, o, 0, "c", sw_json_new_int(a, 30)), SW_OK);
    assert_writes(o, "{\"c\":30,\"a\":1,\"b\":\"x\",\"d\":4}");
    assert_int_equal(sw_json_set_at(a, o, 2, "c", sw_json_new_int(a, 31)), SW_OK);
    assert_writes(o, "{\"a\":1,\"b\":\"x\",\"c\":31,\"d\":4}");
    assert_int_equal(sw_json_set_at(a, o, 99, "a", sw_json_new_int(a, 10)), SW_OK);
    assert_writes(o, "{\"b\":\"x\",\"c\":31,\"d\":4,\"a\":10}");
    assert_int_equal(sw_json_set_at(a, o, 3, "a", sw_json_new_int(a, 11)), SW_OK);
    assert_writes(o, "{\"b\":\"x\",\"c\":31,\"d\":4,\"a\":11}");
    /* and inserts a new one where asked */
    assert_int_equal(sw_json_set_at(a, o, 1, "id", sw_json_new_cstring(a, "p1")), SW_OK);
    assert_writes(o, "{\"b\":\"x\",\"id\":\"p1\",\"c\":31,\"d\":4,\"a\":11}");
    assert_int_equal(sw_json_set_at(a, o, 0, "resourceType", sw_json_new_cstring(a, "Patient")), SW_OK);
    assert_int_equal(sw_json_set_at(a, o, 100, "z", sw_json_new_null(a)), SW_OK);
    assert_writes(o, "{\"resourceType\":\"Patient\",\"b\":\"x\",\"id\":\"p1\",\"c\":31,\"d\":4,\"a\":11,\"z\":null}");

    assert_true(sw_json_remove(o, "c"));
    assert_false(sw_json_remove(o, "c"));
    assert_true(sw_json_remove(o, "resourceType"));
    assert_true(sw_json_remove(o, "z"));
    assert_writes(o, "{\"b\":\"x\",\"id\":\"p1\",\"d\":4,\"a\":11}");
    assert_false(sw_json_remove(NULL, "a"));
    assert_false(sw_json_remove(x, "a"));
    assert_false(sw_json_remove(o, NULL));
    while (o->count > 0)
        assert_true(sw_json_remove(o, o->members[0].key.p));
    assert_writes(o, "{}");
    assert_int_equal(sw_json_set_at(a, o, 5, "only", sw_json_new_null(a)), SW_OK);
    assert_writes(o, "{\"only\":null}");

    /* a parsed array has no spare room; appending grows it */
    sw_json *arr = parse_ok(a, S("[1,2]"));
    assert_int_equal(arr->cap, 2);
    for (int i = 3; i <= 20; i++)
        assert_int_equal(sw_json_append(a, arr, sw_json_new_int(a, i)), SW_OK);
    assert_int_equal(arr->count, 20);
    assert_writes(arr, "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]");
    sw_json *empty = parse_ok(a, S("[]"));
    assert_int_equal(sw_json_append(a, empty, sw_json_new_null(a)), SW_OK);
    assert_writes(empty, "[null]");

    /* a FHIR update: meta set in place, the rest untouched */
    sw_json *res = parse_ok(a, S("{\"resourceType\":\"Patient\",\"id\":\"p\",\"meta\":{\"versionId\":\"1\"},\"active\":true}"));
    sw_json *meta = sw_json_get(res, "meta");
    assert_int_equal(sw_json_set(a, meta, "versionId", sw_json_new_cstring(a, "2")), SW_OK);
    assert_int_equal(sw_json_set(a, meta, "lastUpdated", sw_json_new_cstring(a, "2024-01-01T00:00:00Z")), SW_OK);
    assert_writes(res, "{\"resourceType\":\"Patient\",\"id\":\"p\",\"meta\":{\"versionId\":\"2\","
                       "\"lastUpdated\":\"2024-01-01T00:00:00Z\"},\"active\":true}");
}

static void test_clone(void **state)
{
    sw_arena *a = *state;
    const char doc[] = "{\"a\":[1,\"x\\u0000y\",{\"b\":null,\"c\":true}],\"d\":-0.0,\"\":{}}";
    sw_arena *src = sw_arena_create(0);
    sw_json *v = parse_ok(src, S(doc));
    sw_json *c = sw_json_clone(a, v);
    assert_non_null(c);
    assert_true(sw_json_equal(v, c));
    assert_int_equal(c->line, 1);
    /* independent of the original and of its arena */
    assert_int_equal(sw_json_set(a, c, "e", sw_json_new_int(a, 5)), SW_OK);
    assert_false(sw_json_equal(v, c));
    assert_int_equal(v->count, 3);
    sw_arena_destroy(src);
    assert_writes(c, "{\"a\":[1,\"x\\u0000y\",{\"b\":null,\"c\":true}],\"d\":-0.0,\"\":{},\"e\":5}");
    assert_null(sw_json_clone(a, NULL));
}

static void test_equal(void **state)
{
    sw_arena *a = *state;
    static const struct {
        const char *x, *y;
        bool        eq;
    } cases[] = {
        { "null", " null ", true },
        { "1", "1", true },
        { "1", "1.0", false },
        { "0", "-0", false },
        { "1e2", "1E2", false },
        { "\"a\"", "\"\\u0061\"", true },
        { "\"a\"", "\"a \"", false },
        { "\"a\\u0000\"", "\"a\"", false },
        { "true", "false", false },
        { "true", "1", false },
        { "[]", "{}", false },
        { "[1,2]", "[1,2]", true },
        { "[1,2]", "[2,1]", false },
        { "[1,2]", "[1,2,3]", false },
        { "{\"a\":1,\"b\":2}", "{\"a\":1,\"b\":2}", true },
        { "{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}", false },
        { "{\"a\":1}", "{\"a\":1,\"b\":2}", false },
        { "{\"a\":1}", "{\"A\":1}", false },
        { "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[{\"b\":\"c\"}]}", true },
        { "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[{\"b\":\"d\"}]}", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sw_json *x = parse_ok(a, cases[i].x, strlen(cases[i].x));
        sw_json *y = parse_ok(a, cases[i].y, strlen(cases[i].y));
        assert_int_equal(sw_json_equal(x, y), cases[i].eq);
        assert_int_equal(sw_json_equal(y, x), cases[i].eq);
        assert_true(sw_json_equal(x, x));
    }
    assert_true(sw_json_equal(NULL, NULL));
    assert_false(sw_json_equal(NULL, sw_json_new_null(a)));
}

/* ---- The streaming writer ------------------------------------------------------ */

static void test_jw_document(void **state)
{
    sw_arena *a = *state;
    sw_buf b = SW_BUF_INIT(1 << 20);
    sw_jw w;
    sw_jw_init(&w, &b);
    const char stored[] = "{\"resourceType\":\"Patient\",\"id\":\"p1\"}";
    sw_json *tree = parse_ok(a, S("{\"resourceType\":\"Patient\",\"id\":\"p2\"}"));

    sw_jw_object_begin(&w);
    sw_jw_key(&w, "resourceType");
    sw_jw_string(&w, "Bundle");
    sw_jw_key(&w, "total");
    sw_jw_int(&w, 2);
    sw_jw_key(&w, "entry");
    sw_jw_array_begin(&w);
      sw_jw_object_begin(&w);
      sw_jw_key(&w, "resource");
      sw_jw_raw(&w, S(stored));
      sw_jw_object_end(&w);
      sw_jw_object_begin(&w);
      sw_jw_key(&w, "resource");
      sw_jw_value(&w, tree);
      sw_jw_key(&w, "search");
      sw_jw_object_begin(&w);
      sw_jw_key(&w, "score");
      sw_jw_number(&w, "0.50");
      sw_jw_object_end(&w);
      sw_jw_object_end(&w);
    sw_jw_array_end(&w);
    sw_jw_key(&w, "empty");
    sw_jw_array_begin(&w);
    sw_jw_array_end(&w);
    sw_jw_key(&w, "nested");
    sw_jw_array_begin(&w);
      sw_jw_array_begin(&w);
      sw_jw_null(&w);
      sw_jw_bool(&w, true);
      sw_jw_bool(&w, false);
      sw_jw_array_end(&w);
      sw_jw_object_begin(&w);
      sw_jw_object_end(&w);
      sw_jw_int(&w, INT64_MIN);
      sw_jw_string(&w, NULL);
      sw_jw_string_n(&w, "a\0b", 3);
    sw_jw_array_end(&w);
    sw_jw_key(&w, "esc\"aped\n");
    sw_jw_string(&w, "line\nbreak \"quoted\" \\ / \x01 \xc3\xa9");
    sw_jw_object_end(&w);
    assert_int_equal(sw_jw_finish(&w), SW_OK);
    const char *want =
        "{\"resourceType\":\"Bundle\",\"total\":2,\"entry\":["
        "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p1\"}},"
        "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p2\"},\"search\":{\"score\":0.50}}],"
        "\"empty\":[],\"nested\":[[null,true,false],{},-9223372036854775808,null,\"a\\u0000b\"],"
        "\"esc\\\"aped\\n\":\"line\\nbreak \\\"quoted\\\" \\\\ / \\u0001 \xc3\xa9\"}";
    assert_string_equal(sw_buf_str(&b), want);
    sw_json *back = parse_ok(a, b.data, b.len);
    assert_int_equal(sw_json_get(back, "entry")->count, 2);

    /* a top-level scalar is a document too */
    sw_buf_reset(&b);
    sw_jw_init(&w, &b);
    sw_jw_string(&w, "just this");
    assert_int_equal(sw_jw_finish(&w), SW_OK);
    assert_string_equal(sw_buf_str(&b), "\"just this\"");
    sw_buf_free(&b);
}

/* Misuse, as a program of calls; every one ends in SW_EINTERNAL. */
enum { OB = 1, OE, AB, AE, KEY, STR, INT, RAW, BADNUM, VAL_NULL, DEEP, FIN = 0 };

static void run_ops(sw_jw *w, const int *ops)
{
    for (; *ops != FIN; ops++) {
        switch (*ops) {
        case OB: sw_jw_object_begin(w); break;
        case OE: sw_jw_object_end(w); break;
        case AB: sw_jw_array_begin(w); break;
        case AE: sw_jw_array_end(w); break;
        case KEY: sw_jw_key(w, "k"); break;
        case STR: sw_jw_string(w, "s"); break;
        case INT: sw_jw_int(w, 1); break;
        case RAW: sw_jw_raw(w, NULL, 0); break;
        case BADNUM: sw_jw_number(w, "01"); break;
        case VAL_NULL: sw_jw_value(w, NULL); break;
        case DEEP:
            for (int i = 0; i < 64; i++)
                sw_jw_array_begin(w);
            break;
        }
    }
}

static void test_jw_misuse(void **state)
{
    (void)state;
    static const int programs[][8] = {
        { FIN },                          /* nothing written */
        { OB, FIN },                      /* not closed */
        { AB, AB, AE, FIN },
        { OE, FIN },                      /* end without begin */
        { AB, AE, AE, FIN },
        { OB, AE, FIN },                  /* mismatched end */
        { AB, OE, FIN },
        { OB, STR, OE, FIN },             /* value without key */
        { OB, KEY, KEY, FIN },            /* key after key */
        { OB, KEY, OE, FIN },             /* key without value */
        { OB, KEY, FIN },
        { AB, KEY, FIN },                 /* key in an array */
        { KEY, FIN },                     /* key at the top */
        { STR, STR, FIN },                /* two top-level values */
        { OB, OE, AB, AE, FIN },
        { AB, RAW, AE, FIN },
        { AB, BADNUM, AE, FIN },
        { AB, VAL_NULL, AE, FIN },
        { DEEP, FIN },                    /* deeper than 63 */
    };
    for (size_t i = 0; i < sizeof programs / sizeof *programs; i++) {
        sw_buf b = SW_BUF_INIT(4096);
        sw_jw w;
        sw_jw_init(&w, &b);
        run_ops(&w, programs[i]);
        if (sw_jw_finish(&w) != SW_EINTERNAL)
            print_error("program %zu: %s\n", i, sw_buf_str(&b));
        assert_int_equal(sw_jw_finish(&w), SW_EINTERNAL);
        /* and it sticks: nothing more is written */
        size_t len = b.len;
        sw_jw_array_begin(&w);
        sw_jw_int(&w, 5);
        sw_jw_array_end(&w);
        assert_int_equal(b.len, len);
        assert_int_equal(sw_jw_finish(&w), SW_EINTERNAL);
        sw_buf_free(&b);
    }
    /* 63 levels are fine */
    sw_buf b = SW_BUF_INIT(4096);
    sw_jw w;
    sw_jw_init(&w, &b);
    for (int i = 0; i < 63; i++)
        sw_jw_array_begin(&w);
    for (int i = 0; i < 63; i++)
        sw_jw_array_end(&w);
    assert_int_equal(sw_jw_finish(&w), SW_OK);
    assert_int_equal(b.len, 126);
    sw_buf_free(&b);
}

static void test_jw_sticky_ceiling(void **state)
{
    (void)state;
    sw_buf b = SW_BUF_INIT(20);
    sw_jw w;
    sw_jw_init(&w, &b);
    sw_jw_array_begin(&w);
    sw_jw_string(&w, "0123456789");
    assert_int_equal(b.len, 13);
    sw_jw_string(&w, "this one does not fit");
    size_t len = b.len;
    sw_jw_int(&w, 1);
    sw_jw_array_end(&w);
    assert_int_equal(b.len, len);
    assert_int_equal(sw_jw_finish(&w), SW_ETOOBIG);
    assert_int_equal(sw_jw_finish(&w), SW_ETOOBIG);
    sw_buf_free(&b);

    /* a key that does not fit leaves no comma behind */
    sw_buf c = SW_BUF_INIT(12);
    sw_jw_init(&w, &c);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "a");
    sw_jw_int(&w, 1);
    sw_jw_key(&w, "much too long");
    assert_string_equal(sw_buf_str(&c), "{\"a\":1");
    assert_int_equal(sw_jw_finish(&w), SW_ETOOBIG);
    sw_buf_free(&c);

    /* brackets that do not fit */
    sw_buf d = SW_BUF_INIT(0);
    sw_jw_init(&w, &d);
    sw_jw_object_begin(&w);
    assert_int_equal(sw_jw_finish(&w), SW_ETOOBIG);
    sw_buf_free(&d);
    sw_buf e = SW_BUF_INIT(1);
    sw_jw_init(&w, &e);
    sw_jw_array_begin(&w);
    sw_jw_array_end(&w);
    assert_string_equal(sw_buf_str(&e), "[");
    assert_int_equal(sw_jw_finish(&w), SW_ETOOBIG);
    sw_buf_free(&e);

    /* a NULL string: null when empty, misuse otherwise */
    sw_buf f = SW_BUF_INIT(64);
    sw_jw_init(&w, &f);
    sw_jw_array_begin(&w);
    sw_jw_string_n(&w, NULL, 0);
    sw_jw_array_end(&w);
    assert_int_equal(sw_jw_finish(&w), SW_OK);
    assert_string_equal(sw_buf_str(&f), "[null]");
    sw_buf_reset(&f);
    sw_jw_init(&w, &f);
    sw_jw_string_n(&w, NULL, 3);
    assert_int_equal(sw_jw_finish(&w), SW_EINTERNAL);
    sw_buf_free(&f);
}

/* ---- Allocation failure --------------------------------------------------------- */

/* A document that takes every allocation path of the parser: node chunks,
 * arrays and member arrays, scratch stacks past their built-in room, and the
 * sorted duplicate check of a large object. */
static char *alloc_doc(size_t *len)
{
    sw_buf b = SW_BUF_INIT(1 << 20);
    sw_buf_puts(&b, "{\"list\":[");
    for (int i = 0; i < 300; i++)
        sw_buf_printf(&b, "%s[%d,\"s\\n%d\"]", i ? "," : "", i, i);
    sw_buf_puts(&b, "],\"big\":{");
    for (int i = 0; i < 150; i++)
        sw_buf_printf(&b, "%s\"m%d\":{\"v\":%d.5}", i ? "," : "", i, i);
    sw_buf_puts(&b, "},\"text\":\"M\xc3\xbcller\",\"flags\":[true,false,null]}");
    return sw_buf_detach(&b, len);
}

static void test_parse_alloc_failure(void **state)
{
    (void)state;
    size_t len;
    char *doc = alloc_doc(&len);
    sw_failalloc_install();
    long n;
    for (n = 1; n < 100000; n++) {
        sw_failalloc_fail_at(n);
        sw_arena *a = sw_arena_create(0);
        if (a != NULL) {
            sw_json *v = (sw_json *)&v;
            sw_err err = { 0 };
            int rc = sw_json_parse(a, doc, len, &v, &err);
            if (rc == SW_OK) {
                assert_false(sw_failalloc_failed());
                assert_int_equal(v->count, 4);
                sw_arena_destroy(a);
                break;
            }
            assert_int_equal(rc, SW_ENOMEM);
            assert_int_equal(err.code, SW_ENOMEM);
            assert_null(v);
            sw_arena_destroy(a);
        }
        assert_true(sw_failalloc_failed());
        assert_int_equal(sw_failalloc_live(), 0);
    }
    sw_failalloc_fail_at(0);
    assert_true(n > 3);                 /* the loop did fail several points */
    assert_int_equal(sw_failalloc_live(), 0);
    sw_failalloc_uninstall();
    sw_free(doc);
}

static void test_write_alloc_failure(void **state)
{
    (void)state;
    size_t len;
    char *doc = alloc_doc(&len);
    sw_failalloc_install();
    sw_arena *a = sw_arena_create(0);
    sw_json *v;
    assert_int_equal(sw_json_parse(a, doc, len, &v, NULL), SW_OK);
    long base = sw_failalloc_live();
    long n;
    for (n = 1; n < 1000; n++) {
        sw_buf b = SW_BUF_INIT(1 << 20);
        assert_int_equal(sw_buf_puts(&b, "x"), SW_OK);   /* kept on failure */
        sw_failalloc_fail_at(n);
        int rc = sw_json_write(&b, v);
        bool failed = sw_failalloc_failed();
        sw_failalloc_fail_at(0);
        if (rc == SW_OK) {
            assert_false(failed);
            sw_json *back;
            assert_int_equal(sw_json_parse(a, b.data + 1, b.len - 1, &back, NULL), SW_OK);
            assert_true(sw_json_equal(v, back));
            sw_buf_free(&b);
            break;
        }
        assert_true(failed);
        assert_int_equal(rc, SW_ENOMEM);
        assert_string_equal(sw_buf_str(&b), "x");
        sw_buf_free(&b);
        assert_int_equal(sw_failalloc_live(), base);
    }
    assert_true(n > 1);
    base = sw_failalloc_live();       /* the check parse above used the arena */

    /* clone into a fresh arena */
    for (n = 1; n < 100000; n++) {
        sw_failalloc_fail_at(n);
        sw_arena *c = sw_arena_create(0);
        sw_json *copy = c ? sw_json_clone(c, v) : NULL;
        bool failed = sw_failalloc_failed();
        sw_failalloc_fail_at(0);
        if (copy != NULL) {
            assert_false(failed);
            assert_true(sw_json_equal(v, copy));
            sw_arena_destroy(c);
            break;
        }
        assert_true(failed);
        sw_arena_destroy(c);
        assert_int_equal(sw_failalloc_live(), base);
    }

    /* the streaming writer */
    for (n = 1; n < 1000; n++) {
        sw_buf b = SW_BUF_INIT(1 << 20);
        sw_jw w;
        sw_jw_init(&w, &b);
        sw_failalloc_fail_at(n);
        sw_jw_object_begin(&w);
        sw_jw_key(&w, "doc");
        sw_jw_value(&w, v);
        sw_jw_key(&w, "raw");
        sw_jw_raw(&w, doc, len);
        sw_jw_object_end(&w);
        int rc = sw_jw_finish(&w);
        bool failed = sw_failalloc_failed();
        sw_failalloc_fail_at(0);
        sw_buf_free(&b);
        assert_int_equal(sw_failalloc_live(), base);
        if (rc == SW_OK) {
            assert_false(failed);
            break;
        }
        assert_true(failed);
        assert_int_equal(rc, SW_ENOMEM);
    }
    sw_arena_destroy(a);
    assert_int_equal(sw_failalloc_live(), 0);
    sw_failalloc_uninstall();
    sw_free(doc);
}

/* Building and editing in an arena whose blocks can fail: every failure is
 * a clean SW_ENOMEM or NULL, and the arena frees everything. */
static int build_some(sw_arena *a)
{
    sw_json *o = sw_json_new_object(a);
    sw_json *arr = sw_json_new_array(a);
    if (o == NULL || arr == NULL)
        return SW_ENOMEM;
    int rc;
    for (int i = 0; i < 40; i++) {
        char key[16];
        snprintf(key, sizeof key, "key%d", i);
        sw_json *s = sw_json_new_cstring(a, "a string value of some length");
        sw_json *n = sw_json_new_int(a, i);
        if (s == NULL || n == NULL)
            return SW_ENOMEM;
        if ((rc = sw_json_set(a, o, key, s)) != SW_OK
            || (rc = sw_json_set_at(a, o, 0, "first", n)) != SW_OK
            || (rc = sw_json_append(a, arr, n)) != SW_OK)
            return rc;
    }
    if ((rc = sw_json_set(a, o, "list", arr)) != SW_OK)
        return rc;
    return sw_json_clone(a, o) ? SW_OK : SW_ENOMEM;
}

static void test_build_alloc_failure(void **state)
{
    (void)state;
    sw_failalloc_install();
    long n;
    for (n = 1; n < 100000; n++) {
        sw_failalloc_fail_at(n);
        sw_arena *a = sw_arena_create(0);
        int rc = a ? build_some(a) : SW_ENOMEM;
        bool failed = sw_failalloc_failed();
        sw_failalloc_fail_at(0);
        sw_arena_destroy(a);
        assert_int_equal(sw_failalloc_live(), 0);
        if (rc == SW_OK) {
            assert_false(failed);
            break;
        }
        assert_true(failed);
        assert_int_equal(rc, SW_ENOMEM);
    }
    assert_true(n > 3);
    sw_failalloc_uninstall();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_escapes, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_round_trip_exact, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_round_trip_normalizes, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_synthea_bundle, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_write_ceiling, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_write_refuses, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_build, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_edit, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_clone, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_equal, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_jw_document, setup_arena, teardown_arena),
        cmocka_unit_test(test_jw_misuse),
        cmocka_unit_test(test_jw_sticky_ceiling),
        cmocka_unit_test_teardown(test_parse_alloc_failure, teardown_allocator),
        cmocka_unit_test_teardown(test_write_alloc_failure, teardown_allocator),
        cmocka_unit_test_teardown(test_build_alloc_failure, teardown_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
