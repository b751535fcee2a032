/* index.h - search index rows: extracted from a resource when it is
 * written, stored in the typed fhir_idx_* tables, read by search.
 *
 * Searches never parse stored JSON: at write time every search parameter of
 * the resource's type is evaluated against the resource and each value it
 * selects becomes one row in the table of its kind (string, token, date,
 * reference, quantity, number, uri), normalized for searching (strings
 * lower-cased and stripped of accents, dates as millisecond ranges,
 * references split into type and id). Extraction is CPU work and runs
 * before the transaction; fhir_index_write only inserts.
 *
 * Ownership: rows and their strings live in the arena given to extract. */
#ifndef SW_FHIR_INDEX_H
#define SW_FHIR_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/json.h"
#include "store/store.h"

typedef enum fhir_index_kind {
    FHIR_IDX_STRING,     /* s1 norm, s2 exact */
    FHIR_IDX_TOKEN,      /* s1 system, s2 code, s3 text (normalized) */
    FHIR_IDX_DATE,       /* i1 low ms, i2 high ms (inclusive) */
    FHIR_IDX_REF,        /* s1 target type, s2 target id, s3 url */
    FHIR_IDX_QUANTITY,   /* d value, s1 system, s2 code, s3 unit */
    FHIR_IDX_NUMBER,     /* d value */
    FHIR_IDX_URI,        /* s1 uri */
    FHIR_IDX__COUNT
} fhir_index_kind;

typedef struct fhir_index_row {
    fhir_index_kind kind;
    const char     *param;   /* the search parameter's code */
    int             ord;     /* n-th value of this parameter */
    const char     *s1, *s2, *s3;
    int64_t         i1, i2;
    double          d;
} fhir_index_row;

typedef struct fhir_index_rows {
    sw_arena       *arena;
    fhir_index_row *rows;
    size_t          count;
    size_t          cap;
} fhir_index_rows;

void fhir_index_rows_init(fhir_index_rows *r, sw_arena *a);
/* Appends a row (strings must outlive the rows); SW_OK or SW_ENOMEM. */
int  fhir_index_add(fhir_index_rows *r, const fhir_index_row *row);

/* Evaluates every supported search parameter of the resource's type
 * against res and fills rows. */
int  fhir_index_extract(const sw_json *res, const char *type,
                        fhir_index_rows *rows);

/* Inside a write transaction: removes a resource's rows from every index
 * table, and inserts rows for it. */
int  fhir_index_clear(store_tx *tx, int64_t practice_id, const char *type,
                      const char *id);
int  fhir_index_write(store_tx *tx, int64_t practice_id, const char *type,
                      const char *id, const fhir_index_rows *rows);

/* Lower-cases and strips accents ("Renée" -> "renee") for string search;
 * arena-owned, NULL when out of memory. */
char *fhir_index_normalize(sw_arena *a, const char *s, size_t n);

#endif
