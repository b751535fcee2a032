/* api_help.c - help requests over HTTP (docs/training.md "Help requests"):
 *
 *   POST /api/help              {"module", "screen", "text"?}: asks the
 *        module's super-users for help; 201 {"id", "recipients"}
 *   GET  /api/help              the requests I sent and those sent to me
 *   POST /api/help/{id}/answer  marks a request sent to me answered (and
 *        done in every recipient's inbox)
 *
 * Any signed-in user may ask, from either environment; requests and the
 * inbox items they make live in the production store, where the
 * super-users read their inbox. The request carries what the user chose
 * to write and nothing from the chart. */
#include "app.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "rollout/catalog.h"
#include "training/help.h"

#define HELP_BODY_MAX 8192

/* A refusal the store function made (who may answer, which account may
 * be a super-user) keeps its sentence; the rest as any store failure. */
static int store_failed(sw_response *res, int rc, const sw_err *err)
{
    if (rc == SW_EFORBIDDEN || rc == SW_EUNPROCESSABLE)
        return http_fail(res, rc, "%s", sw_err_text(err));
    return server_store_failed(res, rc, err, "the help requests");
}

static json_t *iso_or_null(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    char t[SW_TIME_ISO_MAX];
    sw_time_iso(ms, t);
    return json_string(t);
}

static json_t *row_json(const help_row *r)
{
    const catalog_module *m = catalog_find(r->module);
    return json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b}",
        "id", (json_int_t)r->request_id,
        "from", server_person(r->username, r->display_name),
        "module", r->module, "title", m ? m->title : r->module,
        "screen", r->screen, "text", r->text,
        "created_at", iso_or_null(r->created_at_ms),
        "answered_by", r->answered_by
            ? server_person(r->answered_by_username, r->answered_by_name)
            : json_null(),
        "answered_at", iso_or_null(r->answered_at_ms), "mine", r->mine);
}

static int post_help(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    json_t *doc;
    int rc = server_json_body(req, res, HELP_BODY_MAX, &doc);
    if (rc != SW_OK)
        return rc;
    static const char *const members[] = { "module", "screen", "text", NULL };
    const char *v[3] = { NULL, NULL, NULL };
    if ((rc = server_json_only_members(doc, members, res)) != SW_OK
        || (rc = server_json_strings(doc, members, v, 3, res)) != SW_OK)
        goto out;
    if (v[0] == NULL || !catalog_is_module(v[0])) {
        rc = http_fail(res, SW_EBADREQUEST, "module must be a module id "
                       "(GET /api/modules lists them)");
        goto out;
    }
    if (v[1] == NULL || v[1][0] == '\0' || strlen(v[1]) > HELP_SCREEN_MAX) {
        rc = http_fail(res, SW_EBADREQUEST, "screen is required: the screen "
                       "you are on, at most %d characters", HELP_SCREEN_MAX);
        goto out;
    }
    if (v[2] != NULL && strlen(v[2]) > HELP_TEXT_MAX) {
        rc = http_fail(res, SW_EBADREQUEST, "text must be at most %d "
                       "characters", HELP_TEXT_MAX);
        goto out;
    }
    audit_who who;
    server_audit_who(req, &who);
    int64_t id, recipients;
    sw_err err;
    rc = help_create(server_prod_store(app), &who, v[0], v[1], v[2] ? v[2] : "",
                     &id, &recipients, &err);
    if (rc != SW_OK) {
        rc = store_failed(res, rc, &err);
        goto out;
    }
    rc = server_reply_json(res, 201, json_pack("{s:I, s:s, s:s, s:I}", "id",
                           (json_int_t)id, "module", v[0], "screen", v[1],
                           "recipients", (json_int_t)recipients));
out:
    json_decref(doc);
    return rc;
}

static int get_help(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    help_row *rows;
    size_t n;
    sw_err err;
    int rc = help_list(server_prod_store(app), req->arena, s->practice_id,
                       s->user_id, &rows, &n, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        json_t *one = row_json(&rows[i]);
        if (one == NULL || json_array_append_new(list, one) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    json_t *doc = list ? json_pack("{s:o}", "requests", list) : NULL;
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

static int post_answer(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const char *id = http_route_value(req, "id");
    char *end = NULL;
    long long n = strtoll(id, &end, 10);
    if (id[0] < '0' || id[0] > '9' || *end != '\0' || n <= 0)
        return http_fail(res, SW_ENOTFOUND, "there is no help request %.20s", id);
    audit_who who;
    server_audit_who(req, &who);
    help_row row;
    sw_err err;
    int rc = help_answer(server_prod_store(app), req->arena, &who, n, &row, &err);
    if (rc != SW_OK)
        return store_failed(res, rc, &err);
    json_t *doc = row_json(&row);
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

static const http_route routes[] = {
    { "POST", "/api/help",             post_help,   HTTP_ROUTE_BODY, NULL },
    { "GET",  "/api/help",             get_help,    0,               NULL },
    { "POST", "/api/help/{id}/answer", post_answer, 0,               NULL },
};

const http_route_table help_routes = {
    .name = "help",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
