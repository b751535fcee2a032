/* health.c - GET /healthz: is this server able to serve?
 *
 * Load balancers and the test harness poll it, so it answers without a
 * signed-in user and costs one trivial query: 200 when the store answers,
 * 503 with the store's error otherwise. It reveals nothing about the data. */
#include "app.h"

#include <stdio.h>

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

static const http_route routes[] = {
    { "GET", "/healthz", get_healthz, HTTP_ROUTE_PUBLIC, NULL },
};

const http_route_table health_routes = {
    .name = "health",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
