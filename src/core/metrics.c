/* metrics.c - the metrics registry of metrics.h and its exposition text.
 *
 * Every request updates a few series and a scrape reads them all every
 * few seconds, so updates must be cheap and never wait: a series is found
 * by hashing its label values into the family's fixed slot array (linear
 * probing, acquire loads), and its numbers are atomics. Only creating a
 * series takes the registry's mutex; a series is never freed while the
 * process runs, so a reader holding one can never see it go. Doubles
 * (gauges, histogram sums) are kept as their bit patterns in 64-bit
 * atomics and added to with compare-and-swap. */
#include "metrics.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/errors.h"

struct sw_metric {
    const sw_metric_family *family;
    uint64_t          hash;
    int               nvalues;
    char             *values[SW_METRICS_MAX_LABELS];
    _Atomic uint64_t  value;      /* counter, or a gauge's bits */
    _Atomic uint64_t  sum_bits;   /* histogram: the sum's bits */
    /* Histogram: observations per bucket, not cumulative; the last one
     * past the largest bound (+Inf). The count is their total, so _count
     * always equals the +Inf bucket even while requests update them. */
    _Atomic uint64_t  buckets[SW_METRICS_MAX_BUCKETS + 1];
};

static pthread_mutex_t create_lock = PTHREAD_MUTEX_INITIALIZER;

_Static_assert((SW_METRICS_MAX_SERIES & (SW_METRICS_MAX_SERIES - 1)) == 0,
               "probing masks the hash: the slot count is a power of two");

static int label_count(const sw_metric_family *f)
{
    int n = 0;
    while (n < SW_METRICS_MAX_LABELS && f->labels[n] != NULL)
        n++;
    return n;
}

static uint64_t hash_values(const char *const *values, int n)
{
    uint64_t h = 1469598103934665603ULL;          /* FNV-1a */
    for (int i = 0; i < n; i++) {
        for (const char *p = values[i] ? values[i] : ""; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL;        /* separator */
    }
    return h;
}

static bool same_values(const sw_metric *m, uint64_t h,
                        const char *const *values, int n)
{
    if (m->hash != h)
        return false;
    for (int i = 0; i < n; i++)
        if (strcmp(m->values[i], values[i] ? values[i] : "") != 0)
            return false;
    return true;
}

/* The slot holding these values, or the first empty one on their probe
 * path (*found false), or -1 when the family is full. */
static int probe(sw_metric_family *f, uint64_t h, const char *const *values,
                 int n, bool *found)
{
    *found = false;
    for (unsigned i = 0; i < SW_METRICS_MAX_SERIES; i++) {
        unsigned slot = (unsigned)(h + i) & (SW_METRICS_MAX_SERIES - 1);
        sw_metric *m = atomic_load_explicit(&f->slots[slot], memory_order_acquire);
        if (m == NULL)
            return (int)slot;
        if (same_values(m, h, values, n)) {
            *found = true;
            return (int)slot;
        }
    }
    return -1;
}

static void free_metric(sw_metric *m)
{
    if (m == NULL)
        return;
    for (int i = 0; i < m->nvalues; i++)
        sw_free(m->values[i]);
    sw_free(m);
}

static sw_metric *create(sw_metric_family *f, uint64_t h,
                         const char *const *values, int n)
{
    pthread_mutex_lock(&create_lock);
    bool found;
    int slot = probe(f, h, values, n, &found);   /* again: someone may have */
    sw_metric *m = NULL;
    if (slot >= 0 && found) {
        m = atomic_load_explicit(&f->slots[slot], memory_order_acquire);
    } else if (slot >= 0) {
        m = sw_calloc(1, sizeof *m);
        if (m != NULL) {
            m->family = f;
            m->hash = h;
            for (int i = 0; i < n; i++) {
                m->values[i] = sw_strdup(values[i] ? values[i] : "");
                if (m->values[i] == NULL)
                    break;
                m->nvalues++;
            }
            if (m->nvalues == n)
                atomic_store_explicit(&f->slots[slot], m, memory_order_release);
            else {
                free_metric(m);
                m = NULL;
            }
        }
    }
    pthread_mutex_unlock(&create_lock);
    if (m == NULL && f != &sw_m_dropped)
        sw_metric_add(sw_metric_series(&sw_m_dropped, NULL), 1);
    return m;
}

sw_metric *sw_metric_series(sw_metric_family *f, const char *const *values)
{
    if (f == NULL || f->slots == NULL)
        return NULL;
    int n = label_count(f);
    static const char *const none[1] = { "" };
    if (n == 0)
        values = none;
    uint64_t h = hash_values(values, n);
    bool found;
    int slot = probe(f, h, values, n, &found);
    if (slot >= 0 && found)
        return atomic_load_explicit(&f->slots[slot], memory_order_acquire);
    return create(f, h, values, n);
}

/* ---- Updates -------------------------------------------------------------- */

static uint64_t bits_of(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static double double_of(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

void sw_metric_add(sw_metric *m, uint64_t n)
{
    if (m != NULL)
        atomic_fetch_add_explicit(&m->value, n, memory_order_relaxed);
}

void sw_metric_set(sw_metric *m, double v)
{
    if (m != NULL)
        atomic_store_explicit(&m->value, bits_of(v), memory_order_relaxed);
}

static int bucket_of(const double *bounds, int nbounds, double v)
{
    int i = 0;
    while (i < nbounds && v > bounds[i])
        i++;
    return i;
}

static int bucket_count(const sw_metric_family *f)
{
    return f->nbounds < SW_METRICS_MAX_BUCKETS ? f->nbounds
                                               : SW_METRICS_MAX_BUCKETS;
}

void sw_metric_observe(sw_metric *m, double v)
{
    if (m == NULL || isnan(v))
        return;
    int b = bucket_of(m->family->bounds, bucket_count(m->family), v);
    atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
    uint64_t old = atomic_load_explicit(&m->sum_bits, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&m->sum_bits, &old,
                                                  bits_of(double_of(old) + v),
                                                  memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
}

uint64_t sw_metric_counter_value(const sw_metric *m)
{
    return m ? atomic_load_explicit(&m->value, memory_order_relaxed) : 0;
}

double sw_metric_gauge_value(const sw_metric *m)
{
    return m ? double_of(atomic_load_explicit(&m->value, memory_order_relaxed))
             : 0.0;
}

uint64_t sw_metric_histogram_count(const sw_metric *m)
{
    uint64_t n = 0;
    for (int i = 0; m != NULL && i <= SW_METRICS_MAX_BUCKETS; i++)
        n += atomic_load_explicit(&m->buckets[i], memory_order_relaxed);
    return n;
}

double sw_metric_histogram_sum(const sw_metric *m)
{
    return m ? double_of(atomic_load_explicit(&m->sum_bits, memory_order_relaxed))
             : 0.0;
}

void sw_metrics_family_reset(sw_metric_family *f)
{
    for (unsigned i = 0; f->slots != NULL && i < SW_METRICS_MAX_SERIES; i++) {
        free_metric(atomic_load(&f->slots[i]));
        atomic_store(&f->slots[i], NULL);
    }
}

/* ---- The exposition text (format 0.0.4) ------------------------------------ */

/* A label value with \\, \" and \n escaped, as the format requires. */
static int put_label_value(sw_buf *out, const char *v)
{
    int rc = SW_OK;
    for (const char *p = v; *p && rc == SW_OK; p++) {
        if (*p == '\\')
            rc = sw_buf_puts(out, "\\\\");
        else if (*p == '"')
            rc = sw_buf_puts(out, "\\\"");
        else if (*p == '\n')
            rc = sw_buf_puts(out, "\\n");
        else
            rc = sw_buf_putc(out, *p);
    }
    return rc;
}

/* `{a="x",b="y"` plus extra (`le="0.5"`) and `}`; nothing when both are
 * empty. */
static int put_labels(sw_buf *out, const sw_metric_family *f,
                      const sw_metric *m, const char *extra)
{
    int n = m ? m->nvalues : 0;
    if (n == 0 && extra == NULL)
        return SW_OK;
    int rc = sw_buf_putc(out, '{');
    for (int i = 0; i < n && rc == SW_OK; i++) {
        rc = sw_buf_printf(out, "%s%s=\"", i ? "," : "", f->labels[i]);
        if (rc == SW_OK)
            rc = put_label_value(out, m->values[i]);
        if (rc == SW_OK)
            rc = sw_buf_putc(out, '"');
    }
    if (rc == SW_OK && extra != NULL)
        rc = sw_buf_printf(out, "%s%s", n ? "," : "", extra);
    return rc == SW_OK ? sw_buf_putc(out, '}') : rc;
}

/* A float as the format spells it: shortest round-trip text. */
static void format_double(double v, char *buf, size_t cap)
{
    if (isinf(v))
        snprintf(buf, cap, v > 0 ? "+Inf" : "-Inf");
    else if (isnan(v))
        snprintf(buf, cap, "NaN");
    else {
        snprintf(buf, cap, "%.15g", v);
        if (strtod(buf, NULL) != v)
            snprintf(buf, cap, "%.17g", v);
    }
}

static int write_histogram(sw_buf *out, const sw_metric_family *f,
                           const sw_metric *m)
{
    int nb = bucket_count(f);
    uint64_t cumulative = 0;
    int rc = SW_OK;
    for (int i = 0; i <= nb && rc == SW_OK; i++) {
        cumulative += m ? atomic_load_explicit(&m->buckets[i],
                                               memory_order_relaxed) : 0;
        char le[48], bound[40];
        if (i < nb)
            format_double(f->bounds[i], bound, sizeof bound);
        snprintf(le, sizeof le, "le=\"%s\"", i < nb ? bound : "+Inf");
        rc = sw_buf_printf(out, "%s_bucket", f->name);
        if (rc == SW_OK)
            rc = put_labels(out, f, m, le);
        if (rc == SW_OK)
            rc = sw_buf_printf(out, " %" PRIu64 "\n", cumulative);
    }
    char sum[40];
    format_double(sw_metric_histogram_sum(m), sum, sizeof sum);
    if (rc == SW_OK)
        rc = sw_buf_printf(out, "%s_sum", f->name);
    if (rc == SW_OK)
        rc = put_labels(out, f, m, NULL);
    if (rc == SW_OK)
        rc = sw_buf_printf(out, " %s\n%s_count", sum, f->name);
    if (rc == SW_OK)
        rc = put_labels(out, f, m, NULL);
    if (rc == SW_OK)
        rc = sw_buf_printf(out, " %" PRIu64 "\n", cumulative);
    return rc;
}

static int write_series(sw_buf *out, const sw_metric_family *f,
                        const sw_metric *m)
{
    if (f->type == SW_METRIC_HISTOGRAM)
        return write_histogram(out, f, m);
    int rc = sw_buf_puts(out, f->name);
    if (rc == SW_OK)
        rc = put_labels(out, f, m, NULL);
    if (rc != SW_OK)
        return rc;
    if (f->type == SW_METRIC_COUNTER)
        return sw_buf_printf(out, " %" PRIu64 "\n", sw_metric_counter_value(m));
    char v[40];
    format_double(sw_metric_gauge_value(m), v, sizeof v);
    return sw_buf_printf(out, " %s\n", v);
}

static const char *type_name(sw_metric_type t)
{
    return t == SW_METRIC_COUNTER ? "counter"
         : t == SW_METRIC_GAUGE ? "gauge" : "histogram";
}

int sw_metrics_write_family(sw_buf *out, sw_metric_family *f)
{
    int rc = sw_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name,
                           f->help, f->name, type_name(f->type));
    bool any = false;
    for (unsigned i = 0; rc == SW_OK && f->slots != NULL
                         && i < SW_METRICS_MAX_SERIES; i++) {
        const sw_metric *m = atomic_load_explicit(&f->slots[i],
                                                  memory_order_acquire);
        if (m != NULL) {
            any = true;
            rc = write_series(out, f, m);
        }
    }
    if (rc == SW_OK && !any && label_count(f) == 0)
        rc = write_series(out, f, NULL);
    return rc;
}

int sw_metrics_write_gauge(sw_buf *out, const char *name, const char *help,
                           const char *labels, double value)
{
    char v[40];
    format_double(value, v, sizeof v);
    return sw_buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n%s%s%s%s %s\n",
                         name, help, name, name, labels ? "{" : "",
                         labels ? labels : "", labels ? "}" : "", v);
}
