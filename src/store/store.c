/* store.c - opening a store by URL and dispatching calls to its backend.
 *
 * The backend table below is the extension point: a new backend is one row
 * and one file implementing store_backend. Everything else here is the
 * shorthands of store.h, written once on top of the backend methods. */
#include "store_int.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const store_backend *const backends[] = {
    &store_sqlite_backend,
    &store_postgres_backend,
};

/* Offsets of every method, so a backend with a gap is caught at open. */
#define METHOD(m) { #m, offsetof(store_backend, m) }
static const struct { const char *name; size_t off; } methods[] = {
    METHOD(open), METHOD(close), METHOD(ping), METHOD(write), METHOD(read),
    METHOD(exec_script), METHOD(prepare), METHOD(bind_int64), METHOD(bind_double),
    METHOD(bind_text), METHOD(bind_blob), METHOD(bind_null), METHOD(step),
    METHOD(col_count), METHOD(col_null), METHOD(col_int64), METHOD(col_double),
    METHOD(col_text),
    METHOD(col_blob), METHOD(changes), METHOD(finalize),
};
#undef METHOD

int store_backend_check(const store_backend *be, sw_err *err)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        void *fp;
        memcpy(&fp, (const char *)be + methods[i].off, sizeof fp);
        if (fp == NULL)
            return sw_err_set(err, SW_EINTERNAL,
                              "the %s store backend lacks the method '%s'",
                              be->name, methods[i].name);
    }
    return SW_OK;
}

int store_open(const char *url, const store_options *opt, sw_store **out,
               sw_err *err)
{
    static const store_options defaults = { 0 };
    store_url parsed;
    *out = NULL;
    int rc = store_url_parse(url, &parsed, err);
    if (rc != SW_OK)
        return rc;
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        const store_backend *be = backends[i];
        if (be->kind != parsed.kind)
            continue;
        rc = store_backend_check(be, err);
        if (rc != SW_OK)
            return rc;
        rc = be->open(&parsed, opt ? opt : &defaults, out, err);
        if (rc != SW_OK)
            return rc;
        (*out)->be = be;
        snprintf((*out)->display, sizeof (*out)->display, "%s", parsed.display);
        return SW_OK;
    }
    return sw_err_set(err, SW_EUSAGE, "no store backend for %s", parsed.display);
}

void store_close(sw_store *s)
{
    if (s != NULL)
        s->be->close(s);
}

store_kind store_kind_of(const sw_store *s) { return s->be->kind; }
const char *store_display(const sw_store *s) { return s->display; }

int store_ping(sw_store *s, sw_err *err)
{
    return s->be->ping(s, err);
}

int store_write(sw_store *s, store_fn fn, void *ctx, sw_err *err)
{
    return s->be->write(s, fn, ctx, err);
}

int store_read(sw_store *s, store_fn fn, void *ctx, sw_err *err)
{
    return s->be->read(s, fn, ctx, err);
}

/* ---- Errors on a tx ------------------------------------------------------ */

store_kind store_tx_kind(const store_tx *tx) { return tx->be->kind; }
const sw_err *store_tx_err(const store_tx *tx) { return &tx->err; }

int store_tx_set_err(store_tx *tx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sw_err_vset(&tx->err, code, fmt, ap);
    va_end(ap);
    return code;
}

int store_tx_fail(store_tx *tx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sw_err_vset(&tx->err, code, fmt, ap);
    va_end(ap);
    return code;
}

void store_tx_report(const store_tx *tx, int rc, sw_err *err)
{
    if (err == NULL || rc == SW_OK)
        return;
    if (tx != NULL && tx->err.code == rc && tx->err.msg[0] != '\0')
        *err = tx->err;
    else
        sw_err_set(err, rc, NULL);
}

/* ---- Statements ---------------------------------------------------------- */

int store_prepare(store_tx *tx, const char *sql, store_stmt **out)
{
    return tx->be->prepare(tx, sql, out);
}

int store_bind_int64(store_stmt *st, int i, int64_t v)
{
    return st->be->bind_int64(st, i, v);
}

int store_bind_double(store_stmt *st, int i, double v)
{
    return st->be->bind_double(st, i, v);
}

int store_bind_text(store_stmt *st, int i, const char *s, size_t n)
{
    return st->be->bind_text(st, i, s, n);
}

int store_bind_cstr(store_stmt *st, int i, const char *s)
{
    if (s == NULL)
        return st->be->bind_null(st, i);
    return st->be->bind_text(st, i, s, strlen(s));
}

int store_bind_blob(store_stmt *st, int i, const void *p, size_t n)
{
    return st->be->bind_blob(st, i, p, n);
}

int store_bind_null(store_stmt *st, int i)
{
    return st->be->bind_null(st, i);
}

int store_step(store_stmt *st, bool *row)
{
    return st->be->step(st, row);
}

int store_col_count(store_stmt *st) { return st->be->col_count(st); }
bool store_col_null(store_stmt *st, int col) { return st->be->col_null(st, col); }
int64_t store_col_int64(store_stmt *st, int col) { return st->be->col_int64(st, col); }
double store_col_double(store_stmt *st, int col) { return st->be->col_double(st, col); }

const char *store_col_text(store_stmt *st, int col, size_t *n)
{
    return st->be->col_text(st, col, n);
}

const void *store_col_blob(store_stmt *st, int col, size_t *n)
{
    return st->be->col_blob(st, col, n);
}

int64_t store_changes(store_stmt *st) { return st->be->changes(st); }

void store_finalize(store_stmt *st)
{
    if (st != NULL)
        st->be->finalize(st);
}

int store_exec_script(store_tx *tx, const char *sql)
{
    return tx->be->exec_script(tx, sql);
}

/* Binds the arguments described by types (see store.h). */
static int bind_va(store_stmt *st, const char *types, va_list ap)
{
    int rc = SW_OK;
    for (int i = 0; types[i] != '\0' && rc == SW_OK; i++) {
        int at = i + 1;
        switch (types[i]) {
        case 'i':
            rc = store_bind_int64(st, at, va_arg(ap, int64_t));
            break;
        case 't':
            rc = store_bind_cstr(st, at, va_arg(ap, const char *));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            size_t n = va_arg(ap, size_t);
            rc = store_bind_text(st, at, s, n);
            break;
        }
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            rc = store_bind_blob(st, at, p, n);
            break;
        }
        case 'n':
            rc = store_bind_null(st, at);
            break;
        default:
            rc = store_tx_set_err(st->tx, SW_EINTERNAL,
                                  "unknown bind type '%c'", types[i]);
        }
    }
    return rc;
}

/* Prepares sql and binds the arguments described by types; on failure the
 * statement is already finalized. */
static int prepare_va(store_tx *tx, const char *sql, const char *types,
                      va_list ap, store_stmt **out)
{
    int rc = store_prepare(tx, sql, out);
    if (rc != SW_OK)
        return rc;
    rc = bind_va(*out, types ? types : "", ap);
    if (rc != SW_OK)
        store_finalize(*out);
    return rc;
}

int store_exec(store_tx *tx, int64_t *changes, const char *sql,
               const char *types, ...)
{
    store_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = prepare_va(tx, sql, types, ap, &st);
    va_end(ap);
    if (rc != SW_OK)
        return rc;
    bool row = true;
    while (rc == SW_OK && row)
        rc = store_step(st, &row);
    if (rc == SW_OK && changes != NULL)
        *changes = store_changes(st);
    store_finalize(st);
    return rc;
}

int store_query_int64(store_tx *tx, int64_t *out, const char *sql,
                      const char *types, ...)
{
    store_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = prepare_va(tx, sql, types, ap, &st);
    va_end(ap);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_step(st, &row);
    if (rc == SW_OK && !row)
        rc = SW_ENOTFOUND;
    if (rc == SW_OK)
        *out = store_col_int64(st, 0);
    store_finalize(st);
    return rc;
}
