/* test_training_env.c - the training environment served under /training/
 * (docs/training.md "The training environment"), on either store: its own
 * store both ways isolated from production's, the header on every one of
 * its responses, one sign-in for both, every module live there whatever
 * production's plan says, the outbound interfaces off (no HL7 outbox row
 * from a signed visit, no prescription recorded as sent), and the audit
 * trail of training work kept in the training store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "store/store.h"
#include "testapi.h"
#include "testvisits.h"
#include "training/env_store.h"

#define ENV_HEADER "X-Stagewise-Environment"

/* ---- Reading either store straight ------------------------------------- */

struct count_q {
    const char *sql;
    const char *arg;
    int64_t     n;
};

static int count_fn(store_tx *tx, void *arg)
{
    struct count_q *q = arg;
    return q->arg ? store_query_int64(tx, &q->n, q->sql, "t", q->arg)
                  : store_query_int64(tx, &q->n, q->sql, "");
}

/* The first column of the first row of sql (one optional text parameter)
 * in the production store (training false) or the training store. */
static int64_t count_in(sw_test_env *e, bool training, const char *sql,
                        const char *arg)
{
    char url[SW_STORE_MAX_URL_BYTES];
    sw_err err;
    if (training)
        assert_int_equal(training_store_url(e->db, url, sizeof url, &err), SW_OK);
    else
        snprintf(url, sizeof url, "%s", e->db);
    store_options so = { .connections = 1 };
    sw_store *s;
    if (store_open(url, &so, &s, &err) != SW_OK)
        fail_msg("cannot open %s: %s", url, err.msg);
    struct count_q q = { sql, arg, -1 };
    if (store_read(s, count_fn, &q, &err) != SW_OK)
        fail_msg("%s: %s", sql, err.msg);
    store_close(s);
    return q.n;
}

static long fhir_put(sw_test_env *e, const char *path, const char *body)
{
    return sw_test_request(e, e->auth, "PUT", path, SW_TEST_FHIR_JSON, body,
                           NULL);
}

static long status_of(sw_test_env *e, const char *path)
{
    return sw_test_get(e, e->auth, path, NULL);
}

/* ---- Isolation ---------------------------------------------------------- */

static void patients_and_allergies_stay_in_their_store(void **state)
{
    sw_test_env *e = *state;
    assert_int_equal(fhir_put(e, "/training/fhir/Patient/tr-only",
                     "{\"resourceType\":\"Patient\",\"id\":\"tr-only\","
                     "\"name\":[{\"family\":\"Trainee\",\"given\":[\"Tess\"]}]}"),
                     201);
    assert_int_equal(status_of(e, "/training/fhir/Patient/tr-only"), 200);
    assert_int_equal(status_of(e, "/fhir/Patient/tr-only"), 404);

    sw_test_patient(e, "prod-only", "Paula", "Real", "1970-01-01");
    assert_int_equal(fhir_put(e, "/fhir/AllergyIntolerance/prod-alg",
                     "{\"resourceType\":\"AllergyIntolerance\",\"id\":\"prod-alg\","
                     "\"patient\":{\"reference\":\"Patient/prod-only\"},"
                     "\"code\":{\"text\":\"Penicillin\"}}"), 201);
    assert_int_equal(status_of(e, "/fhir/AllergyIntolerance/prod-alg"), 200);
    assert_int_equal(status_of(e, "/training/fhir/Patient/prod-only"), 404);
    assert_int_equal(status_of(e, "/training/fhir/AllergyIntolerance/prod-alg"),
                     404);
    /* A search sees only its own store. */
    json_t *b = sw_test_get_json(e, e->auth,
                                 "/training/fhir/AllergyIntolerance?patient=prod-only");
    assert_int_equal(json_array_size(json_object_get(b, "entry")), 0);
    json_decref(b);
    b = sw_test_get_json(e, e->auth, "/fhir/Patient?family=Trainee");
    assert_int_equal(json_array_size(json_object_get(b, "entry")), 0);
    json_decref(b);

    /* The audit trail of training work is the training store's. */
    assert_true(count_in(e, true, "SELECT count(*) FROM audit_log WHERE "
                         "res_id = ?", "tr-only") >= 1);
    assert_int_equal(count_in(e, false, "SELECT count(*) FROM audit_log WHERE "
                              "res_id = ?", "tr-only"), 0);
    assert_int_equal(count_in(e, true, "SELECT count(*) FROM audit_log WHERE "
                              "res_id = ?", "prod-alg"), 0);
}

/* ---- The header, /api/me and one sign-in -------------------------------- */

static void every_training_response_says_so(void **state)
{
    sw_test_env *e = *state;
    static const char *const training_paths[] = {
        "/training/api/me", "/training/fhir/Patient", "/training/",
        "/training", "/training/api/nothing-here", "/training/fhir/metadata",
    };
    char v[64];
    for (size_t i = 0; i < sizeof training_paths / sizeof *training_paths; i++) {
        sw_http_result r;
        sw_test_get(e, e->auth, training_paths[i], &r);
        if (sw_http_header(&r, ENV_HEADER, v, sizeof v) == NULL
            || strcmp(v, "training") != 0)
            fail_msg("%s answered %ld without %s: training", training_paths[i],
                     r.status, ENV_HEADER);
        sw_http_result_free(&r);
    }
    /* Without a session too: the refusal comes from the training mount. */
    sw_http_result r;
    assert_int_equal(sw_test_get(e, NULL, "/training/api/me", &r), 401);
    assert_non_null(sw_http_header(&r, ENV_HEADER, v, sizeof v));
    sw_http_result_free(&r);

    static const char *const prod_paths[] = {
        "/api/me", "/fhir/Patient", "/", "/api/nothing-here", "/trainingx",
    };
    for (size_t i = 0; i < sizeof prod_paths / sizeof *prod_paths; i++) {
        sw_test_get(e, e->auth, prod_paths[i], &r);
        if (sw_http_header(&r, ENV_HEADER, v, sizeof v) != NULL)
            fail_msg("%s answered with %s", prod_paths[i], ENV_HEADER);
        sw_http_result_free(&r);
    }

    /* The same token for both; /api/me says where it was asked. */
    json_t *me = sw_test_get_json(e, e->auth, "/api/me");
    assert_string_equal(sw_test_str(me, "environment"), "production");
    json_decref(me);
    me = sw_test_get_json(e, e->auth, "/training/api/me");
    assert_string_equal(sw_test_str(me, "environment"), "training");
    assert_string_equal(sw_test_str(me, "user.username"), SW_TEST_CLINICIAN);
    json_decref(me);

    /* A user added after the server started works in training at once. */
    char auth[512];
    sw_test_sign_in_new_user(e, "new.trainee", "nurse", auth, sizeof auth);
    me = sw_test_get_json(e, auth, "/training/api/me");
    assert_string_equal(sw_test_str(me, "user.username"), "new.trainee");
    json_decref(me);
    /* Signing out in one ends the session in both. */
    assert_int_equal(sw_test_request(e, auth, "DELETE", "/training/api/session",
                                     NULL, NULL, NULL), 204);
    assert_int_equal(sw_test_get(e, auth, "/api/me", NULL), 401);
}

static bool listed(json_t *list, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
            return true;
    return false;
}

static void every_module_live_in_training(void **state)
{
    sw_test_env *e = *state;
    char lead[512], nurse[512];
    sw_test_sign_in_new_user(e, "lead.t", "implementation_lead", lead, sizeof lead);
    sw_test_sign_in_new_user(e, "nurse.t", "nurse", nurse, sizeof nurse);
    json_t *doc;
    assert_int_equal(sw_test_call(e, lead, "POST", "/api/plan/template",
                                  "{\"template\":\"front-office-first\","
                                  "\"start\":\"2027-01-04\"}", &doc), 200);
    json_decref(doc);

    json_t *prod = sw_test_get_json(e, nurse, "/api/me");
    assert_true(json_array_size(json_object_get(prod, "coming")) > 0);
    json_t *train = sw_test_get_json(e, nurse, "/training/api/me");
    assert_int_equal(json_array_size(json_object_get(train, "coming")), 0);
    json_t *all = sw_test_get_json(e, nurse, "/api/modules");
    json_t *mods = json_object_get(all, "modules");
    size_t i;
    json_t *m;
    json_array_foreach(mods, i, m)
        assert_true(listed(json_object_get(train, "modules"),
                           sw_test_str(m, "id")));
    /* A module not live in production takes writes in training. */
    json_t *c = json_array_get(json_object_get(prod, "coming"), 0);
    assert_non_null(c);
    assert_false(listed(json_object_get(prod, "modules"),
                        sw_test_str(c, "module")));
    json_decref(all);
    json_decref(prod);
    json_decref(train);
}

/* ---- Outbound interfaces ------------------------------------------------ */

static char *sign_visit(sw_test_env *e, const char *prefix, const char *patient)
{
    char path[200];
    json_t *doc;
    snprintf(path, sizeof path, "%s/api/patients/%s/visits", prefix, patient);
    long st = sw_test_call(e, e->auth, "POST", path,
                           "{\"visit_type\":\"acute\",\"reason\":\"Cough\"}", &doc);
    if (st != 201)
        fail_msg("%s answered %ld: %s", path, st, json_dumps(doc, 0));
    char *enc = strdup(sw_test_str(doc, "encounter"));
    json_decref(doc);
    snprintf(path, sizeof path, "%s/api/visits/%s/note", prefix, enc);
    assert_int_equal(sw_test_call(e, e->auth, "PUT", path, "{\"template\":\"acute\","
                     "\"sections\":{\"subjective\":\"s\",\"objective\":\"o\","
                     "\"assessment\":\"a\",\"plan\":\"p\"}}", &doc), 200);
    json_decref(doc);
    snprintf(path, sizeof path, "%s/api/visits/%s/coding", prefix, enc);
    assert_int_equal(sw_test_call(e, e->auth, "PUT", path,
                     "{\"diagnoses\":[{\"code\":\"J20.9\"}],\"procedures\":"
                     "[{\"code\":\"99213\",\"diagnoses\":[1]}]}", &doc), 200);
    json_decref(doc);
    snprintf(path, sizeof path, "%s/api/visits/%s/sign", prefix, enc);
    st = sw_test_call(e, e->auth, "POST", path, NULL, &doc);
    if (st != 200)
        fail_msg("%s answered %ld: %s", path, st, json_dumps(doc, 0));
    json_decref(doc);
    return enc;
}

static void signing_in_training_queues_nothing(void **state)
{
    sw_test_env *e = *state;
    const char *peer[] = { "interface", "peer", "--db", e->db, "--allow",
                           "127.0.0.1", "--send-to", "127.0.0.1:1", NULL };
    assert_int_equal(sw_test_run(peer, NULL, NULL, NULL), 0);
    testvisits_link_practitioner(e, SW_TEST_CLINICIAN, "pr-t", "1234567893");

    assert_int_equal(fhir_put(e, "/training/fhir/Patient/tp1",
                     "{\"resourceType\":\"Patient\",\"id\":\"tp1\","
                     "\"name\":[{\"family\":\"Trainee\"}],"
                     "\"birthDate\":\"1980-02-02\"}"), 201);
    free(sign_visit(e, "/training", "tp1"));
    assert_int_equal(count_in(e, true, "SELECT count(*) FROM hl7_outbox", NULL), 0);
    assert_int_equal(count_in(e, false, "SELECT count(*) FROM hl7_outbox", NULL), 0);
    /* The training signature is on the training store's record. */
    assert_true(count_in(e, true, "SELECT count(*) FROM audit_log WHERE "
                         "feature = ?", "documentation.sign") >= 1);
    assert_int_equal(count_in(e, false, "SELECT count(*) FROM audit_log WHERE "
                              "feature = ?", "documentation.sign"), 0);

    /* The same in production queues the charge for the PMS. */
    sw_test_patient(e, "pp1", "Pat", "Real", "1980-02-02");
    free(sign_visit(e, "", "pp1"));
    assert_true(count_in(e, false, "SELECT count(*) FROM hl7_outbox", NULL) >= 1);
    assert_int_equal(count_in(e, true, "SELECT count(*) FROM hl7_outbox", NULL), 0);
}

static void prescribing_in_training_sends_nothing(void **state)
{
    sw_test_env *e = *state;
    assert_int_equal(fhir_put(e, "/training/fhir/Patient/rx1",
                     "{\"resourceType\":\"Patient\",\"id\":\"rx1\","
                     "\"name\":[{\"family\":\"Trainee\"}],"
                     "\"birthDate\":\"1975-05-05\"}"), 201);
    json_t *doc;
    long st = sw_test_call(e, e->auth, "POST", "/training/api/patients/rx1/prescriptions",
                           "{\"drug\":\"308191\",\"dose\":\"500 mg\",\"route\":\"oral\","
                           "\"frequency\":\"three times daily\",\"quantity\":30,"
                           "\"refills\":0,\"days_supply\":10,"
                           "\"pharmacy\":\"Main Street Pharmacy\"}", &doc);
    if (st != 201)
        fail_msg("prescribing in training answered %ld: %s", st, json_dumps(doc, 0));
    json_decref(doc);
    assert_int_equal(count_in(e, true, "SELECT count(*) FROM pharmacy_message "
                              "WHERE status = ?", "sent"), 0);
    assert_int_equal(count_in(e, true, "SELECT count(*) FROM pharmacy_message "
                              "WHERE status = ?", "training: not sent"), 1);
    assert_int_equal(count_in(e, false, "SELECT count(*) FROM pharmacy_message",
                              NULL), 0);
    assert_true(count_in(e, true, "SELECT count(*) FROM audit_log WHERE "
                         "feature = ?", "eprescribing.send") >= 1);
    assert_int_equal(count_in(e, false, "SELECT count(*) FROM audit_log WHERE "
                              "feature = ?", "eprescribing.send"), 0);
}

static void no_training_serves_none(void **state)
{
    (void)state;
    sw_test_env e = { 0 };
    assert_int_equal(sw_test_env_prepare(&e), 0);
    const char *args[] = { "--no-training", NULL };
    assert_int_equal(sw_test_env_serve(&e, args), 0);
    assert_int_equal(sw_test_get(&e, e.auth, "/training/api/me", NULL), 404);
    json_t *me = sw_test_get_json(&e, e.auth, "/api/me");
    assert_string_equal(sw_test_str(me, "environment"), "production");
    json_decref(me);
    assert_int_equal(sw_test_env_stop(&e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(patients_and_allergies_stay_in_their_store,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(every_training_response_says_so,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(every_module_live_in_training,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(signing_in_training_queues_nothing,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(prescribing_in_training_sends_nothing,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test(no_training_serves_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
