/* api_adoption_schedule.c - scheduled hours over HTTP (docs/adoption-
 * metrics.md "Scheduled hours"): each user's weekly template, the
 * practice's default template and leave, the sources the time benchmarks
 * divide by when a user has no FHIR Slots (src/adoption/schedule.h).
 *
 *   GET    /api/adoption/schedule/{username}               the user or plan:write
 *          → {"username", "template": [{"weekday": 0, "start": "08:00",
 *             "end": "12:00"}], "practice_default": [...],
 *             "leave": [{"first", "last", "reason"}]}
 *   PUT    /api/adoption/schedule/{username}               plan:write
 *          {"template": [...]} replaces the template (200, as GET)
 *   POST   /api/adoption/schedule/{username}/leave         plan:write
 *          {"first": "2026-12-21", "last": "2026-12-31", "reason": "Holiday"} → 201
 *   DELETE /api/adoption/schedule/{username}/leave/{first} plan:write → 204
 *
 * The username "_practice" names the practice's default template (it has
 * no leave; anyone signed in may read it, since every user's answer shows
 * it). Rows live in the production store; changes are audited as
 * plan_change under feature "adoption.schedule" with the username and a
 * count in the detail. Workload: set up once, changed a few times a year. */
#include "app.h"

#include <stdio.h>
#include <string.h>

#include "adoption/schedule.h"
#include "auth/authz.h"
#include "auth/users.h"

#define SCHEDULE_BODY_MAX  (32 * 1024)
#define SCHEDULE_REASON_MAX 200
#define SCHEDULE_LEAVE_MAX  500
#define PRACTICE_NAME "_practice"
#define TEMPLATE_MAX (7 * ADOPTION_BLOCKS_MAX)

/* ---- Whose schedule --------------------------------------------------------- */

typedef struct who_ctx {
    const char *username;   /* of the route */
    int64_t     user_id;    /* 0: the practice default */
    bool        practice;
} who_ctx;

/* The user the route names, or the error written: 404 for no such user. */
static int route_user(sw_request *req, sw_response *res, who_ctx *w)
{
    sw_app *app = req->app;
    w->username = http_route_value(req, "username");
    w->practice = strcmp(w->username, PRACTICE_NAME) == 0;
    w->user_id = 0;
    if (w->practice)
        return SW_OK;
    auth_user u;
    sw_err err;
    int rc = auth_user_find(server_prod_store(app), req->arena,
                            server_principal(req)->practice_id, w->username,
                            &u, &err);
    if (rc == SW_ENOTFOUND)
        return http_fail(res, rc, "there is no user '%.64s'", w->username);
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "the user");
    w->username = u.username;
    w->user_id = u.user_id;
    return SW_OK;
}

/* ---- Reading ------------------------------------------------------------------ */

/* 510 → "08:30"; 1440 → "24:00" (a template ends at most there). */
static void hhmm(int min, char out[8])
{
    unsigned m = min < 0 ? 0u : min > 1440 ? 1440u : (unsigned)min;
    snprintf(out, 8, "%02u:%02u", (m / 60) % 25, m % 60);
}

static json_t *template_json(const adoption_template_block *b, int n)
{
    json_t *list = json_array();
    for (int i = 0; list && i < n; i++) {
        char start[8], end[8];
        hhmm(b[i].start_min, start);
        hhmm(b[i].end_min, end);
        if (json_array_append_new(list, json_pack("{s:i, s:s, s:s}", "weekday",
                                  b[i].weekday, "start", start, "end", end)) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    return list;
}

struct read_ctx {
    sw_arena               *a;
    int64_t                 practice_id, user_id;
    bool                    practice;
    adoption_template_block mine[TEMPLATE_MAX], dflt[TEMPLATE_MAX];
    int                     nmine, ndflt;
    int64_t                *first, *last;
    const char            **reason;
    size_t                  nleave;
};

static int read_fn(store_tx *tx, void *arg)
{
    struct read_ctx *c = arg;
    c->nleave = 0;
    int rc = adoption_template_get(tx, c->practice_id, c->user_id, c->mine,
                                   TEMPLATE_MAX, &c->nmine);
    if (rc == SW_OK)
        rc = adoption_template_get(tx, c->practice_id, 0, c->dflt,
                                   TEMPLATE_MAX, &c->ndflt);
    if (rc != SW_OK || c->practice)
        return rc;
    store_stmt *st;
    rc = store_prepare(tx, "SELECT first_day, last_day, reason FROM "
                       "adoption_leave WHERE practice_id = ? AND user_id = ? "
                       "ORDER BY first_day LIMIT ?", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, c->practice_id);
    store_bind_int64(st, 2, c->user_id);
    store_bind_int64(st, 3, SCHEDULE_LEAVE_MAX);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        c->first[c->nleave] = store_col_int64(st, 0);
        c->last[c->nleave] = store_col_int64(st, 1);
        c->reason[c->nleave] = sw_arena_strdup(c->a, store_col_text(st, 2, NULL));
        if (c->reason[c->nleave++] == NULL) {
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
            break;
        }
    }
    store_finalize(st);
    return rc;
}

/* Answers the schedule of w with status. */
static int reply_schedule(sw_request *req, sw_response *res, const who_ctx *w,
                          int status)
{
    sw_app *app = req->app;
    struct read_ctx *c = sw_arena_calloc(req->arena, 1, sizeof *c);
    int64_t *days = sw_arena_calloc(req->arena, 2 * SCHEDULE_LEAVE_MAX,
                                    sizeof *days);
    const char **reasons = sw_arena_calloc(req->arena, SCHEDULE_LEAVE_MAX,
                                           sizeof *reasons);
    if (c == NULL || days == NULL || reasons == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    c->a = req->arena;
    c->practice_id = server_principal(req)->practice_id;
    c->user_id = w->user_id;
    c->practice = w->practice;
    c->first = days;
    c->last = days + SCHEDULE_LEAVE_MAX;
    c->reason = reasons;
    sw_err err;
    int rc = store_read(server_prod_store(app), read_fn, c, &err);
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "the schedule");
    json_t *leave = json_array();
    for (size_t i = 0; leave && i < c->nleave; i++) {
        char first[11], last[11];
        adoption_day_text(c->first[i], first);
        adoption_day_text(c->last[i], last);
        if (json_array_append_new(leave, json_pack("{s:s, s:s, s:s}", "first",
                                  first, "last", last, "reason",
                                  c->reason[i])) != 0) {
            json_decref(leave);
            leave = NULL;
        }
    }
    json_t *mine = template_json(c->mine, c->nmine);
    json_t *dflt = template_json(c->dflt, c->ndflt);
    json_t *doc = leave && mine && dflt
        ? json_pack("{s:s, s:o, s:o, s:o}", "username", w->username,
                    "template", mine, "practice_default", dflt, "leave", leave)
        : NULL;
    if (doc == NULL) {
        json_decref(leave);
        json_decref(mine);
        json_decref(dflt);
        return http_fail(res, SW_ENOMEM, NULL);
    }
    return server_reply_json(res, status, doc);
}

static int get_schedule(sw_request *req, sw_response *res)
{
    who_ctx w;
    int rc = route_user(req, res, &w);
    if (rc != SW_OK)
        return rc;
    const auth_session *me = server_principal(req);
    if (!w.practice && w.user_id != me->user_id
        && !authz_allows(me->roles, me->scope, AUTHZ_PLAN, AUTHZ_WRITE))
        return http_fail(res, SW_EFORBIDDEN, "only the user themself or the "
                         "implementation lead (plan:write) may see a schedule");
    return reply_schedule(req, res, &w, 200);
}

/* ---- Changing --------------------------------------------------------------- */

/* "08:30" → 510; "24:00" is the end of the day. */
static bool parse_hhmm(const char *s, int *out)
{
    if (s == NULL || strlen(s) != 5 || s[2] != ':')
        return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return false;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return false;
    *out = h * 60 + m;
    return true;
}

struct template_ctx {
    const sw_request              *req;
    int64_t                        practice_id, user_id;
    const char                    *username;
    const adoption_template_block *blocks;
    int                            n;
};

static int template_fn(store_tx *tx, void *arg)
{
    struct template_ctx *c = arg;
    char detail[128];
    snprintf(detail, sizeof detail, "template of %.64s: %d blocks",
             c->username, c->n);
    int rc = adoption_template_set(tx, c->practice_id, c->user_id, c->blocks,
                                   c->n);
    if (rc == SW_OK)
        rc = server_workflow_audit(tx, c->req, AUDIT_PLAN_CHANGE,
                                   "adoption.schedule", NULL, NULL, NULL,
                                   detail);
    return rc;
}

/* A refusal of the schedule functions keeps its sentence. */
static int change_failed(sw_response *res, int rc, const sw_err *err)
{
    if (rc == SW_EINVAL || rc == SW_ECONFLICT || rc == SW_ENOTFOUND)
        return http_fail(res, rc, "%s", sw_err_text(err));
    return server_store_failed(res, rc, err, "the schedule");
}

static int put_schedule(sw_request *req, sw_response *res)
{
    who_ctx w;
    int rc = route_user(req, res, &w);
    if (rc != SW_OK)
        return rc;
    json_t *doc = NULL;
    if ((rc = server_json_body(req, res, SCHEDULE_BODY_MAX, &doc)) != SW_OK)
        return rc;
    static const char *const members[] = { "template", NULL };
    static const char *const parts[] = { "weekday", "start", "end", NULL };
    json_t *list = json_object_get(doc, "template");
    size_t n = json_array_size(list);
    adoption_template_block blocks[TEMPLATE_MAX];
    if ((rc = server_json_only_members(doc, members, res)) != SW_OK)
        goto out;
    if (!json_is_array(list) || n > TEMPLATE_MAX) {
        rc = http_fail(res, SW_EINVAL, "template must be an array of at most "
                       "%d blocks", TEMPLATE_MAX);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *b = json_array_get(list, i);
        if (!json_is_object(b)) {
            rc = http_fail(res, SW_EINVAL, "template[%zu] must be an object "
                           "with weekday, start and end", i);
            goto out;
        }
        if ((rc = server_json_only_members(b, parts, res)) != SW_OK)
            goto out;
        json_t *wd = json_object_get(b, "weekday");
        if (!json_is_integer(wd) || json_integer_value(wd) < 0
            || json_integer_value(wd) > 6) {
            rc = http_fail(res, SW_EINVAL, "template[%zu].weekday must be 0 "
                           "(Monday) to 6 (Sunday)", i);
            goto out;
        }
        blocks[i].weekday = (int)json_integer_value(wd);
        if (!parse_hhmm(json_string_value(json_object_get(b, "start")),
                        &blocks[i].start_min)) {
            rc = http_fail(res, SW_EINVAL, "template[%zu].start must be a "
                           "time HH:MM", i);
            goto out;
        }
        if (!parse_hhmm(json_string_value(json_object_get(b, "end")),
                        &blocks[i].end_min)) {
            rc = http_fail(res, SW_EINVAL, "template[%zu].end must be a "
                           "time HH:MM", i);
            goto out;
        }
    }
    struct template_ctx c = { .req = req, .username = w.username,
                              .practice_id = server_principal(req)->practice_id,
                              .user_id = w.user_id, .blocks = blocks,
                              .n = (int)n };
    sw_err err;
    rc = store_write(server_prod_store(req->app), template_fn, &c, &err);
    rc = rc == SW_OK ? reply_schedule(req, res, &w, 200)
                     : change_failed(res, rc, &err);
out:
    json_decref(doc);
    return rc;
}

struct leave_ctx {
    const sw_request *req;
    int64_t           practice_id, user_id;
    const char       *username;
    int64_t           first, last;
    const char       *reason;
    bool              remove;
};

static int leave_fn(store_tx *tx, void *arg)
{
    struct leave_ctx *c = arg;
    char day[11], detail[128];
    adoption_day_text(c->first, day);
    snprintf(detail, sizeof detail, "leave of %.64s from %s %s", c->username,
             day, c->remove ? "removed" : "added");
    int rc = c->remove
        ? adoption_leave_remove(tx, c->practice_id, c->user_id, c->first)
        : adoption_leave_add(tx, c->practice_id, c->user_id, c->first, c->last,
                             c->reason);
    if (rc == SW_OK)
        rc = server_workflow_audit(tx, c->req, AUDIT_PLAN_CHANGE,
                                   "adoption.schedule", NULL, NULL, NULL,
                                   detail);
    return rc;
}

/* The leave routes name a user, never the practice default. */
static int leave_user(sw_request *req, sw_response *res, who_ctx *w)
{
    int rc = route_user(req, res, w);
    if (rc == SW_OK && w->practice)
        return http_fail(res, SW_ENOTFOUND, "leave is recorded for a user, "
                         "not for the practice default");
    return rc;
}

static int post_leave(sw_request *req, sw_response *res)
{
    who_ctx w;
    int rc = leave_user(req, res, &w);
    if (rc != SW_OK)
        return rc;
    json_t *doc = NULL;
    if ((rc = server_json_body(req, res, SCHEDULE_BODY_MAX, &doc)) != SW_OK)
        return rc;
    static const char *const members[] = { "first", "last", "reason", NULL };
    static const char *const names[] = { "first", "last", "reason" };
    const char *v[3];
    struct leave_ctx c = { .req = req, .username = w.username,
                           .practice_id = server_principal(req)->practice_id,
                           .user_id = w.user_id };
    if ((rc = server_json_only_members(doc, members, res)) != SW_OK
        || (rc = server_json_strings(doc, names, v, 3, res)) != SW_OK)
        goto out;
    if (!adoption_day_parse(v[0], &c.first)) {
        rc = http_fail(res, SW_EINVAL, "first must be a date YYYY-MM-DD");
        goto out;
    }
    if (v[1] == NULL)
        c.last = c.first;
    else if (!adoption_day_parse(v[1], &c.last)) {
        rc = http_fail(res, SW_EINVAL, "last must be a date YYYY-MM-DD");
        goto out;
    }
    if (v[2] && strlen(v[2]) > SCHEDULE_REASON_MAX) {
        rc = http_fail(res, SW_EINVAL, "reason must be at most %d bytes",
                       SCHEDULE_REASON_MAX);
        goto out;
    }
    c.reason = v[2] ? v[2] : "";
    sw_err err;
    rc = store_write(server_prod_store(req->app), leave_fn, &c, &err);
    if (rc != SW_OK) {
        rc = change_failed(res, rc, &err);
        goto out;
    }
    char first[11], last[11];
    adoption_day_text(c.first, first);
    adoption_day_text(c.last, last);
    rc = server_reply_json(res, 201, json_pack("{s:s, s:s, s:s, s:s}",
                           "username", w.username, "first", first, "last",
                           last, "reason", c.reason));
out:
    json_decref(doc);
    return rc;
}

static int delete_leave(sw_request *req, sw_response *res)
{
    who_ctx w;
    int rc = leave_user(req, res, &w);
    if (rc != SW_OK)
        return rc;
    struct leave_ctx c = { .req = req, .username = w.username,
                           .practice_id = server_principal(req)->practice_id,
                           .user_id = w.user_id, .remove = true };
    if (!adoption_day_parse(http_route_value(req, "first"), &c.first))
        return http_fail(res, SW_ENOTFOUND, "there is no leave starting on "
                         "that day (a date YYYY-MM-DD)");
    sw_err err;
    rc = store_write(server_prod_store(req->app), leave_fn, &c, &err);
    if (rc != SW_OK)
        return change_failed(res, rc, &err);
    return http_reply(res, 204, NULL, "", 0);
}

static const http_route routes[] = {
    { "GET",    "/api/adoption/schedule/{username}",       get_schedule, 0,               NULL },
    { "PUT",    "/api/adoption/schedule/{username}",       put_schedule, HTTP_ROUTE_BODY, "plan:write" },
    { "POST",   "/api/adoption/schedule/{username}/leave", post_leave,   HTTP_ROUTE_BODY, "plan:write" },
    { "DELETE", "/api/adoption/schedule/{username}/leave/{first}", delete_leave, 0,       "plan:write" },
};

const http_route_table adoption_schedule_routes = {
    .name = "adoption_schedule",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
