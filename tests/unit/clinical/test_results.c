/* test_results.c - the pure parts of orders and results
 * (src/clinical/results.c): flags at and around every limit, values
 * without ranges, text values, the catalog's default ranges, value checks
 * naming the member, and the resources written (valid R4 by the validator
 * of src/fhir/, with the interpretation coded). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "clinical_test.h"
#include "clinical/results.h"
#include "fhir/validate.h"

static result_value ranged(double value)
{
    result_value v = { .code = "2345-7", .display = "Glucose", .is_number = true,
                       .number = value, .unit = "mg/dL",
                       .has_low = true, .low = 70, .has_high = true, .high = 99,
                       .has_critical_low = true, .critical_low = 40,
                       .has_critical_high = true, .critical_high = 450 };
    return v;
}

static void flags_at_and_around_the_limits(void **state)
{
    (void)state;
    static const struct { double value; const char *flag; } cases[] = {
        { 85, "N" }, { 70, "N" }, { 99, "N" }, { 69.9, "L" }, { 99.1, "H" },
        { 40, "L" }, { 39.9, "LL" }, { 450, "H" }, { 450.5, "HH" },
        { -5, "LL" }, { 1e6, "HH" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        result_value v = ranged(cases[i].value);
        const char *flag = results_flag(&v);
        if (strcmp(flag, cases[i].flag) != 0)
            fail_msg("%g: %s, not %s", cases[i].value, flag, cases[i].flag);
    }
}

static void missing_ranges_and_text(void **state)
{
    (void)state;
    result_value none = { .code = "x", .display = "X", .is_number = true, .number = 5 };
    assert_string_equal(results_flag(&none), "");
    result_value high_only = none;
    high_only.has_high = true;
    high_only.high = 4;
    assert_string_equal(results_flag(&high_only), "H");
    high_only.number = 4;
    assert_string_equal(results_flag(&high_only), "N");
    result_value low_only = none;
    low_only.has_low = true;
    low_only.low = 6;
    assert_string_equal(results_flag(&low_only), "L");
    result_value crit_only = none;
    crit_only.has_critical_high = true;
    crit_only.critical_high = 4;
    assert_string_equal(results_flag(&crit_only), "HH");
    result_value text = { .code = "x", .display = "X", .text = "Positive",
                          .has_high = true, .high = 1 };
    assert_string_equal(results_flag(&text), "");
    assert_string_equal(results_flag_display("HH"), "Critical high");
    assert_string_equal(results_flag_display("N"), "Normal");
    assert_null(results_flag_display(""));
}

static void catalog_defaults_fill_only_what_is_missing(void **state)
{
    (void)state;
    result_value v = { .code = "2345-7", .display = "Glucose", .is_number = true,
                       .number = 30 };
    results_apply_defaults(&v);
    assert_string_equal(v.unit, "mg/dL");
    assert_true(v.has_low && v.low == 70 && v.has_high && v.high == 99);
    assert_string_equal(results_flag(&v), "LL");
    /* The laboratory's own range wins, whole. */
    result_value own = { .code = "2345-7", .display = "Glucose", .is_number = true,
                         .number = 30, .has_high = true, .high = 200 };
    results_apply_defaults(&own);
    assert_false(own.has_low);
    assert_false(own.has_critical_low);
    assert_string_equal(results_flag(&own), "N");
    /* Another unit: the defaults do not apply. */
    result_value mmol = { .code = "2345-7", .display = "Glucose", .is_number = true,
                          .number = 5.5, .unit = "mmol/L" };
    results_apply_defaults(&mmol);
    assert_false(mmol.has_low);
    assert_string_equal(results_flag(&mmol), "");
    /* Another code system, or a code not in the catalog: nothing. */
    result_value local = { .code = "2345-7", .system = "urn:local", .display = "G",
                           .is_number = true, .number = 30 };
    results_apply_defaults(&local);
    assert_null(local.unit);
}

static void values_are_checked(void **state)
{
    (void)state;
    sw_err err;
    result_value ok = ranged(80);
    assert_int_equal(results_value_check(&ok, 0, &err), SW_OK);
    static const struct { const char *field; } fields[] = {
        { "observations[3].code" }, { "observations[3].display" },
        { "observations[3].low" }, { "observations[3].critical_low" },
        { "observations[3].critical_high" }, { "observations[3].value" },
        { "observations[3].unit" },
    };
    result_value bad[7];
    for (size_t i = 0; i < 7; i++)
        bad[i] = ranged(80);
    bad[0].code = "has space";
    bad[1].display = "";
    bad[2].low = 100;
    bad[3].critical_low = 75;
    bad[4].critical_high = 90;
    bad[5].is_number = false;
    bad[5].text = "   ";
    bad[6].unit = "mg per dL";
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(results_value_check(&bad[i], 3, &err), SW_EINVAL);
        if (strstr(err.msg, fields[i].field) == NULL)
            fail_msg("case %zu: %s", i, err.msg);
    }
    assert_true(results_status_ok("final"));
    assert_true(results_status_ok("corrected"));
    assert_false(results_status_ok("done"));
    assert_false(results_status_ok(NULL));
}


static void resources_are_valid_r4(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    result_report r = { .status = "final", .patient_id = "p1", .encounter_id = "e1",
                        .order_id = "o1", .issued = "2026-11-25T09:00:00Z",
                        .code_json = "{\"coding\":[{\"system\":\"http://loinc.org\","
                                     "\"code\":\"2345-7\"}]}",
                        .conclusion = "Low <b>glucose</b>",
                        .performer_json = "{\"display\":\"Lab\"}" };
    result_value v = ranged(30);
    sw_buf b = SW_BUF_INIT(65536);
    assert_int_equal(results_observation_resource(&r, &v, &b), SW_OK);
    sw_json *obs = ct_valid(a, &b);
    assert_non_null(strstr(sw_buf_str(&b), RESULTS_INTERPRETATION "\",\"code\":\"LL\""));
    assert_non_null(strstr(sw_buf_str(&b), "\"referenceRange\":[{\"low\":{\"value\":70"));
    assert_non_null(sw_json_get(obs, "valueQuantity"));
    sw_buf_reset(&b);
    result_value t = { .code = "5767-9", .display = "Appearance", .text = "Clear" };
    assert_int_equal(results_observation_resource(&r, &t, &b), SW_OK);
    obs = ct_valid(a, &b);
    assert_string_equal(sw_json_get_string(obs, "valueString"), "Clear");
    assert_null(sw_json_get(obs, "interpretation"));
    sw_buf_reset(&b);
    const char *refs[] = { "Observation/a", "Observation/b" };
    assert_int_equal(results_report_resource(&r, refs, 2, &b), SW_OK);
    sw_json *rep = ct_valid(a, &b);
    assert_string_equal(sw_json_get_string(rep, "conclusion"), "Low <b>glucose</b>");
    assert_non_null(strstr(sw_buf_str(&b), "\"code\":\"LAB\""));
    assert_non_null(strstr(sw_buf_str(&b), "\"ServiceRequest/o1\""));

    sw_buf_reset(&b);
    order_new o = { .item = orders_catalog_find("24606-6"), .patient_id = "p1",
                    .priority = "routine", .reason = "Screening", .note = "Prior 2024",
                    .authored = "2026-11-25T09:00:00Z",
                    .requester_json = "{\"display\":\"Dr Test\"}" };
    sw_err err;
    assert_int_equal(results_order_check(&o, &err), SW_OK);
    assert_int_equal(results_order_resource(&o, &b), SW_OK);
    sw_json *sr = ct_valid(a, &b);
    assert_string_equal(sw_json_get_string(sr, "intent"), "order");
    assert_non_null(strstr(sw_buf_str(&b), "\"code\":\"" RESULTS_CAT_IMG_CODE "\""));
    order_new bad = o;
    bad.priority = "whenever";
    assert_int_equal(results_order_check(&bad, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "priority"));
    bad = o;
    bad.reason = "two\nlines";
    assert_int_equal(results_order_check(&bad, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "reason"));
    sw_buf_free(&b);
    sw_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flags_at_and_around_the_limits),
        cmocka_unit_test(missing_ranges_and_text),
        cmocka_unit_test(catalog_defaults_fill_only_what_is_missing),
        cmocka_unit_test(values_are_checked),
        cmocka_unit_test(resources_are_valid_r4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
