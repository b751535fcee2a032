/* search.h - FHIR search, answered from the index tables (index.h).
 *
 * A search is parsed once from its parameters (query string or _search
 * form body) into criteria, then run as SQL over fhir_resource and the
 * fhir_idx_* tables; stored JSON is never parsed to decide a match. The
 * REST handler (GET /fhir/{type}?…, POST /fhir/{type}/_search) builds the
 * searchset Bundle; other parts of the FHIR layer use the same parsed
 * search inside their own transactions: conditional create (If-None-Exist)
 * and conditional references in transaction Bundles ask "which ids match?".
 *
 * Ownership: everything lives in the arena passed in. */
#ifndef SW_FHIR_SEARCH_H
#define SW_FHIR_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "fhir/validate.h"
#include "http/http.h"
#include "store/store.h"

typedef struct fhir_search fhir_search;

/* Parses the parameters of a search on resource type `type`. Unknown or
 * unsupported parameters and malformed values are errors in issues (the
 * caller answers 400) unless lenient, in which case they are dropped and
 * reported as warnings in issues. SW_OK or SW_EBADREQUEST or SW_ENOMEM. */
int fhir_search_parse(sw_arena *a, const char *type, const http_param *params,
                      int nparams, bool lenient, fhir_search **out,
                      fhir_issues *issues);

/* Parses a query string ("identifier=http://x|123&active=true"), as in
 * If-None-Exist and conditional references. */
int fhir_search_parse_query(sw_arena *a, const char *type, const char *query,
                            fhir_search **out, fhir_issues *issues);

/* Inside a read or write transaction: the ids of the current, undeleted
 * resources matching s, at most max of them (in id order), and whether
 * there were more. */
int fhir_search_match_ids(store_tx *tx, sw_arena *a, int64_t practice_id,
                          const fhir_search *s, size_t max, const char ***ids,
                          size_t *n, bool *more);

/* The REST handlers (rest_search.c). */
int fhir_get_search(sw_request *req, sw_response *res);
int fhir_post_search(sw_request *req, sw_response *res);

#endif
