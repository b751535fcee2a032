/* test_users.c - account management end to end, on each store: the real
 * `stagewise user` commands and the /api/users routes of a running server
 * (docs/commands/user.md, docs/auth.md "Accounts").
 *
 * What operators and clients rely on: accounts are added, listed,
 * disabled, enabled, given roles and new passwords from the command line
 * and over HTTP; a disabled user cannot sign in and their live session is
 * refused at once; a bad role, a short or common password and a taken
 * username are refused with a sentence naming the problem and nothing is
 * written; a service account's API token authenticates, and a revoked,
 * forged or malformed one gets 401; every change leaves its
 * permission_change entry in the audit trail (read here through the
 * store). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "testdb.h"
#include "testserver.h"

#define NEW_PW   "a-long-enough-passphrase"
#define OTHER_PW "yet-another-passphrase-2"
#define SCOPE    "demographics:write,scheduling:write,billing:read"
#define JSON_CT  "Content-Type: application/json"

/* ---- The command line, with a standard input ----------------------------- */

struct cli {
    int   status;
    char *out;
    char *err;
};

static char *slurp_file(const char *path)
{
    size_t n = 0;
    return sw_test_slurp(path, &n);
}

/* Runs `stagewise ARGS… --db db` with `input` as standard input. */
static void run_cli(const char *db, const char *input, struct cli *r, ...)
{
    const char *args[32];
    size_t n = 0;
    args[n++] = getenv("STAGEWISE_BIN");
    va_list ap;
    va_start(ap, r);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL && n < 28;)
        args[n++] = a;
    va_end(ap);
    args[n++] = "--db";
    args[n++] = db;
    args[n] = NULL;

    char *dir = sw_test_tmpdir();
    char in[4200], out[4200], err[4200];
    snprintf(in, sizeof in, "%s/stdin", dir);
    snprintf(out, sizeof out, "%s/stdout", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    FILE *f = fopen(in, "w");
    assert_non_null(f);
    fputs(input ? input : "", f);
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) {
        int i = open(in, O_RDONLY);
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(i, 0);
        dup2(o, 1);
        dup2(e, 2);
        execv(args[0], (char *const *)args);
        _exit(127);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    r->out = slurp_file(out);
    r->err = slurp_file(err);
    free(dir);
}

static void cli_free(struct cli *r)
{
    free(r->out);
    free(r->err);
}

/* Expects the exit status and, if not NULL, words in stdout or stderr. */
static void expect(struct cli *r, int status, const char *in_out,
                   const char *in_err)
{
    if (r->status != status || (in_out && !strstr(r->out, in_out))
        || (in_err && !strstr(r->err, in_err)))
        fail_msg("exit %d (expected %d)\nstdout: %s\nstderr: %s", r->status,
                 status, r->out, r->err);
    cli_free(r);
}

/* ---- The database -------------------------------------------------------- */

struct q { const char *sql; const char *arg; int64_t v; };

static int q_fn(store_tx *tx, void *ctx)
{
    struct q *q = ctx;
    return store_query_int64(tx, &q->v, q->sql, "t", q->arg);
}

static int64_t query(const char *db, const char *sql, const char *arg)
{
    sw_store *s;
    sw_err err;
    store_options so = { .create = false, .connections = 1 };
    if (store_open(db, &so, &s, &err) != SW_OK)
        fail_msg("open: %s", sw_err_text(&err));
    struct q q = { sql, arg, 0 };
    int rc = store_read(s, q_fn, &q, &err);
    store_close(s);
    if (rc != SW_OK)
        fail_msg("query: %s", sw_err_text(&err));
    return q.v;
}

static int64_t users(const char *db)
{
    return query(db, "SELECT count(*) FROM app_user WHERE username <> ?", "");
}

static int64_t entries(const char *db)
{
    return query(db, "SELECT count(*) FROM audit_log WHERE action = ?",
                 "permission_change");
}

/* Whether exactly one permission_change entry has this detail. */
static bool audited(const char *db, const char *detail)
{
    return query(db, "SELECT count(*) FROM audit_log WHERE action = "
                 "'permission_change' AND detail = ?", detail) == 1;
}

/* ---- The command line ---------------------------------------------------- */

static void cli_accounts(void **state)
{
    (void)state;
    char *db = sw_test_fresh_db();
    sw_test_init_db(db);
    struct cli r;

    run_cli(db, NEW_PW "\n", &r, "user", "add", "ma.lee", "--name", "Sam Lee",
            "--role", "medical_assistant", "--password-stdin", NULL);
    expect(&r, 0, "User ma.lee added (id 2, medical_assistant)", NULL);
    assert_true(audited(db, "account created: ma.lee (medical_assistant)"));

    /* Refusals: a sentence, exit 2 or 1, nothing written. */
    int64_t u0 = users(db), a0 = entries(db);
    run_cli(db, NEW_PW "\n", &r, "user", "add", "x.y", "--name", "X",
            "--role", "surgeon", "--password-stdin", NULL);
    expect(&r, 2, NULL, "unknown role \"surgeon\"");
    run_cli(db, "too-short\n", &r, "user", "add", "x.y", "--name", "X",
            "--role", "nurse", "--password-stdin", NULL);
    expect(&r, 2, NULL, "12 to 128 characters");
    run_cli(db, "password1234\n", &r, "user", "add", "x.y", "--name", "X",
            "--role", "nurse", "--password-stdin", NULL);
    expect(&r, 2, NULL, "too common");
    run_cli(db, NEW_PW "\n", &r, "user", "add", "ma.lee", "--name", "X",
            "--role", "nurse", "--password-stdin", NULL);
    expect(&r, 1, NULL, "'ma.lee' is taken");
    run_cli(db, NEW_PW "\n", &r, "user", "add", "x.y", "--name", "X",
            "--role", "nurse", NULL);
    expect(&r, 2, NULL, "--password-stdin");
    run_cli(db, "", &r, "user", "add", "x.y", "--name", "X", "--role",
            "nurse", "--password-stdin", NULL);
    expect(&r, 2, NULL, "standard input is empty");
    run_cli(db, "", &r, "user", "add", "x.y", "--role", "nurse", NULL);
    expect(&r, 2, NULL, "--name and --role are required");
    run_cli(db, "", &r, "user", "disable", "nobody", NULL);
    expect(&r, 1, NULL, "there is no user 'nobody'");
    run_cli(db, "", &r, "user", "set-role", "ma.lee", "nurse,boss", NULL);
    expect(&r, 2, NULL, "unknown role \"boss\"");
    run_cli(db, "", &r, "user", "list", "--scope", "billing:read", NULL);
    expect(&r, 2, NULL, "not an option of this subcommand");
    run_cli(db, "", &r, "user", "frobnicate", NULL);
    expect(&r, 2, NULL, "unknown subcommand");
    run_cli(db, "", &r, "user", "disable", "admin", NULL);
    expect(&r, 1, NULL, "last enabled practice_admin");
    assert_int_equal(users(db), u0);
    assert_int_equal(entries(db), a0);

    run_cli(db, "", &r, "user", "set-role", "ma.lee", "nurse,medical_assistant",
            NULL);
    expect(&r, 0, "roles nurse,medical_assistant", NULL);
    assert_true(audited(db, "user 2 (ma.lee) roles: medical_assistant -> "
                        "nurse,medical_assistant"));
    run_cli(db, "", &r, "user", "disable", "ma.lee", NULL);
    expect(&r, 0, "User ma.lee disabled", NULL);
    assert_true(audited(db, "user 2 (ma.lee) disabled; sessions and API "
                        "tokens revoked"));
    run_cli(db, "", &r, "user", "list", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "USERNAME"));
    const char *line = strstr(r.out, "ma.lee");
    assert_non_null(line);
    assert_non_null(strstr(line, "nurse,medical_assistant"));
    assert_non_null(strstr(line, "person"));
    assert_true(strncmp(line + strcspn(line, "\n") - 3, "yes", 3) == 0);
    cli_free(&r);
    run_cli(db, "", &r, "user", "enable", "ma.lee", NULL);
    expect(&r, 0, "User ma.lee enabled", NULL);
    assert_true(audited(db, "user 2 (ma.lee) enabled"));
    run_cli(db, OTHER_PW "\n", &r, "user", "reset-password", "ma.lee",
            "--password-stdin", NULL);
    expect(&r, 0, "Password of ma.lee reset", NULL);
    assert_true(audited(db, "user 2 (ma.lee) password reset; sessions revoked"));

    /* A service account, its token printed alone on stdout. */
    run_cli(db, "", &r, "user", "add", "pms.interface", "--name", "PMS",
            "--role", "biller", "--service", "--scope", SCOPE, NULL);
    expect(&r, 0, "Service account pms.interface added", NULL);
    run_cli(db, "", &r, "user", "token", "pms.interface", NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(strncmp(r.out, "swt_1.", 6), 0);
    assert_int_equal(strlen(r.out), 6 + 22 + 1);
    assert_non_null(strstr(r.err, "shown only this once"));
    char token[64];
    snprintf(token, sizeof token, "%.28s", r.out);
    cli_free(&r);
    run_cli(db, "", &r, "user", "token", "ma.lee", NULL);
    expect(&r, 2, NULL, "not a service account");
    run_cli(db, "", &r, "user", "reset-password", "pms.interface",
            "--password-stdin", NULL);
    expect(&r, 2, NULL, "service account");

    /* The server sees all of it. */
    sw_test_server srv;
    assert_int_equal(sw_test_server_start(&srv, db, NULL), 0);
    const char *h[] = { JSON_CT, NULL };
    sw_http_result res;
    const char *old = "{\"username\":\"ma.lee\",\"password\":\"" NEW_PW "\"}";
    const char *now = "{\"username\":\"ma.lee\",\"password\":\"" OTHER_PW "\"}";
    assert_int_equal(sw_http(&srv, "POST", "/api/session", h, old, strlen(old),
                             &res), 0);
    assert_int_equal(res.status, 401);
    sw_http_result_free(&res);
    assert_int_equal(sw_http(&srv, "POST", "/api/session", h, now, strlen(now),
                             &res), 0);
    assert_int_equal(res.status, 201);
    sw_http_result_free(&res);
    char bearer[128];
    snprintf(bearer, sizeof bearer, "Authorization: Bearer %s", token);
    const char *th[] = { bearer, NULL };
    assert_int_equal(sw_http(&srv, "GET", "/api/me", th, NULL, 0, &res), 0);
    assert_int_equal(res.status, 200);
    assert_non_null(strstr(res.body, "pms.interface"));
    sw_http_result_free(&res);

    run_cli(db, "", &r, "user", "revoke-token", "pms.interface", "--all", NULL);
    expect(&r, 0, "Revoked 1 API token of pms.interface", NULL);
    assert_int_equal(sw_http(&srv, "GET", "/api/me", th, NULL, 0, &res), 0);
    assert_int_equal(res.status, 401);
    sw_http_result_free(&res);
    assert_int_equal(sw_test_server_stop(&srv, SIGTERM, 15), 0);
    free(db);
}

/* ---- /api/users ---------------------------------------------------------- */

static int setup(void **state)
{
    sw_test_env *e = calloc(1, sizeof *e);
    *state = e;
    return sw_test_env_start(e);
}

static int teardown(void **state)
{
    sw_test_env *e = *state;
    int rc = sw_test_env_stop(e);
    free(e);
    return rc;
}

/* A request as the signed-in administrator (or with the given header);
 * returns the status, the body parsed when it is JSON. */
static long api(sw_test_env *e, const char *auth, const char *method,
                const char *path, const char *body, json_t **doc)
{
    const char *h[] = { auth ? auth : e->auth, JSON_CT, NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, method, path, h, body,
                             body ? strlen(body) : 0, &r), 0);
    long status = r.status;
    /* Never a hash, in any answer. */
    assert_null(strstr(r.body, "$argon2"));
    assert_null(strstr(r.body, "password_hash"));
    assert_null(strstr(r.body, "token_hash"));
    char cc[64];
    if (status != 204 && status != 401 && status != 403)
        assert_string_equal(sw_http_header(&r, "Cache-Control", cc, sizeof cc),
                            "no-store");
    if (doc)
        *doc = r.len ? json_loads(r.body, 0, NULL) : NULL;
    sw_http_result_free(&r);
    return status;
}

static const char *error_message(json_t *doc)
{
    const char *m = json_string_value(json_object_get(json_object_get(doc,
                                      "error"), "message"));
    assert_non_null(m);
    return m;
}

/* Expects a refusal whose message holds `says`. */
static void refused(sw_test_env *e, const char *method, const char *path,
                    const char *body, long status, const char *says)
{
    json_t *doc = NULL;
    long got = api(e, NULL, method, path, body, &doc);
    if (got != status || doc == NULL || !strstr(error_message(doc), says))
        fail_msg("%s %s %s: %ld (expected %ld, \"%s\")", method, path, body,
                 got, status, says);
    json_decref(doc);
}

/* Signs in; writes the Authorization header, or returns the status. */
static long sign_in(sw_test_env *e, const char *user, const char *pw,
                    char *header, size_t cap)
{
    char body[256];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}",
             user, pw);
    const char *h[] = { JSON_CT, NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, "POST", "/api/session", h, body,
                             strlen(body), &r), 0);
    long status = r.status;
    if (status == 201) {
        json_t *doc = json_loads(r.body, 0, NULL);
        snprintf(header, cap, "Authorization: Bearer %s",
                 json_string_value(json_object_get(doc, "token")));
        json_decref(doc);
    }
    sw_http_result_free(&r);
    return status;
}

static long me(sw_test_env *e, const char *header)
{
    return api(e, header, "GET", "/api/me", NULL, NULL);
}

static void api_people(void **state)
{
    sw_test_env *e = *state;
    json_t *doc;
    assert_int_equal(api(e, NULL, "POST", "/api/users", "{\"username\":"
                         "\"rn.okafor\",\"display_name\":\"Grace Okafor\","
                         "\"roles\":[\"nurse\"],\"password\":\"" NEW_PW "\"}",
                         &doc), 201);
    json_t *u = json_object_get(doc, "user");
    int64_t id = json_integer_value(json_object_get(u, "id"));
    assert_true(id > 0);
    assert_string_equal(json_string_value(json_object_get(u, "username")),
                        "rn.okafor");
    assert_string_equal(json_string_value(json_array_get(json_object_get(u,
                        "roles"), 0)), "nurse");
    assert_string_equal(json_string_value(json_object_get(u, "kind")), "person");
    assert_true(json_is_null(json_object_get(u, "practitioner_id")));
    assert_false(json_is_true(json_object_get(u, "disabled")));
    json_decref(doc);
    assert_true(audited(e->db, "account created: rn.okafor (nurse)"));
    char path[64], sub[96];
    snprintf(path, sizeof path, "/api/users/%" PRId64, id);

    /* Refusals name the problem and write nothing. */
    int64_t u0 = users(e->db), a0 = entries(e->db);
    refused(e, "POST", "/api/users", "{\"username\":\"rn.okafor\","
            "\"display_name\":\"X\",\"roles\":[\"nurse\"],\"password\":\""
            NEW_PW "\"}", 409, "is taken");
    refused(e, "POST", "/api/users", "{\"username\":\"x.y\",\"display_name\":"
            "\"X\",\"roles\":[\"surgeon\"],\"password\":\"" NEW_PW "\"}", 400,
            "unknown role \"surgeon\"");
    refused(e, "POST", "/api/users", "{\"username\":\"x.y\",\"display_name\":"
            "\"X\",\"roles\":[\"nurse\"],\"password\":\"short\"}", 400,
            "12 to 128");
    refused(e, "POST", "/api/users", "{\"username\":\"x.y\",\"display_name\":"
            "\"X\",\"roles\":[\"nurse\"],\"password\":\"password1234\"}", 400,
            "too common");
    refused(e, "POST", "/api/users", "{\"username\":\"x.y\",\"display_name\":"
            "\"X\",\"roles\":[\"nurse\"]}", 400, "\"password\" is missing");
    refused(e, "POST", "/api/users", "{\"username\":\"x.y\",\"display_name\":"
            "\"X\",\"roles\":\"nurse\",\"password\":\"" NEW_PW "\"}", 400,
            "\"roles\" must be a non-empty array");
    refused(e, "POST", "/api/users", "{\"username\":\"x y\",\"display_name\":"
            "\"X\",\"roles\":[\"nurse\"],\"password\":\"" NEW_PW "\"}", 400,
            "username");
    refused(e, "POST", "/api/users", "{\"username\":\"x.y\",\"passwd\":\"p\"}",
            400, "\"passwd\" is not a member");
    refused(e, "POST", "/api/users", "{\"username\":", 400, "not valid JSON");
    refused(e, "PATCH", path, "{\"roles\":[\"nurse\",\"boss\"]}", 400,
            "unknown role \"boss\"");
    refused(e, "PATCH", path, "{}", 400, "at least one of");
    refused(e, "PATCH", path, "{\"practitioner_id\":\"nobody\"}", 400,
            "Practitioner/nobody");
    refused(e, "GET", "/api/users/999", NULL, 404, "no user 999");
    refused(e, "POST", "/api/users/999/disable", NULL, 404, "no user 999");
    refused(e, "GET", "/api/users/abc", NULL, 400, "positive whole number");
    assert_int_equal(users(e->db), u0);
    assert_int_equal(entries(e->db), a0);

    /* List and read. */
    assert_int_equal(api(e, NULL, "GET", "/api/users", NULL, &doc), 200);
    json_t *list = json_object_get(doc, "users");
    assert_int_equal(json_array_size(list), (size_t)u0);
    json_decref(doc);
    assert_int_equal(api(e, NULL, "GET", path, NULL, &doc), 200);
    json_decref(doc);

    /* Roles change. */
    assert_int_equal(api(e, NULL, "PATCH", path, "{\"roles\":[\"nurse\","
                         "\"medical_assistant\"],\"display_name\":\"Grace "
                         "Okafor, RN\"}", &doc), 200);
    u = json_object_get(doc, "user");
    assert_int_equal(json_array_size(json_object_get(u, "roles")), 2);
    json_decref(doc);
    char detail[128];
    snprintf(detail, sizeof detail, "user %" PRId64 " (rn.okafor) roles: "
             "nurse -> nurse,medical_assistant", id);
    assert_true(audited(e->db, detail));

    /* Linked to the Practitioner this person is, then unlinked. */
    const char *fh[] = { e->auth, "Content-Type: application/fhir+json", NULL };
    const char *prac = "{\"resourceType\":\"Practitioner\",\"name\":"
                       "[{\"family\":\"Okafor\"}]}";
    sw_http_result fr;
    assert_int_equal(sw_http(&e->srv, "POST", "/fhir/Practitioner", fh, prac,
                             strlen(prac), &fr), 0);
    assert_int_equal(fr.status, 201);
    json_t *pdoc = json_loads(fr.body, 0, NULL);
    char link[160];
    snprintf(link, sizeof link, "{\"practitioner_id\":\"%s\"}",
             json_string_value(json_object_get(pdoc, "id")));
    snprintf(detail, sizeof detail, "user %" PRId64 " (rn.okafor) linked to "
             "Practitioner/%s", id, json_string_value(json_object_get(pdoc,
             "id")));
    json_decref(pdoc);
    sw_http_result_free(&fr);
    assert_int_equal(api(e, NULL, "PATCH", path, link, &doc), 200);
    assert_true(json_is_string(json_object_get(json_object_get(doc, "user"),
                                               "practitioner_id")));
    json_decref(doc);
    assert_true(audited(e->db, detail));
    assert_int_equal(api(e, NULL, "PATCH", path, "{\"practitioner_id\":null}",
                         &doc), 200);
    assert_true(json_is_null(json_object_get(json_object_get(doc, "user"),
                                             "practitioner_id")));
    json_decref(doc);

    /* A non-administrator may not manage accounts. */
    char nurse[256];
    assert_int_equal(sign_in(e, "rn.okafor", NEW_PW, nurse, sizeof nurse), 201);
    assert_int_equal(api(e, nurse, "GET", "/api/users", NULL, NULL), 403);

    /* Disabled: the live session ends, sign-in is refused. */
    snprintf(sub, sizeof sub, "%s/disable", path);
    assert_int_equal(api(e, NULL, "POST", sub, NULL, &doc), 200);
    assert_true(json_is_true(json_object_get(json_object_get(doc, "user"),
                                             "disabled")));
    json_decref(doc);
    snprintf(detail, sizeof detail, "user %" PRId64 " (rn.okafor) disabled; "
             "sessions and API tokens revoked", id);
    assert_true(audited(e->db, detail));
    assert_int_equal(me(e, nurse), 401);
    char again[256];
    assert_int_equal(sign_in(e, "rn.okafor", NEW_PW, again, sizeof again), 401);
    snprintf(sub, sizeof sub, "%s/enable", path);
    assert_int_equal(api(e, NULL, "POST", sub, NULL, NULL), 200);
    assert_int_equal(me(e, nurse), 401);
    assert_int_equal(sign_in(e, "rn.okafor", NEW_PW, nurse, sizeof nurse), 201);

    /* An administrator's password reset ends the sessions. */
    snprintf(sub, sizeof sub, "%s/password", path);
    refused(e, "POST", sub, "{\"password\":\"password1234\"}", 400,
            "too common");
    assert_int_equal(api(e, NULL, "POST", sub, "{\"password\":\"" OTHER_PW
                         "\"}", NULL), 204);
    snprintf(detail, sizeof detail, "user %" PRId64 " (rn.okafor) password "
             "reset; sessions revoked", id);
    assert_true(audited(e->db, detail));
    assert_int_equal(me(e, nurse), 401);
    assert_int_equal(sign_in(e, "rn.okafor", NEW_PW, again, sizeof again), 401);
    assert_int_equal(sign_in(e, "rn.okafor", OTHER_PW, again, sizeof again), 201);
    assert_int_equal(me(e, again), 200);

    /* Nobody disables their own account. */
    assert_int_equal(api(e, NULL, "GET", "/api/me", NULL, &doc), 200);
    int64_t self = json_integer_value(json_object_get(json_object_get(doc,
                                      "user"), "id"));
    json_decref(doc);
    snprintf(sub, sizeof sub, "/api/users/%" PRId64 "/disable", self);
    refused(e, "POST", sub, NULL, 409, "your own account");
}

static void api_service_tokens(void **state)
{
    sw_test_env *e = *state;
    json_t *doc;
    refused(e, "POST", "/api/users", "{\"username\":\"pms.interface\","
            "\"display_name\":\"PMS\",\"roles\":[\"biller\"],\"service\":true,"
            "\"scope\":\"Billing read\"}", 400, "area:action");
    assert_int_equal(api(e, NULL, "POST", "/api/users", "{\"username\":"
                         "\"pms.interface\",\"display_name\":\"PMS\",\"roles\":"
                         "[\"biller\"],\"service\":true,\"scope\":\"" SCOPE
                         "\"}", &doc), 201);
    json_t *u = json_object_get(doc, "user");
    int64_t id = json_integer_value(json_object_get(u, "id"));
    assert_string_equal(json_string_value(json_object_get(u, "kind")), "service");
    assert_string_equal(json_string_value(json_object_get(u, "scope")), SCOPE);
    json_decref(doc);

    char path[96];
    snprintf(path, sizeof path, "/api/users/%" PRId64 "/tokens", id);
    assert_int_equal(api(e, NULL, "POST", path, NULL, &doc), 201);
    const char *token = json_string_value(json_object_get(doc, "token"));
    assert_non_null(token);
    assert_int_equal(strncmp(token, "swt_1.", 6), 0);
    int64_t tid = json_integer_value(json_object_get(doc, "id"));
    char bearer[128];
    snprintf(bearer, sizeof bearer, "Authorization: Bearer %s", token);
    /* A forged token: the same shape, another secret. */
    char forged[128];
    snprintf(forged, sizeof forged, "%s", bearer);
    char *secret = strstr(forged, "swt_1.") + 6;
    secret[0] = secret[0] == 'A' ? 'B' : 'A';
    json_decref(doc);
    char detail[128];
    snprintf(detail, sizeof detail, "user %" PRId64 " (pms.interface) API "
             "token %" PRId64 " created", id, tid);
    assert_true(audited(e->db, detail));

    assert_int_equal(api(e, bearer, "GET", "/api/me", NULL, &doc), 200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc,
                        "user"), "username")), "pms.interface");
    json_decref(doc);
    /* A cookie carrying a token is no credential. */
    char cookie[128];
    snprintf(cookie, sizeof cookie, "Cookie: stagewise_session=%s",
             strstr(bearer, "swt_"));
    assert_int_equal(api(e, cookie, "GET", "/api/me", NULL, NULL), 401);
    /* Its roles and scope hold no users:admin. */
    assert_int_equal(api(e, bearer, "GET", "/api/users", NULL, NULL), 403);
    assert_int_equal(me(e, forged), 401);
    assert_int_equal(me(e, "Authorization: Bearer swt_garbage"), 401);
    assert_int_equal(me(e, "Authorization: Bearer swt_1."), 401);

    /* The account lists its tokens by id, never their secrets. */
    char one[96];
    snprintf(one, sizeof one, "/api/users/%" PRId64, id);
    assert_int_equal(api(e, NULL, "GET", one, NULL, &doc), 200);
    json_t *tokens = json_object_get(json_object_get(doc, "user"), "tokens");
    assert_int_equal(json_array_size(tokens), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tokens,
                     0), "id")), tid);
    assert_null(json_object_get(json_array_get(tokens, 0), "token"));
    json_decref(doc);

    /* Revoked: refused at once. */
    char del[128];
    snprintf(del, sizeof del, "%s/%" PRId64, path, tid);
    refused(e, "DELETE", "/api/users/1/tokens/5", NULL, 404, "no API token 5");
    assert_int_equal(api(e, NULL, "DELETE", del, NULL, NULL), 204);
    snprintf(detail, sizeof detail, "user %" PRId64 " (pms.interface) API "
             "token %" PRId64 " revoked", id, tid);
    assert_true(audited(e->db, detail));
    assert_int_equal(me(e, bearer), 401);

    /* People get no tokens. */
    refused(e, "POST", "/api/users/1/tokens", NULL, 400, "not a service account");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cli_accounts),
        cmocka_unit_test_setup_teardown(api_people, setup, teardown),
        cmocka_unit_test_setup_teardown(api_service_tokens, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
