/* test_golive.c - gate evaluation before a go-live (src/rollout/golive.c):
 * checklist items ticked or not, gates with no data blocking, lint errors
 * blocking, an earlier stage not live blocking, everything passing; and
 * the plan a go-live or rollback produces. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "plan_test.h"
#include "rollout/golive.h"

#define PLAN "{'stages':[" \
    "{'id':'desk','name':'Desk','target_date':'2027-01-04','modules':['registration','scheduling']," \
    "'cohort':{'kind':'everyone'},'gates':[{'kind':'checklist','items':[" \
    "{'id':'downtime','text':'Downtime plan'},{'id':'support','text':'Support on site'}]}]}," \
    "{'id':'notes','name':'Notes','target_date':'2027-02-01','modules':['documentation']," \
    "'cohort':{'kind':'everyone'},'gates':[{'kind':'training_completion','percent':80}]}]}"

static sw_plan *plan(void)
{
    sw_plan *p;
    plan_issues is = { 0 };
    assert_int_equal(plan_test_parse(PLAN, &p, &is), SW_OK);
    return p;
}

static const golive_check *find(const golive_check *c, size_t n, const char *gate)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].gate, gate) == 0)
            return &c[i];
    fail_msg("no check %s", gate);
    return NULL;
}

static void checklist_ticked_or_not(void **state)
{
    (void)state;
    sw_plan *p = plan();
    golive_check c[GOLIVE_MAX_CHECKS];
    size_t failed;
    static const char *const one[] = { "downtime" };
    golive_inputs in = { .ticked = one, .nticked = 1 };
    size_t n = golive_evaluate(p, 0, &in, c, &failed);
    assert_int_equal(n, 3);            /* earlier stages, lint, checklist */
    assert_int_equal(failed, 1);
    const golive_check *k = find(c, n, "checklist");
    assert_false(k->passed);
    /* Named as the practice wrote them, not by id. */
    assert_non_null(strstr(k->message, "\"Support on site\""));
    assert_null(strstr(k->message, "Downtime plan"));
    assert_null(strstr(k->message, "'support'"));
    static const char *const both[] = { "support", "downtime" };
    in.ticked = both;
    in.nticked = 2;
    n = golive_evaluate(p, 0, &in, c, &failed);
    assert_int_equal(failed, 0);
    assert_true(find(c, n, "checklist")->passed);
    plan_free(p);
}

/* Stages roll back last in, first out. */
static void a_later_live_stage_is_found(void **state)
{
    (void)state;
    sw_plan *p = plan();
    assert_null(golive_later_live(p, 0));
    sw_plan *one, *both;
    assert_int_equal(golive_with_state(p, "desk", PLAN_STAGE_LIVE,
                                       "2027-01-04T08:00:00Z", &one), SW_OK);
    assert_null(golive_later_live(one, 0));
    assert_int_equal(golive_with_state(one, "notes", PLAN_STAGE_LIVE,
                                       "2027-02-01T08:00:00Z", &both), SW_OK);
    const plan_stage *later = golive_later_live(both, 0);
    assert_non_null(later);
    assert_string_equal(later->id, "notes");
    assert_null(golive_later_live(both, 1));
    plan_free(both);
    plan_free(one);
    plan_free(p);
}

static void no_data_blocks(void **state)
{
    (void)state;
    sw_plan *p = plan();
    sw_plan *live;
    assert_int_equal(golive_with_state(p, "desk", PLAN_STAGE_LIVE,
                                       "2027-01-04T08:00:00Z", &live), SW_OK);
    golive_check c[GOLIVE_MAX_CHECKS];
    size_t failed;
    golive_inputs in = { 0 };
    in.data[PLAN_GATE_TRAINING].state = GATE_NO_DATA;
    snprintf(in.data[PLAN_GATE_TRAINING].detail, 200, "No data yet.");
    size_t n = golive_evaluate(live, 1, &in, c, &failed);
    assert_int_equal(failed, 1);
    const golive_check *k = find(c, n, "training_completion");
    assert_false(k->passed);
    assert_non_null(strstr(k->message, "blocks"));
    assert_true(find(c, n, "earlier_stages")->passed);
    in.data[PLAN_GATE_TRAINING].state = GATE_PASSED;
    golive_evaluate(live, 1, &in, c, &failed);
    assert_int_equal(failed, 0);
    in.data[PLAN_GATE_TRAINING].state = GATE_FAILED;
    golive_evaluate(live, 1, &in, c, &failed);
    assert_int_equal(failed, 1);
    plan_free(live);
    plan_free(p);
}

static void lint_errors_block(void **state)
{
    (void)state;
    sw_plan *p = plan();
    golive_check c[GOLIVE_MAX_CHECKS];
    size_t failed;
    static const char *const both[] = { "support", "downtime" };
    golive_inputs in = { .ticked = both, .nticked = 2, .lint_errors = 2,
                         .lint_first = "Stage 'X' turns on Y before Z." };
    size_t n = golive_evaluate(p, 0, &in, c, &failed);
    assert_int_equal(failed, 1);
    const golive_check *k = find(c, n, "lint");
    assert_false(k->passed);
    assert_non_null(strstr(k->message, "2 errors"));
    assert_non_null(strstr(k->message, "Stage 'X'"));
    plan_free(p);
}

static void earlier_stage_not_live_blocks(void **state)
{
    (void)state;
    sw_plan *p = plan();
    golive_check c[GOLIVE_MAX_CHECKS];
    size_t failed;
    golive_inputs in = { 0 };
    in.data[PLAN_GATE_TRAINING].state = GATE_PASSED;
    size_t n = golive_evaluate(p, 1, &in, c, &failed);
    assert_int_equal(failed, 1);
    const golive_check *k = find(c, n, "earlier_stages");
    assert_false(k->passed);
    assert_non_null(strstr(k->message, "'Desk'"));
    /* A rolled-back earlier stage blocks too. */
    sw_plan *live, *back;
    assert_int_equal(golive_with_state(p, "desk", PLAN_STAGE_LIVE,
                                       "2027-01-04T08:00:00Z", &live), SW_OK);
    assert_int_equal(golive_with_state(live, "desk", PLAN_STAGE_ROLLED_BACK,
                                       "2027-01-05T08:00:00Z", &back), SW_OK);
    assert_int_equal(back->stages[0].state, PLAN_STAGE_ROLLED_BACK);
    assert_string_equal(back->stages[0].live_at, "2027-01-04T08:00:00Z");
    assert_string_equal(back->stages[0].rolled_back_at, "2027-01-05T08:00:00Z");
    golive_evaluate(back, 1, &in, c, &failed);
    assert_int_equal(failed, 1);
    assert_non_null(strstr(find(c, n, "earlier_stages")->message, "rolled back"));
    sw_plan *none;
    assert_int_equal(golive_with_state(p, "nope", PLAN_STAGE_LIVE,
                                       "2027-01-04T08:00:00Z", &none), SW_ENOTFOUND);
    plan_free(back);
    plan_free(live);
    plan_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checklist_ticked_or_not),
        cmocka_unit_test(a_later_live_stage_is_found),
        cmocka_unit_test(no_data_blocks),
        cmocka_unit_test(lint_errors_block),
        cmocka_unit_test(earlier_stage_not_live_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
