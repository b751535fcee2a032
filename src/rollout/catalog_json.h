/* catalog_json.h - the module catalog as JSON, the one shape that
 * GET /api/modules (src/server/api_modules.c) and `stagewise modules
 * --json` (src/cli/cmd_modules.c) both answer, so the two never drift.
 *
 * Each module: {"id", "title", "description", "needs": [ids],
 * "needs_gate": sentence or null, "goes_with": [{"module", "half_paper"}],
 * "course", "core_features": [ids], "resource_types": [types it governs,
 * from src/audit/feature.c], "routes": ["METHOD pattern" of the /api
 * routes mapped to it, from route_modules.c]}, in the catalog's order.
 * The server adds what depends on the user ("live"). */
#ifndef SW_ROLLOUT_CATALOG_JSON_H
#define SW_ROLLOUT_CATALOG_JSON_H

#include <jansson.h>

#include "rollout/catalog.h"

/* One module's object; NULL when out of memory. The caller owns it. */
json_t *catalog_module_json(const catalog_module *m);
/* {"modules": [every module's object]}; NULL when out of memory. The
 * caller owns it. */
json_t *catalog_json(void);

#endif
