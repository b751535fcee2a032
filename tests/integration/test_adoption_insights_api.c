/* test_adoption_insights_api.c - productivity, forecast, findings and the
 * baseline import over HTTP (src/server/api_adoption_insights.c;
 * docs/adoption-metrics.md "API") on both stores: who may see the
 * practice's curve and the forecast, a clinician's own curve and a
 * colleague's refused, the baseline CSV (its content type, a bad line
 * naming the line and writing nothing, the permission), and findings
 * listed by who asks and assigned by a super-user of the module (once),
 * refused to a colleague. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "testapi.h"
#include "testpeople.h"

static long call(ta_people *p, const char *auth, const char *method,
                 const char *path, json_t **out)
{
    return sw_test_call(p->e, auth, method, path, NULL, out);
}

static int script_fn(store_tx *tx, void *arg)
{
    return store_exec_script(tx, arg);
}

struct one { const char *sql; int64_t value; };

static int one_fn(store_tx *tx, void *arg)
{
    struct one *o = arg;
    return store_query_int64(tx, &o->value, o->sql, "");
}

/* Runs sql (a script, when value is NULL; else a count into *value) on
 * the server's database directly. */
static void on_db(sw_test_env *e, const char *sql, int64_t *value)
{
    store_options so = { 0 };
    sw_store *s;
    sw_err err;
    if (store_open(e->db, &so, &s, &err) != SW_OK)
        fail_msg("opening the store: %s", sw_err_text(&err));
    struct one o = { sql, 0 };
    int rc = value ? store_read(s, one_fn, &o, &err)
                   : store_write(s, script_fn, (void *)sql, &err);
    store_close(s);
    if (rc != SW_OK)
        fail_msg("%s: %s", sql, sw_err_text(&err));
    if (value)
        *value = o.value;
}

static void practice_figures_by_who_asks(void **state)
{
    ta_people *p = *state;
    json_t *doc = NULL;
    /* A clinician alone sees neither the practice's curve nor the
     * forecast; the lead and a super-user do. */
    assert_int_equal(call(p, p->peer, "GET", "/api/adoption/productivity", NULL),
                     403);
    assert_int_equal(call(p, p->peer, "GET", "/api/adoption/forecast", NULL), 403);
    assert_int_equal(call(p, p->lead, "PUT", "/api/superusers/vitals/rn.super",
                          NULL), 201);
    assert_int_equal(call(p, p->super, "GET", "/api/adoption/productivity",
                          &doc), 200);
    assert_true(json_is_array(json_object_get(doc, "weeks")));
    assert_true(json_is_null(json_object_get(doc, "golive")));   /* no plan */
    json_decref(doc);
    assert_int_equal(call(p, p->lead, "GET", "/api/adoption/forecast", &doc),
                     200);
    assert_true(json_is_true(json_object_get(doc, "estimate")));
    assert_true(json_array_size(json_object_get(doc, "sources")) >= 3);
    assert_non_null(json_object_get(doc, "big_bang"));
    json_decref(doc);
    /* Their own curve; a colleague's is refused; nobody is not found. */
    assert_int_equal(call(p, p->peer, "GET",
                          "/api/adoption/productivity?user=dr.peer", &doc), 200);
    json_decref(doc);
    assert_int_equal(call(p, p->other, "GET",
                          "/api/adoption/productivity?user=dr.peer", NULL), 403);
    assert_int_equal(call(p, p->lead, "GET",
                          "/api/adoption/productivity?user=nobody", NULL), 404);
    assert_int_equal(call(p, p->lead, "GET",
                          "/api/adoption/productivity?as_of=2026-02-30", NULL),
                     400);
}

static void baseline_import(void **state)
{
    ta_people *p = *state;
    sw_test_env *e = p->e;
    sw_http_result r;
    const char *good = "username,week_start,visits,sessions\n"
                       "dr.peer,2026-10-05,40,10\n";
    assert_int_equal(sw_test_request(e, p->lead, "POST", "/api/adoption/baseline",
                                     "text/csv", good, &r), 200);
    json_t *doc = json_loads(r.body, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(doc, "imported")), 1);
    json_decref(doc);
    sw_http_result_free(&r);
    assert_int_equal(sw_test_request(e, p->lead, "POST", "/api/adoption/baseline",
                                     SW_TEST_JSON, "{}", NULL), 415);
    const char *bad = "username,week_start,visits,sessions\n"
                      "dr.peer,2026-10-12,40,10\n"
                      "dr.peer,2026-10-19,many,10\n";
    assert_int_equal(sw_test_request(e, p->lead, "POST", "/api/adoption/baseline",
                                     "text/csv", bad, &r), 400);
    assert_non_null(strstr(r.body, "line 3: visits"));
    sw_http_result_free(&r);
    /* Nothing of the bad file was kept. */
    int64_t rows;
    on_db(e, "SELECT COUNT(*) FROM adoption_baseline_visits", &rows);
    assert_int_equal(rows, 1);
    assert_int_equal(sw_test_request(e, p->peer, "POST", "/api/adoption/baseline",
                                     "text/csv", good, NULL), 403);
}

/* Waits (bounded) for the server's evaluation at start to have run
 * (src/server/adoption_worker.c logs it), so that rows written next are
 * not raced by it. */
static void wait_for_start_evaluation(sw_test_env *e)
{
    bool logged = false;
    for (int i = 0; i < 150 && !logged; i++) {
        char *log = sw_test_server_log(&e->srv);
        logged = log && strstr(log, "adoption evaluation of practice 1");
        free(log);
        if (!logged)
            usleep(200000);
    }
    assert_true(logged);
}

static void findings_listed_and_assigned(void **state)
{
    ta_people *p = *state;
    sw_test_env *e = p->e;
    /* The one finding of this test, in place of whatever the server's own
     * evaluation found at start. */
    wait_for_start_evaluation(e);
    on_db(e, "DELETE FROM adoption_finding; "
             "INSERT INTO adoption_finding (practice_id, finding_id, "
             "user_id, module, kind, subject, explanation, recommendation, "
             "value_then, found_day, remeasure_day, state) SELECT 1, 1, "
             "user_id, 'vitals', 'unused', 'vitals.create', 'You have not "
             "used recording vital signs in the last 30 days.', "
             "'{\"kind\":\"exercise\",\"course\":\"course-vitals\",\"text\":"
             "\"Repeat the course.\"}', 0, 20786, 20816, 'open' FROM app_user "
             "WHERE username = 'dr.peer'", NULL);
    json_t *doc = NULL;
    assert_int_equal(call(p, p->peer, "GET", "/api/adoption/findings?open=1",
                          &doc), 200);
    json_t *list = json_object_get(doc, "findings");
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(sw_test_str(doc, "findings.0.user"), "dr.peer");
    assert_string_equal(sw_test_str(doc, "findings.0.recommendation.course"),
                        "course-vitals");
    assert_string_equal(sw_test_str(doc, "findings.0.found"), "2026-11-29");
    json_decref(doc);
    /* A colleague sees only their own (none), and not dr.peer's. */
    assert_int_equal(call(p, p->other, "GET", "/api/adoption/findings", &doc),
                     200);
    assert_int_equal(json_array_size(json_object_get(doc, "findings")), 0);
    json_decref(doc);
    assert_int_equal(call(p, p->other, "GET",
                          "/api/adoption/findings?user=dr.peer", NULL), 403);
    assert_int_equal(call(p, p->lead, "GET", "/api/adoption/findings?open=2",
                          NULL), 400);

    /* Assigning: not a colleague; a super-user of vitals, once. */
    assert_int_equal(call(p, p->other, "POST",
                          "/api/adoption/findings/1/assign", NULL), 403);
    assert_int_equal(call(p, p->lead, "PUT", "/api/superusers/vitals/rn.super",
                          NULL), 201);
    assert_int_equal(call(p, p->super, "POST",
                          "/api/adoption/findings/1/assign", &doc), 201);
    json_int_t assignment = json_integer_value(json_object_get(doc,
                                                               "assignment"));
    assert_true(assignment > 0);
    json_decref(doc);
    assert_int_equal(call(p, p->super, "POST",
                          "/api/adoption/findings/1/assign", NULL), 409);
    assert_int_equal(call(p, p->lead, "POST",
                          "/api/adoption/findings/99/assign", NULL), 404);
    assert_int_equal(call(p, p->lead, "POST",
                          "/api/adoption/findings/x/assign", NULL), 404);
    /* The lead sees it assigned. */
    assert_int_equal(call(p, p->lead, "GET", "/api/adoption/findings?user=dr.peer",
                          &doc), 200);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(
        json_object_get(doc, "findings"), 0), "assignment")), assignment);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(practice_figures_by_who_asks, ta_people_setup,
                                        ta_people_teardown),
        cmocka_unit_test_setup_teardown(baseline_import, ta_people_setup,
                                        ta_people_teardown),
        cmocka_unit_test_setup_teardown(findings_listed_and_assigned, ta_people_setup,
                                        ta_people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
