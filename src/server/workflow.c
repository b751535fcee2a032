/* workflow.c - what the clinical workflows of /api share: the signed-in
 * user as the author of what they write, and the audit entry of a step
 * that has a feature id of its own. */
#include "app.h"

#include <stdio.h>
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

int server_workflow_audit(store_tx *tx, const sw_request *req,
                          const char *action, const char *feature,
                          const char *patient_id, const char *res_type,
                          const char *res_id, const char *detail)
{
    audit_who who;
    server_audit_who(req, &who);
    audit_entry e = {
        .who = &who, .action = action, .feature = feature,
        .patient_id = patient_id ? patient_id : "",
        .res_type = res_type ? res_type : "", .res_id = res_id ? res_id : "",
        .outcome = AUDIT_SUCCESS, .detail = detail ? detail : "",
    };
    return audit_append(tx, &e);
}
