/* sqlite_conn.h - one SQLite connection with its statement cache, as the
 * SQLite backend (sqlite.c) uses it for the writer and for each reader.
 *
 * A connection is used by one thread at a time (the backend guarantees it),
 * so nothing here locks. Statements handed out by sqlite_conn_prepare stay
 * valid until store_finalize or until the backend calls
 * sqlite_conn_release_all after the caller's function returns. */
#ifndef SW_SQLITE_CONN_H
#define SW_SQLITE_CONN_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store_int.h"

struct sqlite_conn;

typedef struct sqlite_stmt {
    store_stmt          base;
    struct sqlite_conn *conn;
    sqlite3_stmt       *stmt;
    int64_t             changes;
    bool                in_use;
    bool                cached;     /* lives in the cache, else heap */
    struct sqlite_stmt *next_loose; /* uncached statements in use */
} sqlite_stmt;

typedef struct sqlite_slot {
    uint64_t    hash;
    char       *sql;       /* owned copy, NULL when the slot is empty */
    uint64_t    last_used;
    sqlite_stmt st;
} sqlite_slot;

typedef struct sqlite_conn {
    sqlite3    *db;
    store_tx    tx;          /* the tx handed to callers' functions */
    sqlite_slot cache[SW_STORE_STMT_CACHE];
    uint64_t    tick;
    sqlite_stmt *loose;      /* uncached statements in use */
    int64_t     deadline_us; /* a read past it is interrupted; 0: none */
    int         budget_ms;   /* the read budget, for the message */
} sqlite_conn;

/* Opens path with the pragmas of a writer or a reader. */
int  sqlite_conn_open(sqlite_conn *c, const char *path, bool writer,
                      bool create, sw_err *err);
void sqlite_conn_close(sqlite_conn *c);
/* Starts (budget_ms > 0) or ends (0) the time limit of a read. */
void sqlite_conn_deadline(sqlite_conn *c, int budget_ms);
/* Runs one statement without parameters through the cache. */
int  sqlite_conn_exec(sqlite_conn *c, const char *sql);
/* Resets every statement still in use (a caller that forgot to finalize
 * must not hold locks past its transaction). */
void sqlite_conn_release_all(sqlite_conn *c);
/* Maps an SQLite result code to ours and records the message on the tx. */
int  sqlite_conn_fail(sqlite_conn *c, int src);

/* Statement methods, used by the backend table in sqlite.c. */
int  sqlite_exec_script(store_tx *tx, const char *sql);
int  sqlite_prepare(store_tx *tx, const char *sql, store_stmt **out);
int  sqlite_bind_int64(store_stmt *st, int i, int64_t v);
int  sqlite_bind_double(store_stmt *st, int i, double v);
int  sqlite_bind_text(store_stmt *st, int i, const char *s, size_t n);
int  sqlite_bind_blob(store_stmt *st, int i, const void *p, size_t n);
int  sqlite_bind_null(store_stmt *st, int i);
int  sqlite_step(store_stmt *st, bool *row);
int  sqlite_col_count(store_stmt *st);
bool sqlite_col_null(store_stmt *st, int col);
int64_t     sqlite_col_int64(store_stmt *st, int col);
double      sqlite_col_double(store_stmt *st, int col);
const char *sqlite_col_text(store_stmt *st, int col, size_t *n);
const void *sqlite_col_blob(store_stmt *st, int col, size_t *n);
int64_t     sqlite_changes(store_stmt *st);
void sqlite_finalize(store_stmt *st);

#endif
