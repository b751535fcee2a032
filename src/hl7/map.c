/* map.c - what the inbound mappings share (see map.h): content errors,
 * JSON building, HL7 dates, identifier look-ups and writing a resource
 * inside the inbound message's transaction. */
#include "hl7/map.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "fhir/index.h"
#include "fhir/resources.h"
#include "fhir/validate.h"

int hl7_map_error(hl7_map *c, const char *segment, int field, int component,
                  const char *code, const char *fmt, ...)
{
    if (c->nerr == HL7_MAP_MAX_ERRORS)
        return SW_EINVAL;
    char text[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    hl7_ack_error *e = &c->errs[c->nerr];
    e->segment = segment;
    e->field = field;
    e->component = component;
    e->code = code;
    e->text = sw_arena_strdup(c->a, text);
    if (e->text == NULL)
        c->oom = true;
    else
        c->nerr++;
    return SW_EINVAL;
}

const char *hl7_map_get(const hl7_map *c, const char *seg, size_t occ,
                        size_t field, size_t rep, size_t comp, size_t sub)
{
    const char *s = hl7_get(c->m, seg, occ, field, rep, comp, sub);
    if (s == NULL || s == HL7_NULL_TEXT)
        return s;
    /* Senders pad fields ("Ann Arbor "); FHIR strings should not be. */
    size_t n = strlen(s), b = 0;
    while (b < n && (s[b] == ' ' || s[b] == '\t'))
        b++;
    while (n > b && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == b)
        return NULL;
    if (b == 0 && s[n] == '\0')
        return s;
    return sw_arena_strndup(c->a, s + b, n - b);
}

bool hl7_map_is_null(const hl7_map *c, const char *seg, size_t occ, size_t field)
{
    const hl7_text *t = hl7_leaf(c->m, seg, occ, field, 1, 1, 1);
    return t != NULL && t->is_null && hl7_map_reps(c, seg, occ, field) == 1;
}

size_t hl7_map_reps(const hl7_map *c, const char *seg, size_t occ, size_t field)
{
    const hl7_segment *s = hl7_segment_find(c->m, seg, occ);
    if (s == NULL || field == 0 || field > s->nfield)
        return 0;
    return s->fields[field - 1].nrep;
}

bool hl7_map_is_empty(const hl7_map *c, const char *seg, size_t occ, size_t field)
{
    const hl7_segment *s = hl7_segment_find(c->m, seg, occ);
    if (s == NULL || field == 0 || field > s->nfield)
        return true;
    const hl7_field *f = &s->fields[field - 1];
    for (size_t r = 0; r < f->nrep; r++)
        for (size_t k = 0; k < f->reps[r].ncomp; k++)
            for (size_t u = 0; u < f->reps[r].comps[k].nsub; u++)
                if (f->reps[r].comps[k].subs[u].n > 0
                    || f->reps[r].comps[k].subs[u].is_null)
                    return false;
    return true;
}

/* ---- JSON ------------------------------------------------------------------ */

const char *hl7_text_storable(sw_arena *a, const char *s, size_t n,
                              size_t *out_n)
{
    *out_n = n;
    if (sw_utf8_valid(s, n) && memchr(s, '\0', n) == NULL)
        return s;
    char *o = sw_arena_alloc(a, n * 3 + 1);
    size_t k = 0;
    for (size_t i = 0; o && i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3
                   : (b >> 3) == 30 ? 4 : 0;
        if (b != 0 && len && i + len <= n && sw_utf8_valid(s + i, len)) {
            memcpy(o + k, s + i, len);
            k += len;
            i += len - 1;
        } else {
            memcpy(o + k, "\xEF\xBF\xBD", 3);
            k += 3;
        }
    }
    if (o)
        o[k] = '\0';
    *out_n = k;
    return o;
}

sw_json *hl7_j_str(hl7_map *c, const char *s)
{
    size_t n;
    const char *text = hl7_text_storable(c->a, s, strlen(s), &n);
    sw_json *v = text ? sw_json_new_string(c->a, text, n) : NULL;
    if (v == NULL)
        c->oom = true;
    return v;
}

sw_json *hl7_j_obj(hl7_map *c)
{
    sw_json *v = sw_json_new_object(c->a);
    if (v == NULL)
        c->oom = true;
    return v;
}

sw_json *hl7_j_arr(hl7_map *c)
{
    sw_json *v = sw_json_new_array(c->a);
    if (v == NULL)
        c->oom = true;
    return v;
}

void hl7_j_set(hl7_map *c, sw_json *obj, const char *key, sw_json *v)
{
    if (obj == NULL || v == NULL || sw_json_set(c->a, obj, key, v) != SW_OK)
        c->oom = true;
}

void hl7_j_set_str(hl7_map *c, sw_json *obj, const char *key, const char *s)
{
    hl7_j_set(c, obj, key, hl7_j_str(c, s));
}

void hl7_j_push(hl7_map *c, sw_json *arr, sw_json *v)
{
    if (arr == NULL || v == NULL || sw_json_append(c->a, arr, v) != SW_OK)
        c->oom = true;
}

const char *hl7_map_uri_part(hl7_map *c, const char *s)
{
    size_t n = strlen(s);
    char *out = sw_arena_alloc(c->a, n * 3 + 1), *o = out;
    if (out == NULL) {
        c->oom = true;
        return "";
    }
    for (; *s; s++) {
        unsigned char b = (unsigned char)*s;
        if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')
            || (b >= '0' && b <= '9') || strchr("._~-", b))
            *o++ = (char)b;
        else
            o += sprintf(o, "%%%02X", b);
    }
    *o = '\0';
    return out;
}

/* ---- Dates ----------------------------------------------------------------- */

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int days_in(int y, int m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

/* Splits a DTM into its digits (before any '.', '+' or '-') and offset. */
static bool split_dtm(const char *dtm, size_t *ndig, const char **offset)
{
    size_t n = strcspn(dtm, "+-");
    size_t d = strcspn(dtm, ".+-");
    *offset = dtm[n] ? dtm + n : NULL;
    *ndig = d;
    if (!digits(dtm, d) || (d != 4 && d != 6 && d != 8 && d != 10 && d != 12
                            && d != 14))
        return false;
    if (*offset && (strlen(*offset) != 5 || !digits(*offset + 1, 4)))
        return false;
    if (dtm[d] == '.' && !digits(dtm + d + 1, n - d - 1))
        return false;
    int y = num(dtm, 4), mo = d >= 6 ? num(dtm + 4, 2) : 1;
    int dd = d >= 8 ? num(dtm + 6, 2) : 1;
    if (y < 1800 || mo < 1 || mo > 12 || dd < 1 || dd > days_in(y, mo))
        return false;
    if (d >= 10 && num(dtm + 8, 2) > 23)
        return false;
    if (d >= 12 && num(dtm + 10, 2) > 59)
        return false;
    return !(d >= 14 && num(dtm + 12, 2) > 59);
}

bool hl7_map_date(const char *dtm, char out[11])
{
    size_t d;
    const char *offset;
    if (dtm == NULL || !split_dtm(dtm, &d, &offset))
        return false;
    if (d == 4)
        snprintf(out, 11, "%.4s", dtm);
    else if (d == 6)
        snprintf(out, 11, "%.4s-%.2s", dtm, dtm + 4);
    else
        snprintf(out, 11, "%.4s-%.2s-%.2s", dtm, dtm + 4, dtm + 6);
    return true;
}

bool hl7_map_instant(const char *dtm, char out[32], int64_t *ms)
{
    size_t d;
    const char *offset;
    if (dtm == NULL || !split_dtm(dtm, &d, &offset) || d < 12)
        return false;
    struct tm tm = { .tm_year = num(dtm, 4) - 1900, .tm_mon = num(dtm + 4, 2) - 1,
                     .tm_mday = num(dtm + 6, 2), .tm_hour = num(dtm + 8, 2),
                     .tm_min = num(dtm + 10, 2),
                     .tm_sec = d >= 14 ? num(dtm + 12, 2) : 0 };
    int64_t local = (int64_t)timegm(&tm);
    int off_min;
    if (offset) {
        off_min = num(offset + 1, 2) * 60 + num(offset + 3, 2);
        if (offset[0] == '-')
            off_min = -off_min;
    } else {
        /* No offset: the sender's local time, taken as ours. */
        struct tm lt = tm;
        lt.tm_isdst = -1;
        time_t t = mktime(&lt);
        off_min = (int)((local - (int64_t)t) / 60);
    }
    *ms = (local - (int64_t)off_min * 60) * 1000;
    int a = off_min < 0 ? -off_min : off_min;
    snprintf(out, 32, "%.4s-%.2s-%.2sT%.2s:%.2s:%02d%c%02d:%02d", dtm, dtm + 4,
             dtm + 6, dtm + 8, dtm + 10, tm.tm_sec, off_min < 0 ? '-' : '+',
             a / 60, a % 60);
    return true;
}

/* ---- The store ------------------------------------------------------------- */

int hl7_map_find(hl7_map *c, const char *type, const char *param,
                 const char *system, const char *value, const char **id)
{
    *id = NULL;
    store_stmt *q;
    int rc = store_prepare(c->tx, system
        ? "SELECT x.res_id FROM fhir_idx_token x JOIN fhir_resource r "
          "ON r.practice_id = x.practice_id AND r.res_type = x.res_type "
          "AND r.res_id = x.res_id WHERE x.practice_id = ? AND x.res_type = ? "
          "AND x.param = ? AND x.code = ? AND x.system = ? AND r.deleted = 0"
        : "SELECT x.res_id FROM fhir_idx_token x JOIN fhir_resource r "
          "ON r.practice_id = x.practice_id AND r.res_type = x.res_type "
          "AND r.res_id = x.res_id WHERE x.practice_id = ? AND x.res_type = ? "
          "AND x.param = ? AND x.code = ? AND r.deleted = 0", &q);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(q, 1, c->practice_id)) == SW_OK
        && (rc = store_bind_cstr(q, 2, type)) == SW_OK
        && (rc = store_bind_cstr(q, 3, param)) == SW_OK
        && (rc = store_bind_cstr(q, 4, value)) == SW_OK
        && (system == NULL || (rc = store_bind_cstr(q, 5, system)) == SW_OK)
        && (rc = store_step(q, &row)) == SW_OK) {
        /* The smallest id when several match, so the answer is stable;
         * chosen here rather than by ORDER BY, which would lead the
         * planner away from the (…, code, system) index into a scan of
         * every token of the type. */
        const char *best = NULL;
        while (rc == SW_OK && row) {
            const char *rid = store_col_text(q, 0, NULL);
            if (best == NULL || strcmp(rid, best) < 0) {
                best = sw_arena_strdup(c->a, rid);
                if (best == NULL)
                    rc = store_tx_fail(c->tx, SW_ENOMEM, NULL);
            }
            if (rc == SW_OK)
                rc = store_step(q, &row);
        }
        *id = best;
    }
    store_finalize(q);
    return rc;
}

int hl7_map_read(hl7_map *c, const char *type, const char *id, sw_json **res)
{
    *res = NULL;
    fhir_version v;
    int rc = fhir_row_read(c->tx, c->a, c->practice_id, type, id, 0, &v);
    if (rc == SW_ENOTFOUND)
        return SW_OK;
    if (rc != SW_OK || v.deleted)
        return rc;
    sw_err err;
    if ((rc = sw_json_parse(c->a, v.body, v.body_len, res, &err)) != SW_OK)
        return store_tx_fail(c->tx, rc == SW_ENOMEM ? SW_ENOMEM : SW_EINTERNAL,
                             "%s/%s as stored does not read", type, id);
    /* meta is the store's; fhir_row_put stamps a new one. */
    sw_json_remove(*res, "meta");
    return SW_OK;
}

int hl7_map_put(hl7_map *c, const char *type, const char *id, sw_json *res)
{
    if (c->oom)
        return store_tx_fail(c->tx, SW_ENOMEM, NULL);
    fhir_issues issues = { 0 };
    int rc = fhir_validate(c->a, res, 0, &issues);
    if (rc != SW_OK)
        return store_tx_fail(c->tx, rc, NULL);
    if (issues.errors > 0) {
        for (size_t i = 0; i < issues.count; i++)
            if (issues.items[i].severity <= FHIR_SEVERITY_ERROR)
                return hl7_map_error(c, NULL, 0, 0, "102", "the %s it maps to "
                                     "is not valid: %s: %s", type,
                                     issues.items[i].location,
                                     issues.items[i].message);
        return hl7_map_error(c, NULL, 0, 0, "102", "the %s it maps to is not "
                             "valid", type);
    }
    fhir_index_rows index;
    fhir_index_rows_init(&index, c->a);
    if ((rc = fhir_index_extract(res, type, &index)) != SW_OK)
        return store_tx_fail(c->tx, rc, NULL);
    fhir_put p = {
        .a = c->a, .practice_id = c->practice_id, .type = type, .id = id,
        .res = res, .index = &index, .now_ms = c->now_ms, .who = c->who,
    };
    fhir_result r;
    bool unchanged;
    return fhir_row_put(c->tx, &p, &r, &unchanged);
}
