/* serve.h - running the server until SIGTERM or SIGINT. */
#ifndef SW_SERVER_SERVE_H
#define SW_SERVER_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"
#include "server/backup_worker.h"

typedef struct serve_options {
    const char *db_url;
    const char *host;
    int         port;
    int         threads;
    int         request_timeout_s;
    int         idle_timeout_s;
    /* Sessions and sign-in (docs/auth.md); 0 takes the default. */
    int64_t     session_idle_s;
    int64_t     session_max_s;
    int64_t     lockout_s;
    /* Native TLS (docs/tls.md): PEM files, both or neither. */
    const char *tls_cert_path;
    const char *tls_key_path;
    /* Reverse proxies whose X-Forwarded-For/-Proto are believed. */
    const char *const *trusted_proxies;
    size_t      ntrusted_proxies;
    /* The web app's directory (web.h); NULL: SW_WEB_DIR, the source tree's. */
    const char *web_dir;
    /* The HL7 v2 listener (docs/hl7-interface.md): NULL host, none. Its
     * TLS files are its own (a PMS is often given another certificate). */
    const char *mllp_host;
    int         mllp_port;
    const char *mllp_tls_cert_path;
    const char *mllp_tls_key_path;
    /* The training environment (docs/training.md): its store's URL, NULL
     * to derive it from db_url; no_training serves none (no /training). */
    const char *training_db_url;
    bool        no_training;
    /* A PostgreSQL hot standby of db_url (docs/store.md "Reads on a hot
     * standby"); NULL: every read goes to db_url. */
    const char *db_replica_url;
    /* Leaves the HL7 outbox to another server on the same database
     * (docs/scaling.md): rows queued here wait for that server's worker. */
    bool        no_deliver;
    /* With training_reset, reset the training environment every day at
     * training_reset_minute after midnight UTC (training_nightly.h). */
    bool        training_reset;
    int         training_reset_minute;
    /* The training courses' directory (docs/training.md); NULL:
     * SW_COURSES_DIR, the source tree's courses/. */
    const char *courses_dir;
    /* Monitoring (docs/operations.md): the bearer token GET /metrics
     * requires (NULL: loopback clients only), and JSON log lines. */
    const char *metrics_token;
    bool        log_json;
    /* A downtime copy (readonly.h): every write refused; no training
     * environment, HL7, adoption worker or scheduled backups. */
    bool        read_only;
    /* Scheduled backups (backup_worker.h): none while backups.dir is NULL. */
    backup_schedule backups;
} serve_options;

/* The largest certificate chain or key file read, and the most proxies
 * --trust-proxy takes. */
#define SERVER_TLS_FILE_MAX        (1024 * 1024)
#define SERVER_MAX_TRUSTED_PROXIES 16

/* Opens the store, checks its schema, serves HTTP, and on SIGTERM or SIGINT
 * stops accepting, lets requests in flight finish and closes the store.
 * Prints "Stagewise is serving http://HOST:PORT …" (https:// with TLS) on
 * stdout once ready, after "Stagewise is receiving HL7 v2 over MLLP on
 * HOST:PORT" when it listens for HL7 too. Unless no_training, the
 * training store is opened (created and migrated when missing, with the
 * practice's accounts mirrored) and served under /training/.
 * Returns SW_OK after a clean stop, or an error (err says why) when it
 * could not start. */
int server_run(const serve_options *opt, sw_err *err);

#endif
