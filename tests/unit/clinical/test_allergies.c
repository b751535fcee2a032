/* test_allergies.c - the allergy list's rules (src/clinical/allergies.c):
 * input checks naming the member, the AllergyIntolerance written (valid R4
 * by the validator of src/fhir/), and how stored entries are read: active
 * or not, "no known allergies" in its SNOMED CT forms, the same substance
 * by code or by text; taking an entry off the list: the change checked,
 * each status's FHIR form (ait-1 and ait-2 of R4 kept), the reason as a
 * note with author and time, and only an active entry changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "clinical_test.h"
#include "clinical/allergies.h"
#include "clinical/fhir_read.h"
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

#define AUTHOR "{\"identifier\":{\"system\":\"urn:stagewise:user\"," \
               "\"value\":\"dr.rivera\"},\"display\":\"Dr. Ana Rivera\"}"

static void changes_are_checked(void **state)
{
    (void)state;
    sw_err err;
    static const struct {
        const char *status, *reason;
        int         rc;
        const char *names;
    } cases[] = {
        { "entered-in-error", "Wrong patient", SW_OK, NULL },
        { "refuted", "Tolerated amoxicillin\nin 2024", SW_OK, NULL },
        { "inactive", "x", SW_OK, NULL },
        { "resolved", "Outgrown", SW_OK, NULL },
        { "active", "Back again", SW_EINVAL, "status" },
        { "deleted", "Wrong patient", SW_EINVAL, "status" },
        { NULL, "Wrong patient", SW_EINVAL, "status" },
        { "refuted", NULL, SW_EINVAL, "reason" },
        { "refuted", "", SW_EINVAL, "reason" },
        { "refuted", " \n\t", SW_EINVAL, "reason" },
        { "refuted", "bell\a", SW_EINVAL, "reason" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = allergy_change_check(cases[i].status, cases[i].reason, &err);
        if (rc != cases[i].rc)
            fail_msg("case %zu: %d, not %d", i, rc, cases[i].rc);
        if (cases[i].names)
            assert_non_null(strstr(err.msg, cases[i].names));
    }
    /* 500 characters, not bytes. */
    char reason[1600];
    memset(reason, 'a', 500);
    reason[500] = '\0';
    assert_int_equal(allergy_change_check("refuted", reason, &err), SW_OK);
    strcat(reason, "a");
    assert_int_equal(allergy_change_check("refuted", reason, &err), SW_EINVAL);
    reason[0] = '\0';
    for (int i = 0; i < 500; i++)
        strcat(reason, "\xc3\xa9");   /* é */
    assert_int_equal(allergy_change_check("refuted", reason, &err), SW_OK);
    assert_true(allergy_change_known("entered-in-error"));
    assert_false(allergy_change_known("confirmed"));
    assert_false(allergy_change_known(NULL));
}

/* r written out and validated as R4, then parsed again. */
static sw_json *rewritten(sw_arena *a, const sw_json *r)
{
    sw_buf b = SW_BUF_INIT(16384);
    assert_int_equal(sw_json_write(&b, r), SW_OK);
    sw_json *out = ct_valid(a, &b);
    sw_buf_free(&b);
    return out;
}

static void each_change_has_its_fhir_form(void **state)
{
    (void)state;
    static const struct {
        const char *status;
        const char *clinical;       /* NULL: absent */
        const char *verification;
    } cases[] = {
        { "inactive", "inactive", "confirmed" },
        { "resolved", "resolved", "confirmed" },
        { "refuted", "inactive", "refuted" },
        { "entered-in-error", NULL, "entered-in-error" },
    };
    sw_arena *a = sw_arena_create(0);
    sw_json *author = ct_parse(a, AUTHOR);
    allergy_input pen = { .system = "http://www.nlm.nih.gov/research/umls/rxnorm",
                          .code = "7980", .display = "Penicillin G",
                          .category = "medication", .criticality = "high",
                          .recorder = AUTHOR };
    sw_err err;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_json *r = written(a, &pen);
        assert_non_null(sw_json_get(r, "recorder"));
        assert_string_equal(allergy_status(r), "active");
        assert_null(allergy_reason(r));
        assert_int_equal(allergy_change(a, r, cases[i].status, "<b>why</b>",
                                        "2026-11-25T10:00:00.000Z", author, &err),
                         SW_OK);
        r = rewritten(a, r);
        const char *clinical = clinical_first_code(r, "clinicalStatus", NULL);
        if (cases[i].clinical)
            assert_string_equal(clinical, cases[i].clinical);
        else
            assert_null(sw_json_get(r, "clinicalStatus"));
        const char *system;
        assert_string_equal(clinical_first_code(r, "verificationStatus", &system),
                            cases[i].verification);
        assert_string_equal(system, "http://terminology.hl7.org/CodeSystem/"
                                    "allergyintolerance-verification");
        /* ait-1 and ait-2: clinicalStatus present unless entered in error. */
        assert_int_equal(sw_json_get(r, "clinicalStatus") != NULL,
                         strcmp(cases[i].verification, "entered-in-error") != 0);
        assert_false(allergy_is_active(r));
        assert_string_equal(allergy_status(r), cases[i].status);
        assert_string_equal(allergy_verification(r), cases[i].verification);
        assert_string_equal(allergy_reason(r), "<b>why</b>");
        const sw_json *notes = sw_json_get(r, "note");
        assert_int_equal(notes->count, 1);
        assert_string_equal(sw_json_get_string(notes->items[0], "time"),
                            "2026-11-25T10:00:00.000Z");
        assert_string_equal(sw_json_get_string(sw_json_get(notes->items[0],
                                                           "authorReference"),
                                               "display"), "Dr. Ana Rivera");
        /* Only an active entry changes. */
        assert_int_equal(allergy_change(a, r, "inactive", "again",
                                        "2026-11-25T10:00:00.000Z", author, &err),
                         SW_ECONFLICT);
        assert_non_null(strstr(err.msg, "not active"));
        assert_int_equal(sw_json_get(r, "note")->count, 1);
    }
    sw_arena_destroy(a);
}

static void entries_from_elsewhere_change_too(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    sw_err err;
    /* No clinicalStatus (active), a note already: refuted gets one
     * (ait-1), and the reason is the last note. */
    sw_json *r = ct_parse(a, "{\"resourceType\":\"AllergyIntolerance\","
                          "\"code\":{\"text\":\"Latex\"},"
                          "\"patient\":{\"reference\":\"Patient/p1\"},"
                          "\"note\":[{\"text\":\"from the hospital\"}]}");
    assert_true(allergy_is_active(r));
    assert_null(allergy_verification(r));
    assert_int_equal(allergy_change(a, r, "refuted", "Skin test negative",
                                    "2026-11-25T10:00:00.000Z", NULL, &err), SW_OK);
    r = rewritten(a, r);
    assert_string_equal(clinical_first_code(r, "clinicalStatus", NULL), "inactive");
    assert_string_equal(allergy_reason(r), "Skin test negative");
    assert_int_equal(sw_json_get(r, "note")->count, 2);
    assert_null(sw_json_get(sw_json_get(r, "note")->items[1], "authorReference"));
    /* "No known allergies" comes off the list like any entry. */
    allergy_input none = { .none = true };
    sw_json *n = written(a, &none);
    assert_int_equal(allergy_change(a, n, "entered-in-error", "Not asked",
                                    "2026-11-25T10:00:00.000Z", NULL, &err), SW_OK);
    assert_false(allergy_is_active(rewritten(a, n)));
    sw_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(input_is_checked),
        cmocka_unit_test(resources_are_valid_and_read_back),
        cmocka_unit_test(changes_are_checked),
        cmocka_unit_test(each_change_has_its_fhir_form),
        cmocka_unit_test(entries_from_elsewhere_change_too),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
