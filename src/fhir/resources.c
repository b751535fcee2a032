/* resources.c - resource versions in fhir_resource and fhir_history (see
 * resources.h for the two layers and the optimistic update). */
#include "resources.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "auth/restricted.h"
#include "core/clock.h"
#include "fhir/model.h"
#include "fhir/search.h"

/* ---- Inside a transaction ------------------------------------------------ */

int fhir_row_current(store_tx *tx, int64_t practice_id, const char *type,
                     const char *id, int64_t *version, bool *deleted)
{
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT version, deleted FROM fhir_resource "
        "WHERE practice_id = ? AND res_type = ? AND res_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, type)) == SW_OK
        && (rc = store_bind_cstr(st, 3, id)) == SW_OK)
        rc = store_step(st, &row);
    if (rc == SW_OK && !row)
        rc = SW_ENOTFOUND;
    if (rc == SW_OK) {
        *version = store_col_int64(st, 0);
        *deleted = store_col_int64(st, 1) != 0;
    }
    store_finalize(st);
    return rc;
}

int fhir_row_exists(store_tx *tx, int64_t practice_id, const char *type,
                    const char *id, bool *exists)
{
    int64_t version;
    bool deleted = false;
    int rc = fhir_row_current(tx, practice_id, type, id, &version, &deleted);
    *exists = rc == SW_OK && !deleted;
    return rc == SW_ENOTFOUND ? SW_OK : rc;
}

bool fhir_links_patient(const char *type, const char *param)
{
    fhir_type_id t = fhir_type_by_name(sw_str_of(type));
    size_t n = fhir_compartment_param_count(t);
    for (size_t i = 0; i < n; i++)
        if (strcmp(fhir_compartment_param(t, i)->code, param) == 0)
            return true;
    return false;
}

const char *fhir_rows_patient(const char *type, const char *id,
                              const fhir_index_rows *rows)
{
    if (strcmp(type, "Patient") == 0)
        return id;
    for (size_t i = 0; rows && i < rows->count; i++) {
        const fhir_index_row *r = &rows->rows[i];
        if (r->kind == FHIR_IDX_REF && r->s1 && strcmp(r->s1, "Patient") == 0
            && r->s2 && r->s2[0] && fhir_links_patient(type, r->param))
            return r->s2;
    }
    return "";
}

int fhir_row_patient(store_tx *tx, int64_t practice_id, const char *type,
                     const char *id, char out[80])
{
    out[0] = '\0';
    if (strcmp(type, "Patient") == 0) {
        snprintf(out, 80, "%s", id);
        return SW_OK;
    }
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT param, target_id FROM fhir_idx_ref WHERE practice_id = ? "
        "AND res_type = ? AND res_id = ? AND target_type = 'Patient' "
        "ORDER BY param, ord", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, type)) == SW_OK
        && (rc = store_bind_cstr(st, 3, id)) == SW_OK)
        while ((rc = store_step(st, &row)) == SW_OK && row)
            if (fhir_links_patient(type, store_col_text(st, 0, NULL))) {
                snprintf(out, 80, "%s", store_col_text(st, 1, NULL));
                break;
            }
    store_finalize(st);
    return rc;
}

int fhir_patients_of(store_tx *tx, sw_arena *a, int64_t practice_id,
                     const fhir_ref *refs, size_t n, const char ***patients,
                     size_t *npatients)
{
    *npatients = 0;
    *patients = sw_arena_calloc(a, n + 1, sizeof **patients);
    if (*patients == NULL)
        return SW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char p[80];
        int rc = fhir_row_patient(tx, practice_id, refs[i].type, refs[i].id, p);
        if (rc != SW_OK)
            return rc;
        if (p[0] == '\0')
            continue;
        size_t j = 0;
        while (j < *npatients && strcmp((*patients)[j], p) != 0)
            j++;
        if (j < *npatients)
            continue;
        if (((*patients)[(*npatients)++] = sw_arena_strdup(a, p)) == NULL)
            return SW_ENOMEM;
    }
    return SW_OK;
}

/* The audit entry of a new version, in its transaction. */
static int audit_version(store_tx *tx, const fhir_row *row)
{
    char stored_patient[80];
    const char *patient = "";
    if (row->deleted) {
        /* The index still holds the last version's references. */
        int rc = fhir_row_patient(tx, row->practice_id, row->type, row->id,
                                  stored_patient);
        if (rc != SW_OK)
            return rc;
        patient = stored_patient;
    } else {
        patient = fhir_rows_patient(row->type, row->id, row->index);
    }
    bool allowed = true;
    int rc = auth_patient_access(tx, row->practice_id, row->who->user_id,
                                 patient, row->updated_ms, &allowed);
    if (rc != SW_OK)
        return rc;
    if (!allowed)
        return store_tx_fail(tx, SW_EBREAKGLASS, "Patient/%s's record is "
                             "restricted: break the glass first", patient);
    const char *action = row->deleted ? AUDIT_DELETE
                       : row->version == 1 || strcmp(row->method, "POST") == 0
                       ? AUDIT_CREATE : AUDIT_UPDATE;
    const char *category = NULL;
    for (size_t i = 0; row->index && i < row->index->count && !category; i++) {
        const fhir_index_row *r = &row->index->rows[i];
        if (r->kind == FHIR_IDX_TOKEN && strcmp(r->param, "category") == 0)
            category = r->s2;
    }
    audit_entry e = {
        .who = row->who, .action = action,
        .feature = audit_feature_of(row->type, category, action),
        .patient_id = patient,
        .res_type = row->type, .res_id = row->id, .outcome = AUDIT_SUCCESS,
        .at_ms = row->updated_ms,
    };
    return audit_append(tx, &e);
}

int fhir_row_write(store_tx *tx, const fhir_row *row, int64_t expect)
{
    int rc;
    int64_t deleted = row->deleted ? 1 : 0;
    if (row->who != NULL && (rc = audit_version(tx, row)) != SW_OK)
        return rc;
    if (expect == 0) {
        rc = store_exec(tx, NULL,
            "INSERT INTO fhir_resource (practice_id, res_type, res_id, version, "
            "updated_ms, deleted, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
            "ittiiis", row->practice_id, row->type, row->id, row->version,
            row->updated_ms, deleted, row->body, row->body_len);
    } else {
        int64_t changed = 0;
        rc = store_exec(tx, &changed,
            "UPDATE fhir_resource SET version = ?, updated_ms = ?, deleted = ?, "
            "body = ? WHERE practice_id = ? AND res_type = ? AND res_id = ? "
            "AND version = ?",
            "iiisitti", row->version, row->updated_ms, deleted, row->body,
            row->body_len, row->practice_id, row->type, row->id, expect);
        if (rc == SW_OK && changed == 0)
            rc = SW_ECONFLICT;
    }
    if (rc == SW_ECONFLICT)
        return store_tx_fail(tx, SW_ECONFLICT, "%s/%s was changed by someone "
                             "else meanwhile", row->type, row->id);
    if (rc == SW_OK)
        rc = store_exec(tx, NULL,
            "INSERT INTO fhir_history (practice_id, res_type, res_id, version, "
            "updated_ms, deleted, method, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            "ittiiits", row->practice_id, row->type, row->id, row->version,
            row->updated_ms, deleted, row->method, row->body, row->body_len);
    if (rc == SW_OK && expect != 0)
        rc = fhir_index_clear(tx, row->practice_id, row->type, row->id);
    if (rc == SW_OK && !row->deleted && row->index != NULL)
        rc = fhir_index_write(tx, row->practice_id, row->type, row->id,
                              row->index);
    return rc;
}

int fhir_row_read(store_tx *tx, sw_arena *a, int64_t practice_id,
                  const char *type, const char *id, int64_t version,
                  fhir_version *out)
{
    store_stmt *st;
    int rc = store_prepare(tx, version > 0
        ? "SELECT version, updated_ms, deleted, method, body FROM fhir_history "
          "WHERE practice_id = ? AND res_type = ? AND res_id = ? AND version = ?"
        : "SELECT version, updated_ms, deleted, 'PUT', body FROM fhir_resource "
          "WHERE practice_id = ? AND res_type = ? AND res_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, type)) == SW_OK
        && (rc = store_bind_cstr(st, 3, id)) == SW_OK
        && (version <= 0 || (rc = store_bind_int64(st, 4, version)) == SW_OK))
        rc = store_step(st, &row);
    if (rc == SW_OK && !row)
        rc = SW_ENOTFOUND;
    if (rc == SW_OK) {
        out->version = store_col_int64(st, 0);
        out->updated_ms = store_col_int64(st, 1);
        out->deleted = store_col_int64(st, 2) != 0;
        out->method = sw_arena_strdup(a, store_col_text(st, 3, NULL));
        size_t n;
        const char *body = store_col_text(st, 4, &n);
        out->body = sw_arena_strndup(a, body, n);
        out->body_len = n;
        if (out->body == NULL || out->method == NULL)
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
    }
    store_finalize(st);
    return rc;
}

static int stamp_to_arena(sw_arena *a, sw_json *res, const char *id,
                          int64_t version, int64_t when, const char **body,
                          size_t *len);

int fhir_row_put(store_tx *tx, const fhir_put *p, fhir_result *out,
                 bool *unchanged)
{
    *unchanged = false;
    int64_t cur = 0;
    bool deleted = false;
    int rc = fhir_row_current(tx, p->practice_id, p->type, p->id, &cur, &deleted);
    bool found = rc == SW_OK;
    if (rc != SW_OK && rc != SW_ENOTFOUND)
        return rc;
    if (p->if_match > 0 && (!found || cur != p->if_match))
        return store_tx_fail(tx, SW_EPRECOND, "%s/%s is not at the version "
                             "%lld that If-Match names", p->type, p->id,
                             (long long)p->if_match);
    if (found && !deleted) {
        /* Unchanged content makes no new version: re-running an import or
         * saving an unedited form must not grow the history. */
        fhir_version v;
        if ((rc = fhir_row_read(tx, p->a, p->practice_id, p->type, p->id, 0, &v)) != SW_OK)
            return rc;
        const char *same;
        size_t same_len;
        rc = stamp_to_arena(p->a, p->res, p->id, v.version, v.updated_ms, &same,
                            &same_len);
        if (rc != SW_OK)
            return store_tx_fail(tx, rc, NULL);
        if (same_len == v.body_len && memcmp(same, v.body, same_len) == 0) {
            *unchanged = true;
            out->status = 200;
            out->id = p->id;
            out->version = v.version;
            out->updated_ms = v.updated_ms;
            out->body = v.body;
            out->body_len = v.body_len;
            return SW_OK;
        }
    }
    fhir_row row = {
        .practice_id = p->practice_id, .type = p->type, .id = p->id,
        .version = found ? cur + 1 : 1, .updated_ms = p->now_ms,
        .method = "PUT", .index = p->index, .who = p->who,
    };
    rc = stamp_to_arena(p->a, p->res, p->id, row.version, row.updated_ms,
                        &row.body, &row.body_len);
    if (rc != SW_OK)
        return store_tx_fail(tx, rc, NULL);
    if ((rc = fhir_row_write(tx, &row, found ? cur : 0)) != SW_OK)
        return rc;
    out->status = found && !deleted ? 200 : 201;
    out->id = p->id;
    out->version = row.version;
    out->updated_ms = row.updated_ms;
    out->body = row.body;
    out->body_len = row.body_len;
    return SW_OK;
}

/* ---- Preparing a version ------------------------------------------------- */

void fhir_new_id(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        /* getrandom on Linux does not fail for 16 bytes once booted; keep a
         * unique fallback anyway rather than an uninitialized id. */
        int64_t t = sw_now_mono_us();
        memcpy(b, &t, sizeof t);
        memset(b + sizeof t, 0x5a, sizeof b - sizeof t);
    }
    /* UUID version 7 (RFC 9562): the first 48 bits are the time in ms, so
     * ids made one after another sort one after another, and a new
     * resource's rows land at the end of every index keyed by id instead
     * of on a random page each: a write touches a few pages, not dozens. */
    uint64_t ms = (uint64_t)sw_now_wall_ms();
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(ms >> (40 - 8 * i));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x70);    /* version 7 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);    /* RFC 4122 variant */
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
             b[10], b[11], b[12], b[13], b[14], b[15]);
}

int fhir_stamp(sw_arena *a, sw_json *res, const char *id, int64_t version,
               int64_t updated_ms, sw_buf *out)
{
    char vid[24], when[SW_TIME_ISO_MAX];
    snprintf(vid, sizeof vid, "%lld", (long long)version);
    sw_time_iso(updated_ms, when);
    sw_json *idv = sw_json_new_cstring(a, id);
    sw_json *vidv = sw_json_new_cstring(a, vid);
    sw_json *whenv = sw_json_new_cstring(a, when);
    if (idv == NULL || vidv == NULL || whenv == NULL)
        return SW_ENOMEM;

    /* id right after resourceType when it is new, as FHIR writes it. */
    size_t after_type = res->count && sw_str_eq_cstr(res->members[0].key,
                                                     "resourceType") ? 1 : 0;
    int rc = sw_json_get(res, "id") ? sw_json_set(a, res, "id", idv)
                                    : sw_json_set_at(a, res, after_type, "id", idv);
    if (rc != SW_OK)
        return rc;
    sw_json *meta = sw_json_get(res, "meta");
    if (meta == NULL || meta->kind != SW_JSON_OBJECT) {
        meta = sw_json_new_object(a);
        if (meta == NULL)
            return SW_ENOMEM;
        size_t pos = 0;
        while (pos < res->count && !sw_str_eq_cstr(res->members[pos].key, "id"))
            pos++;
        if ((rc = sw_json_set_at(a, res, pos + 1, "meta", meta)) != SW_OK)
            return rc;
    }
    rc = sw_json_get(meta, "versionId") ? sw_json_set(a, meta, "versionId", vidv)
                                        : sw_json_set_at(a, meta, 0, "versionId", vidv);
    if (rc == SW_OK)
        rc = sw_json_get(meta, "lastUpdated")
           ? sw_json_set(a, meta, "lastUpdated", whenv)
           : sw_json_set_at(a, meta, 1, "lastUpdated", whenv);
    if (rc != SW_OK)
        return rc;
    sw_buf_reset(out);
    return sw_json_write(out, res);
}

/* ---- Single interactions ------------------------------------------------- */

struct read_ctx {
    sw_arena     *a;
    int64_t       practice_id;
    const char   *type;
    const char   *id;
    int64_t       version;
    fhir_version *out;
    char         *patient;    /* NULL: not wanted */
};

static int read_fn(store_tx *tx, void *arg)
{
    struct read_ctx *r = arg;
    int rc = fhir_row_read(tx, r->a, r->practice_id, r->type, r->id, r->version,
                           r->out);
    if (rc == SW_OK && r->patient != NULL)
        rc = fhir_row_patient(tx, r->practice_id, r->type, r->id, r->patient);
    return rc;
}

int fhir_res_read(sw_store *s, sw_arena *a, int64_t practice_id,
                  const char *type, const char *id, int64_t version,
                  fhir_version *out, char *patient, sw_err *err)
{
    struct read_ctx r = { a, practice_id, type, id, version, out, patient };
    int rc = store_read(s, read_fn, &r, err);
    if (rc == SW_ENOTFOUND)
        return version > 0
            ? sw_err_set(err, SW_ENOTFOUND, "%s/%s has no version %lld", type,
                         id, (long long)version)
            : sw_err_set(err, SW_ENOTFOUND, "%s/%s is not known", type, id);
    if (rc == SW_OK && out->deleted)
        return sw_err_set(err, SW_EGONE, "%s/%s was deleted", type, id);
    return rc;
}

struct write_ctx {
    const fhir_row *row;
    int64_t         expect;
};

static int write_fn(store_tx *tx, void *arg)
{
    struct write_ctx *w = arg;
    return fhir_row_write(tx, w->row, w->expect);
}

static void fill_result(fhir_result *out, const fhir_row *row, int status)
{
    out->status = status;
    out->id = row->id;
    out->version = row->version;
    out->updated_ms = row->updated_ms;
    out->body = row->body;
    out->body_len = row->body_len;
}

/* Serializes into an arena string (the body must outlive the sw_buf). */
static int stamp_to_arena(sw_arena *a, sw_json *res, const char *id,
                          int64_t version, int64_t when, const char **body,
                          size_t *len)
{
    sw_buf b = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    int rc = fhir_stamp(a, res, id, version, when, &b);
    if (rc == SW_OK) {
        *body = sw_arena_strndup(a, sw_buf_str(&b), b.len);
        *len = b.len;
        if (*body == NULL)
            rc = SW_ENOMEM;
    }
    sw_buf_free(&b);
    return rc;
}

struct create_ctx {
    sw_arena           *a;
    const fhir_row     *row;
    const fhir_search  *cond;
    fhir_result        *out;
};

static int create_fn(store_tx *tx, void *arg)
{
    struct create_ctx *c = arg;
    if (c->cond != NULL) {
        const char **ids;
        size_t n;
        bool more;
        int rc = fhir_search_match_ids(tx, c->a, c->row->practice_id, c->cond,
                                       2, &ids, &n, &more);
        if (rc != SW_OK)
            return rc;
        if (n > 1)
            return store_tx_fail(tx, SW_EPRECOND, "If-None-Exist matches "
                                 "several %s resources", c->row->type);
        if (n == 1) {
            fhir_version v;
            rc = fhir_row_read(tx, c->a, c->row->practice_id, c->row->type,
                               ids[0], 0, &v);
            if (rc == SW_OK) {
                c->out->status = 200;
                c->out->id = ids[0];
                c->out->version = v.version;
                c->out->updated_ms = v.updated_ms;
                c->out->body = v.body;
                c->out->body_len = v.body_len;
            }
            return rc;
        }
    }
    int rc = fhir_row_write(tx, c->row, 0);
    if (rc == SW_OK)
        fill_result(c->out, c->row, 201);
    return rc;
}

int fhir_res_create(sw_store *s, sw_arena *a, const audit_who *who,
                    const char *type, sw_json *res,
                    const fhir_search *if_none_exist, fhir_result *out,
                    sw_err *err)
{
    int64_t practice_id = who->practice_id;
    char *id = sw_arena_alloc(a, 37);
    fhir_index_rows index;
    fhir_index_rows_init(&index, a);
    if (id == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    fhir_new_id(id);
    fhir_row row = {
        .practice_id = practice_id, .type = type, .id = id, .version = 1,
        .updated_ms = sw_now_wall_ms(), .method = "POST", .index = &index,
        .who = who,
    };
    int rc = stamp_to_arena(a, res, id, 1, row.updated_ms, &row.body, &row.body_len);
    if (rc == SW_OK)
        rc = fhir_index_extract(res, type, &index);
    if (rc != SW_OK)
        return sw_err_set(err, rc, NULL);
    struct create_ctx c = { a, &row, if_none_exist, out };
    return store_write(s, create_fn, &c, err);
}

/* The current version with its body, or found = false. */
static int current(sw_store *s, sw_arena *a, int64_t practice_id,
                   const char *type, const char *id, fhir_version *cur,
                   bool *found, sw_err *err)
{
    struct read_ctx r = { a, practice_id, type, id, 0, cur, NULL };
    int rc = store_read(s, read_fn, &r, err);
    *found = rc == SW_OK;
    if (rc == SW_ENOTFOUND) {
        sw_err_clear(err);
        rc = SW_OK;
    }
    return rc;
}

struct put_ctx {
    fhir_put     p;
    fhir_result *out;
    bool         unchanged;
};

static int put_fn(store_tx *tx, void *arg)
{
    struct put_ctx *pc = arg;
    pc->p.now_ms = sw_now_wall_ms();
    return fhir_row_put(tx, &pc->p, pc->out, &pc->unchanged);
}

int fhir_res_update(sw_store *s, sw_arena *a, const audit_who *who,
                    const char *type, const char *id, sw_json *res,
                    int64_t if_match, fhir_result *out, sw_err *err)
{
    int64_t practice_id = who->practice_id;
    fhir_index_rows index;
    fhir_index_rows_init(&index, a);
    int rc = fhir_index_extract(res, type, &index);
    if (rc != SW_OK)
        return sw_err_set(err, rc, NULL);
    fhir_version cur = { 0 };
    bool found;
    if ((rc = current(s, a, practice_id, type, id, &cur, &found, err)) != SW_OK)
        return rc;
    if (if_match > 0 && (!found || cur.version != if_match))
        return sw_err_set(err, SW_EPRECOND, found
            ? "%s/%s is at version %lld, not the version %lld of If-Match"
            : "%s/%s does not exist, so If-Match cannot match",
            type, id, (long long)cur.version, (long long)if_match);
    /* Unchanged content makes no new version: re-running an import or
     * saving an unedited form must not grow the history. */
    if (found && !cur.deleted) {
        const char *same;
        size_t same_len;
        rc = stamp_to_arena(a, res, id, cur.version, cur.updated_ms, &same,
                            &same_len);
        if (rc != SW_OK)
            return sw_err_set(err, rc, NULL);
        if (same_len == cur.body_len && memcmp(same, cur.body, same_len) == 0) {
            fhir_row unchanged = {
                .id = id, .version = cur.version, .updated_ms = cur.updated_ms,
                .body = same, .body_len = same_len,
            };
            fill_result(out, &unchanged, 200);
            return SW_OK;
        }
    }
    fhir_row row = {
        .practice_id = practice_id, .type = type, .id = id,
        .version = found ? cur.version + 1 : 1,
        .updated_ms = sw_now_wall_ms(), .method = "PUT", .index = &index,
        .who = who,
    };
    rc = stamp_to_arena(a, res, id, row.version, row.updated_ms, &row.body,
                        &row.body_len);
    if (rc != SW_OK)
        return sw_err_set(err, rc, NULL);
    struct write_ctx w = { &row, found ? cur.version : 0 };
    rc = store_write(s, write_fn, &w, err);
    if (rc == SW_OK) {
        fill_result(out, &row, found && !cur.deleted ? 200 : 201);
        return SW_OK;
    }
    if (rc != SW_ECONFLICT)
        return rc;
    if (if_match > 0)
        return sw_err_set(err, SW_EPRECOND, "%s/%s was changed by someone "
                          "else after version %lld", type, id,
                          (long long)if_match);
    /* Lost a race: others are saving this resource right now. Do the whole
     * update inside the transaction, where it cannot lose. */
    sw_err_clear(err);
    struct put_ctx pc = {
        .p = { .a = a, .practice_id = practice_id, .type = type, .id = id,
               .res = res, .index = &index, .who = who },
        .out = out,
    };
    return store_write(s, put_fn, &pc, err);
}

struct delete_ctx {
    const audit_who *who;
    const char      *type, *id;
    fhir_result     *out;
};

/* A delete has no work to do outside the transaction, so all of it runs
 * inside, where no other writer can come between the read and the write. */
static int delete_fn(store_tx *tx, void *arg)
{
    struct delete_ctx *d = arg;
    memset(d->out, 0, sizeof *d->out);
    d->out->status = 200;
    d->out->id = d->id;
    int64_t cur;
    bool deleted;
    int rc = fhir_row_current(tx, d->who->practice_id, d->type, d->id, &cur,
                              &deleted);
    if (rc == SW_ENOTFOUND || (rc == SW_OK && deleted))
        return SW_OK;
    if (rc != SW_OK)
        return rc;
    fhir_row row = {
        .practice_id = d->who->practice_id, .type = d->type, .id = d->id,
        .version = cur + 1, .updated_ms = sw_now_wall_ms(), .deleted = true,
        .method = "DELETE", .body = "", .body_len = 0, .who = d->who,
    };
    if ((rc = fhir_row_write(tx, &row, cur)) == SW_OK)
        fill_result(d->out, &row, 200);
    return rc;
}

int fhir_res_delete(sw_store *s, sw_arena *a, const audit_who *who,
                    const char *type, const char *id, fhir_result *out,
                    sw_err *err)
{
    (void)a;
    struct delete_ctx d = { who, type, id, out };
    return store_write(s, delete_fn, &d, err);
}

/* ---- History ------------------------------------------------------------- */

struct history_ctx {
    sw_arena            *a;
    int64_t              practice_id;
    const char          *type, *id;
    int64_t              since_ms;
    int                  count, offset;
    fhir_history_entry  *entries;
    int                  n;
    int64_t              total;
};

/* The WHERE clause for the scope asked for; only fixed text, never input. */
static const char *history_where(const struct history_ctx *h)
{
    if (h->id)
        return h->since_ms ? "practice_id = ? AND res_type = ? AND res_id = ? AND updated_ms >= ?"
                           : "practice_id = ? AND res_type = ? AND res_id = ?";
    if (h->type)
        return h->since_ms ? "practice_id = ? AND res_type = ? AND updated_ms >= ?"
                           : "practice_id = ? AND res_type = ?";
    return h->since_ms ? "practice_id = ? AND updated_ms >= ?" : "practice_id = ?";
}

static int bind_scope(store_stmt *st, const struct history_ctx *h, int *next)
{
    int i = 1, rc = store_bind_int64(st, i++, h->practice_id);
    if (rc == SW_OK && h->type)
        rc = store_bind_cstr(st, i++, h->type);
    if (rc == SW_OK && h->id)
        rc = store_bind_cstr(st, i++, h->id);
    if (rc == SW_OK && h->since_ms)
        rc = store_bind_int64(st, i++, h->since_ms);
    *next = i;
    return rc;
}

static int history_fn(store_tx *tx, void *arg)
{
    struct history_ctx *h = arg;
    h->n = 0;
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM fhir_history WHERE %s",
             history_where(h));
    store_stmt *st;
    int next, rc = store_prepare(tx, sql, &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = bind_scope(st, h, &next)) == SW_OK)
        rc = store_step(st, &row);
    h->total = row ? store_col_int64(st, 0) : 0;
    store_finalize(st);
    if (rc != SW_OK)
        return rc;

    snprintf(sql, sizeof sql,
             "SELECT res_type, res_id, version, updated_ms, deleted, method, body "
             "FROM fhir_history WHERE %s "
             "ORDER BY updated_ms DESC, res_type, res_id, version DESC "
             "LIMIT ? OFFSET ?", history_where(h));
    if ((rc = store_prepare(tx, sql, &st)) != SW_OK)
        return rc;
    if ((rc = bind_scope(st, h, &next)) == SW_OK
        && (rc = store_bind_int64(st, next, h->count)) == SW_OK)
        rc = store_bind_int64(st, next + 1, h->offset);
    h->entries = sw_arena_calloc(h->a, (size_t)(h->count ? h->count : 1),
                                 sizeof *h->entries);
    if (rc == SW_OK && h->entries == NULL)
        rc = store_tx_fail(tx, SW_ENOMEM, NULL);
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        fhir_history_entry *e = &h->entries[h->n++];
        size_t n;
        const char *body = store_col_text(st, 6, &n);
        e->type = sw_arena_strdup(h->a, store_col_text(st, 0, NULL));
        e->id = sw_arena_strdup(h->a, store_col_text(st, 1, NULL));
        e->v.version = store_col_int64(st, 2);
        e->v.updated_ms = store_col_int64(st, 3);
        e->v.deleted = store_col_int64(st, 4) != 0;
        e->v.method = sw_arena_strdup(h->a, store_col_text(st, 5, NULL));
        e->v.body = sw_arena_strndup(h->a, body, n);
        e->v.body_len = n;
        if (!e->type || !e->id || !e->v.method || !e->v.body)
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
    }
    store_finalize(st);
    return rc;
}

int fhir_res_history(sw_store *s, sw_arena *a, int64_t practice_id,
                     const char *type, const char *id, int64_t since_ms,
                     int count, int offset, fhir_history_entry **entries,
                     int *n, int64_t *total, sw_err *err)
{
    struct history_ctx h = {
        .a = a, .practice_id = practice_id, .type = type, .id = id,
        .since_ms = since_ms, .count = count, .offset = offset,
    };
    int rc = store_read(s, history_fn, &h, err);
    *entries = h.entries;
    *n = h.n;
    *total = h.total;
    return rc;
}
