/* restricted.h - restricted patients and "break the glass".
 *
 * Some records need more than a role to open: staff who are also patients,
 * a public figure, a patient who asked for it. A practice admin marks such
 * a patient restricted; from then on, reading or changing anything in the
 * patient's record needs a break-the-glass grant: the user states why, the
 * grant lasts a limited time (default AUTH_BREAK_GLASS_DEFAULT_MS), and it
 * waits in a review queue until someone with audit rights reviews it. The
 * audit trail records the grant (action break_glass) and every access made
 * under it, like any other.
 *
 * All functions run inside a store transaction; times are wall-clock
 * milliseconds (core/clock.h) passed in, so tests pin them. The command
 * line (user_id 0) is the operator of the database and is never asked. */
#ifndef SW_AUTH_RESTRICTED_H
#define SW_AUTH_RESTRICTED_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

#define AUTH_BREAK_GLASS_DEFAULT_MS (60LL * 60 * 1000)        /* an hour */
#define AUTH_BREAK_GLASS_MAX_MS     (12LL * 60 * 60 * 1000)   /* a shift */
#define AUTH_BREAK_GLASS_MIN_REASON 10                         /* characters */
#define AUTH_BREAK_GLASS_MAX_REASON 500

/* Whether user_id may open patient_id's record at now_ms: yes unless the
 * patient is restricted and the user holds no live grant. */
int auth_patient_access(store_tx *tx, int64_t practice_id, int64_t user_id,
                        const char *patient_id, int64_t now_ms, bool *allowed);

/* Marks a patient restricted (reason kept), or lifts it; *changed says
 * whether anything changed. */
int auth_patient_restrict(store_tx *tx, int64_t practice_id,
                          const char *patient_id, const char *reason,
                          int64_t by_user, int64_t now_ms, bool *changed);
int auth_patient_unrestrict(store_tx *tx, int64_t practice_id,
                            const char *patient_id, bool *changed);
int auth_patient_is_restricted(store_tx *tx, int64_t practice_id,
                               const char *patient_id, bool *restricted);

typedef struct auth_grant {
    int64_t     grant_id;
    int64_t     user_id;
    const char *username;        /* from app_user, when listed */
    const char *patient_id;
    const char *reason;
    int64_t     granted_ms;
    int64_t     expires_ms;
    int64_t     reviewed_by;     /* 0 while waiting for review */
    int64_t     reviewed_ms;
    const char *review_note;
} auth_grant;

/* Grants user_id access to patient_id for duration_ms from now_ms; the
 * reason is checked by the caller (length, no control characters).
 * *grant_id gets the new grant's number. */
int auth_break_glass(store_tx *tx, int64_t practice_id, int64_t user_id,
                     const char *patient_id, const char *reason,
                     int64_t now_ms, int64_t duration_ms, int64_t *grant_id);

/* The practice's grants, newest first, at most limit; only those waiting
 * for review when unreviewed_only. Strings in a. */
int auth_grants_list(store_tx *tx, sw_arena *a, int64_t practice_id,
                     bool unreviewed_only, int limit, auth_grant **out,
                     size_t *n);

/* Marks a grant reviewed. SW_ENOTFOUND when there is no such grant,
 * SW_ECONFLICT when it was reviewed already. */
int auth_grant_review(store_tx *tx, int64_t practice_id, int64_t grant_id,
                      int64_t reviewer, const char *note, int64_t now_ms);

#endif
