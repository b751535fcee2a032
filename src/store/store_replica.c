/* store_replica.c - sending read-only searches and reports to a hot
 * standby (serve --db-replica), with the primary as the fallback.
 *
 * A streaming-replication standby answers the same SQL as the primary but
 * a little behind it, so only reads that tolerate that lag come here; the
 * call sites are chosen in docs/store.md "Reads on a hot standby". When the
 * standby cannot be reached the read runs on the primary instead: a search
 * must not fail because a copy is down. That is logged once when the
 * outage starts and once when it ends, not at every request.
 *
 * Nobody reads around their own write: the primary store keeps the WAL
 * position after this process's latest commit (postgres.c), and a read
 * whose standby has not replayed that far runs on the primary. The web
 * chart searches right after the visit flow writes, so this matters.
 *
 * Each read is counted in stagewise_store_replica_reads_total by the store
 * that served it, so an operator (and the replica test) can see that the
 * standby carries the load. */
#include "store_int.h"

#include "core/log.h"
#include "core/metrics.h"

void store_set_replica(sw_store *s, sw_store *replica)
{
    s->replica = replica;
    atomic_store(&s->replica_down, 0);
}

/* Failures that say the standby (not the query) is the trouble: lost or
 * refused connections, a session that could not be set up, and queries
 * cancelled by recovery conflicts that outlived their retries. */
static bool replica_unusable(int rc)
{
    return rc == SW_ESTORE || rc == SW_EIO || rc == SW_EBUSY;
}

struct guard {
    const sw_store *primary;
    store_fn        fn;
    void           *ctx;
    bool            behind;
};

/* Runs the caller's fn on the standby only once it has replayed every
 * write this process committed before the read began; otherwise records
 * that it is behind (the read then runs on the primary). The check is the
 * transaction's first statement, so the snapshot fn sees is at least as
 * new. pg_last_wal_replay_lsn is NULL on a server that is not a standby,
 * which counts as behind. */
static int guard_fn(store_tx *tx, void *arg)
{
    struct guard *g = arg;
    g->behind = false;
    uint64_t need = atomic_load(&g->primary->written_lsn);
    if (need > 0) {
        int64_t replayed = 0;
        int rc = store_query_int64(tx, &replayed, "SELECT COALESCE(("
                                   "pg_last_wal_replay_lsn() - '0/0'::pg_lsn)"
                                   "::bigint, 0)", NULL);
        if (rc != SW_OK)
            return rc;
        if ((uint64_t)replayed < need) {
            g->behind = true;
            return store_tx_fail(tx, SW_EBUSY, "the replica has not yet "
                                 "replayed this server's latest write");
        }
    }
    return g->fn(tx, g->ctx);
}

int store_read_replica(sw_store *s, store_fn fn, void *ctx, sw_err *err)
{
    if (s->replica == NULL)
        return store_read(s, fn, ctx, err);
    sw_err why = { 0 };
    struct guard g = { s, fn, ctx, false };
    int rc = store_read(s->replica, guard_fn, &g, &why);
    if (g.behind) {
        /* Not an outage: a write of a moment ago is still on its way. */
        sw_metrics_replica_read("primary");
        return store_read(s, fn, ctx, err);
    }
    if (!replica_unusable(rc)) {
        if (atomic_exchange(&s->replica_down, 0))
            sw_info("store: the replica %s answers again; reads go to it",
                    store_display(s->replica));
        sw_metrics_replica_read("replica");
        if (rc != SW_OK && err != NULL)
            *err = why;
        return rc;
    }
    if (!atomic_exchange(&s->replica_down, 1))
        sw_warn("store: the replica %s failed (%s); reads go to the primary "
                "until it answers again", store_display(s->replica),
                sw_err_text(&why));
    sw_metrics_replica_read("primary");
    return store_read(s, fn, ctx, err);
}
