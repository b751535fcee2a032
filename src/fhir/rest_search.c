/* rest_search.c - the search interaction: GET /fhir/{type}?… and POST
 * /fhir/{type}/_search (a form body, merged after the URL's parameters),
 * answered with a searchset Bundle (https://hl7.org/fhir/R4/search.html).
 *
 * The handler parses the parameters (search_parse.c), runs the search in
 * one store_read so that the total, the page and its included resources
 * come from one snapshot (search_run.c), and streams the Bundle: matches,
 * then included resources, then, when parameters were ignored under
 * Prefer: handling=lenient or includes were cut, an OperationOutcome entry
 * with search.mode outcome. Resources go out as the stored bytes, unparsed,
 * unless _elements or _summary asks for parts of them. Links repeat the
 * parameters that were used, with _count and the opaque _page token. */
#include "rest_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/str.h"
#include "fhir/search.h"

struct run_ctx {
    const fhir_req     *fr;
    sw_arena           *a;
    int64_t             practice_id;
    const fhir_search  *s;
    fhir_search_result  r;
    const char        **patients;   /* whose data the page shows */
    size_t              npatients;
    size_t              dropped;    /* includes the user may not read */
};

static int run_fn(store_tx *tx, void *arg)
{
    struct run_ctx *c = arg;
    int rc = fhir_search_run(tx, c->a, c->practice_id, c->s, &c->r);
    if (rc != SW_OK)
        return rc;
    /* Before the patients are counted: what is dropped is neither sent
     * nor audited. */
    c->dropped = fhir_authz_drop_includes(c->fr, &c->r);
    fhir_ref *refs = sw_arena_calloc(c->a, c->r.nhits + 1, sizeof *refs);
    if (refs == NULL)
        return SW_ENOMEM;
    for (size_t i = 0; i < c->r.nhits; i++)
        refs[i] = (fhir_ref){ c->r.hits[i].type, c->r.hits[i].id };
    return fhir_patients_of(tx, c->a, c->practice_id, refs, c->r.nhits,
                            &c->patients, &c->npatients);
}

/* Percent-encodes a query name or value, keeping what is unambiguous in
 * a query and readable (RFC 3986 unreserved, and ':', ',' and '/'). */
static void put_encoded(sw_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9') || strchr("-._~:,/", c) != NULL)
            sw_buf_putc(b, (char)c);
        else
            sw_buf_printf(b, "%%%02X", c);
    }
}

/* The URL of a page of this search: page NULL for the first. */
static const char *page_url(fhir_req *fr, const fhir_search *s, const char *page)
{
    sw_buf b = SW_BUF_INIT(4 * SW_HTTP_MAX_URI_BYTES);
    sw_buf_printf(&b, "%s/%s?", fr->base, s->type);
    for (int i = 0; i < s->necho; i++) {
        put_encoded(&b, s->echo[i].name);
        sw_buf_putc(&b, '=');
        put_encoded(&b, s->echo[i].value);
        sw_buf_putc(&b, '&');
    }
    sw_buf_printf(&b, "_count=%d", s->count);
    if (page != NULL) {
        sw_buf_puts(&b, "&_page=");
        sw_buf_puts(&b, page);
    }
    const char *url = sw_arena_strndup(fr->req->arena, sw_buf_str(&b), b.len);
    sw_buf_free(&b);
    return url;
}

static void write_link(sw_jw *w, const char *relation, const char *url)
{
    sw_jw_object_begin(w);
    sw_jw_key(w, "relation");
    sw_jw_string(w, relation);
    sw_jw_key(w, "url");
    sw_jw_string(w, url ? url : "");
    sw_jw_object_end(w);
}

static void entry_search(sw_jw *w, const char *mode)
{
    sw_jw_key(w, "search");
    sw_jw_object_begin(w);
    sw_jw_key(w, "mode");
    sw_jw_string(w, mode);
    sw_jw_object_end(w);
}

/* One match or include entry. */
static int write_hit(fhir_req *fr, sw_jw *w, const fhir_search *s,
                     const fhir_search_hit *h)
{
    sw_arena *a = fr->req->arena;
    char *full = sw_arena_printf(a, "%s/%s/%s", fr->base, h->type, h->id);
    if (full == NULL)
        return SW_ENOMEM;
    sw_jw_object_begin(w);
    sw_jw_key(w, "fullUrl");
    sw_jw_string(w, full);
    sw_jw_key(w, "resource");
    if (!h->include && fhir_search_subsets(s)) {
        sw_json *cut;
        int rc = fhir_search_subset(a, s, h->body, h->body_len, &cut);
        if (rc != SW_OK)
            return rc;
        sw_jw_value(w, cut);
    } else {
        sw_jw_raw(w, h->body, h->body_len);
    }
    entry_search(w, h->include ? "include" : "match");
    sw_jw_object_end(w);
    return SW_OK;
}

/* The warnings of a lenient search, as an entry with search.mode outcome. */
static int write_outcome(sw_jw *w, const fhir_issues *issues)
{
    sw_buf b = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    int rc = fhir_outcome_write(&b, issues);
    if (rc == SW_OK) {
        sw_jw_object_begin(w);
        sw_jw_key(w, "resource");
        sw_jw_raw(w, sw_buf_str(&b), b.len);
        entry_search(w, "outcome");
        sw_jw_object_end(w);
    }
    sw_buf_free(&b);
    return rc;
}

static int write_bundle(fhir_req *fr, const fhir_search *s,
                        const fhir_search_result *r, fhir_issues *issues)
{
    sw_arena *a = fr->req->arena;
    if (r->truncated
        && fhir_issue_add(a, issues, FHIR_SEVERITY_WARNING, "too-costly", NULL,
                          "Included resources were cut at %d for this page; "
                          "ask for smaller pages.", FHIR_SEARCH_MAX_INCLUDED) != SW_OK)
        return SW_ENOMEM;
    char bundle_id[37], now[SW_TIME_ISO_MAX];
    fhir_new_id(bundle_id);
    sw_time_iso(sw_now_wall_ms(), now);
    sw_jw w;
    sw_jw_init(&w, &fr->res->body);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "resourceType");
    sw_jw_string(&w, "Bundle");
    sw_jw_key(&w, "id");
    sw_jw_string(&w, bundle_id);
    sw_jw_key(&w, "meta");
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "lastUpdated");
    sw_jw_string(&w, now);
    sw_jw_object_end(&w);
    sw_jw_key(&w, "type");
    sw_jw_string(&w, "searchset");
    if (r->total >= 0) {
        sw_jw_key(&w, "total");
        sw_jw_int(&w, r->total);
    }
    sw_jw_key(&w, "link");
    sw_jw_array_begin(&w);
    write_link(&w, "self", page_url(fr, s, r->self));
    if (r->next)
        write_link(&w, "next", page_url(fr, s, r->next));
    if (r->prev)
        write_link(&w, "previous", page_url(fr, s, r->prev));
    sw_jw_array_end(&w);
    if (r->nhits > 0 || issues->count > 0) {
        sw_jw_key(&w, "entry");
        sw_jw_array_begin(&w);
        for (size_t i = 0; i < r->nhits; i++) {
            int rc = write_hit(fr, &w, s, &r->hits[i]);
            if (rc != SW_OK)
                return rc;
        }
        if (issues->count > 0) {
            int rc = write_outcome(&w, issues);
            if (rc != SW_OK)
                return rc;
        }
        sw_jw_array_end(&w);
    }
    sw_jw_object_end(&w);
    return sw_jw_finish(&w);
}

static int search(fhir_req *fr, const http_param *params, int nparams)
{
    if (strcmp(fr->type, "AuditEvent") == 0)
        return fhir_audit_event_search(fr, params, nparams);
    sw_request *req = fr->req;
    fhir_issues *issues = sw_arena_calloc(req->arena, 1, sizeof *issues);
    if (issues == NULL)
        return http_fail(fr->res, SW_ENOMEM, NULL);
    fhir_search *s;
    int rc = fhir_search_parse(req->arena, fr->type, params, nparams,
                               fhir_prefer_lenient(req), &s, issues);
    if (rc == SW_EBADREQUEST)
        return fhir_fail_issues(req, fr->res, rc, issues);
    if (rc != SW_OK)
        return http_fail(fr->res, rc, NULL);
    if ((rc = fhir_authz_search(fr, s)) != SW_OK)
        return rc;
    s->base = fr->base;
    struct run_ctx ctx = { .fr = fr, .a = req->arena,
                           .practice_id = fr->practice_id, .s = s };
    /* A search may lag the primary by the replication delay: a client
     * reads its own write by id (GET /fhir/Type/id), never by search
     * (docs/store.md "Reads on a hot standby"). */
    rc = store_read_replica(fr->env->store, run_fn, &ctx, &fr->res->err);
    if (rc != SW_OK)
        return rc;
    if (fhir_authz_note_dropped(fr, issues, ctx.dropped) != SW_OK)
        return http_fail(fr->res, SW_ENOMEM, NULL);
    rc = fhir_audit_patients(fr, AUDIT_SEARCH, fr->type, "",
                             ctx.patients, ctx.npatients,
                             http_param_names(fr->req->arena, params, nparams));
    if (rc != SW_OK)
        return rc;
    rc = write_bundle(fr, s, &ctx.r, issues);
    if (rc != SW_OK) {
        sw_buf_reset(&fr->res->body);
        return http_fail(fr->res, rc, rc == SW_ETOOBIG
                         ? "the page is too large to send; ask for a smaller _count"
                         : NULL);
    }
    fr->res->status = 200;
    fr->res->content_type = FHIR_JSON_TYPE;
    return SW_OK;
}

int fhir_get_search(sw_request *req, sw_response *res)
{
    fhir_req fr;
    int rc = fhir_begin(req, res, &fr);
    if (rc != SW_OK)
        return rc;
    return search(&fr, req->target.params, req->target.nparams);
}

/* POST _search: parameters in an application/x-www-form-urlencoded body,
 * after any in the URL. */
int fhir_post_search(sw_request *req, sw_response *res)
{
    fhir_req fr;
    int rc = fhir_begin(req, res, &fr);
    if (rc != SW_OK)
        return rc;
    const char *ct = http_header_get(req, "Content-Type");
    sw_str type = sw_str_of(ct), rest = type;
    sw_str_split(&rest, ';', &type);
    while (type.n && type.p[type.n - 1] == ' ')
        type.n--;
    if (req->body_len > 0
        && (ct == NULL || type.n != strlen("application/x-www-form-urlencoded")
            || strncasecmp(type.p, "application/x-www-form-urlencoded", type.n) != 0))
        return http_fail(res, SW_EMEDIA, "a _search body must be "
                         "application/x-www-form-urlencoded");
    if (req->body_len > FHIR_SEARCH_MAX_FORM_BYTES)
        return http_fail(res, SW_ETOOBIG, "a _search body may be at most %d "
                         "bytes", FHIR_SEARCH_MAX_FORM_BYTES);
    http_param *form = NULL;
    int nform = 0;
    if (req->body_len > 0) {
        rc = http_parse_form(req->arena, req->body, req->body_len, &form,
                             &nform, &res->err);
        if (rc != SW_OK)
            return rc;
    }
    int nurl = req->target.nparams;
    http_param *all = sw_arena_calloc(req->arena, (size_t)(nurl + nform) + 1,
                                      sizeof *all);
    if (all == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    if (nurl)
        memcpy(all, req->target.params, (size_t)nurl * sizeof *all);
    if (nform)
        memcpy(all + nurl, form, (size_t)nform * sizeof *all);
    return search(&fr, all, nurl + nform);
}
