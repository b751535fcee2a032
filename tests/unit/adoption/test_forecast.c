/* test_forecast.c - the forecast's model (src/adoption/forecast.c,
 * docs/adoption-metrics.md "Forecast") and the expected productivity
 * curve (src/adoption/productivity.c) on hand-computed points: the module
 * weights, one change of the whole workflow at each end of the published
 * ranges (week 1's depth, 90% of it recovered after the end's recovery
 * time, the residual left), two stages adding up, a stage counted from
 * the week it goes live in, and the staged plan's dip never deeper than
 * the Big Bang's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "adoption/forecast.h"
#include "adoption/productivity.h"

#define START 20759LL      /* 2026-11-02 */

static void near(double got, double want)
{
    if (fabs(got - want) > 0.01)
        fail_msg("got %f, want %f", got, want);
}

static void module_weights(void **state)
{
    (void)state;
    const char *all[] = { "registration", "scheduling", "documentation",
                          "problems", "allergies", "medications", "vitals",
                          "eprescribing", "orders", "results", "immunizations",
                          "charge_capture" };
    near(adoption_forecast_share(all, 12), 1.0);
    const char *notes[] = { "documentation", "problems" };
    near(adoption_forecast_share(notes, 2), 0.35);
    const char *unknown[] = { "telepathy" };
    near(adoption_forecast_share(unknown, 1), 0.0);
    near(adoption_forecast_share(NULL, 0), 0.0);
}

static void one_whole_change(void **state)
{
    (void)state;
    adoption_forecast f;
    memset(&f, 0, sizeof f);
    f.n = ADOPTION_FORECAST_WEEKS;
    adoption_forecast_step s = { START, 1.0 };
    adoption_forecast_curve(&s, 1, START, &f);
    assert_int_equal(f.start_day, START);
    assert_int_equal(f.points[0].week, 1);
    /* Week 1: the depth at each end: 50%, 30%, 15%. */
    near(f.points[0].low_pct, 50.0);
    near(f.points[0].mid_pct, 70.0);
    near(f.points[0].high_pct, 85.0);
    /* 90% of the drop back after 13 weeks (middle): 2% + 28% x 0.1. */
    near(f.points[13].mid_pct, 95.2);
    /* After 4 weeks (optimistic), and 26 (pessimistic, 5% residual). */
    near(f.points[4].high_pct, 98.5);
    near(f.points[26].low_pct, 90.5);
    /* Never above the baseline, always ordered low <= mid <= high. */
    for (size_t w = 0; w < f.n; w++) {
        assert_true(f.points[w].high_pct <= 100.0);
        assert_true(f.points[w].low_pct <= f.points[w].mid_pct);
        assert_true(f.points[w].mid_pct <= f.points[w].high_pct);
    }
    /* The residual stays: the middle curve tends to 98%. */
    assert_true(f.points[39].mid_pct < 98.01 && f.points[39].mid_pct > 97.9);
}

static void stages_add_up(void **state)
{
    (void)state;
    adoption_forecast f;
    memset(&f, 0, sizeof f);
    f.n = 10;
    adoption_forecast_step s[2] = { { START, 0.5 }, { START + 28, 0.5 } };
    adoption_forecast_curve(s, 2, START, &f);
    near(f.points[0].mid_pct, 85.0);           /* half the workflow */
    near(f.points[4].mid_pct, 77.1066);        /* the second stage lands */
    assert_true(f.points[3].mid_pct > f.points[4].mid_pct);
    /* A stage going live mid-week counts from that week. */
    adoption_forecast_step late = { START + 3, 0.5 };
    memset(&f, 0, sizeof f);
    f.n = 2;
    adoption_forecast_curve(&late, 1, START, &f);
    near(f.points[0].mid_pct, 85.0);
    near(f.points[1].mid_pct, 100.0 - 50.0 * (0.02 + 0.28 * exp(-4.0 / 7.0
                                              / (13.0 / log(10.0)))));
    /* More weeks than the curve holds are cut to its size. */
    f.n = 1000;
    adoption_forecast_curve(&late, 1, START, &f);
    assert_int_equal(f.n, ADOPTION_FORECAST_WEEKS);
}

static void staged_dip_is_shallower(void **state)
{
    (void)state;
    adoption_forecast staged, bang;
    memset(&staged, 0, sizeof staged);
    memset(&bang, 0, sizeof bang);
    staged.n = bang.n = ADOPTION_FORECAST_WEEKS;
    adoption_forecast_step s[3] = { { START, 0.4 }, { START + 42, 0.3 },
                                    { START + 84, 0.3 } };
    adoption_forecast_step once = { START, 1.0 };
    adoption_forecast_curve(s, 3, START, &staged);
    adoption_forecast_curve(&once, 1, START, &bang);
    double low_staged = 100, low_bang = 100;
    for (size_t w = 0; w < staged.n; w++) {
        low_staged = fmin(low_staged, staged.points[w].mid_pct);
        low_bang = fmin(low_bang, bang.points[w].mid_pct);
    }
    assert_true(low_staged > low_bang);
    near(low_bang, 70.0);
}

static void expected_curve(void **state)
{
    (void)state;
    near(adoption_expected_pct(0), 0.0);
    near(adoption_expected_pct(1), 75.0);
    near(adoption_expected_pct(2), 75.0);
    near(adoption_expected_pct(3), 82.5);
    near(adoption_expected_pct(4), 90.0);
    near(adoption_expected_pct(15), 95.0);
    near(adoption_expected_pct(26), 100.0);
    near(adoption_expected_pct(60), 100.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(module_weights),
        cmocka_unit_test(one_whole_change),
        cmocka_unit_test(stages_add_up),
        cmocka_unit_test(staged_dip_is_shallower),
        cmocka_unit_test(expected_curve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
