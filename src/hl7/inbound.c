/* inbound.c - taking one message from the PMS (see inbound.h): parse,
 * find who sent it and its control id, then in one durable transaction
 * either answer a resend with the ACK stored the first time, or apply the
 * message (adt.c, siu.c) and store it with the ACK it gets. The ACK leaves
 * only after that commit, so an AA means "stored and applied".
 *
 * Called by the MLLP listener (interface.c), one message at a time per
 * connection; each message gets its own arena. A content error rolls back
 * whatever the mapping wrote and is stored in a second, small transaction
 * with its AE, so that a resend is answered the same way. */
#include "hl7/inbound.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "hl7/ack.h"
#include "hl7/adt.h"
#include "hl7/map.h"
#include "hl7/siu.h"

#define STATUS_PROCESSED "processed"
#define STATUS_ERROR     "error"
#define CONTROL_ID_MAX   199
#define CANNOT_STORE     "the EHR cannot store messages right now; send again later"

typedef enum kind { KIND_UNSUPPORTED, KIND_REGISTER, KIND_MERGE, KIND_SIU } kind;

/* One message being taken. Everything the transaction function writes to
 * is reset at its start, since the store may run it more than once. */
typedef struct take {
    sw_arena          *a;
    int64_t            practice_id;
    const char        *peer;
    const char        *raw;            /* the message, as text we can store */
    size_t             raw_len;
    const hl7_message *m;
    const char        *sender, *control_id, *type, *trigger;
    kind               kind;
    bool               enhanced;
    audit_who          who;
    int64_t            now_ms;
    hl7_map            map;
    /* results */
    sw_buf             ack;
    const char        *code;
    bool               duplicate;
    char               dup_code[3];
} take;

/* A C string both stores take as TEXT (hl7_text_storable); "" for NULL. */
static const char *cstorable(sw_arena *a, const char *s)
{
    size_t n;
    return s ? hl7_text_storable(a, s, strlen(s), &n) : "";
}

/* AA/AE/AR, or CA/CE/CR in enhanced mode. */
static const char *answer(const take *t, char c)
{
    static const char *const original[] = { "AA", "AE", "AR" };
    static const char *const enhanced[] = { "CA", "CE", "CR" };
    int i = c == 'A' ? 0 : c == 'E' ? 1 : 2;
    return t->enhanced ? enhanced[i] : original[i];
}

/* Builds the ACK into t->ack, made storable. */
static int build_ack(take *t, const char *code, const char *text,
                     const hl7_ack_error *errs, size_t nerr)
{
    sw_buf_reset(&t->ack);
    t->code = code;
    int rc = hl7_ack_build(t->m, t->raw, t->raw_len, code, text, errs, nerr,
                           t->now_ms, &t->ack);
    if (rc != SW_OK)
        return rc;
    size_t n;
    const char *s = hl7_text_storable(t->a, sw_buf_str(&t->ack), t->ack.len, &n);
    if (s == NULL)
        return SW_ENOMEM;
    if (s != sw_buf_str(&t->ack)) {
        sw_buf_reset(&t->ack);
        rc = sw_buf_append(&t->ack, s, n);
    }
    return rc;
}

/* A resend: the ACK and code stored the first time, into t. */
static int find_stored(store_tx *tx, take *t)
{
    store_stmt *q;
    int rc = store_prepare(tx, "SELECT ack_code, ack FROM hl7_inbound WHERE "
                           "practice_id = ? AND sender = ? AND control_id = ?", &q);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(q, 1, t->practice_id)) == SW_OK
        && (rc = store_bind_cstr(q, 2, t->sender)) == SW_OK
        && (rc = store_bind_cstr(q, 3, t->control_id)) == SW_OK
        && (rc = store_step(q, &row)) == SW_OK && row) {
        size_t n;
        const char *ack = store_col_text(q, 1, &n);
        snprintf(t->dup_code, sizeof t->dup_code, "%s", store_col_text(q, 0, NULL));
        sw_buf_reset(&t->ack);
        rc = sw_buf_append(&t->ack, ack, n);
        t->duplicate = true;
        t->code = t->dup_code;
    }
    store_finalize(q);
    return rc;
}

static int insert_row(store_tx *tx, take *t, const char *status,
                      const char *detail)
{
    char type[80];
    snprintf(type, sizeof type, "%s%s%s", t->type, t->trigger[0] ? "^" : "",
             t->trigger);
    return store_exec(tx, NULL,
        "INSERT INTO hl7_inbound (practice_id, sender, control_id, received_at, "
        "peer_addr, msg_type, body, status, ack_code, ack, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "ittittsttst", t->practice_id, t->sender, t->control_id, t->now_ms,
        t->peer, cstorable(t->a, type), t->raw, t->raw_len, status, t->code,
        sw_buf_str(&t->ack), t->ack.len, detail);
}

/* The transaction: a resend's stored ACK, or the message applied and
 * stored. A content error returns SW_EINVAL with the errors in t->map. */
static int apply_fn(store_tx *tx, void *arg)
{
    take *t = arg;
    t->duplicate = false;
    t->map = (hl7_map){ .tx = tx, .a = t->a, .practice_id = t->practice_id,
                        .m = t->m, .who = &t->who, .now_ms = t->now_ms };
    int rc = find_stored(tx, t);
    if (rc != SW_OK || t->duplicate)
        return rc;
    switch (t->kind) {
    case KIND_REGISTER: rc = hl7_adt_register(&t->map); break;
    case KIND_MERGE:    rc = hl7_adt_merge(&t->map); break;
    case KIND_SIU:      rc = hl7_siu_apply(&t->map, t->trigger); break;
    case KIND_UNSUPPORTED: {
        /* Not a message we take: rejected (HL7 v2.5.1 chapter 2: AR when
         * MSH-9 is not acceptable), and stored so a resend gets the same.
         * An ADT or SIU event we do not take is 201 on MSH-9.2. */
        bool known_type = !strcmp(t->type, "ADT") || !strcmp(t->type, "SIU");
        hl7_ack_error e = {
            .segment = "MSH", .field = 9, .component = known_type ? 2 : 0,
            .code = known_type ? "201" : "200",
            .text = known_type
                ? "the EHR does not take this trigger event (MSH-9.2) of the message type"
                : "the EHR does not take this message type (MSH-9)",
        };
        if ((rc = build_ack(t, answer(t, 'R'), NULL, &e, 1)) != SW_OK)
            return store_tx_fail(tx, rc, NULL);
        return insert_row(tx, t, STATUS_ERROR, e.text);
    }
    }
    if (rc == SW_OK && t->map.oom)
        rc = store_tx_fail(tx, SW_ENOMEM, NULL);
    if (rc != SW_OK)
        return rc;
    if ((rc = build_ack(t, answer(t, 'A'), NULL, NULL, 0)) != SW_OK)
        return store_tx_fail(tx, rc, NULL);
    return insert_row(tx, t, STATUS_PROCESSED, "");
}

/* A content error: stored with its AE (unless a resend got there first),
 * nothing else written. */
static int error_fn(store_tx *tx, void *arg)
{
    take *t = arg;
    t->duplicate = false;
    int rc = find_stored(tx, t);
    if (rc != SW_OK || t->duplicate)
        return rc;
    if ((rc = build_ack(t, answer(t, 'E'), NULL, t->map.errs, t->map.nerr)) != SW_OK)
        return store_tx_fail(tx, rc, NULL);
    return insert_row(tx, t, STATUS_ERROR, t->map.errs[0].text);
}

static kind kind_of(const char *type, const char *trigger)
{
    if (!strcmp(type, "ADT")) {
        if (!strcmp(trigger, "A04") || !strcmp(trigger, "A08")
            || !strcmp(trigger, "A28") || !strcmp(trigger, "A31"))
            return KIND_REGISTER;
        if (!strcmp(trigger, "A40"))
            return KIND_MERGE;
    }
    if (!strcmp(type, "SIU") && (!strcmp(trigger, "S12") || !strcmp(trigger, "S13")
                                 || !strcmp(trigger, "S14") || !strcmp(trigger, "S15")))
        return KIND_SIU;
    return KIND_UNSUPPORTED;
}

static const char *field_text(const hl7_message *m, size_t field, size_t comp)
{
    const char *s = hl7_get(m, "MSH", 1, field, 1, comp, 1);
    return s == NULL || s == HL7_NULL_TEXT ? "" : s;
}

/* Copies the ACK out; the code answered into r. */
static int give(take *t, sw_buf *ack, hl7_inbound_result *r)
{
    snprintf(r->code, sizeof r->code, "%s", t->code ? t->code : "AR");
    r->duplicate = t->duplicate;
    if (!t->duplicate && r->code[1] == 'A')
        snprintf(r->patient_id, sizeof r->patient_id, "%s", t->map.patient_id);
    return sw_buf_append(ack, t->ack.data ? t->ack.data : "", t->ack.len);
}

/* An answer that stores nothing: an unparseable message or one without a
 * control id (AE, CE), or a store that is not there (AR, CR). */
static int answer_only(take *t, const char *code, const char *text,
                       const hl7_ack_error *e, size_t nerr, sw_buf *ack,
                       hl7_inbound_result *r)
{
    int rc = build_ack(t, code, text, e, nerr);
    return rc != SW_OK ? rc : give(t, ack, r);
}

int hl7_inbound_take(sw_store *s, int64_t practice_id, const char *peer_address,
                     const char *msg, size_t len, sw_buf *ack,
                     hl7_inbound_result *r)
{
    memset(r, 0, sizeof *r);
    sw_buf_reset(ack);
    take t = { .practice_id = practice_id, .now_ms = sw_now_wall_ms(),
               .ack = SW_BUF_INIT(SW_HL7_MAX_MESSAGE_BYTES) };
    t.a = sw_arena_create(0);
    if (t.a == NULL)
        return SW_ENOMEM;
    int rc;
    t.raw = hl7_text_storable(t.a, msg, len, &t.raw_len);
    t.peer = cstorable(t.a, peer_address);
    if (t.raw == NULL || t.peer == NULL) {
        rc = SW_ENOMEM;
        goto out;
    }
    hl7_message *m;
    sw_err perr;
    rc = hl7_parse(t.a, msg, len, &m, &perr);
    if (rc == SW_ENOMEM)
        goto out;
    if (rc != SW_OK) {
        /* A content error when we can say which message it was (its MSH-10
         * is echoed in MSA-2); otherwise there is nothing to answer but AR. */
        hl7_ack_error e = { .code = "102", .text = perr.msg };
        if ((rc = build_ack(&t, "AE", NULL, &e, 1)) != SW_OK)
            goto out;
        hl7_ack mine;
        sw_err ignored;
        bool named = hl7_ack_read(sw_buf_str(&t.ack), t.ack.len, &mine, &ignored)
                     == SW_OK && mine.control_id[0] != '\0';
        rc = answer_only(&t, named ? "AE" : "AR", named ? NULL
                         : "the message does not parse and names no control "
                         "id (MSH-10)", &e, 1, ack, r);
        goto out;
    }
    t.m = m;
    /* Enhanced mode when MSH-15 says anything (some senders pad with a
     * space, which says nothing). */
    const char *accept = field_text(m, 15, 1);
    t.enhanced = accept[strspn(accept, " ")] != '\0';
    t.type = cstorable(t.a, field_text(m, 9, 1));
    t.trigger = cstorable(t.a, field_text(m, 9, 2));
    const char *cid = field_text(m, 10, 1);
    if (cid[0] == '\0' || strlen(cid) > CONTROL_ID_MAX) {
        hl7_ack_error e = { .segment = "MSH", .field = 10,
            .code = cid[0] ? "104" : "101",
            .text = cid[0] ? "MSH-10 (message control id) is longer than 199 "
                             "characters"
                           : "MSH-10 (message control id) is required" };
        rc = answer_only(&t, answer(&t, 'E'), NULL, &e, 1, ack, r);
        goto out;
    }
    t.control_id = cstorable(t.a, cid);
    t.sender = sw_arena_printf(t.a, "%s^%s", cstorable(t.a, field_text(m, 3, 1)),
                               cstorable(t.a, field_text(m, 4, 1)));
    if (t.type == NULL || t.trigger == NULL || t.control_id == NULL
        || t.sender == NULL) {
        rc = SW_ENOMEM;
        goto out;
    }
    t.kind = kind_of(t.type, t.trigger);
    t.who = (audit_who){ .practice_id = practice_id, .user_id = 0,
                         .username = "hl7:pms", .roles = "interface",
                         .client = t.peer[0] ? t.peer : "mllp",
                         .request_id = t.control_id };
    sw_err err;
    rc = store_write(s, apply_fn, &t, &err);
    if (rc == SW_EINVAL && t.map.nerr > 0)
        rc = store_write(s, error_fn, &t, &err);
    if (rc == SW_OK) {
        rc = give(&t, ack, r);
        goto out;
    }
    /* Nothing was stored: the sender must send it again. */
    sw_warn("hl7: a message from the PMS of practice %lld was not stored: %s",
            (long long)practice_id, sw_err_text(&err));
    t.duplicate = false;
    hl7_ack_error e = { .code = "207", .text = CANNOT_STORE };
    memset(&t.map, 0, sizeof t.map);
    rc = answer_only(&t, answer(&t, 'R'), CANNOT_STORE, &e, 1, ack, r);
out:
    if (rc != SW_OK && ack->len == 0) {
        /* Out of memory: a fixed AR still tells the sender to try again. */
        sw_buf_puts(ack, "MSH|^~\\&|STAGEWISE||||||ACK|A0|P|2.5.1\rMSA|AR|\r");
        snprintf(r->code, sizeof r->code, "AR");
    }
    sw_buf_free(&t.ack);
    sw_arena_destroy(t.a);
    return rc == SW_ENOMEM ? SW_ENOMEM : SW_OK;
}
