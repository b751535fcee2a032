/* parse.c - HL7 v2 text into the message model of message.h.
 *
 * The input is cut into segment lines first (CR, LF or CRLF, in any mix,
 * since senders differ and files pass through tools that change line
 * ends), then each line is split by the delimiters its message declared in
 * MSH-1/MSH-2. Counts are taken before arrays are allocated, so every limit
 * is checked before memory is spent on it. */
#include <string.h>

#include "hl7/message.h"

typedef struct ctx {
    sw_arena *a;
    sw_err   *err;
    size_t    segno;   /* 1-based line number of the segment, for errors */
    const char *segid;
    /* The segment's text buffer: decoding never lengthens a leaf, so one
     * allocation of twice the segment's length (each leaf's text plus its
     * NUL) holds every leaf, instead of one allocation per leaf. */
    char     *text;
    size_t    text_left;
} ctx;

static int oom(ctx *c)
{
    return sw_err_set(c->err, SW_ENOMEM, NULL);
}

/* Where the piece starting at p ends: at the next delimiter d before end,
 * or at end (no delimiter: d is 0 when the message has none). */
static const char *piece_end(const char *p, const char *end, char d)
{
    const char *e = d ? memchr(p, d, (size_t)(end - p)) : NULL;
    return e ? e : end;
}

static size_t count_pieces(const char *p, size_t n, char d)
{
    size_t k = 1;
    if (d == 0)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (p[i] == d)
            k++;
    return k;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Decodes one leaf's escapes into the arena. An escape that is not one of
 * ours (or a \X\ with odd or non-hex digits) is kept as written, so text
 * from a sender with local escapes is not lost. */
static int decode_leaf(ctx *c, const hl7_encoding *e, const char *p, size_t n,
                       hl7_text *out)
{
    if (n == 2 && p[0] == '"' && p[1] == '"') {
        out->s = "";
        out->n = 0;
        out->is_null = true;
        return SW_OK;
    }
    out->is_null = false;
    if (n == 0) {           /* the commonest leaf: no copy needed */
        out->s = "";
        out->n = 0;
        return SW_OK;
    }
    char *d;
    if (c->text != NULL && c->text_left >= n + 1) {
        d = c->text;
    } else if ((d = sw_arena_alloc(c->a, n + 1)) == NULL) {
        return oom(c);
    }
    /* Most leaves hold no escape at all: one copy. */
    const char *esc = e->escape ? memchr(p, e->escape, n) : NULL;
    size_t k = esc ? (size_t)(esc - p) : n;
    memcpy(d, p, k);
    for (size_t i = k; i < n; i++) {
        if (e->escape == 0 || p[i] != e->escape) {
            d[k++] = p[i];
            continue;
        }
        const char *end = memchr(p + i + 1, e->escape, n - i - 1);
        if (end == NULL) {
            d[k++] = p[i];
            continue;
        }
        const char *body = p + i + 1;
        size_t bn = (size_t)(end - body);
        char one = 0;
        if (bn == 1) {
            switch (body[0]) {
            case 'F': one = e->field; break;
            case 'S': one = e->component; break;
            case 'T': one = e->subcomponent; break;
            case 'R': one = e->repetition; break;
            case 'E': one = e->escape; break;
            default: break;
            }
        }
        if (one != 0) {
            d[k++] = one;
            i += 2;
            continue;
        }
        if (bn == 3 && memcmp(body, ".br", 3) == 0) {
            d[k++] = '\n';
            i += 4;
            continue;
        }
        if (bn >= 3 && body[0] == 'X' && (bn - 1) % 2 == 0) {
            bool ok = true;
            for (size_t j = 1; j < bn; j++)
                if (hexval(body[j]) < 0)
                    ok = false;
            if (ok) {
                for (size_t j = 1; j < bn; j += 2)
                    d[k++] = (char)(hexval(body[j]) * 16 + hexval(body[j + 1]));
                i += bn + 1;
                continue;
            }
        }
        /* unknown: keep the whole sequence literally */
        memcpy(d + k, p + i, bn + 2);
        k += bn + 2;
        i += bn + 1;
    }
    d[k] = '\0';
    if (d == c->text) {
        c->text += k + 1;
        c->text_left -= k + 1;
    }
    out->s = d;
    out->n = k;
    return SW_OK;
}

static int too_many(ctx *c, size_t field, const char *what, int max)
{
    return sw_err_set(c->err, SW_EINVAL,
                      "%s-%zu: more than %d %s (segment %zu)", c->segid, field,
                      max, what, c->segno);
}

static int parse_field(ctx *c, const hl7_encoding *e, size_t fno,
                       const char *p, size_t n, hl7_field *f)
{
    size_t nrep = count_pieces(p, n, e->repetition);
    if (nrep > SW_HL7_MAX_REPETITIONS)
        return too_many(c, fno, "repetitions", SW_HL7_MAX_REPETITIONS);
    f->nrep = nrep;
    f->reps = sw_arena_calloc(c->a, nrep, sizeof *f->reps);
    if (f->reps == NULL)
        return oom(c);
    const char *rp = p, *end = p + n;
    for (size_t r = 0; r < nrep; r++) {
        const char *re = piece_end(rp, end, e->repetition);
        size_t ncomp = count_pieces(rp, (size_t)(re - rp), e->component);
        if (ncomp > SW_HL7_MAX_COMPONENTS)
            return too_many(c, fno, "components", SW_HL7_MAX_COMPONENTS);
        hl7_rep *rep = &f->reps[r];
        rep->ncomp = ncomp;
        rep->comps = sw_arena_calloc(c->a, ncomp, sizeof *rep->comps);
        if (rep->comps == NULL)
            return oom(c);
        const char *cp = rp;
        for (size_t k = 0; k < ncomp; k++) {
            const char *ce = piece_end(cp, re, e->component);
            size_t nsub = count_pieces(cp, (size_t)(ce - cp), e->subcomponent);
            if (nsub > SW_HL7_MAX_SUBCOMPONENTS)
                return too_many(c, fno, "sub-components", SW_HL7_MAX_SUBCOMPONENTS);
            hl7_component *comp = &rep->comps[k];
            comp->nsub = nsub;
            comp->subs = sw_arena_calloc(c->a, nsub, sizeof *comp->subs);
            if (comp->subs == NULL)
                return oom(c);
            const char *sp = cp;
            for (size_t s = 0; s < nsub; s++) {
                const char *se = piece_end(sp, ce, e->subcomponent);
                int rc = decode_leaf(c, e, sp, (size_t)(se - sp), &comp->subs[s]);
                if (rc != SW_OK)
                    return rc;
                sp = se + 1;
            }
            cp = ce + 1;
        }
        rp = re + 1;
    }
    return SW_OK;
}

static bool is_header(const char *p)
{
    return memcmp(p, "MSH", 3) == 0 || memcmp(p, "FHS", 3) == 0
           || memcmp(p, "BHS", 3) == 0;
}

static bool is_delim_ok(char ch)
{
    unsigned char u = (unsigned char)ch;
    return u > 0x20 && u < 0x7F
           && !((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')
                || (ch >= '0' && ch <= '9'));
}

/* Reads MSH-1 and MSH-2 (or FHS/BHS) from a header line. */
static int read_encoding(ctx *c, const char *p, size_t n, hl7_encoding *e)
{
    memset(e, 0, sizeof *e);
    if (n < 5)
        return sw_err_set(c->err, SW_EINVAL,
                          "segment %zu: %s is too short to hold the field "
                          "separator and encoding characters", c->segno, c->segid);
    e->field = p[3];
    if (!is_delim_ok(e->field))
        return sw_err_set(c->err, SW_EINVAL,
                          "%s-1: the field separator must be a printable "
                          "ASCII punctuation character", c->segid);
    size_t i = 4, k = 0;
    while (i < n && p[i] != e->field) {
        if (k == 5)
            return sw_err_set(c->err, SW_EINVAL,
                              "%s-2: more than 5 encoding characters", c->segid);
        e->chars[k++] = p[i++];
    }
    if (k == 0)
        return sw_err_set(c->err, SW_EINVAL,
                          "%s-2: the encoding characters are missing", c->segid);
    for (size_t x = 0; x < k; x++) {
        if (!is_delim_ok(e->chars[x]) || e->chars[x] == e->field)
            return sw_err_set(c->err, SW_EINVAL,
                              "%s-2: encoding character %zu is not a printable "
                              "punctuation character distinct from the field "
                              "separator", c->segid, x + 1);
        for (size_t y = 0; y < x; y++)
            if (e->chars[x] == e->chars[y])
                return sw_err_set(c->err, SW_EINVAL,
                                  "%s-2: encoding characters %zu and %zu are "
                                  "the same", c->segid, y + 1, x + 1);
    }
    e->component = e->chars[0];
    e->repetition = e->chars[1];
    e->escape = e->chars[2];
    e->subcomponent = e->chars[3];
    e->trunc = e->chars[4];
    return SW_OK;
}

static int parse_segment(ctx *c, const hl7_encoding *e, const char *p,
                         size_t n, hl7_segment *seg)
{
    for (int i = 0; i < 3; i++) {
        char ch = i < (int)n ? p[i] : 0;
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
            return sw_err_set(c->err, SW_EINVAL,
                              "segment %zu: the segment id must be three "
                              "upper-case letters or digits", c->segno);
    }
    memcpy(seg->id, p, 3);
    seg->id[3] = '\0';
    c->segid = seg->id;
    if (n > 3 && p[3] != e->field)
        return sw_err_set(c->err, SW_EINVAL,
                          "segment %zu: %s is not followed by the field "
                          "separator", c->segno, seg->id);
    bool hdr = is_header(p);
    const char *rest = n > 3 ? p + 4 : p + n;
    size_t rn = n > 3 ? n - 4 : 0;
    size_t skip = 0;   /* for a header, MSH-2 is taken raw */
    if (hdr) {
        skip = strlen(e->chars);
        if (n < 4 + skip || memcmp(p + 4, e->chars, skip) != 0
            || (n > 4 + skip && p[4 + skip] != e->field))
            return sw_err_set(c->err, SW_EINVAL,
                              "%s-2: the encoding characters differ from "
                              "those of the message (segment %zu)", seg->id,
                              c->segno);
        rest += skip;
        rn -= skip;
    }
    size_t nf = n > 3 ? count_pieces(rest, rn, e->field) : 0;
    if (hdr) {
        /* rest starts at the separator after MSH-2, or is empty */
        nf = rn == 0 ? 2 : 1 + count_pieces(rest, rn, e->field);
    }
    if (nf > SW_HL7_MAX_FIELDS)
        return sw_err_set(c->err, SW_EINVAL,
                          "segment %zu: %s has more than %d fields", c->segno,
                          seg->id, SW_HL7_MAX_FIELDS);
    seg->nfield = nf;
    seg->fields = sw_arena_calloc(c->a, nf ? nf : 1, sizeof *seg->fields);
    if (seg->fields == NULL)
        return oom(c);
    size_t first = 0;
    if (hdr) {
        /* Fields 1 and 2 hold the delimiters themselves, as single leaves. */
        const char *texts[2] = { sw_arena_strndup(c->a, &e->field, 1),
                                 sw_arena_strdup(c->a, e->chars) };
        for (int i = 0; i < 2; i++) {
            hl7_field *f = &seg->fields[i];
            f->nrep = 1;
            f->reps = sw_arena_calloc(c->a, 1, sizeof *f->reps);
            if (texts[i] == NULL || f->reps == NULL)
                return oom(c);
            f->reps->ncomp = 1;
            f->reps->comps = sw_arena_calloc(c->a, 1, sizeof *f->reps->comps);
            if (f->reps->comps == NULL)
                return oom(c);
            f->reps->comps->nsub = 1;
            hl7_text *t = sw_arena_calloc(c->a, 1, sizeof *t);
            if (t == NULL)
                return oom(c);
            t->s = texts[i];
            t->n = strlen(texts[i]);
            f->reps->comps->subs = t;
        }
        first = 2;
        if (rn == 0)
            return SW_OK;
        rest++;     /* past the separator that ends MSH-2 */
        rn--;
    }
    c->text_left = 2 * rn + 2;
    c->text = sw_arena_alloc(c->a, c->text_left);
    if (c->text == NULL)
        return oom(c);
    const char *fp = rest, *end = rest + rn;
    for (size_t i = first; i < nf; i++) {
        const char *fe = piece_end(fp, end, e->field);
        int rc = parse_field(c, e, i + 1, fp, (size_t)(fe - fp), &seg->fields[i]);
        if (rc != SW_OK)
            return rc;
        fp = fe + 1;
    }
    return SW_OK;
}

/* One non-blank line of input: its bytes and its 1-based number among
 * the segments (blank lines are not counted). */
typedef struct line {
    const char *p;
    size_t      n;
    size_t      no;
} line;

static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return false;
    return true;
}

/* Cuts the input into non-blank lines. */
static int split_lines(ctx *c, const char *data, size_t len, line **out,
                       size_t *count)
{
    if (len > SW_HL7_MAX_MESSAGE_BYTES)
        return sw_err_set(c->err, SW_EINVAL,
                          "the message is %zu bytes, more than the %d allowed",
                          len, SW_HL7_MAX_MESSAGE_BYTES);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    size_t n = 0;
    line *ls = NULL;
    for (int pass = 0; pass < 2; pass++) {
        n = 0;
        size_t i = 0;
        while (i < len) {
            size_t s = i;
            while (i < len && data[i] != '\r' && data[i] != '\n')
                i++;
            if (!blank(data + s, i - s)) {
                if (n == SW_HL7_MAX_SEGMENTS)
                    return sw_err_set(c->err, SW_EINVAL,
                                      "segment %zu: more than %d segments",
                                      n + 1, SW_HL7_MAX_SEGMENTS);
                if (pass == 1)
                    ls[n] = (line){ data + s, i - s, n + 1 };
                n++;
            }
            if (i < len && data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
                i++;
            i++;
        }
        if (pass == 0) {
            ls = sw_arena_calloc(c->a, n ? n : 1, sizeof *ls);
            if (ls == NULL)
                return oom(c);
        }
    }
    *out = ls;
    *count = n;
    return SW_OK;
}

/* Parses lines[from, to) as one message starting with MSH. */
static int parse_message(ctx *c, const line *ls, size_t from, size_t to,
                         hl7_message **out)
{
    hl7_message *m = sw_arena_calloc(c->a, 1, sizeof *m);
    if (m == NULL)
        return oom(c);
    c->segno = ls[from].no;
    c->segid = "MSH";
    if (ls[from].n < 3 || memcmp(ls[from].p, "MSH", 3) != 0)
        return sw_err_set(c->err, SW_EINVAL,
                          "segment %zu: a message must start with MSH",
                          ls[from].no);
    int rc = read_encoding(c, ls[from].p, ls[from].n, &m->enc);
    if (rc != SW_OK)
        return rc;
    m->nseg = to - from;
    m->segs = sw_arena_calloc(c->a, m->nseg, sizeof *m->segs);
    if (m->segs == NULL)
        return oom(c);
    for (size_t i = from; i < to; i++) {
        c->segno = ls[i].no;
        c->segid = "segment";
        rc = parse_segment(c, &m->enc, ls[i].p, ls[i].n, &m->segs[i - from]);
        if (rc != SW_OK)
            return rc;
    }
    *out = m;
    return SW_OK;
}

int hl7_parse(sw_arena *a, const char *data, size_t len, hl7_message **out,
              sw_err *err)
{
    ctx c = { .a = a, .err = err, .segid = "MSH" };
    line *ls;
    size_t n;
    *out = NULL;
    int rc = split_lines(&c, data, len, &ls, &n);
    if (rc != SW_OK)
        return rc;
    if (n == 0)
        return sw_err_set(err, SW_EINVAL, "segment 1: the message is empty; "
                          "it must start with MSH");
    for (size_t i = 1; i < n; i++)
        if (ls[i].n >= 3 && memcmp(ls[i].p, "MSH", 3) == 0)
            return sw_err_set(err, SW_EINVAL,
                              "segment %zu: a second MSH; parse a batch of "
                              "messages as a batch", ls[i].no);
    return parse_message(&c, ls, 0, n, out);
}

static bool seg_is(const line *l, const char *id)
{
    return l->n >= 3 && memcmp(l->p, id, 3) == 0;
}

/* A trailer's count field (BTS-1, FTS-1) as a number, or -1 when empty. */
static long count_field(const hl7_segment *s)
{
    if (s->nfield < 1 || s->fields[0].nrep < 1)
        return -1;
    const hl7_text *t = &s->fields[0].reps[0].comps[0].subs[0];
    if (t->n == 0 || t->n > 9)
        return t->n == 0 ? -1 : -2;
    long v = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->s[i] < '0' || t->s[i] > '9')
            return -2;
        v = v * 10 + (t->s[i] - '0');
    }
    return v;
}

static int batch_segment(ctx *c, const hl7_encoding *e, const line *l,
                         hl7_segment **out)
{
    hl7_segment *s = sw_arena_calloc(c->a, 1, sizeof *s);
    if (s == NULL)
        return oom(c);
    c->segno = l->no;
    int rc = parse_segment(c, e, l->p, l->n, s);
    if (rc == SW_OK)
        *out = s;
    return rc;
}

/* The messages of ls[i..stop) (each from its MSH to the next) into b. */
static int parse_run(ctx *c, line *ls, size_t i, size_t stop, hl7_batch *b)
{
    sw_err *err = c->err;
    int rc;
    size_t nmsg = 0;
    for (size_t k = i; k < stop; k++)
        if (seg_is(&ls[k], "MSH"))
            nmsg++;
    if (nmsg > SW_HL7_MAX_MESSAGES)
        return sw_err_set(err, SW_EINVAL, "the batch holds more than %d "
                          "messages", SW_HL7_MAX_MESSAGES);
    if (i < stop && !seg_is(&ls[i], "MSH"))
        return sw_err_set(err, SW_EINVAL, "segment %zu: expected MSH to start "
                          "the batch's first message", ls[i].no);
    b->msgs = sw_arena_calloc(c->a, nmsg ? nmsg : 1, sizeof *b->msgs);
    if (b->msgs == NULL)
        return oom(c);
    while (i < stop) {
        size_t j = i + 1;
        while (j < stop && !seg_is(&ls[j], "MSH"))
            j++;
        for (size_t k = i; k < j; k++)
            if (seg_is(&ls[k], "FHS") || seg_is(&ls[k], "BHS")
                || seg_is(&ls[k], "BTS") || seg_is(&ls[k], "FTS"))
                return sw_err_set(err, SW_EINVAL, "segment %zu: a %.3s inside "
                                  "a batch's messages; a file of several "
                                  "batches is read as a file", ls[k].no, ls[k].p);
        rc = parse_message(c, ls, i, j, &b->msgs[b->nmsg]);
        if (rc != SW_OK)
            return rc;
        b->nmsg++;
        i = j;
    }
    return SW_OK;
}

/* Checks a trailer's count against what was found. */
static int check_count(ctx *c, const hl7_segment *trailer, const char *what,
                       size_t found, const char *unit)
{
    long k = count_field(trailer);
    if (k == -2 || (k >= 0 && (size_t)k != found))
        return sw_err_set(c->err, SW_EINVAL, "%s-1: the count says %s but "
                          "there %s %zu %s%s", what,
                          trailer->fields[0].reps[0].comps[0].subs[0].s,
                          found == 1 ? "is" : "are", found, unit,
                          found == 1 ? "" : "s");
    return SW_OK;
}

/* A file of batches; what ("file" or "batch") names the input in errors,
 * as the caller asked for one or the other. */
static int parse_file(sw_arena *a, const char *data, size_t len,
                      const char *what, hl7_file **out, sw_err *err)
{
    ctx c = { .a = a, .err = err, .segid = "FHS" };
    line *ls;
    size_t n;
    *out = NULL;
    int rc = split_lines(&c, data, len, &ls, &n);
    if (rc != SW_OK)
        return rc;
    if (n == 0)
        return sw_err_set(err, SW_EINVAL, "segment 1: the %s is empty", what);
    if (!seg_is(&ls[0], "FHS") && !seg_is(&ls[0], "BHS") && !seg_is(&ls[0], "MSH"))
        return sw_err_set(err, SW_EINVAL, "segment 1: a %s must start with "
                          "FHS, BHS or MSH", what);
    hl7_file *f = sw_arena_calloc(a, 1, sizeof *f);
    if (f == NULL)
        return oom(&c);
    c.segno = 1;
    c.segid = ls[0].p[0] == 'F' ? "FHS" : ls[0].p[0] == 'B' ? "BHS" : "MSH";
    if ((rc = read_encoding(&c, ls[0].p, ls[0].n, &f->enc)) != SW_OK)
        return rc;
    size_t i = 0, stop = n;
    if (seg_is(&ls[0], "FHS") && (rc = batch_segment(&c, &f->enc, &ls[i++], &f->fhs)) != SW_OK)
        return rc;
    if (stop > i && seg_is(&ls[stop - 1], "FTS"))
        stop--;
    /* Each batch runs from its BHS to its BTS (or to the next BHS, or the
     * end); messages before any BHS form a batch without envelope. */
    size_t nbatch = 0;
    for (size_t k = i; k < stop; k++)
        if (seg_is(&ls[k], "BHS") || (k == i && seg_is(&ls[k], "MSH")))
            nbatch++;
    if (nbatch > SW_HL7_MAX_MESSAGES)
        return sw_err_set(err, SW_EINVAL, "the file holds more than %d "
                          "batches", SW_HL7_MAX_MESSAGES);
    f->batches = sw_arena_calloc(a, nbatch ? nbatch : 1, sizeof *f->batches);
    if (f->batches == NULL)
        return oom(&c);
    size_t total = 0;
    while (i < stop) {
        hl7_batch *b = sw_arena_calloc(a, 1, sizeof *b);
        if (b == NULL)
            return oom(&c);
        b->enc = f->enc;
        if (seg_is(&ls[i], "BHS") && (rc = batch_segment(&c, &f->enc, &ls[i++], &b->bhs)) != SW_OK)
            return rc;
        size_t j = i;
        while (j < stop && !seg_is(&ls[j], "BTS") && !seg_is(&ls[j], "BHS"))
            j++;
        if ((rc = parse_run(&c, ls, i, j, b)) != SW_OK)
            return rc;
        total += b->nmsg;
        if (total > SW_HL7_MAX_MESSAGES)
            return sw_err_set(err, SW_EINVAL, "the file holds more than %d "
                              "messages", SW_HL7_MAX_MESSAGES);
        if (j < stop && seg_is(&ls[j], "BTS")) {
            if ((rc = batch_segment(&c, &f->enc, &ls[j++], &b->bts)) != SW_OK)
                return rc;
            if ((rc = check_count(&c, b->bts, "BTS", b->nmsg, "message")) != SW_OK)
                return rc;
        }
        if (j < stop && !seg_is(&ls[j], "BHS"))
            return sw_err_set(err, SW_EINVAL, "segment %zu: expected BHS to "
                              "start the next batch", ls[j].no);
        f->batches[f->nbatch++] = b;
        i = j;
    }
    if (stop < n) {
        if ((rc = batch_segment(&c, &f->enc, &ls[stop], &f->fts)) != SW_OK)
            return rc;
        if ((rc = check_count(&c, f->fts, "FTS", f->nbatch, "batch")) != SW_OK)
            return rc;
    }
    *out = f;
    return SW_OK;
}

int hl7_parse_file(sw_arena *a, const char *data, size_t len, hl7_file **out,
                   sw_err *err)
{
    return parse_file(a, data, len, "file", out, err);
}

/* The segments batch b spans, its envelope included. */
static size_t batch_nseg(const hl7_batch *b)
{
    size_t n = (size_t)(b->bhs != NULL) + (size_t)(b->bts != NULL);
    for (size_t i = 0; i < b->nmsg; i++)
        n += b->msgs[i]->nseg;
    return n;
}

/* A batch is a file of one batch: the file's FHS and FTS become the
 * batch's, and a second batch is refused where it starts. */
int hl7_parse_batch(sw_arena *a, const char *data, size_t len, hl7_batch **out,
                    sw_err *err)
{
    hl7_file *f;
    *out = NULL;
    int rc = parse_file(a, data, len, "batch", &f, err);
    if (rc != SW_OK)
        return rc;
    if (f->nbatch > 1)
        return sw_err_set(err, SW_EINVAL, "segment %zu: a second batch; a file "
                          "of several batches is read as a file",
                          (size_t)(f->fhs != NULL)
                          + batch_nseg(f->batches[0]) + 1);
    hl7_batch *b = f->nbatch == 1 ? f->batches[0]
                                  : sw_arena_calloc(a, 1, sizeof *b);
    if (b == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    b->enc = f->enc;
    b->fhs = f->fhs;
    b->fts = f->fts;
    *out = b;
    return SW_OK;
}
