/* test_monitoring.c - GET /metrics, GET /readyz and JSON logs of the real
 * server, on each store (docs/operations.md "Monitoring").
 *
 * Every scrape is read by a strict parser of the text exposition format
 * 0.0.4 written here (not the code under test): each line a HELP, a TYPE
 * or a sample; names stagewise_*; HELP and TYPE once per metric and TYPE
 * before its samples; label values quoted with only \\, \" and \n
 * escaped; values numbers. Then: the request counter of a route pattern
 * grows by exactly the requests made, the latency histogram's buckets are
 * cumulative and its +Inf bucket and _count equal the requests, the HL7
 * outbox depth equals the charges queued by signing a visit while no PMS
 * is connected, and nothing of the patient (name, id) appears. /readyz
 * answers 200 when ready, and 503 naming the store while /healthz stays
 * 200 when the schema is not this program's; the backup age comes from the
 * last successful backup record. Access: with --metrics-token, 401 without the
 * token or with a wrong one; without it, a client that is not on this
 * machine (seen through a trusted proxy's X-Forwarded-For) gets 403. With
 * --log-format json every stderr line is one JSON object. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "store/store.h"
#include "testapi.h"
#include "testvisits.h"

/* ---- A strict parser of the exposition text -------------------------------- */

#define MAX_SAMPLES 4096
#define MAX_NAMES   256

typedef struct sample {
    char   name[96];
    char   labels[512];   /* as written between the braces, "" for none */
    double value;
} sample;

typedef struct scrape {
    sample *samples;
    int     n;
    char    typed[MAX_NAMES][96];
    char    types[MAX_NAMES][16];
    int     ntyped;
    char    helped[MAX_NAMES][96];
    int     nhelped;
} scrape;

static bool name_char(char c, bool first)
{
    return isalpha((unsigned char)c) || c == '_' || c == ':'
        || (!first && isdigit((unsigned char)c));
}

/* A metric or label name at *p; advances past it. */
static bool parse_name(const char **p, char *out, size_t cap)
{
    size_t n = 0;
    if (!name_char(**p, true))
        return false;
    while (name_char(**p, n == 0) && n + 1 < cap)
        out[n++] = *(*p)++;
    out[n] = '\0';
    return !name_char(**p, false);
}

static bool parse_value(const char *s, const char *end, double *v)
{
    size_t n = (size_t)(end - s);
    if (n == 4 && strncmp(s, "+Inf", 4) == 0) {
        *v = INFINITY;
        return true;
    }
    if ((n == 4 && strncmp(s, "-Inf", 4) == 0) || (n == 3 && strncmp(s, "NaN", 3) == 0)) {
        *v = NAN;
        return true;
    }
    char *stop;
    *v = strtod(s, &stop);
    return n > 0 && stop == end;
}

/* The metric a sample name belongs to (a histogram's _bucket, _sum and
 * _count are its own). */
static const char *type_of(const scrape *sc, const char *name, char *family)
{
    for (int i = 0; i < sc->ntyped; i++)
        if (strcmp(sc->typed[i], name) == 0) {
            strcpy(family, name);
            return sc->types[i];
        }
    static const char *const suffixes[] = { "_bucket", "_sum", "_count" };
    for (size_t k = 0; k < 3; k++) {
        size_t ln = strlen(name), ls = strlen(suffixes[k]);
        if (ln <= ls || strcmp(name + ln - ls, suffixes[k]) != 0)
            continue;
        for (int i = 0; i < sc->ntyped; i++)
            if (strlen(sc->typed[i]) == ln - ls
                && strncmp(sc->typed[i], name, ln - ls) == 0
                && strcmp(sc->types[i], "histogram") == 0) {
                strcpy(family, sc->typed[i]);
                return sc->types[i];
            }
    }
    return NULL;
}

static void parse_line(scrape *sc, const char *line, const char *end)
{
    char name[96];
    const char *p = line;
    if (strncmp(p, "# HELP ", 7) == 0 || strncmp(p, "# TYPE ", 7) == 0) {
        bool help = p[2] == 'H';
        p += 7;
        if (!parse_name(&p, name, sizeof name) || *p != ' ')
            fail_msg("bad metric name in: %.*s", (int)(end - line), line);
        p++;
        if (help) {
            for (int i = 0; i < sc->nhelped; i++)
                if (strcmp(sc->helped[i], name) == 0)
                    fail_msg("HELP twice for %s", name);
            assert_true(p < end);      /* some help text */
            strcpy(sc->helped[sc->nhelped++], name);
            return;
        }
        for (int i = 0; i < sc->ntyped; i++)
            if (strcmp(sc->typed[i], name) == 0)
                fail_msg("TYPE twice for %s", name);
        size_t n = (size_t)(end - p);
        if (!((n == 7 && strncmp(p, "counter", 7) == 0)
              || (n == 5 && strncmp(p, "gauge", 5) == 0)
              || (n == 9 && strncmp(p, "histogram", 9) == 0)))
            fail_msg("bad TYPE line: %.*s", (int)(end - line), line);
        strcpy(sc->typed[sc->ntyped], name);
        snprintf(sc->types[sc->ntyped], 16, "%.*s", (int)n, p);
        sc->ntyped++;
        return;
    }
    if (*p == '#')
        fail_msg("a comment that is neither HELP nor TYPE: %.*s", (int)(end - line), line);
    assert_true(sc->n < MAX_SAMPLES);
    sample *s = &sc->samples[sc->n++];
    if (!parse_name(&p, s->name, sizeof s->name))
        fail_msg("bad sample name: %.*s", (int)(end - line), line);
    char family[96];
    if (type_of(sc, s->name, family) == NULL)
        fail_msg("sample %s before (or without) its TYPE", s->name);
    size_t ln = 0;
    if (*p == '{') {
        p++;
        while (*p != '}') {
            char label[96];
            if (!parse_name(&p, label, sizeof label) || *p++ != '=' || *p++ != '"')
                fail_msg("bad label in: %.*s", (int)(end - line), line);
            while (*p != '"') {
                if (p >= end || *p == '\n')
                    fail_msg("unterminated label value: %.*s", (int)(end - line), line);
                if (*p == '\\') {
                    p++;
                    if (*p != '\\' && *p != '"' && *p != 'n')
                        fail_msg("bad escape in: %.*s", (int)(end - line), line);
                }
                p++;
            }
            p++;
            if (*p == ',')
                p++;
            else if (*p != '}')
                fail_msg("bad label list: %.*s", (int)(end - line), line);
        }
        ln = (size_t)(p - line) - strlen(s->name) - 1;
        assert_true(ln < sizeof s->labels);
        memcpy(s->labels, line + strlen(s->name) + 1, ln);
        p++;
    }
    s->labels[ln] = '\0';
    if (*p++ != ' ')
        fail_msg("no space before the value: %.*s", (int)(end - line), line);
    if (!parse_value(p, end, &s->value))
        fail_msg("bad value: %.*s", (int)(end - line), line);
}

/* Parses text; the test fails on the first line that is not right. */
static void parse_scrape(const char *text, scrape *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->samples = calloc(MAX_SAMPLES, sizeof *sc->samples);
    assert_non_null(sc->samples);
    size_t len = strlen(text);
    assert_true(len > 0 && text[len - 1] == '\n');
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        assert_non_null(end);
        assert_true(end > line);            /* no empty lines */
        parse_line(sc, line, end);
        line = end + 1;
    }
    for (int i = 0; i < sc->ntyped; i++)
        assert_true(strncmp(sc->typed[i], "stagewise_", 10) == 0);
    assert_int_equal(sc->nhelped, sc->ntyped);
}

/* The value of the sample name{labels}, or -1 when there is none. */
static double value_of(const scrape *sc, const char *name, const char *labels)
{
    for (int i = 0; i < sc->n; i++)
        if (strcmp(sc->samples[i].name, name) == 0
            && strcmp(sc->samples[i].labels, labels) == 0)
            return sc->samples[i].value;
    return -1;
}

static double value_or_zero(const scrape *sc, const char *name, const char *labels)
{
    double v = value_of(sc, name, labels);
    return v < 0 ? 0 : v;
}

/* GET /metrics as a scraper does (no session); the body, parsed. */
static char *get_metrics(sw_test_env *e, scrape *sc)
{
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, "GET", "/metrics", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    char ctype[128];
    assert_string_equal(sw_http_header(&r, "Content-Type", ctype, sizeof ctype),
                        "text/plain; version=0.0.4; charset=utf-8");
    char *text = strdup(r.body);
    sw_http_result_free(&r);
    parse_scrape(text, sc);
    return text;
}

/* ---- The tests -------------------------------------------------------------- */

#define ME_REQUESTS \
    "stagewise_http_requests_total", "method=\"GET\",route=\"/api/me\",status=\"2xx\""
#define ME_LATENCY "method=\"GET\",route=\"/api/me\""

static void scrape_counts_and_stays_free_of_patient_data(void **state)
{
    sw_test_env *e = *state;
    scrape before, after;
    free(get_metrics(e, &before));
    double requests0 = value_or_zero(&before, ME_REQUESTS);
    double count0 = value_or_zero(&before, "stagewise_http_request_duration_seconds_count",
                                  ME_LATENCY);

    enum { N = 7 };
    for (int i = 0; i < N; i++) {
        json_t *me = sw_test_get_json(e, e->auth, "/api/me");
        json_decref(me);
    }
    /* A visit signed with a biller's NPI queues its charge for the PMS,
     * which is not connected (no peer): it waits in the outbox. */
    sw_test_patient(e, "pt-metrics-5521", "Zebulon", "Quillfeather", "1961-03-09");
    testvisits_link_practitioner(e, SW_TEST_CLINICIAN, "prac-metrics", "1234567893");
    char charges[4][80];
    size_t ncharges = 0;
    char *encounter = testvisits_sign(e, e->auth, "pt-metrics-5521",
        "{\"diagnoses\":[{\"code\":\"J20.9\"}],\"procedures\":"
        "[{\"code\":\"99213\",\"diagnoses\":[1]}]}", charges, 4, &ncharges);
    assert_int_equal(ncharges, 1);

    char *text = get_metrics(e, &after);
    /* The route's counter grew by exactly the requests made. */
    assert_true(value_of(&after, ME_REQUESTS) == requests0 + N);
    /* Its latency histogram: cumulative buckets, +Inf = _count = requests. */
    double last = -1, inf = -1;
    int buckets = 0;
    for (int i = 0; i < after.n; i++) {
        const sample *s = &after.samples[i];
        if (strcmp(s->name, "stagewise_http_request_duration_seconds_bucket") != 0
            || strncmp(s->labels, ME_LATENCY ",le=", strlen(ME_LATENCY ",le=")) != 0)
            continue;
        assert_true(s->value >= last);
        last = s->value;
        buckets++;
        if (strstr(s->labels, "le=\"+Inf\"") != NULL)
            inf = s->value;
    }
    assert_int_equal(buckets, 12);
    double count = value_of(&after, "stagewise_http_request_duration_seconds_count",
                            ME_LATENCY);
    assert_true(inf == count);
    assert_true(count == count0 + N);
    assert_true(value_of(&after, "stagewise_http_request_duration_seconds_sum",
                         ME_LATENCY) > 0);

    /* The outbox gauges. */
    assert_true(value_of(&after, "stagewise_hl7_outbox_queue_depth", "")
                == (double)ncharges);
    assert_true(value_of(&after, "stagewise_hl7_oldest_unacked_charge_age_seconds", "") >= 0);
    /* Sessions, sign-ins, commits. */
    assert_true(value_of(&after, "stagewise_sessions_active", "") >= 1);
    assert_true(value_of(&after, "stagewise_accounts_locked", "") == 0);
    assert_true(value_of(&after, "stagewise_logins_total", "outcome=\"ok\"") >= 1);
    assert_true(value_of(&after, "stagewise_backup_last_success_age_seconds", "") == -1);
    assert_true(value_of(&after, "stagewise_training_environment_served", "") == 1);
    assert_true(value_of(&after, "stagewise_audit_write_failures_total", "") == 0);
    const char *backend = strncmp(e->db, "sqlite:", 7) == 0
                        ? "backend=\"sqlite\"" : "backend=\"postgresql\"";
    assert_true(value_of(&after, "stagewise_store_commit_duration_seconds_count",
                         backend) >= 1);
    assert_true(value_of(&after, "stagewise_store_commit_group_size_count",
                         backend) >= 1);

    /* Patterns, never paths: nothing of the patient or the visit. */
    assert_null(strstr(text, "pt-metrics-5521"));
    assert_null(strstr(text, "Zebulon"));
    assert_null(strstr(text, "Quillfeather"));
    assert_null(strstr(text, encounter));
    assert_null(strstr(text, charges[0]));
    assert_null(strstr(text, SW_TEST_CLINICIAN));
    assert_non_null(strstr(text, "route=\"/api/visits/{id}/sign\""));
    free(text);
    free(encounter);
    free(before.samples);
    free(after.samples);
}

static void failed_sign_ins_are_counted(void **state)
{
    sw_test_env *e = *state;
    scrape before, after;
    free(get_metrics(e, &before));
    char header[512];
    for (int i = 0; i < 2; i++)
        assert_int_equal(sw_test_sign_in_with(&e->srv, SW_TEST_CLINICIAN,
                                              "not-the-password-1", header,
                                              sizeof header), -1);
    free(get_metrics(e, &after));
    assert_true(value_or_zero(&after, "stagewise_logins_total", "outcome=\"failed\"")
                == value_or_zero(&before, "stagewise_logins_total",
                                 "outcome=\"failed\"") + 2);
    free(before.samples);
    free(after.samples);
}

static void readyz_answers_ready(void **state)
{
    sw_test_env *e = *state;
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, "GET", "/readyz", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *doc = json_loads(r.body, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(sw_test_str(doc, "status"), "ready");
    assert_int_equal(json_array_size(json_object_get(doc, "not_ready")), 0);
    assert_string_equal(sw_test_str(doc, "checks.store"), "ok");
    assert_string_equal(sw_test_str(doc, "checks.training_store"), "ok");
    json_decref(doc);
    sw_http_result_free(&r);
}

/* ---- The database changed beside the running server ------------------------ */

/* One statement with one or two integer parameters (types "i" or "ii"). */
struct sql_ctx {
    const char *sql, *types;
    int64_t     a, b;
};

static int exec_fn(store_tx *tx, void *arg)
{
    const struct sql_ctx *c = arg;
    return store_exec(tx, NULL, c->sql, c->types, c->a, c->b);
}

static void exec_sql(sw_test_env *e, const char *sql, const char *types,
                     int64_t a, int64_t b)
{
    sw_store *s = NULL;
    store_options so = { .connections = 1 };
    sw_err err;
    if (store_open(e->db, &so, &s, &err) != SW_OK)
        fail_msg("open %s: %s", e->db, sw_err_text(&err));
    struct sql_ctx c = { sql, types, a, b };
    if (store_write(s, exec_fn, &c, &err) != SW_OK)
        fail_msg("%s: %s", sql, sw_err_text(&err));
    store_close(s);
}

static long get_status(sw_test_env *e, const char *path, json_t **doc)
{
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, "GET", path, NULL, NULL, 0, &r), 0);
    long status = r.status;
    if (doc != NULL) {
        *doc = json_loads(r.body, 0, NULL);
        assert_non_null(*doc);
    }
    sw_http_result_free(&r);
    return status;
}

/* A database upgraded by a newer program under the running server: still
 * alive (/healthz 200), no longer ready (/readyz 503 naming the store);
 * ready again once the schema is this program's. */
static void readyz_is_not_healthz(void **state)
{
    sw_test_env *e = *state;
    int newer = store_schema_latest() + 1;
    exec_sql(e, "INSERT INTO schema_migrations (version, name, applied_at) "
             "VALUES (?, 'from a newer program', '')", "i", newer, 0);
    json_t *doc;
    assert_int_equal(get_status(e, "/healthz", NULL), 200);
    assert_int_equal(get_status(e, "/readyz", &doc), 503);
    assert_string_equal(sw_test_str(doc, "status"), "not_ready");
    assert_true(sw_test_listed(json_object_get(doc, "not_ready"), "store"));
    assert_string_equal(sw_test_str(doc, "checks.store"), "schema_not_latest");
    assert_string_equal(sw_test_str(doc, "checks.server"), "ok");
    json_decref(doc);
    exec_sql(e, "DELETE FROM schema_migrations WHERE version = ?", "i", newer, 0);
    assert_int_equal(get_status(e, "/readyz", NULL), 200);
}

/* The age of the last good backup: -1 with none, then from the newest
 * successful record, whatever failed after it. */
static void backup_age_is_from_the_last_good_backup(void **state)
{
    sw_test_env *e = *state;
    scrape sc;
    free(get_metrics(e, &sc));
    assert_true(value_of(&sc, "stagewise_backup_last_success_age_seconds", "") == -1);
    free(sc.samples);
    int64_t now = sw_now_wall_ms();
    exec_sql(e, "INSERT INTO ops_record (record_id, kind, at_ms, ok, detail, "
             "manifest_sha256) VALUES (?, 'backup', ?, 1, '', '')", "ii", 1,
             now - 3600 * 1000);
    exec_sql(e, "INSERT INTO ops_record (record_id, kind, at_ms, ok, detail, "
             "manifest_sha256) VALUES (?, 'backup', ?, 0, 'disk full', '')", "ii", 2,
             now - 1000);
    free(get_metrics(e, &sc));
    double age = value_of(&sc, "stagewise_backup_last_success_age_seconds", "");
    assert_true(age >= 3600 && age < 30 * 24 * 3600.0);
    free(sc.samples);
}

/* ---- Servers started with other options ------------------------------------- */

static void metrics_token_is_required_when_set(void **state)
{
    (void)state;
    sw_test_env e = { 0 };
    assert_int_equal(sw_test_env_prepare(&e), 0);
    const char *args[] = { "--metrics-token", "scrape-token-0123456789", NULL };
    assert_int_equal(sw_test_env_serve(&e, args), 0);
    sw_http_result r;
    assert_int_equal(sw_http(&e.srv, "GET", "/metrics", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 401);       /* loopback is not enough now */
    sw_http_result_free(&r);
    const char *wrong[] = { "Authorization: Bearer scrape-token-0123456780", NULL };
    assert_int_equal(sw_http(&e.srv, "GET", "/metrics", wrong, NULL, 0, &r), 0);
    assert_int_equal(r.status, 401);
    sw_http_result_free(&r);
    const char *right[] = { "Authorization: Bearer scrape-token-0123456789", NULL };
    assert_int_equal(sw_http(&e.srv, "GET", "/metrics", right, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "# TYPE stagewise_http_requests_total counter\n"));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_env_stop(&e), 0);
}

static void remote_clients_are_refused_without_a_token(void **state)
{
    (void)state;
    sw_test_env e = { 0 };
    assert_int_equal(sw_test_env_prepare(&e), 0);
    /* The test connects from loopback; as a trusted proxy it can say the
     * client is elsewhere, as nginx in front of the server would. */
    const char *args[] = { "--trust-proxy", "127.0.0.1", NULL };
    assert_int_equal(sw_test_env_serve(&e, args), 0);
    const char *remote[] = { "X-Forwarded-For: 203.0.113.9", NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&e.srv, "GET", "/metrics", remote, NULL, 0, &r), 0);
    assert_int_equal(r.status, 403);
    assert_null(strstr(r.body, "stagewise_"));
    sw_http_result_free(&r);
    assert_int_equal(sw_http(&e.srv, "GET", "/metrics", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    sw_http_result_free(&r);
    /* /readyz stays public. */
    assert_int_equal(sw_http(&e.srv, "GET", "/readyz", remote, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    sw_http_result_free(&r);
    assert_int_equal(sw_test_env_stop(&e), 0);
}

static void json_log_lines_parse(void **state)
{
    (void)state;
    sw_test_env e = { 0 };
    assert_int_equal(sw_test_env_prepare(&e), 0);
    const char *args[] = { "--log-format", "json", NULL };
    assert_int_equal(sw_test_env_serve(&e, args), 0);
    sw_http_result r;
    assert_int_equal(sw_http(&e.srv, "GET", "/readyz?name=Zebulon", NULL, NULL, 0, &r), 0);
    sw_http_result_free(&r);
    assert_int_equal(sw_http(&e.srv, "GET", "/no/such/Quillfeather", NULL, NULL, 0, &r), 0);
    sw_http_result_free(&r);
    /* The access line is written when the request completes, which may
     * be just after the client has its answer: wait for it (bounded). */
    char *log = sw_test_server_log(&e.srv);
    for (int tries = 0; tries < 200 && strstr(log, "/readyz") == NULL; tries++) {
        free(log);
        usleep(25000);
        log = sw_test_server_log(&e.srv);
    }
    int lines = 0, access = 0;
    for (char *line = log, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        assert_non_null(end);
        json_error_t err;
        json_t *doc = json_loadb(line, (size_t)(end - line), JSON_REJECT_DUPLICATES, &err);
        if (doc == NULL)
            fail_msg("log line is not JSON (%s): %.*s", err.text, (int)(end - line), line);
        assert_non_null(sw_test_str(doc, "ts"));
        assert_non_null(sw_test_str(doc, "level"));
        assert_non_null(sw_test_str(doc, "msg"));
        if (strcmp(sw_test_str(doc, "level"), "access") == 0
            && sw_test_str(doc, "route") != NULL
            && strcmp(sw_test_str(doc, "route"), "/readyz") == 0) {
            assert_int_equal(json_integer_value(json_object_get(doc, "status")), 200);
            access++;
        }
        json_decref(doc);
        lines++;
    }
    assert_true(lines >= 3);
    assert_int_equal(access, 1);
    /* The query and the unmatched path are not logged. */
    assert_null(strstr(log, "Zebulon"));
    assert_null(strstr(log, "Quillfeather"));
    free(log);
    assert_int_equal(sw_test_env_stop(&e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(scrape_counts_and_stays_free_of_patient_data,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(failed_sign_ins_are_counted,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(readyz_answers_ready, sw_test_env_setup,
                                        sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(readyz_is_not_healthz, sw_test_env_setup,
                                        sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(backup_age_is_from_the_last_good_backup,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test(metrics_token_is_required_when_set),
        cmocka_unit_test(remote_clients_are_refused_without_a_token),
        cmocka_unit_test(json_log_lines_parse),
    };
    return cmocka_run_group_tests_name("integration/monitoring", tests, NULL, NULL);
}
