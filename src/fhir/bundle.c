/* bundle.c - processing batch and transaction Bundles (see bundle.h).
 *
 * prepare() turns each entry into a bentry (what to do, to which resource,
 * with which resource body) and collects the Reference nodes that must be
 * rewritten; run_entry() does one entry inside a store transaction;
 * write_response() writes the transaction-response or batch-response. */
#include "bundle.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/restricted.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/str.h"
#include "fhir/index.h"
#include "fhir/model.h"
#include "fhir/outcome.h"
#include "fhir/resources.h"
#include "fhir/search.h"
#include "fhir/write.h"
#include "http/http.h"

/* The order of the enum is the order of processing in a transaction. */
typedef enum op_kind { OP_DELETE, OP_POST, OP_PUT, OP_GET } op_kind;

typedef struct bentry {
    int          index;
    op_kind      op;
    const char  *type;
    const char  *id;            /* the target; for POST the assigned id */
    int64_t      vid;           /* GET …/_history/n */
    const char  *query;         /* conditional PUT/DELETE, or a GET search */
    bool         search;        /* GET Type?… or GET Type */
    const char **hits;          /* a search's matches, for its audit entries */
    size_t       nhits;
    const char  *if_none_exist;
    int64_t      if_match;
    sw_json     *resource;
    /* The outcome, reset on every run. */
    int          status;
    const char  *out_id;
    int64_t      version;
    int64_t      updated_ms;
    const char  *body;
    size_t       body_len;
    bool         unchanged;     /* nothing written: same content, or found */
    int          err_code;
    const char  *err_msg;
} bentry;

/* A Reference.reference string node to rewrite, with what it said. */
typedef struct refslot {
    sw_json    *node;
    sw_str      orig;
    int         entry;          /* whose resource holds it */
    bool        conditional;    /* Type?query, resolved inside the tx */
} refslot;

typedef struct bctx {
    sw_arena               *a;
    const fhir_bundle_opts *opts;
    bool                    transaction;
    bentry                 *entries;
    size_t                  n;
    size_t                 *order;     /* indexes in processing order */
    refslot                *refs;
    size_t                  nrefs, refcap;
    /* urn:… fullUrls of POSTed resources, and their Type/id. */
    const char            **full_urls;
    const char            **full_targets;
    size_t                  nfull;
    int64_t                 now;
    int                     failed;    /* the entry a transaction failed at */
    bentry                 *one;       /* batch: the entry being run */
} bctx;

static int entry_fail(bctx *c, int index, fhir_issues *issues, int code,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int entry_fail(bctx *c, int index, fhir_issues *issues, int code,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = sw_arena_vprintf(c->a, fmt, ap);
    va_end(ap);
    char loc[64];
    snprintf(loc, sizeof loc, "Bundle.entry[%d]", index);
    fhir_issue_add(c->a, issues, FHIR_SEVERITY_ERROR, sw_code_fhir_type(code),
                   loc, "%s", msg ? msg : sw_code_message(code));
    return code;
}

/* ---- Preparing ----------------------------------------------------------- */

/* Strips the server's base from an absolute url; NULL when the url is
 * absolute and points elsewhere. */
static const char *relative_url(bctx *c, const char *url)
{
    size_t bl = strlen(c->opts->base);
    if (strncmp(url, c->opts->base, bl) == 0 && url[bl] == '/')
        return url + bl + 1;
    if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0)
        return NULL;
    return url[0] == '/' ? url + 1 : url;
}

static int parse_request(bctx *c, bentry *e, const sw_json *entry,
                         fhir_issues *issues)
{
    const sw_json *req = sw_json_get(entry, "request");
    const char *method = sw_json_get_string(req, "method");
    const char *url = sw_json_get_string(req, "url");
    if (method == NULL || url == NULL)
        return entry_fail(c, e->index, issues, SW_EBADREQUEST,
                          "a %s entry needs request.method and request.url",
                          c->transaction ? "transaction" : "batch");
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        e->op = OP_GET;
    else if (strcmp(method, "POST") == 0)
        e->op = OP_POST;
    else if (strcmp(method, "PUT") == 0)
        e->op = OP_PUT;
    else if (strcmp(method, "DELETE") == 0)
        e->op = OP_DELETE;
    else
        return entry_fail(c, e->index, issues, SW_ENOTIMPL,
                          "request.method %s is not supported in Bundles "
                          "(GET, POST, PUT, DELETE)", method);
    const char *rel = relative_url(c, url);
    if (rel == NULL)
        return entry_fail(c, e->index, issues, SW_EBADREQUEST,
                          "request.url points at another server");
    char *target = sw_arena_printf(c->a, "/%s", rel);
    http_target t;
    sw_err err;
    if (target == NULL || http_parse_target(c->a, target, strlen(target), &t, &err) != SW_OK)
        return entry_fail(c, e->index, issues, SW_EBADREQUEST,
                          "request.url is not a valid relative URL");
    const char *q = strchr(rel, '?');
    for (int i = 0; i < t.nsegments; i++)
        if (t.segments[i][0] == '$')
            return entry_fail(c, e->index, issues, SW_ENOTIMPL,
                              "operations (%s) are not supported inside Bundles",
                              t.segments[i]);
    if (t.nsegments < 1 || t.nsegments > 4
        || !fhir_is_resource_type(sw_str_of(t.segments[0])))
        return entry_fail(c, e->index, issues, SW_EBADREQUEST,
                          "request.url must start with a resource type");
    e->type = t.segments[0];
    if (t.nsegments >= 2)
        e->id = t.segments[1];
    if (t.nsegments == 4 && strcmp(t.segments[2], "_history") == 0) {
        long v;
        if (e->op != OP_GET || !sw_str_to_long(sw_str_of(t.segments[3]), 1,
                                               0x7fffffffffffffffL, &v))
            return entry_fail(c, e->index, issues, SW_EBADREQUEST,
                              "request.url names a version, which only GET reads");
        e->vid = v;
    } else if (t.nsegments > 2) {
        return entry_fail(c, e->index, issues, SW_ENOTIMPL,
                          "request.url %s is not an interaction Bundles support",
                          "of this form");
    }
    if (q != NULL)
        e->query = sw_arena_strdup(c->a, q + 1);
    switch (e->op) {
    case OP_GET:
        e->search = e->id == NULL;
        break;
    case OP_POST:
        if (e->id != NULL || e->query != NULL)
            return entry_fail(c, e->index, issues, SW_EBADREQUEST,
                              "a POST entry's url is the resource type only");
        e->if_none_exist = sw_json_get_string(req, "ifNoneExist");
        break;
    case OP_PUT:
    case OP_DELETE:
        if ((e->id == NULL) == (e->query == NULL))
            return entry_fail(c, e->index, issues, SW_EBADREQUEST,
                              "a %s entry's url is Type/id or Type?search",
                              e->op == OP_PUT ? "PUT" : "DELETE");
        break;
    }
    const char *if_match = sw_json_get_string(req, "ifMatch");
    if (if_match != NULL) {
        sw_str s = sw_str_of(if_match);
        sw_str_skip(&s, "W/");
        long v;
        if (s.n < 3 || s.p[0] != '"' || s.p[s.n - 1] != '"'
            || !sw_str_to_long(sw_str_make(s.p + 1, s.n - 2), 1, 0x7fffffffffffffffL, &v))
            return entry_fail(c, e->index, issues, SW_EBADREQUEST,
                              "request.ifMatch must be a version ETag such as W/\"3\"");
        e->if_match = v;
    }
    if (e->op == OP_POST || e->op == OP_PUT) {
        e->resource = sw_json_get(entry, "resource");
        const char *rt = sw_json_get_string(e->resource, "resourceType");
        if (rt == NULL || strcmp(rt, e->type) != 0)
            return entry_fail(c, e->index, issues, SW_EBADREQUEST,
                              "the entry's resource must be a %s", e->type);
        const char *rid = sw_json_get_string(e->resource, "id");
        if (e->op == OP_PUT && e->id != NULL && (rid == NULL || strcmp(rid, e->id) != 0))
            return entry_fail(c, e->index, issues, SW_EBADREQUEST,
                              "the resource's id must be the id in request.url");
    }
    if (strcmp(e->type, "AuditEvent") == 0 && e->op != OP_GET)
        return entry_fail(c, e->index, issues, SW_EMETHOD,
                          "AuditEvent resources are written by the audit trail only");
    if (strcmp(e->type, "Parameters") == 0 || strcmp(e->type, "OperationOutcome") == 0)
        return entry_fail(c, e->index, issues, SW_ENOTFOUND,
                          "%s resources are not stored", e->type);
    return SW_OK;
}

/* Records every Reference.reference in v that must be rewritten. */
static int collect_refs(bctx *c, int entry, sw_json *v)
{
    if (v->kind == SW_JSON_ARRAY) {
        for (size_t i = 0; i < v->count; i++) {
            int rc = collect_refs(c, entry, v->items[i]);
            if (rc != SW_OK)
                return rc;
        }
        return SW_OK;
    }
    if (v->kind != SW_JSON_OBJECT)
        return SW_OK;
    for (size_t i = 0; i < v->count; i++) {
        sw_json *m = v->members[i].value;
        if (m->kind == SW_JSON_STRING && sw_str_eq_cstr(v->members[i].key, "reference")) {
            const char *r = m->text.p;
            bool urn = strncmp(r, "urn:uuid:", 9) == 0 || strncmp(r, "urn:oid:", 8) == 0;
            const char *q = strchr(r, '?');
            bool cond = !urn && q != NULL
                      && fhir_is_resource_type(sw_str_make(r, (size_t)(q - r)));
            if (!urn && !cond)
                continue;
            if (c->nrefs == c->refcap) {
                size_t cap = c->refcap ? c->refcap * 2 : 32;
                refslot *n = sw_arena_alloc(c->a, cap * sizeof *n);
                if (n == NULL)
                    return SW_ENOMEM;
                if (c->nrefs)
                    memcpy(n, c->refs, c->nrefs * sizeof *n);
                c->refs = n;
                c->refcap = cap;
            }
            c->refs[c->nrefs++] = (refslot){ m, m->text, entry, cond };
        } else {
            int rc = collect_refs(c, entry, m);
            if (rc != SW_OK)
                return rc;
        }
    }
    return SW_OK;
}

static int by_op(const void *pa, const void *pb, void *arg)
{
    const bctx *c = arg;
    const bentry *a = &c->entries[*(const size_t *)pa];
    const bentry *b = &c->entries[*(const size_t *)pb];
    if (a->op != b->op)
        return (int)a->op - (int)b->op;
    return a->index - b->index;
}

/* Checks the sender's permission for one entry, with its own type and
 * action. A transaction stops at the first refusal; a batch entry keeps
 * its refusal as its outcome (it still gets its id, so references to it
 * do not break the others) and is never run. */
static int authorize_entry(bctx *c, bentry *e, fhir_issues *issues)
{
    if (c->opts->authorize == NULL)
        return SW_OK;
    char why[SW_ERR_MSG_MAX];
    int rc = c->opts->authorize(c->opts->authorize_arg, e->type,
                                e->op != OP_GET, why, sizeof why);
    if (rc == SW_OK)
        return SW_OK;
    if (c->transaction)
        return entry_fail(c, e->index, issues, rc, "%s", why);
    e->err_code = rc;
    e->err_msg = sw_arena_strdup(c->a, why);
    return SW_OK;
}

static int prepare(bctx *c, const sw_json *list, fhir_issues *issues)
{
    c->n = list ? list->count : 0;
    if (c->n > FHIR_BUNDLE_MAX_ENTRIES)
        return entry_fail(c, 0, issues, SW_ETOOBIG, "a Bundle may have at most "
                          "%d entries", FHIR_BUNDLE_MAX_ENTRIES);
    c->entries = sw_arena_calloc(c->a, c->n ? c->n : 1, sizeof *c->entries);
    c->order = sw_arena_calloc(c->a, c->n ? c->n : 1, sizeof *c->order);
    c->full_urls = sw_arena_calloc(c->a, c->n ? c->n : 1, sizeof *c->full_urls);
    c->full_targets = sw_arena_calloc(c->a, c->n ? c->n : 1, sizeof *c->full_targets);
    if (!c->entries || !c->order || !c->full_urls || !c->full_targets)
        return SW_ENOMEM;
    int worst = SW_OK;
    for (size_t i = 0; i < c->n; i++) {
        bentry *e = &c->entries[i];
        e->index = (int)i;
        c->order[i] = i;
        int rc = parse_request(c, e, list->items[i], issues);
        if (rc != SW_OK) {
            worst = rc;
            continue;
        }
        if ((rc = authorize_entry(c, e, issues)) != SW_OK)
            return rc;
        if (e->op == OP_POST) {
            char *id = sw_arena_alloc(c->a, 37);
            if (id == NULL)
                return SW_ENOMEM;
            fhir_new_id(id);
            e->id = id;
        }
        /* A urn: fullUrl names the entry's resource for the references of
         * the other entries: POSTs get their new id, PUTs keep theirs. */
        if (e->op == OP_POST || (e->op == OP_PUT && e->query == NULL)) {
            const char *full = sw_json_get_string(list->items[i], "fullUrl");
            if (full && (strncmp(full, "urn:uuid:", 9) == 0 || strncmp(full, "urn:oid:", 8) == 0)) {
                for (size_t k = 0; k < c->nfull; k++)
                    if (strcmp(c->full_urls[k], full) == 0)
                        return entry_fail(c, e->index, issues, SW_EBADREQUEST,
                                          "two entries have the fullUrl %s", full);
                c->full_urls[c->nfull] = full;
                c->full_targets[c->nfull++] = sw_arena_printf(c->a, "%s/%s", e->type, e->id);
            }
        }
    }
    if (worst != SW_OK)
        return worst;
    /* Two entries writing the same resource would make the result depend
     * on the order of processing; the specification forbids it for DELETE,
     * POST and PUT (a GET may read what the transaction writes). A batch
     * runs its entries one after the other, so there it is allowed. */
    for (size_t i = 0; c->transaction && i < c->n; i++) {
        const bentry *e = &c->entries[i];
        if (e->id == NULL || e->op == OP_POST || e->op == OP_GET)
            continue;
        for (size_t k = i + 1; k < c->n; k++) {
            const bentry *f = &c->entries[k];
            if (f->id && f->op != OP_POST && f->op != OP_GET
                && strcmp(e->type, f->type) == 0
                && strcmp(e->id, f->id) == 0)
                return entry_fail(c, f->index, issues, SW_EBADREQUEST,
                                  "entries %d and %d both act on %s/%s",
                                  e->index, f->index, e->type, e->id);
        }
    }
    for (size_t i = 0; i < c->n; i++) {
        bentry *e = &c->entries[i];
        if (e->resource != NULL && collect_refs(c, e->index, e->resource) != SW_OK)
            return SW_ENOMEM;
    }
    /* References to fullUrls of this Bundle become Type/id now: the ids
     * are known. */
    for (size_t i = 0; i < c->nrefs; i++) {
        refslot *r = &c->refs[i];
        if (r->conditional)
            continue;
        size_t k;
        for (k = 0; k < c->nfull && !sw_str_eq_cstr(r->orig, c->full_urls[k]); k++)
            ;
        if (k == c->nfull)
            return entry_fail(c, r->entry, issues, SW_EBADREQUEST,
                              "a reference to %.*s names no entry of this Bundle",
                              (int)(r->orig.n > 60 ? 60 : r->orig.n), r->orig.p);
        r->node->text = sw_str_of(c->full_targets[k]);
    }
    if (c->transaction)
        qsort_r(c->order, c->n, sizeof *c->order, by_op, c);
    return SW_OK;
}

/* ---- Inside the transaction ---------------------------------------------- */

/* The ids matching a conditional url (Type?query), at most two. */
static int match(store_tx *tx, bctx *c, const char *type, const char *query,
                 const char ***ids, size_t *n)
{
    fhir_search *s;
    fhir_issues issues = { 0 };
    int rc = fhir_search_parse_query(c->a, type, query, &s, &issues);
    if (rc != SW_OK)
        return store_tx_fail(tx, SW_EBADREQUEST, "the search %s?%s is not "
                             "valid: %s", type, query, issues.count
                             ? issues.items[0].message : "malformed");
    bool more;
    return fhir_search_match_ids(tx, c->a, c->opts->practice_id, s, 2, ids, n, &more);
}

static int resolve_conditional_refs(store_tx *tx, bctx *c, int only_entry)
{
    for (size_t i = 0; i < c->nrefs; i++) {
        refslot *r = &c->refs[i];
        if (!r->conditional || (only_entry >= 0 && r->entry != only_entry))
            continue;
        char *ref = sw_arena_strndup(c->a, r->orig.p, r->orig.n);
        if (ref == NULL)
            return store_tx_fail(tx, SW_ENOMEM, NULL);
        char *q = strchr(ref, '?');
        *q = '\0';
        const char **ids;
        size_t n;
        int rc = match(tx, c, ref, q + 1, &ids, &n);
        if (rc != SW_OK) {
            c->failed = r->entry;
            return rc;
        }
        if (n != 1) {
            c->failed = r->entry;
            return store_tx_fail(tx, SW_EPRECOND, "the conditional reference "
                                 "%s?… matches %s resource%s; it must match "
                                 "exactly one", ref, n == 0 ? "no" : "several",
                                 n == 0 ? "" : "s");
        }
        r->node->text = sw_str_of(sw_arena_printf(c->a, "%s/%s", ref, ids[0]));
    }
    return SW_OK;
}

/* Stamps, serializes, indexes and writes e->resource as the next version
 * of e->type/e->id (expect: the version seen, 0 for none). */
static int write_version(store_tx *tx, bctx *c, bentry *e, int64_t expect,
                         const char *method)
{
    sw_buf b = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    fhir_index_rows index;
    fhir_index_rows_init(&index, c->a);
    int64_t version = expect + 1;
    int rc = fhir_stamp(c->a, e->resource, e->id, version, c->now, &b);
    if (rc == SW_OK)
        rc = fhir_index_extract(e->resource, e->type, &index);
    const char *body = rc == SW_OK ? sw_arena_strndup(c->a, sw_buf_str(&b), b.len) : NULL;
    size_t len = b.len;
    sw_buf_free(&b);
    if (rc == SW_OK && body == NULL)
        rc = SW_ENOMEM;
    if (rc != SW_OK)
        return store_tx_fail(tx, rc, NULL);
    fhir_row row = {
        .practice_id = c->opts->practice_id, .type = e->type, .id = e->id,
        .version = version, .updated_ms = c->now, .method = method,
        .body = body, .body_len = len, .index = &index, .who = c->opts->who,
    };
    rc = fhir_row_write(tx, &row, expect);
    if (rc != SW_OK)
        return rc;
    e->out_id = e->id;
    e->version = version;
    e->updated_ms = c->now;
    e->body = body;
    e->body_len = len;
    return SW_OK;
}

/* Resolves a conditional url to the one id it names: SW_OK with *id NULL
 * when nothing matches. */
static int conditional_target(store_tx *tx, bctx *c, bentry *e, const char **id)
{
    const char **ids;
    size_t n;
    int rc = match(tx, c, e->type, e->query, &ids, &n);
    if (rc != SW_OK)
        return rc;
    if (n > 1)
        return store_tx_fail(tx, SW_EPRECOND, "the conditional url %s?… "
                             "matches several resources", e->type);
    *id = n ? ids[0] : NULL;
    return SW_OK;
}

static int run_delete(store_tx *tx, bctx *c, bentry *e)
{
    if (e->query != NULL) {
        const char *id;
        int rc = conditional_target(tx, c, e, &id);
        if (rc != SW_OK)
            return rc;
        if (id == NULL) {
            e->status = 204;
            return SW_OK;
        }
        e->id = id;
    }
    int64_t cur;
    bool deleted;
    int rc = fhir_row_current(tx, c->opts->practice_id, e->type, e->id, &cur, &deleted);
    if (rc == SW_ENOTFOUND || (rc == SW_OK && deleted)) {
        e->status = 204;
        return SW_OK;
    }
    if (rc != SW_OK)
        return rc;
    if (e->if_match && e->if_match != cur)
        return store_tx_fail(tx, SW_EPRECOND, "%s/%s is at version %lld, not "
                             "the version %lld of ifMatch", e->type, e->id,
                             (long long)cur, (long long)e->if_match);
    fhir_row row = {
        .practice_id = c->opts->practice_id, .type = e->type, .id = e->id,
        .version = cur + 1, .updated_ms = c->now, .deleted = true,
        .method = "DELETE", .body = "", .body_len = 0, .who = c->opts->who,
    };
    rc = fhir_row_write(tx, &row, cur);
    if (rc == SW_OK) {
        e->status = 204;
        e->out_id = e->id;
        e->version = cur + 1;
        e->updated_ms = c->now;
    }
    return rc;
}

static int run_read_existing(store_tx *tx, bctx *c, bentry *e, const char *id)
{
    fhir_version v;
    int rc = fhir_row_read(tx, c->a, c->opts->practice_id, e->type, id, 0, &v);
    if (rc != SW_OK)
        return rc;
    e->out_id = id;
    e->version = v.version;
    e->updated_ms = v.updated_ms;
    e->body = v.body;
    e->body_len = v.body_len;
    return SW_OK;
}

static int run_post(store_tx *tx, bctx *c, bentry *e)
{
    if (e->if_none_exist != NULL) {
        const char **ids;
        size_t n;
        int rc = match(tx, c, e->type, e->if_none_exist, &ids, &n);
        if (rc != SW_OK)
            return rc;
        if (n > 1)
            return store_tx_fail(tx, SW_EPRECOND, "ifNoneExist matches "
                                 "several %s resources", e->type);
        if (n == 1) {
            e->status = 200;
            e->unchanged = true;
            return run_read_existing(tx, c, e, ids[0]);
        }
    }
    e->status = 201;
    return write_version(tx, c, e, 0, "POST");
}

static int run_put(store_tx *tx, bctx *c, bentry *e)
{
    if (e->query != NULL) {
        const char *id;
        int rc = conditional_target(tx, c, e, &id);
        if (rc != SW_OK)
            return rc;
        const char *rid = sw_json_get_string(e->resource, "id");
        if (id != NULL && rid != NULL && strcmp(rid, id) != 0)
            return store_tx_fail(tx, SW_EBADREQUEST, "the resource's id is not "
                                 "the id of the resource the url matches");
        if (id == NULL) {
            char *nid = sw_arena_alloc(c->a, 37);
            if (nid == NULL)
                return store_tx_fail(tx, SW_ENOMEM, NULL);
            fhir_new_id(nid);
            id = rid ? rid : nid;
        }
        e->id = id;
    }
    fhir_index_rows index;
    fhir_index_rows_init(&index, c->a);
    int rc = fhir_index_extract(e->resource, e->type, &index);
    if (rc != SW_OK)
        return store_tx_fail(tx, rc, NULL);
    fhir_put p = {
        .a = c->a, .practice_id = c->opts->practice_id, .type = e->type,
        .id = e->id, .res = e->resource, .index = &index,
        .if_match = e->if_match, .now_ms = c->now, .who = c->opts->who,
    };
    fhir_result r;
    if ((rc = fhir_row_put(tx, &p, &r, &e->unchanged)) != SW_OK)
        return rc;
    e->status = r.status;
    e->out_id = r.id;
    e->version = r.version;
    e->updated_ms = r.updated_ms;
    e->body = r.body;
    e->body_len = r.body_len;
    return SW_OK;
}

static int run_get(store_tx *tx, bctx *c, bentry *e)
{
    if (!e->search) {
        fhir_version v;
        int rc = fhir_row_read(tx, c->a, c->opts->practice_id, e->type, e->id,
                               e->vid, &v);
        if (rc == SW_ENOTFOUND)
            return store_tx_fail(tx, SW_ENOTFOUND, "%s/%s is not known", e->type, e->id);
        if (rc != SW_OK)
            return rc;
        if (v.deleted)
            return store_tx_fail(tx, SW_EGONE, "%s/%s was deleted", e->type, e->id);
        e->status = 200;
        e->out_id = e->id;
        e->version = v.version;
        e->updated_ms = v.updated_ms;
        e->body = v.body;
        e->body_len = v.body_len;
        return SW_OK;
    }
    /* A search inside a Bundle answers with a searchset of its matches. */
    const char **ids;
    size_t n;
    bool more;
    fhir_search *s;
    fhir_issues issues = { 0 };
    int rc = fhir_search_parse_query(c->a, e->type, e->query ? e->query : "", &s, &issues);
    if (rc != SW_OK)
        return store_tx_fail(tx, SW_EBADREQUEST, "the search is not valid: %s",
                             issues.count ? issues.items[0].message : "malformed");
    if ((rc = fhir_search_match_ids(tx, c->a, c->opts->practice_id, s, 100, &ids, &n, &more)) != SW_OK)
        return rc;
    e->hits = ids;
    e->nhits = n;
    sw_buf b = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    sw_jw w;
    sw_jw_init(&w, &b);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "resourceType");
    sw_jw_string(&w, "Bundle");
    sw_jw_key(&w, "type");
    sw_jw_string(&w, "searchset");
    if (!more) {
        sw_jw_key(&w, "total");
        sw_jw_int(&w, (int64_t)n);
    }
    sw_jw_key(&w, "entry");
    sw_jw_array_begin(&w);
    for (size_t i = 0; i < n && rc == SW_OK; i++) {
        fhir_version v;
        rc = fhir_row_read(tx, c->a, c->opts->practice_id, e->type, ids[i], 0, &v);
        if (rc != SW_OK)
            break;
        fhir_bundle_search_entry(&w, sw_arena_printf(c->a, "%s/%s/%s",
                                 c->opts->base, e->type, ids[i]),
                                 v.body, v.body_len, "match");
    }
    sw_jw_array_end(&w);
    sw_jw_object_end(&w);
    if (rc == SW_OK)
        rc = sw_jw_finish(&w);
    if (rc == SW_OK) {
        e->body = sw_arena_strndup(c->a, sw_buf_str(&b), b.len);
        e->body_len = b.len;
        e->status = 200;
        if (e->body == NULL)
            rc = SW_ENOMEM;
    }
    sw_buf_free(&b);
    return rc == SW_OK ? SW_OK : store_tx_fail(tx, rc, NULL);
}

/* A read inside a Bundle is audited in the Bundle's transaction, which is
 * durable before the response leaves: one entry per patient it shows, as
 * outside a Bundle, and none of them may be a restricted patient without a
 * grant. */
static int audit_get(store_tx *tx, bctx *c, const bentry *e)
{
    const char **patients = NULL;
    size_t npatients = 0;
    int rc;
    if (e->search) {
        fhir_ref *refs = sw_arena_calloc(c->a, e->nhits + 1, sizeof *refs);
        if (refs == NULL)
            return SW_ENOMEM;
        for (size_t i = 0; i < e->nhits; i++)
            refs[i] = (fhir_ref){ e->type, e->hits[i] };
        rc = fhir_patients_of(tx, c->a, c->opts->practice_id, refs, e->nhits,
                              &patients, &npatients);
    } else {
        fhir_ref one = { e->type, e->id };
        rc = fhir_patients_of(tx, c->a, c->opts->practice_id, &one, 1,
                              &patients, &npatients);
    }
    if (rc != SW_OK)
        return rc;
    for (size_t i = 0; i < npatients; i++) {
        bool allowed = true;
        rc = auth_patient_access(tx, c->opts->practice_id,
                                 c->opts->who->user_id, patients[i], c->now,
                                 &allowed);
        if (rc != SW_OK)
            return rc;
        if (!allowed)
            return store_tx_fail(tx, SW_EBREAKGLASS, "Patient/%s's record is "
                                 "restricted: break the glass first",
                                 patients[i]);
    }
    const char *action = e->search ? AUDIT_SEARCH : AUDIT_READ;
    audit_entry a = {
        .who = c->opts->who, .action = action,
        .feature = audit_feature(e->type, action), .patient_id = "",
        .res_type = e->type, .res_id = e->search ? "" : e->id,
        .outcome = AUDIT_SUCCESS, .detail = "bundle",
    };
    for (size_t i = 0; i < npatients && rc == SW_OK; i++) {
        a.patient_id = patients[i];
        rc = audit_append(tx, &a);
    }
    return rc == SW_OK && npatients == 0 ? audit_append(tx, &a) : rc;
}

static int run_entry(store_tx *tx, bctx *c, bentry *e)
{
    e->status = 0;
    e->unchanged = false;
    e->out_id = NULL;
    e->body = NULL;
    e->body_len = 0;
    e->version = 0;
    switch (e->op) {
    case OP_DELETE: return run_delete(tx, c, e);
    case OP_POST:   return run_post(tx, c, e);
    case OP_PUT:    return run_put(tx, c, e);
    case OP_GET: {
        int rc = run_get(tx, c, e);
        return rc == SW_OK && c->opts->who != NULL ? audit_get(tx, c, e) : rc;
    }
    }
    return SW_EINTERNAL;
}

/* The whole transaction; the store may run it again after a serialization
 * failure, so it starts from the prepared state every time. */
static int transaction_fn(store_tx *tx, void *arg)
{
    bctx *c = arg;
    c->failed = -1;
    c->now = sw_now_wall_ms();
    for (size_t i = 0; i < c->nrefs; i++)
        if (c->refs[i].conditional)
            c->refs[i].node->text = c->refs[i].orig;
    int rc = resolve_conditional_refs(tx, c, -1);
    if (rc != SW_OK)
        return rc;
    for (size_t k = 0; k < c->n; k++) {
        bentry *e = &c->entries[c->order[k]];
        rc = run_entry(tx, c, e);
        if (rc != SW_OK) {
            c->failed = e->index;
            return rc;
        }
    }
    if (c->opts->after == NULL)
        return SW_OK;
    fhir_bundle_written *w = sw_arena_calloc(c->a, c->n ? c->n : 1, sizeof *w);
    if (w == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->n; i++) {
        const bentry *e = &c->entries[i];
        w[i].type = e->type;
        w[i].id = e->op == OP_GET ? NULL : e->out_id;
        w[i].version = e->version;
    }
    return c->opts->after(tx, c->opts->after_arg, w, c->n);
}

/* One entry of a batch, in a transaction of its own. */
static int batch_entry_fn(store_tx *tx, void *arg)
{
    bctx *c = arg;
    bentry *e = c->one;
    c->now = sw_now_wall_ms();
    for (size_t i = 0; i < c->nrefs; i++)
        if (c->refs[i].conditional && c->refs[i].entry == e->index)
            c->refs[i].node->text = c->refs[i].orig;
    int rc = resolve_conditional_refs(tx, c, e->index);
    return rc == SW_OK ? run_entry(tx, c, e) : rc;
}

/* ---- The response -------------------------------------------------------- */

static const char *status_line(int status)
{
    switch (status) {
    case 200: return "200 OK";
    case 201: return "201 Created";
    case 204: return "204 No Content";
    case 400: return "400 Bad Request";
    case 403: return "403 Forbidden";
    case 404: return "404 Not Found";
    case 405: return "405 Method Not Allowed";
    case 409: return "409 Conflict";
    case 410: return "410 Gone";
    case 412: return "412 Precondition Failed";
    case 413: return "413 Content Too Large";
    case 501: return "501 Not Implemented";
    case 503: return "503 Service Unavailable";
    default:  return status >= 500 ? "500 Internal Server Error" : "400 Bad Request";
    }
}

static void write_entry(sw_jw *w, bctx *c, const bentry *e)
{
    sw_jw_object_begin(w);
    if (e->err_code == SW_OK && e->out_id && e->op != OP_DELETE) {
        char *full = sw_arena_printf(c->a, "%s/%s/%s", c->opts->base, e->type, e->out_id);
        sw_jw_key(w, "fullUrl");
        sw_jw_string(w, full ? full : "");
    }
    if (e->err_code == SW_OK && e->body && e->body_len && !c->opts->minimal) {
        sw_jw_key(w, "resource");
        sw_jw_raw(w, e->body, e->body_len);
    }
    sw_jw_key(w, "response");
    sw_jw_object_begin(w);
    sw_jw_key(w, "status");
    sw_jw_string(w, status_line(e->err_code == SW_OK ? e->status
                                                      : sw_code_http_status(e->err_code)));
    if (e->err_code == SW_OK && e->version > 0) {
        char etag[32], when[SW_TIME_ISO_MAX];
        snprintf(etag, sizeof etag, "W/\"%lld\"", (long long)e->version);
        sw_time_iso(e->updated_ms, when);
        if (e->op != OP_GET && e->op != OP_DELETE) {
            char *loc = sw_arena_printf(c->a, "%s/%s/_history/%lld", e->type,
                                        e->out_id, (long long)e->version);
            sw_jw_key(w, "location");
            sw_jw_string(w, loc ? loc : "");
        }
        sw_jw_key(w, "etag");
        sw_jw_string(w, etag);
        sw_jw_key(w, "lastModified");
        sw_jw_string(w, when);
    }
    if (e->err_code != SW_OK) {
        sw_buf ob = SW_BUF_INIT(64 * 1024);
        fhir_outcome_write_error(&ob, e->err_code, e->err_msg);
        sw_jw_key(w, "outcome");
        sw_jw_raw(w, sw_buf_str(&ob), ob.len);
        sw_buf_free(&ob);
    }
    sw_jw_object_end(w);
    sw_jw_object_end(w);
}

static int write_response(bctx *c, sw_buf *out)
{
    sw_jw w;
    sw_jw_init(&w, out);
    fhir_bundle_head(&w, c->transaction ? "transaction-response" : "batch-response");
    if (c->n > 0) {
        sw_jw_key(&w, "entry");
        sw_jw_array_begin(&w);
        for (size_t i = 0; i < c->n; i++)
            write_entry(&w, c, &c->entries[i]);
        sw_jw_array_end(&w);
    }
    sw_jw_object_end(&w);
    return sw_jw_finish(&w);
}

static void count(const bctx *c, fhir_bundle_stats *st)
{
    for (size_t i = 0; i < c->n; i++) {
        const bentry *e = &c->entries[i];
        if (e->err_code != SW_OK)
            st->failed++;
        else if (e->op == OP_GET)
            st->read++;
        else if (e->op == OP_DELETE)
            st->deleted++;
        else if (e->unchanged)
            st->unchanged++;
        else if (e->status == 201)
            st->created++;
        else
            st->updated++;
    }
}

/* ---- Entry point --------------------------------------------------------- */

int fhir_bundle_process(sw_store *s, sw_arena *a, sw_json *bundle,
                        const fhir_bundle_opts *opts, sw_buf *out,
                        fhir_issues *issues)
{
    bctx c = { .a = a, .opts = opts, .failed = -1 };
    const char *type = sw_json_get_string(bundle, "type");
    if (type == NULL || (strcmp(type, "transaction") != 0 && strcmp(type, "batch") != 0)) {
        fhir_issue_add(a, issues, FHIR_SEVERITY_ERROR, "invalid", "Bundle.type",
                       "POST /fhir takes a Bundle of type transaction or batch");
        return SW_EBADREQUEST;
    }
    c.transaction = strcmp(type, "transaction") == 0;
    int rc = prepare(&c, sw_json_get(bundle, "entry"), issues);
    if (rc != SW_OK)
        return rc;
    if (c.transaction) {
        sw_err err;
        rc = store_write(s, transaction_fn, &c, &err);
        if (rc != SW_OK) {
            char loc[64];
            snprintf(loc, sizeof loc, "Bundle.entry[%d]", c.failed);
            fhir_issue_add(a, issues, FHIR_SEVERITY_ERROR, sw_code_fhir_type(rc),
                           c.failed >= 0 ? loc : NULL, "the transaction was not "
                           "applied: %s", sw_err_text(&err));
            return rc;
        }
    } else {
        for (size_t i = 0; i < c.n; i++) {
            bentry *e = &c.entries[i];
            if (e->err_code != SW_OK)
                continue;      /* refused before it could run */
            c.one = e;
            sw_err err;
            /* A GET too is a write: its audit entry goes with it. */
            rc = store_write(s, batch_entry_fn, &c, &err);
            if (rc != SW_OK) {
                e->err_code = rc;
                e->err_msg = sw_arena_strdup(a, sw_err_text(&err));
            }
        }
    }
    if (opts->stats != NULL)
        count(&c, opts->stats);
    return write_response(&c, out);
}
