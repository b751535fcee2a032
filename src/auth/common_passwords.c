/* common_passwords.c - looking a password up in the shipped list (see
 * common_passwords.h). Called when a password is set (init, user add,
 * reset-password), never on sign-in: about 14 comparisons per call. */
#include "common_passwords.h"

#include <sodium.h>
#include <string.h>

#include "core/limits.h"

bool auth_password_is_common(const char *password)
{
    /* 4 bytes per character at most; anything longer is not listed. */
    char low[4 * SW_MAX_PASSWORD_CHARS + 1];
    size_t n = strlen(password);
    if (n >= sizeof low)
        return false;
    for (size_t i = 0; i <= n; i++) {
        char c = password[i];
        low[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    size_t lo = 0, hi = auth_common_password_count;
    bool found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(low, auth_common_password_list[mid]);
        if (cmp == 0) {
            found = true;
            break;
        }
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    sodium_memzero(low, sizeof low);
    return found;
}
