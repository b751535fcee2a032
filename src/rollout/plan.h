/* plan.h - an implementation plan (DESIGN.md §5, docs/rollout.md "Plans"):
 * the ordered stages in which a practice turns its modules on.
 *
 * A stage has a stable id (a short slug that diffs, go-live and audit
 * entries refer to), a name, a target date (YYYY-MM-DD), the catalog
 * modules it turns on (catalog.h), a cohort (everyone, some roles, named
 * users), the gates that must pass before it goes live, and a state
 * (planned, live, rolled back) with when it went live or was rolled back.
 * Plan-level settings tune the linter (plan_lint.h).
 *
 * The plan is pure data: no database, no clock. plan_from_json checks a
 * JSON document and builds the struct; every problem found is reported
 * with the path of the member it is about ("stages[2].cohort.roles[0]"),
 * all of them, not only the first. plan_to_json writes the canonical form
 * (what is stored, see plan_store.h); from_json(to_json(p)) is p.
 *
 * Ownership: an sw_plan owns its strings (it keeps a reference to the
 * JSON it was built from, whose strings its members point into) and is
 * freed with plan_free, which accepts NULL. Module ids point at the
 * catalog's own strings. Reads are far more common than writes: a plan is
 * parsed when it is linted, diffed or shown, and written only when the
 * implementation lead changes it. */
#ifndef SW_ROLLOUT_PLAN_H
#define SW_ROLLOUT_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"

/* Bounds of a plan (every one checked by plan_from_json). */
#define PLAN_MAX_STAGES        24
#define PLAN_MAX_MODULES       16     /* per stage; the catalog has 12 */
#define PLAN_MAX_COHORT        500    /* roles or usernames in a cohort */
#define PLAN_MAX_GATES         8      /* per stage */
#define PLAN_MAX_ITEMS         40     /* checklist items in a gate */
#define PLAN_ID_MAX            40     /* stage and checklist item ids */
#define PLAN_NAME_MAX          120    /* stage names */
#define PLAN_TEXT_MAX          300    /* checklist item text */
#define PLAN_COMMENT_MAX       500    /* a version's comment */
#define PLAN_BODY_MAX          (512 * 1024) /* a plan's JSON text */
#define PLAN_MAX_ISSUES        32     /* validation problems reported */

/* Settings' defaults and ranges. */
#define PLAN_DEFAULT_MAX_MODULES_PER_STAGE 5
#define PLAN_DEFAULT_MAX_PLAN_WEEKS        26
#define PLAN_MAX_PLAN_WEEKS_LIMIT          260

typedef enum plan_cohort_kind {
    PLAN_COHORT_EVERYONE,
    PLAN_COHORT_ROLES,
    PLAN_COHORT_USERS,
} plan_cohort_kind;

typedef struct plan_cohort {
    plan_cohort_kind kind;
    const char     **members;      /* role ids or usernames; none for everyone */
    size_t           n;
} plan_cohort;

typedef enum plan_gate_kind {
    PLAN_GATE_TRAINING,            /* "training_completion", percent */
    PLAN_GATE_PROFICIENCY,         /* "proficiency", percent */
    PLAN_GATE_INTERFACE,           /* "interface_tests" */
    PLAN_GATE_BENCHMARKS,          /* "previous_benchmarks", percent */
    PLAN_GATE_CHECKLIST,           /* "checklist", items */
    PLAN_GATE__COUNT
} plan_gate_kind;

typedef struct plan_item {
    const char *id;
    const char *text;
} plan_item;

typedef struct plan_gate {
    plan_gate_kind kind;
    int            percent;        /* 1-100 for the kinds that take one, else 0 */
    plan_item     *items;          /* checklist only */
    size_t         nitems;
} plan_gate;

typedef enum plan_stage_state {
    PLAN_STAGE_PLANNED,
    PLAN_STAGE_LIVE,
    PLAN_STAGE_ROLLED_BACK,
} plan_stage_state;

typedef struct plan_stage {
    const char      *id;
    const char      *name;
    const char      *target_date;  /* YYYY-MM-DD */
    int64_t          target_day;   /* days since 1970-01-01 */
    const char      *modules[PLAN_MAX_MODULES];
    size_t           nmodules;
    plan_cohort      cohort;
    plan_gate        gates[PLAN_MAX_GATES];
    size_t           ngates;
    plan_stage_state state;
    const char      *live_at;        /* ISO 8601 instant, or NULL */
    const char      *rolled_back_at; /* ISO 8601 instant, or NULL */
} plan_stage;

typedef struct sw_plan {
    int         max_modules_per_stage;
    int         max_plan_weeks;
    plan_stage *stages;
    size_t      nstages;
    json_t     *doc;               /* owns the strings */
} sw_plan;

/* One problem of a plan document: the member's path and a sentence. */
typedef struct plan_issue {
    char path[96];
    char message[256];
} plan_issue;

typedef struct plan_issues {
    plan_issue items[PLAN_MAX_ISSUES];
    size_t     n;
    size_t     dropped;            /* found past PLAN_MAX_ISSUES */
} plan_issues;

/* Checks doc (not consumed; the plan keeps a reference) and builds *out.
 * SW_OK; SW_EINVAL with every problem in issues (and *out NULL);
 * SW_ENOMEM. */
int plan_from_json(json_t *doc, sw_plan **out, plan_issues *issues);
/* Parses text (len bytes) as JSON, then as plan_from_json; a text that is
 * not JSON is one issue at path "" naming the line and column. */
int plan_from_text(const char *text, size_t len, sw_plan **out,
                   plan_issues *issues);
/* The canonical JSON of p (new reference), NULL when out of memory. */
json_t *plan_to_json(const sw_plan *p);
void plan_free(sw_plan *p);

/* "stages[2].cohort.roles[0]: … " of the first issue, into out. */
void plan_issues_first(const plan_issues *issues, char *out, size_t cap);
/* The issues as [{"path","message"}] (new reference, NULL on no memory). */
json_t *plan_issues_json(const plan_issues *issues);

/* The stage with this id, or NULL; its index in *index when found. */
const plan_stage *plan_stage_find(const sw_plan *p, const char *id,
                                  size_t *index);
/* The stage that turns module on, or NULL. */
const plan_stage *plan_stage_of_module(const sw_plan *p, const char *module);
/* Whether the stage has a gate of this kind; the gate or NULL. */
const plan_gate *plan_stage_gate(const plan_stage *s, plan_gate_kind kind);

/* Names: "training_completion", "planned", "roles"; "" out of range. */
const char *plan_gate_kind_name(plan_gate_kind k);
const char *plan_state_name(plan_stage_state s);
const char *plan_cohort_kind_name(plan_cohort_kind k);
/* A cohort in words: "everyone", "roles physician, nurse",
 * "users a.b, c.d" (truncated to fit cap). */
void plan_cohort_words(const plan_cohort *c, char *out, size_t cap);
/* A gate in words: "training completion 80%", "interface tests",
 * "checklist (3 items)". */
void plan_gate_words(const plan_gate *g, char *out, size_t cap);

/* Whether the stage can no longer be changed freely: it is or was live.
 * Its state only changes by going live or rolling back (a later slice),
 * never by a plan edit. */
bool plan_stage_started(const plan_stage *s);
/* Checks that next (a new version) leaves alone what plan edits may not
 * change in cur (the current version, NULL when there is none): a stage
 * that is or was live keeps its state, times, modules and cohort and is
 * not removed; a new stage starts planned. SW_OK or SW_ECONFLICT with a
 * sentence in err. */
int plan_check_change(const sw_plan *cur, const sw_plan *next, sw_err *err);

/* ---- Dates ----------------------------------------------------------------
 * Calendar days as a count since 1970-01-01 (proleptic Gregorian). */

/* Parses exactly "YYYY-MM-DD" (a real date, years 1900-9999). */
bool plan_date_parse(const char *s, int64_t *day);
/* Writes "YYYY-MM-DD" (11 bytes with the NUL). */
void plan_date_format(int64_t day, char out[11]);
/* The day of a wall-clock time in ms since the epoch (UTC). */
int64_t plan_day_of_ms(int64_t wall_ms);

#endif
