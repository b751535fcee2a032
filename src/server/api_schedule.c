/* api_schedule.c - the day's schedule and opening visits
 * (docs/workflows.md, "Schedule and check-in"):
 *
 *   GET  /api/schedule[?date=YYYY-MM-DD][&all=true]  appointments of the day
 *        (today, in the server's time zone, when date is left out)
 *   POST /api/appointments/{id}/check-in            the patient arrived
 *   POST /api/patients/{id}/visits                  a walk-in visit
 *   GET  /api/patients/{id}/visits                  a patient's visits
 *
 * Appointments are plain FHIR Appointment resources (booked by any
 * scheduling client through /fhir). A day's appointments are found
 * through the date index of Appointment.start and their Encounters through
 * the reference index of Encounter.appointment, so the schedule costs a
 * few index look-ups however long the practice's history. The day is the
 * calendar date the appointment's start is written in (its own offset), so
 * a 08:30-05:00 appointment is on that local date. */
#include "api_visits.h"
#include "patient_records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/users.h"
#include "clinical/visit.h"
#include "core/clock.h"
#include "core/str.h"
#include "fhir/primitive.h"
#include "fhir/resources.h"

#define WALK_IN_BODY_MAX 4096
#define DAY_MS (24LL * 3600 * 1000)
/* Time zones run from -12:00 to +14:00: the index window is widened by
 * that much and the written date decides. */
#define ZONE_MS (14LL * 3600 * 1000)
#define SCHEDULE_MAX 500
#define VISITS_LIST_MAX 5000   /* a patient's Encounters and notes, together */

static bool valid_date(const char *d, int64_t *day_ms)
{
    char iso[40];
    if (d == NULL || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return false;
    snprintf(iso, sizeof iso, "%sT00:00:00Z", d);
    return sw_time_parse_iso(iso, day_ms);
}

/* The Patient id and the clinician (the first actor that is a user or a
 * Practitioner) of an appointment. */
static void participants(json_t *appt, const char **patient, json_t **clinician)
{
    json_t *p;
    size_t i;
    *patient = NULL;
    *clinician = NULL;
    json_array_foreach(json_object_get(appt, "participant"), i, p) {
        json_t *actor = json_object_get(p, "actor");
        const char *r = json_string_value(json_object_get(actor, "reference"));
        if (r && strncmp(r, "Patient/", 8) == 0) {
            if (*patient == NULL)
                *patient = r + 8;
        } else if (*clinician == NULL && (server_reference_username(actor)
                   || (r && strncmp(r, "Practitioner/", 13) == 0))) {
            *clinician = actor;
        }
    }
}

static const char *text_of(json_t *cc)
{
    const char *t = json_string_value(json_object_get(cc, "text"));
    if (t == NULL)
        t = json_string_value(json_object_get(json_array_get(
                json_object_get(cc, "coding"), 0), "display"));
    return t;
}

static const char *visit_type_text(json_t *appt)
{
    const char *t = text_of(json_object_get(appt, "appointmentType"));
    return t ? t : text_of(json_array_get(json_object_get(appt, "serviceType"), 0));
}

static const char *reason_text(json_t *appt)
{
    const char *t = text_of(json_array_get(json_object_get(appt, "reasonCode"), 0));
    return t ? t : json_string_value(json_object_get(appt, "description"));
}

static int encounter_of(store_tx *tx, int64_t practice_id, const char *appt,
                        sw_arena *a, const char **out)
{
    store_stmt *q;
    *out = NULL;
    int rc = store_prepare(tx,
        "SELECT x.res_id FROM fhir_idx_ref x JOIN fhir_resource r "
        "ON r.practice_id = x.practice_id AND r.res_type = x.res_type "
        "AND r.res_id = x.res_id WHERE x.practice_id = ? AND x.target_id = ? "
        "AND x.target_type = 'Appointment' AND x.param = 'appointment' "
        "AND x.res_type = 'Encounter' AND r.deleted = 0 "
        /* Ordered by an expression: ORDER BY x.res_id itself would draw
         * SQLite's planner to the primary key and a scan of every
         * Encounter's references instead of the target index
         * (docs/store.md, "Queries"). */
        "ORDER BY x.res_id || ''", &q);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(q, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(q, 2, appt)) == SW_OK
        && (rc = store_step(q, &row)) == SW_OK && row)
        *out = sw_arena_strdup(a, store_col_text(q, 0, NULL));
    store_finalize(q);
    return rc;
}

/* {"username","display"} of a clinician actor; a Practitioner-only
 * reference is looked up among the accounts linked to it. */
static int clinician_json(store_tx *tx, int64_t practice_id, json_t *actor,
                          json_t **out)
{
    *out = json_null();
    if (actor == NULL)
        return SW_OK;
    if (server_reference_username(actor)) {
        json_decref(*out);
        *out = server_person_json(actor);
        return SW_OK;
    }
    const char *r = json_string_value(json_object_get(actor, "reference"));
    store_stmt *q;
    int rc = store_prepare(tx, "SELECT username, display_name FROM app_user "
                           "WHERE practice_id = ? AND practitioner_id = ? "
                           "ORDER BY user_id", &q);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(q, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(q, 2, r + 13)) == SW_OK
        && (rc = store_step(q, &row)) == SW_OK) {
        json_decref(*out);
        if (row)
            *out = server_person(store_col_text(q, 0, NULL),
                                 store_col_text(q, 1, NULL));
        else
            *out = server_person(NULL, json_string_value(json_object_get(actor,
                                                                         "display")));
    }
    store_finalize(q);
    return rc;
}

struct day {
    sw_request *req;
    sw_arena   *a;
    int64_t     practice_id;
    const char *date;
    int64_t     day_ms;
    bool        all;
    const char *username, *practitioner;
    json_t     *list;
};

static bool is_mine(const struct day *d, json_t *clinician)
{
    const char *u = server_reference_username(clinician);
    const char *r = json_string_value(json_object_get(clinician, "reference"));
    if (u && strcmp(u, d->username) == 0)
        return true;
    return r && d->practitioner[0] && strncmp(r, "Practitioner/", 13) == 0
           && strcmp(r + 13, d->practitioner) == 0;
}

static int one_appointment(store_tx *tx, struct day *d, const char *id,
                           json_t *appt)
{
    const char *start = json_string_value(json_object_get(appt, "start"));
    if (start == NULL || strncmp(start, d->date, 10) != 0)
        return SW_OK;
    const char *patient;
    json_t *clinician;
    participants(appt, &patient, &clinician);
    if (!d->all && (clinician == NULL || !is_mine(d, clinician)))
        return SW_OK;
    const char *encounter = NULL;
    json_t *who = NULL, *pt = NULL;
    int rc = encounter_of(tx, d->practice_id, id, d->a, &encounter);
    if (rc == SW_OK)
        rc = clinician_json(tx, d->practice_id, clinician, &who);
    if (rc == SW_OK && patient) {
        fhir_version v;
        int r = fhir_row_read(tx, d->a, d->practice_id, "Patient", patient, 0, &v);
        if (r == SW_OK && !v.deleted)
            pt = visits_parse(v.body, v.body_len);
        else if (r != SW_ENOTFOUND && r != SW_OK)
            rc = r;
    }
    if (rc == SW_OK && patient) {
        /* Each patient the schedule shows is a read of their record. */
        rc = server_read_audit(tx, d->req, "scheduling.read", patient,
                               "Appointment", id, true, "schedule");
    }
    if (rc == SW_OK)
        json_array_append_new(d->list, json_pack(
            "{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:s?}",
            "id", id, "start", start,
            "end", json_string_value(json_object_get(appt, "end")),
            "status", json_string_value(json_object_get(appt, "status")),
            "visit_type", visit_type_text(appt), "reason", reason_text(appt),
            "patient", patient ? server_patient_json(patient, pt) : json_null(),
            "clinician", who ? json_incref(who) : json_null(),
            "encounter", encounter));
    json_decref(who);
    json_decref(pt);
    return rc;
}

static int day_fn(store_tx *tx, void *arg)
{
    struct day *d = arg;
    json_array_clear(d->list);
    store_stmt *q;
    int rc = store_prepare(tx,
        "SELECT r.res_id, r.body FROM fhir_idx_date x JOIN fhir_resource r "
        "ON r.practice_id = x.practice_id AND r.res_type = x.res_type "
        "AND r.res_id = x.res_id WHERE x.practice_id = ? "
        "AND x.res_type = 'Appointment' AND x.param = 'date' "
        "AND x.low_ms >= ? AND x.low_ms < ? AND r.deleted = 0 "
        "ORDER BY x.low_ms, r.res_id", &q);
    if (rc != SW_OK)
        return rc;
    /* Read the rows first: each appointment then needs its own queries. */
    size_t n = 0;
    const char **ids = sw_arena_calloc(d->a, SCHEDULE_MAX, sizeof *ids);
    json_t **docs = sw_arena_calloc(d->a, SCHEDULE_MAX, sizeof *docs);
    bool row = false;
    if (ids == NULL || docs == NULL)
        rc = SW_ENOMEM;
    if (rc == SW_OK && (rc = store_bind_int64(q, 1, d->practice_id)) == SW_OK
        && (rc = store_bind_int64(q, 2, d->day_ms - ZONE_MS)) == SW_OK)
        rc = store_bind_int64(q, 3, d->day_ms + DAY_MS + ZONE_MS);
    while (rc == SW_OK && n < SCHEDULE_MAX && (rc = store_step(q, &row)) == SW_OK && row) {
        size_t len;
        const char *body = store_col_text(q, 1, &len);
        ids[n] = sw_arena_strdup(d->a, store_col_text(q, 0, NULL));
        docs[n] = visits_parse(body, len);
        if (ids[n] == NULL || docs[n] == NULL)
            rc = SW_ENOMEM;
        n++;
    }
    store_finalize(q);
    for (size_t i = 0; i < n; i++) {
        if (rc == SW_OK && docs[i])
            rc = one_appointment(tx, d, ids[i], docs[i]);
        json_decref(docs[i]);
    }
    return rc;
}

static int by_start(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, "start"));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, "start"));
    int64_t mx = 0, my = 0;
    sw_time_parse_iso(x, &mx);
    sw_time_parse_iso(y, &my);
    return mx < my ? -1 : mx > my;
}

static int get_schedule(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    struct day d = { .req = req, .a = req->arena, .practice_id = s->practice_id,
                     .date = http_query_get(req, "date"), .username = s->username,
                     .practitioner = "" };
    char today[16];
    if (d.date == NULL) {
        /* The server's local day, as the demo books it. */
        time_t now = (time_t)(sw_now_wall_ms() / 1000);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(today, sizeof today, "%Y-%m-%d", &tm);
        d.date = today;
    }
    if (!valid_date(d.date, &d.day_ms))
        return http_fail(res, SW_EINVAL, "\"date\" must be a day, such as "
                         "2026-11-25");
    const char *all = http_query_get(req, "all");
    if (all && strcmp(all, "true") != 0 && strcmp(all, "false") != 0)
        return http_fail(res, SW_EINVAL, "\"all\" must be true or false");
    d.all = all && strcmp(all, "true") == 0;
    auth_user u;
    sw_err err;
    int rc = auth_user_get(app->store, req->arena, s->practice_id, s->user_id,
                           &u, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    d.practitioner = u.practitioner_id ? u.practitioner_id : "";
    d.list = json_array();
    if (d.list == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    rc = store_write(app->store, day_fn, &d, &err);
    if (rc != SW_OK) {
        json_decref(d.list);
        return http_fail(res, rc, "%s", sw_err_text(&err));
    }
    /* Sorted by the instant, not the text: offsets differ. */
    size_t n = json_array_size(d.list);
    json_t **items = sw_arena_calloc(req->arena, n + 1, sizeof *items);
    json_t *sorted = json_array();
    for (size_t i = 0; items && i < n; i++)
        items[i] = json_array_get(d.list, i);
    if (items && n > 1)
        qsort(items, n, sizeof *items, by_start);
    for (size_t i = 0; items && sorted && i < n; i++)
        json_array_append(sorted, items[i]);
    json_decref(d.list);
    return server_reply_json(res, 200, json_pack("{s:s, s:o}", "date", d.date,
                                                 "appointments", sorted));
}

/* ---- Check-in ------------------------------------------------------------- */

struct appt_read {
    sw_arena   *a;
    int64_t     practice_id;
    const char *id;
    bool        found;
    int64_t     version;
    json_t     *doc;
    const char *encounter;
};

static int appt_fn(store_tx *tx, void *arg)
{
    struct appt_read *r = arg;
    fhir_version v;
    r->found = false;
    json_decref(r->doc);
    r->doc = NULL;
    int rc = fhir_row_read(tx, r->a, r->practice_id, "Appointment", r->id, 0, &v);
    if (rc == SW_ENOTFOUND || (rc == SW_OK && v.deleted))
        return SW_OK;
    if (rc != SW_OK)
        return rc;
    r->found = true;
    r->version = v.version;
    r->doc = visits_parse(v.body, v.body_len);
    if (r->doc == NULL)
        return SW_ENOMEM;
    return encounter_of(tx, r->practice_id, r->id, r->a, &r->encounter);
}

static int check_in(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    struct appt_read r = { .a = req->arena, .practice_id = s->practice_id,
                           .id = http_route_value(req, "id") };
    if (r.id == NULL || !fhir_is_id(sw_str_of(r.id)))
        return http_fail(res, SW_ENOTFOUND, "there is no such appointment");
    sw_err err;
    int rc = store_read(app->store, appt_fn, &r, &err);
    if (rc != SW_OK)
        return http_fail(res, rc, "%s", sw_err_text(&err));
    if (!r.found)
        return http_fail(res, SW_ENOTFOUND, "there is no Appointment/%s", r.id);
    if (r.encounter) {
        json_decref(r.doc);
        return server_reply_json(res, 200, json_pack("{s:s, s:s}", "encounter",
                                 r.encounter, "appointment", r.id));
    }
    const char *patient, *status = json_string_value(json_object_get(r.doc, "status"));
    json_t *clinician;
    participants(r.doc, &patient, &clinician);
    if (status && (strcmp(status, "cancelled") == 0 || strcmp(status, "noshow") == 0
                   || strcmp(status, "entered-in-error") == 0))
        rc = http_fail(res, SW_ECONFLICT, "this appointment is %s: it cannot be "
                       "checked in", status);
    else if (patient == NULL)
        rc = http_fail(res, SW_EINVAL, "this appointment has no Patient among "
                       "its participants");
    visits_tx *t = sw_arena_calloc(req->arena, 1, sizeof *t);
    if (rc == SW_OK && t == NULL)
        rc = http_fail(res, SW_ENOMEM, NULL);
    if (rc == SW_OK) {
        char now[SW_TIME_ISO_MAX], url[160];
        sw_time_iso(sw_now_wall_ms(), now);
        const char *type_text = visit_type_text(r.doc);
        visit_encounter_in in = {
            .patient_id = patient, .appointment_id = r.id,
            .type = visit_type_guess(type_text), .type_text = type_text,
            .reason = reason_text(r.doc), .clinician = clinician, .start = now,
        };
        server_bundle bundle;
        server_bundle_begin(&bundle);
        server_bundle_add_json(&bundle, "POST", "Encounter", visit_encounter(&in), NULL, 0);
        json_t *appt = json_deep_copy(r.doc);
        json_object_del(appt, "meta");
        json_object_set_new(appt, "status", json_string("arrived"));
        snprintf(url, sizeof url, "Appointment/%s", r.id);
        /* If-Match: of two check-ins at once, one opens the visit. */
        server_bundle_add_json(&bundle, "PUT", url, appt, NULL, r.version);
        rc = visits_run(req, res, &bundle, t, "version_conflict", "the "
                        "appointment changed while checking in; reload the "
                        "schedule");
    }
    json_decref(r.doc);
    if (rc != SW_OK)
        return rc;
    return server_reply_json(res, 201, json_pack("{s:s, s:s}", "encounter",
                             t->ids[0], "appointment", r.id));
}

/* ---- Walk-in visits ------------------------------------------------------- */

struct exists {
    int64_t     practice_id;
    const char *id;
    bool        found;
};

static int patient_fn(store_tx *tx, void *arg)
{
    struct exists *x = arg;
    return fhir_row_exists(tx, x->practice_id, "Patient", x->id, &x->found);
}

static bool one_line(const char *s, size_t max)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        n += (*p & 0xc0) != 0x80;
    }
    return n >= 1 && n <= max;
}

static int post_visit(sw_request *req, sw_response *res)
{
    sw_app *app = req->app;
    const auth_session *s = server_principal(req);
    static const char *const members[] = { "visit_type", "reason", NULL };
    struct exists x = { s->practice_id, http_route_value(req, "id"), false };
    if (x.id == NULL || !fhir_is_id(sw_str_of(x.id)))
        return http_fail(res, SW_ENOTFOUND, "there is no such patient");
    json_t *doc = NULL, *me = NULL;
    int rc = server_json_body(req, res, WALK_IN_BODY_MAX, &doc);
    if (rc == SW_OK)
        rc = server_json_only_members(doc, members, res);
    const visit_type *type = NULL;
    const char *reason = NULL;
    if (rc == SW_OK) {
        type = visit_type_find(json_string_value(json_object_get(doc, "visit_type")));
        json_t *rv = json_object_get(doc, "reason");
        reason = json_string_value(rv);
        if (type == NULL)
            rc = http_fail(res, SW_EINVAL, "\"visit_type\" must be new-patient, "
                           "follow-up, acute or wellness");
        else if (rv && !json_is_null(rv) && (reason == NULL || !one_line(reason, 200)))
            rc = http_fail(res, SW_EINVAL, "\"reason\" must be 1 to 200 "
                           "characters on one line");
    }
    sw_err err;
    if (rc == SW_OK && (rc = store_read(app->store, patient_fn, &x, &err)) != SW_OK)
        rc = http_fail(res, rc, "%s", sw_err_text(&err));
    if (rc == SW_OK && !x.found)
        rc = http_fail(res, SW_ENOTFOUND, "there is no Patient/%s", x.id);
    if (rc == SW_OK && (me = server_user_reference(req, res)) == NULL)
        rc = SW_ENOMEM;
    visits_tx *t = sw_arena_calloc(req->arena, 1, sizeof *t);
    if (rc == SW_OK && t == NULL)
        rc = http_fail(res, SW_ENOMEM, NULL);
    if (rc == SW_OK) {
        char now[SW_TIME_ISO_MAX];
        sw_time_iso(sw_now_wall_ms(), now);
        visit_encounter_in in = { .patient_id = x.id, .type = type,
                                  .reason = reason, .clinician = me, .start = now };
        server_bundle bundle;
        server_bundle_begin(&bundle);
        server_bundle_add_json(&bundle, "POST", "Encounter", visit_encounter(&in), NULL, 0);
        rc = visits_run(req, res, &bundle, t, "version_conflict", "try again");
    }
    json_decref(me);
    json_decref(doc);
    if (rc != SW_OK)
        return rc;
    return server_reply_json(res, 201, json_pack("{s:s}", "encounter", t->ids[0]));
}

/* ---- A patient's visits --------------------------------------------------- */

/* The visit list's note status of each Encounter, from its notes (the
 * Compositions that are not addenda): "draft" or "signed". */
static void note_status_of(json_t *doc, json_t *note_status)
{
    const char *enc = json_string_value(json_object_get(json_object_get(doc,
                                        "encounter"), "reference"));
    const char *status = json_string_value(json_object_get(doc, "status"));
    if (enc == NULL || strncmp(enc, "Encounter/", 10) != 0 || status == NULL
        || json_array_size(json_object_get(doc, "relatesTo")) > 0)
        return;
    json_object_set_new(note_status, enc + 10, json_string(
        strcmp(status, "preliminary") == 0 ? "draft" : "signed"));
}

static int newest_first(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, "start"));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, "start"));
    int64_t mx = 0, my = 0;
    if (x)
        sw_time_parse_iso(x, &mx);
    if (y)
        sw_time_parse_iso(y, &my);
    return mx > my ? -1 : mx < my;
}

static int get_visits(sw_request *req, sw_response *res)
{
    static const char *const types[] = { "Encounter", "Composition", NULL };
    patient_read r = { .patient = http_route_value(req, "id"), .types = types,
                       .param = "subject", .max = VISITS_LIST_MAX,
                       .restricted = true, .feature = "documentation.read",
                       .audit_type = "Encounter", .audit_detail = "visit list" };
    struct { json_t *visits, *note_status; } h = { json_array(), json_object() };
    int rc = h.visits && h.note_status ? patient_records_read(req, res, &r)
                                       : http_fail(res, SW_ENOMEM, NULL);
    for (size_t i = 0; rc == SW_OK && i < r.n; i++) {
        json_t *doc = visits_parse(r.items[i].body, r.items[i].len);
        if (doc == NULL)
            rc = http_fail(res, SW_ENOMEM, NULL);
        else if (strcmp(r.items[i].type, "Encounter") == 0) {
            json_object_set_new(doc, "id", json_string(r.items[i].id));
            json_array_append(h.visits, doc);
        } else {
            note_status_of(doc, h.note_status);
        }
        json_decref(doc);
    }
    size_t n = rc == SW_OK ? json_array_size(h.visits) : 0;
    json_t **items = sw_arena_calloc(req->arena, n + 1, sizeof *items);
    json_t *list = json_array();
    for (size_t i = 0; items && i < n; i++) {
        json_t *e = json_array_get(h.visits, i);
        const char *id = json_string_value(json_object_get(e, "id"));
        json_t *coding = json_array_get(json_object_get(json_array_get(
            json_object_get(e, "type"), 0), "coding"), 0);
        json_t *who = json_object_get(json_array_get(json_object_get(e,
                                      "participant"), 0), "individual");
        const char *note = json_string_value(json_object_get(h.note_status, id));
        items[i] = json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:o}", "id", id,
            "status", json_string_value(json_object_get(e, "status")),
            "visit_type", json_string_value(json_object_get(coding, "code")),
            "start", json_string_value(json_object_get(json_object_get(e,
                     "period"), "start")),
            "note_status", note ? note : "none",
            "clinician", server_person_json(who));
    }
    if (items && n > 1)
        qsort(items, n, sizeof *items, newest_first);
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(list, items[i]);
    json_decref(h.visits);
    json_decref(h.note_status);
    if (rc != SW_OK) {
        json_decref(list);
        return rc;
    }
    return server_reply_json(res, 200, json_pack("{s:o}", "visits", list));
}

static const http_route routes[] = {
    { "GET", "/api/schedule", get_schedule, 0, "scheduling:read" },
    { "POST", "/api/appointments/{id}/check-in", check_in, 0, "visits:write" },
    { "POST", "/api/patients/{id}/visits", post_visit, HTTP_ROUTE_BODY, "visits:write" },
    { "GET", "/api/patients/{id}/visits", get_visits, 0, "visits:read" },
};

const http_route_table schedule_routes = {
    .name = "schedule",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
