/* adoption.h - what the adoption area's files share (DESIGN.md §6,
 * docs/adoption-metrics.md): local days, windows, the activity areas and
 * the practice's adoption settings.
 *
 * Every adoption figure is per practice-local day. A day is a number of
 * days since 1970-01-01 in the practice's local time, which is UTC plus
 * the practice's setting utc_offset_minutes (fixed: a practice that
 * observes daylight saving time changes it twice a year; docs say so).
 * Weekdays are 0 Monday .. 6 Sunday. A quarter is a quarter-hour of a
 * local day, 0 .. 95. */
#ifndef SW_ADOPTION_H
#define SW_ADOPTION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/errors.h"
#include "store/store.h"

#define ADOPTION_DAY_MS      86400000LL
#define ADOPTION_QUARTER_MS  900000LL
#define ADOPTION_QUARTERS    96

/* The 5-second idle rule: input (or an audited request) keeps a user
 * active for this long after it. */
#define ADOPTION_IDLE_MS     5000

/* Windows (days, ending with and including the day a report is for). */
#define ADOPTION_TIME_WINDOW_DAYS  30   /* time metrics and breadth */
#define ADOPTION_RATIO_WINDOW_DAYS 90   /* ratios over patients seen */
#define ADOPTION_BASELINE_WEEKS     8   /* before a user's first stage */

/* Activity areas besides module ids (adoption_activity.area). */
#define ADOPTION_AREA_INBOX "inbox"
#define ADOPTION_AREA_OTHER "other"

/* A practice's adoption settings (adoption_setting rows, defaults when
 * absent). */
typedef struct adoption_settings {
    int utc_offset_minutes;   /* -720 .. 840, default 0 */
    int settling_weeks;       /* after go-live before anyone is flagged, default 6 */
    int peer_share_percent;   /* "most peers": default 60 */
} adoption_settings;

void adoption_settings_default(adoption_settings *s);
/* Reads practice_id's settings (defaults for the absent ones). */
int  adoption_settings_load(store_tx *tx, int64_t practice_id,
                            adoption_settings *out);
/* Sets one setting by name ("utc_offset_minutes", "settling_weeks",
 * "peer_share_percent"); SW_EINVAL with a sentence for an unknown name or
 * a value out of range. */
int  adoption_setting_set(store_tx *tx, int64_t practice_id,
                          const char *name, int value);

/* The local day of an instant, the instant a local day starts, a day's
 * weekday (0 Monday), and the quarter of an instant within its day. */
int64_t adoption_day_of(int64_t at_ms, int utc_offset_minutes);
int64_t adoption_day_start_ms(int64_t day, int utc_offset_minutes);
int     adoption_weekday(int64_t day);
int     adoption_quarter_of(int64_t at_ms, int utc_offset_minutes);
/* "2026-11-25" (11 bytes with NUL) for a day, and back (false when s is
 * not a valid calendar date YYYY-MM-DD). */
void    adoption_day_text(int64_t day, char out[11]);
bool    adoption_day_parse(const char *s, int64_t *day);
/* The day a report is as of: asked when it is a day (>= 0), otherwise
 * today in the practice's local time (wall clock, sw_now_wall_ms, so a
 * simulated clock moves it too). */
int     adoption_today(store_tx *tx, int64_t practice_id, int64_t asked,
                       int64_t *day);

#endif
