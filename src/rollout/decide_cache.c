/* decide_cache.c - per-practice decision tables (see decide_cache.h).
 *
 * A table is built from the plan, the per-user overrides and the
 * super-user roster (table super_user, docs/training.md "Super-users"):
 * super-users have their module live before their cohort. The roster is
 * read here with its own query rather than through the training area,
 * which comes after rollout in the order of areas. Besides the plan
 * version, the once-a-second check reads a signature of the roster (its
 * size and the sum of its rows' times), so a roster changed by the
 * command line is enforced within a second too. */
#include "decide_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "rollout/overrides.h"
#include "rollout/plan_store.h"

typedef struct entry {
    int64_t        practice_id;     /* 0: free */
    rollout_table *table;
    int64_t        checked_ms;      /* monotonic, last version read */
    int64_t        hot_until_ms;    /* re-read on every request until then */
    int64_t        roster_sig;      /* the roster's signature at build */
    bool           rebuild;
} entry;

struct rollout_cache {
    pthread_mutex_t mu;
    entry           e[ROLLOUT_CACHE_PRACTICES];
};

rollout_cache *rollout_cache_create(void)
{
    rollout_cache *c = sw_calloc(1, sizeof *c);
    if (c && pthread_mutex_init(&c->mu, NULL) != 0) {
        sw_free(c);
        return NULL;
    }
    return c;
}

void rollout_cache_destroy(rollout_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < ROLLOUT_CACHE_PRACTICES; i++)
        rollout_table_free(c->e[i].table);
    pthread_mutex_destroy(&c->mu);
    sw_free(c);
}

static entry *find(rollout_cache *c, int64_t practice_id, bool make)
{
    entry *oldest = &c->e[0];
    for (size_t i = 0; i < ROLLOUT_CACHE_PRACTICES; i++) {
        if (c->e[i].practice_id == practice_id)
            return &c->e[i];
        if (c->e[i].checked_ms < oldest->checked_ms)
            oldest = &c->e[i];
    }
    if (!make)
        return NULL;
    rollout_table_free(oldest->table);
    memset(oldest, 0, sizeof *oldest);
    oldest->practice_id = practice_id;
    oldest->rebuild = true;
    return oldest;
}

void rollout_cache_bump(rollout_cache *c, int64_t practice_id)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, practice_id, false);
    if (e != NULL) {
        e->rebuild = true;
        e->hot_until_ms = sw_now_mono_ms() + ROLLOUT_CACHE_RECHECK_MS;
    }
    pthread_mutex_unlock(&c->mu);
}

struct version_ctx {
    int64_t practice_id, version, roster_sig;
};

/* A number that changes whenever a row is added to or removed from the
 * practice's super-user roster (rows are never updated in place). */
static int roster_sig_tx(store_tx *tx, int64_t practice_id, int64_t *sig)
{
    /* CAST: PostgreSQL sums BIGINTs as NUMERIC. */
    return store_query_int64(tx, sig, "SELECT CAST(COUNT(*) * 1000003 + "
                             "COALESCE(SUM(added_at % 1000000007 + user_id), 0) "
                             "AS BIGINT) FROM super_user WHERE practice_id = ?",
                             "i", practice_id);
}

static int version_fn(store_tx *tx, void *arg)
{
    struct version_ctx *v = arg;
    int rc = store_query_int64(tx, &v->version, "SELECT COALESCE(MAX(version), "
                               "0) FROM plan_version WHERE practice_id = ?", "i",
                               v->practice_id);
    return rc == SW_OK ? roster_sig_tx(tx, v->practice_id, &v->roster_sig) : rc;
}

/* The roster, grouped by module, into the arena. */
struct roster_ctx {
    sw_arena            *a;
    int64_t              practice_id;
    rollout_super_users *mods;
    size_t               nmods;
};

static int roster_fn(store_tx *tx, void *arg)
{
    struct roster_ctx *c = arg;
    int64_t total = 0;
    int rc = store_query_int64(tx, &total, "SELECT COUNT(*) FROM super_user "
                               "WHERE practice_id = ?", "i", c->practice_id);
    if (rc != SW_OK || total == 0)
        return rc;
    const char **names = sw_arena_calloc(c->a, (size_t)total, sizeof *names);
    c->mods = sw_arena_calloc(c->a, (size_t)total, sizeof *c->mods);
    if (names == NULL || c->mods == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    store_stmt *st;
    rc = store_prepare(tx, "SELECT s.module, u.username FROM super_user s "
                       "JOIN app_user u ON u.practice_id = s.practice_id AND "
                       "u.user_id = s.user_id WHERE s.practice_id = ? AND "
                       "u.disabled = 0 ORDER BY s.module, u.username LIMIT ?",
                       &st);
    if (rc != SW_OK)
        return rc;
    if ((rc = store_bind_int64(st, 1, c->practice_id)) == SW_OK)
        rc = store_bind_int64(st, 2, total);
    size_t k = 0;
    bool row = true;
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row
           && k < (size_t)total) {
        const char *module = store_col_text(st, 0, NULL);
        names[k] = sw_arena_strdup(c->a, store_col_text(st, 1, NULL));
        if (names[k] == NULL) {
            rc = SW_ENOMEM;
            break;
        }
        rollout_super_users *m = c->nmods ? &c->mods[c->nmods - 1] : NULL;
        if (m == NULL || strcmp(m->module, module) != 0) {
            m = &c->mods[c->nmods++];
            m->module = sw_arena_strdup(c->a, module);
            m->usernames = &names[k];
            m->n = 0;
            if (m->module == NULL) {
                rc = SW_ENOMEM;
                break;
            }
        }
        m->n++;
        k++;
    }
    store_finalize(st);
    return rc;
}

/* Reads the current plan and the overrides and builds the table. */
static int build(sw_store *s, int64_t practice_id, rollout_table **out,
                 sw_err *err)
{
    *out = NULL;
    plan_record rec;
    int rc = plan_store_load(s, practice_id, 0, &rec, err);
    if (rc != SW_OK)
        return rc;
    sw_plan *plan = NULL;
    if (rec.version > 0) {
        plan_issues issues;
        memset(&issues, 0, sizeof issues);
        rc = plan_from_text(rec.body, strlen(rec.body), &plan, &issues);
        if (rc != SW_OK) {
            plan_record_free(&rec);
            return sw_err_set(err, SW_EINTERNAL, "the stored plan version "
                              "does not check; fix it with stagewise plan set");
        }
    }
    sw_arena *a = sw_arena_create(1024 * 1024);
    override_row *rows = NULL;
    size_t n = 0;
    rc = a ? override_list(s, a, practice_id, &rows, &n, err) : SW_ENOMEM;
    rollout_override *ov = rc == SW_OK && n ? sw_arena_calloc(a, n, sizeof *ov)
                                            : NULL;
    if (rc == SW_OK && n && ov == NULL)
        rc = SW_ENOMEM;
    if (rc == SW_OK) {
        for (size_t i = 0; i < n; i++) {
            ov[i].user_id = rows[i].user_id;
            ov[i].module = rows[i].module;
        }
        struct roster_ctx roster = { .a = a, .practice_id = practice_id };
        rc = store_read(s, roster_fn, &roster, err);
        rollout_inputs in = { .overrides = ov, .noverrides = n,
                              .super_users = roster.mods,
                              .nsuper_users = roster.nmods };
        if (rc == SW_OK)
            *out = rollout_table_build(plan, rec.version, &in);
        if (rc == SW_OK && *out == NULL)
            rc = SW_ENOMEM;
    }
    sw_arena_destroy(a);
    plan_free(plan);
    plan_record_free(&rec);
    return rc;
}

static const char *keep(sw_arena *a, const char *s)
{
    return s ? sw_arena_strdup(a, s) : NULL;
}

int rollout_cache_decide(rollout_cache *c, sw_store *s, sw_arena *a,
                         int64_t practice_id, const rollout_user *u,
                         const char *const *modules, size_t n,
                         rollout_answer *out, sw_err *err)
{
    int rc = SW_OK;
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, practice_id, true);
    int64_t now = sw_now_mono_ms();
    bool reread = e->table == NULL || e->rebuild || now < e->hot_until_ms
        || now - e->checked_ms >= ROLLOUT_CACHE_RECHECK_MS;
    if (reread) {
        struct version_ctx v = { practice_id, 0, 0 };
        rc = store_read(s, version_fn, &v, err);
        if (rc == SW_OK && (e->table == NULL || e->rebuild
                            || v.version != rollout_table_version(e->table)
                            || v.roster_sig != e->roster_sig)) {
            rollout_table *t;
            rc = build(s, practice_id, &t, err);
            if (rc == SW_OK) {
                rollout_table_free(e->table);
                e->table = t;
                e->rebuild = false;
                e->roster_sig = v.roster_sig;
            }
        }
        if (rc == SW_OK)
            e->checked_ms = now;
    }
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        rollout_decide(e->table, modules[i], u, &out[i]);
        out[i].stage_id = keep(a, out[i].stage_id);
        out[i].stage_name = keep(a, out[i].stage_name);
        out[i].live_from = keep(a, out[i].live_from);
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int64_t rollout_cache_version(rollout_cache *c, int64_t practice_id)
{
    pthread_mutex_lock(&c->mu);
    entry *e = find(c, practice_id, false);
    int64_t v = e && e->table ? rollout_table_version(e->table) : -1;
    pthread_mutex_unlock(&c->mu);
    return v;
}
