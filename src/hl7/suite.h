/* suite.h - the go-live interface test suite (`stagewise interface test`,
 * docs/hl7-interface.md "The go-live interface test suite"): scripted
 * scenarios run against the practice-management system in test mode, or
 * against the PMS simulator, before the practice goes live.
 *
 * The suite never writes clinical data into the practice's database: it
 * builds a scratch EHR of its own (suite_scratch.c: a temporary SQLite
 * database initialized as `stagewise init` does, its peer row pointing at
 * the PMS with processing id T, its own MLLP listener on 127.0.0.1 for the
 * PMS's ADT and SIU), runs each scenario there (suite_scenarios.c), and
 * only the report goes to the real database (suite_report.c): a row of
 * interface_test_run with the SHA-256 of the report text, and an audit
 * entry carrying that digest, so the report is signed by the audit
 * trail's hash chain. The plan's interface gate reads the latest report
 * (rollout/gates.c).
 *
 * With peer_control (the simulator's control URL) the PMS side is driven
 * end to end: the PMS itself sends the ADT and SIU, and what it received
 * is checked field by field. Without it the suite sends what a PMS would
 * send itself, and the report says so.
 *
 * Ownership: hl7_suite_result.report is malloc'ed (sw_free). */
#ifndef SW_HL7_SUITE_H
#define SW_HL7_SUITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/errors.h"
#include "store/store.h"

#define HL7_SUITE_GO_LIVE "go-live"
#define HL7_SUITE_FEATURE "interface.test"

typedef struct hl7_suite_options {
    const char *suite;          /* HL7_SUITE_GO_LIVE */
    const char *peer_host;      /* the PMS's MLLP address */
    int         peer_port;
    const char *peer_control;   /* "http://127.0.0.1:PORT", or NULL */
    const char *run_by;         /* who ran it, for the report */
    FILE       *out;            /* one line per scenario as it finishes; may be NULL */
    int         reply_timeout_ms;   /* per ACK; 0: 10000 */
} hl7_suite_options;

typedef struct hl7_suite_result {
    int     passed, total;
    int64_t started_at, finished_at;
    char   *report;             /* the JSON report (sw_free) */
    char    failed[512];        /* the ids of failed scenarios, comma-separated */
} hl7_suite_result;

/* Runs the suite; SW_OK when it ran (whatever the scenarios' results),
 * else the reason the scratch EHR could not be set up. */
int hl7_suite_run(const hl7_suite_options *o, hl7_suite_result *r, sw_err *err);
void hl7_suite_result_free(hl7_suite_result *r);

/* ---- Stored reports (suite_report.c) -------------------------------------- */

/* Stores report for practice_id in interface_test_run with its digest and
 * an audit entry (action create, feature HL7_SUITE_FEATURE, detail
 * "passed N of M digest=…"), in one transaction. *run_id gets the row's
 * number; digest (65 bytes) the hex SHA-256 of the report text. */
int hl7_suite_store(sw_store *s, int64_t practice_id, const hl7_suite_options *o,
                    const hl7_suite_result *r, int64_t *run_id, char digest[65],
                    sw_err *err);

/* What the gate and the API need of a stored run. */
typedef struct hl7_suite_run {
    int64_t run_id;
    char    suite[32];
    char    peer[300];
    char    run_by[128];
    int64_t started_at, finished_at;
    bool    passed;
    int     npassed, total;
    char    failed[512];        /* titles of failed scenarios, "; "-separated */
    char    digest[65];
} hl7_suite_record;

/* Inside a transaction: the practice's latest run of suite;
 * SW_ENOTFOUND when it has none. */
int hl7_suite_latest(store_tx *tx, int64_t practice_id, const char *suite,
                     hl7_suite_record *out);

#endif
