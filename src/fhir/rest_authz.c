/* rest_authz.c - permission checks inside FHIR requests that touch several
 * resource types at once.
 *
 * The server's authorization filter (src/server/authorize.c) checks every
 * /fhir route against the permission table (src/auth/authz.h) by the type
 * in its path. Some requests reach further than that type, and are checked
 * here, per type, with the same table:
 *   - each entry of a batch or transaction Bundle, with its own type and
 *     action (bundle.c calls fhir_authz_bundle_entry);
 *   - _include and _revinclude of a search: a type named in the parameter
 *     that the user may not read is refused with 403 before anything runs;
 *     resources an _include without a target type brings in are dropped
 *     when the user may not read their type, with a warning in the
 *     Bundle's outcome entry;
 *   - chained parameters (subject:Patient.name=…), which reveal what the
 *     chained type holds: refused like an _include of that type;
 *   - the system-wide history, which shows only the types the user may
 *     read;
 *   - Patient/$everything, which leaves out the types the user may not
 *     read (a front desk user gets the demographics only).
 * Every function reads the roles and scope of the signed-in user from the
 * request's principal (auth/session.h). */
#include "rest_int.h"

#include <stdio.h>
#include <string.h>

#include "auth/authz.h"
#include "auth/session.h"
#include "core/str.h"
#include "fhir/model.h"
#include "fhir/search.h"

static const auth_session *principal(const fhir_req *fr)
{
    return fr->req->principal;
}

bool fhir_authz_may_read(const fhir_req *fr, const char *type)
{
    const auth_session *s = principal(fr);
    return s != NULL && authz_may_read_type(s->roles, s->scope, type);
}

/* The 403 for reading a type, as an OperationOutcome naming the type. */
static int refuse_read(fhir_req *fr, const char *type, const char *how)
{
    const auth_session *s = principal(fr);
    char why[SW_ERR_MSG_MAX];
    authz_refusal(s ? s->roles : "", authz_area_of_type(type), AUTHZ_READ,
                  why, sizeof why);
    return http_fail(fr->res, SW_EFORBIDDEN, "%s, so %s may not %s", why,
                     type, how);
}

int fhir_authz_bundle_entry(void *arg, const char *type, bool write,
                            char *why, size_t cap)
{
    const fhir_req *fr = arg;
    const auth_session *s = principal(fr);
    authz_area area = authz_area_of_type(type);
    authz_action action = write ? authz_write_action_of_type(type) : AUTHZ_READ;
    if (s != NULL && authz_allows(s->roles, s->scope, area, action))
        return fr->env->entry_check
            ? fr->env->entry_check(fr->req, type, write, why, cap) : SW_OK;
    char base[SW_ERR_MSG_MAX];
    authz_refusal(s ? s->roles : "", area, action, base, sizeof base);
    snprintf(why, cap, "%s (%s)", base, type);
    return SW_EFORBIDDEN;
}

int fhir_authz_search(fhir_req *fr, const fhir_search *s)
{
    for (size_t i = 0; i < s->nincludes; i++) {
        const fhir_search_include *inc = &s->includes[i];
        /* A _revinclude brings resources of its source type; an _include
         * with a target type brings that type. */
        const char *type = inc->rev ? inc->source : inc->target;
        if (type != NULL && !fhir_authz_may_read(fr, type))
            return refuse_read(fr, type, inc->rev ? "be _revincluded"
                                                  : "be _included");
    }
    for (size_t i = 0; i < s->ncrits; i++) {
        const fhir_search_crit *c = &s->crits[i];
        for (size_t k = 0; k < c->nchain; k++)
            if (!fhir_authz_may_read(fr, c->chain[k].type))
                return refuse_read(fr, c->chain[k].type, "be searched "
                                   "through a chained parameter");
    }
    return SW_OK;
}

size_t fhir_authz_drop_includes(const fhir_req *fr, fhir_search_result *r)
{
    size_t kept = 0, dropped = 0;
    for (size_t i = 0; i < r->nhits; i++) {
        const fhir_search_hit *h = &r->hits[i];
        if (h->include && !fhir_authz_may_read(fr, h->type)) {
            dropped++;
            continue;
        }
        r->hits[kept++] = *h;
    }
    r->nhits = kept;
    return dropped;
}

int fhir_authz_note_dropped(fhir_req *fr, fhir_issues *issues, size_t dropped)
{
    if (dropped == 0)
        return SW_OK;
    return fhir_issue_add(fr->req->arena, issues, FHIR_SEVERITY_WARNING,
                          "forbidden", NULL, "%zu included resource%s of "
                          "types your role may not read %s left out.",
                          dropped, dropped == 1 ? "" : "s",
                          dropped == 1 ? "was" : "were");
}

/* Whether the user reads every stored type: then nothing needs filtering. */
static bool reads_everything(const fhir_req *fr)
{
    size_t n = fhir_resource_type_count();
    for (size_t i = 0; i < n; i++) {
        const char *t = fhir_type_name(fhir_resource_type_at(i));
        if (fhir_type_is_stored(t) && !fhir_authz_may_read(fr, t))
            return false;
    }
    return true;
}

bool fhir_authz_filter_history(const fhir_req *fr, fhir_history_entry *entries,
                               int *n)
{
    if (reads_everything(fr))
        return false;
    int kept = 0;
    for (int i = 0; i < *n; i++)
        if (fhir_authz_may_read(fr, entries[i].type))
            entries[kept++] = entries[i];
    *n = kept;
    return true;
}

int fhir_authz_readable_types(const fhir_req *fr, const char ***types,
                              size_t *ntypes)
{
    if (*types != NULL) {
        size_t kept = 0;
        for (size_t i = 0; i < *ntypes; i++)
            if (fhir_authz_may_read(fr, (*types)[i]))
                (*types)[kept++] = (*types)[i];
        *ntypes = kept;
        return SW_OK;
    }
    if (reads_everything(fr))
        return SW_OK;
    size_t n = fhir_resource_type_count();
    const char **list = sw_arena_calloc(fr->req->arena, n + 1, sizeof *list);
    if (list == NULL)
        return SW_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = fhir_type_name(fhir_resource_type_at(i));
        if (fhir_type_is_stored(t) && fhir_authz_may_read(fr, t))
            list[k++] = t;
    }
    *types = list;
    *ntypes = k;
    return SW_OK;
}
