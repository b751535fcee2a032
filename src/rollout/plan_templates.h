/* plan_templates.h - the plans a practice starts from (docs/rollout.md,
 * "Templates"): Big Bang and the common staged plans, each with a
 * sentence on when a practice would choose it.
 *
 * A template is a table row; applying it builds a plan document whose
 * target dates count from the day it is applied (start), which the
 * practice then adjusts like any plan. Static data, safe from any thread. */
#ifndef SW_ROLLOUT_PLAN_TEMPLATES_H
#define SW_ROLLOUT_PLAN_TEMPLATES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct plan_template {
    const char *name;          /* "big-bang" */
    const char *title;         /* "Big Bang" */
    const char *description;   /* when a practice would choose it */
} plan_template;

/* The i-th template in the order they are offered; NULL past the end. */
const plan_template *plan_template_at(size_t i);
/* By name, or NULL. */
const plan_template *plan_template_find(const char *name);
/* The plan document of t with dates counted from start_day (days since
 * 1970-01-01, plan.h); a new reference, NULL when out of memory. */
json_t *plan_template_build(const plan_template *t, int64_t start_day);
/* [{"name","title","description","stages":[{"id","name","weeks","modules"}]}]
 * of every template, for GET /api/plan/templates (new reference). */
json_t *plan_templates_json(void);

#endif
