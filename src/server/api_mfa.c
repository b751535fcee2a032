/* api_mfa.c - a signed-in user's own multi-factor sign-in (docs/auth.md):
 *
 *   GET    /api/me/mfa          whether it is on, pending, codes left
 *   POST   /api/me/mfa          start enrolment: a new secret and its
 *                               otpauth:// URI (shown once)
 *   POST   /api/me/mfa/confirm  {"code"}: turn it on; 10 recovery codes,
 *                               shown once
 *   DELETE /api/me/mfa          {"code"}: turn it off (a current code or a
 *                               recovery code)
 *
 * Every user may manage their own MFA, so these rows carry no permission
 * tag; they are also what a session opened only for enrolment may reach
 * (api_session.c). Turning MFA on or off is audited in the same commit
 * (permission_change). The rules and rows are in src/auth/mfa.c. Secrets and
 * codes are never logged; responses holding them are not cached. */
#include "app.h"

#include <string.h>

#include "auth/mfa.h"
#include "core/limits.h"
#include "core/log.h"

static int mfa_store_failed(sw_response *res, int rc, const sw_err *err)
{
    if (rc == SW_ENOMEM)
        return http_fail(res, rc, NULL);
    sw_warn("multi-factor change failed: %s", sw_err_text(err));
    return http_fail(res, SW_ESTORE, "the database did not answer; try again");
}

/* The "code" member of the body: SW_OK and *code, or a 4xx. */
static int read_code(sw_request *req, sw_response *res, json_t **doc,
                     const char **code)
{
    static const char *const members[] = { "code", NULL };
    int rc = server_json_body(req, res, SW_LOGIN_MAX_BODY_BYTES, doc);
    if (rc == SW_OK)
        rc = server_json_only_members(*doc, members, res);
    if (rc != SW_OK)
        return rc;
    json_t *v = json_object_get(*doc, "code");
    if (v == NULL)
        return http_fail(res, SW_EINVAL, "\"code\" is missing: the 6 digits "
                         "the authenticator app shows");
    if (!json_is_string(v) || json_string_length(v) == 0
        || json_string_length(v) > AUTH_MFA_CODE_MAX)
        return http_fail(res, SW_EINVAL, "\"code\" must be a string of at "
                         "most %d characters", AUTH_MFA_CODE_MAX);
    *code = json_string_value(v);
    return SW_OK;
}

/* A 4xx from the rules keeps its sentence; anything else is the store. */
static int mfa_refused(sw_response *res, int rc, const sw_err *err)
{
    if (rc == SW_EINVAL || rc == SW_ECONFLICT || rc == SW_ENOTFOUND
        || rc == SW_EUNAUTH)
        return http_fail(res, rc == SW_EUNAUTH ? SW_EFORBIDDEN : rc, "%s",
                         err->msg);
    return mfa_store_failed(res, rc, err);
}

/* The audit entry of turning MFA on or off, in the same commit. */
static int record_change(store_tx *tx, const char *detail, void *ctx)
{
    audit_who who;
    server_audit_who(ctx, &who);
    audit_entry e = {
        .who = &who, .action = AUDIT_ACCESS_CHANGE, .feature = "",
        .patient_id = "", .res_type = "", .res_id = "",
        .outcome = AUDIT_SUCCESS, .detail = detail,
    };
    return audit_append(tx, &e);
}

static int get_mfa(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    auth_mfa_status st;
    sw_err err;
    int rc = auth_mfa_get_status(server_prod_store(app), s->practice_id, s->user_id, &st,
                                 &err);
    if (rc != SW_OK)
        return mfa_store_failed(res, rc, &err);
    return server_reply_json(res, 200, json_pack("{s:b, s:b, s:I}",
        "enabled", st.enabled, "pending", st.pending,
        "recovery_codes_left", (json_int_t)st.recovery_left));
}

static int post_mfa(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    auth_mfa_setup setup;
    sw_err err;
    int rc = auth_mfa_begin(server_prod_store(app), s->practice_id, s->user_id,
                            s->username, &setup, &err);
    if (rc != SW_OK)
        return mfa_refused(res, rc, &err);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}",
                            "secret", setup.secret,
                            "otpauth_uri", setup.uri,
                            "issuer", AUTH_MFA_ISSUER,
                            "digits", AUTH_TOTP_DIGITS,
                            "period", AUTH_TOTP_PERIOD_S,
                            "algorithm", "SHA1");
    memset(&setup, 0, sizeof setup);
    return server_reply_json(res, 200, doc);
}

static int post_confirm(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    json_t *doc = NULL;
    const char *code = NULL;
    int rc = read_code(req, res, &doc, &code);
    if (rc != SW_OK) {
        json_decref(doc);
        return rc;
    }
    char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_TEXT];
    sw_err err;
    rc = auth_mfa_confirm(server_prod_store(app), &app->auth, s->practice_id, s->user_id,
                          code, codes, record_change, req, &err);
    json_decref(doc);
    if (rc != SW_OK)
        return mfa_refused(res, rc, &err);
    json_t *list = json_array();
    for (int i = 0; list && i < AUTH_RECOVERY_CODES; i++)
        json_array_append_new(list, json_string(codes[i]));
    memset(codes, 0, sizeof codes);
    /* A session opened only for enrolment stays so: the user signs in
     * again, now with a code, to get a full one. */
    return server_reply_json(res, 200, json_pack("{s:b, s:o, s:b}",
        "enabled", 1, "recovery_codes", list,
        "sign_in_again", s->mfa_enrol_only));
}

static int delete_mfa(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    json_t *doc = NULL;
    const char *code = NULL;
    int rc = read_code(req, res, &doc, &code);
    if (rc != SW_OK) {
        json_decref(doc);
        return rc;
    }
    sw_err err;
    rc = auth_mfa_disable(server_prod_store(app), &app->auth, s->practice_id, s->user_id,
                          code, record_change, req, &err);
    json_decref(doc);
    if (rc != SW_OK)
        return mfa_refused(res, rc, &err);
    rc = http_set_header(res, "Cache-Control", "no-store");
    return rc == SW_OK ? http_reply(res, 204, NULL, "", 0) : rc;
}

static const http_route routes[] = {
    { "GET",    "/api/me/mfa",         get_mfa,      0,               NULL },
    { "POST",   "/api/me/mfa",         post_mfa,     0,               NULL },
    { "POST",   "/api/me/mfa/confirm", post_confirm, HTTP_ROUTE_BODY, NULL },
    { "DELETE", "/api/me/mfa",         delete_mfa,   HTTP_ROUTE_BODY, NULL },
};

const http_route_table mfa_routes = {
    .name = "mfa",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
