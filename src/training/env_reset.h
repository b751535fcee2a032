/* env_reset.h - preparing and resetting the training environment as a
 * whole (docs/training.md "The training environment"): the work behind
 * `stagewise init` (the training store and its master population) and
 * `stagewise training reset [--user U]`.
 *
 * The master population is TRAINING_MASTER_PATIENTS synthetic patients
 * from a seed (training/generate.h), so a reset with the same seed gives
 * the same patients back; a trainee's own exercise patients come from the
 * same seed and their username. */
#ifndef SW_TRAINING_ENV_RESET_H
#define SW_TRAINING_ENV_RESET_H

#include <stdbool.h>
#include <stdint.h>

#include "core/errors.h"
#include "store/store.h"

#define TRAINING_MASTER_PATIENTS 40
#define TRAINING_DEFAULT_SEED    1

typedef struct training_env_report {
    bool created;        /* the training store had no schema before */
    bool populated;      /* the master population was written */
    int  accounts;       /* accounts mirrored */
    int  tables;         /* tables emptied by a reset */
} training_env_report;

/* Opens (creating and migrating when missing) the training store of prod
 * (url NULL: derived from prod_url), mirrors the accounts of practice_id
 * and, when the store is new, writes the master population; closes it. */
int training_env_init(sw_store *prod, const char *prod_url, const char *url,
                      int64_t practice_id, uint64_t seed,
                      training_env_report *r, sw_err *err);

/* The whole environment of practice_id back to its start: everything
 * trainees wrote is deleted (the audit trail stays), the accounts are
 * mirrored again and the master population written afresh. */
int training_env_reset(sw_store *prod, sw_store *training, int64_t practice_id,
                       uint64_t seed, training_env_report *r, sw_err *err);

/* Trainee username's exercise patients only: removed with everything in
 * their records and generated again. SW_ENOTFOUND when production has no
 * such account. */
int training_env_reset_user(sw_store *prod, sw_store *training,
                            int64_t practice_id, const char *username,
                            uint64_t seed, sw_err *err);

#endif
