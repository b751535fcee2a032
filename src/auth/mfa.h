/* mfa.h - TOTP multi-factor sign-in as stored rows: enrolment, the check
 * at sign-in, recovery codes, and the practice's "MFA for admin roles"
 * setting (docs/auth.md).
 *
 * A user enrols in two steps: auth_mfa_begin stores a new secret, not yet
 * in force, and returns it (base32 and an otpauth:// URI for a QR code);
 * auth_mfa_confirm turns it on once the user proves their app has it by
 * typing a current code, and returns AUTH_RECOVERY_CODES recovery codes
 * that are shown once and stored only as SHA-256 (app_recovery_code).
 * auth_mfa_disable needs a current code or a recovery code.
 *
 * No code is accepted twice: a TOTP code only for a time step later than
 * app_user.totp_last_step (which the acceptance moves forward), a recovery
 * code only while its used_at is 0. A wrong code given to confirm or
 * disable counts as a failed sign-in (the same lockout), so a stolen
 * session cannot guess its way to turning MFA off.
 *
 * The math (RFC 6238, base32, recovery-code hashing) is in totp.h; this
 * file is the database around it. Callers: login.c at sign-in,
 * src/server/api_mfa.c and api_practice.c. Rare writes; one or two rows
 * each. Secrets are never logged. */
#ifndef SW_AUTH_MFA_H
#define SW_AUTH_MFA_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/session.h"
#include "auth/totp.h"
#include "store/store.h"

/* The issuer authenticator apps show next to the account. */
#define AUTH_MFA_ISSUER  "Stagewise"
#define AUTH_MFA_URI_MAX 512
/* The longest "totp" value looked at: a recovery code with spaces. */
#define AUTH_MFA_CODE_MAX 64

typedef struct auth_mfa_setup {
    char secret[AUTH_TOTP_SECRET_TEXT];   /* base32, for typing in */
    char uri[AUTH_MFA_URI_MAX];           /* otpauth://totp/… for a QR code */
} auth_mfa_setup;

/* Called inside the transaction that turns MFA on or off, with a short
 * detail ("MFA turned on"), so the caller can record the change in the
 * same commit; another code than SW_OK undoes it. May be NULL. */
typedef int (*auth_mfa_recorder)(store_tx *tx, const char *detail, void *ctx);

/* Starts (or restarts) an enrolment for the user: a new secret, stored but
 * not in force. SW_ECONFLICT when MFA is already on (turn it off first). */
int auth_mfa_begin(sw_store *s, int64_t practice_id, int64_t user_id,
                   const char *account, auth_mfa_setup *out, sw_err *err);

/* Turns MFA on when code is a current code of the pending secret, replacing
 * any recovery codes with AUTH_RECOVERY_CODES new ones written into codes.
 * SW_ECONFLICT when no enrolment was started or MFA is already on;
 * SW_EINVAL when the code is wrong (counted as a failed sign-in);
 * SW_EUNAUTH when the account is locked. */
int auth_mfa_confirm(sw_store *s, const auth_policy *p, int64_t practice_id,
                     int64_t user_id, const char *code,
                     char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_TEXT],
                     auth_mfa_recorder record, void *record_ctx, sw_err *err);

/* Turns MFA off when code is a current code or an unused recovery code,
 * and forgets the secret and the recovery codes. SW_ECONFLICT when MFA is
 * off; SW_EINVAL when the code is wrong (counted as a failed sign-in);
 * SW_EUNAUTH when the account is locked. */
int auth_mfa_disable(sw_store *s, const auth_policy *p, int64_t practice_id,
                     int64_t user_id, const char *code,
                     auth_mfa_recorder record, void *record_ctx, sw_err *err);

typedef struct auth_mfa_status {
    bool    enabled;
    bool    pending;          /* an enrolment was started, not confirmed */
    int64_t recovery_left;    /* unused recovery codes */
} auth_mfa_status;

int auth_mfa_get_status(sw_store *s, int64_t practice_id, int64_t user_id,
                        auth_mfa_status *out, sw_err *err);

/* Inside a write transaction, at sign-in: whether code (6 digits, or a
 * recovery code) is good for the user now, consuming it if so: the TOTP
 * step is recorded, the recovery code marked used. *ok false otherwise,
 * with nothing written. */
int auth_mfa_verify_tx(store_tx *tx, int64_t practice_id, int64_t user_id,
                       const char *code, int64_t now_ms, bool *ok);

/* ---- The practice setting ------------------------------------------------ */

/* Whether the practice requires MFA of users holding an admin role
 * (roles.h); false for a practice that does not exist. */
int auth_mfa_admin_required_tx(store_tx *tx, int64_t practice_id, bool *on);
/* Sets it; SW_ENOTFOUND when the practice does not exist. */
int auth_mfa_set_admin_required_tx(store_tx *tx, int64_t practice_id, bool on);

#endif
