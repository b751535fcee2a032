/* plan_store.h - the implementation plan's versions in the store (table
 * plan_version, docs/rollout.md "History").
 *
 * Every change of a plan is a new version (1, 2, …) with when, who (user
 * id and username; 0 and "cli:<login>" at the command line) and an
 * optional comment; the current plan is the highest version. A practice
 * without any version has no plan (the rollout engine then treats every
 * module as live, so an EHR installed before its plan keeps working).
 *
 * Saving is optimistic: the caller names the version it read (0 for none),
 * and a save whose version is no longer the current one fails with
 * SW_ECONFLICT, so two implementation leads editing at once cannot
 * overwrite each other. The new version and its audit entry
 * (AUDIT_PLAN_CHANGE, feature "rollout.plan", detail "version N") are
 * written in one transaction.
 *
 * The _tx forms run inside a caller's transaction (go-live writes a
 * version with a stage's new state in its own transaction).
 *
 * Ownership: plan_record strings are the caller's, freed with
 * plan_record_free (which accepts NULL fields). Workload: a handful of
 * writes a week; reads on each plan screen and lint. */
#ifndef SW_ROLLOUT_PLAN_STORE_H
#define SW_ROLLOUT_PLAN_STORE_H

#include <stdint.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/errors.h"
#include "rollout/plan.h"
#include "rollout/plan_lint.h"
#include "store/store.h"

#define PLAN_FEATURE "rollout.plan"
/* Versions listed by plan_store_history at most (newest first). */
#define PLAN_HISTORY_MAX 1000

typedef struct plan_record {
    int64_t version;        /* 0: no plan */
    int64_t at_ms;
    int64_t user_id;
    char   *username;
    char   *comment;        /* "" when none */
    char   *body;           /* the plan's JSON; NULL in history listings */
} plan_record;

void plan_record_free(plan_record *r);

/* The current plan (version 0) or version n. With no plan at all, SW_OK
 * and out->version 0; an unknown version n is SW_ENOTFOUND. */
int plan_store_load(sw_store *s, int64_t practice_id, int64_t version,
                    plan_record *out, sw_err *err);
int plan_store_load_tx(store_tx *tx, int64_t practice_id, int64_t version,
                       plan_record *out);

/* Every version, newest first, without bodies; *out is the caller's to
 * free with plan_records_free. */
int plan_store_history(sw_store *s, int64_t practice_id, plan_record **out,
                       size_t *n, sw_err *err);
void plan_records_free(plan_record *r, size_t n);

typedef struct plan_save {
    const audit_who *who;
    int64_t     expected;   /* the version the caller read; 0 for none */
    const char *body;       /* the validated plan's canonical JSON */
    const char *comment;    /* NULL or "" for none */
} plan_save;

/* Writes version expected+1 with its audit entry; *version gets it.
 * SW_ECONFLICT when the current version is not `expected`. */
int plan_store_save(sw_store *s, const plan_save *in, int64_t *version,
                    sw_err *err);
int plan_store_save_tx(store_tx *tx, const plan_save *in, int64_t *version);

/* A plan edit from start to end in one write transaction: the current
 * version must be `expected` (-1: whatever is current, for the command
 * line), next must leave alone what edits may not change
 * (plan_check_change), and next is saved in canonical form with its audit
 * entry. *version gets the new version. SW_ECONFLICT with *stale true for
 * a stale version, with *stale false for a change plan_check_change
 * refuses; err says which. */
int plan_store_change(sw_store *s, const audit_who *who, int64_t expected,
                      const sw_plan *next, const char *comment,
                      int64_t *version, bool *stale, sw_err *err);

/* Lints p with the practice's active people (accounts not disabled, not
 * service accounts) as its directory, read into a; the super-user roster
 * is not there yet (plan_lint.h). */
int plan_store_lint(sw_store *s, sw_arena *a, int64_t practice_id,
                    const sw_plan *p, plan_findings *out, sw_err *err);

#endif
