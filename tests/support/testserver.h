/* testserver.h - the real stagewise binary under test: run its commands,
 * start and stop its server, and talk to it over HTTP or raw sockets.
 *
 * The binary is $STAGEWISE_BIN (plain or sanitizer build, chosen by CTest).
 * A server listens on 127.0.0.1 with port 0 and the test learns the port
 * from the line the server prints when it is ready. */
#ifndef SW_TESTSERVER_H
#define SW_TESTSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SW_TEST_ADMIN_PASSWORD "correct-horse-battery-9"
/* The user sw_test_env_start signs in as: physician and practice admin,
 * with the admin's password. */
#define SW_TEST_CLINICIAN "dr.test"

/* Runs `stagewise ARGS…` (argv[0] is the first argument, NULL-terminated),
 * with extra environment entries "NAME=VALUE" (NULL-terminated, may be
 * NULL). Captures stdout and stderr (the caller frees; pass NULL to
 * ignore). Returns the exit status, or -1 if it did not exit in 60 s. */
int sw_test_run(const char *const *args, const char *const *env,
                char **out, char **err);
/* `stagewise init --db URL` with the test admin password; aborts on failure. */
void sw_test_init_db(const char *db_url);

typedef struct sw_test_server {
    pid_t pid;
    int   port;
    int   mllp_port;       /* with --mllp 127.0.0.1:0 among the extra
                              arguments: the HL7 v2 listener's port */
    char  base[64];        /* http://127.0.0.1:PORT */
    char  log_path[4096];  /* the server's stderr */
} sw_test_server;

/* Starts `stagewise serve --db URL --listen 127.0.0.1:0 EXTRA…` and waits
 * until it is ready; with --tls-cert among EXTRA, base is
 * https://localhost:PORT. Returns 0, or -1 (with the log printed) if it exited or
 * did not become ready within 20 s. */
int sw_test_server_start(sw_test_server *s, const char *db_url,
                         const char *const *extra_args);
/* Starts `stagewise ARGS… MORE…` (both NULL-terminated; more may be NULL)
 * with its stdout on a pipe and its stderr in log_path, killed if the test
 * process dies, and reads its stdout until ready(all read so far, ctx)
 * returns true. Returns 0 with *pid set, or -1 (with the log printed and
 * the process killed) if it exited or was not ready within 20 s. */
typedef bool (*sw_test_ready_fn)(const char *out, void *ctx);
int sw_test_spawn(const char *const *args, const char *const *more,
                  const char *log_path, sw_test_ready_fn ready, void *ctx,
                  pid_t *pid);
/* Sends sig and waits up to timeout_s for the exit. Returns the exit status
 * (128+signal if killed by one), or -1 if it had to be killed. */
int sw_test_server_stop(sw_test_server *s, int sig, int timeout_s);
/* The server's stderr so far (access log and messages); the caller frees. */
char *sw_test_server_log(const sw_test_server *s);

typedef struct sw_http_result {
    long   status;
    char  *body;       /* NUL-terminated */
    size_t len;
    char  *headers;    /* raw response head */
} sw_http_result;

/* One request with libcurl. headers is NULL-terminated "Name: value" list
 * (may be NULL); body may be NULL. Returns 0, or -1 on a transport error. */
int  sw_http(const sw_test_server *s, const char *method, const char *path,
             const char *const *headers, const char *body, size_t body_len,
             sw_http_result *out);
void sw_http_result_free(sw_http_result *r);
/* The value of a response header (case-insensitive), copied into buf. */
const char *sw_http_header(const sw_http_result *r, const char *name,
                           char *buf, size_t cap);

/* Signs in as admin (SW_TEST_ADMIN_PASSWORD) and writes
 * "Authorization: Bearer TOKEN" into header (for sw_http's header list).
 * Returns 0, or -1 with the response printed. */
int sw_test_sign_in(const sw_test_server *s, char *header, size_t cap);

/* Signs in as username (password SW_TEST_ADMIN_PASSWORD). */
int sw_test_sign_in_as(const sw_test_server *s, const char *username,
                       char *header, size_t cap);
/* Signs in as username with password. */
int sw_test_sign_in_with(const sw_test_server *s, const char *username,
                         const char *password, char *header, size_t cap);
/* Adds a user of practice 1 with the given roles and the admin's password,
 * straight into the database (the server may be running). 0 or -1. */
int sw_test_add_user(const char *db_url, const char *username, const char *roles);
/* The usual fixture of an API test: a fresh database of this run's store,
 * initialized, a server on it, and SW_TEST_CLINICIAN signed in (auth holds
 * the Authorization header). */
typedef struct sw_test_env {
    char          *db;
    sw_test_server srv;
    char           auth[512];
} sw_test_env;

/* 0, or -1 with the reason printed. */
int sw_test_env_start(sw_test_env *e);
/* The same in two steps, for a test that prepares the database (say,
 * with a command) before the server starts, or starts it with
 * extra_args (NULL-terminated, may be NULL): the database and user, then
 * the server and the sign-in. */
int sw_test_env_prepare(sw_test_env *e);
int sw_test_env_serve(sw_test_env *e, const char *const *extra_args);
/* Stops the server (SIGTERM) and frees; 0 when it stopped cleanly. */
int sw_test_env_stop(sw_test_env *e);
/* The same as cmocka setup and teardown functions: *state is a new
 * sw_test_env, started; then stopped and freed. */
int sw_test_env_setup(void **state);
int sw_test_env_teardown(void **state);

/* Reads a whole file (the test fails if it cannot); the caller frees. */
char *sw_test_slurp(const char *path, size_t *len);

/* Connects a raw TCP socket to the server; -1 on failure. */
int sw_test_connect(int port);
/* Reads from fd until the peer closes or timeout_ms passes without data;
 * returns what arrived (NUL-terminated, caller frees) and sets *closed. */
char *sw_test_read_all(int fd, int timeout_ms, int *closed);

#endif
