/* golive.h - whether a stage may go live, and the plan that results from
 * going live or rolling back (docs/rollout.md "Go-live, rollback and
 * gates"). Pure: the caller gathers the data (ticks, gate data, lint) and
 * writes the new plan version (src/server/api_golive.c).
 *
 * A stage may go live when every earlier stage is live, the plan has no
 * lint errors, every checklist item of its checklist gate is ticked, and
 * every other gate's data passes; a gate with no data fails (gates.h).
 * Each check is reported, passed or not, with a sentence, so the gate
 * screen and the 409 of a refused go-live say the same thing.
 *
 * Ownership: checks are plain values; golive_with_state returns a new
 * plan the caller frees with plan_free. */
#ifndef SW_ROLLOUT_GOLIVE_H
#define SW_ROLLOUT_GOLIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "rollout/gates.h"
#include "rollout/plan.h"

#define GOLIVE_FEATURE    "rollout.go_live"
#define GOLIVE_MAX_CHECKS (PLAN_MAX_GATES + 2)
#define GOLIVE_REASON_MAX 500

typedef struct golive_check {
    const char *gate;      /* a gate kind's name, "earlier_stages" or "lint" */
    bool        passed;
    char        message[400];
} golive_check;

typedef struct golive_inputs {
    /* The checklist items ticked for the stage (item ids). */
    const char *const *ticked;
    size_t             nticked;
    /* The data of each gate kind the stage has (index: plan_gate_kind);
     * the checklist's entry is not read. */
    gate_data          data[PLAN_GATE__COUNT];
    /* The plan's lint errors and the first one's sentence. */
    size_t             lint_errors;
    const char        *lint_first;
} golive_inputs;

/* Evaluates stage `index` of p into out (at most GOLIVE_MAX_CHECKS);
 * returns how many checks, *failed how many failed. */
size_t golive_evaluate(const sw_plan *p, size_t index, const golive_inputs *in,
                       golive_check *out, size_t *failed);

/* The first stage after stage `index` that is live, or NULL. Stages roll
 * back in the reverse of the order they went live: a later live stage
 * counts on this one's modules (its prerequisites), so rolling this one
 * back first would leave its users with half a workflow. */
const plan_stage *golive_later_live(const sw_plan *p, size_t index);

/* A copy of p with stage stage_id's state set: live (live_at = at,
 * rolled_back_at dropped) or rolled_back (rolled_back_at = at). SW_OK,
 * SW_ENOTFOUND, SW_ENOMEM, or SW_EINVAL when the result does not check
 * (never expected). */
int golive_with_state(const sw_plan *p, const char *stage_id,
                      plan_stage_state state, const char *at, sw_plan **out);

#endif
