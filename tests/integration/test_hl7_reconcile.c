/* test_hl7_reconcile.c - the interface's reconciliation report against the
 * real server, on each store: visits signed through /api (walk-in, note,
 * coding, signature), their charges put in every state the outbox knows
 * (acknowledged, pending for a while, rejected by the PMS with its reason,
 * invalid with ours, never queued, queued twice and acknowledged twice),
 * and a visit signed while charge capture is not live, so it has no
 * charges. Then GET /api/interface/reconcile must count each and list each
 * discrepancy in a sentence; its alerts must say no PMS is set up, then
 * (with one set up) that it is unreachable, and that charges wait past the
 * threshold; billers and physicians read it, the front desk does not; bad
 * dates and thresholds are 400s naming the parameter; reading it is
 * audited. `stagewise interface reconcile` exits 0 with nothing to report,
 * 1 with discrepancies, 2 on bad usage, shows patient ids unless --names.
 *
 * Signing queues each visit's charges in the real outbox (invalid here:
 * the test's physician has no NPI). The states only a PMS can drive rows
 * into (acknowledged, rejected, pending after attempts, doubled) are the
 * delivery tests' business; here those visits' rows are replaced, with SQL
 * through the store API, by rows in the state each case needs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "store/store.h"
#include "testapi.h"
#include "testpms.h"
#include "testvisits.h"

#define MIN_MS (60LL * 1000)
#define DAY_MS (24LL * 3600 * 1000)

/* ---- Visits through the API ---------------------------------------------- */

/* Opens, writes, codes (one procedure per code in cpts) and signs a visit
 * of patient; the charge ids go to charges (up to 4). The encounter id. */
static char *signed_visit(sw_test_env *e, const char *patient, const char *cpts[],
                          size_t ncpts, char charges[][80], size_t *ncharges)
{
    char body[512];
    size_t used = (size_t)snprintf(body, sizeof body, "{\"diagnoses\":[{\"code\":"
                                   "\"J20.9\"}],\"procedures\":[");
    for (size_t i = 0; i < ncpts; i++)
        used += (size_t)snprintf(body + used, sizeof body - used,
                                 "%s{\"code\":\"%s\",\"diagnoses\":[1]}",
                                 i ? "," : "", cpts[i]);
    snprintf(body + used, sizeof body - used, "]}");
    return testvisits_sign(e, e->auth, patient, body, charges, 4, ncharges);
}

/* ---- The outbox, by SQL ---------------------------------------------------- */

typedef struct out_row {
    const char *patient, *encounter, *charge_ids, *status, *error;
    int64_t     attempts, created_at, sent_at, acked_at;
    bool        drop_first;   /* delete the encounter's rows before */
} out_row;

static int put_fn(store_tx *tx, void *arg)
{
    const out_row *r = arg;
    int rc = SW_OK;
    if (r->drop_first)
        rc = store_exec(tx, NULL, "DELETE FROM hl7_outbox WHERE practice_id = 1 "
                        "AND encounter_id = ?", "t", r->encounter);
    if (r->status == NULL)
        return rc;
    int64_t seq = 0;
    if (rc == SW_OK)
        rc = store_query_int64(tx, &seq, "SELECT COALESCE(MAX(seq), 0) + 1 FROM "
                               "hl7_outbox WHERE practice_id = 1", "");
    char control[40];
    snprintf(control, sizeof control, "RECTEST%" PRId64, seq);
    if (rc == SW_OK)
        rc = store_exec(tx, NULL,
            "INSERT INTO hl7_outbox (practice_id, seq, control_id, patient_id, "
            "encounter_id, kind, charge_ids, body, status, attempts, next_at, "
            "last_error, ack_code, created_at, sent_at, acked_at, replaced_by) "
            "VALUES (1, ?, ?, ?, ?, 'charge', ?, 'MSH|^~\\&|', ?, ?, 0, ?, ?, ?, ?, ?, 0)",
            "itttttittiii", seq, control, r->patient, r->encounter, r->charge_ids,
            r->status, r->attempts, r->error ? r->error : "",
            strcmp(r->status, "acked") == 0 ? "AA"
                : strcmp(r->status, "rejected") == 0 ? "AE" : "",
            r->created_at, r->sent_at, r->acked_at);
    return rc;
}

static void outbox(sw_store *s, const out_row *r)
{
    sw_err err;
    if (store_write(s, put_fn, (void *)r, &err) != SW_OK)
        fail_msg("writing the outbox: %s", sw_err_text(&err));
}

static int peer_fn(store_tx *tx, void *arg)
{
    (void)arg;
    /* Port 9 (discard) on loopback: nothing answers there. */
    return store_exec(tx, NULL, "INSERT INTO hl7_peer (practice_id, addresses, "
                      "send_host, send_port, processing_id, facility, updated_at) "
                      "VALUES (1, '127.0.0.1', '127.0.0.1', 9, 'T', '', ?)", "i",
                      sw_now_wall_ms());
}

/* ---- Helpers on the answer -------------------------------------------------- */

static json_int_t total(json_t *doc, const char *name)
{
    return json_integer_value(json_object_get(json_object_get(doc, "totals"), name));
}

/* The discrepancy of kind about charge (or the visit, charge NULL). */
static json_t *discrepancy(json_t *doc, const char *kind, const char *encounter,
                           const char *charge)
{
    json_t *d;
    size_t i;
    json_array_foreach(json_object_get(doc, "discrepancies"), i, d) {
        const char *c = sw_test_str(d, "charge_id"), *enc = sw_test_str(d, "encounter_id");
        if (strcmp(sw_test_str(d, "kind"), kind) == 0 && enc && strcmp(enc, encounter) == 0
            && (charge == NULL ? c == NULL : c && strcmp(c, charge) == 0))
            return d;
    }
    char *text = json_dumps(doc, JSON_INDENT(1));
    fail_msg("no %s discrepancy for %s/%s in %s", kind, encounter,
             charge ? charge : "-", text);
    return NULL;
}

static json_t *alert(json_t *doc, const char *kind)
{
    json_t *a;
    size_t i;
    json_array_foreach(json_object_get(doc, "alerts"), i, a)
        if (strcmp(sw_test_str(a, "kind"), kind) == 0)
            return a;
    return NULL;
}

static void day_string(int64_t ms, char out[16])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static int cli(sw_test_env *e, char **out, const char *a1, const char *a2,
               const char *a3, const char *a4)
{
    char db[4200];
    snprintf(db, sizeof db, "%s", e->db);
    const char *args[] = { "interface", "reconcile", "--db", db, a1, a2, a3, a4, NULL };
    char *err = NULL;
    int status = sw_test_run(args, NULL, out, &err);
    if (status < 0 || status > 2)
        fail_msg("stagewise interface reconcile exited %d: %s", status, err ? err : "");
    free(err);
    return status;
}

/* ---- The test --------------------------------------------------------------- */

static void every_state_reconciled(void **state)
{
    sw_test_env *e = *state;
    int64_t now = sw_now_wall_ms();
    char today[16], yesterday[16], path[256];
    json_t *doc;
    day_string(now, today);
    day_string(now - DAY_MS, yesterday);

    /* Nothing signed yet: the command has nothing to report. */
    char *out = NULL;
    assert_int_equal(cli(e, &out, "--date", today, NULL, NULL), 0);
    assert_non_null(strstr(out, "No discrepancies."));
    free(out);

    sw_test_patient(e, "p1", "Ana", "Rivera", "1970-05-01");
    sw_test_patient(e, "p2", "Ben", "Okafor", "1982-02-11");
    static const char *two[] = { "99213", "87880" }, *one[] = { "99212" };
    char ca[4][80], cb[4][80], cc[4][80], cd[4][80], ce[4][80], cf[4][80];
    size_t na, nb, nc, nd, ne, nf;
    char *a = signed_visit(e, "p1", two, 2, ca, &na);   /* acked + pending */
    char *b = signed_visit(e, "p2", one, 1, cb, &nb);   /* rejected */
    char *c = signed_visit(e, "p1", one, 1, cc, &nc);   /* invalid */
    char *d = signed_visit(e, "p2", one, 1, cd, &nd);   /* never queued */
    char *x = signed_visit(e, "p2", one, 1, ce, &ne);   /* doubled */
    assert_int_equal(na, 2);
    assert_true(nb == 1 && nc == 1 && nd == 1 && ne == 1);

    /* As signed: every charge queued in the signature's transaction, the
     * rows pending or, since dr.test has no Practitioner with an NPI,
     * invalid with the reason (the real outbox). */
    char biller[512];
    sw_test_sign_in_new_user(e, "biller.b", "biller", biller, sizeof biller);
    snprintf(path, sizeof path, "/api/interface/reconcile?from=%s&to=%s", yesterday, today);
    doc = sw_test_get_json(e, biller, path);
    assert_int_equal(total(doc, "visits"), 5);
    assert_int_equal(total(doc, "charges"), 6);
    assert_int_equal(total(doc, "queued"), 6);
    assert_int_equal(total(doc, "not_queued"), 0);
    assert_int_equal(total(doc, "pending") + total(doc, "invalid"), 6);
    json_decref(doc);

    /* Then each visit's rows as the case needs (C's stays as queued). */
    sw_store *s = testpms_open_store(e);
    int64_t long_ago = now - 30 * MIN_MS, hour_ago = now - 60 * MIN_MS;
    outbox(s, &(out_row){ "p1", a, ca[0], "acked", NULL, 1, hour_ago, hour_ago,
                          hour_ago, true });
    outbox(s, &(out_row){ "p1", a, ca[1], "pending", "connection refused", 3,
                          long_ago, long_ago, 0, false });
    outbox(s, &(out_row){ "p2", b, cb[0], "rejected", "PID-3: patient not known",
                          1, now, now, 0, true });
    outbox(s, &(out_row){ "p2", d, NULL, NULL, NULL, 0, 0, 0, 0, true });
    outbox(s, &(out_row){ "p2", x, ce[0], "acked", NULL, 1, hour_ago, hour_ago,
                          hour_ago, true });
    outbox(s, &(out_row){ "p2", x, ce[0], "acked", NULL, 1, hour_ago, hour_ago,
                          hour_ago, false });

    /* A plan with the visit workflow live for everyone and no charge capture:
     * the next visit signed makes no charges. */
    char lead[512];
    sw_test_sign_in_new_user(e, "lead.l", "implementation_lead", lead, sizeof lead);
    assert_int_equal(sw_test_call(e, lead, "PUT", "/api/plan", "{\"version\":0,"
        "\"comment\":\"chart first\",\"plan\":{\"stages\":[{\"id\":\"chart\","
        "\"name\":\"Chart\",\"target_date\":\"2027-03-01\",\"modules\":["
        "\"registration\",\"scheduling\",\"documentation\"],\"cohort\":{\"kind\":\"everyone\"}}]}}",
        &doc), 200);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, lead, "POST", "/api/plan/stages/chart/go-live",
                                  "{\"force\":true,\"reason\":\"reconcile test\"}",
                                  &doc), 200);
    json_decref(doc);
    char *f = signed_visit(e, "p1", one, 1, cf, &nf);
    assert_int_equal(nf, 0);

    /* The biller reads the report of yesterday and today again. */
    snprintf(path, sizeof path, "/api/interface/reconcile?from=%s&to=%s&alert_after=10",
             yesterday, today);
    doc = sw_test_get_json(e, biller, path);
    assert_string_equal(sw_test_str(doc, "from"), yesterday);
    assert_string_equal(sw_test_str(doc, "to"), today);
    assert_int_equal(json_array_size(json_object_get(doc, "days")), 2);
    assert_int_equal(total(doc, "visits"), 6);
    assert_int_equal(total(doc, "charges"), 6);
    assert_int_equal(total(doc, "queued"), 5);
    assert_int_equal(total(doc, "acked"), 2);
    assert_int_equal(total(doc, "pending"), 1);
    assert_int_equal(total(doc, "rejected"), 1);
    assert_int_equal(total(doc, "invalid"), 1);
    assert_int_equal(total(doc, "not_queued"), 1);
    assert_int_equal(total(doc, "discrepancies"), 7);
    assert_int_equal(json_array_size(json_object_get(doc, "discrepancies")), 7);
    json_t *days = json_object_get(doc, "days");
    json_int_t visits = 0;
    for (size_t i = 0; i < 2; i++)
        visits += json_integer_value(json_object_get(json_array_get(days, i), "visits"));
    assert_int_equal(visits, 6);

    /* Each discrepancy, in a sentence. */
    json_t *p = discrepancy(doc, "pending", a, ca[1]);
    assert_non_null(strstr(sw_test_str(p, "text"), " minutes for the"));
    assert_non_null(strstr(sw_test_str(p, "text"), "3 attempts"));
    assert_non_null(strstr(sw_test_str(p, "text"), "connection refused"));
    assert_non_null(strstr(sw_test_str(discrepancy(doc, "rejected", b, cb[0]), "text"),
                           "PID-3: patient not known"));
    assert_non_null(strstr(sw_test_str(discrepancy(doc, "invalid", c, cc[0]), "text"),
                           "NPI"));
    assert_non_null(strstr(sw_test_str(discrepancy(doc, "not_queued", d, cd[0]), "text"),
                           "never queued"));
    assert_non_null(strstr(sw_test_str(discrepancy(doc, "queued_twice", x, ce[0]), "text"),
                           "2 times"));
    assert_non_null(strstr(sw_test_str(discrepancy(doc, "acked_twice", x, ce[0]), "text"),
                           "2 times"));
    assert_non_null(strstr(sw_test_str(discrepancy(doc, "no_charges", f, NULL), "text"),
                           "no charges"));

    /* The visits, with their patient, signer and charges' outbox rows. */
    json_t *v;
    size_t i;
    bool seen_a = false;
    json_array_foreach(json_object_get(doc, "visits"), i, v) {
        if (strcmp(sw_test_str(v, "encounter_id"), a) != 0)
            continue;
        seen_a = true;
        assert_string_equal(sw_test_str(v, "patient.id"), "p1");
        assert_string_equal(sw_test_str(v, "patient.name"), "Ana Rivera");
        assert_string_equal(sw_test_str(v, "signed_by.username"), SW_TEST_CLINICIAN);
        assert_non_null(sw_test_str(v, "signed_at"));
        json_t *ch = json_object_get(v, "charges");
        assert_int_equal(json_array_size(ch), 2);
        for (size_t k = 0; k < 2; k++) {
            json_t *one_charge = json_array_get(ch, k);
            bool acked = strcmp(sw_test_str(one_charge, "id"), ca[0]) == 0;
            assert_string_equal(sw_test_str(one_charge, "outbox.status"),
                                acked ? "acked" : "pending");
            assert_non_null(sw_test_str(one_charge, "code"));
            if (acked)
                assert_non_null(sw_test_str(one_charge, "outbox.acked_at"));
        }
    }
    assert_true(seen_a);

    /* Alerts: charges wait and no PMS is set up to take them. */
    json_t *waiting = alert(doc, "unacknowledged");
    assert_non_null(waiting);
    assert_non_null(strstr(sw_test_str(waiting, "text"), "10 minutes"));
    assert_non_null(alert(doc, "no_peer"));
    assert_null(alert(doc, "peer_unreachable"));
    json_decref(doc);

    /* With a PMS set up that has acknowledged nothing since before the
     * pending charge was first tried: unreachable. */
    sw_err err;
    if (store_write(s, peer_fn, NULL, &err) != SW_OK)
        fail_msg("adding the peer: %s", sw_err_text(&err));
    doc = sw_test_get_json(e, biller, path);
    assert_null(alert(doc, "no_peer"));
    assert_non_null(alert(doc, "peer_unreachable"));
    json_decref(doc);
    /* The default threshold (15 minutes) still sees the 30-minute wait;
     * a day's threshold sees nothing. */
    snprintf(path, sizeof path, "/api/interface/reconcile?date=%s&alert_after=1440", today);
    doc = sw_test_get_json(e, biller, path);
    assert_int_equal(json_array_size(json_object_get(doc, "alerts")), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "days")), 1);
    json_decref(doc);

    /* Physicians read it too; the front desk does not. */
    doc = sw_test_get_json(e, e->auth, "/api/interface/reconcile");
    assert_true(total(doc, "visits") >= 0);
    json_decref(doc);
    char desk[512];
    sw_test_sign_in_new_user(e, "desk.d", "front_desk", desk, sizeof desk);
    assert_int_equal(sw_test_get(e, desk, "/api/interface/reconcile", NULL), 403);

    /* Reading it is audited as a read of those patients' records. */
    sw_test_expect_audited(e, "patient=p1", "charge_capture.reconcile", NULL);

    /* Bad parameters: 400 naming the parameter. */
    static const struct { const char *query, *names; } bad[] = {
        { "date=2026-13-01", "\"date\"" },
        { "date=2026-02-30", "\"date\"" },
        { "date=yesterday", "\"date\"" },
        { "from=2026-01-01", "\"to\"" },
        { "to=2026-01-01", "\"from\"" },
        { "from=2026-01-01&to=2026-x", "\"to\"" },
        { "from=2026-03-01&to=2026-02-01", "\"to\"" },
        { "from=2026-01-01&to=2026-06-01", "\"to\"" },
        { "date=2026-01-01&from=2026-01-01", "\"date\"" },
        { "alert_after=0", "\"alert_after\"" },
        { "alert_after=ten", "\"alert_after\"" },
        { "alert_after=99999", "\"alert_after\"" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        snprintf(path, sizeof path, "/api/interface/reconcile?%s", bad[k].query);
        json_t *answer = NULL;
        long status = sw_test_call(e, biller, "GET", path, NULL, &answer);
        const char *msg = sw_test_str(answer, "error.message");
        if (status != 400 || msg == NULL || strstr(msg, bad[k].names) == NULL)
            fail_msg("%s answered %ld: %s", path, status, msg ? msg : "");
        json_decref(answer);
    }

    /* The command: discrepancies exit 1, patients by id unless --names. */
    assert_int_equal(cli(e, &out, "--from", yesterday, "--to", today), 1);
    assert_non_null(strstr(out, "6 visits signed"));
    assert_non_null(strstr(out, "PID-3: patient not known"));
    assert_non_null(strstr(out, "patient p2"));
    assert_null(strstr(out, "Okafor"));
    assert_non_null(strstr(out, "ALERT"));
    free(out);
    assert_int_equal(cli(e, &out, "--date", today, "--names", NULL), 1);
    assert_non_null(strstr(out, "Ben Okafor"));
    free(out);
    assert_int_equal(cli(e, &out, "--date", today, "--json", NULL), 1);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_true(total(j, "visits") >= 1);
    assert_int_equal(json_array_size(json_object_get(j, "days")), 1);
    assert_null(sw_test_str(json_array_get(json_object_get(j, "visits"), 0), "patient.name"));
    json_decref(j);
    free(out);
    /* A quiet day long ago, with a threshold no waiting row has reached: 0. */
    assert_int_equal(cli(e, &out, "--date", "2020-01-01", "--alert-after", "2000"), 0);
    assert_non_null(strstr(out, "No discrepancies."));
    free(out);
    /* Usage errors: 2. */
    assert_int_equal(cli(e, &out, "--date", "2026-02-30", NULL, NULL), 2);
    free(out);
    assert_int_equal(cli(e, &out, "--from", today, NULL, NULL), 2);
    free(out);
    assert_int_equal(cli(e, &out, "--alert-after", "0", NULL, NULL), 2);
    free(out);

    store_close(s);
    free(a);
    free(b);
    free(c);
    free(d);
    free(x);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_state_reconciled, sw_test_env_setup,
                                        sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
