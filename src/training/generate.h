/* Synthetic patients for the training environment: a deterministic
 * generator of our own (no outside data), so every practice's training
 * store holds the same realistic population for a given seed and every
 * trainee gets their own copy of the exercise cases the course checkers
 * look for. Codes come only from the project's verified tables. */
#ifndef SW_TRAINING_GENERATE_H
#define SW_TRAINING_GENERATE_H

#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"
#include "store/store.h"

/* The identifier systems that mark generated patients. */
#define TRAINING_CASE_SYSTEM "urn:stagewise:training:case"
#define TRAINING_TRAINEE_SYSTEM "urn:stagewise:training:trainee"

/* The exercise cases (fixed ids: the contract with the checkers). */
#define TRAINING_CASE_PENICILLIN "penicillin-allergy"
#define TRAINING_CASE_DIABETES "diabetes-followup"
#define TRAINING_CASE_PENDING "pending-result"
#define TRAINING_CASE_RECONCILE "med-reconcile"
#define TRAINING_CASE_REGISTRATION "new-registration"

/* The master population: npatients realistic ambulatory patients,
 * deterministic from seed, written into store for practice_id (each with
 * identifier system "urn:stagewise:training:case" value "master"). */
int training_generate_master(sw_store *s, int64_t practice_id, uint64_t seed, int npatients, sw_err *err);

/* Trainee `username`'s own copy of the exercise patients, one per case
 * above, each with identifiers {system "urn:stagewise:training:trainee",
 * value username} and {system "urn:stagewise:training:case", value CASE};
 * idempotent (already there: SW_OK, nothing written); the trainee is their
 * appointments' practitioner where the case needs one. */
int training_generate_trainee(sw_store *s, int64_t practice_id, const char *username, uint64_t seed, sw_err *err);

/* Removes trainee username's exercise patients and everything in their
 * records from store (for reset --user). */
int training_remove_trainee(sw_store *s, int64_t practice_id, const char *username, sw_err *err);

/* The id of trainee username's patient of case `case_id` in store, into
 * out (80 bytes); SW_ENOTFOUND when there is none. */
int training_case_patient(sw_store *s, int64_t practice_id, const char *username, const char *case_id, char out[80],
                          sw_err *err);

/* The master population as HL7 v2 (ADT^A04 and SIU^S12 in a batch file)
 * is written by the PMS simulator's message code, above this area:
 * pmssim_training_batch (src/pmssim/generate.h); the people themselves
 * come from training/people.h. */

#endif
