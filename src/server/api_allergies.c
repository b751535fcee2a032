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
#include "patient_records.h"

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
    const char *v[4];
    if ((rc = server_json_strings(doc, texts, v, 4, res)) != SW_OK)
        return rc;
    in->category = v[0];
    in->criticality = v[1];
    in->reaction = v[2];
    in->severity = v[3];
    return SW_OK;
}

static int post_allergy(sw_request *req, sw_response *res)
{
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
    /* The current list, read as the FHIR write will see it: the write
     * itself checks restricted records. */
    static const char *const types[] = { "AllergyIntolerance", NULL };
    patient_read l = { .patient = patient, .types = types,
                       .max = ALLERGY_LIST_MAX, .parse = true };
    if (rc == SW_OK)
        rc = patient_records_read(req, res, &l);
    /* The rules: what contradicts what is already active. */
    bool already = false;
    for (size_t i = 0; rc == SW_OK && i < l.n; i++) {
        const sw_json *r = l.items[i].r;
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

    server_bundle b;
    server_bundle_begin(&b);
    sw_buf resource = SW_BUF_INIT(16 * 1024);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    json_t *retired = json_array();
    if (rc == SW_OK && (retired == NULL
                        || allergy_resource(&in, patient, now, &resource) != SW_OK))
        rc = http_fail(res, SW_ENOMEM, NULL);
    if (rc == SW_OK) {
        server_bundle_add(&b, "POST", "AllergyIntolerance", sw_buf_str(&resource),
                          resource.len, NULL, 0);
        /* A real allergy retires an active "no known allergies". */
        for (size_t i = 0; !in.none && i < l.n; i++) {
            sw_json *r = l.items[i].r;
            if (!allergy_is_active(r) || !allergy_is_none(r))
                continue;
            sw_buf one = SW_BUF_INIT(16 * 1024);
            char url[128];
            snprintf(url, sizeof url, "AllergyIntolerance/%s", l.items[i].id);
            sw_json_remove(r, "meta");
            if (allergy_make_inactive(req->arena, r) != SW_OK
                || sw_json_write(&one, r) != SW_OK)
                rc = SW_ENOMEM;
            server_bundle_add(&b, "PUT", url, sw_buf_str(&one), one.len, NULL,
                              l.items[i].version);
            sw_buf_free(&one);
            json_array_append_new(retired, json_string(l.items[i].id));
        }
        if (server_bundle_end(&b) != SW_OK || rc != SW_OK)
            rc = http_fail(res, SW_ENOMEM, NULL);
    }
    if (rc == SW_OK) {
        rc = server_fhir_transaction(req, res, &b.text, &out);
        if (rc == SW_EPRECOND)
            rc = server_conflict(res, NULL, "the allergy list changed while "
                                 "this was being saved; look at it again and "
                                 "retry");
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
    server_bundle_free(&b);
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
