/* migrate.c - reading the schema version and applying migrations.
 *
 * `stagewise init` calls store_migrate; `stagewise serve` calls
 * store_schema_check and refuses to run on a database that is older (run
 * init) or newer (upgrade the program) than the binary. Each migration runs
 * in its own write transaction, and re-reads the version inside it, so two
 * init processes racing on one database apply each step once. */
#include "store_int.h"
#include "migrations.h"

#include <stdio.h>

#include "core/clock.h"

#define BOOKKEEPING_SQL \
    "CREATE TABLE IF NOT EXISTS schema_migrations (\n" \
    "  version    INTEGER NOT NULL PRIMARY KEY,\n" \
    "  name       TEXT NOT NULL,\n" \
    "  applied_at TEXT NOT NULL\n" \
    ")"

int store_schema_latest(void)
{
    size_t n;
    const store_migration *m = store_migrations(&n);
    (void)m;
    return (int)n;
}

/* The version inside tx; 0 when the bookkeeping table does not exist. */
static int version_in(store_tx *tx, int *version)
{
    const char *exists_sql = store_tx_kind(tx) == STORE_SQLITE
        ? "SELECT count(*) FROM sqlite_master "
          "WHERE type = 'table' AND name = 'schema_migrations'"
        : "SELECT count(*) FROM information_schema.tables "
          "WHERE table_schema = current_schema() "
          "AND table_name = 'schema_migrations'";
    int64_t exists = 0, v = 0;
    int rc = store_query_int64(tx, &exists, exists_sql, NULL);
    if (rc != SW_OK)
        return rc;
    if (exists) {
        rc = store_query_int64(tx, &v,
            "SELECT coalesce(max(version), 0) FROM schema_migrations", NULL);
        if (rc != SW_OK)
            return rc;
    }
    *version = (int)v;
    return SW_OK;
}

static int read_version(store_tx *tx, void *ctx)
{
    return version_in(tx, ctx);
}

int store_schema_version(sw_store *s, int *version, sw_err *err)
{
    *version = 0;
    return store_read(s, read_version, version, err);
}

struct step {
    const store_migration *m;
    int                    version;   /* its place in the list, from 1 */
    int applied;   /* out: 1 if this call applied it */
};

static int apply_step(store_tx *tx, void *ctx)
{
    struct step *st = ctx;
    st->applied = 0;
    int rc = store_exec_script(tx, BOOKKEEPING_SQL);
    if (rc != SW_OK)
        return rc;
    int have = 0;
    rc = version_in(tx, &have);
    if (rc != SW_OK)
        return rc;
    if (have >= st->version)
        return SW_OK;                 /* another process got here first */
    if (have != st->version - 1)
        return store_tx_fail(tx, SW_ESCHEMA,
                             "the database is at schema version %d, which "
                             "cannot be upgraded to %d in one step", have,
                             st->version);
    const char *sql = st->m->sql;
    if (store_tx_kind(tx) == STORE_SQLITE && st->m->sqlite_sql)
        sql = st->m->sqlite_sql;
    if (store_tx_kind(tx) == STORE_POSTGRES && st->m->postgres_sql)
        sql = st->m->postgres_sql;
    rc = store_exec_script(tx, sql);
    if (rc != SW_OK)
        return rc;
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    rc = store_exec(tx, NULL,
                    "INSERT INTO schema_migrations (version, name, applied_at) "
                    "VALUES (?, ?, ?)",
                    "itt", (int64_t)st->version, st->m->name, now);
    if (rc == SW_OK)
        st->applied = 1;
    return rc;
}

int store_migrate(sw_store *s, int *from, int *to, sw_err *err)
{
    int have = 0;
    int rc = store_schema_version(s, &have, err);
    if (rc != SW_OK)
        return rc;
    if (from)
        *from = have;
    if (to)
        *to = have;
    int latest = store_schema_latest();
    if (have > latest)
        return sw_err_set(err, SW_ESCHEMA,
                          "the database %s has schema version %d, newer than "
                          "this stagewise (%d); upgrade stagewise",
                          store_display(s), have, latest);
    size_t n;
    const store_migration *m = store_migrations(&n);
    for (size_t i = 0; i < n; i++) {
        int version = (int)i + 1;
        if (version <= have)
            continue;
        struct step st = { .m = &m[i], .version = version };
        rc = store_write(s, apply_step, &st, err);
        if (rc != SW_OK)
            return rc;
        if (to)
            *to = version;
    }
    return SW_OK;
}

int store_schema_check(sw_store *s, sw_err *err)
{
    int have = 0;
    int rc = store_schema_version(s, &have, err);
    if (rc != SW_OK)
        return rc;
    int latest = store_schema_latest();
    if (have == latest)
        return SW_OK;
    if (have == 0)
        return sw_err_set(err, SW_ESCHEMA,
                          "the database %s has no Stagewise schema; run "
                          "stagewise init --db %s first",
                          store_display(s), store_display(s));
    if (have > latest)
        return sw_err_set(err, SW_ESCHEMA,
                          "the database %s has schema version %d, newer than "
                          "this stagewise (%d); upgrade stagewise",
                          store_display(s), have, latest);
    return sw_err_set(err, SW_ESCHEMA,
                      "the database %s has schema version %d, older than this "
                      "stagewise (%d); run stagewise init --db %s to upgrade it",
                      store_display(s), have, latest, store_display(s));
}
