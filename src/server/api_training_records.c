/* api_training_records.c - training records and assignments over HTTP
 * (docs/training.md "Training records and the gates", "Assignments"):
 *
 *   GET  /api/training/records[.csv]?user=&module=&stage=
 *   POST /api/training/assignments   {"username","course","exercise"?,"reason","due"}
 *   GET  /api/training/assignments[?all=1]
 *
 * Served on both mounts; the rows are always the production store's. The
 * lead (plan:read or training:read) sees everyone's records, a super-user
 * also their modules' records, anyone else their own. Workload: the
 * lead's progress screens, a few reads a minute. */
#include "api_training.h"

#include <stdio.h>
#include <string.h>

#include "auth/users.h"
#include "core/clock.h"
#include "rollout/catalog.h"
#include "rollout/plan_store.h"
#include "training/course.h"
#include "training/records.h"

#define TRAINING_BODY_MAX  4096
#define TRAINING_REASON_MAX 500

/* ---- Records -------------------------------------------------------------- */

struct su_ctx {
    int64_t pid, uid;
    char    modules[16][32];
    size_t  n;
};

static int su_fn(store_tx *tx, void *arg)
{
    struct su_ctx *c = arg;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT module FROM super_user WHERE "
                           "practice_id = ? AND user_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, c->pid);
    store_bind_int64(st, 2, c->uid);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row && c->n < 16) {
        size_t n;
        const char *m = store_col_text(st, 0, &n);
        if (n < 32) {
            memcpy(c->modules[c->n], m, n);
            c->modules[c->n++][n] = '\0';
        }
    }
    store_finalize(st);
    return rc;
}

/* The modules of the stage with this id in the current plan, into mods
 * (32 at most; strings in the request's arena); a 400 naming stage when
 * there is no such stage. */
static int stage_modules(sw_request *req, sw_response *res, const char *stage,
                         const char *mods[], size_t *n)
{
    sw_app *app = req->app;
    sw_err err;
    plan_record r;
    int rc = plan_store_load(server_prod_store(app),
                             server_principal(req)->practice_id, 0, &r, &err);
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "the plan");
    if (r.version == 0) {
        plan_record_free(&r);
        return http_fail(res, SW_EBADREQUEST, "stage: the practice has no plan");
    }
    plan_issues issues;
    memset(&issues, 0, sizeof issues);
    sw_plan *p = NULL;
    rc = plan_from_text(r.body, strlen(r.body), &p, &issues);
    plan_record_free(&r);
    if (rc != SW_OK)
        return http_fail(res, SW_EINTERNAL, "the current plan does not check");
    bool found = false;
    for (size_t i = 0; i < p->nstages && !found; i++)
        if (strcmp(p->stages[i].id, stage) == 0) {
            found = true;
            *n = 0;
            for (size_t k = 0; k < p->stages[i].nmodules && k < 32; k++)
                mods[(*n)++] = sw_arena_strdup(req->arena, p->stages[i].modules[k]);
        }
    plan_free(p);
    return found ? SW_OK : http_fail(res, SW_EBADREQUEST, "stage: there is no "
                                     "stage '%.64s' in the plan", stage);
}

static bool listed(const char *m, const char *const *mods, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(mods[i], m) == 0)
            return true;
    return false;
}

/* The records the signed-in user may see, filtered, as JSON rows. */
static int records_rows(sw_request *req, sw_response *res, json_t **out)
{
    sw_app *app = req->app;
    sw_store *prod = server_prod_store(app);
    const auth_session *me = server_principal(req);
    const training_courses *all = api_training_courses(app);
    const char *user = http_query_get(req, "user");
    const char *module = http_query_get(req, "module");
    const char *stage = http_query_get(req, "stage");
    sw_err err;
    if (module && module[0] && !catalog_is_module(module))
        return http_fail(res, SW_EBADREQUEST, "module: '%.40s' is not a module "
                         "of the catalog", module);
    const char *smods[32];
    size_t nsmods = 0;
    int rc;
    if (stage && stage[0]
        && (rc = stage_modules(req, res, stage, smods, &nsmods)) != SW_OK)
        return rc;
    bool lead = api_training_lead(me);
    struct su_ctx su = { .pid = me->practice_id, .uid = me->user_id };
    if (!lead && (rc = store_read(prod, su_fn, &su, &err)) != SW_OK)
        return api_training_failed(res, rc, &err);
    auth_user *users;
    size_t nusers;
    rc = auth_user_list(prod, req->arena, me->practice_id, &users, &nusers, &err);
    if (rc != SW_OK)
        return api_training_failed(res, rc, &err);
    int64_t only_uid = 0;
    if (user && user[0]) {
        for (size_t i = 0; i < nusers && !only_uid; i++)
            if (strcmp(users[i].username, user) == 0)
                only_uid = users[i].user_id;
        if (!only_uid)
            return http_fail(res, SW_EBADREQUEST, "user: there is no user "
                             "'%.64s'", user);
    }
    training_rec *rows;
    size_t n;
    rc = training_rec_list(prod, req->arena, me->practice_id, only_uid, &rows,
                           &n, &err);
    if (rc != SW_OK)
        return api_training_failed(res, rc, &err);
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        const training_rec *r = &rows[i];
        const training_course *c = training_course_find(all, r->course_id);
        const char *m = c ? c->module : "";
        bool mine = r->user_id == me->user_id;
        bool su_mod = false;
        for (size_t k = 0; k < su.n && !su_mod; k++)
            su_mod = strcmp(su.modules[k], m) == 0;
        if (!lead && !mine && !su_mod)
            continue;
        if (module && module[0] && strcmp(module, m) != 0)
            continue;
        if (stage && stage[0] && !listed(m, smods, nsmods))
            continue;
        const char *uname = "", *display = "";
        for (size_t k = 0; k < nusers; k++)
            if (users[k].user_id == r->user_id) {
                uname = users[k].username;
                display = users[k].display_name;
            }
        size_t ndone = 0;
        char ids[COURSE_MAX_EXERCISES * 2][48];
        rc = training_rec_done(prod, me->practice_id, r->user_id, r->course_id,
                               ids, COURSE_MAX_EXERCISES * 2, &ndone, &err);
        if (rc != SW_OK) {
            json_decref(list);
            return api_training_failed(res, rc, &err);
        }
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:I,"
                              " s:o, s:o, s:o}",
                              "username", uname, "name", display,
                              "course", r->course_id, "module", m,
                              "started_at", api_training_time(r->started_at),
                              "completed_at", api_training_time(r->completed_at),
                              "seconds_spent", (json_int_t)r->seconds_spent,
                              "exercises_done", (json_int_t)ndone,
                              "exercises", (json_int_t)(c ? c->nexercises : 0),
                              "proficiency_score", r->proficiency_score >= 0
                                  ? json_integer(r->proficiency_score) : json_null(),
                              "proficiency_passed", r->proficiency_score >= 0
                                  ? json_boolean(r->proficiency_pass) : json_null(),
                              "proficiency_at", api_training_time(r->proficiency_at));
        if (o == NULL || json_array_append_new(list, o) != 0) {
            json_decref(list);
            return http_fail(res, SW_ENOMEM, NULL);
        }
    }
    if (list == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    *out = list;
    return SW_OK;
}

static int get_records(sw_request *req, sw_response *res)
{
    json_t *list;
    int rc = records_rows(req, res, &list);
    if (rc != SW_OK)
        return rc;
    json_t *doc = json_pack("{s:o}", "records", list);
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

/* A CSV field, quoted when it holds a comma, quote or line break. */
static void csv_field(sw_buf *b, const char *s, bool last)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        sw_buf_append(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sw_buf_append(b, "\"", 1);
        sw_buf_append(b, p, 1);
    }
    if (quote)
        sw_buf_append(b, "\"", 1);
    sw_buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
}

static int get_records_csv(sw_request *req, sw_response *res)
{
    json_t *list;
    int rc = records_rows(req, res, &list);
    if (rc != SW_OK)
        return rc;
    static const char *const cols[] = {
        "username", "name", "course", "module", "started_at", "completed_at",
        "seconds_spent", "exercises_done", "exercises", "proficiency_score",
        "proficiency_passed", "proficiency_at",
    };
    const size_t ncols = sizeof cols / sizeof cols[0];
    sw_buf b;
    sw_buf_init(&b, 16 * 1024 * 1024);
    for (size_t k = 0; k < ncols; k++)
        csv_field(&b, cols[k], k + 1 == ncols);
    size_t i;
    json_t *row;
    json_array_foreach(list, i, row) {
        for (size_t k = 0; k < ncols; k++) {
            json_t *v = json_object_get(row, cols[k]);
            char num[32];
            const char *s = "";
            if (json_is_string(v))
                s = json_string_value(v);
            else if (json_is_integer(v)) {
                snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
                s = num;
            } else if (json_is_boolean(v))
                s = json_is_true(v) ? "true" : "false";
            csv_field(&b, s, k + 1 == ncols);
        }
    }
    json_decref(list);
    http_set_header(res, "Cache-Control", "no-store");
    http_set_header(res, "Content-Disposition",
                "attachment; filename=\"training-records.csv\"");
    rc = http_reply(res, 200, "text/csv; charset=utf-8", (const char *)b.data,
                    b.len);
    sw_buf_free(&b);
    return rc;
}

/* ---- Assignments ------------------------------------------------------- */

static bool valid_day(const char *s)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static int post_assignment(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *me = server_principal(req);
    json_t *body;
    int rc = server_json_body(req, res, TRAINING_BODY_MAX, &body);
    if (rc != SW_OK)
        return rc;
    static const char *const members[] = { "username", "course", "exercise",
                                           "reason", "due", NULL };
    static const char *const names[] = { "username", "course", "exercise",
                                         "reason", "due" };
    const char *v[5];
    if ((rc = server_json_only_members(body, members, res)) != SW_OK
        || (rc = server_json_strings(body, names, v, 5, res)) != SW_OK)
        goto out;
    const training_course *c = training_course_find(api_training_courses(app), v[1]);
    if (v[0] == NULL || v[0][0] == '\0') {
        rc = http_fail(res, SW_EBADREQUEST, "username is required");
        goto out;
    }
    if (c == NULL) {
        rc = http_fail(res, SW_EBADREQUEST, "course: there is no course "
                       "'%.64s'", v[1] ? v[1] : "");
        goto out;
    }
    bool ex_ok = v[2] == NULL || v[2][0] == '\0';
    for (size_t i = 0; !ex_ok && i < c->nexercises; i++)
        ex_ok = strcmp(c->exercises[i].id, v[2]) == 0;
    if (!ex_ok) {
        rc = http_fail(res, SW_EBADREQUEST, "exercise: course '%s' has no "
                       "exercise '%.48s'", c->id, v[2]);
        goto out;
    }
    if (v[3] == NULL || v[3][0] == '\0' || strlen(v[3]) > TRAINING_REASON_MAX) {
        rc = http_fail(res, SW_EBADREQUEST, "reason is required (at most %d "
                       "characters): say why this training is assigned",
                       TRAINING_REASON_MAX);
        goto out;
    }
    if (!valid_day(v[4])) {
        rc = http_fail(res, SW_EBADREQUEST, "due must be a date YYYY-MM-DD");
        goto out;
    }
    sw_err err;
    auth_user u;
    rc = auth_user_find(server_prod_store(app), req->arena, me->practice_id,
                        v[0], &u, &err);
    if (rc == SW_ENOTFOUND) {
        rc = http_fail(res, SW_EBADREQUEST, "username: there is no user "
                       "'%.64s'", v[0]);
        goto out;
    }
    if (rc != SW_OK) {
        rc = api_training_failed(res, rc, &err);
        goto out;
    }
    training_assign a = {
        .user_id = u.user_id, .course_id = c->id,
        .exercise_id = v[2] ? v[2] : "", .reason = v[3], .due_date = v[4],
        .assigned_by = me->user_id, .assigned_at = sw_now_wall_ms(),
    };
    int64_t id;
    rc = training_assign_add(server_prod_store(app), me->practice_id, &a, &id,
                             &err);
    if (rc != SW_OK) {
        rc = api_training_failed(res, rc, &err);
        goto out;
    }
    json_t *doc = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:n}",
                            "id", (json_int_t)id, "username", u.username,
                            "course", c->id, "exercise", a.exercise_id,
                            "reason", a.reason, "due", a.due_date, "done_at");
    rc = doc ? server_reply_json(res, 201, doc) : http_fail(res, SW_ENOMEM, NULL);
out:
    json_decref(body);
    return rc;
}

static int get_assignments(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    sw_store *prod = server_prod_store(app);
    const auth_session *me = server_principal(req);
    const char *all = http_query_get(req, "all");
    bool every = all && strcmp(all, "1") == 0;
    if (every && !api_training_lead(me))
        return http_fail(res, SW_EFORBIDDEN, "all: only the implementation "
                         "lead sees everyone's assignments");
    sw_err err;
    training_assign *rows;
    size_t n;
    int rc = training_assign_list(prod, req->arena, me->practice_id,
                                  every ? 0 : me->user_id, &rows, &n, &err);
    auth_user *users = NULL;
    size_t nusers = 0;
    if (rc == SW_OK)
        rc = auth_user_list(prod, req->arena, me->practice_id, &users, &nusers,
                            &err);
    if (rc != SW_OK)
        return api_training_failed(res, rc, &err);
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        const char *who = "", *by = "";
        for (size_t k = 0; k < nusers; k++) {
            if (users[k].user_id == rows[i].user_id)
                who = users[k].username;
            if (users[k].user_id == rows[i].assigned_by)
                by = users[k].username;
        }
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
                              "id", (json_int_t)rows[i].assignment_id,
                              "username", who, "course", rows[i].course_id,
                              "exercise", rows[i].exercise_id,
                              "reason", rows[i].reason, "due", rows[i].due_date,
                              "assigned_by", by,
                              "assigned_at", api_training_time(rows[i].assigned_at),
                              "done_at", api_training_time(rows[i].done_at));
        if (o == NULL || json_array_append_new(list, o) != 0) {
            json_decref(list);
            return http_fail(res, SW_ENOMEM, NULL);
        }
    }
    json_t *doc = list ? json_pack("{s:o}", "assignments", list) : NULL;
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

/* Records and assignments decide who sees what themselves; only the lead
 * assigns. */
static const http_route routes[] = {
    { "GET",  "/api/training/records",                  get_records,      0,               NULL },
    { "GET",  "/api/training/records.csv",              get_records_csv,  0,               NULL },
    { "POST", "/api/training/assignments",              post_assignment,  HTTP_ROUTE_BODY, "training:write" },
    { "GET",  "/api/training/assignments",              get_assignments,  0,               NULL },
};

const http_route_table training_records_routes = {
    .name = "training records",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
