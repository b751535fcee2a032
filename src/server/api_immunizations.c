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
#include "patient_records.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clinical/fhir_read.h"
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

/* The patient (for the birth date that bounds a dose's date), with the
 * restricted-record check; when list is set their Immunizations too, the
 * read audited. SW_OK or the error written to res (404, 403). */
static int read_patient(sw_request *req, sw_response *res, const char *patient,
                        bool list, patient_read *r, const char **birth_date)
{
    static const char *const types[] = { "Immunization", NULL };
    *r = (patient_read){ .patient = patient, .types = list ? types : NULL,
                         .param = "patient", .max = IMMUNIZATION_LIST_MAX,
                         .parse = true, .want_patient = true, .restricted = true,
                         .feature = list ? "immunizations.read" : NULL,
                         .audit_type = "Immunization",
                         .audit_detail = "immunization list" };
    int rc = patient_records_read(req, res, r);
    sw_json *p;
    *birth_date = NULL;
    if (rc == SW_OK && r->patient_len
        && sw_json_parse(req->arena, r->patient_body, r->patient_len, &p,
                         NULL) == SW_OK)
        *birth_date = sw_json_get_string(p, "birthDate");
    return rc;
}

/* ---- The list ------------------------------------------------------------ */

static json_t *performer_of(const sw_json *r)
{
    const sw_json *perf = sw_json_get(r, "performer");
    return server_person_sw(perf && perf->kind == SW_JSON_ARRAY && perf->count
                            ? sw_json_get(perf->items[0], "actor") : NULL);
}

static json_t *immunization_json(const patient_record *it)
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
                     "site", clinical_first_code(it->r, "site", NULL),
                     "route", clinical_first_code(it->r, "route", NULL),
                     "reason_not_done", clinical_first_code(it->r, "statusReason", NULL),
                     "dose_number", dose_number ? json_integer(dose_number) : json_null(),
                     "performer", performer_of(it->r),
                     "note", note);
}

/* Newest first; undated last; by id, so the order is stable. */
static int newest_first(const void *pa, const void *pb)
{
    const patient_record *a = pa, *b = pb;
    int64_t wa = immunization_when(a->r), wb = immunization_when(b->r);
    if (wa != wb)
        return wa > wb ? -1 : 1;
    return strcmp(a->id, b->id);
}

static int get_immunizations(sw_request *req, sw_response *res)
{
    patient_read reading, *r = &reading;
    const char *birth_date;
    int rc = read_patient(req, res, http_route_value(req, "id"), true, r,
                          &birth_date);
    if (rc != SW_OK)
        return rc;
    if (r->n > 1)
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
    const char *v[8];
    if ((rc = server_json_strings(doc, texts, v, 8, res)) != SW_OK)
        return rc;
    in->cvx = v[0];
    in->date = v[1];
    in->status = v[2];
    in->lot = v[3];
    in->site = v[4];
    in->route = v[5];
    in->reason_not_done = v[6];
    in->note = v[7];
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
    patient_read r;
    const char *birth_date = NULL;
    if (rc == SW_OK)
        rc = read_patient(req, res, patient, false, &r, &birth_date);
    if (rc == SW_OK && immunization_check(&in, sw_now_wall_ms(), birth_date,
                                          &err) != SW_OK)
        rc = http_fail(res, err.code, "%s", err.msg);
    json_t *performer = rc == SW_OK ? server_user_reference(req, res) : NULL;
    if (rc == SW_OK && performer == NULL)
        rc = SW_EINTERNAL;   /* the error is in res */
    char *performer_text = performer ? json_dumps(performer, JSON_COMPACT) : NULL;
    json_decref(performer);
    sw_buf resource = SW_BUF_INIT(32 * 1024);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    server_bundle b;
    server_bundle_begin(&b);
    if (rc == SW_OK) {
        if (performer_text == NULL
            || immunization_resource(&in, patient, performer_text, &resource) != SW_OK)
            b.rc = SW_ENOMEM;
        else
            server_bundle_add(&b, "POST", "Immunization", sw_buf_str(&resource),
                              resource.len, NULL, 0);
        if (server_bundle_end(&b) != SW_OK)
            rc = http_fail(res, SW_ENOMEM, NULL);
    }
    if (rc == SW_OK)
        rc = server_fhir_transaction(req, res, &b.text, &out);
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
    server_bundle_free(&b);
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
