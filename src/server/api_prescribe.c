/* api_prescribe.c - e-prescribing (docs/workflows.md, "Prescribing"):
 *
 *   GET  /api/drugs?q=TEXT                         the drug table
 *   POST /api/patients/{id}/prescriptions/check    {"drug"} -> alerts
 *   POST /api/patients/{id}/prescriptions          sign and send
 *   GET  /api/pharmacy/messages?patient=ID         what was sent
 *
 * Sending re-runs the safety checks (src/clinical/rx_check.h) on the
 * record as it is now, whatever the client was shown; a high alert without
 * an override reason is a 409 "alerts" and nothing is written. Otherwise
 * one FHIR transaction writes the MedicationRequest and one DetectedIssue
 * per alert (the override reason in its mitigation: the clinical record),
 * and, inside the same store transaction, the pharmacy message
 * (src/clinical/pharmacy.h) and the workflow's audit entry
 * "eprescribing.send" (counts only, never the reason). */
#include "api_meds.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical/drugs.h"
#include "clinical/pharmacy.h"
#include "clinical/rx_check.h"
#include "core/clock.h"
#include "fhir/bundle.h"
#include "fhir/resources.h"

#define RX_BODY_MAX 16384
#define RX_QUANTITY_MAX 10000
#define RX_REFILLS_MAX 11
#define RX_DAYS_MAX 365
#define PHARMACY_LIST_MAX 200

static const char *const check_types[] = {
    "AllergyIntolerance", "MedicationRequest", "MedicationStatement", NULL,
};

static json_t *alerts_json(const rx_alert *alerts, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}}",
            "kind", alerts[i].kind, "severity", alerts[i].severity,
            "message", alerts[i].message, "with", "type", alerts[i].with_type,
            "id", alerts[i].with_id, "name", alerts[i].with_name));
    return arr;
}

/* Runs the checks for drug against the patient's chart. */
static size_t check(const meds_chart *chart, const drug_product *drug,
                    rx_alert *alerts, sw_arena *a)
{
    rx_record *recs = sw_arena_calloc(a, chart->n ? chart->n : 1, sizeof *recs);
    if (recs == NULL)
        return 0;
    for (size_t i = 0; i < chart->n; i++) {
        recs[i].type = chart->records[i].type;
        recs[i].id = chart->records[i].id;
        recs[i].resource = chart->records[i].r;
    }
    return rx_check(drug_kb_current(), drug, recs, chart->n, alerts,
                    RX_ALERTS_MAX);
}

/* ---- GET /api/drugs ------------------------------------------------------- */

static int get_drugs(sw_request *req, sw_response *res)
{
    const drug_kb *kb = drug_kb_current();
    const drug_product *found[DRUG_SEARCH_MAX];
    size_t n = drug_search(kb, http_query_get(req, "q"), found, DRUG_SEARCH_MAX);
    json_t *drugs = json_array();
    for (size_t i = 0; drugs && i < n; i++) {
        const drug_product *p = found[i];
        json_t *ings = json_array(), *classes = json_array();
        for (size_t k = 0; p->ingredients[k]; k++) {
            const drug_ingredient *ing = drug_ingredient_named(kb, p->ingredients[k]);
            json_array_append_new(ings, json_pack("{s:o, s:s}", "rxnorm",
                ing && ing->rxnorm ? json_string(ing->rxnorm) : json_null(),
                "name", p->ingredients[k]));
            for (size_t c = 0; ing && ing->classes[c]; c++) {
                bool seen = false;
                for (size_t j = 0; j < json_array_size(classes); j++)
                    seen = seen || strcmp(json_string_value(json_array_get(classes, j)),
                                          ing->classes[c]) == 0;
                if (!seen)
                    json_array_append_new(classes, json_string(ing->classes[c]));
            }
        }
        json_array_append_new(drugs, json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:s}",
            "rxnorm", p->rxnorm, "name", p->name, "ingredients", ings,
            "classes", classes, "dose", p->dose, "route", p->route,
            "frequency", p->frequency));
    }
    return server_reply_json(res, 200, json_pack("{s:o}", "drugs", drugs));
}

/* ---- POST .../prescriptions/check ---------------------------------------- */

static const drug_product *read_drug(json_t *doc, sw_response *res, int *rc)
{
    json_t *v = json_object_get(doc, "drug");
    const drug_product *p = json_is_string(v)
        ? drug_product_find(drug_kb_current(), json_string_value(v)) : NULL;
    if (p == NULL)
        *rc = http_fail(res, SW_EINVAL, "\"drug\" must be the RxNorm code of "
                        "a product of the drug table (see /api/drugs)");
    return p;
}

static int post_check(sw_request *req, sw_response *res)
{
    static const char *const members[] = { "drug", NULL };
    const char *patient = http_route_value(req, "id");
    json_t *doc;
    int rc = server_json_body(req, res, RX_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    rc = server_json_only_members(doc, members, res);
    const drug_product *drug = rc == SW_OK ? read_drug(doc, res, &rc) : NULL;
    meds_chart chart;
    if (rc == SW_OK)
        rc = meds_chart_load(req, res, patient, NULL, false, check_types, &chart);
    if (rc == SW_OK) {
        rx_alert alerts[RX_ALERTS_MAX];
        size_t n = check(&chart, drug, alerts, req->arena);
        rc = server_reply_json(res, 200, json_pack("{s:o}", "alerts",
                                                   alerts_json(alerts, n)));
    }
    json_decref(doc);
    return rc;
}

/* ---- POST .../prescriptions ------------------------------------------------ */

typedef struct rx_input {
    const drug_product *drug;
    const char *dose, *route, *frequency, *pharmacy, *instructions, *note;
    const char *encounter, *override;
    json_int_t  quantity, refills, days_supply;
    double      dose_value;
    char        dose_unit[40];
} rx_input;

static int text_member(json_t *doc, const char *name, size_t max,
                       bool multiline, bool required, const char **out,
                       sw_response *res)
{
    json_t *v = json_object_get(doc, name);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return http_fail(res, SW_EINVAL, "\"%s\" is required", name);
        return SW_OK;
    }
    if (!json_is_string(v) || !meds_plain_text(json_string_value(v), max, multiline))
        return http_fail(res, SW_EINVAL, "\"%s\" must be text of 1 to %zu "
                         "characters%s", name, max, multiline ? "" : " on one line");
    *out = json_string_value(v);
    return SW_OK;
}

static int int_member(json_t *doc, const char *name, json_int_t min,
                      json_int_t max, bool required, json_int_t *out,
                      sw_response *res)
{
    json_t *v = json_object_get(doc, name);
    if (v == NULL) {
        if (required)
            return http_fail(res, SW_EINVAL, "\"%s\" is required", name);
        return SW_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min
        || json_integer_value(v) > max)
        return http_fail(res, SW_EINVAL, "\"%s\" must be a whole number from "
                         "%lld to %lld", name, (long long)min, (long long)max);
    *out = json_integer_value(v);
    return SW_OK;
}

/* "500 mg", "2.5 mg", "500mg", "1 tablet": an amount and a unit. */
static bool parse_dose(const char *s, double *value, char *unit, size_t cap)
{
    /* Plain decimals only: no exponents, hex or signs. */
    const char *p = s;
    while (isdigit((unsigned char)*p))
        p++;
    if (p == s)
        return false;
    if (*p == '.') {
        const char *frac = ++p;
        while (isdigit((unsigned char)*p))
            p++;
        if (p == frac)
            return false;
    }
    char *end;
    *value = strtod(s, &end);
    if (end != p || *value <= 0 || *value > 100000)
        return false;
    while (*end == ' ')
        end++;
    size_t n = strlen(end);
    if (n == 0 || n >= cap || !isalpha((unsigned char)*end))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)end[i]) && end[i] != '/' && end[i] != ' '
            && end[i] != '.')
            return false;
    memcpy(unit, end, n + 1);
    return true;
}

static int read_prescription(json_t *doc, rx_input *in, sw_response *res)
{
    static const char *const members[] = {
        "drug", "dose", "route", "frequency", "quantity", "refills",
        "days_supply", "pharmacy", "instructions", "note", "encounter",
        "override_reason", NULL,
    };
    int rc = server_json_only_members(doc, members, res);
    if (rc == SW_OK)
        in->drug = read_drug(doc, res, &rc);
    if (rc == SW_OK)
        rc = text_member(doc, "dose", 100, false, true, &in->dose, res);
    if (rc == SW_OK && !parse_dose(in->dose, &in->dose_value, in->dose_unit,
                                   sizeof in->dose_unit))
        rc = http_fail(res, SW_EINVAL, "\"dose\" must be an amount and a "
                       "unit, like \"500 mg\" or \"1 tablet\"");
    if (rc == SW_OK)
        rc = text_member(doc, "route", 50, false, false, &in->route, res);
    if (rc == SW_OK)
        rc = text_member(doc, "frequency", 100, false, false, &in->frequency, res);
    in->refills = 0;
    if (rc == SW_OK)
        rc = int_member(doc, "quantity", 1, RX_QUANTITY_MAX, true, &in->quantity, res);
    if (rc == SW_OK)
        rc = int_member(doc, "refills", 0, RX_REFILLS_MAX, false, &in->refills, res);
    if (rc == SW_OK)
        rc = int_member(doc, "days_supply", 1, RX_DAYS_MAX, false, &in->days_supply, res);
    if (rc == SW_OK)
        rc = text_member(doc, "pharmacy", 200, false, true, &in->pharmacy, res);
    if (rc == SW_OK)
        rc = text_member(doc, "instructions", 1000, true, false, &in->instructions, res);
    if (rc == SW_OK)
        rc = text_member(doc, "note", 2000, true, false, &in->note, res);
    json_t *enc = json_object_get(doc, "encounter");
    if (rc == SW_OK && enc && !json_is_null(enc) && !json_is_string(enc))
        rc = http_fail(res, SW_EINVAL, "\"encounter\" must be an encounter id");
    in->encounter = json_string_value(enc);
    json_t *why = json_object_get(doc, "override_reason");
    if (rc == SW_OK && why && !json_is_null(why) && !json_is_string(why))
        rc = http_fail(res, SW_EINVAL, "\"override_reason\" must be text");
    in->override = json_string_value(why);
    /* A blank reason is no reason. */
    bool blank = true;
    for (const char *p = in->override; p && *p && blank; p++)
        blank = isspace((unsigned char)*p);
    if (blank)
        in->override = NULL;
    if (rc == SW_OK && in->override && !meds_plain_text(in->override, 500, true))
        rc = http_fail(res, SW_EINVAL, "\"override_reason\" must be 1 to 500 "
                       "characters");
    if (rc == SW_OK && in->route == NULL)
        in->route = in->drug->route;
    if (rc == SW_OK && in->frequency == NULL)
        in->frequency = in->drug->frequency;
    return rc;
}

static json_t *dosage_json(const rx_input *in, const char *sig)
{
    meds_timing t;
    meds_timing_of(in->frequency, &t);
    json_t *timing = json_pack("{s:{s:s}}", "code", "text", in->frequency);
    if (t.known) {
        json_t *repeat = json_pack("{s:i, s:i, s:s}", "frequency", t.frequency,
                                   "period", t.period, "periodUnit", t.period_unit);
        if (t.when)
            json_object_set_new(repeat, "when", json_pack("[s]", t.when));
        json_object_set_new(timing, "repeat", repeat);
    }
    /* Whole amounts as integers, so "500 mg" reads back as written. */
    json_t *value = in->dose_value == (double)(json_int_t)in->dose_value
                    ? json_integer((json_int_t)in->dose_value)
                    : json_real(in->dose_value);
    json_t *d = json_pack("{s:s, s:o, s:{s:s}, s:[{s:{s:o, s:s}}]}",
                          "text", sig, "timing", timing, "route", "text",
                          in->route, "doseAndRate", "doseQuantity", "value",
                          value, "unit", in->dose_unit);
    if (d && in->instructions)
        json_object_set_new(d, "patientInstruction", json_string(in->instructions));
    if (d && t.as_needed)
        json_object_set_new(d, "asNeededBoolean", json_true());
    return d;
}

/* The MedicationRequest and its DetectedIssues as a transaction Bundle. */
/* The prescription's entries: the MedicationRequest first (the
 * after-callback finds it there), then a DetectedIssue per alert. */
static void prescription_entries(server_bundle *b, const rx_input *in,
                                 const char *patient, const char *now,
                                 json_t *requester, const rx_alert *alerts,
                                 size_t n, const char *sig)
{
    char mr_uuid[37], subject[160];
    fhir_new_id(mr_uuid);
    char mr_url[64];
    snprintf(mr_url, sizeof mr_url, "urn:uuid:%s", mr_uuid);
    snprintf(subject, sizeof subject, "Patient/%s", patient);
    char (*urls)[64] = n ? calloc(n, sizeof *urls) : NULL;
    if (n && urls == NULL) {
        b->rc = SW_ENOMEM;
        return;
    }
    json_t *issues = json_array();
    for (size_t i = 0; i < n; i++) {
        char uuid[37];
        fhir_new_id(uuid);
        snprintf(urls[i], sizeof urls[i], "urn:uuid:%s", uuid);
        json_array_append_new(issues, json_pack("{s:s}", "reference", urls[i]));
    }
    json_t *concept = json_pack("{s:[{s:s, s:s, s:s}], s:s}", "coding",
                                "system", DRUG_RXNORM_SYSTEM, "code",
                                in->drug->rxnorm, "display", in->drug->name,
                                "text", in->drug->name);
    json_t *dispense = json_pack("{s:i, s:{s:I}, s:{s:s}}",
                                 "numberOfRepeatsAllowed", (int)in->refills,
                                 "quantity", "value", in->quantity,
                                 "performer", "display", in->pharmacy);
    if (dispense && in->days_supply > 0)
        json_object_set_new(dispense, "expectedSupplyDuration",
            json_pack("{s:I, s:s, s:s, s:s}", "value", in->days_supply,
                      "unit", "days", "system", "http://unitsofmeasure.org",
                      "code", "d"));
    json_t *mr = json_pack("{s:s, s:s, s:s, s:o, s:{s:s}, s:s, s:O, s:[o], s:o}",
        "resourceType", "MedicationRequest", "status", "active",
        "intent", "order", "medicationCodeableConcept", concept,
        "subject", "reference", subject, "authoredOn", now,
        "requester", requester, "dosageInstruction", dosage_json(in, sig),
        "dispenseRequest", dispense);
    if (mr && in->encounter) {
        char enc[160];
        snprintf(enc, sizeof enc, "Encounter/%s", in->encounter);
        json_object_set_new(mr, "encounter", json_pack("{s:s}", "reference", enc));
    }
    if (mr && in->note)
        json_object_set_new(mr, "note", json_pack("[{s:s}]", "text", in->note));
    if (mr && n > 0)
        json_object_set(mr, "detectedIssue", issues);
    json_decref(issues);
    if (mr == NULL)
        b->rc = SW_ENOMEM;
    server_bundle_add_json(b, "POST", "MedicationRequest", mr, mr_url, 0);
    for (size_t i = 0; i < n; i++) {
        char with[200];
        snprintf(with, sizeof with, "%s/%s", alerts[i].with_type, alerts[i].with_id);
        json_t *di = json_pack("{s:s, s:s, s:{s:[{s:s, s:s, s:s}], s:s}, s:s, "
                               "s:{s:s}, s:s, s:O, s:[{s:s}, {s:s}], s:s}",
            "resourceType", "DetectedIssue", "status", "final",
            "code", "coding", "system", RX_CODE_SYSTEM, "code", alerts[i].code,
            "display", alerts[i].code_display, "text", alerts[i].kind,
            "severity", alerts[i].severity, "patient", "reference", subject,
            "identifiedDateTime", now, "author", requester,
            "implicated", "reference", mr_url, "reference", with,
            "detail", alerts[i].message);
        if (di && in->override) {
            char action[600];
            snprintf(action, sizeof action, "overridden: %s", in->override);
            json_object_set_new(di, "mitigation", json_pack("[{s:{s:s}, s:s, s:O}]",
                "action", "text", action, "date", now, "author", requester));
        }
        if (di == NULL)
            b->rc = SW_ENOMEM;
        server_bundle_add_json(b, "POST", "DetectedIssue", di, urls[i], 0);
    }
    free(urls);
}

struct send_ctx {
    sw_request     *req;
    const char     *patient;
    pharmacy_newrx  rx;
    size_t          alerts, overridden;
    int64_t         message_id;
    char            prescription[80];
};

static int send_fn(store_tx *tx, void *arg, const fhir_bundle_written *w,
                   size_t n)
{
    struct send_ctx *c = arg;
    if (n < 1 || w[0].id == NULL || strcmp(w[0].type, "MedicationRequest") != 0)
        return store_tx_fail(tx, SW_EINTERNAL, "the MedicationRequest was not written");
    snprintf(c->prescription, sizeof c->prescription, "%s", w[0].id);
    c->rx.prescription_id = c->prescription;
    char *body = pharmacy_newrx_body(&c->rx);
    if (body == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    pharmacy_message m = {
        .practice_id = server_principal(c->req)->practice_id,
        .prescription_id = c->prescription, .patient_id = c->patient,
        .pharmacy = c->rx.pharmacy, .kind = PHARMACY_KIND_NEWRX,
        .body = body, .at_ms = sw_now_wall_ms(),
    };
    const char *status;
    /* Nothing leaves the training environment (env.c). */
    const pharmacy_gateway *gw = ((sw_app *)c->req->app)->training
        ? &pharmacy_training_gateway : pharmacy_gateway_current();
    int rc = pharmacy_submit(tx, gw, &m, &status);
    free(body);
    if (rc != SW_OK)
        return rc;
    c->message_id = m.message_id;
    char detail[64];
    snprintf(detail, sizeof detail, "alerts=%zu overridden=%zu", c->alerts,
             c->overridden);
    return server_workflow_audit(tx, c->req, "send", "eprescribing.send",
                                 c->patient, "MedicationRequest", w[0].id,
                                 detail);
}

static int post_prescription(sw_request *req, sw_response *res)
{
    const char *patient = http_route_value(req, "id");
    json_t *doc;
    int rc = server_json_body(req, res, RX_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    rx_input in;
    memset(&in, 0, sizeof in);
    rc = read_prescription(doc, &in, res);
    meds_chart chart;
    if (rc == SW_OK)
        rc = meds_chart_load(req, res, patient, in.encounter, false,
                             check_types, &chart);
    rx_alert alerts[RX_ALERTS_MAX];
    size_t n = rc == SW_OK ? check(&chart, in.drug, alerts, req->arena) : 0;
    if (rc == SW_OK && rx_any_high(alerts, n) && in.override == NULL)
        rc = server_fail_with(res, SW_ECONFLICT, "alerts", "this prescription "
                              "has a high-severity alert: give an "
                              "\"override_reason\" to send it anyway",
                              json_pack("{s:o}", "alerts", alerts_json(alerts, n)));
    json_t *requester = rc == SW_OK ? server_user_reference(req, res) : NULL;
    if (rc == SW_OK && requester == NULL)
        rc = SW_EINTERNAL;
    if (rc != SW_OK) {
        json_decref(doc);
        return rc;
    }
    char now[SW_TIME_ISO_MAX], sig[600];
    sw_time_iso(sw_now_wall_ms(), now);
    snprintf(sig, sizeof sig, "%s %s %s", in.dose, in.route, in.frequency);
    server_bundle bundle;
    server_bundle_begin(&bundle);
    prescription_entries(&bundle, &in, patient, now, requester, alerts, n, sig);
    /* The prescriber as the pharmacy message names them: the account's
     * username and display, as in the requester Reference. */
    const char *username = server_reference_username(requester);
    const char *display = json_string_value(json_object_get(requester, "display"));
    if (username == NULL)
        username = "";
    if (display == NULL)
        display = username;
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    struct send_ctx c = {
        .req = req, .patient = patient, .alerts = n,
        .overridden = in.override ? n : 0,
        .rx = {
            .written = now, .prescriber_name = display,
            .prescriber_username = username, .patient_id = patient,
            .patient_name = meds_patient_name(req->arena, chart.patient_res),
            .patient_birth_date = sw_json_get_string(chart.patient_res, "birthDate"),
            .drug_name = in.drug->name, .drug_rxnorm = in.drug->rxnorm,
            .sig = sig, .instructions = in.instructions,
            .quantity = in.quantity, .refills = in.refills,
            .days_supply = in.days_supply, .pharmacy = in.pharmacy,
            .note = in.note,
        },
    };
    if (server_bundle_end(&bundle) != SW_OK)
        rc = http_fail(res, SW_ENOMEM, NULL);
    if (rc == SW_OK)
        rc = server_fhir_transaction_then(req, res, &bundle.text, &out, send_fn, &c);
    if (rc == SW_OK)
        rc = server_reply_json(res, 201, json_pack("{s:s, s:o, s:I}",
            "prescription", c.prescription, "alerts", alerts_json(alerts, n),
            "message", (json_int_t)c.message_id));
    json_decref(requester);
    server_bundle_free(&bundle);
    sw_buf_free(&out);
    json_decref(doc);
    return rc;
}

/* ---- GET /api/pharmacy/messages ------------------------------------------ */

struct list_ctx {
    sw_arena     *a;
    int64_t       practice_id;
    const char   *patient;
    pharmacy_row *rows;
    size_t        n;
};

static int list_fn(store_tx *tx, void *arg)
{
    struct list_ctx *l = arg;
    return pharmacy_messages(tx, l->a, l->practice_id, l->patient,
                             PHARMACY_LIST_MAX, &l->rows, &l->n);
}

static int get_messages(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const char *patient = http_query_get(req, "patient");
    if (patient == NULL || *patient == '\0')
        return http_fail(res, SW_EINVAL, "give \"patient\": the messages of "
                         "which patient");
    meds_chart chart;
    int rc = meds_chart_load(req, res, patient, NULL, false, NULL, &chart);
    if (rc != SW_OK)
        return rc;
    struct list_ctx l = { req->arena, server_principal(req)->practice_id,
                          patient, NULL, 0 };
    sw_err err;
    if ((rc = store_read(app->store, list_fn, &l, &err)) != SW_OK)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < l.n; i++) {
        char at[SW_TIME_ISO_MAX];
        sw_time_iso(l.rows[i].created_ms, at);
        json_t *body = json_loads(l.rows[i].body, 0, NULL);
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o}",
            "id", (json_int_t)l.rows[i].message_id,
            "prescription", l.rows[i].prescription_id,
            "pharmacy", l.rows[i].pharmacy, "kind", l.rows[i].kind,
            "status", l.rows[i].status, "sent_at", at,
            "body", body ? body : json_string(l.rows[i].body)));
    }
    return server_reply_json(res, 200, json_pack("{s:o}", "messages", arr));
}

static const http_route routes[] = {
    { "GET", "/api/drugs", get_drugs, 0, "medications:read" },
    { "POST", "/api/patients/{id}/prescriptions/check", post_check,
      HTTP_ROUTE_BODY, "medications:read" },
    { "POST", "/api/patients/{id}/prescriptions", post_prescription,
      HTTP_ROUTE_BODY, "medications:prescribe" },
    { "GET", "/api/pharmacy/messages", get_messages, 0, "medications:read" },
};

const http_route_table prescribing_routes = {
    .name = "prescribing",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
