/* peer.c - the practice-management system a practice exchanges HL7 v2
 * with (see peer.h), one row of hl7_peer per practice.
 *
 * Read by the MLLP listener every few seconds (every practice's row, to
 * admit a connection by its address) and by the delivery worker; written
 * by `stagewise interface peer`. Addresses are kept in the canonical form
 * inet_ntop gives, so "::1" and "0:0::1" are the same peer, and a
 * connection from an IPv4-mapped IPv6 address (::ffff:10.0.0.5, as a
 * dual-stack listener sees IPv4 clients) matches the IPv4 entry. */
#include "hl7/peer.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"

/* The canonical text of an IPv4 or IPv6 address; false when s is not one. */
static bool canonical(const char *s, char *out, size_t cap)
{
    unsigned char b[16];
    if (inet_pton(AF_INET, s, b) == 1)
        return inet_ntop(AF_INET, b, out, (socklen_t)cap) != NULL;
    if (inet_pton(AF_INET6, s, b) == 1)
        return inet_ntop(AF_INET6, b, out, (socklen_t)cap) != NULL;
    return false;
}

int hl7_peer_parse_addresses(hl7_peer *p, const char *list, sw_err *err)
{
    p->naddresses = 0;
    const char *s = list;
    while (*s) {
        size_t n = strcspn(s, ",");
        char one[64], canon[64];
        /* Spaces around an address are allowed: "10.0.0.5, ::1". */
        const char *a = s, *e = s + n;
        while (a < e && (*a == ' ' || *a == '\t'))
            a++;
        while (e > a && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e == a)
            return sw_err_set(err, SW_EINVAL, "the address list has an empty "
                              "entry; give addresses separated by commas");
        if ((size_t)(e - a) >= sizeof one || (snprintf(one, sizeof one, "%.*s",
             (int)(e - a), a), !canonical(one, canon, sizeof canon)))
            return sw_err_set(err, SW_EINVAL, "'%.*s' is not an IPv4 or IPv6 "
                              "address", (int)(e - a > 60 ? 60 : e - a), a);
        bool seen = false;
        for (int i = 0; i < p->naddresses; i++)
            seen = seen || strcmp(p->addresses[i], canon) == 0;
        if (!seen) {
            if (p->naddresses == SW_MLLP_MAX_PEER_ADDRESSES)
                return sw_err_set(err, SW_EINVAL, "a peer has at most %d "
                                  "addresses", SW_MLLP_MAX_PEER_ADDRESSES);
            snprintf(p->addresses[p->naddresses++], sizeof p->addresses[0],
                     "%s", canon);
        }
        s += n;
        if (*s == ',')
            s++;
    }
    return SW_OK;
}

int64_t hl7_peer_practice_for(const hl7_peer *peers, size_t n,
                              const char *address)
{
    char canon[64];
    if (address == NULL || !canonical(address, canon, sizeof canon))
        return 0;
    /* An IPv4 client as a dual-stack socket reports it. */
    const char *v4 = strncmp(canon, "::ffff:", 7) == 0 && strchr(canon + 7, '.')
                     ? canon + 7 : NULL;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < peers[i].naddresses; k++)
            if (strcmp(peers[i].addresses[k], canon) == 0
                || (v4 && strcmp(peers[i].addresses[k], v4) == 0))
                return peers[i].practice_id;
    return 0;
}

/* ---- Rows ------------------------------------------------------------------ */

#define PEER_COLUMNS \
    "practice_id, addresses, send_host, send_port, processing_id, facility, " \
    "updated_at"

static void copy(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

/* Fills p from a row selected with PEER_COLUMNS. The stored list was
 * checked when it was saved; an address that no longer reads is dropped. */
static void read_row(store_stmt *st, hl7_peer *p)
{
    memset(p, 0, sizeof *p);
    p->practice_id = store_col_int64(st, 0);
    sw_err ignored;
    if (hl7_peer_parse_addresses(p, store_col_text(st, 1, NULL), &ignored) != SW_OK)
        p->naddresses = 0;
    copy(p->send_host, sizeof p->send_host, store_col_text(st, 2, NULL));
    p->send_port = (int)store_col_int64(st, 3);
    copy(p->processing_id, sizeof p->processing_id, store_col_text(st, 4, NULL));
    copy(p->facility, sizeof p->facility, store_col_text(st, 5, NULL));
    p->updated_at = store_col_int64(st, 6);
}

int hl7_peer_load(store_tx *tx, int64_t practice_id, hl7_peer *out)
{
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT " PEER_COLUMNS " FROM hl7_peer "
                           "WHERE practice_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_step(st, &row)) == SW_OK) {
        if (row)
            read_row(st, out);
        else
            rc = SW_ENOTFOUND;
    }
    store_finalize(st);
    return rc;
}

int hl7_peer_save(store_tx *tx, const hl7_peer *p)
{
    char list[SW_MLLP_MAX_PEER_ADDRESSES * 64] = "";
    size_t n = 0;
    for (int i = 0; i < p->naddresses; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? "," : "",
                              p->addresses[i]);
    int64_t now = p->updated_at ? p->updated_at : sw_now_wall_ms();
    int64_t changed = 0;
    int rc = store_exec(tx, &changed,
        "UPDATE hl7_peer SET addresses = ?, send_host = ?, send_port = ?, "
        "processing_id = ?, facility = ?, updated_at = ? WHERE practice_id = ?",
        "ttittii", list, p->send_host, (int64_t)p->send_port,
        p->processing_id[0] ? p->processing_id : "P", p->facility, now,
        p->practice_id);
    if (rc == SW_OK && changed == 0)
        rc = store_exec(tx, NULL,
            "INSERT INTO hl7_peer (" PEER_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)",
            "ittitti", p->practice_id, list, p->send_host, (int64_t)p->send_port,
            p->processing_id[0] ? p->processing_id : "P", p->facility, now);
    return rc;
}

struct all {
    hl7_peer *peers;
    size_t    n;
};

static int all_fn(store_tx *tx, void *arg)
{
    struct all *a = arg;
    sw_free(a->peers);
    a->peers = NULL;
    a->n = 0;
    int64_t count = 0;
    int rc = store_query_int64(tx, &count, "SELECT COUNT(*) FROM hl7_peer", "");
    if (rc != SW_OK)
        return rc;
    a->peers = sw_calloc((size_t)count + 1, sizeof *a->peers);
    if (a->peers == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    store_stmt *st;
    if ((rc = store_prepare(tx, "SELECT " PEER_COLUMNS " FROM hl7_peer "
                            "ORDER BY practice_id", &st)) != SW_OK)
        return rc;
    bool row = false;
    while (a->n < (size_t)count && (rc = store_step(st, &row)) == SW_OK && row)
        read_row(st, &a->peers[a->n++]);
    store_finalize(st);
    return rc;
}

int hl7_peer_all(sw_store *s, hl7_peer **out, size_t *n, sw_err *err)
{
    struct all a = { 0 };
    int rc = store_read(s, all_fn, &a, err);
    if (rc != SW_OK) {
        sw_free(a.peers);
        a.peers = NULL;
        a.n = 0;
    }
    *out = a.peers;
    *n = a.n;
    return rc;
}
