/* waiter.c - the stoppable timed wait of a background thread (waiter.h). */
#include "core/waiter.h"

#include <time.h>

void sw_waiter_init(sw_waiter *w)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    w->stop = false;
    w->woken = false;
}

void sw_waiter_destroy(sw_waiter *w)
{
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
}

bool sw_waiter_sleep(sw_waiter *w, int64_t ms)
{
    pthread_mutex_lock(&w->mu);
    if (!w->stop && !w->woken) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        int64_t ns = until.tv_nsec + ms * 1000000;
        until.tv_sec += (time_t)(ns / 1000000000);
        until.tv_nsec = (long)(ns % 1000000000);
        /* Until signalled with a flag set or timed out (non-zero); a
         * spurious wake-up just waits again for the same deadline. */
        while (!w->stop && !w->woken
               && pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0) {
        }
    }
    w->woken = false;
    bool stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

bool sw_waiter_stopped(sw_waiter *w)
{
    pthread_mutex_lock(&w->mu);
    bool stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

void sw_waiter_stop(sw_waiter *w)
{
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void sw_waiter_wake(sw_waiter *w)
{
    pthread_mutex_lock(&w->mu);
    w->woken = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}
