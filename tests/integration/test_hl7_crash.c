/* test_hl7_crash.c - the outbox survives `kill -9`, on each store: three
 * visits of two patients are signed through the running server, an
 * in-test PMS (mllp_server on 127.0.0.1) takes the first DFT and keeps
 * its answer back, and the server is killed with SIGKILL while that
 * exchange is in flight. Every row is still there and still pending (a
 * row changes only after the PMS's answer); the server started again on
 * the same database sends them all, the one in flight again with the
 * same MSH-10, each of the others exactly once, until all are acked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/clock.h"
#include "hl7/message.h"
#include "hl7/mllp.h"
#include "hl7/peer.h"
#include "store/store.h"
#include "testapi.h"

/* ---- The in-test PMS: answers AA, or nothing while held ------------------ */

#define PMS_MAX 32

typedef struct pms {
    mllp_server    *srv;
    int             port;
    pthread_mutex_t mu;
    bool            hold;          /* keep the answer back */
    size_t          n;
    char            control[PMS_MAX][24];
} pms;

static int pms_handle(void *ctx, const mllp_peer *peer, const char *msg,
                      size_t len, sw_buf *reply)
{
    (void)peer;
    pms *p = ctx;
    sw_arena *a = sw_arena_create(0);
    hl7_message *m = NULL;
    sw_err err;
    int rc = hl7_parse(a, msg, len, &m, &err);
    const char *ctl = rc == SW_OK ? hl7_get(m, "MSH", 1, 10, 1, 1, 1) : NULL;
    pthread_mutex_lock(&p->mu);
    bool hold = p->hold;
    if (p->n < PMS_MAX)
        snprintf(p->control[p->n++], sizeof p->control[0], "%s", ctl ? ctl : "");
    pthread_mutex_unlock(&p->mu);
    if (!hold && ctl)
        sw_buf_printf(reply, "MSH|^~\\&|PMS|CLINIC|STAGEWISE|1|20261125120000||"
                      "ACK^P03^ACK|PMS%zu|T|2.5.1\rMSA|AA|%s\r", p->n, ctl);
    sw_arena_destroy(a);
    return rc;
}

static size_t pms_seen(pms *p, const char *control)
{
    size_t k = 0;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->n; i++)
        k += strcmp(p->control[i], control) == 0;
    pthread_mutex_unlock(&p->mu);
    return k;
}

static size_t pms_total(pms *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->n;
    pthread_mutex_unlock(&p->mu);
    return n;
}

/* ---- The database --------------------------------------------------------- */

struct peer_ctx {
    const char *host;
    int         port;
};

static int peer_fn(store_tx *tx, void *arg)
{
    struct peer_ctx *c = arg;
    hl7_peer p = { .practice_id = 1, .naddresses = 1, .send_port = c->port,
                   .processing_id = "T", .updated_at = sw_now_wall_ms() };
    snprintf(p.addresses[0], sizeof p.addresses[0], "127.0.0.1");
    snprintf(p.send_host, sizeof p.send_host, "%s", c->host);
    return hl7_peer_save(tx, &p);
}

static void set_peer(sw_store *s, const char *host, int port)
{
    struct peer_ctx c = { host, port };
    sw_err err;
    if (store_write(s, peer_fn, &c, &err) != SW_OK)
        fail_msg("saving the peer: %s", sw_err_text(&err));
}

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

static void link_practitioner(sw_test_env *e)
{
    sw_test_fhir_create(e, "/fhir/Practitioner/pr-test", "{\"resourceType\":"
        "\"Practitioner\",\"id\":\"pr-test\",\"identifier\":[{\"system\":"
        "\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"1234567893\"}],"
        "\"name\":[{\"family\":\"Test\",\"given\":[\"Dana\"]}]}");
    json_t *users = sw_test_get_json(e, e->auth, "/api/users");
    json_t *list = json_is_array(users) ? users : json_object_get(users, "users"), *u;
    size_t i;
    json_int_t uid = 0;
    json_array_foreach(list, i, u)
        if (strcmp(sw_test_str(u, "username"), SW_TEST_CLINICIAN) == 0)
            uid = json_integer_value(json_object_get(u, "id"));
    json_decref(users);
    char path[64];
    snprintf(path, sizeof path, "/api/users/%lld", (long long)uid);
    json_t *doc;
    assert_int_equal(sw_test_call(e, e->auth, "PATCH", path,
                                  "{\"practitioner_id\":\"pr-test\"}", &doc), 200);
    json_decref(doc);
}

static void signed_visit(sw_test_env *e, const char *patient)
{
    char path[160];
    json_t *doc;
    snprintf(path, sizeof path, "/api/patients/%s/visits", patient);
    assert_int_equal(sw_test_call(e, e->auth, "POST", path,
                     "{\"visit_type\":\"acute\",\"reason\":\"Cough\"}", &doc), 201);
    char enc[80];
    snprintf(enc, sizeof enc, "%s", sw_test_str(doc, "encounter"));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/visits/%s/note", enc);
    assert_int_equal(sw_test_call(e, e->auth, "PUT", path, "{\"template\":\"acute\","
                     "\"sections\":{\"subjective\":\"s\",\"objective\":\"o\","
                     "\"assessment\":\"a\",\"plan\":\"p\"}}", &doc), 200);
    json_decref(doc);
    snprintf(path, sizeof path, "/api/visits/%s/coding", enc);
    assert_int_equal(sw_test_call(e, e->auth, "PUT", path, "{\"diagnoses\":[{\"code\":"
                     "\"J20.9\"}],\"procedures\":[{\"code\":\"99213\"}]}", &doc), 200);
    json_decref(doc);
    snprintf(path, sizeof path, "/api/visits/%s/sign", enc);
    assert_int_equal(sw_test_call(e, e->auth, "POST", path, NULL, &doc), 200);
    json_decref(doc);
}

static void kill_nine_with_charges_in_flight(void **state)
{
    sw_test_env *e = *state;
    sw_store *s = NULL;
    sw_err err;
    store_options so = { .connections = 1 };
    assert_int_equal(store_open(e->db, &so, &s, &err), SW_OK);
    link_practitioner(e);
    sw_test_patient(e, "p1", "Ana", "Rivera", "1970-05-01");
    sw_test_patient(e, "p2", "Ben", "Okafor", "1982-02-11");
    set_peer(s, "", 0);            /* known, nowhere to send yet */
    signed_visit(e, "p1");
    signed_visit(e, "p2");
    signed_visit(e, "p1");
    outbox_state o = outbox(s);
    assert_int_equal(o.n, 3);
    assert_int_equal(o.pending, 3);

    pms p = { .hold = true };
    pthread_mutex_init(&p.mu, NULL);
    mllp_server_config cfg = { .host = "127.0.0.1", .handler = pms_handle, .ctx = &p };
    assert_int_equal(mllp_server_start(&cfg, &p.srv, &err), SW_OK);
    p.port = mllp_server_port(p.srv);
    set_peer(s, "127.0.0.1", p.port);
    /* The worker sends; the PMS keeps its answer back: in flight. */
    for (int i = 0; i < 200 && pms_total(&p) == 0; i++)
        usleep(50 * 1000);
    assert_true(pms_total(&p) >= 1);
    char in_flight[24];
    snprintf(in_flight, sizeof in_flight, "%s", p.control[0]);
    assert_int_equal(sw_test_server_stop(&e->srv, SIGKILL, 15), 128 + SIGKILL);
    e->srv.pid = 0;

    /* Nothing lost, nothing marked: the answer never came. */
    o = outbox(s);
    assert_int_equal(o.n, 3);
    assert_int_equal(o.pending, 3);
    assert_int_equal(o.attempts, 0);

    pthread_mutex_lock(&p.mu);
    p.hold = false;
    pthread_mutex_unlock(&p.mu);
    assert_int_equal(sw_test_server_start(&e->srv, e->db, NULL), 0);
    for (int i = 0; i < 400 && o.acked < 3; i++) {
        usleep(50 * 1000);
        o = outbox(s);
    }
    assert_int_equal(o.acked, 3);
    /* The one in flight went again with its MSH-10; the others once. */
    assert_int_equal(pms_seen(&p, in_flight), 2);
    for (int64_t i = 0; i < o.n; i++)
        if (strcmp(o.control[i], in_flight) != 0)
            assert_int_equal(pms_seen(&p, o.control[i]), 1);
    mllp_server_stop(p.srv);
    pthread_mutex_destroy(&p.mu);
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
