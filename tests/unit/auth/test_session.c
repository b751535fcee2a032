/* test_session.c - the database-free half of src/auth/session.c: tokens,
 * their hashes, and the timeout arithmetic.
 *
 * A token is what a client holds and its hash is what the database holds,
 * so both forms are pinned exactly: the text shape, the one canonical
 * spelling per secret (no two texts reach the same row), and SHA-256 test
 * vectors. The timeout rules decide every request, so their boundaries are
 * pinned to the millisecond: a session one millisecond short of its idle
 * timeout or lifetime is live, at it is over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/session.h"
#include "core/limits.h"

static int init(void **state)
{
    (void)state;
    return auth_crypto_init();
}

static bool url_safe(const char *s, size_t n)
{
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789-_") == n;
}

static void test_new_tokens_have_the_documented_shape(void **state)
{
    (void)state;
    char seen[64][AUTH_TOKEN_TEXT];
    for (int i = 0; i < 64; i++) {
        auth_token t;
        auth_token_new(1, &t);
        auth_token_format(&t, seen[i]);
        assert_int_equal(strlen(seen[i]), 2 + 22);
        assert_true(strncmp(seen[i], "1.", 2) == 0);
        assert_true(url_safe(seen[i] + 2, 22));
        for (int j = 0; j < i; j++)
            assert_string_not_equal(seen[i], seen[j]);

        auth_token back;
        assert_true(auth_token_parse(seen[i], strlen(seen[i]), &back));
        assert_int_equal(back.practice_id, 1);
        assert_memory_equal(back.secret, t.secret, AUTH_SECRET_BYTES);
    }
    auth_token big;
    auth_token_new(AUTH_MAX_PRACTICE_ID, &big);
    char text[AUTH_TOKEN_TEXT];
    auth_token_format(&big, text);
    assert_int_equal(strlen(text), AUTH_TOKEN_TEXT - 1);
    assert_true(strlen(text) <= SW_SESSION_MAX_TOKEN_BYTES);
    auth_token back;
    assert_true(auth_token_parse(text, strlen(text), &back));
    assert_int_equal(back.practice_id, AUTH_MAX_PRACTICE_ID);
}

static void test_secret_encoding_is_canonical(void **state)
{
    (void)state;
    unsigned char zero[AUTH_SECRET_BYTES] = { 0 }, ff[AUTH_SECRET_BYTES];
    memset(ff, 0xff, sizeof ff);
    char text[AUTH_SECRET_TEXT];
    auth_secret_encode(zero, text);
    assert_string_equal(text, "AAAAAAAAAAAAAAAAAAAAAA");
    auth_secret_encode(ff, text);
    assert_string_equal(text, "_____________________w");

    unsigned char out[AUTH_SECRET_BYTES];
    assert_true(auth_secret_decode("_____________________w", 22, out));
    assert_memory_equal(out, ff, sizeof ff);
    static const char *const bad[] = {
        "",
        "AAAAAAAAAAAAAAAAAAAAA",            /* 21 characters */
        "AAAAAAAAAAAAAAAAAAAAAAA",          /* 23 */
        "AAAAAAAAAAAAAAAAAAAAAB",           /* trailing bits not zero */
        "_____________________x",
        "AAAAAAAAAAAAAAAAAAAA==",           /* padding */
        "AAAAAAAAAAAAAAAAAAAAA+",           /* the other alphabet */
        "AAAAAAAAAAAAAAAAAAAAA/",
        "AAAAAAAAAA AAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAA\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(auth_secret_decode(bad[i], strlen(bad[i]), out));
}

static void test_tokens_that_do_not_parse(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        ".",
        "1",
        "1.",
        "AAAAAAAAAAAAAAAAAAAAAA",             /* no practice */
        ".AAAAAAAAAAAAAAAAAAAAAA",
        "0.AAAAAAAAAAAAAAAAAAAAAA",           /* practice 0 */
        "01.AAAAAAAAAAAAAAAAAAAAAA",          /* leading zero: two spellings */
        "-1.AAAAAAAAAAAAAAAAAAAAAA",
        "+1.AAAAAAAAAAAAAAAAAAAAAA",
        " 1.AAAAAAAAAAAAAAAAAAAAAA",
        "1x.AAAAAAAAAAAAAAAAAAAAAA",
        "1000000000000000000.AAAAAAAAAAAAAAAAAAAAAA",  /* 19 digits */
        "1.AAAAAAAAAAAAAAAAAAAAAB",
        "1.AAAAAAAAAAAAAAAAAAAAAA.",
        "1.AAAAAAAAAAAAAAAAAAAAAA ",
        "1..AAAAAAAAAAAAAAAAAAAAAA",
        "1.' OR '1'='1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        auth_token t;
        if (auth_token_parse(bad[i], strlen(bad[i]), &t))
            fail_msg("'%s' parsed", bad[i]);
    }
    /* A length that stops short of a NUL is honoured. */
    auth_token t;
    assert_true(auth_token_parse("12.AAAAAAAAAAAAAAAAAAAAAAxyz", 25, &t));
    assert_int_equal(t.practice_id, 12);
}

static void test_hash_is_sha256_hex(void **state)
{
    (void)state;
    unsigned char zero[AUTH_SECRET_BYTES] = { 0 }, seq[AUTH_SECRET_BYTES];
    for (int i = 0; i < AUTH_SECRET_BYTES; i++)
        seq[i] = (unsigned char)i;
    char hex[AUTH_HASH_HEX];
    /* sha256(16 zero bytes), sha256(00 01 … 0f), from Python's hashlib. */
    auth_secret_hash(zero, hex);
    assert_string_equal(hex, "374708fff7719dd5979ec875d56cd2286f6d3cf7ec317a3b25632aab28ec37bb");
    auth_secret_hash(seq, hex);
    assert_string_equal(hex, "be45cb2605bf36bebde684841a28f0fd43c69850a3dce5fedba69928ee3a8991");
    /* The practice is not part of what is hashed: it only routes. */
    auth_token a = { .practice_id = 1 }, b = { .practice_id = 2 };
    char ha[AUTH_HASH_HEX], hb[AUTH_HASH_HEX];
    auth_secret_hash(a.secret, ha);
    auth_secret_hash(b.secret, hb);
    assert_string_equal(ha, hb);
}

static void test_default_policy(void **state)
{
    (void)state;
    auth_policy p;
    auth_policy_default(&p);
    assert_int_equal(p.idle_ms, 15 * 60 * 1000);
    assert_int_equal(p.max_ms, 12 * 3600 * 1000);
    assert_int_equal(p.lockout_ms, 15 * 60 * 1000);
}

#define MIN  (60 * 1000LL)
#define HOUR (60 * MIN)
#define T0   1795566225000LL                  /* 2026-11-25T00:23:45Z */

static const struct {
    const char        *what;
    int64_t            last_seen;
    int64_t            expires;
    bool               revoked;
    int64_t            now;
    int64_t            idle;
    auth_session_state want;
} state_cases[] = {
    { "just created",          T0, T0 + 12 * HOUR, false, T0,                  15 * MIN, AUTH_SESSION_LIVE },
    { "1 ms before idle",      T0, T0 + 12 * HOUR, false, T0 + 15 * MIN - 1,   15 * MIN, AUTH_SESSION_LIVE },
    { "1 s before idle",       T0, T0 + 12 * HOUR, false, T0 + 15 * MIN - 1000, 15 * MIN, AUTH_SESSION_LIVE },
    { "at idle",               T0, T0 + 12 * HOUR, false, T0 + 15 * MIN,       15 * MIN, AUTH_SESSION_IDLE },
    { "1 s after idle",        T0, T0 + 12 * HOUR, false, T0 + 15 * MIN + 1000, 15 * MIN, AUTH_SESSION_IDLE },
    { "1 ms before expiry",    T0 + 12 * HOUR - MIN, T0 + 12 * HOUR, false,
                               T0 + 12 * HOUR - 1, 15 * MIN, AUTH_SESSION_LIVE },
    { "at expiry, active",     T0 + 12 * HOUR - 1, T0 + 12 * HOUR, false,
                               T0 + 12 * HOUR, 15 * MIN, AUTH_SESSION_EXPIRED },
    { "expiry wins over idle", T0, T0 + 10 * MIN, false, T0 + 20 * MIN,    15 * MIN, AUTH_SESSION_EXPIRED },
    { "revoked wins",          T0, T0 + 12 * HOUR, true, T0 + 1,          15 * MIN, AUTH_SESSION_REVOKED },
    { "revoked and expired",   T0, T0 + 1, true, T0 + 20 * HOUR,         15 * MIN, AUTH_SESSION_REVOKED },
    { "clock went back",       T0, T0 + 12 * HOUR, false, T0 - 30 * MIN,  15 * MIN, AUTH_SESSION_LIVE },
    { "seconds: 2 s idle",     T0, T0 + HOUR, false, T0 + 1999,          2000,     AUTH_SESSION_LIVE },
    { "seconds: at 2 s",       T0, T0 + HOUR, false, T0 + 2000,          2000,     AUTH_SESSION_IDLE },
};

static void test_session_state_boundaries(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof state_cases / sizeof state_cases[0]; i++) {
        auth_session_state got = auth_session_state_at(
            state_cases[i].last_seen, state_cases[i].expires,
            state_cases[i].revoked, state_cases[i].now, state_cases[i].idle);
        if (got != state_cases[i].want)
            fail_msg("%s: got %s, want %s", state_cases[i].what,
                     auth_session_state_name(got),
                     auth_session_state_name(state_cases[i].want));
    }
}

static void test_touch_interval(void **state)
{
    (void)state;
    /* At most a minute, at most a tenth of the idle timeout, at least 1 ms. */
    assert_int_equal(auth_session_touch_interval(15 * MIN), MIN);
    assert_int_equal(auth_session_touch_interval(24 * HOUR), MIN);
    assert_int_equal(auth_session_touch_interval(5 * MIN), 30 * 1000);
    assert_int_equal(auth_session_touch_interval(3000), 300);
    assert_int_equal(auth_session_touch_interval(5), 1);

    assert_false(auth_session_touch_due(T0, T0, 15 * MIN));
    assert_false(auth_session_touch_due(T0, T0 + MIN - 1, 15 * MIN));
    assert_true(auth_session_touch_due(T0, T0 + MIN, 15 * MIN));
    assert_false(auth_session_touch_due(T0, T0 - HOUR, 15 * MIN));
    /* Touching at the interval keeps a busy session alive indefinitely
     * (until its lifetime): the lag is always below the idle timeout. */
    int64_t idle = 15 * MIN, seen = T0;
    for (int64_t now = T0; now < T0 + 4 * HOUR; now += 14 * MIN) {
        assert_int_equal(auth_session_state_at(seen, T0 + 12 * HOUR, false, now, idle),
                         AUTH_SESSION_LIVE);
        if (auth_session_touch_due(seen, now, idle))
            seen = now;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_tokens_have_the_documented_shape),
        cmocka_unit_test(test_secret_encoding_is_canonical),
        cmocka_unit_test(test_tokens_that_do_not_parse),
        cmocka_unit_test(test_hash_is_sha256_hex),
        cmocka_unit_test(test_default_policy),
        cmocka_unit_test(test_session_state_boundaries),
        cmocka_unit_test(test_touch_interval),
    };
    return cmocka_run_group_tests(tests, init, NULL);
}
