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
#include <stdlib.h>
#include <string.h>

#include "auth/login.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/str.h"

#define SESSION_COOKIE "stagewise_session"

const auth_session *server_principal(const sw_request *req)
{
    return req->principal;
}

/* Whether the request reached us over TLS. There is no TLS yet: when native
 * TLS (--tls-cert, --tls-key) or a trusted reverse proxy's
 * X-Forwarded-Proto arrives (issue 4), answer it here and the session
 * cookie gains Secure, which a browser would otherwise refuse to send back
 * over plain HTTP. */
static bool request_is_tls(const sw_request *req)
{
    (void)req;
    return false;
}

/* ---- Small helpers ------------------------------------------------------- */

static sw_str trim(sw_str s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.n--;
    }
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

/* The token of "Authorization: Bearer TOKEN" (scheme in any case). */
static bool bearer_token(const char *header, sw_str *out)
{
    sw_str s = sw_str_of(header);
    if (!sw_str_skip_nocase(&s, "bearer") || s.n == 0 || s.p[0] != ' ')
        return false;
    *out = trim(s);
    return out->n > 0;
}

/* The value of cookie `name` in a Cookie header ("a=1; b=2"). */
static bool cookie_value(const char *header, const char *name, sw_str *out)
{
    sw_str s = sw_str_of(header), pair, key;
    while (s.n) {
        sw_str_split(&s, ';', &pair);
        sw_str value = pair;
        if (!sw_str_split(&value, '=', &key) || !sw_str_eq_cstr(trim(key), name))
            continue;
        value = trim(value);
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

static int reply_json(sw_response *res, int status, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (text == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    int rc = http_set_header(res, "Cache-Control", "no-store");
    if (rc == SW_OK)
        rc = http_reply(res, status, "application/json", text, strlen(text));
    /* The text may hold a token: wipe it before giving the memory back. */
    sodium_memzero(text, strlen(text));
    free(text);
    return rc;
}

/* roles "a,b" as ["a","b"]. */
static json_t *roles_array(const char *roles)
{
    json_t *a = json_array();
    sw_str s = sw_str_of(roles), one;
    while (a && s.n) {
        sw_str_split(&s, ',', &one);
        one = trim(one);
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
    int rc = auth_session_authenticate(app->store, &app->auth, req->arena,
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

    req->principal = s;
    req->user_id = sw_arena_printf(req->arena, "%" PRId64, s->user_id);
    return req->user_id ? SW_OK : http_fail(res, SW_ENOMEM, NULL);
}

/* ---- POST /api/session --------------------------------------------------- */

static bool is_json_media_type(const char *ct)
{
    sw_str s = trim(sw_str_of(ct));
    if (!sw_str_skip_nocase(&s, "application/json"))
        return false;
    s = trim(s);
    return s.n == 0 || s.p[0] == ';';
}

struct login_body {
    const char *username;
    const char *password;
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
    /* Multi-factor sign-in is not built yet (issue 4); until it is, a
     * one-time code is accepted in its place in the contract and unused. */
    v = json_object_get(doc, "totp");
    if (v != NULL && !json_is_string(v))
        return http_fail(res, SW_EINVAL, "\"totp\" must be a string");
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

static int post_session(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    if (!is_json_media_type(http_header_get(req, "Content-Type")))
        return http_fail(res, SW_EMEDIA, "send the sign-in as JSON with "
                         "Content-Type: application/json");
    if (req->body_len > SW_LOGIN_MAX_BODY_BYTES)
        return http_fail(res, SW_ETOOBIG, "a sign-in request is at most %d "
                         "bytes", SW_LOGIN_MAX_BODY_BYTES);
    json_error_t je;
    json_t *doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES,
                             &je);
    if (doc == NULL)
        /* The parser's own text may quote the body (the password), so
         * only the position is passed on. */
        return http_fail(res, SW_EBADREQUEST, "the body is not valid JSON "
                         "(line %d, column %d)", je.line, je.column);
    struct login_body b = { 0 };
    int rc = read_login_body(doc, &b, res);
    if (rc != SW_OK) {
        json_decref(doc);
        return rc;
    }

    auth_login_request lr = {
        .practice_id = b.practice_id,
        .username = b.username,
        .password = b.password,
        .client_address = http_client_address(req),
    };
    auth_login_result *out = sw_arena_calloc(req->arena, 1, sizeof *out);
    sw_err err;
    rc = out ? auth_login(app->store, &app->auth, req->arena, &lr, out, &err)
             : SW_ENOMEM;
    json_decref(doc);
    if (rc == SW_EUNAUTH)
        return unauthorized(res, false, AUTH_LOGIN_REFUSED);
    if (rc == SW_ENOMEM)
        return http_fail(res, SW_ENOMEM, NULL);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);

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
    rc = set_session_cookie(req, res, out->token);
    sodium_memzero(out->token, sizeof out->token);
    sodium_memzero(out->csrf_token, sizeof out->csrf_token);
    if (rc != SW_OK) {
        json_decref(reply);
        return http_fail(res, rc, NULL);
    }
    return reply_json(res, 201, reply);
}

/* ---- DELETE /api/session ------------------------------------------------- */

static int delete_session(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    sw_err err;
    int rc = auth_session_revoke(app->store, s, &err);
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
    json_t *doc = json_pack("{s:o, s:{s:s, s:s, s:I}}",
                            "user", user_json(s),
                            "session",
                            "expires_at", expires,
                            "idle_expires_at", idle,
                            "idle_timeout_seconds",
                            (json_int_t)(app->auth.idle_ms / 1000));
    return reply_json(res, 200, doc);
}

static const http_route routes[] = {
    { "POST",   "/api/session", post_session,   HTTP_ROUTE_PUBLIC | HTTP_ROUTE_BODY },
    { "DELETE", "/api/session", delete_session, 0 },
    { "GET",    "/api/me",      get_me,         0 },
};

const http_route_table session_routes = {
    .name = "session",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
