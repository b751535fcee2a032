/* test_adoption_findings.c - neglected features and benchmarks stuck under
 * their floor (src/adoption/findings.c, docs/adoption-metrics.md
 * "Neglected features") on both stores, from roll-up and plan rows
 * inserted by hand with fixed days: a physician who never reconciles the
 * problem list after the settling-in window, one who does it less than
 * most peers, a problem-list ratio under its floor two windows running;
 * the finding clearing once the physician uses the feature; assigning
 * the recommendation as a training assignment with the explanation as
 * its reason (and only once); the re-measure 30 days on, improved and
 * not improved; the settling-in window keeping a fresh module quiet. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adoption/findings.h"
#include "core/clock.h"
#include "rollout/plan.h"
#include "rollout/plan_store.h"
#include "training/course.h"
#include "testserver.h"
#include "testadoption.h"
#include "teststore.h"

#define PRACTICE 1
/* 2026-11-02, a Monday (local day in UTC, the default offset). */
#define DAY0 20759LL
#define ASOF (DAY0 + 27)     /* 2026-11-29 */

/* ---- Rows by hand --------------------------------------------------------- */

static void uses(teststore *f, int64_t uid, int64_t day, const char *feature,
                 int n)
{
    ta_sql(f, "INSERT INTO adoption_feature_day VALUES (1, %lld, %lld, '%s', "
           "%d)", (long long)uid, (long long)day, feature, n);
}

static void seen(teststore *f, int64_t uid, int64_t day, const char *patient)
{
    ta_sql(f, "INSERT INTO adoption_seen VALUES (1, %lld, %lld, '%s', 1)",
           (long long)uid, (long long)day, patient);
}

/* Documentation and problems live for everyone since 2026-05-04, long
 * past the settling-in window. */
#define LIVE_PLAN \
    "{'stages':[{'id':'s1','name':'Notes','target_date':'2026-05-04'," \
    "'modules':['documentation','problems'],'cohort':{'kind':'everyone'}," \
    "'gates':[],'state':'live','live_at':'2026-05-04T09:00:00Z'}]}"

typedef struct fixture {
    teststore *f;
    int64_t    a, b, c, d;
    training_courses *courses;
} fixture;

static void build(fixture *x)
{
    teststore *f = x->f;
    x->a = ta_add_user(f, "dr.a", "physician", "");
    x->b = ta_add_user(f, "dr.b", "physician", "");
    x->c = ta_add_user(f, "dr.c", "physician", "");
    x->d = ta_add_user(f, "dr.d", "physician", "");
    ta_save_plan(f, LIVE_PLAN);
    /* Most physicians reconcile the problem list; dr.b once, dr.a never. */
    uses(f, x->c, ASOF - 3, "problems.reconcile", 5);
    uses(f, x->d, ASOF - 3, "problems.reconcile", 4);
    uses(f, x->b, ASOF - 3, "problems.reconcile", 1);
    /* dr.a saw a patient in this 90-day window and one in the window
     * before, neither with a problem recorded: 0% twice (floor 80%). */
    seen(f, x->a, ASOF - 10, "p1");
    seen(f, x->a, ASOF - 120, "p2");
}

static int setup(void **state)
{
    if (teststore_setup(state) != 0)
        return -1;
    fixture *x = calloc(1, sizeof *x);
    x->f = *state;
    *state = x;
    build(x);
    sw_err err;
    if (training_courses_load(SW_COURSES_DIR, &x->courses, &err) != SW_OK)
        fail_msg("courses: %s", sw_err_text(&err));
    return 0;
}

static int teardown(void **state)
{
    fixture *x = *state;
    void *f = x->f;
    training_courses_free(x->courses);
    free(x);
    sw_clock_set_fixed(0);
    return teststore_teardown(&f);
}

static adoption_eval_counts evaluate(fixture *x, int64_t day)
{
    adoption_eval_counts counts;
    sw_err err;
    if (adoption_evaluate(x->f->store, PRACTICE, day, x->courses, &counts,
                          &err) != SW_OK)
        fail_msg("evaluate: %s", sw_err_text(&err));
    return counts;
}

/* The finding of user, kind and subject (its state, -1 when none). */
static int64_t finding_id(fixture *x, int64_t uid, const char *kind,
                          const char *subject)
{
    return ta_query(x->f, "SELECT COALESCE(MAX(finding_id), -1) FROM "
                 "adoption_finding WHERE user_id = %lld AND kind = '%s' AND "
                 "subject = '%s'", (long long)uid, kind, subject);
}

static int64_t count_state(fixture *x, int64_t id, const char *state)
{
    return ta_query(x->f, "SELECT COUNT(*) FROM adoption_finding WHERE "
                 "finding_id = %lld AND state = '%s'", (long long)id, state);
}

struct json_ctx { int64_t user_id; bool open; json_t *list; };

static int json_fn(store_tx *tx, void *arg)
{
    struct json_ctx *c = arg;
    json_decref(c->list);
    c->list = NULL;
    return adoption_findings_json(tx, PRACTICE, c->user_id, c->open, &c->list);
}

static json_t *findings_of(fixture *x, int64_t uid, bool open)
{
    struct json_ctx c = { uid, open, NULL };
    sw_err err;
    if (store_read(x->f->store, json_fn, &c, &err) != SW_OK)
        fail_msg("findings json: %s", sw_err_text(&err));
    return c.list;
}

static json_t *find_in(json_t *list, const char *kind, const char *subject)
{
    size_t i;
    json_t *f;
    json_array_foreach(list, i, f) {
        if (strcmp(json_string_value(json_object_get(f, "kind")), kind) == 0
            && strcmp(json_string_value(json_object_get(f, "subject")),
                      subject) == 0)
            return f;
    }
    return NULL;
}

/* ---- Tests -------------------------------------------------------------------- */

static void findings_appear_once(void **state)
{
    fixture *x = *state;
    adoption_eval_counts n = evaluate(x, ASOF);
    assert_true(n.opened >= 3);
    assert_int_equal(n.cleared, 0);

    /* Never used: "unused" for dr.a, and not also "peers". */
    int64_t unused = finding_id(x, x->a, "unused", "problems.reconcile");
    assert_true(unused > 0);
    assert_int_equal(finding_id(x, x->a, "peers", "problems.reconcile"), -1);
    /* Once, where 2 of 3 peers do it 3+ times: "peers" for dr.b. */
    int64_t peers = finding_id(x, x->b, "peers", "problems.reconcile");
    assert_true(peers > 0);
    assert_int_equal(finding_id(x, x->b, "unused", "problems.reconcile"), -1);
    /* dr.c and dr.d use it: nothing about it for them. */
    assert_int_equal(finding_id(x, x->c, "unused", "problems.reconcile"), -1);
    assert_int_equal(finding_id(x, x->c, "peers", "problems.reconcile"), -1);
    /* 0% of patients with a problem list, this window and the one before. */
    int64_t floor_id = finding_id(x, x->a, "below_floor", "problem_list");
    assert_true(floor_id > 0);
    assert_int_equal(finding_id(x, x->b, "below_floor", "problem_list"), -1);

    json_t *list = findings_of(x, x->b, true);
    json_t *f = find_in(list, "peers", "problems.reconcile");
    assert_non_null(f);
    const char *why = json_string_value(json_object_get(f, "explanation"));
    assert_non_null(strstr(why, "2 of 3 colleagues with the role physician"));
    assert_non_null(strstr(why, "reconciling the problem list"));
    assert_string_equal(json_string_value(json_object_get(f, "state")), "open");
    assert_string_equal(json_string_value(json_object_get(f, "found")),
                        "2026-11-29");
    assert_string_equal(json_string_value(json_object_get(f, "remeasure_on")),
                        "2026-12-29");
    assert_true(json_is_null(json_object_get(f, "assignment")));
    assert_int_equal(json_real_value(json_object_get(f, "value_then")), 1);
    /* The problems course has no exercise that checks reconciling: the
     * course as a whole is recommended. */
    json_t *rec = json_object_get(f, "recommendation");
    assert_string_equal(json_string_value(json_object_get(rec, "kind")),
                        "exercise");
    assert_string_equal(json_string_value(json_object_get(rec, "course")),
                        "course-problems");
    assert_null(json_object_get(rec, "exercise"));
    json_decref(list);
    /* Adding problems has its exercise, which dr.a is sent to. */
    list = findings_of(x, x->a, true);
    f = find_in(list, "unused", "problems.create");
    assert_non_null(f);
    rec = json_object_get(f, "recommendation");
    assert_string_equal(json_string_value(json_object_get(rec, "exercise")),
                        "add-problem");
    json_decref(list);

    /* A second evaluation the same day opens nothing new. */
    int64_t before = ta_query(x->f, "SELECT COUNT(*) FROM adoption_finding");
    n = evaluate(x, ASOF);
    assert_int_equal(n.opened, 0);
    assert_int_equal(ta_query(x->f, "SELECT COUNT(*) FROM adoption_finding"),
                     before);
}

static void a_finding_clears_when_the_feature_is_used(void **state)
{
    fixture *x = *state;
    evaluate(x, ASOF);
    int64_t unused = finding_id(x, x->a, "unused", "problems.reconcile");
    assert_true(unused > 0);
    uses(x->f, x->a, ASOF + 1, "problems.reconcile", 4);
    adoption_eval_counts n = evaluate(x, ASOF + 1);
    assert_true(n.cleared >= 1);
    assert_int_equal(count_state(x, unused, "cleared"), 1);
    assert_int_equal(ta_query(x->f, "SELECT CAST(value_after AS BIGINT) FROM "
                           "adoption_finding WHERE finding_id = %lld",
                           (long long)unused), 4);
    assert_int_equal(ta_query(x->f, "SELECT closed_day FROM adoption_finding "
                           "WHERE finding_id = %lld", (long long)unused),
                     ASOF + 1);
    /* The peers finding of dr.b still holds: it stays open. */
    int64_t peers = finding_id(x, x->b, "peers", "problems.reconcile");
    assert_int_equal(count_state(x, peers, "open"), 1);
    /* Open findings only: the cleared one is not listed. */
    json_t *list = findings_of(x, x->a, true);
    assert_null(find_in(list, "unused", "problems.reconcile"));
    json_decref(list);
    list = findings_of(x, x->a, false);
    assert_non_null(find_in(list, "unused", "problems.reconcile"));
    json_decref(list);
}

static void assigning_creates_a_training_assignment(void **state)
{
    fixture *x = *state;
    evaluate(x, ASOF);
    int64_t peers = finding_id(x, x->b, "peers", "problems.reconcile");
    sw_clock_set_fixed(ASOF * 86400000LL + 12 * 3600000LL);
    int64_t assignment = 0;
    sw_err err;
    assert_int_equal(adoption_finding_assign(x->f->store, PRACTICE, peers,
                                             x->c, &assignment, &err), SW_OK);
    assert_true(assignment > 0);
    assert_int_equal(ta_query(x->f, "SELECT COUNT(*) FROM training_assignment "
                           "WHERE assignment_id = %lld AND user_id = %lld AND "
                           "assigned_by = %lld AND due_date = '2026-12-13' AND "
                           "reason LIKE '2 of 3 colleagues%%'",
                           (long long)assignment, (long long)x->b,
                           (long long)x->c), 1);
    assert_int_equal(ta_query(x->f, "SELECT assignment_id FROM adoption_finding "
                           "WHERE finding_id = %lld", (long long)peers),
                     assignment);
    /* Only once. */
    int64_t again;
    assert_int_equal(adoption_finding_assign(x->f->store, PRACTICE, peers,
                                             x->c, &again, &err), SW_ECONFLICT);
    assert_int_equal(adoption_finding_assign(x->f->store, PRACTICE, 9999,
                                             x->c, &again, &err), SW_ENOTFOUND);
    assert_int_equal(ta_query(x->f, "SELECT COUNT(*) FROM training_assignment"), 1);
}

static void remeasured_after_30_days(void **state)
{
    fixture *x = *state;
    evaluate(x, ASOF);
    int64_t peers = finding_id(x, x->b, "peers", "problems.reconcile");
    int64_t floor_id = finding_id(x, x->a, "below_floor", "problem_list");
    /* Nothing is re-measured before its day. */
    adoption_eval_counts n = evaluate(x, ASOF + 20);
    assert_int_equal(n.remeasured, 0);
    assert_int_equal(count_state(x, peers, "open"), 1);

    /* dr.b now reconciles like the others; dr.a's problem list is still
     * empty for the patients seen. */
    uses(x->f, x->b, ASOF + 25, "problems.reconcile", 5);
    uses(x->f, x->c, ASOF + 25, "problems.reconcile", 5);
    uses(x->f, x->d, ASOF + 25, "problems.reconcile", 5);
    n = evaluate(x, ASOF + 30);
    assert_true(n.remeasured >= 2);
    assert_int_equal(count_state(x, peers, "improved"), 1);
    assert_int_equal(ta_query(x->f, "SELECT CAST(value_after AS BIGINT) FROM "
                           "adoption_finding WHERE finding_id = %lld",
                           (long long)peers), 5);
    assert_int_equal(count_state(x, floor_id, "not_improved"), 1);
    /* Not re-opened at once: the re-measure is the answer for a month. */
    assert_int_equal(ta_query(x->f, "SELECT COUNT(*) FROM adoption_finding WHERE "
                           "user_id = %lld AND subject = 'problem_list' AND "
                           "state = 'open'", (long long)x->a), 0);
    json_t *list = findings_of(x, x->b, false);
    json_t *f = find_in(list, "peers", "problems.reconcile");
    assert_string_equal(json_string_value(json_object_get(f, "state")),
                        "improved");
    assert_int_equal(json_real_value(json_object_get(f, "value_after")), 5);
    json_decref(list);
}

static void nothing_inside_the_settling_in_window(void **state)
{
    fixture *x = *state;
    /* Problems went live 3 weeks before: inside the 6-week window. */
    ta_save_plan(x->f, "{'stages':[{'id':'s1','name':'Notes','target_date':"
              "'2026-11-08','modules':['documentation','problems'],'cohort':"
              "{'kind':'everyone'},'gates':[],'state':'live','live_at':"
              "'2026-11-08T09:00:00Z'}]}");
    adoption_eval_counts n = evaluate(x, ASOF);
    assert_int_equal(n.opened, 0);
    assert_int_equal(ta_query(x->f, "SELECT COUNT(*) FROM adoption_finding"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(findings_appear_once, setup, teardown),
        cmocka_unit_test_setup_teardown(a_finding_clears_when_the_feature_is_used,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(assigning_creates_a_training_assignment,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(remeasured_after_30_days, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(nothing_inside_the_settling_in_window,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
