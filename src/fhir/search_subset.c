/* search_subset.c - the parts of a resource a search asks for: _elements
 * (the listed top-level elements, plus resourceType, id and meta) and
 * _summary=text (text, id, meta and the mandatory top-level elements) or
 * data (everything but text), each tagged SUBSETTED in meta.tag as
 * https://hl7.org/fhir/R4/search.html#summary requires.
 *
 * Called by rest_search.c for each match entry of a page when the search
 * subsets; only then is stored JSON parsed (otherwise entries embed the
 * stored bytes unparsed). Members keep their stored order, and values
 * their exact bytes (json.h keeps number lexemes). */
#include "fhir/search.h"

#include <string.h>

#include "fhir/model.h"

#define SUBSETTED_SYSTEM "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"

bool fhir_search_subsets(const fhir_search *s)
{
    return s->nelements > 0 || s->summary == FHIR_SUMMARY_TEXT
        || s->summary == FHIR_SUMMARY_DATA;
}

/* Whether the member (its element) stays. */
static bool keep(const fhir_search *s, fhir_type_id t, sw_str key)
{
    if (sw_str_eq_cstr(key, "resourceType") || sw_str_eq_cstr(key, "id")
        || sw_str_eq_cstr(key, "meta"))
        return true;
    fhir_member_info mi;
    if (!fhir_member_lookup(t, key, &mi))
        return false;
    const char *element = mi.element->name;
    switch (s->summary) {
    case FHIR_SUMMARY_TEXT:
        return strcmp(element, "text") == 0 || mi.element->min >= 1;
    case FHIR_SUMMARY_DATA:
        return strcmp(element, "text") != 0;
    default:
        break;
    }
    for (size_t i = 0; i < s->nelements; i++)
        if (strcmp(element, s->elements[i]) == 0)
            return true;
    return false;
}

/* meta.tag gets {system, code: SUBSETTED}. */
static int tag_subsetted(sw_arena *a, sw_json *res)
{
    sw_json *meta = sw_json_get(res, "meta");
    if (meta == NULL || meta->kind != SW_JSON_OBJECT) {
        meta = sw_json_new_object(a);
        if (meta == NULL)
            return SW_ENOMEM;
        int rc = sw_json_set(a, res, "meta", meta);
        if (rc != SW_OK)
            return rc;
    }
    sw_json *tags = sw_json_get(meta, "tag");
    if (tags == NULL || tags->kind != SW_JSON_ARRAY) {
        tags = sw_json_new_array(a);
        if (tags == NULL)
            return SW_ENOMEM;
        int rc = sw_json_set(a, meta, "tag", tags);
        if (rc != SW_OK)
            return rc;
    }
    sw_json *coding = sw_json_new_object(a);
    sw_json *system = sw_json_new_cstring(a, SUBSETTED_SYSTEM);
    sw_json *code = sw_json_new_cstring(a, "SUBSETTED");
    sw_json *display = sw_json_new_cstring(a, "subsetted");
    if (coding == NULL || system == NULL || code == NULL || display == NULL)
        return SW_ENOMEM;
    int rc = sw_json_set(a, coding, "system", system);
    if (rc == SW_OK)
        rc = sw_json_set(a, coding, "code", code);
    if (rc == SW_OK)
        rc = sw_json_set(a, coding, "display", display);
    if (rc == SW_OK)
        rc = sw_json_append(a, tags, coding);
    return rc;
}

int fhir_search_subset(sw_arena *a, const fhir_search *s, const char *body,
                       size_t len, sw_json **out)
{
    sw_json *doc;
    sw_err err;
    int rc = sw_json_parse(a, body, len, &doc, &err);
    if (rc != SW_OK)
        return rc == SW_ENOMEM ? rc : SW_EINTERNAL;   /* stored JSON is valid */
    fhir_type_id t = fhir_type_by_name(sw_str_of(s->type));
    sw_json *cut = sw_json_new_object(a);
    if (cut == NULL || doc->kind != SW_JSON_OBJECT)
        return cut == NULL ? SW_ENOMEM : SW_EINTERNAL;
    for (size_t i = 0; i < doc->count; i++) {
        sw_json_member *m = &doc->members[i];
        if (!keep(s, t, m->key))
            continue;
        if ((rc = sw_json_set(a, cut, m->key.p, m->value)) != SW_OK)
            return rc;
    }
    if ((rc = tag_subsetted(a, cut)) != SW_OK)
        return rc;
    *out = cut;
    return SW_OK;
}
