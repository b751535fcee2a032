/* test_allergies.c - the allergy list's rules (src/clinical/allergies.c):
 * input checks naming the member, the AllergyIntolerance written (valid R4
 * by the validator of src/fhir/), and how stored entries are read: active
 * or not, "no known allergies" in its SNOMED CT forms, the same substance
 * by code or by text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "clinical_test.h"
#include "clinical/allergies.h"
#include "fhir/validate.h"

static void input_is_checked(void **state)
{
    (void)state;
    sw_err err;
    allergy_input none = { .none = true };
    assert_int_equal(allergy_check(&none, &err), SW_OK);
    allergy_input none_plus = { .none = true, .display = "Peanuts" };
    assert_int_equal(allergy_check(&none_plus, &err), SW_EINVAL);
    allergy_input empty = { 0 };
    assert_int_equal(allergy_check(&empty, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "substance"));
    allergy_input half = { .display = "Penicillin", .code = "7980" };
    assert_int_equal(allergy_check(&half, &err), SW_EINVAL);
    allergy_input crit = { .display = "Peanuts", .criticality = "very" };
    assert_int_equal(allergy_check(&crit, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "criticality"));
    allergy_input sev = { .display = "Peanuts", .severity = "mild" };
    assert_int_equal(allergy_check(&sev, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "reaction"));
    allergy_input nl = { .display = "Pea\nnuts" };
    assert_int_equal(allergy_check(&nl, &err), SW_EINVAL);
    allergy_input ok = { .display = "Peanuts", .category = "food",
                         .criticality = "high", .reaction = "Anaphylaxis",
                         .severity = "severe" };
    assert_int_equal(allergy_check(&ok, &err), SW_OK);
}

static sw_json *written(sw_arena *a, const allergy_input *in)
{
    sw_buf b = SW_BUF_INIT(16384);
    assert_int_equal(allergy_resource(in, "p1", "2026-11-25T09:30:00Z", &b), SW_OK);
    sw_json *r = ct_valid(a, &b);
    sw_buf_free(&b);
    return r;
}

static void resources_are_valid_and_read_back(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    allergy_input pen = { .system = "http://www.nlm.nih.gov/research/umls/rxnorm",
                          .code = "7980", .display = "Penicillin G",
                          .category = "medication", .criticality = "high",
                          .reaction = "Hives", .severity = "moderate" };
    sw_json *r = written(a, &pen);
    assert_true(allergy_is_active(r));
    assert_false(allergy_is_none(r));
    assert_string_equal(allergy_substance_text(r), "Penicillin G");
    allergy_input same_text = { .display = "PENICILLIN g" };
    assert_true(allergy_same_substance(r, &same_text));
    allergy_input same_code = { .system = pen.system, .code = "7980", .display = "PCN" };
    assert_true(allergy_same_substance(r, &same_code));
    allergy_input other = { .system = pen.system, .code = "723", .display = "Amoxicillin" };
    assert_false(allergy_same_substance(r, &other));
    assert_int_equal(allergy_make_inactive(a, r), SW_OK);
    assert_false(allergy_is_active(r));

    allergy_input none = { .none = true };
    sw_json *n = written(a, &none);
    assert_true(allergy_is_none(n));
    assert_true(allergy_is_active(n));
    assert_string_equal(allergy_substance_text(n), ALLERGY_NKA_DISPLAY);

    /* Entries from elsewhere: no clinicalStatus counts as active; refuted
     * does not; "no known drug allergy" is a none too. */
    const char *nkda = "{\"resourceType\":\"AllergyIntolerance\",\"code\":{\"coding\":"
        "[{\"system\":\"http://snomed.info/sct\",\"code\":\"409137002\"}]},"
        "\"patient\":{\"reference\":\"Patient/p1\"}}";
    sw_json *x = ct_parse(a, nkda);
    assert_true(allergy_is_none(x) && allergy_is_active(x));
    const char *refuted = "{\"resourceType\":\"AllergyIntolerance\",\"verificationStatus\":"
        "{\"coding\":[{\"code\":\"refuted\"}]},\"code\":{\"text\":\"Latex\"}}";
    x = ct_parse(a, refuted);
    assert_false(allergy_is_active(x));
    sw_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(input_is_checked),
        cmocka_unit_test(resources_are_valid_and_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
