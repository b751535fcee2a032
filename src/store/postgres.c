/* postgres.c - the PostgreSQL store backend: a pool of connections,
 * serializable writers that are retried, and snapshot readers.
 *
 * PostgreSQL runs many writers at once and fsyncs commits in groups itself,
 * so, unlike SQLite, every store_write runs on the caller's thread with its
 * own connection from the pool. Writes run at SERIALIZABLE, which is what
 * store.h promises ("a fn that reads, decides and writes sees no interleaved
 * commit"); the price is that a transaction can fail with a serialization
 * failure or deadlock, at any statement or at COMMIT, and must be run again.
 * That is done here, up to SW_STORE_PG_RETRIES times with a short random
 * pause. Under heavy contention on one row (a counter) plain retries can
 * lose to each other again and again, so after two failures a write takes
 * the process-wide writer lock exclusively and runs alone: it can then only
 * conflict with other processes.
 *
 * The pool holds up to store_options.connections connections. Only the
 * first is opened by store_open, to prove the server is there; the rest are
 * opened when concurrency first needs them. A connection that was lost is
 * reset before it is used again. The exact rules for a lost connection
 * (docs/store.md "Lost connections"): a read is run once more on a
 * reconnected connection; a write whose connection was lost before COMMIT
 * was sent is run once more too (nothing was saved); one lost during COMMIT
 * is not, because it may have been saved: it fails with SW_ESTORE (503)
 * and a sentence saying so, and the client retries idempotently. */
#include "postgres_conn.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"

/* Serialization failures after which a write runs alone in this process. */
#define ALONE_AFTER 2
/* Times an operation is run again on a reset connection. */
#define RECONNECTS  1
/* Connection attempts after a loss, with pauses of 50, 100, 200 and 400 ms
 * between them: a primary restarted with `pg_ctl restart -m fast` is back
 * within that, and a request never waits much longer than 0.75 s (plus the
 * connect timeout) on a server that stays down. */
#define RECONNECT_TRIES    5
#define RECONNECT_PAUSE_US 50000u

typedef struct pg_store {
    sw_store         base;
    char             conninfo[SW_STORE_MAX_URL_BYTES];
    char             display[SW_STORE_MAX_URL_BYTES];

    pthread_mutex_t  lock;
    pthread_cond_t   freed;
    pg_conn         *conns;
    int             *free_conns;  /* stack of indices, recently used on top */
    int              nfree;
    int              nconns;

    /* Shared by every write attempt, exclusive for one that runs alone. */
    pthread_rwlock_t writers;
    int              read_budget_ms;   /* 0: none */
    _Atomic uint64_t rng;
} pg_store;

/* ---- The pool ------------------------------------------------------------ */

static int acquire(pg_store *s, pg_conn **out, sw_err *err)
{
    pthread_mutex_lock(&s->lock);
    while (s->nfree == 0)
        pthread_cond_wait(&s->freed, &s->lock);
    int idx = s->free_conns[--s->nfree];
    pthread_mutex_unlock(&s->lock);
    pg_conn *c = &s->conns[idx];
    if (c->pg == NULL || c->broken) {
        int rc = pg_conn_connect(c, err);
        if (rc != SW_OK) {
            pthread_mutex_lock(&s->lock);
            s->free_conns[s->nfree++] = idx;
            pthread_cond_signal(&s->freed);
            pthread_mutex_unlock(&s->lock);
            return rc;
        }
    }
    *out = c;
    return SW_OK;
}

static void release(pg_store *s, pg_conn *c)
{
    pthread_mutex_lock(&s->lock);
    s->free_conns[s->nfree++] = (int)(c - s->conns);
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->lock);
}

/* Sleeps a random time below 2^attempt ms (at most 32 ms), so that writers
 * that just failed together do not collide again. */
static void backoff(pg_store *s, int attempt)
{
    uint64_t x = atomic_fetch_add(&s->rng, 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;          /* splitmix64 */
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    unsigned cap_us = 1000u << (attempt < 5 ? attempt : 5);
    usleep((useconds_t)(x % cap_us));
}

/* Reopens a lost connection, pausing between failed attempts; err gets
 * the last attempt's reason (SW_ESTORE: the request answers 503). */
static int reconnect(pg_conn *c, sw_err *err)
{
    int rc = SW_OK;
    for (int i = 0; i < RECONNECT_TRIES; i++) {
        if (i > 0)
            usleep(RECONNECT_PAUSE_US << (i - 1));
        rc = pg_conn_connect(c, err);
        if (rc == SW_OK || rc == SW_ENOMEM || rc == SW_ENOTFOUND)
            break;
    }
    return rc;
}

/* ---- Transactions -------------------------------------------------------- */

typedef enum again {
    AGAIN_NO,
    AGAIN_SERIAL,       /* serialization failure or deadlock: run fn again */
    AGAIN_RECONNECT,    /* lost before anything was committed */
} again;

/* One attempt: BEGIN, fn, COMMIT. The error to report is left on the tx. */
static int attempt(pg_conn *c, bool writing, int budget_ms, store_fn fn,
                   void *ctx, again *next)
{
    *next = AGAIN_NO;
    pg_conn_tx_start(c);
    int rc = pg_conn_exec(c, writing
                          ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                          : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (rc == SW_OK && !writing && budget_ms > 0) {
        /* The read budget: the server cancels a statement that runs longer
         * (57014, reported as SW_ECOSTLY). LOCAL ends with the transaction. */
        char sql[64];
        snprintf(sql, sizeof sql, "SET LOCAL statement_timeout = %d", budget_ms);
        rc = pg_conn_exec(c, sql);
    }
    if (rc != SW_OK) {
        if (c->broken)
            *next = AGAIN_RECONNECT;
        return rc;
    }
    rc = fn(&c->tx, ctx);
    pg_conn_release_all(c);
    if (c->broken) {
        /* Whatever fn returned, its statements were lost with the
         * connection and nothing was committed. */
        if (c->abort_err.code != SW_ESTORE)
            sw_err_set(&c->abort_err, SW_ESTORE, "lost the connection to "
                       "PostgreSQL at %s", c->display);
        c->tx.err = c->abort_err;
        *next = AGAIN_RECONNECT;
        return c->tx.err.code;
    }
    if (c->serial_fail) {
        /* The transaction is doomed even if fn swallowed the failure. */
        pg_conn_exec_quiet(c, "ROLLBACK");
        c->tx.err = c->abort_err;
        *next = AGAIN_SERIAL;
        return c->tx.err.code;
    }
    if (rc != SW_OK) {
        pg_conn_exec_quiet(c, "ROLLBACK");
        return rc;
    }
    if (PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
        /* fn ignored a failed statement; PostgreSQL has already discarded
         * the whole transaction, so success cannot be reported. */
        pg_conn_exec_quiet(c, "ROLLBACK");
        if (c->abort_err.code == SW_OK)
            sw_err_set(&c->abort_err, SW_EIO, "postgresql: the transaction "
                       "failed");
        c->tx.err = c->abort_err;
        return c->tx.err.code;
    }
    int64_t t0 = sw_now_mono_us();
    rc = pg_conn_commit(c);
    if (rc == SW_OK) {
        if (writing)
            sw_metrics_store_commit("postgresql",
                                    (double)(sw_now_mono_us() - t0) / 1e6, 1);
        return SW_OK;
    }
    if (c->broken) {
        if (!writing) {
            *next = AGAIN_RECONNECT;
            return rc;
        }
        return store_tx_set_err(&c->tx, SW_ESTORE, "lost the connection to "
                                "PostgreSQL at %s while committing; the write "
                                "may or may not have been saved", c->display);
    }
    if (c->serial_fail)
        *next = AGAIN_SERIAL;
    return rc;
}

/* With a replica (store_replica.c): raises the store's written_lsn to the
 * server's WAL position now that this write committed (its commit record
 * is below it). One more round trip per write, only when a replica is
 * configured; a failure just leaves the mark where it was. */
static void note_written_lsn(pg_store *s, pg_conn *c)
{
    PGresult *r = PQexec(c->pg, "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)"
                                "::bigint");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
        && !PQgetisnull(r, 0, 0)) {
        uint64_t lsn = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
        uint64_t old = atomic_load(&s->base.written_lsn);
        while (old < lsn
               && !atomic_compare_exchange_weak(&s->base.written_lsn, &old, lsn))
            ;
    }
    PQclear(r);
}

static int run(pg_store *s, bool writing, store_fn fn, void *ctx, sw_err *err)
{
    pg_conn *c;
    int rc = acquire(s, &c, err);
    if (rc != SW_OK)
        return rc;
    int serial = 0, reconnects = 0;
    for (;;) {
        bool alone = writing && serial >= ALONE_AFTER;
        if (writing) {
            if (alone)
                pthread_rwlock_wrlock(&s->writers);
            else
                pthread_rwlock_rdlock(&s->writers);
        }
        again next;
        rc = attempt(c, writing, s->read_budget_ms, fn, ctx, &next);
        if (writing)
            pthread_rwlock_unlock(&s->writers);
        if (next == AGAIN_SERIAL && serial < SW_STORE_PG_RETRIES) {
            serial++;
            backoff(s, serial);
            continue;
        }
        if (next == AGAIN_RECONNECT && reconnects < RECONNECTS) {
            reconnects++;
            sw_warn("postgresql: lost a connection to %s; reconnecting",
                    s->display);
            rc = reconnect(c, err);
            if (rc != SW_OK)
                goto out;
            continue;
        }
        break;
    }
    if (writing && rc == SW_OK && s->base.replica != NULL)
        note_written_lsn(s, c);
    store_tx_report(&c->tx, rc, err);
out:
    release(s, c);
    return rc;
}

static int pg_write(sw_store *base, store_fn fn, void *ctx, sw_err *err)
{
    return run((pg_store *)base, true, fn, ctx, err);
}

static int pg_read(sw_store *base, store_fn fn, void *ctx, sw_err *err)
{
    return run((pg_store *)base, false, fn, ctx, err);
}

static int ping_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    int64_t one = 0;
    return store_query_int64(tx, &one, "SELECT 1", NULL);
}

static int pg_ping(sw_store *base, sw_err *err)
{
    return pg_read(base, ping_fn, NULL, err);
}

/* ---- Open and close ------------------------------------------------------ */

static void pg_close(sw_store *base)
{
    pg_store *s = (pg_store *)base;
    for (int i = 0; s->conns != NULL && i < s->nconns; i++)
        pg_conn_close(&s->conns[i]);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->freed);
    pthread_rwlock_destroy(&s->writers);
    sw_free(s->conns);
    sw_free(s->free_conns);
    sw_free(s);
}

static int pg_open(const store_url *url, const store_options *opt,
                   sw_store **out, sw_err *err)
{
    int rc = pg_conninfo_check(url->conninfo, url->display, err);
    if (rc != SW_OK)
        return rc;
    pg_store *s = sw_calloc(1, sizeof *s);
    if (s == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    snprintf(s->conninfo, sizeof s->conninfo, "%s", url->conninfo);
    snprintf(s->display, sizeof s->display, "%s", url->display);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->freed, NULL);
    /* Writers waiting to run alone must not starve behind a stream of
     * shared holders. */
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&s->writers, &attr);
    pthread_rwlockattr_destroy(&attr);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    atomic_store(&s->rng, (uint64_t)now.tv_nsec ^ ((uint64_t)getpid() << 32));

    s->nconns = opt->connections > 0 ? opt->connections : SW_STORE_DEFAULT_PG_POOL;
    s->read_budget_ms = opt->read_budget_ms == 0 ? SW_STORE_READ_BUDGET_MS
                      : opt->read_budget_ms < 0 ? 0 : opt->read_budget_ms;
    if (s->nconns > SW_STORE_MAX_PG_POOL)
        s->nconns = SW_STORE_MAX_PG_POOL;
    s->conns = sw_calloc((size_t)s->nconns, sizeof *s->conns);
    s->free_conns = sw_calloc((size_t)s->nconns, sizeof *s->free_conns);
    if (s->conns == NULL || s->free_conns == NULL) {
        rc = sw_err_set(err, SW_ENOMEM, NULL);
        goto fail;
    }
    for (int i = 0; i < s->nconns; i++) {
        pg_conn_init(&s->conns[i], s->conninfo, s->display);
        s->free_conns[s->nfree++] = s->nconns - 1 - i;
    }
    rc = pg_conn_connect(&s->conns[0], err);
    if (rc != SW_OK)
        goto fail;
    *out = &s->base;
    return SW_OK;

fail:
    pg_close(&s->base);
    return rc;
}

const store_backend store_postgres_backend = {
    .name        = "postgresql",
    .kind        = STORE_POSTGRES,
    .open        = pg_open,
    .close       = pg_close,
    .ping        = pg_ping,
    .write       = pg_write,
    .read        = pg_read,
    .exec_script = pg_exec_script,
    .prepare     = pg_prepare,
    .bind_int64  = pg_bind_int64,
    .bind_double = pg_bind_double,
    .bind_text   = pg_bind_text,
    .bind_blob   = pg_bind_blob,
    .bind_null   = pg_bind_null,
    .step        = pg_step,
    .col_count   = pg_col_count,
    .col_null    = pg_col_null,
    .col_int64   = pg_col_int64,
    .col_double  = pg_col_double,
    .col_text    = pg_col_text,
    .col_blob    = pg_col_blob,
    .changes     = pg_changes,
    .finalize    = pg_finalize,
};
