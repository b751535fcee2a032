/* demo_server.c - the in-process server of the demo history (see
 * demo_server.h), built from the same pieces as serve.c. */
#include "demo_server.h"

#include "core/alloc.h"
#include "rollout/decide_cache.h"
#include "server/app.h"
#include "training/course.h"

/* Long enough for the simulated months; the history signs in once. */
#define DEMO_SESSION_MS (366LL * 24 * 3600 * 1000)

struct demo_server {
    sw_app       app;
    http_server *srv;
};

int demo_server_start(sw_store *s, demo_server **out, sw_err *err)
{
    demo_server *d = sw_calloc(1, sizeof *d);
    if (d == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    sw_app *app = &d->app;
    auth_policy_default(&app->auth);
    app->auth.idle_ms = DEMO_SESSION_MS;
    app->auth.max_ms = DEMO_SESSION_MS;
    app->store = s;
    app->prod_store = s;
    /* The courses, as serve loads them; without them the training routes
     * load the source tree's own on demand. */
    sw_err ignored;
    if (training_courses_load(SW_COURSES_DIR, &app->courses, &ignored) != SW_OK)
        app->courses = NULL;
    app->rollout = rollout_cache_create();
    if (app->rollout == NULL) {
        training_courses_free(app->courses);
        sw_free(d);
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    }
    size_t ntables = server_route_tables(app);
    size_t nfilters;
    const http_filter *filters = server_filters(&nfilters);
    http_server_config cfg = {
        .host = "127.0.0.1", .port = 0, .threads = 2,
        .request_timeout_s = 120, .idle_timeout_s = 600,
        .tables = app->tables, .ntables = ntables,
        .filters = filters, .nfilters = nfilters, .app = app,
    };
    int rc = http_server_start(&cfg, &d->srv, err);
    if (rc != SW_OK) {
        rollout_cache_destroy(app->rollout);
        training_courses_free(app->courses);
        sw_free(d);
        return rc;
    }
    *out = d;
    return SW_OK;
}

int demo_server_port(const demo_server *d)
{
    return http_server_port(d->srv);
}

void demo_server_stop(demo_server *d)
{
    if (d == NULL)
        return;
    http_server_stop(d->srv, 5);
    rollout_cache_destroy(d->app.rollout);
    training_courses_free(d->app.courses);
    sw_free(d);
}
