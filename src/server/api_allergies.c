/* api_allergies.c - the allergy list (docs/workflows.md, "The allergy
 * list"): listing it with its history, recording an allergy or "no known
 * allergies", and taking an entry off the list, by the rules of
 * src/clinical/allergies.h.
 *
 *   GET  /api/patients/{id}/allergies                    clinical:read
 *   POST /api/patients/{id}/allergies                    clinical:write
 *        {"substance": {"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
 *                       "code": "7980", "display": "Penicillin G"},
 *         "category": "medication", "criticality": "high",
 *         "reaction": "Hives", "severity": "moderate"}
 *        {"substance": {"text": "Peanuts"}, "category": "food"}
 *        {"no_known_allergies": true}
 *   POST /api/patients/{id}/allergies/{aid}/status       clinical:write
 *        {"status": "entered-in-error", "reason": "…", "version": 1}
 *
 * Writes read the current list, decide, and send one FHIR transaction
 * whose updates carry If-Match on the versions read: if the list changed
 * in between, nothing is written and the client is asked to look again.
 * The transaction path checks restricted records and writes the audit
 * entries (allergies.create, allergies.update); the listing records
 * allergies.read. A chart holds a handful of allergies, read far more
 * often than changed. */
#include "patient_records.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical/allergies.h"
#include "clinical/fhir_read.h"
#include "core/clock.h"
#include "fhir/resources.h"

#define ALLERGY_BODY_MAX 4096
#define ALLERGY_LIST_MAX 2000

static const char *const allergy_types[] = { "AllergyIntolerance", NULL };

/* ---- The list ------------------------------------------------------------ */

/* {"system", "code", "display"} of a coded substance, else {"text"}. */
static json_t *substance_json(const sw_json *r)
{
    const sw_json *cc = sw_json_get(r, "code");
    const char *system = NULL;
    const char *code = clinical_first_code(r, "code", &system);
    const char *text = clinical_concept_text(cc);
    if (code == NULL)
        return json_pack("{s:s?}", "text", text);
    const sw_json *codings = sw_json_get(cc, "coding");
    const char *display = sw_json_get_string(codings->items[0], "display");
    return json_pack("{s:s?, s:s, s:s?}", "system", system, "code", code,
                     "display", display ? display : text);
}

static json_t *allergy_json(const patient_record *it)
{
    const sw_json *r = it->r;
    const sw_json *cats = sw_json_get(r, "category");
    const char *category = cats && cats->kind == SW_JSON_ARRAY && cats->count
                         && cats->items[0]->kind == SW_JSON_STRING
                         ? cats->items[0]->text.p : NULL;
    const sw_json *reactions = sw_json_get(r, "reaction");
    const sw_json *reaction = reactions && reactions->kind == SW_JSON_ARRAY
                              && reactions->count ? reactions->items[0] : NULL;
    const sw_json *shown = sw_json_get(reaction, "manifestation");
    const char *manifestation = shown && shown->kind == SW_JSON_ARRAY
                                && shown->count
                              ? clinical_concept_text(shown->items[0]) : NULL;
    json_t *item = json_pack(
        "{s:s, s:I, s:o, s:s?, s:s?, s:s?, s:s?, s:s, s:s?, s:s?, s:o, s:b}",
        "id", it->id, "version", (json_int_t)it->version,
        "substance", substance_json(r),
        "category", category,
        "criticality", sw_json_get_string(r, "criticality"),
        "reaction", manifestation,
        "severity", sw_json_get_string(reaction, "severity"),
        "status", allergy_status(r),
        "verification", allergy_verification(r),
        "recorded", sw_json_get_string(r, "recordedDate"),
        "recorder", server_person_sw(sw_json_get(r, "recorder")),
        "no_known_allergies", allergy_is_none(r));
    const char *reason = allergy_reason(r);
    if (item && reason
        && json_object_set_new(item, "reason", json_string(reason)) != 0) {
        json_decref(item);
        item = NULL;
    }
    return item;
}

static int get_allergies(sw_request *req, sw_response *res)
{
    patient_read l = { .patient = http_route_value(req, "id"),
                       .types = allergy_types, .param = "patient",
                       .max = ALLERGY_LIST_MAX, .newest_first = true,
                       .parse = true, .restricted = true,
                       .feature = "allergies.read",
                       .audit_type = "AllergyIntolerance",
                       .audit_detail = "allergy list" };
    int rc = patient_records_read(req, res, &l);
    if (rc != SW_OK)
        return rc;
    /* Newest change first in each part, as read. */
    json_t *current = json_array(), *history = json_array();
    bool ok = current && history;
    for (size_t i = 0; ok && i < l.n; i++) {
        json_t *item = allergy_json(&l.items[i]);
        ok = item && json_array_append_new(allergy_is_active(l.items[i].r)
                                           ? current : history, item) == 0;
    }
    if (!ok) {
        json_decref(current);
        json_decref(history);
        return http_fail(res, SW_ENOMEM, NULL);
    }
    return server_reply_json(res, 200, json_pack("{s:s, s:o, s:o}", "patient",
                                                 l.patient, "allergies",
                                                 current, "history", history));
}

/* ---- Recording ----------------------------------------------------------- */

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
    patient_read l = { .patient = patient, .types = allergy_types,
                       .param = "patient", .max = ALLERGY_LIST_MAX,
                       .parse = true };
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

    /* Who records it: the signed-in user. */
    json_t *recorder = rc == SW_OK ? server_user_reference(req, res) : NULL;
    if (rc == SW_OK && recorder == NULL)
        rc = SW_EINTERNAL;   /* the error is in res */
    char *recorder_text = recorder ? json_dumps(recorder, JSON_COMPACT) : NULL;
    json_decref(recorder);
    if (rc == SW_OK && recorder_text == NULL)
        rc = http_fail(res, SW_ENOMEM, NULL);
    in.recorder = recorder_text;

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
            if (allergy_make_inactive(req->arena, r) != SW_OK)
                rc = SW_ENOMEM;
            server_bundle_put_stored(&b, "AllergyIntolerance", l.items[i].id,
                                     r, l.items[i].version);
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
    free(recorder_text);
    server_bundle_free(&b);
    sw_buf_free(&resource);
    sw_buf_free(&out);
    json_decref(doc);
    return rc;
}

/* ---- Taking an entry off the list ---------------------------------------- */

static int post_status(sw_request *req, sw_response *res)
{
    static const char *const names[] = { "status", "reason", "version", NULL };
    const char *patient = http_route_value(req, "id");
    const char *aid = http_route_value(req, "aid");
    json_t *doc;
    int rc = server_json_body(req, res, ALLERGY_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    rc = server_json_only_members(doc, names, res);
    const char *v[2] = { NULL, NULL };
    if (rc == SW_OK)
        rc = server_json_strings(doc, names, v, 2, res);
    const char *status = v[0], *reason = v[1];
    json_t *version = json_object_get(doc, "version");
    sw_err err;
    if (rc == SW_OK && allergy_change_check(status, reason, &err) != SW_OK)
        rc = http_fail(res, err.code, "%s", err.msg);
    if (rc == SW_OK && version && (!json_is_integer(version)
                                   || json_integer_value(version) < 1))
        rc = http_fail(res, SW_EINVAL, "\"version\" must be a positive "
                       "integer (the version read)");
    /* The patient's list, with the restricted-record check; the entry must
     * be one of theirs. */
    patient_read l = { .patient = patient, .types = allergy_types,
                       .param = "patient", .max = ALLERGY_LIST_MAX,
                       .parse = true, .restricted = true };
    if (rc == SW_OK)
        rc = patient_records_read(req, res, &l);
    patient_record *it = NULL;
    for (size_t i = 0; rc == SW_OK && aid && i < l.n && !it; i++)
        if (strcmp(l.items[i].id, aid) == 0)
            it = &l.items[i];
    if (rc == SW_OK && it == NULL)
        rc = http_fail(res, SW_ENOTFOUND, "Patient/%s has no allergy %s",
                       patient, aid ? aid : "");
    if (rc == SW_OK && version && json_integer_value(version) != it->version)
        rc = server_fail_as(res, SW_ECONFLICT, "version_conflict", "this "
                            "allergy changed since it was read; look at it "
                            "again and retry");
    /* The reason's author: the signed-in user. */
    json_t *author = rc == SW_OK ? server_user_reference(req, res) : NULL;
    if (rc == SW_OK && author == NULL)
        rc = SW_EINTERNAL;   /* the error is in res */
    char *author_text = author ? json_dumps(author, JSON_COMPACT) : NULL;
    json_decref(author);
    sw_json *who = NULL;
    if (rc == SW_OK && (author_text == NULL
                        || sw_json_parse(req->arena, author_text,
                                         strlen(author_text), &who, NULL) != SW_OK))
        rc = http_fail(res, SW_ENOMEM, NULL);
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    if (rc == SW_OK
        && allergy_change(req->arena, it->r, status, reason, now, who, &err) != SW_OK)
        rc = http_fail(res, err.code, "%s", err.msg);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    server_bundle b;
    server_bundle_begin(&b);
    if (rc == SW_OK) {
        server_bundle_put_stored(&b, "AllergyIntolerance", it->id, it->r, it->version);
        if (server_bundle_end(&b) != SW_OK)
            rc = http_fail(res, SW_ENOMEM, NULL);
    }
    if (rc == SW_OK) {
        rc = server_fhir_transaction(req, res, &b.text, &out);
        if (rc == SW_EPRECOND || rc == SW_ECONFLICT)
            rc = server_conflict(res, "version_conflict", "this allergy "
                                 "changed while it was being saved; look at "
                                 "it again and retry");
    }
    if (rc == SW_OK)
        rc = server_reply_json(res, 200, json_pack("{s:s, s:s, s:I}",
                                                   "allergy", it->id,
                                                   "status", status,
                                                   "version",
                                                   (json_int_t)it->version + 1));
    free(author_text);
    server_bundle_free(&b);
    sw_buf_free(&out);
    json_decref(doc);
    return rc;
}

static const http_route routes[] = {
    { "GET",  "/api/patients/{id}/allergies", get_allergies, 0,
      "clinical:read" },
    { "POST", "/api/patients/{id}/allergies", post_allergy, HTTP_ROUTE_BODY,
      "clinical:write" },
    { "POST", "/api/patients/{id}/allergies/{aid}/status", post_status,
      HTTP_ROUTE_BODY, "clinical:write" },
};

const http_route_table allergy_routes = {
    .name = "allergies",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
