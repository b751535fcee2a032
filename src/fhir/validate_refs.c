/* validate_refs.c - the validator's reference checks (validate.h):
 * Reference.reference forms, allowed target types, and the bookkeeping of
 * contained ids and local "#id" references, which are judged together
 * once the containing resource has been walked. Called from validate.c
 * for every Reference and every contained resource of every write. */
#include "fhir/validate_int.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "fhir/model_int.h"
#include "fhir/primitive.h"

/* "scheme:" at the start of s, as in an absolute URI. */
static bool has_scheme(sw_str s)
{
    if (s.n == 0 || !((s.p[0] >= 'a' && s.p[0] <= 'z') || (s.p[0] >= 'A' && s.p[0] <= 'Z')))
        return false;
    for (size_t i = 1; i < s.n; i++) {
        char ch = s.p[i];
        if (ch == ':')
            return true;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '+' || ch == '-' || ch == '.'))
            return false;
    }
    return false;
}

static bool has_space(sw_str s)
{
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] == ' ' || s.p[i] == '\t' || s.p[i] == '\n' || s.p[i] == '\r')
            return true;
    return false;
}

/* Appends id, seen at node and the current location, to a scope list. */
static void remember(fhir_vctx *c, fhir_vref **items, size_t *n, size_t *cap, const sw_json *node,
                     sw_str id)
{
    if (!fhir_val_grow(c, (void **)items, cap, *n, sizeof **items))
        return;
    char *loc = sw_arena_strndup(c->a, c->path, c->plen);
    if (loc == NULL) {
        c->rc = SW_ENOMEM;
        return;
    }
    (*items)[*n] = (fhir_vref){ id, loc, node->line, node->column, *n };
    (*n)++;
}

static void record_local_ref(fhir_vctx *c, const sw_json *node, sw_str id)
{
    fhir_vscope *s = c->scope;
    if (s != NULL)
        remember(c, &s->refs, &s->nrefs, &s->caprefs, node, id);
}

/* A relative reference: Type/id or Type/id/_history/vid. */
static void check_relative_ref(fhir_vctx *c, const fhir_element *el, const sw_json *r, sw_str s)
{
    sw_str seg[5];
    size_t nseg = 0;
    sw_str rest = s;
    while (nseg < 5) {
        bool more = sw_str_split(&rest, '/', &seg[nseg]);
        nseg++;
        if (!more)
            break;
    }
    if (!(nseg == 2 || (nseg == 4 && sw_str_eq_cstr(seg[2], "_history"))) || rest.n > 0) {
        ERR(c, r, "value", "A reference must be Type/id, Type/id/_history/version, an "
            "absolute URL, urn:uuid:, urn:oid: or #id.");
        return;
    }
    fhir_type_id t = fhir_type_by_name(seg[0]);
    if (t == FHIR_TYPE_NONE || fhir_types[t].kind != FHIR_KIND_RESOURCE || fhir_types[t].abstract) {
        ERR(c, r, "value", "'%s' in the reference is not a resource type.",
            fhir_val_shown(c, seg[0]));
        return;
    }
    if (!fhir_is_id(seg[1]) || (nseg == 4 && !fhir_is_id(seg[3]))) {
        ERR(c, r, "value", "The reference does not hold a valid id (1-64 of A-Z a-z 0-9 - .).");
        return;
    }
    if (el != NULL && !fhir_element_allows_target(el, t)) {
        char allowed[256];
        size_t n = 0;
        allowed[0] = '\0';
        for (size_t i = 0; i < el->ntargets && n < sizeof allowed - 8; i++) {
            int w = snprintf(allowed + n, sizeof allowed - n, "%s%s", i ? ", " : "",
                             fhir_type_name(fhir_element_target(el, i)));
            if (w < 0 || (size_t)w >= sizeof allowed - n) {
                memcpy(allowed + sizeof allowed - 5, "...", 4);
                break;
            }
            n += (size_t)w;
        }
        ERR(c, r, "value", "'%s' may not refer to a %s (allowed: %s).", el->name,
            fhir_type_name(t), allowed);
    }
}

void fhir_val_reference(fhir_vctx *c, const fhir_element *el, const sw_json *ref)
{
    const sw_json *r = fhir_val_get(ref, "reference");
    if (!fhir_val_is_string(r) || r->text.n == 0)
        return;                        /* shape errors are reported already */
    size_t mark = fhir_val_push(c, ".reference");
    sw_str s = r->text;
    if (s.p[0] == '#') {
        sw_str id = sw_str_make(s.p + 1, s.n - 1);
        if (id.n == 0)
            ;                          /* "#": the containing resource */
        else if (!fhir_is_id(id))
            ERR(c, r, "value", "A local reference must be '#' followed by a valid id.");
        else
            record_local_ref(c, r, id);
    } else if (has_space(s)) {
        ERR(c, r, "value", "A reference must not contain white space.");
    } else if (sw_str_skip(&(sw_str){ s.p, s.n }, "urn:uuid:")) {
        if (!fhir_is_uuid_urn(s))
            ERR(c, r, "value", "A urn:uuid: reference needs a lowercase UUID "
                "(8-4-4-4-12 hex digits).");
    } else if (sw_str_skip(&(sw_str){ s.p, s.n }, "urn:oid:")) {
        if (!fhir_is_oid_urn(s))
            ERR(c, r, "value", "A urn:oid: reference needs a valid OID.");
    } else if (has_scheme(s)) {
        ;                              /* an absolute URL: nothing more to check */
    } else if (memchr(s.p, '?', s.n) != NULL) {
        sw_str type = s;
        sw_str rest = s;
        sw_str_split(&rest, '?', &type);
        if (!fhir_is_resource_type(type))
            ERR(c, r, "value", "'%s' in the conditional reference is not a resource type.",
                fhir_val_shown(c, type));
        else if (!c->conditional && !(c->flags & FHIR_VALIDATE_CONDITIONAL_REFS))
            ERR(c, r, "value", "Conditional references (Type?search) are only allowed in "
                "transaction and batch Bundles.");
    } else {
        check_relative_ref(c, el, r, s);
    }
    fhir_val_pop(c, mark);
}

void fhir_val_contained_id(fhir_vctx *c, const sw_json *idv)
{
    fhir_vscope *s = c->scope;
    if (s == NULL)
        return;
    size_t mark = fhir_val_push(c, ".id");
    remember(c, &s->ids, &s->nids, &s->capids, idv, idv->text);
    fhir_val_pop(c, mark);
}

static int cmp_id(sw_str a, sw_str b)
{
    size_t n = a.n < b.n ? a.n : b.n;
    int r = n ? memcmp(a.p, b.p, n) : 0;
    if (r != 0)
        return r;
    return a.n < b.n ? -1 : a.n > b.n;
}

static int cmp_local(const void *x, const void *y)
{
    const fhir_vref *a = x, *b = y;
    int r = cmp_id(a->id, b->id);
    if (r != 0)
        return r;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Reports an issue at a remembered place rather than where the walk is. */
static void report_at(fhir_vctx *c, const fhir_vref *r, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report_at(fhir_vctx *c, const fhir_vref *r, const char *code, const char *fmt, ...)
{
    size_t saved = c->plen;
    bool saved_cut = c->cut;
    char keep[sizeof c->path];
    memcpy(keep, c->path, sizeof keep);
    size_t ln = strlen(r->location);            /* at most MAX + 3, as stored */
    memcpy(c->path, r->location, ln + 1);
    c->plen = ln;
    sw_json at = { .line = r->line, .column = r->column };
    va_list ap;
    va_start(ap, fmt);
    fhir_val_issue_v(c, FHIR_SEVERITY_ERROR, &at, code, fmt, ap);
    va_end(ap);
    memcpy(c->path, keep, sizeof keep);
    c->plen = saved;
    c->cut = saved_cut;
}

void fhir_val_resolve_scope(fhir_vctx *c, fhir_vscope *s)
{
    if (s->nids > 1)
        qsort(s->ids, s->nids, sizeof *s->ids, cmp_local);
    for (size_t i = 1; i < s->nids; i++)
        if (cmp_id(s->ids[i].id, s->ids[i - 1].id) == 0)
            report_at(c, &s->ids[i], "duplicate", "Two contained resources have the id '%s'.",
                      fhir_val_shown(c, s->ids[i].id));
    for (size_t i = 0; i < s->nrefs; i++) {
        const fhir_vref *r = &s->refs[i];
        size_t lo = 0, hi = s->nids;
        bool found = false;
        while (lo < hi && !found) {
            size_t mid = lo + (hi - lo) / 2;
            int k = cmp_id(r->id, s->ids[mid].id);
            if (k == 0)
                found = true;
            else if (k < 0)
                hi = mid;
            else
                lo = mid + 1;
        }
        if (!found)
            report_at(c, r, "not-found", "The local reference '#%s' matches no contained "
                      "resource.", fhir_val_shown(c, r->id));
    }
}
