/* test_ack.c - HL7 v2 acknowledgments (src/hl7/ack.c): the ACK built for a
 * parsed message (MSH turned around, our own unique control id, version
 * and processing id copied, MSA), ERR segments in the v2.5 form (and ERR-1
 * for v2.3 senders), the answer to input that does not parse, and reading
 * ACKs back: ours, a v2.3 one with MSA-3 and no ERR, one with only ERR-1,
 * a v2.1 one from the test data, and what is not an ACK. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "hl7/ack.h"
#include "hl7/message.h"
#include "hl7_test.h"

#define NOW_MS 1764000000000LL   /* 2025-11-24T16:00:00Z */

static const char ADT_251[] =
    "MSH|^~\\&|PMS|CLINIC^1.2.3^ISO|EHR|PRACTICE1|20251124120000||ADT^A04^ADT_A01|"
    "MSG0001|T|2.5.1\r"
    "PID|1||12345^^^PMS^MR||DOE^JANE||19800101|F\r";

static const char ADT_23[] =
    "MSH|^~\\&|PMS|CLINIC|EHR|PRACTICE1|20251124120000||ADT^A08|OLD42|P|2.3\r"
    "PID|1||12345^^^PMS^MR||DOE^JANE||1980x|F\r";

#define A hl7_test_arena

static const char *get(const hl7_message *m, const char *seg, size_t occ,
                       size_t field, size_t comp, size_t sub)
{
    const char *s = hl7_get(m, seg, occ, field, 1, comp, sub);
    return s ? s : "";
}

/* Builds the ACK for text (parsed unless raw_only) and parses it back. */
static hl7_message *ack_for(const char *text, bool raw_only, const char *code,
                            const char *msa3, const hl7_ack_error *errs,
                            size_t nerr, sw_buf *out)
{
    hl7_message *in = raw_only ? NULL : hl7_test_parse(text, strlen(text));
    sw_buf_reset(out);
    assert_int_equal(hl7_ack_build(in, text, strlen(text), code, msa3, errs,
                                   nerr, NOW_MS, out), SW_OK);
    return hl7_test_parse(sw_buf_str(out), out->len);
}

static void msh_is_turned_around(void **state)
{
    (void)state;
    sw_buf out = SW_BUF_INIT(1 << 16);
    hl7_message *a = ack_for(ADT_251, false, "AA", NULL, NULL, 0, &out);
    assert_string_equal(get(a, "MSH", 1, 3, 1, 1), "STAGEWISE");
    assert_string_equal(get(a, "MSH", 1, 4, 1, 1), "PRACTICE1");   /* its MSH-6 */
    assert_string_equal(get(a, "MSH", 1, 5, 1, 1), "PMS");         /* its MSH-3 */
    assert_string_equal(get(a, "MSH", 1, 6, 1, 1), "CLINIC");       /* its MSH-4 */
    assert_string_equal(get(a, "MSH", 1, 6, 2, 1), "1.2.3");        /* whole HD */
    assert_string_equal(get(a, "MSH", 1, 6, 3, 1), "ISO");
    assert_string_equal(get(a, "MSH", 1, 7, 1, 1), "20251124160000");
    assert_string_equal(get(a, "MSH", 1, 9, 1, 1), "ACK");
    assert_string_equal(get(a, "MSH", 1, 9, 2, 1), "A04");
    assert_string_equal(get(a, "MSH", 1, 9, 3, 1), "ACK");
    assert_string_equal(get(a, "MSH", 1, 11, 1, 1), "T");
    assert_string_equal(get(a, "MSH", 1, 12, 1, 1), "2.5.1");
    assert_string_equal(get(a, "MSA", 1, 1, 1, 1), "AA");
    assert_string_equal(get(a, "MSA", 1, 2, 1, 1), "MSG0001");
    assert_null(hl7_segment_find(a, "ERR", 1));
    assert_null(hl7_get(a, "MSA", 1, 3, 1, 1, 1));

    /* Our control id: ours, at most 20 characters, never the same twice. */
    char first[64];
    snprintf(first, sizeof first, "%s", get(a, "MSH", 1, 10, 1, 1));
    assert_int_equal(first[0], 'A');
    assert_true(strlen(first) <= 20);
    for (int i = 0; i < 50; i++) {
        hl7_message *b = ack_for(ADT_251, false, "AA", NULL, NULL, 0, &out);
        assert_string_not_equal(get(b, "MSH", 1, 10, 1, 1), first);
    }
    sw_buf_free(&out);
}

static void err_segments_v25(void **state)
{
    (void)state;
    sw_buf out = SW_BUF_INIT(1 << 16);
    hl7_ack_error errs[] = {
        { .segment = "PID", .field = 7, .code = "102",
          .text = "PID-7 (date of birth) is not a valid date (YYYYMMDD)" },
        { .segment = "PID", .field = 5, .component = 2, .code = "101",
          .text = "a given name is required | always" },
        { .code = "207", .text = "not about one field" },
    };
    hl7_message *a = ack_for(ADT_251, false, "AE", "see ERR", errs, 3, &out);
    assert_string_equal(get(a, "MSA", 1, 1, 1, 1), "AE");
    assert_string_equal(get(a, "MSA", 1, 3, 1, 1), "see ERR");
    /* ERR-2 location, ERR-3 code^text^HL70357, ERR-4 E, ERR-8 sentence;
     * v2.5 senders get no ERR-1. */
    assert_null(hl7_get(a, "ERR", 1, 1, 1, 1, 1));
    assert_string_equal(get(a, "ERR", 1, 2, 1, 1), "PID");
    assert_string_equal(get(a, "ERR", 1, 2, 2, 1), "1");
    assert_string_equal(get(a, "ERR", 1, 2, 3, 1), "7");
    assert_string_equal(get(a, "ERR", 1, 3, 1, 1), "102");
    assert_string_equal(get(a, "ERR", 1, 3, 2, 1), "Data type error");
    assert_string_equal(get(a, "ERR", 1, 3, 3, 1), "HL70357");
    assert_string_equal(get(a, "ERR", 1, 4, 1, 1), "E");
    assert_string_equal(get(a, "ERR", 1, 8, 1, 1),
                        "PID-7 (date of birth) is not a valid date (YYYYMMDD)");
    /* A component: seg^seq^field^^component; text escaped on the wire. */
    assert_string_equal(get(a, "ERR", 2, 2, 3, 1), "5");
    assert_string_equal(get(a, "ERR", 2, 2, 4, 1), "");
    assert_string_equal(get(a, "ERR", 2, 2, 5, 1), "2");
    assert_string_equal(get(a, "ERR", 2, 8, 1, 1), "a given name is required | always");
    assert_non_null(strstr(sw_buf_str(&out), "\\F\\ always"));
    assert_string_equal(get(a, "ERR", 3, 2, 1, 1), "");
    assert_string_equal(get(a, "ERR", 3, 3, 2, 1), "Application internal error");

    /* Read back: the code, the control id, each location with its text. */
    hl7_ack r;
    sw_err err;
    assert_int_equal(hl7_ack_read(sw_buf_str(&out), out.len, &r, &err), SW_OK);
    assert_string_equal(r.code, "AE");
    assert_string_equal(r.control_id, "MSG0001");
    assert_string_equal(r.text, "see ERR; PID-7: PID-7 (date of birth) is not a "
                        "valid date (YYYYMMDD); PID-5.2: a given name is "
                        "required | always; not about one field");
    sw_buf_free(&out);
}

static void err_one_for_old_senders(void **state)
{
    (void)state;
    sw_buf out = SW_BUF_INIT(1 << 16);
    hl7_ack_error e = { .segment = "PID", .field = 7, .code = "102",
                        .text = "PID-7 is not a date" };
    hl7_message *a = ack_for(ADT_23, false, "AE", NULL, &e, 1, &out);
    assert_string_equal(get(a, "MSH", 1, 12, 1, 1), "2.3");
    assert_string_equal(get(a, "MSH", 1, 9, 2, 1), "A08");
    assert_string_equal(get(a, "ERR", 1, 1, 1, 1), "PID");
    assert_string_equal(get(a, "ERR", 1, 1, 2, 1), "1");
    assert_string_equal(get(a, "ERR", 1, 1, 3, 1), "7");
    assert_string_equal(get(a, "ERR", 1, 1, 4, 1), "102");
    assert_string_equal(get(a, "ERR", 1, 1, 4, 2), "Data type error");
    assert_string_equal(get(a, "ERR", 1, 1, 4, 3), "HL70357");
    assert_string_equal(get(a, "ERR", 1, 2, 3, 1), "7");
    sw_buf_free(&out);
}

static void unparseable_input(void **state)
{
    (void)state;
    sw_buf out = SW_BUF_INIT(1 << 16);
    /* The second segment's id is not valid: MSH-10 can still be echoed. */
    static const char broken[] =
        "\xEF\xBB\xBFMSH|^~\\&|PMS|CLINIC|EHR|P1|20251124||SIU^S12^SIU_S12|"
        "CTRL9|P|2.4\rpid|1||x\r";
    hl7_message *in = NULL;
    sw_err err;
    assert_int_equal(hl7_parse(A, broken, strlen(broken), &in, &err), SW_EINVAL);
    hl7_ack_error e = { .code = "102", .text = err.msg };
    hl7_message *a = ack_for(broken, true, "AE", NULL, &e, 1, &out);
    assert_string_equal(get(a, "MSA", 1, 2, 1, 1), "CTRL9");
    assert_string_equal(get(a, "MSH", 1, 9, 2, 1), "S12");
    assert_string_equal(get(a, "MSH", 1, 5, 1, 1), "PMS");
    assert_string_equal(get(a, "MSH", 1, 4, 1, 1), "P1");
    assert_string_equal(get(a, "MSH", 1, 12, 1, 1), "2.4");
    assert_string_equal(get(a, "ERR", 1, 8, 1, 1), err.msg);

    /* Not HL7 at all: an ACK with an empty MSA-2, still a valid message. */
    a = ack_for("hello there", true, "AR", "no message", NULL, 0, &out);
    assert_string_equal(get(a, "MSA", 1, 1, 1, 1), "AR");
    assert_string_equal(get(a, "MSA", 1, 2, 1, 1), "");
    assert_string_equal(get(a, "MSH", 1, 12, 1, 1), "2.5.1");
    sw_buf_free(&out);
}

static void read_other_acks(void **state)
{
    (void)state;
    hl7_ack r;
    sw_err err;
    /* v2.3: MSA-3 and no ERR. */
    static const char v23[] = "MSH|^~\\&|PMS|X|||20200101||ACK|1|P|2.3\r"
                              "MSA|AE|DFT77|Unknown patient account\r";
    assert_int_equal(hl7_ack_read(v23, strlen(v23), &r, &err), SW_OK);
    assert_string_equal(r.code, "AE");
    assert_string_equal(r.control_id, "DFT77");
    assert_string_equal(r.text, "Unknown patient account");
    /* v2.3 ERR-1 only, with LF segment ends. */
    static const char err1[] = "MSH|^~\\&|PMS|X|||20200101||ACK^P03|2|P|2.3\n"
                               "MSA|AR|DFT78\nERR|FT1^1^7^101&Required field missing&HL70357\n";
    assert_int_equal(hl7_ack_read(err1, strlen(err1), &r, &err), SW_OK);
    assert_string_equal(r.code, "AR");
    assert_string_equal(r.text, "FT1-7: Required field missing");
    /* v2.3 MSA-6 error condition. */
    static const char msa6[] = "MSH|^~\\&|PMS|X|||20200101||ACK|3|P|2.3\r"
                               "MSA|AE|DFT79||||204^Unknown key identifier\r";
    assert_int_equal(hl7_ack_read(msa6, strlen(msa6), &r, &err), SW_OK);
    assert_string_equal(r.text, "Unknown key identifier");
    /* Enhanced mode accept acknowledgment. */
    static const char ca[] = "MSH|^~\\&|PMS|X|||20200101||ACK|4|P|2.5.1\rMSA|CA|DFT80\r";
    assert_int_equal(hl7_ack_read(ca, strlen(ca), &r, &err), SW_OK);
    assert_string_equal(r.code, "CA");
    assert_string_equal(r.text, "");

    /* A v2.1 ACK from another project's test data, unusual MSH-2. */
    char path[4096];
    const char *data = getenv("STAGEWISE_TEST_DATA");
    snprintf(path, sizeof path, "%s/hl7v2/hapi/ACK_v21.hl7", data ? data : "tests/data");
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[512];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_int_equal(hl7_ack_read(buf, n, &r, &err), SW_OK);
    assert_string_equal(r.code, "AA");
    assert_string_equal(r.control_id, "msgCtrlId");
}

static void not_an_ack(void **state)
{
    (void)state;
    hl7_ack r;
    sw_err err;
    static const char unknown[] = "MSH|^~\\&|PMS|X|||20200101||ACK|5|P|2.5\r"
                                  "MSA|ZZ|DFT81\r";
    assert_int_equal(hl7_ack_read(unknown, strlen(unknown), &r, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "MSA-1"));
    assert_string_equal(r.control_id, "DFT81");   /* still read */
    static const char no_msa[] = "MSH|^~\\&|PMS|X|||20200101||ACK|6|P|2.5\r";
    assert_int_equal(hl7_ack_read(no_msa, strlen(no_msa), &r, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "MSA"));
    assert_int_equal(hl7_ack_read("garbage", 7, &r, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "does not parse"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(msh_is_turned_around),
        cmocka_unit_test(err_segments_v25),
        cmocka_unit_test(err_one_for_old_senders),
        cmocka_unit_test(unparseable_input),
        cmocka_unit_test(read_other_acks),
        cmocka_unit_test(not_an_ack),
    };
    return cmocka_run_group_tests(tests, hl7_test_setup, hl7_test_teardown);
}
