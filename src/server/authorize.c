/* authorize.c - the authorization filter: the one place where a request is
 * checked against the permission table (src/auth/authz.h) before its
 * handler runs. It runs right after authentication (routes.c), on every
 * routed request, and no handler checks roles itself.
 *
 * A route row's access tag says what the route needs:
 *   NULL            any signed-in user (GET /api/me, DELETE /api/session)
 *   "area:action"   that permission ("users:admin", "audit:read")
 *   "fhir"          the FHIR REST API: the area is the resource type's
 *                   (the {type} of the path), the action comes from the
 *                   method: GET and POST _search read; POST, PUT and
 *                   DELETE write, which for MedicationRequest is prescribe
 *                   and for ServiceRequest is order.
 * Two FHIR routes touch many types in one request and pass here to be
 * checked inside, per type (src/fhir/rest_authz.c): POST /fhir (a batch or
 * transaction Bundle, checked per entry) and GET /fhir/_history (filtered
 * to the types the user may read). A FHIR path whose type is not a
 * resource type passes too, so its handler answers 404 as it would for
 * anyone.
 *
 * A refusal is 403 with a sentence naming the role, the action and the
 * area; the route table's renderer shapes it (JSON under /api, an
 * OperationOutcome with code "forbidden" under /fhir). */
#include "authorize.h"

#include "app.h"

#include <stdio.h>
#include <string.h>

#include "auth/authz.h"
#include "core/str.h"
#include "fhir/model.h"

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* The FHIR routes without a type that are checked per type inside their
 * handlers (src/fhir/rest_authz.c): Bundles and the system history, also
 * under a prefix such as /training. */
static bool checked_inside(const http_route *route)
{
    return (ends_with(route->pattern, "/fhir") && route->method
            && strcmp(route->method, "POST") == 0)
        || ends_with(route->pattern, "/fhir/_history");
}

typedef enum { FHIR_CHECK, FHIR_PASS, FHIR_UNKNOWN } fhir_route_kind;

/* The area and action of a FHIR route: FHIR_CHECK with them filled;
 * FHIR_PASS when the handler checks per type or answers 404 for a type
 * that does not exist; FHIR_UNKNOWN for a route without a type that
 * nothing checks, which must not run unchecked. */
static fhir_route_kind fhir_permission(const sw_request *req, authz_area *area,
                                       authz_action *action)
{
    const char *type = http_route_value(req, "type");
    if (type == NULL)
        return checked_inside(req->route) ? FHIR_PASS : FHIR_UNKNOWN;
    if (!fhir_is_resource_type(sw_str_of(type)))
        return FHIR_PASS;
    *area = authz_area_of_type(type);
    if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0
        || ends_with(req->route->pattern, "/_search"))
        *action = AUTHZ_READ;
    else
        *action = authz_write_action_of_type(type);
    return FHIR_CHECK;
}

/* A refusal is recorded (outcome denied) like any attempt on a record:
 * repeated refusals of one user are what a privacy officer looks for. */
static int record_refusal(sw_request *req, authz_area area, authz_action action)
{
    sw_app *app = req->app;
    const char *m = req->method;
    const char *type = http_route_value(req, "type");
    const char *id = http_route_value(req, "id");
    bool fhir = strcmp(req->route->access, "fhir") == 0;
    const char *what = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0
        ? (fhir && id == NULL ? AUDIT_SEARCH : AUDIT_READ)
        : ends_with(req->route->pattern, "/_search") ? AUDIT_SEARCH
        : strcmp(m, "DELETE") == 0 ? AUDIT_DELETE
        : strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 ? AUDIT_UPDATE
        : AUDIT_CREATE;
    char detail[96];
    snprintf(detail, sizeof detail, "refused: %s %s %s", req->method,
             authz_area_name(area), authz_action_name(action));
    audit_who who;
    server_audit_who(req, &who);
    audit_entry e = {
        .who = &who, .action = what,
        .patient_id = fhir && type && id && strcmp(type, "Patient") == 0 ? id : "",
        .res_type = fhir && type ? type : "", .res_id = fhir && id ? id : "",
        .outcome = AUDIT_DENIED, .detail = detail,
    };
    return audit_record(app->store, &e, NULL);
}

int server_authorize(sw_request *req, sw_response *res)
{
    const http_route *route = req->route;
    if (route->flags & HTTP_ROUTE_PUBLIC)
        return SW_OK;
    const auth_session *s = server_principal(req);
    if (s == NULL)      /* authentication runs first; never reached */
        return http_fail(res, SW_EUNAUTH, NULL);
    if (route->access == NULL)
        return SW_OK;
    authz_area area;
    authz_action action;
    if (strcmp(route->access, "fhir") == 0) {
        fhir_route_kind k = fhir_permission(req, &area, &action);
        if (k == FHIR_PASS)
            return SW_OK;
        if (k == FHIR_UNKNOWN)
            return http_fail(res, SW_EINTERNAL, "this FHIR route has no "
                             "permission check");
    } else if (!authz_parse_access(route->access, &area, &action)) {
        /* A route row with a tag the table does not know is a programming
         * error; refuse rather than guess. */
        return http_fail(res, SW_EINTERNAL, "the route's permission tag is "
                         "not in the permission table");
    }
    if (authz_allows(s->roles, s->scope, area, action))
        return SW_OK;
    char why[SW_ERR_MSG_MAX];
    authz_refusal(s->roles, area, action, why, sizeof why);
    int rc = record_refusal(req, area, action);
    if (rc != SW_OK)
        return http_fail(res, rc, "the refusal could not be recorded in the "
                         "audit trail; try again");
    return http_fail(res, SW_EFORBIDDEN, "%s", why);
}
