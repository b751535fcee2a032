/* test_training_courses.c - courses checked from what the trainee did in
 * the training environment (docs/training.md "Courses and exercises"),
 * on either store, through the real /training/api routes: for the
 * e-prescribing and registration courses a trainee who does it right, one
 * who does it wrong and one who does nothing, each exercise's
 * done/missing; proficiency pass and fail and the go-live gates reading
 * the records, on a one-exercise course written by the test into a
 * courses directory of its own (serve --courses); records for the user
 * and the lead with the CSV export; assignments done by completing the
 * course. The record and signed-visit checks: test_training_checks.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testapi.h"
#include "testdb.h"
#include "testtraining.h"
#include "training/generate.h"

#define T TT_COURSES

static long prescribe(sw_test_env *e, const char *auth, const char *patient,
                      const char *drug, const char *dose, const char *extra)
{
    char path[160], body[1024];
    snprintf(path, sizeof path, "/training/api/patients/%s/prescriptions", patient);
    snprintf(body, sizeof body, "{\"drug\":\"%s\",\"dose\":\"%s\",\"quantity\":"
             "30,\"refills\":0,\"days_supply\":10,\"pharmacy\":\"Main Street "
             "Pharmacy\"%s%s}", drug, dose, extra ? "," : "", extra ? extra : "");
    return sw_test_call(e, auth, "POST", path, body, NULL);
}

/* The right way: an antibiotic without an alert for the allergic
 * patient, metformin renewed for the diabetic one. */
static void eprescribe_right(sw_test_env *e, const char *auth,
                             const char *username)
{
    char pen[80], dia[80];
    tt_case_patient(e, username, TRAINING_CASE_PENICILLIN, pen);
    tt_case_patient(e, username, TRAINING_CASE_DIABETES, dia);
    assert_int_equal(prescribe(e, auth, pen, "308460", "250 mg", NULL), 201);
    assert_int_equal(prescribe(e, auth, dia, "861007", "500 mg", NULL), 201);
}

static void courses_follow_roles(void **state)
{
    sw_test_env *e = *state;
    char desk[512];
    sw_test_sign_in_new_user(e, "desk.c", "front_desk", desk, sizeof desk);
    json_t *doc = sw_test_get_json(e, e->auth, "/api/training/courses");
    char *text = json_dumps(doc, 0);
    assert_non_null(strstr(text, "\"course-eprescribing\""));
    assert_non_null(strstr(text, "\"course-registration\""));
    assert_null(strstr(text, "\"course-registration-front-desk\""));
    free(text);
    json_decref(doc);
    doc = sw_test_get_json(e, desk, "/training/api/training/courses");
    text = json_dumps(doc, 0);
    assert_non_null(strstr(text, "\"course-registration-front-desk\""));
    assert_null(strstr(text, "\"course-eprescribing\""));
    free(text);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, e->auth, "GET", T "course-nope", NULL, NULL), 404);
}

static void eprescribing_right_wrong_and_nothing(void **state)
{
    sw_test_env *e = *state;
    /* Right. */
    json_decref(tt_course(e, e->auth, "course-eprescribing", "start"));
    char pen[80];
    tt_case_patient(e, SW_TEST_CLINICIAN, TRAINING_CASE_PENICILLIN, pen);
    assert_int_equal(prescribe(e, e->auth, pen, "308460", "250 mg", NULL), 201);
    json_t *c = tt_course(e, e->auth, "course-eprescribing", "check");
    assert_true(tt_done(c, "prescribe-safely"));
    assert_false(tt_done(c, "renew-metformin"));
    assert_non_null(strstr(tt_missing(c, "renew-metformin"), "diabetes-followup"));
    assert_true(json_is_null(json_object_get(c, "completed_at")));
    json_decref(c);
    char dia[80];
    tt_case_patient(e, SW_TEST_CLINICIAN, TRAINING_CASE_DIABETES, dia);
    assert_int_equal(prescribe(e, e->auth, dia, "861007", "500 mg", NULL), 201);
    c = tt_course(e, e->auth, "course-eprescribing", "check");
    assert_true(tt_done(c, "prescribe-safely") && tt_done(c, "renew-metformin"));
    assert_non_null(sw_test_str(c, "completed_at"));
    json_decref(c);
    /* Production knows nothing of it: the work was in the training store. */
    char path[160];
    snprintf(path, sizeof path, "/fhir/Patient/%s", pen);
    assert_int_equal(sw_test_get(e, e->auth, path, NULL), 404);

    /* Wrong: amoxicillin for the allergic patient, the alert overridden;
     * then the right drug for the wrong patient. */
    char wrong[512];
    sw_test_sign_in_new_user(e, "dr.wrong", "physician", wrong, sizeof wrong);
    json_decref(tt_course(e, wrong, "course-eprescribing", "start"));
    char wpen[80], wdia[80];
    tt_case_patient(e, "dr.wrong", TRAINING_CASE_PENICILLIN, wpen);
    tt_case_patient(e, "dr.wrong", TRAINING_CASE_DIABETES, wdia);
    assert_int_equal(prescribe(e, wrong, wpen, "308191", "500 mg", NULL), 409);
    assert_int_equal(prescribe(e, wrong, wpen, "308191", "500 mg",
                               "\"override_reason\":\"Tolerated before\""), 201);
    assert_int_equal(prescribe(e, wrong, wdia, "308460", "250 mg", NULL), 201);
    c = tt_course(e, wrong, "course-eprescribing", "check");
    assert_false(tt_done(c, "prescribe-safely"));
    assert_non_null(strstr(tt_missing(c, "prescribe-safely"), "penicillin-allergy"));
    /* The azithromycin was a prescription for the diabetic patient. */
    assert_true(tt_done(c, "renew-metformin"));
    json_decref(c);

    /* Nothing: every exercise missing, with a sentence. */
    char none[512];
    sw_test_sign_in_new_user(e, "dr.none", "physician", none, sizeof none);
    c = tt_course(e, none, "course-eprescribing", NULL);
    assert_false(tt_done(c, "prescribe-safely"));
    assert_non_null(tt_missing(c, "prescribe-safely"));
    assert_true(json_is_null(json_object_get(c, "started_at")));
    json_decref(c);
    json_decref(tt_course(e, none, "course-eprescribing", "start"));
    c = tt_course(e, none, "course-eprescribing", "check");
    assert_false(tt_done(c, "prescribe-safely") || tt_done(c, "renew-metformin"));
    assert_non_null(strstr(tt_missing(c, "prescribe-safely"), "eprescribing.send"));
    assert_non_null(sw_test_str(c, "started_at"));
    json_decref(c);
}

static void registration_right_and_wrong(void **state)
{
    sw_test_env *e = *state;
    char desk[512], other[512];
    sw_test_sign_in_new_user(e, "desk.r", "front_desk", desk, sizeof desk);
    sw_test_sign_in_new_user(e, "desk.o", "front_desk", other, sizeof other);
    json_decref(tt_course(e, desk, "course-registration-front-desk", "start"));
    json_decref(tt_course(e, other, "course-registration-front-desk", "start"));
    assert_int_equal(sw_test_request(e, desk, "PUT", "/training/fhir/Patient/reg-1",
        SW_TEST_FHIR_JSON, "{\"resourceType\":\"Patient\",\"id\":\"reg-1\","
        "\"name\":[{\"family\":\"Trainee\",\"given\":[\"Tia\"]}]}", NULL), 201);
    /* The other one registers a patient, but not a practice one. */
    assert_int_equal(sw_test_request(e, other, "PUT", "/training/fhir/Patient/reg-2",
        SW_TEST_FHIR_JSON, "{\"resourceType\":\"Patient\",\"id\":\"reg-2\","
        "\"name\":[{\"family\":\"Smith\",\"given\":[\"Sam\"]}]}", NULL), 201);
    json_t *c = tt_course(e, desk, "course-registration-front-desk", "check");
    assert_true(tt_done(c, "register-new-patient"));
    assert_false(tt_done(c, "book-first-visit"));
    json_decref(c);
    c = tt_course(e, other, "course-registration-front-desk", "check");
    assert_false(tt_done(c, "register-new-patient"));
    assert_non_null(strstr(tt_missing(c, "register-new-patient"), "Trainee"));
    json_decref(c);
}

/* A courses directory made here holding one course of one exercise,
 * signing off the pending result: the proficiency score and the gates
 * below then depend on that exercise alone, not on what the shipped
 * results course asks. */
#define ONE "course-results-sign-off"
static const char one_course[] =
    "{\"id\":\"" ONE "\",\"module\":\"results\",\"title\":\"Sign-off\","
    "\"exercises\":[{\"id\":\"sign-off-result\",\"title\":\"Sign it off.\","
    "\"checks\":[{\"kind\":\"audit\",\"feature\":\"results.sign_off\","
    "\"case\":\"pending-result\"}]}]}";
static char one_dir[4096];

static int one_exercise_setup(void **state)
{
    char *dir = sw_test_tmpdir(), path[4200];
    snprintf(one_dir, sizeof one_dir, "%s", dir);
    free(dir);
    snprintf(path, sizeof path, "%s/results.json", one_dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    bool written = fputs(one_course, f) >= 0;
    if (fclose(f) != 0 || !written)
        return -1;
    const char *const args[] = { "--courses", one_dir, NULL };
    sw_test_env *e = calloc(1, sizeof *e);
    if (e == NULL || sw_test_env_prepare(e) != 0 || sw_test_env_serve(e, args) != 0)
        return -1;
    *state = e;
    return 0;
}

static int one_exercise_teardown(void **state)
{
    int rc = sw_test_env_teardown(state);
    char path[4200];
    snprintf(path, sizeof path, "%s/results.json", one_dir);
    unlink(path);
    rmdir(one_dir);
    return rc;
}

static json_t *proficiency(sw_test_env *e, const char *auth, const char *course,
                           const char *action)
{
    char path[200], body[64];
    snprintf(path, sizeof path, T "%s/proficiency", course);
    snprintf(body, sizeof body, "{\"action\":\"%s\"}", action);
    json_t *doc;
    assert_int_equal(sw_test_call(e, auth, "POST", path, body, &doc), 200);
    return doc;
}

static void proficiency_pass_and_fail(void **state)
{
    sw_test_env *e = *state;
    char pass[512], fail[512];
    sw_test_sign_in_new_user(e, "dr.pass", "physician", pass, sizeof pass);
    sw_test_sign_in_new_user(e, "dr.fail", "physician", fail, sizeof fail);
    /* Finishing before starting is refused; a bad action names it. */
    assert_int_equal(sw_test_call(e, pass, "POST", T ONE "/proficiency",
                                  "{\"action\":\"finish\"}", NULL), 409);
    json_t *doc;
    assert_int_equal(sw_test_call(e, pass, "POST", T ONE "/proficiency",
                                  "{\"action\":\"go\"}", &doc), 400);
    assert_non_null(strstr(sw_test_str(doc, "error.message"), "action"));
    json_decref(doc);

    json_decref(proficiency(e, pass, ONE, "start"));
    tt_sign_off_result(e, pass, "dr.pass", false, NULL);
    doc = proficiency(e, pass, ONE, "finish");
    assert_int_equal(json_integer_value(json_object_get(
        json_object_get(doc, "proficiency"), "score")), 100);
    assert_true(json_is_true(json_object_get(json_object_get(doc, "proficiency"), "passed")));
    json_decref(doc);

    json_decref(proficiency(e, fail, ONE, "start"));
    doc = proficiency(e, fail, ONE, "finish");
    assert_int_equal(json_integer_value(json_object_get(
        json_object_get(doc, "proficiency"), "score")), 0);
    assert_false(json_is_true(json_object_get(json_object_get(doc, "proficiency"), "passed")));
    json_decref(doc);
}

static void records_assignments_and_csv(void **state)
{
    sw_test_env *e = *state;
    char lead[512], later[512];
    sw_test_sign_in_new_user(e, "lead.t", "implementation_lead", lead, sizeof lead);
    sw_test_sign_in_new_user(e, "dr.later", "physician", later, sizeof later);
    json_decref(tt_course(e, e->auth, "course-results", "start"));

    /* An assignment, with its members checked. */
    json_t *doc;
    assert_int_equal(sw_test_call(e, lead, "POST", "/api/training/assignments",
        "{\"username\":\"dr.later\",\"course\":\"course-eprescribing\","
        "\"reason\":\"Before e-prescribing goes live\",\"due\":\"2027-01-31\"}",
        &doc), 201);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, lead, "POST", "/api/training/assignments",
        "{\"username\":\"dr.later\",\"course\":\"course-eprescribing\","
        "\"reason\":\"x\",\"due\":\"soon\"}", &doc), 400);
    assert_non_null(strstr(sw_test_str(doc, "error.message"), "due"));
    json_decref(doc);
    assert_int_equal(sw_test_call(e, lead, "POST", "/api/training/assignments",
        "{\"username\":\"nobody\",\"course\":\"course-eprescribing\","
        "\"reason\":\"x\",\"due\":\"2027-01-31\"}", &doc), 400);
    assert_non_null(strstr(sw_test_str(doc, "error.message"), "username"));
    json_decref(doc);
    /* Only the lead assigns. */
    assert_int_equal(sw_test_call(e, later, "POST", "/api/training/assignments",
        "{\"username\":\"dr.later\",\"course\":\"course-eprescribing\","
        "\"reason\":\"x\",\"due\":\"2027-01-31\"}", NULL), 403);
    doc = sw_test_get_json(e, later, "/api/training/assignments");
    assert_int_equal(json_array_size(json_object_get(doc, "assignments")), 1);
    assert_true(json_is_null(json_object_get(json_array_get(
        json_object_get(doc, "assignments"), 0), "done_at")));
    json_decref(doc);
    assert_int_equal(sw_test_call(e, later, "GET", "/api/training/assignments?all=1",
                                  NULL, NULL), 403);

    /* Completing the course completes the assignment. */
    json_decref(tt_course(e, later, "course-eprescribing", "start"));
    eprescribe_right(e, later, "dr.later");
    json_decref(tt_course(e, later, "course-eprescribing", "check"));
    doc = sw_test_get_json(e, later, "/training/api/training/assignments");
    assert_non_null(sw_test_str(doc, "assignments.0.done_at"));
    json_decref(doc);
    doc = sw_test_get_json(e, lead, "/api/training/assignments?all=1");
    assert_int_equal(json_array_size(json_object_get(doc, "assignments")), 1);
    json_decref(doc);

    /* Records: a user sees their own, the lead everyone's. */
    doc = sw_test_get_json(e, later, "/api/training/records");
    json_t *rows = json_object_get(doc, "records");
    assert_int_equal(json_array_size(rows), 1);
    assert_string_equal(sw_test_str(doc, "records.0.username"), "dr.later");
    assert_non_null(sw_test_str(doc, "records.0.completed_at"));
    json_decref(doc);
    doc = sw_test_get_json(e, lead, "/api/training/records");
    assert_int_equal(json_array_size(json_object_get(doc, "records")), 2);
    json_decref(doc);
    doc = sw_test_get_json(e, lead, "/api/training/records?user=dr.later&module=eprescribing");
    assert_int_equal(json_array_size(json_object_get(doc, "records")), 1);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, lead, "GET", "/api/training/records?module=nope",
                                  NULL, NULL), 400);
    char *csv = sw_test_get_text(e, lead, "/api/training/records.csv");
    assert_non_null(strstr(csv, "username,name,course,module,"));
    assert_non_null(strstr(csv, "dr.later,"));
    assert_non_null(strstr(csv, "course-results"));
    free(csv);
}

/* The data of gate kind in a GET .../gates answer. */
static json_t *gate(json_t *doc, const char *kind)
{
    json_t *v = sw_test_find(json_object_get(doc, "gates"), "gate", kind);
    if (v == NULL)
        fail_msg("no gate %s", kind);
    return v;
}

static void gates_read_the_records(void **state)
{
    sw_test_env *e = *state;
    char lead[512], a[512], b[512];
    sw_test_sign_in_new_user(e, "lead.g", "implementation_lead", lead, sizeof lead);
    sw_test_sign_in_new_user(e, "dr.ga", "physician", a, sizeof a);
    sw_test_sign_in_new_user(e, "dr.gb", "physician", b, sizeof b);
    assert_int_equal(sw_test_call(e, lead, "PUT", "/api/plan", "{\"version\":0,"
        "\"plan\":{\"stages\":[{\"id\":\"results\",\"name\":\"Results\","
        "\"target_date\":\"2027-03-01\",\"modules\":[\"results\"],\"cohort\":"
        "{\"kind\":\"users\",\"users\":[\"dr.ga\",\"dr.gb\"]},\"gates\":["
        "{\"kind\":\"training_completion\",\"percent\":80},"
        "{\"kind\":\"proficiency\",\"percent\":80}]}]}}", NULL), 200);
    /* No records: no data, which blocks. */
    json_t *doc = sw_test_get_json(e, lead, "/api/plan/stages/results/gates");
    assert_false(json_is_true(json_object_get(doc, "can_go_live")));
    assert_string_equal(sw_test_str(gate(doc, "training_completion"), "data.state"), "no_data");
    assert_string_equal(sw_test_str(gate(doc, "proficiency"), "data.state"), "no_data");
    json_decref(doc);

    /* Half the cohort trained: failed at 50%. */
    json_decref(tt_course(e, a, ONE, "start"));
    tt_sign_off_result(e, a, "dr.ga", false, NULL);
    json_decref(tt_course(e, a, ONE, "check"));
    doc = sw_test_get_json(e, lead, "/api/plan/stages/results/gates");
    assert_string_equal(sw_test_str(gate(doc, "training_completion"), "data.state"), "failed");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(
        gate(doc, "training_completion"), "data"), "percent")), 50);
    json_decref(doc);

    /* Everyone trained and proficient: both pass. */
    json_decref(proficiency(e, b, ONE, "start"));
    tt_sign_off_result(e, b, "dr.gb", false, NULL);
    json_decref(proficiency(e, b, ONE, "finish"));
    json_decref(tt_course(e, b, ONE, "check"));
    /* dr.ga's own attempt: the work again after the start. Their result is
     * signed already, so the attempt scores 0 and fails. */
    json_decref(proficiency(e, a, ONE, "start"));
    json_t *pa = proficiency(e, a, ONE, "finish");
    assert_false(json_is_true(json_object_get(json_object_get(pa, "proficiency"), "passed")));
    json_decref(pa);
    doc = sw_test_get_json(e, lead, "/api/plan/stages/results/gates");
    assert_string_equal(sw_test_str(gate(doc, "training_completion"), "data.state"), "passed");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(
        gate(doc, "training_completion"), "data"), "percent")), 100);
    assert_string_equal(sw_test_str(gate(doc, "proficiency"), "data.state"), "failed");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(
        gate(doc, "proficiency"), "data"), "percent")), 50);
    json_decref(doc);
}

/* Without a training environment nothing is generated or checked in
 * production. */
static int no_training_setup(void **state)
{
    sw_test_env *e = calloc(1, sizeof *e);
    static const char *const args[] = { "--no-training", NULL };
    if (e == NULL || sw_test_env_prepare(e) != 0 || sw_test_env_serve(e, args) != 0)
        return -1;
    *state = e;
    return 0;
}

static void no_environment_no_training(void **state)
{
    sw_test_env *e = *state;
    json_t *doc;
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/training/courses/"
                                  "course-results/start", NULL, &doc), 409);
    assert_non_null(strstr(sw_test_str(doc, "error.message"), "no training environment"));
    json_decref(doc);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/training/courses/"
                                  "course-results/check", NULL, NULL), 409);
    /* The catalog is still there to read. */
    doc = sw_test_get_json(e, e->auth, "/api/training/courses/course-results");
    assert_false(json_is_true(json_object_get(json_array_get(
        json_object_get(doc, "exercises"), 0), "done")));
    json_decref(doc);
    doc = sw_test_get_json(e, e->auth, "/fhir/Patient?identifier="
                           "urn:stagewise:training:trainee%7Cdr.test");
    assert_int_equal(json_array_size(json_object_get(doc, "entry")), 0);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(courses_follow_roles, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(eprescribing_right_wrong_and_nothing, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(registration_right_and_wrong, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(proficiency_pass_and_fail, one_exercise_setup, one_exercise_teardown),
        cmocka_unit_test_setup_teardown(records_assignments_and_csv, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(gates_read_the_records, one_exercise_setup, one_exercise_teardown),
        cmocka_unit_test_setup_teardown(no_environment_no_training, no_training_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
