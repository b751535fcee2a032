/* test_days.c - local days, weekdays and quarters of the adoption area
 * (src/adoption/adoption.c) at known instants, with UTC offsets either
 * side of zero, and the core features table's role matching
 * (src/adoption/features.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "adoption/adoption.h"
#include "adoption/features.h"
#include "auth/roles.h"

/* 2026-11-25T00:00:00Z, a Wednesday */
#define DAY0_MS 1795564800000LL
#define DAY0    20782
#define H       3600000LL

static void days_and_weekdays(void **state)
{
    (void)state;
    assert_int_equal(adoption_day_of(DAY0_MS, 0), DAY0);
    assert_int_equal(adoption_weekday(DAY0), 2);            /* Wednesday */
    assert_int_equal(adoption_weekday(0), 3);               /* 1970-01-01: Thursday */
    assert_int_equal(adoption_weekday(-1), 2);
    /* 23:30 UTC on the 24th is already the 25th at UTC+1 ... */
    assert_int_equal(adoption_day_of(DAY0_MS - H / 2, 60), DAY0);
    /* ... and 02:00 UTC on the 25th still the 24th at UTC-5. */
    assert_int_equal(adoption_day_of(DAY0_MS + 2 * H, -300), DAY0 - 1);
    assert_int_equal(adoption_day_start_ms(DAY0, -300), DAY0_MS + 5 * H);
    assert_int_equal(adoption_day_of(adoption_day_start_ms(DAY0, 330), 330), DAY0);
    assert_int_equal(adoption_day_of(-1, 0), -1);
}

static void quarters(void **state)
{
    (void)state;
    assert_int_equal(adoption_quarter_of(DAY0_MS, 0), 0);
    assert_int_equal(adoption_quarter_of(DAY0_MS + 14 * 60000 + 59999, 0), 0);
    assert_int_equal(adoption_quarter_of(DAY0_MS + 15 * 60000, 0), 1);
    assert_int_equal(adoption_quarter_of(DAY0_MS - 1, 0), 95);
    /* 13:20 UTC is 08:20 at UTC-5: quarter 33. */
    assert_int_equal(adoption_quarter_of(DAY0_MS + 13 * H + 20 * 60000, -300), 33);
}

static void day_text(void **state)
{
    (void)state;
    char text[11];
    adoption_day_text(DAY0, text);
    assert_string_equal(text, "2026-11-25");
    int64_t d = 0;
    assert_true(adoption_day_parse("2026-11-25", &d));
    assert_int_equal(d, DAY0);
    assert_true(adoption_day_parse("2024-02-29", &d));
    static const char *const bad[] = {
        "2026-02-29", "2026-13-01", "2026-00-10", "2026-11-31", "2026-1-01",
        "26-11-25", "2026-11-25T00", "", "2026/11/25",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(adoption_day_parse(bad[i], &d));
}

static void core_features_by_role(void **state)
{
    (void)state;
    const adoption_feature *f[16];
    size_t n = adoption_core_features("documentation", "physician", f, 16);
    assert_true(n >= 3);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(f[i]->module, "documentation");
    /* Front desk has no documentation features; it has registration's. */
    assert_int_equal(adoption_core_features("documentation", "front_desk", f, 16), 0);
    assert_true(adoption_core_features("registration", "front_desk", f, 16) >= 2);
    /* A user with two roles gets each feature once. */
    size_t both = adoption_core_features("allergies", "nurse,physician", f, 16);
    assert_int_equal(both, adoption_core_features("allergies", "nurse", f, 16));
    assert_non_null(adoption_feature_find("documentation.sign"));
    assert_null(adoption_feature_find("documentation.nothing"));
    assert_true(adoption_is_clinician("nurse,advanced_practice"));
    assert_false(adoption_is_clinician("nurse,physicians"));
    assert_false(auth_roles_has("medical_assistant", "assistant"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(days_and_weekdays),
        cmocka_unit_test(quarters),
        cmocka_unit_test(day_text),
        cmocka_unit_test(core_features_by_role),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
