/* common_passwords.h - the list of common passwords that ships with
 * Stagewise, and the lookup that refuses them.
 *
 * The list (gen/common_passwords.c, made by tools/common-passwords/
 * generate.py from two MIT-licensed npm packages; gen/SOURCES) holds only
 * entries of 12 to 128 characters, since shorter passwords are refused for
 * their length anyway. It is lower-cased (ASCII letters) and sorted by byte
 * value; a lookup lower-cases the candidate the same way and binary
 * searches, so "ChangeMe1234" and "changeme1234" are the same. Read-only
 * data in the binary: nothing to install, safe from any thread. */
#ifndef SW_AUTH_COMMON_PASSWORDS_H
#define SW_AUTH_COMMON_PASSWORDS_H

#include <stdbool.h>
#include <stddef.h>

extern const char *const auth_common_password_list[];
extern const size_t auth_common_password_count;

/* Whether password (UTF-8, NUL-terminated) is on the list, ignoring the
 * case of ASCII letters. */
bool auth_password_is_common(const char *password);

#endif
