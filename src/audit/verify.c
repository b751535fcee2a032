/* verify.c - walking the audit trail's hash chains (see verify.h).
 *
 * One read transaction sees a consistent trail while the server keeps
 * appending; entries are fetched a page at a time in sequence order so a
 * trail of millions of entries needs the memory of one page. */
#include "verify.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERIFY_PAGE 2000

int audit_anchor_parse(const char *s, int64_t practice_id, audit_anchor *out)
{
    memset(out, 0, sizeof *out);
    out->practice_id = practice_id;
    const char *colon = strchr(s, ':');
    if (colon == NULL || colon == s)
        return SW_EINVAL;
    int64_t seq = 0;
    for (const char *p = s; p < colon; p++) {
        if (*p < '0' || *p > '9' || seq > (INT64_MAX - 9) / 10)
            return SW_EINVAL;
        seq = seq * 10 + (*p - '0');
    }
    const char *h = colon + 1;
    if (strlen(h) != AUDIT_HASH_HEX - 1 || seq < 1)
        return SW_EINVAL;
    for (size_t i = 0; i < AUDIT_HASH_HEX - 1; i++) {
        char c = h[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return SW_EINVAL;
        out->hash[i] = c;
    }
    out->seq = seq;
    return SW_OK;
}

struct walk {
    int64_t             only_practice;
    const audit_anchor *anchor;
    audit_problem_fn    fn;
    void               *arg;
    audit_verify_stats *stats;
};

static void report(struct walk *w, int64_t practice, int64_t seq,
                   const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void report(struct walk *w, int64_t practice, int64_t seq,
                   const char *kind, const char *fmt, ...)
{
    audit_problem p = { .practice_id = practice, .seq = seq, .kind = kind };
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p.text, sizeof p.text, fmt, ap);
    va_end(ap);
    w->stats->problems++;
    if (w->fn)
        w->fn(&p, w->arg);
}

static int read_head(store_tx *tx, int64_t practice, bool *found, int64_t *seq,
                     char hash[AUDIT_HASH_HEX])
{
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT seq, hash FROM audit_head "
                           "WHERE practice_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    *found = false;
    *seq = 0;
    snprintf(hash, AUDIT_HASH_HEX, "%s", AUDIT_GENESIS);
    if ((rc = store_bind_int64(st, 1, practice)) == SW_OK
        && (rc = store_step(st, found)) == SW_OK && *found) {
        *seq = store_col_int64(st, 0);
        snprintf(hash, AUDIT_HASH_HEX, "%s", store_col_text(st, 1, NULL));
    }
    store_finalize(st);
    return rc;
}

/* Where the walk of one practice stands between pages. */
struct chain {
    int64_t practice;
    int64_t last_seq;                  /* 0 before the first entry */
    char    last_hash[AUDIT_HASH_HEX]; /* the stored hash of last_seq */
    bool    anchor_seen;
};

static void check_row(struct walk *w, struct chain *c, const audit_row *r)
{
    w->stats->entries++;
    if (r->seq != c->last_seq + 1) {
        if (r->seq - c->last_seq - 1 == 1)
            report(w, c->practice, c->last_seq + 1, "missing",
                   "entry %" PRId64 " is missing: it was deleted",
                   c->last_seq + 1);
        else
            report(w, c->practice, c->last_seq + 1, "missing",
                   "entries %" PRId64 " to %" PRId64 " are missing: they were "
                   "deleted", c->last_seq + 1, r->seq - 1);
    } else if (strcmp(r->prev_hash, c->last_hash) != 0) {
        report(w, c->practice, r->seq, "broken-link",
               "entry %" PRId64 " does not follow entry %" PRId64 " (its "
               "previous-hash differs): an entry was inserted, deleted or "
               "moved here", r->seq, c->last_seq);
    }
    char again[AUDIT_HASH_HEX];
    audit_hash(r, again);
    if (strcmp(again, r->hash) != 0)
        report(w, c->practice, r->seq, "edited",
               "entry %" PRId64 " was changed after it was written (its "
               "contents no longer give its hash)", r->seq);
    const audit_anchor *a = w->anchor;
    if (a && a->practice_id == c->practice && a->seq == r->seq) {
        c->anchor_seen = true;
        if (strcmp(a->hash, r->hash) != 0)
            report(w, c->practice, r->seq, "anchor",
                   "entry %" PRId64 " is not the one recorded outside the "
                   "server: the trail was rewritten from here or earlier",
                   r->seq);
    }
    c->last_seq = r->seq;
    snprintf(c->last_hash, sizeof c->last_hash, "%s", r->hash);
}

static int walk_practice(store_tx *tx, struct walk *w, int64_t practice)
{
    struct chain c = { .practice = practice };
    snprintf(c.last_hash, sizeof c.last_hash, "%s", AUDIT_GENESIS);
    w->stats->practices++;
    int rc = SW_OK;
    for (;;) {
        store_stmt *st;
        rc = store_prepare(tx,
            "SELECT " AUDIT_ROW_COLUMNS " FROM audit_log "
            "WHERE practice_id = ? AND seq > ? ORDER BY seq LIMIT ?", &st);
        if (rc != SW_OK)
            return rc;
        int got = 0;
        bool row = false;
        if ((rc = store_bind_int64(st, 1, practice)) == SW_OK
            && (rc = store_bind_int64(st, 2, c.last_seq)) == SW_OK
            && (rc = store_bind_int64(st, 3, VERIFY_PAGE)) == SW_OK) {
            while ((rc = store_step(st, &row)) == SW_OK && row) {
                audit_row r;
        audit_row_read(st, &r);
                check_row(w, &c, &r);
                got++;
            }
        }
        store_finalize(st);
        if (rc != SW_OK)
            return rc;
        if (got < VERIFY_PAGE)
            break;
    }

    bool found;
    int64_t head_seq;
    char head_hash[AUDIT_HASH_HEX];
    if ((rc = read_head(tx, practice, &found, &head_seq, head_hash)) != SW_OK)
        return rc;
    if (!found && c.last_seq > 0)
        report(w, practice, c.last_seq, "head",
               "the chain has %" PRId64 " entries but no head: the head row "
               "was deleted", c.last_seq);
    else if (head_seq != c.last_seq)
        report(w, practice, c.last_seq + 1, "head",
               "the chain ends at entry %" PRId64 " but its head says %" PRId64
               ": %s", c.last_seq, head_seq,
               head_seq > c.last_seq ? "entries at the end were deleted"
                                     : "entries were added without the head");
    else if (strcmp(head_hash, c.last_hash) != 0)
        report(w, practice, c.last_seq, "head",
               "the last entry (%" PRId64 ") is not the one the head "
               "records: it was replaced", c.last_seq);

    const audit_anchor *a = w->anchor;
    if (a && a->practice_id == practice && !c.anchor_seen)
        report(w, practice, a->seq, "anchor",
               "entry %" PRId64 ", recorded outside the server, is not in the "
               "trail: the trail was truncated", a->seq);
    return SW_OK;
}

static int walk_fn(store_tx *tx, void *arg)
{
    struct walk *w = arg;
    if (w->only_practice > 0)
        return walk_practice(tx, w, w->only_practice);
    /* Every practice with entries or a head: a practice whose entries
     * were all deleted still has its head, and the reverse. */
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT practice_id FROM audit_head UNION "
        "SELECT DISTINCT practice_id FROM audit_log ORDER BY 1", &st);
    if (rc != SW_OK)
        return rc;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    bool row = false;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            int64_t *grown = realloc(ids, ncap * sizeof *ids);
            if (grown == NULL) {
                rc = SW_ENOMEM;
                break;
            }
            ids = grown;
            cap = ncap;
        }
        ids[n++] = store_col_int64(st, 0);
    }
    store_finalize(st);
    for (size_t i = 0; i < n && rc == SW_OK; i++)
        rc = walk_practice(tx, w, ids[i]);
    free(ids);
    return rc;
}

int audit_verify(sw_store *s, int64_t practice_id, const audit_anchor *anchor,
                 audit_problem_fn fn, void *arg, audit_verify_stats *stats,
                 sw_err *err)
{
    memset(stats, 0, sizeof *stats);
    struct walk w = { practice_id, anchor, fn, arg, stats };
    return store_read(s, walk_fn, &w, err);
}

struct head_ctx {
    int64_t practice_id;
    int64_t seq;
    char    hash[AUDIT_HASH_HEX];
};

static int head_fn(store_tx *tx, void *arg)
{
    struct head_ctx *h = arg;
    bool found;
    return read_head(tx, h->practice_id, &found, &h->seq, h->hash);
}

int audit_head_read(sw_store *s, int64_t practice_id, int64_t *seq,
                    char hash[AUDIT_HASH_HEX], sw_err *err)
{
    struct head_ctx h = { .practice_id = practice_id };
    int rc = store_read(s, head_fn, &h, err);
    if (rc == SW_OK) {
        *seq = h.seq;
        memcpy(hash, h.hash, AUDIT_HASH_HEX);
    }
    return rc;
}
