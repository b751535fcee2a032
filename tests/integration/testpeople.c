/* testpeople.c - the adoption API tests' server and users (testpeople.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "testapi.h"
#include "testpeople.h"

int ta_people_setup(void **state)
{
    if (sw_test_env_setup(state) != 0)
        return -1;
    ta_people *p = calloc(1, sizeof *p);
    if (p == NULL)
        return -1;
    p->e = *state;
    *state = p;
    sw_test_env *e = p->e;
    sw_test_sign_in_new_user(e, "lead.a", "implementation_lead", p->lead,
                             sizeof p->lead);
    sw_test_sign_in_new_user(e, "dr.peer", "physician", p->peer, sizeof p->peer);
    sw_test_sign_in_new_user(e, "dr.other", "physician", p->other,
                             sizeof p->other);
    sw_test_sign_in_new_user(e, "rn.super", "nurse", p->super, sizeof p->super);
    return 0;
}

int ta_people_teardown(void **state)
{
    ta_people *p = *state;
    void *e = p->e;
    free(p);
    return sw_test_env_teardown(&e);
}
