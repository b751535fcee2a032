/* mllp_load.c - the load of the HL7 rows of `make bench`: CONNS connections
 * each sending ADT^A04 messages over MLLP, one at a time, waiting for each
 * ACK, for SECONDS; every message has its own control id (MSH-10) and its
 * own patient, so a receiver that stores them stores every one.
 *
 *   mllp_load HOST PORT CONNS SECONDS TAG
 *
 * Prints "acked N", "rate R" (ACKs per second), "rejected N" (ACKs other
 * than AA/CA), "errors N" (timeouts, closed connections) and "p99_ms X".
 * TAG goes into every control id, so two runs against one database never
 * collide (a repeated control id is a duplicate, answered without work). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "hl7/mllp.h"

#define MAX_CONNS   256
#define MAX_SAMPLES (1 << 20)

static const char *host, *tag;
static int port;
static int64_t stop_at_us;
static atomic_long acked, rejected, errors;
static atomic_long nsamples;
static float *samples_ms;

static void adt(sw_buf *b, int conn, long i)
{
    sw_buf_reset(b);
    sw_buf_printf(b,
        "MSH|^~\\&|PMS|CLINIC|STAGEWISE|CLINIC|20261125093000||ADT^A04^ADT_A01|%s-%d-%ld|P|2.5.1\r"
        "EVN|A04|20261125093000\r"
        "PID|1||%s%d%ld^^^PMS^MR||Bench^Patient^%ld||19700101|F|||12 Main St^^Springfield^IL^62701||^PRN^PH^^^217^5550100\r"
        "PV1|1|O\r", tag, conn, i, tag, conn, i, i);
}

static void *run(void *arg)
{
    int conn = (int)(intptr_t)arg;
    mllp_client_config cc = { .host = host, .port = port };
    mllp_client *c = NULL;
    sw_err err;
    if (mllp_client_connect(&cc, &c, &err) != SW_OK) {
        fprintf(stderr, "mllp_load: %s\n", err.msg);
        atomic_fetch_add(&errors, 1);
        return NULL;
    }
    sw_buf msg, reply;
    sw_buf_init(&msg, 1 << 16);
    sw_buf_init(&reply, 1 << 16);
    for (long i = 0; sw_now_mono_us() < stop_at_us; i++) {
        adt(&msg, conn, i);
        int64_t t0 = sw_now_mono_us();
        if (mllp_client_exchange(c, msg.data, msg.len, &reply, &err) != SW_OK) {
            atomic_fetch_add(&errors, 1);
            break;
        }
        long k = atomic_fetch_add(&nsamples, 1);
        if (k < MAX_SAMPLES)
            samples_ms[k] = (float)(sw_now_mono_us() - t0) / 1000.0f;
        const char *msa = memmem(reply.data, reply.len, "MSA|", 4);
        if (msa && msa + 6 <= reply.data + reply.len
            && (memcmp(msa + 4, "AA", 2) == 0 || memcmp(msa + 4, "CA", 2) == 0))
            atomic_fetch_add(&acked, 1);
        else
            atomic_fetch_add(&rejected, 1);
    }
    sw_buf_free(&msg);
    sw_buf_free(&reply);
    mllp_client_close(c);
    return NULL;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: mllp_load HOST PORT CONNS SECONDS TAG\n");
        return 2;
    }
    host = argv[1];
    port = atoi(argv[2]);
    int conns = atoi(argv[3]), secs = atoi(argv[4]);
    tag = argv[5];
    if (conns < 1 || conns > MAX_CONNS || secs < 1) {
        fprintf(stderr, "mllp_load: CONNS must be 1-%d and SECONDS >= 1\n", MAX_CONNS);
        return 2;
    }
    samples_ms = calloc(MAX_SAMPLES, sizeof *samples_ms);
    pthread_t t[MAX_CONNS];
    int64_t t0 = sw_now_mono_us();
    stop_at_us = t0 + (int64_t)secs * 1000000;
    for (int i = 0; i < conns; i++)
        pthread_create(&t[i], NULL, run, (void *)(intptr_t)i);
    for (int i = 0; i < conns; i++)
        pthread_join(t[i], NULL);
    double elapsed = (double)(sw_now_mono_us() - t0) / 1e6;
    long n = atomic_load(&nsamples);
    if (n > MAX_SAMPLES)
        n = MAX_SAMPLES;
    qsort(samples_ms, (size_t)n, sizeof *samples_ms, cmp_float);
    printf("acked %ld\nrate %.0f\nrejected %ld\nerrors %ld\np99_ms %.2f\n",
           atomic_load(&acked), (double)atomic_load(&acked) / elapsed,
           atomic_load(&rejected), atomic_load(&errors),
           n > 0 ? samples_ms[(size_t)((double)n * 0.99)] : 0.0);
    free(samples_ms);
    return atomic_load(&acked) > 0 ? 0 : 1;
}
