/* productivity.h - completed visits per scheduled session against each
 * clinician's own pre-go-live baseline, week by week (docs/adoption-
 * metrics.md "Productivity").
 *
 * Completed visits: Appointments whose participant is the user's
 * Practitioner with status arrived, checked-in or fulfilled, by the local
 * day of their start (the PMS sends them before the clinical modules are
 * live, check-in marks them after), or, for a week with a row in
 * adoption_baseline_visits (imported from the PMS), that row's counts.
 * Sessions: scheduled minutes / 240 (schedule.h). Week 1 is the 7 days
 * starting the day the user's first stage went live (the first live
 * stage whose cohort holds them); the baseline is visits per session over
 * the 8 weeks before it, leave weeks (no sessions) left out. A week's
 * ratio is its visits per session / the baseline, in percent.
 *
 * The expected curve (DESIGN.md §6): at least 75% in weeks 1-2, 90% by
 * week 4, 100% by month 3 (goal) and by month 6 at the latest (floor).
 * The dip: its depth (the lowest weekly ratio and its week), its length
 * (weeks below 90%) and recovery (the first week back at 100% or more,
 * after the lowest). */
#ifndef SW_ADOPTION_PRODUCTIVITY_H
#define SW_ADOPTION_PRODUCTIVITY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "adoption/adoption.h"

#define ADOPTION_MAX_WEEKS 80

typedef struct adoption_week {
    int     week;            /* -8 .. -1 baseline, 1 .. after go-live */
    int64_t first_day;
    int64_t visits;
    double  sessions;
    bool    leave;           /* no sessions scheduled */
    bool    imported;        /* counts from adoption_baseline_visits */
    bool    has_ratio;
    double  ratio_pct;       /* visits per session / baseline * 100 */
    double  expected_pct;    /* the expected curve's floor (0 before go-live) */
} adoption_week;

typedef struct adoption_productivity {
    int64_t user_id;         /* 0: the practice as a whole */
    int64_t golive_day;      /* -1: no stage live for them yet */
    bool    has_baseline;
    double  baseline_per_session;
    size_t  nweeks;
    adoption_week weeks[ADOPTION_MAX_WEEKS];
    /* The dip, once live weeks have ratios. */
    bool    has_dip;
    double  lowest_pct;
    int     lowest_week;
    int     weeks_below_90;
    int     recovered_week;  /* -1: not yet back at 100% */
    double  current_pct;     /* the last complete week's ratio */
} adoption_productivity;

/* The expected curve's floor for week w (w >= 1). */
double adoption_expected_pct(int week);

/* User user_id's curve as of as_of_day (weeks up to the last complete
 * one). A user who is not a clinician, or without a Practitioner, gets
 * no weeks (nweeks 0, has_baseline false). */
int adoption_productivity_user(store_tx *tx, int64_t practice_id,
                               int64_t user_id, int64_t as_of_day,
                               adoption_productivity *out);
/* The practice's curve: every clinician's visits and sessions summed per
 * week relative to the practice's first go-live, against the summed
 * baselines. */
int adoption_productivity_practice(store_tx *tx, int64_t practice_id,
                                   int64_t as_of_day,
                                   adoption_productivity *out);

/* {"golive":"YYYY-MM-DD"|null,"baseline_per_session"|null,
 *  "weeks":[{"week","first_day","visits","sessions","leave","imported",
 *            "ratio"|null,"expected"|null}],
 *  "dip":null|{"lowest","lowest_week","weeks_below_90","recovered_week"|null,
 *              "current"}} */
json_t *adoption_productivity_json(const adoption_productivity *p);

/* Replaces the imported baseline visits of user_id for the week starting
 * week_day (SW_EINVAL for negative counts). */
int adoption_baseline_set(store_tx *tx, int64_t practice_id, int64_t user_id,
                          int64_t week_day, int64_t visits, double sessions);

/* ---- Shared with forecast.c and findings.c ---------------------------- */

struct sw_plan;
struct plan_stage;
/* The practice's current plan (*plan NULL when it has none); the caller
 * frees it with plan_free. */
int adoption_plan_load(store_tx *tx, int64_t practice_id,
                       struct sw_plan **plan);
/* The local day a stage went live (its live_at), or -1 when it is not
 * live or has no live_at. */
int64_t adoption_stage_live_day(const struct plan_stage *s,
                                int utc_offset_minutes);
/* The local day user (username, roles) first had a stage of plan live:
 * the earliest live stage whose cohort holds them (rollout's cohort rule,
 * rollout/decide.h); any cohort when username is NULL (the practice's
 * first go-live). -1 when none. */
int64_t adoption_golive_day(const struct sw_plan *plan, const char *username,
                            const char *roles, int utc_offset_minutes);
/* The practice's clinicians' completed visits per week over the
 * ADOPTION_BASELINE_WEEKS complete weeks before before_day, summed over
 * the clinicians (each clinician's leave weeks left out of their own
 * average); 0 when nothing is known. */
int adoption_baseline_visits_per_week(store_tx *tx, int64_t practice_id,
                                      int64_t before_day, double *out);

#endif
