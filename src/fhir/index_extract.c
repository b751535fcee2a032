/* index_extract.c - from a resource to its search index rows.
 *
 * searchpath.c finds the nodes each search parameter selects; this file
 * turns each node into rows according to the parameter's type and the
 * node's datatype, following the R4 rules for what a parameter of each type
 * matches on each datatype (https://hl7.org/fhir/R4/search.html):
 *
 *   string     string-like primitives; HumanName and Address by their parts
 *   token      Coding, CodeableConcept (codings, and text for :text),
 *              Identifier, ContactPoint, code, boolean, id, string, uri
 *   date       date, dateTime, instant, Period, Timing events
 *   reference  Reference (type and id, and the reference as written),
 *              canonical and uri (as written)
 *   quantity   Quantity and its specializations, Money
 *   number     integer, decimal, positiveInt, unsignedInt
 *   uri        uri, url, canonical, oid, uuid
 *
 * Combinations outside this list select nothing. Strings are indexed up to
 * FHIR_INDEX_MAX_STRING bytes (cut at a character boundary): enough to
 * search a name or a phrase, not to copy a whole narrative into the index. */
#include "index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/fhirdate.h"
#include "fhir/model.h"
#include "fhir/searchpath.h"

#define FHIR_INDEX_MAX_STRING 512

struct extract {
    fhir_index_rows *rows;
    const char      *param;
    int              ord;
    int              rc;
};

static const char *cut(struct extract *x, const char *s, size_t n)
{
    if (n > FHIR_INDEX_MAX_STRING) {
        n = FHIR_INDEX_MAX_STRING;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return sw_arena_strndup(x->rows->arena, s, n);
}

static void add(struct extract *x, fhir_index_row *row)
{
    if (x->rc != SW_OK)
        return;
    row->param = x->param;
    row->ord = x->ord++;
    x->rc = fhir_index_add(x->rows, row);
}

static const char *str_of(const sw_json *obj, const char *key)
{
    const sw_json *v = sw_json_get(obj, key);
    return v && v->kind == SW_JSON_STRING ? v->text.p : NULL;
}

/* ---- string -------------------------------------------------------------- */

static void add_string(struct extract *x, const sw_json *v)
{
    if (v == NULL || v->kind != SW_JSON_STRING)
        return;
    const char *exact = cut(x, v->text.p, v->text.n);
    const char *norm = exact ? fhir_index_normalize(x->rows->arena, exact,
                                                    strlen(exact)) : NULL;
    if (exact == NULL || norm == NULL) {
        x->rc = SW_ENOMEM;
        return;
    }
    fhir_index_row row = { .kind = FHIR_IDX_STRING, .s1 = norm, .s2 = exact };
    add(x, &row);
}

/* A member that may be a string or an array of strings. */
static void add_strings(struct extract *x, const sw_json *obj, const char *key)
{
    const sw_json *v = sw_json_get(obj, key);
    if (v && v->kind == SW_JSON_ARRAY)
        for (size_t i = 0; i < v->count; i++)
            add_string(x, v->items[i]);
    else
        add_string(x, v);
}

static void string_rows(struct extract *x, const sw_json *node, fhir_type_id t)
{
    static const char *const name_parts[] = {
        "family", "given", "prefix", "suffix", "text",
    };
    static const char *const address_parts[] = {
        "line", "city", "district", "state", "postalCode", "country", "text",
    };
    const char *const *parts = NULL;
    size_t nparts = 0;
    if (t == FHIR_TYPE_HumanName) {
        parts = name_parts;
        nparts = sizeof name_parts / sizeof name_parts[0];
    } else if (t == FHIR_TYPE_Address) {
        parts = address_parts;
        nparts = sizeof address_parts / sizeof address_parts[0];
    }
    if (parts == NULL) {
        add_string(x, node);
        return;
    }
    for (size_t i = 0; i < nparts; i++)
        add_strings(x, node, parts[i]);
}

/* ---- token --------------------------------------------------------------- */

static void add_token(struct extract *x, const char *system, const char *code,
                      const char *text)
{
    if ((code == NULL || code[0] == '\0') && (text == NULL || text[0] == '\0'))
        return;
    const char *tnorm = "";
    if (text != NULL && text[0]) {
        const char *t = cut(x, text, strlen(text));
        tnorm = t ? fhir_index_normalize(x->rows->arena, t, strlen(t)) : NULL;
        if (tnorm == NULL) {
            x->rc = SW_ENOMEM;
            return;
        }
    }
    fhir_index_row row = {
        .kind = FHIR_IDX_TOKEN, .s1 = system ? system : "",
        .s2 = code ? code : "", .s3 = tnorm,
    };
    add(x, &row);
}

static void token_rows(struct extract *x, const sw_json *node, fhir_type_id t)
{
    if (t == FHIR_TYPE_Coding) {
        add_token(x, str_of(node, "system"), str_of(node, "code"),
                  str_of(node, "display"));
    } else if (t == FHIR_TYPE_CodeableConcept) {
        const char *text = str_of(node, "text");
        const sw_json *codings = sw_json_get(node, "coding");
        size_t n = codings && codings->kind == SW_JSON_ARRAY ? codings->count : 0;
        for (size_t i = 0; i < n; i++) {
            const sw_json *c = codings->items[i];
            const char *display = str_of(c, "display");
            add_token(x, str_of(c, "system"), str_of(c, "code"),
                      text ? text : display);
        }
        if (n == 0)
            add_token(x, NULL, NULL, text);
    } else if (t == FHIR_TYPE_Identifier) {
        const sw_json *type = sw_json_get(node, "type");
        add_token(x, str_of(node, "system"), str_of(node, "value"),
                  type ? str_of(type, "text") : NULL);
    } else if (t == FHIR_TYPE_ContactPoint) {
        add_token(x, str_of(node, "system"), str_of(node, "value"), NULL);
    } else if (node->kind == SW_JSON_BOOL) {
        add_token(x, NULL, node->boolean ? "true" : "false", NULL);
    } else if (node->kind == SW_JSON_STRING) {
        add_token(x, NULL, cut(x, node->text.p, node->text.n), NULL);
    }
}

/* ---- date ---------------------------------------------------------------- */

static void add_date(struct extract *x, int64_t low, int64_t high)
{
    fhir_index_row row = { .kind = FHIR_IDX_DATE, .i1 = low, .i2 = high };
    add(x, &row);
}

static void date_rows(struct extract *x, const sw_json *node, fhir_type_id t)
{
    int64_t lo, hi, lo2, hi2;
    if (node->kind == SW_JSON_STRING) {
        if (fhir_date_range(node->text.p, &lo, &hi))
            add_date(x, lo, hi);
    } else if (t == FHIR_TYPE_Period) {
        const char *start = str_of(node, "start"), *end = str_of(node, "end");
        bool has_start = start && fhir_date_range(start, &lo, &hi);
        bool has_end = end && fhir_date_range(end, &lo2, &hi2);
        if (has_start || has_end)
            add_date(x, has_start ? lo : FHIR_TIME_MIN, has_end ? hi2 : FHIR_TIME_MAX);
    } else if (t == FHIR_TYPE_Timing) {
        const sw_json *events = sw_json_get(node, "event");
        for (size_t i = 0; events && events->kind == SW_JSON_ARRAY && i < events->count; i++)
            if (events->items[i]->kind == SW_JSON_STRING
                && fhir_date_range(events->items[i]->text.p, &lo, &hi))
                add_date(x, lo, hi);
    }
}

/* ---- reference ----------------------------------------------------------- */

/* Splits "…Type/id" or "…Type/id/_history/v" into type and id. */
static bool split_reference(const char *ref, char *type, size_t tcap,
                            char *id, size_t icap)
{
    const char *end = ref + strlen(ref);
    const char *hist = strstr(ref, "/_history/");
    if (hist != NULL)
        end = hist;
    const char *slash = end;
    while (slash > ref && slash[-1] != '/')
        slash--;
    if (slash == ref || slash == end)
        return false;
    const char *tstart = slash - 1;
    while (tstart > ref && tstart[-1] != '/')
        tstart--;
    size_t tn = (size_t)(slash - 1 - tstart), in = (size_t)(end - slash);
    if (tn == 0 || tn >= tcap || in >= icap)
        return false;
    memcpy(type, tstart, tn);
    type[tn] = '\0';
    memcpy(id, slash, in);
    id[in] = '\0';
    return fhir_is_resource_type(sw_str_make(type, tn));
}

static void reference_rows(struct extract *x, const sw_json *node, fhir_type_id t,
                           const sw_json *resource)
{
    const char *ref = node->kind == SW_JSON_STRING ? node->text.p
                                                   : str_of(node, "reference");
    if (ref == NULL || ref[0] == '#' || strncmp(ref, "urn:", 4) == 0)
        return;
    char type[80] = "", id[80] = "";
    if (t == FHIR_TYPE_Reference && strchr(ref, '?') == NULL) {
        if (!split_reference(ref, type, sizeof type, id, sizeof id)) {
            type[0] = id[0] = '\0';
            fhir_type_id target = fhir_reference_target_type(node, resource);
            if (target != FHIR_TYPE_NONE)
                snprintf(type, sizeof type, "%s", fhir_type_name(target));
        }
    }
    const char *url = cut(x, ref, strlen(ref));
    const char *ts = sw_arena_strdup(x->rows->arena, type);
    const char *is = sw_arena_strdup(x->rows->arena, id);
    if (url == NULL || ts == NULL || is == NULL) {
        x->rc = SW_ENOMEM;
        return;
    }
    fhir_index_row row = { .kind = FHIR_IDX_REF, .s1 = ts, .s2 = is, .s3 = url };
    add(x, &row);
}

/* ---- quantity, number, uri ----------------------------------------------- */

static bool number_of(const sw_json *v, double *out)
{
    if (v == NULL || v->kind != SW_JSON_NUMBER)
        return false;
    char *end;
    *out = strtod(v->text.p, &end);
    return end != v->text.p;
}

static void quantity_rows(struct extract *x, const sw_json *node, fhir_type_id t)
{
    double value;
    if (!number_of(sw_json_get(node, "value"), &value))
        return;
    fhir_index_row row = { .kind = FHIR_IDX_QUANTITY, .d = value };
    if (t == FHIR_TYPE_Money) {
        row.s1 = "urn:iso:std:iso:4217";
        row.s2 = str_of(node, "currency");
        row.s3 = row.s2;
    } else {
        row.s1 = str_of(node, "system");
        row.s2 = str_of(node, "code");
        row.s3 = str_of(node, "unit");
    }
    add(x, &row);
}

static void number_rows(struct extract *x, const sw_json *node)
{
    double value;
    if (number_of(node, &value)) {
        fhir_index_row row = { .kind = FHIR_IDX_NUMBER, .d = value };
        add(x, &row);
    }
}

static void uri_rows(struct extract *x, const sw_json *node)
{
    if (node->kind != SW_JSON_STRING)
        return;
    const char *uri = cut(x, node->text.p, node->text.n);
    if (uri == NULL) {
        x->rc = SW_ENOMEM;
        return;
    }
    fhir_index_row row = { .kind = FHIR_IDX_URI, .s1 = uri };
    add(x, &row);
}

/* ---- the walk ------------------------------------------------------------ */

struct walk {
    struct extract   x;
    const sw_json   *resource;
    const char      *last_param;
};

static int on_node(void *arg, const fhir_type_param *tp, const sw_json *node,
                   fhir_type_id t)
{
    struct walk *w = arg;
    struct extract *x = &w->x;
    if (w->last_param != tp->code) {
        w->last_param = tp->code;
        x->param = tp->code;
        x->ord = 0;
    }
    switch (fhir_type_param_type(tp)) {
    case FHIR_PARAM_STRING:
        string_rows(x, node, t);
        break;
    case FHIR_PARAM_TOKEN:
        token_rows(x, node, t);
        break;
    case FHIR_PARAM_DATE:
        date_rows(x, node, t);
        break;
    case FHIR_PARAM_REFERENCE:
        reference_rows(x, node, t, w->resource);
        break;
    case FHIR_PARAM_QUANTITY:
        if (node->kind == SW_JSON_OBJECT)
            quantity_rows(x, node, t);
        break;
    case FHIR_PARAM_NUMBER:
        number_rows(x, node);
        break;
    case FHIR_PARAM_URI:
        uri_rows(x, node);
        break;
    case FHIR_PARAM_COMPOSITE:
    case FHIR_PARAM_SPECIAL:
        break;
    }
    return x->rc;
}

int fhir_index_extract(const sw_json *res, const char *type,
                       fhir_index_rows *rows)
{
    (void)type;
    struct walk w = { .x = { .rows = rows, .rc = SW_OK }, .resource = res };
    int rc = fhir_search_eval_all(res, on_node, &w);
    return rc == SW_EINVAL ? SW_OK : rc;
}
