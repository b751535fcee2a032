/* totp.c - one-time codes and recovery codes (see totp.h). Called on
 * sign-in of an enrolled user and on enrolment; a few HMACs per call. */
#include "totp.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/sha1.h"

/* ---- Base32 -------------------------------------------------------------- */

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

bool auth_base32_encode(const unsigned char *in, size_t n, char *out,
                        size_t cap)
{
    size_t need = (n * 8 + 4) / 5;
    if (need + 1 > cap)
        return false;
    size_t k = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[k++] = b32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[k++] = b32[(acc << (5 - bits)) & 31];
    out[k] = '\0';
    return true;
}

bool auth_base32_decode(const char *text, unsigned char *out, size_t cap,
                        size_t *n)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t k = 0;
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '=')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        const char *at = c ? strchr(b32, c) : NULL;
        if (at == NULL)
            return false;
        acc = (acc << 5) | (uint32_t)(at - b32);
        bits += 5;
        if (bits >= 8) {
            if (k >= cap)
                return false;
            out[k++] = (unsigned char)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    *n = k;
    return true;
}

/* ---- Codes --------------------------------------------------------------- */

void auth_totp_secret_new(unsigned char secret[AUTH_TOTP_SECRET_BYTES])
{
    randombytes_buf(secret, AUTH_TOTP_SECRET_BYTES);
}

uint32_t auth_hotp(const unsigned char *key, size_t key_len, uint64_t counter,
                   int digits)
{
    unsigned char msg[8], mac[AUTH_SHA1_BYTES];
    for (int i = 0; i < 8; i++)
        msg[i] = (unsigned char)(counter >> (56 - 8 * i));
    auth_hmac_sha1(key, key_len, msg, sizeof msg, mac);
    int off = mac[AUTH_SHA1_BYTES - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24)
                 | ((uint32_t)mac[off + 1] << 16)
                 | ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    uint32_t mod = 1;
    for (int i = 0; i < digits; i++)
        mod *= 10;
    sodium_memzero(mac, sizeof mac);
    return bin % mod;
}

int64_t auth_totp_step(int64_t wall_ms)
{
    int64_t s = wall_ms / 1000;
    if (wall_ms < 0 && wall_ms % 1000)
        s--;
    int64_t step = s / AUTH_TOTP_PERIOD_S;
    if (s < 0 && s % AUTH_TOTP_PERIOD_S)
        step--;
    return step;
}

void auth_totp_code(const unsigned char *key, size_t key_len, int64_t step,
                    char out[AUTH_TOTP_DIGITS + 1])
{
    snprintf(out, AUTH_TOTP_DIGITS + 1, "%06u",
             (unsigned)auth_hotp(key, key_len, (uint64_t)step, AUTH_TOTP_DIGITS));
}

bool auth_totp_code_shape(const char *text, char digits[AUTH_TOTP_DIGITS + 1])
{
    size_t n = strlen(text), k = 0;
    if (n != AUTH_TOTP_DIGITS && n != AUTH_TOTP_DIGITS + 1)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (n == AUTH_TOTP_DIGITS + 1 && i == 3) {
            if (text[i] != ' ')
                return false;
            continue;
        }
        if (text[i] < '0' || text[i] > '9')
            return false;
        digits[k++] = text[i];
    }
    digits[k] = '\0';
    return true;
}

int64_t auth_totp_match(const unsigned char *key, size_t key_len,
                        const char *code, int64_t now_ms, int64_t last_step)
{
    if (strlen(code) != AUTH_TOTP_DIGITS)
        return -1;
    int64_t now = auth_totp_step(now_ms), found = -1;
    for (int64_t s = now - AUTH_TOTP_SKEW_STEPS; s <= now + AUTH_TOTP_SKEW_STEPS;
         s++) {
        char want[AUTH_TOTP_DIGITS + 1];
        auth_totp_code(key, key_len, s, want);
        bool same = sodium_memcmp(want, code, AUTH_TOTP_DIGITS) == 0;
        if (same && s > last_step && found < 0)
            found = s;
        sodium_memzero(want, sizeof want);
    }
    return found;
}

static size_t pct_encode(const char *in, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                  || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'
                  || *p == '_' || *p == '~';
        if (k + (plain ? 1 : 3) >= cap)
            return (size_t)-1;
        if (plain) {
            out[k++] = (char)*p;
        } else {
            out[k++] = '%';
            out[k++] = hex[*p >> 4];
            out[k++] = hex[*p & 15];
        }
    }
    out[k] = '\0';
    return k;
}

bool auth_totp_uri(const char *issuer, const char *account,
                   const char *secret_b32, char *out, size_t cap)
{
    char is[256], ac[256];
    if (pct_encode(issuer, is, sizeof is) == (size_t)-1
        || pct_encode(account, ac, sizeof ac) == (size_t)-1)
        return false;
    int n = snprintf(out, cap, "otpauth://totp/%s:%s?secret=%s&issuer=%s"
                     "&algorithm=SHA1&digits=%d&period=%d", is, ac, secret_b32,
                     is, AUTH_TOTP_DIGITS, AUTH_TOTP_PERIOD_S);
    return n > 0 && (size_t)n < cap;
}

/* ---- Recovery codes ------------------------------------------------------ */

void auth_recovery_code_new(char out[AUTH_RECOVERY_TEXT])
{
    auth_password_generate(out);
}

bool auth_recovery_code_hash(const char *typed, char out[65])
{
    /* The alphabet of auth_password_generate. */
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
    char norm[17];
    size_t k = 0;
    for (const char *p = typed; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (k >= 16 || strchr(alphabet, c) == NULL || c == '\0')
            return false;
        norm[k++] = c;
    }
    if (k != 16)
        return false;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)norm, k);
    sodium_bin2hex(out, 65, h, sizeof h);
    sodium_memzero(norm, sizeof norm);
    return true;
}
