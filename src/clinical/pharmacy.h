/* pharmacy.h - sending a prescription to a pharmacy, behind a gateway.
 *
 * A prescription is sent as a message: a readable NewRx-like JSON body
 * (prescriber, patient name and birth date, drug, sig, quantity, refills,
 * pharmacy) kept as a row of pharmacy_message, written in the same store
 * transaction as the MedicationRequest, so a prescription is never saved
 * without its message nor the reverse.
 *
 * A gateway is a table row of function pointers. The built-in "record"
 * gateway only records the message and marks it "sent": the practice's
 * pharmacy reads it from the chart or the message list. A network gateway
 * (an e-prescribing network, a fax service) implements send() by marking
 * the row "queued"; a separate sender reads queued rows, delivers them
 * outside any database transaction and updates their status ("sent",
 * "error"), so a slow network never holds a write transaction open and a
 * rolled-back prescription is never delivered. pharmacy_gateway_current()
 * picks the gateway; docs/workflows.md ("Prescribing") says how to add
 * one. */
#ifndef SW_CLINICAL_PHARMACY_H
#define SW_CLINICAL_PHARMACY_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

#define PHARMACY_KIND_NEWRX "NewRx"

/* What a new prescription message says (all text, NULL when absent). */
typedef struct pharmacy_newrx {
    const char *prescription_id;    /* MedicationRequest id */
    const char *written;            /* ISO instant */
    const char *prescriber_name;
    const char *prescriber_username;
    const char *patient_id;
    const char *patient_name;
    const char *patient_birth_date;
    const char *drug_name;
    const char *drug_rxnorm;
    const char *sig;                /* "500 mg oral three times daily" */
    const char *instructions;
    int64_t     quantity;
    int64_t     refills;
    int64_t     days_supply;        /* 0: not given */
    const char *pharmacy;
    const char *note;
} pharmacy_newrx;

/* A message ready for a gateway. */
typedef struct pharmacy_message {
    int64_t     practice_id;
    int64_t     message_id;
    const char *prescription_id;
    const char *patient_id;
    const char *pharmacy;
    const char *kind;               /* PHARMACY_KIND_* */
    const char *body;               /* JSON text */
    int64_t     at_ms;
} pharmacy_message;

typedef struct pharmacy_gateway {
    const char *name;
    /* Inside the write transaction that stored the row (status
     * "pending"): hands the message on and sets *status ("sent",
     * "queued"). An error rolls the whole prescription back. */
    int (*send)(store_tx *tx, const pharmacy_message *m, const char **status);
} pharmacy_gateway;

/* The gateway in use: the built-in "record" gateway. */
const pharmacy_gateway *pharmacy_gateway_current(void);
extern const pharmacy_gateway pharmacy_record_gateway;
/* The training environment's gateway (docs/training.md): it sends
 * nothing; the message's status says so. */
#define PHARMACY_STATUS_TRAINING "training: not sent"
extern const pharmacy_gateway pharmacy_training_gateway;

/* The message body (JSON text, malloc'd, the caller frees), or NULL when
 * out of memory. */
char *pharmacy_newrx_body(const pharmacy_newrx *rx);

/* Inside a write transaction: stores m as a new pharmacy_message row,
 * hands it to gw and records the status it gave. m->message_id is set. */
int pharmacy_submit(store_tx *tx, const pharmacy_gateway *gw,
                    pharmacy_message *m, const char **status);

/* A stored message, for listings. */
typedef struct pharmacy_row {
    int64_t     message_id;
    const char *prescription_id;
    const char *patient_id;
    const char *pharmacy;
    const char *kind;
    const char *status;
    const char *body;
    int64_t     created_ms;
} pharmacy_row;

/* Inside a transaction: the patient's messages, newest first, at most
 * max (arena copies). */
int pharmacy_messages(store_tx *tx, sw_arena *a, int64_t practice_id,
                      const char *patient_id, size_t max, pharmacy_row **rows,
                      size_t *n);

#endif
