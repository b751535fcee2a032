/* api_inbox.c - each user's inbox (docs/workflows.md, "The inbox and
 * staff messages"):
 *
 *   GET  /api/inbox              the signed-in user's open items: results
 *        to review, notes to sign, messages from staff, colleagues'
 *        help requests (to a super-user), oldest first (what
 *        has waited longest is at the top), at most 200 of each kind, with
 *        the full counts
 *   POST /api/inbox/{item}/done  a message read; results are cleared by
 *        signing them off and notes by signing them (409 says which)
 *
 * Items are rows of inbox_item (src/clinical/inbox.h), written by the
 * workflow that made the record; titles and names come from the FHIR
 * records they point at, joined in the same read. Any signed-in user has
 * an inbox, so the routes need no permission beyond a session. */
#include "app.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clinical/inbox.h"
#include "clinical/results.h"
#include "core/clock.h"

#define INBOX_LIST_MAX 200

struct inbox_read {
    int64_t practice_id;
    int64_t user_id;
    json_t *results, *notes, *messages, *help;
    int64_t n_results, n_notes, n_messages, n_help;
};

static json_t *iso(int64_t ms)
{
    char t[SW_TIME_ISO_MAX];
    sw_time_iso(ms, t);
    return json_string(t);
}

static json_t *patient_json(const char *id, json_t *patient)
{
    if (id == NULL || id[0] == '\0')
        return json_null();
    return json_pack("{s:s, s:o}", "id", id, "name", server_patient_name(patient));
}

/* One row of the listing as the contract's item of its kind. */
static json_t *item_json(const char *kind, int64_t item, const char *res_id,
                         const char *patient_id, const char *flag,
                         int64_t created, json_t *res, json_t *patient)
{
    if (strcmp(kind, INBOX_RESULT) == 0)
        return json_pack("{s:I, s:s, s:o, s:s, s:s, s:o}", "item", (json_int_t)item,
            "report", res_id, "patient", patient_json(patient_id, patient),
            "title", results_concept_text(json_object_get(res, "code")),
            "flag", flag, "received", iso(created));
    if (strcmp(kind, INBOX_NOTE) == 0)
        return json_pack("{s:I, s:s, s:s?, s:o, s:o}", "item", (json_int_t)item,
            "note", res_id,
            "encounter", results_ref_id(json_object_get(res, "encounter"), "Encounter"),
            "patient", patient_json(patient_id, patient), "since", iso(created));
    json_t *payload = json_array_get(json_object_get(res, "payload"), 0);
    return json_pack("{s:I, s:s, s:o, s:o, s:s, s:s, s:s?}", "item", (json_int_t)item,
        "message", res_id, "from", server_person_json(json_object_get(res, "sender")),
        "patient", patient_json(patient_id, patient),
        "subject", results_concept_text(json_object_get(res, "topic")),
        "text", json_string_value(json_object_get(payload, "contentString"))
                ? json_string_value(json_object_get(payload, "contentString")) : "",
        "sent", json_string_value(json_object_get(res, "sent")));
}

/* Counts the user's open items of kind and, when there are any, prepares
 * sql, whose parameters are the practice, the user and the kind; *st
 * stays NULL when there is nothing to list. */
static int open_items(store_tx *tx, const struct inbox_read *r,
                      const char *kind, const char *sql, int64_t *count,
                      store_stmt **st)
{
    *st = NULL;
    int rc = store_query_int64(tx, count, "SELECT COUNT(*) FROM inbox_item "
                               "WHERE practice_id = ? AND user_id = ? AND "
                               "kind = ? AND done_at = 0", "iit",
                               r->practice_id, r->user_id, kind);
    if (rc != SW_OK || *count == 0)
        return rc;
    rc = store_prepare(tx, sql, st);
    if (rc != SW_OK)
        return rc;
    if ((rc = store_bind_int64(*st, 1, r->practice_id)) == SW_OK
        && (rc = store_bind_int64(*st, 2, r->user_id)) == SW_OK)
        rc = store_bind_cstr(*st, 3, kind);
    if (rc != SW_OK) {
        store_finalize(*st);
        *st = NULL;
    }
    return rc;
}

static int list_kind(store_tx *tx, struct inbox_read *r, const char *kind,
                     json_t *list, int64_t *count)
{
    store_stmt *st;
    int rc = open_items(tx, r, kind,
        "SELECT i.item_id, i.res_id, i.patient_id, i.flag, i.created_at, "
        "r.body, p.body FROM inbox_item i "
        "LEFT JOIN fhir_resource r ON r.practice_id = i.practice_id "
        "AND r.res_type = i.res_type AND r.res_id = i.res_id "
        "LEFT JOIN fhir_resource p ON p.practice_id = i.practice_id "
        "AND p.res_type = 'Patient' AND p.res_id = i.patient_id "
        "WHERE i.practice_id = ? AND i.user_id = ? AND i.kind = ? "
        "AND i.done_at = 0 ORDER BY i.created_at, i.item_id LIMIT 200",
        count, &st);
    if (rc != SW_OK || st == NULL)
        return rc;
    bool row = false;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        size_t rn, pn;
        const char *rb = store_col_text(st, 5, &rn);
        const char *pb = store_col_text(st, 6, &pn);
        json_t *res = rn ? json_loadb(rb, rn, 0, NULL) : NULL;
        json_t *patient = pn ? json_loadb(pb, pn, 0, NULL) : NULL;
        json_t *item = item_json(kind, store_col_int64(st, 0),
                                 store_col_text(st, 1, NULL),
                                 store_col_text(st, 2, NULL),
                                 store_col_text(st, 3, NULL),
                                 store_col_int64(st, 4), res, patient);
        json_decref(res);
        json_decref(patient);
        if (item == NULL || json_array_append_new(list, item) != 0) {
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
            break;
        }
    }
    store_finalize(st);
    return rc;
}

/* Help requests (training/help.h) point at a help_request row, not a FHIR
 * record: who asks, on which module and screen, in their own words. */
static int list_help(store_tx *tx, struct inbox_read *r)
{
    store_stmt *st;
    int rc = open_items(tx, r, INBOX_HELP,
        "SELECT i.item_id, h.request_id, COALESCE(u.username, ''), "
        "COALESCE(u.display_name, ''), h.module, h.screen, h.text, h.created_at "
        "FROM inbox_item i JOIN help_request h ON h.practice_id = i.practice_id "
        "AND CAST(h.request_id AS TEXT) = i.res_id "
        "LEFT JOIN app_user u ON u.practice_id = h.practice_id "
        "AND u.user_id = h.user_id "
        "WHERE i.practice_id = ? AND i.user_id = ? AND i.kind = ? "
        "AND i.done_at = 0 ORDER BY i.created_at, i.item_id LIMIT 200",
        &r->n_help, &st);
    if (rc != SW_OK || st == NULL)
        return rc;
    bool row = false;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        json_t *item = json_pack("{s:I, s:I, s:o, s:s, s:s, s:s, s:o}",
            "item", (json_int_t)store_col_int64(st, 0),
            "request", (json_int_t)store_col_int64(st, 1),
            "from", server_person(store_col_text(st, 2, NULL),
                                  store_col_text(st, 3, NULL)),
            "module", store_col_text(st, 4, NULL),
            "screen", store_col_text(st, 5, NULL),
            "text", store_col_text(st, 6, NULL),
            "sent", iso(store_col_int64(st, 7)));
        if (item == NULL || json_array_append_new(r->help, item) != 0) {
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
            break;
        }
    }
    store_finalize(st);
    return rc;
}

static int inbox_fn(store_tx *tx, void *arg)
{
    struct inbox_read *r = arg;
    json_array_clear(r->results);
    json_array_clear(r->notes);
    json_array_clear(r->messages);
    json_array_clear(r->help);
    int rc = list_kind(tx, r, INBOX_RESULT, r->results, &r->n_results);
    if (rc == SW_OK)
        rc = list_kind(tx, r, INBOX_NOTE, r->notes, &r->n_notes);
    if (rc == SW_OK)
        rc = list_kind(tx, r, INBOX_MESSAGE, r->messages, &r->n_messages);
    if (rc == SW_OK)
        rc = list_help(tx, r);
    return rc;
}

static int get_inbox(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    struct inbox_read r = { .practice_id = s->practice_id, .user_id = s->user_id,
                            .results = json_array(), .notes = json_array(),
                            .messages = json_array(), .help = json_array() };
    sw_err err;
    int rc = r.results && r.notes && r.messages && r.help
           ? store_read(app->store, inbox_fn, &r, &err) : SW_ENOMEM;
    if (rc != SW_OK) {
        json_decref(r.results);
        json_decref(r.notes);
        json_decref(r.messages);
        json_decref(r.help);
        return http_fail(res, rc, "%s", rc == SW_ENOMEM ? "out of memory"
                                                        : sw_err_text(&err));
    }
    return server_reply_json(res, 200, json_pack("{s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I}}",
        "results", r.results, "notes", r.notes, "messages", r.messages,
        "help", r.help, "counts", "results", (json_int_t)r.n_results, "notes",
        (json_int_t)r.n_notes, "messages", (json_int_t)r.n_messages,
        "help", (json_int_t)r.n_help));
}

/* ---- Marking a message read ------------------------------------------------ */

struct done {
    int64_t practice_id;
    int64_t user_id;
    int64_t item_id;
    int64_t done_at;
};

static int done_fn(store_tx *tx, void *arg)
{
    struct done *d = arg;
    int64_t is_result = 0, is_note = 0;
    int rc = store_query_int64(tx, &is_result, "SELECT COUNT(*) FROM inbox_item "
                               "WHERE practice_id = ? AND item_id = ? AND "
                               "user_id = ? AND kind = ?", "iiit", d->practice_id,
                               d->item_id, d->user_id, INBOX_RESULT);
    if (rc == SW_OK)
        rc = store_query_int64(tx, &is_note, "SELECT COUNT(*) FROM inbox_item "
                               "WHERE practice_id = ? AND item_id = ? AND "
                               "user_id = ? AND kind = ?", "iiit", d->practice_id,
                               d->item_id, d->user_id, INBOX_NOTE);
    if (rc != SW_OK)
        return rc;
    if (is_result)
        return store_tx_fail(tx, SW_ECONFLICT, "a result leaves the inbox when "
                             "it is signed off: sign it off instead");
    if (is_note)
        return store_tx_fail(tx, SW_ECONFLICT, "a note leaves the inbox when it "
                             "is signed: sign the note instead");
    bool was_open;
    rc = inbox_done(tx, d->practice_id, d->item_id, d->user_id, sw_now_wall_ms(),
                    &was_open);
    if (rc == SW_OK)
        rc = store_query_int64(tx, &d->done_at, "SELECT done_at FROM inbox_item "
                               "WHERE practice_id = ? AND item_id = ?", "ii",
                               d->practice_id, d->item_id);
    return rc;
}

static int post_done(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    const char *item = http_route_value(req, "item");
    char *end = NULL;
    long long id = strtoll(item, &end, 10);
    if (item[0] < '0' || item[0] > '9' || *end != '\0' || id <= 0)
        return http_fail(res, SW_ENOTFOUND, "there is no item %.20s in your "
                         "inbox", item);
    struct done d = { .practice_id = s->practice_id, .user_id = s->user_id,
                      .item_id = id };
    sw_err err;
    int rc = store_write(app->store, done_fn, &d, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    return server_reply_json(res, 200, json_pack("{s:I, s:o}", "item",
                             (json_int_t)id, "done_at", iso(d.done_at)));
}

static const http_route routes[] = {
    { "GET", "/api/inbox", get_inbox, 0, NULL },
    { "POST", "/api/inbox/{item}/done", post_done, 0, NULL },
};

const http_route_table inbox_routes = {
    .name = "inbox",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
