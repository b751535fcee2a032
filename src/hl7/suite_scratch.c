/* suite_scratch.c - the go-live suite's scratch EHR: a temporary SQLite
 * database, initialized as `stagewise init` does (schema migrations, the
 * practice), whose peer row points at the PMS under test with processing
 * id T, and an MLLP listener on 127.0.0.1 that takes the PMS's ADT and SIU
 * with hl7_inbound_take, exactly as `serve --mllp` does. Everything the
 * scenarios create lives and dies here, so a production database is never
 * written to except for the report. */
#include "hl7/suite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/users.h"
#include "core/clock.h"
#include "hl7/peer.h"

static int take(void *ctx, const mllp_peer *peer, const char *msg, size_t len,
                sw_buf *reply)
{
    suite_ehr *e = ctx;
    hl7_inbound_result r;
    int rc = hl7_inbound_take(e->store, e->practice_id, peer->address, msg, len,
                              reply, &r);
    pthread_mutex_lock(&e->lock);
    e->last = r;
    e->taken++;
    pthread_mutex_unlock(&e->lock);
    return rc;
}

struct peer_ctx {
    int64_t     practice_id;
    const char *host;
    int         port;
};

static int init_fn(store_tx *tx, void *arg)
{
    struct peer_ctx *pc = arg;
    bool created;
    int rc = auth_practice_ensure(tx, pc->practice_id, "Interface test", false,
                                  &created);
    if (rc != SW_OK)
        return rc;
    hl7_peer p = { .practice_id = pc->practice_id, .send_port = pc->port,
                   .processing_id = "T", .updated_at = sw_now_wall_ms() };
    snprintf(p.send_host, sizeof p.send_host, "%s", pc->host);
    snprintf(p.facility, sizeof p.facility, "%s", SUITE_FACILITY);
    /* The PMS sends from here (the simulator on this host) or from its
     * own address when that is numeric. */
    sw_err err;
    char list[320];
    snprintf(list, sizeof list, "127.0.0.1,%s", pc->host);
    if (strcmp(pc->host, "127.0.0.1") == 0
        || hl7_peer_parse_addresses(&p, list, &err) != SW_OK)
        hl7_peer_parse_addresses(&p, "127.0.0.1", &err);
    return hl7_peer_save(tx, &p);
}

int suite_ehr_open(suite_ehr *e, const hl7_suite_options *o, sw_err *err)
{
    memset(e, 0, sizeof *e);
    e->o = o;
    pthread_mutex_init(&e->lock, NULL);
    const char *tmp = getenv("TMPDIR");
    snprintf(e->dir, sizeof e->dir, "%s/stagewise-interface-test-XXXXXX",
             tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(e->dir) == NULL) {
        e->dir[0] = '\0';
        return sw_err_set(err, SW_EIO, "cannot create a scratch directory "
                          "for the test EHR");
    }
    char url[320];
    snprintf(url, sizeof url, "sqlite:%s/scratch.db", e->dir);
    store_options so = { .create = true, .connections = 2 };
    int rc = store_open(url, &so, &e->store, err);
    int from, to;
    if (rc == SW_OK)
        rc = store_migrate(e->store, &from, &to, err);
    e->practice_id = sw_now_wall_ms();
    struct peer_ctx pc = { e->practice_id, o->peer_host, o->peer_port };
    if (rc == SW_OK)
        rc = store_write(e->store, init_fn, &pc, err);
    if (rc != SW_OK)
        return rc;
    mllp_server_config mc = { .host = "127.0.0.1", .port = 0, .handler = take,
                              .ctx = e };
    rc = mllp_server_start(&mc, &e->listener, err);
    if (rc != SW_OK)
        return rc;
    e->listen_port = mllp_server_port(e->listener);
    e->client = (mllp_client_config){
        .connect_timeout_ms = 5000,
        .reply_timeout_ms = o->reply_timeout_ms > 0 ? o->reply_timeout_ms : 10000,
    };
    return SW_OK;
}

void suite_ehr_close(suite_ehr *e)
{
    mllp_server_stop(e->listener);
    e->listener = NULL;
    store_close(e->store);
    e->store = NULL;
    if (e->dir[0]) {
        static const char *const files[] = { "scratch.db", "scratch.db-wal",
                                             "scratch.db-shm",
                                             "scratch.db-journal" };
        char path[400];
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            snprintf(path, sizeof path, "%s/%s", e->dir, files[i]);
            unlink(path);
        }
        rmdir(e->dir);
    }
    pthread_mutex_destroy(&e->lock);
}

struct send_ctx {
    int64_t     practice_id;
    const char *host;
    int         port;
};

static int send_to_fn(store_tx *tx, void *arg)
{
    struct send_ctx *c = arg;
    hl7_peer p;
    int rc = hl7_peer_load(tx, c->practice_id, &p);
    if (rc != SW_OK)
        return rc;
    snprintf(p.send_host, sizeof p.send_host, "%s", c->host);
    p.send_port = c->port;
    p.updated_at = sw_now_wall_ms();
    return hl7_peer_save(tx, &p);
}

int suite_ehr_send_to(suite_ehr *e, const char *host, int port, sw_err *err)
{
    struct send_ctx c = { e->practice_id, host, port };
    return store_write(e->store, send_to_fn, &c, err);
}

struct row_ctx {
    int64_t           practice_id;
    int64_t           seq;
    suite_outbox_row *out;
};

static int row_fn(store_tx *tx, void *arg)
{
    struct row_ctx *c = arg;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT status, control_id, last_error, attempts, "
                           "next_at, acked_at, sent_at FROM hl7_outbox "
                           "WHERE practice_id = ? AND seq = ?", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, c->practice_id);
    store_bind_int64(st, 2, c->seq);
    bool row = false;
    rc = store_step(st, &row);
    if (rc == SW_OK && !row)
        rc = SW_ENOTFOUND;
    if (rc == SW_OK) {
        suite_outbox_row *o = c->out;
        snprintf(o->status, sizeof o->status, "%s", store_col_text(st, 0, NULL));
        snprintf(o->control_id, sizeof o->control_id, "%s",
                 store_col_text(st, 1, NULL));
        snprintf(o->last_error, sizeof o->last_error, "%s",
                 store_col_text(st, 2, NULL));
        o->attempts = store_col_int64(st, 3);
        o->next_at = store_col_int64(st, 4);
        o->acked_at = store_col_int64(st, 5);
        o->sent_at = store_col_int64(st, 6);
    }
    store_finalize(st);
    return rc;
}

int suite_outbox_get(suite_ehr *e, int64_t seq, suite_outbox_row *out,
                     sw_err *err)
{
    memset(out, 0, sizeof *out);
    struct row_ctx c = { e->practice_id, seq, out };
    return store_read(e->store, row_fn, &c, err);
}

struct res_ctx {
    int64_t     practice_id;
    const char *type;
    json_t     *list;
};

static int resources_fn(store_tx *tx, void *arg)
{
    struct res_ctx *c = arg;
    json_array_clear(c->list);
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT body FROM fhir_resource WHERE "
                           "practice_id = ? AND res_type = ? AND deleted = 0",
                           &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, c->practice_id);
    store_bind_cstr(st, 2, c->type);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        size_t n;
        const char *body = store_col_text(st, 0, &n);
        json_t *doc = json_loadb(body, n, 0, NULL);
        if (doc)
            json_array_append_new(c->list, doc);
    }
    store_finalize(st);
    return rc;
}

int suite_resources(suite_ehr *e, const char *type, json_t **out, sw_err *err)
{
    struct res_ctx c = { e->practice_id, type, json_array() };
    *out = NULL;
    if (c.list == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    int rc = store_read(e->store, resources_fn, &c, err);
    if (rc != SW_OK) {
        json_decref(c.list);
        return rc;
    }
    *out = c.list;
    return SW_OK;
}
