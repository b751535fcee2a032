/* api_adoption_insights.c - the productivity curves, the forecast, the
 * findings and the baseline import over HTTP (docs/adoption-metrics.md
 * "API"):
 *
 *   GET  /api/adoption/productivity[?user=U]   one clinician's curve, or
 *                                               the practice's
 *   GET  /api/adoption/forecast                 plan vs Big Bang estimate
 *   GET  /api/adoption/findings[?user=U&open=1] neglected features
 *   POST /api/adoption/findings/{id}/assign     the recommendation as a
 *                                               training assignment
 *   POST /api/adoption/baseline                 visit counts (text/csv)
 *
 * Who sees whose figures is adoption_access.c's rule: a user their own, a
 * super-user everyone but the leads, a lead or admin everyone; the
 * practice's curve and the forecast are for leads, admins and
 * super-users. Everything lives in the production store. Workload: the
 * dashboard and scorecards call these a few times a minute at most. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adoption/baseline_csv.h"
#include "adoption/findings.h"
#include "adoption/forecast.h"
#include "adoption/productivity.h"
#include "auth/authz.h"
#include "server/adoption_access.h"
#include "training/superusers.h"

/* ---- Shared pieces ---------------------------------------------------------- */

/* Leads, admins and super-users see the practice as a whole. */
static int practice_viewer(sw_request *req, sw_response *res)
{
    adoption_reach reach;
    int rc = adoption_access_reach(req, res, &reach);
    if (rc == SW_OK && reach == ADOPTION_REACH_SELF)
        return http_fail(res, SW_EFORBIDDEN, "only the implementation lead, an "
                         "administrator or a super-user sees the practice's "
                         "figures");
    return rc;
}

/* ---- GET /api/adoption/productivity --------------------------------------- */

struct prod_ctx {
    int64_t practice_id, user_id, asked;   /* user_id 0: the practice */
    json_t *doc;
};

static int prod_fn(store_tx *tx, void *arg)
{
    struct prod_ctx *c = arg;
    int64_t day;
    int rc = adoption_today(tx, c->practice_id, c->asked, &day);
    adoption_productivity *p = malloc(sizeof *p);
    if (p == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    if (rc == SW_OK)
        rc = c->user_id ? adoption_productivity_user(tx, c->practice_id,
                                                     c->user_id, day, p)
                        : adoption_productivity_practice(tx, c->practice_id,
                                                         day, p);
    if (rc == SW_OK && (c->doc = adoption_productivity_json(p)) == NULL)
        rc = store_tx_fail(tx, SW_ENOMEM, NULL);
    free(p);
    return rc;
}

static int get_productivity(sw_request *req, sw_response *res)
{
    const char *user = http_query_get(req, "user");
    struct prod_ctx c = { server_principal(req)->practice_id, 0, -1, NULL };
    int rc = adoption_access_as_of(req, res, &c.asked);
    if (rc != SW_OK)
        return rc;
    if (user && *user) {
        auth_user u;
        if ((rc = adoption_access_user(req, res, user, &u)) != SW_OK)
            return rc;
        c.user_id = u.user_id;
    } else if ((rc = practice_viewer(req, res)) != SW_OK) {
        return rc;
    }
    sw_err err;
    /* Roll-ups only, nothing this request wrote: the standby serves it. */
    rc = store_read_replica(server_prod_store(req->app), prod_fn, &c, &err);
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "the productivity figures");
    return server_reply_json(res, 200, c.doc);
}

/* ---- GET /api/adoption/forecast ------------------------------------------- */

struct forecast_ctx {
    int64_t practice_id, asked;
    json_t *doc;
};

static int forecast_fn(store_tx *tx, void *arg)
{
    struct forecast_ctx *c = arg;
    int64_t day;
    int rc = adoption_today(tx, c->practice_id, c->asked, &day);
    adoption_forecast *f = malloc(2 * sizeof *f);
    if (f == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    if (rc == SW_OK)
        rc = adoption_forecast_build(tx, c->practice_id, day, &f[0], &f[1]);
    if (rc == SW_OK && (c->doc = adoption_forecast_json(&f[0], &f[1])) == NULL)
        rc = store_tx_fail(tx, SW_ENOMEM, NULL);
    free(f);
    return rc;
}

static int get_forecast(sw_request *req, sw_response *res)
{
    struct forecast_ctx c = { server_principal(req)->practice_id, -1, NULL };
    int rc = adoption_access_as_of(req, res, &c.asked);
    if (rc == SW_OK)
        rc = practice_viewer(req, res);
    if (rc != SW_OK)
        return rc;
    sw_err err;
    rc = store_read_replica(server_prod_store(req->app), forecast_fn, &c,
                            &err);
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "the forecast");
    return server_reply_json(res, 200, c.doc);
}

/* ---- GET /api/adoption/findings ------------------------------------------- */

struct findings_ctx {
    const auth_session *me;
    adoption_reach reach;
    int64_t user_id;           /* 0: everyone the caller may see */
    bool    open_only;
    json_t *list;
};

/* Whether the caller may see the findings of username (for a super-user
 * listing everyone: not the leads'). */
static int visible(store_tx *tx, const struct findings_ctx *c,
                   const char *username, bool *yes)
{
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT user_id, roles FROM app_user WHERE "
                           "practice_id = ? AND username = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    *yes = false;
    if ((rc = store_bind_int64(st, 1, c->me->practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, username)) == SW_OK
        && (rc = store_step(st, &row)) == SW_OK && row) {
        size_t n;
        *yes = adoption_access_may_see(c->me, c->reach, store_col_int64(st, 0),
                                       store_col_text(st, 1, &n));
    }
    store_finalize(st);
    return rc;
}

static int findings_fn(store_tx *tx, void *arg)
{
    struct findings_ctx *c = arg;
    json_decref(c->list);
    c->list = NULL;
    int rc = adoption_findings_json(tx, c->me->practice_id, c->user_id,
                                    c->open_only, &c->list);
    if (rc != SW_OK || c->user_id != 0 || c->reach == ADOPTION_REACH_EVERYONE)
        return rc;
    for (size_t i = json_array_size(c->list); rc == SW_OK && i-- > 0;) {
        const char *who = json_string_value(json_object_get(
            json_array_get(c->list, i), "user"));
        bool yes = false;
        if ((rc = visible(tx, c, who ? who : "", &yes)) == SW_OK && !yes)
            json_array_remove(c->list, i);
    }
    return rc;
}

static int get_findings(sw_request *req, sw_response *res)
{
    const auth_session *me = server_principal(req);
    const char *user = http_query_get(req, "user");
    const char *open = http_query_get(req, "open");
    struct findings_ctx c = { .me = me };
    if (open && strcmp(open, "1") != 0 && strcmp(open, "0") != 0)
        return http_fail(res, SW_EINVAL, "open must be 1 or 0");
    c.open_only = open && strcmp(open, "1") == 0;
    int rc = adoption_access_reach(req, res, &c.reach);
    if (rc != SW_OK)
        return rc;
    if (user && *user) {
        auth_user u;
        if ((rc = adoption_access_user(req, res, user, &u)) != SW_OK)
            return rc;
        c.user_id = u.user_id;
    } else if (c.reach == ADOPTION_REACH_SELF) {
        c.user_id = me->user_id;
    }
    sw_err err;
    rc = store_read(server_prod_store(req->app), findings_fn, &c, &err);
    if (rc != SW_OK) {
        json_decref(c.list);
        return server_store_failed(res, rc, &err, "the findings");
    }
    json_t *doc = json_pack("{s:o}", "findings", c.list);
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

/* ---- POST /api/adoption/findings/{id}/assign ------------------------------ */

struct module_ctx {
    int64_t practice_id, finding_id, user_id;
    char    module[32];
    bool    found, super_user;
};

static int module_fn(store_tx *tx, void *arg)
{
    struct module_ctx *c = arg;
    c->found = c->super_user = false;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT module FROM adoption_finding WHERE "
                           "practice_id = ? AND finding_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, c->practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 2, c->finding_id)) == SW_OK
        && (rc = store_step(st, &row)) == SW_OK && row) {
        size_t n;
        const char *t = store_col_text(st, 0, &n);
        snprintf(c->module, sizeof c->module, "%.*s", (int)n, t);
        c->found = true;
    }
    store_finalize(st);
    if (rc == SW_OK && c->found)
        rc = superuser_is_tx(tx, c->practice_id, c->module, c->user_id,
                             &c->super_user);
    return rc;
}

static int post_assign(sw_request *req, sw_response *res)
{
    const auth_session *me = server_principal(req);
    const char *id_text = req->route_values[0];
    char *end = NULL;
    long long id = id_text ? strtoll(id_text, &end, 10) : 0;
    if (id_text == NULL || *id_text == '\0' || *end || id <= 0)
        return http_fail(res, SW_ENOTFOUND, "no such finding");
    struct module_ctx c = { me->practice_id, id, me->user_id, "", false, false };
    sw_store *prod = server_prod_store(req->app);
    sw_err err;
    int rc = store_read(prod, module_fn, &c, &err);
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "the finding");
    if (!c.found)
        return http_fail(res, SW_ENOTFOUND, "finding %lld does not exist", id);
    if (!c.super_user && !authz_allows(me->roles, me->scope, AUTHZ_PLAN,
                                       AUTHZ_WRITE))
        return http_fail(res, SW_EFORBIDDEN, "only the implementation lead or "
                         "a super-user of the finding's module assigns its "
                         "refresher");
    int64_t assignment = 0;
    rc = adoption_finding_assign(prod, me->practice_id, id, me->user_id,
                                 &assignment, &err);
    if (rc == SW_ECONFLICT || rc == SW_ENOTFOUND)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "the assignment");
    json_t *doc = json_pack("{s:I}", "assignment", (json_int_t)assignment);
    return doc ? server_reply_json(res, 201, doc) : http_fail(res, SW_ENOMEM, NULL);
}

/* ---- POST /api/adoption/baseline ------------------------------------------- */

struct import_ctx {
    int64_t practice_id, imported;
    const char *text;
    size_t len;
};

static int import_fn(store_tx *tx, void *arg)
{
    struct import_ctx *c = arg;
    return adoption_baseline_import_csv(tx, c->practice_id, c->text, c->len,
                                        &c->imported);
}

static int post_baseline(sw_request *req, sw_response *res)
{
    const char *type = http_header_get(req, "Content-Type");
    if (type == NULL || strncasecmp(type, "text/csv", 8) != 0
        || (type[8] != '\0' && type[8] != ';' && type[8] != ' '))
        return http_fail(res, SW_EMEDIA, "the baseline is a text/csv body with "
                         "the header username,week_start,visits,sessions");
    struct import_ctx c = { server_principal(req)->practice_id, 0, req->body,
                            req->body_len };
    sw_err err;
    int rc = store_write(server_prod_store(req->app), import_fn, &c, &err);
    if (rc == SW_EINVAL)
        return http_fail(res, rc, "%s; nothing was imported", sw_err_text(&err));
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "the baseline visits");
    json_t *doc = json_pack("{s:I}", "imported", (json_int_t)c.imported);
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

static const http_route routes[] = {
    { "GET",  "/api/adoption/productivity",         get_productivity, 0, NULL },
    { "GET",  "/api/adoption/forecast",             get_forecast,     0, NULL },
    { "GET",  "/api/adoption/findings",             get_findings,     0, NULL },
    { "POST", "/api/adoption/findings/{id}/assign", post_assign,      0, NULL },
    { "POST", "/api/adoption/baseline",             post_baseline,
      HTTP_ROUTE_BODY, "plan:write" },
};

const http_route_table adoption_insights_routes = {
    .name = "adoption insights",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
