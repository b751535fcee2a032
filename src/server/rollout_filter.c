/* rollout_filter.c - the rollout plan's enforcement (docs/rollout.md
 * "Enforcement"): the filter that runs after "authorize" on every routed
 * request (routes.c), the same check for each entry of a Bundle, and the
 * decisions /api/me, /api/modules and /api/plan/live show.
 *
 * What is blocked: a write (POST, PUT, PATCH, DELETE) on a route mapped to
 * a module (src/rollout/route_modules.c) that is not live for the
 * signed-in user, with 403 naming the module and when it goes live for
 * them. Never blocked: reads (GET, HEAD, and POST …/_search, which only
 * reads), routes mapped to no module (sign-in, the plan itself, users,
 * the audit trail), and the training environment (/training/…, the app
 * with app->training), where every module is live for everyone. A Bundle (POST /fhir) maps to no
 * module as a route and is checked entry by entry instead
 * (server_rollout_bundle_entry via fhir_env.entry_check).
 *
 * Service accounts (API tokens: the practice-management interface) follow
 * the plan like anyone, matched to cohorts by their roles: an interface
 * that registers patients works when registration is live for its role.
 *
 * The decision comes from the per-practice cache (rollout/decide_cache.h):
 * a table look-up per request. A store failure refuses the write (fail
 * closed). Plan writes through /api/plan… bump the cache before their
 * handler runs, so the next request sees the new version once committed. */
#include "app.h"

#include <stdio.h>
#include <string.h>

#include "auth/session.h"
#include "core/json.h"
#include "rollout/catalog.h"
#include "rollout/decide.h"
#include "rollout/decide_cache.h"
#include "rollout/route_modules.h"

static bool starts_with(const char *s, const char *head)
{
    return strncmp(s, head, strlen(head)) == 0;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

static bool is_read(const sw_request *req)
{
    return strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0
        || strcmp(req->method, "OPTIONS") == 0
        || (strcmp(req->method, "POST") == 0
            && ends_with(req->route->pattern, "/_search"));
}

/* The training environment has every module live for everyone (DESIGN.md
 * §4): the app mounted at /training (env.c). */
static bool training_request(const sw_request *req)
{
    return ((const sw_app *)req->app)->training;
}

static rollout_user user_of(const auth_session *s)
{
    rollout_user u = { .user_id = s->user_id, .username = s->username,
                       .roles = s->roles };
    return u;
}

/* The decisions for modules[0..n) as user u of the signed-in user's
 * practice; *version (may be NULL) gets the plan version they came from. */
static int decide_for(sw_request *req, const rollout_user *u,
                      const char *const *modules, size_t n,
                      rollout_answer *out, int64_t *version, sw_err *err)
{
    sw_app *app = req->app;
    int64_t practice_id = server_principal(req)->practice_id;
    if (app->training) {
        /* Every module live, whatever production's plan says. */
        for (size_t i = 0; i < n; i++)
            memset(&out[i], 0, sizeof out[i]), out[i].live = true;
        if (version != NULL)
            *version = 0;
        return SW_OK;
    }
    if (app->rollout != NULL) {
        int rc = rollout_cache_decide(app->rollout, app->store, req->arena,
                                      practice_id, u, modules, n, out, err);
        if (rc == SW_OK && version != NULL)
            *version = rollout_cache_version(app->rollout, practice_id);
        return rc;
    }
    /* No cache (an sw_app built by hand in a test): build one, use it
     * once. */
    rollout_cache *c = rollout_cache_create();
    if (c == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    int rc = rollout_cache_decide(c, app->store, req->arena, practice_id,
                                  u, modules, n, out, err);
    if (rc == SW_OK && version != NULL)
        *version = rollout_cache_version(c, practice_id);
    rollout_cache_destroy(c);
    return rc;
}

/* The same as the signed-in user. */
static int decide(sw_request *req, const char *const *modules, size_t n,
                  rollout_answer *out, sw_err *err)
{
    rollout_user u = user_of(server_principal(req));
    return decide_for(req, &u, modules, n, out, NULL, err);
}

/* The category code of an Observation in a request body, when it says
 * laboratory or imaging (those are results, not vitals); else NULL. */
static const char *observation_category(sw_request *req)
{
    sw_json *doc;
    if (req->body == NULL || req->body_len == 0
        || sw_json_parse(req->arena, req->body, req->body_len, &doc, NULL) != SW_OK)
        return NULL;
    sw_json *cats = sw_json_get(doc, "category");
    for (size_t i = 0; cats && cats->kind == SW_JSON_ARRAY && i < cats->count; i++) {
        sw_json *codings = sw_json_get(cats->items[i], "coding");
        for (size_t k = 0; codings && codings->kind == SW_JSON_ARRAY
                           && k < codings->count; k++) {
            const char *code = sw_json_get_string(codings->items[k], "code");
            if (code && (strcmp(code, "laboratory") == 0
                         || strcmp(code, "imaging") == 0))
                return code;
        }
    }
    return NULL;
}

struct stored_category {
    int64_t     practice_id;
    const char *id;
    int64_t     results;       /* laboratory or imaging category rows */
};

static int stored_category_fn(store_tx *tx, void *arg)
{
    struct stored_category *c = arg;
    return store_query_int64(tx, &c->results, "SELECT COUNT(*) FROM "
                             "fhir_idx_token WHERE practice_id = ? AND "
                             "res_type = 'Observation' AND res_id = ? AND "
                             "param = 'category' AND code IN ('laboratory', "
                             "'imaging')", "it", c->practice_id, c->id);
}

/* The module category of an Observation a PUT or DELETE changes: what is
 * stored decides, so a result cannot be changed or deleted as a vital
 * sign by leaving its category out of the new body; a new Observation
 * (POST) has only its body. */
static int observation_category_of(sw_request *req, const char **category,
                                   sw_err *err)
{
    *category = observation_category(req);
    const char *id = http_route_value(req, "id");
    if (id == NULL || strcmp(req->method, "POST") == 0)
        return SW_OK;
    struct stored_category c = {
        .practice_id = server_principal(req)->practice_id, .id = id,
    };
    int rc = store_read(((sw_app *)req->app)->store, stored_category_fn, &c, err);
    if (rc == SW_OK && c.results > 0)
        *category = "laboratory";
    return rc;
}

/* The /api refusal: {"error":{"code":"module_not_live","message",
 * "details":[{"module","live_from"}]}}. */
static int refuse_api(sw_response *res, const char *module,
                      const rollout_answer *a, const char *msg)
{
    json_t *doc = json_pack("{s:{s:s, s:s, s:[{s:s, s:o}]}}", "error",
                            "code", "module_not_live", "message", msg,
                            "details", "module", module, "live_from",
                            a->live_from ? json_string(a->live_from)
                                         : json_null());
    if (doc == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    int rc = server_reply_json(res, 403, doc);
    return rc == SW_OK ? SW_EFORBIDDEN : rc;
}

int server_rollout_filter(sw_request *req, sw_response *res)
{
    const http_route *route = req->route;
    if ((route->flags & HTTP_ROUTE_PUBLIC) || server_principal(req) == NULL)
        return SW_OK;
    if (training_request(req) || is_read(req))
        return SW_OK;
    const auth_session *s = server_principal(req);
    if (starts_with(route->pattern, "/api/plan"))
        /* A plan or override write is about to run: see the new version
         * as soon as it commits (decide_cache.h). */
        rollout_cache_bump(((sw_app *)req->app)->rollout, s->practice_id);
    const char *type = http_route_value(req, "type");
    const char *category = NULL;
    sw_err cat_err;
    if (type && strcmp(type, "Observation") == 0
        && observation_category_of(req, &category, &cat_err) != SW_OK)
        /* Fail closed, as for the decision itself. */
        return http_fail(res, SW_ESTORE, "the rollout plan could not be "
                         "checked; try again");
    /* A route for any method is mapped as "* pattern" (NULL here). */
    const char *module = rollout_route_module(route->method, route->pattern,
                                              type, category);
    if (module == NULL)
        return SW_OK;
    rollout_answer a;
    sw_err err;
    int rc = decide(req, &module, 1, &a, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "whether %s is live for you could not be "
                         "read (%s); try again", module, err.msg);
    if (a.live)
        return SW_OK;
    char msg[SW_ERR_MSG_MAX];
    rollout_answer_words(module, &a, msg, sizeof msg);
    if (starts_with(route->pattern, "/api/"))
        return refuse_api(res, module, &a, msg);
    return http_fail(res, SW_EFORBIDDEN, "%s", msg);
}

int server_rollout_bundle_entry(sw_request *req, const char *type, bool write,
                                char *why, size_t cap)
{
    if (!write || server_principal(req) == NULL || training_request(req))
        return SW_OK;
    const char *module = rollout_route_module("POST", "/fhir", type, NULL);
    if (module == NULL)
        return SW_OK;
    rollout_answer a;
    sw_err err;
    int rc = decide(req, &module, 1, &a, &err);
    if (rc != SW_OK) {
        snprintf(why, cap, "whether %s is live for you could not be read; "
                 "try again", module);
        return rc;
    }
    if (a.live)
        return SW_OK;
    char msg[SW_ERR_MSG_MAX];
    rollout_answer_words(module, &a, msg, sizeof msg);
    snprintf(why, cap, "%s (%s)", msg, type);
    return SW_EFORBIDDEN;
}

int server_rollout_all_for(sw_request *req, sw_response *res,
                           const rollout_user *u, rollout_answer *out,
                           int64_t *version)
{
    size_t n;
    const catalog_module *cat = catalog_modules(&n);
    const char **ids = sw_arena_calloc(req->arena, n, sizeof *ids);
    if (ids == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    for (size_t i = 0; i < n; i++)
        ids[i] = cat[i].id;
    sw_err err;
    int rc = decide_for(req, u, ids, n, out, version, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "the modules live for %s could not be "
                         "read (%s); try again",
                         u->user_id == server_principal(req)->user_id
                             ? "you" : "this user", err.msg);
    return SW_OK;
}

int server_rollout_all(sw_request *req, sw_response *res, rollout_answer *out)
{
    rollout_user u = user_of(server_principal(req));
    return server_rollout_all_for(req, res, &u, out, NULL);
}

int server_module_live(sw_request *req, sw_response *res, const char *module,
                       bool *live)
{
    size_t n;
    const catalog_module *cat = catalog_modules(&n);
    rollout_answer *all = sw_arena_calloc(req->arena, n, sizeof *all);
    if (all == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    int rc = server_rollout_all(req, res, all);
    *live = true;           /* a module the catalog does not know */
    for (size_t i = 0; rc == SW_OK && i < n; i++)
        if (strcmp(cat[i].id, module) == 0)
            *live = all[i].live;
    return rc;
}

void server_rollout_changed(sw_request *req)
{
    const auth_session *s = server_principal(req);
    if (s != NULL)
        rollout_cache_bump(((sw_app *)req->app)->rollout, s->practice_id);
}
