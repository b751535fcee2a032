/* superusers.h - the super-user roster (table super_user in the
 * production store; docs/training.md "Super-users").
 *
 * A super-user of a module is a colleague trained deeply on it who helps
 * the rest: they have the module live before their cohort (pilot: the
 * rollout decision reads this roster when it builds its table,
 * rollout/decide_cache.c), appear in the "who can help me with this"
 * directory, receive the module's help requests and see which colleagues
 * are stuck. The implementation lead keeps the roster (/api/superusers,
 * `stagewise superusers`).
 *
 * Each add or remove is one write transaction with its audit entry
 * (AUDIT_ACCESS_CHANGE, feature SUPERUSER_FEATURE, detail "add MODULE" or
 * "remove MODULE", resource User/<user_id>). Callers that serve requests
 * bump the rollout cache after a change. Ownership: strings live in the
 * arena passed in. Workload: a handful of writes a year; one read per
 * rollout table build and per directory view. */
#ifndef SW_TRAINING_SUPERUSERS_H
#define SW_TRAINING_SUPERUSERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/errors.h"
#include "store/store.h"

#define SUPERUSER_FEATURE  "training.super_user"
#define SUPERUSER_MAX_ROWS 2000   /* read per practice at most */

typedef struct superuser_row {
    const char *module;
    int64_t     user_id;
    const char *username;
    const char *display_name;
    const char *roles;         /* comma-separated role ids */
    int64_t     added_at_ms;
} superuser_row;

/* Every super-user of the practice (of `module` only when not NULL), by
 * module then username; disabled accounts are left out (they cannot help
 * anyone). */
int superuser_list(sw_store *s, sw_arena *a, int64_t practice_id,
                   const char *module, superuser_row **rows, size_t *n,
                   sw_err *err);
int superuser_list_tx(store_tx *tx, sw_arena *a, int64_t practice_id,
                      const char *module, superuser_row **rows, size_t *n);

/* Whether user_id is a super-user of module. */
int superuser_is_tx(store_tx *tx, int64_t practice_id, const char *module,
                    int64_t user_id, bool *yes);

/* Makes username a super-user of module (a catalog id, checked by the
 * caller). *added (may be NULL) says whether the roster changed (false:
 * they already were one; nothing is written then). SW_ENOTFOUND for an
 * unknown user, SW_EUNPROCESSABLE for a service account or a disabled one. */
int superuser_add(sw_store *s, const audit_who *who, const char *module,
                  const char *username, bool *added, sw_err *err);
/* Takes username off module's roster; SW_ENOTFOUND when they were not on
 * it or there is no such user. */
int superuser_remove(sw_store *s, const audit_who *who, const char *module,
                     const char *username, sw_err *err);

#endif
