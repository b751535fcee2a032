/* test_orders_catalog.c - the order catalog (src/clinical/orders_catalog.c):
 * codes unique and shaped like LOINC codes, ranges consistent, search by
 * code prefix and by the words of the display or keywords. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <string.h>

#include "clinical/orders_catalog.h"

static void codes_are_unique_and_well_formed(void **state)
{
    (void)state;
    size_t n;
    const order_item *all = orders_catalog_all(&n);
    assert_true(n >= 10);
    for (size_t i = 0; i < n; i++) {
        const char *c = all[i].code;
        const char *dash = strchr(c, '-');
        /* LOINC: digits, a dash, one check digit. */
        assert_non_null(dash);
        assert_int_equal(strlen(dash), 2);
        for (const char *p = c; p < dash; p++)
            assert_true(isdigit((unsigned char)*p));
        assert_true(isdigit((unsigned char)dash[1]));
        for (size_t k = i + 1; k < n; k++)
            if (strcmp(c, all[k].code) == 0)
                fail_msg("%s twice", c);
        assert_ptr_equal(orders_catalog_find(c), &all[i]);
        if (all[i].has_range)
            assert_true(all[i].low <= all[i].high);
        if (all[i].has_critical_low)
            assert_true(all[i].critical_low <= all[i].low);
        if (all[i].has_critical_high)
            assert_true(all[i].critical_high >= all[i].high);
        if (all[i].category == ORDER_IMAGING)
            assert_null(all[i].unit);
    }
    assert_null(orders_catalog_find("0000-0"));
    assert_null(orders_catalog_find(NULL));
}

static void search_by_code_and_words(void **state)
{
    (void)state;
    const order_item *out[20];
    size_t n = orders_catalog_search("4548", out, 20);
    assert_int_equal(n, 1);
    assert_string_equal(out[0]->code, "4548-4");
    n = orders_catalog_search("a1c", out, 20);
    assert_int_equal(n, 1);
    assert_string_equal(out[0]->code, "4548-4");
    n = orders_catalog_search("CHEST x", out, 20);
    assert_int_equal(n, 1);
    assert_string_equal(out[0]->code, "36643-5");
    assert_int_equal(out[0]->category, ORDER_IMAGING);
    n = orders_catalog_search("metabolic panel", out, 20);
    assert_int_equal(n, 2);             /* CMP and BMP */
    n = orders_catalog_search("panel", out, 20);
    assert_true(n >= 5);
    /* Words must start words: "lucose" finds nothing. */
    assert_int_equal(orders_catalog_search("lucose", out, 20), 0);
    assert_int_equal(orders_catalog_search("glucose zebra", out, 20), 0);
    size_t all;
    orders_catalog_all(&all);
    assert_int_equal(orders_catalog_search("", out, 20), all < 20 ? all : 20);
    assert_int_equal(orders_catalog_search(NULL, out, 3), 3);
    order_category c;
    assert_true(orders_category_parse("imaging", &c) && c == ORDER_IMAGING);
    assert_false(orders_category_parse("radiology", &c));
    assert_string_equal(orders_category_name(ORDER_LAB), "lab");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_are_unique_and_well_formed),
        cmocka_unit_test(search_by_code_and_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
