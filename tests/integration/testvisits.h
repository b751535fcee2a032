/* testvisits.h - visits signed through /api for the HL7 integration tests
 * (test_hl7_outbound.c, test_hl7_crash.c, test_hl7_reconcile.c): a
 * Practitioner with an NPI linked to a user's account, so signing bills
 * as them, and a visit opened, written, coded and signed, whose charges
 * the signing queues for the PMS. Each step that fails fails the test. */
#ifndef SW_TEST_TESTVISITS_H
#define SW_TEST_TESTVISITS_H

#include <stddef.h>

#include "testapi.h"

/* The Practitioner id with NPI npi, linked to username's account. */
void testvisits_link_practitioner(sw_test_env *e, const char *username,
                                  const char *id, const char *npi);

/* Opens, writes, codes (coding: the body of PUT /api/visits/{id}/coding)
 * and signs a visit of patient as auth. The charge ids go to charges (at
 * most max; more fails the test), their number to *ncharges; charges may
 * be NULL. The encounter id (the caller frees). */
char *testvisits_sign(sw_test_env *e, const char *auth, const char *patient,
                      const char *coding, char charges[][80], size_t max,
                      size_t *ncharges);

#endif
