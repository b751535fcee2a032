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

#include "testapi.h"

#define XSS "<script>alert(1)</script>\\\"&amp;"
#define XSS_STORED "<script>alert(1)</script>\"&amp;"

#define PEN "{\"substance\":{\"system\":\"http://www.nlm.nih.gov/research/umls/rxnorm\"," \
            "\"code\":\"7980\",\"display\":\"Penicillin G\"},\"category\":\"medication\"," \
            "\"criticality\":\"high\"}"

/* How many resources a FHIR search answered. */
static size_t found(sw_test_env *e, const char *path)
{
    json_t *b = sw_test_get_json(e, e->auth, path);
    size_t n = json_array_size(json_object_get(b, "entry"));
    json_decref(b);
    return n;
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
    long status = sw_test_call(e, e->auth, "POST", path, body, &doc);
    if (status != want)
        fail_msg("prescribing %s answered %ld, not %ld: %s", drug, status, want,
                 json_dumps(doc, 0));
    char *id = sw_test_str(doc, "prescription") ? strdup(sw_test_str(doc, "prescription")) : NULL;
    json_decref(doc);
    return id;
}

static json_t *check(sw_test_env *e, const char *patient_id, const char *drug)
{
    char path[128], body[128];
    snprintf(path, sizeof path, "/api/patients/%s/prescriptions/check", patient_id);
    snprintf(body, sizeof body, "{\"drug\":\"%s\"}", drug);
    json_t *doc;
    assert_int_equal(sw_test_call(e, e->auth, "POST", path, body, &doc), 200);
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
        if (strcmp(sw_test_str(a, "kind"), kind) == 0
            && strcmp(sw_test_str(a, "severity"), severity) == 0
            && (word == NULL || strstr(sw_test_str(a, "message"), word)))
            return true;
    }
    return false;
}

static void allergy_alerts_need_a_reason(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "a1", "Ada", "Lovelace", "1960-12-10");
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/a1/allergies", PEN, NULL),
                     201);

    json_t *alerts = check(e, "a1", "308191");      /* amoxicillin 500 MG */
    assert_true(has_alert(alerts, "allergy", "high", "penicillin"));
    assert_string_equal(sw_test_str(alerts, "0.with.type"), "AllergyIntolerance");
    json_decref(alerts);
    alerts = check(e, "a1", "309114");              /* cephalexin: cross-sensitivity */
    assert_true(has_alert(alerts, "allergy", "moderate", "cephalosporin"));
    json_decref(alerts);
    alerts = check(e, "a1", "314076");              /* lisinopril: nothing */
    assert_int_equal(json_array_size(alerts), 0);
    json_decref(alerts);

    /* No reason: refused, nothing written. */
    json_t *doc;
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/a1/prescriptions",
                                  "{\"drug\":\"308191\",\"dose\":\"500 mg\",\"quantity\":30,"
                                  "\"pharmacy\":\"Main Street Pharmacy\","
                                  "\"override_reason\":\"  \"}",
                                  &doc), 409);
    assert_string_equal(sw_test_str(doc, "error.code"), "alerts");
    assert_true(has_alert(json_object_get(doc, "alerts"), "allergy", "high", NULL));
    json_decref(doc);
    assert_int_equal(found(e, "/fhir/MedicationRequest?patient=a1"), 0);
    assert_int_equal(found(e, "/fhir/DetectedIssue?patient=a1"), 0);
    doc = sw_test_get_json(e, e->auth, "/api/pharmacy/messages?patient=a1");
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
    json_t *mr = sw_test_get_json(e, e->auth, path);
    assert_string_equal(sw_test_str(mr, "status"), "active");
    assert_string_equal(sw_test_str(mr, "intent"), "order");
    assert_string_equal(sw_test_str(mr, "medicationCodeableConcept.coding.0.code"), "308191");
    assert_string_equal(sw_test_str(mr, "requester.identifier.value"), SW_TEST_CLINICIAN);
    assert_string_equal(sw_test_str(mr, "dosageInstruction.0.route.text"), "oral");
    assert_string_equal(sw_test_str(mr, "dosageInstruction.0.patientInstruction"),
                        "Take with food " XSS_STORED);
    assert_string_equal(sw_test_str(mr, "note.0.text"), "Note " XSS_STORED);
    json_t *rep = json_object_get(json_object_get(json_object_get(
        json_array_get(json_object_get(mr, "dosageInstruction"), 0), "timing"), "repeat"), "frequency");
    assert_int_equal(json_integer_value(rep), 3);
    json_t *dr = json_object_get(mr, "dispenseRequest");
    assert_int_equal(json_integer_value(json_object_get(dr, "numberOfRepeatsAllowed")), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(dr, "quantity"), "value")), 30);
    assert_string_equal(sw_test_str(dr, "expectedSupplyDuration.code"), "d");
    assert_string_equal(sw_test_str(dr, "performer.display"), "Main Street " XSS_STORED);
    assert_int_equal(json_array_size(json_object_get(mr, "detectedIssue")), 1);
    json_decref(mr);

    json_t *di = sw_test_get_json(e, e->auth, "/fhir/DetectedIssue?patient=a1");
    json_t *issue = json_object_get(json_array_get(json_object_get(di, "entry"), 0), "resource");
    assert_string_equal(sw_test_str(issue, "status"), "final");
    assert_string_equal(sw_test_str(issue, "severity"), "high");
    assert_string_equal(sw_test_str(issue, "code.coding.0.code"), "ALGY");
    assert_string_equal(sw_test_str(issue, "mitigation.0.action.text"),
                        "overridden: Tolerated before " XSS_STORED);
    char implicated[160];
    snprintf(implicated, sizeof implicated, "MedicationRequest/%s", rx);
    assert_string_equal(sw_test_str(issue, "implicated.0.reference"), implicated);
    json_decref(di);

    doc = sw_test_get_json(e, e->auth, "/api/pharmacy/messages?patient=a1");
    json_t *m = json_array_get(json_object_get(doc, "messages"), 0);
    assert_non_null(m);
    assert_string_equal(sw_test_str(m, "prescription"), rx);
    assert_string_equal(sw_test_str(m, "status"), "sent");
    assert_string_equal(sw_test_str(m, "kind"), "NewRx");
    assert_string_equal(sw_test_str(m, "pharmacy"), "Main Street " XSS_STORED);
    assert_string_equal(sw_test_str(m, "body.pharmacy"), "Main Street " XSS_STORED);
    assert_string_equal(sw_test_str(m, "body.drug.rxnorm"), "308191");
    assert_string_equal(sw_test_str(m, "body.patient.name"), "Ada Lovelace");
    assert_string_equal(sw_test_str(m, "body.patient.birthDate"), "1960-12-10");
    assert_string_equal(sw_test_str(m, "body.instructions"), "Take with food " XSS_STORED);
    json_decref(doc);

    /* Audited as a send, with counts and never the reason. */
    char *audit = sw_test_get_text(e, e->auth, "/api/audit?patient=a1");
    assert_non_null(strstr(audit, "\"eprescribing.send\""));
    assert_non_null(strstr(audit, "alerts=1 overridden=1"));
    assert_non_null(strstr(audit, "\"eprescribing.create\""));
    assert_null(strstr(audit, "Tolerated before"));
    free(audit);
    free(rx);

    /* A penicillin allergy recorded as text alerts too. */
    sw_test_patient(e, "a2", "Ada", "Lovelace", "1960-12-10");
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/a2/allergies",
                                  "{\"substance\":{\"text\":\"penicillin\"}}", NULL), 201);
    alerts = check(e, "a2", "308191");
    assert_true(has_alert(alerts, "allergy", "high", NULL));
    json_decref(alerts);
}

static void interactions_and_the_medication_list(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "b1", "Ada", "Lovelace", "1960-12-10");
    char *warfarin = prescribe(e, "b1", "855332", NULL, 201);
    json_t *alerts = check(e, "b1", "310965");       /* ibuprofen */
    assert_true(has_alert(alerts, "interaction", "high", "warfarin"));
    assert_string_equal(sw_test_str(alerts, "0.with.id"), warfarin);
    json_decref(alerts);
    alerts = check(e, "b1", "855312");               /* warfarin again */
    assert_true(has_alert(alerts, "duplicate", "moderate", NULL));
    json_decref(alerts);
    /* Ibuprofen with warfarin needs a reason; with one it goes. */
    assert_null(prescribe(e, "b1", "310965", NULL, 409));
    char *ibu = prescribe(e, "b1", "310965", "\"override_reason\":\"Short course\"", 201);

    json_t *doc;
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/b1/medications",
                                  "{\"text\":\"sertraline 50 mg " XSS "\",\"dose\":\"50 mg daily\","
                                  "\"note\":\"From another clinic\"}", &doc), 201);
    char *sertraline = strdup(sw_test_str(doc, "medication"));
    json_decref(doc);
    alerts = check(e, "b1", "835603");               /* tramadol */
    assert_true(has_alert(alerts, "interaction", "high", "serotonin"));
    json_decref(alerts);

    doc = sw_test_get_json(e, e->auth, "/api/patients/b1/medications");
    json_t *current = json_object_get(doc, "medications");
    assert_int_equal(json_array_size(current), 3);
    assert_int_equal(json_array_size(json_object_get(doc, "history")), 0);
    bool saw_request = false, saw_statement = false;
    for (size_t i = 0; i < json_array_size(current); i++) {
        json_t *m = json_array_get(current, i);
        if (strcmp(sw_test_str(m, "id"), warfarin) == 0) {
            saw_request = true;
            assert_string_equal(sw_test_str(m, "type"), "MedicationRequest");
            assert_string_equal(sw_test_str(m, "rxnorm"), "855332");
            assert_string_equal(sw_test_str(m, "dose"), "500 mg");
            assert_string_equal(sw_test_str(m, "frequency"), "three times daily");
            assert_string_equal(sw_test_str(m, "prescriber.username"), SW_TEST_CLINICIAN);
        }
        if (strcmp(sw_test_str(m, "id"), sertraline) == 0) {
            saw_statement = true;
            assert_string_equal(sw_test_str(m, "type"), "MedicationStatement");
            assert_string_equal(sw_test_str(m, "name"), "sertraline 50 mg " XSS_STORED);
            assert_true(json_is_null(json_object_get(m, "prescriber")));
        }
    }
    assert_true(saw_request && saw_statement);
    json_decref(doc);

    /* Stopping: a stale version is refused, then it moves to history. */
    char path[256];
    snprintf(path, sizeof path, "/api/patients/b1/medications/MedicationStatement/%s/stop",
             sertraline);
    assert_int_equal(sw_test_call(e, e->auth, "POST", path,
                                  "{\"reason\":\"Side effects\",\"version\":7}", &doc), 409);
    assert_string_equal(sw_test_str(doc, "error.code"), "version_conflict");
    json_decref(doc);
    assert_int_equal(sw_test_call(e, e->auth, "POST", path,
                                  "{\"reason\":\"Side effects\",\"version\":1}", &doc), 200);
    assert_string_equal(sw_test_str(doc, "status"), "stopped");
    json_decref(doc);
    assert_int_equal(sw_test_call(e, e->auth, "POST", path, "{\"reason\":\"Again\"}", NULL), 409);
    assert_int_equal(sw_test_call(e, e->auth, "POST", path, "{}", NULL), 400);
    snprintf(path, sizeof path, "/api/patients/b1/medications/MedicationRequest/%s/stop", ibu);
    assert_int_equal(sw_test_call(e, e->auth, "POST", path, "{\"reason\":\"Pain resolved\"}",
                                  NULL), 200);
    assert_int_equal(sw_test_call(e, e->auth, "POST",
                                  "/api/patients/b1/medications/MedicationRequest/nope/stop",
                                  "{\"reason\":\"x\"}", NULL), 404);
    assert_int_equal(sw_test_call(e, e->auth, "POST",
                                  "/api/patients/b1/medications/Observation/x/stop",
                                  "{\"reason\":\"x\"}", NULL), 404);
    doc = sw_test_get_json(e, e->auth, "/api/patients/b1/medications");
    assert_int_equal(json_array_size(json_object_get(doc, "medications")), 1);
    json_t *history = json_object_get(doc, "history");
    assert_int_equal(json_array_size(history), 2);
    assert_string_equal(sw_test_str(history, "0.status"), "stopped");
    json_decref(doc);
    /* Stopped medications no longer interact. */
    alerts = check(e, "b1", "835603");
    assert_false(has_alert(alerts, "interaction", "high", "serotonin"));
    json_decref(alerts);

    char *audit = sw_test_get_text(e, e->auth, "/api/audit?patient=b1");
    assert_non_null(strstr(audit, "\"medications.create\""));
    assert_non_null(strstr(audit, "\"medications.update\""));
    assert_non_null(strstr(audit, "\"eprescribing.update\""));
    free(audit);
    free(warfarin);
    free(ibu);
    free(sertraline);
}

static void bad_input_and_roles_write_nothing(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "c1", "Ada", "Lovelace", "1960-12-10");
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
        long status = sw_test_call(e, e->auth, "POST", "/api/patients/c1/prescriptions",
                                   cases[i].body, &doc);
        const char *msg = sw_test_str(doc, "error.message");
        if (status != 400 || msg == NULL || strstr(msg, cases[i].names) == NULL)
            fail_msg("%s answered %ld: %s", cases[i].body, status, msg ? msg : "");
        json_decref(doc);
    }
    assert_int_equal(found(e, "/fhir/MedicationRequest?patient=c1"), 0);
    json_t *doc = sw_test_get_json(e, e->auth, "/api/pharmacy/messages?patient=c1");
    assert_int_equal(json_array_size(json_object_get(doc, "messages")), 0);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/nobody/prescriptions",
                                  "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"quantity\":30,"
                                  "\"pharmacy\":\"P\"}", NULL), 404);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/c1/medications",
                                  "{\"drug\":\"314076\",\"text\":\"lisinopril\"}", NULL), 400);

    /* A nurse reads and checks but neither prescribes nor edits the list. */
    char nurse[512];
    sw_test_sign_in_new_user(e, "nurse.a", "nurse", nurse, sizeof nurse);
    assert_int_equal(sw_test_call(e, nurse, "POST", "/api/patients/c1/prescriptions",
                                  "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"quantity\":30,"
                                  "\"pharmacy\":\"P\"}", NULL), 403);
    assert_int_equal(sw_test_call(e, nurse, "POST", "/api/patients/c1/prescriptions/check",
                                  "{\"drug\":\"314076\"}", NULL), 200);
    assert_int_equal(sw_test_call(e, nurse, "POST", "/api/patients/c1/medications",
                                  "{\"text\":\"vitamin D\"}", NULL), 403);
    assert_int_equal(sw_test_call(e, nurse, "GET", "/api/patients/c1/medications", NULL, NULL),
                     200);
    assert_int_equal(found(e, "/fhir/MedicationRequest?patient=c1"), 0);
    assert_int_equal(found(e, "/fhir/MedicationStatement?patient=c1"), 0);

    /* A restricted record needs break-the-glass, for reading and checking too. */
    sw_test_restrict(e, "c1");
    json_t *err;
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/patients/c1/medications", NULL, &err),
                     403);
    assert_string_equal(sw_test_str(err, "error.code"), "break_the_glass_required");
    json_decref(err);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/c1/prescriptions/check",
                                  "{\"drug\":\"314076\"}", NULL), 403);
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/audit?patient=c1&outcome=denied",
                                  NULL, &err), 200);
    char *denied = json_dumps(err, 0);
    assert_non_null(strstr(denied, "\"medications.read\""));
    free(denied);
    json_decref(err);

    /* The drug table. */
    doc = sw_test_get_json(e, e->auth, "/api/drugs?q=amoxicillin%20500");
    json_t *drugs = json_object_get(doc, "drugs");
    assert_true(json_array_size(drugs) >= 2);
    assert_string_equal(sw_test_str(drugs, "0.ingredients.0.rxnorm"), "723");
    assert_string_equal(sw_test_str(drugs, "0.classes.0"), "penicillin");
    json_decref(doc);
}

static void reconciliation_is_recorded_per_visit(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "d1", "Ada", "Lovelace", "1960-12-10");
    sw_test_encounter(e, "e1", "d1");
    char *rx = prescribe(e, "d1", "314076", "\"encounter\":\"e1\"", 201);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/d1/medications",
                                  "{\"drug\":\"243670\"}", NULL), 201);
    json_t *doc = sw_test_get_json(e, e->auth, "/api/visits/e1/reconciliation");
    assert_true(json_is_null(json_object_get(doc, "medications")));
    json_decref(doc);

    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/visits/e1/reconcile",
                                  "{\"list\":\"medications\"}", &doc), 201);
    assert_int_equal(json_integer_value(json_object_get(doc, "items")), 2);
    char *list = strdup(sw_test_str(doc, "list"));
    json_decref(doc);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/visits/e1/reconcile",
                                  "{\"list\":\"allergies\"}", &doc), 201);
    assert_int_equal(json_integer_value(json_object_get(doc, "items")), 0);
    json_decref(doc);

    doc = sw_test_get_json(e, e->auth, "/api/visits/e1/reconciliation");
    assert_non_null(sw_test_str(doc, "medications.at"));
    assert_string_equal(sw_test_str(doc, "medications.by.username"), SW_TEST_CLINICIAN);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "medications"), "items")), 2);
    assert_non_null(sw_test_str(doc, "allergies.at"));
    assert_true(json_is_null(json_object_get(doc, "problems")));
    json_decref(doc);

    char path[128];
    snprintf(path, sizeof path, "/fhir/List/%s", list);
    doc = sw_test_get_json(e, e->auth, path);
    assert_string_equal(sw_test_str(doc, "status"), "current");
    assert_string_equal(sw_test_str(doc, "mode"), "snapshot");
    assert_string_equal(sw_test_str(doc, "title"), "Medication list reconciled");
    assert_string_equal(sw_test_str(doc, "code.coding.0.code"), "10160-0");
    assert_string_equal(sw_test_str(doc, "encounter.reference"), "Encounter/e1");
    assert_string_equal(sw_test_str(doc, "source.identifier.value"), SW_TEST_CLINICIAN);
    assert_int_equal(json_array_size(json_object_get(doc, "entry")), 2);
    json_decref(doc);

    char *audit = sw_test_get_text(e, e->auth, "/api/audit?patient=d1");
    assert_non_null(strstr(audit, "\"medications.reconcile\""));
    assert_non_null(strstr(audit, "\"allergies.reconcile\""));
    free(audit);

    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/visits/e1/reconcile",
                                  "{\"list\":\"vitals\"}", NULL), 400);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/visits/nope/reconcile",
                                  "{\"list\":\"medications\"}", NULL), 404);
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/visits/nope/reconciliation",
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
