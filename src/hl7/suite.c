/* suite.c - running the go-live interface test suite (suite.h): the
 * scratch EHR up, every scenario in order with one line each as it
 * finishes, the report as JSON, the scratch EHR gone. A run takes a few
 * seconds against the simulator; a real PMS may take longer per ACK. */
#include "hl7/suite_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"

static json_t *report_json(const hl7_suite_options *o, const hl7_suite_result *r,
                           json_t *scenarios, bool via_peer)
{
    char started[SW_TIME_ISO_MAX], finished[SW_TIME_ISO_MAX], peer[300];
    sw_time_iso(r->started_at, started);
    sw_time_iso(r->finished_at, finished);
    snprintf(peer, sizeof peer, "%s:%d", o->peer_host, o->peer_port);
    return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:o, "
                     "s:{s:i, s:i, s:i}}",
                     "suite", o->suite, "peer", peer,
                     "peer_control", o->peer_control,
                     "inbound", via_peer ? "sent by the PMS through its control "
                     "interface" : "sent by the suite as the PMS would (no "
                     "--peer-control)",
                     "processing_id", "T", "started_at", started,
                     "finished_at", finished, "run_by", o->run_by ? o->run_by : "",
                     "scenarios", scenarios,
                     "counts", "passed", r->passed, "failed", r->total - r->passed,
                     "total", r->total);
}

int hl7_suite_run(const hl7_suite_options *o, hl7_suite_result *r, sw_err *err)
{
    memset(r, 0, sizeof *r);
    r->started_at = sw_now_wall_ms();
    suite_ehr *ehr = sw_calloc(1, sizeof *ehr);
    suite_ctx *c = sw_calloc(1, sizeof *c);
    json_t *scenarios = json_array();
    int rc = ehr && c && scenarios ? SW_OK
                                   : sw_err_set(err, SW_ENOMEM, "out of memory");
    if (rc == SW_OK)
        rc = suite_ehr_open(ehr, o, err);
    if (rc != SW_OK)
        goto out;
    c->ehr = ehr;
    c->o = o;
    c->via_peer = o->peer_control != NULL && o->peer_control[0] != '\0';
    pmssim_generator_init(&c->gen, 1, "T", r->started_at);

    size_t n;
    const suite_scenario *s = suite_scenarios(&n);
    size_t failed_len = 0;
    for (size_t i = 0; i < n; i++) {
        char detail[800] = "";
        bool ok = s[i].run(c, detail, sizeof detail);
        r->total++;
        r->passed += ok;
        if (o->out) {
            if (ok)
                fprintf(o->out, "PASS  %s\n", s[i].title);
            else
                fprintf(o->out, "FAIL  %s: %s\n", s[i].title, detail);
            fflush(o->out);
        }
        if (!ok) {
            int w = snprintf(r->failed + failed_len, sizeof r->failed - failed_len,
                             "%s%s", failed_len ? "," : "", s[i].id);
            if (w > 0 && (size_t)w < sizeof r->failed - failed_len)
                failed_len += (size_t)w;
        }
        json_array_append_new(scenarios, json_pack("{s:s, s:s, s:b, s:s}",
                              "id", s[i].id, "title", s[i].title, "passed", ok,
                              "detail", detail));
    }
    r->finished_at = sw_now_wall_ms();
    json_t *report = report_json(o, r, scenarios, c->via_peer);
    scenarios = NULL;
    char *text = report ? json_dumps(report, JSON_COMPACT) : NULL;
    json_decref(report);
    r->report = text ? sw_strdup(text) : NULL;
    free(text);
    if (r->report == NULL)
        rc = sw_err_set(err, SW_ENOMEM, "out of memory");
out:
    json_decref(scenarios);
    if (ehr && ehr->store)
        suite_ehr_close(ehr);
    sw_free(ehr);
    sw_free(c);
    return rc;
}

void hl7_suite_result_free(hl7_suite_result *r)
{
    sw_free(r->report);
    r->report = NULL;
}
