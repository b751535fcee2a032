/* suite_int.h - what the go-live suite's files share (suite.h is the
 * outside view): the scratch EHR (suite_scratch.c), the visits and charges
 * it records there (suite_visit.c), a small HTTP client for the PMS
 * simulator's control interface (suite_http.c), and the scenarios
 * (suite_scenarios.c). */
#ifndef SW_HL7_SUITE_INT_H
#define SW_HL7_SUITE_INT_H

#include <jansson.h>
#include <pthread.h>

#include "hl7/inbound.h"
#include "hl7/mllp.h"
#include "hl7/suite.h"
#include "pmssim/generate.h"

#define SUITE_NPI       "1234567893"
#define SUITE_FACILITY  "STAGEWISE-TEST"

/* ---- HTTP to the peer's control interface (suite_http.c) ------------------ */

typedef struct suite_reply {
    int     status;
    json_t *doc;         /* the body parsed, or NULL when it is not JSON */
} suite_reply;

/* method base_url+path with a JSON body (may be NULL); plain HTTP only,
 * one request per connection. SW_EIO / SW_ETIMEOUT with a sentence. */
int  suite_http(const char *base_url, const char *method, const char *path,
                json_t *body, int timeout_ms, suite_reply *out, sw_err *err);
void suite_reply_free(suite_reply *r);

/* ---- The scratch EHR (suite_scratch.c) ------------------------------------- */

typedef struct suite_ehr {
    const hl7_suite_options *o;
    char                dir[256];      /* the temporary directory */
    sw_store           *store;
    /* The scratch practice's number: the run's start in ms, so the
     * control ids of its messages (SW<practice>-<seq>) differ from every
     * earlier run's and a PMS that remembers them takes none for a resend. */
    int64_t             practice_id;
    mllp_server        *listener;      /* inbound ADT/SIU from the peer */
    int                 listen_port;
    mllp_client_config  client;        /* for hl7_deliver_once */
    pthread_mutex_t     lock;          /* guards last and taken */
    hl7_inbound_result  last;
    int                 taken;
} suite_ehr;

int  suite_ehr_open(suite_ehr *e, const hl7_suite_options *o, sw_err *err);
void suite_ehr_close(suite_ehr *e);
/* Points the peer row's send address at host:port. */
int  suite_ehr_send_to(suite_ehr *e, const char *host, int port, sw_err *err);

/* An outbox row as the suite checks it. */
typedef struct suite_outbox_row {
    char    status[16];
    char    control_id[64];
    char    last_error[400];
    int64_t attempts, next_at, acked_at, sent_at;
} suite_outbox_row;

int  suite_outbox_get(suite_ehr *e, int64_t seq, suite_outbox_row *out,
                      sw_err *err);
/* The current bodies of every resource of a type in the scratch store
 * (a JSON array, the caller's). */
int  suite_resources(suite_ehr *e, const char *type, json_t **out, sw_err *err);

/* ---- Visits and charges in the scratch EHR (suite_visit.c) ----------------- */

#define SUITE_MAX_CHARGES 8

typedef struct suite_visit {
    char patient[37], practitioner[37], encounter[37], condition[37];
    char when[64];                     /* the visit's start, ISO (SW_TIME_ISO_MAX) */
    struct {
        char id[37], procedure[37];
        char code[16];
    } charges[SUITE_MAX_CHARGES];
    int ncharges;
} suite_visit;

/* A finished visit: Patient, Practitioner (NPI SUITE_NPI), Encounter and
 * its ranked Condition (E11.9). */
int suite_visit_create(suite_ehr *e, suite_visit *v, int64_t now_ms,
                       sw_err *err);
/* In one transaction: a Procedure and a billable ChargeItem per code, the
 * credited charges (indexes into v->charges) marked entered-in-error, and
 * one outbox row for all those lines (hl7_outbox_queue); *seq gets it. */
int suite_visit_charge(suite_ehr *e, suite_visit *v, const char *const *codes,
                       size_t ncodes, const int *credits, size_t ncredits,
                       int64_t now_ms, int64_t *seq, sw_err *err);

/* ---- Scenarios (suite_scenarios.c) ------------------------------------------ */

typedef struct suite_ctx {
    suite_ehr          *ehr;
    const hl7_suite_options *o;
    bool                via_peer;      /* peer_control given */
    suite_visit         visit;         /* shared by the outbound scenarios */
    bool                have_visit;
    /* What the inbound scenarios carry from one to the next. */
    char                mrn[32];
    char                appointment[40];
    char                appointment_start[64];
    /* The messages a PMS sends, when the suite sends them itself. */
    pmssim_generator    gen;
} suite_ctx;

typedef struct suite_scenario {
    const char *id;
    const char *title;
    /* true when it passed; detail says what was found (passed) or why
     * it failed. */
    bool (*run)(suite_ctx *c, char *detail, size_t cap);
} suite_scenario;

const suite_scenario *suite_scenarios(size_t *n);

#endif
