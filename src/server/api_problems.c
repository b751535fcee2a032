/* api_problems.c - the problem list (docs/workflows.md, "The problem
 * list"): listing a patient's problems, adding one, resolving one, and a
 * problem's history, by the rules of src/clinical/problems.h.
 *
 *   GET  /api/patients/{id}/problems                  clinical:read
 *   POST /api/patients/{id}/problems                  clinical:write
 *        {"code": "E11.9", "system": "icd10cm", "display": "Type 2
 *         diabetes mellitus without complications", "onset": "2019-04-02",
 *         "note": "…"}   or   {"text": "Chronic knee pain"}
 *   POST /api/patients/{id}/problems/{pid}/resolve    clinical:write
 *        {"abatement": "2026-11-01"}   (optional; now when absent)
 *   GET  /api/problems/{pid}/history                  clinical:read
 *
 * Writes go through the FHIR transaction path (server_fhir_transaction),
 * so validation, restricted-patient checks and the audit entries
 * (problems.create, problems.update) are those of any FHIR write. The
 * "same problem active twice" rule is checked before and again inside
 * the write transaction, so two clinicians adding the same problem at once
 * make one. Resolving updates with If-Match on the version read: a change
 * in between is a 409 asking to look again. Reads record a read entry
 * (problems.read) and honour restricted records, like FHIR reads. */
#include "patient_records.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/restricted.h"
#include "clinical/problems.h"
#include "core/clock.h"
#include "core/str.h"
#include "fhir/primitive.h"
#include "fhir/resources.h"

#define PROBLEM_BODY_MAX 8192
#define PROBLEM_LIST_MAX 2000
#define PROBLEM_HISTORY_MAX 200

/* ---- Reading a patient's Conditions -------------------------------------- */

static const char *const condition_types[] = { "Condition", NULL };

/* The patient's current Conditions, with the restricted-record check and
 * (when audit is set) the read's audit entry. SW_OK or the error written
 * to res (404, 403). */
static int read_list(sw_request *req, sw_response *res, const char *patient,
                     bool audit, patient_read *l)
{
    *l = (patient_read){ .patient = patient, .types = condition_types,
                         .param = "subject", .max = PROBLEM_LIST_MAX,
                         .parse = true, .restricted = true,
                         .feature = audit ? "problems.read" : NULL,
                         .audit_type = "Condition",
                         .audit_detail = "problem list" };
    return patient_records_read(req, res, l);
}

/* ---- What a client sees -------------------------------------------------- */

static const char *category_of(const sw_json *r)
{
    const sw_json *cats = sw_json_get(r, "category");
    const sw_json *codings = cats && cats->kind == SW_JSON_ARRAY && cats->count
                           ? sw_json_get(cats->items[0], "coding") : NULL;
    if (codings && codings->kind == SW_JSON_ARRAY && codings->count)
        return sw_json_get_string(codings->items[0], "code");
    return NULL;
}

static json_t *problem_json(const patient_record *it)
{
    const char *system, *code;
    problem_coding(it->r, &system, &code);
    const char *name = problem_system_name(system);
    const sw_json *notes = sw_json_get(it->r, "note");
    const char *note = notes && notes->kind == SW_JSON_ARRAY && notes->count
                     ? sw_json_get_string(notes->items[0], "text") : NULL;
    return json_pack("{s:s, s:I, s:s?, s:s?, s:s, s:s, s:s?, s:s?, s:s?, "
                     "s:o, s:s?, s:s?}",
                     "id", it->id, "version", (json_int_t)it->version,
                     "code", code, "system", name[0] ? name : system,
                     "display", problem_text(it->r),
                     "status", problem_status(it->r),
                     "onset", problem_onset(it->r),
                     "abatement", sw_json_get_string(it->r, "abatementDateTime"),
                     "recorded", problem_recorded(it->r),
                     "recorder", server_person_sw(sw_json_get(it->r, "recorder")),
                     "category", category_of(it->r), "note", note);
}

/* Active first, then inactive and the like, then resolved; newest
 * recorded first within each; by id last, so the order is stable. */
static int by_rank(const void *pa, const void *pb)
{
    const patient_record *a = pa, *b = pb;
    int ra = problem_rank(a->r), rb = problem_rank(b->r);
    if (ra != rb)
        return ra - rb;
    const char *da = problem_recorded(a->r), *db = problem_recorded(b->r);
    int c = strcmp(db ? db : "", da ? da : "");
    return c ? c : strcmp(a->id, b->id);
}

static int get_problems(sw_request *req, sw_response *res)
{
    patient_read list_read, *l = &list_read;
    int rc = read_list(req, res, http_route_value(req, "id"), true, l);
    if (rc != SW_OK)
        return rc;
    /* Keep what belongs on the list, then order it. */
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++)
        if (problem_on_list(l->items[i].r))
            l->items[kept++] = l->items[i];
    if (kept > 1)
        qsort(l->items, kept, sizeof l->items[0], by_rank);
    json_t *list = json_array();
    for (size_t i = 0; list && i < kept; i++)
        if (json_array_append_new(list, problem_json(&l->items[i])) != 0) {
            json_decref(list);
            list = NULL;
        }
    if (list == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    return server_reply_json(res, 200, json_pack("{s:s, s:o}", "patient",
                                                 l->patient, "problems", list));
}

/* ---- Adding a problem ---------------------------------------------------- */

static const char *const members[] = {
    "code", "system", "display", "text", "onset", "note", NULL,
};

static int read_input(json_t *doc, problem_input *in, sw_response *res)
{
    int rc = server_json_only_members(doc, members, res);
    if (rc != SW_OK)
        return rc;
    static const char *const names[] = { "code", "system", "display", "text",
                                         "onset", "note" };
    const char *v[6];
    if ((rc = server_json_strings(doc, names, v, 6, res)) != SW_OK)
        return rc;
    in->code = v[0];
    in->display = v[2] ? v[2] : v[3];
    in->onset = v[4];
    in->note = v[5];
    if (v[2] && v[3])
        return http_fail(res, SW_EINVAL, "give \"display\" (with a code) or "
                         "\"text\" (without one), not both");
    if (v[1] && !in->code)
        return http_fail(res, SW_EINVAL, "\"system\" goes with \"code\"");
    if (in->code) {
        in->system = problem_system_uri(v[1] ? v[1] : "icd10cm");
        if (in->system == NULL)
            return http_fail(res, SW_EINVAL, "\"system\" must be icd10cm or "
                             "snomed");
    }
    return SW_OK;
}

/* The duplicate check again, inside the write transaction. */
struct recheck {
    sw_request          *req;
    patient_read        *l;
    const problem_input *in;
    bool                 duplicate;
};

static int recheck_fn(store_tx *tx, void *arg, const fhir_bundle_written *w,
                      size_t n)
{
    struct recheck *c = arg;
    const char *created = n > 0 ? w[0].id : NULL;
    c->duplicate = false;
    int rc = patient_records_select(tx, c->req, c->l);
    for (size_t i = 0; rc == SW_OK && i < c->l->n; i++) {
        const patient_record *it = &c->l->items[i];
        if (created && strcmp(it->id, created) == 0)
            continue;
        if (problem_on_list(it->r) && problem_is_active(it->r)
            && problem_same(it->r, c->in))
            c->duplicate = true;
    }
    if (rc == SW_OK && c->duplicate)
        return store_tx_fail(tx, SW_ECONFLICT, "the problem is already on the "
                             "list");
    return rc;
}

static int post_problem(sw_request *req, sw_response *res)
{
    const char *patient = http_route_value(req, "id");
    json_t *doc;
    int rc = server_json_body(req, res, PROBLEM_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    problem_input in = { 0 };
    sw_err err;
    rc = read_input(doc, &in, res);
    if (rc == SW_OK)
        problem_fill_from_table(&in);
    if (rc == SW_OK && problem_check(&in, sw_now_wall_ms(), &err) != SW_OK)
        rc = http_fail(res, err.code, "%s", err.msg);
    patient_read list_read = { 0 }, *l = &list_read;
    if (rc == SW_OK)
        rc = read_list(req, res, patient, false, l);
    for (size_t i = 0; rc == SW_OK && i < l->n; i++) {
        const sw_json *r = l->items[i].r;
        if (problem_on_list(r) && problem_is_active(r) && problem_same(r, &in))
            rc = http_fail(res, SW_ECONFLICT, "%s is already on the problem "
                           "list (active)", problem_text(r));
    }
    json_t *recorder = rc == SW_OK ? server_user_reference(req, res) : NULL;
    if (rc == SW_OK && recorder == NULL)
        rc = SW_EINTERNAL;   /* the error is in res */
    char *recorder_text = recorder ? json_dumps(recorder, JSON_COMPACT) : NULL;
    json_decref(recorder);
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    sw_buf resource = SW_BUF_INIT(32 * 1024);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    server_bundle b;
    server_bundle_begin(&b);
    if (rc == SW_OK && recorder_text
        && problem_resource(&in, patient, now, recorder_text, &resource) == SW_OK)
        server_bundle_add(&b, "POST", "Condition", sw_buf_str(&resource),
                          resource.len, NULL, 0);
    else if (rc == SW_OK)
        b.rc = SW_ENOMEM;
    if (rc == SW_OK && server_bundle_end(&b) != SW_OK)
        rc = http_fail(res, SW_ENOMEM, NULL);
    struct recheck c = { req, l, &in, false };
    if (rc == SW_OK) {
        rc = server_fhir_transaction_then(req, res, &b.text, &out, recheck_fn, &c);
        if (rc == SW_ECONFLICT && c.duplicate)
            rc = server_conflict(res, NULL, "the problem was added to the list "
                                 "meanwhile; look at the list again");
    }
    if (rc == SW_OK) {
        json_t *ids = server_created_ids(req->arena, &out, "Condition");
        json_t *first = json_array_get(ids, 0);
        json_t *reply = json_pack("{s:s, s:O}", "patient", patient, "problem",
                                  first ? first : json_null());
        json_decref(ids);
        rc = server_reply_json(res, 201, reply);
    }
    free(recorder_text);
    sw_buf_free(&resource);
    server_bundle_free(&b);
    sw_buf_free(&out);
    json_decref(doc);
    return rc;
}

/* ---- Resolving ----------------------------------------------------------- */

static int post_resolve(sw_request *req, sw_response *res)
{
    const char *patient = http_route_value(req, "id");
    const char *pid = http_route_value(req, "pid");
    json_t *doc = NULL;
    int rc = SW_OK;
    /* The body is optional: an empty one resolves as of now. */
    if (req->body_len > 0) {
        static const char *const names[] = { "abatement", NULL };
        if ((rc = server_json_body(req, res, PROBLEM_BODY_MAX, &doc)) != SW_OK)
            return rc;
        rc = server_json_only_members(doc, names, res);
    }
    json_t *ab = doc ? json_object_get(doc, "abatement") : NULL;
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    const char *abatement = ab ? json_string_value(ab) : now;
    if (rc == SW_OK && (abatement == NULL
                        || !problem_past_date(abatement, sw_now_wall_ms(), NULL)))
        rc = http_fail(res, SW_EINVAL, "\"abatement\" must be a date "
                       "(2026-11-01) or date-time with a time zone, not in the "
                       "future");
    patient_read list_read = { 0 }, *l = &list_read;
    if (rc == SW_OK)
        rc = read_list(req, res, patient, false, l);
    patient_record *it = NULL;
    for (size_t i = 0; rc == SW_OK && i < l->n && !it; i++)
        if (pid && strcmp(l->items[i].id, pid) == 0)
            it = &l->items[i];
    if (rc == SW_OK && it == NULL)
        rc = http_fail(res, SW_ENOTFOUND, "Patient/%s has no problem %s",
                       patient, pid ? pid : "");
    sw_err err;
    if (rc == SW_OK && problem_resolve(req->arena, it->r, abatement, &err) != SW_OK)
        rc = http_fail(res, err.code, "%s", err.msg);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    server_bundle b;
    server_bundle_begin(&b);
    if (rc == SW_OK) {
        server_bundle_put_stored(&b, "Condition", it->id, it->r, it->version);
        if (server_bundle_end(&b) != SW_OK)
            rc = http_fail(res, SW_ENOMEM, NULL);
    }
    if (rc == SW_OK) {
        rc = server_fhir_transaction(req, res, &b.text, &out);
        if (rc == SW_EPRECOND || rc == SW_ECONFLICT)
            rc = server_conflict(res, NULL, "the problem changed while this "
                                 "was being saved; look at it again and retry");
    }
    if (rc == SW_OK)
        rc = server_reply_json(res, 200, json_pack("{s:s, s:s, s:s, s:I}",
                                                   "problem", it->id,
                                                   "status", "resolved",
                                                   "abatement", abatement,
                                                   "version",
                                                   (json_int_t)it->version + 1));
    server_bundle_free(&b);
    sw_buf_free(&out);
    json_decref(doc);
    return rc;
}

/* ---- History ------------------------------------------------------------- */

/* Every version of one Condition, oldest first, each with who wrote it:
 * the audit entry written with the version (same resource, same time,
 * action create, update or delete) names the user. */
struct history {
    sw_arena          *a;
    const sw_request  *req;
    int64_t            practice_id, user_id;
    const char        *id;
    const char        *patient;
    bool               denied;
    size_t             n;
    struct version {
        int64_t     version, updated_ms;
        bool        deleted;
        sw_json    *r;
        const char *username, *display;
    } v[PROBLEM_HISTORY_MAX];
};

static int history_fn(store_tx *tx, void *arg)
{
    struct history *h = arg;
    h->n = 0;
    h->denied = false;
    h->patient = NULL;
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT h.version, h.updated_ms, h.deleted, h.body, "
        "(SELECT a.username FROM audit_log a WHERE a.practice_id = h.practice_id "
        " AND a.at_ms = h.updated_ms AND a.res_type = h.res_type "
        " AND a.res_id = h.res_id AND a.action IN ('create', 'update', 'delete') "
        " ORDER BY a.seq LIMIT 1), "
        "(SELECT u.display_name FROM audit_log a JOIN app_user u "
        " ON u.practice_id = a.practice_id AND u.user_id = a.user_id "
        " WHERE a.practice_id = h.practice_id AND a.at_ms = h.updated_ms "
        " AND a.res_type = h.res_type AND a.res_id = h.res_id "
        " AND a.action IN ('create', 'update', 'delete') ORDER BY a.seq LIMIT 1) "
        "FROM fhir_history h WHERE h.practice_id = ? AND h.res_type = 'Condition' "
        "AND h.res_id = ? ORDER BY h.version", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, h->practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, h->id)) == SW_OK)
        while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row
               && h->n < PROBLEM_HISTORY_MAX) {
            struct version *v = &h->v[h->n];
            size_t len;
            const char *body = store_col_text(st, 3, &len);
            v->version = store_col_int64(st, 0);
            v->updated_ms = store_col_int64(st, 1);
            v->deleted = store_col_int64(st, 2) != 0;
            v->r = NULL;
            v->username = store_col_null(st, 4) ? NULL
                        : sw_arena_strdup(h->a, store_col_text(st, 4, NULL));
            v->display = store_col_null(st, 5) ? NULL
                       : sw_arena_strdup(h->a, store_col_text(st, 5, NULL));
            if (!v->deleted && len > 0
                && sw_json_parse(h->a, body, len, &v->r, NULL) != SW_OK)
                rc = store_tx_fail(tx, SW_ENOMEM, "a stored Condition could "
                                   "not be read");
            else
                h->n++;
        }
    store_finalize(st);
    if (rc != SW_OK || h->n == 0)
        return rc;
    /* The patient: the subject of the newest version that has one. */
    for (size_t i = h->n; i-- > 0 && h->patient == NULL;) {
        const char *ref = h->v[i].r ? sw_json_get_string(sw_json_get(h->v[i].r,
                                                                     "subject"),
                                                         "reference") : NULL;
        if (ref && strncmp(ref, "Patient/", 8) == 0)
            h->patient = sw_arena_strdup(h->a, ref + 8);
    }
    const char *patient = h->patient ? h->patient : "";
    bool allowed = true;
    rc = auth_patient_access(tx, h->practice_id, h->user_id, patient,
                             sw_now_wall_ms(), &allowed);
    if (rc != SW_OK)
        return rc;
    h->denied = !allowed;
    return server_read_audit(tx, h->req, "problems.read", patient, "Condition",
                             h->id, allowed, "history");
}

static int get_history(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    const char *pid = http_route_value(req, "pid");
    if (pid == NULL || !fhir_is_id(sw_str_of(pid)))
        return http_fail(res, SW_ENOTFOUND, "there is no such problem");
    struct history *h = sw_arena_calloc(req->arena, 1, sizeof *h);
    if (h == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    *h = (struct history){ .a = req->arena, .req = req,
                           .practice_id = s->practice_id,
                           .user_id = s->user_id, .id = pid };
    sw_err err;
    int rc = store_write(app->store, history_fn, h, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    if (h->n == 0)
        return http_fail(res, SW_ENOTFOUND, "there is no problem %s", pid);
    if (h->denied)
        return http_fail(res, SW_EBREAKGLASS, "Patient/%s's record is "
                         "restricted: break the glass first", h->patient);
    json_t *versions = json_array();
    for (size_t i = 0; versions && i < h->n; i++) {
        const struct version *v = &h->v[i];
        char at[SW_TIME_ISO_MAX];
        sw_time_iso(v->updated_ms, at);
        const char *system = NULL, *code = NULL;
        if (v->r)
            problem_coding(v->r, &system, &code);
        json_t *by = v->username ? server_person(v->username, v->display)
                                 : json_null();
        json_t *one = json_pack("{s:I, s:s, s:s, s:o, s:s?, s:s?, s:s?}",
                                "version", (json_int_t)v->version,
                                "status", v->deleted ? "deleted"
                                          : problem_status(v->r),
                                "at", at, "by", by,
                                "code", code,
                                "display", v->r ? problem_text(v->r) : NULL,
                                "abatement", v->r ? sw_json_get_string(
                                    v->r, "abatementDateTime") : NULL);
        if (one == NULL || json_array_append_new(versions, one) != 0) {
            json_decref(versions);
            versions = NULL;
        }
    }
    if (versions == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    return server_reply_json(res, 200, json_pack("{s:s, s:s?, s:o}", "problem",
                                                 pid, "patient", h->patient,
                                                 "versions", versions));
}

static const http_route routes[] = {
    { "GET",  "/api/patients/{id}/problems", get_problems, 0, "clinical:read" },
    { "POST", "/api/patients/{id}/problems", post_problem, HTTP_ROUTE_BODY,
      "clinical:write" },
    { "POST", "/api/patients/{id}/problems/{pid}/resolve", post_resolve,
      HTTP_ROUTE_BODY, "clinical:write" },
    { "GET",  "/api/problems/{pid}/history", get_history, 0, "clinical:read" },
};

const http_route_table problems_routes = {
    .name = "problems",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
