/* json_bench.c - the JSON row of `make bench`: sw_json_parse against
 * jansson's json_loads on the same FHIR document, in the same process.
 *
 *   json_bench FILE SECONDS
 *
 * FILE is a FHIR document (bench/run.sh passes the Synthea bundle in
 * tests/data/synthea/). Each side runs in turns of about 100 ms until each
 * has had SECONDS in all, so that both see the same machine state; a turn
 * is a whole parse and its cleanup (sw_arena_create + parse + destroy for
 * us, json_loads + json_decref for jansson, which also turns every number
 * into a double). It prints, for bench/run.sh to read:
 *
 *   ours_parse      MB/s parses
 *   jansson_parse   MB/s parses
 *   ours_compact    MB/s parses     (the same document compacted; ours only)
 *   ours_write      MB/s writes     (sw_json_write of the compact tree)
 *
 * Exit status 1 with a message on stderr if either parser refuses the file. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"

#define TURN_S 0.1

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    sw_buf b = SW_BUF_INIT(256 * 1024 * 1024);
    char chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (sw_buf_append(&b, chunk, k) != SW_OK) {
            fclose(f);
            sw_buf_free(&b);
            return NULL;
        }
    }
    fclose(f);
    return sw_buf_detach(&b, n);
}

struct side {
    double secs;
    long   runs;
};

static int ours_once(const char *text, size_t n)
{
    sw_arena *a = sw_arena_create(0);
    sw_json *v;
    sw_err err = { 0 };
    int rc = a ? sw_json_parse(a, text, n, &v, &err) : SW_ENOMEM;
    if (rc != SW_OK)
        fprintf(stderr, "json_bench: our parser refused the file: %s\n", sw_err_text(&err));
    sw_arena_destroy(a);
    return rc;
}

static int jansson_once(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, 0, &err);
    if (v == NULL) {
        fprintf(stderr, "json_bench: jansson refused the file: %s (line %d)\n",
                err.text, err.line);
        return 1;
    }
    json_decref(v);
    return 0;
}

/* One turn of about TURN_S seconds; adds to s. */
static int turn(struct side *s, int which, const char *text, size_t n)
{
    double t0 = now(), t;
    do {
        int rc = which ? jansson_once(text) : ours_once(text, n);
        if (rc != 0)
            return rc;
        s->runs++;
        t = now();
    } while (t - t0 < TURN_S);
    s->secs += t - t0;
    return 0;
}

static double mbps(size_t n, const struct side *s)
{
    return (double)n * (double)s->runs / s->secs / 1e6;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: json_bench FILE SECONDS\n");
        return 2;
    }
    double secs = atof(argv[2]);
    size_t n;
    char *text = read_file(argv[1], &n);
    if (text == NULL) {
        fprintf(stderr, "json_bench: cannot read %s\n", argv[1]);
        return 1;
    }

    /* warm-up, and both must accept the file before anything is timed */
    if (ours_once(text, n) != 0 || jansson_once(text) != 0)
        return 1;
    struct side ours = { 0 }, jans = { 0 };
    while (ours.secs < secs || jans.secs < secs) {
        if (turn(&ours, 0, text, n) != 0 || turn(&jans, 1, text, n) != 0)
            return 1;
    }

    /* the same tree compacted, as Stagewise stores resources */
    sw_arena *a = sw_arena_create(0);
    sw_json *tree;
    sw_buf compact = SW_BUF_INIT(256 * 1024 * 1024);
    if (a == NULL || sw_json_parse(a, text, n, &tree, NULL) != SW_OK
        || sw_json_write(&compact, tree) != SW_OK) {
        fprintf(stderr, "json_bench: could not compact the file\n");
        return 1;
    }
    struct side comp = { 0 }, wr = { 0 };
    while (comp.secs < secs / 2)
        if (turn(&comp, 0, compact.data, compact.len) != 0)
            return 1;
    sw_buf out = SW_BUF_INIT(256 * 1024 * 1024);
    double t0 = now();
    do {
        sw_buf_reset(&out);
        if (sw_json_write(&out, tree) != SW_OK)
            return 1;
        wr.runs++;
    } while (now() - t0 < secs / 2);
    wr.secs = now() - t0;

    printf("ours_parse %.1f %ld\n", mbps(n, &ours), ours.runs);
    printf("jansson_parse %.1f %ld\n", mbps(n, &jans), jans.runs);
    printf("ours_compact %.1f %ld\n", mbps(compact.len, &comp), comp.runs);
    printf("ours_write %.1f %ld\n", mbps(compact.len, &wr), wr.runs);
    printf("bytes %zu %zu\n", n, compact.len);

    sw_buf_free(&out);
    sw_buf_free(&compact);
    sw_arena_destroy(a);
    sw_free(text);
    return 0;
}
