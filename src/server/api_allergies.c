/* api_allergies.c - POST /api/patients/{id}/allergies: recording an allergy
 * or "no known allergies" (docs/workflows.md), with the list kept
 * consistent by the rules of src/clinical/allergies.h.
 *
 *   {"substance": {"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
 *                  "code": "7980", "display": "Penicillin G"},
 *    "category": "medication", "criticality": "high",
 *    "reaction": "Hives", "severity": "moderate"}
 *   {"substance": {"text": "Peanuts"}, "category": "food"}
 *   {"no_known_allergies": true}
 *
 * The current list is read, the decision made, and the writes sent as one
 * FHIR transaction whose updates carry If-Match: if the list changed in
 * between, nothing is written and the client is asked to try again. */
#include "app.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "clinical/allergies.h"
#include "core/clock.h"
#include "fhir/resources.h"

#define ALLERGY_BODY_MAX 4096
#define ALLERGY_LIST_MAX 200

static const char *const members[] = {
    "substance", "category", "criticality", "reaction", "severity",
    "no_known_allergies", NULL,
};

static int read_input(json_t *doc, allergy_input *in, sw_response *res)
{
    int rc = server_json_only_members(doc, members, res);
    if (rc != SW_OK)
        return rc;
    json_t *none = json_object_get(doc, "no_known_allergies");
    if (none && !json_is_true(none))
        return http_fail(res, SW_EINVAL, "\"no_known_allergies\" must be true "
                         "when given");
    in->none = none != NULL;
    json_t *sub = json_object_get(doc, "substance");
    if (sub) {
        static const char *const parts[] = { "system", "code", "display", "text", NULL };
        if (!json_is_object(sub))
            return http_fail(res, SW_EINVAL, "\"substance\" must be an object "
                             "with system, code and display, or text");
        if ((rc = server_json_only_members(sub, parts, res)) != SW_OK)
            return rc;
        in->system = json_string_value(json_object_get(sub, "system"));
        in->code = json_string_value(json_object_get(sub, "code"));
        in->display = json_string_value(json_object_get(sub, "display"));
        if (in->display == NULL)
            in->display = json_string_value(json_object_get(sub, "text"));
    } else if (!in->none) {
        return http_fail(res, SW_EINVAL, "give \"substance\", or "
                         "\"no_known_allergies\": true");
    }
    static const char *const texts[] = { "category", "criticality", "reaction", "severity" };
    const char **dst[] = { &in->category, &in->criticality, &in->reaction, &in->severity };
    for (size_t i = 0; i < 4; i++) {
        json_t *v = json_object_get(doc, texts[i]);
        if (v && !json_is_string(v))
            return http_fail(res, SW_EINVAL, "\"%s\" must be a string", texts[i]);
        *dst[i] = json_string_value(v);
    }
    return SW_OK;
}

/* The patient's current AllergyIntolerance resources. */
struct listing {
    sw_arena   *a;
    int64_t     practice_id;
    const char *patient;
    bool        patient_found;
    size_t      n;
    const char *ids[ALLERGY_LIST_MAX];
    int64_t     versions[ALLERGY_LIST_MAX];
    sw_json    *resources[ALLERGY_LIST_MAX];
};

static int list_fn(store_tx *tx, void *arg)
{
    struct listing *l = arg;
    l->n = 0;
    int rc = fhir_row_exists(tx, l->practice_id, "Patient", l->patient,
                             &l->patient_found);
    if (rc != SW_OK || !l->patient_found)
        return rc;
    store_stmt *st;
    rc = store_prepare(tx,
        "SELECT r.res_id, r.version, r.body FROM fhir_resource r "
        "WHERE r.practice_id = ? AND r.res_type = 'AllergyIntolerance' "
        "AND r.deleted = 0 AND r.res_id IN (SELECT x.res_id FROM fhir_idx_ref x "
        "WHERE x.practice_id = ? AND x.res_type = 'AllergyIntolerance' "
        "AND x.target_type = 'Patient' AND x.target_id = ?) ORDER BY r.res_id", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, l->practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 2, l->practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 3, l->patient)) == SW_OK)
        while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row
               && l->n < ALLERGY_LIST_MAX) {
            size_t len;
            const char *body = store_col_text(st, 2, &len);
            l->ids[l->n] = sw_arena_strdup(l->a, store_col_text(st, 0, NULL));
            l->versions[l->n] = store_col_int64(st, 1);
            if (l->ids[l->n] == NULL
                || sw_json_parse(l->a, body, len, &l->resources[l->n], NULL) != SW_OK)
                rc = SW_ENOMEM;
            else
                l->n++;
        }
    store_finalize(st);
    return rc;
}

static void entry_request(sw_jw *w, const char *method, const char *url,
                          int64_t if_match)
{
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
}

static int post_allergy(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    const char *patient = http_route_value(req, "id");
    json_t *doc;
    int rc = server_json_body(req, res, ALLERGY_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    allergy_input in = { 0 };
    sw_err err;
    rc = read_input(doc, &in, res);
    if (rc == SW_OK && allergy_check(&in, &err) != SW_OK)
        rc = http_fail(res, err.code, "%s", err.msg);
    struct listing *l = sw_arena_calloc(req->arena, 1, sizeof *l);
    if (rc == SW_OK && l == NULL)
        rc = http_fail(res, SW_ENOMEM, NULL);
    if (rc == SW_OK) {
        l->a = req->arena;
        l->practice_id = s->practice_id;
        l->patient = patient;
        if ((rc = store_read(app->store, list_fn, l, &err)) != SW_OK)
            rc = http_fail(res, rc, "%s", sw_err_text(&err));
        else if (!l->patient_found)
            rc = http_fail(res, SW_ENOTFOUND, "there is no Patient/%s", patient);
    }
    /* The rules: what contradicts what is already active. */
    bool already = false;
    for (size_t i = 0; rc == SW_OK && i < l->n; i++) {
        const sw_json *r = l->resources[i];
        if (!allergy_is_active(r))
            continue;
        if (in.none && !allergy_is_none(r))
            rc = http_fail(res, SW_ECONFLICT, "this patient has an active "
                           "allergy (%s): \"no known allergies\" would "
                           "contradict it", allergy_substance_text(r));
        else if (in.none || (!allergy_is_none(r) && allergy_same_substance(r, &in)))
            already = true;
    }
    if (rc == SW_OK && already && !in.none)
        rc = http_fail(res, SW_ECONFLICT, "an allergy to %s is already on the "
                       "list", in.display);
    if (rc == SW_OK && already) {
        json_decref(doc);
        return server_reply_json(res, 200, json_pack("{s:s, s:b}", "patient",
                                                     patient, "unchanged", 1));
    }

    sw_buf text = SW_BUF_INIT(64 * 1024), resource = SW_BUF_INIT(16 * 1024);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    json_t *retired = json_array();
    if (rc == SW_OK && (retired == NULL
                        || allergy_resource(&in, patient, now, &resource) != SW_OK))
        rc = http_fail(res, SW_ENOMEM, NULL);
    if (rc == SW_OK) {
        sw_jw w;
        sw_jw_init(&w, &text);
        sw_jw_object_begin(&w);
        sw_jw_key(&w, "resourceType");
        sw_jw_string(&w, "Bundle");
        sw_jw_key(&w, "type");
        sw_jw_string(&w, "transaction");
        sw_jw_key(&w, "entry");
        sw_jw_array_begin(&w);
        sw_jw_object_begin(&w);
        sw_jw_key(&w, "resource");
        sw_jw_raw(&w, sw_buf_str(&resource), resource.len);
        entry_request(&w, "POST", "AllergyIntolerance", 0);
        sw_jw_object_end(&w);
        /* A real allergy retires an active "no known allergies". */
        for (size_t i = 0; !in.none && i < l->n; i++) {
            sw_json *r = l->resources[i];
            if (!allergy_is_active(r) || !allergy_is_none(r))
                continue;
            sw_buf one = SW_BUF_INIT(16 * 1024);
            char url[128];
            snprintf(url, sizeof url, "AllergyIntolerance/%s", l->ids[i]);
            sw_json_remove(r, "meta");
            if (allergy_make_inactive(req->arena, r) != SW_OK
                || sw_json_write(&one, r) != SW_OK)
                rc = SW_ENOMEM;
            sw_jw_object_begin(&w);
            sw_jw_key(&w, "resource");
            sw_jw_raw(&w, sw_buf_str(&one), one.len);
            entry_request(&w, "PUT", url, l->versions[i]);
            sw_jw_object_end(&w);
            sw_buf_free(&one);
            json_array_append_new(retired, json_string(l->ids[i]));
        }
        sw_jw_array_end(&w);
        sw_jw_object_end(&w);
        if (rc != SW_OK || sw_jw_finish(&w) != SW_OK)
            rc = http_fail(res, SW_ENOMEM, NULL);
    }
    if (rc == SW_OK) {
        rc = server_fhir_transaction(req, res, &text, &out);
        if (rc == SW_EPRECOND) {
            sw_buf_reset(&res->body);
            res->status = 0;
            rc = http_fail(res, SW_ECONFLICT, "the allergy list changed while "
                           "this was being saved; look at it again and retry");
        }
    }
    if (rc == SW_OK) {
        json_t *ids = server_created_ids(req->arena, &out, "AllergyIntolerance");
        json_t *first = json_array_get(ids, 0);
        json_t *reply = json_pack("{s:s, s:o, s:o}", "patient", patient,
                                  "allergy", first ? json_incref(first) : json_null(),
                                  "retired", retired);
        json_decref(ids);
        retired = NULL;
        rc = server_reply_json(res, 201, reply);
    }
    json_decref(retired);
    sw_buf_free(&text);
    sw_buf_free(&resource);
    sw_buf_free(&out);
    json_decref(doc);
    return rc;
}

static const http_route routes[] = {
    { "POST", "/api/patients/{id}/allergies", post_allergy, HTTP_ROUTE_BODY,
      "clinical:write" },
};

const http_route_table allergy_routes = {
    .name = "allergies",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
