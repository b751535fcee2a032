/* test_verify.c - the audit trail's hash chain (src/audit/audit.c,
 * verify.c) on each store: appends chain up, the database refuses to
 * change or delete an entry, and once the triggers are out of the way
 * (someone with full SQL access) `audit verify` finds each kind of
 * tampering and says where: an edited entry, a deleted one, an inserted
 * one, two swapped, a tail cut off with its head moved back (caught only
 * with a head kept outside), and concurrent appends never fork the chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/verify.h"
#include "auth/password.h"
#include "testdb.h"

#define ENTRIES 12

struct fixture {
    sw_store *store;
    char     *url;
};

static audit_who who = {
    .practice_id = 1, .user_id = 7, .username = "dr.test",
    .roles = "physician", .client = "127.0.0.1", .request_id = "r1",
};

static int append_n(sw_store *s, int n)
{
    for (int i = 0; i < n; i++) {
        char patient[16];
        snprintf(patient, sizeof patient, "p%d", i % 3);
        audit_entry e = {
            .who = &who, .action = AUDIT_READ, .feature = "records.read",
            .patient_id = patient, .res_type = "Patient", .res_id = patient,
            .outcome = AUDIT_SUCCESS, .detail = "",
        };
        if (audit_record(s, &e, NULL) != SW_OK)
            return -1;
    }
    return 0;
}

static int setup(void **state)
{
    if (auth_crypto_init() != SW_OK)
        return -1;
    struct fixture *f = calloc(1, sizeof *f);
    f->url = sw_test_fresh_db();
    store_options so = { .create = true, .connections = 4 };
    sw_err err;
    int rc = store_open(f->url, &so, &f->store, &err);
    if (rc == SW_OK)
        rc = store_migrate(f->store, NULL, NULL, &err);
    if (rc != SW_OK) {
        fprintf(stderr, "setup: %s\n", sw_err_text(&err));
        return -1;
    }
    *state = f;
    return append_n(f->store, ENTRIES);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->store);
    free(f->url);
    free(f);
    return 0;
}

/* What verify found, by kind, and where first. */
struct found {
    int     problems;
    char    kinds[256];
    int64_t first_seq;
};

static void collect(const audit_problem *p, void *arg)
{
    struct found *f = arg;
    if (f->problems++ == 0)
        f->first_seq = p->seq;
    if (strstr(f->kinds, p->kind) == NULL) {
        strncat(f->kinds, p->kind, sizeof f->kinds - strlen(f->kinds) - 2);
        strcat(f->kinds, " ");
    }
}

static struct found verify(struct fixture *f, const audit_anchor *anchor)
{
    struct found out = { 0 };
    audit_verify_stats stats;
    sw_err err;
    assert_int_equal(audit_verify(f->store, 0, anchor, collect, &out, &stats,
                                  &err), SW_OK);
    assert_int_equal(stats.problems, out.problems);
    return out;
}

/* SQL with the triggers out of the way, as a database superuser could. */
static int raw_fn(store_tx *tx, void *arg)
{
    return store_exec_script(tx, arg);
}

static void tamper(struct fixture *f, const char *sql)
{
    char script[2048];
    if (strcmp(sw_test_store(), "postgres") == 0)
        snprintf(script, sizeof script,
                 "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log;\n%s", sql);
    else
        snprintf(script, sizeof script,
                 "DROP TRIGGER IF EXISTS audit_log_no_update;\n"
                 "DROP TRIGGER IF EXISTS audit_log_no_delete;\n%s", sql);
    sw_err err;
    int rc = store_write(f->store, raw_fn, script, &err);
    if (rc != SW_OK)
        fail_msg("tampering failed: %s", sw_err_text(&err));
}

static void intact_chain_verifies(void **state)
{
    struct fixture *f = *state;
    struct found r = verify(f, NULL);
    assert_int_equal(r.problems, 0);
    int64_t seq;
    char hash[AUDIT_HASH_HEX];
    assert_int_equal(audit_head_read(f->store, 1, &seq, hash, NULL), SW_OK);
    assert_int_equal(seq, ENTRIES);
    audit_anchor a;
    char text[128];
    snprintf(text, sizeof text, "%" PRId64 ":%s", seq, hash);
    assert_int_equal(audit_anchor_parse(text, 1, &a), SW_OK);
    assert_int_equal(verify(f, &a).problems, 0);
}

static int try_sql(store_tx *tx, void *arg)
{
    return store_exec(tx, NULL, arg, NULL);
}

static void database_refuses_changes(void **state)
{
    struct fixture *f = *state;
    sw_err err;
    assert_int_not_equal(store_write(f->store, try_sql,
        "UPDATE audit_log SET detail = 'x' WHERE seq = 3", &err), SW_OK);
    assert_int_not_equal(store_write(f->store, try_sql,
        "DELETE FROM audit_log WHERE seq = 3", &err), SW_OK);
    assert_int_equal(verify(f, NULL).problems, 0);
}

static void edited_entry_is_found(void **state)
{
    struct fixture *f = *state;
    tamper(f, "UPDATE audit_log SET patient_id = 'someone-else' WHERE seq = 5;");
    struct found r = verify(f, NULL);
    assert_int_equal(r.problems, 1);
    assert_string_equal(r.kinds, "edited ");
    assert_int_equal(r.first_seq, 5);
}

static void deleted_entry_is_found(void **state)
{
    struct fixture *f = *state;
    tamper(f, "DELETE FROM audit_log WHERE seq = 4;");
    struct found r = verify(f, NULL);
    assert_true(r.problems >= 1);
    assert_non_null(strstr(r.kinds, "missing"));
    assert_int_equal(r.first_seq, 4);
}

static void inserted_entry_is_found(void **state)
{
    struct fixture *f = *state;
    /* Make room after entry 6 and slip a copy of entry 6 in as 7. */
    tamper(f, "UPDATE audit_log SET seq = seq + 100 WHERE seq > 6;\n"
              "UPDATE audit_log SET seq = seq - 99 WHERE seq > 100;\n"
              "INSERT INTO audit_log SELECT practice_id, 7, at_ms, user_id, "
              "username, roles, action, feature, 'p9', res_type, res_id, "
              "outcome, client, request_id, detail, hash, hash FROM audit_log "
              "WHERE seq = 6;");
    struct found r = verify(f, NULL);
    assert_true(r.problems >= 1);
    assert_int_equal(r.first_seq, 7);
    assert_non_null(strstr(r.kinds, "edited"));
}

static void swapped_entries_are_found(void **state)
{
    struct fixture *f = *state;
    tamper(f, "UPDATE audit_log SET seq = -1 WHERE seq = 8;\n"
              "UPDATE audit_log SET seq = 8 WHERE seq = 9;\n"
              "UPDATE audit_log SET seq = 9 WHERE seq = -1;");
    struct found r = verify(f, NULL);
    assert_true(r.problems >= 2);
    assert_int_equal(r.first_seq, 8);
    assert_non_null(strstr(r.kinds, "broken-link"));
}

static void appended_without_head_is_found(void **state)
{
    struct fixture *f = *state;
    tamper(f, "INSERT INTO audit_log SELECT practice_id, seq + 1, at_ms, "
              "user_id, username, roles, action, feature, patient_id, "
              "res_type, res_id, outcome, client, request_id, detail, hash, "
              "hash FROM audit_log WHERE seq = 12;");
    struct found r = verify(f, NULL);
    assert_non_null(strstr(r.kinds, "head"));
}

static void truncated_tail_needs_the_outside_head(void **state)
{
    struct fixture *f = *state;
    int64_t seq;
    char hash[AUDIT_HASH_HEX];
    assert_int_equal(audit_head_read(f->store, 1, &seq, hash, NULL), SW_OK);
    audit_anchor a = { .practice_id = 1, .seq = seq };
    memcpy(a.hash, hash, sizeof a.hash);
    /* Cut the last three entries and move the head back consistently:
     * the chain that is left is perfect. */
    tamper(f, "DELETE FROM audit_log WHERE seq > 9;\n"
              "UPDATE audit_head SET seq = 9, hash = (SELECT hash FROM "
              "audit_log WHERE practice_id = 1 AND seq = 9) WHERE practice_id = 1;");
    assert_int_equal(verify(f, NULL).problems, 0);
    struct found r = verify(f, &a);
    assert_int_equal(r.problems, 1);
    assert_string_equal(r.kinds, "anchor ");
    assert_int_equal(r.first_seq, ENTRIES);
}

static void rewritten_chain_needs_the_outside_head(void **state)
{
    struct fixture *f = *state;
    audit_anchor a = { .practice_id = 1, .seq = 3 };
    int64_t seq;
    char hash[AUDIT_HASH_HEX];
    assert_int_equal(audit_head_read(f->store, 1, &seq, hash, NULL), SW_OK);
    /* An anchor taken at entry 12 whose recorded hash differs from the
     * stored one: the trail was rewritten since it was taken. */
    a.seq = seq;
    memset(a.hash, 'a', AUDIT_HASH_HEX - 1);
    a.hash[AUDIT_HASH_HEX - 1] = '\0';
    struct found r = verify(f, &a);
    assert_int_equal(r.problems, 1);
    assert_string_equal(r.kinds, "anchor ");
}

static void anchor_text_is_checked(void **state)
{
    (void)state;
    audit_anchor a;
    assert_int_equal(audit_anchor_parse("3:" AUDIT_GENESIS, 1, &a), SW_OK);
    assert_int_equal(a.seq, 3);
    assert_int_not_equal(audit_anchor_parse("3", 1, &a), SW_OK);
    assert_int_not_equal(audit_anchor_parse("0:" AUDIT_GENESIS, 1, &a), SW_OK);
    assert_int_not_equal(audit_anchor_parse("x:" AUDIT_GENESIS, 1, &a), SW_OK);
    assert_int_not_equal(audit_anchor_parse("3:ABC", 1, &a), SW_OK);
}

struct appender {
    sw_store *store;
    int       failures;
};

static void *append_many(void *arg)
{
    struct appender *a = arg;
    if (append_n(a->store, 25) != 0)
        a->failures++;
    return NULL;
}

static void concurrent_appends_keep_one_chain(void **state)
{
    struct fixture *f = *state;
    pthread_t th[6];
    struct appender ap[6];
    for (int i = 0; i < 6; i++) {
        ap[i] = (struct appender){ f->store, 0 };
        assert_int_equal(pthread_create(&th[i], NULL, append_many, &ap[i]), 0);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(ap[i].failures, 0);
    }
    audit_verify_stats stats;
    assert_int_equal(audit_verify(f->store, 1, NULL, NULL, NULL, &stats, NULL),
                     SW_OK);
    assert_int_equal(stats.problems, 0);
    assert_int_equal(stats.entries, ENTRIES + 6 * 25);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(anchor_text_is_checked),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(intact_chain_verifies),
        T(database_refuses_changes),
        T(edited_entry_is_found),
        T(deleted_entry_is_found),
        T(inserted_entry_is_found),
        T(swapped_entries_are_found),
        T(appended_without_head_is_found),
        T(truncated_tail_needs_the_outside_head),
        T(rewritten_chain_needs_the_outside_head),
        T(concurrent_appends_keep_one_chain),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
