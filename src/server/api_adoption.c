/* api_adoption.c - adoption scorecards, the dashboard, the report and the
 * practice's targets and settings over HTTP (docs/adoption-metrics.md
 * "API"):
 *
 *   GET /api/adoption/me                 the signed-in user's scorecard
 *   GET /api/adoption/users              everyone the caller may see, levels
 *   GET /api/adoption/users/{username}   one user's scorecard
 *   GET /api/adoption/dashboard          levels per module per week, users
 *                                        under a floor, the gates, the
 *                                        productivity curves and forecast
 *   GET /api/adoption/report             every benchmark (json or csv)
 *   GET/PUT /api/adoption/targets        floors and goals
 *   GET/PUT /api/adoption/settings       offset, settling-in, peer share
 *
 * Who sees whose scorecard is adoption_access.c's one rule. Every read
 * catches the roll-ups up first (rollup.h) and then computes in one read
 * transaction of the production store, as of today in the practice's
 * local time (or ?as_of=YYYY-MM-DD). Workload: a scorecard is a dozen
 * indexed queries; the dashboard one levels-only report per user and week
 * (20 users x 20 weeks in well under a second). */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adoption/findings.h"
#include "adoption/forecast.h"
#include "adoption/productivity.h"
#include "adoption/report.h"
#include "adoption/report_csv.h"
#include "adoption/rollup.h"
#include "rollout/catalog.h"
#include "rollout/gates.h"
#include "rollout/plan.h"
#include "rollout/plan_store.h"
#include "server/adoption_access.h"

#define ADOPTION_USERS_MAX     2000
#define DASHBOARD_WEEKS_MAX    52
#define ADOPTION_BODY_MAX      (64 * 1024)
#define ADOPTION_CSV_MAX       (64 * 1024 * 1024)

/* ---- Shared pieces -------------------------------------------------------- */

/* Brings the roll-ups up to the trail's end, so reports are current. */
static int catch_up(sw_request *req, sw_response *res)
{
    sw_err err;
    int rc = adoption_rollup_catch_up(server_prod_store(req->app),
                                      server_principal(req)->practice_id,
                                      NULL, &err);
    return rc == SW_OK ? SW_OK
                       : server_store_failed(res, rc, &err, "the adoption "
                                             "roll-ups");
}

static int failed(sw_response *res, int rc, const sw_err *err)
{
    if (rc == SW_EINVAL)
        return http_fail(res, rc, "%s", sw_err_text(err));
    return server_store_failed(res, rc, err, "the adoption figures");
}

static bool is_lead(const sw_request *req)
{
    const auth_session *me = server_principal(req);
    return adoption_access_is_lead(me->roles, me->scope);
}

/* ---- A scorecard: /me and /users/{username} ------------------------------- */

struct card_ctx {
    int64_t practice_id, user_id, asked;
    json_t *doc;
};

static int card_fn(store_tx *tx, void *arg)
{
    struct card_ctx *c = arg;
    int64_t day;
    int rc = adoption_today(tx, c->practice_id, c->asked, &day);
    adoption_user_report *r = malloc(sizeof *r);
    adoption_productivity *p = malloc(sizeof *p);
    json_t *findings = NULL;
    if (r == NULL || p == NULL)
        rc = rc == SW_OK ? store_tx_fail(tx, SW_ENOMEM, NULL) : rc;
    if (rc == SW_OK)
        rc = adoption_report_user(tx, c->practice_id, c->user_id, day, r);
    if (rc == SW_OK)
        rc = adoption_productivity_user(tx, c->practice_id, c->user_id, day, p);
    if (rc == SW_OK)
        rc = adoption_findings_json(tx, c->practice_id, c->user_id, false,
                                    &findings);
    if (rc == SW_OK) {
        c->doc = json_pack("{s:o, s:o, s:o}", "report", adoption_report_json(r),
                           "productivity", adoption_productivity_json(p),
                           "findings", findings);
        findings = NULL;
        if (c->doc == NULL)
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
    }
    json_decref(findings);
    free(p);
    free(r);
    return rc;
}

static int reply_card(sw_request *req, sw_response *res, int64_t user_id)
{
    struct card_ctx c = { server_principal(req)->practice_id, user_id, -1,
                          NULL };
    int rc = adoption_access_as_of(req, res, &c.asked);
    if (rc == SW_OK)
        rc = catch_up(req, res);
    if (rc != SW_OK)
        return rc;
    sw_err err;
    rc = store_read(server_prod_store(req->app), card_fn, &c, &err);
    if (rc != SW_OK)
        return failed(res, rc, &err);
    return server_reply_json(res, 200, c.doc);
}

static int get_me(sw_request *req, sw_response *res)
{
    return reply_card(req, res, server_principal(req)->user_id);
}

static int get_user(sw_request *req, sw_response *res)
{
    auth_user u;
    int rc = adoption_access_user(req, res, http_route_value(req, "username"),
                                  &u);
    return rc == SW_OK ? reply_card(req, res, u.user_id) : rc;
}

/* ---- Many reports: /users, /report, /dashboard ----------------------------- */

/* The users the caller may see, each with their report as of one day. */
struct many_ctx {
    const auth_session   *me;
    adoption_reach        reach;
    int64_t               asked, day;
    const char           *only_user;   /* ?user, or NULL */
    bool                  levels_only;
    adoption_user_report *reports;     /* n of them */
    size_t                n;
    int64_t              *open_findings;
    bool                  found_user;
};

static int many_fn(store_tx *tx, void *arg)
{
    struct many_ctx *c = arg;
    int64_t pid = c->me->practice_id;
    int64_t *ids = calloc(ADOPTION_USERS_MAX, sizeof *ids);
    size_t n = 0;
    adoption_report_ctx *rctx = NULL;
    c->n = 0;
    int rc = ids ? adoption_today(tx, pid, c->asked, &c->day)
                 : store_tx_fail(tx, SW_ENOMEM, NULL);
    if (rc == SW_OK)
        rc = adoption_report_users(tx, pid, ids, ADOPTION_USERS_MAX, &n);
    /* One user asked for: only theirs is computed. */
    if (rc == SW_OK && c->only_user) {
        int64_t id = 0;
        rc = store_query_int64(tx, &id, "SELECT user_id FROM app_user WHERE "
                               "practice_id = ? AND username = ?", "it", pid,
                               c->only_user);
        size_t kept = 0;
        for (size_t i = 0; rc == SW_OK && i < n; i++)
            if (ids[i] == id)
                ids[kept++] = id;
        n = kept;
        if (rc == SW_ENOTFOUND)
            rc = SW_OK, n = 0;
    }
    if (rc == SW_OK) {
        c->reports = malloc((n ? n : 1) * sizeof *c->reports);
        c->open_findings = calloc(n ? n : 1, sizeof *c->open_findings);
        if (c->reports == NULL || c->open_findings == NULL)
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
    }
    if (rc == SW_OK)
        rc = adoption_report_ctx_open(tx, pid, &rctx);
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        adoption_user_report *r = &c->reports[c->n];
        rc = adoption_report_user_ctx(tx, rctx, ids[i], c->day,
                                      c->levels_only, r);
        if (rc != SW_OK)
            break;
        if (c->only_user && strcmp(r->username, c->only_user) != 0)
            continue;
        c->found_user = true;
        if (!adoption_access_may_see(c->me, c->reach, r->user_id, r->roles))
            continue;
        /* Open findings: those not closed yet (findings.h). */
        rc = store_query_int64(tx, &c->open_findings[c->n], "SELECT COUNT(*) "
                               "FROM adoption_finding WHERE practice_id = ? "
                               "AND user_id = ? AND closed_day = 0", "ii",
                               pid, r->user_id);
        c->n++;
    }
    adoption_report_ctx_close(rctx);
    free(ids);
    return rc;
}

static void many_free(struct many_ctx *c)
{
    free(c->reports);
    free(c->open_findings);
}

/* Runs many_fn for the signed-in user; SW_OK or the error written. */
static int read_many(sw_request *req, sw_response *res, struct many_ctx *c)
{
    c->me = server_principal(req);
    int rc = adoption_access_as_of(req, res, &c->asked);
    if (rc == SW_OK)
        rc = adoption_access_reach(req, res, &c->reach);
    if (rc == SW_OK)
        rc = catch_up(req, res);
    if (rc != SW_OK)
        return rc;
    sw_err err;
    rc = store_read(server_prod_store(req->app), many_fn, c, &err);
    if (rc != SW_OK) {
        many_free(c);
        return failed(res, rc, &err);
    }
    return SW_OK;
}

static int below_floor_count(const adoption_user_report *r)
{
    int n = 0;
    for (size_t i = 0; i < r->nvalues; i++)
        n += strcmp(r->values[i].standing, "below_floor") == 0;
    return n;
}

static const char *refused_many = "the adoption of colleagues is for the "
    "implementation lead, the practice admin and super-users";

static int get_users(sw_request *req, sw_response *res)
{
    struct many_ctx c = { .asked = -1, .levels_only = true };
    int rc = read_many(req, res, &c);
    if (rc != SW_OK)
        return rc;
    if (c.reach == ADOPTION_REACH_SELF) {
        many_free(&c);
        return http_fail(res, SW_EFORBIDDEN, "%s", refused_many);
    }
    json_t *users = json_array();
    for (size_t i = 0; users && i < c.n; i++) {
        const adoption_user_report *r = &c.reports[i];
        json_t *mods = json_array();
        for (size_t m = 0; mods && m < r->nmodules; m++)
            json_array_append_new(mods, json_pack("{s:s, s:s, s:b}",
                "module", r->modules[m].module, "level", r->modules[m].level,
                "flagged", r->modules[m].flagged));
        json_array_append_new(users, mods ? json_pack("{s:s, s:s, s:s, s:b, "
                                                      "s:o, s:i, s:I}",
            "username", r->username, "display_name", r->display_name,
            "roles", r->roles, "clinician", r->clinician, "modules", mods,
            "below_floor", below_floor_count(r),
            "findings_open", (json_int_t)c.open_findings[i]) : NULL);
    }
    char as_of[11];
    adoption_day_text(c.day, as_of);
    many_free(&c);
    json_t *doc = users ? json_pack("{s:s, s:o}", "as_of", as_of, "users",
                                    users) : NULL;
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

/* ---- /report -------------------------------------------------------------- */

/* The CSV of the report: adoption_report_csv (report_csv.h), the same
 * writer the command line uses. */
static int reply_csv(sw_response *res, const struct many_ctx *c,
                     const char *module)
{
    sw_buf out;
    sw_buf_init(&out, ADOPTION_CSV_MAX);
    int rc = adoption_report_csv(c->reports, c->n, module, &out);
    if (rc == SW_OK)
        rc = http_reply(res, 200, "text/csv; charset=utf-8", sw_buf_str(&out),
                        out.len);
    else
        rc = http_fail(res, rc, "the report is too large as CSV; narrow it "
                       "with ?user or ?module");
    sw_buf_free(&out);
    return rc;
}

static int get_report(sw_request *req, sw_response *res)
{
    if (!is_lead(req))
        return http_fail(res, SW_EFORBIDDEN, "the adoption report is for the "
                         "implementation lead and the practice admin");
    const char *format = http_query_get(req, "format");
    const char *module = http_query_get(req, "module");
    const char *user = http_query_get(req, "user");
    if (format && *format && strcmp(format, "json") != 0
        && strcmp(format, "csv") != 0)
        return http_fail(res, SW_EINVAL, "format must be json or csv");
    if (module && *module == '\0')
        module = NULL;
    if (module && catalog_find(module) == NULL)
        return http_fail(res, SW_EINVAL, "module: there is no module "
                         "'%.40s'; GET /api/modules lists them", module);
    struct many_ctx c = { .asked = -1, .only_user = user && *user ? user : NULL };
    int rc = read_many(req, res, &c);
    if (rc != SW_OK)
        return rc;
    if (c.only_user && !c.found_user) {
        many_free(&c);
        return http_fail(res, SW_ENOTFOUND, "there is no user '%.64s'", user);
    }
    if (format && strcmp(format, "csv") == 0) {
        rc = reply_csv(res, &c, module);
        many_free(&c);
        return rc;
    }
    json_t *users = json_array();
    for (size_t i = 0; users && i < c.n; i++)
        json_array_append_new(users, adoption_report_json_module(
                                         adoption_report_json(&c.reports[i]),
                                         module));
    char as_of[11];
    adoption_day_text(c.day, as_of);
    many_free(&c);
    json_t *doc = users ? json_pack("{s:s, s:o}", "as_of", as_of, "users",
                                    users) : NULL;
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

/* ---- /dashboard ----------------------------------------------------------- */

typedef struct week_tally {
    int learning, adopted, proficient, flagged;
} week_tally;

struct dash_ctx {
    struct many_ctx many;          /* the users, as of today, full reports */
    int64_t         first_live;    /* the earliest module go-live, or -1 */
    int64_t         module_live[ADOPTION_MAX_MODULES];
    size_t          nweeks;
    int64_t         week_end[DASHBOARD_WEEKS_MAX];
    week_tally      tally[ADOPTION_MAX_MODULES][DASHBOARD_WEEKS_MAX];
    json_t         *productivity, *clinicians, *forecast;
};

/* The weekly series: every visible user's levels as of each week's end
 * since the first go-live (the last DASHBOARD_WEEKS_MAX weeks). */
static int series_fn(store_tx *tx, struct dash_ctx *d)
{
    const struct many_ctx *c = &d->many;
    d->first_live = -1;
    for (size_t m = 0; m < ADOPTION_MAX_MODULES; m++)
        d->module_live[m] = -1;
    for (size_t u = 0; u < c->n; u++)
        for (size_t m = 0; m < c->reports[u].nmodules; m++) {
            int64_t since = c->reports[u].modules[m].live_since_day;
            if (since < 0)
                continue;
            if (d->module_live[m] < 0 || since < d->module_live[m])
                d->module_live[m] = since;
            if (d->first_live < 0 || since < d->first_live)
                d->first_live = since;
        }
    d->nweeks = 0;
    if (d->first_live < 0)
        return SW_OK;
    int64_t weeks = (c->day - d->first_live + 1) / 7;
    int64_t skip = weeks > DASHBOARD_WEEKS_MAX ? weeks - DASHBOARD_WEEKS_MAX : 0;
    for (int64_t k = skip; k < weeks; k++)
        d->week_end[d->nweeks++] = d->first_live + 7 * k + 6;
    adoption_report_ctx *rctx;
    int rc = adoption_report_ctx_open(tx, c->me->practice_id, &rctx);
    adoption_user_report *r = malloc(sizeof *r);
    if (rc == SW_OK && r == NULL)
        rc = store_tx_fail(tx, SW_ENOMEM, NULL);
    for (size_t w = 0; rc == SW_OK && w < d->nweeks; w++)
        for (size_t u = 0; rc == SW_OK && u < c->n; u++) {
            rc = adoption_report_user_ctx(tx, rctx, c->reports[u].user_id,
                                          d->week_end[w], true, r);
            for (size_t m = 0; rc == SW_OK && m < r->nmodules; m++) {
                const adoption_module_state *ms = &r->modules[m];
                week_tally *t = &d->tally[m][w];
                if (!ms->live)
                    continue;
                t->learning += strcmp(ms->level, "learning") == 0;
                t->adopted += strcmp(ms->level, "adopted") == 0;
                t->proficient += strcmp(ms->level, "proficient") == 0;
                t->flagged += ms->flagged;
            }
        }
    free(r);
    if (rctx)
        adoption_report_ctx_close(rctx);
    return rc;
}

static int curves_fn(store_tx *tx, struct dash_ctx *d)
{
    const struct many_ctx *c = &d->many;
    int64_t pid = c->me->practice_id;
    adoption_productivity *p = malloc(sizeof *p);
    adoption_forecast *plan = malloc(sizeof *plan), *bb = malloc(sizeof *bb);
    int rc = p && plan && bb ? SW_OK : store_tx_fail(tx, SW_ENOMEM, NULL);
    if (rc == SW_OK)
        rc = adoption_productivity_practice(tx, pid, c->day, p);
    if (rc == SW_OK)
        d->productivity = adoption_productivity_json(p);
    d->clinicians = json_array();
    for (size_t u = 0; rc == SW_OK && u < c->n; u++) {
        const adoption_user_report *r = &c->reports[u];
        if (!r->clinician)
            continue;
        rc = adoption_productivity_user(tx, pid, r->user_id, c->day, p);
        if (rc == SW_OK)
            json_array_append_new(d->clinicians, json_pack("{s:s, s:s, s:o}",
                "username", r->username, "display_name", r->display_name,
                "productivity", adoption_productivity_json(p)));
    }
    if (rc == SW_OK)
        rc = adoption_forecast_build(tx, pid, c->day, plan, bb);
    if (rc == SW_OK)
        d->forecast = adoption_forecast_json(plan, bb);
    free(p);
    free(plan);
    free(bb);
    return rc;
}

static int dash_fn(store_tx *tx, void *arg)
{
    struct dash_ctx *d = arg;
    int rc = series_fn(tx, d);
    return rc == SW_OK ? curves_fn(tx, d) : rc;
}

/* The gates of the stages still to go live, with their data. */
static json_t *gates_json(sw_request *req)
{
    sw_store *s = server_prod_store(req->app);
    int64_t pid = server_principal(req)->practice_id;
    json_t *list = json_array();
    plan_record rec;
    sw_err err;
    memset(&rec, 0, sizeof rec);
    if (plan_store_load(s, pid, 0, &rec, &err) != SW_OK || rec.version == 0) {
        plan_record_free(&rec);
        return list;
    }
    sw_plan *plan = NULL;
    plan_issues issues;
    memset(&issues, 0, sizeof issues);
    if (plan_from_text(rec.body, strlen(rec.body), &plan, &issues) != SW_OK)
        plan = NULL;
    for (size_t i = 0; list && plan && i < plan->nstages; i++) {
        const plan_stage *st = &plan->stages[i];
        if (st->state == PLAN_STAGE_LIVE)
            continue;
        for (size_t k = 0; k < st->ngates; k++) {
            const plan_gate *g = &st->gates[k];
            if (g->kind == PLAN_GATE_CHECKLIST)
                continue;
            gate_data gd;
            if (gates_data(s, pid, plan, st, g, &gd, &err) != SW_OK)
                continue;
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:o, "
                                                  "s:i, s:s}",
                "stage", st->id, "stage_name", st->name,
                "gate", plan_gate_kind_name(g->kind),
                "state", gate_state_name(gd.state),
                "percent", gd.percent >= 0 ? json_integer(gd.percent)
                                           : json_null(),
                "required", g->percent, "detail", gd.detail));
        }
    }
    plan_free(plan);
    plan_record_free(&rec);
    return list;
}

static json_t *dashboard_json(struct dash_ctx *d, json_t *gates)
{
    const struct many_ctx *c = &d->many;
    size_t nmods;
    const catalog_module *mods = catalog_modules(&nmods);
    json_t *modules = json_array(), *below = json_array();
    for (size_t m = 0; modules && m < nmods && m < ADOPTION_MAX_MODULES; m++) {
        json_t *series = json_array();
        for (size_t w = 0; series && w < d->nweeks; w++) {
            if (d->module_live[m] < 0 || d->week_end[w] < d->module_live[m])
                continue;
            char end[11];
            adoption_day_text(d->week_end[w], end);
            const week_tally *t = &d->tally[m][w];
            json_array_append_new(series, json_pack("{s:s, s:i, s:i, s:i, s:i}",
                "week_end", end, "learning", t->learning, "adopted",
                t->adopted, "proficient", t->proficient, "flagged",
                t->flagged));
        }
        char since[11];
        if (d->module_live[m] >= 0)
            adoption_day_text(d->module_live[m], since);
        json_array_append_new(modules, series ? json_pack("{s:s, s:s, s:o, s:o}",
            "module", mods[m].id, "title", mods[m].title, "live_since",
            d->module_live[m] >= 0 ? json_string(since) : json_null(),
            "series", series) : NULL);
    }
    for (size_t u = 0; below && u < c->n; u++) {
        const adoption_user_report *r = &c->reports[u];
        for (size_t i = 0; i < r->nvalues; i++) {
            const adoption_value *v = &r->values[i];
            if (strcmp(v->standing, "below_floor") != 0)
                continue;
            json_array_append_new(below, json_pack("{s:s, s:s, s:s, s:s, s:f, "
                                                   "s:f}",
                "username", r->username, "display_name", r->display_name,
                "module", v->module, "benchmark", v->id, "value", v->value,
                "floor", v->floor));
        }
    }
    char as_of[11];
    adoption_day_text(c->day, as_of);
    json_t *doc = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
        "as_of", as_of, "modules", modules, "below_floor", below,
        "gates", gates,
        "productivity", d->productivity ? d->productivity : json_null(),
        "clinicians", d->clinicians ? d->clinicians : json_array(),
        "forecast", d->forecast ? d->forecast : json_null());
    d->productivity = d->clinicians = d->forecast = NULL;
    return doc;
}

static int get_dashboard(sw_request *req, sw_response *res)
{
    struct dash_ctx *d = calloc(1, sizeof *d);
    if (d == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    d->many.asked = -1;
    /* Today's full reports name who is under a floor; the weekly series
     * are levels only. */
    int rc = read_many(req, res, &d->many);
    if (rc != SW_OK) {
        free(d);
        return rc;
    }
    if (d->many.reach == ADOPTION_REACH_SELF) {
        many_free(&d->many);
        free(d);
        return http_fail(res, SW_EFORBIDDEN, "%s", refused_many);
    }
    sw_err err;
    rc = store_read(server_prod_store(req->app), dash_fn, d, &err);
    json_t *doc = rc == SW_OK ? dashboard_json(d, gates_json(req)) : NULL;
    json_decref(d->productivity);
    json_decref(d->clinicians);
    json_decref(d->forecast);
    many_free(&d->many);
    free(d);
    if (rc != SW_OK)
        return failed(res, rc, &err);
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

/* ---- /targets -------------------------------------------------------------- */

struct targets_ctx {
    int64_t            practice_id;
    adoption_targets   t;
    const sw_request  *req;
    json_t            *list;     /* PUT: the checked body's targets */
};

static int targets_fn(store_tx *tx, void *arg)
{
    struct targets_ctx *c = arg;
    return adoption_targets_load(tx, c->practice_id, &c->t);
}

static const char *kind_word(adoption_kind k)
{
    return k == ADOPTION_KIND_TIME ? "time" : k == ADOPTION_KIND_RATIO ? "ratio"
         : k == ADOPTION_KIND_CLOSURE ? "closure" : "breadth";
}

static int reply_targets(sw_request *req, sw_response *res, int status)
{
    struct targets_ctx c = { .practice_id = server_principal(req)->practice_id };
    sw_err err;
    int rc = store_read(server_prod_store(req->app), targets_fn, &c, &err);
    if (rc != SW_OK)
        return failed(res, rc, &err);
    size_t n;
    const adoption_benchmark *b = adoption_benchmarks(&n);
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, "
                                              "s:f, s:f, s:f, s:f, s:i, s:s, "
                                              "s:s}",
            "id", b[i].id, "label", b[i].label, "module", b[i].module,
            "kind", kind_word(b[i].kind), "unit", b[i].unit,
            "lower_is_better", b[i].lower_is_better, "floor", c.t.floor[i],
            "goal", c.t.goal[i], "default_floor", b[i].floor, "default_goal",
            b[i].goal, "window_days", b[i].window_days, "formula",
            b[i].formula, "source", b[i].source));
    json_t *doc = list ? json_pack("{s:o}", "targets", list) : NULL;
    return doc ? server_reply_json(res, status, doc) : http_fail(res, SW_ENOMEM, NULL);
}

static int get_targets(sw_request *req, sw_response *res)
{
    return reply_targets(req, res, 200);
}

static int put_targets_fn(store_tx *tx, void *arg)
{
    struct targets_ctx *c = arg;
    size_t i;
    json_t *t;
    json_array_foreach(c->list, i, t) {
        int rc = adoption_target_set(tx, c->practice_id,
            json_string_value(json_object_get(t, "id")),
            json_number_value(json_object_get(t, "floor")),
            json_number_value(json_object_get(t, "goal")));
        if (rc != SW_OK)
            return rc;
    }
    char detail[64];
    snprintf(detail, sizeof detail, "%zu adoption targets",
             json_array_size(c->list));
    return server_workflow_audit(tx, c->req, AUDIT_PLAN_CHANGE,
                                 "adoption.targets", NULL, NULL, NULL, detail);
}

/* Checks each entry's shape; the values are checked by adoption_target_set. */
static int check_targets(json_t *list, sw_response *res)
{
    if (!json_is_array(list) || json_array_size(list) == 0)
        return http_fail(res, SW_EINVAL, "targets must be a non-empty array "
                         "of {\"id\",\"floor\",\"goal\"}");
    static const char *const members[] = { "id", "floor", "goal", NULL };
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t) {
        if (!json_is_object(t))
            return http_fail(res, SW_EINVAL, "targets[%zu] must be an object",
                             i);
        int rc = server_json_only_members(t, members, res);
        if (rc != SW_OK)
            return rc;
        const char *id = json_string_value(json_object_get(t, "id"));
        if (id == NULL)
            return http_fail(res, SW_EINVAL, "targets[%zu].id must be a "
                             "benchmark id", i);
        if (adoption_benchmark_find(id) == NULL)
            return http_fail(res, SW_EINVAL, "targets[%zu].id: there is no "
                             "benchmark \"%.40s\"", i, id);
        if (!json_is_number(json_object_get(t, "floor")))
            return http_fail(res, SW_EINVAL, "targets[%zu].floor must be a "
                             "number", i);
        if (!json_is_number(json_object_get(t, "goal")))
            return http_fail(res, SW_EINVAL, "targets[%zu].goal must be a "
                             "number", i);
    }
    return SW_OK;
}

static int put_targets(sw_request *req, sw_response *res)
{
    json_t *body;
    int rc = server_json_body(req, res, ADOPTION_BODY_MAX, &body);
    if (rc != SW_OK)
        return rc;
    static const char *const members[] = { "targets", NULL };
    rc = server_json_only_members(body, members, res);
    if (rc == SW_OK)
        rc = check_targets(json_object_get(body, "targets"), res);
    if (rc != SW_OK) {
        json_decref(body);
        return rc;
    }
    struct targets_ctx c = { .practice_id = server_principal(req)->practice_id,
                             .req = req,
                             .list = json_object_get(body, "targets") };
    sw_err err;
    rc = store_write(server_prod_store(req->app), put_targets_fn, &c, &err);
    json_decref(body);
    if (rc != SW_OK)
        return failed(res, rc, &err);
    return reply_targets(req, res, 200);
}

/* ---- /settings ------------------------------------------------------------- */

static const char *const setting_names[] = { "utc_offset_minutes",
    "settling_weeks", "peer_share_percent", NULL };

struct settings_ctx {
    int64_t            practice_id;
    adoption_settings  set;
    const sw_request  *req;
    json_t            *body;
};

static int settings_fn(store_tx *tx, void *arg)
{
    struct settings_ctx *c = arg;
    return adoption_settings_load(tx, c->practice_id, &c->set);
}

static int reply_settings(sw_request *req, sw_response *res)
{
    struct settings_ctx c = { .practice_id = server_principal(req)->practice_id };
    sw_err err;
    int rc = store_read(server_prod_store(req->app), settings_fn, &c, &err);
    if (rc != SW_OK)
        return failed(res, rc, &err);
    return server_reply_json(res, 200, json_pack("{s:i, s:i, s:i}",
        "utc_offset_minutes", c.set.utc_offset_minutes,
        "settling_weeks", c.set.settling_weeks,
        "peer_share_percent", c.set.peer_share_percent));
}

static int get_settings(sw_request *req, sw_response *res)
{
    if (!is_lead(req))
        return http_fail(res, SW_EFORBIDDEN, "the adoption settings are for "
                         "the implementation lead and the practice admin");
    return reply_settings(req, res);
}

static int put_settings_fn(store_tx *tx, void *arg)
{
    struct settings_ctx *c = arg;
    for (size_t i = 0; setting_names[i]; i++) {
        json_t *v = json_object_get(c->body, setting_names[i]);
        if (v == NULL)
            continue;
        int rc = adoption_setting_set(tx, c->practice_id, setting_names[i],
                                      (int)json_integer_value(v));
        if (rc != SW_OK)
            return rc;
    }
    return server_workflow_audit(tx, c->req, AUDIT_PLAN_CHANGE,
                                 "adoption.settings", NULL, NULL, NULL,
                                 "adoption settings");
}

static int put_settings(sw_request *req, sw_response *res)
{
    json_t *body;
    int rc = server_json_body(req, res, ADOPTION_BODY_MAX, &body);
    if (rc != SW_OK)
        return rc;
    rc = server_json_only_members(body, setting_names, res);
    for (size_t i = 0; rc == SW_OK && setting_names[i]; i++) {
        json_t *v = json_object_get(body, setting_names[i]);
        if (v && (!json_is_integer(v) || json_integer_value(v) < -100000
                  || json_integer_value(v) > 100000))
            rc = http_fail(res, SW_EINVAL, "%s must be a whole number",
                           setting_names[i]);
    }
    if (rc == SW_OK && json_object_size(body) == 0)
        rc = http_fail(res, SW_EINVAL, "name at least one of "
                       "utc_offset_minutes, settling_weeks and "
                       "peer_share_percent");
    if (rc != SW_OK) {
        json_decref(body);
        return rc;
    }
    struct settings_ctx c = { .practice_id = server_principal(req)->practice_id,
                              .req = req, .body = body };
    sw_err err;
    rc = store_write(server_prod_store(req->app), put_settings_fn, &c, &err);
    json_decref(body);
    if (rc != SW_OK)
        return failed(res, rc, &err);
    return reply_settings(req, res);
}

static const http_route routes[] = {
    { "GET", "/api/adoption/me",               get_me,        0, NULL },
    { "GET", "/api/adoption/users",            get_users,     0, NULL },
    { "GET", "/api/adoption/users/{username}", get_user,      0, NULL },
    { "GET", "/api/adoption/dashboard",        get_dashboard, 0, NULL },
    { "GET", "/api/adoption/report",           get_report,    0, NULL },
    { "GET", "/api/adoption/targets",          get_targets,   0, NULL },
    { "PUT", "/api/adoption/targets",          put_targets,   HTTP_ROUTE_BODY, "plan:write" },
    { "GET", "/api/adoption/settings",         get_settings,  0, NULL },
    { "PUT", "/api/adoption/settings",         put_settings,  HTTP_ROUTE_BODY, "plan:write" },
};

const http_route_table adoption_routes = {
    .name = "adoption",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
