/* test_prescribe.c - e-prescribing, the medication list and reconciliation
 * against the real server, on each store: a penicillin allergy (coded, or
 * as text) alerting on amoxicillin; a high alert refusing the prescription
 * with nothing written until an override reason is given, which lands in
 * the DetectedIssue's mitigation and not in the audit detail; the pharmacy
 * message recorded and listed; interactions and duplicates with current
 * medications; bad input refused naming the member with nothing written;
 * nurses refused prescribing; reported medications added, stopped (with
 * If-Match semantics) and moved to history; reconciliation recorded as a
 * FHIR List and reported per visit; markup stored verbatim. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testserver.h"

#define XSS "<script>alert(1)</script>\\\"&amp;"
#define XSS_STORED "<script>alert(1)</script>\"&amp;"

#define PEN "{\"substance\":{\"system\":\"http://www.nlm.nih.gov/research/umls/rxnorm\"," \
            "\"code\":\"7980\",\"display\":\"Penicillin G\"},\"category\":\"medication\"," \
            "\"criticality\":\"high\"}"

static long call(sw_test_env *e, const char *auth, const char *method,
                 const char *path, const char *body, json_t **out)
{
    const char *headers[] = { auth, "Content-Type: application/json", NULL };
    sw_http_result r;
    if (sw_http(&e->srv, method, path, headers, body, body ? strlen(body) : 0, &r) != 0)
        return -1;
    long status = r.status;
    if (out) {
        *out = json_loads(r.body, 0, NULL);
        if (*out == NULL)
            fail_msg("%s %s answered %ld, not JSON: %s", method, path, status, r.body);
    }
    sw_http_result_free(&r);
    return status;
}

static json_t *get_ok(sw_test_env *e, const char *path)
{
    json_t *doc;
    long status = call(e, e->auth, "GET", path, NULL, &doc);
    if (status != 200)
        fail_msg("GET %s answered %ld", path, status);
    return doc;
}

static void fhir_put(sw_test_env *e, const char *path, const char *body)
{
    const char *headers[] = { e->auth, "Content-Type: application/fhir+json", NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, "PUT", path, headers, body, strlen(body), &r), 0);
    if (r.status != 201 && r.status != 200)
        fail_msg("PUT %s: %ld %s", path, r.status, r.body);
    sw_http_result_free(&r);
}

static void patient(sw_test_env *e, const char *id)
{
    char path[64], body[256];
    snprintf(path, sizeof path, "/fhir/Patient/%s", id);
    snprintf(body, sizeof body, "{\"resourceType\":\"Patient\",\"id\":\"%s\","
             "\"name\":[{\"given\":[\"Ada\"],\"family\":\"Lovelace\"}],"
             "\"birthDate\":\"1960-12-10\"}", id);
    fhir_put(e, path, body);
}

/* How many resources a FHIR search answered. */
static size_t found(sw_test_env *e, const char *path)
{
    json_t *b = get_ok(e, path);
    size_t n = json_array_size(json_object_get(b, "entry"));
    json_decref(b);
    return n;
}

static const char *str(json_t *doc, const char *path)
{
    /* "a.b.0.c": objects by key, arrays by index. */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *v = doc;
    for (char *tok = strtok(buf, "."); v && tok; tok = strtok(NULL, ".")) {
        if (json_is_array(v))
            v = json_array_get(v, (size_t)atoi(tok));
        else
            v = json_object_get(v, tok);
    }
    return json_string_value(v);
}

static char *prescribe(sw_test_env *e, const char *patient_id, const char *drug,
                       const char *extra, long want)
{
    char path[128], body[2048];
    snprintf(path, sizeof path, "/api/patients/%s/prescriptions", patient_id);
    bool own_pharmacy = extra && strstr(extra, "\"pharmacy\"");
    snprintf(body, sizeof body, "{\"drug\":\"%s\",\"dose\":\"500 mg\","
             "\"route\":\"oral\",\"frequency\":\"three times daily\","
             "\"quantity\":30,\"refills\":0,\"days_supply\":10%s%s%s}", drug,
             own_pharmacy ? "" : ",\"pharmacy\":\"Main Street Pharmacy\"",
             extra ? "," : "", extra ? extra : "");
    json_t *doc;
    long status = call(e, e->auth, "POST", path, body, &doc);
    if (status != want)
        fail_msg("prescribing %s answered %ld, not %ld: %s", drug, status, want,
                 json_dumps(doc, 0));
    char *id = str(doc, "prescription") ? strdup(str(doc, "prescription")) : NULL;
    json_decref(doc);
    return id;
}

static json_t *check(sw_test_env *e, const char *patient_id, const char *drug)
{
    char path[128], body[128];
    snprintf(path, sizeof path, "/api/patients/%s/prescriptions/check", patient_id);
    snprintf(body, sizeof body, "{\"drug\":\"%s\"}", drug);
    json_t *doc;
    assert_int_equal(call(e, e->auth, "POST", path, body, &doc), 200);
    json_t *alerts = json_incref(json_object_get(doc, "alerts"));
    json_decref(doc);
    assert_non_null(alerts);
    return alerts;
}

/* Whether alerts has one of kind and severity whose message mentions word. */
static bool has_alert(json_t *alerts, const char *kind, const char *severity,
                      const char *word)
{
    for (size_t i = 0; i < json_array_size(alerts); i++) {
        json_t *a = json_array_get(alerts, i);
        if (strcmp(str(a, "kind"), kind) == 0
            && strcmp(str(a, "severity"), severity) == 0
            && (word == NULL || strstr(str(a, "message"), word)))
            return true;
    }
    return false;
}

static void allergy_alerts_need_a_reason(void **state)
{
    sw_test_env *e = *state;
    patient(e, "a1");
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/a1/allergies", PEN, NULL), 201);

    json_t *alerts = check(e, "a1", "308191");      /* amoxicillin 500 MG */
    assert_true(has_alert(alerts, "allergy", "high", "penicillin"));
    assert_string_equal(str(alerts, "0.with.type"), "AllergyIntolerance");
    json_decref(alerts);
    alerts = check(e, "a1", "309114");              /* cephalexin: cross-sensitivity */
    assert_true(has_alert(alerts, "allergy", "moderate", "cephalosporin"));
    json_decref(alerts);
    alerts = check(e, "a1", "314076");              /* lisinopril: nothing */
    assert_int_equal(json_array_size(alerts), 0);
    json_decref(alerts);

    /* No reason: refused, nothing written. */
    json_t *doc;
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/a1/prescriptions",
                          "{\"drug\":\"308191\",\"dose\":\"500 mg\",\"quantity\":30,"
                          "\"pharmacy\":\"Main Street Pharmacy\",\"override_reason\":\"  \"}",
                          &doc), 409);
    assert_string_equal(str(doc, "error.code"), "alerts");
    assert_true(has_alert(json_object_get(doc, "alerts"), "allergy", "high", NULL));
    json_decref(doc);
    assert_int_equal(found(e, "/fhir/MedicationRequest?patient=a1"), 0);
    assert_int_equal(found(e, "/fhir/DetectedIssue?patient=a1"), 0);
    doc = get_ok(e, "/api/pharmacy/messages?patient=a1");
    assert_int_equal(json_array_size(json_object_get(doc, "messages")), 0);
    json_decref(doc);

    /* With a reason: sent, the reason in the clinical record. */
    char *rx = prescribe(e, "a1", "308191",
                         "\"override_reason\":\"Tolerated before " XSS "\","
                         "\"instructions\":\"Take with food " XSS "\","
                         "\"note\":\"Note " XSS "\","
                         "\"pharmacy\":\"Main Street " XSS "\"", 201);
    assert_non_null(rx);
    char path[160];
    snprintf(path, sizeof path, "/fhir/MedicationRequest/%s", rx);
    json_t *mr = get_ok(e, path);
    assert_string_equal(str(mr, "status"), "active");
    assert_string_equal(str(mr, "intent"), "order");
    assert_string_equal(str(mr, "medicationCodeableConcept.coding.0.code"), "308191");
    assert_string_equal(str(mr, "requester.identifier.value"), SW_TEST_CLINICIAN);
    assert_string_equal(str(mr, "dosageInstruction.0.route.text"), "oral");
    assert_string_equal(str(mr, "dosageInstruction.0.patientInstruction"),
                        "Take with food " XSS_STORED);
    assert_string_equal(str(mr, "note.0.text"), "Note " XSS_STORED);
    json_t *rep = json_object_get(json_object_get(json_object_get(
        json_array_get(json_object_get(mr, "dosageInstruction"), 0), "timing"), "repeat"), "frequency");
    assert_int_equal(json_integer_value(rep), 3);
    json_t *dr = json_object_get(mr, "dispenseRequest");
    assert_int_equal(json_integer_value(json_object_get(dr, "numberOfRepeatsAllowed")), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(dr, "quantity"), "value")), 30);
    assert_string_equal(str(dr, "expectedSupplyDuration.code"), "d");
    assert_string_equal(str(dr, "performer.display"), "Main Street " XSS_STORED);
    assert_int_equal(json_array_size(json_object_get(mr, "detectedIssue")), 1);
    json_decref(mr);

    json_t *di = get_ok(e, "/fhir/DetectedIssue?patient=a1");
    json_t *issue = json_object_get(json_array_get(json_object_get(di, "entry"), 0), "resource");
    assert_string_equal(str(issue, "status"), "final");
    assert_string_equal(str(issue, "severity"), "high");
    assert_string_equal(str(issue, "code.coding.0.code"), "ALGY");
    assert_string_equal(str(issue, "mitigation.0.action.text"),
                        "overridden: Tolerated before " XSS_STORED);
    char implicated[160];
    snprintf(implicated, sizeof implicated, "MedicationRequest/%s", rx);
    assert_string_equal(str(issue, "implicated.0.reference"), implicated);
    json_decref(di);

    doc = get_ok(e, "/api/pharmacy/messages?patient=a1");
    json_t *m = json_array_get(json_object_get(doc, "messages"), 0);
    assert_non_null(m);
    assert_string_equal(str(m, "prescription"), rx);
    assert_string_equal(str(m, "status"), "sent");
    assert_string_equal(str(m, "kind"), "NewRx");
    assert_string_equal(str(m, "pharmacy"), "Main Street " XSS_STORED);
    assert_string_equal(str(m, "body.pharmacy"), "Main Street " XSS_STORED);
    assert_string_equal(str(m, "body.drug.rxnorm"), "308191");
    assert_string_equal(str(m, "body.patient.name"), "Ada Lovelace");
    assert_string_equal(str(m, "body.patient.birthDate"), "1960-12-10");
    assert_string_equal(str(m, "body.instructions"), "Take with food " XSS_STORED);
    json_decref(doc);

    /* Audited as a send, with counts and never the reason. */
    sw_http_result r;
    const char *headers[] = { e->auth, NULL };
    assert_int_equal(sw_http(&e->srv, "GET", "/api/audit?patient=a1", headers,
                             NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"eprescribing.send\""));
    assert_non_null(strstr(r.body, "alerts=1 overridden=1"));
    assert_non_null(strstr(r.body, "\"eprescribing.create\""));
    assert_null(strstr(r.body, "Tolerated before"));
    sw_http_result_free(&r);
    free(rx);

    /* A penicillin allergy recorded as text alerts too. */
    patient(e, "a2");
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/a2/allergies",
                          "{\"substance\":{\"text\":\"penicillin\"}}", NULL), 201);
    alerts = check(e, "a2", "308191");
    assert_true(has_alert(alerts, "allergy", "high", NULL));
    json_decref(alerts);
}

static void interactions_and_the_medication_list(void **state)
{
    sw_test_env *e = *state;
    patient(e, "b1");
    char *warfarin = prescribe(e, "b1", "855332", NULL, 201);
    json_t *alerts = check(e, "b1", "310965");       /* ibuprofen */
    assert_true(has_alert(alerts, "interaction", "high", "warfarin"));
    assert_string_equal(str(alerts, "0.with.id"), warfarin);
    json_decref(alerts);
    alerts = check(e, "b1", "855312");               /* warfarin again */
    assert_true(has_alert(alerts, "duplicate", "moderate", NULL));
    json_decref(alerts);
    /* Ibuprofen with warfarin needs a reason; with one it goes. */
    assert_null(prescribe(e, "b1", "310965", NULL, 409));
    char *ibu = prescribe(e, "b1", "310965", "\"override_reason\":\"Short course\"", 201);

    json_t *doc;
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/b1/medications",
                          "{\"text\":\"sertraline 50 mg " XSS "\",\"dose\":\"50 mg daily\","
                          "\"note\":\"From another clinic\"}", &doc), 201);
    char *sertraline = strdup(str(doc, "medication"));
    json_decref(doc);
    alerts = check(e, "b1", "835603");               /* tramadol */
    assert_true(has_alert(alerts, "interaction", "high", "serotonin"));
    json_decref(alerts);

    doc = get_ok(e, "/api/patients/b1/medications");
    json_t *current = json_object_get(doc, "medications");
    assert_int_equal(json_array_size(current), 3);
    assert_int_equal(json_array_size(json_object_get(doc, "history")), 0);
    bool saw_request = false, saw_statement = false;
    for (size_t i = 0; i < json_array_size(current); i++) {
        json_t *m = json_array_get(current, i);
        if (strcmp(str(m, "id"), warfarin) == 0) {
            saw_request = true;
            assert_string_equal(str(m, "type"), "MedicationRequest");
            assert_string_equal(str(m, "rxnorm"), "855332");
            assert_string_equal(str(m, "dose"), "500 mg");
            assert_string_equal(str(m, "frequency"), "three times daily");
            assert_string_equal(str(m, "prescriber.username"), SW_TEST_CLINICIAN);
        }
        if (strcmp(str(m, "id"), sertraline) == 0) {
            saw_statement = true;
            assert_string_equal(str(m, "type"), "MedicationStatement");
            assert_string_equal(str(m, "name"), "sertraline 50 mg " XSS_STORED);
            assert_true(json_is_null(json_object_get(m, "prescriber")));
        }
    }
    assert_true(saw_request && saw_statement);
    json_decref(doc);

    /* Stopping: a stale version is refused, then it moves to history. */
    char path[256];
    snprintf(path, sizeof path, "/api/patients/b1/medications/MedicationStatement/%s/stop",
             sertraline);
    assert_int_equal(call(e, e->auth, "POST", path,
                          "{\"reason\":\"Side effects\",\"version\":7}", &doc), 409);
    assert_string_equal(str(doc, "error.code"), "version_conflict");
    json_decref(doc);
    assert_int_equal(call(e, e->auth, "POST", path,
                          "{\"reason\":\"Side effects\",\"version\":1}", &doc), 200);
    assert_string_equal(str(doc, "status"), "stopped");
    json_decref(doc);
    assert_int_equal(call(e, e->auth, "POST", path, "{\"reason\":\"Again\"}", NULL), 409);
    assert_int_equal(call(e, e->auth, "POST", path, "{}", NULL), 400);
    snprintf(path, sizeof path, "/api/patients/b1/medications/MedicationRequest/%s/stop", ibu);
    assert_int_equal(call(e, e->auth, "POST", path, "{\"reason\":\"Pain resolved\"}", NULL), 200);
    assert_int_equal(call(e, e->auth, "POST",
                          "/api/patients/b1/medications/MedicationRequest/nope/stop",
                          "{\"reason\":\"x\"}", NULL), 404);
    assert_int_equal(call(e, e->auth, "POST",
                          "/api/patients/b1/medications/Observation/x/stop",
                          "{\"reason\":\"x\"}", NULL), 404);
    doc = get_ok(e, "/api/patients/b1/medications");
    assert_int_equal(json_array_size(json_object_get(doc, "medications")), 1);
    json_t *history = json_object_get(doc, "history");
    assert_int_equal(json_array_size(history), 2);
    assert_string_equal(str(history, "0.status"), "stopped");
    json_decref(doc);
    /* Stopped medications no longer interact. */
    alerts = check(e, "b1", "835603");
    assert_false(has_alert(alerts, "interaction", "high", "serotonin"));
    json_decref(alerts);

    sw_http_result r;
    const char *headers[] = { e->auth, NULL };
    assert_int_equal(sw_http(&e->srv, "GET", "/api/audit?patient=b1", headers,
                             NULL, 0, &r), 0);
    assert_non_null(strstr(r.body, "\"medications.create\""));
    assert_non_null(strstr(r.body, "\"medications.update\""));
    assert_non_null(strstr(r.body, "\"eprescribing.update\""));
    sw_http_result_free(&r);
    free(warfarin);
    free(ibu);
    free(sertraline);
}

static void bad_input_and_roles_write_nothing(void **state)
{
    sw_test_env *e = *state;
    patient(e, "c1");
    static const struct { const char *body, *names; } cases[] = {
        { "{\"drug\":\"999999\",\"dose\":\"1 mg\",\"quantity\":1,\"pharmacy\":\"P\"}", "drug" },
        { "{\"dose\":\"1 mg\",\"quantity\":1,\"pharmacy\":\"P\"}", "drug" },
        { "{\"drug\":\"314076\",\"quantity\":30,\"pharmacy\":\"P\"}", "dose" },
        { "{\"drug\":\"314076\",\"dose\":\"plenty\",\"quantity\":30,\"pharmacy\":\"P\"}", "dose" },
        { "{\"drug\":\"314076\",\"dose\":\"1e3 mg\",\"quantity\":30,\"pharmacy\":\"P\"}", "dose" },
        { "{\"drug\":\"314076\",\"dose\":\"10\",\"quantity\":30,\"pharmacy\":\"P\"}", "dose" },
        { "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"quantity\":0,\"pharmacy\":\"P\"}", "quantity" },
        { "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"quantity\":-3,\"pharmacy\":\"P\"}", "quantity" },
        { "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"pharmacy\":\"P\"}", "quantity" },
        { "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"quantity\":30,\"refills\":-1,\"pharmacy\":\"P\"}", "refills" },
        { "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"quantity\":30}", "pharmacy" },
        { "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"quantity\":30,\"pharmacy\":\"P\",\"days_supply\":0}", "days_supply" },
        { "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"quantity\":30,\"pharmacy\":\"P\",\"colour\":1}", "colour" },
        { "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"quantity\":30,\"pharmacy\":\"P\",\"encounter\":\"nope\"}", "encounter" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc;
        long status = call(e, e->auth, "POST", "/api/patients/c1/prescriptions",
                           cases[i].body, &doc);
        const char *msg = str(doc, "error.message");
        if (status != 400 || msg == NULL || strstr(msg, cases[i].names) == NULL)
            fail_msg("%s answered %ld: %s", cases[i].body, status, msg ? msg : "");
        json_decref(doc);
    }
    assert_int_equal(found(e, "/fhir/MedicationRequest?patient=c1"), 0);
    json_t *doc = get_ok(e, "/api/pharmacy/messages?patient=c1");
    assert_int_equal(json_array_size(json_object_get(doc, "messages")), 0);
    json_decref(doc);
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/nobody/prescriptions",
                          "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"quantity\":30,"
                          "\"pharmacy\":\"P\"}", NULL), 404);
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/c1/medications",
                          "{\"drug\":\"314076\",\"text\":\"lisinopril\"}", NULL), 400);

    /* A nurse reads and checks but neither prescribes nor edits the list. */
    char nurse[512];
    assert_int_equal(sw_test_add_user(e->db, "nurse.a", "nurse"), 0);
    assert_int_equal(sw_test_sign_in_as(&e->srv, "nurse.a", nurse, sizeof nurse), 0);
    assert_int_equal(call(e, nurse, "POST", "/api/patients/c1/prescriptions",
                          "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"quantity\":30,"
                          "\"pharmacy\":\"P\"}", NULL), 403);
    assert_int_equal(call(e, nurse, "POST", "/api/patients/c1/prescriptions/check",
                          "{\"drug\":\"314076\"}", NULL), 200);
    assert_int_equal(call(e, nurse, "POST", "/api/patients/c1/medications",
                          "{\"text\":\"vitamin D\"}", NULL), 403);
    assert_int_equal(call(e, nurse, "GET", "/api/patients/c1/medications", NULL, NULL), 200);
    assert_int_equal(found(e, "/fhir/MedicationRequest?patient=c1"), 0);
    assert_int_equal(found(e, "/fhir/MedicationStatement?patient=c1"), 0);

    /* A restricted record needs break-the-glass, for reading and checking too. */
    assert_int_equal(call(e, e->auth, "PUT", "/api/patients/c1/restriction",
                          "{\"reason\":\"staff member\"}", NULL), 200);
    json_t *err;
    assert_int_equal(call(e, e->auth, "GET", "/api/patients/c1/medications", NULL, &err), 403);
    assert_string_equal(str(err, "error.code"), "break_the_glass_required");
    json_decref(err);
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/c1/prescriptions/check",
                          "{\"drug\":\"314076\"}", NULL), 403);
    assert_int_equal(call(e, e->auth, "GET", "/api/audit?patient=c1&outcome=denied",
                          NULL, &err), 200);
    char *denied = json_dumps(err, 0);
    assert_non_null(strstr(denied, "\"medications.read\""));
    free(denied);
    json_decref(err);

    /* The drug table. */
    doc = get_ok(e, "/api/drugs?q=amoxicillin%20500");
    json_t *drugs = json_object_get(doc, "drugs");
    assert_true(json_array_size(drugs) >= 2);
    assert_string_equal(str(drugs, "0.ingredients.0.rxnorm"), "723");
    assert_string_equal(str(drugs, "0.classes.0"), "penicillin");
    json_decref(doc);
}

static void reconciliation_is_recorded_per_visit(void **state)
{
    sw_test_env *e = *state;
    patient(e, "d1");
    fhir_put(e, "/fhir/Encounter/e1", "{\"resourceType\":\"Encounter\",\"id\":\"e1\","
             "\"status\":\"in-progress\",\"class\":{\"system\":"
             "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"AMB\"},"
             "\"subject\":{\"reference\":\"Patient/d1\"}}");
    char *rx = prescribe(e, "d1", "314076", "\"encounter\":\"e1\"", 201);
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/d1/medications",
                          "{\"drug\":\"243670\"}", NULL), 201);
    json_t *doc = get_ok(e, "/api/visits/e1/reconciliation");
    assert_true(json_is_null(json_object_get(doc, "medications")));
    json_decref(doc);

    assert_int_equal(call(e, e->auth, "POST", "/api/visits/e1/reconcile",
                          "{\"list\":\"medications\"}", &doc), 201);
    assert_int_equal(json_integer_value(json_object_get(doc, "items")), 2);
    char *list = strdup(str(doc, "list"));
    json_decref(doc);
    assert_int_equal(call(e, e->auth, "POST", "/api/visits/e1/reconcile",
                          "{\"list\":\"allergies\"}", &doc), 201);
    assert_int_equal(json_integer_value(json_object_get(doc, "items")), 0);
    json_decref(doc);

    doc = get_ok(e, "/api/visits/e1/reconciliation");
    assert_non_null(str(doc, "medications.at"));
    assert_string_equal(str(doc, "medications.by.username"), SW_TEST_CLINICIAN);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "medications"), "items")), 2);
    assert_non_null(str(doc, "allergies.at"));
    assert_true(json_is_null(json_object_get(doc, "problems")));
    json_decref(doc);

    char path[128];
    snprintf(path, sizeof path, "/fhir/List/%s", list);
    doc = get_ok(e, path);
    assert_string_equal(str(doc, "status"), "current");
    assert_string_equal(str(doc, "mode"), "snapshot");
    assert_string_equal(str(doc, "title"), "Medication list reconciled");
    assert_string_equal(str(doc, "code.coding.0.code"), "10160-0");
    assert_string_equal(str(doc, "encounter.reference"), "Encounter/e1");
    assert_string_equal(str(doc, "source.identifier.value"), SW_TEST_CLINICIAN);
    assert_int_equal(json_array_size(json_object_get(doc, "entry")), 2);
    json_decref(doc);

    sw_http_result r;
    const char *headers[] = { e->auth, NULL };
    assert_int_equal(sw_http(&e->srv, "GET", "/api/audit?patient=d1", headers,
                             NULL, 0, &r), 0);
    assert_non_null(strstr(r.body, "\"medications.reconcile\""));
    assert_non_null(strstr(r.body, "\"allergies.reconcile\""));
    sw_http_result_free(&r);

    assert_int_equal(call(e, e->auth, "POST", "/api/visits/e1/reconcile",
                          "{\"list\":\"vitals\"}", NULL), 400);
    assert_int_equal(call(e, e->auth, "POST", "/api/visits/nope/reconcile",
                          "{\"list\":\"medications\"}", NULL), 404);
    assert_int_equal(call(e, e->auth, "GET", "/api/visits/nope/reconciliation",
                          NULL, NULL), 404);
    free(list);
    free(rx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(allergy_alerts_need_a_reason,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(interactions_and_the_medication_list,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(bad_input_and_roles_write_nothing,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(reconciliation_is_recorded_per_visit,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
