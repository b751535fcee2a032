/* adoption_worker.h - the server's background adoption work
 * (docs/adoption-metrics.md "Computation"): a thread that every
 * ADOPTION_WORKER_PERIOD_MS catches up the roll-ups of the audit trail
 * (adoption/rollup.h) for each practice of the production store, so that
 * reports find them current and each report's own catch-up has little
 * left to do; and, at start and then once per local day of each practice
 * (its utc_offset_minutes), runs the daily evaluation (adoption/
 * findings.h: levels, neglected features, re-measures) as of that day.
 * It logs a line for each catch-up that rolled entries (how many, never
 * what) and for each evaluation (the counts), a warning when one fails,
 * and goes on (a failed evaluation is tried again the next day). Stopped
 * promptly at shutdown. Never started for the training store, whose
 * practice is not measured. */
#ifndef SW_SERVER_ADOPTION_WORKER_H
#define SW_SERVER_ADOPTION_WORKER_H

#include "core/errors.h"
#include "store/store.h"

#define ADOPTION_WORKER_PERIOD_MS 5000

typedef struct adoption_worker adoption_worker;

struct training_courses;

/* Starts the thread on store (which must outlive adoption_worker_stop);
 * its first catch-up and evaluation run at once. courses (the server's
 * loaded training courses, which the findings recommend exercises from;
 * NULL: super-user sessions only) must outlive it too. */
int adoption_worker_start(sw_store *store,
                          const struct training_courses *courses,
                          adoption_worker **out, sw_err *err);

/* Wakes the thread, waits for it (a batch in progress finishes first) and
 * frees it. NULL is fine. */
void adoption_worker_stop(adoption_worker *w);

#endif
