/* training_nightly.h - the optional nightly reset of the training
 * environment (`stagewise serve --training-reset-at HH:MM`, UTC): a
 * thread that sleeps until the time comes, then resets every practice's
 * training environment with the same code as `stagewise training reset`
 * (training/env_reset.h), logs one line per practice, and sleeps until the
 * next day. Stopped promptly at shutdown. Not started with --no-training.
 * The schedule itself is a pure function, tested on its own. */
#ifndef SW_SERVER_TRAINING_NIGHTLY_H
#define SW_SERVER_TRAINING_NIGHTLY_H

#include <stdint.h>

#include "core/errors.h"
#include "store/store.h"

/* "HH:MM" (00:00 to 23:59, two digits each) as minutes after midnight
 * into *minute; SW_EINVAL for anything else. */
int server_nightly_parse(const char *hhmm, int *minute);

/* The first time strictly after now_ms (ms since the epoch, UTC) that is
 * minute minutes after a UTC midnight: today's when it is still ahead,
 * else tomorrow's. */
int64_t server_nightly_next_ms(int64_t now_ms, int minute);

typedef struct server_nightly server_nightly;

/* Starts the thread: at minute (after UTC midnight) every day it resets
 * the training environment of each practice of prod in training with
 * seed. Both stores must outlive server_nightly_stop. */
int server_nightly_start(sw_store *prod, sw_store *training, int minute, uint64_t seed,
                         server_nightly **out, sw_err *err);

/* Wakes the thread, waits for it (a reset in progress finishes first)
 * and frees it. NULL is fine. */
void server_nightly_stop(server_nightly *n);

#endif
