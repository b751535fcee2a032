/* utf8.h - strict UTF-8 validation (RFC 3629).
 *
 * Everything Stagewise accepts as text - URL parts, header values, JSON
 * strings, HL7 fields after decoding - is checked here once, at the edge, so
 * code further in may treat text as valid UTF-8. Overlong forms, surrogates
 * (U+D800..U+DFFF) and code points above U+10FFFF are invalid. */
#ifndef SW_UTF8_H
#define SW_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when the n bytes at s are valid UTF-8 (NUL bytes are valid UTF-8;
 * callers that cannot carry them check separately). */
bool sw_utf8_valid(const char *s, size_t n);

#endif
