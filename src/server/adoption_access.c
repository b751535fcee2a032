/* adoption_access.c - who may see whose adoption scorecard (see
 * adoption_access.h): the lead/admin test on roles, the super-user test on
 * the roster, and the two request helpers every /api/adoption handler
 * calls. */
#include "server/adoption_access.h"

#include <string.h>

#include "adoption/adoption.h"
#include "auth/authz.h"
#include "server/app.h"

bool adoption_access_is_lead(const char *roles, const char *scope)
{
    return authz_allows(roles, scope, AUTHZ_PLAN, AUTHZ_READ)
        || authz_allows(roles, scope, AUTHZ_USERS, AUTHZ_ADMIN);
}

int adoption_access_reach_tx(store_tx *tx, const auth_session *me,
                             adoption_reach *out)
{
    if (adoption_access_is_lead(me->roles, me->scope)) {
        *out = ADOPTION_REACH_EVERYONE;
        return SW_OK;
    }
    /* A super-user of any module helps colleagues across the practice. */
    int64_t modules = 0;
    int rc = store_query_int64(tx, &modules, "SELECT COUNT(*) FROM super_user "
                               "WHERE practice_id = ? AND user_id = ?", "ii",
                               me->practice_id, me->user_id);
    if (rc != SW_OK)
        return rc;
    *out = modules > 0 ? ADOPTION_REACH_NON_LEADS : ADOPTION_REACH_SELF;
    return SW_OK;
}

bool adoption_access_may_see(const auth_session *me, adoption_reach reach,
                             int64_t user_id, const char *target_roles)
{
    if (user_id == me->user_id)
        return true;
    switch (reach) {
    case ADOPTION_REACH_EVERYONE:
        return true;
    case ADOPTION_REACH_NON_LEADS:
        return !adoption_access_is_lead(target_roles, NULL);
    case ADOPTION_REACH_SELF:
        break;
    }
    return false;
}

struct reach_ctx {
    const auth_session *me;
    adoption_reach      reach;
};

static int reach_fn(store_tx *tx, void *arg)
{
    struct reach_ctx *c = arg;
    return adoption_access_reach_tx(tx, c->me, &c->reach);
}

int adoption_access_reach(sw_request *req, sw_response *res,
                          adoption_reach *out)
{
    struct reach_ctx c = { server_principal(req), ADOPTION_REACH_SELF };
    sw_err err;
    int rc = store_read(server_prod_store(req->app), reach_fn, &c, &err);
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "the super-user roster");
    *out = c.reach;
    return SW_OK;
}

int adoption_access_user(sw_request *req, sw_response *res,
                         const char *username, auth_user *out)
{
    const auth_session *me = server_principal(req);
    adoption_reach reach;
    int rc = adoption_access_reach(req, res, &reach);
    if (rc != SW_OK)
        return rc;
    sw_err err;
    rc = auth_user_find(server_prod_store(req->app), req->arena,
                        me->practice_id, username ? username : "", out, &err);
    if (rc == SW_ENOTFOUND)
        return http_fail(res, SW_ENOTFOUND, "there is no user '%.64s'",
                         username ? username : "");
    if (rc != SW_OK)
        return server_store_failed(res, rc, &err, "the accounts");
    if (!adoption_access_may_see(me, reach, out->user_id, out->roles))
        return http_fail(res, SW_EFORBIDDEN, "you may see your own adoption "
                         "scorecard; others' are for the implementation "
                         "lead, the practice admin and super-users");
    return SW_OK;
}

int adoption_access_as_of(sw_request *req, sw_response *res, int64_t *day)
{
    const char *q = http_query_get(req, "as_of");
    *day = -1;
    if (q == NULL || *q == '\0')
        return SW_OK;
    if (!adoption_day_parse(q, day))
        return http_fail(res, SW_EINVAL, "as_of must be a date YYYY-MM-DD");
    return SW_OK;
}
