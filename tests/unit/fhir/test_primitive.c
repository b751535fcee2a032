/* test_primitive.c - the lexical rules of the R4 primitives (fhir/primitive.h).
 *
 * One table of (type, text, verdict) for every primitive kind, with the
 * boundaries the spec regexes draw: ids of 64 and 65 characters, dates at
 * each precision, the month and day ranges (2020-02-30 passes: the R4
 * regex allows days 01-31 in any month), instants without a time zone,
 * integers at the 32-bit edges, decimals as lexemes, and the white-space
 * rules of code, uri and base64Binary. A second table checks that each
 * primitive insists on its JSON kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "fhir/primitive.h"

#define OK   FHIR_PRIM_VALID
#define BAD  FHIR_PRIM_BAD_FORMAT
#define LONG FHIR_PRIM_TOO_LONG
#define EMPTY FHIR_PRIM_EMPTY
#define RANGE FHIR_PRIM_OUT_OF_RANGE

static const struct {
    fhir_prim        p;
    const char      *text;
    fhir_prim_result want;
} cases[] = {
    /* integer: -?([0]|([1-9][0-9]*)), 32-bit */
    { FHIR_PRIM_INTEGER, "0", OK },
    { FHIR_PRIM_INTEGER, "-0", OK },               /* the regex allows it */
    { FHIR_PRIM_INTEGER, "42", OK },
    { FHIR_PRIM_INTEGER, "-42", OK },
    { FHIR_PRIM_INTEGER, "2147483647", OK },
    { FHIR_PRIM_INTEGER, "-2147483648", OK },
    { FHIR_PRIM_INTEGER, "2147483648", RANGE },
    { FHIR_PRIM_INTEGER, "-2147483649", RANGE },
    { FHIR_PRIM_INTEGER, "99999999999999999999999", RANGE },
    { FHIR_PRIM_INTEGER, "1.0", BAD },
    { FHIR_PRIM_INTEGER, "1e2", BAD },
    { FHIR_PRIM_INTEGER, "01", BAD },
    { FHIR_PRIM_INTEGER, "+1", BAD },
    { FHIR_PRIM_INTEGER, "-", BAD },
    { FHIR_PRIM_INTEGER, "", BAD },
    /* positiveInt: [1-9][0-9]* */
    { FHIR_PRIM_POSITIVE_INT, "1", OK },
    { FHIR_PRIM_POSITIVE_INT, "2147483647", OK },
    { FHIR_PRIM_POSITIVE_INT, "0", RANGE },
    { FHIR_PRIM_POSITIVE_INT, "-1", BAD },
    { FHIR_PRIM_POSITIVE_INT, "2147483648", RANGE },
    { FHIR_PRIM_POSITIVE_INT, "1.5", BAD },
    /* unsignedInt: [0]|([1-9][0-9]*) */
    { FHIR_PRIM_UNSIGNED_INT, "0", OK },
    { FHIR_PRIM_UNSIGNED_INT, "7", OK },
    { FHIR_PRIM_UNSIGNED_INT, "2147483647", OK },
    { FHIR_PRIM_UNSIGNED_INT, "2147483648", RANGE },
    { FHIR_PRIM_UNSIGNED_INT, "-1", BAD },
    { FHIR_PRIM_UNSIGNED_INT, "-0", BAD },
    { FHIR_PRIM_UNSIGNED_INT, "00", BAD },
    /* decimal: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? as written */
    { FHIR_PRIM_DECIMAL, "1.50", OK },
    { FHIR_PRIM_DECIMAL, "0", OK },
    { FHIR_PRIM_DECIMAL, "-0.0", OK },
    { FHIR_PRIM_DECIMAL, "1E-22", OK },
    { FHIR_PRIM_DECIMAL, "-1.000000000000000000E+245", OK },
    { FHIR_PRIM_DECIMAL, "3.14159265358979323846264338327950288", OK },
    { FHIR_PRIM_DECIMAL, "1.", BAD },
    { FHIR_PRIM_DECIMAL, ".5", BAD },
    { FHIR_PRIM_DECIMAL, "01.5", BAD },
    { FHIR_PRIM_DECIMAL, "1e", BAD },
    { FHIR_PRIM_DECIMAL, "1.5x", BAD },
    { FHIR_PRIM_DECIMAL, "NaN", BAD },
    /* string: not empty, no control characters but \t \r \n */
    { FHIR_PRIM_STRING, "Peter James", OK },
    { FHIR_PRIM_STRING, " padded ", OK },
    { FHIR_PRIM_STRING, "tab\tand\r\nnewline", OK },
    { FHIR_PRIM_STRING, "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", OK },
    { FHIR_PRIM_STRING, "", EMPTY },
    { FHIR_PRIM_STRING, "bell\x07", BAD },
    { FHIR_PRIM_STRING, "esc\x1b[0m", BAD },
    { FHIR_PRIM_MARKDOWN, "# Title\n\n*emphasis*", OK },
    { FHIR_PRIM_MARKDOWN, "", EMPTY },
    { FHIR_PRIM_XHTML, "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>", OK },
    /* code: [^\s]+(\s[^\s]+)* */
    { FHIR_PRIM_CODE, "final", OK },
    { FHIR_PRIM_CODE, "entered-in-error", OK },
    { FHIR_PRIM_CODE, "two words", OK },
    { FHIR_PRIM_CODE, " leading", BAD },
    { FHIR_PRIM_CODE, "trailing ", BAD },
    { FHIR_PRIM_CODE, "double  space", BAD },
    { FHIR_PRIM_CODE, "tab\there", OK },
    { FHIR_PRIM_CODE, "new\n\nline", BAD },
    { FHIR_PRIM_CODE, "", EMPTY },
    /* id: [A-Za-z0-9\-\.]{1,64} */
    { FHIR_PRIM_ID, "example", OK },
    { FHIR_PRIM_ID, "a-B.9", OK },
    { FHIR_PRIM_ID, "1234567890123456789012345678901234567890123456789012345678901234", OK },
    { FHIR_PRIM_ID, "12345678901234567890123456789012345678901234567890123456789012345", LONG },
    { FHIR_PRIM_ID, "a_b", BAD },
    { FHIR_PRIM_ID, "a b", BAD },
    { FHIR_PRIM_ID, "a/b", BAD },
    { FHIR_PRIM_ID, "", EMPTY },
    /* uri, url, canonical: \S* (and not empty in JSON) */
    { FHIR_PRIM_URI, "http://hl7.org/fhir", OK },
    { FHIR_PRIM_URI, "urn:oid:1.2.3", OK },
    { FHIR_PRIM_URI, "relative/path", OK },
    { FHIR_PRIM_URI, "http://x y", BAD },
    { FHIR_PRIM_URI, "", EMPTY },
    { FHIR_PRIM_URL, "https://example.org/a?b=c", OK },
    { FHIR_PRIM_URL, "https://example.org/\t", BAD },
    { FHIR_PRIM_CANONICAL, "http://hl7.org/fhir/ValueSet/x|4.0.1", OK },
    { FHIR_PRIM_CANONICAL, "a b", BAD },
    /* oid: urn:oid:[0-2](\.(0|[1-9][0-9]*))+ */
    { FHIR_PRIM_OID, "urn:oid:1.2.36.146.595.217.0.1", OK },
    { FHIR_PRIM_OID, "urn:oid:2.0", OK },
    { FHIR_PRIM_OID, "urn:oid:3.1", BAD },
    { FHIR_PRIM_OID, "urn:oid:1", BAD },
    { FHIR_PRIM_OID, "urn:oid:1.02", BAD },
    { FHIR_PRIM_OID, "urn:oid:1.2.", BAD },
    { FHIR_PRIM_OID, "1.2.3", BAD },
    /* uuid: urn:uuid: and lowercase 8-4-4-4-12 */
    { FHIR_PRIM_UUID, "urn:uuid:c757873d-ec9a-4326-a141-556f43239520", OK },
    { FHIR_PRIM_UUID, "urn:uuid:C757873D-EC9A-4326-A141-556F43239520", BAD },
    { FHIR_PRIM_UUID, "urn:uuid:c757873d-ec9a-4326-a141-556f4323952", BAD },
    { FHIR_PRIM_UUID, "urn:uuid:c757873dec9a4326a141556f43239520", BAD },
    { FHIR_PRIM_UUID, "c757873d-ec9a-4326-a141-556f43239520", BAD },
    /* base64Binary: groups of four, padding at the end */
    { FHIR_PRIM_BASE64_BINARY, "aGVsbG8=", OK },
    { FHIR_PRIM_BASE64_BINARY, "aGVs bG8=", OK },
    { FHIR_PRIM_BASE64_BINARY, "aGVsbA==\n", OK },
    { FHIR_PRIM_BASE64_BINARY, "aGVsbG8", BAD },
    { FHIR_PRIM_BASE64_BINARY, "aG=sbG8=", BAD },
    { FHIR_PRIM_BASE64_BINARY, "aGVsbG8*", BAD },
    { FHIR_PRIM_BASE64_BINARY, "a===", BAD },
    { FHIR_PRIM_BASE64_BINARY, "", EMPTY },
    /* date: YYYY, YYYY-MM, YYYY-MM-DD */
    { FHIR_PRIM_DATE, "2020", OK },
    { FHIR_PRIM_DATE, "2020-01", OK },
    { FHIR_PRIM_DATE, "2020-12-31", OK },
    { FHIR_PRIM_DATE, "2020-02-30", OK },          /* regex: days 01-31 in any month */
    { FHIR_PRIM_DATE, "0001", OK },
    { FHIR_PRIM_DATE, "0000", BAD },
    { FHIR_PRIM_DATE, "2020-13", BAD },
    { FHIR_PRIM_DATE, "2020-00", BAD },
    { FHIR_PRIM_DATE, "2020-01-32", BAD },
    { FHIR_PRIM_DATE, "2020-01-00", BAD },
    { FHIR_PRIM_DATE, "2020-1-1", BAD },
    { FHIR_PRIM_DATE, "20", BAD },
    { FHIR_PRIM_DATE, "2020-01-01T00:00:00Z", BAD },
    { FHIR_PRIM_DATE, "2020/01/01", BAD },
    /* dateTime: a date, or a full date with time and zone */
    { FHIR_PRIM_DATE_TIME, "2020", OK },
    { FHIR_PRIM_DATE_TIME, "2020-06", OK },
    { FHIR_PRIM_DATE_TIME, "2020-06-01", OK },
    { FHIR_PRIM_DATE_TIME, "2015-02-07T13:28:17-05:00", OK },
    { FHIR_PRIM_DATE_TIME, "2015-02-07T13:28:17.239+02:00", OK },
    { FHIR_PRIM_DATE_TIME, "2015-02-07T13:28:17Z", OK },
    { FHIR_PRIM_DATE_TIME, "2016-12-31T23:59:60Z", OK },     /* leap second */
    { FHIR_PRIM_DATE_TIME, "2015-02-07T13:28:17+14:00", OK },
    { FHIR_PRIM_DATE_TIME, "2015-02-07T13:28:17+14:30", BAD },
    { FHIR_PRIM_DATE_TIME, "2015-02-07T13:28:17+13:59", OK },
    { FHIR_PRIM_DATE_TIME, "2015-02-07T13:28:17", BAD },     /* time needs a zone */
    { FHIR_PRIM_DATE_TIME, "2015-02-07T13:28Z", BAD },       /* seconds required */
    { FHIR_PRIM_DATE_TIME, "2015-02T13:28:17Z", BAD },       /* time needs a full date */
    { FHIR_PRIM_DATE_TIME, "2015-02-07T24:00:00Z", BAD },
    { FHIR_PRIM_DATE_TIME, "2015-02-07T13:28:17.Z", BAD },
    { FHIR_PRIM_DATE_TIME, "2015-02-07 13:28:17Z", BAD },
    /* instant: always complete, always zoned */
    { FHIR_PRIM_INSTANT, "2015-02-07T13:28:17.239+02:00", OK },
    { FHIR_PRIM_INSTANT, "2015-02-07T13:28:17Z", OK },
    { FHIR_PRIM_INSTANT, "2015-02-07T13:28:17", BAD },
    { FHIR_PRIM_INSTANT, "2015-02-07", BAD },
    { FHIR_PRIM_INSTANT, "2015", BAD },
    /* time: hh:mm:ss(.f)?, no zone */
    { FHIR_PRIM_TIME, "09:30:00", OK },
    { FHIR_PRIM_TIME, "23:59:60.5", OK },
    { FHIR_PRIM_TIME, "9:30:00", BAD },
    { FHIR_PRIM_TIME, "09:30", BAD },
    { FHIR_PRIM_TIME, "09:30:00Z", BAD },
    { FHIR_PRIM_TIME, "24:00:00", BAD },
    { FHIR_PRIM_TIME, "12:60:00", BAD },
};

static void test_lexical_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fhir_prim_result got = fhir_prim_check_text(cases[i].p, sw_str_of(cases[i].text));
        if (got != cases[i].want)
            fail_msg("%s \"%s\": got %d, want %d", fhir_prim_name(cases[i].p), cases[i].text,
                     (int)got, (int)cases[i].want);
    }
}

/* Every kind is covered by the table above. */
static void test_every_kind_covered(void **state)
{
    (void)state;
    for (int p = FHIR_PRIM_BOOLEAN; p < FHIR_PRIM__COUNT; p++) {
        if (p == FHIR_PRIM_BOOLEAN)
            continue;                  /* its rule is its JSON kind, below */
        bool valid = false, invalid = false;
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
            if ((int)cases[i].p != p)
                continue;
            if (cases[i].want == OK)
                valid = true;
            else
                invalid = true;
        }
        if (!valid || (!invalid && p != FHIR_PRIM_XHTML))
            fail_msg("no valid/invalid case for %s", fhir_prim_name((fhir_prim)p));
    }
}

static void test_strings_up_to_one_megabyte(void **state)
{
    (void)state;
    size_t n = FHIR_STRING_MAX_BYTES + 1;
    char *s = malloc(n);
    assert_non_null(s);
    memset(s, 'x', n);
    assert_int_equal(fhir_prim_check_text(FHIR_PRIM_STRING, sw_str_make(s, n - 1)), OK);
    assert_int_equal(fhir_prim_check_text(FHIR_PRIM_STRING, sw_str_make(s, n)), LONG);
    assert_int_equal(fhir_prim_check_text(FHIR_PRIM_MARKDOWN, sw_str_make(s, n)), LONG);
    /* narratives and attachments are not strings: only the request bounds them */
    assert_int_equal(fhir_prim_check_text(FHIR_PRIM_XHTML, sw_str_make(s, n)), OK);
    memset(s, 'A', n - 1);
    assert_int_equal(fhir_prim_check_text(FHIR_PRIM_BASE64_BINARY, sw_str_make(s, n - 1)),
                     (n - 1) % 4 == 0 ? OK : BAD);
    /* a NUL byte (\u0000 in JSON) is a control character */
    assert_int_equal(fhir_prim_check_text(FHIR_PRIM_STRING, sw_str_make("a\0b", 3)), BAD);
    free(s);
}

/* Each primitive must come as the JSON kind FHIR JSON uses for it. */
static void test_json_kinds(void **state)
{
    sw_arena *a = sw_arena_create(0);
    (void)state;
    sw_json *t = sw_json_new_bool(a, true);
    sw_json *num = sw_json_new_number(a, "1.50", 4);
    sw_json *str = sw_json_new_cstring(a, "1.50");
    sw_json *null = sw_json_new_null(a);

    assert_int_equal(fhir_prim_check(FHIR_PRIM_BOOLEAN, t), OK);
    assert_int_equal(fhir_prim_check(FHIR_PRIM_BOOLEAN, str), FHIR_PRIM_WRONG_JSON);
    assert_int_equal(fhir_prim_check(FHIR_PRIM_DECIMAL, num), OK);
    assert_int_equal(fhir_prim_check(FHIR_PRIM_DECIMAL, str), FHIR_PRIM_WRONG_JSON);
    assert_int_equal(fhir_prim_check(FHIR_PRIM_INTEGER, num), BAD);
    assert_int_equal(fhir_prim_check(FHIR_PRIM_STRING, str), OK);
    assert_int_equal(fhir_prim_check(FHIR_PRIM_STRING, num), FHIR_PRIM_WRONG_JSON);
    assert_int_equal(fhir_prim_check(FHIR_PRIM_DATE, t), FHIR_PRIM_WRONG_JSON);
    assert_int_equal(fhir_prim_check(FHIR_PRIM_CODE, null), FHIR_PRIM_WRONG_JSON);
    assert_int_equal(fhir_prim_check(FHIR_PRIM_CODE, NULL), FHIR_PRIM_WRONG_JSON);

    assert_int_equal(fhir_prim_json_kind(FHIR_PRIM_BOOLEAN), SW_JSON_BOOL);
    assert_int_equal(fhir_prim_json_kind(FHIR_PRIM_POSITIVE_INT), SW_JSON_NUMBER);
    assert_int_equal(fhir_prim_json_kind(FHIR_PRIM_UNSIGNED_INT), SW_JSON_NUMBER);
    assert_int_equal(fhir_prim_json_kind(FHIR_PRIM_INSTANT), SW_JSON_STRING);
    assert_string_equal(fhir_prim_name(FHIR_PRIM_DATE_TIME), "dateTime");
    assert_string_equal(fhir_prim_name(FHIR_PRIM_BASE64_BINARY), "base64Binary");
    sw_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lexical_table),
        cmocka_unit_test(test_every_kind_covered),
        cmocka_unit_test(test_strings_up_to_one_megabyte),
        cmocka_unit_test(test_json_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
