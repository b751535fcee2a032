/* api_reconcile.c - reconciliation at a visit (docs/workflows.md,
 * "Reconciliation at a visit"):
 *
 *   POST /api/visits/{id}/reconcile {"list": "medications"|"problems"|"allergies"}
 *   GET  /api/visits/{id}/reconciliation
 *
 * Reconciling records that the clinician reviewed one of the patient's
 * lists at this encounter: a FHIR List (status current, mode snapshot,
 * LOINC-coded, src/clinical/reconcile.h) whose entries are the list's
 * current items as they stood, with the encounter, the time and the
 * clinician as source, written in one transaction with the workflow's
 * audit entry ("medications.reconcile", "problems.reconcile",
 * "allergies.reconcile"). The report gives, per list, the latest such
 * review at this visit. Served from the medication route table
 * (api_medications.c). */
#include "api_meds.h"

#include <stdio.h>
#include <string.h>

#include "clinical/reconcile.h"
#include "core/clock.h"
#include "core/str.h"
#include "fhir/bundle.h"
#include "fhir/primitive.h"
#include "fhir/resources.h"

#define RECONCILE_BODY_MAX 1024

struct visit {
    int64_t     practice_id;
    sw_arena   *a;
    const char *encounter;
    const char *patient;
};

static int visit_fn(store_tx *tx, void *arg)
{
    struct visit *v = arg;
    fhir_version fv;
    v->patient = NULL;
    int rc = fhir_row_read(tx, v->a, v->practice_id, "Encounter", v->encounter,
                           0, &fv);
    if (rc == SW_ENOTFOUND)
        return SW_OK;
    sw_json *enc;
    if (rc != SW_OK || fv.deleted || fv.body_len == 0)
        return rc;
    if (sw_json_parse(v->a, fv.body, fv.body_len, &enc, NULL) != SW_OK)
        return SW_ENOMEM;
    const char *p = meds_encounter_patient(enc);
    v->patient = *p ? p : NULL;
    return SW_OK;
}

/* The visit's chart: the encounter's patient, with records of types. */
static int load_visit(sw_request *req, sw_response *res,
                      const char *const *types, meds_chart *chart)
{
    sw_app *app = req->app;
    const char *encounter = http_route_value(req, "id");
    struct visit v = { server_principal(req)->practice_id, req->arena,
                       encounter, NULL };
    sw_err err;
    if (encounter == NULL || !fhir_is_id(sw_str_of(encounter)))
        return http_fail(res, SW_ENOTFOUND, "there is no such visit");
    int rc = store_read(app->store, visit_fn, &v, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    if (v.patient == NULL)
        return http_fail(res, SW_ENOTFOUND, "there is no Encounter/%s for a "
                         "patient", encounter);
    return meds_chart_load(req, res, v.patient, encounter, true, types, chart);
}

struct after_ctx {
    sw_request            *req;
    const reconcile_list  *list;
    const char            *patient;
    size_t                 items;
    char                   list_id[80];
};

static int after_fn(store_tx *tx, void *arg, const fhir_bundle_written *w,
                    size_t n)
{
    struct after_ctx *c = arg;
    if (n < 1 || w[0].id == NULL)
        return store_tx_fail(tx, SW_EINTERNAL, "the List was not written");
    snprintf(c->list_id, sizeof c->list_id, "%s", w[0].id);
    char detail[64];
    snprintf(detail, sizeof detail, "items=%zu", c->items);
    return server_workflow_audit(tx, c->req, "reconcile", c->list->feature,
                                 c->patient, "List", w[0].id, detail);
}

int api_reconcile_post(sw_request *req, sw_response *res)
{
    static const char *const members[] = { "list", NULL };
    json_t *doc;
    int rc = server_json_body(req, res, RECONCILE_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    rc = server_json_only_members(doc, members, res);
    const reconcile_list *list =
        reconcile_list_named(json_string_value(json_object_get(doc, "list")));
    if (rc == SW_OK && list == NULL)
        rc = http_fail(res, SW_EINVAL, "\"list\" must be medications, "
                       "problems or allergies");
    meds_chart chart;
    if (rc == SW_OK)
        rc = load_visit(req, res, list->types, &chart);
    json_t *source = rc == SW_OK ? server_user_reference(req, res) : NULL;
    if (rc == SW_OK && source == NULL)
        rc = SW_EINTERNAL;
    if (rc != SW_OK) {
        json_decref(doc);
        return rc;
    }
    char now[SW_TIME_ISO_MAX], subject[160], encounter[160];
    sw_time_iso(sw_now_wall_ms(), now);
    snprintf(subject, sizeof subject, "Patient/%s", chart.patient);
    snprintf(encounter, sizeof encounter, "Encounter/%s", chart.encounter);
    json_t *entries = json_array();
    size_t items = 0;
    for (size_t i = 0; i < chart.n; i++) {
        const patient_record *m = &chart.records[i];
        if (!reconcile_is_current(list, m->type, m->r))
            continue;
        char ref[200];
        snprintf(ref, sizeof ref, "%s/%s", m->type, m->id);
        json_array_append_new(entries, json_pack("{s:{s:s}}", "item",
                                                 "reference", ref));
        items++;
    }
    json_t *resource = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:[{s:s, s:s, s:s}], s:s}, s:{s:s}, "
        "s:{s:s}, s:s, s:o}",
        "resourceType", "List", "status", "current", "mode", "snapshot",
        "title", list->title,
        "code", "coding", "system", RECONCILE_LOINC, "code", list->loinc,
        "display", list->loinc_display, "text", list->title,
        "subject", "reference", subject, "encounter", "reference", encounter,
        "date", now, "source", source);
    if (resource && items > 0)
        json_object_set(resource, "entry", entries);
    json_decref(entries);
    server_bundle bundle;
    server_bundle_begin(&bundle);
    if (resource == NULL)
        bundle.rc = SW_ENOMEM;
    server_bundle_add_json(&bundle, "POST", "List", resource, NULL, 0);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    struct after_ctx c = { req, list, chart.patient, items, "" };
    if (server_bundle_end(&bundle) != SW_OK)
        rc = http_fail(res, SW_ENOMEM, NULL);
    else
        rc = server_fhir_transaction_then(req, res, &bundle.text, &out, after_fn, &c);
    if (rc == SW_OK)
        rc = server_reply_json(res, 201, json_pack("{s:s, s:s, s:I}", "list",
                                                   c.list_id, "reconciled_at",
                                                   now, "items", (json_int_t)items));
    server_bundle_free(&bundle);
    sw_buf_free(&out);
    json_decref(doc);
    return rc;
}

int api_reconciliation_get(sw_request *req, sw_response *res)
{
    static const char *const types[] = { "List", NULL };
    meds_chart chart;
    int rc = load_visit(req, res, types, &chart);
    if (rc != SW_OK)
        return rc;
    char encounter[160];
    snprintf(encounter, sizeof encounter, "Encounter/%s", chart.encounter);
    size_t nlists;
    const reconcile_list *lists = reconcile_lists(&nlists);
    const sw_json *latest[3] = { 0 };
    for (size_t i = 0; i < chart.n; i++) {
        const sw_json *r = chart.records[i].r;
        const sw_json *enc = sw_json_get(r, "encounter");
        const char *ref = enc ? sw_json_get_string(enc, "reference") : NULL;
        const sw_json *codings = sw_json_get(sw_json_get(r, "code"), "coding");
        const char *code = codings && codings->kind == SW_JSON_ARRAY && codings->count
                           ? sw_json_get_string(codings->items[0], "code") : NULL;
        const reconcile_list *l = reconcile_list_by_code(code);
        const char *date = sw_json_get_string(r, "date");
        if (l == NULL || ref == NULL || strcmp(ref, encounter) != 0 || date == NULL)
            continue;
        size_t k = (size_t)(l - lists);
        const char *prev = latest[k] ? sw_json_get_string(latest[k], "date") : NULL;
        if (prev == NULL || strcmp(date, prev) >= 0)
            latest[k] = r;
    }
    json_t *reply = json_object();
    for (size_t k = 0; reply && k < nlists; k++) {
        json_t *v = json_null();
        if (latest[k]) {
            const sw_json *items = sw_json_get(latest[k], "entry");
            v = json_pack("{s:s, s:o, s:I}", "at",
                          sw_json_get_string(latest[k], "date"),
                          "by", server_person_sw(sw_json_get(latest[k], "source")),
                          "items", (json_int_t)(items && items->kind == SW_JSON_ARRAY
                                                ? items->count : 0));
        }
        json_object_set_new(reply, lists[k].name, v);
    }
    return server_reply_json(res, 200, reply);
}
