/* deliver.h - the delivery worker: sends the outbox (outbox.h) to each
 * practice's peer (peer.h) over MLLP, at least once and in order per
 * patient, and records what the peer answered.
 *
 * For each due row, oldest first, skipping any patient whose earlier row
 * is still pending (order per patient): send with the row's own MSH-10;
 *   AA / CA with MSA-2 = our control id   -> acked (and every charge in it
 *                                             recorded as a disclosure)
 *   AE / CE                               -> rejected, reason kept: the
 *                                             biller's work queue
 *   AR / CR, no reply in time, a refused  -> stays pending; attempts + 1,
 *   connection, an ACK whose MSA-2 is        next_at backs off exponentially
 *   not our control id, an unknown code      (SW_HL7_RETRY_FIRST_MS doubling
 *                                             up to SW_HL7_RETRY_MAX_MS)
 * The row's status changes only after the peer's answer, in its own
 * transaction; a crash between sending and recording means the message is
 * sent again with the same control id (the peer recognises it). */
#ifndef SW_HL7_DELIVER_H
#define SW_HL7_DELIVER_H

#include <stdint.h>

#include "core/errors.h"
#include "hl7/mllp.h"
#include "store/store.h"

typedef struct hl7_deliver_stats {
    int sent;        /* exchanges attempted */
    int acked;
    int rejected;
    int retried;     /* left pending for a later attempt */
} hl7_deliver_stats;

/* One pass for one practice, on the caller's thread: every row due at
 * now_ms (next_at <= now_ms) is tried once. SW_ENOTFOUND when the practice
 * has no peer with a send address; store errors otherwise. Used by the
 * worker, the interface test suite and tests. */
int hl7_deliver_once(sw_store *s, int64_t practice_id, int64_t now_ms,
                     const mllp_client_config *client, hl7_deliver_stats *st,
                     sw_err *err);

typedef struct hl7_deliver hl7_deliver;

typedef struct hl7_deliver_options {
    int  poll_ms;                  /* 0: 500; also woken by hl7_deliver_wake */
    mllp_client_config client;     /* host/port ignored: from each peer */
} hl7_deliver_options;

/* Starts the worker thread for every practice that has a peer. */
int  hl7_deliver_start(sw_store *s, const hl7_deliver_options *o,
                       hl7_deliver **out, sw_err *err);
/* Asks for a pass now (after queueing a row). Accepts NULL. */
void hl7_deliver_wake(hl7_deliver *d);
/* Finishes the exchange in flight, stops and frees. Accepts NULL. */
void hl7_deliver_stop(hl7_deliver *d);

#endif
