/* app.h - the running application as request handlers see it.
 *
 * serve.c builds one sw_app at start-up and hands it to the HTTP layer,
 * which passes it to every handler as req->app. Areas add what their
 * handlers need (the audit writer, the rollout decision cache, …) as
 * members here; nothing in it is per-request. */
#ifndef SW_SERVER_APP_H
#define SW_SERVER_APP_H

#include "auth/session.h"
#include "fhir/rest.h"
#include "http/http.h"
#include "store/store.h"

#define SERVER_MAX_TABLES 8

typedef struct sw_app {
    sw_store   *store;
    auth_policy auth;      /* session timeouts and lockout (serve options) */
    fhir_env    fhir;
    /* The route tables served, built by server_route_tables. */
    http_route_table        fhir_table;
    const http_route_table *tables[SERVER_MAX_TABLES];
} sw_app;

/* Fills app's route tables (in matching order) from its store; returns
 * how many (routes.c). */
size_t server_route_tables(sw_app *app);

/* Each area's table. */
extern const http_route_table health_routes;
extern const http_route_table session_routes;

/* Filters of the assembled server, in the order they run. */
const http_filter *server_filters(size_t *count);

/* The authentication filter (api_session.c): every route without
 * HTTP_ROUTE_PUBLIC needs a live session; it sets req->user_id and
 * req->principal. */
int server_authenticate(sw_request *req, sw_response *res);
/* The signed-in user's session, or NULL on a public route. */
const auth_session *server_principal(const sw_request *req);

#endif
