/* api_metrics.c - GET /metrics: the server's metrics in the Prometheus text
 * exposition format 0.0.4 (docs/operations.md "Monitoring").
 *
 * The counters and histograms kept in memory (core/metrics.h) are written
 * as they are; the gauges that describe the database (the HL7 outbox,
 * sessions, locked accounts, the last good backup) are read from the
 * production store at scrape time, in one read transaction, as counts and
 * ages only: nothing in a scrape names a patient or a user.
 *
 * Who may scrape: without --metrics-token, loopback clients only (a
 * Prometheus or agent on the same machine); with it, any client that
 * sends "Authorization: Bearer TOKEN", and no one else, loopback
 * included. Loopback by default because the scrape, while free of patient
 * data, tells a stranger how busy the practice is, who is locked out and
 * whether backups run: not something to publish to the network by
 * accident. A scraper is not a user, so the route needs no session. */
#include "app.h"
#include "monitor.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/metrics.h"
#include "hl7/interface.h"
#include "hl7/outbox.h"
#include "server/backup_worker.h"

static const char *metrics_token;
static bool mllp_configured;
static const struct hl7_interface *hl7_listener;
static _Atomic bool stopping;

void server_monitor_configure(const char *token, bool mllp,
                              const struct hl7_interface *hl7)
{
    metrics_token = token;
    mllp_configured = mllp;
    hl7_listener = hl7;
}

void server_monitor_stopping(void)
{
    atomic_store(&stopping, true);
}

bool server_monitor_is_stopping(void) { return atomic_load(&stopping); }
bool server_monitor_mllp_down(void)
{
    return mllp_configured
        && (hl7_listener == NULL || hl7_interface_mllp_port(hl7_listener) <= 0);
}

/* 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6. */
static bool is_loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0
        || strncasecmp(addr, "::ffff:127.", 11) == 0;
}

static int check_access(sw_request *req, sw_response *res)
{
    if (metrics_token == NULL) {
        if (is_loopback(http_client_address(req)))
            return SW_OK;
        return http_fail(res, SW_EFORBIDDEN, "/metrics answers only clients "
                         "on this machine unless the server was started with "
                         "--metrics-token");
    }
    const char *auth = http_header_get(req, "Authorization");
    size_t want = strlen(metrics_token);
    if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0
        && strlen(auth + 7) == want
        && sodium_memcmp(auth + 7, metrics_token, want) == 0)
        return SW_OK;
    http_set_header(res, "WWW-Authenticate", "Bearer realm=\"metrics\"");
    return http_fail(res, SW_EUNAUTH, "/metrics needs the header "
                     "Authorization: Bearer with the server's metrics token");
}

/* ---- Gauges read from the store -------------------------------------------- */

struct db_gauges {
    int64_t now_ms, idle_ms;
    int64_t outbox_pending, oldest_charge_at, sessions, locked;
    int64_t last_backup_at;
};

static int read_gauges(store_tx *tx, void *arg)
{
    struct db_gauges *g = arg;
    int rc = store_query_int64(tx, &g->outbox_pending,
        "SELECT COUNT(*) FROM hl7_outbox WHERE status = ?", "t", HL7_OUT_PENDING);
    if (rc == SW_OK)
        rc = store_query_int64(tx, &g->oldest_charge_at,
            "SELECT COALESCE(MIN(created_at), 0) FROM hl7_outbox "
            "WHERE status = ? AND kind = 'charge'", "t", HL7_OUT_PENDING);
    if (rc == SW_OK)
        rc = store_query_int64(tx, &g->sessions,
            "SELECT COUNT(*) FROM app_session WHERE revoked = 0 "
            "AND expires_at > ? AND last_seen_at > ?", "ii", g->now_ms,
            g->now_ms - g->idle_ms);
    if (rc == SW_OK)
        rc = store_query_int64(tx, &g->locked,
            "SELECT COUNT(*) FROM app_user WHERE locked_until > ?", "i",
            g->now_ms);
    if (rc == SW_OK)
        rc = store_query_int64(tx, &g->last_backup_at,
            "SELECT COALESCE(MAX(at_ms), 0) FROM ops_record "
            "WHERE kind = 'backup' AND ok = 1", "");
    return rc;
}

static double age_s(int64_t now_ms, int64_t at_ms, double none)
{
    return at_ms > 0 ? (double)(now_ms - at_ms) / 1000.0 : none;
}

static int write_gauges(sw_buf *out, const sw_app *app, const struct db_gauges *g)
{
    const struct {
        const char *name, *help;
        double      value;
    } gauges[] = {
        { "stagewise_hl7_outbox_queue_depth",
          "HL7 v2 messages waiting to be sent to or acknowledged by the PMS.",
          (double)g->outbox_pending },
        { "stagewise_hl7_oldest_unacked_charge_age_seconds",
          "Age of the oldest charge not yet acknowledged by the PMS; 0 when none waits.",
          age_s(g->now_ms, g->oldest_charge_at, 0) },
        { "stagewise_sessions_active",
          "Sign-in sessions neither ended, expired nor idle.",
          (double)g->sessions },
        { "stagewise_accounts_locked",
          "Accounts locked now after failed sign-ins.",
          (double)g->locked },
        { "stagewise_backup_last_success_age_seconds",
          "Age of the last successful backup; -1 when none is recorded.",
          age_s(g->now_ms, g->last_backup_at, -1) },
        { "stagewise_backup_overdue",
          "1 while serve's scheduled backups are late (last good one older than --backup-max-age), else 0.",
          backup_worker_overdue() ? 1 : 0 },
        { "stagewise_training_environment_served",
          "1 when the training environment is served under /training, else 0.",
          app->training_store != NULL ? 1 : 0 },
    };
    int rc = SW_OK;
    for (size_t i = 0; rc == SW_OK && i < sizeof gauges / sizeof gauges[0]; i++)
        rc = sw_metrics_write_gauge(out, gauges[i].name, gauges[i].help, NULL,
                                    gauges[i].value);
    return rc;
}

int server_get_metrics(sw_request *req, sw_response *res)
{
    int rc = check_access(req, res);
    if (rc != SW_OK)
        return rc;
    sw_app *app = req->app;
    struct db_gauges g = { .now_ms = sw_now_wall_ms(), .idle_ms = app->auth.idle_ms };
    if (g.idle_ms <= 0)
        g.idle_ms = SW_SESSION_IDLE_S * 1000LL;
    sw_err err;
    rc = store_read(server_prod_store(app), read_gauges, &g, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "the database could not be read for the "
                         "metrics");
    rc = sw_metrics_write_all(&res->body);
    if (rc == SW_OK)
        rc = write_gauges(&res->body, app, &g);
    if (rc != SW_OK) {
        sw_buf_reset(&res->body);
        return http_fail(res, rc, "the metrics could not be written");
    }
    http_set_header(res, "Cache-Control", "no-store");
    res->status = 200;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return SW_OK;
}
