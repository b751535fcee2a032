/* testapi.h - the steps API tests take again and again against a running
 * server (an sw_test_env): requests carrying an Authorization header and a
 * Content-Type, answers parsed with jansson, records created through /fhir,
 * restricted and opened again by breaking the glass, more users of the
 * practice signed in, a staged plan applied, and the checks many tests
 * share (bad input refused, features in the audit trail).
 *
 * testserver.h is the plumbing and reports failure by return value, so that
 * cmocka setup functions can use it; everything here runs inside a cmocka
 * test and fails the test itself (with the answer printed) when a step the
 * test builds on goes wrong: a record that could not be created, an answer
 * that is not JSON, a GET that did not answer 200. Calls whose status is
 * what the test checks return it and leave the check to the test; the
 * sw_test_expect_ functions are checks themselves.
 *
 * auth is always a whole header line, "Authorization: Bearer …" (as in
 * sw_test_env.auth), or NULL to send none. Strings returned are the
 * caller's to free; json_t answers the caller's to json_decref. */
#ifndef SW_TESTAPI_H
#define SW_TESTAPI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "testserver.h"

/* Content types of request bodies. */
#define SW_TEST_JSON      "application/json"
#define SW_TEST_FHIR_JSON "application/fhir+json"

/* ---- Requests ----------------------------------------------------------- */

/* One request as auth, with body (NULL for none) sent as ctype (NULL to
 * send no Content-Type). Returns the status, or -1 on a transport error.
 * With out, the answer is left there (sw_http_result_free it); without,
 * it is freed. */
long sw_test_request(sw_test_env *e, const char *auth, const char *method,
                     const char *path, const char *ctype, const char *body,
                     sw_http_result *out);
/* GET, and POST of a JSON body as /api takes it; otherwise as
 * sw_test_request. */
long sw_test_get(sw_test_env *e, const char *auth, const char *path,
                 sw_http_result *out);
long sw_test_post(sw_test_env *e, const char *auth, const char *path,
                  const char *body, sw_http_result *out);
/* One /api call with a JSON body (or none). Returns the status, or -1 on a
 * transport error (*out is then NULL). With out, the answer parsed: the
 * test fails if it is not JSON. */
long sw_test_call(sw_test_env *e, const char *auth, const char *method,
                  const char *path, const char *body, json_t **out);
/* GET path as auth; the test fails unless it answers 200 with JSON. */
json_t *sw_test_get_json(sw_test_env *e, const char *auth, const char *path);
/* GET path as auth; the test fails unless it answers 200. The body. */
char *sw_test_get_text(sw_test_env *e, const char *auth, const char *path);

/* ---- Answers ------------------------------------------------------------ */

/* The string at path in doc: member names and array indexes joined by
 * dots ("orders.0.requester.username"). NULL where there is nothing there
 * or it is not a string. */
const char *sw_test_str(json_t *doc, const char *path);
/* How many times needle occurs in hay (overlapping occurrences count). */
int sw_test_count(const char *hay, const char *needle);
/* Whether the array list holds the string s. */
bool sw_test_listed(json_t *list, const char *s);
/* The first object of the array list whose member is the string value
 * ("username" "nurse.r"), or NULL; borrowed from list. */
json_t *sw_test_find(json_t *list, const char *member, const char *value);

/* ---- Records, created through /fhir as the env's user ------------------- */

/* PUT of a new resource at path ("/fhir/Type/id"); the test fails unless
 * it answers 201. */
void sw_test_fhir_create(sw_test_env *e, const char *path, const char *body);
/* Patient/id; given, family and birth_date (YYYY-MM-DD) may each be NULL
 * to leave them out. */
void sw_test_patient(sw_test_env *e, const char *id, const char *given,
                     const char *family, const char *birth_date);
/* Encounter/id: an ambulatory visit of Patient/patient_id, in progress. */
void sw_test_encounter(sw_test_env *e, const char *id, const char *patient_id);

/* A booked Appointment: the patient and the clinician (a username, which
 * is how the schedule finds a clinician's day) both accepted. */
typedef struct sw_test_appt {
    const char *id;
    const char *patient;     /* Patient id */
    const char *clinician;   /* username */
    const char *start, *end; /* FHIR instants */
    const char *type;        /* appointmentType.text */
    const char *reason;      /* reasonCode[0].text */
} sw_test_appt;
void sw_test_appointment(sw_test_env *e, const sw_test_appt *a);

/* ---- Records shut and opened -------------------------------------------- */

/* Restricts Patient/patient_id ("staff member") as the env's user, which
 * must answer 200: from then on every user needs a broken glass. */
void sw_test_restrict(sw_test_env *e, const char *patient_id);
/* Breaks the glass on Patient/patient_id as auth, with reason; the test
 * fails unless it answers 201. */
void sw_test_break_the_glass(sw_test_env *e, const char *auth,
                             const char *patient_id, const char *reason);

/* ---- Checks ------------------------------------------------------------- */

/* A request body the API must refuse, and what its answer must name. */
typedef struct sw_test_bad_body {
    const char *body;
    const char *names;   /* found in the answer's text */
} sw_test_bad_body;

/* POSTs each body to path as auth; the test fails, naming the body, unless
 * every one answers 400 with its names in the answer. */
void sw_test_expect_400s(sw_test_env *e, const char *auth, const char *path,
                         const sw_test_bad_body *cases, size_t n);
/* The test fails unless the audit trail at /api/audit?query, read as the
 * env's user, has an entry for each feature named ("problems.create"; a
 * NULL-terminated list). */
void sw_test_expect_audited(sw_test_env *e, const char *query, ...)
    __attribute__((sentinel));

/* ---- Users -------------------------------------------------------------- */

/* Adds username with roles (comma-separated) to the practice and signs in
 * as them: auth gets their Authorization header. The test fails if either
 * step does. */
void sw_test_sign_in_new_user(sw_test_env *e, const char *username,
                              const char *roles, char *auth, size_t cap);

/* ---- Plans -------------------------------------------------------------- */

/* As auth (an implementation lead), applies the front-office-first template
 * (starting 2027-01-04) and gives its stage `stage` to the roles named (a
 * NULL-terminated list) only, so that the others are outside its cohort.
 * The test fails if the stage is missing or either step is refused. */
void sw_test_staged_plan(sw_test_env *e, const char *auth, const char *stage,
                         ...) __attribute__((sentinel));

/* Runs `stagewise ARGS…` (sw_test_run) and checks its exit status is
 * want and, when want is not 0, that stderr is one "stagewise: " line
 * holding word (NULL: any). Returns stdout (the caller frees). */
char *sw_test_expect_run(int want, const char *const *args, const char *word);

#endif
