/* password.c - argon2id hashing, the length rule and the refusal of common
 * passwords (see password.h). */
#include "password.h"

#include <sodium.h>
#include <string.h>

#include "auth/common_passwords.h"
#include "core/limits.h"
#include "core/utf8.h"

int auth_crypto_init(void)
{
    return sodium_init() < 0 ? SW_EINTERNAL : SW_OK;
}

static size_t count_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

int auth_password_check(const char *password, sw_err *err)
{
    size_t bytes = strlen(password);
    if (!sw_utf8_valid(password, bytes))
        return sw_err_set(err, SW_EINVAL, "the password is not valid UTF-8 text");
    size_t chars = count_chars(password);
    if (chars < SW_MIN_PASSWORD_CHARS || chars > SW_MAX_PASSWORD_CHARS)
        return sw_err_set(err, SW_EINVAL,
                          "a password must be %d to %d characters long (this "
                          "one has %zu)", SW_MIN_PASSWORD_CHARS,
                          SW_MAX_PASSWORD_CHARS, chars);
    if (auth_password_is_common(password))
        return sw_err_set(err, SW_EINVAL,
                          "this password is too common: it is on a list of "
                          "passwords leaked from other sites, which attackers "
                          "try first; choose another");
    return SW_OK;
}

int auth_password_hash(const char *password, char out[AUTH_HASH_MAX],
                       sw_err *err)
{
    int rc = auth_password_check(password, err);
    if (rc != SW_OK)
        return rc;
    if (crypto_pwhash_STRBYTES > AUTH_HASH_MAX)
        return sw_err_set(err, SW_EINTERNAL, "password hash buffer too small");
    if (crypto_pwhash_str_alg(out, password, strlen(password),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return sw_err_set(err, SW_ENOMEM, "not enough memory to hash a password");
    return SW_OK;
}

bool auth_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void auth_password_generate(char out[20])
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
    int k = 0;
    for (int group = 0; group < 4; group++) {
        if (group)
            out[k++] = '-';
        for (int i = 0; i < 4; i++)
            out[k++] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    }
    out[k] = '\0';
}
