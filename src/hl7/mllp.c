/* mllp.c - MLLP release 2 framing: reassembling <VT> message <FS><CR>
 * frames from whatever pieces TCP delivers, and wrapping replies.
 *
 * Every byte an MLLP peer sends passes through mllp_framer_feed (the
 * server's connections, the client's replies, the fuzz target), so the
 * scan works on runs of bytes with memchr rather than byte by byte, and
 * the frame buffer is kept between frames (reset, not freed).
 *
 * The rules, which docs/hl7-interface.md repeats for PMS vendors:
 * - Between frames, anything but VT is skipped (the CR/LF some senders
 *   add after a frame, noise after a reconnect).
 * - Only the two bytes FS CR end a frame. An FS followed by any other byte
 *   is part of the message, as release 2 defines the trailer as the pair;
 *   an FS at the end of a read waits for the next byte to decide.
 * - A VT inside a frame starts a new frame and the partial one is
 *   dropped: release 2 forbids VT in the content, so it can only mean that
 *   the sender gave up on a frame and began again.
 * - The message (between VT and FS CR) may be at most max_frame bytes.
 *   Past that, the bytes received so far are dropped, the rest of the
 *   frame is skipped up to its FS CR (or a VT), and SW_ETOOBIG is
 *   reported once for that frame. Memory is bounded by max_frame.
 *   mllp_framer_feed looks at all the bytes it is given (frames after an
 *   oversized one in the same feed are still delivered) and returns
 *   SW_ETOOBIG at the end; the server and the client use
 *   mllp_framer_feed_one, which stops at the oversized frame, so that it
 *   is answered before anything sent after it. */
#include "hl7/mllp.h"

#include <string.h>

#include "hl7/mllp_int.h"

enum {
    OUTSIDE = 0,   /* waiting for VT */
    INSIDE,        /* in a frame, after VT */
    AFTER_FS,      /* in a frame, after an FS: CR ends it, anything else is data */
};

void mllp_framer_init(mllp_framer *f, size_t max_frame)
{
    sw_buf_init(&f->frame, max_frame);
    f->max_frame = max_frame;
    f->state = OUTSIDE;
    f->oversized = false;
}

void mllp_framer_free(mllp_framer *f)
{
    if (f == NULL)
        return;
    sw_buf_free(&f->frame);
    f->state = OUTSIDE;
    f->oversized = false;
}

bool mllp_framer_in_frame(const mllp_framer *f)
{
    return f->state != OUTSIDE;
}

static void start_frame(mllp_framer *f)
{
    sw_buf_reset(&f->frame);
    f->state = INSIDE;
    f->oversized = false;
}

/* Adds message bytes to the frame; SW_ETOOBIG the first time the frame
 * passes the limit, SW_ENOMEM when it cannot grow. Either way the frame is
 * dropped and the rest of it skipped up to its end. */
static int take(mllp_framer *f, const char *p, size_t n)
{
    if (f->oversized || n == 0)
        return SW_OK;
    int rc = sw_buf_append(&f->frame, p, n);
    if (rc != SW_OK) {
        sw_buf_reset(&f->frame);
        f->oversized = true;
    }
    return rc;
}

/* Ends the frame at FS CR: delivers it unless it was too long. */
static int end_frame(mllp_framer *f, mllp_frame_fn on_frame, void *ctx,
                     bool *delivered)
{
    f->state = OUTSIDE;
    if (f->oversized) {
        f->oversized = false;
        return SW_OK;
    }
    *delivered = true;
    /* An empty frame has no buffer yet: hand over "" rather than NULL. */
    const char *msg = f->frame.data ? f->frame.data : "";
    size_t len = f->frame.len;
    int rc = on_frame(ctx, msg, len);
    sw_buf_reset(&f->frame);
    return rc;
}

/* The scanner. With one, stops after the first delivered frame or
 * oversize; *used is the number of bytes consumed. */
static int run(mllp_framer *f, const char *data, size_t n,
               mllp_frame_fn on_frame, void *ctx, bool one, size_t *used)
{
    const char *p = data, *end = data + n;
    int result = SW_OK;
    while (p < end) {
        if (f->state == OUTSIDE) {
            const char *vt = memchr(p, MLLP_START, (size_t)(end - p));
            if (vt == NULL) {
                p = end;
                break;
            }
            p = vt + 1;
            start_frame(f);
            continue;
        }
        if (f->state == AFTER_FS) {
            unsigned char c = (unsigned char)*p;
            if (c == MLLP_CR) {
                p++;
                bool delivered = false;
                int rc = end_frame(f, on_frame, ctx, &delivered);
                if (rc != SW_OK) {
                    result = rc;
                    break;
                }
                if (one && delivered)
                    break;
                continue;
            }
            /* The FS was data; the byte after it is looked at afresh. */
            f->state = INSIDE;
            char fs = MLLP_END;
            int rc = take(f, &fs, 1);
            if (rc != SW_OK) {
                if (result == SW_OK)
                    result = rc;
                if (one)
                    break;
            }
            continue;
        }
        /* INSIDE: message bytes up to the next FS or VT. */
        size_t left = (size_t)(end - p);
        const char *fs = memchr(p, MLLP_END, left);
        size_t run_len = fs ? (size_t)(fs - p) : left;
        const char *vt = memchr(p, MLLP_START, run_len);
        if (vt != NULL)
            run_len = (size_t)(vt - p);
        /* Bytes before a VT are taken too, only so that a partial frame
         * past the limit is reported however the bytes were chunked. */
        int rc = take(f, p, run_len);
        p += run_len;
        if (rc != SW_OK) {
            if (result == SW_OK)
                result = rc;
            if (one)
                break;        /* the VT or FS is looked at by the next call */
        }
        if (vt != NULL) {
            /* A new frame begins: the partial one is abandoned. */
            p++;
            start_frame(f);
        } else if (fs != NULL) {
            p++;
            f->state = AFTER_FS;
        }
    }
    if (used)
        *used = (size_t)(p - data);
    return result;
}

int mllp_framer_feed(mllp_framer *f, const char *data, size_t n,
                     mllp_frame_fn on_frame, void *ctx)
{
    return run(f, data, n, on_frame, ctx, false, NULL);
}

int mllp_framer_feed_one(mllp_framer *f, const char *data, size_t n,
                         mllp_frame_fn on_frame, void *ctx, size_t *used)
{
    return run(f, data, n, on_frame, ctx, true, used);
}

int mllp_frame_wrap(sw_buf *out, const char *msg, size_t len)
{
    int rc = sw_buf_reserve(out, len + 3);
    if (rc != SW_OK)
        return rc;
    char *w = out->data + out->len;
    w[0] = MLLP_START;
    if (len)
        memcpy(w + 1, msg, len);
    w[len + 1] = MLLP_END;
    w[len + 2] = MLLP_CR;
    out->len += len + 3;
    out->data[out->len] = '\0';
    return SW_OK;
}
