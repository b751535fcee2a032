/* test_pmssim.c - the PMS simulator's pure parts: the billing checks it
 * makes on a DFT^P03 (pmssim/validate.c), table-driven, and the ADT and
 * SIU it generates (pmssim/generate.c) read back with the parser: the
 * fields a receiver needs are there, and the same seed makes the same
 * patients; and they are the training master population's patients: the
 * simulator's new patient n for seed S carries what the training batch
 * (pmssim_training_batch) says of patient n for S. The simulator's sockets are tested in
 * tests/integration/test_pms_sim.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "hl7/dft.h"
#include "hl7/message.h"
#include "pmssim/generate.h"
#include "pmssim/pmssim_int.h"

#define NOW_MS 1795000000000LL    /* 2026-11-19 */

static hl7_message *parse(sw_arena *a, const char *text)
{
    hl7_message *m = NULL;
    sw_err err;
    if (hl7_parse(a, text, strlen(text), &m, &err) != SW_OK)
        fail_msg("does not parse: %s", sw_err_text(&err));
    return m;
}

#define MSH_DFT "MSH|^~\\&|STAGEWISE|1|PMS|SIM|20261125090000||DFT^P03^DFT_P03|C1|T|2.5.1\r"
#define FT1_OK  "FT1|1|ch1||20261125||CG|99213|||||||||||||1234567893\r"

static const struct {
    const char *text;
    size_t      nerr;
    const char *first;     /* in the first error's text */
    int         field;     /* of the first error */
} CASES[] = {
    { MSH_DFT "PID|1||MRN1\r" FT1_OK, 0, NULL, 0 },
    { MSH_DFT "PID|1||MRN1\r" FT1_OK
      "FT1|2|ch2||20261125||CR|36415|||||||||||||1234567893\r", 0, NULL, 0 },
    { MSH_DFT FT1_OK, 1, "PID segment", 0 },
    { MSH_DFT "PID|1\r" FT1_OK, 1, "PID-3", 3 },
    { MSH_DFT "PID|1||MRN1\r", 1, "no FT1", 0 },
    { MSH_DFT "PID|1||MRN1\rFT1|1|ch1||||CG|99213|||||||||||||1234567893\r", 1,
      "FT1-4", 4 },
    { MSH_DFT "PID|1||MRN1\rFT1|1|ch1||soon||CG|99213|||||||||||||1234567893\r", 1,
      "not a date", 4 },
    { MSH_DFT "PID|1||MRN1\rFT1|1|ch1||20261125||XX|99213|||||||||||||1234567893\r",
      1, "CG or CR", 6 },
    { MSH_DFT "PID|1||MRN1\rFT1|1|ch1||20261125||CG||||||||||||||1234567893\r", 1,
      "FT1-7", 7 },
    { MSH_DFT "PID|1||MRN1\rFT1|1|ch1||20261125||CG|99213\r", 1, "FT1-20", 20 },
    /* Every problem at once, the second FT1 named. */
    { MSH_DFT "PID|1\r" FT1_OK "FT1|2|ch2\r", 5, "PID-3", 3 },
    /* Not a DFT: not checked. */
    { "MSH|^~\\&|A|B|C|D|20261125090000||ADT^A04^ADT_A01|C2|T|2.5.1\rPID|1\r", 0,
      NULL, 0 },
};

static void test_validate_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        sw_arena *a = sw_arena_create(0);
        pmssim_errors e;
        pmssim_validate(parse(a, CASES[i].text), &e);
        if (e.n != CASES[i].nerr)
            fail_msg("case %zu: %zu errors, not %zu (%s)", i, e.n, CASES[i].nerr,
                     e.n ? e.items[0].text : "");
        if (CASES[i].first) {
            assert_non_null(strstr(e.items[0].text, CASES[i].first));
            assert_int_equal(e.items[0].field, CASES[i].field);
        }
        sw_arena_destroy(a);
    }
    /* The second FT1's missing fields name it. */
    sw_arena *a = sw_arena_create(0);
    pmssim_errors e;
    pmssim_validate(parse(a, MSH_DFT "PID|1||M\r" FT1_OK "FT1|2|ch2\r"), &e);
    assert_int_equal(e.n, 4);
    for (size_t i = 0; i < e.n; i++) {
        assert_string_equal(e.items[i].segment, "FT1");
        assert_non_null(strstr(e.items[i].text, "FT1 2"));
        assert_string_equal(e.items[i].code, "101");
    }
    sw_arena_destroy(a);
}

static char *generate(pmssim_generator *g, const char *scenario, int rc_want)
{
    sw_buf out = SW_BUF_INIT(1 << 20);
    char control_id[32];
    sw_err err;
    int rc = pmssim_generate(g, scenario, NOW_MS, &out, control_id, &err);
    assert_int_equal(rc, rc_want);
    if (rc != SW_OK) {
        sw_buf_free(&out);
        return NULL;
    }
    size_t n;
    return sw_buf_detach(&out, &n);
}

static const char *get(hl7_message *m, const char *seg, size_t field, size_t comp)
{
    const char *v = hl7_get(m, seg, 1, field, 1, comp, 1);
    return v ? v : "";
}

static void test_generated_messages(void **state)
{
    (void)state;
    pmssim_generator *g = calloc(1, sizeof *g);
    pmssim_generator_init(g, 42, "T", NOW_MS);
    /* Nothing to update, book or cancel yet. */
    assert_null(generate(g, "update-patient", SW_ENOTFOUND));
    assert_null(generate(g, "book", SW_ENOTFOUND));
    assert_null(generate(g, "cancel", SW_ENOTFOUND));
    assert_null(generate(g, "discharge", SW_EINVAL));

    sw_arena *a = sw_arena_create(0);
    char *adt = generate(g, "new-patient", SW_OK);
    hl7_message *m = parse(a, adt);
    assert_string_equal(get(m, "MSH", 9, 1), "ADT");
    assert_string_equal(get(m, "MSH", 9, 2), "A04");
    assert_string_equal(get(m, "MSH", 11, 1), "T");
    assert_string_equal(get(m, "MSH", 12, 1), "2.5.1");
    char mrn[32];
    snprintf(mrn, sizeof mrn, "%s", get(m, "PID", 3, 1));
    assert_string_equal(mrn, "T000001");         /* the training population's first */
    assert_string_equal(get(m, "PID", 3, 4), "SIMPMS");
    assert_string_equal(get(m, "PID", 3, 5), "MR");
    assert_true(strlen(get(m, "PID", 5, 1)) > 0);
    assert_int_equal(strlen(get(m, "PID", 7, 1)), 8);
    assert_true(strchr("FM", get(m, "PID", 8, 1)[0]) != NULL);
    assert_string_equal(get(m, "PID", 11, 6), "USA");
    assert_true(strlen(get(m, "IN1", 2, 1)) > 0);
    assert_true(strlen(get(m, "IN1", 36, 1)) > 0);
    assert_string_equal(get(m, "IN1", 17, 1), "SEL");
    char street[64];
    snprintf(street, sizeof street, "%s", get(m, "PID", 11, 1));

    char *upd = generate(g, "update-patient", SW_OK);
    m = parse(a, upd);
    assert_string_equal(get(m, "MSH", 9, 2), "A08");
    assert_string_equal(get(m, "PID", 3, 1), mrn);

    char *book = generate(g, "book", SW_OK);
    m = parse(a, book);
    assert_string_equal(get(m, "MSH", 9, 2), "S12");
    char id[40], start[40];
    snprintf(id, sizeof id, "%s", get(m, "SCH", 2, 1));
    snprintf(start, sizeof start, "%s", get(m, "SCH", 11, 4));
    assert_string_equal(get(m, "SCH", 25, 1), "Booked");
    assert_string_equal(get(m, "PID", 3, 1), mrn);
    assert_true(dft_npi_valid(get(m, "AIP", 3, 1)));
    assert_string_equal(get(m, "AIP", 3, 9), "NPI");
    assert_non_null(strstr(start, "+0000"));

    char *moved = generate(g, "reschedule", SW_OK);
    m = parse(a, moved);
    assert_string_equal(get(m, "MSH", 9, 2), "S13");
    assert_string_equal(get(m, "SCH", 2, 1), id);
    assert_string_not_equal(get(m, "SCH", 11, 4), start);

    char *cancelled = generate(g, "cancel", SW_OK);
    m = parse(a, cancelled);
    assert_string_equal(get(m, "MSH", 9, 2), "S15");
    assert_string_equal(get(m, "SCH", 2, 1), id);
    assert_string_equal(get(m, "SCH", 25, 1), "Cancelled");
    assert_null(generate(g, "cancel", SW_ENOTFOUND));      /* none open */

    /* The same seed: the same first patient, other control ids. */
    pmssim_generator *h = calloc(1, sizeof *h);
    pmssim_generator_init(h, 42, "P", NOW_MS + 5000);
    char *again = generate(h, "new-patient", SW_OK);
    hl7_message *m1 = parse(a, adt), *m2 = parse(a, again);
    assert_string_equal(get(m2, "PID", 3, 1), mrn);
    assert_string_equal(get(m2, "PID", 5, 1), get(m1, "PID", 5, 1));
    assert_string_equal(get(m2, "PID", 7, 1), get(m1, "PID", 7, 1));
    assert_string_equal(get(m2, "PID", 11, 1), street);
    assert_string_equal(get(m2, "MSH", 11, 1), "P");
    assert_string_not_equal(get(m2, "MSH", 10, 1), get(m1, "MSH", 10, 1));

    sw_free(adt);
    sw_free(upd);
    sw_free(book);
    sw_free(moved);
    sw_free(cancelled);
    sw_free(again);
    free(g);
    free(h);
    sw_arena_destroy(a);
}

/* Field f.c of the first seg of message m, copied. */
static void copy(char *out, size_t n, const hl7_message *m, const char *seg, size_t f,
                 size_t c)
{
    const char *v = hl7_get(m, seg, 1, f, 1, c, 1);
    snprintf(out, n, "%s", v ? v : "");
}

/* Interface tests and training share the same data: for several seeds,
 * the simulator's first new patients are the training batch's first
 * ADTs (MRN, name, birth date, sex, address, phone, coverage), and a
 * booking names the patient's training clinician and kind of visit. */
static void simulator_patients_are_the_training_population(void **state)
{
    (void)state;
    static const uint64_t seeds[] = { 1, 42, 7777 };
    static const struct { const char *seg; size_t f, c; } FIELDS[] = {
        { "PID", 3, 1 }, { "PID", 5, 1 }, { "PID", 5, 2 }, { "PID", 7, 1 },
        { "PID", 8, 1 }, { "PID", 11, 1 }, { "PID", 11, 3 }, { "PID", 11, 4 },
        { "PID", 11, 5 }, { "PID", 13, 7 }, { "IN1", 2, 1 }, { "IN1", 36, 1 },
        { "IN1", 16, 1 },
    };
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        sw_arena *a = sw_arena_create(0);
        sw_buf batch = SW_BUF_INIT(1 << 20);
        assert_int_equal(pmssim_training_batch(seeds[s], 3, NOW_MS, &batch, NULL), SW_OK);
        hl7_file *f;
        sw_err err = { 0 };
        if (hl7_parse_file(a, (const char *)batch.data, batch.len, &f, &err) != SW_OK)
            fail_msg("%s", sw_err_text(&err));
        pmssim_generator *g = calloc(1, sizeof *g);
        pmssim_generator_init(g, seeds[s], "T", NOW_MS);
        int n = 0;
        for (size_t k = 0; k < f->batches[0]->nmsg; k++) {
            const hl7_message *tm = f->batches[0]->msgs[k];
            if (strcmp(hl7_get(tm, "MSH", 1, 9, 1, 1, 1), "ADT") != 0)
                continue;
            char *adt = generate(g, "new-patient", SW_OK);
            hl7_message *sm = parse(a, adt);
            for (size_t i = 0; i < sizeof FIELDS / sizeof FIELDS[0]; i++) {
                char want[128], got[128];
                copy(want, sizeof want, tm, FIELDS[i].seg, FIELDS[i].f, FIELDS[i].c);
                copy(got, sizeof got, sm, FIELDS[i].seg, FIELDS[i].f, FIELDS[i].c);
                assert_true(want[0] != '\0');
                if (strcmp(want, got) != 0)
                    fail_msg("seed %llu patient %d %s-%zu.%zu: training '%s', simulator '%s'",
                             (unsigned long long)seeds[s], n, FIELDS[i].seg, FIELDS[i].f,
                             FIELDS[i].c, want, got);
            }
            /* And what people.h says of them. */
            training_person tp;
            training_person_at(seeds[s], n, NOW_MS, &tp);
            assert_string_equal(get(sm, "PID", 3, 1), tp.mrn);
            char *book = generate(g, "book", SW_OK);
            hl7_message *bm = parse(a, book);
            assert_string_equal(get(bm, "AIP", 3, 1), training_clinician_at(tp.clinician)->npi);
            assert_string_equal(get(bm, "SCH", 7, 1), training_visit_kind_at(tp.visit_kind)->code);
            sw_free(adt);
            sw_free(book);
            n++;
        }
        assert_int_equal(n, 3);
        free(g);
        sw_buf_free(&batch);
        sw_arena_destroy(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_table),
        cmocka_unit_test(test_generated_messages),
        cmocka_unit_test(simulator_patients_are_the_training_population),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
