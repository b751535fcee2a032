/* api_meds.c - what the medication /api files share (see api_meds.h):
 * reading a patient's chart for a decision, with the restricted-patient
 * check, users and patients as the /api shows them, and the /api error
 * shape with extra members. */
#include "api_meds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/restricted.h"
#include "core/clock.h"
#include "core/str.h"
#include "fhir/primitive.h"
#include "fhir/resources.h"

/* ---- Shared (api_meds.h) ------------------------------------------------- */

struct chart_ctx {
    sw_arena           *a;
    int64_t             practice_id;
    int64_t             user_id;
    const char         *patient;
    const char         *encounter;
    const char *const  *types;
    bool                patient_found, allowed, encounter_found;
    sw_json            *patient_res, *encounter_res;
    meds_record        *records;
    size_t              n;
};

static int read_one(store_tx *tx, struct chart_ctx *c, const char *type,
                    const char *id, bool *found, sw_json **out)
{
    fhir_version v;
    int rc = fhir_row_read(tx, c->a, c->practice_id, type, id, 0, &v);
    *found = false;
    if (rc == SW_ENOTFOUND)
        return SW_OK;
    if (rc != SW_OK)
        return rc;
    if (v.deleted || v.body_len == 0)
        return SW_OK;
    *found = true;
    return sw_json_parse(c->a, v.body, v.body_len, out, NULL);
}

static int chart_fn(store_tx *tx, void *arg)
{
    struct chart_ctx *c = arg;
    c->n = 0;
    int rc = read_one(tx, c, "Patient", c->patient, &c->patient_found,
                      &c->patient_res);
    if (rc != SW_OK || !c->patient_found)
        return rc;
    rc = auth_patient_access(tx, c->practice_id, c->user_id, c->patient,
                             sw_now_wall_ms(), &c->allowed);
    if (rc != SW_OK || !c->allowed)
        return rc;
    if (c->encounter)
        rc = read_one(tx, c, "Encounter", c->encounter, &c->encounter_found,
                      &c->encounter_res);
    if (rc == SW_OK && c->types)
        rc = meds_read(tx, c->a, c->practice_id, c->patient, c->types,
                       &c->records, &c->n);
    return rc;
}

const char *meds_encounter_patient(const sw_json *encounter)
{
    const sw_json *subject = sw_json_get(encounter, "subject");
    const char *ref = subject ? sw_json_get_string(subject, "reference") : NULL;
    if (ref == NULL || strncmp(ref, "Patient/", 8) != 0)
        return "";
    return ref + 8;
}

int meds_chart_load(sw_request *req, sw_response *res, const char *patient,
                    const char *encounter, bool encounter_is_route,
                    const char *const *types, meds_chart *out)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    memset(out, 0, sizeof *out);
    if (patient == NULL || !fhir_is_id(sw_str_of(patient)))
        return http_fail(res, SW_ENOTFOUND, "there is no such patient");
    if (encounter && !fhir_is_id(sw_str_of(encounter)))
        return encounter_is_route
               ? http_fail(res, SW_ENOTFOUND, "there is no such visit")
               : http_fail(res, SW_EINVAL, "\"encounter\" must be the id of "
                           "one of this patient's encounters");
    struct chart_ctx *c = sw_arena_calloc(req->arena, 1, sizeof *c);
    if (c == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    c->a = req->arena;
    c->practice_id = s->practice_id;
    c->user_id = s->user_id;
    c->patient = patient;
    c->encounter = encounter;
    c->types = types;
    sw_err err;
    int rc = store_read(app->store, chart_fn, c, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    if (!c->patient_found)
        return http_fail(res, SW_ENOTFOUND, "there is no Patient/%s", patient);
    if (!c->allowed) {
        /* The refusal is part of the record's access history. */
        audit_who who;
        server_audit_who(req, &who);
        audit_entry e = { .who = &who, .action = AUDIT_READ,
                          .feature = "medications.read", .patient_id = patient,
                          .res_type = "Patient", .res_id = patient,
                          .outcome = AUDIT_DENIED, .detail = "restricted" };
        if (audit_record(app->store, &e, &err) != SW_OK)
            return http_fail(res, SW_EINTERNAL, "%s", sw_err_text(&err));
        return http_fail(res, SW_EBREAKGLASS, "Patient/%s's record is "
                         "restricted: break the glass first", patient);
    }
    if (encounter && (!c->encounter_found
                      || strcmp(meds_encounter_patient(c->encounter_res), patient) != 0))
        return encounter_is_route
               ? http_fail(res, SW_ENOTFOUND, "there is no Encounter/%s",
                           encounter)
               : http_fail(res, SW_EINVAL, "\"encounter\" must be the id of "
                           "one of this patient's encounters");
    out->patient = patient;
    out->patient_res = c->patient_res;
    out->encounter = encounter;
    out->encounter_res = c->encounter_res;
    out->records = c->records;
    out->n = c->n;
    return SW_OK;
}

json_t *meds_user_json(const sw_json *ref)
{
    if (ref == NULL || ref->kind != SW_JSON_OBJECT)
        return json_null();
    const char *username, *display;
    meds_reference_user(ref, &username, &display);
    return json_pack("{s:s, s:s}", "username", username, "display",
                     display ? display : "");
}

const char *meds_patient_name(sw_arena *a, const sw_json *patient)
{
    const sw_json *names = sw_json_get(patient, "name");
    if (names == NULL || names->kind != SW_JSON_ARRAY || names->count == 0)
        return NULL;
    const sw_json *n = names->items[0];
    const char *text = sw_json_get_string(n, "text");
    if (text)
        return text;
    sw_buf b = SW_BUF_INIT(1024);
    const sw_json *given = sw_json_get(n, "given");
    for (size_t i = 0; given && given->kind == SW_JSON_ARRAY && i < given->count; i++)
        if (given->items[i]->kind == SW_JSON_STRING)
            sw_buf_printf(&b, "%s%s", b.len ? " " : "", given->items[i]->text.p);
    const char *family = sw_json_get_string(n, "family");
    if (family)
        sw_buf_printf(&b, "%s%s", b.len ? " " : "", family);
    const char *out = b.len ? sw_arena_strdup(a, sw_buf_str(&b)) : NULL;
    sw_buf_free(&b);
    return out;
}

int meds_json_to_buf(json_t *doc, sw_buf *out)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER
                                 | JSON_REAL_PRECISION(12));
    if (text == NULL)
        return SW_ENOMEM;
    int rc = sw_buf_puts(out, text);
    free(text);
    return rc;
}

int meds_fail_with(sw_response *res, int code, const char *id,
                   const char *msg, json_t *extra)
{
    json_t *doc = json_pack("{s:{s:s, s:s, s:[]}}", "error", "code", id,
                            "message", msg, "details");
    if (doc && extra)
        json_object_update(doc, extra);
    json_decref(extra);
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    if (text == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    sw_buf_reset(&res->body);
    int rc = http_reply(res, sw_code_http_status(code), "application/json",
                        text, strlen(text));
    free(text);
    return rc == SW_OK ? code : rc;
}
