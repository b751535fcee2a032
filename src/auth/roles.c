/* roles.c - the role table (see roles.h). The account code checks role
 * lists against it; the authorization engine keys its permissions on the
 * same names. Read-only data and small linear lookups. */
#include "roles.h"

#include <string.h>

static const auth_role roles[AUTH_ROLE__COUNT] = {
    [AUTH_ROLE_PHYSICIAN] = {
        .id = AUTH_ROLE_PHYSICIAN, .name = "physician",
        .title = "Physician",
        .description = "Sees patients, documents, orders, prescribes and signs.",
    },
    [AUTH_ROLE_ADVANCED_PRACTICE] = {
        .id = AUTH_ROLE_ADVANCED_PRACTICE, .name = "advanced_practice",
        .title = "Advanced practice clinician",
        .description = "Nurse practitioner or physician assistant: sees "
                       "patients, documents, orders and prescribes.",
    },
    [AUTH_ROLE_NURSE] = {
        .id = AUTH_ROLE_NURSE, .name = "nurse",
        .title = "Nurse",
        .description = "Records vitals, medications given and nursing notes; "
                       "cannot prescribe or sign orders.",
    },
    [AUTH_ROLE_MEDICAL_ASSISTANT] = {
        .id = AUTH_ROLE_MEDICAL_ASSISTANT, .name = "medical_assistant",
        .title = "Medical assistant",
        .description = "Rooms patients, records vitals and history; "
                       "prepares but does not sign.",
    },
    [AUTH_ROLE_FRONT_DESK] = {
        .id = AUTH_ROLE_FRONT_DESK, .name = "front_desk",
        .title = "Front desk",
        .description = "Registers patients and books appointments; "
                       "no clinical notes.",
    },
    [AUTH_ROLE_BILLER] = {
        .id = AUTH_ROLE_BILLER, .name = "biller",
        .title = "Biller",
        .description = "Works charges and demographics; no clinical notes.",
    },
    [AUTH_ROLE_PRACTICE_ADMIN] = {
        .id = AUTH_ROLE_PRACTICE_ADMIN, .name = "practice_admin",
        .title = "Practice administrator",
        .description = "Manages users, roles and practice settings.",
        .admin = true,
    },
    [AUTH_ROLE_IMPLEMENTATION_LEAD] = {
        .id = AUTH_ROLE_IMPLEMENTATION_LEAD, .name = "implementation_lead",
        .title = "Implementation lead",
        .description = "Plans and runs the rollout: modules, go-live, "
                       "adoption reports.",
        .admin = true,
    },
};

const auth_role *auth_roles(size_t *count)
{
    if (count)
        *count = AUTH_ROLE__COUNT;
    return roles;
}

const auth_role *auth_role_findn(const char *name, size_t len)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < AUTH_ROLE__COUNT; i++)
        if (strlen(roles[i].name) == len && memcmp(roles[i].name, name, len) == 0)
            return &roles[i];
    return NULL;
}

const auth_role *auth_role_find(const char *name)
{
    return name ? auth_role_findn(name, strlen(name)) : NULL;
}

int auth_roles_check(const char *list, sw_err *err)
{
    if (!list || !*list)
        return sw_err_set(err, SW_EINVAL, "give at least one role");
    bool seen[AUTH_ROLE__COUNT] = { false };
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const auth_role *r = auth_role_findn(p, len);
        if (!r) {
            char names[256] = "";
            for (size_t i = 0; i < AUTH_ROLE__COUNT; i++) {
                if (i)
                    strncat(names, ", ", sizeof names - strlen(names) - 1);
                strncat(names, roles[i].name, sizeof names - strlen(names) - 1);
            }
            return sw_err_set(err, SW_EINVAL,
                              "unknown role \"%.*s\"; roles are %s",
                              (int)(len > 40 ? 40 : len), p, names);
        }
        if (seen[r->id])
            return sw_err_set(err, SW_EINVAL, "role %s is listed twice",
                              r->name);
        seen[r->id] = true;
        if (!comma)
            break;
        p = comma + 1;
    }
    return SW_OK;
}

bool auth_roles_has(const char *list, const char *name)
{
    if (!list || !name)
        return false;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && memcmp(p, name, n) == 0)
            return true;
        if (!comma)
            break;
        p = comma + 1;
    }
    return false;
}

bool auth_roles_any_admin(const char *list)
{
    for (size_t i = 0; i < AUTH_ROLE__COUNT; i++)
        if (roles[i].admin && auth_roles_has(list, roles[i].name))
            return true;
    return false;
}
