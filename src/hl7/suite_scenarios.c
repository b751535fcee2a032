/* suite_scenarios.c - the go-live scenarios of issue 7, in the order a
 * practice meets them: the PMS registers a patient, changes the patient's
 * address, books, moves and cancels an appointment (inbound, taken by the
 * scratch EHR's listener); then a signed visit's charge, a late charge, a
 * void, a message the PMS must reject, and the PMS down for a while with
 * charges piling up (outbound, through the outbox and hl7_deliver_once,
 * exactly as the delivery worker sends them).
 *
 * Each scenario checks the result where it lands: the scratch EHR's
 * records for inbound messages, the outbox row and, with the simulator's
 * control interface, what the PMS received (FT1-7 code, FT1-6 type, FT1-20
 * NPI) for outbound ones. A scenario that fails says why in one sentence
 * that carries no patient data beyond the suite's own made-up patients. */
#include "hl7/suite_int.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/clock.h"
#include "hl7/ack.h"
#include "hl7/deliver.h"
#include "hl7/message.h"
#include "hl7/writer.h"

#define FAIL(...) (snprintf(detail, cap, __VA_ARGS__), false)
#define HTTP_TIMEOUT_MS 30000

/* ---- Inbound: the PMS sends ---------------------------------------------- */

/* Has the PMS send scenario's message to our listener (or sends it for
 * the PMS): the message text (malloc'ed) and the ACK code our EHR gave. */
static bool pms_sends(suite_ctx *c, const char *scenario, char **message,
                      char ack_code[3], char *detail, size_t cap)
{
    *message = NULL;
    ack_code[0] = '\0';
    sw_err err;
    if (c->via_peer) {
        char path[64], to[64];
        snprintf(path, sizeof path, "/send/%s", scenario);
        snprintf(to, sizeof to, "127.0.0.1:%d", c->ehr->listen_port);
        json_t *body = json_pack("{s:s}", "to", to);
        suite_reply r;
        int rc = suite_http(c->o->peer_control, "POST", path, body,
                            HTTP_TIMEOUT_MS, &r, &err);
        json_decref(body);
        if (rc != SW_OK)
            return FAIL("the PMS was not reached at %s: %s", c->o->peer_control,
                        sw_err_text(&err));
        const char *msg = json_string_value(json_object_get(r.doc, "message"));
        const char *code = json_string_value(json_object_get(r.doc, "ack_code"));
        if (r.status != 200 || msg == NULL || code == NULL) {
            json_t *e = json_object_get(json_object_get(r.doc, "error"), "message");
            snprintf(detail, cap, "the PMS did not send the message (HTTP %d%s%s)",
                     r.status, e ? ": " : "", e ? json_string_value(e) : "");
            suite_reply_free(&r);
            return false;
        }
        *message = strdup(msg);
        snprintf(ack_code, 3, "%s", code);
        suite_reply_free(&r);
        return *message != NULL;
    }
    sw_buf msg = SW_BUF_INIT(SW_HL7_MAX_MESSAGE_BYTES);
    sw_buf ack = SW_BUF_INIT(SW_HL7_MAX_MESSAGE_BYTES);
    char control_id[32];
    int rc = pmssim_generate(&c->gen, scenario, sw_now_wall_ms(), &msg,
                             control_id, &err);
    mllp_client *cl = NULL;
    mllp_client_config cc = c->ehr->client;
    cc.host = "127.0.0.1";
    cc.port = c->ehr->listen_port;
    if (rc == SW_OK)
        rc = mllp_client_connect(&cc, &cl, &err);
    if (rc == SW_OK)
        rc = mllp_client_exchange(cl, msg.data, msg.len, &ack, &err);
    mllp_client_close(cl);
    hl7_ack a;
    if (rc == SW_OK)
        rc = hl7_ack_read(ack.data, ack.len, &a, &err);
    if (rc == SW_OK) {
        snprintf(ack_code, 3, "%s", a.code);
        *message = strdup(msg.data);
    } else {
        snprintf(detail, cap, "the message could not be exchanged: %s",
                 sw_err_text(&err));
    }
    sw_buf_free(&msg);
    sw_buf_free(&ack);
    return rc == SW_OK && *message != NULL;
}

/* The field of message text, or "" (copied into out). */
static void field_of(const char *text, const char *seg, size_t field,
                     size_t comp, char *out, size_t cap)
{
    out[0] = '\0';
    sw_arena *a = sw_arena_create(0);
    hl7_message *m;
    sw_err err;
    if (a && hl7_parse(a, text, strlen(text), &m, &err) == SW_OK) {
        const char *v = hl7_get(m, seg, 1, field, 1, comp, 1);
        if (v && v != HL7_NULL_TEXT)
            snprintf(out, cap, "%s", v);
    }
    sw_arena_destroy(a);
}

/* The resource of type whose identifiers include value, or NULL (the
 * caller decrefs *list). */
static json_t *find_by_identifier(suite_ctx *c, const char *type,
                                  const char *value, json_t **list)
{
    sw_err err;
    if (suite_resources(c->ehr, type, list, &err) != SW_OK)
        return NULL;
    json_t *r, *id;
    size_t i, k;
    json_array_foreach(*list, i, r) {
        json_array_foreach(json_object_get(r, "identifier"), k, id) {
            const char *v = json_string_value(json_object_get(id, "value"));
            if (v && strcmp(v, value) == 0)
                return r;
        }
    }
    return NULL;
}

static bool acked(const char *code)
{
    return strcmp(code, "AA") == 0 || strcmp(code, "CA") == 0;
}

/* HL7 date (YYYYMMDD…) as FHIR (YYYY-MM-DD). */
static void fhir_date(const char *dtm, char out[11])
{
    snprintf(out, 11, "%.4s-%.2s-%.2s", dtm, dtm + 4, dtm + 6);
}

static bool new_patient(suite_ctx *c, char *detail, size_t cap)
{
    char *msg, code[3];
    if (!pms_sends(c, "new-patient", &msg, code, detail, cap))
        return false;
    char family[64], dob[32], dob_fhir[11];
    field_of(msg, "PID", 3, 1, c->mrn, sizeof c->mrn);
    field_of(msg, "PID", 5, 1, family, sizeof family);
    field_of(msg, "PID", 7, 1, dob, sizeof dob);
    free(msg);
    if (!acked(code))
        return FAIL("the EHR answered %s to the ADT^A04", code);
    fhir_date(dob, dob_fhir);
    json_t *list = NULL;
    json_t *p = find_by_identifier(c, "Patient", c->mrn, &list);
    const char *got_family = json_string_value(json_object_get(
        json_array_get(json_object_get(p, "name"), 0), "family"));
    const char *got_dob = json_string_value(json_object_get(p, "birthDate"));
    bool ok = p && got_family && strcmp(got_family, family) == 0 && got_dob
              && strcmp(got_dob, dob_fhir) == 0;
    if (p == NULL)
        snprintf(detail, cap, "no Patient has the PMS's identifier %s", c->mrn);
    else if (!ok)
        snprintf(detail, cap, "Patient %s does not have the name and birth date "
                 "the PMS sent", c->mrn);
    else
        snprintf(detail, cap, "ADT^A04 acknowledged %s; Patient %s registered "
                 "with name, birth date and insurance", code, c->mrn);
    json_decref(list);
    return ok;
}

static bool update_patient(suite_ctx *c, char *detail, size_t cap)
{
    char *msg, code[3], mrn[32], street[128];
    if (!pms_sends(c, "update-patient", &msg, code, detail, cap))
        return false;
    field_of(msg, "PID", 3, 1, mrn, sizeof mrn);
    field_of(msg, "PID", 11, 1, street, sizeof street);
    free(msg);
    if (!acked(code))
        return FAIL("the EHR answered %s to the ADT^A08", code);
    json_t *list = NULL;
    json_t *p = find_by_identifier(c, "Patient", mrn, &list);
    const char *line = json_string_value(json_array_get(json_object_get(
        json_array_get(json_object_get(p, "address"), 0), "line"), 0));
    bool ok = p && line && strcmp(line, street) == 0;
    if (p == NULL)
        snprintf(detail, cap, "no Patient has the PMS's identifier %s", mrn);
    else if (!ok)
        snprintf(detail, cap, "Patient %s does not have the new address the "
                 "PMS sent", mrn);
    else
        snprintf(detail, cap, "ADT^A08 acknowledged %s; Patient %s has the new "
                 "address", code, mrn);
    json_decref(list);
    return ok;
}

/* One SIU: the appointment it names afterwards (status, start). */
static bool siu(suite_ctx *c, const char *scenario, const char *event,
                const char *want_status, bool moved, char *detail, size_t cap)
{
    char *msg, code[3], id[40];
    if (!pms_sends(c, scenario, &msg, code, detail, cap))
        return false;
    field_of(msg, "SCH", 2, 1, id, sizeof id);
    free(msg);
    if (!acked(code))
        return FAIL("the EHR answered %s to the SIU^%s", code, event);
    json_t *list = NULL;
    json_t *ap = find_by_identifier(c, "Appointment", id, &list);
    const char *status = json_string_value(json_object_get(ap, "status"));
    const char *start = json_string_value(json_object_get(ap, "start"));
    bool ok = false;
    if (ap == NULL)
        snprintf(detail, cap, "no Appointment has the PMS's id %s", id);
    else if (status == NULL || strcmp(status, want_status) != 0)
        snprintf(detail, cap, "Appointment %s is %s, not %s", id,
                 status ? status : "without a status", want_status);
    else if (moved && (start == NULL || strcmp(start, c->appointment_start) == 0))
        snprintf(detail, cap, "Appointment %s still starts at %s", id,
                 start ? start : "(none)");
    else
        ok = true;
    if (ok) {
        snprintf(detail, cap, "SIU^%s acknowledged %s; Appointment %s %s%s%s",
                 event, code, id, want_status, start ? " at " : "",
                 start ? start : "");
        snprintf(c->appointment, sizeof c->appointment, "%s", id);
        snprintf(c->appointment_start, sizeof c->appointment_start, "%s",
                 start ? start : "");
    }
    json_decref(list);
    return ok;
}

static bool book(suite_ctx *c, char *detail, size_t cap)
{
    return siu(c, "book", "S12", "booked", false, detail, cap);
}

static bool reschedule(suite_ctx *c, char *detail, size_t cap)
{
    return siu(c, "reschedule", "S13", "booked", true, detail, cap);
}

static bool cancel(suite_ctx *c, char *detail, size_t cap)
{
    return siu(c, "cancel", "S15", "cancelled", false, detail, cap);
}

/* ---- Outbound: the EHR sends ----------------------------------------------- */

/* One delivery pass at now_ms. */
static bool deliver(suite_ctx *c, int64_t now_ms, char *detail, size_t cap)
{
    hl7_deliver_stats st = { 0 };
    sw_err err;
    if (hl7_deliver_once(c->ehr->store, c->ehr->practice_id, now_ms, &c->ehr->client,
                         &st, &err) != SW_OK)
        return FAIL("delivery failed: %s", sw_err_text(&err));
    return true;
}

/* What the PMS received under control_id, from its control interface
 * (NULL without one, or when it has nothing under that id). */
static json_t *peer_received(suite_ctx *c, const char *control_id, int *index,
                             int *count)
{
    suite_reply r;
    sw_err err;
    *index = -1;
    if (suite_http(c->o->peer_control, "GET", "/received", NULL,
                   HTTP_TIMEOUT_MS, &r, &err) != SW_OK)
        return NULL;
    json_t *list = json_object_get(r.doc, "received"), *e, *found = NULL;
    size_t i;
    json_array_foreach(list, i, e) {
        const char *id = json_string_value(json_object_get(e, "control_id"));
        if (id && strcmp(id, control_id) == 0) {
            found = json_incref(e);
            *index = (int)i;
        }
    }
    if (count)
        *count = (int)json_array_size(list);
    suite_reply_free(&r);
    return found;
}

static bool has(json_t *array, const char *value)
{
    json_t *v;
    size_t i;
    json_array_foreach(array, i, v)
        if (json_string_value(v) && strcmp(json_string_value(v), value) == 0)
            return true;
    return false;
}

/* Queues codes (and credits), delivers once, and checks the row was
 * acknowledged and, with the simulator, what it received. */
static bool charge_and_check(suite_ctx *c, const char *const *codes,
                             size_t ncodes, const int *credits, size_t ncredits,
                             const char *want_code, const char *want_type,
                             char *detail, size_t cap)
{
    sw_err err;
    int64_t seq, now = sw_now_wall_ms();
    if (suite_visit_charge(c->ehr, &c->visit, codes, ncodes, credits, ncredits,
                           now, &seq, &err) != SW_OK)
        return FAIL("the charge could not be queued: %s", sw_err_text(&err));
    if (!deliver(c, now, detail, cap))
        return false;
    suite_outbox_row row;
    if (suite_outbox_get(c->ehr, seq, &row, &err) != SW_OK)
        return FAIL("the outbox row could not be read: %s", sw_err_text(&err));
    if (strcmp(row.status, "acked") != 0)
        return FAIL("the DFT^P03 %s is %s, not acknowledged%s%s", row.control_id,
                    row.status, row.last_error[0] ? ": " : "", row.last_error);
    if (!c->via_peer) {
        snprintf(detail, cap, "DFT^P03 %s with %s %s acknowledged", row.control_id,
                 want_type, want_code);
        return true;
    }
    int at;
    json_t *got = peer_received(c, row.control_id, &at, NULL);
    bool ok = got && has(json_object_get(got, "ft1_codes"), want_code)
              && has(json_object_get(got, "ft1_types"), want_type)
              && has(json_object_get(got, "npi"), SUITE_NPI);
    if (got == NULL)
        snprintf(detail, cap, "the PMS has no message %s", row.control_id);
    else if (!ok)
        snprintf(detail, cap, "the PMS did not receive FT1 %s %s with NPI %s in %s",
                 want_type, want_code, SUITE_NPI, row.control_id);
    else
        snprintf(detail, cap, "the PMS received %s: FT1-6 %s, FT1-7 %s, FT1-20 %s",
                 row.control_id, want_type, want_code, SUITE_NPI);
    json_decref(got);
    return ok;
}

static bool signed_visit(suite_ctx *c, char *detail, size_t cap)
{
    sw_err err;
    if (suite_visit_create(c->ehr, &c->visit, sw_now_wall_ms(), &err) != SW_OK)
        return FAIL("the test visit could not be recorded: %s", sw_err_text(&err));
    c->have_visit = true;
    static const char *const codes[] = { "99213" };
    return charge_and_check(c, codes, 1, NULL, 0, "99213", "CG", detail, cap);
}

static bool late_charge(suite_ctx *c, char *detail, size_t cap)
{
    if (!c->have_visit)
        return FAIL("needs the signed visit, which could not be recorded");
    static const char *const codes[] = { "36415" };
    return charge_and_check(c, codes, 1, NULL, 0, "36415", "CG", detail, cap);
}

static bool void_charge(suite_ctx *c, char *detail, size_t cap)
{
    if (!c->have_visit || c->visit.ncharges == 0)
        return FAIL("needs the signed visit's charge, which could not be recorded");
    static const int first[] = { 0 };
    return charge_and_check(c, NULL, 0, first, 1, c->visit.charges[0].code,
                            "CR", detail, cap);
}

/* A DFT^P03 without the procedure code (FT1-7), written straight into the
 * outbox as if our own validation had let it through. */
struct rejected_ctx {
    int64_t     practice_id;
    int64_t     seq;
    const char *control_id;
    const char *body;
    int64_t     now;
};

static int insert_rejected(store_tx *tx, void *arg)
{
    struct rejected_ctx *r = arg;
    int rc = store_query_int64(tx, &r->seq, "SELECT COALESCE(MAX(seq), 0) + 1 "
                               "FROM hl7_outbox WHERE practice_id = ?", "i",
                               r->practice_id);
    if (rc != SW_OK)
        return rc;
    return store_exec(tx, NULL, "INSERT INTO hl7_outbox (practice_id, seq, "
                      "control_id, patient_id, encounter_id, kind, charge_ids, "
                      "body, status, attempts, next_at, created_at) VALUES "
                      "(?, ?, ?, 'interface-test-rejected', '', 'charge', '', ?, "
                      "'pending', 0, 0, ?)", "iitti", r->practice_id,
                      r->seq, r->control_id, r->body, r->now);
}

static bool rejected(suite_ctx *c, char *detail, size_t cap)
{
    int64_t now = sw_now_wall_ms();
    char control_id[40], date[15];
    snprintf(control_id, sizeof control_id, "IT-REJECT-%lld", (long long)now);
    hl7_time(now, date);
    sw_buf body = SW_BUF_INIT(64 * 1024);
    hl7_writer w;
    hl7_w_begin(&w, &body);
    hl7_w_msh(&w, &(hl7_msh){ .sending_app = "STAGEWISE",
                              .sending_facility = SUITE_FACILITY,
                              .type = "DFT^P03^DFT_P03", .control_id = control_id,
                              .processing_id = "T", .now_ms = now });
    hl7_w_segment(&w, "EVN");
    hl7_w_field(&w, "P03");
    hl7_w_field(&w, date);
    hl7_w_segment(&w, "PID");
    hl7_w_field(&w, "1");
    hl7_w_skip(&w, 1);
    hl7_w_field(&w, "IT-REJECTED");
    hl7_w_skip(&w, 1);
    hl7_w_field(&w, "Testpatient");
    hl7_w_comp(&w, "Rejected");
    hl7_w_segment(&w, "PV1");
    hl7_w_field(&w, "1");
    hl7_w_field(&w, "O");
    hl7_w_segment(&w, "FT1");
    hl7_w_field(&w, "1");
    hl7_w_field(&w, "IT-REJECTED-1");         /* FT1-2 */
    hl7_w_skip(&w, 1);
    hl7_w_field(&w, date);                    /* FT1-4 */
    hl7_w_skip(&w, 1);
    hl7_w_field(&w, "CG");                    /* FT1-6 */
    hl7_w_field(&w, NULL);                    /* FT1-7: missing on purpose */
    hl7_w_skip(&w, 12);
    hl7_w_field(&w, SUITE_NPI);               /* FT1-20 */
    sw_err err;
    int rc = hl7_w_end(&w);
    struct rejected_ctx r = { .practice_id = c->ehr->practice_id, .control_id = control_id, .body = body.data,
                              .now = now };
    if (rc == SW_OK)
        rc = store_write(c->ehr->store, insert_rejected, &r, &err);
    else
        sw_err_set(&err, rc, "the message does not fit");
    sw_buf_free(&body);
    if (rc != SW_OK)
        return FAIL("the incomplete message could not be queued: %s",
                    sw_err_text(&err));
    if (!deliver(c, now, detail, cap))
        return false;
    suite_outbox_row row;
    if (suite_outbox_get(c->ehr, r.seq, &row, &err) != SW_OK)
        return FAIL("the outbox row could not be read: %s", sw_err_text(&err));
    if (strcmp(row.status, "rejected") != 0)
        return FAIL("a DFT^P03 without FT1-7 was %s by the PMS, not rejected "
                    "(AE) into the work queue", row.status);
    if (row.last_error[0] == '\0')
        return FAIL("the PMS rejected the message without a reason for the "
                    "work queue");
    snprintf(detail, cap, "AE; in the work queue with the PMS's reason: %s",
             row.last_error);
    return true;
}

/* A port on 127.0.0.1 that nobody listens on (just closed). */
static int closed_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t n = sizeof a;
    int port = 0;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0
        && getsockname(s, (struct sockaddr *)&a, &n) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0)
        close(s);
    return port;
}

static bool peer_down_and_back(suite_ctx *c, char *detail, size_t cap)
{
    sw_err err;
    int port = closed_port();
    if (port == 0)
        return FAIL("no free port to stand for a PMS that is down");
    if (suite_ehr_send_to(c->ehr, "127.0.0.1", port, &err) != SW_OK)
        return FAIL("the peer could not be repointed: %s", sw_err_text(&err));
    suite_visit v;
    int64_t now = sw_now_wall_ms(), seq[3];
    static const char *const codes[3] = { "99214", "81002", "93000" };
    bool ok = suite_visit_create(c->ehr, &v, now, &err) == SW_OK;
    for (int i = 0; ok && i < 3; i++)
        ok = suite_visit_charge(c->ehr, &v, &codes[i], 1, NULL, 0, now, &seq[i],
                                &err) == SW_OK;
    if (!ok) {
        suite_ehr_send_to(c->ehr, c->o->peer_host, c->o->peer_port, &err);
        return FAIL("the three charges could not be queued: %s", sw_err_text(&err));
    }
    /* Three passes while it is down: each backs off longer. */
    int64_t at = now, wait[3] = { 0 };
    suite_outbox_row row;
    for (int pass = 0; pass < 3 && ok; pass++) {
        ok = deliver(c, at, detail, cap)
             && suite_outbox_get(c->ehr, seq[0], &row, &err) == SW_OK;
        if (!ok)
            break;
        if (strcmp(row.status, "pending") != 0) {
            ok = false;
            snprintf(detail, cap, "with the PMS down the first charge became %s",
                     row.status);
            break;
        }
        wait[pass] = row.next_at - at;
        at = row.next_at;
    }
    for (int i = 0; ok && i < 3; i++) {
        ok = suite_outbox_get(c->ehr, seq[i], &row, &err) == SW_OK
             && strcmp(row.status, "pending") == 0;
        if (!ok)
            snprintf(detail, cap, "with the PMS down charge %d of 3 is %s, not "
                     "pending", i + 1, row.status);
    }
    if (ok && !(wait[1] > wait[0] && wait[2] > wait[1])) {
        ok = false;
        snprintf(detail, cap, "the retries did not back off: waits of %lld, %lld "
                 "and %lld ms", (long long)wait[0], (long long)wait[1],
                 (long long)wait[2]);
    }
    /* Back up: every charge acknowledged, in order, once. */
    if (suite_ehr_send_to(c->ehr, c->o->peer_host, c->o->peer_port, &err) != SW_OK)
        return FAIL("the peer could not be pointed back: %s", sw_err_text(&err));
    if (!ok)
        return false;
    int64_t acked_at[3] = { 0 };
    char ids[3][64];
    for (int pass = 0; pass < 6; pass++) {
        at += SW_HL7_RETRY_MAX_MS;
        if (!deliver(c, at, detail, cap))
            return false;
        int done = 0;
        for (int i = 0; i < 3; i++) {
            if (suite_outbox_get(c->ehr, seq[i], &row, &err) != SW_OK)
                return FAIL("the outbox row could not be read: %s",
                            sw_err_text(&err));
            snprintf(ids[i], sizeof ids[i], "%s", row.control_id);
            acked_at[i] = row.acked_at;
            done += strcmp(row.status, "acked") == 0;
        }
        if (done == 3)
            break;
        if (pass == 5)
            return FAIL("after the PMS came back %d of 3 charges were "
                        "acknowledged", done);
    }
    if (!(acked_at[0] <= acked_at[1] && acked_at[1] <= acked_at[2]))
        return FAIL("the three charges were acknowledged out of order");
    if (c->via_peer) {
        int index[3];
        for (int i = 0; i < 3; i++) {
            json_t *got = peer_received(c, ids[i], &index[i], NULL);
            int dups = got ? (int)json_integer_value(json_object_get(got,
                                                                     "duplicates")) : 0;
            const char *answer = json_string_value(json_object_get(got, "answer"));
            bool kept = answer != NULL && acked(answer);
            json_decref(got);
            if (index[i] < 0)
                return FAIL("the PMS has no message %s", ids[i]);
            if (!kept)
                return FAIL("the PMS did not accept %s", ids[i]);
            if (dups != 0)
                return FAIL("the PMS received %s %d more time(s)", ids[i], dups);
        }
        if (!(index[0] < index[1] && index[1] < index[2]))
            return FAIL("the PMS received the three charges out of order");
    }
    snprintf(detail, cap, "three charges stayed pending with retries %lld, %lld, "
             "%lld ms apart; after the PMS came back all three were acknowledged "
             "in order%s", (long long)wait[0], (long long)wait[1],
             (long long)wait[2], c->via_peer ? ", each received once" : "");
    return true;
}

static const suite_scenario SCENARIOS[] = {
    { "new-patient",    "new patient (ADT^A04) registered", new_patient },
    { "update-patient", "demographic update (ADT^A08) applied", update_patient },
    { "book",           "appointment booked (SIU^S12)", book },
    { "reschedule",     "appointment rescheduled (SIU^S13)", reschedule },
    { "cancel",         "appointment cancelled (SIU^S15)", cancel },
    { "signed-visit",   "signed visit \xe2\x86\x92 charge 99213 with NPI "
                        SUITE_NPI " acknowledged", signed_visit },
    { "late-charge",    "late charge 36415 acknowledged", late_charge },
    { "void",           "void sent as a credit (FT1-6 CR) and acknowledged",
      void_charge },
    { "rejected",       "incomplete charge rejected (AE) into the work queue",
      rejected },
    { "peer-down",      "PMS down and back: charges wait, then all arrive in "
                        "order, once", peer_down_and_back },
};

const suite_scenario *suite_scenarios(size_t *n)
{
    *n = sizeof SCENARIOS / sizeof SCENARIOS[0];
    return SCENARIOS;
}
