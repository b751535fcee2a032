/* test_replica.c - read routing (store_set_replica, store_read_replica),
 * on each store, with a second database standing in for the standby: the
 * two hold different values, so each read shows which one served it.
 *
 * Checked: without a replica the read is the primary's; with one it is
 * the replica's and counted as such; a replica read that fails with a
 * connection-class error runs on the primary and is counted there, while
 * an ordinary answer of fn (not found) is passed through; on PostgreSQL a
 * write through the primary makes the next routed read go to the primary,
 * because the stand-in never replays it (read-your-writes), while SQLite
 * has no such tracking. The real standby is in
 * tests/integration/test_pg_replica.c. */
#include "store_test.h"

#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"

struct probe {
    int64_t v;
    int     fail_on;   /* the value whose store pretends to be unreachable */
    int     missing;   /* return SW_ENOTFOUND instead */
};

static int probe_fn(store_tx *tx, void *arg)
{
    struct probe *p = arg;
    int rc = store_query_int64(tx, &p->v, "SELECT v FROM which", NULL);
    if (rc != SW_OK)
        return rc;
    if (p->v == p->fail_on)
        return store_tx_fail(tx, SW_ESTORE, "pretending the store is down");
    if (p->missing)
        return store_tx_fail(tx, SW_ENOTFOUND, "nothing here");
    return SW_OK;
}

static int bump_fn(store_tx *tx, void *arg)
{
    (void)arg;
    return store_exec(tx, NULL, "UPDATE which SET v = v", NULL);
}

static uint64_t served(const char *by)
{
    return sw_metric_counter_value(sw_metric_series(&sw_m_store_replica_reads,
                                                    (const char *const[]){ by }));
}

static void reads_are_routed_to_the_replica_and_fall_back(void **state)
{
    (void)state;
    sw_store *primary = st_open_fresh(NULL, 2);
    sw_store *replica = st_open_fresh(NULL, 2);
    st_script(primary, "CREATE TABLE which (v BIGINT NOT NULL);"
                       "INSERT INTO which VALUES (1)");
    st_script(replica, "CREATE TABLE which (v BIGINT NOT NULL);"
                       "INSERT INTO which VALUES (2)");
    sw_err err;
    struct probe p = { 0 };

    assert_int_equal(store_read_replica(primary, probe_fn, &p, &err), SW_OK);
    assert_int_equal(p.v, 1);

    store_set_replica(primary, replica);
    uint64_t r0 = served("replica"), p0 = served("primary");
    assert_int_equal(store_read_replica(primary, probe_fn, &p, &err), SW_OK);
    assert_int_equal(p.v, 2);
    assert_int_equal(served("replica"), r0 + 1);

    /* fn's own answer is the answer, from the replica. */
    p.missing = 1;
    assert_int_equal(store_read_replica(primary, probe_fn, &p, &err),
                     SW_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nothing here"));
    p.missing = 0;

    /* The replica "is down": the primary answers, twice (logged once). */
    p.fail_on = 2;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(store_read_replica(primary, probe_fn, &p, &err), SW_OK);
        assert_int_equal(p.v, 1);
    }
    assert_int_equal(served("primary"), p0 + 2);
    p.fail_on = 0;
    assert_int_equal(store_read_replica(primary, probe_fn, &p, &err), SW_OK);
    assert_int_equal(p.v, 2);

    /* After a write through the primary, a PostgreSQL replica that has not
     * replayed it is passed over. */
    assert_int_equal(store_write(primary, bump_fn, NULL, &err), SW_OK);
    assert_int_equal(store_read_replica(primary, probe_fn, &p, &err), SW_OK);
    assert_int_equal(p.v, st_is_pg() ? 1 : 2);

    store_set_replica(primary, NULL);
    assert_int_equal(store_read_replica(primary, probe_fn, &p, &err), SW_OK);
    assert_int_equal(p.v, 1);
    store_close(replica);
    store_close(primary);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_are_routed_to_the_replica_and_fall_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
