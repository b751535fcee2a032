/* testadoption.h - rows by hand for the adoption tests that call the
 * library on a store opened directly (teststore.h): SQL scripts and
 * single-number queries, users of practice 1, and a plan saved as a new
 * version. Everything fails the running cmocka test when a step does. */
#ifndef SW_TEST_TESTADOPTION_H
#define SW_TEST_TESTADOPTION_H

#include <stdint.h>

#include "teststore.h"

/* Runs a SQL script (printf-style, no parameters) in one write. */
void ta_sql(teststore *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Column 0 of the first row of a query (printf-style). */
int64_t ta_query(teststore *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds username with roles and the Practitioner id practitioner ("" for
 * none) to practice 1; returns the user id. */
int64_t ta_add_user(teststore *f, const char *username, const char *roles,
                    const char *practitioner);
/* Saves json (single quotes for double, for readability) as the next
 * plan version. */
void ta_save_plan(teststore *f, const char *json);

#endif
