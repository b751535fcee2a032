/* rest.h - the FHIR REST API at /fhir, as the server assembles it.
 *
 * The FHIR handlers need only a store; the server fills an fhir_env and
 * gets back the route table to serve, whose ctx points at the env. The
 * practice a request works on is the signed-in user's (req->principal, set
 * by the authentication filter). */
#ifndef SW_FHIR_REST_H
#define SW_FHIR_REST_H

#include "http/http.h"
#include "store/store.h"

typedef struct fhir_env {
    sw_store *store;
} fhir_env;

/* The /fhir route table for env (env must outlive the server). */
http_route_table fhir_route_table(fhir_env *env);

#endif
