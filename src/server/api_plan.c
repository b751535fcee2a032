/* api_plan.c - the implementation plan over HTTP (docs/rollout.md):
 *
 *   GET  /api/plan                 the current plan and its version
 *   PUT  /api/plan                 a new version {"plan","version","comment"?}
 *   POST /api/plan/template        a template applied as a new version
 *   GET  /api/plan/templates       the templates and when to choose each
 *   GET  /api/plan/lint            the linter's findings on the current plan
 *   GET  /api/plan/history         every version: when, who, why
 *   GET  /api/plan/versions/{n}    one version
 *   GET  /api/plan/diff?from=&to=  what changed between two versions
 *
 * Reads carry "plan:read", changes "plan:write" (the permission table:
 * the implementation lead). A change names the version it was made from;
 * a stale one is 409 "version_conflict", so two people editing at once do
 * not overwrite each other. The model, linter and diff are pure
 * (src/rollout/); this file reads requests, calls them and the store, and
 * shapes answers. */
#include "app.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/str.h"
#include "rollout/plan.h"
#include "rollout/plan_diff.h"
#include "rollout/plan_lint.h"
#include "rollout/plan_store.h"
#include "rollout/plan_templates.h"

/* A PUT carries a plan and a comment; a template request a few names. */
#define PLAN_REQUEST_MAX  (PLAN_BODY_MAX + 8 * 1024)
#define TEMPLATE_BODY_MAX 4096

static int64_t practice_of(const sw_request *req)
{
    return server_principal(req)->practice_id;
}

static int store_failed(sw_response *res, int rc, const sw_err *err)
{
    return server_store_failed(res, rc, err, "the plan");
}

/* A 400 naming every problem of a plan document: the first in the
 * message, all of them in details. */
static int invalid_plan(sw_response *res, const plan_issues *is)
{
    char first[400];
    plan_issues_first(is, first, sizeof first);
    json_t *doc = json_pack("{s:{s:s, s:s, s:o*}}", "error", "code", "invalid",
                            "message", first, "details", plan_issues_json(is));
    if (doc == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    int rc = server_reply_json(res, 400, doc);
    return rc == SW_OK ? SW_EINVAL : rc;
}

/* Parses a stored body (valid when written; a catalog change since may
 * make it fail, which is the server's problem, not the client's). */
static int stored_plan(sw_response *res, const plan_record *r, sw_plan **out)
{
    plan_issues is;
    int rc = plan_from_text(r->body, strlen(r->body), out, &is);
    if (rc == SW_ENOMEM)
        return http_fail(res, rc, NULL);
    if (rc != SW_OK) {
        char first[400];
        plan_issues_first(&is, first, sizeof first);
        sw_warn("plan: stored version %" PRId64 " no longer reads: %s",
                r->version, first);
        return http_fail(res, SW_EINTERNAL, "version %" PRId64 " of the plan "
                         "no longer reads: %s", r->version, first);
    }
    return SW_OK;
}

static json_t *iso_or_null(int64_t ms)
{
    char t[SW_TIME_ISO_MAX];
    sw_time_iso(ms, t);
    return json_string(t);
}

/* {"version","plan","updated_at","updated_by","comment"} of a record. */
static json_t *record_json(const plan_record *r)
{
    if (r->version == 0)
        return json_pack("{s:i, s:n, s:n, s:n, s:n}", "version", 0, "plan",
                         "updated_at", "updated_by", "comment");
    json_t *plan = json_loads(r->body, 0, NULL);
    return json_pack("{s:I, s:o*, s:o*, s:s, s:s}", "version",
                     (json_int_t)r->version, "plan", plan, "updated_at",
                     iso_or_null(r->at_ms), "updated_by", r->username,
                     "comment", r->comment);
}

/* Answers version n of the plan (0: the current one). */
static int reply_version(sw_request *req, sw_response *res, int64_t n)
{
    sw_app *app = req->app;
    plan_record r;
    sw_err err;
    int rc = plan_store_load(app->store, practice_of(req), n, &r, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    json_t *doc = record_json(&r);
    plan_record_free(&r);
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

static int get_plan(sw_request *req, sw_response *res)
{
    return reply_version(req, res, 0);
}

/* Lints p and answers {"version", "lint"} with status. */
static int reply_saved(sw_request *req, sw_response *res, int64_t version,
                       const sw_plan *p)
{
    sw_app *app = req->app;
    plan_findings f;
    sw_err err;
    int rc = plan_store_lint(app->store, req->arena, practice_of(req), p, &f,
                             &err);
    json_t *lint = rc == SW_OK ? plan_findings_json(&f) : json_array();
    if (rc != SW_OK)
        /* The version is saved; a lint that failed is re-run by GET
         * /api/plan/lint, so the answer still reports the save. */
        sw_warn("plan: lint after save: %s", sw_err_text(&err));
    json_t *doc = json_pack("{s:I, s:o*, s:i, s:i}", "version",
        (json_int_t)version, "lint", lint,
        "errors", rc == SW_OK ? (int)plan_findings_count(&f, PLAN_LINT_ERROR) : 0,
        "warnings", rc == SW_OK ? (int)plan_findings_count(&f, PLAN_LINT_WARNING) : 0);
    plan_findings_free(&f);
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

/* Saves p as the version after `expected` (-1: after the current one). */
static int save(sw_request *req, sw_response *res, int64_t expected,
                const sw_plan *p, const char *comment)
{
    sw_app *app = req->app;
    audit_who who;
    server_audit_who(req, &who);
    int64_t version = 0;
    bool stale;
    sw_err err;
    int rc = plan_store_change(app->store, &who, expected, p, comment, &version,
                               &stale, &err);
    if (rc == SW_ECONFLICT)
        return server_fail_as(res, rc, stale ? "version_conflict"
                              : "stage_started", sw_err_text(&err));
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    return reply_saved(req, res, version, p);
}

/* The optional "comment" member: a string of at most PLAN_COMMENT_MAX. */
static int read_comment(json_t *doc, sw_response *res, const char **out)
{
    json_t *c = json_object_get(doc, "comment");
    *out = NULL;
    if (c == NULL || json_is_null(c))
        return SW_OK;
    if (!json_is_string(c) || strlen(json_string_value(c)) > PLAN_COMMENT_MAX)
        return http_fail(res, SW_EINVAL, "\"comment\" must be a string of at "
                         "most %d characters", PLAN_COMMENT_MAX);
    *out = json_string_value(c);
    return SW_OK;
}

/* The "version" member: the version the client read, 0 for none. */
static int read_version(json_t *doc, sw_response *res, bool required,
                        int64_t *out)
{
    json_t *v = json_object_get(doc, "version");
    *out = -1;
    if (v == NULL && !required)
        return SW_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return http_fail(res, SW_EINVAL, "\"version\" must be the version of "
                         "the plan this change was made from (0 when there "
                         "was none)");
    *out = json_integer_value(v);
    return SW_OK;
}

static int put_plan(sw_request *req, sw_response *res)
{
    static const char *const members[] = { "plan", "version", "comment", NULL };
    json_t *doc = NULL;
    int rc = server_json_body(req, res, PLAN_REQUEST_MAX, &doc);
    if (rc == SW_OK)
        rc = server_json_only_members(doc, members, res);
    int64_t version = -1;
    const char *comment = NULL;
    if (rc == SW_OK)
        rc = read_version(doc, res, true, &version);
    if (rc == SW_OK)
        rc = read_comment(doc, res, &comment);
    json_t *pj = doc ? json_object_get(doc, "plan") : NULL;
    if (rc == SW_OK && !json_is_object(pj))
        rc = http_fail(res, SW_EINVAL, "\"plan\" must be the plan, an object "
                       "with \"stages\"");
    sw_plan *p = NULL;
    if (rc == SW_OK) {
        plan_issues is;
        rc = plan_from_json(pj, &p, &is);
        if (rc == SW_EINVAL)
            rc = invalid_plan(res, &is);
        else if (rc != SW_OK)
            rc = http_fail(res, rc, NULL);
    }
    if (rc == SW_OK)
        rc = save(req, res, version, p, comment);
    plan_free(p);
    json_decref(doc);
    return rc;
}

static int post_template(sw_request *req, sw_response *res)
{
    static const char *const members[] = {
        "template", "start", "version", "comment", NULL,
    };
    json_t *doc = NULL;
    int rc = server_json_body(req, res, TEMPLATE_BODY_MAX, &doc);
    if (rc == SW_OK)
        rc = server_json_only_members(doc, members, res);
    const char *strs[2] = { NULL, NULL };
    static const char *const names[] = { "template", "start" };
    if (rc == SW_OK)
        rc = server_json_strings(doc, names, strs, 2, res);
    const plan_template *t = NULL;
    if (rc == SW_OK && (t = plan_template_find(strs[0])) == NULL)
        rc = http_fail(res, SW_EINVAL, "\"template\" must name a template: "
                       "big-bang, front-office-first or clinical-first (GET "
                       "/api/plan/templates)");
    int64_t start = plan_day_of_ms(sw_now_wall_ms());
    if (rc == SW_OK && strs[1] && !plan_date_parse(strs[1], &start))
        rc = http_fail(res, SW_EINVAL, "\"start\" must be a date YYYY-MM-DD");
    int64_t version = -1;
    const char *comment = NULL;
    if (rc == SW_OK)
        rc = read_version(doc, res, false, &version);
    if (rc == SW_OK)
        rc = read_comment(doc, res, &comment);
    sw_plan *p = NULL;
    if (rc == SW_OK) {
        json_t *pj = plan_template_build(t, start);
        plan_issues is;
        rc = pj ? plan_from_json(pj, &p, &is) : SW_ENOMEM;
        json_decref(pj);
        if (rc == SW_EINVAL)
            rc = invalid_plan(res, &is);
        else if (rc != SW_OK)
            rc = http_fail(res, rc, NULL);
    }
    char deflt[120];
    if (rc == SW_OK) {
        snprintf(deflt, sizeof deflt, "applied the template %s", t->name);
        rc = save(req, res, version, p, comment ? comment : deflt);
    }
    plan_free(p);
    json_decref(doc);
    return rc;
}

static int get_templates(sw_request *req, sw_response *res)
{
    (void)req;
    json_t *doc = json_pack("{s:o*}", "templates", plan_templates_json());
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

static int get_lint(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    plan_record r;
    sw_err err;
    int rc = plan_store_load(app->store, practice_of(req), 0, &r, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    sw_plan *p = NULL;
    plan_findings f = { 0 };
    if (r.version > 0)
        rc = stored_plan(res, &r, &p);
    if (rc == SW_OK && p) {
        rc = plan_store_lint(app->store, req->arena, practice_of(req), p, &f,
                             &err);
        if (rc != SW_OK)
            rc = store_failed(res, rc, &err);
    }
    if (rc == SW_OK) {
        json_t *doc = json_pack("{s:I, s:o*, s:i, s:i}", "version",
            (json_int_t)r.version, "findings", plan_findings_json(&f),
            "errors", (int)plan_findings_count(&f, PLAN_LINT_ERROR),
            "warnings", (int)plan_findings_count(&f, PLAN_LINT_WARNING));
        rc = doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
    }
    plan_findings_free(&f);
    plan_free(p);
    plan_record_free(&r);
    return rc;
}

static int get_history(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    plan_record *rows;
    size_t n;
    sw_err err;
    int rc = plan_store_history(app->store, practice_of(req), &rows, &n, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, json_pack("{s:I, s:o*, s:s, s:s}",
            "version", (json_int_t)rows[i].version, "at",
            iso_or_null(rows[i].at_ms), "by", rows[i].username,
            "comment", rows[i].comment));
    plan_records_free(rows, n);
    json_t *doc = json_pack("{s:o*}", "versions", list);
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

/* A version number in a path or parameter: a whole number from min. */
static bool parse_version(const char *s, long min, int64_t *out)
{
    long v;
    if (s == NULL || !sw_str_to_long(sw_str_of(s), min, 0x7fffffffL, &v))
        return false;
    *out = v;
    return true;
}

static int get_version(sw_request *req, sw_response *res)
{
    int64_t n;
    if (!parse_version(http_route_value(req, "n"), 1, &n))
        return http_fail(res, SW_ENOTFOUND, "a plan version is a whole number "
                         "from 1");
    return reply_version(req, res, n);
}

/* Loads version v as a plan (v 0: no plan, *out NULL). */
static int load_plan(sw_request *req, sw_response *res, int64_t v,
                     sw_plan **out)
{
    sw_app *app = req->app;
    *out = NULL;
    if (v == 0)
        return SW_OK;
    plan_record r;
    sw_err err;
    int rc = plan_store_load(app->store, practice_of(req), v, &r, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    rc = stored_plan(res, &r, out);
    plan_record_free(&r);
    return rc;
}

static int get_diff(sw_request *req, sw_response *res)
{
    int64_t from, to;
    if (!parse_version(http_query_get(req, "from"), 0, &from)
        || !parse_version(http_query_get(req, "to"), 1, &to))
        return http_fail(res, SW_EINVAL, "name the versions to compare: "
                         "?from=A&to=B (A may be 0, before the first plan)");
    sw_plan *a = NULL, *b = NULL;
    int rc = load_plan(req, res, from, &a);
    if (rc == SW_OK)
        rc = load_plan(req, res, to, &b);
    plan_changes c = { 0 };
    if (rc == SW_OK && plan_diff(a, b, &c) != SW_OK)
        rc = http_fail(res, SW_ENOMEM, NULL);
    if (rc == SW_OK) {
        json_t *doc = json_pack("{s:I, s:I, s:o*}", "from", (json_int_t)from,
                                "to", (json_int_t)to, "changes",
                                plan_changes_json(&c));
        rc = doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
    }
    plan_changes_free(&c);
    plan_free(a);
    plan_free(b);
    return rc;
}

static const http_route routes[] = {
    { "GET",  "/api/plan",               get_plan,      0,               "plan:read" },
    { "PUT",  "/api/plan",               put_plan,      HTTP_ROUTE_BODY, "plan:write" },
    { "POST", "/api/plan/template",      post_template, HTTP_ROUTE_BODY, "plan:write" },
    { "GET",  "/api/plan/templates",     get_templates, 0,               "plan:read" },
    { "GET",  "/api/plan/lint",          get_lint,      0,               "plan:read" },
    { "GET",  "/api/plan/history",       get_history,   0,               "plan:read" },
    { "GET",  "/api/plan/versions/{n}",  get_version,   0,               "plan:read" },
    { "GET",  "/api/plan/diff",          get_diff,      0,               "plan:read" },
};

const http_route_table plan_routes = {
    .name = "plan",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
