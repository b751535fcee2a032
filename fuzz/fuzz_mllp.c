/* fuzz_mllp.c - libFuzzer target for the MLLP framer (src/hl7/mllp.c):
 * every byte a PMS, or anyone reaching the MLLP port, sends goes through
 * it before anything else looks at it.
 *
 * Input: byte 0 chooses the frame limit (1 to 64 bytes, so that oversized
 * frames are common) and whether mllp_framer_feed or the server's
 * mllp_framer_feed_one is used; byte 1 seeds the chunk sizes; the rest is
 * the byte stream, fed in chunks of 1 to 40 bytes or all at once. Besides
 * what ASan and UBSan catch, the target checks:
 *   - the frames delivered are exactly those of a byte-at-a-time
 *     reference written from the rules in mllp.c, whatever the chunking;
 *   - no frame is longer than the limit, holds a VT, or holds FS CR;
 *   - feed_one consumes at least a byte per call (except once, when it
 *     reports an FS from an earlier call overflowing) and reports SW_ETOOBIG
 *     exactly once per oversized frame; feed reports it at most that often
 *     and at least once when there was one;
 *   - each frame, wrapped by mllp_frame_wrap, reads back as itself.
 *
 * Run by hand (new inputs go to the first directory, so not the seeds):
 *   build/san/fuzz/fuzz_mllp -dict=fuzz/mllp.dict -max_len=9000
 *       /tmp/corpus fuzz/corpus/mllp */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "hl7/mllp.h"
#include "hl7/mllp_int.h"

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,       \
                    __LINE__, #cond);                                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* Frames, stored one after the other with their lengths. */
struct frames {
    sw_buf bytes;
    size_t len[9000];
    size_t n;
    size_t max;
};

static int keep(void *ctx, const char *msg, size_t len)
{
    struct frames *f = ctx;
    CHECK(len <= f->max);
    CHECK(memchr(msg, MLLP_START, len) == NULL);
    for (size_t i = 0; i + 1 < len; i++)
        CHECK(!(msg[i] == MLLP_END && msg[i + 1] == MLLP_CR));
    CHECK(msg[len] == '\0');
    CHECK(f->n < sizeof f->len / sizeof f->len[0]);
    CHECK(sw_buf_append(&f->bytes, msg, len) == SW_OK);
    f->len[f->n++] = len;
    return SW_OK;
}

/* The rules of mllp.c, one byte at a time; returns the oversized count. */
static size_t reference(const uint8_t *p, size_t n, size_t max, struct frames *out)
{
    enum { OUT, IN, FS } state = OUT;
    sw_buf frame = SW_BUF_INIT(max);
    bool oversized = false;
    size_t toobig = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (state == OUT) {
            if (c == MLLP_START) {
                state = IN;
                sw_buf_reset(&frame);
                oversized = false;
            }
            continue;
        }
        if (state == FS) {
            if (c == MLLP_CR) {
                if (!oversized)
                    keep(out, frame.data ? frame.data : "", frame.len);
                state = OUT;
                continue;
            }
            /* The FS is data; this byte is looked at again as IN. */
            state = IN;
            if (!oversized && sw_buf_putc(&frame, MLLP_END) != SW_OK) {
                oversized = true;
                toobig++;
                sw_buf_reset(&frame);
            }
        }
        if (c == MLLP_START) {
            sw_buf_reset(&frame);
            oversized = false;
        } else if (c == MLLP_END) {
            state = FS;
        } else if (!oversized && sw_buf_putc(&frame, (char)c) != SW_OK) {
            oversized = true;
            toobig++;
            sw_buf_reset(&frame);
        }
    }
    sw_buf_free(&frame);
    return toobig;
}

static struct frames got, want, back;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t max = 1 + (data[0] >> 2) % 64;
    bool one_at_a_time = data[0] & 1;
    bool whole = data[0] & 2;
    uint32_t seed = data[1] * 2654435761u + 1;
    const uint8_t *stream = data + 2;
    size_t n = size - 2;

    sw_buf_init(&got.bytes, 1 << 20);
    sw_buf_init(&want.bytes, 1 << 20);
    got.n = want.n = 0;
    got.max = want.max = max;
    size_t expected_toobig = reference(stream, n, max, &want);

    mllp_framer f;
    mllp_framer_init(&f, max);
    size_t toobig = 0, off = 0;
    while (off < n) {
        seed = seed * 1103515245u + 12345u;
        size_t chunk = whole ? n - off : 1 + (seed >> 16) % 40;
        if (chunk > n - off)
            chunk = n - off;
        const char *p = (const char *)stream + off;
        if (one_at_a_time) {
            size_t done = 0;
            bool stalled = false;
            while (done < chunk) {
                size_t used = 0;
                int rc = mllp_framer_feed_one(&f, p + done, chunk - done, keep,
                                              &got, &used);
                CHECK(rc == SW_OK || rc == SW_ETOOBIG);
                CHECK(used <= chunk - done);
                /* Nothing used only when reporting an oversized frame (the
                 * FS that overflowed came in earlier), never twice running. */
                CHECK(used > 0 || (rc == SW_ETOOBIG && !stalled));
                stalled = used == 0;
                toobig += rc == SW_ETOOBIG;
                done += used;
            }
        } else {
            int rc = mllp_framer_feed(&f, p, chunk, keep, &got);
            CHECK(rc == SW_OK || rc == SW_ETOOBIG);
            toobig += rc == SW_ETOOBIG;
        }
        off += chunk;
        CHECK(f.frame.len <= max);
    }
    mllp_framer_free(&f);

    CHECK(got.n == want.n);
    CHECK(got.bytes.len == want.bytes.len);
    CHECK(got.bytes.len == 0 || memcmp(got.bytes.data, want.bytes.data, got.bytes.len) == 0);
    for (size_t i = 0; i < got.n; i++)
        CHECK(got.len[i] == want.len[i]);
    if (one_at_a_time)
        CHECK(toobig == expected_toobig);
    else
        CHECK(toobig <= expected_toobig && (expected_toobig == 0) == (toobig == 0));

    /* Each frame, wrapped, reads back as itself. */
    size_t at = 0;
    for (size_t i = 0; i < got.n; i++) {
        sw_buf w = SW_BUF_INIT(max + 3);
        CHECK(mllp_frame_wrap(&w, got.bytes.data + at, got.len[i]) == SW_OK);
        sw_buf_init(&back.bytes, max + 1);
        back.n = 0;
        back.max = max;
        mllp_framer g;
        mllp_framer_init(&g, max);
        CHECK(mllp_framer_feed(&g, w.data, w.len, keep, &back) == SW_OK);
        CHECK(back.n == 1 && back.len[0] == got.len[i]);
        CHECK(got.len[i] == 0 ||
              memcmp(back.bytes.data, got.bytes.data + at, got.len[i]) == 0);
        mllp_framer_free(&g);
        sw_buf_free(&back.bytes);
        sw_buf_free(&w);
        at += got.len[i];
    }
    sw_buf_free(&got.bytes);
    sw_buf_free(&want.bytes);
    return 0;
}
