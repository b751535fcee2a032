/* test_benchmarks.c - the benchmark table and its formulas
 * (src/adoption/benchmarks.c, report_measure.c's pajama quarters) on
 * hand-built cases with known answers: per 8 scheduled hours, percents,
 * standing for lower- and higher-is-better rows, the table's own
 * consistency (ids, modules, defaults ordered the way each row's
 * direction says), and which quarter-hours are pajama time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "adoption/benchmarks.h"
#include "adoption/report_int.h"
#include "rollout/catalog.h"

#define DAY0 20759   /* 2026-11-02, a Monday */

static void per_8_scheduled_hours(void **state)
{
    (void)state;
    static const struct {
        int64_t active_ms, scheduled_min;
        bool    has;
        double  hours;
    } cases[] = {
        { 3600000, 480, true, 1.0 },          /* 1 h in one 8-h day */
        { 3600000, 1920, true, 0.25 },        /* the same over four days */
        { 0, 480, true, 0.0 },
        { 5 * 3600000LL, 240, true, 10.0 },   /* a half day */
        { 3600000, 0, false, 0 },             /* nothing scheduled */
        { 3600000, -5, false, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double h = -1;
        bool has = adoption_per_8h(cases[i].active_ms, cases[i].scheduled_min, &h);
        assert_int_equal(has, cases[i].has);
        if (has)
            assert_float_equal(h, cases[i].hours, 1e-9);
    }
}

static void percents(void **state)
{
    (void)state;
    double p = -1;
    assert_true(adoption_percent(3, 4, &p));
    assert_float_equal(p, 75.0, 1e-9);
    assert_true(adoption_percent(0, 7, &p));
    assert_float_equal(p, 0.0, 1e-9);
    assert_true(adoption_percent(1, 3, &p));
    assert_float_equal(p, 100.0 / 3, 1e-9);
    p = -1;
    assert_false(adoption_percent(0, 0, &p));   /* no patients: no value */
    assert_float_equal(p, -1, 0);
}

static void standing_follows_direction(void **state)
{
    (void)state;
    const adoption_benchmark *erx = adoption_benchmark_find("erx");
    const adoption_benchmark *ehr = adoption_benchmark_find("ehr_time");
    assert_non_null(erx);
    assert_non_null(ehr);
    assert_false(erx->lower_is_better);
    assert_true(ehr->lower_is_better);
    assert_string_equal(adoption_standing(erx, 50, 60, 60), "goal_met");
    assert_string_equal(adoption_standing(erx, 50, 60, 50), "floor_met");
    assert_string_equal(adoption_standing(erx, 50, 60, 49.99), "below_floor");
    assert_string_equal(adoption_standing(ehr, 6, 5, 5), "goal_met");
    assert_string_equal(adoption_standing(ehr, 6, 5, 5.5), "floor_met");
    assert_string_equal(adoption_standing(ehr, 6, 5, 6.01), "below_floor");
    assert_null(adoption_benchmark_find("nope"));
    assert_null(adoption_benchmark_find(NULL));
}

static void the_table_is_consistent(void **state)
{
    (void)state;
    size_t n;
    const adoption_benchmark *b = adoption_benchmarks(&n);
    assert_true(n >= 18 && n <= 32);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = i + 1; k < n; k++)
            assert_string_not_equal(b[i].id, b[k].id);
        assert_ptr_equal(adoption_benchmark_find(b[i].id), &b[i]);
        if (*b[i].module && strcmp(b[i].module, "*") != 0
            && catalog_find(b[i].module) == NULL)
            fail_msg("%s counts toward unknown module %s", b[i].id, b[i].module);
        if (b[i].lower_is_better ? b[i].goal > b[i].floor : b[i].goal < b[i].floor)
            fail_msg("%s: the default goal is worse than its floor", b[i].id);
        assert_int_equal(b[i].lower_is_better, b[i].kind == ADOPTION_KIND_TIME);
        assert_true(b[i].window_days == ADOPTION_TIME_WINDOW_DAYS
                    || b[i].window_days == ADOPTION_RATIO_WINDOW_DAYS);
        assert_true(strlen(b[i].formula) > 20);
        assert_true(strlen(b[i].source) > 10);
    }
    /* DESIGN.md §6's defaults. */
    static const struct { const char *id; double floor, goal; } design[] = {
        { "erx", 50, 60 }, { "med_cpoe", 60, 90 }, { "lab_cpoe", 30, 60 },
        { "imaging_cpoe", 30, 60 }, { "problem_list", 80, 95 },
        { "med_list", 80, 95 }, { "allergy_list", 80, 95 },
        { "demographics", 50, 80 }, { "vitals", 50, 80 }, { "smoking", 50, 80 },
        { "breadth", 50, 75 },
    };
    for (size_t i = 0; i < sizeof design / sizeof design[0]; i++) {
        const adoption_benchmark *d = adoption_benchmark_find(design[i].id);
        assert_non_null(d);
        assert_float_equal(d->floor, design[i].floor, 0);
        assert_float_equal(d->goal, design[i].goal, 0);
    }
}

static void pajama_quarters(void **state)
{
    (void)state;
    /* Monday: 06:45 and 17:30 are pajama time, 07:00 and 17:15 not. */
    assert_true(report_pajama_quarter(DAY0, 27));
    assert_false(report_pajama_quarter(DAY0, 28));
    assert_false(report_pajama_quarter(DAY0, 69));
    assert_true(report_pajama_quarter(DAY0, 70));
    assert_true(report_pajama_quarter(DAY0, 95));
    /* Friday the same; Saturday and Sunday all day. */
    assert_false(report_pajama_quarter(DAY0 + 4, 40));
    assert_true(report_pajama_quarter(DAY0 + 5, 40));
    assert_true(report_pajama_quarter(DAY0 + 6, 40));
    assert_false(report_pajama_quarter(DAY0 + 7, 40));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(per_8_scheduled_hours),
        cmocka_unit_test(percents),
        cmocka_unit_test(standing_follows_direction),
        cmocka_unit_test(the_table_is_consistent),
        cmocka_unit_test(pajama_quarters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
