/* test_orders_results.c - orders, results, the inbox and staff messages
 * against the real server, on each store: a lab ordered by dr.test, its
 * result filed by another clinician with results:write, flagged from the
 * ranges sent (or the catalog's), landing in dr.test's inbox only; the
 * result read back with its flags; sign-off clearing the inbox, recording
 * who and when (and the comment), audited as results.sign_off, idempotent;
 * the order completed (a preliminary result leaves it open); a result for
 * an unknown order or with bad values writing nothing; results filed by a
 * laboratory interface for an order with no account behind it reaching
 * every clinician who orders; restricted patients needing broken glass;
 * front desk refused results; messages reaching the recipient's inbox and
 * leaving it when done; notes listed and only cleared by signing; markup
 * stored verbatim. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/users.h"
#include "clinical/inbox.h"
#include "core/arena.h"
#include "store/store.h"
#include "testapi.h"

#define XSS "<script>alert(1)</script>\\\"&amp;"
#define XSS_STORED "<script>alert(1)</script>\"&amp;"

static char *order_lab(sw_test_env *e, const char *code)
{
    char body[512];
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"priority\":\"routine\","
             "\"reason\":\"Diabetes " XSS "\",\"note\":\"Fasting " XSS "\"}", code);
    json_t *r;
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/p1/orders", body, &r), 201);
    char *id = strdup(sw_test_str(r, "order"));
    json_decref(r);
    return id;
}

static void the_result_reaches_the_ordering_clinician(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "p1", "Ada", "Lovelace", "1960-12-10");
    char *order = order_lab(e, "4548-4");
    char other[512];
    sw_test_sign_in_new_user(e, "dr.other", "physician", other, sizeof other);
    char desk[512];
    sw_test_sign_in_new_user(e, "desk.a", "front_desk", desk, sizeof desk);

    /* The order as listed: active, no result yet, requested by dr.test. */
    json_t *r;
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/patients/p1/orders", NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "orders.0.id"), order);
    assert_string_equal(sw_test_str(r, "orders.0.status"), "active");
    assert_string_equal(sw_test_str(r, "orders.0.category"), "lab");
    assert_string_equal(sw_test_str(r, "orders.0.requester.username"), SW_TEST_CLINICIAN);
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(r, "orders"), 0), "result")));
    json_decref(r);

    /* Filed by another clinician: 8.1 % is above the high limit 5.6. */
    char body[1024];
    snprintf(body, sizeof body, "{\"order\":\"%s\",\"status\":\"final\","
             "\"conclusion\":\"Poor control " XSS "\",\"observations\":["
             "{\"code\":\"4548-4\",\"display\":\"Hemoglobin A1c\",\"value\":8.1,"
             "\"unit\":\"%%\",\"low\":4,\"high\":5.6}]}", order);
    assert_int_equal(sw_test_call(e, other, "POST", "/api/results", body, &r), 201);
    assert_true(json_is_true(json_object_get(r, "abnormal")));
    assert_true(json_is_false(json_object_get(r, "critical")));
    assert_string_equal(sw_test_str(r, "routed_to.0.username"), SW_TEST_CLINICIAN);
    assert_true(json_is_false(json_object_get(r, "requester_unresolved")));
    char *report = strdup(sw_test_str(r, "report"));
    assert_int_equal(json_array_size(json_object_get(r, "observations")), 1);
    json_decref(r);

    /* In dr.test's inbox, flagged; not in dr.other's. */
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/inbox", NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "counts"), "results")), 1);
    assert_string_equal(sw_test_str(r, "results.0.report"), report);
    assert_string_equal(sw_test_str(r, "results.0.flag"), "abnormal");
    assert_string_equal(sw_test_str(r, "results.0.patient.name"), "Ada Lovelace");
    assert_string_equal(sw_test_str(r, "results.0.title"),
                        "Hemoglobin A1c/Hemoglobin.total in Blood");
    long long item = json_integer_value(json_object_get(json_array_get(json_object_get(r, "results"), 0), "item"));
    json_decref(r);
    assert_int_equal(sw_test_call(e, other, "GET", "/api/inbox", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r, "results")), 0);
    json_decref(r);

    /* The result with its flag, not yet reviewed; markup verbatim. */
    char path[256];
    snprintf(path, sizeof path, "/api/results/%s", report);
    assert_int_equal(sw_test_call(e, e->auth, "GET", path, NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "observations.0.flag"), "H");
    assert_string_equal(sw_test_str(r, "observations.0.unit"), "%");
    assert_true(json_real_value(json_object_get(json_array_get(json_object_get(r, "observations"), 0), "value")) == 8.1);
    assert_string_equal(sw_test_str(r, "conclusion"), "Poor control " XSS_STORED);
    assert_string_equal(sw_test_str(r, "order"), order);
    assert_string_equal(sw_test_str(r, "patient.id"), "p1");
    assert_true(json_is_null(json_object_get(r, "reviewed")));
    json_decref(r);
    assert_int_equal(sw_test_call(e, desk, "GET", path, NULL, NULL), 403);

    /* The order is completed and points at its result. */
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/patients/p1/orders", NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "orders.0.status"), "completed");
    assert_string_equal(sw_test_str(r, "orders.0.result"), report);
    json_decref(r);

    /* A result is not cleared as "done": it is signed off. */
    char done[128];
    snprintf(done, sizeof done, "/api/inbox/%lld/done", item);
    assert_int_equal(sw_test_call(e, e->auth, "POST", done, NULL, &r), 409);
    assert_non_null(strstr(sw_test_str(r, "error.message"), "sign it off"));
    json_decref(r);

    char sign[256];
    snprintf(sign, sizeof sign, "/api/results/%s/sign-off", report);
    assert_int_equal(sw_test_call(e, e->auth, "POST", sign,
                                  "{\"comment\":\"Repeat in 3 months " XSS "\"}", &r), 200);
    assert_true(json_is_false(json_object_get(r, "unchanged")));
    char *reviewed_at = strdup(sw_test_str(r, "reviewed_at"));
    json_decref(r);
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/inbox", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r, "results")), 0);
    json_decref(r);
    assert_int_equal(sw_test_call(e, e->auth, "GET", path, NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "reviewed.by.username"), SW_TEST_CLINICIAN);
    assert_string_equal(sw_test_str(r, "reviewed.at"), reviewed_at);
    assert_string_equal(sw_test_str(r, "reviewed.comment"), "Repeat in 3 months " XSS_STORED);
    json_decref(r);
    /* Again: nothing changes. */
    assert_int_equal(sw_test_call(e, other, "POST", sign, NULL, &r), 200);
    assert_true(json_is_true(json_object_get(r, "unchanged")));
    assert_string_equal(sw_test_str(r, "reviewed_at"), reviewed_at);
    json_decref(r);

    char *audit = sw_test_get_text(e, e->auth, "/api/audit?patient=p1&type=DiagnosticReport");
    assert_non_null(strstr(audit, "\"results.sign_off\""));
    assert_non_null(strstr(audit, "\"results.create\""));
    free(audit);
    /* The values are results too, not vital signs. */
    audit = sw_test_get_text(e, e->auth, "/api/audit?patient=p1&type=Observation");
    assert_non_null(strstr(audit, "\"results.create\""));
    assert_null(strstr(audit, "\"vitals.create\""));
    free(audit);

    /* The order's reason and note, stored verbatim. */
    snprintf(path, sizeof path, "/fhir/ServiceRequest/%s", order);
    json_t *sr = sw_test_get_json(e, e->auth, path);
    assert_string_equal(sw_test_str(sr, "reasonCode.0.text"), "Diabetes " XSS_STORED);
    assert_string_equal(sw_test_str(sr, "note.0.text"), "Fasting " XSS_STORED);
    assert_string_equal(sw_test_str(sr, "status"), "completed");
    json_decref(sr);

    free(reviewed_at);
    free(report);
    free(order);
}

static void critical_and_text_values(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "p1", "Ada", "Lovelace", "1960-12-10");
    char *order = order_lab(e, "2345-7");
    char body[1024];
    /* Glucose 30 mg/dL with no range sent: the catalog's (70-99, critical
     * below 40) applies; the text value gets no flag. */
    snprintf(body, sizeof body, "{\"order\":\"%s\",\"status\":\"final\","
             "\"observations\":[{\"code\":\"2345-7\",\"display\":\"Glucose\","
             "\"value\":30},{\"code\":\"5767-9\",\"display\":\"Appearance\","
             "\"value\":\"Clear\"}]}", order);
    json_t *r;
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/results", body, &r), 201);
    assert_true(json_is_true(json_object_get(r, "critical")));
    char path[256];
    snprintf(path, sizeof path, "/api/results/%s", sw_test_str(r, "report"));
    json_decref(r);
    assert_int_equal(sw_test_call(e, e->auth, "GET", path, NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "observations.0.flag"), "LL");
    assert_string_equal(sw_test_str(r, "observations.0.unit"), "mg/dL");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(r, "observations"), 0), "low")), 70);
    assert_string_equal(sw_test_str(r, "observations.1.flag"), "");
    assert_string_equal(sw_test_str(r, "observations.1.value"), "Clear");
    json_decref(r);
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/inbox", NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "results.0.flag"), "critical");
    json_decref(r);
    /* A second order: the list is newest first. */
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/p1/orders",
                                  "{\"code\":\"24606-6\",\"category\":\"imaging\","
                                  "\"priority\":\"stat\"}", NULL), 201);
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/patients/p1/orders", NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "orders.0.code"), "24606-6");
    assert_string_equal(sw_test_str(r, "orders.0.category"), "imaging");
    assert_string_equal(sw_test_str(r, "orders.0.priority"), "stat");
    assert_string_equal(sw_test_str(r, "orders.1.id"), order);
    assert_non_null(sw_test_str(r, "orders.1.result"));
    json_decref(r);
    free(order);

    /* An order whose requester names no account (written over /fhir): the
     * result still files, and goes to the inbox of whoever filed it. */
    sw_test_fhir_create(e, "/fhir/ServiceRequest/outside",
                        "{\"resourceType\":\"ServiceRequest\",\"id\":\"outside\","
                        "\"status\":\"active\",\"intent\":\"order\","
                        "\"code\":{\"text\":\"Outside lab\"},"
                        "\"subject\":{\"reference\":\"Patient/p1\"},"
                        "\"requester\":{\"display\":\"Dr Elsewhere\"}}");
    char other[512];
    sw_test_sign_in_new_user(e, "dr.third", "physician", other, sizeof other);
    assert_int_equal(sw_test_call(e, other, "POST", "/api/results", "{\"order\":\"outside\","
                                  "\"status\":\"preliminary\",\"observations\":["
                                  "{\"code\":\"2345-7\",\"display\":\"Glucose\",\"value\":120}]}",
                                  &r), 201);
    assert_true(json_is_true(json_object_get(r, "requester_unresolved")));
    assert_string_equal(sw_test_str(r, "routed_to.0.username"), "dr.third");
    assert_true(json_is_true(json_object_get(r, "abnormal")));
    json_decref(r);
    assert_int_equal(sw_test_call(e, other, "GET", "/api/inbox", NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "results.0.flag"), "abnormal");
    assert_string_equal(sw_test_str(r, "results.0.title"), "Outside lab");
    json_decref(r);
    /* A preliminary result leaves the order open. */
    char *outside = sw_test_get_text(e, e->auth, "/fhir/ServiceRequest/outside");
    assert_non_null(strstr(outside, "\"status\":\"active\""));
    free(outside);
}

static void bad_results_write_nothing(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "p1", "Ada", "Lovelace", "1960-12-10");
    char *order = order_lab(e, "4548-4");
    static const struct { const char *body, *names; } cases[] = {
        { "{\"order\":\"%s\",\"status\":\"done\",\"observations\":[]}", "status" },
        { "{\"order\":\"%s\",\"status\":\"final\"}", "observations" },
        { "{\"order\":\"%s\",\"status\":\"final\",\"observations\":[]}", "observations" },
        { "{\"order\":\"%s\",\"status\":\"final\",\"observations\":[{\"code\":\"4548-4\","
          "\"display\":\"A1c\"}]}", "observations[0].value" },
        { "{\"order\":\"%s\",\"status\":\"final\",\"observations\":[{\"code\":\"4548-4\","
          "\"display\":\"A1c\",\"value\":true}]}", "observations[0].value" },
        { "{\"order\":\"%s\",\"status\":\"final\",\"observations\":[{\"code\":\"4548-4\","
          "\"display\":\"A1c\",\"value\":7,\"low\":9,\"high\":5}]}", "observations[0].low" },
        { "{\"order\":\"%s\",\"status\":\"final\",\"observations\":[{\"code\":\"4548-4\","
          "\"display\":\"A1c\",\"value\":7,\"high\":\"5\"}]}", "observations[0].high" },
        { "{\"order\":\"%s\",\"status\":\"final\",\"observations\":[{\"code\":\"4548-4\","
          "\"value\":7}]}", "observations[0].display" },
        { "{\"order\":\"%s\",\"status\":\"final\",\"observations\":[{\"code\":\"4548-4\","
          "\"display\":\"A1c\",\"value\":7,\"colour\":1}]}", "colour" },
        { "{\"order\":\"%s\",\"status\":\"final\",\"issued\":\"yesterday\","
          "\"observations\":[{\"code\":\"4548-4\",\"display\":\"A1c\",\"value\":7}]}", "issued" },
        { "{\"order\":\"%s\",\"status\":\"final\",\"observations\":[{\"code\":\"4548-4\","
          "\"display\":\"A1c\",\"value\":\"\"}]}", "observations[0].value" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[1024];
        snprintf(body, sizeof body, cases[i].body, order);
        json_t *r;
        long status = sw_test_call(e, e->auth, "POST", "/api/results", body, &r);
        const char *msg = sw_test_str(r, "error.message");
        if (status != 400 || msg == NULL || strstr(msg, cases[i].names) == NULL)
            fail_msg("%s answered %ld: %s", body, status, msg ? msg : "");
        json_decref(r);
    }
    json_t *r;
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/results",
                                  "{\"order\":\"nope\",\"status\":\"final\",\"observations\":"
                                  "[{\"code\":\"4548-4\",\"display\":\"A1c\",\"value\":7}]}",
                                  &r), 404);
    assert_non_null(strstr(sw_test_str(r, "error.message"), "order"));
    json_decref(r);

    /* Nothing was written: no report, the order still active, no inbox item. */
    char *reports = sw_test_get_text(e, e->auth, "/fhir/DiagnosticReport?patient=p1");
    assert_non_null(strstr(reports, "\"total\":0"));
    free(reports);
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/patients/p1/orders", NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "orders.0.status"), "active");
    json_decref(r);
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/inbox", NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "counts"), "results")), 0);
    json_decref(r);

    /* Orders: unknown codes and patients, bad priority; roles. */
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/p1/orders",
                                  "{\"code\":\"0000-0\"}", &r), 400);
    assert_non_null(strstr(sw_test_str(r, "error.message"), "code"));
    json_decref(r);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/p1/orders",
                                  "{\"code\":\"4548-4\",\"priority\":\"asap!\"}", &r), 400);
    assert_non_null(strstr(sw_test_str(r, "error.message"), "priority"));
    json_decref(r);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/p1/orders",
                                  "{\"code\":\"4548-4\",\"category\":\"imaging\"}", &r), 400);
    assert_non_null(strstr(sw_test_str(r, "error.message"), "category"));
    json_decref(r);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/nobody/orders",
                                  "{\"code\":\"4548-4\"}", NULL), 404);
    char nurse[512];
    sw_test_sign_in_new_user(e, "nurse.a", "nurse", nurse, sizeof nurse);
    char desk[512];
    sw_test_sign_in_new_user(e, "desk.a", "front_desk", desk, sizeof desk);
    assert_int_equal(sw_test_call(e, nurse, "POST", "/api/patients/p1/orders",
                                  "{\"code\":\"4548-4\"}", NULL), 403);
    assert_int_equal(sw_test_call(e, nurse, "GET", "/api/patients/p1/orders", NULL, NULL), 200);
    assert_int_equal(sw_test_call(e, nurse, "POST", "/api/results",
                                  "{\"order\":\"x\",\"status\":\"final\",\"observations\":[]}",
                                  NULL), 403);
    assert_int_equal(sw_test_call(e, desk, "GET", "/api/patients/p1/orders", NULL, NULL), 403);

    /* The catalog, searched as typed. */
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/order-catalog?q=chest", NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "orders.0.code"), "36643-5");
    assert_string_equal(sw_test_str(r, "orders.0.category"), "imaging");
    json_decref(r);
    free(order);
}

static void messages_reach_the_recipient(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "p1", "Ada", "Lovelace", "1960-12-10");
    char nurse[512];
    sw_test_sign_in_new_user(e, "nurse.b", "nurse", nurse, sizeof nurse);
    json_t *r;
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/messages",
                                  "{\"to\":\"nurse.b\",\"subject\":\"Call " XSS "\","
                                  "\"text\":\"Please call about labs " XSS "\","
                                  "\"patient\":\"p1\"}", &r), 201);
    assert_non_null(sw_test_str(r, "message"));
    json_decref(r);
    assert_int_equal(sw_test_call(e, nurse, "GET", "/api/inbox", NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "counts"), "messages")), 1);
    assert_string_equal(sw_test_str(r, "messages.0.subject"), "Call " XSS_STORED);
    assert_string_equal(sw_test_str(r, "messages.0.text"), "Please call about labs " XSS_STORED);
    assert_string_equal(sw_test_str(r, "messages.0.from.username"), SW_TEST_CLINICIAN);
    assert_string_equal(sw_test_str(r, "messages.0.patient.id"), "p1");
    long long item = json_integer_value(json_object_get(json_array_get(json_object_get(r, "messages"), 0), "item"));
    json_decref(r);
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/inbox", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r, "messages")), 0);
    json_decref(r);

    char done[128];
    snprintf(done, sizeof done, "/api/inbox/%lld/done", item);
    /* Only the recipient can clear it. */
    assert_int_equal(sw_test_call(e, e->auth, "POST", done, NULL, NULL), 404);
    assert_int_equal(sw_test_call(e, nurse, "POST", done, NULL, &r), 200);
    char *done_at = strdup(sw_test_str(r, "done_at"));
    json_decref(r);
    /* Again: nothing changes. */
    assert_int_equal(sw_test_call(e, nurse, "POST", done, NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "done_at"), done_at);
    json_decref(r);
    free(done_at);
    assert_int_equal(sw_test_call(e, nurse, "POST", "/api/inbox/x1/done", NULL, NULL), 404);
    assert_int_equal(sw_test_call(e, nurse, "GET", "/api/inbox", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r, "messages")), 0);
    json_decref(r);

    static const struct { const char *body, *names; } cases[] = {
        { "{\"to\":\"nobody.here\",\"subject\":\"s\",\"text\":\"t\"}", "to" },
        { "{\"subject\":\"s\",\"text\":\"t\"}", "to" },
        { "{\"to\":\"nurse.b\",\"subject\":\"\",\"text\":\"t\"}", "subject" },
        { "{\"to\":\"nurse.b\",\"subject\":\"s\"}", "text" },
        { "{\"to\":\"nurse.b\",\"subject\":\"s\",\"text\":\"t\",\"patient\":\"nobody\"}", "patient" },
        { "{\"to\":\"nurse.b\",\"subject\":\"s\",\"text\":\"t\",\"cc\":\"x\"}", "cc" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long status = sw_test_call(e, e->auth, "POST", "/api/messages", cases[i].body, &r);
        const char *msg = sw_test_str(r, "error.message");
        if (status != 400 || msg == NULL || strstr(msg, cases[i].names) == NULL)
            fail_msg("%s answered %ld: %s", cases[i].body, status, msg ? msg : "");
        json_decref(r);
    }
    assert_int_equal(sw_test_call(e, nurse, "GET", "/api/inbox", NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "counts"), "messages")), 0);
    json_decref(r);

    /* A disabled account receives nothing. */
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/users", NULL, &r), 200);
    char *users = json_dumps(r, 0);
    json_t *list = json_is_array(r) ? r : json_object_get(r, "users");
    long long nurse_id = 0;
    size_t i;
    json_t *u;
    json_array_foreach(list, i, u)
        if (strcmp(json_string_value(json_object_get(u, "username")), "nurse.b") == 0)
            nurse_id = json_integer_value(json_object_get(u, "id"));
    if (nurse_id == 0)
        fail_msg("nurse.b not listed: %s", users);
    free(users);
    json_decref(r);
    char disable[128];
    snprintf(disable, sizeof disable, "/api/users/%lld/disable", nurse_id);
    assert_int_equal(sw_test_call(e, e->auth, "POST", disable, NULL, NULL), 200);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/messages", "{\"to\":\"nurse.b\","
                                  "\"subject\":\"s\",\"text\":\"t\"}", &r), 400);
    assert_non_null(strstr(sw_test_str(r, "error.message"), "disabled"));
    json_decref(r);
}

static void restricted_records_need_broken_glass(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "p1", "Ada", "Lovelace", "1960-12-10");
    char *order = order_lab(e, "3016-3");
    char body[512];
    snprintf(body, sizeof body, "{\"order\":\"%s\",\"status\":\"final\","
             "\"observations\":[{\"code\":\"3016-3\",\"display\":\"TSH\","
             "\"value\":2.1}]}", order);
    json_t *r;
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/results", body, &r), 201);
    assert_true(json_is_false(json_object_get(r, "abnormal")));
    char path[256], sign[256];
    snprintf(path, sizeof path, "/api/results/%s", sw_test_str(r, "report"));
    snprintf(sign, sizeof sign, "/api/results/%s/sign-off", sw_test_str(r, "report"));
    json_decref(r);
    sw_test_restrict(e, "p1");
    char other[512];
    sw_test_sign_in_new_user(e, "dr.fourth", "physician", other, sizeof other);
    assert_int_equal(sw_test_call(e, other, "GET", path, NULL, NULL), 403);
    assert_int_equal(sw_test_call(e, other, "GET", "/api/patients/p1/orders", NULL, NULL), 403);
    assert_int_equal(sw_test_call(e, other, "POST", sign, NULL, NULL), 403);
    sw_test_break_the_glass(e, other, "p1", "covering the clinic");
    assert_int_equal(sw_test_call(e, other, "GET", path, NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "observations.0.flag"), "N");
    json_decref(r);
    assert_int_equal(sw_test_call(e, other, "POST", sign, NULL, NULL), 200);
    assert_int_equal(sw_test_call(e, other, "GET", "/api/patients/p1/orders", NULL, NULL), 200);
    /* The read is in the audit trail under the results module. */
    char *audit = sw_test_get_text(e, e->auth, "/api/audit?patient=p1&action=read");
    assert_non_null(strstr(audit, "\"results.read\""));
    assert_non_null(strstr(audit, "\"orders.read\""));
    assert_non_null(strstr(audit, "\"denied\""));
    free(audit);
    free(order);
}

/* A laboratory interface (a service account scoped to results:write)
 * files a result for an order placed by another system: no account to
 * route it to, so every clinician who may order gets it, and one sign-off
 * clears it for all. */
static void a_lab_interface_files_results(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "p1", "Ada", "Lovelace", "1960-12-10");
    char other[512];
    sw_test_sign_in_new_user(e, "dr.five", "physician", other, sizeof other);
    char nurse[512];
    sw_test_sign_in_new_user(e, "nurse.c", "nurse", nurse, sizeof nurse);
    json_t *r;
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/users", "{\"username\":"
                                  "\"lab.interface\",\"display_name\":\"Lab\",\"roles\":"
                                  "[\"physician\"],\"service\":true,\"scope\":"
                                  "\"results:write\"}", &r), 201);
    long long id = json_integer_value(json_object_get(json_object_get(r, "user"), "id"));
    json_decref(r);
    char path[96];
    snprintf(path, sizeof path, "/api/users/%lld/tokens", id);
    assert_int_equal(sw_test_call(e, e->auth, "POST", path, NULL, &r), 201);
    char lab[256];
    snprintf(lab, sizeof lab, "Authorization: Bearer %s", sw_test_str(r, "token"));
    json_decref(r);

    sw_test_fhir_create(e, "/fhir/ServiceRequest/ext",
                        "{\"resourceType\":\"ServiceRequest\","
                        "\"id\":\"ext\",\"status\":\"active\",\"intent\":\"order\","
                        "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":"
                        "\"6301-6\"}]},\"subject\":{\"reference\":\"Patient/p1\"}}");
    /* The scope allows filing results, nothing else. */
    assert_int_equal(sw_test_call(e, lab, "GET", "/api/patients/p1/orders", NULL, NULL), 403);
    assert_int_equal(sw_test_call(e, lab, "POST", "/api/results", "{\"order\":\"ext\","
                                  "\"status\":\"final\",\"observations\":[{\"code\":"
                                  "\"6301-6\",\"display\":\"INR\",\"value\":6.2}]}", &r), 201);
    assert_true(json_is_true(json_object_get(r, "requester_unresolved")));
    assert_true(json_is_true(json_object_get(r, "critical")));
    char *routed = json_dumps(json_object_get(r, "routed_to"), 0);
    assert_non_null(strstr(routed, "\"" SW_TEST_CLINICIAN "\""));
    assert_non_null(strstr(routed, "\"dr.five\""));
    assert_null(strstr(routed, "nurse.c"));
    assert_null(strstr(routed, "lab.interface"));
    free(routed);
    char sign[256];
    snprintf(sign, sizeof sign, "/api/results/%s/sign-off", sw_test_str(r, "report"));
    json_decref(r);
    assert_int_equal(sw_test_call(e, other, "GET", "/api/inbox", NULL, &r), 200);
    assert_string_equal(sw_test_str(r, "results.0.flag"), "critical");
    json_decref(r);
    assert_int_equal(sw_test_call(e, nurse, "GET", "/api/inbox", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r, "results")), 0);
    json_decref(r);
    assert_int_equal(sw_test_call(e, other, "POST", sign, "{}", NULL), 200);
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/inbox", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r, "results")), 0);
    json_decref(r);
}

/* A note's draft puts an item in its author's inbox (the visit workflow
 * does it with inbox_add, as here): listed with its visit and patient,
 * and not cleared as "done", only by signing. */
struct note_item {
    int64_t user_id;
    int64_t item_id;
};

static int add_note_item(store_tx *tx, void *arg)
{
    struct note_item *n = arg;
    inbox_new item = { .practice_id = 1, .user_id = n->user_id, .kind = INBOX_NOTE,
                       .res_type = "Composition", .res_id = "note1",
                       .patient_id = "p1", .flag = "", .at_ms = 1 };
    return inbox_add(tx, &item, &n->item_id);
}

static void notes_wait_in_the_inbox(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "p1", "Ada", "Lovelace", "1960-12-10");
    sw_test_encounter(e, "enc1", "p1");
    sw_test_fhir_create(e, "/fhir/Composition/note1",
                        "{\"resourceType\":\"Composition\","
                        "\"id\":\"note1\",\"status\":\"preliminary\",\"type\":{\"text\":"
                        "\"Progress note\"},\"subject\":{\"reference\":\"Patient/p1\"},"
                        "\"encounter\":{\"reference\":\"Encounter/enc1\"},\"date\":"
                        "\"2026-11-25T09:00:00Z\",\"author\":[{\"display\":\"Dr Test\"}],"
                        "\"title\":\"Visit note\"}");
    sw_store *st;
    sw_err err;
    store_options so = { .create = false, .connections = 1 };
    assert_int_equal(store_open(e->db, &so, &st, &err), SW_OK);
    sw_arena *a = sw_arena_create(0);
    auth_user u;
    assert_int_equal(auth_user_find(st, a, 1, SW_TEST_CLINICIAN, &u, &err), SW_OK);
    struct note_item n = { .user_id = u.user_id };
    assert_int_equal(store_write(st, add_note_item, &n, &err), SW_OK);
    sw_arena_destroy(a);
    store_close(st);

    json_t *r;
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/inbox", NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "counts"), "notes")), 1);
    assert_string_equal(sw_test_str(r, "notes.0.note"), "note1");
    assert_string_equal(sw_test_str(r, "notes.0.encounter"), "enc1");
    assert_string_equal(sw_test_str(r, "notes.0.patient.name"), "Ada Lovelace");
    assert_non_null(sw_test_str(r, "notes.0.since"));
    json_decref(r);
    char done[128];
    snprintf(done, sizeof done, "/api/inbox/%lld/done", (long long)n.item_id);
    assert_int_equal(sw_test_call(e, e->auth, "POST", done, NULL, &r), 409);
    assert_non_null(strstr(sw_test_str(r, "error.message"), "sign the note"));
    json_decref(r);
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/inbox", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r, "notes")), 1);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_result_reaches_the_ordering_clinician,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(critical_and_text_values,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(bad_results_write_nothing,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(messages_reach_the_recipient,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(restricted_records_need_broken_glass,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(a_lab_interface_files_results,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(notes_wait_in_the_inbox,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
