/* test_superusers.c - super-users and help requests against the real
 * server, on each store (docs/training.md "Super-users", "Help
 * requests"): the implementation lead names a super-user of
 * e-prescribing, who then prescribes under a staged plan where the module
 * is not live for physicians yet (pilot) while another physician is
 * refused; /api/me follows; removal takes it away; only the lead changes
 * the roster; everyone reads the directory; a nurse's help request
 * reaches the super-user's inbox with the module and screen and nothing
 * else, and answering clears it; the super-user sees the colleagues of
 * the module's cohort who are stuck and nobody outside it; the command
 * line lists, adds and removes with its exit statuses; every change is in
 * the audit trail.
 *
 * Training records are written straight into the production store here
 * (the courses' own API fills them in real use): the colleagues view only
 * reads them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "store/store.h"
#include "testapi.h"

#define MEDREQ \
    "{\"resourceType\":\"MedicationRequest\",\"status\":\"active\"," \
    "\"intent\":\"order\",\"subject\":{\"reference\":\"Patient/p1\"}," \
    "\"medicationCodeableConcept\":{\"text\":\"Amoxicillin 500 mg\"}}"

typedef struct people {
    char lead[512], super[512], dr[512], nurse[512], desk[512];
} people;

static void sign_in(sw_test_env *e, people *p)
{
    sw_test_sign_in_new_user(e, "lead.s", "implementation_lead", p->lead, sizeof p->lead);
    sw_test_sign_in_new_user(e, "dr.super", "physician", p->super, sizeof p->super);
    sw_test_sign_in_new_user(e, "dr.other", "physician", p->dr, sizeof p->dr);
    sw_test_sign_in_new_user(e, "nurse.s", "nurse", p->nurse, sizeof p->nurse);
    sw_test_sign_in_new_user(e, "desk.s", "front_desk", p->desk, sizeof p->desk);
}

static long medreq(sw_test_env *e, const char *auth)
{
    return sw_test_request(e, auth, "POST", "/fhir/MedicationRequest",
                           SW_TEST_FHIR_JSON, MEDREQ, NULL);
}

/* front-office-first, with prescribing's stage given to physicians and
 * nurses only: the front desk is outside e-prescribing's cohort. */
static void staged_plan(sw_test_env *e, const people *p)
{
    sw_test_staged_plan(e, p->lead, "orders-prescribing", "physician", "nurse", NULL);
}

/* The directory's super-users of module, as usernames joined by ','. */
static void directory_of(sw_test_env *e, const char *auth, const char *module,
                         char *out, size_t cap)
{
    json_t *doc = sw_test_get_json(e, auth, "/api/superusers");
    size_t i, k;
    json_t *m, *u;
    out[0] = '\0';
    bool found = false;
    json_array_foreach(json_object_get(doc, "modules"), i, m) {
        if (strcmp(json_string_value(json_object_get(m, "module")), module) != 0)
            continue;
        found = true;
        assert_non_null(json_string_value(json_object_get(m, "title")));
        json_array_foreach(json_object_get(m, "super_users"), k, u) {
            size_t len = strlen(out);
            snprintf(out + len, cap - len, "%s%s", len ? "," : "",
                     json_string_value(json_object_get(u, "username")));
            assert_non_null(json_string_value(json_object_get(u, "name")));
        }
    }
    assert_true(found);
    assert_int_equal(json_array_size(json_object_get(doc, "modules")), 12);
    json_decref(doc);
}

static void super_users_pilot_their_module(void **state)
{
    sw_test_env *e = *state;
    people p;
    sign_in(e, &p);
    sw_test_patient(e, "p1", "Ana", "Roll", "1980-02-03");
    staged_plan(e, &p);
    assert_int_equal(medreq(e, p.super), 403);

    /* Only the lead changes the roster. */
    json_t *doc;
    assert_int_equal(sw_test_call(e, p.super, "PUT",
                                  "/api/superusers/eprescribing/dr.super", NULL,
                                  &doc), 403);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, p.nurse, "DELETE",
                                  "/api/superusers/eprescribing/dr.super", NULL,
                                  &doc), 403);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, p.lead, "PUT",
                                  "/api/superusers/nosuchmodule/dr.super", NULL,
                                  &doc), 404);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, p.lead, "PUT",
                                  "/api/superusers/eprescribing/nobody", NULL,
                                  &doc), 404);
    assert_non_null(strstr(sw_test_str(doc, "error.message"), "nobody"));
    json_decref(doc);

    assert_int_equal(sw_test_call(e, p.lead, "PUT",
                                  "/api/superusers/eprescribing/dr.super", NULL,
                                  &doc), 201);
    assert_string_equal(sw_test_str(doc, "username"), "dr.super");
    assert_string_equal(sw_test_str(doc, "module"), "eprescribing");
    json_decref(doc);
    assert_int_equal(sw_test_call(e, p.lead, "PUT",
                                  "/api/superusers/eprescribing/dr.super", NULL,
                                  &doc), 200);
    json_decref(doc);

    /* Pilot: the super-user prescribes, the other physician does not. */
    assert_int_equal(medreq(e, p.super), 201);
    assert_int_equal(medreq(e, p.dr), 403);
    json_t *me = sw_test_get_json(e, p.super, "/api/me");
    assert_true(sw_test_listed(json_object_get(me, "modules"), "eprescribing"));
    json_decref(me);
    me = sw_test_get_json(e, p.dr, "/api/me");
    assert_false(sw_test_listed(json_object_get(me, "modules"), "eprescribing"));
    json_decref(me);

    /* Everyone reads the directory. */
    char who[256];
    directory_of(e, p.desk, "eprescribing", who, sizeof who);
    assert_string_equal(who, "dr.super");
    directory_of(e, p.nurse, "registration", who, sizeof who);
    assert_string_equal(who, "");
    /* The roster is the production one from the training environment
     * too. */
    json_t *tr = sw_test_get_json(e, p.desk, "/training/api/superusers");
    assert_string_equal(sw_test_str(tr, "modules.7.module"), "eprescribing");
    assert_string_equal(sw_test_str(tr, "modules.7.super_users.0.username"),
                        "dr.super");
    json_decref(tr);

    /* Removal takes it away at once. */
    assert_int_equal(sw_test_call(e, p.lead, "DELETE",
                                  "/api/superusers/eprescribing/dr.super", NULL,
                                  NULL), 204);
    assert_int_equal(medreq(e, p.super), 403);
    me = sw_test_get_json(e, p.super, "/api/me");
    assert_false(sw_test_listed(json_object_get(me, "modules"), "eprescribing"));
    json_decref(me);
    assert_int_equal(sw_test_call(e, p.lead, "DELETE",
                                  "/api/superusers/eprescribing/dr.super", NULL,
                                  &doc), 404);
    json_decref(doc);
    directory_of(e, p.desk, "eprescribing", who, sizeof who);
    assert_string_equal(who, "");

    sw_test_expect_audited(e, "type=User&action=permission_change",
                           "training.super_user", NULL);
}

static void help_reaches_the_super_users_inbox(void **state)
{
    sw_test_env *e = *state;
    people p;
    sign_in(e, &p);
    json_t *doc;
    /* Nobody would see a request on a module with no super-user. */
    assert_int_equal(sw_test_call(e, p.nurse, "POST", "/api/help",
                                  "{\"module\":\"eprescribing\",\"screen\":\"x\"}",
                                  &doc), 409);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, p.lead, "PUT",
                                  "/api/superusers/eprescribing/dr.super", NULL,
                                  &doc), 201);
    json_decref(doc);

    static const sw_test_bad_body bad[] = {
        { "{\"screen\":\"prescribe\"}", "module" },
        { "{\"module\":\"nope\",\"screen\":\"prescribe\"}", "module" },
        { "{\"module\":\"eprescribing\"}", "screen" },
        { "{\"module\":\"eprescribing\",\"screen\":\"\"}", "screen" },
        { "{\"module\":\"eprescribing\",\"screen\":\"s\",\"text\":5}", "text" },
        { "{\"module\":\"eprescribing\",\"screen\":\"s\",\"patient\":\"p1\"}", "patient" },
    };
    sw_test_expect_400s(e, p.nurse, "/api/help", bad, sizeof bad / sizeof bad[0]);

    assert_int_equal(sw_test_call(e, p.nurse, "POST", "/api/help",
                                  "{\"module\":\"eprescribing\",\"screen\":"
                                  "\"prescribe\"}", &doc), 201);
    json_int_t id = json_integer_value(json_object_get(doc, "id"));
    assert_true(id > 0);
    assert_int_equal(json_integer_value(json_object_get(doc, "recipients")), 1);
    json_decref(doc);
    /* Asked from the training environment, it reaches the same inbox. */
    assert_int_equal(sw_test_call(e, p.desk, "POST", "/training/api/help",
                                  "{\"module\":\"eprescribing\",\"screen\":"
                                  "\"prescribe\",\"text\":\"where is the "
                                  "allergy alert?\"}", &doc), 201);
    json_int_t id2 = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);

    /* In the super-user's inbox: module, screen, who; no patient. */
    json_t *inbox = sw_test_get_json(e, p.super, "/api/inbox");
    assert_int_equal(json_integer_value(json_object_get(
        json_object_get(inbox, "counts"), "help")), 2);
    json_t *item = json_array_get(json_object_get(inbox, "help"), 0);
    assert_non_null(item);
    assert_string_equal(sw_test_str(item, "module"), "eprescribing");
    assert_string_equal(sw_test_str(item, "screen"), "prescribe");
    assert_string_equal(sw_test_str(item, "from.username"), "nurse.s");
    assert_string_equal(sw_test_str(item, "text"), "");
    assert_null(json_object_get(item, "patient"));
    assert_int_equal(json_integer_value(json_object_get(item, "request")), id);
    item = json_array_get(json_object_get(inbox, "help"), 1);
    assert_int_equal(json_integer_value(json_object_get(item, "request")), id2);
    assert_string_equal(sw_test_str(item, "text"), "where is the allergy alert?");
    assert_string_equal(sw_test_str(item, "from.username"), "desk.s");
    json_decref(inbox);
    /* Not in anyone else's. */
    inbox = sw_test_get_json(e, p.dr, "/api/inbox");
    assert_int_equal(json_array_size(json_object_get(inbox, "help")), 0);
    json_decref(inbox);

    /* Both see it in /api/help, from their side. */
    json_t *mine = sw_test_get_json(e, p.nurse, "/api/help");
    assert_true(json_is_true(json_object_get(json_array_get(
        json_object_get(mine, "requests"), 0), "mine")));
    json_decref(mine);
    json_t *theirs = sw_test_get_json(e, p.super, "/api/help");
    json_t *r = json_array_get(json_object_get(theirs, "requests"), 0);
    assert_false(json_is_true(json_object_get(r, "mine")));
    assert_true(json_is_null(json_object_get(r, "answered_by")));
    json_decref(theirs);
    theirs = sw_test_get_json(e, p.dr, "/api/help");
    assert_int_equal(json_array_size(json_object_get(theirs, "requests")), 0);
    json_decref(theirs);

    /* Only a recipient answers; answering clears every inbox item. */
    char path[64];
    snprintf(path, sizeof path, "/api/help/%lld/answer", (long long)id);
    assert_int_equal(sw_test_call(e, p.dr, "POST", path, NULL, &doc), 403);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, p.super, "POST", "/api/help/999/answer",
                                  NULL, &doc), 404);
    json_decref(doc);
    assert_int_equal(sw_test_call(e, p.super, "POST", path, NULL, &doc), 200);
    assert_string_equal(sw_test_str(doc, "answered_by.username"), "dr.super");
    assert_non_null(sw_test_str(doc, "answered_at"));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/help/%lld/answer", (long long)id2);
    assert_int_equal(sw_test_call(e, p.super, "POST", path, NULL, &doc), 200);
    json_decref(doc);
    inbox = sw_test_get_json(e, p.super, "/api/inbox");
    assert_int_equal(json_array_size(json_object_get(inbox, "help")), 0);
    json_decref(inbox);
    mine = sw_test_get_json(e, p.nurse, "/api/help");
    assert_string_equal(sw_test_str(mine, "requests.0.answered_by.username"),
                        "dr.super");
    json_decref(mine);

    sw_test_expect_audited(e, "type=HelpRequest", "training.help", NULL);
}

/* A training_record row, as the courses write it. */
struct record {
    const char *username, *course;
    int64_t     completed_at, score;
    bool        pass;
};

static int record_fn(store_tx *tx, void *arg)
{
    const struct record *r = arg;
    int64_t uid = 0;
    int rc = store_query_int64(tx, &uid, "SELECT user_id FROM app_user WHERE "
                               "practice_id = 1 AND username = ?", "t",
                               r->username);
    if (rc == SW_OK)
        rc = store_exec(tx, NULL, "INSERT INTO training_record (practice_id, "
                        "user_id, course_id, started_at, completed_at, "
                        "proficiency_score, proficiency_pass) VALUES (1, ?, ?, "
                        "?, ?, ?, ?)", "itiiii", uid, r->course,
                        sw_now_wall_ms() - 86400000, r->completed_at, r->score,
                        (int64_t)r->pass);
    return rc;
}

static void add_record(sw_test_env *e, const struct record *r)
{
    sw_store *s;
    sw_err err;
    store_options so = { .create = false, .connections = 1 };
    assert_int_equal(store_open(e->db, &so, &s, &err), SW_OK);
    int rc = store_write(s, record_fn, (void *)r, &err);
    if (rc != SW_OK)
        fprintf(stderr, "record: %s\n", sw_err_text(&err));
    assert_int_equal(rc, SW_OK);
    store_close(s);
}

static int sql_fn(store_tx *tx, void *arg)
{
    return store_exec(tx, NULL, arg, "");
}

/* Runs one statement on the server's store. */
static void exec_sql(sw_test_env *e, const char *sql)
{
    sw_store *s;
    sw_err err;
    store_options so = { .create = false, .connections = 1 };
    assert_int_equal(store_open(e->db, &so, &s, &err), SW_OK);
    int rc = store_write(s, sql_fn, (void *)sql, &err);
    if (rc != SW_OK)
        fprintf(stderr, "sql: %s\n", sw_err_text(&err));
    assert_int_equal(rc, SW_OK);
    store_close(s);
}

static json_t *colleague(json_t *doc, const char *username)
{
    return sw_test_find(json_object_get(doc, "colleagues"), "username", username);
}

static void super_users_see_stuck_colleagues(void **state)
{
    sw_test_env *e = *state;
    people p;
    sign_in(e, &p);
    staged_plan(e, &p);
    json_t *doc;
    assert_int_equal(sw_test_call(e, p.lead, "PUT",
                                  "/api/superusers/eprescribing/dr.super", NULL,
                                  &doc), 201);
    json_decref(doc);
    int64_t now = sw_now_wall_ms();
    struct record nurse = { "nurse.s", "course-eprescribing", 0, -1, false };
    struct record dr = { "dr.other", "course-eprescribing", now, 90, true };
    struct record desk = { "desk.s", "course-eprescribing", 0, -1, false };
    struct record failed = { SW_TEST_CLINICIAN, "course-eprescribing", now, 55, false };
    add_record(e, &nurse);
    add_record(e, &dr);
    add_record(e, &desk);
    add_record(e, &failed);

    doc = sw_test_get_json(e, p.super, "/api/superusers/colleagues");
    assert_true(sw_test_listed(json_object_get(doc, "modules"), "eprescribing"));
    json_t *c = colleague(doc, "nurse.s");
    assert_non_null(c);
    assert_string_equal(sw_test_str(c, "state"), "not_completed");
    assert_string_equal(sw_test_str(c, "module"), "eprescribing");
    assert_non_null(strstr(sw_test_str(c, "why"), "E-prescribing"));
    c = colleague(doc, SW_TEST_CLINICIAN);
    assert_non_null(c);
    assert_string_equal(sw_test_str(c, "state"), "proficiency_failed");
    assert_non_null(strstr(sw_test_str(c, "why"), "55"));
    assert_null(colleague(doc, "dr.other"));   /* done and passed */
    assert_null(colleague(doc, "desk.s"));     /* outside the cohort */
    assert_null(colleague(doc, "lead.s"));
    assert_null(colleague(doc, "dr.super"));   /* not themselves */
    json_decref(doc);

    /* Trained, but flagged below a floor on the module's adoption
     * benchmarks (the adoption worker's adoption_level row). */
    exec_sql(e, "INSERT INTO adoption_level (practice_id, user_id, module, "
                   "level, flagged, as_of_day) SELECT 1, user_id, 'eprescribing', "
                   "'learning', 1, 20782 FROM app_user WHERE username = 'dr.other'");
    doc = sw_test_get_json(e, p.super, "/api/superusers/colleagues");
    c = colleague(doc, "dr.other");
    assert_non_null(c);
    assert_string_equal(sw_test_str(c, "state"), "below_floor");
    assert_non_null(strstr(sw_test_str(c, "why"), "E-prescribing"));
    json_decref(doc);

    /* Someone who is no super-user has nobody to look after. */
    doc = sw_test_get_json(e, p.nurse, "/api/superusers/colleagues");
    assert_int_equal(json_array_size(json_object_get(doc, "modules")), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "colleagues")), 0);
    json_decref(doc);
}

/* Runs the command; checks its exit status; returns stdout. */
static char *cli(int want, const char *const *args)
{
    char *out = NULL, *err = NULL;
    int status = sw_test_run(args, NULL, &out, &err);
    if (status != want)
        fprintf(stderr, "exit %d (wanted %d); stderr: %s\n", status, want, err);
    assert_int_equal(status, want);
    if (want != 0)
        assert_true(strncmp(err, "stagewise: ", 11) == 0);
    free(err);
    return out;
}

static void command_line(void **state)
{
    sw_test_env *e = *state;
    people p;
    sign_in(e, &p);
    sw_test_patient(e, "p1", "Ana", "Roll", "1980-02-03");
    staged_plan(e, &p);
    const char *add[] = { "superusers", "add", "eprescribing", "dr.super",
                          "--db", e->db, NULL };
    free(cli(0, add));
    char *out = cli(0, add);   /* again: nothing changes */
    assert_non_null(strstr(out, "already"));
    free(out);
    const char *list[] = { "superusers", "list", "--db", e->db, NULL };
    out = cli(0, list);
    assert_non_null(strstr(out, "eprescribing"));
    assert_non_null(strstr(out, "dr.super"));
    free(out);

    /* The running server enforces a roster changed by another process
     * within a second: poll, never time. */
    long status = 0;
    for (int i = 0; i < 100 && (status = medreq(e, p.super)) != 201; i++)
        nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
    assert_int_equal(status, 201);

    const char *rm[] = { "superusers", "remove", "eprescribing", "dr.super",
                         "--db", e->db, NULL };
    free(cli(0, rm));
    free(cli(1, rm));        /* no longer on it */
    const char *nouser[] = { "superusers", "add", "eprescribing", "nobody",
                             "--db", e->db, NULL };
    free(cli(1, nouser));
    const char *nomod[] = { "superusers", "add", "nope", "dr.super", "--db",
                            e->db, NULL };
    free(cli(2, nomod));
    const char *short_args[] = { "superusers", "add", "eprescribing", "--db",
                                 e->db, NULL };
    free(cli(2, short_args));
    const char *nosub[] = { "superusers", "frob", NULL };
    free(cli(2, nosub));
    out = cli(0, list);
    assert_non_null(strstr(out, "No super-users"));
    free(out);
    sw_test_expect_audited(e, "type=User&action=permission_change",
                           "training.super_user", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(super_users_pilot_their_module,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(help_reaches_the_super_users_inbox,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(super_users_see_stuck_colleagues,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(command_line,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
