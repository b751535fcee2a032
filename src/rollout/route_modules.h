/* route_modules.h - which module each route the server serves belongs to.
 *
 * Every route ("METHOD pattern", as in the route tables that
 * src/server/routes.c assembles) maps to exactly one module of the
 * catalog, or to none: signing in, one's own account, reading whole
 * records, the audit trail, users and settings are always on, whatever
 * the plan says. The FHIR routes take the module that governs the
 * resource type they write or read (src/audit/feature.c's table); a type
 * no module governs maps to none. The map is one table in
 * route_modules.c, kept complete by tests/unit/rollout/
 * test_route_modules.c: a served route without a row fails it.
 *
 * Reads map to their module too: the rollout filter never blocks a read,
 * but the adoption area counts reads per module. The HTTP layer knows
 * nothing of modules, so the map is keyed by the route's method and
 * pattern, not stored in the route rows.
 *
 * Everything here is static data; the functions allocate nothing and are
 * safe from any thread. They run once per request: a linear scan of a
 * hundred short rows. */
#ifndef SW_ROLLOUT_ROUTE_MODULES_H
#define SW_ROLLOUT_ROUTE_MODULES_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rollout_route {
    const char *route;    /* "POST /api/visits/{id}/sign" */
    /* Its module, or NULL: always on, or (by_type) decided by the type. */
    const char *module;
    /* The module is that of the FHIR resource type: {type} in the path,
     * or, for a Bundle (POST /fhir), each entry's own type. */
    bool        by_type;
} rollout_route;

/* Every row of the map, in table order; *n gets how many. */
const rollout_route *rollout_routes(size_t *n);

/* The row of method and pattern (NULL method: any, written "*"), or NULL
 * when the route is not in the map: an unknown route, which is not the
 * same as an always-on one (a row whose module is NULL and not by_type). */
const rollout_route *rollout_route_find(const char *method, const char *pattern);

/* The module a request on this route belongs to, or NULL when it belongs
 * to none (always on, a FHIR type no module governs, or a route not in
 * the map: rollout_route_find tells those apart). fhir_type is the
 * resource type of a FHIR route ({type} in the path, a Bundle entry's
 * type) and category its category code when known ("laboratory"); both
 * may be NULL and are ignored on other routes. */
const char *rollout_route_module(const char *method, const char *pattern,
                                 const char *fhir_type, const char *category);

#endif
