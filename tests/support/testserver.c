/* testserver.c - running the binary under test (see testserver.h). */
#include "testserver.h"

#include "auth/password.h"
#include "auth/users.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testdb.h"

static const char *binary(void)
{
    const char *b = getenv("STAGEWISE_BIN");
    if (b == NULL || *b == '\0') {
        fprintf(stderr, "testserver: STAGEWISE_BIN is not set\n");
        abort();
    }
    return b;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Waits for pid for up to timeout_ms; returns the exit status, 128+signal,
 * or -1 on timeout. */
static int wait_exit(pid_t pid, long timeout_ms)
{
    long until = now_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (r < 0)
            return -1;
        if (now_ms() > until)
            return -1;
        usleep(10000);
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return strdup("");
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static char **build_argv(const char *const *args, const char *const *more)
{
    size_t n = 0, m = 0;
    while (args && args[n])
        n++;
    while (more && more[m])
        m++;
    char **argv = calloc(n + m + 2, sizeof *argv);
    argv[0] = (char *)binary();
    for (size_t i = 0; i < n; i++)
        argv[1 + i] = (char *)args[i];
    for (size_t i = 0; i < m; i++)
        argv[1 + n + i] = (char *)more[i];
    return argv;
}

int sw_test_run(const char *const *args, const char *const *env,
                char **out, char **err)
{
    char *dir = sw_test_tmpdir();
    char opath[4200], epath[4200];
    snprintf(opath, sizeof opath, "%s/stdout", dir);
    snprintf(epath, sizeof epath, "%s/stderr", dir);
    char **argv = build_argv(args, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int o = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(o, 1);
        dup2(e, 2);
        for (size_t i = 0; env && env[i]; i++)
            putenv((char *)env[i]);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = wait_exit(pid, 60000);
    if (status < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    if (out)
        *out = slurp(opath);
    if (err)
        *err = slurp(epath);
    free(argv);
    free(dir);
    return status;
}

void sw_test_init_db(const char *db_url)
{
    const char *args[] = { "init", "--db", db_url, NULL };
    const char *env[] = { "STAGEWISE_ADMIN_PASSWORD=" SW_TEST_ADMIN_PASSWORD, NULL };
    char *err = NULL;
    int rc = sw_test_run(args, env, NULL, &err);
    if (rc != 0) {
        fprintf(stderr, "testserver: init failed (%d): %s\n", rc, err);
        abort();
    }
    free(err);
}

int sw_test_spawn(const char *const *args, const char *const *more,
                  const char *log_path, sw_test_ready_fn ready, void *ctx,
                  pid_t *pid_out)
{
    *pid_out = 0;
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    char **argv = build_argv(args, more);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* A test that fails mid-way must not leave a process running. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int e = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(pipefd[1], 1);
        dup2(e, 2);
        close(pipefd[0]);
        execv(argv[0], argv);
        _exit(127);
    }
    free(argv);
    close(pipefd[1]);
    /* Read stdout until the ready line says what the caller waits for. */
    char line[8192];
    size_t n = 0;
    long until = now_ms() + 20000;
    while (now_ms() < until && n < sizeof line - 1) {
        struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t r = read(pipefd[0], line + n, sizeof line - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        line[n] = '\0';
        if (ready(line, ctx)) {
            /* Keep the pipe drained in the background: the process may
             * print more lines and must never block on a full pipe. */
            int fl = fcntl(pipefd[0], F_GETFL);
            fcntl(pipefd[0], F_SETFL, fl | O_NONBLOCK);
            *pid_out = pid;
            return 0;
        }
    }
    close(pipefd[0]);
    char *log = slurp(log_path);
    fprintf(stderr, "testserver: %s did not become ready; its log:\n%s\n",
            args[0], log);
    free(log);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

/* The server's ready line: its port, and with --mllp the line before
 * names the MLLP port. With --tls-cert the line says https, and the base
 * is named localhost, the name test certificates are made for. */
static bool server_ready(const char *out, void *ctx)
{
    sw_test_server *s = ctx;
    const char *at = strstr(out, "http://127.0.0.1:");
    const char *tls = strstr(out, "https://127.0.0.1:");
    if (!(at || tls) || strchr(at ? at : tls, '\n') == NULL)
        return false;
    s->port = atoi(at ? at + strlen("http://127.0.0.1:")
                      : tls + strlen("https://127.0.0.1:"));
    if (at)
        snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    else
        snprintf(s->base, sizeof s->base, "https://localhost:%d", s->port);
    const char *mllp = strstr(out, "MLLP on 127.0.0.1:");
    if (mllp)
        s->mllp_port = atoi(mllp + strlen("MLLP on 127.0.0.1:"));
    return true;
}

int sw_test_server_start(sw_test_server *s, const char *db_url,
                         const char *const *extra_args)
{
    memset(s, 0, sizeof *s);
    char *dir = sw_test_tmpdir();
    snprintf(s->log_path, sizeof s->log_path, "%s/server.log", dir);
    free(dir);
    const char *base[] = { "serve", "--db", db_url, "--listen", "127.0.0.1:0", NULL };
    return sw_test_spawn(base, extra_args, s->log_path, server_ready, s, &s->pid);
}

int sw_test_server_stop(sw_test_server *s, int sig, int timeout_s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, sig);
    int status = wait_exit(s->pid, (long)timeout_s * 1000);
    if (status < 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
    }
    s->pid = 0;
    return status;
}

char *sw_test_server_log(const sw_test_server *s)
{
    return slurp(s->log_path);
}

/* ---- HTTP ---------------------------------------------------------------- */

struct grow { char *p; size_t n; };

static size_t collect(char *data, size_t size, size_t nmemb, void *arg)
{
    struct grow *g = arg;
    size_t add = size * nmemb;
    g->p = realloc(g->p, g->n + add + 1);
    memcpy(g->p + g->n, data, add);
    g->n += add;
    g->p[g->n] = '\0';
    return add;
}

int sw_http(const sw_test_server *s, const char *method, const char *path,
            const char *const *headers, const char *body, size_t body_len,
            sw_http_result *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    char url[8192];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    struct grow b = { calloc(1, 1), 0 }, h = { calloc(1, 1), 0 };
    struct curl_slist *hl = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);   /* send ../ as written */
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    out->body = b.p;
    out->len = b.n;
    out->headers = h.p;
    return rc == CURLE_OK ? 0 : -1;
}

void sw_http_result_free(sw_http_result *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}

const char *sw_http_header(const sw_http_result *r, const char *name,
                           char *buf, size_t cap)
{
    size_t nlen = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > nlen && line[nlen] == ':' && strncasecmp(line, name, nlen) == 0) {
            const char *v = line + nlen + 1;
            while (*v == ' ')
                v++;
            snprintf(buf, cap, "%.*s", (int)(line + len - v), v);
            return buf;
        }
        if (!end)
            break;
        line = end + 2;
    }
    return NULL;
}

int sw_test_sign_in_as(const sw_test_server *s, const char *username,
                       char *header, size_t cap)
{
    return sw_test_sign_in_with(s, username, SW_TEST_ADMIN_PASSWORD, header, cap);
}

int sw_test_sign_in_with(const sw_test_server *s, const char *username,
                         const char *password, char *header, size_t cap)
{
    static const char *const json[] = { "Content-Type: application/json", NULL };
    char body[256];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}",
             username, password);
    sw_http_result r;
    if (sw_http(s, "POST", "/api/session", json, body, strlen(body), &r) != 0
        || r.status != 201) {
        fprintf(stderr, "testserver: sign-in as %s failed (%ld): %s\n",
                username, r.status, r.body ? r.body : "");
        sw_http_result_free(&r);
        return -1;
    }
    const char *t = strstr(r.body, "\"token\":\"");
    const char *end = t ? strchr(t + 9, '"') : NULL;
    int rc = -1;
    if (t && end) {
        snprintf(header, cap, "Authorization: Bearer %.*s",
                 (int)(end - (t + 9)), t + 9);
        rc = 0;
    }
    sw_http_result_free(&r);
    return rc;
}

int sw_test_sign_in(const sw_test_server *s, char *header, size_t cap)
{
    return sw_test_sign_in_as(s, "admin", header, cap);
}

struct add_user {
    const char *username, *roles, *hash;
};

static int add_user_fn(store_tx *tx, void *arg)
{
    const struct add_user *u = arg;
    auth_new_user nu = {
        .practice_id = 1, .username = u->username, .display_name = u->username,
        .password_hash = u->hash, .roles = u->roles,
    };
    bool created;
    return auth_user_create(tx, &nu, &created, NULL);
}

int sw_test_add_user(const char *db_url, const char *username, const char *roles)
{
    sw_err err;
    char hash[AUTH_HASH_MAX];
    if (auth_crypto_init() != SW_OK
        || auth_password_hash(SW_TEST_ADMIN_PASSWORD, hash, &err) != SW_OK)
        return -1;
    sw_store *st;
    store_options so = { .create = false, .connections = 1 };
    if (store_open(db_url, &so, &st, &err) != SW_OK) {
        fprintf(stderr, "testserver: %s\n", sw_err_text(&err));
        return -1;
    }
    struct add_user u = { username, roles, hash };
    int rc = store_write(st, add_user_fn, &u, &err);
    if (rc != SW_OK)
        fprintf(stderr, "testserver: adding %s: %s\n", username, sw_err_text(&err));
    store_close(st);
    return rc == SW_OK ? 0 : -1;
}

int sw_test_env_prepare(sw_test_env *e)
{
    memset(e, 0, sizeof *e);
    e->db = sw_test_fresh_db();
    sw_test_init_db(e->db);
    /* The usual actor of API tests works with records, which the admin
     * role alone may not (docs/security.md): a physician who also
     * administers the practice, as in many small practices. */
    return sw_test_add_user(e->db, SW_TEST_CLINICIAN, "physician,practice_admin");
}

int sw_test_env_serve(sw_test_env *e, const char *const *extra_args)
{
    if (sw_test_server_start(&e->srv, e->db, extra_args) != 0)
        return -1;
    return sw_test_sign_in_as(&e->srv, SW_TEST_CLINICIAN, e->auth, sizeof e->auth);
}

int sw_test_env_start(sw_test_env *e)
{
    return sw_test_env_prepare(e) == 0 ? sw_test_env_serve(e, NULL) : -1;
}

int sw_test_env_stop(sw_test_env *e)
{
    int status = e->srv.pid > 0 ? sw_test_server_stop(&e->srv, SIGTERM, 15) : 0;
    free(e->db);
    e->db = NULL;
    return status == 0 ? 0 : -1;
}

int sw_test_env_setup(void **state)
{
    sw_test_env *e = calloc(1, sizeof *e);
    *state = e;
    return e ? sw_test_env_start(e) : -1;
}

int sw_test_env_teardown(void **state)
{
    sw_test_env *e = *state;
    int rc = sw_test_env_stop(e);
    free(e);
    return rc;
}

char *sw_test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "testserver: cannot open %s\n", path);
        abort();
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "testserver: cannot read %s\n", path);
        abort();
    }
    b[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return b;
}

/* ---- Raw sockets --------------------------------------------------------- */

int sw_test_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

char *sw_test_read_all(int fd, int timeout_ms, int *closed)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    *closed = 0;
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, timeout_ms);
        if (r <= 0)
            break;
        if (cap - n < 1024) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        ssize_t got = recv(fd, buf + n, cap - n - 1, 0);
        if (got <= 0) {
            *closed = 1;
            break;
        }
        n += (size_t)got;
    }
    buf[n] = '\0';
    return buf;
}
