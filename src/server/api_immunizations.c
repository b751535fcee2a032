/* api_immunizations.c - recording immunizations (docs/workflows.md,
 * "Immunizations"): the vaccine picker, recording a dose given or not
 * given, and a patient's immunizations newest first, by the rules of
 * src/clinical/immunizations.h and the CVX table of vaccines.h.
 *
 *   GET  /api/vaccines?q=flu                          clinical:read
 *   POST /api/patients/{id}/immunizations             clinical:write
 *        {"cvx": "140", "date": "2026-10-01", "status": "completed",
 *         "lot": "AB123", "site": "LA", "route": "IM", "dose_number": 1,
 *         "dose_ml": 0.5, "note": "…"}
 *        {"cvx": "140", "date": "2026-10-01", "status": "not-done",
 *         "reason_not_done": "PATOBJ"}
 *   GET  /api/patients/{id}/immunizations             clinical:read
 *
 * The write is one FHIR transaction through server_fhir_transaction, so
 * validation, restricted-patient checks and the audit entry
 * (immunizations.create) are those of any FHIR write. The patient's birth
 * date, read first, bounds the date. Listing records a read entry
 * (immunizations.read) and honours restricted records. */
#include "app.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/restricted.h"
#include "clinical/immunizations.h"
#include "clinical/vaccines.h"
#include "core/clock.h"
#include "core/str.h"
#include "fhir/primitive.h"
#include "fhir/resources.h"

#define IMMUNIZATION_BODY_MAX 8192
#define IMMUNIZATION_LIST_MAX 1000
#define VACCINE_QUERY_MAX     64

/* ---- The vaccine picker -------------------------------------------------- */

static int get_vaccines(sw_request *req, sw_response *res)
{
    const char *q = http_query_get(req, "q");
    if (q && strlen(q) > VACCINE_QUERY_MAX)
        return http_fail(res, SW_EINVAL, "\"q\" is at most %d characters",
                         VACCINE_QUERY_MAX);
    const vaccine *found[VACCINE_SEARCH_MAX];
    size_t n = vaccine_search(q, found, VACCINE_SEARCH_MAX);
    if (n > VACCINE_SEARCH_MAX)
        n = VACCINE_SEARCH_MAX;
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        if (json_array_append_new(list, json_pack("{s:s, s:s}", "cvx",
                                                  found[i]->cvx, "display",
                                                  found[i]->display)) != 0) {
            json_decref(list);
            list = NULL;
        }
    if (list == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    return server_reply_json(res, 200, json_pack("{s:s, s:o}", "system",
                                                 VACCINE_CVX_SYSTEM,
                                                 "vaccines", list));
}

/* ---- Reading the patient and their immunizations ------------------------- */

struct item {
    const char *id;
    int64_t     when;
    sw_json    *r;
};

struct reading {
    sw_arena          *a;
    const sw_request  *req;
    int64_t            practice_id, user_id;
    const char        *patient;
    bool               list;          /* read the immunizations (and audit) */
    bool               patient_found, denied;
    const char        *birth_date;
    size_t             n;
    struct item        items[IMMUNIZATION_LIST_MAX];
};

static int read_audit(store_tx *tx, struct reading *r, const char *outcome)
{
    audit_who who;
    server_audit_who(r->req, &who);
    audit_entry e = {
        .who = &who, .action = AUDIT_READ, .feature = "immunizations.read",
        .patient_id = r->patient, .res_type = "Immunization", .res_id = "",
        .outcome = outcome, .detail = "immunization list",
    };
    return audit_append(tx, &e);
}

static int immunizations_of(store_tx *tx, struct reading *r)
{
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT r.res_id, r.body FROM fhir_resource r "
        "WHERE r.practice_id = ? AND r.res_type = 'Immunization' AND r.deleted = 0 "
        "AND r.res_id IN (SELECT x.res_id FROM fhir_idx_ref x "
        "WHERE x.practice_id = ? AND x.res_type = 'Immunization' "
        "AND x.param = 'patient' AND x.target_type = 'Patient' "
        "AND x.target_id = ?) ORDER BY r.res_id", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, r->practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 2, r->practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 3, r->patient)) == SW_OK)
        while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row
               && r->n < IMMUNIZATION_LIST_MAX) {
            size_t len;
            const char *body = store_col_text(st, 1, &len);
            struct item *it = &r->items[r->n];
            it->id = sw_arena_strdup(r->a, store_col_text(st, 0, NULL));
            if (it->id == NULL
                || sw_json_parse(r->a, body, len, &it->r, NULL) != SW_OK)
                rc = store_tx_fail(tx, SW_ENOMEM, "a stored Immunization "
                                   "could not be read");
            else {
                it->when = immunization_when(it->r);
                r->n++;
            }
        }
    store_finalize(st);
    return rc;
}

static int reading_fn(store_tx *tx, void *arg)
{
    struct reading *r = arg;
    r->n = 0;
    r->denied = false;
    r->birth_date = NULL;
    fhir_version v;
    int rc = fhir_row_read(tx, r->a, r->practice_id, "Patient", r->patient, 0, &v);
    r->patient_found = rc == SW_OK && !v.deleted;
    if (rc == SW_ENOTFOUND || (rc == SW_OK && v.deleted))
        return SW_OK;
    if (rc != SW_OK)
        return rc;
    sw_json *p;
    if (v.body_len && sw_json_parse(r->a, v.body, v.body_len, &p, NULL) == SW_OK)
        r->birth_date = sw_json_get_string(p, "birthDate");
    bool allowed = true;
    rc = auth_patient_access(tx, r->practice_id, r->user_id, r->patient,
                             sw_now_wall_ms(), &allowed);
    if (rc != SW_OK)
        return rc;
    r->denied = !allowed;
    if (!r->list)
        return SW_OK;
    if (allowed && (rc = immunizations_of(tx, r)) != SW_OK)
        return rc;
    return read_audit(tx, r, allowed ? AUDIT_SUCCESS : AUDIT_DENIED);
}

static int read_patient(sw_request *req, sw_response *res, const char *patient,
                        bool list, struct reading **out)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    if (patient == NULL || !fhir_is_id(sw_str_of(patient)))
        return http_fail(res, SW_ENOTFOUND, "there is no such patient");
    struct reading *r = sw_arena_calloc(req->arena, 1, sizeof *r);
    if (r == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    *r = (struct reading){ .a = req->arena, .req = req,
                           .practice_id = s->practice_id, .user_id = s->user_id,
                           .patient = patient, .list = list };
    sw_err err;
    int rc = list ? store_write(app->store, reading_fn, r, &err)
                  : store_read(app->store, reading_fn, r, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    if (!r->patient_found)
        return http_fail(res, SW_ENOTFOUND, "there is no Patient/%s", patient);
    if (r->denied)
        return http_fail(res, SW_EBREAKGLASS, "Patient/%s's record is "
                         "restricted: break the glass first", patient);
    *out = r;
    return SW_OK;
}

/* ---- The list ------------------------------------------------------------ */

static json_t *performer_of(const sw_json *r)
{
    const sw_json *perf = sw_json_get(r, "performer");
    const sw_json *actor = perf && perf->kind == SW_JSON_ARRAY && perf->count
                         ? sw_json_get(perf->items[0], "actor") : NULL;
    if (actor == NULL || actor->kind != SW_JSON_OBJECT)
        return json_null();
    const sw_json *ident = sw_json_get(actor, "identifier");
    const char *system = ident ? sw_json_get_string(ident, "system") : NULL;
    const char *username = system && strcmp(system, SERVER_USER_SYSTEM) == 0
                         ? sw_json_get_string(ident, "value") : NULL;
    const char *display = sw_json_get_string(actor, "display");
    if (username == NULL && display == NULL)
        return json_null();
    return json_pack("{s:s?, s:s?}", "username", username, "display",
                     display ? display : username);
}

static const char *first_code(const sw_json *r, const char *member)
{
    const sw_json *codings = sw_json_get(sw_json_get(r, member), "coding");
    if (codings == NULL || codings->kind != SW_JSON_ARRAY || codings->count == 0)
        return NULL;
    return sw_json_get_string(codings->items[0], "code");
}

static json_t *immunization_json(const struct item *it)
{
    const char *cvx, *display;
    immunization_vaccine(it->r, &cvx, &display);
    const sw_json *notes = sw_json_get(it->r, "note");
    const char *note = notes && notes->kind == SW_JSON_ARRAY && notes->count
                     ? sw_json_get_string(notes->items[0], "text") : NULL;
    const sw_json *applied = sw_json_get(it->r, "protocolApplied");
    const sw_json *dose = applied && applied->kind == SW_JSON_ARRAY && applied->count
                        ? sw_json_get(applied->items[0], "doseNumberPositiveInt") : NULL;
    int64_t dose_number = 0;
    if (dose && !sw_json_number_to_int64(dose, 1, INT32_MAX, &dose_number))
        dose_number = 0;
    return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, "
                     "s:o, s:o, s:s?}",
                     "id", it->id, "cvx", cvx, "display", display,
                     "date", immunization_date(it->r),
                     "status", sw_json_get_string(it->r, "status"),
                     "lot", sw_json_get_string(it->r, "lotNumber"),
                     "site", first_code(it->r, "site"),
                     "route", first_code(it->r, "route"),
                     "reason_not_done", first_code(it->r, "statusReason"),
                     "dose_number", dose_number ? json_integer(dose_number) : json_null(),
                     "performer", performer_of(it->r),
                     "note", note);
}

/* Newest first; undated last; by id, so the order is stable. */
static int newest_first(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;
    if (a->when != b->when)
        return a->when > b->when ? -1 : 1;
    return strcmp(a->id, b->id);
}

static int get_immunizations(sw_request *req, sw_response *res)
{
    struct reading *r;
    int rc = read_patient(req, res, http_route_value(req, "id"), true, &r);
    if (rc != SW_OK)
        return rc;
    qsort(r->items, r->n, sizeof r->items[0], newest_first);
    json_t *list = json_array();
    for (size_t i = 0; list && i < r->n; i++)
        if (json_array_append_new(list, immunization_json(&r->items[i])) != 0) {
            json_decref(list);
            list = NULL;
        }
    if (list == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    return server_reply_json(res, 200, json_pack("{s:s, s:o}", "patient",
                                                 r->patient, "immunizations",
                                                 list));
}

/* ---- Recording ----------------------------------------------------------- */

static const char *const members[] = {
    "cvx", "date", "status", "lot", "site", "route", "dose_number", "dose_ml",
    "reason_not_done", "note", NULL,
};

static int read_input(json_t *doc, immunization_input *in, sw_response *res)
{
    int rc = server_json_only_members(doc, members, res);
    if (rc != SW_OK)
        return rc;
    static const char *const texts[] = {
        "cvx", "date", "status", "lot", "site", "route", "reason_not_done", "note",
    };
    const char **dst[] = {
        &in->cvx, &in->date, &in->status, &in->lot, &in->site, &in->route,
        &in->reason_not_done, &in->note,
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        json_t *v = json_object_get(doc, texts[i]);
        if (v && !json_is_string(v))
            return http_fail(res, SW_EINVAL, "\"%s\" must be a string", texts[i]);
        *dst[i] = json_string_value(v);
    }
    if (in->status == NULL)
        in->status = "completed";
    json_t *n = json_object_get(doc, "dose_number");
    if (n) {
        if (!json_is_integer(n) || json_integer_value(n) < 1
            || json_integer_value(n) > IMMUNIZATION_DOSE_NUMBER_MAX)
            return http_fail(res, SW_EINVAL, "\"dose_number\" must be a whole "
                             "number from 1 to %d", IMMUNIZATION_DOSE_NUMBER_MAX);
        in->dose_number = (int)json_integer_value(n);
    }
    json_t *ml = json_object_get(doc, "dose_ml");
    if (ml) {
        if (!json_is_number(ml) || json_number_value(ml) <= 0
            || json_number_value(ml) > IMMUNIZATION_DOSE_ML_MAX)
            return http_fail(res, SW_EINVAL, "\"dose_ml\" must be a volume in "
                             "mL above 0 and at most 10");
        in->dose_ml = json_number_value(ml);
    }
    return SW_OK;
}

static int post_immunization(sw_request *req, sw_response *res)
{
    const char *patient = http_route_value(req, "id");
    json_t *doc;
    int rc = server_json_body(req, res, IMMUNIZATION_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    immunization_input in = { 0 };
    sw_err err;
    rc = read_input(doc, &in, res);
    struct reading *r = NULL;
    if (rc == SW_OK)
        rc = read_patient(req, res, patient, false, &r);
    if (rc == SW_OK && immunization_check(&in, sw_now_wall_ms(), r->birth_date,
                                          &err) != SW_OK)
        rc = http_fail(res, err.code, "%s", err.msg);
    json_t *performer = rc == SW_OK ? server_user_reference(req, res) : NULL;
    if (rc == SW_OK && performer == NULL)
        rc = SW_EINTERNAL;   /* the error is in res */
    char *performer_text = performer ? json_dumps(performer, JSON_COMPACT) : NULL;
    json_decref(performer);
    sw_buf resource = SW_BUF_INIT(32 * 1024), text = SW_BUF_INIT(64 * 1024);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    if (rc == SW_OK) {
        sw_jw w;
        sw_jw_init(&w, &text);
        if (performer_text == NULL
            || immunization_resource(&in, patient, performer_text, &resource) != SW_OK)
            rc = http_fail(res, SW_ENOMEM, NULL);
        else {
            sw_jw_object_begin(&w);
            sw_jw_key(&w, "resourceType");
            sw_jw_string(&w, "Bundle");
            sw_jw_key(&w, "type");
            sw_jw_string(&w, "transaction");
            sw_jw_key(&w, "entry");
            sw_jw_array_begin(&w);
            sw_jw_object_begin(&w);
            sw_jw_key(&w, "resource");
            sw_jw_raw(&w, sw_buf_str(&resource), resource.len);
            sw_jw_key(&w, "request");
            sw_jw_object_begin(&w);
            sw_jw_key(&w, "method");
            sw_jw_string(&w, "POST");
            sw_jw_key(&w, "url");
            sw_jw_string(&w, "Immunization");
            sw_jw_object_end(&w);
            sw_jw_object_end(&w);
            sw_jw_array_end(&w);
            sw_jw_object_end(&w);
            if (sw_jw_finish(&w) != SW_OK)
                rc = http_fail(res, SW_ENOMEM, NULL);
        }
    }
    if (rc == SW_OK)
        rc = server_fhir_transaction(req, res, &text, &out);
    if (rc == SW_OK) {
        json_t *ids = server_created_ids(req->arena, &out, "Immunization");
        json_t *first = json_array_get(ids, 0);
        json_t *reply = json_pack("{s:s, s:O}", "patient", patient,
                                  "immunization", first ? first : json_null());
        json_decref(ids);
        rc = server_reply_json(res, 201, reply);
    }
    free(performer_text);
    sw_buf_free(&resource);
    sw_buf_free(&text);
    sw_buf_free(&out);
    json_decref(doc);
    return rc;
}

static const http_route routes[] = {
    { "GET",  "/api/vaccines", get_vaccines, 0, "clinical:read" },
    { "GET",  "/api/patients/{id}/immunizations", get_immunizations, 0,
      "clinical:read" },
    { "POST", "/api/patients/{id}/immunizations", post_immunization,
      HTTP_ROUTE_BODY, "clinical:write" },
};

const http_route_table immunizations_routes = {
    .name = "immunizations",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
