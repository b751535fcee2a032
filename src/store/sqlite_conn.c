/* sqlite_conn.c - an SQLite connection, its pragmas, its statement cache and
 * the statement methods of the SQLite backend.
 *
 * Requests run the same few statements over and over, so every statement is
 * prepared once per connection and kept in a small cache keyed by its text
 * (SW_STORE_STMT_CACHE slots, least recently used evicted). A statement that
 * is already in use when the same text is asked for again, or that finds
 * no free slot, is prepared outside the cache and finalized after use. */
#include "sqlite_conn.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"

static uint64_t hash_sql(const char *s)
{
    uint64_t h = 1469598103934665603ULL;          /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int sqlite_conn_fail(sqlite_conn *c, int src)
{
    const char *msg = c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(src);
    int code;
    switch (src & 0xff) {
    case SQLITE_CONSTRAINT:
        code = (src == SQLITE_CONSTRAINT_UNIQUE
                || src == SQLITE_CONSTRAINT_PRIMARYKEY) ? SW_ECONFLICT : SW_EINVAL;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = SW_EBUSY;
        break;
    case SQLITE_NOMEM:
        code = SW_ENOMEM;
        break;
    case SQLITE_INTERRUPT:
        return store_tx_set_err(&c->tx, SW_ECOSTLY, "the query ran longer "
                                "than %d ms and was stopped; narrow it",
                                c->budget_ms);
    default:
        code = SW_EIO;
    }
    return store_tx_set_err(&c->tx, code, "sqlite: %s", msg);
}

/* ---- The read budget ----------------------------------------------------- */

/* SQLite calls this every few thousand virtual machine steps; a non-zero
 * answer interrupts the statement (SQLITE_INTERRUPT). */
static int past_deadline(void *arg)
{
    const sqlite_conn *c = arg;
    return c->deadline_us != 0 && sw_now_mono_us() > c->deadline_us;
}

void sqlite_conn_deadline(sqlite_conn *c, int budget_ms)
{
    c->budget_ms = budget_ms;
    c->deadline_us = budget_ms > 0 ? sw_now_mono_us() + (int64_t)budget_ms * 1000 : 0;
}

/* ---- Opening ------------------------------------------------------------- */

static int pragma_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, cap, "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        out[0] = '\0';
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

static int open_fail(sqlite_conn *c, const char *path, int rc, sw_err *err)
{
    int code = (rc & 0xff) == SQLITE_NOMEM ? SW_ENOMEM : SW_EIO;
    const char *why = c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_NOTADB)
        sw_err_set(err, SW_EIO, "%s is not an SQLite database", path);
    else if ((rc & 0xff) == SQLITE_READONLY)
        sw_err_set(err, SW_EIO, "cannot write to %s: it is read-only", path);
    else if ((rc & 0xff) == SQLITE_BUSY)
        sw_err_set(err, SW_EBUSY, "%s is locked by another process; try again", path);
    else
        sw_err_set(err, code, "cannot open %s: %s", path, why);
    sqlite_conn_close(c);
    return err ? err->code : code;
}

int sqlite_conn_open(sqlite_conn *c, const char *path, bool writer,
                     bool create, sw_err *err)
{
    memset(c, 0, sizeof *c);
    c->tx.be = &store_sqlite_backend;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
              | SQLITE_OPEN_EXRESCODE;
    if (writer && create)
        flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
    if (rc != SQLITE_OK)
        return open_fail(c, path, rc, err);
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, SW_STORE_BUSY_TIMEOUT_MS);

    char mode[32];
    rc = pragma_text(c->db, "PRAGMA journal_mode = WAL", mode, sizeof mode);
    if (rc != SQLITE_OK)
        return open_fail(c, path, rc, err);
    if (strcmp(mode, "wal") != 0) {
        sw_err_set(err, SW_EIO, "%s cannot use write-ahead logging "
                   "(journal mode stays '%s'); put it on a local file system",
                   path, mode);
        sqlite_conn_close(c);
        return SW_EIO;
    }
    /* Savepoints (one per job of a group commit) keep statement journals;
     * in memory they cost nothing, on disk a temp file per transaction.
     * The writer touches the same index pages over and over, so it gets a
     * larger page cache (allocated only as pages are used). */
    const char *pragmas = writer
        ? "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
          "PRAGMA wal_autocheckpoint = 0; "
          "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -" SW_STR(SW_STORE_WRITER_CACHE_KB) ";"
        : "PRAGMA query_only = 1; PRAGMA foreign_keys = ON; "
          "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -" SW_STR(SW_STORE_READER_CACHE_KB) ";";
    rc = sqlite3_exec(c->db, pragmas, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return open_fail(c, path, rc, err);
    if (!writer)
        sqlite3_progress_handler(c->db, 4000, past_deadline, c);
    return SW_OK;
}

void sqlite_conn_close(sqlite_conn *c)
{
    sqlite_conn_release_all(c);
    for (int i = 0; i < SW_STORE_STMT_CACHE; i++) {
        sqlite_slot *s = &c->cache[i];
        if (s->sql != NULL) {
            sqlite3_finalize(s->st.stmt);
            sw_free(s->sql);
            s->sql = NULL;
        }
    }
    if (c->db != NULL)
        sqlite3_close(c->db);
    c->db = NULL;
}

/* ---- Statement cache ----------------------------------------------------- */

static sqlite_stmt *take_cached(sqlite_conn *c, const char *sql, uint64_t h)
{
    for (int i = 0; i < SW_STORE_STMT_CACHE; i++) {
        sqlite_slot *s = &c->cache[i];
        if (s->sql != NULL && s->hash == h && !s->st.in_use
            && strcmp(s->sql, sql) == 0) {
            s->last_used = ++c->tick;
            return &s->st;
        }
    }
    return NULL;
}

/* A free slot, or the least recently used one not in use; NULL if all are
 * in use. */
static sqlite_slot *free_slot(sqlite_conn *c)
{
    sqlite_slot *victim = NULL;
    for (int i = 0; i < SW_STORE_STMT_CACHE; i++) {
        sqlite_slot *s = &c->cache[i];
        if (s->sql == NULL)
            return s;
        if (!s->st.in_use && (victim == NULL || s->last_used < victim->last_used))
            victim = s;
    }
    if (victim != NULL) {
        sqlite3_finalize(victim->st.stmt);
        sw_free(victim->sql);
        victim->sql = NULL;
    }
    return victim;
}

static int prepare_on(sqlite_conn *c, const char *sql, sqlite_stmt **out)
{
    uint64_t h = hash_sql(sql);
    sqlite_stmt *st = take_cached(c, sql, h);
    if (st == NULL) {
        sqlite3_stmt *raw;
        int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                    &raw, NULL);
        if (rc != SQLITE_OK)
            return sqlite_conn_fail(c, rc);
        sqlite_slot *slot = free_slot(c);
        char *copy = slot ? sw_strdup(sql) : NULL;
        if (slot != NULL && copy != NULL) {
            slot->sql = copy;
            slot->hash = h;
            slot->last_used = ++c->tick;
            st = &slot->st;
            st->cached = true;
        } else {
            st = sw_calloc(1, sizeof *st);
            if (st == NULL) {
                sqlite3_finalize(raw);
                return store_tx_set_err(&c->tx, SW_ENOMEM, NULL);
            }
            st->cached = false;
            st->next_loose = c->loose;
            c->loose = st;
        }
        st->stmt = raw;
    }
    st->base.be = &store_sqlite_backend;
    st->base.tx = &c->tx;
    st->conn = c;
    st->changes = 0;
    st->in_use = true;
    *out = st;
    return SW_OK;
}

static void put_back(sqlite_stmt *st)
{
    sqlite3_reset(st->stmt);
    sqlite3_clear_bindings(st->stmt);
    st->in_use = false;
    if (!st->cached) {
        sqlite_conn *c = st->conn;
        for (sqlite_stmt **p = &c->loose; *p; p = &(*p)->next_loose) {
            if (*p == st) {
                *p = st->next_loose;
                break;
            }
        }
        sqlite3_finalize(st->stmt);
        sw_free(st);
    }
}

void sqlite_conn_release_all(sqlite_conn *c)
{
    for (int i = 0; i < SW_STORE_STMT_CACHE; i++)
        if (c->cache[i].sql != NULL && c->cache[i].st.in_use)
            put_back(&c->cache[i].st);
    while (c->loose != NULL)
        put_back(c->loose);
}

int sqlite_conn_exec(sqlite_conn *c, const char *sql)
{
    sqlite_stmt *st;
    int rc = prepare_on(c, sql, &st);
    if (rc != SW_OK)
        return rc;
    int src = sqlite3_step(st->stmt);
    rc = (src == SQLITE_DONE || src == SQLITE_ROW) ? SW_OK : sqlite_conn_fail(c, src);
    put_back(st);
    return rc;
}

/* ---- Statement methods --------------------------------------------------- */

static sqlite_conn *conn_of(store_tx *tx)
{
    return (sqlite_conn *)((char *)tx - offsetof(sqlite_conn, tx));
}

int sqlite_exec_script(store_tx *tx, const char *sql)
{
    sqlite_conn *c = conn_of(tx);
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? SW_OK : sqlite_conn_fail(c, rc);
}

int sqlite_prepare(store_tx *tx, const char *sql, store_stmt **out)
{
    sqlite_stmt *st;
    int rc = prepare_on(conn_of(tx), sql, &st);
    *out = rc == SW_OK ? &st->base : NULL;
    return rc;
}

static int bind_result(sqlite_stmt *st, int rc)
{
    return rc == SQLITE_OK ? SW_OK : sqlite_conn_fail(st->conn, rc);
}

int sqlite_bind_int64(store_stmt *base, int i, int64_t v)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    return bind_result(st, sqlite3_bind_int64(st->stmt, i, v));
}

int sqlite_bind_double(store_stmt *base, int i, double v)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    return bind_result(st, sqlite3_bind_double(st->stmt, i, v));
}

int sqlite_bind_text(store_stmt *base, int i, const char *s, size_t n)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    return bind_result(st, sqlite3_bind_text64(st->stmt, i, s, n,
                                               SQLITE_TRANSIENT, SQLITE_UTF8));
}

int sqlite_bind_blob(store_stmt *base, int i, const void *p, size_t n)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    return bind_result(st, sqlite3_bind_blob64(st->stmt, i, n ? p : "", n,
                                               SQLITE_TRANSIENT));
}

int sqlite_bind_null(store_stmt *base, int i)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    return bind_result(st, sqlite3_bind_null(st->stmt, i));
}

int sqlite_step(store_stmt *base, bool *row)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    int rc = sqlite3_step(st->stmt);
    if (rc == SQLITE_ROW) {
        *row = true;
        return SW_OK;
    }
    *row = false;
    if (rc == SQLITE_DONE) {
        st->changes = sqlite3_changes64(st->conn->db);
        return SW_OK;
    }
    return sqlite_conn_fail(st->conn, rc);
}

int sqlite_col_count(store_stmt *base)
{
    return sqlite3_column_count(((sqlite_stmt *)base)->stmt);
}

bool sqlite_col_null(store_stmt *base, int col)
{
    return sqlite3_column_type(((sqlite_stmt *)base)->stmt, col) == SQLITE_NULL;
}

int64_t sqlite_col_int64(store_stmt *base, int col)
{
    return sqlite3_column_int64(((sqlite_stmt *)base)->stmt, col);
}

double sqlite_col_double(store_stmt *base, int col)
{
    return sqlite3_column_double(((sqlite_stmt *)base)->stmt, col);
}

const char *sqlite_col_text(store_stmt *base, int col, size_t *n)
{
    sqlite3_stmt *s = ((sqlite_stmt *)base)->stmt;
    const unsigned char *t = sqlite3_column_text(s, col);
    if (n)
        *n = t ? (size_t)sqlite3_column_bytes(s, col) : 0;
    return t ? (const char *)t : "";
}

const void *sqlite_col_blob(store_stmt *base, int col, size_t *n)
{
    sqlite3_stmt *s = ((sqlite_stmt *)base)->stmt;
    const void *p = sqlite3_column_blob(s, col);
    if (n)
        *n = p ? (size_t)sqlite3_column_bytes(s, col) : 0;
    return p ? p : "";
}

int64_t sqlite_changes(store_stmt *base)
{
    return ((sqlite_stmt *)base)->changes;
}

void sqlite_finalize(store_stmt *base)
{
    sqlite_stmt *st = (sqlite_stmt *)base;
    if (st->in_use)
        put_back(st);
}
