/* test_meds.c - the medication workflows' pure helpers: frequencies as FHIR
 * Timing (src/clinical/meds.c), free-text rules, and reconciliation's
 * lists and what is current in each (src/clinical/reconcile.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "clinical_test.h"
#include "clinical/meds.h"
#include "clinical/reconcile.h"

static void frequencies_become_timing(void **state)
{
    (void)state;
    meds_timing t;
    meds_timing_of("three times daily", &t);
    assert_true(t.known && !t.as_needed);
    assert_int_equal(t.frequency, 3);
    assert_int_equal(t.period, 1);
    assert_string_equal(t.period_unit, "d");
    meds_timing_of("Every 6 hours as needed", &t);
    assert_true(t.known && t.as_needed);
    assert_int_equal(t.frequency, 1);
    assert_int_equal(t.period, 6);
    assert_string_equal(t.period_unit, "h");
    meds_timing_of("once daily at bedtime", &t);
    assert_true(t.known);
    assert_string_equal(t.when, "HS");
    meds_timing_of("as needed", &t);
    assert_true(!t.known && t.as_needed);
    meds_timing_of("with each full moon", &t);
    assert_false(t.known || t.as_needed);
    meds_timing_of(NULL, &t);
    assert_false(t.known);
}

static void free_text_rules(void **state)
{
    (void)state;
    assert_true(meds_plain_text("Main Street <Pharmacy>", 200, false));
    assert_false(meds_plain_text("", 200, false));
    assert_false(meds_plain_text("   ", 200, false));
    assert_false(meds_plain_text("two\nlines", 200, false));
    assert_true(meds_plain_text("two\nlines", 200, true));
    assert_false(meds_plain_text("bell\a", 200, true));
    assert_true(meds_plain_text("é", 1, false));      /* characters, not bytes */
    assert_false(meds_plain_text("abc", 2, false));
    assert_false(meds_plain_text(NULL, 2, false));
}


static void reconciliation_lists(void **state)
{
    (void)state;
    size_t n;
    const reconcile_list *lists = reconcile_lists(&n);
    assert_int_equal(n, 3);
    const reconcile_list *meds = reconcile_list_named("medications");
    assert_string_equal(meds->loinc, "10160-0");
    assert_string_equal(meds->feature, "medications.reconcile");
    assert_ptr_equal(reconcile_list_by_code("11450-4"), reconcile_list_named("problems"));
    assert_ptr_equal(reconcile_list_by_code("48765-2"), &lists[2]);
    assert_null(reconcile_list_named("vitals"));
    assert_null(reconcile_list_named(NULL));

    sw_arena *a = sw_arena_create(0);
    sw_json *active = ct_parse(a, "{\"resourceType\":\"MedicationStatement\",\"status\":\"active\"}");
    sw_json *stopped = ct_parse(a, "{\"resourceType\":\"MedicationRequest\",\"status\":\"stopped\"}");
    assert_true(reconcile_is_current(meds, "MedicationStatement", active));
    assert_false(reconcile_is_current(meds, "MedicationRequest", stopped));
    assert_false(reconcile_is_current(meds, "Condition", active));

    const reconcile_list *problems = reconcile_list_named("problems");
    sw_json *problem = ct_parse(a, "{\"resourceType\":\"Condition\",\"clinicalStatus\":"
        "{\"coding\":[{\"code\":\"active\"}]},\"category\":[{\"coding\":"
        "[{\"code\":\"problem-list-item\"}]}]}");
    sw_json *resolved = ct_parse(a, "{\"resourceType\":\"Condition\",\"clinicalStatus\":"
        "{\"coding\":[{\"code\":\"resolved\"}]},\"category\":[{\"coding\":"
        "[{\"code\":\"problem-list-item\"}]}]}");
    sw_json *diagnosis = ct_parse(a, "{\"resourceType\":\"Condition\",\"clinicalStatus\":"
        "{\"coding\":[{\"code\":\"active\"}]},\"category\":[{\"coding\":"
        "[{\"code\":\"encounter-diagnosis\"}]}]}");
    assert_true(reconcile_is_current(problems, "Condition", problem));
    assert_false(reconcile_is_current(problems, "Condition", resolved));
    assert_false(reconcile_is_current(problems, "Condition", diagnosis));

    const reconcile_list *allergies = reconcile_list_named("allergies");
    sw_json *allergy = ct_parse(a, "{\"resourceType\":\"AllergyIntolerance\","
                             "\"code\":{\"text\":\"Latex\"}}");
    sw_json *inactive = ct_parse(a, "{\"resourceType\":\"AllergyIntolerance\","
        "\"clinicalStatus\":{\"coding\":[{\"code\":\"inactive\"}]},"
        "\"code\":{\"text\":\"Latex\"}}");
    assert_true(reconcile_is_current(allergies, "AllergyIntolerance", allergy));
    assert_false(reconcile_is_current(allergies, "AllergyIntolerance", inactive));
    sw_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frequencies_become_timing),
        cmocka_unit_test(free_text_rules),
        cmocka_unit_test(reconciliation_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
