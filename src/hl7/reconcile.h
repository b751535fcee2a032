/* reconcile.h - the interface's reconciliation report: for a day or a range
 * of days, every visit signed ↔ the charges it created ↔ the outbox rows
 * that queued them for the practice-management system ↔ the PMS's
 * acknowledgments, with totals per day and overall, each discrepancy in a
 * plain sentence, and the alerts of the interface as it stands now
 * (docs/hl7-interface.md, "Reconciliation and monitoring").
 *
 * Read only, from the store: the audit trail's documentation.sign entries
 * (which visits were signed, by whom, when), the ChargeItems whose context
 * is each visit's Encounter, and hl7_outbox (outbox.h). Days are calendar
 * days in UTC: a visit belongs to the day its signature was recorded.
 * Called by GET /api/interface/reconcile, `stagewise interface reconcile`
 * and the web app's Billing interface screen (through the API); a billing
 * office runs it a few times a day, so it favours plain queries over
 * caches.
 *
 * Ownership: a report owns everything it points to (its own arena) and is
 * freed with hl7_reconcile_free; JSON built from it is the caller's. */
#ifndef SW_HL7_RECONCILE_H
#define SW_HL7_RECONCILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/errors.h"
#include "store/store.h"

/* The longest range one report covers (a quarter), and the most signed
 * visits it lists: past that, ask for a shorter range. */
#define HL7_RECONCILE_MAX_DAYS   92
#define HL7_RECONCILE_MAX_VISITS 20000

/* Discrepancy kinds. */
#define HL7_REC_NO_CHARGES   "no_charges"    /* signed, no ChargeItem */
#define HL7_REC_NOT_QUEUED   "not_queued"    /* a charge no outbox row names */
#define HL7_REC_PENDING      "pending"       /* queued, not acknowledged yet */
#define HL7_REC_REJECTED     "rejected"      /* the PMS answered AE/CE */
#define HL7_REC_INVALID      "invalid"       /* failed validation, never sent */
#define HL7_REC_QUEUED_TWICE "queued_twice"  /* two live rows charge it */
#define HL7_REC_ACKED_TWICE  "acked_twice"   /* the PMS took it twice */

/* Alert kinds. */
#define HL7_ALERT_UNACKED     "unacknowledged" /* waiting past the threshold */
#define HL7_ALERT_UNREACHABLE "peer_unreachable"
#define HL7_ALERT_NO_PEER     "no_peer"

typedef struct hl7_rec_query {
    int64_t practice_id;
    int64_t from_day, to_day;    /* days since 1970-01-01 (UTC), inclusive */
    int64_t now_ms;
    int64_t alert_after_ms;      /* 0: SW_HL7_ALERT_AFTER_MS */
    bool    names;               /* read each patient's name (PHI) */
} hl7_rec_query;

typedef struct hl7_rec_totals {
    int64_t visits, charges, queued, acked, pending, rejected, invalid,
            not_queued, discrepancies;
} hl7_rec_totals;

/* The outbox row that stands for a charge now: the newest of its rows
 * that was not replaced by a resend. */
typedef struct hl7_rec_row {
    int64_t     seq;
    const char *control_id, *status, *last_error;
    int64_t     attempts, created_at, sent_at, acked_at;
} hl7_rec_row;

typedef struct hl7_rec_charge {
    const char        *id, *code, *status;  /* ChargeItem id, CPT, status */
    const hl7_rec_row *outbox;              /* NULL: never queued */
} hl7_rec_charge;

typedef struct hl7_rec_visit {
    const char     *encounter_id;    /* "" when the note names none */
    const char     *note_id;
    const char     *patient_id;
    const char     *patient_name;    /* NULL unless the query asked */
    const char     *signer, *signer_display;
    int64_t         signed_at;
    int64_t         day;             /* of signed_at */
    hl7_rec_charge *charges;
    size_t          ncharges;
} hl7_rec_visit;

/* A discrepancy or an alert: kind, a sentence, since when (ms). */
typedef struct hl7_rec_issue {
    const char *kind;
    const char *encounter_id;   /* NULL for alerts */
    const char *charge_id;      /* NULL for a visit's or an alert's */
    const char *text;
    int64_t     since;
} hl7_rec_issue;

typedef struct hl7_rec_day {
    int64_t        day;
    hl7_rec_totals totals;
} hl7_rec_day;

typedef struct hl7_rec_report {
    sw_arena        *arena;
    hl7_rec_query    query;
    hl7_rec_totals   totals;
    hl7_rec_day     *days;           /* one per day of the range */
    size_t           ndays;
    hl7_rec_visit   *visits;         /* by signature time */
    size_t           nvisits;
    hl7_rec_issue   *discrepancies;
    size_t           ndiscrepancies;
    hl7_rec_issue   *alerts;
    size_t           nalerts;
} hl7_rec_report;

/* "YYYY-MM-DD" (a real calendar date) into days since 1970-01-01. */
bool hl7_rec_parse_day(const char *s, int64_t *day);
/* The date of a day number, "YYYY-MM-DD" (11 bytes with NUL). */
void hl7_rec_format_day(int64_t day, char out[11]);

/* The report, inside the caller's transaction (so the caller can write
 * the read's audit entries in the same one). SW_EINVAL with a sentence on
 * the tx for a range that is backwards or longer than
 * HL7_RECONCILE_MAX_DAYS, SW_ECOSTLY past HL7_RECONCILE_MAX_VISITS. The
 * transaction may be run again: free any report of an earlier run. */
int hl7_reconcile_tx(store_tx *tx, const hl7_rec_query *q, hl7_rec_report **out);
/* The same in a read transaction of its own. */
int hl7_reconcile(sw_store *s, const hl7_rec_query *q, hl7_rec_report **out,
                  sw_err *err);
void hl7_reconcile_free(hl7_rec_report *r);

/* Only the alerts (for the interface's status), into arena a. */
int hl7_reconcile_alerts(store_tx *tx, sw_arena *a, int64_t practice_id,
                         int64_t now_ms, int64_t alert_after_ms,
                         hl7_rec_issue **out, size_t *n);

/* The report in the shape GET /api/interface/reconcile answers (see
 * docs/hl7-interface.md); NULL when out of memory. */
json_t *hl7_reconcile_json(const hl7_rec_report *r);
json_t *hl7_rec_issue_json(const hl7_rec_issue *issue);

#endif
