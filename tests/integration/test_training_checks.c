/* test_training_checks.c - the exercise checks that read the clinical
 * data a trainee wrote (docs/training.md "Courses and exercises": the
 * `record` and `signed_visit` kinds), on either store, through the real
 * /training/api routes and the shipped courses that use them: for the
 * documentation, results, orders, immunizations and charge-capture
 * courses a trainee who does it right, ones who do it wrong (one
 * diagnosis only, the wrong code, the wrong patient, no comment, the wrong
 * test ordered, a declined vaccine recorded as given, no test coded) and
 * one who does nothing, each exercise's done and the sentence saying what
 * is missing; and the nurses' documentation course, done without a
 * signature. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "testapi.h"
#include "testtraining.h"
#include "training/generate.h"

#define DOC "course-documentation"

static void has(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("'%s' does not say '%s'", text, part);
}

static void documentation_two_diagnoses(void **state)
{
    sw_test_env *e = *state;
    char one[512], code[512], wrong[512], none[512];
    sw_test_sign_in_new_user(e, "dr.onedx", "physician", one, sizeof one);
    sw_test_sign_in_new_user(e, "dr.wcode", "physician", code, sizeof code);
    sw_test_sign_in_new_user(e, "dr.dwrong", "physician", wrong, sizeof wrong);
    sw_test_sign_in_new_user(e, "dr.dnone", "physician", none, sizeof none);
    const char *auths[] = { e->auth, one, code, wrong, none };
    for (size_t i = 0; i < 5; i++)
        json_decref(tt_course(e, auths[i], DOC, "start"));

    /* Right: the diabetes follow-up visit coded E11.9 and I10, signed. */
    char p[80];
    tt_case_patient(e, SW_TEST_CLINICIAN, TRAINING_CASE_DIABETES, p);
    tt_visit(e, e->auth, p, TT_CODING_DM_HTN, true);
    json_t *c = tt_course(e, e->auth, DOC, "check");
    assert_true(tt_done(c, "open-visit") && tt_done(c, "write-and-code")
                && tt_done(c, "sign-note"));
    assert_non_null(sw_test_str(c, "completed_at"));
    json_decref(c);

    /* One diagnosis only: signed, but neither the coding nor the signed
     * visit is what the exercises ask. */
    tt_case_patient(e, "dr.onedx", TRAINING_CASE_DIABETES, p);
    tt_visit(e, one, p, "{\"diagnoses\":[{\"code\":\"E11.9\"}],\"procedures\":"
             "[{\"code\":\"99213\"}]}", true);
    c = tt_course(e, one, DOC, "check");
    assert_true(tt_done(c, "open-visit"));
    assert_false(tt_done(c, "write-and-code"));
    has(tt_missing(c, "write-and-code"), "Condition");
    has(tt_missing(c, "write-and-code"), "I10");
    assert_false(tt_done(c, "sign-note"));
    has(tt_missing(c, "sign-note"), "at least 2 diagnoses");
    has(tt_missing(c, "sign-note"), "was 1");
    assert_true(json_is_null(json_object_get(c, "completed_at")));
    json_decref(c);

    /* The wrong code: two diagnoses signed, but not type 2 diabetes
     * without complications. */
    tt_case_patient(e, "dr.wcode", TRAINING_CASE_DIABETES, p);
    tt_visit(e, code, p, "{\"diagnoses\":[{\"code\":\"E11.65\"},{\"code\":"
             "\"I10\"}],\"procedures\":[{\"code\":\"99213\"}]}", true);
    c = tt_course(e, code, DOC, "check");
    assert_true(tt_done(c, "sign-note"));
    assert_false(tt_done(c, "write-and-code"));
    has(tt_missing(c, "write-and-code"), "E11.9");
    json_decref(c);

    /* The wrong patient signed, the right one left unsigned. */
    char wpen[80], wdia[80];
    tt_case_patient(e, "dr.dwrong", TRAINING_CASE_PENICILLIN, wpen);
    tt_case_patient(e, "dr.dwrong", TRAINING_CASE_DIABETES, wdia);
    tt_visit(e, wrong, wpen, TT_CODING_DM_HTN, true);
    tt_visit(e, wrong, wdia, TT_CODING_DM_HTN, false);
    c = tt_course(e, wrong, DOC, "check");
    assert_true(tt_done(c, "open-visit") && tt_done(c, "write-and-code"));
    assert_false(tt_done(c, "sign-note"));
    has(tt_missing(c, "sign-note"), "documentation.sign");
    has(tt_missing(c, "sign-note"), "diabetes-followup");
    json_decref(c);

    /* Nothing. */
    c = tt_course(e, none, DOC, "check");
    assert_false(tt_done(c, "open-visit") || tt_done(c, "write-and-code")
                 || tt_done(c, "sign-note"));
    has(tt_missing(c, "sign-note"), "no visit you signed");
    json_decref(c);
}

/* Nurses neither sign nor are asked to: their variant of the course is
 * the note and its coding, and it completes without a signature. */
static void documentation_for_nurses(void **state)
{
    sw_test_env *e = *state;
    char nurse[512];
    sw_test_sign_in_new_user(e, "nurse.d", "nurse", nurse, sizeof nurse);
    json_t *list = sw_test_get_json(e, nurse, "/training/api/training/courses");
    assert_non_null(sw_test_find(json_object_get(list, "courses"), "id",
                                 "course-documentation-nursing"));
    assert_null(sw_test_find(json_object_get(list, "courses"), "id", DOC));
    json_decref(list);
    json_decref(tt_course(e, nurse, "course-documentation-nursing", "start"));
    char p[80];
    tt_case_patient(e, "nurse.d", TRAINING_CASE_DIABETES, p);
    tt_visit(e, nurse, p, TT_CODING_DM_HTN, false);
    json_t *c = tt_course(e, nurse, "course-documentation-nursing", "check");
    assert_true(tt_done(c, "open-visit") && tt_done(c, "write-and-code"));
    assert_non_null(sw_test_str(c, "completed_at"));
    json_decref(c);
}

static void results_sign_off_with_follow_up(void **state)
{
    sw_test_env *e = *state;
    char bare[512], none[512], nurse[512];
    sw_test_sign_in_new_user(e, "dr.bare", "physician", bare, sizeof bare);
    sw_test_sign_in_new_user(e, "dr.rnone", "physician", none, sizeof none);
    sw_test_sign_in_new_user(e, "nurse.r", "nurse", nurse, sizeof nurse);
    const char *auths[] = { e->auth, bare, none, nurse };
    for (size_t i = 0; i < 4; i++)
        json_decref(tt_course(e, auths[i], "course-results", "start"));

    /* Right: reviewed, then signed off with the follow-up as a comment. */
    tt_sign_off_result(e, e->auth, SW_TEST_CLINICIAN, true,
                       "Repeat fasting glucose and HbA1c in one week.");
    json_t *c = tt_course(e, e->auth, "course-results", "check");
    assert_true(tt_done(c, "review-result") && tt_done(c, "sign-off-with-follow-up"));
    assert_non_null(sw_test_str(c, "completed_at"));
    json_decref(c);
    /* A nurse can do the whole course. */
    tt_sign_off_result(e, nurse, "nurse.r", true, "Call the patient about it.");
    c = tt_course(e, nurse, "course-results", "check");
    assert_non_null(sw_test_str(c, "completed_at"));
    json_decref(c);

    /* Wrong: signed off unread and without a word of follow-up. */
    tt_sign_off_result(e, bare, "dr.bare", false, NULL);
    c = tt_course(e, bare, "course-results", "check");
    assert_false(tt_done(c, "review-result"));
    has(tt_missing(c, "review-result"), "results.read");
    assert_false(tt_done(c, "sign-off-with-follow-up"));
    has(tt_missing(c, "sign-off-with-follow-up"), "no Communication");
    has(tt_missing(c, "sign-off-with-follow-up"), "pending-result");
    json_decref(c);

    /* Nothing. */
    c = tt_course(e, none, "course-results", "check");
    assert_false(tt_done(c, "review-result") || tt_done(c, "sign-off-with-follow-up"));
    has(tt_missing(c, "sign-off-with-follow-up"), "results.sign_off");
    json_decref(c);
}

#define STREP_VISIT "{\"diagnoses\":[{\"code\":\"J02.9\"}],\"procedures\":" \
    "[{\"code\":\"99213\"},{\"code\":\"87880\"}]}"

static void charge_capture_test_charged(void **state)
{
    sw_test_env *e = *state;
    char level[512], none[512];
    sw_test_sign_in_new_user(e, "dr.level", "physician", level, sizeof level);
    sw_test_sign_in_new_user(e, "dr.cnone", "physician", none, sizeof none);
    const char *auths[] = { e->auth, level, none };
    for (size_t i = 0; i < 3; i++)
        json_decref(tt_course(e, auths[i], "course-charge-capture", "start"));

    /* Right: both exercises, the strep test charged beside the visit. */
    char p[80];
    tt_case_patient(e, SW_TEST_CLINICIAN, TRAINING_CASE_DIABETES, p);
    tt_visit(e, e->auth, p, TT_CODING_DM_HTN, true);
    tt_case_patient(e, SW_TEST_CLINICIAN, TRAINING_CASE_PENICILLIN, p);
    tt_visit(e, e->auth, p, STREP_VISIT, true);
    json_t *c = tt_course(e, e->auth, "course-charge-capture", "check");
    assert_true(tt_done(c, "sign-with-charges") && tt_done(c, "charge-a-test"));
    assert_non_null(sw_test_str(c, "completed_at"));
    json_decref(c);

    /* Wrong: the visit level alone, no test coded. */
    tt_case_patient(e, "dr.level", TRAINING_CASE_PENICILLIN, p);
    tt_visit(e, level, p, "{\"diagnoses\":[{\"code\":\"J02.9\"}],\"procedures\":"
             "[{\"code\":\"99213\"}]}", true);
    c = tt_course(e, level, "course-charge-capture", "check");
    assert_false(tt_done(c, "charge-a-test"));
    has(tt_missing(c, "charge-a-test"), "ChargeItem");
    has(tt_missing(c, "charge-a-test"), "87880");
    json_decref(c);
    /* The test coded but the visit not signed: nothing charged. */
    tt_visit(e, level, p, STREP_VISIT, false);
    c = tt_course(e, level, "course-charge-capture", "check");
    assert_false(tt_done(c, "charge-a-test"));
    json_decref(c);

    /* Nothing. */
    c = tt_course(e, none, "course-charge-capture", "check");
    assert_false(tt_done(c, "sign-with-charges") || tt_done(c, "charge-a-test"));
    has(tt_missing(c, "charge-a-test"), "no ChargeItem");
    json_decref(c);
}

static long order(sw_test_env *e, const char *auth, const char *patient,
                  const char *code)
{
    char path[160], body[200];
    snprintf(path, sizeof path, "/training/api/patients/%s/orders", patient);
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"priority\":\"routine\"}", code);
    return sw_test_call(e, auth, "POST", path, body, NULL);
}

/* The HbA1c order: the LOINC code of the order written, not any order. */
static void orders_the_right_test(void **state)
{
    sw_test_env *e = *state;
    char glucose[512], none[512];
    sw_test_sign_in_new_user(e, "dr.glucose", "physician", glucose, sizeof glucose);
    sw_test_sign_in_new_user(e, "dr.onone", "physician", none, sizeof none);
    const char *auths[] = { e->auth, glucose, none };
    for (size_t i = 0; i < 3; i++)
        json_decref(tt_course(e, auths[i], "course-orders", "start"));
    char p[80];
    tt_case_patient(e, SW_TEST_CLINICIAN, TRAINING_CASE_DIABETES, p);
    assert_int_equal(order(e, e->auth, p, "4548-4"), 201);
    json_t *c = tt_course(e, e->auth, "course-orders", "check");
    assert_true(tt_done(c, "order-hba1c"));
    json_decref(c);
    /* Wrong: a glucose instead, for the right patient. */
    tt_case_patient(e, "dr.glucose", TRAINING_CASE_DIABETES, p);
    assert_int_equal(order(e, glucose, p, "2345-7"), 201);
    c = tt_course(e, glucose, "course-orders", "check");
    assert_false(tt_done(c, "order-hba1c"));
    has(tt_missing(c, "order-hba1c"), "ServiceRequest");
    has(tt_missing(c, "order-hba1c"), "4548-4");
    json_decref(c);
    c = tt_course(e, none, "course-orders", "check");
    assert_false(tt_done(c, "order-hba1c"));
    json_decref(c);
}

static long immunize(sw_test_env *e, const char *auth, const char *patient,
                     const char *status_members)
{
    char path[160], body[300], day[16];
    time_t yesterday = time(NULL) - 86400;
    struct tm tm;
    gmtime_r(&yesterday, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    snprintf(path, sizeof path, "/training/api/patients/%s/immunizations", patient);
    snprintf(body, sizeof body, "{\"cvx\":\"140\",\"date\":\"%s\",%s}", day,
             status_members);
    return sw_test_call(e, auth, "POST", path, body, NULL);
}

/* A declined vaccine is an Immunization with status not-done; a dose
 * recorded as given is not what the exercise asks. */
static void immunizations_declined(void **state)
{
    sw_test_env *e = *state;
    char given[512], none[512];
    sw_test_sign_in_new_user(e, "nurse.given", "nurse", given, sizeof given);
    sw_test_sign_in_new_user(e, "nurse.inone", "nurse", none, sizeof none);
    const char *auths[] = { e->auth, given, none };
    for (size_t i = 0; i < 3; i++)
        json_decref(tt_course(e, auths[i], "course-immunizations", "start"));
    char p[80];
    tt_case_patient(e, SW_TEST_CLINICIAN, TRAINING_CASE_PENICILLIN, p);
    assert_int_equal(immunize(e, e->auth, p, "\"status\":\"not-done\","
                              "\"reason_not_done\":\"PATOBJ\""), 201);
    json_t *c = tt_course(e, e->auth, "course-immunizations", "check");
    assert_true(tt_done(c, "record-declined-vaccine"));
    json_decref(c);
    tt_case_patient(e, "nurse.given", TRAINING_CASE_PENICILLIN, p);
    assert_int_equal(immunize(e, given, p, "\"status\":\"completed\""), 201);
    c = tt_course(e, given, "course-immunizations", "check");
    assert_false(tt_done(c, "record-declined-vaccine"));
    has(tt_missing(c, "record-declined-vaccine"), "Immunization");
    has(tt_missing(c, "record-declined-vaccine"), "with status not-done");
    json_decref(c);
    c = tt_course(e, none, "course-immunizations", "check");
    assert_false(tt_done(c, "record-declined-vaccine"));
    json_decref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(documentation_two_diagnoses, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(documentation_for_nurses, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(results_sign_off_with_follow_up, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(orders_the_right_test, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(immunizations_declined, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(charge_capture_test_charged, sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
