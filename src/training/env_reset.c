/* env_reset.c - preparing and resetting the training environment
 * (env_reset.h): the training store's schema and accounts (env_store.h)
 * plus the synthetic population (generate.h). Run by `stagewise init` and
 * `stagewise training reset`, never by a request. */
#include "env_reset.h"

#include "auth/users.h"
#include "env_store.h"
#include "generate.h"

int training_env_init(sw_store *prod, const char *prod_url, const char *url,
                      int64_t practice_id, uint64_t seed,
                      training_env_report *r, sw_err *err)
{
    *r = (training_env_report){ 0 };
    sw_store *t;
    int rc = training_store_open(prod, prod_url, url, 1, &t, &r->created, err);
    if (rc != SW_OK)
        return rc;
    rc = training_store_mirror_users(prod, t, practice_id, &r->accounts, err);
    if (rc == SW_OK && r->created) {
        rc = training_generate_master(t, practice_id, seed,
                                      TRAINING_MASTER_PATIENTS, err);
        r->populated = rc == SW_OK;
    }
    store_close(t);
    return rc;
}

int training_env_reset(sw_store *prod, sw_store *training, int64_t practice_id,
                       uint64_t seed, training_env_report *r, sw_err *err)
{
    *r = (training_env_report){ 0 };
    int rc = training_store_wipe(training, practice_id, &r->tables, err);
    if (rc == SW_OK)
        rc = training_store_mirror_users(prod, training, practice_id,
                                         &r->accounts, err);
    if (rc == SW_OK)
        rc = training_generate_master(training, practice_id, seed,
                                      TRAINING_MASTER_PATIENTS, err);
    r->populated = rc == SW_OK;
    return rc;
}

struct has_account {
    int64_t     practice_id;
    const char *username;
    bool        exists;
};

static int has_account_fn(store_tx *tx, void *arg)
{
    struct has_account *h = arg;
    return auth_user_exists(tx, h->practice_id, h->username, &h->exists);
}

int training_env_reset_user(sw_store *prod, sw_store *training,
                            int64_t practice_id, const char *username,
                            uint64_t seed, sw_err *err)
{
    struct has_account h = { practice_id, username, false };
    int rc = store_read(prod, has_account_fn, &h, err);
    if (rc != SW_OK)
        return rc;
    if (!h.exists)
        return sw_err_set(err, SW_ENOTFOUND, "practice %lld has no account "
                          "named %s", (long long)practice_id, username);
    rc = training_store_mirror_users(prod, training, practice_id, NULL, err);
    if (rc == SW_OK)
        rc = training_remove_trainee(training, practice_id, username, err);
    if (rc == SW_OK)
        rc = training_generate_trainee(training, practice_id, username, seed,
                                       err);
    return rc;
}
