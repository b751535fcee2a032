/* routes.c - which route tables the server serves, in matching order.
 * An area that adds routes adds its table here. */
#include "app.h"

static const http_route_table *const tables[] = {
    &health_routes,
};

const http_route_table *const *server_route_tables(size_t *count)
{
    *count = sizeof tables / sizeof tables[0];
    return tables;
}
