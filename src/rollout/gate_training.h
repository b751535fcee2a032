/* gate_training.h - the data of a stage's training and proficiency gates
 * (docs/training.md "Training records and the gates"), read from the
 * production store's training_record rows by gates_data (gates.c). */
#ifndef SW_ROLLOUT_GATE_TRAINING_H
#define SW_ROLLOUT_GATE_TRAINING_H

#include <stdbool.h>

#include "rollout/gates.h"

struct auth_user;

/* Whether the account u is in cohort c (everyone, one of its roles, or
 * named): the cohort membership every stage gate counts by. */
bool gate_cohort_has(const plan_cohort *c, const struct auth_user *u);

/* The share of stage s's cohort (enabled people) who completed a course
 * of every module of the stage (proficiency false), or passed each
 * module's proficiency check (proficiency true), against the gate's
 * percent. A module's courses are its catalog course id and its role
 * variants ("<id>-<variant>"). GATE_NO_DATA when nobody in the cohort has
 * a training record of those modules, or the cohort is empty. */
int gate_training_data(sw_store *store, int64_t practice_id,
                       const plan_stage *s, const plan_gate *g,
                       bool proficiency, gate_data *out, sw_err *err);

#endif
