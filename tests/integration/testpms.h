/* testpms.h - the in-test practice-management system of the HL7 integration
 * tests (test_hl7_outbound.c, test_hl7_crash.c): an mllp_server on
 * 127.0.0.1 that parses each message, keeps its MSH-10, our patient id from
 * PID-3 and its text, and answers as scripted; and what the HL7 tests need
 * beside the running server (the store opened again, also for
 * test_hl7_reconcile.c, and the practice's peer pointed at the PMS). The PMS's fields other than mode may be read
 * without the lock once nothing is being sent. */
#ifndef SW_TEST_TESTPMS_H
#define SW_TEST_TESTPMS_H

#include <pthread.h>
#include <stddef.h>

#include "hl7/mllp.h"
#include "store/store.h"
#include "testapi.h"

/* How the PMS answers: an ACK with that code (ZZ is no code of HL7's), an
 * AA naming another message, no answer, or the connection closed. */
typedef enum testpms_mode {
    PMS_AA, PMS_CA, PMS_AE, PMS_CE, PMS_AR, PMS_CR, PMS_ZZ, PMS_WRONG_ID,
    PMS_SILENT, PMS_CLOSE,
} testpms_mode;

#define TESTPMS_MAX 64   /* messages kept; later ones are answered only */

typedef struct testpms {
    mllp_server    *srv;
    int             port;
    pthread_mutex_t mu;
    testpms_mode    mode;
    size_t          n;
    char            control[TESTPMS_MAX][24];
    char            patient[TESTPMS_MAX][64];   /* our id from PID-3 */
    char           *body[TESTPMS_MAX];
} testpms;

/* Starts the PMS on a free port (p->port) answering as mode; the test
 * fails if it cannot. */
void testpms_start(testpms *p, testpms_mode mode);
void testpms_stop(testpms *p);
void testpms_set(testpms *p, testpms_mode mode);
/* How many times the message with that MSH-10 came; how many came in all. */
size_t testpms_count(testpms *p, const char *control);
size_t testpms_total(testpms *p);

/* The store of the running server, opened beside it with one connection. */
sw_store *testpms_open_store(sw_test_env *e);
/* Practice 1's peer: sends to host:port (host "" for nowhere yet),
 * processing id T, accepts from 127.0.0.1. */
void testpms_set_peer(sw_store *s, const char *host, int port);

#endif
