/* test_nightly.c - the schedule of the nightly training reset
 * (src/server/training_nightly.c, `serve --training-reset-at HH:MM`):
 * which times parse, and the next run for known clock readings before,
 * at and after the time of day, across a day, a month and a year end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/errors.h"
#include "server/training_nightly.h"

/* 2026-11-25T00:00:00Z */
#define DAY0 1795564800000LL
#define H    3600000LL
#define M    60000LL

static void parses_times(void **state)
{
    (void)state;
    static const struct { const char *text; int minute; } OK[] = {
        { "00:00", 0 }, { "02:30", 150 }, { "23:59", 1439 }, { "12:05", 725 },
    };
    for (size_t i = 0; i < sizeof OK / sizeof OK[0]; i++) {
        int m = -1;
        assert_int_equal(server_nightly_parse(OK[i].text, &m), SW_OK);
        assert_int_equal(m, OK[i].minute);
    }
    static const char *const BAD[] = {
        "24:00", "12:60", "2:30", "02:3", "0230", "02:30:00", "ab:cd", "", "-1:00", " 2:30",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        int m = -1;
        assert_int_equal(server_nightly_parse(BAD[i], &m), SW_EINVAL);
        assert_int_equal(m, -1);
    }
    assert_int_equal(server_nightly_parse(NULL, NULL), SW_EINVAL);
}

static void next_run(void **state)
{
    (void)state;
    static const struct { int64_t now; int minute; int64_t next; } CASES[] = {
        /* Before the time: today. */
        { DAY0 + 1 * H, 150, DAY0 + 2 * H + 30 * M },
        { DAY0, 150, DAY0 + 150 * M },
        /* One ms before: still today. */
        { DAY0 + 150 * M - 1, 150, DAY0 + 150 * M },
        /* At the time (a run just made) and after it: tomorrow. */
        { DAY0 + 150 * M, 150, DAY0 + 24 * H + 150 * M },
        { DAY0 + 150 * M + 1, 150, DAY0 + 24 * H + 150 * M },
        { DAY0 + 23 * H + 59 * M, 150, DAY0 + 24 * H + 150 * M },
        /* Midnight: at midnight itself, the next midnight; a ms before
         * midnight, that midnight. */
        { DAY0, 0, DAY0 + 24 * H },
        { DAY0 - 1, 0, DAY0 },
        /* The last minute of the day. */
        { DAY0 + 12 * H, 1439, DAY0 + 23 * H + 59 * M },
        /* Across a month end (2026-11-30 22:00 -> 2026-12-01 01:00). */
        { DAY0 + 5 * 24 * H + 22 * H, 60, DAY0 + 6 * 24 * H + 1 * H },
        /* Across a year end: 2026-12-31T23:30Z -> 2027-01-01T00:15Z. */
        { 1798759800000LL, 15, 1798762500000LL },
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        int64_t got = server_nightly_next_ms(CASES[i].now, CASES[i].minute);
        if (got != CASES[i].next)
            fail_msg("case %zu: %lld, not %lld", i, (long long)got, (long long)CASES[i].next);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_times),
        cmocka_unit_test(next_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
