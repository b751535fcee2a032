/* test_users.c - account management (src/auth/users.c) and service API
 * tokens (src/auth/api_token.c) against a real database, on each store:
 * every change commits with its audit entry and every refusal writes
 * nothing; disabling ends the account's sessions and tokens at once; a
 * password reset ends sessions and clears a lockout; the practice keeps an
 * enabled administrator; tokens authenticate as their service account
 * with its scope, and revoked, forged or malformed ones do not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/api_token.h"
#include "auth/login.h"
#include "auth/password.h"
#include "auth/session.h"
#include "auth/users.h"
#include "core/clock.h"
#include "testdb.h"

#define PASSWORD  "correct-horse-battery-9"
#define PASSWORD2 "another-long-passphrase-7"
#define SCOPE     "demographics:write,scheduling:write,billing:read"

/* One password hash for the seeded admin: argon2id is slow on purpose. */
static char hash[AUTH_HASH_MAX];

struct fixture {
    sw_store   *store;
    sw_arena   *arena;
    auth_policy policy;
    audit_who   who;       /* the acting administrator, user 1 */
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
    auth_new_user u = { .practice_id = 1, .username = "admin",
                        .display_name = "Administrator", .password_hash = hash,
                        .roles = "practice_admin" };
    if (rc == SW_OK)
        rc = auth_user_create(tx, &u, &created, NULL);
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
    f->who = (audit_who){ .practice_id = 1, .user_id = 1, .username = "admin",
                          .roles = "practice_admin", .client = "127.0.0.1",
                          .request_id = "test" };
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->store);
    sw_arena_destroy(f->arena);
    free(f);
    return 0;
}

/* ---- Helpers ------------------------------------------------------------- */

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

static void exec(struct fixture *f, const char *sql, const char *arg)
{
    struct q q = { sql, arg, 0 };
    sw_err err;
    if (store_write(f->store, exec_fn, &q, &err) != SW_OK)
        fail_msg("statement failed: %s", sw_err_text(&err));
}

static int64_t audit_count(struct fixture *f)
{
    return query(f, "SELECT count(*) FROM audit_log WHERE action = ?",
                 AUDIT_ACCESS_CHANGE);
}

/* Whether an audit entry with exactly this detail exists. */
static bool audited(struct fixture *f, const char *detail)
{
    return query(f, "SELECT count(*) FROM audit_log WHERE "
                 "action = 'permission_change' AND user_id = 1 AND "
                 "username = 'admin' AND detail = ?", detail) == 1;
}

static int64_t add_person(struct fixture *f, const char *username,
                          const char *roles)
{
    auth_account_spec sp = { .username = username, .display_name = "Someone",
                             .roles = roles, .password = PASSWORD };
    int64_t id = 0;
    sw_err err;
    int rc = auth_account_create(f->store, &f->who, &sp, &id, &err);
    if (rc != SW_OK)
        fail_msg("create %s: %s", username, sw_err_text(&err));
    return id;
}

static int64_t add_service(struct fixture *f, const char *username)
{
    auth_account_spec sp = { .username = username, .display_name = "PMS",
                             .roles = "biller", .service = true,
                             .scope = SCOPE };
    int64_t id = 0;
    sw_err err;
    int rc = auth_account_create(f->store, &f->who, &sp, &id, &err);
    if (rc != SW_OK)
        fail_msg("create %s: %s", username, sw_err_text(&err));
    return id;
}

static int login(struct fixture *f, const char *user, const char *password,
                 auth_login_result *out)
{
    auth_login_request req = { .practice_id = 1, .username = user,
                               .password = password,
                               .client_address = "127.0.0.1" };
    sw_err err;
    return auth_login(f->store, &f->policy, f->arena, &req, out, &err);
}

static int authenticate(struct fixture *f, const char *token)
{
    auth_session s;
    sw_err err;
    return auth_session_authenticate(f->store, &f->policy, f->arena, token,
                                     strlen(token), &s, &err);
}

static int token_auth(struct fixture *f, const char *token, auth_session *s)
{
    sw_err err;
    return auth_api_token_authenticate(f->store, f->arena, token,
                                       strlen(token), s, &err);
}

/* ---- Creating and reading ------------------------------------------------ */

static void create_list_and_get(void **state)
{
    struct fixture *f = *state;
    int64_t before = audit_count(f);
    int64_t lee = add_person(f, "ma.lee", "medical_assistant");
    int64_t pms = add_service(f, "pms.interface");
    assert_int_equal(lee, 2);
    assert_int_equal(pms, 3);
    assert_int_equal(audit_count(f), before + 2);
    assert_true(audited(f, "account created: ma.lee (medical_assistant)"));
    assert_true(audited(f, "service account created: pms.interface (biller; "
                        "scope " SCOPE ")"));

    auth_user *users;
    size_t n;
    sw_err err;
    assert_int_equal(auth_user_list(f->store, f->arena, 1, &users, &n, &err),
                     SW_OK);
    assert_int_equal(n, 3);
    assert_string_equal(users[0].username, "admin");
    assert_string_equal(users[1].username, "ma.lee");
    assert_string_equal(users[1].kind, AUTH_KIND_PERSON);
    assert_string_equal(users[1].scope, "");
    assert_string_equal(users[2].kind, AUTH_KIND_SERVICE);
    assert_string_equal(users[2].scope, SCOPE);

    auth_user u;
    assert_int_equal(auth_user_get(f->store, f->arena, 1, lee, &u, &err), SW_OK);
    assert_string_equal(u.username, "ma.lee");
    assert_string_equal(u.display_name, "Someone");
    assert_string_equal(u.roles, "medical_assistant");
    assert_false(u.disabled);
    assert_int_equal(auth_user_find(f->store, f->arena, 1, "pms.interface", &u,
                                    &err), SW_OK);
    assert_int_equal(u.user_id, pms);
    assert_int_equal(auth_user_get(f->store, f->arena, 1, 99, &u, &err),
                     SW_ENOTFOUND);
    assert_int_equal(auth_user_find(f->store, f->arena, 2, "ma.lee", &u, &err),
                     SW_ENOTFOUND);

    /* The new person signs in; the service account cannot. */
    auth_login_result out;
    assert_int_equal(login(f, "ma.lee", PASSWORD, &out), SW_OK);
    assert_int_equal(login(f, "pms.interface", PASSWORD, &out), SW_EUNAUTH);
}

static void refusals_write_nothing(void **state)
{
    struct fixture *f = *state;
    add_person(f, "taken", "nurse");
    int64_t users = query(f, "SELECT count(*) FROM app_user WHERE username <> ?", "");
    int64_t entries = audit_count(f);
    static const struct {
        auth_account_spec spec;
        int code;
        const char *says;
    } cases[] = {
        { { "bad name", "X", "nurse", NULL, false, NULL, PASSWORD },
          SW_EINVAL, "username" },
        { { "", "X", "nurse", NULL, false, NULL, PASSWORD }, SW_EINVAL, "username" },
        { { "ok", "", "nurse", NULL, false, NULL, PASSWORD }, SW_EINVAL, "display name" },
        { { "ok", "X", "nurze", NULL, false, NULL, PASSWORD }, SW_EINVAL, "nurze" },
        { { "ok", "X", "nurse,nurse", NULL, false, NULL, PASSWORD }, SW_EINVAL, "twice" },
        { { "ok", "X", "", NULL, false, NULL, PASSWORD }, SW_EINVAL, "role" },
        { { "ok", "X", "nurse", NULL, false, NULL, "short-pw" }, SW_EINVAL, "12 to 128" },
        { { "ok", "X", "nurse", NULL, false, NULL, "password1234" }, SW_EINVAL, "common" },
        { { "ok", "X", "nurse", NULL, false, NULL, NULL }, SW_EINVAL, "password" },
        { { "ok", "X", "nurse", NULL, false, "billing:read", PASSWORD }, SW_EINVAL, "scope" },
        { { "ok", "X", "biller", NULL, true, NULL, NULL }, SW_EINVAL, "scope" },
        { { "ok", "X", "biller", NULL, true, "Billing:read", NULL }, SW_EINVAL, "area:action" },
        { { "ok", "X", "biller", NULL, true, "billing", NULL }, SW_EINVAL, "area:action" },
        { { "ok", "X", "biller", NULL, true, "billing:read,", NULL }, SW_EINVAL, "area:action" },
        { { "ok", "X", "biller", NULL, true, "billing:read,billing:read", NULL }, SW_EINVAL, "twice" },
        { { "ok", "X", "biller", NULL, true, "bills:read", NULL }, SW_EINVAL, "unknown area" },
        { { "ok", "X", "biller", NULL, true, SCOPE, PASSWORD }, SW_EINVAL, "no password" },
        { { "ok", "X", "nurse", "no/such", false, NULL, PASSWORD }, SW_EINVAL, "Practitioner" },
        { { "ok", "X", "nurse", "nosuch", false, NULL, PASSWORD }, SW_EINVAL, "Practitioner/nosuch" },
        { { "taken", "X", "nurse", NULL, false, NULL, PASSWORD }, SW_ECONFLICT, "taken" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_err err;
        int rc = auth_account_create(f->store, &f->who, &cases[i].spec, NULL,
                                     &err);
        if (rc != cases[i].code || strstr(err.msg, cases[i].says) == NULL)
            fail_msg("case %zu: got %d \"%s\"", i, rc, err.msg);
    }
    assert_int_equal(query(f, "SELECT count(*) FROM app_user WHERE username <> ?", ""),
                     users);
    assert_int_equal(audit_count(f), entries);
}

/* ---- Disable and enable -------------------------------------------------- */

static void disable_ends_sessions_and_tokens(void **state)
{
    struct fixture *f = *state;
    int64_t lee = add_person(f, "ma.lee", "medical_assistant");
    int64_t pms = add_service(f, "pms.interface");
    auth_login_result out;
    assert_int_equal(login(f, "ma.lee", PASSWORD, &out), SW_OK);
    assert_int_equal(authenticate(f, out.token), SW_OK);
    char token[AUTH_API_TOKEN_TEXT];
    sw_err err;
    assert_int_equal(auth_api_token_create(f->store, &f->who, pms, token, NULL,
                                           &err), SW_OK);
    auth_session s;
    assert_int_equal(token_auth(f, token, &s), SW_OK);

    assert_int_equal(auth_account_set_disabled(f->store, &f->who, lee, true,
                                               &err), SW_OK);
    assert_int_equal(auth_account_set_disabled(f->store, &f->who, pms, true,
                                               &err), SW_OK);
    assert_true(audited(f, "user 2 (ma.lee) disabled; sessions and API tokens "
                        "revoked"));
    assert_int_equal(authenticate(f, out.token), SW_EUNAUTH);
    assert_int_equal(token_auth(f, token, &s), SW_EUNAUTH);
    assert_int_equal(query(f, "SELECT count(*) FROM app_session WHERE "
                           "revoked = 0 AND user_id = 2 AND ? = ''", ""), 0);
    assert_int_equal(login(f, "ma.lee", PASSWORD, &out), SW_EUNAUTH);
    /* A token cannot be made for a disabled account. */
    assert_int_equal(auth_api_token_create(f->store, &f->who, pms, token, NULL,
                                           &err), SW_ECONFLICT);

    /* Twice is no error and writes no second entry. */
    int64_t entries = audit_count(f);
    assert_int_equal(auth_account_set_disabled(f->store, &f->who, lee, true,
                                               &err), SW_OK);
    assert_int_equal(audit_count(f), entries);

    /* Enabled again, it signs in anew; what was revoked stays revoked. */
    assert_int_equal(auth_account_set_disabled(f->store, &f->who, lee, false,
                                               &err), SW_OK);
    assert_int_equal(auth_account_set_disabled(f->store, &f->who, pms, false,
                                               &err), SW_OK);
    assert_true(audited(f, "user 2 (ma.lee) enabled"));
    assert_int_equal(authenticate(f, out.token), SW_EUNAUTH);
    assert_int_equal(token_auth(f, token, &s), SW_EUNAUTH);
    assert_int_equal(login(f, "ma.lee", PASSWORD, &out), SW_OK);
    assert_int_equal(auth_account_set_disabled(f->store, &f->who, 42, true,
                                               &err), SW_ENOTFOUND);
}

static void practice_keeps_an_admin(void **state)
{
    struct fixture *f = *state;
    sw_err err;
    int64_t entries = audit_count(f);
    /* Nobody disables their own account. */
    assert_int_equal(auth_account_set_disabled(f->store, &f->who, 1, true,
                                               &err), SW_ECONFLICT);
    assert_non_null(strstr(err.msg, "own account"));
    /* The only administrator keeps the role and stays enabled. */
    audit_who cli;
    audit_cli_who(&cli, 1);
    assert_int_equal(auth_account_set_disabled(f->store, &cli, 1, true, &err),
                     SW_ECONFLICT);
    assert_non_null(strstr(err.msg, "last enabled practice_admin"));
    auth_account_patch p = { .roles = "nurse" };
    assert_int_equal(auth_account_update(f->store, &cli, 1, &p, &err),
                     SW_ECONFLICT);
    assert_int_equal(audit_count(f), entries);
    /* With a second one, both work. */
    add_person(f, "admin.two", "practice_admin,nurse");
    assert_int_equal(auth_account_update(f->store, &cli, 1, &p, &err), SW_OK);
    assert_int_equal(query(f, "SELECT count(*) FROM audit_log WHERE "
                           "username LIKE 'cli:%' AND detail = ?",
                           "user 1 (admin) roles: practice_admin -> nurse"), 1);
}

/* ---- Updates ------------------------------------------------------------- */

static void roles_name_and_practitioner(void **state)
{
    struct fixture *f = *state;
    int64_t id = add_person(f, "rn.okafor", "nurse");
    sw_err err;
    auth_account_patch p = { .roles = "nurse,practice_admin",
                             .display_name = "Grace Okafor, RN" };
    assert_int_equal(auth_account_update(f->store, &f->who, id, &p, &err),
                     SW_OK);
    assert_true(audited(f, "user 2 (rn.okafor) roles: nurse -> "
                        "nurse,practice_admin"));
    assert_true(audited(f, "user 2 (rn.okafor) display name changed"));
    auth_user u;
    assert_int_equal(auth_user_get(f->store, f->arena, 1, id, &u, &err), SW_OK);
    assert_string_equal(u.roles, "nurse,practice_admin");
    assert_string_equal(u.display_name, "Grace Okafor, RN");

    /* Bad input changes nothing, not even the valid members beside it. */
    int64_t entries = audit_count(f);
    auth_account_patch bad = { .roles = "nurse,surgeon",
                               .display_name = "Changed" };
    assert_int_equal(auth_account_update(f->store, &f->who, id, &bad, &err),
                     SW_EINVAL);
    assert_non_null(strstr(err.msg, "surgeon"));
    auth_account_patch scope = { .scope = "billing:read" };
    assert_int_equal(auth_account_update(f->store, &f->who, id, &scope, &err),
                     SW_EINVAL);
    auth_account_patch link = { .practitioner_id = "p1" };
    assert_int_equal(auth_account_update(f->store, &f->who, id, &link, &err),
                     SW_EINVAL);
    assert_non_null(strstr(err.msg, "Practitioner/p1"));
    assert_int_equal(audit_count(f), entries);
    assert_int_equal(auth_user_get(f->store, f->arena, 1, id, &u, &err), SW_OK);
    assert_string_equal(u.display_name, "Grace Okafor, RN");

    /* Linking needs the Practitioner to exist; "" unlinks. */
    exec(f, "INSERT INTO fhir_resource (practice_id, res_type, res_id, "
         "version, updated_ms, deleted, body) VALUES (1, 'Practitioner', ?, "
         "1, 0, 0, '{}')", "p1");
    assert_int_equal(auth_account_update(f->store, &f->who, id, &link, &err),
                     SW_OK);
    assert_true(audited(f, "user 2 (rn.okafor) linked to Practitioner/p1"));
    assert_int_equal(auth_user_get(f->store, f->arena, 1, id, &u, &err), SW_OK);
    assert_string_equal(u.practitioner_id, "p1");
    auth_account_patch unlink = { .practitioner_id = "" };
    assert_int_equal(auth_account_update(f->store, &f->who, id, &unlink, &err),
                     SW_OK);
    assert_true(audited(f, "user 2 (rn.okafor) unlinked from Practitioner/p1"));

    /* A service account's scope can change, and is checked. */
    int64_t pms = add_service(f, "pms.interface");
    auth_account_patch narrow = { .scope = "billing:read" };
    assert_int_equal(auth_account_update(f->store, &f->who, pms, &narrow, &err),
                     SW_OK);
    assert_true(audited(f, "user 3 (pms.interface) scope: " SCOPE
                        " -> billing:read"));
    auth_account_patch wrong = { .scope = "billing read" };
    assert_int_equal(auth_account_update(f->store, &f->who, pms, &wrong, &err),
                     SW_EINVAL);
}

static void password_reset(void **state)
{
    struct fixture *f = *state;
    int64_t id = add_person(f, "desk.patel", "front_desk");
    auth_login_result out;
    assert_int_equal(login(f, "desk.patel", PASSWORD, &out), SW_OK);
    exec(f, "UPDATE app_user SET failed_logins = 3, locked_until = "
         "9999999999999 WHERE username = ?", "desk.patel");
    sw_err err;
    int64_t entries = audit_count(f);
    assert_int_equal(auth_account_set_password(f->store, &f->who, id, "short",
                                               &err), SW_EINVAL);
    assert_int_equal(auth_account_set_password(f->store, &f->who, id,
                                               "password1234", &err), SW_EINVAL);
    assert_int_equal(audit_count(f), entries);

    assert_int_equal(auth_account_set_password(f->store, &f->who, id,
                                               PASSWORD2, &err), SW_OK);
    assert_true(audited(f, "user 2 (desk.patel) password reset; sessions "
                        "revoked"));
    assert_int_equal(authenticate(f, out.token), SW_EUNAUTH);
    assert_int_equal(login(f, "desk.patel", PASSWORD, &out), SW_EUNAUTH);
    assert_int_equal(login(f, "desk.patel", PASSWORD2, &out), SW_OK);
    /* No secret reaches the trail. */
    assert_int_equal(query(f, "SELECT count(*) FROM audit_log WHERE detail "
                           "LIKE ?", "%" PASSWORD2 "%"), 0);

    int64_t pms = add_service(f, "pms.interface");
    assert_int_equal(auth_account_set_password(f->store, &f->who, pms,
                                               PASSWORD2, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "service account"));
}

/* ---- API tokens ---------------------------------------------------------- */

static void api_tokens(void **state)
{
    struct fixture *f = *state;
    int64_t pms = add_service(f, "pms.interface");
    int64_t lee = add_person(f, "ma.lee", "medical_assistant");
    char t1[AUTH_API_TOKEN_TEXT], t2[AUTH_API_TOKEN_TEXT];
    int64_t id1 = 0, id2 = 0;
    sw_err err;
    assert_int_equal(auth_api_token_create(f->store, &f->who, pms, t1, &id1,
                                           &err), SW_OK);
    assert_int_equal(auth_api_token_create(f->store, &f->who, pms, t2, &id2,
                                           &err), SW_OK);
    assert_true(id2 > id1);
    assert_int_equal(strncmp(t1, "swt_1.", 6), 0);
    assert_int_equal(strlen(t1), 6 + 22);
    assert_true(auth_api_token_is(t1, strlen(t1)));
    assert_false(auth_api_token_is("1.abc", 5));
    /* Only the hash is stored. */
    assert_int_equal(query(f, "SELECT count(*) FROM app_api_token WHERE "
                           "token_hash LIKE ?", "%swt_%"), 0);
    char detail[128];
    snprintf(detail, sizeof detail, "user 2 (pms.interface) API token %" PRId64
             " created", id1);
    assert_true(audited(f, detail));

    auth_session s;
    assert_int_equal(token_auth(f, t1, &s), SW_OK);
    assert_int_equal(s.practice_id, 1);
    assert_int_equal(s.user_id, pms);
    assert_string_equal(s.username, "pms.interface");
    assert_string_equal(s.roles, "biller");
    assert_string_equal(s.scope, SCOPE);
    assert_true(s.service);
    /* A token is no session token, and a session token no API token. */
    assert_int_equal(authenticate(f, t1), SW_EUNAUTH);
    assert_int_equal(authenticate(f, t1 + 4), SW_EUNAUTH);

    /* Forged (right shape, unknown secret), malformed, other practice. */
    char forged[AUTH_API_TOKEN_TEXT];
    memcpy(forged, t1, sizeof forged);
    forged[10] = forged[10] == 'A' ? 'B' : 'A';
    assert_int_equal(token_auth(f, forged, &s), SW_EUNAUTH);
    static const char *const bad[] = {
        "swt_", "swt_1.", "swt_1.short", "swt_x.AAAAAAAAAAAAAAAAAAAAAA",
        "swt_01.AAAAAAAAAAAAAAAAAAAAAA", "swt_1.AAAAAAAAAAAAAAAAAAAAAA=",
        "swt_1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "SWT_1.AAAAAAAAAAAAAAAAAAAAAA", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(token_auth(f, bad[i], &s), SW_EUNAUTH);
    char other[AUTH_API_TOKEN_TEXT];
    snprintf(other, sizeof other, "swt_2.%s", t1 + 6);
    assert_int_equal(token_auth(f, other, &s), SW_EUNAUTH);

    /* Revoking one leaves the other; an unknown id is not found. */
    int64_t n = 0;
    assert_int_equal(auth_api_token_revoke(f->store, &f->who, pms, id1, &n,
                                           &err), SW_OK);
    assert_int_equal(n, 1);
    assert_int_equal(token_auth(f, t1, &s), SW_EUNAUTH);
    assert_int_equal(token_auth(f, t2, &s), SW_OK);
    assert_int_equal(auth_api_token_revoke(f->store, &f->who, pms, id1, &n,
                                           &err), SW_OK);
    assert_int_equal(n, 0);
    assert_int_equal(auth_api_token_revoke(f->store, &f->who, pms, 12345, &n,
                                           &err), SW_ENOTFOUND);

    auth_api_token_info *list;
    size_t count;
    assert_int_equal(auth_api_token_list(f->store, f->arena, 1, pms, &list,
                                         &count, &err), SW_OK);
    assert_int_equal(count, 2);
    assert_int_equal(list[0].id, id2);
    assert_false(list[0].revoked);
    assert_true(list[0].last_used_ms > 0);
    assert_true(list[1].revoked);

    assert_int_equal(auth_api_token_revoke(f->store, &f->who, pms, 0, &n, &err),
                     SW_OK);
    assert_int_equal(n, 1);
    assert_int_equal(token_auth(f, t2, &s), SW_EUNAUTH);

    /* People get no tokens. */
    assert_int_equal(auth_api_token_create(f->store, &f->who, lee, t1, NULL,
                                           &err), SW_EINVAL);
    assert_int_equal(auth_api_token_create(f->store, &f->who, 77, t1, NULL,
                                           &err), SW_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_list_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals_write_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(disable_ends_sessions_and_tokens, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(practice_keeps_an_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(roles_name_and_practitioner, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(password_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(api_tokens, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
