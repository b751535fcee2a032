/* test_budget.c - the read budget (store_options.read_budget_ms), on each
 * store: a read that would run for minutes is stopped with SW_ECOSTLY and
 * the connection it ran on serves the next read normally; writes are not
 * limited. */
#include "store_test.h"

#include <stdlib.h>
#include <string.h>

/* Counting to a billion takes minutes on either database. */
#define ENDLESS_SQL \
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c " \
    "WHERE x < 1000000000) SELECT count(*) FROM c"

static int endless(store_tx *tx, void *ctx)
{
    int64_t n;
    (void)ctx;
    return store_query_int64(tx, &n, ENDLESS_SQL, NULL);
}

static int trivial(store_tx *tx, void *ctx)
{
    return store_query_int64(tx, ctx, "SELECT 41 + 1", NULL);
}

static void test_long_read_is_stopped(void **state)
{
    (void)state;
    char *url = sw_test_fresh_db();
    sw_store *s;
    sw_err err;
    /* One connection, so the next read reuses the interrupted one. */
    store_options so = { .create = true, .connections = 1, .read_budget_ms = 300 };
    assert_int_equal(store_open(url, &so, &s, &err), SW_OK);
    assert_int_equal(store_read(s, endless, NULL, &err), SW_ECOSTLY);
    assert_int_equal(err.code, SW_ECOSTLY);
    assert_non_null(strstr(err.msg, "narrow it"));
    int64_t v = 0;
    assert_int_equal(store_read(s, trivial, &v, &err), SW_OK);
    assert_int_equal(v, 42);
    store_close(s);
    free(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_read_is_stopped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
