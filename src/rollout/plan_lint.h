/* plan_lint.h - the plan linter (DESIGN.md §5, docs/rollout.md "The plan
 * linter"): what is wrong or risky in a plan, before anything goes live,
 * each finding in one sentence a practice manager understands.
 *
 * Errors block go-live (the go-live slice refuses a stage while the plan
 * has any); warnings explain a risk the practice may accept. The linter is
 * pure: what it needs beyond the plan comes in plan_lint_input, filled by
 * the caller from the store (the practice's accounts, for cohort sizes;
 * the super-user roster, which a later issue provides: NULL means "no data
 * yet", and each module then gets one warning saying so).
 *
 * Ownership: findings point into the plan (stage ids) and the catalog
 * (module ids, codes); they live until plan_findings_free and no longer
 * than the plan. */
#ifndef SW_ROLLOUT_PLAN_LINT_H
#define SW_ROLLOUT_PLAN_LINT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "rollout/plan.h"

#define PLAN_LINT_MESSAGE_MAX 480

typedef enum plan_severity {
    PLAN_LINT_ERROR,
    PLAN_LINT_WARNING,
} plan_severity;

/* The finding codes (stable: tests and the web app key on them). */
#define PLAN_LINT_PREREQUISITE     "prerequisite_not_live"
#define PLAN_LINT_CHARGE_INTERFACE "charge_capture_without_interface_gate"
#define PLAN_LINT_COUPLING         "coupled_modules_split"
#define PLAN_LINT_TOO_MUCH_CHANGE  "too_much_change"
#define PLAN_LINT_FATIGUE          "change_fatigue"
#define PLAN_LINT_BB_INTERFACE     "big_bang_without_interface_gate"
#define PLAN_LINT_BB_TRAINING      "big_bang_without_training_gate"
#define PLAN_LINT_DATES_BACKWARDS  "dates_go_backwards"
#define PLAN_LINT_NO_SUPER_USERS   "no_super_users"
#define PLAN_LINT_FEW_SUPER_USERS  "too_few_super_users"

typedef struct plan_finding {
    plan_severity severity;
    const char   *code;            /* PLAN_LINT_* */
    const char   *stage;           /* stage id, or NULL for the whole plan */
    const char   *module;          /* module id, or NULL */
    char          message[PLAN_LINT_MESSAGE_MAX];
} plan_finding;

typedef struct plan_findings {
    plan_finding *items;
    size_t        n, cap;
} plan_findings;

/* An active account of the practice (for cohort sizes and for whether a
 * roles cohort includes a users cohort). */
typedef struct plan_lint_user {
    const char *username;
    const char *roles;             /* comma-separated */
} plan_lint_user;

/* The super-users of one module. */
typedef struct plan_super_users {
    const char         *module;
    const char *const  *usernames;
    size_t              n;
} plan_super_users;

typedef struct plan_lint_input {
    const sw_plan          *plan;
    /* The practice's active people; users_known false when the caller has
     * no directory (then cohort sizes are unknown and a roles cohort is
     * taken to include any named users). */
    const plan_lint_user   *users;
    size_t                  nusers;
    bool                    users_known;
    /* The super-user roster, one row per module that has any; NULL: no
     * data yet (the roster arrives with the training issue). */
    const plan_super_users *super_users;
    size_t                  nsuper_users;
} plan_lint_input;

/* Runs every rule; errors come first, then warnings, each in stage order.
 * SW_OK or SW_ENOMEM (out then holds what was found so far). */
int  plan_lint(const plan_lint_input *in, plan_findings *out);
void plan_findings_free(plan_findings *f);
size_t plan_findings_count(const plan_findings *f, plan_severity s);
/* [{"severity","code","stage","module","message"}] (new reference). */
json_t *plan_findings_json(const plan_findings *f);
const char *plan_severity_name(plan_severity s);

#endif
