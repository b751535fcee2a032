/* metrics.h - the server's counters, gauges and histograms, and their text
 * in the Prometheus exposition format 0.0.4 (GET /metrics, docs/
 * operations.md "Monitoring").
 *
 * A family (one metric name) is a static object with its help text, type,
 * label names and, for a histogram, its bucket bounds; the families the
 * server exports are defined once in metrics_catalog.c. A series is one
 * set of label values of a family. It is created the first time it is
 * asked for (one allocation for the life of the process) and from then on
 * found without a lock or an allocation: updates are atomic adds, so the
 * request path never waits for a scrape or for another request.
 *
 * Label values must be bounded and must say nothing about a patient or a
 * user: route patterns ("/api/patients/{id}/allergies"), status classes,
 * store backends — never a path, a name or an id. A family holds at most
 * SW_METRICS_MAX_SERIES series; past that, updates of new label sets are
 * dropped (and counted in stagewise_metrics_dropped_total) rather than
 * growing without bound. */
#ifndef SW_METRICS_H
#define SW_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define SW_METRICS_MAX_LABELS  4
#define SW_METRICS_MAX_BUCKETS 16
/* Series per family: every route pattern times a handful of status
 * classes fits with room to spare. A power of two (open addressing). */
#define SW_METRICS_MAX_SERIES  2048

typedef enum {
    SW_METRIC_COUNTER,
    SW_METRIC_GAUGE,
    SW_METRIC_HISTOGRAM,
} sw_metric_type;

typedef struct sw_metric sw_metric;   /* one series */

typedef struct sw_metric_family {
    const char     *name;      /* stagewise_…_total, …_seconds */
    const char     *help;      /* one line, no newline */
    sw_metric_type  type;
    const char     *labels[SW_METRICS_MAX_LABELS];  /* NULL-terminated */
    /* Histogram upper bounds, increasing, in the metric's unit; +Inf is
     * implied. */
    const double   *bounds;
    int             nbounds;
    /* The registry's: the series by label values (open addressing). */
    _Atomic(sw_metric *) *slots;
} sw_metric_family;

/* The series of family f with these label values (one per label name, in
 * order; NULL when the family has no labels), created on first use.
 * NULL only when the family is full or memory runs out; every update
 * function accepts NULL and does nothing. Thread-safe, lock-free when the
 * series exists. */
sw_metric *sw_metric_series(sw_metric_family *f, const char *const *values);

void sw_metric_add(sw_metric *m, uint64_t n);    /* counter */
void sw_metric_set(sw_metric *m, double v);      /* gauge */
void sw_metric_observe(sw_metric *m, double v);  /* histogram */

/* Reading back (tests, and gauges read at scrape time). */
uint64_t sw_metric_counter_value(const sw_metric *m);
double   sw_metric_gauge_value(const sw_metric *m);
/* A histogram's observation count and sum. */
uint64_t sw_metric_histogram_count(const sw_metric *m);
double   sw_metric_histogram_sum(const sw_metric *m);

/* Appends the family's "# HELP", "# TYPE" and every series to out. A
 * family without labels that has no series yet is written as zero, so an
 * alert on it sees 0 rather than nothing. SW_OK or the buffer's error. */
int sw_metrics_write_family(sw_buf *out, sw_metric_family *f);
/* One gauge computed at scrape time, with its HELP and TYPE lines; labels
 * is the text between the braces (`backend="sqlite"`) or NULL. */
int sw_metrics_write_gauge(sw_buf *out, const char *name, const char *help,
                           const char *labels, double value);
/* Every family of the catalog (metrics_catalog.c), in its order. */
int sw_metrics_write_all(sw_buf *out);

/* Frees every series of f (tests only: nothing may update f meanwhile). */
void sw_metrics_family_reset(sw_metric_family *f);

/* ---- The catalog (metrics_catalog.c) -------------------------------------- */

/* HTTP: requests by method, route pattern and status class ("2xx"), and
 * their duration by method and route pattern. */
extern sw_metric_family sw_m_http_requests;
extern sw_metric_family sw_m_http_duration;
/* The store: how long a write transaction's COMMIT took, and how many
 * write jobs one commit carried (SQLite's group commit; 1 on PostgreSQL,
 * which groups its own fsyncs), by backend. */
extern sw_metric_family sw_m_store_commit;
extern sw_metric_family sw_m_store_group;
/* Audit entries that could not be written. */
extern sw_metric_family sw_m_audit_failures;
/* Sign-ins by outcome ("ok", "failed"), and accounts locked. */
extern sw_metric_family sw_m_logins;
extern sw_metric_family sw_m_lockouts;
/* Updates dropped because a family was full. */
extern sw_metric_family sw_m_dropped;
/* Reads routed to the hot standby, by the store that served them
 * ("replica", or "primary" when it failed or lagged; store_replica.c). */
extern sw_metric_family sw_m_store_replica_reads;

/* Shorthands for the instrumented code. */
void sw_metrics_http_request(const char *method, const char *route,
                             int status, double seconds);
void sw_metrics_store_commit(const char *backend, double seconds, int group);
void sw_metrics_audit_failure(void);
void sw_metrics_replica_read(const char *served_by);
void sw_metrics_login(int ok);
void sw_metrics_lockout(void);

#endif
