/* backup_pg.c - the PostgreSQL half of backup and restore: pg_dump of the
 * whole database (schemas public and training) in a snapshot exported by
 * the transaction that computes the manifest, and pg_restore fed the
 * (decrypted) dump on its standard input. Both programs run as child
 * processes with their arguments passed as a vector, never through a
 * shell, and their stderr kept for the message when they fail. */
#include "store/backup_pg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static bool executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int backup_pg_program(const char *name, char *out, size_t cap, sw_err *err)
{
    const char *path = getenv("PATH");
    if (path != NULL) {
        const char *p = path;
        while (*p) {
            const char *colon = strchr(p, ':');
            size_t n = colon ? (size_t)(colon - p) : strlen(p);
            if (n > 0 && (size_t)snprintf(out, cap, "%.*s/%s", (int)n, p, name) < cap
                && executable(out))
                return SW_OK;
            p += n + (colon ? 1 : 0);
        }
    }
    /* Debian's layout: /usr/lib/postgresql/N/bin, newest N first. */
    glob_t g;
    int best = -1;
    if (glob("/usr/lib/postgresql/*/bin", 0, NULL, &g) == 0) {
        int best_ver = -1;
        for (size_t i = 0; i < g.gl_pathc; i++) {
            int ver = atoi(g.gl_pathv[i] + strlen("/usr/lib/postgresql/"));
            char cand[PATH_MAX];
            snprintf(cand, sizeof cand, "%s/%s", g.gl_pathv[i], name);
            if (ver > best_ver && executable(cand)) {
                best_ver = ver;
                best = (int)i;
            }
        }
        if (best >= 0)
            snprintf(out, cap, "%s/%s", g.gl_pathv[best], name);
        globfree(&g);
    }
    if (best >= 0)
        return SW_OK;
    return sw_err_set(err, SW_ENOTFOUND, "%s was not found on PATH or in "
                      "/usr/lib/postgresql/*/bin; install the PostgreSQL "
                      "client programs", name);
}

/* The last line of what the child wrote to stderr (kept in fd). */
static void last_line(int fd, char *out, size_t cap)
{
    char buf[4096];
    out[0] = '\0';
    off_t end = lseek(fd, 0, SEEK_END);
    off_t from = end > (off_t)sizeof buf - 1 ? end - (off_t)sizeof buf + 1 : 0;
    if (lseek(fd, from, SEEK_SET) < 0)
        return;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n <= 0)
        return;
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    char *nl = strrchr(buf, '\n');
    const char *line = nl ? nl + 1 : buf;
    size_t len = strlen(line);
    if (len >= cap)
        len = cap - 1;
    memcpy(out, line, len);
    out[len] = '\0';
}

/* Starts prog argv with stdin in_fd (-1: /dev/null), stdout out_fd (-1:
 * /dev/null) and stderr err_fd; *pid set. */
static int spawn(const char *prog, char *const argv[], int in_fd, int out_fd,
                 int err_fd, int close_fd, pid_t *pid, sw_err *err)
{
    *pid = fork();
    if (*pid < 0)
        return sw_err_set(err, SW_EIO, "%s could not be started: %s", prog,
                          strerror(errno));
    if (*pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (close_fd >= 0)
            close(close_fd);
        dup2(in_fd >= 0 ? in_fd : devnull, 0);
        dup2(out_fd >= 0 ? out_fd : devnull, 1);
        dup2(err_fd, 2);
        signal(SIGPIPE, SIG_DFL);
        execv(prog, argv);
        _exit(127);
    }
    return SW_OK;
}

static int wait_child(pid_t pid, const char *what, int err_fd, sw_err *err)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return sw_err_set(err, SW_EIO, "%s could not be waited for", what);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return SW_OK;
    char line[512];
    last_line(err_fd, line, sizeof line);
    return sw_err_set(err, SW_EIO, "%s failed%s%s", what, line[0] ? ": " : "",
                      line);
}

int backup_pg_dump(const char *conninfo, const char *snapshot,
                   backup_sink *sink, sw_err *err)
{
    char prog[PATH_MAX];
    int rc = backup_pg_program("pg_dump", prog, sizeof prog, err);
    if (rc != SW_OK)
        return rc;
    char snap_arg[256], db_arg[SW_STORE_MAX_URL_BYTES + 16];
    snprintf(snap_arg, sizeof snap_arg, "--snapshot=%s", snapshot);
    snprintf(db_arg, sizeof db_arg, "--dbname=%s", conninfo);
    char *argv[] = { "pg_dump", "--format=custom", "--no-password", snap_arg,
                     db_arg, NULL };
    FILE *errf = tmpfile();
    int pipefd[2];
    if (errf == NULL || pipe(pipefd) != 0) {
        if (errf)
            fclose(errf);
        return sw_err_set(err, SW_EIO, "pg_dump could not be started: %s",
                          strerror(errno));
    }
    pid_t pid;
    rc = spawn(prog, argv, -1, pipefd[1], fileno(errf), pipefd[0], &pid, err);
    close(pipefd[1]);
    if (rc != SW_OK) {
        close(pipefd[0]);
        fclose(errf);
        return rc;
    }
    static unsigned char buf[BACKUP_CHUNK];
    int wrc = SW_OK;
    for (;;) {
        ssize_t n = read(pipefd[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (wrc == SW_OK)
            wrc = backup_sink_write(sink, buf, (size_t)n, err);
    }
    close(pipefd[0]);
    rc = wait_child(pid, "pg_dump", fileno(errf), wrc == SW_OK ? err : NULL);
    fclose(errf);
    return wrc != SW_OK ? wrc : rc;
}

int backup_pg_restore(const char *conninfo, const char *file,
                      const unsigned char *key, const char *name, sw_err *err)
{
    char prog[PATH_MAX];
    int rc = backup_pg_program("pg_restore", prog, sizeof prog, err);
    if (rc != SW_OK)
        return rc;
    char db_arg[SW_STORE_MAX_URL_BYTES + 16];
    snprintf(db_arg, sizeof db_arg, "--dbname=%s", conninfo);
    /* --clean --if-exists: the target was found empty of practices (or
     * --force was given), so dropping what the dump recreates loses
     * nothing, and an initialized but empty database restores too. */
    char *argv[] = { "pg_restore", "--no-password", "--no-owner",
                     "--no-privileges", "--exit-on-error", "--clean",
                     "--if-exists", "--single-transaction", db_arg, NULL };
    FILE *errf = tmpfile();
    int pipefd[2];
    if (errf == NULL || pipe(pipefd) != 0) {
        if (errf)
            fclose(errf);
        return sw_err_set(err, SW_EIO, "pg_restore could not be started: %s",
                          strerror(errno));
    }
    pid_t pid;
    rc = spawn(prog, argv, pipefd[0], -1, fileno(errf), pipefd[1], &pid, err);
    close(pipefd[0]);
    if (rc != SW_OK) {
        close(pipefd[1]);
        fclose(errf);
        return rc;
    }
    /* A pg_restore that stops early closes the pipe: EPIPE, not SIGPIPE. */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    sw_err werr;
    int wrc = backup_decrypt_to(file, pipefd[1], key, name, &werr);
    close(pipefd[1]);
    rc = wait_child(pid, "pg_restore", fileno(errf), err);
    signal(SIGPIPE, old);
    fclose(errf);
    if (wrc != SW_OK && (rc == SW_OK || werr.code == SW_EINVAL)) {
        if (err != NULL)
            *err = werr;
        return wrc;
    }
    return rc;
}
