/* test_schedule.c - scheduled hours per local day (src/adoption/
 * schedule.c) against a real database, on each store: no schedule at
 * all, the practice default only, a user's own template replacing the
 * default, Slots replacing the template on their days (free and busy
 * only), leave replacing everything, a Slot's instants read in local time
 * with a day that crosses midnight at the practice's offset, and the
 * template and leave rules (overlaps, ranges, removing).
 *
 * The Slots are written here as the FHIR store keeps them (the resource
 * row and the search index rows for Schedule.actor, Slot.schedule and
 * Slot.start), so this test reads what schedule.c reads; the integration
 * test tests/integration/test_activity.c writes them through /fhir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adoption/schedule.h"
#include "auth/users.h"
#include "core/clock.h"
#include "testdb.h"

/* 2026-11-25, a Wednesday; Monday the 23rd is DAY0 - 2. */
#define DAY0    20782
#define MON     (DAY0 - 2)
#define TUE     (DAY0 - 1)
#define PID     1

static sw_store *store;
static int64_t nobody, dr_a, dr_b;    /* user ids */

static int seed_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    bool created;
    int rc = auth_practice_ensure(tx, PID, "Test Practice", false, &created);
    auth_new_user a = { .practice_id = PID, .username = "nobody",
                        .display_name = "No Body", .password_hash = "x",
                        .roles = "nurse" };
    auth_new_user b = a, c = a;
    b.username = "dr.a";
    b.roles = "physician";
    c.username = "dr.b";
    c.roles = "physician";
    c.practitioner_id = "prac-b";
    if (rc == SW_OK)
        rc = auth_user_create(tx, &a, &created, &nobody);
    if (rc == SW_OK)
        rc = auth_user_create(tx, &b, &created, &dr_a);
    if (rc == SW_OK)
        rc = auth_user_create(tx, &c, &created, &dr_b);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    if (sw_test_open_migrated(&store) != 0)
        return -1;
    sw_err err;
    if (store_write(store, seed_fn, NULL, &err) != SW_OK) {
        fprintf(stderr, "setup: %s\n", sw_err_text(&err));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(store);
    return 0;
}

/* ---- Helpers ------------------------------------------------------------- */

struct days_ctx {
    int64_t                user_id;
    int                    offset;
    int64_t                first, last;
    adoption_day_schedule *out;
};

static int days_fn(store_tx *tx, void *arg)
{
    struct days_ctx *c = arg;
    adoption_settings set;
    adoption_settings_default(&set);
    set.utc_offset_minutes = c->offset;
    return adoption_schedule_days(tx, PID, c->user_id, &set, c->first, c->last,
                                  c->out);
}

/* The week Monday..Sunday of MON for user_id into out[7]. */
static void week(int64_t user_id, int offset, adoption_day_schedule out[7])
{
    struct days_ctx c = { user_id, offset, MON, MON + 6, out };
    sw_err err;
    if (store_read(store, days_fn, &c, &err) != SW_OK)
        fail_msg("schedule: %s", sw_err_text(&err));
    for (int i = 0; i < 7; i++)
        assert_int_equal(out[i].day, MON + i);
}

struct change_ctx {
    int64_t                        user_id;
    const adoption_template_block *blocks;
    int                            n;
    const char                    *sql;
    int                            leave;     /* 1 add, -1 remove */
    int64_t                        first, last;
};

static int change_fn(store_tx *tx, void *arg)
{
    struct change_ctx *c = arg;
    if (c->sql)
        return store_exec_script(tx, c->sql);
    if (c->leave > 0)
        return adoption_leave_add(tx, PID, c->user_id, c->first, c->last, "Leave");
    if (c->leave < 0)
        return adoption_leave_remove(tx, PID, c->user_id, c->first);
    return adoption_template_set(tx, PID, c->user_id, c->blocks, c->n);
}

static int change(struct change_ctx *c, sw_err *err)
{
    return store_write(store, change_fn, c, err);
}

static void template_set(int64_t user_id, const adoption_template_block *b, int n)
{
    struct change_ctx c = { .user_id = user_id, .blocks = b, .n = n };
    sw_err err;
    if (change(&c, &err) != SW_OK)
        fail_msg("template: %s", sw_err_text(&err));
}

#define HM(h, m) ((h) * 60 + (m))

struct get_ctx {
    int64_t                 user_id;
    adoption_template_block b[8];
    int                     n;
};

static int get_fn(store_tx *tx, void *arg)
{
    struct get_ctx *c = arg;
    return adoption_template_get(tx, PID, c->user_id, c->b, 8, &c->n);
}

/* ---- Cases ---------------------------------------------------------------- */

static void no_schedule_at_all(void **state)
{
    (void)state;
    adoption_day_schedule w[7];
    week(nobody, 0, w);
    for (int i = 0; i < 7; i++) {
        assert_false(w[i].leave);
        assert_int_equal(w[i].nblocks, 0);
        assert_int_equal(w[i].minutes, 0);
        for (int q = 0; q < ADOPTION_QUARTERS; q++)
            assert_false(w[i].quarter_scheduled[q]);
    }
}

/* Runs first among the template cases: the practice default applies to
 * everyone without a template of their own. */
static void practice_default_only(void **state)
{
    (void)state;
    static const adoption_template_block dflt[] = {
        { 0, HM(8, 0), HM(12, 0) }, { 0, HM(13, 0), HM(17, 0) },
        { 3, HM(8, 0), HM(12, 10) },
    };
    template_set(0, dflt, 3);
    adoption_day_schedule w[7];
    week(dr_a, 0, w);
    assert_int_equal(w[0].minutes, 480);
    assert_int_equal(w[0].nblocks, 2);
    assert_int_equal(w[0].blocks[1].start_min, HM(13, 0));
    assert_false(w[0].quarter_scheduled[31]);      /* 07:45 */
    assert_true(w[0].quarter_scheduled[32]);       /* 08:00 */
    assert_true(w[0].quarter_scheduled[47]);       /* 11:45 */
    assert_false(w[0].quarter_scheduled[48]);      /* 12:00 */
    assert_int_equal(w[1].minutes, 0);
    assert_int_equal(w[3].minutes, 250);
    assert_true(w[3].quarter_scheduled[48]);       /* a part of 12:00-12:15 */
    assert_int_equal(w[0].minutes / ADOPTION_SESSION_MIN, 2);
}

static void own_template_replaces_default(void **state)
{
    (void)state;
    static const adoption_template_block mine[] = {
        { 1, HM(9, 0), HM(12, 0) }, { 1, HM(12, 0), HM(13, 0) },
    };
    template_set(dr_a, mine, 2);
    adoption_day_schedule w[7];
    week(dr_a, 0, w);
    assert_int_equal(w[0].minutes, 0);        /* the default's Monday is not hers */
    assert_int_equal(w[1].minutes, 240);      /* adjacent blocks merged */
    assert_int_equal(w[1].nblocks, 1);
    assert_int_equal(w[3].minutes, 0);
    /* Read back in weekday and start order. */
    struct get_ctx g = { .user_id = dr_a };
    sw_err err;
    assert_int_equal(store_read(store, get_fn, &g, &err), SW_OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.b[0].start_min, HM(9, 0));
    assert_int_equal(g.b[1].weekday, 1);
    assert_int_equal(g.b[1].end_min, HM(13, 0));
    g.user_id = 0;
    assert_int_equal(store_read(store, get_fn, &g, &err), SW_OK);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.b[2].weekday, 3);
}

static void template_rules(void **state)
{
    (void)state;
    static const adoption_template_block overlap[] = {
        { 2, HM(8, 0), HM(12, 0) }, { 2, HM(11, 0), HM(14, 0) },
    };
    static const adoption_template_block bad_day[] = { { 7, HM(8, 0), HM(9, 0) } };
    static const adoption_template_block empty[] = { { 1, HM(9, 0), HM(9, 0) } };
    static const adoption_template_block late[] = { { 1, HM(23, 0), 1441 } };
    const adoption_template_block *bad[] = { overlap, bad_day, empty, late };
    int nbad[] = { 2, 1, 1, 1 };
    for (int i = 0; i < 4; i++) {
        struct change_ctx c = { .user_id = dr_a, .blocks = bad[i], .n = nbad[i] };
        sw_err err;
        assert_int_equal(change(&c, &err), SW_EINVAL);
    }
    /* Refused changes left her template as it was. */
    adoption_day_schedule w[7];
    week(dr_a, 0, w);
    assert_int_equal(w[1].minutes, 240);
}

static void leave_replaces_everything(void **state)
{
    (void)state;
    sw_err err;
    struct change_ctx c = { .user_id = dr_a, .leave = 1, .first = TUE, .last = TUE + 1 };
    assert_int_equal(change(&c, &err), SW_OK);
    adoption_day_schedule w[7];
    week(dr_a, 0, w);
    assert_false(w[0].leave);
    assert_true(w[1].leave);
    assert_true(w[2].leave);
    assert_int_equal(w[1].minutes, 0);
    assert_false(w[1].quarter_scheduled[40]);
    /* Overlapping leave, a backwards range, too long a range. */
    struct change_ctx again = { .user_id = dr_a, .leave = 1, .first = MON, .last = TUE };
    assert_int_equal(change(&again, &err), SW_ECONFLICT);
    struct change_ctx back = { .user_id = dr_a, .leave = 1, .first = DAY0 + 9, .last = DAY0 + 8 };
    assert_int_equal(change(&back, &err), SW_EINVAL);
    struct change_ctx year = { .user_id = dr_a, .leave = 1, .first = DAY0 + 9, .last = DAY0 + 9 + 400 };
    assert_int_equal(change(&year, &err), SW_EINVAL);
    /* Taking it off gives the template back. */
    struct change_ctx off = { .user_id = dr_a, .leave = -1, .first = TUE };
    assert_int_equal(change(&off, &err), SW_OK);
    assert_int_equal(change(&off, &err), SW_ENOTFOUND);
    week(dr_a, 0, w);
    assert_false(w[1].leave);
    assert_int_equal(w[1].minutes, 240);
}

/* 2026-11-24 (Tuesday) 00:00 UTC in ms. */
#define TUE_MS (1795564800000LL - 86400000LL)

static void slot_rows(char *sql, size_t cap, const char *id, int64_t start_ms,
                      int64_t end_ms, const char *status)
{
    char start[SW_TIME_ISO_MAX], end[SW_TIME_ISO_MAX];
    sw_time_iso(start_ms, start);
    sw_time_iso(end_ms, end);
    size_t k = strlen(sql);
    snprintf(sql + k, cap - k,
        "INSERT INTO fhir_resource (practice_id, res_type, res_id, version, updated_ms, deleted, body) VALUES (1, 'Slot', '%s', 1, 0, 0, "
        "'{\"resourceType\":\"Slot\",\"id\":\"%s\",\"schedule\":{\"reference\":"
        "\"Schedule/sch-b\"},\"status\":\"%s\",\"start\":\"%s\",\"end\":\"%s\"}');\n"
        "INSERT INTO fhir_idx_ref (practice_id, res_type, res_id, param, ord, target_type, target_id, url) VALUES (1, 'Slot', '%s', 'schedule', 0, "
        "'Schedule', 'sch-b', 'Schedule/sch-b');\n"
        "INSERT INTO fhir_idx_date (practice_id, res_type, res_id, param, ord, low_ms, high_ms) VALUES (1, 'Slot', '%s', 'start', 0, "
        "%lld, %lld);\n", id, id, status, start, end, id, id,
        (long long)start_ms, (long long)start_ms);
}

static void slots_replace_the_template(void **state)
{
    (void)state;
    static const adoption_template_block mine[] = {
        { 1, HM(9, 0), HM(12, 0) }, { 2, HM(9, 0), HM(12, 0) },
    };
    template_set(dr_b, mine, 2);
    int64_t hour = 3600000;
    static char sql[8192];
    snprintf(sql, sizeof sql,
        "INSERT INTO fhir_resource (practice_id, res_type, res_id, version, updated_ms, deleted, body) VALUES (1, 'Schedule', 'sch-b', 1, 0, 0, "
        "'{\"resourceType\":\"Schedule\",\"id\":\"sch-b\"}');\n"
        "INSERT INTO fhir_idx_ref (practice_id, res_type, res_id, param, ord, target_type, target_id, url) VALUES (1, 'Schedule', 'sch-b', 'actor', 0, "
        "'Practitioner', 'prac-b', 'Practitioner/prac-b');\n");
    /* Tuesday 14:00-15:00 UTC, free and busy; one busy-unavailable that
     * does not count. */
    slot_rows(sql, sizeof sql, "s1", TUE_MS + 14 * hour, TUE_MS + 14 * hour + hour / 2, "free");
    slot_rows(sql, sizeof sql, "s2", TUE_MS + 14 * hour + hour / 2, TUE_MS + 15 * hour, "busy");
    slot_rows(sql, sizeof sql, "s3", TUE_MS + 16 * hour, TUE_MS + 17 * hour, "busy-unavailable");
    /* Thursday: only an unavailable slot, so the template (none on
     * Thursday) decides. */
    slot_rows(sql, sizeof sql, "s4", TUE_MS + 2 * 24 * hour + 9 * hour,
              TUE_MS + 2 * 24 * hour + 10 * hour, "busy-unavailable");
    struct change_ctx c = { .sql = sql };
    sw_err err;
    if (change(&c, &err) != SW_OK)
        fail_msg("slots: %s", sw_err_text(&err));

    adoption_day_schedule w[7];
    week(dr_b, 0, w);
    assert_int_equal(w[1].minutes, 60);           /* Slots, not the template */
    assert_int_equal(w[1].nblocks, 1);
    assert_int_equal(w[1].blocks[0].start_min, HM(14, 0));
    assert_int_equal(w[1].blocks[0].end_min, HM(15, 0));
    assert_int_equal(w[2].minutes, 180);          /* no Slots: the template */
    assert_int_equal(w[3].minutes, 0);

    /* At UTC-5 the Tuesday slots are 09:00-10:00 local, still Tuesday. */
    week(dr_b, -300, w);
    assert_int_equal(w[1].blocks[0].start_min, HM(9, 0));
    assert_int_equal(w[1].minutes, 60);
    /* A late slot crossing local midnight at UTC-5: Wednesday 04:30-05:30
     * UTC is Tuesday 23:30 - Wednesday 00:30 local. */
    sql[0] = '\0';
    slot_rows(sql, sizeof sql, "s5", TUE_MS + 24 * hour + 4 * hour + hour / 2,
              TUE_MS + 24 * hour + 5 * hour + hour / 2, "free");
    if (change(&c, &err) != SW_OK)
        fail_msg("slots: %s", sw_err_text(&err));
    week(dr_b, -300, w);
    assert_int_equal(w[1].minutes, 90);
    assert_int_equal(w[1].blocks[1].start_min, HM(23, 30));
    assert_int_equal(w[1].blocks[1].end_min, 1440);
    assert_true(w[1].quarter_scheduled[95]);
    assert_int_equal(w[2].minutes, 30);           /* the slot's Wednesday half */
    assert_true(w[2].quarter_scheduled[0]);
    assert_false(w[2].quarter_scheduled[36]);     /* the template is not used */
    /* In UTC the same slot is all Wednesday morning: 04:30-05:30. */
    week(dr_b, 0, w);
    assert_int_equal(w[2].minutes, 60);
    assert_int_equal(w[2].blocks[0].start_min, HM(4, 30));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_schedule_at_all),
        cmocka_unit_test(practice_default_only),
        cmocka_unit_test(own_template_replaces_default),
        cmocka_unit_test(template_rules),
        cmocka_unit_test(leave_replaces_everything),
        cmocka_unit_test(slots_replace_the_template),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
