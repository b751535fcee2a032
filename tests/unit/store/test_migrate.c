/* test_migrate.c - schema versions (src/store/migrate.c) on each backend:
 * an empty database has version 0 and is refused with "run stagewise
 * init"; migrating brings it to the latest version, and again is a no-op;
 * a database newer than this program is refused naming both versions. The
 * migrations in migrations.c run unchanged on both backends. */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_empty_database(void **state)
{
    (void)state;
    sw_store *s = st_open_fresh(NULL, 0);
    int v = -1;
    sw_err err = { 0 };
    st_assert_rc(store_schema_version(s, &v, &err), SW_OK, &err);
    assert_int_equal(v, 0);
    st_assert_rc(store_schema_check(s, &err), SW_ESCHEMA, &err);
    const char *words[] = { "no Stagewise schema", "run stagewise init",
                            store_display(s), NULL };
    st_assert_words(err.msg, words);
    store_close(s);
}

static void test_migrate_to_latest_once(void **state)
{
    (void)state;
    sw_store *s = st_open_fresh(NULL, 0);
    int latest = store_schema_latest();
    assert_true(latest >= 1);
    int from = -1, to = -1;
    sw_err err = { 0 };
    st_assert_rc(store_migrate(s, &from, &to, &err), SW_OK, &err);
    assert_int_equal(from, 0);
    assert_int_equal(to, latest);
    int v = -1;
    st_assert_rc(store_schema_version(s, &v, &err), SW_OK, &err);
    assert_int_equal(v, latest);
    st_assert_rc(store_schema_check(s, &err), SW_OK, &err);

    /* Again: nothing to do, nothing recorded twice. */
    st_assert_rc(store_migrate(s, &from, &to, &err), SW_OK, &err);
    assert_int_equal(from, latest);
    assert_int_equal(to, latest);
    assert_int_equal(st_int(s, "SELECT count(*) FROM schema_migrations"), latest);

    /* The tables the migrations made are usable with portable SQL. */
    st_script(s, "INSERT INTO practice (practice_id, name, is_demo, created_at) "
                 "VALUES (1, 'Clinic', 0, '2026-01-01T00:00:00Z')");
    assert_int_equal(st_int(s, "SELECT count(*) FROM practice"), 1);
    store_close(s);
}

static void test_version_survives_reopen(void **state)
{
    (void)state;
    char *url;
    sw_store *s = st_open_fresh(&url, 0);
    sw_err err = { 0 };
    st_assert_rc(store_migrate(s, NULL, NULL, &err), SW_OK, &err);
    store_close(s);
    s = st_open(url, 0);
    st_assert_rc(store_schema_check(s, &err), SW_OK, &err);
    store_close(s);
    free(url);
}

static void test_newer_database_refused(void **state)
{
    (void)state;
    sw_store *s = st_open_fresh(NULL, 0);
    sw_err err = { 0 };
    st_assert_rc(store_migrate(s, NULL, NULL, &err), SW_OK, &err);
    int latest = store_schema_latest();
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO schema_migrations (version, name, "
             "applied_at) VALUES (%d, 'from the future', "
             "'2099-01-01T00:00:00Z')", latest + 1);
    st_script(s, sql);

    char newer[16], ours[16];
    snprintf(newer, sizeof newer, "%d", latest + 1);
    snprintf(ours, sizeof ours, "(%d)", latest);
    const char *words[] = { newer, ours, "newer", "upgrade stagewise", NULL };
    st_assert_rc(store_schema_check(s, &err), SW_ESCHEMA, &err);
    st_assert_words(err.msg, words);
    /* init refuses too, rather than writing into a schema it does not know. */
    st_assert_rc(store_migrate(s, NULL, NULL, &err), SW_ESCHEMA, &err);
    st_assert_words(err.msg, words);
    assert_int_equal(st_int(s, "SELECT count(*) FROM schema_migrations"),
                     latest + 1);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_database),
        cmocka_unit_test(test_migrate_to_latest_once),
        cmocka_unit_test(test_version_survives_reopen),
        cmocka_unit_test(test_newer_database_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
