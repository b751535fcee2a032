/* patient_records.c - a patient's records for the /api handlers of the
 * visit workflows (patient_records.h). A chart holds tens to a few
 * thousand resources of a type; each is read in one statement per type
 * through fhir_idx_ref, newest first or by id so a listing is stable. */
#include "patient_records.h"

#include <string.h>

#include "auth/restricted.h"
#include "core/clock.h"
#include "core/str.h"
#include "fhir/primitive.h"
#include "fhir/resources.h"

static int select_type(store_tx *tx, sw_arena *a, int64_t practice_id,
                       patient_read *r, const char *type, size_t *cap)
{
    char sql[640];
    snprintf(sql, sizeof sql,
        "SELECT r.res_id, r.version, r.body FROM fhir_resource r "
        "WHERE r.practice_id = ? AND r.res_type = ? AND r.deleted = 0 "
        "AND r.res_id IN (SELECT x.res_id FROM fhir_idx_ref x "
        "WHERE x.practice_id = ? AND x.res_type = ? %s"
        "AND x.target_type = 'Patient' AND x.target_id = ?) ORDER BY %s",
        r->param ? "AND x.param = ? " : "",
        r->newest_first ? "r.updated_ms DESC, r.res_id" : "r.res_id");
    store_stmt *st;
    int rc = store_prepare(tx, sql, &st);
    if (rc != SW_OK)
        return rc;
    int i = 1;
    if ((rc = store_bind_int64(st, i++, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, i++, type)) == SW_OK
        && (rc = store_bind_int64(st, i++, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, i++, type)) == SW_OK
        && (r->param == NULL || (rc = store_bind_cstr(st, i++, r->param)) == SW_OK))
        rc = store_bind_cstr(st, i, r->patient);
    bool row = false;
    while (rc == SW_OK && r->n < r->max
           && (rc = store_step(st, &row)) == SW_OK && row) {
        if (r->n == *cap) {
            /* Grown in the arena: a listing is read once per request. */
            size_t more = *cap ? *cap * 2 : 16;
            patient_record *items = sw_arena_calloc(a, more, sizeof *items);
            if (items == NULL) {
                rc = SW_ENOMEM;
                break;
            }
            if (r->n)
                memcpy(items, r->items, r->n * sizeof *items);
            r->items = items;
            *cap = more;
        }
        patient_record *it = &r->items[r->n];
        size_t len;
        const char *body = store_col_text(st, 2, &len);
        it->type = type;
        it->id = sw_arena_strdup(a, store_col_text(st, 0, NULL));
        it->version = store_col_int64(st, 1);
        it->body = sw_arena_strndup(a, body ? body : "", len);
        it->len = len;
        it->r = NULL;
        if (it->id == NULL || it->body == NULL
            || (r->parse && sw_json_parse(a, it->body, len, &it->r, NULL) != SW_OK))
            rc = store_tx_fail(tx, SW_ENOMEM, "a stored %s could not be read",
                               type);
        else
            r->n++;
    }
    store_finalize(st);
    return rc;
}

int patient_records_select(store_tx *tx, const sw_request *req, patient_read *r)
{
    const auth_session *s = server_principal(req);
    size_t cap = 0;
    r->n = 0;
    r->items = NULL;
    int rc = SW_OK;
    for (size_t i = 0; rc == SW_OK && r->types && r->types[i]; i++)
        rc = select_type(tx, req->arena, s->practice_id, r, r->types[i], &cap);
    return rc;
}

int patient_records_tx(store_tx *tx, const sw_request *req, patient_read *r)
{
    const auth_session *s = server_principal(req);
    r->n = 0;
    r->found = r->denied = false;
    r->patient_body = NULL;
    r->patient_len = 0;
    int rc;
    if (r->want_patient) {
        fhir_version v;
        rc = fhir_row_read(tx, req->arena, s->practice_id, "Patient", r->patient,
                           0, &v);
        if (rc == SW_ENOTFOUND)
            return SW_OK;
        r->found = rc == SW_OK && !v.deleted;
        if (r->found) {
            r->patient_body = v.body;
            r->patient_len = v.body_len;
        }
    } else {
        rc = fhir_row_exists(tx, s->practice_id, "Patient", r->patient, &r->found);
    }
    if (rc != SW_OK || !r->found)
        return rc;
    bool allowed = true;
    if (r->restricted
        && (rc = auth_patient_access(tx, s->practice_id, s->user_id, r->patient,
                                     sw_now_wall_ms(), &allowed)) != SW_OK)
        return rc;
    r->denied = !allowed;
    if (allowed && (rc = patient_records_select(tx, req, r)) != SW_OK)
        return rc;
    if (allowed && r->then && (rc = r->then(tx, req, r)) != SW_OK)
        return rc;
    if (r->feature == NULL)
        return SW_OK;
    return server_read_audit(tx, req, r->feature, r->patient, r->audit_type, "",
                             allowed, r->audit_detail);
}

struct read_ctx {
    const sw_request *req;
    patient_read     *r;
};

static int read_fn(store_tx *tx, void *arg)
{
    struct read_ctx *c = arg;
    return patient_records_tx(tx, c->req, c->r);
}

int patient_records_read(sw_request *req, sw_response *res, patient_read *r)
{
    sw_app *app = req->app;
    if (r->patient == NULL || !fhir_is_id(sw_str_of(r->patient)))
        return http_fail(res, SW_ENOTFOUND, "there is no such patient");
    struct read_ctx c = { req, r };
    sw_err err;
    int rc = r->feature ? store_write(app->store, read_fn, &c, &err)
                        : store_read(app->store, read_fn, &c, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    if (!r->found)
        return http_fail(res, SW_ENOTFOUND, "there is no Patient/%s", r->patient);
    if (r->denied)
        return http_fail(res, SW_EBREAKGLASS, "Patient/%s's record is "
                         "restricted: break the glass first", r->patient);
    return SW_OK;
}
