/* control.c - the PMS simulator's control interface: HTTP with JSON
 * bodies, no authentication (it binds to 127.0.0.1 unless told
 * otherwise), for tests, demos and the go-live suite's --peer-control:
 *   GET    /received              what arrived, oldest first
 *   GET    /received/{control_id} one message's text as received
 *   DELETE /received              forget everything received
 *   GET    /mode                  {"mode", "slow_ms"}
 *   PUT    /mode                  {"mode": "normal"|"ae"|"ar"|"down"|
 *                                  "drop-ack"|"slow", "slow_ms"?}
 *   POST   /send                  {"to"?: "HOST:PORT", "message": text}
 *   POST   /send/{scenario}       {"to"?}: new-patient, update-patient,
 *                                  book, reschedule, cancel
 * A send answers {"to", "control_id", "message", "ack", "ack_code"}; 502
 * with the reason when the EHR could not be reached or did not answer. */
#include "pmssim/pmssim_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "http/http.h"

static pmssim *sim(sw_request *req)
{
    return req->ctx;
}

static int reply(sw_response *res, int status, json_t *doc)
{
    if (doc == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    char *s = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (s == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    int rc = http_reply(res, status, "application/json", s, strlen(s));
    free(s);
    return rc;
}

/* The body as a JSON object; an empty body is {}. */
static int body_object(sw_request *req, sw_response *res, json_t **out)
{
    *out = NULL;
    if (req->body_len == 0) {
        *out = json_object();
        return *out ? SW_OK : http_fail(res, SW_ENOMEM, NULL);
    }
    json_error_t je;
    json_t *doc = json_loadb(req->body, req->body_len, 0, &je);
    if (doc == NULL || !json_is_object(doc)) {
        json_decref(doc);
        return http_fail(res, SW_EINVAL, "the body must be a JSON object");
    }
    *out = doc;
    return SW_OK;
}

static int get_received(sw_request *req, sw_response *res)
{
    pmssim *p = sim(req);
    pthread_mutex_lock(&p->lock);
    json_t *doc = pmssim_log_json(&p->log);
    pthread_mutex_unlock(&p->lock);
    return reply(res, 200, doc);
}

static int get_received_one(sw_request *req, sw_response *res)
{
    pmssim *p = sim(req);
    const char *id = http_route_value(req, "control_id");
    int rc = SW_ENOTFOUND;
    pthread_mutex_lock(&p->lock);
    for (size_t i = p->log.n; i-- > 0;) {
        if (strcmp(p->log.items[i].control_id, id) == 0) {
            rc = http_reply(res, 200, "x-application/hl7-v2+er7",
                            p->log.items[i].text, strlen(p->log.items[i].text));
            break;
        }
    }
    pthread_mutex_unlock(&p->lock);
    if (rc == SW_ENOTFOUND)
        return http_fail(res, rc, "no message with control id %s was received",
                         id);
    return rc;
}

static int delete_received(sw_request *req, sw_response *res)
{
    pmssim *p = sim(req);
    pthread_mutex_lock(&p->lock);
    size_t n = p->log.n;
    pmssim_log_clear(&p->log);
    pthread_mutex_unlock(&p->lock);
    return reply(res, 200, json_pack("{s:I}", "cleared", (json_int_t)n));
}

static json_t *mode_json(pmssim *p)
{
    return json_pack("{s:s, s:i}", "mode", pmssim_mode_name(p->mode),
                     "slow_ms", p->slow_ms);
}

static int get_mode(sw_request *req, sw_response *res)
{
    pmssim *p = sim(req);
    pthread_mutex_lock(&p->lock);
    json_t *doc = mode_json(p);
    pthread_mutex_unlock(&p->lock);
    return reply(res, 200, doc);
}

static int put_mode(sw_request *req, sw_response *res)
{
    pmssim *p = sim(req);
    json_t *doc;
    int rc = body_object(req, res, &doc);
    if (rc != SW_OK)
        return rc;
    const char *name = json_string_value(json_object_get(doc, "mode"));
    json_t *slow = json_object_get(doc, "slow_ms");
    pmssim_mode mode;
    if (name == NULL)
        rc = http_fail(res, SW_EINVAL, "mode is required: normal, ae, ar, "
                       "down, drop-ack or slow");
    else if (pmssim_mode_parse(name, &mode) != SW_OK)
        rc = http_fail(res, SW_EINVAL, "mode '%s' is not one of normal, ae, "
                       "ar, down, drop-ack, slow", name);
    else if (slow && (!json_is_integer(slow) || json_integer_value(slow) < 0
                      || json_integer_value(slow) > PMSSIM_MAX_SLOW_MS))
        rc = http_fail(res, SW_EINVAL, "slow_ms must be a whole number of "
                       "milliseconds from 0 to %d", PMSSIM_MAX_SLOW_MS);
    if (rc == SW_OK) {
        pthread_mutex_lock(&p->lock);
        p->mode = mode;
        if (slow)
            p->slow_ms = (int)json_integer_value(slow);
        json_t *now = mode_json(p);
        pthread_mutex_unlock(&p->lock);
        rc = reply(res, 200, now);
    }
    json_decref(doc);
    return rc;
}

/* "to", else the EHR given at start. */
static int destination(pmssim *p, json_t *doc, sw_response *res, char *host,
                       size_t cap, int *port)
{
    json_t *to = json_object_get(doc, "to");
    if (to == NULL) {
        if (p->ehr_host[0] == '\0')
            return http_fail(res, SW_EINVAL, "to is required (HOST:PORT): the "
                             "simulator was started without --ehr");
        snprintf(host, cap, "%s", p->ehr_host);
        *port = p->ehr_port;
        return SW_OK;
    }
    const char *s = json_string_value(to);
    const char *colon = s ? strrchr(s, ':') : NULL;
    char *end = NULL;
    long n = colon ? strtol(colon + 1, &end, 10) : 0;
    if (colon == NULL || colon == s || end == colon + 1 || *end != '\0'
        || n < 1 || n > 65535 || (size_t)(colon - s) >= cap)
        return http_fail(res, SW_EINVAL, "to must be HOST:PORT");
    const char *h = s, *he = colon;
    if (*h == '[' && he[-1] == ']') {          /* [::1]:2575 */
        h++;
        he--;
    }
    snprintf(host, cap, "%.*s", (int)(he - h), h);
    *port = (int)n;
    return SW_OK;
}

/* Sends msg and answers with what came back. */
static int send_and_reply(sw_response *res, const char *host, int port,
                          const char *control_id, const sw_buf *msg)
{
    sw_buf ack = SW_BUF_INIT(SW_HL7_MAX_MESSAGE_BYTES);
    sw_err err;
    char to[300];
    snprintf(to, sizeof to, "%s:%d", host, port);
    int rc = pmssim_send(host, port, msg->data, msg->len, &ack, &err);
    json_t *doc;
    int status;
    if (rc == SW_OK) {
        hl7_ack a;
        sw_err aerr;
        bool ok = hl7_ack_read(ack.data, ack.len, &a, &aerr) == SW_OK;
        doc = json_pack("{s:s, s:s, s:s%, s:s%, s:s, s:s}", "to", to,
                        "control_id", control_id, "message", msg->data, msg->len,
                        "ack", ack.data ? ack.data : "", ack.len,
                        "ack_code", ok ? a.code : "",
                        "ack_text", ok ? a.text : sw_err_text(&aerr));
        status = 200;
    } else {
        doc = json_pack("{s:{s:s, s:s}, s:s, s:s, s:s%}", "error",
                        "code", sw_code_id(rc), "message", sw_err_text(&err),
                        "to", to, "control_id", control_id,
                        "message", msg->data, msg->len);
        status = 502;
    }
    sw_buf_free(&ack);
    return reply(res, status, doc);
}

/* A message as people paste it: line ends become the CR that HL7 uses. */
static int normalise(const char *text, sw_buf *out)
{
    for (const char *s = text; *s; s++) {
        if (*s == '\r' && s[1] == '\n')
            continue;
        int rc = sw_buf_putc(out, *s == '\n' ? '\r' : *s);
        if (rc != SW_OK)
            return rc;
    }
    return SW_OK;
}

static int post_send(sw_request *req, sw_response *res)
{
    pmssim *p = sim(req);
    json_t *doc;
    int rc = body_object(req, res, &doc);
    if (rc != SW_OK)
        return rc;
    char host[256];
    int port = 0;
    sw_buf msg = SW_BUF_INIT(SW_HL7_MAX_MESSAGE_BYTES);
    const char *text = json_string_value(json_object_get(doc, "message"));
    rc = destination(p, doc, res, host, sizeof host, &port);
    if (rc == SW_OK && (text == NULL || text[0] == '\0'))
        rc = http_fail(res, SW_EINVAL, "message is required: the HL7 v2 "
                       "message to send, as text");
    if (rc == SW_OK && normalise(text, &msg) != SW_OK)
        rc = http_fail(res, SW_ETOOBIG, "message is longer than %d bytes",
                       SW_HL7_MAX_MESSAGE_BYTES);
    if (rc == SW_OK) {
        /* The control id as written, for the answer. */
        char control_id[200] = "";
        sw_arena *a = sw_arena_create(0);
        hl7_message *m;
        sw_err err;
        if (a && hl7_parse(a, msg.data, msg.len, &m, &err) == SW_OK) {
            const char *c = hl7_get(m, "MSH", 1, 10, 1, 1, 1);
            snprintf(control_id, sizeof control_id, "%s", c ? c : "");
        }
        sw_arena_destroy(a);
        rc = send_and_reply(res, host, port, control_id, &msg);
    }
    sw_buf_free(&msg);
    json_decref(doc);
    return rc;
}

static int post_send_scenario(sw_request *req, sw_response *res)
{
    pmssim *p = sim(req);
    const char *scenario = http_route_value(req, "scenario");
    if (!pmssim_scenario_known(scenario))
        return http_fail(res, SW_ENOTFOUND, "unknown scenario '%s': new-patient, "
                         "update-patient, book, reschedule or cancel", scenario);
    json_t *doc;
    int rc = body_object(req, res, &doc);
    if (rc != SW_OK)
        return rc;
    char host[256], control_id[32];
    int port = 0;
    sw_buf msg = SW_BUF_INIT(SW_HL7_MAX_MESSAGE_BYTES);
    rc = destination(p, doc, res, host, sizeof host, &port);
    if (rc == SW_OK) {
        sw_err err;
        pthread_mutex_lock(&p->lock);
        rc = pmssim_generate(&p->gen, scenario, sw_now_wall_ms(), &msg,
                             control_id, &err);
        pthread_mutex_unlock(&p->lock);
        if (rc != SW_OK)
            rc = http_fail(res, rc, "%s", sw_err_text(&err));
    }
    if (rc == SW_OK)
        rc = send_and_reply(res, host, port, control_id, &msg);
    sw_buf_free(&msg);
    json_decref(doc);
    return rc;
}

static const http_route control_routes[] = {
    { "GET",    "/received",              get_received,       HTTP_ROUTE_PUBLIC, NULL },
    { "GET",    "/received/{control_id}", get_received_one,   HTTP_ROUTE_PUBLIC, NULL },
    { "DELETE", "/received",              delete_received,    HTTP_ROUTE_PUBLIC, NULL },
    { "GET",    "/mode",                  get_mode,           HTTP_ROUTE_PUBLIC, NULL },
    { "PUT",    "/mode",                  put_mode,
      HTTP_ROUTE_PUBLIC | HTTP_ROUTE_BODY, NULL },
    { "POST",   "/send",                  post_send,
      HTTP_ROUTE_PUBLIC | HTTP_ROUTE_BODY, NULL },
    { "POST",   "/send/{scenario}",       post_send_scenario,
      HTTP_ROUTE_PUBLIC | HTTP_ROUTE_BODY, NULL },
};

int pmssim_control_start(pmssim *p, const char *host, int port, sw_err *err)
{
    p->control_table = (http_route_table){
        .name = "pms-sim", .routes = control_routes,
        .count = sizeof control_routes / sizeof control_routes[0], .ctx = p,
    };
    p->control_tables[0] = &p->control_table;
    http_server_config hc = {
        .host = host, .port = port, .threads = 2, .request_timeout_s = 60,
        .idle_timeout_s = 60, .tables = p->control_tables, .ntables = 1,
        .app = p,
    };
    return http_server_start(&hc, &p->control, err);
}
