/* sha1.h - SHA-1 and HMAC-SHA-1, for TOTP only.
 *
 * RFC 6238 authenticator apps compute HMAC-SHA-1 by default, and libsodium,
 * our one cryptography library, has no SHA-1. SHA-1's collision weakness
 * does not touch HMAC-SHA-1 as a one-time-code function (RFC 6238 §5.1,
 * RFC 6194), so this small implementation (FIPS 180-4, checked against the
 * RFC 3174 and RFC 2202 vectors in tests/unit/auth/test_totp.c) serves
 * that and nothing else: never use it to hash passwords, tokens or
 * anything that needs collision resistance. No allocation, no state
 * beyond the caller's context; safe from any thread. */
#ifndef SW_AUTH_SHA1_H
#define SW_AUTH_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define AUTH_SHA1_BYTES 20
#define AUTH_SHA1_BLOCK 64

typedef struct auth_sha1 {
    uint32_t h[5];
    uint64_t total;               /* bytes hashed so far */
    unsigned char block[AUTH_SHA1_BLOCK];
    size_t   used;                /* bytes waiting in block */
} auth_sha1;

void auth_sha1_init(auth_sha1 *c);
void auth_sha1_update(auth_sha1 *c, const void *data, size_t n);
void auth_sha1_final(auth_sha1 *c, unsigned char out[AUTH_SHA1_BYTES]);
/* One call. */
void auth_sha1_hash(const void *data, size_t n,
                    unsigned char out[AUTH_SHA1_BYTES]);
/* HMAC-SHA-1 (RFC 2104) of msg under key (any length). */
void auth_hmac_sha1(const void *key, size_t key_len, const void *msg,
                    size_t msg_len, unsigned char out[AUTH_SHA1_BYTES]);

#endif
