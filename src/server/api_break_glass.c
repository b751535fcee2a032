/* api_break_glass.c - restricted patients and break-the-glass over HTTP
 * (src/auth/restricted.h, docs/security.md):
 *
 *   POST   /api/patients/{id}/break-the-glass  {"reason", "minutes"?}
 *   GET    /api/break-the-glass[?unreviewed=true]   the review queue
 *   POST   /api/break-the-glass/{grant}/review       {"note"?}
 *   PUT    /api/patients/{id}/restriction      {"reason"}
 *   DELETE /api/patients/{id}/restriction
 *
 * Every change is written with its audit entry in one transaction. Who may
 * call which route is the permission table's business. */
#include "app.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "auth/restricted.h"
#include "fhir/resources.h"
#include "core/clock.h"
#include "core/str.h"
#include "core/utf8.h"

#define BODY_MAX 4096

/* A reason or note: trimmed length in characters within [min, max], valid
 * UTF-8 (the body parser checked), no control characters. */
static int check_text(sw_response *res, const char *name, const char *s,
                      size_t min, size_t max)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return http_fail(res, SW_EINVAL, "\"%s\" must be plain text on "
                             "one line", name);
        if ((*p & 0xc0) != 0x80)
            chars++;
    }
    if (chars < min || chars > max)
        return http_fail(res, SW_EINVAL, "\"%s\" must be %zu to %zu "
                         "characters (this one has %zu)", name, min, max, chars);
    return SW_OK;
}

/* SW_OK when Patient/id exists, else a failed transaction saying so. */
static int patient_exists(store_tx *tx, int64_t practice_id, const char *id)
{
    bool exists;
    int rc = fhir_row_exists(tx, practice_id, "Patient", id, &exists);
    if (rc == SW_OK && !exists)
        return store_tx_fail(tx, SW_ENOTFOUND, "there is no Patient/%s", id);
    return rc;
}

/* ---- Breaking the glass -------------------------------------------------- */

struct glass {
    const audit_who *who;
    const char      *patient;
    const char      *reason;
    int64_t          now, duration_ms;
    int64_t          grant_id;
    char             detail[160];
};

static int glass_fn(store_tx *tx, void *arg)
{
    struct glass *g = arg;
    int rc = patient_exists(tx, g->who->practice_id, g->patient);
    bool restricted;
    if (rc == SW_OK)
        rc = auth_patient_is_restricted(tx, g->who->practice_id, g->patient,
                                        &restricted);
    if (rc != SW_OK)
        return rc;
    if (!restricted)
        return store_tx_fail(tx, SW_ECONFLICT, "Patient/%s is not restricted: "
                             "open the record as usual", g->patient);
    rc = auth_break_glass(tx, g->who->practice_id, g->who->user_id, g->patient,
                          g->reason, g->now, g->duration_ms, &g->grant_id);
    if (rc != SW_OK)
        return rc;
    snprintf(g->detail, sizeof g->detail, "grant %" PRId64 " for %" PRId64
             " minutes, awaiting review", g->grant_id, g->duration_ms / 60000);
    audit_entry e = {
        .who = g->who, .action = AUDIT_BREAK_GLASS, .feature = "records.break_glass",
        .patient_id = g->patient, .res_type = "Patient", .res_id = g->patient,
        .outcome = AUDIT_SUCCESS, .detail = g->detail,
    };
    return audit_append(tx, &e);
}

static int post_break_glass(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    json_t *doc;
    int rc = server_json_body(req, res, BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    static const char *const members[] = { "reason", "minutes", NULL };
    rc = server_json_only_members(doc, members, res);
    const char *reason = json_string_value(json_object_get(doc, "reason"));
    json_t *minutes = json_object_get(doc, "minutes");
    int64_t duration = AUTH_BREAK_GLASS_DEFAULT_MS;
    if (rc == SW_OK && reason == NULL)
        rc = http_fail(res, SW_EINVAL, "\"reason\" is required: say why you "
                       "need this restricted record");
    if (rc == SW_OK)
        rc = check_text(res, "reason", reason, AUTH_BREAK_GLASS_MIN_REASON,
                        AUTH_BREAK_GLASS_MAX_REASON);
    if (rc == SW_OK && minutes != NULL) {
        json_int_t m = json_is_integer(minutes) ? json_integer_value(minutes) : 0;
        if (m < 1 || m * 60000 > AUTH_BREAK_GLASS_MAX_MS)
            rc = http_fail(res, SW_EINVAL, "\"minutes\" must be a whole number "
                           "from 1 to %lld", AUTH_BREAK_GLASS_MAX_MS / 60000);
        duration = (int64_t)m * 60000;
    }
    audit_who who;
    server_audit_who(req, &who);
    struct glass g = {
        .who = &who, .patient = req->route_values[0], .reason = reason,
        .now = sw_now_wall_ms(), .duration_ms = duration,
    };
    sw_err err;
    if (rc == SW_OK && (rc = store_write(app->store, glass_fn, &g, &err)) != SW_OK)
        rc = http_fail(res, rc, "%s", sw_err_text(&err));
    if (rc != SW_OK) {
        json_decref(doc);
        return rc;
    }
    char expires[SW_TIME_ISO_MAX];
    sw_time_iso(g.now + duration, expires);
    json_t *out = json_pack("{s:I, s:s, s:s, s:s}", "grant", (json_int_t)g.grant_id,
                            "patient", g.patient, "reason", reason,
                            "expires_at", expires);
    json_decref(doc);
    return server_reply_json(res, 201, out);
}

/* ---- The review queue ---------------------------------------------------- */

struct grants {
    sw_arena   *a;
    int64_t     practice_id;
    bool        unreviewed;
    auth_grant *list;
    size_t      n;
};

static int grants_fn(store_tx *tx, void *arg)
{
    struct grants *g = arg;
    return auth_grants_list(tx, g->a, g->practice_id, g->unreviewed, 500,
                            &g->list, &g->n);
}

static int get_grants(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    struct grants g = { req->arena, s->practice_id, false, NULL, 0 };
    for (int i = 0; i < req->target.nparams; i++) {
        const http_param *p = &req->target.params[i];
        if (strcmp(p->name, "unreviewed") == 0 && strcmp(p->value, "true") == 0)
            g.unreviewed = true;
        else if (!(strcmp(p->name, "unreviewed") == 0
                   && strcmp(p->value, "false") == 0))
            return http_fail(res, SW_EINVAL, "the only parameter here is "
                             "unreviewed=true|false");
    }
    sw_err err;
    int rc = store_read(app->store, grants_fn, &g, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    json_t *list = json_array();
    for (size_t i = 0; list && i < g.n; i++) {
        const auth_grant *x = &g.list[i];
        char granted[SW_TIME_ISO_MAX], expires[SW_TIME_ISO_MAX],
             reviewed[SW_TIME_ISO_MAX];
        sw_time_iso(x->granted_ms, granted);
        sw_time_iso(x->expires_ms, expires);
        sw_time_iso(x->reviewed_ms, reviewed);
        json_t *o = json_pack("{s:I, s:{s:I, s:s}, s:s, s:s, s:s, s:s, s:o, s:s}",
                              "grant", (json_int_t)x->grant_id,
                              "user", "id", (json_int_t)x->user_id,
                              "username", x->username,
                              "patient", x->patient_id, "reason", x->reason,
                              "granted_at", granted, "expires_at", expires,
                              "reviewed_at", x->reviewed_ms
                                  ? json_string(reviewed) : json_null(),
                              "review_note", x->review_note);
        if (o == NULL || json_array_append_new(list, o) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    if (list == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    return server_reply_json(res, 200, json_pack("{s:o}", "grants", list));
}

struct review {
    const audit_who *who;
    int64_t          grant_id;
    const char      *note;
    char             detail[96];
};

static int review_fn(store_tx *tx, void *arg)
{
    struct review *r = arg;
    int rc = auth_grant_review(tx, r->who->practice_id, r->grant_id,
                               r->who->user_id, r->note, sw_now_wall_ms());
    if (rc == SW_ENOTFOUND)
        return store_tx_fail(tx, rc, "there is no break-the-glass grant %"
                             PRId64, r->grant_id);
    if (rc == SW_ECONFLICT)
        return store_tx_fail(tx, rc, "grant %" PRId64 " was reviewed already",
                             r->grant_id);
    if (rc != SW_OK)
        return rc;
    snprintf(r->detail, sizeof r->detail, "reviewed grant %" PRId64, r->grant_id);
    audit_entry e = {
        .who = r->who, .action = AUDIT_BREAK_GLASS, .feature = "audit.review",
        .outcome = AUDIT_SUCCESS, .detail = r->detail,
    };
    return audit_append(tx, &e);
}

static int post_review(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const char *id = req->route_values[0];
    long grant = 0;
    if (!sw_str_to_long(sw_str_of(id), 1, INT64_MAX, &grant))
        return http_fail(res, SW_ENOTFOUND, "there is no break-the-glass "
                         "grant '%.32s'", id);
    json_t *doc = NULL;
    int rc = SW_OK;
    if (req->body_len > 0) {
        static const char *const members[] = { "note", NULL };
        rc = server_json_body(req, res, BODY_MAX, &doc);
        if (rc == SW_OK)
            rc = server_json_only_members(doc, members, res);
    }
    const char *note = doc ? json_string_value(json_object_get(doc, "note")) : NULL;
    if (rc == SW_OK && note != NULL)
        rc = check_text(res, "note", note, 0, AUTH_BREAK_GLASS_MAX_REASON);
    audit_who who;
    server_audit_who(req, &who);
    struct review r = { &who, grant, note ? note : "", "" };
    sw_err err;
    if (rc == SW_OK && (rc = store_write(app->store, review_fn, &r, &err)) != SW_OK)
        rc = http_fail(res, rc, "%s", sw_err_text(&err));
    json_decref(doc);
    if (rc != SW_OK)
        return rc;
    return server_reply_json(res, 200, json_pack("{s:I, s:b}", "grant",
                                                 (json_int_t)grant, "reviewed", 1));
}

/* ---- Restricting a patient ----------------------------------------------- */

struct restriction {
    const audit_who *who;
    const char      *patient;
    const char      *reason;    /* NULL: lift it */
    bool             changed;
};

static int restriction_fn(store_tx *tx, void *arg)
{
    struct restriction *r = arg;
    int rc = patient_exists(tx, r->who->practice_id, r->patient);
    if (rc == SW_OK)
        rc = r->reason
           ? auth_patient_restrict(tx, r->who->practice_id, r->patient,
                                   r->reason, r->who->user_id, sw_now_wall_ms(),
                                   &r->changed)
           : auth_patient_unrestrict(tx, r->who->practice_id, r->patient,
                                     &r->changed);
    if (rc != SW_OK || !r->changed)
        return rc;
    audit_entry e = {
        .who = r->who, .action = AUDIT_ACCESS_CHANGE,
        .feature = "records.restrict", .patient_id = r->patient,
        .res_type = "Patient", .res_id = r->patient, .outcome = AUDIT_SUCCESS,
        .detail = r->reason ? "patient restricted: break the glass to open"
                            : "restriction lifted",
    };
    return audit_append(tx, &e);
}

static int change_restriction(sw_request *req, sw_response *res, bool on)
{
    sw_app *app = req->app;
    json_t *doc = NULL;
    const char *reason = NULL;
    int rc = SW_OK;
    if (on) {
        static const char *const members[] = { "reason", NULL };
        rc = server_json_body(req, res, BODY_MAX, &doc);
        if (rc == SW_OK)
            rc = server_json_only_members(doc, members, res);
        reason = doc ? json_string_value(json_object_get(doc, "reason")) : NULL;
        if (rc == SW_OK && reason == NULL)
            rc = http_fail(res, SW_EINVAL, "\"reason\" is required");
        if (rc == SW_OK)
            rc = check_text(res, "reason", reason, 1, AUTH_BREAK_GLASS_MAX_REASON);
    }
    audit_who who;
    server_audit_who(req, &who);
    struct restriction r = { &who, req->route_values[0], reason, false };
    sw_err err;
    if (rc == SW_OK
        && (rc = store_write(app->store, restriction_fn, &r, &err)) != SW_OK)
        rc = http_fail(res, rc, "%s", sw_err_text(&err));
    json_decref(doc);
    if (rc != SW_OK)
        return rc;
    return server_reply_json(res, 200, json_pack("{s:s, s:b, s:b}", "patient",
                                                 r.patient, "restricted", on,
                                                 "changed", r.changed));
}

static int put_restriction(sw_request *req, sw_response *res)
{
    return change_restriction(req, res, true);
}

static int delete_restriction(sw_request *req, sw_response *res)
{
    return change_restriction(req, res, false);
}

static const http_route routes[] = {
    { "POST",   "/api/patients/{id}/break-the-glass", post_break_glass,
      HTTP_ROUTE_BODY, "demographics:read" },
    { "GET",    "/api/break-the-glass",               get_grants, 0, "audit:read" },
    { "POST",   "/api/break-the-glass/{grant}/review", post_review,
      HTTP_ROUTE_BODY, "audit:admin" },
    { "PUT",    "/api/patients/{id}/restriction",     put_restriction,
      HTTP_ROUTE_BODY, "audit:admin" },
    { "DELETE", "/api/patients/{id}/restriction",     delete_restriction, 0,
      "audit:admin" },
};

const http_route_table break_glass_routes = {
    .name = "break-glass",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
