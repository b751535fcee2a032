/* fuzz_hl7.c - libFuzzer target for the HL7 v2 parser and serializer
 * (src/hl7/parse.c, serialize.c): every message from the billing system
 * and other interfaces goes through them.
 *
 * Each input is one message; inputs starting with FHS or BHS are parsed as
 * a batch and as a file of batches. Besides what ASan and UBSan catch, the target checks:
 *   - a refusal is SW_EINVAL with a sentence (SW_ENOMEM cannot happen: the
 *     arena has no budget here), and no message is returned;
 *   - an accepted message serializes, its serialization parses to an equal
 *     message, and serializing that gives the same bytes.
 *
 * Run by hand (new inputs go to the first directory, so not the seeds):
 *   build/san/fuzz/fuzz_hl7 -dict=fuzz/hl7.dict -max_len=9000
 *       /tmp/corpus fuzz/corpus/hl7 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "hl7/message.h"

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,       \
                    __LINE__, #cond);                                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

static void check_message(sw_arena *a, const hl7_message *m)
{
    sw_buf w1 = SW_BUF_INIT(64 * 1024 * 1024), w2 = SW_BUF_INIT(64 * 1024 * 1024);
    CHECK(hl7_serialize(m, &w1) == SW_OK);
    hl7_message *m2 = NULL;
    sw_err err = { 0 };
    int rc = hl7_parse(a, w1.data, w1.len, &m2, &err);
    if (rc != SW_OK)
        fprintf(stderr, "refused its own output: %s\n", err.msg);
    CHECK(rc == SW_OK);
    CHECK(hl7_message_equal(m, m2));
    CHECK(hl7_serialize(m2, &w2) == SW_OK);
    CHECK(w1.len == w2.len && memcmp(w1.data, w2.data, w1.len) == 0);
    sw_buf_free(&w1);
    sw_buf_free(&w2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena *a = sw_arena_create(0);
    CHECK(a != NULL);
    sw_err err = { 0 };
    const char *text = (const char *)data;
    if (size >= 3 && (memcmp(data, "FHS", 3) == 0 || memcmp(data, "BHS", 3) == 0)) {
        hl7_batch *b = NULL;
        int rc = hl7_parse_batch(a, text, size, &b, &err);
        if (rc != SW_OK) {
            CHECK(rc == SW_EINVAL && err.msg[0] != '\0' && b == NULL);
        } else {
            for (size_t i = 0; i < b->nmsg; i++)
                check_message(a, b->msgs[i]);
            sw_buf w = SW_BUF_INIT(64 * 1024 * 1024);
            CHECK(hl7_serialize_batch(b, &w) == SW_OK);
            hl7_batch *b2 = NULL;
            CHECK(hl7_parse_batch(a, w.data, w.len, &b2, &err) == SW_OK);
            CHECK(b2->nmsg == b->nmsg);
            for (size_t i = 0; i < b->nmsg; i++)
                CHECK(hl7_message_equal(b->msgs[i], b2->msgs[i]));
            sw_buf_free(&w);
        }
        /* The same input as a file of batches. */
        hl7_file *f = NULL;
        rc = hl7_parse_file(a, text, size, &f, &err);
        if (rc != SW_OK) {
            CHECK(rc == SW_EINVAL && err.msg[0] != '\0' && f == NULL);
        } else {
            sw_buf w = SW_BUF_INIT(64 * 1024 * 1024);
            CHECK(hl7_serialize_file(f, &w) == SW_OK);
            hl7_file *f2 = NULL;
            CHECK(hl7_parse_file(a, w.data, w.len, &f2, &err) == SW_OK);
            CHECK(f2->nbatch == f->nbatch);
            for (size_t k = 0; k < f->nbatch; k++) {
                CHECK(f2->batches[k]->nmsg == f->batches[k]->nmsg);
                for (size_t i = 0; i < f->batches[k]->nmsg; i++)
                    CHECK(hl7_message_equal(f->batches[k]->msgs[i],
                                            f2->batches[k]->msgs[i]));
            }
            sw_buf_free(&w);
        }
        sw_arena_destroy(a);
        return 0;
    }
    hl7_message *m = NULL;
    int rc = hl7_parse(a, text, size, &m, &err);
    if (rc != SW_OK)
        CHECK(rc == SW_EINVAL && err.msg[0] != '\0' && m == NULL);
    else
        check_message(a, m);
    sw_arena_destroy(a);
    return 0;
}
