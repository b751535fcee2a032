/* rest_audit_event.c - the audit trail read as FHIR AuditEvent resources:
 * GET /fhir/AuditEvent/{seq} and GET /fhir/AuditEvent?… (docs/audit.md).
 *
 * AuditEvents are not stored resources: each is rendered from its audit
 * entry when asked for, and its id is the entry's sequence number, so the
 * trail stays the one record (writes to AuditEvent are refused in
 * rest_crud.c). The rendering follows the R4 AuditEvent and the codes the
 * spec binds: audit-event-type / DICOM DCM for the kind of event,
 * restful-interaction for REST subtypes, object-role and audit-entity-type
 * for the patient and the resource. Our own action and feature ids ride
 * along as extra subtype codings. */
#include "rest_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/query.h"
#include "core/clock.h"
#include "core/str.h"
#include "fhir/fhirdate.h"
#include "fhir/write.h"

#define SYS_EVENT_TYPE  "http://terminology.hl7.org/CodeSystem/audit-event-type"
#define SYS_DCM         "http://dicom.nema.org/resources/ontology/DCM"
#define SYS_REST        "http://hl7.org/fhir/restful-interaction"
#define SYS_ACTION      "urn:stagewise:audit-action"
#define SYS_FEATURE     "urn:stagewise:feature"
#define SYS_ENTITY_TYPE "http://terminology.hl7.org/CodeSystem/audit-entity-type"
#define SYS_OBJECT_ROLE "http://terminology.hl7.org/CodeSystem/object-role"
#define SYS_SOURCE_TYPE "http://terminology.hl7.org/CodeSystem/security-source-type"
#define SYS_ACT_REASON  "http://terminology.hl7.org/CodeSystem/v3-ActReason"

/* How each action of the trail reads in AuditEvent terms. */
static const struct action_map {
    const char *action;
    const char *type_system, *type_code, *type_display;
    const char *rest;          /* restful-interaction subtype, or NULL */
    const char *code;          /* AuditEvent.action: C R U D E */
} action_maps[] = {
    { AUDIT_READ,   SYS_EVENT_TYPE, "rest", "RESTful Operation", "read", "R" },
    { AUDIT_SEARCH, SYS_EVENT_TYPE, "rest", "RESTful Operation", "search-type", "E" },
    { AUDIT_CREATE, SYS_EVENT_TYPE, "rest", "RESTful Operation", "create", "C" },
    { AUDIT_UPDATE, SYS_EVENT_TYPE, "rest", "RESTful Operation", "update", "U" },
    { AUDIT_DELETE, SYS_EVENT_TYPE, "rest", "RESTful Operation", "delete", "D" },
    { AUDIT_LOGIN,         SYS_DCM, "110114", "User Authentication", NULL, "E" },
    { AUDIT_LOGOUT,        SYS_DCM, "110114", "User Authentication", NULL, "E" },
    { AUDIT_LOGIN_FAILURE, SYS_DCM, "110114", "User Authentication", NULL, "E" },
    { AUDIT_LOCKOUT,       SYS_DCM, "110113", "Security Alert", NULL, "E" },
    { AUDIT_EXPORT,        SYS_DCM, "110106", "Export", NULL, "R" },
    { AUDIT_DISCLOSURE,    SYS_DCM, "110106", "Export", NULL, "R" },
    { AUDIT_BREAK_GLASS,   SYS_DCM, "110113", "Security Alert", NULL, "E" },
    { AUDIT_ACCESS_CHANGE, SYS_DCM, "110113", "Security Alert", NULL, "U" },
    { AUDIT_PLAN_CHANGE,   SYS_DCM, "110100", "Application Activity", NULL, "U" },
    { AUDIT_GO_LIVE,       SYS_DCM, "110100", "Application Activity", NULL, "E" },
};

static const struct action_map *map_of(const char *action)
{
    for (size_t i = 0; i < sizeof action_maps / sizeof action_maps[0]; i++)
        if (strcmp(action_maps[i].action, action) == 0)
            return &action_maps[i];
    return &action_maps[0];
}

/* AuditEvent.outcome: 0 success, 4 minor failure (refused), 8 serious. */
static const char *outcome_code(const char *outcome)
{
    return strcmp(outcome, AUDIT_SUCCESS) == 0 ? "0"
         : strcmp(outcome, AUDIT_DENIED) == 0  ? "4" : "8";
}

static bool is_address(const char *client)
{
    return client[0] && strcmp(client, "cli") != 0;
}

static void detail_item(sw_jw *w, const char *type, const char *value)
{
    sw_jw_object_begin(w);
    sw_jw_key(w, "type");
    sw_jw_string(w, type);
    sw_jw_key(w, "valueString");
    sw_jw_string(w, value);
    sw_jw_object_end(w);
}

static void entity_details(sw_jw *w, const audit_row *r)
{
    if (!r->request_id[0] && !r->detail[0])
        return;
    sw_jw_key(w, "detail");
    sw_jw_array_begin(w);
    if (r->request_id[0])
        detail_item(w, "request-id", r->request_id);
    if (r->detail[0])
        detail_item(w, "detail", r->detail);
    sw_jw_array_end(w);
}

static void render(sw_jw *w, const audit_row *r)
{
    const struct action_map *m = map_of(r->action);
    char id[24], at[SW_TIME_ISO_MAX];
    snprintf(id, sizeof id, "%" PRId64, r->seq);
    sw_time_iso(r->at_ms, at);

    sw_jw_object_begin(w);
    sw_jw_key(w, "resourceType");
    sw_jw_string(w, "AuditEvent");
    sw_jw_key(w, "id");
    sw_jw_string(w, id);
    sw_jw_key(w, "type");
    fhir_write_coding(w, m->type_system, m->type_code, m->type_display);
    sw_jw_key(w, "subtype");
    sw_jw_array_begin(w);
    if (m->rest)
        fhir_write_coding(w, SYS_REST, m->rest, NULL);
    fhir_write_coding(w, SYS_ACTION, r->action, NULL);
    if (r->feature[0])
        fhir_write_coding(w, SYS_FEATURE, r->feature, NULL);
    sw_jw_array_end(w);
    sw_jw_key(w, "action");
    sw_jw_string(w, m->code);
    sw_jw_key(w, "recorded");
    sw_jw_string(w, at);
    sw_jw_key(w, "outcome");
    sw_jw_string(w, outcome_code(r->outcome));
    if (strcmp(r->outcome, AUDIT_SUCCESS) != 0) {
        sw_jw_key(w, "outcomeDesc");
        sw_jw_string(w, r->outcome);
    }

    sw_jw_key(w, "agent");
    sw_jw_array_begin(w);
    sw_jw_object_begin(w);
    if (r->roles[0]) {
        sw_jw_key(w, "role");
        sw_jw_array_begin(w);
        const char *p = r->roles;
        while (*p) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            sw_jw_object_begin(w);
            sw_jw_key(w, "text");
            sw_jw_string_n(w, p, n);
            sw_jw_object_end(w);
            p += n + (comma ? 1 : 0);
        }
        sw_jw_array_end(w);
    }
    sw_jw_key(w, "who");
    sw_jw_object_begin(w);
    if (r->user_id > 0) {
        char uid[24];
        snprintf(uid, sizeof uid, "%" PRId64, r->user_id);
        sw_jw_key(w, "identifier");
        sw_jw_object_begin(w);
        sw_jw_key(w, "system");
        sw_jw_string(w, "urn:stagewise:user");
        sw_jw_key(w, "value");
        sw_jw_string(w, uid);
        sw_jw_object_end(w);
    }
    if (r->username[0]) {
        sw_jw_key(w, "display");
        sw_jw_string(w, r->username);
    }
    sw_jw_object_end(w);
    sw_jw_key(w, "requestor");
    sw_jw_bool(w, true);
    if (is_address(r->client)) {
        sw_jw_key(w, "network");
        sw_jw_object_begin(w);
        sw_jw_key(w, "address");
        sw_jw_string(w, r->client);
        sw_jw_key(w, "type");
        sw_jw_string(w, "2");            /* IP address */
        sw_jw_object_end(w);
    }
    if (strcmp(r->action, AUDIT_BREAK_GLASS) == 0) {
        sw_jw_key(w, "purposeOfUse");
        sw_jw_array_begin(w);
        sw_jw_object_begin(w);
        sw_jw_key(w, "coding");
        sw_jw_array_begin(w);
        fhir_write_coding(w, SYS_ACT_REASON, "BTG", "break the glass");
        sw_jw_array_end(w);
        sw_jw_object_end(w);
        sw_jw_array_end(w);
    }
    sw_jw_object_end(w);
    sw_jw_array_end(w);

    sw_jw_key(w, "source");
    sw_jw_object_begin(w);
    sw_jw_key(w, "observer");
    sw_jw_object_begin(w);
    sw_jw_key(w, "display");
    sw_jw_string(w, "Stagewise");
    sw_jw_object_end(w);
    sw_jw_key(w, "type");
    sw_jw_array_begin(w);
    fhir_write_coding(w, SYS_SOURCE_TYPE, "4", "Application Server");
    sw_jw_array_end(w);
    sw_jw_object_end(w);

    bool has_resource = r->res_type[0] && r->res_id[0]
                     && !(strcmp(r->res_type, "Patient") == 0
                          && strcmp(r->res_id, r->patient_id) == 0);
    sw_jw_key(w, "entity");
    sw_jw_array_begin(w);
    if (r->patient_id[0]) {
        char ref[96];
        snprintf(ref, sizeof ref, "Patient/%s", r->patient_id);
        sw_jw_object_begin(w);
        sw_jw_key(w, "what");
        sw_jw_object_begin(w);
        sw_jw_key(w, "reference");
        sw_jw_string(w, ref);
        sw_jw_object_end(w);
        sw_jw_key(w, "type");
        fhir_write_coding(w, SYS_ENTITY_TYPE, "1", "Person");
        sw_jw_key(w, "role");
        fhir_write_coding(w, SYS_OBJECT_ROLE, "1", "Patient");
        if (!has_resource)
            entity_details(w, r);
        sw_jw_object_end(w);
    }
    if (has_resource || !r->patient_id[0]) {
        sw_jw_object_begin(w);
        if (has_resource) {
            char ref[160];
            snprintf(ref, sizeof ref, "%s/%s", r->res_type, r->res_id);
            sw_jw_key(w, "what");
            sw_jw_object_begin(w);
            sw_jw_key(w, "reference");
            sw_jw_string(w, ref);
            sw_jw_object_end(w);
        } else {
            sw_jw_key(w, "name");
            sw_jw_string(w, r->res_type[0] ? r->res_type : r->action);
        }
        sw_jw_key(w, "type");
        fhir_write_coding(w, SYS_ENTITY_TYPE, "2", "System Object");
        entity_details(w, r);
        sw_jw_object_end(w);
    }
    sw_jw_array_end(w);
    sw_jw_object_end(w);
}

/* ---- Read ---------------------------------------------------------------- */

/* A whole number from 0, the whole of s. */
static bool whole(const char *s, int64_t *out)
{
    long v;
    if (!sw_str_to_long(sw_str_of(s), 0, INT64_MAX, &v))
        return false;
    *out = v;
    return true;
}


struct found {
    sw_jw   w;
    char    patient[80];
    bool    any;
};

static int found_one(const audit_row *r, void *arg)
{
    struct found *f = arg;
    f->any = true;
    snprintf(f->patient, sizeof f->patient, "%s", r->patient_id);
    render(&f->w, r);
    return SW_OK;
}

int fhir_audit_event_read(fhir_req *fr)
{
    int64_t seq = 0;
    if (!whole(fr->id, &seq) || seq == 0)
        return http_fail(fr->res, SW_ENOTFOUND, "AuditEvent/%s is not known", fr->id);
    audit_filter f = { .practice_id = fr->practice_id, .seq = seq, .limit = 1 };
    struct found out = { .any = false };
    sw_buf body = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    sw_jw_init(&out.w, &body);
    sw_err err;
    int rc = audit_query(fr->env->store, &f, found_one, &out, NULL, &err);
    if (rc == SW_OK && !out.any)
        rc = sw_err_set(&err, SW_ENOTFOUND, "AuditEvent/%s is not known", fr->id);
    if (rc == SW_OK)
        rc = sw_jw_finish(&out.w);
    if (rc == SW_OK)
        rc = fhir_audit_read(fr, AUDIT_READ, "AuditEvent", fr->id, out.patient, "");
    else
        rc = http_fail(fr->res, rc, "%s", sw_err_text(&err));
    if (rc == SW_OK)
        rc = http_reply(fr->res, 200, FHIR_JSON_TYPE, sw_buf_str(&body), body.len);
    sw_buf_free(&body);
    return rc;
}

/* ---- Search -------------------------------------------------------------- */

static int bad(fhir_req *fr, const char *name, const char *what)
{
    return http_fail(fr->res, SW_EINVAL, "AuditEvent search parameter '%s' %s",
                     name, what);
}

/* date=[prefix]value narrows [from, to). */
static bool date_param(const char *v, audit_filter *f)
{
    char prefix[3] = "eq";
    if (strlen(v) > 2 && v[0] >= 'a' && v[0] <= 'z') {
        prefix[0] = v[0];
        prefix[1] = v[1];
        v += 2;
    }
    int64_t lo, hi;
    if (!fhir_date_range(v, &lo, &hi))
        return false;
    if (strcmp(prefix, "eq") == 0) {
        if (!f->from_ms || lo > f->from_ms) f->from_ms = lo;
        if (!f->to_ms || hi + 1 < f->to_ms) f->to_ms = hi + 1;
    } else if (strcmp(prefix, "ge") == 0 || strcmp(prefix, "sa") == 0
               || strcmp(prefix, "gt") == 0) {
        int64_t from = strcmp(prefix, "ge") == 0 ? lo : hi + 1;
        if (!f->from_ms || from > f->from_ms) f->from_ms = from;
    } else if (strcmp(prefix, "le") == 0 || strcmp(prefix, "eb") == 0
               || strcmp(prefix, "lt") == 0) {
        int64_t to = strcmp(prefix, "le") == 0 ? hi + 1 : lo;
        if (!f->to_ms || to < f->to_ms) f->to_ms = to;
    } else {
        return false;
    }
    return true;
}

/* AuditEvent.action codes to the trail's actions. */
static int action_param(const char *v, audit_filter *f)
{
    size_t before = f->nactions;
    for (size_t i = 0; i < sizeof action_maps / sizeof action_maps[0]; i++)
        if (strcmp(action_maps[i].code, v) == 0
            && f->nactions < AUDIT_QUERY_MAX_ACTIONS)
            f->actions[f->nactions++] = action_maps[i].action;
    return f->nactions > before ? SW_OK : SW_EINVAL;
}

struct page {
    sw_jw      *w;
    const char *base;
    int64_t     last;
    int64_t     count;
};

static int page_entry(const audit_row *r, void *arg)
{
    struct page *p = arg;
    char url[256];
    snprintf(url, sizeof url, "%s/AuditEvent/%" PRId64, p->base, r->seq);
    sw_jw_object_begin(p->w);
    sw_jw_key(p->w, "fullUrl");
    sw_jw_string(p->w, url);
    sw_jw_key(p->w, "resource");
    render(p->w, r);
    sw_jw_key(p->w, "search");
    sw_jw_object_begin(p->w);
    sw_jw_key(p->w, "mode");
    sw_jw_string(p->w, "match");
    sw_jw_object_end(p->w);
    sw_jw_object_end(p->w);
    p->last = r->seq;
    p->count++;
    return SW_OK;
}

/* The query string of this search without _cursor, for the links. */
static void query_without_cursor(sw_buf *b, const http_param *params, int n)
{
    bool first = true;
    for (int i = 0; i < n; i++) {
        if (strcmp(params[i].name, "_cursor") == 0)
            continue;
        sw_buf_putc(b, first ? '?' : '&');
        first = false;
        for (const char *s = params[i].name; *s; s++)
            sw_buf_printf(b, (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
                          || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'
                          ? "%c" : "%%%02X", (unsigned char)*s);
        sw_buf_putc(b, '=');
        for (const char *s = params[i].value; *s; s++)
            sw_buf_printf(b, (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
                          || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'
                          || *s == '_' ? "%c" : "%%%02X", (unsigned char)*s);
    }
}

int fhir_audit_event_search(fhir_req *fr, const http_param *params, int n)
{
    audit_filter f = { .practice_id = fr->practice_id,
                       .limit = AUDIT_PAGE_DEFAULT, .newest_first = true };
    for (int i = 0; i < n; i++) {
        const char *name = params[i].name, *v = params[i].value;
        int64_t num;
        if (strcmp(name, "date") == 0) {
            if (!date_param(v, &f))
                return bad(fr, name, "must be a date with an optional prefix "
                           "eq, ge, gt, le or lt, such as ge2026-11-25");
        } else if (strcmp(name, "agent") == 0 || strcmp(name, "agent-name") == 0) {
            if (strcmp(name, "agent") == 0 && whole(v, &num) && num > 0)
                f.user_id = num;
            else if (*v && strlen(v) <= 64)
                f.username = v;
            else
                return bad(fr, name, "must be a user id or username");
        } else if (strcmp(name, "patient") == 0) {
            if (strncmp(v, "Patient/", 8) == 0)
                v += 8;
            if (!*v || strlen(v) > 64)
                return bad(fr, name, "must be a Patient id");
            f.patient_id = v;
        } else if (strcmp(name, "entity-type") == 0) {
            if (!*v || strlen(v) > 64)
                return bad(fr, name, "must be a resource type");
            f.res_type = v;
        } else if (strcmp(name, "action") == 0) {
            if (action_param(v, &f) != SW_OK)
                return bad(fr, name, "must be C, R, U, D or E");
        } else if (strcmp(name, "subtype") == 0) {
            if (strncmp(v, SYS_ACTION "|", strlen(SYS_ACTION) + 1) == 0)
                v += strlen(SYS_ACTION) + 1;
            if (!audit_action_known(v) || f.nactions == AUDIT_QUERY_MAX_ACTIONS)
                return bad(fr, name, "must be one of the trail's actions "
                           "(read, search, create, update, delete, login, …)");
            f.actions[f.nactions++] = v;
        } else if (strcmp(name, "outcome") == 0) {
            f.outcome = strcmp(v, "0") == 0 ? AUDIT_SUCCESS
                      : strcmp(v, "4") == 0 ? AUDIT_DENIED
                      : strcmp(v, "8") == 0 ? AUDIT_FAILURE : NULL;
            if (f.outcome == NULL)
                return bad(fr, name, "must be 0, 4 or 8");
        } else if (strcmp(name, "_count") == 0) {
            if (!whole(v, &num) || num < 1 || num > AUDIT_PAGE_MAX)
                return bad(fr, name, "must be 1 to 1000");
            f.limit = (int)num;
        } else if (strcmp(name, "_cursor") == 0) {
            if (!whole(v, &num) || num < 1)
                return bad(fr, name, "must be the value of a next link");
            f.after_seq = num;
        } else {
            return http_fail(fr->res, SW_EINVAL, "AuditEvent has no search "
                             "parameter '%.64s' here; use date, agent, "
                             "agent-name, patient, entity-type, action, "
                             "subtype, outcome, _count", name);
        }
    }
    if (f.from_ms && f.to_ms && f.from_ms >= f.to_ms)
        return bad(fr, "date", "gives an empty range");

    sw_buf body = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    sw_buf self = SW_BUF_INIT(SW_HTTP_MAX_URI_BYTES * 3);
    sw_buf_printf(&self, "%s/AuditEvent", fr->base);
    query_without_cursor(&self, params, n);
    sw_jw w;
    sw_jw_init(&w, &body);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "resourceType");
    sw_jw_string(&w, "Bundle");
    sw_jw_key(&w, "type");
    sw_jw_string(&w, "searchset");
    sw_jw_key(&w, "entry");
    sw_jw_array_begin(&w);
    struct page p = { &w, fr->base, 0, 0 };
    bool more = false;
    sw_err err;
    int rc = audit_query(fr->env->store, &f, page_entry, &p, &more, &err);
    sw_jw_array_end(&w);
    if (rc == SW_OK && !more && f.after_seq == 0) {
        /* Everything matched fits on this first page. */
        sw_jw_key(&w, "total");
        sw_jw_int(&w, p.count);
    }
    sw_jw_key(&w, "link");
    sw_jw_array_begin(&w);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "relation");
    sw_jw_string(&w, "self");
    sw_jw_key(&w, "url");
    sw_jw_string(&w, sw_buf_str(&self));
    sw_jw_object_end(&w);
    if (more) {
        sw_buf_printf(&self, "%s_cursor=%" PRId64,
                      strchr(sw_buf_str(&self), '?') ? "&" : "?", p.last);
        sw_jw_object_begin(&w);
        sw_jw_key(&w, "relation");
        sw_jw_string(&w, "next");
        sw_jw_key(&w, "url");
        sw_jw_string(&w, sw_buf_str(&self));
        sw_jw_object_end(&w);
    }
    sw_jw_array_end(&w);
    sw_jw_object_end(&w);
    if (rc == SW_OK)
        rc = sw_jw_finish(&w);
    else
        rc = http_fail(fr->res, rc, "the audit trail could not be read: %s",
                       sw_err_text(&err));
    sw_buf_free(&self);
    if (rc == SW_OK)
        rc = fhir_audit_read(fr, AUDIT_SEARCH, "AuditEvent", "",
                             f.patient_id ? f.patient_id : "",
                             http_param_names(fr->req->arena, params, n));
    if (rc == SW_OK)
        rc = http_reply(fr->res, 200, FHIR_JSON_TYPE, sw_buf_str(&body), body.len);
    sw_buf_free(&body);
    return rc;
}
