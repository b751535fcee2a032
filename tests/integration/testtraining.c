/* testtraining.c - see testtraining.h. */
#include "testtraining.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "store/store.h"
#include "training/env_store.h"
#include "training/generate.h"

void tt_case_patient(sw_test_env *e, const char *username, const char *case_id,
                     char out[80])
{
    char url[SW_STORE_MAX_URL_BYTES];
    sw_err err;
    assert_int_equal(training_store_url(e->db, url, sizeof url, &err), SW_OK);
    store_options so = { .connections = 1 };
    sw_store *s;
    if (store_open(url, &so, &s, &err) != SW_OK)
        fail_msg("cannot open %s: %s", url, err.msg);
    if (training_case_patient(s, 1, username, case_id, out, &err) != SW_OK)
        fail_msg("no %s patient for %s: %s", case_id, username, err.msg);
    store_close(s);
}

json_t *tt_course(sw_test_env *e, const char *auth, const char *course,
                  const char *what)
{
    char path[200];
    snprintf(path, sizeof path, TT_COURSES "%s%s%s", course, what ? "/" : "",
             what ? what : "");
    json_t *doc;
    long st = sw_test_call(e, auth, what ? "POST" : "GET", path, NULL, &doc);
    if (st != 200)
        fail_msg("%s answered %ld", path, st);
    return doc;
}

static json_t *exercise(json_t *course, const char *ex)
{
    json_t *v = sw_test_find(json_object_get(course, "exercises"), "id", ex);
    if (v == NULL)
        fail_msg("no exercise %s", ex);
    return v;
}

bool tt_done(json_t *course, const char *ex)
{
    return json_is_true(json_object_get(exercise(course, ex), "done"));
}

const char *tt_missing(json_t *course, const char *ex)
{
    const char *m = sw_test_str(exercise(course, ex), "missing");
    return m ? m : "";
}

void tt_visit(sw_test_env *e, const char *auth, const char *patient,
              const char *coding, bool sign)
{
    char path[200];
    json_t *doc;
    snprintf(path, sizeof path, "/training/api/patients/%s/visits", patient);
    assert_int_equal(sw_test_call(e, auth, "POST", path,
                     "{\"visit_type\":\"acute\",\"reason\":\"Follow-up\"}", &doc), 201);
    char enc[100];
    snprintf(enc, sizeof enc, "%s", sw_test_str(doc, "encounter"));
    json_decref(doc);
    snprintf(path, sizeof path, "/training/api/visits/%s/note", enc);
    assert_int_equal(sw_test_call(e, auth, "PUT", path, "{\"template\":\"acute\","
                     "\"sections\":{\"subjective\":\"s\",\"objective\":\"o\","
                     "\"assessment\":\"a\",\"plan\":\"p\"}}", NULL), 200);
    snprintf(path, sizeof path, "/training/api/visits/%s/coding", enc);
    assert_int_equal(sw_test_call(e, auth, "PUT", path, coding, NULL), 200);
    if (!sign)
        return;
    snprintf(path, sizeof path, "/training/api/visits/%s/sign", enc);
    assert_int_equal(sw_test_call(e, auth, "POST", path, NULL, NULL), 200);
}

void tt_sign_off_result(sw_test_env *e, const char *auth, const char *username,
                        bool review, const char *comment)
{
    char p[80], path[200], body[600];
    tt_case_patient(e, username, TRAINING_CASE_PENDING, p);
    snprintf(path, sizeof path, "/training/fhir/DiagnosticReport?subject=Patient/%s", p);
    json_t *b = sw_test_get_json(e, auth, path);
    const char *id = sw_test_str(b, "entry.0.resource.id");
    assert_non_null(id);
    char report[100];
    snprintf(report, sizeof report, "%s", id);
    json_decref(b);
    if (review) {
        snprintf(path, sizeof path, "/training/api/results/%s", report);
        json_decref(sw_test_get_json(e, auth, path));
    }
    snprintf(path, sizeof path, "/training/api/results/%s/sign-off", report);
    snprintf(body, sizeof body, comment ? "{\"comment\":\"%s\"}" : "{}",
             comment ? comment : "");
    assert_int_equal(sw_test_call(e, auth, "POST", path, body, NULL), 200);
}
