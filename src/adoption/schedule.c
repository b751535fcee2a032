/* schedule.c - each user's scheduled hours per local day (see schedule.h;
 * docs/adoption-metrics.md "Scheduled hours"), and the weekly templates
 * and leave that the schedule API (src/server/api_adoption_schedule.c)
 * changes.
 *
 * The reports ask for a user's days over a window (30 or 90 days at a
 * time, once per user per evaluation), so adoption_schedule_days reads
 * each source once for the whole range: the leave rows, the user's
 * Practitioner's Slots through the FHIR search index, and both templates
 * in one query. */
#include "adoption/schedule.h"

#include <string.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"

/* ---- Building a day ------------------------------------------------------- */

/* Adds [start, end) minutes to d, merging overlaps and keeping the blocks
 * in order. */
static void block_add(adoption_day_schedule *d, int start, int end)
{
    if (start < 0)
        start = 0;
    if (end > 1440)
        end = 1440;
    if (end <= start)
        return;
    adoption_block merged = { start, end };
    int n = 0;
    adoption_block keep[ADOPTION_BLOCKS_MAX + 1];
    for (int i = 0; i < d->nblocks; i++) {
        adoption_block b = d->blocks[i];
        if (b.end_min < merged.start_min || b.start_min > merged.end_min) {
            keep[n++] = b;
            continue;
        }
        merged.start_min = b.start_min < merged.start_min ? b.start_min
                                                          : merged.start_min;
        merged.end_min = b.end_min > merged.end_min ? b.end_min : merged.end_min;
    }
    /* Insert merged in order. */
    int at = 0;
    while (at < n && keep[at].start_min < merged.start_min)
        at++;
    if (n >= ADOPTION_BLOCKS_MAX)
        return;      /* more than 16 separate blocks a day: ignore the rest */
    memmove(&keep[at + 1], &keep[at], (size_t)(n - at) * sizeof keep[0]);
    keep[at] = merged;
    n++;
    memcpy(d->blocks, keep, (size_t)n * sizeof keep[0]);
    d->nblocks = n;
}

/* Sets minutes and quarter_scheduled from the blocks. */
static void day_finish(adoption_day_schedule *d)
{
    d->minutes = 0;
    memset(d->quarter_scheduled, 0, sizeof d->quarter_scheduled);
    for (int i = 0; i < d->nblocks; i++) {
        d->minutes += d->blocks[i].end_min - d->blocks[i].start_min;
        for (int q = d->blocks[i].start_min / 15;
             q * 15 < d->blocks[i].end_min && q < ADOPTION_QUARTERS; q++)
            d->quarter_scheduled[q] = true;
    }
}

/* ---- The sources ------------------------------------------------------------ */

static int read_leave(store_tx *tx, int64_t practice_id, int64_t user_id,
                      int64_t first, int64_t last, adoption_day_schedule *out)
{
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT first_day, last_day FROM adoption_leave "
                           "WHERE practice_id = ? AND user_id = ? AND "
                           "first_day <= ? AND last_day >= ?", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, practice_id);
    store_bind_int64(st, 2, user_id);
    store_bind_int64(st, 3, last);
    store_bind_int64(st, 4, first);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        int64_t a = store_col_int64(st, 0), b = store_col_int64(st, 1);
        for (int64_t d = a < first ? first : a; d <= b && d <= last; d++)
            out[d - first].leave = true;
    }
    store_finalize(st);
    return rc;
}

/* One Slot's time: its start and end instants (free and busy only). */
typedef struct slot_span {
    int64_t start_ms, end_ms;
} slot_span;

#define SLOTS_MAX 4000   /* a year of 15-minute slots over one clinic day a week */

/* Whether a stored Slot counts (status free or busy) and its span. */
static bool slot_of(sw_arena *a, const char *body, size_t len, slot_span *out)
{
    sw_json *r = NULL;
    if (sw_json_parse(a, body, len, &r, NULL) != SW_OK || r == NULL)
        return false;
    const char *status = sw_json_get_string(r, "status");
    const char *start = sw_json_get_string(r, "start");
    const char *end = sw_json_get_string(r, "end");
    if (status == NULL || (strcmp(status, "free") != 0
                           && strcmp(status, "busy") != 0))
        return false;
    return start && end && sw_time_parse_iso(start, &out->start_ms)
        && sw_time_parse_iso(end, &out->end_ms) && out->end_ms > out->start_ms;
}

/* The user's Practitioner id ("" when the account is not linked). */
static int practitioner_of(store_tx *tx, int64_t practice_id, int64_t user_id,
                           char *out, size_t cap)
{
    out[0] = '\0';
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT practitioner_id FROM app_user WHERE "
                           "practice_id = ? AND user_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, practice_id);
    store_bind_int64(st, 2, user_id);
    bool row;
    if ((rc = store_step(st, &row)) == SW_OK && row) {
        size_t n;
        const char *id = store_col_text(st, 0, &n);
        if (n < cap) {
            memcpy(out, id, n);
            out[n] = '\0';
        }
    }
    store_finalize(st);
    return rc;
}

/* The Slots of Schedules whose actor is the user's Practitioner, starting
 * between a day before first and the end of last (a Slot may run past
 * midnight), applied to the days they cover. Marks those days in
 * has_slots. The joins run in the order written: the practitioner's
 * Schedules, their Slots (both through the reference index's target
 * index), then each Slot's start and body by primary key. SQLite's
 * planner, which has no statistics, would otherwise start from the date
 * index and read every Slot of the practice in the range (docs/store.md
 * "Queries"): CROSS JOIN fixes the order in SQLite (PostgreSQL plans it
 * from its statistics), and "+ 0" keeps the range off the date index. */
static int read_slots(store_tx *tx, int64_t practice_id, int64_t user_id,
                      const adoption_settings *set, int64_t first, int64_t last,
                      adoption_day_schedule *out, bool *has_slots)
{
    char practitioner[128];
    int rc = practitioner_of(tx, practice_id, user_id, practitioner,
                             sizeof practitioner);
    if (rc != SW_OK || practitioner[0] == '\0')
        return rc;
    int off = set->utc_offset_minutes;
    int64_t lo = adoption_day_start_ms(first - 1, off);
    int64_t hi = adoption_day_start_ms(last + 1, off);
    store_stmt *st;
    rc = store_prepare(tx,
        "SELECT r.body FROM fhir_idx_ref a CROSS JOIN fhir_idx_ref s "
        "CROSS JOIN fhir_idx_date d CROSS JOIN fhir_resource r "
        "WHERE a.practice_id = ? AND a.target_id = ? "
        " AND a.target_type = 'Practitioner' AND a.param = 'actor' "
        " AND a.res_type = 'Schedule' "
        " AND s.practice_id = a.practice_id AND s.target_id = a.res_id "
        " AND s.target_type = 'Schedule' AND s.param = 'schedule' "
        " AND s.res_type = 'Slot' "
        " AND d.practice_id = s.practice_id AND d.res_type = 'Slot' "
        " AND d.res_id = s.res_id AND d.param = 'start' "
        " AND d.low_ms + 0 >= ? AND d.low_ms + 0 < ? "
        " AND r.practice_id = s.practice_id AND r.res_type = 'Slot' "
        " AND r.res_id = s.res_id AND r.deleted = 0", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, practice_id);
    store_bind_cstr(st, 2, practitioner);
    store_bind_int64(st, 3, lo);
    store_bind_int64(st, 4, hi);
    sw_arena *a = sw_arena_create(0);
    if (a == NULL) {
        store_finalize(st);
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    }
    bool row;
    int seen = 0;
    while ((rc = store_step(st, &row)) == SW_OK && row && seen++ < SLOTS_MAX) {
        size_t len;
        const char *body = store_col_text(st, 0, &len);
        slot_span sp;
        if (!slot_of(a, body, len, &sp))
            continue;
        /* Clip the Slot to each local day it covers. */
        for (int64_t day = adoption_day_of(sp.start_ms, off);
             day <= adoption_day_of(sp.end_ms - 1, off); day++) {
            if (day < first || day > last)
                continue;
            int64_t d0 = adoption_day_start_ms(day, off);
            int64_t s0 = sp.start_ms > d0 ? sp.start_ms : d0;
            int64_t e0 = sp.end_ms < d0 + ADOPTION_DAY_MS ? sp.end_ms
                                                          : d0 + ADOPTION_DAY_MS;
            /* Whole minutes: a block starts at the minute the Slot starts
             * in and ends at the minute it ends in, rounded up. */
            block_add(&out[day - first], (int)((s0 - d0) / 60000),
                      (int)((e0 - d0 + 59999) / 60000));
            has_slots[day - first] = true;
        }
    }
    store_finalize(st);
    sw_arena_destroy(a);
    return rc;
}

typedef struct template_rows {
    adoption_template_block mine[7 * ADOPTION_BLOCKS_MAX];
    adoption_template_block practice[7 * ADOPTION_BLOCKS_MAX];
    int nmine, npractice;
} template_rows;

/* Both templates, the user's and the practice default, in one read. */
static int read_templates(store_tx *tx, int64_t practice_id, int64_t user_id,
                          template_rows *t)
{
    t->nmine = t->npractice = 0;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT user_id, weekday, start_min, end_min "
                           "FROM adoption_schedule_template WHERE practice_id "
                           "= ? AND user_id IN (?, 0)", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, practice_id);
    store_bind_int64(st, 2, user_id);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        bool mine = store_col_int64(st, 0) == user_id && user_id != 0;
        int *n = mine ? &t->nmine : &t->npractice;
        if (*n >= 7 * ADOPTION_BLOCKS_MAX)
            continue;
        adoption_template_block *b = mine ? &t->mine[*n] : &t->practice[*n];
        b->weekday = (int)store_col_int64(st, 1);
        b->start_min = (int)store_col_int64(st, 2);
        b->end_min = (int)store_col_int64(st, 3);
        (*n)++;
    }
    store_finalize(st);
    return rc;
}

int adoption_schedule_days(store_tx *tx, int64_t practice_id, int64_t user_id,
                           const adoption_settings *set, int64_t first,
                           int64_t last, adoption_day_schedule *out)
{
    if (last < first)
        return SW_OK;
    size_t ndays = (size_t)(last - first + 1);
    memset(out, 0, ndays * sizeof *out);
    for (size_t i = 0; i < ndays; i++)
        out[i].day = first + (int64_t)i;
    bool *has_slots = sw_calloc(ndays, sizeof *has_slots);
    template_rows *t = sw_malloc(sizeof *t);
    int rc = has_slots && t ? SW_OK : store_tx_fail(tx, SW_ENOMEM, NULL);
    if (rc == SW_OK)
        rc = read_leave(tx, practice_id, user_id, first, last, out);
    if (rc == SW_OK)
        rc = read_slots(tx, practice_id, user_id, set, first, last, out,
                        has_slots);
    if (rc == SW_OK)
        rc = read_templates(tx, practice_id, user_id, t);
    for (size_t i = 0; rc == SW_OK && i < ndays; i++) {
        adoption_day_schedule *d = &out[i];
        if (d->leave) {
            d->nblocks = 0;
        } else if (!has_slots[i]) {
            /* The user's own template when they have one at all, else the
             * practice's. */
            const adoption_template_block *rows = t->nmine ? t->mine : t->practice;
            int n = t->nmine ? t->nmine : t->npractice;
            int wd = adoption_weekday(d->day);
            for (int k = 0; k < n; k++)
                if (rows[k].weekday == wd)
                    block_add(d, rows[k].start_min, rows[k].end_min);
        }
        day_finish(d);
    }
    sw_free(has_slots);
    sw_free(t);
    return rc;
}

/* ---- Templates ---------------------------------------------------------------- */

int adoption_template_set(store_tx *tx, int64_t practice_id, int64_t user_id,
                          const adoption_template_block *blocks, int n)
{
    if (n < 0 || n > 7 * ADOPTION_BLOCKS_MAX)
        return store_tx_fail(tx, SW_EINVAL, "template: at most %d blocks",
                             7 * ADOPTION_BLOCKS_MAX);
    for (int i = 0; i < n; i++) {
        const adoption_template_block *b = &blocks[i];
        if (b->weekday < 0 || b->weekday > 6)
            return store_tx_fail(tx, SW_EINVAL, "template[%d].weekday must be "
                                 "0 (Monday) to 6 (Sunday)", i);
        if (b->start_min < 0 || b->end_min > 1440 || b->end_min <= b->start_min)
            return store_tx_fail(tx, SW_EINVAL, "template[%d] must start before "
                                 "it ends, within the day (00:00 to 24:00)", i);
        for (int j = 0; j < i; j++)
            if (blocks[j].weekday == b->weekday
                && blocks[j].start_min < b->end_min
                && b->start_min < blocks[j].end_min)
                return store_tx_fail(tx, SW_EINVAL, "template[%d] overlaps "
                                     "template[%d] on the same weekday", i, j);
    }
    int rc = store_exec(tx, NULL, "DELETE FROM adoption_schedule_template "
                        "WHERE practice_id = ? AND user_id = ?", "ii",
                        practice_id, user_id);
    for (int i = 0; rc == SW_OK && i < n; i++)
        rc = store_exec(tx, NULL, "INSERT INTO adoption_schedule_template "
                        "(practice_id, user_id, weekday, start_min, end_min) "
                        "VALUES (?, ?, ?, ?, ?)", "iiiii", practice_id, user_id,
                        (int64_t)blocks[i].weekday, (int64_t)blocks[i].start_min,
                        (int64_t)blocks[i].end_min);
    return rc;
}

int adoption_template_get(store_tx *tx, int64_t practice_id, int64_t user_id,
                          adoption_template_block *out, int cap, int *n)
{
    *n = 0;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT weekday, start_min, end_min FROM "
                           "adoption_schedule_template WHERE practice_id = ? "
                           "AND user_id = ? ORDER BY weekday, start_min", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, practice_id);
    store_bind_int64(st, 2, user_id);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row && *n < cap) {
        out[*n].weekday = (int)store_col_int64(st, 0);
        out[*n].start_min = (int)store_col_int64(st, 1);
        out[*n].end_min = (int)store_col_int64(st, 2);
        (*n)++;
    }
    store_finalize(st);
    return rc;
}

/* ---- Leave ---------------------------------------------------------------------- */

int adoption_leave_add(store_tx *tx, int64_t practice_id, int64_t user_id,
                       int64_t first, int64_t last, const char *reason)
{
    if (last < first)
        return store_tx_fail(tx, SW_EINVAL, "last must not be before first");
    if (last - first >= 366)
        return store_tx_fail(tx, SW_EINVAL, "leave is recorded a year at most "
                             "at a time");
    int64_t overlapping = 0;
    int rc = store_query_int64(tx, &overlapping,
        "SELECT count(*) FROM adoption_leave WHERE practice_id = ? AND "
        "user_id = ? AND first_day <= ? AND last_day >= ?", "iiii",
        practice_id, user_id, last, first);
    if (rc != SW_OK)
        return rc;
    if (overlapping > 0)
        return store_tx_fail(tx, SW_ECONFLICT, "the leave overlaps leave "
                             "already recorded");
    return store_exec(tx, NULL, "INSERT INTO adoption_leave (practice_id, "
                      "user_id, first_day, last_day, reason) VALUES "
                      "(?, ?, ?, ?, ?)", "iiiit", practice_id, user_id, first,
                      last, reason ? reason : "");
}

int adoption_leave_remove(store_tx *tx, int64_t practice_id, int64_t user_id,
                          int64_t first)
{
    int64_t changed = 0;
    int rc = store_exec(tx, &changed, "DELETE FROM adoption_leave WHERE "
                        "practice_id = ? AND user_id = ? AND first_day = ?",
                        "iii", practice_id, user_id, first);
    if (rc == SW_OK && changed == 0)
        return store_tx_fail(tx, SW_ENOTFOUND, "there is no leave starting "
                             "on that day");
    return rc;
}
