/* app.h - the running application as request handlers see it.
 *
 * serve.c builds one sw_app at start-up and hands it to the HTTP layer,
 * which passes it to every handler as req->app. Areas add what their
 * handlers need (the audit writer, the rollout decision cache, …) as
 * members here; nothing in it is per-request. */
#ifndef SW_SERVER_APP_H
#define SW_SERVER_APP_H

#include "http/http.h"
#include "store/store.h"

typedef struct sw_app {
    sw_store *store;
} sw_app;

/* Route tables of the assembled server, in matching order. */
const http_route_table *const *server_route_tables(size_t *count);

/* Each area's table. */
extern const http_route_table health_routes;

#endif
