/* hl7_test.c - the arena and parsing the HL7 unit tests share
 * (hl7_test.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hl7_test.h"

sw_arena *hl7_test_arena;

int hl7_test_setup(void **state)
{
    (void)state;
    hl7_test_arena = sw_arena_create(0);
    return hl7_test_arena ? 0 : -1;
}

int hl7_test_teardown(void **state)
{
    (void)state;
    sw_arena_destroy(hl7_test_arena);
    hl7_test_arena = NULL;
    return 0;
}

hl7_message *hl7_test_parse(const char *text, size_t len)
{
    hl7_message *m = NULL;
    sw_err err = { 0 };
    if (hl7_parse(hl7_test_arena, text, len, &m, &err) != SW_OK)
        fail_msg("does not parse: %s", sw_err_text(&err));
    return m;
}
