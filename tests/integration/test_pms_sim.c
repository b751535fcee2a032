/* test_pms_sim.c - `stagewise pms-sim`, the practice-management system
 * stand-in, as a real process over real sockets: DFT^P03 charges sent to
 * it over MLLP are checked as a billing system would and answered by the
 * mode set through its control interface (AA, AE naming the field, AR,
 * down, a dropped ACK whose resend is recognised as a duplicate, slow,
 * enhanced mode), and the ADT and SIU messages it generates reach an EHR:
 * `stagewise serve --mllp` with the simulator's address in its peer list
 * (set with `stagewise interface peer`). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "hl7/ack.h"
#include "hl7/mllp.h"
#include "hl7/writer.h"
#include "pmssim_proc.h"
#include "testdb.h"
#include "testserver.h"

static int setup(void **state)
{
    sw_test_pmssim *p = calloc(1, sizeof *p);
    if (sw_test_pmssim_start(p, NULL) != 0) {
        free(p);
        return -1;
    }
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    sw_test_pmssim *p = *state;
    int st = sw_test_pmssim_stop(p);
    free(p);
    return st == 0 ? 0 : -1;
}

/* A DFT^P03 with one FT1 per code; NULL npi or date leaves it out. */
static void dft(sw_buf *out, const char *control_id, const char *accept_ack,
                const char *const *codes, const char *npi, const char *date)
{
    hl7_writer w;
    sw_buf_reset(out);
    hl7_w_begin(&w, out);
    hl7_w_msh(&w, &(hl7_msh){ .sending_app = "STAGEWISE", .sending_facility = "1",
                              .receiving_app = "PMS", .receiving_facility = "SIM",
                              .type = "DFT^P03^DFT_P03", .control_id = control_id,
                              .processing_id = "T", .accept_ack = accept_ack,
                              .app_ack = accept_ack ? "NE" : NULL });
    hl7_w_segment(&w, "EVN");
    hl7_w_field(&w, "P03");
    hl7_w_segment(&w, "PID");
    hl7_w_field(&w, "1");
    hl7_w_skip(&w, 1);
    hl7_w_field(&w, "MRN-1");
    hl7_w_segment(&w, "PV1");
    hl7_w_field(&w, "1");
    hl7_w_field(&w, "O");
    for (size_t i = 0; codes[i]; i++) {
        char charge_id[32];
        snprintf(charge_id, sizeof charge_id, "C%zu", i + 1);
        hl7_w_segment(&w, "FT1");
        hl7_w_fieldf(&w, "%zu", i + 1);         /* FT1-1 */
        hl7_w_field(&w, charge_id);             /* FT1-2 */
        hl7_w_skip(&w, 1);                      /* FT1-3 */
        hl7_w_field(&w, date);                  /* FT1-4 */
        hl7_w_skip(&w, 1);                      /* FT1-5 */
        hl7_w_field(&w, "CG");                  /* FT1-6 */
        hl7_w_field(&w, codes[i]);              /* FT1-7 */
        hl7_w_skip(&w, 12);                     /* FT1-8..19 */
        hl7_w_field(&w, npi);                   /* FT1-20 */
    }
    assert_int_equal(hl7_w_end(&w), SW_OK);
}

/* One message on a new connection; SW_OK with the ACK read into a. */
static int exchange(int port, const sw_buf *msg, hl7_ack *a)
{
    mllp_client_config cc = { .host = "127.0.0.1", .port = port,
                              .reply_timeout_ms = 10000 };
    mllp_client *c;
    sw_err err;
    int rc = mllp_client_connect(&cc, &c, &err);
    if (rc != SW_OK)
        return rc;
    sw_buf reply = SW_BUF_INIT(1 << 20);
    rc = mllp_client_exchange(c, msg->data, msg->len, &reply, &err);
    mllp_client_close(c);
    if (rc == SW_OK) {
        rc = hl7_ack_read(reply.data, reply.len, a, &err);
        if (rc != SW_OK)
            fprintf(stderr, "not an ACK: %s\n", sw_err_text(&err));
    }
    sw_buf_free(&reply);
    return rc;
}

static void set_mode(sw_test_pmssim *p, const char *body)
{
    json_t *doc;
    assert_int_equal(sw_test_pmssim_call(p, "PUT", "/mode", body, &doc), 200);
    json_decref(doc);
}

static const char *const ONE_VISIT[] = { "99213", "36415", NULL };

static void test_valid_dft_is_accepted_and_kept(void **state)
{
    sw_test_pmssim *p = *state;
    sw_buf msg = SW_BUF_INIT(1 << 20);
    dft(&msg, "CTL-1", NULL, ONE_VISIT, "1234567893", "20261125");
    hl7_ack a;
    assert_int_equal(exchange(p->mllp_port, &msg, &a), SW_OK);
    assert_string_equal(a.code, "AA");
    assert_string_equal(a.control_id, "CTL-1");

    json_t *doc;
    assert_int_equal(sw_test_pmssim_call(p, "GET", "/received", NULL, &doc), 200);
    json_t *r = json_array_get(json_object_get(doc, "received"), 0);
    assert_non_null(r);
    assert_string_equal(json_string_value(json_object_get(r, "control_id")), "CTL-1");
    assert_string_equal(json_string_value(json_object_get(r, "type")), "DFT^P03");
    assert_string_equal(json_string_value(json_object_get(r, "patient_id")), "MRN-1");
    json_t *codes = json_object_get(r, "ft1_codes");
    assert_int_equal(json_array_size(codes), 2);
    assert_string_equal(json_string_value(json_array_get(codes, 0)), "99213");
    assert_string_equal(json_string_value(json_array_get(codes, 1)), "36415");
    assert_string_equal(json_string_value(json_array_get(json_object_get(r, "npi"), 0)),
                        "1234567893");
    assert_int_equal(json_integer_value(json_object_get(r, "duplicates")), 0);
    json_decref(doc);

    /* The text as received, and forgetting everything. */
    sw_http_result res;
    assert_int_equal(sw_http(&p->ctl, "GET", "/received/CTL-1", NULL, NULL, 0, &res), 0);
    assert_int_equal(res.status, 200);
    assert_non_null(strstr(res.body, "FT1|1|C1||20261125||CG|99213"));
    sw_http_result_free(&res);
    assert_int_equal(sw_test_pmssim_call(p, "GET", "/received/NOPE", NULL, NULL), 404);
    assert_int_equal(sw_test_pmssim_call(p, "DELETE", "/received", NULL, NULL), 200);
    assert_int_equal(sw_test_pmssim_call(p, "GET", "/received", NULL, &doc), 200);
    assert_int_equal(json_array_size(json_object_get(doc, "received")), 0);
    json_decref(doc);
    sw_buf_free(&msg);
}

static void test_incomplete_dft_is_answered_ae_naming_the_fields(void **state)
{
    sw_test_pmssim *p = *state;
    sw_buf msg = SW_BUF_INIT(1 << 20);
    static const char *const no_code[] = { "99213", "", NULL };
    dft(&msg, "CTL-BAD", NULL, no_code, NULL, "20261125");
    hl7_ack a;
    assert_int_equal(exchange(p->mllp_port, &msg, &a), SW_OK);
    assert_string_equal(a.code, "AE");
    assert_string_equal(a.control_id, "CTL-BAD");
    assert_non_null(strstr(a.text, "FT1-7"));
    assert_non_null(strstr(a.text, "FT1-20"));

    /* A date of service that is not a date. */
    dft(&msg, "CTL-BAD-DATE", NULL, ONE_VISIT, "1234567893", "tomorrow");
    assert_int_equal(exchange(p->mllp_port, &msg, &a), SW_OK);
    assert_string_equal(a.code, "AE");
    assert_non_null(strstr(a.text, "FT1-4"));
    sw_buf_free(&msg);
}

static void test_modes_ae_ar_down_slow(void **state)
{
    sw_test_pmssim *p = *state;
    sw_buf msg = SW_BUF_INIT(1 << 20);
    hl7_ack a;

    set_mode(p, "{\"mode\":\"ae\"}");
    dft(&msg, "M-AE", NULL, ONE_VISIT, "1234567893", "20261125");
    assert_int_equal(exchange(p->mllp_port, &msg, &a), SW_OK);
    assert_string_equal(a.code, "AE");

    set_mode(p, "{\"mode\":\"ar\"}");
    dft(&msg, "M-AR", NULL, ONE_VISIT, "1234567893", "20261125");
    assert_int_equal(exchange(p->mllp_port, &msg, &a), SW_OK);
    assert_string_equal(a.code, "AR");

    set_mode(p, "{\"mode\":\"down\"}");
    assert_int_not_equal(exchange(p->mllp_port, &msg, &a), SW_OK);

    /* Back up: the message refused with AR is taken when sent again. */
    set_mode(p, "{\"mode\":\"slow\",\"slow_ms\":200}");
    json_t *doc;
    assert_int_equal(sw_test_pmssim_call(p, "GET", "/mode", NULL, &doc), 200);
    assert_string_equal(json_string_value(json_object_get(doc, "mode")), "slow");
    assert_int_equal(json_integer_value(json_object_get(doc, "slow_ms")), 200);
    json_decref(doc);
    assert_int_equal(exchange(p->mllp_port, &msg, &a), SW_OK);
    assert_string_equal(a.code, "AA");
    assert_string_equal(a.control_id, "M-AR");

    /* Bad requests name what is wrong. */
    assert_int_equal(sw_test_pmssim_call(p, "PUT", "/mode", "{\"mode\":\"sleepy\"}",
                                         &doc), 400);
    char *text = json_dumps(doc, 0);
    assert_non_null(strstr(text, "sleepy"));
    free(text);
    json_decref(doc);
    assert_int_equal(sw_test_pmssim_call(p, "PUT", "/mode", "{\"mode\":\"slow\","
                                         "\"slow_ms\":-1}", NULL), 400);
    assert_int_equal(sw_test_pmssim_call(p, "PUT", "/mode", "[]", NULL), 400);
    sw_buf_free(&msg);
}

static void test_dropped_ack_then_resend_is_a_duplicate(void **state)
{
    sw_test_pmssim *p = *state;
    sw_buf msg = SW_BUF_INIT(1 << 20);
    hl7_ack a;
    set_mode(p, "{\"mode\":\"drop-ack\"}");
    dft(&msg, "DROP-1", NULL, ONE_VISIT, "1234567893", "20261125");
    /* Kept, then the connection closes without an ACK. */
    assert_int_not_equal(exchange(p->mllp_port, &msg, &a), SW_OK);
    /* The EHR retries with the same MSH-10: recognised, answered AA. */
    assert_int_equal(exchange(p->mllp_port, &msg, &a), SW_OK);
    assert_string_equal(a.code, "AA");
    assert_string_equal(a.control_id, "DROP-1");
    set_mode(p, "{\"mode\":\"normal\"}");
    assert_int_equal(exchange(p->mllp_port, &msg, &a), SW_OK);
    assert_string_equal(a.code, "AA");

    json_t *doc;
    assert_int_equal(sw_test_pmssim_call(p, "GET", "/received", NULL, &doc), 200);
    json_t *list = json_object_get(doc, "received");
    assert_int_equal(json_array_size(list), 1);       /* kept once */
    json_t *r = json_array_get(list, 0);
    assert_int_equal(json_integer_value(json_object_get(r, "duplicates")), 2);
    assert_int_equal(json_integer_value(json_object_get(r, "attempts")), 3);
    assert_int_equal(json_integer_value(json_object_get(doc, "duplicates")), 2);
    json_decref(doc);
    sw_buf_free(&msg);
}

static void test_enhanced_mode_answers_ca(void **state)
{
    sw_test_pmssim *p = *state;
    sw_buf msg = SW_BUF_INIT(1 << 20);
    hl7_ack a;
    dft(&msg, "ENH-1", "AL", ONE_VISIT, "1234567893", "20261125");
    assert_int_equal(exchange(p->mllp_port, &msg, &a), SW_OK);
    assert_string_equal(a.code, "CA");
    static const char *const no_code[] = { "", NULL };
    dft(&msg, "ENH-2", "AL", no_code, "1234567893", "20261125");
    assert_int_equal(exchange(p->mllp_port, &msg, &a), SW_OK);
    assert_string_equal(a.code, "CE");
    sw_buf_free(&msg);
}

static void test_record_file_keeps_every_message(void **state)
{
    (void)state;
    char *dir = sw_test_tmpdir();
    char path[4200], arg[4300];
    snprintf(path, sizeof path, "%s/received.jsonl", dir);
    snprintf(arg, sizeof arg, "%s", path);
    const char *extra[] = { "--record", arg, "--mode", "ae", NULL };
    sw_test_pmssim p;
    assert_int_equal(sw_test_pmssim_start(&p, extra), 0);
    sw_buf msg = SW_BUF_INIT(1 << 20);
    hl7_ack a;
    dft(&msg, "REC-1", NULL, ONE_VISIT, "1234567893", "20261125");
    assert_int_equal(exchange(p.mllp_port, &msg, &a), SW_OK);
    assert_string_equal(a.code, "AE");
    assert_int_equal(sw_test_pmssim_stop(&p), 0);
    size_t n;
    char *text = sw_test_slurp(path, &n);
    json_t *line = json_loads(text, JSON_DISABLE_EOF_CHECK, NULL);
    assert_non_null(line);
    assert_string_equal(json_string_value(json_object_get(line, "control_id")), "REC-1");
    assert_string_equal(json_string_value(json_object_get(line, "type")), "DFT^P03");
    assert_non_null(strstr(json_string_value(json_object_get(line, "text")), "99213"));
    assert_non_null(json_object_get(line, "time"));
    json_decref(line);
    free(text);
    free(dir);
    sw_buf_free(&msg);
}

/* ---- Sending to an EHR ------------------------------------------------------ */

static void test_generated_messages_reach_the_ehr(void **state)
{
    (void)state;
    char *db = sw_test_fresh_db_of("sqlite");
    sw_test_init_db(db);
    /* The simulator sends from 127.0.0.1, with processing id T. */
    const char *peer[] = { "interface", "peer", "--db", db, "--allow", "127.0.0.1",
                           "--processing-id", "T", NULL };
    assert_int_equal(sw_test_run(peer, NULL, NULL, NULL), 0);
    const char *extra[] = { "--mllp", "127.0.0.1:0", NULL };
    sw_test_server ehr;
    assert_int_equal(sw_test_server_start(&ehr, db, extra), 0);
    assert_true(ehr.mllp_port > 0);

    char ehr_arg[64];
    snprintf(ehr_arg, sizeof ehr_arg, "127.0.0.1:%d", ehr.mllp_port);
    const char *sim_args[] = { "--ehr", ehr_arg, "--seed", "7", NULL };
    sw_test_pmssim p;
    assert_int_equal(sw_test_pmssim_start(&p, sim_args), 0);

    /* Nothing to update or book for yet. */
    assert_int_equal(sw_test_pmssim_call(&p, "POST", "/send/update-patient", NULL,
                                         NULL), 404);
    assert_int_equal(sw_test_pmssim_call(&p, "POST", "/send/bogus", NULL, NULL), 404);

    static const char *const scenarios[] = { "new-patient", "update-patient",
                                             "book", "reschedule", "cancel" };
    static const char *const types[] = { "ADT^A04", "ADT^A08", "SIU^S12",
                                         "SIU^S13", "SIU^S15" };
    for (size_t i = 0; i < 5; i++) {
        char path[64];
        snprintf(path, sizeof path, "/send/%s", scenarios[i]);
        json_t *doc;
        long st = sw_test_pmssim_call(&p, "POST", path, "{}", &doc);
        if (st != 200 || strcmp(json_string_value(json_object_get(doc, "ack_code")),
                                "AA") != 0) {
            char *log = sw_test_server_log(&ehr);
            fprintf(stderr, "%s: %ld %s\nEHR log:\n%s\n", scenarios[i], st,
                    doc ? json_dumps(doc, JSON_INDENT(1)) : "", log);
            free(log);
        }
        assert_int_equal(st, 200);
        assert_string_equal(json_string_value(json_object_get(doc, "ack_code")), "AA");
        const char *message = json_string_value(json_object_get(doc, "message"));
        assert_non_null(strstr(message, types[i]));
        assert_non_null(strstr(message, "|T|2.5.1"));
        if (i == 0) {
            /* A whole registration: authority, name, birth date, sex,
             * address, phone, insurance. */
            assert_non_null(strstr(message, "^^^SIMPMS^MR|"));
            assert_non_null(strstr(message, "\rIN1|1|"));
            assert_non_null(strstr(message, "^USA^H|"));
        }
        json_decref(doc);
    }
    /* The same seed generates the same first patient. */
    sw_test_pmssim q;
    assert_int_equal(sw_test_pmssim_start(&q, sim_args), 0);
    json_t *a, *b;
    assert_int_equal(sw_test_pmssim_call(&q, "POST", "/send/new-patient", "{}", &a), 200);
    assert_int_equal(sw_test_pmssim_stop(&q), 0);
    assert_int_equal(sw_test_pmssim_start(&q, sim_args), 0);
    assert_int_equal(sw_test_pmssim_call(&q, "POST", "/send/new-patient", "{}", &b), 200);
    const char *ma = strstr(json_string_value(json_object_get(a, "message")), "\rPID|");
    const char *mb = strstr(json_string_value(json_object_get(b, "message")), "\rPID|");
    assert_non_null(ma);
    assert_non_null(mb);
    assert_memory_equal(ma, mb, 60);
    json_decref(a);
    json_decref(b);
    assert_int_equal(sw_test_pmssim_stop(&q), 0);

    /* A message given as text, to an explicit address. */
    char body[1024];
    snprintf(body, sizeof body, "{\"to\":\"127.0.0.1:%d\",\"message\":"
             "\"MSH|^~\\\\&|PMSSIM|SIMCLINIC|STAGEWISE|1|20261125090000||ADT^A04^ADT_A01|RAW-1|T|2.5.1\\n"
             "EVN|A04|20261125090000\\nPID|1||RAW123^^^SIMPMS^MR||Doe^Jane||19800101|F\"}",
             ehr.mllp_port);
    json_t *doc;
    assert_int_equal(sw_test_pmssim_call(&p, "POST", "/send", body, &doc), 200);
    assert_string_equal(json_string_value(json_object_get(doc, "control_id")), "RAW-1");
    assert_string_equal(json_string_value(json_object_get(doc, "ack_code")), "AA");
    json_decref(doc);
    assert_int_equal(sw_test_pmssim_call(&p, "POST", "/send", "{\"to\":\"nowhere\","
                                         "\"message\":\"MSH|^~\\\\&\"}", NULL), 400);

    /* An EHR that is not there: 502 with the reason. */
    assert_int_equal(sw_test_server_stop(&ehr, 15, 20), 0);
    assert_int_equal(sw_test_pmssim_call(&p, "POST", "/send/book", "{}", &doc), 502);
    assert_non_null(json_object_get(doc, "error"));
    json_decref(doc);
    assert_int_equal(sw_test_pmssim_stop(&p), 0);
    free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_dft_is_accepted_and_kept,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_incomplete_dft_is_answered_ae_naming_the_fields,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_modes_ae_ar_down_slow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_ack_then_resend_is_a_duplicate,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_enhanced_mode_answers_ca, setup, teardown),
        cmocka_unit_test(test_record_file_keeps_every_message),
        cmocka_unit_test(test_generated_messages_reach_the_ehr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
