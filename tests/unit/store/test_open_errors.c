/* test_open_errors.c - what a person is told when a store cannot be opened.
 * Each case is one wrong --db and the key words its one-sentence message
 * must contain: SQLite paths that are missing, a directory, not a database,
 * or absent without `init`; PostgreSQL servers that are not there, URIs
 * libpq cannot parse, databases and roles that do not exist. A password in
 * the URL must never appear in any message. Cases needing the test server
 * run when this binary runs for the postgres store. */
#include "store_test.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testdb.h"

#define SECRET "Tr0ub4dor-and-3"

struct open_case {
    const char *name;
    char        url[1024];
    bool        create;
    int         code;
    const char *words[4];
    char        port_word[32];  /* another key word, made at run time */
};

/* Fails unless store_open(url) fails with the case's code and words and no
 * trace of SECRET. */
static void expect_open_error(const struct open_case *c)
{
    store_options opt = { .create = c->create };
    sw_store *s = (sw_store *)&s;
    sw_err err = { 0 };
    int rc = store_open(c->url, &opt, &s, &err);
    if (rc != c->code)
        fail_msg("%s: got %d (%s), want %d", c->name, rc, err.msg, c->code);
    assert_null(s);
    assert_int_equal(err.code, rc);
    st_assert_words(err.msg, c->words);
    if (c->port_word[0]) {
        const char *w[] = { c->port_word, NULL };
        st_assert_words(err.msg, w);
    }
    if (strstr(err.msg, "Tr0ub4dor") != NULL)
        fail_msg("%s: the message shows the password: %s", c->name, err.msg);
    fprintf(stderr, "%-22s %s\n", c->name, err.msg);
}

static void test_sqlite_paths(void **state)
{
    (void)state;
    char *dir = sw_test_tmpdir();
    static const char line[] = "this is a text file, not a database\n";
    char junk[900];
    snprintf(junk, sizeof junk, "%s/junk.db", dir);
    FILE *f = fopen(junk, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs(line, f);
    fclose(f);

    struct open_case cases[] = {
        { .name = "missing directory", .create = true, .code = SW_EIO,
          .words = { "does not exist", "/no/such/dir", NULL } },
        { .name = "a directory", .create = true, .code = SW_EUSAGE,
          .words = { "is a directory", "database file", NULL } },
        { .name = "not a database", .create = false, .code = SW_EIO,
          .words = { "is not an SQLite database", "junk.db", NULL } },
        { .name = "missing file", .create = false, .code = SW_ENOTFOUND,
          .words = { "there is no database", "stagewise init", "absent.db",
                     NULL } },
    };
    snprintf(cases[0].url, sizeof cases[0].url, "sqlite:%s/no/such/dir/x.db", dir);
    snprintf(cases[1].url, sizeof cases[1].url, "sqlite:%s", dir);
    snprintf(cases[2].url, sizeof cases[2].url, "sqlite:%s", junk);
    snprintf(cases[3].url, sizeof cases[3].url, "sqlite:%s/absent.db", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_open_error(&cases[i]);

    /* Refusing must not have created anything or harmed the junk file. */
    struct stat sb;
    char absent[900];
    snprintf(absent, sizeof absent, "%s/absent.db", dir);
    assert_int_not_equal(stat(absent, &sb), 0);
    assert_int_equal(stat(junk, &sb), 0);
    assert_int_equal(sb.st_size, 200 * (sizeof line - 1));
    free(dir);
}

/* No server needed: a port nobody listens on, and URIs libpq refuses. */
static void test_postgres_unreachable_and_malformed(void **state)
{
    (void)state;
    int port = st_closed_port();
    struct open_case cases[] = {
        { .name = "unreachable server", .code = SW_ESTORE,
          .words = { "cannot reach the PostgreSQL server at 127.0.0.1",
                     "postgres:***@127.0.0.1", "refused", NULL } },
        { .name = "bad percent-encoding", .code = SW_EUSAGE,
          .words = { "not a valid PostgreSQL URI", "percent-encoded", NULL } },
        { .name = "unknown parameter", .code = SW_EUSAGE,
          .words = { "not a valid PostgreSQL URI", "no_such_option", NULL } },
    };
    snprintf(cases[0].url, sizeof cases[0].url,
             "postgresql://postgres:" SECRET "@127.0.0.1:%d/postgres", port);
    snprintf(cases[0].port_word, sizeof cases[0].port_word, ":%d", port);
    /* libpq quotes the undecodable token, which here is the password. */
    snprintf(cases[1].url, sizeof cases[1].url,
             "postgresql://postgres:" SECRET "%%zz@127.0.0.1:%d/postgres", port);
    snprintf(cases[2].url, sizeof cases[2].url,
             "postgresql://127.0.0.1:%d/postgres?password=" SECRET
             "&no_such_option=1", port);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_open_error(&cases[i]);
}

/* The test server's URL with another user and database. */
static void server_url(char *out, size_t cap, const char *user, const char *db)
{
    char *admin = sw_test_pg_admin_url();
    const char *host = strchr(strstr(admin, "://") + 3, '@') + 1;
    const char *slash = strchr(host, '/');
    snprintf(out, cap, "postgresql://%s@%.*s/%s", user, (int)(slash - host),
             host, db);
    free(admin);
}

static void test_postgres_server_refusals(void **state)
{
    (void)state;
    if (!st_is_pg())
        skip();
    struct open_case cases[] = {
        { .name = "missing database", .code = SW_ENOTFOUND,
          .words = { "the database sw_no_such_db does not exist",
                     "run createdb sw_no_such_db", "127.0.0.1", NULL } },
        { .name = "unknown role", .code = SW_ESTORE,
          .words = { "refused the login", "sw_nobody", "127.0.0.1", NULL } },
    };
    server_url(cases[0].url, sizeof cases[0].url, "postgres", "sw_no_such_db");
    server_url(cases[1].url, sizeof cases[1].url, "sw_nobody:" SECRET, "postgres");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_open_error(&cases[i]);
}

/* An open store shows its URL without the password. */
static void test_postgres_display_masks_password(void **state)
{
    (void)state;
    if (!st_is_pg())
        skip();
    char *fresh = sw_test_fresh_db();
    char *url = st_with_password(fresh, SECRET);
    sw_store *s = st_open(url, 0);       /* the test server trusts everyone */
    char *want = st_with_password(fresh, "***");
    assert_string_equal(store_display(s), want);
    sw_err err = { 0 };
    st_assert_rc(store_ping(s, &err), SW_OK, &err);
    store_close(s);
    free(want);
    free(url);
    free(fresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_paths),
        cmocka_unit_test(test_postgres_unreachable_and_malformed),
        cmocka_unit_test(test_postgres_server_refusals),
        cmocka_unit_test(test_postgres_display_masks_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
