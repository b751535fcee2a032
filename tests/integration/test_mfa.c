/* test_mfa.c - multi-factor sign-in, the practice's "MFA for admin roles"
 * setting and the audited sign-in events, over real HTTP on each store
 * (docs/auth.md).
 *
 * What clients rely on: POST /api/me/mfa gives a secret and an otpauth://
 * URI; confirming with a current code turns MFA on and shows 10 recovery
 * codes once; from then on sign-in needs "totp", and without it (after a
 * correct password only) the refusal says mfa_required; a wrong code
 * counts towards the lock; no code or recovery code works twice; with the
 * practice setting on, an admin without MFA gets a session that can only
 * enrol (403 mfa_enrolment_required elsewhere); and every sign-in, failure
 * (known user or not), lockout and sign-out is in audit_log with the
 * client address and request id. Codes are computed here from the secret
 * and the real clock; each test uses steps within the ±1 skew window, so
 * none waits for the next 30-second step. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/totp.h"
#include "core/clock.h"
#include "store/store.h"
#include "testdb.h"
#include "testserver.h"

#define JSON_CT "Content-Type: application/json"
#define STEP_MS (AUTH_TOTP_PERIOD_S * 1000LL)

struct fixture {
    char          *db;
    sw_test_server srv;
    char           auth[512];     /* Authorization: Bearer … of admin */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->db = sw_test_fresh_db();
    sw_test_init_db(f->db);
    *state = f;
    if (sw_test_server_start(&f->srv, f->db, NULL) != 0)
        return -1;
    return sw_test_sign_in(&f->srv, f->auth, sizeof f->auth);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f == NULL)
        return 0;
    if (f->srv.pid > 0)
        sw_test_server_stop(&f->srv, SIGTERM, 15);
    free(f->db);
    free(f);
    return 0;
}

/* ---- Helpers ------------------------------------------------------------- */

/* A request with a JSON body (or none) and an Authorization line (or
 * none); returns the status, *doc the parsed body when wanted. */
static long call(struct fixture *f, const char *method, const char *path,
                 const char *auth, const char *body, json_t **doc)
{
    const char *h[] = { JSON_CT, auth, NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&f->srv, method, path, h, body,
                             body ? strlen(body) : 0, &r), 0);
    long status = r.status;
    if (doc)
        *doc = r.len ? json_loads(r.body, 0, NULL) : NULL;
    sw_http_result_free(&r);
    return status;
}

static const char *error_code(json_t *doc)
{
    return json_string_value(json_object_get(json_object_get(doc, "error"),
                                             "code"));
}

/* POST /api/session; on 201 writes "Authorization: Bearer …" into auth
 * (when given). Returns the status; *code the error code on a refusal. */
static long sign_in(struct fixture *f, const char *password, const char *totp,
                    char *auth, size_t cap, char *code, json_t **out)
{
    char body[512];
    if (totp)
        snprintf(body, sizeof body, "{\"username\":\"admin\",\"password\":"
                 "\"%s\",\"totp\":\"%s\"}", password, totp);
    else
        snprintf(body, sizeof body, "{\"username\":\"admin\",\"password\":"
                 "\"%s\"}", password);
    json_t *doc = NULL;
    long status = call(f, "POST", "/api/session", NULL, body, &doc);
    if (status == 201 && auth)
        snprintf(auth, cap, "Authorization: Bearer %s",
                 json_string_value(json_object_get(doc, "token")));
    if (code)
        snprintf(code, 64, "%s", status == 201 ? "" : error_code(doc));
    if (out)
        *out = doc;
    else
        json_decref(doc);
    return status;
}

/* The code of secret for the step holding now + offset_ms. */
static void code_at(const char *secret, int64_t offset_ms, char out[7])
{
    unsigned char key[32];
    size_t n = 0;
    assert_true(auth_base32_decode(secret, key, sizeof key, &n));
    auth_totp_code(key, n, auth_totp_step(sw_now_wall_ms() + offset_ms), out);
}

/* Enrols the user of auth; writes the secret and the recovery codes (the
 * caller decrefs *codes). The confirmation uses the step before now, so
 * the current and next steps are left for sign-ins. */
static void enrol(struct fixture *f, const char *auth, char *secret,
                  json_t **codes)
{
    json_t *doc = NULL;
    assert_int_equal(call(f, "POST", "/api/me/mfa", auth, NULL, &doc), 200);
    snprintf(secret, 64, "%s", json_string_value(json_object_get(doc, "secret")));
    const char *uri = json_string_value(json_object_get(doc, "otpauth_uri"));
    assert_non_null(uri);
    assert_non_null(strstr(uri, "otpauth://totp/Stagewise:admin?secret="));
    assert_non_null(strstr(uri, secret));
    json_decref(doc);

    char code[7], body[64];
    /* A wrong code is refused and changes nothing. */
    assert_int_equal(call(f, "POST", "/api/me/mfa/confirm", auth,
                          "{\"code\":\"000000\"}", NULL), 400);
    code_at(secret, -STEP_MS, code);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    assert_int_equal(call(f, "POST", "/api/me/mfa/confirm", auth, body, &doc),
                     200);
    assert_true(json_is_true(json_object_get(doc, "enabled")));
    *codes = json_incref(json_object_get(doc, "recovery_codes"));
    assert_int_equal(json_array_size(*codes), 10);
    json_decref(doc);
}

struct count {
    const char *sql;
    const char *arg;
    int64_t     n;
};

static int count_fn(store_tx *tx, void *ctx)
{
    struct count *c = ctx;
    return store_query_int64(tx, &c->n, c->sql, "t", c->arg);
}

/* Column 0 of sql's first row, with one text parameter, read through the
 * store as an operator would. */
static int64_t query(struct fixture *f, const char *sql, const char *arg)
{
    sw_store *s;
    sw_err err;
    store_options so = { 0 };
    assert_int_equal(store_open(f->db, &so, &s, &err), SW_OK);
    struct count c = { sql, arg, -1 };
    int rc = store_read(s, count_fn, &c, &err);
    if (rc != SW_OK)
        fprintf(stderr, "query: %s\n", sw_err_text(&err));
    assert_int_equal(rc, SW_OK);
    store_close(s);
    return c.n;
}

static int64_t audit_count(struct fixture *f, const char *action)
{
    return query(f, "SELECT COUNT(*) FROM audit_log WHERE action = ?", action);
}

/* ---- Enrolment and signing in with a code -------------------------------- */

static void enrol_confirm_then_sign_in_needs_the_code(void **state)
{
    struct fixture *f = *state;
    char secret[64], code[7], err[64], auth[512];
    json_t *codes;
    enrol(f, f->auth, secret, &codes);

    /* Right password, no code: 401 mfa_required. */
    assert_int_equal(sign_in(f, SW_TEST_ADMIN_PASSWORD, NULL, NULL, 0, err,
                             NULL), 401);
    assert_string_equal(err, "mfa_required");
    /* Wrong password: the plain refusal, MFA or not. */
    code_at(secret, 0, code);
    assert_int_equal(sign_in(f, "not-the-password-1", code, NULL, 0, err,
                             NULL), 401);
    assert_string_equal(err, "unauthorized");
    /* Right password, right code: in; the same code again: out. */
    assert_int_equal(sign_in(f, SW_TEST_ADMIN_PASSWORD, code, auth,
                             sizeof auth, err, NULL), 201);
    assert_int_equal(sign_in(f, SW_TEST_ADMIN_PASSWORD, code, NULL, 0, err,
                             NULL), 401);
    assert_string_equal(err, "mfa_required");

    json_t *me = NULL;
    assert_int_equal(call(f, "GET", "/api/me", auth, NULL, &me), 200);
    assert_true(json_is_true(json_object_get(json_object_get(me, "mfa"),
                                             "enabled")));
    json_decref(me);
    assert_int_equal(call(f, "GET", "/api/me/mfa", auth, NULL, &me), 200);
    assert_int_equal(json_integer_value(json_object_get(me,
                     "recovery_codes_left")), 10);
    json_decref(me);

    /* A recovery code works once. */
    const char *rc0 = json_string_value(json_array_get(codes, 0));
    assert_int_equal(sign_in(f, SW_TEST_ADMIN_PASSWORD, rc0, NULL, 0, err,
                             NULL), 201);
    assert_int_equal(sign_in(f, SW_TEST_ADMIN_PASSWORD, rc0, NULL, 0, err,
                             NULL), 401);
    assert_string_equal(err, "mfa_required");
    /* Only hashes are stored. */
    assert_int_equal(query(f, "SELECT COUNT(*) FROM app_recovery_code WHERE "
                           "code_hash = ?", rc0), 0);
    assert_int_equal(query(f, "SELECT COUNT(*) FROM app_recovery_code WHERE "
                           "used_at = 0 AND code_hash <> ?", ""), 9);

    /* Turning it off needs a code; then the password alone is enough. */
    assert_int_equal(call(f, "DELETE", "/api/me/mfa", auth,
                          "{\"code\":\"000000\"}", NULL), 400);
    char body[64];
    snprintf(body, sizeof body, "{\"code\":\"%s\"}",
             json_string_value(json_array_get(codes, 1)));
    assert_int_equal(call(f, "DELETE", "/api/me/mfa", auth, body, NULL), 204);
    /* Both changes are in the audit trail. */
    assert_int_equal(query(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                           "'permission_change' AND detail LIKE ?",
                           "MFA turned %"), 2);
    assert_int_equal(sign_in(f, SW_TEST_ADMIN_PASSWORD, NULL, NULL, 0, err,
                             NULL), 201);
    json_decref(codes);
}

static void wrong_codes_count_towards_the_lock(void **state)
{
    struct fixture *f = *state;
    char secret[64], code[7], err[64];
    json_t *codes;
    enrol(f, f->auth, secret, &codes);
    json_decref(codes);
    int64_t failures_before = audit_count(f, "login_failure");
    /* (The wrong confirmation in enrol() was forgiven by the right one.)
     * Four wrong codes are refused as such, the fifth locks. */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sign_in(f, SW_TEST_ADMIN_PASSWORD, "111111", NULL, 0,
                                 err, NULL), 401);
        assert_string_equal(err, "mfa_required");
    }
    assert_int_equal(sign_in(f, SW_TEST_ADMIN_PASSWORD, "111111", NULL, 0,
                             err, NULL), 401);
    assert_int_equal(audit_count(f, "lockout"), 1);
    /* Locked: even the right code gets the plain refusal. */
    code_at(secret, 0, code);
    assert_int_equal(sign_in(f, SW_TEST_ADMIN_PASSWORD, code, NULL, 0, err,
                             NULL), 401);
    assert_string_equal(err, "unauthorized");
    /* Four wrong codes and the refusal while locked. */
    assert_int_equal(audit_count(f, "login_failure") - failures_before, 5);
    assert_int_equal(query(f, "SELECT COUNT(*) FROM audit_log WHERE detail = ?",
                           "one-time code missing or wrong"), 4);
}

/* ---- The practice setting ------------------------------------------------ */

static void admin_without_mfa_gets_an_enrolment_only_session(void **state)
{
    struct fixture *f = *state;
    json_t *doc = NULL;
    assert_int_equal(call(f, "GET", "/api/practice/settings", f->auth, NULL,
                          &doc), 200);
    assert_true(json_is_false(json_object_get(doc, "mfa_admin_required")));
    json_decref(doc);
    assert_int_equal(call(f, "PUT", "/api/practice/settings", f->auth,
                          "{\"mfa_admin_required\":\"yes\"}", NULL), 400);
    assert_int_equal(call(f, "PUT", "/api/practice/settings", f->auth,
                          "{\"mfa_admin_required\":true,\"x\":1}", NULL), 400);
    assert_int_equal(call(f, "PUT", "/api/practice/settings", f->auth,
                          "{\"mfa_admin_required\":true}", &doc), 200);
    assert_true(json_is_true(json_object_get(doc, "mfa_admin_required")));
    json_decref(doc);
    assert_int_equal(query(f, "SELECT COUNT(*) FROM audit_log WHERE "
                           "action = 'permission_change' AND detail = ?",
                           "MFA for admin roles: on"), 1);

    /* The admin signs in again: a session that can only enrol. */
    char limited[512], err[64];
    assert_int_equal(sign_in(f, SW_TEST_ADMIN_PASSWORD, NULL, limited,
                             sizeof limited, err, &doc), 201);
    assert_true(json_is_true(json_object_get(doc, "mfa_enrolment_required")));
    json_decref(doc);
    assert_int_equal(call(f, "GET", "/api/practice/settings", limited, NULL,
                          &doc), 403);
    assert_string_equal(error_code(doc), "mfa_enrolment_required");
    json_decref(doc);
    assert_int_equal(call(f, "GET", "/fhir/Patient", limited, NULL, &doc), 403);
    assert_string_equal(error_code(doc), "mfa_enrolment_required");
    json_decref(doc);
    assert_int_equal(call(f, "GET", "/api/me", limited, NULL, &doc), 200);
    assert_true(json_is_true(json_object_get(json_object_get(doc, "session"),
                                             "mfa_enrolment_only")));
    json_decref(doc);

    /* It enrols; the limited session stays limited... */
    char secret[64], code[7], full[512];
    json_t *codes;
    enrol(f, limited, secret, &codes);
    json_decref(codes);
    assert_int_equal(call(f, "GET", "/api/practice/settings", limited, NULL,
                          NULL), 403);
    /* ...and a sign-in with a code gets a full one. */
    code_at(secret, 0, code);
    assert_int_equal(sign_in(f, SW_TEST_ADMIN_PASSWORD, code, full,
                             sizeof full, err, &doc), 201);
    assert_null(json_object_get(doc, "mfa_enrolment_required"));
    json_decref(doc);
    assert_int_equal(call(f, "GET", "/api/practice/settings", full, NULL, NULL),
                     200);
    /* Signing out works from a limited session. */
    assert_int_equal(call(f, "DELETE", "/api/session", limited, NULL, NULL),
                     204);
}

/* ---- Audited sign-in events ---------------------------------------------- */

static void sign_in_events_are_audited(void **state)
{
    struct fixture *f = *state;
    /* setup signed in once. */
    assert_int_equal(audit_count(f, "login"), 1);
    assert_int_equal(query(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                           "'login' AND user_id = 1 AND outcome = 'success' "
                           "AND client = ? AND request_id <> ''",
                           "127.0.0.1"), 1);
    /* An unknown user: recorded as typed, user 0. */
    assert_int_equal(call(f, "POST", "/api/session", NULL,
                          "{\"username\":\"ghost\",\"password\":"
                          "\"whatever-it-is-1\"}", NULL), 401);
    assert_int_equal(query(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                           "'login_failure' AND user_id = 0 AND username = ?",
                           "ghost"), 1);
    /* A wrong password of a real user. */
    assert_int_equal(call(f, "POST", "/api/session", NULL,
                          "{\"username\":\"admin\",\"password\":"
                          "\"whatever-it-is-1\"}", NULL), 401);
    assert_int_equal(query(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                           "'login_failure' AND user_id = 1 AND outcome = ?",
                           "failure"), 1);
    /* Signing out. */
    assert_int_equal(call(f, "DELETE", "/api/session", f->auth, NULL, NULL), 204);
    assert_int_equal(query(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                           "'logout' AND user_id = 1 AND username = ?",
                           "admin"), 1);
    /* The entries are part of an intact hash chain. */
    const char *verify[] = { "audit", "verify", "--db", f->db, NULL };
    char *out = NULL, *errtext = NULL;
    int rc = sw_test_run(verify, NULL, &out, &errtext);
    if (rc != 0)
        fprintf(stderr, "audit verify: %s%s\n", out, errtext);
    assert_int_equal(rc, 0);
    free(out);
    free(errtext);
    /* Nothing typed as a password reaches the trail. */
    assert_int_equal(query(f, "SELECT COUNT(*) FROM audit_log WHERE detail "
                           "LIKE ? OR username LIKE '%whatever%'",
                           "%whatever%"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(enrol_confirm_then_sign_in_needs_the_code, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_codes_count_towards_the_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(admin_without_mfa_gets_an_enrolment_only_session, setup, teardown),
        cmocka_unit_test_setup_teardown(sign_in_events_are_audited, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
