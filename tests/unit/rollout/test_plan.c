/* test_plan.c - the plan model (src/rollout/plan.c): every member checked
 * with a message naming its path, all problems reported at once, the
 * canonical JSON round trip, dates, and what a plan edit may not change
 * (the state of a stage that went live). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "plan_test.h"

#define FULL_PLAN \
    "{'max_modules_per_stage':4,'max_plan_weeks':30,'stages':[" \
    "{'id':'front','name':'Front office','target_date':'2027-01-04'," \
    "'modules':['registration','scheduling'],'cohort':{'kind':'everyone'}," \
    "'gates':[{'kind':'training_completion','percent':80}," \
    "{'kind':'checklist','items':[{'id':'desk','text':'Desk ready'}]}]," \
    "'state':'planned'}," \
    "{'id':'clinic','name':'Clinic','target_date':'2027-02-01'," \
    "'modules':['documentation','problems'],'cohort':{'kind':'roles'," \
    "'roles':['physician','nurse']},'gates':[{'kind':'proficiency','percent':75}," \
    "{'kind':'previous_benchmarks','percent':70},{'kind':'interface_tests'}]," \
    "'state':'live','live_at':'2027-02-01T08:00:00Z'}," \
    "{'id':'pilot','name':'Pilot','target_date':'2027-03-01'," \
    "'modules':['vitals'],'cohort':{'kind':'users','users':['dr.a','rn.b']}," \
    "'gates':[],'state':'planned'}]}"

static void a_full_plan_round_trips(void **state)
{
    (void)state;
    sw_plan *p;
    plan_issues is;
    int rc = plan_test_parse(FULL_PLAN, &p, &is);
    if (rc != SW_OK)
        fail_msg("refused: %s: %s", is.items[0].path, is.items[0].message);
    assert_int_equal(p->nstages, 3);
    assert_int_equal(p->max_modules_per_stage, 4);
    assert_int_equal(p->max_plan_weeks, 30);
    assert_int_equal(p->stages[1].cohort.kind, PLAN_COHORT_ROLES);
    assert_int_equal(p->stages[1].cohort.n, 2);
    assert_int_equal(p->stages[1].state, PLAN_STAGE_LIVE);
    assert_non_null(plan_stage_gate(&p->stages[1], PLAN_GATE_INTERFACE));
    assert_int_equal(plan_stage_gate(&p->stages[0], PLAN_GATE_CHECKLIST)->nitems, 1);
    assert_string_equal(plan_stage_of_module(p, "vitals")->id, "pilot");

    json_t *out = plan_to_json(p);
    char *text = json_dumps(out, JSON_COMPACT);
    sw_plan *again;
    assert_int_equal(plan_from_text(text, strlen(text), &again, &is), SW_OK);
    json_t *out2 = plan_to_json(again);
    assert_true(json_equal(out, out2));
    /* The input, with its defaults spelled out, is what comes back. */
    char *in = plan_test_quotes(FULL_PLAN);
    json_t *orig = json_loads(in, 0, NULL);
    assert_true(json_equal(orig, out));
    free(in);
    json_decref(orig);
    free(text);
    json_decref(out);
    json_decref(out2);
    plan_free(again);
    plan_free(p);
}

static void defaults_are_filled(void **state)
{
    (void)state;
    sw_plan *p;
    plan_issues is;
    assert_int_equal(plan_test_parse("{'stages':[" PT_STAGE("a", "2027-01-04",
        "'registration'") "]}", &p, &is), SW_OK);
    assert_int_equal(p->max_modules_per_stage, PLAN_DEFAULT_MAX_MODULES_PER_STAGE);
    assert_int_equal(p->max_plan_weeks, PLAN_DEFAULT_MAX_PLAN_WEEKS);
    assert_int_equal(p->stages[0].state, PLAN_STAGE_PLANNED);
    assert_int_equal(p->stages[0].ngates, 0);
    plan_free(p);
}

/* A plan with one member wrong, the path the problem must name and a word
 * of its message. */
static const struct bad_case {
    const char *plan, *path, *words;
} bad_cases[] = {
    { "[]", "", "JSON object" },
    { "{'stages':[]}", "stages", "at least one stage" },
    { "{'stages':[" PT_STAGE("a", "2027-01-04", "'registration'") "],'colour':1}",
      "colour", "not a member" },
    { "{'max_modules_per_stage':0,'stages':[" PT_STAGE("a", "2027-01-04", "'registration'") "]}",
      "max_modules_per_stage", "1 to 12" },
    { "{'max_plan_weeks':'long','stages':[" PT_STAGE("a", "2027-01-04", "'registration'") "]}",
      "max_plan_weeks", "whole number" },
    { "{'stages':[{'name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'}}]}", "stages[0].id", "required" },
    { "{'stages':[" PT_STAGE("Front Office", "2027-01-04", "'registration'") "]}",
      "stages[0].id", "lower-case" },
    { "{'stages':[" PT_STAGE("a", "2027-01-04", "'registration'") ","
      PT_STAGE("a", "2027-02-04", "'scheduling'") "]}", "stages[1].id", "unique" },
    { "{'stages':[{'id':'a','name':'Same','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'}},{'id':'b','name':'same','target_date':'2027-01-04',"
      "'modules':['scheduling'],'cohort':{'kind':'everyone'}}]}", "stages[1].name", "unique" },
    { "{'stages':[" PT_STAGE("a", "2027-02-30", "'registration'") "]}",
      "stages[0].target_date", "YYYY-MM-DD" },
    { "{'stages':[" PT_STAGE("a", "27-01-04", "'registration'") "]}",
      "stages[0].target_date", "YYYY-MM-DD" },
    { "{'stages':[" PT_STAGE("a", "2027-01-04", "") "]}", "stages[0].modules", "at least one" },
    { "{'stages':[" PT_STAGE("a", "2027-01-04", "'registration','billing'") "]}",
      "stages[0].modules[1]", "'billing' is not a module" },
    { "{'stages':[" PT_STAGE("a", "2027-01-04", "'registration','registration'") "]}",
      "stages[0].modules[1]", "twice" },
    { "{'stages':[" PT_STAGE("a", "2027-01-04", "'registration'") ","
      PT_STAGE("b", "2027-02-04", "'scheduling','registration'") "]}",
      "stages[1].modules[1]", "already in stage 'a'" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration']}]}",
      "stages[0].cohort", "required" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'some'}}]}", "stages[0].cohort.kind", "everyone, roles or users" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'roles','roles':['nurse','doctor']}}]}",
      "stages[0].cohort.roles[1]", "'doctor' is not a role" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'roles','roles':[]}}]}", "stages[0].cohort.roles", "at least one role" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'users','users':['a b']}}]}", "stages[0].cohort.users[0]", "username" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone','users':['x']}}]}", "stages[0].cohort.users", "does not belong" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'},'gates':[{'kind':'luck'}]}]}",
      "stages[0].gates[0].kind", "not a kind of gate" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'},'gates':[{'kind':'training_completion','percent':101}]}]}",
      "stages[0].gates[0].percent", "1 to 100" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'},'gates':[{'kind':'proficiency'}]}]}",
      "stages[0].gates[0].percent", "1 to 100" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'},'gates':[{'kind':'interface_tests','percent':50}]}]}",
      "stages[0].gates[0].percent", "does not belong" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'},'gates':[{'kind':'interface_tests'},{'kind':'interface_tests'}]}]}",
      "stages[0].gates[1].kind", "already has" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'},'gates':[{'kind':'previous_benchmarks','percent':70}]}]}",
      "stages[0].gates[0].kind", "no previous stage" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'},'gates':[{'kind':'checklist','items':[]}]}]}",
      "stages[0].gates[0].items", "at least one item" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'},'gates':[{'kind':'checklist','items':[{'id':'x','text':''}]}]}]}",
      "stages[0].gates[0].items[0].text", "1 to 300" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'},'gates':[{'kind':'checklist','items':[{'id':'x','text':'a'},"
      "{'id':'x','text':'b'}]}]}]}", "stages[0].gates[0].items[1].id", "another item" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'},'state':'done'}]}", "stages[0].state", "planned, live or rolled_back" },
    { "{'stages':[{'id':'a','name':'A','target_date':'2027-01-04','modules':['registration'],"
      "'cohort':{'kind':'everyone'},'live_at':'yesterday'}]}", "stages[0].live_at", "instant" },
};

static void each_member_is_named(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        sw_plan *p = (sw_plan *)1;
        plan_issues is;
        int rc = plan_test_parse(bad_cases[i].plan, &p, &is);
        if (rc != SW_EINVAL)
            fail_msg("case %zu (%s): accepted", i, bad_cases[i].path);
        assert_null(p);
        bool found = false;
        for (size_t k = 0; k < is.n && !found; k++)
            found = strcmp(is.items[k].path, bad_cases[i].path) == 0
                 && strstr(is.items[k].message, bad_cases[i].words) != NULL;
        if (!found)
            fail_msg("case %zu: no issue at %s with \"%s\"; first: %s: %s", i,
                     bad_cases[i].path, bad_cases[i].words, is.items[0].path,
                     is.items[0].message);
    }
}

static void every_problem_is_reported(void **state)
{
    (void)state;
    sw_plan *p;
    plan_issues is;
    assert_int_equal(plan_test_parse("{'stages':[{'id':'A','name':'','target_date':'x',"
        "'modules':['nope'],'cohort':{'kind':'roles','roles':['king']}}]}", &p, &is),
        SW_EINVAL);
    assert_true(is.n >= 5);
    char first[400];
    plan_issues_first(&is, first, sizeof first);
    assert_non_null(strstr(first, "stages[0].id: "));
    json_t *j = plan_issues_json(&is);
    assert_int_equal(json_array_size(j), is.n);
    json_decref(j);
    /* Not JSON at all. */
    assert_int_equal(plan_from_text("{", 1, &p, &is), SW_EINVAL);
    assert_non_null(strstr(is.items[0].message, "not valid JSON"));
}

static void dates(void **state)
{
    (void)state;
    int64_t d;
    assert_true(plan_date_parse("1970-01-01", &d));
    assert_int_equal(d, 0);
    assert_true(plan_date_parse("2028-02-29", &d));
    char out[11];
    plan_date_format(d + 1, out);
    assert_string_equal(out, "2028-03-01");
    assert_false(plan_date_parse("2027-02-29", &d));
    assert_false(plan_date_parse("2027-13-01", &d));
    assert_false(plan_date_parse("2027-1-01", &d));
    assert_false(plan_date_parse("2027-01-01T00:00", &d));
    assert_true(plan_date_parse("2026-11-25", &d));
    assert_int_equal(plan_day_of_ms(1795608000000LL), d);   /* 2026-11-25T12:00Z */
    plan_date_format(d + 28, out);
    assert_string_equal(out, "2026-12-23");
}

static void live_stages_are_kept(void **state)
{
    (void)state;
    sw_plan *cur = plan_test_parse_ok(FULL_PLAN);
    sw_err err;
    /* The same plan again, with a planned stage's date moved: fine. */
    char *text = plan_test_quotes(FULL_PLAN);
    char *moved = strdup(text);
    memcpy(strstr(moved, "2027-03-01"), "2027-03-08", 10);
    sw_plan *next;
    plan_issues is;
    assert_int_equal(plan_from_text(moved, strlen(moved), &next, &is), SW_OK);
    assert_int_equal(plan_check_change(cur, next, &err), SW_OK);
    plan_free(next);
    /* A planned stage cannot be made live by an edit. */
    sw_plan *bad = plan_test_parse_ok("{'stages':[" PT_STAGE("x", "2027-01-04", "'registration'")
                            "]}");
    assert_int_equal(plan_check_change(NULL, bad, &err), SW_OK);
    plan_free(bad);
    bad = plan_test_parse_ok("{'stages':[{'id':'x','name':'X','target_date':'2027-01-04',"
                   "'modules':['registration'],'cohort':{'kind':'everyone'},"
                   "'state':'live','live_at':'2027-01-04T08:00:00Z'}]}");
    assert_int_equal(plan_check_change(NULL, bad, &err), SW_ECONFLICT);
    assert_non_null(strstr(err.msg, "'x'"));
    plan_free(bad);
    /* The live stage cannot be removed, set back, or change modules. */
    bad = plan_test_parse_ok("{'stages':[" PT_STAGE("front", "2027-01-04", "'registration'") "]}");
    assert_int_equal(plan_check_change(cur, bad, &err), SW_ECONFLICT);
    assert_non_null(strstr(err.msg, "'clinic'"));
    plan_free(bad);
    bad = plan_test_parse_ok("{'stages':[" PT_STAGE("front", "2027-01-04", "'registration','scheduling'") ","
                   "{'id':'clinic','name':'Clinic','target_date':'2027-02-01',"
                   "'modules':['documentation'],'cohort':{'kind':'everyone'},"
                   "'state':'live','live_at':'2027-02-01T08:00:00Z'}]}");
    assert_int_equal(plan_check_change(cur, bad, &err), SW_ECONFLICT);
    assert_non_null(strstr(err.msg, "modules"));
    plan_free(bad);
    bad = plan_test_parse_ok("{'stages':[" PT_STAGE("front", "2027-01-04", "'registration','scheduling'") ","
                   "{'id':'clinic','name':'Clinic','target_date':'2027-02-01',"
                   "'modules':['problems','documentation'],'cohort':{'kind':'everyone'},"
                   "'state':'live','live_at':'2027-02-01T08:00:00Z'}]}");
    assert_int_equal(plan_check_change(cur, bad, &err), SW_ECONFLICT);
    assert_non_null(strstr(err.msg, "cohort"));
    plan_free(bad);
    /* Its date, name and gates may change; its roles in another order. */
    sw_plan *ok = plan_test_parse_ok("{'stages':[{'id':'clinic','name':'The clinic','target_date':'2027-02-08',"
                   "'modules':['problems','documentation'],'cohort':{'kind':'roles',"
                   "'roles':['nurse','physician']},"
                   "'state':'live','live_at':'2027-02-01T08:00:00Z'},"
                   PT_STAGE("front", "2027-03-04", "'registration','scheduling'") "]}");
    assert_int_equal(plan_check_change(cur, ok, &err), SW_OK);
    plan_free(ok);
    bad = plan_test_parse_ok("{'stages':[" PT_STAGE("front", "2027-01-04", "'registration','scheduling'") ","
                   PT_STAGE("clinic", "2027-02-01", "'documentation','problems'") "]}");
    assert_int_equal(plan_check_change(cur, bad, &err), SW_ECONFLICT);
    assert_non_null(strstr(err.msg, "going live or rolling back"));
    plan_free(bad);
    free(moved);
    free(text);
    plan_free(cur);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_full_plan_round_trips),
        cmocka_unit_test(defaults_are_filled),
        cmocka_unit_test(each_member_is_named),
        cmocka_unit_test(every_problem_is_reported),
        cmocka_unit_test(dates),
        cmocka_unit_test(live_stages_are_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
