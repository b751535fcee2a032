/* test_metrics.c - the metrics registry of core/metrics.h and its text in
 * the Prometheus exposition format 0.0.4.
 *
 * A scraper parses this text strictly, and alerts are written against the
 * exact names and labels, so the tests pin whole lines: HELP and TYPE
 * first, counters as integers, histogram buckets cumulative with le
 * inclusive and a final +Inf equal to _count, label values escaped. They
 * also check what the request path relies on: one series per label set
 * however many threads ask for it at once, no update lost under
 * contention, and a bounded number of series per metric. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "core/metrics.h"

static _Atomic(sw_metric *) counter_slots[SW_METRICS_MAX_SERIES];
static sw_metric_family counter_fam = {
    .name = "test_things_total",
    .help = "Things done.",
    .type = SW_METRIC_COUNTER,
    .labels = { "kind", "route" },
    .slots = counter_slots,
};

static _Atomic(sw_metric *) plain_slots[SW_METRICS_MAX_SERIES];
static sw_metric_family plain_fam = {
    .name = "test_failures_total",
    .help = "Failures.",
    .type = SW_METRIC_COUNTER,
    .slots = plain_slots,
};

static const double bounds[] = { 0.5, 1, 2.5 };
static _Atomic(sw_metric *) hist_slots[SW_METRICS_MAX_SERIES];
static sw_metric_family hist_fam = {
    .name = "test_wait_seconds",
    .help = "Waits.",
    .type = SW_METRIC_HISTOGRAM,
    .labels = { "backend" },
    .bounds = bounds,
    .nbounds = 3,
    .slots = hist_slots,
};

static _Atomic(sw_metric *) gauge_slots[SW_METRICS_MAX_SERIES];
static sw_metric_family gauge_fam = {
    .name = "test_level",
    .help = "A level.",
    .type = SW_METRIC_GAUGE,
    .slots = gauge_slots,
};

static int reset(void **state)
{
    (void)state;
    sw_metrics_family_reset(&counter_fam);
    sw_metrics_family_reset(&plain_fam);
    sw_metrics_family_reset(&hist_fam);
    sw_metrics_family_reset(&gauge_fam);
    return 0;
}

/* The family's text; the caller frees with sw_buf_free. */
static const char *text_of(sw_buf *b, sw_metric_family *f)
{
    sw_buf_init(b, 1 << 20);
    assert_int_equal(sw_metrics_write_family(b, f), SW_OK);
    return sw_buf_str(b);
}

static void test_one_series_per_label_set(void **state)
{
    (void)state;
    sw_metric *a = sw_metric_series(&counter_fam, (const char *const[]){ "x", "/a" });
    sw_metric *b = sw_metric_series(&counter_fam, (const char *const[]){ "x", "/a" });
    sw_metric *c = sw_metric_series(&counter_fam, (const char *const[]){ "x", "/b" });
    /* Values that concatenate alike are still different sets. */
    sw_metric *d = sw_metric_series(&counter_fam, (const char *const[]){ "x/", "a" });
    assert_non_null(a);
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, c);
    assert_ptr_not_equal(a, d);
    sw_metric_add(a, 2);
    sw_metric_add(b, 3);
    assert_int_equal(sw_metric_counter_value(a), 5);
    assert_int_equal(sw_metric_counter_value(c), 0);
    /* NULL is a no-op everywhere. */
    sw_metric_add(NULL, 1);
    sw_metric_observe(NULL, 1);
    sw_metric_set(NULL, 1);
    assert_int_equal(sw_metric_counter_value(NULL), 0);
}

static void test_counter_text(void **state)
{
    (void)state;
    sw_metric_add(sw_metric_series(&counter_fam,
                                   (const char *const[]){ "ok", "/api/x/{id}" }), 7);
    sw_buf b;
    assert_string_equal(text_of(&b, &counter_fam),
        "# HELP test_things_total Things done.\n"
        "# TYPE test_things_total counter\n"
        "test_things_total{kind=\"ok\",route=\"/api/x/{id}\"} 7\n");
    sw_buf_free(&b);
}

static void test_label_values_are_escaped(void **state)
{
    (void)state;
    sw_metric_add(sw_metric_series(&counter_fam,
                                   (const char *const[]){ "a\"b", "c\\d\ne" }), 1);
    sw_buf b;
    assert_non_null(strstr(text_of(&b, &counter_fam),
        "test_things_total{kind=\"a\\\"b\",route=\"c\\\\d\\ne\"} 1\n"));
    sw_buf_free(&b);
}

static void test_unlabelled_counter_starts_at_zero(void **state)
{
    (void)state;
    sw_buf b;
    assert_string_equal(text_of(&b, &plain_fam),
        "# HELP test_failures_total Failures.\n"
        "# TYPE test_failures_total counter\n"
        "test_failures_total 0\n");
    sw_buf_free(&b);
    sw_metric_add(sw_metric_series(&plain_fam, NULL), 1);
    assert_string_equal(text_of(&b, &plain_fam),
        "# HELP test_failures_total Failures.\n"
        "# TYPE test_failures_total counter\n"
        "test_failures_total 1\n");
    sw_buf_free(&b);
    /* A labelled family with no series has only its HELP and TYPE. */
    assert_string_equal(text_of(&b, &counter_fam),
        "# HELP test_things_total Things done.\n"
        "# TYPE test_things_total counter\n");
    sw_buf_free(&b);
}

static void test_histogram_buckets_are_cumulative(void **state)
{
    (void)state;
    sw_metric *m = sw_metric_series(&hist_fam, (const char *const[]){ "sqlite" });
    /* le is inclusive: 0.5 falls in the 0.5 bucket, 2.5 in 2.5. */
    const double seen[] = { 0.25, 0.5, 0.75, 2.5, 3, 100 };   /* exact in binary */
    for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++)
        sw_metric_observe(m, seen[i]);
    assert_int_equal(sw_metric_histogram_count(m), 6);
    assert_true(sw_metric_histogram_sum(m) == 107.0);
    sw_buf b;
    assert_string_equal(text_of(&b, &hist_fam),
        "# HELP test_wait_seconds Waits.\n"
        "# TYPE test_wait_seconds histogram\n"
        "test_wait_seconds_bucket{backend=\"sqlite\",le=\"0.5\"} 2\n"
        "test_wait_seconds_bucket{backend=\"sqlite\",le=\"1\"} 3\n"
        "test_wait_seconds_bucket{backend=\"sqlite\",le=\"2.5\"} 4\n"
        "test_wait_seconds_bucket{backend=\"sqlite\",le=\"+Inf\"} 6\n"
        "test_wait_seconds_sum{backend=\"sqlite\"} 107\n"
        "test_wait_seconds_count{backend=\"sqlite\"} 6\n");
    sw_buf_free(&b);
}

static void test_gauges(void **state)
{
    (void)state;
    sw_metric *g = sw_metric_series(&gauge_fam, NULL);
    sw_metric_set(g, -1);
    assert_true(sw_metric_gauge_value(g) == -1.0);
    sw_metric_set(g, 2.25);
    sw_buf b;
    assert_string_equal(text_of(&b, &gauge_fam),
        "# HELP test_level A level.\n# TYPE test_level gauge\ntest_level 2.25\n");
    sw_buf_free(&b);

    sw_buf_init(&b, 4096);
    assert_int_equal(sw_metrics_write_gauge(&b, "test_age_seconds", "An age.",
                                            NULL, -1), SW_OK);
    assert_int_equal(sw_metrics_write_gauge(&b, "test_depth", "A depth.",
                                            "queue=\"out\"", 12), SW_OK);
    assert_string_equal(sw_buf_str(&b),
        "# HELP test_age_seconds An age.\n# TYPE test_age_seconds gauge\n"
        "test_age_seconds -1\n"
        "# HELP test_depth A depth.\n# TYPE test_depth gauge\n"
        "test_depth{queue=\"out\"} 12\n");
    sw_buf_free(&b);
}

/* ---- Contention ------------------------------------------------------------ */

#define THREADS 8
#define ROUNDS  20000

static void *hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        /* Every thread asks for the same new series: exactly one must be
         * made, and no increment lost. */
        char route[16];
        snprintf(route, sizeof route, "/r%d", i % 50);
        sw_metric_add(sw_metric_series(&counter_fam,
                                       (const char *const[]){ "t", route }), 1);
        sw_metric_observe(sw_metric_series(&hist_fam,
                                           (const char *const[]){ "pg" }), 1);
    }
    return NULL;
}

static void test_no_update_is_lost(void **state)
{
    (void)state;
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    uint64_t total = 0;
    for (int i = 0; i < 50; i++) {
        char route[16];
        snprintf(route, sizeof route, "/r%d", i);
        total += sw_metric_counter_value(sw_metric_series(&counter_fam,
                                          (const char *const[]){ "t", route }));
    }
    assert_int_equal(total, (uint64_t)THREADS * ROUNDS);
    sw_metric *h = sw_metric_series(&hist_fam, (const char *const[]){ "pg" });
    assert_int_equal(sw_metric_histogram_count(h), (uint64_t)THREADS * ROUNDS);
    assert_true(sw_metric_histogram_sum(h) == (double)THREADS * ROUNDS);
    /* 50 series, each written once. */
    sw_buf b;
    const char *text = text_of(&b, &counter_fam);
    int lines = 0;
    for (const char *p = text; (p = strstr(p, "\ntest_things_total{")) != NULL; p++)
        lines++;
    assert_int_equal(lines, 50);
    sw_buf_free(&b);
}

static void test_a_full_family_drops_new_sets(void **state)
{
    (void)state;
    sw_metric *dropped = sw_metric_series(&sw_m_dropped, NULL);
    uint64_t before = sw_metric_counter_value(dropped);
    char v[32];
    for (int i = 0; i < SW_METRICS_MAX_SERIES; i++) {
        snprintf(v, sizeof v, "%d", i);
        assert_non_null(sw_metric_series(&counter_fam, (const char *const[]){ "k", v }));
    }
    assert_null(sw_metric_series(&counter_fam, (const char *const[]){ "k", "one more" }));
    assert_int_equal(sw_metric_counter_value(dropped), before + 1);
    /* The existing ones are still found. */
    assert_non_null(sw_metric_series(&counter_fam, (const char *const[]){ "k", "7" }));
}

/* ---- The catalog's shorthands ---------------------------------------------- */

static void test_http_labels_are_bounded(void **state)
{
    (void)state;
    sw_metrics_family_reset(&sw_m_http_requests);
    sw_metrics_family_reset(&sw_m_http_duration);
    sw_metrics_http_request("GET", "/api/patients/{id}", 200, 0.002);
    sw_metrics_http_request("GET", "/api/patients/{id}", 204, 0.002);
    sw_metrics_http_request("BREW", NULL, 404, 0.0001);
    sw_metrics_http_request("GET", "/x", 499, 0.0001);
    assert_int_equal(sw_metric_counter_value(sw_metric_series(&sw_m_http_requests,
        (const char *const[]){ "GET", "/api/patients/{id}", "2xx" })), 2);
    assert_int_equal(sw_metric_counter_value(sw_metric_series(&sw_m_http_requests,
        (const char *const[]){ "other", "unmatched", "4xx" })), 1);
    assert_int_equal(sw_metric_counter_value(sw_metric_series(&sw_m_http_requests,
        (const char *const[]){ "GET", "/x", "4xx" })), 1);
    assert_int_equal(sw_metric_histogram_count(sw_metric_series(&sw_m_http_duration,
        (const char *const[]){ "GET", "/api/patients/{id}" })), 2);
    sw_buf b;
    sw_buf_init(&b, 1 << 20);
    assert_int_equal(sw_metrics_write_all(&b), SW_OK);
    const char *text = sw_buf_str(&b);
    assert_null(strstr(text, "BREW"));
    assert_non_null(strstr(text, "# TYPE stagewise_http_request_duration_seconds histogram\n"));
    assert_non_null(strstr(text, "stagewise_logins_total{outcome=\"ok\"} "));
    assert_non_null(strstr(text, "stagewise_audit_write_failures_total 0\n"));
    sw_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_series_per_label_set, reset, reset),
        cmocka_unit_test_setup_teardown(test_counter_text, reset, reset),
        cmocka_unit_test_setup_teardown(test_label_values_are_escaped, reset, reset),
        cmocka_unit_test_setup_teardown(test_unlabelled_counter_starts_at_zero, reset, reset),
        cmocka_unit_test_setup_teardown(test_histogram_buckets_are_cumulative, reset, reset),
        cmocka_unit_test_setup_teardown(test_gauges, reset, reset),
        cmocka_unit_test_setup_teardown(test_no_update_is_lost, reset, reset),
        cmocka_unit_test_setup_teardown(test_a_full_family_drops_new_sets, reset, reset),
        cmocka_unit_test_setup_teardown(test_http_labels_are_bounded, reset, reset),
    };
    return cmocka_run_group_tests_name("core/metrics", tests, NULL, NULL);
}
