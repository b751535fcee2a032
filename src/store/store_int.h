/* store_int.h - what a storage backend implements. Only src/store/ includes it.
 *
 * A backend is one store_backend table, filled with designated initializers
 * and listed in store.c's backend table. store_open parses the URL, picks the
 * backend by scheme, checks that the table has every method (a missing one
 * is reported by name, not discovered by a crash) and calls open.
 *
 * Each backend embeds the base structs below as the first member of its own
 * (struct sqlite_store { sw_store base; … }), so store.c can dispatch
 * through base.be and the backend can cast back.
 *
 * Errors: every failing method records code and message on the tx
 * (store_tx_set_err) and returns the code. Backends map a unique or
 * primary-key violation to SW_ECONFLICT, a lost connection to SW_ESTORE, a
 * serialization failure that outlived its retries or exhausted resources to
 * SW_EBUSY, and other database errors to SW_EIO, with the database's
 * message.
 *
 * How to add a backend: docs/store.md. */
#ifndef SW_STORE_INT_H
#define SW_STORE_INT_H

#include <stdatomic.h>

#include "store.h"
#include "core/limits.h"

typedef struct store_backend store_backend;

/* A parsed store URL. */
typedef struct store_url {
    store_kind kind;
    char path[SW_STORE_MAX_URL_BYTES];     /* SQLite: the file */
    char conninfo[SW_STORE_MAX_URL_BYTES]; /* PostgreSQL: the libpq URI */
    char display[SW_STORE_MAX_URL_BYTES];  /* without password */
} store_url;

int store_url_parse(const char *url, store_url *out, sw_err *err);

struct sw_store {
    const store_backend *be;
    char display[SW_STORE_MAX_URL_BYTES];
    /* The hot standby store_read_replica sends reads to (store_replica.c);
     * NULL when none. Not owned. replica_down is set while it fails, so
     * the fallback to the primary is logged once per outage. */
    sw_store    *replica;
    _Atomic int  replica_down;
    /* With a replica: the primary's WAL position (pg_current_wal_lsn) read
     * after this process's latest write committed; a replica read waits
     * for nothing and goes to the primary while the standby has not
     * replayed up to it, so nobody reads around their own write. */
    _Atomic uint64_t written_lsn;
};

struct store_tx {
    const store_backend *be;
    sw_err err;
};

struct store_stmt {
    const store_backend *be;
    store_tx *tx;
};

struct store_backend {
    const char *name;
    store_kind  kind;

    /* Opens and verifies the database is reachable; fills *out. */
    int  (*open)(const store_url *url, const store_options *opt,
                 sw_store **out, sw_err *err);
    void (*close)(sw_store *s);
    int  (*ping)(sw_store *s, sw_err *err);
    int  (*write)(sw_store *s, store_fn fn, void *ctx, sw_err *err);
    int  (*read)(sw_store *s, store_fn fn, void *ctx, sw_err *err);

    int  (*exec_script)(store_tx *tx, const char *sql);
    int  (*prepare)(store_tx *tx, const char *sql, store_stmt **out);
    int  (*bind_int64)(store_stmt *st, int i, int64_t v);
    int  (*bind_double)(store_stmt *st, int i, double v);
    int  (*bind_text)(store_stmt *st, int i, const char *s, size_t n);
    int  (*bind_blob)(store_stmt *st, int i, const void *p, size_t n);
    int  (*bind_null)(store_stmt *st, int i);
    int  (*step)(store_stmt *st, bool *row);
    int  (*col_count)(store_stmt *st);
    bool (*col_null)(store_stmt *st, int col);
    int64_t     (*col_int64)(store_stmt *st, int col);
    double      (*col_double)(store_stmt *st, int col);
    const char *(*col_text)(store_stmt *st, int col, size_t *n);
    const void *(*col_blob)(store_stmt *st, int col, size_t *n);
    int64_t     (*changes)(store_stmt *st);
    void (*finalize)(store_stmt *st);
};

/* Returns SW_OK, or SW_EINTERNAL naming the first missing method. */
int store_backend_check(const store_backend *be, sw_err *err);

/* Records an error on the tx and returns code. */
int store_tx_set_err(store_tx *tx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies the tx's error into err when it describes rc, otherwise the
 * default message of rc. Used by backends when fn returns. */
void store_tx_report(const store_tx *tx, int rc, sw_err *err);

extern const store_backend store_sqlite_backend;
extern const store_backend store_postgres_backend;

#endif
