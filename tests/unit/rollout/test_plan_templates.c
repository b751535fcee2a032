/* test_plan_templates.c - the plan templates (src/rollout/plan_templates.c):
 * every template builds a valid plan whose dates count from the start
 * given, lints with no error (warnings are the risks each template
 * accepts, named in docs/rollout.md), and says when to choose it; Big
 * Bang is one stage with every module for everyone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rollout/catalog.h"
#include "rollout/plan.h"
#include "rollout/plan_lint.h"
#include "rollout/plan_templates.h"

static sw_plan *build(const plan_template *t, int64_t start)
{
    json_t *doc = plan_template_build(t, start);
    assert_non_null(doc);
    sw_plan *p;
    plan_issues is;
    if (plan_from_json(doc, &p, &is) != SW_OK)
        fail_msg("%s: %s: %s", t->name, is.items[0].path, is.items[0].message);
    json_decref(doc);
    return p;
}

static void every_template_is_valid_and_lints_clean(void **state)
{
    (void)state;
    int64_t start;
    assert_true(plan_date_parse("2027-01-04", &start));
    size_t n = 0;
    for (const plan_template *t; (t = plan_template_at(n)) != NULL; n++) {
        assert_ptr_equal(plan_template_find(t->name), t);
        assert_true(strlen(t->description) > 80);
        assert_non_null(strstr(t->description, "Choose it when"));
        sw_plan *p = build(t, start);
        assert_true(p->stages[0].target_day > start);
        for (size_t i = 0; i < p->nstages; i++)
            assert_int_equal(p->stages[i].state, PLAN_STAGE_PLANNED);
        /* Every module of the catalog goes live somewhere. */
        size_t nmod;
        const catalog_module *m = catalog_modules(&nmod);
        for (size_t i = 0; i < nmod; i++)
            if (plan_stage_of_module(p, m[i].id) == NULL)
                fail_msg("%s leaves out %s", t->name, m[i].id);
        plan_lint_input in = { .plan = p };
        plan_findings f;
        assert_int_equal(plan_lint(&in, &f), SW_OK);
        for (size_t i = 0; i < f.n; i++)
            if (f.items[i].severity == PLAN_LINT_ERROR)
                fail_msg("%s: %s", t->name, f.items[i].message);
        plan_findings_free(&f);
        plan_free(p);
    }
    assert_true(n >= 3);
    assert_null(plan_template_find("nope"));
    json_t *list = plan_templates_json();
    assert_int_equal(json_array_size(list), n);
    json_decref(list);
}

static void big_bang_is_one_stage_for_everyone(void **state)
{
    (void)state;
    int64_t start;
    assert_true(plan_date_parse("2027-01-04", &start));
    sw_plan *p = build(plan_template_find("big-bang"), start);
    size_t nmod;
    catalog_modules(&nmod);
    assert_int_equal(p->nstages, 1);
    assert_int_equal(p->stages[0].nmodules, nmod);
    assert_int_equal(p->stages[0].cohort.kind, PLAN_COHORT_EVERYONE);
    assert_non_null(plan_stage_gate(&p->stages[0], PLAN_GATE_INTERFACE));
    assert_non_null(plan_stage_gate(&p->stages[0], PLAN_GATE_TRAINING));
    assert_non_null(plan_stage_gate(&p->stages[0], PLAN_GATE_CHECKLIST));
    assert_string_equal(p->stages[0].target_date, "2027-03-01");
    plan_free(p);
    /* Staged: dates go forward from the start. */
    p = build(plan_template_find("front-office-first"), start);
    assert_int_equal(p->nstages, 4);
    assert_string_equal(p->stages[0].target_date, "2027-02-01");
    for (size_t i = 1; i < p->nstages; i++)
        assert_true(p->stages[i].target_day > p->stages[i - 1].target_day);
    assert_string_equal(plan_stage_of_module(p, "charge_capture")->id, "billing");
    plan_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_template_is_valid_and_lints_clean),
        cmocka_unit_test(big_bang_is_one_stage_for_everyone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
