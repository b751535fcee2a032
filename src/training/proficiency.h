/* proficiency.h - the proficiency check of a course (docs/training.md
 * "Proficiency checks"): a timed scenario. Starting it records the time;
 * finishing it re-runs every exercise's checker counting only work done
 * since the start, scores the share done (0-100) and passes at or above
 * the course's pass mark when finished within its time limit. */
#ifndef SW_TRAINING_PROFICIENCY_H
#define SW_TRAINING_PROFICIENCY_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "training/course.h"

/* Scores trainee (user_id, username)'s attempt started at start_ms,
 * finished at now_ms, against training (the training store). */
int training_proficiency_score(sw_store *training, int64_t practice_id,
                               int64_t user_id, const char *username,
                               const training_course *c, int64_t start_ms,
                               int64_t now_ms, int *score, bool *passed,
                               bool *in_time, sw_err *err);

#endif
