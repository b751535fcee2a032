/* training_nightly.c - the nightly training reset (training_nightly.h).
 * One thread, asleep nearly all the time: it waits on a condition
 * variable (monotonic clock) in steps of at most a minute and looks at
 * the wall clock after each, so a clock set forward or back, or a machine
 * suspended overnight, moves the reset with it rather than by the time
 * slept; a stop signals the condition variable and is seen at once. The
 * reset is training_env_reset, the code of `stagewise training reset`,
 * practice by practice; the log says what it did, never which patients. */
#include "server/training_nightly.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "auth/users.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/waiter.h"
#include "training/env_reset.h"

#define DAY_MS  86400000LL
#define STEP_MS 60000LL        /* the longest sleep between clock checks */
#define MAX_PRACTICES 256

struct server_nightly {
    sw_store       *prod, *training;
    int             minute;
    uint64_t        seed;
    pthread_t       thread;
    sw_waiter       waiter;
};

int server_nightly_parse(const char *hhmm, int *minute)
{
    if (hhmm == NULL || strlen(hhmm) != 5 || hhmm[2] != ':')
        return SW_EINVAL;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (hhmm[i] < '0' || hhmm[i] > '9'))
            return SW_EINVAL;
    int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
    int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
    if (h > 23 || m > 59)
        return SW_EINVAL;
    *minute = h * 60 + m;
    return SW_OK;
}

int64_t server_nightly_next_ms(int64_t now_ms, int minute)
{
    /* Floor division: correct before 1970 too. */
    int64_t day = now_ms >= 0 ? now_ms / DAY_MS : -((-now_ms + DAY_MS - 1) / DAY_MS);
    int64_t at = day * DAY_MS + (int64_t)minute * 60000;
    return at > now_ms ? at : at + DAY_MS;
}

struct practices {
    int64_t ids[MAX_PRACTICES];
    int     n;
};

static int practices_fn(store_tx *tx, void *arg)
{
    struct practices *p = arg;
    return auth_practice_ids(tx, p->ids, MAX_PRACTICES, &p->n);
}

static void reset_all(server_nightly *n)
{
    struct practices p = { .n = 0 };
    sw_err err;
    if (store_read(n->prod, practices_fn, &p, &err) != SW_OK) {
        sw_warn("nightly training reset: the practices could not be read: %s",
                sw_err_text(&err));
        return;
    }
    for (int i = 0; i < p.n; i++) {
        training_env_report r = { 0 };
        int64_t t0 = sw_now_mono_us();
        if (training_env_reset(n->prod, n->training, p.ids[i], n->seed, &r, &err) != SW_OK)
            sw_warn("nightly training reset of practice %" PRId64 " failed: %s",
                    p.ids[i], sw_err_text(&err));
        else
            sw_info("nightly training reset of practice %" PRId64 ": %d tables emptied, "
                    "%d accounts mirrored, %d master patients written (seed %" PRIu64
                    ") in %.1f s", p.ids[i], r.tables, r.accounts, TRAINING_MASTER_PATIENTS,
                    n->seed, (double)(sw_now_mono_us() - t0) / 1e6);
    }
}

static void *worker(void *arg)
{
    server_nightly *n = arg;
    int64_t next = server_nightly_next_ms(sw_now_wall_ms(), n->minute);
    for (;;) {
        int64_t now = sw_now_wall_ms();
        if (now >= next) {
            reset_all(n);
            next = server_nightly_next_ms(sw_now_wall_ms(), n->minute);
            continue;
        }
        /* A clock set back by more than a day: start counting again. */
        if (next - now > DAY_MS)
            next = server_nightly_next_ms(now, n->minute);
        int64_t wait = next - now < STEP_MS ? next - now : STEP_MS;
        if (sw_waiter_sleep(&n->waiter, wait))
            break;
    }
    return NULL;
}

int server_nightly_start(sw_store *prod, sw_store *training, int minute, uint64_t seed,
                         server_nightly **out, sw_err *err)
{
    *out = NULL;
    server_nightly *n = sw_calloc(1, sizeof *n);
    if (n == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    *n = (server_nightly){ .prod = prod, .training = training, .minute = minute,
                           .seed = seed };
    sw_waiter_init(&n->waiter);
    if (pthread_create(&n->thread, NULL, worker, n) != 0) {
        sw_waiter_destroy(&n->waiter);
        sw_free(n);
        return sw_err_set(err, SW_EINTERNAL, "could not start the nightly training "
                          "reset's thread");
    }
    sw_info("the training environment is reset every day at %02d:%02d UTC",
            minute / 60, minute % 60);
    *out = n;
    return SW_OK;
}

void server_nightly_stop(server_nightly *n)
{
    if (n == NULL)
        return;
    sw_waiter_stop(&n->waiter);
    pthread_join(n->thread, NULL);
    sw_waiter_destroy(&n->waiter);
    sw_free(n);
}
