/* decide.h - "is module M live for user U now" (DESIGN.md §4, §5;
 * docs/rollout.md "Enforcement").
 *
 * The question is asked on every write request (the rollout filter) and
 * for every module on /api/me, so it is answered from a table built once
 * per plan version (rollout_table_build) and looked up per request
 * (rollout_decide): no database, no clock, no allocation.
 *
 * Rules, in order:
 *   - no plan at all (version 0): every module is live for everyone, so
 *     an EHR running before its plan keeps working;
 *   - a per-user override of the module (or of '*') makes it live;
 *   - a super-user of the module has it live (pilot; the roster comes
 *     from the training work, empty until then);
 *   - a module in no stage is not live ("no stage includes it yet");
 *   - else it is live when its stage is live (not planned, not rolled
 *     back) and the user is in the stage's cohort: everyone, a user with
 *     any of the roles, or a named user.
 * The answer also says when the module goes live for the user: the
 * stage's target date and name, or nothing when no stage brings it to
 * them.
 *
 * Ownership: a rollout_table owns copies of every string it holds (its
 * own arena), so the plan it was built from may be freed; free it with
 * rollout_table_free (NULL accepted). Answers point into the table. */
#ifndef SW_ROLLOUT_DECIDE_H
#define SW_ROLLOUT_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "rollout/plan.h"

#define ROLLOUT_ALL_MODULES "*"   /* an override of every module */

/* One per-user override row (table user_module_override). */
typedef struct rollout_override {
    int64_t     user_id;
    const char *module;     /* a catalog id or ROLLOUT_ALL_MODULES */
} rollout_override;

/* The super-users of one module (usernames). */
typedef struct rollout_super_users {
    const char        *module;
    const char *const *usernames;
    size_t             n;
} rollout_super_users;

/* What the table is built from besides the plan. */
typedef struct rollout_inputs {
    const rollout_override    *overrides;
    size_t                     noverrides;
    const rollout_super_users *super_users;  /* NULL: none (for now) */
    size_t                     nsuper_users;
} rollout_inputs;

typedef struct rollout_table rollout_table;

/* Builds the table of plan version `version` (plan NULL and version 0:
 * no plan). NULL when out of memory. */
rollout_table *rollout_table_build(const sw_plan *plan, int64_t version,
                                   const rollout_inputs *in);
void rollout_table_free(rollout_table *t);
int64_t rollout_table_version(const rollout_table *t);

/* Who is asking: the signed-in user (or a service account, which follows
 * the plan like anyone, by its roles). */
typedef struct rollout_user {
    int64_t     user_id;
    const char *username;
    const char *roles;      /* comma-separated role ids */
} rollout_user;

typedef enum rollout_reason {
    ROLLOUT_NO_PLAN,        /* live: no plan */
    ROLLOUT_IN_COHORT,      /* live: its stage is live for the user */
    ROLLOUT_SUPER_USER,     /* live: the user pilots it */
    ROLLOUT_OVERRIDE,       /* live: a per-user override */
    ROLLOUT_PLANNED,        /* not live: its stage has not gone live */
    ROLLOUT_ROLLED_BACK,    /* not live: its stage was rolled back */
    ROLLOUT_NOT_IN_COHORT,  /* not live: its stage is live for others */
    ROLLOUT_NO_STAGE,       /* not live: no stage includes it yet */
} rollout_reason;

/* The reason as the API names it: "no_plan", "in_cohort", "super_user",
 * "override", "planned", "rolled_back", "not_in_cohort", "no_stage". */
const char *rollout_reason_id(rollout_reason reason);

typedef struct rollout_answer {
    bool           live;
    rollout_reason reason;
    const char    *stage_id;    /* the module's stage, or NULL */
    const char    *stage_name;
    /* When it goes live for this user (the stage's target date) while
     * the stage is planned and the user in its cohort; else NULL. */
    const char    *live_from;
} rollout_answer;

/* The decision for module (a catalog id) and user. A module the catalog
 * does not know is live (nothing governs it). */
void rollout_decide(const rollout_table *t, const char *module,
                    const rollout_user *u, rollout_answer *out);

/* One sentence for a refusal, naming the module's title and when it goes
 * live for the user or that no stage includes it: "E-prescribing is not
 * live for you yet: it goes live on 2027-03-01 with stage 'Prescribing'." */
void rollout_answer_words(const char *module, const rollout_answer *a,
                          char *out, size_t cap);

#endif
