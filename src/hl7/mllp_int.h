/* mllp_int.h - what the MLLP server and client share and nothing else
 * calls: a framer feed that stops after one frame (so a reader can keep the
 * bytes that follow for later and answer frames strictly in order), and
 * the TLS and socket helpers of mllp_io.c.
 *
 * Ownership: mllp_io does not own its descriptor's lifetime beyond
 * mllp_io_close; the session belongs to the io until then. */
#ifndef SW_HL7_MLLP_INT_H
#define SW_HL7_MLLP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hl7/mllp.h"

/* Feeds bytes until one frame has been delivered, a frame passed the
 * limit (SW_ETOOBIG), on_frame failed, or the data ran out; *used says how
 * many bytes were consumed, so the caller can feed the rest later. *used
 * is 0 only with SW_ETOOBIG (an FS from an earlier call turned out to be
 * data past the limit); the next call then makes progress. */
int mllp_framer_feed_one(mllp_framer *f, const char *data, size_t n,
                         mllp_frame_fn on_frame, void *ctx, size_t *used);

/* ---- Sockets, plain or TLS (mllp_io.c) ------------------------------------ */

typedef struct mllp_tls_server mllp_tls_server;   /* certificate and key */
typedef struct mllp_tls_client mllp_tls_client;   /* trust anchors */

/* One connection: a non-blocking socket and, with TLS, its session. */
typedef struct mllp_io {
    int   fd;
    void *tls;           /* gnutls_session_t, NULL for plain TCP */
    int   last_errno;    /* why the last MLLP_IO_FAILED or SW_EIO happened */
    int   last_tls;      /* the GnuTLS error code, when it was TLS's */
} mllp_io;

/* Loads a PEM certificate (chain) and key; SW_EINVAL with a sentence. */
int  mllp_tls_server_new(const char *cert_pem, const char *key_pem,
                         mllp_tls_server **out, sw_err *err);
void mllp_tls_server_free(mllp_tls_server *t);
/* Trust anchors from ca_file (NULL: the system's), or none when insecure. */
int  mllp_tls_client_new(const char *ca_file, bool insecure,
                         mllp_tls_client **out, sw_err *err);
void mllp_tls_client_free(mllp_tls_client *t);

/* Handshakes on io->fd (non-blocking) until deadline_ms (sw_now_mono_ms);
 * on success io->tls is set. what names the peer in the sentence
 * ("10.0.0.5:2575"). wake_fd, when >= 0, aborts the wait when readable. */
int  mllp_tls_server_handshake(mllp_tls_server *t, mllp_io *io,
                               int64_t deadline_ms, int wake_fd,
                               const char *what, sw_err *err);
/* server_name is checked against the certificate unless insecure. */
int  mllp_tls_client_handshake(mllp_tls_client *t, mllp_io *io,
                               const char *server_name, bool insecure,
                               int64_t deadline_ms, const char *what,
                               sw_err *err);

/* Result of mllp_io_read beyond a byte count. */
#define MLLP_IO_CLOSED   (-1)  /* the peer closed the connection */
#define MLLP_IO_TIMEOUT  (-2)  /* nothing before the deadline */
#define MLLP_IO_WOKEN    (-3)  /* wake_fd became readable */
#define MLLP_IO_FAILED   (-4)  /* a socket or TLS error (errno or TLS) */

/* Reads what is there (at most n bytes), waiting until deadline_ms
 * (sw_now_mono_ms; < 0: forever) for something to arrive; wake_fd as above. */
ssize_t mllp_io_read(mllp_io *io, char *buf, size_t n, int64_t deadline_ms,
                     int wake_fd);
/* Writes all n bytes before deadline_ms: SW_OK, SW_ETIMEOUT or SW_EIO. */
int  mllp_io_write_all(mllp_io *io, const char *buf, size_t n,
                       int64_t deadline_ms);
/* Why the last MLLP_IO_FAILED or SW_EIO happened, for a sentence
 * ("connection reset by peer"). */
#define MLLP_WHY_MAX 160
const char *mllp_io_error(const mllp_io *io, char why[MLLP_WHY_MAX]);
/* Half-closes the sending side (after the last reply), so the reply
 * reaches the peer before the connection is torn down. */
void mllp_io_shutdown_write(mllp_io *io);
/* Ends TLS politely (without waiting) and closes the socket. */
void mllp_io_close(mllp_io *io);

/* Milliseconds from now to deadline_ms for poll(): 0 when past, -1 for no
 * deadline. */
int  mllp_poll_ms(int64_t deadline_ms);

#endif
