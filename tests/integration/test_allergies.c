/* test_allergies.c - POST /api/patients/{id}/allergies against the real
 * server, on each store: "no known allergies" recorded once (a repeat
 * changes nothing), a real allergy retiring it in the same transaction,
 * the same substance refused twice (by code or by text), "no known
 * allergies" refused while an allergy is active, bad input refused naming
 * the member with nothing written, unknown patients and roles without
 * clinical write refused; every write audited as allergies.*. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_list_stays_consistent,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(bad_input_writes_nothing,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
