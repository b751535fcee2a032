/* test_hl7_inbound.c - messages from the PMS taken into the store
 * (src/hl7/inbound.c, adt.c, siu.c), on each store, through
 * hl7_inbound_take on a store opened directly (the MLLP listener in front
 * of it is test_hl7_serve's business).
 *
 * Real ADT messages written by other projects (tests/data/hl7v2: v2.3,
 * v2.4 and v2.8, from three sources) create Patients with the fields their
 * PID and IN1 carry, or are answered AE naming the field that is wrong;
 * the same message twice gives one Patient and the same ACK; an A08
 * updates (empty keeps, "" removes, what the EHR added stays); A40 links
 * the merged patient to the survivor; SIU S12 -> S13 -> S14 -> S15 books,
 * reschedules, modifies and cancels one Appointment; content errors,
 * unsupported types, enhanced mode, a store that fails (AR, nothing
 * kept), the audit entries of the interface, and `stagewise interface
 * peer`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "fhir/resources.h"
#include "hl7/ack.h"
#include "hl7/inbound.h"
#include "hl7/message.h"
#include "hl7/peer.h"
#include "store/store.h"
#include "testdb.h"
#include "testserver.h"
#include "teststore.h"

#define PMS_ADDR "10.1.2.3"

typedef teststore fixture;

/* ---- Messages -------------------------------------------------------------- */

/* A file of tests/data/hl7v2 with every `from` replaced by `to` (a new
 * control id, a changed field); NULL from keeps it as it is. */
static char *data_msg(const char *file, const char *from, const char *to)
{
    char path[4096];
    const char *dir = getenv("STAGEWISE_TEST_DATA");
    snprintf(path, sizeof path, "%s/hl7v2/%s", dir ? dir : "tests/data", file);
    size_t len;
    char *text = sw_test_slurp(path, &len);
    if (text == NULL)
        fail_msg("cannot read %s", path);
    if (from == NULL)
        return text;
    size_t fl = strlen(from), tl = strlen(to), n = 0;
    for (const char *p = strstr(text, from); p; p = strstr(p + fl, from))
        n++;
    char *out = malloc(len + n * tl + 1), *o = out;
    const char *p = text, *q;
    while ((q = strstr(p, from)) != NULL) {
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, tl);
        o += tl;
        p = q + fl;
    }
    strcpy(o, p);
    free(text);
    return out;
}

typedef struct taken {
    hl7_inbound_result r;
    hl7_ack            ack;
    char              *raw;       /* the ACK's bytes */
    size_t             raw_len;
} taken;

static void taken_free(taken *t)
{
    free(t->raw);
}

static taken take(fixture *f, const char *msg)
{
    taken t;
    memset(&t, 0, sizeof t);
    sw_buf ack = SW_BUF_INIT(1 << 20);
    assert_int_equal(hl7_inbound_take(f->store, 1, PMS_ADDR, msg, strlen(msg),
                                      &ack, &t.r), SW_OK);
    sw_err err;
    if (hl7_ack_read(sw_buf_str(&ack), ack.len, &t.ack, &err) != SW_OK)
        fail_msg("the ACK does not read: %s", err.msg);
    assert_string_equal(t.ack.code, t.r.code);
    t.raw = sw_buf_detach(&ack, &t.raw_len);
    return t;
}

/* Takes msg and expects code; returns the patient id (or ""), freed by
 * the caller. */
static char *take_expect(fixture *f, const char *msg, const char *code)
{
    taken t = take(f, msg);
    if (strcmp(t.r.code, code) != 0)
        fail_msg("answered %s (%s), not %s", t.r.code, t.ack.text, code);
    char *id = strdup(t.r.patient_id);
    taken_free(&t);
    return id;
}

/* The ERR segment n of an ACK, parsed: ERR-2.1, ERR-2.3 and ERR-3.1. */
static void ack_err(const taken *t, size_t n, char seg[8], char field[8], char code[8])
{
    sw_arena *a = sw_arena_create(0);
    hl7_message *m;
    sw_err err;
    assert_int_equal(hl7_parse(a, t->raw, t->raw_len, &m, &err), SW_OK);
    const char *s = hl7_get(m, "ERR", n, 2, 1, 1, 1);
    const char *fl = hl7_get(m, "ERR", n, 2, 1, 3, 1);
    const char *c = hl7_get(m, "ERR", n, 3, 1, 1, 1);
    snprintf(seg, 8, "%s", s ? s : "");
    snprintf(field, 8, "%s", fl ? fl : "");
    snprintf(code, 8, "%s", c ? c : "");
    sw_arena_destroy(a);
}

static void expect_err(fixture *f, const char *msg, const char *ack_code,
                       const char *seg, const char *field, const char *code)
{
    taken t = take(f, msg);
    if (strcmp(t.r.code, ack_code) != 0)
        fail_msg("answered %s (%s), not %s", t.r.code, t.ack.text, ack_code);
    char s[8], fl[8], c[8];
    ack_err(&t, 1, s, fl, c);
    assert_string_equal(s, seg);
    assert_string_equal(fl, field);
    assert_string_equal(c, code);
    assert_string_equal(t.r.patient_id, "");
    taken_free(&t);
}

/* ---- The store, read directly ---------------------------------------------- */

struct q {
    const char *sql;
    const char *a1, *a2, *a3;
    int64_t     n;
    char        text[8192];
};

static int q_fn(store_tx *tx, void *arg)
{
    struct q *q = arg;
    store_stmt *st;
    int rc = store_prepare(tx, q->sql, &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    int i = 1;
    if (q->a1)
        store_bind_cstr(st, i++, q->a1);
    if (q->a2)
        store_bind_cstr(st, i++, q->a2);
    if (q->a3)
        store_bind_cstr(st, i++, q->a3);
    q->n = 0;
    q->text[0] = '\0';
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        if (q->n++ == 0 && store_col_count(st) > 0)
            snprintf(q->text, sizeof q->text, "%s", store_col_text(st, 0, NULL));
    }
    store_finalize(st);
    return rc;
}

/* Rows of sql (up to three text parameters) and the first column of the
 * first row. */
static int64_t query(fixture *f, struct q *q)
{
    sw_err err;
    if (store_read(f->store, q_fn, q, &err) != SW_OK)
        fail_msg("query: %s", sw_err_text(&err));
    return q->n;
}

static json_t *resource(fixture *f, const char *type, const char *id)
{
    struct q q = { .sql = "SELECT body FROM fhir_resource WHERE practice_id = 1 "
                          "AND res_type = ? AND res_id = ? AND deleted = 0",
                   .a1 = type, .a2 = id };
    if (query(f, &q) != 1)
        fail_msg("no %s/%s", type, id);
    json_t *doc = json_loads(q.text, 0, NULL);
    assert_non_null(doc);
    return doc;
}

static int64_t patients_with(fixture *f, const char *system, const char *value)
{
    struct q q = { .sql = "SELECT res_id FROM fhir_idx_token WHERE practice_id = 1 "
                          "AND res_type = 'Patient' AND param = 'identifier' "
                          "AND system = ? AND code = ?", .a1 = system, .a2 = value };
    return query(f, &q);
}

static int64_t count_of(fixture *f, const char *type)
{
    struct q q = { .sql = "SELECT res_id FROM fhir_resource WHERE practice_id = 1 "
                          "AND res_type = ? AND deleted = 0", .a1 = type };
    return query(f, &q);
}

static const char *jstr(json_t *doc, const char *path)
{
    /* "name.0.family": members and array indexes. */
    char buf[200];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *v = doc;
    for (char *tok = strtok(buf, "."); tok && v; tok = strtok(NULL, "."))
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(tok))
                             : json_object_get(v, tok);
    return json_string_value(v);
}

static void expect_str(json_t *doc, const char *path, const char *want)
{
    const char *got = jstr(doc, path);
    if (got == NULL || strcmp(got, want) != 0)
        fail_msg("%s is %s, not %s", path, got ? got : "(absent)", want);
}

static const char *inbound_status(fixture *f, const char *control_id, struct q *q)
{
    q->sql = "SELECT status FROM hl7_inbound WHERE practice_id = 1 AND control_id = ?";
    q->a1 = control_id;
    q->a2 = q->a3 = NULL;
    return query(f, q) == 1 ? q->text : "(none)";
}

/* ---- Tests ----------------------------------------------------------------- */

static void real_adt_messages(void **state)
{
    fixture *f = *state;
    /* v2.3 from Redox via microsoft/FHIR-Converter: BOM, LF, PID-3 with no
     * assigning authority. */
    char *msg = data_msg("ms-fhir-converter/ADT04-251.hl7", NULL, NULL);
    char *id = take_expect(f, msg, "AA");
    json_t *pt = resource(f, "Patient", id);
    expect_str(pt, "identifier.0.system", "urn:stagewise:pms:mrn");
    expect_str(pt, "identifier.0.value", "MRN12345");
    expect_str(pt, "identifier.0.type.coding.0.code", "MR");
    expect_str(pt, "name.0.family", "Doe");
    expect_str(pt, "name.0.given.0", "Jane");
    expect_str(pt, "birthDate", "1978-01-01");
    expect_str(pt, "gender", "female");
    assert_true(json_is_true(json_object_get(pt, "active")));
    json_decref(pt);
    free(id);
    free(msg);

    /* v2.8 with everything: two identifiers (one an SSN), two names,
     * address, phones, insurance. */
    msg = data_msg("ms-fhir-converter/ADT-A04-01.hl7", "MSG00001", "A04-01");
    id = take_expect(f, msg, "AA");
    pt = resource(f, "Patient", id);
    expect_str(pt, "identifier.0.system", "urn:stagewise:pms:test1");
    expect_str(pt, "identifier.0.value", "PATID1234");
    expect_str(pt, "identifier.1.system", "http://hl7.org/fhir/sid/us-ssn");
    expect_str(pt, "identifier.1.type.coding.0.code", "SS");
    expect_str(pt, "name.0.use", "usual");
    expect_str(pt, "name.0.family", "EVERYMAN");
    expect_str(pt, "name.0.given.0", "ADAM");
    expect_str(pt, "name.0.given.1", "A");
    expect_str(pt, "name.0.prefix.0", "Dr.");
    expect_str(pt, "name.0.suffix.0", "III");
    expect_str(pt, "name.1.use", "official");
    expect_str(pt, "name.1.family", "Josh");
    expect_str(pt, "birthDate", "1988-08-18");
    expect_str(pt, "gender", "male");
    expect_str(pt, "address.0.line.0", "1000");
    expect_str(pt, "address.0.city", "Ann Arbor");
    expect_str(pt, "address.0.state", "MI");
    expect_str(pt, "address.0.postalCode", "99999");
    expect_str(pt, "telecom.0.system", "phone");
    expect_str(pt, "telecom.0.use", "mobile");           /* PID-13 CP */
    expect_str(pt, "telecom.0.value", "78788788");
    json_decref(pt);
    char cov_id[100];
    snprintf(cov_id, sizeof cov_id, "%s-in1-1", id);
    json_t *cov = resource(f, "Coverage", cov_id);
    expect_str(cov, "status", "active");
    char ref[100];
    snprintf(ref, sizeof ref, "Patient/%s", id);
    expect_str(cov, "beneficiary.reference", ref);
    expect_str(cov, "payor.0.display", "Blue Cross Blue Shield of Texas");
    expect_str(cov, "payor.0.identifier.value", "IC-1.31");
    expect_str(cov, "relationship.coding.0.code", "spouse");
    expect_str(cov, "period.start", "1989-10-01");
    expect_str(cov, "period.end", "2050-10-01");
    expect_str(cov, "class.0.value", "BAV");
    json_decref(cov);
    free(msg);

    /* The same patient in an A28 and an A31 (same PID-3): updated, not
     * duplicated. */
    msg = data_msg("ms-fhir-converter/ADT-A28-02.hl7", "MSG00001", "A28-02");
    char *id2 = take_expect(f, msg, "AA");
    assert_string_equal(id2, id);
    free(id2);
    free(msg);
    msg = data_msg("ms-fhir-converter/ADT-A31-01.hl7", "MSG00001", "A31-01");
    id2 = take_expect(f, msg, "AA");
    assert_string_equal(id2, id);
    free(id2);
    free(msg);
    assert_int_equal(patients_with(f, "urn:stagewise:pms:test1", "PATID1234"), 1);
    free(id);

    /* node-hl7-client's v2.4 A04 has PID-8 "M-", not a code of table 0001. */
    msg = data_msg("node-hl7-client/adt.hl7", NULL, NULL);
    expect_err(f, msg, "AE", "PID", "8", "103");
    free(msg);
    assert_int_equal(patients_with(f, "urn:stagewise:pms:ADT1", "583295"), 0);
    struct q q;
    assert_string_equal(inbound_status(f, "103102", &q), "error");

    /* FHIR-Converter's v2.3 A04 has IN1 segments without any payer. */
    msg = data_msg("ms-fhir-converter/ADT04-23.hl7", NULL, NULL);
    expect_err(f, msg, "AE", "IN1", "3", "101");
    free(msg);
    assert_int_equal(patients_with(f, "urn:stagewise:pms:mrn", "123456789"), 0);
    assert_int_equal(count_of(f, "Patient"), 2);
}

static void same_message_twice(void **state)
{
    fixture *f = *state;
    static const char msg[] =
        "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124100000||ADT^A04^ADT_A01|TWICE1|P|2.5.1\r"
        "EVN|A04|20251124100000\r"
        "PID|1||T-100^^^CLINIC^MR||TWICE^TOM||19700202|M\r";
    taken a = take(f, msg), b = take(f, msg);
    assert_string_equal(a.r.code, "AA");
    assert_false(a.r.duplicate);
    assert_string_equal(b.r.code, "AA");
    assert_true(b.r.duplicate);
    assert_int_equal(a.raw_len, b.raw_len);
    assert_memory_equal(a.raw, b.raw, a.raw_len);
    assert_int_equal(patients_with(f, "urn:stagewise:pms:CLINIC", "T-100"), 1);
    struct q q = { .sql = "SELECT control_id FROM hl7_inbound WHERE practice_id = 1 "
                          "AND control_id = 'TWICE1'" };
    assert_int_equal(query(f, &q), 1);
    taken_free(&a);
    taken_free(&b);

    /* The same control id from another sender is another message. */
    char other[sizeof msg + 8];
    snprintf(other, sizeof other, "%s", msg);
    memcpy(strstr(other, "|PMS|") + 1, "XYZ", 3);
    taken c = take(f, other);
    assert_false(c.r.duplicate);
    taken_free(&c);
}

/* Adds a member to a stored resource's body, as an EHR user's edit. */
struct edit {
    const char *id;
};

static int edit_fn(store_tx *tx, void *arg)
{
    struct edit *e = arg;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT body FROM fhir_resource WHERE practice_id = 1 "
                           "AND res_type = 'Patient' AND res_id = ?", &st);
    bool row;
    json_t *doc = NULL;
    if (rc == SW_OK && store_bind_cstr(st, 1, e->id) == SW_OK
        && store_step(st, &row) == SW_OK && row)
        doc = json_loads(store_col_text(st, 0, NULL), 0, NULL);
    store_finalize(st);
    if (doc == NULL)
        return SW_EINTERNAL;
    json_object_set_new(doc, "maritalStatus", json_pack("{s:s}", "text", "Married"));
    char *body = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    rc = store_exec(tx, NULL, "UPDATE fhir_resource SET body = ? WHERE "
                    "practice_id = 1 AND res_type = 'Patient' AND res_id = ?",
                    "tt", body, e->id);
    free(body);
    return rc;
}

static void a08_updates(void **state)
{
    fixture *f = *state;
    static const char a04[] =
        "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124100000||ADT^A04|UPD1|P|2.5.1\r"
        "PID|1||U-1^^^CLINIC^MR||SMITH^ANNA^B||19900315|F|||1 Elm St^Apt 2^Springfield^IL^62701^USA^H"
        "||^PRN^PH^^^217^5550101|^WPN^PH^^^217^5550199\r";
    char *id = take_expect(f, a04, "AA");
    json_t *pt = resource(f, "Patient", id);
    expect_str(pt, "telecom.0.value", "(217) 555-0101");
    expect_str(pt, "telecom.0.use", "home");
    expect_str(pt, "telecom.1.value", "(217) 555-0199");
    expect_str(pt, "telecom.1.use", "work");
    expect_str(pt, "address.0.use", "home");
    expect_str(pt, "address.0.line.1", "Apt 2");
    json_decref(pt);
    struct edit e = { .id = id };
    sw_err err;
    assert_int_equal(store_write(f->store, edit_fn, &e, &err), SW_OK);

    /* A new family name, the birth date left empty (kept), the home phone
     * "" (removed), the work phone left as is. */
    static const char a08[] =
        "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124110000||ADT^A08|UPD2|P|2.5.1\r"
        "PID|1||U-1^^^CLINIC^MR||JONES^ANNA^B|||F|||\"\"||\"\"\r";
    char *id2 = take_expect(f, a08, "AA");
    assert_string_equal(id2, id);
    pt = resource(f, "Patient", id);
    expect_str(pt, "name.0.family", "JONES");
    expect_str(pt, "birthDate", "1990-03-15");
    expect_str(pt, "maritalStatus.text", "Married");
    assert_null(json_object_get(pt, "address"));
    assert_int_equal(json_array_size(json_object_get(pt, "telecom")), 1);
    expect_str(pt, "telecom.0.use", "work");
    expect_str(pt, "meta.versionId", "2");
    json_decref(pt);
    free(id2);
    free(id);

    /* An A08 for a patient never registered creates it. */
    static const char unknown[] =
        "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124110000||ADT^A08|UPD3|P|2.5.1\r"
        "PID|1||U-2^^^CLINIC^MR||NEW^NED||2001|U\r";
    id = take_expect(f, unknown, "AA");
    pt = resource(f, "Patient", id);
    expect_str(pt, "birthDate", "2001");
    expect_str(pt, "gender", "unknown");
    json_decref(pt);
    free(id);
}

static void a40_merge(void **state)
{
    fixture *f = *state;
    char *keep = take_expect(f,
        "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124100000||ADT^A04|MRG1|P|2.5.1\r"
        "PID|1||K-1^^^CLINIC^MR||KEEP^KIM||19800101|F\r", "AA");
    char *gone = take_expect(f,
        "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124100000||ADT^A04|MRG2|P|2.5.1\r"
        "PID|1||K-2^^^CLINIC^MR||KEEP^KIM||19800101|F\r", "AA");
    char *got = take_expect(f,
        "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124120000||ADT^A40^ADT_A39|MRG3|P|2.5.1\r"
        "EVN|A40|20251124120000\r"
        "PID|1||K-1^^^CLINIC^MR||KEEP^KIM\r"
        "MRG|K-2^^^CLINIC^MR\r", "AA");
    assert_string_equal(got, keep);
    char ref[100];
    json_t *g = resource(f, "Patient", gone);
    assert_true(json_is_false(json_object_get(g, "active")));
    snprintf(ref, sizeof ref, "Patient/%s", keep);
    expect_str(g, "link.0.other.reference", ref);
    expect_str(g, "link.0.type", "replaced-by");
    json_decref(g);
    json_t *k = resource(f, "Patient", keep);
    snprintf(ref, sizeof ref, "Patient/%s", gone);
    expect_str(k, "link.0.other.reference", ref);
    expect_str(k, "link.0.type", "replaces");
    assert_true(json_is_true(json_object_get(k, "active")));
    json_decref(k);
    free(got);
    free(keep);
    free(gone);

    /* MRG-1 naming no one we know. */
    expect_err(f,
        "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124120000||ADT^A40|MRG4|P|2.5.1\r"
        "PID|1||K-1^^^CLINIC^MR\r"
        "MRG|NOBODY^^^CLINIC^MR\r", "AE", "MRG", "1", "204");
}

/* A Practitioner with NPI 1210, as the EHR would have it. */
static char *practitioner(fixture *f)
{
    static const char body[] = "{\"resourceType\":\"Practitioner\",\"identifier\":"
        "[{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1210\"}],"
        "\"name\":[{\"family\":\"Ge\",\"given\":[\"Robert\"]}]}";
    sw_arena *a = sw_arena_create(0);
    sw_json *res;
    sw_err err;
    assert_int_equal(sw_json_parse(a, body, strlen(body), &res, &err), SW_OK);
    audit_who who = { .practice_id = 1, .username = "test", .roles = "",
                      .client = "test", .request_id = "" };
    fhir_result out;
    assert_int_equal(fhir_res_create(f->store, a, &who, "Practitioner", res, NULL,
                                     &out, &err), SW_OK);
    char *id = strdup(out.id);
    sw_arena_destroy(a);
    return id;
}

static char *only_appointment(fixture *f)
{
    struct q q = { .sql = "SELECT res_id FROM fhir_resource WHERE practice_id = 1 "
                          "AND res_type = 'Appointment'" };
    assert_int_equal(query(f, &q), 1);
    return strdup(q.text);
}

static void siu_lifecycle(void **state)
{
    fixture *f = *state;
    char *doc_id = practitioner(f);
    /* The patient the SIU files name, registered first. */
    char *msg = data_msg("ms-fhir-converter/ADT-A04-02.hl7", "MSG00001", "SIU-PT");
    char *patient = take_expect(f, msg, "AA");
    free(msg);

    /* S12: booked, with TQ1's start and end, the practitioner found by
     * NPI, the room as the location, SCH-7 and SCH-8. */
    msg = data_msg("ms-fhir-converter/SIU-S12-01.hl7", NULL, NULL);
    free(take_expect(f, msg, "AA"));
    free(msg);
    char *appt = only_appointment(f);
    json_t *ap = resource(f, "Appointment", appt);
    char ref[100];
    expect_str(ap, "status", "booked");
    expect_str(ap, "start", "2021-09-24T09:30:00+02:15");
    expect_str(ap, "end", "2021-09-24T10:20:00+02:15");
    assert_int_equal(json_integer_value(json_object_get(ap, "minutesDuration")), 50);
    expect_str(ap, "identifier.0.value", "36996");
    snprintf(ref, sizeof ref, "Patient/%s", patient);
    expect_str(ap, "participant.0.actor.reference", ref);
    snprintf(ref, sizeof ref, "Practitioner/%s", doc_id);
    expect_str(ap, "participant.1.actor.reference", ref);
    expect_str(ap, "participant.2.actor.display", "055, Room01, GH Clinic");
    expect_str(ap, "reasonCode.0.text", "EMERGENCY");
    expect_str(ap, "appointmentType.text", "Normal");
    json_decref(ap);

    /* S13: rescheduled to the next afternoon. */
    msg = data_msg("ms-fhir-converter/SIU-S13-01.hl7",
                   "20210924093000+0215|20210924102000+0215",
                   "20210925140000+0215|20210925144500+0215");
    free(take_expect(f, msg, "AA"));
    free(msg);
    char *same = only_appointment(f);
    assert_string_equal(same, appt);
    free(same);
    ap = resource(f, "Appointment", appt);
    expect_str(ap, "start", "2021-09-25T14:00:00+02:15");
    expect_str(ap, "end", "2021-09-25T14:45:00+02:15");
    expect_str(ap, "status", "booked");
    json_decref(ap);

    /* S14: the reason changes. */
    msg = data_msg("ms-fhir-converter/SIU-S13-01.hl7", "|Add|EMERGENCY|", "|Add|FOLLOWUP|");
    char *s14 = strdup(msg);
    free(msg);
    memcpy(strstr(s14, "SIU^S13^SIU_S13|MSG00013"), "SIU^S14^SIU_S14|MSG00014", 24);
    free(take_expect(f, s14, "AA"));
    free(s14);
    ap = resource(f, "Appointment", appt);
    expect_str(ap, "reasonCode.0.text", "FOLLOWUP");
    expect_str(ap, "start", "2021-09-24T09:30:00+02:15");
    json_decref(ap);

    /* S15: cancelled; still one appointment. */
    msg = data_msg("ms-fhir-converter/SIU-S15-01.hl7", NULL, NULL);
    free(take_expect(f, msg, "AA"));
    free(msg);
    same = only_appointment(f);
    free(same);
    ap = resource(f, "Appointment", appt);
    expect_str(ap, "status", "cancelled");
    json_decref(ap);

    /* A patient we never registered: AE naming PID-3. */
    msg = data_msg("ms-fhir-converter/SIU-S12-01.hl7", "PATID1234", "NOSUCH");
    char *m2 = strdup(msg);
    free(msg);
    memcpy(strstr(m2, "MSG00012"), "MSG99912", 8);
    expect_err(f, m2, "AE", "PID", "3", "204");
    free(m2);
    free(appt);
    free(patient);
    free(doc_id);
}

static void content_errors(void **state)
{
    fixture *f = *state;
    expect_err(f, "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124||ADT^A04|BAD1|P|2.5.1\r"
               "PID|1||B-1^^^CLINIC^MR||BAD^BIRTH||19991340|F\r", "AE", "PID", "7", "102");
    expect_err(f, "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124||ADT^A04|BAD2|P|2.5.1\r"
               "PID|1||||NO^ID||19990101|F\r", "AE", "PID", "3", "101");
    expect_err(f, "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124||ADT^A04|BAD3|P|2.5.1\r"
               "PID|1||B-3^^^CLINIC^MR||BAD^SEX||19990101|X\r", "AE", "PID", "8", "103");
    assert_int_equal(patients_with(f, "urn:stagewise:pms:CLINIC", "B-1"), 0);
    assert_int_equal(patients_with(f, "urn:stagewise:pms:CLINIC", "B-3"), 0);
    struct q q;
    assert_string_equal(inbound_status(f, "BAD1", &q), "error");
    /* Sent again: the same AE, from the store. */
    taken t = take(f, "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124||ADT^A04|BAD1|P|2.5.1\r"
                      "PID|1||B-1^^^CLINIC^MR||BAD^BIRTH||19991340|F\r");
    assert_true(t.r.duplicate);
    assert_string_equal(t.r.code, "AE");
    assert_non_null(strstr(t.ack.text, "PID-7"));
    taken_free(&t);

    /* Does not parse, but names its control id: AE; names none: AR. */
    t = take(f, "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124||ADT^A04|BAD4|P|2.5.1\r"
                "pid|1\r");
    assert_string_equal(t.r.code, "AE");
    assert_string_equal(t.ack.control_id, "BAD4");
    taken_free(&t);
    t = take(f, "this is not HL7");
    assert_string_equal(t.r.code, "AR");
    taken_free(&t);
    /* No MSH-10. */
    expect_err(f, "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124||ADT^A04||P|2.5.1\r"
               "PID|1||B-5^^^CLINIC^MR||X^Y\r", "AE", "MSH", "10", "101");
}

static void unsupported_types(void **state)
{
    fixture *f = *state;
    /* A lab result: not a message type the interface takes. Its sender
     * asks for enhanced mode (MSH-15 AL), so the rejection is CR. */
    char *msg = data_msg("ms-fhir-converter/ORU-R01-01.hl7", NULL, NULL);
    taken t = take(f, msg);
    assert_string_equal(t.r.code, "CR");
    char s[8], fl[8], c[8];
    ack_err(&t, 1, s, fl, c);
    assert_string_equal(s, "MSH");
    assert_string_equal(fl, "9");
    assert_string_equal(c, "200");
    taken_free(&t);
    /* Stored, so the same message again gets the same answer. */
    t = take(f, msg);
    assert_true(t.r.duplicate);
    assert_string_equal(t.r.code, "CR");
    taken_free(&t);
    free(msg);
    /* An ADT event we do not take (A01, an admission). */
    msg = data_msg("ms-fhir-converter/ADT01-23.hl7", NULL, NULL);
    t = take(f, msg);
    assert_string_equal(t.r.code, "AR");
    ack_err(&t, 1, s, fl, c);
    assert_string_equal(c, "201");
    taken_free(&t);
    free(msg);
    assert_int_equal(count_of(f, "Patient"), 0);
}

static void enhanced_mode(void **state)
{
    fixture *f = *state;
    char *id = take_expect(f,
        "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124||ADT^A04|ENH1|P|2.5.1|||AL|NE\r"
        "PID|1||E-1^^^CLINIC^MR||ENH^ANCED||19990101|F\r", "CA");
    assert_string_not_equal(id, "");
    free(id);
    expect_err(f, "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124||ADT^A04|ENH2|P|2.5.1|||AL|NE\r"
               "PID|1||E-2^^^CLINIC^MR||ENH^ANCED||1999XX01|F\r", "CE", "PID", "7", "102");
}

static void audited_as_the_interface(void **state)
{
    fixture *f = *state;
    char *id = take_expect(f,
        "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124||ADT^A04|AUD1|P|2.5.1\r"
        "PID|1||A-1^^^CLINIC^MR||AUDIT^ED||19990101|M\r", "AA");
    struct q q = { .sql = "SELECT username FROM audit_log WHERE practice_id = 1 "
                          "AND res_type = 'Patient' AND res_id = ? AND action = 'create' "
                          "AND client = ? AND roles = 'interface' AND user_id = 0",
                   .a1 = id, .a2 = PMS_ADDR };
    assert_int_equal(query(f, &q), 1);
    assert_string_equal(q.text, "hl7:pms");
    free(id);
}

static int drop_fn(store_tx *tx, void *arg)
{
    (void)arg;
    return store_exec(tx, NULL, "DROP TABLE hl7_inbound", "");
}

static void store_failure_is_ar(void **state)
{
    fixture *f = *state;
    /* The inbound log cannot be written: nothing of the message may stay. */
    sw_err err;
    assert_int_equal(store_write(f->store, drop_fn, NULL, &err), SW_OK);
    taken t = take(f, "MSH|^~\\&|PMS|CLINIC|STAGEWISE|P1|20251124||ADT^A04|DOWN1|P|2.5.1\r"
                      "PID|1||D-1^^^CLINIC^MR||DOWN^DAN||19990101|M\r");
    assert_string_equal(t.r.code, "AR");
    assert_string_equal(t.ack.control_id, "DOWN1");
    assert_non_null(strstr(t.ack.text, "cannot store messages right now"));
    taken_free(&t);
    assert_int_equal(count_of(f, "Patient"), 0);
}

static void peer_command(void **state)
{
    fixture *f = *state;
    char *out = NULL, *err = NULL;
    const char *set[] = { "interface", "peer", "--db", f->db, "--allow",
                          "127.0.0.1, 0:0::1", "--send-to", "127.0.0.1:2575",
                          "--processing-id", "T", "--facility", "CLINIC-EHR", NULL };
    assert_int_equal(sw_test_run(set, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "allow          127.0.0.1,::1"));
    assert_non_null(strstr(out, "send-to        127.0.0.1:2575"));
    free(out);
    free(err);
    const char *show[] = { "interface", "peer", "--db", f->db, "--show", NULL };
    assert_int_equal(sw_test_run(show, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "processing-id  T"));
    assert_non_null(strstr(out, "facility       CLINIC-EHR"));
    free(out);
    free(err);
    const char *bad[] = { "interface", "peer", "--db", f->db, "--allow",
                          "10.0.0.300", NULL };
    assert_int_equal(sw_test_run(bad, NULL, &out, &err), 2);
    assert_non_null(strstr(err, "'10.0.0.300' is not an IPv4 or IPv6 address"));
    free(out);
    free(err);
    const char *bad_pid[] = { "interface", "peer", "--db", f->db,
                              "--processing-id", "D", NULL };
    assert_int_equal(sw_test_run(bad_pid, NULL, &out, &err), 2);
    free(out);
    free(err);

    hl7_peer *peers;
    size_t n;
    sw_err e;
    assert_int_equal(hl7_peer_all(f->store, &peers, &n, &e), SW_OK);
    assert_int_equal(n, 1);
    assert_int_equal(peers[0].naddresses, 2);
    assert_int_equal(peers[0].send_port, 2575);
    assert_string_equal(peers[0].processing_id, "T");
    assert_int_equal(hl7_peer_practice_for(peers, n, "::1"), 1);
    assert_int_equal(hl7_peer_practice_for(peers, n, "::ffff:127.0.0.1"), 1);
    assert_int_equal(hl7_peer_practice_for(peers, n, "10.9.9.9"), 0);
    sw_free(peers);
    struct q q = { .sql = "SELECT username FROM audit_log WHERE practice_id = 1 "
                          "AND feature = 'interface.peer' AND action = 'permission_change'" };
    assert_int_equal(query(f, &q), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(real_adt_messages, teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(same_message_twice, teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(a08_updates, teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(a40_merge, teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(siu_lifecycle, teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(content_errors, teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(unsupported_types, teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(enhanced_mode, teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(audited_as_the_interface, teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(store_failure_is_ar, teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(peer_command, teststore_setup, teststore_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
