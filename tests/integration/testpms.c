/* testpms.c - the in-test PMS and its peer row (testpms.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "hl7/message.h"
#include "hl7/peer.h"
#include "testpms.h"

static int handle(void *ctx, const mllp_peer *peer, const char *msg,
                  size_t len, sw_buf *reply)
{
    (void)peer;
    testpms *p = ctx;
    sw_arena *a = sw_arena_create(0);
    hl7_message *m = NULL;
    sw_err err;
    if (hl7_parse(a, msg, len, &m, &err) != SW_OK) {
        sw_arena_destroy(a);
        return SW_EINVAL;
    }
    const char *ctl = hl7_get(m, "MSH", 1, 10, 1, 1, 1);
    pthread_mutex_lock(&p->mu);
    testpms_mode mode = p->mode;
    if (p->n < TESTPMS_MAX) {
        snprintf(p->control[p->n], sizeof p->control[p->n], "%s", ctl ? ctl : "");
        p->patient[p->n][0] = '\0';
        for (size_t r = 1; r <= 8; r++) {
            const char *auth = hl7_get(m, "PID", 1, 3, r, 4, 1);
            const char *type = hl7_get(m, "PID", 1, 3, r, 5, 1);
            if (auth && type && strcmp(auth, "STAGEWISE") == 0 && strcmp(type, "PI") == 0)
                snprintf(p->patient[p->n], sizeof p->patient[p->n], "%s",
                         hl7_get(m, "PID", 1, 3, r, 1, 1));
        }
        p->body[p->n] = strndup(msg, len);
        p->n++;
    }
    size_t n = p->n;
    pthread_mutex_unlock(&p->mu);
    if (mode == PMS_CLOSE || mode == PMS_SILENT) {
        sw_arena_destroy(a);
        return mode == PMS_CLOSE ? SW_EIO : SW_OK;
    }
    static const char *const codes[] = {
        [PMS_AA] = "AA", [PMS_CA] = "CA", [PMS_AE] = "AE", [PMS_CE] = "CE",
        [PMS_AR] = "AR", [PMS_CR] = "CR", [PMS_ZZ] = "ZZ", [PMS_WRONG_ID] = "AA",
    };
    sw_buf_printf(reply, "MSH|^~\\&|PMS|CLINIC|STAGEWISE|1|20261125120000||"
                  "ACK^P03^ACK|PMSACK%zu|T|2.5.1\rMSA|%s|%s", n, codes[mode],
                  mode == PMS_WRONG_ID ? "SOMEONE-ELSE" : ctl);
    if (mode == PMS_AE || mode == PMS_CE)
        sw_buf_printf(reply, "|Unknown procedure code\rERR||FT1^1^7|103|E||||"
                      "Unknown procedure code 99213 for this payer");
    sw_buf_puts(reply, "\r");
    sw_arena_destroy(a);
    return SW_OK;
}

void testpms_start(testpms *p, testpms_mode mode)
{
    memset(p, 0, sizeof *p);
    p->mode = mode;
    pthread_mutex_init(&p->mu, NULL);
    mllp_server_config cfg = { .host = "127.0.0.1", .handler = handle,
                               .ctx = p };
    sw_err err;
    if (mllp_server_start(&cfg, &p->srv, &err) != SW_OK)
        fail_msg("the in-test PMS did not start: %s", err.msg);
    p->port = mllp_server_port(p->srv);
}

void testpms_stop(testpms *p)
{
    mllp_server_stop(p->srv);
    p->srv = NULL;
    for (size_t i = 0; i < p->n; i++)
        free(p->body[i]);
    pthread_mutex_destroy(&p->mu);
}

void testpms_set(testpms *p, testpms_mode mode)
{
    pthread_mutex_lock(&p->mu);
    p->mode = mode;
    pthread_mutex_unlock(&p->mu);
}

size_t testpms_count(testpms *p, const char *control)
{
    size_t k = 0;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->n; i++)
        k += strcmp(p->control[i], control) == 0;
    pthread_mutex_unlock(&p->mu);
    return k;
}

size_t testpms_total(testpms *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->n;
    pthread_mutex_unlock(&p->mu);
    return n;
}

sw_store *testpms_open_store(sw_test_env *e)
{
    sw_store *s = NULL;
    sw_err err;
    store_options o = { .connections = 1 };
    if (store_open(e->db, &o, &s, &err) != SW_OK)
        fail_msg("opening %s: %s", e->db, sw_err_text(&err));
    return s;
}

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

void testpms_set_peer(sw_store *s, const char *host, int port)
{
    struct peer_ctx c = { host, port };
    sw_err err;
    if (store_write(s, peer_fn, &c, &err) != SW_OK)
        fail_msg("saving the peer: %s", sw_err_text(&err));
}
