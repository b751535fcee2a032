/* api_interface_tests.c - the go-live interface test suite's stored
 * reports over HTTP (docs/hl7-interface.md "The go-live interface test
 * suite"):
 *
 *   GET /api/interface/tests   the practice's runs, newest first   plan:read
 *
 * Each run: {run_id, suite, peer, run_by, started_at, finished_at, passed,
 * digest, report}; report is the JSON `stagewise interface test` stored
 * and digest its SHA-256, which the run's audit entry also carries. The
 * suite's results decide the plan's interface gate, so whoever reads the
 * plan may read them; they hold no patient data (the suite's patients are
 * made up). At most 50 runs. */
#include "app.h"

#include <string.h>

#include "core/clock.h"

#define TESTS_MAX 50

struct list_ctx {
    int64_t practice_id;
    json_t *runs;
};

static json_t *iso(int64_t ms)
{
    char t[SW_TIME_ISO_MAX];
    sw_time_iso(ms, t);
    return json_string(t);
}

static int list_fn(store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    json_array_clear(c->runs);
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT run_id, suite, peer, run_by, started_at, "
                           "finished_at, passed, digest, report FROM "
                           "interface_test_run WHERE practice_id = ? "
                           "ORDER BY run_id DESC LIMIT ?", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, c->practice_id);
    store_bind_int64(st, 2, TESTS_MAX);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        size_t n;
        const char *text = store_col_text(st, 8, &n);
        json_t *report = json_loadb(text, n, 0, NULL);
        json_array_append_new(c->runs, json_pack(
            "{s:I, s:s, s:s, s:s, s:o, s:o, s:b, s:s, s:o}",
            "run_id", (json_int_t)store_col_int64(st, 0),
            "suite", store_col_text(st, 1, NULL),
            "peer", store_col_text(st, 2, NULL),
            "run_by", store_col_text(st, 3, NULL),
            "started_at", iso(store_col_int64(st, 4)),
            "finished_at", iso(store_col_int64(st, 5)),
            "passed", store_col_int64(st, 6) != 0,
            "digest", store_col_text(st, 7, NULL),
            "report", report ? report : json_null()));
    }
    store_finalize(st);
    return rc;
}

static int get_tests(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    struct list_ctx c = { server_principal(req)->practice_id, json_array() };
    if (c.runs == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    sw_err err;
    int rc = store_read(app->store, list_fn, &c, &err);
    if (rc != SW_OK) {
        json_decref(c.runs);
        return server_store_failed(res, rc, &err, "the interface test reports");
    }
    return server_reply_json(res, 200, json_pack("{s:o}", "runs", c.runs));
}

static const http_route routes[] = {
    { "GET", "/api/interface/tests", get_tests, 0, "plan:read" },
};

const http_route_table interface_tests_routes = {
    .name = "interface_tests",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
