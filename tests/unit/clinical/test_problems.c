/* test_problems.c - the problem list's rules (src/clinical/problems.c):
 * code shapes (ICD-10-CM, SNOMED CT with its check digit), dates not in
 * the future, each member's check with a message naming it, the Condition
 * written (valid R4 by the validator of src/fhir/), and how stored
 * Conditions are read: on the list or not, active, the same problem by
 * code or text, ranked, and resolved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "clinical_test.h"
#include "clinical/problems.h"
#include "fhir/fhirdate.h"
#include "fhir/validate.h"

#define RECORDER "{\"identifier\":{\"system\":\"urn:stagewise:user\"," \
                 "\"value\":\"dr.a\"},\"display\":\"Dr A\"}"

/* 2026-11-25T12:00:00Z */
static const int64_t NOW = 1795608000000LL;

static void codes_are_shaped(void **state)
{
    (void)state;
    static const char *const icd_ok[] = { "E11.9", "I10", "S52.501A", "Z00.00", "J45.909", "M1A.0" };
    static const char *const icd_bad[] = { "e11.9", "E1", "E11.", "E11.12345", "11.9", "E11-9", "E119" };
    for (size_t i = 0; i < sizeof icd_ok / sizeof icd_ok[0]; i++)
        if (!problem_icd10cm_shape(icd_ok[i]))
            fail_msg("%s refused", icd_ok[i]);
    for (size_t i = 0; i < sizeof icd_bad / sizeof icd_bad[0]; i++)
        if (problem_icd10cm_shape(icd_bad[i]))
            fail_msg("%s accepted", icd_bad[i]);
    /* Concept ids of the demo's Synthea records, and damaged ones. */
    static const char *const sct_ok[] = { "59621000", "44054006", "840539006", "10509002", "73595000" };
    static const char *const sct_bad[] = { "59621001", "44054016", "12345", "059621000", "5962100a", "1234567890123456789" };
    for (size_t i = 0; i < sizeof sct_ok / sizeof sct_ok[0]; i++)
        if (!problem_snomed_concept(sct_ok[i]))
            fail_msg("%s refused", sct_ok[i]);
    for (size_t i = 0; i < sizeof sct_bad / sizeof sct_bad[0]; i++)
        if (problem_snomed_concept(sct_bad[i]))
            fail_msg("%s accepted", sct_bad[i]);
    assert_string_equal(problem_system_uri("icd10cm"), PROBLEM_ICD10CM);
    assert_string_equal(problem_system_name(PROBLEM_SNOMED), "snomed");
    assert_null(problem_system_uri("loinc"));
}

static void dates_are_past(void **state)
{
    (void)state;
    assert_true(problem_past_date("2019-04-02", NOW, NULL));
    assert_true(problem_past_date("2026-11-25", NOW, NULL));
    /* Tomorrow in UTC is already today east of it. */
    assert_true(problem_past_date("2026-11-26", NOW, NULL));
    assert_false(problem_past_date("2026-11-27", NOW, NULL));
    assert_true(problem_past_date("2026-11-25T11:00:00Z", NOW, NULL));
    assert_true(problem_past_date("2026-11-25T07:00:00-05:00", NOW, NULL));
    assert_false(problem_past_date("2026-11-25T13:00:00Z", NOW, NULL));
    assert_false(problem_past_date("2026-11-25T10:00:00", NOW, NULL));  /* no zone */
    assert_false(problem_past_date("2026-11", NOW, NULL));
    assert_false(problem_past_date("25/11/2026", NOW, NULL));
    assert_false(problem_past_date("2026-13-01", NOW, NULL));
}

static void each_member_is_checked(void **state)
{
    (void)state;
    static const struct {
        problem_input in;
        const char   *names;
    } bad[] = {
        { { 0 }, "text" },
        { { .display = "" }, "text" },
        { { .display = "two\nlines" }, "text" },
        { { .system = PROBLEM_ICD10CM, .code = "E11.9" }, "display" },
        { { .code = "E11.9", .display = "Diabetes" }, "system" },
        { { .system = PROBLEM_ICD10CM, .code = "E1199", .display = "Diabetes" }, "code" },
        { { .system = PROBLEM_SNOMED, .code = "44054007", .display = "Diabetes" }, "code" },
        { { .display = "Asthma", .onset = "2999-01-01" }, "onset" },
        { { .display = "Asthma", .note = "" }, "note" },
    };
    sw_err err;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (problem_check(&bad[i].in, NOW, &err) != SW_EINVAL)
            fail_msg("case %zu accepted", i);
        if (strstr(err.msg, bad[i].names) == NULL)
            fail_msg("case %zu: \"%s\" does not name %s", i, err.msg, bad[i].names);
    }
    char long_text[250];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    problem_input too_long = { .display = long_text };
    assert_int_equal(problem_check(&too_long, NOW, &err), SW_EINVAL);
    /* A code of the shipped ICD-10-CM table brings its own display and
     * spelling; the client's display wins; other codes are left alone. */
    problem_input filled = { .system = PROBLEM_ICD10CM, .code = "e11.9" };
    problem_fill_from_table(&filled);
    assert_string_equal(filled.code, "E11.9");
    assert_string_equal(filled.display, "Type 2 diabetes mellitus without complications");
    assert_int_equal(problem_check(&filled, NOW, &err), SW_OK);
    problem_input own = { .system = PROBLEM_ICD10CM, .code = "E11.9", .display = "DM2" };
    problem_fill_from_table(&own);
    assert_string_equal(own.display, "DM2");
    problem_input unknown = { .system = PROBLEM_ICD10CM, .code = "A00.0" };
    problem_fill_from_table(&unknown);
    assert_null(unknown.display);
    problem_input snomed = { .system = PROBLEM_SNOMED, .code = "44054006" };
    problem_fill_from_table(&snomed);
    assert_null(snomed.display);
    problem_input ok = { .system = PROBLEM_ICD10CM, .code = "E11.9",
                         .display = "Type 2 diabetes <b>", .onset = "2019-04-02",
                         .note = "line one\nline two" };
    assert_int_equal(problem_check(&ok, NOW, &err), SW_OK);
    problem_input text = { .display = "Chronic knee pain" };
    assert_int_equal(problem_check(&text, NOW, &err), SW_OK);
}

static sw_json *written(sw_arena *a, const problem_input *in)
{
    sw_buf b = SW_BUF_INIT(16384);
    assert_int_equal(problem_resource(in, "p1", "2026-11-25T09:30:00Z",
                                      RECORDER, &b), SW_OK);
    sw_json *r = ct_valid(a, &b);
    sw_buf_free(&b);
    return r;
}

static void conditions_are_valid_and_read_back(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    problem_input dm = { .system = PROBLEM_ICD10CM, .code = "E11.9",
                         .display = "Type 2 diabetes mellitus", .onset = "2019-04-02",
                         .note = "diet controlled" };
    sw_json *r = written(a, &dm);
    assert_true(problem_on_list(r));
    assert_true(problem_is_active(r));
    assert_int_equal(problem_rank(r), 0);
    assert_string_equal(problem_status(r), "active");
    assert_string_equal(problem_text(r), "Type 2 diabetes mellitus");
    assert_string_equal(problem_onset(r), "2019-04-02");
    assert_string_equal(problem_recorded(r), "2026-11-25T09:30:00Z");
    const char *system, *code;
    problem_coding(r, &system, &code);
    assert_string_equal(system, PROBLEM_ICD10CM);
    assert_string_equal(code, "E11.9");
    problem_input same_code = { .system = PROBLEM_ICD10CM, .code = "E11.9", .display = "DM2" };
    problem_input same_text = { .display = "TYPE 2 diabetes MELLITUS" };
    problem_input other = { .system = PROBLEM_ICD10CM, .code = "E11.65", .display = "DM2 with hyperglycemia" };
    problem_input other_system = { .system = PROBLEM_SNOMED, .code = "44054006", .display = "Diabetes type 2" };
    assert_true(problem_same(r, &same_code));
    assert_true(problem_same(r, &same_text));
    assert_false(problem_same(r, &other));
    assert_false(problem_same(r, &other_system));

    /* Resolving: not before the onset; then resolved, valid, not active. */
    sw_err err;
    assert_int_equal(problem_resolve(a, r, "2018-01-01", &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "abatement"));
    assert_int_equal(problem_resolve(a, r, "2026-01-10", &err), SW_OK);
    assert_string_equal(problem_status(r), "resolved");
    assert_string_equal(sw_json_get_string(r, "abatementDateTime"), "2026-01-10");
    assert_false(problem_is_active(r));
    assert_true(problem_on_list(r));
    assert_int_equal(problem_rank(r), 2);
    assert_int_equal(problem_resolve(a, r, "2026-01-11", &err), SW_ECONFLICT);
    fhir_issues issues = { 0 };
    assert_int_equal(fhir_validate(a, r, 0, &issues), SW_OK);
    assert_int_equal(issues.errors, 0);

    problem_input text = { .display = "Chronic knee pain" };
    sw_json *t = written(a, &text);
    problem_coding(t, &system, &code);
    assert_null(code);
    assert_string_equal(problem_text(t), "Chronic knee pain");
    sw_arena_destroy(a);
}

static void which_conditions_are_listed(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    static const struct { const char *json; bool listed, active; int rank; } cases[] = {
        /* A visit diagnosis still active (the demo's Synthea records). */
        { "{\"resourceType\":\"Condition\",\"clinicalStatus\":{\"coding\":[{\"code\":\"active\"}]},"
          "\"category\":[{\"coding\":[{\"code\":\"encounter-diagnosis\"}]}],"
          "\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"59621000\","
          "\"display\":\"Essential hypertension (disorder)\"}]}}", true, true, 0 },
        /* A resolved visit diagnosis: history of the visit. */
        { "{\"resourceType\":\"Condition\",\"clinicalStatus\":{\"coding\":[{\"code\":\"resolved\"}]},"
          "\"category\":[{\"coding\":[{\"code\":\"encounter-diagnosis\"}]}],"
          "\"code\":{\"text\":\"Viral sinusitis\"}}", false, false, 2 },
        /* An inactive problem stays on the list, between the others. */
        { "{\"resourceType\":\"Condition\",\"clinicalStatus\":{\"coding\":[{\"code\":\"inactive\"}]},"
          "\"category\":[{\"coding\":[{\"code\":\"problem-list-item\"}]}],"
          "\"code\":{\"text\":\"Asthma\"}}", true, false, 1 },
        /* Entered in error: never. */
        { "{\"resourceType\":\"Condition\",\"clinicalStatus\":{\"coding\":[{\"code\":\"active\"}]},"
          "\"verificationStatus\":{\"coding\":[{\"code\":\"entered-in-error\"}]},"
          "\"category\":[{\"coding\":[{\"code\":\"problem-list-item\"}]}],"
          "\"code\":{\"text\":\"Gout\"}}", false, false, 1 },
        /* A recurrence is active. */
        { "{\"resourceType\":\"Condition\",\"clinicalStatus\":{\"coding\":[{\"code\":\"recurrence\"}]},"
          "\"code\":{\"text\":\"Migraine\"}}", true, true, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_json *r = ct_parse(a, cases[i].json);
        if (problem_on_list(r) != cases[i].listed
            || problem_is_active(r) != cases[i].active
            || problem_rank(r) != cases[i].rank)
            fail_msg("case %zu read wrongly", i);
    }
    sw_json *r = ct_parse(a, cases[0].json);
    assert_string_equal(problem_text(r), "Essential hypertension (disorder)");
    sw_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_are_shaped),
        cmocka_unit_test(dates_are_past),
        cmocka_unit_test(each_member_is_checked),
        cmocka_unit_test(conditions_are_valid_and_read_back),
        cmocka_unit_test(which_conditions_are_listed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
