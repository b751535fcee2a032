/* api_activity.c - the web app's activity reports (docs/adoption-metrics.md
 * "Activity"):
 *
 *   POST /api/activity   any signed-in user, for themself
 *        {"entries": [{"area": "documentation", "screen": "visit",
 *                      "from": "2026-11-25T14:00:00Z",
 *                      "to": "2026-11-25T14:01:00Z",
 *                      "active_seconds": 42}]}
 *        → 204
 *
 * Every entry is checked first (adoption_report_check: a known area, a
 * screen name, a span of at most 15 minutes in the last 7 days); one bad
 * entry is a 400 naming it and nothing is stored. The rows go to the
 * production store. In the training environment (/training/api/activity)
 * the answer is also 204 but nothing is stored: the web app posts the
 * same way in both, and practice in training is not use of the EHR.
 * Workload: each signed-in browser posts about once a minute. */
#include "app.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "adoption/activity.h"
#include "core/clock.h"

#define ACTIVITY_BODY_MAX (64 * 1024)

/* Reads entry i of the body into e; a 400 naming the member otherwise. */
static int read_entry(json_t *item, size_t i, adoption_report_entry *e,
                      sw_response *res)
{
    static const char *const members[] = {
        "area", "screen", "from", "to", "active_seconds", NULL,
    };
    if (!json_is_object(item))
        return http_fail(res, SW_EINVAL, "entries[%zu] must be an object", i);
    int rc = server_json_only_members(item, members, res);
    if (rc != SW_OK)
        return rc;
    static const char *const texts[] = { "area", "screen", "from", "to" };
    const char *v[4];
    for (size_t k = 0; k < 4; k++) {
        v[k] = json_string_value(json_object_get(item, texts[k]));
        if (v[k] == NULL)
            return http_fail(res, SW_EINVAL, "entries[%zu].%s must be a "
                             "string", i, texts[k]);
    }
    e->area = v[0];
    e->screen = v[1];
    if (!sw_time_parse_iso(v[2], &e->from_ms))
        return http_fail(res, SW_EINVAL, "entries[%zu].from must be an ISO "
                         "8601 instant with a time zone", i);
    if (!sw_time_parse_iso(v[3], &e->to_ms))
        return http_fail(res, SW_EINVAL, "entries[%zu].to must be an ISO "
                         "8601 instant with a time zone", i);
    json_t *secs = json_object_get(item, "active_seconds");
    if (!json_is_number(secs) || !isfinite(json_number_value(secs))
        || json_number_value(secs) < 0 || json_number_value(secs) > 86400)
        return http_fail(res, SW_EINVAL, "entries[%zu].active_seconds must "
                         "be a number of seconds, 0 or more", i);
    e->active_ms = (int64_t)llround(json_number_value(secs) * 1000.0);
    char msg[200];
    if (adoption_report_check(e, i, sw_now_wall_ms(), msg, sizeof msg) != SW_OK)
        return http_fail(res, SW_EINVAL, "%s", msg);
    return SW_OK;
}

struct add_ctx {
    int64_t                      practice_id, user_id;
    const adoption_report_entry *entries;
    size_t                       n;
};

static int add_fn(store_tx *tx, void *arg)
{
    struct add_ctx *c = arg;
    adoption_settings set;
    int rc = adoption_settings_load(tx, c->practice_id, &set);
    if (rc == SW_OK)
        rc = adoption_activity_add(tx, c->practice_id, c->user_id, &set,
                                   c->entries, c->n);
    return rc;
}

static int post_activity(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    json_t *doc = NULL;
    int rc = server_json_body(req, res, ACTIVITY_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    static const char *const members[] = { "entries", NULL };
    adoption_report_entry *entries = NULL;
    json_t *list = json_object_get(doc, "entries");
    size_t n = json_array_size(list);
    if ((rc = server_json_only_members(doc, members, res)) != SW_OK)
        goto out;
    if (!json_is_array(list)) {
        rc = http_fail(res, SW_EINVAL, "entries must be an array");
        goto out;
    }
    if (n > ADOPTION_REPORT_MAX_ENTRIES) {
        rc = http_fail(res, SW_EINVAL, "entries: at most %d in one report",
                       ADOPTION_REPORT_MAX_ENTRIES);
        goto out;
    }
    entries = sw_arena_calloc(req->arena, n ? n : 1, sizeof *entries);
    if (entries == NULL) {
        rc = http_fail(res, SW_ENOMEM, NULL);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = read_entry(json_array_get(list, i), i, &entries[i], res)) != SW_OK)
            goto out;
    /* Checked like production, not kept: see the file comment. */
    if (app->training || n == 0) {
        rc = http_reply(res, 204, NULL, "", 0);
        goto out;
    }
    const auth_session *me = server_principal(req);
    struct add_ctx c = { .practice_id = me->practice_id, .user_id = me->user_id,
                         .entries = entries, .n = n };
    sw_err err;
    rc = store_write(server_prod_store(app), add_fn, &c, &err);
    if (rc == SW_EINVAL)
        rc = http_fail(res, rc, "%s", sw_err_text(&err));
    else if (rc != SW_OK)
        rc = server_store_failed(res, rc, &err, "the activity report");
    else
        rc = http_reply(res, 204, NULL, "", 0);
out:
    json_decref(doc);
    return rc;
}

static const http_route routes[] = {
    { "POST", "/api/activity", post_activity, HTTP_ROUTE_BODY, NULL },
};

const http_route_table activity_routes = {
    .name = "activity",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
