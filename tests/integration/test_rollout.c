/* test_rollout.c - the rollout plan enforced by the real server, on each
 * store: with no plan every write works; a staged template blocks the
 * writes of modules not live (403 naming the module and when, in the
 * /api and the FHIR shapes) while reads go on; go-live checks its gates
 * (409 with the failures), a forced go-live needs plan:admin and a
 * reason and is audited; the stage's cohort then writes, others do not;
 * an override lets one person in, audited; rollback makes the modules
 * read-only again with every record still readable; a transaction
 * Bundle with one entry of a module not live is refused whole; /api/me
 * and /api/modules follow; /api/plan/live says who has which module live
 * and why. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testapi.h"

#define MEDREQ \
    "{\"resourceType\":\"MedicationRequest\",\"status\":\"active\"," \
    "\"intent\":\"order\",\"subject\":{\"reference\":\"Patient/p1\"}," \
    "\"medicationCodeableConcept\":{\"text\":\"Amoxicillin 500 mg\"}}"

#define PATIENT(id) \
    "{\"resourceType\":\"Patient\",\"id\":\"" id "\",\"name\":[{\"family\":\"Roll\"}]}"

typedef struct people {
    char lead[512], dr[512], nurse[512], desk[512];
} people;

static long fhir(sw_test_env *e, const char *auth, const char *method,
                 const char *path, const char *body, json_t **out)
{
    sw_http_result r;
    long status = sw_test_request(e, auth, method, path,
                                  body ? SW_TEST_FHIR_JSON : NULL, body, &r);
    if (out)
        *out = r.body ? json_loads(r.body, 0, NULL) : NULL;
    sw_http_result_free(&r);
    return status;
}

static long put_patient(sw_test_env *e, const char *auth, const char *id)
{
    char path[64], body[256];
    snprintf(path, sizeof path, "/fhir/Patient/%s", id);
    snprintf(body, sizeof body, "{\"resourceType\":\"Patient\",\"id\":\"%s\","
             "\"name\":[{\"family\":\"Roll\"}]}", id);
    return fhir(e, auth, "PUT", path, body, NULL);
}

static json_t *coming_of(json_t *me, const char *module)
{
    return sw_test_find(json_object_get(me, "coming"), "module", module);
}

static void sign_in(sw_test_env *e, people *p)
{
    sw_test_sign_in_new_user(e, "lead.r", "implementation_lead", p->lead, sizeof p->lead);
    sw_test_sign_in_new_user(e, "dr.r", "physician", p->dr, sizeof p->dr);
    sw_test_sign_in_new_user(e, "nurse.r", "nurse", p->nurse, sizeof p->nurse);
    sw_test_sign_in_new_user(e, "desk.r", "front_desk", p->desk, sizeof p->desk);
}

/* front-office-first with its first stage narrowed to the front desk
 * and physicians, so a nurse is outside that stage's cohort. */
static void staged_plan(sw_test_env *e, const people *p)
{
    sw_test_staged_plan(e, p->lead, "front-office", "front_desk", "physician", NULL);
}

static void no_plan_everything_works(void **state)
{
    sw_test_env *e = *state;
    people p;
    sign_in(e, &p);
    sw_test_patient(e, "p1", "Ana", "Roll", "1980-02-03");
    assert_int_equal(put_patient(e, p.desk, "p2"), 201);
    assert_int_equal(fhir(e, p.dr, "POST", "/fhir/MedicationRequest", MEDREQ, NULL), 201);
    json_t *me = sw_test_get_json(e, p.dr, "/api/me");
    assert_int_equal(json_array_size(json_object_get(me, "modules")), 12);
    assert_int_equal(json_array_size(json_object_get(me, "coming")), 0);
    json_decref(me);
    json_t *mods = sw_test_get_json(e, p.desk, "/api/modules");
    assert_true(json_is_true(json_object_get(json_array_get(json_object_get(mods, "modules"), 11), "live")));
    json_decref(mods);
}

static void staged_plan_enforced(void **state)
{
    sw_test_env *e = *state;
    people p;
    sign_in(e, &p);
    sw_test_patient(e, "p1", "Ana", "Roll", "1980-02-03");
    assert_int_equal(fhir(e, p.dr, "POST", "/fhir/MedicationRequest", MEDREQ, NULL), 201);
    staged_plan(e, &p);

    /* Prescribing is not live: /api and /fhir both refuse, naming it and
     * when it comes. */
    json_t *doc;
    assert_int_equal(sw_test_call(e, p.dr, "POST", "/api/patients/p1/prescriptions",
                                  "{\"drug\":\"x\"}", &doc), 403);
    assert_string_equal(sw_test_str(doc, "error.code"), "module_not_live");
    assert_string_equal(sw_test_str(doc, "error.details.0.module"), "eprescribing");
    assert_string_equal(sw_test_str(doc, "error.details.0.live_from"), "2027-03-29");
    assert_non_null(strstr(sw_test_str(doc, "error.message"), "E-prescribing"));
    json_decref(doc);
    assert_int_equal(fhir(e, p.dr, "POST", "/fhir/MedicationRequest", MEDREQ, &doc), 403);
    assert_string_equal(sw_test_str(doc, "resourceType"), "OperationOutcome");
    assert_string_equal(sw_test_str(doc, "issue.0.code"), "forbidden");
    const char *diag = sw_test_str(doc, "issue.0.diagnostics");
    assert_non_null(diag);
    assert_non_null(strstr(diag, "E-prescribing"));
    assert_non_null(strstr(diag, "2027-03-29"));
    json_decref(doc);

    /* Reads go on. */
    assert_int_equal(sw_test_get(e, p.dr, "/fhir/MedicationRequest", NULL), 200);
    assert_int_equal(sw_test_get(e, p.dr, "/api/patients/p1/medications", NULL), 200);
    assert_int_equal(sw_test_get(e, p.dr, "/fhir/Patient/p1", NULL), 200);

    /* /api/me: nothing live yet; everything coming with its date. */
    json_t *me = sw_test_get_json(e, p.dr, "/api/me");
    assert_int_equal(json_array_size(json_object_get(me, "modules")), 0);
    json_t *c = coming_of(me, "eprescribing");
    assert_non_null(c);
    assert_string_equal(json_string_value(json_object_get(c, "live_from")), "2027-03-29");
    assert_string_equal(json_string_value(json_object_get(c, "title")), "E-prescribing");
    assert_string_equal(json_string_value(json_object_get(c, "stage")),
                        "Prescribing, orders and results");
    json_decref(me);

    /* Registration is not live either. */
    assert_int_equal(put_patient(e, p.desk, "p3"), 403);

    /* Go-live without ticks: 409 with every failure. */
    assert_int_equal(sw_test_call(e, p.lead, "POST", "/api/plan/stages/front-office/go-live",
                                  NULL, &doc), 409);
    assert_string_equal(sw_test_str(doc, "error.code"), "gates_failed");
    json_t *failures = json_object_get(doc, "failures");
    assert_true(json_array_size(failures) >= 2);
    bool checklist = false, training = false;
    size_t i;
    json_t *v;
    json_array_foreach(failures, i, v) {
        const char *g = json_string_value(json_object_get(v, "gate"));
        checklist = checklist || strcmp(g, "checklist") == 0;
        training = training || strcmp(g, "training_completion") == 0;
    }
    assert_true(checklist && training);
    json_decref(doc);

    /* A tick names the person; the gate screen shows it. */
    assert_int_equal(sw_test_call(e, p.lead, "PUT",
                                  "/api/plan/stages/front-office/checklist/downtime-plan",
                                  NULL, &doc), 200);
    assert_string_equal(sw_test_str(doc, "ticked_by"), "lead.r");
    json_decref(doc);
    /* Ticked again, by someone else: the first person stays its name. */
    char other[512];
    sw_test_sign_in_new_user(e, "lead.s", "implementation_lead", other, sizeof other);
    assert_int_equal(sw_test_call(e, other, "PUT",
                                  "/api/plan/stages/front-office/checklist/downtime-plan",
                                  NULL, &doc), 200);
    assert_string_equal(sw_test_str(doc, "ticked_by"), "lead.r");
    json_decref(doc);
    assert_int_equal(sw_test_call(e, p.lead, "PUT",
                                  "/api/plan/stages/front-office/checklist/nope",
                                  NULL, NULL), 404);
    doc = sw_test_get_json(e, p.lead, "/api/plan/stages/front-office/gates");
    assert_false(json_is_true(json_object_get(doc, "can_go_live")));
    char *text = json_dumps(doc, 0);
    assert_non_null(strstr(text, "\"ticked_by\": \"lead.r\""));
    assert_non_null(strstr(text, "no_data"));
    free(text);
    json_decref(doc);

    /* Forced: a reason is required, and plan:admin. */
    assert_int_equal(sw_test_call(e, p.lead, "POST", "/api/plan/stages/front-office/go-live",
                                  "{\"force\":true}", NULL), 400);
    assert_int_equal(sw_test_call(e, p.dr, "POST", "/api/plan/stages/front-office/go-live",
                                  "{\"force\":true,\"reason\":\"x\"}", NULL), 403);
    assert_int_equal(sw_test_call(e, p.lead, "POST", "/api/plan/stages/front-office/go-live",
                                  "{\"force\":true,\"reason\":\"training is done on paper\"}",
                                  &doc), 200);
    assert_string_equal(sw_test_str(doc, "state"), "live");
    assert_string_equal(sw_test_str(doc, "stage"), "front-office");
    json_decref(doc);
    assert_int_equal(sw_test_call(e, p.lead, "POST", "/api/plan/stages/front-office/go-live",
                                  "{\"force\":true,\"reason\":\"again\"}", NULL), 409);
    sw_test_expect_audited(e, "action=go_live", "rollout.go_live", NULL);

    /* The cohort writes now; a nurse, outside it, does not. */
    assert_int_equal(put_patient(e, p.desk, "p3"), 201);
    assert_int_equal(put_patient(e, p.dr, "p4"), 201);
    assert_int_equal(put_patient(e, p.nurse, "p5"), 403);
    me = sw_test_get_json(e, p.dr, "/api/me");
    assert_true(sw_test_listed(json_object_get(me, "modules"), "registration"));
    assert_true(sw_test_listed(json_object_get(me, "modules"), "scheduling"));
    assert_false(sw_test_listed(json_object_get(me, "modules"), "eprescribing"));
    assert_null(coming_of(me, "registration"));
    json_decref(me);
    json_t *mods = sw_test_get_json(e, p.nurse, "/api/modules");
    assert_false(json_is_true(json_object_get(json_array_get(json_object_get(mods, "modules"), 0), "live")));
    json_decref(mods);

    /* An override lets the nurse in, audited; removed, she is out again. */
    assert_int_equal(sw_test_call(e, p.lead, "PUT", "/api/plan/overrides/nurse.r",
                                  "{\"modules\":[\"registration\"]}", NULL), 400);
    assert_int_equal(sw_test_call(e, p.lead, "PUT", "/api/plan/overrides/nurse.r",
                                  "{\"modules\":[\"nope\"],\"reason\":\"x\"}", NULL), 400);
    assert_int_equal(sw_test_call(e, p.dr, "PUT", "/api/plan/overrides/nurse.r",
                                  "{\"modules\":[\"*\"],\"reason\":\"x\"}", NULL), 403);
    assert_int_equal(sw_test_call(e, p.lead, "PUT", "/api/plan/overrides/nurse.r",
                                  "{\"modules\":[\"registration\"],\"reason\":\"locum\"}",
                                  NULL), 200);
    assert_int_equal(put_patient(e, p.nurse, "p5"), 201);
    doc = sw_test_get_json(e, p.lead, "/api/plan/overrides");
    assert_string_equal(sw_test_str(doc, "overrides.0.username"), "nurse.r");
    assert_string_equal(sw_test_str(doc, "overrides.0.modules.0"), "registration");
    json_decref(doc);
    sw_test_expect_audited(e, "action=permission_change", "rollout.override", NULL);
    assert_int_equal(sw_test_call(e, p.lead, "DELETE", "/api/plan/overrides/nurse.r",
                                  NULL, NULL), 204);
    assert_int_equal(put_patient(e, p.nurse, "p6"), 403);

    /* A transaction with one entry not live is refused whole. */
    const char *bundle =
        "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
        "{\"fullUrl\":\"urn:uuid:6f1c2a52-0000-4000-8000-000000000001\","
        "\"resource\":" PATIENT("px") ",\"request\":{\"method\":\"PUT\",\"url\":\"Patient/px\"}},"
        "{\"resource\":" MEDREQ ",\"request\":{\"method\":\"POST\",\"url\":\"MedicationRequest\"}}]}";
    assert_int_equal(fhir(e, p.dr, "POST", "/fhir", bundle, &doc), 403);
    assert_non_null(strstr(sw_test_str(doc, "issue.0.diagnostics"), "E-prescribing"));
    json_decref(doc);
    assert_int_equal(sw_test_get(e, p.dr, "/fhir/Patient/px", NULL), 404);

    /* Stages roll back last in, first out: with the next stage live,
     * the first cannot go back. */
    assert_int_equal(sw_test_call(e, p.lead, "POST", "/api/plan/stages/documentation/go-live",
                                  "{\"force\":true,\"reason\":\"notes early\"}", NULL), 200);
    assert_int_equal(sw_test_call(e, p.lead, "POST", "/api/plan/stages/front-office/rollback",
                                  "{\"reason\":\"too soon\"}", &doc), 409);
    assert_string_equal(sw_test_str(doc, "error.code"), "later_stage_live");
    json_decref(doc);
    assert_int_equal(sw_test_call(e, p.lead, "POST", "/api/plan/stages/documentation/rollback",
                                  "{\"reason\":\"notes too early\"}", NULL), 200);

    /* Rollback: read-only again, every record still readable. */
    assert_int_equal(sw_test_call(e, p.lead, "POST", "/api/plan/stages/front-office/rollback",
                                  "{}", NULL), 400);
    assert_int_equal(sw_test_call(e, p.lead, "POST", "/api/plan/stages/front-office/rollback",
                                  "{\"reason\":\"the desk is overwhelmed\"}", &doc), 200);
    assert_string_equal(sw_test_str(doc, "state"), "rolled_back");
    json_decref(doc);
    assert_int_equal(put_patient(e, p.desk, "p7"), 403);
    assert_int_equal(sw_test_get(e, p.desk, "/fhir/Patient/p3", NULL), 200);
    assert_int_equal(sw_test_get(e, p.dr, "/fhir/Patient/p4", NULL), 200);
    me = sw_test_get_json(e, p.dr, "/api/me");
    assert_false(sw_test_listed(json_object_get(me, "modules"), "registration"));
    assert_non_null(coming_of(me, "registration"));
    json_decref(me);
}

/* The entry of username in GET /api/plan/live's "users", or NULL. */
static json_t *live_user(json_t *doc, const char *username)
{
    return sw_test_find(json_object_get(doc, "users"), "username", username);
}

static const char *why_of(json_t *user, const char *module)
{
    return json_string_value(json_object_get(json_object_get(user, "why"), module));
}

static void who_has_what_live(void **state)
{
    sw_test_env *e = *state;
    people p;
    sign_in(e, &p);
    assert_int_equal(sw_test_get(e, p.dr, "/api/plan/live", NULL), 403);

    /* No plan: everyone has every module. */
    json_t *doc = sw_test_get_json(e, p.lead, "/api/plan/live");
    assert_int_equal(json_integer_value(json_object_get(doc, "version")), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "modules")), 12);
    assert_string_equal(sw_test_str(doc, "modules.0"), "registration");
    json_t *dr = live_user(doc, "dr.r");
    assert_non_null(dr);
    assert_non_null(live_user(doc, "nurse.r"));
    assert_non_null(live_user(doc, "lead.r"));
    assert_string_equal(json_string_value(json_object_get(dr, "kind")), "person");
    assert_true(sw_test_listed(json_object_get(dr, "roles"), "physician"));
    assert_int_equal(json_array_size(json_object_get(dr, "live")), 12);
    assert_string_equal(why_of(dr, "eprescribing"), "no_plan");
    assert_string_equal(why_of(dr, "registration"), "no_plan");
    json_decref(doc);

    /* front-office-first with its first stage forced live. */
    staged_plan(e, &p);
    assert_int_equal(sw_test_call(e, p.lead, "POST", "/api/plan/stages/front-office/go-live",
                                  "{\"force\":true,\"reason\":\"desk is ready\"}", NULL), 200);
    doc = sw_test_get_json(e, p.lead, "/api/plan/live");
    assert_true(json_integer_value(json_object_get(doc, "version")) >= 3);
    dr = live_user(doc, "dr.r");
    assert_true(sw_test_listed(json_object_get(dr, "live"), "registration"));
    assert_true(sw_test_listed(json_object_get(dr, "live"), "scheduling"));
    assert_false(sw_test_listed(json_object_get(dr, "live"), "eprescribing"));
    assert_string_equal(why_of(dr, "registration"), "in_cohort");
    assert_string_equal(why_of(dr, "scheduling"), "in_cohort");
    assert_string_equal(why_of(dr, "eprescribing"), "planned");
    json_t *nurse = live_user(doc, "nurse.r");
    assert_int_equal(json_array_size(json_object_get(nurse, "live")), 0);
    assert_string_equal(why_of(nurse, "registration"), "not_in_cohort");
    json_decref(doc);

    /* An override shows as such, for that user only. */
    assert_int_equal(sw_test_call(e, p.lead, "PUT", "/api/plan/overrides/nurse.r",
                                  "{\"modules\":[\"eprescribing\"],\"reason\":\"locum\"}",
                                  NULL), 200);
    doc = sw_test_get_json(e, p.lead, "/api/plan/live");
    nurse = live_user(doc, "nurse.r");
    assert_true(sw_test_listed(json_object_get(nurse, "live"), "eprescribing"));
    assert_false(sw_test_listed(json_object_get(nurse, "live"), "registration"));
    assert_string_equal(why_of(nurse, "eprescribing"), "override");
    assert_string_equal(why_of(live_user(doc, "dr.r"), "eprescribing"), "planned");
    json_decref(doc);
    assert_int_equal(sw_test_get(e, p.dr, "/api/plan/live", NULL), 403);
}

/* Puts a one-stage plan holding `modules` (a JSON array) for everyone and
 * forces it live. */
static void live_stage(sw_test_env *e, const people *p, const char *modules)
{
    char body[1024];
    snprintf(body, sizeof body, "{\"version\":0,\"plan\":{\"stages\":[{\"id\":\"s1\","
             "\"name\":\"First\",\"target_date\":\"2027-01-04\",\"modules\":%s,"
             "\"cohort\":{\"kind\":\"everyone\"}}]}}", modules);
    json_t *doc;
    assert_int_equal(sw_test_call(e, p->lead, "PUT", "/api/plan", body, &doc), 200);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, p->lead, "POST", "/api/plan/stages/s1/go-live",
                                  "{\"force\":true,\"reason\":\"test\"}", NULL), 200);
}

/* Signing a visit is documentation; its charges are charge capture's, and
 * reach billing only once that is live for the signer. */
static void signing_before_charge_capture_makes_no_charges(void **state)
{
    sw_test_env *e = *state;
    people p;
    sign_in(e, &p);
    sw_test_patient(e, "p1", "Ana", "Roll", "1980-02-03");
    /* Walk-ins are scheduling's (the front desk opens them). */
    live_stage(e, &p, "[\"registration\",\"scheduling\",\"documentation\"]");
    json_t *doc;
    assert_int_equal(sw_test_call(e, p.dr, "POST", "/api/patients/p1/visits",
                                  "{\"visit_type\":\"follow-up\",\"reason\":\"Cough\"}",
                                  &doc), 201);
    char path[160];
    snprintf(path, sizeof path, "/api/visits/%s", sw_test_str(doc, "encounter"));
    json_decref(doc);
    char note[200], coding[200], sign[200];
    snprintf(note, sizeof note, "%s/note", path);
    snprintf(coding, sizeof coding, "%s/coding", path);
    snprintf(sign, sizeof sign, "%s/sign", path);
    assert_int_equal(sw_test_call(e, p.dr, "PUT", note, "{\"sections\":{\"subjective\":"
                                  "\"Cough\",\"assessment\":\"URI\",\"plan\":\"Rest\"}}",
                                  NULL), 200);
    assert_int_equal(sw_test_call(e, p.dr, "PUT", coding, "{\"diagnoses\":[{\"code\":"
                                  "\"J06.9\"}],\"procedures\":[{\"code\":\"99213\"}]}",
                                  NULL), 200);
    assert_int_equal(sw_test_call(e, p.dr, "POST", sign, NULL, &doc), 200);
    assert_int_equal(json_array_size(json_object_get(doc, "charges")), 0);
    json_decref(doc);
    char *items = sw_test_get_text(e, e->auth, "/fhir/ChargeItem?subject=Patient/p1");
    assert_non_null(strstr(items, "\"total\":0"));
    free(items);
}

/* A laboratory result is results' to change or delete, whatever a new
 * body says: with vitals live and results not, it stays as it is. */
static void a_result_is_not_changed_as_a_vital_sign(void **state)
{
    sw_test_env *e = *state;
    people p;
    sign_in(e, &p);
    sw_test_patient(e, "p1", "Ana", "Roll", "1980-02-03");
    const char *lab =
        "{\"resourceType\":\"Observation\",\"id\":\"lab1\",\"status\":\"final\","
        "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/"
        "CodeSystem/observation-category\",\"code\":\"laboratory\"}]}],"
        "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"4548-4\"}]},"
        "\"subject\":{\"reference\":\"Patient/p1\"},\"valueQuantity\":{\"value\":8.1,"
        "\"unit\":\"%\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"%\"}}";
    assert_int_equal(fhir(e, p.dr, "PUT", "/fhir/Observation/lab1", lab, NULL), 201);
    live_stage(e, &p, "[\"registration\",\"documentation\",\"vitals\"]");
    const char *as_vital =
        "{\"resourceType\":\"Observation\",\"id\":\"lab1\",\"status\":\"final\","
        "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"4548-4\"}]},"
        "\"subject\":{\"reference\":\"Patient/p1\"},\"valueQuantity\":{\"value\":5.1,"
        "\"unit\":\"%\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"%\"}}";
    json_t *doc;
    assert_int_equal(fhir(e, p.dr, "PUT", "/fhir/Observation/lab1", as_vital, &doc), 403);
    assert_non_null(strstr(sw_test_str(doc, "issue.0.diagnostics"), "Results"));
    json_decref(doc);
    assert_int_equal(fhir(e, p.dr, "DELETE", "/fhir/Observation/lab1", NULL, NULL), 403);
    char *kept = sw_test_get_text(e, p.dr, "/fhir/Observation/lab1");
    assert_non_null(strstr(kept, "8.1"));
    free(kept);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(no_plan_everything_works,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(staged_plan_enforced,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(signing_before_charge_capture_makes_no_charges,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(a_result_is_not_changed_as_a_vital_sign,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(who_has_what_live,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
