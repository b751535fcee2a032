/* adoption_worker.c - the background roller and daily evaluation
 * (adoption_worker.h). One thread, asleep between rounds on a condition
 * variable (monotonic clock), so a stop is seen at once. A round lists
 * the practices and catches up each one's roll-ups with
 * adoption_rollup_catch_up, the same code every report runs first; a
 * catch-up of a long trail (the first start after an upgrade) goes batch
 * by batch, each its own short transaction, so requests keep being
 * served meanwhile. Then, for a practice whose local day (wall clock,
 * sw_now_wall_ms, so a simulated clock drives it too) differs from the
 * day it was last evaluated, it runs adoption_evaluate as of that day:
 * after the catch-up, so the evaluation sees every audited use. */
#include "server/adoption_worker.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>

#include "adoption/findings.h"
#include "adoption/rollup.h"
#include "auth/users.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/waiter.h"

#define MAX_PRACTICES 256

struct adoption_worker {
    sw_store       *store;
    const struct training_courses *courses;
    /* The local day each practice was last evaluated: practice ids and
     * days, nevaluated of them. Only the thread uses them. */
    int64_t         evaluated_id[MAX_PRACTICES], evaluated_day[MAX_PRACTICES];
    int             nevaluated;
    pthread_t       thread;
    sw_waiter       waiter;
};

struct practices {
    int64_t ids[MAX_PRACTICES];
    int     n;
};

static int practices_fn(store_tx *tx, void *arg)
{
    struct practices *p = arg;
    return auth_practice_ids(tx, p->ids, MAX_PRACTICES, &p->n);
}

static void catch_up_all(adoption_worker *w)
{
    struct practices p = { .n = 0 };
    sw_err err;
    if (store_read(w->store, practices_fn, &p, &err) != SW_OK) {
        sw_warn("adoption roll-ups: the practices could not be read: %s",
                sw_err_text(&err));
        return;
    }
    for (int i = 0; i < p.n; i++) {
        int64_t rolled = 0, t0 = sw_now_mono_us();
        if (adoption_rollup_catch_up(w->store, p.ids[i], &rolled, &err) != SW_OK)
            sw_warn("adoption roll-ups of practice %" PRId64 " failed: %s",
                    p.ids[i], sw_err_text(&err));
        else if (rolled > 0)
            sw_debug("adoption roll-ups of practice %" PRId64 ": %" PRId64
                     " audit entries rolled up in %.1f ms", p.ids[i], rolled,
                     (double)(sw_now_mono_us() - t0) / 1000.0);
    }
}

struct practice_day {
    int64_t practice_id, day;
};

static int today_fn(store_tx *tx, void *arg)
{
    struct practice_day *p = arg;
    return adoption_today(tx, p->practice_id, -1, &p->day);
}

/* The daily evaluation of practice_id, when its local day has changed
 * since the last one (or none ran yet). */
static void evaluate_if_due(adoption_worker *w, int64_t practice_id)
{
    int slot = 0;
    while (slot < w->nevaluated && w->evaluated_id[slot] != practice_id)
        slot++;
    if (slot == w->nevaluated) {
        if (w->nevaluated == MAX_PRACTICES)
            return;        /* practices_fn lists no more than that */
        w->evaluated_id[slot] = practice_id;
        w->evaluated_day[slot] = -1;
        w->nevaluated++;
    }
    struct practice_day today = { practice_id, -1 };
    sw_err err;
    if (store_read(w->store, today_fn, &today, &err) != SW_OK) {
        sw_warn("adoption evaluation of practice %" PRId64 ": the settings "
                "could not be read: %s", practice_id, sw_err_text(&err));
        return;
    }
    if (w->evaluated_day[slot] == today.day)
        return;
    /* Recorded before running: a failing evaluation is tried again the
     * next day, not every round. */
    w->evaluated_day[slot] = today.day;
    adoption_eval_counts counts = { 0, 0, 0 };
    int64_t t0 = sw_now_mono_us();
    char day[11];
    adoption_day_text(today.day, day);
    if (adoption_evaluate(w->store, practice_id, today.day, w->courses,
                          &counts, &err) != SW_OK)
        sw_warn("adoption evaluation of practice %" PRId64 " as of %s "
                "failed: %s", practice_id, day, sw_err_text(&err));
    else
        sw_info("adoption evaluation of practice %" PRId64 " as of %s: %d "
                "findings opened, %d cleared, %d re-measured (%.1f ms)",
                practice_id, day, counts.opened, counts.cleared,
                counts.remeasured,
                (double)(sw_now_mono_us() - t0) / 1000.0);
}

static void evaluate_all(adoption_worker *w)
{
    struct practices p = { .n = 0 };
    sw_err err;
    if (store_read(w->store, practices_fn, &p, &err) != SW_OK)
        return;       /* catch_up_all has just said why */
    for (int i = 0; i < p.n; i++)
        evaluate_if_due(w, p.ids[i]);
}

static void *worker(void *arg)
{
    adoption_worker *w = arg;
    do {
        catch_up_all(w);
        evaluate_all(w);
    } while (!sw_waiter_sleep(&w->waiter, ADOPTION_WORKER_PERIOD_MS));
    return NULL;
}

int adoption_worker_start(sw_store *store,
                          const struct training_courses *courses,
                          adoption_worker **out, sw_err *err)
{
    *out = NULL;
    adoption_worker *w = sw_calloc(1, sizeof *w);
    if (w == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    w->store = store;
    w->courses = courses;
    sw_waiter_init(&w->waiter);
    if (pthread_create(&w->thread, NULL, worker, w) != 0) {
        sw_waiter_destroy(&w->waiter);
        sw_free(w);
        return sw_err_set(err, SW_EINTERNAL, "could not start the adoption "
                          "thread");
    }
    *out = w;
    return SW_OK;
}

void adoption_worker_stop(adoption_worker *w)
{
    if (w == NULL)
        return;
    sw_waiter_stop(&w->waiter);
    pthread_join(w->thread, NULL);
    sw_waiter_destroy(&w->waiter);
    sw_free(w);
}
