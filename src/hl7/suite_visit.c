/* suite_visit.c - what the go-live suite records in its scratch EHR for
 * the outbound scenarios: a finished visit (Patient, a Practitioner with
 * the test NPI, Encounter, its ranked diagnosis) and the charges signing
 * creates for it, built with the same clinical builders signing uses
 * (clinical/visit.h) and written as one FHIR transaction whose last step
 * queues the DFT^P03 (hl7_outbox_queue) - the outbox row commits with the
 * charges, as it does when a visit is signed. Ids are chosen here (PUT),
 * so the references between the resources are known before writing. */
#include "hl7/suite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "clinical/codes.h"
#include "clinical/visit.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"
#include "fhir/bundle.h"
#include "fhir/resources.h"
#include "hl7/dft.h"
#include "hl7/outbox.h"

#define DIAGNOSIS "E11.9"

static json_t *ref(const char *type, const char *id)
{
    char r[80];
    snprintf(r, sizeof r, "%s/%s", type, id);
    return json_pack("{s:s}", "reference", r);
}

/* PUT type/id of res (consumed) into the bundle's entries. */
static void put(json_t *entries, const char *type, const char *id, json_t *res)
{
    char url[80];
    snprintf(url, sizeof url, "%s/%s", type, id);
    json_object_set_new(res, "id", json_string(id));
    json_array_append_new(entries, json_pack("{s:o, s:{s:s, s:s}}", "resource",
                                             res, "request", "method", "PUT",
                                             "url", url));
}

typedef struct tx_step {
    int64_t                  practice_id;
    const char              *patient, *encounter;
    const hl7_charge_line   *lines;
    size_t                   nlines;
    int64_t                  now_ms;
    int64_t                  seq;
} tx_step;

static int queue_after(store_tx *tx, void *arg, const fhir_bundle_written *w,
                       size_t n)
{
    (void)w;
    (void)n;
    tx_step *s = arg;
    if (s->nlines == 0)
        return SW_OK;
    return hl7_outbox_queue(tx, s->practice_id, s->patient, s->encounter,
                            s->lines, s->nlines, s->now_ms, &s->seq);
}

/* Runs the entries as one transaction (then step's outbox row). */
static int transact(suite_ehr *e, json_t *entries, tx_step *step, sw_err *err)
{
    json_t *bundle = json_pack("{s:s, s:s, s:o}", "resourceType", "Bundle",
                               "type", "transaction", "entry", entries);
    char *text = bundle ? json_dumps(bundle, JSON_COMPACT) : NULL;
    json_decref(bundle);
    if (text == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    sw_arena *a = sw_arena_create(0);
    fhir_issues *issues = a ? sw_arena_calloc(a, 1, sizeof *issues) : NULL;
    sw_json *doc = NULL;
    int rc = issues ? sw_json_parse(a, text, strlen(text), &doc, NULL) : SW_ENOMEM;
    free(text);
    if (rc == SW_OK && (fhir_validate(a, doc, 0, issues) != SW_OK
                        || issues->errors > 0))
        rc = sw_err_set(err, SW_EINTERNAL, "the test visit is not valid FHIR: %s",
                        issues->count ? issues->items[0].message : "?");
    else if (rc != SW_OK)
        sw_err_set(err, rc, "the test visit could not be prepared");
    if (rc == SW_OK) {
        audit_who who;
        audit_cli_who(&who, e->practice_id);
        fhir_bundle_opts opts = { .practice_id = e->practice_id, .who = &who,
                                  .base = "", .minimal = true,
                                  .after = queue_after, .after_arg = step };
        sw_buf out = SW_BUF_INIT(16 * 1024 * 1024);
        memset(issues, 0, sizeof *issues);
        rc = fhir_bundle_process(e->store, a, doc, &opts, &out, issues);
        if (rc != SW_OK)
            sw_err_set(err, rc, "the test visit could not be stored: %s",
                       issues->count ? issues->items[0].message : "?");
        sw_buf_free(&out);
    }
    sw_arena_destroy(a);
    return rc;
}

int suite_visit_create(suite_ehr *e, suite_visit *v, int64_t now_ms,
                       sw_err *err)
{
    memset(v, 0, sizeof *v);
    fhir_new_id(v->patient);
    fhir_new_id(v->practitioner);
    fhir_new_id(v->encounter);
    fhir_new_id(v->condition);
    sw_time_iso(now_ms, v->when);
    const code_entry *dx = codes_find(CODES_DIAGNOSES, DIAGNOSIS);
    if (dx == NULL)
        return sw_err_set(err, SW_EINTERNAL, "the code table lacks %s", DIAGNOSIS);

    json_t *entries = json_array();
    char mrn[40];
    snprintf(mrn, sizeof mrn, "IT-%.8s", v->patient);
    put(entries, "Patient", v->patient, json_pack(
        "{s:s, s:[{s:s, s:s}], s:[{s:s, s:[s]}], s:s, s:s}",
        "resourceType", "Patient", "identifier", "system", DFT_MRN_SYSTEM,
        "value", mrn, "name", "family", "Testpatient", "given", "Interface",
        "birthDate", "1970-01-01", "gender", "female"));
    put(entries, "Practitioner", v->practitioner, json_pack(
        "{s:s, s:[{s:s, s:s}], s:[{s:s, s:[s]}]}",
        "resourceType", "Practitioner", "identifier", "system", DFT_NPI_SYSTEM,
        "value", SUITE_NPI, "name", "family", "Rivera", "given", "Ana"));
    json_t *clinician = ref("Practitioner", v->practitioner);
    const visit_type *type = visit_type_find("follow-up");
    visit_encounter_in ein = { .patient_id = v->patient, .type = type,
                               .clinician = clinician, .start = v->when };
    json_t *enc = visit_encounter(&ein);
    if (enc) {
        json_object_set_new(enc, "status", json_string("finished"));
        json_object_set_new(json_object_get(enc, "period"), "end",
                            json_string(v->when));
        json_object_set_new(enc, "diagnosis", json_pack("[{s:o, s:i}]",
                            "condition", ref("Condition", v->condition),
                            "rank", 1));
    }
    put(entries, "Encounter", v->encounter, enc);
    put(entries, "Condition", v->condition,
        visit_condition(dx, v->patient, v->encounter, clinician, v->when));
    json_decref(clinician);
    tx_step step = { .practice_id = e->practice_id };
    return transact(e, entries, &step, err);
}

static json_t *charge_item(const suite_visit *v, const char *code,
                           const char *procedure_id, json_t *clinician,
                           const char *now_iso)
{
    const code_entry *px = codes_find(CODES_PROCEDURES, code);
    const code_entry *dx = codes_find(CODES_DIAGNOSES, DIAGNOSIS);
    visit_stored_procedure sp = {
        .code = code, .system = codes_system(CODES_PROCEDURES, code),
        .display = px ? px->display : code, .units = 1, .line = 1,
        .reason_ids = { v->condition }, .nreasons = 1,
    };
    const code_entry *reasons[1] = { dx };
    visit_charge_in ci = {
        .procedure = &sp, .procedure_id = procedure_id,
        .patient_id = v->patient, .encounter_id = v->encounter,
        .occurred = v->when, .entered = now_iso, .performer = clinician,
        .enterer = clinician, .reasons = reasons, .nreasons = 1,
    };
    return visit_charge_item(&ci);
}

int suite_visit_charge(suite_ehr *e, suite_visit *v, const char *const *codes,
                       size_t ncodes, const int *credits, size_t ncredits,
                       int64_t now_ms, int64_t *seq, sw_err *err)
{
    if (v->ncharges + (int)ncodes > SUITE_MAX_CHARGES)
        return sw_err_set(err, SW_EINTERNAL, "too many test charges");
    char now_iso[SW_TIME_ISO_MAX];
    sw_time_iso(now_ms, now_iso);
    json_t *entries = json_array();
    json_t *clinician = ref("Practitioner", v->practitioner);
    hl7_charge_line lines[SUITE_MAX_CHARGES * 2];
    size_t nlines = 0;
    for (size_t i = 0; i < ncodes; i++) {
        const code_entry *px = codes_find(CODES_PROCEDURES, codes[i]);
        if (px == NULL) {
            json_decref(entries);
            json_decref(clinician);
            return sw_err_set(err, SW_EINTERNAL, "the code table lacks %s",
                              codes[i]);
        }
        int k = v->ncharges++;
        fhir_new_id(v->charges[k].id);
        fhir_new_id(v->charges[k].procedure);
        snprintf(v->charges[k].code, sizeof v->charges[k].code, "%s", codes[i]);
        visit_procedure_line line = {
            .code = px, .system = codes_system(CODES_PROCEDURES, codes[i]),
            .units = 1, .pointers = { 1 }, .npointers = 1,
        };
        char reason[80];
        snprintf(reason, sizeof reason, "Condition/%s", v->condition);
        const char *reasons[1] = { reason };
        put(entries, "Procedure", v->charges[k].procedure,
            visit_procedure(&line, k + 1, v->patient, v->encounter, clinician,
                            v->when, reasons, 1));
        put(entries, "ChargeItem", v->charges[k].id,
            charge_item(v, codes[i], v->charges[k].procedure, clinician, now_iso));
        lines[nlines++] = (hl7_charge_line){ .charge_id = v->charges[k].id };
    }
    for (size_t i = 0; i < ncredits; i++) {
        int k = credits[i];
        json_t *c = charge_item(v, v->charges[k].code, v->charges[k].procedure,
                                clinician, now_iso);
        json_object_set_new(c, "status", json_string("entered-in-error"));
        put(entries, "ChargeItem", v->charges[k].id, c);
        lines[nlines++] = (hl7_charge_line){ .charge_id = v->charges[k].id,
                                             .credit = true };
    }
    json_decref(clinician);
    tx_step step = { .practice_id = e->practice_id, .patient = v->patient, .encounter = v->encounter,
                     .lines = lines, .nlines = nlines, .now_ms = now_ms };
    int rc = transact(e, entries, &step, err);
    if (rc == SW_OK && seq)
        *seq = step.seq;
    return rc;
}
