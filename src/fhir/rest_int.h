/* rest_int.h - what the FHIR REST handlers (rest_*.c) share; nothing
 * outside src/fhir/ includes it.
 *
 * Every handler starts with fhir_begin: content negotiation, the resource
 * type from the path (known and stored by Stagewise, else 404), the id's
 * format, and the practice of the signed-in user. Writes share the body
 * checks of fhir_read_body (FHIR JSON, parsed exactly, validated against
 * the R4 definition; every problem reported at once). Responses go out
 * through fhir_send_resource and friends, which set ETag, Last-Modified,
 * Location and Cache-Control consistently. */
#ifndef SW_FHIR_REST_INT_H
#define SW_FHIR_REST_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/json.h"
#include "fhir/negotiate.h"
#include "fhir/outcome.h"
#include "fhir/resources.h"
#include "http/http.h"
#include "fhir/rest.h"

/* The context of one FHIR request. */
typedef struct fhir_req {
    sw_request  *req;
    sw_response *res;
    fhir_env    *env;
    int64_t      practice_id;
    const char  *type;       /* from the path, checked; NULL if none */
    const char  *id;         /* from the path, checked; NULL if none */
    const char  *base;       /* "http://host/fhir" */
    audit_who    who;        /* the signed-in user, for the audit trail */
} fhir_req;

/* Checks Accept, the type (when the route has {type}) and the id (when it
 * has {id}). */
int fhir_begin(sw_request *req, sw_response *res, fhir_req *fr);
/* Whether Stagewise stores resources of this type (answers 404 for the
 * rest). */
bool fhir_type_is_stored(const char *type);
/* Checks the Content-Type, parses the body and validates it as a resource
 * of expect_type (NULL: any type). On failure the response carries the
 * OperationOutcome. */
int fhir_read_body(fhir_req *fr, const char *expect_type, sw_json **out);

/* The stored JSON of a version, with its headers; status 200 or 201. */
int fhir_send_version(fhir_req *fr, int status, const char *type,
                      const char *id, int64_t version, int64_t updated_ms,
                      const char *body, size_t body_len, bool location);
/* Writes the ETag and Last-Modified headers of a version. */
void fhir_version_headers(fhir_req *fr, int64_t version, int64_t updated_ms);
/* A 200 with a one-issue informational OperationOutcome. */
int fhir_send_outcome(fhir_req *fr, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a read of patient data durably before it is sent (SW_OK), or
 * fails the request: nothing leaves the server unaudited. */
int fhir_audit_read(fhir_req *fr, const char *action, const char *type,
                    const char *id, const char *patient, const char *detail);
/* The same for data of several patients: one entry per patient, in one
 * transaction (one entry without a patient when npatients is 0). */
int fhir_audit_patients(fhir_req *fr, const char *action, const char *type,
                        const char *id, const char *const *patients,
                        size_t npatients, const char *detail);
/* The audit trail as AuditEvent (rest_audit_event.c): read by sequence
 * number, and search. */
int fhir_audit_event_read(fhir_req *fr);
int fhir_audit_event_search(fhir_req *fr, const http_param *params, int n);

/* Parses If-Match (W/"3" or "3"): SW_OK with *version (0 when absent) or
 * SW_EBADREQUEST. */
int fhir_if_match(fhir_req *fr, int64_t *version);

/* Handlers by file. */
int fhir_get_read(sw_request *req, sw_response *res);
int fhir_get_vread(sw_request *req, sw_response *res);
int fhir_post_create(sw_request *req, sw_response *res);
int fhir_put_update(sw_request *req, sw_response *res);
int fhir_delete(sw_request *req, sw_response *res);
int fhir_get_history(sw_request *req, sw_response *res);
int fhir_get_everything(sw_request *req, sw_response *res);
int fhir_post_bundle(sw_request *req, sw_response *res);

/* ---- Permissions across types (rest_authz.c) ------------------------------
 * The authorization filter checks a route by the type in its path; these
 * check what a request reaches beyond it, with the same permission table. */
struct fhir_search;
struct fhir_search_result;
/* Whether the signed-in user may read resources of type. */
bool fhir_authz_may_read(const fhir_req *fr, const char *type);
/* A Bundle entry (fhir_bundle_opts.authorize; arg is the fhir_req). */
int  fhir_authz_bundle_entry(void *arg, const char *type, bool write,
                             char *why, size_t cap);
/* _include/_revinclude target types and chained types the user may not
 * read: SW_EFORBIDDEN naming the type (the response is set), else SW_OK. */
int  fhir_authz_search(fhir_req *fr, const struct fhir_search *s);
/* Drops included resources of types the user may not read from a result;
 * returns how many. fhir_authz_note_dropped adds the warning for them. */
size_t fhir_authz_drop_includes(const fhir_req *fr,
                                struct fhir_search_result *r);
int  fhir_authz_note_dropped(fhir_req *fr, fhir_issues *issues, size_t dropped);
/* Keeps the history entries of types the user may read; true when the
 * user cannot read every type (the page was filtered). */
bool fhir_authz_filter_history(const fhir_req *fr, fhir_history_entry *entries,
                               int *n);
/* Narrows a list of types (NULL: all) to those the user may read; leaves
 * NULL when the user reads every type. SW_OK or SW_ENOMEM. */
int  fhir_authz_readable_types(const fhir_req *fr, const char ***types,
                               size_t *ntypes);

#endif
