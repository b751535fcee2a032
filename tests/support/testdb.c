/* testdb.c - fresh test databases (see testdb.h). */
#include "testdb.h"

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

static _Atomic int counter;

const char *sw_test_store(void)
{
    const char *s = getenv("STAGEWISE_TEST_STORE");
    return s && *s ? s : "none";
}

char *sw_test_tmpdir(void)
{
    const char *base = getenv("STAGEWISE_TEST_TMP");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/sw-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(tmpl) == NULL) {
        fprintf(stderr, "testdb: cannot make a directory from %s\n", tmpl);
        abort();
    }
    return strdup(tmpl);
}

char *sw_test_pg_admin_url(void)
{
    const char *file = getenv("STAGEWISE_TEST_PG_FILE");
    if (file == NULL) {
        fprintf(stderr, "testdb: STAGEWISE_TEST_PG_FILE is not set\n");
        abort();
    }
    FILE *f = fopen(file, "r");
    if (f == NULL) {
        fprintf(stderr, "testdb: no PostgreSQL test server (%s missing); "
                "the pg.start fixture did not run\n", file);
        abort();
    }
    char line[1024] = "";
    if (fgets(line, sizeof line, f) == NULL)
        line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    return strdup(line);
}

static char *fresh_pg(void)
{
    char *admin = sw_test_pg_admin_url();
    PGconn *c = PQconnectdb(admin);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "testdb: cannot reach the test server: %s", PQerrorMessage(c));
        abort();
    }
    /* Unique across processes and runs: a process id recurs over a long
     * run (and unseeded random() repeats), the nanosecond clock does not. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char name[96];
    snprintf(name, sizeof name, "sw_t_%d_%d_%lld_%09ld", (int)getpid(),
             atomic_fetch_add(&counter, 1), (long long)now.tv_sec % 100000000,
             (long)now.tv_nsec);
    char sql[160];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "testdb: %s", PQerrorMessage(c));
        abort();
    }
    PQclear(r);
    PQfinish(c);
    /* Replace the database name: the part after the last '/'. */
    char *slash = strrchr(admin, '/');
    size_t keep = (size_t)(slash - admin) + 1;
    char *url = malloc(keep + strlen(name) + 1);
    memcpy(url, admin, keep);
    strcpy(url + keep, name);
    free(admin);
    return url;
}

char *sw_test_fresh_db_of(const char *store)
{
    if (strcmp(store, "postgres") == 0)
        return fresh_pg();
    char *dir = sw_test_tmpdir();
    char *url = malloc(strlen(dir) + 32);
    sprintf(url, "sqlite:%s/test.db", dir);
    free(dir);
    return url;
}

char *sw_test_fresh_db(void)
{
    return sw_test_fresh_db_of(sw_test_store());
}

int sw_test_open_migrated(sw_store **out)
{
    char *url = sw_test_fresh_db();
    store_options so = { .create = true };
    sw_err err;
    int rc = store_open(url, &so, out, &err);
    free(url);
    if (rc == SW_OK && (rc = store_migrate(*out, NULL, NULL, &err)) != SW_OK) {
        store_close(*out);
        *out = NULL;
    }
    if (rc != SW_OK) {
        fprintf(stderr, "setup: %s\n", sw_err_text(&err));
        return -1;
    }
    return 0;
}

struct count_ctx {
    const char *sql;
    int64_t     n;
};

static int count_fn(store_tx *tx, void *arg)
{
    struct count_ctx *c = arg;
    return store_query_int64(tx, &c->n, c->sql, "");
}

long long sw_test_count_at(const char *url, const char *sql)
{
    store_options so = { .connections = 1, .read_budget_ms = -1 };
    sw_store *s;
    sw_err err;
    if (store_open(url, &so, &s, &err) != SW_OK) {
        fprintf(stderr, "testdb: cannot open %s: %s\n", url, err.msg);
        return -1;
    }
    struct count_ctx c = { .sql = sql, .n = -1 };
    if (store_read(s, count_fn, &c, &err) != SW_OK) {
        fprintf(stderr, "testdb: %s: %s\n", sql, err.msg);
        c.n = -1;
    }
    store_close(s);
    return (long long)c.n;
}
