/* test_crash.c - acknowledged writes survive a crash, on each backend.
 *
 * A child process writes rows one per store_write and reports each id on a
 * pipe the moment store_write returns SW_OK. The parent reads a few hundred
 * acknowledgements and then SIGKILLs the child in the middle of its stream
 * (no chance to close or flush anything). Reopening the store must show
 * every acknowledged row; on SQLite the file must also pass its integrity
 * check and take new writes. */
#include "store_test.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testdb.h"

#define ACKS 300

static int insert_fn(store_tx *tx, void *ctx)
{
    const int64_t *id = ctx;
    static const char filler[] = "a few hundred bytes per row, so that the "
        "write-ahead log grows and the kill lands in the middle of real work "
        "rather than between two tiny appends; the content itself does not "
        "matter to the test, only that each row is acknowledged or not.";
    return store_exec(tx, NULL, "INSERT INTO crash (id, filler) VALUES (?, ?)",
                      "it", *id, filler);
}

/* The child: never returns. Exit codes say where it stopped on its own. */
static void child(const char *url, int fd)
{
    store_options opt = { .create = false, .connections = 1 };
    sw_store *s;
    sw_err err;
    if (store_open(url, &opt, &s, &err) != SW_OK) {
        dprintf(2, "crash child: %s\n", err.msg);
        _exit(2);
    }
    for (int64_t id = 1;; id++) {
        if (store_write(s, insert_fn, &id, &err) != SW_OK) {
            dprintf(2, "crash child: %s\n", err.msg);
            _exit(3);
        }
        char line[32];
        int n = snprintf(line, sizeof line, "%lld\n", (long long)id);
        if (write(fd, line, (size_t)n) != n)
            _exit(4);
    }
}

/* Acknowledgement lines from the child's pipe; a line may arrive in two
 * reads, so the partial tail is kept between calls. */
struct acks {
    int     fd;
    char    buf[4096];
    size_t  len;
    int64_t have;       /* the highest id acknowledged so far */
};

/* Takes complete lines out of the buffer. */
static void take_lines(struct acks *a)
{
    a->buf[a->len] = '\0';
    char *line = a->buf, *nl;
    while ((nl = strchr(line, '\n')) != NULL) {
        *nl = '\0';
        int64_t id = strtoll(line, NULL, 10);
        if (id != a->have + 1)
            fail_msg("acknowledgement %lld after %lld", (long long)id,
                     (long long)a->have);
        a->have = id;
        line = nl + 1;
    }
    a->len = strlen(line);
    memmove(a->buf, line, a->len);
}

/* Reads until `want` ids are acknowledged or the pipe is closed. */
static void read_acks(struct acks *a, int64_t want)
{
    while (a->have < want) {
        struct pollfd p = { .fd = a->fd, .events = POLLIN };
        if (poll(&p, 1, 60000) <= 0)
            fail_msg("no acknowledgement from the child for 60 s");
        ssize_t got = read(a->fd, a->buf + a->len, sizeof a->buf - a->len - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return;
        a->len += (size_t)got;
        take_lines(a);
    }
}

static void test_kill_mid_stream(void **state)
{
    (void)state;
    char *url;
    sw_store *s = st_open_fresh(&url, 0);
    st_script(s, "CREATE TABLE crash (id BIGINT NOT NULL PRIMARY KEY, "
                 "filler TEXT NOT NULL)");
    store_close(s);

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child(url, fds[1]);
    }
    close(fds[1]);
    struct acks a = { .fd = fds[0] };
    read_acks(&a, ACKS);
    assert_true(a.have >= ACKS);
    kill(pid, SIGKILL);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    /* It was still writing: killed, not stopped by an error of its own. */
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    /* Acknowledgements still in the pipe count too. */
    read_acks(&a, INT64_MAX);
    close(fds[0]);
    int64_t acked = a.have;

    s = st_open(url, 0);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM crash WHERE id <= %lld",
             (long long)acked);
    assert_int_equal(st_int(s, sql), acked);
    /* At most the one write in flight may have landed unacknowledged. */
    assert_true(st_int(s, "SELECT max(id) FROM crash") <= acked + 1);
    if (store_kind_of(s) == STORE_SQLITE) {
        assert_int_equal(st_int(s, "SELECT count(*) FROM pragma_integrity_check "
                                   "WHERE integrity_check <> 'ok'"), 0);
    }
    st_script(s, "INSERT INTO crash (id, filler) VALUES (-1, 'after')");
    assert_int_equal(st_int(s, "SELECT count(*) FROM crash WHERE id = -1"), 1);
    fprintf(stderr, "%lld writes acknowledged before the kill, all kept\n",
            (long long)acked);
    store_close(s);
    free(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_mid_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
