/* query.h - reading the audit trail back: filtered, in sequence order, a
 * page at a time. One function serves /api/audit (JSON and CSV),
 * /fhir/AuditEvent and the accounting of disclosures, so they all filter
 * the same way. */
#ifndef SW_AUDIT_QUERY_H
#define SW_AUDIT_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/arena.h"

#define AUDIT_QUERY_MAX_ACTIONS 8
#define AUDIT_PAGE_DEFAULT      100
#define AUDIT_PAGE_MAX          1000

/* Every member narrows the result; zero / NULL / "" leaves it open. */
typedef struct audit_filter {
    int64_t     practice_id;             /* required */
    int64_t     from_ms, to_ms;          /* at_ms >= from, at_ms < to */
    int64_t     user_id;
    const char *username;
    const char *patient_id;
    const char *actions[AUDIT_QUERY_MAX_ACTIONS];   /* any of */
    size_t      nactions;
    const char *outcome;
    const char *res_type;
    int64_t     seq;                     /* exactly this entry */
    int64_t     after_seq;               /* the page after this entry */
    bool        newest_first;            /* seq descending; after = before */
    int         limit;                   /* 1 .. AUDIT_PAGE_MAX */
} audit_filter;

/* Called once per entry; strings live until the callback returns. A
 * non-SW_OK return stops the walk and is returned. */
typedef int (*audit_row_fn)(const audit_row *r, void *arg);

/* Reads up to f->limit entries, calls fn for each; *more says whether the
 * filter matches entries beyond the page. */
int audit_query(sw_store *s, const audit_filter *f, audit_row_fn fn,
                void *arg, bool *more, sw_err *err);

/* Whether name is one of the actions of audit.h. */
bool audit_action_known(const char *name);
bool audit_outcome_known(const char *name);

#endif
