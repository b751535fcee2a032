/* reconcile.c - the interface's reconciliation report (see reconcile.h):
 * signed visits from the audit trail, their ChargeItems through the
 * reference index (ChargeItem.context), the outbox rows naming each
 * charge, then totals, discrepancies and alerts.
 *
 * Every query is bounded by the range or by one visit, and the rows of a
 * query are read before the next one starts (a backend may hold one result
 * per connection). The report is built in its own arena, so a transaction
 * run again (PostgreSQL retries) starts from nothing. */
#include "reconcile.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "fhir/resources.h"
#include "outbox.h"

#define DAY_MS (24LL * 3600 * 1000)
#define REPORT_ARENA_MAX (256u << 20)

/* ---- Days ----------------------------------------------------------------- */

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

bool hl7_rec_parse_day(const char *s, int64_t *day)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    int64_t z = sw_days_from_civil(y, m, d), yy;
    int mm, dd;
    civil_from_days(z, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d)      /* 2026-02-30 */
        return false;
    *day = z;
    return true;
}

void hl7_rec_format_day(int64_t day, char out[11])
{
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    unsigned yy = (unsigned)(y < 0 ? 0 : y % 10000);
    const unsigned v[3] = { yy, (unsigned)m, (unsigned)d };
    /* digit by digit: the compiler cannot bound %d's width here */
    out[0] = (char)('0' + v[0] / 1000);
    out[1] = (char)('0' + v[0] / 100 % 10);
    out[2] = (char)('0' + v[0] / 10 % 10);
    out[3] = (char)('0' + v[0] % 10);
    out[4] = '-';
    out[5] = (char)('0' + v[1] / 10 % 10);
    out[6] = (char)('0' + v[1] % 10);
    out[7] = '-';
    out[8] = (char)('0' + v[2] / 10 % 10);
    out[9] = (char)('0' + v[2] % 10);
    out[10] = '\0';
}

static int64_t day_of(int64_t ms)
{
    return ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS);
}

/* "2026-11-25 10:02 UTC", for sentences. */
static void utc_minute(int64_t ms, char out[32])
{
    char iso[SW_TIME_ISO_MAX];
    sw_time_iso(ms, iso);
    snprintf(out, 32, "%.10s %.5s UTC", iso, iso + 11);
}

/* "42 minutes", "3 hours 5 minutes", "2 days 4 hours". */
static void duration(int64_t ms, char out[48])
{
    int64_t min = ms > 0 ? ms / 60000 : 0;
    int64_t h = min / 60, d = h / 24;
    if (min < 1)
        snprintf(out, 48, "less than a minute");
    else if (h < 1)
        snprintf(out, 48, "%" PRId64 " minute%s", min, min == 1 ? "" : "s");
    else if (d < 1)
        snprintf(out, 48, "%" PRId64 " hour%s %" PRId64 " minute%s", h,
                 h == 1 ? "" : "s", min % 60, min % 60 == 1 ? "" : "s");
    else
        snprintf(out, 48, "%" PRId64 " day%s %" PRId64 " hour%s", d,
                 d == 1 ? "" : "s", h % 24, h % 24 == 1 ? "" : "s");
}

/* ---- Growing arrays in the report's arena ----------------------------------- */

static void *grow(sw_arena *a, void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *bigger = sw_arena_alloc(a, ncap * size);
    if (bigger == NULL)
        return NULL;
    if (n)
        memcpy(bigger, items, n * size);
    *cap = ncap;
    return bigger;
}

typedef struct issues {
    hl7_rec_issue *items;
    size_t         n, cap;
} issues;

static int add_issue(sw_arena *a, issues *list, const char *kind,
                     const char *encounter, const char *charge, int64_t since,
                     const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static int add_issue(sw_arena *a, issues *list, const char *kind,
                     const char *encounter, const char *charge, int64_t since,
                     const char *fmt, ...)
{
    list->items = grow(a, list->items, list->n, &list->cap, sizeof *list->items);
    if (list->items == NULL)
        return SW_ENOMEM;
    va_list ap;
    va_start(ap, fmt);
    char *text = sw_arena_vprintf(a, fmt, ap);
    va_end(ap);
    if (text == NULL)
        return SW_ENOMEM;
    list->items[list->n++] = (hl7_rec_issue){ .kind = kind, .encounter_id = encounter,
        .charge_id = charge, .text = text, .since = since };
    return SW_OK;
}

/* ---- Reading ----------------------------------------------------------------- */

typedef struct build {
    store_tx       *tx;
    sw_arena       *a;
    hl7_rec_report *r;
    size_t          vcap;
    issues          disc;
} build;

static const char *dup_col(build *b, store_stmt *st, int col)
{
    return sw_arena_strdup(b->a, store_col_text(st, col, NULL));
}

/* The visits whose note was signed in the range, by signature time. */
static int read_signatures(build *b)
{
    const hl7_rec_query *q = &b->r->query;
    store_stmt *st;
    int rc = store_prepare(b->tx,
        "SELECT a.at_ms, a.res_id, a.patient_id, a.username, u.display_name "
        "FROM audit_log a LEFT JOIN app_user u ON u.practice_id = a.practice_id "
        "AND u.user_id = a.user_id WHERE a.practice_id = ? AND a.at_ms >= ? "
        "AND a.at_ms < ? AND a.feature = 'documentation.sign' "
        "AND a.res_type = 'Composition' AND a.outcome = 'success' "
        "ORDER BY a.at_ms, a.seq", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, q->practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 2, q->from_day * DAY_MS)) == SW_OK)
        rc = store_bind_int64(st, 3, (q->to_day + 1) * DAY_MS);
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        hl7_rec_report *r = b->r;
        if (r->nvisits == HL7_RECONCILE_MAX_VISITS) {
            rc = store_tx_fail(b->tx, SW_ECOSTLY, "more than %d visits were "
                               "signed in this range; choose a shorter one",
                               HL7_RECONCILE_MAX_VISITS);
            break;
        }
        r->visits = grow(b->a, r->visits, r->nvisits, &b->vcap, sizeof *r->visits);
        if (r->visits == NULL) {
            rc = SW_ENOMEM;
            break;
        }
        hl7_rec_visit *v = &r->visits[r->nvisits++];
        memset(v, 0, sizeof *v);
        v->signed_at = store_col_int64(st, 0);
        v->day = day_of(v->signed_at);
        v->note_id = dup_col(b, st, 1);
        v->patient_id = dup_col(b, st, 2);
        v->signer = dup_col(b, st, 3);
        v->signer_display = store_col_null(st, 4) ? v->signer : dup_col(b, st, 4);
        v->encounter_id = "";
        if (!v->note_id || !v->patient_id || !v->signer || !v->signer_display)
            rc = SW_ENOMEM;
    }
    store_finalize(st);
    return rc;
}

static json_t *parse_body(const char *body, size_t len)
{
    return json_loadb(body, len, JSON_DECODE_ANY, NULL);
}

/* The Encounter the signed note belongs to, and the patient's name. */
static int read_visit_records(build *b, hl7_rec_visit *v)
{
    fhir_version fv;
    int rc = fhir_row_read(b->tx, b->a, b->r->query.practice_id, "Composition",
                           v->note_id, 0, &fv);
    if (rc == SW_OK && !fv.deleted) {
        json_t *doc = parse_body(fv.body, fv.body_len);
        const char *ref = json_string_value(json_object_get(json_object_get(doc,
                                            "encounter"), "reference"));
        if (ref && strncmp(ref, "Encounter/", 10) == 0)
            v->encounter_id = sw_arena_strdup(b->a, ref + 10);
        json_decref(doc);
        if (v->encounter_id == NULL)
            return SW_ENOMEM;
    } else if (rc != SW_OK && rc != SW_ENOTFOUND) {
        return rc;
    }
    if (!b->r->query.names || v->patient_id[0] == '\0')
        return SW_OK;
    rc = fhir_row_read(b->tx, b->a, b->r->query.practice_id, "Patient",
                       v->patient_id, 0, &fv);
    if (rc == SW_ENOTFOUND || (rc == SW_OK && fv.deleted)) {
        v->patient_name = "";
        return SW_OK;
    }
    if (rc != SW_OK)
        return rc;
    /* The first HumanName: its text, else given names then family. */
    json_t *doc = parse_body(fv.body, fv.body_len);
    json_t *name = json_array_get(json_object_get(doc, "name"), 0);
    const char *text = json_string_value(json_object_get(name, "text"));
    char buf[512] = "";
    if (text == NULL) {
        json_t *g;
        size_t i;
        json_array_foreach(json_object_get(name, "given"), i, g)
            if (json_string_value(g))
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s",
                         buf[0] ? " " : "", json_string_value(g));
        const char *family = json_string_value(json_object_get(name, "family"));
        if (family)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s",
                     buf[0] ? " " : "", family);
        text = buf;
    }
    v->patient_name = sw_arena_strdup(b->a, text);
    json_decref(doc);
    return v->patient_name ? SW_OK : SW_ENOMEM;
}

/* The visit's ChargeItems (context = its Encounter), in id order. */
static int read_charges(build *b, hl7_rec_visit *v)
{
    if (v->encounter_id[0] == '\0')
        return SW_OK;
    store_stmt *st;
    int rc = store_prepare(b->tx,
        "SELECT r.res_id, r.body FROM fhir_idx_ref x JOIN fhir_resource r "
        "ON r.practice_id = x.practice_id AND r.res_type = x.res_type "
        "AND r.res_id = x.res_id WHERE x.practice_id = ? AND x.target_id = ? "
        "AND x.target_type = 'Encounter' AND x.param = 'context' "
        "AND x.res_type = 'ChargeItem' AND r.deleted = 0 ORDER BY r.res_id", &st);
    if (rc != SW_OK)
        return rc;
    size_t cap = 0;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, b->r->query.practice_id)) == SW_OK)
        rc = store_bind_cstr(st, 2, v->encounter_id);
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        v->charges = grow(b->a, v->charges, v->ncharges, &cap, sizeof *v->charges);
        if (v->charges == NULL) {
            rc = SW_ENOMEM;
            break;
        }
        size_t len;
        const char *body = store_col_text(st, 1, &len);
        json_t *doc = parse_body(body, len);
        json_t *coding = json_array_get(json_object_get(json_object_get(doc,
                                        "code"), "coding"), 0);
        const char *code = json_string_value(json_object_get(coding, "code"));
        if (code == NULL)
            code = json_string_value(json_object_get(json_object_get(doc, "code"), "text"));
        const char *status = json_string_value(json_object_get(doc, "status"));
        hl7_rec_charge *c = &v->charges[v->ncharges++];
        c->id = dup_col(b, st, 0);
        c->code = sw_arena_strdup(b->a, code ? code : "");
        c->status = sw_arena_strdup(b->a, status ? status : "");
        c->outbox = NULL;
        json_decref(doc);
        if (!c->id || !c->code || !c->status)
            rc = SW_ENOMEM;
    }
    store_finalize(st);
    return rc;
}

/* One outbox row of the visit, with the charges it names. */
typedef struct out_row {
    hl7_rec_row row;
    const char *charge_ids;
} out_row;

static int read_outbox(build *b, const hl7_rec_visit *v, out_row **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (v->encounter_id[0] == '\0')
        return SW_OK;
    store_stmt *st;
    int rc = store_prepare(b->tx,
        "SELECT seq, control_id, charge_ids, status, attempts, last_error, "
        "created_at, sent_at, acked_at FROM hl7_outbox WHERE practice_id = ? "
        "AND patient_id = ? AND encounter_id = ? ORDER BY seq", &st);
    if (rc != SW_OK)
        return rc;
    size_t cap = 0;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, b->r->query.practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, v->patient_id)) == SW_OK)
        rc = store_bind_cstr(st, 3, v->encounter_id);
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        *out = grow(b->a, *out, *n, &cap, sizeof **out);
        if (*out == NULL) {
            rc = SW_ENOMEM;
            break;
        }
        out_row *o = &(*out)[(*n)++];
        o->row.seq = store_col_int64(st, 0);
        o->row.control_id = dup_col(b, st, 1);
        o->charge_ids = dup_col(b, st, 2);
        o->row.status = dup_col(b, st, 3);
        o->row.attempts = store_col_int64(st, 4);
        o->row.last_error = dup_col(b, st, 5);
        o->row.created_at = store_col_int64(st, 6);
        o->row.sent_at = store_col_int64(st, 7);
        o->row.acked_at = store_col_int64(st, 8);
        if (!o->row.control_id || !o->charge_ids || !o->row.status
            || !o->row.last_error)
            rc = SW_ENOMEM;
    }
    store_finalize(st);
    return rc;
}

/* Whether the charge_ids column names id as a charge: ids joined by ",",
 * a credit's prefixed "cr:" (outbox.h), which does not count. */
static bool names_charge(const char *list, const char *id)
{
    size_t idlen = strlen(id);
    const char *p = list;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        size_t trimmed = len;
        while (trimmed > 0 && p[trimmed - 1] == ' ')
            trimmed--;
        if (trimmed == idlen && memcmp(p, id, idlen) == 0)
            return true;
        if (end == NULL)
            break;
        p = end + 1;
    }
    return false;
}

/* ---- Matching one visit ------------------------------------------------------ */

static void count(hl7_rec_totals *t, const hl7_rec_totals *add)
{
    t->visits += add->visits;
    t->charges += add->charges;
    t->queued += add->queued;
    t->acked += add->acked;
    t->pending += add->pending;
    t->rejected += add->rejected;
    t->invalid += add->invalid;
    t->not_queued += add->not_queued;
    t->discrepancies += add->discrepancies;
}

/* "4, 7" - the outbox rows of a doubled charge. */
static const char *seq_list(build *b, const out_row *rows, size_t n,
                            const char *id, bool acked_only)
{
    char buf[256] = "";
    for (size_t i = 0; i < n; i++) {
        const hl7_rec_row *r = &rows[i].row;
        if (!names_charge(rows[i].charge_ids, id) || strcmp(r->status, HL7_OUT_RESENT) == 0
            || (acked_only && strcmp(r->status, HL7_OUT_ACKED) != 0))
            continue;
        size_t used = strlen(buf);
        snprintf(buf + used, sizeof buf - used, "%s%" PRId64, used ? ", " : "", r->seq);
    }
    return sw_arena_strdup(b->a, buf);
}

/* A reason as the middle of our sentence: without its own final period. */
static int reason_len(const char *reason)
{
    size_t n = strlen(reason);
    while (n > 0 && (reason[n - 1] == '.' || reason[n - 1] == ' '))
        n--;
    return n > 400 ? 400 : (int)n;
}

static int match_charge(build *b, hl7_rec_visit *v, hl7_rec_charge *c,
                        const out_row *rows, size_t n, hl7_rec_totals *t)
{
    const hl7_rec_query *q = &b->r->query;
    const hl7_rec_row *current = NULL, *any = NULL, *second = NULL, *second_ack = NULL;
    int live = 0, acked = 0;
    for (size_t i = 0; i < n; i++) {
        const hl7_rec_row *r = &rows[i].row;
        /* A credit line ("cr:<id>") takes a charge back; it is not the
         * charge's queueing, and names_charge does not match it. */
        if (!names_charge(rows[i].charge_ids, c->id))
            continue;
        any = r;
        if (strcmp(r->status, HL7_OUT_RESENT) != 0) {
            if (++live == 2)
                second = r;
            current = r;
        }
        if (strcmp(r->status, HL7_OUT_ACKED) == 0 && ++acked == 2)
            second_ack = r;
    }
    c->outbox = current ? current : any;
    t->charges++;
    const char *enc = v->encounter_id;
    int rc = SW_OK;
    size_t before = b->disc.n;
    if (c->outbox == NULL) {
        t->not_queued++;
        /* A charge voided before it was sent needs no queueing. */
        if (strcmp(c->status, "entered-in-error") != 0)
            rc = add_issue(b->a, &b->disc, HL7_REC_NOT_QUEUED, enc, c->id, v->signed_at,
                           "Charge %s (%s) of visit %s was created but never "
                           "queued for the practice-management system.",
                           c->id, c->code, enc);
        t->discrepancies += (int64_t)(b->disc.n - before);
        return rc;
    }
    t->queued++;
    const hl7_rec_row *o = c->outbox;
    if (strcmp(o->status, HL7_OUT_ACKED) == 0) {
        t->acked++;
    } else if (strcmp(o->status, HL7_OUT_REJECTED) == 0) {
        t->rejected++;
        rc = add_issue(b->a, &b->disc, HL7_REC_REJECTED, enc, c->id,
                       o->sent_at ? o->sent_at : o->created_at,
                       "The practice-management system rejected charge %s (%s): "
                       "%.*s. Fix it and resend it from the work queue.", c->id,
                       c->code, o->last_error[0] ? reason_len(o->last_error) : 15,
                       o->last_error[0] ? o->last_error : "no reason given");
    } else if (strcmp(o->status, HL7_OUT_INVALID) == 0) {
        t->invalid++;
        rc = add_issue(b->a, &b->disc, HL7_REC_INVALID, enc, c->id, o->created_at,
                       "Charge %s (%s) was not sent: %.*s. Fix it and resend it "
                       "from the work queue.", c->id, c->code,
                       o->last_error[0] ? reason_len(o->last_error) : 20,
                       o->last_error[0] ? o->last_error : "it failed validation");
    } else {
        /* pending (or, oddly, only resent rows): waiting for an ACK */
        char waited[48], tries[160] = "";
        duration(q->now_ms - o->created_at, waited);
        if (o->attempts > 0)
            snprintf(tries, sizeof tries, "; %" PRId64 " attempt%s so far%s%.*s",
                     o->attempts, o->attempts == 1 ? "" : "s",
                     o->last_error[0] ? ", last error: " : "",
                     reason_len(o->last_error) > 100 ? 100 : reason_len(o->last_error),
                     o->last_error);
        else
            snprintf(tries, sizeof tries, "; not sent yet");
        t->pending++;
        rc = add_issue(b->a, &b->disc, HL7_REC_PENDING, enc, c->id, o->created_at,
                       "Charge %s (%s) has waited %s for the practice-management "
                       "system's acknowledgment%s.", c->id, c->code, waited, tries);
    }
    if (rc == SW_OK && second)
        rc = add_issue(b->a, &b->disc, HL7_REC_QUEUED_TWICE, enc, c->id, second->created_at,
                       "Charge %s (%s) is queued %d times (outbox rows %s): the "
                       "practice-management system may post it twice.", c->id,
                       c->code, live, seq_list(b, rows, n, c->id, false));
    if (rc == SW_OK && second_ack)
        rc = add_issue(b->a, &b->disc, HL7_REC_ACKED_TWICE, enc, c->id,
                       second_ack->acked_at,
                       "The practice-management system acknowledged charge %s "
                       "(%s) %d times (outbox rows %s): check that it was not "
                       "posted twice.", c->id, c->code, acked,
                       seq_list(b, rows, n, c->id, true));
    t->discrepancies += (int64_t)(b->disc.n - before);
    return rc;
}

static int match_visit(build *b, hl7_rec_visit *v)
{
    int rc = read_visit_records(b, v);
    if (rc == SW_OK)
        rc = read_charges(b, v);
    out_row *rows = NULL;
    size_t n = 0;
    if (rc == SW_OK)
        rc = read_outbox(b, v, &rows, &n);
    if (rc != SW_OK)
        return rc;
    hl7_rec_totals t = { .visits = 1 };
    if (v->ncharges == 0) {
        char at[32];
        utc_minute(v->signed_at, at);
        rc = add_issue(b->a, &b->disc, HL7_REC_NO_CHARGES,
                       v->encounter_id[0] ? v->encounter_id : NULL, NULL, v->signed_at,
                       "Visit %s, signed by %s at %s, created no charges: bill it "
                       "from the note, or check that charge capture is live for "
                       "the signer.", v->encounter_id[0] ? v->encounter_id : v->note_id,
                       v->signer, at);
        t.discrepancies++;
    }
    for (size_t i = 0; rc == SW_OK && i < v->ncharges; i++)
        rc = match_charge(b, v, &v->charges[i], rows, n, &t);
    count(&b->r->totals, &t);
    int64_t d = v->day - b->r->query.from_day;
    if (d >= 0 && (size_t)d < b->r->ndays)
        count(&b->r->days[d].totals, &t);
    return rc;
}

/* ---- Alerts -------------------------------------------------------------------- */

/* COUNT(*) and MIN(created_at) of the rows sql selects. */
static int count_since(store_tx *tx, const char *sql, int64_t practice_id,
                       const char *status, int64_t bound, int64_t *n, int64_t *since)
{
    store_stmt *st;
    int rc = store_prepare(tx, sql, &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    *n = 0;
    *since = 0;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, status)) == SW_OK
        && (rc = store_bind_int64(st, 3, bound)) == SW_OK
        && (rc = store_step(st, &row)) == SW_OK && row) {
        *n = store_col_int64(st, 0);
        *since = store_col_null(st, 1) ? 0 : store_col_int64(st, 1);
    }
    store_finalize(st);
    return rc;
}

int hl7_reconcile_alerts(store_tx *tx, sw_arena *a, int64_t practice_id,
                         int64_t now_ms, int64_t alert_after_ms,
                         hl7_rec_issue **out, size_t *nout)
{
    issues list = { 0 };
    *out = NULL;
    *nout = 0;
    if (alert_after_ms <= 0)
        alert_after_ms = SW_HL7_ALERT_AFTER_MS;
    int64_t cutoff = now_ms - alert_after_ms;
    char after[48], at[32];
    duration(alert_after_ms, after);

    static const char waiting_sql[] =
        "SELECT COUNT(*), MIN(created_at) FROM hl7_outbox WHERE practice_id = ? "
        "AND status = ? AND created_at <= ?";
    int64_t pending, pending_since, old_pending, old_since, rejected, rej_since,
            invalid, inv_since, peers = 0, last_ack = 0;
    int rc = count_since(tx, waiting_sql, practice_id, HL7_OUT_PENDING, now_ms,
                         &pending, &pending_since);
    if (rc == SW_OK)
        rc = count_since(tx, waiting_sql, practice_id, HL7_OUT_PENDING, cutoff,
                         &old_pending, &old_since);
    if (rc == SW_OK)
        rc = count_since(tx, waiting_sql, practice_id, HL7_OUT_REJECTED, cutoff,
                         &rejected, &rej_since);
    if (rc == SW_OK)
        rc = count_since(tx, waiting_sql, practice_id, HL7_OUT_INVALID, cutoff,
                         &invalid, &inv_since);
    if (rc == SW_OK)
        rc = store_query_int64(tx, &peers, "SELECT COUNT(*) FROM hl7_peer WHERE "
                               "practice_id = ? AND send_host <> '' AND send_port > 0",
                               "i", practice_id);
    if (rc == SW_OK) {
        rc = store_query_int64(tx, &last_ack, "SELECT MAX(acked_at) FROM hl7_outbox "
                               "WHERE practice_id = ? AND status = 'acked'",
                               "i", practice_id);
        if (rc == SW_ENOTFOUND)
            rc = SW_OK;
    }
    if (rc != SW_OK)
        return rc;

    if (peers == 0 && pending > 0) {
        utc_minute(pending_since, at);
        rc = add_issue(a, &list, HL7_ALERT_NO_PEER, NULL, NULL, pending_since,
                       "No practice-management system is set up to receive "
                       "charges, and %" PRId64 " message%s %s waiting since %s: "
                       "set one with `stagewise interface peer --send-to`.",
                       pending, pending == 1 ? "" : "s", pending == 1 ? "is" : "are", at);
    }
    /* Unreachable: messages tried and still pending past the threshold,
     * none of which the peer acknowledged since the oldest of them was
     * queued (its first attempt follows its queueing at once). */
    if (rc == SW_OK && peers > 0) {
        store_stmt *st;
        rc = store_prepare(tx, "SELECT COUNT(*), MIN(created_at), MAX(attempts) "
                           "FROM hl7_outbox WHERE practice_id = ? AND status = "
                           "'pending' AND attempts > 0 AND created_at <= ? "
                           "AND created_at > ?", &st);
        bool row = false;
        int64_t n = 0, since = 0, tries = 0;
        if (rc == SW_OK) {
            if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
                && (rc = store_bind_int64(st, 2, cutoff)) == SW_OK
                && (rc = store_bind_int64(st, 3, last_ack)) == SW_OK
                && (rc = store_step(st, &row)) == SW_OK && row) {
                n = store_col_int64(st, 0);
                since = store_col_null(st, 1) ? 0 : store_col_int64(st, 1);
                tries = store_col_null(st, 2) ? 0 : store_col_int64(st, 2);
            }
            store_finalize(st);
        }
        if (rc == SW_OK && n > 0) {
            char gone[48];
            duration(now_ms - since, gone);
            utc_minute(since, at);
            rc = add_issue(a, &list, HL7_ALERT_UNREACHABLE, NULL, NULL, since,
                           "The practice-management system has not acknowledged "
                           "anything for %s (since %s): %" PRId64 " message%s "
                           "tried up to %" PRId64 " time%s %s still waiting.",
                           gone, at, n, n == 1 ? "" : "s", tries,
                           tries == 1 ? "" : "s", n == 1 ? "is" : "are");
        }
    }
    int64_t total = old_pending + rejected + invalid;
    if (rc == SW_OK && total > 0) {
        int64_t since = old_pending ? old_since : 0;
        if (rejected && (since == 0 || rej_since < since))
            since = rej_since;
        if (invalid && (since == 0 || inv_since < since))
            since = inv_since;
        utc_minute(since, at);
        rc = add_issue(a, &list, HL7_ALERT_UNACKED, NULL, NULL, since,
                       "%" PRId64 " charge message%s %s not been acknowledged by the "
                       "practice-management system for more than %s (%" PRId64
                       " waiting to be sent, %" PRId64 " rejected, %" PRId64
                       " invalid); the oldest since %s.", total,
                       total == 1 ? "" : "s", total == 1 ? "has" : "have", after,
                       old_pending, rejected, invalid, at);
    }
    if (rc == SW_OK) {
        *out = list.items;
        *nout = list.n;
    }
    return rc;
}

/* ---- The report ---------------------------------------------------------------- */

void hl7_reconcile_free(hl7_rec_report *r)
{
    if (r)
        sw_arena_destroy(r->arena);
}

int hl7_reconcile_tx(store_tx *tx, const hl7_rec_query *q, hl7_rec_report **out)
{
    *out = NULL;
    if (q->to_day < q->from_day)
        return store_tx_fail(tx, SW_EINVAL, "the range ends before it starts");
    if (q->to_day - q->from_day + 1 > HL7_RECONCILE_MAX_DAYS)
        return store_tx_fail(tx, SW_EINVAL, "a report covers at most %d days",
                             HL7_RECONCILE_MAX_DAYS);
    sw_arena *a = sw_arena_create(REPORT_ARENA_MAX);
    hl7_rec_report *r = a ? sw_arena_calloc(a, 1, sizeof *r) : NULL;
    if (r == NULL) {
        sw_arena_destroy(a);
        return SW_ENOMEM;
    }
    r->arena = a;
    r->query = *q;
    if (r->query.alert_after_ms <= 0)
        r->query.alert_after_ms = SW_HL7_ALERT_AFTER_MS;
    r->ndays = (size_t)(q->to_day - q->from_day + 1);
    r->days = sw_arena_calloc(a, r->ndays, sizeof *r->days);
    int rc = r->days ? SW_OK : SW_ENOMEM;
    for (size_t i = 0; rc == SW_OK && i < r->ndays; i++)
        r->days[i].day = q->from_day + (int64_t)i;
    build b = { .tx = tx, .a = a, .r = r };
    if (rc == SW_OK)
        rc = read_signatures(&b);
    for (size_t i = 0; rc == SW_OK && i < r->nvisits; i++)
        rc = match_visit(&b, &r->visits[i]);
    if (rc == SW_OK)
        rc = hl7_reconcile_alerts(tx, a, q->practice_id, q->now_ms,
                                  r->query.alert_after_ms, &r->alerts, &r->nalerts);
    if (rc != SW_OK) {
        hl7_reconcile_free(r);
        return rc;
    }
    r->discrepancies = b.disc.items;
    r->ndiscrepancies = b.disc.n;
    *out = r;
    return SW_OK;
}

struct read_ctx {
    const hl7_rec_query *q;
    hl7_rec_report      *r;
};

static int read_fn(store_tx *tx, void *arg)
{
    struct read_ctx *c = arg;
    hl7_reconcile_free(c->r);
    c->r = NULL;
    return hl7_reconcile_tx(tx, c->q, &c->r);
}

int hl7_reconcile(sw_store *s, const hl7_rec_query *q, hl7_rec_report **out,
                  sw_err *err)
{
    struct read_ctx c = { q, NULL };
    int rc = store_read(s, read_fn, &c, err);
    if (rc != SW_OK) {
        hl7_reconcile_free(c.r);
        c.r = NULL;
    }
    *out = c.r;
    return rc;
}

/* ---- JSON ---------------------------------------------------------------------- */

static json_t *time_json(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    char iso[SW_TIME_ISO_MAX];
    sw_time_iso(ms, iso);
    return json_string(iso);
}

static json_t *totals_json(json_t *o, const hl7_rec_totals *t)
{
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "visits", json_integer(t->visits));
    json_object_set_new(o, "charges", json_integer(t->charges));
    json_object_set_new(o, "queued", json_integer(t->queued));
    json_object_set_new(o, "acked", json_integer(t->acked));
    json_object_set_new(o, "pending", json_integer(t->pending));
    json_object_set_new(o, "rejected", json_integer(t->rejected));
    json_object_set_new(o, "invalid", json_integer(t->invalid));
    json_object_set_new(o, "not_queued", json_integer(t->not_queued));
    json_object_set_new(o, "discrepancies", json_integer(t->discrepancies));
    return o;
}

json_t *hl7_rec_issue_json(const hl7_rec_issue *i)
{
    json_t *o = json_pack("{s:s, s:s}", "kind", i->kind, "text", i->text);
    if (o == NULL)
        return NULL;
    if (strcmp(i->kind, HL7_ALERT_UNACKED) != 0 && strcmp(i->kind, HL7_ALERT_UNREACHABLE) != 0
        && strcmp(i->kind, HL7_ALERT_NO_PEER) != 0) {
        json_object_set_new(o, "encounter_id", i->encounter_id
                            ? json_string(i->encounter_id) : json_null());
        json_object_set_new(o, "charge_id", i->charge_id
                            ? json_string(i->charge_id) : json_null());
    }
    json_object_set_new(o, "since", time_json(i->since));
    return o;
}

static json_t *outbox_json(const hl7_rec_row *o)
{
    if (o == NULL)
        return json_null();
    return json_pack("{s:I, s:s, s:s, s:o, s:I, s:o, s:s?}",
                     "seq", (json_int_t)o->seq, "control_id", o->control_id,
                     "status", o->status, "acked_at", time_json(o->acked_at),
                     "attempts", (json_int_t)o->attempts,
                     "created_at", time_json(o->created_at),
                     "reason", o->last_error[0] ? o->last_error : NULL);
}

static json_t *visit_json(const hl7_rec_visit *v)
{
    json_t *charges = json_array();
    for (size_t i = 0; charges && i < v->ncharges; i++) {
        const hl7_rec_charge *c = &v->charges[i];
        json_array_append_new(charges, json_pack("{s:s, s:s, s:s, s:o}",
                              "id", c->id, "code", c->code, "status", c->status,
                              "outbox", outbox_json(c->outbox)));
    }
    return json_pack("{s:o, s:s, s:{s:s, s:o}, s:o, s:{s:s, s:s}, s:o}",
        "encounter_id", v->encounter_id[0] ? json_string(v->encounter_id) : json_null(),
        "note_id", v->note_id,
        "patient", "id", v->patient_id,
        "name", v->patient_name ? json_string(v->patient_name) : json_null(),
        "signed_at", time_json(v->signed_at),
        "signed_by", "username", v->signer, "display", v->signer_display,
        "charges", charges);
}

json_t *hl7_reconcile_json(const hl7_rec_report *r)
{
    char from[11], to[11];
    hl7_rec_format_day(r->query.from_day, from);
    hl7_rec_format_day(r->query.to_day, to);
    json_t *days = json_array(), *visits = json_array(), *disc = json_array(),
           *alerts = json_array();
    for (size_t i = 0; days && i < r->ndays; i++) {
        char d[11];
        hl7_rec_format_day(r->days[i].day, d);
        json_array_append_new(days, totals_json(json_pack("{s:s}", "date", d),
                                                &r->days[i].totals));
    }
    for (size_t i = 0; visits && i < r->nvisits; i++)
        json_array_append_new(visits, visit_json(&r->visits[i]));
    for (size_t i = 0; disc && i < r->ndiscrepancies; i++)
        json_array_append_new(disc, hl7_rec_issue_json(&r->discrepancies[i]));
    for (size_t i = 0; alerts && i < r->nalerts; i++)
        json_array_append_new(alerts, hl7_rec_issue_json(&r->alerts[i]));
    return json_pack("{s:s, s:s, s:o, s:I, s:o, s:o, s:o, s:o, s:o}",
                     "from", from, "to", to, "generated_at", time_json(r->query.now_ms),
                     "alert_after_minutes", (json_int_t)(r->query.alert_after_ms / 60000),
                     "totals", totals_json(json_object(), &r->totals),
                     "days", days, "visits", visits, "discrepancies", disc,
                     "alerts", alerts);
}
