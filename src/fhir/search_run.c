/* search_run.c - running a parsed search inside a transaction: the total,
 * one page by key (seek) with the tokens of its next and previous pages,
 * the stored resources of the page, and its _include and _revinclude
 * resources, de-duplicated; and the plain "which ids match" of
 * conditional interactions.
 *
 * The statements come from search_sql.c. rest_search.c calls
 * fhir_search_run inside one store_read, so everything here sees one
 * snapshot; a page is at most FHIR_SEARCH_PAGE_MAX resources plus
 * FHIR_SEARCH_MAX_INCLUDED included ones, read by id in chunks of
 * FHIR_SEARCH_IN_CHUNK. */
#include "fhir/search.h"

#include <stdlib.h>
#include <string.h>

typedef struct row {
    const char     *id;
    fhir_search_key keys[FHIR_SEARCH_MAX_SORT];
} row;

/* The ids (and sort values) of one page query. */
static int page_rows(store_tx *tx, sw_arena *a, int64_t practice_id,
                     const fhir_search *s, const fhir_search_plan *plan,
                     const fhir_search_cursor *c, int limit, row **rows,
                     size_t *n)
{
    *n = 0;
    *rows = sw_arena_calloc(a, (size_t)limit, sizeof **rows);
    if (*rows == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    store_stmt *st;
    int rc = fhir_search_sql_page(tx, a, practice_id, s, plan, c, limit, &st);
    bool more = true;
    while (rc == SW_OK && (rc = store_step(st, &more)) == SW_OK && more
           && *n < (size_t)limit) {
        row *r = &(*rows)[(*n)++];
        r->id = sw_arena_strdup(a, store_col_text(st, 0, NULL));
        bool ok = r->id != NULL;
        for (size_t k = 0; k < s->nsorts; k++) {
            fhir_search_key *key = &r->keys[k];
            int column = (int)k + 1;
            if (store_col_null(st, column)) {
                key->null = true;
                continue;
            }
            switch (fhir_search_key_type_of(&s->sorts[k])) {
            case FHIR_KEY_INT:
                key->i = store_col_int64(st, column);
                break;
            case FHIR_KEY_REAL:
                key->d = store_col_double(st, column);
                break;
            case FHIR_KEY_TEXT:
                key->s = sw_arena_strdup(a, store_col_text(st, column, NULL));
                ok = ok && key->s != NULL;
                break;
            }
        }
        if (!ok)
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
    }
    store_finalize(st);
    return rc;
}

/* The token of the page before (backward) or after a boundary row. */
static const char *token(sw_arena *a, const fhir_search *s, const row *r,
                         const fhir_search_cursor *at, bool backward,
                         bool inclusive)
{
    fhir_search_cursor c;
    memset(&c, 0, sizeof c);
    c.set = true;
    c.backward = backward;
    c.inclusive = inclusive;
    if (r != NULL) {
        memcpy(c.keys, r->keys, sizeof c.keys);
        c.id = r->id;
    } else {
        memcpy(c.keys, at->keys, sizeof c.keys);
        c.id = at->id;
    }
    return fhir_search_page_encode(a, s, &c);
}

/* Reads the stored resources of hits[0..n) (type and id set), in chunks. */
static int fill_bodies(store_tx *tx, sw_arena *a, int64_t practice_id,
                       fhir_search_hit *hits, size_t n)
{
    const char *ids[FHIR_SEARCH_IN_CHUNK];
    for (size_t start = 0; start < n; start += FHIR_SEARCH_IN_CHUNK) {
        size_t m = n - start < FHIR_SEARCH_IN_CHUNK ? n - start : FHIR_SEARCH_IN_CHUNK;
        for (size_t i = 0; i < m; i++)
            ids[i] = hits[start + i].id;
        store_stmt *st;
        int rc = fhir_search_sql_bodies(tx, a, practice_id, hits[start].type,
                                        ids, m, &st);
        bool more = true;
        while (rc == SW_OK && (rc = store_step(st, &more)) == SW_OK && more) {
            const char *id = store_col_text(st, 0, NULL);
            for (size_t i = 0; i < m; i++) {
                fhir_search_hit *h = &hits[start + i];
                if (h->body != NULL || strcmp(h->id, id) != 0)
                    continue;
                size_t len;
                const char *body = store_col_text(st, 3, &len);
                h->version = store_col_int64(st, 1);
                h->updated_ms = store_col_int64(st, 2);
                h->body = sw_arena_strndup(a, body, len);
                h->body_len = len;
                if (h->body == NULL)
                    rc = store_tx_fail(tx, SW_ENOMEM, NULL);
                break;
            }
        }
        store_finalize(st);
        if (rc != SW_OK)
            return rc;
    }
    return SW_OK;
}

/* ---- Includes ------------------------------------------------------------ */

/* The resources already in the Bundle, as "Type/id", in an open-addressed
 * set sized for a full page and the include cap. */
typedef struct seen {
    const char **slots;
    size_t       cap;
} seen;

static uint64_t hash_key(const char *type, const char *id)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *c = type; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    h = (h ^ '/') * 1099511628211ull;
    for (const char *c = id; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    return h;
}

/* 1 when added, 0 when it was there, -1 when out of memory. */
static int seen_add(seen *set, sw_arena *a, const char *type, const char *id)
{
    size_t tn = strlen(type);
    size_t i = (size_t)hash_key(type, id) & (set->cap - 1);
    for (;; i = (i + 1) & (set->cap - 1)) {
        const char *k = set->slots[i];
        if (k == NULL)
            break;
        if (strncmp(k, type, tn) == 0 && k[tn] == '/' && strcmp(k + tn + 1, id) == 0)
            return 0;
    }
    char *key = sw_arena_printf(a, "%s/%s", type, id);
    if (key == NULL)
        return -1;
    set->slots[i] = key;
    return 1;
}

static int by_type(const void *x, const void *y)
{
    const fhir_search_hit *a = x, *b = y;
    int c = strcmp(a->type, b->type);
    return c ? c : strcmp(a->id, b->id);
}

/* Appends the resources that s's _include and _revinclude bring for the
 * matches hits[0..nmatch), after them in hits (room for
 * FHIR_SEARCH_MAX_INCLUDED). */
static int includes(store_tx *tx, sw_arena *a, int64_t practice_id,
                    const fhir_search *s, fhir_search_result *out)
{
    size_t nmatch = out->nmatch;
    seen set = { .cap = 8192 };
    set.slots = sw_arena_calloc(a, set.cap, sizeof *set.slots);
    const char **ids = sw_arena_calloc(a, nmatch, sizeof *ids);
    if (set.slots == NULL || ids == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    for (size_t i = 0; i < nmatch; i++) {
        ids[i] = out->hits[i].id;
        if (seen_add(&set, a, s->type, ids[i]) < 0)
            return store_tx_fail(tx, SW_ENOMEM, NULL);
    }
    fhir_search_hit *pending = out->hits + nmatch;
    size_t npending = 0;
    for (size_t k = 0; k < s->nincludes && !out->truncated; k++) {
        const fhir_search_include *inc = &s->includes[k];
        for (size_t start = 0; start < nmatch && !out->truncated;
             start += FHIR_SEARCH_IN_CHUNK) {
            size_t m = nmatch - start < FHIR_SEARCH_IN_CHUNK ? nmatch - start
                                                             : FHIR_SEARCH_IN_CHUNK;
            store_stmt *st;
            int rc = fhir_search_sql_include(tx, a, practice_id, s->type, inc,
                                             ids + start, m, &st);
            bool more = true;
            while (rc == SW_OK && (rc = store_step(st, &more)) == SW_OK && more) {
                const char *type = inc->rev ? inc->source
                                            : store_col_text(st, 0, NULL);
                const char *id = store_col_text(st, inc->rev ? 0 : 1, NULL);
                /* A reference may name a type that is not a resource type
                 * we store; there is nothing to include then. */
                if (!fhir_is_resource_type(sw_str_of(type)))
                    continue;
                int added = seen_add(&set, a, type, id);
                if (added < 0) {
                    rc = store_tx_fail(tx, SW_ENOMEM, NULL);
                    break;
                }
                if (added == 0)
                    continue;
                if (npending == FHIR_SEARCH_MAX_INCLUDED) {
                    out->truncated = true;
                    break;
                }
                fhir_search_hit *h = &pending[npending++];
                memset(h, 0, sizeof *h);
                h->type = fhir_type_name(fhir_type_by_name(sw_str_of(type)));
                h->id = sw_arena_strdup(a, id);
                h->include = true;
                if (h->id == NULL)
                    rc = store_tx_fail(tx, SW_ENOMEM, NULL);
            }
            store_finalize(st);
            if (rc != SW_OK)
                return rc;
        }
    }
    /* Read them a type at a time, then drop what no longer exists. */
    qsort(pending, npending, sizeof *pending, by_type);
    for (size_t i = 0; i < npending;) {
        size_t j = i;
        while (j < npending && pending[j].type == pending[i].type)
            j++;
        int rc = fill_bodies(tx, a, practice_id, pending + i, j - i);
        if (rc != SW_OK)
            return rc;
        i = j;
    }
    size_t kept = 0;
    for (size_t i = 0; i < npending; i++)
        if (pending[i].body != NULL)
            pending[kept++] = pending[i];
    out->nhits = nmatch + kept;
    return SW_OK;
}

/* ---- The search ---------------------------------------------------------- */

static int count(store_tx *tx, sw_arena *a, int64_t practice_id,
                 const fhir_search *s, const fhir_search_plan *plan,
                 int64_t *total)
{
    store_stmt *st;
    int rc = fhir_search_sql_count(tx, a, practice_id, s, plan, &st);
    bool got = false;
    if (rc == SW_OK)
        rc = store_step(st, &got);
    *total = got ? store_col_int64(st, 0) : 0;
    store_finalize(st);
    return rc;
}

int fhir_search_run(store_tx *tx, sw_arena *a, int64_t practice_id,
                    const fhir_search *s, fhir_search_result *out)
{
    memset(out, 0, sizeof *out);
    out->total = -1;
    fhir_search_plan plan;
    int rc = fhir_search_sql_plan(tx, a, practice_id, s, &plan);
    if (rc != SW_OK)
        return rc;
    if (s->summary == FHIR_SUMMARY_COUNT || s->total != FHIR_TOTAL_NONE) {
        if ((rc = count(tx, a, practice_id, s, &plan, &out->total)) != SW_OK)
            return rc;
    }
    if (s->summary == FHIR_SUMMARY_COUNT || s->count == 0)
        return SW_OK;

    /* One row more than the page tells whether there is a page beyond. */
    const fhir_search_cursor *c = s->cursor.set ? &s->cursor : NULL;
    int limit = s->count + 1;
    row *rows = NULL;
    size_t n = 0;
    if (c != NULL && c->backward) {
        rc = page_rows(tx, a, practice_id, s, &plan, c, limit, &rows, &n);
        if (rc != SW_OK)
            return rc;
        if (n == (size_t)limit) {
            n = (size_t)s->count;
            for (size_t i = 0; i < n / 2; i++) {
                row t = rows[i];
                rows[i] = rows[n - 1 - i];
                rows[n - 1 - i] = t;
            }
            out->prev = token(a, s, &rows[0], NULL, true, false);
            out->next = token(a, s, &rows[n - 1], NULL, false, false);
            if (out->prev == NULL || out->next == NULL)
                return store_tx_fail(tx, SW_ENOMEM, NULL);
        } else {
            /* Fewer than a page before the cursor: the start was reached,
             * so show the first page, full. */
            c = NULL;
        }
    }
    if (c != NULL && (out->self = fhir_search_page_encode(a, s, c)) == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    if (c == NULL || !c->backward) {
        rc = page_rows(tx, a, practice_id, s, &plan, c, limit, &rows, &n);
        if (rc != SW_OK)
            return rc;
        bool more = n == (size_t)limit;
        if (more)
            n = (size_t)s->count;
        if (more && (out->next = token(a, s, &rows[n - 1], NULL, false, false)) == NULL)
            return store_tx_fail(tx, SW_ENOMEM, NULL);
        if (c != NULL) {
            /* An empty page after a cursor goes back to it: the rows up to
             * and including it (or excluding it, if this page included it). */
            out->prev = n > 0 ? token(a, s, &rows[0], NULL, true, false)
                              : token(a, s, NULL, c, true, !c->inclusive);
            if (out->prev == NULL)
                return store_tx_fail(tx, SW_ENOMEM, NULL);
        }
    }

    size_t room = n + (s->nincludes ? FHIR_SEARCH_MAX_INCLUDED : 0);
    out->hits = sw_arena_calloc(a, room ? room : 1, sizeof *out->hits);
    if (out->hits == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    for (size_t i = 0; i < n; i++) {
        out->hits[i].type = s->type;
        out->hits[i].id = rows[i].id;
    }
    out->nmatch = out->nhits = n;
    if ((rc = fill_bodies(tx, a, practice_id, out->hits, n)) != SW_OK)
        return rc;
    if (s->nincludes > 0 && n > 0)
        return includes(tx, a, practice_id, s, out);
    return SW_OK;
}

int fhir_search_match_ids(store_tx *tx, sw_arena *a, int64_t practice_id,
                          const fhir_search *s, size_t max, const char ***ids,
                          size_t *n, bool *more)
{
    *ids = NULL;
    *n = 0;
    *more = false;
    if (max > FHIR_SEARCH_PAGE_MAX)
        max = FHIR_SEARCH_PAGE_MAX;
    /* In id order, whatever the search's own _sort and _page say. */
    fhir_search plain = *s;
    plain.sorts = NULL;
    plain.nsorts = 0;
    plain.cursor.set = false;
    row *rows;
    size_t got;
    fhir_search_plan plan;
    int rc = fhir_search_sql_plan(tx, a, practice_id, &plain, &plan);
    if (rc == SW_OK)
        rc = page_rows(tx, a, practice_id, &plain, &plan, NULL, (int)max + 1,
                       &rows, &got);
    if (rc != SW_OK)
        return rc;
    *more = got > max;
    if (*more)
        got = max;
    const char **out = sw_arena_calloc(a, got ? got : 1, sizeof *out);
    if (out == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    for (size_t i = 0; i < got; i++)
        out[i] = rows[i].id;
    *ids = out;
    *n = got;
    return SW_OK;
}
