/* forecast.c - the estimated productivity curve of the practice's plan and
 * of the Big Bang alternative (forecast.h; docs/adoption-metrics.md
 * "Forecast" explains the model and lists its sources).
 *
 * The model: each stage is a change of some share of the clinical
 * workflow (a weight per module, below). When it goes live, productivity
 * drops by share * depth and recovers exponentially, with time constant
 * tau, towards a small residual loss share * residual; the losses of the
 * stages add up. Three sets of (depth, tau, residual) from the published
 * ranges give the optimistic ("high"), middle and pessimistic ("low")
 * curves. A Big Bang is one stage holding every module of the plan on the
 * plan's first stage date, so the two curves compare the same change
 * spread out or at once.
 *
 * Read once per dashboard: the plan and the clinicians' baselines; the
 * curve itself is arithmetic. */
#include "adoption/forecast.h"

#include <math.h>
#include <string.h>

#include "adoption/productivity.h"
#include "rollout/plan.h"

/* The share of the clinical workflow each module changes (sums to 1).
 * Stagewise's assumption, documented as such: documentation is most of a
 * visit's work at the keyboard; prescribing and ordering come next; the
 * lists and the front desk's modules change less of a clinician's day. */
static const struct { const char *module; double weight; } weights[] = {
    { "registration",   0.05 },
    { "scheduling",     0.05 },
    { "documentation",  0.30 },
    { "problems",       0.05 },
    { "allergies",      0.04 },
    { "medications",    0.06 },
    { "vitals",         0.04 },
    { "eprescribing",   0.12 },
    { "orders",         0.10 },
    { "results",        0.08 },
    { "immunizations",  0.03 },
    { "charge_capture", 0.08 },
};

/* The ends of the published ranges for a change of the whole workflow
 * (docs/adoption-metrics.md "Forecast" gives each one's source):
 * depth of the first week's drop, weeks until 90% of the drop is
 * recovered (tau = that / ln 10), and the residual loss. */
typedef struct model_end {
    double depth, weeks_to_90, residual;
} model_end;

static const model_end optimistic  = { 0.15,  4.0, 0.00 };
static const model_end middle      = { 0.30, 13.0, 0.02 };
static const model_end pessimistic = { 0.50, 26.0, 0.05 };

double adoption_forecast_share(const char *const *modules, size_t n)
{
    double share = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof weights / sizeof weights[0]; k++)
            if (strcmp(modules[i], weights[k].module) == 0)
                share += weights[k].weight;
    return share > 1.0 ? 1.0 : share;
}

/* Percent of baseline in the week starting first_day under one end. */
static double week_pct(const adoption_forecast_step *steps, size_t n,
                       int64_t first_day, const model_end *m)
{
    double tau = m->weeks_to_90 / log(10.0);
    double loss = 0;
    for (size_t i = 0; i < n; i++) {
        if (steps[i].day > first_day + 6)
            continue;                       /* not live during this week */
        double t = (double)(first_day - steps[i].day) / 7.0;
        if (t < 0)
            t = 0;
        loss += steps[i].share
                * (m->residual + (m->depth - m->residual) * exp(-t / tau));
    }
    double pct = 100.0 * (1.0 - loss);
    return pct < 0 ? 0 : pct;
}

void adoption_forecast_curve(const adoption_forecast_step *steps, size_t n,
                             int64_t start_day, adoption_forecast *out)
{
    if (out->n > ADOPTION_FORECAST_WEEKS)
        out->n = ADOPTION_FORECAST_WEEKS;
    out->start_day = start_day;
    for (size_t w = 0; w < out->n; w++) {
        int64_t first = start_day + 7 * (int64_t)w;
        adoption_forecast_point *p = &out->points[w];
        p->week = (int)w + 1;
        p->low_pct = week_pct(steps, n, first, &pessimistic);
        p->mid_pct = week_pct(steps, n, first, &middle);
        p->high_pct = week_pct(steps, n, first, &optimistic);
    }
}

/* The day a stage changes the workflow: when it went live, else its
 * target date; -1 for a rolled-back stage (it changes nothing now). */
static int64_t stage_day(const plan_stage *s, int offset)
{
    if (s->state == PLAN_STAGE_ROLLED_BACK)
        return -1;
    int64_t live = adoption_stage_live_day(s, offset);
    return live >= 0 ? live : s->target_day;
}

int adoption_forecast_build(store_tx *tx, int64_t practice_id,
                            int64_t as_of_day, adoption_forecast *plan_fc,
                            adoption_forecast *big_bang)
{
    memset(plan_fc, 0, sizeof *plan_fc);
    memset(big_bang, 0, sizeof *big_bang);
    plan_fc->kind = "plan";
    big_bang->kind = "big_bang";
    plan_fc->start_day = big_bang->start_day = -1;
    adoption_settings set;
    int rc = adoption_settings_load(tx, practice_id, &set);
    sw_plan *plan = NULL;
    if (rc == SW_OK)
        rc = adoption_plan_load(tx, practice_id, &plan);
    if (rc != SW_OK || plan == NULL)
        return rc;
    adoption_forecast_step steps[PLAN_MAX_STAGES];
    const char *all[PLAN_MAX_STAGES * PLAN_MAX_MODULES];
    size_t nsteps = 0, nall = 0;
    int64_t start = -1;
    for (size_t i = 0; i < plan->nstages && nsteps < PLAN_MAX_STAGES; i++) {
        const plan_stage *s = &plan->stages[i];
        int64_t day = stage_day(s, set.utc_offset_minutes);
        if (day < 0)
            continue;
        steps[nsteps].day = day;
        steps[nsteps].share = adoption_forecast_share(s->modules, s->nmodules);
        nsteps++;
        for (size_t m = 0; m < s->nmodules; m++)
            all[nall++] = s->modules[m];
        if (start < 0 || day < start)
            start = day;
    }
    if (nsteps > 0) {
        /* The baseline is the 8 weeks before the first change, or before
         * today when that is still ahead. */
        double per_week = 0;
        int64_t before = start < as_of_day + 1 ? start : as_of_day + 1;
        rc = adoption_baseline_visits_per_week(tx, practice_id, before, &per_week);
        adoption_forecast_step once = { start, adoption_forecast_share(all, nall) };
        plan_fc->n = big_bang->n = ADOPTION_FORECAST_WEEKS;
        adoption_forecast_curve(steps, nsteps, start, plan_fc);
        adoption_forecast_curve(&once, 1, start, big_bang);
        plan_fc->baseline_visits_per_week = per_week;
        big_bang->baseline_visits_per_week = per_week;
    }
    plan_free(plan);
    return rc;
}

static json_t *round1(double v)
{
    return json_real(round(v * 10.0) / 10.0);
}

static json_t *one_json(const adoption_forecast *f)
{
    json_t *weeks = json_array();
    for (size_t i = 0; weeks && i < f->n; i++) {
        const adoption_forecast_point *p = &f->points[i];
        json_array_append_new(weeks, json_pack("{s:i,s:o,s:o,s:o}", "week",
                              p->week, "low", round1(p->low_pct), "mid",
                              round1(p->mid_pct), "high", round1(p->high_pct)));
    }
    json_t *start = json_null();
    if (f->start_day >= 0) {
        char text[11];
        adoption_day_text(f->start_day, text);
        start = json_string(text);
    }
    return json_pack("{s:s,s:o,s:o,s:o}", "kind", f->kind ? f->kind : "",
                     "start", start, "baseline_visits_per_week",
                     round1(f->baseline_visits_per_week),
                     "weeks", weeks ? weeks : json_array());
}

static json_t *end_json(const model_end *m)
{
    return json_pack("{s:f,s:f,s:f}", "depth_pct", m->depth * 100.0,
                     "weeks_to_recover_90pct", m->weeks_to_90,
                     "residual_pct", m->residual * 100.0);
}

json_t *adoption_forecast_json(const adoption_forecast *plan,
                               const adoption_forecast *big_bang)
{
    json_t *sources = json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s}]",
        "title", "UC Davis (Bhargava, Mishra): electronic medical records have "
                 "varying effects on productivity, 2010: a 25-33% drop at "
                 "implementation; family practice and pediatrics did not "
                 "fully regain their productivity",
        "url", "https://www.ucdavis.edu/news/uc-davis-study-finds-e-medical-"
               "records-have-varying-effects-productivity",
        "title", "Practice Fusion, How EHRs impact physician productivity, "
                 "2011: an early adopter's 50% loss lasting about 6 months",
        "url", "https://www.practicefusion.com/blog/how-ehrs-impact-physician-"
               "productivity/",
        "title", "J. Halamka, EHRs for non-owned clinicians - loss of "
                 "productivity, 2008: Massachusetts eHealth Collaborative "
                 "practices back at full load within 2-4 weeks of go-live",
        "url", "http://www.taglines.me/2008/06/ehrs-for-non-owned-clinicians-"
               "loss-of.html",
        "title", "Emergency department EHR implementation: length of stay "
                 "back at baseline within 3 months (PMC3341791)",
        "url", "http://pubmedcentralcanada.ca/pmcc/articles/PMC3341791/");
    json_t *model = json_pack("{s:s,s:o,s:o,s:o}",
        "description", "Each stage drops productivity by the share of the "
                       "clinical workflow it changes times the depth, "
                       "recovering exponentially to a residual; module "
                       "weights and the residual are Stagewise's assumptions.",
        "high", end_json(&optimistic), "mid", end_json(&middle),
        "low", end_json(&pessimistic));
    return json_pack("{s:b,s:s,s:o,s:o,s:o,s:o}", "estimate", 1,
                     "label", "Estimate from published ranges, not a prediction",
                     "sources", sources ? sources : json_array(),
                     "model", model ? model : json_object(),
                     "plan", one_json(plan), "big_bang", one_json(big_bang));
}
