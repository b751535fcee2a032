/* buf.c - the bounded growable buffer of buf.h. */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "errors.h"

void sw_buf_init(sw_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void sw_buf_free(sw_buf *b)
{
    sw_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

int sw_buf_reserve(sw_buf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n || b->len + n == SIZE_MAX)
        return SW_ETOOBIG;
    size_t need = b->len + n + 1;          /* room for the trailing NUL */
    if (need <= b->cap)
        return SW_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1 > need ? b->max + 1 : need;
    char *p = sw_realloc(b->data, cap);
    if (p == NULL)
        return SW_ENOMEM;
    b->data = p;
    b->cap = cap;
    return SW_OK;
}

int sw_buf_append(sw_buf *b, const void *p, size_t n)
{
    int rc = sw_buf_reserve(b, n);
    if (rc != SW_OK)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return SW_OK;
}

int sw_buf_puts(sw_buf *b, const char *s)
{
    return sw_buf_append(b, s, strlen(s));
}

int sw_buf_putc(sw_buf *b, char c)
{
    return sw_buf_append(b, &c, 1);
}

int sw_buf_vprintf(sw_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return SW_EINVAL;
    int rc = sw_buf_reserve(b, (size_t)n);
    if (rc != SW_OK)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return SW_OK;
}

int sw_buf_printf(sw_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = sw_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void sw_buf_reset(sw_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *sw_buf_detach(sw_buf *b, size_t *len)
{
    char *p = b->data;
    if (p == NULL) {
        p = sw_malloc(1);
        if (p == NULL)
            return NULL;
        p[0] = '\0';
    }
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

const char *sw_buf_str(const sw_buf *b)
{
    return b->data ? b->data : "";
}
