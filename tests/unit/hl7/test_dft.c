/* test_dft.c - the DFT^P03 builder and its checks (src/hl7/dft.c) from
 * hand-made input: every segment and field docs/hl7-interface.md lists,
 * read back with our parser; a name holding the component separator
 * escaped; charge (CG) against credit (CR); times with their offsets; the
 * NPI check digit; and each validation sentence a biller sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "hl7/dft.h"
#include "hl7/message.h"
#include "hl7_test.h"

#define CHARGE1 "0f9a1c52-7d1e-4b7a-9c61-2d4c1f0b8e11"
#define CHARGE2 "5b2e8d90-1a3c-4e6f-8b7d-9c0a1e2f3b44"
#define NOW_MS  1795000000000LL   /* 2026-11-18T11:06:40Z */

#define A hl7_test_arena

static const dft_provider RIVERA = {
    .label = "dr.rivera", .npi = "1234567893", .family = "Rivera",
    .given = "Ana", .linked = true,
};

static void sample(dft_input *in)
{
    memset(in, 0, sizeof *in);
    in->control_id = "SW1-42";
    in->processing_id = "T";
    in->facility = "Main Street Clinic";
    in->now_ms = NOW_MS;
    in->ids[0] = (dft_id){ "A100234", "ACMEPM", "PI" };
    in->ids[1] = (dft_id){ "p1", "STAGEWISE", "PI" };
    in->ids[2] = (dft_id){ "D1001", "STAGEWISE", "MR" };
    in->nids = 3;
    in->family = "O^Brien";
    in->given = "Ana";
    in->middle = "Maria";
    in->birth_date = "1970-05-01";
    in->gender = "female";
    in->encounter_id = "enc-1";
    in->encounter_start = "2026-11-25T09:00:00-05:00";
    in->encounter_class = "AMB";
    in->attending = &RIVERA;
    dft_line *l = &in->lines[0];
    l->charge_id = CHARGE1;
    l->found = true;
    l->code = "99213";
    l->display = "Office visit, established patient, low complexity";
    l->modifiers[0] = "25";
    l->modifiers[1] = "59";
    l->nmodifiers = 2;
    l->units = 1;
    l->service_date = "2026-11-25T09:00:00-05:00";
    l->dx[0] = (dft_code){ "E11.9", "Type 2 diabetes mellitus without complications" };
    l->dx[1] = (dft_code){ "I10", "Essential (primary) hypertension" };
    l->ndx = 2;
    l->provider = RIVERA;
    l->has_provider = true;
    l = &in->lines[1];
    l->charge_id = CHARGE2;
    l->found = true;
    l->credit = true;
    l->code = "J1885";
    l->display = "Injection, ketorolac tromethamine, per 15 mg";
    l->hcpcs = true;
    l->units = 2;
    l->service_date = "2026-11-25";
    l->dx[0] = (dft_code){ "I10", "Essential (primary) hypertension" };
    l->ndx = 1;
    l->provider = RIVERA;
    l->has_provider = true;
    in->nlines = 2;
    in->dx[0] = (dft_diagnosis){ { "E11.9", "Type 2 diabetes mellitus without complications" }, 1 };
    in->dx[1] = (dft_diagnosis){ { "I10", "Essential (primary) hypertension" }, 0 };
    in->ndx = 2;
}

static hl7_message *build_and_parse(const dft_input *in)
{
    sw_buf out = SW_BUF_INIT(1 << 20);
    assert_int_equal(dft_build(in, &out), SW_OK);
    hl7_message *m = NULL;
    sw_err err = { 0 };
    int rc = hl7_parse(A, out.data, out.len, &m, &err);
    if (rc != SW_OK)
        fail_msg("%s\n%s", err.msg, out.data);
    sw_buf_free(&out);
    return m;
}

static const char *get(const hl7_message *m, const char *seg, size_t occ,
                       size_t field, size_t rep, size_t comp)
{
    const char *s = hl7_get(m, seg, occ, field, rep, comp, 1);
    return s ? s : "";
}

static void npi_check_digit(void **state)
{
    (void)state;
    assert_true(dft_npi_valid("1234567893"));
    assert_true(dft_npi_valid("1987654328"));
    assert_false(dft_npi_valid("1234567890"));   /* wrong check digit */
    assert_false(dft_npi_valid("123456789"));    /* nine digits */
    assert_false(dft_npi_valid("12345678931"));
    assert_false(dft_npi_valid("12345A7893"));
    assert_false(dft_npi_valid(""));
    assert_false(dft_npi_valid(NULL));
}

static void header_patient_and_visit(void **state)
{
    (void)state;
    dft_input in;
    sample(&in);
    hl7_message *m = build_and_parse(&in);
    /* MSH */
    assert_string_equal(get(m, "MSH", 1, 3, 1, 1), "STAGEWISE");
    assert_string_equal(get(m, "MSH", 1, 4, 1, 1), "Main Street Clinic");
    assert_string_equal(get(m, "MSH", 1, 7, 1, 1), "20261118110640");
    assert_string_equal(get(m, "MSH", 1, 9, 1, 1), "DFT");
    assert_string_equal(get(m, "MSH", 1, 9, 1, 2), "P03");
    assert_string_equal(get(m, "MSH", 1, 9, 1, 3), "DFT_P03");
    assert_string_equal(get(m, "MSH", 1, 10, 1, 1), "SW1-42");
    assert_string_equal(get(m, "MSH", 1, 11, 1, 1), "T");
    assert_string_equal(get(m, "MSH", 1, 12, 1, 1), "2.5.1");
    /* EVN */
    assert_string_equal(get(m, "EVN", 1, 1, 1, 1), "P03");
    assert_string_equal(get(m, "EVN", 1, 2, 1, 1), "20261118110640");
    /* PID: the PMS's number first, then ours and the MRN. */
    assert_string_equal(get(m, "PID", 1, 3, 1, 1), "A100234");
    assert_string_equal(get(m, "PID", 1, 3, 1, 4), "ACMEPM");
    assert_string_equal(get(m, "PID", 1, 3, 1, 5), "PI");
    assert_string_equal(get(m, "PID", 1, 3, 2, 1), "p1");
    assert_string_equal(get(m, "PID", 1, 3, 2, 4), "STAGEWISE");
    assert_string_equal(get(m, "PID", 1, 3, 3, 1), "D1001");
    assert_string_equal(get(m, "PID", 1, 3, 3, 5), "MR");
    /* The ^ in the family name is escaped, so it reads back whole. */
    assert_string_equal(get(m, "PID", 1, 5, 1, 1), "O^Brien");
    assert_string_equal(get(m, "PID", 1, 5, 1, 2), "Ana");
    assert_string_equal(get(m, "PID", 1, 5, 1, 3), "Maria");
    assert_string_equal(get(m, "PID", 1, 7, 1, 1), "19700501");
    assert_string_equal(get(m, "PID", 1, 8, 1, 1), "F");
    /* PV1 */
    assert_string_equal(get(m, "PV1", 1, 2, 1, 1), "O");
    for (size_t f = 7; f <= 8; f++) {
        assert_string_equal(get(m, "PV1", 1, f, 1, 1), "1234567893");
        assert_string_equal(get(m, "PV1", 1, f, 1, 2), "Rivera");
        assert_string_equal(get(m, "PV1", 1, f, 1, 3), "Ana");
        assert_string_equal(get(m, "PV1", 1, f, 1, 9), "NPI");
        assert_string_equal(get(m, "PV1", 1, f, 1, 13), "NPI");
    }
    assert_string_equal(get(m, "PV1", 1, 19, 1, 1), "enc-1");
    assert_string_equal(get(m, "PV1", 1, 44, 1, 1), "20261125090000-0500");
    /* Segment order: MSH EVN PID PV1 FT1 FT1 DG1 DG1. */
    const char *order[] = { "MSH", "EVN", "PID", "PV1", "FT1", "FT1", "DG1", "DG1" };
    assert_int_equal(m->nseg, 8);
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(m->segs[i].id, order[i]);
}

static void ft1_charge_and_credit(void **state)
{
    (void)state;
    dft_input in;
    sample(&in);
    hl7_message *m = build_and_parse(&in);
    /* The charge. */
    assert_string_equal(get(m, "FT1", 1, 1, 1, 1), "1");
    assert_string_equal(get(m, "FT1", 1, 2, 1, 1), CHARGE1);
    assert_int_equal(strlen(get(m, "FT1", 1, 2, 1, 1)), 36);
    assert_string_equal(get(m, "FT1", 1, 4, 1, 1), "20261125");
    assert_string_equal(get(m, "FT1", 1, 5, 1, 1), "20261118110640");
    assert_string_equal(get(m, "FT1", 1, 6, 1, 1), "CG");
    assert_string_equal(get(m, "FT1", 1, 7, 1, 1), "99213");
    assert_string_equal(get(m, "FT1", 1, 7, 1, 2),
                        "Office visit, established patient, low complexity");
    assert_string_equal(get(m, "FT1", 1, 7, 1, 3), "C4");
    assert_string_equal(get(m, "FT1", 1, 10, 1, 1), "1");
    assert_string_equal(get(m, "FT1", 1, 16, 1, 1), "11");
    assert_string_equal(get(m, "FT1", 1, 16, 1, 4), "Main Street Clinic");
    assert_string_equal(get(m, "FT1", 1, 19, 1, 1), "E11.9");
    assert_string_equal(get(m, "FT1", 1, 19, 1, 3), "I10");
    assert_string_equal(get(m, "FT1", 1, 19, 2, 1), "I10");
    assert_string_equal(get(m, "FT1", 1, 19, 2, 2), "Essential (primary) hypertension");
    assert_string_equal(get(m, "FT1", 1, 20, 1, 1), "1234567893");
    assert_string_equal(get(m, "FT1", 1, 20, 1, 2), "Rivera");
    assert_string_equal(get(m, "FT1", 1, 20, 1, 9), "NPI");
    assert_string_equal(get(m, "FT1", 1, 25, 1, 1), "99213");
    assert_string_equal(get(m, "FT1", 1, 25, 1, 3), "C4");
    assert_string_equal(get(m, "FT1", 1, 26, 1, 1), "25");
    assert_string_equal(get(m, "FT1", 1, 26, 2, 1), "59");
    /* The credit: CR, HCPCS, units as they were, no modifiers. */
    assert_string_equal(get(m, "FT1", 2, 1, 1, 1), "2");
    assert_string_equal(get(m, "FT1", 2, 2, 1, 1), CHARGE2);
    assert_string_equal(get(m, "FT1", 2, 4, 1, 1), "20261125");
    assert_string_equal(get(m, "FT1", 2, 6, 1, 1), "CR");
    assert_string_equal(get(m, "FT1", 2, 7, 1, 1), "J1885");
    assert_string_equal(get(m, "FT1", 2, 7, 1, 3), "HCPCS");
    assert_string_equal(get(m, "FT1", 2, 10, 1, 1), "2");
    assert_null(hl7_get(m, "FT1", 2, 26, 1, 1, 1));
    /* DG1 per distinct diagnosis, ranked first. */
    assert_string_equal(get(m, "DG1", 1, 1, 1, 1), "1");
    assert_string_equal(get(m, "DG1", 1, 3, 1, 1), "E11.9");
    assert_string_equal(get(m, "DG1", 1, 3, 1, 3), "I10");
    assert_string_equal(get(m, "DG1", 1, 6, 1, 1), "F");
    assert_string_equal(get(m, "DG1", 1, 15, 1, 1), "1");
    assert_string_equal(get(m, "DG1", 2, 3, 1, 1), "I10");
    assert_null(hl7_get(m, "DG1", 2, 15, 1, 1, 1));   /* unranked */
}

static void times_and_places(void **state)
{
    (void)state;
    dft_input in;
    sample(&in);
    in.encounter_start = "2026-11-25T14:05:09.250Z";
    in.encounter_class = "VR";
    in.gender = NULL;
    hl7_message *m = build_and_parse(&in);
    assert_string_equal(get(m, "PV1", 1, 44, 1, 1), "20261125140509+0000");
    assert_string_equal(get(m, "FT1", 1, 16, 1, 1), "02");
    assert_string_equal(get(m, "PID", 1, 8, 1, 1), "U");
    assert_string_equal(dft_place_of_service("AMB"), "11");
    assert_string_equal(dft_place_of_service("HH"), "12");
    assert_string_equal(dft_place_of_service(NULL), "11");
}

static void valid_input_passes(void **state)
{
    (void)state;
    dft_input in;
    sample(&in);
    sw_buf why = SW_BUF_INIT(4096);
    assert_int_equal(dft_validate(&in, &why), SW_OK);
    assert_int_equal(why.len, 0);
    sw_buf_free(&why);
}

static void validation_sentences(void **state)
{
    (void)state;
    dft_input in;
    sample(&in);
    dft_line *l = &in.lines[0];
    sw_buf why = SW_BUF_INIT(8192);

    l->provider = (dft_provider){ .label = "dr.test", .linked = true,
                                  .family = "Test" };
    assert_int_equal(dft_validate(&in, &why), SW_EINVAL);
    assert_string_equal(why.data, "FT1 1: the rendering provider dr.test has no "
                        "NPI; add it to their Practitioner record and resend.");

    sw_buf_reset(&why);
    l->provider.npi = "1234567890";
    assert_int_equal(dft_validate(&in, &why), SW_EINVAL);
    assert_non_null(strstr(why.data, "FT1 1: the rendering provider dr.test has "
                           "the NPI 1234567890, whose check digit is wrong"));

    sw_buf_reset(&why);
    l->provider.linked = false;
    l->provider.npi = NULL;
    assert_int_equal(dft_validate(&in, &why), SW_EINVAL);
    assert_non_null(strstr(why.data, "dr.test has no Practitioner record"));

    /* Every problem of every line, one sentence each. */
    sw_buf_reset(&why);
    l->provider = RIVERA;
    l->code = NULL;
    l->service_date = NULL;
    in.lines[1].has_provider = false;
    assert_int_equal(dft_validate(&in, &why), SW_EINVAL);
    assert_string_equal(why.data,
        "FT1 1: the charge has no CPT or HCPCS code; correct the charge with a "
        "code and resend. FT1 1: the charge has no date of service; correct it "
        "and resend. FT1 2: the charge has no rendering provider; correct it "
        "and resend.");

    sw_buf_reset(&why);
    sample(&in);
    in.lines[1].found = false;
    assert_int_equal(dft_validate(&in, &why), SW_EINVAL);
    assert_string_equal(why.data, "FT1 2: charge " CHARGE2 " no longer exists; "
                        "queue the visit's charges again.");

    sw_buf_reset(&why);
    in.nlines = 0;
    assert_int_equal(dft_validate(&in, &why), SW_EINVAL);
    sw_buf_free(&why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(npi_check_digit),
        cmocka_unit_test(header_patient_and_visit),
        cmocka_unit_test(ft1_charge_and_credit),
        cmocka_unit_test(times_and_places),
        cmocka_unit_test(valid_input_passes),
        cmocka_unit_test(validation_sentences),
    };
    return cmocka_run_group_tests(tests, hl7_test_setup, hl7_test_teardown);
}
