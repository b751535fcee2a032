/* test_adoption_api.c - the adoption scorecards, report, targets and
 * settings over HTTP (src/server/api_adoption.c, adoption_access.c;
 * docs/adoption-metrics.md "API") on both stores: who sees whose
 * scorecard (themself, a colleague refused, a super-user, the lead and
 * the admin), the shapes the web app reads, the report as CSV, and the
 * targets and settings refusing bad input without writing anything. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollout/plan.h"
#include "rollout/plan_store.h"
#include "store/store.h"
#include "testapi.h"
#include "testpeople.h"

/* rn.super becomes the vitals super-user. */
static void make_super_user(ta_people *p)
{
    assert_int_equal(sw_test_call(p->e, p->lead, "PUT",
                                  "/api/superusers/vitals/rn.super", NULL,
                                  NULL), 201);
}

static long get(ta_people *p, const char *auth, const char *path)
{
    return sw_test_call(p->e, auth, "GET", path, NULL, NULL);
}

static void scorecards_by_who_asks(void **state)
{
    ta_people *p = *state;
    make_super_user(p);
    /* Themself. */
    json_t *me = sw_test_get_json(p->e, p->peer, "/api/adoption/me");
    assert_string_equal(sw_test_str(me, "report.user.username"), "dr.peer");
    assert_true(json_is_array(json_object_get(json_object_get(me, "report"),
                                              "benchmarks")));
    assert_true(json_is_array(json_object_get(json_object_get(me, "report"),
                                              "modules")));
    assert_true(json_is_object(json_object_get(me, "productivity")));
    assert_true(json_is_array(json_object_get(me, "findings")));
    /* No schedule yet: the time metrics say why they have no value. */
    json_t *ehr = sw_test_find(json_object_get(json_object_get(me, "report"),
                                               "benchmarks"), "id", "ehr_time");
    assert_non_null(ehr);
    assert_true(json_is_null(json_object_get(ehr, "value")));
    assert_string_equal(json_string_value(json_object_get(ehr, "why_none")),
                        "no scheduled hours in the window");
    json_decref(me);
    assert_int_equal(get(p, p->peer, "/api/adoption/users/dr.peer"), 200);
    /* A colleague: refused, and the lists too. */
    assert_int_equal(get(p, p->peer, "/api/adoption/users/dr.other"), 403);
    assert_int_equal(get(p, p->peer, "/api/adoption/users"), 403);
    assert_int_equal(get(p, p->peer, "/api/adoption/dashboard"), 403);
    assert_int_equal(get(p, p->peer, "/api/adoption/report"), 403);
    /* A super-user: colleagues yes, the lead and the admin no. */
    assert_int_equal(get(p, p->super, "/api/adoption/users/dr.peer"), 200);
    assert_int_equal(get(p, p->super, "/api/adoption/users/lead.a"), 403);
    assert_int_equal(get(p, p->super, "/api/adoption/users/" SW_TEST_CLINICIAN),
                     403);
    json_t *list = sw_test_get_json(p->e, p->super, "/api/adoption/users");
    json_t *users = json_object_get(list, "users");
    assert_non_null(sw_test_find(users, "username", "dr.peer"));
    assert_non_null(sw_test_find(users, "username", "rn.super"));
    assert_null(sw_test_find(users, "username", "lead.a"));
    assert_null(sw_test_find(users, "username", SW_TEST_CLINICIAN));
    json_t *row = sw_test_find(users, "username", "dr.peer");
    assert_true(json_is_true(json_object_get(row, "clinician")));
    assert_true(json_is_array(json_object_get(row, "modules")));
    assert_true(json_is_integer(json_object_get(row, "below_floor")));
    assert_true(json_is_integer(json_object_get(row, "findings_open")));
    json_decref(list);
    assert_int_equal(get(p, p->super, "/api/adoption/dashboard"), 200);
    /* The lead and the admin: everyone. */
    assert_int_equal(get(p, p->lead, "/api/adoption/users/dr.peer"), 200);
    assert_int_equal(get(p, p->e->auth, "/api/adoption/users/lead.a"), 200);
    assert_int_equal(get(p, p->lead, "/api/adoption/users/nobody"), 404);
    list = sw_test_get_json(p->e, p->lead, "/api/adoption/users");
    assert_non_null(sw_test_find(json_object_get(list, "users"), "username",
                                 SW_TEST_CLINICIAN));
    json_decref(list);
}

static void dashboard_and_report(void **state)
{
    ta_people *p = *state;
    make_super_user(p);
    json_t *d = sw_test_get_json(p->e, p->lead, "/api/adoption/dashboard");
    const char *members[] = { "as_of", "modules", "below_floor", "gates",
                              "productivity", "clinicians", "forecast" };
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        if (json_object_get(d, members[i]) == NULL)
            fail_msg("the dashboard has no %s", members[i]);
    json_t *vitals = sw_test_find(json_object_get(d, "modules"), "module",
                                  "vitals");
    assert_non_null(vitals);
    assert_true(json_is_array(json_object_get(vitals, "series")));
    json_decref(d);

    json_t *r = sw_test_get_json(p->e, p->lead,
                                 "/api/adoption/report?user=dr.peer&module=vitals");
    json_t *users = json_object_get(r, "users");
    assert_int_equal(json_array_size(users), 1);
    json_t *bench = json_object_get(json_array_get(users, 0), "benchmarks");
    assert_true(json_array_size(bench) > 0);
    for (size_t i = 0; i < json_array_size(bench); i++)
        assert_string_equal(sw_test_str(json_array_get(bench, i), "module"),
                            "vitals");
    json_decref(r);

    char *csv = sw_test_get_text(p->e, p->lead,
                                 "/api/adoption/report?format=csv&user=dr.peer");
    /* RFC 4180: CRLF line ends; a benchmark without a value has an empty
     * value field. */
    const char *head = "username,module,benchmark,value,unit,floor,goal,"
                       "standing,level\r\n";
    assert_memory_equal(csv, head, strlen(head));
    assert_non_null(strstr(csv, "\ndr.peer,vitals,vitals,,%,50.00,80.00,"
                                "no_value,learning\r\n"));
    assert_null(strstr(csv, "dr.other"));
    free(csv);
    assert_int_equal(get(p, p->lead, "/api/adoption/report?format=xml"), 400);
    assert_int_equal(get(p, p->lead, "/api/adoption/report?module=nope"), 400);
    assert_int_equal(get(p, p->lead, "/api/adoption/report?user=nobody"), 404);
    assert_int_equal(get(p, p->lead, "/api/adoption/me?as_of=2026-02-30"), 400);
}

/* Vitals live for everyone since Monday 2026-11-02, written straight into
 * the server's store. */
static void vitals_live_since_november(sw_test_env *e)
{
    const char *body =
        "{\"stages\":[{\"id\":\"s1\",\"name\":\"Vitals\",\"target_date\":"
        "\"2026-11-02\",\"modules\":[\"vitals\"],\"cohort\":{\"kind\":"
        "\"everyone\"},\"gates\":[],\"state\":\"live\",\"live_at\":"
        "\"2026-11-02T09:00:00Z\"}]}";
    store_options so = { 0 };
    sw_store *s;
    sw_err err;
    if (store_open(e->db, &so, &s, &err) != SW_OK)
        fail_msg("opening the store: %s", sw_err_text(&err));
    audit_who who = { 1, 0, "test", "", "cli", "" };
    plan_save in = { &who, 0, body, NULL };
    int64_t version;
    if (plan_store_save(s, &in, &version, &err) != SW_OK)
        fail_msg("saving the plan: %s", sw_err_text(&err));
    store_close(s);
}

static void dashboard_series_per_week(void **state)
{
    ta_people *p = *state;
    make_super_user(p);
    vitals_live_since_november(p->e);
    json_t *list = sw_test_get_json(p->e, p->lead,
                                    "/api/adoption/users?as_of=2026-11-29");
    size_t people_n = json_array_size(json_object_get(list, "users"));
    assert_true(people_n >= 5);
    json_decref(list);

    json_t *d = sw_test_get_json(p->e, p->lead,
                                 "/api/adoption/dashboard?as_of=2026-11-29");
    assert_string_equal(sw_test_str(d, "as_of"), "2026-11-29");
    json_t *vitals = sw_test_find(json_object_get(d, "modules"), "module",
                                  "vitals");
    assert_string_equal(sw_test_str(vitals, "live_since"), "2026-11-02");
    json_t *series = json_object_get(vitals, "series");
    assert_int_equal(json_array_size(series), 4);
    assert_string_equal(sw_test_str(json_array_get(series, 0), "week_end"),
                        "2026-11-08");
    assert_string_equal(sw_test_str(json_array_get(series, 3), "week_end"),
                        "2026-11-29");
    /* Nobody has used vitals: everyone learning, nobody flagged while
     * settling in. */
    json_t *last = json_array_get(series, 3);
    assert_int_equal(json_integer_value(json_object_get(last, "learning")),
                     (json_int_t)people_n);
    assert_int_equal(json_integer_value(json_object_get(last, "flagged")), 0);
    /* A module no stage holds has no series. */
    json_t *reg = sw_test_find(json_object_get(d, "modules"), "module",
                               "registration");
    assert_true(json_is_null(json_object_get(reg, "live_since")));
    assert_int_equal(json_array_size(json_object_get(reg, "series")), 0);
    json_decref(d);

    /* Without a settling-in window the one person with vitals features
     * (the nurse) is flagged: breadth 0%. */
    assert_int_equal(sw_test_call(p->e, p->lead, "PUT", "/api/adoption/settings",
                                  "{\"settling_weeks\":0}", NULL), 200);
    d = sw_test_get_json(p->e, p->lead, "/api/adoption/dashboard?as_of=2026-11-29");
    vitals = sw_test_find(json_object_get(d, "modules"), "module", "vitals");
    last = json_array_get(json_object_get(vitals, "series"), 3);
    assert_int_equal(json_integer_value(json_object_get(last, "flagged")), 1);
    json_t *below = json_object_get(d, "below_floor");
    json_t *row = sw_test_find(below, "username", "rn.super");
    assert_non_null(row);
    assert_string_equal(sw_test_str(row, "benchmark"), "breadth.vitals");
    json_decref(d);
}

static void targets_and_settings(void **state)
{
    ta_people *p = *state;
    make_super_user(p);
    json_t *t = sw_test_get_json(p->e, p->peer, "/api/adoption/targets");
    json_t *erx = sw_test_find(json_object_get(t, "targets"), "id", "erx");
    assert_non_null(erx);
    assert_true(json_real_value(json_object_get(erx, "floor")) == 50.0);
    assert_true(json_real_value(json_object_get(erx, "default_goal")) == 60.0);
    assert_string_equal(sw_test_str(erx, "module"), "eprescribing");
    assert_non_null(sw_test_str(erx, "formula"));
    assert_non_null(sw_test_str(erx, "source"));
    json_decref(t);

    static const struct { const char *body, *names; } bad[] = {
        { "{\"targets\":[{\"id\":\"erx\",\"floor\":60,\"goal\":50}]}", "goal" },
        { "{\"targets\":[{\"id\":\"nope\",\"floor\":1,\"goal\":2}]}", "targets[0].id" },
        { "{\"targets\":[{\"id\":\"erx\",\"floor\":\"x\",\"goal\":2}]}", "targets[0].floor" },
        { "{\"targets\":[{\"id\":\"erx\",\"floor\":1,\"goal\":2,\"x\":1}]}", "x" },
        { "{\"targets\":[{\"id\":\"erx\",\"floor\":50,\"goal\":101}]}", "erx" },
        { "{\"targets\":[]}", "targets" },
        { "{\"targets\":[{\"id\":\"erx\",\"floor\":55,\"goal\":65},"
          "{\"id\":\"ehr_time\",\"floor\":4,\"goal\":5}]}", "ehr_time" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sw_http_result res;
        long st = sw_test_request(p->e, p->lead, "PUT", "/api/adoption/targets",
                                  SW_TEST_JSON, bad[i].body, &res);
        if (st != 400 || strstr(res.body, bad[i].names) == NULL)
            fail_msg("%s: %ld %s", bad[i].body, st, res.body);
        sw_http_result_free(&res);
    }
    /* All or none: the valid first entry of the last body was not kept. */
    t = sw_test_get_json(p->e, p->lead, "/api/adoption/targets");
    erx = sw_test_find(json_object_get(t, "targets"), "id", "erx");
    assert_true(json_real_value(json_object_get(erx, "floor")) == 50.0);
    json_decref(t);

    const char *good = "{\"targets\":[{\"id\":\"erx\",\"floor\":55,\"goal\":70}]}";
    assert_int_equal(sw_test_call(p->e, p->peer, "PUT", "/api/adoption/targets",
                                  good, NULL), 403);
    json_t *out;
    assert_int_equal(sw_test_call(p->e, p->lead, "PUT", "/api/adoption/targets",
                                  good, &out), 200);
    erx = sw_test_find(json_object_get(out, "targets"), "id", "erx");
    assert_true(json_real_value(json_object_get(erx, "floor")) == 55.0);
    assert_true(json_real_value(json_object_get(erx, "goal")) == 70.0);
    json_decref(out);

    assert_int_equal(get(p, p->peer, "/api/adoption/settings"), 403);
    json_t *s = sw_test_get_json(p->e, p->lead, "/api/adoption/settings");
    assert_int_equal(json_integer_value(json_object_get(s, "settling_weeks")), 6);
    json_decref(s);
    assert_int_equal(sw_test_call(p->e, p->lead, "PUT", "/api/adoption/settings",
                                  "{\"settling_weeks\":100}", NULL), 400);
    assert_int_equal(sw_test_call(p->e, p->lead, "PUT", "/api/adoption/settings",
                                  "{\"settling\":4}", NULL), 400);
    assert_int_equal(sw_test_call(p->e, p->peer, "PUT", "/api/adoption/settings",
                                  "{\"settling_weeks\":4}", NULL), 403);
    assert_int_equal(sw_test_call(p->e, p->lead, "PUT", "/api/adoption/settings",
                                  "{\"settling_weeks\":4}", &out), 200);
    assert_int_equal(json_integer_value(json_object_get(out, "settling_weeks")), 4);
    assert_int_equal(json_integer_value(json_object_get(out, "peer_share_percent")),
                     60);
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(scorecards_by_who_asks, ta_people_setup,
                                        ta_people_teardown),
        cmocka_unit_test_setup_teardown(dashboard_and_report, ta_people_setup,
                                        ta_people_teardown),
        cmocka_unit_test_setup_teardown(dashboard_series_per_week, ta_people_setup,
                                        ta_people_teardown),
        cmocka_unit_test_setup_teardown(targets_and_settings, ta_people_setup,
                                        ta_people_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
