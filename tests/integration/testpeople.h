/* testpeople.h - the fixture of the adoption API tests: a running server
 * (sw_test_env) and four more users of its practice, signed in: the
 * implementation lead "lead.a", two physicians "dr.peer" and "dr.other"
 * and the nurse "rn.super" (whom a test may make a super-user). Each
 * auth member is the whole Authorization header line of that user. */
#ifndef SW_TEST_TESTPEOPLE_H
#define SW_TEST_TESTPEOPLE_H

#include "testserver.h"

typedef struct ta_people {
    sw_test_env *e;
    char lead[512], peer[512], other[512], super[512];
} ta_people;

/* cmocka setup and teardown: *state is a ta_people. */
int ta_people_setup(void **state);
int ta_people_teardown(void **state);

#endif
