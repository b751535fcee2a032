/* test_mfa.c - multi-factor sign-in against a real database, on each
 * store, with the wall clock pinned (core/clock.h), so every code is
 * computed for a known time step and no test waits for the next one:
 * enrolment stores a secret that is in force only once confirmed; the
 * recovery codes are shown once and kept only hashed; a user with MFA
 * needs a code, a missing or wrong one counts towards the lock and is
 * reported as such only after a correct password; no code works twice;
 * each recovery code works once; the practice's admin rule opens
 * enrolment-only sessions; and the recorder sees every attempt, known
 * user or not, inside the transaction of its outcome. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/login.h"
#include "auth/mfa.h"
#include "auth/password.h"
#include "auth/session.h"
#include "auth/totp.h"
#include "auth/users.h"
#include "core/clock.h"
#include "core/limits.h"
#include "testdb.h"

#define PASSWORD "correct-horse-battery-9"
#define T0       1795566225000LL               /* 2026-11-25T00:23:45Z */
#define STEP_MS  (AUTH_TOTP_PERIOD_S * 1000LL)

static char hash[AUTH_HASH_MAX];

struct event {
    auth_login_outcome outcome;
    int64_t user_id;
    char    username[80];
    bool    enrol_only;
};

struct fixture {
    sw_store   *store;
    sw_arena   *arena;
    auth_policy policy;
    struct event events[32];
    int         nevents;
    bool        recorder_fails;
};

static int group_setup(void **state)
{
    (void)state;
    if (auth_crypto_init() != SW_OK)
        return -1;
    return auth_password_hash(PASSWORD, hash, NULL);
}

/* Users: 1 admin (practice_admin), 2 doc (physician). */
static int seed_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    bool created;
    int rc = auth_practice_ensure(tx, 1, "Test Practice", false, &created);
    static const char *const names[] = { "admin", "doc" };
    static const char *const roles[] = { "practice_admin", "physician" };
    for (size_t i = 0; rc == SW_OK && i < 2; i++) {
        auth_new_user u = { .practice_id = 1, .username = names[i],
                            .display_name = "Someone", .password_hash = hash,
                            .roles = roles[i] };
        rc = auth_user_create(tx, &u, &created, NULL);
    }
    return rc;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char *url = sw_test_fresh_db();
    store_options so = { .create = true };
    sw_err err;
    int rc = store_open(url, &so, &f->store, &err);
    free(url);
    if (rc == SW_OK)
        rc = store_migrate(f->store, NULL, NULL, &err);
    if (rc == SW_OK)
        rc = store_write(f->store, seed_fn, NULL, &err);
    if (rc != SW_OK) {
        fprintf(stderr, "setup: %s\n", sw_err_text(&err));
        return -1;
    }
    f->arena = sw_arena_create(0);
    auth_policy_default(&f->policy);
    sw_clock_set_fixed(T0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sw_clock_set_fixed(0);
    store_close(f->store);
    sw_arena_destroy(f->arena);
    free(f);
    return 0;
}

/* ---- Helpers ------------------------------------------------------------- */

static int recorder(store_tx *tx, const auth_login_event *ev, void *ctx)
{
    (void)tx;
    struct fixture *f = ctx;
    if (f->recorder_fails)
        return SW_ESTORE;
    if (f->nevents < 32) {
        struct event *e = &f->events[f->nevents++];
        e->outcome = ev->outcome;
        e->user_id = ev->user_id;
        snprintf(e->username, sizeof e->username, "%s", ev->username);
        e->enrol_only = ev->mfa_enrol_only;
    }
    return SW_OK;
}

static int login(struct fixture *f, const char *user, const char *password,
                 const char *totp, auth_login_result *out)
{
    auth_login_request req = { .practice_id = 1, .username = user,
                               .password = password, .totp = totp,
                               .client_address = "127.0.0.1",
                               .record = recorder, .record_ctx = f };
    sw_err err;
    return auth_login(f->store, &f->policy, f->arena, &req, out, &err);
}

static int64_t user_id_of(const char *name)
{
    return strcmp(name, "admin") == 0 ? 1 : 2;
}

struct q { const char *sql; int64_t v; };

static int q_fn(store_tx *tx, void *ctx)
{
    struct q *q = ctx;
    return store_query_int64(tx, &q->v, q->sql, "");
}

static int64_t query(struct fixture *f, const char *sql)
{
    struct q q = { sql, 0 };
    sw_err err;
    if (store_read(f->store, q_fn, &q, &err) != SW_OK)
        fail_msg("query failed: %s", sw_err_text(&err));
    return q.v;
}

/* The code of the secret for the step holding wall time t. */
static void code_at(const char *secret, int64_t t, char out[7])
{
    unsigned char key[32];
    size_t n = 0;
    assert_true(auth_base32_decode(secret, key, sizeof key, &n));
    assert_int_equal(n, AUTH_TOTP_SECRET_BYTES);
    auth_totp_code(key, n, auth_totp_step(t), out);
}

/* Enrols user and confirms with the code of the step before now, leaving
 * now and the next step for sign-ins. */
static void enrol(struct fixture *f, const char *user, char *secret,
                  char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_TEXT])
{
    auth_mfa_setup setup;
    sw_err err;
    assert_int_equal(auth_mfa_begin(f->store, 1, user_id_of(user), user,
                                    &setup, &err), SW_OK);
    strcpy(secret, setup.secret);
    char code[7];
    code_at(secret, sw_now_wall_ms() - STEP_MS, code);
    int rc = auth_mfa_confirm(f->store, &f->policy, 1, user_id_of(user), code,
                              codes, NULL, NULL, &err);
    if (rc != SW_OK)
        fail_msg("confirm: %s", sw_err_text(&err));
}

static int set_rule_fn(store_tx *tx, void *ctx)
{
    return auth_mfa_set_admin_required_tx(tx, 1, *(bool *)ctx);
}

static void set_admin_rule(struct fixture *f, bool on)
{
    sw_err err;
    assert_int_equal(store_write(f->store, set_rule_fn, &on, &err), SW_OK);
}

/* ---- Enrolment ----------------------------------------------------------- */

static void test_enrolment_in_two_steps(void **state)
{
    struct fixture *f = *state;
    auth_mfa_setup setup;
    sw_err err;
    assert_int_equal(auth_mfa_begin(f->store, 1, 2, "doc", &setup, &err), SW_OK);
    assert_int_equal(strlen(setup.secret), 32);
    assert_non_null(strstr(setup.uri, "otpauth://totp/Stagewise:doc?secret="));
    assert_non_null(strstr(setup.uri, setup.secret));

    /* Pending, not in force: sign-in needs no code yet. */
    auth_mfa_status st;
    assert_int_equal(auth_mfa_get_status(f->store, 1, 2, &st, &err), SW_OK);
    assert_false(st.enabled);
    assert_true(st.pending);
    auth_login_result r;
    assert_int_equal(login(f, "doc", PASSWORD, NULL, &r), SW_OK);

    /* A wrong code does not turn it on, and counts as a failure. */
    char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_TEXT];
    assert_int_equal(auth_mfa_confirm(f->store, &f->policy, 1, 2, "000000",
                                      codes, NULL, NULL, &err), SW_EINVAL);
    assert_int_equal(query(f, "SELECT failed_logins FROM app_user WHERE "
                           "user_id = 2"), 1);
    char code[7];
    code_at(setup.secret, T0, code);
    assert_int_equal(auth_mfa_confirm(f->store, &f->policy, 1, 2, code, codes,
                                      NULL, NULL, &err), SW_OK);
    assert_int_equal(query(f, "SELECT failed_logins FROM app_user WHERE "
                           "user_id = 2"), 0);

    /* Ten distinct recovery codes, stored only as hashes. */
    for (int i = 0; i < AUTH_RECOVERY_CODES; i++) {
        assert_int_equal(strlen(codes[i]), 19);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(codes[i], codes[j]);
    }
    assert_int_equal(query(f, "SELECT COUNT(*) FROM app_recovery_code WHERE "
                           "user_id = 2 AND used_at = 0"), AUTH_RECOVERY_CODES);
    assert_int_equal(query(f, "SELECT COUNT(*) FROM app_recovery_code WHERE "
                           "length(code_hash) = 64"), AUTH_RECOVERY_CODES);
    assert_int_equal(auth_mfa_get_status(f->store, 1, 2, &st, &err), SW_OK);
    assert_true(st.enabled);
    assert_int_equal(st.recovery_left, AUTH_RECOVERY_CODES);

    /* On: no second enrolment over it, no second confirmation. */
    assert_int_equal(auth_mfa_begin(f->store, 1, 2, "doc", &setup, &err),
                     SW_ECONFLICT);
    assert_int_equal(auth_mfa_confirm(f->store, &f->policy, 1, 2, code, codes,
                                      NULL, NULL, &err), SW_ECONFLICT);
    /* Confirming without a started enrolment is a conflict too. */
    assert_int_equal(auth_mfa_confirm(f->store, &f->policy, 1, 1, code, codes,
                                      NULL, NULL, &err), SW_ECONFLICT);
}

/* ---- Signing in with a code ---------------------------------------------- */

static void test_sign_in_needs_the_code(void **state)
{
    struct fixture *f = *state;
    char secret[AUTH_TOTP_SECRET_TEXT];
    char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_TEXT];
    enrol(f, "doc", secret, codes);
    auth_login_result r;

    /* Right password, no code: refused, reported as MFA, counted. */
    assert_int_equal(login(f, "doc", PASSWORD, NULL, &r), SW_EUNAUTH);
    assert_int_equal(r.outcome, AUTH_LOGIN_MFA_MISSING);
    assert_int_equal(r.token[0], '\0');
    assert_int_equal(query(f, "SELECT failed_logins FROM app_user WHERE "
                           "user_id = 2"), 1);
    /* Wrong password, right code: an ordinary refusal; whether the
     * account has MFA is not revealed. */
    char code[7];
    code_at(secret, T0, code);
    assert_int_equal(login(f, "doc", "not-the-password-1", code, &r), SW_EUNAUTH);
    assert_int_equal(r.outcome, AUTH_LOGIN_REFUSED_ANY);
    /* Wrong code: refused as MFA. */
    assert_int_equal(login(f, "doc", PASSWORD, "123456", &r), SW_EUNAUTH);
    assert_int_equal(r.outcome, AUTH_LOGIN_MFA_MISSING);

    /* The code of now: in, and the count is reset. */
    assert_int_equal(login(f, "doc", PASSWORD, code, &r), SW_OK);
    assert_int_equal(r.outcome, AUTH_LOGIN_SIGNED_IN);
    assert_false(r.session.mfa_enrol_only);
    assert_int_equal(query(f, "SELECT failed_logins FROM app_user WHERE "
                           "user_id = 2"), 0);
    /* The same code again: refused (used), even within its 30 s. */
    assert_int_equal(login(f, "doc", PASSWORD, code, &r), SW_EUNAUTH);
    assert_int_equal(r.outcome, AUTH_LOGIN_MFA_MISSING);
    /* The code the enrolment used (a step earlier) is no better. */
    char before[7];
    code_at(secret, T0 - STEP_MS, before);
    assert_int_equal(login(f, "doc", PASSWORD, before, &r), SW_EUNAUTH);
    /* The next step's code works (the clock skew window), once. */
    char next[7];
    code_at(secret, T0 + STEP_MS, next);
    assert_int_equal(login(f, "doc", PASSWORD, next, &r), SW_OK);
    assert_int_equal(login(f, "doc", PASSWORD, next, &r), SW_EUNAUTH);
    /* Typed with a space in the middle: the same code. */
    sw_clock_set_fixed(T0 + 2 * STEP_MS);
    char spaced[8];
    code_at(secret, T0 + 2 * STEP_MS, code);
    snprintf(spaced, sizeof spaced, "%.3s %.3s", code, code + 3);
    assert_int_equal(login(f, "doc", PASSWORD, spaced, &r), SW_OK);
}

static void test_wrong_codes_lock_the_account(void **state)
{
    struct fixture *f = *state;
    char secret[AUTH_TOTP_SECRET_TEXT];
    char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_TEXT];
    enrol(f, "doc", secret, codes);
    auth_login_result r;
    for (int i = 1; i < SW_LOGIN_MAX_FAILURES; i++) {
        assert_int_equal(login(f, "doc", PASSWORD, "000000", &r), SW_EUNAUTH);
        assert_int_equal(r.outcome, AUTH_LOGIN_MFA_MISSING);
    }
    assert_int_equal(login(f, "doc", PASSWORD, "000000", &r), SW_EUNAUTH);
    assert_int_equal(r.outcome, AUTH_LOGIN_LOCKED_NOW);
    /* Locked: the right code does not help, and says nothing of MFA. */
    sw_clock_set_fixed(T0 + 1000);
    char code[7];
    code_at(secret, T0, code);
    assert_int_equal(login(f, "doc", PASSWORD, code, &r), SW_EUNAUTH);
    assert_int_equal(r.outcome, AUTH_LOGIN_REFUSED_ANY);
    /* After the lock, the same (still unused) code works. */
    sw_clock_set_fixed(T0 + f->policy.lockout_ms);
    code_at(secret, T0 + f->policy.lockout_ms, code);
    assert_int_equal(login(f, "doc", PASSWORD, code, &r), SW_OK);
}

static void test_recovery_code_works_once(void **state)
{
    struct fixture *f = *state;
    char secret[AUTH_TOTP_SECRET_TEXT];
    char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_TEXT];
    enrol(f, "doc", secret, codes);
    auth_login_result r;
    assert_int_equal(login(f, "doc", PASSWORD, codes[3], &r), SW_OK);
    assert_int_equal(login(f, "doc", PASSWORD, codes[3], &r), SW_EUNAUTH);
    assert_int_equal(r.outcome, AUTH_LOGIN_MFA_MISSING);
    assert_int_equal(query(f, "SELECT COUNT(*) FROM app_recovery_code WHERE "
                           "user_id = 2 AND used_at = 0"),
                     AUTH_RECOVERY_CODES - 1);
    /* Capitals and spaces instead of hyphens: the same code. */
    char typed[AUTH_RECOVERY_TEXT];
    for (size_t i = 0; i < sizeof typed; i++) {
        char c = codes[5][i];
        typed[i] = c == '-' ? ' ' : (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    assert_int_equal(login(f, "doc", PASSWORD, typed, &r), SW_OK);
    /* A made-up one of the right shape is refused. */
    assert_int_equal(login(f, "doc", PASSWORD, "abcd-efgh-ijkm-npqr", &r),
                     SW_EUNAUTH);
}

static void test_turning_mfa_off(void **state)
{
    struct fixture *f = *state;
    char secret[AUTH_TOTP_SECRET_TEXT];
    char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_TEXT];
    enrol(f, "doc", secret, codes);
    sw_err err;
    assert_int_equal(auth_mfa_disable(f->store, &f->policy, 1, 2, "000000",
                                      NULL, NULL, &err), SW_EINVAL);
    assert_int_equal(query(f, "SELECT failed_logins FROM app_user WHERE "
                           "user_id = 2"), 1);
    assert_int_equal(auth_mfa_disable(f->store, &f->policy, 1, 2, codes[0],
                                      NULL, NULL, &err), SW_OK);
    assert_int_equal(query(f, "SELECT COUNT(*) FROM app_recovery_code"), 0);
    assert_int_equal(query(f, "SELECT length(totp_secret) FROM app_user "
                           "WHERE user_id = 2"), 0);
    auth_login_result r;
    assert_int_equal(login(f, "doc", PASSWORD, NULL, &r), SW_OK);
    assert_int_equal(auth_mfa_disable(f->store, &f->policy, 1, 2, codes[1],
                                      NULL, NULL, &err), SW_ECONFLICT);
}

/* ---- The practice's admin rule ------------------------------------------- */

static void test_admin_rule_opens_enrolment_only_sessions(void **state)
{
    struct fixture *f = *state;
    auth_login_result r;
    /* Off: a normal session. */
    assert_int_equal(login(f, "admin", PASSWORD, NULL, &r), SW_OK);
    assert_false(r.session.mfa_enrol_only);

    set_admin_rule(f, true);
    assert_int_equal(login(f, "admin", PASSWORD, NULL, &r), SW_OK);
    assert_true(r.session.mfa_enrol_only);
    /* The flag is stored with the session, so every request sees it. */
    auth_session s;
    sw_err err;
    assert_int_equal(auth_session_authenticate(f->store, &f->policy, f->arena,
                                               r.token, strlen(r.token), &s,
                                               &err), SW_OK);
    assert_true(s.mfa_enrol_only);
    /* Not an admin role: unaffected. */
    assert_int_equal(login(f, "doc", PASSWORD, NULL, &r), SW_OK);
    assert_false(r.session.mfa_enrol_only);

    /* Once the admin has enrolled: a code, then a full session. */
    char secret[AUTH_TOTP_SECRET_TEXT];
    char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_TEXT];
    enrol(f, "admin", secret, codes);
    assert_int_equal(login(f, "admin", PASSWORD, NULL, &r), SW_EUNAUTH);
    char code[7];
    code_at(secret, T0, code);
    assert_int_equal(login(f, "admin", PASSWORD, code, &r), SW_OK);
    assert_false(r.session.mfa_enrol_only);
}

/* ---- The recorder -------------------------------------------------------- */

static void test_every_attempt_is_recorded(void **state)
{
    struct fixture *f = *state;
    auth_login_result r;
    assert_int_equal(login(f, "doc", PASSWORD, NULL, &r), SW_OK);
    assert_int_equal(login(f, "nobody", PASSWORD, NULL, &r), SW_EUNAUTH);
    assert_int_equal(r.user_id, 0);
    for (int i = 0; i < SW_LOGIN_MAX_FAILURES; i++)
        login(f, "doc", "not-the-password-1", NULL, &r);
    assert_int_equal(f->nevents, 2 + SW_LOGIN_MAX_FAILURES);
    assert_int_equal(f->events[0].outcome, AUTH_LOGIN_SIGNED_IN);
    assert_int_equal(f->events[0].user_id, 2);
    assert_int_equal(f->events[1].outcome, AUTH_LOGIN_REFUSED_ANY);
    assert_int_equal(f->events[1].user_id, 0);
    assert_string_equal(f->events[1].username, "nobody");
    assert_int_equal(f->events[2].outcome, AUTH_LOGIN_REFUSED_ANY);
    assert_int_equal(f->events[2].user_id, 2);
    assert_int_equal(f->events[1 + SW_LOGIN_MAX_FAILURES].outcome,
                     AUTH_LOGIN_LOCKED_NOW);

    /* A practice that does not exist: refused, nothing recorded. */
    int before = f->nevents;
    auth_login_request req = { .practice_id = 99, .username = "doc",
                               .password = PASSWORD, .record = recorder,
                               .record_ctx = f };
    sw_err err;
    assert_int_equal(auth_login(f->store, &f->policy, f->arena, &req, &r, &err),
                     SW_EUNAUTH);
    assert_int_equal(f->nevents, before);
}

static void test_recorder_failure_undoes_the_sign_in(void **state)
{
    struct fixture *f = *state;
    f->recorder_fails = true;
    auth_login_result r;
    int rc = login(f, "admin", PASSWORD, NULL, &r);
    assert_int_not_equal(rc, SW_OK);
    assert_int_not_equal(rc, SW_EUNAUTH);
    assert_int_equal(query(f, "SELECT COUNT(*) FROM app_session"), 0);
    /* A failure that cannot be recorded is not counted either. */
    rc = login(f, "admin", "not-the-password-1", NULL, &r);
    assert_int_not_equal(rc, SW_EUNAUTH);
    assert_int_equal(query(f, "SELECT failed_logins FROM app_user WHERE "
                           "user_id = 1"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enrolment_in_two_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sign_in_needs_the_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_codes_lock_the_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recovery_code_works_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_turning_mfa_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_rule_opens_enrolment_only_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_attempt_is_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recorder_failure_undoes_the_sign_in, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
