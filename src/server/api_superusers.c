/* api_superusers.c - the super-user roster over HTTP (docs/training.md
 * "Super-users"):
 *
 *   GET    /api/superusers                      the "who can help me with
 *          this" directory: every module with its super-users (anyone
 *          signed in)
 *   PUT    /api/superusers/{module}/{username}  adds them (plan:write, the
 *          implementation lead); 201, or 200 when they already were one
 *   DELETE /api/superusers/{module}/{username}  takes them off (plan:write)
 *   GET    /api/superusers/colleagues           for a super-user, the
 *          colleagues in the cohorts of their modules who are stuck: the
 *          module's course not completed, its proficiency check failed, or
 *          (course done) flagged below a floor on its adoption benchmarks
 *
 * The roster lives in the production store whichever environment serves
 * the request. A change is audited (permission_change, feature
 * "training.super_user") and bumps the rollout decision cache: super-users
 * have their module live before their cohort, from the next request. */
#include "app.h"

#include <string.h>

#include "auth/users.h"
#include "core/clock.h"
#include "rollout/catalog.h"
#include "rollout/gate_training.h"
#include "rollout/plan.h"
#include "rollout/plan_store.h"
#include "training/superusers.h"

/* A refusal the store function made (who may answer, which account may
 * be a super-user) keeps its sentence; the rest as any store failure. */
static int store_failed(sw_response *res, int rc, const sw_err *err)
{
    if (rc == SW_EFORBIDDEN || rc == SW_EUNPROCESSABLE)
        return http_fail(res, rc, "%s", sw_err_text(err));
    return server_store_failed(res, rc, err, "the super-user roster");
}

/* ---- The directory --------------------------------------------------------- */

static int get_directory(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    superuser_row *rows;
    size_t n, nmods;
    sw_err err;
    int rc = superuser_list(server_prod_store(app), req->arena,
                            server_principal(req)->practice_id, NULL, &rows,
                            &n, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    const catalog_module *mods = catalog_modules(&nmods);
    json_t *list = json_array();
    for (size_t m = 0; list && m < nmods; m++) {
        json_t *people = json_array();
        for (size_t i = 0; people && i < n; i++)
            if (strcmp(rows[i].module, mods[m].id) == 0)
                json_array_append_new(people, json_pack("{s:s, s:s}",
                    "username", rows[i].username, "name", rows[i].display_name));
        json_t *one = people ? json_pack("{s:s, s:s, s:o}", "module", mods[m].id,
                                         "title", mods[m].title, "super_users",
                                         people) : NULL;
        if (one == NULL || json_array_append_new(list, one) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    json_t *doc = list ? json_pack("{s:o}", "modules", list) : NULL;
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

/* ---- Changing the roster --------------------------------------------------- */

/* The module named by the route, or the error written (404: a module id
 * is part of the path). */
static const catalog_module *route_module(sw_request *req, sw_response *res)
{
    const char *id = http_route_value(req, "module");
    const catalog_module *m = catalog_find(id);
    if (m == NULL)
        http_fail(res, SW_ENOTFOUND, "there is no module '%.40s'; "
                  "GET /api/modules lists them", id);
    return m;
}

static int put_superuser(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const catalog_module *m = route_module(req, res);
    if (m == NULL)
        return SW_ENOTFOUND;
    const char *username = http_route_value(req, "username");
    audit_who who;
    server_audit_who(req, &who);
    bool added;
    sw_err err;
    int rc = superuser_add(server_prod_store(app), &who, m->id, username,
                           &added, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    if (added)
        server_rollout_changed(req);
    auth_user u;
    rc = auth_user_find(server_prod_store(app), req->arena,
                        server_principal(req)->practice_id, username, &u, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    return server_reply_json(res, added ? 201 : 200,
                             json_pack("{s:s, s:s, s:s, s:b}", "module", m->id,
                                       "username", u.username, "name",
                                       u.display_name, "added", added));
}

static int delete_superuser(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const catalog_module *m = route_module(req, res);
    if (m == NULL)
        return SW_ENOTFOUND;
    audit_who who;
    server_audit_who(req, &who);
    sw_err err;
    int rc = superuser_remove(server_prod_store(app), &who, m->id,
                              http_route_value(req, "username"), &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    server_rollout_changed(req);
    return http_reply(res, 204, NULL, "", 0);
}

/* ---- Colleagues who are stuck ------------------------------------------- */

/* One training_record row, as the stuck rule reads it. */
typedef struct record {
    int64_t     user_id;
    const char *course;
    int64_t     started_at, completed_at, proficiency_score;
    bool        proficiency_pass;
} record;

/* A colleague flagged on a module's adoption benchmarks (adoption_level,
 * kept by the adoption worker: below a floor after settling in). */
typedef struct lagging {
    int64_t     user_id;
    const char *module;
} lagging;

struct records_ctx {
    sw_arena *a;
    int64_t   practice_id;
    record   *rows;
    size_t    n;
    lagging  *lag;
    size_t    nlag;
};

#define RECORDS_MAX 5000     /* users x courses of a practice, ample */

static int records_fn(store_tx *tx, void *arg)
{
    struct records_ctx *c = arg;
    c->n = 0;
    c->rows = sw_arena_calloc(c->a, RECORDS_MAX, sizeof *c->rows);
    if (c->rows == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT user_id, course_id, started_at, "
                           "completed_at, proficiency_score, proficiency_pass "
                           "FROM training_record WHERE practice_id = ? "
                           "ORDER BY user_id, course_id LIMIT ?", &st);
    if (rc != SW_OK)
        return rc;
    if ((rc = store_bind_int64(st, 1, c->practice_id)) == SW_OK)
        rc = store_bind_int64(st, 2, RECORDS_MAX);
    bool row = true;
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        record *r = &c->rows[c->n++];
        r->user_id = store_col_int64(st, 0);
        r->course = sw_arena_strdup(c->a, store_col_text(st, 1, NULL));
        r->started_at = store_col_int64(st, 2);
        r->completed_at = store_col_int64(st, 3);
        r->proficiency_score = store_col_int64(st, 4);
        r->proficiency_pass = store_col_int64(st, 5) != 0;
        if (r->course == NULL)
            rc = SW_ENOMEM;
    }
    store_finalize(st);
    if (rc != SW_OK)
        return rc;
    c->nlag = 0;
    c->lag = sw_arena_calloc(c->a, RECORDS_MAX, sizeof *c->lag);
    if (c->lag == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    rc = store_prepare(tx, "SELECT user_id, module FROM adoption_level "
                           "WHERE practice_id = ? AND flagged = 1 LIMIT ?", &st);
    if (rc != SW_OK)
        return rc;
    if ((rc = store_bind_int64(st, 1, c->practice_id)) == SW_OK)
        rc = store_bind_int64(st, 2, RECORDS_MAX);
    row = true;
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        lagging *l = &c->lag[c->nlag++];
        l->user_id = store_col_int64(st, 0);
        l->module = sw_arena_strdup(c->a, store_col_text(st, 1, NULL));
        if (l->module == NULL)
            rc = SW_ENOMEM;
    }
    store_finalize(st);
    return rc;
}

/* Whether u is flagged on module m's adoption benchmarks. */
static bool lags_on(const struct records_ctx *rc, const auth_user *u,
                    const catalog_module *m)
{
    for (size_t i = 0; i < rc->nlag; i++)
        if (rc->lag[i].user_id == u->user_id
            && strcmp(rc->lag[i].module, m->id) == 0)
            return true;
    return false;
}

/* Whether a record's course is module m's course or one of its role
 * variants ("course-eprescribing", "course-eprescribing-nurse"). */
static bool course_of(const char *course, const catalog_module *m)
{
    size_t k = strlen(m->course);
    return strncmp(course, m->course, k) == 0
        && (course[k] == '\0' || course[k] == '-');
}

/* Whether u is in the cohort that module m goes live for: everyone when
 * there is no plan; nobody when no stage includes it yet (nothing to be
 * ready for). */
static bool in_cohort(const sw_plan *plan, const catalog_module *m,
                      const auth_user *u)
{
    if (plan == NULL)
        return true;
    const plan_stage *st = plan_stage_of_module(plan, m->id);
    if (st == NULL)
        return false;
    return gate_cohort_has(&st->cohort, u);
}

/* Why u is stuck on m (the state id and a sentence), or NULL when not. */
static const char *stuck_on(const struct records_ctx *rc, const auth_user *u,
                            const catalog_module *m, char *why, size_t cap)
{
    const record *started = NULL, *done = NULL, *failed = NULL, *passed = NULL;
    for (size_t i = 0; i < rc->n; i++) {
        const record *r = &rc->rows[i];
        if (r->user_id != u->user_id || !course_of(r->course, m))
            continue;
        started = started ? started : r;
        if (r->completed_at > 0)
            done = r;
        if (r->proficiency_score >= 0 && r->proficiency_pass)
            passed = r;
        else if (r->proficiency_score >= 0)
            failed = r;
    }
    if (failed && !passed) {
        snprintf(why, cap, "Failed the %s proficiency check (score %lld of "
                 "100).", m->title, (long long)failed->proficiency_score);
        return "proficiency_failed";
    }
    if (done) {
        if (!lags_on(rc, u, m))
            return NULL;
        snprintf(why, cap, "Below a floor on the %s benchmarks after settling "
                 "in (their adoption scorecard says which).", m->title);
        return "below_floor";
    }
    if (started) {
        char at[SW_TIME_ISO_MAX];
        sw_time_iso(started->started_at, at);
        at[10] = '\0';
        snprintf(why, cap, "Started the %s course on %s and has not "
                 "completed it.", m->title, at);
        return "not_completed";
    }
    snprintf(why, cap, "Has not started the %s course.", m->title);
    return "not_started";
}

static int get_colleagues(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    sw_store *s = server_prod_store(app);
    const auth_session *me = server_principal(req);
    superuser_row *mine;
    size_t nmine, nusers;
    auth_user *users;
    sw_err err;
    int rc = superuser_list(s, req->arena, me->practice_id, NULL, &mine, &nmine,
                            &err);
    if (rc == SW_OK)
        rc = auth_user_list(s, req->arena, me->practice_id, &users, &nusers,
                            &err);
    struct records_ctx recs = { .a = req->arena, .practice_id = me->practice_id };
    if (rc == SW_OK)
        rc = store_read(s, records_fn, &recs, &err);
    plan_record prec;
    memset(&prec, 0, sizeof prec);
    if (rc == SW_OK)
        rc = plan_store_load(s, me->practice_id, 0, &prec, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    sw_plan *plan = NULL;
    if (prec.version > 0) {
        plan_issues issues;
        memset(&issues, 0, sizeof issues);
        if (plan_from_text(prec.body, strlen(prec.body), &plan, &issues) != SW_OK)
            plan = NULL;    /* unreadable: the directory still answers */
    }
    json_t *modules = json_array(), *list = json_array();
    for (size_t k = 0; modules && list && k < nmine; k++) {
        if (mine[k].user_id != me->user_id)
            continue;
        const catalog_module *m = catalog_find(mine[k].module);
        if (m == NULL)
            continue;
        json_array_append_new(modules, json_string(m->id));
        for (size_t i = 0; i < nusers; i++) {
            const auth_user *u = &users[i];
            char why[200];
            const char *state;
            if (u->user_id == me->user_id || u->disabled
                || (u->kind && strcmp(u->kind, AUTH_KIND_SERVICE) == 0)
                || !in_cohort(plan, m, u)
                || (state = stuck_on(&recs, u, m, why, sizeof why)) == NULL)
                continue;
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
                "username", u->username, "name", u->display_name, "module", m->id,
                "title", m->title, "state", state, "why", why));
        }
    }
    plan_free(plan);
    plan_record_free(&prec);
    json_t *doc = modules && list ? json_pack("{s:o, s:o}", "modules", modules,
                                              "colleagues", list) : NULL;
    if (doc == NULL) {
        json_decref(modules);
        json_decref(list);
    }
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

static const http_route routes[] = {
    { "GET",    "/api/superusers",                     get_directory,    0, NULL },
    { "GET",    "/api/superusers/colleagues",          get_colleagues,   0, NULL },
    { "PUT",    "/api/superusers/{module}/{username}", put_superuser,    0, "plan:write" },
    { "DELETE", "/api/superusers/{module}/{username}", delete_superuser, 0, "plan:write" },
};

const http_route_table superusers_routes = {
    .name = "superusers",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
