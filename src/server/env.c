/* env.c - what differs in the training environment (docs/training.md "The
 * training environment"): the second application mounted at /training,
 * the header on each of its responses, and the accounts it needs.
 *
 * The training app is a copy of the production one whose store is the
 * training store; everything else about it follows from app->training,
 * tested where the difference is made: every module live
 * (rollout_filter.c), outbound interfaces off (api_visits.c: no HL7
 * outbox rows; clinical/pharmacy.c: nothing recorded as sent), sessions
 * and accounts read from production (api_session.c). Handlers that look
 * the signed-in account up by id in the store they serve find it because
 * the first request of an account the training store lacks mirrors the
 * practice's accounts into it (env_store.h). */
#include "app.h"

#include <string.h>

#include "core/log.h"
#include "training/env_store.h"

static const http_header training_header = {
    .name = SERVER_ENV_HEADER, .value = "training", .next = NULL,
};

const char *server_environment(const sw_app *app)
{
    return app->training ? "training" : "production";
}

void server_training_app(sw_app *prod, sw_app *out)
{
    *out = *prod;
    out->store = prod->training_store;
    out->prod_store = prod->store;
    out->training_store = prod->training_store;
    out->training = true;
    /* No outbound delivery: the worker sends production's outbox only,
     * and training writes no outbox rows anyway. */
    out->deliver = NULL;
    memset(out->tables, 0, sizeof out->tables);
}

void server_training_mount(sw_app *training, size_t ntables,
                           const http_filter *filters, size_t nfilters,
                           http_mount *out)
{
    out->prefix = "/training";
    out->tables = training->tables;
    out->ntables = ntables;
    out->filters = filters;
    out->nfilters = nfilters;
    out->app = training;
    out->headers = &training_header;
}

/* Whether the route changes accounts or practice settings: those live in
 * production; in training they would change only the mirror, which the
 * next refresh overwrites. */
static bool account_write(const sw_request *req)
{
    if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0
        || req->route == NULL || req->route->access == NULL)
        return false;
    return strncmp(req->route->access, "users:", 6) == 0
        || strncmp(req->route->access, "practice:", 9) == 0;
}

int server_training_account(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    if (!app->training || s == NULL)
        return SW_OK;
    if (account_write(req))
        return server_fail_as(res, SW_EFORBIDDEN, "production_only",
                              "accounts and practice settings are changed in "
                              "production, not in the training environment");
    bool has = false;
    sw_err err;
    int rc = training_store_has_user(app->store, s->practice_id, s->user_id,
                                     &has, &err);
    if (rc == SW_OK && !has)
        rc = training_store_mirror_users(server_prod_store(app), app->store,
                                         s->practice_id, NULL, &err);
    if (rc != SW_OK) {
        sw_warn("the training store's accounts could not be brought up to "
                "date: %s", sw_err_text(&err));
        return http_fail(res, SW_ESTORE, "the training environment could not "
                         "be prepared for you; try again");
    }
    return SW_OK;
}
