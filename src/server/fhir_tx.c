/* fhir_tx.c - running a FHIR transaction Bundle that an /api workflow
 * composed (vitals, allergies): parsed, validated and processed by the
 * same code as POST /fhir, so the workflow's writes get the same checks,
 * restricted-patient rules and audit entries as any FHIR write. */
#include "app.h"

#include <string.h>

#include "fhir/bundle.h"

int server_fhir_transaction(sw_request *req, sw_response *res,
                            const sw_buf *bundle_text, sw_buf *out)
{
    return server_fhir_transaction_then(req, res, bundle_text, out, NULL, NULL);
}

int server_fhir_transaction_then(sw_request *req, sw_response *res,
                                 const sw_buf *bundle_text, sw_buf *out,
                                 int (*after)(store_tx *, void *,
                                              const fhir_bundle_written *, size_t),
                                 void *after_arg)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    sw_json *bundle;
    fhir_issues *issues = sw_arena_calloc(req->arena, 1, sizeof *issues);
    if (issues == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    if (sw_json_parse(req->arena, sw_buf_str(bundle_text), bundle_text->len,
                      &bundle, NULL) != SW_OK
        || fhir_validate(req->arena, bundle, 0, issues) != SW_OK
        || issues->errors > 0)
        /* What a workflow composes is valid by construction: a failure
         * here is the server's, not the client's. */
        return http_fail(res, SW_EINTERNAL, "the workflow's FHIR is not "
                         "valid%s%s", issues->count ? ": " : "",
                         issues->count ? issues->items[0].message : "");
    audit_who who;
    server_audit_who(req, &who);
    fhir_bundle_opts opts = { .practice_id = s->practice_id, .who = &who,
                              .base = "", .after = after,
                              .after_arg = after_arg };
    memset(issues, 0, sizeof *issues);
    int rc = fhir_bundle_process(app->store, req->arena, bundle, &opts, out,
                                 issues);
    if (rc != SW_OK)
        return http_fail(res, rc, "%s", issues->count ? issues->items[0].message
                                                      : "nothing was saved");
    return SW_OK;
}

json_t *server_created_ids(sw_arena *a, const sw_buf *response, const char *type)
{
    sw_json *doc;
    json_t *ids = json_array();
    size_t tn = strlen(type);
    if (ids == NULL || sw_json_parse(a, sw_buf_str(response), response->len,
                                     &doc, NULL) != SW_OK)
        return ids;
    sw_json *entries = sw_json_get(doc, "entry");
    for (size_t i = 0; entries && entries->kind == SW_JSON_ARRAY && i < entries->count; i++) {
        sw_json *r = sw_json_get(entries->items[i], "response");
        const char *loc = r ? sw_json_get_string(r, "location") : NULL;
        const char *st = r ? sw_json_get_string(r, "status") : NULL;
        if (loc == NULL || st == NULL || strncmp(st, "201", 3) != 0
            || strncmp(loc, type, tn) != 0 || loc[tn] != '/')
            continue;
        const char *id = loc + tn + 1, *end = strchr(id, '/');
        json_array_append_new(ids, json_stringn(id, end ? (size_t)(end - id) : strlen(id)));
    }
    return ids;
}
