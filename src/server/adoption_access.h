/* adoption_access.h - who may see whose adoption scorecard
 * (docs/adoption-metrics.md "API"), decided in one place for every
 * /api/adoption route.
 *
 * Three reaches:
 *   - a lead or admin (a role allowing "plan:read" or "users:admin": the
 *     implementation lead, the practice admin) sees everyone;
 *   - a super-user (a super_user row for any module) sees everyone except
 *     the leads and admins;
 *   - anyone else sees only their own scorecard.
 * The roster and the accounts live in the production store, whichever
 * environment serves the request. Workload: one small read per adoption
 * request. Also the ?as_of query the report routes share. */
#ifndef SW_SERVER_ADOPTION_ACCESS_H
#define SW_SERVER_ADOPTION_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/session.h"
#include "auth/users.h"
#include "http/http.h"
#include "store/store.h"

typedef enum adoption_reach {
    ADOPTION_REACH_SELF,        /* their own scorecard only */
    ADOPTION_REACH_NON_LEADS,   /* a super-user: all but leads and admins */
    ADOPTION_REACH_EVERYONE,    /* a lead or admin */
} adoption_reach;

/* Whether roles (narrowed by scope, NULL or "" for people) make a lead or
 * admin: "plan:read" or "users:admin". */
bool adoption_access_is_lead(const char *roles, const char *scope);

/* The reach of the signed-in user me, inside any transaction on the
 * production store. */
int adoption_access_reach_tx(store_tx *tx, const auth_session *me,
                             adoption_reach *out);

/* Whether a viewer (me, with reach) may see the scorecard of the user
 * user_id whose roles are target_roles. */
bool adoption_access_may_see(const auth_session *me, adoption_reach reach,
                             int64_t user_id, const char *target_roles);

/* For a handler: the signed-in user's reach; SW_OK, or the error written
 * to res. */
int adoption_access_reach(sw_request *req, sw_response *res,
                          adoption_reach *out);

/* For a handler: the user named username (strings in req->arena), when
 * the signed-in user may see their scorecard; SW_OK, or the error written
 * to res: 404 for no such user, 403 for a scorecard they may not see. */
int adoption_access_user(sw_request *req, sw_response *res,
                         const char *username, auth_user *out);

/* For a report handler: the day asked for (?as_of, YYYY-MM-DD), or -1 for
 * today (adoption_today); SW_OK, or a 400 written to res. */
int adoption_access_as_of(sw_request *req, sw_response *res, int64_t *day);

#endif
