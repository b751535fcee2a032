/* test_mllp_framer.c - MLLP release 2 framing (src/hl7/mllp.c): a frame in
 * one feed, byte by byte, glued frames, a stream split at every position,
 * noise between frames, the size limit (reported once, then the next frame
 * comes through), empty frames, FS without CR, a VT inside a frame, the
 * in-frame state, a failing callback, the one-frame feed the server uses,
 * wrapping, and running out of memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "failalloc.h"
#include "hl7/mllp.h"
#include "hl7/mllp_int.h"

#define MAX_SEEN 16

/* What the framer delivered. */
struct seen {
    int    n;
    char  *msg[MAX_SEEN];
    size_t len[MAX_SEEN];
    int    fail_at;    /* on_frame returns SW_EINVAL for frame number fail_at (1-based) */
};

static int collect(void *ctx, const char *msg, size_t len)
{
    struct seen *s = ctx;
    if (s->fail_at && s->n + 1 == s->fail_at)
        return SW_EINVAL;
    assert_true(s->n < MAX_SEEN);
    assert_non_null(msg);
    s->msg[s->n] = malloc(len + 1);
    memcpy(s->msg[s->n], msg, len);
    s->msg[s->n][len] = '\0';
    s->len[s->n] = len;
    s->n++;
    return SW_OK;
}

static void seen_free(struct seen *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->msg[i]);
    memset(s, 0, sizeof *s);
}

static void assert_frame(const struct seen *s, int i, const char *want)
{
    assert_true(i < s->n);
    assert_int_equal(s->len[i], strlen(want));
    assert_memory_equal(s->msg[i], want, strlen(want));
}

#define F(m) "\x0b" m "\x1c\r"
#define ADT "MSH|^~\\&|PMS|CLINIC|EHR|CLINIC|20261125||ADT^A04|1|P|2.5.1\rPID|1||123\r"

static void test_one_frame_in_one_feed(void **state)
{
    (void)state;
    mllp_framer f;
    mllp_framer_init(&f, 1024);
    struct seen s = { 0 };
    const char in[] = F(ADT);
    assert_int_equal(mllp_framer_feed(&f, in, sizeof in - 1, collect, &s), SW_OK);
    assert_int_equal(s.n, 1);
    assert_frame(&s, 0, ADT);
    assert_false(mllp_framer_in_frame(&f));
    seen_free(&s);
    mllp_framer_free(&f);
}

static void test_byte_at_a_time(void **state)
{
    (void)state;
    mllp_framer f;
    mllp_framer_init(&f, 1024);
    struct seen s = { 0 };
    const char in[] = F(ADT) F("second");
    for (size_t i = 0; i < sizeof in - 1; i++) {
        assert_int_equal(mllp_framer_feed(&f, in + i, 1, collect, &s), SW_OK);
        /* Nothing is delivered before the CR after FS. */
        if (i < sizeof(F(ADT)) - 2)
            assert_int_equal(s.n, 0);
    }
    assert_int_equal(s.n, 2);
    assert_frame(&s, 0, ADT);
    assert_frame(&s, 1, "second");
    seen_free(&s);
    mllp_framer_free(&f);
}

static void test_glued_frames(void **state)
{
    (void)state;
    mllp_framer f;
    mllp_framer_init(&f, 1024);
    struct seen s = { 0 };
    const char two[] = F("one") F("two");
    assert_int_equal(mllp_framer_feed(&f, two, sizeof two - 1, collect, &s), SW_OK);
    assert_int_equal(s.n, 2);
    assert_frame(&s, 0, "one");
    assert_frame(&s, 1, "two");
    seen_free(&s);

    const char three[] = F(ADT) F("b") F(ADT);
    assert_int_equal(mllp_framer_feed(&f, three, sizeof three - 1, collect, &s), SW_OK);
    assert_int_equal(s.n, 3);
    assert_frame(&s, 0, ADT);
    assert_frame(&s, 1, "b");
    assert_frame(&s, 2, ADT);
    seen_free(&s);
    mllp_framer_free(&f);
}

/* Two frames with noise, cut in two and in three at every position. */
static void test_split_everywhere(void **state)
{
    (void)state;
    const char in[] = "\r\n" F(ADT) "\r\n" F("PID|1\r") "\n";
    const size_t n = sizeof in - 1;
    for (size_t i = 0; i <= n; i++) {
        for (size_t j = i; j <= n; j++) {
            mllp_framer f;
            mllp_framer_init(&f, 1024);
            struct seen s = { 0 };
            assert_int_equal(mllp_framer_feed(&f, in, i, collect, &s), SW_OK);
            assert_int_equal(mllp_framer_feed(&f, in + i, j - i, collect, &s), SW_OK);
            assert_int_equal(mllp_framer_feed(&f, in + j, n - j, collect, &s), SW_OK);
            if (s.n != 2)
                fail_msg("split at %zu and %zu: %d frames", i, j, s.n);
            assert_frame(&s, 0, ADT);
            assert_frame(&s, 1, "PID|1\r");
            assert_false(mllp_framer_in_frame(&f));
            seen_free(&s);
            mllp_framer_free(&f);
        }
    }
}

static void test_noise_between_frames(void **state)
{
    (void)state;
    mllp_framer f;
    mllp_framer_init(&f, 1024);
    struct seen s = { 0 };
    const char in[] = "garbage before\r\n" F("A") "\r\n\r\n" "\x1c\r stray end\n"
                      F("B") "\r" "trailing noise";
    assert_int_equal(mllp_framer_feed(&f, in, sizeof in - 1, collect, &s), SW_OK);
    assert_int_equal(s.n, 2);
    assert_frame(&s, 0, "A");
    assert_frame(&s, 1, "B");
    assert_false(mllp_framer_in_frame(&f));
    seen_free(&s);
    mllp_framer_free(&f);
}

/* A message of exactly max_frame bytes passes; one more does not, is
 * reported once, and the next frame is delivered. */
static void test_size_limit(void **state)
{
    (void)state;
    mllp_framer f;
    mllp_framer_init(&f, 10);
    struct seen s = { 0 };
    const char exact[] = F("0123456789");
    assert_int_equal(mllp_framer_feed(&f, exact, sizeof exact - 1, collect, &s), SW_OK);
    assert_int_equal(s.n, 1);
    assert_frame(&s, 0, "0123456789");
    seen_free(&s);

    /* In one feed: the oversized frame, then a good one. */
    const char glued[] = F("0123456789A") F("ok");
    assert_int_equal(mllp_framer_feed(&f, glued, sizeof glued - 1, collect, &s),
                     SW_ETOOBIG);
    assert_int_equal(s.n, 1);
    assert_frame(&s, 0, "ok");
    seen_free(&s);

    /* Byte by byte: SW_ETOOBIG exactly once, at the byte past the limit. */
    const char big[] = F("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") F("next");
    int toobig = 0;
    for (size_t i = 0; i < sizeof big - 1; i++) {
        int rc = mllp_framer_feed(&f, big + i, 1, collect, &s);
        if (rc == SW_ETOOBIG) {
            toobig++;
            assert_int_equal(i, 11);   /* VT, then the 11th message byte */
        } else {
            assert_int_equal(rc, SW_OK);
        }
    }
    assert_int_equal(toobig, 1);
    assert_int_equal(s.n, 1);
    assert_frame(&s, 0, "next");
    seen_free(&s);

    /* An FS that turns out to be data counts towards the limit too. */
    const char fsdata[] = F("012345678\x1cX") F("fine");
    assert_int_equal(mllp_framer_feed(&f, fsdata, sizeof fsdata - 1, collect, &s),
                     SW_ETOOBIG);
    assert_int_equal(s.n, 1);
    assert_frame(&s, 0, "fine");
    seen_free(&s);

    /* The buffer never grew past the limit (plus its NUL). */
    assert_true(f.frame.cap <= 11);
    mllp_framer_free(&f);
}

static void test_empty_frame(void **state)
{
    (void)state;
    mllp_framer f;
    mllp_framer_init(&f, 1024);
    struct seen s = { 0 };
    const char in[] = F("") F("x") F("");
    assert_int_equal(mllp_framer_feed(&f, in, sizeof in - 1, collect, &s), SW_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.len[0], 0);
    assert_frame(&s, 1, "x");
    assert_int_equal(s.len[2], 0);
    seen_free(&s);
    mllp_framer_free(&f);
}

/* Only FS CR ends a frame: an FS at the end of a feed waits for the next
 * byte, and an FS followed by anything but CR is message data. */
static void test_fs_without_cr(void **state)
{
    (void)state;
    mllp_framer f;
    mllp_framer_init(&f, 1024);
    struct seen s = { 0 };
    assert_int_equal(mllp_framer_feed(&f, "\x0b" "AB\x1c", 4, collect, &s), SW_OK);
    assert_int_equal(s.n, 0);
    assert_true(mllp_framer_in_frame(&f));
    assert_int_equal(mllp_framer_feed(&f, "\r", 1, collect, &s), SW_OK);
    assert_int_equal(s.n, 1);
    assert_frame(&s, 0, "AB");
    seen_free(&s);

    const char in[] = "\x0b" "A\x1c" "B\x1c\x1c" "C\x1c\r";
    assert_int_equal(mllp_framer_feed(&f, in, sizeof in - 1, collect, &s), SW_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.len[0], 6);
    assert_memory_equal(s.msg[0], "A\x1c" "B\x1c\x1c" "C", 6);
    seen_free(&s);

    /* FS then a line feed (a sender ending frames with FS LF): still data,
     * and the frame goes on until FS CR. */
    const char lf[] = "\x0b" "A\x1c\n" "\x0b" "B\x1c\r";
    assert_int_equal(mllp_framer_feed(&f, lf, sizeof lf - 1, collect, &s), SW_OK);
    assert_int_equal(s.n, 1);
    assert_frame(&s, 0, "B");     /* the VT began a new frame */
    seen_free(&s);
    mllp_framer_free(&f);
}

/* A VT inside a frame abandons the partial frame and starts afresh. */
static void test_vt_restarts_frame(void **state)
{
    (void)state;
    mllp_framer f;
    mllp_framer_init(&f, 1024);
    struct seen s = { 0 };
    const char in[] = "\x0b" "partial message" "\x0b" "whole" "\x1c\r";
    assert_int_equal(mllp_framer_feed(&f, in, sizeof in - 1, collect, &s), SW_OK);
    assert_int_equal(s.n, 1);
    assert_frame(&s, 0, "whole");
    seen_free(&s);

    /* Also when the partial frame was already too long. */
    mllp_framer g;
    mllp_framer_init(&g, 4);
    assert_int_equal(mllp_framer_feed(&g, "\x0b" "far too long", 13, collect, &s),
                     SW_ETOOBIG);
    assert_int_equal(mllp_framer_feed(&g, "\x0b" "ok" "\x1c\r", 5, collect, &s),
                     SW_OK);
    assert_int_equal(s.n, 1);
    assert_frame(&s, 0, "ok");
    seen_free(&s);
    mllp_framer_free(&g);
    mllp_framer_free(&f);
}

static void test_in_frame(void **state)
{
    (void)state;
    mllp_framer f;
    mllp_framer_init(&f, 4);
    struct seen s = { 0 };
    assert_false(mllp_framer_in_frame(&f));
    mllp_framer_feed(&f, "\r\nnoise", 7, collect, &s);
    assert_false(mllp_framer_in_frame(&f));
    mllp_framer_feed(&f, "\x0b", 1, collect, &s);
    assert_true(mllp_framer_in_frame(&f));
    mllp_framer_feed(&f, "ab", 2, collect, &s);
    assert_true(mllp_framer_in_frame(&f));
    mllp_framer_feed(&f, "\x1c", 1, collect, &s);
    assert_true(mllp_framer_in_frame(&f));
    mllp_framer_feed(&f, "\r", 1, collect, &s);
    assert_false(mllp_framer_in_frame(&f));
    /* An oversized frame being skipped is still a frame in progress. */
    assert_int_equal(mllp_framer_feed(&f, "\x0b" "abcdef", 7, collect, &s),
                     SW_ETOOBIG);
    assert_true(mllp_framer_in_frame(&f));
    assert_int_equal(mllp_framer_feed(&f, "gh\x1c\r", 4, collect, &s), SW_OK);
    assert_false(mllp_framer_in_frame(&f));
    assert_int_equal(s.n, 1);
    assert_frame(&s, 0, "ab");
    seen_free(&s);
    mllp_framer_free(&f);
}

static void test_callback_error_stops(void **state)
{
    (void)state;
    mllp_framer f;
    mllp_framer_init(&f, 1024);
    struct seen s = { .fail_at = 2 };
    const char in[] = F("one") F("two") F("three");
    assert_int_equal(mllp_framer_feed(&f, in, sizeof in - 1, collect, &s),
                     SW_EINVAL);
    assert_int_equal(s.n, 1);
    assert_frame(&s, 0, "one");
    seen_free(&s);
    mllp_framer_free(&f);
}

/* The server's feed: one frame at a time, saying how much it used, and
 * stopping at an oversized frame so it is answered first. */
static void test_feed_one(void **state)
{
    (void)state;
    mllp_framer f;
    mllp_framer_init(&f, 5);
    struct seen s = { 0 };
    const char in[] = "\n" F("one") F("toolong") F("two") "\x0b" "th";
    const size_t n = sizeof in - 1;
    size_t off = 0, used = 0;

    assert_int_equal(mllp_framer_feed_one(&f, in, n, collect, &s, &used), SW_OK);
    assert_int_equal(used, 1 + 6);
    assert_int_equal(s.n, 1);
    off += used;

    assert_int_equal(mllp_framer_feed_one(&f, in + off, n - off, collect, &s,
                                          &used), SW_ETOOBIG);
    assert_int_equal(s.n, 1);           /* "two" not delivered yet */
    off += used;
    assert_true(off < n);

    assert_int_equal(mllp_framer_feed_one(&f, in + off, n - off, collect, &s,
                                          &used), SW_OK);
    assert_int_equal(s.n, 2);
    assert_frame(&s, 1, "two");
    off += used;

    assert_int_equal(mllp_framer_feed_one(&f, in + off, n - off, collect, &s,
                                          &used), SW_OK);
    assert_int_equal(used, n - off);    /* all used, the frame still open */
    assert_true(mllp_framer_in_frame(&f));
    assert_int_equal(s.n, 2);
    seen_free(&s);
    mllp_framer_free(&f);
}

static void test_wrap(void **state)
{
    (void)state;
    sw_buf b = SW_BUF_INIT(64);
    assert_int_equal(mllp_frame_wrap(&b, "MSA|AA|1\r", 9), SW_OK);
    assert_int_equal(b.len, 12);
    assert_memory_equal(b.data, "\x0bMSA|AA|1\r\x1c\r", 12);
    assert_int_equal(mllp_frame_wrap(&b, "", 0), SW_OK);
    assert_int_equal(b.len, 15);
    assert_memory_equal(b.data + 12, "\x0b\x1c\r", 3);

    /* What wrap writes, the framer reads back. */
    mllp_framer f;
    mllp_framer_init(&f, 64);
    struct seen s = { 0 };
    assert_int_equal(mllp_framer_feed(&f, b.data, b.len, collect, &s), SW_OK);
    assert_int_equal(s.n, 2);
    assert_frame(&s, 0, "MSA|AA|1\r");
    assert_int_equal(s.len[1], 0);
    seen_free(&s);
    mllp_framer_free(&f);

    /* Past the buffer's ceiling: refused, the buffer unchanged. */
    char big[64];
    memset(big, 'x', sizeof big);
    assert_int_equal(mllp_frame_wrap(&b, big, sizeof big), SW_ETOOBIG);
    assert_int_equal(b.len, 15);
    sw_buf_free(&b);
}

/* Out of memory while a frame grows: SW_ENOMEM, that frame is dropped,
 * the next one (once memory is back) is delivered, nothing leaks. */
static void test_out_of_memory(void **state)
{
    (void)state;
    sw_failalloc_install();
    mllp_framer f;
    mllp_framer_init(&f, 1 << 20);
    struct seen s = { 0 };
    sw_failalloc_fail_at(1);
    const char in[] = F("first");
    assert_int_equal(mllp_framer_feed(&f, in, sizeof in - 1, collect, &s),
                     SW_ENOMEM);
    assert_true(sw_failalloc_failed());
    assert_int_equal(s.n, 0);
    sw_failalloc_fail_at(0);
    const char next[] = F("second");
    assert_int_equal(mllp_framer_feed(&f, next, sizeof next - 1, collect, &s),
                     SW_OK);
    assert_int_equal(s.n, 1);
    assert_frame(&s, 0, "second");
    mllp_framer_free(&f);
    assert_int_equal(sw_failalloc_live(), 0);
    sw_failalloc_uninstall();
    seen_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_frame_in_one_feed),
        cmocka_unit_test(test_byte_at_a_time),
        cmocka_unit_test(test_glued_frames),
        cmocka_unit_test(test_split_everywhere),
        cmocka_unit_test(test_noise_between_frames),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_empty_frame),
        cmocka_unit_test(test_fs_without_cr),
        cmocka_unit_test(test_vt_restarts_frame),
        cmocka_unit_test(test_in_frame),
        cmocka_unit_test(test_callback_error_stops),
        cmocka_unit_test(test_feed_one),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
