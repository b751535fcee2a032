/* forecast.h - an estimated productivity curve for the practice's plan
 * and for the Big Bang alternative, from published ranges (the depth of
 * the first weeks' drop, the time to recover, the residual), the
 * practice's size (its clinicians) and baseline (docs/adoption-metrics.md
 * "Forecast", which lists the sources). Always labelled an estimate; the
 * web app draws it beside the actual curve once live. */
#ifndef SW_ADOPTION_FORECAST_H
#define SW_ADOPTION_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "adoption/adoption.h"

#define ADOPTION_FORECAST_WEEKS 40

typedef struct adoption_forecast_point {
    int    week;                 /* 1 .. since the plan's first go-live */
    double low_pct, mid_pct, high_pct;   /* of baseline */
} adoption_forecast_point;

typedef struct adoption_forecast {
    const char *kind;            /* "plan" or "big_bang" */
    int64_t     start_day;       /* week 1's first day */
    double      baseline_visits_per_week;  /* the practice's, or 0 */
    size_t      n;
    adoption_forecast_point points[ADOPTION_FORECAST_WEEKS];
} adoption_forecast;

/* Both forecasts for practice_id as of as_of_day, from its current plan
 * (stage dates and modules) and its clinicians' baselines. */
int adoption_forecast_build(store_tx *tx, int64_t practice_id,
                            int64_t as_of_day, adoption_forecast *plan,
                            adoption_forecast *big_bang);

/* {"estimate":true,"sources":[...],"plan":{...},"big_bang":{...}} where
 * each is {"start","baseline_visits_per_week","weeks":[{"week","low",
 * "mid","high"}]}. */
json_t *adoption_forecast_json(const adoption_forecast *plan,
                               const adoption_forecast *big_bang);

/* ---- The model, pure (for the tests) ----------------------------------- */

/* The share of a practice's clinical workflow that modules[n] change, 0..1
 * (a weight per catalog module, summing to 1 over the catalog; unknown
 * ids weigh nothing). */
double adoption_forecast_share(const char *const *modules, size_t n);

/* One change the curve absorbs: the day it goes live and its share. */
typedef struct adoption_forecast_step {
    int64_t day;
    double  share;
} adoption_forecast_step;

/* The curve of steps[n] from start_day over out->n weeks (out->n set by
 * the caller, at most ADOPTION_FORECAST_WEEKS; kind and baseline are left
 * alone): in each week, 100% less, for every step live by the week's
 * first day, share * (residual + (depth - residual) * exp(-weeks since
 * it went live / tau)), with (depth, tau, residual) of the optimistic
 * (high), middle and pessimistic (low) end of the published ranges;
 * never below 0. */
void adoption_forecast_curve(const adoption_forecast_step *steps, size_t n,
                             int64_t start_day, adoption_forecast *out);

#endif
