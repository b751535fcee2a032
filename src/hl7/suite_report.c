/* suite_report.c - the go-live suite's reports in the practice's database
 * (table interface_test_run): storing one with its SHA-256 digest and the
 * audit entry that puts that digest in the hash chain, and reading the
 * latest back for the plan's interface gate. A practice runs the suite a
 * few times before go-live: nothing here is hot. */
#include "hl7/suite.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"

struct store_ctx {
    int64_t                   practice_id;
    const hl7_suite_options  *o;
    const hl7_suite_result   *r;
    const char               *digest;
    int64_t                   run_id;
};

static int store_report_fn(store_tx *tx, void *arg)
{
    struct store_ctx *c = arg;
    int64_t last = 0;
    int rc = store_query_int64(tx, &last, "SELECT COALESCE(MAX(run_id), 0) "
                               "FROM interface_test_run WHERE practice_id = ?",
                               "i", c->practice_id);
    if (rc != SW_OK)
        return rc;
    c->run_id = last + 1;
    char peer[300];
    snprintf(peer, sizeof peer, "%s:%d", c->o->peer_host, c->o->peer_port);
    rc = store_exec(tx, NULL, "INSERT INTO interface_test_run (practice_id, "
                    "run_id, suite, peer, started_at, finished_at, run_by, passed, "
                    "report, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    "iittiititt", c->practice_id, c->run_id, c->o->suite, peer,
                    c->r->started_at, c->r->finished_at,
                    c->o->run_by ? c->o->run_by : "",
                    (int64_t)(c->r->passed == c->r->total && c->r->total > 0),
                    c->r->report, c->digest);
    if (rc != SW_OK)
        return rc;
    audit_who who;
    audit_cli_who(&who, c->practice_id);
    char detail[160], run[32];
    snprintf(detail, sizeof detail, "passed %d of %d digest=%s", c->r->passed,
             c->r->total, c->digest);
    snprintf(run, sizeof run, "%lld", (long long)c->run_id);
    audit_entry e = { .who = &who, .action = AUDIT_CREATE,
                      .feature = HL7_SUITE_FEATURE, .patient_id = "",
                      .res_type = "interface_test_run", .res_id = run,
                      .outcome = c->r->passed == c->r->total ? AUDIT_SUCCESS
                                                             : AUDIT_FAILURE,
                      .detail = detail };
    return audit_append(tx, &e);
}

int hl7_suite_store(sw_store *s, int64_t practice_id, const hl7_suite_options *o,
                    const hl7_suite_result *r, int64_t *run_id, char digest[65],
                    sw_err *err)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)r->report, strlen(r->report));
    sodium_bin2hex(digest, 65, hash, sizeof hash);
    struct store_ctx c = { .practice_id = practice_id, .o = o, .r = r,
                           .digest = digest };
    int rc = store_write(s, store_report_fn, &c, err);
    if (rc == SW_OK && run_id)
        *run_id = c.run_id;
    return rc;
}

/* The failed scenarios' titles from the stored report. */
static void failed_titles(const char *report, hl7_suite_record *out)
{
    json_t *doc = json_loads(report, 0, NULL);
    json_t *sc;
    size_t i, n = 0;
    out->npassed = 0;
    out->total = 0;
    json_array_foreach(json_object_get(doc, "scenarios"), i, sc) {
        out->total++;
        if (json_is_true(json_object_get(sc, "passed"))) {
            out->npassed++;
            continue;
        }
        const char *title = json_string_value(json_object_get(sc, "title"));
        int w = snprintf(out->failed + n, sizeof out->failed - n, "%s%s",
                         n ? "; " : "", title ? title : "?");
        if (w > 0 && (size_t)w < sizeof out->failed - n)
            n += (size_t)w;
    }
    json_decref(doc);
}

int hl7_suite_latest(store_tx *tx, int64_t practice_id, const char *suite,
                     hl7_suite_record *out)
{
    memset(out, 0, sizeof *out);
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT run_id, suite, peer, run_by, started_at, "
                           "finished_at, passed, report, digest FROM "
                           "interface_test_run WHERE practice_id = ? AND suite = ? "
                           "ORDER BY run_id DESC LIMIT 1", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, practice_id);
    store_bind_cstr(st, 2, suite);
    bool row = false;
    rc = store_step(st, &row);
    if (rc == SW_OK && !row)
        rc = SW_ENOTFOUND;
    if (rc == SW_OK) {
        out->run_id = store_col_int64(st, 0);
        snprintf(out->suite, sizeof out->suite, "%s", store_col_text(st, 1, NULL));
        snprintf(out->peer, sizeof out->peer, "%s", store_col_text(st, 2, NULL));
        snprintf(out->run_by, sizeof out->run_by, "%s", store_col_text(st, 3, NULL));
        out->started_at = store_col_int64(st, 4);
        out->finished_at = store_col_int64(st, 5);
        out->passed = store_col_int64(st, 6) != 0;
        failed_titles(store_col_text(st, 7, NULL), out);
        snprintf(out->digest, sizeof out->digest, "%s", store_col_text(st, 8, NULL));
    }
    store_finalize(st);
    return rc;
}
