/* totp.h - time-based one-time codes (RFC 6238) and recovery codes, as
 * pure functions: no database, no clock of their own (callers pass the
 * time from core/clock.h, so tests pin it).
 *
 * Parameters are the ones every authenticator app assumes: HMAC-SHA-1,
 * 30-second steps from the Unix epoch, 6 digits, a 160-bit secret shown to
 * the user in base32 (RFC 4648, no padding) and in an otpauth:// URI for a
 * QR code. A code is accepted for the current step and one step either
 * side (clock skew, ±30 s), and only for a step later than the last one
 * accepted for the user, so no code works twice. Recovery codes are
 * random one-time passwords of the form xxxx-xxxx-xxxx-xxxx (about 80
 * bits) stored only as SHA-256. */
#ifndef SW_AUTH_TOTP_H
#define SW_AUTH_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_TOTP_SECRET_BYTES 20          /* 160 bits (RFC 4226 §4) */
#define AUTH_TOTP_SECRET_TEXT  33          /* base32 of 20 bytes and NUL */
#define AUTH_TOTP_PERIOD_S     30
#define AUTH_TOTP_DIGITS       6
#define AUTH_TOTP_SKEW_STEPS   1
#define AUTH_RECOVERY_CODES    10
#define AUTH_RECOVERY_TEXT     20          /* "xxxx-xxxx-xxxx-xxxx" and NUL */

/* ---- Base32 (RFC 4648, upper case, no padding) --------------------------- */

/* Writes the base32 of n bytes into out (cap bytes); false if it does not
 * fit. */
bool auth_base32_encode(const unsigned char *in, size_t n, char *out,
                        size_t cap);
/* Decodes base32 in either case, ignoring spaces and '=' padding; false on
 * any other character or when more than cap bytes would result. */
bool auth_base32_decode(const char *text, unsigned char *out, size_t cap,
                        size_t *n);

/* ---- Codes --------------------------------------------------------------- */

/* A new random secret (libsodium; auth_crypto_init must have run). */
void     auth_totp_secret_new(unsigned char secret[AUTH_TOTP_SECRET_BYTES]);
/* HOTP (RFC 4226): the code for counter, digits 6 to 8. */
uint32_t auth_hotp(const unsigned char *key, size_t key_len, uint64_t counter,
                   int digits);
/* The time step of a wall-clock time: floor(seconds / 30). */
int64_t  auth_totp_step(int64_t wall_ms);
/* The 6-digit code of a step, zero-padded, into out[7]. */
void     auth_totp_code(const unsigned char *key, size_t key_len, int64_t step,
                        char out[AUTH_TOTP_DIGITS + 1]);
/* Whether text is a one-time code: exactly 6 ASCII digits, optionally with
 * one space after the third ("123 456"); *digits gets the 6 digits. */
bool     auth_totp_code_shape(const char *text,
                              char digits[AUTH_TOTP_DIGITS + 1]);
/* The step within ±AUTH_TOTP_SKEW_STEPS of now whose code is `code` (6
 * digits) and which is later than last_step, or -1. Every candidate is
 * computed and compared in constant time. */
int64_t  auth_totp_match(const unsigned char *key, size_t key_len,
                         const char *code, int64_t now_ms, int64_t last_step);

/* The otpauth:// URI an authenticator app reads (Key Uri Format):
 * otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
 * with issuer and account percent-encoded. false if it does not fit. */
bool auth_totp_uri(const char *issuer, const char *account,
                   const char *secret_b32, char *out, size_t cap);

/* ---- Recovery codes ------------------------------------------------------ */

/* A new recovery code, xxxx-xxxx-xxxx-xxxx. */
void auth_recovery_code_new(char out[AUTH_RECOVERY_TEXT]);
/* SHA-256 (hex) of a recovery code as typed: lower-cased, with spaces and
 * hyphens dropped, so "ABCD EFGH…" finds the same row. false if what is
 * left is not 16 characters of the code alphabet. */
bool auth_recovery_code_hash(const char *typed, char out[65]);

#endif
