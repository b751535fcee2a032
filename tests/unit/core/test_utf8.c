/* test_utf8.c - strict UTF-8 validation (core/utf8.h, RFC 3629).
 *
 * Everything Stagewise accepts as text is checked by sw_utf8_valid once, at
 * the edge, so a false "valid" lets malformed text into JSON and the store,
 * and a false "invalid" refuses a patient's name. A table covers the classic
 * traps (overlong forms, surrogates, code points above U+10FFFF, truncation,
 * stray continuation bytes); an exhaustive pass encodes every code point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "core/utf8.h"

#define S(lit) lit, sizeof(lit) - 1

static const struct {
    const char *s;
    size_t      n;
    bool        valid;
    const char *what;
} cases[] = {
    { S(""),                          true,  "empty" },
    { S("Smith"),                     true,  "ASCII" },
    { S("a\0b"),                      true,  "NUL is valid UTF-8" },
    { S("\x7f"),                      true,  "DEL" },
    { S("M\xc3\xbcller"),             true,  "U+00FC" },
    { S("\xc2\x80"),                  true,  "U+0080, smallest 2-byte" },
    { S("\xdf\xbf"),                  true,  "U+07FF, largest 2-byte" },
    { S("\xe0\xa0\x80"),              true,  "U+0800, smallest 3-byte" },
    { S("\xe2\x82\xac"),              true,  "U+20AC euro" },
    { S("\xe5\xb1\xb1\xe7\x94\xb0"),  true,  "CJK" },
    { S("\xed\x9f\xbf"),              true,  "U+D7FF, below the surrogates" },
    { S("\xee\x80\x80"),              true,  "U+E000, above the surrogates" },
    { S("\xef\xbf\xbf"),              true,  "U+FFFF" },
    { S("\xef\xbb\xbf" "x"),          true,  "BOM" },
    { S("\xf0\x90\x80\x80"),          true,  "U+10000, smallest 4-byte" },
    { S("\xf0\x9d\x84\x9e"),          true,  "U+1D11E" },
    { S("\xf4\x8f\xbf\xbf"),          true,  "U+10FFFF, the last code point" },

    { S("\x80"),                      false, "lone continuation" },
    { S("\xbf"),                      false, "lone continuation" },
    { S("a\x80z"),                    false, "continuation after ASCII" },
    { S("\xc3\xa9\xa9"),              false, "extra continuation" },
    { S("\xc0\x80"),                  false, "overlong NUL" },
    { S("\xc0\xaf"),                  false, "overlong '/'" },
    { S("\xc1\xbf"),                  false, "overlong U+007F" },
    { S("\xe0\x80\x80"),              false, "overlong 3-byte NUL" },
    { S("\xe0\x9f\xbf"),              false, "overlong U+07FF" },
    { S("\xf0\x80\x80\x80"),          false, "overlong 4-byte NUL" },
    { S("\xf0\x8f\xbf\xbf"),          false, "overlong U+FFFF" },
    { S("\xed\xa0\x80"),              false, "U+D800 high surrogate" },
    { S("\xed\xbf\xbf"),              false, "U+DFFF low surrogate" },
    { S("\xed\xa0\xbd\xed\xb2\xa9"),  false, "CESU-8 surrogate pair" },
    { S("\xf4\x90\x80\x80"),          false, "U+110000" },
    { S("\xf5\x80\x80\x80"),          false, "lead F5" },
    { S("\xf7\xbf\xbf\xbf"),          false, "lead F7" },
    { S("\xf8\x88\x80\x80\x80"),      false, "5-byte form" },
    { S("\xfc\x84\x80\x80\x80\x80"),  false, "6-byte form" },
    { S("\xfe"),                      false, "FE" },
    { S("\xff"),                      false, "FF" },
    { S("\xc3"),                      false, "truncated 2-byte" },
    { S("\xe2\x82"),                  false, "truncated 3-byte" },
    { S("\xf0\x9d\x84"),              false, "truncated 4-byte" },
    { S("abc\xe2\x82"),               false, "truncated at the end" },
    { S("\xc3(" ),                    false, "bad continuation" },
    { S("\xe2(\xa1"),                 false, "bad second byte" },
    { S("\xe2\x82("),                 false, "bad third byte" },
    { S("\xf0\x9d(\x9e"),             false, "bad third of four" },
    { S("\xc3\xa9\xc3"),              false, "valid then truncated" },
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (sw_utf8_valid(cases[i].s, cases[i].n) != cases[i].valid)
            fail_msg("case %zu (%s): want %s", i, cases[i].what,
                     cases[i].valid ? "valid" : "invalid");
}

/* The length is what counts: cutting a valid string inside a character
 * makes it invalid, and bytes past the length are never read. */
static void test_length_bounds_the_check(void **state)
{
    (void)state;
    const char *s = "\xe2\x82\xac\xff";
    assert_true(sw_utf8_valid(s, 3));
    assert_false(sw_utf8_valid(s, 4));
    assert_false(sw_utf8_valid(s, 2));
    assert_false(sw_utf8_valid(s, 1));
    assert_true(sw_utf8_valid(s, 0));
}

static size_t encode(uint32_t cp, char out[4])
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Every code point, in its shortest form: valid unless a surrogate; every
 * proper prefix of a multi-byte form: invalid. */
static void test_every_code_point(void **state)
{
    (void)state;
    char buf[4];
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        size_t n = encode(cp, buf);
        bool want = cp < 0xD800 || cp > 0xDFFF;
        if (sw_utf8_valid(buf, n) != want)
            fail_msg("U+%04X: want %s", (unsigned)cp, want ? "valid" : "invalid");
        for (size_t k = 1; k < n; k++)
            if (sw_utf8_valid(buf, k))
                fail_msg("U+%04X cut to %zu bytes was accepted", (unsigned)cp, k);
    }
}

/* Every two-byte string against the rule written out directly: lead C2..DF
 * and a continuation byte, or two ASCII bytes. */
static void test_every_two_byte_string(void **state)
{
    (void)state;
    for (unsigned a = 0; a < 256; a++) {
        for (unsigned b = 0; b < 256; b++) {
            char s[2] = { (char)a, (char)b };
            bool want = (a < 0x80 && b < 0x80)
                     || (a >= 0xC2 && a <= 0xDF && b >= 0x80 && b <= 0xBF);
            if (sw_utf8_valid(s, 2) != want)
                fail_msg("%02X %02X: want %s", a, b, want ? "valid" : "invalid");
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_length_bounds_the_check),
        cmocka_unit_test(test_every_code_point),
        cmocka_unit_test(test_every_two_byte_string),
    };
    return cmocka_run_group_tests_name("core/utf8", tests, NULL, NULL);
}
