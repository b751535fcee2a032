/* interface.h - the HL7 v2 interface as `stagewise serve` runs it: the
 * MLLP listener for messages from each practice's PMS (inbound.h), which
 * admits only addresses in some practice's peer list (peer.h) and files
 * each message under that practice, and the outbox's delivery worker
 * (deliver.h).
 *
 * Peer lists are re-read at most every SW_HL7_PEER_RELOAD_MS, so a change
 * made with `stagewise interface peer` takes effect without a restart. */
#ifndef SW_HL7_INTERFACE_H
#define SW_HL7_INTERFACE_H

#include <stdbool.h>

#include "core/errors.h"
#include "store/store.h"

typedef struct hl7_interface_config {
    sw_store   *store;
    const char *mllp_host;      /* NULL: no listener */
    int         mllp_port;      /* 0: any free port */
    const char *tls_cert_pem;   /* MLLP over TLS: both or neither */
    const char *tls_key_pem;
    bool        deliver;        /* run the outbox delivery worker */
} hl7_interface_config;

typedef struct hl7_interface hl7_interface;

int  hl7_interface_start(const hl7_interface_config *cfg, hl7_interface **out,
                         sw_err *err);
/* The listener's port; 0 when there is none. */
int  hl7_interface_mllp_port(const hl7_interface *h);
/* The delivery worker, for requests that queue a message to wake it;
 * NULL when it does not run. */
struct hl7_deliver *hl7_interface_deliver(hl7_interface *h);
/* Stops the listener (messages being handled are answered first), then the
 * worker. Accepts NULL. */
void hl7_interface_stop(hl7_interface *h);

#endif
