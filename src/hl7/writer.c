/* writer.c - composing HL7 v2 messages with the standard delimiters (see
 * writer.h). */
#include "hl7/writer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

void hl7_w_begin(hl7_writer *w, sw_buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->enc = (hl7_encoding){ .field = '|', .component = '^', .repetition = '~',
                             .escape = '\\', .subcomponent = '&',
                             .chars = "^~\\&" };
}

static void put(hl7_writer *w, const char *p, size_t n)
{
    if (w->rc == SW_OK)
        w->rc = sw_buf_append(w->out, p, n);
}

static void putc_(hl7_writer *w, char c)
{
    put(w, &c, 1);
}

/* Text with every delimiter escaped, and line breaks as \.br\. */
static void put_text(hl7_writer *w, const char *s)
{
    if (s == NULL)
        return;
    const hl7_encoding *e = &w->enc;
    for (; *s && w->rc == SW_OK; s++) {
        char code = *s == e->field ? 'F' : *s == e->component ? 'S'
                  : *s == e->repetition ? 'R' : *s == e->escape ? 'E'
                  : *s == e->subcomponent ? 'T' : 0;
        if (code) {
            char esc[3] = { '\\', code, '\\' };
            put(w, esc, 3);
        } else if (*s == '\n') {
            put(w, "\\.br\\", 5);
        } else if (*s == '\r') {
            put(w, "\\X0D\\", 5);
        } else {
            putc_(w, *s);
        }
    }
}

void hl7_w_segment(hl7_writer *w, const char *id)
{
    if (w->segments++ > 0)
        putc_(w, '\r');
    put(w, id, strlen(id));
}

void hl7_w_field(hl7_writer *w, const char *text)
{
    putc_(w, '|');
    put_text(w, text);
}

void hl7_w_fieldf(hl7_writer *w, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    hl7_w_field(w, text);
}

void hl7_w_skip(hl7_writer *w, int nfields)
{
    for (int i = 0; i < nfields; i++)
        putc_(w, '|');
}

void hl7_w_rep(hl7_writer *w, const char *text)
{
    putc_(w, '~');
    put_text(w, text);
}

void hl7_w_comp(hl7_writer *w, const char *text)
{
    putc_(w, '^');
    put_text(w, text);
}

void hl7_w_sub(hl7_writer *w, const char *text)
{
    putc_(w, '&');
    put_text(w, text);
}

void hl7_w_null(hl7_writer *w)
{
    put(w, "|\"\"", 3);
}

void hl7_time(int64_t ms, char out[15])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 15, "%Y%m%d%H%M%S", &tm);
}

void hl7_w_msh(hl7_writer *w, const hl7_msh *h)
{
    char when[15];
    hl7_time(h->now_ms ? h->now_ms : sw_now_wall_ms(), when);
    hl7_w_segment(w, "MSH");
    put(w, "|^~\\&", 5);                       /* MSH-1, MSH-2 */
    hl7_w_field(w, h->sending_app);            /* MSH-3 */
    hl7_w_field(w, h->sending_facility);       /* MSH-4 */
    hl7_w_field(w, h->receiving_app);          /* MSH-5 */
    hl7_w_field(w, h->receiving_facility);     /* MSH-6 */
    hl7_w_field(w, when);                      /* MSH-7 */
    hl7_w_skip(w, 1);                          /* MSH-8 security */
    putc_(w, '|');                             /* MSH-9, as written */
    if (h->type)
        put(w, h->type, strlen(h->type));
    hl7_w_field(w, h->control_id);             /* MSH-10 */
    hl7_w_field(w, h->processing_id);          /* MSH-11 */
    hl7_w_field(w, h->version ? h->version : "2.5.1");   /* MSH-12 */
    if (h->accept_ack || h->app_ack) {
        hl7_w_skip(w, 2);                      /* MSH-13, MSH-14 */
        hl7_w_field(w, h->accept_ack);         /* MSH-15 */
        hl7_w_field(w, h->app_ack);            /* MSH-16 */
    }
}

int hl7_w_end(hl7_writer *w)
{
    if (w->segments > 0)
        putc_(w, '\r');
    return w->rc;
}
