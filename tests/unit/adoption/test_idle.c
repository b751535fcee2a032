/* test_idle.c - the 5-second idle rule (adoption_idle_credit) and the
 * checks of an activity report's entry (adoption_report_check), in
 * src/adoption/activity.c: known event lists with their union length,
 * and each rule of an entry with the member its message names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "adoption/activity.h"

/* 2026-11-25T00:00:00Z */
#define DAY0_MS 1795564800000LL
#define S       1000LL
#define MIN     60000LL

static void idle_credit_cases(void **state)
{
    (void)state;
    /* The first event keeps the user active 5 s. */
    assert_int_equal(adoption_idle_credit(0, DAY0_MS), 5 * S);
    /* Gaps under 5 s count whole, longer ones 5 s. */
    assert_int_equal(adoption_idle_credit(DAY0_MS, DAY0_MS + 1200), 1200);
    assert_int_equal(adoption_idle_credit(DAY0_MS, DAY0_MS + 4999), 4999);
    assert_int_equal(adoption_idle_credit(DAY0_MS, DAY0_MS + 5 * S), 5 * S);
    assert_int_equal(adoption_idle_credit(DAY0_MS, DAY0_MS + 3600 * S), 5 * S);
    /* Out of order, or at the same instant: nothing more. */
    assert_int_equal(adoption_idle_credit(DAY0_MS, DAY0_MS - 2 * S), 0);
    assert_int_equal(adoption_idle_credit(DAY0_MS, DAY0_MS), 0);
}

/* The credits of events in order add up to the length of the union of
 * [t, t + 5 s): worked by hand for this list. */
static void union_of_a_known_list(void **state)
{
    (void)state;
    static const int64_t at[] = {
        0, 1000, 2000,          /* [0, 7 s): 7 s */
        20000,                  /* [20, 25): 5 s */
        24000, 26000,           /* to 31 s: 6 s more */
        60000, 60500,           /* [60, 65.5): 5.5 s */
    };
    int64_t total = 0, prev = 0;
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        total += adoption_idle_credit(prev, DAY0_MS + at[i]);
        prev = DAY0_MS + at[i];
    }
    assert_int_equal(total, 7000 + 5000 + 6000 + 5500);
}

static adoption_report_entry good(void)
{
    return (adoption_report_entry){ .area = "documentation", .screen = "visit",
                                    .from_ms = DAY0_MS - 2 * MIN,
                                    .to_ms = DAY0_MS - MIN, .active_ms = 42 * S };
}

/* Entry 3 broken by change(); the message names entries[3].member. */
static void expect_refused(adoption_report_entry e, const char *member)
{
    char msg[200], want[64];
    assert_int_equal(adoption_report_check(&e, 3, DAY0_MS, msg, sizeof msg),
                     SW_EINVAL);
    snprintf(want, sizeof want, "entries[3].%s ", member);
    if (strncmp(msg, want, strlen(want)) != 0)
        fail_msg("\"%s\" does not start with \"%s\"", msg, want);
}

static void report_check_rules(void **state)
{
    (void)state;
    char msg[200];
    adoption_report_entry e = good();
    assert_int_equal(adoption_report_check(&e, 0, DAY0_MS, msg, sizeof msg), SW_OK);
    e.area = "inbox";
    assert_int_equal(adoption_report_check(&e, 0, DAY0_MS, msg, sizeof msg), SW_OK);
    e.area = "other";
    e.screen = "patient_chart";
    assert_int_equal(adoption_report_check(&e, 0, DAY0_MS, msg, sizeof msg), SW_OK);
    e = good();
    e.area = "eprescribing";
    e.active_ms = e.to_ms - e.from_ms;     /* all of the span */
    assert_int_equal(adoption_report_check(&e, 0, DAY0_MS, msg, sizeof msg), SW_OK);
    e.from_ms = e.to_ms - 15 * MIN;        /* exactly 15 minutes */
    assert_int_equal(adoption_report_check(&e, 0, DAY0_MS, msg, sizeof msg), SW_OK);

    e = good(); e.area = "billing_magic";    expect_refused(e, "area");
    e = good(); e.area = NULL;               expect_refused(e, "area");
    e = good(); e.screen = "";               expect_refused(e, "screen");
    e = good(); e.screen = "Visit";          expect_refused(e, "screen");
    e = good(); e.screen = "patient/123";    expect_refused(e, "screen");
    e = good(); e.screen = "abcdefghijklmnopqrstuvwxyzabcdefg"; /* 33 */
    expect_refused(e, "screen");
    e = good(); e.to_ms = e.from_ms;         expect_refused(e, "to");
    e = good(); e.from_ms = e.to_ms - 15 * MIN - 1; expect_refused(e, "to");
    e = good(); e.from_ms = DAY0_MS + 2 * MIN; e.to_ms = DAY0_MS + 3 * MIN;
    e.active_ms = 0;                         expect_refused(e, "to");
    e = good(); e.from_ms = DAY0_MS - 8 * 24 * 60 * MIN;
    e.to_ms = e.from_ms + MIN;               expect_refused(e, "from");
    e = good(); e.active_ms = -1;            expect_refused(e, "active_seconds");
    e = good(); e.active_ms = MIN + 1;       expect_refused(e, "active_seconds");
    /* Less than a minute ahead of the server's clock is believed. */
    e = good(); e.from_ms = DAY0_MS; e.to_ms = DAY0_MS + 30 * S; e.active_ms = 0;
    assert_int_equal(adoption_report_check(&e, 0, DAY0_MS, msg, sizeof msg), SW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(idle_credit_cases),
        cmocka_unit_test(union_of_a_known_list),
        cmocka_unit_test(report_check_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
