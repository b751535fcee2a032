/* audit.c - appending to the hash-chained audit trail (see audit.h).
 *
 * An append reads the practice's head (last sequence number and hash),
 * hashes the new entry onto it, inserts the entry and moves the head. On
 * SQLite the single writer serializes appends; on PostgreSQL two concurrent
 * appends both update the head row, so one of them gets a serialization
 * failure and is run again by the store: the chain never forks. */
#include "audit.h"

#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/metrics.h"

/* Feeds one field, length-prefixed so that no two entries can serialize
 * alike ("ab"+"c" vs "a"+"bc"). */
static void feed(crypto_hash_sha256_state *st, const char *s)
{
    unsigned char len[8];
    size_t n = s ? strlen(s) : 0;
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(n >> (8 * i));
    crypto_hash_sha256_update(st, len, sizeof len);
    if (n)
        crypto_hash_sha256_update(st, (const unsigned char *)s, n);
}

static void feed_int(crypto_hash_sha256_state *st, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    feed(st, buf);
}

void audit_hash(const audit_row *r, char out[AUDIT_HASH_HEX])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    feed(&st, r->prev_hash);
    feed_int(&st, r->practice_id);
    feed_int(&st, r->seq);
    feed_int(&st, r->at_ms);
    feed_int(&st, r->user_id);
    const char *fields[] = {
        r->username, r->roles, r->action, r->feature, r->patient_id,
        r->res_type, r->res_id, r->outcome, r->client, r->request_id, r->detail,
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        feed(&st, fields[i]);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, digest);
    sodium_bin2hex(out, AUDIT_HASH_HEX, digest, sizeof digest);
}

void audit_row_read(store_stmt *st, audit_row *r)
{
    r->practice_id = store_col_int64(st, 0);
    r->seq = store_col_int64(st, 1);
    r->at_ms = store_col_int64(st, 2);
    r->user_id = store_col_int64(st, 3);
    const char **text[] = {
        &r->username, &r->roles, &r->action, &r->feature, &r->patient_id,
        &r->res_type, &r->res_id, &r->outcome, &r->client, &r->request_id,
        &r->detail, &r->prev_hash, &r->hash,
    };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        *text[i] = store_col_text(st, (int)i + 4, NULL);
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static int append(store_tx *tx, const audit_entry *e);

/* A failure is counted where it happens (stagewise_audit_write_failures_
 * total), except a serialization conflict (SW_EBUSY), which the store runs
 * again: only the write that finally fails is one. */
int audit_append(store_tx *tx, const audit_entry *e)
{
    int rc = append(tx, e);
    if (rc != SW_OK && rc != SW_EBUSY)
        sw_metrics_audit_failure();
    return rc;
}

static int append(store_tx *tx, const audit_entry *e)
{
    const audit_who *w = e->who;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT seq, hash FROM audit_head WHERE practice_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    int64_t seq = 0;
    char prev[AUDIT_HASH_HEX] = AUDIT_GENESIS;
    if ((rc = store_bind_int64(st, 1, w->practice_id)) == SW_OK
        && (rc = store_step(st, &row)) == SW_OK && row) {
        seq = store_col_int64(st, 0);
        snprintf(prev, sizeof prev, "%s", store_col_text(st, 1, NULL));
    }
    store_finalize(st);
    if (rc != SW_OK)
        return rc;

    audit_row r = {
        .practice_id = w->practice_id, .seq = seq + 1,
        .at_ms = e->at_ms ? e->at_ms : sw_now_wall_ms(),
        .user_id = w->user_id, .username = or_empty(w->username),
        .roles = or_empty(w->roles), .action = or_empty(e->action),
        .feature = or_empty(e->feature), .patient_id = or_empty(e->patient_id),
        .res_type = or_empty(e->res_type), .res_id = or_empty(e->res_id),
        .outcome = e->outcome ? e->outcome : AUDIT_SUCCESS,
        .client = or_empty(w->client), .request_id = or_empty(w->request_id),
        .detail = or_empty(e->detail), .prev_hash = prev,
    };
    char hash[AUDIT_HASH_HEX];
    audit_hash(&r, hash);
    /* The head moves before the entry is inserted: on PostgreSQL two
     * appends that read the same head then collide on the head row, a
     * serialization failure the store retries, rather than on the entry's
     * key, a unique violation it would report. A practice's first entry
     * creates the head row; ON CONFLICT DO NOTHING makes a concurrent
     * creator's row a serialization failure too. */
    if (seq == 0) {
        rc = store_exec(tx, NULL, "INSERT INTO audit_head (practice_id, seq, "
                        "hash) VALUES (?, 0, ?) ON CONFLICT (practice_id) DO "
                        "NOTHING", "it", w->practice_id, AUDIT_GENESIS);
        if (rc != SW_OK)
            return rc;
    }
    int64_t moved = 0;
    rc = store_exec(tx, &moved, "UPDATE audit_head SET seq = ?, hash = ? "
                    "WHERE practice_id = ? AND seq = ?", "itii", r.seq, hash,
                    w->practice_id, seq);
    if (rc == SW_OK && moved != 1)
        return store_tx_fail(tx, SW_EBUSY, "the audit trail's head moved "
                             "during the write; try again");
    if (rc != SW_OK)
        return rc;
    return store_exec(tx, NULL,
        "INSERT INTO audit_log (practice_id, seq, at_ms, user_id, username, "
        "roles, action, feature, patient_id, res_type, res_id, outcome, client, "
        "request_id, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "iiiittttttttttttt", r.practice_id, r.seq, r.at_ms, r.user_id,
        r.username, r.roles, r.action, r.feature, r.patient_id, r.res_type,
        r.res_id, r.outcome, r.client, r.request_id, r.detail, r.prev_hash, hash);
}

struct record_ctx {
    const audit_entry *e;
    size_t             n;
    bool               counted;   /* audit_append counted the failure */
};

static int record_fn(store_tx *tx, void *arg)
{
    struct record_ctx *c = arg;
    c->counted = false;
    for (size_t i = 0; i < c->n; i++) {
        int rc = audit_append(tx, &c->e[i]);
        if (rc != SW_OK) {
            c->counted = rc != SW_EBUSY;
            return rc;
        }
    }
    return SW_OK;
}

int audit_record(sw_store *s, const audit_entry *e, sw_err *err)
{
    return audit_record_many(s, e, 1, err);
}

int audit_record_many(sw_store *s, const audit_entry *e, size_t n, sw_err *err)
{
    struct record_ctx c = { e, n, false };
    int rc = store_write(s, record_fn, &c, err);
    if (rc != SW_OK && !c.counted)
        sw_metrics_audit_failure();
    if (rc != SW_OK && err != NULL)
        sw_err_set(err, rc, "the audit trail could not be written (%s); "
                   "nothing was sent", sw_err_text(err));
    return rc;
}

void audit_cli_who(audit_who *who, int64_t practice_id)
{
    static __thread char name[96];
    const struct passwd *pw = getpwuid(geteuid());
    snprintf(name, sizeof name, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
    memset(who, 0, sizeof *who);
    who->practice_id = practice_id;
    who->username = name;
    who->roles = "";
    who->client = "cli";
    who->request_id = "";
}
