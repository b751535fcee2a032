/* test_hl7_serve.c - `stagewise serve --mllp`: the HL7 v2 listener of the
 * real server, on both stores. An independent MLLP client (Debian's
 * python3-hl7 mllp_send) gets its ADT^A04 acknowledged and the Patient
 * exists; an address outside the practice's peer list is closed without
 * an answer; a message acknowledged before a kill -9 is still there after
 * the restart, and sending it again changes nothing (the same ACK, one
 * Patient). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "hl7/mllp.h"
#include "testapi.h"
#include "testdb.h"
#include "testserver.h"

#define MLLPSEND "/usr/bin/mllp_send"

static const char adt[] =
    "MSH|^~\\&|PMS|NORTHSIDE|STAGEWISE|NORTHSIDE|20261125093000||ADT^A04^ADT_A01|%s|T|2.5.1\r"
    "EVN|A04|20261125093000\r"
    "PID|1||%s^^^PMS^MR||%s^Ada^Q||19800214|F|||12 Main St^^Springfield^IL^62701||^PRN^PH^^^217^5550100\r"
    "PV1|1|O\r";

/* A fresh database whose practice takes HL7 from 127.0.0.1, served with
 * the MLLP listener on a free port. */
static int setup(void **state)
{
    sw_test_env *e = calloc(1, sizeof *e);
    *state = e;
    if (e == NULL || sw_test_env_prepare(e) != 0)
        return -1;
    const char *peer[] = { "interface", "peer", "--db", e->db, "--allow",
                           "127.0.0.1", "--processing-id", "T", NULL };
    char *out = NULL, *err = NULL;
    int status = sw_test_run(peer, NULL, &out, &err);
    if (status != 0)
        fprintf(stderr, "interface peer: %s%s\n", out ? out : "", err ? err : "");
    free(out);
    free(err);
    const char *args[] = { "--mllp", "127.0.0.1:0", NULL };
    return status == 0 ? sw_test_env_serve(e, args) : -1;
}

static int teardown(void **state)
{
    sw_test_env *e = *state;
    int rc = sw_test_env_stop(e);
    free(e);
    return rc;
}

/* How many Patients answer /fhir/Patient?family=family. */
static int patients_named(sw_test_env *e, const char *family)
{
    char path[200];
    snprintf(path, sizeof path, "/fhir/Patient?family=%s&_summary=count", family);
    json_t *doc = sw_test_get_json(e, e->auth, path);
    int n = (int)json_integer_value(json_object_get(doc, "total"));
    json_decref(doc);
    return n;
}

/* Runs mllp_send on a file holding msg; its standard output. */
static char *mllp_send(int port, const char *msg)
{
    char *dir = sw_test_tmpdir();
    char path[4096], portarg[16];
    snprintf(path, sizeof path, "%s/message.hl7", dir);
    free(dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    /* mllp_send reads messages each ended by the MLLP end block. */
    fputs(msg, f);
    fputs("\x1c\r", f);
    fclose(f);
    snprintf(portarg, sizeof portarg, "%d", port);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        /* Debian's own python3 has python3-hl7, whatever else is on PATH. */
        execl("/usr/bin/python3", "python3", MLLPSEND, "--port", portarg,
              "--file", path, "127.0.0.1", (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    sw_buf out;
    sw_buf_init(&out, 1 << 20);
    char chunk[4096];
    ssize_t n;
    while ((n = read(pipefd[0], chunk, sizeof chunk)) > 0)
        sw_buf_append(&out, chunk, (size_t)n);
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    size_t len;
    return sw_buf_detach(&out, &len);
}

static void an_independent_client_is_acknowledged(void **state)
{
    sw_test_env *e = *state;
    assert_true(e->srv.mllp_port > 0);
    char msg[2048];
    snprintf(msg, sizeof msg, adt, "PYSEND0001", "MRN1001", "Mllpsend");
    char *out = mllp_send(e->srv.mllp_port, msg);
    /* mllp_send prints the ACK with its segments on separate lines. */
    assert_non_null(strstr(out, "MSA|AA|PYSEND0001"));
    free(out);
    assert_int_equal(patients_named(e, "Mllpsend"), 1);
}

/* Sends one frame from a socket bound to source; the reply frame ("" when
 * the connection was closed without an answer). */
static char *exchange_from(const char *source, int port, const char *msg)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in from = { .sin_family = AF_INET };
    inet_pton(AF_INET, source, &from.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof from), 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof to), 0);
    sw_buf frame;
    sw_buf_init(&frame, 1 << 20);
    assert_int_equal(mllp_frame_wrap(&frame, msg, strlen(msg)), SW_OK);
    /* The server may close before reading: a failed write is an answer. */
    ssize_t w = send(fd, frame.data, frame.len, MSG_NOSIGNAL);
    (void)w;
    sw_buf_free(&frame);
    /* Until a whole frame arrives, or the server closes, or 10 s pass. */
    sw_buf got;
    sw_buf_init(&got, 1 << 20);
    for (int waited = 0; waited < 10000;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 100) <= 0) {
            waited += 100;
            continue;
        }
        char chunk[4096];
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            break;
        sw_buf_append(&got, chunk, (size_t)n);
        if (got.len >= 2 && got.data[got.len - 2] == MLLP_END
            && got.data[got.len - 1] == MLLP_CR)
            break;
    }
    close(fd);
    sw_buf_putc(&got, '\0');
    size_t len;
    return sw_buf_detach(&got, &len);
}

static void an_address_outside_the_peer_list_gets_nothing(void **state)
{
    sw_test_env *e = *state;
    char msg[2048];
    snprintf(msg, sizeof msg, adt, "STRANGER01", "MRN2001", "Stranger");
    char *got = exchange_from("127.0.0.2", e->srv.mllp_port, msg);
    assert_string_equal(got, "");
    free(got);
    assert_int_equal(patients_named(e, "Stranger"), 0);
    /* The same message from the listed address is taken. */
    got = exchange_from("127.0.0.1", e->srv.mllp_port, msg);
    assert_non_null(strstr(got, "MSA|AA|STRANGER01"));
    free(got);
    assert_int_equal(patients_named(e, "Stranger"), 1);
}

/* The ACK's text from MSA onwards, to compare two answers. */
static char *msa_of(const char *ack)
{
    const char *msa = strstr(ack, "MSA|");
    assert_non_null(msa);
    return strndup(msa, strcspn(msa, "\r"));
}

static void an_acknowledged_message_survives_kill_9(void **state)
{
    sw_test_env *e = *state;
    char msg[2048];
    snprintf(msg, sizeof msg, adt, "CRASH00001", "MRN3001", "Crashtest");
    char *first = exchange_from("127.0.0.1", e->srv.mllp_port, msg);
    char *msa1 = msa_of(first);
    assert_non_null(strstr(msa1, "MSA|AA|CRASH00001"));
    assert_int_equal(sw_test_server_stop(&e->srv, SIGKILL, 10), 128 + SIGKILL);
    const char *args[] = { "--mllp", "127.0.0.1:0", NULL };
    assert_int_equal(sw_test_env_serve(e, args), 0);
    assert_int_equal(patients_named(e, "Crashtest"), 1);
    /* Sent again (its ACK was lost, say): the same answer, no new Patient. */
    char *second = exchange_from("127.0.0.1", e->srv.mllp_port, msg);
    char *msa2 = msa_of(second);
    assert_string_equal(msa1, msa2);
    assert_int_equal(patients_named(e, "Crashtest"), 1);
    free(first); free(second); free(msa1); free(msa2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(an_independent_client_is_acknowledged, setup, teardown),
        cmocka_unit_test_setup_teardown(an_address_outside_the_peer_list_gets_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(an_acknowledged_message_survives_kill_9, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
