/* test_adoption_worker.c - the server's daily adoption evaluation
 * (src/server/adoption_worker.c, docs/adoption-metrics.md "Neglected
 * features" and "Computation") on both stores: a practice whose plan has
 * had documentation and problems live for everyone for years, and a
 * physician who has used none of their core features, gets its findings
 * from the server alone, with no `stagewise adoption evaluate` run; the
 * evaluation is logged with its counts. The wait is bounded and nothing
 * is asserted about how long it took. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "store/store.h"
#include "testadoption.h"
#include "testserver.h"
#include "teststore.h"

#define LIVE_PLAN \
    "{'stages':[{'id':'s1','name':'Notes','target_date':'2020-01-06'," \
    "'modules':['documentation','problems'],'cohort':{'kind':'everyone'}," \
    "'gates':[],'state':'live','live_at':'2020-01-06T09:00:00Z'}]}"

#define POLL_TRIES 150       /* 30 s at most */
#define POLL_US    200000

/* The open findings of username as the signed-in lead sees them; the
 * caller frees. */
static json_t *open_findings(sw_test_env *e, const char *username)
{
    char path[128];
    snprintf(path, sizeof path, "/api/adoption/findings?user=%s&open=1",
             username);
    const char *h[] = { e->auth, NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, "GET", path, h, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *doc = json_loads(r.body, 0, NULL);
    sw_http_result_free(&r);
    assert_non_null(doc);
    json_t *list = json_incref(json_object_get(doc, "findings"));
    json_decref(doc);
    assert_true(json_is_array(list));
    return list;
}

static bool has_finding(json_t *list, const char *kind, const char *subject)
{
    size_t i;
    json_t *f;
    json_array_foreach(list, i, f)
        if (strcmp(json_string_value(json_object_get(f, "kind")), kind) == 0
            && strcmp(json_string_value(json_object_get(f, "subject")),
                      subject) == 0)
            return true;
    return false;
}

static void the_server_evaluates_at_start(void **state)
{
    (void)state;
    sw_test_env e;
    assert_int_equal(sw_test_env_prepare(&e), 0);
    /* The plan and a physician who never used a feature, written before
     * the server starts: a finding is due as of today. */
    teststore f = { e.db, NULL };
    store_options so = { 0 };
    sw_err err;
    assert_int_equal(store_open(e.db, &so, &f.store, &err), SW_OK);
    ta_save_plan(&f, LIVE_PLAN);
    ta_add_user(&f, "dr.quiet", "physician", "");
    /* Nothing was evaluated yet. */
    assert_int_equal(ta_query(&f, "SELECT COUNT(*) FROM adoption_finding"), 0);
    store_close(f.store);

    assert_int_equal(sw_test_env_serve(&e, NULL), 0);
    json_t *list = NULL;
    for (int i = 0; i < POLL_TRIES; i++) {
        json_decref(list);
        list = open_findings(&e, "dr.quiet");
        if (json_array_size(list) > 0)
            break;
        usleep(POLL_US);
    }
    /* Never used: the problem list's core features are "unused", with
     * the physician's name on them. */
    assert_true(json_array_size(list) > 0);
    assert_true(has_finding(list, "unused", "problems.create"));
    json_t *first = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(first, "state")),
                        "open");
    json_decref(list);

    /* The log says what the evaluation did (counts, no names). */
    bool logged = false;
    for (int i = 0; i < POLL_TRIES && !logged; i++) {
        char *log = sw_test_server_log(&e.srv);
        logged = log && strstr(log, "adoption evaluation of practice 1 as of")
                 && strstr(log, "findings opened");
        free(log);
        if (!logged)
            usleep(POLL_US);
    }
    assert_true(logged);
    assert_int_equal(sw_test_env_stop(&e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_server_evaluates_at_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
