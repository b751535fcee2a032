/* capability.c - writing the CapabilityStatement (see capability.h). The
 * interaction lists below are the REST layer's; change them together.
 * The search part of each resource comes from the search engine's own
 * predicate (fhir_search_param_usable), so it lists exactly the parameters
 * a search accepts. */
#include "capability.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "fhir/model.h"
#include "fhir/rest_int.h"
#include "fhir/search.h"

static const char *const type_interactions[] = {
    "read", "vread", "update", "delete", "history-instance", "history-type",
    "create", "search-type",
};
/* The audit trail writes AuditEvent; the API only reads it. */
static const char *const audit_interactions[] = {
    "read", "vread", "history-instance", "history-type", "search-type",
};
static const char *const system_interactions[] = {
    "transaction", "batch", "history-system",
};

static void interactions(sw_jw *w, const char *const *codes, size_t n)
{
    sw_jw_key(w, "interaction");
    sw_jw_array_begin(w);
    for (size_t i = 0; i < n; i++) {
        sw_jw_object_begin(w);
        sw_jw_key(w, "code");
        sw_jw_string(w, codes[i]);
        sw_jw_object_end(w);
    }
    sw_jw_array_end(w);
}

/* Whether reference parameter tp may point at resource type target. */
static bool points_at(const fhir_type_param *tp, fhir_type_id target)
{
    const fhir_search_param *def = fhir_type_param_def(tp);
    size_t n = fhir_search_param_target_count(def);
    for (size_t i = 0; i < n; i++)
        if (fhir_search_param_target(def, i) == target)
            return true;
    return n == 0;
}

/* searchInclude, searchRevInclude and searchParam of one type. */
static void search(sw_jw *w, const char *type)
{
    fhir_type_id t = fhir_type_by_name(sw_str_of(type));
    size_t n;
    const fhir_type_param *tps = fhir_search_params_of(t, &n);
    sw_jw_key(w, "searchInclude");
    sw_jw_array_begin(w);
    sw_jw_string(w, "*");
    for (size_t i = 0; i < n; i++) {
        if (fhir_search_param_usable(&tps[i])
            && fhir_type_param_type(&tps[i]) == FHIR_PARAM_REFERENCE) {
            char name[160];
            snprintf(name, sizeof name, "%s:%s", type, tps[i].code);
            sw_jw_string(w, name);
        }
    }
    sw_jw_array_end(w);
    sw_jw_key(w, "searchRevInclude");
    sw_jw_array_begin(w);
    for (size_t k = 0; k < fhir_resource_type_count(); k++) {
        fhir_type_id src = fhir_resource_type_at(k);
        const char *sname = fhir_type_name(src);
        if (!fhir_type_is_stored(sname))
            continue;
        size_t m;
        const fhir_type_param *sps = fhir_search_params_of(src, &m);
        for (size_t i = 0; i < m; i++) {
            if (fhir_type_param_type(&sps[i]) == FHIR_PARAM_REFERENCE
                && fhir_search_param_usable(&sps[i]) && points_at(&sps[i], t)) {
                char name[160];
                snprintf(name, sizeof name, "%s:%s", sname, sps[i].code);
                sw_jw_string(w, name);
            }
        }
    }
    sw_jw_array_end(w);
    sw_jw_key(w, "searchParam");
    sw_jw_array_begin(w);
    for (size_t i = 0; i < n; i++) {
        if (!fhir_search_param_usable(&tps[i]))
            continue;
        const fhir_search_param *def = fhir_type_param_def(&tps[i]);
        sw_jw_object_begin(w);
        sw_jw_key(w, "name");
        sw_jw_string(w, tps[i].code);
        sw_jw_key(w, "definition");
        sw_jw_string(w, def->url);
        sw_jw_key(w, "type");
        sw_jw_string(w, fhir_param_type_name(fhir_type_param_type(&tps[i])));
        sw_jw_object_end(w);
    }
    sw_jw_array_end(w);
}

/* The result parameters every search takes. */
static void common_search(sw_jw *w)
{
    size_t n;
    const fhir_search_common *c = fhir_search_common_params(&n);
    sw_jw_key(w, "searchParam");
    sw_jw_array_begin(w);
    for (size_t i = 0; i < n; i++) {
        sw_jw_object_begin(w);
        sw_jw_key(w, "name");
        sw_jw_string(w, c[i].name);
        sw_jw_key(w, "type");
        sw_jw_string(w, c[i].type);
        sw_jw_key(w, "documentation");
        sw_jw_string(w, c[i].doc);
        sw_jw_object_end(w);
    }
    sw_jw_array_end(w);
}

static void resource(sw_jw *w, const char *type)
{
    bool audit = strcmp(type, "AuditEvent") == 0;
    sw_jw_object_begin(w);
    sw_jw_key(w, "type");
    sw_jw_string(w, type);
    if (audit)
        interactions(w, audit_interactions,
                     sizeof audit_interactions / sizeof audit_interactions[0]);
    else
        interactions(w, type_interactions,
                     sizeof type_interactions / sizeof type_interactions[0]);
    sw_jw_key(w, "versioning");
    sw_jw_string(w, "versioned");
    sw_jw_key(w, "readHistory");
    sw_jw_bool(w, true);
    sw_jw_key(w, "updateCreate");
    sw_jw_bool(w, !audit);
    /* If-None-Exist on POST; conditional update and delete only inside
     * Bundles, which the resource-level flags do not cover. */
    sw_jw_key(w, "conditionalCreate");
    sw_jw_bool(w, !audit);
    sw_jw_key(w, "conditionalUpdate");
    sw_jw_bool(w, false);
    sw_jw_key(w, "conditionalDelete");
    sw_jw_string(w, "not-supported");
    search(w, type);
    sw_jw_object_end(w);
}

int fhir_capability_write(sw_buf *out, const char *base_url)
{
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    sw_jw w;
    sw_jw_init(&w, out);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "resourceType");
    sw_jw_string(&w, "CapabilityStatement");
    sw_jw_key(&w, "status");
    sw_jw_string(&w, "active");
    sw_jw_key(&w, "date");
    sw_jw_string(&w, now);
    sw_jw_key(&w, "publisher");
    sw_jw_string(&w, "Stagewise");
    sw_jw_key(&w, "kind");
    sw_jw_string(&w, "instance");
    sw_jw_key(&w, "software");
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "name");
    sw_jw_string(&w, "Stagewise");
    sw_jw_key(&w, "version");
    sw_jw_string(&w, SW_VERSION);
    sw_jw_object_end(&w);
    sw_jw_key(&w, "implementation");
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "description");
    sw_jw_string(&w, "Stagewise EHR FHIR R4 API");
    sw_jw_key(&w, "url");
    sw_jw_string(&w, base_url);
    sw_jw_object_end(&w);
    sw_jw_key(&w, "fhirVersion");
    sw_jw_string(&w, "4.0.1");
    sw_jw_key(&w, "format");
    sw_jw_array_begin(&w);
    sw_jw_string(&w, "json");
    sw_jw_string(&w, "application/fhir+json");
    sw_jw_array_end(&w);
    sw_jw_key(&w, "rest");
    sw_jw_array_begin(&w);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "mode");
    sw_jw_string(&w, "server");
    sw_jw_key(&w, "security");
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "description");
    sw_jw_string(&w, "Sign in with POST /api/session and send the token as "
                 "Authorization: Bearer TOKEN.");
    sw_jw_object_end(&w);
    sw_jw_key(&w, "resource");
    sw_jw_array_begin(&w);
    for (size_t i = 0; i < fhir_resource_type_count(); i++) {
        const char *type = fhir_type_name(fhir_resource_type_at(i));
        if (fhir_type_is_stored(type))
            resource(&w, type);
    }
    sw_jw_array_end(&w);
    interactions(&w, system_interactions,
                 sizeof system_interactions / sizeof system_interactions[0]);
    common_search(&w);
    sw_jw_object_end(&w);
    sw_jw_array_end(&w);
    sw_jw_object_end(&w);
    return sw_jw_finish(&w);
}
