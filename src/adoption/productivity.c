/* productivity.c - completed visits per scheduled session against each
 * clinician's own pre-go-live baseline, week by week (productivity.h,
 * docs/adoption-metrics.md "Productivity").
 *
 * A curve is read once per scorecard or dashboard: one query for the
 * user's completed Appointments over the whole range (through the
 * reference index on the Practitioner, so it reads that clinician's
 * appointments only), one read of their schedules for the range
 * (schedule.h) and one of their imported baseline weeks. The practice's
 * curve repeats that per clinician, a dozen or so. Go-live days come from
 * the plan, with rollout's own cohort rule (rollout/decide.h) so that
 * "live for this user" means here what it means for enforcement. */
#include "adoption/productivity.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "adoption/features.h"
#include "adoption/schedule.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "rollout/decide.h"
#include "rollout/plan.h"
#include "rollout/plan_store.h"

#define BASE_WEEKS ADOPTION_BASELINE_WEEKS
#define MAX_LIVE_WEEKS (ADOPTION_MAX_WEEKS - BASE_WEEKS)

/* ---- The plan's go-live days ------------------------------------------ */

int adoption_plan_load(store_tx *tx, int64_t practice_id, sw_plan **plan)
{
    *plan = NULL;
    plan_record rec;
    memset(&rec, 0, sizeof rec);
    int rc = plan_store_load_tx(tx, practice_id, 0, &rec);
    if (rc == SW_OK && rec.version > 0 && rec.body != NULL) {
        plan_issues issues;
        /* A stored plan was validated when saved; one that no longer
         * parses counts as no plan rather than failing every report. */
        if (plan_from_text(rec.body, strlen(rec.body), plan, &issues) != SW_OK)
            *plan = NULL;
    }
    plan_record_free(&rec);
    return rc;
}

int64_t adoption_stage_live_day(const plan_stage *s, int utc_offset_minutes)
{
    int64_t ms;
    if (s->state != PLAN_STAGE_LIVE || s->live_at == NULL
        || !sw_time_parse_iso(s->live_at, &ms))
        return -1;
    return adoption_day_of(ms, utc_offset_minutes);
}

int64_t adoption_golive_day(const sw_plan *plan, const char *username,
                            const char *roles, int utc_offset_minutes)
{
    if (plan == NULL)
        return -1;
    /* The cohort rule is rollout's: a table without overrides or
     * super-users answers "in the stage's cohort" for a live stage. */
    rollout_table *t = username ? rollout_table_build(plan, 1, NULL) : NULL;
    if (username != NULL && t == NULL)
        return -1;
    rollout_user u = { 0, username, roles ? roles : "" };
    int64_t best = -1;
    for (size_t i = 0; i < plan->nstages; i++) {
        const plan_stage *s = &plan->stages[i];
        int64_t day = adoption_stage_live_day(s, utc_offset_minutes);
        if (day < 0 || s->nmodules == 0)
            continue;
        if (t != NULL) {
            rollout_answer a;
            bool member = false;
            for (size_t m = 0; m < s->nmodules && !member; m++) {
                rollout_decide(t, s->modules[m], &u, &a);
                member = a.reason == ROLLOUT_IN_COHORT && a.stage_id
                         && strcmp(a.stage_id, s->id) == 0;
            }
            if (!member)
                continue;
        }
        if (best < 0 || day < best)
            best = day;
    }
    rollout_table_free(t);
    return best;
}

/* ---- One clinician's weekly counts ------------------------------------ */

typedef struct clinician {
    int64_t user_id;
    char    username[64], roles[160], practitioner[72];
    bool    found;
} clinician;

static void copy_col(store_stmt *st, int col, char *out, size_t cap)
{
    size_t n;
    const char *t = store_col_text(st, col, &n);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, t, n);
    out[n] = '\0';
}

static int read_clinician(store_tx *tx, int64_t practice_id, int64_t user_id,
                          clinician *c)
{
    memset(c, 0, sizeof *c);
    c->user_id = user_id;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT username, roles, practitioner_id FROM "
                           "app_user WHERE practice_id = ? AND user_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 2, user_id)) == SW_OK
        && (rc = store_step(st, &row)) == SW_OK && row) {
        c->found = true;
        copy_col(st, 0, c->username, sizeof c->username);
        copy_col(st, 1, c->roles, sizeof c->roles);
        copy_col(st, 2, c->practitioner, sizeof c->practitioner);
    }
    store_finalize(st);
    return rc;
}

/* Lays out the weeks -8 .. -1 and 1 .. n (complete ones only, as of
 * as_of_day) around golive into p. */
static void lay_out_weeks(adoption_productivity *p, int64_t golive,
                          int64_t as_of_day)
{
    p->nweeks = 0;
    for (int w = -BASE_WEEKS; w <= MAX_LIVE_WEEKS; w++) {
        if (w == 0)
            continue;
        int64_t first = w < 0 ? golive + 7LL * w : golive + 7LL * (w - 1);
        if (first + 6 > as_of_day)
            break;
        adoption_week *k = &p->weeks[p->nweeks++];
        memset(k, 0, sizeof *k);
        k->week = w;
        k->first_day = first;
    }
}

static int week_index(const adoption_productivity *p, int64_t day)
{
    if (p->nweeks == 0 || day < p->weeks[0].first_day)
        return -1;
    for (size_t i = 0; i < p->nweeks; i++)
        if (day >= p->weeks[i].first_day && day < p->weeks[i].first_day + 7)
            return (int)i;
    return -1;
}

static int add_visits(store_tx *tx, int64_t practice_id, const clinician *c,
                      int offset, adoption_productivity *p)
{
    if (p->nweeks == 0 || c->practitioner[0] == '\0')
        return SW_OK;
    int64_t from = adoption_day_start_ms(p->weeks[0].first_day, offset);
    int64_t to = adoption_day_start_ms(p->weeks[p->nweeks - 1].first_day + 7,
                                       offset);
    /* From the clinician's references, not from the date index: SQLite's
     * planner, without statistics, would start from every Appointment of
     * the practice in the range (85 ms a clinician on the demo practice,
     * against under 2 ms this way). CROSS JOIN fixes the order in SQLite
     * (PostgreSQL plans from its statistics) and "+ 0" keeps the range
     * off the date index, as schedule.c does for Slots. */
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT d.low_ms FROM fhir_idx_ref x "
        "CROSS JOIN fhir_idx_date d CROSS JOIN fhir_idx_token t "
        "CROSS JOIN fhir_resource r "
        "WHERE x.practice_id = ? AND x.target_id = ? "
        "AND x.target_type = 'Practitioner' AND x.param = 'practitioner' "
        "AND x.res_type = 'Appointment' "
        "AND d.practice_id = x.practice_id AND d.res_type = x.res_type "
        "AND d.res_id = x.res_id AND d.param = 'date' "
        "AND t.practice_id = x.practice_id AND t.res_type = x.res_type "
        "AND t.res_id = x.res_id AND t.param = 'status' "
        "AND r.practice_id = x.practice_id AND r.res_type = x.res_type "
        "AND r.res_id = x.res_id AND r.deleted = 0 "
        "AND t.code IN ('arrived', 'checked-in', 'fulfilled') "
        "AND d.low_ms + 0 >= ? AND d.low_ms + 0 < ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, c->practitioner)) == SW_OK
        && (rc = store_bind_int64(st, 3, from)) == SW_OK
        && (rc = store_bind_int64(st, 4, to)) == SW_OK) {
        while ((rc = store_step(st, &row)) == SW_OK && row) {
            int i = week_index(p, adoption_day_of(store_col_int64(st, 0), offset));
            if (i >= 0 && !p->weeks[i].imported)
                p->weeks[i].visits++;
        }
    }
    store_finalize(st);
    return rc;
}

static int add_sessions(store_tx *tx, int64_t practice_id, int64_t user_id,
                        const adoption_settings *set, adoption_productivity *p)
{
    if (p->nweeks == 0)
        return SW_OK;
    int64_t first = p->weeks[0].first_day;
    int64_t last = p->weeks[p->nweeks - 1].first_day + 6;
    size_t ndays = (size_t)(last - first + 1);
    adoption_day_schedule *days = sw_calloc(ndays, sizeof *days);
    if (days == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory for the schedules");
    int rc = adoption_schedule_days(tx, practice_id, user_id, set, first, last,
                                    days);
    for (size_t d = 0; rc == SW_OK && d < ndays; d++) {
        int i = week_index(p, first + (int64_t)d);
        if (i >= 0 && !p->weeks[i].imported)
            p->weeks[i].sessions += days[d].minutes / (double)ADOPTION_SESSION_MIN;
    }
    sw_free(days);
    return rc;
}

/* Imported weeks replace what the appointments and schedules say: each
 * row counts for the week holding its week_day. Read first, so that the
 * other sources skip the weeks it covers. */
static int add_imported(store_tx *tx, int64_t practice_id, int64_t user_id,
                        adoption_productivity *p)
{
    if (p->nweeks == 0)
        return SW_OK;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT week_day, visits, sessions FROM "
                           "adoption_baseline_visits WHERE practice_id = ? AND "
                           "user_id = ? AND week_day >= ? AND week_day < ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 2, user_id)) == SW_OK
        && (rc = store_bind_int64(st, 3, p->weeks[0].first_day)) == SW_OK
        && (rc = store_bind_int64(st, 4, p->weeks[p->nweeks - 1].first_day + 7))
           == SW_OK) {
        while ((rc = store_step(st, &row)) == SW_OK && row) {
            int i = week_index(p, store_col_int64(st, 0));
            if (i < 0)
                continue;
            adoption_week *k = &p->weeks[i];
            k->imported = true;
            k->visits += store_col_int64(st, 1);
            k->sessions += store_col_double(st, 2);
        }
    }
    store_finalize(st);
    return rc;
}

/* The weekly visits and sessions of clinician c around golive. */
static int collect(store_tx *tx, int64_t practice_id, const clinician *c,
                   const adoption_settings *set, int64_t golive,
                   int64_t as_of_day, adoption_productivity *p)
{
    lay_out_weeks(p, golive, as_of_day);
    int rc = add_imported(tx, practice_id, c->user_id, p);
    if (rc == SW_OK)
        rc = add_visits(tx, practice_id, c, set->utc_offset_minutes, p);
    if (rc == SW_OK)
        rc = add_sessions(tx, practice_id, c->user_id, set, p);
    return rc;
}

/* ---- The curve from the counts ---------------------------------------- */

double adoption_expected_pct(int week)
{
    if (week < 1)
        return 0.0;
    if (week <= 2)
        return 75.0;
    if (week <= 4)                      /* 75% after week 2 to 90% by week 4 */
        return 75.0 + 7.5 * (week - 2);
    if (week < 26)                      /* 90% to 100% by month 6 (week 26) */
        return 90.0 + 10.0 * (week - 4) / 22.0;
    return 100.0;
}

/* Baseline, ratios, expected floor and the dip from the counts. */
static void finish(adoption_productivity *p)
{
    int64_t visits = 0;
    double sessions = 0;
    for (size_t i = 0; i < p->nweeks; i++) {
        adoption_week *k = &p->weeks[i];
        k->leave = k->sessions <= 0.0;
        k->expected_pct = adoption_expected_pct(k->week);
        if (k->week < 0 && !k->leave) {
            visits += k->visits;
            sessions += k->sessions;
        }
    }
    p->has_baseline = sessions > 0 && visits > 0;
    p->baseline_per_session = p->has_baseline ? (double)visits / sessions : 0;
    p->has_dip = false;
    p->recovered_week = -1;
    for (size_t i = 0; i < p->nweeks; i++) {
        adoption_week *k = &p->weeks[i];
        if (k->week < 1 || k->leave || !p->has_baseline)
            continue;
        k->has_ratio = true;
        k->ratio_pct = (double)k->visits / k->sessions
                       / p->baseline_per_session * 100.0;
        if (!p->has_dip || k->ratio_pct < p->lowest_pct) {
            p->lowest_pct = k->ratio_pct;
            p->lowest_week = k->week;
        }
        p->has_dip = true;
        if (k->ratio_pct < 90.0)
            p->weeks_below_90++;
        p->current_pct = k->ratio_pct;
    }
    for (size_t i = 0; p->has_dip && i < p->nweeks; i++) {
        const adoption_week *k = &p->weeks[i];
        if (k->has_ratio && k->week > p->lowest_week && k->ratio_pct >= 100.0) {
            p->recovered_week = k->week;
            break;
        }
    }
}

static void start(adoption_productivity *out, int64_t user_id)
{
    memset(out, 0, sizeof *out);
    out->user_id = user_id;
    out->golive_day = -1;
    out->recovered_week = -1;
}

int adoption_productivity_user(store_tx *tx, int64_t practice_id,
                               int64_t user_id, int64_t as_of_day,
                               adoption_productivity *out)
{
    start(out, user_id);
    adoption_settings set;
    clinician c;
    int rc = adoption_settings_load(tx, practice_id, &set);
    if (rc == SW_OK)
        rc = read_clinician(tx, practice_id, user_id, &c);
    if (rc != SW_OK)
        return rc;
    if (!c.found)
        return store_tx_fail(tx, SW_ENOTFOUND, "no such user in this practice");
    sw_plan *plan = NULL;
    if ((rc = adoption_plan_load(tx, practice_id, &plan)) != SW_OK)
        return rc;
    out->golive_day = adoption_golive_day(plan, c.username, c.roles,
                                          set.utc_offset_minutes);
    plan_free(plan);
    if (out->golive_day < 0 || !adoption_is_clinician(c.roles)
        || c.practitioner[0] == '\0')
        return SW_OK;
    rc = collect(tx, practice_id, &c, &set, out->golive_day, as_of_day, out);
    if (rc == SW_OK)
        finish(out);
    return rc;
}

/* Every enabled clinician with a Practitioner, by user id; at most cap. */
static int list_clinicians(store_tx *tx, int64_t practice_id, clinician *out,
                           size_t cap, size_t *n)
{
    *n = 0;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT user_id, username, roles, practitioner_id "
                           "FROM app_user WHERE practice_id = ? AND disabled = 0 "
                           "AND practitioner_id <> '' ORDER BY user_id", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK) {
        while ((rc = store_step(st, &row)) == SW_OK && row && *n < cap) {
            clinician *c = &out[*n];
            memset(c, 0, sizeof *c);
            copy_col(st, 2, c->roles, sizeof c->roles);
            if (!adoption_is_clinician(c->roles))
                continue;
            c->user_id = store_col_int64(st, 0);
            copy_col(st, 1, c->username, sizeof c->username);
            copy_col(st, 3, c->practitioner, sizeof c->practitioner);
            c->found = true;
            (*n)++;
        }
    }
    store_finalize(st);
    return rc;
}

#define MAX_CLINICIANS 500

/* The practice's weekly sums around golive into out (weeks laid out). */
static int collect_practice(store_tx *tx, int64_t practice_id,
                            const adoption_settings *set, int64_t golive,
                            int64_t as_of_day, adoption_productivity *out)
{
    clinician *cs = sw_calloc(MAX_CLINICIANS, sizeof *cs);
    adoption_productivity *one = sw_malloc(sizeof *one);
    if (cs == NULL || one == NULL) {
        sw_free(cs);
        sw_free(one);
        return store_tx_fail(tx, SW_ENOMEM, "out of memory for the practice's "
                             "productivity");
    }
    size_t n = 0;
    int rc = list_clinicians(tx, practice_id, cs, MAX_CLINICIANS, &n);
    lay_out_weeks(out, golive, as_of_day);
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        start(one, cs[i].user_id);
        rc = collect(tx, practice_id, &cs[i], set, golive, as_of_day, one);
        for (size_t w = 0; rc == SW_OK && w < one->nweeks; w++) {
            out->weeks[w].visits += one->weeks[w].visits;
            out->weeks[w].sessions += one->weeks[w].sessions;
            out->weeks[w].imported |= one->weeks[w].imported;
        }
    }
    sw_free(one);
    sw_free(cs);
    return rc;
}

int adoption_productivity_practice(store_tx *tx, int64_t practice_id,
                                   int64_t as_of_day,
                                   adoption_productivity *out)
{
    start(out, 0);
    adoption_settings set;
    int rc = adoption_settings_load(tx, practice_id, &set);
    if (rc != SW_OK)
        return rc;
    sw_plan *plan = NULL;
    if ((rc = adoption_plan_load(tx, practice_id, &plan)) != SW_OK)
        return rc;
    out->golive_day = adoption_golive_day(plan, NULL, NULL,
                                          set.utc_offset_minutes);
    plan_free(plan);
    if (out->golive_day < 0)
        return SW_OK;
    rc = collect_practice(tx, practice_id, &set, out->golive_day, as_of_day, out);
    if (rc == SW_OK)
        finish(out);
    return rc;
}

int adoption_baseline_visits_per_week(store_tx *tx, int64_t practice_id,
                                      int64_t before_day, double *out)
{
    *out = 0;
    adoption_settings set;
    int rc = adoption_settings_load(tx, practice_id, &set);
    if (rc != SW_OK)
        return rc;
    adoption_productivity *p = sw_malloc(sizeof *p);
    if (p == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory for the baseline");
    start(p, 0);
    /* Laying the weeks out around before_day as if it were a go-live day
     * and reading only up to the day before gives exactly the 8 weeks. */
    clinician *cs = sw_calloc(MAX_CLINICIANS, sizeof *cs);
    size_t n = 0;
    rc = cs ? list_clinicians(tx, practice_id, cs, MAX_CLINICIANS, &n)
            : store_tx_fail(tx, SW_ENOMEM, "out of memory for the baseline");
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        start(p, cs[i].user_id);
        rc = collect(tx, practice_id, &cs[i], &set, before_day, before_day - 1, p);
        int64_t visits = 0;
        int weeks = 0;
        for (size_t w = 0; rc == SW_OK && w < p->nweeks; w++)
            if (p->weeks[w].sessions > 0) {
                visits += p->weeks[w].visits;
                weeks++;
            }
        if (weeks > 0)
            *out += (double)visits / weeks;
    }
    sw_free(cs);
    sw_free(p);
    return rc;
}

/* ---- JSON and the imported weeks --------------------------------------- */

static json_t *day_or_null(int64_t day)
{
    if (day < 0)
        return json_null();
    char text[11];
    adoption_day_text(day, text);
    return json_string(text);
}

/* A percentage rounded to one decimal, as the web app shows it. */
static json_t *pct(double v)
{
    return json_real(round(v * 10.0) / 10.0);
}

json_t *adoption_productivity_json(const adoption_productivity *p)
{
    json_t *weeks = json_array();
    for (size_t i = 0; weeks && i < p->nweeks; i++) {
        const adoption_week *k = &p->weeks[i];
        char first[11];
        adoption_day_text(k->first_day, first);
        json_array_append_new(weeks, json_pack("{s:i,s:s,s:I,s:f,s:b,s:b,s:o,s:o}",
            "week", k->week, "first_day", first, "visits", (json_int_t)k->visits,
            "sessions", round(k->sessions * 100.0) / 100.0, "leave", k->leave,
            "imported", k->imported,
            "ratio", k->has_ratio ? pct(k->ratio_pct) : json_null(),
            "expected", k->week >= 1 ? pct(k->expected_pct) : json_null()));
    }
    json_t *dip = json_null();
    if (p->has_dip)
        dip = json_pack("{s:o,s:i,s:i,s:o,s:o}", "lowest", pct(p->lowest_pct),
                        "lowest_week", p->lowest_week,
                        "weeks_below_90", p->weeks_below_90,
                        "recovered_week", p->recovered_week > 0
                            ? json_integer(p->recovered_week) : json_null(),
                        "current", pct(p->current_pct));
    return json_pack("{s:o,s:o,s:o,s:o}", "golive", day_or_null(p->golive_day),
                     "baseline_per_session", p->has_baseline
                         ? json_real(round(p->baseline_per_session * 100.0) / 100.0)
                         : json_null(),
                     "weeks", weeks ? weeks : json_array(), "dip", dip);
}

int adoption_baseline_set(store_tx *tx, int64_t practice_id, int64_t user_id,
                          int64_t week_day, int64_t visits, double sessions)
{
    if (visits < 0 || !(sessions >= 0) || isinf(sessions))
        return store_tx_fail(tx, SW_EINVAL, "visits and sessions must be 0 "
                             "or more");
    int rc = store_exec(tx, NULL, "DELETE FROM adoption_baseline_visits WHERE "
                        "practice_id = ? AND user_id = ? AND week_day = ?",
                        "iii", practice_id, user_id, week_day);
    if (rc != SW_OK)
        return rc;
    store_stmt *st;
    if ((rc = store_prepare(tx, "INSERT INTO adoption_baseline_visits "
                            "(practice_id, user_id, week_day, visits, sessions) "
                            "VALUES (?, ?, ?, ?, ?)", &st)) != SW_OK)
        return rc;
    bool row;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 2, user_id)) == SW_OK
        && (rc = store_bind_int64(st, 3, week_day)) == SW_OK
        && (rc = store_bind_int64(st, 4, visits)) == SW_OK
        && (rc = store_bind_double(st, 5, sessions)) == SW_OK)
        rc = store_step(st, &row);
    store_finalize(st);
    return rc;
}
