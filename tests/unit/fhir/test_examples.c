/* test_examples.c - real-world resources must validate with no errors.
 *
 * The official FHIR R4 examples in tests/data/fhir-r4-examples (41 files
 * across the clinical record's resource types, SOURCES.md) and the
 * Synthea transaction and batch bundles in tests/data/synthea (urn:uuid
 * and conditional references, contained resources, base64 attachments)
 * are what clients send; a validator that rejects them is wrong, so any
 * issue here is a failure, printed in full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "fhir/validate.h"
#include "fhir_test.h"

static int validate_dir(const char *dir, size_t *files)
{
    sw_arena *a = sw_arena_create(0);
    assert_non_null(a);
    size_t n;
    char **names = ft_list_json(a, dir, &n);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char rel[512];
        snprintf(rel, sizeof rel, "%s/%s", dir, names[i]);
        sw_arena *one = sw_arena_create(0);
        sw_json *res = ft_load(one, rel);
        fhir_issues is = { 0 };
        assert_int_equal(fhir_validate(one, res, 0, &is), SW_OK);
        if (is.count > 0) {
            bad++;
            for (size_t k = 0; k < is.count; k++)
                printf("%s: %s %s @ %s: %s\n", rel, fhir_severity_name(is.items[k].severity),
                       is.items[k].code, is.items[k].location, is.items[k].message);
        }
        sw_arena_destroy(one);
    }
    sw_arena_destroy(a);
    *files = n;
    return bad;
}

static void test_r4_examples(void **state)
{
    (void)state;
    size_t n;
    assert_int_equal(validate_dir("fhir-r4-examples", &n), 0);
    assert_true(n >= 40);
}

static void test_synthea_bundles(void **state)
{
    (void)state;
    size_t n;
    assert_int_equal(validate_dir("synthea", &n), 0);
    assert_true(n >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_r4_examples),
        cmocka_unit_test(test_synthea_bundles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
