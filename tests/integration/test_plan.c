/* test_plan.c - the implementation plan's /api and `stagewise plan`
 * against the real server, on each store: the templates listed and
 * applied (Big Bang), the plan read back with who changed it; a stale
 * version refused with 409 version_conflict and an invalid plan with a
 * 400 naming the member, nothing written; history with who and why;
 * readable diffs; the linter's findings on a deliberately bad plan (a
 * prerequisite error, a coupling warning quoting its half-paper
 * sentence); only the implementation lead reads or changes the plan;
 * every change audited as plan_change; and the command line on the same
 * database (apply-template, show, lint's exit status, set, history,
 * diff). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testapi.h"

/* A plan with problems on purpose: documentation before the registration
 * it needs, and orders without results in the same stage. */
#define BAD_PLAN \
    "{\"stages\":[" \
    "{\"id\":\"notes\",\"name\":\"Notes\",\"target_date\":\"2027-01-04\"," \
    "\"modules\":[\"documentation\",\"orders\"],\"cohort\":{\"kind\":\"everyone\"}}," \
    "{\"id\":\"desk\",\"name\":\"Desk\",\"target_date\":\"2027-02-01\"," \
    "\"modules\":[\"registration\",\"scheduling\",\"results\"],\"cohort\":{\"kind\":\"everyone\"}}]}"

static void lead(sw_test_env *e, char *auth, size_t cap)
{
    sw_test_sign_in_new_user(e, "lead.plan", "implementation_lead", auth, cap);
}

static long put_plan(sw_test_env *e, const char *auth, const char *plan,
                     int version, const char *comment, json_t **out)
{
    size_t cap = strlen(plan) + 256;
    char *body = malloc(cap);
    snprintf(body, cap, "{\"plan\":%s,\"version\":%d%s%s%s}", plan, version,
             comment ? ",\"comment\":\"" : "", comment ? comment : "",
             comment ? "\"" : "");
    long status = sw_test_call(e, auth, "PUT", "/api/plan", body, out);
    free(body);
    return status;
}

static bool has_change(json_t *changes, const char *line)
{
    size_t i;
    json_t *v;
    json_array_foreach(changes, i, v)
        if (strcmp(json_string_value(v), line) == 0)
            return true;
    return false;
}

static void templates_and_big_bang(void **state)
{
    sw_test_env *e = *state;
    char auth[512];
    lead(e, auth, sizeof auth);
    json_t *doc = sw_test_get_json(e, auth, "/api/plan");
    assert_int_equal(json_integer_value(json_object_get(doc, "version")), 0);
    assert_true(json_is_null(json_object_get(doc, "plan")));
    json_decref(doc);

    doc = sw_test_get_json(e, auth, "/api/plan/templates");
    json_t *list = json_object_get(doc, "templates");
    assert_true(json_array_size(list) >= 3);
    assert_string_equal(sw_test_str(doc, "templates.0.name"), "big-bang");
    assert_non_null(strstr(sw_test_str(doc, "templates.0.description"), "Choose it when"));
    json_decref(doc);

    assert_int_equal(sw_test_call(e, auth, "POST", "/api/plan/template",
                                  "{\"template\":\"big-bang\",\"start\":\"2027-01-04\"}",
                                  &doc), 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
    assert_int_equal(json_integer_value(json_object_get(doc, "errors")), 0);
    assert_true(json_array_size(json_object_get(doc, "lint")) > 0);
    json_decref(doc);

    doc = sw_test_get_json(e, auth, "/api/plan");
    assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
    assert_string_equal(sw_test_str(doc, "plan.stages.0.id"), "go-live");
    assert_string_equal(sw_test_str(doc, "plan.stages.0.target_date"), "2027-03-01");
    assert_string_equal(sw_test_str(doc, "plan.stages.0.cohort.kind"), "everyone");
    assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(
        json_object_get(doc, "plan"), "stages"), 0), "modules")), 12);
    assert_string_equal(sw_test_str(doc, "updated_by"), "lead.plan");
    assert_non_null(sw_test_str(doc, "updated_at"));
    json_decref(doc);

    /* Unknown templates and dates are named. */
    static const sw_test_bad_body cases[] = {
        { "{\"template\":\"overnight\"}", "template" },
        { "{\"template\":\"big-bang\",\"start\":\"2027-02-30\"}", "start" },
        { "{\"template\":\"big-bang\",\"colour\":1}", "colour" },
        { "{}", "template" },
    };
    sw_test_expect_400s(e, auth, "/api/plan/template", cases, sizeof cases / sizeof cases[0]);
    sw_test_expect_audited(e, "action=plan_change", "rollout.plan", NULL);
}

static void versions_history_and_diff(void **state)
{
    sw_test_env *e = *state;
    char auth[512];
    lead(e, auth, sizeof auth);
    json_t *doc;
    assert_int_equal(sw_test_call(e, auth, "POST", "/api/plan/template",
        "{\"template\":\"front-office-first\",\"start\":\"2027-01-04\",\"version\":0}",
        &doc), 200);
    json_decref(doc);

    /* Read it, move billing two weeks, save with the version read. */
    doc = sw_test_get_json(e, auth, "/api/plan");
    json_t *plan = json_object_get(doc, "plan");
    json_t *billing = json_array_get(json_object_get(plan, "stages"), 3);
    assert_string_equal(json_string_value(json_object_get(billing, "id")), "billing");
    json_object_set_new(billing, "target_date", json_string("2027-05-10"));
    char *text = json_dumps(plan, JSON_COMPACT);
    json_t *ans;
    /* A stale version: someone else saved meanwhile. */
    assert_int_equal(put_plan(e, auth, text, 0, NULL, &ans), 409);
    assert_string_equal(sw_test_str(ans, "error.code"), "version_conflict");
    json_decref(ans);
    /* An invalid plan: 400 naming the member, nothing written. */
    const char *bad = "{\"stages\":[{\"id\":\"a\",\"name\":\"A\",\"target_date\":\"2027-01-04\","
                      "\"modules\":[\"registration\"],\"cohort\":{\"kind\":\"roles\","
                      "\"roles\":[\"doctor\"]}}]}";
    assert_int_equal(put_plan(e, auth, bad, 1, NULL, &ans), 400);
    assert_non_null(strstr(sw_test_str(ans, "error.message"), "stages[0].cohort.roles[0]"));
    assert_string_equal(sw_test_str(ans, "error.details.0.path"), "stages[0].cohort.roles[0]");
    json_decref(ans);
    json_t *h = sw_test_get_json(e, auth, "/api/plan/history");
    assert_int_equal(json_array_size(json_object_get(h, "versions")), 1);
    json_decref(h);

    assert_int_equal(put_plan(e, auth, text, 1, "billing waits for the PMS vendor", &ans), 200);
    assert_int_equal(json_integer_value(json_object_get(ans, "version")), 2);
    json_decref(ans);
    free(text);
    json_decref(doc);

    h = sw_test_get_json(e, auth, "/api/plan/history");
    assert_int_equal(json_array_size(json_object_get(h, "versions")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(
        json_object_get(h, "versions"), 0), "version")), 2);
    assert_string_equal(sw_test_str(h, "versions.0.by"), "lead.plan");
    assert_string_equal(sw_test_str(h, "versions.0.comment"), "billing waits for the PMS vendor");
    assert_string_equal(sw_test_str(h, "versions.1.comment"),
                        "applied the template front-office-first");
    assert_non_null(sw_test_str(h, "versions.1.at"));
    json_decref(h);

    doc = sw_test_get_json(e, auth, "/api/plan/versions/1");
    assert_string_equal(sw_test_str(doc, "plan.stages.3.target_date"), "2027-04-26");
    json_decref(doc);
    assert_int_equal(sw_test_get(e, auth, "/api/plan/versions/9", NULL), 404);
    assert_int_equal(sw_test_get(e, auth, "/api/plan/versions/x", NULL), 404);

    doc = sw_test_get_json(e, auth, "/api/plan/diff?from=1&to=2");
    json_t *changes = json_object_get(doc, "changes");
    assert_int_equal(json_array_size(changes), 1);
    assert_true(has_change(changes, "target date of 'Billing' moved from 2027-04-26 to 2027-05-10"));
    json_decref(doc);
    doc = sw_test_get_json(e, auth, "/api/plan/diff?from=0&to=1");
    assert_true(has_change(json_object_get(doc, "changes"),
        "stage 'Front office' added (target date 2027-02-01, modules registration, scheduling)"));
    json_decref(doc);
    assert_int_equal(sw_test_get(e, auth, "/api/plan/diff?from=1", NULL), 400);
    assert_int_equal(sw_test_get(e, auth, "/api/plan/diff?from=1&to=7", NULL), 404);
}

static void lint_explains_a_bad_plan(void **state)
{
    sw_test_env *e = *state;
    char auth[512];
    lead(e, auth, sizeof auth);
    json_t *ans;
    assert_int_equal(put_plan(e, auth, BAD_PLAN, 0, NULL, &ans), 200);
    assert_true(json_integer_value(json_object_get(ans, "errors")) >= 1);
    json_decref(ans);
    json_t *doc = sw_test_get_json(e, auth, "/api/plan/lint");
    assert_true(json_integer_value(json_object_get(doc, "errors")) >= 1);
    assert_true(json_integer_value(json_object_get(doc, "warnings")) >= 1);
    bool prereq = false, coupling = false;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(doc, "findings"), i, f) {
        const char *code = json_string_value(json_object_get(f, "code"));
        const char *msg = json_string_value(json_object_get(f, "message"));
        const char *sev = json_string_value(json_object_get(f, "severity"));
        if (strcmp(code, "prerequisite_not_live") == 0
            && strcmp(sev, "error") == 0
            && strstr(msg, "Visit documentation") && strstr(msg, "Registration")) {
            prereq = true;
            assert_string_equal(json_string_value(json_object_get(f, "stage")), "notes");
            assert_string_equal(json_string_value(json_object_get(f, "module")),
                                "documentation");
        }
        if (strcmp(code, "coupled_modules_split") == 0 && strcmp(sev, "warning") == 0
            && strstr(msg, "orders leave electronically but their results come "
                      "back on paper"))
            coupling = true;
    }
    assert_true(prereq);
    assert_true(coupling);
    json_decref(doc);
}

static void only_the_implementation_lead(void **state)
{
    sw_test_env *e = *state;
    char auth[512], desk[512];
    lead(e, auth, sizeof auth);
    sw_test_sign_in_new_user(e, "desk.plan", "front_desk", desk, sizeof desk);
    /* The env's user is a physician and practice administrator: the
     * permission table gives the plan to the implementation lead alone. */
    static const char *const reads[] = {
        "/api/plan", "/api/plan/templates", "/api/plan/lint", "/api/plan/history",
        "/api/plan/diff?from=0&to=1", "/api/plan/versions/1",
    };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        assert_int_equal(sw_test_get(e, e->auth, reads[i], NULL), 403);
        assert_int_equal(sw_test_get(e, desk, reads[i], NULL), 403);
    }
    assert_int_equal(put_plan(e, e->auth, BAD_PLAN, 0, NULL, NULL), 403);
    assert_int_equal(sw_test_post(e, desk, "/api/plan/template",
                                  "{\"template\":\"big-bang\"}", NULL), 403);
    json_t *doc = sw_test_get_json(e, auth, "/api/plan");
    assert_int_equal(json_integer_value(json_object_get(doc, "version")), 0);
    json_decref(doc);
}

/* Runs `stagewise plan ARGS… --db DB`; the exit status, stdout in *out. */
static int plan_cmd(sw_test_env *e, const char *a1, const char *a2,
                    const char *a3, char **out, char **err)
{
    const char *args[8] = { "plan" };
    size_t n = 1;
    if (a1) args[n++] = a1;
    if (a2) args[n++] = a2;
    if (a3) args[n++] = a3;
    args[n++] = "--db";
    args[n++] = e->db;
    args[n] = NULL;
    return sw_test_run(args, NULL, out, err);
}

static void the_command_line(void **state)
{
    sw_test_env *e = *state;
    char *out = NULL, *err = NULL;
    assert_int_equal(plan_cmd(e, "show", NULL, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "no plan yet"));
    free(out); free(err);
    assert_int_equal(plan_cmd(e, "apply-template", "clinical-first",
                              "--start=2027-01-04", &out, &err), 0);
    assert_non_null(strstr(out, "Plan version 1 saved"));
    free(out); free(err);
    assert_int_equal(plan_cmd(e, "show", NULL, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "The chart"));
    assert_non_null(strstr(out, "2027-02-01"));
    free(out); free(err);
    assert_int_equal(plan_cmd(e, "show", "--json", NULL, &out, &err), 0);
    assert_non_null(strstr(out, "\"scheduling-billing\""));
    free(out); free(err);
    assert_int_equal(plan_cmd(e, "lint", NULL, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "0 errors"));
    free(out); free(err);

    /* A plan file whose dates go backwards: saved, and lint exits 1. */
    char path[4096];
    snprintf(path, sizeof path, "%s/plan-%d.json", getenv("STAGEWISE_TEST_TMP"),
             (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"stages\":[{\"id\":\"chart\",\"name\":\"The chart\",\"target_date\":\"2027-03-01\","
          "\"modules\":[\"registration\",\"scheduling\"],\"cohort\":{\"kind\":\"everyone\"}},"
          "{\"id\":\"later\",\"name\":\"Later\",\"target_date\":\"2027-02-01\","
          "\"modules\":[\"documentation\"],\"cohort\":{\"kind\":\"everyone\"}}]}", f);
    fclose(f);
    assert_int_equal(plan_cmd(e, "set", path, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "Plan version 2 saved"));
    free(out); free(err);
    assert_int_equal(plan_cmd(e, "lint", NULL, NULL, &out, &err), 1);
    assert_non_null(strstr(out, "before stage 'The chart'"));
    free(out); free(err);
    /* An invalid file names the member and saves nothing. */
    f = fopen(path, "w");
    fputs("{\"stages\":[{\"id\":\"x\",\"name\":\"X\",\"target_date\":\"2027-03-01\","
          "\"modules\":[\"telepathy\"],\"cohort\":{\"kind\":\"everyone\"}}]}", f);
    fclose(f);
    assert_int_equal(plan_cmd(e, "set", path, NULL, &out, &err), 1);
    assert_non_null(strstr(err, "stages[0].modules[0]"));
    free(out); free(err);
    unlink(path);

    assert_int_equal(plan_cmd(e, "history", NULL, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "cli:"));
    assert_int_equal(sw_test_count(out, "\n"), 2);
    free(out); free(err);
    assert_int_equal(plan_cmd(e, "diff", "1", "2", &out, &err), 0);
    assert_non_null(strstr(out, "stage 'Scheduling and billing' removed"));
    assert_non_null(strstr(out, "target date of 'The chart' moved from 2027-02-01 to 2027-03-01"));
    free(out); free(err);
    assert_int_equal(plan_cmd(e, "diff", "1", NULL, &out, &err), 2);
    free(out); free(err);
    assert_int_equal(plan_cmd(e, "show", "--version", "1", &out, &err), 0);
    assert_non_null(strstr(out, "Plan version 1"));
    free(out); free(err);

    /* The server reads what the command line wrote, and the audit trail
     * has both changes. */
    char auth[512];
    lead(e, auth, sizeof auth);
    json_t *doc = sw_test_get_json(e, auth, "/api/plan");
    assert_int_equal(json_integer_value(json_object_get(doc, "version")), 2);
    assert_non_null(strstr(sw_test_str(doc, "updated_by"), "cli:"));
    json_decref(doc);
    char *trail = sw_test_get_text(e, e->auth, "/api/audit?action=plan_change");
    assert_non_null(strstr(trail, "version 1"));
    assert_non_null(strstr(trail, "version 2"));
    assert_non_null(strstr(trail, "rollout.plan"));
    free(trail);
}

/* Runs `stagewise plan ARGS… --db DB` (args NULL-terminated). */
static int plan_argv(sw_test_env *e, const char *const *args, char **out,
                     char **err)
{
    const char *all[16] = { "plan" };
    size_t n = 1;
    for (size_t i = 0; args[i] && n < 13; i++)
        all[n++] = args[i];
    all[n++] = "--db";
    all[n++] = e->db;
    all[n] = NULL;
    return sw_test_run(all, NULL, out, err);
}

static void the_command_line_goes_live(void **state)
{
    sw_test_env *e = *state;
    char *out = NULL, *err = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/golive-%d.json", getenv("STAGEWISE_TEST_TMP"),
             (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"stages\":[{\"id\":\"front\",\"name\":\"Front office\",\"target_date\":\"2027-03-01\","
          "\"modules\":[\"registration\",\"scheduling\"],\"cohort\":{\"kind\":\"everyone\"},"
          "\"gates\":[{\"kind\":\"checklist\",\"items\":[{\"id\":\"downtime\","
          "\"text\":\"Downtime forms printed\"}]}]}]}", f);
    fclose(f);
    assert_int_equal(plan_argv(e, (const char *[]){ "set", path, NULL }, &out, &err), 0);
    free(out); free(err);
    unlink(path);

    /* The unticked checklist blocks: gates and go-live say so, exit 1. */
    assert_int_equal(plan_argv(e, (const char *[]){ "gates", "front", NULL }, &out, &err), 1);
    assert_non_null(strstr(out, "FAIL   checklist"));
    assert_non_null(strstr(out, "may not go live"));
    free(out); free(err);
    assert_int_equal(plan_argv(e, (const char *[]){ "go-live", "front", NULL }, &out, &err), 1);
    assert_non_null(strstr(err, "cannot go live: 1 gate failed"));
    free(out); free(err);
    assert_int_equal(plan_argv(e, (const char *[]){ "gates", "nosuch", NULL }, &out, &err), 1);
    assert_non_null(strstr(err, "no stage 'nosuch'"));
    free(out); free(err);
    /* Forcing needs a reason; with one the stage is live, audited. */
    assert_int_equal(plan_argv(e, (const char *[]){ "go-live", "front", "--force", NULL }, &out, &err), 2);
    assert_non_null(strstr(err, "--force needs --reason"));
    free(out); free(err);
    assert_int_equal(plan_argv(e, (const char *[]){ "go-live", "front", "--force",
                                                    "--reason", "pilot week agreed", NULL }, &out, &err), 0);
    assert_non_null(strstr(out, "Front office is live"));
    free(out); free(err);
    assert_int_equal(plan_argv(e, (const char *[]){ "go-live", "front", NULL }, &out, &err), 1);
    assert_non_null(strstr(err, "live already"));
    free(out); free(err);
    char auth[512];
    lead(e, auth, sizeof auth);
    json_t *doc = sw_test_get_json(e, auth, "/api/plan");
    json_t *stage = json_array_get(json_object_get(json_object_get(doc, "plan"), "stages"), 0);
    assert_string_equal(sw_test_str(stage, "state"), "live");
    json_decref(doc);

    /* Rollback needs a reason, then makes the stage rolled back. */
    assert_int_equal(plan_argv(e, (const char *[]){ "rollback", "front", NULL }, &out, &err), 2);
    free(out); free(err);
    assert_int_equal(plan_argv(e, (const char *[]){ "rollback", "front", "--reason",
                                                    "scheduling rules wrong", NULL }, &out, &err), 0);
    assert_non_null(strstr(out, "rolled_back"));
    free(out); free(err);
    assert_int_equal(plan_argv(e, (const char *[]){ "rollback", "front", "--reason", "again", NULL },
                               &out, &err), 1);
    assert_non_null(strstr(err, "only a live stage"));
    free(out); free(err);
    char *trail = sw_test_get_text(e, e->auth, "/api/audit?action=go_live");
    assert_non_null(strstr(trail, "forced"));
    assert_non_null(strstr(trail, "rolled back"));
    assert_non_null(strstr(trail, "cli:"));
    free(trail);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(templates_and_big_bang,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(versions_history_and_diff,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(lint_explains_a_bad_plan,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(only_the_implementation_lead,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(the_command_line,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(the_command_line_goes_live,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
