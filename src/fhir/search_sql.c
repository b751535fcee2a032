/* search_sql.c - from parsed criteria to SQL over fhir_resource and the
 * fhir_idx_* tables: the statements of a search (count, one page by key,
 * resources by id, _include and _revinclude) and the choice of where
 * each starts. search_run.c runs them.
 *
 * One criterion, the driver, becomes "r.res_id IN (SELECT x.res_id FROM
 * fhir_idx_<type> x WHERE x.practice_id = ? AND x.res_type = ? AND
 * x.param = ? AND (<value> OR <value>...))", so the store walks the
 * (practice_id, res_type, param, value) index of that table and never
 * looks at stored JSON; the other criteria are EXISTS (or, for :not and
 * :missing=true, NOT EXISTS) probes of their table's primary key for the
 * rows the driver found. When several criteria could drive, each is
 * counted on its index up to PROBE_LIMIT rows and the rarest drives.
 * docs/fhir-search.md lists the condition each type, prefix and modifier
 * becomes, and the few store-specific hints and why they are there.
 *
 * SQL text is only ever assembled from the fixed fragments in this file;
 * every value from the request is a bound parameter.
 *
 * Called by search_run.c, inside the caller's transaction: one store_read
 * per REST search, or the write transaction of a conditional interaction
 * (fhir_search_match_ids). */
#include "fhir/search.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/limits.h"
#include "fhir/model.h"

/* ---- Building ------------------------------------------------------------ */

typedef struct sql_arg {
    char        t;            /* 'i' int64, 'd' double, 't' text */
    int64_t     i;
    double      d;
    const char *s;
} sql_arg;

typedef struct sqlq {
    sw_arena          *a;
    const fhir_search *s;
    int64_t            practice_id;
    sw_buf             text;
    sql_arg           *args;
    size_t             n, cap;
    int                rc;
    bool               sqlite;
    bool               noindex;   /* see crit_exists */
} sqlq;

static void q_init(sqlq *q, store_tx *tx, sw_arena *a, const fhir_search *s,
                   int64_t practice_id)
{
    memset(q, 0, sizeof *q);
    q->a = a;
    q->s = s;
    q->practice_id = practice_id;
    q->sqlite = store_tx_kind(tx) == STORE_SQLITE;
    sw_buf_init(&q->text, 1024 * 1024);
}

/* Appends fixed SQL text: a literal of this file, never input. */
static void sql(sqlq *q, const char *fixed)
{
    if (q->rc == SW_OK)
        q->rc = sw_buf_puts(&q->text, fixed);
}

static sql_arg *arg(sqlq *q, char t)
{
    if (q->rc != SW_OK)
        return NULL;
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 32;
        sql_arg *args = sw_arena_alloc(q->a, cap * sizeof *args);
        if (args == NULL) {
            q->rc = SW_ENOMEM;
            return NULL;
        }
        if (q->n)
            memcpy(args, q->args, q->n * sizeof *args);
        q->args = args;
        q->cap = cap;
    }
    sql(q, "?");
    sql_arg *g = &q->args[q->n++];
    memset(g, 0, sizeof *g);
    g->t = t;
    return g;
}

static void arg_int(sqlq *q, int64_t v)
{
    sql_arg *g = arg(q, 'i');
    if (g)
        g->i = v;
}

static void arg_real(sqlq *q, double v)
{
    sql_arg *g = arg(q, 'd');
    if (g)
        g->d = v;
}

static void arg_text(sqlq *q, const char *v)
{
    sql_arg *g = arg(q, 't');
    if (g)
        g->s = v ? v : "";
    if (g && v == NULL)
        q->rc = SW_EINTERNAL;        /* a value the parser should have set */
}

/* alias.column, both fixed names of this file; "+alias.column" where
 * SQLite must not use the column's index (see crit_exists). */
static void col(sqlq *q, const char *alias, const char *column)
{
    if (q->noindex)
        sql(q, "+");
    sql(q, alias);
    sql(q, ".");
    sql(q, column);
}

/* Prepares q's text and binds its values; frees the text. */
static int q_prepare(store_tx *tx, sqlq *q, store_stmt **st)
{
    *st = NULL;
    int rc = q->rc;
    if (rc == SW_OK && q->n > SW_STORE_MAX_PARAMS)
        rc = store_tx_fail(tx, SW_EBADREQUEST, "The search has too many values "
                           "to answer in one query; split it.");
    else if (rc != SW_OK)
        rc = store_tx_fail(tx, rc, NULL);
    if (rc == SW_OK)
        rc = store_prepare(tx, sw_buf_str(&q->text), st);
    for (size_t i = 0; rc == SW_OK && i < q->n; i++) {
        const sql_arg *g = &q->args[i];
        int b = (int)i + 1;
        rc = g->t == 'i' ? store_bind_int64(*st, b, g->i)
           : g->t == 'd' ? store_bind_double(*st, b, g->d)
                         : store_bind_cstr(*st, b, g->s);
    }
    sw_buf_free(&q->text);
    if (rc != SW_OK) {
        store_finalize(*st);
        *st = NULL;
    }
    return rc;
}

static const char *const tables[FHIR_IDX__COUNT] = {
    [FHIR_IDX_STRING] = "fhir_idx_string",     [FHIR_IDX_TOKEN] = "fhir_idx_token",
    [FHIR_IDX_DATE] = "fhir_idx_date",         [FHIR_IDX_REF] = "fhir_idx_ref",
    [FHIR_IDX_QUANTITY] = "fhir_idx_quantity", [FHIR_IDX_NUMBER] = "fhir_idx_number",
    [FHIR_IDX_URI] = "fhir_idx_uri",
};

/* "ix.practice_id = ? AND ix.res_type = ? AND ix.param = ?" */
static void idx_scope(sqlq *q, const char *ix, const char *type, const char *param)
{
    col(q, ix, "practice_id = ");
    arg_int(q, q->practice_id);
    sql(q, " AND ");
    col(q, ix, "res_type = ");
    arg_text(q, type);
    sql(q, " AND ");
    col(q, ix, "param = ");
    arg_text(q, param);
}

/* ---- Values -------------------------------------------------------------- */

/* Every string starting with p: a byte range, which both stores answer
 * from the index (LIKE 'p%' would not be, with a bound parameter). */
static void prefix_cond(sqlq *q, const char *ix, const char *column, const char *p)
{
    const char *end = fhir_search_prefix_end(q->a, p);
    sql(q, "(");
    col(q, ix, column);
    sql(q, " >= ");
    arg_text(q, p);
    if (end != NULL) {
        sql(q, " AND ");
        col(q, ix, column);
        sql(q, " < ");
        arg_text(q, end);
    }
    sql(q, ")");
}

/* %p% for LIKE, with %, _ and the escape character escaped. */
static const char *like_pattern(sw_arena *a, const char *p)
{
    size_t n = strlen(p);
    char *out = sw_arena_alloc(a, 2 * n + 3);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    out[o++] = '%';
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%' || p[i] == '_' || p[i] == '\\')
            out[o++] = '\\';
        out[o++] = p[i];
    }
    out[o++] = '%';
    out[o] = '\0';
    return out;
}

/* The date prefixes of https://hl7.org/fhir/R4/search.html#prefix, with
 * the search range [sl, sh] and a value's range [lo, hi]:
 *   eq  sl <= lo and hi <= sh            ne  not eq
 *   gt  hi > sh                          lt  lo < sl
 *   ge  gt or eq, which is lo >= sl or hi > sh (and implies hi >= sl)
 *   le  lt or eq, which is lo < sl or hi <= sh (and implies lo <= sh)
 *   sa  lo > sh                          eb  hi < sl
 *   ap  the ranges overlap (sl, sh widened by the parser). */
static void date_cond(sqlq *q, const char *ix, const char *locol,
                      const char *hicol, const fhir_search_value *v)
{
    switch (v->prefix) {
    case FHIR_PREFIX_EQ: {
        /* lo <= sh is implied; it bounds the index range scan on lo. The
         * end is only checked (SQLite would otherwise take hi <= sh, true
         * of everything earlier, for the better range). */
        bool noindex = q->noindex;
        sql(q, "(");
        col(q, ix, locol); sql(q, " >= "); arg_int(q, v->lo);
        sql(q, " AND "); col(q, ix, locol); sql(q, " <= "); arg_int(q, v->hi);
        sql(q, " AND ");
        q->noindex = q->sqlite;
        col(q, ix, hicol);
        q->noindex = noindex;
        sql(q, " <= "); arg_int(q, v->hi);
        sql(q, ")");
        break;
    }
    case FHIR_PREFIX_NE:
        sql(q, "(");
        col(q, ix, locol); sql(q, " < "); arg_int(q, v->lo);
        sql(q, " OR "); col(q, ix, hicol); sql(q, " > "); arg_int(q, v->hi);
        sql(q, ")");
        break;
    case FHIR_PREFIX_GT:
        col(q, ix, hicol); sql(q, " > "); arg_int(q, v->hi);
        break;
    case FHIR_PREFIX_LT:
        col(q, ix, locol); sql(q, " < "); arg_int(q, v->lo);
        break;
    case FHIR_PREFIX_GE:
        /* Either way hi >= sl (lo <= hi): a range for the index on the
         * end, in front of the OR that no single index answers. */
        sql(q, "(");
        col(q, ix, hicol); sql(q, " >= "); arg_int(q, v->lo);
        sql(q, " AND ("); col(q, ix, locol); sql(q, " >= "); arg_int(q, v->lo);
        sql(q, " OR "); col(q, ix, hicol); sql(q, " > "); arg_int(q, v->hi);
        sql(q, "))");
        break;
    case FHIR_PREFIX_LE:
        /* Either way lo <= sh: a range for the index on the start. */
        sql(q, "(");
        col(q, ix, locol); sql(q, " <= "); arg_int(q, v->hi);
        sql(q, " AND ("); col(q, ix, locol); sql(q, " < "); arg_int(q, v->lo);
        sql(q, " OR "); col(q, ix, hicol); sql(q, " <= "); arg_int(q, v->hi);
        sql(q, "))");
        break;
    case FHIR_PREFIX_SA:
        col(q, ix, locol); sql(q, " > "); arg_int(q, v->hi);
        break;
    case FHIR_PREFIX_EB:
        col(q, ix, hicol); sql(q, " < "); arg_int(q, v->lo);
        break;
    case FHIR_PREFIX_AP:
        sql(q, "(");
        col(q, ix, locol); sql(q, " <= "); arg_int(q, v->hi);
        sql(q, " AND "); col(q, ix, hicol); sql(q, " >= "); arg_int(q, v->lo);
        sql(q, ")");
        break;
    }
}

/* Numbers: eq, ne and ap use the value's implicit range [num_lo, num_hi)
 * ("100" is 99.5 up to 100.5); gt, lt, ge and le compare with the value
 * itself, as the spec's examples do; sa and eb lie beyond the range. */
static void number_cond(sqlq *q, const char *ix, const fhir_search_value *v)
{
    const char *c = "value";
    switch (v->prefix) {
    case FHIR_PREFIX_EQ:
        sql(q, "(");
        col(q, ix, c); sql(q, " >= "); arg_real(q, v->num_lo);
        sql(q, " AND "); col(q, ix, c); sql(q, " < "); arg_real(q, v->num_hi);
        sql(q, ")");
        break;
    case FHIR_PREFIX_NE:
        sql(q, "(");
        col(q, ix, c); sql(q, " < "); arg_real(q, v->num_lo);
        sql(q, " OR "); col(q, ix, c); sql(q, " >= "); arg_real(q, v->num_hi);
        sql(q, ")");
        break;
    case FHIR_PREFIX_GT: col(q, ix, c); sql(q, " > "); arg_real(q, v->num); break;
    case FHIR_PREFIX_LT: col(q, ix, c); sql(q, " < "); arg_real(q, v->num); break;
    case FHIR_PREFIX_GE: col(q, ix, c); sql(q, " >= "); arg_real(q, v->num); break;
    case FHIR_PREFIX_LE: col(q, ix, c); sql(q, " <= "); arg_real(q, v->num); break;
    case FHIR_PREFIX_SA: col(q, ix, c); sql(q, " >= "); arg_real(q, v->num_hi); break;
    case FHIR_PREFIX_EB: col(q, ix, c); sql(q, " < "); arg_real(q, v->num_lo); break;
    case FHIR_PREFIX_AP:
        sql(q, "(");
        col(q, ix, c); sql(q, " >= "); arg_real(q, v->num_lo);
        sql(q, " AND "); col(q, ix, c); sql(q, " <= "); arg_real(q, v->num_hi);
        sql(q, ")");
        break;
    }
}

/* An absolute URL of this server's own base stands for Type/id. */
static bool local_reference(sqlq *q, const char *url, const char **type,
                            const char **id)
{
    const char *base = q->s->base;
    size_t bn = base ? strlen(base) : 0;
    if (bn == 0 || strncmp(url, base, bn) != 0 || url[bn] != '/')
        return false;
    const char *t = url + bn + 1, *slash = strchr(t, '/');
    if (slash == NULL || slash[1] == '\0' || strchr(slash + 1, '/') != NULL
        || !fhir_is_resource_type(sw_str_make(t, (size_t)(slash - t))))
        return false;
    *type = sw_arena_strndup(q->a, t, (size_t)(slash - t));
    *id = slash + 1;
    return *type != NULL;
}

static void reference_cond(sqlq *q, const char *ix, const fhir_search_value *v)
{
    const char *type = v->s1, *id = v->s2;
    if (v->s3 != NULL && !local_reference(q, v->s3, &type, &id)) {
        col(q, ix, "url = ");
        arg_text(q, v->s3);
        return;
    }
    if (type == NULL) {
        col(q, ix, "target_id = ");
        arg_text(q, id);
        return;
    }
    sql(q, "(");
    col(q, ix, "target_id = ");
    arg_text(q, id);
    sql(q, " AND ");
    col(q, ix, "target_type = ");
    arg_text(q, type);
    sql(q, ")");
}

/* uri:above: the value and each of its parents at a '/' (after the
 * authority), stored uris being matched exactly against that list. */
static void uri_above(sqlq *q, const char *ix, const char *uri)
{
    col(q, ix, "uri IN (");
    arg_text(q, uri);
    const char *scheme = strstr(uri, "://");
    const char *floor = scheme ? strchr(scheme + 3, '/') : NULL;
    size_t n = strlen(uri);
    for (int k = 0; floor != NULL && k < 32; k++) {
        while (n > 0 && uri[n - 1] == '/')
            n--;
        while (n > 0 && uri[n - 1] != '/')
            n--;
        if (n == 0 || uri + n - 1 <= floor)
            break;
        char *parent = sw_arena_strndup(q->a, uri, n - 1);
        if (parent == NULL) {
            q->rc = SW_ENOMEM;
            return;
        }
        sql(q, ", ");
        arg_text(q, parent);
        n--;
    }
    sql(q, ")");
}

/* The condition one value puts on an index row (alias ix) of c's table. */
static void value_cond(sqlq *q, const char *ix, const fhir_search_crit *c,
                       const fhir_search_value *v)
{
    switch (c->kind) {
    case FHIR_IDX_STRING:
        if (c->modifier == FHIR_MOD_EXACT) {
            col(q, ix, "exact = ");
            arg_text(q, v->s2);
        } else if (c->modifier == FHIR_MOD_CONTAINS) {
            col(q, ix, "norm LIKE ");
            arg_text(q, like_pattern(q->a, v->s1));
            sql(q, " ESCAPE '\\'");
        } else {
            prefix_cond(q, ix, "norm", v->s1);
        }
        break;
    case FHIR_IDX_TOKEN:
        if (c->modifier == FHIR_MOD_TEXT) {
            prefix_cond(q, ix, "text_norm", v->s3);
        } else if (v->s2 != NULL && v->s1 != NULL) {
            sql(q, "(");
            col(q, ix, "code = ");
            arg_text(q, v->s2);
            sql(q, " AND ");
            col(q, ix, "system = ");
            arg_text(q, v->s1);
            sql(q, ")");
        } else if (v->s2 != NULL) {
            col(q, ix, "code = ");
            arg_text(q, v->s2);
        } else {
            col(q, ix, "system = ");
            arg_text(q, v->s1);
        }
        break;
    case FHIR_IDX_DATE:
        date_cond(q, ix, "low_ms", "high_ms", v);
        break;
    case FHIR_IDX_REF:
        reference_cond(q, ix, v);
        break;
    case FHIR_IDX_QUANTITY:
        sql(q, "(");
        number_cond(q, ix, v);
        if (v->s1 != NULL) {
            sql(q, " AND ");
            col(q, ix, "system = ");
            arg_text(q, v->s1);
        }
        if (v->s2 != NULL) {
            /* number||code: the code, or the human unit, as the spec says */
            sql(q, v->s1 != NULL ? " AND " : " AND (");
            col(q, ix, "code = ");
            arg_text(q, v->s2);
            if (v->s1 == NULL) {
                sql(q, " OR ");
                col(q, ix, "unit = ");
                arg_text(q, v->s2);
                sql(q, ")");
            }
        }
        sql(q, ")");
        break;
    case FHIR_IDX_NUMBER:
        number_cond(q, ix, v);
        break;
    case FHIR_IDX_URI:
        if (c->modifier == FHIR_MOD_BELOW)
            prefix_cond(q, ix, "uri", v->s1);
        else if (c->modifier == FHIR_MOD_ABOVE)
            uri_above(q, ix, v->s1);
        else {
            col(q, ix, "uri = ");
            arg_text(q, v->s1);
        }
        break;
    case FHIR_IDX__COUNT:
        q->rc = SW_EINTERNAL;
        break;
    }
}

/* ---- Criteria ------------------------------------------------------------ */

/* Whether c selects index rows that must exist (rather than be absent):
 * such a criterion can drive the query. */
static bool positive(const fhir_search_crit *c)
{
    return c->modifier != FHIR_MOD_NOT && c->modifier != FHIR_MOD_MISSING
        && c->column != FHIR_COL_UPDATED;
}

static void crit_pred(sqlq *q, const char *ra, const char *ix, const char *type,
                      const fhir_search_crit *c, bool drive);

/* The ids of resources of `type` matching c (one target of a chain). */
static void chain_set(sqlq *q, const char *type, const fhir_search_crit *c)
{
    /* a set of its own, walked on its own index */
    bool noindex = q->noindex;
    q->noindex = false;
    if (positive(c) && c->column == FHIR_COL_INDEX) {
        sql(q, "SELECT y.res_id FROM ");
        sql(q, tables[c->kind]);
        sql(q, " y WHERE ");
        idx_scope(q, "y", type, c->code);
        sql(q, " AND (");
        for (size_t i = 0; i < c->nvalues; i++) {
            if (i)
                sql(q, " OR ");
            value_cond(q, "y", c, &c->values[i]);
        }
        sql(q, ")");
        q->noindex = noindex;
        return;
    }
    /* Negations and the resource columns need the target's own row: a
     * reference to a deleted patient must not match patient.gender:not=x. */
    sql(q, "SELECT c.res_id FROM fhir_resource c WHERE c.practice_id = ");
    arg_int(q, q->practice_id);
    sql(q, " AND c.res_type = ");
    arg_text(q, type);
    sql(q, " AND c.deleted = 0 AND ");
    crit_pred(q, "c", "y", type, c, false);
    q->noindex = noindex;
}

/* What c asks of the index rows (alias ix) beyond their scope: its values
 * ORed, or for a chain its targets. */
static void crit_values(sqlq *q, const char *ix, const fhir_search_crit *c)
{
    sql(q, " AND (");
    if (c->nchain > 0) {
        for (size_t k = 0; k < c->nchain; k++) {
            if (k)
                sql(q, " OR ");
            sql(q, "(");
            col(q, ix, "target_type = ");
            arg_text(q, c->chain[k].type);
            sql(q, " AND ");
            col(q, ix, "target_id IN (");
            chain_set(q, c->chain[k].type, c->chain[k].crit);
            sql(q, "))");
        }
    } else if (c->modifier != FHIR_MOD_MISSING) {
        for (size_t i = 0; i < c->nvalues; i++) {
            if (i)
                sql(q, " OR ");
            value_cond(q, ix, c, &c->values[i]);
        }
    } else {
        sql(q, "1 = 1");
    }
    sql(q, ")");
}

/* "SELECT ix.res_id FROM <table> ix WHERE <scope> AND (<values>)": the
 * ids matching a positive index criterion, walked on the table's
 * (practice_id, res_type, param, value) index. */
static void crit_ids(sqlq *q, const char *ix, const char *type,
                     const fhir_search_crit *c)
{
    sql(q, "SELECT ");
    col(q, ix, "res_id FROM ");
    sql(q, tables[c->kind]);
    sql(q, " ");
    sql(q, ix);
    sql(q, " WHERE ");
    idx_scope(q, ix, type, c->code);
    crit_values(q, ix, c);
}

/* [NOT] EXISTS (SELECT 1 FROM <table> ix WHERE <scope> AND ix.res_id =
 * ra.res_id AND (<values>)): a probe of the table's primary key for each
 * resource row the driver found. Each store needs a nudge to keep it that
 * way, and each gets the one its own documentation gives:
 * - SQLite without statistics prefers the value index, which has more
 *   equal columns but would walk every row with that value for each
 *   resource; a unary + on the value columns ("+x.code = ?") keeps them
 *   off any index, leaving the primary key.
 * - PostgreSQL turns EXISTS into a semi-join it may start from, and on
 *   these tables its estimates are poor (the statistics of `code` mix
 *   every parameter of every type: gender=male looked rare); OFFSET 0
 *   keeps a positive subquery a per-row probe, so the driver chosen by
 *   counting stays the start. */
static void crit_exists(sqlq *q, const char *ra, const char *ix, const char *type,
                        const fhir_search_crit *c, bool not, bool values)
{
    sql(q, not ? "NOT EXISTS (SELECT 1 FROM " : "EXISTS (SELECT 1 FROM ");
    sql(q, tables[c->kind]);
    sql(q, " ");
    sql(q, ix);
    sql(q, " WHERE ");
    idx_scope(q, ix, type, c->code);
    sql(q, " AND ");
    col(q, ix, "res_id = ");
    col(q, ra, "res_id");
    if (values) {
        q->noindex = q->sqlite;
        crit_values(q, ix, c);
        q->noindex = false;
    }
    /* A negation reads every candidate anyway; PostgreSQL does that best
     * as an anti-join, so only positive probes are kept per row. */
    sql(q, q->sqlite || not ? ")" : " OFFSET 0)");
}

/* The condition criterion c puts on the resource row ra (of `type`),
 * using ix as the alias of its index rows. The driving criterion is an
 * IN over its index walk, from which the store starts; the others are
 * probes by primary key of the rows it finds. */
static void crit_pred(sqlq *q, const char *ra, const char *ix, const char *type,
                      const fhir_search_crit *c, bool drive)
{
    sql(q, "(");
    if (c->column == FHIR_COL_ID && c->modifier != FHIR_MOD_MISSING) {
        /* _id=a,b is "a or b", _id:not=a,b "neither a nor b" */
        col(q, ra, c->modifier == FHIR_MOD_NOT ? "res_id NOT IN (" : "res_id IN (");
        for (size_t i = 0; i < c->nvalues; i++) {
            if (i)
                sql(q, ", ");
            arg_text(q, c->values[i].s1);
        }
        sql(q, "))");
        return;
    }
    if (c->column != FHIR_COL_INDEX) {
        for (size_t i = 0; i < c->nvalues; i++) {
            const fhir_search_value *v = &c->values[i];
            if (i)
                sql(q, " OR ");
            if (c->modifier == FHIR_MOD_MISSING)
                sql(q, v->missing ? "1 = 0" : "1 = 1");   /* always present */
            else
                date_cond(q, ra, "updated_ms", "updated_ms", v);
        }
        sql(q, ")");
        return;
    }
    if (c->modifier == FHIR_MOD_MISSING) {
        for (size_t i = 0; i < c->nvalues; i++) {
            if (i)
                sql(q, " OR ");
            crit_exists(q, ra, ix, type, c, c->values[i].missing, false);
        }
    } else if (drive) {
        col(q, ra, "res_id IN (");
        crit_ids(q, ix, type, c);
        sql(q, ")");
    } else {
        crit_exists(q, ra, ix, type, c, c->modifier == FHIR_MOD_NOT, true);
    }
    sql(q, ")");
}

/* ---- Choosing where to start --------------------------------------------- */

/* Index rows a probe counts at most: enough to tell a selective criterion
 * from a common one, cheap enough to run for each. */
#define PROBE_LIMIT 1000

/* A rough order of selectivity, most selective first, for when nothing
 * better is known. */
static int selectivity_rank(const fhir_search_crit *c)
{
    if (c->column == FHIR_COL_ID)
        return 0;
    if (c->nchain > 0)
        return 3;
    switch (c->kind) {
    case FHIR_IDX_REF:      return 1;
    case FHIR_IDX_STRING:   return c->modifier == FHIR_MOD_EXACT ? 2
                                 : c->modifier == FHIR_MOD_CONTAINS ? 7 : 3;
    case FHIR_IDX_TOKEN:    return c->modifier == FHIR_MOD_TEXT ? 7 : 4;
    case FHIR_IDX_URI:      return 4;
    case FHIR_IDX_QUANTITY:
    case FHIR_IDX_NUMBER:   return 5;
    default:                return 6;
    }
}

/* Index rows a criterion selects, counted up to PROBE_LIMIT. */
static int probe(store_tx *tx, sw_arena *a, int64_t practice_id,
                 const fhir_search *s, const fhir_search_crit *c, int64_t *n)
{
    sqlq q;
    q_init(&q, tx, a, s, practice_id);
    sql(&q, "SELECT count(*) FROM (");
    crit_ids(&q, "x", s->type, c);
    sql(&q, " LIMIT ");
    arg_int(&q, PROBE_LIMIT);
    sql(&q, ") z");
    store_stmt *st;
    int rc = q_prepare(tx, &q, &st);
    bool row = false;
    if (rc == SW_OK)
        rc = store_step(st, &row);
    *n = row ? store_col_int64(st, 0) : 0;
    store_finalize(st);
    return rc;
}

int fhir_search_sql_plan(store_tx *tx, sw_arena *a, int64_t practice_id,
                         const fhir_search *s, fhir_search_plan *plan)
{
    plan->driver = -1;
    plan->probe = true;
    if (store_tx_kind(tx) == STORE_POSTGRES) {
        /* The store prepares statements once per connection, and after a
         * few runs PostgreSQL may switch to a generic plan, which knows no
         * values: it then takes "code = $1 AND system = $2" for rare and
         * starts from a code a third of all observations have. A search's
         * selectivity is all in its values, so its statements are planned
         * for them, for this transaction only. */
        int rc = store_exec(tx, NULL, "SET LOCAL plan_cache_mode = "
                            "force_custom_plan", "");
        if (rc != SW_OK)
            return rc;
    }
    int candidates = 0;
    for (size_t i = 0; i < s->ncrits; i++)
        candidates += positive(&s->crits[i]);
    if (candidates == 0)
        return SW_OK;
    /* The candidates are counted on their index, each up to PROBE_LIMIT
     * rows: a few small index walks tell a rare value from a common one
     * better than either store's planner can on these tables. */
    bool measure = candidates > 1;
    int64_t best = INT64_MAX;
    int best_rank = 100;
    for (size_t i = 0; i < s->ncrits; i++) {
        const fhir_search_crit *c = &s->crits[i];
        if (!positive(c))
            continue;
        int64_t n = 0;
        if (measure) {
            if (c->column == FHIR_COL_ID) {
                n = (int64_t)c->nvalues;
            } else {
                int rc = probe(tx, a, practice_id, s, c, &n);
                if (rc != SW_OK)
                    return rc;
            }
        }
        int rank = selectivity_rank(c);
        if (n < best || (n == best && rank < best_rank)) {
            best = n;
            best_rank = rank;
            plan->driver = (int)i;
        }
    }
    /* When even the rarest is common, PostgreSQL joins the sets faster
     * (hashing both) than it probes row by row; SQLite has no hash join
     * and always probes. */
    plan->probe = best < PROBE_LIMIT || store_tx_kind(tx) == STORE_SQLITE;
    return SW_OK;
}

/* The matches of s: the rows r of fhir_resource that satisfy every
 * criterion, starting from the driver's index walk. A deleted resource
 * has no index rows (fhir_row_write clears them and writes none for a
 * tombstone), so when an index criterion drives, r.deleted need not be
 * read: the store answers from the primary key alone, without fetching
 * the rows that hold the stored JSON. */
static void where(sqlq *q, const fhir_search_plan *plan)
{
    const fhir_search *s = q->s;
    int driver = plan ? plan->driver : -1;
    bool live = driver >= 0 && (size_t)driver < s->ncrits
             && s->crits[driver].column == FHIR_COL_INDEX;
    sql(q, "r.practice_id = ");
    arg_int(q, q->practice_id);
    sql(q, " AND r.res_type = ");
    arg_text(q, s->type);
    if (!live)
        sql(q, " AND r.deleted = 0");
    if (driver >= 0 && (size_t)driver < s->ncrits) {
        sql(q, " AND ");
        crit_pred(q, "r", "x", s->type, &s->crits[driver], true);
    }
    for (size_t i = 0; i < s->ncrits; i++) {
        if ((int)i == driver)
            continue;
        sql(q, " AND ");
        const fhir_search_crit *c = &s->crits[i];
        crit_pred(q, "r", "x", s->type, c, plan && !plan->probe && positive(c));
    }
}

int fhir_search_sql_count(store_tx *tx, sw_arena *a, int64_t practice_id,
                          const fhir_search *s, const fhir_search_plan *plan,
                          store_stmt **st)
{
    sqlq q;
    q_init(&q, tx, a, s, practice_id);
    sql(&q, "SELECT count(*) FROM fhir_resource r WHERE ");
    where(&q, plan);
    return q_prepare(tx, &q, st);
}

static const char *const key_as[FHIR_SEARCH_MAX_SORT] = {
    " AS k0", " AS k1", " AS k2", " AS k3", " AS k4", " AS k5", " AS k6", " AS k7",
};
static const char *const key_col[FHIR_SEARCH_MAX_SORT] = {
    "t.k0", "t.k1", "t.k2", "t.k3", "t.k4", "t.k5", "t.k6", "t.k7",
};

/* A resource's value for a sort key: for ascending order its lowest, for
 * descending its highest (a date's start or end), NULL when it has none. */
static void sort_expr(sqlq *q, const fhir_search_sort *so)
{
    if (so->column == FHIR_COL_ID) {
        sql(q, "r.res_id");
        return;
    }
    if (so->column == FHIR_COL_UPDATED) {
        sql(q, "r.updated_ms");
        return;
    }
    static const char *const value_col[FHIR_IDX__COUNT] = {
        [FHIR_IDX_STRING] = "norm", [FHIR_IDX_TOKEN] = "code",
        [FHIR_IDX_DATE] = "low_ms", [FHIR_IDX_REF] = "url",
        [FHIR_IDX_QUANTITY] = "value", [FHIR_IDX_NUMBER] = "value",
        [FHIR_IDX_URI] = "uri",
    };
    /* The value is looked up by the primary key of the resource's rows;
     * SQLite would otherwise read MIN() off the value index, walking all
     * rows of the parameter for each resource ('+' keeps it off). */
    sql(q, so->desc ? "(SELECT MAX(" : "(SELECT MIN(");
    q->noindex = q->sqlite;
    col(q, "s", so->kind == FHIR_IDX_DATE && so->desc ? "high_ms" : value_col[so->kind]);
    q->noindex = false;
    sql(q, ") FROM ");
    sql(q, tables[so->kind]);
    sql(q, " s WHERE s.practice_id = r.practice_id AND s.res_type = r.res_type "
           "AND s.res_id = r.res_id AND s.param = ");
    arg_text(q, so->code);
    sql(q, ")");
}

static void key_arg(sqlq *q, const fhir_search_sort *so, const fhir_search_key *k)
{
    switch (fhir_search_key_type_of(so)) {
    case FHIR_KEY_INT:  arg_int(q, k->i);  break;
    case FHIR_KEY_REAL: arg_real(q, k->d); break;
    case FHIR_KEY_TEXT: arg_text(q, k->s); break;
    }
}

/* The rows after cursor c in the result order (before it, backward):
 * key by key, "further along on this key, or equal and further along on
 * the rest", ending with res_id; resources without a value for a key
 * come after all that have one, in both directions. */
static void keyset(sqlq *q, const fhir_search_cursor *c, size_t i, bool backward)
{
    const fhir_search *s = q->s;
    if (i == s->nsorts) {
        sql(q, backward ? (c->inclusive ? "t.res_id <= " : "t.res_id < ")
                        : (c->inclusive ? "t.res_id >= " : "t.res_id > "));
        arg_text(q, c->id);
        return;
    }
    const fhir_search_key *k = &c->keys[i];
    const fhir_search_sort *so = &s->sorts[i];
    const char *kc = key_col[i];
    if (k->null) {
        sql(q, "(");
        if (backward) {
            sql(q, kc);
            sql(q, " IS NOT NULL OR (");
        }
        sql(q, kc);
        sql(q, " IS NULL AND ");
        keyset(q, c, i + 1, backward);
        sql(q, backward ? "))" : ")");
        return;
    }
    sql(q, "(");
    sql(q, kc);
    sql(q, so->desc != backward ? " < " : " > ");
    key_arg(q, so, k);
    if (!backward) {
        sql(q, " OR ");
        sql(q, kc);
        sql(q, " IS NULL");
    }
    sql(q, " OR (");
    sql(q, kc);
    sql(q, " = ");
    key_arg(q, so, k);
    sql(q, " AND ");
    keyset(q, c, i + 1, backward);
    sql(q, "))");
}

int fhir_search_sql_page(store_tx *tx, sw_arena *a, int64_t practice_id,
                         const fhir_search *s, const fhir_search_plan *plan,
                         const fhir_search_cursor *c, int limit, store_stmt **st)
{
    sqlq q;
    q_init(&q, tx, a, s, practice_id);
    bool set = c != NULL && c->set, back = set && c->backward;
    /* Sort values are computed once per match in a materialized CTE (a
     * derived table would be flattened by SQLite, evaluating each value
     * again for ORDER BY), so that the keyset condition and ORDER BY can
     * name them; bodies are read afterwards by id, so the sort never
     * carries stored JSON. Without _sort the order is res_id's, which the
     * primary key gives, and the keyset is a range on it. */
    bool sorted = s->nsorts > 0;
    sql(&q, sorted ? "WITH t AS MATERIALIZED (" : "SELECT t.res_id FROM (");
    sql(&q, "SELECT r.res_id AS res_id");
    for (size_t i = 0; i < s->nsorts; i++) {
        sql(&q, ", ");
        sort_expr(&q, &s->sorts[i]);
        sql(&q, key_as[i]);
    }
    sql(&q, " FROM fhir_resource r WHERE ");
    where(&q, plan);
    if (sorted) {
        sql(&q, ") SELECT t.res_id");
        for (size_t i = 0; i < s->nsorts; i++) {
            sql(&q, ", ");
            sql(&q, key_col[i]);
        }
        sql(&q, " FROM t");
    } else {
        sql(&q, ") t");
    }
    if (set) {
        sql(&q, " WHERE ");
        keyset(&q, c, 0, back);
    }
    sql(&q, " ORDER BY ");
    for (size_t i = 0; i < s->nsorts; i++) {
        sql(&q, "(");
        sql(&q, key_col[i]);
        sql(&q, back ? " IS NULL) DESC, " : " IS NULL), ");
        sql(&q, key_col[i]);
        sql(&q, s->sorts[i].desc != back ? " DESC, " : ", ");
    }
    sql(&q, back ? "t.res_id DESC LIMIT " : "t.res_id LIMIT ");
    arg_int(&q, limit);
    return q_prepare(tx, &q, st);
}

/* "(?, ?, …)" with n ids, padded by repeating the last to 8, 32, 128 or
 * FHIR_SEARCH_IN_CHUNK entries. */
static void in_list(sqlq *q, const char *const *ids, size_t n)
{
    size_t padded = n <= 8 ? 8 : n <= 32 ? 32 : n <= 128 ? 128 : FHIR_SEARCH_IN_CHUNK;
    if (n == 0 || n > FHIR_SEARCH_IN_CHUNK) {
        q->rc = SW_EINTERNAL;
        return;
    }
    sql(q, "(");
    for (size_t i = 0; i < padded; i++) {
        if (i)
            sql(q, ", ");
        arg_text(q, ids[i < n ? i : n - 1]);
    }
    sql(q, ")");
}

int fhir_search_sql_bodies(store_tx *tx, sw_arena *a, int64_t practice_id,
                           const char *type, const char *const *ids, size_t n,
                           store_stmt **st)
{
    sqlq q;
    q_init(&q, tx, a, NULL, practice_id);
    sql(&q, "SELECT res_id, version, updated_ms, body FROM fhir_resource "
            "WHERE practice_id = ");
    arg_int(&q, practice_id);
    sql(&q, " AND res_type = ");
    arg_text(&q, type);
    sql(&q, " AND deleted = 0 AND res_id IN ");
    in_list(&q, ids, n);
    return q_prepare(tx, &q, st);
}

int fhir_search_sql_include(store_tx *tx, sw_arena *a, int64_t practice_id,
                            const char *type, const fhir_search_include *inc,
                            const char *const *ids, size_t n, store_stmt **st)
{
    sqlq q;
    q_init(&q, tx, a, NULL, practice_id);
    /* _include walks the primary key (the page's ids are res_ids),
     * _revinclude the target index (they are target_ids). SQLite, without
     * statistics, picks the other index for each, so there the columns
     * that would lead it astray get a unary '+' (see crit_exists); and no
     * DISTINCT, for which it would walk the index in its order: the
     * caller drops repeats anyway. */
    sql(&q, inc->rev ? "SELECT x.res_id FROM fhir_idx_ref x WHERE "
                     : "SELECT x.target_type, x.target_id "
                       "FROM fhir_idx_ref x WHERE ");
    if (inc->rev) {
        sql(&q, "x.practice_id = ");
        arg_int(&q, practice_id);
        sql(&q, q.sqlite ? " AND +x.res_type = " : " AND x.res_type = ");
        arg_text(&q, inc->source);
        sql(&q, " AND x.param = ");
        arg_text(&q, inc->param);
        sql(&q, " AND x.target_type = ");
        arg_text(&q, type);
        sql(&q, " AND x.target_id IN ");
        in_list(&q, ids, n);
    } else {
        idx_scope(&q, "x", inc->source, inc->param);
        sql(&q, " AND x.res_id IN ");
        in_list(&q, ids, n);
        q.noindex = q.sqlite;
        sql(&q, " AND ");
        col(&q, "x", "target_id <> ''");
        sql(&q, " AND ");
        if (inc->target != NULL) {
            col(&q, "x", "target_type = ");
            q.noindex = false;
            arg_text(&q, inc->target);
        } else {
            col(&q, "x", "target_type <> ''");
        }
        q.noindex = false;
    }
    return q_prepare(tx, &q, st);
}
