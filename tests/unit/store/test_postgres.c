/* test_postgres.c - what only the PostgreSQL backend (src/store/postgres.c,
 * postgres_conn.c) does, checked from the server's side: pool connections
 * are opened lazily; server-side prepared statements stay within the
 * cache; serialization failures and deadlocks are retried, a bounded
 * number of times, even when fn swallows the error; concurrent DDL of the
 * same object is retried; a connection killed by the server is reset and
 * the work run again when nothing was committed, but never when the loss
 * came during COMMIT. Registered for the PostgreSQL store only (run by hand
 * against SQLite, every case skips). */
#include "store_test.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/limits.h"

/* Every case starts here: they only mean something on PostgreSQL. */
#define PG_ONLY() do { if (!st_is_pg()) skip(); } while (0)

/* Runs sql on a connection of its own to the test server. */
static void admin_exec(const char *sql)
{
    char *url = sw_test_pg_admin_url();
    PGconn *c = PQconnectdb(url);
    free(url);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("admin connection: %s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

/* ---- Lazy pool ----------------------------------------------------------- */

static int64_t client_backends(sw_store *s)
{
    return st_int(s, "SELECT count(*) FROM pg_stat_activity "
                     "WHERE datname = current_database() "
                     "AND backend_type = 'client backend'");
}

struct lazy {
    sw_store         *s;
    pthread_barrier_t all_in;
};

/* Holds a connection until all readers hold one: four at once. */
static int hold_fn(store_tx *tx, void *ctx)
{
    (void)tx;
    pthread_barrier_wait(&((struct lazy *)ctx)->all_in);
    return SW_OK;
}

static void *holder(void *arg)
{
    struct lazy *l = arg;
    sw_err err = { 0 };
    return store_read(l->s, hold_fn, l, &err) == SW_OK ? NULL : (void *)1;
}

static void test_lazy_connections(void **state)
{
    (void)state;
    PG_ONLY();
    struct lazy l = { .s = st_open_fresh(NULL, 8) };
    assert_int_equal(client_backends(l.s), 1);
    pthread_barrier_init(&l.all_in, NULL, 4);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, holder, &l), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        assert_null(r);
    }
    pthread_barrier_destroy(&l.all_in);
    assert_int_equal(client_backends(l.s), 4);
    store_close(l.s);
}

/* ---- Statement cache on the server --------------------------------------- */

static int server_statements_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    int64_t v = 0, n = 0;
    for (int k = 0; k < 3 * SW_STORE_STMT_CACHE; k++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT ? + %d", k);
        ST_TRY(tx, store_query_int64(tx, &v, sql, "i", (int64_t)1));
        ST_EQ(tx, v, k + 1);
    }
    ST_TRY(tx, store_query_int64(tx, &n, "SELECT count(*) FROM "
                                 "pg_prepared_statements", NULL));
    ST_EQ(tx, n, SW_STORE_STMT_CACHE);
    for (int i = 0; i < 100; i++)
        ST_TRY(tx, store_query_int64(tx, &v, "SELECT ? + 0", "i", (int64_t)i));
    ST_TRY(tx, store_query_int64(tx, &n, "SELECT count(*) FROM "
                                 "pg_prepared_statements", NULL));
    ST_EQ(tx, n, SW_STORE_STMT_CACHE);
    ST_TRY(tx, store_query_int64(tx, &n, "SELECT count(*) FROM "
                                 "pg_prepared_statements "
                                 "WHERE statement = 'SELECT $1 + 0'", NULL));
    ST_EQ(tx, n, 1);
    return SW_OK;
}

static void test_server_statements_bounded(void **state)
{
    (void)state;
    PG_ONLY();
    sw_store *s = st_open_fresh(NULL, 1);
    sw_err err = { 0 };
    st_assert_rc(store_write(s, server_statements_fn, NULL, &err), SW_OK, &err);
    store_close(s);
}

/* ---- Retries ------------------------------------------------------------- */

struct forced {
    atomic_int runs;
};

/* Fails with a serialization failure every time, and then reports a code
 * of its own, as a fn that maps errors might. */
static int always_conflicts_fn(store_tx *tx, void *ctx)
{
    struct forced *f = ctx;
    atomic_fetch_add(&f->runs, 1);
    int rc = store_exec_script(tx, "DO $$ BEGIN RAISE EXCEPTION 'forced "
                               "conflict' USING ERRCODE = "
                               "'serialization_failure'; END $$");
    ST_EQ(tx, rc, SW_EBUSY);
    return SW_ENOTFOUND;
}

static void test_retries_are_bounded(void **state)
{
    (void)state;
    PG_ONLY();
    sw_store *s = st_open_fresh(NULL, 2);
    struct forced f = { 0 };
    sw_err err = { 0 };
    st_assert_rc(store_write(s, always_conflicts_fn, &f, &err), SW_EBUSY, &err);
    assert_int_equal(atomic_load(&f.runs), 1 + SW_STORE_PG_RETRIES);
    const char *words[] = { "postgresql: forced conflict", NULL };
    st_assert_words(err.msg, words);
    store_close(s);
}

/* Two writers lock two rows in opposite orders: PostgreSQL picks one as
 * the deadlock victim, which is run again and succeeds. */
struct crossed {
    sw_store         *s;
    pthread_barrier_t both_locked;
    atomic_int        runs;
    atomic_int        first_runs;
};

static int crossed_fn(store_tx *tx, void *ctx, int64_t first, int64_t second,
                      bool *waited)
{
    struct crossed *x = ctx;
    atomic_fetch_add(&x->runs, 1);
    ST_TRY(tx, store_exec(tx, NULL, "UPDATE pair SET v = v + 1 WHERE id = ?",
                          "i", first));
    if (!*waited) {
        *waited = true;
        pthread_barrier_wait(&x->both_locked);
    }
    return store_exec(tx, NULL, "UPDATE pair SET v = v + 1 WHERE id = ?",
                      "i", second);
}

static int crossed_a(store_tx *tx, void *ctx)
{
    static bool waited;
    return crossed_fn(tx, ctx, 1, 2, &waited);
}

static int crossed_b(store_tx *tx, void *ctx)
{
    static bool waited;
    return crossed_fn(tx, ctx, 2, 1, &waited);
}

static void *crossed_thread(void *arg)
{
    struct crossed *x = arg;
    bool a = atomic_fetch_add(&x->first_runs, 1) == 0;
    sw_err err = { 0 };
    int rc = store_write(x->s, a ? crossed_a : crossed_b, x, &err);
    if (rc != SW_OK)
        fprintf(stderr, "crossed: %s\n", err.msg);
    return rc == SW_OK ? NULL : (void *)1;
}

static void test_deadlock_retried(void **state)
{
    (void)state;
    PG_ONLY();
    struct crossed x = { .s = st_open_fresh(NULL, 2) };
    st_script(x.s, "CREATE TABLE pair (id BIGINT PRIMARY KEY, v BIGINT NOT NULL);"
                   "INSERT INTO pair VALUES (1, 0), (2, 0)");
    pthread_barrier_init(&x.both_locked, NULL, 2);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, crossed_thread, &x), 0);
    for (int i = 0; i < 2; i++) {
        void *r;
        pthread_join(th[i], &r);
        assert_null(r);
    }
    pthread_barrier_destroy(&x.both_locked);
    /* Two first runs and at least one more for the victim (its retry may
     * itself meet the winner's uncommitted update and go round again). */
    assert_true(atomic_load(&x.runs) >= 3);
    assert_int_equal(st_int(x.s, "SELECT sum(v) FROM pair"), 4);
    store_close(x.s);
}

/* ---- Lost connections ---------------------------------------------------- */

static int64_t backend_pid(sw_store *s)
{
    return st_int(s, "SELECT pg_backend_pid()");
}

static int insert_fn(store_tx *tx, void *ctx)
{
    return store_exec(tx, NULL, "INSERT INTO t (id) VALUES (?)", "i",
                      *(const int64_t *)ctx);
}

/* The server ends an idle pooled connection (a restart, an admin): the
 * next write notices at BEGIN, reconnects and succeeds. */
static void test_idle_connection_killed(void **state)
{
    (void)state;
    PG_ONLY();
    sw_store *s = st_open_fresh(NULL, 1);
    st_script(s, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    int64_t pid = backend_pid(s);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld, 5000)",
             (long long)pid);
    admin_exec(sql);

    int64_t id = 1;
    sw_err err = { 0 };
    st_assert_rc(store_write(s, insert_fn, &id, &err), SW_OK, &err);
    assert_int_not_equal(backend_pid(s), pid);
    assert_int_equal(st_int(s, "SELECT count(*) FROM t"), 1);
    store_close(s);
}

struct suicide {
    atomic_int runs;
};

static int suicide_fn(store_tx *tx, void *ctx)
{
    struct suicide *x = ctx;
    atomic_fetch_add(&x->runs, 1);
    ST_TRY(tx, store_exec(tx, NULL, "INSERT INTO t (id) VALUES (7)", NULL));
    return store_exec(tx, NULL, "SELECT pg_terminate_backend(pg_backend_pid())",
                      NULL);
}

/* Lost while fn runs: nothing was committed, so fn runs once more on a
 * fresh connection; when that is lost too the caller hears SW_ESTORE. */
static void test_connection_lost_in_fn(void **state)
{
    (void)state;
    PG_ONLY();
    sw_store *s = st_open_fresh(NULL, 1);
    st_script(s, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    struct suicide x = { 0 };
    sw_err err = { 0 };
    st_assert_rc(store_write(s, suicide_fn, &x, &err), SW_ESTORE, &err);
    assert_int_equal(atomic_load(&x.runs), 2);
    const char *words[] = { "lost the connection to PostgreSQL at",
                            store_display(s), NULL };
    st_assert_words(err.msg, words);

    /* The connection was reset before being handed out again. */
    int64_t id = 8;
    st_assert_rc(store_write(s, insert_fn, &id, &err), SW_OK, &err);
    assert_int_equal(st_int(s, "SELECT count(*) FROM t"), 1);
    store_close(s);
}

static int doomed_fn(store_tx *tx, void *ctx)
{
    struct suicide *x = ctx;
    atomic_fetch_add(&x->runs, 1);
    return store_exec(tx, NULL, "INSERT INTO doomed (id) VALUES (1)", NULL);
}

/* Lost during COMMIT: the write may have been saved, so it is not run
 * again behind the caller's back. A deferred trigger ends the session
 * while COMMIT runs. */
static void test_connection_lost_in_commit(void **state)
{
    (void)state;
    PG_ONLY();
    sw_store *s = st_open_fresh(NULL, 1);
    st_script(s,
        "CREATE TABLE doomed (id BIGINT PRIMARY KEY);\n"
        "CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END\n"
        "$$;\n"
        "CREATE CONSTRAINT TRIGGER die_at_commit AFTER INSERT ON doomed\n"
        "  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION die();\n"
        "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    struct suicide x = { 0 };
    sw_err err = { 0 };
    st_assert_rc(store_write(s, doomed_fn, &x, &err), SW_ESTORE, &err);
    assert_int_equal(atomic_load(&x.runs), 1);
    const char *words[] = { "while committing", "may or may not", NULL };
    st_assert_words(err.msg, words);

    int64_t id = 1;
    st_assert_rc(store_write(s, insert_fn, &id, &err), SW_OK, &err);
    assert_int_equal(st_int(s, "SELECT count(*) FROM t"), 1);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lazy_connections),
        cmocka_unit_test(test_server_statements_bounded),
        cmocka_unit_test(test_retries_are_bounded),
        cmocka_unit_test(test_deadlock_retried),
        cmocka_unit_test(test_idle_connection_killed),
        cmocka_unit_test(test_connection_lost_in_fn),
        cmocka_unit_test(test_connection_lost_in_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
