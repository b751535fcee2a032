/* api_session.c - signing in and out over HTTP, and the filter that makes
 * every other route need a session.
 *
 *   POST   /api/session   sign in (public): JSON body, 201 with the token,
 *                         the CSRF token and the user, plus the cookie
 *   DELETE /api/session   sign out: revokes the session used, 204
 *   GET    /api/me        the signed-in user and their session
 *
 * The filter runs on every routed request (routes.c); on a route without
 * HTTP_ROUTE_PUBLIC it takes the session from `Authorization: Bearer` or,
 * failing that, from the stagewise_session cookie, and a cookie-borne
 * request that may change state must also carry the session's CSRF token
 * in X-CSRF-Token: a browser attaches cookies to requests other sites
 * make it send, never that header. Bearer requests need no CSRF token
 * because nothing sends that header on its own. So the rules live in
 * src/auth/ (session.c, login.c); this file is the HTTP around them.
 * Nothing here logs a token, a password or a request body. */
#include "app.h"

#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/api_token.h"
#include "auth/authz.h"
#include "auth/login.h"
#include "auth/mfa.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/str.h"
#include "rollout/catalog.h"
#include "rollout/decide.h"

#define SESSION_COOKIE "stagewise_session"

const auth_session *server_principal(const sw_request *req)
{
    return req->principal;
}

/* Whether the request reached us over TLS: native TLS (--tls-cert), or a
 * trusted reverse proxy's X-Forwarded-Proto: https (--trust-proxy; the
 * HTTP layer decides). The session cookie then gains Secure. */
static bool request_is_tls(const sw_request *req)
{
    return http_request_is_tls(req);
}

/* ---- Small helpers ------------------------------------------------------- */

/* The token of "Authorization: Bearer TOKEN" (scheme in any case). */
static bool bearer_token(const char *header, sw_str *out)
{
    sw_str s = sw_str_of(header);
    if (!sw_str_skip_nocase(&s, "bearer") || s.n == 0 || s.p[0] != ' ')
        return false;
    *out = sw_str_trim(s);
    return out->n > 0;
}

/* The value of cookie `name` in a Cookie header ("a=1; b=2"). */
static bool cookie_value(const char *header, const char *name, sw_str *out)
{
    sw_str s = sw_str_of(header), pair, key;
    while (s.n) {
        sw_str_split(&s, ';', &pair);
        sw_str value = pair;
        if (!sw_str_split(&value, '=', &key) || !sw_str_eq_cstr(sw_str_trim(key), name))
            continue;
        value = sw_str_trim(value);
        if (value.n >= 2 && value.p[0] == '"' && value.p[value.n - 1] == '"') {
            value.p++;
            value.n -= 2;
        }
        *out = value;
        return true;
    }
    return false;
}

static bool method_is_safe(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0
        || strcmp(m, "OPTIONS") == 0 || strcmp(m, "TRACE") == 0;
}

/* 401 with the challenge RFC 6750 asks for: no error code when no
 * credentials came, invalid_token when one came and failed. */
static int unauthorized(sw_response *res, bool had_token, const char *msg)
{
    http_set_header(res, "WWW-Authenticate",
                    had_token ? "Bearer error=\"invalid_token\"" : "Bearer");
    return http_fail(res, SW_EUNAUTH, "%s", msg);
}

/* A store failure while deciding about a session: the operator gets the
 * database's words in the log, the client a sentence without them. */
static int store_failed(sw_response *res, int rc, const sw_err *err)
{
    sw_warn("session check failed: %s", sw_err_text(err));
    return http_fail(res, rc, "the sign-in could not be checked because the "
                     "database did not answer; try again");
}

/* roles "a,b" as ["a","b"]. */
static json_t *roles_array(const char *roles)
{
    json_t *a = json_array();
    sw_str s = sw_str_of(roles), one;
    while (a && s.n) {
        sw_str_split(&s, ',', &one);
        one = sw_str_trim(one);
        if (one.n && json_array_append_new(a, json_stringn(one.p, one.n)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *user_json(const auth_session *s)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:I}",
                     "id", (json_int_t)s->user_id,
                     "username", s->username,
                     "display_name", s->display_name,
                     "roles", roles_array(s->roles),
                     "practice", (json_int_t)s->practice_id);
}

/* ---- The filter ---------------------------------------------------------- */

#define MFA_ENROL_FIRST "this practice requires multi-factor sign-in for " \
    "admin roles: enrol at /api/me/mfa, then sign in again with a code"

/* What a session opened only for MFA enrolment may reach: the user, the
 * enrolment routes, and signing out. */
static bool enrol_only_route(const sw_request *req)
{
    const char *p = req->route->pattern;
    return strcmp(p, "/api/me") == 0 || strncmp(p, "/api/me/mfa", 11) == 0
        || (strcmp(p, "/api/session") == 0
            && strcmp(req->method, "DELETE") == 0);
}

int server_authenticate(sw_request *req, sw_response *res)
{
    if (req->route->flags & HTTP_ROUTE_PUBLIC)
        return SW_OK;
    sw_app *app = req->app;
    sw_str token = { 0 };
    bool via_cookie = false;
    const char *authz = http_header_get(req, "Authorization");
    if (authz != NULL) {
        /* An explicit credential wins; a bad one is not rescued by a
         * cookie, so a client learns its token is wrong. */
        if (!bearer_token(authz, &token))
            return unauthorized(res, true, "the Authorization header must be "
                                "'Bearer' and the token from POST /api/session");
    } else {
        const char *cookie = http_header_get(req, "Cookie");
        via_cookie = cookie && cookie_value(cookie, SESSION_COOKIE, &token);
        if (!via_cookie || token.n == 0)
            return unauthorized(res, false, "sign in first: POST /api/session, "
                                "then send Authorization: Bearer TOKEN or the "
                                "session cookie");
    }

    auth_session *s = sw_arena_calloc(req->arena, 1, sizeof *s);
    if (s == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    sw_err err;
    /* A service account's API token ("swt_…") comes only as Bearer. */
    int rc = !via_cookie && auth_api_token_is(token.p, token.n)
        ? auth_api_token_authenticate(server_prod_store(app), req->arena,
                                      token.p, token.n, s, &err)
        : auth_session_authenticate(server_prod_store(app), &app->auth,
                                    req->arena,
                                    token.p, token.n, s, &err);
    if (rc == SW_EUNAUTH)
        return unauthorized(res, true, err.msg);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    if (via_cookie && !method_is_safe(req->method)
        && !auth_session_csrf_ok(s, http_header_get(req, "X-CSRF-Token")))
        return unauthorized(res, false, "a request that changes something "
                            "needs the X-CSRF-Token header with the csrf_token "
                            "that signing in returned");
    if (s->mfa_enrol_only && !enrol_only_route(req))
        return server_fail_as(res, SW_EFORBIDDEN, "mfa_enrolment_required",
                              MFA_ENROL_FIRST);

    if (s->scope == NULL)
        s->scope = "";    /* people have no scope */
    req->principal = s;
    req->user_id = sw_arena_printf(req->arena, "%" PRId64, s->user_id);
    if (req->user_id == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    /* Training handlers find the account in the store they serve. */
    return server_training_account(req, res);
}

/* ---- POST /api/session --------------------------------------------------- */

struct login_body {
    const char *username;
    const char *password;
    const char *totp;
    int64_t     practice_id;
};

/* Checks the body's members; SW_OK or a 400 naming the member. */
static int read_login_body(json_t *doc, struct login_body *b, sw_response *res)
{
    if (!json_is_object(doc))
        return http_fail(res, SW_EINVAL, "the body must be a JSON object with "
                         "\"username\" and \"password\"");
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        if (strcmp(key, "username") && strcmp(key, "password")
            && strcmp(key, "practice") && strcmp(key, "totp"))
            return http_fail(res, SW_EINVAL, "\"%.64s\" is not a member of a "
                             "sign-in request (username, password, practice, "
                             "totp)", key);
    }
    v = json_object_get(doc, "username");
    if (v == NULL)
        return http_fail(res, SW_EINVAL, "\"username\" is missing");
    if (!json_is_string(v) || json_string_length(v) == 0
        || json_string_length(v) > SW_MAX_USERNAME_BYTES)
        return http_fail(res, SW_EINVAL, "\"username\" must be a non-empty "
                         "string of at most %d bytes", SW_MAX_USERNAME_BYTES);
    b->username = json_string_value(v);
    v = json_object_get(doc, "password");
    if (v == NULL)
        return http_fail(res, SW_EINVAL, "\"password\" is missing");
    /* 4 bytes per character is the most UTF-8 needs. */
    if (!json_is_string(v) || json_string_length(v) == 0
        || json_string_length(v) > 4 * SW_MAX_PASSWORD_CHARS)
        return http_fail(res, SW_EINVAL, "\"password\" must be a non-empty "
                         "string of at most %d characters",
                         SW_MAX_PASSWORD_CHARS);
    b->password = json_string_value(v);
    b->practice_id = 1;
    v = json_object_get(doc, "practice");
    if (v != NULL) {
        if (!json_is_integer(v) || json_integer_value(v) < 1
            || json_integer_value(v) > AUTH_MAX_PRACTICE_ID)
            return http_fail(res, SW_EINVAL, "\"practice\" must be a practice "
                             "number (a positive integer)");
        b->practice_id = json_integer_value(v);
    }
    /* The second factor: 6 digits or a recovery code (auth/mfa.h). */
    v = json_object_get(doc, "totp");
    if (v != NULL && (!json_is_string(v)
                      || json_string_length(v) > AUTH_MFA_CODE_MAX))
        return http_fail(res, SW_EINVAL, "\"totp\" must be a string of at "
                         "most %d characters", AUTH_MFA_CODE_MAX);
    b->totp = v ? json_string_value(v) : NULL;
    return SW_OK;
}

static int set_session_cookie(sw_request *req, sw_response *res,
                              const char *token)
{
    /* No Max-Age: the cookie ends with the browser session at the latest;
     * the server ends the session itself long before that if it must. */
    char *c = sw_arena_printf(req->arena,
                              SESSION_COOKIE "=%s; Path=/; HttpOnly; "
                              "SameSite=Strict%s", token,
                              request_is_tls(req) ? "; Secure" : "");
    return c ? http_set_header(res, "Set-Cookie", c) : SW_ENOMEM;
}

/* The audit entry of a sign-in attempt, appended in the transaction that
 * writes its outcome (auth_login_recorder): failures of unknown users
 * too, with user 0 and the username as typed (usernames are no secret). */
static int record_login(store_tx *tx, const auth_login_event *ev, void *ctx)
{
    const sw_request *req = ctx;
    /* At most 64 bytes, cut at a character boundary so the entry stays
     * valid UTF-8 (the body's check already bounds it; this is the
     * trail's own guard). */
    char typed[SW_MAX_USERNAME_BYTES + 1];
    const char *u = ev->username ? ev->username : "";
    size_t n = strnlen(u, SW_MAX_USERNAME_BYTES + 1);
    if (n > SW_MAX_USERNAME_BYTES) {
        n = SW_MAX_USERNAME_BYTES;
        while (n > 0 && ((unsigned char)u[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(typed, u, n);
    typed[n] = '\0';
    audit_who who;
    server_audit_who(req, &who);
    who.practice_id = ev->practice_id;
    who.user_id = ev->user_id;
    who.username = typed;
    who.roles = ev->roles ? ev->roles : "";
    audit_entry e = {
        .who = &who, .feature = "", .patient_id = "", .res_type = "",
        .res_id = "", .outcome = AUDIT_FAILURE, .detail = "",
    };
    switch (ev->outcome) {
    case AUTH_LOGIN_SIGNED_IN:
        e.action = AUDIT_LOGIN;
        e.outcome = AUDIT_SUCCESS;
        e.detail = ev->mfa_enrol_only ? "session limited to MFA enrolment" : "";
        break;
    case AUTH_LOGIN_LOCKED_NOW:
        e.action = AUDIT_LOCKOUT;
        e.detail = "locked after repeated failed sign-ins";
        break;
    case AUTH_LOGIN_MFA_MISSING:
        e.action = AUDIT_LOGIN_FAILURE;
        e.detail = "one-time code missing or wrong";
        break;
    case AUTH_LOGIN_REFUSED_ANY:
        e.action = AUDIT_LOGIN_FAILURE;
        break;
    }
    return audit_append(tx, &e);
}

static int post_session(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    /* Sign-in is unauthenticated, so its body gets a small limit. */
    json_t *doc;
    int rc = server_json_body(req, res, SW_LOGIN_MAX_BODY_BYTES, &doc);
    if (rc != SW_OK)
        return rc;
    struct login_body b = { 0 };
    rc = read_login_body(doc, &b, res);
    if (rc != SW_OK) {
        json_decref(doc);
        return rc;
    }

    auth_login_request lr = {
        .practice_id = b.practice_id,
        .username = b.username,
        .password = b.password,
        .totp = b.totp,
        .client_address = http_client_address(req),
        .record = record_login,
        .record_ctx = req,
    };
    auth_login_result *out = sw_arena_calloc(req->arena, 1, sizeof *out);
    sw_err err;
    rc = out ? auth_login(server_prod_store(app), &app->auth, req->arena, &lr, out, &err)
             : SW_ENOMEM;
    json_decref(doc);
    if (rc == SW_EUNAUTH && out->outcome == AUTH_LOGIN_MFA_MISSING) {
        /* Only after a correct password (OWASP): the client learns to ask
         * for the code, an attacker without the password learns nothing. */
        http_set_header(res, "WWW-Authenticate", "Bearer");
        return server_fail_as(res, SW_EUNAUTH, "mfa_required",
                              AUTH_LOGIN_MFA_REQUIRED);
    }
    if (rc == SW_EUNAUTH)
        return unauthorized(res, false, AUTH_LOGIN_REFUSED);
    if (rc == SW_ENOMEM)
        return http_fail(res, SW_ENOMEM, NULL);
    if (rc != SW_OK) {
        /* The store, or the audit entry that goes with the outcome:
         * nothing happened, and nothing is signed in unaudited. */
        sw_warn("sign-in could not be decided or audited: %s",
                sw_err_text(&err));
        return http_fail(res, SW_ESTORE, "the sign-in could not be checked "
                         "or recorded because the database did not answer; "
                         "try again");
    }

    const auth_session *s = &out->session;
    req->user_id = sw_arena_printf(req->arena, "%" PRId64, s->user_id);
    char expires[SW_TIME_ISO_MAX];
    sw_time_iso(s->expires_ms, expires);
    json_t *reply = json_pack("{s:s, s:s, s:I, s:s, s:o}",
                              "token", out->token,
                              "expires_at", expires,
                              "idle_timeout_seconds",
                              (json_int_t)(app->auth.idle_ms / 1000),
                              "csrf_token", out->csrf_token,
                              "user", user_json(s));
    if (reply && s->mfa_enrol_only)
        json_object_set_new(reply, "mfa_enrolment_required", json_true());
    rc = set_session_cookie(req, res, out->token);
    sodium_memzero(out->token, sizeof out->token);
    sodium_memzero(out->csrf_token, sizeof out->csrf_token);
    if (rc != SW_OK) {
        json_decref(reply);
        return http_fail(res, rc, NULL);
    }
    return server_reply_json(res, 201, reply);
}

/* ---- DELETE /api/session ------------------------------------------------- */

struct logout {
    const auth_session *s;
    const audit_who    *who;
};

/* Revokes the session and records the logout in one commit. */
static int logout_fn(store_tx *tx, void *ctx)
{
    struct logout *l = ctx;
    int rc = auth_session_revoke_tx(tx, l->s);
    if (rc != SW_OK)
        return rc;
    audit_entry e = {
        .who = l->who, .action = AUDIT_LOGOUT, .feature = "",
        .patient_id = "", .res_type = "", .res_id = "",
        .outcome = AUDIT_SUCCESS, .detail = "",
    };
    return audit_append(tx, &e);
}

static int delete_session(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    audit_who who;
    server_audit_who(req, &who);
    struct logout l = { .s = s, .who = &who };
    sw_err err;
    int rc = store_write(server_prod_store(app), logout_fn, &l, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    /* Clear the cookie too, whichever credential was used. */
    rc = http_set_header(res, "Set-Cookie", SESSION_COOKIE "=; Path=/; "
                         "Max-Age=0; HttpOnly; SameSite=Strict");
    if (rc == SW_OK)
        rc = http_set_header(res, "Cache-Control", "no-store");
    if (rc == SW_OK)
        rc = http_reply(res, 204, NULL, "", 0);
    return rc;
}

/* ---- GET /api/me --------------------------------------------------------- */

static int get_me(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    char expires[SW_TIME_ISO_MAX], idle[SW_TIME_ISO_MAX];
    sw_time_iso(s->expires_ms, expires);
    int64_t idle_end = s->last_seen_ms + app->auth.idle_ms;
    sw_time_iso(idle_end < s->expires_ms ? idle_end : s->expires_ms, idle);
    auth_mfa_status mfa;
    sw_err err;
    int rc = auth_mfa_get_status(server_prod_store(app), s->practice_id, s->user_id, &mfa,
                                 &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    json_t *doc = json_pack("{s:o, s:{s:s, s:s, s:I, s:b}, s:{s:b}}",
                            "user", user_json(s),
                            "session",
                            "expires_at", expires,
                            "idle_expires_at", idle,
                            "idle_timeout_seconds",
                            (json_int_t)(app->auth.idle_ms / 1000),
                            "mfa_enrolment_only", s->mfa_enrol_only,
                            "mfa", "enabled", mfa.enabled);
    /* What the permission table lets this user do ("clinical:write"), so
     * the web app offers only what the server will accept; the server
     * still checks every request. */
    json_t *perms = json_array();
    for (int area = 0; perms && area < AUTHZ_AREA__COUNT; area++)
        for (int action = 0; action < AUTHZ_ACTION__COUNT; action++)
            if (authz_allows(s->roles, s->scope, (authz_area)area, (authz_action)action)) {
                char tag[64];
                snprintf(tag, sizeof tag, "%s:%s", authz_area_name((authz_area)area),
                         authz_action_name((authz_action)action));
                json_array_append_new(perms, json_string(tag));
            }
    /* The modules live for this user (the rollout decision, docs/
     * rollout.md "Enforcement"), so the web app offers only those, and the
     * others with when they are coming. */
    size_t nmodules;
    const catalog_module *catalog = catalog_modules(&nmodules);
    rollout_answer *live = sw_arena_calloc(req->arena, nmodules, sizeof *live);
    if (live == NULL || (rc = server_rollout_all(req, res, live)) != SW_OK) {
        json_decref(doc);
        json_decref(perms);
        return live == NULL ? http_fail(res, SW_ENOMEM, NULL) : rc;
    }
    json_t *modules = json_array(), *coming = json_array();
    for (size_t i = 0; modules && coming && i < nmodules; i++) {
        if (live[i].live) {
            json_array_append_new(modules, json_string(catalog[i].id));
            continue;
        }
        json_t *c = json_pack("{s:s, s:s, s:o, s:o}", "module", catalog[i].id,
                              "title", catalog[i].title, "live_from",
                              live[i].live_from ? json_string(live[i].live_from)
                                                : json_null(),
                              "stage", live[i].stage_name
                                  ? json_string(live[i].stage_name) : json_null());
        if (c == NULL || json_array_append_new(coming, c) != 0) {
            json_decref(coming);
            coming = NULL;
        }
    }
    if (doc == NULL || perms == NULL || modules == NULL || coming == NULL
        || json_object_set_new(doc, "coming", coming) != 0
        || json_object_set_new(doc, "modules", modules) != 0
        || json_object_set_new(doc, "permissions", perms) != 0
        || json_object_set_new(doc, "environment",
                               json_string(server_environment(app))) != 0) {
        json_decref(doc);
        return http_fail(res, SW_ENOMEM, NULL);
    }
    return server_reply_json(res, 200, doc);
}

static const http_route routes[] = {
    { "POST",   "/api/session", post_session,   HTTP_ROUTE_PUBLIC | HTTP_ROUTE_BODY, NULL },
    { "DELETE", "/api/session", delete_session, 0, NULL },
    { "GET",    "/api/me",      get_me,         0, NULL },
};

const http_route_table session_routes = {
    .name = "session",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
