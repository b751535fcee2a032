/* api_plan_live.c - who has which module live now (docs/rollout.md
 * "Enforcement", "Who has what live"):
 *
 *   GET /api/plan/live   every enabled account of the practice with the
 *                        modules live for it and why
 *
 * For the implementation lead's screen (plan:read). The answer is the
 * rollout decision each account would get on its own request — the same
 * code path as /api/me's "modules" (server_rollout_all_for, the
 * per-practice cache) — so the table cannot disagree with what people
 * are allowed to do:
 *
 *   {"version": N, "modules": [catalog ids, in order],
 *    "users": [{"username", "display", "roles": [...], "kind",
 *               "live": [ids], "why": {"<module>": "in_cohort", ...}}]}
 *
 * Disabled accounts are left out (they can do nothing). Workload: a click
 * on the screen, and again after a go-live, a rollback or an override;
 * tens to hundreds of accounts, a dozen look-ups each. */
#include "app.h"

#include <string.h>

#include "auth/users.h"
#include "core/log.h"
#include "rollout/catalog.h"
#include "rollout/decide.h"

/* A plan change landing between two accounts makes their decisions come
 * from different versions; the whole list is then read again, this many
 * times at most. */
#define PLAN_LIVE_ATTEMPTS 3

/* "physician,nurse" as ["physician","nurse"]. */
static json_t *roles_json(const char *roles)
{
    json_t *list = json_array();
    const char *p = roles ? roles : "";
    while (list && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len > 0 && json_array_append_new(list, json_stringn(p, len)) != 0) {
            json_decref(list);
            return NULL;
        }
        p += len + (comma ? 1 : 0);
    }
    return list;
}

/* One account's entry, from its decisions (catalog order). */
static json_t *user_json(const auth_user *u, const catalog_module *cat,
                         size_t n, const rollout_answer *ans)
{
    json_t *live = json_array(), *why = json_object();
    json_t *roles = roles_json(u->roles);
    for (size_t i = 0; live && why && i < n; i++) {
        if (ans[i].live && json_array_append_new(live, json_string(cat[i].id)) != 0)
            goto fail;
        if (json_object_set_new(why, cat[i].id,
                                json_string(rollout_reason_id(ans[i].reason))) != 0)
            goto fail;
    }
    if (live == NULL || why == NULL || roles == NULL)
        goto fail;
    const char *display = u->display_name && u->display_name[0]
        ? u->display_name : u->username;
    return json_pack("{s:s, s:s, s:o, s:s, s:o, s:o}", "username", u->username,
                     "display", display, "roles", roles, "kind",
                     strcmp(u->kind, AUTH_KIND_SERVICE) == 0 ? "service"
                                                             : "person",
                     "live", live, "why", why);
fail:
    json_decref(live);
    json_decref(why);
    json_decref(roles);
    return NULL;
}

/* Every enabled account's decisions into *out; *version and *same say
 * which plan version they came from and whether all from the same one. */
static int decide_all(sw_request *req, sw_response *res, const auth_user *users,
                      size_t nusers, json_t **out, int64_t *version, bool *same)
{
    size_t n;
    const catalog_module *cat = catalog_modules(&n);
    rollout_answer *ans = sw_arena_calloc(req->arena, n, sizeof *ans);
    json_t *list = json_array();
    if (ans == NULL || list == NULL) {
        json_decref(list);
        return http_fail(res, SW_ENOMEM, NULL);
    }
    *version = -1;
    *same = true;
    for (size_t k = 0; k < nusers; k++) {
        const auth_user *u = &users[k];
        if (u->disabled)
            continue;
        rollout_user ru = { .user_id = u->user_id, .username = u->username,
                            .roles = u->roles };
        int64_t v = 0;
        int rc = server_rollout_all_for(req, res, &ru, ans, &v);
        if (rc != SW_OK) {
            json_decref(list);
            return rc;
        }
        if (*version >= 0 && v != *version)
            *same = false;
        *version = v;
        json_t *entry = user_json(u, cat, n, ans);
        if (entry == NULL || json_array_append_new(list, entry) != 0) {
            json_decref(list);
            return http_fail(res, SW_ENOMEM, NULL);
        }
    }
    *out = list;
    return SW_OK;
}

static int get_live(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    int64_t practice_id = server_principal(req)->practice_id;
    auth_user *users;
    size_t nusers;
    sw_err err;
    int rc = auth_user_list(app->store, req->arena, practice_id, &users,
                            &nusers, &err);
    if (rc == SW_ENOMEM)
        return http_fail(res, rc, NULL);
    if (rc != SW_OK) {
        sw_warn("plan live: %s", sw_err_text(&err));
        return http_fail(res, SW_ESTORE, "the accounts could not be read; "
                         "try again");
    }
    json_t *list = NULL;
    int64_t version = 0;
    bool same = false;
    for (int attempt = 0; !same && attempt < PLAN_LIVE_ATTEMPTS; attempt++) {
        json_decref(list);
        list = NULL;
        rc = decide_all(req, res, users, nusers, &list, &version, &same);
        if (rc != SW_OK)
            return rc;
    }
    if (version < 0) {
        /* No enabled account decided (cannot happen: the caller is one);
         * the version is then the one a decision would use. */
        version = 0;
    }
    size_t n;
    const catalog_module *cat = catalog_modules(&n);
    json_t *modules = json_array();
    for (size_t i = 0; modules && i < n; i++)
        if (json_array_append_new(modules, json_string(cat[i].id)) != 0) {
            json_decref(modules);
            modules = NULL;
        }
    if (modules == NULL) {
        json_decref(list);
        return http_fail(res, SW_ENOMEM, NULL);
    }
    json_t *doc = json_pack("{s:I, s:o, s:o}", "version", (json_int_t)version,
                            "modules", modules, "users", list);
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

static const http_route routes[] = {
    { "GET", "/api/plan/live", get_live, 0, "plan:read" },
};

const http_route_table plan_live_routes = {
    .name = "plan_live",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
