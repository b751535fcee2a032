/* testdb.h - fresh databases for tests, on the store this run targets.
 *
 * CTest runs each store test twice, with STAGEWISE_TEST_STORE=sqlite and
 * =postgres; the PostgreSQL server is the one tests/pg/pg-ctl.sh started
 * for this run (its URL is in the file $STAGEWISE_TEST_PG_FILE). Each call
 * gives a new empty database, so tests never see each other's rows. */
#ifndef SW_TESTDB_H
#define SW_TESTDB_H

/* "sqlite", "postgres" or "none". */
const char *sw_test_store(void);
/* A URL for a new empty database of the current store (sqlite when the
 * store is "none"), or of the named one. The caller frees it. Aborts the
 * test with a message when the database cannot be made. */
char *sw_test_fresh_db(void);
char *sw_test_fresh_db_of(const char *store);
/* The maintenance URL of this run's PostgreSQL test server (its
 * "postgres" database); the caller frees it. Aborts when there is none. */
char *sw_test_pg_admin_url(void);
/* Opens a new empty database of the current store (sw_test_fresh_db) with
 * every migration applied, for unit tests of the store-backed code: 0, or
 * -1 with the reason on stderr. store_close frees it. */
struct sw_store;
int sw_test_open_migrated(struct sw_store **out);
/* A new scratch directory; the caller frees the returned path. */
char *sw_test_tmpdir(void);
/* Opens the database at url, reads the number SQL query sql (no
 * parameters) answers, closes it; -1 when it cannot (with a line on
 * stderr). */
long long sw_test_count_at(const char *url, const char *sql);

#endif
