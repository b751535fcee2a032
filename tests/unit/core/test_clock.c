/* test_clock.c - the clocks of core/clock.h.
 *
 * sw_time_iso writes every stored timestamp (meta.lastUpdated, audit, logs),
 * so a table pins its exact output, including leap days, the millisecond
 * field and instants before 1970 (a timestamp is an int64 and may be one).
 * The fixed clock is what makes stored timestamps predictable in tests; the
 * monotonic clock must never go back and must measure real waits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "core/clock.h"

static int unpin(void **state)
{
    (void)state;
    sw_clock_set_fixed(0);
    return 0;
}

static const struct {
    int64_t     ms;
    const char *iso;
} iso_cases[] = {
    { 0,                 "1970-01-01T00:00:00.000Z" },
    { 1,                 "1970-01-01T00:00:00.001Z" },
    { 999,               "1970-01-01T00:00:00.999Z" },
    { 1000,              "1970-01-01T00:00:01.000Z" },
    { 951782400000,      "2000-02-29T00:00:00.000Z" },
    { 1709164800123,     "2024-02-29T00:00:00.123Z" },
    { 1795566225678,     "2026-11-25T00:23:45.678Z" },
    { 4102444800000,     "2100-01-01T00:00:00.000Z" },
    { 253402300799999,   "9999-12-31T23:59:59.999Z" },
    /* before the epoch: the millisecond field counts forward from the
     * second, as for any other instant */
    { -1000,             "1969-12-31T23:59:59.000Z" },
    { -1,                "1969-12-31T23:59:59.999Z" },
    { -1001,             "1969-12-31T23:59:58.999Z" },
    { -86400000 + 500,   "1969-12-31T00:00:00.500Z" },
};

static void test_time_iso(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof iso_cases / sizeof *iso_cases; i++) {
        char out[SW_TIME_ISO_MAX];
        memset(out, '#', sizeof out);
        sw_time_iso(iso_cases[i].ms, out);
        if (strcmp(out, iso_cases[i].iso) != 0)
            fail_msg("%lld ms: got '%s', want '%s'", (long long)iso_cases[i].ms,
                     out, iso_cases[i].iso);
    }
}

static void test_fixed_clock(void **state)
{
    (void)state;
    sw_clock_set_fixed(1795566225678);
    assert_int_equal(sw_now_wall_ms(), 1795566225678);
    assert_int_equal(sw_now_wall_ms(), 1795566225678);   /* it does not move */
    char out[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), out);
    assert_string_equal(out, "2026-11-25T00:23:45.678Z");

    /* 0 unpins: back to the real time */
    sw_clock_set_fixed(0);
    int64_t now = (int64_t)time(NULL) * 1000;
    int64_t wall = sw_now_wall_ms();
    assert_true(wall > now - 5000 && wall < now + 5000);
}

static void test_fixed_clock_leaves_monotonic_alone(void **state)
{
    (void)state;
    int64_t before = sw_now_mono_us();
    sw_clock_set_fixed(1000);
    struct timespec ts = { 0, 2 * 1000000L };
    nanosleep(&ts, NULL);
    assert_true(sw_now_mono_us() - before >= 2000);
}

static void test_monotonic_measures_waits(void **state)
{
    (void)state;
    int64_t ms0 = sw_now_mono_ms();
    int64_t us0 = sw_now_mono_us();
    struct timespec ts = { 0, 20 * 1000000L };
    nanosleep(&ts, NULL);
    int64_t us1 = sw_now_mono_us();
    int64_t ms1 = sw_now_mono_ms();
    assert_true(us1 - us0 >= 20000);
    assert_true(ms1 - ms0 >= 20);
    /* the two are the same clock in different units: each ms reading is
     * bracketed by the us readings taken around it */
    assert_true(ms0 <= us0 / 1000);
    assert_true(ms1 >= us1 / 1000);

    int64_t last = sw_now_mono_us();
    for (int i = 0; i < 100000; i++) {
        int64_t t = sw_now_mono_us();
        assert_true(t >= last);
        last = t;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_iso),
        cmocka_unit_test_teardown(test_fixed_clock, unpin),
        cmocka_unit_test_teardown(test_fixed_clock_leaves_monotonic_alone, unpin),
        cmocka_unit_test(test_monotonic_measures_waits),
    };
    return cmocka_run_group_tests_name("core/clock", tests, NULL, NULL);
}
