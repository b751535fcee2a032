/* api_interface_reconcile.c - the interface's reconciliation report for
 * billers (docs/hl7-interface.md, "Reconciliation and monitoring"):
 *
 *   GET /api/interface/reconcile[?date=YYYY-MM-DD | ?from=…&to=…]
 *       [&alert_after=MINUTES]
 *
 * Visits signed in the range (UTC days; today when no date is given) ↔ the
 * charges they created ↔ queued for the practice-management system ↔
 * acknowledged, with totals, discrepancies and the interface's alerts
 * (src/hl7/reconcile.h). The report names patients, so each visit listed
 * is a read audited under charge_capture.reconcile, written in the same
 * transaction that reads the report: nothing leaves unaudited. Reading it
 * is always on, whatever the rollout plan says (route_modules.c). */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "hl7/reconcile.h"

/* The alert threshold a request may set, in minutes: up to a week. */
#define ALERT_AFTER_MAX_MIN (7 * 24 * 60)

static int day_param(sw_request *req, sw_response *res, const char *name,
                     int64_t *day)
{
    const char *v = http_query_get(req, name);
    if (!hl7_rec_parse_day(v, day))
        return http_fail(res, SW_EINVAL, "\"%s\" must be a date, such as "
                         "2026-11-25", name);
    return SW_OK;
}

/* The range and the threshold from the query string; a 400 naming the
 * parameter otherwise. */
static int read_query(sw_request *req, sw_response *res, hl7_rec_query *q)
{
    const char *date = http_query_get(req, "date");
    const char *from = http_query_get(req, "from"), *to = http_query_get(req, "to");
    const char *after = http_query_get(req, "alert_after");
    int rc = SW_OK;
    if (date && (from || to))
        return http_fail(res, SW_EINVAL, "give either \"date\" or \"from\" and "
                         "\"to\", not both");
    if (date) {
        if ((rc = day_param(req, res, "date", &q->from_day)) != SW_OK)
            return rc;
        q->to_day = q->from_day;
    } else if (from || to) {
        if (from == NULL || to == NULL)
            return http_fail(res, SW_EINVAL, "\"%s\" is missing: a range needs "
                             "both \"from\" and \"to\"", from ? "to" : "from");
        if ((rc = day_param(req, res, "from", &q->from_day)) != SW_OK
            || (rc = day_param(req, res, "to", &q->to_day)) != SW_OK)
            return rc;
        if (q->to_day < q->from_day)
            return http_fail(res, SW_EINVAL, "\"to\" must not be before \"from\"");
        if (q->to_day - q->from_day + 1 > HL7_RECONCILE_MAX_DAYS)
            return http_fail(res, SW_EINVAL, "\"to\" must be at most %d days "
                             "after \"from\": a report covers up to %d days",
                             HL7_RECONCILE_MAX_DAYS - 1, HL7_RECONCILE_MAX_DAYS);
    } else {
        q->from_day = q->to_day = q->now_ms / (24LL * 3600 * 1000);
    }
    q->alert_after_ms = SW_HL7_ALERT_AFTER_MS;
    if (after) {
        char *end = NULL;
        long m = strtol(after, &end, 10);
        if (after[0] < '0' || after[0] > '9' || *end != '\0' || m < 1
            || m > ALERT_AFTER_MAX_MIN)
            return http_fail(res, SW_EINVAL, "\"alert_after\" must be a whole "
                             "number of minutes from 1 to %d", ALERT_AFTER_MAX_MIN);
        q->alert_after_ms = (int64_t)m * 60000;
    }
    return SW_OK;
}

struct reconcile_read {
    sw_request     *req;
    hl7_rec_query   q;
    hl7_rec_report *report;
};

static int reconcile_fn(store_tx *tx, void *arg)
{
    struct reconcile_read *c = arg;
    hl7_reconcile_free(c->report);
    c->report = NULL;
    int rc = hl7_reconcile_tx(tx, &c->q, &c->report);
    /* Each visit listed shows its patient's name: a read of their record. */
    for (size_t i = 0; rc == SW_OK && i < c->report->nvisits; i++) {
        const hl7_rec_visit *v = &c->report->visits[i];
        rc = server_read_audit(tx, c->req, "charge_capture.reconcile",
                               v->patient_id, "Encounter", v->encounter_id,
                               true, "reconciliation");
    }
    return rc;
}

static int get_reconcile(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    struct reconcile_read c = { .req = req };
    c.q.practice_id = s->practice_id;
    c.q.now_ms = sw_now_wall_ms();
    c.q.names = true;
    int rc = read_query(req, res, &c.q);
    if (rc != SW_OK)
        return rc;
    sw_err err;
    rc = store_write(app->store, reconcile_fn, &c, &err);
    if (rc != SW_OK) {
        hl7_reconcile_free(c.report);
        if (rc == SW_ECOSTLY || rc == SW_EINVAL)      /* the range: say so */
            return http_fail(res, rc, "%s", sw_err_text(&err));
        return server_store_failed(res, rc, &err, "the reconciliation report");
    }
    json_t *doc = hl7_reconcile_json(c.report);
    hl7_reconcile_free(c.report);
    if (doc == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    return server_reply_json(res, 200, doc);
}

static const http_route routes[] = {
    { "GET", "/api/interface/reconcile", get_reconcile, 0, "billing:read" },
};

const http_route_table interface_reconcile_routes = {
    .name = "interface_reconcile",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
