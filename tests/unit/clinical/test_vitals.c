/* test_vitals.c - vital signs as FHIR (src/clinical/vitals.c): the ranges
 * a living patient can have, BMI to one decimal, and the transaction
 * Bundle: valid R4 (the validator of src/fhir/ says so), LOINC codes,
 * UCUM units, the blood-pressure panel's components, smoking status with
 * its SNOMED CT answer, and only the measures that were given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "clinical_test.h"
#include "clinical/vitals.h"
#include "core/arena.h"
#include "core/json.h"
#include "fhir/validate.h"

static void ranges_are_checked(void **state)
{
    (void)state;
    sw_err err;
    vitals_set none = { 0 };
    assert_int_equal(vitals_check(&none, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "at least one"));
    vitals_set tall = { .has_height = true, .height_cm = 300 };
    assert_int_equal(vitals_check(&tall, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "height_cm"));
    vitals_set bp = { .has_bp = true, .systolic = 80, .diastolic = 90 };
    assert_int_equal(vitals_check(&bp, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "below"));
    vitals_set hr = { .has_heart_rate = true, .heart_rate = 19 };
    assert_int_equal(vitals_check(&hr, &err), SW_EINVAL);
    vitals_set ok = { .has_bp = true, .systolic = 120, .diastolic = 80,
                      .has_spo2 = true, .spo2 = 100, .smoking = "never" };
    assert_int_equal(vitals_check(&ok, &err), SW_OK);
    vitals_set smoke_only = { .smoking = "former" };
    assert_int_equal(vitals_check(&smoke_only, &err), SW_OK);
}

static void bmi_has_one_decimal(void **state)
{
    (void)state;
    assert_true(vitals_bmi(180, 78.5) == 24.2);
    assert_true(vitals_bmi(162.5, 75.3) == 28.5);
    assert_true(vitals_bmi(100, 10) == 10.0);
}

static sw_json *bundle_of(sw_arena *a, const vitals_set *v, const char *enc)
{
    sw_buf b = SW_BUF_INIT(65536);
    assert_int_equal(vitals_bundle(v, "p1", enc, "2026-11-25T09:30:00Z", &b), SW_OK);
    sw_json *doc = ct_valid(a, &b);
    sw_buf_free(&b);
    return doc;
}

static const sw_json *resource(const sw_json *bundle, size_t i)
{
    const sw_json *entries = sw_json_get(bundle, "entry");
    assert_true(i < entries->count);
    return sw_json_get(entries->items[i], "resource");
}

static const char *code_of(const sw_json *obs)
{
    const sw_json *coding = sw_json_get(sw_json_get(obs, "code"), "coding");
    return sw_json_get_string(coding->items[0], "code");
}

static void full_set_makes_valid_observations(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    vitals_set v = {
        .has_height = true, .height_cm = 180, .has_weight = true, .weight_kg = 78.5,
        .has_bp = true, .systolic = 122, .diastolic = 78,
        .has_heart_rate = true, .heart_rate = 72, .has_resp_rate = true, .resp_rate = 16,
        .has_temperature = true, .temperature_c = 36.8, .has_spo2 = true, .spo2 = 98,
        .smoking = "never",
    };
    sw_json *b = bundle_of(a, &v, "enc-1");
    assert_string_equal(sw_json_get_string(b, "type"), "transaction");
    static const char *const codes[] = {
        "8302-2", "29463-7", "39156-5", "85354-9", "8867-4", "9279-1",
        "8310-5", "59408-5", "72166-2",
    };
    assert_int_equal(sw_json_get(b, "entry")->count, 9);
    for (size_t i = 0; i < 9; i++)
        assert_string_equal(code_of(resource(b, i)), codes[i]);
    const sw_json *bmi = sw_json_get(resource(b, 2), "valueQuantity");
    assert_string_equal(sw_json_get(bmi, "value")->text.p, "24.2");
    assert_string_equal(sw_json_get_string(bmi, "code"), "kg/m2");
    const sw_json *bp = sw_json_get(resource(b, 3), "component");
    assert_int_equal(bp->count, 2);
    assert_string_equal(code_of(bp->items[0]), "8480-6");
    assert_string_equal(sw_json_get(sw_json_get(bp->items[1], "valueQuantity"), "value")->text.p, "78");
    assert_string_equal(sw_json_get_string(sw_json_get(resource(b, 0), "encounter"), "reference"),
                        "Encounter/enc-1");
    const sw_json *smoke = sw_json_get(sw_json_get(resource(b, 8), "valueCodeableConcept"), "coding");
    assert_string_equal(sw_json_get_string(smoke->items[0], "code"), "266919005");
    sw_arena_destroy(a);
}

static void only_what_was_given(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    vitals_set v = { .has_weight = true, .weight_kg = 70 };
    sw_json *b = bundle_of(a, &v, NULL);
    assert_int_equal(sw_json_get(b, "entry")->count, 1);   /* no BMI without height */
    assert_null(sw_json_get(resource(b, 0), "encounter"));
    sw_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ranges_are_checked),
        cmocka_unit_test(bmi_has_one_decimal),
        cmocka_unit_test(full_set_makes_valid_observations),
        cmocka_unit_test(only_what_was_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
