/* rest_bundle.c - POST /fhir: batch and transaction Bundles (the work is in
 * bundle.c; this is the HTTP side). */
#include "rest_int.h"

#include "fhir/bundle.h"

int fhir_post_bundle(sw_request *req, sw_response *res)
{
    fhir_req fr;
    int rc = fhir_begin(req, res, &fr);
    if (rc != SW_OK)
        return rc;
    sw_json *bundle;
    if ((rc = fhir_read_body(&fr, "Bundle", &bundle)) != SW_OK)
        return rc;
    fhir_bundle_opts opts = {
        .practice_id = fr.practice_id,
        .who = &fr.who,
        .base = fr.base,
        .minimal = fhir_prefer_return(req) == FHIR_RETURN_MINIMAL,
        .authorize = fhir_authz_bundle_entry,
        .authorize_arg = &fr,
    };
    fhir_issues *issues = sw_arena_calloc(req->arena, 1, sizeof *issues);
    if (issues == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    rc = fhir_bundle_process(fr.env->store, req->arena, bundle, &opts,
                             &res->body, issues);
    if (rc != SW_OK)
        return fhir_fail_issues(req, res, rc, issues);
    res->status = 200;
    res->content_type = FHIR_JSON_TYPE;
    return SW_OK;
}
