/* gate_benchmarks.c - the benchmarks gate's data (see
 * gate_benchmarks.h). One read transaction: the previous stage's cohort
 * from the accounts (gate_cohort_has, shared with the training gates) and
 * each member's adoption_level rows for that stage's modules. Workload: a
 * few calls per go-live or gate screen. */
#include "rollout/gate_benchmarks.h"

#include <stdio.h>
#include <string.h>

#include "auth/users.h"
#include "core/arena.h"
#include "rollout/gate_training.h"

struct level_ctx {
    int64_t           practice_id;
    const plan_stage *prev;
    const auth_user  *users;
    size_t            n;
    size_t            cohort, measured, adopted;
};

/* Whether user_id has adopted every module of the stage (*adopted), and
 * whether any of its modules has a level recorded for them (*any). */
static int user_levels(store_tx *tx, struct level_ctx *c, int64_t user_id,
                       bool *adopted, bool *any)
{
    *adopted = true;
    *any = false;
    for (size_t m = 0; m < c->prev->nmodules; m++) {
        int64_t rows = 0, good = 0;
        int rc = store_query_int64(tx, &rows, "SELECT COUNT(*) FROM "
                                   "adoption_level WHERE practice_id = ? AND "
                                   "user_id = ? AND module = ?", "iit",
                                   c->practice_id, user_id,
                                   c->prev->modules[m]);
        if (rc == SW_OK)
            rc = store_query_int64(tx, &good, "SELECT COUNT(*) FROM "
                                   "adoption_level WHERE practice_id = ? AND "
                                   "user_id = ? AND module = ? AND level IN "
                                   "('adopted', 'proficient')", "iit",
                                   c->practice_id, user_id,
                                   c->prev->modules[m]);
        if (rc != SW_OK)
            return rc;
        *any = *any || rows > 0;
        *adopted = *adopted && good > 0;
    }
    return SW_OK;
}

static int levels_fn(store_tx *tx, void *arg)
{
    struct level_ctx *c = arg;
    c->cohort = c->measured = c->adopted = 0;
    for (size_t i = 0; i < c->n; i++) {
        const auth_user *u = &c->users[i];
        if (u->disabled || (u->kind && strcmp(u->kind, AUTH_KIND_PERSON) != 0)
            || !gate_cohort_has(&c->prev->cohort, u))
            continue;
        c->cohort++;
        bool adopted, any;
        int rc = user_levels(tx, c, u->user_id, &adopted, &any);
        if (rc != SW_OK)
            return rc;
        c->measured += any;
        c->adopted += adopted;
    }
    return SW_OK;
}

static void no_data(gate_data *out, const char *why)
{
    out->state = GATE_NO_DATA;
    out->percent = -1;
    snprintf(out->detail, sizeof out->detail, "No data yet: %s.", why);
}

int gate_benchmarks_data(sw_store *store, int64_t practice_id,
                         const sw_plan *p, const plan_stage *s,
                         const plan_gate *g, gate_data *out, sw_err *err)
{
    const plan_stage *prev = NULL;
    for (size_t i = 1; p && i < p->nstages; i++)
        if (&p->stages[i] == s || strcmp(p->stages[i].id, s->id) == 0)
            prev = &p->stages[i - 1];
    if (prev == NULL) {
        no_data(out, "the benchmarks gate measures the stage before this "
                     "one, and there is none");
        return SW_OK;
    }
    sw_arena *a = sw_arena_create(4 << 20);
    if (a == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    auth_user *users;
    size_t n;
    int rc = auth_user_list(store, a, practice_id, &users, &n, err);
    struct level_ctx c = { practice_id, prev, users, n, 0, 0, 0 };
    if (rc == SW_OK)
        rc = store_read(store, levels_fn, &c, err);
    sw_arena_destroy(a);
    if (rc != SW_OK)
        return rc;
    if (c.cohort == 0 || c.measured == 0) {
        char why[160];
        snprintf(why, sizeof why, c.cohort == 0
                 ? "the cohort of stage '%.60s' has nobody in it"
                 : "no adoption levels are recorded for the cohort of stage "
                   "'%.60s'", prev->name);
        no_data(out, why);
        return SW_OK;
    }
    out->percent = (int)(c.adopted * 100 / c.cohort);
    out->state = out->percent >= g->percent ? GATE_PASSED : GATE_FAILED;
    snprintf(out->detail, sizeof out->detail, "%zu of %zu people in the "
             "cohort of stage '%.40s' (%d%%, %d%% needed) have adopted every "
             "module of it.", c.adopted, c.cohort, prev->name, out->percent,
             g->percent);
    return SW_OK;
}
