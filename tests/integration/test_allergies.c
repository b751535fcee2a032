/* test_allergies.c - the allergy list's /api against the real server, on
 * each store. Recording: "no known allergies" recorded once (a repeat
 * changes nothing), a real allergy retiring it in the same transaction,
 * the same substance refused twice (by code or by text), "no known
 * allergies" refused while an allergy is active, bad input refused naming
 * the member with nothing written, unknown patients and roles without
 * clinical write refused; every write audited as allergies.*. The list:
 * active first, the rest as history with status and reason. Taking an
 * entry off the list: each status and its FHIR form, the reason as a note
 * stored verbatim (and kept out of the audit trail), stale versions and
 * entries not active refused, bad input naming the member with nothing
 * written, other patients' entries not found, front desk and restricted
 * records refused, and prescribing checks no longer alerting on it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testapi.h"

#define PEN "{\"substance\":{\"system\":\"http://www.nlm.nih.gov/research/umls/rxnorm\"," \
            "\"code\":\"7980\",\"display\":\"Penicillin G\"},\"category\":\"medication\"," \
            "\"criticality\":\"high\",\"reaction\":\"Hives\",\"severity\":\"moderate\"}"

static void the_list_stays_consistent(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/allergies";
    sw_test_patient(e, "a1", NULL, NULL, NULL);
    sw_http_result r;
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"no_known_allergies\":true}", NULL), 201);
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"no_known_allergies\":true}", &r), 200);
    assert_non_null(strstr(r.body, "\"unchanged\":true"));
    sw_http_result_free(&r);

    assert_int_equal(sw_test_post(e, e->auth, path, PEN, &r), 201);
    assert_null(strstr(r.body, "\"retired\":[]"));
    sw_http_result_free(&r);
    char *list = sw_test_get_text(e, e->auth,
                                  "/fhir/AllergyIntolerance?patient=a1&clinical-status=active");
    assert_int_equal(sw_test_count(list, "\"resourceType\":\"AllergyIntolerance\""), 1);
    assert_non_null(strstr(list, "Penicillin G"));
    assert_non_null(strstr(list, "\"criticality\":\"high\""));
    free(list);
    list = sw_test_get_text(e, e->auth,
                            "/fhir/AllergyIntolerance?patient=a1&clinical-status=inactive");
    assert_non_null(strstr(list, "716186003"));
    free(list);

    assert_int_equal(sw_test_post(e, e->auth, path, "{\"substance\":{\"text\":\"penicillin g\"}}",
                                  &r), 409);
    assert_non_null(strstr(r.body, "already on the list"));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"no_known_allergies\":true}", &r), 409);
    assert_non_null(strstr(r.body, "Penicillin G"));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"substance\":{\"text\":\"Peanuts\"},"
                                  "\"category\":\"food\"}", NULL), 201);
    list = sw_test_get_text(e, e->auth,
                            "/fhir/AllergyIntolerance?patient=a1&clinical-status=active");
    assert_int_equal(sw_test_count(list, "\"resourceType\":\"AllergyIntolerance\""), 2);
    free(list);

    sw_test_expect_audited(e, "patient=a1&type=AllergyIntolerance",
                           "allergies.create", "allergies.update", NULL);
}

static void bad_input_writes_nothing(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/allergies";
    sw_test_patient(e, "a1", NULL, NULL, NULL);
    static const sw_test_bad_body cases[] = {
        { "{}", "substance" },
        { "{\"substance\":\"peanuts\"}", "substance" },
        { "{\"substance\":{\"text\":\"\"}}", "substance" },
        { "{\"substance\":{\"text\":\"Latex\",\"colour\":\"red\"}}", "colour" },
        { "{\"substance\":{\"code\":\"7980\",\"display\":\"Penicillin\"}}", "system and code" },
        { "{\"substance\":{\"text\":\"Latex\"},\"criticality\":\"extreme\"}", "criticality" },
        { "{\"substance\":{\"text\":\"Latex\"},\"category\":\"plants\"}", "category" },
        { "{\"substance\":{\"text\":\"Latex\"},\"severity\":\"mild\"}", "reaction" },
        { "{\"no_known_allergies\":false}", "no_known_allergies" },
        { "{\"no_known_allergies\":true,\"substance\":{\"text\":\"Latex\"}}", "alone" },
        { "{\"substance\":{\"text\":\"Latex\"},\"reaction\":7}", "reaction" },
    };
    sw_test_expect_400s(e, e->auth, path, cases, sizeof cases / sizeof cases[0]);
    char *list = sw_test_get_text(e, e->auth, "/fhir/AllergyIntolerance?patient=a1");
    assert_int_equal(sw_test_count(list, "\"resourceType\":\"AllergyIntolerance\""), 0);
    free(list);
    assert_int_equal(sw_test_post(e, e->auth, "/api/patients/nobody/allergies",
                                  "{\"no_known_allergies\":true}", NULL), 404);
    char desk[512];
    sw_test_sign_in_new_user(e, "desk.a", "front_desk", desk, sizeof desk);
    assert_int_equal(sw_test_post(e, desk, path, "{\"no_known_allergies\":true}", NULL), 403);
}

#define XSS_REASON "Wrong chart <script>alert(1)</script> & <img src=x onerror=alert(2)>"

/* POSTs body to the patient's allergies as the env's user; the new id. */
static char *record(sw_test_env *e, const char *patient, const char *body)
{
    char path[160];
    snprintf(path, sizeof path, "/api/patients/%s/allergies", patient);
    json_t *doc;
    assert_int_equal(sw_test_call(e, e->auth, "POST", path, body, &doc), 201);
    const char *id = sw_test_str(doc, "allergy");
    assert_non_null(id);
    char *out = strdup(id);
    json_decref(doc);
    return out;
}

/* POSTs a status change; the answer's status code (doc left in *out when
 * out is given). */
static long change(sw_test_env *e, const char *auth, const char *patient,
                   const char *id, const char *body, json_t **out)
{
    char path[200];
    snprintf(path, sizeof path, "/api/patients/%s/allergies/%s/status", patient, id);
    json_t *doc = NULL;
    long status = sw_test_call(e, auth, "POST", path, body, &doc);
    if (out)
        *out = doc;
    else
        json_decref(doc);
    return status;
}

static json_t *stored(sw_test_env *e, const char *id)
{
    char path[160];
    snprintf(path, sizeof path, "/fhir/AllergyIntolerance/%s", id);
    return sw_test_get_json(e, e->auth, path);
}

/* The item of list (an array) with this id, or NULL. */
static json_t *item(json_t *list, const char *id)
{
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(sw_test_str(json_array_get(list, i), "id"), id) == 0)
            return json_array_get(list, i);
    return NULL;
}

static void listed_and_taken_off_the_list(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/allergies";
    sw_test_patient(e, "a1", NULL, NULL, NULL);
    char *nka = record(e, "a1", "{\"no_known_allergies\":true}");
    char *pen = record(e, "a1", PEN);
    char *peanuts = record(e, "a1", "{\"substance\":{\"text\":\"Peanuts\"},"
                           "\"category\":\"food\"}");
    char *latex = record(e, "a1", "{\"substance\":{\"text\":\"Latex\"}}");
    char *dust = record(e, "a1", "{\"substance\":{\"text\":\"House dust\"},"
                        "\"category\":\"environment\"}");
    char *sulfa = record(e, "a1", "{\"substance\":{\"text\":\"Sulfa drugs\"},"
                         "\"criticality\":\"low\"}");

    /* The list: five active, the retired "no known allergies" as history. */
    json_t *doc = sw_test_get_json(e, e->auth, path);
    assert_string_equal(sw_test_str(doc, "patient"), "a1");
    json_t *active = json_object_get(doc, "allergies");
    json_t *history = json_object_get(doc, "history");
    assert_int_equal(json_array_size(active), 5);
    assert_int_equal(json_array_size(history), 1);
    json_t *p = item(active, pen);
    assert_non_null(p);
    assert_int_equal(json_integer_value(json_object_get(p, "version")), 1);
    assert_string_equal(sw_test_str(p, "substance.system"),
                        "http://www.nlm.nih.gov/research/umls/rxnorm");
    assert_string_equal(sw_test_str(p, "substance.code"), "7980");
    assert_string_equal(sw_test_str(p, "substance.display"), "Penicillin G");
    assert_string_equal(sw_test_str(p, "category"), "medication");
    assert_string_equal(sw_test_str(p, "criticality"), "high");
    assert_string_equal(sw_test_str(p, "reaction"), "Hives");
    assert_string_equal(sw_test_str(p, "severity"), "moderate");
    assert_string_equal(sw_test_str(p, "status"), "active");
    assert_string_equal(sw_test_str(p, "verification"), "confirmed");
    assert_non_null(sw_test_str(p, "recorded"));
    assert_string_equal(sw_test_str(p, "recorder.username"), SW_TEST_CLINICIAN);
    assert_true(json_is_false(json_object_get(p, "no_known_allergies")));
    assert_null(json_object_get(p, "reason"));
    assert_string_equal(sw_test_str(item(active, peanuts), "substance.text"), "Peanuts");
    assert_true(json_is_null(json_object_get(item(active, peanuts), "criticality")));
    json_t *n = item(history, nka);
    assert_non_null(n);
    assert_string_equal(sw_test_str(n, "status"), "inactive");
    assert_true(json_is_true(json_object_get(n, "no_known_allergies")));
    assert_null(json_object_get(n, "reason"));
    json_decref(doc);

    /* Each status, and its FHIR form. */
    static const struct {
        const char *status, *clinical, *verification;
    } forms[] = {
        { "entered-in-error", NULL, "entered-in-error" },
        { "refuted", "inactive", "refuted" },
        { "resolved", "resolved", "confirmed" },
        { "inactive", "inactive", "confirmed" },
    };
    const char *ids[] = { pen, peanuts, latex, dust };
    for (size_t i = 0; i < 4; i++) {
        char body[300];
        snprintf(body, sizeof body, "{\"status\":\"%s\",\"reason\":\"%s\","
                 "\"version\":1}", forms[i].status,
                 i == 0 ? "Wrong chart <script>alert(1)</script> & "
                          "<img src=x onerror=alert(2)>" : "Checked with the patient");
        assert_int_equal(change(e, e->auth, "a1", ids[i], body, &doc), 200);
        assert_string_equal(sw_test_str(doc, "allergy"), ids[i]);
        assert_string_equal(sw_test_str(doc, "status"), forms[i].status);
        assert_int_equal(json_integer_value(json_object_get(doc, "version")), 2);
        json_decref(doc);
        doc = stored(e, ids[i]);
        if (forms[i].clinical)
            assert_string_equal(sw_test_str(doc, "clinicalStatus.coding.0.code"),
                                forms[i].clinical);
        else
            assert_null(json_object_get(doc, "clinicalStatus"));
        assert_string_equal(sw_test_str(doc, "verificationStatus.coding.0.system"),
                            "http://terminology.hl7.org/CodeSystem/"
                            "allergyintolerance-verification");
        assert_string_equal(sw_test_str(doc, "verificationStatus.coding.0.code"),
                            forms[i].verification);
        assert_string_equal(sw_test_str(doc, "note.0.text"),
                            i == 0 ? XSS_REASON : "Checked with the patient");
        assert_string_equal(sw_test_str(doc, "note.0.authorReference.identifier.value"),
                            SW_TEST_CLINICIAN);
        assert_non_null(sw_test_str(doc, "note.0.time"));
        assert_string_equal(sw_test_str(doc, "meta.versionId"), "2");
        json_decref(doc);
    }

    /* Active first, the rest as history with status, verification and
     * reason (the markup as the text it is). */
    char *text = sw_test_get_text(e, e->auth, path);
    const char *hist = strstr(text, "\"history\"");
    assert_non_null(hist);
    assert_true(strstr(text, sulfa) < hist);
    assert_non_null(strstr(hist, pen));
    free(text);
    doc = sw_test_get_json(e, e->auth, path);
    active = json_object_get(doc, "allergies");
    history = json_object_get(doc, "history");
    assert_int_equal(json_array_size(active), 1);
    assert_string_equal(sw_test_str(active, "0.id"), sulfa);
    assert_int_equal(json_array_size(history), 5);
    for (size_t i = 0; i < 4; i++) {
        json_t *h = item(history, ids[i]);
        assert_non_null(h);
        assert_string_equal(sw_test_str(h, "status"), forms[i].status);
        assert_string_equal(sw_test_str(h, "verification"), forms[i].verification);
        assert_int_equal(json_integer_value(json_object_get(h, "version")), 2);
        assert_string_equal(sw_test_str(h, "reason"),
                            i == 0 ? XSS_REASON : "Checked with the patient");
    }
    json_decref(doc);

    /* The last real allergy off the list: no "no known allergies" appears
     * by itself, and it may be recorded again (once asked). */
    assert_int_equal(change(e, e->auth, "a1", sulfa, "{\"status\":\"resolved\","
                            "\"reason\":\"Desensitised\"}", NULL), 200);
    doc = sw_test_get_json(e, e->auth, path);
    assert_int_equal(json_array_size(json_object_get(doc, "allergies")), 0);
    json_decref(doc);
    char *nka2 = record(e, "a1", "{\"no_known_allergies\":true}");
    doc = sw_test_get_json(e, e->auth, path);
    assert_int_equal(json_array_size(json_object_get(doc, "allergies")), 1);
    assert_string_equal(sw_test_str(doc, "allergies.0.id"), nka2);
    json_decref(doc);

    sw_test_expect_audited(e, "patient=a1&type=AllergyIntolerance",
                           "allergies.create", "allergies.update",
                           "allergies.read", NULL);
    /* The reason is in the record, not in the audit trail. */
    char *trail = sw_test_get_text(e, e->auth, "/api/audit?patient=a1");
    assert_non_null(strstr(trail, "allergies.update"));
    assert_null(strstr(trail, "Checked with the patient"));
    assert_null(strstr(trail, "Desensitised"));
    assert_null(strstr(trail, "script"));
    free(trail);
    free(nka);
    free(nka2);
    free(pen);
    free(peanuts);
    free(latex);
    free(dust);
    free(sulfa);
}

static void changes_are_refused(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "a1", NULL, NULL, NULL);
    sw_test_patient(e, "a2", NULL, NULL, NULL);
    char *pen = record(e, "a1", PEN);
    char *other = record(e, "a2", "{\"substance\":{\"text\":\"Latex\"}}");
    char path[200];
    snprintf(path, sizeof path, "/api/patients/a1/allergies/%s/status", pen);

    static const sw_test_bad_body cases[] = {
        { "{}", "status" },
        { "{\"reason\":\"Wrong chart\"}", "status" },
        { "{\"status\":\"deleted\",\"reason\":\"Wrong chart\"}", "status" },
        { "{\"status\":\"active\",\"reason\":\"Wrong chart\"}", "status" },
        { "{\"status\":7,\"reason\":\"Wrong chart\"}", "status" },
        { "{\"status\":\"refuted\"}", "reason" },
        { "{\"status\":\"refuted\",\"reason\":\"\"}", "reason" },
        { "{\"status\":\"refuted\",\"reason\":\"   \"}", "reason" },
        { "{\"status\":\"refuted\",\"reason\":[\"no\"]}", "reason" },
        { "{\"status\":\"refuted\",\"reason\":\"ok\",\"version\":\"1\"}", "version" },
        { "{\"status\":\"refuted\",\"reason\":\"ok\",\"version\":0}", "version" },
        { "{\"status\":\"refuted\",\"reason\":\"ok\",\"why\":\"x\"}", "why" },
    };
    sw_test_expect_400s(e, e->auth, path, cases, sizeof cases / sizeof cases[0]);
    /* 501 characters. */
    char body[700];
    int len = snprintf(body, sizeof body, "{\"status\":\"refuted\",\"reason\":\"");
    memset(body + len, 'a', 501);
    snprintf(body + len + 501, sizeof body - len - 501, "\"}");
    json_t *doc;
    assert_int_equal(change(e, e->auth, "a1", pen, body, &doc), 400);
    assert_non_null(strstr(sw_test_str(doc, "error.message"), "reason"));
    json_decref(doc);
    doc = stored(e, pen);
    assert_string_equal(sw_test_str(doc, "meta.versionId"), "1");
    assert_null(json_object_get(doc, "note"));
    json_decref(doc);

    /* Not found: an unknown entry, another patient's, an unknown patient. */
    const char *body_ok = "{\"status\":\"refuted\",\"reason\":\"Skin test negative\"}";
    assert_int_equal(change(e, e->auth, "a1", "nothing", body_ok, NULL), 404);
    assert_int_equal(change(e, e->auth, "a1", other, body_ok, NULL), 404);
    assert_int_equal(change(e, e->auth, "nobody", pen, body_ok, NULL), 404);
    assert_int_equal(sw_test_get(e, e->auth, "/api/patients/nobody/allergies", NULL), 404);
    doc = stored(e, other);
    assert_string_equal(sw_test_str(doc, "meta.versionId"), "1");
    json_decref(doc);

    /* Front desk: neither the list nor a change. */
    char desk[512];
    sw_test_sign_in_new_user(e, "desk.a", "front_desk", desk, sizeof desk);
    assert_int_equal(sw_test_get(e, desk, "/api/patients/a1/allergies", NULL), 403);
    assert_int_equal(change(e, desk, "a1", pen, body_ok, NULL), 403);

    /* A stale version: someone changed it since it was read. */
    doc = stored(e, pen);
    json_object_set_new(doc, "criticality", json_string("low"));
    char *edited = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    char fhir[160];
    snprintf(fhir, sizeof fhir, "/fhir/AllergyIntolerance/%s", pen);
    assert_int_equal(sw_test_request(e, e->auth, "PUT", fhir, SW_TEST_FHIR_JSON, edited,
                                     NULL), 200);
    free(edited);
    assert_int_equal(change(e, e->auth, "a1", pen, "{\"status\":\"refuted\","
                            "\"reason\":\"Skin test negative\",\"version\":1}", &doc), 409);
    assert_string_equal(sw_test_str(doc, "error.code"), "version_conflict");
    json_decref(doc);
    doc = stored(e, pen);
    assert_string_equal(sw_test_str(doc, "meta.versionId"), "2");
    assert_string_equal(sw_test_str(doc, "clinicalStatus.coding.0.code"), "active");
    json_decref(doc);
    assert_int_equal(change(e, e->auth, "a1", pen, "{\"status\":\"refuted\","
                            "\"reason\":\"Skin test negative\",\"version\":2}", NULL), 200);

    /* Not active any more: a 409 of its own. */
    assert_int_equal(change(e, e->auth, "a1", pen, "{\"status\":\"entered-in-error\","
                            "\"reason\":\"Wrong chart\"}", &doc), 409);
    assert_string_not_equal(sw_test_str(doc, "error.code"), "version_conflict");
    assert_non_null(strstr(sw_test_str(doc, "error.message"), "not active"));
    json_decref(doc);
    doc = stored(e, pen);
    assert_string_equal(sw_test_str(doc, "meta.versionId"), "3");
    assert_string_equal(sw_test_str(doc, "verificationStatus.coding.0.code"), "refuted");
    json_decref(doc);
    free(pen);
    free(other);
}

/* A restricted record needs a broken glass, for the list and a change. */
static void restricted_record_is_refused(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "a1", NULL, NULL, NULL);
    char *pen = record(e, "a1", PEN);
    sw_test_restrict(e, "a1");
    sw_http_result r;
    assert_int_equal(sw_test_get(e, e->auth, "/api/patients/a1/allergies", &r), 403);
    assert_non_null(strstr(r.body, "break_the_glass_required"));
    sw_http_result_free(&r);
    json_t *doc;
    const char *body = "{\"status\":\"entered-in-error\",\"reason\":\"Wrong chart\"}";
    assert_int_equal(change(e, e->auth, "a1", pen, body, &doc), 403);
    assert_string_equal(sw_test_str(doc, "error.code"), "break_the_glass_required");
    json_decref(doc);
    sw_test_break_the_glass(e, e->auth, "a1", "covering for the patient's clinician");
    doc = sw_test_get_json(e, e->auth, "/api/patients/a1/allergies");
    assert_int_equal(json_array_size(json_object_get(doc, "allergies")), 1);
    json_decref(doc);
    assert_int_equal(change(e, e->auth, "a1", pen, body, NULL), 200);
    free(pen);
}

/* Whether the prescribing check of drug for patient has an allergy alert. */
static bool allergy_alert(sw_test_env *e, const char *patient, const char *drug)
{
    char path[160], body[64];
    snprintf(path, sizeof path, "/api/patients/%s/prescriptions/check", patient);
    snprintf(body, sizeof body, "{\"drug\":\"%s\"}", drug);
    json_t *doc;
    assert_int_equal(sw_test_call(e, e->auth, "POST", path, body, &doc), 200);
    json_t *alerts = json_object_get(doc, "alerts");
    assert_non_null(alerts);
    bool found = false;
    for (size_t i = 0; i < json_array_size(alerts); i++)
        if (strcmp(sw_test_str(json_array_get(alerts, i), "kind"), "allergy") == 0)
            found = true;
    json_decref(doc);
    return found;
}

static void prescribing_stops_alerting(void **state)
{
    sw_test_env *e = *state;
    static const char *const statuses[] = {
        "entered-in-error", "refuted", "inactive", "resolved",
    };
    for (size_t i = 0; i < 4; i++) {
        char patient[16], body[160];
        snprintf(patient, sizeof patient, "rx%zu", i);
        sw_test_patient(e, patient, "Ada", "Lovelace", "1960-12-10");
        char *pen = record(e, patient, PEN);
        assert_true(allergy_alert(e, patient, "308191"));   /* amoxicillin 500 MG */
        snprintf(body, sizeof body, "{\"status\":\"%s\",\"reason\":\"Tolerated "
                 "amoxicillin\"}", statuses[i]);
        assert_int_equal(change(e, e->auth, patient, pen, body, NULL), 200);
        if (allergy_alert(e, patient, "308191"))
            fail_msg("an allergy %s still alerts", statuses[i]);
        free(pen);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_list_stays_consistent,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(bad_input_writes_nothing,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(listed_and_taken_off_the_list,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(changes_are_refused,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(restricted_record_is_refused,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(prescribing_stops_alerting,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
