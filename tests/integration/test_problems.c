/* test_problems.c - the problem list's /api against the real server, on
 * each store: problems added (ICD-10-CM, SNOMED CT, text), listed active
 * first, the same problem refused while active (by code or by text in any
 * case), resolving (then listed after the active ones, and addable again),
 * a problem's history with both versions and who wrote them, bad input
 * refused naming the member with nothing written, unknown patients and
 * problems 404, roles without clinical access 403, markup stored as the
 * text it is, and the audit entries problems.create, .update and .read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testapi.h"

#define XSS_TEXT "Knee pain <script>alert(1)</script>"
#define XSS_NOTE "<img src=x onerror=alert(1)> since the fall"

/* The value of "key":"…" after the first occurrence of key in body. */
static void member(const char *body, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(body, pat);
    assert_non_null(p);
    p += strlen(pat);
    size_t n = strcspn(p, "\"");
    assert_true(n < cap);
    memcpy(out, p, n);
    out[n] = '\0';
}

static void the_list_add_resolve_and_history(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/problems";
    sw_test_patient(e, "a1", NULL, NULL, "1970-06-15");
    sw_http_result r;
    char diabetes[80], knee[80], resolve[200], history[200];
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"code\":\"E11.9\",\"system\":\"icd10cm\","
                                  "\"display\":\"Type 2 diabetes mellitus without "
                                  "complications\",\"onset\":\"2019-04-02\"}", &r), 201);
    member(r.body, "problem", diabetes, sizeof diabetes);
    sw_http_result_free(&r);
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"text\":\"" XSS_TEXT "\",\"note\":\""
                                  XSS_NOTE "\"}", &r), 201);
    member(r.body, "problem", knee, sizeof knee);
    sw_http_result_free(&r);
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"code\":\"59621000\",\"system\":\"snomed\","
                                  "\"display\":\"Essential hypertension (disorder)\"}",
                                  NULL), 201);
    /* A code of the shipped table needs no display. */
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"code\":\"j45.909\"}", NULL), 201);

    /* The same problem twice, by code or by text in another case. */
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"code\":\"E11.9\",\"display\":\"Diabetes\"}",
                                  &r), 409);
    assert_non_null(strstr(r.body, "already on the problem list"));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_post(e, e->auth, path,
                                  "{\"text\":\"KNEE PAIN <SCRIPT>ALERT(1)</SCRIPT>\"}",
                                  NULL), 409);

    char *list = sw_test_get_text(e, e->auth, path);
    assert_int_equal(sw_test_count(list, "\"status\":\"active\""), 4);
    assert_non_null(strstr(list, "\"code\":\"J45.909\""));
    assert_non_null(strstr(list, "\"display\":\"Unspecified asthma, uncomplicated\""));
    assert_non_null(strstr(list, "\"display\":\"" XSS_TEXT "\""));
    assert_non_null(strstr(list, "\"note\":\"" XSS_NOTE "\""));
    assert_non_null(strstr(list, "\"system\":\"snomed\""));
    assert_non_null(strstr(list, "\"username\":\"" SW_TEST_CLINICIAN "\""));
    free(list);

    /* Resolving: then after the active ones, and the code free again. */
    snprintf(resolve, sizeof resolve, "%s/%s/resolve", path, diabetes);
    assert_int_equal(sw_test_post(e, e->auth, resolve, "{\"abatement\":\"2026-01-10\"}", &r), 200);
    assert_non_null(strstr(r.body, "\"status\":\"resolved\""));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_post(e, e->auth, resolve, "{}", &r), 409);
    assert_non_null(strstr(r.body, "not active"));
    sw_http_result_free(&r);
    list = sw_test_get_text(e, e->auth, path);
    assert_int_equal(sw_test_count(list, "\"status\":\"active\""), 3);
    const char *resolved = strstr(list, "\"status\":\"resolved\"");
    assert_non_null(resolved);
    assert_true(strstr(list, "\"status\":\"active\"") < resolved);
    assert_null(strstr(resolved, "\"status\":\"active\""));
    assert_non_null(strstr(list, "\"abatement\":\"2026-01-10\""));
    free(list);
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"code\":\"E11.9\",\"display\":\"Type 2 "
                                  "diabetes mellitus without complications\"}", NULL), 201);

    /* History: both versions, in order, with who and when. */
    snprintf(history, sizeof history, "/api/problems/%s/history", diabetes);
    char *h = sw_test_get_text(e, e->auth, history);
    assert_int_equal(sw_test_count(h, "\"version\":"), 2);
    const char *v1 = strstr(h, "\"version\":1"), *v2 = strstr(h, "\"version\":2");
    assert_non_null(v1);
    assert_non_null(v2);
    assert_true(v1 < v2);
    assert_non_null(strstr(v1, "\"status\":\"active\""));
    assert_non_null(strstr(v2, "\"status\":\"resolved\""));
    assert_int_equal(sw_test_count(h, "\"username\":\"" SW_TEST_CLINICIAN "\""), 2);
    free(h);

    /* The stored FHIR is a problem-list Condition. */
    char fhir[200];
    snprintf(fhir, sizeof fhir, "/fhir/Condition/%s", knee);
    char *c = sw_test_get_text(e, e->auth, fhir);
    assert_non_null(strstr(c, "\"code\":\"problem-list-item\""));
    assert_non_null(strstr(c, "\"recorder\""));
    assert_non_null(strstr(c, "condition-ver-status"));
    free(c);

    sw_test_expect_audited(e, "patient=a1&type=Condition",
                           "problems.create", "problems.update", "problems.read", NULL);
}

static void bad_input_writes_nothing(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/problems";
    sw_test_patient(e, "a1", NULL, NULL, "1970-06-15");
    static const sw_test_bad_body cases[] = {
        { "{}", "text" },
        { "{\"text\":\"\"}", "text" },
        { "{\"text\":\"two\\nlines\"}", "text" },
        { "{\"text\":7}", "text" },
        { "{\"code\":\"A00.0\"}", "display" },      /* not in the shipped table */
        { "{\"code\":\"E119X\",\"display\":\"Diabetes\"}", "code" },
        { "{\"code\":\"59621001\",\"system\":\"snomed\",\"display\":\"Hypertension\"}", "code" },
        { "{\"code\":\"E11.9\",\"system\":\"loinc\",\"display\":\"Diabetes\"}", "system" },
        { "{\"system\":\"snomed\",\"text\":\"Diabetes\"}", "system" },
        { "{\"text\":\"Asthma\",\"onset\":\"2999-01-01\"}", "onset" },
        { "{\"text\":\"Asthma\",\"onset\":\"yesterday\"}", "onset" },
        { "{\"text\":\"Asthma\",\"severity\":\"mild\"}", "severity" },
        { "{\"text\":\"Asthma\",\"note\":\"\"}", "note" },
    };
    sw_test_expect_400s(e, e->auth, path, cases, sizeof cases / sizeof cases[0]);
    char *list = sw_test_get_text(e, e->auth, path);
    assert_non_null(strstr(list, "\"problems\":[]"));
    free(list);
    char *fhir = sw_test_get_text(e, e->auth, "/fhir/Condition?patient=a1");
    assert_null(strstr(fhir, "\"resourceType\":\"Condition\""));
    free(fhir);

    assert_int_equal(sw_test_post(e, e->auth, "/api/patients/nobody/problems",
                                  "{\"text\":\"Asthma\"}", NULL), 404);
    assert_int_equal(sw_test_get(e, e->auth, "/api/patients/nobody/problems", NULL), 404);
    assert_int_equal(sw_test_post(e, e->auth, "/api/patients/a1/problems/nothing/resolve", "{}",
                                  NULL), 404);
    assert_int_equal(sw_test_get(e, e->auth, "/api/problems/nothing/history", NULL), 404);

    sw_http_result r;
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"text\":\"Asthma\"}", &r), 201);
    char id[80], resolve[200];
    member(r.body, "problem", id, sizeof id);
    sw_http_result_free(&r);
    snprintf(resolve, sizeof resolve, "%s/%s/resolve", path, id);
    assert_int_equal(sw_test_post(e, e->auth, resolve, "{\"abatement\":\"2999-01-01\"}", &r), 400);
    assert_non_null(strstr(r.body, "abatement"));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_post(e, e->auth, resolve, "{\"when\":\"2020-01-01\"}", &r), 400);
    assert_non_null(strstr(r.body, "when"));
    sw_http_result_free(&r);

    char desk[512];
    sw_test_sign_in_new_user(e, "desk.a", "front_desk", desk, sizeof desk);
    assert_int_equal(sw_test_post(e, desk, path, "{\"text\":\"Gout\"}", NULL), 403);
    assert_int_equal(sw_test_get(e, desk, path, NULL), 403);
    assert_int_equal(sw_test_post(e, desk, resolve, "{}", NULL), 403);
    list = sw_test_get_text(e, e->auth, path);
    assert_null(strstr(list, "Gout"));
    assert_non_null(strstr(list, "\"status\":\"active\""));
    free(list);
}

/* A restricted record needs a broken glass, for reading and writing. */
static void restricted_record_is_refused(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/problems";
    sw_test_patient(e, "a1", NULL, NULL, "1970-06-15");
    sw_test_restrict(e, "a1");
    sw_http_result r;
    assert_int_equal(sw_test_get(e, e->auth, path, &r), 403);
    assert_non_null(strstr(r.body, "break_the_glass_required"));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"text\":\"Asthma\"}", &r), 403);
    assert_non_null(strstr(r.body, "break_the_glass_required"));
    sw_http_result_free(&r);
    sw_test_break_the_glass(e, e->auth, "a1", "covering for the patient's clinician");
    assert_int_equal(sw_test_post(e, e->auth, path, "{\"text\":\"Asthma\"}", NULL), 201);
    char *list = sw_test_get_text(e, e->auth, path);
    assert_non_null(strstr(list, "\"id\":"));
    free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_list_add_resolve_and_history,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(bad_input_writes_nothing,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(restricted_record_is_refused,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
