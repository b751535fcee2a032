/* api_results.c - results arriving for orders, and their review
 * (docs/workflows.md, "Results and sign-off"):
 *
 *   POST /api/results                 a laboratory interface, or a
 *        clinician entering an outside result, files the values of an
 *        order: one DiagnosticReport, one Observation per value, the
 *        order completed, and an item in the ordering clinician's inbox,
 *        all in one transaction
 *   GET  /api/results/{id}            the report with its values, flags and
 *        review
 *   POST /api/results/{id}/sign-off   {"comment"?}: the clinician has seen
 *        it: a Provenance (agent type verifier) targets the report, the
 *        comment becomes a Communication about it, the inbox item is done
 *        and the step is audited as results.sign_off, in one transaction
 *
 * Flags are computed here from the ranges sent (results.h), never taken
 * from the sender. When the order's requester names no enabled account,
 * the result still files: its inbox item goes to the person who filed it,
 * or, when a laboratory interface filed it, to every clinician who may
 * order; the answer says so ("routed_to", "requester_unresolved"). A
 * second result for the same order is a new report (a correction is filed
 * with status "corrected"): reports are never overwritten, and the order's
 * list shows the newest. */
#include "app.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/authz.h"
#include "auth/restricted.h"
#include "auth/users.h"
#include "clinical/inbox.h"
#include "clinical/results.h"
#include "core/clock.h"
#include "fhir/resources.h"

#define RESULT_BODY_MAX (256 * 1024)
#define PROVENANCE_AGENT_TYPE \
    "http://terminology.hl7.org/CodeSystem/provenance-participant-type"

/* Reads the current type/id as a jansson tree; *out NULL when it does not
 * exist or is deleted. */
static int read_json(store_tx *tx, sw_arena *a, int64_t practice_id,
                     const char *type, const char *id, json_t **out,
                     int64_t *version)
{
    fhir_version v;
    *out = NULL;
    int rc = fhir_row_read(tx, a, practice_id, type, id, 0, &v);
    if (rc == SW_ENOTFOUND)
        return SW_OK;
    if (rc != SW_OK || v.deleted)
        return rc;
    *out = json_loadb(v.body, v.body_len, 0, NULL);
    if (*out == NULL)
        return store_tx_fail(tx, SW_EINTERNAL, "a stored %s is not JSON", type);
    if (version)
        *version = v.version;
    return SW_OK;
}

/* The first Provenance that targets DiagnosticReport/id: the review. */
static int find_review(store_tx *tx, sw_arena *a, int64_t practice_id,
                       const char *id, json_t **prov, int64_t *count)
{
    store_stmt *st;
    *prov = NULL;
    *count = 0;
    int rc = store_prepare(tx,
        "SELECT r.res_id FROM fhir_idx_ref x JOIN fhir_resource r "
        "ON r.practice_id = x.practice_id AND r.res_type = x.res_type "
        "AND r.res_id = x.res_id WHERE x.practice_id = ? "
        "AND x.res_type = 'Provenance' AND x.param = 'target' "
        "AND x.target_type = 'DiagnosticReport' AND x.target_id = ? "
        "AND r.deleted = 0 ORDER BY r.updated_ms, r.res_id", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    char *first = NULL;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, id)) == SW_OK)
        while ((rc = store_step(st, &row)) == SW_OK && row) {
            if (*count == 0)
                first = sw_arena_strdup(a, store_col_text(st, 0, NULL));
            (*count)++;
        }
    store_finalize(st);
    if (rc == SW_OK && first)
        rc = read_json(tx, a, practice_id, "Provenance", first, prov, NULL);
    return rc;
}

/* ---- Filing a result ------------------------------------------------------- */

static const char *const value_members[] = {
    "code", "system", "display", "value", "unit", "low", "high",
    "critical_low", "critical_high", NULL,
};

/* One member of observations[i] into v; 400 naming it when it is wrong. */
static int read_value(json_t *o, size_t i, result_value *v, sw_response *res)
{
    if (!json_is_object(o))
        return http_fail(res, SW_EINVAL, "\"observations[%zu]\" must be an "
                         "object", i);
    const char *key;
    json_t *m;
    json_object_foreach(o, key, m) {
        bool known = false;
        for (size_t k = 0; value_members[k] && !known; k++)
            known = strcmp(key, value_members[k]) == 0;
        if (!known)
            return http_fail(res, SW_EINVAL, "\"observations[%zu].%.40s\" is "
                             "not a member of a result value", i, key);
    }
    static const char *const texts[] = { "code", "system", "display", "unit" };
    const char **dst[] = { &v->code, &v->system, &v->display, &v->unit };
    for (size_t k = 0; k < 4; k++) {
        json_t *t = json_object_get(o, texts[k]);
        if (t && !json_is_string(t))
            return http_fail(res, SW_EINVAL, "\"observations[%zu].%s\" must "
                             "be a string", i, texts[k]);
        *dst[k] = json_string_value(t);
    }
    json_t *value = json_object_get(o, "value");
    if (json_is_number(value)) {
        v->is_number = true;
        v->number = json_number_value(value);
    } else if (json_is_string(value)) {
        v->text = json_string_value(value);
    } else {
        return http_fail(res, SW_EINVAL, "\"observations[%zu].value\" must be "
                         "a number or text", i);
    }
    static const char *const limits[] = { "low", "high", "critical_low", "critical_high" };
    bool *has[] = { &v->has_low, &v->has_high, &v->has_critical_low, &v->has_critical_high };
    double *num[] = { &v->low, &v->high, &v->critical_low, &v->critical_high };
    for (size_t k = 0; k < 4; k++) {
        json_t *n = json_object_get(o, limits[k]);
        if (n == NULL || json_is_null(n))
            continue;
        if (!json_is_number(n))
            return http_fail(res, SW_EINVAL, "\"observations[%zu].%s\" must be "
                             "a number", i, limits[k]);
        if (!v->is_number)
            return http_fail(res, SW_EINVAL, "\"observations[%zu].%s\" applies "
                             "only to a numeric value", i, limits[k]);
        *has[k] = true;
        *num[k] = json_number_value(n);
    }
    return SW_OK;
}

/* What the order says, read before anything is written. */
struct order_state {
    int64_t     practice_id;
    const char *order_id;
    sw_arena   *a;
    json_t     *sr;             /* NULL: no such order */
    int64_t     version;
};

static int order_fn(store_tx *tx, void *arg)
{
    struct order_state *o = arg;
    json_decref(o->sr);
    return read_json(tx, o->a, o->practice_id, "ServiceRequest", o->order_id,
                     &o->sr, &o->version);
}

/* What the transaction's last step needs: whose inboxes, and what they
 * got. */
#define RESULT_ROUTE_MAX 64
struct file_after {
    int64_t     practice_id;
    int64_t     user_ids[RESULT_ROUTE_MAX];
    size_t      nusers;
    const char *patient_id;
    const char *flag;
    int64_t     item_id;        /* the first recipient's */
};

static int file_after_fn(store_tx *tx, void *arg, const fhir_bundle_written *w,
                         size_t n)
{
    struct file_after *f = arg;
    const char *report = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(w[i].type, "DiagnosticReport") == 0)
            report = w[i].id;
    if (report == NULL)
        return store_tx_fail(tx, SW_EINTERNAL, "the report was not written");
    int rc = SW_OK;
    for (size_t i = 0; rc == SW_OK && i < f->nusers; i++) {
        inbox_new item = {
            .practice_id = f->practice_id, .user_id = f->user_ids[i],
            .kind = INBOX_RESULT, .res_type = "DiagnosticReport", .res_id = report,
            .patient_id = f->patient_id, .flag = f->flag, .at_ms = sw_now_wall_ms(),
        };
        int64_t id = 0;
        rc = inbox_add(tx, &item, &id);
        if (i == 0)
            f->item_id = id;
    }
    return rc;
}

/* Whose inbox: the order's requester when that is an enabled account of a
 * person. Otherwise the person filing the result holds it; and when a
 * service account (a laboratory interface) files it, every enabled
 * clinician who may order gets it, and the first to sign it off clears it
 * for all (inbox_done_for). *to lists them (JSON {username, display}). */
static int route_to(sw_request *req, sw_response *res, json_t *sr,
                    struct file_after *f, json_t *to, bool *unresolved)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    sw_err err;
    auth_user u;
    const char *username = server_reference_username(json_object_get(sr, "requester"));
    *unresolved = true;
    f->nusers = 0;
    if (username) {
        int rc = auth_user_find(app->store, req->arena, s->practice_id,
                                username, &u, &err);
        if (rc == SW_OK && !u.disabled && strcmp(u.kind, AUTH_KIND_PERSON) == 0)
            *unresolved = false;
        else if (rc != SW_OK && rc != SW_ENOTFOUND)
            return http_fail(res, rc, "%s", sw_err_text(&err));
    }
    if (*unresolved) {
        int rc = auth_user_get(app->store, req->arena, s->practice_id,
                               s->user_id, &u, &err);
        if (rc != SW_OK)
            return http_fail(res, rc, "%s", sw_err_text(&err));
    }
    if (!*unresolved || strcmp(u.kind, AUTH_KIND_PERSON) == 0) {
        f->user_ids[f->nusers++] = u.user_id;
        json_array_append_new(to, json_pack("{s:s, s:s}", "username", u.username,
                                            "display", u.display_name));
        return SW_OK;
    }
    auth_user *all;
    size_t n;
    int rc = auth_user_list(app->store, req->arena, s->practice_id, &all, &n, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    for (size_t i = 0; i < n && f->nusers < RESULT_ROUTE_MAX; i++) {
        if (all[i].disabled || strcmp(all[i].kind, AUTH_KIND_PERSON) != 0
            || !authz_allows(all[i].roles, NULL, AUTHZ_ORDERS, AUTHZ_ORDER))
            continue;
        f->user_ids[f->nusers++] = all[i].user_id;
        json_array_append_new(to, json_pack("{s:s, s:s}", "username",
                                            all[i].username, "display",
                                            all[i].display_name));
    }
    if (f->nusers == 0)
        return http_fail(res, SW_ECONFLICT, "the order's requester has no "
                         "account here and no clinician could be found to "
                         "review the result");
    return SW_OK;
}

static int post_result(sw_request *req, sw_response *res)
{
    static const char *const members[] = {
        "order", "status", "issued", "conclusion", "observations", NULL,
    };
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    json_t *doc = NULL, *performer = NULL, *reply = NULL;
    char *performer_text = NULL, *code_text = NULL;
    result_value *values = NULL;
    size_t nvalues = 0;
    sw_buf one = SW_BUF_INIT(64 * 1024);
    server_bundle b;
    server_bundle_begin(&b);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    struct order_state o = { .practice_id = s->practice_id, .a = req->arena };
    sw_err err;
    int rc = server_json_body(req, res, RESULT_BODY_MAX, &doc);
    if (rc == SW_OK)
        rc = server_json_only_members(doc, members, res);
    result_report r = { 0 };
    if (rc == SW_OK) {
        o.order_id = json_string_value(json_object_get(doc, "order"));
        r.status = json_string_value(json_object_get(doc, "status"));
        json_t *conclusion = json_object_get(doc, "conclusion");
        json_t *issued = json_object_get(doc, "issued");
        json_t *obs = json_object_get(doc, "observations");
        int64_t issued_ms = sw_now_wall_ms();
        if (o.order_id == NULL || o.order_id[0] == '\0' || strlen(o.order_id) > 64)
            rc = http_fail(res, SW_EINVAL, "\"order\" must be the id of the "
                           "order (a ServiceRequest)");
        else if (!results_status_ok(r.status))
            rc = http_fail(res, SW_EINVAL, "\"status\" must be final, "
                           "preliminary, corrected or amended");
        else if (issued && (!json_is_string(issued)
                            || !sw_time_parse_iso(json_string_value(issued), &issued_ms)))
            rc = http_fail(res, SW_EINVAL, "\"issued\" must be an ISO 8601 "
                           "instant with a time zone");
        else if (conclusion && (!json_is_string(conclusion)
                                || json_string_length(conclusion) == 0
                                || json_string_length(conclusion) > RESULTS_TEXT_MAX))
            rc = http_fail(res, SW_EINVAL, "\"conclusion\" must be 1 to %d "
                           "characters", RESULTS_TEXT_MAX);
        else if (!json_is_array(obs) || json_array_size(obs) > RESULTS_MAX_VALUES)
            rc = http_fail(res, SW_EINVAL, "\"observations\" must be a list of "
                           "at most %d values", RESULTS_MAX_VALUES);
        else if (json_array_size(obs) == 0 && conclusion == NULL)
            rc = http_fail(res, SW_EINVAL, "\"observations\" is empty: send "
                           "the values, or a \"conclusion\"");
        r.conclusion = json_string_value(conclusion);
        char *iso = sw_arena_alloc(req->arena, SW_TIME_ISO_MAX);
        if (rc == SW_OK && iso == NULL)
            rc = http_fail(res, SW_ENOMEM, NULL);
        if (rc == SW_OK) {
            sw_time_iso(issued_ms, iso);
            r.issued = iso;
            nvalues = json_array_size(obs);
            values = sw_arena_calloc(req->arena, nvalues + 1, sizeof *values);
            if (values == NULL)
                rc = http_fail(res, SW_ENOMEM, NULL);
        }
        for (size_t i = 0; rc == SW_OK && i < nvalues; i++) {
            rc = read_value(json_array_get(obs, i), i, &values[i], res);
            if (rc == SW_OK) {
                results_apply_defaults(&values[i]);
                if (results_value_check(&values[i], i, &err) != SW_OK)
                    rc = http_fail(res, err.code, "%s", err.msg);
            }
        }
    }
    /* The order: it must exist and still be open to results. */
    if (rc == SW_OK && (rc = store_read(app->store, order_fn, &o, &err)) != SW_OK)
        rc = http_fail(res, rc, "%s", sw_err_text(&err));
    const char *sr_status = json_string_value(json_object_get(o.sr, "status"));
    if (rc == SW_OK && o.sr == NULL)
        rc = http_fail(res, SW_ENOTFOUND, "\"order\": there is no "
                       "ServiceRequest/%s", o.order_id);
    else if (rc == SW_OK && sr_status
             && (strcmp(sr_status, "revoked") == 0
                 || strcmp(sr_status, "entered-in-error") == 0))
        rc = http_fail(res, SW_ECONFLICT, "the order was %s: a result cannot "
                       "be filed against it", sr_status);
    if (rc == SW_OK) {
        r.patient_id = results_ref_id(json_object_get(o.sr, "subject"), "Patient");
        r.encounter_id = results_ref_id(json_object_get(o.sr, "encounter"), "Encounter");
        r.order_id = o.order_id;
        json_t *cat = json_array_get(json_object_get(o.sr, "category"), 0);
        const char *cc = json_string_value(json_object_get(
            json_array_get(json_object_get(cat, "coding"), 0), "code"));
        r.imaging = cc && strcmp(cc, RESULTS_CAT_IMG_CODE) == 0;
        code_text = json_dumps(json_object_get(o.sr, "code"), JSON_COMPACT);
        r.code_json = code_text;
        if (r.patient_id == NULL)
            rc = http_fail(res, SW_ECONFLICT, "the order is not about a "
                           "patient: a result cannot be filed against it");
    }
    struct file_after *fa = sw_arena_calloc(req->arena, 1, sizeof *fa);
    json_t *to = json_array();
    bool unresolved = false;
    if (rc == SW_OK && (fa == NULL || to == NULL))
        rc = http_fail(res, SW_ENOMEM, NULL);
    if (rc == SW_OK)
        rc = route_to(req, res, o.sr, fa, to, &unresolved);
    if (rc == SW_OK && (performer = server_user_reference(req, res)) == NULL)
        rc = SW_EINTERNAL;
    if (rc == SW_OK && (performer_text = json_dumps(performer, JSON_COMPACT)) == NULL)
        rc = http_fail(res, SW_ENOMEM, NULL);
    r.performer_json = performer_text;

    /* The Bundle: values, report, the order completed. */
    bool abnormal = false, critical = false;
    if (rc == SW_OK) {
        const char **refs = sw_arena_calloc(req->arena, nvalues + 1, sizeof *refs);
        for (size_t i = 0; refs && i < nvalues; i++) {
            char id[37];
            fhir_new_id(id);
            char *url = sw_arena_alloc(req->arena, 48);
            if (url == NULL)
                break;
            snprintf(url, 48, "urn:uuid:%s", id);
            refs[i] = url;
            const char *flag = results_flag(&values[i]);
            abnormal = abnormal || (flag[0] && strcmp(flag, "N") != 0);
            critical = critical || strcmp(flag, "HH") == 0 || strcmp(flag, "LL") == 0;
            sw_buf_reset(&one);
            if (results_observation_resource(&r, &values[i], &one) != SW_OK)
                rc = SW_ENOMEM;
            server_bundle_add(&b, "POST", "Observation", sw_buf_str(&one), one.len, url, 0);
        }
        if (refs == NULL || (nvalues > 0 && refs[nvalues - 1] == NULL))
            rc = SW_ENOMEM;
        sw_buf_reset(&one);
        if (rc == SW_OK && results_report_resource(&r, refs, nvalues, &one) != SW_OK)
            rc = SW_ENOMEM;
        server_bundle_add(&b, "POST", "DiagnosticReport", sw_buf_str(&one), one.len, NULL, 0);
        /* A preliminary result leaves the order open for the final one. */
        if (strcmp(r.status, "preliminary") != 0 && sr_status
            && strcmp(sr_status, "completed") != 0) {
            json_object_del(o.sr, "meta");
            json_object_set_new(o.sr, "status", json_string("completed"));
            char url[96];
            snprintf(url, sizeof url, "ServiceRequest/%s", o.order_id);
            server_bundle_add_json(&b, "PUT", url, json_incref(o.sr), NULL, o.version);
        }
        if (server_bundle_end(&b) != SW_OK && rc == SW_OK)
            rc = SW_ENOMEM;
        if (rc != SW_OK)
            rc = http_fail(res, rc, NULL);
    }
    if (rc == SW_OK) {
        fa->practice_id = s->practice_id;
        fa->patient_id = r.patient_id;
        fa->flag = critical ? "critical" : abnormal ? "abnormal" : "";
        rc = server_fhir_transaction_then(req, res, &b.text, &out, file_after_fn, fa);
        if (rc == SW_EPRECOND)
            rc = server_conflict(res, NULL, "the order changed while the "
                                 "result was being filed; send it again");
    }
    if (rc == SW_OK) {
        json_t *reports = server_created_ids(req->arena, &out, "DiagnosticReport");
        json_t *obs_ids = server_created_ids(req->arena, &out, "Observation");
        reply = json_pack("{s:O?, s:o, s:b, s:b, s:I, s:O, s:b}",
            "report", json_array_get(reports, 0), "observations", obs_ids,
            "abnormal", abnormal, "critical", critical,
            "inbox_item", (json_int_t)fa->item_id, "routed_to", to,
            "requester_unresolved", unresolved);
        json_decref(reports);
        rc = server_reply_json(res, 201, reply);
    }
    json_decref(to);
    free(performer_text);
    free(code_text);
    json_decref(performer);
    json_decref(o.sr);
    json_decref(doc);
    server_bundle_free(&b);
    sw_buf_free(&one);
    sw_buf_free(&out);
    return rc;
}

/* ---- Reading a result ------------------------------------------------------ */

struct result_read {
    int64_t     practice_id;
    int64_t     user_id;
    bool        allowed;        /* the patient's record may be opened */
    const char *id;
    sw_arena   *a;
    json_t     *report;         /* NULL: no such report */
    json_t     *observations;   /* the result's Observations, in order */
    json_t     *patient;
    json_t     *order;
    json_t     *review;         /* the Provenance, or NULL */
    json_t     *comment;        /* the Communication, or NULL */
};

static void result_read_clear(struct result_read *r)
{
    json_decref(r->report);
    json_decref(r->observations);
    json_decref(r->patient);
    json_decref(r->order);
    json_decref(r->review);
    json_decref(r->comment);
    r->report = r->observations = r->patient = r->order = NULL;
    r->review = r->comment = NULL;
}

static int result_read_fn(store_tx *tx, void *arg)
{
    struct result_read *r = arg;
    result_read_clear(r);
    int rc = read_json(tx, r->a, r->practice_id, "DiagnosticReport", r->id,
                       &r->report, NULL);
    if (rc != SW_OK || r->report == NULL)
        return rc;
    if ((r->observations = json_array()) == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    size_t i;
    json_t *ref;
    json_array_foreach(json_object_get(r->report, "result"), i, ref) {
        const char *oid = results_ref_id(ref, "Observation");
        json_t *obs = NULL;
        if (oid && (rc = read_json(tx, r->a, r->practice_id, "Observation", oid,
                                   &obs, NULL)) != SW_OK)
            return rc;
        if (obs)
            json_array_append_new(r->observations, obs);
    }
    const char *pid = results_ref_id(json_object_get(r->report, "subject"), "Patient");
    r->allowed = true;
    if (pid && (rc = auth_patient_access(tx, r->practice_id, r->user_id, pid,
                                         sw_now_wall_ms(), &r->allowed)) != SW_OK)
        return rc;
    if (pid && (rc = read_json(tx, r->a, r->practice_id, "Patient", pid,
                               &r->patient, NULL)) != SW_OK)
        return rc;
    const char *order = results_ref_id(json_array_get(json_object_get(r->report,
                                       "basedOn"), 0), "ServiceRequest");
    if (order && (rc = read_json(tx, r->a, r->practice_id, "ServiceRequest",
                                 order, &r->order, NULL)) != SW_OK)
        return rc;
    int64_t count;
    if ((rc = find_review(tx, r->a, r->practice_id, r->id, &r->review, &count)) != SW_OK)
        return rc;
    json_t *target;
    json_array_foreach(json_object_get(r->review, "target"), i, target) {
        const char *cid = results_ref_id(target, "Communication");
        if (cid && r->comment == NULL
            && (rc = read_json(tx, r->a, r->practice_id, "Communication", cid,
                               &r->comment, NULL)) != SW_OK)
            return rc;
    }
    return SW_OK;
}

static json_t *number_or_null(json_t *quantity)
{
    json_t *v = json_object_get(quantity, "value");
    return v ? json_incref(v) : json_null();
}

static json_t *observation_json(json_t *obs)
{
    json_t *q = json_object_get(obs, "valueQuantity");
    json_t *range = json_array_get(json_object_get(obs, "referenceRange"), 0);
    json_t *interp = json_array_get(json_object_get(obs, "interpretation"), 0);
    const char *flag = json_string_value(json_object_get(
        json_array_get(json_object_get(interp, "coding"), 0), "code"));
    json_t *code = json_array_get(json_object_get(json_object_get(obs, "code"),
                                                  "coding"), 0);
    json_t *value = q ? number_or_null(q)
                      : json_incref(json_object_get(obs, "valueString"));
    return json_pack("{s:s?, s:s?, s:s, s:o, s:s?, s:o, s:o, s:s}",
        "id", json_string_value(json_object_get(obs, "id")),
        "code", json_string_value(json_object_get(code, "code")),
        "display", results_concept_text(json_object_get(obs, "code")),
        "value", value ? value : json_null(),
        "unit", json_string_value(json_object_get(q, "unit")),
        "low", number_or_null(json_object_get(range, "low")),
        "high", number_or_null(json_object_get(range, "high")),
        "flag", flag ? flag : "");
}

static json_t *review_json(json_t *prov, json_t *comm)
{
    if (prov == NULL)
        return json_null();
    json_t *agent = json_array_get(json_object_get(prov, "agent"), 0);
    const char *comment = json_string_value(json_object_get(
        json_array_get(json_object_get(comm, "payload"), 0), "contentString"));
    return json_pack("{s:o, s:s?, s:s?}",
        "by", server_person_json(json_object_get(agent, "who")),
        "at", json_string_value(json_object_get(prov, "recorded")),
        "comment", comment);
}

static int get_result(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    struct result_read r = { .practice_id = s->practice_id, .user_id = s->user_id,
                             .id = http_route_value(req, "id"), .a = req->arena };
    sw_err err;
    int rc = store_read(app->store, result_read_fn, &r, &err);
    if (rc != SW_OK)
        rc = http_fail(res, rc, "%s", sw_err_text(&err));
    else if (r.report == NULL)
        rc = http_fail(res, SW_ENOTFOUND, "there is no result %s", r.id);
    else if (!r.allowed)
        rc = http_fail(res, SW_EBREAKGLASS, "this patient's record is "
                       "restricted: break the glass first");
    const char *pid = results_ref_id(json_object_get(r.report, "subject"), "Patient");
    /* A read of the record is recorded like a FHIR read. */
    audit_who who;
    server_audit_who(req, &who);
    audit_entry e = { .who = &who, .action = AUDIT_READ, .feature = "results.read",
                      .patient_id = pid ? pid : "", .res_type = "DiagnosticReport",
                      .res_id = r.id, .outcome = AUDIT_SUCCESS, .detail = "" };
    bool denied = rc == SW_EBREAKGLASS;
    if (denied)
        e.outcome = AUDIT_DENIED;
    if ((rc == SW_OK || denied) && audit_record(app->store, &e, &err) != SW_OK
        && !denied)
        rc = http_fail(res, SW_ESTORE, "the read could not be recorded");
    if (rc != SW_OK) {
        result_read_clear(&r);
        return rc;
    }
    json_t *obs = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(r.observations, i, o)
        json_array_append_new(obs, observation_json(o));
    const char *order = results_ref_id(json_array_get(json_object_get(r.report,
                                       "basedOn"), 0), "ServiceRequest");
    json_t *patient = server_patient_json(pid, r.patient);
    json_t *reply = json_pack("{s:s, s:s?, s:s, s:s?, s:s?, s:s?, s:o?, s:o, s:o, s:o}",
        "id", r.id,
        "status", json_string_value(json_object_get(r.report, "status")),
        "title", results_concept_text(json_object_get(r.report, "code")),
        "issued", json_string_value(json_object_get(r.report, "issued")),
        "conclusion", json_string_value(json_object_get(r.report, "conclusion")),
        "order", order,
        "requester", r.order ? server_person_json(json_object_get(r.order, "requester")) : NULL,
        "patient", patient,
        "observations", obs,
        "reviewed", review_json(r.review, r.comment));
    result_read_clear(&r);
    return server_reply_json(res, 200, reply);
}

/* ---- Signing off ------------------------------------------------------------ */

struct sign_after {
    int64_t     practice_id;
    int64_t     user_id;
    const char *report;
    const char *patient;
    sw_arena   *a;
    const sw_request *req;
};

static int sign_after_fn(store_tx *tx, void *arg, const fhir_bundle_written *w,
                         size_t n)
{
    struct sign_after *sa = arg;
    (void)w;
    (void)n;
    /* Two clinicians signing off at once: the first review stands. */
    json_t *prov;
    int64_t count;
    int rc = find_review(tx, sa->a, sa->practice_id, sa->report, &prov, &count);
    json_decref(prov);
    if (rc == SW_OK && count > 1)
        return store_tx_fail(tx, SW_ECONFLICT, "this result was already "
                             "signed off");
    if (rc == SW_OK)
        rc = inbox_done_for(tx, sa->practice_id, INBOX_RESULT, "DiagnosticReport",
                            sa->report, sa->user_id, sw_now_wall_ms(), NULL);
    if (rc == SW_OK)
        rc = server_workflow_audit(tx, sa->req, AUDIT_UPDATE, "results.sign_off",
                                   sa->patient, "DiagnosticReport", sa->report,
                                   "");
    return rc;
}

static int reply_signed(sw_response *res, const char *id, json_t *review,
                        bool unchanged)
{
    return server_reply_json(res, 200, json_pack("{s:s, s:s?, s:b}",
        "report", id, "reviewed_at",
        json_string_value(json_object_get(review, "recorded")),
        "unchanged", unchanged));
}

static int post_sign_off(sw_request *req, sw_response *res)
{
    static const char *const members[] = { "comment", NULL };
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    struct result_read r = { .practice_id = s->practice_id, .user_id = s->user_id,
                             .id = http_route_value(req, "id"), .a = req->arena };
    json_t *doc = NULL, *me = NULL;
    sw_buf one = SW_BUF_INIT(16 * 1024);
    server_bundle b;
    server_bundle_begin(&b);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    sw_err err;
    int rc = SW_OK;
    const char *comment = NULL;
    /* The body is optional: no body is a sign-off without a comment. */
    if (req->body_len > 0) {
        rc = server_json_body(req, res, 16 * 1024, &doc);
        if (rc == SW_OK)
            rc = server_json_only_members(doc, members, res);
        json_t *c = json_object_get(doc, "comment");
        if (rc == SW_OK && c && !json_is_null(c)
            && (!json_is_string(c) || json_string_length(c) == 0
                || json_string_length(c) > RESULTS_TEXT_MAX))
            rc = http_fail(res, SW_EINVAL, "\"comment\" must be 1 to %d "
                           "characters", RESULTS_TEXT_MAX);
        comment = json_string_value(c);
    }
    if (rc == SW_OK && (rc = store_read(app->store, result_read_fn, &r, &err)) != SW_OK)
        rc = http_fail(res, rc, "%s", sw_err_text(&err));
    else if (rc == SW_OK && r.report == NULL)
        rc = http_fail(res, SW_ENOTFOUND, "there is no result %s", r.id);
    if (rc == SW_OK && !r.allowed)
        rc = http_fail(res, SW_EBREAKGLASS, "this patient's record is "
                       "restricted: break the glass first");
    if (rc == SW_OK && r.review) {
        rc = reply_signed(res, r.id, r.review, true);
        goto out;
    }
    const char *patient = results_ref_id(json_object_get(r.report, "subject"), "Patient");
    if (rc == SW_OK && (me = server_user_reference(req, res)) == NULL)
        rc = SW_EINTERNAL;
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    if (rc == SW_OK) {
        char report_ref[96], comm_url[48], id[37];
        snprintf(report_ref, sizeof report_ref, "DiagnosticReport/%s", r.id);
        fhir_new_id(id);
        snprintf(comm_url, sizeof comm_url, "urn:uuid:%s", id);
        json_t *targets = json_pack("[{s:s}]", "reference", report_ref);
        if (comment) {
            json_t *comm = json_pack("{s:s, s:s, s:{s:s}, s:[{s:s}], s:s, s:O, s:[{s:s}]}",
                "resourceType", "Communication", "status", "completed",
                "topic", "text", "Result review",
                "about", "reference", report_ref,
                "sent", now, "sender", me,
                "payload", "contentString", comment);
            if (comm && patient) {
                char subject[96];
                snprintf(subject, sizeof subject, "Patient/%s", patient);
                json_object_set_new(comm, "subject", json_pack("{s:s}", "reference", subject));
            }
            if (comm == NULL)
                rc = SW_ENOMEM;
            server_bundle_add_json(&b, "POST", "Communication", comm, comm_url, 0);
            json_array_append_new(targets, json_pack("{s:s}", "reference", comm_url));
        }
        json_t *prov = json_pack("{s:s, s:o, s:s, s:[{s:{s:[{s:s, s:s, s:s}]}, s:O}]}",
            "resourceType", "Provenance", "target", targets, "recorded", now,
            "agent", "type", "coding", "system", PROVENANCE_AGENT_TYPE,
            "code", "verifier", "display", "Verifier", "who", me);
        if (prov == NULL)
            rc = SW_ENOMEM;
        server_bundle_add_json(&b, "POST", "Provenance", prov, NULL, 0);
        if (server_bundle_end(&b) != SW_OK && rc == SW_OK)
            rc = SW_ENOMEM;
        if (rc != SW_OK)
            rc = http_fail(res, rc, NULL);
    }
    struct sign_after sa = { .practice_id = s->practice_id, .user_id = s->user_id,
                             .report = r.id, .patient = patient, .a = req->arena,
                             .req = req };
    if (rc == SW_OK) {
        rc = server_fhir_transaction_then(req, res, &b.text, &out, sign_after_fn, &sa);
        if (rc == SW_ECONFLICT) {
            /* Someone else's sign-off committed first: theirs stands. */
            sw_buf_reset(&res->body);
            res->status = 0;
            if ((rc = store_read(app->store, result_read_fn, &r, &err)) != SW_OK)
                rc = http_fail(res, rc, "%s", sw_err_text(&err));
            else
                rc = reply_signed(res, r.id, r.review, true);
            goto out;
        }
    }
    if (rc == SW_OK)
        rc = server_reply_json(res, 200, json_pack("{s:s, s:s, s:b}", "report",
                               r.id, "reviewed_at", now, "unchanged", 0));
out:
    result_read_clear(&r);
    json_decref(me);
    json_decref(doc);
    server_bundle_free(&b);
    sw_buf_free(&one);
    sw_buf_free(&out);
    return rc;
}

static const http_route routes[] = {
    { "POST", "/api/results", post_result, HTTP_ROUTE_BODY, "results:write" },
    { "GET", "/api/results/{id}", get_result, 0, "results:read" },
    { "POST", "/api/results/{id}/sign-off", post_sign_off, HTTP_ROUTE_BODY,
      "results:read" },
};

const http_route_table results_routes = {
    .name = "results",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
