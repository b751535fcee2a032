/* test_failalloc.c - running out of memory, on each backend. store_open and
 * then a write are run with the 1st, 2nd, 3rd, … allocation failing until
 * they get through without a failure. Every failure must come back as a
 * clean error (a write may also absorb one, e.g. by running a statement
 * uncached), must not leave half a write behind, and must leak nothing once
 * the store is closed (tests/support/failalloc.h counts live blocks). */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failalloc.h"
#include "testdb.h"

#define MAX_STEPS 2000

static void test_open_out_of_memory(void **state)
{
    (void)state;
    char *url = sw_test_fresh_db();
    store_options opt = { .create = true, .connections = 4 };
    long n;
    bool clean_run = false;
    for (n = 1; n < MAX_STEPS && !clean_run; n++) {
        sw_failalloc_install();
        sw_failalloc_fail_at(n);
        sw_store *s = (sw_store *)&s;         /* must be reset to NULL */
        sw_err err = { 0 };
        int rc = store_open(url, &opt, &s, &err);
        bool failed = sw_failalloc_failed();
        sw_failalloc_fail_at(0);
        if (rc == SW_OK) {
            assert_non_null(s);
            st_assert_rc(store_ping(s, &err), SW_OK, &err);
            store_close(s);
            clean_run = !failed;
        } else {
            if (!failed)
                fail_msg("step %ld: open failed without an allocation "
                         "failure: %s", n, err.msg);
            assert_null(s);
            assert_int_equal(err.code, rc);
            if (rc != SW_ENOMEM)
                fail_msg("step %ld: code %d, not out_of_memory: %s", n, rc,
                         err.msg);
        }
        long live = sw_failalloc_live();
        sw_failalloc_uninstall();
        if (live != 0)
            fail_msg("step %ld: %ld blocks leaked", n, live);
    }
    assert_true(clean_run);
    assert_true(n > 2);            /* at least one failure was exercised */
    fprintf(stderr, "store_open: %ld failing allocations, each handled\n", n - 2);
    free(url);
}

/* A write that allocates in many places: statement texts and cache
 * entries, parameter arrays and copies, and decoded blob results. */
struct heavy {
    int64_t id;
};

static const char payload[] = "blob\0with\0nul\xff bytes";
static const char text[] = "some text that needs a copy";

static int heavy_fn(store_tx *tx, void *ctx)
{
    const struct heavy *h = ctx;
    for (int64_t k = 0; k < 3; k++) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO heavy (id, part, t, b) "
                 "VALUES (?, %d, ?, ?)", (int)k);
        ST_TRY(tx, store_exec(tx, NULL, sql, "isb", h->id, text,
                              sizeof text - 1, payload, sizeof payload));
    }
    store_stmt *st;
    ST_TRY(tx, store_prepare(tx, "SELECT b, t FROM heavy WHERE id = ? "
                             "ORDER BY part", &st));
    ST_TRY(tx, store_bind_int64(st, 1, h->id));
    bool row;
    int rows = 0;
    int rc;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        size_t n = 0;
        const void *b = store_col_blob(st, 0, &n);
        if (b == NULL)                  /* out of memory decoding it */
            return store_tx_err(tx)->code;
        ST_EQ(tx, n, sizeof payload);
        ST_CHECK(tx, memcmp(b, payload, n) == 0);
        rows++;
    }
    store_finalize(st);
    if (rc != SW_OK)
        return rc;
    ST_EQ(tx, rows, 3);
    return SW_OK;
}

static void test_write_out_of_memory(void **state)
{
    (void)state;
    char *url;
    sw_store *s = st_open_fresh(&url, 2);
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE TABLE heavy (id BIGINT NOT NULL, "
             "part BIGINT NOT NULL, t TEXT, b %s, PRIMARY KEY (id, part))",
             st_blob_type(s));
    st_script(s, sql);
    store_close(s);

    long n;
    bool clean_run = false;
    for (n = 1; n < MAX_STEPS && !clean_run; n++) {
        sw_failalloc_install();
        s = st_open(url, 2);
        struct heavy h = { .id = n };
        sw_err err = { 0 };
        sw_failalloc_fail_at(n);
        int rc = store_write(s, heavy_fn, &h, &err);
        bool failed = sw_failalloc_failed();
        sw_failalloc_fail_at(0);
        if (rc != SW_OK && rc != SW_ENOMEM)
            fail_msg("step %ld: code %d: %s", n, rc, err.msg);
        if (rc == SW_ENOMEM && !failed)
            fail_msg("step %ld: out of memory without a failure", n);
        /* All or nothing. */
        char count[128];
        snprintf(count, sizeof count,
                 "SELECT count(*) FROM heavy WHERE id = %ld", n);
        assert_int_equal(st_int(s, count), rc == SW_OK ? 3 : 0);
        store_close(s);
        clean_run = rc == SW_OK && !failed;
        long live = sw_failalloc_live();
        sw_failalloc_uninstall();
        if (live != 0)
            fail_msg("step %ld: %ld blocks leaked", n, live);
    }
    assert_true(clean_run);
    assert_true(n > 2);
    fprintf(stderr, "store_write: %ld failing allocations, each handled\n", n - 2);
    free(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_out_of_memory),
        cmocka_unit_test(test_write_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
