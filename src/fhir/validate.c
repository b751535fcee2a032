/* validate.c - the R4 structural validator of validate.h.
 *
 * Runs on every FHIR write (and on every entry of an import), so it is one
 * recursive walk over the parsed tree with no second pass: each JSON
 * member is looked up once in the generated member table of its object's
 * type (a binary search), primitives are checked by primitive.c, and the
 * FHIRPath location of the node being looked at is kept in one buffer
 * that grows and shrinks with the walk, so a location string is only
 * copied when an issue is actually reported.
 *
 * Local references ("#id") can only be judged once the whole resource has
 * been seen (contained resources may come after the references to them),
 * so each resource that is not itself contained opens a scope that
 * collects contained ids and local references, and resolves them when the
 * resource is done; that and the other reference checks are
 * validate_refs.c. */
#include "fhir/validate.h"
#include "fhir/validate_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errors.h"
#include "fhir/model_int.h"
#include "fhir/primitive.h"

typedef enum res_mode {
    RES_TOP,         /* the resource being written */
    RES_NESTED,      /* Bundle.entry.resource, Parameters.parameter.resource */
    RES_CONTAINED,   /* DomainResource.contained */
} res_mode;

static void check_object(fhir_vctx *c, fhir_type_id t, const sw_json *obj, bool is_resource);
static void check_resource(fhir_vctx *c, const sw_json *v, fhir_type_id expect, res_mode mode);

/* ---- Locations ------------------------------------------------------------ */

/* A segment that does not fit is cut at a character boundary and "..."
 * ends the location; later segments are dropped until it is popped back
 * below the cut. */
size_t fhir_val_push(fhir_vctx *c, const char *fmt, ...)
{
    size_t mark = c->plen;
    if (c->cut)
        return mark;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + c->plen, FHIR_VALIDATE_MAX_PATH + 1 - c->plen, fmt, ap);
    va_end(ap);
    if (n >= 0 && c->plen + (size_t)n <= FHIR_VALIDATE_MAX_PATH) {
        c->plen += (size_t)n;
        return mark;
    }
    /* drop a character that vsnprintf left incomplete */
    size_t at = FHIR_VALIDATE_MAX_PATH;
    size_t i = at;
    while (i > mark && ((unsigned char)c->path[i - 1] & 0xC0) == 0x80)
        i--;
    if (i > mark && (unsigned char)c->path[i - 1] >= 0xC0) {
        unsigned char lead = (unsigned char)c->path[i - 1];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (at - (i - 1) < need)
            at = i - 1;
    }
    memcpy(c->path + at, "...", 4);
    c->plen = at + 3;
    c->cut = true;
    return mark;
}

void fhir_val_pop(fhir_vctx *c, size_t mark)
{
    if (mark < c->plen)
        c->cut = false;
    c->plen = mark;
    c->path[mark] = '\0';
}

/* ---- Issues --------------------------------------------------------------- */

void fhir_val_issue_v(fhir_vctx *c, fhir_severity sev, const sw_json *node, const char *code,
                      const char *fmt, va_list ap)
{
    fhir_issues *o = c->out;
    if (sev <= FHIR_SEVERITY_ERROR)
        o->errors++;
    if (c->rc != SW_OK)
        return;
    if (o->count >= FHIR_VALIDATE_MAX_ISSUES) {
        o->truncated = true;
        return;
    }
    if (o->count == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 16;
        if (cap > FHIR_VALIDATE_MAX_ISSUES)
            cap = FHIR_VALIDATE_MAX_ISSUES;
        fhir_issue *items = sw_arena_alloc(c->a, cap * sizeof *items);
        if (items == NULL) {
            c->rc = SW_ENOMEM;
            return;
        }
        if (o->count)
            memcpy(items, o->items, o->count * sizeof *items);
        o->items = items;
        o->cap = cap;
    }
    char *msg = sw_arena_vprintf(c->a, fmt, ap);
    char *loc = sw_arena_strndup(c->a, c->path, c->plen);
    if (msg == NULL || loc == NULL) {
        c->rc = SW_ENOMEM;
        return;
    }
    o->items[o->count++] = (fhir_issue){
        .severity = sev,
        .code = code,
        .location = loc,
        .message = msg,
        .line = node ? node->line : 0,
        .column = node ? node->column : 0,
    };
}

void fhir_val_issue(fhir_vctx *c, fhir_severity sev, const sw_json *node, const char *code,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fhir_val_issue_v(c, sev, node, code, fmt, ap);
    va_end(ap);
}

const char *fhir_val_shown(fhir_vctx *c, sw_str s)
{
    size_t n = s.n;
    bool cut = false;
    if (n > FHIR_VAL_SHOWN_MAX) {
        n = FHIR_VAL_SHOWN_MAX;
        while (n > 0 && ((unsigned char)s.p[n] & 0xC0) == 0x80)
            n--;
        cut = true;
    }
    char *out = sw_arena_alloc(c->a, n + 4);
    if (out == NULL) {
        c->rc = SW_ENOMEM;
        return "";
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s.p[i];
        out[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    memcpy(out + n, cut ? "..." : "", cut ? 4 : 1);
    return out;
}

/* ---- Small helpers -------------------------------------------------------- */

static const char *json_kind_name(sw_json_kind k)
{
    switch (k) {
    case SW_JSON_BOOL:   return "true or false";
    case SW_JSON_NUMBER: return "a number";
    case SW_JSON_STRING: return "a string";
    case SW_JSON_ARRAY:  return "an array";
    case SW_JSON_OBJECT: return "an object";
    default:             return "null";
    }
}

bool fhir_val_grow(fhir_vctx *c, void **items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *n = sw_arena_alloc(c->a, ncap * size);
    if (n == NULL) {
        c->rc = SW_ENOMEM;
        return false;
    }
    if (count)
        memcpy(n, *items, count * size);
    *items = n;
    *cap = ncap;
    return true;
}

/* Pushes the location segment of a member: ".name", or for a choice
 * ".value.ofType(Quantity)" (FHIRPath has no "valueQuantity"). */
static size_t push_member(fhir_vctx *c, const fhir_member_info *mi, sw_str key)
{
    if (key.n > 0 && key.p[0] == '_') {
        key.p++;
        key.n--;
    }
    const char *name = mi->element->name;
    if (!mi->element->choice)
        return fhir_val_push(c, ".%s", name);
    size_t en = strlen(name);
    sw_str suffix = sw_str_make(key.p + en, key.n - en);
    char first = suffix.n ? suffix.p[0] : '?';
    if (fhir_types[mi->type].kind == FHIR_KIND_PRIMITIVE && first >= 'A' && first <= 'Z')
        first = (char)(first - 'A' + 'a');
    return fhir_val_push(c, ".%s.ofType(%c%.*s)", name, first,
                     suffix.n ? (int)suffix.n - 1 : 0, suffix.n ? suffix.p + 1 : "");
}

/* ---- Primitives ----------------------------------------------------------- */

static void check_prim_value(fhir_vctx *c, const fhir_element *el, fhir_type_id t, const sw_json *v)
{
    fhir_prim p = (fhir_prim)fhir_types[t].prim;
    const char *pname = fhir_prim_name(p);
    switch (fhir_prim_check(p, v)) {
    case FHIR_PRIM_VALID:
        break;
    case FHIR_PRIM_WRONG_JSON:
        ERR(c, v, "structure", "A %s must be written as %s in JSON, not as %s.", pname,
            json_kind_name(fhir_prim_json_kind(p)), json_kind_name(v->kind));
        return;
    case FHIR_PRIM_EMPTY:
        ERR(c, v, "value", "An empty string is not a valid %s; leave the element out instead.",
            pname);
        return;
    case FHIR_PRIM_TOO_LONG:
        ERR(c, v, "too-long", "The %s is longer than FHIR allows (%s).", pname,
            p == FHIR_PRIM_ID ? "64 characters" : "1 MB");
        return;
    case FHIR_PRIM_OUT_OF_RANGE:
        ERR(c, v, "value", "The value is out of range for a %s%s.", pname,
            p == FHIR_PRIM_POSITIVE_INT ? " (1 to 2147483647)" :
            p == FHIR_PRIM_UNSIGNED_INT ? " (0 to 2147483647)" : " (32-bit signed)");
        return;
    case FHIR_PRIM_BAD_FORMAT:
        ERR(c, v, "value", "The value is not a valid %s.", pname);
        return;
    }
    if (el != NULL && el->binding >= 0 && v->kind == SW_JSON_STRING &&
        !fhir_valueset_has_code(el->binding, sw_str_make(NULL, 0), v->text)) {
        ERR(c, v, "code-invalid", "The code '%s' is not in the required value set %s.",
            fhir_val_shown(c, v->text), fhir_valuesets[el->binding].url);
    }
}

/* A primitive member ("given": [...], "birthDate": "..."); comp is its
 * "_x" companion if the object has one. */
static void check_prim_member(fhir_vctx *c, const fhir_element *el, fhir_type_id t,
                              const sw_json *v, const sw_json *comp)
{
    if (el->max == FHIR_MAX_MANY) {
        if (v->kind != SW_JSON_ARRAY) {
            ERR(c, v, "structure", "'%s' repeats, so it must be a JSON array.", el->name);
            return;
        }
        if (v->count == 0) {
            ERR(c, v, "structure", "'%s' must not be an empty array; leave it out instead.",
                el->name);
            return;
        }
        bool aligned = comp && comp->kind == SW_JSON_ARRAY && comp->count == v->count;
        for (size_t i = 0; i < v->count; i++) {
            const sw_json *item = v->items[i];
            size_t mark = fhir_val_push(c, "[%zu]", i);
            if (item->kind == SW_JSON_NULL) {
                if (!aligned || comp->items[i]->kind != SW_JSON_OBJECT)
                    ERR(c, item, "structure",
                        "null is only allowed in '%s' where '_%s' has an entry at the same "
                        "position.", el->name, el->name);
            } else {
                check_prim_value(c, el, t, item);
            }
            fhir_val_pop(c, mark);
        }
        return;
    }
    if (v->kind == SW_JSON_ARRAY) {
        ERR(c, v, "structure", "'%s' has at most one value, so it must not be an array.",
            el->name);
        return;
    }
    if (v->kind == SW_JSON_NULL) {
        ERR(c, v, "structure", "'%s' must not be null; leave it out instead.", el->name);
        return;
    }
    check_prim_value(c, el, t, v);
}

/* An "_x" member: the id and extensions of primitive x. */
static void check_companion(fhir_vctx *c, const fhir_element *el, const sw_json *cv,
                            const sw_json *value)
{
    if (el->max != FHIR_MAX_MANY) {
        if (cv->kind != SW_JSON_OBJECT) {
            ERR(c, cv, "structure",
                "'_%s' must be an object holding the id and extensions of '%s'.", el->name,
                el->name);
            return;
        }
        if (cv->count == 0) {
            ERR(c, cv, "structure", "'_%s' must not be an empty object.", el->name);
            return;
        }
        check_object(c, FHIR_TYPE_Element, cv, false);
        return;
    }
    if (cv->kind != SW_JSON_ARRAY) {
        ERR(c, cv, "structure", "'%s' repeats, so '_%s' must be a JSON array.", el->name,
            el->name);
        return;
    }
    if (cv->count == 0) {
        ERR(c, cv, "structure", "'_%s' must not be an empty array.", el->name);
        return;
    }
    bool have_values = value && value->kind == SW_JSON_ARRAY;
    if (have_values && value->count != cv->count) {
        ERR(c, cv, "structure",
            "'_%s' has %zu entries but '%s' has %zu; they must line up one to one.",
            el->name, cv->count, el->name, value->count);
        return;
    }
    for (size_t i = 0; i < cv->count; i++) {
        const sw_json *item = cv->items[i];
        size_t mark = fhir_val_push(c, "[%zu]", i);
        if (item->kind == SW_JSON_NULL) {
            /* a null pair is reported once, by the value side */
            if (!have_values)
                ERR(c, item, "structure",
                    "An entry of '%s' with neither a value nor extensions is not allowed.",
                    el->name);
        } else if (item->kind != SW_JSON_OBJECT) {
            ERR(c, item, "structure", "Entries of '_%s' must be objects or null.", el->name);
        } else if (item->count == 0) {
            ERR(c, item, "structure", "Entries of '_%s' must not be empty objects.", el->name);
        } else {
            check_object(c, FHIR_TYPE_Element, item, false);
        }
        fhir_val_pop(c, mark);
    }
}

/* ---- Required bindings on codings ----------------------------------------- */

/* A Coding under a required binding: a code from one of the value set's
 * systems must be one of its codes. Codings from other systems are
 * translations and are not judged. */
static void check_coding(fhir_vctx *c, int vs, const sw_json *coding)
{
    const sw_json *sys = fhir_val_get(coding, "system");
    const sw_json *code = fhir_val_get(coding, "code");
    if (!fhir_val_is_string(sys) || !fhir_val_is_string(code) ||
        !fhir_valueset_has_system(vs, sys->text))
        return;
    if (!fhir_valueset_has_code(vs, sys->text, code->text)) {
        size_t mark = fhir_val_push(c, ".code");
        ERR(c, code, "code-invalid", "The code '%s' is not in the required value set %s.",
            fhir_val_shown(c, code->text), fhir_valuesets[vs].url);
        fhir_val_pop(c, mark);
    }
}

static void check_binding(fhir_vctx *c, int vs, fhir_type_id t, const sw_json *v)
{
    if (t == FHIR_TYPE_Coding) {
        check_coding(c, vs, v);
        return;
    }
    if (t != FHIR_TYPE_CodeableConcept)
        return;
    const sw_json *codings = fhir_val_get(v, "coding");
    if (codings == NULL || codings->kind != SW_JSON_ARRAY)
        return;
    for (size_t i = 0; i < codings->count; i++) {
        if (codings->items[i]->kind != SW_JSON_OBJECT)
            continue;
        size_t mark = fhir_val_push(c, ".coding[%zu]", i);
        check_coding(c, vs, codings->items[i]);
        fhir_val_pop(c, mark);
    }
}

/* ---- Complex values ------------------------------------------------------- */

static bool is_contained_element(const fhir_element *el)
{
    return el != NULL && strcmp(el->name, "contained") == 0 &&
           fhir_types[el->owner].kind == FHIR_KIND_RESOURCE;
}

static void check_complex(fhir_vctx *c, const fhir_element *el, fhir_type_id t, const sw_json *v)
{
    if (fhir_types[t].kind == FHIR_KIND_RESOURCE) {
        check_resource(c, v, t, is_contained_element(el) ? RES_CONTAINED : RES_NESTED);
        return;
    }
    if (v->kind != SW_JSON_OBJECT) {
        ERR(c, v, "structure", "A %s must be a JSON object, not %s.", fhir_types[t].name,
            json_kind_name(v->kind));
        return;
    }
    if (v->count == 0) {
        ERR(c, v, "structure", "Empty objects are not allowed; leave the element out instead.");
        return;
    }
    if (c->depth >= FHIR_VAL_MAX_DEPTH) {
        ERR(c, v, "structure", "The resource is nested too deeply.");
        return;
    }
    c->depth++;
    check_object(c, t, v, false);
    c->depth--;
    if (fhir_type_derives_from(t, FHIR_TYPE_Reference))
        fhir_val_reference(c, el, v);
    if (el != NULL && el->binding >= 0)
        check_binding(c, el->binding, t, v);
}

static void check_complex_member(fhir_vctx *c, const fhir_element *el, fhir_type_id t,
                                 const sw_json *v)
{
    if (el->max == FHIR_MAX_MANY) {
        if (v->kind != SW_JSON_ARRAY) {
            ERR(c, v, "structure", "'%s' repeats, so it must be a JSON array.", el->name);
            return;
        }
        if (v->count == 0) {
            ERR(c, v, "structure", "'%s' must not be an empty array; leave it out instead.",
                el->name);
            return;
        }
        for (size_t i = 0; i < v->count; i++) {
            size_t mark = fhir_val_push(c, "[%zu]", i);
            if (v->items[i]->kind == SW_JSON_NULL)
                ERR(c, v->items[i], "structure", "null is not allowed in '%s'.", el->name);
            else
                check_complex(c, el, t, v->items[i]);
            fhir_val_pop(c, mark);
        }
        return;
    }
    if (v->kind == SW_JSON_ARRAY) {
        ERR(c, v, "structure", "'%s' has at most one value, so it must not be an array.",
            el->name);
        return;
    }
    if (v->kind == SW_JSON_NULL) {
        ERR(c, v, "structure", "'%s' must not be null; leave it out instead.", el->name);
        return;
    }
    check_complex(c, el, t, v);
}

/* ---- Objects -------------------------------------------------------------- */

static void unknown_member(fhir_vctx *c, fhir_type_id t, const sw_json_member *m)
{
    size_t mark = fhir_val_push(c, ".%s", fhir_val_shown(c, m->key));
    fhir_member_info mi;
    sw_str key = m->key;
    if (sw_str_eq_cstr(key, "resourceType")) {
        ERR(c, m->value, "structure", "resourceType is only allowed at the top of a resource.");
    } else if (key.n > 1 && key.p[0] == '_' &&
               fhir_member_lookup(t, sw_str_make(key.p + 1, key.n - 1), &mi)) {
        ERR(c, m->value, "structure",
            "'%s' is not allowed: only primitive elements have '_' companions.",
            fhir_val_shown(c, key));
    } else {
        ERR(c, m->value, "structure", "Unknown element '%s' in %s.", fhir_val_shown(c, key),
            fhir_types[t].name);
    }
    fhir_val_pop(c, mark);
}

/* The members of an object of type t (a resource when is_resource). */
static void check_object(fhir_vctx *c, fhir_type_id t, const sw_json *obj, bool is_resource)
{
    const fhir_type *ty = &fhir_types[t];
    /* per element: seen, and for a choice the type of the variant seen */
    uint8_t  seen[FHIR_MAX_TYPE_ELEMENTS];
    uint16_t variant[FHIR_MAX_TYPE_ELEMENTS];
    memset(seen, 0, sizeof seen);

    for (size_t i = 0; i < obj->count && c->rc == SW_OK; i++) {
        const sw_json_member *m = &obj->members[i];
        if (is_resource && sw_str_eq_cstr(m->key, "resourceType"))
            continue;
        fhir_member_info mi;
        if (!fhir_member_lookup(t, m->key, &mi)) {
            unknown_member(c, t, m);
            continue;
        }
        const fhir_element *el = mi.element;
        size_t ei = (size_t)(el - &fhir_elements[ty->elem_first]);
        size_t mark = push_member(c, &mi, m->key);
        if (el->max == FHIR_MAX_0) {
            ERR(c, m->value, "structure", "'%s' is not allowed in %s.", el->name, ty->name);
            fhir_val_pop(c, mark);
            continue;
        }
        if (el->choice && seen[ei] && variant[ei] != mi.type) {
            ERR(c, m->value, "structure", "%s[x] may have only one type, but several are "
                "present.", el->name);
        }
        seen[ei] = 1;
        variant[ei] = mi.type;

        if (mi.companion) {
            sw_str vkey = sw_str_make(m->key.p + 1, m->key.n - 1);
            check_companion(c, el, m->value, fhir_val_member(obj, vkey));
        } else if (fhir_types[mi.type].kind == FHIR_KIND_PRIMITIVE) {
            const sw_json *comp = NULL;
            if (el->max == FHIR_MAX_MANY) {
                char ck[128];
                if (m->key.n + 2 <= sizeof ck) {
                    ck[0] = '_';
                    memcpy(ck + 1, m->key.p, m->key.n);
                    comp = fhir_val_member(obj, sw_str_make(ck, m->key.n + 1));
                }
            }
            check_prim_member(c, el, mi.type, m->value, comp);
        } else {
            check_complex_member(c, el, mi.type, m->value);
        }
        fhir_val_pop(c, mark);
    }

    const fhir_element *els = &fhir_elements[ty->elem_first];
    for (size_t e = 0; e < ty->elem_count; e++) {
        if (els[e].min == 0 || seen[e])
            continue;
        const char *suffix = els[e].choice ? "[x]" : "";
        size_t mark = fhir_val_push(c, ".%s%s", els[e].name, suffix);
        ERR(c, obj, "required", "The required element '%s%s' is missing.", els[e].name, suffix);
        fhir_val_pop(c, mark);
    }
}

/* ---- Resources ------------------------------------------------------------ */

static void check_resource(fhir_vctx *c, const sw_json *v, fhir_type_id expect, res_mode mode)
{
    if (v->kind != SW_JSON_OBJECT) {
        ERR(c, v, "structure", "A resource must be a JSON object with a resourceType, not %s.",
            json_kind_name(v->kind));
        return;
    }
    const sw_json *rt = fhir_val_get(v, "resourceType");
    if (rt == NULL || !fhir_val_is_string(rt)) {
        size_t mark = fhir_val_push(c, "%sresourceType", c->plen ? "." : "");
        if (rt == NULL)
            ERR(c, v, "required", "The resource has no resourceType.");
        else
            ERR(c, rt, "structure", "resourceType must be a string.");
        fhir_val_pop(c, mark);
        return;
    }
    fhir_type_id t = fhir_type_by_name(rt->text);
    if (t == FHIR_TYPE_NONE || fhir_types[t].kind != FHIR_KIND_RESOURCE || fhir_types[t].abstract) {
        size_t mark = fhir_val_push(c, "%sresourceType", c->plen ? "." : "");
        ERR(c, rt, "code-invalid", "'%s' is not a FHIR R4 resource type.",
            fhir_val_shown(c, rt->text));
        fhir_val_pop(c, mark);
        return;
    }
    if (expect != FHIR_TYPE_NONE && !fhir_types[expect].abstract && t != expect) {
        ERR(c, v, "invalid", "A %s is expected here, not a %s.", fhir_types[expect].name,
            fhir_types[t].name);
        return;
    }
    if (c->depth >= FHIR_VAL_MAX_DEPTH) {
        ERR(c, v, "structure", "The resource is nested too deeply.");
        return;
    }

    size_t mark = c->plen ? c->plen : fhir_val_push(c, "%s", fhir_types[t].name);
    fhir_vscope own = { 0 };
    fhir_vscope *outer = c->scope;
    bool outer_conditional = c->conditional;

    if (mode == RES_CONTAINED) {
        const sw_json *idv = fhir_val_get(v, "id");
        if (idv == NULL) {
            size_t m2 = fhir_val_push(c, ".id");
            ERR(c, v, "required", "A contained resource must have an id.");
            fhir_val_pop(c, m2);
        } else if (fhir_val_is_string(idv) && idv->text.n > 0) {
            fhir_val_contained_id(c, idv);
        }
        const sw_json *nested = fhir_val_get(v, "contained");
        if (nested != NULL) {
            size_t m2 = fhir_val_push(c, ".contained");
            ERR(c, nested, "structure", "A contained resource must not contain resources.");
            fhir_val_pop(c, m2);
        }
    } else {
        c->scope = &own;
    }
    if (t == FHIR_TYPE_Bundle) {
        const sw_json *bt = fhir_val_get(v, "type");
        if (fhir_val_is_string(bt) && (sw_str_eq_cstr(bt->text, "transaction") ||
                              sw_str_eq_cstr(bt->text, "batch")))
            c->conditional = true;
    }

    c->depth++;
    check_object(c, t, v, true);
    c->depth--;

    c->conditional = outer_conditional;
    if (mode != RES_CONTAINED) {
        fhir_val_resolve_scope(c, &own);
        c->scope = outer;
    }
    fhir_val_pop(c, mark);
}

/* ---- Entry ---------------------------------------------------------------- */

int fhir_validate(sw_arena *a, const sw_json *resource, unsigned flags, fhir_issues *issues)
{
    fhir_vctx *c = sw_arena_calloc(a, 1, sizeof *c);
    if (c == NULL)
        return SW_ENOMEM;
    c->a = a;
    c->out = issues;
    c->rc = SW_OK;
    c->flags = flags;
    c->path[0] = '\0';
    if (resource == NULL) {
        ERR(c, NULL, "structure", "There is no resource.");
        return c->rc;
    }
    check_resource(c, resource, FHIR_TYPE_NONE, RES_TOP);
    return c->rc;
}

const char *fhir_severity_name(fhir_severity s)
{
    switch (s) {
    case FHIR_SEVERITY_FATAL:       return "fatal";
    case FHIR_SEVERITY_ERROR:       return "error";
    case FHIR_SEVERITY_WARNING:     return "warning";
    case FHIR_SEVERITY_INFORMATION: return "information";
    }
    return "error";
}
