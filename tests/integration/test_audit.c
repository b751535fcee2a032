/* test_audit.c - the audit trail as a practice relies on it, over HTTP and
 * the command line, on each store:
 * - every read of patient data leaves exactly one entry per patient it
 *   shows (read, vread, search, history, $everything, a Bundle's GETs),
 *   every change one, and each names user, patient, resource and feature;
 * - /api/audit filters, pages and exports CSV; /fhir/AuditEvent reads the
 *   same entries as FHIR; neither can change them; roles without audit
 *   rights are refused;
 * - an export is in the patient's accounting of disclosures;
 * - a restricted patient's record stays shut until the user breaks the
 *   glass with a reason, and the grant waits for review;
 * - `stagewise audit verify` passes an intact trail and `audit head` gives
 *   the anchor that verify checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testdb.h"
#include "testapi.h"

struct fixture {
    sw_test_env env;
    sw_store   *store;        /* the server's database, to read the trail */
    char        admin[512];   /* practice_admin only */
    char        nurse[512];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    *state = f;
    if (sw_test_env_start(&f->env) != 0
        || sw_test_add_user(f->env.db, "rn.audit", "nurse") != 0
        || sw_test_sign_in_as(&f->env.srv, "rn.audit", f->nurse, sizeof f->nurse) != 0
        || sw_test_sign_in(&f->env.srv, f->admin, sizeof f->admin) != 0)
        return -1;
    store_options so = { .create = false, .connections = 1, .read_budget_ms = -1 };
    sw_err err;
    if (store_open(f->env.db, &so, &f->store, &err) != SW_OK) {
        fprintf(stderr, "setup: %s\n", sw_err_text(&err));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->store);
    int rc = sw_test_env_stop(&f->env);
    free(f);
    return rc;
}

/* ---- Requests ------------------------------------------------------------ */

/* sw_test_request on this fixture's server. */
static long call(struct fixture *f, const char *auth, const char *method,
                 const char *path, const char *ctype, const char *body,
                 sw_http_result *out)
{
    return sw_test_request(&f->env, auth, method, path, ctype, body, out);
}

static long fhir(struct fixture *f, const char *method, const char *path,
                 const char *body)
{
    return call(f, f->env.auth, method, path,
                body ? SW_TEST_FHIR_JSON : NULL, body, NULL);
}

/* ---- The trail, read straight from the database -------------------------- */

struct tail {
    int64_t after;
    int     n;
    char    rows[16][256];   /* "action|patient|type|id|outcome|feature|user" */
};

static int tail_fn(store_tx *tx, void *arg)
{
    struct tail *t = arg;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT action, patient_id, res_type, res_id, "
                           "outcome, feature, username FROM audit_log WHERE "
                           "practice_id = 1 AND seq > ? ORDER BY seq", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    t->n = 0;
    if ((rc = store_bind_int64(st, 1, t->after)) == SW_OK)
        while ((rc = store_step(st, &row)) == SW_OK && row) {
            if (t->n < 16)
                snprintf(t->rows[t->n], sizeof t->rows[0], "%s|%s|%s|%s|%s|%s|%s",
                         store_col_text(st, 0, NULL), store_col_text(st, 1, NULL),
                         store_col_text(st, 2, NULL), store_col_text(st, 3, NULL),
                         store_col_text(st, 4, NULL), store_col_text(st, 5, NULL),
                         store_col_text(st, 6, NULL));
            t->n++;
        }
    store_finalize(st);
    return rc;
}

/* The last sequence number: entries are numbered from 1 without gaps. */
static int64_t head(struct fixture *f)
{
    struct tail t = { .after = 0 };
    assert_int_equal(store_read(f->store, tail_fn, &t, NULL), SW_OK);
    return t.n;
}

/* The entries after seq, checked against the expected rows (prefixes). */
static void expect_entries(struct fixture *f, int64_t after, int n, ...)
{
    struct tail t = { .after = after };
    assert_int_equal(store_read(f->store, tail_fn, &t, NULL), SW_OK);
    if (t.n != n) {
        for (int i = 0; i < t.n && i < 16; i++)
            fprintf(stderr, "  entry: %s\n", t.rows[i]);
        fail_msg("expected %d audit entries, found %d", n, t.n);
    }
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n && i < 16; i++) {
        const char *want = va_arg(ap, const char *);
        if (strncmp(t.rows[i], want, strlen(want)) != 0)
            fail_msg("entry %d is '%s', expected '%s…'", i, t.rows[i], want);
    }
    va_end(ap);
}

static void seed(struct fixture *f)
{
    sw_test_patient(&f->env, "pa", NULL, NULL, NULL);
    sw_test_patient(&f->env, "pb", NULL, NULL, NULL);
    assert_int_equal(fhir(f, "PUT", "/fhir/Observation/oa",
                          "{\"resourceType\":\"Observation\",\"id\":\"oa\","
                          "\"status\":\"final\",\"code\":{\"text\":\"pulse\"},"
                          "\"subject\":{\"reference\":\"Patient/pa\"}}"), 201);
}

/* ---- Tests --------------------------------------------------------------- */

static void every_read_leaves_one_entry_per_patient(void **state)
{
    struct fixture *f = *state;
    int64_t h = head(f);
    seed(f);
    expect_entries(f, h, 3, "create|pa|Patient|pa|success|",
                   "create|pb|Patient|pb|success|",
                   "create|pa|Observation|oa|success|");

    h = head(f);
    assert_int_equal(fhir(f, "GET", "/fhir/Observation/oa", NULL), 200);
    expect_entries(f, h, 1, "read|pa|Observation|oa|success|");

    h = head(f);
    assert_int_equal(fhir(f, "GET", "/fhir/Observation/oa/_history/1", NULL), 200);
    expect_entries(f, h, 1, "read|pa|Observation|oa|success|");

    h = head(f);
    assert_int_equal(fhir(f, "GET", "/fhir/Patient?_id=pa,pb", NULL), 200);
    expect_entries(f, h, 2, "search|pa|Patient||success|",
                   "search|pb|Patient||success|");

    h = head(f);
    assert_int_equal(fhir(f, "GET", "/fhir/Observation?subject=Patient/pa", NULL), 200);
    expect_entries(f, h, 1, "search|pa|Observation||success|");

    h = head(f);
    assert_int_equal(fhir(f, "GET", "/fhir/Patient/pa/_history", NULL), 200);
    expect_entries(f, h, 1, "read|pa|Patient|pa|success|");

    h = head(f);
    assert_int_equal(fhir(f, "GET", "/fhir/Patient/pa/$everything", NULL), 200);
    expect_entries(f, h, 1, "read|pa|Patient|pa|success|");

    h = head(f);
    assert_int_equal(fhir(f, "POST", "/fhir",
        "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":["
        "{\"request\":{\"method\":\"GET\",\"url\":\"Patient/pa\"}},"
        "{\"request\":{\"method\":\"GET\",\"url\":\"Observation/oa\"}}]}"), 200);
    expect_entries(f, h, 2, "read|pa|Patient|pa|success|",
                   "read|pa|Observation|oa|success|");

    h = head(f);
    assert_int_equal(fhir(f, "POST", "/fhir",
        "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":["
        "{\"request\":{\"method\":\"GET\",\"url\":\"Patient?_id=pa,pb\"}}]}"), 200);
    expect_entries(f, h, 2, "search|pa|Patient||success|",
                   "search|pb|Patient||success|");

    /* A read that shows nothing leaves nothing to account for. */
    h = head(f);
    assert_int_equal(fhir(f, "GET", "/fhir/Patient/nobody", NULL), 404);
    expect_entries(f, h, 0);
}

static void changes_are_recorded_with_their_feature(void **state)
{
    struct fixture *f = *state;
    seed(f);
    int64_t h = head(f);
    assert_int_equal(fhir(f, "PUT", "/fhir/Patient/pa",
                          "{\"resourceType\":\"Patient\",\"id\":\"pa\","
                          "\"gender\":\"female\"}"), 200);
    assert_int_equal(fhir(f, "DELETE", "/fhir/Observation/oa", NULL), 200);
    expect_entries(f, h, 2, "update|pa|Patient|pa|success|registration.update|dr.test",
                   "delete|pa|Observation|oa|success|");
    /* The trail cannot be written through FHIR. */
    long post = fhir(f, "POST", "/fhir/AuditEvent", "{\"resourceType\":\"AuditEvent\"}");
    long del = fhir(f, "DELETE", "/fhir/AuditEvent/1", NULL);
    assert_true(post == 403 || post == 405);
    assert_true(del == 403 || del == 405);
}

static void admins_query_the_trail(void **state)
{
    struct fixture *f = *state;
    seed(f);
    assert_int_equal(fhir(f, "GET", "/fhir/Patient/pa", NULL), 200);

    sw_http_result r;
    assert_int_equal(call(f, f->admin, "GET",
                          "/api/audit?patient=pa&action=read", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"action\":\"read\""));
    assert_non_null(strstr(r.body, "\"patient\":\"pa\""));
    assert_null(strstr(r.body, "\"action\":\"create\""));
    char cc[64];
    assert_non_null(sw_http_header(&r, "Cache-Control", cc, sizeof cc));
    assert_string_equal(cc, "no-store");
    sw_http_result_free(&r);

    assert_int_equal(call(f, f->admin, "GET", "/api/audit?limit=1&patient=pa",
                          NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"next_after\":"));
    assert_null(strstr(r.body, "\"next_after\":null"));
    sw_http_result_free(&r);

    assert_int_equal(call(f, f->admin, "GET", "/api/audit?format=csv&patient=pb",
                          NULL, NULL, &r), 200);
    assert_int_equal(strncmp(r.body, "seq,time,user_id,username,roles,action,", 39), 0);
    assert_non_null(strstr(r.body, ",create,"));
    assert_non_null(strstr(r.body, "\"physician,practice_admin\""));
    sw_http_result_free(&r);

    assert_int_equal(call(f, f->admin, "GET", "/fhir/AuditEvent?patient=pa&subtype=read",
                          NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"resourceType\":\"Bundle\""));
    assert_non_null(strstr(r.body, "\"reference\":\"Patient/pa\""));
    assert_non_null(strstr(r.body, "\"action\":\"R\""));
    sw_http_result_free(&r);
    assert_int_equal(call(f, f->admin, "GET", "/fhir/AuditEvent/1", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"resourceType\":\"AuditEvent\""));
    sw_http_result_free(&r);
    assert_int_equal(call(f, f->admin, "GET", "/fhir/AuditEvent/999999", NULL,
                          NULL, NULL), 404);

    /* Bad filters are named. */
    assert_int_equal(call(f, f->admin, "GET", "/api/audit?action=peek", NULL,
                          NULL, &r), 400);
    assert_non_null(strstr(r.body, "action"));
    sw_http_result_free(&r);
    assert_int_equal(call(f, f->admin, "GET", "/api/audit?from=yesterday", NULL,
                          NULL, NULL), 400);
    /* A value is a value: only the look-up itself, recorded with it, matches. */
    assert_int_equal(call(f, f->admin, "GET", "/api/audit?patient=pa%27%20OR%201=1--",
                          NULL, NULL, &r), 200);
    assert_null(strstr(r.body, "\"patient\":\"pa\""));
    assert_non_null(strstr(r.body, "\"resource_type\":\"AuditEvent\""));
    sw_http_result_free(&r);
    assert_int_equal(call(f, f->admin, "GET", "/fhir/AuditEvent?bogus=1", NULL,
                          NULL, NULL), 400);

    /* A nurse works with records but does not review the trail. */
    assert_int_equal(call(f, f->nurse, "GET", "/api/audit", NULL, NULL, NULL), 403);
    int64_t h = head(f);
    assert_int_equal(call(f, f->nurse, "GET", "/fhir/AuditEvent", NULL, NULL, NULL), 403);
    /* A refusal is recorded too. */
    expect_entries(f, h, 1, "search||AuditEvent||denied||rn.audit");
}

static void export_is_a_disclosure(void **state)
{
    struct fixture *f = *state;
    seed(f);
    char *dir = sw_test_tmpdir();
    const char *args[] = { "export", "--db", f->env.db, dir, NULL };
    char *out = NULL, *err = NULL;
    int status = sw_test_run(args, NULL, &out, &err);
    if (status != 0)
        fail_msg("export failed: %s", err ? err : "");
    free(out);
    free(err);
    free(dir);
    sw_http_result r;
    assert_int_equal(call(f, f->admin, "GET", "/api/patients/pa/disclosures",
                          NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"action\":\"export\""));
    assert_non_null(strstr(r.body, "\"username\":\"cli:"));
    sw_http_result_free(&r);
    assert_int_equal(call(f, f->admin, "GET", "/api/patients/nobody/disclosures",
                          NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"entries\":[]"));
    sw_http_result_free(&r);
}

static void restricted_record_needs_broken_glass(void **state)
{
    struct fixture *f = *state;
    seed(f);
    const char *json = SW_TEST_JSON;
    /* Restricting is an admin's decision, with a reason. */
    assert_int_equal(call(f, f->nurse, "PUT", "/api/patients/pa/restriction", json,
                          "{\"reason\":\"staff member\"}", NULL), 403);
    assert_int_equal(call(f, f->admin, "PUT", "/api/patients/pa/restriction", json,
                          "{}", NULL), 400);
    assert_int_equal(call(f, f->admin, "PUT", "/api/patients/nobody/restriction",
                          json, "{\"reason\":\"staff member\"}", NULL), 404);
    assert_int_equal(call(f, f->admin, "PUT", "/api/patients/pa/restriction", json,
                          "{\"reason\":\"staff member\"}", NULL), 200);

    int64_t h = head(f);
    sw_http_result r;
    assert_int_equal(call(f, f->nurse, "GET", "/fhir/Observation/oa", NULL, NULL,
                          &r), 403);
    assert_non_null(strstr(r.body, "OperationOutcome"));
    assert_non_null(strstr(r.body, "break the glass"));
    assert_null(strstr(r.body, "pulse"));
    sw_http_result_free(&r);
    expect_entries(f, h, 1, "read|pa|Observation|oa|denied|");
    /* Searches that would show the patient are refused too; writes as well. */
    assert_int_equal(call(f, f->nurse, "GET", "/fhir/Observation?subject=Patient/pa",
                          NULL, NULL, NULL), 403);
    assert_int_equal(call(f, f->nurse, "PUT", "/fhir/Observation/ob",
                          SW_TEST_FHIR_JSON,
                          "{\"resourceType\":\"Observation\",\"id\":\"ob\","
                          "\"status\":\"final\",\"code\":{\"text\":\"bp\"},"
                          "\"subject\":{\"reference\":\"Patient/pa\"}}", NULL), 403);
    /* Another patient is not affected. */
    assert_int_equal(call(f, f->nurse, "GET", "/fhir/Patient/pb", NULL, NULL, NULL), 200);

    assert_int_equal(call(f, f->nurse, "POST", "/api/patients/pa/break-the-glass",
                          json, "{\"reason\":\"why\"}", NULL), 400);
    assert_int_equal(call(f, f->nurse, "POST", "/api/patients/pb/break-the-glass",
                          json, "{\"reason\":\"covering the clinic\"}", NULL), 409);
    h = head(f);
    assert_int_equal(call(f, f->nurse, "POST", "/api/patients/pa/break-the-glass",
                          json, "{\"reason\":\"covering the clinic\",\"minutes\":30}",
                          &r), 201);
    assert_non_null(strstr(r.body, "\"expires_at\""));
    sw_http_result_free(&r);
    expect_entries(f, h, 1, "break_glass|pa|Patient|pa|success|");
    assert_int_equal(call(f, f->nurse, "GET", "/fhir/Observation/oa", NULL, NULL,
                          NULL), 200);
    /* The grant is the nurse's alone. */
    char other[512];
    sw_test_sign_in_new_user(&f->env, "rn.other", "nurse", other, sizeof other);
    assert_int_equal(call(f, other, "GET", "/fhir/Observation/oa", NULL, NULL, NULL), 403);

    /* The review queue. */
    assert_int_equal(call(f, f->admin, "GET", "/api/break-the-glass?unreviewed=true",
                          NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"reason\":\"covering the clinic\""));
    assert_non_null(strstr(r.body, "\"reviewed_at\":null"));
    sw_http_result_free(&r);
    assert_int_equal(call(f, f->admin, "POST", "/api/break-the-glass/1/review",
                          json, "{\"note\":\"checked with the clinic lead\"}", NULL), 200);
    assert_int_equal(call(f, f->admin, "POST", "/api/break-the-glass/1/review",
                          json, "{}", NULL), 409);
    assert_int_equal(call(f, f->admin, "GET", "/api/break-the-glass?unreviewed=true",
                          NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"grants\":[]"));
    sw_http_result_free(&r);

    assert_int_equal(call(f, f->admin, "DELETE", "/api/patients/pa/restriction",
                          NULL, NULL, NULL), 200);
    assert_int_equal(call(f, other, "GET", "/fhir/Observation/oa", NULL, NULL, NULL), 200);
}

static void verify_and_head_from_the_command_line(void **state)
{
    struct fixture *f = *state;
    seed(f);
    char *out = NULL, *err = NULL;
    const char *head_args[] = { "audit", "head", "--db", f->env.db, NULL };
    assert_int_equal(sw_test_run(head_args, NULL, &out, &err), 0);
    char anchor[128];
    assert_int_equal(sscanf(out, "%127s", anchor), 1);
    assert_non_null(strchr(anchor, ':'));
    free(out);
    free(err);

    const char *verify_args[] = { "audit", "verify", "--db", f->env.db,
                                  "--expect-head", anchor, NULL };
    assert_int_equal(sw_test_run(verify_args, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "intact"));
    free(out);
    free(err);

    const char *bad_args[] = { "audit", "verify", "--db", f->env.db,
                               "--expect-head", "12", NULL };
    assert_int_equal(sw_test_run(bad_args, NULL, &out, &err), 2);
    assert_non_null(strstr(err, "SEQ:HASH"));
    free(out);
    free(err);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(every_read_leaves_one_entry_per_patient),
        T(changes_are_recorded_with_their_feature),
        T(admins_query_the_trail),
        T(export_is_a_disclosure),
        T(restricted_record_needs_broken_glass),
        T(verify_and_head_from_the_command_line),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
