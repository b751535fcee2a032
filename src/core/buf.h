/* buf.h - a growable byte buffer with a hard ceiling.
 *
 * Used wherever input or output accumulates: request bodies, responses,
 * log lines, SQL text. Every buffer is created with a maximum; appending past
 * it fails with SW_ETOOBIG and leaves the buffer as it was, so a caller can
 * answer 413 without having allocated the oversized input. The contents are
 * always followed by a NUL byte (not counted in len) so text can be handed
 * to C string functions.
 *
 * Ownership: the buffer owns data until sw_buf_free or sw_buf_detach. */
#ifndef SW_BUF_H
#define SW_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct sw_buf {
    char  *data;   /* NULL until the first append */
    size_t len;
    size_t cap;
    size_t max;    /* ceiling for len */
} sw_buf;

#define SW_BUF_INIT(maxbytes) { NULL, 0, 0, (maxbytes) }

void sw_buf_init(sw_buf *b, size_t max);
void sw_buf_free(sw_buf *b);
/* Makes room for n more bytes: SW_OK, SW_ETOOBIG or SW_ENOMEM. */
int  sw_buf_reserve(sw_buf *b, size_t n);
int  sw_buf_append(sw_buf *b, const void *p, size_t n);
int  sw_buf_puts(sw_buf *b, const char *s);
int  sw_buf_putc(sw_buf *b, char c);
int  sw_buf_printf(sw_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int  sw_buf_vprintf(sw_buf *b, const char *fmt, va_list ap);
void sw_buf_reset(sw_buf *b);             /* len = 0, keeps the memory */
/* Hands the bytes to the caller (free with sw_free); an empty buffer gives
 * an allocated empty string. NULL when out of memory. */
char *sw_buf_detach(sw_buf *b, size_t *len);
/* The contents as a C string ("" when nothing was appended). */
const char *sw_buf_str(const sw_buf *b);

#endif
