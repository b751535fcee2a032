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

#include "testdb.h"
#include "testserver.h"

#define XSS "<script>alert(\"x\")</script> & 'q' <img src=x onerror=alert(1)>\nline 2\r\n&amp;"

static long call(sw_test_env *e, const char *auth, const char *method,
                 const char *path, const char *body, json_t **out)
{
    const char *headers[] = { auth, "Content-Type: application/json", NULL };
    sw_http_result r;
    if (sw_http(&e->srv, method, path, headers, body, body ? strlen(body) : 0, &r) != 0)
        return -1;
    long status = r.status;
    if (out) {
        *out = json_loads(r.body, 0, NULL);
        if (*out == NULL)
            fail_msg("%s %s: not JSON: %s", method, path, r.body);
    }
    sw_http_result_free(&r);
    return status;
}

static long fhir_put(sw_test_env *e, const char *path, const char *body)
{
    const char *headers[] = { e->auth, "Content-Type: application/fhir+json", NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, "PUT", path, headers, body, strlen(body), &r), 0);
    long status = r.status;
    if (status != 201 && status != 200)
        fprintf(stderr, "PUT %s: %ld %s\n", path, status, r.body);
    sw_http_result_free(&r);
    return status;
}

static json_t *get_json(sw_test_env *e, const char *auth, const char *path)
{
    json_t *doc;
    long status = call(e, auth, "GET", path, NULL, &doc);
    if (status != 200)
        fail_msg("GET %s: %ld %s", path, status, json_dumps(doc, 0));
    return doc;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static const char *error_code(json_t *doc)
{
    return str(json_object_get(doc, "error"), "code");
}

static void patient(sw_test_env *e, const char *id)
{
    char path[64], body[256];
    snprintf(path, sizeof path, "/fhir/Patient/%s", id);
    snprintf(body, sizeof body, "{\"resourceType\":\"Patient\",\"id\":\"%s\","
             "\"name\":[{\"family\":\"Rivera\",\"given\":[\"Ana\"]}],"
             "\"birthDate\":\"1970-05-01\"}", id);
    assert_int_equal(fhir_put(e, path, body), 201);
}

static void appointment(sw_test_env *e, const char *id, const char *start,
                        const char *end, const char *clinician)
{
    char path[64], body[1024];
    snprintf(path, sizeof path, "/fhir/Appointment/%s", id);
    snprintf(body, sizeof body, "{\"resourceType\":\"Appointment\",\"id\":\"%s\","
        "\"status\":\"booked\",\"appointmentType\":{\"text\":\"Follow-up\"},"
        "\"reasonCode\":[{\"text\":\"Diabetes check\"}],\"start\":\"%s\",\"end\":\"%s\","
        "\"participant\":[{\"actor\":{\"reference\":\"Patient/p1\"},\"status\":\"accepted\"},"
        "{\"actor\":{\"identifier\":{\"system\":\"urn:stagewise:user\",\"value\":\"%s\"},"
        "\"display\":\"%s\"},\"status\":\"accepted\"}]}", id, start, end, clinician,
        clinician);
    assert_int_equal(fhir_put(e, path, body), 201);
}

static void the_schedule_and_check_in(void **state)
{
    sw_test_env *e = *state;
    patient(e, "p1");
    appointment(e, "a1", "2026-11-25T09:00:00-05:00", "2026-11-25T09:20:00-05:00", "dr.test");
    appointment(e, "a2", "2026-11-25T08:00:00Z", "2026-11-25T08:20:00Z", "dr.other");
    appointment(e, "a3", "2026-11-26T09:00:00Z", "2026-11-26T09:20:00Z", "dr.test");

    json_t *day = get_json(e, e->auth, "/api/schedule?date=2026-11-25");
    json_t *list = json_object_get(day, "appointments");
    assert_int_equal(json_array_size(list), 1);        /* not dr.other's, not tomorrow's */
    json_t *a = json_array_get(list, 0);
    assert_string_equal(str(a, "id"), "a1");
    assert_string_equal(str(a, "status"), "booked");
    assert_string_equal(str(a, "visit_type"), "Follow-up");
    assert_string_equal(str(a, "reason"), "Diabetes check");
    assert_string_equal(str(json_object_get(a, "patient"), "name"), "Ana Rivera");
    assert_string_equal(str(json_object_get(a, "patient"), "birthDate"), "1970-05-01");
    assert_string_equal(str(json_object_get(a, "clinician"), "username"), "dr.test");
    assert_true(json_is_null(json_object_get(a, "encounter")));
    json_decref(day);

    day = get_json(e, e->auth, "/api/schedule?date=2026-11-25&all=true");
    list = json_object_get(day, "appointments");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(str(json_array_get(list, 0), "id"), "a2");   /* 08:00Z first */
    assert_string_equal(str(json_array_get(list, 1), "id"), "a1");   /* 14:00Z */
    json_decref(day);

    json_t *doc;
    assert_int_equal(call(e, e->auth, "GET", "/api/schedule?date=25-11-2026", NULL, &doc), 400);
    json_decref(doc);

    /* Without a date: today, in the server's time zone. */
    char today[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    day = get_json(e, e->auth, "/api/schedule");
    assert_string_equal(str(day, "date"), today);
    json_decref(day);

    assert_int_equal(call(e, e->auth, "POST", "/api/appointments/a1/check-in", NULL, &doc), 201);
    char enc[80];
    snprintf(enc, sizeof enc, "%s", str(doc, "encounter"));
    assert_string_equal(str(doc, "appointment"), "a1");
    json_decref(doc);
    assert_int_equal(call(e, e->auth, "POST", "/api/appointments/a1/check-in", NULL, &doc), 200);
    assert_string_equal(str(doc, "encounter"), enc);
    json_decref(doc);
    assert_int_equal(call(e, e->auth, "POST", "/api/appointments/nope/check-in", NULL, &doc), 404);
    json_decref(doc);

    day = get_json(e, e->auth, "/api/schedule?date=2026-11-25");
    a = json_array_get(json_object_get(day, "appointments"), 0);
    assert_string_equal(str(a, "status"), "arrived");
    assert_string_equal(str(a, "encounter"), enc);
    json_decref(day);

    char path[128];
    snprintf(path, sizeof path, "/fhir/Encounter/%s", enc);
    json_t *fe = get_json(e, e->auth, path);
    assert_string_equal(str(fe, "status"), "arrived");
    assert_string_equal(str(json_object_get(fe, "class"), "code"), "AMB");
    assert_string_equal(str(json_array_get(json_object_get(fe, "appointment"), 0),
                            "reference"), "Appointment/a1");
    assert_string_equal(str(json_object_get(fe, "subject"), "reference"), "Patient/p1");
    json_t *who = json_object_get(json_array_get(json_object_get(fe, "participant"), 0),
                                  "individual");
    assert_string_equal(str(json_object_get(who, "identifier"), "value"), "dr.test");
    json_decref(fe);

    snprintf(path, sizeof path, "/api/visits/%s", enc);
    json_t *v = get_json(e, e->auth, path);
    assert_string_equal(str(json_object_get(v, "encounter"), "visit_type"), "follow-up");
    assert_string_equal(str(json_object_get(v, "encounter"), "reason"), "Diabetes check");
    assert_true(json_is_null(json_object_get(v, "note")));
    json_decref(v);
}

static char *walk_in(sw_test_env *e, const char *type)
{
    char body[128];
    json_t *doc;
    snprintf(body, sizeof body, "{\"visit_type\":\"%s\",\"reason\":\"Cough\"}", type);
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/p1/visits", body, &doc), 201);
    char *id = strdup(str(doc, "encounter"));
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
    long status = call(e, auth, "PUT", path, text, out);
    free(text);
    return status;
}

static long put_coding(sw_test_env *e, const char *enc, const char *body, json_t **out)
{
    char path[128];
    snprintf(path, sizeof path, "/api/visits/%s/coding", enc);
    return call(e, e->auth, "PUT", path, body, out);
}

static long post_to(sw_test_env *e, const char *auth, const char *enc,
                    const char *what, const char *body, json_t **out)
{
    char path[128];
    snprintf(path, sizeof path, "/api/visits/%s/%s", enc, what);
    return call(e, auth, "POST", path, body, out);
}

static json_t *visit(sw_test_env *e, const char *auth, const char *enc)
{
    char path[128];
    snprintf(path, sizeof path, "/api/visits/%s", enc);
    return get_json(e, auth, path);
}

static json_int_t open_note_items(sw_test_env *e)
{
    json_t *inbox = get_json(e, e->auth, "/api/inbox");
    json_int_t n = (json_int_t)json_array_size(json_object_get(inbox, "notes"));
    json_decref(inbox);
    return n;
}

static bool has_code(json_t *list, const char *code)
{
    json_t *c;
    size_t i;
    json_array_foreach(list, i, c) {
        const char *s = str(c, "code");
        if (s == NULL)
            s = str(json_array_get(json_object_get(c, "coding"), 0), "code");
        if (s && strcmp(s, code) == 0)
            return true;
    }
    return false;
}

static void the_visit_from_note_to_signature(void **state)
{
    sw_test_env *e = *state;
    patient(e, "p1");
    json_t *doc;
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/p1/visits",
                          "{\"visit_type\":\"surgery\"}", &doc), 400);
    assert_non_null(strstr(str(json_object_get(doc, "error"), "message"), "visit_type"));
    json_decref(doc);
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/nobody/visits",
                          "{\"visit_type\":\"acute\"}", &doc), 404);
    json_decref(doc);
    char *enc = walk_in(e, "acute");

    json_t *t = get_json(e, e->auth, "/api/note-templates");
    assert_true(json_array_size(json_object_get(t, "templates")) >= 4);
    json_decref(t);
    json_t *codes = get_json(e, e->auth, "/api/codes?system=icd10cm&q=e11");
    assert_true(has_code(json_object_get(codes, "codes"), "E11.9"));
    assert_true(json_array_size(json_object_get(codes, "codes")) <= 20);
    json_decref(codes);
    codes = get_json(e, e->auth, "/api/codes?system=cpt&q=office%20visit%20established");
    assert_true(has_code(json_object_get(codes, "codes"), "99213"));
    json_decref(codes);

    /* Drafts: the first save without a version, then with the current one. */
    assert_int_equal(open_note_items(e), 0);
    assert_int_equal(put_note(e, e->auth, enc, note_body("first", 0), &doc), 200);
    char note[80];
    snprintf(note, sizeof note, "%s", str(doc, "note"));
    json_int_t v1 = json_integer_value(json_object_get(doc, "version"));
    assert_true(v1 >= 1);
    assert_non_null(str(doc, "saved_at"));
    json_decref(doc);
    assert_int_equal(open_note_items(e), 1);
    assert_int_equal(put_note(e, e->auth, enc, note_body("again", 0), &doc), 409);
    assert_string_equal(error_code(doc), "version_conflict");
    json_decref(doc);
    assert_int_equal(put_note(e, e->auth, enc, note_body(XSS, v1), &doc), 200);
    json_int_t v2 = json_integer_value(json_object_get(doc, "version"));
    assert_true(v2 > v1);
    assert_string_equal(str(doc, "note"), note);
    json_decref(doc);
    /* The other tab still holds v1: its save is refused, not merged. */
    assert_int_equal(put_note(e, e->auth, enc, note_body("stale tab", v1), &doc), 409);
    assert_string_equal(error_code(doc), "version_conflict");
    json_decref(doc);
    assert_int_equal(open_note_items(e), 1);

    json_t *v = visit(e, e->auth, enc);
    json_t *n = json_object_get(v, "note");
    assert_string_equal(str(n, "status"), "draft");
    assert_string_equal(str(n, "template"), "acute");
    assert_int_equal(json_integer_value(json_object_get(n, "version")), v2);
    static const char *const sections[] = { "subjective", "objective", "assessment", "plan" };
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(str(json_object_get(n, "sections"), sections[i]), XSS);
    assert_string_equal(str(json_object_get(n, "author"), "username"), "dr.test");
    assert_string_equal(str(json_object_get(v, "encounter"), "status"), "in-progress");
    json_decref(v);

    /* Coding: an unknown code is refused, naming it, and nothing is written. */
    assert_int_equal(put_coding(e, enc, "{\"diagnoses\":[{\"code\":\"J20.9\"},"
                                "{\"code\":\"Q99.999\"}],\"procedures\":[{\"code\":\"99213\"}]}",
                                &doc), 400);
    assert_non_null(strstr(str(json_object_get(doc, "error"), "message"), "Q99.999"));
    json_decref(doc);
    assert_int_equal(put_coding(e, enc, "{\"diagnoses\":[{\"code\":\"J20.9\"}],"
                                "\"procedures\":[{\"code\":\"99999\"}]}", &doc), 400);
    assert_non_null(strstr(str(json_object_get(doc, "error"), "message"), "99999"));
    json_decref(doc);
    v = visit(e, e->auth, enc);
    assert_int_equal(json_array_size(json_object_get(v, "diagnoses")), 0);
    assert_int_equal(json_array_size(json_object_get(v, "procedures")), 0);
    json_decref(v);

    assert_int_equal(put_coding(e, enc, "{\"diagnoses\":[{\"code\":\"J20.9\"},"
        "{\"code\":\"R05.1\"}],\"procedures\":[{\"code\":\"99213\",\"modifiers\":[\"25\"],"
        "\"units\":1,\"diagnoses\":[1,2]},{\"code\":\"87880\",\"diagnoses\":[1]}]}", &doc), 200);
    assert_string_equal(str(json_array_get(json_object_get(doc, "diagnoses"), 0), "display"),
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
    assert_string_equal(str(json_array_get(dx, 0), "code"), "J20.9");
    assert_string_equal(str(json_array_get(dx, 1), "code"), "J06.9");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(dx, 1), "rank")), 2);
    assert_int_equal(json_array_size(px), 2);
    json_t *p0 = json_array_get(px, 0), *p1 = json_array_get(px, 1);
    assert_string_equal(str(p0, "code"), "99214");
    assert_string_equal(json_string_value(json_array_get(json_object_get(p0, "modifiers"), 0)), "25");
    assert_int_equal(json_array_size(json_object_get(p0, "diagnoses")), 2);
    assert_string_equal(str(p1, "code"), "36415");
    assert_int_equal(json_integer_value(json_object_get(p1, "units")), 2);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(p1, "diagnoses"), 0)), 2);
    json_decref(v);
    char path[256];
    snprintf(path, sizeof path, "/fhir/Condition?encounter=Encounter/%s", enc);
    json_t *bundle = get_json(e, e->auth, path);
    assert_int_equal(json_array_size(json_object_get(bundle, "entry")), 2);
    json_decref(bundle);

    /* A visit's diagnoses are not problem-list entries. */
    json_t *problems = get_json(e, e->auth, "/api/patients/p1/problems");
    assert_false(has_code(json_object_get(problems, "problems"), "J20.9"));
    json_decref(problems);

    /* Signing needs notes:sign; a nurse writes notes but does not sign. */
    assert_int_equal(sw_test_add_user(e->db, "nurse.n", "nurse"), 0);
    char nurse[512];
    assert_int_equal(sw_test_sign_in_as(&e->srv, "nurse.n", nurse, sizeof nurse), 0);
    assert_int_equal(post_to(e, nurse, enc, "sign", NULL, &doc), 403);
    json_decref(doc);

    /* Signing a version other than the current one is refused. */
    char stale[64];
    snprintf(stale, sizeof stale, "{\"version\":%lld}", (long long)v1);
    assert_int_equal(post_to(e, e->auth, enc, "sign", stale, &doc), 409);
    assert_string_equal(error_code(doc), "version_conflict");
    json_decref(doc);
    assert_int_equal(post_to(e, e->auth, enc, "sign", NULL, &doc), 200);
    assert_string_equal(str(doc, "note"), note);
    assert_non_null(str(doc, "signed_at"));
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
        json_t *c = get_json(e, e->auth, path);
        assert_string_equal(str(c, "status"), "billable");
        char ctx[128];
        snprintf(ctx, sizeof ctx, "Encounter/%s", enc);
        assert_string_equal(str(json_object_get(c, "context"), "reference"), ctx);
        assert_string_equal(str(json_object_get(c, "subject"), "reference"), "Patient/p1");
        json_t *coding = json_array_get(json_object_get(json_object_get(c, "code"), "coding"), 0);
        json_int_t units = json_integer_value(json_object_get(json_object_get(c, "quantity"), "value"));
        json_t *reason = json_object_get(c, "reason");
        if (strcmp(str(coding, "code"), "99214") == 0) {
            seen_visit = true;
            assert_string_equal(str(coding, "system"), "http://www.ama-assn.org/go/cpt");
            assert_int_equal(units, 1);
            assert_int_equal(json_array_size(reason), 2);
            assert_true(has_code(reason, "J20.9") && has_code(reason, "J06.9"));
        } else {
            assert_string_equal(str(coding, "code"), "36415");
            seen_draw = true;
            assert_int_equal(units, 2);
            assert_int_equal(json_array_size(reason), 1);
            assert_true(has_code(reason, "J06.9"));
        }
        assert_non_null(str(c, "occurrenceDateTime"));
        assert_string_equal(str(json_object_get(json_object_get(json_array_get(
            json_object_get(c, "performer"), 0), "actor"), "identifier"), "value"), "dr.test");
        json_decref(c);
    }
    assert_true(seen_visit && seen_draw);

    v = visit(e, e->auth, enc);
    n = json_object_get(v, "note");
    assert_string_equal(str(n, "status"), "signed");
    assert_string_equal(str(json_object_get(n, "signed_by"), "username"), "dr.test");
    assert_non_null(str(n, "signed_at"));
    assert_string_equal(str(json_object_get(v, "encounter"), "status"), "finished");
    assert_non_null(str(json_object_get(v, "encounter"), "end"));
    assert_int_equal(json_array_size(json_object_get(v, "charges")), 2);
    json_int_t signed_version = json_integer_value(json_object_get(n, "version"));
    json_decref(v);

    /* Locked: edits, coding and a second signature are refused. */
    assert_int_equal(put_note(e, e->auth, enc, note_body("late edit", signed_version), &doc), 409);
    assert_string_equal(error_code(doc), "note_signed");
    json_decref(doc);
    assert_int_equal(put_coding(e, enc, "{\"diagnoses\":[{\"code\":\"I10\"}],"
                                "\"procedures\":[{\"code\":\"99212\"}]}", &doc), 409);
    assert_string_equal(error_code(doc), "note_signed");
    json_decref(doc);
    assert_int_equal(post_to(e, e->auth, enc, "sign", NULL, &doc), 409);
    json_decref(doc);

    /* An addendum by a second physician carries its own author and time. */
    assert_int_equal(sw_test_add_user(e->db, "dr.two", "physician"), 0);
    char two[512];
    assert_int_equal(sw_test_sign_in_as(&e->srv, "dr.two", two, sizeof two), 0);
    json_t *body = json_pack("{s:s}", "text", XSS);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    assert_int_equal(post_to(e, two, enc, "addenda", text, &doc), 201);
    free(text);
    assert_string_equal(str(json_object_get(doc, "author"), "username"), "dr.two");
    char addendum[80];
    snprintf(addendum, sizeof addendum, "%s", str(doc, "addendum"));
    json_decref(doc);
    v = visit(e, two, enc);
    json_t *add = json_array_get(json_object_get(v, "addenda"), 0);
    assert_string_equal(str(add, "id"), addendum);
    assert_string_equal(str(add, "text"), XSS);
    assert_string_equal(str(json_object_get(add, "author"), "username"), "dr.two");
    assert_non_null(str(add, "at"));
    assert_string_equal(str(json_object_get(json_object_get(v, "note"), "signed_by"),
                            "username"), "dr.test");
    json_decref(v);
    snprintf(path, sizeof path, "/fhir/Composition/%s", addendum);
    json_t *fc = get_json(e, e->auth, path);
    assert_string_equal(str(fc, "status"), "final");
    json_t *rel = json_array_get(json_object_get(fc, "relatesTo"), 0);
    assert_string_equal(str(rel, "code"), "appends");
    char target[128];
    snprintf(target, sizeof target, "Composition/%s", note);
    assert_string_equal(str(json_object_get(rel, "targetReference"), "reference"), target);
    json_decref(fc);

    /* The trail has the two steps. */
    json_t *audit = get_json(e, e->auth, "/api/audit?patient=p1&type=Composition&limit=1000");
    json_t *entry;
    size_t i;
    bool sign = false, addenda = false;
    json_array_foreach(json_object_get(audit, "entries"), i, entry) {
        sign = sign || strcmp(str(entry, "feature"), "documentation.sign") == 0;
        if (strcmp(str(entry, "feature"), "documentation.addendum") == 0) {
            addenda = true;
            assert_string_equal(str(json_object_get(entry, "user"), "username"), "dr.two");
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
    assert_non_null(strstr(str(json_object_get(doc, "error"), "message"), "diagnosis"));
    json_decref(doc);
    assert_int_equal(put_coding(e, bare, "{\"diagnoses\":[{\"code\":\"I10\"}]}", &doc), 200);
    json_decref(doc);
    assert_int_equal(post_to(e, e->auth, bare, "sign", NULL, &doc), 400);
    json_decref(doc);
    char *empty = walk_in(e, "wellness");

    json_t *visits = get_json(e, e->auth, "/api/patients/p1/visits");
    json_t *list = json_object_get(visits, "visits");
    assert_int_equal(json_array_size(list), 3);
    json_t *one;
    json_array_foreach(list, i, one) {
        const char *id = str(one, "id");
        const char *want = strcmp(id, enc) == 0 ? "signed"
                         : strcmp(id, bare) == 0 ? "draft" : "none";
        assert_string_equal(str(one, "note_status"), want);
    }
    json_decref(visits);
    free(enc);
    free(bare);
    free(empty);
}

static void a_restricted_record_stays_shut(void **state)
{
    sw_test_env *e = *state;
    patient(e, "p1");
    char *enc = walk_in(e, "acute");
    json_t *doc;
    assert_int_equal(call(e, e->auth, "PUT", "/api/patients/p1/restriction",
                          "{\"reason\":\"staff member\"}", &doc), 200);
    json_decref(doc);
    char path[128];
    snprintf(path, sizeof path, "/api/visits/%s", enc);
    assert_int_equal(call(e, e->auth, "GET", path, NULL, &doc), 403);
    assert_non_null(strstr(str(json_object_get(doc, "error"), "message"), "break the glass"));
    json_decref(doc);
    assert_int_equal(call(e, e->auth, "GET", "/api/patients/p1/visits", NULL, &doc), 403);
    json_decref(doc);
    assert_int_equal(put_note(e, e->auth, enc, note_body("x", 0), &doc), 403);
    json_decref(doc);
    assert_int_equal(call(e, e->auth, "POST", "/api/patients/p1/break-the-glass",
                          "{\"reason\":\"covering the clinic today\"}", &doc), 201);
    json_decref(doc);
    assert_int_equal(put_note(e, e->auth, enc, note_body("x", 0), &doc), 200);
    json_decref(doc);
    json_t *v = visit(e, e->auth, enc);
    assert_string_equal(str(json_object_get(json_object_get(v, "note"), "sections"),
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
