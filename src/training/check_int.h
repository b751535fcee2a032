/* check_int.h - what the exercise checkers share (check.c: audit and
 * registration checks; check_records.c: the record and signed-visit
 * checks that read the clinical data the trainee wrote). Internal to
 * src/training/. */
#ifndef SW_TRAINING_CHECK_INT_H
#define SW_TRAINING_CHECK_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "training/course.h"

/* At most this many of a trainee's resources are looked at per check:
 * far more than an exercise asks for. */
#define CHECK_MAX_IDS 50

/* Which of the trainee's successful create/update audit entries to list. */
typedef struct check_ids_query {
    int64_t     practice_id, user_id, since_ms;
    const char *res_type;   /* "Condition" */
    const char *feature;    /* "" any */
    const char *patient;    /* "" any */
} check_ids_query;

/* The distinct resource ids of those entries, newest first. */
typedef struct check_ids {
    char   ids[CHECK_MAX_IDS][80];
    size_t n;
} check_ids;

int check_trainee_ids(sw_store *s, const check_ids_query *q, check_ids *out,
                      sw_err *err);

/* The trainee's patient of the check's case into patient ("" when the
 * check names none, or the case is the patient they register). When the
 * patient does not exist yet, *done is false with the sentence in missing
 * and *found false. SW_OK, or a store error. */
int check_case(sw_store *s, int64_t practice_id, const char *username,
               const course_check *k, char patient[80], bool *found,
               bool *done, char *missing, sw_err *err);

int check_record(sw_store *s, int64_t practice_id, int64_t user_id,
                 const char *username, const course_check *k, int64_t since_ms,
                 bool *done, char *missing, sw_err *err);
int check_signed_visit(sw_store *s, int64_t practice_id, int64_t user_id,
                       const char *username, const course_check *k,
                       int64_t since_ms, bool *done, char *missing,
                       sw_err *err);

#endif
