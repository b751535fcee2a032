/* api_training.h - what the training API's two files share
 * (api_training.c: courses, checks, proficiency; api_training_records.c:
 * records and assignments). */
#ifndef SW_SERVER_API_TRAINING_H
#define SW_SERVER_API_TRAINING_H

#include <stdbool.h>

#include "app.h"
#include "training/course.h"

/* The app's course catalog; an app built by hand (tests) loads the
 * source tree's courses/ (SW_COURSES_DIR) once. NULL when it cannot. */
const training_courses *api_training_courses(const sw_app *app);
/* An instant in ms as ISO 8601, or JSON null for 0. */
json_t *api_training_time(int64_t ms);
/* A failed store call on the training records, as the answer. */
int api_training_failed(sw_response *res, int rc, const sw_err *err);
/* Whether the signed-in user reads everyone's training (the
 * implementation lead: training:read or plan:read). */
bool api_training_lead(const auth_session *me);

#endif
