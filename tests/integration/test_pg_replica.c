/* test_pg_replica.c - PostgreSQL beyond one machine: a primary and a
 * streaming-replication hot standby of its own (tests/pg/pg-replica.sh),
 * a server started with --db-replica, and a restart of the primary under
 * load.
 *
 * What it shows: a search right after a write finds it (read-your-writes
 * through the replay check), FHIR searches are served by the standby once
 * it caught up (stagewise_store_replica_reads_total{served_by="replica"}
 * grows); while
 * the primary restarts (down for 2 s) the server keeps running, writes in
 * the window get 503 and nothing else, and conditional creates (If-None-Exist) retried
 * after a 503 leave exactly one patient per identifier: none lost, none
 * duplicated; reads by id on the primary succeed again after the restart
 * without restarting the server, which logged that it reconnected. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testdb.h"
#include "testserver.h"

#define SYSTEM "urn:stagewise-test:replica"
/* Patients written while the primary restarts, at most. */
#define MAX_WRITES 300

static char dir[512];
static char script[600];
/* Global so main can stop the server when an assertion ended the test. */
static sw_test_env e;

static char *slurp_line(const char *name)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = sw_test_slurp(path, NULL);
    s[strcspn(s, "\n")] = '\0';
    return s;
}

static int replica(const char *what)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "sh %s %s %s", script, what, dir);
    return system(cmd);
}

static bool exists(const char *name)
{
    char path[700];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* POST a conditional create of patient R-i; the HTTP status (0: transport). */
static long create(sw_test_env *env, int i, char *id, size_t idcap)
{
    char cond[128], body[256];
    snprintf(cond, sizeof cond, "If-None-Exist: identifier=" SYSTEM "|R-%d", i);
    snprintf(body, sizeof body, "{\"resourceType\":\"Patient\",\"identifier\":"
             "[{\"system\":\"" SYSTEM "\",\"value\":\"R-%d\"}],"
             "\"name\":[{\"family\":\"Replica\",\"given\":[\"R%d\"]}]}", i, i);
    const char *headers[] = { env->auth, "Content-Type: application/fhir+json",
                              cond, NULL };
    sw_http_result r;
    if (sw_http(&env->srv, "POST", "/fhir/Patient", headers, body, strlen(body),
                &r) != 0)
        return 0;
    long status = r.status;
    if (id != NULL && (status == 200 || status == 201)) {
        const char *p = strstr(r.body, "\"id\":\"");
        const char *end = p ? strchr(p + 6, '"') : NULL;
        if (p && end)
            snprintf(id, idcap, "%.*s", (int)(end - (p + 6)), p + 6);
    }
    if (status != 200 && status != 201 && status != 503)
        fprintf(stderr, "create R-%d: %ld %s\n", i, status, r.body);
    sw_http_result_free(&r);
    return status;
}

/* How many patients a search for identifier R-i finds; -1 on failure. */
static int search_count(sw_test_env *env, int i)
{
    char path[256];
    snprintf(path, sizeof path, "/fhir/Patient?identifier=" SYSTEM "%%7CR-%d", i);
    const char *headers[] = { env->auth, NULL };
    sw_http_result r;
    if (sw_http(&env->srv, "GET", path, headers, NULL, 0, &r) != 0)
        return -1;
    int n = -1;
    const char *t = strstr(r.body, "\"total\":");
    if (r.status == 200 && t != NULL)
        n = atoi(t + 8);
    else
        fprintf(stderr, "search R-%d: %ld %s\n", i, r.status, r.body);
    sw_http_result_free(&r);
    return n;
}

static long read_by_id(sw_test_env *env, const char *id)
{
    char path[256];
    snprintf(path, sizeof path, "/fhir/Patient/%s", id);
    const char *headers[] = { env->auth, NULL };
    sw_http_result r;
    if (sw_http(&env->srv, "GET", path, headers, NULL, 0, &r) != 0)
        return 0;
    long status = r.status;
    sw_http_result_free(&r);
    return status;
}

static long replica_reads(sw_test_env *env)
{
    sw_http_result r;
    if (sw_http(&env->srv, "GET", "/metrics", NULL, NULL, 0, &r) != 0)
        return -1;
    long n = 0;
    const char *line = strstr(r.body, "stagewise_store_replica_reads_total"
                              "{served_by=\"replica\"} ");
    if (line != NULL)
        n = strtol(strchr(line, '}') + 2, NULL, 10);
    sw_http_result_free(&r);
    return n;
}

static void searches_go_to_the_standby_and_writes_survive_a_primary_restart(
    void **state)
{
    (void)state;
    char *tmp = sw_test_tmpdir();
    snprintf(dir, sizeof dir, "%s/replica.%d", tmp, (int)getpid());
    free(tmp);
    snprintf(script, sizeof script, "%s/../pg/pg-replica.sh",
             getenv("STAGEWISE_TEST_DATA"));
    assert_int_equal(replica("start"), 0);

    e.db = slurp_line("primary_url");
    char *standby = slurp_line("standby_url");
    sw_test_init_db(e.db);
    assert_int_equal(sw_test_add_user(e.db, SW_TEST_CLINICIAN,
                                      "physician,practice_admin"), 0);
    assert_int_equal(replica("catch-up"), 0);
    const char *args[] = { "--db-replica", standby, "--no-training", NULL };
    assert_int_equal(sw_test_env_serve(&e, args), 0);

    /* A search right after a write finds it (on the primary while the
     * standby has not replayed it), and once replay caught up a search is
     * served by the standby. */
    long st = create(&e, 0, NULL, 0);
    assert_true(st == 201);
    assert_int_equal(search_count(&e, 0), 1);
    assert_int_equal(replica("catch-up"), 0);
    long before = replica_reads(&e);
    assert_int_equal(search_count(&e, 0), 1);
    assert_true(replica_reads(&e) > before);

    /* The primary restarts while writes and reads go on. */
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "(sh %s restart-primary %s && touch %s/restarted)"
             " >%s/restart.log 2>&1 &", script, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    char first_id[128] = "";
    int n = 1, unavailable = 0, after = 0;
    for (; n < MAX_WRITES && after < 5; n++) {
        char id[128] = "";
        int tries = 0;
        for (;;) {
            st = create(&e, n, id, sizeof id);
            if (st != 503)
                break;
            /* Unknown outcome or server down: the retry is idempotent. */
            unavailable++;
            assert_true(++tries < 200);
            usleep(100 * 1000);
        }
        assert_true(st == 200 || st == 201);
        if (n == 1)
            snprintf(first_id, sizeof first_id, "%s", id);
        if (exists("restarted"))
            after++;
    }
    assert_true(exists("restarted"));
    fprintf(stderr, "%d patients written, %d answers 503\n", n - 1, unavailable);
    /* The primary stays down for 2 s, longer than the store's bounded
     * reconnect (about 0.75 s), so some write met the outage. */
    assert_true(unavailable > 0);

    /* Reads on the primary work again without restarting the server. */
    assert_int_equal(read_by_id(&e, first_id), 200);
    /* Every acknowledged patient is there exactly once. */
    assert_int_equal(replica("catch-up"), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(search_count(&e, i), 1);

    char *log = sw_test_server_log(&e.srv);
    assert_non_null(strstr(log, "lost a connection"));
    free(log);
    assert_int_equal(sw_test_env_stop(&e), 0);
    free(standby);
    replica("stop");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            searches_go_to_the_standby_and_writes_survive_a_primary_restart),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (e.srv.pid > 0)
        sw_test_env_stop(&e);
    if (dir[0] != '\0') {
        replica("stop");
        char path[700];
        snprintf(path, sizeof path, "%s/restart.log", dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/restarted", dir);
        unlink(path);
        rmdir(dir);
    }
    return rc;
}
