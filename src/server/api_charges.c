/* api_charges.c - a biller's changes to the charges of a signed visit
 * (docs/hl7-interface.md, "Outbound charges"):
 *
 *   POST /api/charges/{id}/void      {"reason"}: the ChargeItem becomes
 *                                    entered-in-error; a credit (FT1-6 CR)
 *                                    is queued for the PMS
 *   POST /api/charges/{id}/correct   {"code", "units"?, "modifiers"?,
 *                                    "reason"?}: void and replace; one
 *                                    DFT with the credit and the new charge
 *   POST /api/visits/{id}/charges    {"code", "units"?, "modifiers"?,
 *                                    "diagnoses"?}: a late charge on a
 *                                    signed visit, and its DFT
 *
 * Each is one FHIR transaction (visits_run) with the outbox row and the
 * audit entry written inside it: a charge never changes without its
 * message to the PMS. They belong to charge_capture in the rollout plan
 * (route_modules.c). Called a few times a day per biller. */
#include "api_visits.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "clinical/codes.h"
#include "clinical/visit.h"
#include "core/clock.h"
#include "fhir/resources.h"
#include "hl7/deliver.h"
#include "hl7/outbox.h"

#define CHARGE_BODY_MAX  (16 * 1024)
#define VOID_REASON_MAX  500

/* What a biller's body asks for. */
typedef struct charge_change {
    const code_entry *code;
    int         units;            /* 0: keep (correct) or 1 (late charge) */
    bool        has_modifiers;
    char        modifiers[VISIT_MAX_MODIFIERS][3];
    size_t      nmodifiers;
    int         pointers[VISIT_MAX_POINTERS];
    size_t      npointers;
    bool        has_pointers;
    const char *reason;
} charge_change;

/* The row queued in the transaction, for the answer. */
typedef struct charge_step {
    const visits_state *st;
    const char         *old_id;       /* voided, or NULL */
    const char         *feature;
    const char         *action;
    hl7_outbox_row      row;
    const char         *new_id;
} charge_step;

static json_t *row_json(const hl7_outbox_row *r)
{
    if (r->seq == 0)    /* nothing queued: the training environment */
        return json_null();
    return json_pack("{s:I, s:s, s:s, s:s?}", "seq", (json_int_t)r->seq,
                     "control_id", r->control_id, "status", r->status,
                     "reason", r->last_error[0] ? r->last_error : NULL);
}

/* ---- Reading the body ----------------------------------------------------- */

static int read_modifiers(json_t *mods, charge_change *c, sw_response *res)
{
    if (mods == NULL || json_is_null(mods))
        return SW_OK;
    if (!json_is_array(mods) || json_array_size(mods) > VISIT_MAX_MODIFIERS)
        return http_fail(res, SW_EINVAL, "\"modifiers\" must be a list of at "
                         "most 4 codes");
    json_t *m;
    size_t k;
    json_array_foreach(mods, k, m) {
        const char *s = json_string_value(m);
        if (s == NULL || strlen(s) != 2 || !isalnum((unsigned char)s[0])
            || !isalnum((unsigned char)s[1]))
            return http_fail(res, SW_EINVAL, "\"modifiers\": a modifier is two "
                             "letters or digits, such as 25");
        c->modifiers[k][0] = (char)toupper((unsigned char)s[0]);
        c->modifiers[k][1] = (char)toupper((unsigned char)s[1]);
        c->modifiers[k][2] = '\0';
        c->nmodifiers = k + 1;
    }
    c->has_modifiers = true;
    return SW_OK;
}

static int read_change(json_t *doc, const char *const *members, bool need_code,
                       charge_change *c, sw_response *res)
{
    memset(c, 0, sizeof *c);
    int rc = server_json_only_members(doc, members, res);
    if (rc != SW_OK)
        return rc;
    json_t *code = json_object_get(doc, "code");
    if (code || need_code) {
        const char *s = json_string_value(code);
        if (s == NULL)
            return http_fail(res, SW_EINVAL, "\"code\" must be a CPT or HCPCS "
                             "code, such as 99213");
        if ((c->code = codes_find(CODES_PROCEDURES, s)) == NULL)
            return http_fail(res, SW_EINVAL, "\"code\": \"%.16s\" is not a known "
                             "CPT or HCPCS code", s);
    }
    json_t *units = json_object_get(doc, "units");
    if (units && !json_is_null(units)) {
        if (!json_is_integer(units) || json_integer_value(units) < 1
            || json_integer_value(units) > VISIT_MAX_UNITS)
            return http_fail(res, SW_EINVAL, "\"units\" must be a whole number "
                             "from 1 to 999");
        c->units = (int)json_integer_value(units);
    }
    if ((rc = read_modifiers(json_object_get(doc, "modifiers"), c, res)) != SW_OK)
        return rc;
    json_t *reason = json_object_get(doc, "reason");
    if (reason && !json_is_null(reason)) {
        c->reason = json_string_value(reason);
        if (c->reason == NULL || c->reason[0] == '\0'
            || strlen(c->reason) > VOID_REASON_MAX)
            return http_fail(res, SW_EINVAL, "\"reason\" must be a sentence of "
                             "at most %d bytes", VOID_REASON_MAX);
    }
    json_t *ptrs = json_object_get(doc, "diagnoses");
    if (ptrs && !json_is_null(ptrs)) {
        if (!json_is_array(ptrs) || json_array_size(ptrs) > VISIT_MAX_POINTERS)
            return http_fail(res, SW_EINVAL, "\"diagnoses\" must be a list of at "
                             "most 4 diagnosis numbers");
        json_t *v;
        size_t k;
        json_array_foreach(ptrs, k, v) {
            if (!json_is_integer(v) || json_integer_value(v) < 1)
                return http_fail(res, SW_EINVAL, "\"diagnoses\" holds the "
                                 "numbers of the visit's diagnoses, from 1");
            c->pointers[k] = (int)json_integer_value(v);
            for (size_t j = 0; j < k; j++)
                if (c->pointers[j] == c->pointers[k])
                    return http_fail(res, SW_EINVAL, "\"diagnoses\" points at "
                                     "the same diagnosis twice");
            c->npointers = k + 1;
        }
        c->has_pointers = true;
    }
    return SW_OK;
}

/* ---- The visit's records -------------------------------------------------- */

static const char *ref_id(json_t *ref, const char *type)
{
    const char *s = json_string_value(json_object_get(ref, "reference"));
    size_t n = strlen(type);
    if (s && strncmp(s, type, n) == 0 && s[n] == '/')
        return s + n + 1;
    return NULL;
}

static const visits_res *item(const visits_state *st, const char *type,
                              const char *id)
{
    for (size_t i = 0; id && i < st->n; i++)
        if (strcmp(st->items[i].type, type) == 0 && strcmp(st->items[i].id, id) == 0)
            return &st->items[i];
    return NULL;
}

/* The visit's diagnoses in rank order (Encounter.diagnosis). */
static size_t ranked(const visits_state *st, const code_entry **out, size_t max)
{
    size_t n = 0;
    json_t *list = json_object_get(st->encounter.doc, "diagnosis"), *d;
    size_t i;
    for (json_int_t rank = 1; rank <= (json_int_t)json_array_size(list); rank++)
        json_array_foreach(list, i, d) {
            if (json_integer_value(json_object_get(d, "rank")) != rank || n == max)
                continue;
            const visits_res *c = item(st, "Condition",
                                       ref_id(json_object_get(d, "condition"),
                                              "Condition"));
            json_t *coding = c ? json_array_get(json_object_get(json_object_get(
                                 c->doc, "code"), "coding"), 0) : NULL;
            const code_entry *e = codes_find(CODES_DIAGNOSES,
                                  json_string_value(json_object_get(coding, "code")));
            if (e)
                out[n++] = e;
        }
    return n;
}

/* The visit's rendering provider: who signed the note (signing makes the
 * signer each charge's performer), else the first charge's performer. */
static json_t *rendering_provider(const visits_state *st)
{
    json_t *attester = json_array_get(json_object_get(st->note.doc, "attester"), 0);
    json_t *party = json_object_get(attester, "party");
    if (json_is_object(party))
        return party;
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->items[i].type, "ChargeItem") == 0)
            return json_object_get(json_array_get(json_object_get(
                   st->items[i].doc, "performer"), 0), "actor");
    return NULL;
}

/* The Encounter a stored ChargeItem belongs to. */
struct charge_ctx {
    int64_t     practice_id;
    const char *id;
    sw_arena   *a;
    const char *encounter;
    bool        found;
};

static int charge_fn(store_tx *tx, void *arg)
{
    struct charge_ctx *c = arg;
    fhir_version v;
    c->found = false;
    int rc = fhir_row_read(tx, c->a, c->practice_id, "ChargeItem", c->id, 0, &v);
    if (rc == SW_ENOTFOUND || (rc == SW_OK && v.deleted))
        return SW_OK;
    if (rc != SW_OK)
        return rc;
    json_t *doc = visits_parse(v.body, v.body_len);
    const char *enc = ref_id(json_object_get(doc, "context"), "Encounter");
    c->encounter = enc ? sw_arena_strdup(c->a, enc) : NULL;
    c->found = c->encounter != NULL;
    json_decref(doc);
    return SW_OK;
}

/* Loads the visit of charge id into st and finds the charge; a 404 or 409
 * written to res otherwise. */
static int load_charge(sw_request *req, sw_response *res, const char *id,
                       visits_state *st, const visits_res **charge)
{
    sw_app *app = req->app;
    struct charge_ctx c = { server_principal(req)->practice_id, id, req->arena,
                            NULL, false };
    sw_err err;
    if (id == NULL || strlen(id) > 64)
        return http_fail(res, SW_ENOTFOUND, "there is no such charge");
    int rc = store_read(app->store, charge_fn, &c, &err);
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "the charge");
    if (!c.found)
        return http_fail(res, SW_ENOTFOUND, "there is no charge (ChargeItem) %s "
                         "of a visit", id);
    if ((rc = visits_load(req, res, c.encounter, st, NULL)) != SW_OK)
        return rc;
    *charge = item(st, "ChargeItem", id);
    if (*charge == NULL)
        return http_fail(res, SW_ENOTFOUND, "there is no charge (ChargeItem) %s "
                         "of a visit", id);
    const char *status = json_string_value(json_object_get((*charge)->doc, "status"));
    if (status && strcmp(status, "entered-in-error") == 0)
        return server_fail_as(res, SW_ECONFLICT, "already_void", "this charge "
                              "is already void");
    return SW_OK;
}

/* ---- The step inside the transaction -------------------------------------- */

/* Queues the DFT of the step's lines (the voided charge as a credit first,
 * then the new charge) and writes the audit entry. */
static int charge_then(store_tx *tx, visits_tx *t)
{
    charge_step *s = t->arg;
    const auth_session *who = server_principal(t->req);
    hl7_charge_line lines[2];
    size_t n = 0;
    if (s->old_id)
        lines[n++] = (hl7_charge_line){ .charge_id = s->old_id, .credit = true };
    s->new_id = NULL;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->types[i], "ChargeItem") == 0
            && (s->old_id == NULL || strcmp(t->ids[i], s->old_id) != 0)) {
            s->new_id = t->ids[i];
            lines[n++] = (hl7_charge_line){ .charge_id = t->ids[i] };
        }
    int64_t now_ms = sw_now_wall_ms(), seq = 0;
    int rc = SW_OK;
    memset(&s->row, 0, sizeof s->row);
    /* Outbound interfaces are hard-off in the training environment. */
    if (!((const sw_app *)t->req->app)->training) {
        rc = hl7_outbox_queue(tx, who->practice_id, s->st->patient_id,
                              s->st->id, lines, n, now_ms, &seq);
        if (rc == SW_OK)
            rc = hl7_outbox_get(tx, t->req->arena, who->practice_id, seq, &s->row);
    }
    if (rc == SW_OK)
        rc = server_workflow_audit(tx, t->req, s->action, s->feature,
                                   s->st->patient_id, "ChargeItem",
                                   s->new_id ? s->new_id : s->old_id,
                                   s->old_id && s->new_id ? "correct"
                                   : s->old_id ? "void" : "late charge");
    return rc;
}

/* The voided version of a stored charge: entered-in-error, with the
 * reason as a note by the biller. */
static json_t *voided(json_t *doc, json_t *me, const char *reason,
                      const char *now)
{
    json_t *c = json_deep_copy(doc);
    if (c == NULL)
        return NULL;
    json_object_del(c, "meta");
    json_object_set_new(c, "status", json_string("entered-in-error"));
    json_t *notes = json_object_get(c, "note");
    if (!json_is_array(notes)) {
        notes = json_array();
        json_object_set_new(c, "note", notes);
    }
    char text[VOID_REASON_MAX + 32];
    snprintf(text, sizeof text, "Voided: %s", reason);
    json_array_append_new(notes, json_pack("{s:O, s:s, s:s}", "authorReference",
                                           me, "time", now, "text", text));
    return c;
}

static void wake(sw_request *req)
{
    hl7_deliver_wake(((sw_app *)req->app)->deliver);
}

/* What each change holds for one request: the visit's state, the
 * transaction and its step in the request's arena, the biller's body read,
 * the biller as a reference, the time of the change. */
typedef struct charge_req {
    visits_state *st;
    visits_tx    *t;
    charge_step  *step;
    json_t       *doc, *me;
    charge_change c;
    char          now[SW_TIME_ISO_MAX];
} charge_req;

/* Makes q and reads the body against members; SW_OK or the response's
 * error. charge_req_end frees q whatever this returned. */
static int charge_req_begin(sw_request *req, sw_response *res,
                            const char *const *members, bool need_code,
                            charge_req *q)
{
    memset(q, 0, sizeof *q);
    q->st = sw_arena_calloc(req->arena, 1, sizeof *q->st);
    q->t = sw_arena_calloc(req->arena, 1, sizeof *q->t);
    q->step = sw_arena_calloc(req->arena, 1, sizeof *q->step);
    if (q->st == NULL || q->t == NULL || q->step == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    sw_time_iso(sw_now_wall_ms(), q->now);
    int rc = server_json_body(req, res, CHARGE_BODY_MAX, &q->doc);
    if (rc == SW_OK)
        rc = read_change(q->doc, members, need_code, &q->c, res);
    return rc;
}

/* The signed-in biller as the change's enterer. */
static int charge_req_me(sw_request *req, sw_response *res, charge_req *q)
{
    q->me = server_user_reference(req, res);
    return q->me ? SW_OK : SW_ENOMEM;
}

/* Runs bundle (freed) as one transaction with the change's outbox row and
 * audit entry (charge_then), then wakes the delivery worker for the row. */
static int charge_req_run(sw_request *req, sw_response *res, charge_req *q,
                          server_bundle *bundle, const char *old_id,
                          const char *feature, const char *action,
                          const char *conflict_id, const char *conflict_msg)
{
    *q->step = (charge_step){ .st = q->st, .old_id = old_id,
                              .feature = feature, .action = action };
    q->t->then = charge_then;
    q->t->arg = q->step;
    int rc = visits_run(req, res, bundle, q->t, conflict_id, conflict_msg);
    if (rc == SW_OK)
        wake(req);
    return rc;
}

/* The stored charge the route names, and the biller, for a void or a
 * correction. */
static int charge_req_load(sw_request *req, sw_response *res, charge_req *q,
                           const visits_res **charge)
{
    int rc = load_charge(req, res, http_route_value(req, "id"), q->st, charge);
    return rc == SW_OK ? charge_req_me(req, res, q) : rc;
}

/* Begins bundle with the charge made entered-in-error for reason. */
static void bundle_void(server_bundle *bundle, const charge_req *q,
                        const visits_res *charge, const char *reason)
{
    char url[160];
    server_bundle_begin(bundle);
    snprintf(url, sizeof url, "ChargeItem/%s", charge->id);
    server_bundle_add_json(bundle, "PUT", url, voided(charge->doc, q->me,
                           reason, q->now), NULL, charge->version);
}

static void charge_req_end(charge_req *q)
{
    json_decref(q->me);
    json_decref(q->doc);
    if (q->st)
        visits_state_free(q->st);
}

/* ---- Void ----------------------------------------------------------------- */

static int post_void(sw_request *req, sw_response *res)
{
    static const char *const members[] = { "reason", NULL };
    charge_req q;
    const visits_res *charge = NULL;
    int rc = charge_req_begin(req, res, members, false, &q);
    if (rc == SW_OK && q.c.reason == NULL)
        rc = http_fail(res, SW_EINVAL, "\"reason\" is required: say why the "
                       "charge is void");
    if (rc == SW_OK)
        rc = charge_req_load(req, res, &q, &charge);
    if (rc == SW_OK) {
        server_bundle bundle;
        bundle_void(&bundle, &q, charge, q.c.reason);
        rc = charge_req_run(req, res, &q, &bundle, charge->id,
                            "charge_capture.void", AUDIT_UPDATE,
                            "charge_changed", "the charge changed meanwhile; "
                            "reload it and try again");
    }
    if (rc == SW_OK)
        rc = server_reply_json(res, 200, json_pack("{s:s, s:s, s:o}", "charge",
                               charge->id, "status", "entered-in-error",
                               "outbox", row_json(&q.step->row)));
    charge_req_end(&q);
    return rc;
}

/* ---- Correct -------------------------------------------------------------- */

/* The corrected copy of a charge: new code, units or modifiers, the rest
 * (date of service, provider, diagnoses, visit) as it was. */
static json_t *corrected(json_t *doc, const charge_change *c, json_t *me,
                         const char *now)
{
    json_t *n = json_deep_copy(doc);
    if (n == NULL)
        return NULL;
    json_object_del(n, "id");
    json_object_del(n, "meta");
    json_object_del(n, "note");
    json_object_set_new(n, "status", json_string("billable"));
    json_t *coding = json_array_get(json_object_get(json_object_get(n, "code"),
                                    "coding"), 0);
    if (c->code) {
        const char *system = codes_system(CODES_PROCEDURES, c->code->code);
        json_object_set_new(n, "code", json_pack("{s:[{s:s, s:s, s:s}], s:s}",
                            "coding", "system", system, "code", c->code->code,
                            "display", c->code->display, "text", c->code->display));
    } else if (coding == NULL) {
        return n;
    }
    int units = c->units;
    if (units == 0)
        units = (int)json_integer_value(json_object_get(json_object_get(n,
                                        "quantity"), "value"));
    if (units < 1)
        units = 1;
    json_object_set_new(n, "quantity", json_pack("{s:i}", "value", units));
    /* The billing extensions again: units, and the modifiers asked for
     * (else the old ones). */
    json_t *ext = json_array(), *e;
    size_t i;
    json_array_foreach(json_object_get(n, "extension"), i, e) {
        const char *url = json_string_value(json_object_get(e, "url"));
        if (url && strcmp(url, VISIT_EXT_UNITS) == 0)
            continue;
        if (url && strcmp(url, VISIT_EXT_MODIFIER) == 0 && c->has_modifiers)
            continue;
        json_array_append(ext, e);
    }
    json_array_append_new(ext, json_pack("{s:s, s:i}", "url", VISIT_EXT_UNITS,
                                         "valuePositiveInt", units));
    for (size_t k = 0; c->has_modifiers && k < c->nmodifiers; k++)
        json_array_append_new(ext, json_pack("{s:s, s:s}", "url",
                              VISIT_EXT_MODIFIER, "valueCode", c->modifiers[k]));
    json_object_set_new(n, "extension", ext);
    json_object_set(n, "enterer", me);
    json_object_set_new(n, "enteredDate", json_string(now));
    return n;
}

static int post_correct(sw_request *req, sw_response *res)
{
    static const char *const members[] = { "code", "units", "modifiers",
                                           "reason", NULL };
    charge_req q;
    const visits_res *charge = NULL;
    int rc = charge_req_begin(req, res, members, true, &q);
    if (rc == SW_OK)
        rc = charge_req_load(req, res, &q, &charge);
    if (rc == SW_OK) {
        server_bundle bundle;
        bundle_void(&bundle, &q, charge, q.c.reason ? q.c.reason : "corrected");
        server_bundle_add_json(&bundle, "POST", "ChargeItem",
                               corrected(charge->doc, &q.c, q.me, q.now), NULL, 0);
        rc = charge_req_run(req, res, &q, &bundle, charge->id,
                            "charge_capture.correct", AUDIT_UPDATE,
                            "charge_changed", "the charge changed meanwhile; "
                            "reload it and try again");
    }
    if (rc == SW_OK)
        rc = server_reply_json(res, 200, json_pack("{s:s, s:s?, s:o}", "voided",
                               charge->id, "charge", q.step->new_id,
                               "outbox", row_json(&q.step->row)));
    charge_req_end(&q);
    return rc;
}

/* ---- Late charge ---------------------------------------------------------- */

static int post_late_charge(sw_request *req, sw_response *res)
{
    static const char *const members[] = { "code", "units", "modifiers",
                                           "diagnoses", NULL };
    charge_req q;
    const charge_change *c = &q.c;
    int rc = charge_req_begin(req, res, members, true, &q);
    visits_state *st = q.st;
    if (rc == SW_OK)
        rc = visits_load(req, res, http_route_value(req, "id"), st, NULL);
    if (rc == SW_OK && !visits_signed(st))
        rc = server_fail_as(res, SW_ECONFLICT, "not_signed", "a late charge "
                            "follows a signed visit; code this one and sign it");
    const code_entry *dx[VISIT_MAX_DIAGNOSES];
    const code_entry *reasons[VISIT_MAX_POINTERS];
    size_t ndx = rc == SW_OK ? ranked(st, dx, VISIT_MAX_DIAGNOSES) : 0, nreasons = 0;
    if (rc == SW_OK && !c->has_pointers && ndx > 0)
        reasons[nreasons++] = dx[0];
    for (size_t k = 0; rc == SW_OK && k < c->npointers; k++) {
        if ((size_t)c->pointers[k] > ndx)
            rc = http_fail(res, SW_EINVAL, "\"diagnoses\": the visit has %zu "
                           "diagnoses, so %d points at none", ndx, c->pointers[k]);
        else
            reasons[nreasons++] = dx[c->pointers[k] - 1];
    }
    json_t *provider = rc == SW_OK ? rendering_provider(st) : NULL;
    if (rc == SW_OK && provider == NULL)
        rc = server_fail_as(res, SW_ECONFLICT, "no_provider", "this visit has no "
                            "signer to bill as the rendering provider");
    if (rc == SW_OK)
        rc = charge_req_me(req, res, &q);
    if (rc == SW_OK) {
        const char *mods[VISIT_MAX_MODIFIERS];
        for (size_t k = 0; k < c->nmodifiers; k++)
            mods[k] = c->modifiers[k];
        visit_stored_procedure p = {
            .code = c->code->code, .display = c->code->display,
            .system = codes_system(CODES_PROCEDURES, c->code->code),
            .nmodifiers = c->nmodifiers, .units = c->units ? c->units : 1,
        };
        memcpy(p.modifiers, mods, sizeof mods);
        const char *start = json_string_value(json_object_get(json_object_get(
                            st->encounter.doc, "period"), "start"));
        visit_charge_in ci = {
            .procedure = &p, .procedure_id = "-",
            .patient_id = st->patient_id, .encounter_id = st->id,
            .occurred = start ? start : q.now, .entered = q.now,
            .performer = provider, .enterer = q.me,
            .reasons = reasons, .nreasons = nreasons,
        };
        /* No Procedure stands behind a late charge: the signed note's
         * coding stays as signed. */
        json_t *charge = visit_charge_item(&ci);
        json_object_del(charge, "service");
        server_bundle bundle;
        server_bundle_begin(&bundle);
        server_bundle_add_json(&bundle, "POST", "ChargeItem", charge, NULL, 0);
        rc = charge_req_run(req, res, &q, &bundle, NULL,
                            "charge_capture.create", AUDIT_CREATE,
                            "visit_changed", "the visit changed meanwhile; "
                            "reload it and try again");
    }
    if (rc == SW_OK)
        rc = server_reply_json(res, 201, json_pack("{s:s?, s:o}", "charge",
                               q.step->new_id, "outbox", row_json(&q.step->row)));
    charge_req_end(&q);
    return rc;
}

static const http_route routes[] = {
    { "POST", "/api/charges/{id}/void", post_void, HTTP_ROUTE_BODY, "billing:write" },
    { "POST", "/api/charges/{id}/correct", post_correct, HTTP_ROUTE_BODY, "billing:write" },
    { "POST", "/api/visits/{id}/charges", post_late_charge, HTTP_ROUTE_BODY, "billing:write" },
};

const http_route_table charges_routes = {
    .name = "charges",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
