/* test_activity.c - activity reports and scheduled hours over HTTP
 * against the real server, on each store.
 *
 * POST /api/activity: a good report stored for the signed-in user (the
 * rows' total equal to what was reported, in the areas named); bad
 * reports refused with 400 naming the entry and member, nothing stored
 * even when only the last entry is bad; the training environment answers
 * 204 and stores nothing; no session, no report.
 *
 * /api/adoption/schedule: a user's template and the practice default
 * round trip (times as HH:MM), leave added, listed, refused when it
 * overlaps, removed; bad templates refused with nothing changed; who may
 * do what (the lead changes, the user reads their own, a nurse may
 * neither read nor change a colleague's). Then Slots written through
 * /fhir (a Schedule whose actor is the user's Practitioner) replace the
 * template on their day, read from the database as the reports do. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adoption/schedule.h"
#include "core/clock.h"
#include "store/store.h"
#include "testapi.h"

/* ---- Reading the rows --------------------------------------------------- */

struct total_ctx {
    const char *username;
    const char *area;     /* NULL: every area */
    int64_t     ms;
};

static int total_fn(store_tx *tx, void *arg)
{
    struct total_ctx *c = arg;
    return c->area
        ? store_query_int64(tx, &c->ms, "SELECT COALESCE(SUM(a.active_ms), 0) "
                            "FROM adoption_activity a JOIN app_user u ON "
                            "u.practice_id = a.practice_id AND u.user_id = "
                            "a.user_id WHERE u.username = ? AND a.area = ? AND "
                            "a.source = 'client'", "tt", c->username, c->area)
        : store_query_int64(tx, &c->ms, "SELECT COALESCE(SUM(a.active_ms), 0) "
                            "FROM adoption_activity a JOIN app_user u ON "
                            "u.practice_id = a.practice_id AND u.user_id = "
                            "a.user_id WHERE u.username = ? AND a.source = "
                            "'client'", "t", c->username);
}

static sw_store *open_store(sw_test_env *e)
{
    sw_store *s = NULL;
    store_options so = { .connections = 1 };
    sw_err err;
    if (store_open(e->db, &so, &s, &err) != SW_OK)
        fail_msg("open %s: %s", e->db, sw_err_text(&err));
    return s;
}

/* The client time stored for username in area (NULL: all areas), in ms. */
static int64_t stored_ms(sw_test_env *e, const char *username, const char *area)
{
    sw_store *s = open_store(e);
    struct total_ctx c = { username, area, 0 };
    sw_err err;
    if (store_read(s, total_fn, &c, &err) != SW_OK)
        fail_msg("read: %s", sw_err_text(&err));
    store_close(s);
    return c.ms;
}

/* An instant minutes_ago minutes before now, ISO 8601. */
static void ago(double minutes_ago, char out[SW_TIME_ISO_MAX])
{
    sw_time_iso(sw_now_wall_ms() - (int64_t)(minutes_ago * 60000), out);
}

/* A report of one entry: area, screen, from a and to b minutes ago. */
static char *report(const char *area, const char *screen, double a, double b,
                    double seconds)
{
    char from[SW_TIME_ISO_MAX], to[SW_TIME_ISO_MAX];
    ago(a, from);
    ago(b, to);
    char *body = malloc(512);
    snprintf(body, 512, "{\"area\":\"%s\",\"screen\":\"%s\",\"from\":\"%s\","
             "\"to\":\"%s\",\"active_seconds\":%g}", area, screen, from, to,
             seconds);
    return body;
}

/* ---- Activity ---------------------------------------------------------- */

static void a_report_is_stored(void **state)
{
    sw_test_env *e = *state;
    char *one = report("documentation", "visit", 5, 4, 42);
    char *two = report("inbox", "inbox", 3, 2.5, 12.5);
    char body[1200];
    snprintf(body, sizeof body, "{\"entries\":[%s,%s]}", one, two);
    sw_http_result r;
    assert_int_equal(sw_test_post(e, e->auth, "/api/activity", body, &r), 204);
    sw_http_result_free(&r);
    assert_int_equal(stored_ms(e, SW_TEST_CLINICIAN, "documentation"), 42000);
    assert_int_equal(stored_ms(e, SW_TEST_CLINICIAN, "inbox"), 12500);
    /* An empty report is fine and changes nothing. */
    assert_int_equal(sw_test_post(e, e->auth, "/api/activity",
                                  "{\"entries\":[]}", NULL), 204);
    assert_int_equal(stored_ms(e, SW_TEST_CLINICIAN, NULL), 54500);
    free(one);
    free(two);
}

static void bad_reports_store_nothing(void **state)
{
    sw_test_env *e = *state;
    char *good = report("documentation", "visit", 5, 4, 42);
    char *far = report("documentation", "visit", 30, 4, 42);
    char *future = report("documentation", "visit", 1, -3, 42);
    char *too_busy = report("inbox", "inbox", 5, 4, 61);
    char *old = report("other", "home", 8 * 24 * 60, 8 * 24 * 60 - 1, 1);
    char *area = report("billing_magic", "visit", 5, 4, 1);
    char *screen = report("documentation", "Patient 123", 5, 4, 1);
    char bodies[8][1200];
    snprintf(bodies[0], 1200, "{\"entries\":[%s,%s]}", good, far);
    snprintf(bodies[1], 1200, "{\"entries\":[%s]}", future);
    snprintf(bodies[2], 1200, "{\"entries\":[%s,%s,%s]}", good, good, too_busy);
    snprintf(bodies[3], 1200, "{\"entries\":[%s]}", old);
    snprintf(bodies[4], 1200, "{\"entries\":[%s]}", area);
    snprintf(bodies[5], 1200, "{\"entries\":[%s]}", screen);
    snprintf(bodies[6], 1200, "{\"entries\":[%s],\"patient\":\"x\"}", good);
    const sw_test_bad_body cases[] = {
        { bodies[0], "entries[1].to" },
        { bodies[1], "entries[0].to" },
        { bodies[2], "entries[2].active_seconds" },
        { bodies[3], "entries[0].from" },
        { bodies[4], "entries[0].area" },
        { bodies[5], "entries[0].screen" },
        { bodies[6], "patient" },
        { "{\"entries\":{}}", "entries" },
        { "{\"entries\":[7]}", "entries[0]" },
        { "{\"entries\":[{\"area\":\"inbox\"}]}", "entries[0].screen" },
        { "{\"entries\":[{\"area\":\"inbox\",\"screen\":\"inbox\",\"from\":"
          "\"yesterday\",\"to\":\"today\",\"active_seconds\":1}]}",
          "entries[0].from" },
    };
    sw_test_expect_400s(e, e->auth, "/api/activity", cases,
                        sizeof cases / sizeof cases[0]);
    assert_int_equal(stored_ms(e, SW_TEST_CLINICIAN, NULL), 0);
    /* Without a session: 401, nothing stored. */
    char body[1200];
    snprintf(body, sizeof body, "{\"entries\":[%s]}", good);
    assert_int_equal(sw_test_post(e, NULL, "/api/activity", body, NULL), 401);
    assert_int_equal(stored_ms(e, SW_TEST_CLINICIAN, NULL), 0);
    free(good); free(far); free(future); free(too_busy); free(old);
    free(area); free(screen);
}

static void training_is_not_measured(void **state)
{
    sw_test_env *e = *state;
    char *one = report("documentation", "visit", 5, 4, 42);
    char body[1200];
    snprintf(body, sizeof body, "{\"entries\":[%s]}", one);
    sw_http_result r;
    assert_int_equal(sw_test_post(e, e->auth, "/training/api/activity", body,
                                  &r), 204);
    char env[32];
    assert_non_null(sw_http_header(&r, "X-Stagewise-Environment", env, sizeof env));
    assert_string_equal(env, "training");
    sw_http_result_free(&r);
    assert_int_equal(stored_ms(e, SW_TEST_CLINICIAN, NULL), 0);
    /* Still checked, so the web app's mistakes show in training too. */
    snprintf(body, sizeof body, "{\"entries\":[{\"area\":\"nowhere\"}]}");
    assert_int_equal(sw_test_post(e, e->auth, "/training/api/activity", body,
                                  NULL), 400);
    free(one);
}

/* ---- Scheduled hours --------------------------------------------------- */

#define WEEK "{\"template\":[{\"weekday\":0,\"start\":\"08:00\",\"end\":\"12:00\"}," \
             "{\"weekday\":0,\"start\":\"13:00\",\"end\":\"17:30\"}," \
             "{\"weekday\":3,\"start\":\"09:15\",\"end\":\"24:00\"}]}"

static void schedule_round_trip(void **state)
{
    sw_test_env *e = *state;
    char lead[512], nurse[512];
    sw_test_sign_in_new_user(e, "lead.l", "implementation_lead", lead, sizeof lead);
    sw_test_sign_in_new_user(e, "nurse.n", "nurse", nurse, sizeof nurse);
    const char *path = "/api/adoption/schedule/" SW_TEST_CLINICIAN;
    json_t *doc = NULL;
    assert_int_equal(sw_test_call(e, lead, "PUT", path, WEEK, &doc), 200);
    assert_string_equal(sw_test_str(doc, "username"), SW_TEST_CLINICIAN);
    assert_int_equal(json_array_size(json_object_get(doc, "template")), 3);
    assert_string_equal(sw_test_str(doc, "template.1.end"), "17:30");
    assert_string_equal(sw_test_str(doc, "template.2.end"), "24:00");
    json_decref(doc);
    assert_int_equal(sw_test_call(e, lead, "PUT", "/api/adoption/schedule/_practice",
        "{\"template\":[{\"weekday\":4,\"start\":\"08:00\",\"end\":\"16:00\"}]}",
        NULL), 200);
    /* The user reads their own: template, the practice's and leave. */
    doc = sw_test_get_json(e, e->auth, path);
    assert_string_equal(sw_test_str(doc, "template.0.start"), "08:00");
    assert_string_equal(sw_test_str(doc, "practice_default.0.end"), "16:00");
    assert_int_equal(json_array_size(json_object_get(doc, "leave")), 0);
    json_decref(doc);

    /* Leave. */
    const char *leave = "/api/adoption/schedule/" SW_TEST_CLINICIAN "/leave";
    assert_int_equal(sw_test_call(e, lead, "POST", leave, "{\"first\":\"2026-12-21\","
                     "\"last\":\"2026-12-31\",\"reason\":\"Holiday\"}", NULL), 201);
    assert_int_equal(sw_test_call(e, lead, "POST", leave, "{\"first\":\"2026-12-31\","
                     "\"last\":\"2027-01-02\"}", NULL), 409);
    doc = sw_test_get_json(e, lead, path);
    assert_string_equal(sw_test_str(doc, "leave.0.first"), "2026-12-21");
    assert_string_equal(sw_test_str(doc, "leave.0.last"), "2026-12-31");
    assert_string_equal(sw_test_str(doc, "leave.0.reason"), "Holiday");
    json_decref(doc);
    const char *one = "/api/adoption/schedule/" SW_TEST_CLINICIAN "/leave/2026-12-21";
    assert_int_equal(sw_test_call(e, lead, "DELETE", one, NULL, NULL), 204);
    assert_int_equal(sw_test_call(e, lead, "DELETE", one, NULL, NULL), 404);
    assert_int_equal(sw_test_call(e, lead, "GET", "/api/adoption/schedule/nobody",
                                  NULL, NULL), 404);

    /* Bad templates and leave: 400 naming the member, nothing changed. */
    const sw_test_bad_body bad[] = {
        { "{\"template\":[{\"weekday\":7,\"start\":\"08:00\",\"end\":\"09:00\"}]}",
          "template[0].weekday" },
        { "{\"template\":[{\"weekday\":1,\"start\":\"8:00\",\"end\":\"09:00\"}]}",
          "template[0].start" },
        { "{\"template\":[{\"weekday\":1,\"start\":\"10:00\",\"end\":\"09:00\"}]}",
          "template[0]" },
        { "{\"template\":[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"12:00\"},"
          "{\"weekday\":1,\"start\":\"11:00\",\"end\":\"13:00\"}]}", "template[1]" },
        { "{\"template\":[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"24:30\"}]}",
          "template[0].end" },
        { "{\"template\":[],\"user\":\"x\"}", "user" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sw_http_result r;
        assert_int_equal(sw_test_request(e, lead, "PUT", path, SW_TEST_JSON,
                                         bad[i].body, &r), 400);
        if (strstr(r.body, bad[i].names) == NULL)
            fail_msg("%s: %s", bad[i].body, r.body);
        sw_http_result_free(&r);
    }
    const sw_test_bad_body bad_leave[] = {
        { "{\"first\":\"2026-02-30\"}", "first" },
        { "{\"first\":\"2026-03-02\",\"last\":\"2026-03-01\"}", "last" },
        { "{\"first\":\"2026-03-02\",\"reason\":7}", "reason" },
    };
    sw_test_expect_400s(e, lead, leave, bad_leave, 3);
    doc = sw_test_get_json(e, e->auth, path);
    assert_int_equal(json_array_size(json_object_get(doc, "template")), 3);
    assert_int_equal(json_array_size(json_object_get(doc, "leave")), 0);
    json_decref(doc);

    /* Who may: a nurse neither changes nor reads a colleague's schedule,
     * reads her own, and changes not even her own; the physician and
     * practice admin (no plan:write) changes nothing. */
    assert_int_equal(sw_test_call(e, nurse, "PUT", path, WEEK, NULL), 403);
    assert_int_equal(sw_test_call(e, nurse, "GET", path, NULL, NULL), 403);
    assert_int_equal(sw_test_call(e, nurse, "GET", "/api/adoption/schedule/nurse.n",
                                  NULL, NULL), 200);
    assert_int_equal(sw_test_call(e, nurse, "PUT", "/api/adoption/schedule/nurse.n",
                                  WEEK, NULL), 403);
    assert_int_equal(sw_test_call(e, nurse, "POST", "/api/adoption/schedule/nurse.n/leave",
                                  "{\"first\":\"2026-12-21\"}", NULL), 403);
    assert_int_equal(sw_test_call(e, e->auth, "PUT", path, "{\"template\":[]}", NULL), 403);
    doc = sw_test_get_json(e, lead, path);
    assert_int_equal(json_array_size(json_object_get(doc, "template")), 3);
    json_decref(doc);
    sw_test_expect_audited(e, "action=plan_change", "adoption.schedule", NULL);
}

/* ---- Slots --------------------------------------------------------------- */

struct days_ctx {
    int64_t               first;
    adoption_day_schedule out[2];
};

static int days_fn(store_tx *tx, void *arg)
{
    struct days_ctx *c = arg;
    int64_t uid = 0;
    int rc = store_query_int64(tx, &uid, "SELECT user_id FROM app_user WHERE "
                               "username = ?", "t", SW_TEST_CLINICIAN);
    adoption_settings set;
    if (rc == SW_OK)
        rc = adoption_settings_load(tx, 1, &set);
    if (rc == SW_OK)
        rc = adoption_schedule_days(tx, 1, uid, &set, c->first, c->first + 1,
                                    c->out);
    return rc;
}

static void slots_replace_the_template(void **state)
{
    sw_test_env *e = *state;
    char lead[512];
    sw_test_sign_in_new_user(e, "lead.l", "implementation_lead", lead, sizeof lead);
    /* Mondays 08:00-12:00 and Tuesdays 09:00-10:00 by template. */
    const char *path = "/api/adoption/schedule/" SW_TEST_CLINICIAN;
    assert_int_equal(sw_test_call(e, lead, "PUT", path,
        "{\"template\":[{\"weekday\":0,\"start\":\"08:00\",\"end\":\"12:00\"},"
        "{\"weekday\":1,\"start\":\"09:00\",\"end\":\"10:00\"}]}", NULL), 200);
    /* Link the account to a Practitioner with a Schedule and, on Monday
     * 2026-11-23, two Slots (one free, one busy) and one not counted. */
    sw_test_fhir_create(e, "/fhir/Practitioner/pr-1",
        "{\"resourceType\":\"Practitioner\",\"id\":\"pr-1\","
        "\"name\":[{\"family\":\"Test\",\"given\":[\"Dana\"]}]}");
    json_t *users = sw_test_get_json(e, e->auth, "/api/users");
    json_t *list = json_is_array(users) ? users : json_object_get(users, "users");
    json_t *me = sw_test_find(list, "username", SW_TEST_CLINICIAN);
    assert_non_null(me);
    char upath[64];
    snprintf(upath, sizeof upath, "/api/users/%lld",
             (long long)json_integer_value(json_object_get(me, "id")));
    json_decref(users);
    assert_int_equal(sw_test_call(e, e->auth, "PATCH", upath,
                                  "{\"practitioner_id\":\"pr-1\"}", NULL), 200);
    sw_test_fhir_create(e, "/fhir/Schedule/sch-1",
        "{\"resourceType\":\"Schedule\",\"id\":\"sch-1\",\"active\":true,"
        "\"actor\":[{\"reference\":\"Practitioner/pr-1\"}]}");
    static const struct { const char *id, *status, *start, *end; } slots[] = {
        { "sl-1", "free", "2026-11-23T14:00:00Z", "2026-11-23T14:30:00Z" },
        { "sl-2", "busy", "2026-11-23T14:30:00+00:00", "2026-11-23T15:00:00Z" },
        { "sl-3", "busy-unavailable", "2026-11-23T16:00:00Z", "2026-11-23T17:00:00Z" },
    };
    for (size_t i = 0; i < 3; i++) {
        char p[64], body[512];
        snprintf(p, sizeof p, "/fhir/Slot/%s", slots[i].id);
        snprintf(body, sizeof body, "{\"resourceType\":\"Slot\",\"id\":\"%s\","
                 "\"schedule\":{\"reference\":\"Schedule/sch-1\"},\"status\":"
                 "\"%s\",\"start\":\"%s\",\"end\":\"%s\"}", slots[i].id,
                 slots[i].status, slots[i].start, slots[i].end);
        sw_test_fhir_create(e, p, body);
    }
    /* Monday from the Slots only; Tuesday still from the template. */
    int64_t monday = sw_days_from_civil(2026, 11, 23);
    struct days_ctx c = { .first = monday };
    sw_store *s = open_store(e);
    sw_err err;
    if (store_read(s, days_fn, &c, &err) != SW_OK)
        fail_msg("schedule: %s", sw_err_text(&err));
    store_close(s);
    assert_int_equal(c.out[0].minutes, 60);
    assert_int_equal(c.out[0].blocks[0].start_min, 14 * 60);
    assert_int_equal(c.out[1].minutes, 60);
    assert_int_equal(c.out[1].blocks[0].start_min, 9 * 60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_report_is_stored, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(bad_reports_store_nothing, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(training_is_not_measured, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(schedule_round_trip, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(slots_replace_the_template, sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
