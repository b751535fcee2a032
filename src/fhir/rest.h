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
    /* A further check of each entry of a batch or transaction Bundle,
     * after the permission table's (rest_authz.c): the server's rollout
     * filter refuses a write entry of a module not live for the sender.
     * Same contract as fhir_bundle_opts.authorize; NULL: none. */
    int (*entry_check)(sw_request *req, const char *type, bool write,
                       char *why, size_t cap);
} fhir_env;

/* The /fhir route table for env (env must outlive the server). */
http_route_table fhir_route_table(fhir_env *env);

#endif
