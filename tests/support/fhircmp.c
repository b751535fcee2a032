/* fhircmp.c - normalizing resources for comparison (see fhircmp.h). */
#include "fhircmp.h"

#include <string.h>

/* The types Synthea names by conditional references (by NPI or
 * organization identifier); stored, they are ordinary Type/id. */
static const char *const conditional_types[] = {
    "Practitioner/", "PractitionerRole/", "Organization/", "Location/",
};

static const char *rewrite(sw_arena *a, const char *r, const sw_test_refmap *map,
                           int conditional)
{
    for (size_t k = 0; map && k < map->n; k++)
        if (strcmp(r, map->from[k]) == 0)
            return map->to[k];
    if (!conditional)
        return r;
    const char *q = strchr(r, '?');
    if (q != NULL)
        return sw_arena_printf(a, "%.*s/", (int)(q - r), r);
    for (size_t i = 0; i < sizeof conditional_types / sizeof conditional_types[0]; i++) {
        size_t n = strlen(conditional_types[i]);
        if (strncmp(r, conditional_types[i], n) == 0)
            return conditional_types[i];
    }
    return r;
}

void sw_test_normalize(sw_arena *a, sw_json *v, const sw_test_refmap *map,
                       int conditional)
{
    if (v->kind == SW_JSON_ARRAY) {
        for (size_t i = 0; i < v->count; i++)
            sw_test_normalize(a, v->items[i], map, conditional);
        return;
    }
    if (v->kind != SW_JSON_OBJECT)
        return;
    for (size_t i = 0; i < v->count; i++) {
        sw_json *x = v->members[i].value;
        if (x->kind == SW_JSON_STRING && sw_str_eq_cstr(v->members[i].key, "reference"))
            v->members[i].value = sw_json_new_cstring(a, rewrite(a, x->text.p, map,
                                                                  conditional));
        else
            sw_test_normalize(a, x, map, conditional);
    }
    sw_json *meta = sw_json_get(v, "meta");
    if (meta != NULL && sw_json_get(v, "resourceType") != NULL) {
        sw_json_remove(meta, "versionId");
        sw_json_remove(meta, "lastUpdated");
        if (meta->count == 0)
            sw_json_remove(v, "meta");
    }
}
