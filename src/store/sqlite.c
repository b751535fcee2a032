/* sqlite.c - the SQLite store backend: one writer, parallel readers, group
 * commit.
 *
 * SQLite allows one writer at a time, and with synchronous=FULL every commit
 * costs an fsync (a few hundred microseconds to milliseconds). So all writes
 * go to one writer thread that owns the only read-write connection. It takes
 * every job queued since its last commit, runs them in one transaction, each
 * inside its own SAVEPOINT so a failing job undoes only itself, and commits
 * once: sixteen concurrent writers pay for one fsync instead of sixteen.
 * Nobody waits on purpose; the batch is whatever queued up during the last
 * fsync, so a lone writer sees no added latency.
 *
 * Reads run on a pool of read-only connections (WAL gives each a snapshot
 * while the writer works), opened on first use so an idle server stays
 * small. Callers block in store_write until their batch is durable.
 *
 * Checkpoints (copying the WAL back into the database file) run on a third
 * kind of thread with its own connection, woken by the writer's WAL hook
 * when SW_STORE_CHECKPOINT_PAGES have accumulated. They are PASSIVE: they
 * never wait for readers or block the writer, so the writer's only work is
 * committing; a page changed many times between checkpoints is copied back
 * once. Closing the writer's connection does the final full checkpoint. */
#include "sqlite_conn.h"

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"

#define DEFAULT_READERS 16

struct job {
    store_fn    fn;
    void       *ctx;
    sw_err     *err;
    int         rc;
    bool        done;
    struct job *next;
};

typedef struct sqlite_store {
    sw_store        base;
    char            path[SW_STORE_MAX_URL_BYTES];

    sqlite_conn     writer;
    pthread_t       writer_thread;
    bool            writer_started;
    pthread_mutex_t qlock;
    pthread_cond_t  qwake;      /* jobs queued, or stopping */
    pthread_cond_t  qdone;      /* a batch finished */
    struct job     *qhead, *qtail;
    bool            stopping;

    pthread_t       cp_thread;
    bool            cp_started;
    sqlite3        *cp_db;          /* the checkpointer's connection */
    pthread_cond_t  cp_wake;        /* under qlock */
    bool            cp_due;

    pthread_mutex_t rlock;
    pthread_cond_t  rfree;
    sqlite_conn    *readers;
    int            *free_readers; /* stack of indices */
    int             nfree;
    int             nreaders;
    int             read_budget_ms;  /* 0: none */
} sqlite_store;

/* ---- Opening: clear answers about the path before SQLite tries ----------- */

static int check_path(const char *path, bool create, sw_err *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return sw_err_set(err, SW_EUSAGE,
                              "%s is a directory; give the path of a database "
                              "file, for example sqlite:%s/stagewise.db",
                              path, path);
        if (access(path, R_OK | W_OK) != 0)
            return sw_err_set(err, SW_EIO, "cannot read and write %s: %s",
                              path, strerror(errno));
    } else if (errno != ENOENT) {
        return sw_err_set(err, SW_EIO, "cannot use %s: %s", path, strerror(errno));
    } else if (!create) {
        return sw_err_set(err, SW_ENOTFOUND,
                          "there is no database at %s; run stagewise init "
                          "--db sqlite:%s first", path, path);
    }
    /* The directory must be writable too: WAL keeps -wal and -shm files
     * beside the database. */
    char copy[SW_STORE_MAX_URL_BYTES];
    snprintf(copy, sizeof copy, "%s", path);
    const char *dir = dirname(copy);
    if (stat(dir, &sb) != 0)
        return sw_err_set(err, SW_EIO, "the directory %s does not exist; "
                          "create it or choose another database path", dir);
    if (!S_ISDIR(sb.st_mode))
        return sw_err_set(err, SW_EIO, "%s is not a directory", dir);
    if (access(dir, W_OK | X_OK) != 0)
        return sw_err_set(err, SW_EIO, "cannot write to the directory %s (%s); "
                          "the database needs to create files beside it",
                          dir, strerror(errno));
    return SW_OK;
}

/* ---- The writer ---------------------------------------------------------- */

/* Fails every job in batch that has not failed on its own. */
static void fail_batch(struct job **batch, int n, int rc, const sw_err *why)
{
    for (int i = 0; i < n; i++) {
        if (batch[i]->rc != SW_OK)
            continue;
        batch[i]->rc = rc;
        if (batch[i]->err != NULL)
            *batch[i]->err = *why;
    }
}

static void run_batch(sqlite_store *s, struct job **batch, int n)
{
    sqlite_conn *c = &s->writer;
    bool grouped = n > 1;
    sw_err_clear(&c->tx.err);
    int rc = sqlite_conn_exec(c, "BEGIN IMMEDIATE");
    if (rc != SW_OK) {
        for (int i = 0; i < n; i++)
            batch[i]->rc = SW_OK;
        fail_batch(batch, n, rc, &c->tx.err);
        return;
    }
    for (int i = 0; i < n; i++) {
        struct job *j = batch[i];
        if (grouped && (rc = sqlite_conn_exec(c, "SAVEPOINT sw_job")) != SW_OK) {
            j->rc = rc;
            store_tx_report(&c->tx, rc, j->err);
            continue;
        }
        sw_err_clear(&c->tx.err);
        j->rc = j->fn(&c->tx, j->ctx);
        sqlite_conn_release_all(c);
        if (j->rc != SW_OK)
            store_tx_report(&c->tx, j->rc, j->err);
        if (sqlite3_get_autocommit(c->db)) {
            /* SQLite rolled the whole transaction back (disk full, I/O
             * error): the jobs before this one are lost with it. */
            sw_err why;
            sw_err_set(&why, SW_EIO, "the database rolled back the "
                       "transaction: %s", sqlite3_errmsg(c->db));
            if (j->rc == SW_OK) {
                j->rc = SW_EIO;
                if (j->err)
                    *j->err = why;
            }
            fail_batch(batch, i, SW_EIO, &why);
            fail_batch(batch + i + 1, n - i - 1, SW_EIO, &why);
            return;
        }
        if (grouped) {
            if (j->rc != SW_OK)
                sqlite_conn_exec(c, "ROLLBACK TO sw_job");
            sqlite_conn_exec(c, "RELEASE sw_job");
        }
    }
    if (!grouped && batch[0]->rc != SW_OK) {
        sqlite_conn_exec(c, "ROLLBACK");
        return;
    }
    int64_t t0 = sw_now_mono_us();
    rc = sqlite_conn_exec(c, "COMMIT");
    if (rc != SW_OK) {
        sw_err why = c->tx.err;
        sqlite_conn_exec(c, "ROLLBACK");
        fail_batch(batch, n, rc, &why);
        return;
    }
    sw_metrics_store_commit("sqlite", (double)(sw_now_mono_us() - t0) / 1e6, n);
}

static void *writer_main(void *arg)
{
    sqlite_store *s = arg;
    struct job *batch[SW_STORE_MAX_GROUP];
    pthread_mutex_lock(&s->qlock);
    for (;;) {
        while (s->qhead == NULL && !s->stopping)
            pthread_cond_wait(&s->qwake, &s->qlock);
        if (s->qhead == NULL)
            break;                      /* stopping, and the queue is drained */
        int n = 0;
        while (s->qhead != NULL && n < SW_STORE_MAX_GROUP) {
            batch[n++] = s->qhead;
            s->qhead = s->qhead->next;
        }
        if (s->qhead == NULL)
            s->qtail = NULL;
        pthread_mutex_unlock(&s->qlock);

        for (int i = 0; i < n; i++)
            batch[i]->rc = SW_OK;
        run_batch(s, batch, n);

        pthread_mutex_lock(&s->qlock);
        for (int i = 0; i < n; i++)
            batch[i]->done = true;
        pthread_cond_broadcast(&s->qdone);
    }
    pthread_mutex_unlock(&s->qlock);
    return NULL;
}

static int sqlite_write(sw_store *base, store_fn fn, void *ctx, sw_err *err)
{
    sqlite_store *s = (sqlite_store *)base;
    struct job j = { .fn = fn, .ctx = ctx, .err = err };
    pthread_mutex_lock(&s->qlock);
    if (s->stopping) {
        pthread_mutex_unlock(&s->qlock);
        return sw_err_set(err, SW_ESHUTDOWN, NULL);
    }
    if (s->qtail)
        s->qtail->next = &j;
    else
        s->qhead = &j;
    s->qtail = &j;
    pthread_cond_signal(&s->qwake);
    while (!j.done)
        pthread_cond_wait(&s->qdone, &s->qlock);
    pthread_mutex_unlock(&s->qlock);
    return j.rc;
}

/* ---- Checkpoints --------------------------------------------------------- */

/* Called by SQLite on the writer's thread after each commit with the WAL's
 * size in pages. */
static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
    sqlite_store *s = arg;
    (void)db;
    (void)name;
    if (pages >= SW_STORE_CHECKPOINT_PAGES) {
        pthread_mutex_lock(&s->qlock);
        s->cp_due = true;
        pthread_cond_signal(&s->cp_wake);
        pthread_mutex_unlock(&s->qlock);
    }
    return SQLITE_OK;
}

static void *checkpointer_main(void *arg)
{
    sqlite_store *s = arg;
    pthread_mutex_lock(&s->qlock);
    for (;;) {
        while (!s->cp_due && !s->stopping)
            pthread_cond_wait(&s->cp_wake, &s->qlock);
        if (s->stopping)
            break;
        s->cp_due = false;
        pthread_mutex_unlock(&s->qlock);
        int logged = 0, done = 0;
        int rc = sqlite3_wal_checkpoint_v2(s->cp_db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                           &logged, &done);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            sw_warn("sqlite: checkpoint of %s failed: %s", s->path,
                    sqlite3_errmsg(s->cp_db));

        pthread_mutex_lock(&s->qlock);
    }
    pthread_mutex_unlock(&s->qlock);
    return NULL;
}

/* ---- Readers ------------------------------------------------------------- */

static int acquire_reader(sqlite_store *s, sqlite_conn **out, sw_err *err)
{
    pthread_mutex_lock(&s->rlock);
    while (s->nfree == 0)
        pthread_cond_wait(&s->rfree, &s->rlock);
    int idx = s->free_readers[--s->nfree];
    pthread_mutex_unlock(&s->rlock);
    sqlite_conn *c = &s->readers[idx];
    if (c->db == NULL) {
        int rc = sqlite_conn_open(c, s->path, false, false, err);
        if (rc != SW_OK) {
            pthread_mutex_lock(&s->rlock);
            s->free_readers[s->nfree++] = idx;
            pthread_cond_signal(&s->rfree);
            pthread_mutex_unlock(&s->rlock);
            return rc;
        }
    }
    *out = c;
    return SW_OK;
}

static void release_reader(sqlite_store *s, sqlite_conn *c)
{
    pthread_mutex_lock(&s->rlock);
    s->free_readers[s->nfree++] = (int)(c - s->readers);
    pthread_cond_signal(&s->rfree);
    pthread_mutex_unlock(&s->rlock);
}

static int sqlite_read(sw_store *base, store_fn fn, void *ctx, sw_err *err)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite_conn *c;
    int rc = acquire_reader(s, &c, err);
    if (rc != SW_OK)
        return rc;
    sw_err_clear(&c->tx.err);
    sqlite_conn_deadline(c, s->read_budget_ms);
    rc = sqlite_conn_exec(c, "BEGIN");
    if (rc == SW_OK) {
        rc = fn(&c->tx, ctx);
        sqlite_conn_release_all(c);
        /* A read transaction only ends the snapshot; it cannot lose data. */
        if (!sqlite3_get_autocommit(c->db))
            sqlite_conn_exec(c, "COMMIT");
    }
    sqlite_conn_deadline(c, 0);
    store_tx_report(&c->tx, rc, err);
    release_reader(s, c);
    return rc;
}

static int ping_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    int64_t one = 0;
    return store_query_int64(tx, &one, "SELECT 1", NULL);
}

static int sqlite_ping(sw_store *base, sw_err *err)
{
    return sqlite_read(base, ping_fn, NULL, err);
}

/* ---- Open and close ------------------------------------------------------ */

static void sqlite_close(sw_store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    if (s->writer_started || s->cp_started) {
        pthread_mutex_lock(&s->qlock);
        s->stopping = true;
        pthread_cond_broadcast(&s->qwake);
        pthread_cond_signal(&s->cp_wake);
        pthread_mutex_unlock(&s->qlock);
    }
    if (s->writer_started)
        pthread_join(s->writer_thread, NULL);
    if (s->cp_started)
        pthread_join(s->cp_thread, NULL);
    if (s->cp_db != NULL)
        sqlite3_close(s->cp_db);
    for (int i = 0; s->readers != NULL && i < s->nreaders; i++)
        sqlite_conn_close(&s->readers[i]);
    /* The last connection to close checkpoints the WAL into the database. */
    sqlite_conn_close(&s->writer);
    pthread_mutex_destroy(&s->qlock);
    pthread_cond_destroy(&s->qwake);
    pthread_cond_destroy(&s->qdone);
    pthread_cond_destroy(&s->cp_wake);
    pthread_mutex_destroy(&s->rlock);
    pthread_cond_destroy(&s->rfree);
    sw_free(s->readers);
    sw_free(s->free_readers);
    sw_free(s);
}

static int sqlite_open(const store_url *url, const store_options *opt,
                       sw_store **out, sw_err *err)
{
    int rc = check_path(url->path, opt->create, err);
    if (rc != SW_OK)
        return rc;
    sqlite_store *s = sw_calloc(1, sizeof *s);
    if (s == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    snprintf(s->path, sizeof s->path, "%s", url->path);
    pthread_mutex_init(&s->qlock, NULL);
    pthread_cond_init(&s->qwake, NULL);
    pthread_cond_init(&s->qdone, NULL);
    pthread_cond_init(&s->cp_wake, NULL);
    pthread_mutex_init(&s->rlock, NULL);
    pthread_cond_init(&s->rfree, NULL);

    s->nreaders = opt->connections > 0 ? opt->connections : DEFAULT_READERS;
    s->read_budget_ms = opt->read_budget_ms == 0 ? SW_STORE_READ_BUDGET_MS
                      : opt->read_budget_ms < 0 ? 0 : opt->read_budget_ms;
    s->readers = sw_calloc((size_t)s->nreaders, sizeof *s->readers);
    s->free_readers = sw_calloc((size_t)s->nreaders, sizeof *s->free_readers);
    if (s->readers == NULL || s->free_readers == NULL) {
        rc = sw_err_set(err, SW_ENOMEM, NULL);
        goto fail;
    }
    for (int i = 0; i < s->nreaders; i++)
        s->free_readers[s->nfree++] = s->nreaders - 1 - i;

    rc = sqlite_conn_open(&s->writer, s->path, true, opt->create, err);
    if (rc != SW_OK)
        goto fail;
    if (sqlite3_open_v2(s->path, &s->cp_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = sw_err_set(err, SW_EIO, "cannot open %s for checkpoints: %s",
                        s->path, sqlite3_errmsg(s->cp_db));
        goto fail;
    }
    sqlite3_busy_timeout(s->cp_db, SW_STORE_BUSY_TIMEOUT_MS);
    /* A connection learns that the database is in WAL mode only once it
     * has read it; until then sqlite3_wal_checkpoint_v2 does nothing and
     * reports success (with -1 frames), and the WAL would grow for as
     * long as the server runs. Reading the journal mode opens it. */
    char mode[16] = "";
    sqlite3_stmt *jm = NULL;
    if (sqlite3_prepare_v2(s->cp_db, "PRAGMA journal_mode", -1, &jm, NULL) == SQLITE_OK
        && sqlite3_step(jm) == SQLITE_ROW && sqlite3_column_text(jm, 0) != NULL)
        snprintf(mode, sizeof mode, "%s", (const char *)sqlite3_column_text(jm, 0));
    sqlite3_finalize(jm);
    if (strcmp(mode, "wal") != 0) {
        rc = sw_err_set(err, SW_EIO, "the checkpoint connection to %s does not "
                        "see WAL mode (journal mode '%s')", s->path, mode);
        goto fail;
    }
    if (pthread_create(&s->cp_thread, NULL, checkpointer_main, s) != 0) {
        rc = sw_err_set(err, SW_ENOMEM, "cannot start the checkpoint thread");
        goto fail;
    }
    s->cp_started = true;
    sqlite3_wal_hook(s->writer.db, on_wal_commit, s);
    if (pthread_create(&s->writer_thread, NULL, writer_main, s) != 0) {
        rc = sw_err_set(err, SW_ENOMEM, "cannot start the database writer thread");
        goto fail;
    }
    s->writer_started = true;
    *out = &s->base;
    return SW_OK;

fail:
    sqlite_close(&s->base);
    return rc;
}

const store_backend store_sqlite_backend = {
    .name        = "sqlite",
    .kind        = STORE_SQLITE,
    .open        = sqlite_open,
    .close       = sqlite_close,
    .ping        = sqlite_ping,
    .write       = sqlite_write,
    .read        = sqlite_read,
    .exec_script = sqlite_exec_script,
    .prepare     = sqlite_prepare,
    .bind_int64  = sqlite_bind_int64,
    .bind_double = sqlite_bind_double,
    .bind_text   = sqlite_bind_text,
    .bind_blob   = sqlite_bind_blob,
    .bind_null   = sqlite_bind_null,
    .step        = sqlite_step,
    .col_count   = sqlite_col_count,
    .col_null    = sqlite_col_null,
    .col_int64   = sqlite_col_int64,
    .col_double  = sqlite_col_double,
    .col_text    = sqlite_col_text,
    .col_blob    = sqlite_col_blob,
    .changes     = sqlite_changes,
    .finalize    = sqlite_finalize,
};
