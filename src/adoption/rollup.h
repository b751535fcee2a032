/* rollup.h - the daily roll-ups of the audit trail (docs/adoption-
 * metrics.md "Computation"), maintained incrementally so that reports
 * never rescan the trail.
 *
 * The roller reads the audit entries of a practice after its watermark
 * (adoption_rollup_state.last_seq), in seq order, in batches, and for
 * each batch updates, in ONE write transaction with the new watermark
 * (so a crash repeats nothing and loses nothing):
 *   - adoption_feature_day: +1 per successful entry with a feature, by
 *     user, local day and feature; a documentation.sign whose Encounter
 *     began the same local day also adds "documentation.sign_same_day";
 *   - adoption_seen: a successful documentation.sign adds a visit for
 *     (signer, day, patient);
 *   - adoption_patient_day: facts about the patient's record, by day of
 *     the entry: "allergies.recorded", "problems.recorded",
 *     "medications.recorded" (a create, or a reconcile: reviewed, none),
 *     "medications.ordered" (eprescribing.send), "vitals.recorded"
 *     (vitals.create), "smoking.recorded" (an Observation with LOINC
 *     72166-2 created), "demographics.complete" / "demographics.partial"
 *     (a Patient created or updated: whether it holds birth date, gender,
 *     preferred language, race and ethnicity), "lab.ordered" /
 *     "lab.unordered" and "imaging.ordered" / "imaging.unordered" (a
 *     DiagnosticReport of category LAB / imaging created, with or without
 *     basedOn a ServiceRequest). The resource-level facts read the stored
 *     resource (or its index rows) once per such entry;
 *   - adoption_activity (source 'audit') and adoption_user_state: each
 *     successful entry of a user is an event under the idle rule
 *     (activity.h), credited to its feature's module (area) and quarter.
 * Entries of user 0 (the command line, the PMS interface's inbound
 * messages recorded as the operator) count only toward patient facts.
 *
 * The server runs the roller every few seconds (adoption worker) and
 * every report catches up first, so reports are current. */
#ifndef SW_ADOPTION_ROLLUP_H
#define SW_ADOPTION_ROLLUP_H

#include <stdint.h>

#include "adoption/adoption.h"

#define ADOPTION_ROLLUP_BATCH 5000

/* Rolls up every audit entry of practice_id after the watermark, in
 * batches of ADOPTION_ROLLUP_BATCH, one durable transaction each;
 * *rolled (may be NULL) gets how many entries it took. */
int adoption_rollup_catch_up(sw_store *s, int64_t practice_id,
                             int64_t *rolled, sw_err *err);

/* Deletes every roll-up of practice_id (client activity kept) and rolls
 * up the whole trail again: the reference the incremental roll-ups must
 * equal (tests), and the repair after a change of roll-up rules
 * (`stagewise adoption rebuild`). */
int adoption_rollup_rebuild(sw_store *s, int64_t practice_id, sw_err *err);

#endif
