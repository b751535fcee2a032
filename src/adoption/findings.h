/* findings.h - neglected features and benchmarks stuck under their floor,
 * turned into retraining (docs/adoption-metrics.md "Neglected features").
 *
 * Evaluated for every user as of a day (by the server daily: at start
 * and once per local day, src/server/adoption_worker.c; on demand by
 * `stagewise adoption evaluate`; the demo's history; the tests), only for
 * modules live for the user and past the settling-in window:
 *   - "unused": a core feature of the module the user has not used in 30
 *     days;
 *   - "peers": a core feature that at least peer_share_percent of the
 *     other users with the same role used (3+ times in 30 days) and the
 *     user did not;
 *   - "below_floor": a benchmark of the module under its floor in this
 *     window and the one before.
 * Each becomes one open finding (never two for the same user, kind and
 * subject) with a plain-language explanation and a recommendation: the
 * refresher exercise whose check uses the feature (a course of the module
 * for the user's roles), else a session with one of the module's
 * super-users. Assigning it (API, web, CLI) goes through the training
 * assignments (training/records.h) with the explanation as the reason and
 * a due date 14 days on. 30 days after it was found (or assigned) the
 * evaluation re-measures it and records value_after and state "improved"
 * or "not_improved"; a finding whose condition is gone before then is
 * "cleared". */
#ifndef SW_ADOPTION_FINDINGS_H
#define SW_ADOPTION_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "adoption/adoption.h"

struct training_courses;

typedef struct adoption_eval_counts {
    int opened, cleared, remeasured;
} adoption_eval_counts;

/* Evaluates every user of practice_id as of as_of_day, in one write
 * transaction, refreshing adoption_level too (report.h); courses may be
 * NULL (recommendations then name super-user sessions only). */
int adoption_evaluate(sw_store *s, int64_t practice_id, int64_t as_of_day,
                      const struct training_courses *courses,
                      adoption_eval_counts *counts, sw_err *err);

/* Findings as JSON for one user (user_id) or everyone (0), open ones
 * first: [{"id","user","module","kind","subject","explanation",
 * "recommendation":{"kind":"exercise"|"super_user","course","exercise"?,
 * "super_users"?:[...],"text"},"value_then"|null,"found","assignment"|null,
 * "remeasure_on","value_after"|null,"state"}]. */
int adoption_findings_json(store_tx *tx, int64_t practice_id, int64_t user_id,
                           bool open_only, json_t **out);

/* Assigns finding finding_id's recommendation through the training
 * assignments, by who; SW_ENOTFOUND, or SW_ECONFLICT when it is not open
 * or already assigned. */
int adoption_finding_assign(sw_store *s, int64_t practice_id,
                            int64_t finding_id, int64_t by_user_id,
                            int64_t *assignment_id, sw_err *err);

#endif
