/* test_adoption_productivity.c - completed visits per scheduled session
 * against the clinician's own baseline (src/adoption/productivity.c,
 * docs/adoption-metrics.md "Productivity") on both stores, with known
 * answers: imported weeks (a leave week left out of the baseline), the
 * weekly ratios and the dip's depth, length and recovery; Appointments
 * counted by status and practitioner against the weekly template; the
 * go-live day following the stage's cohort; the practice's curve; the
 * baseline import's all-or-none CSV; and the forecast built from the
 * plan and that baseline. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adoption/baseline_csv.h"
#include "adoption/forecast.h"
#include "adoption/productivity.h"
#include "core/arena.h"
#include "core/json.h"
#include "fhir/resources.h"
#include "rollout/plan_store.h"
#include "testserver.h"
#include "testadoption.h"
#include "teststore.h"

#define PRACTICE 1
/* 2026-11-02, a Monday: the go-live day. */
#define DAY0 20759LL

/* ---- Rows by hand ---------------------------------------------------------- */

/* A FHIR resource created through the store's own write path (indexed). */
static char *create(teststore *f, const char *type, const char *body)
{
    sw_arena *a = sw_arena_create(0);
    sw_json *res;
    sw_err err;
    assert_int_equal(sw_json_parse(a, body, strlen(body), &res, &err), SW_OK);
    audit_who who = { .practice_id = 1, .username = "test", .roles = "",
                      .client = "test", .request_id = "" };
    fhir_result out;
    if (fhir_res_create(f->store, a, &who, type, res, NULL, &out, &err) != SW_OK)
        fail_msg("%s: %s", type, sw_err_text(&err));
    char *id = strdup(out.id);
    sw_arena_destroy(a);
    return id;
}

static char *practitioner(teststore *f, const char *family)
{
    char body[256];
    snprintf(body, sizeof body, "{\"resourceType\":\"Practitioner\",\"name\":"
             "[{\"family\":\"%s\"}]}", family);
    return create(f, "Practitioner", body);
}

/* An appointment of practitioner pr on day at 10:00 UTC with status. */
static void appointment(teststore *f, const char *pr, int64_t day,
                        const char *status)
{
    char date[11], body[512];
    adoption_day_text(day, date);
    snprintf(body, sizeof body, "{\"resourceType\":\"Appointment\",\"status\":"
             "\"%s\",\"start\":\"%sT10:00:00Z\",\"end\":\"%sT10:20:00Z\","
             "\"participant\":[{"
             "\"actor\":{\"reference\":\"Practitioner/%s\"},\"status\":"
             "\"accepted\"}]}", status, date, date, pr);
    free(create(f, "Appointment", body));
}

static void imported(teststore *f, int64_t uid, int64_t week_day, int visits,
                     double sessions)
{
    ta_sql(f, "INSERT INTO adoption_baseline_visits VALUES (1, %lld, %lld, %d, "
        "%f)", (long long)uid, (long long)week_day, visits, sessions);
}

/* 8 baseline weeks of 40 visits in 10 sessions (4 a session), the third
 * from last on leave. */
static void baseline(teststore *f, int64_t uid)
{
    for (int w = -8; w <= -1; w++)
        imported(f, uid, DAY0 + 7 * w, w == -3 ? 0 : 40, w == -3 ? 0 : 10);
}

#define LIVE_FOR(cohort) \
    "{'stages':[{'id':'s1','name':'Notes','target_date':'2026-11-02'," \
    "'modules':['documentation','problems'],'cohort':" cohort "," \
    "'gates':[],'state':'live','live_at':'2026-11-02T09:00:00Z'}," \
    "{'id':'s2','name':'Orders','target_date':'2026-12-07','modules':" \
    "['orders','results'],'cohort':{'kind':'everyone'},'gates':[]," \
    "'state':'planned'}]}"

struct prod_ctx { int64_t uid, day; adoption_productivity *p; };

static int prod_fn(store_tx *tx, void *arg)
{
    struct prod_ctx *c = arg;
    return c->uid ? adoption_productivity_user(tx, PRACTICE, c->uid, c->day, c->p)
                  : adoption_productivity_practice(tx, PRACTICE, c->day, c->p);
}

static adoption_productivity *curve(teststore *f, int64_t uid, int64_t day)
{
    struct prod_ctx c = { uid, day, malloc(sizeof(adoption_productivity)) };
    sw_err err;
    if (store_read(f->store, prod_fn, &c, &err) != SW_OK)
        fail_msg("productivity: %s", sw_err_text(&err));
    return c.p;
}

static const adoption_week *week(const adoption_productivity *p, int w)
{
    for (size_t i = 0; i < p->nweeks; i++)
        if (p->weeks[i].week == w)
            return &p->weeks[i];
    fail_msg("no week %d", w);
    return NULL;
}

static void near(double got, double want)
{
    if (fabs(got - want) > 0.001)
        fail_msg("got %f, want %f", got, want);
}

/* ---- Tests --------------------------------------------------------------------- */

static void imported_weeks_make_the_dip(void **state)
{
    teststore *f = *state;
    int64_t a = ta_add_user(f, "dr.a", "physician", "pr-a");
    ta_save_plan(f, LIVE_FOR("{'kind':'everyone'}"));
    baseline(f, a);
    static const int live[6] = { 28, 32, 36, 44, 40, 38 };
    for (int w = 1; w <= 6; w++)
        imported(f, a, DAY0 + 7 * (w - 1), live[w - 1], 10);
    /* As of the last day of week 6, and a day before it (week 6 not
     * complete yet). */
    adoption_productivity *p = curve(f, a, DAY0 + 41);
    assert_int_equal(p->golive_day, DAY0);
    assert_true(p->has_baseline);
    near(p->baseline_per_session, 280.0 / 70.0);   /* leave week left out */
    assert_int_equal(p->nweeks, 14);
    assert_true(week(p, -3)->leave);
    assert_false(week(p, -3)->has_ratio);
    assert_true(week(p, -8)->imported);
    near(week(p, 1)->ratio_pct, 70.0);
    near(week(p, 4)->ratio_pct, 110.0);
    near(week(p, 1)->expected_pct, 75.0);
    near(week(p, 4)->expected_pct, 90.0);
    assert_true(p->has_dip);
    near(p->lowest_pct, 70.0);
    assert_int_equal(p->lowest_week, 1);
    assert_int_equal(p->weeks_below_90, 2);
    assert_int_equal(p->recovered_week, 4);
    near(p->current_pct, 95.0);
    json_t *j = adoption_productivity_json(p);
    assert_string_equal(json_string_value(json_object_get(j, "golive")),
                        "2026-11-02");
    json_t *dip = json_object_get(j, "dip");
    assert_int_equal(json_integer_value(json_object_get(dip, "recovered_week")), 4);
    json_decref(j);
    free(p);
    p = curve(f, a, DAY0 + 40);
    assert_int_equal(p->nweeks, 13);
    free(p);
}

static void appointments_against_the_template(void **state)
{
    teststore *f = *state;
    char *pa = practitioner(f, "A"), *pb = practitioner(f, "B");
    int64_t a = ta_add_user(f, "dr.a", "physician", pa);
    int64_t b = ta_add_user(f, "dr.b", "physician", pb);
    ta_save_plan(f, LIVE_FOR("{'kind':'everyone'}"));
    baseline(f, a);
    /* Mondays 08:00-16:00: two sessions a week. */
    ta_sql(f, "INSERT INTO adoption_schedule_template VALUES (1, %lld, 0, 480, "
        "960)", (long long)a);
    /* Week 1: three completed, one only booked; one of dr.b's; one in
     * week 2 (not complete as of the report). */
    appointment(f, pa, DAY0 + 1, "fulfilled");
    appointment(f, pa, DAY0 + 2, "arrived");
    appointment(f, pa, DAY0 + 6, "checked-in");
    appointment(f, pa, DAY0 + 3, "booked");
    appointment(f, pb, DAY0 + 1, "fulfilled");
    appointment(f, pa, DAY0 + 8, "fulfilled");
    adoption_productivity *p = curve(f, a, DAY0 + 6);
    const adoption_week *w1 = week(p, 1);
    assert_int_equal(w1->visits, 3);
    near(w1->sessions, 2.0);
    assert_false(w1->imported);
    near(w1->ratio_pct, 1.5 / 4.0 * 100.0);
    free(p);

    /* The practice: both clinicians' weeks summed; dr.b has no baseline
     * and no schedule, so adds one visit and no session. */
    p = curve(f, 0, DAY0 + 6);
    assert_int_equal(p->golive_day, DAY0);
    assert_int_equal(week(p, 1)->visits, 4);
    near(week(p, 1)->sessions, 2.0);
    near(p->baseline_per_session, 4.0);
    free(p);
    (void)b;
    free(pa);
    free(pb);
}

static void golive_follows_the_cohort(void **state)
{
    teststore *f = *state;
    int64_t a = ta_add_user(f, "dr.a", "physician", "pr-a");
    int64_t n = ta_add_user(f, "ma.n", "medical_assistant", "");
    ta_save_plan(f, LIVE_FOR("{'kind':'roles','roles':['nurse']}"));
    baseline(f, a);
    adoption_productivity *p = curve(f, a, DAY0 + 41);
    assert_int_equal(p->golive_day, -1);       /* no live stage holds them */
    assert_int_equal(p->nweeks, 0);
    free(p);
    ta_save_plan(f, LIVE_FOR("{'kind':'users','users':['dr.a']}"));
    p = curve(f, a, DAY0 + 41);
    assert_int_equal(p->golive_day, DAY0);
    assert_true(p->has_baseline);
    free(p);
    /* Not a clinician: no weeks, whatever the plan. */
    p = curve(f, n, DAY0 + 41);
    assert_int_equal(p->nweeks, 0);
    assert_false(p->has_baseline);
    free(p);
}

struct csv_ctx { const char *text; int64_t n; };

static int csv_fn(store_tx *tx, void *arg)
{
    struct csv_ctx *c = arg;
    return adoption_baseline_import_csv(tx, PRACTICE, c->text, strlen(c->text),
                                        &c->n);
}

static int import(teststore *f, const char *text, sw_err *err, int64_t *n)
{
    struct csv_ctx c = { text, 0 };
    int rc = store_write(f->store, csv_fn, &c, err);
    *n = c.n;
    return rc;
}

static void baseline_csv_all_or_none(void **state)
{
    teststore *f = *state;
    int64_t a = ta_add_user(f, "dr.a", "physician", "pr-a");
    sw_err err;
    int64_t n;
    assert_int_equal(import(f, "username,week_start,visits,sessions\r\n"
                            "dr.a,2026-10-05,40,10\r\n\r\n"
                            "dr.a, 2026-10-12 ,38,9.5\r\n", &err, &n), SW_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ta_query(f, "SELECT visits FROM adoption_baseline_visits "
                           "WHERE user_id = %lld AND week_day = %lld",
                           (long long)a, (long long)(DAY0 - 21)), 38);
    /* A line replaces the same week. */
    assert_int_equal(import(f, "username,week_start,visits,sessions\n"
                            "dr.a,2026-10-05,41,10\n", &err, &n), SW_OK);
    assert_int_equal(ta_query(f, "SELECT visits FROM adoption_baseline_visits "
                           "WHERE user_id = %lld AND week_day = %lld",
                           (long long)a, (long long)(DAY0 - 28)), 41);
    /* Bad lines: nothing of the file is kept, the sentence names the line. */
    static const struct { const char *text, *msg; } bad[] = {
        { "username,week_start,visits,sessions\ndr.a,2026-10-19,40,10\n"
          "nobody,2026-10-19,4,1\n", "line 3: username" },
        { "dr.a,2026-10-19,40,10\n", "line 1: the first line must be the header" },
        { "username,week_start,visits,sessions\ndr.a,2026-13-01,40,10\n",
          "line 2: week_start" },
        { "username,week_start,visits,sessions\ndr.a,2026-10-19,-1,10\n",
          "line 2: visits" },
        { "username,week_start,visits,sessions\ndr.a,2026-10-19,4,x\n",
          "line 2: sessions" },
        { "username,week_start,visits,sessions\ndr.a,2026-10-19,4\n",
          "line 2: expected 4 fields" },
        { "", "the file is empty" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(import(f, bad[i].text, &err, &n), SW_EINVAL);
        if (strstr(sw_err_text(&err), bad[i].msg) == NULL)
            fail_msg("case %zu: '%s' lacks '%s'", i, sw_err_text(&err),
                     bad[i].msg);
    }
    assert_int_equal(ta_query(f, "SELECT COUNT(*) FROM adoption_baseline_visits "
                           "WHERE week_day = %lld", (long long)(DAY0 - 14)), 0);
}

struct fc_ctx { int64_t day; adoption_forecast plan, bb; };

static int fc_fn(store_tx *tx, void *arg)
{
    struct fc_ctx *c = arg;
    return adoption_forecast_build(tx, PRACTICE, c->day, &c->plan, &c->bb);
}

static void forecast_from_the_plan(void **state)
{
    teststore *f = *state;
    int64_t a = ta_add_user(f, "dr.a", "physician", "pr-a");
    struct fc_ctx *c = calloc(1, sizeof *c);
    sw_err err;
    /* No plan: nothing to forecast. */
    c->day = DAY0 + 10;
    assert_int_equal(store_read(f->store, fc_fn, c, &err), SW_OK);
    assert_int_equal(c->plan.n, 0);
    ta_save_plan(f, LIVE_FOR("{'kind':'everyone'}"));
    baseline(f, a);
    assert_int_equal(store_read(f->store, fc_fn, c, &err), SW_OK);
    assert_int_equal(c->plan.start_day, DAY0);
    assert_int_equal(c->plan.n, ADOPTION_FORECAST_WEEKS);
    /* 7 weeks of 40 visits (the leave week left out). */
    near(c->plan.baseline_visits_per_week, 40.0);
    /* Week 1: documentation + problems (35% of the workflow) at the
     * middle depth of 30%; the Big Bang changes them and orders and
     * results (53%) at once. */
    near(c->plan.points[0].mid_pct, 100.0 - 35.0 * 0.30);
    near(c->bb.points[0].mid_pct, 100.0 - 53.0 * 0.30);
    assert_true(c->plan.points[0].low_pct < c->plan.points[0].mid_pct);
    assert_true(c->plan.points[0].mid_pct < c->plan.points[0].high_pct);
    json_t *j = adoption_forecast_json(&c->plan, &c->bb);
    assert_true(json_is_true(json_object_get(j, "estimate")));
    assert_true(json_array_size(json_object_get(j, "sources")) >= 3);
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(j, "big_bang"), "start")), "2026-11-02");
    json_decref(j);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(imported_weeks_make_the_dip,
                                        teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(appointments_against_the_template,
                                        teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(golive_follows_the_cohort,
                                        teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(baseline_csv_all_or_none,
                                        teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(forecast_from_the_plan,
                                        teststore_setup, teststore_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
