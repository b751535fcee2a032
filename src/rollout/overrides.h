/* overrides.h - per-user module overrides (table user_module_override,
 * docs/rollout.md "Enforcement"): a locum who needs everything on day one
 * gets the modules (or '*', all of them) live whatever the plan says.
 *
 * A user's overrides are replaced as a whole (set) or removed (clear),
 * each in one write transaction with its audit entry (AUDIT_ACCESS_CHANGE,
 * feature "rollout.override", detail naming the modules, never a reason
 * text). The rollout decision reads every override of the practice when
 * it builds its table (decide.h). Ownership: strings live in the arena
 * passed in. Workload: a few writes a month; one read per table build. */
#ifndef SW_ROLLOUT_OVERRIDES_H
#define SW_ROLLOUT_OVERRIDES_H

#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/errors.h"
#include "rollout/decide.h"
#include "store/store.h"

#define OVERRIDE_FEATURE    "rollout.override"
#define OVERRIDE_REASON_MAX 500
#define OVERRIDE_MAX_ROWS   2000   /* read per practice at most */

typedef struct override_row {
    int64_t     user_id;
    const char *username;
    const char *module;       /* catalog id or "*" */
    const char *reason;
    int64_t     set_by;
    int64_t     set_at_ms;
} override_row;

/* Every override of the practice, by user and module. */
int override_list(sw_store *s, sw_arena *a, int64_t practice_id,
                  override_row **rows, size_t *n, sw_err *err);
int override_list_tx(store_tx *tx, sw_arena *a, int64_t practice_id,
                     override_row **rows, size_t *n);

/* Replaces user_id's overrides with modules[0..n) (ids already checked),
 * with its audit entry. */
int override_set(sw_store *s, const audit_who *who, int64_t user_id,
                 const char *const *modules, size_t n, const char *reason,
                 sw_err *err);
/* Removes user_id's overrides (SW_ENOTFOUND when there were none). */
int override_clear(sw_store *s, const audit_who *who, int64_t user_id,
                   sw_err *err);

#endif
