/* test_immunizations.c - recording immunizations
 * (src/clinical/immunizations.c) and the CVX table (vaccines.c): the
 * table's integrity (unique, well-formed codes; the vaccines a family
 * practice gives are there; the demo's Synthea codes read the same) and
 * its search, each member's check with a message naming it, dates not in
 * the future nor before birth, and the Immunization written (valid R4 by
 * the validator of src/fhir/) for a dose given and one not given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <string.h>

#include "clinical_test.h"
#include "clinical/immunizations.h"
#include "clinical/vaccines.h"
#include "fhir/validate.h"

#define PERFORMER "{\"identifier\":{\"system\":\"urn:stagewise:user\"," \
                  "\"value\":\"nurse.b\"},\"display\":\"Nurse B\"}"

/* 2026-11-25T12:00:00Z */
static const int64_t NOW = 1795608000000LL;

static void the_table_is_sound(void **state)
{
    (void)state;
    size_t n;
    const vaccine *t = vaccine_table(&n);
    assert_true(n >= 25);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(t[i].cvx);
        assert_true(len >= 2 && len <= 3);
        for (size_t k = 0; k < len; k++)
            assert_true(isdigit((unsigned char)t[i].cvx[k]));
        assert_true(strlen(t[i].display) > 0);
        assert_true(strlen(t[i].keywords) > 0);
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(t[i].cvx, t[j].cvx) == 0)
                fail_msg("CVX %s is listed twice", t[i].cvx);
        assert_ptr_equal(vaccine_find(t[i].cvx), &t[i]);
    }
    /* As the demo's Synthea records write them. */
    static const struct { const char *cvx, *display; } synthea[] = {
        { "03", "MMR" }, { "10", "IPV" }, { "20", "DTaP" }, { "21", "varicella" },
        { "43", "Hep B, adult" }, { "62", "HPV, quadrivalent" },
        { "113", "Td (adult), 5 Lf tetanus toxoid, preservative free, adsorbed" },
        { "114", "meningococcal MCV4P" }, { "115", "Tdap" },
        { "140", "Influenza, seasonal, injectable, preservative free" },
        { "208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose" },
    };
    for (size_t i = 0; i < sizeof synthea / sizeof synthea[0]; i++) {
        const vaccine *v = vaccine_find(synthea[i].cvx);
        assert_non_null(v);
        assert_string_equal(v->display, synthea[i].display);
    }
    /* What a family practice gives, each found by what people type. */
    static const char *const wanted[] = {
        "influenza", "Tdap", "Td ", "pneumococcal", "zoster", "hepatitis A",
        "hepatitis B", "HPV", "MMR", "varicella", "DTaP", "IPV", "Hib",
        "rotavirus", "meningococcal", "COVID",
    };
    const vaccine *found[VACCINE_SEARCH_MAX];
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
        if (vaccine_search(wanted[i], found, VACCINE_SEARCH_MAX) == 0)
            fail_msg("nothing for %s", wanted[i]);
    assert_null(vaccine_find("999"));
    assert_null(vaccine_find(NULL));
}

static void the_table_is_searched(void **state)
{
    (void)state;
    const vaccine *found[VACCINE_SEARCH_MAX];
    size_t n;
    vaccine_table(&n);
    assert_int_equal(vaccine_search(NULL, found, VACCINE_SEARCH_MAX), n);
    assert_int_equal(vaccine_search("", found, VACCINE_SEARCH_MAX), n);
    size_t k = vaccine_search("SHINGLES", found, VACCINE_SEARCH_MAX);
    assert_int_equal(k, 2);
    assert_string_equal(found[0]->cvx, "187");
    k = vaccine_search("14", found, VACCINE_SEARCH_MAX);   /* code prefix */
    for (size_t i = 0; i < k; i++)
        assert_true(strncmp(found[i]->cvx, "14", 2) == 0
                    || strstr(found[i]->display, "14") != NULL);
    assert_true(k >= 3);
    assert_int_equal(vaccine_search("flu", found, 1), 4);   /* counts past cap */
    assert_int_equal(vaccine_search("nothing like it", found, VACCINE_SEARCH_MAX), 0);
}

static void each_member_is_checked(void **state)
{
    (void)state;
    static const struct {
        immunization_input in;
        const char        *birth;
        const char        *names;
    } bad[] = {
        { { .date = "2025-10-01", .status = "completed" }, NULL, "cvx" },
        { { .cvx = "999", .date = "2025-10-01", .status = "completed" }, NULL, "cvx" },
        { { .cvx = "140", .date = "2025-10-01", .status = "given" }, NULL, "status" },
        { { .cvx = "140", .status = "completed" }, NULL, "date" },
        { { .cvx = "140", .date = "2026-12-01", .status = "completed" }, NULL, "future" },
        { { .cvx = "140", .date = "2026-11-25T10:00:00", .status = "completed" }, NULL, "date" },
        { { .cvx = "140", .date = "1990-01-01", .status = "completed" }, "1990-06-01", "birth" },
        { { .cvx = "140", .date = "2025-10-01", .status = "not-done" }, NULL, "reason_not_done" },
        { { .cvx = "140", .date = "2025-10-01", .status = "not-done",
            .reason_not_done = "TIRED" }, NULL, "reason_not_done" },
        { { .cvx = "140", .date = "2025-10-01", .status = "completed",
            .reason_not_done = "PATOBJ" }, NULL, "reason_not_done" },
        { { .cvx = "140", .date = "2025-10-01", .status = "not-done",
            .reason_not_done = "PATOBJ", .site = "LA" }, NULL, "site" },
        { { .cvx = "140", .date = "2025-10-01", .status = "completed", .lot = "" }, NULL, "lot" },
        { { .cvx = "140", .date = "2025-10-01", .status = "completed",
            .lot = "0123456789012345678901234567890123456789X" }, NULL, "lot" },
        { { .cvx = "140", .date = "2025-10-01", .status = "completed", .site = "LT" }, NULL, "site" },
        { { .cvx = "140", .date = "2025-10-01", .status = "completed", .route = "SC" }, NULL, "route" },
        { { .cvx = "140", .date = "2025-10-01", .status = "completed", .dose_number = 21 }, NULL, "dose_number" },
        { { .cvx = "140", .date = "2025-10-01", .status = "completed", .dose_ml = 11 }, NULL, "dose_ml" },
        { { .cvx = "140", .date = "2025-10-01", .status = "completed", .note = "" }, NULL, "note" },
    };
    sw_err err;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (immunization_check(&bad[i].in, NOW, bad[i].birth, &err) != SW_EINVAL)
            fail_msg("case %zu accepted", i);
        if (strstr(err.msg, bad[i].names) == NULL)
            fail_msg("case %zu: \"%s\" does not name %s", i, err.msg, bad[i].names);
    }
    immunization_input born_that_day = { .cvx = "08", .date = "1990-06-01",
                                         .status = "completed" };
    assert_int_equal(immunization_check(&born_that_day, NOW, "1990-06-01", &err), SW_OK);
    immunization_input today = { .cvx = "140", .date = "2026-11-25",
                                 .status = "completed" };
    assert_int_equal(immunization_check(&today, NOW, NULL, &err), SW_OK);
    assert_string_equal(immunization_route("NASINHLC")->display, "Inhalation, nasal");
    assert_string_equal(immunization_site("RA")->display, "right arm");
    assert_string_equal(immunization_reason("MEDPREC")->display, "medical precaution");
}

static sw_json *written(sw_arena *a, const immunization_input *in)
{
    sw_err err;
    assert_int_equal(immunization_check(in, NOW, "1950-01-01", &err), SW_OK);
    sw_buf b = SW_BUF_INIT(16384);
    assert_int_equal(immunization_resource(in, "p1", PERFORMER, &b), SW_OK);
    sw_json *r = ct_valid(a, &b);
    sw_buf_free(&b);
    return r;
}

static void immunizations_are_valid_and_read_back(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    immunization_input given = { .cvx = "187", .date = "2026-10-01T09:15:00-04:00",
                                 .status = "completed", .lot = "<i>L1</i>",
                                 .site = "LA", .route = "IM", .dose_number = 2,
                                 .dose_ml = 0.5, .note = "tolerated well" };
    sw_json *r = written(a, &given);
    const char *cvx, *display;
    immunization_vaccine(r, &cvx, &display);
    assert_string_equal(cvx, "187");
    assert_string_equal(display, "zoster vaccine recombinant");
    assert_string_equal(immunization_date(r), "2026-10-01T09:15:00-04:00");
    assert_true(immunization_when(r) > 0);
    assert_string_equal(sw_json_get_string(r, "status"), "completed");
    assert_string_equal(sw_json_get_string(r, "lotNumber"), "<i>L1</i>");
    assert_true(sw_json_get(r, "primarySource")->kind == SW_JSON_BOOL
                && sw_json_get(r, "primarySource")->boolean);
    assert_null(sw_json_get(r, "statusReason"));
    assert_non_null(sw_json_get(r, "doseQuantity"));
    assert_non_null(sw_json_get(r, "protocolApplied"));

    immunization_input declined = { .cvx = "115", .date = "2026-01-15",
                                    .status = "not-done", .reason_not_done = "PATOBJ" };
    sw_json *d = written(a, &declined);
    assert_string_equal(sw_json_get_string(d, "status"), "not-done");
    const sw_json *reason = sw_json_get(sw_json_get(d, "statusReason"), "coding");
    assert_string_equal(sw_json_get_string(reason->items[0], "code"), "PATOBJ");
    assert_string_equal(sw_json_get_string(reason->items[0], "system"),
                        "http://terminology.hl7.org/CodeSystem/v3-ActReason");
    assert_null(sw_json_get(d, "lotNumber"));
    assert_true(immunization_when(d) < immunization_when(r));
    sw_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_table_is_sound),
        cmocka_unit_test(the_table_is_searched),
        cmocka_unit_test(each_member_is_checked),
        cmocka_unit_test(immunizations_are_valid_and_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
