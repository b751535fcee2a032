/* test_cli.c - the command line contract of DESIGN.md §2, run as a user
 * would run it: exit status 0 / 1 / 2, errors as one sentence on stderr,
 * `init` safe to run twice, and `serve` refusing what it cannot serve
 * (no database, a schema from a newer version, a port already taken, a
 * directory it cannot write). Runs on each store where the store matters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "testdb.h"
#include "testserver.h"

/* Runs the binary; checks the exit status and that stderr is one line
 * containing each of the words given. Returns stdout (caller frees). */
static char *expect_run(int want_status, const char *const *args,
                        const char *const *env, const char *word1,
                        const char *word2)
{
    char *out = NULL, *err = NULL;
    int status = sw_test_run(args, env, &out, &err);
    if (status != want_status)
        fprintf(stderr, "exit %d (wanted %d); stderr: %s\n", status, want_status, err);
    assert_int_equal(status, want_status);
    if (want_status != 0) {
        assert_true(strncmp(err, "stagewise: ", 11) == 0);
        char *nl = strchr(err, '\n');
        assert_non_null(nl);
        assert_int_equal(nl[1], '\0');          /* exactly one line */
        if (word1)
            assert_non_null(strstr(err, word1));
        if (word2)
            assert_non_null(strstr(err, word2));
    }
    free(err);
    return out;
}

static void help_and_usage_errors(void **state)
{
    (void)state;
    const char *help[] = { "--help", NULL };
    char *out = expect_run(0, help, NULL, NULL, NULL);
    assert_non_null(strstr(out, "serve"));
    assert_non_null(strstr(out, "init"));
    free(out);
    const char *serve_help[] = { "serve", "--help", NULL };
    out = expect_run(0, serve_help, NULL, NULL, NULL);
    assert_non_null(strstr(out, "--listen"));
    free(out);
    const char *unknown[] = { "frobnicate", NULL };
    free(expect_run(2, unknown, NULL, "unknown command", "frobnicate"));
    const char *bad_opt[] = { "serve", "--no-such-option", NULL };
    free(expect_run(2, bad_opt, NULL, "--no-such-option", "--help"));
    const char *bad_listen[] = { "serve", "--listen", "localhost", NULL };
    free(expect_run(2, bad_listen, NULL, "--listen", "HOST:PORT"));
    const char *bad_threads[] = { "serve", "--threads", "0", NULL };
    free(expect_run(2, bad_threads, NULL, "--threads", NULL));
}

static void malformed_db_urls(void **state)
{
    (void)state;
    static const struct { const char *url; const char *word; } cases[] = {
        { "nosuchscheme:x", "unknown database URL scheme 'nosuchscheme'" },
        { "stagewise.db", "no scheme" },
        { "sqlite:", "names no file" },
        { "sqlite://x.db", "ambiguous" },
        { "", "empty" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *serve[] = { "serve", "--db", cases[i].url, NULL };
        free(expect_run(2, serve, NULL, cases[i].word, NULL));
        const char *init[] = { "init", "--db", cases[i].url, NULL };
        free(expect_run(2, init, NULL, cases[i].word, NULL));
    }
    /* The environment variable is used when --db is absent. */
    const char *serve[] = { "serve", NULL };
    const char *env[] = { "STAGEWISE_DB=mysql://u:secret@h/db", NULL };
    char *err = NULL;
    assert_int_equal(sw_test_run(serve, env, NULL, &err), 2);
    assert_non_null(strstr(err, "'mysql'"));
    assert_null(strstr(err, "secret"));
    free(err);
}

static void sqlite_paths_that_cannot_work(void **state)
{
    (void)state;
    char *dir = sw_test_tmpdir();
    char url[4400];

    snprintf(url, sizeof url, "sqlite:%s/missing-dir/x.db", dir);
    const char *init_missing[] = { "init", "--db", url, NULL };
    free(expect_run(1, init_missing, NULL, "does not exist", "missing-dir"));

    snprintf(url, sizeof url, "sqlite:%s/none.db", dir);
    const char *serve_none[] = { "serve", "--db", url, NULL };
    free(expect_run(1, serve_none, NULL, "stagewise init", NULL));

    snprintf(url, sizeof url, "sqlite:%s", dir);
    const char *serve_dir[] = { "serve", "--db", url, NULL };
    free(expect_run(2, serve_dir, NULL, "is a directory", NULL));

    char path[4200];
    snprintf(path, sizeof path, "%s/notadb.db", dir);
    FILE *fp = fopen(path, "w");
    fputs("this is a text file, not a database; it is long enough to have a header\n", fp);
    fclose(fp);
    snprintf(url, sizeof url, "sqlite:%s", path);
    const char *init_text[] = { "init", "--db", url, NULL };
    free(expect_run(1, init_text, NULL, "not an SQLite database", NULL));
    free(dir);
}

/* A data directory the server may not write to. Root ignores permission
 * bits, so as root the command runs as 'nobody' through runuser. */
static void read_only_directory(void **state)
{
    (void)state;
    char *dir = sw_test_tmpdir();
    char url[4400];
    snprintf(url, sizeof url, "sqlite:%s/ro.db", dir);
    chmod(dir, 0555);
    char *err = NULL;
    int status;
    if (geteuid() == 0) {
        /* nobody must be able to reach the directory to be refused by it. */
        char *p = strdup(dir);
        for (char *s = strrchr(p, '/'); s && s != p; s = strrchr(p, '/')) {
            *s = '\0';
            struct stat sb;
            if (stat(p, &sb) == 0)
                chmod(p, sb.st_mode | 0111);
        }
        free(p);
        char cmd[9000];
        snprintf(cmd, sizeof cmd, "runuser -u nobody -- '%s' init --db '%s' 2>&1 >/dev/null",
                 getenv("STAGEWISE_BIN"), url);
        FILE *pp = popen(cmd, "r");
        char buf[2048] = "";
        size_t n = fread(buf, 1, sizeof buf - 1, pp);
        buf[n] = '\0';
        status = WEXITSTATUS(pclose(pp));
        err = strdup(buf);
    } else {
        const char *args[] = { "init", "--db", url, NULL };
        status = sw_test_run(args, NULL, NULL, &err);
    }
    assert_int_equal(status, 1);
    assert_non_null(strstr(err, "cannot write"));
    assert_non_null(strchr(err, '\n'));
    assert_int_equal(strchr(err, '\n')[1], '\0');
    chmod(dir, 0700);
    free(err);
    free(dir);
}

static void init_twice_keeps_admin(void **state)
{
    (void)state;
    char *db = sw_test_fresh_db();
    const char *init[] = { "init", "--db", db, NULL };
    char *out = expect_run(0, init, NULL, NULL, NULL);
    /* Without STAGEWISE_ADMIN_PASSWORD a password is generated and shown. */
    const char *shown = strstr(out, "shown only this once: ");
    assert_non_null(shown);
    assert_int_equal(strlen(shown + strlen("shown only this once: ")), 20); /* 19 + \n */
    free(out);
    out = expect_run(0, init, NULL, NULL, NULL);
    assert_non_null(strstr(out, "is current"));
    assert_non_null(strstr(out, "already exists"));
    assert_null(strstr(out, "shown only this once"));
    free(out);

    const char *weak_env[] = { "STAGEWISE_ADMIN_PASSWORD=short", NULL };
    char *db2 = sw_test_fresh_db();
    const char *init2[] = { "init", "--db", db2, NULL };
    free(expect_run(2, init2, weak_env, "STAGEWISE_ADMIN_PASSWORD", "12 to 128"));
    free(db2);
    free(db);
}

static void demo_init_prints_logins(void **state)
{
    (void)state;
    char *db = sw_test_fresh_db();
    const char *init[] = { "init", "--db", db, "--demo", NULL };
    char *out = expect_run(0, init, NULL, NULL, NULL);
    assert_non_null(strstr(out, "Demo logins"));
    assert_non_null(strstr(out, "dr.rivera"));
    free(out);
    sw_test_server srv;
    assert_int_equal(sw_test_server_start(&srv, db, NULL), 0);

    /* The clinical side: today's clinic is booked for the demo's
     * clinicians, linked to their Practitioners, and Maria Lopez carries
     * the penicillin allergy the prescribing alert is practised on. */
    char auth[512], path[128], today[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    assert_int_equal(sw_test_sign_in_with(&srv, "dr.rivera", "stagewise-demo",
                                          auth, sizeof auth), 0);
    const char *headers[] = { auth, NULL };
    sw_http_result r;
    snprintf(path, sizeof path, "/fhir/Appointment?date=%s&_count=50", today);
    assert_int_equal(sw_http(&srv, "GET", path, headers, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"total\":6"));
    assert_non_null(strstr(r.body, "Practitioner/demo-rivera"));
    assert_non_null(strstr(r.body, "Practitioner/demo-chen"));
    sw_http_result_free(&r);
    assert_int_equal(sw_http(&srv, "GET", "/fhir/AllergyIntolerance?patient=demo-maria",
                             headers, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Penicillin G"));
    sw_http_result_free(&r);
    /* James's HbA1c waits in Dr. Rivera's inbox, flagged. */
    assert_int_equal(sw_http(&srv, "GET", "/api/inbox", headers, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"report\":\"demo-james-a1c-report\""));
    assert_non_null(strstr(r.body, "\"flag\":\"abnormal\""));
    sw_http_result_free(&r);
    assert_int_equal(sw_http(&srv, "GET", "/api/results/demo-james-a1c-report",
                             headers, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"flag\":\"H\""));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_server_stop(&srv, SIGINT, 15), 0);

    /* Served again the same day, nothing more is booked. */
    assert_int_equal(sw_test_server_start(&srv, db, NULL), 0);
    assert_int_equal(sw_test_sign_in_with(&srv, "dr.rivera", "stagewise-demo",
                                          auth, sizeof auth), 0);
    assert_int_equal(sw_http(&srv, "GET", path, headers, NULL, 0, &r), 0);
    assert_non_null(strstr(r.body, "\"total\":6"));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_server_stop(&srv, SIGINT, 15), 0);
    free(db);
}

/* Bumps the recorded schema version past what the binary knows. */
static void set_schema_version(const char *db, int version)
{
    char sql[160];
    snprintf(sql, sizeof sql, "INSERT INTO schema_migrations (version, name, applied_at) "
             "VALUES (%d, 'from the future', '2099-01-01T00:00:00Z')", version);
    if (strncmp(db, "sqlite:", 7) == 0) {
        sqlite3 *h;
        assert_int_equal(sqlite3_open(db + 7, &h), SQLITE_OK);
        assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(h);
    } else {
        PGconn *c = PQconnectdb(db);
        assert_int_equal(PQstatus(c), CONNECTION_OK);
        PGresult *r = PQexec(c, sql);
        assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
        PQclear(r);
        PQfinish(c);
    }
}

static void serve_refuses_newer_schema(void **state)
{
    (void)state;
    char *db = sw_test_fresh_db();
    sw_test_init_db(db);
    set_schema_version(db, 999);
    const char *serve[] = { "serve", "--db", db, "--listen", "127.0.0.1:0", NULL };
    free(expect_run(1, serve, NULL, "newer than this stagewise", "999"));
    const char *init[] = { "init", "--db", db, NULL };
    free(expect_run(1, init, NULL, "newer than this stagewise", "upgrade"));
    free(db);
}

static void serve_refuses_empty_database(void **state)
{
    (void)state;
    if (strcmp(sw_test_store(), "postgres") != 0)
        skip();        /* an empty SQLite file is covered by the missing-file case */
    char *db = sw_test_fresh_db();
    const char *serve[] = { "serve", "--db", db, "--listen", "127.0.0.1:0", NULL };
    free(expect_run(1, serve, NULL, "no Stagewise schema", "stagewise init"));
    free(db);
}

static void port_in_use(void **state)
{
    (void)state;
    char *db = sw_test_fresh_db();
    sw_test_init_db(db);
    sw_test_server first;
    assert_int_equal(sw_test_server_start(&first, db, NULL), 0);
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", first.port);
    const char *serve[] = { "serve", "--db", db, "--listen", listen, NULL };
    free(expect_run(1, serve, NULL, "already in use", "--listen"));
    assert_int_equal(sw_test_server_stop(&first, SIGTERM, 15), 0);
    free(db);
}

static void unreachable_postgres(void **state)
{
    (void)state;
    const char *serve[] = { "serve", "--db",
                            "postgresql://stagewise:hunter2secret@127.0.0.1:1/none",
                            NULL };
    char *err = NULL;
    assert_int_equal(sw_test_run(serve, NULL, NULL, &err), 1);
    assert_non_null(strstr(err, "127.0.0.1"));
    assert_null(strstr(err, "hunter2secret"));
    assert_int_equal(strchr(err, '\n')[1], '\0');
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_and_usage_errors),
        cmocka_unit_test(malformed_db_urls),
        cmocka_unit_test(sqlite_paths_that_cannot_work),
        cmocka_unit_test(read_only_directory),
        cmocka_unit_test(init_twice_keeps_admin),
        cmocka_unit_test(demo_init_prints_logins),
        cmocka_unit_test(serve_refuses_newer_schema),
        cmocka_unit_test(serve_refuses_empty_database),
        cmocka_unit_test(port_in_use),
        cmocka_unit_test(unreachable_postgres),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
