/* api_vitals.c - POST /api/patients/{id}/vitals: recording a set of vital
 * signs (and smoking status) for a patient in one step (docs/workflows.md).
 *
 *   {"height_cm": 180, "weight_kg": 78.5, "systolic": 122, "diastolic": 78,
 *    "heart_rate": 72, "respiratory_rate": 16, "temperature_c": 36.8,
 *    "spo2": 98, "smoking_status": "never", "encounter": "enc-1",
 *    "effective": "2026-11-25T09:30:00Z"}
 *
 * Every member is optional but one measure must be there. The set becomes
 * FHIR Observations (src/clinical/vitals.h), BMI computed when height and
 * weight come together, written as one FHIR transaction through the same
 * code as POST /fhir, so validation, restricted-patient checks and the
 * audit trail (feature vitals.create) are those of any write. The
 * permission table decides who may (access "clinical:write"). */
#include "app.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clinical/vitals.h"
#include "core/clock.h"
#include "core/str.h"
#include "fhir/primitive.h"
#include "fhir/resources.h"
#include "fhir/fhirdate.h"

#define VITALS_BODY_MAX 4096

static const char *const members[] = {
    "height_cm", "weight_kg", "systolic", "diastolic", "heart_rate",
    "respiratory_rate", "temperature_c", "spo2", "smoking_status",
    "encounter", "effective", NULL,
};

static int bad(sw_response *res, const char *name, const char *what)
{
    return http_fail(res, SW_EINVAL, "\"%s\" must be %s", name, what);
}

static int number(json_t *doc, const char *name, bool *has, double *out,
                  sw_response *res)
{
    json_t *v = json_object_get(doc, name);
    *has = v != NULL && !json_is_null(v);
    if (!*has)
        return SW_OK;
    if (!json_is_number(v))
        return bad(res, name, "a number");
    *out = json_number_value(v);
    return SW_OK;
}

static int whole(json_t *doc, const char *name, bool *has, int *out,
                 sw_response *res)
{
    json_t *v = json_object_get(doc, name);
    *has = v != NULL && !json_is_null(v);
    if (!*has)
        return SW_OK;
    if (!json_is_integer(v) || json_integer_value(v) < -100000
        || json_integer_value(v) > 100000)
        return bad(res, name, "a whole number");
    *out = (int)json_integer_value(v);
    return SW_OK;
}

static int read_set(json_t *doc, vitals_set *v, const char **encounter,
                    const char **effective, sw_response *res)
{
    int rc = server_json_only_members(doc, members, res);
    bool has_sys = false, has_dia = false;
    if (rc == SW_OK) rc = number(doc, "height_cm", &v->has_height, &v->height_cm, res);
    if (rc == SW_OK) rc = number(doc, "weight_kg", &v->has_weight, &v->weight_kg, res);
    if (rc == SW_OK) rc = whole(doc, "systolic", &has_sys, &v->systolic, res);
    if (rc == SW_OK) rc = whole(doc, "diastolic", &has_dia, &v->diastolic, res);
    if (rc == SW_OK) rc = whole(doc, "heart_rate", &v->has_heart_rate, &v->heart_rate, res);
    if (rc == SW_OK) rc = whole(doc, "respiratory_rate", &v->has_resp_rate, &v->resp_rate, res);
    if (rc == SW_OK) rc = number(doc, "temperature_c", &v->has_temperature, &v->temperature_c, res);
    if (rc == SW_OK) rc = whole(doc, "spo2", &v->has_spo2, &v->spo2, res);
    if (rc != SW_OK)
        return rc;
    if (has_sys != has_dia)
        return http_fail(res, SW_EINVAL, "give \"systolic\" and \"diastolic\" "
                         "together");
    v->has_bp = has_sys;
    json_t *s = json_object_get(doc, "smoking_status");
    if (s != NULL) {
        v->smoking = json_string_value(s);
        if (v->smoking == NULL || vitals_smoking_find(v->smoking) == NULL)
            return bad(res, "smoking_status", "one of current_every_day, "
                       "current_some_day, former, never, current_unknown, "
                       "unknown");
    }
    json_t *e = json_object_get(doc, "encounter");
    if (e != NULL) {
        *encounter = json_string_value(e);
        if (*encounter && strncmp(*encounter, "Encounter/", 10) == 0)
            *encounter += 10;
        if (*encounter == NULL || !fhir_is_id(sw_str_of(*encounter)))
            return bad(res, "encounter", "an Encounter id");
    }
    json_t *t = json_object_get(doc, "effective");
    if (t != NULL) {
        int64_t ms;
        *effective = json_string_value(t);
        if (*effective == NULL || !sw_time_parse_iso(*effective, &ms)
            || strchr(*effective, 'T') == NULL)
            return bad(res, "effective", "a date-time with a time zone, such "
                       "as 2026-11-25T09:30:00Z");
    }
    return SW_OK;
}

struct exists {
    int64_t     practice_id;
    const char *patient, *encounter;
    bool        patient_found, encounter_found;
};

static int exists_fn(store_tx *tx, void *arg)
{
    struct exists *x = arg;
    x->encounter_found = true;
    int rc = fhir_row_exists(tx, x->practice_id, "Patient", x->patient,
                             &x->patient_found);
    if (rc == SW_OK && x->encounter)
        rc = fhir_row_exists(tx, x->practice_id, "Encounter", x->encounter,
                             &x->encounter_found);
    return rc;
}

static int post_vitals(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const char *patient = http_route_value(req, "id");
    if (patient == NULL || !fhir_is_id(sw_str_of(patient)))
        return http_fail(res, SW_ENOTFOUND, "there is no such patient");
    json_t *doc;
    int rc = server_json_body(req, res, VITALS_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    vitals_set v = { 0 };
    const char *encounter = NULL, *effective = NULL;
    sw_err err;
    rc = read_set(doc, &v, &encounter, &effective, res);
    if (rc == SW_OK && vitals_check(&v, &err) != SW_OK)
        rc = http_fail(res, err.code, "%s", err.msg);
    const auth_session *s = server_principal(req);
    struct exists x = { s->practice_id, patient, encounter, false, false };
    if (rc == SW_OK && (rc = store_read(app->store, exists_fn, &x, &err)) != SW_OK)
        rc = http_fail(res, rc, "%s", sw_err_text(&err));
    if (rc == SW_OK && !x.patient_found)
        rc = http_fail(res, SW_ENOTFOUND, "there is no Patient/%s", patient);
    if (rc == SW_OK && !x.encounter_found)
        rc = http_fail(res, SW_EINVAL, "there is no Encounter/%s", encounter);
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    sw_buf bundle_text = SW_BUF_INIT(64 * 1024);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    if (rc == SW_OK && vitals_bundle(&v, patient, encounter,
                                     effective ? effective : now, &bundle_text) != SW_OK)
        rc = http_fail(res, SW_ENOMEM, NULL);
    if (rc == SW_OK)
        rc = server_fhir_transaction(req, res, &bundle_text, &out);
    if (rc == SW_OK) {
        json_t *reply = json_pack("{s:s, s:o, s:o}", "patient", patient,
                                  "observations", server_created_ids(req->arena, &out, "Observation"),
                                  "bmi", v.has_height && v.has_weight
                                      ? json_real(vitals_bmi(v.height_cm, v.weight_kg))
                                      : json_null());
        rc = server_reply_json(res, 201, reply);
    }
    sw_buf_free(&bundle_text);
    sw_buf_free(&out);
    json_decref(doc);
    return rc;
}

static const http_route routes[] = {
    { "POST", "/api/patients/{id}/vitals", post_vitals, HTTP_ROUTE_BODY,
      "clinical:write" },
};

const http_route_table vitals_routes = {
    .name = "vitals",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
