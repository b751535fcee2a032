/* inbox.h - each user's inbox: results to review, notes to sign and
 * messages from staff, as rows of inbox_item (docs/workflows.md).
 *
 * The workflow that creates the thing to act on (a result arriving for an
 * order, a note's first draft, a message) adds the item in the same
 * transaction, so nothing reaches the chart without reaching someone's
 * inbox; the workflow that acts on it (sign-off, signing, reading) marks
 * it done in the same transaction as its own writes. Items are never
 * deleted: who acted, and when, stays visible. */
#ifndef SW_CLINICAL_INBOX_H
#define SW_CLINICAL_INBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define INBOX_RESULT  "result"     /* a DiagnosticReport to review */
#define INBOX_NOTE    "note"       /* a Composition to sign */
#define INBOX_MESSAGE "message"    /* a Communication to read */
/* A colleague's help request on a module (training/help.h): res_type
 * "HelpRequest", res_id the request's number, no patient. */
#define INBOX_HELP    "help"

typedef struct inbox_new {
    int64_t     practice_id;
    int64_t     user_id;        /* whose inbox */
    const char *kind;           /* INBOX_* */
    const char *res_type;
    const char *res_id;
    const char *patient_id;     /* "" when about no patient */
    const char *flag;           /* "abnormal", "critical" or "" */
    int64_t     at_ms;
} inbox_new;

/* Inside a write transaction: adds the item unless an open one of the same
 * kind about the same record is already in that user's inbox; *item_id
 * (may be NULL) gets the new or existing item's id. */
int inbox_add(store_tx *tx, const inbox_new *n, int64_t *item_id);

/* Inside a write transaction: marks done every open item of `kind` about
 * res_type/res_id (in anyone's inbox), by user `by` at at_ms; *count (may
 * be NULL) says how many. */
int inbox_done_for(store_tx *tx, int64_t practice_id, const char *kind,
                   const char *res_type, const char *res_id, int64_t by,
                   int64_t at_ms, int64_t *count);

/* Inside a write transaction: marks one item of user_id's inbox done.
 * SW_ENOTFOUND when that user has no such item; *was_open says whether it
 * was still open (marking a done item again changes nothing). */
int inbox_done(store_tx *tx, int64_t practice_id, int64_t item_id,
               int64_t user_id, int64_t at_ms, bool *was_open);

#endif
