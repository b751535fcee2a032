/* api_visits.c - one visit's documentation (docs/workflows.md, "The visit
 * note", "Coding", "Signing and addenda"):
 *
 *   GET  /api/visits/{id}            the visit, its note, coding, addenda
 *   PUT  /api/visits/{id}/note       save the draft (If-Match by version)
 *   PUT  /api/visits/{id}/coding     replace the diagnoses and procedures
 *   POST /api/visits/{id}/sign       lock the note, finish the visit, bill
 *                                    ({"version": n} optional)
 *   POST /api/visits/{id}/addenda    add to a signed note
 *
 * Every write is one FHIR transaction (src/server/fhir_tx.c) built from
 * the visit as read (visits_store.c), whose updates carry If-Match: a
 * colleague's save in between turns into a 409 and nothing is written.
 * The rules and the FHIR are in src/clinical/notes.h and visit.h. */
#include "api_visits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinical/codes.h"
#include "clinical/inbox.h"
#include "clinical/notes.h"
#include "clinical/visit.h"
#include "core/clock.h"
#include "fhir/resources.h"
#include "hl7/deliver.h"
#include "hl7/outbox.h"

#define NOTE_BODY_MAX   (6 * NOTE_TEXT_MAX)
#define CODING_BODY_MAX (64 * 1024)

#define SIGNED_MSG "this visit's note is signed; add an addendum instead"

static bool is_type(const visits_res *r, const char *type)
{
    return strcmp(r->type, type) == 0;
}

static const char *ref_id(json_t *ref, const char *type)
{
    const char *s = json_string_value(json_object_get(ref, "reference"));
    size_t n = strlen(type);
    if (s && strncmp(s, type, n) == 0 && s[n] == '/')
        return s + n + 1;
    return NULL;
}

/* The Condition of the visit with this id, or NULL. */
static const visits_res *condition(const visits_state *st, const char *id)
{
    for (size_t i = 0; id && i < st->n; i++)
        if (is_type(&st->items[i], "Condition") && strcmp(st->items[i].id, id) == 0)
            return &st->items[i];
    return NULL;
}

/* The visit's diagnoses in rank order: Encounter.diagnosis. */
static size_t ranked_diagnoses(const visits_state *st, const visits_res **out,
                               size_t max)
{
    size_t n = 0;
    json_t *d;
    size_t i;
    /* Ranks are written 1..n in order; sort defensively by rank. */
    json_t *list = json_object_get(st->encounter.doc, "diagnosis");
    for (json_int_t rank = 1; rank <= (json_int_t)json_array_size(list) && n < max; rank++)
        json_array_foreach(list, i, d) {
            if (json_integer_value(json_object_get(d, "rank")) != rank)
                continue;
            const visits_res *c = condition(st, ref_id(json_object_get(d, "condition"),
                                                       "Condition"));
            if (c && n < max)
                out[n++] = c;
        }
    return n;
}

static const char *condition_code(const visits_res *c)
{
    json_t *coding = json_array_get(json_object_get(json_object_get(c->doc, "code"),
                                                    "coding"), 0);
    return json_string_value(json_object_get(coding, "code"));
}

/* The visit's Procedures in line order. */
static size_t procedures(const visits_state *st, const visits_res **out,
                         visit_stored_procedure *read, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < st->n && n < max; i++)
        if (is_type(&st->items[i], "Procedure")
            && visit_procedure_read(st->items[i].doc, &read[n]))
            out[n++] = &st->items[i];
    for (size_t i = 1; i < n; i++)   /* insertion sort by line */
        for (size_t k = i; k > 0 && read[k].line < read[k - 1].line; k--) {
            visit_stored_procedure t = read[k];
            read[k] = read[k - 1];
            read[k - 1] = t;
            const visits_res *r = out[k];
            out[k] = out[k - 1];
            out[k - 1] = r;
        }
    return n;
}

static json_t *coding_json(const visits_state *st)
{
    const visits_res *dx[VISIT_MAX_DIAGNOSES];
    size_t ndx = ranked_diagnoses(st, dx, VISIT_MAX_DIAGNOSES);
    json_t *diagnoses = json_array(), *procs = json_array();
    for (size_t i = 0; i < ndx; i++) {
        const char *code = condition_code(dx[i]);
        const code_entry *e = codes_find(CODES_DIAGNOSES, code);
        json_array_append_new(diagnoses, json_pack("{s:s?, s:s?, s:I}", "code",
                              code, "display", e ? e->display : code, "rank",
                              (json_int_t)(i + 1)));
    }
    const visits_res *px[VISIT_MAX_PROCEDURES];
    visit_stored_procedure read[VISIT_MAX_PROCEDURES];
    size_t npx = procedures(st, px, read, VISIT_MAX_PROCEDURES);
    for (size_t i = 0; i < npx; i++) {
        json_t *mods = json_array(), *ptrs = json_array();
        for (size_t k = 0; k < read[i].nmodifiers; k++)
            json_array_append_new(mods, json_string(read[i].modifiers[k]));
        for (size_t k = 0; k < read[i].nreasons; k++)
            for (size_t j = 0; j < ndx; j++)
                if (strcmp(dx[j]->id, read[i].reason_ids[k]) == 0)
                    json_array_append_new(ptrs, json_integer((json_int_t)(j + 1)));
        json_array_append_new(procs, json_pack("{s:s, s:s, s:s, s:o, s:i, s:o}",
                              "code", read[i].code, "system", read[i].system,
                              "display", read[i].display, "modifiers", mods,
                              "units", read[i].units, "diagnoses", ptrs));
    }
    return json_pack("{s:o, s:o}", "diagnoses", diagnoses, "procedures", procs);
}

static json_t *note_json(const visits_state *st)
{
    json_t *c = st->note.doc;
    if (c == NULL)
        return json_null();
    const char *status = json_string_value(json_object_get(c, "status"));
    bool is_signed = status && strcmp(status, "preliminary") != 0;
    json_t *attester = json_array_get(json_object_get(c, "attester"), 0);
    json_t *n = json_pack("{s:s, s:s, s:I, s:s?, s:o, s:o, s:s?}",
        "id", st->note.id, "status", is_signed ? "signed" : "draft",
        "version", (json_int_t)st->note.version,
        "template", note_template_of(c),
        "sections", note_sections_of(c),
        "author", server_person_json(json_array_get(json_object_get(c, "author"), 0)),
        "saved_at", json_string_value(json_object_get(c, "date")));
    if (n == NULL)
        return NULL;
    json_object_set_new(n, "signed_at", is_signed && attester
        ? json_string(json_string_value(json_object_get(attester, "time"))) : json_null());
    json_object_set_new(n, "signed_by", is_signed && attester
        ? server_person_json(json_object_get(attester, "party")) : json_null());
    return n;
}

static json_t *encounter_json(const visits_state *st)
{
    json_t *e = st->encounter.doc;
    json_t *type = json_object_get(e, "type");
    json_t *coding = json_array_get(json_object_get(json_array_get(type, 0), "coding"), 0);
    json_t *period = json_object_get(e, "period");
    json_t *who = json_object_get(json_array_get(json_object_get(e, "participant"), 0),
                                  "individual");
    return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:o}",
        "id", st->id, "status", json_string_value(json_object_get(e, "status")),
        "visit_type", json_string_value(json_object_get(coding, "code")),
        "reason", json_string_value(json_object_get(json_array_get(
                  json_object_get(e, "reasonCode"), 0), "text")),
        "start", json_string_value(json_object_get(period, "start")),
        "end", json_string_value(json_object_get(period, "end")),
        "patient", server_patient_json(st->patient_id, st->patient),
        "clinician", who ? server_person_json(who) : json_null());
}

static int get_visit(sw_request *req, sw_response *res)
{
    visits_state *st = sw_arena_calloc(req->arena, 1, sizeof *st);
    if (st == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    int rc = visits_load(req, res, http_route_value(req, "id"), st,
                         "documentation.read");
    if (rc != SW_OK)
        return rc;
    json_t *addenda = json_array(), *charges = json_array();
    for (size_t i = 0; i < st->n; i++) {
        const visits_res *r = &st->items[i];
        if (is_type(r, "Composition")) {
            char *text = note_addendum_text(r->doc);
            json_array_append_new(addenda, json_pack("{s:s, s:s, s:o, s:s?}",
                "id", r->id, "text", text ? text : "",
                "author", server_person_json(json_array_get(json_object_get(r->doc,
                          "author"), 0)),
                "at", json_string_value(json_object_get(r->doc, "date"))));
            free(text);
        } else if (is_type(r, "ChargeItem")) {
            json_t *coding = json_array_get(json_object_get(json_object_get(r->doc,
                                            "code"), "coding"), 0);
            json_array_append_new(charges, json_pack("{s:s, s:s?, s:I}", "id", r->id,
                "code", json_string_value(json_object_get(coding, "code")),
                "units", json_integer_value(json_object_get(json_object_get(r->doc,
                         "quantity"), "value"))));
        }
    }
    json_t *coding = coding_json(st);
    json_t *doc = json_pack("{s:o, s:o, s:O, s:O, s:o, s:o}",
        "encounter", encounter_json(st), "note", note_json(st),
        "diagnoses", json_object_get(coding, "diagnoses"),
        "procedures", json_object_get(coding, "procedures"),
        "addenda", addenda, "charges", charges);
    json_decref(coding);
    visits_state_free(st);
    if (doc == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    return server_reply_json(res, 200, doc);
}

/* ---- The note ------------------------------------------------------------- */

struct note_step {
    const visits_state *st;
    bool                first;
    int64_t             user_id;
    int64_t             now_ms;
};

/* The first save puts the note in its author's inbox to sign. */
static int note_then(store_tx *tx, visits_tx *t)
{
    struct note_step *s = t->arg;
    if (!s->first || t->n == 0)
        return SW_OK;
    const auth_session *who = server_principal(t->req);
    inbox_new n = {
        .practice_id = who->practice_id, .user_id = s->user_id,
        .kind = INBOX_NOTE, .res_type = "Composition", .res_id = t->ids[0],
        .patient_id = s->st->patient_id, .flag = "", .at_ms = s->now_ms,
    };
    return inbox_add(tx, &n, NULL);
}

static int read_note_body(json_t *doc, note_input *in, json_t **version,
                          sw_response *res)
{
    static const char *const members[] = { "template", "sections", "version", NULL };
    int rc = server_json_only_members(doc, members, res);
    if (rc != SW_OK)
        return rc;
    json_t *tpl = json_object_get(doc, "template");
    if (tpl && !json_is_null(tpl)) {
        in->template_id = json_string_value(tpl);
        if (note_template_find(in->template_id) == NULL)
            return http_fail(res, SW_EINVAL, "\"template\" must be the id of a "
                             "note template (GET /api/note-templates)");
    }
    json_t *sections = json_object_get(doc, "sections");
    if (!json_is_object(sections))
        return http_fail(res, SW_EINVAL, "\"sections\" must be an object with "
                         "subjective, objective, assessment and plan");
    const char *key;
    json_t *v;
    json_object_foreach(sections, key, v) {
        int k = -1;
        for (int i = 0; i < NOTE_SECTIONS; i++)
            if (strcmp(key, note_sections[i].name) == 0)
                k = i;
        if (k < 0)
            return http_fail(res, SW_EINVAL, "\"sections\" has no section "
                             "\"%.32s\": use subjective, objective, assessment, "
                             "plan", key);
        if (json_is_null(v))
            continue;
        char what[64];
        snprintf(what, sizeof what, "sections.%s", key);
        sw_err err;
        if (note_text_check(json_string_value(v), what, &err) != SW_OK)
            return http_fail(res, err.code, "%s", err.msg);
        in->sections[k] = json_string_value(v);
    }
    *version = json_object_get(doc, "version");
    if (*version && !json_is_null(*version)
        && (!json_is_integer(*version) || json_integer_value(*version) < 1))
        return http_fail(res, SW_EINVAL, "\"version\" must be the note's "
                         "version number");
    if (*version && json_is_null(*version))
        *version = NULL;
    return SW_OK;
}

static int put_note(sw_request *req, sw_response *res)
{
    const auth_session *s = server_principal(req);
    json_t *doc = NULL, *version = NULL, *me = NULL;
    visits_state *st = sw_arena_calloc(req->arena, 1, sizeof *st);
    visits_tx *t = sw_arena_calloc(req->arena, 1, sizeof *t);
    if (st == NULL || t == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    note_input in = { 0 };
    int rc = server_json_body(req, res, NOTE_BODY_MAX, &doc);
    if (rc == SW_OK)
        rc = read_note_body(doc, &in, &version, res);
    if (rc == SW_OK)
        rc = visits_load(req, res, http_route_value(req, "id"), st, NULL);
    if (rc == SW_OK && visits_signed(st))
        rc = server_fail_as(res, SW_ECONFLICT, "note_signed", SIGNED_MSG);
    bool first = st->note.doc == NULL;
    if (rc == SW_OK && ((first && version)
                        || (!first && (version == NULL
                            || json_integer_value(version) != st->note.version))))
        rc = server_fail_as(res, SW_ECONFLICT, "version_conflict", first
            ? "this visit has no note yet: save without a version"
            : "the note was saved elsewhere since this version; reload it and "
              "apply your changes again");
    if (rc == SW_OK && (me = server_user_reference(req, res)) == NULL)
        rc = SW_ENOMEM;
    char now[SW_TIME_ISO_MAX];
    int64_t now_ms = sw_now_wall_ms();
    sw_time_iso(now_ms, now);
    if (rc == SW_OK) {
        in.patient_id = st->patient_id;
        in.encounter_id = st->id;
        in.date = now;
        in.author = me;
        json_t *authors = first ? NULL : json_object_get(st->note.doc, "author");
        json_t *c = note_composition(&in);
        if (c && authors) {
            /* The first author stays; a colleague who edits is added. */
            json_t *list = json_deep_copy(authors), *a;
            size_t i;
            bool listed = false;
            json_array_foreach(list, i, a) {
                const char *u = server_reference_username(a);
                listed = listed || (u && strcmp(u, s->username) == 0);
            }
            if (!listed)
                json_array_append(list, me);
            json_object_set_new(c, "author", list);
        }
        server_bundle bundle;
        server_bundle_begin(&bundle);
        char url[160];
        if (first) {
            server_bundle_add_json(&bundle, "POST", "Composition", c, NULL, 0);
            /* The Encounter goes in progress; its If-Match also makes two
             * first saves in two tabs conflict instead of making two notes. */
            json_t *enc = json_deep_copy(st->encounter.doc);
            json_object_del(enc, "meta");
            const char *status = json_string_value(json_object_get(enc, "status"));
            if (status && (strcmp(status, "arrived") == 0 || strcmp(status, "planned") == 0
                           || strcmp(status, "triaged") == 0))
                json_object_set_new(enc, "status", json_string("in-progress"));
            snprintf(url, sizeof url, "Encounter/%s", st->id);
            server_bundle_add_json(&bundle, "PUT", url, enc, NULL, st->encounter.version);
        } else {
            json_object_set_new(c, "id", json_string(st->note.id));
            snprintf(url, sizeof url, "Composition/%s", st->note.id);
            server_bundle_add_json(&bundle, "PUT", url, c, NULL, st->note.version);
        }
        struct note_step step = { st, first, s->user_id, now_ms };
        t->then = note_then;
        t->arg = &step;
        rc = visits_run(req, res, &bundle, t, "version_conflict", "the note was "
                        "saved elsewhere at the same time; reload it and apply "
                        "your changes again");
    }
    if (rc == SW_OK) {
        json_t *reply = json_pack("{s:s, s:I, s:s}", "note", t->ids[0],
                                  "version", (json_int_t)t->versions[0],
                                  "saved_at", now);
        rc = server_reply_json(res, 200, reply);
    }
    json_decref(me);
    json_decref(doc);
    visits_state_free(st);
    return rc;
}

/* ---- Coding --------------------------------------------------------------- */

static int put_coding(sw_request *req, sw_response *res)
{
    json_t *doc = NULL, *me = NULL;
    visits_state *st = sw_arena_calloc(req->arena, 1, sizeof *st);
    visits_tx *t = sw_arena_calloc(req->arena, 1, sizeof *t);
    visit_coding *coding = sw_arena_calloc(req->arena, 1, sizeof *coding);
    if (st == NULL || t == NULL || coding == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    static const char *const members[] = { "diagnoses", "procedures", NULL };
    sw_err err;
    int rc = server_json_body(req, res, CODING_BODY_MAX, &doc);
    if (rc == SW_OK)
        rc = server_json_only_members(doc, members, res);
    if (rc == SW_OK && visit_coding_read(doc, coding, &err) != SW_OK)
        rc = http_fail(res, err.code, "%s", err.msg);
    if (rc == SW_OK)
        rc = visits_load(req, res, http_route_value(req, "id"), st, NULL);
    if (rc == SW_OK && visits_signed(st))
        rc = server_fail_as(res, SW_ECONFLICT, "note_signed", SIGNED_MSG);
    if (rc == SW_OK && (me = server_user_reference(req, res)) == NULL)
        rc = SW_ENOMEM;
    if (rc == SW_OK) {
        char now[SW_TIME_ISO_MAX], url[160];
        sw_time_iso(sw_now_wall_ms(), now);
        server_bundle bundle;
        server_bundle_begin(&bundle);
        /* The previous coding goes, the new one comes, in one transaction. */
        for (size_t i = 0; i < st->n; i++) {
            const visits_res *r = &st->items[i];
            if (!is_type(r, "Condition") && !is_type(r, "Procedure"))
                continue;
            snprintf(url, sizeof url, "%s/%s", r->type, r->id);
            server_bundle_add_json(&bundle, "DELETE", url, NULL, NULL, 0);
        }
        char uuids[VISIT_MAX_DIAGNOSES][46];
        json_t *ranks = json_array();
        for (size_t i = 0; i < coding->ndiagnoses; i++) {
            char id[37];
            fhir_new_id(id);
            snprintf(uuids[i], sizeof uuids[i], "urn:uuid:%s", id);
            server_bundle_add_json(&bundle, "POST", "Condition",
                         visit_condition(coding->diagnoses[i], st->patient_id,
                                         st->id, me, now), uuids[i], 0);
            json_array_append_new(ranks, json_pack("{s:{s:s}, s:I}", "condition",
                                  "reference", uuids[i], "rank", (json_int_t)(i + 1)));
        }
        for (size_t i = 0; i < coding->nprocedures; i++) {
            const visit_procedure_line *l = &coding->procedures[i];
            const char *reasons[VISIT_MAX_POINTERS];
            for (size_t k = 0; k < l->npointers; k++)
                reasons[k] = uuids[l->pointers[k] - 1];
            server_bundle_add_json(&bundle, "POST", "Procedure",
                         visit_procedure(l, (int)i + 1, st->patient_id, st->id,
                                         me, now, reasons, l->npointers), NULL, 0);
        }
        json_t *enc = json_deep_copy(st->encounter.doc);
        json_object_del(enc, "meta");
        if (json_array_size(ranks) > 0)
            json_object_set_new(enc, "diagnosis", ranks);
        else {
            json_object_del(enc, "diagnosis");
            json_decref(ranks);
        }
        snprintf(url, sizeof url, "Encounter/%s", st->id);
        server_bundle_add_json(&bundle, "PUT", url, enc, NULL, st->encounter.version);
        rc = visits_run(req, res, &bundle, t, "version_conflict", "the visit "
                        "changed while the coding was being saved; reload it "
                        "and save again");
    }
    if (rc == SW_OK)
        rc = server_reply_json(res, 200, visit_coding_json(coding));
    json_decref(me);
    json_decref(doc);
    visits_state_free(st);
    return rc;
}

/* ---- Signing -------------------------------------------------------------- */

struct sign_step {
    const visits_state *st;
    int64_t             user_id, now_ms;
};

static int sign_then(store_tx *tx, visits_tx *t)
{
    struct sign_step *s = t->arg;
    const auth_session *who = server_principal(t->req);
    int rc = inbox_done_for(tx, who->practice_id, INBOX_NOTE, "Composition",
                            s->st->note.id, s->user_id, s->now_ms, NULL);
    if (rc == SW_OK) {
        char detail[64];
        snprintf(detail, sizeof detail, "charges=%zu", t->n > 2 ? t->n - 2 : 0);
        rc = server_workflow_audit(tx, t->req, AUDIT_UPDATE, "documentation.sign",
                                   s->st->patient_id, "Composition",
                                   s->st->note.id, detail);
    }
    /* The charges go to the practice-management system: their DFT^P03 is
     * queued in this transaction, so a signed visit never lacks it; never
     * from the training environment, whose interfaces are off (env.c). */
    hl7_charge_line lines[VISITS_TX_MAX];
    size_t nlines = 0;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->types[i], "ChargeItem") == 0)
            lines[nlines++] = (hl7_charge_line){ .charge_id = t->ids[i] };
    if (rc == SW_OK && nlines > 0 && !((sw_app *)t->req->app)->training)
        rc = hl7_outbox_queue(tx, who->practice_id, s->st->patient_id,
                              s->st->id, lines, nlines, s->now_ms, NULL);
    return rc;
}

static int post_sign(sw_request *req, sw_response *res)
{
    const auth_session *s = server_principal(req);
    json_t *me = NULL;
    visits_state *st = sw_arena_calloc(req->arena, 1, sizeof *st);
    visits_tx *t = sw_arena_calloc(req->arena, 1, sizeof *t);
    if (st == NULL || t == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    /* An optional {"version": n}: sign only the version the signer read. */
    json_t *doc = NULL, *version = NULL;
    static const char *const members[] = { "version", NULL };
    int rc = SW_OK;
    if (req->body_len > 0 && (rc = server_json_body(req, res, 1024, &doc)) == SW_OK
        && (rc = server_json_only_members(doc, members, res)) == SW_OK) {
        version = json_object_get(doc, "version");
        if (version && !json_is_integer(version))
            rc = http_fail(res, SW_EINVAL, "\"version\" must be the note's "
                           "version number");
    }
    if (rc == SW_OK)
        rc = visits_load(req, res, http_route_value(req, "id"), st, NULL);
    const visits_res *dx[VISIT_MAX_DIAGNOSES];
    const visits_res *px[VISIT_MAX_PROCEDURES];
    visit_stored_procedure read[VISIT_MAX_PROCEDURES];
    size_t ndx = 0, npx = 0;
    if (rc == SW_OK && visits_signed(st))
        rc = server_fail_as(res, SW_ECONFLICT, "note_signed", "this visit's "
                            "note is already signed");
    if (rc == SW_OK && st->note.doc == NULL)
        rc = http_fail(res, SW_EINVAL, "this visit has no note to sign: save "
                       "the note first");
    if (rc == SW_OK && version && json_integer_value(version) != st->note.version)
        rc = server_fail_as(res, SW_ECONFLICT, "version_conflict", "the note "
                            "changed since this version; read it again before "
                            "signing");
    if (rc == SW_OK && (ndx = ranked_diagnoses(st, dx, VISIT_MAX_DIAGNOSES)) == 0)
        rc = http_fail(res, SW_EINVAL, "code at least one diagnosis before "
                       "signing (PUT /api/visits/{id}/coding)");
    if (rc == SW_OK && (npx = procedures(st, px, read, VISIT_MAX_PROCEDURES)) == 0)
        rc = http_fail(res, SW_EINVAL, "code the visit level or a procedure "
                       "before signing (PUT /api/visits/{id}/coding)");
    if (rc == SW_OK && (me = server_user_reference(req, res)) == NULL)
        rc = SW_ENOMEM;
    /* Charges go to billing only once charge capture is live for the
     * signer: before that the practice bills from the signed note as it
     * always has, and no charge reaches billing ahead of its interface
     * test (docs/rollout.md). */
    bool charges_live = true;
    if (rc == SW_OK)
        rc = server_module_live(req, res, "charge_capture", &charges_live);
    char now[SW_TIME_ISO_MAX], url[160];
    int64_t now_ms = sw_now_wall_ms();
    sw_time_iso(now_ms, now);
    if (rc == SW_OK) {
        server_bundle bundle;
        server_bundle_begin(&bundle);
        json_t *note = json_deep_copy(st->note.doc);
        note_sign(note, me, now);
        snprintf(url, sizeof url, "Composition/%s", st->note.id);
        server_bundle_add_json(&bundle, "PUT", url, note, NULL, st->note.version);
        json_t *enc = json_deep_copy(st->encounter.doc);
        json_object_del(enc, "meta");
        json_object_set_new(enc, "status", json_string("finished"));
        json_t *period = json_object_get(enc, "period");
        if (!json_is_object(period)) {
            period = json_object();
            json_object_set_new(enc, "period", period);
        }
        json_object_set_new(period, "end", json_string(now));
        const char *occurred = json_string_value(json_object_get(period, "start"));
        snprintf(url, sizeof url, "Encounter/%s", st->id);
        server_bundle_add_json(&bundle, "PUT", url, enc, NULL, st->encounter.version);
        for (size_t i = 0; charges_live && i < npx; i++) {
            const code_entry *reasons[VISIT_MAX_POINTERS];
            size_t nreasons = 0;
            for (size_t k = 0; k < read[i].nreasons; k++) {
                const visits_res *c = condition(st, read[i].reason_ids[k]);
                const code_entry *e = c ? codes_find(CODES_DIAGNOSES, condition_code(c)) : NULL;
                if (e)
                    reasons[nreasons++] = e;
            }
            visit_charge_in ci = {
                .procedure = &read[i], .procedure_id = px[i]->id,
                .patient_id = st->patient_id, .encounter_id = st->id,
                .occurred = occurred ? occurred : now, .entered = now,
                .performer = me, .enterer = me,
                .reasons = reasons, .nreasons = nreasons,
            };
            server_bundle_add_json(&bundle, "POST", "ChargeItem", visit_charge_item(&ci), NULL, 0);
        }
        struct sign_step step = { st, s->user_id, now_ms };
        t->then = sign_then;
        t->arg = &step;
        rc = visits_run(req, res, &bundle, t, "version_conflict", "the note or "
                        "the visit changed while signing; reload and sign again");
    }
    if (rc == SW_OK) {
        json_t *charges = json_array();
        for (size_t i = 0; i < t->n; i++)
            if (strcmp(t->types[i], "ChargeItem") == 0)
                json_array_append_new(charges, json_string(t->ids[i]));
        if (json_array_size(charges) > 0)
            hl7_deliver_wake(((sw_app *)req->app)->deliver);
        rc = server_reply_json(res, 200, json_pack("{s:s, s:s, s:o}", "note",
                               st->note.id, "signed_at", now, "charges", charges));
    }
    json_decref(me);
    json_decref(doc);
    visits_state_free(st);
    return rc;
}

/* ---- Addenda -------------------------------------------------------------- */

static int addendum_then(store_tx *tx, visits_tx *t)
{
    const visits_state *st = t->arg;
    return server_workflow_audit(tx, t->req, AUDIT_CREATE, "documentation.addendum",
                                 st->patient_id, "Composition",
                                 t->n ? t->ids[0] : "", "");
}

static int post_addendum(sw_request *req, sw_response *res)
{
    json_t *doc = NULL, *me = NULL;
    visits_state *st = sw_arena_calloc(req->arena, 1, sizeof *st);
    visits_tx *t = sw_arena_calloc(req->arena, 1, sizeof *t);
    if (st == NULL || t == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    static const char *const members[] = { "text", NULL };
    sw_err err;
    int rc = server_json_body(req, res, NOTE_BODY_MAX, &doc);
    const char *text = NULL;
    if (rc == SW_OK)
        rc = server_json_only_members(doc, members, res);
    if (rc == SW_OK) {
        text = json_string_value(json_object_get(doc, "text"));
        if (note_text_check(text, "text", &err) != SW_OK)
            rc = http_fail(res, err.code, "%s", err.msg);
        else if (note_text_blank(text))
            rc = http_fail(res, SW_EINVAL, "\"text\" must not be empty");
    }
    if (rc == SW_OK)
        rc = visits_load(req, res, http_route_value(req, "id"), st, NULL);
    if (rc == SW_OK && (st->note.doc == NULL || !visits_signed(st)))
        rc = server_fail_as(res, SW_ECONFLICT, "not_signed", "an addendum "
                            "follows a signed note; edit the draft instead");
    if (rc == SW_OK && (me = server_user_reference(req, res)) == NULL)
        rc = SW_ENOMEM;
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    if (rc == SW_OK) {
        server_bundle bundle;
        server_bundle_begin(&bundle);
        server_bundle_add_json(&bundle, "POST", "Composition",
                     note_addendum(st->note.id, st->patient_id, st->id, me, now, text),
                     NULL, 0);
        t->then = addendum_then;
        t->arg = st;
        rc = visits_run(req, res, &bundle, t, "version_conflict", "the visit "
                        "changed; reload it");
    }
    if (rc == SW_OK)
        rc = server_reply_json(res, 201, json_pack("{s:s, s:o, s:s}", "addendum",
                               t->ids[0], "author", server_person_json(me), "at", now));
    json_decref(me);
    json_decref(doc);
    visits_state_free(st);
    return rc;
}

static const http_route routes[] = {
    { "GET", "/api/visits/{id}", get_visit, 0, "notes:read" },
    { "PUT", "/api/visits/{id}/note", put_note, HTTP_ROUTE_BODY, "notes:write" },
    { "PUT", "/api/visits/{id}/coding", put_coding, HTTP_ROUTE_BODY, "notes:write" },
    { "POST", "/api/visits/{id}/sign", post_sign, HTTP_ROUTE_BODY, "notes:sign" },
    { "POST", "/api/visits/{id}/addenda", post_addendum, HTTP_ROUTE_BODY, "notes:write" },
};

const http_route_table visit_routes = {
    .name = "visits",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
