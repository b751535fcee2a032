/* pmssim_proc.c - the PMS simulator as a child process of a test (see
 * pmssim_proc.h). */
#include "pmssim_proc.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testdb.h"

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void print_log(const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[4096];
    size_t n;
    fprintf(stderr, "pms-sim log:\n");
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stderr);
    if (f)
        fclose(f);
}

int sw_test_pmssim_start(sw_test_pmssim *p, const char *const *extra)
{
    memset(p, 0, sizeof *p);
    char *dir = sw_test_tmpdir();
    snprintf(p->log_path, sizeof p->log_path, "%s/pms-sim.log", dir);
    free(dir);
    const char *bin = getenv("STAGEWISE_BIN");
    if (bin == NULL)
        return -1;
    const char *argv[32] = { bin, "pms-sim", "--listen", "127.0.0.1:0",
                             "--control", "127.0.0.1:0" };
    size_t n = 6;
    for (size_t i = 0; extra && extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int e = open(p->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(pipefd[1], 1);
        dup2(e, 2);
        close(pipefd[0]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    p->pid = pid;
    char line[1024];
    size_t got = 0;
    long until = now_ms() + 20000;
    static const char mllp[] = "listening on 127.0.0.1:";
    static const char ctl[] = "control on http://127.0.0.1:";
    while (now_ms() < until && got < sizeof line - 1) {
        struct pollfd pf = { .fd = pipefd[0], .events = POLLIN };
        if (poll(&pf, 1, 100) <= 0)
            continue;
        ssize_t r = read(pipefd[0], line + got, sizeof line - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
        line[got] = '\0';
        const char *a = strstr(line, mllp), *c = strstr(line, ctl);
        if (a && c && strchr(c, '\n')) {
            p->mllp_port = atoi(a + strlen(mllp));
            p->ctl.port = atoi(c + strlen(ctl));
            snprintf(p->ctl.base, sizeof p->ctl.base, "http://127.0.0.1:%d",
                     p->ctl.port);
            close(pipefd[0]);
            return 0;
        }
    }
    close(pipefd[0]);
    print_log(p->log_path);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    p->pid = 0;
    return -1;
}

int sw_test_pmssim_stop(sw_test_pmssim *p)
{
    /* Stopped as the server is: SIGTERM, SIGKILL after 20 s. */
    sw_test_server proc = { .pid = p->pid };
    p->pid = 0;
    return sw_test_server_stop(&proc, SIGTERM, 20);
}

long sw_test_pmssim_call(sw_test_pmssim *p, const char *method,
                         const char *path, const char *body, json_t **out)
{
    if (out)
        *out = NULL;
    const char *headers[] = { "Content-Type: application/json", NULL };
    sw_http_result r;
    if (sw_http(&p->ctl, method, path, body ? headers : NULL, body,
                body ? strlen(body) : 0, &r) != 0)
        return -1;
    if (out)
        *out = json_loads(r.body ? r.body : "", 0, NULL);
    long status = r.status;
    sw_http_result_free(&r);
    return status;
}
