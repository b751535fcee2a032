/* test_concurrency.c - many threads on one store, on each backend:
 * concurrent writes are all kept and counted (SQLite's group commit path),
 * read-modify-write increments of one counter lose nothing (writers are
 * serializable; PostgreSQL retries, so fn may run more than once), a reader
 * always sees a consistent snapshot while writers work, a pool of one
 * connection serves many threads, and concurrent migrations apply each step
 * once. fn may run on another thread, so fns check with ST_* and tests
 * assert on the result. */
#include "store_test.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testdb.h"

#define THREADS 16

typedef void *(*worker_fn)(void *);

/* Runs n copies of fn(arg) and fails the test if any returns non-NULL. */
static void run_threads(int n, worker_fn fn, void *arg)
{
    pthread_t th[64];
    for (int i = 0; i < n; i++)
        assert_int_equal(pthread_create(&th[i], NULL, fn, arg), 0);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += r != NULL;
    }
    assert_int_equal(bad, 0);
}

/* ---- Many writers -------------------------------------------------------- */

#define WRITES 50

struct writers {
    sw_store   *s;
    atomic_int  next_thread;
    atomic_int  ok;
};

struct row_id { int64_t thread, seq; };

static int insert_row_fn(store_tx *tx, void *ctx)
{
    const struct row_id *r = ctx;
    return store_exec(tx, NULL, "INSERT INTO entry (thread, seq) VALUES (?, ?)",
                      "ii", r->thread, r->seq);
}

static void *writer(void *arg)
{
    struct writers *w = arg;
    int64_t t = atomic_fetch_add(&w->next_thread, 1);
    for (int64_t i = 0; i < WRITES; i++) {
        struct row_id r = { t, i };
        sw_err err = { 0 };
        int rc = store_write(w->s, insert_row_fn, &r, &err);
        if (rc != SW_OK) {
            fprintf(stderr, "write %lld/%lld: %s\n", (long long)t,
                    (long long)i, err.msg);
            return (void *)1;
        }
        atomic_fetch_add(&w->ok, 1);
    }
    return NULL;
}

static void test_many_writers(void **state)
{
    (void)state;
    char *url;
    sw_store *s = st_open_fresh(&url, THREADS);
    st_script(s, "CREATE TABLE entry (thread BIGINT NOT NULL, "
                 "seq BIGINT NOT NULL, PRIMARY KEY (thread, seq))");
    struct writers w = { .s = s };
    run_threads(THREADS, writer, &w);
    assert_int_equal(atomic_load(&w.ok), THREADS * WRITES);
    store_close(s);

    /* A new handle sees every acknowledged write, each exactly once. */
    s = st_open(url, 0);
    assert_int_equal(st_int(s, "SELECT count(*) FROM entry"), THREADS * WRITES);
    assert_int_equal(st_int(s, "SELECT count(DISTINCT thread) FROM entry"), THREADS);
    assert_int_equal(st_int(s, "SELECT max(seq) FROM entry"), WRITES - 1);
    store_close(s);
    free(url);
}

/* ---- Serializable read-modify-write -------------------------------------- */

#define INCREMENTS 50

struct counter {
    sw_store   *s;
    atomic_long runs;       /* fn runs, retries included */
};

static int increment_fn(store_tx *tx, void *ctx)
{
    struct counter *c = ctx;
    atomic_fetch_add(&c->runs, 1);
    int64_t v = 0;
    ST_TRY(tx, store_query_int64(tx, &v, "SELECT v FROM counter WHERE id = 1",
                                 NULL));
    return store_exec(tx, NULL, "UPDATE counter SET v = ? WHERE id = 1", "i",
                      v + 1);
}

static void *incrementer(void *arg)
{
    struct counter *c = arg;
    for (int i = 0; i < INCREMENTS; i++) {
        sw_err err = { 0 };
        int rc = store_write(c->s, increment_fn, c, &err);
        if (rc != SW_OK) {
            fprintf(stderr, "increment: %s\n", err.msg);
            return (void *)1;
        }
    }
    return NULL;
}

static void test_conflicting_increments(void **state)
{
    (void)state;
    sw_store *s = st_open_fresh(NULL, THREADS);
    st_script(s, "CREATE TABLE counter (id BIGINT NOT NULL PRIMARY KEY, "
                 "v BIGINT NOT NULL); INSERT INTO counter VALUES (1, 0)");
    struct counter c = { .s = s };
    run_threads(THREADS, incrementer, &c);
    assert_int_equal(st_int(s, "SELECT v FROM counter WHERE id = 1"),
                     THREADS * INCREMENTS);
    long runs = atomic_load(&c.runs);
    if (st_is_pg())
        assert_true(runs >= THREADS * INCREMENTS);
    else
        assert_int_equal(runs, THREADS * INCREMENTS);   /* one writer, no retries */
    fprintf(stderr, "%d increments took %ld runs of fn\n",
            THREADS * INCREMENTS, runs);
    store_close(s);
}

/* A fn that read the counter before another writer committed a change to
 * it must not overwrite that change: PostgreSQL runs it again (exactly
 * once more), SQLite never lets the other writer in between. */
struct interleave {
    sw_store       *s;
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    bool            a_read, b_done;
    int             a_runs;
};

static int slow_increment_fn(store_tx *tx, void *ctx)
{
    struct interleave *x = ctx;
    int64_t v = 0;
    ST_TRY(tx, store_query_int64(tx, &v, "SELECT v FROM counter WHERE id = 1",
                                 NULL));
    pthread_mutex_lock(&x->mu);
    if (x->a_runs++ == 0) {
        x->a_read = true;
        pthread_cond_broadcast(&x->cv);
        /* On SQLite the other write queues behind this one, so give up
         * waiting after a while. */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        while (!x->b_done
               && pthread_cond_timedwait(&x->cv, &x->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&x->mu);
    return store_exec(tx, NULL, "UPDATE counter SET v = ? WHERE id = 1", "i",
                      v + 1);
}

static int add_ten_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    return store_exec(tx, NULL, "UPDATE counter SET v = v + 10 WHERE id = 1",
                      NULL);
}

static void *slow_writer(void *arg)
{
    struct interleave *x = arg;
    sw_err err = { 0 };
    int rc = store_write(x->s, slow_increment_fn, x, &err);
    if (rc != SW_OK)
        fprintf(stderr, "slow increment: %s\n", err.msg);
    return rc == SW_OK ? NULL : (void *)1;
}

static void test_retry_after_conflict(void **state)
{
    (void)state;
    sw_store *s = st_open_fresh(NULL, 4);
    st_script(s, "CREATE TABLE counter (id BIGINT NOT NULL PRIMARY KEY, "
                 "v BIGINT NOT NULL); INSERT INTO counter VALUES (1, 0)");
    struct interleave x = { .s = s };
    pthread_mutex_init(&x.mu, NULL);
    pthread_cond_init(&x.cv, NULL);
    pthread_t a;
    assert_int_equal(pthread_create(&a, NULL, slow_writer, &x), 0);
    pthread_mutex_lock(&x.mu);
    while (!x.a_read)
        pthread_cond_wait(&x.cv, &x.mu);
    pthread_mutex_unlock(&x.mu);

    sw_err err = { 0 };
    st_assert_rc(store_write(s, add_ten_fn, NULL, &err), SW_OK, &err);
    pthread_mutex_lock(&x.mu);
    x.b_done = true;
    pthread_cond_broadcast(&x.cv);
    pthread_mutex_unlock(&x.mu);
    void *r;
    pthread_join(a, &r);
    assert_null(r);

    assert_int_equal(st_int(s, "SELECT v FROM counter WHERE id = 1"), 11);
    assert_int_equal(x.a_runs, st_is_pg() ? 2 : 1);
    pthread_mutex_destroy(&x.mu);
    pthread_cond_destroy(&x.cv);
    store_close(s);
}

/* ---- Snapshots ----------------------------------------------------------- */

#define ACCOUNTS_TOTAL 1000

struct bank {
    sw_store   *s;
    atomic_int  writers_left;
    atomic_long reads;
    atomic_int  seed;       /* varies the amounts between writers */
};

static int transfer_fn(store_tx *tx, void *ctx)
{
    int64_t amount = *(const int64_t *)ctx;
    ST_TRY(tx, store_exec(tx, NULL, "UPDATE account SET balance = balance - ? "
                          "WHERE id = 1", "i", amount));
    return store_exec(tx, NULL, "UPDATE account SET balance = balance + ? "
                      "WHERE id = 2", "i", amount);
}

/* Two separate statements: only a snapshot makes them agree. */
static int sum_fn(store_tx *tx, void *ctx)
{
    int64_t *sum = ctx, a = 0, b = 0;
    ST_TRY(tx, store_query_int64(tx, &a, "SELECT balance FROM account "
                                 "WHERE id = 1", NULL));
    ST_TRY(tx, store_query_int64(tx, &b, "SELECT balance FROM account "
                                 "WHERE id = 2", NULL));
    *sum = a + b;
    return SW_OK;
}

static void *bank_writer(void *arg)
{
    struct bank *b = arg;
    int seed = atomic_fetch_add(&b->seed, 1);
    void *bad = NULL;
    for (int i = 0; i < 40 && bad == NULL; i++) {
        int64_t amount = (seed * 7 + i * 13) % 50 - 20;
        sw_err err = { 0 };
        if (store_write(b->s, transfer_fn, &amount, &err) != SW_OK) {
            fprintf(stderr, "transfer: %s\n", err.msg);
            bad = (void *)1;
        }
    }
    atomic_fetch_sub(&b->writers_left, 1);
    return bad;
}

static void *bank_reader(void *arg)
{
    struct bank *b = arg;
    while (atomic_load(&b->writers_left) > 0) {
        int64_t sum = 0;
        sw_err err = { 0 };
        if (store_read(b->s, sum_fn, &sum, &err) != SW_OK) {
            fprintf(stderr, "sum: %s\n", err.msg);
            return (void *)1;
        }
        if (sum != ACCOUNTS_TOTAL) {
            fprintf(stderr, "a reader saw a total of %lld\n", (long long)sum);
            return (void *)1;
        }
        atomic_fetch_add(&b->reads, 1);
    }
    return NULL;
}

static void test_readers_see_snapshots(void **state)
{
    (void)state;
    sw_store *s = st_open_fresh(NULL, 8);
    st_script(s, "CREATE TABLE account (id BIGINT NOT NULL PRIMARY KEY, "
                 "balance BIGINT NOT NULL); "
                 "INSERT INTO account VALUES (1, 600), (2, 400)");
    struct bank b = { .s = s, .writers_left = 4 };
    pthread_t w[4], r[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&r[i], NULL, bank_reader, &b), 0);
        assert_int_equal(pthread_create(&w[i], NULL, bank_writer, &b), 0);
    }
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        void *res;
        pthread_join(w[i], &res);
        bad += res != NULL;
        pthread_join(r[i], &res);
        bad += res != NULL;
    }
    assert_int_equal(bad, 0);
    assert_true(atomic_load(&b.reads) > 0);
    assert_int_equal(st_int(s, "SELECT sum(balance) FROM account"),
                     ACCOUNTS_TOTAL);
    store_close(s);
}

/* ---- A pool of one ------------------------------------------------------- */

static void test_pool_of_one(void **state)
{
    (void)state;
    sw_store *s = st_open_fresh(NULL, 1);
    st_script(s, "CREATE TABLE entry (thread BIGINT NOT NULL, "
                 "seq BIGINT NOT NULL, PRIMARY KEY (thread, seq))");
    struct writers w = { .s = s };
    run_threads(8, writer, &w);
    assert_int_equal(st_int(s, "SELECT count(*) FROM entry"), 8 * WRITES);
    store_close(s);
}

/* ---- Concurrent migrations ----------------------------------------------- */

struct migrators {
    const char *url;
    atomic_int  applied;    /* steps reported as applied, over all threads */
};

static void *migrator(void *arg)
{
    struct migrators *m = arg;
    store_options opt = { .create = true, .connections = 2 };
    sw_store *s = NULL;
    sw_err err = { 0 };
    int rc = store_open(m->url, &opt, &s, &err);
    int from = 0, to = 0;
    if (rc == SW_OK)
        rc = store_migrate(s, &from, &to, &err);
    if (rc == SW_OK)
        atomic_fetch_add(&m->applied, to - from);
    store_close(s);
    if (rc != SW_OK)
        fprintf(stderr, "migrate: %s\n", err.msg);
    return rc == SW_OK ? NULL : (void *)1;
}

/* Like several `stagewise init` processes at once: each its own store. */
static void test_concurrent_migrations(void **state)
{
    (void)state;
    char *url;
    sw_store *s = st_open_fresh(&url, 0);
    struct migrators m = { .url = url };
    run_threads(4, migrator, &m);
    int latest = store_schema_latest();
    assert_int_equal(st_int(s, "SELECT count(*) FROM schema_migrations"), latest);
    assert_true(atomic_load(&m.applied) >= latest);
    sw_err err = { 0 };
    st_assert_rc(store_schema_check(s, &err), SW_OK, &err);
    store_close(s);
    free(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_writers),
        cmocka_unit_test(test_conflicting_increments),
        cmocka_unit_test(test_retry_after_conflict),
        cmocka_unit_test(test_readers_see_snapshots),
        cmocka_unit_test(test_pool_of_one),
        cmocka_unit_test(test_concurrent_migrations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
