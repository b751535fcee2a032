/* postgres_stmt.c - the prepared-statement cache of a PostgreSQL
 * connection and the statement methods of the PostgreSQL backend.
 *
 * Requests run the same few statements over and over, and on PostgreSQL a
 * statement prepared once saves a parse and plan per call, so every
 * statement is prepared server-side once per connection (PQprepare, named
 * sw1, sw2, …) and kept in a small cache keyed by its text
 * (SW_STORE_STMT_CACHE slots, least recently used evicted with DEALLOCATE).
 * A statement that is already in use when the same text is asked for
 * again, or that finds no free slot, runs unprepared (PQexecParams).
 *
 * Values are sent as text (int64 in decimal), blobs as binary parameters;
 * results come back as text and bytea is decoded on demand. Results are
 * fully buffered, so statements may be interleaved freely. */
#include "postgres_conn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/str.h"

#define BYTEAOID 17                 /* pg_type.oid of bytea; stable */

/* ---- Statement cache ----------------------------------------------------- */

static void clear_blobs(pg_stmt *st)
{
    for (int i = 0; i < st->nblobs; i++)
        sw_free(st->blobs[i]);
    sw_free(st->blobs);             /* one block with blob_lens */
    st->blobs = NULL;
    st->blob_lens = NULL;
    st->nblobs = 0;
}

static void clear_result(pg_stmt *st)
{
    clear_blobs(st);
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    st->done = false;
}

/* Frees what a statement owns apart from the struct itself. */
static void free_stmt_parts(pg_stmt *st)
{
    clear_result(st);
    for (int p = 0; st->params && p < st->nparams; p++)
        sw_free(st->params[p].heap);
    sw_free(st->values);
    sw_free(st->sql);
    st->values = NULL;
    st->params = NULL;
    st->sql = NULL;
}

/* Forgets the prepared statements; the server forgot them with the session. */
void pg_conn_drop_statements(pg_conn *c)
{
    for (int i = 0; i < SW_STORE_STMT_CACHE; i++) {
        pg_slot *s = &c->cache[i];
        free_stmt_parts(&s->st);
        sw_free(s->sql);
        s->sql = NULL;
        memset(&s->st, 0, sizeof s->st);
    }
}

static uint64_t hash_sql(const char *s)
{
    uint64_t h = 1469598103934665603ULL;          /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static pg_stmt *take_cached(pg_conn *c, const char *sql, uint64_t h)
{
    for (int i = 0; i < SW_STORE_STMT_CACHE; i++) {
        pg_slot *s = &c->cache[i];
        if (s->sql != NULL && s->hash == h && !s->st.in_use
            && strcmp(s->sql, sql) == 0) {
            s->last_used = ++c->tick;
            return &s->st;
        }
    }
    return NULL;
}

/* A free slot, or the least recently used one not in use; NULL if all are
 * in use. The victim stays intact until the new statement is prepared. */
static pg_slot *pick_slot(pg_conn *c)
{
    pg_slot *victim = NULL;
    for (int i = 0; i < SW_STORE_STMT_CACHE; i++) {
        pg_slot *s = &c->cache[i];
        if (s->sql == NULL)
            return s;
        if (!s->st.in_use && (victim == NULL || s->last_used < victim->last_used))
            victim = s;
    }
    return victim;
}

static void evict(pg_conn *c, pg_slot *slot)
{
    if (slot->sql == NULL)
        return;
    char sql[48];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", slot->st.name);
    /* Right after a successful prepare the transaction is healthy, so this
     * only fails with the connection, which then gets reset and forgets
     * every statement anyway. */
    pg_conn_exec_quiet(c, sql);
    free_stmt_parts(&slot->st);
    sw_free(slot->sql);
    slot->sql = NULL;
    memset(&slot->st, 0, sizeof slot->st);
}

int pg_prepare(store_tx *tx, const char *sql, store_stmt **out)
{
    pg_conn *c = pg_conn_of(tx);
    *out = NULL;
    uint64_t h = hash_sql(sql);
    pg_stmt *st = take_cached(c, sql, h);
    if (st == NULL) {
        int n = 0;
        char *text = pg_rewrite_placeholders(sql, &n);
        if (text == NULL)
            return store_tx_set_err(tx, SW_ENOMEM, NULL);
        if (n > SW_STORE_MAX_PARAMS) {
            sw_free(text);
            return store_tx_set_err(tx, SW_EINVAL, "a statement may have at "
                                    "most %d parameters", SW_STORE_MAX_PARAMS);
        }
        pg_slot *slot = pick_slot(c);
        char *key = slot ? sw_strdup(sql) : NULL;
        if (key != NULL) {
            char name[16];
            snprintf(name, sizeof name, "sw%u", ++c->next_name);
            PGresult *r = PQprepare(c->pg, name, text, n, NULL);
            if (PQresultStatus(r) != PGRES_COMMAND_OK) {
                int rc = pg_conn_fail(c, r);
                PQclear(r);
                sw_free(key);
                sw_free(text);
                return rc;
            }
            PQclear(r);
            sw_free(text);
            evict(c, slot);
            slot->sql = key;
            slot->hash = h;
            slot->last_used = ++c->tick;
            st = &slot->st;
            memcpy(st->name, name, sizeof name);
            st->cached = true;
        } else {
            st = sw_calloc(1, sizeof *st);
            if (st == NULL) {
                sw_free(text);
                return store_tx_set_err(tx, SW_ENOMEM, NULL);
            }
            st->sql = text;
            st->cached = false;
            st->next_loose = c->loose;
            c->loose = st;
        }
        st->nparams = n;
    }
    st->base.be = &store_postgres_backend;
    st->base.tx = tx;
    st->conn = c;
    st->changes = 0;
    st->row = -1;
    st->in_use = true;
    *out = &st->base;
    return SW_OK;
}

static void put_back(pg_stmt *st)
{
    clear_result(st);
    for (int i = 0; st->values && i < st->nparams; i++)
        st->values[i] = NULL;       /* unbound parameters are NULL */
    st->in_use = false;
    if (!st->cached) {
        pg_conn *c = st->conn;
        for (pg_stmt **p = &c->loose; *p; p = &(*p)->next_loose) {
            if (*p == st) {
                *p = st->next_loose;
                break;
            }
        }
        free_stmt_parts(st);
        sw_free(st);
    }
}

void pg_conn_release_all(pg_conn *c)
{
    for (int i = 0; i < SW_STORE_STMT_CACHE; i++)
        if (c->cache[i].sql != NULL && c->cache[i].st.in_use)
            put_back(&c->cache[i].st);
    while (c->loose != NULL)
        put_back(c->loose);
}

/* ---- Binding ------------------------------------------------------------- */

/* The slot for parameter i (1-based), allocating the arrays on first use. */
static pg_param *param_at(pg_stmt *st, int i)
{
    if (i < 1 || i > st->nparams) {
        store_tx_set_err(st->base.tx, SW_EIO, "postgresql: parameter %d is out "
                         "of range; the statement has %d", i, st->nparams);
        return NULL;
    }
    if (st->values == NULL) {
        size_t n = (size_t)st->nparams;
        size_t size = n * (sizeof *st->values + sizeof *st->params
                           + sizeof *st->lengths + sizeof *st->formats);
        char *block = sw_calloc(1, size);
        if (block == NULL) {
            store_tx_set_err(st->base.tx, SW_ENOMEM, NULL);
            return NULL;
        }
        /* Pointers first, then the param structs, then the ints. */
        st->values = (const char **)(void *)block;
        st->params = (pg_param *)(void *)(block + n * sizeof *st->values);
        st->lengths = (int *)(void *)(block + n * (sizeof *st->values
                                                   + sizeof *st->params));
        st->formats = st->lengths + n;
    }
    return &st->params[i - 1];
}

/* Copies n bytes into the parameter's own buffer, NUL-terminated. */
static int keep_bytes(pg_stmt *st, int i, const void *p, size_t n, int format)
{
    pg_param *pp = param_at(st, i);
    if (pp == NULL)
        return st->base.tx->err.code;
    if (n > INT32_MAX - 1)
        return store_tx_set_err(st->base.tx, SW_EINVAL,
                                "postgresql: parameter %d is too large", i);
    if (pp->cap < n + 1) {
        char *buf = sw_realloc(pp->heap, n + 1);
        if (buf == NULL)
            return store_tx_set_err(st->base.tx, SW_ENOMEM, NULL);
        pp->heap = buf;
        pp->cap = n + 1;
    }
    if (n > 0)
        memcpy(pp->heap, p, n);
    pp->heap[n] = '\0';
    st->values[i - 1] = pp->heap;
    st->lengths[i - 1] = (int)n;
    st->formats[i - 1] = format;
    return SW_OK;
}

int pg_bind_int64(store_stmt *base, int i, int64_t v)
{
    pg_stmt *st = (pg_stmt *)base;
    pg_param *pp = param_at(st, i);
    if (pp == NULL)
        return base->tx->err.code;
    snprintf(pp->num, sizeof pp->num, "%" PRId64, v);
    st->values[i - 1] = pp->num;
    st->lengths[i - 1] = 0;
    st->formats[i - 1] = 0;
    return SW_OK;
}

int pg_bind_double(store_stmt *base, int i, double v)
{
    pg_stmt *st = (pg_stmt *)base;
    pg_param *pp = param_at(st, i);
    if (pp == NULL)
        return base->tx->err.code;
    /* %.17g round-trips every double through PostgreSQL's text input. */
    snprintf(pp->num, sizeof pp->num, "%.17g", v);
    st->values[i - 1] = pp->num;
    st->lengths[i - 1] = 0;
    st->formats[i - 1] = 0;
    return SW_OK;
}

int pg_bind_text(store_stmt *base, int i, const char *s, size_t n)
{
    /* Text parameters travel NUL-terminated; an embedded NUL would cut the
     * value short without a word. */
    if (n > 0 && memchr(s, '\0', n) != NULL)
        return store_tx_set_err(base->tx, SW_EINVAL, "postgresql: text "
                                "parameter %d contains a NUL byte", i);
    return keep_bytes((pg_stmt *)base, i, s, n, 0);
}

int pg_bind_blob(store_stmt *base, int i, const void *p, size_t n)
{
    return keep_bytes((pg_stmt *)base, i, n ? p : "", n, 1);
}

int pg_bind_null(store_stmt *base, int i)
{
    pg_stmt *st = (pg_stmt *)base;
    if (param_at(st, i) == NULL)
        return base->tx->err.code;
    st->values[i - 1] = NULL;
    return SW_OK;
}

/* ---- Running ------------------------------------------------------------- */

static int execute(pg_stmt *st)
{
    pg_conn *c = st->conn;
    clear_result(st);
    st->changes = 0;
    PGresult *r;
    if (st->cached)
        r = PQexecPrepared(c->pg, st->name, st->nparams, st->values,
                           st->lengths, st->formats, 0);
    else
        r = PQexecParams(c->pg, st->sql, st->nparams, NULL, st->values,
                         st->lengths, st->formats, 0);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK && s != PGRES_EMPTY_QUERY) {
        int rc = pg_conn_fail(c, r);
        PQclear(r);
        return rc;
    }
    const char *tuples = PQcmdTuples(r);
    st->changes = tuples[0] ? strtoll(tuples, NULL, 10) : 0;
    st->res = r;
    return SW_OK;
}

int pg_step(store_stmt *base, bool *row)
{
    pg_stmt *st = (pg_stmt *)base;
    *row = false;
    if (st->res == NULL || st->done) {
        int rc = execute(st);
        if (rc != SW_OK)
            return rc;
    }
    clear_blobs(st);
    st->row++;
    if (st->row < PQntuples(st->res)) {
        *row = true;
    } else {
        st->done = true;      /* like SQLite, a further step runs it again */
        st->row = PQntuples(st->res);
    }
    return SW_OK;
}

/* The current row's value of col, or NULL (with *n = 0) when there is no
 * such row or column, or the value is NULL. */
static const char *value_at(pg_stmt *st, int col, size_t *n)
{
    *n = 0;
    if (st->res == NULL || st->row < 0 || st->row >= PQntuples(st->res)
        || col < 0 || col >= PQnfields(st->res)
        || PQgetisnull(st->res, st->row, col))
        return NULL;
    *n = (size_t)PQgetlength(st->res, st->row, col);
    return PQgetvalue(st->res, st->row, col);
}

int pg_col_count(store_stmt *base)
{
    pg_stmt *st = (pg_stmt *)base;
    return st->res ? PQnfields(st->res) : 0;
}

bool pg_col_null(store_stmt *base, int col)
{
    size_t n;
    return value_at((pg_stmt *)base, col, &n) == NULL;
}

int64_t pg_col_int64(store_stmt *base, int col)
{
    size_t n;
    const char *v = value_at((pg_stmt *)base, col, &n);
    if (v == NULL)
        return 0;
    if (v[0] == 't' || v[0] == 'f')     /* boolean: SQLite says 1 and 0 */
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

/* Decodes bytea text (hex, or the old escape form) into memory the
 * statement owns until the next step; NUL-terminated for col_text. */
double pg_col_double(store_stmt *base, int col)
{
    size_t n;
    const char *v = value_at((pg_stmt *)base, col, &n);
    return v == NULL ? 0.0 : strtod(v, NULL);
}

static const unsigned char *decode_bytea(pg_stmt *st, int col, const char *v,
                                         size_t len, size_t *n)
{
    if (st->blobs == NULL) {
        int cols = PQnfields(st->res);
        void *block = sw_calloc((size_t)cols, sizeof *st->blobs + sizeof *st->blob_lens);
        if (block == NULL)
            goto nomem;
        st->blobs = block;
        st->blob_lens = (size_t *)(void *)((char *)block + (size_t)cols * sizeof *st->blobs);
        st->nblobs = cols;
    }
    if (st->blobs[col] == NULL) {
        unsigned char *out;
        size_t got = 0;
        if (len >= 2 && v[0] == '\\' && v[1] == 'x') {
            out = sw_malloc((len - 2) / 2 + 1);
            if (out == NULL)
                goto nomem;
            for (size_t i = 2; i + 1 < len; i += 2)
                out[got++] = (unsigned char)(sw_hex_digit(v[i]) * 16 + sw_hex_digit(v[i + 1]));
        } else {
            unsigned char *raw = PQunescapeBytea((const unsigned char *)v, &got);
            out = raw ? sw_malloc(got + 1) : NULL;
            if (out != NULL)
                memcpy(out, raw, got);
            PQfreemem(raw);
            if (out == NULL)
                goto nomem;
        }
        out[got] = '\0';
        st->blobs[col] = out;
        st->blob_lens[col] = got;
    }
    *n = st->blob_lens[col];
    return st->blobs[col];

nomem:
    store_tx_set_err(st->base.tx, SW_ENOMEM, NULL);
    *n = 0;
    return NULL;
}

const char *pg_col_text(store_stmt *base, int col, size_t *n)
{
    pg_stmt *st = (pg_stmt *)base;
    size_t len;
    const char *v = value_at(st, col, &len);
    if (v != NULL && PQftype(st->res, col) == BYTEAOID)
        v = (const char *)decode_bytea(st, col, v, len, &len);
    if (n)
        *n = v ? len : 0;
    return v ? v : "";
}

const void *pg_col_blob(store_stmt *base, int col, size_t *n)
{
    pg_stmt *st = (pg_stmt *)base;
    size_t len;
    const char *v = value_at(st, col, &len);
    if (v == NULL) {
        if (n)
            *n = 0;
        return "";
    }
    /* Out of memory gives NULL with the error recorded on the tx. */
    const void *p = PQftype(st->res, col) == BYTEAOID
        ? (const void *)decode_bytea(st, col, v, len, &len) : (const void *)v;
    if (n)
        *n = p ? len : 0;
    return p;
}

int64_t pg_changes(store_stmt *base)
{
    return ((pg_stmt *)base)->changes;
}

void pg_finalize(store_stmt *base)
{
    pg_stmt *st = (pg_stmt *)base;
    if (st->in_use)
        put_back(st);
}
