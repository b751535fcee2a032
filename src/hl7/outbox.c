/* outbox.c - the hl7_outbox table (see outbox.h): queueing a DFT^P03 in
 * the transaction that made or voided the charges, listing and counting
 * rows for the biller's work queue, and resending a fixed row as a new
 * one. Called by the visit and charge handlers (a few rows a minute) and
 * by the work queue's screens and command; the delivery worker
 * (deliver.c) updates rows itself.
 *
 * The control id (MSH-10) is "SW<practice>-<seq>": unique per practice
 * because seq is, at most 20 characters (MSH-10 is ST(20) in v2.5.1), and
 * fixed at queueing so every retry carries it unchanged. */
#include "hl7/outbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/limits.h"
#include "hl7/dft.h"
#include "hl7/peer.h"

#define CREDIT_PREFIX "cr:"
#define CONTROL_ID_MAX 20

bool hl7_outbox_status_known(const char *s)
{
    static const char *const known[] = { HL7_OUT_PENDING, HL7_OUT_ACKED,
        HL7_OUT_REJECTED, HL7_OUT_INVALID, HL7_OUT_RESENT };
    for (size_t i = 0; s && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(s, known[i]) == 0)
            return true;
    return false;
}

static int lines_text(const hl7_charge_line *lines, size_t n, sw_buf *out)
{
    int rc = SW_OK;
    for (size_t i = 0; i < n && rc == SW_OK; i++)
        rc = sw_buf_printf(out, "%s%s%s", i ? "," : "",
                           lines[i].credit ? CREDIT_PREFIX : "", lines[i].charge_id);
    return rc == SW_OK ? sw_buf_puts(out, "") : rc;
}

int hl7_outbox_lines_parse(sw_arena *a, const char *text,
                           hl7_charge_line **lines, size_t *n)
{
    size_t count = 1;
    for (const char *p = text; *p; p++)
        count += *p == ',';
    *n = 0;
    *lines = sw_arena_calloc(a, count, sizeof **lines);
    char *copy = sw_arena_strdup(a, text);
    if (*lines == NULL || copy == NULL)
        return SW_ENOMEM;
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        bool credit = strncmp(t, CREDIT_PREFIX, strlen(CREDIT_PREFIX)) == 0;
        (*lines)[*n].credit = credit;
        (*lines)[*n].charge_id = credit ? t + strlen(CREDIT_PREFIX) : t;
        (*n)++;
    }
    return SW_OK;
}

/* The MSH members that come from the practice's peer: its facility name
 * (else the practice number) and processing id (P when there is no peer
 * yet; the row waits for one). */
static int msh_of(store_tx *tx, sw_arena *a, int64_t practice_id,
                  int64_t seq, int64_t now_ms, dft_input *in)
{
    hl7_peer peer;
    int rc = hl7_peer_load(tx, practice_id, &peer);
    if (rc == SW_ENOTFOUND) {
        memset(&peer, 0, sizeof peer);
        rc = SW_OK;
    }
    if (rc != SW_OK)
        return rc;
    char control[32];
    int len = snprintf(control, sizeof control, "SW%" PRId64 "-%" PRId64,
                       practice_id, seq);
    if (len > CONTROL_ID_MAX)
        return store_tx_fail(tx, SW_EINTERNAL, "the control id %s is longer "
                             "than MSH-10 allows (20 characters)", control);
    in->control_id = sw_arena_strdup(a, control);
    in->processing_id = sw_arena_strdup(a, peer.processing_id[0] == 'T' ? "T" : "P");
    in->facility = peer.facility[0]
                 ? sw_arena_strdup(a, peer.facility)
                 : sw_arena_printf(a, "%" PRId64, practice_id);
    in->now_ms = now_ms;
    if (in->control_id == NULL || in->processing_id == NULL || in->facility == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    return SW_OK;
}

static int queue(store_tx *tx, sw_arena *a, int64_t practice_id,
                 const char *patient_id, const char *encounter_id,
                 const hl7_charge_line *lines, size_t n, int64_t now_ms,
                 int64_t *seq)
{
    if (n == 0 || n > DFT_MAX_LINES)
        return store_tx_fail(tx, SW_EINVAL, "a DFT^P03 carries 1 to %d charges, "
                             "not %zu", DFT_MAX_LINES, n);
    dft_input *in = sw_arena_calloc(a, 1, sizeof *in);
    if (in == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    int64_t last = 0;
    int rc = store_query_int64(tx, &last, "SELECT COALESCE(MAX(seq), 0) FROM "
                               "hl7_outbox WHERE practice_id = ?", "i", practice_id);
    if (rc == SW_OK)
        rc = dft_read(tx, a, practice_id, patient_id, encounter_id, lines, n, in);
    if (rc == SW_OK)
        rc = msh_of(tx, a, practice_id, last + 1, now_ms, in);
    if (rc != SW_OK)
        return rc;
    sw_buf why = SW_BUF_INIT(16 * 1024), body = SW_BUF_INIT(SW_HL7_MAX_MESSAGE_BYTES),
           ids = SW_BUF_INIT(64 * 1024);
    bool valid = dft_validate(in, &why) == SW_OK;
    bool credit = false;
    for (size_t i = 0; i < n; i++)
        credit = credit || lines[i].credit;
    rc = dft_build(in, &body);
    if (rc == SW_OK)
        rc = lines_text(lines, n, &ids);
    if (rc == SW_OK)
        rc = sw_buf_puts(&why, "");
    if (rc != SW_OK)
        rc = store_tx_fail(tx, rc, "the DFT^P03 could not be composed");
    if (rc == SW_OK)
        rc = store_exec(tx, NULL,
            "INSERT INTO hl7_outbox (practice_id, seq, control_id, patient_id, "
            "encounter_id, kind, charge_ids, body, status, attempts, next_at, "
            "last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            "iitttttttiti", practice_id, last + 1, in->control_id, patient_id,
            encounter_id ? encounter_id : "", credit ? "credit" : "charge",
            sw_buf_str(&ids), sw_buf_str(&body),
            valid ? HL7_OUT_PENDING : HL7_OUT_INVALID, now_ms,
            valid ? "" : sw_buf_str(&why), now_ms);
    if (rc == SW_OK && seq)
        *seq = last + 1;
    sw_buf_free(&why);
    sw_buf_free(&body);
    sw_buf_free(&ids);
    return rc;
}

int hl7_outbox_queue(store_tx *tx, int64_t practice_id, const char *patient_id,
                     const char *encounter_id, const hl7_charge_line *lines,
                     size_t n, int64_t now_ms, int64_t *seq)
{
    sw_arena *a = sw_arena_create(16u << 20);
    if (a == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    int rc = queue(tx, a, practice_id, patient_id, encounter_id, lines, n,
                   now_ms, seq);
    sw_arena_destroy(a);
    return rc;
}

/* ---- Reading rows --------------------------------------------------------- */

#define ROW_COLUMNS "seq, control_id, patient_id, encounter_id, kind, status, " \
    "last_error, ack_code, charge_ids, attempts, next_at, created_at, sent_at, " \
    "acked_at, replaced_by"

static int row_read(store_stmt *q, sw_arena *a, hl7_outbox_row *r)
{
    const char *s[8];
    for (int i = 0; i < 7; i++)
        s[i] = sw_arena_strdup(a, store_col_text(q, i + 1, NULL));
    r->seq = store_col_int64(q, 0);
    r->control_id = s[0];
    r->patient_id = s[1];
    r->encounter_id = s[2];
    r->kind = s[3];
    r->status = s[4];
    r->last_error = s[5];
    r->ack_code = s[6];
    r->attempts = store_col_int64(q, 9);
    r->next_at = store_col_int64(q, 10);
    r->created_at = store_col_int64(q, 11);
    r->sent_at = store_col_int64(q, 12);
    r->acked_at = store_col_int64(q, 13);
    r->replaced_by = store_col_int64(q, 14);
    for (int i = 0; i < 7; i++)
        if (s[i] == NULL)
            return SW_ENOMEM;
    return hl7_outbox_lines_parse(a, store_col_text(q, 8, NULL), &r->lines,
                                  &r->nlines);
}

int hl7_outbox_list(store_tx *tx, sw_arena *a, int64_t practice_id,
                    const hl7_outbox_filter *f, hl7_outbox_row **rows,
                    size_t *n)
{
    size_t limit = f->limit && f->limit < HL7_OUTBOX_LIST_MAX ? f->limit
                                                               : HL7_OUTBOX_LIST_MAX;
    *n = 0;
    *rows = sw_arena_calloc(a, limit, sizeof **rows);
    if (*rows == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    store_stmt *q;
    /* Each filter is either bound or disabled by its own flag, so one
     * statement serves every combination. */
    int rc = store_prepare(tx,
        "SELECT " ROW_COLUMNS " FROM hl7_outbox WHERE practice_id = ? "
        "AND (? = '' OR status = ?) AND (? = '' OR patient_id = ?) "
        "AND (? = 0 OR status IN ('rejected', 'invalid')) "
        "ORDER BY seq DESC LIMIT ?", &q);
    if (rc != SW_OK)
        return rc;
    const char *status = f->status ? f->status : "";
    const char *patient = f->patient_id ? f->patient_id : "";
    if ((rc = store_bind_int64(q, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(q, 2, status)) == SW_OK
        && (rc = store_bind_cstr(q, 3, status)) == SW_OK
        && (rc = store_bind_cstr(q, 4, patient)) == SW_OK
        && (rc = store_bind_cstr(q, 5, patient)) == SW_OK
        && (rc = store_bind_int64(q, 6, f->work_queue ? 1 : 0)) == SW_OK)
        rc = store_bind_int64(q, 7, (int64_t)limit);
    bool row = false;
    while (rc == SW_OK && *n < limit && (rc = store_step(q, &row)) == SW_OK && row)
        if ((rc = row_read(q, a, &(*rows)[*n])) == SW_OK)
            (*n)++;
    store_finalize(q);
    if (rc == SW_ENOMEM)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    return rc;
}

int hl7_outbox_get(store_tx *tx, sw_arena *a, int64_t practice_id, int64_t seq,
                   hl7_outbox_row *row)
{
    store_stmt *q;
    int rc = store_prepare(tx, "SELECT " ROW_COLUMNS " FROM hl7_outbox "
                           "WHERE practice_id = ? AND seq = ?", &q);
    if (rc != SW_OK)
        return rc;
    bool found = false;
    if ((rc = store_bind_int64(q, 1, practice_id)) == SW_OK)
        rc = store_bind_int64(q, 2, seq);
    if (rc == SW_OK && (rc = store_step(q, &found)) == SW_OK && found)
        rc = row_read(q, a, row);
    store_finalize(q);
    if (rc == SW_OK && !found)
        return store_tx_fail(tx, SW_ENOTFOUND, "there is no outbound message "
                             "%" PRId64, seq);
    if (rc == SW_ENOMEM)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    return rc;
}

int hl7_outbox_count(store_tx *tx, int64_t practice_id, hl7_outbox_counts *out)
{
    memset(out, 0, sizeof *out);
    store_stmt *q;
    int rc = store_prepare(tx, "SELECT status, COUNT(*), MIN(created_at) "
                           "FROM hl7_outbox WHERE practice_id = ? GROUP BY status",
                           &q);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_bind_int64(q, 1, practice_id);
    while (rc == SW_OK && (rc = store_step(q, &row)) == SW_OK && row) {
        const char *s = store_col_text(q, 0, NULL);
        int64_t count = store_col_int64(q, 1);
        if (strcmp(s, HL7_OUT_PENDING) == 0) {
            out->pending = count;
            out->oldest_pending_at = store_col_int64(q, 2);
        } else if (strcmp(s, HL7_OUT_ACKED) == 0) {
            out->acked = count;
        } else if (strcmp(s, HL7_OUT_REJECTED) == 0) {
            out->rejected = count;
        } else if (strcmp(s, HL7_OUT_INVALID) == 0) {
            out->invalid = count;
        } else if (strcmp(s, HL7_OUT_RESENT) == 0) {
            out->resent = count;
        }
    }
    store_finalize(q);
    return rc;
}

/* ---- Resending ------------------------------------------------------------ */

int hl7_outbox_resend(store_tx *tx, int64_t practice_id, int64_t seq,
                      int64_t now_ms, int64_t *new_seq)
{
    sw_arena *a = sw_arena_create(16u << 20);
    if (a == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    hl7_outbox_row old;
    int64_t made = 0;
    int rc = hl7_outbox_get(tx, a, practice_id, seq, &old);
    if (rc == SW_OK && strcmp(old.status, HL7_OUT_REJECTED) != 0
        && strcmp(old.status, HL7_OUT_INVALID) != 0)
        rc = store_tx_fail(tx, SW_ECONFLICT, "message %" PRId64 " is %s: only a "
                           "rejected or invalid message can be resent", seq,
                           old.status);
    if (rc == SW_OK)
        rc = queue(tx, a, practice_id, old.patient_id, old.encounter_id,
                   old.lines, old.nlines, now_ms, &made);
    if (rc == SW_OK)
        rc = store_exec(tx, NULL, "UPDATE hl7_outbox SET status = ?, "
                        "replaced_by = ? WHERE practice_id = ? AND seq = ?",
                        "tiii", HL7_OUT_RESENT, made, practice_id, seq);
    if (rc == SW_OK && new_seq)
        *new_seq = made;
    sw_arena_destroy(a);
    return rc;
}
