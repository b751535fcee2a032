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

#include "testdb.h"
#include "testserver.h"

#define PEN "{\"substance\":{\"system\":\"http://www.nlm.nih.gov/research/umls/rxnorm\"," \
            "\"code\":\"7980\",\"display\":\"Penicillin G\"},\"category\":\"medication\"," \
            "\"criticality\":\"high\",\"reaction\":\"Hives\",\"severity\":\"moderate\"}"

static long post(sw_test_env *e, const char *auth, const char *path,
                 const char *body, sw_http_result *out)
{
    const char *headers[] = { auth, "Content-Type: application/json", NULL };
    sw_http_result r;
    if (sw_http(&e->srv, "POST", path, headers, body, strlen(body), &r) != 0)
        return -1;
    long status = r.status;
    if (out)
        *out = r;
    else
        sw_http_result_free(&r);
    return status;
}

static char *get(sw_test_env *e, const char *path)
{
    const char *headers[] = { e->auth, NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, "GET", path, headers, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    char *body = strdup(r.body);
    sw_http_result_free(&r);
    return body;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void patient(sw_test_env *e)
{
    const char *headers[] = { e->auth, "Content-Type: application/fhir+json", NULL };
    const char *body = "{\"resourceType\":\"Patient\",\"id\":\"a1\"}";
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, "PUT", "/fhir/Patient/a1", headers, body,
                             strlen(body), &r), 0);
    assert_int_equal(r.status, 201);
    sw_http_result_free(&r);
}

static void the_list_stays_consistent(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/allergies";
    patient(e);
    sw_http_result r;
    assert_int_equal(post(e, e->auth, path, "{\"no_known_allergies\":true}", NULL), 201);
    assert_int_equal(post(e, e->auth, path, "{\"no_known_allergies\":true}", &r), 200);
    assert_non_null(strstr(r.body, "\"unchanged\":true"));
    sw_http_result_free(&r);

    assert_int_equal(post(e, e->auth, path, PEN, &r), 201);
    assert_null(strstr(r.body, "\"retired\":[]"));
    sw_http_result_free(&r);
    char *list = get(e, "/fhir/AllergyIntolerance?patient=a1&clinical-status=active");
    assert_int_equal(count(list, "\"resourceType\":\"AllergyIntolerance\""), 1);
    assert_non_null(strstr(list, "Penicillin G"));
    assert_non_null(strstr(list, "\"criticality\":\"high\""));
    free(list);
    list = get(e, "/fhir/AllergyIntolerance?patient=a1&clinical-status=inactive");
    assert_non_null(strstr(list, "716186003"));
    free(list);

    assert_int_equal(post(e, e->auth, path, "{\"substance\":{\"text\":\"penicillin g\"}}", &r), 409);
    assert_non_null(strstr(r.body, "already on the list"));
    sw_http_result_free(&r);
    assert_int_equal(post(e, e->auth, path, "{\"no_known_allergies\":true}", &r), 409);
    assert_non_null(strstr(r.body, "Penicillin G"));
    sw_http_result_free(&r);
    assert_int_equal(post(e, e->auth, path, "{\"substance\":{\"text\":\"Peanuts\"},"
                          "\"category\":\"food\"}", NULL), 201);
    list = get(e, "/fhir/AllergyIntolerance?patient=a1&clinical-status=active");
    assert_int_equal(count(list, "\"resourceType\":\"AllergyIntolerance\""), 2);
    free(list);

    char *audit = get(e, "/api/audit?patient=a1&type=AllergyIntolerance");
    assert_non_null(strstr(audit, "\"feature\":\"allergies.create\""));
    assert_non_null(strstr(audit, "\"feature\":\"allergies.update\""));
    free(audit);
}

static void bad_input_writes_nothing(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/allergies";
    patient(e);
    static const struct { const char *body, *names; } cases[] = {
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
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_http_result r;
        long status = post(e, e->auth, path, cases[i].body, &r);
        if (status != 400 || strstr(r.body, cases[i].names) == NULL)
            fail_msg("%s answered %ld: %s", cases[i].body, status, r.body);
        sw_http_result_free(&r);
    }
    char *list = get(e, "/fhir/AllergyIntolerance?patient=a1");
    assert_int_equal(count(list, "\"resourceType\":\"AllergyIntolerance\""), 0);
    free(list);
    assert_int_equal(post(e, e->auth, "/api/patients/nobody/allergies",
                          "{\"no_known_allergies\":true}", NULL), 404);
    char desk[512];
    assert_int_equal(sw_test_add_user(e->db, "desk.a", "front_desk"), 0);
    assert_int_equal(sw_test_sign_in_as(&e->srv, "desk.a", desk, sizeof desk), 0);
    assert_int_equal(post(e, desk, path, "{\"no_known_allergies\":true}", NULL), 403);
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
