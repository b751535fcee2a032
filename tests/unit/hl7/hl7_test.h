/* hl7_test.h - what the HL7 unit tests (test_ack.c, test_dft.c,
 * test_parse.c) share: one arena for the whole group of tests, made by
 * the group's setup and freed by its teardown, and parsing that fails the
 * test with the parser's sentence. Each test file spells the arena A. */
#ifndef SW_TEST_HL7_TEST_H
#define SW_TEST_HL7_TEST_H

#include <stddef.h>

#include "core/arena.h"
#include "hl7/message.h"

extern sw_arena *hl7_test_arena;

/* cmocka group setup and teardown of hl7_test_arena. */
int hl7_test_setup(void **state);
int hl7_test_teardown(void **state);

/* text[0, len) parsed into hl7_test_arena, or the test fails saying why. */
hl7_message *hl7_test_parse(const char *text, size_t len);

#endif
