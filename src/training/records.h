/* records.h - training records in the PRODUCTION store (docs/training.md
 * "Training records and the gates"): one training_record row per user and
 * course, the exercises the checker found done (training_exercise), and
 * assignments (training_assignment). The go-live gates read these rows;
 * the training environment's own store never holds them.
 *
 * Ownership: strings in results are in the caller's arena. Workload: a
 * few rows per trainee action; lists for the lead's screens. */
#ifndef SW_TRAINING_RECORDS_H
#define SW_TRAINING_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

typedef struct training_rec {
    int64_t     user_id;
    const char *course_id;
    int64_t     started_at, completed_at, seconds_spent;  /* ms; 0 = not */
    int64_t     proficiency_score;                        /* -1 = none */
    bool        proficiency_pass;
    int64_t     proficiency_at, proficiency_start;
} training_rec;

/* The user's record of a course: SW_OK with *out, or SW_ENOTFOUND. */
int training_rec_get(sw_store *s, int64_t practice_id, int64_t user_id,
                     const char *course_id, training_rec *out, sw_err *err);
/* Creates the record (started now) unless there is one; *created says. */
int training_rec_start(sw_store *s, int64_t practice_id, int64_t user_id,
                       const char *course_id, int64_t now_ms, bool *created,
                       sw_err *err);
/* The exercise ids of the course the user has done, into ids (cap). */
int training_rec_done(sw_store *s, int64_t practice_id, int64_t user_id,
                      const char *course_id, char ids[][48], size_t cap,
                      size_t *n, sw_err *err);
/* In one transaction: records the newly done exercises, the completion
 * when complete (and the record when the trainee never started), and
 * marks the user's open assignments of the course (or of one of those
 * exercises) done. */
int training_rec_progress(sw_store *s, int64_t practice_id, int64_t user_id,
                          const char *course_id, const char *const *done_ids,
                          size_t ndone, bool complete, int64_t now_ms,
                          sw_err *err);
/* The proficiency check: starts the clock (a new attempt), or records its
 * result. */
int training_rec_proficiency_start(sw_store *s, int64_t practice_id,
                                   int64_t user_id, const char *course_id,
                                   int64_t now_ms, sw_err *err);
int training_rec_proficiency_finish(sw_store *s, int64_t practice_id,
                                    int64_t user_id, const char *course_id,
                                    int score, bool passed, int64_t now_ms,
                                    sw_err *err);
/* Every record of the practice (user_id 0) or of one user, by user then
 * course; *rows in a. */
int training_rec_list(sw_store *s, sw_arena *a, int64_t practice_id,
                      int64_t user_id, training_rec **rows, size_t *n,
                      sw_err *err);

/* ---- Assignments ----------------------------------------------------- */

typedef struct training_assign {
    int64_t     assignment_id, user_id, assigned_by, assigned_at, done_at;
    const char *course_id, *exercise_id, *reason, *due_date;
} training_assign;

/* A new assignment; *id gets its id. */
int training_assign_add(sw_store *s, int64_t practice_id,
                        const training_assign *a, int64_t *id, sw_err *err);
/* Every assignment of the practice (user_id 0) or of one user, newest
 * first; *rows in a. */
int training_assign_list(sw_store *s, sw_arena *a, int64_t practice_id,
                         int64_t user_id, training_assign **rows, size_t *n,
                         sw_err *err);

#endif
