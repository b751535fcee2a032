/* activity.h - active time (docs/adoption-metrics.md "Activity"): the web
 * app's reports (POST /api/activity) and the 5-second idle rule.
 *
 * The idle rule: input at instant t keeps the user active until t + 5 s,
 * so active time is the length of the union of [t_i, t_i + 5 s). Counted
 * in arrival order, each event adds min(t_i - t_{i-1}, 5 s) (5 s for the
 * first): that is how the roll-up counts API clients' audited requests
 * (one event per request) and how web/static/activity.js counts
 * keystrokes, clicks, scrolls and mouse moves. Time is credited to the
 * event's own area and quarter-hour.
 *
 * A report names an area and a span; it carries no patient data: the
 * screen is one of a fixed list of names, never an id. The stored rows
 * (adoption_activity, source 'client') are per user, local day, quarter
 * and area; a quarter never holds more than 15 minutes of a user's
 * client time, whatever reports overlap. */
#ifndef SW_ADOPTION_ACTIVITY_H
#define SW_ADOPTION_ACTIVITY_H

#include <stdint.h>

#include "adoption/adoption.h"

/* What one event adds under the idle rule, given the previous event of
 * the same user (prev_ms 0: none). Never negative; events out of order
 * add 0. */
int64_t adoption_idle_credit(int64_t prev_ms, int64_t at_ms);

#define ADOPTION_REPORT_MAX_ENTRIES 200     /* per POST */
#define ADOPTION_REPORT_MAX_SPAN_MS (15 * 60 * 1000)
#define ADOPTION_REPORT_MAX_AGE_MS  (7LL * 24 * 3600 * 1000)

/* One entry of a report: area is a module id of the catalog, "inbox" or
 * "other"; the span [from_ms, to_ms) at most 15 minutes, not in the
 * future (1 minute of clock skew allowed) and not older than 7 days;
 * active_ms at most the span. */
typedef struct adoption_report_entry {
    const char *area;
    const char *screen;     /* a screen name ("visit", "inbox", …) */
    int64_t     from_ms, to_ms;
    int64_t     active_ms;
} adoption_report_entry;

/* Checks entry i against the rules above and now_ms; SW_OK or SW_EINVAL
 * with one sentence naming the entry and member into msg. */
int adoption_report_check(const adoption_report_entry *e, size_t i,
                          int64_t now_ms, char *msg, size_t cap);

/* Adds entries[n] (each already checked) for user_id: each entry's
 * active time is spread over the quarters its span covers in proportion
 * to the overlap, and each quarter's client total is capped at 15
 * minutes. Runs inside the caller's write transaction. */
int adoption_activity_add(store_tx *tx, int64_t practice_id, int64_t user_id,
                          const adoption_settings *set,
                          const adoption_report_entry *entries, size_t n);

#endif
