/* api_training.c - training courses, exercise checks and proficiency
 * checks over HTTP (docs/training.md):
 *
 *   GET  /api/training/courses                  my courses (my roles' variants)
 *   GET  /api/training/courses/{id}             one, with what is missing
 *   POST /api/training/courses/{id}/start       my record, my practice patients
 *   POST /api/training/courses/{id}/check       run the checkers now
 *   POST /api/training/courses/{id}/proficiency {"action":"start"|"finish"}
 *
 * Records and assignments are api_training_records.c's. Served on both mounts (/api and /training/api). Records and assignments
 * always live in the production store (server_prod_store); the checkers
 * read the training store, where the trainee's work is. Every signed-in
 * user trains. */
#include "api_training.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "auth/authz.h"
#include "core/clock.h"
#include "core/log.h"
#include "training/check.h"
#include "training/course.h"
#include "training/generate.h"
#include "training/proficiency.h"
#include "training/records.h"

#define TRAINING_BODY_MAX  4096
/* The seed of every trainee's practice patients: the same cases for all. */
#define TRAINING_TRAINEE_SEED 20260101u

/* ---- The course catalog -------------------------------------------------- */

static training_courses *lazy_courses;
static pthread_once_t lazy_once = PTHREAD_ONCE_INIT;

static void lazy_load(void)
{
    sw_err err;
    if (training_courses_load(SW_COURSES_DIR, &lazy_courses, &err) != SW_OK)
        sw_error("training courses: %s", err.msg);
}

const training_courses *api_training_courses(const sw_app *app)
{
    if (app->courses)
        return app->courses;
    pthread_once(&lazy_once, lazy_load);
    return lazy_courses;
}

/* Where the trainee's work is: the training store (the store of the app
 * mounted at /training). NULL when no training environment is served
 * (`serve --no-training`): practice patients never go into production,
 * and real work never counts as training. */
static sw_store *work_store(const sw_app *app)
{
    return app->training ? app->store : app->training_store;
}

/* The 409 of a course action without a training environment. */
static int no_environment(sw_response *res)
{
    return http_fail(res, SW_ECONFLICT, "there is no training environment: "
                     "the server runs with --no-training");
}

int api_training_failed(sw_response *res, int rc, const sw_err *err)
{
    return server_store_failed(res, rc, err, "the training records");
}

bool api_training_lead(const auth_session *me)
{
    return authz_allows(me->roles, me->scope, AUTHZ_TRAINING, AUTHZ_READ)
           || authz_allows(me->roles, me->scope, AUTHZ_PLAN, AUTHZ_READ);
}

json_t *api_training_time(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    char at[SW_TIME_ISO_MAX];
    sw_time_iso(ms, at);
    return json_string(at);
}

/* The course named by the route, for the signed-in user, or a 404. */
static const training_course *route_course(sw_request *req, sw_response *res)
{
    const char *id = http_route_value(req, "id");
    const training_courses *all = api_training_courses(req->app);
    const training_course *c = training_course_find(all, id);
    if (c == NULL) {
        http_fail(res, SW_ENOTFOUND, "there is no course '%.64s'", id ? id : "");
        return NULL;
    }
    return c;
}

/* The course as JSON for user (uid, username): its record and exercises;
 * with check, every exercise not recorded done is checked now (and the
 * newly done ones recorded); detail adds "missing" sentences. */
static int course_json(sw_request *req, sw_response *res,
                       const training_course *c, int64_t pid, int64_t uid,
                       const char *username, bool check, bool detail,
                       json_t **out)
{
    sw_app *app = req->app;
    sw_store *prod = server_prod_store(app);
    sw_err err;
    char done_ids[COURSE_MAX_EXERCISES * 2][48];
    size_t ndone = 0;
    int rc = training_rec_done(prod, pid, uid, c->id, done_ids,
                               COURSE_MAX_EXERCISES * 2, &ndone, &err);
    if (rc != SW_OK)
        return api_training_failed(res, rc, &err);
    json_t *ex = json_array();
    const char *fresh[COURSE_MAX_EXERCISES];
    size_t nfresh = 0, ndone_now = 0;
    for (size_t i = 0; ex && i < c->nexercises; i++) {
        const course_exercise *e = &c->exercises[i];
        bool done = false;
        for (size_t k = 0; k < ndone && !done; k++)
            done = strcmp(done_ids[k], e->id) == 0;
        char missing[CHECK_MISSING_MAX] = "";
        if (!done && (check || detail) && work_store(app) != NULL) {
            rc = training_check_exercise(work_store(app), pid, uid, username,
                                         e, 0, &done, missing, &err);
            if (rc != SW_OK) {
                json_decref(ex);
                return api_training_failed(res, rc, &err);
            }
            if (done && check)
                fresh[nfresh++] = e->id;
            else if (done)
                done = false;   /* a GET reports what is recorded */
        }
        ndone_now += done;
        json_t *o = json_pack("{s:s, s:s, s:b}", "id", e->id, "title", e->title,
                              "done", done);
        if (o && detail && !done)
            json_object_set_new(o, "missing", json_string(missing[0] ? missing
                : "Use \"check my work\" to run this exercise's checker."));
        if (o == NULL || json_array_append_new(ex, o) != 0) {
            json_decref(ex);
            return http_fail(res, SW_ENOMEM, NULL);
        }
    }
    if (ex == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    int64_t now = sw_now_wall_ms();
    bool complete = ndone_now == c->nexercises;
    training_rec r;
    rc = training_rec_get(prod, pid, uid, c->id, &r, &err);
    if (rc == SW_OK && check && (nfresh || (complete && r.completed_at == 0))) {
        rc = training_rec_progress(prod, pid, uid, c->id, fresh, nfresh,
                                   complete, now, &err);
        if (rc == SW_OK)
            rc = training_rec_get(prod, pid, uid, c->id, &r, &err);
    } else if (rc == SW_ENOTFOUND && check && nfresh) {
        rc = training_rec_progress(prod, pid, uid, c->id, fresh, nfresh,
                                   complete, now, &err);
        if (rc == SW_OK)
            rc = training_rec_get(prod, pid, uid, c->id, &r, &err);
    }
    bool have = rc == SW_OK;
    if (rc != SW_OK && rc != SW_ENOTFOUND) {
        json_decref(ex);
        return api_training_failed(res, rc, &err);
    }
    json_t *roles = json_array();
    for (size_t i = 0; roles && i < c->nroles; i++)
        json_array_append_new(roles, json_string(c->roles[i]));
    json_t *prof = json_null();
    if (have && r.proficiency_score >= 0)
        prof = json_pack("{s:I, s:b, s:o}", "score",
                         (json_int_t)r.proficiency_score, "passed",
                         r.proficiency_pass, "at", api_training_time(r.proficiency_at));
    json_t *doc = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:i, s:i,"
                            " s:o}",
                            "id", c->id, "module", c->module, "title", c->title,
                            "roles", roles ? roles : json_array(),
                            "exercises", ex,
                            "started_at", api_training_time(have ? r.started_at : 0),
                            "completed_at", api_training_time(have ? r.completed_at : 0),
                            "proficiency", prof ? prof : json_null(),
                            "pass_mark", c->pass_mark,
                            "time_limit_minutes", c->time_limit_minutes,
                            "proficiency_started_at",
                            api_training_time(have ? r.proficiency_start : 0));
    if (doc == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    *out = doc;
    return SW_OK;
}

static int get_courses(sw_request *req, sw_response *res)
{
    const auth_session *me = server_principal(req);
    const training_courses *all = api_training_courses(req->app);
    json_t *list = json_array();
    for (size_t i = 0; list && all && i < all->n; i++) {
        if (!training_course_for_roles(&all->items[i], me->roles))
            continue;
        json_t *c;
        int rc = course_json(req, res, &all->items[i], me->practice_id,
                             me->user_id, me->username, false, false, &c);
        if (rc != SW_OK) {
            json_decref(list);
            return rc;
        }
        json_array_append_new(list, c);
    }
    json_t *doc = list ? json_pack("{s:o}", "courses", list) : NULL;
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

/* The course as the signed-in user's answer: course_json with a 200. */
static int reply_course(sw_request *req, sw_response *res,
                        const training_course *c, bool check, bool detail)
{
    const auth_session *me = server_principal(req);
    json_t *doc;
    int rc = course_json(req, res, c, me->practice_id, me->user_id,
                         me->username, check, detail, &doc);
    return rc == SW_OK ? server_reply_json(res, 200, doc) : rc;
}

/* The course named by the route for an action that works in the training
 * store: NULL (and the failure in *rc, answered) when there is no such
 * course (404) or no training environment (409). */
static const training_course *action_course(sw_request *req, sw_response *res,
                                            int *rc)
{
    const training_course *c = route_course(req, res);
    if (c == NULL) {
        *rc = SW_ENOTFOUND;
        return NULL;
    }
    if (work_store(req->app) == NULL) {
        *rc = no_environment(res);
        return NULL;
    }
    return c;
}

static int get_course(sw_request *req, sw_response *res)
{
    const training_course *c = route_course(req, res);
    if (c == NULL)
        return SW_ENOTFOUND;
    return reply_course(req, res, c, false, true);
}

static int post_start(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *me = server_principal(req);
    int rc;
    const training_course *c = action_course(req, res, &rc);
    if (c == NULL)
        return rc;
    sw_err err;
    rc = training_generate_trainee(work_store(app), me->practice_id,
                                   me->username, TRAINING_TRAINEE_SEED, &err);
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "your practice patients");
    rc = training_rec_start(server_prod_store(app), me->practice_id,
                            me->user_id, c->id, sw_now_wall_ms(), NULL, &err);
    if (rc != SW_OK)
        return api_training_failed(res, rc, &err);
    return reply_course(req, res, c, false, true);
}

static int post_check(sw_request *req, sw_response *res)
{
    int rc;
    const training_course *c = action_course(req, res, &rc);
    return c ? reply_course(req, res, c, true, true) : rc;
}

static int post_proficiency(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *me = server_principal(req);
    int rc;
    const training_course *c = action_course(req, res, &rc);
    if (c == NULL)
        return rc;
    json_t *body;
    rc = server_json_body(req, res, TRAINING_BODY_MAX, &body);
    if (rc != SW_OK)
        return rc;
    static const char *const members[] = { "action", NULL };
    static const char *const names[] = { "action" };
    const char *action = NULL;
    sw_store *prod = server_prod_store(app);
    sw_err err;
    int64_t now = sw_now_wall_ms();
    if ((rc = server_json_only_members(body, members, res)) != SW_OK
        || (rc = server_json_strings(body, names, &action, 1, res)) != SW_OK)
        goto out;
    if (action && strcmp(action, "start") == 0) {
        rc = training_generate_trainee(work_store(app), me->practice_id,
                                       me->username, TRAINING_TRAINEE_SEED, &err);
        if (rc == SW_OK)
            rc = training_rec_proficiency_start(prod, me->practice_id,
                                                me->user_id, c->id, now, &err);
        if (rc != SW_OK) {
            rc = api_training_failed(res, rc, &err);
            goto out;
        }
    } else if (action && strcmp(action, "finish") == 0) {
        training_rec r;
        rc = training_rec_get(prod, me->practice_id, me->user_id, c->id, &r, &err);
        if (rc == SW_ENOTFOUND || (rc == SW_OK && r.proficiency_start == 0)) {
            rc = http_fail(res, SW_ECONFLICT, "action: start the proficiency "
                           "check before finishing it");
            goto out;
        }
        if (rc != SW_OK) {
            rc = api_training_failed(res, rc, &err);
            goto out;
        }
        int score;
        bool passed, in_time;
        rc = training_proficiency_score(work_store(app), me->practice_id,
                                        me->user_id, me->username, c,
                                        r.proficiency_start, now, &score,
                                        &passed, &in_time, &err);
        if (rc == SW_OK)
            rc = training_rec_proficiency_finish(prod, me->practice_id,
                                                 me->user_id, c->id, score,
                                                 passed, now, &err);
        if (rc != SW_OK) {
            rc = api_training_failed(res, rc, &err);
            goto out;
        }
    } else {
        rc = http_fail(res, SW_EBADREQUEST, "action must be \"start\" or "
                       "\"finish\"");
        goto out;
    }
    rc = reply_course(req, res, c, false, false);
out:
    json_decref(body);
    return rc;
}

/* Every signed-in user trains: the course routes need only a session. */
static const http_route routes[] = {
    { "GET",  "/api/training/courses",                  get_courses,      0,               NULL },
    { "GET",  "/api/training/courses/{id}",             get_course,       0,               NULL },
    { "POST", "/api/training/courses/{id}/start",       post_start,       0,               NULL },
    { "POST", "/api/training/courses/{id}/check",       post_check,       0,               NULL },
    { "POST", "/api/training/courses/{id}/proficiency", post_proficiency, HTTP_ROUTE_BODY, NULL },
};

const http_route_table training_routes = {
    .name = "training",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
