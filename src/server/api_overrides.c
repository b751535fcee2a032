/* api_overrides.c - per-user module overrides over HTTP (docs/rollout.md
 * "Enforcement"): a locum who needs every module on day one.
 *
 *   GET    /api/plan/overrides             every override: who, which, why
 *   PUT    /api/plan/overrides/{username}  {"modules": ["*"] | [ids], "reason"}
 *   DELETE /api/plan/overrides/{username}
 *
 * All need plan:admin (the implementation lead). A PUT replaces the user's
 * overrides; each change is audited (permission_change, feature
 * "rollout.override") and bumps the rollout decision cache, so it is
 * enforced from the next request. */
#include "app.h"

#include <string.h>

#include "auth/users.h"
#include "core/clock.h"
#include "core/log.h"
#include "rollout/catalog.h"
#include "rollout/overrides.h"

#define OVERRIDE_BODY_MAX 8192

static int store_failed(sw_response *res, int rc, const sw_err *err)
{
    return server_store_failed(res, rc, err, "the overrides");
}

static int get_overrides(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    override_row *rows;
    size_t n;
    sw_err err;
    int rc = override_list(app->store, req->arena,
                           server_principal(req)->practice_id, &rows, &n, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    /* One entry per user, with the modules in a list. */
    json_t *list = json_array();
    json_t *cur = NULL;
    for (size_t i = 0; list && i < n; i++) {
        if (i == 0 || rows[i].user_id != rows[i - 1].user_id) {
            char at[SW_TIME_ISO_MAX];
            sw_time_iso(rows[i].set_at_ms, at);
            cur = json_pack("{s:s, s:[], s:s, s:s}", "username",
                            rows[i].username, "modules", "reason",
                            rows[i].reason, "set_at", at);
            if (cur == NULL || json_array_append_new(list, cur) != 0) {
                json_decref(list);
                list = NULL;
                break;
            }
        }
        json_array_append_new(json_object_get(cur, "modules"),
                              json_string(rows[i].module));
    }
    json_t *doc = list ? json_pack("{s:o}", "overrides", list) : NULL;
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

/* The account named by the route, or the error written. */
static int find_user(sw_request *req, sw_response *res, auth_user *u)
{
    sw_app *app = req->app;
    const char *username = http_route_value(req, "username");
    sw_err err;
    int rc = auth_user_find(app->store, req->arena,
                            server_principal(req)->practice_id, username, u,
                            &err);
    if (rc == SW_ENOTFOUND)
        return http_fail(res, rc, "there is no user '%.64s'", username);
    return rc == SW_OK ? SW_OK : store_failed(res, rc, &err);
}

static int put_override(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    json_t *doc;
    int rc = server_json_body(req, res, OVERRIDE_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    static const char *const members[] = { "modules", "reason", NULL };
    static const char *const names[] = { "reason" };
    const char *reason = NULL;
    const char *mods[16];
    size_t n = 0;
    json_t *list = json_object_get(doc, "modules");
    if ((rc = server_json_only_members(doc, members, res)) != SW_OK
        || (rc = server_json_strings(doc, names, &reason, 1, res)) != SW_OK)
        goto out;
    if (reason == NULL || reason[0] == '\0' || strlen(reason) > OVERRIDE_REASON_MAX) {
        rc = http_fail(res, SW_EBADREQUEST, "reason is required (at most %d "
                       "characters): say why this person needs the modules "
                       "before their stage", OVERRIDE_REASON_MAX);
        goto out;
    }
    if (!json_is_array(list) || json_array_size(list) == 0
        || json_array_size(list) > sizeof mods / sizeof mods[0]) {
        rc = http_fail(res, SW_EBADREQUEST, "modules must be [\"*\"] (every "
                       "module) or a list of module ids");
        goto out;
    }
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        const char *m = json_string_value(v);
        if (m == NULL || (strcmp(m, ROLLOUT_ALL_MODULES) != 0
                          && !catalog_is_module(m))) {
            rc = http_fail(res, SW_EBADREQUEST, "modules[%zu]: '%.40s' is not "
                           "a module id or \"*\"", i, m ? m : "");
            goto out;
        }
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen = seen || strcmp(mods[k], m) == 0;
        if (!seen)
            mods[n++] = m;
    }
    auth_user u;
    if ((rc = find_user(req, res, &u)) != SW_OK)
        goto out;
    audit_who who;
    server_audit_who(req, &who);
    sw_err err;
    rc = override_set(app->store, &who, u.user_id, mods, n, reason, &err);
    if (rc != SW_OK) {
        rc = store_failed(res, rc, &err);
        goto out;
    }
    server_rollout_changed(req);
    json_t *ans = json_pack("{s:s, s:O, s:s}", "username", u.username,
                            "modules", list, "reason", reason);
    rc = ans ? server_reply_json(res, 200, ans) : http_fail(res, SW_ENOMEM, NULL);
out:
    json_decref(doc);
    return rc;
}

static int delete_override(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    auth_user u;
    int rc = find_user(req, res, &u);
    if (rc != SW_OK)
        return rc;
    audit_who who;
    server_audit_who(req, &who);
    sw_err err;
    rc = override_clear(app->store, &who, u.user_id, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    server_rollout_changed(req);
    return http_reply(res, 204, NULL, "", 0);
}

static const http_route routes[] = {
    { "GET",    "/api/plan/overrides",            get_overrides,   0,               "plan:admin" },
    { "PUT",    "/api/plan/overrides/{username}", put_override,    HTTP_ROUTE_BODY, "plan:admin" },
    { "DELETE", "/api/plan/overrides/{username}", delete_override, 0,               "plan:admin" },
};

const http_route_table override_routes = {
    .name = "overrides",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
