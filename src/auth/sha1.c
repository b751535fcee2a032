/* sha1.c - SHA-1 (FIPS 180-4) and HMAC-SHA-1 (RFC 2104) for TOTP; see
 * sha1.h for why it exists and what it must not be used for. A sign-in
 * with a one-time code hashes a few hundred bytes, so clarity wins over
 * speed here. */
#include "sha1.h"

#include <sodium.h>
#include <string.h>

static uint32_t rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void compress(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16
             | (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999u;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1u;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDCu;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6u;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    sodium_memzero(w, sizeof w);
}

void auth_sha1_init(auth_sha1 *c)
{
    static const uint32_t iv[5] = { 0x67452301u, 0xEFCDAB89u, 0x98BADCFEu,
                                    0x10325476u, 0xC3D2E1F0u };
    memcpy(c->h, iv, sizeof iv);
    c->total = 0;
    c->used = 0;
}

void auth_sha1_update(auth_sha1 *c, const void *data, size_t n)
{
    const unsigned char *p = data;
    c->total += n;
    while (n > 0) {
        size_t take = AUTH_SHA1_BLOCK - c->used;
        if (take > n)
            take = n;
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        n -= take;
        if (c->used == AUTH_SHA1_BLOCK) {
            compress(c->h, c->block);
            c->used = 0;
        }
    }
}

void auth_sha1_final(auth_sha1 *c, unsigned char out[AUTH_SHA1_BYTES])
{
    uint64_t bits = c->total * 8;
    unsigned char pad = 0x80;
    auth_sha1_update(c, &pad, 1);
    pad = 0;
    while (c->used != AUTH_SHA1_BLOCK - 8)
        auth_sha1_update(c, &pad, 1);
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(bits >> (56 - 8 * i));
    auth_sha1_update(c, len, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(c->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)c->h[i];
    }
    sodium_memzero(c, sizeof *c);
}

void auth_sha1_hash(const void *data, size_t n,
                    unsigned char out[AUTH_SHA1_BYTES])
{
    auth_sha1 c;
    auth_sha1_init(&c);
    auth_sha1_update(&c, data, n);
    auth_sha1_final(&c, out);
}

void auth_hmac_sha1(const void *key, size_t key_len, const void *msg,
                    size_t msg_len, unsigned char out[AUTH_SHA1_BYTES])
{
    unsigned char k[AUTH_SHA1_BLOCK] = { 0 };
    if (key_len > AUTH_SHA1_BLOCK)
        auth_sha1_hash(key, key_len, k);
    else if (key_len > 0)
        memcpy(k, key, key_len);
    unsigned char pad[AUTH_SHA1_BLOCK], inner[AUTH_SHA1_BYTES];
    auth_sha1 c;
    for (int i = 0; i < AUTH_SHA1_BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    auth_sha1_init(&c);
    auth_sha1_update(&c, pad, sizeof pad);
    auth_sha1_update(&c, msg, msg_len);
    auth_sha1_final(&c, inner);
    for (int i = 0; i < AUTH_SHA1_BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    auth_sha1_init(&c);
    auth_sha1_update(&c, pad, sizeof pad);
    auth_sha1_update(&c, inner, sizeof inner);
    auth_sha1_final(&c, out);
    sodium_memzero(k, sizeof k);
    sodium_memzero(pad, sizeof pad);
    sodium_memzero(inner, sizeof inner);
}
