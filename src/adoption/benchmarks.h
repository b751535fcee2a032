/* benchmarks.h - the benchmark definitions (docs/adoption-metrics.md has
 * each one's formula, source, default floor and goal): a table in the
 * code, with the practice's own floors and goals (adoption_target) laid
 * over the defaults.
 *
 * Kinds:
 *   time     active time per 8 scheduled hours (hours), or pajama minutes
 *            per visit; rolling 30 days; lower is better, so the floor is
 *            the most that is acceptable and the goal the target;
 *            clinicians only;
 *   ratio    a percentage over the patients a clinician saw (or their
 *            prescriptions, or their patients' results), rolling 90 days;
 *            higher is better; clinicians only;
 *   closure  same-day visit closure, percent, 30 days, clinicians only;
 *   breadth  per module: the share of the user's core features
 *            (features.h) used at least 3 times in 30 days; anyone with
 *            core features in the module.
 * Productivity (productivity.h) has its own week-by-week targets. */
#ifndef SW_ADOPTION_BENCHMARKS_H
#define SW_ADOPTION_BENCHMARKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adoption/adoption.h"

typedef enum adoption_kind {
    ADOPTION_KIND_TIME,
    ADOPTION_KIND_RATIO,
    ADOPTION_KIND_CLOSURE,
    ADOPTION_KIND_BREADTH,
} adoption_kind;

typedef struct adoption_benchmark {
    const char   *id;          /* "erx", "note_time", "breadth" … */
    const char   *label;       /* "E-prescribing" */
    const char   *module;      /* the module whose level it counts toward,
                                  or "" (overall: shown, not in a level);
                                  "*" for breadth (every module) */
    adoption_kind kind;
    const char   *unit;        /* "h per 8 h", "%", "min per visit" */
    bool          lower_is_better;
    double        floor, goal; /* defaults */
    int           window_days;
    const char   *formula;     /* one sentence */
    const char   *source;      /* where the measure and default come from */
} adoption_benchmark;

/* The table, in display order. */
const adoption_benchmark *adoption_benchmarks(size_t *n);
const adoption_benchmark *adoption_benchmark_find(const char *id);

/* A practice's targets: the defaults with its adoption_target rows over
 * them. */
typedef struct adoption_targets {
    size_t n;
    double floor[32], goal[32];   /* indexed like adoption_benchmarks */
} adoption_targets;
int adoption_targets_load(store_tx *tx, int64_t practice_id,
                          adoption_targets *out);
/* Sets a practice's floor and goal for benchmark id; SW_EINVAL with a
 * sentence for an unknown id, a percent outside 0..100, a negative time,
 * or a goal not at least as good as the floor. */
int adoption_target_set(store_tx *tx, int64_t practice_id, const char *id,
                        double floor, double goal);

/* Where value stands: "goal_met", "floor_met" or "below_floor". */
const char *adoption_standing(const adoption_benchmark *b, double floor,
                              double goal, double value);

/* The formulas, exposed for the tests of their edge cases; each returns
 * false (no value) when its denominator is zero. */
bool adoption_per_8h(int64_t active_ms, int64_t scheduled_minutes,
                     double *hours);
bool adoption_percent(int64_t numerator, int64_t denominator, double *pct);

#endif
