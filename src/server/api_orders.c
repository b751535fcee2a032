/* api_orders.c - ordering laboratory tests and imaging (docs/workflows.md,
 * "Orders"):
 *
 *   GET  /api/order-catalog?q=a1c           the catalog, searched as typed
 *   POST /api/patients/{id}/orders          {"code": "4548-4",
 *        "priority": "routine", "reason": "Diabetes follow-up"} → 201
 *   GET  /api/patients/{id}/orders          the patient's orders, newest
 *        first, each with its latest result (DiagnosticReport.basedOn)
 *
 * An order is a FHIR ServiceRequest written through the same transaction
 * path as every workflow (fhir_tx.c), so it is validated and audited as
 * orders.create. The requester is the signed-in user; the result that
 * arrives later lands in that user's inbox (api_results.c). */
#include "patient_records.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clinical/orders_catalog.h"
#include "clinical/results.h"
#include "core/clock.h"
#include "fhir/resources.h"

#define ORDER_BODY_MAX   (16 * 1024)
#define ORDER_SEARCH_MAX 20
#define ORDER_LIST_MAX   200

static int get_catalog(sw_request *req, sw_response *res)
{
    const order_item *found[ORDER_SEARCH_MAX];
    size_t n = orders_catalog_search(http_query_get(req, "q"), found,
                                     ORDER_SEARCH_MAX);
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}",
            "code", found[i]->code, "system", ORDERS_LOINC,
            "display", found[i]->display,
            "category", orders_category_name(found[i]->category)));
    return server_reply_json(res, 200, json_pack("{s:o}", "orders", list));
}

/* ---- Placing an order ------------------------------------------------------ */

struct order_check {
    int64_t     practice_id;
    const char *patient;
    const char *encounter;      /* NULL: none */
    sw_arena   *a;
    bool        patient_found;
    bool        encounter_found;
    bool        encounter_other_patient;
};

static int check_fn(store_tx *tx, void *arg)
{
    struct order_check *c = arg;
    int rc = fhir_row_exists(tx, c->practice_id, "Patient", c->patient,
                             &c->patient_found);
    if (rc != SW_OK || !c->patient_found || c->encounter == NULL)
        return rc;
    fhir_version v;
    rc = fhir_row_read(tx, c->a, c->practice_id, "Encounter", c->encounter, 0, &v);
    if (rc == SW_ENOTFOUND)
        return SW_OK;
    if (rc != SW_OK || v.deleted)
        return rc;
    c->encounter_found = true;
    json_t *enc = json_loadb(v.body, v.body_len, 0, NULL);
    const char *subject = results_ref_id(json_object_get(enc, "subject"), "Patient");
    c->encounter_other_patient = subject == NULL || strcmp(subject, c->patient) != 0;
    json_decref(enc);
    return SW_OK;
}

static int post_order(sw_request *req, sw_response *res)
{
    static const char *const members[] = {
        "code", "category", "priority", "reason", "note", "encounter", NULL,
    };
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    const char *patient = http_route_value(req, "id");
    json_t *doc = NULL, *requester = NULL;
    sw_buf sr = SW_BUF_INIT(32 * 1024);
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    server_bundle b;
    server_bundle_begin(&b);
    sw_err err;
    int rc = server_json_body(req, res, ORDER_BODY_MAX, &doc);
    if (rc == SW_OK)
        rc = server_json_only_members(doc, members, res);
    order_new o = { .patient_id = patient };
    const char *code = NULL, *category = NULL;
    const char *v[6];
    if (rc == SW_OK && (rc = server_json_strings(doc, members, v, 6, res)) == SW_OK) {
        code = v[0];
        category = v[1];
        o.priority = v[2] ? v[2] : "routine";
        o.reason = v[3];
        o.note = v[4];
        o.encounter_id = v[5];
    }
    order_category cat;
    if (rc == SW_OK && code == NULL)
        rc = http_fail(res, SW_EINVAL, "\"code\" is required: a LOINC code "
                       "from the order catalog");
    if (rc == SW_OK && (o.item = orders_catalog_find(code)) == NULL)
        rc = http_fail(res, SW_EINVAL, "\"code\" %.20s is not in the order "
                       "catalog", code);
    if (rc == SW_OK && category
        && (!orders_category_parse(category, &cat) || cat != o.item->category))
        rc = http_fail(res, SW_EINVAL, "\"category\" must be %s for %s",
                       orders_category_name(o.item->category), o.item->code);
    if (rc == SW_OK && results_order_check(&o, &err) != SW_OK)
        rc = http_fail(res, err.code, "%s", err.msg);
    if (rc == SW_OK) {
        struct order_check c = { .practice_id = s->practice_id, .patient = patient,
                                 .encounter = o.encounter_id, .a = req->arena };
        if ((rc = store_read(app->store, check_fn, &c, &err)) != SW_OK)
            rc = http_fail(res, rc, "%s", sw_err_text(&err));
        else if (!c.patient_found)
            rc = http_fail(res, SW_ENOTFOUND, "there is no Patient/%s", patient);
        else if (o.encounter_id && !c.encounter_found)
            rc = http_fail(res, SW_EINVAL, "\"encounter\": there is no "
                           "Encounter/%.64s", o.encounter_id);
        else if (o.encounter_id && c.encounter_other_patient)
            rc = http_fail(res, SW_EINVAL, "\"encounter\" is another "
                           "patient's visit");
    }
    if (rc == SW_OK && (requester = server_user_reference(req, res)) == NULL)
        rc = SW_EINTERNAL;
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    o.authored = now;
    char *requester_text = requester ? json_dumps(requester, JSON_COMPACT) : NULL;
    o.requester_json = requester_text;
    if (rc == SW_OK && (requester_text == NULL
                        || results_order_resource(&o, &sr) != SW_OK))
        rc = http_fail(res, SW_ENOMEM, NULL);
    if (rc == SW_OK) {
        server_bundle_add(&b, "POST", "ServiceRequest", sw_buf_str(&sr), sr.len,
                          NULL, 0);
        if (server_bundle_end(&b) != SW_OK)
            rc = http_fail(res, SW_ENOMEM, NULL);
    }
    if (rc == SW_OK)
        rc = server_fhir_transaction(req, res, &b.text, &out);
    if (rc == SW_OK) {
        json_t *ids = server_created_ids(req->arena, &out, "ServiceRequest");
        json_t *id = json_array_get(ids, 0);
        rc = server_reply_json(res, 201, json_pack("{s:O?}", "order", id));
        json_decref(ids);
    }
    free(requester_text);
    json_decref(requester);
    json_decref(doc);
    sw_buf_free(&sr);
    server_bundle_free(&b);
    sw_buf_free(&out);
    return rc;
}

/* ---- Listing a patient's orders -------------------------------------------- */


/* The newest DiagnosticReport based on ServiceRequest/id, or NULL. */
static int latest_report(store_tx *tx, int64_t practice_id, const char *id,
                         json_t **report)
{
    store_stmt *st;
    *report = NULL;
    int rc = store_prepare(tx,
        "SELECT r.res_id FROM fhir_idx_ref x JOIN fhir_resource r "
        "ON r.practice_id = x.practice_id AND r.res_type = x.res_type "
        "AND r.res_id = x.res_id WHERE x.practice_id = ? "
        "AND x.res_type = 'DiagnosticReport' AND x.target_type = 'ServiceRequest' "
        "AND x.target_id = ? AND r.deleted = 0 "
        "ORDER BY r.updated_ms DESC, r.res_id LIMIT 1", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, id)) == SW_OK
        && (rc = store_step(st, &row)) == SW_OK && row)
        *report = json_string(store_col_text(st, 0, NULL));
    store_finalize(st);
    return rc;
}

static json_t *order_json(json_t *sr, const char *id, json_t *report)
{
    json_t *cat = json_array_get(json_object_get(sr, "category"), 0);
    json_t *coding = json_array_get(json_object_get(cat, "coding"), 0);
    const char *cat_code = json_string_value(json_object_get(coding, "code"));
    json_t *code = json_array_get(json_object_get(json_object_get(sr, "code"),
                                                  "coding"), 0);
    return json_pack("{s:s, s:s?, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:o}",
        "id", id,
        "code", json_string_value(json_object_get(code, "code")),
        "display", results_concept_text(json_object_get(sr, "code")),
        "category", cat_code && strcmp(cat_code, RESULTS_CAT_IMG_CODE) == 0
                    ? "imaging" : "lab",
        "status", json_string_value(json_object_get(sr, "status")),
        "priority", json_string_value(json_object_get(sr, "priority")),
        "authored", json_string_value(json_object_get(sr, "authoredOn")),
        "requester", server_person_json(json_object_get(sr, "requester")),
        "result", report ? report : json_null());
}

/* In the read's transaction, once the orders are read: each as the /api
 * shows it, with its latest result. */
static int reports_fn(store_tx *tx, const sw_request *req, patient_read *r)
{
    json_t *orders = r->arg;
    const auth_session *s = server_principal(req);
    json_array_clear(orders);
    for (size_t i = 0; i < r->n; i++) {
        json_t *sr = json_loadb(r->items[i].body, r->items[i].len, 0, NULL);
        json_t *report = NULL;
        int rc = sr ? latest_report(tx, s->practice_id, r->items[i].id, &report)
                    : SW_ENOMEM;
        json_t *item = rc == SW_OK ? order_json(sr, r->items[i].id, report) : NULL;
        json_decref(sr);
        if (rc != SW_OK)
            return rc;
        if (item == NULL || json_array_append_new(orders, item) != 0)
            return store_tx_fail(tx, SW_ENOMEM, NULL);
    }
    return SW_OK;
}

static int newest_first(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, "authored"));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, "authored"));
    return strcmp(y ? y : "", x ? x : "");
}

static int get_orders(sw_request *req, sw_response *res)
{
    static const char *const types[] = { "ServiceRequest", NULL };
    json_t *orders = json_array();
    patient_read l = { .patient = http_route_value(req, "id"), .types = types,
                       .param = "subject", .max = ORDER_LIST_MAX,
                       .newest_first = true, .restricted = true,
                       .feature = "orders.read", .audit_type = "ServiceRequest",
                       .audit_detail = "patient orders",
                       .then = reports_fn, .arg = orders };
    int rc = orders ? patient_records_read(req, res, &l)
                    : http_fail(res, SW_ENOMEM, NULL);
    if (rc != SW_OK) {
        json_decref(orders);
        return rc;
    }
    /* authoredOn, newest first (ISO instants in UTC sort as text). */
    size_t n = json_array_size(orders);
    json_t **items = calloc(n + 1, sizeof *items);
    if (items == NULL) {
        json_decref(orders);
        return http_fail(res, SW_ENOMEM, NULL);
    }
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(orders, i));
    if (items && n > 1)
        qsort(items, n, sizeof *items, newest_first);
    json_array_clear(orders);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(orders, items[i]);
    free(items);
    return server_reply_json(res, 200, json_pack("{s:o}", "orders", orders));
}

static const http_route routes[] = {
    { "GET", "/api/order-catalog", get_catalog, 0, "orders:read" },
    { "POST", "/api/patients/{id}/orders", post_order, HTTP_ROUTE_BODY,
      "orders:order" },
    { "GET", "/api/patients/{id}/orders", get_orders, 0, "orders:read" },
};

const http_route_table orders_routes = {
    .name = "orders",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
