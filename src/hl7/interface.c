/* interface.c - the HL7 v2 interface as the server runs it (see
 * interface.h): the MLLP listener with its peer check, and the delivery
 * worker. */
#include "hl7/interface.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "hl7/ack.h"
#include "hl7/deliver.h"
#include "hl7/inbound.h"
#include "hl7/mllp.h"
#include "hl7/peer.h"

struct hl7_interface {
    sw_store        *store;
    mllp_server     *listener;
    hl7_deliver     *deliver;
    pthread_mutex_t  lock;       /* guards the peer list below */
    hl7_peer        *peers;
    size_t           npeers;
    int64_t          loaded_ms;  /* monotonic; 0: never */
};

/* The practice whose peer list holds address, from a peer list at most
 * SW_HL7_PEER_RELOAD_MS old; 0 when none does (or the store cannot say). */
static int64_t practice_for(hl7_interface *h, const char *address)
{
    pthread_mutex_lock(&h->lock);
    int64_t now = sw_now_mono_us() / 1000;
    if (h->loaded_ms == 0 || now - h->loaded_ms >= SW_HL7_PEER_RELOAD_MS) {
        hl7_peer *peers = NULL;
        size_t n = 0;
        sw_err err;
        if (hl7_peer_all(h->store, &peers, &n, &err) == SW_OK) {
            sw_free(h->peers);
            h->peers = peers;
            h->npeers = n;
            h->loaded_ms = now;
        } else {
            sw_warn("hl7: cannot read the peer lists: %s", err.msg);
        }
    }
    int64_t practice = hl7_peer_practice_for(h->peers, h->npeers, address);
    pthread_mutex_unlock(&h->lock);
    return practice;
}

static bool on_accept(void *ctx, const mllp_peer *peer)
{
    if (practice_for(ctx, peer->address) != 0)
        return true;
    sw_warn("hl7: connection from %s refused: the address is in no "
            "practice's peer list (stagewise interface peer --allow)",
            peer->address);
    return false;
}

static int on_message(void *ctx, const mllp_peer *peer, const char *msg,
                      size_t len, sw_buf *reply)
{
    hl7_interface *h = ctx;
    /* Asked again: the peer list may have changed since the connection
     * was accepted. */
    int64_t practice = practice_for(h, peer->address);
    if (practice == 0)
        return SW_EFORBIDDEN;
    hl7_inbound_result r;
    return hl7_inbound_take(h->store, practice, peer->address, msg, len,
                            reply, &r);
}

static void on_oversize(void *ctx, const mllp_peer *peer, size_t max_frame,
                        sw_buf *reply)
{
    (void)ctx;
    char text[160];
    snprintf(text, sizeof text, "the message is longer than %zu bytes, the "
             "most this interface takes", max_frame);
    sw_warn("hl7: a message from %s was longer than %zu bytes; refused",
            peer->address, max_frame);
    hl7_ack_build(NULL, "", 0, "AR", text, NULL, 0, 0, reply);
}

int hl7_interface_start(const hl7_interface_config *cfg, hl7_interface **out,
                        sw_err *err)
{
    *out = NULL;
    hl7_interface *h = sw_calloc(1, sizeof *h);
    if (h == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    h->store = cfg->store;
    pthread_mutex_init(&h->lock, NULL);
    int rc = SW_OK;
    if (cfg->deliver) {
        hl7_deliver_options o = { 0 };
        rc = hl7_deliver_start(cfg->store, &o, &h->deliver, err);
    }
    if (rc == SW_OK && cfg->mllp_host != NULL) {
        mllp_server_config mc = {
            .host = cfg->mllp_host,
            .port = cfg->mllp_port,
            .tls_cert_pem = cfg->tls_cert_pem,
            .tls_key_pem = cfg->tls_key_pem,
            .accept = on_accept,
            .handler = on_message,
            .oversize = on_oversize,
            .ctx = h,
        };
        rc = mllp_server_start(&mc, &h->listener, err);
    }
    if (rc != SW_OK) {
        hl7_interface_stop(h);
        return rc;
    }
    *out = h;
    return SW_OK;
}

int hl7_interface_mllp_port(const hl7_interface *h)
{
    return h && h->listener ? mllp_server_port(h->listener) : 0;
}

struct hl7_deliver *hl7_interface_deliver(hl7_interface *h)
{
    return h ? h->deliver : NULL;
}

void hl7_interface_stop(hl7_interface *h)
{
    if (h == NULL)
        return;
    mllp_server_stop(h->listener);
    hl7_deliver_stop(h->deliver);
    sw_free(h->peers);
    pthread_mutex_destroy(&h->lock);
    sw_free(h);
}
