/* api_meds.c - what the medication /api files share (see api_meds.h):
 * reading a patient's chart for a decision, with the restricted-patient
 * check, and a patient's name for the pharmacy. */
#include "api_meds.h"
#include "patient_records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/restricted.h"
#include "core/clock.h"
#include "core/str.h"
#include "fhir/primitive.h"
#include "fhir/resources.h"

/* ---- Shared (api_meds.h) ------------------------------------------------- */

/* The Encounter, read in the chart's transaction once the patient is
 * allowed. */
struct chart_visit {
    const char *id;
    bool        found;
    sw_json    *res;
};

static int encounter_fn(store_tx *tx, const sw_request *req, patient_read *r)
{
    struct chart_visit *v = r->arg;
    fhir_version row;
    v->found = false;
    if (v->id == NULL)
        return SW_OK;
    int rc = fhir_row_read(tx, req->arena, server_principal(req)->practice_id,
                           "Encounter", v->id, 0, &row);
    if (rc == SW_ENOTFOUND)
        return SW_OK;
    if (rc != SW_OK || row.deleted || row.body_len == 0)
        return rc;
    v->found = true;
    return sw_json_parse(req->arena, row.body, row.body_len, &v->res, NULL);
}

struct chart_ctx {
    const sw_request *req;
    patient_read     *r;
};

static int chart_fn(store_tx *tx, void *arg)
{
    struct chart_ctx *c = arg;
    return patient_records_tx(tx, c->req, c->r);
}

const char *meds_encounter_patient(const sw_json *encounter)
{
    const sw_json *subject = sw_json_get(encounter, "subject");
    const char *ref = subject ? sw_json_get_string(subject, "reference") : NULL;
    if (ref == NULL || strncmp(ref, "Patient/", 8) != 0)
        return "";
    return ref + 8;
}

int meds_chart_load(sw_request *req, sw_response *res, const char *patient,
                    const char *encounter, bool encounter_is_route,
                    const char *const *types, meds_chart *out)
{
    sw_app *app = req->app;
    memset(out, 0, sizeof *out);
    if (patient == NULL || !fhir_is_id(sw_str_of(patient)))
        return http_fail(res, SW_ENOTFOUND, "there is no such patient");
    if (encounter && !fhir_is_id(sw_str_of(encounter)))
        return encounter_is_route
               ? http_fail(res, SW_ENOTFOUND, "there is no such visit")
               : http_fail(res, SW_EINVAL, "\"encounter\" must be the id of "
                           "one of this patient's encounters");
    struct chart_visit visit = { .id = encounter };
    patient_read r = { .patient = patient, .types = types,
                       .max = MEDS_RECORDS_MAX, .parse = true,
                       .want_patient = true, .restricted = true,
                       .then = encounter_fn, .arg = &visit };
    struct chart_ctx c = { req, &r };
    sw_err err;
    int rc = store_read(app->store, chart_fn, &c, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    sw_json *patient_res = NULL;
    if (r.found && r.patient_len == 0)
        r.found = false;   /* a Patient with no body is none */
    if (!r.found)
        return http_fail(res, SW_ENOTFOUND, "there is no Patient/%s", patient);
    if (r.denied) {
        /* The refusal is part of the record's access history. */
        audit_who who;
        server_audit_who(req, &who);
        audit_entry e = { .who = &who, .action = AUDIT_READ,
                          .feature = "medications.read", .patient_id = patient,
                          .res_type = "Patient", .res_id = patient,
                          .outcome = AUDIT_DENIED, .detail = "restricted" };
        if (audit_record(app->store, &e, &err) != SW_OK)
            return http_fail(res, SW_EINTERNAL, "%s", sw_err_text(&err));
        return http_fail(res, SW_EBREAKGLASS, "Patient/%s's record is "
                         "restricted: break the glass first", patient);
    }
    if (sw_json_parse(req->arena, r.patient_body, r.patient_len, &patient_res,
                      NULL) != SW_OK)
        return http_fail(res, SW_ENOMEM, "a stored Patient could not be read");
    if (encounter && (!visit.found
                      || strcmp(meds_encounter_patient(visit.res), patient) != 0))
        return encounter_is_route
               ? http_fail(res, SW_ENOTFOUND, "there is no Encounter/%s",
                           encounter)
               : http_fail(res, SW_EINVAL, "\"encounter\" must be the id of "
                           "one of this patient's encounters");
    out->patient = patient;
    out->patient_res = patient_res;
    out->encounter = encounter;
    out->encounter_res = visit.res;
    out->records = r.items;
    out->n = r.n;
    return SW_OK;
}

const char *meds_patient_name(sw_arena *a, const sw_json *patient)
{
    /* The rule is server_patient_name's; the chart is parsed with sw_json. */
    sw_buf text = SW_BUF_INIT(1024 * 1024);
    json_t *doc = patient && sw_json_write(&text, patient) == SW_OK
                ? json_loadb(sw_buf_str(&text), text.len, 0, NULL) : NULL;
    json_t *name = doc ? server_patient_name(doc) : NULL;
    const char *t = json_string_value(name);
    const char *out = t && t[0] ? sw_arena_strdup(a, t) : NULL;
    json_decref(name);
    json_decref(doc);
    sw_buf_free(&text);
    return out;
}
