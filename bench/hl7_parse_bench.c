/* hl7_parse_bench.c - HL7 v2 parse throughput for `make bench`: every
 * message file given is parsed again and again for SECONDS (each parse into
 * a fresh arena, as the inbound path does), and the bytes parsed per second
 * are printed. bench/run.sh gives it the files hl7v2 (npm) also parses and
 * runs bench/hl7net/parse.mjs on the same files as the comparison.
 *
 *   hl7_parse_bench SECONDS FILE...
 *
 * Prints "files N", "bytes N" (one round over the files), "parse_mbps X". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "hl7/message.h"

typedef struct input {
    char  *data;
    size_t len;
} input;

static int read_file(const char *path, input *in)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    in->data = malloc((size_t)n + 1);
    in->len = fread(in->data, 1, (size_t)n, f);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: hl7_parse_bench SECONDS FILE...\n");
        return 2;
    }
    int secs = atoi(argv[1]);
    size_t nin = 0, total = 0;
    input *in = calloc((size_t)argc, sizeof *in);
    for (int i = 2; i < argc; i++) {
        input x;
        if (read_file(argv[i], &x) != 0)
            continue;
        /* Only what parses as one message counts (batches and the
         * deliberately broken samples are left out). */
        sw_arena *a = sw_arena_create(0);
        hl7_message *m;
        sw_err err;
        if (hl7_parse(a, x.data, x.len, &m, &err) == SW_OK) {
            in[nin++] = x;
            total += x.len;
        } else {
            free(x.data);
        }
        sw_arena_destroy(a);
    }
    if (nin == 0) {
        fprintf(stderr, "hl7_parse_bench: no file parsed as one message\n");
        return 1;
    }
    double bytes = 0;
    int64_t t0 = sw_now_mono_us(), until = t0 + (int64_t)secs * 1000000;
    while (sw_now_mono_us() < until) {
        for (size_t i = 0; i < nin; i++) {
            sw_arena *a = sw_arena_create(0);
            hl7_message *m;
            sw_err err;
            if (hl7_parse(a, in[i].data, in[i].len, &m, &err) != SW_OK)
                return 1;
            sw_arena_destroy(a);
        }
        bytes += (double)total;
    }
    double parse = bytes / ((double)(sw_now_mono_us() - t0) / 1e6) / 1e6;
    printf("files %zu\nbytes %zu\nparse_mbps %.0f\n", nin, total, parse);
    return 0;
}
