/* metrics_catalog.c - every metric the server keeps in memory, in one
 * place, with the shorthands the instrumented code calls (the HTTP server,
 * the store backends, the audit writer, sign-in). Gauges read from the
 * database at scrape time are not here: api_metrics.c computes them.
 * docs/operations.md "Monitoring" describes each one; a new metric is
 * added here and there. */
#include "metrics.h"

#include <string.h>

/* Request and commit latencies: 0.5 ms to 1 s (an fsync is a few ms, a
 * slow request hundreds). */
static const double latency_bounds[] = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
};
/* Jobs per commit: powers of two up to SW_STORE_MAX_GROUP (512). */
static const double group_bounds[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512 };

#define NBOUNDS(b) ((int)(sizeof b / sizeof b[0]))
#define SLOTS(name) static _Atomic(sw_metric *) name[SW_METRICS_MAX_SERIES]

SLOTS(http_requests_slots);
SLOTS(http_duration_slots);
SLOTS(store_commit_slots);
SLOTS(store_group_slots);
SLOTS(audit_failures_slots);
SLOTS(logins_slots);
SLOTS(lockouts_slots);
SLOTS(dropped_slots);
SLOTS(replica_reads_slots);

sw_metric_family sw_m_http_requests = {
    .name = "stagewise_http_requests_total",
    .help = "HTTP requests answered, by method, route pattern and status class.",
    .type = SW_METRIC_COUNTER,
    .labels = { "method", "route", "status" },
    .slots = http_requests_slots,
};

sw_metric_family sw_m_http_duration = {
    .name = "stagewise_http_request_duration_seconds",
    .help = "Time from the request line to the response sent, by method and route pattern.",
    .type = SW_METRIC_HISTOGRAM,
    .labels = { "method", "route" },
    .bounds = latency_bounds,
    .nbounds = NBOUNDS(latency_bounds),
    .slots = http_duration_slots,
};

sw_metric_family sw_m_store_commit = {
    .name = "stagewise_store_commit_duration_seconds",
    .help = "Time a write transaction's COMMIT took (the durable flush), by store backend.",
    .type = SW_METRIC_HISTOGRAM,
    .labels = { "backend" },
    .bounds = latency_bounds,
    .nbounds = NBOUNDS(latency_bounds),
    .slots = store_commit_slots,
};

sw_metric_family sw_m_store_group = {
    .name = "stagewise_store_commit_group_size",
    .help = "Write jobs carried by one commit (SQLite group commit; 1 on PostgreSQL), by store backend.",
    .type = SW_METRIC_HISTOGRAM,
    .labels = { "backend" },
    .bounds = group_bounds,
    .nbounds = NBOUNDS(group_bounds),
    .slots = store_group_slots,
};

sw_metric_family sw_m_audit_failures = {
    .name = "stagewise_audit_write_failures_total",
    .help = "Audit trail writes that failed (the action they recorded was refused or undone).",
    .type = SW_METRIC_COUNTER,
    .slots = audit_failures_slots,
};

sw_metric_family sw_m_logins = {
    .name = "stagewise_logins_total",
    .help = "Sign-in attempts, by outcome (ok or failed).",
    .type = SW_METRIC_COUNTER,
    .labels = { "outcome" },
    .slots = logins_slots,
};

sw_metric_family sw_m_lockouts = {
    .name = "stagewise_login_lockouts_total",
    .help = "Accounts locked after too many failed sign-ins in a row.",
    .type = SW_METRIC_COUNTER,
    .slots = lockouts_slots,
};

sw_metric_family sw_m_dropped = {
    .name = "stagewise_metrics_dropped_total",
    .help = "Metric updates dropped because a metric had too many label sets.",
    .type = SW_METRIC_COUNTER,
    .slots = dropped_slots,
};

sw_metric_family sw_m_store_replica_reads = {
    .name = "stagewise_store_replica_reads_total",
    .help = "Reads routed to the hot standby (serve --db-replica), by the store that served them (replica, or primary when the replica failed or lagged).",
    .type = SW_METRIC_COUNTER,
    .labels = { "served_by" },
    .slots = replica_reads_slots,
};

static sw_metric_family *const catalog[] = {
    &sw_m_http_requests, &sw_m_http_duration, &sw_m_store_commit,
    &sw_m_store_group,   &sw_m_audit_failures, &sw_m_logins,
    &sw_m_lockouts,      &sw_m_dropped,       &sw_m_store_replica_reads,
};

int sw_metrics_write_all(sw_buf *out)
{
    /* Both outcomes are always shown, so a rate over them never starts
     * from nothing. */
    sw_metric_series(&sw_m_logins, (const char *const[]){ "ok" });
    sw_metric_series(&sw_m_logins, (const char *const[]){ "failed" });
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof catalog / sizeof catalog[0]; i++)
        rc = sw_metrics_write_family(out, catalog[i]);
    return rc;
}

/* ---- Shorthands ------------------------------------------------------------ */

/* A method as a bounded label: a client can send any token as a method,
 * and an unmatched request would otherwise make a series per token. */
static const char *method_label(const char *method)
{
    static const char *const known[] = {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
    };
    for (size_t i = 0; method && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(method, known[i]) == 0)
            return known[i];
    return "other";
}

void sw_metrics_http_request(const char *method, const char *route,
                             int status, double seconds)
{
    static const char *const classes[] = { "1xx", "2xx", "3xx", "4xx", "5xx" };
    int c = status / 100 - 1;
    const char *cls = c >= 0 && c < 5 ? classes[c] : "5xx";
    /* Unmatched requests (404, 405, bad targets) share one route label:
     * their paths are whatever a client typed. */
    const char *r = route ? route : "unmatched";
    const char *m = method_label(method);
    sw_metric_add(sw_metric_series(&sw_m_http_requests,
                                   (const char *const[]){ m, r, cls }), 1);
    sw_metric_observe(sw_metric_series(&sw_m_http_duration,
                                       (const char *const[]){ m, r }), seconds);
}

void sw_metrics_store_commit(const char *backend, double seconds, int group)
{
    const char *const labels[] = { backend };
    sw_metric_observe(sw_metric_series(&sw_m_store_commit, labels), seconds);
    sw_metric_observe(sw_metric_series(&sw_m_store_group, labels), group);
}

void sw_metrics_replica_read(const char *served_by)
{
    sw_metric_add(sw_metric_series(&sw_m_store_replica_reads,
                                   (const char *const[]){ served_by }), 1);
}

void sw_metrics_audit_failure(void)
{
    sw_metric_add(sw_metric_series(&sw_m_audit_failures, NULL), 1);
}

void sw_metrics_login(int ok)
{
    sw_metric_add(sw_metric_series(&sw_m_logins, (const char *const[]){
                                       ok ? "ok" : "failed" }), 1);
}

void sw_metrics_lockout(void)
{
    sw_metric_add(sw_metric_series(&sw_m_lockouts, NULL), 1);
}
