/* backup_record.c - the records of backups, restores and restore drills
 * (table ops_record), which the metrics' backup age and the readiness
 * checklist read. record_id is the time in ms, moved past the newest
 * record so two records in one millisecond stay distinct. */
#include "store/backup.h"

#include "core/clock.h"

struct record_ctx {
    const char *kind;
    bool        ok;
    const char *detail;
    const char *sha;
    int64_t     now;
};

static int record_fn(store_tx *tx, void *arg)
{
    struct record_ctx *c = arg;
    int64_t last = 0;
    int rc = store_query_int64(tx, &last, "SELECT COALESCE(MAX(record_id), 0) "
                               "FROM ops_record", "");
    if (rc != SW_OK)
        return rc;
    int64_t id = c->now > last ? c->now : last + 1;
    return store_exec(tx, NULL, "INSERT INTO ops_record (record_id, kind, "
                      "at_ms, ok, detail, manifest_sha256) VALUES "
                      "(?, ?, ?, ?, ?, ?)", "itiitt", id, c->kind, c->now,
                      (int64_t)(c->ok ? 1 : 0), c->detail, c->sha);
}

int backup_record(sw_store *s, const char *kind, bool ok, const char *detail,
                  const char *manifest_sha256, sw_err *err)
{
    struct record_ctx c = { kind, ok, detail, manifest_sha256 ? manifest_sha256 : "",
                            sw_now_wall_ms() };
    return store_write(s, record_fn, &c, err);
}
