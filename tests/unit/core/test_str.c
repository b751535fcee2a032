/* test_str.c - the slices and cursor helpers of core/str.h.
 *
 * The parsers of untrusted input (URLs, headers, HL7, database URLs) are
 * built from these, so the tests pin their exact contracts: a helper either
 * consumes what it expects or leaves the slice untouched, a slice is read
 * only within its length (never up to a NUL), and sw_str_to_long accepts
 * exactly the decimal numbers in [min, max]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "core/str.h"

static void test_constructors_and_equality(void **state)
{
    (void)state;
    sw_str a = SW_STR_LIT("Patient");
    assert_int_equal(a.n, 7);
    sw_str b = sw_str_of("Patient");
    assert_true(sw_str_eq(a, b));
    assert_true(sw_str_eq_cstr(a, "Patient"));
    assert_false(sw_str_eq_cstr(a, "Patients"));
    assert_false(sw_str_eq_cstr(a, "Patien"));
    assert_false(sw_str_eq_cstr(a, "patient"));

    sw_str none = sw_str_of(NULL);
    assert_int_equal(none.n, 0);
    assert_true(sw_str_eq(none, SW_STR_LIT("")));
    assert_true(sw_str_eq_cstr(sw_str_make(NULL, 0), ""));

    /* a slice is compared within its length only */
    sw_str head = sw_str_make("Patient/123", 7);
    assert_true(sw_str_eq_cstr(head, "Patient"));
    /* embedded NUL bytes are part of the slice */
    assert_false(sw_str_eq(sw_str_make("a\0b", 3), sw_str_make("a\0c", 3)));
    assert_true(sw_str_eq(sw_str_make("a\0b", 3), sw_str_make("a\0b", 3)));
}

static void test_skip(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        const char *prefix;
        bool        ok;
        const char *after;
    } cases[] = {
        { "https://h/x", "https://", true,  "h/x" },
        { "https://h/x", "http://",  false, "https://h/x" },
        { "abc",         "abc",      true,  "" },
        { "ab",          "abc",      false, "ab" },
        { "abc",         "",         true,  "abc" },
        { "",            "a",        false, "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sw_str s = sw_str_of(cases[i].s);
        assert_int_equal(sw_str_skip(&s, cases[i].prefix), cases[i].ok);
        assert_true(sw_str_eq_cstr(s, cases[i].after));
    }
    /* the prefix is matched within the slice, not past its end */
    sw_str s = sw_str_make("abcdef", 2);
    assert_false(sw_str_skip(&s, "abc"));
    assert_int_equal(s.n, 2);
}

/* Each case lists the heads that repeated splits produce and whether each
 * split found the separator. */
static void test_split(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        char        sep;
        const char *heads[6];
        bool        found[6];
    } cases[] = {
        { "a/b/c",  '/', { "a", "b", "c" },      { true, true, false } },
        { "/a",     '/', { "", "a" },            { true, false } },
        { "a/",     '/', { "a" },                { true } },
        { "a//b",   '/', { "a", "", "b" },       { true, true, false } },
        { "abc",    '/', { "abc" },              { false } },
        { "k=v=w",  '=', { "k", "v", "w" },      { true, true, false } },
        { "x&&y",   '&', { "x", "", "y" },       { true, true, false } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sw_str s = sw_str_of(cases[i].s);
        size_t k = 0;
        while (s.n > 0) {
            assert_true(k < 6 && cases[i].heads[k] != NULL);
            sw_str head;
            bool found = sw_str_split(&s, cases[i].sep, &head);
            assert_int_equal(found, cases[i].found[k]);
            if (!sw_str_eq_cstr(head, cases[i].heads[k]))
                fail_msg("case '%s' split %zu: got '%.*s', want '%s'",
                         cases[i].s, k, (int)head.n, head.p, cases[i].heads[k]);
            k++;
        }
        assert_true(k == 6 || cases[i].heads[k] == NULL);
    }

    /* an empty slice gives an empty head and no separator */
    sw_str e = sw_str_make("", 0);
    sw_str head = SW_STR_LIT("junk");
    assert_false(sw_str_split(&e, '/', &head));
    assert_int_equal(head.n, 0);

    /* the separator is looked for within the slice only */
    sw_str s = sw_str_make("ab/cd", 2);
    assert_false(sw_str_split(&s, '/', &head));
    assert_true(sw_str_eq_cstr(head, "ab"));
    assert_int_equal(s.n, 0);
}

static void test_to_long(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        long        min, max;
        bool        ok;
        long        want;
    } cases[] = {
        { "0",         0, 10, true, 0 },
        { "42",        0, 100, true, 42 },
        { "007",       0, 100, true, 7 },
        { "-42",       -100, 100, true, -42 },
        { "-0",        0, 0, true, 0 },
        { "10",        0, 10, true, 10 },            /* max is inclusive */
        { "11",        0, 10, false, 0 },
        { "-5",        -5, 5, true, -5 },            /* min is inclusive */
        { "-6",        -5, 5, false, 0 },
        { "",          0, 10, false, 0 },
        { "-",         -10, 10, false, 0 },
        { "+1",        0, 10, false, 0 },
        { " 1",        0, 10, false, 0 },
        { "1 ",        0, 10, false, 0 },
        { "1a",        0, 100, false, 0 },
        { "1:",        0, 100, false, 0 },           /* the bytes around '0'..'9' */
        { "1/",        0, 100, false, 0 },
        { "0x10",      0, 100, false, 0 },
        { "1.5",       0, 100, false, 0 },
        { "--1",       -10, 10, false, 0 },
        { "9223372036854775807",  0, LONG_MAX, true, LONG_MAX },
        { "9223372036854775808",  0, LONG_MAX, false, 0 },
        { "99999999999999999999", 0, LONG_MAX, false, 0 },
        { "-9223372036854775807", LONG_MIN, 0, true, -LONG_MAX },
        /* LONG_MIN is in [LONG_MIN, 0] and must parse */
        { "-9223372036854775808", LONG_MIN, 0, true, LONG_MIN },
        { "-9223372036854775809", LONG_MIN, 0, false, 0 },
        /* a Content-Length as the server parses it */
        { "33554432",  0, LONG_MAX, true, 33554432 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        long out = 12345;
        bool ok = sw_str_to_long(sw_str_of(cases[i].s), cases[i].min,
                                 cases[i].max, &out);
        if (ok != cases[i].ok)
            fail_msg("'%s' in [%ld, %ld]: got %s, want %s", cases[i].s,
                     cases[i].min, cases[i].max, ok ? "ok" : "refused",
                     cases[i].ok ? "ok" : "refused");
        if (ok)
            assert_int_equal(out, cases[i].want);
        else
            assert_int_equal(out, 12345);   /* untouched on failure */
    }
    /* only the slice's bytes count */
    long out = 0;
    assert_true(sw_str_to_long(sw_str_make("123456", 3), 0, 1000, &out));
    assert_int_equal(out, 123);
    assert_false(sw_str_to_long(sw_str_make("1\0" "2", 3), 0, 1000, &out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constructors_and_equality),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_to_long),
    };
    return cmocka_run_group_tests_name("core/str", tests, NULL, NULL);
}
