/* teststore.h - the fixture of the integration tests that call the library
 * on a store opened directly, with no server in front (test_hl7_inbound.c,
 * test_training_generate.c): a fresh database, initialised, opened. */
#ifndef SW_TEST_TESTSTORE_H
#define SW_TEST_TESTSTORE_H

#include "store/store.h"

typedef struct teststore {
    char     *db;      /* the store's URL (sw_test_fresh_db) */
    sw_store *store;
} teststore;

/* cmocka setup and teardown: *state is a teststore. */
int teststore_setup(void **state);
int teststore_teardown(void **state);

#endif
