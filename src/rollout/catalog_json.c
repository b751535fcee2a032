/* catalog_json.c - the module catalog as JSON (see catalog_json.h). Built
 * on each call from static tables: a dozen modules, asked for when the
 * web app starts or an operator runs `stagewise modules`, never per
 * request of clinical work. */
#include "catalog_json.h"

#include <string.h>

#include "audit/audit.h"
#include "rollout/route_modules.h"

#define TYPES_MAX 16

/* Appends s to array a as a string; false when either is missing. */
static bool push(json_t *a, const char *s)
{
    return a != NULL && json_array_append_new(a, json_string(s)) == 0;
}

json_t *catalog_module_json(const catalog_module *m)
{
    json_t *needs = json_array(), *goes = json_array(), *core = json_array();
    json_t *types = json_array(), *routes = json_array();
    bool ok = needs && goes && core && types && routes;
    for (size_t i = 0; ok && i < CATALOG_MAX_LINKS && m->needs[i]; i++)
        ok = push(needs, m->needs[i]);
    for (size_t i = 0; ok && i < CATALOG_MAX_LINKS && m->goes_with[i].module; i++)
        ok = json_array_append_new(goes, json_pack("{s:s, s:s}",
                 "module", m->goes_with[i].module,
                 "half_paper", m->goes_with[i].half_paper)) == 0;
    for (size_t i = 0; ok && i < CATALOG_MAX_FEATURES && m->core_features[i]; i++)
        ok = push(core, m->core_features[i]);
    const char *t[TYPES_MAX];
    size_t nt = audit_module_types(m->id, t, TYPES_MAX);
    for (size_t i = 0; ok && i < nt; i++)
        ok = push(types, t[i]);
    size_t nr;
    const rollout_route *r = rollout_routes(&nr);
    for (size_t i = 0; ok && i < nr; i++)
        if (r[i].module && strcmp(r[i].module, m->id) == 0)
            ok = push(routes, r[i].route);
    if (!ok) {
        json_decref(needs);
        json_decref(goes);
        json_decref(core);
        json_decref(types);
        json_decref(routes);
        return NULL;
    }
    /* json_pack consumes the o arguments even when it fails. */
    return json_pack("{s:s, s:s, s:s, s:o, s:s?, s:o, s:s, s:o, s:o, s:o}",
                     "id", m->id, "title", m->title,
                     "description", m->description,
                     "needs", needs, "needs_gate", m->needs_gate,
                     "goes_with", goes, "course", m->course,
                     "core_features", core, "resource_types", types,
                     "routes", routes);
}

json_t *catalog_json(void)
{
    size_t n;
    const catalog_module *m = catalog_modules(&n);
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        json_t *one = catalog_module_json(&m[i]);
        if (one == NULL || json_array_append_new(list, one) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list ? json_pack("{s:o}", "modules", list) : NULL;
}
