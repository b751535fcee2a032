/* accounts.c - changing accounts: create, update, disable and enable,
 * password reset (see users.h, "Changing accounts").
 *
 * Called by `stagewise user` and /api/users, an administrator's rare
 * actions. Every change is one store_write that also appends its audit
 * entry (permission_change), so an account never changes without a trace
 * and a refused change writes nothing; passwords are checked and hashed
 * before that write opens. Each write re-reads the row it changes, so two
 * administrators editing one account at once each see the other's
 * committed change (writes are serializable, docs/store.md). */
#include "users.h"

#include <inttypes.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/roles.h"
#include "core/limits.h"

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* ---- Changing: what every write shares ----------------------------------- */

/* Appends the permission_change entry of one account change. */
static int audit_change(store_tx *tx, const audit_who *who, const char *detail)
{
    audit_entry e = {
        .who = who, .action = AUDIT_ACCESS_CHANGE, .feature = "",
        .patient_id = "", .res_type = "", .res_id = "",
        .outcome = AUDIT_SUCCESS, .detail = detail,
    };
    return audit_append(tx, &e);
}

static int audit_changef(store_tx *tx, const audit_who *who, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));

static int audit_changef(store_tx *tx, const audit_who *who, const char *fmt,
                         ...)
{
    char detail[SW_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return audit_change(tx, who, detail);
}

/* Whether a Practitioner with this id exists (and is not deleted). */
static int practitioner_exists(store_tx *tx, int64_t practice_id,
                               const char *id, bool *exists)
{
    int64_t deleted = 1;
    int rc = store_query_int64(tx, &deleted, "SELECT deleted FROM fhir_resource "
                               "WHERE practice_id = ? AND res_type = "
                               "'Practitioner' AND res_id = ?", "it",
                               practice_id, id);
    *exists = rc == SW_OK && deleted == 0;
    return rc == SW_ENOTFOUND ? SW_OK : rc;
}

static int check_practitioner(store_tx *tx, int64_t practice_id, const char *id)
{
    bool exists = false;
    int rc = practitioner_exists(tx, practice_id, id, &exists);
    if (rc != SW_OK)
        return rc;
    if (!exists)
        return store_tx_fail(tx, SW_EINVAL, "there is no Practitioner/%s; "
                             "create it first (POST /fhir/Practitioner) or "
                             "check the id", id);
    return SW_OK;
}

/* Enabled administrators (people holding practice_admin) other than
 * user_id: an account change must not leave none, or nobody could manage
 * accounts from the web again. */
static int other_admins(store_tx *tx, int64_t practice_id, int64_t user_id,
                        int64_t *n)
{
    return store_query_int64(tx, n,
        "SELECT count(*) FROM app_user WHERE practice_id = ? AND user_id <> ? "
        "AND disabled = 0 AND kind = 'person' "
        "AND (',' || roles || ',') LIKE '%,practice_admin,%'",
        "ii", practice_id, user_id);
}

static int keep_an_admin(store_tx *tx, const auth_user *u, int64_t *n)
{
    int rc = other_admins(tx, u->practice_id, u->user_id, n);
    if (rc != SW_OK)
        return rc;
    if (*n == 0)
        return store_tx_fail(tx, SW_ECONFLICT, "%s is the practice's last "
                             "enabled practice_admin; give the role to "
                             "another user first", u->username);
    return SW_OK;
}

/* Loads the target of a change inside the write (its current state). */
static int load_target(store_tx *tx, sw_arena *a, const audit_who *who,
                       int64_t user_id, auth_user *u)
{
    bool found = false;
    int rc = auth_user_load(tx, a, who->practice_id, user_id, u, &found);
    if (rc != SW_OK)
        return rc;
    if (!found)
        return store_tx_fail(tx, SW_ENOTFOUND, "there is no user %" PRId64
                             " in practice %" PRId64, user_id,
                             who->practice_id);
    return SW_OK;
}

/* Ends every session and API token of the user. */
static int revoke_all(store_tx *tx, int64_t practice_id, int64_t user_id)
{
    int rc = store_exec(tx, NULL, "UPDATE app_session SET revoked = 1 WHERE "
                        "practice_id = ? AND user_id = ? AND revoked = 0",
                        "ii", practice_id, user_id);
    if (rc == SW_OK)
        rc = store_exec(tx, NULL, "UPDATE app_api_token SET revoked = 1 WHERE "
                        "practice_id = ? AND user_id = ? AND revoked = 0",
                        "ii", practice_id, user_id);
    return rc;
}

/* Each write gets a scratch arena for the row it reads; a retried
 * function (PostgreSQL serialization failures) reads the row again into
 * it, so it grows by one row per try, well within the budget. */
static sw_arena *scratch(sw_err *err)
{
    sw_arena *a = sw_arena_create(64 * 1024);
    if (a == NULL)
        sw_err_set(err, SW_ENOMEM, NULL);
    return a;
}

/* ---- Create -------------------------------------------------------------- */

struct create_ctx {
    const audit_who         *who;
    const auth_account_spec *spec;
    const char              *roles;
    const char              *hash;
    int64_t                  user_id;
};

static int create_fn(store_tx *tx, void *arg)
{
    struct create_ctx *c = arg;
    const auth_account_spec *sp = c->spec;
    const char *pid = or_empty(sp->practitioner_id);
    int64_t practices = 0;
    int rc = store_query_int64(tx, &practices, "SELECT count(*) FROM practice "
                               "WHERE practice_id = ?", "i",
                               c->who->practice_id);
    if (rc != SW_OK)
        return rc;
    if (practices == 0)
        return store_tx_fail(tx, SW_ENOTFOUND, "there is no practice %" PRId64
                             " in this database", c->who->practice_id);
    if (pid[0] && (rc = check_practitioner(tx, c->who->practice_id, pid)) != SW_OK)
        return rc;
    bool created = false;
    auth_new_user u = {
        .practice_id = c->who->practice_id, .username = sp->username,
        .display_name = sp->display_name, .password_hash = c->hash,
        .roles = sp->roles,
        .kind = sp->service ? AUTH_KIND_SERVICE : AUTH_KIND_PERSON,
        .scope = sp->service ? sp->scope : "", .practitioner_id = pid,
    };
    rc = auth_user_create(tx, &u, &created, &c->user_id);
    if (rc != SW_OK)
        return rc;
    if (!created)
        return store_tx_fail(tx, SW_ECONFLICT, "the username '%s' is taken in "
                             "this practice; choose another", sp->username);
    if (sp->service)
        return audit_changef(tx, c->who, "service account created: %s (%s; "
                             "scope %s)", sp->username, sp->roles, sp->scope);
    return audit_changef(tx, c->who, "account created: %s (%s)%s%s",
                         sp->username, sp->roles,
                         pid[0] ? " as Practitioner/" : "", pid);
}

int auth_account_create(sw_store *s, const audit_who *who,
                        const auth_account_spec *sp, int64_t *user_id,
                        sw_err *err)
{
    int rc = auth_username_check(sp->username, err);
    if (rc == SW_OK)
        rc = auth_display_name_check(sp->display_name, err);
    if (rc == SW_OK)
        rc = auth_roles_check(sp->roles, err);
    if (rc == SW_OK && sp->practitioner_id && sp->practitioner_id[0])
        rc = auth_practitioner_id_check(sp->practitioner_id, err);
    if (rc != SW_OK)
        return rc;
    if (sp->service) {
        if ((rc = auth_scope_check(sp->scope, err)) != SW_OK)
            return rc;
        if (sp->practitioner_id && sp->practitioner_id[0])
            return sw_err_set(err, SW_EINVAL, "a service account is not a "
                              "person and has no Practitioner");
        if (sp->password != NULL)
            return sw_err_set(err, SW_EINVAL, "a service account has no "
                              "password; it signs in with API tokens");
    } else {
        if (sp->scope != NULL && sp->scope[0])
            return sw_err_set(err, SW_EINVAL, "only service accounts have a "
                              "scope");
        if (sp->password == NULL)
            return sw_err_set(err, SW_EINVAL, "a password is required");
        if ((rc = auth_password_check(sp->password, err)) != SW_OK)
            return rc;
    }
    /* A service account gets the hash of a random password nobody ever
     * sees: it cannot sign in, and refusing it costs what any wrong
     * password costs. */
    char generated[20];
    char hash[AUTH_HASH_MAX];
    if (sp->service)
        auth_password_generate(generated);
    rc = auth_password_hash(sp->service ? generated : sp->password, hash, err);
    sodium_memzero(generated, sizeof generated);
    if (rc != SW_OK)
        return rc;
    struct create_ctx c = { .who = who, .spec = sp, .hash = hash };
    rc = store_write(s, create_fn, &c, err);
    if (rc == SW_OK && user_id)
        *user_id = c.user_id;
    return rc;
}

/* ---- Update -------------------------------------------------------------- */

struct update_ctx {
    const audit_who          *who;
    int64_t                   user_id;
    const auth_account_patch *p;
    sw_arena                 *arena;
};

static int update_fn(store_tx *tx, void *arg)
{
    struct update_ctx *c = arg;
    const auth_account_patch *p = c->p;
    auth_user u;
    int rc = load_target(tx, c->arena, c->who, c->user_id, &u);
    if (rc != SW_OK)
        return rc;
    int64_t pr = u.practice_id, id = u.user_id, others = 0;
    bool service = strcmp(u.kind, AUTH_KIND_SERVICE) == 0;

    if (p->scope && !service)
        return store_tx_fail(tx, SW_EINVAL, "only service accounts have a "
                             "scope; %s is a person", u.username);
    if (p->practitioner_id && p->practitioner_id[0] && service)
        return store_tx_fail(tx, SW_EINVAL, "%s is a service account, not a "
                             "person; it has no Practitioner", u.username);
    if (p->display_name && strcmp(p->display_name, u.display_name) != 0) {
        rc = store_exec(tx, NULL, "UPDATE app_user SET display_name = ? "
                        "WHERE practice_id = ? AND user_id = ?", "tii",
                        p->display_name, pr, id);
        if (rc == SW_OK)
            rc = audit_changef(tx, c->who, "user %" PRId64 " (%s) display "
                               "name changed", id, u.username);
        if (rc != SW_OK)
            return rc;
    }
    if (p->roles && strcmp(p->roles, u.roles) != 0) {
        if (!u.disabled && auth_roles_has(u.roles, "practice_admin")
            && !auth_roles_has(p->roles, "practice_admin")
            && (rc = keep_an_admin(tx, &u, &others)) != SW_OK)
            return rc;
        rc = store_exec(tx, NULL, "UPDATE app_user SET roles = ? "
                        "WHERE practice_id = ? AND user_id = ?", "tii",
                        p->roles, pr, id);
        if (rc == SW_OK)
            rc = audit_changef(tx, c->who, "user %" PRId64 " (%s) roles: %s "
                               "-> %s", id, u.username, u.roles, p->roles);
        if (rc != SW_OK)
            return rc;
    }
    if (p->practitioner_id && strcmp(p->practitioner_id, u.practitioner_id)) {
        if (p->practitioner_id[0]
            && (rc = check_practitioner(tx, pr, p->practitioner_id)) != SW_OK)
            return rc;
        rc = store_exec(tx, NULL, "UPDATE app_user SET practitioner_id = ? "
                        "WHERE practice_id = ? AND user_id = ?", "tii",
                        p->practitioner_id, pr, id);
        if (rc == SW_OK && p->practitioner_id[0])
            rc = audit_changef(tx, c->who, "user %" PRId64 " (%s) linked to "
                               "Practitioner/%s", id, u.username,
                               p->practitioner_id);
        else if (rc == SW_OK)
            rc = audit_changef(tx, c->who, "user %" PRId64 " (%s) unlinked "
                               "from Practitioner/%s", id, u.username,
                               u.practitioner_id);
        if (rc != SW_OK)
            return rc;
    }
    if (p->scope && strcmp(p->scope, u.scope) != 0) {
        rc = store_exec(tx, NULL, "UPDATE app_user SET scope = ? "
                        "WHERE practice_id = ? AND user_id = ?", "tii",
                        p->scope, pr, id);
        if (rc == SW_OK)
            rc = audit_changef(tx, c->who, "user %" PRId64 " (%s) scope: %s "
                               "-> %s", id, u.username, u.scope, p->scope);
    }
    return rc;
}

int auth_account_update(sw_store *s, const audit_who *who, int64_t user_id,
                        const auth_account_patch *p, sw_err *err)
{
    int rc = SW_OK;
    if (p->display_name)
        rc = auth_display_name_check(p->display_name, err);
    if (rc == SW_OK && p->roles)
        rc = auth_roles_check(p->roles, err);
    if (rc == SW_OK && p->practitioner_id && p->practitioner_id[0])
        rc = auth_practitioner_id_check(p->practitioner_id, err);
    if (rc == SW_OK && p->scope)
        rc = auth_scope_check(p->scope, err);
    if (rc != SW_OK)
        return rc;
    struct update_ctx c = { .who = who, .user_id = user_id, .p = p };
    if ((c.arena = scratch(err)) == NULL)
        return SW_ENOMEM;
    rc = store_write(s, update_fn, &c, err);
    sw_arena_destroy(c.arena);
    return rc;
}

/* ---- Disable and enable -------------------------------------------------- */

struct disable_ctx {
    const audit_who *who;
    int64_t          user_id;
    bool             disabled;
    sw_arena        *arena;
};

static int disable_fn(store_tx *tx, void *arg)
{
    struct disable_ctx *c = arg;
    auth_user u;
    int rc = load_target(tx, c->arena, c->who, c->user_id, &u);
    if (rc != SW_OK || u.disabled == c->disabled)
        return rc;
    int64_t others = 0;
    if (c->disabled) {
        if (c->who->user_id == u.user_id)
            return store_tx_fail(tx, SW_ECONFLICT, "you cannot disable your "
                                 "own account; ask another administrator");
        if (auth_roles_has(u.roles, "practice_admin")
            && strcmp(u.kind, AUTH_KIND_PERSON) == 0
            && (rc = keep_an_admin(tx, &u, &others)) != SW_OK)
            return rc;
    }
    rc = store_exec(tx, NULL, "UPDATE app_user SET disabled = ? WHERE "
                    "practice_id = ? AND user_id = ?", "iii",
                    (int64_t)(c->disabled ? 1 : 0), u.practice_id, u.user_id);
    if (rc == SW_OK && c->disabled)
        rc = revoke_all(tx, u.practice_id, u.user_id);
    if (rc == SW_OK)
        rc = audit_changef(tx, c->who, "user %" PRId64 " (%s) %s", u.user_id,
                           u.username, c->disabled
                           ? "disabled; sessions and API tokens revoked"
                           : "enabled");
    return rc;
}

int auth_account_set_disabled(sw_store *s, const audit_who *who,
                              int64_t user_id, bool disabled, sw_err *err)
{
    struct disable_ctx c = { .who = who, .user_id = user_id,
                             .disabled = disabled };
    if ((c.arena = scratch(err)) == NULL)
        return SW_ENOMEM;
    int rc = store_write(s, disable_fn, &c, err);
    sw_arena_destroy(c.arena);
    return rc;
}

/* ---- Password reset ------------------------------------------------------ */

struct password_ctx {
    const audit_who *who;
    int64_t          user_id;
    const char      *hash;
    sw_arena        *arena;
};

static int password_fn(store_tx *tx, void *arg)
{
    struct password_ctx *c = arg;
    auth_user u;
    int rc = load_target(tx, c->arena, c->who, c->user_id, &u);
    if (rc != SW_OK)
        return rc;
    if (strcmp(u.kind, AUTH_KIND_SERVICE) == 0)
        return store_tx_fail(tx, SW_EINVAL, "%s is a service account: it has "
                             "no password and authenticates with API tokens",
                             u.username);
    rc = store_exec(tx, NULL, "UPDATE app_user SET password_hash = ?, "
                    "failed_logins = 0, locked_until = 0 WHERE practice_id = ? "
                    "AND user_id = ?", "tii", c->hash, u.practice_id, u.user_id);
    if (rc == SW_OK)
        rc = store_exec(tx, NULL, "UPDATE app_session SET revoked = 1 WHERE "
                        "practice_id = ? AND user_id = ? AND revoked = 0",
                        "ii", u.practice_id, u.user_id);
    if (rc == SW_OK)
        rc = audit_changef(tx, c->who, "user %" PRId64 " (%s) password reset; "
                           "sessions revoked", u.user_id, u.username);
    return rc;
}

int auth_account_set_password(sw_store *s, const audit_who *who,
                              int64_t user_id, const char *password,
                              sw_err *err)
{
    char hash[AUTH_HASH_MAX];
    int rc = password ? auth_password_hash(password, hash, err)
                      : sw_err_set(err, SW_EINVAL, "a password is required");
    if (rc != SW_OK)
        return rc;
    struct password_ctx c = { .who = who, .user_id = user_id, .hash = hash };
    if ((c.arena = scratch(err)) == NULL)
        return SW_ENOMEM;
    rc = store_write(s, password_fn, &c, err);
    sw_arena_destroy(c.arena);
    return rc;
}
