/* test_adoption_rollup.c - the incremental roll-ups of the audit trail
 * (src/adoption/rollup.c, docs/adoption-metrics.md "Computation") on both
 * stores: the idle rule over audited requests with fixed times, batches
 * and the watermark across a restart, and real audited work done through
 * the running server (whose own adoption worker rolls up at the same
 * time), caught up at several points, whose roll-ups must equal a full
 * rebuild and hold the counts the work implies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adoption/rollup.h"
#include "audit/audit.h"
#include "core/buf.h"
#include "testapi.h"
#include "teststore.h"
#include "testvisits.h"

#define PRACTICE 1
/* 2026-11-02T09:00:00Z: a Monday, in the practice's default UTC day. */
#define T0 1793610000000LL
#define DAY0 (T0 / 86400000LL)

/* ---- Reading the roll-ups --------------------------------------------- */

struct query {
    const char *sql;
    const char *text;      /* a bound text parameter, or NULL */
    int64_t     a, b;      /* bound after it (when sql has them) */
    int         nparams;
    int64_t     value;
    sw_buf     *out;       /* snapshot: every row as text */
};

static int query_fn(store_tx *tx, void *arg)
{
    struct query *q = arg;
    store_stmt *st;
    int rc = store_prepare(tx, q->sql, &st);
    if (rc != SW_OK)
        return rc;
    int i = 1;
    store_bind_int64(st, i++, PRACTICE);
    if (q->text)
        store_bind_cstr(st, i++, q->text);
    if (q->nparams > 0)
        store_bind_int64(st, i++, q->a);
    if (q->nparams > 1)
        store_bind_int64(st, i++, q->b);
    bool row;
    q->value = 0;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        if (q->out == NULL) {
            q->value = store_col_int64(st, 0);
            continue;
        }
        for (int c = 0; c < store_col_count(st); c++)
            sw_buf_printf(q->out, "%s%s", c ? "|" : "", store_col_text(st, c, NULL));
        sw_buf_printf(q->out, "\n");
    }
    store_finalize(st);
    return rc;
}

static int64_t number(sw_store *s, const char *sql, const char *text,
                      int nparams, int64_t a, int64_t b)
{
    struct query q = { sql, text, a, b, nparams, 0, NULL };
    sw_err err;
    if (store_read(s, query_fn, &q, &err) != SW_OK)
        fail_msg("%s: %s", sql, sw_err_text(&err));
    return q.value;
}

/* Every roll-up row of the practice, in key order, as text. */
static char *snapshot(sw_store *s)
{
    static const char *const tables[] = {
        "SELECT user_id, day, feature, uses FROM adoption_feature_day "
        "WHERE practice_id = ? ORDER BY user_id, day, feature",
        "SELECT user_id, day, patient_id, visits FROM adoption_seen "
        "WHERE practice_id = ? ORDER BY user_id, day, patient_id",
        "SELECT patient_id, flag, day, n FROM adoption_patient_day "
        "WHERE practice_id = ? ORDER BY patient_id, flag, day",
        "SELECT user_id, day, quarter, area, source, active_ms FROM adoption_activity "
        "WHERE practice_id = ? ORDER BY user_id, day, quarter, area, source",
        "SELECT user_id, last_event_ms FROM adoption_user_state "
        "WHERE practice_id = ? ORDER BY user_id",
        "SELECT last_seq FROM adoption_rollup_state WHERE practice_id = ?",
    };
    sw_buf out;
    sw_buf_init(&out, (size_t)1 << 26);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        struct query q = { tables[i], NULL, 0, 0, 0, 0, &out };
        sw_err err;
        sw_buf_printf(&out, "-- %zu\n", i);
        if (store_read(s, query_fn, &q, &err) != SW_OK)
            fail_msg("%s: %s", tables[i], sw_err_text(&err));
    }
    char *text = strdup(sw_buf_str(&out));
    sw_buf_free(&out);
    return text;
}

static int64_t catch_up(sw_store *s)
{
    int64_t rolled = -1;
    sw_err err;
    if (adoption_rollup_catch_up(s, PRACTICE, &rolled, &err) != SW_OK)
        fail_msg("catching up: %s", sw_err_text(&err));
    return rolled;
}

/* Rebuilds from the whole trail and checks the rows are what the
 * incremental roll-ups had. */
static void expect_rebuild_equal(sw_store *s)
{
    char *before = snapshot(s);
    sw_err err;
    if (adoption_rollup_rebuild(s, PRACTICE, &err) != SW_OK)
        fail_msg("rebuilding: %s", sw_err_text(&err));
    char *after = snapshot(s);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static int64_t activity_ms(sw_store *s, int64_t user, const char *area)
{
    return number(s, "SELECT COALESCE(SUM(active_ms), 0) FROM adoption_activity "
                  "WHERE practice_id = ? AND area = ? AND user_id = ? "
                  "AND source = 'audit'", area, 1, user, 0);
}

/* ---- Entries written directly, at fixed times ------------------------- */

static void record(sw_store *s, int64_t user, const char *feature,
                   const char *patient, const char *res_type, const char *outcome,
                   const int64_t *at, size_t n)
{
    audit_who who = { .practice_id = PRACTICE, .user_id = user,
                      .username = user ? "u" : "cli:test", .roles = "physician",
                      .client = "127.0.0.1", .request_id = "" };
    audit_entry *e = calloc(n, sizeof *e);
    assert_non_null(e);
    for (size_t i = 0; i < n; i++)
        e[i] = (audit_entry){ .who = &who, .action = AUDIT_READ, .feature = feature,
                              .patient_id = patient, .res_type = res_type,
                              .res_id = patient, .outcome = outcome,
                              .detail = "", .at_ms = at[i] };
    sw_err err;
    if (audit_record_many(s, e, n, &err) != SW_OK)
        fail_msg("recording: %s", sw_err_text(&err));
    free(e);
}

static void the_idle_rule_counts_audited_requests(void **state)
{
    sw_store *s = ((teststore *)*state)->store;
    /* Two requests 2 s apart: 5 s for the first, 2 s for the second. */
    int64_t two[] = { T0, T0 + 2000 };
    record(s, 7, "registration.read", "p1", "Patient", AUDIT_SUCCESS, two, 2);
    assert_int_equal(catch_up(s), 2);
    assert_int_equal(activity_ms(s, 7, "registration"), 7000);

    /* A minute later: the gap is idle, the request 5 s. Failed and denied
     * requests, and the command line's (user 0), are no activity. */
    int64_t later[] = { T0 + 62000 };
    record(s, 7, "problems.create", "p1", "Condition", AUDIT_SUCCESS, later, 1);
    int64_t failed[] = { T0 + 63000 };
    record(s, 7, "problems.create", "p1", "Condition", AUDIT_FAILURE, failed, 1);
    record(s, 0, "problems.create", "p1", "Condition", AUDIT_SUCCESS, failed, 1);
    assert_int_equal(catch_up(s), 3);
    assert_int_equal(activity_ms(s, 7, "problems"), 5000);
    assert_int_equal(activity_ms(s, 0, "problems"), 0);
    assert_int_equal(number(s, "SELECT COUNT(*) FROM adoption_activity WHERE "
                            "practice_id = ? AND user_id = ?", NULL, 1, 0, 0), 0);
    /* The patient fact counts the command line's entry too, the failure not. */
    assert_int_equal(number(s, "SELECT n FROM adoption_patient_day WHERE practice_id = ? "
                            "AND patient_id = ? AND flag = 'problems.recorded'", "p1", 0, 0, 0), 2);
    /* Uses per user and day: the failure does not count. */
    assert_int_equal(number(s, "SELECT uses FROM adoption_feature_day WHERE practice_id = ? "
                            "AND feature = ? AND user_id = ? AND day = ?", "problems.create",
                            2, 7, DAY0), 1);

    /* A feature of no module is activity of area "other": 2 s after the
     * last successful request (the failure was no activity). */
    int64_t audit[] = { T0 + 64000 };
    record(s, 7, "audit.review", "", "", AUDIT_SUCCESS, audit, 1);
    assert_int_equal(catch_up(s), 1);
    assert_int_equal(activity_ms(s, 7, "other"), 2000);
    /* Quarters: all in 09:00-09:15 (quarter 36). */
    assert_int_equal(number(s, "SELECT COUNT(*) FROM adoption_activity WHERE practice_id = ? "
                            "AND quarter <> 36", NULL, 0, 0, 0), 0);
    expect_rebuild_equal(s);
}

static void batches_and_the_watermark_survive_a_restart(void **state)
{
    teststore *f = *state;
    /* Two full batches and one more, one request a second: the idle state
     * carries over from batch to batch. */
    size_t n = 2 * ADOPTION_ROLLUP_BATCH + 1;
    int64_t *at = calloc(n, sizeof *at);
    assert_non_null(at);
    for (size_t i = 0; i < n; i++)
        at[i] = T0 + (int64_t)i * 1000;
    record(f->store, 9, "results.read", "p2", "DiagnosticReport", AUDIT_SUCCESS, at, n);
    free(at);
    assert_int_equal(catch_up(f->store), (int64_t)n);
    assert_int_equal(activity_ms(f->store, 9, "results"), 5000 + (int64_t)(n - 1) * 1000);
    assert_int_equal(number(f->store, "SELECT COALESCE(SUM(uses), 0) FROM adoption_feature_day "
                            "WHERE practice_id = ? AND feature = ?", "results.read", 0, 0, 0),
                     (int64_t)n);

    /* Closed and opened again: nothing is rolled twice. */
    store_close(f->store);
    store_options so = { 0 };
    sw_err err;
    assert_int_equal(store_open(f->db, &so, &f->store, &err), SW_OK);
    assert_int_equal(catch_up(f->store), 0);
    int64_t one[] = { T0 + 86400000LL };
    record(f->store, 9, "results.read", "p2", "DiagnosticReport", AUDIT_SUCCESS, one, 1);
    assert_int_equal(catch_up(f->store), 1);
    assert_int_equal(catch_up(f->store), 0);
    /* The next day's request, long after the last: 5 s on its own day. */
    assert_int_equal(number(f->store, "SELECT active_ms FROM adoption_activity WHERE "
                            "practice_id = ? AND day = ?", NULL, 1, DAY0 + 1, 0), 5000);
    expect_rebuild_equal(f->store);
}

/* ---- Real work through the server ------------------------------------- */

static sw_store *open_store(sw_test_env *e)
{
    sw_store *s;
    sw_err err;
    store_options so = { .create = false, .connections = 1 };
    if (store_open(e->db, &so, &s, &err) != SW_OK)
        fail_msg("opening the store: %s", sw_err_text(&err));
    return s;
}

static int64_t user_id(sw_store *s, const char *username)
{
    return number(s, "SELECT user_id FROM app_user WHERE practice_id = ? AND username = ?",
                  username, 0, 0, 0);
}

static int64_t patient_flag(sw_store *s, const char *patient, const char *flag)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COALESCE(SUM(n), 0) FROM adoption_patient_day "
             "WHERE practice_id = ? AND patient_id = ? AND flag = '%s'", flag);
    return number(s, sql, patient, 0, 0, 0);
}

static int64_t uses(sw_store *s, int64_t user, const char *feature)
{
    return number(s, "SELECT COALESCE(SUM(uses), 0) FROM adoption_feature_day "
                  "WHERE practice_id = ? AND feature = ? AND user_id = ?", feature, 1, user, 0);
}

#define FULL_PATIENT \
    "{\"resourceType\":\"Patient\",\"id\":\"full\",\"name\":[{\"family\":\"Rowe\"," \
    "\"given\":[\"Ann\"]}],\"gender\":\"female\",\"birthDate\":\"1970-03-01\"," \
    "\"communication\":[{\"language\":{\"coding\":[{\"system\":\"urn:ietf:bcp:47\"," \
    "\"code\":\"en-US\"}]}}],\"extension\":[" \
    "{\"url\":\"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race\"," \
    "\"extension\":[{\"url\":\"text\",\"valueString\":\"White\"}]}," \
    "{\"url\":\"http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity\"," \
    "\"extension\":[{\"url\":\"text\",\"valueString\":\"Not Hispanic or Latino\"}]}]}"

static void audited_work_rolls_up_as_a_rebuild_does(void **state)
{
    sw_test_env *e = *state;
    sw_store *s = open_store(e);
    char drb[512], nurse[512];
    sw_test_sign_in_new_user(e, "dr.b", "physician", drb, sizeof drb);
    sw_test_sign_in_new_user(e, "nurse.n", "nurse", nurse, sizeof nurse);

    /* Registration: two patients without race and ethnicity, one with. */
    sw_test_patient(e, "p1", "Ada", "Lovelace", "1960-12-10");
    sw_test_patient(e, "p2", "Alan", "Turing", "1954-06-23");
    sw_test_fhir_create(e, "/fhir/Patient/full", FULL_PATIENT);
    catch_up(s);

    /* Lists and vitals with smoking status for p1. */
    assert_int_equal(sw_test_post(e, e->auth, "/api/patients/p1/allergies",
                                  "{\"no_known_allergies\":true}", NULL), 201);
    assert_int_equal(sw_test_post(e, nurse, "/api/patients/p1/vitals",
                                  "{\"systolic\":122,\"diastolic\":78,\"heart_rate\":72,"
                                  "\"smoking_status\":\"never\"}", NULL), 201);
    catch_up(s);

    /* dr.b signs a visit for each of p1 and p2. */
    const char *coding = "{\"diagnoses\":[{\"code\":\"J20.9\"}],"
                         "\"procedures\":[{\"code\":\"99213\"}]}";
    free(testvisits_sign(e, drb, "p1", coding, NULL, 0, NULL));
    catch_up(s);
    free(testvisits_sign(e, drb, "p2", coding, NULL, 0, NULL));

    /* A prescription for p1; a lab ordered for p2 and its result filed. */
    json_t *r;
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/p1/prescriptions",
                                  "{\"drug\":\"314076\",\"dose\":\"10 mg\",\"route\":\"oral\","
                                  "\"frequency\":\"once daily\",\"quantity\":30,\"refills\":0,"
                                  "\"days_supply\":30,\"pharmacy\":\"Main Street Pharmacy\"}",
                                  &r), 201);
    json_decref(r);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/p2/orders",
                                  "{\"code\":\"4548-4\",\"priority\":\"routine\"}", &r), 201);
    char body[512];
    snprintf(body, sizeof body, "{\"order\":\"%s\",\"status\":\"final\",\"observations\":["
             "{\"code\":\"4548-4\",\"display\":\"Hemoglobin A1c\",\"value\":6.1,"
             "\"unit\":\"%%\",\"low\":4,\"high\":5.6}]}", sw_test_str(r, "order"));
    json_decref(r);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/results", body, &r), 201);
    json_decref(r);
    catch_up(s);
    assert_int_equal(catch_up(s), 0);

    /* What the work implies. */
    int64_t b = user_id(s, "dr.b"), t = user_id(s, SW_TEST_CLINICIAN);
    int64_t n = user_id(s, "nurse.n");
    assert_true(b > 0 && t > 0 && n > 0);
    assert_int_equal(number(s, "SELECT COUNT(*) FROM adoption_seen WHERE practice_id = ? "
                            "AND user_id = ?", NULL, 1, b, 0), 2);
    assert_int_equal(number(s, "SELECT COUNT(*) FROM adoption_seen WHERE practice_id = ? "
                            "AND user_id <> ?", NULL, 1, b, 0), 0);
    assert_int_equal(uses(s, b, "documentation.sign"), 2);
    /* Each visit opened, written and signed the same day. */
    assert_int_equal(uses(s, b, "documentation.sign_same_day"), 2);
    assert_int_equal(uses(s, t, "eprescribing.send"), 1);
    assert_int_equal(uses(s, t, "allergies.create"), 1);
    assert_true(uses(s, n, "vitals.create") >= 1);
    assert_int_equal(patient_flag(s, "p1", "allergies.recorded"), 1);
    assert_int_equal(patient_flag(s, "p1", "smoking.recorded"), 1);
    assert_true(patient_flag(s, "p1", "vitals.recorded") >= 1);
    assert_int_equal(patient_flag(s, "p1", "medications.ordered"), 1);
    assert_int_equal(patient_flag(s, "p2", "lab.ordered"), 1);
    assert_int_equal(patient_flag(s, "p2", "lab.unordered"), 0);
    assert_int_equal(patient_flag(s, "p2", "smoking.recorded"), 0);
    assert_int_equal(patient_flag(s, "full", "demographics.complete"), 1);
    assert_int_equal(patient_flag(s, "full", "demographics.partial"), 0);
    assert_int_equal(patient_flag(s, "p1", "demographics.partial"), 1);
    assert_int_equal(patient_flag(s, "p1", "demographics.complete"), 0);
    /* Everyone who worked was active (at least the 5 s of a first
     * request), and in the areas of their work (the test's requests come
     * milliseconds apart, so those get milliseconds). */
    int64_t people[] = { b, n, t };
    for (size_t i = 0; i < 3; i++)
        assert_true(number(s, "SELECT SUM(active_ms) FROM adoption_activity WHERE "
                           "practice_id = ? AND user_id = ?", NULL, 1, people[i], 0) >= 5000);
    assert_true(activity_ms(s, b, "documentation") > 0);
    assert_true(activity_ms(s, n, "vitals") > 0);
    assert_true(activity_ms(s, t, "eprescribing") > 0);

    expect_rebuild_equal(s);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_idle_rule_counts_audited_requests,
                                        teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(batches_and_the_watermark_survive_a_restart,
                                        teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(audited_work_rolls_up_as_a_rebuild_does,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
