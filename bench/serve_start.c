/* serve_start.c - start-to-ready time and idle memory of `stagewise serve`.
 *
 * Run by bench/run.sh as `serve_start STAGEWISE DBURL RUNS IDLE_MS`. Each run
 * starts `STAGEWISE serve --db DBURL --listen 127.0.0.1:0`, times from just
 * before fork+exec to the moment its ready line ("Stagewise is serving …")
 * arrives on the pipe, lets it sit idle IDLE_MS, reads VmRSS from
 * /proc/PID/status, then stops it with SIGTERM. Prints
 *
 *   start_ms MEDIAN RUN1 RUN2 …
 *   idle_rss_kb MEDIAN RUN1 RUN2 …
 *
 * A C program rather than the shell because forking `date` around the
 * server would add milliseconds to a figure whose target is 200 ms. The
 * server's stderr passes through, so a failure to start explains itself. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS    25
#define READY_WAIT_MS 10000
#define READY_LINE  "Stagewise is serving "

/* The server being measured; stopped with us if run.sh is interrupted. */
static volatile sig_atomic_t child;

static void on_signal(int sig)
{
    if (child > 0)
        kill((pid_t)child, SIGTERM);
    _exit(128 + sig);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void stop_child(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int i = 0; i < 1000; i++) {       /* 10 s for a clean shutdown */
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static long rss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/* Waits for the ready line; false when the server exits or stays silent. */
static bool wait_ready(int fd)
{
    char buf[4096];
    size_t have = 0;
    double deadline = now_ms() + READY_WAIT_MS;
    for (;;) {
        int left = (int)(deadline - now_ms());
        if (left <= 0)
            return false;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int n = poll(&p, 1, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        ssize_t got = read(fd, buf + have, sizeof buf - 1 - have);
        if (got <= 0)
            return false;
        have += (size_t)got;
        buf[have] = '\0';
        if (strstr(buf, READY_LINE) != NULL && strchr(strstr(buf, READY_LINE), '\n'))
            return true;
        if (have == sizeof buf - 1)
            have = 0;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double s[MAX_RUNS];
    memcpy(s, v, sizeof *v * (size_t)n);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    int runs = argc == 5 ? atoi(argv[3]) : 0;
    if (runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr, "usage: serve_start STAGEWISE DBURL RUNS(1-%d) IDLE_MS\n",
                MAX_RUNS);
        return 2;
    }
    int idle_ms = atoi(argv[4]);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    double start[MAX_RUNS], rss[MAX_RUNS];
    for (int r = 0; r < runs; r++) {
        int fds[2];
        if (pipe(fds) != 0) {
            perror("serve_start: pipe");
            return 1;
        }
        double t0 = now_ms();
        pid_t pid = fork();
        if (pid < 0) {
            perror("serve_start: fork");
            return 1;
        }
        if (pid == 0) {
            dup2(fds[1], STDOUT_FILENO);
            close(fds[0]);
            close(fds[1]);
            execl(argv[1], argv[1], "serve", "--db", argv[2],
                  "--listen", "127.0.0.1:0", (char *)NULL);
            fprintf(stderr, "serve_start: cannot run %s: %s\n", argv[1],
                    strerror(errno));
            _exit(127);
        }
        child = pid;
        close(fds[1]);
        bool ready = wait_ready(fds[0]);
        start[r] = now_ms() - t0;
        if (!ready) {
            fprintf(stderr, "serve_start: %s serve did not print its ready "
                    "line within %d ms\n", argv[1], READY_WAIT_MS);
            stop_child(pid);
            return 1;
        }
        usleep((useconds_t)idle_ms * 1000);
        rss[r] = (double)rss_kb(pid);
        stop_child(pid);
        close(fds[0]);
        child = 0;
    }
    printf("start_ms %.1f", median(start, runs));
    for (int r = 0; r < runs; r++)
        printf(" %.1f", start[r]);
    printf("\nidle_rss_kb %.0f", median(rss, runs));
    for (int r = 0; r < runs; r++)
        printf(" %.0f", rss[r]);
    printf("\n");
    return 0;
}
