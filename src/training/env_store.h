/* env_store.h - the training environment's own store (docs/training.md
 * "The training environment"): where it is, creating and migrating it,
 * keeping its copy of the practice's accounts, and wiping it for a reset.
 *
 * The training store is a second database of the same schema, never mixed
 * with production: for sqlite:PATH it is the file PATH-training; for a
 * PostgreSQL URL it is the schema "training" of the same database (the
 * connection's search_path names it), so one database server and one
 * set of credentials serve both. --training-db URL names another.
 *
 * Accounts are production's: sessions, passwords, lockout and MFA live
 * only there. The training store holds a mirror of the practice row and
 * of each account (no password hash, no TOTP secret, no Practitioner
 * link) because its handlers look accounts up by id and name in the store
 * they serve; training_store_mirror_users refreshes it. */
#ifndef SW_TRAINING_ENV_STORE_H
#define SW_TRAINING_ENV_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"
#include "store/store.h"

/* The schema the training store lives in, for a PostgreSQL --db. */
#define TRAINING_PG_SCHEMA "training"

/* The training store's URL derived from the production URL db_url into
 * out: sqlite:PATH -> sqlite:PATH-training; postgresql://… -> the same
 * URL with options=-csearch_path=training. SW_EUSAGE with a sentence when
 * it cannot be derived (a PostgreSQL URL that sets options itself). */
int training_store_url(const char *db_url, char *out, size_t cap, sw_err *err);

/* Opens the training store at url (NULL: derived from prod's URL
 * prod_url), creating it when missing (the SQLite file; the PostgreSQL
 * schema, through prod) and applying every migration; *created says
 * whether it had no schema before. connections as store_options. */
int training_store_open(sw_store *prod, const char *prod_url, const char *url,
                        int connections, sw_store **out, bool *created,
                        sw_err *err);

/* Copies practice practice_id's row and its accounts from prod into
 * training (0: every practice), updating those already there; never a
 * password hash, TOTP secret or Practitioner link. *count (may be NULL)
 * gets the accounts copied. */
int training_store_mirror_users(sw_store *prod, sw_store *training,
                                int64_t practice_id, int *count, sw_err *err);

/* Whether account user_id of practice_id is in the training store. */
int training_store_has_user(sw_store *training, int64_t practice_id,
                            int64_t user_id, bool *has, sw_err *err);

/* Deletes everything of practice_id from the training store in one
 * transaction: every table with a practice_id column except the practice,
 * its accounts (refreshed by the mirror instead) and the audit trail,
 * which is append-only even here: what trainees did stays on record.
 * *tables (may be NULL) gets how many tables were emptied. */
int training_store_wipe(sw_store *training, int64_t practice_id, int *tables,
                        sw_err *err);

#endif
