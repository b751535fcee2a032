/* store.h - the one storage interface every area uses.
 *
 * A store is a database holding one or more practices: SQLite (the embedded
 * default, `sqlite:PATH`) or PostgreSQL (`postgresql://…`, a libpq URI).
 * Callers never see which; they hand the store a function to run inside a
 * transaction and speak portable SQL through prepared statements.
 *
 *   store_write(s, fn, ctx)  runs fn in a read-write transaction and returns
 *                            only once the commit is durable (SQLite WAL with
 *                            synchronous=FULL; PostgreSQL synchronous commit).
 *                            Concurrent writers share one transaction and one
 *                            fsync (group commit) where the backend needs it;
 *                            each fn still succeeds or fails on its own.
 *   store_read(s, fn, ctx)   runs fn against a consistent snapshot, in
 *                            parallel with other readers and the writer.
 *
 * Contract for fn:
 * - Return SW_OK to keep its changes, any other code to undo exactly its own
 *   changes; that code is what store_write returns. Failures of store_*
 *   calls inside fn are recorded on the tx (store_tx_err) and returned as
 *   codes; fn must pass them up: after a failed statement the transaction
 *   may be unusable (PostgreSQL discards it), and a fn that returns SW_OK
 *   anyway is reported as failed.
 * - fn may run on another thread than the caller's, and may be run more
 *   than once (PostgreSQL retries serialization failures), so it must only
 *   touch ctx and the tx, and must leave ctx fit to run again.
 * - fn must not call store_write or store_read itself.
 * - Writers are serializable: a fn that reads, decides and writes sees no
 *   interleaved commit of another writer.
 *
 * A store_read that runs longer than the store's read budget is stopped
 * and returns SW_ECOSTLY; writes are short by construction and have none.
 *
 * SQL: one dialect both backends accept. Parameters are `?`, bound from 1;
 * columns are read from 0. Text and blob results stay valid until the next
 * store_step or store_finalize of that statement. A unique or primary-key
 * violation returns SW_ECONFLICT. Never build SQL text from input: bind it.
 *
 * Every table carries practice_id first in its key (see docs/store.md). */
#ifndef SW_STORE_H
#define SW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"

typedef struct sw_store   sw_store;
typedef struct store_tx   store_tx;
typedef struct store_stmt store_stmt;

typedef enum store_kind {
    STORE_SQLITE   = 1,
    STORE_POSTGRES = 2,
} store_kind;

typedef struct store_options {
    /* Create an SQLite file that does not exist yet (stagewise init); without
     * it a missing file is an error naming `stagewise init`. */
    bool create;
    /* Parallel readers: SQLite read connections, PostgreSQL pool size.
     * 0 picks a default. */
    int  connections;
    /* The longest a store_read may run before it is stopped with
     * SW_ECOSTLY, in ms: 0 is SW_STORE_READ_BUDGET_MS, negative none. */
    int  read_budget_ms;
} store_options;

/* Opens the store named by url (see docs/store.md for the forms). On
 * failure *out is NULL and err says what was wrong in one sentence. */
int  store_open(const char *url, const store_options *opt, sw_store **out,
                sw_err *err);
/* Finishes queued writes, closes every connection. Accepts NULL. */
void store_close(sw_store *s);

store_kind  store_kind_of(const sw_store *s);
/* The URL with any password removed, for logs and messages. */
const char *store_display(const sw_store *s);
/* SW_OK when the database answers a trivial query. */
int store_ping(sw_store *s, sw_err *err);

typedef int (*store_fn)(store_tx *tx, void *ctx);

int store_write(sw_store *s, store_fn fn, void *ctx, sw_err *err);
int store_read(sw_store *s, store_fn fn, void *ctx, sw_err *err);

/* Read routing (docs/store.md "Reads on a hot standby"). store_set_replica
 * gives the primary s a second store on a streaming-replication standby
 * (serve --db-replica), or takes it away with NULL; s does not own it and
 * it must outlive s's use. store_read_replica runs fn there: only for reads
 * that may lag the primary by the replication delay (FHIR searches,
 * reports), never for a read of the caller's own recent write. Without a
 * replica, or when the replica cannot be reached, it is store_read on s
 * (the fallback is logged once per outage). */
void store_set_replica(sw_store *s, sw_store *replica);
int  store_read_replica(sw_store *s, store_fn fn, void *ctx, sw_err *err);

/* ---- Inside fn ----------------------------------------------------------- */

store_kind store_tx_kind(const store_tx *tx);
/* The error recorded by the last failing call on this tx. */
const sw_err *store_tx_err(const store_tx *tx);
/* Records an error of fn's own on the tx (so store_write reports its
 * message) and returns code. */
int store_tx_fail(store_tx *tx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepared statements are cached per connection; finalize returns one to
 * the cache. */
int  store_prepare(store_tx *tx, const char *sql, store_stmt **out);
int  store_bind_int64(store_stmt *st, int i, int64_t v);
int  store_bind_double(store_stmt *st, int i, double v);
int  store_bind_text(store_stmt *st, int i, const char *s, size_t n);
int  store_bind_cstr(store_stmt *st, int i, const char *s); /* NULL binds NULL */
int  store_bind_blob(store_stmt *st, int i, const void *p, size_t n);
int  store_bind_null(store_stmt *st, int i);
/* Runs or advances the statement: *row is true while a row is available. */
int  store_step(store_stmt *st, bool *row);
int  store_col_count(store_stmt *st);
bool store_col_null(store_stmt *st, int col);
int64_t     store_col_int64(store_stmt *st, int col);
double      store_col_double(store_stmt *st, int col);
const char *store_col_text(store_stmt *st, int col, size_t *n); /* "" for NULL */
const void *store_col_blob(store_stmt *st, int col, size_t *n);
/* Rows changed by a finished INSERT/UPDATE/DELETE. */
int64_t store_changes(store_stmt *st);
void store_finalize(store_stmt *st);

/* Shorthands. `types` names each argument that follows:
 *   'i' int64_t   't' const char * (NUL-terminated; NULL binds NULL)
 *   's' const char *, size_t        'b' const void *, size_t
 *   'n' NULL (takes no argument)
 * store_exec runs a statement to completion and, when changes is not NULL,
 * reports the rows it changed. store_query_int64 reads column 0 of the
 * first row; SW_ENOTFOUND when there is none. */
int store_exec(store_tx *tx, int64_t *changes, const char *sql,
               const char *types, ...);
int store_query_int64(store_tx *tx, int64_t *out, const char *sql,
                      const char *types, ...);
/* Several statements without parameters (schema migrations). */
int store_exec_script(store_tx *tx, const char *sql);

/* ---- Schema -------------------------------------------------------------- */

/* The schema version this program writes. */
int store_schema_latest(void);
/* The version in the database; 0 when it has no Stagewise schema. */
int store_schema_version(sw_store *s, int *version, sw_err *err);
/* Applies missing migrations, each in its own transaction. Refuses a
 * database newer than this program. */
int store_migrate(sw_store *s, int *from, int *to, sw_err *err);
/* SW_OK when the database is exactly at store_schema_latest(); otherwise
 * SW_ESCHEMA with a sentence saying what to do. */
int store_schema_check(sw_store *s, sw_err *err);

#endif
