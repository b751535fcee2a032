/* test_rx_check.c - the prescribing safety checks (src/clinical/rx_check.c)
 * on hand-written FHIR records: a penicillin allergy, coded or as text,
 * against amoxicillin (high, by class) and cephalexin (moderate,
 * cross-sensitivity); a sulfa allergy against co-trimoxazole; warfarin with
 * ibuprofen, simvastatin with clarithromycin, an SSRI reported as text with
 * tramadol; duplicate therapy; nothing for an unrelated drug; inactive,
 * refuted and "no known allergy" entries and stopped or completed
 * medications ignored; high alerts first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "clinical_test.h"
#include "clinical/rx_check.h"

#define RX "http://www.nlm.nih.gov/research/umls/rxnorm"

static sw_arena *arena;

static rx_record rec(const char *type, const char *id, const char *json)
{
    return (rx_record){ type, id, ct_parse(arena, json) };
}

static rx_record allergy_coded(const char *id, const char *code, const char *display,
                               const char *clinical)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "{\"resourceType\":\"AllergyIntolerance\","
             "\"clinicalStatus\":{\"coding\":[{\"code\":\"%s\"}]},"
             "\"code\":{\"coding\":[{\"system\":\"" RX "\",\"code\":\"%s\","
             "\"display\":\"%s\"}]},\"patient\":{\"reference\":\"Patient/p\"}}",
             clinical, code, display);
    return rec("AllergyIntolerance", id, buf);
}

static rx_record allergy_text(const char *id, const char *text)
{
    char buf[512];
    snprintf(buf, sizeof buf, "{\"resourceType\":\"AllergyIntolerance\","
             "\"code\":{\"text\":\"%s\"},\"patient\":{\"reference\":\"Patient/p\"}}",
             text);
    return rec("AllergyIntolerance", id, buf);
}

static rx_record med(const char *type, const char *id, const char *code,
                     const char *text, const char *status)
{
    char buf[1024];
    if (code)
        snprintf(buf, sizeof buf, "{\"resourceType\":\"%s\",\"status\":\"%s\","
                 "\"medicationCodeableConcept\":{\"coding\":[{\"system\":\"" RX "\","
                 "\"code\":\"%s\"}],\"text\":\"%s\"}}", type, status, code, text);
    else
        snprintf(buf, sizeof buf, "{\"resourceType\":\"%s\",\"status\":\"%s\","
                 "\"medicationCodeableConcept\":{\"text\":\"%s\"}}", type, status, text);
    return rec(type, id, buf);
}

static size_t run(const char *drug, const rx_record *recs, size_t n, rx_alert *out)
{
    const drug_product *p = drug_product_find(drug_kb_current(), drug);
    assert_non_null(p);
    return rx_check(drug_kb_current(), p, recs, n, out, RX_ALERTS_MAX);
}

static int setup(void **state)
{
    (void)state;
    arena = sw_arena_create(0);
    return arena ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sw_arena_destroy(arena);
    return 0;
}

static void allergies_by_ingredient_class_and_text(void **state)
{
    (void)state;
    rx_alert a[RX_ALERTS_MAX];
    rx_record pen = allergy_coded("al1", "7980", "Penicillin G", "active");
    assert_int_equal(run("308191", &pen, 1, a), 1);     /* amoxicillin */
    assert_string_equal(a[0].kind, "allergy");
    assert_string_equal(a[0].severity, "high");
    assert_string_equal(a[0].code, "ALGY");
    assert_string_equal(a[0].with_type, "AllergyIntolerance");
    assert_string_equal(a[0].with_id, "al1");
    assert_string_equal(a[0].with_name, "Penicillin G");
    assert_non_null(strstr(a[0].message, "penicillins"));
    assert_true(rx_any_high(a, 1));

    rx_record text = allergy_text("al2", "penicillin");
    assert_int_equal(run("308191", &text, 1, a), 1);
    assert_string_equal(a[0].severity, "high");

    rx_record amox = allergy_coded("al3", "723", "Amoxicillin", "active");
    assert_int_equal(run("308194", &amox, 1, a), 1);
    assert_string_equal(a[0].severity, "high");
    assert_non_null(strstr(a[0].message, "contains amoxicillin"));

    /* Penicillins and cephalosporins cross-react: moderate. */
    assert_int_equal(run("309114", &pen, 1, a), 1);      /* cephalexin */
    assert_string_equal(a[0].kind, "allergy");
    assert_string_equal(a[0].severity, "moderate");
    assert_false(rx_any_high(a, 1));

    rx_record sulfa = allergy_text("al4", "Sulfa drugs");
    assert_int_equal(run("198335", &sulfa, 1, a), 1);    /* co-trimoxazole */
    assert_string_equal(a[0].severity, "high");
    assert_int_equal(run("314076", &sulfa, 1, a), 0);    /* lisinopril */

    /* A product code as the allergy's substance counts too. */
    rx_record by_product = allergy_coded("al5", "308191", "Amoxicillin 500 MG", "active");
    assert_int_equal(run("308182", &by_product, 1, a), 1);
}

static void ignored_records(void **state)
{
    (void)state;
    rx_alert a[RX_ALERTS_MAX];
    rx_record recs[] = {
        allergy_coded("i1", "7980", "Penicillin G", "inactive"),
        allergy_coded("i2", "7980", "Penicillin G", "resolved"),
        rec("AllergyIntolerance", "i3", "{\"resourceType\":\"AllergyIntolerance\","
            "\"verificationStatus\":{\"coding\":[{\"code\":\"refuted\"}]},"
            "\"code\":{\"text\":\"penicillin\"}}"),
        rec("AllergyIntolerance", "i4", "{\"resourceType\":\"AllergyIntolerance\","
            "\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\","
            "\"code\":\"716186003\"}],\"text\":\"No known allergy\"}}"),
        med("MedicationRequest", "m1", "855332", "warfarin", "stopped"),
        med("MedicationStatement", "m2", NULL, "warfarin 5 mg", "completed"),
        med("MedicationRequest", "m3", "308191", "amoxicillin", "entered-in-error"),
        rec("Observation", "o1", "{\"resourceType\":\"Observation\",\"status\":\"final\"}"),
    };
    size_t n = sizeof recs / sizeof recs[0];
    assert_int_equal(run("308191", recs, n, a), 0);
    assert_int_equal(run("310965", recs, n, a), 0);
    /* An unrelated drug against active ones: nothing. */
    rx_record active[] = {
        allergy_coded("a1", "7980", "Penicillin G", "active"),
        med("MedicationRequest", "m4", "855332", "warfarin", "active"),
    };
    assert_int_equal(run("861007", active, 2, a), 0);    /* metformin */
}

static void interactions_and_duplicates(void **state)
{
    (void)state;
    rx_alert a[RX_ALERTS_MAX];
    rx_record warfarin = med("MedicationRequest", "w1", "855332",
                             "warfarin sodium 5 MG Oral Tablet", "active");
    assert_int_equal(run("310965", &warfarin, 1, a), 1); /* ibuprofen */
    assert_string_equal(a[0].kind, "interaction");
    assert_string_equal(a[0].severity, "high");
    assert_string_equal(a[0].code, "DRG");
    assert_string_equal(a[0].with_id, "w1");
    assert_non_null(strstr(a[0].message, "bleeding"));
    assert_int_equal(run("243670", &warfarin, 1, a), 1); /* aspirin, an NSAID */
    assert_string_equal(a[0].severity, "high");
    assert_int_equal(run("197517", &warfarin, 1, a), 1); /* clarithromycin */
    assert_string_equal(a[0].severity, "moderate");

    rx_record simva = med("MedicationStatement", "s1", "312961",
                          "simvastatin 20 MG Oral Tablet", "active");
    assert_int_equal(run("197517", &simva, 1, a), 1);
    assert_string_equal(a[0].severity, "high");
    assert_non_null(strstr(a[0].message, "rhabdomyolysis"));
    rx_record atorva = med("MedicationStatement", "s2", "617310", "atorvastatin", "active");
    assert_int_equal(run("197517", &atorva, 1, a), 1);
    assert_string_equal(a[0].severity, "moderate");

    /* Reported as text only, still matched by the ingredient's name. */
    rx_record ssri = med("MedicationStatement", "s3", NULL, "Sertraline 50 mg daily", "active");
    assert_int_equal(run("835603", &ssri, 1, a), 1);     /* tramadol */
    assert_string_equal(a[0].severity, "high");
    assert_non_null(strstr(a[0].message, "serotonin"));
    rx_record mtx = med("MedicationStatement", "s4", NULL, "methotrexate 2.5 mg weekly", "active");
    assert_int_equal(run("198335", &mtx, 1, a), 1);
    assert_string_equal(a[0].severity, "high");

    rx_record opioid = med("MedicationRequest", "o1", "1049621", "oxycodone", "active");
    assert_int_equal(run("197591", &opioid, 1, a), 1);   /* diazepam */
    assert_string_equal(a[0].severity, "high");

    /* ACE inhibitor with spironolactone, either way round. */
    rx_record lisinopril = med("MedicationRequest", "l1", "314076", "lisinopril", "active");
    assert_int_equal(run("313096", &lisinopril, 1, a), 1);
    assert_string_equal(a[0].severity, "moderate");
    assert_non_null(strstr(a[0].message, "hyperkalaemia"));

    /* The same ingredient already taken. */
    assert_int_equal(run("314077", &lisinopril, 1, a), 1);
    assert_string_equal(a[0].kind, "duplicate");
    assert_string_equal(a[0].severity, "moderate");
    assert_string_equal(a[0].code, "DUPTHPY");
    assert_int_equal(run("197887", &lisinopril, 1, a), 1); /* HCTZ/lisinopril */
    assert_string_equal(a[0].kind, "duplicate");
}

static void high_alerts_come_first(void **state)
{
    (void)state;
    rx_alert a[RX_ALERTS_MAX];
    rx_record recs[] = {
        med("MedicationRequest", "s1", "312941", "sertraline", "active"),   /* moderate */
        med("MedicationRequest", "w1", "855332", "warfarin", "active"),     /* high */
        med("MedicationRequest", "i1", "310965", "ibuprofen", "active"),    /* duplicate */
    };
    size_t n = run("849574", recs, 3, a);                /* naproxen */
    assert_int_equal(n, 2);
    assert_string_equal(a[0].severity, "high");
    assert_string_equal(a[0].with_id, "w1");
    assert_string_equal(a[1].severity, "moderate");
    assert_string_equal(a[1].with_id, "s1");
    /* Ibuprofen and naproxen share no ingredient: no duplicate. */
    assert_int_equal(run("310965", recs, 3, a), 3);
    assert_string_equal(a[0].severity, "high");
    assert_string_equal(a[2].kind, "duplicate");
    /* The output never overflows. */
    assert_int_equal(rx_check(drug_kb_current(), drug_product_find(drug_kb_current(), "310965"),
                              recs, 3, a, 1), 1);
    assert_string_equal(a[0].severity, "high");
}

static void medication_helpers(void **state)
{
    (void)state;
    rx_record r = med("MedicationRequest", "x", "855332", "Warfarin 5", "active");
    assert_true(rx_medication_is_active(r.resource));
    assert_string_equal(rx_medication_name(r.resource), "Warfarin 5");
    assert_string_equal(rx_medication_rxnorm(r.resource), "855332");
    rx_record s = med("MedicationStatement", "y", NULL, "Vitamin D", "intended");
    assert_true(rx_medication_is_active(s.resource));
    assert_null(rx_medication_rxnorm(s.resource));
    rx_record stopped = med("MedicationStatement", "z", NULL, "Vitamin D", "stopped");
    assert_false(rx_medication_is_active(stopped.resource));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allergies_by_ingredient_class_and_text),
        cmocka_unit_test(ignored_records),
        cmocka_unit_test(interactions_and_duplicates),
        cmocka_unit_test(high_alerts_come_first),
        cmocka_unit_test(medication_helpers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
