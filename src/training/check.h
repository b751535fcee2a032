/* check.h - the exercise checkers (docs/training.md "Courses and
 * exercises"): whether the trainee's own work in the TRAINING store shows
 * an exercise done. A small fixed vocabulary of check kinds (course.h)
 * that course files combine; never the trainee's word for it.
 *
 *   audit               the trainee's successful audit entries under a
 *                       feature id ("eprescribing.send"), for their case
 *                       patient when the check names a case, whose detail
 *                       holds a text when it names one ("overridden=1")
 *   registered_patient  a Patient the trainee created whose name starts
 *                       with the prefix ("Trainee")
 *   record              resources of a FHIR type in the case patient's
 *                       record that the trainee created or updated, read
 *                       as stored now, with a code and a status when the
 *                       check names them, at least min
 *   signed_visit        a visit of the case patient whose note the trainee
 *                       signed, with at least min_diagnoses ranked in
 *                       Encounter.diagnosis
 *
 * Workload: a few indexed queries per exercise, and for the record kinds
 * a read of each resource the trainee wrote (at most CHECK_MAX_IDS), when
 * a trainee asks. */
#ifndef SW_TRAINING_CHECK_H
#define SW_TRAINING_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "training/course.h"

#define CHECK_MISSING_MAX 240

/* Runs every check of exercise e for trainee (user_id, username) of the
 * practice against store (the training store), counting only work at or
 * after since_ms (0: any time). *done, or the first check not met as one
 * sentence in missing. SW_OK, or a store error. */
int training_check_exercise(sw_store *store, int64_t practice_id,
                            int64_t user_id, const char *username,
                            const course_exercise *e, int64_t since_ms,
                            bool *done, char missing[CHECK_MISSING_MAX],
                            sw_err *err);

#endif
