/* validate_int.h - what the two files of the validator share: the walk's
 * context, the location buffer and issue reporting (validate.c), and the
 * reference checks with the contained-id bookkeeping (validate_refs.c).
 * Only those two files include it; everyone else uses validate.h. */
#ifndef SW_FHIR_VALIDATE_INT_H
#define SW_FHIR_VALIDATE_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "core/str.h"
#include "fhir/model.h"
#include "fhir/validate.h"

/* Nesting of objects the walk follows; the parser stops at
 * SW_JSON_MAX_DEPTH, this guards trees built in memory. */
#define FHIR_VAL_MAX_DEPTH 160
/* User-supplied names (unknown members, codes) quoted in messages are cut
 * to this many bytes. */
#define FHIR_VAL_SHOWN_MAX 64

/* A contained resource's id, or a local reference ("#id", id without the
 * '#'), with where it was seen. */
typedef struct fhir_vref {
    sw_str      id;
    const char *location;
    uint32_t    line, column;
    size_t      order;       /* document order: keeps the sort stable */
} fhir_vref;

/* What one resource (with its contained resources) declares and uses.
 * Both lists are judged when the resource is done, by sorting the ids, so
 * thousands of contained resources cost n log n, not n squared. */
typedef struct fhir_vscope {
    fhir_vref *ids;
    size_t     nids, capids;
    fhir_vref *refs;
    size_t     nrefs, caprefs;
} fhir_vscope;

/* One validation run. */
typedef struct fhir_vctx {
    sw_arena    *a;
    fhir_issues *out;
    int          rc;            /* SW_ENOMEM sticks */
    unsigned     flags;
    bool         conditional;   /* inside a transaction or batch Bundle */
    fhir_vscope *scope;         /* of the resource being walked */
    int          depth;
    size_t       plen;          /* bytes of path in use */
    bool         cut;           /* path ends in "..." (too long) */
    char         path[FHIR_VALIDATE_MAX_PATH + 8];
} fhir_vctx;

/* ---- validate.c ---------------------------------------------------------- */

/* Appends a segment to the location; returns the length to pop back to. */
size_t fhir_val_push(fhir_vctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void fhir_val_pop(fhir_vctx *c, size_t mark);
/* Adds an issue at the current location (node gives line and column). */
void fhir_val_issue(fhir_vctx *c, fhir_severity sev, const sw_json *node, const char *code,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void fhir_val_issue_v(fhir_vctx *c, fhir_severity sev, const sw_json *node, const char *code,
                      const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/* A user-supplied name fit for a message: at most FHIR_VAL_SHOWN_MAX
 * bytes (cut at a character boundary) and no control characters. */
const char *fhir_val_shown(fhir_vctx *c, sw_str s);
/* Makes room for one more item in an arena array of count items. */
bool fhir_val_grow(fhir_vctx *c, void **items, size_t *cap, size_t count, size_t size);

#define ERR(c, node, code, ...) \
    fhir_val_issue((c), FHIR_SEVERITY_ERROR, (node), (code), __VA_ARGS__)

static inline const sw_json *fhir_val_member(const sw_json *obj, sw_str key)
{
    if (obj == NULL || obj->kind != SW_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (sw_str_eq(obj->members[i].key, key))
            return obj->members[i].value;
    return NULL;
}

static inline const sw_json *fhir_val_get(const sw_json *obj, const char *key)
{
    return fhir_val_member(obj, sw_str_of(key));
}

static inline bool fhir_val_is_string(const sw_json *v)
{
    return v != NULL && v->kind == SW_JSON_STRING;
}

/* ---- validate_refs.c ----------------------------------------------------- */

/* Checks Reference.reference of ref, held by element el (NULL: any target
 * allowed); "#id" references are remembered in the current scope. */
void fhir_val_reference(fhir_vctx *c, const fhir_element *el, const sw_json *ref);
/* Remembers the id of a contained resource in the current scope. */
void fhir_val_contained_id(fhir_vctx *c, const sw_json *idv);
/* Reports duplicate contained ids and local references to nothing. */
void fhir_val_resolve_scope(fhir_vctx *c, fhir_vscope *s);

#endif
