/* visits_store.c - reading a visit and running its transactions, for the
 * handlers of api_visits.c and api_schedule.c (see api_visits.h).
 *
 * A visit is read in one snapshot: the Encounter, then every Composition,
 * Condition, Procedure and ChargeItem that references it (one index query
 * on fhir_idx_ref), then its Patient. A visit has a handful of these, so
 * they are parsed with jansson. */
#include "api_visits.h"

#include <stdio.h>
#include <string.h>

#include "auth/restricted.h"
#include "clinical/notes.h"
#include "core/clock.h"
#include "core/str.h"
#include "fhir/primitive.h"
#include "fhir/resources.h"

json_t *visits_parse(const char *body, size_t len)
{
    return json_loadb(body, len, 0, NULL);
}

static int read_one(store_tx *tx, visits_state *st, sw_arena *a,
                    const char *type, const char *id, visits_res *out,
                    bool *found)
{
    fhir_version v;
    *found = false;
    int rc = fhir_row_read(tx, a, st->practice_id, type, id, 0, &v);
    if (rc == SW_ENOTFOUND || (rc == SW_OK && v.deleted))
        return SW_OK;
    if (rc != SW_OK)
        return rc;
    json_decref(out->doc);
    out->doc = visits_parse(v.body, v.body_len);
    if (out->doc == NULL)
        return SW_ENOMEM;
    out->type = type;
    out->id = id;
    out->version = v.version;
    *found = true;
    return SW_OK;
}

static void clear(visits_state *st)
{
    json_decref(st->encounter.doc);
    json_decref(st->note.doc);
    json_decref(st->patient);
    for (size_t i = 0; i < st->n; i++)
        json_decref(st->items[i].doc);
    st->encounter.doc = st->note.doc = st->patient = NULL;
    st->n = 0;
    st->found = false;
}

struct load_ctx {
    visits_state *st;
    sw_arena     *a;
    sw_request   *req;
    const char   *feature;   /* audit the read under it, or NULL */
};

static int read_audit(store_tx *tx, struct load_ctx *c, bool allowed)
{
    if (c->feature == NULL)
        return SW_OK;
    return server_read_audit(tx, c->req, c->feature, c->st->patient_id,
                             "Encounter", c->st->id, allowed, "visit");
}

static int load_fn(store_tx *tx, void *arg)
{
    struct load_ctx *c = arg;
    visits_state *st = c->st;
    clear(st);   /* a retried transaction starts over */
    int rc = read_one(tx, st, c->a, "Encounter", st->id, &st->encounter, &st->found);
    if (rc != SW_OK || !st->found)
        return rc;
    const char *subject = json_string_value(json_object_get(
        json_object_get(st->encounter.doc, "subject"), "reference"));
    st->patient_id = subject && strncmp(subject, "Patient/", 8) == 0
                     ? sw_arena_strdup(c->a, subject + 8) : "";
    if (st->patient_id == NULL)
        return SW_ENOMEM;
    bool allowed = true;
    if (st->patient_id[0])
        rc = auth_patient_access(tx, st->practice_id, server_principal(c->req)->user_id,
                                 st->patient_id, sw_now_wall_ms(), &allowed);
    if (rc != SW_OK)
        return rc;
    st->denied = !allowed;
    if (st->denied)
        return read_audit(tx, c, false);
    store_stmt *q;
    rc = store_prepare(tx,
        "SELECT DISTINCT r.res_type, r.res_id, r.version, r.body "
        "FROM fhir_idx_ref x JOIN fhir_resource r ON r.practice_id = x.practice_id "
        "AND r.res_type = x.res_type AND r.res_id = x.res_id "
        "WHERE x.practice_id = ? AND x.target_id = ? AND x.target_type = 'Encounter' "
        "AND x.param IN ('encounter', 'context') "
        "AND x.res_type IN ('Composition', 'Condition', 'Procedure', 'ChargeItem') "
        "AND r.deleted = 0 ORDER BY r.res_type, r.res_id", &q);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(q, 1, st->practice_id)) == SW_OK)
        rc = store_bind_cstr(q, 2, st->id);
    while (rc == SW_OK && (rc = store_step(q, &row)) == SW_OK && row) {
        size_t len;
        const char *body = store_col_text(q, 3, &len);
        visits_res r = {
            .type = sw_arena_strdup(c->a, store_col_text(q, 0, NULL)),
            .id = sw_arena_strdup(c->a, store_col_text(q, 1, NULL)),
            .version = store_col_int64(q, 2),
            .doc = visits_parse(body, len),
        };
        if (r.type == NULL || r.id == NULL || r.doc == NULL) {
            json_decref(r.doc);
            rc = SW_ENOMEM;
            break;
        }
        /* The note is the one Composition that is not an addendum. */
        if (strcmp(r.type, "Composition") == 0 && !note_is_addendum(r.doc)
            && st->note.doc == NULL) {
            st->note = r;
        } else if (st->n < VISITS_TX_MAX) {
            st->items[st->n++] = r;
        } else {
            json_decref(r.doc);
        }
    }
    store_finalize(q);
    if (rc == SW_OK && st->patient_id[0]) {
        visits_res p = { 0 };
        bool found;
        rc = read_one(tx, st, c->a, "Patient", st->patient_id, &p, &found);
        st->patient = p.doc;
    }
    return rc == SW_OK ? read_audit(tx, c, true) : rc;
}

int visits_load(sw_request *req, sw_response *res, const char *id,
                visits_state *st, const char *read_feature)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    memset(st, 0, sizeof *st);
    st->practice_id = s->practice_id;
    st->id = id;
    if (id == NULL || !fhir_is_id(sw_str_of(id)))
        return http_fail(res, SW_ENOTFOUND, "there is no such visit");
    struct load_ctx c = { st, req->arena, req, read_feature };
    sw_err err;
    int rc = read_feature ? store_write(app->store, load_fn, &c, &err)
                          : store_read(app->store, load_fn, &c, &err);
    if (rc != SW_OK)
        rc = http_fail(res, rc, "%s", sw_err_text(&err));
    else if (!st->found)
        rc = http_fail(res, SW_ENOTFOUND, "there is no visit (Encounter) %s", id);
    else if (st->denied)
        rc = http_fail(res, SW_EBREAKGLASS, "Patient/%s's record is "
                       "restricted: break the glass first", st->patient_id);
    else if (read_feature == NULL && st->patient_id[0] == '\0')
        /* Only a write needs it: the note and codes belong to a patient. */
        rc = http_fail(res, SW_ECONFLICT, "Encounter/%s has no Patient as its "
                       "subject: it cannot be documented here", id);
    if (rc != SW_OK)
        clear(st);
    return rc;
}

void visits_state_free(visits_state *st)
{
    clear(st);
}

bool visits_signed(const visits_state *st)
{
    const char *enc = json_string_value(json_object_get(st->encounter.doc, "status"));
    const char *note = json_string_value(json_object_get(st->note.doc, "status"));
    return (enc && strcmp(enc, "finished") == 0)
           || (note && (strcmp(note, "final") == 0 || strcmp(note, "amended") == 0));
}

static int after_fn(store_tx *tx, void *arg, const fhir_bundle_written *w,
                    size_t n)
{
    visits_tx *t = arg;
    t->n = 0;
    for (size_t i = 0; i < n && i < VISITS_TX_MAX; i++) {
        t->types[i] = w[i].type ? sw_arena_strdup(t->req->arena, w[i].type) : "";
        t->ids[i] = w[i].id ? sw_arena_strdup(t->req->arena, w[i].id) : "";
        t->versions[i] = w[i].version;
        if (t->types[i] == NULL || t->ids[i] == NULL)
            return store_tx_fail(tx, SW_ENOMEM, "out of memory");
        t->n = i + 1;
    }
    return t->then ? t->then(tx, t) : SW_OK;
}

int visits_run(sw_request *req, sw_response *res, server_bundle *bundle,
               visits_tx *t, const char *conflict_id, const char *conflict_msg)
{
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    int rc = server_bundle_end(bundle);
    t->req = req;
    if (rc != SW_OK)
        rc = http_fail(res, SW_ENOMEM, NULL);
    else
        rc = server_fhir_transaction_then(req, res, &bundle->text, &out, after_fn, t);
    if (rc == SW_EPRECOND || rc == SW_ECONFLICT)
        rc = server_conflict(res, conflict_id, conflict_msg);
    server_bundle_free(bundle);
    sw_buf_free(&out);
    return rc;
}
