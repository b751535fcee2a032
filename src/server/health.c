/* health.c - GET /healthz, GET /readyz and the route of GET /metrics: is
 * this server alive, is it ready for traffic, and how is it doing.
 *
 * Load balancers, orchestrators and the test harness poll them, so they
 * answer without a signed-in user. /healthz is liveness: the process is up
 * and the store answers one trivial query. /readyz is readiness: also the
 * schema at this program's version, the training store answering when it
 * is served, the HL7 listener running when --mllp was given, and no stop
 * signal received; 503 names what is not ready. Neither reveals anything
 * about the data. /metrics is in api_metrics.c. */
#include "app.h"
#include "monitor.h"

#include <stdio.h>
#include <string.h>

static int get_healthz(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    sw_err err;
    int rc = store_ping(app->store, &err);
    if (rc != SW_OK)
        return http_fail(res, SW_ESTORE, "the database does not answer");
    http_set_header(res, "Cache-Control", "no-store");
    char body[128];
    int n = snprintf(body, sizeof body, "{\"status\":\"ok\",\"store\":\"%s\"}",
                     store_kind_of(app->store) == STORE_SQLITE ? "sqlite"
                                                               : "postgresql");
    return http_reply(res, 200, "application/json", body, (size_t)n);
}

/* "ok", or why the store is not ready ("unreachable", "schema"). */
static const char *store_state(sw_store *s)
{
    sw_err err;
    if (store_ping(s, &err) != SW_OK)
        return "unreachable";
    if (store_schema_check(s, &err) != SW_OK)
        return "schema_not_latest";
    return "ok";
}

static int get_readyz(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const struct {
        const char *name, *state;
    } checks[] = {
        { "store", store_state(server_prod_store(app)) },
        { "training_store", app->training_store == NULL ? "not_served"
                            : store_state(app->training_store) },
        { "hl7_listener", server_monitor_mllp_down() ? "not_running" : "ok" },
        { "server", server_monitor_is_stopping() ? "shutting_down" : "ok" },
    };
    char not_ready[256] = "", details[512] = "";
    size_t nr = 0, nd = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        bool fine = strcmp(checks[i].state, "ok") == 0
                 || strcmp(checks[i].state, "not_served") == 0;
        nd += (size_t)snprintf(details + nd, sizeof details - nd, "%s\"%s\":\"%s\"",
                               nd ? "," : "", checks[i].name, checks[i].state);
        if (!fine)
            nr += (size_t)snprintf(not_ready + nr, sizeof not_ready - nr,
                                   "%s\"%s\"", nr ? "," : "", checks[i].name);
    }
    http_set_header(res, "Cache-Control", "no-store");
    char body[1024];
    int n = snprintf(body, sizeof body,
                     "{\"status\":\"%s\",\"not_ready\":[%s],\"checks\":{%s}}",
                     nr ? "not_ready" : "ready", not_ready, details);
    return http_reply(res, nr ? 503 : 200, "application/json", body, (size_t)n);
}

static const http_route routes[] = {
    { "GET", "/healthz", get_healthz, HTTP_ROUTE_PUBLIC, NULL },
    { "GET", "/readyz", get_readyz, HTTP_ROUTE_PUBLIC, NULL },
    /* Public to the session filter: a scraper is not a user. The handler
     * admits loopback clients or the bearer of --metrics-token. */
    { "GET", "/metrics", server_get_metrics, HTTP_ROUTE_PUBLIC, NULL },
};

const http_route_table health_routes = {
    .name = "health",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
