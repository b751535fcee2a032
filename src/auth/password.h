/* password.h - password rules and hashing.
 *
 * Passwords are hashed with argon2id through libsodium at its "interactive"
 * cost (2 passes over 64 MiB), above the OWASP minimum (19 MiB, 2 passes);
 * the hash string carries its own parameters and salt, so costs can rise
 * later without invalidating stored hashes. Length is counted in characters
 * (code points), 12 to 128, with no composition rules but not one of the
 * common passwords that ship with Stagewise (NIST SP 800-63B).
 * Hashing takes tens of milliseconds on purpose: never hold a database
 * transaction open around it. */
#ifndef SW_AUTH_PASSWORD_H
#define SW_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/errors.h"

/* Room for an encoded argon2id hash ("$argon2id$v=19$m=…"). */
#define AUTH_HASH_MAX 128

/* Calls sodium_init once; SW_OK or SW_EINTERNAL. */
int  auth_crypto_init(void);
/* SW_OK when the password's length is within the rules and it is not on
 * the shipped list of common passwords (common_passwords.h), else
 * SW_EINVAL with a sentence. */
int  auth_password_check(const char *password, sw_err *err);
int  auth_password_hash(const char *password, char out[AUTH_HASH_MAX],
                        sw_err *err);
bool auth_password_verify(const char *hash, const char *password);
/* A random password of the form xxxx-xxxx-xxxx-xxxx from an alphabet
 * without look-alike characters (about 80 bits). */
void auth_password_generate(char out[20]);

#endif
