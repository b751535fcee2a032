/* test_login.c - the sign-in rules (src/auth/login.c) and session lookups
 * (src/auth/session.c) against a real database, on each store, with the
 * wall clock pinned (core/clock.h) so that every boundary is exact and no
 * test sleeps: a lock holds until the millisecond it ends, a session one
 * second short of its idle timeout passes and one second past it fails,
 * last_seen_at is written only when it has moved by the touch interval,
 * and every kind of refusal gives the same code and sentence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/login.h"
#include "auth/password.h"
#include "auth/session.h"
#include "auth/users.h"
#include "core/clock.h"
#include "core/limits.h"
#include "testdb.h"

#define PASSWORD "correct-horse-battery-9"
#define MIN      (60 * 1000LL)
#define T0       1795566225000LL               /* 2026-11-25T00:23:45Z */

/* One password hash for every test: argon2id is slow on purpose. */
static char hash[AUTH_HASH_MAX];

struct fixture {
    sw_store   *store;
    sw_arena   *arena;
    auth_policy policy;
};

static int group_setup(void **state)
{
    (void)state;
    if (auth_crypto_init() != SW_OK)
        return -1;
    return auth_password_hash(PASSWORD, hash, NULL);
}

static int seed_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    bool created;
    int rc = auth_practice_ensure(tx, 1, "Test Practice", false, &created);
    static const char *const names[] = { "admin", "gone", "other" };
    for (size_t i = 0; rc == SW_OK && i < 3; i++) {
        auth_new_user u = { .practice_id = 1, .username = names[i],
                            .display_name = "Someone", .password_hash = hash,
                            .roles = "physician, super_user" };
        rc = auth_user_create(tx, &u, &created, NULL);
    }
    if (rc == SW_OK)
        rc = store_exec(tx, NULL, "UPDATE app_user SET disabled = 1 WHERE "
                        "practice_id = 1 AND username = 'gone'", NULL);
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

static int login(struct fixture *f, const char *user, const char *password,
                 int64_t practice, auth_login_result *out, sw_err *err)
{
    auth_login_request req = { .practice_id = practice, .username = user,
                               .password = password,
                               .client_address = "127.0.0.1" };
    return auth_login(f->store, &f->policy, f->arena, &req, out, err);
}

static void login_ok(struct fixture *f, auth_login_result *out)
{
    sw_err err;
    int rc = login(f, "admin", PASSWORD, 1, out, &err);
    if (rc != SW_OK)
        fail_msg("sign-in failed: %s", sw_err_text(&err));
}

static void refused(struct fixture *f, const char *user, const char *password,
                    int64_t practice)
{
    auth_login_result out;
    sw_err err;
    assert_int_equal(login(f, user, password, practice, &out, &err), SW_EUNAUTH);
    assert_string_equal(err.msg, AUTH_LOGIN_REFUSED);
    assert_int_equal(out.token[0], '\0');
}

static int authenticate(struct fixture *f, const char *token)
{
    auth_session s;
    sw_err err;
    return auth_session_authenticate(f->store, &f->policy, f->arena, token,
                                     strlen(token), &s, &err);
}

struct q { const char *sql; const char *arg; int64_t v; };

static int q_fn(store_tx *tx, void *ctx)
{
    struct q *q = ctx;
    return store_query_int64(tx, &q->v, q->sql, "t", q->arg);
}

/* Column 0 of the first row of sql, with one text parameter. */
static int64_t query(struct fixture *f, const char *sql, const char *arg)
{
    struct q q = { sql, arg, 0 };
    sw_err err;
    if (store_read(f->store, q_fn, &q, &err) != SW_OK)
        fail_msg("query failed: %s", sw_err_text(&err));
    return q.v;
}

static int exec_fn(store_tx *tx, void *ctx)
{
    struct q *q = ctx;
    return store_exec(tx, NULL, q->sql, "t", q->arg);
}

/* Runs sql, with one text parameter, in a write. */
static void exec(struct fixture *f, const char *sql, const char *arg)
{
    struct q q = { sql, arg, 0 };
    sw_err err;
    if (store_write(f->store, exec_fn, &q, &err) != SW_OK)
        fail_msg("statement failed: %s", sw_err_text(&err));
}

static int64_t user_col(struct fixture *f, const char *col)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT %s FROM app_user WHERE practice_id = 1 "
             "AND username = ?", col);
    return query(f, sql, "admin");
}

static int64_t last_seen(struct fixture *f, const auth_login_result *r)
{
    return query(f, "SELECT last_seen_at FROM app_session WHERE "
                 "practice_id = 1 AND token_hash = ?", r->session.token_hash);
}

/* ---- Signing in ---------------------------------------------------------- */

static void test_sign_in_creates_a_session(void **state)
{
    struct fixture *f = *state;
    auth_login_result r;
    login_ok(f, &r);
    assert_true(strncmp(r.token, "1.", 2) == 0);
    assert_int_equal(strlen(r.csrf_token), 22);
    assert_int_equal(r.session.user_id, 1);
    assert_string_equal(r.session.username, "admin");
    assert_string_equal(r.session.roles, "physician, super_user");
    assert_int_equal(r.session.expires_ms, T0 + 12 * 60 * MIN);
    /* Stored: the hashes, never the token; when and from where. */
    assert_int_equal(query(f, "SELECT count(*) FROM app_session WHERE "
                           "token_hash = ?", r.session.token_hash), 1);
    assert_int_equal(query(f, "SELECT count(*) FROM app_session WHERE "
                           "token_hash = ?", r.token), 0);
    assert_int_equal(query(f, "SELECT expires_at FROM app_session WHERE "
                           "token_hash = ?", r.session.token_hash),
                     T0 + 12 * 60 * MIN);
    assert_int_equal(query(f, "SELECT count(*) FROM app_session WHERE "
                           "client_address = ?", "127.0.0.1"), 1);
    assert_int_equal(authenticate(f, r.token), SW_OK);

    auth_session s;
    sw_err err;
    assert_int_equal(auth_session_authenticate(f->store, &f->policy, f->arena,
                                               r.token, strlen(r.token), &s,
                                               &err), SW_OK);
    assert_true(auth_session_csrf_ok(&s, r.csrf_token));
    assert_false(auth_session_csrf_ok(&s, NULL));
    assert_false(auth_session_csrf_ok(&s, ""));
    assert_false(auth_session_csrf_ok(&s, r.token + 2));
    assert_false(auth_session_csrf_ok(&s, "AAAAAAAAAAAAAAAAAAAAAA"));
}

static void test_every_refusal_looks_the_same(void **state)
{
    struct fixture *f = *state;
    refused(f, "admin", "not-the-password-1", 1);     /* wrong password */
    refused(f, "nobody", PASSWORD, 1);                /* unknown user */
    refused(f, "gone", PASSWORD, 1);                  /* disabled */
    refused(f, "admin", PASSWORD, 2);                 /* another practice */
    refused(f, "ADMIN", PASSWORD, 1);                 /* usernames are exact */
    refused(f, "admin' OR '1'='1", PASSWORD, 1);
    /* The unknown user left no trace; the wrong password counted once. */
    assert_int_equal(user_col(f, "failed_logins"), 1);
    auth_login_result r;
    login_ok(f, &r);
    assert_int_equal(user_col(f, "failed_logins"), 0);
}

static void test_lock_holds_to_the_millisecond(void **state)
{
    struct fixture *f = *state;
    f->policy.lockout_ms = 15 * MIN;
    for (int i = 1; i < SW_LOGIN_MAX_FAILURES; i++) {
        refused(f, "admin", "not-the-password-1", 1);
        assert_int_equal(user_col(f, "failed_logins"), i);
        assert_int_equal(user_col(f, "locked_until"), 0);
    }
    refused(f, "admin", "not-the-password-1", 1);
    assert_int_equal(user_col(f, "locked_until"), T0 + 15 * MIN);

    /* The right password during the lock fails, and attempts during the
     * lock do not extend it. */
    sw_clock_set_fixed(T0 + 15 * MIN - 1000);
    refused(f, "admin", PASSWORD, 1);
    refused(f, "admin", "not-the-password-1", 1);
    sw_clock_set_fixed(T0 + 15 * MIN - 1);
    refused(f, "admin", PASSWORD, 1);
    assert_int_equal(user_col(f, "locked_until"), T0 + 15 * MIN);

    sw_clock_set_fixed(T0 + 15 * MIN);
    auth_login_result r;
    login_ok(f, &r);
    assert_int_equal(user_col(f, "locked_until"), 0);
    assert_int_equal(user_col(f, "failed_logins"), 0);
}

static void test_count_restarts_after_a_lock(void **state)
{
    struct fixture *f = *state;
    f->policy.lockout_ms = 3000;               /* as --lockout 3s */
    for (int i = 0; i < SW_LOGIN_MAX_FAILURES; i++)
        refused(f, "admin", "not-the-password-1", 1);
    sw_clock_set_fixed(T0 + 3000);
    for (int i = 1; i < SW_LOGIN_MAX_FAILURES; i++)
        refused(f, "admin", "not-the-password-1", 1);
    assert_int_equal(user_col(f, "failed_logins"), SW_LOGIN_MAX_FAILURES - 1);
    auth_login_result r;
    login_ok(f, &r);
    /* Other accounts are never touched by admin's failures. */
    assert_int_equal(query(f, "SELECT failed_logins + locked_until FROM app_user "
                           "WHERE username = ?", "other"), 0);
}

static void test_new_token_every_time(void **state)
{
    struct fixture *f = *state;
    auth_login_result a, b;
    login_ok(f, &a);
    login_ok(f, &b);
    assert_string_not_equal(a.token, b.token);
    assert_string_not_equal(a.csrf_token, b.csrf_token);
    assert_string_not_equal(a.session.token_hash, b.session.token_hash);
    assert_int_equal(authenticate(f, a.token), SW_OK);
    assert_int_equal(authenticate(f, b.token), SW_OK);
}

/* ---- Sessions ------------------------------------------------------------ */

static void test_idle_timeout_to_the_second(void **state)
{
    struct fixture *f = *state;
    auth_login_result r;
    login_ok(f, &r);
    int64_t idle = f->policy.idle_ms;
    /* One second before: passes (and counts as activity)... */
    sw_clock_set_fixed(T0 + idle - 1000);
    assert_int_equal(authenticate(f, r.token), SW_OK);
    int64_t seen = T0 + idle - 1000;
    assert_int_equal(last_seen(f, &r), seen);
    sw_clock_set_fixed(seen + idle - 1000);
    assert_int_equal(authenticate(f, r.token), SW_OK);
    seen += idle - 1000;
    /* ...one second after: over, and stays over. */
    sw_clock_set_fixed(seen + idle + 1000);
    assert_int_equal(authenticate(f, r.token), SW_EUNAUTH);
    sw_clock_set_fixed(seen + 1000);
    assert_int_equal(authenticate(f, r.token), SW_OK);
}

static void test_activity_is_written_rarely(void **state)
{
    struct fixture *f = *state;
    auth_login_result r;
    login_ok(f, &r);
    int64_t every = auth_session_touch_interval(f->policy.idle_ms);
    for (int64_t dt = 0; dt < every; dt += every / 4) {
        sw_clock_set_fixed(T0 + dt);
        assert_int_equal(authenticate(f, r.token), SW_OK);
        assert_int_equal(last_seen(f, &r), T0);
    }
    sw_clock_set_fixed(T0 + every);
    assert_int_equal(authenticate(f, r.token), SW_OK);
    assert_int_equal(last_seen(f, &r), T0 + every);
    /* A clock that went back never moves it backwards. */
    sw_clock_set_fixed(T0);
    assert_int_equal(authenticate(f, r.token), SW_OK);
    assert_int_equal(last_seen(f, &r), T0 + every);
}

static void test_lifetime_ends_a_busy_session(void **state)
{
    struct fixture *f = *state;
    f->policy.max_ms = 60 * MIN;
    auth_login_result r;
    login_ok(f, &r);
    for (int64_t t = T0; t < T0 + 60 * MIN; t += 10 * MIN) {
        sw_clock_set_fixed(t);
        assert_int_equal(authenticate(f, r.token), SW_OK);
    }
    sw_clock_set_fixed(T0 + 60 * MIN - 1000);
    assert_int_equal(authenticate(f, r.token), SW_OK);
    sw_clock_set_fixed(T0 + 60 * MIN);
    assert_int_equal(authenticate(f, r.token), SW_EUNAUTH);
}

static void test_revoked_disabled_and_forged(void **state)
{
    struct fixture *f = *state;
    auth_login_result a, b;
    login_ok(f, &a);
    login_ok(f, &b);
    sw_err err;
    assert_int_equal(auth_session_revoke(f->store, &a.session, &err), SW_OK);
    assert_int_equal(authenticate(f, a.token), SW_EUNAUTH);
    assert_int_equal(auth_session_revoke(f->store, &a.session, &err), SW_OK);
    assert_int_equal(authenticate(f, b.token), SW_OK);

    /* The right secret under another practice is another (absent) row. */
    char moved[AUTH_TOKEN_TEXT + 32];
    snprintf(moved, sizeof moved, "2%s", b.token + 1);
    assert_int_equal(authenticate(f, moved), SW_EUNAUTH);
    assert_int_equal(authenticate(f, "1.AAAAAAAAAAAAAAAAAAAAAA"), SW_EUNAUTH);
    assert_int_equal(authenticate(f, "garbage"), SW_EUNAUTH);

    /* Disabling the user ends their live sessions at the next request. */
    exec(f, "UPDATE app_user SET disabled = 1 WHERE practice_id = 1 AND "
         "username = ?", "admin");
    assert_int_equal(authenticate(f, b.token), SW_EUNAUTH);
}

static void test_dead_sessions_are_pruned_at_sign_in(void **state)
{
    struct fixture *f = *state;
    auth_login_result a, b, c, d;
    login_ok(f, &a);                           /* will be revoked */
    login_ok(f, &b);                           /* will go idle */
    sw_err err;
    assert_int_equal(auth_session_revoke(f->store, &a.session, &err), SW_OK);
    sw_clock_set_fixed(T0 + f->policy.idle_ms - 1000);
    login_ok(f, &c);                           /* live */
    assert_int_equal(query(f, "SELECT count(*) FROM app_session WHERE "
                           "csrf_hash <> ?", ""), 2);  /* a went, b stays */
    sw_clock_set_fixed(T0 + f->policy.idle_ms);
    login_ok(f, &d);                           /* b is idle now */
    assert_int_equal(query(f, "SELECT count(*) FROM app_session WHERE "
                           "csrf_hash <> ?", ""), 2);  /* c and d */
    assert_int_equal(authenticate(f, c.token), SW_OK);
    assert_int_equal(authenticate(f, d.token), SW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sign_in_creates_a_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_refusal_looks_the_same, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_holds_to_the_millisecond, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_restarts_after_a_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_token_every_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_timeout_to_the_second, setup, teardown),
        cmocka_unit_test_setup_teardown(test_activity_is_written_rarely, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifetime_ends_a_busy_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoked_disabled_and_forged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_sessions_are_pruned_at_sign_in, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
