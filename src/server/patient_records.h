/* patient_records.h - reading a patient's records for an /api handler, the
 * one way the workflow files do it (api_problems.c, api_immunizations.c,
 * api_allergies.c, api_orders.c, api_schedule.c): the Patient must exist,
 * a restricted record needs a live grant, the read is audited under the
 * workflow's feature in the same transaction, and the patient's resources
 * of some types are found through the reference index (fhir_idx_ref).
 *
 * Everything read lives in the request arena. Internal to src/server. */
#ifndef SW_SERVER_PATIENT_RECORDS_H
#define SW_SERVER_PATIENT_RECORDS_H

#include "app.h"

/* One current resource that references the patient. */
typedef struct patient_record {
    const char *type;
    const char *id;
    int64_t     version;
    const char *body;        /* the stored JSON text, len bytes */
    size_t      len;
    sw_json    *r;           /* body parsed, when the read asked for it */
} patient_record;

/* What to read (set by the caller) and what was found. */
typedef struct patient_read {
    const char        *patient;     /* the Patient's id */
    const char *const *types;       /* NULL-terminated; NULL reads none */
    const char        *param;       /* the referencing search parameter
                                       ("subject"), NULL for any */
    size_t             max;         /* at most this many records */
    bool               newest_first;  /* by last update, else by type and id */
    bool               parse;       /* fill each record's r */
    bool               want_patient;  /* keep the Patient's own body */
    bool               restricted;  /* check restricted records */
    /* The read's audit entry (server_read_audit) under feature, of
     * audit_type with detail; NULL feature: none (a read before a write). */
    const char        *feature, *audit_type, *audit_detail;
    /* Runs in the same transaction once the records are read (and the
     * patient allowed), for what the handler reads next; NULL for none. */
    int              (*then)(store_tx *tx, const sw_request *req,
                             struct patient_read *r);
    void              *arg;

    bool               found, denied;
    const char        *patient_body;  /* when want_patient */
    size_t             patient_len;
    size_t             n;
    patient_record    *items;
} patient_read;

/* Inside a transaction: the whole read into r (found, denied, items). */
int patient_records_tx(store_tx *tx, const sw_request *req, patient_read *r);
/* Only the records (no existence, access or audit): for a rule checked
 * again inside a write transaction. */
int patient_records_select(store_tx *tx, const sw_request *req, patient_read *r);
/* The whole read in its own transaction (a write one when it is audited).
 * SW_OK, or the error written to res: 404 for an unknown patient, 403
 * (break the glass) when the record is restricted. */
int patient_records_read(sw_request *req, sw_response *res, patient_read *r);

#endif
