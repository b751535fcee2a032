/* fuzz_credentials.c - libFuzzer target for the small parsers of issue-4
 * input that arrives before anyone is trusted: session tokens
 * (auth_token_parse), one-time codes (auth_totp_code_shape), recovery codes
 * as typed (auth_recovery_code_hash), base32 TOTP secrets
 * (auth_base32_decode), X-Forwarded-For from a trusted proxy
 * (http_proxies_client) and audit heads kept outside the server
 * (audit_anchor_parse).
 *
 * The first byte picks the parser, the rest is its input. Besides what
 * ASan and UBSan catch, the target checks their promises: base32 that
 * decodes, re-encoded, decodes to the same bytes; a code shape gives six digits; a recovery-code hash is 64
 * lowercase hex digits; the client taken from X-Forwarded-For is a
 * printable address within its buffer; an accepted anchor has a positive
 * sequence and a 64-digit hash.
 *
 * Run by hand:
 *   build/san/fuzz/fuzz_credentials -dict=fuzz/credentials.dict /tmp/corpus
 *       fuzz/corpus/credentials */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/verify.h"
#include "auth/session.h"
#include "auth/totp.h"
#include "http/http_int.h"

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,       \
                    __LINE__, #cond);                                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

static http_proxies *proxies;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const char *const list[] = { "127.0.0.1", "10.0.0.1", "::1" };
    if (http_proxies_parse(list, 3, &proxies, NULL) != SW_OK)
        abort();
    return 0;
}

static void base32(const char *text)
{
    unsigned char bytes[128];
    size_t n = 0;
    if (!auth_base32_decode(text, bytes, sizeof bytes, &n))
        return;
    char again[256];
    CHECK(auth_base32_encode(bytes, n, again, sizeof again));
    unsigned char back[128];
    size_t m = 0;
    CHECK(auth_base32_decode(again, back, sizeof back, &m));
    CHECK(m == n && memcmp(back, bytes, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    char *text = malloc(size);
    if (text == NULL)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    switch (data[0] % 6) {
    case 0: {
        auth_token t;
        (void)auth_token_parse(text, size - 1, &t);
        break;
    }
    case 1: {
        char digits[AUTH_TOTP_DIGITS + 1];
        if (auth_totp_code_shape(text, digits)) {
            CHECK(strlen(digits) == AUTH_TOTP_DIGITS);
            for (int i = 0; i < AUTH_TOTP_DIGITS; i++)
                CHECK(digits[i] >= '0' && digits[i] <= '9');
        }
        break;
    }
    case 2: {
        char hash[65];
        if (auth_recovery_code_hash(text, hash)) {
            CHECK(strlen(hash) == 64);
            for (int i = 0; i < 64; i++)
                CHECK(isxdigit((unsigned char)hash[i]) && !isupper((unsigned char)hash[i]));
        }
        break;
    }
    case 3:
        base32(text);
        break;
    case 4: {
        char client[64] = "192.0.2.1";
        http_proxies_client(proxies, text, client, sizeof client);
        CHECK(strlen(client) < sizeof client);
        for (const char *p = client; *p; p++)
            CHECK(isxdigit((unsigned char)*p) || *p == '.' || *p == ':');
        break;
    }
    case 5: {
        audit_anchor a;
        if (audit_anchor_parse(text, 1, &a) == SW_OK) {
            CHECK(a.seq > 0);
            CHECK(strlen(a.hash) == AUDIT_HASH_HEX - 1);
        }
        break;
    }
    }
    free(text);
    return 0;
}
