/* test_immunizations.c - recording immunizations over /api against the
 * real server, on each store: the vaccine picker, doses given and not
 * given (with the reason), the list newest first with performer, the FHIR
 * written (CVX, ActReason, ActSite, route), dates in the future or before
 * birth refused, bad input refused naming the member with nothing
 * written, unknown patients 404, roles without clinical access 403,
 * markup stored as the text it is, and the audit entry
 * immunizations.create. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testapi.h"

#define XSS_LOT  "<b>AB12</b>"
#define XSS_NOTE "<script>alert('x')</script> given in clinic"

static void vaccines_are_searched(void **state)
{
    sw_test_env *e = *state;
    char *v = sw_test_get_text(e, e->auth, "/api/vaccines?q=FLU");
    assert_non_null(strstr(v, "\"cvx\":\"140\""));
    assert_null(strstr(v, "\"cvx\":\"115\""));
    free(v);
    v = sw_test_get_text(e, e->auth, "/api/vaccines?q=shingles");
    assert_non_null(strstr(v, "\"cvx\":\"187\""));
    free(v);
    v = sw_test_get_text(e, e->auth, "/api/vaccines?q=zzzz");
    assert_non_null(strstr(v, "\"vaccines\":[]"));
    free(v);
    v = sw_test_get_text(e, e->auth, "/api/vaccines");
    assert_true(sw_test_count(v, "\"cvx\":") >= 25);
    free(v);
}

static void doses_given_and_not_given(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/immunizations";
    sw_test_patient(e, "a1", NULL, NULL, "1980-03-01");
    sw_http_result r;
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"cvx\":\"140\",\"date\":\"2025-10-01\","
                                  "\"lot\":\"" XSS_LOT "\",\"site\":\"LA\",\"route\":\"IM\","
                                  "\"dose_number\":1,\"dose_ml\":0.5,\"note\":\"" XSS_NOTE "\"}",
                                  &r), 201);
    assert_non_null(strstr(r.body, "\"immunization\":\""));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"cvx\":\"115\",\"date\":\"2026-01-15\","
                                  "\"status\":\"not-done\",\"reason_not_done\":\"PATOBJ\"}",
                                  NULL), 201);
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"cvx\":\"208\",\"date\":"
                                  "\"2024-03-01T10:30:00-05:00\"}", NULL), 201);

    char *list = sw_test_get_text(e, e->auth, path);
    assert_int_equal(sw_test_count(list, "\"id\":"), 3);
    const char *tdap = strstr(list, "\"cvx\":\"115\"");
    const char *flu = strstr(list, "\"cvx\":\"140\"");
    const char *covid = strstr(list, "\"cvx\":\"208\"");
    assert_non_null(tdap);
    assert_non_null(flu);
    assert_non_null(covid);
    assert_true(tdap < flu && flu < covid);            /* newest first */
    assert_non_null(strstr(list, "\"status\":\"not-done\""));
    assert_non_null(strstr(list, "\"reason_not_done\":\"PATOBJ\""));
    assert_non_null(strstr(list, "\"lot\":\"" XSS_LOT "\""));
    assert_non_null(strstr(list, "\"note\":\"" XSS_NOTE "\""));
    assert_non_null(strstr(list, "\"display\":\"Influenza, seasonal, injectable, "
                           "preservative free\""));
    assert_int_equal(sw_test_count(list, "\"username\":\"" SW_TEST_CLINICIAN "\""), 3);
    free(list);

    char *fhir = sw_test_get_text(e, e->auth, "/fhir/Immunization?patient=a1");
    assert_int_equal(sw_test_count(fhir, "\"resourceType\":\"Immunization\""), 3);
    assert_non_null(strstr(fhir, "http://hl7.org/fhir/sid/cvx"));
    assert_non_null(strstr(fhir, "v3-ActReason"));
    assert_non_null(strstr(fhir, "\"code\":\"PATOBJ\""));
    assert_non_null(strstr(fhir, "v3-ActSite"));
    assert_non_null(strstr(fhir, "\"doseNumberPositiveInt\":1"));
    assert_int_equal(sw_test_count(fhir, "\"primarySource\":true"), 3);
    free(fhir);

    char *audit = sw_test_get_text(e, e->auth, "/api/audit?patient=a1&type=Immunization");
    assert_int_equal(sw_test_count(audit, "\"feature\":\"immunizations.create\""), 3);
    assert_non_null(strstr(audit, "\"feature\":\"immunizations.read\""));
    free(audit);
}

static void bad_input_writes_nothing(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/immunizations";
    sw_test_patient(e, "a1", NULL, NULL, "1980-03-01");
    static const sw_test_bad_body cases[] = {
        { "{\"date\":\"2025-10-01\"}", "cvx" },
        { "{\"cvx\":\"999\",\"date\":\"2025-10-01\"}", "cvx" },
        { "{\"cvx\":140,\"date\":\"2025-10-01\"}", "cvx" },
        { "{\"cvx\":\"140\"}", "date" },
        { "{\"cvx\":\"140\",\"date\":\"2999-01-01\"}", "future" },
        { "{\"cvx\":\"140\",\"date\":\"1979-12-31\"}", "birth" },
        { "{\"cvx\":\"140\",\"date\":\"2025-10-01T10:00:00\"}", "date" },
        { "{\"cvx\":\"140\",\"date\":\"2025-10-01\",\"status\":\"done\"}", "status" },
        { "{\"cvx\":\"140\",\"date\":\"2025-10-01\",\"status\":\"not-done\"}", "reason_not_done" },
        { "{\"cvx\":\"140\",\"date\":\"2025-10-01\",\"status\":\"not-done\","
          "\"reason_not_done\":\"BUSY\"}", "reason_not_done" },
        { "{\"cvx\":\"140\",\"date\":\"2025-10-01\",\"reason_not_done\":\"PATOBJ\"}", "reason_not_done" },
        { "{\"cvx\":\"140\",\"date\":\"2025-10-01\",\"status\":\"not-done\","
          "\"reason_not_done\":\"MEDPREC\",\"lot\":\"X1\"}", "lot" },
        { "{\"cvx\":\"140\",\"date\":\"2025-10-01\",\"site\":\"LL\"}", "site" },
        { "{\"cvx\":\"140\",\"date\":\"2025-10-01\",\"route\":\"SC\"}", "route" },
        { "{\"cvx\":\"140\",\"date\":\"2025-10-01\",\"lot\":\"\"}", "lot" },
        { "{\"cvx\":\"140\",\"date\":\"2025-10-01\",\"dose_number\":0}", "dose_number" },
        { "{\"cvx\":\"140\",\"date\":\"2025-10-01\",\"dose_ml\":-1}", "dose_ml" },
        { "{\"cvx\":\"140\",\"date\":\"2025-10-01\",\"manufacturer\":\"ACME\"}", "manufacturer" },
    };
    sw_test_expect_400s(e, e->auth, path, cases, sizeof cases / sizeof cases[0]);
    char *list = sw_test_get_text(e, e->auth, path);
    assert_non_null(strstr(list, "\"immunizations\":[]"));
    free(list);
    char *fhir = sw_test_get_text(e, e->auth, "/fhir/Immunization?patient=a1");
    assert_null(strstr(fhir, "\"resourceType\":\"Immunization\""));
    free(fhir);

    assert_int_equal(sw_test_post(e, e->auth, "/api/patients/nobody/immunizations",
                                  "{\"cvx\":\"140\",\"date\":\"2025-10-01\"}", NULL), 404);
    assert_int_equal(sw_test_get(e, e->auth, "/api/patients/nobody/immunizations", NULL), 404);
    char desk[512];
    sw_test_sign_in_new_user(e, "desk.a", "front_desk", desk, sizeof desk);
    assert_int_equal(sw_test_post(e, desk, path,
                                  "{\"cvx\":\"140\",\"date\":\"2025-10-01\"}", NULL), 403);
    assert_int_equal(sw_test_get(e, desk, path, NULL), 403);
    assert_int_equal(sw_test_get(e, desk, "/api/vaccines", NULL), 403);
}

/* A restricted record needs a broken glass, for reading and writing. */
static void restricted_record_is_refused(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/immunizations";
    sw_test_patient(e, "a1", NULL, NULL, "1980-03-01");
    sw_test_restrict(e, "a1");
    sw_http_result r;
    assert_int_equal(sw_test_get(e, e->auth, path, &r), 403);
    assert_non_null(strstr(r.body, "break_the_glass_required"));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"cvx\":\"140\",\"date\":\"2025-10-01\"}",
                                  &r), 403);
    assert_non_null(strstr(r.body, "break_the_glass_required"));
    sw_http_result_free(&r);
    sw_test_break_the_glass(e, e->auth, "a1", "covering for the patient's clinician");
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"cvx\":\"140\",\"date\":\"2025-10-01\"}",
                                  NULL), 201);
    char *list = sw_test_get_text(e, e->auth, path);
    assert_non_null(strstr(list, "\"id\":"));
    free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(vaccines_are_searched,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(doses_given_and_not_given,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(bad_input_writes_nothing,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(restricted_record_is_refused,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
