/* test_postgres_sql.c - rewriting portable ? placeholders into PostgreSQL's
 * $1..$n (pg_rewrite_placeholders in src/store/postgres_sql.c). A ? inside
 * a string literal, quoted identifier, comment or dollar-quoted body is
 * text, not a parameter; everything else must come through unchanged. No
 * server is needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "store/postgres_conn.h"

struct rw_case {
    const char *in;
    const char *out;
    int         count;
};

static const struct rw_case cases[] = {
    { "", "", 0 },
    { "SELECT 1", "SELECT 1", 0 },
    { "SELECT ?", "SELECT $1", 1 },
    { "INSERT INTO t VALUES (?,?,?)", "INSERT INTO t VALUES ($1,$2,$3)", 3 },
    { "SELECT '?' , ?", "SELECT '?' , $1", 1 },
    { "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1 },
    { "SELECT '', ?", "SELECT '', $1", 1 },
    { "SELECT E'\\'?', ?", "SELECT E'\\'?', $1", 1 },
    /* Without E, a backslash is an ordinary character. */
    { "SELECT '\\', ?", "SELECT '\\', $1", 1 },
    { "SELECT \"a?\" FROM t WHERE x = ?", "SELECT \"a?\" FROM t WHERE x = $1", 1 },
    { "SELECT \"a\"\"?\" = ?", "SELECT \"a\"\"?\" = $1", 1 },
    { "SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2 },
    { "SELECT ? -- to the end?", "SELECT $1 -- to the end?", 1 },
    { "SELECT /* ? /* ? */ ? */ ?", "SELECT /* ? /* ? */ ? */ $1", 1 },
    { "SELECT $$ ? $$, ?", "SELECT $$ ? $$, $1", 1 },
    { "SELECT $q$ ?'$ $q$, ?", "SELECT $q$ ?'$ $q$, $1", 1 },
    { "SELECT a$b, ?", "SELECT a$b, $1", 1 },
    { "SELECT 'unterminated ?", "SELECT 'unterminated ?", 0 },
    { "SELECT ?/**/?", "SELECT $1/**/$2", 2 },
    { "SELECT 5-?", "SELECT 5-$1", 1 },
};

static void test_rewrite_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = -1;
        char *out = pg_rewrite_placeholders(cases[i].in, &n);
        assert_non_null(out);
        if (strcmp(out, cases[i].out) != 0 || n != cases[i].count)
            fail_msg("'%s' became '%s' with %d, want '%s' with %d",
                     cases[i].in, out, n, cases[i].out, cases[i].count);
        sw_free(out);
    }
}

/* Numbers past one digit, and the most a statement may have. */
static void test_rewrite_many(void **state)
{
    (void)state;
    enum { N = SW_STORE_MAX_PARAMS };
    char *in = malloc(2 * N + 1), *want = malloc(6 * N + 1);
    size_t a = 0, b = 0;
    for (int i = 1; i <= N; i++) {
        in[a++] = '?';
        in[a++] = ',';
        b += (size_t)sprintf(want + b, "$%d,", i);
    }
    in[a] = '\0';
    int n = 0;
    char *out = pg_rewrite_placeholders(in, &n);
    assert_int_equal(n, N);
    assert_string_equal(out, want);
    sw_free(out);
    free(in);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rewrite_table),
        cmocka_unit_test(test_rewrite_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
