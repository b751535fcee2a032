/* plan_diff.h - what changed between two versions of a plan, as sentences
 * a practice manager reads ("stage 'Documentation': added module
 * problems", "target date of 'Billing' moved from 2027-03-01 to
 * 2027-03-15"), for GET /api/plan/diff and `stagewise plan diff`.
 *
 * Stages are matched by id (which is why ids are stable and names may
 * change). Pure; the changes are the caller's to free with
 * plan_changes_free. */
#ifndef SW_ROLLOUT_PLAN_DIFF_H
#define SW_ROLLOUT_PLAN_DIFF_H

#include <jansson.h>
#include <stddef.h>

#include "rollout/plan.h"

typedef struct plan_changes {
    char  **items;
    size_t  n, cap;
} plan_changes;

/* The changes from a to b, in plan order: settings, then stage by stage
 * (removed stages last). a NULL is "no plan yet". SW_OK or SW_ENOMEM. */
int  plan_diff(const sw_plan *a, const sw_plan *b, plan_changes *out);
void plan_changes_free(plan_changes *c);
/* The changes as a JSON array of strings (new reference). */
json_t *plan_changes_json(const plan_changes *c);

#endif
