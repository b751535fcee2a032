/* export.c - NDJSON export (see export.h). A type is read in pages ordered
 * by id (each page its own snapshot read, resuming after the last id), so
 * a large export never holds one long transaction open. */
#include "export.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "fhir/model.h"

struct types_ctx {
    int64_t practice_id;
    char  **names;
    size_t  n, cap;
};

static int list_types(store_tx *tx, void *arg)
{
    struct types_ctx *t = arg;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT DISTINCT res_type FROM fhir_resource "
                           "WHERE practice_id = ? AND deleted = 0 "
                           "ORDER BY res_type", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_bind_int64(st, 1, t->practice_id);
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        if (t->n == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 16;
            char **names = sw_realloc(t->names, cap * sizeof *names);
            if (names == NULL) {
                rc = store_tx_fail(tx, SW_ENOMEM, NULL);
                break;
            }
            t->names = names;
            t->cap = cap;
        }
        t->names[t->n] = sw_strdup(store_col_text(st, 0, NULL));
        if (t->names[t->n] == NULL) {
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
            break;
        }
        t->n++;
    }
    store_finalize(st);
    return rc;
}

struct page_ctx {
    int64_t     practice_id;
    const char *type;
    char        after[80];       /* the last id written */
    FILE       *out;
    int64_t     written;
    int         got;
    bool        write_failed;
};

static int page_fn(store_tx *tx, void *arg)
{
    struct page_ctx *p = arg;
    p->got = 0;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT res_id, body FROM fhir_resource "
                           "WHERE practice_id = ? AND res_type = ? AND deleted = 0 "
                           "AND res_id > ? ORDER BY res_id LIMIT ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, p->practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, p->type)) == SW_OK
        && (rc = store_bind_cstr(st, 3, p->after)) == SW_OK)
        rc = store_bind_int64(st, 4, FHIR_EXPORT_PAGE);
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        size_t n;
        const char *body = store_col_text(st, 1, &n);
        if (fwrite(body, 1, n, p->out) != n || fputc('\n', p->out) == EOF) {
            p->write_failed = true;
            break;
        }
        snprintf(p->after, sizeof p->after, "%s", store_col_text(st, 0, NULL));
        p->got++;
        p->written++;
    }
    store_finalize(st);
    return rc;
}

static int export_type(sw_store *s, int64_t practice_id, const char *type,
                       const char *dir, fhir_export_progress progress,
                       void *arg, int64_t *total, sw_err *err)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s.ndjson", dir, type);
    snprintf(tmp, sizeof tmp, "%s.partial", path);
    FILE *out = fopen(tmp, "wb");
    if (out == NULL)
        return sw_err_set(err, SW_EIO, "cannot write %s: %s", tmp, strerror(errno));
    struct page_ctx p = { .practice_id = practice_id, .type = type, .out = out };
    int rc;
    do {
        rc = store_read(s, page_fn, &p, err);
        if (rc == SW_OK && p.write_failed)
            rc = sw_err_set(err, SW_EIO, "cannot write %s: %s", tmp, strerror(errno));
        if (rc == SW_OK && progress)
            progress(arg, type, p.written);
    } while (rc == SW_OK && p.got == FHIR_EXPORT_PAGE);
    if (fclose(out) != 0 && rc == SW_OK)
        rc = sw_err_set(err, SW_EIO, "cannot write %s: %s", tmp, strerror(errno));
    if (rc == SW_OK && rename(tmp, path) != 0)
        rc = sw_err_set(err, SW_EIO, "cannot rename %s: %s", tmp, strerror(errno));
    if (rc != SW_OK)
        remove(tmp);
    *total += p.written;
    return rc;
}

int fhir_export(sw_store *s, int64_t practice_id, const char *const *types,
                size_t ntypes, const char *dir, fhir_export_progress progress,
                void *arg, int64_t *total, sw_err *err)
{
    *total = 0;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return sw_err_set(err, SW_EIO, "cannot create the directory %s: %s",
                          dir, strerror(errno));
    for (size_t i = 0; i < ntypes; i++)
        if (!fhir_is_resource_type(sw_str_of(types[i])))
            return sw_err_set(err, SW_EUSAGE, "%s is not a FHIR R4 resource type",
                              types[i]);
    struct types_ctx t = { .practice_id = practice_id };
    int rc = SW_OK;
    if (ntypes == 0) {
        rc = store_read(s, list_types, &t, err);
        types = (const char *const *)t.names;
        ntypes = t.n;
    }
    for (size_t i = 0; rc == SW_OK && i < ntypes; i++)
        rc = export_type(s, practice_id, types[i], dir, progress, arg, total, err);
    for (size_t i = 0; i < t.n; i++)
        sw_free(t.names[i]);
    sw_free(t.names);
    return rc;
}
