/* checklist.h - readiness checklist ticks (table plan_checklist_tick,
 * docs/rollout.md "Go-live, rollback and gates"): each item of a stage's
 * checklist gate is ticked by a named person, and a go-live needs every
 * item ticked.
 *
 * Ticks are keyed by stage id and item id, not by plan version, so an
 * edit of the plan keeps them. Ticking or unticking is one write
 * transaction with its audit entry (AUDIT_PLAN_CHANGE, feature
 * "rollout.checklist", detail "ticked <stage>/<item>"). Ownership:
 * strings in the arena passed in. Workload: a few dozen ticks per stage. */
#ifndef SW_ROLLOUT_CHECKLIST_H
#define SW_ROLLOUT_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/errors.h"
#include "store/store.h"

#define CHECKLIST_FEATURE "rollout.checklist"
#define CHECKLIST_MAX_TICKS 200     /* per stage, read at most */

/* Reserved item ids ticked from the operations records (table ops_record,
 * docs/operations.md) instead of by a person: a plan lists them like any
 * item; they count as ticked while the latest successful record of their
 * kind ("restore_drill", "downtime_copy") is at most
 * CHECKLIST_OPS_MAX_AGE_DAYS old, and nobody can tick them by hand. */
#define CHECKLIST_OPS_RESTORE_DRILL "ops-restore-drill"
#define CHECKLIST_OPS_DOWNTIME_COPY "ops-downtime-copy"
#define CHECKLIST_OPS_MAX_AGE_DAYS  30
#define CHECKLIST_OPS_TICKED_BY     "operations record"

typedef struct checklist_tick {
    const char *item_id;
    const char *username;   /* who ticked it ("" if since removed) */
    int64_t     at_ms;
} checklist_tick;

/* Whether item_id is one of the reserved ops-* items above. */
bool checklist_item_from_records(const char *item_id);

/* The ticks of stage_id, by item id, the reserved ops-* items included
 * (username CHECKLIST_OPS_TICKED_BY, at_ms the record's time) whenever
 * their record is recent enough, whether or not the stage lists them. */
int checklist_ticks(sw_store *s, sw_arena *a, int64_t practice_id,
                    const char *stage_id, checklist_tick **out, size_t *n,
                    sw_err *err);

/* Ticks (tick true) or unticks item_id of stage_id as who. Ticking an
 * item already ticked keeps who ticked it first, and when; unticking an
 * item that is not ticked is SW_ENOTFOUND; a reserved ops-* item is
 * SW_ECONFLICT (only its records tick it). */
int checklist_set(sw_store *s, const audit_who *who, const char *stage_id,
                  const char *item_id, bool tick, sw_err *err);

#endif
