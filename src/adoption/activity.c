/* activity.c - the 5-second idle rule and the web app's activity reports
 * (see activity.h; docs/adoption-metrics.md "Activity").
 *
 * POST /api/activity (src/server/api_activity.c) checks every entry of a
 * report with adoption_report_check, then adds them all in one write
 * transaction with adoption_activity_add. A signed-in web app reports
 * once a minute, so a practice of a hundred users writes a few small
 * reports a second at most: each report touches a handful of rows. */
#include "adoption/activity.h"

#include <stdio.h>
#include <string.h>

#include "rollout/catalog.h"

int64_t adoption_idle_credit(int64_t prev_ms, int64_t at_ms)
{
    if (prev_ms <= 0)
        return ADOPTION_IDLE_MS;
    if (at_ms <= prev_ms)
        return 0;      /* out of order (or the same instant): already counted */
    int64_t gap = at_ms - prev_ms;
    return gap < ADOPTION_IDLE_MS ? gap : ADOPTION_IDLE_MS;
}

/* ---- Checking a report's entry -------------------------------------------- */

static bool area_ok(const char *area)
{
    return area != NULL && (strcmp(area, ADOPTION_AREA_INBOX) == 0
                            || strcmp(area, ADOPTION_AREA_OTHER) == 0
                            || catalog_is_module(area));
}

/* [a-z_]{1,32}: a screen is one of the web app's fixed names, so it can
 * never carry an id or a patient's name. */
static bool screen_ok(const char *screen)
{
    if (screen == NULL)
        return false;
    size_t n = 0;
    for (const char *p = screen; *p; p++, n++)
        if (n >= 32 || !((*p >= 'a' && *p <= 'z') || *p == '_'))
            return false;
    return n > 0;
}

#define SKEW_MS 60000   /* a client clock a minute ahead is still believed */

int adoption_report_check(const adoption_report_entry *e, size_t i,
                          int64_t now_ms, char *msg, size_t cap)
{
    const char *why = NULL, *member = NULL;
    if (!area_ok(e->area)) {
        member = "area";
        why = "must be a module id, \"inbox\" or \"other\"";
    } else if (!screen_ok(e->screen)) {
        member = "screen";
        why = "must be 1 to 32 lower-case letters or underscores";
    } else if (e->to_ms <= e->from_ms) {
        member = "to";
        why = "must be after from";
    } else if (e->to_ms - e->from_ms > ADOPTION_REPORT_MAX_SPAN_MS) {
        member = "to";
        why = "must be at most 15 minutes after from";
    } else if (e->to_ms > now_ms + SKEW_MS) {
        member = "to";
        why = "is in the future";
    } else if (e->from_ms < now_ms - ADOPTION_REPORT_MAX_AGE_MS) {
        member = "from";
        why = "is more than 7 days ago";
    } else if (e->active_ms < 0 || e->active_ms > e->to_ms - e->from_ms) {
        member = "active_seconds";
        why = "must be between 0 and the span from..to";
    }
    if (why == NULL)
        return SW_OK;
    snprintf(msg, cap, "entries[%zu].%s %s", i, member, why);
    return SW_EINVAL;
}

/* ---- Adding a report ------------------------------------------------------- */

/* What a report adds to one (day, quarter, area). */
typedef struct cell {
    int64_t     day;
    int         quarter;
    const char *area;
    int64_t     ms;
} cell;

/* An entry spans at most 15 minutes, so at most two quarters. */
#define CELLS_MAX (2 * ADOPTION_REPORT_MAX_ENTRIES)

static void cell_add(cell *cells, size_t *n, int64_t day, int quarter,
                     const char *area, int64_t ms)
{
    if (ms <= 0)
        return;
    for (size_t k = 0; k < *n; k++)
        if (cells[k].day == day && cells[k].quarter == quarter
            && strcmp(cells[k].area, area) == 0) {
            cells[k].ms += ms;
            return;
        }
    if (*n < CELLS_MAX)
        cells[(*n)++] = (cell){ day, quarter, area, ms };
}

/* Spreads e's active time over the local quarters its span covers, in
 * proportion to the overlap; the last piece takes the rounding. */
static void spread(const adoption_report_entry *e, int offset_min,
                   cell *cells, size_t *n)
{
    int64_t off = (int64_t)offset_min * 60000;
    int64_t from = e->from_ms + off, to = e->to_ms + off;   /* local */
    int64_t span = to - from, given = 0;
    for (int64_t q0 = from - ((from % ADOPTION_QUARTER_MS + ADOPTION_QUARTER_MS)
                              % ADOPTION_QUARTER_MS);
         q0 < to; q0 += ADOPTION_QUARTER_MS) {
        int64_t q1 = q0 + ADOPTION_QUARTER_MS;
        int64_t lo = from > q0 ? from : q0, hi = to < q1 ? to : q1;
        int64_t ms = hi >= to ? e->active_ms - given
                              : e->active_ms * (hi - lo) / span;
        given += ms;
        /* q0 is local: the day and quarter of the UTC instant q0 - off. */
        cell_add(cells, n, adoption_day_of(q0 - off, offset_min),
                 adoption_quarter_of(q0 - off, offset_min), e->area, ms);
    }
}

/* The client time already stored for user_id in (day, quarter). */
static int stored_ms(store_tx *tx, int64_t practice_id, int64_t user_id,
                     int64_t day, int quarter, int64_t *out)
{
    return store_query_int64(tx, out,
        "SELECT COALESCE(SUM(active_ms), 0) FROM adoption_activity "
        "WHERE practice_id = ? AND user_id = ? AND day = ? AND quarter = ? "
        "AND source = 'client'", "iiii", practice_id, user_id, day,
        (int64_t)quarter);
}

int adoption_activity_add(store_tx *tx, int64_t practice_id, int64_t user_id,
                          const adoption_settings *set,
                          const adoption_report_entry *entries, size_t n)
{
    if (n > ADOPTION_REPORT_MAX_ENTRIES)
        return store_tx_fail(tx, SW_EINVAL, "a report holds at most %d entries",
                             ADOPTION_REPORT_MAX_ENTRIES);
    cell cells[CELLS_MAX];
    size_t ncells = 0;
    for (size_t i = 0; i < n; i++)
        spread(&entries[i], set->utc_offset_minutes, cells, &ncells);
    /* Each quarter's client total stays within 15 minutes: overlapping
     * reports (two tabs, a resend) are scaled into the room left. */
    bool done[CELLS_MAX] = { false };
    for (size_t k = 0; k < ncells; k++) {
        if (done[k])
            continue;
        int64_t have = 0, want = 0;
        int rc = stored_ms(tx, practice_id, user_id, cells[k].day,
                           cells[k].quarter, &have);
        if (rc != SW_OK)
            return rc;
        for (size_t j = k; j < ncells; j++)
            if (cells[j].day == cells[k].day && cells[j].quarter == cells[k].quarter)
                want += cells[j].ms;
        int64_t room = ADOPTION_QUARTER_MS - have;
        if (room < 0)
            room = 0;
        for (size_t j = k; j < ncells; j++) {
            if (cells[j].day != cells[k].day || cells[j].quarter != cells[k].quarter)
                continue;
            done[j] = true;
            int64_t ms = want > room ? cells[j].ms * room / want : cells[j].ms;
            if (ms <= 0)
                continue;
            rc = store_exec(tx, NULL,
                "INSERT INTO adoption_activity (practice_id, user_id, day, "
                "quarter, area, source, active_ms) VALUES (?, ?, ?, ?, ?, "
                "'client', ?) ON CONFLICT (practice_id, user_id, day, quarter, "
                "area, source) DO UPDATE SET active_ms = "
                "adoption_activity.active_ms + excluded.active_ms",
                "iiiiti", practice_id, user_id, cells[j].day,
                (int64_t)cells[j].quarter, cells[j].area, ms);
            if (rc != SW_OK)
                return rc;
        }
    }
    return SW_OK;
}
