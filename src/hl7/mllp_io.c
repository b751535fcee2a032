/* mllp_io.c - the bytes of one MLLP connection, over plain TCP or TLS
 * (GnuTLS): waiting with a deadline, reading what is there, writing all of
 * a frame, the TLS credentials and handshakes of both sides, closing.
 *
 * The MLLP server (a thread per connection) and the client call these for
 * every frame, so nothing here allocates per call. Sockets are
 * non-blocking and every wait is a poll() with a deadline, so a peer that
 * stops reading or writing never holds a thread past its timeout; the
 * server's wake descriptor (an eventfd written at stop) ends any wait.
 * Writes never raise SIGPIPE (MSG_NOSIGNAL, also under TLS through our
 * own push function), as a library must not depend on the program's
 * signal settings. */
#include "hl7/mllp_int.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/alloc.h"
#include "core/clock.h"

struct mllp_tls_server {
    gnutls_certificate_credentials_t cred;
};

struct mllp_tls_client {
    gnutls_certificate_credentials_t cred;
};

int mllp_poll_ms(int64_t deadline_ms)
{
    if (deadline_ms < 0)
        return -1;
    int64_t left = deadline_ms - sw_now_mono_ms();
    if (left <= 0)
        return 0;
    return left > INT_MAX ? INT_MAX : (int)left;
}

/* Waits until fd is ready for events. SW_OK, SW_ETIMEOUT, SW_ESHUTDOWN
 * (wake_fd readable) or SW_EIO (errno kept in io). */
static int wait_fd(mllp_io *io, short events, int64_t deadline_ms, int wake_fd)
{
    for (;;) {
        struct pollfd p[2] = {
            { .fd = io->fd, .events = events },
            { .fd = wake_fd, .events = POLLIN },
        };
        int rc = poll(p, wake_fd >= 0 ? 2 : 1, mllp_poll_ms(deadline_ms));
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            io->last_errno = errno;
            io->last_tls = 0;
            return SW_EIO;
        }
        if (rc == 0)
            return SW_ETIMEOUT;
        if (wake_fd >= 0 && (p[1].revents & POLLIN))
            return SW_ESHUTDOWN;
        /* Errors and hang-ups are left for the read or write to report. */
        return SW_OK;
    }
}

const char *mllp_io_error(const mllp_io *io, char why[MLLP_WHY_MAX])
{
    const char *text;
    char tmp[MLLP_WHY_MAX];
    if (io->last_tls != 0)
        text = gnutls_strerror(io->last_tls);
    else if (io->last_errno != 0)
        text = strerror_r(io->last_errno, tmp, sizeof tmp);
    else
        text = "unknown error";
    snprintf(why, MLLP_WHY_MAX, "%s", text);
    /* "Connection refused" reads better mid-sentence in lower case; TLS
     * messages ("The TLS connection was non-properly terminated.") lose
     * their final period for the same reason. */
    if (why[0] >= 'A' && why[0] <= 'Z' && !(why[1] >= 'A' && why[1] <= 'Z'))
        why[0] = (char)(why[0] - 'A' + 'a');
    size_t len = strlen(why);
    if (len > 0 && why[len - 1] == '.')
        why[len - 1] = '\0';
    return why;
}

/* ---- Reading and writing --------------------------------------------------- */

static ssize_t read_tls(mllp_io *io, char *buf, size_t n, int64_t deadline_ms,
                        int wake_fd)
{
    gnutls_session_t s = io->tls;
    for (;;) {
        /* Records already decrypted need no wait. */
        if (gnutls_record_check_pending(s) == 0) {
            short ev = gnutls_record_get_direction(s) ? POLLOUT : POLLIN;
            int rc = wait_fd(io, ev, deadline_ms, wake_fd);
            if (rc == SW_ETIMEOUT)
                return MLLP_IO_TIMEOUT;
            if (rc == SW_ESHUTDOWN)
                return MLLP_IO_WOKEN;
            if (rc != SW_OK)
                return MLLP_IO_FAILED;
        }
        ssize_t r = gnutls_record_recv(s, buf, n);
        if (r > 0)
            return r;
        if (r == 0 || r == GNUTLS_E_PREMATURE_TERMINATION)
            return MLLP_IO_CLOSED;
        if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
            continue;
        if (!gnutls_error_is_fatal((int)r))
            continue;           /* a warning alert, a session ticket */
        io->last_tls = (int)r;
        io->last_errno = 0;
        return MLLP_IO_FAILED;
    }
}

ssize_t mllp_io_read(mllp_io *io, char *buf, size_t n, int64_t deadline_ms,
                     int wake_fd)
{
    if (io->tls)
        return read_tls(io, buf, n, deadline_ms, wake_fd);
    for (;;) {
        int rc = wait_fd(io, POLLIN, deadline_ms, wake_fd);
        if (rc == SW_ETIMEOUT)
            return MLLP_IO_TIMEOUT;
        if (rc == SW_ESHUTDOWN)
            return MLLP_IO_WOKEN;
        if (rc != SW_OK)
            return MLLP_IO_FAILED;
        ssize_t r = recv(io->fd, buf, n, 0);
        if (r > 0)
            return r;
        if (r == 0)
            return MLLP_IO_CLOSED;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            continue;
        if (errno == ECONNRESET)
            return MLLP_IO_CLOSED;
        io->last_errno = errno;
        io->last_tls = 0;
        return MLLP_IO_FAILED;
    }
}

int mllp_io_write_all(mllp_io *io, const char *buf, size_t n,
                      int64_t deadline_ms)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w;
        if (io->tls) {
            w = gnutls_record_send(io->tls, buf + off, n - off);
            if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED) {
                /* GnuTLS wants the same call again once the socket is ready. */
                short ev = gnutls_record_get_direction(io->tls) ? POLLOUT : POLLIN;
                int rc = wait_fd(io, ev, deadline_ms, -1);
                if (rc != SW_OK)
                    return rc;
                continue;
            }
            if (w < 0) {
                io->last_tls = (int)w;
                io->last_errno = 0;
                return SW_EIO;
            }
        } else {
            w = send(io->fd, buf + off, n - off, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    int rc = wait_fd(io, POLLOUT, deadline_ms, -1);
                    if (rc != SW_OK)
                        return rc;
                    continue;
                }
                io->last_errno = errno;
                io->last_tls = 0;
                return SW_EIO;
            }
        }
        off += (size_t)w;
    }
    return SW_OK;
}

void mllp_io_shutdown_write(mllp_io *io)
{
    if (io->fd < 0)
        return;
    if (io->tls)
        gnutls_bye(io->tls, GNUTLS_SHUT_WR);   /* best effort, non-blocking */
    shutdown(io->fd, SHUT_WR);
}

void mllp_io_close(mllp_io *io)
{
    if (io->tls) {
        gnutls_deinit(io->tls);
        io->tls = NULL;
    }
    if (io->fd >= 0) {
        close(io->fd);
        io->fd = -1;
    }
}

/* ---- GnuTLS transport: plain send/recv, never SIGPIPE ---------------------- */

static ssize_t tls_push(gnutls_transport_ptr_t ptr, const void *data, size_t n)
{
    return send((int)(intptr_t)ptr, data, n, MSG_NOSIGNAL);
}

static ssize_t tls_pull(gnutls_transport_ptr_t ptr, void *data, size_t n)
{
    return recv((int)(intptr_t)ptr, data, n, 0);
}

static int tls_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
    struct pollfd p = { .fd = (int)(intptr_t)ptr, .events = POLLIN };
    return poll(&p, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
}

static void tls_attach(gnutls_session_t s, int fd)
{
    gnutls_transport_set_ptr(s, (gnutls_transport_ptr_t)(intptr_t)fd);
    gnutls_transport_set_push_function(s, tls_push);
    gnutls_transport_set_pull_function(s, tls_pull);
    gnutls_transport_set_pull_timeout_function(s, tls_pull_timeout);
}

/* Runs the handshake to its end on a non-blocking socket. */
static int handshake(gnutls_session_t s, mllp_io *io, int64_t deadline_ms,
                     int wake_fd)
{
    for (;;) {
        int rc = gnutls_handshake(s);
        if (rc == GNUTLS_E_SUCCESS)
            return SW_OK;
        if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) {
            short ev = gnutls_record_get_direction(s) ? POLLOUT : POLLIN;
            int w = wait_fd(io, ev, deadline_ms, wake_fd);
            if (w != SW_OK)
                return w;
            continue;
        }
        if (!gnutls_error_is_fatal(rc))
            continue;
        io->last_tls = rc;
        io->last_errno = 0;
        return SW_EIO;
    }
}

/* A non-blocking session of either side on cred with the default
 * priorities. SW_OK, SW_ENOMEM, or SW_EINTERNAL saying why (the session
 * freed). */
static int session_new(unsigned flags, gnutls_certificate_credentials_t cred,
                       const char *what, gnutls_session_t *out, sw_err *err)
{
    gnutls_session_t s;
    if (gnutls_init(&s, flags | GNUTLS_NONBLOCK) < 0)
        return sw_err_set(err, SW_ENOMEM, NULL);
    int rc = gnutls_set_default_priority(s);
    if (rc >= 0)
        rc = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
    if (rc < 0) {
        gnutls_deinit(s);
        return sw_err_set(err, SW_EINTERNAL, "TLS with %s cannot be set up: %s",
                          what, gnutls_strerror(rc));
    }
    *out = s;
    return SW_OK;
}

/* The sentence for a handshake that ended with rc (not SW_OK), either
 * side; the session is freed. */
static int handshake_failed(gnutls_session_t s, mllp_io *io, int rc,
                            const char *what, sw_err *err)
{
    gnutls_deinit(s);
    char why[MLLP_WHY_MAX];
    if (rc == SW_ETIMEOUT)
        return sw_err_set(err, rc, "the TLS handshake with %s did not "
                          "finish in time", what);
    if (rc == SW_ESHUTDOWN)
        return sw_err_set(err, rc, "the MLLP server is stopping");
    return sw_err_set(err, SW_EIO, "the TLS handshake with %s failed: %s",
                      what, mllp_io_error(io, why));
}

/* ---- Server side ------------------------------------------------------------ */

int mllp_tls_server_new(const char *cert_pem, const char *key_pem,
                        mllp_tls_server **out, sw_err *err)
{
    *out = NULL;
    mllp_tls_server *t = sw_calloc(1, sizeof *t);
    if (t == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    if (gnutls_certificate_allocate_credentials(&t->cred) < 0) {
        sw_free(t);
        return sw_err_set(err, SW_ENOMEM, NULL);
    }
    gnutls_datum_t cert = { (unsigned char *)cert_pem, (unsigned)strlen(cert_pem) };
    gnutls_datum_t key = { (unsigned char *)key_pem, (unsigned)strlen(key_pem) };
    int rc = gnutls_certificate_set_x509_key_mem2(t->cred, &cert, &key,
                                                  GNUTLS_X509_FMT_PEM, NULL, 0);
    if (rc < 0) {
        gnutls_certificate_free_credentials(t->cred);
        sw_free(t);
        char why[MLLP_WHY_MAX];
        mllp_io io = { .fd = -1, .last_tls = rc };
        return sw_err_set(err, SW_EINVAL, "the MLLP TLS certificate and key "
                          "cannot be used: %s", mllp_io_error(&io, why));
    }
    *out = t;
    return SW_OK;
}

void mllp_tls_server_free(mllp_tls_server *t)
{
    if (t == NULL)
        return;
    gnutls_certificate_free_credentials(t->cred);
    sw_free(t);
}

int mllp_tls_server_handshake(mllp_tls_server *t, mllp_io *io,
                              int64_t deadline_ms, int wake_fd,
                              const char *what, sw_err *err)
{
    gnutls_session_t s;
    int rc = session_new(GNUTLS_SERVER, t->cred, what, &s, err);
    if (rc != SW_OK)
        return rc;
    gnutls_certificate_server_set_request(s, GNUTLS_CERT_IGNORE);
    tls_attach(s, io->fd);
    rc = handshake(s, io, deadline_ms, wake_fd);
    if (rc != SW_OK)
        return handshake_failed(s, io, rc, what, err);
    io->tls = s;
    return SW_OK;
}

/* ---- Client side ------------------------------------------------------------ */

int mllp_tls_client_new(const char *ca_file, bool insecure,
                        mllp_tls_client **out, sw_err *err)
{
    *out = NULL;
    mllp_tls_client *t = sw_calloc(1, sizeof *t);
    if (t == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    if (gnutls_certificate_allocate_credentials(&t->cred) < 0) {
        sw_free(t);
        return sw_err_set(err, SW_ENOMEM, NULL);
    }
    int rc = SW_OK;
    if (!insecure) {
        int n = ca_file
            ? gnutls_certificate_set_x509_trust_file(t->cred, ca_file,
                                                     GNUTLS_X509_FMT_PEM)
            : gnutls_certificate_set_x509_system_trust(t->cred);
        if (n < 0 && ca_file)
            rc = sw_err_set(err, SW_EINVAL, "the CA file %s cannot be read: %s",
                            ca_file, gnutls_strerror(n));
        else if (n < 0)
            rc = sw_err_set(err, SW_EINVAL, "the system's trusted certificates "
                            "cannot be loaded: %s", gnutls_strerror(n));
        else if (n == 0 && ca_file)
            rc = sw_err_set(err, SW_EINVAL, "the CA file %s holds no PEM "
                            "certificate", ca_file);
    }
    if (rc != SW_OK) {
        gnutls_certificate_free_credentials(t->cred);
        sw_free(t);
        return rc;
    }
    *out = t;
    return SW_OK;
}

void mllp_tls_client_free(mllp_tls_client *t)
{
    if (t == NULL)
        return;
    gnutls_certificate_free_credentials(t->cred);
    sw_free(t);
}

/* Whether name is an IPv4 or IPv6 literal (no SNI for those). */
static bool is_ip_literal(const char *name)
{
    if (strchr(name, ':'))
        return true;
    for (const char *p = name; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return false;
    return true;
}

int mllp_tls_client_handshake(mllp_tls_client *t, mllp_io *io,
                              const char *server_name, bool insecure,
                              int64_t deadline_ms, const char *what,
                              sw_err *err)
{
    gnutls_session_t s;
    int rc = session_new(GNUTLS_CLIENT, t->cred, what, &s, err);
    if (rc != SW_OK)
        return rc;
    if (!is_ip_literal(server_name)
        && (rc = gnutls_server_name_set(s, GNUTLS_NAME_DNS, server_name,
                                        strlen(server_name))) < 0) {
        gnutls_deinit(s);
        return sw_err_set(err, SW_EINTERNAL, "TLS with %s cannot be set up: %s",
                          what, gnutls_strerror(rc));
    }
    /* Checks the chain against the trust anchors and the certificate
     * against the name (or address) we connected to. */
    if (!insecure)
        gnutls_session_set_verify_cert(s, server_name, 0);
    tls_attach(s, io->fd);
    rc = handshake(s, io, deadline_ms, -1);
    if (rc == SW_OK) {
        io->tls = s;
        return SW_OK;
    }
    if (rc != SW_ETIMEOUT
        && io->last_tls == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
        unsigned status = gnutls_session_get_verify_cert_status(s);
        gnutls_datum_t text = { NULL, 0 };
        gnutls_certificate_verification_status_print(
            status, GNUTLS_CRT_X509, &text, 0);
        rc = sw_err_set(err, SW_EIO, "the certificate of %s is not trusted: %s",
                        what, text.data ? (const char *)text.data : "unknown reason");
        gnutls_free(text.data);
        gnutls_deinit(s);
        return rc;
    }
    return handshake_failed(s, io, rc, what, err);
}
