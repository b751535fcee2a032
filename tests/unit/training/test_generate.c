/* test_generate.c - the training generator without a store
 * (src/training/gen_*.c): the same seed gives byte-identical records and
 * HL7 batches and another seed others; every generated resource passes
 * the FHIR validator; the population looks like an ambulatory practice
 * (ages 0-95 with adults most, both sexes, plausible BMI, every diabetic
 * on metformin); the penicillin-allergy case raises the amoxicillin alert
 * in the prescribing check itself; master appointments name a training
 * clinician (a valid Practitioner with an NPI that passes the check
 * digit), master patients have a Coverage; the HL7 batch (written by the
 * PMS simulator's code, pmssim_training_batch) parses, with one ADT per
 * patient and one SIU per booked appointment naming the same clinician. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "clinical/drugs.h"
#include "clinical/rx_check.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"
#include "fhir/validate.h"
#include "hl7/dft.h"
#include "hl7/message.h"
#include "pmssim/generate.h"
#include "training/gen_int.h"
#include "training/generate.h"

#define NOW 1764061200000LL    /* 2025-11-25T09:00:00Z, pinned */

static char *master_text(uint64_t seed, int n)
{
    json_t *all = json_array();
    for (int i = 0; i < n; i++) {
        gen_person p;
        training_rng r;
        gen_master_person(seed, i, NOW, &p, &r);
        json_array_append_new(all, gen_person_bundle(&r, &p, NOW, "master", NULL));
    }
    char *text = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(all);
    return text;
}

static void same_seed_same_bytes(void **state)
{
    (void)state;
    char *a = master_text(42, 40), *b = master_text(42, 40), *c = master_text(43, 40);
    assert_non_null(a);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    free(a), free(b), free(c);

    sw_clock_set_fixed(NOW);
    sw_buf h1 = SW_BUF_INIT(1 << 24), h2 = SW_BUF_INIT(1 << 24), h3 = SW_BUF_INIT(1 << 24);
    assert_int_equal(pmssim_training_batch(42, 40, NOW, &h1, NULL), SW_OK);
    assert_int_equal(pmssim_training_batch(42, 40, NOW, &h2, NULL), SW_OK);
    assert_int_equal(pmssim_training_batch(43, 40, NOW, &h3, NULL), SW_OK);
    assert_int_equal(h1.len, h2.len);
    assert_memory_equal(h1.data, h2.data, h1.len);
    assert_true(h1.len != h3.len || memcmp(h1.data, h3.data, h1.len) != 0);
    sw_buf_free(&h1), sw_buf_free(&h2), sw_buf_free(&h3);
    sw_clock_set_fixed(0);
}

/* Every entry's resource passes the validator; the bundle is returned
 * consumed. */
static void assert_valid_bundle(json_t *b)
{
    size_t i;
    json_t *e;
    assert_true(json_array_size(json_object_get(b, "entry")) > 0);
    json_array_foreach(json_object_get(b, "entry"), i, e) {
        char *text = json_dumps(json_object_get(e, "resource"), JSON_COMPACT);
        sw_arena *a = sw_arena_create(8u << 20);
        sw_json *r;
        assert_int_equal(sw_json_parse(a, text, strlen(text), &r, NULL), SW_OK);
        fhir_issues issues = { 0 };
        assert_int_equal(fhir_validate(a, r, 0, &issues), SW_OK);
        if (issues.errors > 0)
            fail_msg("%s: %s", text, issues.items[0].message);
        sw_arena_destroy(a);
        free(text);
    }
    json_decref(b);
}

static void every_resource_valid(void **state)
{
    (void)state;
    for (int i = 0; i < 60; i++) {
        gen_person p;
        training_rng r;
        gen_master_person(7, i, NOW, &p, &r);
        assert_valid_bundle(gen_person_bundle(&r, &p, NOW, "master", NULL));
    }
    static const char *const cases[] = {
        TRAINING_CASE_PENICILLIN, TRAINING_CASE_DIABETES, TRAINING_CASE_PENDING,
        TRAINING_CASE_RECONCILE,
    };
    json_t *clin = json_pack("{s:s, s:s}", "reference", "Practitioner/x", "display", "x");
    for (size_t c = 0; c < 4; c++) {
        char rep[96];
        assert_valid_bundle(gen_case_bundle("dr.trainee", cases[c], 7, NOW, clin, rep));
        assert_int_equal(rep[0] != '\0', strcmp(cases[c], TRAINING_CASE_PENDING) == 0);
    }
    json_decref(clin);
}

/* The bundle's resources of type, as JSON. */
static int count_type(json_t *b, const char *type, const char *code)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(b, "entry"), i, e) {
        json_t *r = json_object_get(e, "resource");
        if (strcmp(json_string_value(json_object_get(r, "resourceType")), type) != 0)
            continue;
        json_t *coding = json_object_get(json_object_get(r, "medicationCodeableConcept"), "coding");
        const char *c = json_string_value(json_object_get(json_array_get(coding, 0), "code"));
        if (code == NULL || (c != NULL && strcmp(c, code) == 0))
            n++;
    }
    return n;
}

static void population_is_realistic(void **state)
{
    (void)state;
    int n = 600, children = 0, adults = 0, old = 0, female = 0, diabetics = 0;
    for (int i = 0; i < n; i++) {
        gen_person p;
        training_rng r;
        gen_master_person(99, i, NOW, &p, &r);
        assert_in_range(p.age, 0, 95);
        assert_int_equal(strlen(p.birth), 10);
        children += p.age < 18;
        adults += p.age >= 18;
        old += p.age >= 65;
        female += strcmp(p.gender, "female") == 0;
        double bmi = p.weight_kg / (p.height_cm / 100.0 * p.height_cm / 100.0);
        if (p.age >= 18) {
            assert_true(bmi >= 15.0 && bmi <= 50.0);
            assert_true(p.height_cm >= 140 && p.height_cm <= 200);
        }
        assert_in_range(p.visits, 1, 6);
        json_t *b = gen_person_bundle(&r, &p, NOW, "master", NULL);
        if (p.problems & GEN_DM2) {
            diabetics++;
            assert_int_equal(count_type(b, "MedicationRequest", "861007"), 1);
            assert_true(p.age >= 18);
        }
        if (p.problems & GEN_HTN)
            assert_int_equal(count_type(b, "MedicationRequest", "314076"), 1);
        /* Every patient has an allergy entry: some, or "none known". */
        assert_true(count_type(b, "AllergyIntolerance", NULL) >= 1);
        assert_true(count_type(b, "Observation", NULL) >= p.visits);
        json_decref(b);
    }
    assert_true(adults > 3 * children);
    assert_true(children > 0 && old > 0);
    assert_true(female > n / 3 && female < 2 * n / 3);
    assert_true(diabetics > 10);
}

/* The training clinicians are valid Practitioners with check-digit-valid
 * NPIs, and every booked master appointment names one of them
 * (Practitioner/<id> with display), the one people.h gives for the
 * person; every master patient has a Coverage for their plan. */
static void master_appointments_name_clinicians(void **state)
{
    (void)state;
    json_t *prs = gen_transaction();
    for (int k = 0; k < training_clinician_count(); k++) {
        assert_true(dft_npi_valid(training_clinician_at(k)->npi));
        gen_put(prs, gen_practitioner(k));
    }
    assert_true(training_clinician_count() >= 2);
    assert_valid_bundle(prs);
    int booked = 0, seen[8] = { 0 };
    for (int i = 0; i < 80; i++) {
        gen_person p;
        training_rng r;
        gen_master_person(11, i, NOW, &p, &r);
        json_t *b = gen_person_bundle(&r, &p, NOW, "master", NULL);
        training_person tp;
        training_person_at(11, i, NOW, &tp);
        const training_clinician *c = training_clinician_at(tp.clinician);
        char want[64];
        snprintf(want, sizeof want, "Practitioner/%s", c->id);
        int appointments = 0, coverages = 0;
        size_t k;
        json_t *e;
        json_array_foreach(json_object_get(b, "entry"), k, e) {
            json_t *res = json_object_get(e, "resource");
            const char *type = json_string_value(json_object_get(res, "resourceType"));
            if (strcmp(type, "Coverage") == 0) {
                coverages++;
                assert_string_equal(json_string_value(json_object_get(res, "subscriberId")),
                                    tp.member_id);
            }
            if (strcmp(type, "Appointment") != 0)
                continue;
            appointments++;
            json_t *actor = json_object_get(json_array_get(json_object_get(res, "participant"), 1),
                                            "actor");
            assert_string_equal(json_string_value(json_object_get(actor, "reference")), want);
            assert_string_equal(json_string_value(json_object_get(actor, "display")), c->display);
            assert_int_equal(json_integer_value(json_object_get(res, "minutesDuration")),
                             training_visit_kind_at(tp.visit_kind)->minutes);
        }
        assert_int_equal(coverages, 1);
        assert_int_equal(appointments, tp.booked ? 1 : 0);
        booked += appointments;
        seen[tp.clinician % 8] = 1;
        json_decref(b);
    }
    assert_true(booked > 5);
    assert_true(seen[0] + seen[1] + seen[2] >= 2);    /* more than one clinician */
}

static void penicillin_case_raises_the_amoxicillin_alert(void **state)
{
    (void)state;
    json_t *clin = json_pack("{s:s}", "display", "dr.trainee");
    char rep[96];
    json_t *b = gen_case_bundle("dr.trainee", TRAINING_CASE_PENICILLIN, 3, NOW, clin, rep);
    json_decref(clin);
    sw_arena *a = sw_arena_create(8u << 20);
    rx_record recs[16];
    size_t n = 0, i;
    json_t *e;
    int appointments = 0;
    json_array_foreach(json_object_get(b, "entry"), i, e) {
        json_t *r = json_object_get(e, "resource");
        const char *type = json_string_value(json_object_get(r, "resourceType"));
        appointments += strcmp(type, "Appointment") == 0;
        if (strcmp(type, "AllergyIntolerance") != 0 && strcmp(type, "MedicationRequest") != 0)
            continue;
        char *text = json_dumps(r, JSON_COMPACT);
        sw_json *parsed;
        assert_int_equal(sw_json_parse(a, text, strlen(text), &parsed, NULL), SW_OK);
        recs[n++] = (rx_record){ sw_arena_strdup(a, type),
                                 sw_arena_strdup(a, json_string_value(json_object_get(r, "id"))),
                                 parsed };
        free(text);
    }
    assert_int_equal(appointments, 1);
    const drug_kb *kb = drug_kb_builtin();
    const drug_product *amox = drug_product_find(kb, "308191");
    assert_non_null(amox);
    rx_alert alerts[RX_ALERTS_MAX];
    size_t na = rx_check(kb, amox, recs, n, alerts, RX_ALERTS_MAX);
    assert_true(na >= 1);
    assert_string_equal(alerts[0].kind, "allergy");
    assert_true(rx_any_high(alerts, na));
    json_decref(b);
    sw_arena_destroy(a);
}

static void hl7_batch_parses(void **state)
{
    (void)state;
    sw_clock_set_fixed(NOW);
    int n = 50, booked = 0;
    for (int i = 0; i < n; i++) {
        gen_person p;
        training_rng r;
        gen_master_person(5, i, NOW, &p, &r);
        booked += p.booked_day >= 0;
    }
    sw_buf out = SW_BUF_INIT(1 << 24);
    assert_int_equal(pmssim_training_batch(5, n, NOW, &out, NULL), SW_OK);
    sw_arena *a = sw_arena_create(32u << 20);
    hl7_file *f;
    sw_err err = { 0 };
    int rc = hl7_parse_file(a, (const char *)out.data, out.len, &f, &err);
    if (rc != SW_OK)
        fail_msg("%s", sw_err_text(&err));
    assert_non_null(f->fhs);
    assert_int_equal(f->nbatch, 1);
    int adt = 0, siu = 0;
    for (size_t m = 0; m < f->batches[0]->nmsg; m++) {
        const hl7_message *msg = f->batches[0]->msgs[m];
        const char *type = hl7_get(msg, "MSH", 1, 9, 1, 1, 1);
        const char *event = hl7_get(msg, "MSH", 1, 9, 1, 2, 1);
        assert_non_null(hl7_get(msg, "PID", 1, 5, 1, 1, 1));
        if (strcmp(type, "ADT") == 0 && strcmp(event, "A04") == 0)
            adt++;
        if (strcmp(type, "SIU") == 0 && strcmp(event, "S12") == 0) {
            siu++;
            assert_true(dft_npi_valid(hl7_get(msg, "AIP", 1, 3, 1, 1, 1)));
        }
    }
    assert_int_equal(adt, n);
    assert_int_equal(siu, booked);
    assert_true(booked > 0);
    sw_arena_destroy(a);
    sw_buf_free(&out);
    sw_clock_set_fixed(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_bytes),
        cmocka_unit_test(every_resource_valid),
        cmocka_unit_test(population_is_realistic),
        cmocka_unit_test(master_appointments_name_clinicians),
        cmocka_unit_test(penicillin_case_raises_the_amoxicillin_alert),
        cmocka_unit_test(hl7_batch_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
