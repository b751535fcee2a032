/* report.h - a user's adoption as of a day (docs/adoption-metrics.md):
 * every benchmark's value with where it stands, each live module's level,
 * and the uses of their core features, computed from the roll-ups
 * (rollup.h), the activity rows, the scheduled hours (schedule.h) and the
 * plan (when each module went live for the user), never from the trail.
 *
 * Levels per module: "not_live" (the plan has not brought it to the
 * user), "learning" (live, floors not all met), "adopted" (every
 * benchmark of the module with a value meets its floor, and at least one
 * has a value), "proficient" (every one meets its goal). "flagged": below
 * a floor after the settling-in window (settings.settling_weeks after the
 * module went live for the user). Benchmarks without a value (no
 * scheduled hours, no patients seen) say why and count neither way. */
#ifndef SW_ADOPTION_REPORT_H
#define SW_ADOPTION_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "adoption/benchmarks.h"
#include "adoption/features.h"

#define ADOPTION_MAX_VALUES   48
#define ADOPTION_MAX_MODULES  16
#define ADOPTION_MAX_FEATURES 48

typedef struct adoption_value {
    const adoption_benchmark *def;
    char        id[48];          /* def->id, or "breadth.<module>" */
    char        module[32];      /* the module it counts toward, or "" */
    bool        has_value;
    double      value;
    char        why_none[96];    /* when !has_value: "no scheduled hours" … */
    int64_t     numerator, denominator;   /* counts, or ms and minutes */
    double      floor, goal;
    const char *standing;        /* adoption_standing, or "no_value" */
    /* The same benchmark over the window before this one (for "under its
     * floor for two windows"). */
    bool        has_previous;
    double      previous;
} adoption_value;

typedef struct adoption_module_state {
    char        module[32];
    bool        live;
    int64_t     live_since_day;  /* -1 when not live or unknown */
    bool        settling;        /* inside the settling-in window */
    const char *level;           /* "not_live", "learning", "adopted", "proficient" */
    bool        flagged;
    int         core_used, core_total;   /* breadth's counts */
} adoption_module_state;

typedef struct adoption_feature_use {
    const adoption_feature *feature;
    int64_t uses_30d;
    int64_t last_used_day;       /* -1: never */
} adoption_feature_use;

typedef struct adoption_user_report {
    int64_t practice_id, user_id;
    char    username[64], display_name[128], roles[160];
    bool    clinician;
    int64_t as_of_day;
    int64_t scheduled_minutes_30d;
    int64_t active_ms_30d;
    int64_t visits_signed_30d;
    size_t  nvalues;
    adoption_value values[ADOPTION_MAX_VALUES];
    size_t  nmodules;
    adoption_module_state modules[ADOPTION_MAX_MODULES];
    size_t  nfeatures;
    adoption_feature_use features[ADOPTION_MAX_FEATURES];
} adoption_user_report;

/* Computes user_id's report as of local day as_of_day inside a read
 * transaction (the caller catches the roll-ups up first). SW_ENOTFOUND
 * for no such user of the practice. */
int adoption_report_user(store_tx *tx, int64_t practice_id, int64_t user_id,
                         int64_t as_of_day, adoption_user_report *out);

/* The report as JSON (docs/adoption-metrics.md "API"):
 * {"user":{"username","display_name","roles"},"as_of":"YYYY-MM-DD",
 *  "scheduled_hours_30d","active_hours_30d","visits_signed_30d",
 *  "benchmarks":[{"id","label","module","kind","unit","value"|null,
 *     "why_none"?,"numerator","denominator","floor","goal","standing",
 *     "previous"|null}],
 *  "modules":[{"module","title","live","live_since"|null,"settling",
 *     "level","flagged","core_used","core_total"}],
 *  "features":[{"feature","module","label","uses_30d","last_used"|null}]} */
json_t *adoption_report_json(const adoption_user_report *r);

/* The users a report covers: enabled people of the practice (not service
 * accounts), with their ids, in username order; at most cap. */
int adoption_report_users(store_tx *tx, int64_t practice_id, int64_t *ids,
                          size_t cap, size_t *n);

/* Recomputes every user's levels as of as_of_day into adoption_level
 * (what the benchmarks gate reads), in the caller's write transaction. */
int adoption_levels_refresh(store_tx *tx, int64_t practice_id,
                            int64_t as_of_day);

/* For many reports at once (the dashboard's weekly series, the levels
 * refresh): what every report of a practice reads once (settings,
 * targets, the plan and the rollout decision table), opened inside the
 * caller's transaction and valid while it lasts. adoption_report_user
 * opens and closes one per call. */
typedef struct adoption_report_ctx adoption_report_ctx;
int  adoption_report_ctx_open(store_tx *tx, int64_t practice_id,
                              adoption_report_ctx **out);
void adoption_report_ctx_close(adoption_report_ctx *c);   /* NULL accepted */
/* The report with ctx; levels_only skips the previous windows and the
 * features (levels and flags need neither). */
int  adoption_report_user_ctx(store_tx *tx, adoption_report_ctx *c,
                              int64_t user_id, int64_t as_of_day,
                              bool levels_only, adoption_user_report *out);

#endif
