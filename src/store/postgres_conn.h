/* postgres_conn.h - one PostgreSQL connection with its prepared-statement
 * cache, as the PostgreSQL backend (postgres.c) uses it for each pool slot.
 *
 * A connection is used by one thread at a time (the pool guarantees it), so
 * nothing here locks. Statements handed out by pg_prepare stay valid until
 * store_finalize or until the backend calls pg_conn_release_all after the
 * caller's function returns. When the server goes away the connection is
 * marked broken; the backend resets it before anyone uses it again. */
#ifndef SW_POSTGRES_CONN_H
#define SW_POSTGRES_CONN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "store_int.h"

struct pg_conn;

/* Storage behind one bound value. */
typedef struct pg_param {
    char  *heap;            /* owned copy of a text or blob value */
    size_t cap;
    char   num[32];         /* an int64 in decimal, or a double (%.17g) */
} pg_param;

typedef struct pg_stmt {
    store_stmt      base;
    struct pg_conn *conn;
    char            name[16];   /* server-side name; "" when uncached */
    char           *sql;        /* $n text, owned; only kept when uncached */
    int             nparams;    /* placeholders in the text */
    /* Parameter arrays in the shape PQexecPrepared takes, one allocation,
     * made at the first bind and kept while the statement is cached. */
    const char    **values;
    int            *lengths;
    int            *formats;
    pg_param       *params;
    PGresult       *res;
    int             row;        /* current row of res; -1 before the first */
    bool            done;       /* ran to completion; a step re-executes */
    int64_t         changes;
    /* bytea values of the current row, decoded on demand, per column. */
    unsigned char **blobs;
    size_t         *blob_lens;
    int             nblobs;
    bool            in_use;
    bool            cached;     /* lives in the cache, else heap */
    struct pg_stmt *next_loose; /* uncached statements in use */
} pg_stmt;

typedef struct pg_slot {
    uint64_t hash;
    char    *sql;               /* the ? text (the key), owned; NULL if empty */
    uint64_t last_used;
    pg_stmt  st;
} pg_slot;

typedef struct pg_conn {
    PGconn     *pg;             /* NULL until first used */
    const char *conninfo;       /* the store's; may hold a password */
    const char *display;        /* the store's, without password */
    store_tx    tx;             /* the tx handed to callers' functions */
    pg_slot     cache[SW_STORE_STMT_CACHE];
    uint64_t    tick;
    unsigned    next_name;
    pg_stmt    *loose;
    bool        broken;         /* lost; reset before the next use */
    bool        serial_fail;    /* this tx hit 40001 or 40P01 */
    sw_err      abort_err;      /* the first error that aborted this tx */
} pg_conn;

/* Sets up a pool slot without connecting. */
void pg_conn_init(pg_conn *c, const char *conninfo, const char *display);
/* Opens the connection (or resets a broken one) and applies the session
 * settings; err gets one sentence saying why it failed. */
int  pg_conn_connect(pg_conn *c, sw_err *err);
void pg_conn_close(pg_conn *c);
/* Checks that the URI parses, without touching the network. */
int  pg_conninfo_check(const char *conninfo, const char *display, sw_err *err);

/* Clears the per-transaction state before BEGIN. */
void pg_conn_tx_start(pg_conn *c);
/* Runs one statement without parameters; failures are recorded on the tx. */
int  pg_conn_exec(pg_conn *c, const char *sql);
/* Runs one statement and ignores the outcome (ROLLBACK after a failure,
 * which must not replace the error being reported). */
void pg_conn_exec_quiet(pg_conn *c, const char *sql);
/* COMMIT, failing when the server answers ROLLBACK (an aborted tx). */
int  pg_conn_commit(pg_conn *c);
/* Returns every statement still in use to the cache. */
void pg_conn_release_all(pg_conn *c);
/* Forgets the prepared statements (the server forgot them with the session). */
void pg_conn_drop_statements(pg_conn *c);
/* Maps a failed result to our code and records it on the tx. */
int  pg_conn_fail(pg_conn *c, const PGresult *res);
/* The connection behind a tx handed to a caller's function. */
pg_conn *pg_conn_of(store_tx *tx);

/* Statement methods, used by the backend table in postgres.c. */
int  pg_exec_script(store_tx *tx, const char *sql);
int  pg_prepare(store_tx *tx, const char *sql, store_stmt **out);
int  pg_bind_int64(store_stmt *st, int i, int64_t v);
int  pg_bind_double(store_stmt *st, int i, double v);
int  pg_bind_text(store_stmt *st, int i, const char *s, size_t n);
int  pg_bind_blob(store_stmt *st, int i, const void *p, size_t n);
int  pg_bind_null(store_stmt *st, int i);
int  pg_step(store_stmt *st, bool *row);
int  pg_col_count(store_stmt *st);
bool pg_col_null(store_stmt *st, int col);
int64_t     pg_col_int64(store_stmt *st, int col);
double      pg_col_double(store_stmt *st, int col);
const char *pg_col_text(store_stmt *st, int col, size_t *n);
const void *pg_col_blob(store_stmt *st, int col, size_t *n);
int64_t     pg_changes(store_stmt *st);
void pg_finalize(store_stmt *st);

/* Rewrites ? placeholders to $1..$n, leaving string literals, quoted
 * identifiers, comments and dollar-quoted text alone. Returns an sw_malloc'd
 * string, or NULL when out of memory; *count gets the placeholders. */
char *pg_rewrite_placeholders(const char *sql, int *count);

#endif
