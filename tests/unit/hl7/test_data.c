/* test_data.c - every message in tests/data/hl7v2 (sample messages written
 * by other projects, see its README.md and SOURCES.tsv) parses, its MSH-9
 * and MSH-12 and its segment count agree with INVENTORY.tsv, and the round
 * trip parse -> serialize -> parse gives an equal message whose
 * serialization is the same bytes. Real senders' quirks live in these
 * files, so this is the parser's check against the world. */
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
#include "hl7/message.h"

static const char *data_dir(void)
{
    const char *d = getenv("STAGEWISE_TEST_DATA");
    return d ? d : "tests/data";
}

static void load(const char *rel, sw_buf *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/hl7v2/%s", data_dir(), rel);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot read %s (STAGEWISE_TEST_DATA)", path);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        assert_int_equal(sw_buf_append(b, chunk, n), SW_OK);
    fclose(f);
}

static void check_file(const char *file, const char *msgtype,
                       const char *version, const char *segs)
{
    sw_arena *a = sw_arena_create(0);
    sw_buf in = SW_BUF_INIT(16 * 1024 * 1024);
    load(file, &in);
    hl7_message *m = NULL;
    sw_err err = { 0 };
    if (hl7_parse(a, in.data ? in.data : "", in.len, &m, &err) != SW_OK)
        fail_msg("%s: %s", file, sw_err_text(&err));
    const hl7_segment *msh = hl7_segment_find(m, "MSH", 1);
    assert_non_null(msh);
    sw_buf f = SW_BUF_INIT(1 << 20);
    if (msgtype[0] != '\0') {
        assert_int_equal(hl7_write_field(&m->enc, msh, 9, &f), SW_OK);
        if (strcmp(sw_buf_str(&f), msgtype) != 0)
            fail_msg("%s: MSH-9 is '%s', INVENTORY.tsv says '%s'", file,
                     sw_buf_str(&f), msgtype);
    }
    if (version[0] != '\0') {
        const char *v = hl7_get(m, "MSH", 1, 12, 1, 1, 1);
        if (v == NULL || strcmp(v, version) != 0)
            fail_msg("%s: MSH-12 is '%s', INVENTORY.tsv says '%s'", file,
                     v ? v : "(absent)", version);
    }
    if (segs[0] != '\0' && (size_t)atoi(segs) != m->nseg)
        fail_msg("%s: %zu segments, INVENTORY.tsv says %s", file, m->nseg, segs);

    sw_buf s1 = SW_BUF_INIT(16 * 1024 * 1024), s2 = SW_BUF_INIT(16 * 1024 * 1024);
    assert_int_equal(hl7_serialize(m, &s1), SW_OK);
    hl7_message *m2 = NULL;
    if (hl7_parse(a, s1.data, s1.len, &m2, &err) != SW_OK)
        fail_msg("%s: its serialization does not parse: %s", file, sw_err_text(&err));
    if (!hl7_message_equal(m, m2))
        fail_msg("%s: the round trip changed the message", file);
    assert_int_equal(hl7_serialize(m2, &s2), SW_OK);
    assert_int_equal(s1.len, s2.len);
    assert_memory_equal(s1.data, s2.data, s1.len);
    sw_buf_free(&f);
    sw_buf_free(&s1);
    sw_buf_free(&s2);
    sw_buf_free(&in);
    sw_arena_destroy(a);
}

/* Walks INVENTORY.tsv: file, bytes, msgtype, version, separator, segs, ... */
static void every_inventory_file(void **state)
{
    (void)state;
    sw_buf inv = SW_BUF_INIT(1 << 20);
    load("INVENTORY.tsv", &inv);
    char *save = NULL;
    size_t files = 0;
    char *text = inv.data;
    for (char *ln = strtok_r(text, "\n", &save); ln != NULL;
         ln = strtok_r(NULL, "\n", &save)) {
        if (strncmp(ln, "file\t", 5) == 0)
            continue;
        char *col[8] = { 0 };
        size_t k = 0;
        char *p = ln;
        while (k < 8) {
            col[k++] = p;
            char *tab = strchr(p, '\t');
            if (tab == NULL)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (k < 6)
            fail_msg("INVENTORY.tsv: short line for %s", col[0]);
        check_file(col[0], col[2], col[3], col[5]);
        files++;
    }
    assert_true(files >= 30);
    sw_buf_free(&inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_inventory_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
