/* schedule.h - each user's scheduled hours (docs/adoption-metrics.md
 * "Scheduled hours"), which the time metrics divide by and productivity
 * counts sessions of.
 *
 * For a given local day a user's scheduled time comes, first match wins:
 *   1. leave (adoption_leave covering the day): nothing scheduled;
 *   2. FHIR Slots (status free or busy) of a Schedule whose actor is the
 *      user's Practitioner (users.practitioner_id), on that day;
 *   3. the user's weekly template rows (adoption_schedule_template with
 *      their user_id) for that weekday, if the user has any template row;
 *   4. the practice's default template (user_id 0);
 *   5. nothing.
 * Blocks are half-open [start, end) minutes of the local day; overlaps
 * are merged. A session is four scheduled hours (the usual half-day
 * clinic), so a day's sessions are its scheduled minutes / 240. */
#ifndef SW_ADOPTION_SCHEDULE_H
#define SW_ADOPTION_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "adoption/adoption.h"

#define ADOPTION_BLOCKS_MAX     16
#define ADOPTION_SESSION_MIN    240

typedef struct adoption_block {
    int start_min, end_min;        /* 0 .. 1440 */
} adoption_block;

typedef struct adoption_day_schedule {
    int64_t        day;
    bool           leave;
    int            nblocks;
    adoption_block blocks[ADOPTION_BLOCKS_MAX];
    int            minutes;        /* total scheduled minutes */
    /* Which quarters of the day are scheduled (a quarter counts when any
     * of it is scheduled). */
    bool           quarter_scheduled[ADOPTION_QUARTERS];
} adoption_day_schedule;

/* The schedules of user_id for days first .. last (inclusive), into out
 * (last - first + 1 entries, caller-allocated). One read of each source
 * for the whole range, not one per day. */
int adoption_schedule_days(store_tx *tx, int64_t practice_id, int64_t user_id,
                           const adoption_settings *set, int64_t first,
                           int64_t last, adoption_day_schedule *out);

/* Replaces user_id's weekly template (user_id 0: the practice default)
 * with blocks[n] (weekday 0..6 each); SW_EINVAL with a sentence for a
 * block that is empty, outside the day or overlapping another of the
 * same weekday. */
typedef struct adoption_template_block {
    int weekday, start_min, end_min;
} adoption_template_block;
int adoption_template_set(store_tx *tx, int64_t practice_id, int64_t user_id,
                          const adoption_template_block *blocks, int n);
/* The template rows of user_id (0: the practice default) into out (at
 * most cap), ordered by weekday and start; *n their number. */
int adoption_template_get(store_tx *tx, int64_t practice_id, int64_t user_id,
                          adoption_template_block *out, int cap, int *n);

/* Records leave for user_id from first to last day (inclusive);
 * SW_EINVAL when last < first or the range is longer than a year. */
int adoption_leave_add(store_tx *tx, int64_t practice_id, int64_t user_id,
                       int64_t first, int64_t last, const char *reason);
int adoption_leave_remove(store_tx *tx, int64_t practice_id, int64_t user_id,
                          int64_t first);

#endif
