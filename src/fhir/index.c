/* index.c - index rows: the list, string normalization, and writing rows
 * to the fhir_idx_* tables (extraction from resources is index_extract.c).
 *
 * A write replaces all of a resource's rows: delete from each table, then
 * one insert per row through statements the store keeps prepared. */
#include "index.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

void fhir_index_rows_init(fhir_index_rows *r, sw_arena *a)
{
    memset(r, 0, sizeof *r);
    r->arena = a;
}

int fhir_index_add(fhir_index_rows *r, const fhir_index_row *row)
{
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        fhir_index_row *rows = sw_arena_alloc(r->arena, cap * sizeof *rows);
        if (rows == NULL)
            return SW_ENOMEM;
        if (r->count)
            memcpy(rows, r->rows, r->count * sizeof *rows);
        r->rows = rows;
        r->cap = cap;
    }
    r->rows[r->count++] = *row;
    return SW_OK;
}

char *fhir_index_normalize(sw_arena *a, const char *s, size_t n)
{
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s,
                                        (utf8proc_ssize_t)n, &folded,
                                        UTF8PROC_STABLE | UTF8PROC_DECOMPOSE
                                        | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
    if (len < 0) {
        /* Not valid UTF-8 cannot reach here (the JSON parser checks); fall
         * back to the bytes as they are rather than failing the write. */
        return sw_arena_strndup(a, s, n);
    }
    char *out = sw_arena_strndup(a, (const char *)folded, (size_t)len);
    free(folded);
    return out;
}

static const char *const clear_sql[FHIR_IDX__COUNT] = {
    [FHIR_IDX_STRING]   = "DELETE FROM fhir_idx_string WHERE practice_id = ? AND res_type = ? AND res_id = ?",
    [FHIR_IDX_TOKEN]    = "DELETE FROM fhir_idx_token WHERE practice_id = ? AND res_type = ? AND res_id = ?",
    [FHIR_IDX_DATE]     = "DELETE FROM fhir_idx_date WHERE practice_id = ? AND res_type = ? AND res_id = ?",
    [FHIR_IDX_REF]      = "DELETE FROM fhir_idx_ref WHERE practice_id = ? AND res_type = ? AND res_id = ?",
    [FHIR_IDX_QUANTITY] = "DELETE FROM fhir_idx_quantity WHERE practice_id = ? AND res_type = ? AND res_id = ?",
    [FHIR_IDX_NUMBER]   = "DELETE FROM fhir_idx_number WHERE practice_id = ? AND res_type = ? AND res_id = ?",
    [FHIR_IDX_URI]      = "DELETE FROM fhir_idx_uri WHERE practice_id = ? AND res_type = ? AND res_id = ?",
};

int fhir_index_clear(store_tx *tx, int64_t practice_id, const char *type,
                     const char *id)
{
    for (int k = 0; k < FHIR_IDX__COUNT; k++) {
        int rc = store_exec(tx, NULL, clear_sql[k], "itt", practice_id, type, id);
        if (rc != SW_OK)
            return rc;
    }
    return SW_OK;
}

static const char *const insert_sql[FHIR_IDX__COUNT] = {
    [FHIR_IDX_STRING] =
        "INSERT INTO fhir_idx_string (practice_id, res_type, res_id, param, ord, "
        "norm, exact) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [FHIR_IDX_TOKEN] =
        "INSERT INTO fhir_idx_token (practice_id, res_type, res_id, param, ord, "
        "system, code, text_norm) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [FHIR_IDX_DATE] =
        "INSERT INTO fhir_idx_date (practice_id, res_type, res_id, param, ord, "
        "low_ms, high_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [FHIR_IDX_REF] =
        "INSERT INTO fhir_idx_ref (practice_id, res_type, res_id, param, ord, "
        "target_type, target_id, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [FHIR_IDX_QUANTITY] =
        "INSERT INTO fhir_idx_quantity (practice_id, res_type, res_id, param, "
        "ord, value, system, code, unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [FHIR_IDX_NUMBER] =
        "INSERT INTO fhir_idx_number (practice_id, res_type, res_id, param, ord, "
        "value) VALUES (?, ?, ?, ?, ?, ?)",
    [FHIR_IDX_URI] =
        "INSERT INTO fhir_idx_uri (practice_id, res_type, res_id, param, ord, "
        "uri) VALUES (?, ?, ?, ?, ?, ?)",
};

/* Binds the columns after the five that every table shares. */
static int bind_values(store_stmt *st, const fhir_index_row *r)
{
    int rc;
    switch (r->kind) {
    case FHIR_IDX_STRING:
        if ((rc = store_bind_cstr(st, 6, r->s1)) != SW_OK)
            return rc;
        return store_bind_cstr(st, 7, r->s2);
    case FHIR_IDX_TOKEN:
    case FHIR_IDX_REF:
        if ((rc = store_bind_cstr(st, 6, r->s1 ? r->s1 : "")) != SW_OK
            || (rc = store_bind_cstr(st, 7, r->s2 ? r->s2 : "")) != SW_OK)
            return rc;
        return store_bind_cstr(st, 8, r->s3 ? r->s3 : "");
    case FHIR_IDX_DATE:
        if ((rc = store_bind_int64(st, 6, r->i1)) != SW_OK)
            return rc;
        return store_bind_int64(st, 7, r->i2);
    case FHIR_IDX_QUANTITY:
        if ((rc = store_bind_double(st, 6, r->d)) != SW_OK
            || (rc = store_bind_cstr(st, 7, r->s1 ? r->s1 : "")) != SW_OK
            || (rc = store_bind_cstr(st, 8, r->s2 ? r->s2 : "")) != SW_OK)
            return rc;
        return store_bind_cstr(st, 9, r->s3 ? r->s3 : "");
    case FHIR_IDX_NUMBER:
        return store_bind_double(st, 6, r->d);
    case FHIR_IDX_URI:
        return store_bind_cstr(st, 6, r->s1);
    case FHIR_IDX__COUNT:
        break;
    }
    return SW_EINTERNAL;
}

int fhir_index_write(store_tx *tx, int64_t practice_id, const char *type,
                     const char *id, const fhir_index_rows *rows)
{
    for (size_t i = 0; i < rows->count; i++) {
        const fhir_index_row *r = &rows->rows[i];
        store_stmt *st;
        int rc = store_prepare(tx, insert_sql[r->kind], &st);
        if (rc != SW_OK)
            return rc;
        bool more = true;
        if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
            && (rc = store_bind_cstr(st, 2, type)) == SW_OK
            && (rc = store_bind_cstr(st, 3, id)) == SW_OK
            && (rc = store_bind_cstr(st, 4, r->param)) == SW_OK
            && (rc = store_bind_int64(st, 5, r->ord)) == SW_OK
            && (rc = bind_values(st, r)) == SW_OK)
            while (rc == SW_OK && more)
                rc = store_step(st, &more);
        store_finalize(st);
        if (rc != SW_OK)
            return rc;
    }
    return SW_OK;
}
