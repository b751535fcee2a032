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

#endif
