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

#include "testdb.h"
#include "testserver.h"

#define XSS_TEXT "Knee pain <script>alert(1)</script>"
#define XSS_NOTE "<img src=x onerror=alert(1)> since the fall"

static long request(sw_test_env *e, const char *auth, const char *method,
                    const char *path, const char *body, sw_http_result *out)
{
    const char *headers[] = { auth, "Content-Type: application/json", NULL };
    sw_http_result r;
    if (sw_http(&e->srv, method, path, headers, body, body ? strlen(body) : 0,
                &r) != 0)
        return -1;
    long status = r.status;
    if (out)
        *out = r;
    else
        sw_http_result_free(&r);
    return status;
}

static long post(sw_test_env *e, const char *path, const char *body,
                 sw_http_result *out)
{
    return request(e, e->auth, "POST", path, body, out);
}

static char *get(sw_test_env *e, const char *path)
{
    sw_http_result r;
    assert_int_equal(request(e, e->auth, "GET", path, NULL, &r), 200);
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

static void patient(sw_test_env *e)
{
    const char *headers[] = { e->auth, "Content-Type: application/fhir+json", NULL };
    const char *body = "{\"resourceType\":\"Patient\",\"id\":\"a1\","
                       "\"birthDate\":\"1970-06-15\"}";
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, "PUT", "/fhir/Patient/a1", headers, body,
                             strlen(body), &r), 0);
    assert_int_equal(r.status, 201);
    sw_http_result_free(&r);
}

static void the_list_add_resolve_and_history(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/problems";
    patient(e);
    sw_http_result r;
    char diabetes[80], knee[80], resolve[200], history[200];
    assert_int_equal(post(e, path, "{\"code\":\"E11.9\",\"system\":\"icd10cm\","
                          "\"display\":\"Type 2 diabetes mellitus without "
                          "complications\",\"onset\":\"2019-04-02\"}", &r), 201);
    member(r.body, "problem", diabetes, sizeof diabetes);
    sw_http_result_free(&r);
    assert_int_equal(post(e, path, "{\"text\":\"" XSS_TEXT "\",\"note\":\""
                          XSS_NOTE "\"}", &r), 201);
    member(r.body, "problem", knee, sizeof knee);
    sw_http_result_free(&r);
    assert_int_equal(post(e, path, "{\"code\":\"59621000\",\"system\":\"snomed\","
                          "\"display\":\"Essential hypertension (disorder)\"}",
                          NULL), 201);

    /* The same problem twice, by code or by text in another case. */
    assert_int_equal(post(e, path, "{\"code\":\"E11.9\",\"display\":\"Diabetes\"}",
                          &r), 409);
    assert_non_null(strstr(r.body, "already on the problem list"));
    sw_http_result_free(&r);
    assert_int_equal(post(e, path, "{\"text\":\"KNEE PAIN <SCRIPT>ALERT(1)</SCRIPT>\"}",
                          NULL), 409);

    char *list = get(e, path);
    assert_int_equal(count(list, "\"status\":\"active\""), 3);
    assert_non_null(strstr(list, "\"display\":\"" XSS_TEXT "\""));
    assert_non_null(strstr(list, "\"note\":\"" XSS_NOTE "\""));
    assert_non_null(strstr(list, "\"system\":\"snomed\""));
    assert_non_null(strstr(list, "\"username\":\"" SW_TEST_CLINICIAN "\""));
    free(list);

    /* Resolving: then after the active ones, and the code free again. */
    snprintf(resolve, sizeof resolve, "%s/%s/resolve", path, diabetes);
    assert_int_equal(post(e, resolve, "{\"abatement\":\"2026-01-10\"}", &r), 200);
    assert_non_null(strstr(r.body, "\"status\":\"resolved\""));
    sw_http_result_free(&r);
    assert_int_equal(post(e, resolve, "{}", &r), 409);
    assert_non_null(strstr(r.body, "not active"));
    sw_http_result_free(&r);
    list = get(e, path);
    assert_int_equal(count(list, "\"status\":\"active\""), 2);
    const char *resolved = strstr(list, "\"status\":\"resolved\"");
    assert_non_null(resolved);
    assert_true(strstr(list, "\"status\":\"active\"") < resolved);
    assert_null(strstr(resolved, "\"status\":\"active\""));
    assert_non_null(strstr(list, "\"abatement\":\"2026-01-10\""));
    free(list);
    assert_int_equal(post(e, path, "{\"code\":\"E11.9\",\"display\":\"Type 2 "
                          "diabetes mellitus without complications\"}", NULL), 201);

    /* History: both versions, in order, with who and when. */
    snprintf(history, sizeof history, "/api/problems/%s/history", diabetes);
    char *h = get(e, history);
    assert_int_equal(count(h, "\"version\":"), 2);
    const char *v1 = strstr(h, "\"version\":1"), *v2 = strstr(h, "\"version\":2");
    assert_non_null(v1);
    assert_non_null(v2);
    assert_true(v1 < v2);
    assert_non_null(strstr(v1, "\"status\":\"active\""));
    assert_non_null(strstr(v2, "\"status\":\"resolved\""));
    assert_int_equal(count(h, "\"username\":\"" SW_TEST_CLINICIAN "\""), 2);
    free(h);

    /* The stored FHIR is a problem-list Condition. */
    char fhir[200];
    snprintf(fhir, sizeof fhir, "/fhir/Condition/%s", knee);
    char *c = get(e, fhir);
    assert_non_null(strstr(c, "\"code\":\"problem-list-item\""));
    assert_non_null(strstr(c, "\"recorder\""));
    assert_non_null(strstr(c, "condition-ver-status"));
    free(c);

    char *audit = get(e, "/api/audit?patient=a1&type=Condition");
    assert_non_null(strstr(audit, "\"feature\":\"problems.create\""));
    assert_non_null(strstr(audit, "\"feature\":\"problems.update\""));
    assert_non_null(strstr(audit, "\"feature\":\"problems.read\""));
    free(audit);
}

static void bad_input_writes_nothing(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/problems";
    patient(e);
    static const struct { const char *body, *names; } cases[] = {
        { "{}", "text" },
        { "{\"text\":\"\"}", "text" },
        { "{\"text\":\"two\\nlines\"}", "text" },
        { "{\"text\":7}", "text" },
        { "{\"code\":\"E11.9\"}", "display" },
        { "{\"code\":\"E119X\",\"display\":\"Diabetes\"}", "code" },
        { "{\"code\":\"59621001\",\"system\":\"snomed\",\"display\":\"Hypertension\"}", "code" },
        { "{\"code\":\"E11.9\",\"system\":\"loinc\",\"display\":\"Diabetes\"}", "system" },
        { "{\"system\":\"snomed\",\"text\":\"Diabetes\"}", "system" },
        { "{\"text\":\"Asthma\",\"onset\":\"2999-01-01\"}", "onset" },
        { "{\"text\":\"Asthma\",\"onset\":\"yesterday\"}", "onset" },
        { "{\"text\":\"Asthma\",\"severity\":\"mild\"}", "severity" },
        { "{\"text\":\"Asthma\",\"note\":\"\"}", "note" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_http_result r;
        long status = post(e, path, cases[i].body, &r);
        if (status != 400 || strstr(r.body, cases[i].names) == NULL)
            fail_msg("%s answered %ld: %s", cases[i].body, status, r.body);
        sw_http_result_free(&r);
    }
    char *list = get(e, path);
    assert_non_null(strstr(list, "\"problems\":[]"));
    free(list);
    char *fhir = get(e, "/fhir/Condition?patient=a1");
    assert_null(strstr(fhir, "\"resourceType\":\"Condition\""));
    free(fhir);

    assert_int_equal(post(e, "/api/patients/nobody/problems",
                          "{\"text\":\"Asthma\"}", NULL), 404);
    assert_int_equal(request(e, e->auth, "GET", "/api/patients/nobody/problems",
                             NULL, NULL), 404);
    assert_int_equal(post(e, "/api/patients/a1/problems/nothing/resolve", "{}",
                          NULL), 404);
    assert_int_equal(request(e, e->auth, "GET", "/api/problems/nothing/history",
                             NULL, NULL), 404);

    sw_http_result r;
    assert_int_equal(post(e, path, "{\"text\":\"Asthma\"}", &r), 201);
    char id[80], resolve[200];
    member(r.body, "problem", id, sizeof id);
    sw_http_result_free(&r);
    snprintf(resolve, sizeof resolve, "%s/%s/resolve", path, id);
    assert_int_equal(post(e, resolve, "{\"abatement\":\"2999-01-01\"}", &r), 400);
    assert_non_null(strstr(r.body, "abatement"));
    sw_http_result_free(&r);
    assert_int_equal(post(e, resolve, "{\"when\":\"2020-01-01\"}", &r), 400);
    assert_non_null(strstr(r.body, "when"));
    sw_http_result_free(&r);

    char desk[512];
    assert_int_equal(sw_test_add_user(e->db, "desk.a", "front_desk"), 0);
    assert_int_equal(sw_test_sign_in_as(&e->srv, "desk.a", desk, sizeof desk), 0);
    assert_int_equal(request(e, desk, "POST", path, "{\"text\":\"Gout\"}", NULL), 403);
    assert_int_equal(request(e, desk, "GET", path, NULL, NULL), 403);
    assert_int_equal(request(e, desk, "POST", resolve, "{}", NULL), 403);
    list = get(e, path);
    assert_null(strstr(list, "Gout"));
    assert_non_null(strstr(list, "\"status\":\"active\""));
    free(list);
}

/* A restricted record needs a broken glass, for reading and writing. */
static void restricted_record_is_refused(void **state)
{
    sw_test_env *e = *state;
    const char *path = "/api/patients/a1/problems";
    patient(e);
    assert_int_equal(request(e, e->auth, "PUT", "/api/patients/a1/restriction",
                             "{\"reason\":\"staff member\"}", NULL), 200);
    sw_http_result r;
    assert_int_equal(request(e, e->auth, "GET", path, NULL, &r), 403);
    assert_non_null(strstr(r.body, "break_the_glass_required"));
    sw_http_result_free(&r);
    assert_int_equal(post(e, path, "{\"text\":\"Asthma\"}", &r), 403);
    assert_non_null(strstr(r.body, "break_the_glass_required"));
    sw_http_result_free(&r);
    assert_int_equal(request(e, e->auth, "POST", "/api/patients/a1/break-the-glass",
                             "{\"reason\":\"covering for the patient's clinician\"}",
                             NULL), 201);
    assert_int_equal(post(e, path, "{\"text\":\"Asthma\"}", NULL), 201);
    char *list = get(e, path);
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
