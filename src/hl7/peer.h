/* peer.h - the practice-management system a practice exchanges HL7 v2
 * with (table hl7_peer, one per practice): the addresses it may connect
 * from (the inbound peer list), where outbound messages go, our facility
 * name in MSH-4, and the processing id (P in production, T in tests).
 * Set with `stagewise interface peer` (docs/commands/interface.md). */
#ifndef SW_HL7_PEER_H
#define SW_HL7_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/errors.h"
#include "core/limits.h"
#include "store/store.h"

typedef struct hl7_peer {
    int64_t practice_id;
    char    addresses[SW_MLLP_MAX_PEER_ADDRESSES][64]; /* IP addresses */
    int     naddresses;
    char    send_host[256];      /* "" when nothing is sent */
    int     send_port;
    char    processing_id[2];    /* "P" or "T" */
    char    facility[64];        /* our MSH-4; "" is the practice id */
    int64_t updated_at;
} hl7_peer;

/* Inside a transaction. SW_ENOTFOUND when the practice has none. */
int hl7_peer_load(store_tx *tx, int64_t practice_id, hl7_peer *out);
/* Inserts or replaces the practice's peer. */
int hl7_peer_save(store_tx *tx, const hl7_peer *p);
/* Every practice's peer (for the listener's address check and the
 * delivery worker); *out is malloc'ed, free with sw_free. */
int hl7_peer_all(sw_store *s, hl7_peer **out, size_t *n, sw_err *err);
/* Parses "10.0.0.5,127.0.0.1" into p's address list; SW_EINVAL with a
 * sentence for a bad address or too many. */
int hl7_peer_parse_addresses(hl7_peer *p, const char *list, sw_err *err);
/* The practice whose peer list holds address; 0 when none does. */
int64_t hl7_peer_practice_for(const hl7_peer *peers, size_t n,
                              const char *address);

#endif
