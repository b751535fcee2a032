/* api_interface.c - the interface's outbound queue for billers
 * (docs/hl7-interface.md, "Delivery and the work queue"):
 *
 *   GET  /api/interface/status                the peer, counts by status,
 *                                             and the work queue (rejected
 *                                             and invalid rows, newest first)
 *   GET  /api/interface/outbox[?status=S][&patient=ID]   the rows
 *   POST /api/interface/outbox/{seq}/resend   rebuild a rejected or invalid
 *                                             row from the current records
 *
 * Rows name patients, so each patient shown is a read audited (under
 * charge_capture.queue) in the transaction that reads the rows. Reading
 * and resending are always on, whatever the rollout plan says: a queue
 * must be worked even after charge capture is rolled back. */
#include "app.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "fhir/resources.h"
#include "hl7/deliver.h"
#include "hl7/outbox.h"
#include "hl7/peer.h"

static json_t *iso_or_null(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    char t[SW_TIME_ISO_MAX];
    sw_time_iso(ms, t);
    return json_string(t);
}

/* A row in the /api shape; patient is {"id", "name"}. */
static json_t *row_json(const hl7_outbox_row *r, json_t *patient, bool full)
{
    json_t *ids = json_array();
    for (size_t i = 0; ids && i < r->nlines; i++)
        json_array_append_new(ids, json_string(r->lines[i].charge_id));
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:s?, s:I, s:o, s:o}",
        "seq", (json_int_t)r->seq, "control_id", r->control_id, "kind", r->kind,
        "status", r->status, "patient", patient, "encounter_id", r->encounter_id,
        "charge_ids", ids, "reason", r->last_error[0] ? r->last_error : NULL,
        "attempts", (json_int_t)r->attempts,
        "created_at", iso_or_null(r->created_at),
        "last_attempt_at", iso_or_null(r->sent_at));
    if (o && full) {
        json_object_set_new(o, "ack_code", r->ack_code[0]
                            ? json_string(r->ack_code) : json_null());
        json_object_set_new(o, "acked_at", iso_or_null(r->acked_at));
        json_object_set_new(o, "replaced_by", r->replaced_by
                            ? json_integer(r->replaced_by) : json_null());
        if (strcmp(r->status, HL7_OUT_PENDING) == 0)
            json_object_set_new(o, "next_attempt_at", iso_or_null(r->next_at));
    }
    return o;
}

struct list_ctx {
    sw_request        *req;
    int64_t            practice_id;
    hl7_outbox_filter  filter;
    bool               full;
    bool               status;     /* the status page: peer and counts too */
    json_t            *rows;
    json_t            *peer;
    hl7_outbox_counts  counts;
};

/* {"id", "name"} of a row's patient, audited as a read once per patient. */
static int patient_json(store_tx *tx, struct list_ctx *c, json_t *seen,
                        const char *id, json_t **out)
{
    json_t *known = json_object_get(seen, id);
    if (known) {
        *out = json_incref(known);
        return SW_OK;
    }
    fhir_version v;
    json_t *p = NULL;
    int rc = fhir_row_read(tx, c->req->arena, c->practice_id, "Patient", id, 0, &v);
    if (rc == SW_OK && !v.deleted)
        p = json_loadb(v.body, v.body_len, 0, NULL);
    else if (rc != SW_ENOTFOUND && rc != SW_OK)
        return rc;
    rc = server_read_audit(tx, c->req, "charge_capture.queue", id, "Patient",
                           id, true, "interface queue");
    if (rc != SW_OK) {
        json_decref(p);
        return rc;
    }
    *out = json_pack("{s:s, s:o}", "id", id,
                     "name", p ? server_patient_name(p) : json_null());
    json_decref(p);
    json_object_set(seen, id, *out);
    return SW_OK;
}

static int list_fn(store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    json_array_clear(c->rows);
    json_decref(c->peer);
    c->peer = NULL;
    hl7_outbox_row *rows;
    size_t n;
    int rc = hl7_outbox_list(tx, c->req->arena, c->practice_id, &c->filter,
                             &rows, &n);
    json_t *seen = json_object();
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        json_t *patient;
        rc = patient_json(tx, c, seen, rows[i].patient_id, &patient);
        if (rc == SW_OK)
            json_array_append_new(c->rows, row_json(&rows[i], patient, c->full));
    }
    json_decref(seen);
    if (rc != SW_OK || !c->status)
        return rc;
    if ((rc = hl7_outbox_count(tx, c->practice_id, &c->counts)) != SW_OK)
        return rc;
    hl7_peer p;
    rc = hl7_peer_load(tx, c->practice_id, &p);
    if (rc == SW_ENOTFOUND)
        return SW_OK;
    if (rc != SW_OK)
        return rc;
    char send_to[300] = "";
    if (p.send_host[0])
        snprintf(send_to, sizeof send_to, strchr(p.send_host, ':') ? "[%s]:%d"
                 : "%s:%d", p.send_host, p.send_port);
    json_t *addresses = json_array();
    for (int i = 0; i < p.naddresses; i++)
        json_array_append_new(addresses, json_string(p.addresses[i]));
    c->peer = json_pack("{s:s?, s:s, s:o}", "send_to", send_to[0] ? send_to : NULL,
                        "processing_id", p.processing_id, "addresses", addresses);
    return SW_OK;
}

static int run_list(sw_request *req, sw_response *res, struct list_ctx *c)
{
    sw_app *app = req->app;
    sw_err err;
    c->req = req;
    c->practice_id = server_principal(req)->practice_id;
    c->rows = json_array();
    /* A write: the reads of patients are audited in the same transaction. */
    int rc = store_write(app->store, list_fn, c, &err);
    if (rc != SW_OK) {
        json_decref(c->rows);
        json_decref(c->peer);
        return server_store_failed(res, rc, &err, "the interface queue");
    }
    return SW_OK;
}

static int get_status(sw_request *req, sw_response *res)
{
    struct list_ctx c = { .filter = { .work_queue = true }, .status = true };
    int rc = run_list(req, res, &c);
    if (rc != SW_OK)
        return rc;
    json_t *q = json_pack("{s:I, s:I, s:I, s:I, s:o}",
        "pending", (json_int_t)c.counts.pending,
        "rejected", (json_int_t)c.counts.rejected,
        "invalid", (json_int_t)c.counts.invalid,
        "acked", (json_int_t)c.counts.acked,
        "oldest_pending_at", iso_or_null(c.counts.oldest_pending_at));
    return server_reply_json(res, 200, json_pack("{s:o, s:o, s:o}",
        "peer", c.peer ? c.peer : json_null(), "queue", q, "work_queue", c.rows));
}

static int get_outbox(sw_request *req, sw_response *res)
{
    const char *status = http_query_get(req, "status");
    const char *patient = http_query_get(req, "patient");
    if (status && !hl7_outbox_status_known(status))
        return http_fail(res, SW_EINVAL, "\"status\" must be pending, acked, "
                         "rejected, invalid or resent");
    if (patient && (patient[0] == '\0' || strlen(patient) > 64))
        return http_fail(res, SW_EINVAL, "\"patient\" must be a Patient id");
    struct list_ctx c = { .filter = { .status = status, .patient_id = patient },
                          .full = true };
    int rc = run_list(req, res, &c);
    if (rc != SW_OK)
        return rc;
    return server_reply_json(res, 200, json_pack("{s:o}", "rows", c.rows));
}

/* ---- Resend --------------------------------------------------------------- */

struct resend_ctx {
    sw_request    *req;
    int64_t        practice_id, seq;
    hl7_outbox_row row;
};

static int resend_fn(store_tx *tx, void *arg)
{
    struct resend_ctx *c = arg;
    int64_t made = 0;
    hl7_outbox_row old;
    int rc = hl7_outbox_get(tx, c->req->arena, c->practice_id, c->seq, &old);
    if (rc == SW_OK)
        rc = hl7_outbox_resend(tx, c->practice_id, c->seq, sw_now_wall_ms(), &made);
    if (rc == SW_OK)
        rc = hl7_outbox_get(tx, c->req->arena, c->practice_id, made, &c->row);
    if (rc == SW_OK) {
        char detail[64];
        snprintf(detail, sizeof detail, "message %" PRId64 " as %" PRId64,
                 c->seq, made);
        rc = server_workflow_audit(tx, c->req, AUDIT_UPDATE, "charge_capture.resend",
                                   old.patient_id, "", "", detail);
    }
    return rc;
}

static int post_resend(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const char *v = http_route_value(req, "seq");
    char *end = NULL;
    long long seq = v ? strtoll(v, &end, 10) : 0;
    if (v == NULL || end == v || *end != '\0' || seq < 1)
        return http_fail(res, SW_ENOTFOUND, "there is no outbound message %.20s",
                         v ? v : "");
    struct resend_ctx c = { .req = req, .seq = seq,
                            .practice_id = server_principal(req)->practice_id };
    sw_err err;
    int rc = store_write(app->store, resend_fn, &c, &err);
    if (rc == SW_ECONFLICT)
        return server_fail_as(res, rc, "not_resendable", sw_err_text(&err));
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "the outbound message");
    hl7_deliver_wake(app->deliver);
    return server_reply_json(res, 200, json_pack("{s:I, s:s, s:s, s:s?}",
        "seq", (json_int_t)c.row.seq, "control_id", c.row.control_id,
        "status", c.row.status,
        "reason", c.row.last_error[0] ? c.row.last_error : NULL));
}

static const http_route routes[] = {
    { "GET", "/api/interface/status", get_status, 0, "billing:read" },
    { "GET", "/api/interface/outbox", get_outbox, 0, "billing:read" },
    { "POST", "/api/interface/outbox/{seq}/resend", post_resend, 0, "billing:write" },
};

const http_route_table interface_routes = {
    .name = "interface",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
