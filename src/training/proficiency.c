/* proficiency.c - scoring a proficiency attempt (see proficiency.h). The
 * scenario is the course's own exercises done again, on the trainee's
 * practice patients, after the clock started: what is checked is what the
 * trainee did in that window, so earlier practice does not count. */
#include "training/proficiency.h"

#include "training/check.h"

int training_proficiency_score(sw_store *training, int64_t practice_id,
                               int64_t user_id, const char *username,
                               const training_course *c, int64_t start_ms,
                               int64_t now_ms, int *score, bool *passed,
                               bool *in_time, sw_err *err)
{
    size_t done = 0;
    for (size_t i = 0; i < c->nexercises; i++) {
        bool ok;
        char missing[CHECK_MISSING_MAX];
        int rc = training_check_exercise(training, practice_id, user_id,
                                         username, &c->exercises[i], start_ms,
                                         &ok, missing, err);
        if (rc != SW_OK)
            return rc;
        done += ok;
    }
    *score = c->nexercises ? (int)(done * 100 / c->nexercises) : 0;
    *in_time = now_ms - start_ms <= (int64_t)c->time_limit_minutes * 60000;
    *passed = *in_time && *score >= c->pass_mark;
    return SW_OK;
}
