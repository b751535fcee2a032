/* api_golive.c - going live, rolling back, gates and the readiness
 * checklist over HTTP (docs/rollout.md "Go-live, rollback and gates"):
 *
 *   POST   /api/plan/stages/{id}/go-live           {"force"?, "reason"?}  plan:write
 *   POST   /api/plan/stages/{id}/rollback          {"reason"}             plan:admin
 *   GET    /api/plan/stages/{id}/gates             each gate with its data plan:read
 *   PUT    /api/plan/stages/{id}/checklist/{item}  tick, by the caller    plan:write
 *   DELETE /api/plan/stages/{id}/checklist/{item}  untick                 plan:write
 *
 * Going live and rolling back write a new plan version (the stage's state
 * and time) in one transaction with two audit entries: the version's
 * (plan_change) and the go-live's (go_live, feature "rollout.go_live",
 * detail "gates passed", "forced" or "rolled back"); a reason goes into
 * the version's comment. The gate evaluation is pure (rollout/golive.h);
 * this file gathers its data and shapes answers. Then the rollout
 * decision cache is bumped, so enforcement follows at the next request. */
#include "app.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/authz.h"
#include "core/clock.h"
#include "core/log.h"
#include "rollout/checklist.h"
#include "rollout/gates.h"
#include "rollout/golive.h"
#include "rollout/golive_store.h"
#include "rollout/plan_lint.h"
#include "rollout/plan_store.h"

#define GOLIVE_BODY_MAX 4096

static int store_failed(sw_response *res, int rc, const sw_err *err)
{
    return server_store_failed(res, rc, err, "the plan");
}

/* The current plan and the stage of the route, or the error written. */
typedef struct current {
    int64_t           version;
    sw_plan          *plan;
    const plan_stage *stage;
    size_t            index;
} current;

static int load_current(sw_request *req, sw_response *res, current *c)
{
    sw_app *app = req->app;
    memset(c, 0, sizeof *c);
    plan_record r;
    sw_err err;
    int rc = plan_store_load(app->store, server_principal(req)->practice_id, 0,
                             &r, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    if (r.version == 0) {
        plan_record_free(&r);
        return http_fail(res, SW_ENOTFOUND, "there is no plan yet: choose a "
                         "template (POST /api/plan/template) or PUT /api/plan");
    }
    plan_issues issues;
    memset(&issues, 0, sizeof issues);
    rc = plan_from_text(r.body, strlen(r.body), &c->plan, &issues);
    c->version = r.version;
    plan_record_free(&r);
    if (rc != SW_OK)
        return http_fail(res, SW_EINTERNAL, "the current plan does not check; "
                         "fix it with PUT /api/plan");
    const char *id = http_route_value(req, "id");
    c->stage = plan_stage_find(c->plan, id, &c->index);
    if (c->stage == NULL) {
        plan_free(c->plan);
        c->plan = NULL;
        return http_fail(res, SW_ENOTFOUND, "the plan has no stage '%.40s'", id);
    }
    return SW_OK;
}

/* Every gate check of the stage (rollout/golive_store.h). */
static int evaluate(sw_request *req, sw_response *res, const current *c,
                    golive_result *out)
{
    sw_app *app = req->app;
    sw_err err;
    int rc = golive_store_evaluate(app->store, req->arena,
                                   server_principal(req)->practice_id,
                                   c->plan, c->index, out, &err);
    return rc == SW_OK ? SW_OK : store_failed(res, rc, &err);
}

static json_t *failures_json(const golive_check *checks, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        if (!checks[i].passed)
            json_array_append_new(list, json_pack("{s:s, s:s}", "gate",
                                  checks[i].gate, "message", checks[i].message));
    return list;
}

/* ---- Writing the new state ------------------------------------------------ */

static int write_state(sw_request *req, sw_response *res, const current *c,
                       plan_stage_state state, const char *comment,
                       const char *detail)
{
    sw_app *app = req->app;
    audit_who who;
    server_audit_who(req, &who);
    int64_t version = 0;
    sw_err err;
    int rc = golive_store_transition(app->store, &who, c->plan, c->version,
                                     c->stage->id, state, comment, detail,
                                     &version, &err);
    if (rc == SW_ECONFLICT)
        return server_fail_as(res, rc, "version_conflict", sw_err_text(&err));
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    server_rollout_changed(req);
    json_t *ans = json_pack("{s:s, s:s, s:I}", "stage", c->stage->id, "state",
                            plan_state_name(state), "version",
                            (json_int_t)version);
    return ans ? server_reply_json(res, 200, ans) : http_fail(res, SW_ENOMEM, NULL);
}

/* ---- Routes ------------------------------------------------------------- */

/* The body's "reason" (NULL when absent) and "force" (false when absent). */
static int read_body(sw_request *req, sw_response *res, bool with_force,
                     const char **reason, bool *force, json_t **doc)
{
    *reason = NULL;
    *force = false;
    *doc = NULL;
    if (req->body_len == 0)
        return SW_OK;
    int rc = server_json_body(req, res, GOLIVE_BODY_MAX, doc);
    if (rc != SW_OK)
        return rc;
    static const char *const both[] = { "force", "reason", NULL };
    static const char *const only[] = { "reason", NULL };
    if ((rc = server_json_only_members(*doc, with_force ? both : only, res)) != SW_OK)
        return rc;
    static const char *const names[] = { "reason" };
    if ((rc = server_json_strings(*doc, names, reason, 1, res)) != SW_OK)
        return rc;
    json_t *f = json_object_get(*doc, "force");
    if (f != NULL && !json_is_boolean(f))
        return http_fail(res, SW_EBADREQUEST, "force must be true or false");
    *force = f != NULL && json_is_true(f);
    if (*reason && strlen(*reason) > GOLIVE_REASON_MAX)
        return http_fail(res, SW_EBADREQUEST, "reason must be at most %d "
                         "characters", GOLIVE_REASON_MAX);
    return SW_OK;
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static int post_go_live(sw_request *req, sw_response *res)
{
    const auth_session *s = server_principal(req);
    const char *reason;
    bool force;
    json_t *body;
    int rc = read_body(req, res, true, &reason, &force, &body);
    if (rc != SW_OK) {
        json_decref(body);
        return rc;
    }
    if (force && !authz_allows(s->roles, s->scope, AUTHZ_PLAN, AUTHZ_ADMIN)) {
        json_decref(body);
        return http_fail(res, SW_EFORBIDDEN, "a forced go-live needs the "
                         "plan:admin permission (the implementation lead)");
    }
    if (force && blank(reason)) {
        json_decref(body);
        return http_fail(res, SW_EBADREQUEST, "a forced go-live needs a "
                         "reason: say why the stage goes live without its "
                         "gates");
    }
    current c;
    if ((rc = load_current(req, res, &c)) != SW_OK) {
        json_decref(body);
        return rc;
    }
    golive_result *g = sw_arena_calloc(req->arena, 1, sizeof *g);
    if (g == NULL)
        rc = http_fail(res, SW_ENOMEM, NULL);
    else if (c.stage->state == PLAN_STAGE_LIVE)
        rc = server_fail_as(res, SW_ECONFLICT, "already_live", "this stage "
                            "is live already");
    else
        rc = evaluate(req, res, &c, g);
    size_t failed = g ? g->failed : 0;
    if (rc == SW_OK && failed > 0 && !force) {
        char msg[SW_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "Stage '%s' cannot go live: %zu gate%s "
                 "failed. Pass them, or force the go-live with a reason.",
                 c.stage->name, failed, failed == 1 ? "" : "s");
        json_t *extra = json_pack("{s:o}", "failures",
                                  failures_json(g->checks, g->nchecks));
        rc = server_fail_with(res, SW_ECONFLICT, "gates_failed", msg, extra);
    } else if (rc == SW_OK) {
        char comment[PLAN_COMMENT_MAX];
        if (force)
            snprintf(comment, sizeof comment, "forced go-live of stage '%s' "
                     "(%zu gate%s failed): %s", c.stage->id, failed,
                     failed == 1 ? "" : "s", reason);
        else
            snprintf(comment, sizeof comment, "go-live of stage '%s'%s%s",
                     c.stage->id, reason ? ": " : "", reason ? reason : "");
        rc = write_state(req, res, &c, PLAN_STAGE_LIVE, comment,
                         force ? "forced" : "gates passed");
    }
    plan_free(c.plan);
    json_decref(body);
    return rc;
}

static int post_rollback(sw_request *req, sw_response *res)
{
    const char *reason;
    bool force;
    json_t *body;
    int rc = read_body(req, res, false, &reason, &force, &body);
    if (rc == SW_OK && blank(reason))
        rc = http_fail(res, SW_EBADREQUEST, "a rollback needs a reason");
    current c = { 0 };
    if (rc == SW_OK)
        rc = load_current(req, res, &c);
    if (rc == SW_OK && c.stage->state != PLAN_STAGE_LIVE)
        rc = server_fail_as(res, SW_ECONFLICT, "not_live", "only a live stage "
                            "can be rolled back");
    const plan_stage *later = rc == SW_OK ? golive_later_live(c.plan, c.index)
                                          : NULL;
    if (later != NULL) {
        char msg[300];
        snprintf(msg, sizeof msg, "stage '%s' is live and comes after this "
                 "one: roll it back first", later->name);
        rc = server_fail_as(res, SW_ECONFLICT, "later_stage_live", msg);
    }
    if (rc == SW_OK) {
        char comment[PLAN_COMMENT_MAX];
        snprintf(comment, sizeof comment, "rollback of stage '%s': %s",
                 c.stage->id, reason);
        rc = write_state(req, res, &c, PLAN_STAGE_ROLLED_BACK, comment,
                         "rolled back");
    }
    plan_free(c.plan);
    json_decref(body);
    return rc;
}

static const checklist_tick *tick_of(const checklist_tick *t, size_t n,
                                     const char *item)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].item_id, item) == 0)
            return &t[i];
    return NULL;
}

static json_t *iso_json(int64_t ms)
{
    char at[SW_TIME_ISO_MAX];
    sw_time_iso(ms, at);
    return json_string(at);
}

static int get_gates(sw_request *req, sw_response *res)
{
    current c;
    int rc = load_current(req, res, &c);
    if (rc != SW_OK)
        return rc;
    golive_result *r = sw_arena_calloc(req->arena, 1, sizeof *r);
    rc = r ? evaluate(req, res, &c, r) : http_fail(res, SW_ENOMEM, NULL);
    json_t *list = rc == SW_OK ? json_array() : NULL;
    const golive_check *checks = r ? r->checks : NULL;
    size_t nchecks = r ? r->nchecks : 0, failed = r ? r->failed : 0;
    const checklist_tick *ticks = r ? r->ticks : NULL;
    size_t nticks = r ? r->nticks : 0;
    /* checks[0..1] are the earlier stages and the linter; then one per
     * gate, in the stage's order. */
    for (size_t i = 0; list && i < nchecks; i++) {
        json_t *g = json_pack("{s:s, s:s, s:s}", "gate", checks[i].gate,
                              "state", checks[i].passed ? "passed" : "failed",
                              "message", checks[i].message);
        const plan_gate *pg = i >= 2 ? &c.stage->gates[i - 2] : NULL;
        if (g && pg && pg->kind == PLAN_GATE_CHECKLIST) {
            json_t *items = json_array();
            for (size_t k = 0; items && k < pg->nitems; k++) {
                const checklist_tick *t = tick_of(ticks, nticks, pg->items[k].id);
                json_array_append_new(items, json_pack("{s:s, s:s, s:b, s:o, s:o}",
                    "id", pg->items[k].id, "text", pg->items[k].text,
                    "ticked", t != NULL,
                    "ticked_by", t ? json_string(t->username) : json_null(),
                    "ticked_at", t ? iso_json(t->at_ms) : json_null()));
            }
            json_object_set_new(g, "items", items);
        } else if (g && pg) {
            const gate_data *d = &r->in.data[pg->kind];
            if (pg->percent > 0)
                json_object_set_new(g, "target_percent", json_integer(pg->percent));
            json_object_set_new(g, "data", json_pack("{s:s, s:o, s:s}",
                "state", gate_state_name(d->state), "percent",
                d->percent >= 0 ? json_integer(d->percent) : json_null(),
                "detail", d->detail));
            if (d->state == GATE_NO_DATA)
                json_object_set_new(g, "state", json_string("no_data"));
        }
        if (g == NULL || json_array_append_new(list, g) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    json_t *doc = list ? json_pack("{s:s, s:s, s:s, s:I, s:b, s:o}", "stage",
                                   c.stage->id, "name", c.stage->name, "state",
                                   plan_state_name(c.stage->state), "version",
                                   (json_int_t)c.version, "can_go_live",
                                   failed == 0 && c.stage->state != PLAN_STAGE_LIVE,
                                   "gates", list) : NULL;
    plan_free(c.plan);
    if (rc != SW_OK)
        return rc;
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

static int set_tick(sw_request *req, sw_response *res, bool tick)
{
    sw_app *app = req->app;
    current c;
    int rc = load_current(req, res, &c);
    if (rc != SW_OK)
        return rc;
    const char *item = http_route_value(req, "item");
    const plan_gate *g = plan_stage_gate(c.stage, PLAN_GATE_CHECKLIST);
    bool known = false;
    for (size_t i = 0; g && i < g->nitems && !known; i++)
        known = strcmp(g->items[i].id, item) == 0;
    if (!known) {
        rc = http_fail(res, SW_ENOTFOUND, "stage '%s' has no checklist item "
                       "'%.40s'", c.stage->id, item);
        plan_free(c.plan);
        return rc;
    }
    audit_who who;
    server_audit_who(req, &who);
    sw_err err;
    rc = checklist_set(app->store, &who, c.stage->id, item, tick, &err);
    /* Who vouches for the item now, as stored: ticking an item someone
     * already ticked keeps their name. */
    checklist_tick *ticks = NULL;
    size_t nticks = 0;
    if (rc == SW_OK && tick)
        rc = checklist_ticks(app->store, req->arena, who.practice_id,
                             c.stage->id, &ticks, &nticks, &err);
    const checklist_tick *t = tick ? tick_of(ticks, nticks, item) : NULL;
    json_t *doc = NULL;
    if (rc == SW_OK)
        doc = json_pack("{s:s, s:s, s:b, s:o, s:o}", "stage", c.stage->id,
                        "item", item, "ticked", tick, "ticked_by",
                        t ? json_string(t->username) : json_null(),
                        "ticked_at", t ? iso_json(t->at_ms) : json_null());
    plan_free(c.plan);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

static int put_tick(sw_request *req, sw_response *res)
{
    return set_tick(req, res, true);
}

static int delete_tick(sw_request *req, sw_response *res)
{
    return set_tick(req, res, false);
}

static const http_route routes[] = {
    { "POST",   "/api/plan/stages/{id}/go-live",          post_go_live,  HTTP_ROUTE_BODY, "plan:write" },
    { "POST",   "/api/plan/stages/{id}/rollback",         post_rollback, HTTP_ROUTE_BODY, "plan:admin" },
    { "GET",    "/api/plan/stages/{id}/gates",            get_gates,     0,               "plan:read" },
    { "PUT",    "/api/plan/stages/{id}/checklist/{item}", put_tick,      0,               "plan:write" },
    { "DELETE", "/api/plan/stages/{id}/checklist/{item}", delete_tick,   0,               "plan:write" },
};

const http_route_table golive_routes = {
    .name = "golive",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
