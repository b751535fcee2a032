/* test_vitals.c - POST /api/patients/{id}/vitals against the real server,
 * on each store: a full set becomes one Observation per measure, BMI
 * included, found by FHIR search with its LOINC code and recorded in the
 * audit trail as vitals.create; bad values are refused naming the field
 * and nothing is written; unknown patients and encounters are refused; a
 * role without clinical write (front desk) is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testdb.h"
#include "testserver.h"

static long call(sw_test_env *e, const char *auth, const char *method,
                 const char *path, const char *ctype, const char *body,
                 sw_http_result *out)
{
    char ct[96];
    const char *headers[3] = { auth, NULL, NULL };
    if (ctype) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        headers[1] = ct;
    }
    sw_http_result r;
    if (sw_http(&e->srv, method, path, headers, body, body ? strlen(body) : 0, &r) != 0)
        return -1;
    long status = r.status;
    if (out)
        *out = r;
    else
        sw_http_result_free(&r);
    return status;
}

static int count_observations(sw_test_env *e)
{
    sw_http_result r;
    assert_int_equal(call(e, e->auth, "GET", "/fhir/Observation?patient=v1&_summary=count",
                          NULL, NULL, &r), 200);
    const char *t = strstr(r.body, "\"total\":");
    int n = t ? atoi(t + 8) : -1;
    sw_http_result_free(&r);
    return n;
}

static void vitals_become_observations(void **state)
{
    sw_test_env *e = *state;
    const char *json = "application/json";
    assert_int_equal(call(e, e->auth, "PUT", "/fhir/Patient/v1", "application/fhir+json",
                          "{\"resourceType\":\"Patient\",\"id\":\"v1\"}", NULL), 201);
    assert_int_equal(call(e, e->auth, "PUT", "/fhir/Encounter/enc-1", "application/fhir+json",
                          "{\"resourceType\":\"Encounter\",\"id\":\"enc-1\",\"status\":\"in-progress\","
                          "\"class\":{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
                          "\"code\":\"AMB\"},\"subject\":{\"reference\":\"Patient/v1\"}}", NULL), 201);
    sw_http_result r;
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/v1/vitals", json,
                          "{\"height_cm\":180,\"weight_kg\":78.5,\"systolic\":122,"
                          "\"diastolic\":78,\"heart_rate\":72,\"respiratory_rate\":16,"
                          "\"temperature_c\":36.8,\"spo2\":98,\"smoking_status\":\"never\","
                          "\"encounter\":\"enc-1\",\"effective\":\"2026-11-25T09:30:00Z\"}",
                          &r), 201);
    assert_non_null(strstr(r.body, "\"bmi\":24.2"));
    sw_http_result_free(&r);
    assert_int_equal(count_observations(e), 9);

    assert_int_equal(call(e, e->auth, "GET",
                          "/fhir/Observation?patient=v1&code=http://loinc.org|39156-5",
                          NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"value\":24.2"));
    assert_non_null(strstr(r.body, "\"reference\":\"Encounter/enc-1\""));
    assert_non_null(strstr(r.body, "\"effectiveDateTime\":\"2026-11-25T09:30:00Z\""));
    sw_http_result_free(&r);
    assert_int_equal(call(e, e->auth, "GET",
                          "/fhir/Observation?patient=v1&category=vital-signs&_summary=count",
                          NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"total\":8"));
    sw_http_result_free(&r);

    /* The trail says what was done, as a feature. */
    assert_int_equal(call(e, e->auth, "GET", "/api/audit?patient=v1&action=create&type=Observation",
                          NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"feature\":\"vitals.create\""));
    sw_http_result_free(&r);
}

static void bad_input_writes_nothing(void **state)
{
    sw_test_env *e = *state;
    const char *json = "application/json";
    assert_int_equal(call(e, e->auth, "PUT", "/fhir/Patient/v1", "application/fhir+json",
                          "{\"resourceType\":\"Patient\",\"id\":\"v1\"}", NULL), 201);
    static const struct { const char *body; const char *names; long status; } cases[] = {
        { "{}", "at least one", 400 },
        { "{\"height_cm\":\"tall\"}", "height_cm", 400 },
        { "{\"height_cm\":400}", "height_cm", 400 },
        { "{\"systolic\":120}", "together", 400 },
        { "{\"systolic\":80,\"diastolic\":90}", "below", 400 },
        { "{\"heart_rate\":72.5}", "heart_rate", 400 },
        { "{\"spo2\":101}", "spo2", 400 },
        { "{\"smoking_status\":\"sometimes\"}", "smoking_status", 400 },
        { "{\"pulse\":72}", "pulse", 400 },
        { "{\"heart_rate\":72,\"encounter\":\"nope\"}", "Encounter/nope", 400 },
        { "{\"heart_rate\":72,\"effective\":\"yesterday\"}", "effective", 400 },
        { "{\"heart_rate\":72,\"encounter\":\"x' OR '1'='1\"}", "encounter", 400 },
        { "[1]", "object", 400 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_http_result r;
        long status = call(e, e->auth, "POST", "/api/patients/v1/vitals", json,
                           cases[i].body, &r);
        if (status != cases[i].status || strstr(r.body, cases[i].names) == NULL)
            fail_msg("%s answered %ld: %s", cases[i].body, status, r.body);
        sw_http_result_free(&r);
    }
    assert_int_equal(count_observations(e), 0);
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/nobody/vitals", json,
                          "{\"heart_rate\":72}", NULL), 404);
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/v1/vitals", "text/plain",
                          "{\"heart_rate\":72}", NULL), 415);

    /* Front desk registers patients but does not chart. */
    char desk[512];
    assert_int_equal(sw_test_add_user(e->db, "desk.test", "front_desk"), 0);
    assert_int_equal(sw_test_sign_in_as(&e->srv, "desk.test", desk, sizeof desk), 0);
    assert_int_equal(call(e, desk, "POST", "/api/patients/v1/vitals", json,
                          "{\"heart_rate\":72}", NULL), 403);
    assert_int_equal(count_observations(e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(vitals_become_observations,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(bad_input_writes_nothing,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
