/* test_plan_lint.c - the plan linter (src/rollout/plan_lint.c), rule by
 * rule: a plan that triggers it (with the finding's severity, stage,
 * module and the words a practice manager reads) and a close plan that
 * does not. The super-user roster is given as an empty roster unless the
 * test is about it, so other rules' findings stand alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "plan_test.h"
#include "rollout/plan_lint.h"

/* Everyone at a small practice: 12 people. */
static const plan_lint_user people[] = {
    { "dr.a", "physician" }, { "dr.b", "physician" }, { "np.c", "advanced_practice" },
    { "rn.d", "nurse" }, { "rn.e", "nurse" }, { "ma.f", "medical_assistant" },
    { "ma.g", "medical_assistant" }, { "desk.h", "front_desk" },
    { "desk.i", "front_desk" }, { "bill.j", "biller" },
    { "admin.k", "practice_admin" }, { "lead.l", "implementation_lead" },
};

#define MAX_KEPT 64
static sw_plan *kept[MAX_KEPT];
static size_t nkept;

static int free_kept(void **state)
{
    (void)state;
    for (size_t i = 0; i < nkept; i++)
        plan_free(kept[i]);
    nkept = 0;
    return 0;
}

static const char *const one[] = { "dr.a" };
static const char *const two[] = { "dr.a", "rn.d" };

/* Lints text with the people above and a roster where every module has
 * two super-users unless roster says otherwise. */
static plan_findings lint_with(const char *text, const plan_super_users *roster,
                               size_t nroster, bool no_roster)
{
    sw_plan *p;
    plan_issues is;
    if (plan_test_parse(text, &p, &is) != SW_OK)
        fail_msg("refused: %s: %s", is.items[0].path, is.items[0].message);
    static plan_super_users all[16];
    static const char *const ids[] = {
        "registration", "scheduling", "documentation", "problems", "allergies",
        "medications", "vitals", "eprescribing", "orders", "results",
        "immunizations", "charge_capture",
    };
    for (size_t i = 0; i < 12; i++)
        all[i] = (plan_super_users){ ids[i], two, 2 };
    plan_lint_input in = {
        .plan = p, .users = people, .nusers = sizeof people / sizeof people[0],
        .users_known = true,
        .super_users = no_roster ? NULL : roster ? roster : all,
        .nsuper_users = roster ? nroster : 12,
    };
    plan_findings f;
    assert_int_equal(plan_lint(&in, &f), SW_OK);
    /* Findings point into the plan: keep it until the group ends. */
    assert_true(nkept < MAX_KEPT);
    kept[nkept++] = p;
    return f;
}

static plan_findings lint(const char *text)
{
    return lint_with(text, NULL, 0, false);
}

/* The finding with this code, or NULL. */
static const plan_finding *find(const plan_findings *f, const char *code)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->items[i].code, code) == 0)
            return &f->items[i];
    return NULL;
}

static void expect(const plan_findings *f, const char *code, plan_severity sev,
                   const char *stage, const char *module, const char *words)
{
    const plan_finding *it = find(f, code);
    if (it == NULL)
        fail_msg("no %s finding among %zu", code, f->n);
    assert_int_equal(it->severity, sev);
    if (stage)
        assert_string_equal(it->stage, stage);
    else
        assert_null(it->stage);
    if (module)
        assert_string_equal(it->module, module);
    if (strstr(it->message, words) == NULL)
        fail_msg("%s: \"%s\" lacks \"%s\"", code, it->message, words);
}

static void none(plan_findings *f, const char *code)
{
    const plan_finding *it = find(f, code);
    if (it)
        fail_msg("unexpected %s: %s", code, it->message);
    plan_findings_free(f);
}

/* ---- Prerequisites ------------------------------------------------------- */

static void prerequisite_not_live(void **state)
{
    (void)state;
    /* Documentation needs registration: later, absent, or for others. */
    plan_findings f = lint("{'stages':[" PT_STAGE("notes", "2027-01-04", "'documentation'") ","
                           PT_STAGE("desk", "2027-02-01", "'registration'") "]}");
    expect(&f, PLAN_LINT_PREREQUISITE, PLAN_LINT_ERROR, "notes", "documentation",
           "Visit documentation, which needs Registration first, but Registration "
           "comes only later, in stage 'desk'");
    plan_findings_free(&f);
    f = lint("{'stages':[" PT_STAGE("notes", "2027-01-04", "'documentation'") "]}");
    expect(&f, PLAN_LINT_PREREQUISITE, PLAN_LINT_ERROR, "notes", "documentation",
           "no stage of the plan turns on Registration");
    plan_findings_free(&f);
    f = lint("{'stages':[{'id':'desk','name':'Desk','target_date':'2027-01-04',"
             "'modules':['registration'],'cohort':{'kind':'roles','roles':['front_desk']}},"
             PT_STAGE("notes", "2027-02-01", "'documentation'") "]}");
    expect(&f, PLAN_LINT_PREREQUISITE, PLAN_LINT_ERROR, "notes", "documentation",
           "for other people");
    plan_findings_free(&f);

    /* Same stage, earlier stage for the same or more people, or live. */
    f = lint("{'stages':[" PT_STAGE("all", "2027-01-04", "'documentation','registration'") "]}");
    none(&f, PLAN_LINT_PREREQUISITE);
    f = lint("{'stages':[" PT_STAGE("desk", "2027-01-04", "'registration'") ","
             "{'id':'notes','name':'Notes','target_date':'2027-02-01','modules':['documentation'],"
             "'cohort':{'kind':'roles','roles':['physician']}}]}");
    none(&f, PLAN_LINT_PREREQUISITE);
    f = lint("{'stages':[{'id':'desk','name':'Desk','target_date':'2027-01-04',"
             "'modules':['registration'],'cohort':{'kind':'roles','roles':['physician','nurse']}},"
             "{'id':'pilot','name':'Pilot','target_date':'2027-02-01','modules':['documentation'],"
             "'cohort':{'kind':'users','users':['dr.a','rn.d']}}]}");
    none(&f, PLAN_LINT_PREREQUISITE);
    f = lint("{'stages':[" PT_STAGE("notes", "2027-01-04", "'documentation'") ","
             "{'id':'desk','name':'Desk','target_date':'2027-02-01','modules':['registration'],"
             "'cohort':{'kind':'everyone'},'state':'live','live_at':'2027-01-01T08:00:00Z'}]}");
    none(&f, PLAN_LINT_PREREQUISITE);
    /* A users cohort naming someone the roles cohort does not hold. */
    f = lint("{'stages':[{'id':'desk','name':'Desk','target_date':'2027-01-04',"
             "'modules':['registration'],'cohort':{'kind':'roles','roles':['physician']}},"
             "{'id':'pilot','name':'Pilot','target_date':'2027-02-01','modules':['documentation'],"
             "'cohort':{'kind':'users','users':['dr.a','rn.d']}}]}");
    expect(&f, PLAN_LINT_PREREQUISITE, PLAN_LINT_ERROR, "pilot", "documentation", "other people");
    plan_findings_free(&f);
}

static void charge_capture_needs_interface_gate(void **state)
{
    (void)state;
    plan_findings f = lint("{'stages':[" PT_STAGE("all", "2027-01-04",
        "'registration','documentation','charge_capture'") "]}");
    expect(&f, PLAN_LINT_CHARGE_INTERFACE, PLAN_LINT_ERROR, "all", "charge_capture",
           "without an interface tests gate");
    plan_findings_free(&f);
    f = lint("{'stages':[{'id':'all','name':'All','target_date':'2027-01-04',"
             "'modules':['registration','documentation','charge_capture'],"
             "'cohort':{'kind':'everyone'},'gates':[{'kind':'interface_tests'}]}]}");
    none(&f, PLAN_LINT_CHARGE_INTERFACE);
}

static void coupled_modules_split(void **state)
{
    (void)state;
    plan_findings f = lint("{'stages':[" PT_STAGE("a", "2027-01-04",
        "'registration','scheduling','orders','documentation'") ","
        PT_STAGE("b", "2027-02-01", "'results'") "]}");
    expect(&f, PLAN_LINT_COUPLING, PLAN_LINT_WARNING, "a", "orders",
           "orders leave electronically but their results come back on paper");
    /* Once per pair, though each lists the other. */
    size_t n = 0;
    for (size_t i = 0; i < f.n; i++)
        n += strcmp(f.items[i].code, PLAN_LINT_COUPLING) == 0;
    assert_int_equal(n, 1);
    plan_findings_free(&f);
    /* Results first: the results' own sentence. */
    f = lint("{'stages':[" PT_STAGE("a", "2027-01-04", "'registration','scheduling','results'") ","
             PT_STAGE("b", "2027-02-01", "'documentation','orders'") "]}");
    expect(&f, PLAN_LINT_COUPLING, PLAN_LINT_WARNING, "a", "results",
           "results arrive electronically for orders written on paper");
    plan_findings_free(&f);
    f = lint("{'stages':[" PT_STAGE("a", "2027-01-04",
        "'registration','scheduling','orders','documentation','results'") "]}");
    none(&f, PLAN_LINT_COUPLING);
}

static void too_much_change(void **state)
{
    (void)state;
    plan_findings f = lint("{'max_modules_per_stage':3,'stages':[" PT_STAGE("a", "2027-01-04",
        "'registration','scheduling','documentation','problems'") "]}");
    expect(&f, PLAN_LINT_TOO_MUCH_CHANGE, PLAN_LINT_WARNING, "a", NULL,
           "changes 4 modules at once for everyone, more than the 3");
    plan_findings_free(&f);
    f = lint("{'max_modules_per_stage':4,'stages':[" PT_STAGE("a", "2027-01-04",
        "'registration','scheduling','documentation','problems'") "]}");
    none(&f, PLAN_LINT_TOO_MUCH_CHANGE);
}

static void change_fatigue(void **state)
{
    (void)state;
    plan_findings f = lint("{'max_plan_weeks':10,'stages':["
        PT_STAGE("a", "2027-01-04", "'registration','scheduling'") ","
        PT_STAGE("b", "2027-03-22", "'documentation','problems'") "]}");
    expect(&f, PLAN_LINT_FATIGUE, PLAN_LINT_WARNING, NULL, NULL,
           "runs 11 weeks from its first to its last target date, more than 10");
    plan_findings_free(&f);
    f = lint("{'max_plan_weeks':11,'stages':["
             PT_STAGE("a", "2027-01-04", "'registration','scheduling'") ","
             PT_STAGE("b", "2027-03-22", "'documentation','problems'") "]}");
    none(&f, PLAN_LINT_FATIGUE);
}

#define ALL_MODULES "'registration','scheduling','documentation','problems','allergies'," \
    "'medications','vitals','eprescribing','orders','results','immunizations','charge_capture'"

static void big_bang_gates(void **state)
{
    (void)state;
    plan_findings f = lint("{'stages':[" PT_STAGE("go", "2027-01-04", ALL_MODULES) "]}");
    expect(&f, PLAN_LINT_BB_INTERFACE, PLAN_LINT_WARNING, "go", NULL,
           "full interface test suite");
    expect(&f, PLAN_LINT_BB_TRAINING, PLAN_LINT_WARNING, "go", NULL,
           "no training completion gate");
    plan_findings_free(&f);
    f = lint("{'stages':[{'id':'go','name':'Go','target_date':'2027-01-04','modules':["
             ALL_MODULES "],'cohort':{'kind':'everyone'},'gates':[{'kind':'interface_tests'},"
             "{'kind':'training_completion','percent':90}]}]}");
    none(&f, PLAN_LINT_BB_INTERFACE);
    f = lint("{'stages':[{'id':'go','name':'Go','target_date':'2027-01-04','modules':["
             ALL_MODULES "],'cohort':{'kind':'everyone'},'gates':[{'kind':'interface_tests'},"
             "{'kind':'training_completion','percent':90}]}]}");
    none(&f, PLAN_LINT_BB_TRAINING);
    /* One module short is not Big Bang. */
    f = lint("{'stages':[" PT_STAGE("go", "2027-01-04", "'registration','scheduling'") "]}");
    none(&f, PLAN_LINT_BB_INTERFACE);
}

static void dates_go_backwards(void **state)
{
    (void)state;
    plan_findings f = lint("{'stages':[" PT_STAGE("a", "2027-02-01", "'registration'") ","
                           PT_STAGE("b", "2027-01-04", "'scheduling'") "]}");
    expect(&f, PLAN_LINT_DATES_BACKWARDS, PLAN_LINT_ERROR, "b", NULL,
           "is due on 2027-01-04, before stage 'a' (2027-02-01)");
    plan_findings_free(&f);
    f = lint("{'stages':[" PT_STAGE("a", "2027-02-01", "'registration'") ","
             PT_STAGE("b", "2027-02-01", "'scheduling'") "]}");
    none(&f, PLAN_LINT_DATES_BACKWARDS);
}

static void super_users(void **state)
{
    (void)state;
    const char *plan = "{'stages':[" PT_STAGE("a", "2027-01-04", "'registration','scheduling'") "]}";
    /* No roster yet: one warning per module. */
    plan_findings f = lint_with(plan, NULL, 0, true);
    expect(&f, PLAN_LINT_NO_SUPER_USERS, PLAN_LINT_WARNING, "a", "registration",
           "No super-users designated yet for Registration");
    size_t n = 0;
    for (size_t i = 0; i < f.n; i++)
        n += strcmp(f.items[i].code, PLAN_LINT_NO_SUPER_USERS) == 0;
    assert_int_equal(n, 2);
    plan_findings_free(&f);
    /* A roster: none for scheduling, one for twelve people. */
    plan_super_users roster[] = { { "registration", one, 1 } };
    f = lint_with(plan, roster, 1, false);
    expect(&f, PLAN_LINT_FEW_SUPER_USERS, PLAN_LINT_WARNING, "a", "registration",
           "1 super-user for the 12 people");
    const plan_finding *it = find(&f, PLAN_LINT_NO_SUPER_USERS);
    assert_non_null(it);
    assert_string_equal(it->module, "scheduling");
    plan_findings_free(&f);
    /* Two for twelve is enough. */
    plan_super_users enough[] = { { "registration", two, 2 }, { "scheduling", two, 2 } };
    f = lint_with(plan, enough, 2, false);
    none(&f, PLAN_LINT_FEW_SUPER_USERS);
    f = lint_with(plan, enough, 2, false);
    none(&f, PLAN_LINT_NO_SUPER_USERS);
}

static void errors_come_first(void **state)
{
    (void)state;
    plan_findings f = lint_with("{'stages':[" PT_STAGE("a", "2027-02-01", "'registration'") ","
                                PT_STAGE("b", "2027-01-04", "'scheduling'") "]}", NULL, 0, true);
    assert_true(f.n >= 3);
    assert_int_equal(f.items[0].severity, PLAN_LINT_ERROR);
    assert_int_equal(plan_findings_count(&f, PLAN_LINT_ERROR), 1);
    json_t *j = plan_findings_json(&f);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0),
                                                          "severity")), "error");
    json_decref(j);
    plan_findings_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prerequisite_not_live),
        cmocka_unit_test(charge_capture_needs_interface_gate),
        cmocka_unit_test(coupled_modules_split),
        cmocka_unit_test(too_much_change),
        cmocka_unit_test(change_fatigue),
        cmocka_unit_test(big_bang_gates),
        cmocka_unit_test(dates_go_backwards),
        cmocka_unit_test(super_users),
        cmocka_unit_test(errors_come_first),
    };
    return cmocka_run_group_tests(tests, NULL, free_kept);
}
