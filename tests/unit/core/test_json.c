/* test_json.c - parsing with core/json.h (src/core/json.c).
 *
 * The FHIR layer trusts what sw_json_parse accepts: strict RFC 8259, valid
 * UTF-8, no duplicate members, bounded depth, numbers kept as written. The
 * tables here are the contract in examples: valid documents and their
 * compact form, invalid ones with the line and column the error must name,
 * number lexemes, string escapes and UTF-8, duplicates (also spelled
 * differently), nesting at and past the limit, and the byte-order mark.
 * Writing, editing and the streaming writer are test_json_write.c. */
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

static sw_json *parse_ok(sw_arena *a, const char *s, size_t n)
{
    sw_json *v = NULL;
    sw_err err = { 0 };
    int rc = sw_json_parse(a, s, n, &v, &err);
    if (rc != SW_OK)
        print_error("parse refused %.60s: %s\n", s, err.msg);
    assert_int_equal(rc, SW_OK);
    assert_non_null(v);
    return v;
}

/* The compact text of v. */
static char *write_str(const sw_json *v, size_t *len)
{
    sw_buf b = SW_BUF_INIT(64 * 1024 * 1024);
    assert_int_equal(sw_json_write(&b, v), SW_OK);
    return sw_buf_detach(&b, len);
}

/* ---- Valid documents ----------------------------------------------------- */

static const struct {
    const char *in;
    size_t      n;
    const char *compact;
} valid[] = {
    { S("null"), "null" },
    { S("true"), "true" },
    { S("false"), "false" },
    { S("0"), "0" },
    { S("\"\""), "\"\"" },
    { S("[]"), "[]" },
    { S("{}"), "{}" },
    { S(" \t\r\n[ 1 , 2 ]\n "), "[1,2]" },
    { S("[ ]"), "[]" },
    { S("{ }"), "{}" },
    { S("[[],{},[[]],{\"a\":{}}]"), "[[],{},[[]],{\"a\":{}}]" },
    { S("{\"a\":[1,{\"b\":null}],\"c\":\"d\"}"), "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}" },
    { S("[true,false,null]"), "[true,false,null]" },
    { S("[1,-1,0.5,1e5,1E+5,1e-5]"), "[1,-1,0.5,1e5,1E+5,1e-5]" },
    { S("{\"\":\"\"}"), "{\"\":\"\"}" },
    { S("\"\\/\""), "\"/\"" },
    { S("\"\\u0041\\u00e9\\u20AC\""), "\"A\xc3\xa9\xe2\x82\xac\"" },
    { S("\"\\u001F\\u007f\""), "\"\\u001f\x7f\"" },
    { S("\"\\b\\f\\n\\r\\t\\\"\\\\\""), "\"\\b\\f\\n\\r\\t\\\"\\\\\"" },
    { S("{\n  \"resourceType\": \"Patient\",\n  \"id\": \"p1\",\n"
        "  \"active\": true,\n  \"name\": [ {\n    \"family\": \"M\xc3\xbcller\",\n"
        "    \"given\": [ \"J\xc3\xb6rg\", \"\xe5\xb1\xb1\xe7\x94\xb0\" ]\n  } ],\n"
        "  \"multipleBirthInteger\": 2\n}\n"),
      "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"active\":true,\"name\":"
      "[{\"family\":\"M\xc3\xbcller\",\"given\":[\"J\xc3\xb6rg\",\""
      "\xe5\xb1\xb1\xe7\x94\xb0\"]}],\"multipleBirthInteger\":2}" },
    { S("{\"valueQuantity\":{\"value\":1.50,\"unit\":\"mg\"}}"),
      "{\"valueQuantity\":{\"value\":1.50,\"unit\":\"mg\"}}" },
    { S("\"\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\""), "\"\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"" },
    { S("\"a long string without escapes that crosses several words\""),
      "\"a long string without escapes that crosses several words\"" },
    { S("\"0123456\\n89abcdef0123456789\\tabcdef\""), "\"0123456\\n89abcdef0123456789\\tabcdef\"" },
    { S("\xef\xbb\xbf{\"bom\":1}"), "{\"bom\":1}" },
    { S("1 "), "1" },
    { S("1\n"), "1" },
    { S("[1\n,2\t]"), "[1,2]" },
    { S("{\"a\":1\n}"), "{\"a\":1}" },
};

static void test_valid_documents(void **state)
{
    sw_arena *a = *state;
    for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
        sw_json *v = parse_ok(a, valid[i].in, valid[i].n);
        size_t len;
        char *out = write_str(v, &len);
        if (strcmp(out, valid[i].compact) != 0)
            print_error("case %zu: got %s\n", i, out);
        assert_string_equal(out, valid[i].compact);
        assert_int_equal(len, strlen(valid[i].compact));
        sw_free(out);
    }
}

static void test_kinds_and_positions(void **state)
{
    sw_arena *a = *state;
    const char doc[] = "{\n  \"s\": \"x\",\n  \"n\": -2.5,\n"
                       "  \"b\": [true, false, null],\n  \"o\": {}\n}";
    sw_json *v = parse_ok(a, S(doc));
    assert_int_equal(v->kind, SW_JSON_OBJECT);
    assert_int_equal(v->line, 1);
    assert_int_equal(v->column, 1);
    assert_int_equal(v->count, 4);
    assert_int_equal(v->cap, 4);

    sw_json *s = sw_json_get(v, "s");
    assert_int_equal(s->kind, SW_JSON_STRING);
    assert_string_equal(s->text.p, "x");
    assert_int_equal(s->line, 2);
    assert_int_equal(s->column, 8);

    sw_json *n = sw_json_get(v, "n");
    assert_int_equal(n->kind, SW_JSON_NUMBER);
    assert_int_equal(n->text.n, 4);
    assert_string_equal(n->text.p, "-2.5");       /* NUL-terminated lexeme */
    assert_int_equal(n->line, 3);
    assert_int_equal(n->column, 8);

    sw_json *b = sw_json_get(v, "b");
    assert_int_equal(b->kind, SW_JSON_ARRAY);
    assert_int_equal(b->count, 3);
    assert_int_equal(b->line, 4);
    assert_int_equal(b->column, 8);
    assert_int_equal(b->items[0]->kind, SW_JSON_BOOL);
    assert_true(b->items[0]->boolean);
    assert_int_equal(b->items[1]->kind, SW_JSON_BOOL);
    assert_false(b->items[1]->boolean);
    assert_int_equal(b->items[2]->kind, SW_JSON_NULL);
    assert_int_equal(b->items[2]->column, 22);

    sw_json *o = sw_json_get(v, "o");
    assert_int_equal(o->kind, SW_JSON_OBJECT);
    assert_int_equal(o->count, 0);
    assert_null(sw_json_get(v, "missing"));
    assert_null(sw_json_get(b, "s"));             /* not an object */
    assert_null(sw_json_get(NULL, "s"));
    assert_string_equal(sw_json_get_string(v, "s"), "x");
    assert_null(sw_json_get_string(v, "n"));       /* not a string */
    assert_null(sw_json_get_string(v, "missing"));

    /* columns count characters: the value after "éé" is at column 9 */
    sw_json *u = parse_ok(a, S("{\"\xc3\xa9\xc3\xa9\":  1}"));
    assert_int_equal(u->members[0].value->column, 9);
    sw_json *bom = parse_ok(a, S("\xef\xbb\xbf[7]"));
    assert_int_equal(bom->column, 1);
    assert_int_equal(bom->items[0]->column, 2);
}

static void test_member_order(void **state)
{
    sw_arena *a = *state;
    sw_json *v = parse_ok(a, S("{\"z\":1,\"a\":2,\"m\":3,\"b\":4}"));
    const char *want[] = { "z", "a", "m", "b" };
    assert_int_equal(v->count, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(v->members[i].key.n, 1);
        assert_string_equal(v->members[i].key.p, want[i]);
    }
}

static void test_input_not_modified(void **state)
{
    sw_arena *a = *state;
    /* numbers and strings are terminated in the parser's copy, not here */
    char doc[] = "{\"a\":\"b\\n\",\"c\":[1,2.5],\"d\":\"e\"}";
    char before[sizeof doc];
    memcpy(before, doc, sizeof doc);
    sw_json *v = parse_ok(a, doc, sizeof doc - 1);
    assert_memory_equal(doc, before, sizeof doc);
    assert_string_equal(sw_json_get_string(v, "a"), "b\n");
    sw_json *c = sw_json_get(v, "c");
    assert_string_equal(c->items[0]->text.p, "1");
    assert_string_equal(c->items[1]->text.p, "2.5");
    /* the input need not be NUL-terminated: only n bytes are read */
    sw_json *w = parse_ok(a, "[12]34", 4);
    assert_string_equal(w->items[0]->text.p, "12");
}

/* ---- Invalid documents and where they fail -------------------------------- */

static const struct {
    const char *in;
    size_t      n;
    unsigned    line, column;
} invalid[] = {
    { S(""), 1, 1 },
    { S("   "), 1, 4 },
    { S("\n\n"), 3, 1 },
    { S("\xef\xbb\xbf"), 1, 1 },
    { S("\xef\xbb\xbf\xef\xbb\xbf{}"), 1, 1 },
    { S("[1,]"), 1, 4 },
    { S("{\"a\":1,}"), 1, 8 },
    { S("[1 2]"), 1, 4 },
    { S("{\"a\" 1}"), 1, 6 },
    { S("{\"a\":1 \"b\":2}"), 1, 8 },
    { S("{a:1}"), 1, 2 },
    { S("{'a':1}"), 1, 2 },
    { S("['a']"), 1, 2 },
    { S("[\"a\":1]"), 1, 5 },
    { S("{\"a\":1:}"), 1, 7 },
    { S("{,}"), 1, 2 },
    { S("[,1]"), 1, 2 },
    { S("[1] x"), 1, 5 },
    { S("[1]]"), 1, 4 },
    { S("{}{}"), 1, 3 },
    { S("1 2"), 1, 3 },
    { S("["), 1, 2 },
    { S("{"), 1, 2 },
    { S("{\"a\":"), 1, 6 },
    { S("{\"a\":1"), 1, 7 },
    { S("[1,\n  2,\n  3,,]"), 3, 5 },
    { S("[1,\r\n2,\r\nx]"), 3, 1 },
    { S("/* c */ 1"), 1, 1 },
    { S("// c\n1"), 1, 1 },
    { S("[1] // c"), 1, 5 },
    { S("nul"), 1, 1 },
    { S("fals"), 1, 1 },
    { S("[true,fa]"), 1, 7 },
    { S("tru e"), 1, 1 },
    { S("truex"), 1, 5 },
    { S("True"), 1, 1 },
    { S("undefined"), 1, 1 },
    { S("[1]\0"), 1, 4 },
    { S("\0"), 1, 1 },
    { S("\xc3\xa9"), 1, 1 },
    /* numbers */
    { S("01"), 1, 2 },
    { S("-01"), 1, 3 },
    { S("00"), 1, 2 },
    { S("1."), 1, 3 },
    { S("[1.]"), 1, 4 },
    { S(".5"), 1, 1 },
    { S("+1"), 1, 1 },
    { S("1e"), 1, 3 },
    { S("1e+"), 1, 4 },
    { S("1.5e"), 1, 5 },
    { S("1.2.3"), 1, 4 },
    { S("0x10"), 1, 2 },
    { S("NaN"), 1, 1 },
    { S("Infinity"), 1, 1 },
    { S("-Infinity"), 1, 2 },
    { S("-"), 1, 2 },
    { S("[-]"), 1, 3 },
    { S("- 1"), 1, 2 },
    { S("1e5e5"), 1, 4 },
    { S("[1,2e]"), 1, 6 },
    /* strings */
    { S("\"abc"), 1, 1 },
    { S("[\n \"abc"), 2, 2 },
    { S("\"abc\\"), 1, 5 },
    { S("\"a\nb\""), 1, 3 },
    { S("\"a\tb\""), 1, 3 },
    { S("\"a\x01" "b\""), 1, 3 },
    { S("\"a\0b\""), 1, 3 },
    { S("\"\x1f\""), 1, 2 },
    { S("\"\\x\""), 1, 2 },
    { S("\"\\'\""), 1, 2 },
    { S("\"\\U0041\""), 1, 2 },
    { S("\"\\u12\""), 1, 2 },
    { S("\"\\u12G4\""), 1, 2 },
    { S("\"\\u"), 1, 2 },
    { S("\"\\ud800\""), 1, 2 },
    { S("\"\\udc00\""), 1, 2 },
    { S("\"\\udfff\\ud800\""), 1, 2 },
    { S("\"\\ud800\\u0041\""), 1, 2 },
    { S("\"\\ud800\\ud800\""), 1, 2 },
    { S("\"\\ud800\\n\""), 1, 2 },
    { S("\"ab\\ud83d\""), 1, 4 },
    { S("\"\xc3\xa9\\ud83d x\""), 1, 3 },
    { S("\"\\n\x01\""), 1, 4 },
    { S("\"\\n abc"), 1, 1 },
    { S("\"\\n\xc3\x28\""), 1, 4 },
    { S("{\"\x01\":1}"), 1, 3 },
    { S("{\"a\\q\":1}"), 1, 4 },
    { S("{\"a"), 1, 2 },
    /* UTF-8 */
    { S("\"\xc3\""), 1, 2 },
    { S("\"\xe2\x82\""), 1, 2 },
    { S("\"\xf0\x9f\x98\""), 1, 2 },
    { S("\"\x80\""), 1, 2 },
    { S("\"\xbf\""), 1, 2 },
    { S("\"\xc0\x80\""), 1, 2 },
    { S("\"\xc1\xbf\""), 1, 2 },
    { S("\"\xe0\x80\xaf\""), 1, 2 },
    { S("\"\xe0\x9f\xbf\""), 1, 2 },
    { S("\"\xf0\x80\x80\x80\""), 1, 2 },
    { S("\"\xf0\x8f\xbf\xbf\""), 1, 2 },
    { S("\"\xed\xa0\x80\""), 1, 2 },
    { S("\"\xed\xbf\xbf\""), 1, 2 },
    { S("\"\xed\xa0\xbd\xed\xb2\xa9\""), 1, 2 },
    { S("\"\xf4\x90\x80\x80\""), 1, 2 },
    { S("\"\xf5\x80\x80\x80\""), 1, 2 },
    { S("\"\xf8\x88\x80\x80\x80\""), 1, 2 },
    { S("\"\xfe\""), 1, 2 },
    { S("\"\xff\""), 1, 2 },
    { S("\"\xc3\xa9\xff\""), 1, 3 },
    { S("\"\xe5\xb1\xb1\xe7\x94\xb0\\q\""), 1, 4 },
    { S("[\"\xc3\xa9\",\n\"ok\", \"\xc3\xa9\xc3\""), 2, 9 },
    { S("\"0123456789\xc3\""), 1, 12 },
    { S("\"0123456789\\n\xc3\""), 1, 14 },
    { S("{\"\xc3\xa9\xc3\xa9\":1,\"a\"\xc3\xa9}"), 1, 12 },
    /* duplicates: the second occurrence is named */
    { S("{\"a\":1,\"a\":2}"), 1, 8 },
    { S("{\"a\":1,\"\\u0061\":2}"), 1, 8 },
    { S("{\"\":1,\"\":2}"), 1, 7 },
    { S("{\"\xc3\xa9\":1,\n \"\\u00e9\":2}"), 2, 2 },
    { S("{\"a\":{\"b\":1,\"b\":2}}"), 1, 13 },
    { S("{\"x\\u0000\":1,\"x\\u0000\":2}"), 1, 14 },
};

static void test_invalid_documents(void **state)
{
    sw_arena *a = *state;
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
        sw_json *v = (sw_json *)&v;      /* must be reset to NULL */
        sw_err err = { 0 };
        int rc = sw_json_parse(a, invalid[i].in, invalid[i].n, &v, &err);
        char want[64];
        snprintf(want, sizeof want, " at line %u, column %u", invalid[i].line,
                 invalid[i].column);
        if (rc != SW_EBADREQUEST || strstr(err.msg, want) == NULL)
            print_error("case %zu (%.20s): rc %d, \"%s\", want \"%s\"\n", i,
                        invalid[i].in, rc, err.msg, want);
        assert_int_equal(rc, SW_EBADREQUEST);
        assert_int_equal(err.code, SW_EBADREQUEST);
        assert_null(v);
        assert_non_null(strstr(err.msg, want));
    }
}

/* Messages name what is wrong in one sentence and show at most a character
 * of the input: bodies are patient data. */
static void test_messages(void **state)
{
    sw_arena *a = *state;
    static const struct {
        const char *in;
        const char *msg;
    } cases[] = {
        { "[1,\n  ,2]", "unexpected ',' at line 2, column 3 (expected a value)" },
        { "{\"family\":\"Smith\",}",
          "unexpected '}' at line 1, column 19 (expected a member name in double quotes)" },
        { "{\"family\":\"Smith\",\"family\":\"Jones\"}",
          "duplicate member name at line 1, column 19" },
        { "{\"name\":\"Smith", "unterminated string at line 1, column 9" },
        { "[1", "unexpected end of input at line 1, column 3 (expected ',' or ']')" },
        { "01", "invalid number at line 1, column 2 (leading zero)" },
        { "\"a\tb\"", "control character U+0009 in a string at line 1, column 3 (write it as an escape)" },
        { "\"\xff\"", "invalid UTF-8 in a string at line 1, column 2" },
        { "\"\\ud800\"", "lone surrogate in a \\u escape at line 1, column 2 (UTF-16 surrogates come in high-low pairs)" },
        { "", "empty JSON text at line 1, column 1 (expected a value)" },
        { "{}x", "unexpected 'x' at line 1, column 3 (expected the end after the JSON value)" },
        { "\x01", "unexpected control character U+0001 at line 1, column 1 (expected a value)" },
        { "\xe9", "unexpected non-ASCII byte 0xE9 at line 1, column 1 (expected a value)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sw_json *v;
        sw_err err = { 0 };
        assert_int_equal(sw_json_parse(a, cases[i].in, strlen(cases[i].in), &v, &err),
                         SW_EBADREQUEST);
        assert_string_equal(err.msg, cases[i].msg);
        assert_null(strstr(err.msg, "Smith"));
        assert_null(strstr(err.msg, "family"));
    }
}

/* ---- Numbers ---------------------------------------------------------------- */

static void test_number_lexemes(void **state)
{
    sw_arena *a = *state;
    static const char *const lexemes[] = {
        "0", "-0", "1.50", "1e400", "-1e-400",
        "123456789012345678901234567890.123456789",
        "0.000000000000000000001", "-1E-7", "1E+2", "0e0", "-0.0",
        "9223372036854775808", "3.141592653589793238462643383279",
    };
    for (size_t i = 0; i < sizeof lexemes / sizeof *lexemes; i++) {
        const char *l = lexemes[i];
        assert_true(sw_json_valid_number(l, strlen(l)));
        sw_json *v = parse_ok(a, l, strlen(l));
        assert_int_equal(v->kind, SW_JSON_NUMBER);
        assert_int_equal(v->text.n, strlen(l));
        assert_string_equal(v->text.p, l);
        size_t len;
        char *out = write_str(v, &len);
        assert_string_equal(out, l);
        sw_free(out);
        /* in every position a number can end */
        char doc[512];
        snprintf(doc, sizeof doc, "{\"v\":%s,\"w\":[%s],\"x\":[%s ,%s\n]}", l, l, l, l);
        sw_json *d = parse_ok(a, doc, strlen(doc));
        assert_string_equal(sw_json_get(d, "v")->text.p, l);
        assert_string_equal(sw_json_get(d, "w")->items[0]->text.p, l);
        assert_string_equal(sw_json_get(d, "x")->items[0]->text.p, l);
        assert_string_equal(sw_json_get(d, "x")->items[1]->text.p, l);
        out = write_str(d, &len);
        char want[512];
        snprintf(want, sizeof want, "{\"v\":%s,\"w\":[%s],\"x\":[%s,%s]}", l, l, l, l);
        assert_string_equal(out, want);
        sw_free(out);
    }
    static const char *const bad[] = {
        "01", "1.", ".5", "+1", "1e", "NaN", "Infinity", "0x10", "", "-",
        "1.e5", "1e+", "--1", "1 ", " 1", "1,", "٣",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(sw_json_valid_number(bad[i], strlen(bad[i])));
        if (strchr(bad[i], ' ') == NULL) {
            sw_json *v;
            assert_int_equal(sw_json_parse(a, bad[i], strlen(bad[i]), &v, NULL),
                             SW_EBADREQUEST);
        }
    }
    assert_false(sw_json_valid_number(NULL, 0));
}

static void test_number_to_int64(void **state)
{
    sw_arena *a = *state;
    static const struct {
        const char *lexeme;
        int64_t     min, max;
        bool        ok;
        int64_t     want;
    } cases[] = {
        { "0", INT64_MIN, INT64_MAX, true, 0 },
        { "-0", INT64_MIN, INT64_MAX, true, 0 },
        { "42", 0, 100, true, 42 },
        { "101", 0, 100, false, 0 },
        { "-1", 0, 100, false, 0 },
        { "9223372036854775807", INT64_MIN, INT64_MAX, true, INT64_MAX },
        { "9223372036854775808", INT64_MIN, INT64_MAX, false, 0 },
        { "-9223372036854775808", INT64_MIN, INT64_MAX, true, INT64_MIN },
        { "-9223372036854775809", INT64_MIN, INT64_MAX, false, 0 },
        { "1.0", INT64_MIN, INT64_MAX, false, 0 },
        { "1e2", INT64_MIN, INT64_MAX, false, 0 },
        { "99999999999999999999999", INT64_MIN, INT64_MAX, false, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sw_json *v = parse_ok(a, cases[i].lexeme, strlen(cases[i].lexeme));
        int64_t out = 12345;
        assert_int_equal(sw_json_number_to_int64(v, cases[i].min, cases[i].max, &out),
                         cases[i].ok);
        if (cases[i].ok)
            assert_true(out == cases[i].want);
        else
            assert_true(out == 12345);
    }
    int64_t out;
    assert_false(sw_json_number_to_int64(parse_ok(a, S("\"1\"")), 0, 9, &out));
    assert_false(sw_json_number_to_int64(NULL, 0, 9, &out));
}

/* ---- Strings ---------------------------------------------------------------- */

static const struct {
    const char *in;
    size_t      n;
    const char *text;
    size_t      len;
} strings[] = {
    { S("\"\""), S("") },
    { S("\"\\\"\""), S("\"") },
    { S("\"\\\\\""), S("\\") },
    { S("\"\\/\""), S("/") },
    { S("\"\\b\""), S("\b") },
    { S("\"\\f\""), S("\f") },
    { S("\"\\n\""), S("\n") },
    { S("\"\\r\""), S("\r") },
    { S("\"\\t\""), S("\t") },
    { S("\"\\u0000\""), S("\0") },
    { S("\"a\\u0000b\""), S("a\0b") },
    { S("\"\\u0041\""), S("A") },
    { S("\"\\u007F\""), S("\x7f") },
    { S("\"\\u0080\""), S("\xc2\x80") },
    { S("\"\\u07ff\""), S("\xdf\xbf") },
    { S("\"\\u0800\""), S("\xe0\xa0\x80") },
    { S("\"\\uD7FF\""), S("\xed\x9f\xbf") },
    { S("\"\\uE000\""), S("\xee\x80\x80") },
    { S("\"\\uFFFF\""), S("\xef\xbf\xbf") },
    { S("\"\\uFEFF\""), S("\xef\xbb\xbf") },
    { S("\"\\ud83d\\ude00\""), S("\xf0\x9f\x98\x80") },
    { S("\"\\uD800\\uDC00\""), S("\xf0\x90\x80\x80") },
    { S("\"\\uDBFF\\uDFFF\""), S("\xf4\x8f\xbf\xbf") },
    { S("\"x\\ud834\\udd1ey\""), S("x\xf0\x9d\x84\x9ey") },
    { S("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), S("\"\\/\b\f\n\r\t") },
    { S("\"M\xc3\xbcller \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x98\x80 \x7f\""),
      S("M\xc3\xbcller \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x98\x80 \x7f") },
    { S("\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">a\\nb</div>\""),
      S("<div xmlns=\"http://www.w3.org/1999/xhtml\">a\nb</div>") },
    { S("\"\xc3\xa9\\n\xc3\xa9 and some more plain text to copy\""),
      S("\xc3\xa9\n\xc3\xa9 and some more plain text to copy") },
};

static void test_strings(void **state)
{
    sw_arena *a = *state;
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++) {
        sw_json *v = parse_ok(a, strings[i].in, strings[i].n);
        assert_int_equal(v->kind, SW_JSON_STRING);
        if (v->text.n != strings[i].len || memcmp(v->text.p, strings[i].text, v->text.n))
            print_error("case %zu\n", i);
        assert_int_equal(v->text.n, strings[i].len);
        assert_memory_equal(v->text.p, strings[i].text, strings[i].len);
        assert_int_equal(v->text.p[v->text.n], '\0');
        /* the same as a member name */
        char doc[256];
        int n = snprintf(doc, sizeof doc, "{%.*s:%.*s}", (int)strings[i].n,
                         strings[i].in, (int)strings[i].n, strings[i].in);
        sw_json *o = parse_ok(a, doc, (size_t)n);
        assert_int_equal(o->members[0].key.n, strings[i].len);
        assert_memory_equal(o->members[0].key.p, strings[i].text, strings[i].len);
        assert_int_equal(o->members[0].key.p[strings[i].len], '\0');
        assert_memory_equal(o->members[0].value->text.p, strings[i].text,
                            strings[i].len);
    }
}

/* Every code point, raw and as a \u escape, decodes to its UTF-8. */
static void test_all_code_points(void **state)
{
    sw_arena *a = sw_arena_create(0);
    (void)state;
    for (uint32_t cp = 0x20; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char utf8[4];
        size_t k;
        if (cp < 0x80) {
            utf8[0] = (char)cp; k = 1;
        } else if (cp < 0x800) {
            utf8[0] = (char)(0xC0 | cp >> 6); utf8[1] = (char)(0x80 | (cp & 0x3F)); k = 2;
        } else if (cp < 0x10000) {
            utf8[0] = (char)(0xE0 | cp >> 12); utf8[1] = (char)(0x80 | (cp >> 6 & 0x3F));
            utf8[2] = (char)(0x80 | (cp & 0x3F)); k = 3;
        } else {
            utf8[0] = (char)(0xF0 | cp >> 18); utf8[1] = (char)(0x80 | (cp >> 12 & 0x3F));
            utf8[2] = (char)(0x80 | (cp >> 6 & 0x3F)); utf8[3] = (char)(0x80 | (cp & 0x3F));
            k = 4;
        }
        char doc[32];
        int n;
        if (cp < 0x10000) {
            n = snprintf(doc, sizeof doc, "[\"\\u%04x\",\"%.*s\"]", (unsigned)cp, (int)k, utf8);
        } else {
            uint32_t c = cp - 0x10000;
            n = snprintf(doc, sizeof doc, "[\"\\u%04X\\u%04X\",\"%.*s\"]",
                         (unsigned)(0xD800 + (c >> 10)), (unsigned)(0xDC00 + (c & 0x3FF)),
                         (int)k, utf8);
        }
        if (cp == '"' || cp == '\\')
            continue;                  /* raw they would end or escape */
        sw_json *v;
        assert_int_equal(sw_json_parse(a, doc, (size_t)n, &v, NULL), SW_OK);
        assert_int_equal(v->items[0]->text.n, k);
        assert_memory_equal(v->items[0]->text.p, utf8, k);
        assert_int_equal(v->items[1]->text.n, k);
        assert_memory_equal(v->items[1]->text.p, utf8, k);
        if ((cp & 0xFFF) == 0) {       /* keep the arena small */
            sw_arena_destroy(a);
            a = sw_arena_create(0);
        }
    }
    sw_arena_destroy(a);
}

/* ---- Duplicates ------------------------------------------------------------- */

/* {"k0":0,"k1":1,...} with count members, one per line */
static char *members_doc(size_t count, long dup_at, size_t *len)
{
    sw_buf b = SW_BUF_INIT(64 * 1024 * 1024);
    sw_buf_putc(&b, '{');
    for (size_t i = 0; i < count; i++) {
        long k = (long)i == dup_at ? 0 : (long)i;
        sw_buf_printf(&b, "%s\n\"k%ld\":%zu", i ? "," : "", k, i);
    }
    sw_buf_puts(&b, "}");
    return sw_buf_detach(&b, len);
}

static void test_duplicates(void **state)
{
    sw_arena *a = *state;
    /* the same name at different levels, or differing only in case, is fine */
    sw_json *v = parse_ok(a, S("{\"a\":{\"a\":1},\"A\":[{\"a\":2},{\"a\":3}],\"b\":{\"a\":{}}}"));
    assert_int_equal(v->count, 3);
    parse_ok(a, S("{\"a\":1,\"a \":2,\"\\u0061c\":3,\"ab\\u0000\":4,\"ab\":5}"));

    /* large objects, with the duplicate early (key by key) and late (sorted) */
    static const struct { size_t count; long dup_at; } cases[] = {
        { 31, -1 }, { 32, -1 }, { 33, -1 }, { 1000, -1 }, { 100000, -1 },
        { 32, 31 }, { 33, 32 }, { 40, 5 }, { 1000, 999 }, { 100000, 99999 },
        { 100000, 50000 }, { 100000, 3 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sw_arena *b = sw_arena_create(0);
        size_t len;
        char *doc = members_doc(cases[i].count, cases[i].dup_at, &len);
        sw_json *o;
        sw_err err = { 0 };
        int rc = sw_json_parse(b, doc, len, &o, &err);
        if (cases[i].dup_at < 0) {
            assert_int_equal(rc, SW_OK);
            assert_int_equal(o->count, cases[i].count);
            char last[32];
            snprintf(last, sizeof last, "k%zu", cases[i].count - 1);
            assert_string_equal(o->members[cases[i].count - 1].key.p, last);
        } else {
            assert_int_equal(rc, SW_EBADREQUEST);
            char want[80];
            snprintf(want, sizeof want, "duplicate member name at line %ld, column 1",
                     cases[i].dup_at + 2);
            assert_string_equal(err.msg, want);
        }
        sw_free(doc);
        sw_arena_destroy(b);
    }
    /* with several duplicates in a large object the first one is named */
    sw_buf d = SW_BUF_INIT(1 << 20);
    sw_buf_putc(&d, '{');
    for (int i = 0; i < 100; i++)
        sw_buf_printf(&d, "%s\"%c%d\":0", i ? "," : "", i == 80 ? 'a' : i == 60 ? 'b' : 'k', i == 80 || i == 60 ? 0 : i);
    size_t first_dup = d.len;         /* the ',' before the second "a0" */
    sw_buf_puts(&d, ",\"a0\":1,\"b0\":2}");
    sw_json *o;
    sw_err err = { 0 };
    assert_int_equal(sw_json_parse(a, d.data, d.len, &o, &err), SW_EBADREQUEST);
    char want[80];
    snprintf(want, sizeof want, "duplicate member name at line 1, column %zu",
             first_dup + 2);
    assert_string_equal(err.msg, want);
    sw_buf_free(&d);
}

/* ---- Depth -------------------------------------------------------------------- */

static char *nested(size_t depth, bool objects, size_t *len)
{
    sw_buf b = SW_BUF_INIT(64 * 1024 * 1024);
    for (size_t i = 0; i < depth; i++)
        sw_buf_puts(&b, objects ? "{\"a\":" : "[");
    sw_buf_puts(&b, "1");
    for (size_t i = 0; i < depth; i++)
        sw_buf_putc(&b, objects ? '}' : ']');
    return sw_buf_detach(&b, len);
}

static void test_depth(void **state)
{
    sw_arena *a = *state;
    for (int objects = 0; objects < 2; objects++) {
        size_t len;
        char *doc = nested(SW_JSON_MAX_DEPTH, objects, &len);
        sw_json *v = parse_ok(a, doc, len);
        for (int i = 1; i < SW_JSON_MAX_DEPTH; i++)
            v = objects ? v->members[0].value : v->items[0];
        v = objects ? v->members[0].value : v->items[0];
        assert_int_equal(v->kind, SW_JSON_NUMBER);
        sw_free(doc);

        doc = nested(SW_JSON_MAX_DEPTH + 1, objects, &len);
        sw_err err = { 0 };
        assert_int_equal(sw_json_parse(a, doc, len, &v, &err), SW_EBADREQUEST);
        char want[80];
        snprintf(want, sizeof want, "nesting deeper than 100 levels at line 1, column %d",
                 objects ? 5 * SW_JSON_MAX_DEPTH + 1 : SW_JSON_MAX_DEPTH + 1);
        assert_string_equal(err.msg, want);
        sw_free(doc);
    }
    /* arrays and objects mixed, exactly at the limit */
    sw_buf b = SW_BUF_INIT(1 << 20);
    sw_json *v;
    for (int i = 0; i < SW_JSON_MAX_DEPTH; i++)
        sw_buf_puts(&b, i % 2 ? "{\"x\":" : "[0,");
    sw_buf_puts(&b, "null");
    for (int i = SW_JSON_MAX_DEPTH - 1; i >= 0; i--)
        sw_buf_puts(&b, i % 2 ? "}" : "]");
    v = parse_ok(a, b.data, b.len);
    assert_int_equal(v->kind, SW_JSON_ARRAY);
    sw_buf_free(&b);

    /* 10,000 and 1,000,000 opening brackets fail at the limit, promptly */
    static const size_t huge[] = { 10000, 1000000 };
    for (size_t i = 0; i < 2; i++) {
        char *doc = sw_malloc(huge[i]);
        memset(doc, i ? '[' : '{', huge[i]);
        if (!i)
            for (size_t k = 0; k + 5 <= huge[i]; k += 5)
                memcpy(doc + k, "{\"a\":", 5);
        sw_err err = { 0 };
        assert_int_equal(sw_json_parse(a, doc, huge[i], &v, &err), SW_EBADREQUEST);
        assert_non_null(strstr(err.msg, "nesting deeper than 100 levels"));
        sw_free(doc);
    }
}

/* ---- Whole documents ---------------------------------------------------------- */

static void test_large_array(void **state)
{
    sw_arena *a = *state;
    sw_buf b = SW_BUF_INIT(64 * 1024 * 1024);
    sw_buf_putc(&b, '[');
    for (int i = 0; i < 200000; i++)
        sw_buf_printf(&b, "%s{\"i\":%d,\"s\":\"v%d\"}", i ? "," : "", i, i);
    sw_buf_putc(&b, ']');
    sw_json *v = parse_ok(a, b.data, b.len);
    assert_int_equal(v->count, 200000);
    assert_string_equal(sw_json_get_string(v->items[199999], "s"), "v199999");
    size_t len;
    char *out = write_str(v, &len);
    assert_int_equal(len, b.len);
    assert_memory_equal(out, b.data, len);
    sw_free(out);
    sw_buf_free(&b);
}

static void test_arena_budget(void **state)
{
    (void)state;
    /* an arena too small for the copy, or for the nodes, is SW_ENOMEM */
    static const size_t budgets[] = { 16, 200, 5000 };
    char doc[3000];
    size_t n = 0;
    doc[n++] = '[';
    while (n < sizeof doc - 4) {
        memcpy(doc + n, "1,", 2);
        n += 2;
    }
    doc[n++] = '1';
    doc[n++] = ']';
    for (size_t i = 0; i < 3; i++) {
        sw_arena *a = sw_arena_create(budgets[i]);
        sw_json *v;
        sw_err err = { 0 };
        assert_int_equal(sw_json_parse(a, doc, n, &v, &err), SW_ENOMEM);
        assert_int_equal(err.code, SW_ENOMEM);
        assert_null(v);
        sw_arena_destroy(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_documents, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_kinds_and_positions, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_member_order, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_input_not_modified, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_invalid_documents, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_messages, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_number_lexemes, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_number_to_int64, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_strings, setup_arena, teardown_arena),
        cmocka_unit_test(test_all_code_points),
        cmocka_unit_test_setup_teardown(test_duplicates, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_depth, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_large_array, setup_arena, teardown_arena),
        cmocka_unit_test(test_arena_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
