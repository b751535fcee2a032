/* test_adoption_report.c - a user's adoption report (src/adoption/report.c,
 * benchmarks.c; docs/adoption-metrics.md "Benchmarks", "Levels") and the
 * benchmarks gate (src/rollout/gate_benchmarks.c), on both stores, from
 * roll-up, activity, schedule, plan and level rows inserted by hand so
 * that every figure has a known answer: each formula, the client/audit
 * rule per quarter, scheduled hours with leave, no scheduled hours, no
 * patients, a non-clinician, levels learning/adopted/proficient, the
 * settling-in window, targets and their validation, the levels refresh,
 * and the gate passing, failing and without data. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adoption/benchmarks.h"
#include "adoption/report.h"
#include "rollout/gates.h"
#include "rollout/plan.h"
#include "rollout/plan_store.h"
#include "testadoption.h"
#include "testserver.h"
#include "teststore.h"

#define PRACTICE 1
/* 2026-11-02, a Monday (local day in UTC, the default offset). */
#define DAY0 20759LL
/* The report's day: Sunday 2026-11-29. Its 30-day window starts on the
 * Saturday before DAY0 and holds four Mondays. */
#define ASOF (DAY0 + 27)

/* ---- Rows by hand ---------------------------------------------------------- */

static void activity(teststore *f, int64_t uid, int64_t day, int quarter,
                     const char *area, const char *source, int64_t ms)
{
    ta_sql(f, "INSERT INTO adoption_activity VALUES (1, %lld, %lld, %d, '%s', "
           "'%s', %lld)", (long long)uid, (long long)day, quarter, area, source,
           (long long)ms);
}

static void uses(teststore *f, int64_t uid, int64_t day, const char *feature,
                 int n)
{
    ta_sql(f, "INSERT INTO adoption_feature_day VALUES (1, %lld, %lld, '%s', %d)",
           (long long)uid, (long long)day, feature, n);
}

static void seen(teststore *f, int64_t uid, int64_t day, const char *patient)
{
    ta_sql(f, "INSERT INTO adoption_seen VALUES (1, %lld, %lld, '%s', 1)",
           (long long)uid, (long long)day, patient);
}

static void flag(teststore *f, const char *patient, const char *flag,
                 int64_t day, int n)
{
    ta_sql(f, "INSERT INTO adoption_patient_day VALUES (1, '%s', '%s', %lld, %d)",
           patient, flag, (long long)day, n);
}

/* Mondays 08:00-16:00 (8 hours). */
static void monday_template(teststore *f, int64_t uid)
{
    ta_sql(f, "INSERT INTO adoption_schedule_template VALUES (1, %lld, 0, 480, "
           "960)", (long long)uid);
}

/* ---- The clinician with a known answer for everything --------------------- */

typedef struct fixture {
    teststore *f;
    int64_t    a, b, c, nurse;
} fixture;

static void build(fixture *x)
{
    teststore *f = x->f;
    x->a = ta_add_user(f, "dr.a", "physician", "");
    x->b = ta_add_user(f, "dr.b", "physician", "");
    x->c = ta_add_user(f, "dr.c", "physician", "");
    x->nurse = ta_add_user(f, "rn.d", "nurse", "");

    /* dr.a: 4 Mondays scheduled in the window = 1920 minutes. */
    monday_template(f, x->a);
    /* Quarter 40 (10:00, scheduled): the client's 5 minutes win over the
     * audited 10. */
    activity(f, x->a, DAY0, 40, "documentation", "audit", 600000);
    activity(f, x->a, DAY0, 40, "other", "client", 300000);
    /* Quarter 41: audited only, 15 minutes of notes. */
    activity(f, x->a, DAY0, 41, "documentation", "audit", 900000);
    /* 20:00 on the Monday: inbox, outside and pajama time. */
    activity(f, x->a, DAY0, 80, "inbox", "audit", 900000);
    /* Saturday 10:00: prescribing, outside and pajama time. */
    activity(f, x->a, DAY0 + 5, 40, "eprescribing", "audit", 600000);
    /* Ten days before the first Monday: the previous window. */
    activity(f, x->a, DAY0 - 10, 40, "documentation", "audit", 900000);

    /* Four patients seen (five visits) in the windows, one long before. */
    seen(f, x->a, DAY0 + 20, "p1");
    seen(f, x->a, DAY0 + 21, "p1");
    seen(f, x->a, DAY0 + 20, "p2");
    seen(f, x->a, DAY0 + 20, "p3");
    seen(f, x->a, DAY0 + 20, "p4");
    seen(f, x->a, ASOF - 100, "p5");

    flag(f, "p1", "problems.recorded", ASOF - 200, 1);
    flag(f, "p2", "problems.recorded", DAY0 + 1, 1);
    for (int i = 1; i <= 4; i++) {
        char p[4];
        snprintf(p, sizeof p, "p%d", i);
        flag(f, p, "allergies.recorded", DAY0, 1);
        if (i <= 3)
            flag(f, p, "medications.recorded", DAY0, 1);
    }
    flag(f, "p1", "medications.ordered", DAY0 + 20, 1);
    flag(f, "p1", "vitals.recorded", DAY0 + 20, 1);
    flag(f, "p2", "vitals.recorded", ASOF - 120, 1);      /* too old */
    flag(f, "p3", "smoking.recorded", ASOF - 300, 1);     /* ever counts */
    flag(f, "p1", "demographics.complete", ASOF - 50, 1);
    flag(f, "p2", "demographics.complete", ASOF - 50, 1);
    flag(f, "p2", "demographics.partial", ASOF - 10, 1);  /* latest partial */
    flag(f, "p3", "demographics.partial", ASOF - 60, 1);
    flag(f, "p3", "demographics.complete", ASOF - 5, 1);  /* latest complete */
    flag(f, "p1", "lab.ordered", DAY0 + 20, 2);
    flag(f, "p2", "lab.unordered", DAY0 + 20, 2);
    flag(f, "p5", "lab.ordered", DAY0 + 20, 10);          /* not seen then */

    uses(f, x->a, DAY0 + 5, "eprescribing.send", 3);
    uses(f, x->a, DAY0 + 5, "medications.create", 1);
    uses(f, x->a, ASOF - 100, "eprescribing.send", 50);   /* too old */
    uses(f, x->a, DAY0 + 20, "documentation.sign", 4);
    uses(f, x->a, DAY0 + 20, "documentation.sign_same_day", 3);
    uses(f, x->a, DAY0 + 10, "allergies.create", 3);
    uses(f, x->a, DAY0 + 10, "allergies.update", 3);
    uses(f, x->a, DAY0 + 10, "allergies.reconcile", 3);

    /* dr.b: Mondays 08:00-16:00 and an evening clinic 18:00-19:00, on
     * leave the week of DAY0: 3 Mondays of 9 hours = 1620 minutes. */
    monday_template(f, x->b);
    ta_sql(f, "INSERT INTO adoption_schedule_template VALUES (1, %lld, 0, 1080, "
           "1140)", (long long)x->b);
    ta_sql(f, "INSERT INTO adoption_leave VALUES (1, %lld, %lld, %lld, 'leave')",
           (long long)x->b, (long long)DAY0, (long long)DAY0 + 6);
    activity(f, x->b, DAY0 + 7, 40, "documentation", "audit", 900000);
    /* 18:15 in the evening clinic: scheduled, so not pajama time. */
    activity(f, x->b, DAY0 + 7, 73, "other", "audit", 900000);
    /* Saturday: pajama time. */
    activity(f, x->b, DAY0 + 12, 40, "other", "audit", 300000);
    seen(f, x->b, DAY0 + 7, "p9");
    /* rn.d: a nurse's hours, no benchmarks built on them. */
    monday_template(f, x->nurse);
    activity(f, x->nurse, DAY0, 40, "vitals", "client", 600000);
    /* dr.c: no schedule, no patients. */
}

static int setup(void **state)
{
    if (teststore_setup(state) != 0)
        return -1;
    fixture *x = calloc(1, sizeof *x);
    x->f = *state;
    *state = x;
    build(x);
    return 0;
}

static int teardown(void **state)
{
    fixture *x = *state;
    void *f = x->f;
    free(x);
    return teststore_teardown(&f);
}

struct report_ctx {
    int64_t user_id, day;
    adoption_user_report *r;
};

static int report_fn(store_tx *tx, void *arg)
{
    struct report_ctx *c = arg;
    return adoption_report_user(tx, PRACTICE, c->user_id, c->day, c->r);
}

static adoption_user_report *report(teststore *f, int64_t uid, int64_t day)
{
    adoption_user_report *r = malloc(sizeof *r);
    struct report_ctx c = { uid, day, r };
    sw_err err;
    if (store_read(f->store, report_fn, &c, &err) != SW_OK)
        fail_msg("report: %s", sw_err_text(&err));
    return r;
}

static const adoption_value *value(const adoption_user_report *r,
                                   const char *id)
{
    for (size_t i = 0; i < r->nvalues; i++)
        if (strcmp(r->values[i].id, id) == 0)
            return &r->values[i];
    fail_msg("no value %s", id);
    return NULL;
}

static void has(const adoption_user_report *r, const char *id, double want)
{
    const adoption_value *v = value(r, id);
    if (!v->has_value)
        fail_msg("%s has no value: %s", id, v->why_none);
    assert_float_equal(v->value, want, 1e-6);
}

static void none(const adoption_user_report *r, const char *id,
                 const char *why)
{
    const adoption_value *v = value(r, id);
    assert_false(v->has_value);
    assert_string_equal(v->standing, "no_value");
    assert_string_equal(v->why_none, why);
}

static const adoption_module_state *module(const adoption_user_report *r,
                                           const char *id)
{
    for (size_t i = 0; i < r->nmodules; i++)
        if (strcmp(r->modules[i].module, id) == 0)
            return &r->modules[i];
    fail_msg("no module %s", id);
    return NULL;
}

/* ---- Formulas ----------------------------------------------------------------- */

static void time_metrics_per_8_scheduled_hours(void **state)
{
    fixture *x = *state;
    adoption_user_report *r = report(x->f, x->a, ASOF);
    assert_true(r->clinician);
    assert_int_equal(r->scheduled_minutes_30d, 1920);
    /* 5 (client) + 15 + 15 + 10 minutes. */
    assert_int_equal(r->active_ms_30d, 45 * 60000);
    /* Per 8 scheduled hours: x 480 / 1920. */
    has(r, "ehr_time", 0.75 * 0.25);
    has(r, "outside_time", 25.0 / 60 * 0.25);
    has(r, "note_time", 0.25 * 0.25);     /* the client quarter's audit row not */
    has(r, "rx_time", 10.0 / 60 * 0.25);
    has(r, "inbox_time", 0.25 * 0.25);
    /* 25 minutes at night and at the weekend over 5 visits signed. */
    assert_int_equal(r->visits_signed_30d, 5);
    has(r, "pajama", 5.0);
    assert_string_equal(value(r, "ehr_time")->standing, "goal_met");
    /* The window before: 15 minutes over four other Mondays. */
    assert_true(value(r, "ehr_time")->has_previous);
    assert_float_equal(value(r, "ehr_time")->previous, 0.25 * 0.25, 1e-6);
    free(r);
}

static void leave_and_no_schedule(void **state)
{
    fixture *x = *state;
    adoption_user_report *r = report(x->f, x->b, ASOF);
    assert_int_equal(r->scheduled_minutes_30d, 1620);
    has(r, "ehr_time", 35.0 / 60 * 480.0 / 1620.0);
    has(r, "outside_time", 5.0 / 60 * 480.0 / 1620.0);
    /* Only the Saturday's 5 minutes, over one visit. */
    has(r, "pajama", 5.0);
    free(r);

    r = report(x->f, x->c, ASOF);
    assert_int_equal(r->scheduled_minutes_30d, 0);
    none(r, "ehr_time", "no scheduled hours in the window");
    none(r, "outside_time", "no scheduled hours in the window");
    none(r, "pajama", "no visits signed in the window");
    none(r, "same_day_closure", "no visits signed in the window");
    none(r, "problem_list", "no patients seen in the window");
    none(r, "med_cpoe", "no patients seen in the window");
    none(r, "erx", "no prescriptions sent or medications added in the window");
    /* Nothing measured in a module (registration has no breadth for a
     * physician) leaves it learning, not flagged; breadth at 0% does
     * flag one. */
    none(r, "demographics", "no patients seen in the window");
    assert_string_equal(module(r, "registration")->level, "learning");
    assert_false(module(r, "registration")->flagged);
    has(r, "breadth.problems", 0.0);
    assert_true(module(r, "problems")->flagged);
    free(r);
}

static void ratios_over_patients_seen(void **state)
{
    fixture *x = *state;
    adoption_user_report *r = report(x->f, x->a, ASOF);
    has(r, "problem_list", 50.0);
    has(r, "allergy_list", 100.0);
    has(r, "med_list", 75.0);
    has(r, "med_cpoe", 100.0 / 3);
    has(r, "vitals", 25.0);
    has(r, "smoking", 25.0);
    has(r, "demographics", 50.0);
    has(r, "lab_cpoe", 50.0);
    none(r, "imaging_cpoe", "no imaging reports for the patients seen");
    has(r, "erx", 75.0);
    has(r, "same_day_closure", 75.0);
    assert_int_equal(value(r, "problem_list")->numerator, 2);
    assert_int_equal(value(r, "problem_list")->denominator, 4);
    assert_string_equal(value(r, "allergy_list")->standing, "goal_met");
    assert_string_equal(value(r, "demographics")->standing, "floor_met");
    assert_string_equal(value(r, "vitals")->standing, "below_floor");
    /* Breadth: the three allergy features used 3 times each. */
    has(r, "breadth.allergies", 100.0);
    /* Vital signs are the nurses' and assistants' work, not a
     * physician's core feature: no breadth to measure. */
    for (size_t i = 0; i < r->nvalues; i++)
        assert_string_not_equal(r->values[i].id, "breadth.vitals");
    free(r);
}

static void a_non_clinician_has_breadth_only(void **state)
{
    fixture *x = *state;
    adoption_user_report *r = report(x->f, x->nurse, ASOF);
    assert_false(r->clinician);
    /* Their hours still show on the scorecard. */
    assert_int_equal(r->scheduled_minutes_30d, 1920);
    assert_int_equal(r->active_ms_30d, 600000);
    for (size_t i = 0; i < r->nvalues; i++)
        assert_int_equal(r->values[i].def->kind, ADOPTION_KIND_BREADTH);
    has(r, "breadth.vitals", 0.0);
    free(r);
}

/* ---- Levels ---------------------------------------------------------------- */

static void levels_without_a_plan(void **state)
{
    fixture *x = *state;
    adoption_user_report *r = report(x->f, x->a, ASOF);
    /* No plan: every module live, since an unknown day, never settling. */
    assert_true(module(r, "allergies")->live);
    assert_int_equal(module(r, "allergies")->live_since_day, -1);
    assert_string_equal(module(r, "allergies")->level, "proficient");
    assert_false(module(r, "allergies")->flagged);
    assert_int_equal(module(r, "allergies")->core_used, 3);
    assert_int_equal(module(r, "allergies")->core_total, 3);
    /* Registration: demographics at its floor, no breadth for physicians. */
    assert_string_equal(module(r, "registration")->level, "adopted");
    assert_string_equal(module(r, "vitals")->level, "learning");
    assert_true(module(r, "vitals")->flagged);
    free(r);
}

static void settling_in_then_flagged(void **state)
{
    fixture *x = *state;
    /* Vitals went live for everyone on DAY0 + 18. */
    ta_save_plan(x->f, "{'stages':[{'id':'s1','name':'Vitals',"
                 "'target_date':'2026-11-20','modules':['vitals'],"
                 "'cohort':{'kind':'everyone'},'gates':[],'state':'live',"
                 "'live_at':'2026-11-20T09:00:00Z'}]}");
    adoption_user_report *r = report(x->f, x->a, ASOF);
    const adoption_module_state *v = module(r, "vitals");
    assert_true(v->live);
    assert_int_equal(v->live_since_day, DAY0 + 18);
    assert_true(v->settling);
    assert_string_equal(v->level, "learning");
    assert_false(v->flagged);
    /* Not in any stage: not live, and its benchmarks say so. */
    assert_string_equal(module(r, "allergies")->level, "not_live");
    none(r, "allergy_list", "the module is not live for the user");
    free(r);
    /* Six weeks after go-live, still under the floor: flagged. */
    r = report(x->f, x->a, DAY0 + 18 + 42);
    v = module(r, "vitals");
    assert_false(v->settling);
    assert_true(v->flagged);
    free(r);
    /* Before go-live the module was not live. */
    r = report(x->f, x->a, DAY0 + 10);
    assert_string_equal(module(r, "vitals")->level, "not_live");
    free(r);
}

/* ---- Targets ------------------------------------------------------------------ */

struct target_ctx { const char *id; double floor, goal; };

static int target_fn(store_tx *tx, void *arg)
{
    struct target_ctx *t = arg;
    return adoption_target_set(tx, PRACTICE, t->id, t->floor, t->goal);
}

static int set_target(teststore *f, const char *id, double floor, double goal,
                      sw_err *err)
{
    struct target_ctx t = { id, floor, goal };
    return store_write(f->store, target_fn, &t, err);
}

static void targets_are_checked_and_applied(void **state)
{
    fixture *x = *state;
    sw_err err;
    assert_int_equal(set_target(x->f, "nope", 1, 2, &err), SW_EINVAL);
    assert_int_equal(set_target(x->f, "erx", 50, 120, &err), SW_EINVAL);
    assert_int_equal(set_target(x->f, "erx", 60, 50, &err), SW_EINVAL);
    assert_non_null(strstr(sw_err_text(&err), "goal"));
    assert_int_equal(set_target(x->f, "ehr_time", -1, -2, &err), SW_EINVAL);
    /* Time: lower is better, so the goal may not exceed the floor. */
    assert_int_equal(set_target(x->f, "ehr_time", 5, 6, &err), SW_EINVAL);
    assert_int_equal(ta_query(x->f, "SELECT COUNT(*) FROM adoption_target"), 0);

    assert_int_equal(set_target(x->f, "demographics", 40, 45, &err), SW_OK);
    assert_int_equal(set_target(x->f, "demographics", 40, 48, &err), SW_OK);
    assert_int_equal(ta_query(x->f, "SELECT COUNT(*) FROM adoption_target"), 1);
    adoption_user_report *r = report(x->f, x->a, ASOF);
    assert_float_equal(value(r, "demographics")->goal, 48, 1e-9);
    assert_string_equal(value(r, "demographics")->standing, "goal_met");
    assert_string_equal(module(r, "registration")->level, "proficient");
    free(r);
}

/* ---- The levels refresh and the gate ---------------------------------------- */

static int refresh_fn(store_tx *tx, void *arg)
{
    (void)arg;
    return adoption_levels_refresh(tx, PRACTICE, ASOF);
}

static void levels_refresh_writes_every_module(void **state)
{
    fixture *x = *state;
    sw_err err;
    assert_int_equal(store_write(x->f->store, refresh_fn, NULL, &err), SW_OK);
    assert_int_equal(ta_query(x->f, "SELECT COUNT(*) FROM adoption_level WHERE "
                              "user_id = %lld AND module = 'allergies' AND level "
                              "= 'proficient' AND flagged = 0 AND as_of_day = %lld",
                              (long long)x->a, (long long)ASOF), 1);
    assert_int_equal(ta_query(x->f, "SELECT COUNT(*) FROM adoption_level WHERE "
                              "user_id = %lld AND module = 'vitals' AND flagged = 1",
                              (long long)x->a), 1);
    /* Run again: replaced, not doubled. */
    int64_t rows = ta_query(x->f, "SELECT COUNT(*) FROM adoption_level");
    assert_int_equal(store_write(x->f->store, refresh_fn, NULL, &err), SW_OK);
    assert_int_equal(ta_query(x->f, "SELECT COUNT(*) FROM adoption_level"), rows);
}

#define TWO_STAGES \
    "{'stages':[{'id':'s1','name':'Lists','target_date':'2026-11-02'," \
    "'modules':['allergies','vitals'],'cohort':{'kind':'roles','roles':" \
    "['physician']},'gates':[],'state':'live','live_at':" \
    "'2026-11-02T09:00:00Z'},{'id':'s2','name':'Orders','target_date':" \
    "'2027-01-04','modules':['orders'],'cohort':{'kind':'everyone'}," \
    "'gates':[{'kind':'previous_benchmarks','percent':50}]," \
    "'state':'planned'}]}"

static gate_data gate_of(teststore *f, size_t stage)
{
    plan_record rec;
    sw_err err;
    assert_int_equal(plan_store_load(f->store, PRACTICE, 0, &rec, &err), SW_OK);
    sw_plan *p;
    plan_issues is;
    assert_int_equal(plan_from_text(rec.body, strlen(rec.body), &p, &is), SW_OK);
    plan_gate g = { .kind = PLAN_GATE_BENCHMARKS, .percent = 50 };
    gate_data out;
    assert_int_equal(gates_data(f->store, PRACTICE, p, &p->stages[stage], &g,
                                &out, &err), SW_OK);
    plan_free(p);
    plan_record_free(&rec);
    return out;
}

static void level_row(teststore *f, int64_t uid, const char *module,
                      const char *level)
{
    ta_sql(f, "DELETE FROM adoption_level WHERE user_id = %lld AND module = '%s'",
           (long long)uid, module);
    ta_sql(f, "INSERT INTO adoption_level VALUES (1, %lld, '%s', '%s', 0, %lld)",
           (long long)uid, module, level, (long long)ASOF);
}

static void benchmarks_gate(void **state)
{
    fixture *x = *state;
    ta_save_plan(x->f, TWO_STAGES);
    gate_data d = gate_of(x->f, 1);
    assert_int_equal(d.state, GATE_NO_DATA);
    /* The first stage has no stage before it. */
    assert_int_equal(gate_of(x->f, 0).state, GATE_NO_DATA);

    /* Cohort of s1: the three physicians (not the nurse, not the admin). */
    level_row(x->f, x->a, "allergies", "proficient");
    level_row(x->f, x->a, "vitals", "adopted");
    level_row(x->f, x->b, "allergies", "adopted");
    level_row(x->f, x->b, "vitals", "learning");
    level_row(x->f, x->nurse, "allergies", "adopted");
    level_row(x->f, x->nurse, "vitals", "adopted");
    d = gate_of(x->f, 1);
    assert_int_equal(d.state, GATE_FAILED);
    assert_int_equal(d.percent, 33);
    assert_non_null(strstr(d.detail, "1 of 3"));

    level_row(x->f, x->b, "vitals", "proficient");
    d = gate_of(x->f, 1);
    assert_int_equal(d.state, GATE_PASSED);
    assert_int_equal(d.percent, 66);

    /* A disabled account leaves the cohort. */
    ta_sql(x->f, "UPDATE app_user SET disabled = 1 WHERE user_id = %lld",
           (long long)x->c);
    assert_int_equal(gate_of(x->f, 1).percent, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(time_metrics_per_8_scheduled_hours,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(leave_and_no_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(ratios_over_patients_seen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_non_clinician_has_breadth_only,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(levels_without_a_plan, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(settling_in_then_flagged, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(targets_are_checked_and_applied,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(levels_refresh_writes_every_module,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(benchmarks_gate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
