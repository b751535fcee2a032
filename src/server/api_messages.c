/* api_messages.c - POST /api/messages: a message from one member of staff
 * to another, optionally about a patient (docs/workflows.md, "The inbox and
 * staff messages").
 *
 *   {"to": "nurse.kim", "subject": "Labs", "text": "Please call Mrs Doe",
 *    "patient": "p1"}  → 201 {"message": id, "inbox_item": n}
 *
 * A message is a FHIR Communication (status completed, sender the signed-in
 * user, recipient the user named by "to" with their urn:stagewise:user
 * identifier, topic the subject, payload the text) written with the
 * recipient's inbox item in one transaction. Anyone signed in may send
 * one; only people with an enabled account receive them. */
#include "app.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/users.h"
#include "clinical/fhir_read.h"
#include "clinical/inbox.h"
#include "clinical/results.h"
#include "core/clock.h"
#include "fhir/resources.h"

#define MESSAGE_BODY_MAX (32 * 1024)
#define MESSAGE_SUBJECT_MAX 200
#define MESSAGE_TEXT_MAX 4000

struct patient_check {
    int64_t     practice_id;
    const char *patient;
    bool        found;
};

static int patient_fn(store_tx *tx, void *arg)
{
    struct patient_check *p = arg;
    return fhir_row_exists(tx, p->practice_id, "Patient", p->patient, &p->found);
}

struct message_after {
    int64_t     practice_id;
    int64_t     user_id;
    const char *patient;
    int64_t     item_id;
};

static int message_after_fn(store_tx *tx, void *arg,
                            const fhir_bundle_written *w, size_t n)
{
    struct message_after *m = arg;
    if (n != 1 || strcmp(w[0].type, "Communication") != 0)
        return store_tx_fail(tx, SW_EINTERNAL, "the message was not written");
    inbox_new item = {
        .practice_id = m->practice_id, .user_id = m->user_id,
        .kind = INBOX_MESSAGE, .res_type = "Communication", .res_id = w[0].id,
        .patient_id = m->patient ? m->patient : "", .flag = "",
        .at_ms = sw_now_wall_ms(),
    };
    return inbox_add(tx, &item, &m->item_id);
}

/* The recipient as a FHIR Reference, the way server_user_reference makes
 * the sender's. */
static json_t *user_reference(const auth_user *u)
{
    json_t *ref = json_pack("{s:{s:s, s:s}, s:s}", "identifier", "system",
                            SERVER_USER_SYSTEM, "value", u->username,
                            "display", u->display_name);
    if (ref && u->practitioner_id[0] != '\0') {
        char target[96];
        snprintf(target, sizeof target, "Practitioner/%s", u->practitioner_id);
        json_object_set_new(ref, "reference", json_string(target));
    }
    return ref;
}

static int post_message(sw_request *req, sw_response *res)
{
    static const char *const members[] = { "to", "subject", "text", "patient", NULL };
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    json_t *doc = NULL, *me = NULL, *to_ref = NULL, *comm = NULL;
    server_bundle b;
    server_bundle_begin(&b);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    sw_err err;
    int rc = server_json_body(req, res, MESSAGE_BODY_MAX, &doc);
    if (rc == SW_OK)
        rc = server_json_only_members(doc, members, res);
    const char *to = NULL, *subject = NULL, *body = NULL, *patient = NULL;
    if (rc == SW_OK) {
        json_t *p = json_object_get(doc, "patient");
        to = json_string_value(json_object_get(doc, "to"));
        subject = json_string_value(json_object_get(doc, "subject"));
        body = json_string_value(json_object_get(doc, "text"));
        patient = json_string_value(p);
        if (to == NULL || to[0] == '\0')
            rc = http_fail(res, SW_EINVAL, "\"to\" must be the username of the "
                           "person to write to");
        else if (!clinical_visible_text(subject, MESSAGE_SUBJECT_MAX, false))
            rc = http_fail(res, SW_EINVAL, "\"subject\" must be 1 to %d "
                           "characters on one line", MESSAGE_SUBJECT_MAX);
        else if (!clinical_visible_text(body, MESSAGE_TEXT_MAX, true))
            rc = http_fail(res, SW_EINVAL, "\"text\" must be 1 to %d characters",
                           MESSAGE_TEXT_MAX);
        else if (p && !json_is_null(p) && (patient == NULL || patient[0] == '\0'))
            rc = http_fail(res, SW_EINVAL, "\"patient\" must be a patient's id");
    }
    auth_user u = { 0 };
    if (rc == SW_OK) {
        rc = auth_user_find(app->store, req->arena, s->practice_id, to, &u, &err);
        if (rc == SW_ENOTFOUND || rc == SW_EINVAL)
            rc = http_fail(res, SW_EINVAL, "\"to\": there is no user %.64s", to);
        else if (rc != SW_OK)
            rc = http_fail(res, rc, "%s", sw_err_text(&err));
        else if (u.disabled)
            rc = http_fail(res, SW_EINVAL, "\"to\": the account %.64s is "
                           "disabled", to);
        else if (strcmp(u.kind, AUTH_KIND_PERSON) != 0)
            rc = http_fail(res, SW_EINVAL, "\"to\": %.64s is a service account, "
                           "which has no inbox", to);
    }
    if (rc == SW_OK && patient) {
        struct patient_check pc = { .practice_id = s->practice_id, .patient = patient };
        if ((rc = store_read(app->store, patient_fn, &pc, &err)) != SW_OK)
            rc = http_fail(res, rc, "%s", sw_err_text(&err));
        else if (!pc.found)
            rc = http_fail(res, SW_EINVAL, "\"patient\": there is no "
                           "Patient/%.64s", patient);
    }
    if (rc == SW_OK && (me = server_user_reference(req, res)) == NULL)
        rc = SW_EINTERNAL;
    if (rc == SW_OK) {
        char now[SW_TIME_ISO_MAX];
        sw_time_iso(sw_now_wall_ms(), now);
        to_ref = user_reference(&u);
        comm = json_pack("{s:s, s:s, s:{s:s}, s:s, s:[O], s:O, s:[{s:s}]}",
            "resourceType", "Communication", "status", "completed",
            "topic", "text", subject, "sent", now, "recipient", to_ref,
            "sender", me, "payload", "contentString", body);
        if (comm && patient) {
            char ref[96];
            snprintf(ref, sizeof ref, "Patient/%s", patient);
            json_object_set_new(comm, "subject", json_pack("{s:s}", "reference", ref));
        }
        if (comm == NULL)
            rc = http_fail(res, SW_ENOMEM, NULL);
    }
    if (rc == SW_OK) {
        server_bundle_add_json(&b, "POST", "Communication", comm, NULL, 0);
        comm = NULL;
        if (server_bundle_end(&b) != SW_OK)
            rc = http_fail(res, SW_ENOMEM, NULL);
    }
    struct message_after ma = { .practice_id = s->practice_id,
                                .user_id = u.user_id, .patient = patient };
    if (rc == SW_OK)
        rc = server_fhir_transaction_then(req, res, &b.text, &out,
                                          message_after_fn, &ma);
    if (rc == SW_OK) {
        json_t *ids = server_created_ids(req->arena, &out, "Communication");
        rc = server_reply_json(res, 201, json_pack("{s:O?, s:I}", "message",
                               json_array_get(ids, 0), "inbox_item",
                               (json_int_t)ma.item_id));
        json_decref(ids);
    }
    json_decref(comm);
    json_decref(to_ref);
    json_decref(me);
    json_decref(doc);
    server_bundle_free(&b);
    sw_buf_free(&out);
    return rc;
}

static const http_route routes[] = {
    { "POST", "/api/messages", post_message, HTTP_ROUTE_BODY, NULL },
};

const http_route_table messages_routes = {
    .name = "messages",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
