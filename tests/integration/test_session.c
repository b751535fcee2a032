/* test_session.c - signing in and out, and the session every other route
 * needs, over real HTTP on each store (docs/auth.md).
 *
 * What clients rely on: POST /api/session answers 201 with a token of the
 * documented shape, an expiry and a CSRF token, and sets a cookie that is
 * HttpOnly, SameSite=Strict and Path=/; a refusal looks the same whether
 * the user is unknown, the password wrong, the account locked or disabled;
 * five failures lock an account for --lockout; Bearer and cookie sessions
 * both reach GET /api/me, and a cookie needs X-CSRF-Token to change state;
 * logout, the idle timeout and the absolute lifetime each end a session;
 * bad bodies get 415/400/413 naming what is wrong. Timeouts use the serve
 * options with seconds (--session-idle 3s) and short waits with wide
 * margins; the exact boundaries are pinned by tests/unit/auth with a fixed
 * clock. */
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
#include <time.h>
#include <unistd.h>

#include "auth/password.h"
#include "auth/users.h"
#include "store/store.h"
#include "testdb.h"
#include "testserver.h"

#define ADMIN_BODY \
    "{\"username\":\"admin\",\"password\":\"" SW_TEST_ADMIN_PASSWORD "\"}"
#define WRONG_BODY \
    "{\"username\":\"admin\",\"password\":\"not-the-password-1\"}"
#define JSON_CT "Content-Type: application/json"

struct fixture {
    char          *db;
    sw_test_server srv;
};

static int start_with(void **state, const char *const *extra)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->db = sw_test_fresh_db();
    sw_test_init_db(f->db);
    *state = f;
    return sw_test_server_start(&f->srv, f->db, extra);
}

static int setup(void **state)
{
    return start_with(state, NULL);
}

static int setup_short_lock(void **state)
{
    static const char *const extra[] = { "--lockout", "3s", NULL };
    return start_with(state, extra);
}

static int setup_short_idle(void **state)
{
    static const char *const extra[] = { "--session-idle", "3s", NULL };
    return start_with(state, extra);
}

static int setup_short_life(void **state)
{
    static const char *const extra[] = { "--session-max", "4s",
                                         "--session-idle-minutes", "60", NULL };
    return start_with(state, extra);
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

static void post_session(struct fixture *f, const char *body,
                         const char *content_type, sw_http_result *r)
{
    const char *h[] = { content_type, NULL };
    assert_int_equal(sw_http(&f->srv, "POST", "/api/session",
                             content_type ? h : NULL, body, strlen(body), r), 0);
}

/* Signs in as admin; returns the parsed 201 body (caller decrefs). */
static json_t *sign_in(struct fixture *f, sw_http_result *keep)
{
    sw_http_result r;
    post_session(f, ADMIN_BODY, JSON_CT, &r);
    if (r.status != 201)
        fprintf(stderr, "sign-in answered %ld: %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    json_t *doc = json_loads(r.body, 0, NULL);
    assert_non_null(doc);
    if (keep)
        *keep = r;
    else
        sw_http_result_free(&r);
    return doc;
}

static const char *jstr(json_t *doc, const char *key)
{
    const char *v = json_string_value(json_object_get(doc, key));
    assert_non_null(v);
    return v;
}

/* GET /api/me with the given header lines; returns the status. */
static long get_me(struct fixture *f, const char *h1, const char *h2)
{
    const char *h[] = { h1, h2, NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&f->srv, "GET", "/api/me", h, NULL, 0, &r), 0);
    long status = r.status;
    sw_http_result_free(&r);
    return status;
}

static long me_with_token(struct fixture *f, const char *token)
{
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    return get_me(f, auth, NULL);
}

/* Checks an /api error body and returns its code (valid until decref). */
static const char *error_code(const sw_http_result *r, json_t **keep)
{
    json_t *doc = json_loads(r->body, 0, NULL);
    assert_non_null(doc);
    json_t *err = json_object_get(doc, "error");
    assert_true(json_is_object(err));
    assert_true(json_is_string(json_object_get(err, "message")));
    assert_true(json_is_array(json_object_get(err, "details")));
    *keep = doc;
    return json_string_value(json_object_get(err, "code"));
}

static const char *error_message(json_t *doc)
{
    return json_string_value(json_object_get(json_object_get(doc, "error"),
                                             "message"));
}

/* A token is "<practice>.<22 URL-safe base64 characters>". */
static bool token_shape_ok(const char *t, const char *practice)
{
    size_t p = strlen(practice);
    if (strncmp(t, practice, p) != 0 || t[p] != '.')
        return false;
    const char *s = t + p + 1;
    if (strlen(s) != 22)
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789-_") == 22;
}

/* "2026-11-25T13:45:00.123Z" as Unix seconds, or -1. */
static long long iso_seconds(const char *s)
{
    struct tm tm = { 0 };
    int ms;
    if (strlen(s) != 24 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year,
                                  &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                                  &tm.tm_min, &tm.tm_sec, &ms) != 7)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm);
}

/* Adds a user straight into the database (there is no user API yet) with
 * the admin's password, or, if it exists, sets its disabled flag. */
struct add_user_ctx {
    const char *username;
    const char *hash;
    bool        disabled;
};

static int add_user_fn(store_tx *tx, void *arg)
{
    struct add_user_ctx *c = arg;
    auth_new_user u = {
        .practice_id = 1,
        .username = c->username,
        .display_name = "Test User",
        .password_hash = c->hash,
        .roles = "nurse",
    };
    bool created;
    int rc = auth_user_create(tx, &u, &created, NULL);
    if (rc == SW_OK)
        rc = store_exec(tx, NULL, "UPDATE app_user SET disabled = ? "
                        "WHERE practice_id = 1 AND username = ?", "it",
                        (int64_t)(c->disabled ? 1 : 0), c->username);
    return rc;
}

static void add_user(struct fixture *f, const char *username, bool disabled)
{
    char hash[AUTH_HASH_MAX];
    assert_int_equal(auth_crypto_init(), SW_OK);
    assert_int_equal(auth_password_hash(SW_TEST_ADMIN_PASSWORD, hash, NULL), SW_OK);
    sw_store *s;
    sw_err err;
    store_options so = { 0 };
    assert_int_equal(store_open(f->db, &so, &s, &err), SW_OK);
    struct add_user_ctx c = { username, hash, disabled };
    int rc = store_write(s, add_user_fn, &c, &err);
    if (rc != SW_OK)
        fprintf(stderr, "add_user: %s\n", sw_err_text(&err));
    assert_int_equal(rc, SW_OK);
    store_close(s);
}

static void assert_log_clean(struct fixture *f, const char *secret)
{
    char *log = sw_test_server_log(&f->srv);
    assert_null(strstr(log, secret));
    free(log);
}

/* ---- Signing in ---------------------------------------------------------- */

static void sign_in_answers_token_cookie_and_user(void **state)
{
    struct fixture *f = *state;
    sw_http_result r;
    json_t *doc = sign_in(f, &r);
    const char *token = jstr(doc, "token");
    assert_true(token_shape_ok(token, "1"));
    const char *csrf = jstr(doc, "csrf_token");
    assert_int_equal(strlen(csrf), 22);

    long long exp = iso_seconds(jstr(doc, "expires_at"));
    long long now = (long long)time(NULL);
    assert_true(exp >= now + 12 * 3600 - 60 && exp <= now + 12 * 3600 + 60);
    assert_int_equal(json_integer_value(json_object_get(doc, "idle_timeout_seconds")),
                     15 * 60);

    json_t *user = json_object_get(doc, "user");
    assert_int_equal(json_integer_value(json_object_get(user, "id")), 1);
    assert_string_equal(jstr(user, "username"), "admin");
    assert_true(strlen(jstr(user, "display_name")) > 0);
    json_t *roles = json_object_get(user, "roles");
    assert_int_equal(json_array_size(roles), 1);
    assert_string_equal(json_string_value(json_array_get(roles, 0)), "practice_admin");
    assert_int_equal(json_integer_value(json_object_get(user, "practice")), 1);

    char buf[512], want[128];
    assert_non_null(sw_http_header(&r, "Set-Cookie", buf, sizeof buf));
    snprintf(want, sizeof want, "stagewise_session=%s;", token);
    assert_true(strncmp(buf, want, strlen(want)) == 0);
    assert_non_null(strstr(buf, "; HttpOnly"));
    assert_non_null(strstr(buf, "; SameSite=Strict"));
    assert_non_null(strstr(buf, "; Path=/"));
    assert_null(strstr(buf, "Secure"));          /* no TLS here */
    assert_non_null(sw_http_header(&r, "Cache-Control", buf, sizeof buf));
    assert_string_equal(buf, "no-store");
    assert_non_null(sw_http_header(&r, "Content-Type", buf, sizeof buf));
    assert_string_equal(buf, "application/json");
    sw_http_result_free(&r);

    /* The token works, and nothing secret reached the log. */
    assert_int_equal(me_with_token(f, token), 200);
    usleep(100000);
    assert_log_clean(f, token);
    assert_log_clean(f, csrf);
    assert_log_clean(f, SW_TEST_ADMIN_PASSWORD);
    char *log = sw_test_server_log(&f->srv);
    assert_non_null(strstr(log, "route=/api/session status=201"));
    assert_non_null(strstr(log, "route=/api/me status=200"));
    assert_non_null(strstr(log, "user=1 "));
    free(log);
    json_decref(doc);
}

static void each_sign_in_gets_a_new_token(void **state)
{
    struct fixture *f = *state;
    json_t *a = sign_in(f, NULL), *b = sign_in(f, NULL);
    assert_string_not_equal(jstr(a, "token"), jstr(b, "token"));
    assert_string_not_equal(jstr(a, "csrf_token"), jstr(b, "csrf_token"));
    /* A new sign-in does not end the other sessions. */
    assert_int_equal(me_with_token(f, jstr(a, "token")), 200);
    assert_int_equal(me_with_token(f, jstr(b, "token")), 200);
    json_decref(a);
    json_decref(b);
}

/* The refusal of `body`, as status, WWW-Authenticate and body text. */
struct refusal {
    long status;
    char challenge[64];
    char body[512];
};

static void refuse(struct fixture *f, const char *body, struct refusal *out)
{
    sw_http_result r;
    post_session(f, body, JSON_CT, &r);
    out->status = r.status;
    if (sw_http_header(&r, "WWW-Authenticate", out->challenge,
                       sizeof out->challenge) == NULL)
        out->challenge[0] = '\0';
    snprintf(out->body, sizeof out->body, "%s", r.body);
    assert_null(sw_http_header(&r, "Set-Cookie", (char[8]){ 0 }, 8));
    sw_http_result_free(&r);
}

static void assert_same_refusal(const struct refusal *a, const struct refusal *b)
{
    assert_int_equal(a->status, 401);
    assert_int_equal(b->status, 401);
    assert_string_equal(a->challenge, "Bearer");
    assert_string_equal(a->challenge, b->challenge);
    assert_string_equal(a->body, b->body);
}

static void unknown_user_and_wrong_password_look_the_same(void **state)
{
    struct fixture *f = *state;
    struct refusal wrong, unknown, other_practice;
    refuse(f, WRONG_BODY, &wrong);
    refuse(f, "{\"username\":\"nobody\",\"password\":\"not-the-password-1\"}",
           &unknown);
    refuse(f, "{\"username\":\"admin\",\"password\":\"" SW_TEST_ADMIN_PASSWORD
           "\",\"practice\":2}", &other_practice);
    assert_same_refusal(&wrong, &unknown);
    assert_same_refusal(&wrong, &other_practice);
    sw_http_result r = { .body = wrong.body };
    json_t *doc;
    assert_string_equal(error_code(&r, &doc), "unauthorized");
    json_decref(doc);
}

static void five_failures_lock_the_account(void **state)
{
    struct fixture *f = *state;
    struct refusal first, during, unknown;
    /* Four failures, then a success, reset the count. */
    for (int i = 0; i < 4; i++)
        refuse(f, WRONG_BODY, &first);
    json_decref(sign_in(f, NULL));
    for (int i = 0; i < 4; i++)
        refuse(f, WRONG_BODY, &first);
    json_decref(sign_in(f, NULL));

    for (int i = 0; i < 5; i++)
        refuse(f, WRONG_BODY, &first);
    /* Locked: the right password fails too, and looks like any refusal. */
    refuse(f, ADMIN_BODY, &during);
    refuse(f, "{\"username\":\"nobody\",\"password\":\"not-the-password-1\"}",
           &unknown);
    assert_same_refusal(&first, &during);
    assert_same_refusal(&during, &unknown);
    char *log = sw_test_server_log(&f->srv);
    assert_non_null(strstr(log, "locked for 3 s after 5 failed attempts"));
    free(log);

    /* --lockout 3s: once it has passed, the right password works. */
    sleep(4);
    json_decref(sign_in(f, NULL));
}

static void disabled_user_cannot_sign_in(void **state)
{
    struct fixture *f = *state;
    add_user(f, "rn.gone", true);
    struct refusal disabled, unknown;
    refuse(f, "{\"username\":\"rn.gone\",\"password\":\"" SW_TEST_ADMIN_PASSWORD
           "\"}", &disabled);
    refuse(f, "{\"username\":\"nobody\",\"password\":\"" SW_TEST_ADMIN_PASSWORD
           "\"}", &unknown);
    assert_same_refusal(&disabled, &unknown);
}

static void bad_bodies_get_415_400_413(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *content_type;
        const char *body;
        long        status;
        const char *code;
        const char *says;       /* a word the message must contain */
    } cases[] = {
        { NULL, ADMIN_BODY, 415, "unsupported_media_type", "application/json" },
        { "Content-Type: text/plain", ADMIN_BODY, 415, "unsupported_media_type", "JSON" },
        { "Content-Type: application/x-www-form-urlencoded", "username=admin",
          415, "unsupported_media_type", "JSON" },
        { JSON_CT, "", 400, "bad_request", "JSON" },
        { JSON_CT, "{\"username\":", 400, "bad_request", "JSON" },
        { JSON_CT, "{\"username\":\"admin\"} x", 400, "bad_request", "JSON" },
        { JSON_CT, "[1,2]", 400, "invalid", "object" },
        { JSON_CT, "{\"password\":\"not-the-password-1\"}", 400, "invalid", "\"username\"" },
        { JSON_CT, "{\"username\":\"admin\"}", 400, "invalid", "\"password\"" },
        { JSON_CT, "{\"username\":7,\"password\":\"not-the-password-1\"}", 400,
          "invalid", "\"username\"" },
        { JSON_CT, "{\"username\":\"\",\"password\":\"not-the-password-1\"}", 400,
          "invalid", "\"username\"" },
        { JSON_CT, "{\"username\":\"admin\",\"password\":null}", 400, "invalid",
          "\"password\"" },
        { JSON_CT, "{\"username\":\"admin\",\"password\":\"x\",\"practice\":\"1\"}",
          400, "invalid", "\"practice\"" },
        { JSON_CT, "{\"username\":\"admin\",\"password\":\"x\",\"practice\":0}",
          400, "invalid", "\"practice\"" },
        { JSON_CT, "{\"username\":\"admin\",\"password\":\"x\",\"totp\":123456}",
          400, "invalid", "\"totp\"" },
        { JSON_CT, "{\"username\":\"admin\",\"passwd\":\"x\"}", 400, "invalid",
          "\"passwd\"" },
        { JSON_CT, "{\"username\":\"a\",\"username\":\"b\",\"password\":\"x\"}",
          400, "bad_request", "JSON" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_http_result r;
        post_session(f, cases[i].body, cases[i].content_type, &r);
        if (r.status != cases[i].status)
            fprintf(stderr, "case %zu: %ld %s\n", i, r.status, r.body);
        assert_int_equal(r.status, cases[i].status);
        json_t *doc;
        assert_string_equal(error_code(&r, &doc), cases[i].code);
        if (strstr(error_message(doc), cases[i].says) == NULL)
            fprintf(stderr, "case %zu: message '%s' lacks '%s'\n", i,
                    error_message(doc), cases[i].says);
        assert_non_null(strstr(error_message(doc), cases[i].says));
        json_decref(doc);
        sw_http_result_free(&r);
    }

    /* A charset parameter is fine; a body past the sign-in limit is not. */
    sw_http_result r;
    post_session(f, ADMIN_BODY, "Content-Type: application/json; charset=utf-8", &r);
    assert_int_equal(r.status, 201);
    sw_http_result_free(&r);
    size_t big = 5000;
    char *body = malloc(big + 1);
    memset(body, ' ', big);
    memcpy(body, "{\"username\":\"admin\"", 19);
    body[big - 1] = '}';
    body[big] = '\0';
    post_session(f, body, JSON_CT, &r);
    assert_int_equal(r.status, 413);
    free(body);
    sw_http_result_free(&r);
}

/* ---- Using a session ----------------------------------------------------- */

static void bearer_reaches_me(void **state)
{
    struct fixture *f = *state;
    json_t *login = sign_in(f, NULL);
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", jstr(login, "token"));
    const char *h[] = { auth, NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&f->srv, "GET", "/api/me", h, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    char buf[64];
    assert_non_null(sw_http_header(&r, "Cache-Control", buf, sizeof buf));
    assert_string_equal(buf, "no-store");
    json_t *me = json_loads(r.body, 0, NULL);
    json_t *user = json_object_get(me, "user");
    assert_int_equal(json_integer_value(json_object_get(user, "id")), 1);
    assert_string_equal(jstr(user, "username"), "admin");
    assert_true(json_is_string(json_object_get(user, "display_name")));
    assert_true(json_is_array(json_object_get(user, "roles")));
    json_t *session = json_object_get(me, "session");
    assert_string_equal(jstr(session, "expires_at"), jstr(login, "expires_at"));
    long long idle = iso_seconds(jstr(session, "idle_expires_at"));
    long long now = (long long)time(NULL);
    assert_true(idle >= now + 15 * 60 - 60 && idle <= now + 15 * 60 + 60);
    json_decref(me);
    sw_http_result_free(&r);

    /* The scheme is case-insensitive. */
    snprintf(auth, sizeof auth, "Authorization: bearer %s", jstr(login, "token"));
    assert_int_equal(get_me(f, auth, NULL), 200);
    json_decref(login);
}

static void missing_or_bad_credentials_get_401(void **state)
{
    struct fixture *f = *state;
    json_t *login = sign_in(f, NULL);
    const char *token = jstr(login, "token");
    char other_practice[64], flipped[64];
    snprintf(other_practice, sizeof other_practice, "2%s", token + 1);
    snprintf(flipped, sizeof flipped, "%s", token);
    flipped[5] = flipped[5] == 'A' ? 'B' : 'A';
    static const char *const fixed[] = {
        "Authorization: Bearer",
        "Authorization: Bearer ",
        "Authorization: Bearer not-a-token",
        "Authorization: Bearer 1.AAAAAAAAAAAAAAAAAAAAAA",
        "Authorization: Bearer 01.AAAAAAAAAAAAAAAAAAAAAA",
        "Authorization: Bearer 1.AAAAAAAAAAAAAAAAAAAAAB",   /* non-canonical */
        "Authorization: Bearer 1.' OR '1'='1",
        "Authorization: Basic YWRtaW46eA==",
        "Cookie: stagewise_session=garbage",
        "Cookie: other=1",
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] + 3; i++) {
        char line[128];
        const char *h = NULL;
        if (i < sizeof fixed / sizeof fixed[0])
            h = fixed[i];
        else if (i == sizeof fixed / sizeof fixed[0]) {
            snprintf(line, sizeof line, "Authorization: Bearer %s", other_practice);
            h = line;
        } else if (i == sizeof fixed / sizeof fixed[0] + 1) {
            snprintf(line, sizeof line, "Authorization: Bearer %s", flipped);
            h = line;
        }
        const char *hs[] = { h, NULL };
        sw_http_result r;
        assert_int_equal(sw_http(&f->srv, "GET", "/api/me", hs, NULL, 0, &r), 0);
        if (r.status != 401)
            fprintf(stderr, "header '%s' got %ld\n", h ? h : "(none)", r.status);
        assert_int_equal(r.status, 401);
        char challenge[64];
        assert_non_null(sw_http_header(&r, "WWW-Authenticate", challenge,
                                       sizeof challenge));
        assert_true(strncmp(challenge, "Bearer", 6) == 0);
        json_t *doc;
        assert_string_equal(error_code(&r, &doc), "unauthorized");
        json_decref(doc);
        sw_http_result_free(&r);
    }
    /* The real token still works after all that. */
    assert_int_equal(me_with_token(f, token), 200);
    json_decref(login);
}

static void public_and_unknown_routes_need_no_session(void **state)
{
    struct fixture *f = *state;
    sw_http_result r;
    assert_int_equal(sw_http(&f->srv, "GET", "/healthz", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    sw_http_result_free(&r);
    /* No route: 404 before any filter runs. */
    assert_int_equal(sw_http(&f->srv, "GET", "/api/no-such-thing", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 404);
    sw_http_result_free(&r);
    /* A route but the wrong method: 405, also before the filter. */
    assert_int_equal(sw_http(&f->srv, "PUT", "/api/session", NULL, "{}", 2, &r), 0);
    assert_int_equal(r.status, 405);
    sw_http_result_free(&r);
}

static void cookie_needs_csrf_to_change_state(void **state)
{
    struct fixture *f = *state;
    json_t *login = sign_in(f, NULL);
    char cookie[128], csrf[128], wrong[128];
    snprintf(cookie, sizeof cookie, "Cookie: theme=dark; stagewise_session=%s",
             jstr(login, "token"));
    snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", jstr(login, "csrf_token"));
    snprintf(wrong, sizeof wrong, "X-CSRF-Token: %s", "AAAAAAAAAAAAAAAAAAAAAA");

    /* Reading needs no CSRF token. */
    assert_int_equal(get_me(f, cookie, NULL), 200);

    /* Signing out with the cookie alone, or a wrong token, is refused and
     * leaves the session alive. */
    const char *no_csrf[] = { cookie, NULL };
    const char *bad_csrf[] = { cookie, wrong, NULL };
    const char *token_as_csrf_h[3] = { cookie, NULL, NULL };
    char token_as_csrf[128];
    snprintf(token_as_csrf, sizeof token_as_csrf, "X-CSRF-Token: %s",
             strchr(jstr(login, "token"), '.') + 1);
    token_as_csrf_h[1] = token_as_csrf;
    const char *const *refused[] = { no_csrf, bad_csrf, token_as_csrf_h };
    for (size_t i = 0; i < 3; i++) {
        sw_http_result r;
        assert_int_equal(sw_http(&f->srv, "DELETE", "/api/session", refused[i],
                                 NULL, 0, &r), 0);
        assert_int_equal(r.status, 401);
        json_t *doc;
        assert_string_equal(error_code(&r, &doc), "unauthorized");
        assert_non_null(strstr(error_message(doc), "X-CSRF-Token"));
        json_decref(doc);
        sw_http_result_free(&r);
    }
    assert_int_equal(get_me(f, cookie, NULL), 200);

    /* With the token it goes through, clears the cookie, ends the session. */
    const char *ok[] = { cookie, csrf, NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&f->srv, "DELETE", "/api/session", ok, NULL, 0, &r), 0);
    assert_int_equal(r.status, 204);
    char buf[256];
    assert_non_null(sw_http_header(&r, "Set-Cookie", buf, sizeof buf));
    assert_true(strncmp(buf, "stagewise_session=;", 19) == 0);
    assert_non_null(strstr(buf, "Max-Age=0"));
    sw_http_result_free(&r);
    assert_int_equal(get_me(f, cookie, NULL), 401);
    assert_int_equal(me_with_token(f, jstr(login, "token")), 401);
    json_decref(login);
}

static void logout_revokes(void **state)
{
    struct fixture *f = *state;
    json_t *a = sign_in(f, NULL), *b = sign_in(f, NULL);
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", jstr(a, "token"));
    const char *h[] = { auth, NULL };
    sw_http_result r;
    /* Bearer needs no CSRF token. */
    assert_int_equal(sw_http(&f->srv, "DELETE", "/api/session", h, NULL, 0, &r), 0);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.len, 0);
    sw_http_result_free(&r);
    assert_int_equal(me_with_token(f, jstr(a, "token")), 401);
    assert_int_equal(sw_http(&f->srv, "DELETE", "/api/session", h, NULL, 0, &r), 0);
    assert_int_equal(r.status, 401);
    sw_http_result_free(&r);
    /* Only that session ended. */
    assert_int_equal(me_with_token(f, jstr(b, "token")), 200);
    json_decref(a);
    json_decref(b);
}

static void disabling_a_user_ends_their_sessions(void **state)
{
    struct fixture *f = *state;
    add_user(f, "ma.leaving", false);
    sw_http_result r;
    post_session(f, "{\"username\":\"ma.leaving\",\"password\":\""
                 SW_TEST_ADMIN_PASSWORD "\"}", JSON_CT, &r);
    assert_int_equal(r.status, 201);
    json_t *doc = json_loads(r.body, 0, NULL);
    sw_http_result_free(&r);
    assert_int_equal(me_with_token(f, jstr(doc, "token")), 200);
    add_user(f, "ma.leaving", true);          /* disables the existing user */
    assert_int_equal(me_with_token(f, jstr(doc, "token")), 401);
    json_decref(doc);
}

/* ---- Timeouts ------------------------------------------------------------ */

static void idle_session_ends(void **state)
{
    struct fixture *f = *state;
    json_t *login = sign_in(f, NULL);
    const char *token = jstr(login, "token");
    assert_int_equal(json_integer_value(json_object_get(login,
                                                        "idle_timeout_seconds")), 3);
    /* Activity keeps it alive past 3 s in all... */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(me_with_token(f, token), 200);
        usleep(1200000);
    }
    assert_int_equal(me_with_token(f, token), 200);
    /* ...and 3 s without any ends it. */
    usleep(4500000);
    assert_int_equal(me_with_token(f, token), 401);
    json_decref(login);
}

static void session_ends_at_its_lifetime(void **state)
{
    struct fixture *f = *state;
    json_t *login = sign_in(f, NULL);
    const char *token = jstr(login, "token");
    long long exp = iso_seconds(jstr(login, "expires_at"));
    long long now = (long long)time(NULL);
    assert_true(exp >= now + 2 && exp <= now + 5);
    assert_int_equal(me_with_token(f, token), 200);
    usleep(1500000);
    assert_int_equal(me_with_token(f, token), 200);
    /* Busy all along, yet over at 4 s. */
    usleep(3500000);
    assert_int_equal(me_with_token(f, token), 401);
    json_decref(login);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sign_in_answers_token_cookie_and_user, setup, teardown),
        cmocka_unit_test_setup_teardown(each_sign_in_gets_a_new_token, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_user_and_wrong_password_look_the_same, setup, teardown),
        cmocka_unit_test_setup_teardown(five_failures_lock_the_account, setup_short_lock, teardown),
        cmocka_unit_test_setup_teardown(disabled_user_cannot_sign_in, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_bodies_get_415_400_413, setup, teardown),
        cmocka_unit_test_setup_teardown(bearer_reaches_me, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_or_bad_credentials_get_401, setup, teardown),
        cmocka_unit_test_setup_teardown(public_and_unknown_routes_need_no_session, setup, teardown),
        cmocka_unit_test_setup_teardown(cookie_needs_csrf_to_change_state, setup, teardown),
        cmocka_unit_test_setup_teardown(logout_revokes, setup, teardown),
        cmocka_unit_test_setup_teardown(disabling_a_user_ends_their_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(idle_session_ends, setup_short_idle, teardown),
        cmocka_unit_test_setup_teardown(session_ends_at_its_lifetime, setup_short_life, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
