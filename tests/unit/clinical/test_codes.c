/* test_codes.c - the billing code tables (src/clinical/codes.c): exact
 * look-up ignoring case, the code system of a procedure (CPT or HCPCS),
 * search by code prefix (with or without the dot) and by words of the
 * display, at most 20 results, and tables without duplicates or malformed
 * ICD-10-CM codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <string.h>

#include "clinical/codes.h"

static void codes_are_found_exactly(void **state)
{
    (void)state;
    const code_entry *e = codes_find(CODES_DIAGNOSES, "e11.9");
    assert_non_null(e);
    assert_string_equal(e->code, "E11.9");
    assert_non_null(strstr(e->display, "Type 2 diabetes"));
    assert_null(codes_find(CODES_DIAGNOSES, "E11"));       /* a category, not billable */
    assert_null(codes_find(CODES_DIAGNOSES, "99213"));
    assert_non_null(codes_find(CODES_PROCEDURES, "99213"));
    assert_null(codes_find(CODES_PROCEDURES, "E11.9"));
    assert_string_equal(codes_system(CODES_PROCEDURES, "99213"), CODES_CPT_SYSTEM);
    assert_string_equal(codes_system(CODES_PROCEDURES, "G0439"), CODES_HCPCS_SYSTEM);
    assert_string_equal(codes_system(CODES_DIAGNOSES, "I10"), CODES_ICD10CM_SYSTEM);
    /* The codes the brief of a primary care practice names. */
    static const char *const dx[] = { "I10", "E78.5", "J06.9", "J20.9", "H66.90",
        "J01.90", "J02.9", "N39.0", "M54.50", "F32.A", "F41.1", "J45.909",
        "J44.9", "K21.9", "E66.9", "E03.9", "E55.9", "Z00.00", "Z00.01", "Z23" };
    for (size_t i = 0; i < sizeof dx / sizeof dx[0]; i++)
        assert_non_null(codes_find(CODES_DIAGNOSES, dx[i]));
    static const char *const px[] = { "99202", "99205", "99211", "99215", "99381",
        "99397", "36415", "90471", "93000", "81002", "87880", "96127", "G0438",
        "G0439", "99401" };
    for (size_t i = 0; i < sizeof px / sizeof px[0]; i++)
        assert_non_null(codes_find(CODES_PROCEDURES, px[i]));
}

static void tables_are_well_formed(void **state)
{
    (void)state;
    assert_true(codes_icd10cm_count >= 150);
    for (size_t i = 0; i < codes_icd10cm_count; i++) {
        const char *c = codes_icd10cm[i].code;
        /* ICD-10-CM: a letter, two characters, then an optional dot and up
         * to four more. */
        assert_true(isupper((unsigned char)c[0]));
        assert_true(strlen(c) == 3 || (strlen(c) >= 5 && c[3] == '.' && strlen(c) <= 8));
        assert_true(codes_icd10cm[i].display[0] != '\0');
        for (size_t k = i + 1; k < codes_icd10cm_count; k++)
            assert_true(strcmp(c, codes_icd10cm[k].code) != 0);
    }
    for (size_t i = 0; i < codes_procedure_count; i++) {
        assert_int_equal(strlen(codes_procedure[i].code), 5);
        for (size_t k = i + 1; k < codes_procedure_count; k++)
            assert_true(strcmp(codes_procedure[i].code, codes_procedure[k].code) != 0);
    }
}

static bool contains(const code_entry **found, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(found[i]->code, code) == 0)
            return true;
    return false;
}

static void search_by_code_and_words(void **state)
{
    (void)state;
    const code_entry *found[CODES_SEARCH_MAX];
    size_t n = codes_search(CODES_DIAGNOSES, "e11", found, CODES_SEARCH_MAX);
    assert_true(n >= 5);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(strncmp(found[i]->code, "E11", 3), 0);
    n = codes_search(CODES_DIAGNOSES, "E119", found, CODES_SEARCH_MAX);
    assert_true(n >= 1);
    assert_string_equal(found[0]->code, "E11.9");
    n = codes_search(CODES_DIAGNOSES, "type 2 diab hyperglyc", found, CODES_SEARCH_MAX);
    assert_int_equal(n, 1);
    assert_string_equal(found[0]->code, "E11.65");
    n = codes_search(CODES_DIAGNOSES, "HYPERTENSION", found, CODES_SEARCH_MAX);
    assert_true(contains(found, n, "I10"));
    n = codes_search(CODES_DIAGNOSES, "otitis media", found, CODES_SEARCH_MAX);
    assert_true(contains(found, n, "H66.90") && contains(found, n, "H65.90"));
    /* Words start words: "tension" is not "hypertension". */
    n = codes_search(CODES_DIAGNOSES, "tension", found, CODES_SEARCH_MAX);
    assert_false(contains(found, n, "I10"));
    assert_true(contains(found, n, "G44.209"));
    n = codes_search(CODES_PROCEDURES, "9921", found, CODES_SEARCH_MAX);
    assert_int_equal(n, 5);
    n = codes_search(CODES_PROCEDURES, "wellness", found, CODES_SEARCH_MAX);
    assert_true(contains(found, n, "G0438") && contains(found, n, "G0439"));
    /* At most 20, nothing for nothing. */
    n = codes_search(CODES_DIAGNOSES, "z", found, CODES_SEARCH_MAX);
    assert_int_equal(n, CODES_SEARCH_MAX);
    assert_int_equal(codes_search(CODES_DIAGNOSES, "", found, CODES_SEARCH_MAX), 0);
    assert_int_equal(codes_search(CODES_DIAGNOSES, "   ", found, CODES_SEARCH_MAX), 0);
    assert_int_equal(codes_search(CODES_DIAGNOSES, "xyzzy", found, CODES_SEARCH_MAX), 0);
    assert_int_equal(codes_search(CODES_DIAGNOSES, "e11", found, 2), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_are_found_exactly),
        cmocka_unit_test(tables_are_well_formed),
        cmocka_unit_test(search_by_code_and_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
