/* test_hl7_outbound.c - charges to the practice-management system, on each
 * store, over real sockets: visits signed through /api queue their
 * DFT^P03 in the signing transaction; an in-test PMS (testpms.c, an
 * mllp_server on 127.0.0.1) parses each message and answers as scripted - AA, CA, AE with
 * an ERR, CE, AR, CR, the unknown code ZZ, a wrong MSA-2, no reply, a
 * closed connection - and hl7_deliver_once must leave each row acked,
 * rejected with the PMS's reason, or pending with one more attempt and
 * next_at backed off, carrying the same MSH-10 on every retry; an
 * acknowledged charge is a disclosure in the audit trail. The PMS down
 * while five charges of two patients pile up, then up: all acked, each
 * control id received exactly once, in order per patient. Invalid rows
 * never leave; a resend is a new control id. Through the running server:
 * the work queue API, resend, void (a CR line), correct (CR and CG in one
 * message), a late charge, and the server's own delivery worker sending
 * what is pending once the peer is set. Processing id T throughout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/clock.h"
#include "hl7/deliver.h"
#include "hl7/message.h"
#include "hl7/mllp.h"
#include "hl7/outbox.h"
#include "hl7/peer.h"
#include "store/store.h"
#include "testapi.h"
#include "testpms.h"
#include "testvisits.h"

#define NPI_TEST  "1234567893"
#define NPI_OTHER "1987654328"

/* ---- The store, beside the server ----------------------------------------- */

typedef struct row {
    char    status[16], control[24], error[600], ack[4], kind[8], charge_ids[400];
    char   *body;
    int64_t attempts, next_at, replaced_by;
} row;

struct row_ctx {
    int64_t seq;
    row    *r;
    bool    found;
};

static int row_fn(store_tx *tx, void *arg)
{
    struct row_ctx *c = arg;
    store_stmt *q;
    int rc = store_prepare(tx, "SELECT status, control_id, last_error, ack_code, "
                           "attempts, next_at, replaced_by, kind, body, charge_ids "
                           "FROM hl7_outbox WHERE practice_id = 1 AND seq = ?", &q);
    if (rc != SW_OK)
        return rc;
    if ((rc = store_bind_int64(q, 1, c->seq)) == SW_OK
        && (rc = store_step(q, &c->found)) == SW_OK && c->found) {
        row *r = c->r;
        snprintf(r->status, sizeof r->status, "%s", store_col_text(q, 0, NULL));
        snprintf(r->control, sizeof r->control, "%s", store_col_text(q, 1, NULL));
        snprintf(r->error, sizeof r->error, "%s", store_col_text(q, 2, NULL));
        snprintf(r->ack, sizeof r->ack, "%s", store_col_text(q, 3, NULL));
        r->attempts = store_col_int64(q, 4);
        r->next_at = store_col_int64(q, 5);
        r->replaced_by = store_col_int64(q, 6);
        snprintf(r->kind, sizeof r->kind, "%s", store_col_text(q, 7, NULL));
        free(r->body);
        r->body = strdup(store_col_text(q, 8, NULL));
        snprintf(r->charge_ids, sizeof r->charge_ids, "%s", store_col_text(q, 9, NULL));
    }
    store_finalize(q);
    return rc;
}

static row get_row(sw_store *s, int64_t seq)
{
    row r = { 0 };
    struct row_ctx c = { seq, &r, false };
    sw_err err;
    if (store_read(s, row_fn, &c, &err) != SW_OK || !c.found)
        fail_msg("outbox row %" PRId64 " cannot be read", seq);
    return r;
}

struct queue_ctx {
    const char *patient, *encounter;
    hl7_charge_line lines[4];
    size_t n;
    int64_t seq;
};

static int queue_fn(store_tx *tx, void *arg)
{
    struct queue_ctx *c = arg;
    return hl7_outbox_queue(tx, 1, c->patient, c->encounter, c->lines, c->n,
                            sw_now_wall_ms(), &c->seq);
}

/* Queues one more DFT for a stored charge; its seq. */
static int64_t queue_charge(sw_store *s, const char *patient,
                            const char *encounter, const char *charge)
{
    struct queue_ctx c = { patient, encounter, { { charge, false } }, 1, 0 };
    sw_err err;
    if (store_write(s, queue_fn, &c, &err) != SW_OK)
        fail_msg("queueing: %s", sw_err_text(&err));
    return c.seq;
}

struct count_ctx {
    const char *sql, *arg;
    int64_t     n;
};

static int count_fn(store_tx *tx, void *arg)
{
    struct count_ctx *c = arg;
    return store_query_int64(tx, &c->n, c->sql, "t", c->arg);
}

static int64_t count_sql(sw_store *s, const char *sql, const char *arg)
{
    struct count_ctx c = { sql, arg, 0 };
    sw_err err;
    if (store_read(s, count_fn, &c, &err) != SW_OK)
        fail_msg("%s: %s", sql, sw_err_text(&err));
    return c.n;
}

/* The leaf of a stored message. */
static const char *msg_get(sw_arena *a, const char *body, const char *seg,
                           size_t occ, size_t field, size_t comp)
{
    hl7_message *m;
    sw_err err;
    if (hl7_parse(a, body, strlen(body), &m, &err) != SW_OK)
        fail_msg("a stored DFT does not parse: %s", err.msg);
    const char *v = hl7_get(m, seg, occ, field, 1, comp, 1);
    return v ? v : "";
}

/* ---- Visits through the API ----------------------------------------------- */

/* Opens, writes, codes and signs a visit of patient as auth; its one
 * charge's id goes to charge. The encounter id (caller frees). */
static char *signed_visit(sw_test_env *e, const char *auth, const char *patient,
                          const char *cpt, char charge[80])
{
    char body[256];
    snprintf(body, sizeof body, "{\"diagnoses\":[{\"code\":\"J20.9\"},{\"code\":"
             "\"I10\"}],\"procedures\":[{\"code\":\"%s\",\"modifiers\":[\"25\"],"
             "\"diagnoses\":[1,2]}]}", cpt);
    size_t n;
    return testvisits_sign(e, auth, patient, body, (char (*)[80])charge, 1, &n);
}

/* Stops the server, keeping the database: delivery is then this process's. */
static void stop_server(sw_test_env *e)
{
    assert_int_equal(sw_test_server_stop(&e->srv, SIGTERM, 15), 0);
    e->srv.pid = 0;
}

static const mllp_client_config CLIENT = {
    .connect_timeout_ms = 2000, .reply_timeout_ms = 700,
};

static hl7_deliver_stats deliver(sw_store *s, int64_t now_ms)
{
    hl7_deliver_stats st = { 0 };
    sw_err err;
    int rc = hl7_deliver_once(s, 1, now_ms, &CLIENT, &st, &err);
    if (rc != SW_OK)
        fail_msg("hl7_deliver_once: %s", sw_err_text(&err));
    return st;
}

/* One retry: still pending, one attempt more, backed off from now. */
static void expect_retry(sw_store *s, int64_t seq, int64_t now_ms,
                         int64_t attempts, const char *why)
{
    row r = get_row(s, seq);
    assert_string_equal(r.status, "pending");
    assert_int_equal(r.attempts, attempts);
    int64_t wait = 1000;
    for (int64_t i = 1; i < attempts; i++)
        wait *= 2;
    assert_int_equal(r.next_at, now_ms + (wait < 300000 ? wait : 300000));
    if (strstr(r.error, why) == NULL)
        fail_msg("row %" PRId64 "'s reason \"%s\" does not say \"%s\"", seq,
                 r.error, why);
    free(r.body);
}

struct resend {
    int64_t seq, made;
};

static int resend_fn(store_tx *tx, void *arg)
{
    struct resend *rs = arg;
    return hl7_outbox_resend(tx, 1, rs->seq, sw_now_wall_ms(), &rs->made);
}

/* ---- Each acknowledgment ----------------------------------------------------- */

static void every_acknowledgment(void **state)
{
    sw_test_env *e = *state;
    char charge[80];
    testvisits_link_practitioner(e, SW_TEST_CLINICIAN, "pr-test", NPI_TEST);
    sw_test_patient(e, "p1", "Ana", "O^Brien", "1970-05-01");
    /* The peer is known (processing id T) but has nowhere to send yet, so
     * the server's own worker leaves the row to this test. */
    sw_store *s = testpms_open_store(e);
    testpms_set_peer(s, "", 0);
    char *enc = signed_visit(e, e->auth, "p1", "99213", charge);
    stop_server(e);
    row r = get_row(s, 1);   /* queued by the signature */
    assert_string_equal(r.status, "pending");
    assert_string_equal(r.control, "SW1-1");
    assert_string_equal(r.kind, "charge");
    assert_string_equal(r.charge_ids, charge);
    free(r.body);

    testpms p;
    testpms_start(&p, PMS_AA);
    testpms_set_peer(s, "127.0.0.1", p.port);
    int64_t t = sw_now_wall_ms();
    /* Each failure: pending, attempts + 1, next_at doubling, same MSH-10. */
    static const struct { testpms_mode mode; const char *why; } fails[] = {
        { PMS_AR, "could not take the message now (AR)" },
        { PMS_CR, "could not take the message now (CR)" },
        { PMS_ZZ, "'ZZ'" },
        { PMS_WRONG_ID, "SOMEONE-ELSE" },
        { PMS_SILENT, "no acknowledgment came in time" },
        { PMS_CLOSE, "" },
    };
    for (size_t i = 0; i < sizeof fails / sizeof fails[0]; i++) {
        testpms_set(&p, fails[i].mode);
        hl7_deliver_stats st = deliver(s, t);
        assert_int_equal(st.sent, 1);
        assert_int_equal(st.retried, 1);
        expect_retry(s, 1, t, (int64_t)i + 1, fails[i].why);
        /* Not due before its time. */
        row now = get_row(s, 1);
        st = deliver(s, now.next_at - 1);
        assert_int_equal(st.sent, 0);
        t = now.next_at;
        free(now.body);
    }
    testpms_set(&p, PMS_AA);
    hl7_deliver_stats st = deliver(s, t);
    assert_int_equal(st.acked, 1);
    r = get_row(s, 1);
    assert_string_equal(r.status, "acked");
    assert_string_equal(r.ack, "AA");
    assert_int_equal(r.attempts, 7);
    free(r.body);
    assert_int_equal(testpms_count(&p, "SW1-1"), 7);   /* the same MSH-10 each time */
    assert_int_equal(p.n, 7);

    /* What the PMS received. */
    sw_arena *a = sw_arena_create(0);
    const char *body = p.body[6];
    assert_string_equal(msg_get(a, body, "MSH", 1, 9, 1), "DFT");
    assert_string_equal(msg_get(a, body, "MSH", 1, 11, 1), "T");
    assert_string_equal(msg_get(a, body, "PID", 1, 5, 1), "O^Brien");
    assert_string_equal(msg_get(a, body, "PV1", 1, 19, 1), enc);
    assert_string_equal(msg_get(a, body, "FT1", 1, 2, 1), charge);
    assert_string_equal(msg_get(a, body, "FT1", 1, 6, 1), "CG");
    assert_string_equal(msg_get(a, body, "FT1", 1, 7, 1), "99213");
    assert_string_equal(msg_get(a, body, "FT1", 1, 20, 1), NPI_TEST);
    assert_string_equal(msg_get(a, body, "FT1", 1, 26, 1), "25");
    assert_string_equal(msg_get(a, body, "DG1", 1, 3, 1), "J20.9");
    assert_string_equal(msg_get(a, body, "DG1", 1, 15, 1), "1");
    assert_string_equal(msg_get(a, body, "DG1", 2, 3, 1), "I10");
    sw_arena_destroy(a);
    /* The charge sent is a disclosure. */
    assert_int_equal(count_sql(s, "SELECT COUNT(*) FROM audit_log WHERE "
                     "practice_id = 1 AND action = 'disclosure' AND "
                     "feature = 'charge_capture.disclose' AND res_type = "
                     "'ChargeItem' AND username = 'hl7:outbox' AND res_id = ?",
                     charge), 1);

    /* CA accepts too; AE and CE reject with the PMS's reason. */
    int64_t ca = queue_charge(s, "p1", enc, charge);
    testpms_set(&p, PMS_CA);
    st = deliver(s, t);
    assert_int_equal(st.acked, 1);
    r = get_row(s, ca);
    assert_string_equal(r.status, "acked");
    assert_string_equal(r.ack, "CA");
    free(r.body);
    for (testpms_mode m = PMS_AE; m <= PMS_CE; m++) {
        int64_t seq = queue_charge(s, "p1", enc, charge);
        testpms_set(&p, m);
        st = deliver(s, t);
        assert_int_equal(st.rejected, 1);
        r = get_row(s, seq);
        assert_string_equal(r.status, "rejected");
        assert_string_equal(r.ack, m == PMS_AE ? "AE" : "CE");
        assert_non_null(strstr(r.error, "Unknown procedure code"));
        assert_int_equal(r.attempts, 1);
        free(r.body);
    }
    /* A rejected row is not pending: it does not hold the patient's next. */
    int64_t rejected = ca + 2;

    /* An invalid row never leaves. */
    int64_t bad = queue_charge(s, "p1", enc, "no-such-charge");
    r = get_row(s, bad);
    assert_string_equal(r.status, "invalid");
    assert_non_null(strstr(r.error, "no longer exists"));
    free(r.body);
    testpms_set(&p, PMS_AA);
    st = deliver(s, t);
    assert_int_equal(st.sent, 0);
    assert_int_equal(testpms_count(&p, r.control), 0);

    /* Resending the rejected row: a new row and control id. */
    struct resend rs = { rejected, 0 };
    sw_err err;
    assert_int_equal(store_write(s, resend_fn, &rs, &err), SW_OK);
    r = get_row(s, rejected);
    assert_string_equal(r.status, "resent");
    assert_int_equal(r.replaced_by, rs.made);
    free(r.body);
    r = get_row(s, rs.made);
    assert_string_equal(r.status, "pending");
    char control[32];
    snprintf(control, sizeof control, "SW1-%" PRId64, rs.made);
    assert_string_equal(r.control, control);
    free(r.body);
    st = deliver(s, t);
    assert_int_equal(st.acked, 1);
    assert_int_equal(testpms_count(&p, control), 1);
    /* A pending or acked row cannot be resent. */
    rs.seq = 1;
    assert_int_equal(store_write(s, resend_fn, &rs, &err), SW_ECONFLICT);
    assert_non_null(strstr(err.msg, "only a rejected or invalid message"));

    /* The same at the command line. */
    char *out = NULL, *errs = NULL, bad_seq[24];
    const char *list[] = { "interface", "queue", "--db", e->db, NULL };
    assert_int_equal(sw_test_run(list, NULL, &out, &errs), 0);
    assert_non_null(strstr(out, "SW1-1 "));
    assert_non_null(strstr(out, "no longer exists"));
    assert_null(strstr(out, "O^Brien"));          /* ids, never names */
    free(out);
    free(errs);
    const char *rejected_only[] = { "interface", "queue", "--db", e->db,
                                    "--status", "rejected", NULL };
    assert_int_equal(sw_test_run(rejected_only, NULL, &out, &errs), 0);
    assert_non_null(strstr(out, "1 message."));
    assert_non_null(strstr(out, "Unknown procedure code"));
    free(out);
    free(errs);
    const char *again_acked[] = { "interface", "queue", "--db", e->db,
                                  "--resend", "1", NULL };
    assert_int_equal(sw_test_run(again_acked, NULL, &out, &errs), 1);
    assert_non_null(strstr(errs, "only a rejected or invalid message"));
    free(out);
    free(errs);
    snprintf(bad_seq, sizeof bad_seq, "%" PRId64, bad);
    const char *again_bad[] = { "interface", "queue", "--db", e->db,
                                "--resend", bad_seq, NULL };
    assert_int_equal(sw_test_run(again_bad, NULL, &out, &errs), 0);
    assert_non_null(strstr(out, "invalid: FT1 1: charge no-such-charge no longer exists"));
    free(out);
    free(errs);
    const char *lost[] = { "interface", "queue", "--db", e->db, "--status",
                           "lost", NULL };
    assert_int_equal(sw_test_run(lost, NULL, &out, &errs), 2);
    free(out);
    free(errs);

    testpms_stop(&p);
    store_close(s);
    free(enc);
}


/* ---- The PMS down, charges piling up, then up --------------------------------- */

static void pms_down_then_up(void **state)
{
    sw_test_env *e = *state;
    char c1[80], c2[80];
    testvisits_link_practitioner(e, SW_TEST_CLINICIAN, "pr-test", NPI_TEST);
    sw_test_patient(e, "p1", "Ana", "Rivera", "1970-05-01");
    sw_test_patient(e, "p2", "Ben", "Okafor", "1982-02-11");
    sw_store *s = testpms_open_store(e);
    testpms_set_peer(s, "", 0);
    char *e1 = signed_visit(e, e->auth, "p1", "99213", c1);   /* seq 1 */
    char *e2 = signed_visit(e, e->auth, "p2", "99214", c2);   /* seq 2 */
    stop_server(e);
    queue_charge(s, "p1", e1, c1);   /* 3 */
    queue_charge(s, "p2", e2, c2);   /* 4 */
    queue_charge(s, "p1", e1, c1);   /* 5 */

    /* Nobody listens on the peer's port. */
    testpms down;
    testpms_start(&down, PMS_AA);
    int dead_port = down.port;
    testpms_stop(&down);
    testpms_set_peer(s, "127.0.0.1", dead_port);
    int64_t t = sw_now_wall_ms();
    hl7_deliver_stats st = deliver(s, t);
    assert_int_equal(st.acked, 0);
    assert_int_equal(st.retried, 2);       /* the first row of each patient */
    expect_retry(s, 1, t, 1, "");
    expect_retry(s, 2, t, 1, "");
    for (int64_t seq = 3; seq <= 5; seq++) {
        row r = get_row(s, seq);
        assert_string_equal(r.status, "pending");
        assert_int_equal(r.attempts, 0);   /* behind the patient's first */
        free(r.body);
    }
    /* Still down a second time: the first rows back off further. */
    st = deliver(s, t + 1000);
    assert_int_equal(st.retried, 2);
    expect_retry(s, 1, t + 1000, 2, "");

    /* The PMS is up. */
    testpms p;
    testpms_start(&p, PMS_AA);
    testpms_set_peer(s, "127.0.0.1", p.port);
    st = deliver(s, t + 1000 + 2000);
    assert_int_equal(st.acked, 5);
    assert_int_equal(p.n, 5);
    for (int64_t seq = 1; seq <= 5; seq++) {
        row r = get_row(s, seq);
        assert_string_equal(r.status, "acked");
        assert_int_equal(testpms_count(&p, r.control), 1);   /* none twice */
        free(r.body);
    }
    /* In order per patient. */
    const char *p1_order[] = { "SW1-1", "SW1-3", "SW1-5" };
    const char *p2_order[] = { "SW1-2", "SW1-4" };
    size_t i1 = 0, i2 = 0;
    for (size_t i = 0; i < p.n; i++) {
        if (strcmp(p.patient[i], "p1") == 0)
            assert_string_equal(p.control[i], p1_order[i1++]);
        else
            assert_string_equal(p.control[i], p2_order[i2++]);
    }
    assert_int_equal(i1, 3);
    assert_int_equal(i2, 2);
    /* Nothing is left to send. */
    st = deliver(s, t + 10 * 60 * 1000);
    assert_int_equal(st.sent, 0);
    testpms_stop(&p);
    store_close(s);
    free(e1);
    free(e2);
}

/* ---- The work queue through the API, and the server's worker ----------------- */

static json_t *call_ok(sw_test_env *e, const char *auth, const char *method,
                       const char *path, const char *body, long want)
{
    json_t *doc = NULL;
    long status = sw_test_call(e, auth, method, path, body, &doc);
    if (status != want)
        fail_msg("%s %s answered %ld, not %ld: %s", method, path, status, want,
                 doc ? json_dumps(doc, 0) : "");
    return doc;
}

static void work_queue_api_and_worker(void **state)
{
    sw_test_env *e = *state;
    char c1[80], c2[80], other[512], biller[512], desk[512], path[200];
    testvisits_link_practitioner(e, SW_TEST_CLINICIAN, "pr-test", NPI_TEST);
    sw_test_sign_in_new_user(e, "dr.other", "physician", other, sizeof other);
    sw_test_sign_in_new_user(e, "bill.er", "biller", biller, sizeof biller);
    sw_test_sign_in_new_user(e, "front.desk", "front_desk", desk, sizeof desk);
    sw_test_patient(e, "p1", "Ana", "Rivera", "1970-05-01");
    sw_test_patient(e, "p2", "Ben", "Okafor", "1982-02-11");
    char *e1 = signed_visit(e, e->auth, "p1", "99213", c1);   /* 1: pending */
    char *e2 = signed_visit(e, other, "p2", "99214", c2);     /* 2: invalid */

    json_t *st = call_ok(e, biller, "GET", "/api/interface/status", NULL, 200);
    assert_true(json_is_null(json_object_get(st, "peer")));
    json_t *q = json_object_get(st, "queue");
    assert_int_equal(json_integer_value(json_object_get(q, "pending")), 1);
    assert_int_equal(json_integer_value(json_object_get(q, "invalid")), 1);
    assert_non_null(sw_test_str(q, "oldest_pending_at"));
    json_t *wq = json_object_get(st, "work_queue");
    assert_int_equal(json_array_size(wq), 1);
    json_t *w = json_array_get(wq, 0);
    assert_int_equal(json_integer_value(json_object_get(w, "seq")), 2);
    assert_string_equal(sw_test_str(w, "status"), "invalid");
    assert_string_equal(sw_test_str(w, "control_id"), "SW1-2");
    assert_string_equal(sw_test_str(w, "kind"), "charge");
    assert_string_equal(sw_test_str(w, "encounter_id"), e2);
    assert_string_equal(sw_test_str(w, "patient.id"), "p2");
    assert_string_equal(sw_test_str(w, "patient.name"), "Ben Okafor");
    assert_string_equal(sw_test_str(w, "charge_ids.0"), c2);
    assert_non_null(strstr(sw_test_str(w, "reason"), "FT1 1: the rendering "
                           "provider dr.other has no Practitioner record"));
    json_decref(st);
    json_t *doc;
    assert_int_equal(sw_test_call(e, desk, "GET", "/api/interface/status", NULL, &doc), 403);
    json_decref(doc);

    json_t *list = call_ok(e, e->auth, "GET", "/api/interface/outbox?status=pending",
                           NULL, 200);
    assert_int_equal(json_array_size(json_object_get(list, "rows")), 1);
    assert_string_equal(sw_test_str(list, "rows.0.control_id"), "SW1-1");
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(list,
                "rows"), 0), "ack_code")));
    json_decref(list);
    list = call_ok(e, biller, "GET", "/api/interface/outbox?patient=p2", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(list, "rows")), 1);
    json_decref(list);
    assert_int_equal(sw_test_call(e, biller, "GET", "/api/interface/outbox?status=lost",
                                  NULL, &doc), 400);
    json_decref(doc);

    /* Resend: only rejected or invalid rows; billers only. */
    assert_int_equal(sw_test_call(e, biller, "POST", "/api/interface/outbox/1/resend",
                                  NULL, &doc), 409);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/interface/outbox/2/resend",
                                  NULL, &doc), 403);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, biller, "POST", "/api/interface/outbox/99/resend",
                                  NULL, &doc), 404);
    json_decref(doc);
    /* Still unfixed: invalid again, as a new row. */
    doc = call_ok(e, biller, "POST", "/api/interface/outbox/2/resend", NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "seq")), 3);
    assert_string_equal(sw_test_str(doc, "control_id"), "SW1-3");
    assert_string_equal(sw_test_str(doc, "status"), "invalid");
    assert_non_null(sw_test_str(doc, "reason"));
    json_decref(doc);
    /* Fixed: dr.other gets a Practitioner with an NPI. */
    testvisits_link_practitioner(e, "dr.other", "pr-other", NPI_OTHER);
    doc = call_ok(e, biller, "POST", "/api/interface/outbox/3/resend", NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "seq")), 4);
    assert_string_equal(sw_test_str(doc, "status"), "pending");
    assert_true(json_is_null(json_object_get(doc, "reason")));
    json_decref(doc);
    list = call_ok(e, biller, "GET", "/api/interface/outbox?status=resent", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(list, "rows")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(
                     json_object_get(list, "rows"), 0), "replaced_by")), 4);
    json_decref(list);

    /* Void: the charge is entered in error and a credit goes out. */
    snprintf(path, sizeof path, "/api/charges/%s/void", c1);
    assert_int_equal(sw_test_call(e, e->auth, "POST", path,
                                  "{\"reason\":\"duplicate\"}", &doc), 403);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, biller, "POST", path, "{}", &doc), 400);
    json_decref(doc);
    doc = call_ok(e, biller, "POST", path, "{\"reason\":\"billed twice\"}", 200);
    assert_string_equal(sw_test_str(doc, "status"), "entered-in-error");
    int64_t void_seq = json_integer_value(json_object_get(json_object_get(doc,
                                          "outbox"), "seq"));
    assert_string_equal(sw_test_str(doc, "outbox.status"), "pending");
    json_decref(doc);
    assert_int_equal(sw_test_call(e, biller, "POST", path,
                                  "{\"reason\":\"again\"}", &doc), 409);
    json_decref(doc);
    snprintf(path, sizeof path, "/fhir/ChargeItem/%s", c1);
    json_t *ci = sw_test_get_json(e, e->auth, path);
    assert_string_equal(sw_test_str(ci, "status"), "entered-in-error");
    assert_non_null(strstr(sw_test_str(ci, "note.0.text"), "billed twice"));
    json_decref(ci);

    /* Correct: one message with the credit and the new charge. */
    snprintf(path, sizeof path, "/api/charges/%s/correct", c2);
    assert_int_equal(sw_test_call(e, biller, "POST", path, "{\"code\":\"00000\"}",
                                  &doc), 400);
    json_decref(doc);
    doc = call_ok(e, biller, "POST", path, "{\"code\":\"99215\",\"units\":1}", 200);
    assert_string_equal(sw_test_str(doc, "voided"), c2);
    char c3[80];
    snprintf(c3, sizeof c3, "%s", sw_test_str(doc, "charge"));
    int64_t correct_seq = json_integer_value(json_object_get(json_object_get(doc,
                                             "outbox"), "seq"));
    json_decref(doc);

    /* A late charge on a signed visit; none on an unsigned one. */
    snprintf(path, sizeof path, "/api/visits/%s/charges", e1);
    doc = call_ok(e, biller, "POST", path, "{\"code\":\"36415\",\"diagnoses\":[2]}", 201);
    int64_t late_seq = json_integer_value(json_object_get(json_object_get(doc,
                                          "outbox"), "seq"));
    char c4[80];
    snprintf(c4, sizeof c4, "%s", sw_test_str(doc, "charge"));
    json_decref(doc);
    assert_int_equal(sw_test_call(e, biller, "POST", path, "{\"code\":\"36415\","
                                  "\"diagnoses\":[3]}", &doc), 400);
    json_decref(doc);
    doc = call_ok(e, e->auth, "POST", "/api/patients/p1/visits",
                  "{\"visit_type\":\"acute\",\"reason\":\"Cough\"}", 201);
    snprintf(path, sizeof path, "/api/visits/%s/charges", sw_test_str(doc, "encounter"));
    json_decref(doc);
    assert_int_equal(sw_test_call(e, biller, "POST", path, "{\"code\":\"36415\"}",
                                  &doc), 409);
    json_decref(doc);

    sw_store *s = testpms_open_store(e);
    sw_arena *a = sw_arena_create(0);
    row r = get_row(s, void_seq);
    assert_string_equal(r.kind, "credit");
    assert_string_equal(msg_get(a, r.body, "FT1", 1, 2, 1), c1);
    assert_string_equal(msg_get(a, r.body, "FT1", 1, 6, 1), "CR");
    assert_string_equal(msg_get(a, r.body, "FT1", 1, 7, 1), "99213");
    assert_string_equal(msg_get(a, r.body, "FT1", 1, 20, 1), NPI_TEST);
    free(r.body);
    r = get_row(s, correct_seq);
    assert_string_equal(r.kind, "credit");
    assert_string_equal(msg_get(a, r.body, "FT1", 1, 2, 1), c2);
    assert_string_equal(msg_get(a, r.body, "FT1", 1, 6, 1), "CR");
    assert_string_equal(msg_get(a, r.body, "FT1", 1, 7, 1), "99214");
    assert_string_equal(msg_get(a, r.body, "FT1", 2, 2, 1), c3);
    assert_string_equal(msg_get(a, r.body, "FT1", 2, 6, 1), "CG");
    assert_string_equal(msg_get(a, r.body, "FT1", 2, 7, 1), "99215");
    assert_string_equal(msg_get(a, r.body, "FT1", 2, 20, 1), NPI_OTHER);
    free(r.body);
    r = get_row(s, late_seq);
    assert_string_equal(r.status, "pending");
    assert_string_equal(msg_get(a, r.body, "FT1", 1, 2, 1), c4);
    assert_string_equal(msg_get(a, r.body, "FT1", 1, 7, 1), "36415");
    assert_string_equal(msg_get(a, r.body, "FT1", 1, 19, 1), "I10");
    assert_string_equal(msg_get(a, r.body, "FT1", 1, 20, 1), NPI_TEST);
    free(r.body);
    sw_arena_destroy(a);
    static const char *const features[] = { "charge_capture.void",
        "charge_capture.correct", "charge_capture.create", "charge_capture.resend" };
    for (size_t i = 0; i < 4; i++)
        assert_true(count_sql(s, "SELECT COUNT(*) FROM audit_log WHERE "
                              "practice_id = 1 AND feature = ?", features[i]) >= 1);

    /* The server's worker sends what is pending once a peer is set. */
    testpms p;
    testpms_start(&p, PMS_AA);
    testpms_set_peer(s, "127.0.0.1", p.port);
    json_int_t pending = -1;
    for (int i = 0; i < 300 && pending != 0; i++) {
        st = call_ok(e, biller, "GET", "/api/interface/status", NULL, 200);
        pending = json_integer_value(json_object_get(json_object_get(st, "queue"),
                                     "pending"));
        if (pending == 0) {
            assert_string_equal(sw_test_str(st, "peer.processing_id"), "T");
            assert_int_equal(json_integer_value(json_object_get(json_object_get(st,
                             "queue"), "acked")), 5);
        }
        json_decref(st);
        if (pending != 0)
            usleep(100 * 1000);
    }
    assert_int_equal(pending, 0);
    for (int64_t seq = 1; seq <= late_seq; seq++) {
        r = get_row(s, seq);
        if (strcmp(r.status, "acked") == 0)
            assert_int_equal(testpms_count(&p, r.control), 1);
        else
            assert_int_equal(testpms_count(&p, r.control), 0);
        free(r.body);
    }
    assert_int_equal(count_sql(s, "SELECT COUNT(*) FROM audit_log WHERE "
                     "practice_id = 1 AND action = 'disclosure' AND res_id = ?",
                     c3), 1);
    testpms_stop(&p);
    store_close(s);
    free(e1);
    free(e2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_acknowledgment, sw_test_env_setup,
                                        sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(pms_down_then_up, sw_test_env_setup,
                                        sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(work_queue_api_and_worker,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
