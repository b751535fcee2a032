/* test_interface_suite.c - `stagewise interface test`, the go-live
 * interface test suite, run as a real process against the PMS simulator
 * (`stagewise pms-sim`, another real process) on each store: every
 * scenario passes end to end, the signed report lands in the practice's
 * database with its digest in the audit trail, GET /api/interface/tests
 * lists it and the plan's interface gate reads it as passed; with the
 * simulator rejecting everything (mode ae) the run fails, exit 1, and the
 * gate fails naming the scenarios. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmssim_proc.h"
#include "rollout/gates.h"
#include "store/store.h"
#include "testapi.h"
#include "testdb.h"
#include "testserver.h"

struct fixture {
    char          *db;
    sw_test_pmssim sim;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->db = sw_test_fresh_db();
    sw_test_init_db(f->db);
    if (sw_test_pmssim_start(&f->sim, NULL) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int st = sw_test_pmssim_stop(&f->sim);
    free(f->db);
    free(f);
    return st == 0 ? 0 : -1;
}

/* Runs the suite; its exit status, stdout in *out. */
static int run_suite(struct fixture *f, char **out)
{
    char peer[64], control[96];
    snprintf(peer, sizeof peer, "127.0.0.1:%d", f->sim.mllp_port);
    snprintf(control, sizeof control, "%s", f->sim.ctl.base);
    const char *args[] = { "interface", "test", "--db", f->db, "--peer", peer,
                           "--peer-control", control, "--suite", "go-live",
                           "--run-by", "Dana Admin", NULL };
    char *err = NULL;
    int st = sw_test_run(args, NULL, out, &err);
    if (err && err[0])
        fprintf(stderr, "interface test stderr: %s\n", err);
    free(err);
    return st;
}

static int count_lines(const char *text, const char *prefix)
{
    int n = 0;
    for (const char *p = text; p && *p;) {
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            n++;
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : NULL;
    }
    return n;
}

struct stored {
    int64_t runs;
    char    report[65536];
    char    digest[65];
    char    audit_detail[256];
};

static int stored_fn(store_tx *tx, void *arg)
{
    struct stored *s = arg;
    int rc = store_query_int64(tx, &s->runs, "SELECT COUNT(*) FROM "
                               "interface_test_run WHERE practice_id = 1", "");
    store_stmt *st;
    if (rc == SW_OK)
        rc = store_prepare(tx, "SELECT report, digest FROM interface_test_run "
                           "WHERE practice_id = 1 ORDER BY run_id DESC LIMIT 1", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_step(st, &row);
    if (rc == SW_OK && row) {
        snprintf(s->report, sizeof s->report, "%s", store_col_text(st, 0, NULL));
        snprintf(s->digest, sizeof s->digest, "%s", store_col_text(st, 1, NULL));
    }
    store_finalize(st);
    if (rc != SW_OK)
        return rc;
    rc = store_prepare(tx, "SELECT detail FROM audit_log WHERE practice_id = 1 "
                       "AND feature = 'interface.test' ORDER BY seq DESC LIMIT 1",
                       &st);
    if (rc != SW_OK)
        return rc;
    rc = store_step(st, &row);
    if (rc == SW_OK && row)
        snprintf(s->audit_detail, sizeof s->audit_detail, "%s",
                 store_col_text(st, 0, NULL));
    store_finalize(st);
    return rc;
}

static void read_stored(const char *db, struct stored *out, gate_data *gate)
{
    sw_store *s;
    sw_err err;
    store_options so = { .connections = 1 };
    assert_int_equal(store_open(db, &so, &s, &err), SW_OK);
    memset(out, 0, sizeof *out);
    assert_int_equal(store_read(s, stored_fn, out, &err), SW_OK);
    plan_gate g = { .kind = PLAN_GATE_INTERFACE };
    assert_int_equal(gates_data(s, 1, NULL, NULL, &g, gate, &err), SW_OK);
    store_close(s);
}

static void test_suite_passes_against_the_simulator(void **state)
{
    struct fixture *f = *state;
    /* Before any run the gate has no data. */
    struct stored st;
    gate_data gate;
    read_stored(f->db, &st, &gate);
    assert_int_equal(gate.state, GATE_NO_DATA);

    char *out = NULL;
    int rc = run_suite(f, &out);
    if (rc != 0)
        fprintf(stderr, "%s\n", out);
    assert_int_equal(rc, 0);
    assert_int_equal(count_lines(out, "PASS  "), 10);
    assert_int_equal(count_lines(out, "FAIL  "), 0);
    assert_non_null(strstr(out, "PASS  signed visit \xe2\x86\x92 charge 99213 with "
                                "NPI 1234567893 acknowledged\n"));
    assert_non_null(strstr(out, "Passed 10 of 10 scenarios"));
    free(out);

    /* The report, its digest, and the digest in the audit trail. */
    read_stored(f->db, &st, &gate);
    assert_int_equal(st.runs, 1);
    unsigned char hash[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(hash, (const unsigned char *)st.report, strlen(st.report));
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    assert_string_equal(st.digest, hex);
    char want[128];
    snprintf(want, sizeof want, "passed 10 of 10 digest=%s", hex);
    assert_string_equal(st.audit_detail, want);
    json_t *report = json_loads(st.report, 0, NULL);
    assert_non_null(report);
    assert_string_equal(json_string_value(json_object_get(report, "run_by")),
                        "Dana Admin");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(report,
                     "counts"), "passed")), 10);
    json_t *sc = json_array_get(json_object_get(report, "scenarios"), 5);
    assert_string_equal(json_string_value(json_object_get(sc, "id")), "signed-visit");
    assert_non_null(strstr(json_string_value(json_object_get(sc, "detail")),
                           "FT1-7 99213, FT1-20 1234567893"));
    json_decref(report);

    /* The gate reads it. */
    assert_int_equal(gate.state, GATE_PASSED);
    assert_int_equal(gate.percent, 100);
    assert_non_null(strstr(gate.detail, "passed 10 of 10 scenarios"));
    assert_non_null(strstr(gate.detail, "(run by Dana Admin)"));

    /* The simulator saw each charge once. */
    json_t *doc;
    assert_int_equal(sw_test_pmssim_call(&f->sim, "GET", "/received", NULL, &doc), 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "duplicates")), 0);
    json_decref(doc);

    /* And the API lists the run to whoever reads the plan. */
    assert_int_equal(sw_test_add_user(f->db, "lead", "implementation_lead"), 0);
    sw_test_server srv;
    assert_int_equal(sw_test_server_start(&srv, f->db, NULL), 0);
    char auth[512];
    assert_int_equal(sw_test_sign_in_as(&srv, "lead", auth, sizeof auth), 0);
    const char *headers[] = { auth, NULL };
    sw_http_result res;
    assert_int_equal(sw_http(&srv, "GET", "/api/interface/tests", headers, NULL, 0,
                             &res), 0);
    assert_int_equal(res.status, 200);
    json_t *list = json_loads(res.body, 0, NULL);
    json_t *run = json_array_get(json_object_get(list, "runs"), 0);
    assert_true(json_is_true(json_object_get(run, "passed")));
    assert_string_equal(json_string_value(json_object_get(run, "digest")), hex);
    assert_string_equal(json_string_value(json_object_get(json_object_get(run,
                        "report"), "suite")), "go-live");
    json_decref(list);
    sw_http_result_free(&res);
    assert_int_equal(sw_http(&srv, "GET", "/api/interface/tests", NULL, NULL, 0,
                             &res), 0);
    assert_int_equal(res.status, 401);
    sw_http_result_free(&res);
    assert_int_equal(sw_test_server_stop(&srv, 15, 20), 0);
}

static void test_suite_fails_when_the_pms_rejects(void **state)
{
    struct fixture *f = *state;
    char *out = NULL;
    assert_int_equal(run_suite(f, &out), 0);
    free(out);

    json_t *doc;
    assert_int_equal(sw_test_pmssim_call(&f->sim, "PUT", "/mode",
                                         "{\"mode\":\"ae\"}", &doc), 200);
    json_decref(doc);
    assert_int_equal(run_suite(f, &out), 1);
    assert_non_null(strstr(out, "FAIL  signed visit"));
    assert_non_null(strstr(out, "not acknowledged"));
    assert_null(strstr(out, "Passed 10 of 10"));
    free(out);

    /* The latest run decides: the gate fails, naming what failed. */
    struct stored st;
    gate_data gate;
    read_stored(f->db, &st, &gate);
    assert_int_equal(st.runs, 2);
    assert_int_equal(gate.state, GATE_FAILED);
    assert_non_null(strstr(gate.detail, "failed on"));
    assert_non_null(strstr(gate.detail, "signed visit"));
    assert_non_null(strstr(st.audit_detail, "passed "));
    assert_null(strstr(st.audit_detail, "passed 10 of 10"));
}

static void test_bad_usage_is_refused(void **state)
{
    struct fixture *f = *state;
    const char *no_peer[] = { "interface", "test", "--db", f->db, NULL };
    char *err = NULL;
    assert_int_equal(sw_test_run(no_peer, NULL, NULL, &err), 2);
    assert_non_null(strstr(err, "--peer"));
    free(err);
    const char *bad_suite[] = { "interface", "test", "--db", f->db, "--peer",
                                "127.0.0.1:1", "--suite", "smoke", NULL };
    assert_int_equal(sw_test_run(bad_suite, NULL, NULL, &err), 2);
    assert_non_null(strstr(err, "go-live"));
    free(err);
    const char *no_practice[] = { "interface", "test", "--db", f->db, "--peer",
                                  "127.0.0.1:1", "--practice", "9", NULL };
    assert_int_equal(sw_test_run(no_practice, NULL, NULL, &err), 1);
    assert_non_null(strstr(err, "no practice 9"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_suite_passes_against_the_simulator,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_suite_fails_when_the_pms_rejects,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_usage_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
