/* bundle.h - batch and transaction Bundles (POST /fhir).
 *
 * A transaction is all or nothing: every entry runs in one store
 * transaction and any failure undoes all of them. Entries are processed in
 * the order the specification sets (DELETE, POST, PUT, GET), whatever
 * their order in the Bundle; the response lists them in request order.
 * POSTed resources get their ids before anything runs, so references to
 * their fullUrl (urn:uuid:… or urn:oid:…) anywhere in the Bundle are
 * rewritten to Type/id; conditional references (Patient?identifier=s|v)
 * are resolved by search inside the transaction and must match exactly
 * one resource. Two entries acting on the same resource are refused.
 * ifNoneExist makes a POST conditional; a PUT or DELETE whose url is a
 * search is a conditional update or delete.
 *
 * A batch runs each entry on its own: one failing entry gets its own error
 * status and OperationOutcome in the response, and the others go ahead.
 *
 * The work of preparing a Bundle (validation, ids, reference rewriting,
 * serializing) is done once outside the store transaction where it can
 * be; what needs the database (conditional matches, current versions) runs
 * inside, and the function the store runs may be run again on a
 * serialization failure, so it recomputes everything it changes. */
#ifndef SW_FHIR_BUNDLE_H
#define SW_FHIR_BUNDLE_H

#include "core/arena.h"
#include "core/limits.h"
#include "core/buf.h"
#include "audit/audit.h"
#include "core/json.h"
#include "fhir/validate.h"
#include "store/store.h"


/* What happened to the entries, counted. */
typedef struct fhir_bundle_stats {
    int64_t created;
    int64_t updated;
    int64_t unchanged;     /* a PUT of identical content, or ifNoneExist found it */
    int64_t deleted;
    int64_t read;
    int64_t failed;        /* batch entries that failed */
} fhir_bundle_stats;

/* What one transaction entry wrote: its type, id (the assigned one for a
 * POST) and the version now current; id is NULL for a read or search. */
typedef struct fhir_bundle_written {
    const char *type;
    const char *id;
    int64_t     version;
} fhir_bundle_written;

typedef struct fhir_bundle_opts {
    int64_t            practice_id;
    const audit_who   *who;      /* who sends it: every entry is audited */
    const char        *base;     /* "http://host/fhir", for fullUrl/location */
    bool               minimal;  /* Prefer: return=minimal: no resources back */
    fhir_bundle_stats *stats;    /* NULL when not wanted */
    /* Whether the sender may act on an entry of this type (write: POST,
     * PUT or DELETE, else a read): SW_OK, or SW_EFORBIDDEN with a sentence
     * in why. A refused transaction entry fails the whole transaction; a
     * refused batch entry answers 403 on its own and is not run. NULL: no
     * check (the command line's import). */
    int              (*authorize)(void *arg, const char *type, bool write,
                                  char *why, size_t cap);
    void              *authorize_arg;
    /* A workflow's own rows that must commit with the transaction's
     * entries or not at all (its audit entry under its own feature id, an
     * inbox item, a pharmacy message): called inside the transaction after
     * every entry ran, with what each entry wrote, in entry order. An error
     * (store_tx_fail) rolls everything back. Transactions only; NULL: none. */
    int              (*after)(store_tx *tx, void *arg,
                              const struct fhir_bundle_written *w, size_t n);
    void              *after_arg;
} fhir_bundle_opts;

/* Processes a parsed, validated batch or transaction Bundle and writes the
 * response Bundle into out. For a transaction that fails, the return is
 * the error and issues says which entry and why (out is untouched); for a
 * batch the return is SW_OK and each entry carries its own outcome. */
int fhir_bundle_process(sw_store *s, sw_arena *a, sw_json *bundle,
                        const fhir_bundle_opts *opts, sw_buf *out,
                        fhir_issues *issues);

#endif
