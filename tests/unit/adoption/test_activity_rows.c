/* test_activity_rows.c - adoption_activity_add (src/adoption/activity.c)
 * against a real database, on each store: a report's active time spread
 * over the quarter-hours its span covers in proportion to the overlap,
 * local days and quarters under a UTC offset (a span across local
 * midnight lands on two days), repeated reports adding up, and each
 * quarter's client total capped at 15 minutes across areas, whether the
 * excess comes in one report or over several, while the audit source's
 * rows count apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adoption/activity.h"
#include "testdb.h"

/* 2026-11-25T00:00:00Z */
#define DAY0_MS 1795564800000LL
#define DAY0    20782
#define S       1000LL
#define MIN     60000LL
#define H       3600000LL
#define PID     1
#define UID     7

static sw_store *store;

static int setup(void **state)
{
    (void)state;
    return sw_test_open_migrated(&store);
}

static int teardown(void **state)
{
    (void)state;
    store_close(store);
    return 0;
}

struct add_ctx {
    int                          offset;
    const adoption_report_entry *e;
    size_t                       n;
    const char                  *sql;     /* or a statement to run instead */
};

static int add_fn(store_tx *tx, void *arg)
{
    struct add_ctx *c = arg;
    if (c->sql)
        return store_exec(tx, NULL, c->sql, "");
    adoption_settings set;
    adoption_settings_default(&set);
    set.utc_offset_minutes = c->offset;
    return adoption_activity_add(tx, PID, UID, &set, c->e, c->n);
}

static void add(int offset, const adoption_report_entry *e, size_t n)
{
    struct add_ctx c = { offset, e, n, NULL };
    sw_err err;
    int rc = store_write(store, add_fn, &c, &err);
    if (rc != SW_OK)
        fail_msg("add: %s", sw_err_text(&err));
}

static void run_sql(const char *sql)
{
    struct add_ctx c = { 0, NULL, 0, sql };
    sw_err err;
    if (store_write(store, add_fn, &c, &err) != SW_OK)
        fail_msg("%s", sw_err_text(&err));
}

struct get_ctx {
    int64_t     day;
    int         quarter;
    const char *area;      /* NULL: the client total of the quarter */
    int64_t     ms;        /* -1 when there is no row */
};

static int get_fn(store_tx *tx, void *arg)
{
    struct get_ctx *c = arg;
    int rc = c->area
        ? store_query_int64(tx, &c->ms, "SELECT active_ms FROM adoption_activity "
                            "WHERE practice_id = 1 AND user_id = 7 AND day = ? "
                            "AND quarter = ? AND area = ? AND source = 'client'",
                            "iit", c->day, (int64_t)c->quarter, c->area)
        : store_query_int64(tx, &c->ms, "SELECT COALESCE(SUM(active_ms), -1) "
                            "FROM adoption_activity WHERE practice_id = 1 AND "
                            "user_id = 7 AND day = ? AND quarter = ? AND "
                            "source = 'client'", "ii", c->day,
                            (int64_t)c->quarter);
    if (rc == SW_ENOTFOUND) {
        c->ms = -1;
        return SW_OK;
    }
    return rc;
}

static int64_t stored(int64_t day, int quarter, const char *area)
{
    struct get_ctx c = { day, quarter, area, 0 };
    sw_err err;
    if (store_read(store, get_fn, &c, &err) != SW_OK)
        fail_msg("read: %s", sw_err_text(&err));
    return c.ms;
}

static adoption_report_entry entry(const char *area, int64_t from, int64_t to,
                                   int64_t active)
{
    return (adoption_report_entry){ .area = area, .screen = "visit",
                                    .from_ms = from, .to_ms = to,
                                    .active_ms = active };
}

/* Quarter 40 is 10:00-10:15 local, 41 is 10:15-10:30. */
static void spread_by_overlap(void **state)
{
    (void)state;
    adoption_report_entry e[] = {
        /* 10:10-10:20, 6 minutes active: half in each quarter. */
        entry("documentation", DAY0_MS + 10 * H + 10 * MIN,
              DAY0_MS + 10 * H + 20 * MIN, 6 * MIN),
        /* 10:12-10:20, 80 s: 3/8 before 10:15, the rest after. */
        entry("eprescribing", DAY0_MS + 10 * H + 12 * MIN,
              DAY0_MS + 10 * H + 20 * MIN, 80 * S),
        /* Inside one quarter: all of it there. */
        entry("inbox", DAY0_MS + 10 * H + 31 * MIN,
              DAY0_MS + 10 * H + 32 * MIN, 45 * S),
    };
    add(0, e, 3);
    assert_int_equal(stored(DAY0, 40, "documentation"), 3 * MIN);
    assert_int_equal(stored(DAY0, 41, "documentation"), 3 * MIN);
    assert_int_equal(stored(DAY0, 40, "eprescribing"), 30 * S);
    assert_int_equal(stored(DAY0, 41, "eprescribing"), 50 * S);
    assert_int_equal(stored(DAY0, 42, "inbox"), 45 * S);
    assert_int_equal(stored(DAY0, 41, "inbox"), -1);
    /* A second report adds to the same rows. */
    add(0, e, 1);
    assert_int_equal(stored(DAY0, 40, "documentation"), 6 * MIN);
    assert_int_equal(stored(DAY0, 41, "documentation"), 6 * MIN);
}

static void local_days_and_quarters(void **state)
{
    (void)state;
    /* 02:10-02:14 UTC is 21:10-21:14 the day before at UTC-5. */
    adoption_report_entry west = entry("other", DAY0_MS + 2 * H + 10 * MIN,
                                       DAY0_MS + 2 * H + 14 * MIN, 2 * MIN);
    add(-300, &west, 1);
    assert_int_equal(stored(DAY0 - 1, 84, "other"), 2 * MIN);
    assert_int_equal(stored(DAY0, 8, "other"), -1);
    /* 22:55-23:05 UTC is 23:55-00:05 at UTC+1: two local days. */
    adoption_report_entry night = entry("results", DAY0_MS + 22 * H + 55 * MIN,
                                        DAY0_MS + 23 * H + 5 * MIN, 4 * MIN);
    add(60, &night, 1);
    assert_int_equal(stored(DAY0, 95, "results"), 2 * MIN);
    assert_int_equal(stored(DAY0 + 1, 0, "results"), 2 * MIN);
    /* An offset that is not a whole quarter (UTC+5:30): 04:40-04:50 UTC is
     * 10:10-10:20 local, split at 10:15 local, 04:45 UTC. */
    adoption_report_entry east = entry("vitals", DAY0_MS + 4 * H + 40 * MIN,
                                       DAY0_MS + 4 * H + 50 * MIN, 10 * MIN);
    add(330, &east, 1);
    assert_int_equal(stored(DAY0, 40, "vitals"), 5 * MIN);
    assert_int_equal(stored(DAY0, 41, "vitals"), 5 * MIN);
}

/* Quarter 60 is 15:00-15:15 on DAY0 + 2 (untouched by the other tests). */
#define CAP_DAY (DAY0 + 2)
#define Q60 (DAY0_MS + 2 * 24 * H + 15 * H)

static void quarter_capped_at_15_minutes(void **state)
{
    (void)state;
    /* Audit-derived time in the same quarter does not count against the
     * client's cap. */
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO adoption_activity VALUES (1, 7, %d, "
             "60, 'documentation', 'audit', 900000)", CAP_DAY);
    run_sql(sql);
    /* Two tabs reporting 10 minutes each in one report: scaled into 15. */
    adoption_report_entry both[] = {
        entry("documentation", Q60, Q60 + 10 * MIN, 10 * MIN),
        entry("eprescribing", Q60 + 5 * MIN, Q60 + 15 * MIN, 10 * MIN),
    };
    add(0, both, 2);
    assert_int_equal(stored(CAP_DAY, 60, "documentation"), 450 * S);
    assert_int_equal(stored(CAP_DAY, 60, "eprescribing"), 450 * S);
    assert_int_equal(stored(CAP_DAY, 60, NULL), 15 * MIN);
    /* A full quarter takes nothing more, in any area. */
    adoption_report_entry more = entry("inbox", Q60 + MIN, Q60 + 2 * MIN, MIN);
    add(0, &more, 1);
    assert_int_equal(stored(CAP_DAY, 60, "inbox"), -1);
    assert_int_equal(stored(CAP_DAY, 60, NULL), 15 * MIN);

    /* Over several reports: 10 minutes, then 10 more get the 5 left. */
    int64_t q61 = Q60 + 15 * MIN;
    adoption_report_entry first = entry("documentation", q61, q61 + 10 * MIN,
                                        10 * MIN);
    adoption_report_entry second = entry("inbox", q61 + 5 * MIN,
                                         q61 + 15 * MIN, 10 * MIN);
    add(0, &first, 1);
    add(0, &second, 1);
    assert_int_equal(stored(CAP_DAY, 61, "documentation"), 10 * MIN);
    assert_int_equal(stored(CAP_DAY, 61, "inbox"), 5 * MIN);
    assert_int_equal(stored(CAP_DAY, 61, NULL), 15 * MIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spread_by_overlap),
        cmocka_unit_test(local_days_and_quarters),
        cmocka_unit_test(quarter_capped_at_15_minutes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
