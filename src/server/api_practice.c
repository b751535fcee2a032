/* api_practice.c - the practice's own settings (docs/auth.md):
 *
 *   GET /api/practice/settings   {"mfa_admin_required": false}
 *   PUT /api/practice/settings   {"mfa_admin_required": true}
 *
 * Both rows carry the permission tag "practice:admin"; the authorization
 * filter decides who passes, so the handlers check no role themselves.
 * A change is written with its audit entry in one transaction: there is no
 * change without its entry. One setting today; later ones add members. */
#include "app.h"

#include <string.h>

#include "auth/mfa.h"
#include "core/limits.h"
#include "core/log.h"

struct settings {
    int64_t          practice_id;
    bool             mfa_admin_required;
    const audit_who *who;           /* set for a change */
};

static int read_fn(store_tx *tx, void *ctx)
{
    struct settings *s = ctx;
    return auth_mfa_admin_required_tx(tx, s->practice_id,
                                      &s->mfa_admin_required);
}

static int write_fn(store_tx *tx, void *ctx)
{
    struct settings *s = ctx;
    int rc = auth_mfa_set_admin_required_tx(tx, s->practice_id,
                                            s->mfa_admin_required);
    if (rc != SW_OK)
        return rc;
    audit_entry e = {
        .who = s->who,
        .action = AUDIT_ACCESS_CHANGE,
        .feature = "",
        .patient_id = "",
        .res_type = "",
        .res_id = "",
        .outcome = AUDIT_SUCCESS,
        .detail = s->mfa_admin_required ? "MFA for admin roles: on"
                                        : "MFA for admin roles: off",
    };
    return audit_append(tx, &e);
}

static int reply_settings(sw_response *res, const struct settings *s)
{
    return server_reply_json(res, 200, json_pack("{s:b}",
        "mfa_admin_required", s->mfa_admin_required));
}

static int settings_failed(sw_response *res, int rc, const sw_err *err)
{
    if (rc == SW_ENOMEM)
        return http_fail(res, rc, NULL);
    if (rc == SW_ENOTFOUND)
        return http_fail(res, rc, "the practice does not exist");
    sw_warn("practice settings: %s", sw_err_text(err));
    return http_fail(res, SW_ESTORE, "the settings could not be read or "
                     "written (with their audit entry); try again");
}

static int get_settings(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    struct settings s = { .practice_id = server_principal(req)->practice_id };
    sw_err err;
    int rc = store_read(app->store, read_fn, &s, &err);
    return rc == SW_OK ? reply_settings(res, &s)
                       : settings_failed(res, rc, &err);
}

static int put_settings(sw_request *req, sw_response *res)
{
    static const char *const members[] = { "mfa_admin_required", NULL };
    sw_app *app = req->app;
    json_t *doc = NULL;
    int rc = server_json_body(req, res, SW_LOGIN_MAX_BODY_BYTES, &doc);
    if (rc == SW_OK)
        rc = server_json_only_members(doc, members, res);
    json_t *v = rc == SW_OK ? json_object_get(doc, "mfa_admin_required") : NULL;
    if (rc == SW_OK && !json_is_boolean(v))
        rc = http_fail(res, SW_EINVAL, "\"mfa_admin_required\" must be true "
                       "or false");
    if (rc != SW_OK) {
        json_decref(doc);
        return rc;
    }
    audit_who who;
    server_audit_who(req, &who);
    struct settings s = { .practice_id = who.practice_id,
                          .mfa_admin_required = json_is_true(v),
                          .who = &who };
    json_decref(doc);
    sw_err err;
    rc = store_write(app->store, write_fn, &s, &err);
    return rc == SW_OK ? reply_settings(res, &s)
                       : settings_failed(res, rc, &err);
}

static const http_route routes[] = {
    { "GET", "/api/practice/settings", get_settings, 0,               "practice:admin" },
    { "PUT", "/api/practice/settings", put_settings, HTTP_ROUTE_BODY, "practice:admin" },
};

const http_route_table practice_routes = {
    .name = "practice",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
