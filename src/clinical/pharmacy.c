/* pharmacy.c - pharmacy messages and the built-in "record" gateway (see
 * pharmacy.h). One message per prescription sent; listing reads a
 * patient's few dozen rows through the (practice_id, message_id) key. */
#include "pharmacy.h"

#include <jansson.h>
#include <stdlib.h>

#include "core/errors.h"

static int record_send(store_tx *tx, const pharmacy_message *m,
                       const char **status)
{
    (void)tx;
    (void)m;
    /* The row itself is the delivery: nothing leaves the server. */
    *status = "sent";
    return SW_OK;
}

const pharmacy_gateway pharmacy_record_gateway = {
    .name = "record",
    .send = record_send,
};

static int training_send(store_tx *tx, const pharmacy_message *m,
                         const char **status)
{
    (void)tx;
    (void)m;
    /* The training environment's outbound interfaces are hard-off: the
     * row shows what would have gone, marked as never sent. */
    *status = PHARMACY_STATUS_TRAINING;
    return SW_OK;
}

const pharmacy_gateway pharmacy_training_gateway = {
    .name = "training",
    .send = training_send,
};

const pharmacy_gateway *pharmacy_gateway_current(void)
{
    return &pharmacy_record_gateway;
}

static void set_text(json_t *obj, const char *key, const char *value)
{
    if (value && *value)
        json_object_set_new(obj, key, json_string(value));
}

char *pharmacy_newrx_body(const pharmacy_newrx *rx)
{
    json_t *doc = json_object();
    json_t *prescriber = json_object(), *patient = json_object();
    json_t *drug = json_object();
    if (doc == NULL || prescriber == NULL || patient == NULL || drug == NULL) {
        json_decref(doc);
        json_decref(prescriber);
        json_decref(patient);
        json_decref(drug);
        return NULL;
    }
    set_text(doc, "message", PHARMACY_KIND_NEWRX);
    set_text(doc, "prescription", rx->prescription_id);
    set_text(doc, "written", rx->written);
    set_text(prescriber, "name", rx->prescriber_name);
    set_text(prescriber, "username", rx->prescriber_username);
    json_object_set_new(doc, "prescriber", prescriber);
    set_text(patient, "id", rx->patient_id);
    set_text(patient, "name", rx->patient_name);
    set_text(patient, "birthDate", rx->patient_birth_date);
    json_object_set_new(doc, "patient", patient);
    set_text(drug, "name", rx->drug_name);
    set_text(drug, "rxnorm", rx->drug_rxnorm);
    json_object_set_new(doc, "drug", drug);
    set_text(doc, "sig", rx->sig);
    set_text(doc, "instructions", rx->instructions);
    json_object_set_new(doc, "quantity", json_integer(rx->quantity));
    json_object_set_new(doc, "refills", json_integer(rx->refills));
    if (rx->days_supply > 0)
        json_object_set_new(doc, "days_supply", json_integer(rx->days_supply));
    set_text(doc, "pharmacy", rx->pharmacy);
    set_text(doc, "note", rx->note);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    return text;
}

int pharmacy_submit(store_tx *tx, const pharmacy_gateway *gw,
                    pharmacy_message *m, const char **status)
{
    int64_t id = 0;
    int rc = store_query_int64(tx, &id, "SELECT COALESCE(MAX(message_id), 0) + 1 "
                               "FROM pharmacy_message WHERE practice_id = ?",
                               "i", m->practice_id);
    if (rc != SW_OK)
        return rc;
    m->message_id = id;
    rc = store_exec(tx, NULL, "INSERT INTO pharmacy_message (practice_id, "
                    "message_id, res_id, patient_id, pharmacy, kind, body, "
                    "status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    "iitttttti", m->practice_id, id, m->prescription_id,
                    m->patient_id, m->pharmacy, m->kind, m->body, "pending",
                    m->at_ms);
    if (rc != SW_OK)
        return rc;
    *status = "pending";
    rc = gw->send(tx, m, status);
    if (rc != SW_OK)
        return rc;
    return store_exec(tx, NULL, "UPDATE pharmacy_message SET status = ? "
                      "WHERE practice_id = ? AND message_id = ?", "tii",
                      *status, m->practice_id, id);
}

int pharmacy_messages(store_tx *tx, sw_arena *a, int64_t practice_id,
                      const char *patient_id, size_t max, pharmacy_row **rows,
                      size_t *n)
{
    *n = 0;
    *rows = sw_arena_calloc(a, max ? max : 1, sizeof **rows);
    if (*rows == NULL)
        return SW_ENOMEM;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT message_id, res_id, patient_id, "
                           "pharmacy, kind, status, body, created_at "
                           "FROM pharmacy_message WHERE practice_id = ? "
                           "AND patient_id = ? ORDER BY message_id DESC", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, patient_id)) == SW_OK)
        while (*n < max && (rc = store_step(st, &row)) == SW_OK && row) {
            pharmacy_row *r = &(*rows)[*n];
            r->message_id = store_col_int64(st, 0);
            r->prescription_id = sw_arena_strdup(a, store_col_text(st, 1, NULL));
            r->patient_id = sw_arena_strdup(a, store_col_text(st, 2, NULL));
            r->pharmacy = sw_arena_strdup(a, store_col_text(st, 3, NULL));
            r->kind = sw_arena_strdup(a, store_col_text(st, 4, NULL));
            r->status = sw_arena_strdup(a, store_col_text(st, 5, NULL));
            r->body = sw_arena_strdup(a, store_col_text(st, 6, NULL));
            r->created_ms = store_col_int64(st, 7);
            if (!r->prescription_id || !r->patient_id || !r->pharmacy
                || !r->kind || !r->status || !r->body)
                rc = SW_ENOMEM;
            else
                (*n)++;
        }
    store_finalize(st);
    return rc;
}
