/* audit.h - the audit trail: who did what to which record, when, from
 * where, and whether it worked; append-only and hash-chained.
 *
 * Every change to patient data is recorded in the same transaction as the
 * change (audit_append inside the store_write that makes it), so there is
 * no change without its entry and no entry without its change. Every read
 * of patient data is recorded durably before the data leaves the server
 * (audit_record, its own durable write); if it cannot be, the request
 * fails: nothing is served unaudited.
 *
 * Entries of a practice form a chain: entry n carries the SHA-256 of entry
 * n-1's hash and its own fields, and audit_head holds the last sequence
 * number and hash. `stagewise audit verify` recomputes the chain and finds
 * any edited, inserted, deleted or reordered entry (verify.c); keeping the
 * head somewhere else catches a truncated tail too (docs/audit.md). No API
 * updates or deletes entries, and database triggers refuse it.
 *
 * Entries name users, records and features, never clinical content or
 * search values. The same entries are the event source of the adoption
 * benchmarks (what each user did, in terms of features). */
#ifndef SW_AUDIT_H
#define SW_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"
#include "store/store.h"

/* Actions (the list). */
#define AUDIT_READ          "read"
#define AUDIT_SEARCH        "search"
#define AUDIT_CREATE        "create"
#define AUDIT_UPDATE        "update"
#define AUDIT_DELETE        "delete"
#define AUDIT_LOGIN         "login"
#define AUDIT_LOGOUT        "logout"
#define AUDIT_LOGIN_FAILURE "login_failure"
#define AUDIT_LOCKOUT       "lockout"
#define AUDIT_EXPORT        "export"
#define AUDIT_BREAK_GLASS   "break_glass"
#define AUDIT_ACCESS_CHANGE "permission_change"
#define AUDIT_PLAN_CHANGE   "plan_change"
#define AUDIT_GO_LIVE       "go_live"
#define AUDIT_DISCLOSURE    "disclosure"

/* Outcomes. */
#define AUDIT_SUCCESS "success"
#define AUDIT_FAILURE "failure"
#define AUDIT_DENIED  "denied"

/* Who acts: a signed-in user (from the request) or an operator at the
 * command line (user_id 0, username "cli:<login>"). */
typedef struct audit_who {
    int64_t     practice_id;
    int64_t     user_id;
    const char *username;
    const char *roles;        /* comma-separated */
    const char *client;       /* "127.0.0.1", or "cli" */
    const char *request_id;   /* "" at the command line */
} audit_who;

typedef struct audit_entry {
    const audit_who *who;
    const char *action;       /* AUDIT_* */
    const char *feature;      /* "module.feature", or "" */
    const char *patient_id;   /* the patient whose record it is, or "" */
    const char *res_type;     /* or "" */
    const char *res_id;       /* or "" */
    const char *outcome;      /* AUDIT_SUCCESS … */
    const char *detail;       /* short, no patient data: parameter names, a reason */
    int64_t     at_ms;        /* 0: now */
} audit_entry;

/* Inside a write transaction: appends e to its practice's chain. */
int audit_append(store_tx *tx, const audit_entry *e);
/* Appends e in a durable transaction of its own (reads, sign-in events). */
int audit_record(sw_store *s, const audit_entry *e, sw_err *err);
/* Appends n entries in one durable transaction: all or none. */
int audit_record_many(sw_store *s, const audit_entry *e, size_t n, sw_err *err);

/* The command line's actor for practice_id. */
void audit_cli_who(audit_who *who, int64_t practice_id);

/* The chain's hash of an entry: SHA-256 over the previous hash and every
 * field, each length-prefixed, as lowercase hex (65 bytes with NUL). */
#define AUDIT_HASH_HEX 65
#define AUDIT_GENESIS  "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct audit_row {
    int64_t     practice_id;
    int64_t     seq;
    int64_t     at_ms;
    int64_t     user_id;
    const char *username, *roles, *action, *feature, *patient_id;
    const char *res_type, *res_id, *outcome, *client, *request_id, *detail;
    const char *prev_hash;
    const char *hash;
} audit_row;

void audit_hash(const audit_row *r, char out[AUDIT_HASH_HEX]);

/* The columns of audit_log in audit_row order, and the reader of a row
 * selected with them (strings valid until the next step). */
#define AUDIT_ROW_COLUMNS \
    "practice_id, seq, at_ms, user_id, username, roles, action, feature, " \
    "patient_id, res_type, res_id, outcome, client, request_id, detail, " \
    "prev_hash, hash"
void audit_row_read(store_stmt *st, audit_row *r);

/* The feature a FHIR interaction belongs to ("allergies.create"), from the
 * module that governs the resource type (DESIGN.md §4). */
const char *audit_feature(const char *res_type, const char *action);
/* The same for a resource whose category code is known ("laboratory"):
 * a laboratory Observation is a result, not a vital sign. */
const char *audit_feature_of(const char *res_type, const char *category,
                             const char *action);
/* The module that governs res_type ("allergies"), by its category when
 * that decides (a laboratory Observation is "results"), or NULL when no
 * module governs it. category may be NULL. */
const char *audit_module_of(const char *res_type, const char *category);
/* The modules that govern some resource type, each once, in table order;
 * returns how many (at most cap). */
size_t audit_modules(const char **out, size_t cap);
/* The resource types module governs, each once, in table order (some
 * only in a category: Observation for "results"); returns how many (at
 * most cap). The strings are static. */
size_t audit_module_types(const char *module, const char **out, size_t cap);

#endif
