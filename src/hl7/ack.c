/* ack.c - HL7 v2 acknowledgments (see ack.h): the ACK we answer every
 * inbound message with (inbound.c builds one per message, stored with it so
 * that a resend gets the same bytes), and the reading of the ACK a PMS
 * answers our outbound messages with (the delivery worker, the simulator
 * and the interface test suite).
 *
 * The ACK is a v2.5-shaped message: MSH, MSA, then one ERR per problem
 * with ERR-2 (location), ERR-3 (HL7 table 0357 code), ERR-4 (severity) and
 * ERR-8 (a sentence for people). Senders on v2.3 / v2.4 read ERR-1, so for
 * them ERR-1 carries the same location and code in the older form. */
#include "hl7/ack.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "hl7/writer.h"

/* The text of a table 0357 code, for ERR-3.2. */
static const char *code_text(const char *code)
{
    static const struct { const char *code, *text; } t[] = {
        { "0", "Message accepted" },
        { "100", "Segment sequence error" },
        { "101", "Required field missing" },
        { "102", "Data type error" },
        { "103", "Table value not found" },
        { "104", "Value too long" },
        { "200", "Unsupported message type" },
        { "201", "Unsupported event code" },
        { "202", "Unsupported processing id" },
        { "203", "Unsupported version id" },
        { "204", "Unknown key identifier" },
        { "205", "Duplicate key identifier" },
        { "206", "Application record locked" },
        { "207", "Application internal error" },
    };
    for (size_t i = 0; code && i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].code, code) == 0)
            return t[i].text;
    return NULL;
}

/* A control id of our own: "A" and a number that grows with the wall
 * clock (100 per millisecond) and never repeats within the process, so
 * ACKs stay unique across restarts too. 16 characters. */
static void new_control_id(int64_t now_ms, char out[24])
{
    static _Atomic int64_t last;
    int64_t want = now_ms * 100, cur = atomic_load(&last), next;
    do {
        next = want > cur ? want : cur + 1;
    } while (!atomic_compare_exchange_weak(&last, &cur, next));
    snprintf(out, 24, "A%lld", (long long)next);
}

/* ---- MSH fields of a message that did not parse --------------------------- */

/* Field n (MSH numbering, n >= 3), component comp (1-based; 0 for the
 * whole field) of the first segment of raw when it is an MSH, as written
 * (escapes not decoded). "" when there is none. */
static void raw_msh_field(const char *raw, size_t len, int n, int comp,
                          char *out, size_t cap)
{
    out[0] = '\0';
    if (raw == NULL)
        return;
    if (len >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0) {
        raw += 3;
        len -= 3;
    }
    if (len < 8 || memcmp(raw, "MSH", 3) != 0)
        return;
    char fs = raw[3], cs = raw[4];
    size_t i = 4;
    /* raw[3] is MSH-1; each separator after it starts the next field, and
     * each component separator in the field the next component. */
    for (int field = 2; field < n; field++) {
        while (i < len && raw[i] != fs && raw[i] != '\r' && raw[i] != '\n')
            i++;
        if (i >= len || raw[i] != fs)
            return;
        i++;
    }
    for (int c = 1; c < comp; c++) {
        while (i < len && raw[i] != fs && raw[i] != cs && raw[i] != '\r'
               && raw[i] != '\n')
            i++;
        if (i >= len || raw[i] != cs)
            return;
        i++;
    }
    size_t o = 0;
    for (; i < len && o + 1 < cap; i++) {
        char c = raw[i];
        if (c == fs || c == '\r' || c == '\n' || (comp > 0 && c == cs))
            break;
        out[o++] = c;
    }
    out[o] = '\0';
}

/* ---- Building -------------------------------------------------------------- */

/* Writes field `field` of the message's MSH (a HD: namespace^id^type) as
 * the next field, component by component. */
static void echo_hd(hl7_writer *w, const hl7_message *in, const char *raw,
                    size_t raw_len, int field)
{
    if (in == NULL) {
        char v[200];
        raw_msh_field(raw, raw_len, field, 1, v, sizeof v);
        hl7_w_field(w, v);
        return;
    }
    hl7_w_field(w, hl7_get(in, "MSH", 1, (size_t)field, 1, 1, 1));
    for (size_t c = 2; c <= 3; c++) {
        const char *t = hl7_get(in, "MSH", 1, (size_t)field, 1, c, 1);
        if (t == NULL)
            break;
        hl7_w_comp(w, t);
    }
}

static const char *text_or_empty(const char *s)
{
    return s == NULL || s == HL7_NULL_TEXT ? "" : s;
}

static void write_err(hl7_writer *w, const hl7_ack_error *e, bool old_version)
{
    const char *ctext = code_text(e->code);
    hl7_w_segment(w, "ERR");
    /* ERR-1 (v2.3, v2.4): segment^sequence^field^code&text&HL70357. */
    if (old_version && e->segment) {
        char n[16] = "";
        if (e->field > 0)
            snprintf(n, sizeof n, "%d", e->field);
        hl7_w_field(w, e->segment);
        hl7_w_comp(w, "1");
        hl7_w_comp(w, n);
        hl7_w_comp(w, e->code);
        hl7_w_sub(w, ctext);
        hl7_w_sub(w, "HL70357");
    } else {
        hl7_w_field(w, NULL);
    }
    /* ERR-2: segment^sequence^field^field repetition^component. */
    hl7_w_field(w, e->segment);
    if (e->segment) {
        hl7_w_comp(w, "1");
        if (e->field > 0) {
            char n[16];
            snprintf(n, sizeof n, "%d", e->field);
            hl7_w_comp(w, n);
            if (e->component > 0) {
                snprintf(n, sizeof n, "%d", e->component);
                hl7_w_comp(w, NULL);
                hl7_w_comp(w, n);
            }
        }
    }
    hl7_w_field(w, e->code);       /* ERR-3: code^text^HL70357 */
    hl7_w_comp(w, ctext);
    hl7_w_comp(w, "HL70357");
    hl7_w_field(w, "E");           /* ERR-4: severity */
    hl7_w_skip(w, 3);              /* ERR-5 .. ERR-7 */
    hl7_w_field(w, e->text);       /* ERR-8: user message */
}

int hl7_ack_build(const hl7_message *in, const char *raw, size_t raw_len,
                  const char *code, const char *text,
                  const hl7_ack_error *errs, size_t nerr, int64_t now_ms,
                  sw_buf *out)
{
    if (now_ms == 0)
        now_ms = sw_now_wall_ms();
    char when[15], cid[24], trigger[64], their_cid[200], pid[16], ver[32];
    hl7_time(now_ms, when);
    new_control_id(now_ms, cid);
    if (in != NULL) {
        snprintf(trigger, sizeof trigger, "%s",
                 text_or_empty(hl7_get(in, "MSH", 1, 9, 1, 2, 1)));
        snprintf(their_cid, sizeof their_cid, "%s",
                 text_or_empty(hl7_get(in, "MSH", 1, 10, 1, 1, 1)));
        snprintf(pid, sizeof pid, "%s",
                 text_or_empty(hl7_get(in, "MSH", 1, 11, 1, 1, 1)));
        snprintf(ver, sizeof ver, "%s",
                 text_or_empty(hl7_get(in, "MSH", 1, 12, 1, 1, 1)));
    } else {
        raw_msh_field(raw, raw_len, 9, 2, trigger, sizeof trigger);
        raw_msh_field(raw, raw_len, 10, 1, their_cid, sizeof their_cid);
        raw_msh_field(raw, raw_len, 11, 1, pid, sizeof pid);
        raw_msh_field(raw, raw_len, 12, 1, ver, sizeof ver);
    }
    bool old_version = strncmp(ver, "2.1", 3) == 0 || strncmp(ver, "2.2", 3) == 0
                       || strncmp(ver, "2.3", 3) == 0 || strncmp(ver, "2.4", 3) == 0;

    hl7_writer w;
    hl7_w_begin(&w, out);
    hl7_w_segment(&w, "MSH|^~\\&");            /* MSH-1, MSH-2 */
    hl7_w_field(&w, "STAGEWISE");              /* MSH-3: we answer */
    echo_hd(&w, in, raw, raw_len, 6);          /* MSH-4: their receiver */
    echo_hd(&w, in, raw, raw_len, 3);          /* MSH-5: their sender */
    echo_hd(&w, in, raw, raw_len, 4);          /* MSH-6 */
    hl7_w_field(&w, when);                     /* MSH-7 */
    hl7_w_skip(&w, 1);                         /* MSH-8 */
    hl7_w_field(&w, "ACK");                    /* MSH-9: ACK^trigger^ACK */
    hl7_w_comp(&w, trigger[0] ? trigger : NULL);
    hl7_w_comp(&w, "ACK");
    hl7_w_field(&w, cid);                      /* MSH-10 */
    hl7_w_field(&w, pid[0] ? pid : "P");       /* MSH-11 */
    hl7_w_field(&w, ver[0] ? ver : "2.5.1");   /* MSH-12 */
    hl7_w_segment(&w, "MSA");
    hl7_w_field(&w, code);                     /* MSA-1 */
    hl7_w_field(&w, their_cid);                /* MSA-2 */
    if (text != NULL && text[0] != '\0')
        hl7_w_field(&w, text);                 /* MSA-3 */
    for (size_t i = 0; i < nerr; i++)
        write_err(&w, &errs[i], old_version);
    return hl7_w_end(&w);
}

/* ---- Reading --------------------------------------------------------------- */

static void append(char *dst, size_t cap, const char *fmt, const char *a,
                   const char *b)
{
    size_t n = strlen(dst);
    if (n + 1 < cap)
        snprintf(dst + n, cap - n, fmt, a ? a : "", b ? b : "");
}

static const char *got(const hl7_message *m, const char *seg, size_t occ,
                       size_t field, size_t comp, size_t sub)
{
    const char *t = hl7_get(m, seg, occ, field, 1, comp, sub);
    return t == HL7_NULL_TEXT ? NULL : t;
}

/* "PID-7", "PID-5.2" from ERR-2 (v2.5) or ERR-1 (v2.3), or "". */
static void err_location(const hl7_message *m, size_t occ, char *out, size_t cap)
{
    const char *seg = got(m, "ERR", occ, 2, 1, 1), *field, *comp = NULL;
    if (seg != NULL) {
        field = got(m, "ERR", occ, 2, 3, 1);
        comp = got(m, "ERR", occ, 2, 5, 1);
    } else {
        seg = got(m, "ERR", occ, 1, 1, 1);
        field = got(m, "ERR", occ, 1, 3, 1);
    }
    out[0] = '\0';
    if (seg == NULL)
        return;
    snprintf(out, cap, "%s%s%s%s%s", seg, field ? "-" : "", field ? field : "",
             comp ? "." : "", comp ? comp : "");
}

int hl7_ack_read(const char *msg, size_t len, hl7_ack *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    sw_arena *a = sw_arena_create(0);
    if (a == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    hl7_message *m;
    sw_err perr;
    int rc = hl7_parse(a, msg, len, &m, &perr);
    if (rc != SW_OK) {
        sw_err_set(err, rc, "the acknowledgment does not parse: %s", perr.msg);
        goto out;
    }
    if (hl7_segment_find(m, "MSA", 1) == NULL) {
        rc = sw_err_set(err, SW_EINVAL, "the acknowledgment has no MSA segment");
        goto out;
    }
    const char *code = got(m, "MSA", 1, 1, 1, 1);
    snprintf(out->control_id, sizeof out->control_id, "%s",
             text_or_empty(got(m, "MSA", 1, 2, 1, 1)));
    snprintf(out->code, sizeof out->code, "%.2s", code ? code : "");
    const char *msa3 = got(m, "MSA", 1, 3, 1, 1);
    if (msa3)
        append(out->text, sizeof out->text, "%s%s", msa3, NULL);
    size_t nerr = 0;
    for (size_t i = 1; hl7_segment_find(m, "ERR", i) != NULL; i++) {
        char loc[64];
        err_location(m, i, loc, sizeof loc);
        const char *t = got(m, "ERR", i, 8, 1, 1);
        if (t == NULL)
            t = got(m, "ERR", i, 3, 2, 1);
        if (t == NULL)
            t = got(m, "ERR", i, 1, 4, 2);   /* v2.3: code&text in ERR-1.4 */
        if (t == NULL)
            t = got(m, "ERR", i, 3, 1, 1);
        /* An ERR that only repeats MSA-3 (as ours do for AR) adds nothing. */
        if (loc[0] == '\0' && (t == NULL || (msa3 && strcmp(t, msa3) == 0)))
            continue;
        append(out->text, sizeof out->text, "%s", out->text[0] ? "; " : "", NULL);
        append(out->text, sizeof out->text, "%s%s", loc, loc[0] && t ? ": " : "");
        append(out->text, sizeof out->text, "%s%s", t, NULL);
        nerr++;
    }
    /* v2.3 and earlier: MSA-6, the error condition, when there is no ERR. */
    const char *msa6 = nerr == 0 ? got(m, "MSA", 1, 6, 2, 1) : NULL;
    if (msa6 == NULL && nerr == 0)
        msa6 = got(m, "MSA", 1, 6, 1, 1);
    if (msa6)
        append(out->text, sizeof out->text, "%s%s", out->text[0] ? "; " : "", msa6);
    static const char *const codes[] = { "AA", "AE", "AR", "CA", "CE", "CR" };
    bool known = false;
    for (size_t i = 0; code && strlen(code) == 2 && i < 6; i++)
        known = known || strcmp(codes[i], code) == 0;
    if (!known)
        rc = sw_err_set(err, SW_EINVAL, "MSA-1 '%.8s' is not an "
                        "acknowledgment code (AA, AE, AR, CA, CE or CR)",
                        code ? code : "");
out:
    sw_arena_destroy(a);
    return rc;
}
