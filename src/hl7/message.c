/* message.c - finding and comparing things in a parsed HL7 v2 message. */
#include <string.h>

#include "hl7/message.h"

const char HL7_NULL_TEXT[] = "\"\"";

const hl7_segment *hl7_segment_find(const hl7_message *m, const char *id,
                                    size_t occurrence)
{
    if (m == NULL || id == NULL || occurrence == 0)
        return NULL;
    for (size_t i = 0; i < m->nseg; i++)
        if (strcmp(m->segs[i].id, id) == 0 && --occurrence == 0)
            return &m->segs[i];
    return NULL;
}

const hl7_text *hl7_leaf(const hl7_message *m, const char *id,
                         size_t occurrence, size_t field, size_t rep,
                         size_t comp, size_t sub)
{
    const hl7_segment *s = hl7_segment_find(m, id, occurrence);
    if (s == NULL || field == 0 || rep == 0 || comp == 0 || sub == 0
        || field > s->nfield)
        return NULL;
    const hl7_field *f = &s->fields[field - 1];
    if (rep > f->nrep)
        return NULL;
    const hl7_rep *r = &f->reps[rep - 1];
    if (comp > r->ncomp)
        return NULL;
    const hl7_component *c = &r->comps[comp - 1];
    if (sub > c->nsub)
        return NULL;
    return &c->subs[sub - 1];
}

const char *hl7_get(const hl7_message *m, const char *id, size_t occurrence,
                    size_t field, size_t rep, size_t comp, size_t sub)
{
    const hl7_text *t = hl7_leaf(m, id, occurrence, field, rep, comp, sub);
    if (t == NULL)
        return NULL;
    if (t->is_null)
        return HL7_NULL_TEXT;
    return t->n == 0 ? NULL : t->s;
}

static bool field_equal(const hl7_field *x, const hl7_field *y)
{
    if (x->nrep != y->nrep)
        return false;
    for (size_t r = 0; r < x->nrep; r++) {
        const hl7_rep *a = &x->reps[r], *b = &y->reps[r];
        if (a->ncomp != b->ncomp)
            return false;
        for (size_t c = 0; c < a->ncomp; c++) {
            const hl7_component *p = &a->comps[c], *q = &b->comps[c];
            if (p->nsub != q->nsub)
                return false;
            for (size_t s = 0; s < p->nsub; s++) {
                const hl7_text *t = &p->subs[s], *u = &q->subs[s];
                if (t->is_null != u->is_null || t->n != u->n
                    || memcmp(t->s, u->s, t->n) != 0)
                    return false;
            }
        }
    }
    return true;
}

bool hl7_message_equal(const hl7_message *x, const hl7_message *y)
{
    if (x == NULL || y == NULL)
        return x == y;
    if (memcmp(&x->enc, &y->enc, sizeof x->enc) != 0 || x->nseg != y->nseg)
        return false;
    for (size_t i = 0; i < x->nseg; i++) {
        const hl7_segment *a = &x->segs[i], *b = &y->segs[i];
        if (strcmp(a->id, b->id) != 0 || a->nfield != b->nfield)
            return false;
        for (size_t f = 0; f < a->nfield; f++)
            if (!field_equal(&a->fields[f], &b->fields[f]))
                return false;
    }
    return true;
}
