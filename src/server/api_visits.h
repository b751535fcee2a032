/* api_visits.h - what the visit handlers (api_visits.c, api_schedule.c,
 * api_codes.c) share, implemented in visits_store.c: reading a visit with
 * everything hanging off its Encounter in one snapshot, and running the
 * FHIR transaction of a visit step (composed with server_bundle, app.h).
 * Internal to src/server. */
#ifndef SW_SERVER_API_VISITS_H
#define SW_SERVER_API_VISITS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"

#define VISITS_TX_MAX 128   /* entries of one visit transaction */

/* A stored resource parsed (jansson: these are small). */
typedef struct visits_res {
    const char *type;
    const char *id;
    int64_t     version;
    json_t     *doc;
} visits_res;

/* A visit as stored: the Encounter and what references it. */
typedef struct visits_state {
    int64_t     practice_id;
    const char *id;
    bool        found;
    bool        denied;         /* a restricted patient, no grant */
    visits_res  encounter;
    const char *patient_id;
    json_t     *patient;        /* the Patient, or NULL */
    visits_res  note;           /* doc NULL when there is none yet */
    size_t      n;
    visits_res  items[VISITS_TX_MAX];  /* Conditions, Procedures, addenda, ChargeItems */
} visits_state;

/* Reads visit `id`: 404 written to res when unknown, 403 (break the
 * glass) when its patient is restricted for this user. With read_feature
 * ("documentation.read") the read is audited in the same transaction, for
 * a handler that shows the visit. */
int visits_load(sw_request *req, sw_response *res, const char *id,
                visits_state *st, const char *read_feature);
void visits_state_free(visits_state *st);
/* Whether the note is signed (final) or the Encounter finished. */
bool visits_signed(const visits_state *st);

/* A parsed body, or NULL. */
json_t *visits_parse(const char *body, size_t len);

/* What a transaction wrote, and the step's own rows. */
typedef struct visits_tx visits_tx;
struct visits_tx {
    sw_request *req;
    size_t      n;
    const char *types[VISITS_TX_MAX];
    const char *ids[VISITS_TX_MAX];
    int64_t     versions[VISITS_TX_MAX];
    /* Runs inside the transaction after its entries, or NULL. */
    int       (*then)(store_tx *tx, visits_tx *t);
    void       *arg;
};
/* Ends and runs bundle (freed) as the signed-in user. A stale If-Match
 * becomes 409 with error code `conflict_id` and message conflict_msg. */
int visits_run(sw_request *req, sw_response *res, server_bundle *bundle,
               visits_tx *t, const char *conflict_id, const char *conflict_msg);

#endif
