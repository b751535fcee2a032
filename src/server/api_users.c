/* api_users.c - user accounts over HTTP, for a practice's administrators
 * (docs/auth.md, "Accounts"):
 *
 *   GET    /api/users                          every account of the practice
 *   POST   /api/users                          add a person or a service account
 *   GET    /api/users/{id}                     one account (and its API tokens)
 *   PATCH  /api/users/{id}                     display name, roles, Practitioner, scope
 *   POST   /api/users/{id}/disable             disable (ends its sessions and tokens)
 *   POST   /api/users/{id}/enable              enable again
 *   POST   /api/users/{id}/password            an administrator's password reset
 *   POST   /api/users/{id}/tokens              a new API token (service accounts)
 *   DELETE /api/users/{id}/tokens              revoke all of its tokens
 *   DELETE /api/users/{id}/tokens/{token_id}   revoke one token
 *
 * Every row carries the permission tag "users:admin": the authorization
 * filter decides who passes, and no handler checks a role. The rules
 * (what is valid, what a change revokes, its audit entry in the same
 * transaction) live in src/auth/users.c and api_token.c; this file is the
 * JSON around them. Responses carry Cache-Control: no-store and never a
 * password hash, a token hash or, after its one showing, a token. */
#include "app.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/api_token.h"
#include "auth/users.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/str.h"

/* An account request is a few short members; 16 KiB is generous. */
#define USERS_MAX_BODY_BYTES (16 * 1024)

/* ---- Small helpers ------------------------------------------------------- */

/* A failure of the account code: its own sentence for what the client can
 * fix (400, 404, 409), a generic one for the database, whose words go to
 * the log only. */
static int account_failed(sw_response *res, int rc, const sw_err *err)
{
    if (rc == SW_EINVAL || rc == SW_ENOTFOUND || rc == SW_ECONFLICT)
        return http_fail(res, rc, "%s", sw_err_text(err));
    if (rc == SW_ENOMEM)
        return http_fail(res, rc, NULL);
    sw_warn("account change failed: %s", sw_err_text(err));
    return http_fail(res, rc, "the account could not be read or changed "
                     "because the database did not answer; try again");
}

/* The {id} of the path: a user id of the signed-in user's practice. */
static int path_id(sw_request *req, sw_response *res, const char *name,
                   int64_t *out)
{
    long v;
    const char *text = http_route_value(req, name);
    if (text == NULL || !sw_str_to_long(sw_str_of(text), 1, INT64_MAX, &v))
        return http_fail(res, SW_EBADREQUEST, "%s in the path must be a "
                         "positive whole number", name);
    *out = v;
    return SW_OK;
}

static json_t *roles_array(const char *roles)
{
    json_t *a = json_array();
    sw_str s = sw_str_of(roles), one;
    while (a && s.n) {
        sw_str_split(&s, ',', &one);
        if (one.n && json_array_append_new(a, json_stringn(one.p, one.n)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *user_json(const auth_user *u)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:b, s:b, s:b, s:s}",
        "id", (json_int_t)u->user_id,
        "username", u->username,
        "display_name", u->display_name,
        "roles", roles_array(u->roles),
        "kind", u->kind,
        "practitioner_id", u->practitioner_id[0]
                           ? json_string(u->practitioner_id) : json_null(),
        "disabled", u->disabled,
        "locked", u->locked_until_ms > sw_now_wall_ms(),
        "mfa_enabled", u->mfa_enabled,
        "created_at", u->created_at);
    if (o && strcmp(u->kind, AUTH_KIND_SERVICE) == 0
        && json_object_set_new(o, "scope", json_string(u->scope)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *iso_or_null(int64_t ms)
{
    if (ms == 0)
        return json_null();
    char iso[SW_TIME_ISO_MAX];
    sw_time_iso(ms, iso);
    return json_string(iso);
}

/* Answers {"user": …} for user id, read after a change. */
static int reply_user(sw_request *req, sw_response *res, int status,
                      int64_t id, bool tokens)
{
    sw_app *app = req->app;
    const auth_session *me = server_principal(req);
    auth_user u;
    sw_err err;
    int rc = auth_user_get(app->store, req->arena, me->practice_id, id, &u,
                           &err);
    if (rc != SW_OK)
        return account_failed(res, rc, &err);
    json_t *uj = user_json(&u);
    if (uj && tokens && strcmp(u.kind, AUTH_KIND_SERVICE) == 0) {
        auth_api_token_info *t;
        size_t n;
        rc = auth_api_token_list(app->store, req->arena, me->practice_id, id,
                                 &t, &n, &err);
        if (rc != SW_OK) {
            json_decref(uj);
            return account_failed(res, rc, &err);
        }
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < n; i++) {
            char created[SW_TIME_ISO_MAX];
            sw_time_iso(t[i].id, created);
            json_array_append_new(arr, json_pack("{s:I, s:s, s:o, s:b}",
                "id", (json_int_t)t[i].id, "created_at", created,
                "last_used_at", iso_or_null(t[i].last_used_ms),
                "revoked", t[i].revoked));
        }
        json_object_set_new(uj, "tokens", arr ? arr : json_null());
    }
    return server_reply_json(res, status, uj ? json_pack("{s:o}", "user", uj)
                                             : NULL);
}

/* An optional string member; *out stays NULL when absent. */
static int opt_string(json_t *doc, const char *name, bool nullable,
                      const char **out, sw_response *res)
{
    json_t *v = json_object_get(doc, name);
    if (v == NULL)
        return SW_OK;
    if (nullable && json_is_null(v)) {
        *out = "";
        return SW_OK;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return http_fail(res, SW_EINVAL, "\"%s\" must be a string%s", name,
                         nullable ? " or null" : "");
    *out = json_string_value(v);
    return SW_OK;
}

/* "roles": ["nurse", "practice_admin"] as "nurse,practice_admin" (checked
 * against the role table later, by the account code). */
static int opt_roles(sw_request *req, json_t *doc, const char **out,
                     sw_response *res)
{
    json_t *v = json_object_get(doc, "roles");
    if (v == NULL)
        return SW_OK;
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    if (n == 0)
        return http_fail(res, SW_EINVAL, "\"roles\" must be a non-empty array "
                         "of role names, such as [\"nurse\"]");
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(v, i);
        const char *name = json_string_value(r);
        if (name == NULL || name[0] == '\0' || strchr(name, ',')
            || strlen(name) != json_string_length(r))
            return http_fail(res, SW_EINVAL, "\"roles\" item %zu must be a "
                             "role name, such as \"nurse\"", i);
        total += strlen(name) + 1;
    }
    char *list = sw_arena_alloc(req->arena, total);
    if (list == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    char *w = list;
    for (size_t i = 0; i < n; i++) {
        const char *name = json_string_value(json_array_get(v, i));
        size_t len = strlen(name);
        if (i)
            *w++ = ',';
        memcpy(w, name, len);
        w += len;
    }
    *w = '\0';
    *out = list;
    return SW_OK;
}

/* ---- GET /api/users ------------------------------------------------------ */

static int list_users(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *me = server_principal(req);
    auth_user *users;
    size_t n;
    sw_err err;
    int rc = auth_user_list(app->store, req->arena, me->practice_id, &users,
                            &n, &err);
    if (rc != SW_OK)
        return account_failed(res, rc, &err);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *u = user_json(&users[i]);
        if (u == NULL || json_array_append_new(arr, u) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return server_reply_json(res, 200, arr ? json_pack("{s:o}", "users", arr)
                                           : NULL);
}

/* ---- POST /api/users ----------------------------------------------------- */

static int post_user(sw_request *req, sw_response *res)
{
    static const char *const members[] = {
        "username", "display_name", "roles", "password", "practitioner_id",
        "service", "scope", NULL,
    };
    sw_app *app = req->app;
    json_t *doc;
    int rc = server_json_body(req, res, USERS_MAX_BODY_BYTES, &doc);
    if (rc != SW_OK)
        return rc;
    auth_account_spec sp = { 0 };
    rc = server_json_only_members(doc, members, res);
    if (rc == SW_OK)
        rc = opt_string(doc, "username", false, &sp.username, res);
    if (rc == SW_OK)
        rc = opt_string(doc, "display_name", false, &sp.display_name, res);
    if (rc == SW_OK)
        rc = opt_roles(req, doc, &sp.roles, res);
    if (rc == SW_OK)
        rc = opt_string(doc, "password", false, &sp.password, res);
    if (rc == SW_OK)
        rc = opt_string(doc, "practitioner_id", true, &sp.practitioner_id, res);
    if (rc == SW_OK)
        rc = opt_string(doc, "scope", false, &sp.scope, res);
    json_t *svc = json_object_get(doc, "service");
    if (rc == SW_OK && svc != NULL && !json_is_boolean(svc))
        rc = http_fail(res, SW_EINVAL, "\"service\" must be true or false");
    sp.service = json_is_true(svc);
    if (rc == SW_OK && sp.username == NULL)
        rc = http_fail(res, SW_EINVAL, "\"username\" is missing");
    if (rc == SW_OK && sp.display_name == NULL)
        rc = http_fail(res, SW_EINVAL, "\"display_name\" is missing");
    if (rc == SW_OK && sp.roles == NULL)
        rc = http_fail(res, SW_EINVAL, "\"roles\" is missing");
    if (rc == SW_OK && !sp.service && sp.password == NULL)
        rc = http_fail(res, SW_EINVAL, "\"password\" is missing (a service "
                       "account says \"service\": true instead)");
    if (rc != SW_OK) {
        json_decref(doc);
        return rc;
    }
    audit_who who;
    server_audit_who(req, &who);
    int64_t id = 0;
    sw_err err;
    rc = auth_account_create(app->store, &who, &sp, &id, &err);
    json_decref(doc);
    if (rc != SW_OK)
        return account_failed(res, rc, &err);
    char *loc = sw_arena_printf(req->arena, "/api/users/%" PRId64, id);
    if (loc == NULL || http_set_header(res, "Location", loc) != SW_OK)
        return http_fail(res, SW_ENOMEM, NULL);
    return reply_user(req, res, 201, id, false);
}

/* ---- GET and PATCH /api/users/{id} --------------------------------------- */

static int get_user(sw_request *req, sw_response *res)
{
    int64_t id;
    int rc = path_id(req, res, "id", &id);
    return rc == SW_OK ? reply_user(req, res, 200, id, true) : rc;
}

static int patch_user(sw_request *req, sw_response *res)
{
    static const char *const members[] = {
        "display_name", "roles", "practitioner_id", "scope", NULL,
    };
    sw_app *app = req->app;
    int64_t id;
    int rc = path_id(req, res, "id", &id);
    if (rc != SW_OK)
        return rc;
    json_t *doc;
    if ((rc = server_json_body(req, res, USERS_MAX_BODY_BYTES, &doc)) != SW_OK)
        return rc;
    auth_account_patch p = { 0 };
    rc = server_json_only_members(doc, members, res);
    if (rc == SW_OK)
        rc = opt_string(doc, "display_name", false, &p.display_name, res);
    if (rc == SW_OK)
        rc = opt_roles(req, doc, &p.roles, res);
    if (rc == SW_OK)
        rc = opt_string(doc, "practitioner_id", true, &p.practitioner_id, res);
    if (rc == SW_OK)
        rc = opt_string(doc, "scope", false, &p.scope, res);
    if (rc == SW_OK && !p.display_name && !p.roles && !p.practitioner_id
        && !p.scope)
        rc = http_fail(res, SW_EINVAL, "give at least one of display_name, "
                       "roles, practitioner_id, scope");
    if (rc != SW_OK) {
        json_decref(doc);
        return rc;
    }
    audit_who who;
    server_audit_who(req, &who);
    sw_err err;
    rc = auth_account_update(app->store, &who, id, &p, &err);
    json_decref(doc);
    if (rc != SW_OK)
        return account_failed(res, rc, &err);
    return reply_user(req, res, 200, id, false);
}

/* ---- Disable, enable, password ------------------------------------------- */

static int set_disabled(sw_request *req, sw_response *res, bool disabled)
{
    sw_app *app = req->app;
    int64_t id;
    int rc = path_id(req, res, "id", &id);
    if (rc != SW_OK)
        return rc;
    audit_who who;
    server_audit_who(req, &who);
    sw_err err;
    rc = auth_account_set_disabled(app->store, &who, id, disabled, &err);
    if (rc != SW_OK)
        return account_failed(res, rc, &err);
    return reply_user(req, res, 200, id, false);
}

static int post_disable(sw_request *req, sw_response *res)
{
    return set_disabled(req, res, true);
}

static int post_enable(sw_request *req, sw_response *res)
{
    return set_disabled(req, res, false);
}

static int post_password(sw_request *req, sw_response *res)
{
    static const char *const members[] = { "password", NULL };
    sw_app *app = req->app;
    int64_t id;
    int rc = path_id(req, res, "id", &id);
    if (rc != SW_OK)
        return rc;
    json_t *doc;
    if ((rc = server_json_body(req, res, USERS_MAX_BODY_BYTES, &doc)) != SW_OK)
        return rc;
    const char *password = NULL;
    rc = server_json_only_members(doc, members, res);
    if (rc == SW_OK)
        rc = opt_string(doc, "password", false, &password, res);
    if (rc == SW_OK && password == NULL)
        rc = http_fail(res, SW_EINVAL, "\"password\" is missing");
    if (rc == SW_OK) {
        audit_who who;
        server_audit_who(req, &who);
        sw_err err;
        rc = auth_account_set_password(app->store, &who, id, password, &err);
        if (rc != SW_OK)
            rc = account_failed(res, rc, &err);
    }
    json_decref(doc);
    if (rc != SW_OK)
        return rc;
    rc = http_set_header(res, "Cache-Control", "no-store");
    return rc == SW_OK ? http_reply(res, 204, NULL, "", 0) : rc;
}

/* ---- API tokens ---------------------------------------------------------- */

static int post_token(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    int64_t id;
    int rc = path_id(req, res, "id", &id);
    if (rc != SW_OK)
        return rc;
    audit_who who;
    server_audit_who(req, &who);
    char token[AUTH_API_TOKEN_TEXT];
    int64_t token_id = 0;
    sw_err err;
    rc = auth_api_token_create(app->store, &who, id, token, &token_id, &err);
    if (rc != SW_OK)
        return account_failed(res, rc, &err);
    char created[SW_TIME_ISO_MAX];
    sw_time_iso(token_id, created);
    json_t *doc = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)token_id,
                            "token", token, "created_at", created);
    sodium_memzero(token, sizeof token);
    return server_reply_json(res, 201, doc);
}

static int delete_tokens(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    int64_t id, token_id = 0, revoked = 0;
    int rc = path_id(req, res, "id", &id);
    if (rc == SW_OK && http_route_value(req, "token_id") != NULL)
        rc = path_id(req, res, "token_id", &token_id);
    if (rc != SW_OK)
        return rc;
    audit_who who;
    server_audit_who(req, &who);
    sw_err err;
    rc = auth_api_token_revoke(app->store, &who, id, token_id, &revoked, &err);
    if (rc != SW_OK)
        return account_failed(res, rc, &err);
    if (token_id == 0)
        return server_reply_json(res, 200, json_pack("{s:I}", "revoked",
                                                     (json_int_t)revoked));
    rc = http_set_header(res, "Cache-Control", "no-store");
    return rc == SW_OK ? http_reply(res, 204, NULL, "", 0) : rc;
}

/* Errors carry Cache-Control: no-store too (a success sets it with its
 * body): they may name accounts. */
static int no_store_errors(sw_response *res, int rc)
{
    if (rc != SW_OK && res->status == 0)
        http_set_header(res, "Cache-Control", "no-store");
    return rc;
}

#define ROUTE(fn) \
    static int fn##_route(sw_request *req, sw_response *res) \
    { \
        return no_store_errors(res, fn(req, res)); \
    }
ROUTE(list_users)
ROUTE(post_user)
ROUTE(get_user)
ROUTE(patch_user)
ROUTE(post_disable)
ROUTE(post_enable)
ROUTE(post_password)
ROUTE(post_token)
ROUTE(delete_tokens)

#define ADMIN "users:admin"

static const http_route routes[] = {
    { "GET",    "/api/users",                          list_users_route,     0,               ADMIN },
    { "POST",   "/api/users",                          post_user_route,      HTTP_ROUTE_BODY, ADMIN },
    { "GET",    "/api/users/{id}",                     get_user_route,       0,               ADMIN },
    { "PATCH",  "/api/users/{id}",                     patch_user_route,     HTTP_ROUTE_BODY, ADMIN },
    { "POST",   "/api/users/{id}/disable",             post_disable_route,   0,               ADMIN },
    { "POST",   "/api/users/{id}/enable",              post_enable_route,    0,               ADMIN },
    { "POST",   "/api/users/{id}/password",            post_password_route,  HTTP_ROUTE_BODY, ADMIN },
    { "POST",   "/api/users/{id}/tokens",              post_token_route,     0,               ADMIN },
    { "DELETE", "/api/users/{id}/tokens",              delete_tokens_route,  0,               ADMIN },
    { "DELETE", "/api/users/{id}/tokens/{token_id}",   delete_tokens_route,  0,               ADMIN },
};

const http_route_table users_routes = {
    .name = "users",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
