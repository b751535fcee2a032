/* api_medications.c - the medication list (docs/workflows.md, "The
 * medication list"):
 *
 *   GET  /api/patients/{id}/medications               current and history
 *   POST /api/patients/{id}/medications               what the patient
 *        {"drug": rxnorm | "text": name, "dose"?, "note"?}   reports taking
 *   POST /api/patients/{id}/medications/{type}/{mid}/stop {"reason"}
 *
 * The list is the patient's MedicationRequests and MedicationStatements
 * (src/clinical/meds.h). A reported medication is a MedicationStatement;
 * stopping one writes a new version with status "stopped" and the reason,
 * sent with If-Match on the version read, so a colleague's change in
 * between is a 409 rather than lost. Every write goes through the FHIR
 * transaction path (audited as medications.* and eprescribing.*).
 *
 * The route table also serves the reconciliation routes of
 * api_reconcile.c, so the area takes one table. */
#include "api_meds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical/drugs.h"
#include "clinical/rx_check.h"
#include "core/clock.h"
#include "core/str.h"
#include "fhir/primitive.h"
#include "fhir/resources.h"

#define MEDS_BODY_MAX 8192

/* ---- The list ------------------------------------------------------------ */

static const char *const med_types[] = {
    "MedicationRequest", "MedicationStatement", NULL,
};

static const char *dose_of(sw_arena *a, const sw_json *dosage)
{
    const sw_json *dr = sw_json_get(dosage, "doseAndRate");
    const sw_json *q = dr && dr->kind == SW_JSON_ARRAY && dr->count
                       ? sw_json_get(dr->items[0], "doseQuantity") : NULL;
    const sw_json *value = q ? sw_json_get(q, "value") : NULL;
    const char *unit = q ? sw_json_get_string(q, "unit") : NULL;
    if (value && value->kind == SW_JSON_NUMBER) {
        char buf[96];
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)value->text.n,
                 value->text.p, unit ? " " : "", unit ? unit : "");
        return sw_arena_strdup(a, buf);
    }
    return sw_json_get_string(dosage, "text");
}

static json_t *item_json(sw_arena *a, const patient_record *m)
{
    const sw_json *r = m->r;
    bool request = strcmp(m->type, "MedicationRequest") == 0;
    const sw_json *dosages = sw_json_get(r, request ? "dosageInstruction" : "dosage");
    const sw_json *dosage = dosages && dosages->kind == SW_JSON_ARRAY && dosages->count
                            ? dosages->items[0] : NULL;
    const char *dose = dosage ? dose_of(a, dosage) : NULL;
    const sw_json *route = dosage ? sw_json_get(dosage, "route") : NULL;
    const sw_json *timing = dosage ? sw_json_get(dosage, "timing") : NULL;
    const sw_json *tcode = timing ? sw_json_get(timing, "code") : NULL;
    const char *since = sw_json_get_string(r, request ? "authoredOn" : "dateAsserted");
    if (since == NULL && !request)
        since = sw_json_get_string(r, "effectiveDateTime");
    const sw_json *reason = sw_json_get(r, "statusReason");
    if (reason && reason->kind == SW_JSON_ARRAY)
        reason = reason->count ? reason->items[0] : NULL;
    const char *rxnorm = rx_medication_rxnorm(r);
    const char *status = sw_json_get_string(r, "status");
    json_t *item = json_pack("{s:s, s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:o}",
        "type", m->type, "id", m->id, "version", (json_int_t)m->version,
        "name", rx_medication_name(r),
        "rxnorm", rxnorm ? json_string(rxnorm) : json_null(),
        "dose", dose ? json_string(dose) : json_null(),
        "route", route && sw_json_get_string(route, "text")
                 ? json_string(sw_json_get_string(route, "text")) : json_null(),
        "frequency", tcode && sw_json_get_string(tcode, "text")
                     ? json_string(sw_json_get_string(tcode, "text")) : json_null(),
        "status", status ? status : "",
        "since", since ? json_string(since) : json_null(),
        "prescriber", request ? server_person_sw(sw_json_get(r, "requester")) : json_null());
    if (item && reason && sw_json_get_string(reason, "text"))
        json_object_set_new(item, "reason", json_string(sw_json_get_string(reason, "text")));
    return item;
}

static int audit_read_fn(store_tx *tx, void *arg)
{
    void **a = arg;
    return server_workflow_audit(tx, a[0], AUDIT_READ, "medications.read",
                                 a[1], "MedicationStatement", "", "list");
}

static int get_medications(sw_request *req, sw_response *res)
{
    const char *patient = http_route_value(req, "id");
    meds_chart chart;
    int rc = meds_chart_load(req, res, patient, NULL, false, med_types, &chart);
    if (rc != SW_OK)
        return rc;
    json_t *current = json_array(), *history = json_array();
    for (size_t i = 0; i < chart.n; i++) {
        json_t *item = item_json(req->arena, &chart.records[i]);
        json_array_append_new(rx_medication_is_active(chart.records[i].r)
                              ? current : history, item);
    }
    void *arg[2] = { req, (void *)patient };
    sw_err err;
    sw_app *app = req->app;
    if ((rc = store_write(app->store, audit_read_fn, arg, &err)) != SW_OK) {
        json_decref(current);
        json_decref(history);
        return http_fail(res, rc, "%s", sw_err_text(&err));
    }
    return server_reply_json(res, 200, json_pack("{s:o, s:o}", "medications",
                                                 current, "history", history));
}

static int post_medication(sw_request *req, sw_response *res)
{
    static const char *const members[] = { "drug", "text", "dose", "note", NULL };
    const char *patient = http_route_value(req, "id");
    json_t *doc;
    int rc = server_json_body(req, res, MEDS_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    rc = server_json_only_members(doc, members, res);
    const char *v[4] = { 0 };
    if (rc == SW_OK)
        rc = server_json_strings(doc, members, v, 4, res);
    const drug_product *drug = NULL;
    if (rc == SW_OK && v[0]) {
        drug = drug_product_find(drug_kb_current(), v[0]);
        if (drug == NULL)
            rc = http_fail(res, SW_EINVAL, "\"drug\" is not a known RxNorm "
                           "product code (see /api/drugs)");
        else if (v[1])
            rc = http_fail(res, SW_EINVAL, "give \"drug\" or \"text\", not both");
    }
    if (rc == SW_OK && !v[0] && (v[1] == NULL || !meds_plain_text(v[1], 200, false)))
        rc = http_fail(res, SW_EINVAL, "give \"drug\" (an RxNorm code) or "
                       "\"text\" (1 to 200 characters on one line)");
    if (rc == SW_OK && v[2] && !meds_plain_text(v[2], 200, false))
        rc = http_fail(res, SW_EINVAL, "\"dose\" must be 1 to 200 characters "
                       "on one line");
    if (rc == SW_OK && v[3] && !meds_plain_text(v[3], 2000, true))
        rc = http_fail(res, SW_EINVAL, "\"note\" must be 1 to 2000 characters");
    meds_chart chart;
    if (rc == SW_OK)
        rc = meds_chart_load(req, res, patient, NULL, false, NULL, &chart);
    json_t *source = rc == SW_OK ? server_user_reference(req, res) : NULL;
    if (rc == SW_OK && source == NULL)
        rc = SW_EINTERNAL;
    if (rc != SW_OK) {
        json_decref(doc);
        return rc;
    }
    char now[SW_TIME_ISO_MAX], subject[160];
    sw_time_iso(sw_now_wall_ms(), now);
    snprintf(subject, sizeof subject, "Patient/%s", patient);
    json_t *concept = drug
        ? json_pack("{s:[{s:s, s:s, s:s}], s:s}", "coding", "system",
                    DRUG_RXNORM_SYSTEM, "code", drug->rxnorm, "display",
                    drug->name, "text", drug->name)
        : json_pack("{s:s}", "text", v[1]);
    json_t *ms = json_pack("{s:s, s:s, s:o, s:{s:s}, s:s, s:o}",
                           "resourceType", "MedicationStatement",
                           "status", "active", "medicationCodeableConcept", concept,
                           "subject", "reference", subject, "dateAsserted", now,
                           "informationSource", source);
    if (ms && v[2])
        json_object_set_new(ms, "dosage", json_pack("[{s:s}]", "text", v[2]));
    if (ms && v[3])
        json_object_set_new(ms, "note", json_pack("[{s:s}]", "text", v[3]));
    server_bundle bundle;
    server_bundle_begin(&bundle);
    if (ms == NULL)
        bundle.rc = SW_ENOMEM;
    server_bundle_add_json(&bundle, "POST", "MedicationStatement", ms, NULL, 0);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    rc = server_bundle_end(&bundle) == SW_OK
         ? server_fhir_transaction(req, res, &bundle.text, &out)
         : http_fail(res, SW_ENOMEM, NULL);
    if (rc == SW_OK) {
        json_t *ids = server_created_ids(req->arena, &out, "MedicationStatement");
        json_t *first = json_array_get(ids, 0);
        rc = server_reply_json(res, 201, json_pack("{s:O}", "medication",
                                                   first ? first : json_null()));
        json_decref(ids);
    }
    server_bundle_free(&bundle);
    sw_buf_free(&out);
    json_decref(doc);
    return rc;
}

static int stop_medication(sw_request *req, sw_response *res)
{
    static const char *const members[] = { "reason", "version", NULL };
    const char *patient = http_route_value(req, "id");
    const char *type = http_route_value(req, "type");
    const char *mid = http_route_value(req, "mid");
    if (type == NULL || (strcmp(type, "MedicationRequest") != 0
                         && strcmp(type, "MedicationStatement") != 0))
        return http_fail(res, SW_ENOTFOUND, "the medication list holds "
                         "MedicationRequest and MedicationStatement only");
    json_t *doc;
    int rc = server_json_body(req, res, MEDS_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    rc = server_json_only_members(doc, members, res);
    const char *reason = json_string_value(json_object_get(doc, "reason"));
    json_t *version = json_object_get(doc, "version");
    if (rc == SW_OK && (reason == NULL || !meds_plain_text(reason, 500, true)))
        rc = http_fail(res, SW_EINVAL, "\"reason\" must be 1 to 500 characters");
    if (rc == SW_OK && version && (!json_is_integer(version)
                                   || json_integer_value(version) < 1))
        rc = http_fail(res, SW_EINVAL, "\"version\" must be a positive integer");
    const char *one[] = { type, NULL };
    meds_chart chart;
    if (rc == SW_OK)
        rc = meds_chart_load(req, res, patient, NULL, false, one, &chart);
    const patient_record *m = NULL;
    for (size_t i = 0; rc == SW_OK && i < chart.n; i++)
        if (strcmp(chart.records[i].id, mid) == 0)
            m = &chart.records[i];
    if (rc == SW_OK && m == NULL)
        rc = http_fail(res, SW_ENOTFOUND, "Patient/%s has no %s/%s", patient,
                       type, mid ? mid : "");
    if (rc == SW_OK && version && json_integer_value(version) != m->version)
        rc = server_fail_as(res, SW_ECONFLICT, "version_conflict", "this "
                            "medication changed since it was read; look at it "
                            "again and retry");
    if (rc == SW_OK && !rx_medication_is_active(m->r))
        rc = http_fail(res, SW_ECONFLICT, "%s/%s is not active (status %s)",
                       type, mid, sw_json_get_string(m->r, "status")
                       ? sw_json_get_string(m->r, "status") : "none");
    json_t *r = NULL;
    if (rc == SW_OK) {
        sw_buf text = SW_BUF_INIT(1024 * 1024);
        if (sw_json_write(&text, m->r) == SW_OK)
            r = json_loadb(sw_buf_str(&text), text.len, 0, NULL);
        sw_buf_free(&text);
        if (r == NULL)
            rc = http_fail(res, SW_ENOMEM, NULL);
    }
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    server_bundle bundle;
    server_bundle_begin(&bundle);
    if (rc == SW_OK) {
        char url[200];
        snprintf(url, sizeof url, "%s/%s", type, mid);
        json_object_del(r, "meta");
        json_object_set_new(r, "status", json_string("stopped"));
        json_t *why = json_pack("{s:s}", "text", reason);
        json_object_set_new(r, "statusReason", strcmp(type, "MedicationRequest") == 0
                            ? why : json_pack("[o]", why));
        server_bundle_add_json(&bundle, "PUT", url, json_incref(r), NULL,
                               m->version);
        rc = server_bundle_end(&bundle) == SW_OK
             ? server_fhir_transaction(req, res, &bundle.text, &out)
             : http_fail(res, SW_ENOMEM, NULL);
        if (rc == SW_EPRECOND)
            rc = server_conflict(res, "version_conflict", "this medication "
                                 "changed while it was being stopped; look "
                                 "at it again and retry");
    }
    if (rc == SW_OK)
        rc = server_reply_json(res, 200, json_pack("{s:s, s:s}", "medication",
                                                   mid, "status", "stopped"));
    json_decref(r);
    server_bundle_free(&bundle);
    sw_buf_free(&out);
    json_decref(doc);
    return rc;
}

static const http_route routes[] = {
    { "GET", "/api/patients/{id}/medications", get_medications, 0,
      "medications:read" },
    { "POST", "/api/patients/{id}/medications", post_medication,
      HTTP_ROUTE_BODY, "medications:write" },
    { "POST", "/api/patients/{id}/medications/{type}/{mid}/stop",
      stop_medication, HTTP_ROUTE_BODY, "medications:write" },
    { "POST", "/api/visits/{id}/reconcile", api_reconcile_post,
      HTTP_ROUTE_BODY, "clinical:write" },
    { "GET", "/api/visits/{id}/reconciliation", api_reconciliation_get, 0,
      "clinical:read" },
};

const http_route_table medication_routes = {
    .name = "medications",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
