/* golive_store.h - going live and rolling back against the store: gathering
 * a stage's gate data (checklist ticks, each gate's data, the linter) for
 * the pure evaluation of golive.h, and writing the resulting plan version
 * with its audit entries. The HTTP routes (src/server/api_golive.c) and
 * `stagewise plan go-live|rollback|gates` (src/cli/cmd_plan_golive.c) both
 * go through here, so they decide and record alike. */
#ifndef SW_ROLLOUT_GOLIVE_STORE_H
#define SW_ROLLOUT_GOLIVE_STORE_H

#include <stdint.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "rollout/checklist.h"
#include "rollout/golive.h"
#include "store/store.h"

/* What the evaluation of one stage found. */
typedef struct golive_result {
    golive_check    checks[GOLIVE_MAX_CHECKS];
    size_t          nchecks;
    size_t          failed;
    golive_inputs   in;        /* the data behind the checks */
    checklist_tick *ticks;     /* the stage's ticks (arena) */
    size_t          nticks;
} golive_result;

/* Evaluates stage `index` of p (the practice's current plan). Strings and
 * arrays live in a. SW_OK, or a store error in err. */
int golive_store_evaluate(sw_store *s, sw_arena *a, int64_t practice_id,
                          const sw_plan *p, size_t index, golive_result *out,
                          sw_err *err);

/* Writes p with stage stage_id's state changed (live or rolled_back, time
 * now) as the version after `expected`, with its plan_change entry and a
 * go_live entry (feature rollout.go_live, detail as given), in one
 * transaction. SW_ECONFLICT when the plan changed since `expected`.
 * *version gets the new version. */
int golive_store_transition(sw_store *s, const audit_who *who,
                            const sw_plan *p, int64_t expected,
                            const char *stage_id, plan_stage_state state,
                            const char *comment, const char *detail,
                            int64_t *version, sw_err *err);

#endif
