/* test_url.c - store URL parsing (src/store/url.c): which backend a URL
 * picks, what it hands the backend, how it is shown in logs, and the
 * sentence a person gets for each wrong form. No database is opened. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

struct url_case {
    const char *url;
    int         code;
    store_kind  kind;         /* when code is SW_OK */
    const char *path;         /* SQLite file, or NULL */
    const char *conninfo;     /* libpq URI, or NULL */
    const char *display;      /* when code is SW_OK */
    const char *words[4];     /* the message must contain these */
    const char *never;        /* and must not contain this */
};

static const struct url_case cases[] = {
    { "sqlite:/var/lib/stagewise/p.db", SW_OK, STORE_SQLITE,
      "/var/lib/stagewise/p.db", NULL, "sqlite:/var/lib/stagewise/p.db",
      { NULL }, NULL },
    { "sqlite:relative.db", SW_OK, STORE_SQLITE, "relative.db", NULL,
      "sqlite:relative.db", { NULL }, NULL },
    { "postgresql://sw@db.example:5432/stagewise", SW_OK, STORE_POSTGRES,
      NULL, "postgresql://sw@db.example:5432/stagewise",
      "postgresql://sw@db.example:5432/stagewise", { NULL }, NULL },
    { "postgres://sw@db/stagewise", SW_OK, STORE_POSTGRES, NULL,
      "postgres://sw@db/stagewise", "postgres://sw@db/stagewise", { NULL },
      NULL },
    /* The backend gets the password; the display form never shows it. */
    { "postgresql://sw:pa55word@db:5432/stagewise", SW_OK, STORE_POSTGRES,
      NULL, "postgresql://sw:pa55word@db:5432/stagewise",
      "postgresql://sw:***@db:5432/stagewise", { NULL }, "pa55word" },
    { "postgresql://sw:p@ss:w@rd@db/stagewise", SW_OK, STORE_POSTGRES,
      NULL, "postgresql://sw:p@ss:w@rd@db/stagewise",
      "postgresql://sw:***@db/stagewise", { NULL }, "ss:w" },
    { "postgresql://db/stagewise?user=sw&password=pa55word&sslmode=require",
      SW_OK, STORE_POSTGRES, NULL,
      "postgresql://db/stagewise?user=sw&password=pa55word&sslmode=require",
      "postgresql://db/stagewise?user=sw&password=***&sslmode=require",
      { NULL }, "pa55word" },

    { "sqlite://var/x.db", SW_EUSAGE, 0, NULL, NULL, NULL,
      { "ambiguous", "sqlite:PATH" }, NULL },
    { "sqlite:", SW_EUSAGE, 0, NULL, NULL, NULL, { "names no file" }, NULL },
    { "mysql://sw@db/stagewise", SW_EUSAGE, 0, NULL, NULL, NULL,
      { "unknown database URL scheme 'mysql'", "sqlite:PATH",
        "postgresql://" }, NULL },
    { "", SW_EUSAGE, 0, NULL, NULL, NULL, { "empty", "sqlite:PATH" }, NULL },
    { NULL, SW_EUSAGE, 0, NULL, NULL, NULL, { "empty" }, NULL },
    { "stagewise.db", SW_EUSAGE, 0, NULL, NULL, NULL,
      { "no scheme", "sqlite:stagewise.db" }, NULL },
    { "sqlite:/tmp/a\nb.db", SW_EUSAGE, 0, NULL, NULL, NULL,
      { "control characters" }, NULL },
};

static void test_url_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct url_case *c = &cases[i];
        store_url u;
        sw_err err = { 0 };
        int rc = store_url_parse(c->url, &u, &err);
        if (rc != c->code)
            fail_msg("case %zu (%s): rc %d, want %d: %s", i,
                     c->url ? c->url : "NULL", rc, c->code, err.msg);
        if (rc == SW_OK) {
            assert_int_equal(u.kind, c->kind);
            assert_string_equal(u.path, c->path ? c->path : "");
            assert_string_equal(u.conninfo, c->conninfo ? c->conninfo : "");
            assert_string_equal(u.display, c->display);
        } else {
            assert_int_equal(err.code, c->code);
            assert_null(strchr(err.msg, '\n'));
            for (int w = 0; c->words[w]; w++)
                if (strstr(err.msg, c->words[w]) == NULL)
                    fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, c->words[w]);
        }
        if (c->never != NULL) {
            assert_null(strstr(u.display, c->never));
            assert_null(strstr(err.msg, c->never));
        }
    }
}

/* A URL one byte too long is refused rather than cut short. */
static void test_url_too_long(void **state)
{
    (void)state;
    char *url = malloc(SW_STORE_MAX_URL_BYTES + 1);
    memcpy(url, "sqlite:", 7);
    memset(url + 7, 'a', SW_STORE_MAX_URL_BYTES - 7);
    url[SW_STORE_MAX_URL_BYTES] = '\0';
    store_url u;
    sw_err err = { 0 };
    assert_int_equal(store_url_parse(url, &u, &err), SW_EUSAGE);
    assert_non_null(strstr(err.msg, "longer than"));
    url[SW_STORE_MAX_URL_BYTES - 1] = '\0';
    assert_int_equal(store_url_parse(url, &u, &err), SW_OK);
    free(url);
}

/* store_open reports a bad URL before touching any backend. */
static void test_open_bad_url(void **state)
{
    (void)state;
    sw_store *s = (sw_store *)&s;
    sw_err err = { 0 };
    assert_int_equal(store_open("redis://x", NULL, &s, &err), SW_EUSAGE);
    assert_null(s);
    assert_non_null(strstr(err.msg, "redis"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_table),
        cmocka_unit_test(test_url_too_long),
        cmocka_unit_test(test_open_bad_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
