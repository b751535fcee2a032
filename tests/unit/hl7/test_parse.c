/* test_parse.c - the HL7 v2 parser and serializer (src/hl7/) on hand-made
 * messages: delimiters other than the usual ones, each escape sequence both
 * ways, "" (NULL) against empty, repetitions and sub-components, Z
 * segments, a BOM, every kind of segment end, batches, every limit and the
 * ways an MSH can be malformed - each refusal a sentence naming where. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "failalloc.h"
#include "hl7/message.h"
#include "hl7_test.h"

#define A hl7_test_arena

static hl7_message *parse_ok(const char *text)
{
    return hl7_test_parse(text, strlen(text));
}

/* Serializes, re-parses, compares, serializes again; returns the text. */
static const char *round_trip(const hl7_message *m)
{
    sw_buf b1 = SW_BUF_INIT(1 << 24), b2 = SW_BUF_INIT(1 << 24);
    assert_int_equal(hl7_serialize(m, &b1), SW_OK);
    hl7_message *m2 = NULL;
    sw_err err = { 0 };
    if (hl7_parse(A, b1.data, b1.len, &m2, &err) != SW_OK)
        fail_msg("own output does not parse: %s", sw_err_text(&err));
    assert_true(hl7_message_equal(m, m2));
    assert_int_equal(hl7_serialize(m2, &b2), SW_OK);
    assert_int_equal(b1.len, b2.len);
    assert_memory_equal(b1.data, b2.data, b1.len);
    const char *s = sw_arena_strndup(A, b1.data, b1.len);
    sw_buf_free(&b1);
    sw_buf_free(&b2);
    return s;
}

static void parse_fails(const char *text, size_t len, const char *needle)
{
    hl7_message *m = NULL;
    sw_err err = { 0 };
    int rc = hl7_parse(A, text, len, &m, &err);
    assert_int_equal(rc, SW_EINVAL);
    assert_null(m);
    if (strstr(err.msg, needle) == NULL)
        fail_msg("error '%s' does not contain '%s'", err.msg, needle);
}

#define MSH "MSH|^~\\&|SEND|FAC|RECV|FAC|20240101120000||ADT^A04|42|P|2.5.1"

static void positions_follow_the_standard(void **state)
{
    (void)state;
    hl7_message *m = parse_ok(MSH "\rPID|1||123^^^HOSP^MR~456^^^SSA^SS||DOE^JANE\r");
    assert_string_equal(hl7_get(m, "MSH", 1, 1, 1, 1, 1), "|");
    assert_string_equal(hl7_get(m, "MSH", 1, 2, 1, 1, 1), "^~\\&");
    assert_string_equal(hl7_get(m, "MSH", 1, 3, 1, 1, 1), "SEND");
    assert_string_equal(hl7_get(m, "MSH", 1, 9, 1, 2, 1), "A04");
    assert_string_equal(hl7_get(m, "MSH", 1, 12, 1, 1, 1), "2.5.1");
    assert_string_equal(hl7_get(m, "PID", 1, 1, 1, 1, 1), "1");
    assert_null(hl7_get(m, "PID", 1, 2, 1, 1, 1));
    assert_string_equal(hl7_get(m, "PID", 1, 3, 2, 1, 1), "456");
    assert_string_equal(hl7_get(m, "PID", 1, 3, 2, 5, 1), "SS");
    assert_string_equal(hl7_get(m, "PID", 1, 5, 1, 2, 1), "JANE");
    assert_null(hl7_get(m, "PID", 1, 5, 1, 3, 1));
    assert_null(hl7_get(m, "PID", 2, 1, 1, 1, 1));
    assert_null(hl7_get(m, "PID", 1, 0, 1, 1, 1));
    assert_int_equal(m->nseg, 2);
    assert_string_equal(m->segs[1].id, "PID");
    round_trip(m);
}

static void unusual_encoding_characters(void **state)
{
    (void)state;
    hl7_message *m = parse_ok("MSH#$*!@#A#B#C#D#20240101##ORU$R01#1#P#2.3\r"
                              "PID#1##X$Y@Z*W\\Q\r");
    assert_int_equal(m->enc.field, '#');
    assert_int_equal(m->enc.component, '$');
    assert_int_equal(m->enc.repetition, '*');
    assert_int_equal(m->enc.escape, '!');
    assert_int_equal(m->enc.subcomponent, '@');
    assert_string_equal(hl7_get(m, "MSH", 1, 9, 1, 2, 1), "R01");
    assert_string_equal(hl7_get(m, "PID", 1, 3, 1, 2, 2), "Z");
    assert_string_equal(hl7_get(m, "PID", 1, 3, 2, 1, 1), "W\\Q");
    const char *out = round_trip(m);
    assert_non_null(strstr(out, "MSH#$*!@#A#"));
    /* three encoding characters: no sub-component separator, & is text */
    m = parse_ok("MSH|^~\\|A|B\rPID|1||a&b^c\r");
    assert_int_equal(m->enc.subcomponent, 0);
    assert_string_equal(hl7_get(m, "PID", 1, 3, 1, 1, 1), "a&b");
    round_trip(m);
    /* v2.7 truncation character is accepted and kept */
    m = parse_ok("MSH|^~\\&#|A|B|C|D|20240101||ADT^A01|1|P|2.7\rPID|1||ab#\r");
    assert_int_equal(m->enc.trunc, '#');
    assert_string_equal(hl7_get(m, "PID", 1, 3, 1, 1, 1), "ab#");
    assert_non_null(strstr(round_trip(m), "MSH|^~\\&#|A"));
}

static void escapes_decode_and_encode(void **state)
{
    (void)state;
    hl7_message *m = parse_ok(MSH "\rNTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f"
                              "|x\\.br\\y|\\X41420D\\|\\Zlocal\\|\\X4\\|\\Xzz\\|tail\\\r");
    assert_string_equal(hl7_get(m, "NTE", 1, 3, 1, 1, 1), "a|b^c&d~e\\f");
    assert_string_equal(hl7_get(m, "NTE", 1, 4, 1, 1, 1), "x\ny");
    assert_string_equal(hl7_get(m, "NTE", 1, 5, 1, 1, 1), "AB\r");
    assert_string_equal(hl7_get(m, "NTE", 1, 6, 1, 1, 1), "\\Zlocal\\");
    assert_string_equal(hl7_get(m, "NTE", 1, 7, 1, 1, 1), "\\X4\\");
    assert_string_equal(hl7_get(m, "NTE", 1, 8, 1, 1, 1), "\\Xzz\\");
    assert_string_equal(hl7_get(m, "NTE", 1, 9, 1, 1, 1), "tail\\");
    const char *out = round_trip(m);
    assert_non_null(strstr(out, "|a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f|"));
    assert_non_null(strstr(out, "|x\\.br\\y|"));
    assert_non_null(strstr(out, "|AB\\X0D\\|"));
    assert_non_null(strstr(out, "|\\E\\Zlocal\\E\\|"));
    /* with '.' as sub-component separator a line break goes out as hex */
    m = parse_ok("MSH|^~\\.|A\rNTE|1|a\\X0A\\b|c.d\r");
    assert_string_equal(hl7_get(m, "NTE", 1, 2, 1, 1, 1), "a\nb");
    assert_string_equal(hl7_get(m, "NTE", 1, 3, 1, 1, 2), "d");
    assert_non_null(strstr(round_trip(m), "|a\\X0A\\b|c.d\r"));
}

static void null_is_not_empty(void **state)
{
    (void)state;
    hl7_message *m = parse_ok(MSH "\rPID|1|\"\"||a^\"\"^|\"\"\"\"\r");
    const hl7_text *t = hl7_leaf(m, "PID", 1, 2, 1, 1, 1);
    assert_non_null(t);
    assert_true(t->is_null);
    assert_ptr_equal(hl7_get(m, "PID", 1, 2, 1, 1, 1), HL7_NULL_TEXT);
    t = hl7_leaf(m, "PID", 1, 3, 1, 1, 1);
    assert_non_null(t);
    assert_false(t->is_null);
    assert_int_equal(t->n, 0);
    assert_null(hl7_get(m, "PID", 1, 3, 1, 1, 1));
    assert_true(hl7_leaf(m, "PID", 1, 4, 1, 2, 1)->is_null);
    assert_false(hl7_leaf(m, "PID", 1, 4, 1, 3, 1)->is_null);
    assert_string_equal(hl7_get(m, "PID", 1, 5, 1, 1, 1), "\"\"\"\"");
    const char *out = round_trip(m);
    assert_non_null(strstr(out, "PID|1|\"\"||a^\"\"^|"));
    /* text that is exactly two quotes (from an escape) stays text */
    m = parse_ok(MSH "\rPID|1|\\X22\\\"\r");
    t = hl7_leaf(m, "PID", 1, 2, 1, 1, 1);
    assert_false(t->is_null);
    assert_string_equal(t->s, "\"\"");
    round_trip(m);
}

static void repetitions_and_subcomponents(void **state)
{
    (void)state;
    hl7_message *m = parse_ok(MSH "\rPID|1||a&b&c^d~e^f&g~~h\r");
    const hl7_field *f = &hl7_segment_find(m, "PID", 1)->fields[2];
    assert_int_equal(f->nrep, 4);
    assert_int_equal(f->reps[0].ncomp, 2);
    assert_int_equal(f->reps[0].comps[0].nsub, 3);
    assert_string_equal(hl7_get(m, "PID", 1, 3, 1, 1, 3), "c");
    assert_string_equal(hl7_get(m, "PID", 1, 3, 2, 2, 2), "g");
    assert_null(hl7_get(m, "PID", 1, 3, 3, 1, 1));
    assert_string_equal(hl7_get(m, "PID", 1, 3, 4, 1, 1), "h");
    assert_non_null(strstr(round_trip(m), "PID|1||a&b&c^d~e^f&g~~h\r"));
}

static void z_segments_are_kept(void **state)
{
    (void)state;
    hl7_message *m = parse_ok(MSH "\rZPI|1|local^value\rPID|1\rZPI|2\r");
    assert_string_equal(hl7_get(m, "ZPI", 1, 2, 1, 2, 1), "value");
    assert_string_equal(hl7_get(m, "ZPI", 2, 1, 1, 1, 1), "2");
    assert_string_equal(m->segs[1].id, "ZPI");
    round_trip(m);
}

static void line_ends_bom_and_trailing_blanks(void **state)
{
    (void)state;
    const char *want = MSH "\rPID|1\rPV1|1|O\r";
    const char *inputs[] = {
        MSH "\rPID|1\rPV1|1|O\r",
        MSH "\nPID|1\nPV1|1|O\n",
        MSH "\r\nPID|1\r\nPV1|1|O\r\n",
        MSH "\r\nPID|1\nPV1|1|O\r",
        MSH "\rPID|1\rPV1|1|O",
        "\xEF\xBB\xBF" MSH "\nPID|1\nPV1|1|O\n",
        MSH "\rPID|1\rPV1|1|O\r\n\n  \r\n\t\n",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        hl7_message *m = parse_ok(inputs[i]);
        assert_int_equal(m->nseg, 3);
        assert_string_equal(round_trip(m), want);
    }
}

static void versions_two_two_to_two_eight(void **state)
{
    (void)state;
    const char *v[] = { "2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6",
                        "2.7", "2.7.1", "2.8" };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "MSH|^~\\&|A|B|C|D|20240101||ACK^A01|1|P|%s\rMSA|AA|1\r", v[i]);
        assert_string_equal(hl7_get(parse_ok(text), "MSH", 1, 12, 1, 1, 1), v[i]);
    }
}

static void batch_with_two_messages(void **state)
{
    (void)state;
    const char *text = "FHS|^~\\&|A\rBHS|^~\\&|A\r" MSH "\rPID|1\r"
                       "MSH|^~\\&|X|Y|C|D|20240101||ADT^A08|43|P|2.5.1\rPID|2\r"
                       "BTS|2\rFTS|1\r";
    hl7_batch *b = NULL;
    sw_err err = { 0 };
    assert_int_equal(hl7_parse_batch(A, text, strlen(text), &b, &err), SW_OK);
    assert_int_equal(b->nmsg, 2);
    assert_non_null(b->fhs);
    assert_non_null(b->bhs);
    assert_non_null(b->bts);
    assert_non_null(b->fts);
    assert_string_equal(hl7_get(b->msgs[1], "PID", 1, 1, 1, 1, 1), "2");
    assert_string_equal(hl7_get(b->msgs[1], "MSH", 1, 9, 1, 2, 1), "A08");
    sw_buf out = SW_BUF_INIT(1 << 20);
    assert_int_equal(hl7_serialize_batch(b, &out), SW_OK);
    assert_string_equal(sw_buf_str(&out), text);
    sw_buf_free(&out);
    /* a wrong count is reported */
    const char *bad = "BHS|^~\\&|A\r" MSH "\rBTS|3\r";
    assert_int_equal(hl7_parse_batch(A, bad, strlen(bad), &b, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "BTS-1"));
    /* a single message is not a batch */
    assert_int_equal(hl7_parse(A, text + 22, strlen(text + 22), &(hl7_message *){ 0 }, &err),
                     SW_EINVAL);
}

static void file_of_several_batches(void **state)
{
    (void)state;
    const char *text = "FHS|^~\\&|A\r"
                       "BHS|^~\\&|A\r" MSH "\rPID|1\r"
                       "MSH|^~\\&|X|Y|C|D|20240101||ADT^A08|43|P|2.5.1\rPID|2\rBTS|2\r"
                       "BHS|^~\\&|B\rMSH|^~\\&|X|Y|C|D|20240101||ADT^A04|44|P|2.5.1\rPID|3\rBTS|1\r"
                       "FTS|2\r";
    hl7_file *f = NULL;
    sw_err err = { 0 };
    assert_int_equal(hl7_parse_file(A, text, strlen(text), &f, &err), SW_OK);
    assert_non_null(f->fhs);
    assert_non_null(f->fts);
    assert_int_equal(f->nbatch, 2);
    assert_int_equal(f->batches[0]->nmsg, 2);
    assert_int_equal(f->batches[1]->nmsg, 1);
    assert_string_equal(hl7_get(f->batches[1]->msgs[0], "PID", 1, 1, 1, 1, 1), "3");
    assert_non_null(f->batches[1]->bhs);
    sw_buf out = SW_BUF_INIT(1 << 20);
    assert_int_equal(hl7_serialize_file(f, &out), SW_OK);
    assert_string_equal(sw_buf_str(&out), text);
    sw_buf_free(&out);
    /* hl7_parse_batch refuses it, naming the place */
    hl7_batch *b = NULL;
    assert_int_equal(hl7_parse_batch(A, text, strlen(text), &b, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "read as a file"));

    /* FTS-1 counts batches; BTS-1 each batch's messages */
    const char *bad_fts = "FHS|^~\\&|A\rBHS|^~\\&|A\r" MSH "\rBTS|1\rFTS|3\r";
    assert_int_equal(hl7_parse_file(A, bad_fts, strlen(bad_fts), &f, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "FTS-1: the count says 3 but there is 1 batch"));
    const char *bad_bts = "BHS|^~\\&|A\r" MSH "\rBTS|1\rBHS|^~\\&|A\r" MSH "\rBTS|7\r";
    assert_int_equal(hl7_parse_file(A, bad_bts, strlen(bad_bts), &f, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "BTS-1: the count says 7"));
    /* a bare message is a file of one batch without envelope */
    const char *bare = MSH "\rPID|9\r";
    assert_int_equal(hl7_parse_file(A, bare, strlen(bare), &f, &err), SW_OK);
    assert_int_equal(f->nbatch, 1);
    assert_null(f->batches[0]->bhs);
    /* something else between batches is refused */
    const char *stray = "BHS|^~\\&|A\r" MSH "\rBTS|1\rPID|1\r";
    assert_int_equal(hl7_parse_file(A, stray, strlen(stray), &f, &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "expected BHS"));
}

static void limits_are_errors(void **state)
{
    (void)state;
    sw_buf b = SW_BUF_INIT(SW_HL7_MAX_MESSAGE_BYTES * 2);
    /* fields */
    sw_buf_puts(&b, MSH "\rPID");
    for (unsigned i = 0; i <= SW_HL7_MAX_FIELDS; i++)
        sw_buf_putc(&b, '|');
    parse_fails(b.data, b.len, "more than 256 fields");
    /* repetitions */
    sw_buf_reset(&b);
    sw_buf_puts(&b, MSH "\rPID|1||");
    for (unsigned i = 0; i <= SW_HL7_MAX_REPETITIONS; i++)
        sw_buf_putc(&b, '~');
    parse_fails(b.data, b.len, "PID-3: more than 256 repetitions");
    /* components */
    sw_buf_reset(&b);
    sw_buf_puts(&b, MSH "\rPID|1||");
    for (unsigned i = 0; i <= SW_HL7_MAX_COMPONENTS; i++)
        sw_buf_putc(&b, '^');
    parse_fails(b.data, b.len, "PID-3: more than 64 components");
    /* sub-components */
    sw_buf_reset(&b);
    sw_buf_puts(&b, MSH "\rPID|1|");
    for (unsigned i = 0; i <= SW_HL7_MAX_SUBCOMPONENTS; i++)
        sw_buf_putc(&b, '&');
    parse_fails(b.data, b.len, "PID-2: more than 64 sub-components");
    /* segments */
    sw_buf_reset(&b);
    sw_buf_puts(&b, MSH);
    for (unsigned i = 0; i < SW_HL7_MAX_SEGMENTS; i++)
        sw_buf_puts(&b, "\rNTE|1");
    parse_fails(b.data, b.len, "more than 2000 segments");
    /* bytes */
    sw_buf_reset(&b);
    sw_buf_puts(&b, MSH "\rNTE|1|");
    while (b.len <= SW_HL7_MAX_MESSAGE_BYTES)
        sw_buf_puts(&b, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    parse_fails(b.data, b.len, "bytes, more than");
    sw_buf_free(&b);
}

static void malformed_msh(void **state)
{
    (void)state;
    parse_fails("", 0, "empty");
    parse_fails("\r\n\r\n", 4, "empty");
    parse_fails("PID|1\r", 6, "segment 1: a message must start with MSH");
    parse_fails("MSH", 3, "too short");
    parse_fails("MSH|", 4, "too short");
    parse_fails("MSH||A|B", 8, "MSH-2: the encoding characters are missing");
    parse_fails("MSHA^~\\&|", 9, "MSH-1");
    parse_fails("MSH|^^\\&|A", 10, "MSH-2: encoding characters 1 and 2");
    parse_fails("MSH|^~\\&#!|A", 12, "more than 5");
    parse_fails("MSH|^~a&|A", 10, "MSH-2: encoding character 3");
    parse_fails(MSH "\rpid|1\r", strlen(MSH) + 7, "segment 2: the segment id");
    parse_fails(MSH "\rPIDX|1\r", strlen(MSH) + 8, "segment 2: PID is not followed");
    parse_fails(MSH "\r" MSH "\r", 2 * strlen(MSH) + 2, "segment 2: a second MSH");
}

/* Every allocation of a parse and a serialization failing in turn gives a
 * clean SW_ENOMEM (or SW_ETOOBIG from the buffer, never a crash) and leaves
 * nothing behind once the arena is gone. */
static void allocation_failures_are_clean(void **state)
{
    (void)state;
    const char *text = MSH "\rPID|1||a&b^c~d|\"\"|x\\F\\y\rZPI|1\r";
    sw_failalloc_install();
    for (long n = 1;; n++) {
        sw_failalloc_fail_at(n);
        sw_arena *a = sw_arena_create(0);
        int rc = SW_ENOMEM;
        if (a != NULL) {
            hl7_message *m = NULL;
            sw_err err = { 0 };
            rc = hl7_parse(a, text, strlen(text), &m, &err);
            if (rc == SW_OK) {
                sw_buf b = SW_BUF_INIT(1 << 20);
                rc = hl7_serialize(m, &b);
                sw_buf_free(&b);
            } else {
                assert_null(m);
            }
        }
        sw_arena_destroy(a);
        int failed = sw_failalloc_failed();
        assert_int_equal(sw_failalloc_live(), 0);
        if (!failed) {
            assert_int_equal(rc, SW_OK);
            break;
        }
        assert_int_equal(rc, SW_ENOMEM);
    }
    sw_failalloc_fail_at(0);
    sw_failalloc_uninstall();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(positions_follow_the_standard),
        cmocka_unit_test(unusual_encoding_characters),
        cmocka_unit_test(escapes_decode_and_encode),
        cmocka_unit_test(null_is_not_empty),
        cmocka_unit_test(repetitions_and_subcomponents),
        cmocka_unit_test(z_segments_are_kept),
        cmocka_unit_test(line_ends_bom_and_trailing_blanks),
        cmocka_unit_test(versions_two_two_to_two_eight),
        cmocka_unit_test(batch_with_two_messages),
        cmocka_unit_test(file_of_several_batches),
        cmocka_unit_test(limits_are_errors),
        cmocka_unit_test(malformed_msh),
        cmocka_unit_test(allocation_failures_are_clean),
    };
    return cmocka_run_group_tests(tests, hl7_test_setup, hl7_test_teardown);
}
