/* rest_history.c - the history interactions: every version of one
 * resource, of one type, or of the whole practice, newest first, as a
 * Bundle of type "history" with paging links.
 *
 * Parameters: _count (page size, default FHIR_HISTORY_PAGE, at most
 * FHIR_HISTORY_PAGE_MAX), _since (an instant), _offset (where the page
 * starts; the next link carries it). Anything else is refused with 400, or
 * ignored under Prefer: handling=lenient (a history Bundle has no place for
 * a warning: every entry of one must be a version). */
#include "rest_int.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/str.h"
#include "fhir/write.h"

#define FHIR_HISTORY_PAGE     50
#define FHIR_HISTORY_PAGE_MAX 500

struct history_params {
    int         count;
    int         offset;
    int64_t     since_ms;
    const char *since;
};

static int read_params(fhir_req *fr, struct history_params *p)
{
    p->count = FHIR_HISTORY_PAGE;
    p->offset = 0;
    p->since_ms = 0;
    p->since = NULL;
    const http_target *t = &fr->req->target;
    for (int i = 0; i < t->nparams; i++) {
        const char *name = t->params[i].name, *value = t->params[i].value;
        long v;
        if (strcmp(name, "_count") == 0) {
            if (!sw_str_to_long(sw_str_of(value), 0, 1000000, &v))
                return http_fail(fr->res, SW_EBADREQUEST, "_count must be a "
                                 "whole number");
            p->count = v > FHIR_HISTORY_PAGE_MAX ? FHIR_HISTORY_PAGE_MAX : (int)v;
        } else if (strcmp(name, "_offset") == 0) {
            if (!sw_str_to_long(sw_str_of(value), 0, 100000000, &v))
                return http_fail(fr->res, SW_EBADREQUEST, "_offset must be a "
                                 "whole number");
            p->offset = (int)v;
        } else if (strcmp(name, "_since") == 0) {
            if (!sw_time_parse_iso(value, &p->since_ms))
                return http_fail(fr->res, SW_EBADREQUEST, "_since must be an "
                                 "instant with a time zone, such as "
                                 "2026-01-31T08:00:00Z");
            p->since = value;
        } else if (strcmp(name, "_format") != 0 && !fhir_prefer_lenient(fr->req)) {
            return http_fail(fr->res, SW_EBADREQUEST, "history does not "
                             "support the parameter %s", name);
        }
    }
    return SW_OK;
}

/* The URL of the page starting at offset. */
static void page_link(sw_jw *w, fhir_req *fr, const char *relation,
                      const struct history_params *p, int offset)
{
    char *path = sw_arena_strdup(fr->req->arena, fr->req->target.raw_path);
    const char *since = p->since ? "&_since=" : "";
    char *url = sw_arena_printf(fr->req->arena, "%s%s?_count=%d&_offset=%d%s",
                                fr->base, path + strlen("/fhir"), p->count,
                                offset, since);
    sw_jw_object_begin(w);
    sw_jw_key(w, "relation");
    sw_jw_string(w, relation);
    sw_jw_key(w, "url");
    if (url == NULL) {
        sw_jw_string(w, "");
    } else if (p->since) {
        /* _since is an instant; '+' in a time zone must be escaped. */
        sw_buf u = SW_BUF_INIT(SW_HTTP_MAX_URI_BYTES * 2);
        sw_buf_puts(&u, url);
        for (const char *c = p->since; *c; c++)
            (*c == '+' || *c == ':') ? sw_buf_printf(&u, "%%%02X", (unsigned char)*c)
                                     : sw_buf_putc(&u, *c);
        sw_jw_string_n(w, sw_buf_str(&u), u.len);
        sw_buf_free(&u);
    } else {
        sw_jw_string(w, url);
    }
    sw_jw_object_end(w);
}

struct patients_ctx {
    sw_arena       *a;
    int64_t         practice_id;
    const fhir_ref *refs;
    size_t          n;
    const char    **patients;
    size_t          npatients;
};

static int patients_fn(store_tx *tx, void *arg)
{
    struct patients_ctx *c = arg;
    return fhir_patients_of(tx, c->a, c->practice_id, c->refs, c->n,
                            &c->patients, &c->npatients);
}

/* Records whose versions the page shows before it is sent. */
static int audit_page(fhir_req *fr, const fhir_history_entry *entries, int n)
{
    sw_arena *a = fr->req->arena;
    fhir_ref *refs = sw_arena_calloc(a, (size_t)n + 1, sizeof *refs);
    if (refs == NULL)
        return http_fail(fr->res, SW_ENOMEM, NULL);
    for (int i = 0; i < n; i++)
        refs[i] = (fhir_ref){ entries[i].type, entries[i].id };
    struct patients_ctx c = { a, fr->practice_id, refs, (size_t)n, NULL, 0 };
    int rc = store_read(fr->env->store, patients_fn, &c, &fr->res->err);
    if (rc != SW_OK)
        return rc;
    return fhir_audit_patients(fr, AUDIT_READ, fr->type ? fr->type : "",
                               fr->id ? fr->id : "", c.patients, c.npatients,
                               "_history");
}

static const char *entry_status(const fhir_history_entry *e)
{
    if (e->v.deleted)
        return "204 No Content";
    return strcmp(e->v.method, "POST") == 0 || e->v.version == 1
        ? "201 Created" : "200 OK";
}

int fhir_get_history(sw_request *req, sw_response *res)
{
    fhir_req fr;
    int rc = fhir_begin(req, res, &fr);
    if (rc != SW_OK)
        return rc;
    struct history_params p;
    if ((rc = read_params(&fr, &p)) != SW_OK)
        return rc;
    fhir_history_entry *entries;
    int n;
    int64_t total;
    rc = fhir_res_history(fr.env->store, req->arena, fr.practice_id, fr.type,
                          fr.id, p.since_ms, p.count, p.offset, &entries, &n,
                          &total, &res->err);
    if (rc != SW_OK)
        return rc;
    /* A resource with no versions is not in this practice: the same 404
     * as a read, whether it exists elsewhere or nowhere. */
    if (fr.id != NULL && total == 0 && p.since_ms == 0)
        return http_fail(res, SW_ENOTFOUND, "%s/%s is not known", fr.type,
                         fr.id);
    /* The system-wide history spans every type: it shows only those the
     * user may read, and then no total, which would count the others.
     * Paging stays by position in the whole history. */
    int fetched = n;
    bool filtered = fr.type == NULL && fhir_authz_filter_history(&fr, entries, &n);
    if ((rc = audit_page(&fr, entries, n)) != SW_OK)
        return rc;

    sw_jw w;
    sw_jw_init(&w, &res->body);
    fhir_bundle_head(&w, "history");
    if (!filtered) {
        sw_jw_key(&w, "total");
        sw_jw_int(&w, total);
    }
    sw_jw_key(&w, "link");
    sw_jw_array_begin(&w);
    page_link(&w, &fr, "self", &p, p.offset);
    if (p.offset + fetched < total && p.count > 0)
        page_link(&w, &fr, "next", &p, p.offset + fetched);
    if (p.offset > 0)
        page_link(&w, &fr, "previous", &p,
                  p.offset > p.count ? p.offset - p.count : 0);
    sw_jw_array_end(&w);
    if (n > 0) {
        sw_jw_key(&w, "entry");
        sw_jw_array_begin(&w);
    }
    for (int i = 0; i < n; i++) {
        const fhir_history_entry *e = &entries[i];
        char when[SW_TIME_ISO_MAX], etag[32];
        sw_time_iso(e->v.updated_ms, when);
        snprintf(etag, sizeof etag, "W/\"%lld\"", (long long)e->v.version);
        char *full = sw_arena_printf(req->arena, "%s/%s/%s", fr.base, e->type, e->id);
        char *url = sw_arena_printf(req->arena, "%s/%s", e->type, e->id);
        sw_jw_object_begin(&w);
        sw_jw_key(&w, "fullUrl");
        sw_jw_string(&w, full ? full : "");
        if (!e->v.deleted) {
            sw_jw_key(&w, "resource");
            sw_jw_raw(&w, e->v.body, e->v.body_len);
        }
        sw_jw_key(&w, "request");
        sw_jw_object_begin(&w);
        sw_jw_key(&w, "method");
        sw_jw_string(&w, e->v.method);
        sw_jw_key(&w, "url");
        sw_jw_string(&w, strcmp(e->v.method, "POST") == 0 ? e->type : (url ? url : ""));
        sw_jw_object_end(&w);
        sw_jw_key(&w, "response");
        sw_jw_object_begin(&w);
        sw_jw_key(&w, "status");
        sw_jw_string(&w, entry_status(e));
        sw_jw_key(&w, "etag");
        sw_jw_string(&w, etag);
        sw_jw_key(&w, "lastModified");
        sw_jw_string(&w, when);
        sw_jw_object_end(&w);
        sw_jw_object_end(&w);
    }
    if (n > 0)
        sw_jw_array_end(&w);
    sw_jw_object_end(&w);
    if ((rc = sw_jw_finish(&w)) != SW_OK)
        return http_fail(res, rc, NULL);
    res->status = 200;
    res->content_type = FHIR_JSON_TYPE;
    return SW_OK;
}
