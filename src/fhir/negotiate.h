/* negotiate.h - what a FHIR request asks of the format of the exchange.
 *
 * Stagewise speaks FHIR JSON only: a request that accepts only XML or
 * Turtle (Accept, or _format) gets 406, a body in anything but FHIR JSON
 * (Content-Type) gets 415, and every response is
 * application/fhir+json; charset=utf-8. Prefer: return= chooses between
 * the resource, nothing, or an OperationOutcome after a write; Prefer:
 * handling=lenient turns unknown search parameters into warnings. */
#ifndef SW_FHIR_NEGOTIATE_H
#define SW_FHIR_NEGOTIATE_H

#include <stdbool.h>

#include "http/http.h"

#define FHIR_JSON_TYPE "application/fhir+json; charset=utf-8"

typedef enum fhir_return {
    FHIR_RETURN_REPRESENTATION,   /* the default */
    FHIR_RETURN_MINIMAL,
    FHIR_RETURN_OUTCOME,
} fhir_return;

/* SW_OK, or SW_ENOTACCEPT with a message on res. */
int  fhir_check_accept(const sw_request *req, sw_response *res);
/* For a request with a body: SW_OK, or SW_EMEDIA with a message. */
int  fhir_check_content_type(const sw_request *req, sw_response *res);
fhir_return fhir_prefer_return(const sw_request *req);
bool fhir_prefer_lenient(const sw_request *req);
/* "http://host:port/fhir" (or /training/fhir later) for fullUrl and
 * Location, from the Host header; arena-owned. */
const char *fhir_base_url(const sw_request *req);

#endif
