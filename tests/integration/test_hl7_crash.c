/* test_hl7_crash.c - the outbox survives `kill -9`, on each store: three
 * visits of two patients are signed through the running server, an
 * in-test PMS (testpms.c, an mllp_server on 127.0.0.1) takes the first
 * DFT and keeps its answer back, and the server is killed with SIGKILL
 * while that exchange is in flight. Every row is still there and still pending (a
 * row changes only after the PMS's answer); the server started again on
 * the same database sends them all, the one in flight again with the
 * same MSH-10, each of the others exactly once, until all are acked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "testapi.h"
#include "testpms.h"
#include "testvisits.h"

/* ---- The database --------------------------------------------------------- */

typedef struct outbox_state {
    int64_t n, pending, acked, attempts;
    char    control[8][24];
} outbox_state;

static int state_fn(store_tx *tx, void *arg)
{
    outbox_state *o = arg;
    memset(o, 0, sizeof *o);
    store_stmt *q;
    int rc = store_prepare(tx, "SELECT control_id, status, attempts FROM "
                           "hl7_outbox WHERE practice_id = 1 ORDER BY seq", &q);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    while ((rc = store_step(q, &row)) == SW_OK && row && o->n < 8) {
        snprintf(o->control[o->n], sizeof o->control[0], "%s",
                 store_col_text(q, 0, NULL));
        const char *status = store_col_text(q, 1, NULL);
        o->pending += strcmp(status, "pending") == 0;
        o->acked += strcmp(status, "acked") == 0;
        o->attempts += store_col_int64(q, 2);
        o->n++;
    }
    store_finalize(q);
    return rc;
}

static outbox_state outbox(sw_store *s)
{
    outbox_state o;
    sw_err err;
    if (store_read(s, state_fn, &o, &err) != SW_OK)
        fail_msg("reading the outbox: %s", sw_err_text(&err));
    return o;
}

/* ---- Visits through the API ----------------------------------------------- */

/* A signed visit of patient: one 99213, its DFT queued. */
static void signed_visit(sw_test_env *e, const char *patient)
{
    free(testvisits_sign(e, e->auth, patient, "{\"diagnoses\":[{\"code\":"
                         "\"J20.9\"}],\"procedures\":[{\"code\":\"99213\"}]}",
                         NULL, 0, NULL));
}

static void kill_nine_with_charges_in_flight(void **state)
{
    sw_test_env *e = *state;
    sw_store *s = testpms_open_store(e);
    testvisits_link_practitioner(e, SW_TEST_CLINICIAN, "pr-test", "1234567893");
    sw_test_patient(e, "p1", "Ana", "Rivera", "1970-05-01");
    sw_test_patient(e, "p2", "Ben", "Okafor", "1982-02-11");
    testpms_set_peer(s, "", 0);            /* known, nowhere to send yet */
    signed_visit(e, "p1");
    signed_visit(e, "p2");
    signed_visit(e, "p1");
    outbox_state o = outbox(s);
    assert_int_equal(o.n, 3);
    assert_int_equal(o.pending, 3);

    testpms p;
    testpms_start(&p, PMS_SILENT);   /* keeps its answer back */
    testpms_set_peer(s, "127.0.0.1", p.port);
    /* The worker sends; the PMS keeps its answer back: in flight. */
    for (int i = 0; i < 200 && testpms_total(&p) == 0; i++)
        usleep(50 * 1000);
    assert_true(testpms_total(&p) >= 1);
    char in_flight[24];
    snprintf(in_flight, sizeof in_flight, "%s", p.control[0]);
    assert_int_equal(sw_test_server_stop(&e->srv, SIGKILL, 15), 128 + SIGKILL);
    e->srv.pid = 0;

    /* Nothing lost, nothing marked: the answer never came. */
    o = outbox(s);
    assert_int_equal(o.n, 3);
    assert_int_equal(o.pending, 3);
    assert_int_equal(o.attempts, 0);

    testpms_set(&p, PMS_AA);
    assert_int_equal(sw_test_server_start(&e->srv, e->db, NULL), 0);
    for (int i = 0; i < 400 && o.acked < 3; i++) {
        usleep(50 * 1000);
        o = outbox(s);
    }
    assert_int_equal(o.acked, 3);
    /* The one in flight went again with its MSH-10; the others once. */
    assert_int_equal(testpms_count(&p, in_flight), 2);
    for (int64_t i = 0; i < o.n; i++)
        if (strcmp(o.control[i], in_flight) != 0)
            assert_int_equal(testpms_count(&p, o.control[i]), 1);
    testpms_stop(&p);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(kill_nine_with_charges_in_flight,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
