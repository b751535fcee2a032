/* demo.c - seeding the demo practice (see demo.h). One row per demo account,
 * one or two for each role of the role table holding that role alone, plus
 * the interfaces' service accounts (practice management, laboratory); a
 * later feature adds its demo data here as another seeding step. */
#include "demo.h"

#include <sodium.h>

#include "auth/password.h"
#include "auth/users.h"
#include "core/limits.h"

static const struct demo_user {
    const char *username;
    const char *display_name;
    const char *roles;
    const char *what;
    const char *practitioner;
} demo_users[] = {
    { "dr.rivera",   "Dr. Ana Rivera",     "physician",                "physician", DEMO_PRACTITIONER_RIVERA },
    { "dr.osei",     "Dr. Kwame Osei",     "physician",                "physician", DEMO_PRACTITIONER_OSEI },
    { "np.chen",     "Li Chen, NP",        "advanced_practice",        "nurse practitioner", DEMO_PRACTITIONER_CHEN },
    { "pa.brooks",   "Taylor Brooks, PA-C", "advanced_practice",       "physician assistant", DEMO_PRACTITIONER_BROOKS },
    { "rn.okafor",   "Grace Okafor, RN",   "nurse",                    "nurse", NULL },
    { "ma.jones",    "Sam Jones, MA",      "medical_assistant",        "medical assistant", NULL },
    { "ma.garcia",   "Luis Garcia, MA",    "medical_assistant",        "medical assistant", NULL },
    { "desk.patel",  "Priya Patel",        "front_desk",               "front desk", NULL },
    { "desk.santos", "Rosa Santos",        "front_desk",               "front desk", NULL },
    { "billing.kim", "Jordan Kim",         "biller",                   "biller", NULL },
    { "lead.morgan", "Alex Morgan",        "implementation_lead",      "implementation lead", NULL },
    { "admin.lee",   "Dana Lee",           "practice_admin",           "practice admin", NULL },
};
#define NUSERS (sizeof demo_users / sizeof demo_users[0])

/* The service accounts. They have no password anyone knows and no API
 * token: whoever connects a PMS or a laboratory creates one (`stagewise
 * user token pms.interface`), so the published demo gives no way in
 * through them. The PMS registers patients and books appointments, the
 * front desk's work, and reads charges, the biller's; its scope narrows
 * the two roles to exactly that. The laboratory files results, which only clinical roles
 * may (docs/security.md), so its role is physician and its scope narrows
 * it to results. */
static const struct demo_service {
    const char *username, *display_name, *roles, *scope;
} demo_services[] = {
    { DEMO_PMS_USERNAME, "PMS interface", "front_desk,biller",
      "demographics:write,scheduling:write,billing:read" },
    { DEMO_LAB_USERNAME, "Laboratory interface", "physician",
      "results:write,results:read" },
};

struct seed {
    const char *hash;
    const char *service_hash;
};

static int seed_fn(store_tx *tx, void *ctx)
{
    struct seed *sd = ctx;
    bool created, is_demo = false;
    int rc = auth_practice_ensure(tx, DEMO_PRACTICE_ID, DEMO_PRACTICE_NAME,
                                  true, &created);
    if (rc == SW_OK)
        rc = auth_practice_is_demo(tx, DEMO_PRACTICE_ID, &is_demo);
    if (rc == SW_OK && !is_demo)
        return store_tx_fail(tx, SW_ECONFLICT,
                             "this database already holds a practice that is "
                             "not the demo; --demo only seeds a new database");
    for (size_t i = 0; rc == SW_OK && i < NUSERS; i++) {
        auth_new_user u = {
            .practice_id = DEMO_PRACTICE_ID,
            .username = demo_users[i].username,
            .display_name = demo_users[i].display_name,
            .password_hash = sd->hash,
            .roles = demo_users[i].roles,
            .practitioner_id = demo_users[i].practitioner,
        };
        rc = auth_user_create(tx, &u, &created, NULL);
    }
    for (size_t i = 0; rc == SW_OK && i < sizeof demo_services / sizeof demo_services[0]; i++) {
        const struct demo_service *d = &demo_services[i];
        auth_new_user svc = {
            .practice_id = DEMO_PRACTICE_ID, .username = d->username,
            .display_name = d->display_name, .password_hash = sd->service_hash,
            .roles = d->roles, .kind = AUTH_KIND_SERVICE, .scope = d->scope,
        };
        rc = auth_user_create(tx, &svc, &created, NULL);
    }
    return rc;
}

int demo_seed(sw_store *s, sw_err *err)
{
    /* One hash for the shared demo password: each argon2id hash costs tens
     * of milliseconds, and the accounts are equally public. */
    char hash[AUTH_HASH_MAX];
    int rc = auth_password_hash(DEMO_PASSWORD, hash, err);
    if (rc != SW_OK)
        return rc;
    /* The service account's password is random and forgotten at once. */
    char secret[20], service_hash[AUTH_HASH_MAX];
    auth_password_generate(secret);
    rc = auth_password_hash(secret, service_hash, err);
    sodium_memzero(secret, sizeof secret);
    if (rc != SW_OK)
        return rc;
    struct seed sd = { .hash = hash, .service_hash = service_hash };
    rc = store_write(s, seed_fn, &sd, err);
    return rc == SW_OK ? demo_seed_clinic(s, err) : rc;
}

void demo_print_logins(FILE *out)
{
    fprintf(out, "Demo logins (password for each: %s):\n", DEMO_PASSWORD);
    for (size_t i = 0; i < NUSERS; i++)
        fprintf(out, "  %-12s %s\n", demo_users[i].username, demo_users[i].what);
    fprintf(out, "The service accounts %s and %s have no password; create "
            "an API token with 'stagewise user token %s'.\n",
            DEMO_PMS_USERNAME, DEMO_LAB_USERNAME, DEMO_PMS_USERNAME);
}
