/* test_drugs.c - the built-in drug knowledge base (src/clinical/drugs*.c):
 * table integrity (unique codes, every product's ingredients, every
 * ingredient's classes and every interaction's terms known, severities
 * from the set, every usual frequency understood as FHIR Timing), search
 * by code prefix, words and class, and free text read as ingredients and
 * classes by whole words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "clinical/drugs.h"
#include "clinical/meds.h"

static bool severity_ok(const char *s)
{
    return s && (strcmp(s, "high") == 0 || strcmp(s, "moderate") == 0
                 || strcmp(s, "low") == 0);
}

static bool digits(const char *s)
{
    if (s == NULL || *s == '\0')
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static void tables_hold_together(void **state)
{
    (void)state;
    const drug_kb *kb = drug_kb_current();
    assert_ptr_equal(kb, drug_kb_builtin());
    assert_true(kb->nproducts >= 60);
    for (size_t i = 0; i < kb->nclasses; i++) {
        for (size_t j = i + 1; j < kb->nclasses; j++)
            assert_string_not_equal(kb->classes[i].id, kb->classes[j].id);
        assert_true(kb->classes[i].allergy_severity == NULL
                    || severity_ok(kb->classes[i].allergy_severity));
    }
    for (size_t i = 0; i < kb->ningredients; i++) {
        const drug_ingredient *ing = &kb->ingredients[i];
        assert_true(ing->rxnorm == NULL || digits(ing->rxnorm));
        for (size_t j = i + 1; j < kb->ningredients; j++) {
            assert_true(strcasecmp(ing->name, kb->ingredients[j].name) != 0);
            if (ing->rxnorm && kb->ingredients[j].rxnorm)
                assert_string_not_equal(ing->rxnorm, kb->ingredients[j].rxnorm);
        }
        for (size_t k = 0; ing->classes[k]; k++)
            if (drug_class_find(kb, ing->classes[k]) == NULL)
                fail_msg("%s: unknown class %s", ing->name, ing->classes[k]);
        /* A name is never also a class id: terms must not be ambiguous. */
        assert_null(drug_class_find(kb, ing->name));
    }
    for (size_t i = 0; i < kb->nproducts; i++) {
        const drug_product *p = &kb->products[i];
        assert_true(digits(p->rxnorm));
        for (size_t j = i + 1; j < kb->nproducts; j++) {
            assert_string_not_equal(p->rxnorm, kb->products[j].rxnorm);
            assert_true(strcasecmp(p->name, kb->products[j].name) != 0);
        }
        /* Product and ingredient codes never collide either. */
        assert_null(drug_ingredient_by_code(kb, p->rxnorm));
        assert_non_null(p->ingredients[0]);
        for (size_t k = 0; p->ingredients[k]; k++)
            if (drug_ingredient_named(kb, p->ingredients[k]) == NULL)
                fail_msg("%s: unknown ingredient %s", p->name, p->ingredients[k]);
        assert_true(*p->dose && *p->route && *p->frequency);
        meds_timing t;
        meds_timing_of(p->frequency, &t);
        if (!t.known)
            fail_msg("%s: frequency \"%s\" is not understood", p->name, p->frequency);
        assert_ptr_equal(drug_product_find(kb, p->rxnorm), p);
    }
    for (size_t i = 0; i < kb->ninteractions; i++) {
        const drug_interaction *it = &kb->interactions[i];
        if (!drug_term_known(kb, it->a) || !drug_term_known(kb, it->b))
            fail_msg("interaction %s + %s names an unknown term", it->a, it->b);
        assert_true(severity_ok(it->severity));
        assert_true(strlen(it->message) > 10);
    }
    for (size_t i = 0; i < kb->ncross; i++) {
        assert_non_null(drug_class_find(kb, kb->cross[i].allergy));
        assert_non_null(drug_class_find(kb, kb->cross[i].drug));
        assert_true(severity_ok(kb->cross[i].severity));
    }
    /* The codes the checks are known by. */
    assert_string_equal(drug_ingredient_named(kb, "amoxicillin")->rxnorm, "723");
    assert_string_equal(drug_ingredient_named(kb, "penicillin G")->rxnorm, "7980");
    assert_string_equal(drug_ingredient_named(kb, "warfarin")->rxnorm, "11289");
    assert_true(drug_ingredient_is(drug_ingredient_by_code(kb, "723"), "penicillin"));
    assert_true(drug_ingredient_is(drug_ingredient_by_code(kb, "723"), "AMOXICILLIN"));
    assert_false(drug_ingredient_is(drug_ingredient_by_code(kb, "723"), "cephalosporin"));
    assert_null(drug_product_find(kb, "999999"));
    assert_null(drug_product_find(kb, NULL));
}

static void search_finds_by_code_words_and_class(void **state)
{
    (void)state;
    const drug_kb *kb = drug_kb_current();
    const drug_product *out[DRUG_SEARCH_MAX];
    size_t n = drug_search(kb, "amoxicillin", out, DRUG_SEARCH_MAX);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(out[i]->ingredients[0], "amoxicillin");
    n = drug_search(kb, "AMOX 500", out, DRUG_SEARCH_MAX);
    assert_int_equal(n, 2);
    n = drug_search(kb, "308191", out, DRUG_SEARCH_MAX);
    assert_int_equal(n, 1);
    assert_string_equal(out[0]->name, "amoxicillin 500 MG Oral Capsule");
    n = drug_search(kb, "3081", out, DRUG_SEARCH_MAX);
    assert_true(n >= 3);
    for (size_t i = 0; i < n; i++)
        assert_memory_equal(out[i]->rxnorm, "3081", 4);
    /* By class: penicillins include amoxicillin and penicillin V. */
    n = drug_search(kb, "penicillins", out, DRUG_SEARCH_MAX);
    bool amox = false, penv = false;
    for (size_t i = 0; i < n; i++) {
        amox = amox || strcmp(out[i]->ingredients[0], "amoxicillin") == 0;
        penv = penv || strcmp(out[i]->ingredients[0], "penicillin V") == 0;
    }
    assert_true(amox && penv);
    assert_int_equal(drug_search(kb, "statin 40", out, DRUG_SEARCH_MAX), 3);
    assert_int_equal(drug_search(kb, "oral", out, 5), 5);
    assert_int_equal(drug_search(kb, "", out, DRUG_SEARCH_MAX), 0);
    assert_int_equal(drug_search(kb, "   ", out, DRUG_SEARCH_MAX), 0);
    assert_int_equal(drug_search(kb, NULL, out, DRUG_SEARCH_MAX), 0);
    assert_int_equal(drug_search(kb, "unobtainium", out, DRUG_SEARCH_MAX), 0);
}

static void free_text_names_ingredients_and_classes(void **state)
{
    (void)state;
    const drug_kb *kb = drug_kb_current();
    const drug_ingredient *ing[8];
    const drug_class *cls[8];
    size_t ni, nc;
    drug_terms_in_text(kb, "Penicillin G", ing, &ni, cls, &nc, 8);
    assert_int_equal(ni, 1);
    assert_string_equal(ing[0]->name, "penicillin G");
    assert_int_equal(nc, 1);
    assert_string_equal(cls[0]->id, "penicillin");
    drug_terms_in_text(kb, "allergic to sulfa drugs", ing, &ni, cls, &nc, 8);
    assert_int_equal(ni, 0);
    assert_int_equal(nc, 1);
    assert_string_equal(cls[0]->id, "sulfonamide-antibiotic");
    drug_terms_in_text(kb, "Warfarin 5mg daily", ing, &ni, cls, &nc, 8);
    assert_int_equal(ni, 1);
    assert_string_equal(ing[0]->name, "warfarin");
    /* Whole words only: nystatin is no statin, coamoxiclav no amoxicillin. */
    drug_terms_in_text(kb, "nystatin; coamoxicillinx", ing, &ni, cls, &nc, 8);
    assert_int_equal(ni, 0);
    assert_int_equal(nc, 0);
    drug_terms_in_text(kb, "NSAIDs", ing, &ni, cls, &nc, 8);
    assert_int_equal(nc, 1);
    assert_string_equal(cls[0]->id, "nsaid");
    drug_terms_in_text(kb, NULL, ing, &ni, cls, &nc, 8);
    assert_int_equal(ni + nc, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tables_hold_together),
        cmocka_unit_test(search_finds_by_code_words_and_class),
        cmocka_unit_test(free_text_names_ingredients_and_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
