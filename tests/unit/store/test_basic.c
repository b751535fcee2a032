/* test_basic.c - the store.h contract, run against each backend: opening,
 * values that go in come out byte for byte, a failing fn undoes exactly its
 * own changes, database errors map to the same codes on both backends, row
 * counts, the statement cache under reuse and overflow, and ? placeholders
 * next to literals and comments that contain question marks. */
#include "store_test.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "testdb.h"

static sw_store *items_store(void)
{
    sw_store *s = st_open_fresh(NULL, 0);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "CREATE TABLE item (\n"
             "  id   BIGINT NOT NULL PRIMARY KEY,\n"
             "  n    BIGINT,\n"
             "  t    TEXT,\n"
             "  b    %s,\n"
             "  code TEXT UNIQUE,\n"
             "  pos  BIGINT CHECK (pos IS NULL OR pos > 0),\n"
             "  req  TEXT NOT NULL DEFAULT 'x'\n"
             ");\n"
             "CREATE TABLE child (\n"
             "  id      BIGINT NOT NULL PRIMARY KEY,\n"
             "  item_id BIGINT REFERENCES item (id)\n"
             ");\n", st_blob_type(s));
    st_script(s, sql);
    return s;
}

/* ---- Opening ------------------------------------------------------------- */

static void test_open_close(void **state)
{
    (void)state;
    char *url;
    sw_store *s = st_open_fresh(&url, 0);
    assert_int_equal(store_kind_of(s),
                     st_is_pg() ? STORE_POSTGRES : STORE_SQLITE);
    assert_string_equal(store_display(s), url);   /* no password to hide */
    sw_err err = { 0 };
    assert_int_equal(store_ping(s, &err), SW_OK);
    store_close(s);

    /* A pool larger than the limit is capped, not refused; connections
     * are opened lazily, so this costs nothing. */
    s = st_open(url, 100000);
    assert_int_equal(store_ping(s, &err), SW_OK);
    store_close(s);
    store_close(NULL);
    free(url);
}

/* ---- Round trip ---------------------------------------------------------- */

struct value_row {
    int64_t     n;
    bool        n_null;
    const char *t;
    size_t      tlen;
    bool        t_null;
    const char *b;
    size_t      blen;
    bool        b_null;
};

static const char all_bytes[256] = {
#define B4(x) (char)(x), (char)((x) + 1), (char)((x) + 2), (char)((x) + 3)
#define B16(x) B4(x), B4((x) + 4), B4((x) + 8), B4((x) + 12)
    B16(0), B16(16), B16(32), B16(48), B16(64), B16(80), B16(96), B16(112),
    B16(128), B16(144), B16(160), B16(176), B16(192), B16(208), B16(224),
    B16(240),
#undef B16
#undef B4
};

#define S(x) x, sizeof x - 1
static const struct value_row values[] = {
    { 0, false, S(""), false, S(""), false },
    { 1, false, S("plain"), false, S("\0"), false },
    { -1, false, S("O'Brien said \"hi\"; -- not a comment ?"), false,
      S("a\0b\0\xff"), false },
    { INT64_MAX, false, S("ünïcödé 日本語 🩺 \xe2\x80\xa8"), false,
      all_bytes, sizeof all_bytes, false },
    { INT64_MIN, false, S("back\\slash and 'quotes'' and $1 and ?"), false,
      S("\\x41"), false },
    { 0, true, NULL, 0, true, NULL, 0, true },
};
#undef S
#define NVALUES (sizeof values / sizeof values[0])

static int write_values(store_tx *tx, void *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < NVALUES; i++) {
        const struct value_row *v = &values[i];
        store_stmt *st;
        int rc = store_prepare(tx, "INSERT INTO item (id, n, t, b) "
                               "VALUES (?, ?, ?, ?)", &st);
        if (rc != SW_OK)
            return rc;
        rc = store_bind_int64(st, 1, (int64_t)i);
        if (rc == SW_OK)
            rc = v->n_null ? store_bind_null(st, 2) : store_bind_int64(st, 2, v->n);
        if (rc == SW_OK)
            rc = v->t_null ? store_bind_null(st, 3)
                           : store_bind_text(st, 3, v->t, v->tlen);
        if (rc == SW_OK)
            rc = v->b_null ? store_bind_null(st, 4)
                           : store_bind_blob(st, 4, v->b, v->blen);
        bool row = true;
        if (rc == SW_OK)
            rc = store_step(st, &row);
        if (rc == SW_OK && (row || store_changes(st) != 1))
            rc = store_tx_fail(tx, SW_EINTERNAL, "insert %zu misbehaved", i);
        store_finalize(st);
        if (rc != SW_OK)
            return rc;
    }
    return SW_OK;
}

static int check_values(store_tx *tx, void *ctx)
{
    (void)ctx;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT id, n, t, b FROM item ORDER BY id", &st);
    if (rc != SW_OK)
        return rc;
    size_t seen = 0;
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        size_t i = (size_t)store_col_int64(st, 0);
        ST_EQ(tx, i, seen);
        ST_EQ(tx, store_col_count(st), 4);
        const struct value_row *v = &values[i];
        ST_EQ(tx, store_col_null(st, 1), v->n_null);
        ST_CHECK(tx, store_col_int64(st, 1) == (v->n_null ? 0 : v->n));
        /* Both results must stay valid until the next step. */
        size_t tn = 99, bn = 99;
        const char *t = store_col_text(st, 2, &tn);
        const void *b = store_col_blob(st, 3, &bn);
        ST_CHECK(tx, t != NULL && b != NULL);
        ST_EQ(tx, store_col_null(st, 2), v->t_null);
        ST_EQ(tx, store_col_null(st, 3), v->b_null);
        ST_EQ(tx, tn, v->t_null ? 0 : v->tlen);
        ST_EQ(tx, bn, v->b_null ? 0 : v->blen);
        ST_CHECK(tx, v->t_null || memcmp(t, v->t, v->tlen) == 0);
        ST_EQ(tx, t[tn], '\0');
        ST_CHECK(tx, v->b_null || v->blen == 0 || memcmp(b, v->b, v->blen) == 0);
        seen++;
    }
    store_finalize(st);
    ST_EQ(tx, seen, NVALUES);
    return rc;
}

static void test_round_trip(void **state)
{
    (void)state;
    sw_store *s = items_store();
    sw_err err = { 0 };
    st_assert_rc(store_write(s, write_values, NULL, &err), SW_OK, &err);
    st_assert_rc(store_read(s, check_values, NULL, &err), SW_OK, &err);
    store_close(s);
}

/* A comparison reads as 1 or 0 on both backends (PostgreSQL says t/f). */
static void test_boolean_as_int(void **state)
{
    (void)state;
    sw_store *s = st_open_fresh(NULL, 0);
    assert_int_equal(st_int(s, "SELECT 2 > 1"), 1);
    assert_int_equal(st_int(s, "SELECT 2 < 1"), 0);
    store_close(s);
}

/* Text with a NUL byte is either kept whole (SQLite) or refused
 * (PostgreSQL text cannot hold it), never silently cut at the NUL. */
static int nul_text_fn(store_tx *tx, void *ctx)
{
    int *outcome = ctx;
    store_stmt *st;
    int rc = store_prepare(tx, "INSERT INTO item (id, t) VALUES (1, ?)", &st);
    if (rc != SW_OK)
        return rc;
    rc = store_bind_text(st, 1, "a\0b", 3);
    bool row;
    if (rc == SW_OK)
        rc = store_step(st, &row);
    store_finalize(st);
    *outcome = rc;
    return rc;
}

static int nul_text_check(store_tx *tx, void *ctx)
{
    (void)ctx;
    store_stmt *st;
    ST_TRY(tx, store_prepare(tx, "SELECT t FROM item WHERE id = 1", &st));
    bool row = false;
    ST_TRY(tx, store_step(st, &row));
    ST_CHECK(tx, row);
    size_t n;
    const char *t = store_col_text(st, 0, &n);
    ST_EQ(tx, n, 3);
    ST_CHECK(tx, memcmp(t, "a\0b", 3) == 0);
    store_finalize(st);
    return SW_OK;
}

static void test_text_with_nul(void **state)
{
    (void)state;
    sw_store *s = items_store();
    sw_err err = { 0 };
    int outcome = -1;
    int rc = store_write(s, nul_text_fn, &outcome, &err);
    assert_int_equal(rc, outcome);
    if (rc == SW_OK)
        st_assert_rc(store_read(s, nul_text_check, NULL, &err), SW_OK, &err);
    else
        assert_int_equal(rc, SW_EINVAL);
    assert_int_equal(st_int(s, "SELECT count(*) FROM item"), rc == SW_OK);
    store_close(s);
}

/* ---- A failing fn undoes exactly its own changes ------------------------- */

struct insert_then {
    int64_t id;
    int     result;         /* what fn returns after its insert */
};

static int insert_then_fn(store_tx *tx, void *ctx)
{
    struct insert_then *it = ctx;
    int rc = store_exec(tx, NULL, "INSERT INTO item (id, n) VALUES (?, ?)",
                        "ii", it->id, it->id * 10);
    if (rc != SW_OK)
        return rc;
    if (it->result == SW_EINVAL)
        return store_tx_fail(tx, SW_EINVAL, "refused %" PRId64, it->id);
    return it->result;
}

static void test_fn_error_rolls_back(void **state)
{
    (void)state;
    sw_store *s = items_store();
    sw_err err = { 0 };
    struct insert_then keep = { 10, SW_OK };
    st_assert_rc(store_write(s, insert_then_fn, &keep, &err), SW_OK, &err);

    struct insert_then refuse = { 11, SW_EINVAL };
    assert_int_equal(store_write(s, insert_then_fn, &refuse, &err), SW_EINVAL);
    assert_int_equal(err.code, SW_EINVAL);
    assert_string_equal(err.msg, "refused 11");

    /* A code without a message of fn's own reads as the code's default. */
    struct insert_then quiet = { 12, SW_ENOTFOUND };
    assert_int_equal(store_write(s, insert_then_fn, &quiet, &err), SW_ENOTFOUND);
    assert_string_equal(err.msg, sw_code_message(SW_ENOTFOUND));

    assert_int_equal(st_int(s, "SELECT count(*) FROM item"), 1);
    assert_int_equal(st_int(s, "SELECT n FROM item WHERE id = 10"), 100);
    store_close(s);
}

/* Concurrent writers, every other one failing: on SQLite they share one
 * transaction (group commit), so this is the savepoint path. */
#define RB_THREADS 16
#define RB_WRITES  20

static void *rollback_worker(void *arg)
{
    void **a = arg;
    sw_store *s = a[0];
    int64_t t = (int64_t)(intptr_t)a[1];
    for (int64_t w = 0; w < RB_WRITES; w++) {
        int64_t id = t * 1000 + w;
        struct insert_then it = { id, (id % 2) ? SW_EINVAL : SW_OK };
        sw_err err = { 0 };
        int rc = store_write(s, insert_then_fn, &it, &err);
        if (rc != it.result) {
            fprintf(stderr, "write %" PRId64 ": %d %s\n", id, rc, err.msg);
            return (void *)1;
        }
    }
    return NULL;
}

static void test_fn_error_concurrent(void **state)
{
    (void)state;
    sw_store *s = items_store();
    pthread_t th[RB_THREADS];
    void *args[RB_THREADS][2];
    for (int i = 0; i < RB_THREADS; i++) {
        args[i][0] = s;
        args[i][1] = (void *)(intptr_t)i;
        assert_int_equal(pthread_create(&th[i], NULL, rollback_worker, args[i]), 0);
    }
    for (int i = 0; i < RB_THREADS; i++) {
        void *r;
        pthread_join(th[i], &r);
        assert_null(r);
    }
    assert_int_equal(st_int(s, "SELECT count(*) FROM item"),
                     RB_THREADS * RB_WRITES / 2);
    assert_int_equal(st_int(s, "SELECT count(*) FROM item WHERE id % 2 = 1"), 0);
    store_close(s);
}

/* A fn that ignores a failed statement and returns SW_OK: SQLite undoes
 * just that statement, PostgreSQL the whole transaction. Either way the
 * result must tell the truth about what was kept. */
static int swallow_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    int rc = store_exec(tx, NULL, "INSERT INTO item (id) VALUES (20)", NULL);
    if (rc != SW_OK)
        return rc;
    rc = store_exec(tx, NULL, "INSERT INTO item (id) VALUES (10)", NULL);
    ST_EQ(tx, rc, SW_ECONFLICT);
    return SW_OK;
}

static void test_swallowed_error_is_not_success(void **state)
{
    (void)state;
    sw_store *s = items_store();
    st_script(s, "INSERT INTO item (id) VALUES (10)");
    sw_err err = { 0 };
    int rc = store_write(s, swallow_fn, NULL, &err);
    int64_t kept = st_int(s, "SELECT count(*) FROM item WHERE id = 20");
    if (rc == SW_OK)
        assert_int_equal(kept, 1);
    else {
        assert_int_equal(kept, 0);
        assert_int_equal(err.code, rc);
    }
    store_close(s);
}

/* ---- Errors map to the same codes on both backends ----------------------- */

struct err_case {
    const char *sql;
    int         code;
};

static const struct err_case err_cases[] = {
    { "INSERT INTO item (id) VALUES (1)", SW_ECONFLICT },           /* key */
    { "INSERT INTO item (id, code) VALUES (2, 'taken')", SW_ECONFLICT },
    { "INSERT INTO item (id, req) VALUES (3, NULL)", SW_EINVAL },    /* NOT NULL */
    { "INSERT INTO item (id, pos) VALUES (4, -1)", SW_EINVAL },      /* CHECK */
    { "INSERT INTO child (id, item_id) VALUES (1, 999)", SW_EINVAL }, /* FK */
    { "SELEKT 1", SW_EIO },
    { "SELECT * FROM no_such_table", SW_EIO },
};

struct err_run {
    const struct err_case *c;
    int in_fn;              /* the code store_exec gave fn */
    int tx_code;            /* store_tx_err(tx)->code right after */
};

static int err_fn(store_tx *tx, void *ctx)
{
    struct err_run *r = ctx;
    r->in_fn = store_exec(tx, NULL, r->c->sql, NULL);
    r->tx_code = store_tx_err(tx)->code;
    return r->in_fn;
}

static void test_error_codes(void **state)
{
    (void)state;
    sw_store *s = items_store();
    st_script(s, "INSERT INTO item (id, code) VALUES (1, 'taken')");
    const char *prefix = st_is_pg() ? "postgresql: " : "sqlite: ";
    for (size_t i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
        struct err_run r = { .c = &err_cases[i] };
        sw_err err = { 0 };
        int rc = store_write(s, err_fn, &r, &err);
        if (rc != err_cases[i].code)
            fail_msg("%s: got %d (%s), want %d", err_cases[i].sql, rc,
                     err.msg, err_cases[i].code);
        assert_int_equal(r.in_fn, rc);
        assert_int_equal(r.tx_code, rc);
        assert_int_equal(err.code, rc);
        const char *words[] = { prefix, NULL };
        st_assert_words(err.msg, words);
        assert_int_equal(strncmp(err.msg, prefix, strlen(prefix)), 0);
    }
    assert_int_equal(st_int(s, "SELECT count(*) FROM item"), 1);
    assert_int_equal(st_int(s, "SELECT count(*) FROM child"), 0);
    store_close(s);
}

static int write_in_read_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    return store_exec(tx, NULL, "INSERT INTO item (id) VALUES (5)", NULL);
}

static void test_read_is_read_only(void **state)
{
    (void)state;
    sw_store *s = items_store();
    sw_err err = { 0 };
    assert_int_equal(store_read(s, write_in_read_fn, NULL, &err), SW_EIO);
    assert_int_equal(st_int(s, "SELECT count(*) FROM item"), 0);
    store_close(s);
}

static int bad_bind_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT ?", &st);
    if (rc != SW_OK)
        return rc;
    rc = store_bind_int64(st, 2, 1);
    int again = store_bind_int64(st, 0, 1);
    store_finalize(st);
    ST_EQ(tx, again, rc);
    ST_EQ(tx, store_tx_err(tx)->code, rc);
    return rc;
}

static void test_bind_out_of_range(void **state)
{
    (void)state;
    sw_store *s = st_open_fresh(NULL, 0);
    sw_err err = { 0 };
    st_assert_rc(store_read(s, bad_bind_fn, NULL, &err), SW_EIO, &err);
    store_close(s);
}

/* ---- Row counts ---------------------------------------------------------- */

static int changes_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    int64_t ch = -1;
    for (int64_t id = 1; id <= 3; id++) {
        ST_TRY(tx, store_exec(tx, &ch, "INSERT INTO item (id, n) VALUES (?, 0)",
                              "i", id));
        ST_EQ(tx, ch, 1);
    }
    ST_TRY(tx, store_exec(tx, &ch, "UPDATE item SET n = n + 1", NULL));
    ST_EQ(tx, ch, 3);
    ST_TRY(tx, store_exec(tx, &ch, "UPDATE item SET n = 7 WHERE id = ?",
                          "i", (int64_t)2));
    ST_EQ(tx, ch, 1);
    ST_TRY(tx, store_exec(tx, &ch, "UPDATE item SET n = 7 WHERE id < 0", NULL));
    ST_EQ(tx, ch, 0);

    /* The same through the statement API. */
    store_stmt *st;
    ST_TRY(tx, store_prepare(tx, "DELETE FROM item WHERE n = ?", &st));
    ST_TRY(tx, store_bind_int64(st, 1, 1));
    bool row = true;
    ST_TRY(tx, store_step(st, &row));
    ST_CHECK(tx, !row);
    ST_EQ(tx, store_changes(st), 2);
    store_finalize(st);
    return SW_OK;
}

static void test_changes(void **state)
{
    (void)state;
    sw_store *s = items_store();
    sw_err err = { 0 };
    st_assert_rc(store_write(s, changes_fn, NULL, &err), SW_OK, &err);
    assert_int_equal(st_int(s, "SELECT count(*) FROM item"), 1);
    store_close(s);
}

/* ---- The statement cache ------------------------------------------------- */

static int select_plus(store_tx *tx, int64_t k, int64_t v, int64_t *out)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT ? + %" PRId64, k);
    *out = -1;
    return store_query_int64(tx, out, sql, "i", v);
}

static int cache_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    int64_t got;
    /* One statement over and over: served from the cache. */
    for (int64_t i = 0; i < 200; i++) {
        ST_TRY(tx, select_plus(tx, 1, i, &got));
        ST_EQ(tx, got, i + 1);
    }
    /* Three times more distinct statements than slots, twice, so evicted
     * ones are prepared again. */
    for (int round = 0; round < 2; round++)
        for (int64_t k = 0; k < 3 * SW_STORE_STMT_CACHE; k++) {
            ST_TRY(tx, select_plus(tx, k, 1000, &got));
            ST_EQ(tx, got, 1000 + k);
        }

    /* More statements in use at once than slots: the rest run uncached. */
    enum { HELD = SW_STORE_STMT_CACHE + 8 };
    store_stmt *held[HELD];
    for (int i = 0; i < HELD; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT %d + ?", i * 2);
        ST_TRY(tx, store_prepare(tx, sql, &held[i]));
        ST_TRY(tx, store_bind_int64(held[i], 1, i));
    }
    for (int i = HELD - 1; i >= 0; i--) {
        bool row = false;
        ST_TRY(tx, store_step(held[i], &row));
        ST_CHECK(tx, row);
        ST_EQ(tx, store_col_int64(held[i], 0), i * 3);
    }
    for (int i = 0; i < HELD; i++)
        store_finalize(held[i]);

    /* The same text while it is still in use gets its own statement. */
    const char *sql = "SELECT id FROM item WHERE id >= ? ORDER BY id";
    store_stmt *outer, *inner;
    ST_TRY(tx, store_prepare(tx, sql, &outer));
    ST_TRY(tx, store_bind_int64(outer, 1, 1));
    bool row;
    int64_t expect = 1;
    while (store_step(outer, &row) == SW_OK && row) {
        ST_EQ(tx, store_col_int64(outer, 0), expect);
        ST_TRY(tx, store_prepare(tx, sql, &inner));
        ST_TRY(tx, store_bind_int64(inner, 1, 3));
        int64_t n = 0;
        while (store_step(inner, &row) == SW_OK && row)
            n++;
        ST_EQ(tx, n, 3);
        store_finalize(inner);
        expect++;
    }
    ST_EQ(tx, expect, 6);
    store_finalize(outer);
    return SW_OK;
}

static void test_statement_cache(void **state)
{
    (void)state;
    sw_store *s = items_store();
    st_script(s, "INSERT INTO item (id) VALUES (1), (2), (3), (4), (5)");
    sw_err err = { 0 };
    /* Twice: the second run starts with a full cache. */
    st_assert_rc(store_write(s, cache_fn, NULL, &err), SW_OK, &err);
    st_assert_rc(store_read(s, cache_fn, NULL, &err), SW_OK, &err);
    store_close(s);
}

/* ---- Placeholders -------------------------------------------------------- */

struct ph_case {
    const char *sql;
    const char *want;
};

/* Each binds "x" to every ? that is a placeholder. */
static const struct ph_case ph_cases[] = {
    { "SELECT 'what?' || CAST(? AS TEXT)", "what?x" },
    { "SELECT 'it''s ?' || CAST(? AS TEXT)", "it's ?x" },
    { "SELECT CAST(? AS TEXT) AS \"col?\"", "x" },
    { "SELECT /* a ? in a comment */ CAST(? AS TEXT) || '?'", "x?" },
    { "SELECT CAST(? AS TEXT) -- and ? here\n", "x" },
    { "SELECT CAST(? AS TEXT) || CAST(? AS TEXT) || '?'", "xx?" },
};

static int placeholder_fn(store_tx *tx, void *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof ph_cases / sizeof ph_cases[0]; i++) {
        const char *sql = ph_cases[i].sql;
        store_stmt *st;
        ST_TRY(tx, store_prepare(tx, sql, &st));
        int n = 0;
        for (const char *p = ph_cases[i].want; *p; p++)
            n += *p == 'x';
        for (int k = 1; k <= n; k++)
            ST_TRY(tx, store_bind_cstr(st, k, "x"));
        bool row = false;
        ST_TRY(tx, store_step(st, &row));
        ST_CHECK(tx, row);
        const char *got = store_col_text(st, 0, NULL);
        if (strcmp(got, ph_cases[i].want) != 0)
            return store_tx_fail(tx, SW_EINTERNAL, "%s gave '%s'", sql, got);
        store_finalize(st);
    }
    return SW_OK;
}

static void test_placeholders(void **state)
{
    (void)state;
    sw_store *s = st_open_fresh(NULL, 0);
    sw_err err = { 0 };
    st_assert_rc(store_read(s, placeholder_fn, NULL, &err), SW_OK, &err);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_close),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_boolean_as_int),
        cmocka_unit_test(test_text_with_nul),
        cmocka_unit_test(test_fn_error_rolls_back),
        cmocka_unit_test(test_fn_error_concurrent),
        cmocka_unit_test(test_swallowed_error_is_not_success),
        cmocka_unit_test(test_error_codes),
        cmocka_unit_test(test_read_is_read_only),
        cmocka_unit_test(test_bind_out_of_range),
        cmocka_unit_test(test_changes),
        cmocka_unit_test(test_statement_cache),
        cmocka_unit_test(test_placeholders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
