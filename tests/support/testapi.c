/* testapi.c - the steps of API tests (see testapi.h). Bodies sent to /fhir
 * are built with jansson so that any id or name arrives escaped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Requests ----------------------------------------------------------- */

long sw_test_request(sw_test_env *e, const char *auth, const char *method,
                     const char *path, const char *ctype, const char *body,
                     sw_http_result *out)
{
    char ct[96];
    const char *headers[3] = { NULL, NULL, NULL };
    size_t n = 0;
    if (auth)
        headers[n++] = auth;
    if (ctype) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        headers[n++] = ct;
    }
    sw_http_result r;
    if (sw_http(&e->srv, method, path, headers, body, body ? strlen(body) : 0, &r) != 0) {
        sw_http_result_free(&r);
        if (out)
            memset(out, 0, sizeof *out);
        return -1;
    }
    long status = r.status;
    if (out)
        *out = r;
    else
        sw_http_result_free(&r);
    return status;
}

long sw_test_get(sw_test_env *e, const char *auth, const char *path,
                 sw_http_result *out)
{
    return sw_test_request(e, auth, "GET", path, NULL, NULL, out);
}

long sw_test_post(sw_test_env *e, const char *auth, const char *path,
                  const char *body, sw_http_result *out)
{
    return sw_test_request(e, auth, "POST", path, SW_TEST_JSON, body, out);
}

long sw_test_call(sw_test_env *e, const char *auth, const char *method,
                  const char *path, const char *body, json_t **out)
{
    sw_http_result r;
    long status = sw_test_request(e, auth, method, path, SW_TEST_JSON, body, &r);
    if (out) {
        *out = NULL;
        if (status >= 0) {
            *out = json_loads(r.body, 0, NULL);
            if (*out == NULL) {
                /* fail_msg does not return: the answer is printed first. */
                char *text = strdup(r.body ? r.body : "");
                sw_http_result_free(&r);
                fail_msg("%s %s answered %ld, not JSON: %s", method, path, status, text);
            }
        }
    }
    sw_http_result_free(&r);
    return status;
}

json_t *sw_test_get_json(sw_test_env *e, const char *auth, const char *path)
{
    json_t *doc;
    long status = sw_test_call(e, auth, "GET", path, NULL, &doc);
    if (status != 200) {
        char *text = doc ? json_dumps(doc, 0) : NULL;
        fail_msg("GET %s answered %ld: %s", path, status, text ? text : "");
    }
    return doc;
}

char *sw_test_get_text(sw_test_env *e, const char *auth, const char *path)
{
    sw_http_result r;
    long status = sw_test_get(e, auth, path, &r);
    if (status != 200)
        fail_msg("GET %s answered %ld: %s", path, status, r.body ? r.body : "");
    char *body = strdup(r.body);
    sw_http_result_free(&r);
    return body;
}

/* ---- Answers ------------------------------------------------------------ */

const char *sw_test_str(json_t *doc, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *v = doc;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ".", &save); v && tok; tok = strtok_r(NULL, ".", &save))
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(tok))
                             : json_object_get(v, tok);
    return json_string_value(v);
}

int sw_test_count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

bool sw_test_listed(json_t *list, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return true;
    return false;
}

json_t *sw_test_find(json_t *list, const char *member, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        const char *s = json_string_value(json_object_get(v, member));
        if (s && strcmp(s, value) == 0)
            return v;
    }
    return NULL;
}

/* ---- Records ------------------------------------------------------------ */

void sw_test_fhir_create(sw_test_env *e, const char *path, const char *body)
{
    sw_http_result r;
    long status = sw_test_request(e, e->auth, "PUT", path, SW_TEST_FHIR_JSON, body, &r);
    if (status != 201)
        fail_msg("PUT %s answered %ld, not 201: %s", path, status, r.body ? r.body : "");
    sw_http_result_free(&r);
}

/* Creates type/id from doc, which it consumes. */
static void create_json(sw_test_env *e, const char *type, const char *id, json_t *doc)
{
    char path[256];
    snprintf(path, sizeof path, "/fhir/%s/%s", type, id);
    char *body = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    assert_non_null(body);
    sw_test_fhir_create(e, path, body);
    free(body);
}

void sw_test_patient(sw_test_env *e, const char *id, const char *given,
                     const char *family, const char *birth_date)
{
    json_t *p = json_pack("{s:s, s:s}", "resourceType", "Patient", "id", id);
    if (given || family) {
        json_t *name = json_object();
        if (family)
            json_object_set_new(name, "family", json_string(family));
        if (given)
            json_object_set_new(name, "given", json_pack("[s]", given));
        json_object_set_new(p, "name", json_pack("[o]", name));
    }
    if (birth_date)
        json_object_set_new(p, "birthDate", json_string(birth_date));
    create_json(e, "Patient", id, p);
}

void sw_test_encounter(sw_test_env *e, const char *id, const char *patient_id)
{
    char subject[128];
    snprintf(subject, sizeof subject, "Patient/%s", patient_id);
    create_json(e, "Encounter", id, json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s}}",
        "resourceType", "Encounter", "id", id, "status", "in-progress",
        "class", "system", "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                 "code", "AMB",
        "subject", "reference", subject));
}

void sw_test_appointment(sw_test_env *e, const sw_test_appt *a)
{
    char patient[128];
    snprintf(patient, sizeof patient, "Patient/%s", a->patient);
    create_json(e, "Appointment", a->id, json_pack(
        "{s:s, s:s, s:s, s:{s:s}, s:[{s:s}], s:s, s:s,"
        " s:[{s:{s:s}, s:s}, {s:{s:{s:s, s:s}, s:s}, s:s}]}",
        "resourceType", "Appointment", "id", a->id, "status", "booked",
        "appointmentType", "text", a->type,
        "reasonCode", "text", a->reason,
        "start", a->start, "end", a->end,
        "participant",
            "actor", "reference", patient, "status", "accepted",
            "actor", "identifier", "system", "urn:stagewise:user",
                                   "value", a->clinician,
                     "display", a->clinician,
            "status", "accepted"));
}

/* ---- Records shut and opened -------------------------------------------- */

void sw_test_restrict(sw_test_env *e, const char *patient_id)
{
    char path[160];
    snprintf(path, sizeof path, "/api/patients/%s/restriction", patient_id);
    json_t *doc;
    long status = sw_test_call(e, e->auth, "PUT", path, "{\"reason\":\"staff member\"}", &doc);
    if (status != 200)
        fail_msg("PUT %s answered %ld", path, status);
    json_decref(doc);
}

void sw_test_break_the_glass(sw_test_env *e, const char *auth,
                             const char *patient_id, const char *reason)
{
    char path[160];
    snprintf(path, sizeof path, "/api/patients/%s/break-the-glass", patient_id);
    json_t *req = json_pack("{s:s}", "reason", reason);
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    json_t *doc;
    long status = sw_test_call(e, auth, "POST", path, body, &doc);
    free(body);
    if (status != 201)
        fail_msg("POST %s answered %ld", path, status);
    json_decref(doc);
}

/* ---- Checks ------------------------------------------------------------- */

void sw_test_expect_400s(sw_test_env *e, const char *auth, const char *path,
                         const sw_test_bad_body *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sw_http_result r;
        long status = sw_test_post(e, auth, path, cases[i].body, &r);
        if (status != 400 || r.body == NULL || strstr(r.body, cases[i].names) == NULL)
            fail_msg("%s answered %ld: %s", cases[i].body, status, r.body ? r.body : "");
        sw_http_result_free(&r);
    }
}

void sw_test_expect_audited(sw_test_env *e, const char *query, ...)
{
    char path[512];
    snprintf(path, sizeof path, "/api/audit?%s", query);
    char *trail = sw_test_get_text(e, e->auth, path);
    va_list ap;
    va_start(ap, query);
    for (const char *f = va_arg(ap, const char *); f; f = va_arg(ap, const char *)) {
        char want[160];
        snprintf(want, sizeof want, "\"feature\":\"%s\"", f);
        if (strstr(trail, want) == NULL)
            fail_msg("no %s entry in the audit trail for %s: %s", f, query, trail);
    }
    va_end(ap);
    free(trail);
}

/* ---- Users -------------------------------------------------------------- */

void sw_test_sign_in_new_user(sw_test_env *e, const char *username,
                              const char *roles, char *auth, size_t cap)
{
    if (sw_test_add_user(e->db, username, roles) != 0)
        fail_msg("adding %s (%s) failed", username, roles);
    if (sw_test_sign_in_as(&e->srv, username, auth, cap) != 0)
        fail_msg("signing in as %s failed", username);
}

/* ---- Plans -------------------------------------------------------------- */

void sw_test_staged_plan(sw_test_env *e, const char *auth, const char *stage,
                         ...)
{
    json_t *doc;
    assert_int_equal(sw_test_call(e, auth, "POST", "/api/plan/template",
                                  "{\"template\":\"front-office-first\","
                                  "\"start\":\"2027-01-04\"}", &doc), 200);
    json_decref(doc);
    json_t *cur = sw_test_get_json(e, auth, "/api/plan");
    json_t *plan = json_object_get(cur, "plan");
    json_t *st = sw_test_find(json_object_get(plan, "stages"), "id", stage);
    if (st == NULL)
        fail_msg("front-office-first has no stage %s", stage);
    json_t *roles = json_array();
    va_list ap;
    va_start(ap, stage);
    for (const char *r = va_arg(ap, const char *); r; r = va_arg(ap, const char *))
        json_array_append_new(roles, json_string(r));
    va_end(ap);
    json_object_set_new(st, "cohort", json_pack("{s:s, s:o}", "kind", "roles",
                                                "roles", roles));
    json_t *put = json_pack("{s:O, s:O}", "plan", plan, "version",
                            json_object_get(cur, "version"));
    char *body = json_dumps(put, 0);
    assert_int_equal(sw_test_call(e, auth, "PUT", "/api/plan", body, &doc), 200);
    free(body);
    json_decref(doc);
    json_decref(put);
    json_decref(cur);
}

char *sw_test_expect_run(int want, const char *const *args, const char *word)
{
    char *out = NULL, *err = NULL;
    int status = sw_test_run(args, NULL, &out, &err);
    if (status != want)
        fail_msg("exit %d (wanted %d); stderr: %s", status, want, err);
    if (want != 0) {
        assert_true(strncmp(err, "stagewise: ", 11) == 0);
        char *nl = strchr(err, '\n');
        assert_non_null(nl);
        assert_int_equal(nl[1], '\0');
        if (word && strstr(err, word) == NULL)
            fail_msg("stderr '%s' lacks '%s'", err, word);
    }
    free(err);
    return out;
}
