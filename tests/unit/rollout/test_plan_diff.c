/* test_plan_diff.c - readable differences between plan versions
 * (src/rollout/plan_diff.c): stages matched by id, each kind of change
 * one sentence, positions reported only when a stage really moved, and
 * nothing for identical plans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "plan_test.h"
#include "rollout/plan_diff.h"

static bool has(const plan_changes *c, const char *line)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->items[i], line) == 0)
            return true;
    return false;
}

static void print(const plan_changes *c)
{
    for (size_t i = 0; i < c->n; i++)
        printf("  %s\n", c->items[i]);
}

#define V1 "{'stages':[" \
    "{'id':'desk','name':'Front office','target_date':'2027-01-04','modules':['registration','scheduling']," \
    "'cohort':{'kind':'everyone'},'gates':[{'kind':'training_completion','percent':80}," \
    "{'kind':'checklist','items':[{'id':'a','text':'Desk ready'},{'id':'b','text':'Phones'}]}]}," \
    "{'id':'notes','name':'Documentation','target_date':'2027-02-01','modules':['documentation','vitals']," \
    "'cohort':{'kind':'everyone'}}," \
    "{'id':'billing','name':'Billing','target_date':'2027-03-01','modules':['charge_capture']," \
    "'cohort':{'kind':'everyone'},'gates':[{'kind':'interface_tests'}]}]}"

#define V2 "{'max_plan_weeks':20,'stages':[" \
    "{'id':'desk','name':'Front desk','target_date':'2027-01-04','modules':['registration','scheduling']," \
    "'cohort':{'kind':'roles','roles':['front_desk']},'gates':[{'kind':'training_completion','percent':90}," \
    "{'kind':'checklist','items':[{'id':'a','text':'Desk is ready'},{'id':'c','text':'Printers'}]}]}," \
    "{'id':'notes','name':'Documentation','target_date':'2027-02-08','modules':['documentation','problems']," \
    "'cohort':{'kind':'everyone'},'gates':[{'kind':'proficiency','percent':80}]}," \
    "{'id':'rx','name':'Prescribing','target_date':'2027-02-15','modules':['eprescribing']," \
    "'cohort':{'kind':'everyone'}}]}"

static void changes_read_like_sentences(void **state)
{
    (void)state;
    sw_plan *a = plan_test_parse_ok(V1), *b = plan_test_parse_ok(V2);
    plan_changes c;
    assert_int_equal(plan_diff(a, b, &c), SW_OK);
    print(&c);
    static const char *const want[] = {
        "max_plan_weeks changed from 26 to 20",
        "stage 'Front office' renamed to 'Front desk'",
        "cohort of 'Front desk' changed from everyone to roles front_desk",
        "stage 'Front desk': gate training completion 90% (was 80%)",
        "stage 'Front desk': checklist item \"Desk ready\" now reads \"Desk is ready\"",
        "stage 'Front desk': added checklist item \"Printers\"",
        "stage 'Front desk': removed checklist item \"Phones\"",
        "target date of 'Documentation' moved from 2027-02-01 to 2027-02-08",
        "stage 'Documentation': added module problems",
        "stage 'Documentation': removed module vitals",
        "stage 'Documentation': added gate proficiency 80%",
        "stage 'Prescribing' added (target date 2027-02-15, modules eprescribing)",
        "stage 'Billing' removed",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!has(&c, want[i]))
            fail_msg("missing: %s", want[i]);
    assert_int_equal(c.n, sizeof want / sizeof want[0]);
    json_t *j = plan_changes_json(&c);
    assert_int_equal(json_array_size(j), c.n);
    json_decref(j);
    plan_changes_free(&c);
    plan_free(a);
    plan_free(b);
}

static void moves_and_no_changes(void **state)
{
    (void)state;
    sw_plan *a = plan_test_parse_ok(V1);
    plan_changes c;
    assert_int_equal(plan_diff(a, a, &c), SW_OK);
    assert_int_equal(c.n, 0);
    plan_changes_free(&c);
    /* Nothing before: every stage is added. */
    assert_int_equal(plan_diff(NULL, a, &c), SW_OK);
    assert_int_equal(c.n, 3);
    assert_true(has(&c, "stage 'Front office' added (target date 2027-01-04, "
                    "modules registration, scheduling)"));
    plan_changes_free(&c);
    /* Swapping two stages moves them; removing the first moves nothing. */
    sw_plan *b = plan_test_parse_ok("{'stages':["
        PT_STAGE("notes", "2027-01-04", "'documentation'") ","
        PT_STAGE("desk", "2027-01-04", "'registration'") "]}");
    sw_plan *c1 = plan_test_parse_ok("{'stages':["
        PT_STAGE("desk", "2027-01-04", "'registration'") ","
        PT_STAGE("notes", "2027-01-04", "'documentation'") "]}");
    assert_int_equal(plan_diff(c1, b, &c), SW_OK);
    print(&c);
    assert_true(has(&c, "stage 'notes' moved from position 2 to 1"));
    assert_true(has(&c, "stage 'desk' moved from position 1 to 2"));
    plan_changes_free(&c);
    sw_plan *d = plan_test_parse_ok("{'stages':[" PT_STAGE("notes", "2027-01-04", "'documentation'") "]}");
    assert_int_equal(plan_diff(c1, d, &c), SW_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.items[0], "stage 'desk' removed");
    plan_changes_free(&c);
    plan_free(a);
    plan_free(b);
    plan_free(c1);
    plan_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(changes_read_like_sentences),
        cmocka_unit_test(moves_and_no_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
