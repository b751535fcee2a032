/* test_demo_history.c - `stagewise init --demo` builds the demo practice's
 * history (docs/adoption-metrics.md "The demo practice"): a staged plan
 * whose stages went live 10 and 4 weeks ago, several hundred patients,
 * visits signed by each clinician through the workflow routes, activity
 * reported, and a second init that builds nothing again. Runs on SQLite
 * and PostgreSQL. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "store/store.h"
#include "testdb.h"
#include "testserver.h"

#define DEMO_PASSWORD "stagewise-demo"

/* Runs `stagewise init --db URL --demo` and returns its output. Not
 * sw_test_run: the history's thousands of requests may take longer than
 * its limit in a sanitizer build; CTest's timeout bounds this one. */
static char *init_demo(const char *db)
{
    const char *bin = getenv("STAGEWISE_BIN");
    assert_non_null(bin);
    setenv("STAGEWISE_ADMIN_PASSWORD", SW_TEST_ADMIN_PASSWORD, 1);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' init --db '%s' --demo 2>&1", bin, db);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    size_t got;
    while ((got = fread(out + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n < 2)
            out = realloc(out, cap *= 2);
    }
    out[n] = '\0';
    int status = pclose(p);
    if (status != 0)
        fprintf(stderr, "init --demo failed:\n%s\n", out);
    assert_int_equal(status, 0);
    return out;
}

static json_t *get_json(const sw_test_server *srv, const char *auth,
                        const char *path, long *status)
{
    const char *headers[] = { auth, NULL };
    sw_http_result r;
    assert_int_equal(sw_http(srv, "GET", path, headers, NULL, 0, &r), 0);
    *status = r.status;
    json_t *doc = json_loadb(r.body, r.len, 0, NULL);
    sw_http_result_free(&r);
    return doc;
}

/* The day n days before today (UTC), as YYYY-MM-DD. */
static void days_ago(int n, char out[16])
{
    time_t t = time(NULL) - (time_t)n * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static void check_plan(const sw_test_server *srv, const char *lead)
{
    long st;
    json_t *doc = get_json(srv, lead, "/api/plan", &st);
    assert_int_equal(st, 200);
    json_t *stages = json_object_get(json_object_get(doc, "plan"), "stages");
    assert_int_equal(json_array_size(stages), 3);
    const int ago[2] = { 70, 28 };
    for (int i = 0; i < 2; i++) {
        json_t *s = json_array_get(stages, (size_t)i);
        assert_string_equal(json_string_value(json_object_get(s, "state")), "live");
        char day[16];
        days_ago(ago[i], day);
        const char *live_at = json_string_value(json_object_get(s, "live_at"));
        assert_non_null(live_at);
        assert_memory_equal(live_at, day, 10);
    }
    json_t *third = json_array_get(stages, 2);
    assert_string_equal(json_string_value(json_object_get(third, "name")),
                        "Charge capture");
    assert_string_equal(json_string_value(json_object_get(third, "state")), "planned");
    json_decref(doc);
}

static void check_patients(const sw_test_server *srv, const char *clinician)
{
    long st;
    json_t *doc = get_json(srv, clinician, "/fhir/Patient?_count=1", &st);
    assert_int_equal(st, 200);
    assert_true(json_integer_value(json_object_get(doc, "total")) >= 300);
    json_decref(doc);
}

/* Each clinician signed visits: the audit trail holds their
 * documentation.sign entries. */
static void check_signed(const sw_test_server *srv, const char *lead)
{
    const char *clinicians[] = { "dr.rivera", "dr.osei", "np.chen", "pa.brooks" };
    for (size_t i = 0; i < 4; i++) {
        char path[160];
        snprintf(path, sizeof path, "/api/audit?user=%s&type=Composition"
                 "&order=newest&limit=500", clinicians[i]);
        long st;
        json_t *doc = get_json(srv, lead, path, &st);
        assert_int_equal(st, 200);
        json_t *entries = json_object_get(doc, "entries");
        size_t signs = 0, k;
        json_t *e;
        json_array_foreach(entries, k, e) {
            const char *f = json_string_value(json_object_get(e, "feature"));
            signs += f && strcmp(f, "documentation.sign") == 0;
        }
        if (signs == 0)
            fprintf(stderr, "no documentation.sign entries for %s\n", clinicians[i]);
        assert_true(signs > 0);
        json_decref(doc);
    }
}

struct count_q { const char *sql; int64_t n; };

static int count_fn(store_tx *tx, void *arg)
{
    struct count_q *q = arg;
    return store_query_int64(tx, &q->n, q->sql, "");
}

static int64_t count_rows(const char *db, const char *sql)
{
    sw_store *s;
    sw_err err;
    store_options so = { .connections = 1 };
    assert_int_equal(store_open(db, &so, &s, &err), SW_OK);
    struct count_q q = { .sql = sql };
    assert_int_equal(store_read(s, count_fn, &q, &err), SW_OK);
    store_close(s);
    return q.n;
}

/* The adoption screens, once they are served: a productivity dip, someone
 * below a floor, the neglected feature found. */
static void check_dashboard(const sw_test_server *srv, const char *lead)
{
    long st;
    json_t *doc = get_json(srv, lead, "/api/adoption/dashboard", &st);
    if (st == 404) {
        json_decref(doc);
        return;
    }
    assert_int_equal(st, 200);
    json_t *dip = json_object_get(json_object_get(doc, "productivity"), "dip");
    assert_true(json_is_object(dip));
    assert_true(json_real_value(json_object_get(dip, "lowest")) < 90.0
                || json_integer_value(json_object_get(dip, "lowest")) < 90);
    assert_true(json_array_size(json_object_get(doc, "below_floor")) >= 1);
    json_decref(doc);

    /* The neglected feature of the story: Dr. Osei never reconciles
     * medication lists. */
    doc = get_json(srv, lead, "/api/adoption/findings?open=1", &st);
    if (st == 404) {
        json_decref(doc);
        return;
    }
    assert_int_equal(st, 200);
    json_t *findings = json_object_get(doc, "findings");
    assert_true(json_array_size(findings) >= 1);
    bool osei = false;
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f) {
        const char *user = json_string_value(json_object_get(f, "user"));
        const char *subject = json_string_value(json_object_get(f, "subject"));
        osei |= user && subject && strcmp(user, "dr.osei") == 0
                && strcmp(subject, "medications.reconcile") == 0;
    }
    assert_true(osei);
    json_decref(doc);
}

static void demo_history_builds_once(void **state)
{
    (void)state;
    char *db = sw_test_fresh_db();
    char *out = init_demo(db);
    assert_non_null(strstr(out, "Demo history: 320 patients"));
    assert_non_null(strstr(out, "pa.brooks"));
    free(out);

    sw_test_server srv;
    assert_int_equal(sw_test_server_start(&srv, db, NULL), 0);
    char lead[512], clinician[512];
    assert_int_equal(sw_test_sign_in_with(&srv, "lead.morgan", DEMO_PASSWORD,
                                          lead, sizeof lead), 0);
    assert_int_equal(sw_test_sign_in_with(&srv, "dr.rivera", DEMO_PASSWORD,
                                          clinician, sizeof clinician), 0);
    check_plan(&srv, lead);
    check_patients(&srv, clinician);
    check_signed(&srv, lead);
    check_dashboard(&srv, lead);
    assert_int_equal(sw_test_server_stop(&srv, SIGINT, 15), 0);

    /* Activity was reported through /api/activity, and the interfaces'
     * tokens were revoked when the history was done. */
    assert_true(count_rows(db, "SELECT COUNT(*) FROM adoption_activity "
                           "WHERE source = 'client'") > 0);
    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM app_api_token "
                                "WHERE revoked = 0"), 0);

    /* A second init builds nothing again. */
    int64_t versions = count_rows(db, "SELECT COUNT(*) FROM plan_version");
    int64_t encounters = count_rows(db, "SELECT COUNT(*) FROM fhir_resource "
                                    "WHERE res_type = 'Encounter'");
    out = init_demo(db);
    assert_non_null(strstr(out, "Demo history: already built."));
    free(out);
    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM plan_version"), versions);
    assert_int_equal(count_rows(db, "SELECT COUNT(*) FROM fhir_resource "
                                "WHERE res_type = 'Encounter'"), encounters);
    free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(demo_history_builds_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
