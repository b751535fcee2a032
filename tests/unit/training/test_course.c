/* test_course.c - training course files (src/training/course.c): every
 * shipped file in courses/ loads, every module of the catalog has its
 * course, role variants are found by role, and bad files are refused
 * with the one sentence that names the file and the member. No database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rollout/catalog.h"
#include "training/course.h"

static void test_shipped_courses_load(void **state)
{
    (void)state;
    training_courses *c = NULL;
    sw_err err = { 0 };
    int rc = training_courses_load(SW_COURSES_DIR, &c, &err);
    if (rc != SW_OK)
        fail_msg("courses/: %s", err.msg);
    assert_non_null(c);
    assert_true(c->n >= 12);
    for (size_t i = 0; i < c->n; i++) {
        if (c->items[i].nexercises < 2)
            fail_msg("%s has %zu exercise(s): every course has two or more",
                     c->items[i].id, c->items[i].nexercises);
        assert_true(c->items[i].nexercises <= 5);
        assert_int_equal(c->items[i].pass_mark >= 1, 1);
    }
    training_courses_free(c);
}

static void test_every_module_has_its_course(void **state)
{
    (void)state;
    training_courses *c = NULL;
    sw_err err;
    assert_int_equal(training_courses_load(SW_COURSES_DIR, &c, &err), SW_OK);
    size_t n;
    const catalog_module *m = catalog_modules(&n);
    for (size_t i = 0; i < n; i++) {
        const training_course *tc = training_course_find(c, m[i].course);
        if (tc == NULL)
            fail_msg("module %s has no course %s", m[i].id, m[i].course);
        assert_string_equal(tc->module, m[i].id);
    }
    training_courses_free(c);
}

static void test_role_variants(void **state)
{
    (void)state;
    training_courses *c = NULL;
    sw_err err;
    assert_int_equal(training_courses_load(SW_COURSES_DIR, &c, &err), SW_OK);
    const training_course *clin = training_course_find(c, "course-registration");
    const training_course *desk = training_course_find(c, "course-registration-front-desk");
    assert_non_null(clin);
    assert_non_null(desk);
    assert_true(training_course_for_roles(desk, "front_desk"));
    assert_false(training_course_for_roles(clin, "front_desk"));
    assert_true(training_course_for_roles(clin, "nurse,physician"));
    assert_false(training_course_for_roles(desk, "physician"));
    /* A course without roles is for everyone. */
    const training_course *sched = training_course_find(c, "course-scheduling");
    assert_non_null(sched);
    assert_true(training_course_for_roles(sched, "biller"));
    training_courses_free(c);
}

static void test_defaults(void **state)
{
    (void)state;
    training_course tc;
    sw_err err;
    assert_int_equal(training_course_parse("x.json",
        "{\"id\":\"course-vitals\",\"module\":\"vitals\",\"title\":\"V\","
        "\"exercises\":[{\"id\":\"a\",\"title\":\"A\",\"checks\":[{\"kind\":"
        "\"audit\",\"feature\":\"vitals.create\",\"case\":\"diabetes-followup\"}]}]}",
        &tc, &err), SW_OK);
    assert_int_equal(tc.pass_mark, 80);
    assert_int_equal(tc.time_limit_minutes, 20);
    assert_int_equal(tc.exercises[0].checks[0].min, 1);
    assert_string_equal(tc.exercises[0].checks[0].case_id, "diabetes-followup");
}

/* A course of one exercise with the one check c. */
#define EX1(c) "{\"id\":\"course-vitals\",\"module\":\"vitals\",\"title\":" \
    "\"V\",\"exercises\":[{\"id\":\"a\",\"title\":\"A\",\"checks\":[" c "]}]}"

/* The record and signed-visit kinds read back as written, with their
 * defaults; every type of the record table has its code element. */
static void test_record_kinds(void **state)
{
    (void)state;
    training_course tc;
    sw_err err = { 0 };
    int rc = training_course_parse("x.json", EX1(
        "{\"kind\":\"record\",\"type\":\"Condition\",\"case\":\"diabetes-followup\","
        "\"code\":\"http://hl7.org/fhir/sid/icd-10-cm|E11.9\",\"status\":\"active\","
        "\"min\":2},{\"kind\":\"signed_visit\",\"case\":\"diabetes-followup\"},"
        "{\"kind\":\"signed_visit\",\"min_diagnoses\":2}"), &tc, &err);
    if (rc != SW_OK)
        fail_msg("%s", err.msg);
    const course_check *k = tc.exercises[0].checks;
    assert_int_equal(k[0].kind, COURSE_CHECK_RECORD);
    assert_string_equal(k[0].res_type, "Condition");
    assert_string_equal(k[0].code, "http://hl7.org/fhir/sid/icd-10-cm|E11.9");
    assert_string_equal(k[0].status, "active");
    assert_int_equal(k[0].min, 2);
    assert_int_equal(k[1].kind, COURSE_CHECK_SIGNED_VISIT);
    assert_int_equal(k[1].min_diagnoses, 1);
    assert_string_equal(k[1].case_id, "diabetes-followup");
    assert_int_equal(k[2].min_diagnoses, 2);
    assert_string_equal(k[2].case_id, "");
    const course_record_type *t = course_record_type_find("Immunization");
    assert_non_null(t);
    assert_string_equal(t->code, "vaccineCode");
    t = course_record_type_find("Condition");
    assert_true(t->status_is_concept);
    assert_string_equal(t->status, "clinicalStatus");
    assert_string_equal(course_record_type_find("MedicationStatement")->code,
                        "medicationCodeableConcept");
    assert_null(course_record_type_find("Patient"));
}

static const struct {
    const char *text;
    const char *sentence;
} bad[] = {
    { "{", "bad.json: not valid JSON at line 1" },
    { "[]", "bad.json: the file must hold one JSON object" },
    { "{\"id\":\"course-vitals\",\"module\":\"vitals\",\"title\":\"V\",\"colour\":1,"
      "\"exercises\":[]}", "bad.json: colour is not a member of a course file" },
    { "{\"id\":\"course-vitals\",\"module\":\"pharmacy\",\"title\":\"V\","
      "\"exercises\":[]}", "bad.json: module 'pharmacy' is not a module of the catalog" },
    { "{\"id\":\"course-x\",\"module\":\"vitals\",\"title\":\"V\",\"exercises\":[]}",
      "bad.json: id must be the module's course id 'course-vitals', or it "
      "followed by '-' and a variant name" },
    { "{\"id\":\"course-vitals\",\"module\":\"vitals\",\"title\":\"V\",\"exercises\":[]}",
      "bad.json: exercises must be a list of 1 to 5 exercises" },
    { "{\"id\":\"course-vitals\",\"module\":\"vitals\",\"title\":\"V\",\"pass_mark\":0,"
      "\"exercises\":[]}", "bad.json: pass_mark must be a whole number from 1 to 100" },
    { "{\"id\":\"course-vitals\",\"module\":\"vitals\",\"title\":\"V\",\"exercises\":"
      "[{\"id\":\"a\",\"title\":\"A\",\"checks\":[{\"kind\":\"guess\"}]}]}",
      "bad.json: exercises[0].checks[0].kind must be \"audit\", "
      "\"registered_patient\", \"record\" or \"signed_visit\"" },
    { "{\"id\":\"course-vitals\",\"module\":\"vitals\",\"title\":\"V\",\"exercises\":"
      "[{\"id\":\"a\",\"title\":\"A\",\"checks\":[{\"kind\":\"audit\",\"feature\":"
      "\"nothing.create\"}]}]}",
      "bad.json: exercises[0].checks[0].feature names no module of the catalog" },
    { "{\"id\":\"course-vitals\",\"module\":\"vitals\",\"title\":\"V\",\"exercises\":"
      "[{\"id\":\"a\",\"title\":\"A\",\"checks\":[{\"kind\":\"audit\"}]}]}",
      "bad.json: exercises[0].checks[0].feature must be a non-empty string of "
      "at most 63 characters" },
    { "{\"id\":\"course-vitals\",\"module\":\"vitals\",\"title\":\"V\",\"exercises\":"
      "[{\"id\":\"a\",\"title\":\"A\",\"checks\":[{\"kind\":\"registered_patient\"}]},"
      "{\"id\":\"a\",\"title\":\"B\",\"checks\":[{\"kind\":\"registered_patient\","
      "\"name_prefix\":\"T\"}]}]}",
      "bad.json: exercises[0].checks[0].name_prefix must be a non-empty string "
      "of at most 39 characters" },
    { "{\"id\":\"course-vitals\",\"module\":\"vitals\",\"title\":\"V\",\"exercises\":"
      "[{\"id\":\"a\",\"title\":\"A\",\"checks\":[{\"kind\":\"registered_patient\","
      "\"name_prefix\":\"T\"}]},{\"id\":\"a\",\"title\":\"B\",\"checks\":[{\"kind\":"
      "\"registered_patient\",\"name_prefix\":\"T\"}]}]}",
      "bad.json: exercises[1].id 'a' is used twice" },
    { "{\"id\":\"course-vitals\",\"module\":\"vitals\",\"title\":\"V\",\"exercises\":"
      "[{\"id\":\"a\",\"title\":\"A\",\"checks\":[]}]}",
      "bad.json: exercises[0].checks must be a list of 1 to 4 checks" },
    /* The record and signed-visit kinds. */
    { EX1("{\"kind\":\"record\",\"case\":\"diabetes-followup\"}"),
      "bad.json: exercises[0].checks[0].type must be a non-empty string of "
      "at most 31 characters" },
    { EX1("{\"kind\":\"record\",\"type\":\"Patient\"}"),
      "bad.json: exercises[0].checks[0].type 'Patient' is not a type a record "
      "check reads (AllergyIntolerance, ChargeItem, Communication, Composition, "
      "Condition, DiagnosticReport, Encounter, Immunization, MedicationRequest, "
      "MedicationStatement, Observation, Procedure, ServiceRequest)" },
    { EX1("{\"kind\":\"record\",\"type\":\"Condition\",\"code\":\"|E11.9\"}"),
      "bad.json: exercises[0].checks[0].code must be \"system|code\" or a code alone" },
    { EX1("{\"kind\":\"record\",\"type\":\"Condition\",\"status\":\"\"}"),
      "bad.json: exercises[0].checks[0].status must be a non-empty string of "
      "at most 31 characters" },
    { EX1("{\"kind\":\"record\",\"type\":\"Condition\",\"min\":0}"),
      "bad.json: exercises[0].checks[0].min must be a whole number from 1 to 100" },
    { EX1("{\"kind\":\"record\",\"type\":\"Condition\",\"feature\":\"problems.create\"}"),
      "bad.json: exercises[0].checks[0].feature is not a member of a \"record\" check" },
    { EX1("{\"kind\":\"record\",\"type\":\"Condition\",\"case\":\"flu\"}"),
      "bad.json: exercises[0].checks[0].case 'flu' is not a practice case "
      "(penicillin-allergy, diabetes-followup, pending-result, med-reconcile, "
      "new-registration)" },
    { EX1("{\"kind\":\"signed_visit\",\"min_diagnoses\":13}"),
      "bad.json: exercises[0].checks[0].min_diagnoses must be a whole number "
      "from 1 to 12" },
    { EX1("{\"kind\":\"signed_visit\",\"min\":2}"),
      "bad.json: exercises[0].checks[0].min is not a member of a "
      "\"signed_visit\" check" },
    { EX1("{\"kind\":\"audit\",\"feature\":\"vitals.create\",\"min_diagnoses\":2}"),
      "bad.json: exercises[0].checks[0].min_diagnoses is not a member of an "
      "\"audit\" check" },
};

static void test_bad_files_name_the_member(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        training_course tc;
        sw_err err = { 0 };
        int rc = training_course_parse("bad.json", bad[i].text, &tc, &err);
        if (rc != SW_EBADREQUEST || strcmp(err.msg, bad[i].sentence) != 0)
            fail_msg("case %zu: got %d '%s', want '%s'", i, rc, err.msg,
                     bad[i].sentence);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_courses_load),
        cmocka_unit_test(test_every_module_has_its_course),
        cmocka_unit_test(test_role_variants),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_record_kinds),
        cmocka_unit_test(test_bad_files_name_the_member),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
