/* test_visits.c - the ambulatory visit against the real server, on each
 * store: the day's schedule (mine, or everyone's with all=true), check-in
 * opening one Encounter however often it is pressed, walk-in visits, the
 * note saved as a draft with version checks (a stale save is refused), an
 * XSS payload in every section coming back verbatim, coding that replaces
 * the previous coding and writes nothing when a code is unknown, signing
 * that locks the note, finishes the visit and bills one ChargeItem per
 * procedure, edits and a second signing refused after it, addenda by
 * another physician, a nurse unable to sign, the note in its author's
 * inbox until signed, the audit trail's documentation.sign and
 * documentation.addendum entries, and a restricted record shut until the
 * glass is broken. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testapi.h"

#define XSS "<script>alert(\"x\")</script> & 'q' <img src=x onerror=alert(1)>\nline 2\r\n&amp;"

/* The appointments of these tests: follow-ups of Patient/p1. */
static void appointment(sw_test_env *e, const char *id, const char *start,
                        const char *end, const char *clinician)
{
    sw_test_appointment(e, &(sw_test_appt){
        .id = id, .patient = "p1", .clinician = clinician, .start = start, .end = end,
        .type = "Follow-up", .reason = "Diabetes check" });
}

static void the_schedule_and_check_in(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "p1", "Ana", "Rivera", "1970-05-01");
    appointment(e, "a1", "2026-11-25T09:00:00-05:00", "2026-11-25T09:20:00-05:00", "dr.test");
    appointment(e, "a2", "2026-11-25T08:00:00Z", "2026-11-25T08:20:00Z", "dr.other");
    appointment(e, "a3", "2026-11-26T09:00:00Z", "2026-11-26T09:20:00Z", "dr.test");

    json_t *day = sw_test_get_json(e, e->auth, "/api/schedule?date=2026-11-25");
    json_t *list = json_object_get(day, "appointments");
    assert_int_equal(json_array_size(list), 1);        /* not dr.other's, not tomorrow's */
    json_t *a = json_array_get(list, 0);
    assert_string_equal(sw_test_str(a, "id"), "a1");
    assert_string_equal(sw_test_str(a, "status"), "booked");
    assert_string_equal(sw_test_str(a, "visit_type"), "Follow-up");
    assert_string_equal(sw_test_str(a, "reason"), "Diabetes check");
    assert_string_equal(sw_test_str(json_object_get(a, "patient"), "name"), "Ana Rivera");
    assert_string_equal(sw_test_str(json_object_get(a, "patient"), "birthDate"), "1970-05-01");
    assert_string_equal(sw_test_str(json_object_get(a, "clinician"), "username"), "dr.test");
    assert_true(json_is_null(json_object_get(a, "encounter")));
    json_decref(day);

    day = sw_test_get_json(e, e->auth, "/api/schedule?date=2026-11-25&all=true");
    list = json_object_get(day, "appointments");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(sw_test_str(json_array_get(list, 0), "id"), "a2");   /* 08:00Z first */
    assert_string_equal(sw_test_str(json_array_get(list, 1), "id"), "a1");   /* 14:00Z */
    json_decref(day);

    json_t *doc;
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/schedule?date=25-11-2026", NULL, &doc),
                     400);
    json_decref(doc);

    /* Without a date: today, in the server's time zone. */
    char today[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    day = sw_test_get_json(e, e->auth, "/api/schedule");
    assert_string_equal(sw_test_str(day, "date"), today);
    json_decref(day);

    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/appointments/a1/check-in", NULL, &doc),
                     201);
    char enc[80];
    snprintf(enc, sizeof enc, "%s", sw_test_str(doc, "encounter"));
    assert_string_equal(sw_test_str(doc, "appointment"), "a1");
    json_decref(doc);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/appointments/a1/check-in", NULL, &doc),
                     200);
    assert_string_equal(sw_test_str(doc, "encounter"), enc);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/appointments/nope/check-in", NULL, &doc),
                     404);
    json_decref(doc);

    day = sw_test_get_json(e, e->auth, "/api/schedule?date=2026-11-25");
    a = json_array_get(json_object_get(day, "appointments"), 0);
    assert_string_equal(sw_test_str(a, "status"), "arrived");
    assert_string_equal(sw_test_str(a, "encounter"), enc);
    json_decref(day);

    char path[128];
    snprintf(path, sizeof path, "/fhir/Encounter/%s", enc);
    json_t *fe = sw_test_get_json(e, e->auth, path);
    assert_string_equal(sw_test_str(fe, "status"), "arrived");
    assert_string_equal(sw_test_str(json_object_get(fe, "class"), "code"), "AMB");
    assert_string_equal(sw_test_str(json_array_get(json_object_get(fe, "appointment"), 0),
                                    "reference"), "Appointment/a1");
    assert_string_equal(sw_test_str(json_object_get(fe, "subject"), "reference"), "Patient/p1");
    json_t *who = json_object_get(json_array_get(json_object_get(fe, "participant"), 0),
                                  "individual");
    assert_string_equal(sw_test_str(json_object_get(who, "identifier"), "value"), "dr.test");
    json_decref(fe);

    snprintf(path, sizeof path, "/api/visits/%s", enc);
    json_t *v = sw_test_get_json(e, e->auth, path);
    assert_string_equal(sw_test_str(json_object_get(v, "encounter"), "visit_type"), "follow-up");
    assert_string_equal(sw_test_str(json_object_get(v, "encounter"), "reason"), "Diabetes check");
    assert_true(json_is_null(json_object_get(v, "note")));
    json_decref(v);
}

static char *walk_in(sw_test_env *e, const char *type)
{
    char body[128];
    json_t *doc;
    snprintf(body, sizeof body, "{\"visit_type\":\"%s\",\"reason\":\"Cough\"}", type);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/p1/visits", body, &doc), 201);
    char *id = strdup(sw_test_str(doc, "encounter"));
    json_decref(doc);
    return id;
}

static json_t *note_body(const char *text, json_int_t version)
{
    json_t *b = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "template", "acute",
                          "sections", "subjective", text, "objective", text,
                          "assessment", text, "plan", text);
    if (version > 0)
        json_object_set_new(b, "version", json_integer(version));
    return b;
}

static long put_note(sw_test_env *e, const char *auth, const char *enc, json_t *body,
                     json_t **out)
{
    char path[128];
    snprintf(path, sizeof path, "/api/visits/%s/note", enc);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    long status = sw_test_call(e, auth, "PUT", path, text, out);
    free(text);
    return status;
}

static long put_coding(sw_test_env *e, const char *enc, const char *body, json_t **out)
{
    char path[128];
    snprintf(path, sizeof path, "/api/visits/%s/coding", enc);
    return sw_test_call(e, e->auth, "PUT", path, body, out);
}

static long post_to(sw_test_env *e, const char *auth, const char *enc,
                    const char *what, const char *body, json_t **out)
{
    char path[128];
    snprintf(path, sizeof path, "/api/visits/%s/%s", enc, what);
    return sw_test_call(e, auth, "POST", path, body, out);
}

static json_t *visit(sw_test_env *e, const char *auth, const char *enc)
{
    char path[128];
    snprintf(path, sizeof path, "/api/visits/%s", enc);
    return sw_test_get_json(e, auth, path);
}

static json_int_t open_note_items(sw_test_env *e)
{
    json_t *inbox = sw_test_get_json(e, e->auth, "/api/inbox");
    json_int_t n = (json_int_t)json_array_size(json_object_get(inbox, "notes"));
    json_decref(inbox);
    return n;
}

static bool has_code(json_t *list, const char *code)
{
    json_t *c;
    size_t i;
    json_array_foreach(list, i, c) {
        const char *s = sw_test_str(c, "code");
        if (s == NULL)
            s = sw_test_str(json_array_get(json_object_get(c, "coding"), 0), "code");
        if (s && strcmp(s, code) == 0)
            return true;
    }
    return false;
}

static void the_visit_from_note_to_signature(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "p1", "Ana", "Rivera", "1970-05-01");
    json_t *doc;
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/p1/visits",
                                  "{\"visit_type\":\"surgery\"}", &doc), 400);
    assert_non_null(strstr(sw_test_str(json_object_get(doc, "error"), "message"), "visit_type"));
    json_decref(doc);
    assert_int_equal(sw_test_call(e, e->auth, "POST", "/api/patients/nobody/visits",
                                  "{\"visit_type\":\"acute\"}", &doc), 404);
    json_decref(doc);
    char *enc = walk_in(e, "acute");

    json_t *t = sw_test_get_json(e, e->auth, "/api/note-templates");
    assert_true(json_array_size(json_object_get(t, "templates")) >= 4);
    json_decref(t);
    json_t *codes = sw_test_get_json(e, e->auth, "/api/codes?system=icd10cm&q=e11");
    assert_true(has_code(json_object_get(codes, "codes"), "E11.9"));
    assert_true(json_array_size(json_object_get(codes, "codes")) <= 20);
    json_decref(codes);
    codes = sw_test_get_json(e, e->auth, "/api/codes?system=cpt&q=office%20visit%20established");
    assert_true(has_code(json_object_get(codes, "codes"), "99213"));
    json_decref(codes);

    /* Drafts: the first save without a version, then with the current one. */
    assert_int_equal(open_note_items(e), 0);
    assert_int_equal(put_note(e, e->auth, enc, note_body("first", 0), &doc), 200);
    char note[80];
    snprintf(note, sizeof note, "%s", sw_test_str(doc, "note"));
    json_int_t v1 = json_integer_value(json_object_get(doc, "version"));
    assert_true(v1 >= 1);
    assert_non_null(sw_test_str(doc, "saved_at"));
    json_decref(doc);
    assert_int_equal(open_note_items(e), 1);
    assert_int_equal(put_note(e, e->auth, enc, note_body("again", 0), &doc), 409);
    assert_string_equal(sw_test_str(doc, "error.code"), "version_conflict");
    json_decref(doc);
    assert_int_equal(put_note(e, e->auth, enc, note_body(XSS, v1), &doc), 200);
    json_int_t v2 = json_integer_value(json_object_get(doc, "version"));
    assert_true(v2 > v1);
    assert_string_equal(sw_test_str(doc, "note"), note);
    json_decref(doc);
    /* The other tab still holds v1: its save is refused, not merged. */
    assert_int_equal(put_note(e, e->auth, enc, note_body("stale tab", v1), &doc), 409);
    assert_string_equal(sw_test_str(doc, "error.code"), "version_conflict");
    json_decref(doc);
    assert_int_equal(open_note_items(e), 1);

    json_t *v = visit(e, e->auth, enc);
    json_t *n = json_object_get(v, "note");
    assert_string_equal(sw_test_str(n, "status"), "draft");
    assert_string_equal(sw_test_str(n, "template"), "acute");
    assert_int_equal(json_integer_value(json_object_get(n, "version")), v2);
    static const char *const sections[] = { "subjective", "objective", "assessment", "plan" };
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(sw_test_str(json_object_get(n, "sections"), sections[i]), XSS);
    assert_string_equal(sw_test_str(json_object_get(n, "author"), "username"), "dr.test");
    assert_string_equal(sw_test_str(json_object_get(v, "encounter"), "status"), "in-progress");
    json_decref(v);

    /* Coding: an unknown code is refused, naming it, and nothing is written. */
    assert_int_equal(put_coding(e, enc, "{\"diagnoses\":[{\"code\":\"J20.9\"},"
                                "{\"code\":\"Q99.999\"}],\"procedures\":[{\"code\":\"99213\"}]}",
                                &doc), 400);
    assert_non_null(strstr(sw_test_str(json_object_get(doc, "error"), "message"), "Q99.999"));
    json_decref(doc);
    assert_int_equal(put_coding(e, enc, "{\"diagnoses\":[{\"code\":\"J20.9\"}],"
                                "\"procedures\":[{\"code\":\"99999\"}]}", &doc), 400);
    assert_non_null(strstr(sw_test_str(json_object_get(doc, "error"), "message"), "99999"));
    json_decref(doc);
    v = visit(e, e->auth, enc);
    assert_int_equal(json_array_size(json_object_get(v, "diagnoses")), 0);
    assert_int_equal(json_array_size(json_object_get(v, "procedures")), 0);
    json_decref(v);

    assert_int_equal(put_coding(e, enc, "{\"diagnoses\":[{\"code\":\"J20.9\"},"
        "{\"code\":\"R05.1\"}],\"procedures\":[{\"code\":\"99213\",\"modifiers\":[\"25\"],"
        "\"units\":1,\"diagnoses\":[1,2]},{\"code\":\"87880\",\"diagnoses\":[1]}]}", &doc), 200);
    assert_string_equal(sw_test_str(doc, "diagnoses.0.display"),
                        "Acute bronchitis, unspecified");
    json_decref(doc);
    /* Re-coding replaces it. */
    assert_int_equal(put_coding(e, enc, "{\"diagnoses\":[{\"code\":\"J20.9\"},"
        "{\"code\":\"J06.9\"}],\"procedures\":[{\"code\":\"99214\",\"modifiers\":[\"25\"],"
        "\"diagnoses\":[1,2]},{\"code\":\"36415\",\"units\":2,\"diagnoses\":[2]}]}", &doc), 200);
    json_decref(doc);
    v = visit(e, e->auth, enc);
    json_t *dx = json_object_get(v, "diagnoses"), *px = json_object_get(v, "procedures");
    assert_int_equal(json_array_size(dx), 2);
    assert_string_equal(sw_test_str(json_array_get(dx, 0), "code"), "J20.9");
    assert_string_equal(sw_test_str(json_array_get(dx, 1), "code"), "J06.9");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(dx, 1), "rank")), 2);
    assert_int_equal(json_array_size(px), 2);
    json_t *p0 = json_array_get(px, 0), *p1 = json_array_get(px, 1);
    assert_string_equal(sw_test_str(p0, "code"), "99214");
    assert_string_equal(json_string_value(json_array_get(json_object_get(p0, "modifiers"), 0)), "25");
    assert_int_equal(json_array_size(json_object_get(p0, "diagnoses")), 2);
    assert_string_equal(sw_test_str(p1, "code"), "36415");
    assert_int_equal(json_integer_value(json_object_get(p1, "units")), 2);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(p1, "diagnoses"), 0)), 2);
    json_decref(v);
    char path[256];
    snprintf(path, sizeof path, "/fhir/Condition?encounter=Encounter/%s", enc);
    json_t *bundle = sw_test_get_json(e, e->auth, path);
    assert_int_equal(json_array_size(json_object_get(bundle, "entry")), 2);
    json_decref(bundle);

    /* A visit's diagnoses are not problem-list entries. */
    json_t *problems = sw_test_get_json(e, e->auth, "/api/patients/p1/problems");
    assert_false(has_code(json_object_get(problems, "problems"), "J20.9"));
    json_decref(problems);

    /* Signing needs notes:sign; a nurse writes notes but does not sign. */
    char nurse[512];
    sw_test_sign_in_new_user(e, "nurse.n", "nurse", nurse, sizeof nurse);
    assert_int_equal(post_to(e, nurse, enc, "sign", NULL, &doc), 403);
    json_decref(doc);

    /* Signing a version other than the current one is refused. */
    char stale[64];
    snprintf(stale, sizeof stale, "{\"version\":%lld}", (long long)v1);
    assert_int_equal(post_to(e, e->auth, enc, "sign", stale, &doc), 409);
    assert_string_equal(sw_test_str(doc, "error.code"), "version_conflict");
    json_decref(doc);
    assert_int_equal(post_to(e, e->auth, enc, "sign", NULL, &doc), 200);
    assert_string_equal(sw_test_str(doc, "note"), note);
    assert_non_null(sw_test_str(doc, "signed_at"));
    json_t *charges = json_object_get(doc, "charges");
    assert_int_equal(json_array_size(charges), 2);
    char charge[2][80];
    for (size_t i = 0; i < 2; i++)
        snprintf(charge[i], sizeof charge[i], "%s", json_string_value(json_array_get(charges, i)));
    json_decref(doc);
    assert_int_equal(open_note_items(e), 0);

    /* The ChargeItems, read back as FHIR. */
    bool seen_visit = false, seen_draw = false;
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/fhir/ChargeItem/%s", charge[i]);
        json_t *c = sw_test_get_json(e, e->auth, path);
        assert_string_equal(sw_test_str(c, "status"), "billable");
        char ctx[128];
        snprintf(ctx, sizeof ctx, "Encounter/%s", enc);
        assert_string_equal(sw_test_str(json_object_get(c, "context"), "reference"), ctx);
        assert_string_equal(sw_test_str(json_object_get(c, "subject"), "reference"), "Patient/p1");
        json_t *coding = json_array_get(json_object_get(json_object_get(c, "code"), "coding"), 0);
        json_int_t units = json_integer_value(json_object_get(json_object_get(c, "quantity"), "value"));
        json_t *reason = json_object_get(c, "reason");
        if (strcmp(sw_test_str(coding, "code"), "99214") == 0) {
            seen_visit = true;
            assert_string_equal(sw_test_str(coding, "system"), "http://www.ama-assn.org/go/cpt");
            assert_int_equal(units, 1);
            assert_int_equal(json_array_size(reason), 2);
            assert_true(has_code(reason, "J20.9") && has_code(reason, "J06.9"));
        } else {
            assert_string_equal(sw_test_str(coding, "code"), "36415");
            seen_draw = true;
            assert_int_equal(units, 2);
            assert_int_equal(json_array_size(reason), 1);
            assert_true(has_code(reason, "J06.9"));
        }
        assert_non_null(sw_test_str(c, "occurrenceDateTime"));
        assert_string_equal(sw_test_str(json_object_get(json_object_get(json_array_get(
            json_object_get(c, "performer"), 0), "actor"), "identifier"), "value"), "dr.test");
        json_decref(c);
    }
    assert_true(seen_visit && seen_draw);

    v = visit(e, e->auth, enc);
    n = json_object_get(v, "note");
    assert_string_equal(sw_test_str(n, "status"), "signed");
    assert_string_equal(sw_test_str(json_object_get(n, "signed_by"), "username"), "dr.test");
    assert_non_null(sw_test_str(n, "signed_at"));
    assert_string_equal(sw_test_str(json_object_get(v, "encounter"), "status"), "finished");
    assert_non_null(sw_test_str(json_object_get(v, "encounter"), "end"));
    assert_int_equal(json_array_size(json_object_get(v, "charges")), 2);
    json_int_t signed_version = json_integer_value(json_object_get(n, "version"));
    json_decref(v);

    /* Locked: edits, coding and a second signature are refused. */
    assert_int_equal(put_note(e, e->auth, enc, note_body("late edit", signed_version), &doc), 409);
    assert_string_equal(sw_test_str(doc, "error.code"), "note_signed");
    json_decref(doc);
    assert_int_equal(put_coding(e, enc, "{\"diagnoses\":[{\"code\":\"I10\"}],"
                                "\"procedures\":[{\"code\":\"99212\"}]}", &doc), 409);
    assert_string_equal(sw_test_str(doc, "error.code"), "note_signed");
    json_decref(doc);
    assert_int_equal(post_to(e, e->auth, enc, "sign", NULL, &doc), 409);
    json_decref(doc);

    /* An addendum by a second physician carries its own author and time. */
    char two[512];
    sw_test_sign_in_new_user(e, "dr.two", "physician", two, sizeof two);
    json_t *body = json_pack("{s:s}", "text", XSS);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    assert_int_equal(post_to(e, two, enc, "addenda", text, &doc), 201);
    free(text);
    assert_string_equal(sw_test_str(json_object_get(doc, "author"), "username"), "dr.two");
    char addendum[80];
    snprintf(addendum, sizeof addendum, "%s", sw_test_str(doc, "addendum"));
    json_decref(doc);
    v = visit(e, two, enc);
    json_t *add = json_array_get(json_object_get(v, "addenda"), 0);
    assert_string_equal(sw_test_str(add, "id"), addendum);
    assert_string_equal(sw_test_str(add, "text"), XSS);
    assert_string_equal(sw_test_str(json_object_get(add, "author"), "username"), "dr.two");
    assert_non_null(sw_test_str(add, "at"));
    assert_string_equal(sw_test_str(json_object_get(json_object_get(v, "note"), "signed_by"),
                                    "username"), "dr.test");
    json_decref(v);
    snprintf(path, sizeof path, "/fhir/Composition/%s", addendum);
    json_t *fc = sw_test_get_json(e, e->auth, path);
    assert_string_equal(sw_test_str(fc, "status"), "final");
    json_t *rel = json_array_get(json_object_get(fc, "relatesTo"), 0);
    assert_string_equal(sw_test_str(rel, "code"), "appends");
    char target[128];
    snprintf(target, sizeof target, "Composition/%s", note);
    assert_string_equal(sw_test_str(json_object_get(rel, "targetReference"), "reference"), target);
    json_decref(fc);

    /* The trail has the two steps. */
    json_t *audit = sw_test_get_json(e, e->auth,
                                     "/api/audit?patient=p1&type=Composition&limit=1000");
    json_t *entry;
    size_t i;
    bool sign = false, addenda = false;
    json_array_foreach(json_object_get(audit, "entries"), i, entry) {
        sign = sign || strcmp(sw_test_str(entry, "feature"), "documentation.sign") == 0;
        if (strcmp(sw_test_str(entry, "feature"), "documentation.addendum") == 0) {
            addenda = true;
            assert_string_equal(sw_test_str(json_object_get(entry, "user"), "username"), "dr.two");
        }
    }
    assert_true(sign && addenda);
    json_decref(audit);

    /* Signing needs a note, a diagnosis and a visit level. */
    char *bare = walk_in(e, "follow-up");
    assert_int_equal(post_to(e, e->auth, bare, "sign", NULL, &doc), 400);
    json_decref(doc);
    assert_int_equal(post_to(e, e->auth, bare, "addenda", "{\"text\":\"x\"}", &doc), 409);
    json_decref(doc);
    assert_int_equal(put_note(e, e->auth, bare, note_body("plan", 0), &doc), 200);
    json_decref(doc);
    assert_int_equal(post_to(e, e->auth, bare, "sign", NULL, &doc), 400);
    assert_non_null(strstr(sw_test_str(json_object_get(doc, "error"), "message"), "diagnosis"));
    json_decref(doc);
    assert_int_equal(put_coding(e, bare, "{\"diagnoses\":[{\"code\":\"I10\"}]}", &doc), 200);
    json_decref(doc);
    assert_int_equal(post_to(e, e->auth, bare, "sign", NULL, &doc), 400);
    json_decref(doc);
    char *empty = walk_in(e, "wellness");

    json_t *visits = sw_test_get_json(e, e->auth, "/api/patients/p1/visits");
    json_t *list = json_object_get(visits, "visits");
    assert_int_equal(json_array_size(list), 3);
    json_t *one;
    json_array_foreach(list, i, one) {
        const char *id = sw_test_str(one, "id");
        const char *want = strcmp(id, enc) == 0 ? "signed"
                         : strcmp(id, bare) == 0 ? "draft" : "none";
        assert_string_equal(sw_test_str(one, "note_status"), want);
    }
    json_decref(visits);
    free(enc);
    free(bare);
    free(empty);
}

static void a_restricted_record_stays_shut(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "p1", "Ana", "Rivera", "1970-05-01");
    char *enc = walk_in(e, "acute");
    sw_test_restrict(e, "p1");
    json_t *doc;
    char path[128];
    snprintf(path, sizeof path, "/api/visits/%s", enc);
    assert_int_equal(sw_test_call(e, e->auth, "GET", path, NULL, &doc), 403);
    assert_non_null(strstr(sw_test_str(doc, "error.message"), "break the glass"));
    json_decref(doc);
    assert_int_equal(sw_test_call(e, e->auth, "GET", "/api/patients/p1/visits", NULL, &doc), 403);
    json_decref(doc);
    assert_int_equal(put_note(e, e->auth, enc, note_body("x", 0), &doc), 403);
    json_decref(doc);
    sw_test_break_the_glass(e, e->auth, "p1", "covering the clinic today");
    assert_int_equal(put_note(e, e->auth, enc, note_body("x", 0), &doc), 200);
    json_decref(doc);
    json_t *v = visit(e, e->auth, enc);
    assert_string_equal(sw_test_str(json_object_get(json_object_get(v, "note"), "sections"),
                                    "plan"), "x");
    json_decref(v);
    free(enc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_schedule_and_check_in,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(the_visit_from_note_to_signature,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(a_restricted_record_stays_shut,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
