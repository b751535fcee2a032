/* model.c - lookups over the generated FHIR R4 tables (model.h).
 *
 * Called on every write by the validator (a member lookup per JSON member,
 * a value-set lookup per bound code) and by search-index extraction, so
 * every name lookup is a binary search over a table the generator sorted
 * byte-wise (the order of memcmp), and nothing allocates. */
#include "fhir/model_int.h"

#include <string.h>

/* Compares a slice with a NUL-terminated name in strcmp order. */
static int cmp_str(sw_str a, const char *b)
{
    size_t bn = strlen(b);
    size_t n = a.n < bn ? a.n : bn;
    int c = n ? memcmp(a.p, b, n) : 0;
    if (c != 0)
        return c;
    return a.n < bn ? -1 : a.n > bn ? 1 : 0;
}

/* ---- Types ---------------------------------------------------------------- */

const fhir_type *fhir_type_get(fhir_type_id id)
{
    return id < FHIR_TYPE_COUNT ? &fhir_types[id] : NULL;
}

const char *fhir_type_name(fhir_type_id id)
{
    return id < FHIR_TYPE_COUNT ? fhir_types[id].name : "";
}

fhir_type_id fhir_type_by_name(sw_str name)
{
    size_t lo = 0, hi = FHIR_TYPE_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_str(name, fhir_types[mid].name);
        if (c == 0)
            return (fhir_type_id)mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return FHIR_TYPE_NONE;
}

bool fhir_is_resource_type(sw_str name)
{
    fhir_type_id t = fhir_type_by_name(name);
    return t != FHIR_TYPE_NONE && fhir_types[t].kind == FHIR_KIND_RESOURCE &&
           !fhir_types[t].abstract;
}

size_t fhir_resource_type_count(void)
{
    return FHIR_RESOURCE_TYPE_COUNT;
}

fhir_type_id fhir_resource_type_at(size_t i)
{
    return i < FHIR_RESOURCE_TYPE_COUNT ? fhir_resource_type_list[i] : FHIR_TYPE_NONE;
}

bool fhir_type_derives_from(fhir_type_id t, fhir_type_id base)
{
    /* the chain is short (Age -> Quantity -> Element) and acyclic */
    for (int guard = 0; t < FHIR_TYPE_COUNT && guard < 16; guard++) {
        if (t == base)
            return true;
        t = fhir_types[t].base;
    }
    return false;
}

/* ---- Elements and members ------------------------------------------------- */

const fhir_element *fhir_type_elements(fhir_type_id t, size_t *count)
{
    if (t >= FHIR_TYPE_COUNT) {
        if (count)
            *count = 0;
        return NULL;
    }
    if (count)
        *count = fhir_types[t].elem_count;
    return &fhir_elements[fhir_types[t].elem_first];
}

const fhir_element *fhir_element_by_name(fhir_type_id owner, sw_str name)
{
    size_t n;
    const fhir_element *els = fhir_type_elements(owner, &n);
    /* "value[x]" names the choice element "value" */
    if (name.n > 3 && memcmp(name.p + name.n - 3, "[x]", 3) == 0)
        name.n -= 3;
    for (size_t i = 0; i < n; i++)
        if (cmp_str(name, els[i].name) == 0)
            return &els[i];
    return NULL;
}

size_t fhir_element_index(const fhir_element *e)
{
    return (size_t)(e - fhir_elements);
}

fhir_type_id fhir_element_type(const fhir_element *e, size_t i)
{
    if (e == NULL || i >= e->ntypes)
        return FHIR_TYPE_NONE;
    return fhir_element_types[e->types_first + i];
}

fhir_type_id fhir_element_target(const fhir_element *e, size_t i)
{
    if (e == NULL || i >= e->ntargets)
        return FHIR_TYPE_NONE;
    return fhir_reference_targets[e->targets_first + i];
}

bool fhir_element_allows_target(const fhir_element *e, fhir_type_id rt)
{
    if (e->ntargets == 0)
        return true;
    /* the targets are sorted by name, hence by type id */
    const uint16_t *t = &fhir_reference_targets[e->targets_first];
    size_t lo = 0, hi = e->ntargets;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid] == rt)
            return true;
        if (t[mid] < rt)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static const fhir_member *member_find(fhir_type_id owner, sw_str name)
{
    const fhir_type *t = &fhir_types[owner];
    const fhir_member *m = &fhir_members[t->member_first];
    size_t lo = 0, hi = t->member_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_str(name, m[mid].name);
        if (c == 0)
            return &m[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

bool fhir_member_lookup(fhir_type_id owner, sw_str name, fhir_member_info *out)
{
    if (owner >= FHIR_TYPE_COUNT || name.n == 0)
        return false;
    bool companion = false;
    if (name.p[0] == '_') {
        companion = true;
        name.p++;
        name.n--;
    }
    const fhir_member *m = member_find(owner, name);
    if (m == NULL)
        return false;
    if (companion && fhir_types[m->type].kind != FHIR_KIND_PRIMITIVE)
        return false;
    if (out) {
        out->element = &fhir_elements[m->element];
        out->type = m->type;
        out->companion = companion;
    }
    return true;
}

/* ---- Value sets ----------------------------------------------------------- */

size_t fhir_valueset_count(void)
{
    return FHIR_VALUESET_COUNT;
}

const fhir_valueset *fhir_valueset_get(int vs)
{
    return vs >= 0 && vs < FHIR_VALUESET_COUNT ? &fhir_valuesets[vs] : NULL;
}

int fhir_valueset_by_url(sw_str url)
{
    size_t lo = 0, hi = FHIR_VALUESET_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_str(url, fhir_valuesets[mid].url);
        if (c == 0)
            return (int)mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

bool fhir_valueset_has_code(int vs, sw_str system, sw_str code)
{
    const fhir_valueset *v = fhir_valueset_get(vs);
    if (v == NULL)
        return false;
    const fhir_vs_code *c = &fhir_vs_codes[v->code_first];
    /* first row whose code is >= code */
    size_t lo = 0, hi = v->code_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_str(code, c[mid].code) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* the same code may come from several systems */
    for (size_t i = lo; i < v->code_count && cmp_str(code, c[i].code) == 0; i++) {
        if (system.n == 0 || cmp_str(system, fhir_code_systems[c[i].system]) == 0)
            return true;
    }
    return false;
}

bool fhir_valueset_has_system(int vs, sw_str system)
{
    const fhir_valueset *v = fhir_valueset_get(vs);
    if (v == NULL)
        return false;
    for (size_t i = 0; i < v->sys_count; i++)
        if (cmp_str(system, fhir_code_systems[fhir_vs_systems[v->sys_first + i]]) == 0)
            return true;
    return false;
}

const char *fhir_valueset_system(int vs, size_t i)
{
    const fhir_valueset *v = fhir_valueset_get(vs);
    if (v == NULL || i >= v->sys_count)
        return NULL;
    return fhir_code_systems[fhir_vs_systems[v->sys_first + i]];
}

/* ---- Search parameters ---------------------------------------------------- */

const fhir_type_param *fhir_search_params_of(fhir_type_id rt, size_t *count)
{
    if (rt >= FHIR_TYPE_COUNT) {
        if (count)
            *count = 0;
        return NULL;
    }
    if (count)
        *count = fhir_types[rt].param_count;
    return &fhir_type_params[fhir_types[rt].param_first];
}

const fhir_type_param *fhir_search_param_find(fhir_type_id rt, sw_str code)
{
    size_t n;
    const fhir_type_param *p = fhir_search_params_of(rt, &n);
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_str(code, p[mid].code);
        if (c == 0)
            return &p[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const fhir_search_param *fhir_type_param_def(const fhir_type_param *tp)
{
    return &fhir_search_params[tp->param];
}

fhir_param_type fhir_type_param_type(const fhir_type_param *tp)
{
    return (fhir_param_type)fhir_search_params[tp->param].type;
}

size_t fhir_search_param_target_count(const fhir_search_param *p)
{
    return p->ntargets;
}

fhir_type_id fhir_search_param_target(const fhir_search_param *p, size_t i)
{
    return i < p->ntargets ? fhir_search_param_targets[p->targets_first + i] : FHIR_TYPE_NONE;
}

const char *fhir_param_type_name(fhir_param_type t)
{
    static const char *const names[] = {
        [FHIR_PARAM_NUMBER] = "number",       [FHIR_PARAM_DATE] = "date",
        [FHIR_PARAM_STRING] = "string",       [FHIR_PARAM_TOKEN] = "token",
        [FHIR_PARAM_REFERENCE] = "reference", [FHIR_PARAM_COMPOSITE] = "composite",
        [FHIR_PARAM_QUANTITY] = "quantity",   [FHIR_PARAM_URI] = "uri",
        [FHIR_PARAM_SPECIAL] = "special",
    };
    if ((unsigned)t >= sizeof names / sizeof *names)
        return "";
    return names[t];
}

/* ---- Patient compartment -------------------------------------------------- */

size_t fhir_compartment_param_count(fhir_type_id rt)
{
    return rt < FHIR_TYPE_COUNT ? fhir_types[rt].comp_count : 0;
}

const fhir_type_param *fhir_compartment_param(fhir_type_id rt, size_t i)
{
    if (rt >= FHIR_TYPE_COUNT || i >= fhir_types[rt].comp_count)
        return NULL;
    return &fhir_type_params[fhir_compartment_params[fhir_types[rt].comp_first + i]];
}
