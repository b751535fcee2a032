/* serialize.c - a parsed HL7 v2 message back to text.
 *
 * Written with the message's own delimiters, so a message that arrived with
 * '#' as field separator leaves with it. Text is re-escaped: any delimiter
 * character becomes its escape (\F\ \S\ \R\ \E\ \T\), a line break \.br\,
 * and CR (which would end the segment) \X0D\ (and a line break \X0A\
 * when '.' is a delimiter); the HL7 NULL is written "".
 * Segments end with CR, as the standard says, whatever the input used. */
#include <string.h>

#include "hl7/message.h"

static int put_text(const hl7_encoding *e, const hl7_text *t, sw_buf *out)
{
    if (t->is_null)
        return sw_buf_append(out, "\"\"", 2);
    /* A leaf whose text is exactly "" must not read back as NULL. */
    bool quote2 = t->n == 2 && t->s[0] == '"' && t->s[1] == '"';
    /* With '.' as a delimiter \.br\ would be cut apart: use \X0A\. */
    bool dot_is_delim = strchr(e->chars, '.') != NULL;
    int rc = SW_OK;
    for (size_t i = 0; i < t->n && rc == SW_OK; i++) {
        char ch = t->s[i];
        char code = 0;
        if (ch == e->field) code = 'F';
        else if (ch != 0 && ch == e->component) code = 'S';
        else if (ch != 0 && ch == e->repetition) code = 'R';
        else if (ch != 0 && ch == e->escape) code = 'E';
        else if (ch != 0 && ch == e->subcomponent) code = 'T';
        if (e->escape != 0 && code != 0) {
            char esc[3] = { e->escape, code, e->escape };
            rc = sw_buf_append(out, esc, 3);
        } else if (e->escape != 0 && ch == '\n' && !dot_is_delim) {
            rc = sw_buf_printf(out, "%c.br%c", e->escape, e->escape);
        } else if (e->escape != 0
                   && (ch == '\r' || ch == '\n' || (quote2 && i == 0))) {
            rc = sw_buf_printf(out, "%cX%02X%c", e->escape,
                               (unsigned)(unsigned char)ch, e->escape);
        } else {
            rc = sw_buf_putc(out, ch);
        }
    }
    return rc;
}

static int put_field(const hl7_encoding *e, const hl7_field *f, sw_buf *out)
{
    int rc = SW_OK;
    for (size_t r = 0; r < f->nrep && rc == SW_OK; r++) {
        if (r > 0)
            rc = sw_buf_putc(out, e->repetition);
        const hl7_rep *rep = &f->reps[r];
        for (size_t c = 0; c < rep->ncomp && rc == SW_OK; c++) {
            if (c > 0)
                rc = sw_buf_putc(out, e->component);
            const hl7_component *comp = &rep->comps[c];
            for (size_t s = 0; s < comp->nsub && rc == SW_OK; s++) {
                if (s > 0)
                    rc = sw_buf_putc(out, e->subcomponent);
                if (rc == SW_OK)
                    rc = put_text(e, &comp->subs[s], out);
            }
        }
    }
    return rc;
}

static bool is_header(const hl7_segment *s)
{
    return strcmp(s->id, "MSH") == 0 || strcmp(s->id, "FHS") == 0
           || strcmp(s->id, "BHS") == 0;
}

int hl7_write_field(const hl7_encoding *e, const hl7_segment *seg,
                    size_t field, sw_buf *out)
{
    if (field == 0 || field > seg->nfield)
        return SW_OK;
    if (is_header(seg) && field == 1)
        return sw_buf_putc(out, e->field);
    if (is_header(seg) && field == 2)
        return sw_buf_puts(out, e->chars);
    return put_field(e, &seg->fields[field - 1], out);
}

static int put_segment(const hl7_encoding *e, const hl7_segment *s,
                       sw_buf *out)
{
    int rc = sw_buf_append(out, s->id, 3);
    size_t first = 0;
    if (rc == SW_OK && is_header(s)) {
        rc = sw_buf_putc(out, e->field);
        if (rc == SW_OK)
            rc = sw_buf_puts(out, e->chars);
        first = 2;
    }
    for (size_t f = first; f < s->nfield && rc == SW_OK; f++) {
        rc = sw_buf_putc(out, e->field);
        if (rc == SW_OK)
            rc = put_field(e, &s->fields[f], out);
    }
    return rc == SW_OK ? sw_buf_putc(out, '\r') : rc;
}

int hl7_serialize(const hl7_message *m, sw_buf *out)
{
    int rc = SW_OK;
    for (size_t i = 0; i < m->nseg && rc == SW_OK; i++)
        rc = put_segment(&m->enc, &m->segs[i], out);
    return rc;
}

int hl7_serialize_batch(const hl7_batch *b, sw_buf *out)
{
    int rc = SW_OK;
    if (b->fhs != NULL)
        rc = put_segment(&b->enc, b->fhs, out);
    if (rc == SW_OK && b->bhs != NULL)
        rc = put_segment(&b->enc, b->bhs, out);
    for (size_t i = 0; i < b->nmsg && rc == SW_OK; i++)
        rc = hl7_serialize(b->msgs[i], out);
    if (rc == SW_OK && b->bts != NULL)
        rc = put_segment(&b->enc, b->bts, out);
    if (rc == SW_OK && b->fts != NULL)
        rc = put_segment(&b->enc, b->fts, out);
    return rc;
}

int hl7_serialize_file(const hl7_file *f, sw_buf *out)
{
    int rc = SW_OK;
    if (f->fhs != NULL)
        rc = put_segment(&f->enc, f->fhs, out);
    for (size_t i = 0; i < f->nbatch && rc == SW_OK; i++)
        rc = hl7_serialize_batch(f->batches[i], out);
    if (rc == SW_OK && f->fts != NULL)
        rc = put_segment(&f->enc, f->fts, out);
    return rc;
}
