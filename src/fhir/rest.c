/* rest.c - the FHIR REST API at /fhir: its route table and what every
 * handler shares (see rest_int.h).
 *
 * Stagewise stores every R4 resource type except the two that are never
 * persisted (Parameters, OperationOutcome); AuditEvent is written only by
 * the audit trail, so the API reads and searches it but refuses writes. */
#include "rest_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "audit/audit.h"
#include "auth/restricted.h"
#include "auth/session.h"
#include "core/str.h"
#include "fhir/model.h"
#include "fhir/capability.h"
#include "fhir/search.h"
#include "fhir/validate.h"

/* The practice whose data a request reads and writes: the signed-in
 * user's. Every /fhir route but metadata requires a session. */
static int64_t practice_of(const sw_request *req)
{
    const auth_session *who = req->principal;
    return who ? who->practice_id : 0;
}

bool fhir_type_is_stored(const char *type)
{
    if (type == NULL || !fhir_is_resource_type(sw_str_of(type)))
        return false;
    return strcmp(type, "Parameters") != 0
        && strcmp(type, "OperationOutcome") != 0;
}

/* FHIR ids: 1 to 64 of [A-Za-z0-9-.]. */
static bool valid_id(const char *id)
{
    size_t n = 0;
    for (const char *p = id; *p; p++, n++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return false;
    }
    return n >= 1 && n <= 64;
}

int fhir_begin(sw_request *req, sw_response *res, fhir_req *fr)
{
    memset(fr, 0, sizeof *fr);
    fr->req = req;
    fr->res = res;
    fr->env = req->ctx;
    fr->practice_id = practice_of(req);
    fr->base = fhir_base_url(req);
    const auth_session *who = req->principal;
    fr->who.practice_id = fr->practice_id;
    fr->who.user_id = who ? who->user_id : 0;
    fr->who.username = who ? who->username : "";
    fr->who.roles = who ? who->roles : "";
    fr->who.client = http_client_address(req);
    fr->who.request_id = req->request_id;
    http_set_header(res, "Cache-Control", "no-store");
    int rc = fhir_check_accept(req, res);
    if (rc != SW_OK)
        return rc;
    fr->type = http_route_value(req, "type");
    if (fr->type != NULL && !fhir_type_is_stored(fr->type))
        return http_fail(res, SW_ENOTFOUND, "%s is not a FHIR R4 resource type "
                         "that this server stores", fhir_is_resource_type(sw_str_of(fr->type))
                         ? fr->type : "the path's resource type");
    fr->id = http_route_value(req, "id");
    if (fr->id != NULL && !valid_id(fr->id))
        return http_fail(res, SW_EBADREQUEST, "a resource id is 1 to 64 "
                         "letters, digits, '-' or '.'");
    return SW_OK;
}

int fhir_read_body(fhir_req *fr, const char *expect_type, sw_json **out)
{
    int rc = fhir_check_content_type(fr->req, fr->res);
    if (rc != SW_OK)
        return rc;
    sw_json *doc;
    sw_err perr;
    rc = sw_json_parse(fr->req->arena, fr->req->body, fr->req->body_len, &doc,
                       &perr);
    if (rc != SW_OK)
        return http_fail(fr->res, rc, "the body is not valid JSON: %s",
                         sw_err_text(&perr));
    if (doc->kind != SW_JSON_OBJECT)
        return http_fail(fr->res, SW_EBADREQUEST, "the body must be a JSON "
                         "object holding one FHIR resource");
    const char *rtype = sw_json_get_string(doc, "resourceType");
    if (rtype == NULL)
        return http_fail(fr->res, SW_EBADREQUEST, "the resource has no "
                         "resourceType");
    if (expect_type != NULL && strcmp(rtype, expect_type) != 0)
        return http_fail(fr->res, SW_EBADREQUEST, "the body is a %s, but the "
                         "URL is for %s", fhir_is_resource_type(sw_str_of(rtype))
                         ? rtype : "resource of an unknown type", expect_type);
    fhir_issues *issues = sw_arena_calloc(fr->req->arena, 1, sizeof *issues);
    if (issues == NULL)
        return http_fail(fr->res, SW_ENOMEM, NULL);
    rc = fhir_validate(fr->req->arena, doc, 0, issues);
    if (rc != SW_OK)
        return http_fail(fr->res, rc, NULL);
    if (issues->errors > 0)
        return fhir_fail_issues(fr->req, fr->res, SW_EBADREQUEST, issues);
    *out = doc;
    return SW_OK;
}

void fhir_version_headers(fhir_req *fr, int64_t version, int64_t updated_ms)
{
    char etag[32], when[SW_TIME_HTTP_MAX];
    snprintf(etag, sizeof etag, "W/\"%lld\"", (long long)version);
    sw_time_http(updated_ms, when);
    http_set_header(fr->res, "ETag", etag);
    http_set_header(fr->res, "Last-Modified", when);
}

int fhir_send_outcome(fhir_req *fr, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = sw_arena_vprintf(fr->req->arena, fmt, ap);
    va_end(ap);
    fr->res->status = status;
    fr->res->content_type = FHIR_JSON_TYPE;
    return fhir_outcome_write_error(&fr->res->body, SW_OK, msg ? msg : "");
}

int fhir_send_version(fhir_req *fr, int status, const char *type,
                      const char *id, int64_t version, int64_t updated_ms,
                      const char *body, size_t body_len, bool location)
{
    fhir_version_headers(fr, version, updated_ms);
    if (location) {
        char *loc = sw_arena_printf(fr->req->arena, "%s/%s/%s/_history/%lld",
                                    fr->base, type, id, (long long)version);
        if (loc == NULL)
            return http_fail(fr->res, SW_ENOMEM, NULL);
        http_set_header(fr->res, "Location", loc);
    }
    switch (fhir_prefer_return(fr->req)) {
    case FHIR_RETURN_MINIMAL:
        fr->res->status = status;
        return SW_OK;
    case FHIR_RETURN_OUTCOME:
        return fhir_send_outcome(fr, status, "%s/%s is at version %lld", type,
                                 id, (long long)version);
    case FHIR_RETURN_REPRESENTATION:
        break;
    }
    return http_reply(fr->res, status, FHIR_JSON_TYPE, body, body_len);
}

int fhir_audit_read(fhir_req *fr, const char *action, const char *type,
                    const char *id, const char *patient, const char *detail)
{
    const char *one[1] = { patient };
    return fhir_audit_patients(fr, action, type, id, one,
                               patient && patient[0] ? 1 : 0, detail);
}

struct audited_read {
    audit_entry *e;
    size_t       total;
    size_t       n;           /* the first n are checked for restrictions */
    const char  *denied;      /* the first restricted patient refused */
};

/* Checks each patient against restrictions (restricted.h) in the same
 * transaction that records the read, so a grant that ends meanwhile cannot
 * slip through; a refusal is recorded too, as outcome denied. */
static int audited_read_fn(store_tx *tx, void *arg)
{
    struct audited_read *r = arg;
    int64_t now = sw_now_wall_ms();
    r->denied = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const audit_who *w = r->e[i].who;
        bool allowed = true;
        r->e[i].outcome = AUDIT_SUCCESS;
        int rc = auth_patient_access(tx, w->practice_id, w->user_id,
                                     r->e[i].patient_id, now, &allowed);
        if (rc != SW_OK)
            return rc;
        if (!allowed) {
            r->e[i].outcome = AUDIT_DENIED;
            if (r->denied == NULL)
                r->denied = r->e[i].patient_id;
        }
    }
    for (size_t i = 0; i < r->total; i++) {
        int rc = audit_append(tx, &r->e[i]);
        if (rc != SW_OK)
            return rc;
    }
    return SW_OK;
}

int fhir_audit_patients(fhir_req *fr, const char *action, const char *type,
                        const char *id, const char *const *patients,
                        size_t npatients, const char *detail)
{
    size_t n = npatients ? npatients : 1;
    audit_entry *e = sw_arena_calloc(fr->req->arena, n, sizeof *e);
    if (e == NULL)
        return http_fail(fr->res, SW_ENOMEM, NULL);
    for (size_t i = 0; i < n; i++)
        e[i] = (audit_entry){
            .who = &fr->who, .action = action,
            .feature = audit_feature(type, action),
            .patient_id = npatients ? patients[i] : "",
            .res_type = type, .res_id = id, .outcome = AUDIT_SUCCESS,
            .detail = detail,
        };
    sw_err err;
    /* Entries of the trail name patients but hold nothing of their
     * record, and whoever reviews the trail must see who opened a
     * restricted one: no glass to break for AuditEvent. */
    struct audited_read r = { e, n, strcmp(type, "AuditEvent") == 0 ? 0 : n,
                              NULL };
    if (store_write(fr->env->store, audited_read_fn, &r, &err) != SW_OK) {
        /* The data was read but must not leave unaudited. */
        sw_buf_reset(&fr->res->body);
        return http_fail(fr->res, SW_ESTORE, "the audit trail could not be "
                         "written (%s); nothing was sent", sw_err_text(&err));
    }
    if (r.denied != NULL) {
        sw_buf_reset(&fr->res->body);
        return http_fail(fr->res, SW_EBREAKGLASS, "Patient/%s's record is "
                         "restricted: break the glass first (POST "
                         "/api/patients/%s/break-the-glass with a reason)",
                         r.denied, r.denied);
    }
    return SW_OK;
}

int fhir_if_match(fhir_req *fr, int64_t *version)
{
    *version = 0;
    const char *h = http_header_get(fr->req, "If-Match");
    if (h == NULL)
        return SW_OK;
    sw_str s = sw_str_of(h);
    while (s.n && s.p[0] == ' ') {
        s.p++;
        s.n--;
    }
    sw_str_skip(&s, "W/");
    long v;
    if (s.n >= 3 && s.p[0] == '"' && s.p[s.n - 1] == '"'
        && sw_str_to_long(sw_str_make(s.p + 1, s.n - 2), 1, 0x7fffffffffffffffL, &v)) {
        *version = v;
        return SW_OK;
    }
    return http_fail(fr->res, SW_EBADREQUEST, "If-Match must be a version "
                     "ETag such as W/\"3\"");
}

static int get_metadata(sw_request *req, sw_response *res)
{
    fhir_req fr;
    int rc = fhir_begin(req, res, &fr);
    if (rc != SW_OK)
        return rc;
    rc = fhir_capability_write(&res->body, fr.base);
    if (rc != SW_OK)
        return http_fail(res, rc, NULL);
    res->status = 200;
    res->content_type = FHIR_JSON_TYPE;
    return SW_OK;
}

static const http_route routes[] = {
    { "GET",    "/fhir/metadata",                    get_metadata, HTTP_ROUTE_PUBLIC, "fhir" },
    { "POST",   "/fhir",                             fhir_post_bundle, HTTP_ROUTE_BODY, "fhir" },
    { "GET",    "/fhir/_history",                    fhir_get_history, 0, "fhir" },
    { "GET",    "/fhir/{type}/_history",             fhir_get_history, 0, "fhir" },
    { "POST",   "/fhir/{type}",                      fhir_post_create, HTTP_ROUTE_BODY, "fhir" },
    { "GET",    "/fhir/{type}",                      fhir_get_search, 0, "fhir" },
    { "POST",   "/fhir/{type}/_search",              fhir_post_search, HTTP_ROUTE_BODY, "fhir" },
    { "GET",    "/fhir/{type}/{id}/_history/{vid}",  fhir_get_vread, 0, "fhir" },
    { "GET",    "/fhir/{type}/{id}/_history",        fhir_get_history, 0, "fhir" },
    { "GET",    "/fhir/{type}/{id}/$everything",     fhir_get_everything, 0, "fhir" },
    { "GET",    "/fhir/{type}/{id}",                 fhir_get_read, 0, "fhir" },
    { "PUT",    "/fhir/{type}/{id}",                 fhir_put_update, HTTP_ROUTE_BODY, "fhir" },
    { "DELETE", "/fhir/{type}/{id}",                 fhir_delete, 0, "fhir" },
};

http_route_table fhir_route_table(fhir_env *env)
{
    http_route_table t = {
        .name = "fhir",
        .routes = routes,
        .count = sizeof routes / sizeof routes[0],
        .render_error = fhir_render_error,
        .ctx = env,
    };
    return t;
}
