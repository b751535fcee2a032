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

#include "testapi.h"

static int count_observations(sw_test_env *e)
{
    sw_http_result r;
    assert_int_equal(sw_test_get(e, e->auth, "/fhir/Observation?patient=v1&_summary=count", &r),
                     200);
    const char *t = strstr(r.body, "\"total\":");
    int n = t ? atoi(t + 8) : -1;
    sw_http_result_free(&r);
    return n;
}

static void vitals_become_observations(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "v1", NULL, NULL, NULL);
    sw_test_encounter(e, "enc-1", "v1");
    sw_http_result r;
    assert_int_equal(sw_test_post(e, e->auth, "/api/patients/v1/vitals",
                                  "{\"height_cm\":180,\"weight_kg\":78.5,\"systolic\":122,"
                                  "\"diastolic\":78,\"heart_rate\":72,\"respiratory_rate\":16,"
                                  "\"temperature_c\":36.8,\"spo2\":98,\"smoking_status\":\"never\","
                                  "\"encounter\":\"enc-1\",\"effective\":\"2026-11-25T09:30:00Z\"}",
                                  &r), 201);
    assert_non_null(strstr(r.body, "\"bmi\":24.2"));
    sw_http_result_free(&r);
    assert_int_equal(count_observations(e), 9);

    assert_int_equal(sw_test_get(e, e->auth,
                                 "/fhir/Observation?patient=v1&code=http://loinc.org|39156-5",
                                 &r), 200);
    assert_non_null(strstr(r.body, "\"value\":24.2"));
    assert_non_null(strstr(r.body, "\"reference\":\"Encounter/enc-1\""));
    assert_non_null(strstr(r.body, "\"effectiveDateTime\":\"2026-11-25T09:30:00Z\""));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_get(e, e->auth,
                                 "/fhir/Observation?patient=v1&category=vital-signs"
                                 "&_summary=count", &r), 200);
    assert_non_null(strstr(r.body, "\"total\":8"));
    sw_http_result_free(&r);

    /* The trail says what was done, as a feature. */
    sw_test_expect_audited(e, "patient=v1&action=create&type=Observation", "vitals.create", NULL);
}

static void bad_input_writes_nothing(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "v1", NULL, NULL, NULL);
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
        long status = sw_test_post(e, e->auth, "/api/patients/v1/vitals", cases[i].body, &r);
        if (status != cases[i].status || strstr(r.body, cases[i].names) == NULL)
            fail_msg("%s answered %ld: %s", cases[i].body, status, r.body);
        sw_http_result_free(&r);
    }
    assert_int_equal(count_observations(e), 0);
    assert_int_equal(sw_test_post(e, e->auth, "/api/patients/nobody/vitals",
                                  "{\"heart_rate\":72}", NULL), 404);
    assert_int_equal(sw_test_request(e, e->auth, "POST", "/api/patients/v1/vitals", "text/plain",
                                     "{\"heart_rate\":72}", NULL), 415);

    /* Front desk registers patients but does not chart. */
    char desk[512];
    sw_test_sign_in_new_user(e, "desk.test", "front_desk", desk, sizeof desk);
    assert_int_equal(sw_test_post(e, desk, "/api/patients/v1/vitals",
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
