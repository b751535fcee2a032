/* test_init_upgrade.c - `stagewise init` upgrading an existing database's
 * schema in place, with a backup first (docs/commands/init.md "Upgrade"),
 * on either store: a database put one schema version behind (the latest
 * migration's tables and indexes dropped and its version row deleted, as a
 * database made by the previous release would be) is upgraded by init,
 * which first writes a backup that restores to the old version; init
 * refuses to upgrade when the backup cannot be written, and --no-backup
 * upgrades without one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/migrations.h"
#include "store/store.h"
#include "testdb.h"
#include "testserver.h"

struct drop_ctx {
    const char *sql;       /* the latest migration's */
    int         version;
};

/* Drops every table and index that sql creates and deletes its version. */
static int downgrade_fn(store_tx *tx, void *arg)
{
    struct drop_ctx *d = arg;
    static const char *const creates[] = { "CREATE TABLE ", "CREATE INDEX ",
                                           "CREATE UNIQUE INDEX ", NULL };
    for (int k = 0; creates[k] != NULL; k++) {
        const char *kind = strstr(creates[k], "TABLE") ? "TABLE" : "INDEX";
        for (const char *p = strstr(d->sql, creates[k]); p != NULL;
             p = strstr(p + 1, creates[k])) {
            const char *name = p + strlen(creates[k]);
            if (strncmp(name, "IF NOT EXISTS ", 14) == 0)
                name += 14;
            size_t n = 0;
            while (isalnum((unsigned char)name[n]) || name[n] == '_')
                n++;
            char sql[256];
            snprintf(sql, sizeof sql, "DROP %s IF EXISTS %.*s", kind, (int)n, name);
            int rc = store_exec_script(tx, sql);
            if (rc != SW_OK)
                return rc;
        }
    }
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM schema_migrations WHERE version = %d",
             d->version);
    return store_exec_script(tx, sql);
}

static int version_of(const char *url)
{
    sw_store *s;
    sw_err err = { 0 };
    store_options so = { .connections = 1 };
    assert_int_equal(store_open(url, &so, &s, &err), SW_OK);
    int v = -1;
    assert_int_equal(store_schema_version(s, &v, &err), SW_OK);
    store_close(s);
    return v;
}

/* A database initialized by this version, then put one version behind. */
static char *old_database(void)
{
    char *db = sw_test_fresh_db();
    sw_test_init_db(db);
    size_t count;
    const store_migration *m = store_migrations(&count);
    const store_migration *last = &m[count - 1];
    struct drop_ctx d = {
        .sql = last->sql ? last->sql
             : strcmp(sw_test_store(), "postgres") == 0 ? last->postgres_sql
                                                        : last->sqlite_sql,
        .version = (int)count,
    };
    sw_store *s;
    sw_err err = { 0 };
    store_options so = { .connections = 1 };
    assert_int_equal(store_open(db, &so, &s, &err), SW_OK);
    if (store_write(s, downgrade_fn, &d, &err) != SW_OK)
        fail_msg("downgrade: %s", err.msg);
    store_close(s);
    assert_int_equal(version_of(db), store_schema_latest() - 1);
    return db;
}

static int run(char **out, char **err, const char *const *args)
{
    const char *env[] = { "STAGEWISE_ADMIN_PASSWORD=" SW_TEST_ADMIN_PASSWORD, NULL };
    return sw_test_run(args, env, out, err);
}

static void init_backs_up_then_upgrades(void **state)
{
    (void)state;
    char *db = old_database();
    char *dir = sw_test_tmpdir();
    const char *init[] = { "init", "--db", db, "--backup-dir", dir, NULL };
    char *out = NULL, *err = NULL;
    int rc = run(&out, &err, init);
    if (rc != 0)
        fail_msg("init failed (%d): %s%s", rc, out, err);
    assert_int_equal(version_of(db), store_schema_latest());
    char behind[64];
    snprintf(behind, sizeof behind, "schema version %d is behind %d",
             store_schema_latest() - 1, store_schema_latest());
    assert_non_null(strstr(out, behind));
    assert_non_null(strstr(out, "upgraded from schema version"));
    /* The printed place is a backup with its manifest, inside dir. */
    const char *at = strstr(out, "backed up first into ");
    assert_non_null(at);
    at += strlen("backed up first into ");
    char backup[4096];
    size_t n = strcspn(at, " ");
    assert_true(n < sizeof backup);
    memcpy(backup, at, n);
    backup[n] = '\0';
    assert_int_equal(strncmp(backup, dir, strlen(dir)), 0);
    char manifest[4200];
    snprintf(manifest, sizeof manifest, "%s/manifest.json", backup);
    struct stat st;
    assert_int_equal(stat(manifest, &st), 0);
    free(out);
    free(err);

    /* The backup restores: a database at the version before the upgrade. */
    char *fresh = sw_test_fresh_db();
    const char *restore[] = { "restore", backup, "--db", fresh, NULL };
    rc = run(&out, &err, restore);
    if (rc != 0)
        fail_msg("restore failed (%d): %s%s", rc, out, err);
    assert_int_equal(version_of(fresh), store_schema_latest() - 1);
    free(out);
    free(err);

    /* Run again, nothing to upgrade: no second backup. */
    rc = run(&out, &err, init);
    assert_int_equal(rc, 0);
    assert_null(strstr(out, "backed up"));
    assert_non_null(strstr(out, "is current"));
    free(out);
    free(err);
    free(fresh);
    free(dir);
    free(db);
}

static void a_failed_backup_stops_the_upgrade(void **state)
{
    (void)state;
    char *db = old_database();
    const char *init[] = { "init", "--db", db, "--backup-dir",
                           "/nonexistent/backups", NULL };
    char *out = NULL, *err = NULL;
    int rc = run(&out, &err, init);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(err, "/nonexistent/backups"));
    assert_int_equal(version_of(db), store_schema_latest() - 1);
    free(out);
    free(err);

    /* --no-backup: for a throwaway database, upgraded without one. */
    const char *nob[] = { "init", "--db", db, "--no-backup", NULL };
    rc = run(&out, &err, nob);
    if (rc != 0)
        fail_msg("init --no-backup failed (%d): %s%s", rc, out, err);
    assert_null(strstr(out, "backed up"));
    assert_int_equal(version_of(db), store_schema_latest());
    free(out);
    free(err);

    const char *both[] = { "init", "--db", db, "--no-backup", "--backup-dir",
                           "/tmp", NULL };
    assert_int_equal(run(NULL, NULL, both), 2);
    free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_backs_up_then_upgrades),
        cmocka_unit_test(a_failed_backup_stops_the_upgrade),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
