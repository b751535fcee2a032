/* searchpath.c - the walk of searchpath.h over compiled search paths.
 *
 * A compiled path is a few member steps (model.h), so evaluation is a
 * short recursion: take the step's member from each current object,
 * flatten arrays, drop nulls, apply the step's filter, and either report
 * the node (last step) or descend into it. Runs at write time for every
 * supported parameter of the written resource; allocation-free. */
#include "fhir/searchpath.h"

#include <string.h>

#include "core/errors.h"
#include "fhir/model_int.h"

typedef struct walk {
    const fhir_type_param  *tp;
    const fhir_search_path *path;
    const sw_json          *root;
    fhir_search_cb          cb;
    void                   *arg;
} walk;

static const sw_json *get(const sw_json *obj, const char *key)
{
    return obj != NULL && obj->kind == SW_JSON_OBJECT ? sw_json_get(obj, key) : NULL;
}

/* The resource type named by s ("Patient"), or by the last segment of a
 * StructureDefinition URL. */
static fhir_type_id resource_type_named(sw_str s)
{
    const char *slash = s.n ? memrchr(s.p, '/', s.n) : NULL;
    if (slash != NULL) {
        s.n -= (size_t)(slash + 1 - s.p);
        s.p = slash + 1;
    }
    fhir_type_id t = fhir_type_by_name(s);
    if (t == FHIR_TYPE_NONE || fhir_types[t].kind != FHIR_KIND_RESOURCE || fhir_types[t].abstract)
        return FHIR_TYPE_NONE;
    return t;
}

fhir_type_id fhir_reference_target_type(const sw_json *reference, const sw_json *container)
{
    const sw_json *r = get(reference, "reference");
    if (r != NULL && r->kind == SW_JSON_STRING && r->text.n > 0) {
        sw_str s = r->text;
        if (s.p[0] == '#') {
            const sw_json *contained = get(container, "contained");
            sw_str id = sw_str_make(s.p + 1, s.n - 1);
            for (size_t i = 0; contained && contained->kind == SW_JSON_ARRAY &&
                               i < contained->count; i++) {
                const sw_json *cr = contained->items[i];
                const sw_json *cid = get(cr, "id");
                const sw_json *crt = get(cr, "resourceType");
                if (cid && cid->kind == SW_JSON_STRING && sw_str_eq(cid->text, id) &&
                    crt && crt->kind == SW_JSON_STRING)
                    return resource_type_named(crt->text);
            }
        } else if (!sw_str_skip(&(sw_str){ s.p, s.n }, "urn:")) {
            /* [base/]Type/id[/_history/v]: drop the query, then the history */
            const char *q = memchr(s.p, '?', s.n);
            if (q != NULL) {
                /* a conditional reference: Type?search */
                fhir_type_id t = resource_type_named(sw_str_make(s.p, (size_t)(q - s.p)));
                if (t != FHIR_TYPE_NONE)
                    return t;
            } else {
                size_t n = s.n;
                const char *h = NULL;
                for (size_t i = 0; i + 10 <= n; i++)
                    if (memcmp(s.p + i, "/_history/", 10) == 0)
                        h = s.p + i;
                if (h != NULL)
                    n = (size_t)(h - s.p);
                const char *last = n ? memrchr(s.p, '/', n) : NULL;
                if (last != NULL) {
                    sw_str head = sw_str_make(s.p, (size_t)(last - s.p));
                    fhir_type_id t = resource_type_named(head);
                    if (t != FHIR_TYPE_NONE)
                        return t;
                }
            }
        }
    }
    const sw_json *type = get(reference, "type");
    if (type != NULL && type->kind == SW_JSON_STRING)
        return resource_type_named(type->text);
    return FHIR_TYPE_NONE;
}

static int step(walk *w, size_t i, const sw_json *obj);

/* One node the step's member gave: filter, then report or descend. */
static int visit(walk *w, size_t i, const sw_json *node)
{
    const fhir_search_step *s = &fhir_search_steps[w->path->step_first + i];
    if (node->kind == SW_JSON_NULL)
        return 0;                      /* a value carried only by "_x" */
    if (s->where_field != NULL) {
        const sw_json *f = get(node, s->where_field);
        if (f == NULL || f->kind != SW_JSON_STRING || !sw_str_eq_cstr(f->text, s->where_value))
            return 0;
    }
    if (s->resolve != FHIR_TYPE_NONE && fhir_reference_target_type(node, w->root) != s->resolve)
        return 0;
    if (i + 1 == w->path->step_count)
        return w->cb(w->arg, w->tp, node, s->type);
    return node->kind == SW_JSON_OBJECT ? step(w, i + 1, node) : 0;
}

static int step(walk *w, size_t i, const sw_json *obj)
{
    const fhir_search_step *s = &fhir_search_steps[w->path->step_first + i];
    const sw_json *v = get(obj, s->member);
    if (v == NULL)
        return 0;
    if (v->kind != SW_JSON_ARRAY)
        return visit(w, i, v);
    for (size_t k = 0; k < v->count; k++) {
        int rc = visit(w, i, v->items[k]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

bool fhir_search_supported(const fhir_type_param *tp)
{
    return tp != NULL && tp->unsupported == NULL;
}

int fhir_search_eval(const fhir_type_param *tp, const sw_json *resource, fhir_search_cb cb,
                     void *arg)
{
    if (!fhir_search_supported(tp) || resource == NULL || resource->kind != SW_JSON_OBJECT)
        return 0;
    walk w = { .tp = tp, .root = resource, .cb = cb, .arg = arg };
    for (size_t p = 0; p < tp->path_count; p++) {
        w.path = &fhir_search_paths[tp->path_first + p];
        int rc = step(&w, 0, resource);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int fhir_search_eval_all(const sw_json *resource, fhir_search_cb cb, void *arg)
{
    const sw_json *rt = get(resource, "resourceType");
    if (rt == NULL || rt->kind != SW_JSON_STRING)
        return SW_EINVAL;
    fhir_type_id t = resource_type_named(rt->text);
    if (t == FHIR_TYPE_NONE || memchr(rt->text.p, '/', rt->text.n) != NULL)
        return SW_EINVAL;
    size_t n;
    const fhir_type_param *tps = fhir_search_params_of(t, &n);
    for (size_t i = 0; i < n; i++) {
        int rc = fhir_search_eval(&tps[i], resource, cb, arg);
        if (rc != 0)
            return rc;
    }
    return 0;
}
