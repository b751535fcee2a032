/* testtraining.h - what the training course tests share
 * (test_training_courses.c, test_training_checks.c): the trainee's
 * practice patients read from the training store, the course routes under
 * /training/api, an exercise's done and missing, and the clinical steps a
 * trainee takes in the training environment (a visit opened, written,
 * coded and signed; a pending result signed off). Each step that fails
 * fails the test. */
#ifndef SW_TEST_TESTTRAINING_H
#define SW_TEST_TESTTRAINING_H

#include <jansson.h>
#include <stdbool.h>

#include "testapi.h"

#define TT_COURSES "/training/api/training/courses/"

/* Trainee username's patient of case_id, read from the training store. */
void tt_case_patient(sw_test_env *e, const char *username, const char *case_id,
                     char out[80]);

/* POST .../courses/{course}/{what} ("start", "check"), or GET the course
 * when what is NULL; the answer (200 or the test fails). */
json_t *tt_course(sw_test_env *e, const char *auth, const char *course,
                  const char *what);

/* Exercise ex of a course answer: whether done, and its missing sentence. */
bool tt_done(json_t *course, const char *ex);
const char *tt_missing(json_t *course, const char *ex);

/* A visit of patient opened, written and coded with coding (the body of
 * PUT /training/api/visits/{id}/coding), and signed when sign is true. */
void tt_visit(sw_test_env *e, const char *auth, const char *patient,
              const char *coding, bool sign);

/* The usual coding: type 2 diabetes and hypertension, an office visit. */
#define TT_CODING_DM_HTN "{\"diagnoses\":[{\"code\":\"E11.9\"},{\"code\":" \
    "\"I10\"}],\"procedures\":[{\"code\":\"99213\"}]}"

/* The pending abnormal result of username's case: read through
 * GET /training/api/results/{id} when review, then signed off with
 * comment (NULL: none). */
void tt_sign_off_result(sw_test_env *e, const char *auth, const char *username,
                        bool review, const char *comment);

#endif
