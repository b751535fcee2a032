/* verify.h - checking the audit trail's hash chain (`stagewise audit
 * verify`).
 *
 * The check walks each practice's entries in sequence order, recomputes
 * every hash and compares: an entry whose fields no longer give its hash
 * was edited; one whose prev_hash is not the hash before it follows a
 * deletion, an insertion or a reordering; a gap in the sequence is a
 * deletion; a chain that ends before its head ends early. A chain rewritten
 * from the tampered entry on, hashes and head included, passes all of
 * that; only a head kept outside the server (audit_anchor, docs/audit.md)
 * catches it. */
#ifndef SW_AUDIT_VERIFY_H
#define SW_AUDIT_VERIFY_H

#include <stdint.h>

#include "audit/audit.h"

/* A head recorded earlier, outside the database: "entry seq had hash". */
typedef struct audit_anchor {
    int64_t practice_id;
    int64_t seq;
    char    hash[AUDIT_HASH_HEX];
} audit_anchor;

/* Parses "SEQ:HASH" (as `audit head` prints it). */
int audit_anchor_parse(const char *s, int64_t practice_id, audit_anchor *out);

typedef struct audit_problem {
    int64_t     practice_id;
    int64_t     seq;         /* where it was found */
    const char *kind;        /* "edited", "broken-link", "missing", "head", "anchor" */
    char        text[256];   /* one sentence */
} audit_problem;

typedef void (*audit_problem_fn)(const audit_problem *p, void *arg);

typedef struct audit_verify_stats {
    int64_t practices;
    int64_t entries;
    int64_t problems;
} audit_verify_stats;

/* Verifies practice_id's chain (0: every practice's), calling fn for each
 * problem found. SW_OK when the walk finished (stats say whether it found
 * problems); a store error otherwise. */
int audit_verify(sw_store *s, int64_t practice_id, const audit_anchor *anchor,
                 audit_problem_fn fn, void *arg, audit_verify_stats *stats,
                 sw_err *err);

/* The head of a practice's chain: its last sequence number and hash
 * (seq 0 and AUDIT_GENESIS when empty). */
int audit_head_read(sw_store *s, int64_t practice_id, int64_t *seq,
                    char hash[AUDIT_HASH_HEX], sw_err *err);

#endif
