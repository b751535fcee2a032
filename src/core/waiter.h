/* waiter.h - the stoppable timed wait of a background thread: a mutex, a
 * condition variable on the monotonic clock (so a wall clock set forward
 * or back does not stretch a sleep) and two flags, stop and wake. The
 * thread sleeps with sw_waiter_sleep between rounds; sw_waiter_stop (at
 * shutdown) or sw_waiter_wake (new work) from another thread ends the
 * sleep at once. Used by the adoption worker, the nightly training reset
 * and the HL7 delivery worker. */
#ifndef SW_CORE_WAITER_H
#define SW_CORE_WAITER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct sw_waiter {
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    bool            stop;    /* set once by sw_waiter_stop, never cleared */
    bool            woken;   /* set by sw_waiter_wake, cleared by the sleep */
} sw_waiter;

/* Initialises w (not stopped, not woken); sw_waiter_destroy releases it. */
void sw_waiter_init(sw_waiter *w);
void sw_waiter_destroy(sw_waiter *w);

/* Sleeps up to ms milliseconds unless stopped or woken (a wake that came
 * while the thread was busy ends the next sleep at once); clears the wake.
 * True when stopped. */
bool sw_waiter_sleep(sw_waiter *w, int64_t ms);

/* Whether sw_waiter_stop was called: for a long round to end early. */
bool sw_waiter_stopped(sw_waiter *w);

/* Ends the current or next sleep; every later sleep returns true at once. */
void sw_waiter_stop(sw_waiter *w);

/* Ends the current or next sleep, which returns false. */
void sw_waiter_wake(sw_waiter *w);

#endif
