/* store_test.h - helpers shared by the store tests (tests/unit/store/).
 *
 * Each store test binary runs once per backend (CTest sets
 * STAGEWISE_TEST_STORE); these helpers open a fresh database of that
 * backend and run one-statement writes and reads so that a test body shows
 * only what it checks. Every helper fails the current cmocka test on an
 * unexpected error, printing the store's message. */
#ifndef SW_STORE_TEST_H
#define SW_STORE_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>

#include "store/store.h"
#include "testdb.h"

/* Checks inside a store fn. fn may run on another thread (SQLite's
 * writer), where a cmocka assertion cannot jump back to the test, so a
 * failed check fails the fn instead, with the place and the expression in
 * the message; the test then asserts on store_write's result. */
#define ST_CHECK(tx, cond) do { \
    if (!(cond)) \
        return store_tx_fail((tx), SW_EINTERNAL, "%s:%d: check failed: %s", \
                             __FILE__, __LINE__, #cond); \
} while (0)
#define ST_EQ(tx, a, b) do { \
    int64_t st_a_ = (int64_t)(a), st_b_ = (int64_t)(b); \
    if (st_a_ != st_b_) \
        return store_tx_fail((tx), SW_EINTERNAL, "%s:%d: %s is %" PRId64 \
                             ", want %" PRId64, __FILE__, __LINE__, #a, \
                             st_a_, st_b_); \
} while (0)
/* Passes a failing store call's code up, its message prefixed with where. */
#define ST_TRY(tx, expr) do { \
    int st_rc_ = (expr); \
    if (st_rc_ != SW_OK) \
        return st_fail_rc((tx), st_rc_, __FILE__, __LINE__, #expr); \
} while (0)
int st_fail_rc(store_tx *tx, int rc, const char *file, int line,
               const char *expr);
/* Fails the test unless rc is want, showing err's message. */
void st_assert_rc(int rc, int want, const sw_err *err);

/* Opens url (creating an SQLite file) with a pool of `connections`. */
sw_store *st_open(const char *url, int connections);
/* A fresh empty database of this run's store, opened; *url_out (may be
 * NULL) gets its URL for the caller to free. */
sw_store *st_open_fresh(char **url_out, int connections);
/* Runs a script of statements without parameters in one write. */
void st_script(sw_store *s, const char *sql);
/* Column 0 of the first row of sql, read in a read transaction. */
int64_t st_int(sw_store *s, const char *sql);
/* The column type for binary data: BLOB on SQLite, BYTEA on PostgreSQL. */
const char *st_blob_type(const sw_store *s);
/* True when this run targets PostgreSQL. */
int st_is_pg(void);
/* A copy of a postgresql://user@… URL with :password added to the user. */
char *st_with_password(const char *url, const char *password);
/* A TCP port on 127.0.0.1 that nothing listens on (just now). */
int st_closed_port(void);
/* Asserts that msg is one line and contains each word (NULL-terminated). */
void st_assert_words(const char *msg, const char *const *words);

#endif
