/* message.h - the HL7 v2 message model, parser and serializer.
 *
 * A message is parsed into an arena as segments -> fields -> repetitions ->
 * components -> sub-components; every leaf holds its text with the escape
 * sequences already decoded, so callers never see \F\ or \X0D\. A leaf that
 * was absent (nothing between two delimiters) is EMPTY; a leaf that was the
 * two characters "" is the HL7 NULL, "present and null", which a receiving
 * system must treat as "delete this value" - the two are kept apart.
 *
 * Positions follow the standard: fields are 1-based and for MSH (and the
 * batch headers FHS, BHS) field 1 is the field separator itself and field 2
 * the encoding characters, so MSH-9 is the message type as everyone counts.
 *
 * Everything is bounded by the SW_HL7_MAX_* limits of core/limits.h; input
 * past any of them is refused with SW_EINVAL and a sentence naming the position, never
 * grown into. Ownership: the arena owns every pointer in a message. */
#ifndef SW_HL7_MESSAGE_H
#define SW_HL7_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/errors.h"

/* The bounds (SW_HL7_MAX_*) are in core/limits.h with every other one. */
#include "core/limits.h"

typedef struct hl7_text {
    const char *s;    /* decoded, NUL-terminated (may hold NUL from \X00\) */
    size_t      n;
    bool        is_null; /* the HL7 NULL "" (then s is "" and n is 0) */
} hl7_text;

typedef struct hl7_component {
    size_t    nsub;
    hl7_text *subs;
} hl7_component;

typedef struct hl7_rep {
    size_t         ncomp;
    hl7_component *comps;
} hl7_rep;

typedef struct hl7_field {
    size_t   nrep;
    hl7_rep *reps;
} hl7_field;

typedef struct hl7_segment {
    char       id[4];    /* "MSH", "PID", "ZPI" */
    size_t     nfield;   /* fields[0] is field 1 */
    hl7_field *fields;
} hl7_segment;

/* The delimiters a message declares in MSH-1 and MSH-2. A character that
 * MSH-2 leaves out (old senders write three) is 0: then it is ordinary
 * text. trunc is the v2.7 truncation character, recorded and kept. */
typedef struct hl7_encoding {
    char field, component, repetition, escape, subcomponent, trunc;
    char chars[6];   /* MSH-2 exactly as written, NUL-terminated */
} hl7_encoding;

typedef struct hl7_message {
    hl7_encoding enc;
    size_t       nseg;
    hl7_segment *segs;     /* in order; segs[0] is MSH */
} hl7_message;

/* A batch: optional FHS and BHS, the messages, optional BTS and FTS. */
typedef struct hl7_batch {
    hl7_encoding  enc;     /* of the first header */
    hl7_segment  *fhs, *bhs, *bts, *fts;   /* NULL when absent */
    size_t        nmsg;
    hl7_message **msgs;
} hl7_batch;

/* A file: an optional FHS, one or more batches (each BHS ... BTS), an
 * optional FTS. Messages before any BHS form a batch without envelope. */
typedef struct hl7_file {
    hl7_encoding  enc;     /* of the first header */
    hl7_segment  *fhs, *fts;   /* NULL when absent */
    size_t        nbatch;
    hl7_batch   **batches; /* their fhs and fts are NULL */
} hl7_file;

/* Parses one message: a leading UTF-8 BOM, CR, LF or CRLF segment ends
 * (mixed), no final terminator and trailing blank lines are accepted.
 * SW_OK, SW_EINVAL (err names the segment and field) or SW_ENOMEM. */
int hl7_parse(sw_arena *a, const char *data, size_t len, hl7_message **out,
              sw_err *err);
/* Parses one batch (FHS/BHS ... BTS/FTS) or a bare run of messages; the
 * message counts in BTS-1 and FTS-1 are checked when given. A file of
 * several batches is refused here: read it with hl7_parse_file. */
int hl7_parse_batch(sw_arena *a, const char *data, size_t len, hl7_batch **out,
                    sw_err *err);
/* Parses a file of any number of batches (FHS, BHS ... BTS, BHS ... BTS,
 * FTS); BTS-1 and FTS-1 (the number of batches) are checked when given,
 * and at most SW_HL7_MAX_MESSAGES messages are taken in all. */
int hl7_parse_file(sw_arena *a, const char *data, size_t len, hl7_file **out,
                   sw_err *err);

/* Writes a message with its own delimiters, text re-escaped, "" for NULL,
 * each segment ended by CR. SW_OK, SW_ETOOBIG or SW_ENOMEM from the buffer. */
int hl7_serialize(const hl7_message *m, sw_buf *out);
int hl7_serialize_batch(const hl7_batch *b, sw_buf *out);
int hl7_serialize_file(const hl7_file *f, sw_buf *out);
/* One segment's field as it would be written (MSH-9 -> "ADT^A04"). */
int hl7_write_field(const hl7_encoding *enc, const hl7_segment *seg,
                    size_t field, sw_buf *out);

/* The n-th (1-based) segment with this id, NULL when there are fewer. */
const hl7_segment *hl7_segment_find(const hl7_message *m, const char *id,
                                    size_t occurrence);
/* The leaf at SEG(occurrence)-field(rep).comp.sub, all 1-based; NULL when
 * absent. */
const hl7_text *hl7_leaf(const hl7_message *m, const char *id,
                         size_t occurrence, size_t field, size_t rep,
                         size_t comp, size_t sub);
/* The text of that leaf: NULL when absent or empty, HL7_NULL_TEXT (the
 * string "\"\"") for the HL7 NULL, else the decoded text. */
extern const char HL7_NULL_TEXT[];
const char *hl7_get(const hl7_message *m, const char *id, size_t occurrence,
                    size_t field, size_t rep, size_t comp, size_t sub);

/* Same delimiters, segments and leaves (text and NULL-ness). */
bool hl7_message_equal(const hl7_message *x, const hl7_message *y);

#endif
