/* teststore.c - a fresh, initialised store opened directly for each test
 * (see teststore.h); each test starts from the same empty practice. */
#include "teststore.h"

#include <stdio.h>
#include <stdlib.h>

#include "testdb.h"
#include "testserver.h"

int teststore_setup(void **state)
{
    teststore *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    f->db = sw_test_fresh_db();
    sw_test_init_db(f->db);
    store_options so = { 0 };
    sw_err err;
    if (store_open(f->db, &so, &f->store, &err) != SW_OK) {
        fprintf(stderr, "opening the store: %s\n", sw_err_text(&err));
        free(f->db);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int teststore_teardown(void **state)
{
    teststore *f = *state;
    store_close(f->store);
    free(f->db);
    free(f);
    return 0;
}
