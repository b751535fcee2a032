/* serve.c - start-up, the wait for a signal, and orderly shutdown.
 *
 * Signals are blocked before any thread starts, so every thread inherits
 * the mask and only this one receives SIGTERM/SIGINT, through sigwait: no
 * async-signal-safety puzzles. Shutdown order matters: stop accepting, let
 * requests in flight finish (SW_HTTP_SHUTDOWN_GRACE_S), stop the workers,
 * and only then close the store, which finishes any queued write and
 * checkpoints SQLite's WAL. */
#include "serve.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/users.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "demo/demo.h"
#include "hl7/interface.h"
#include "rollout/decide_cache.h"
#include "training/course.h"
#include "training/env_reset.h"
#include "training/env_store.h"
#include "monitor.h"
#include "training_nightly.h"
#include "adoption_worker.h"
#include "readonly.h"

/* Reads a PEM file for TLS into memory (freed with pem_free). */
static int read_pem(const char *path, const char *what, char **out,
                    sw_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sw_err_set(err, SW_EIO, "cannot read the TLS %s %s: %s; give "
                          "a readable PEM file", what, path, strerror(errno));
    char *buf = sw_malloc(SERVER_TLS_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, SERVER_TLS_FILE_MAX + 1, f) : 0;
    bool bad = buf && (ferror(f) || n > SERVER_TLS_FILE_MAX);
    fclose(f);
    if (buf == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    buf[n > SERVER_TLS_FILE_MAX ? SERVER_TLS_FILE_MAX : n] = '\0';
    if (bad || strstr(buf, "-----BEGIN ") == NULL) {
        sodium_memzero(buf, SERVER_TLS_FILE_MAX + 1);
        sw_free(buf);
        return sw_err_set(err, SW_EINVAL, "the TLS %s %s is not a PEM file "
                          "of at most %d bytes", what, path,
                          SERVER_TLS_FILE_MAX);
    }
    *out = buf;
    return SW_OK;
}

/* Wipes (it may be a private key) and frees. */
static void pem_free(char *pem)
{
    if (pem != NULL) {
        sodium_memzero(pem, strlen(pem));
        sw_free(pem);
    }
}

static int practice_is_demo(store_tx *tx, void *ctx)
{
    return auth_practice_is_demo(tx, DEMO_PRACTICE_ID, ctx);
}

/* The hot standby of --db-replica: PostgreSQL like the primary, reachable
 * and at the same schema version, else the start fails with a sentence
 * (a mistyped URL should not quietly send every read to the primary). */
static int open_replica(sw_store *primary, const serve_options *opt,
                        sw_store **out, sw_err *err)
{
    if (store_kind_of(primary) != STORE_POSTGRES)
        return sw_err_set(err, SW_EUSAGE, "--db-replica needs a PostgreSQL "
                          "--db: a standby copies a PostgreSQL primary");
    store_options so = { .create = false, .connections = opt->threads };
    int rc = store_open(opt->db_replica_url, &so, out, err);
    if (rc == SW_OK && store_kind_of(*out) != STORE_POSTGRES)
        rc = sw_err_set(err, SW_EUSAGE, "--db-replica must be a "
                        "postgresql:// URL of a hot standby");
    if (rc == SW_OK)
        rc = store_schema_check(*out, err);
    if (rc != SW_OK) {
        store_close(*out);
        *out = NULL;
        return rc;
    }
    store_set_replica(primary, *out);
    sw_info("reading searches and reports from the replica %s",
            store_display(*out));
    return SW_OK;
}

int server_run(const serve_options *opt, sw_err *err)
{
    int64_t t0 = sw_now_mono_us();
    sw_log_set_format(opt->log_json ? SW_LOG_JSON : SW_LOG_TEXT);
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    sw_app app = { 0 }, training = { 0 };
    auth_policy_default(&app.auth);
    if (opt->session_idle_s > 0)
        app.auth.idle_ms = opt->session_idle_s * 1000;
    if (opt->session_max_s > 0)
        app.auth.max_ms = opt->session_max_s * 1000;
    if (opt->lockout_s > 0)
        app.auth.lockout_ms = opt->lockout_s * 1000;
    char *cert = NULL, *key = NULL;
    sw_store *replica = NULL;
    int rc = SW_OK;
    if (opt->tls_cert_path != NULL) {
        rc = read_pem(opt->tls_cert_path, "certificate", &cert, err);
        if (rc == SW_OK)
            rc = read_pem(opt->tls_key_path, "key", &key, err);
        if (rc != SW_OK)
            goto out_pem;
    }
    rc = web_load(opt->web_dir ? opt->web_dir : SW_WEB_DIR, &app.web, err);
    if (rc != SW_OK)
        goto out_pem;
    /* The training courses (docs/training.md): a bad file stops the start. */
    rc = training_courses_load(opt->courses_dir ? opt->courses_dir
                               : SW_COURSES_DIR, &app.courses, err);
    if (rc != SW_OK)
        goto out_pem;
    if (opt->read_only
        && (rc = server_read_only_target_ok(opt->db_url, err)) != SW_OK)
        goto out_pem;
    store_options so = { .create = false, .connections = opt->threads };
    rc = store_open(opt->db_url, &so, &app.store, err);
    if (rc != SW_OK)
        goto out_pem;
    app.prod_store = app.store;
    rc = store_schema_check(app.store, err);
    if (rc != SW_OK)
        goto out_store;
    if (opt->db_replica_url != NULL
        && (rc = open_replica(app.store, opt, &replica, err)) != SW_OK)
        goto out_store;
    /* A downtime copy: its data is as of its newest audit entry, read
     * before this server adds any. */
    int64_t copy_from = 0;
    if (opt->read_only) {
        rc = server_read_only_copy_time(app.store, &copy_from, err);
        if (rc != SW_OK)
            goto out_store;
        server_read_only_set(copy_from);
    }
    bool demo = false;
    rc = store_read(app.store, practice_is_demo, &demo, err);
    if (rc != SW_OK)
        goto out_store;
    /* The demo practice always has a clinic day to look at. */
    if (demo && !opt->read_only
        && (rc = demo_book_today(app.store, sw_now_wall_ms(), err)) != SW_OK)
        goto out_store;

    /* The training environment's store, created when missing; the
     * accounts it mirrors are brought up to date at every start. */
    bool training_created = false;
    int mirrored = 0;
    if (!opt->no_training && !opt->read_only) {
        rc = training_store_open(app.store, opt->db_url, opt->training_db_url,
                                 opt->threads, &app.training_store,
                                 &training_created, err);
        if (rc == SW_OK)
            rc = training_store_mirror_users(app.store, app.training_store, 0,
                                             &mirrored, err);
        if (rc != SW_OK) {
            sw_err why = *err;
            sw_err_set(err, rc, "the training environment's database could "
                       "not be prepared (%s); give --training-db URL, or "
                       "--no-training to serve none", why.msg);
            goto out_store;
        }
    }

    /* Rollout decisions, per practice and plan version (decide_cache.h). */
    app.rollout = rollout_cache_create();
    if (app.rollout == NULL) {
        rc = sw_err_set(err, SW_ENOMEM, "out of memory for the rollout "
                        "decision cache");
        goto out_store;
    }
    /* The HL7 v2 interface starts first: requests that queue a charge
     * wake its delivery worker. */
    char *mllp_cert = NULL, *mllp_key = NULL;
    if (opt->mllp_tls_cert_path != NULL) {
        rc = read_pem(opt->mllp_tls_cert_path, "certificate", &mllp_cert, err);
        if (rc == SW_OK)
            rc = read_pem(opt->mllp_tls_key_path, "key", &mllp_key, err);
        if (rc != SW_OK)
            goto out_store;
    }
    hl7_interface_config hc = {
        .store = app.store, .mllp_host = opt->mllp_host,
        .mllp_port = opt->mllp_port, .tls_cert_pem = mllp_cert,
        .tls_key_pem = mllp_key,
        .deliver = !opt->read_only && !opt->no_deliver,
    };
    hl7_interface *hl7 = NULL;
    rc = hl7_interface_start(&hc, &hl7, err);
    pem_free(mllp_key);
    pem_free(mllp_cert);
    if (rc != SW_OK)
        goto out_store;
    app.deliver = hl7_interface_deliver(hl7);
    server_monitor_configure(opt->metrics_token, opt->mllp_host != NULL, hl7);

    size_t ntables = server_route_tables(&app);
    size_t nfilters;
    const http_filter *filters = server_filters(&nfilters);
    /* The same application over the training store, under /training. */
    http_mount mount = { 0 };
    if (app.training_store != NULL) {
        server_training_app(&app, &training);
        size_t ntraining = server_route_tables(&training);
        server_training_mount(&training, ntraining, filters, nfilters, &mount);
    }
    http_server_config cfg = {
        .host = opt->host,
        .port = opt->port,
        .threads = opt->threads,
        .request_timeout_s = opt->request_timeout_s,
        .idle_timeout_s = opt->idle_timeout_s,
        .tables = app.tables,
        .ntables = ntables,
        .filters = filters,
        .nfilters = nfilters,
        .app = &app,
        .tls_cert_pem = cert,
        .tls_key_pem = key,
        .trusted_proxies = opt->trusted_proxies,
        .ntrusted_proxies = opt->ntrusted_proxies,
        .mounts = &mount,
        .nmounts = app.training_store != NULL ? 1 : 0,
    };
    http_server *srv;
    rc = http_server_start(&cfg, &srv, err);
    if (rc != SW_OK)
        goto out_hl7;

    const char *shown_host = strchr(opt->host, ':') ? "[%s]" : "%s";
    char host[80];
    snprintf(host, sizeof host, shown_host, opt->host);
    if (opt->mllp_host != NULL) {
        const char *mllp_host = strchr(opt->mllp_host, ':') ? "[%s]" : "%s";
        char mhost[80];
        snprintf(mhost, sizeof mhost, mllp_host, opt->mllp_host);
        printf("Stagewise is receiving HL7 v2 over MLLP%s on %s:%d\n",
               opt->mllp_tls_cert_path ? " with TLS" : "", mhost,
               hl7_interface_mllp_port(hl7));
    }
    printf("Stagewise is serving %s://%s:%d (database %s)\n",
           cert ? "https" : "http", host, http_server_port(srv),
           store_display(app.store));
    if (demo)
        demo_print_logins(stdout);
    fflush(stdout);
    sw_info("ready in %.1f ms: %d worker threads, database %s",
            (double)(sw_now_mono_us() - t0) / 1000.0,
            opt->threads, store_display(app.store));
    /* Its own line, once serving: a start that fails says only why. */
    if (app.training_store != NULL)
        sw_info("training environment: database %s%s, %d accounts mirrored, "
                "served under /training/", store_display(app.training_store),
                training_created ? " (created)" : "", mirrored);
    sw_info("sessions end after %" PRId64 " s idle or %" PRId64 " s in all; "
            "%d failed sign-ins lock an account for %" PRId64 " s",
            app.auth.idle_ms / 1000, app.auth.max_ms / 1000,
            SW_LOGIN_MAX_FAILURES, app.auth.lockout_ms / 1000);

    /* The nightly reset (--training-reset-at): only with a training store. */
    server_nightly *nightly = NULL;
    if (app.training_store != NULL && opt->training_reset
        && server_nightly_start(app.store, app.training_store, opt->training_reset_minute,
                                TRAINING_DEFAULT_SEED, &nightly, err) != SW_OK)
        sw_warn("%s; the training environment will not be reset nightly", sw_err_text(err));
    /* The adoption roll-ups, kept current in the background, and the
     * daily evaluation of findings with the loaded courses (production
     * store only: the training environment is not measured). */
    adoption_worker *adoption = NULL;
    if (opt->read_only) {
        char when[SW_TIME_ISO_MAX] = "an unknown time";
        if (copy_from > 0)
            sw_time_iso(copy_from, when);
        sw_warn("read-only downtime copy from %s: every write is refused; "
                "sign-ins and the audit of reads go into this copy", when);
    } else if (adoption_worker_start(app.store, app.courses, &adoption, err) != SW_OK)
        sw_warn("%s; adoption reports will catch up when they are opened", sw_err_text(err));

    /* Scheduled backups (--backup-dir): a start that cannot make the
     * directory or read the key is refused, not served without backups. */
    backup_worker *backups = NULL;
    if (opt->backups.dir != NULL) {
        char training_url[SW_STORE_MAX_URL_BYTES];
        const char *turl = opt->training_db_url;
        if (turl == NULL && training_store_url(opt->db_url, training_url,
                                               sizeof training_url, NULL) == SW_OK)
            turl = training_url;
        /* PostgreSQL's training schema is in the same dump. */
        if (store_kind_of(app.store) != STORE_SQLITE)
            turl = NULL;
        rc = backup_worker_start(app.store, opt->db_url, turl, &opt->backups,
                                 &backups, err);
        if (rc != SW_OK) {
            http_server_stop(srv, 0);
            server_nightly_stop(nightly);
            adoption_worker_stop(adoption);
            goto out_hl7;
        }
    }

    int sig = 0;
    sigwait(&stop_signals, &sig);
    server_monitor_stopping();
    sw_info("received %s; finishing requests in flight",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http_server_stop(srv, SW_HTTP_SHUTDOWN_GRACE_S);
    server_nightly_stop(nightly);
    adoption_worker_stop(adoption);
    backup_worker_stop(backups);
    rc = SW_OK;

out_hl7:
    hl7_interface_stop(hl7);
out_store:
    rollout_cache_destroy(app.rollout);
    store_close(app.training_store);
    store_close(app.store);
    store_close(replica);
    if (rc == SW_OK)
        sw_info("stopped cleanly");
out_pem:
    web_free(&app.web);
    training_courses_free(app.courses);
    pem_free(key);
    pem_free(cert);
    return rc;
}
