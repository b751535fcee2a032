/* test_totp.c - the one-time code math of src/auth/totp.c against the
 * published vectors, no database: HOTP (RFC 4226 Appendix D), TOTP with
 * HMAC-SHA-1 (RFC 6238 Appendix B), base32 (RFC 4648 §10), plus the rules
 * this project adds on top: a code is accepted one step either side of
 * now and never for a step at or before the last one accepted, the shape
 * of a typed code, the otpauth:// URI, and recovery-code hashing that
 * forgives case, spaces and hyphens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/totp.h"

/* RFC 6238 Appendix B / RFC 4226 Appendix D: the ASCII of "1234567890"
 * twice is the SHA-1 key. */
static const unsigned char rfc_key[] = "12345678901234567890";
#define RFC_KEY_LEN 20

static void test_hotp_rfc4226_vectors(void **state)
{
    (void)state;
    static const uint32_t want[10] = {
        755224, 287082, 359152, 969429, 338314,
        254676, 287922, 162583, 399871, 520489,
    };
    for (uint64_t c = 0; c < 10; c++)
        assert_int_equal(auth_hotp(rfc_key, RFC_KEY_LEN, c, 6), want[c]);
}

static void test_totp_rfc6238_sha1_vectors(void **state)
{
    (void)state;
    static const struct { int64_t t; uint32_t code8; const char *code6; } v[] = {
        { 59LL,          94287082, "287082" },
        { 1111111109LL,   7081804, "081804" },
        { 1111111111LL,  14050471, "050471" },
        { 1234567890LL,  89005924, "005924" },
        { 2000000000LL,  69279037, "279037" },
        { 20000000000LL, 65353130, "353130" },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        int64_t step = auth_totp_step(v[i].t * 1000);
        assert_int_equal(step, v[i].t / 30);
        assert_int_equal(auth_hotp(rfc_key, RFC_KEY_LEN, (uint64_t)step, 8),
                         v[i].code8);
        char code[7];
        auth_totp_code(rfc_key, RFC_KEY_LEN, step, code);
        assert_string_equal(code, v[i].code6);
        /* And the matcher finds exactly that step. */
        assert_int_equal(auth_totp_match(rfc_key, RFC_KEY_LEN, v[i].code6,
                                         v[i].t * 1000, 0), step);
    }
}

static void test_step_boundaries(void **state)
{
    (void)state;
    assert_int_equal(auth_totp_step(0), 0);
    assert_int_equal(auth_totp_step(29999), 0);
    assert_int_equal(auth_totp_step(30000), 1);
    assert_int_equal(auth_totp_step(-1), -1);
}

static void test_base32_rfc4648_vectors(void **state)
{
    (void)state;
    static const struct { const char *plain, *b32; } v[] = {
        { "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
        { "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" },
        { "foobar", "MZXW6YTBOI" },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[32];
        assert_true(auth_base32_encode((const unsigned char *)v[i].plain,
                                       strlen(v[i].plain), out, sizeof out));
        assert_string_equal(out, v[i].b32);
        unsigned char back[32];
        size_t n = 0;
        assert_true(auth_base32_decode(v[i].b32, back, sizeof back, &n));
        assert_int_equal(n, strlen(v[i].plain));
        assert_memory_equal(back, v[i].plain, n);
    }
    /* Padding, lower case and spaces are forgiven on the way in. */
    unsigned char back[32];
    size_t n = 0;
    assert_true(auth_base32_decode("mzxw 6ytb oi======", back, sizeof back, &n));
    assert_int_equal(n, 6);
    assert_memory_equal(back, "foobar", 6);
    /* Other characters, and output past cap, are refused. */
    assert_false(auth_base32_decode("MZXW1", back, sizeof back, &n));
    assert_false(auth_base32_decode("MZXW6YTBOI", back, 3, &n));
    char small[4];
    assert_false(auth_base32_encode((const unsigned char *)"foobar", 6,
                                    small, sizeof small));
    /* A 20-byte secret takes all 32 characters, no padding. */
    unsigned char key[AUTH_TOTP_SECRET_BYTES];
    char text[AUTH_TOTP_SECRET_TEXT];
    auth_totp_secret_new(key);
    assert_true(auth_base32_encode(key, sizeof key, text, sizeof text));
    assert_int_equal(strlen(text), 32);
}

static void test_replay_is_refused(void **state)
{
    (void)state;
    int64_t now = 1111111111LL * 1000;
    int64_t step = auth_totp_step(now);
    char code[7];
    auth_totp_code(rfc_key, RFC_KEY_LEN, step, code);
    assert_int_equal(auth_totp_match(rfc_key, RFC_KEY_LEN, code, now, step - 1),
                     step);
    /* Once its step is recorded, the same code is refused... */
    assert_int_equal(auth_totp_match(rfc_key, RFC_KEY_LEN, code, now, step), -1);
    /* ...and so is any earlier one. */
    char prev[7];
    auth_totp_code(rfc_key, RFC_KEY_LEN, step - 1, prev);
    assert_int_equal(auth_totp_match(rfc_key, RFC_KEY_LEN, prev, now, step), -1);
}

static void test_skew_window(void **state)
{
    (void)state;
    int64_t now = 1234567890LL * 1000;
    int64_t step = auth_totp_step(now);
    for (int64_t d = -3; d <= 3; d++) {
        char code[7];
        auth_totp_code(rfc_key, RFC_KEY_LEN, step + d, code);
        int64_t got = auth_totp_match(rfc_key, RFC_KEY_LEN, code, now, 0);
        if (d >= -AUTH_TOTP_SKEW_STEPS && d <= AUTH_TOTP_SKEW_STEPS)
            assert_int_equal(got, step + d);
        else
            assert_int_equal(got, -1);
    }
    /* Wrong digits never match. */
    assert_int_equal(auth_totp_match(rfc_key, RFC_KEY_LEN, "000000", now, 0), -1);
    assert_int_equal(auth_totp_match(rfc_key, RFC_KEY_LEN, "12345", now, 0), -1);
}

static void test_code_shape(void **state)
{
    (void)state;
    char d[7];
    assert_true(auth_totp_code_shape("123456", d));
    assert_string_equal(d, "123456");
    assert_true(auth_totp_code_shape("123 456", d));
    assert_string_equal(d, "123456");
    assert_false(auth_totp_code_shape("12345", d));
    assert_false(auth_totp_code_shape("1234567", d));
    assert_false(auth_totp_code_shape("12a456", d));
    assert_false(auth_totp_code_shape("12 3456", d));
    assert_false(auth_totp_code_shape("", d));
}

static void test_otpauth_uri(void **state)
{
    (void)state;
    char uri[256];
    assert_true(auth_totp_uri("Stagewise", "dr rivera", "JBSWY3DPEHPK3PXP",
                              uri, sizeof uri));
    assert_string_equal(uri, "otpauth://totp/Stagewise:dr%20rivera?secret="
                        "JBSWY3DPEHPK3PXP&issuer=Stagewise&algorithm=SHA1"
                        "&digits=6&period=30");
    assert_false(auth_totp_uri("Stagewise", "dr rivera", "JBSWY3DPEHPK3PXP",
                               uri, 20));
}

static void test_recovery_codes(void **state)
{
    (void)state;
    char code[AUTH_RECOVERY_TEXT], other[AUTH_RECOVERY_TEXT];
    auth_recovery_code_new(code);
    auth_recovery_code_new(other);
    assert_int_equal(strlen(code), 19);
    assert_string_not_equal(code, other);
    char h1[65], h2[65], h3[65];
    assert_true(auth_recovery_code_hash(code, h1));
    assert_int_equal(strlen(h1), 64);
    assert_null(strstr(h1, code));
    /* Typed in capitals, without hyphens, with spaces: the same row. */
    char typed[40];
    size_t k = 0;
    for (const char *p = code; *p; p++) {
        if (*p == '-') {
            typed[k++] = ' ';
            continue;
        }
        typed[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    }
    typed[k] = '\0';
    assert_true(auth_recovery_code_hash(typed, h2));
    assert_string_equal(h1, h2);
    assert_true(auth_recovery_code_hash(other, h3));
    assert_string_not_equal(h1, h3);
    /* Too short, too long, or outside the alphabet (l, 0, 1 are not in
     * it): not a recovery code. */
    assert_false(auth_recovery_code_hash("abcd-efgh-ijkm", h2));
    assert_false(auth_recovery_code_hash("abcd-efgh-ijkm-npqr-s", h2));
    assert_false(auth_recovery_code_hash("abcd-efgh-ijkm-npq0", h2));
    assert_false(auth_recovery_code_hash("123456", h2));
}

int main(void)
{
    if (auth_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hotp_rfc4226_vectors),
        cmocka_unit_test(test_totp_rfc6238_sha1_vectors),
        cmocka_unit_test(test_step_boundaries),
        cmocka_unit_test(test_base32_rfc4648_vectors),
        cmocka_unit_test(test_replay_is_refused),
        cmocka_unit_test(test_skew_window),
        cmocka_unit_test(test_code_shape),
        cmocka_unit_test(test_otpauth_uri),
        cmocka_unit_test(test_recovery_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
