/* test_decide.c - the "is module M live for user U" decision
 * (src/rollout/decide.c), table-driven over one plan: no plan at all,
 * every cohort kind, planned, live and rolled-back stages, a module in no
 * stage, per-user overrides (one module and '*'), super-users, and the
 * "when" of the answer (target date and stage name). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "plan_test.h"
#include "rollout/decide.h"

/* desk: live for everyone; notes: live for roles physician and nurse;
 * rx: planned for named users; orders: rolled back for everyone.
 * vitals and the rest are in no stage. */
#define PLAN "{'stages':[" \
    "{'id':'desk','name':'Desk','target_date':'2027-01-04','modules':['registration','scheduling']," \
    "'cohort':{'kind':'everyone'},'state':'live','live_at':'2027-01-04T08:00:00Z'}," \
    "{'id':'notes','name':'Notes','target_date':'2027-02-01','modules':['documentation','problems']," \
    "'cohort':{'kind':'roles','roles':['physician','nurse']},'state':'live','live_at':'2027-02-01T08:00:00Z'}," \
    "{'id':'rx','name':'Prescribing','target_date':'2027-03-01','modules':['eprescribing','medications','allergies']," \
    "'cohort':{'kind':'users','users':['dr.a','dr.b']}}," \
    "{'id':'orders','name':'Orders','target_date':'2027-04-05','modules':['orders','results']," \
    "'cohort':{'kind':'everyone'},'state':'rolled_back','live_at':'2027-04-05T08:00:00Z'," \
    "'rolled_back_at':'2027-04-06T08:00:00Z'}]}"

static const rollout_user DR_A  = { 1, "dr.a", "physician" };
static const rollout_user NURSE = { 2, "n.c", "nurse,medical_assistant" };
static const rollout_user DESK  = { 3, "d.d", "front_desk" };
static const rollout_user LOCUM = { 4, "l.e", "physician" };
static const rollout_user PILOT = { 5, "p.f", "front_desk" };

static rollout_table *table(void)
{
    sw_plan *p;
    plan_issues is = { 0 };
    assert_int_equal(plan_test_parse(PLAN, &p, &is), SW_OK);
    static const rollout_override ov[] = {
        { 4, "*" },                 /* the locum: everything */
        { 3, "documentation" },     /* the desk: notes, early */
    };
    static const char *const pilots[] = { "p.f" };
    static const rollout_super_users su[] = {
        { "eprescribing", pilots, 1 },
    };
    rollout_inputs in = { ov, 2, su, 1 };
    rollout_table *t = rollout_table_build(p, 7, &in);
    plan_free(p);   /* the table keeps its own copies */
    assert_non_null(t);
    assert_int_equal(rollout_table_version(t), 7);
    return t;
}

static void no_plan_everything_live(void **state)
{
    (void)state;
    rollout_table *t = rollout_table_build(NULL, 0, NULL);
    rollout_answer a;
    rollout_decide(t, "charge_capture", &DESK, &a);
    assert_true(a.live);
    assert_int_equal(a.reason, ROLLOUT_NO_PLAN);
    rollout_decide(NULL, "eprescribing", &DESK, &a);
    assert_true(a.live);
    rollout_table_free(t);
    rollout_table_free(NULL);
}

static void cases(void **state)
{
    (void)state;
    rollout_table *t = table();
    static const struct {
        const rollout_user *u;
        const char *module;
        bool live;
        rollout_reason reason;
        const char *live_from, *stage;
    } rows[] = {
        /* everyone, live */
        { &DESK,  "registration",  true,  ROLLOUT_IN_COHORT,   NULL, "Desk" },
        { &DR_A,  "scheduling",    true,  ROLLOUT_IN_COHORT,   NULL, "Desk" },
        /* roles, live: in by any role, out without one */
        { &NURSE, "documentation", true,  ROLLOUT_IN_COHORT,   NULL, "Notes" },
        { &DR_A,  "problems",      true,  ROLLOUT_IN_COHORT,   NULL, "Notes" },
        { &PILOT, "problems",      false, ROLLOUT_NOT_IN_COHORT, NULL, "Notes" },
        /* users, planned: the named user learns when */
        { &DR_A,  "eprescribing",  false, ROLLOUT_PLANNED, "2027-03-01", "Prescribing" },
        { &NURSE, "eprescribing",  false, ROLLOUT_NOT_IN_COHORT, NULL, "Prescribing" },
        /* rolled back */
        { &DR_A,  "orders",        false, ROLLOUT_ROLLED_BACK, NULL, "Orders" },
        /* no stage */
        { &DR_A,  "vitals",        false, ROLLOUT_NO_STAGE,    NULL, NULL },
        /* overrides: '*' and one module */
        { &LOCUM, "vitals",        true,  ROLLOUT_OVERRIDE,    NULL, NULL },
        { &LOCUM, "orders",        true,  ROLLOUT_OVERRIDE,    NULL, "Orders" },
        { &DESK,  "documentation", true,  ROLLOUT_OVERRIDE,    NULL, "Notes" },
        { &DESK,  "problems",      false, ROLLOUT_NOT_IN_COHORT, NULL, "Notes" },
        /* super-user: pilots before the cohort */
        { &PILOT, "eprescribing",  true,  ROLLOUT_SUPER_USER,  NULL, "Prescribing" },
        /* not a module: nothing to enforce */
        { &DESK,  "no-such-module", true, ROLLOUT_NO_PLAN,     NULL, NULL },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        rollout_answer a;
        rollout_decide(t, rows[i].module, rows[i].u, &a);
        if (a.live != rows[i].live || a.reason != rows[i].reason)
            fail_msg("row %zu (%s for %s): live %d reason %d", i,
                     rows[i].module, rows[i].u->username, a.live, a.reason);
        if (rows[i].live_from)
            assert_string_equal(a.live_from, rows[i].live_from);
        else
            assert_null(a.live_from);
        if (rows[i].stage)
            assert_string_equal(a.stage_name, rows[i].stage);
        else
            assert_null(a.stage_name);
    }
    rollout_table_free(t);
}

static void words(void **state)
{
    (void)state;
    rollout_table *t = table();
    rollout_answer a;
    char msg[300];
    rollout_decide(t, "eprescribing", &DR_A, &a);
    rollout_answer_words("eprescribing", &a, msg, sizeof msg);
    assert_string_equal(msg, "E-prescribing is not live for you yet: it goes "
                        "live on 2027-03-01 with stage 'Prescribing'.");
    rollout_decide(t, "vitals", &DR_A, &a);
    rollout_answer_words("vitals", &a, msg, sizeof msg);
    assert_string_equal(msg, "Vital signs is not live for you: no stage "
                        "includes it yet.");
    rollout_decide(t, "orders", &DR_A, &a);
    rollout_answer_words("orders", &a, msg, sizeof msg);
    assert_non_null(strstr(msg, "rolled back"));
    rollout_table_free(t);
}

/* The reasons as /api/plan/live names them, one per enum value. */
static void reason_ids(void **state)
{
    (void)state;
    static const struct { rollout_reason r; const char *id; } want[] = {
        { ROLLOUT_NO_PLAN, "no_plan" },         { ROLLOUT_IN_COHORT, "in_cohort" },
        { ROLLOUT_SUPER_USER, "super_user" },   { ROLLOUT_OVERRIDE, "override" },
        { ROLLOUT_PLANNED, "planned" },         { ROLLOUT_ROLLED_BACK, "rolled_back" },
        { ROLLOUT_NOT_IN_COHORT, "not_in_cohort" }, { ROLLOUT_NO_STAGE, "no_stage" },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_string_equal(rollout_reason_id(want[i].r), want[i].id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_plan_everything_live),
        cmocka_unit_test(cases),
        cmocka_unit_test(words),
        cmocka_unit_test(reason_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
