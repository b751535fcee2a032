/* workflow.c - what the clinical workflows of /api share: the signed-in
 * user as the author of what they write, the audit entries of a step or
 * a read under a feature id of its own, people and patients in the /api
 * shape, and composing a transaction Bundle and answering its stale
 * If-Match. Called by the api_*.c handlers of the visit workflows. */
#include "app.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/users.h"

json_t *server_user_reference(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    auth_user u;
    sw_err err;
    int rc = auth_user_get(app->store, req->arena, s->practice_id, s->user_id,
                           &u, &err);
    if (rc != SW_OK) {
        http_fail(res, rc, "%s", sw_err_text(&err));
        return NULL;
    }
    json_t *ref = json_pack("{s:{s:s, s:s}, s:s}", "identifier",
                            "system", SERVER_USER_SYSTEM, "value", u.username,
                            "display", u.display_name);
    if (ref != NULL && u.practitioner_id[0] != '\0') {
        char target[96];
        snprintf(target, sizeof target, "Practitioner/%s", u.practitioner_id);
        json_object_set_new(ref, "reference", json_string(target));
    }
    if (ref == NULL)
        http_fail(res, SW_ENOMEM, NULL);
    return ref;
}

const char *server_reference_username(json_t *ref)
{
    json_t *id = json_object_get(ref, "identifier");
    const char *system = json_string_value(json_object_get(id, "system"));
    if (system == NULL || strcmp(system, SERVER_USER_SYSTEM) != 0)
        return NULL;
    return json_string_value(json_object_get(id, "value"));
}

static int append_audit(store_tx *tx, const sw_request *req, const char *action,
                        const char *feature, const char *patient_id,
                        const char *res_type, const char *res_id,
                        const char *outcome, const char *detail)
{
    audit_who who;
    server_audit_who(req, &who);
    audit_entry e = {
        .who = &who, .action = action, .feature = feature,
        .patient_id = patient_id ? patient_id : "",
        .res_type = res_type ? res_type : "", .res_id = res_id ? res_id : "",
        .outcome = outcome, .detail = detail ? detail : "",
    };
    return audit_append(tx, &e);
}

int server_workflow_audit(store_tx *tx, const sw_request *req,
                          const char *action, const char *feature,
                          const char *patient_id, const char *res_type,
                          const char *res_id, const char *detail)
{
    return append_audit(tx, req, action, feature, patient_id, res_type, res_id,
                        AUDIT_SUCCESS, detail);
}

int server_read_audit(store_tx *tx, const sw_request *req, const char *feature,
                      const char *patient_id, const char *res_type,
                      const char *res_id, bool allowed, const char *detail)
{
    return append_audit(tx, req, AUDIT_READ, feature, patient_id, res_type,
                        res_id, allowed ? AUDIT_SUCCESS : AUDIT_DENIED, detail);
}

/* ---- People and patients as the /api shows them -------------------------- */

json_t *server_person(const char *username, const char *display)
{
    if (username == NULL && display == NULL)
        return json_null();
    return json_pack("{s:s?, s:s?}", "username", username, "display",
                     display ? display : username);
}

json_t *server_person_json(json_t *ref)
{
    if (!json_is_object(ref))
        return json_null();
    return server_person(server_reference_username(ref),
                         json_string_value(json_object_get(ref, "display")));
}

json_t *server_person_sw(const sw_json *ref)
{
    if (ref == NULL || ref->kind != SW_JSON_OBJECT)
        return json_null();
    const sw_json *id = sw_json_get(ref, "identifier");
    const char *system = id ? sw_json_get_string(id, "system") : NULL;
    const char *username = system && strcmp(system, SERVER_USER_SYSTEM) == 0
                         ? sw_json_get_string(id, "value") : NULL;
    return server_person(username, sw_json_get_string(ref, "display"));
}

json_t *server_patient_name(json_t *patient)
{
    json_t *name = json_array_get(json_object_get(patient, "name"), 0);
    const char *t = json_string_value(json_object_get(name, "text"));
    if (t)
        return json_string(t);
    char text[512] = "";
    json_t *g;
    size_t i;
    json_array_foreach(json_object_get(name, "given"), i, g)
        if (json_string_value(g))
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s",
                     text[0] ? " " : "", json_string_value(g));
    const char *family = json_string_value(json_object_get(name, "family"));
    if (family)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s",
                 text[0] ? " " : "", family);
    return json_string(text);
}

json_t *server_patient_json(const char *id, json_t *patient)
{
    return json_pack("{s:s?, s:o, s:s?}", "id", id,
                     "name", server_patient_name(patient),
                     "birthDate", json_string_value(json_object_get(patient,
                                                                    "birthDate")));
}

/* ---- Transaction Bundles ------------------------------------------------- */

void server_bundle_begin(server_bundle *b)
{
    /* Nothing is allocated until the first entry, so a handler may begin
     * early and return before composing. */
    b->text = (sw_buf)SW_BUF_INIT(SERVER_BUNDLE_MAX);
    b->rc = SW_OK;
    b->open = false;
    b->keep = NULL;
}

static void bundle_open(server_bundle *b)
{
    if (b->open)
        return;
    b->open = true;
    sw_jw_init(&b->w, &b->text);
    sw_jw_object_begin(&b->w);
    sw_jw_key(&b->w, "resourceType");
    sw_jw_string(&b->w, "Bundle");
    sw_jw_key(&b->w, "type");
    sw_jw_string(&b->w, "transaction");
    sw_jw_key(&b->w, "entry");
    sw_jw_array_begin(&b->w);
}

void server_bundle_add(server_bundle *b, const char *method, const char *url,
                       const char *resource, size_t len, const char *full_url,
                       int64_t if_match)
{
    sw_jw *w = &b->w;
    bundle_open(b);
    sw_jw_object_begin(w);
    if (full_url) {
        sw_jw_key(w, "fullUrl");
        sw_jw_string(w, full_url);
    }
    if (resource) {
        sw_jw_key(w, "resource");
        sw_jw_raw(w, resource, len);
    }
    sw_jw_key(w, "request");
    sw_jw_object_begin(w);
    sw_jw_key(w, "method");
    sw_jw_string(w, method);
    sw_jw_key(w, "url");
    sw_jw_string(w, url);
    if (if_match > 0) {
        char etag[32];
        snprintf(etag, sizeof etag, "W/\"%" PRId64 "\"", if_match);
        sw_jw_key(w, "ifMatch");
        sw_jw_string(w, etag);
    }
    sw_jw_object_end(w);
    sw_jw_object_end(w);
}

void server_bundle_put_stored(server_bundle *b, const char *type,
                              const char *id, sw_json *r, int64_t version)
{
    char url[160];
    snprintf(url, sizeof url, "%s/%s", type, id);
    /* The server stamps versionId and lastUpdated; the rest of meta
     * (profiles, tags) stays. */
    sw_json *meta = sw_json_get(r, "meta");
    if (meta && meta->kind == SW_JSON_OBJECT) {
        sw_json_remove(meta, "versionId");
        sw_json_remove(meta, "lastUpdated");
        if (meta->count == 0)
            sw_json_remove(r, "meta");
    }
    sw_buf text = SW_BUF_INIT(SERVER_BUNDLE_MAX);
    if (sw_json_write(&text, r) != SW_OK) {
        if (b->rc == SW_OK)
            b->rc = SW_ENOMEM;
    } else {
        server_bundle_add(b, "PUT", url, sw_buf_str(&text), text.len, NULL,
                          version);
    }
    sw_buf_free(&text);
}

void server_bundle_add_json(server_bundle *b, const char *method,
                            const char *url, json_t *resource,
                            const char *full_url, int64_t if_match)
{
    /* 15 significant digits: a dose of 0.1 mL is written as 0.1, not as
     * the nearest double's 17 digits (as server_reply_json). */
    char *text = resource ? json_dumps(resource, JSON_COMPACT
                                                 | JSON_REAL_PRECISION(15)) : NULL;
    if (resource && text == NULL)
        b->rc = SW_ENOMEM;
    else
        server_bundle_add(b, method, url, text, text ? strlen(text) : 0,
                          full_url, if_match);
    free(text);
    /* Kept until server_bundle_free, as when the Bundle held it: a caller
     * may still read strings of a resource it has added. */
    if (resource && (b->keep != NULL || (b->keep = json_array()) != NULL))
        json_array_append(b->keep, resource);
    json_decref(resource);
}

int server_bundle_end(server_bundle *b)
{
    bundle_open(b);
    sw_jw_array_end(&b->w);
    sw_jw_object_end(&b->w);
    int rc = sw_jw_finish(&b->w);
    return b->rc != SW_OK ? b->rc : rc;
}

void server_bundle_free(server_bundle *b)
{
    sw_buf_free(&b->text);
    json_decref(b->keep);
    b->keep = NULL;
}

int server_conflict(sw_response *res, const char *id, const char *msg)
{
    sw_buf_reset(&res->body);
    res->status = 0;
    if (id)
        return server_fail_as(res, SW_ECONFLICT, id, msg);
    return http_fail(res, SW_ECONFLICT, "%s", msg);
}
