/* rest_crud.c - the instance interactions of the FHIR REST API: read,
 * vread, create, update and delete (https://hl7.org/fhir/R4/http.html). */
#include "rest_int.h"

#include <string.h>

#include "core/str.h"
#include "fhir/search.h"

/* Reads come back as the stored bytes, unparsed. */
int fhir_get_read(sw_request *req, sw_response *res)
{
    fhir_req fr;
    int rc = fhir_begin(req, res, &fr);
    if (rc != SW_OK)
        return rc;
    if (strcmp(fr.type, "AuditEvent") == 0)
        return fhir_audit_event_read(&fr);
    fhir_version v;
    char patient[80];
    rc = fhir_res_read(fr.env->store, req->arena, fr.practice_id, fr.type,
                       fr.id, 0, &v, patient, &res->err);
    if (rc == SW_EGONE)
        fhir_version_headers(&fr, v.version, v.updated_ms);
    if (rc != SW_OK)
        return rc;
    if ((rc = fhir_audit_read(&fr, AUDIT_READ, fr.type, fr.id, patient, "")) != SW_OK)
        return rc;
    fhir_version_headers(&fr, v.version, v.updated_ms);
    return http_reply(res, 200, FHIR_JSON_TYPE, v.body, v.body_len);
}

int fhir_get_vread(sw_request *req, sw_response *res)
{
    fhir_req fr;
    int rc = fhir_begin(req, res, &fr);
    if (rc != SW_OK)
        return rc;
    long vid;
    if (!sw_str_to_long(sw_str_of(http_route_value(req, "vid")), 1,
                        0x7fffffffffffffffL, &vid))
        return http_fail(res, SW_EBADREQUEST, "a version id is a whole number "
                         "from 1");
    if (strcmp(fr.type, "AuditEvent") == 0) {
        /* An audit entry never changes: it has one version. */
        if (vid != 1)
            return http_fail(res, SW_ENOTFOUND, "AuditEvent/%s has only "
                             "version 1", fr.id);
        return fhir_audit_event_read(&fr);
    }
    fhir_version v;
    char patient[80];
    rc = fhir_res_read(fr.env->store, req->arena, fr.practice_id, fr.type,
                       fr.id, vid, &v, patient, &res->err);
    if (rc == SW_EGONE)
        fhir_version_headers(&fr, v.version, v.updated_ms);
    if (rc != SW_OK)
        return rc;
    if ((rc = fhir_audit_read(&fr, AUDIT_READ, fr.type, fr.id, patient,
                              "vread")) != SW_OK)
        return rc;
    fhir_version_headers(&fr, v.version, v.updated_ms);
    return http_reply(res, 200, FHIR_JSON_TYPE, v.body, v.body_len);
}

static int refuse_audit_writes(fhir_req *fr)
{
    if (strcmp(fr->type, "AuditEvent") == 0)
        return http_fail(fr->res, SW_EMETHOD, "AuditEvent resources are "
                         "written by the audit trail only");
    return SW_OK;
}

int fhir_post_create(sw_request *req, sw_response *res)
{
    fhir_req fr;
    int rc = fhir_begin(req, res, &fr);
    if (rc == SW_OK)
        rc = refuse_audit_writes(&fr);
    if (rc != SW_OK)
        return rc;
    sw_json *doc;
    if ((rc = fhir_read_body(&fr, fr.type, &doc)) != SW_OK)
        return rc;
    fhir_search *cond = NULL;
    const char *ine = http_header_get(req, "If-None-Exist");
    if (ine != NULL) {
        fhir_issues *issues = sw_arena_calloc(req->arena, 1, sizeof *issues);
        if (issues == NULL)
            return http_fail(res, SW_ENOMEM, NULL);
        /* The header may carry a leading "?" or the type ("Patient?…"). */
        const char *q = strchr(ine, '?');
        rc = fhir_search_parse_query(req->arena, fr.type, q ? q + 1 : ine,
                                     &cond, issues);
        if (rc != SW_OK)
            return issues->count ? fhir_fail_issues(req, res, rc, issues)
                                 : http_fail(res, rc, NULL);
    }
    fhir_result out;
    rc = fhir_res_create(fr.env->store, req->arena, &fr.who, fr.type,
                         doc, cond, &out, &res->err);
    if (rc != SW_OK)
        return rc;
    return fhir_send_version(&fr, out.status, fr.type, out.id, out.version,
                             out.updated_ms, out.body, out.body_len,
                             out.status == 201);
}

int fhir_put_update(sw_request *req, sw_response *res)
{
    fhir_req fr;
    int rc = fhir_begin(req, res, &fr);
    if (rc == SW_OK)
        rc = refuse_audit_writes(&fr);
    if (rc != SW_OK)
        return rc;
    int64_t if_match;
    if ((rc = fhir_if_match(&fr, &if_match)) != SW_OK)
        return rc;
    sw_json *doc;
    if ((rc = fhir_read_body(&fr, fr.type, &doc)) != SW_OK)
        return rc;
    const char *body_id = sw_json_get_string(doc, "id");
    if (body_id == NULL || strcmp(body_id, fr.id) != 0)
        return http_fail(res, SW_EBADREQUEST, "the resource's id must be the "
                         "id in the URL (%s)", fr.id);
    fhir_result out;
    rc = fhir_res_update(fr.env->store, req->arena, &fr.who, fr.type,
                         fr.id, doc, if_match, &out, &res->err);
    if (rc != SW_OK)
        return rc;
    return fhir_send_version(&fr, out.status, fr.type, out.id, out.version,
                             out.updated_ms, out.body, out.body_len,
                             out.status == 201);
}

int fhir_delete(sw_request *req, sw_response *res)
{
    fhir_req fr;
    int rc = fhir_begin(req, res, &fr);
    if (rc == SW_OK)
        rc = refuse_audit_writes(&fr);
    if (rc != SW_OK)
        return rc;
    fhir_result out;
    rc = fhir_res_delete(fr.env->store, req->arena, &fr.who, fr.type,
                         fr.id, &out, &res->err);
    if (rc != SW_OK)
        return rc;
    if (out.version == 0)
        return fhir_send_outcome(&fr, 200, "%s/%s does not exist or was "
                                 "already deleted; nothing changed", fr.type,
                                 fr.id);
    fhir_version_headers(&fr, out.version, out.updated_ms);
    return fhir_send_outcome(&fr, 200, "%s/%s deleted (version %lld)", fr.type,
                             fr.id, (long long)out.version);
}
