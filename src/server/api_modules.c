/* api_modules.c - the module catalog over HTTP (docs/rollout.md,
 * "Modules"):
 *
 *   GET /api/modules   every module of the catalog, in its order
 *
 * The shape is src/rollout/catalog_json.h's, plus "live": whether the
 * module is live for the signed-in user, so the web app can offer what is
 * live and say what is coming. Any signed-in user may ask: what a practice
 * is rolling out is no secret from its staff. "live" is the rollout
 * decision (docs/rollout.md "Enforcement"), as /api/me's "modules" list
 * says too. */
#include "app.h"

#include <string.h>

#include "rollout/catalog.h"
#include "rollout/catalog_json.h"
#include "rollout/decide.h"

static int get_modules(sw_request *req, sw_response *res)
{
    size_t n;
    catalog_modules(&n);
    rollout_answer *live = sw_arena_calloc(req->arena, n, sizeof *live);
    if (live == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    int rc = server_rollout_all(req, res, live);
    if (rc != SW_OK)
        return rc;
    json_t *doc = catalog_json();
    json_t *list = json_object_get(doc, "modules");
    size_t i;
    json_t *m;
    bool ok = doc != NULL;
    /* catalog_json lists the modules in the catalog's order. */
    json_array_foreach(list, i, m)
        ok = ok && json_object_set_new(m, "live", json_boolean(i < n && live[i].live)) == 0;
    if (!ok) {
        json_decref(doc);
        return http_fail(res, SW_ENOMEM, NULL);
    }
    return server_reply_json(res, 200, doc);
}

static const http_route routes[] = {
    { "GET", "/api/modules", get_modules, 0, NULL },
};

const http_route_table modules_routes = {
    .name = "modules",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
