/* backup_manifest.c - what a backup held, computed from the data itself
 * (docs/operations.md "The manifest"): per table its row count and a
 * SHA-256 over its rows in primary-key order, each practice's audit chain
 * head and the HL7 queue counts. The same function reads the backup (in
 * the dump's snapshot, or the SQLite copy) and the restored store, so a
 * restore is proven by comparing the two.
 *
 * Canonical row text: the table's columns in their declared order, each
 * rendered as the backend's text form of the value (store_col_text: SQLite's
 * text conversion; PostgreSQL's text output format), NULL as the two bytes
 * "\N", a backslash doubled, a tab as "\t", a newline as "\n", a carriage
 * return as "\r"; columns joined by one tab; every row ended by a newline.
 * Rows are ordered by the primary key's columns in key order (all columns
 * when a table has none). The hash is over the concatenated rows; an empty
 * table hashes the empty string. Hashes compare within one backend. */
#include "store/backup_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQL_MAX 4096

/* hl7_outbox.status values (HL7_OUT_PENDING, HL7_OUT_ACKED in
 * src/hl7/outbox.h, an area above this one). */
#define OUTBOX_PENDING "pending"
#define OUTBOX_ACKED   "acked"

/* Appends "ident" (double quotes doubled) to buf. */
static int quote_ident(char *buf, size_t cap, size_t *len, const char *id)
{
    if (*len + 1 >= cap)
        return -1;
    buf[(*len)++] = '"';
    for (const char *p = id; *p; p++) {
        if (*len + 3 >= cap)
            return -1;
        if (*p == '"')
            buf[(*len)++] = '"';
        buf[(*len)++] = *p;
    }
    buf[(*len)++] = '"';
    buf[*len] = '\0';
    return 0;
}

static int append(char *buf, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 >= cap)
        return -1;
    memcpy(buf + *len, s, n + 1);
    *len += n;
    return 0;
}

/* The table's name as SQL: "schema"."table" or "table". */
static int table_sql(char *buf, size_t cap, size_t *len, const char *schema,
                     const char *table)
{
    if (schema != NULL
        && (quote_ident(buf, cap, len, schema) != 0
            || append(buf, cap, len, ".") != 0))
        return -1;
    return quote_ident(buf, cap, len, table);
}

/* The names of the store's tables, sorted, as a JSON array of strings. */
static int list_tables(store_tx *tx, const char *schema, json_t *names)
{
    store_stmt *st;
    int rc = schema == NULL
        ? store_prepare(tx, "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%' ORDER BY name", &st)
        : store_prepare(tx, "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = ? AND table_type = 'BASE TABLE' "
                        "ORDER BY table_name", &st);
    if (rc != SW_OK)
        return rc;
    if (schema != NULL)
        store_bind_cstr(st, 1, schema);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row)
        json_array_append_new(names, json_string(store_col_text(st, 0, NULL)));
    store_finalize(st);
    return rc;
}

/* The ORDER BY list of a table: its primary-key columns in key order, or
 * every column when it has no key. */
static int order_by(store_tx *tx, const char *schema, const char *table,
                    char *buf, size_t cap, size_t *len)
{
    static const char *const sqlite_pk =
        "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk";
    static const char *const sqlite_all =
        "SELECT name FROM pragma_table_info(?) ORDER BY cid";
    static const char *const pg_pk =
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indisprimary AND i.indrelid = "
        "(quote_ident(?) || '.' || quote_ident(?))::regclass "
        "ORDER BY array_position(i.indkey::int2[], a.attnum)";
    static const char *const pg_all =
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position";
    for (int pass = 0; pass < 2; pass++) {
        store_stmt *st;
        const char *sql = schema == NULL ? (pass ? sqlite_all : sqlite_pk)
                                         : (pass ? pg_all : pg_pk);
        int rc = store_prepare(tx, sql, &st);
        if (rc != SW_OK)
            return rc;
        if (schema == NULL) {
            store_bind_cstr(st, 1, table);
        } else {
            store_bind_cstr(st, 1, schema);
            store_bind_cstr(st, 2, table);
        }
        bool row;
        int cols = 0;
        while ((rc = store_step(st, &row)) == SW_OK && row) {
            if ((cols++ > 0 && append(buf, cap, len, ", ") != 0)
                || quote_ident(buf, cap, len, store_col_text(st, 0, NULL)) != 0)
                rc = store_tx_fail(tx, SW_EINTERNAL, "table %s has too many "
                                   "key columns to back up", table);
            if (rc != SW_OK)
                break;
        }
        store_finalize(st);
        if (rc != SW_OK)
            return rc;
        if (cols > 0)
            return SW_OK;
    }
    return store_tx_fail(tx, SW_EINTERNAL, "table %s has no columns", table);
}

/* Feeds one value in canonical form to the hash. */
static void hash_value(crypto_hash_sha256_state *h, const char *v, size_t n)
{
    unsigned char out[256];
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o + 2 > sizeof out) {
            crypto_hash_sha256_update(h, out, o);
            o = 0;
        }
        unsigned char c = (unsigned char)v[i];
        switch (c) {
        case '\\': out[o++] = '\\'; out[o++] = '\\'; break;
        case '\t': out[o++] = '\\'; out[o++] = 't'; break;
        case '\n': out[o++] = '\\'; out[o++] = 'n'; break;
        case '\r': out[o++] = '\\'; out[o++] = 'r'; break;
        default:   out[o++] = c; break;
        }
    }
    crypto_hash_sha256_update(h, out, o);
}

static int hash_table(store_tx *tx, const char *schema, const char *table,
                      json_t **out)
{
    char sql[SQL_MAX];
    size_t len = 0;
    if (append(sql, sizeof sql, &len, "SELECT * FROM ") != 0
        || table_sql(sql, sizeof sql, &len, schema, table) != 0
        || append(sql, sizeof sql, &len, " ORDER BY ") != 0)
        return store_tx_fail(tx, SW_EINTERNAL, "table %s: name too long", table);
    int rc = order_by(tx, schema, table, sql, sizeof sql, &len);
    if (rc != SW_OK)
        return rc;
    store_stmt *st;
    rc = store_prepare(tx, sql, &st);
    if (rc != SW_OK)
        return rc;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    int64_t rows = 0;
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        int ncol = store_col_count(st);
        for (int c = 0; c < ncol; c++) {
            if (c > 0)
                crypto_hash_sha256_update(&h, (const unsigned char *)"\t", 1);
            if (store_col_null(st, c)) {
                crypto_hash_sha256_update(&h, (const unsigned char *)"\\N", 2);
            } else {
                size_t n = 0;
                const char *v = store_col_text(st, c, &n);
                hash_value(&h, v, n);
            }
        }
        crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
        rows++;
    }
    store_finalize(st);
    if (rc != SW_OK)
        return rc;
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    *out = json_pack("{s:s, s:I, s:s}", "name", table, "rows", (json_int_t)rows,
                     "sha256", hex);
    return *out ? SW_OK : store_tx_fail(tx, SW_ENOMEM, "out of memory");
}

static bool has_table(json_t *names, const char *table)
{
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
        if (strcmp(json_string_value(v), table) == 0)
            return true;
    return false;
}

static int audit_heads(store_tx *tx, const char *schema, json_t *heads)
{
    char sql[SQL_MAX];
    size_t len = 0;
    if (append(sql, sizeof sql, &len, "SELECT practice_id, seq, hash FROM ") != 0
        || table_sql(sql, sizeof sql, &len, schema, "audit_head") != 0
        || append(sql, sizeof sql, &len, " ORDER BY practice_id") != 0)
        return store_tx_fail(tx, SW_EINTERNAL, "schema name too long");
    store_stmt *st;
    int rc = store_prepare(tx, sql, &st);
    if (rc != SW_OK)
        return rc;
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row)
        json_array_append_new(heads, json_pack("{s:I, s:I, s:s}",
            "practice_id", (json_int_t)store_col_int64(st, 0),
            "seq", (json_int_t)store_col_int64(st, 1),
            "hash", store_col_text(st, 2, NULL)));
    store_finalize(st);
    return rc;
}

static int count_where(store_tx *tx, const char *schema, const char *table,
                       const char *where, const char *arg, int64_t *n)
{
    char sql[SQL_MAX];
    size_t len = 0;
    if (append(sql, sizeof sql, &len, "SELECT COUNT(*) FROM ") != 0
        || table_sql(sql, sizeof sql, &len, schema, table) != 0
        || append(sql, sizeof sql, &len, where) != 0)
        return store_tx_fail(tx, SW_EINTERNAL, "schema name too long");
    return arg ? store_query_int64(tx, n, sql, "t", arg)
               : store_query_int64(tx, n, sql, "");
}

static int hl7_counts(store_tx *tx, const char *schema, json_t *names,
                      json_t **out)
{
    int64_t pending = 0, acked = 0, inbound = 0;
    int rc = SW_OK;
    if (has_table(names, "hl7_outbox")) {
        rc = count_where(tx, schema, "hl7_outbox", " WHERE status = ?",
                         OUTBOX_PENDING, &pending);
        if (rc == SW_OK)
            rc = count_where(tx, schema, "hl7_outbox", " WHERE status = ?",
                             OUTBOX_ACKED, &acked);
    }
    if (rc == SW_OK && has_table(names, "hl7_inbound"))
        rc = count_where(tx, schema, "hl7_inbound", "", NULL, &inbound);
    if (rc != SW_OK)
        return rc;
    *out = json_pack("{s:I, s:I, s:I}", "outbox_pending", (json_int_t)pending,
                     "outbox_acknowledged", (json_int_t)acked,
                     "inbound", (json_int_t)inbound);
    return SW_OK;
}

int backup_manifest_store(store_tx *tx, const char *pg_schema,
                          const char *name, json_t **out)
{
    *out = NULL;
    json_t *names = json_array(), *tables = json_array(), *heads = json_array();
    json_t *hl7 = NULL;
    int rc = list_tables(tx, pg_schema, names);
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v) {
        if (rc != SW_OK)
            break;
        json_t *t = NULL;
        rc = hash_table(tx, pg_schema, json_string_value(v), &t);
        if (rc == SW_OK)
            json_array_append_new(tables, t);
    }
    if (rc == SW_OK && has_table(names, "audit_head"))
        rc = audit_heads(tx, pg_schema, heads);
    if (rc == SW_OK)
        rc = hl7_counts(tx, pg_schema, names, &hl7);
    json_decref(names);
    if (rc != SW_OK) {
        json_decref(tables);
        json_decref(heads);
        return rc;
    }
    *out = json_pack("{s:s, s:o, s:o, s:o}", "name", name, "tables", tables,
                     "audit_heads", heads, "hl7", hl7);
    return *out ? SW_OK : store_tx_fail(tx, SW_ENOMEM, "out of memory");
}

int backup_pg_schema_exists(store_tx *tx, const char *schema, bool *exists)
{
    int64_t n = 0;
    int rc = store_query_int64(tx, &n, "SELECT COUNT(*) FROM "
                               "information_schema.schemata WHERE schema_name = ?",
                               "t", schema);
    *exists = n > 0;
    return rc;
}

static json_t *find_named(json_t *array, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v) {
        const char *n = json_string_value(json_object_get(v, "name"));
        if (n != NULL && strcmp(n, name) == 0)
            return v;
    }
    return NULL;
}

int backup_manifest_compare(json_t *want, json_t *got, sw_err *err)
{
    size_t i, j;
    json_t *ws, *wt;
    json_array_foreach(want, i, ws) {
        const char *sname = json_string_value(json_object_get(ws, "name"));
        json_t *gs = find_named(got, sname ? sname : "");
        if (gs == NULL)
            return sw_err_set(err, SW_ECONFLICT, "the restored database lacks "
                              "the %s store the backup holds", sname);
        json_t *gtables = json_object_get(gs, "tables");
        json_array_foreach(json_object_get(ws, "tables"), j, wt) {
            const char *tname = json_string_value(json_object_get(wt, "name"));
            json_t *gt = find_named(gtables, tname ? tname : "");
            if (gt == NULL)
                return sw_err_set(err, SW_ECONFLICT, "table %s of the %s store "
                                  "is missing from the restored database",
                                  tname, sname);
            json_int_t wr = json_integer_value(json_object_get(wt, "rows"));
            json_int_t gr = json_integer_value(json_object_get(gt, "rows"));
            if (wr != gr)
                return sw_err_set(err, SW_ECONFLICT, "table %s of the %s store "
                                  "has %lld rows restored where the backup "
                                  "holds %lld", tname, sname, (long long)gr,
                                  (long long)wr);
            const char *wh = json_string_value(json_object_get(wt, "sha256"));
            const char *gh = json_string_value(json_object_get(gt, "sha256"));
            if (wh == NULL || gh == NULL || strcmp(wh, gh) != 0)
                return sw_err_set(err, SW_ECONFLICT, "table %s of the %s store "
                                  "differs from the backup (checksum mismatch)",
                                  tname, sname);
        }
        if (json_array_size(gtables)
            != json_array_size(json_object_get(ws, "tables")))
            return sw_err_set(err, SW_ECONFLICT, "the restored %s store has "
                              "tables the backup does not list", sname);
        if (!json_equal(json_object_get(ws, "audit_heads"),
                        json_object_get(gs, "audit_heads")))
            return sw_err_set(err, SW_ECONFLICT, "the audit chain heads of the "
                              "%s store differ from the backup's", sname);
    }
    return SW_OK;
}

void backup_manifest_totals(json_t *stores, int64_t *tables, int64_t *rows)
{
    *tables = 0;
    *rows = 0;
    size_t i, j;
    json_t *s, *t;
    json_array_foreach(stores, i, s) {
        json_array_foreach(json_object_get(s, "tables"), j, t) {
            (*tables)++;
            *rows += json_integer_value(json_object_get(t, "rows"));
        }
    }
}
