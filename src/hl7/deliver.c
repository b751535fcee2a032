/* deliver.c - the outbox's delivery worker (see deliver.h): one pass per
 * practice sends every due row over MLLP, oldest first and in order per
 * patient, and records each answer in its own transaction; the worker
 * thread runs passes for every practice with a peer, keeping one client
 * connection per practice open between passes.
 *
 * Workload: a practice queues a few DFT messages a minute; a pass reads the
 * pending rows (bounded by DELIVER_BATCH) and does one exchange per row.
 * An exchange can wait up to the reply timeout, so passes run on the
 * worker's own thread, never on a request's. */
#include "hl7/deliver.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/alloc.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/waiter.h"
#include "hl7/ack.h"
#include "hl7/outbox.h"
#include "hl7/peer.h"

#define DELIVER_BATCH 200

typedef struct due_row {
    int64_t     seq, attempts, next_at;
    const char *control_id, *patient_id, *body, *charge_ids;
} due_row;

/* ---- Reading what is due -------------------------------------------------- */

struct due_ctx {
    sw_arena *a;
    int64_t   practice_id;
    hl7_peer  peer;
    due_row  *rows;
    size_t    n;
};

static int due_fn(store_tx *tx, void *arg)
{
    struct due_ctx *c = arg;
    c->n = 0;
    int rc = hl7_peer_load(tx, c->practice_id, &c->peer);
    if (rc != SW_OK)
        return rc;
    store_stmt *q;
    rc = store_prepare(tx, "SELECT seq, attempts, next_at, control_id, "
                       "patient_id, body, charge_ids FROM hl7_outbox "
                       "WHERE practice_id = ? AND status = 'pending' "
                       "ORDER BY seq LIMIT ?", &q);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(q, 1, c->practice_id)) == SW_OK)
        rc = store_bind_int64(q, 2, DELIVER_BATCH);
    while (rc == SW_OK && c->n < DELIVER_BATCH
           && (rc = store_step(q, &row)) == SW_OK && row) {
        due_row *r = &c->rows[c->n];
        r->seq = store_col_int64(q, 0);
        r->attempts = store_col_int64(q, 1);
        r->next_at = store_col_int64(q, 2);
        r->control_id = sw_arena_strdup(c->a, store_col_text(q, 3, NULL));
        r->patient_id = sw_arena_strdup(c->a, store_col_text(q, 4, NULL));
        r->body = sw_arena_strdup(c->a, store_col_text(q, 5, NULL));
        r->charge_ids = sw_arena_strdup(c->a, store_col_text(q, 6, NULL));
        if (!r->control_id || !r->patient_id || !r->body || !r->charge_ids)
            rc = store_tx_fail(tx, SW_ENOMEM, "out of memory");
        c->n++;
    }
    store_finalize(q);
    return rc;
}

/* ---- Recording an answer -------------------------------------------------- */

typedef enum outcome { OUT_ACKED, OUT_REJECTED, OUT_RETRY } outcome;

struct record_ctx {
    int64_t         practice_id;
    const due_row  *row;
    outcome         what;
    const char     *ack_code;
    const char     *why;
    int64_t         now_ms;
    int64_t         next_at;
};

/* Every charge of an acknowledged message is a disclosure to the PMS
 * (accounting of disclosures), recorded with the status change. */
static int disclose(store_tx *tx, struct record_ctx *c)
{
    audit_who who = {
        .practice_id = c->practice_id, .user_id = 0, .username = "hl7:outbox",
        .roles = "interface", .client = "mllp", .request_id = "",
    };
    sw_arena *a = sw_arena_create(1u << 20);
    hl7_charge_line *lines;
    size_t n;
    int rc = a ? hl7_outbox_lines_parse(a, c->row->charge_ids, &lines, &n)
               : SW_ENOMEM;
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        audit_entry e = {
            .who = &who, .action = AUDIT_DISCLOSURE,
            .feature = "charge_capture.disclose", .patient_id = c->row->patient_id,
            .res_type = "ChargeItem", .res_id = lines[i].charge_id,
            .outcome = AUDIT_SUCCESS,
            .detail = "dft to the practice-management system",
        };
        rc = audit_append(tx, &e);
    }
    sw_arena_destroy(a);
    if (rc == SW_ENOMEM)
        return store_tx_fail(tx, rc, "out of memory");
    return rc;
}

static int record_fn(store_tx *tx, void *arg)
{
    struct record_ctx *c = arg;
    int64_t changed = 0;
    int rc;
    /* Only a row still pending changes: a biller may not resend a pending
     * row, but a second worker (two servers on one database) might have
     * recorded the same exchange first. */
    if (c->what == OUT_ACKED)
        rc = store_exec(tx, &changed, "UPDATE hl7_outbox SET status = 'acked', "
                        "attempts = attempts + 1, ack_code = ?, sent_at = ?, "
                        "acked_at = ?, last_error = '' WHERE practice_id = ? "
                        "AND seq = ? AND status = 'pending'", "tiiii",
                        c->ack_code, c->now_ms, c->now_ms, c->practice_id,
                        c->row->seq);
    else if (c->what == OUT_REJECTED)
        rc = store_exec(tx, &changed, "UPDATE hl7_outbox SET status = "
                        "'rejected', attempts = attempts + 1, ack_code = ?, "
                        "sent_at = ?, last_error = ? WHERE practice_id = ? "
                        "AND seq = ? AND status = 'pending'", "titii",
                        c->ack_code, c->now_ms, c->why, c->practice_id,
                        c->row->seq);
    else
        rc = store_exec(tx, &changed, "UPDATE hl7_outbox SET attempts = "
                        "attempts + 1, next_at = ?, ack_code = ?, sent_at = ?, "
                        "last_error = ? WHERE practice_id = ? AND seq = ? "
                        "AND status = 'pending'", "ititii", c->next_at,
                        c->ack_code, c->now_ms, c->why, c->practice_id,
                        c->row->seq);
    if (rc == SW_OK && changed == 1 && c->what == OUT_ACKED)
        rc = disclose(tx, c);
    return rc;
}

static int64_t backoff_ms(int64_t attempts)
{
    int64_t wait = SW_HL7_RETRY_FIRST_MS;
    for (int64_t i = 0; i < attempts && wait < SW_HL7_RETRY_MAX_MS; i++)
        wait *= 2;
    return wait < SW_HL7_RETRY_MAX_MS ? wait : SW_HL7_RETRY_MAX_MS;
}

static int record(sw_store *s, int64_t practice_id, const due_row *row,
                  outcome what, const char *ack_code, const char *why,
                  int64_t now_ms, hl7_deliver_stats *st, sw_err *err)
{
    struct record_ctx c = {
        .practice_id = practice_id, .row = row, .what = what,
        .ack_code = ack_code ? ack_code : "", .why = why ? why : "",
        .now_ms = now_ms, .next_at = now_ms + backoff_ms(row->attempts),
    };
    int rc = store_write(s, record_fn, &c, err);
    if (rc == SW_OK) {
        st->acked += what == OUT_ACKED;
        st->rejected += what == OUT_REJECTED;
        st->retried += what == OUT_RETRY;
    }
    return rc;
}

/* ---- One pass ------------------------------------------------------------- */

/* What the peer's answer means for the row (deliver.h's table). */
static outcome judge(const due_row *row, const char *reply, size_t len,
                     hl7_ack *ack, char *why, size_t cap)
{
    sw_err e;
    if (hl7_ack_read(reply, len, ack, &e) != SW_OK) {
        ack->code[0] = '\0';
        snprintf(why, cap, "the peer's answer is not an acknowledgment: %s",
                 sw_err_text(&e));
        return OUT_RETRY;
    }
    if (strcmp(ack->control_id, row->control_id) != 0) {
        snprintf(why, cap, "the acknowledgment names control id %.40s in MSA-2, "
                 "not ours (%s); sent again", ack->control_id, row->control_id);
        return OUT_RETRY;
    }
    if (strcmp(ack->code, "AA") == 0 || strcmp(ack->code, "CA") == 0) {
        why[0] = '\0';
        return OUT_ACKED;
    }
    if (strcmp(ack->code, "AE") == 0 || strcmp(ack->code, "CE") == 0) {
        snprintf(why, cap, "%s", ack->text[0] ? ack->text
                 : "the practice-management system refused the message "
                   "without saying why");
        return OUT_REJECTED;
    }
    if (strcmp(ack->code, "AR") == 0 || strcmp(ack->code, "CR") == 0)
        snprintf(why, cap, "the practice-management system could not take the "
                 "message now (%s)%s%s", ack->code, ack->text[0] ? ": " : "",
                 ack->text);
    else
        snprintf(why, cap, "the acknowledgment code %.8s is not one of AA, AE, "
                 "AR, CA, CE, CR", ack->code);
    return OUT_RETRY;
}

static bool blocked(const char **patients, size_t n, const char *patient)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(patients[i], patient) == 0)
            return true;
    return false;
}

/* One pass over practice_id's due rows on *conn (connected here when NULL,
 * left NULL after a failure). */
static int pass(sw_store *s, int64_t practice_id, int64_t now_ms,
                const mllp_client_config *base, mllp_client **conn,
                hl7_deliver_stats *st, sw_err *err)
{
    sw_arena *a = sw_arena_create(64u << 20);
    struct due_ctx c = { .a = a, .practice_id = practice_id };
    c.rows = a ? sw_arena_calloc(a, DELIVER_BATCH, sizeof *c.rows) : NULL;
    if (c.rows == NULL) {
        sw_arena_destroy(a);
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    }
    int rc = store_read(s, due_fn, &c, err);
    if (rc == SW_OK && c.peer.send_host[0] == '\0')
        rc = sw_err_set(err, SW_ENOTFOUND, "practice %" PRId64 " has no peer "
                        "to send to; set one with 'stagewise interface peer "
                        "--send-to HOST:PORT'", practice_id);
    else if (rc == SW_ENOTFOUND)
        sw_err_set(err, SW_ENOTFOUND, "practice %" PRId64 " has no peer; set "
                   "one with 'stagewise interface peer'", practice_id);
    mllp_client_config cfg = *base;
    cfg.host = c.peer.send_host;
    cfg.port = c.peer.send_port;
    const char **skip = a ? sw_arena_calloc(a, DELIVER_BATCH, sizeof *skip) : NULL;
    size_t nskip = 0;
    sw_buf reply = SW_BUF_INIT(cfg.max_frame ? cfg.max_frame
                                             : SW_HL7_MAX_MESSAGE_BYTES);
    char why[600];
    for (size_t i = 0; rc == SW_OK && i < c.n; i++) {
        const due_row *r = &c.rows[i];
        /* In order per patient: nothing of a patient goes while an earlier
         * row of theirs waits or failed in this pass. */
        if (blocked(skip, nskip, r->patient_id))
            continue;
        if (r->next_at > now_ms) {
            skip[nskip++] = r->patient_id;
            continue;
        }
        sw_err e;
        int x = SW_OK;
        if (*conn == NULL)
            x = mllp_client_connect(&cfg, conn, &e);
        if (x != SW_OK) {
            /* The peer is unreachable: every due row waits its backoff. */
            snprintf(why, sizeof why, "%s", sw_err_text(&e));
            for (size_t k = i; rc == SW_OK && k < c.n; k++) {
                const due_row *q = &c.rows[k];
                if (q->next_at > now_ms || blocked(skip, nskip, q->patient_id))
                    continue;
                st->sent++;
                rc = record(s, practice_id, q, OUT_RETRY, "", why, now_ms, st, err);
                skip[nskip++] = q->patient_id;
            }
            break;
        }
        st->sent++;
        x = mllp_client_exchange(*conn, r->body, strlen(r->body), &reply, &e);
        hl7_ack ack = { 0 };
        outcome what;
        if (x != SW_OK) {
            /* A late reply would answer the next message: start afresh. */
            mllp_client_close(*conn);
            *conn = NULL;
            snprintf(why, sizeof why, "%s", x == SW_ETIMEOUT
                     ? "no acknowledgment came in time; sent again later"
                     : sw_err_text(&e));
            what = OUT_RETRY;
        } else {
            what = judge(r, reply.data ? reply.data : "", reply.len, &ack, why,
                         sizeof why);
        }
        rc = record(s, practice_id, r, what, ack.code, why, now_ms, st, err);
        if (what == OUT_RETRY)
            skip[nskip++] = r->patient_id;
    }
    sw_buf_free(&reply);
    sw_arena_destroy(a);
    return rc;
}

int hl7_deliver_once(sw_store *s, int64_t practice_id, int64_t now_ms,
                     const mllp_client_config *client, hl7_deliver_stats *st,
                     sw_err *err)
{
    hl7_deliver_stats local = { 0 };
    mllp_client *conn = NULL;
    mllp_client_config none = { 0 };
    int rc = pass(s, practice_id, now_ms, client ? client : &none, &conn,
                  st ? st : &local, err);
    mllp_client_close(conn);
    return rc;
}

/* ---- The worker thread ---------------------------------------------------- */

typedef struct practice_conn {
    int64_t      practice_id;
    char         host[256];
    int          port;
    mllp_client *conn;
} practice_conn;

struct hl7_deliver {
    sw_store           *store;
    hl7_deliver_options opt;
    pthread_t           thread;
    sw_waiter           waiter;
    practice_conn      *conns;
    size_t              nconns;
};

/* The connection kept for a practice; dropped when its peer moved. */
static practice_conn *conn_for(hl7_deliver *d, const hl7_peer *p)
{
    for (size_t i = 0; i < d->nconns; i++) {
        practice_conn *c = &d->conns[i];
        if (c->practice_id != p->practice_id)
            continue;
        if (strcmp(c->host, p->send_host) != 0 || c->port != p->send_port) {
            mllp_client_close(c->conn);
            c->conn = NULL;
            snprintf(c->host, sizeof c->host, "%s", p->send_host);
            c->port = p->send_port;
        }
        return c;
    }
    practice_conn *grown = sw_realloc(d->conns, (d->nconns + 1) * sizeof *grown);
    if (grown == NULL)
        return NULL;
    d->conns = grown;
    practice_conn *c = &d->conns[d->nconns++];
    memset(c, 0, sizeof *c);
    c->practice_id = p->practice_id;
    snprintf(c->host, sizeof c->host, "%s", p->send_host);
    c->port = p->send_port;
    return c;
}

static void run_passes(hl7_deliver *d)
{
    hl7_peer *peers = NULL;
    size_t n = 0;
    sw_err err;
    if (hl7_peer_all(d->store, &peers, &n, &err) != SW_OK) {
        sw_warn("hl7: the delivery worker could not read the peers: %s",
                    sw_err_text(&err));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (peers[i].send_host[0] == '\0')
            continue;
        practice_conn *c = conn_for(d, &peers[i]);
        if (c == NULL)
            break;
        hl7_deliver_stats st = { 0 };
        int rc = pass(d->store, peers[i].practice_id, sw_now_wall_ms(),
                      &d->opt.client, &c->conn, &st, &err);
        if (rc != SW_OK && rc != SW_ENOTFOUND)
            sw_warn("hl7: delivery for practice %" PRId64 " stopped: %s",
                        peers[i].practice_id, sw_err_text(&err));
        if (sw_waiter_stopped(&d->waiter))
            break;
    }
    sw_free(peers);
}

static void *worker(void *arg)
{
    hl7_deliver *d = arg;
    for (;;) {
        run_passes(d);
        if (sw_waiter_sleep(&d->waiter, d->opt.poll_ms))
            break;
    }
    return NULL;
}

int hl7_deliver_start(sw_store *s, const hl7_deliver_options *o,
                      hl7_deliver **out, sw_err *err)
{
    *out = NULL;
    hl7_deliver *d = sw_calloc(1, sizeof *d);
    if (d == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    d->store = s;
    if (o)
        d->opt = *o;
    if (d->opt.poll_ms <= 0)
        d->opt.poll_ms = 500;
    sw_waiter_init(&d->waiter);
    if (pthread_create(&d->thread, NULL, worker, d) != 0) {
        sw_waiter_destroy(&d->waiter);
        sw_free(d);
        return sw_err_set(err, SW_EINTERNAL, "could not start the HL7 delivery "
                          "worker thread");
    }
    *out = d;
    return SW_OK;
}

void hl7_deliver_wake(hl7_deliver *d)
{
    if (d == NULL)
        return;
    sw_waiter_wake(&d->waiter);
}

void hl7_deliver_stop(hl7_deliver *d)
{
    if (d == NULL)
        return;
    sw_waiter_stop(&d->waiter);
    pthread_join(d->thread, NULL);
    for (size_t i = 0; i < d->nconns; i++)
        mllp_client_close(d->conns[i].conn);
    sw_free(d->conns);
    sw_waiter_destroy(&d->waiter);
    sw_free(d);
}
