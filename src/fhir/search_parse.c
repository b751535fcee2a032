/* search_parse.c - from the parameters of a FHIR search to the criteria
 * of search.h: parameter names with their modifiers and chains, checked
 * against the generated search-parameter tables of the resource type; the
 * result parameters (_count, _sort, _include, _revinclude, _elements,
 * _summary, _total, _page); values through search_value.c.
 *
 * Called once per search by the REST handler (rest_search.c) and by
 * conditional interactions (fhir_search_parse_query). Every problem is
 * collected, so one 400 names them all; under Prefer: handling=lenient the
 * parameter is dropped instead and the problem becomes a warning. Messages
 * name parameters and modifiers, never values. */
#include "fhir/search.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "fhir/model.h"
#include "fhir/outcome.h"
#include "fhir/searchpath.h"

typedef struct parser {
    sw_arena    *a;
    fhir_search *s;
    fhir_type_id type;
    bool         lenient;
    fhir_issues *issues;
    int          rc;              /* SW_ENOMEM sticks */
    size_t       cap_crits, cap_incl, cap_echo;
    const char  *page;
    bool         seen_count, seen_sort, seen_total, seen_summary;
} parser;

/* Records why a parameter is not used: an error, or a warning when the
 * client asked for lenient handling (the parameter is then ignored). */
static void problem(parser *p, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(parser *p, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = sw_arena_vprintf(p->a, fmt, ap);
    va_end(ap);
    /* One sentence either way: "X is not a search parameter of Patient;
     * it was ignored." */
    size_t n = msg ? strlen(msg) : 0;
    if (p->lenient && n > 0 && msg[n - 1] == '.')
        msg[--n] = '\0';
    if (msg == NULL
        || fhir_issue_add(p->a, p->issues, p->lenient ? FHIR_SEVERITY_WARNING
                                                      : FHIR_SEVERITY_ERROR,
                          code, NULL, "%s%s", msg,
                          p->lenient ? "; it was ignored." : "") != SW_OK)
        p->rc = SW_ENOMEM;
}

/* Makes room for one more element in an arena array. */
static bool grow(parser *p, void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *fresh = sw_arena_alloc(p->a, ncap * size);
    if (fresh == NULL) {
        p->rc = SW_ENOMEM;
        return false;
    }
    if (n)
        memcpy(fresh, *items, n * size);
    *items = fresh;
    *cap = ncap;
    return true;
}

static void echo(parser *p, const http_param *prm)
{
    void *items = p->s->echo;
    if (!grow(p, &items, &p->cap_echo, (size_t)p->s->necho, sizeof *p->s->echo))
        return;
    p->s->echo = items;
    p->s->echo[p->s->necho++] = *prm;
}

static fhir_index_kind kind_of(fhir_param_type t)
{
    switch (t) {
    case FHIR_PARAM_STRING:    return FHIR_IDX_STRING;
    case FHIR_PARAM_TOKEN:     return FHIR_IDX_TOKEN;
    case FHIR_PARAM_DATE:      return FHIR_IDX_DATE;
    case FHIR_PARAM_REFERENCE: return FHIR_IDX_REF;
    case FHIR_PARAM_QUANTITY:  return FHIR_IDX_QUANTITY;
    case FHIR_PARAM_NUMBER:    return FHIR_IDX_NUMBER;
    case FHIR_PARAM_URI:       return FHIR_IDX_URI;
    case FHIR_PARAM_COMPOSITE:
    case FHIR_PARAM_SPECIAL:
        break;
    }
    return FHIR_IDX__COUNT;
}

bool fhir_search_param_usable(const fhir_type_param *tp)
{
    return tp != NULL && fhir_search_supported(tp)
        && kind_of(fhir_type_param_type(tp)) != FHIR_IDX__COUNT;
}

static const fhir_search_common common_params[] = {
    { "_count", "number", "Page size: 20 when absent, at most 1000 (a larger "
      "value is lowered to 1000, as the links show)." },
    { "_sort", "special", "Comma-separated parameter codes, '-' for "
      "descending; ascending uses a resource's lowest value, descending its "
      "highest; resources without a value come last; ties by id." },
    { "_include", "special", "Type:param[:Target] or *; one level." },
    { "_revinclude", "special", "Type:param[:Target] or Type:*; one level." },
    { "_summary", "token", "count, text, data or false (true is not "
      "supported)." },
    { "_elements", "special", "Top-level elements to keep (plus "
      "resourceType, id, meta); the entry is tagged SUBSETTED." },
    { "_total", "token", "none, estimate or accurate (the default); "
      "estimate is answered exactly." },
    { "_page", "special", "The opaque position token of next and previous "
      "links (paging by key)." },
};

const fhir_search_common *fhir_search_common_params(size_t *n)
{
    *n = sizeof common_params / sizeof common_params[0];
    return common_params;
}

/* The parameter `code` of type t when the engine can search it: compiled
 * by the generator and of a type with an index table. Reports why not. */
static const fhir_type_param *usable_param(parser *p, fhir_type_id t,
                                           sw_str code, const char *name)
{
    const fhir_type_param *tp = fhir_search_param_find(t, code);
    if (tp == NULL) {
        problem(p, "not-supported", "%s is not a search parameter of %s.",
                name, fhir_type_name(t));
        return NULL;
    }
    if (!fhir_search_supported(tp)) {
        problem(p, "not-supported", "The search parameter %s of %s is not "
                "supported (%s).", name, fhir_type_name(t), tp->unsupported);
        return NULL;
    }
    if (kind_of(fhir_type_param_type(tp)) == FHIR_IDX__COUNT) {
        problem(p, "not-supported", "The search parameter %s of %s is of type "
                "%s, which this server does not search.", name,
                fhir_type_name(t), fhir_param_type_name(fhir_type_param_type(tp)));
        return NULL;
    }
    return tp;
}

/* Whether a reference parameter may point at resource type target. */
static bool param_targets(const fhir_type_param *tp, fhir_type_id target)
{
    const fhir_search_param *def = fhir_type_param_def(tp);
    size_t n = fhir_search_param_target_count(def);
    if (n == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (fhir_search_param_target(def, i) == target)
            return true;
    return false;
}

/* ---- Search parameters --------------------------------------------------- */

static bool modifier_of(parser *p, const fhir_type_param *tp, sw_str mod,
                        const char *name, fhir_search_crit *c)
{
    fhir_param_type t = fhir_type_param_type(tp);
    static const struct {
        const char          *name;
        fhir_search_modifier mod;
        int                  type;      /* -1: every type */
    } mods[] = {
        { "missing",  FHIR_MOD_MISSING,  -1 },
        { "exact",    FHIR_MOD_EXACT,    FHIR_PARAM_STRING },
        { "contains", FHIR_MOD_CONTAINS, FHIR_PARAM_STRING },
        { "text",     FHIR_MOD_TEXT,     FHIR_PARAM_TOKEN },
        { "not",      FHIR_MOD_NOT,      FHIR_PARAM_TOKEN },
        { "below",    FHIR_MOD_BELOW,    FHIR_PARAM_URI },
        { "above",    FHIR_MOD_ABOVE,    FHIR_PARAM_URI },
    };
    c->modifier = FHIR_MOD_NONE;
    if (mod.n == 0)
        return true;
    for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++) {
        if (sw_str_eq_cstr(mod, mods[i].name)
            && (mods[i].type < 0 || mods[i].type == (int)t)) {
            c->modifier = mods[i].mod;
            return true;
        }
    }
    fhir_type_id target = fhir_type_by_name(mod);
    if (t == FHIR_PARAM_REFERENCE && fhir_is_resource_type(mod)) {
        if (!param_targets(tp, target)) {
            problem(p, "not-supported", "%s cannot refer to a %s.", name,
                    fhir_type_name(target));
            return false;
        }
        c->modifier = FHIR_MOD_TYPE;
        c->type_mod = fhir_type_name(target);
        return true;
    }
    problem(p, "not-supported", "The modifier :%.*s is not supported on %s "
            "(a %s parameter).", (int)(mod.n > 40 ? 40 : mod.n), mod.p, name,
            fhir_param_type_name(t));
    return false;
}

/* Parses the comma-separated values of c, a parameter of type t. */
static bool values_of(parser *p, fhir_search_crit *c, fhir_param_type t,
                      const char *value, const char *name)
{
    sw_str parts[FHIR_SEARCH_MAX_VALUES];
    size_t n;
    if (!fhir_search_split(value, ',', parts, FHIR_SEARCH_MAX_VALUES, &n)) {
        problem(p, "too-costly", "%s has more than %d comma-separated values.",
                name, FHIR_SEARCH_MAX_VALUES);
        return false;
    }
    c->values = sw_arena_calloc(p->a, n, sizeof *c->values);
    if (c->values == NULL) {
        p->rc = SW_ENOMEM;
        return false;
    }
    c->nvalues = 0;
    for (size_t i = 0; i < n; i++) {
        if (parts[i].n == 0)
            continue;                  /* "a,,b": nothing to match */
        fhir_search_value *v = &c->values[c->nvalues];
        const char *why;
        if (c->column == FHIR_COL_ID && c->modifier != FHIR_MOD_MISSING) {
            memset(v, 0, sizeof *v);
            v->s1 = fhir_search_unescape(p->a, parts[i]);
            why = v->s1 ? NULL : "could not be read (out of memory)";
        } else {
            why = fhir_search_value_parse(p->a, t, c->modifier, parts[i], v);
        }
        if (why != NULL) {
            problem(p, "value", "A value of %s %s.", name, why);
            return false;
        }
        if (c->modifier == FHIR_MOD_TYPE && v->s3 == NULL) {
            if (v->s1 != NULL && strcmp(v->s1, c->type_mod) != 0) {
                problem(p, "value", "A value of %s names another type than "
                        "its modifier :%s.", name, c->type_mod);
                return false;
            }
            v->s1 = c->type_mod;
        }
        c->nvalues++;
    }
    return true;
}

static bool add_crit(parser *p, const fhir_search_crit *c)
{
    void *items = p->s->crits;
    if (!grow(p, &items, &p->cap_crits, p->s->ncrits, sizeof *p->s->crits))
        return false;
    p->s->crits = items;
    p->s->crits[p->s->ncrits++] = *c;
    return true;
}

/* A parameter of type t, code[:mod]=value: 1 with *out filled, 0 when it
 * has no value to match (ignored), -1 after a problem. */
static int one_param(parser *p, fhir_type_id t, sw_str code, sw_str mod,
                     const char *name, const char *value, fhir_search_crit *out)
{
    memset(out, 0, sizeof *out);
    out->name = name;
    fhir_param_type pt;
    if (sw_str_eq_cstr(code, "_id") || sw_str_eq_cstr(code, "_lastUpdated")) {
        bool id = code.n == 3;
        out->code = id ? "_id" : "_lastUpdated";
        out->column = id ? FHIR_COL_ID : FHIR_COL_UPDATED;
        out->kind = id ? FHIR_IDX_TOKEN : FHIR_IDX_DATE;
        pt = id ? FHIR_PARAM_TOKEN : FHIR_PARAM_DATE;
        if (sw_str_eq_cstr(mod, "missing"))
            out->modifier = FHIR_MOD_MISSING;
        else if (id && sw_str_eq_cstr(mod, "not"))
            out->modifier = FHIR_MOD_NOT;
        else if (mod.n > 0) {
            problem(p, "not-supported", "The modifier :%.*s is not supported "
                    "on %s.", (int)(mod.n > 40 ? 40 : mod.n), mod.p, name);
            return -1;
        }
    } else {
        const fhir_type_param *tp = usable_param(p, t, code, name);
        if (tp == NULL || !modifier_of(p, tp, mod, name, out))
            return -1;
        out->code = tp->code;
        pt = fhir_type_param_type(tp);
        out->kind = kind_of(pt);
        out->column = FHIR_COL_INDEX;
    }
    if (!values_of(p, out, pt, value, name))
        return -1;
    return out->nvalues > 0 ? 1 : 0;
}

/* subject:Patient.name=x: the chained parameter on every type the
 * reference may point at (only the :Type one when given) that has it.
 * left is "subject:Patient", rest "name" or "name:exact". */
static int chained_param(parser *p, sw_str left, sw_str rest, const char *name,
                         const char *value, fhir_search_crit *c)
{
    memset(c, 0, sizeof *c);
    c->name = name;
    sw_str code, mod = left;
    sw_str_split(&mod, ':', &code);
    const fhir_type_param *tp = usable_param(p, p->type, code, name);
    if (tp == NULL || !modifier_of(p, tp, mod, name, c))
        return -1;
    if (fhir_type_param_type(tp) != FHIR_PARAM_REFERENCE
        || (c->modifier != FHIR_MOD_NONE && c->modifier != FHIR_MOD_TYPE)) {
        problem(p, "not-supported", "%s chains through something other than "
                "a reference parameter.", name);
        return -1;
    }
    if (memchr(rest.p, '.', rest.n) != NULL) {
        problem(p, "not-supported", "%s chains more than one level; one level "
                "is supported.", name);
        return -1;
    }
    c->code = tp->code;
    c->kind = FHIR_IDX_REF;
    c->column = FHIR_COL_INDEX;
    sw_str subcode, submod = rest;
    sw_str_split(&submod, ':', &subcode);
    const fhir_search_param *def = fhir_type_param_def(tp);
    size_t ntargets = c->type_mod ? 1 : fhir_search_param_target_count(def);
    if (ntargets == 0) {
        problem(p, "not-supported", "%s chains through a reference that may "
                "point at any type; name the type, as in %s:Patient.", name,
                tp->code);
        return -1;
    }
    c->chain = sw_arena_calloc(p->a, ntargets, sizeof *c->chain);
    if (c->chain == NULL) {
        p->rc = SW_ENOMEM;
        return -1;
    }
    bool empty = false;
    for (size_t i = 0; i < ntargets; i++) {
        fhir_type_id target = c->type_mod
            ? fhir_type_by_name(sw_str_of(c->type_mod))
            : fhir_search_param_target(def, i);
        bool special = sw_str_eq_cstr(subcode, "_id")
                    || sw_str_eq_cstr(subcode, "_lastUpdated");
        const fhir_type_param *sub = fhir_search_param_find(target, subcode);
        if (!special && (sub == NULL || !fhir_search_supported(sub)
                         || kind_of(fhir_type_param_type(sub)) == FHIR_IDX__COUNT))
            continue;             /* this target type cannot be chained into */
        fhir_search_crit *sc = sw_arena_alloc(p->a, sizeof *sc);
        if (sc == NULL) {
            p->rc = SW_ENOMEM;
            return -1;
        }
        /* The value means the same on every target: a problem with it is
         * reported once, from the first. */
        int r = one_param(p, target, subcode, submod, name, value, sc);
        if (r < 0)
            return -1;
        if (r == 0) {
            empty = true;
            break;
        }
        c->chain[c->nchain].type = fhir_type_name(target);
        c->chain[c->nchain].crit = sc;
        c->nchain++;
    }
    if (empty)
        return 0;
    if (c->nchain == 0) {
        problem(p, "not-supported", "%s: no type that %s can refer to has "
                "that search parameter.", name, tp->code);
        return -1;
    }
    return 1;
}

static void search_param(parser *p, const http_param *prm, const char *name)
{
    if (strncmp(prm->name, "_has:", 5) == 0 || strcmp(prm->name, "_has") == 0) {
        problem(p, "not-supported", "Reverse chaining (_has) is not supported.");
        return;
    }
    sw_str left, rest = sw_str_of(prm->name);
    bool chained = sw_str_split(&rest, '.', &left);
    fhir_search_crit c;
    int r;
    if (chained) {
        r = chained_param(p, left, rest, name, prm->value, &c);
    } else {
        sw_str code, mod = left;
        sw_str_split(&mod, ':', &code);
        r = one_param(p, p->type, code, mod, name, prm->value, &c);
    }
    if (r > 0 && add_crit(p, &c))
        echo(p, prm);
}

/* ---- Result parameters --------------------------------------------------- */

static void count_param(parser *p, const http_param *prm)
{
    long v;
    if (p->seen_count) {
        problem(p, "invalid", "_count is given more than once.");
        return;
    }
    p->seen_count = true;
    if (!sw_str_to_long(sw_str_of(prm->value), 0, 1000000000L, &v)) {
        problem(p, "value", "_count must be a whole number from 0.");
        return;
    }
    /* A larger page is lowered to the maximum, which the links then show:
     * the spec lets a server return fewer than asked. */
    p->s->count = v > FHIR_SEARCH_PAGE_MAX ? FHIR_SEARCH_PAGE_MAX : (int)v;
}

static void sort_param(parser *p, const http_param *prm)
{
    if (p->seen_sort) {
        problem(p, "invalid", "_sort is given more than once; list its keys "
                "in one, separated by commas.");
        return;
    }
    p->seen_sort = true;
    sw_str keys[FHIR_SEARCH_MAX_SORT];
    size_t n;
    if (!fhir_search_split(prm->value, ',', keys, FHIR_SEARCH_MAX_SORT, &n)) {
        problem(p, "too-costly", "_sort has more than %d keys.",
                FHIR_SEARCH_MAX_SORT);
        return;
    }
    fhir_search_sort *sorts = sw_arena_calloc(p->a, n, sizeof *sorts);
    if (sorts == NULL) {
        p->rc = SW_ENOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        sw_str k = keys[i];
        fhir_search_sort *so = &sorts[i];
        so->desc = k.n > 0 && k.p[0] == '-';
        if (so->desc) {
            k.p++;
            k.n--;
        }
        if (sw_str_eq_cstr(k, "_id") || sw_str_eq_cstr(k, "_lastUpdated")) {
            so->column = k.n == 3 ? FHIR_COL_ID : FHIR_COL_UPDATED;
            so->code = k.n == 3 ? "_id" : "_lastUpdated";
            so->kind = k.n == 3 ? FHIR_IDX_TOKEN : FHIR_IDX_DATE;
            continue;
        }
        if (k.n == 0 || memchr(k.p, '.', k.n) || memchr(k.p, ':', k.n)) {
            problem(p, "not-supported", "_sort takes search parameter codes, "
                    "each optionally preceded by '-'.");
            return;
        }
        char *label = sw_arena_printf(p->a, "_sort key %.*s",
                                      (int)(k.n > 64 ? 64 : k.n), k.p);
        const fhir_type_param *tp = label ? usable_param(p, p->type, k, label) : NULL;
        if (tp == NULL) {
            if (label == NULL)
                p->rc = SW_ENOMEM;
            return;
        }
        so->code = tp->code;
        so->kind = kind_of(fhir_type_param_type(tp));
        so->column = FHIR_COL_INDEX;
    }
    p->s->sorts = sorts;
    p->s->nsorts = n;
    echo(p, prm);
}

static void add_include(parser *p, bool rev, const char *source,
                        const char *param, const char *target)
{
    void *items = p->s->includes;
    if (!grow(p, &items, &p->cap_incl, p->s->nincludes, sizeof *p->s->includes))
        return;
    p->s->includes = items;
    p->s->includes[p->s->nincludes++] = (fhir_search_include){
        .rev = rev, .source = source, .param = param, .target = target,
    };
}

/* _include=Type:param[:Target] (Type the searched type), _include=*,
 * _revinclude=Type:param[:Target] (Target the searched type); param may
 * be * for every reference parameter. */
static void include_param(parser *p, const http_param *prm, sw_str mod, bool rev)
{
    const char *what = rev ? "_revinclude" : "_include";
    if (mod.n > 0) {
        problem(p, "not-supported", "%s:%.*s is not supported; includes go "
                "one level.", what, (int)(mod.n > 40 ? 40 : mod.n), mod.p);
        return;
    }
    sw_str parts[3];
    size_t n;
    char *v = sw_arena_strdup(p->a, prm->value);
    if (v == NULL) {
        p->rc = SW_ENOMEM;
        return;
    }
    if (!rev && strcmp(v, "*") == 0) {
        parts[0] = sw_str_of(fhir_type_name(p->type));
        parts[1] = SW_STR_LIT("*");
        n = 2;
    } else if (!fhir_search_split(v, ':', parts, 3, &n) || n < 2) {
        problem(p, "value", "%s must be Type:parameter or Type:parameter:"
                "TargetType.", what);
        return;
    }
    fhir_type_id source = fhir_type_by_name(parts[0]);
    fhir_type_id target = n == 3 ? fhir_type_by_name(parts[2]) : FHIR_TYPE_NONE;
    if (!fhir_is_resource_type(parts[0]) || (n == 3 && !fhir_is_resource_type(parts[2]))) {
        problem(p, "value", "%s names a type that is not a FHIR R4 resource "
                "type.", what);
        return;
    }
    if (!rev && source != p->type) {
        problem(p, "not-supported", "_include must start with the searched "
                "type, %s; includes go one level.", fhir_type_name(p->type));
        return;
    }
    if (rev && n == 3 && target != p->type) {
        problem(p, "value", "_revinclude's target type must be the searched "
                "type, %s.", fhir_type_name(p->type));
        return;
    }
    size_t before = p->s->nincludes;
    if (sw_str_eq_cstr(parts[1], "*")) {
        size_t np;
        const fhir_type_param *tps = fhir_search_params_of(source, &np);
        for (size_t i = 0; i < np; i++) {
            const fhir_type_param *tp = &tps[i];
            if (fhir_type_param_type(tp) != FHIR_PARAM_REFERENCE
                || !fhir_search_supported(tp)
                || (rev && !param_targets(tp, p->type))
                || (!rev && n == 3 && !param_targets(tp, target)))
                continue;
            add_include(p, rev, fhir_type_name(source), tp->code,
                        n == 3 ? fhir_type_name(target) : NULL);
        }
    } else {
        char *label = sw_arena_printf(p->a, "%s %.*s:%.*s", what,
                                      (int)(parts[0].n > 64 ? 64 : parts[0].n),
                                      parts[0].p,
                                      (int)(parts[1].n > 64 ? 64 : parts[1].n),
                                      parts[1].p);
        const fhir_type_param *tp = label ? usable_param(p, source, parts[1], label) : NULL;
        if (tp == NULL) {
            if (label == NULL)
                p->rc = SW_ENOMEM;
            return;
        }
        if (fhir_type_param_type(tp) != FHIR_PARAM_REFERENCE) {
            problem(p, "value", "%s does not name a reference parameter.", label);
            return;
        }
        fhir_type_id must = rev ? p->type : target;
        if (must != FHIR_TYPE_NONE && !param_targets(tp, must)) {
            problem(p, "value", "%s cannot refer to a %s.", label,
                    fhir_type_name(must));
            return;
        }
        add_include(p, rev, fhir_type_name(source), tp->code,
                    n == 3 ? fhir_type_name(target) : NULL);
    }
    if (p->s->nincludes > before || sw_str_eq_cstr(parts[1], "*"))
        echo(p, prm);
}

static void elements_param(parser *p, const http_param *prm)
{
    sw_str names[FHIR_SEARCH_MAX_ELEMENTS];
    size_t n;
    if (!fhir_search_split(prm->value, ',', names, FHIR_SEARCH_MAX_ELEMENTS, &n)) {
        problem(p, "too-costly", "_elements names more than %d elements.",
                FHIR_SEARCH_MAX_ELEMENTS);
        return;
    }
    size_t have = p->s->nelements;
    const char **all = sw_arena_calloc(p->a, have + n, sizeof *all);
    if (all == NULL) {
        p->rc = SW_ENOMEM;
        return;
    }
    if (have)
        memcpy(all, p->s->elements, have * sizeof *all);
    for (size_t i = 0; i < n; i++) {
        const fhir_element *e = names[i].n ? fhir_element_by_name(p->type, names[i]) : NULL;
        if (e == NULL) {
            problem(p, "value", "_elements names something that is not an "
                    "element of %s.", fhir_type_name(p->type));
            return;
        }
        all[have++] = e->name;
    }
    if (have > FHIR_SEARCH_MAX_ELEMENTS) {
        problem(p, "too-costly", "_elements names more than %d elements.",
                FHIR_SEARCH_MAX_ELEMENTS);
        return;
    }
    p->s->elements = all;
    p->s->nelements = have;
    echo(p, prm);
}

static void summary_param(parser *p, const http_param *prm)
{
    static const struct {
        const char         *name;
        fhir_search_summary summary;
    } modes[] = {
        { "false", FHIR_SUMMARY_FALSE }, { "count", FHIR_SUMMARY_COUNT },
        { "text", FHIR_SUMMARY_TEXT },   { "data", FHIR_SUMMARY_DATA },
    };
    if (p->seen_summary) {
        problem(p, "invalid", "_summary is given more than once.");
        return;
    }
    p->seen_summary = true;
    if (strcmp(prm->value, "true") == 0) {
        problem(p, "not-supported", "_summary=true is not supported: the R4 "
                "definitions this server is built from do not mark summary "
                "elements; use _elements, or _summary=text, data or count.");
        return;
    }
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcmp(prm->value, modes[i].name) == 0) {
            p->s->summary = modes[i].summary;
            echo(p, prm);
            return;
        }
    }
    problem(p, "value", "_summary must be count, text, data or false.");
}

static void total_param(parser *p, const http_param *prm)
{
    if (p->seen_total) {
        problem(p, "invalid", "_total is given more than once.");
        return;
    }
    p->seen_total = true;
    if (strcmp(prm->value, "none") == 0)
        p->s->total = FHIR_TOTAL_NONE;
    else if (strcmp(prm->value, "estimate") == 0)
        p->s->total = FHIR_TOTAL_ESTIMATE;
    else if (strcmp(prm->value, "accurate") == 0)
        p->s->total = FHIR_TOTAL_ACCURATE;
    else {
        problem(p, "value", "_total must be none, estimate or accurate.");
        return;
    }
    echo(p, prm);
}

/* ---- The whole search ---------------------------------------------------- */

/* The parameter's name for messages: as given, cut at 64 bytes. */
static const char *short_name(parser *p, const char *name)
{
    size_t n = strlen(name);
    if (n <= 64)
        return name;
    n = 64;
    while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
        n--;
    char *s = sw_arena_printf(p->a, "%.*s...", (int)n, name);
    return s ? s : "a parameter";
}

static void one(parser *p, const http_param *prm)
{
    const char *name = prm->name;
    sw_str base = sw_str_of(name), mod = sw_str_make("", 0);
    const char *colon = strchr(name, ':');
    if (colon != NULL) {
        base.n = (size_t)(colon - name);
        mod = sw_str_of(colon + 1);
    }
    if (prm->value[0] == '\0')
        return;                        /* an empty value asks for nothing */
    if (sw_str_eq_cstr(base, "_format") || sw_str_eq_cstr(base, "_pretty")) {
        /* negotiate.c answers _format, and output is always compact; both
         * go on in the links, as the client gave them */
        echo(p, prm);
        return;
    }
    if (sw_str_eq_cstr(base, "_include") || sw_str_eq_cstr(base, "_revinclude")) {
        include_param(p, prm, mod, base.n == strlen("_revinclude"));
        return;
    }
    static const struct {
        const char *name;
        void (*fn)(parser *, const http_param *);
    } results[] = {
        { "_count", count_param },     { "_sort", sort_param },
        { "_elements", elements_param }, { "_summary", summary_param },
        { "_total", total_param },
    };
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
        if (strcmp(name, results[i].name) == 0) {
            results[i].fn(p, prm);
            return;
        }
    }
    if (strcmp(name, "_page") == 0) {
        if (p->page != NULL)
            problem(p, "invalid", "_page is given more than once.");
        p->page = prm->value;
        return;
    }
    search_param(p, prm, short_name(p, name));
}

int fhir_search_parse(sw_arena *a, const char *type, const http_param *params,
                      int nparams, bool lenient, fhir_search **out,
                      fhir_issues *issues)
{
    *out = NULL;
    fhir_type_id t = type ? fhir_type_by_name(sw_str_of(type)) : FHIR_TYPE_NONE;
    if (t == FHIR_TYPE_NONE || !fhir_is_resource_type(sw_str_of(type))) {
        if (fhir_issue_add(a, issues, FHIR_SEVERITY_ERROR, "not-supported", NULL,
                           "Searches are made on a FHIR R4 resource type.") != SW_OK)
            return SW_ENOMEM;
        return SW_EBADREQUEST;
    }
    fhir_search *s = sw_arena_calloc(a, 1, sizeof *s);
    if (s == NULL)
        return SW_ENOMEM;
    s->type = fhir_type_name(t);
    s->count = FHIR_SEARCH_PAGE_DEFAULT;
    s->total = FHIR_TOTAL_ACCURATE;
    s->summary = FHIR_SUMMARY_FALSE;
    parser p = {
        .a = a, .s = s, .type = t, .lenient = lenient, .issues = issues,
        .rc = SW_OK,
    };
    size_t errors = issues->errors;
    for (int i = 0; i < nparams && p.rc == SW_OK; i++)
        one(&p, &params[i]);
    if (p.rc == SW_OK && s->nelements > 0 && (s->summary == FHIR_SUMMARY_TEXT
                                              || s->summary == FHIR_SUMMARY_DATA)) {
        problem(&p, "invalid", "_elements and _summary=text or data cannot be "
                "used together.");
        s->nelements = 0;
        s->elements = NULL;
    }
    if (p.rc == SW_OK && p.page != NULL
        && fhir_search_page_decode(a, s, p.page) != SW_OK)
        problem(&p, "value", "The _page token is not valid for this search: it "
                "was made for another sort order, or is damaged.");
    if (p.rc != SW_OK)
        return p.rc;
    if (issues->errors > errors)
        return SW_EBADREQUEST;
    *out = s;
    return SW_OK;
}

int fhir_search_parse_query(sw_arena *a, const char *type, const char *query,
                            fhir_search **out, fhir_issues *issues)
{
    *out = NULL;
    size_t n = strlen(query);
    if (n > 0 && query[0] == '?') {
        query++;
        n--;
    }
    char *target = sw_arena_alloc(a, n + 3);
    if (target == NULL)
        return SW_ENOMEM;
    target[0] = '/';
    target[1] = '?';
    memcpy(target + 2, query, n + 1);
    http_target t;
    sw_err err;
    int rc = http_parse_target(a, target, n + 2, &t, &err);
    if (rc == SW_ENOMEM)
        return rc;
    if (rc != SW_OK) {
        if (fhir_issue_add(a, issues, FHIR_SEVERITY_ERROR, "value", NULL,
                           "The search is not a valid query string: %s", err.msg) != SW_OK)
            return SW_ENOMEM;
        return SW_EBADREQUEST;
    }
    return fhir_search_parse(a, type, t.params, t.nparams, false, out, issues);
}
