/* rest_everything.c - GET /fhir/Patient/{id}/$everything: the patient's
 * record, as a searchset Bundle.
 *
 * What belongs to a patient is defined by the Patient compartment of the
 * R4 specification (model.h): a resource is in it when one of its
 * compartment parameters references the patient (Observation.subject,
 * Encounter.subject, AllergyIntolerance.patient, …). Those references are
 * in the reference index already, so the record is one index query plus a
 * read of each resource; nothing parses stored JSON.
 *
 * Parameters: _type (comma-separated resource types), _since (an instant:
 * only resources changed since), _count and _offset (paging, default
 * EVERYTHING_PAGE entries). Resources the record references but that are
 * outside the compartment (practitioners, medications) are not added, and
 * neither are types the user's role may not read (rest_authz.c): front
 * desk gets the demographics only. */
#include "rest_int.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/str.h"
#include "fhir/fhirdate.h"
#include "fhir/model.h"
#include "fhir/write.h"

#define EVERYTHING_PAGE     500
#define EVERYTHING_PAGE_MAX 5000

struct member {
    const char *type;
    const char *id;
};

struct everything {
    sw_arena      *a;
    int64_t        practice_id;
    const char    *patient;
    int64_t        since_ms;
    const char   **types;       /* _type filter, NULL: all */
    size_t         ntypes;
    int            count, offset;
    struct member *members;
    size_t         n, cap;
    size_t         total;
    /* Output. */
    sw_jw         *w;
    const char    *base;
    bool           found;       /* the patient exists */
};

static bool wanted_type(const struct everything *e, const char *type)
{
    if (e->types == NULL)
        return true;
    for (size_t i = 0; i < e->ntypes; i++)
        if (strcmp(e->types[i], type) == 0)
            return true;
    return false;
}


static int add_member(struct everything *e, store_tx *tx, const char *type,
                      const char *id)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->members[i].type, type) == 0 && strcmp(e->members[i].id, id) == 0)
            return SW_OK;
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 64;
        struct member *m = sw_arena_alloc(e->a, cap * sizeof *m);
        if (m == NULL)
            return store_tx_fail(tx, SW_ENOMEM, NULL);
        if (e->n)
            memcpy(m, e->members, e->n * sizeof *m);
        e->members = m;
        e->cap = cap;
    }
    e->members[e->n].type = sw_arena_strdup(e->a, type);
    e->members[e->n].id = sw_arena_strdup(e->a, id);
    if (!e->members[e->n].type || !e->members[e->n].id)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    e->n++;
    return SW_OK;
}

static int write_entry(struct everything *e, store_tx *tx, const char *type,
                       const char *id)
{
    fhir_version v;
    int rc = fhir_row_read(tx, e->a, e->practice_id, type, id, 0, &v);
    if (rc == SW_ENOTFOUND || (rc == SW_OK && v.deleted))
        return SW_OK;
    if (rc != SW_OK)
        return rc;
    fhir_bundle_search_entry(e->w, sw_arena_printf(e->a, "%s/%s/%s", e->base,
                                                   type, id),
                             v.body, v.body_len, "match");
    return SW_OK;
}

static int everything_fn(store_tx *tx, void *arg)
{
    struct everything *e = arg;
    e->n = 0;
    int64_t version;
    bool deleted;
    int rc = fhir_row_current(tx, e->practice_id, "Patient", e->patient,
                              &version, &deleted);
    e->found = rc == SW_OK && !deleted;
    if (rc == SW_ENOTFOUND || !e->found)
        return SW_OK;
    if (rc != SW_OK)
        return rc;
    store_stmt *st;
    rc = store_prepare(tx,
        "SELECT x.res_type, x.res_id, x.param FROM fhir_idx_ref x "
        "JOIN fhir_resource r ON r.practice_id = x.practice_id "
        "AND r.res_type = x.res_type AND r.res_id = x.res_id "
        "WHERE x.practice_id = ? AND x.target_type = 'Patient' "
        "AND x.target_id = ? AND r.deleted = 0 AND r.updated_ms >= ? "
        /* An expression, so that SQLite's planner keeps the target index
         * rather than walking the primary key in order (docs/store.md,
         * "Queries"). */
        "ORDER BY x.res_type || '', x.res_id", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, e->practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, e->patient)) == SW_OK)
        rc = store_bind_int64(st, 3, e->since_ms);
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        const char *type = store_col_text(st, 0, NULL);
        const char *param = store_col_text(st, 2, NULL);
        if (strcmp(type, "Patient") != 0 && wanted_type(e, type)
            && fhir_links_patient(type, param))
            rc = add_member(e, tx, type, store_col_text(st, 1, NULL));
    }
    store_finalize(st);
    if (rc != SW_OK)
        return rc;
    /* The patient first, then the compartment in type and id order. */
    bool patient = wanted_type(e, "Patient");
    e->total = e->n + (patient ? 1 : 0);
    sw_jw_key(e->w, "total");
    sw_jw_int(e->w, (int64_t)e->total);
    sw_jw_key(e->w, "entry");
    sw_jw_array_begin(e->w);
    size_t pos = 0;
    for (size_t i = 0; rc == SW_OK && i < e->total; i++, pos++) {
        if ((int)pos < e->offset || (int)pos >= e->offset + e->count)
            continue;
        if (patient && i == 0)
            rc = write_entry(e, tx, "Patient", e->patient);
        else
            rc = write_entry(e, tx, e->members[i - (patient ? 1 : 0)].type,
                             e->members[i - (patient ? 1 : 0)].id);
    }
    sw_jw_array_end(e->w);
    return rc;
}

static int read_params(fhir_req *fr, struct everything *e)
{
    const http_target *t = &fr->req->target;
    for (int i = 0; i < t->nparams; i++) {
        const char *name = t->params[i].name, *value = t->params[i].value;
        long v;
        if (strcmp(name, "_count") == 0) {
            if (!sw_str_to_long(sw_str_of(value), 1, 1000000, &v))
                return http_fail(fr->res, SW_EBADREQUEST, "_count must be a "
                                 "whole number from 1");
            e->count = v > EVERYTHING_PAGE_MAX ? EVERYTHING_PAGE_MAX : (int)v;
        } else if (strcmp(name, "_offset") == 0) {
            if (!sw_str_to_long(sw_str_of(value), 0, 100000000, &v))
                return http_fail(fr->res, SW_EBADREQUEST, "_offset must be a "
                                 "whole number");
            e->offset = (int)v;
        } else if (strcmp(name, "_since") == 0) {
            if (!sw_time_parse_iso(value, &e->since_ms))
                return http_fail(fr->res, SW_EBADREQUEST, "_since must be an "
                                 "instant with a time zone");
        } else if (strcmp(name, "_type") == 0) {
            size_t n = 1;
            for (const char *p = value; *p; p++)
                n += *p == ',';
            e->types = sw_arena_calloc(e->a, n, sizeof *e->types);
            if (e->types == NULL)
                return http_fail(fr->res, SW_ENOMEM, NULL);
            sw_str rest = sw_str_of(value), one;
            while (rest.n) {
                sw_str_split(&rest, ',', &one);
                if (!fhir_is_resource_type(one))
                    return http_fail(fr->res, SW_EBADREQUEST, "_type lists "
                                     "something that is not a resource type");
                e->types[e->ntypes++] = sw_arena_strndup(e->a, one.p, one.n);
            }
        } else if (strcmp(name, "_format") != 0 && !fhir_prefer_lenient(fr->req)) {
            return http_fail(fr->res, SW_EBADREQUEST, "$everything does not "
                             "support the parameter %s", name);
        }
    }
    return SW_OK;
}

int fhir_get_everything(sw_request *req, sw_response *res)
{
    fhir_req fr;
    int rc = fhir_begin(req, res, &fr);
    if (rc != SW_OK)
        return rc;
    if (strcmp(fr.type, "Patient") != 0)
        return http_fail(res, SW_ENOTFOUND, "$everything is defined for "
                         "Patient only");
    struct everything e = {
        .a = req->arena, .practice_id = fr.practice_id, .patient = fr.id,
        .since_ms = FHIR_TIME_MIN, .count = EVERYTHING_PAGE, .base = fr.base,
    };
    if ((rc = read_params(&fr, &e)) != SW_OK)
        return rc;
    /* The record shows only the types the user may read. */
    if (fhir_authz_readable_types(&fr, &e.types, &e.ntypes) != SW_OK)
        return http_fail(res, SW_ENOMEM, NULL);
    sw_jw w;
    sw_jw_init(&w, &res->body);
    e.w = &w;
    fhir_bundle_head(&w, "searchset");
    rc = store_read(fr.env->store, everything_fn, &e, &res->err);
    if (rc != SW_OK)
        return rc;
    if (!e.found)
        return http_fail(res, SW_ENOTFOUND, "Patient/%s is not known", fr.id);
    if ((rc = fhir_audit_read(&fr, AUDIT_READ, "Patient", fr.id, fr.id,
                              "$everything")) != SW_OK)
        return rc;
    sw_jw_object_end(&w);
    if ((rc = sw_jw_finish(&w)) != SW_OK)
        return http_fail(res, rc, NULL);
    res->status = 200;
    res->content_type = FHIR_JSON_TYPE;
    return SW_OK;
}
