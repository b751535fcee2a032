/* outbox.h - messages to the practice-management system, queued in the
 * transaction of what caused them and delivered at least once, in order
 * per patient, by the delivery worker (deliver.h).
 *
 * Table hl7_outbox (migrations.c). A row's control id (MSH-10) is fixed
 * when it is queued and sent unchanged on every retry, so a PMS that
 * stored a message whose ACK was lost recognises the retry. Status:
 *   pending   waiting to be sent (next_at says when; attempts so far)
 *   acked     the peer answered AA or CA with our control id in MSA-2
 *   rejected  the peer answered AE or CE: in the biller's work queue with
 *             the peer's reason, until it is fixed and resent
 *   invalid   failed our validation before sending (a missing CPT code,
 *             rendering provider or date of service): work queue
 *   resent    replaced by a new row (replaced_by) when a biller resent it
 * Kinds: "charge" (DFT^P03 for a signed visit or a late charge), "credit"
 * (DFT^P03 crediting voided or corrected charges). */
#ifndef SW_HL7_OUTBOX_H
#define SW_HL7_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"

#define HL7_OUT_PENDING  "pending"
#define HL7_OUT_ACKED    "acked"
#define HL7_OUT_REJECTED "rejected"
#define HL7_OUT_INVALID  "invalid"
#define HL7_OUT_RESENT   "resent"

/* One FT1 line: a stored ChargeItem, charged (CG) or credited (CR). */
typedef struct hl7_charge_line {
    const char *charge_id;
    bool        credit;
} hl7_charge_line;

/* Inside the transaction that created or voided the ChargeItems (they are
 * read back from it): builds the DFT^P03 for these lines of one encounter
 * of one patient (PID, PV1, FT1 per line, DG1 per diagnosis), validates it,
 * and appends an outbox row: pending, or invalid with the reason when a
 * line lacks a code, rendering provider (NPI) or date of service. The
 * control id is assigned here and never changes. *seq gets the row's
 * number (may be NULL). Kind "credit" when any line is a credit. */
int hl7_outbox_queue(store_tx *tx, int64_t practice_id, const char *patient_id,
                     const char *encounter_id, const hl7_charge_line *lines,
                     size_t n, int64_t now_ms, int64_t *seq);

/* The most rows one listing returns. */
#define HL7_OUTBOX_LIST_MAX 500

/* A row as the work queue, the API and the CLI show it; strings in the
 * caller's arena. lines are the row's charges, credits marked. */
typedef struct hl7_outbox_row {
    int64_t          seq;
    const char      *control_id, *patient_id, *encounter_id, *kind, *status;
    const char      *last_error, *ack_code;
    hl7_charge_line *lines;
    size_t           nlines;
    int64_t          attempts, next_at, created_at, sent_at, acked_at;
    int64_t          replaced_by;
} hl7_outbox_row;

typedef struct hl7_outbox_filter {
    const char *status;       /* NULL: any */
    const char *patient_id;   /* NULL: any */
    bool        work_queue;   /* only rejected and invalid rows */
    size_t      limit;        /* 0: HL7_OUTBOX_LIST_MAX */
} hl7_outbox_filter;

/* Whether s is one of the HL7_OUT_* statuses. */
bool hl7_outbox_status_known(const char *s);

/* Inside a transaction: the practice's rows matching f, newest first. */
int hl7_outbox_list(store_tx *tx, sw_arena *a, int64_t practice_id,
                    const hl7_outbox_filter *f, hl7_outbox_row **rows,
                    size_t *n);
/* One row; SW_ENOTFOUND (recorded on the tx) when there is none. */
int hl7_outbox_get(store_tx *tx, sw_arena *a, int64_t practice_id, int64_t seq,
                   hl7_outbox_row *row);

typedef struct hl7_outbox_counts {
    int64_t pending, acked, rejected, invalid, resent;
    int64_t oldest_pending_at;   /* created_at of the oldest pending; 0 */
} hl7_outbox_counts;

/* Inside a transaction: how many rows of each status. */
int hl7_outbox_count(store_tx *tx, int64_t practice_id, hl7_outbox_counts *out);

/* Inside a transaction: a biller fixed what made row seq fail (a code, an
 * NPI) and sends it again. The message is built anew from the current
 * records as a new row (new control id; pending, or invalid again with
 * the reason), and row seq becomes "resent" with replaced_by. Only a
 * rejected or invalid row can be resent: SW_ECONFLICT otherwise,
 * SW_ENOTFOUND for no such row (both recorded on the tx with a sentence). */
int hl7_outbox_resend(store_tx *tx, int64_t practice_id, int64_t seq,
                      int64_t now_ms, int64_t *new_seq);

/* The charge_ids column: ids joined by ",", a credit's id prefixed
 * "cr:". Parses it into lines allocated in a. */
int hl7_outbox_lines_parse(sw_arena *a, const char *text,
                           hl7_charge_line **lines, size_t *n);

#endif
