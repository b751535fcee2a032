/* mllp.h - the Minimal Lower Layer Protocol (MLLP release 2): framing,
 * a server and a client.
 *
 * A frame is <VT 0x0b> message <FS 0x1c><CR 0x0d>. TCP delivers bytes, not
 * frames: one read may carry many frames, one frame may take many reads,
 * and the framer reassembles them, refusing a frame longer than its limit
 * (a PMS or an attacker must not make us hold unbounded memory).
 *
 * The server accepts connections on its own threads (one per connection,
 * at most max_connections; more are closed unanswered), reassembles
 * frames, hands each message to the handler on the connection's thread,
 * and writes the handler's reply as one frame before it reads the next:
 * MLLP is strictly one message, one acknowledgment, in order. A connection
 * silent for idle_timeout_s, or that starts a frame and does not finish it
 * within read_timeout_s, is closed. The accept callback is asked about
 * every peer address before a byte is read (the peer address list).
 * Optional TLS (GnuTLS) with a PEM certificate and key.
 *
 * The client connects (optionally over TLS), sends one message as a frame
 * and waits for one reply frame, with timeouts on both. */
#ifndef SW_HL7_MLLP_H
#define SW_HL7_MLLP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/errors.h"

#define MLLP_START 0x0b
#define MLLP_END   0x1c
#define MLLP_CR    0x0d

/* ---- Framing -------------------------------------------------------------- */

typedef struct mllp_framer {
    sw_buf frame;        /* the frame being reassembled (without VT) */
    size_t max_frame;    /* bytes of message per frame */
    int    state;        /* private */
    bool   oversized;    /* private: skipping the rest of a frame too long */
} mllp_framer;

/* Called once per complete frame with the message (without VT, FS, CR). */
typedef int (*mllp_frame_fn)(void *ctx, const char *msg, size_t len);

void mllp_framer_init(mllp_framer *f, size_t max_frame);
void mllp_framer_free(mllp_framer *f);
/* Feeds n bytes. Bytes between frames that are not VT (stray CR/LF, noise)
 * are skipped. Calls on_frame for each complete frame; a non-OK return from
 * on_frame stops feeding and is returned. A frame past max_frame is
 * dropped and SW_ETOOBIG returned once (the caller answers or closes);
 * feeding can then go on with the next frame. */
int mllp_framer_feed(mllp_framer *f, const char *data, size_t n,
                     mllp_frame_fn on_frame, void *ctx);
/* Whether a frame has started and not finished (for the read timeout). */
bool mllp_framer_in_frame(const mllp_framer *f);

/* Appends msg wrapped as one frame. */
int mllp_frame_wrap(sw_buf *out, const char *msg, size_t len);

/* ---- Server --------------------------------------------------------------- */

typedef struct mllp_peer {
    char address[64];    /* "127.0.0.1", "::1" */
    int  port;
} mllp_peer;

/* Asked before a connection is served; false closes it unanswered. */
typedef bool (*mllp_accept_fn)(void *ctx, const mllp_peer *peer);
/* Called for each message on the connection's thread; puts the reply
 * message (without framing) in reply. An empty reply sends nothing. A
 * non-OK return closes the connection without a reply. */
typedef int (*mllp_handler)(void *ctx, const mllp_peer *peer,
                            const char *msg, size_t len, sw_buf *reply);
/* Called when a frame was too long (SW_ETOOBIG): a reply (an AR/CR naming
 * the limit) may be put in reply; the connection is then closed. NULL:
 * just close. */
typedef void (*mllp_oversize_fn)(void *ctx, const mllp_peer *peer,
                                 size_t max_frame, sw_buf *reply);

typedef struct mllp_server_config {
    const char      *host;              /* "127.0.0.1", "::", "0.0.0.0" */
    int              port;              /* 0: any free port */
    int              max_connections;   /* 0: SW_MLLP_MAX_CONNECTIONS */
    size_t           max_frame;         /* 0: SW_HL7_MAX_MESSAGE_BYTES */
    int              idle_timeout_s;    /* 0: SW_MLLP_IDLE_TIMEOUT_S */
    int              read_timeout_s;    /* 0: SW_MLLP_READ_TIMEOUT_S */
    const char      *tls_cert_pem;      /* both or neither: PEM text */
    const char      *tls_key_pem;
    mllp_accept_fn   accept;            /* NULL: everyone */
    mllp_handler     handler;
    mllp_oversize_fn oversize;          /* may be NULL */
    void            *ctx;
} mllp_server_config;

typedef struct mllp_server mllp_server;

int  mllp_server_start(const mllp_server_config *cfg, mllp_server **out,
                       sw_err *err);
/* The port listened on (useful with port 0). */
int  mllp_server_port(const mllp_server *s);
/* Stops accepting, lets each connection finish the message it is handling
 * (its reply is written), closes every connection, joins the threads and
 * frees. Accepts NULL. */
void mllp_server_stop(mllp_server *s);

/* ---- Client --------------------------------------------------------------- */

typedef struct mllp_client_config {
    const char *host;
    int         port;
    int         connect_timeout_ms;   /* 0: SW_MLLP_CONNECT_TIMEOUT_MS */
    int         reply_timeout_ms;     /* 0: SW_MLLP_REPLY_TIMEOUT_MS */
    size_t      max_frame;            /* 0: SW_HL7_MAX_MESSAGE_BYTES */
    bool        tls;                  /* TLS to the peer */
    const char *tls_ca_file;          /* trust anchors; NULL: the system's */
    bool        tls_insecure;         /* tests only: skip verification */
} mllp_client_config;

typedef struct mllp_client mllp_client;

/* Connects; SW_EIO with a sentence ("cannot connect to 10.0.0.5:2575:
 * connection refused") or SW_ETIMEOUT. */
int  mllp_client_connect(const mllp_client_config *cfg, mllp_client **out,
                         sw_err *err);
/* Sends msg as one frame and reads one reply frame into reply (reset
 * first). SW_ETIMEOUT when no reply came in time, SW_EIO when the peer
 * closed or the connection failed (the client is then unusable: close
 * it), SW_ETOOBIG for a reply past max_frame. */
int  mllp_client_exchange(mllp_client *c, const char *msg, size_t len,
                          sw_buf *reply, sw_err *err);
/* Sends msg as one frame without waiting for a reply. */
int  mllp_client_send(mllp_client *c, const char *msg, size_t len, sw_err *err);
/* Waits for one reply frame. */
int  mllp_client_receive(mllp_client *c, sw_buf *reply, sw_err *err);
void mllp_client_close(mllp_client *c);

#endif
