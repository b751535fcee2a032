/* api_audit.c - reading the audit trail over HTTP (docs/audit.md):
 *
 *   GET /api/audit                      filtered entries, JSON or CSV
 *   GET /api/patients/{id}/disclosures  the patient's accounting of
 *                                       disclosures: what left the practice
 *
 * Both are read-only: no route anywhere updates or deletes an entry. Who
 * may call them is the permission table's business (access "audit:read").
 * Reading the trail is itself recorded, since entries name patients. */
#include "app.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audit/query.h"
#include "core/clock.h"
#include "core/str.h"
#include "fhir/fhirdate.h"

/* ---- Parameters ---------------------------------------------------------- */

static const char *const filter_params[] = {
    "from", "to", "user", "patient", "action", "outcome", "type", "after",
    "limit", "format", "order", NULL,
};

static int bad_param(sw_response *res, const char *name, const char *what)
{
    return http_fail(res, SW_EINVAL, "the parameter '%s' %s", name, what);
}

/* A whole number in [min, max], the whole of s. */
static bool parse_count(const char *s, int64_t min, int64_t max, int64_t *out)
{
    long v;
    if (!sw_str_to_long(sw_str_of(s), (long)min, (long)max, &v))
        return false;
    *out = v;
    return true;
}

/* Fills f from the query string; a 400 naming the parameter otherwise. */
static int parse_filter(sw_request *req, sw_response *res, audit_filter *f,
                        bool *csv)
{
    const http_target *t = &req->target;
    for (int i = 0; i < t->nparams; i++) {
        const char *name = t->params[i].name, *v = t->params[i].value;
        bool known = false;
        for (size_t k = 0; filter_params[k] && !known; k++)
            known = strcmp(filter_params[k], name) == 0;
        if (!known)
            return http_fail(res, SW_EINVAL, "'%.64s' is not a filter of the "
                             "audit trail; use from, to, user, patient, action, "
                             "outcome, type, after, limit, order or format",
                             name);
        int64_t lo, hi, n;
        if (strcmp(name, "from") == 0) {
            if (!fhir_date_range(v, &lo, &hi))
                return bad_param(res, name, "must be a date or date-time such "
                                 "as 2026-11-25 or 2026-11-25T08:00:00Z");
            f->from_ms = lo;
        } else if (strcmp(name, "to") == 0) {
            if (!fhir_date_range(v, &lo, &hi))
                return bad_param(res, name, "must be a date or date-time such "
                                 "as 2026-11-25 or 2026-11-25T17:00:00Z");
            f->to_ms = hi + 1;        /* "to 2026-11-25" includes that day */
        } else if (strcmp(name, "user") == 0) {
            if (parse_count(v, 1, INT64_MAX, &n))
                f->user_id = n;
            else if (*v && strlen(v) <= 64)
                f->username = v;
            else
                return bad_param(res, name, "must be a user id or username");
        } else if (strcmp(name, "patient") == 0) {
            if (strncmp(v, "Patient/", 8) == 0)
                v += 8;
            if (*v == '\0' || strlen(v) > 64)
                return bad_param(res, name, "must be a Patient id");
            f->patient_id = v;
        } else if (strcmp(name, "action") == 0) {
            if (!audit_action_known(v))
                return bad_param(res, name, "must be one of read, search, "
                                 "create, update, delete, login, logout, "
                                 "login_failure, lockout, export, break_glass, "
                                 "permission_change, plan_change, go_live, "
                                 "disclosure");
            if (f->nactions == AUDIT_QUERY_MAX_ACTIONS)
                return bad_param(res, name, "may be given at most 8 times");
            f->actions[f->nactions++] = v;
        } else if (strcmp(name, "outcome") == 0) {
            if (!audit_outcome_known(v))
                return bad_param(res, name, "must be success, failure or denied");
            f->outcome = v;
        } else if (strcmp(name, "type") == 0) {
            if (*v == '\0' || strlen(v) > 64)
                return bad_param(res, name, "must be a resource type");
            f->res_type = v;
        } else if (strcmp(name, "after") == 0) {
            if (!parse_count(v, 1, INT64_MAX, &n))
                return bad_param(res, name, "must be an entry number");
            f->after_seq = n;
        } else if (strcmp(name, "limit") == 0) {
            if (!parse_count(v, 1, AUDIT_PAGE_MAX, &n))
                return bad_param(res, name, "must be 1 to 1000");
            f->limit = (int)n;
        } else if (strcmp(name, "order") == 0) {
            if (strcmp(v, "newest") == 0)
                f->newest_first = true;
            else if (strcmp(v, "oldest") != 0)
                return bad_param(res, name, "must be oldest or newest");
        } else if (strcmp(name, "format") == 0) {
            if (strcmp(v, "csv") == 0)
                *csv = true;
            else if (strcmp(v, "json") != 0)
                return bad_param(res, name, "must be json or csv");
        }
    }
    if (f->from_ms && f->to_ms && f->from_ms >= f->to_ms)
        return http_fail(res, SW_EINVAL, "'from' must be before 'to'");
    const char *accept = http_header_get(req, "Accept");
    if (accept && strstr(accept, "text/csv") && !strstr(accept, "json"))
        *csv = true;
    return SW_OK;
}

/* ---- Rendering ----------------------------------------------------------- */

static json_t *entry_json(const audit_row *r)
{
    char at[SW_TIME_ISO_MAX];
    sw_time_iso(r->at_ms, at);
    json_t *o = json_pack("{s:I, s:s, s:{s:I, s:s}, s:s, s:s, s:s, s:s, s:s, "
                          "s:s, s:s, s:s, s:s}",
                          "seq", (json_int_t)r->seq, "time", at,
                          "user", "id", (json_int_t)r->user_id,
                          "username", r->username,
                          "roles", r->roles, "action", r->action,
                          "feature", r->feature, "outcome", r->outcome,
                          "patient", r->patient_id, "resource_type", r->res_type,
                          "resource_id", r->res_id, "client", r->client,
                          "request_id", r->request_id);
    if (o && json_object_set_new(o, "detail", json_string(r->detail)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int append_json(const audit_row *r, void *arg)
{
    json_t *o = entry_json(r);
    if (o == NULL || json_array_append_new(arg, o) != 0)
        return SW_ENOMEM;
    return SW_OK;
}

/* A CSV field (RFC 4180). A cell a spreadsheet would run as a formula
 * (=, +, -, @ first) gets a leading apostrophe: entries carry text users
 * typed (a username at a failed sign-in, a break-the-glass reason). */
static int csv_field(sw_buf *b, const char *s, bool last)
{
    int rc = SW_OK;
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
        rc = sw_buf_putc(b, '\'');
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (rc == SW_OK && quote)
        rc = sw_buf_putc(b, '"');
    for (const char *p = s; rc == SW_OK && *p; p++)
        rc = *p == '"' ? sw_buf_puts(b, "\"\"") : sw_buf_putc(b, *p);
    if (rc == SW_OK && quote)
        rc = sw_buf_putc(b, '"');
    if (rc == SW_OK)
        rc = last ? sw_buf_puts(b, "\r\n") : sw_buf_putc(b, ',');
    return rc;
}

static const char csv_header[] =
    "seq,time,user_id,username,roles,action,feature,outcome,patient,"
    "resource_type,resource_id,client,request_id,detail\r\n";

struct csv_out {
    sw_buf  b;
    int64_t last_seq;
};

static int append_csv(const audit_row *r, void *arg)
{
    struct csv_out *out = arg;
    sw_buf *b = &out->b;
    out->last_seq = r->seq;
    char at[SW_TIME_ISO_MAX], seq[24], user[24];
    sw_time_iso(r->at_ms, at);
    snprintf(seq, sizeof seq, "%" PRId64, r->seq);
    snprintf(user, sizeof user, "%" PRId64, r->user_id);
    const char *cells[] = {
        seq, at, user, r->username, r->roles, r->action, r->feature,
        r->outcome, r->patient_id, r->res_type, r->res_id, r->client,
        r->request_id, r->detail,
    };
    size_t n = sizeof cells / sizeof cells[0];
    int rc = SW_OK;
    for (size_t i = 0; i < n && rc == SW_OK; i++)
        rc = csv_field(b, cells[i], i == n - 1);
    return rc;
}

/* ---- Recording the look-up ----------------------------------------------- */

/* One entry for a query of the trail (it names patients too); nothing is
 * sent if it cannot be written. */
static int record_lookup(sw_request *req, sw_response *res, const char *action,
                         const char *patient, const char *detail)
{
    sw_app *app = req->app;
    audit_who who;
    server_audit_who(req, &who);
    audit_entry e = {
        .who = &who, .action = action, .feature = "audit.review",
        .patient_id = patient ? patient : "", .res_type = "AuditEvent",
        .outcome = AUDIT_SUCCESS, .detail = detail,
    };
    sw_err err;
    if (audit_record(app->store, &e, &err) != SW_OK)
        return http_fail(res, SW_ESTORE, "%s", sw_err_text(&err));
    return SW_OK;
}

/* ---- Handlers ------------------------------------------------------------ */

/* Answers the page f selects: JSON {"entries": […], "next_after": SEQ or
 * null} (repeat the query with after=SEQ for the next page), or CSV. */
static int answer(sw_request *req, sw_response *res, audit_filter *f, bool csv)
{
    sw_app *app = req->app;
    sw_err err;
    bool more = false;
    if (csv) {
        struct csv_out out = { SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES), 0 };
        int rc = sw_buf_puts(&out.b, csv_header);
        if (rc == SW_OK)
            rc = audit_query(app->store, f, append_csv, &out, &more, &err);
        if (rc != SW_OK) {
            sw_buf_free(&out.b);
            return http_fail(res, rc, "the audit trail could not be read: %s",
                             sw_err_text(&err));
        }
        rc = http_set_header(res, "Cache-Control", "no-store");
        if (rc == SW_OK)
            rc = http_set_header(res, "Content-Disposition",
                                 "attachment; filename=\"audit.csv\"");
        if (rc == SW_OK && more) {
            /* The same as next_after in JSON. */
            char seq[24];
            snprintf(seq, sizeof seq, "%" PRId64, out.last_seq);
            rc = http_set_header(res, "X-Next-After", seq);
        }
        if (rc == SW_OK)
            rc = http_reply(res, 200, "text/csv; charset=utf-8",
                            sw_buf_str(&out.b), out.b.len);
        sw_buf_free(&out.b);
        return rc;
    }
    json_t *entries = json_array();
    if (entries == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    int rc = audit_query(app->store, f, append_json, entries, &more, &err);
    if (rc != SW_OK) {
        json_decref(entries);
        return http_fail(res, rc, "the audit trail could not be read: %s",
                         sw_err_text(&err));
    }
    size_t n = json_array_size(entries);
    json_t *next = more && n > 0
        ? json_integer(json_integer_value(
              json_object_get(json_array_get(entries, n - 1), "seq")))
        : json_null();
    return server_reply_json(res, 200, json_pack("{s:o, s:o}", "entries",
                                                 entries, "next_after", next));
}

static int get_audit(sw_request *req, sw_response *res)
{
    const auth_session *who = server_principal(req);
    audit_filter f = { .practice_id = who->practice_id };
    bool csv = false;
    int rc = parse_filter(req, res, &f, &csv);
    if (rc != SW_OK)
        return rc;
    rc = record_lookup(req, res, AUDIT_SEARCH, f.patient_id,
                       http_param_names(req->arena, req->target.params,
                                        req->target.nparams));
    if (rc != SW_OK)
        return rc;
    return answer(req, res, &f, csv);
}

static int get_disclosures(sw_request *req, sw_response *res)
{
    const auth_session *who = server_principal(req);
    const char *patient = req->route_values[0];
    if (patient[0] == '\0' || strlen(patient) > 64)
        return http_fail(res, SW_EINVAL, "name a Patient id");
    audit_filter f = {
        .practice_id = who->practice_id, .patient_id = patient,
        .actions = { AUDIT_EXPORT, AUDIT_DISCLOSURE }, .nactions = 2,
        .outcome = AUDIT_SUCCESS,
    };
    bool csv = false;
    for (int i = 0; i < req->target.nparams; i++) {
        const http_param *p = &req->target.params[i];
        int64_t n;
        if (strcmp(p->name, "after") == 0 && parse_count(p->value, 1, INT64_MAX, &n))
            f.after_seq = n;
        else if (strcmp(p->name, "limit") == 0
                 && parse_count(p->value, 1, AUDIT_PAGE_MAX, &n))
            f.limit = (int)n;
        else if (strcmp(p->name, "format") == 0 && strcmp(p->value, "csv") == 0)
            csv = true;
        else if (!(strcmp(p->name, "format") == 0 && strcmp(p->value, "json") == 0))
            return http_fail(res, SW_EINVAL, "the parameter '%.64s' is not "
                             "known here or its value is not valid; use "
                             "after, limit (1 to 1000) or format (json, csv)",
                             p->name);
    }
    int rc = record_lookup(req, res, AUDIT_READ, patient, "disclosures");
    if (rc != SW_OK)
        return rc;
    return answer(req, res, &f, csv);
}

static const http_route routes[] = {
    { "GET", "/api/audit",                      get_audit,       0, "audit:read" },
    { "GET", "/api/patients/{id}/disclosures",  get_disclosures, 0, "audit:read" },
};

const http_route_table audit_routes = {
    .name = "audit",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
