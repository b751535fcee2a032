/* store_bench.c - durable insert rate of our store against raw SQLite.
 *
 * Run by bench/run.sh as `store_bench DIR SECONDS`. Every measurement gets a
 * fresh database in DIR, WAL with synchronous=FULL, and inserts 2 KB rows
 * for SECONDS, then prints one line "NAME ROWS SECONDS ROWS_PER_S":
 *
 *   raw_1      raw SQLite, one row per transaction (the fsync-bound floor)
 *   raw_1000   raw SQLite, 1,000 rows per transaction (the storage ceiling)
 *   ours_1     store_write, one row each, from 1 thread
 *   ours_16    store_write, one row each, from 16 threads at once (what
 *              group commit exists for)
 *
 * The raw side uses the same libsqlite3 our store links, in the same
 * process, on the same disk, so the ratio isolates what our store adds or
 * saves: the writer thread, the queue hand-off, savepoints and, with many
 * writers, the shared fsync. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "store/store.h"

#define ROW_BYTES   2048
#define BATCH_ROWS  1000
#define MAX_WRITERS 16

#define CREATE_SQL                                                          \
    "CREATE TABLE IF NOT EXISTS bench_rows(practice_id BIGINT NOT NULL, "   \
    "id BIGINT NOT NULL, body BLOB NOT NULL, PRIMARY KEY(practice_id, id))"
#define INSERT_SQL \
    "INSERT INTO bench_rows(practice_id, id, body) VALUES (1, ?, ?)"

static uint8_t body[ROW_BYTES];
static const char *dir;
static double seconds;

static void report(const char *name, int64_t rows, int64_t us)
{
    double s = (double)us / 1e6;
    printf("%s %lld %.3f %.1f\n", name, (long long)rows, s, (double)rows / s);
    fflush(stdout);
}

/* A path of its own per measurement: a database that already holds rows
 * (or a WAL to checkpoint) would make the later runs pay for the earlier. */
static void fresh_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s.db", dir, name);
    static const char *const suffixes[] = { "", "-wal", "-shm" };
    for (size_t i = 0; i < 3; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s%s", out, suffixes[i]);
        unlink(p);
    }
}

/* ---- Raw SQLite ---------------------------------------------------------- */

static void die_sqlite(sqlite3 *db, const char *what)
{
    fprintf(stderr, "store_bench: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void raw_exec(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die_sqlite(db, sql);
}

static void raw_run(const char *name, int rows_per_txn)
{
    char path[4096];
    fresh_path(path, sizeof path, name);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                        | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        die_sqlite(db, path);
    /* The same settings our store's writer connection uses, so the only
     * difference left is the store itself. */
    raw_exec(db, "PRAGMA journal_mode = WAL");
    raw_exec(db, "PRAGMA synchronous = FULL");
    raw_exec(db, CREATE_SQL);
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, INSERT_SQL, -1, &ins, NULL) != SQLITE_OK)
        die_sqlite(db, "prepare");

    int64_t id = 0;
    int64_t t0 = sw_now_mono_us();
    int64_t end = t0 + (int64_t)(seconds * 1e6);
    int64_t now = t0;
    while (now < end) {
        raw_exec(db, "BEGIN IMMEDIATE");
        for (int i = 0; i < rows_per_txn; i++) {
            sqlite3_bind_int64(ins, 1, ++id);
            sqlite3_bind_blob(ins, 2, body, ROW_BYTES, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE)
                die_sqlite(db, "insert");
            sqlite3_reset(ins);
        }
        raw_exec(db, "COMMIT");
        now = sw_now_mono_us();
    }
    report(name, id, now - t0);
    sqlite3_finalize(ins);
    sqlite3_close(db);
}

/* ---- Our store ----------------------------------------------------------- */

struct writers {
    sw_store       *store;
    _Atomic int64_t next_id;
    _Atomic int64_t rows;
    atomic_bool     stop;
};

static int create_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    return store_exec(tx, NULL, CREATE_SQL, NULL);
}

static int insert_fn(store_tx *tx, void *ctx)
{
    int64_t id = *(int64_t *)ctx;
    return store_exec(tx, NULL, INSERT_SQL, "ib", id, (const void *)body,
                      (size_t)ROW_BYTES);
}

static void *writer_main(void *arg)
{
    struct writers *w = arg;
    int64_t mine = 0;
    while (!atomic_load(&w->stop)) {
        int64_t id = atomic_fetch_add(&w->next_id, 1) + 1;
        sw_err err;
        if (store_write(w->store, insert_fn, &id, &err) != SW_OK) {
            fprintf(stderr, "store_bench: store_write: %s\n", sw_err_text(&err));
            exit(1);
        }
        mine++;
    }
    atomic_fetch_add(&w->rows, mine);
    return NULL;
}

static void ours_run(const char *name, int nwriters)
{
    char path[4096], url[4200];
    fresh_path(path, sizeof path, name);
    snprintf(url, sizeof url, "sqlite:%s", path);
    store_options opt = { .create = true, .connections = 1 };
    sw_err err;
    struct writers w = { .store = NULL };
    if (store_open(url, &opt, &w.store, &err) != SW_OK
        || store_write(w.store, create_fn, NULL, &err) != SW_OK) {
        fprintf(stderr, "store_bench: %s\n", sw_err_text(&err));
        exit(1);
    }

    pthread_t th[MAX_WRITERS];
    int64_t t0 = sw_now_mono_us();
    for (int i = 0; i < nwriters; i++)
        if (pthread_create(&th[i], NULL, writer_main, &w) != 0) {
            fprintf(stderr, "store_bench: cannot start writer threads\n");
            exit(1);
        }
    struct timespec ts = { .tv_sec = (time_t)seconds,
                           .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9) };
    while (nanosleep(&ts, &ts) != 0)
        ;
    atomic_store(&w.stop, true);
    for (int i = 0; i < nwriters; i++)
        pthread_join(th[i], NULL);
    /* Every counted row was acknowledged durable before the join. */
    report(name, atomic_load(&w.rows), sw_now_mono_us() - t0);
    store_close(w.store);
}

int main(int argc, char **argv)
{
    if (argc != 3 || (seconds = atof(argv[2])) <= 0) {
        fprintf(stderr, "usage: store_bench DIR SECONDS\n");
        return 2;
    }
    dir = argv[1];
    /* Bytes that do not repeat, in case a future SQLite or file system
     * compresses pages: the rows should cost what real documents cost. */
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof body; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        body[i] = (uint8_t)x;
    }
    raw_run("raw_1", 1);
    raw_run("raw_1000", BATCH_ROWS);
    ours_run("ours_1", 1);
    ours_run("ours_16", MAX_WRITERS);
    return 0;
}
