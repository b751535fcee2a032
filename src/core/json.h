/* json.h - JSON that keeps what the client wrote: exact numbers, member
 * order, and unicode, parsed into an arena.
 *
 * FHIR decimals are exact lexical values (1.50 is not 1.5, and 16+
 * significant digits must survive), and a FHIR server must hand back what
 * it stored. General JSON libraries turn numbers into doubles, so the FHIR
 * path uses this reader and writer instead: a number node keeps its lexeme
 * as written, objects keep their members in document order, strings are
 * decoded to UTF-8 once and re-escaped minimally on output.
 *
 * Parsing is strict RFC 8259 (no comments, trailing commas, NaN, leading
 * zeros or single quotes), validates UTF-8 and escapes while it parses,
 * refuses duplicate member names (FHIR forbids them) and nesting deeper
 * than SW_JSON_MAX_DEPTH, and reports the first problem with its line and
 * column. A leading UTF-8 byte-order mark is skipped. Lines count '\n'
 * characters; columns count characters (code points, not bytes) from 1, so
 * the position means the same to a person looking at the text in an editor.
 *
 * Ownership: every node, string and array of a parsed or built tree lives
 * in the arena passed in; nothing is freed individually. Trees are used by
 * one thread at a time. Small internal JSON (configuration, /api bodies)
 * may use jansson instead; this file is for data that must round-trip. */
#ifndef SW_JSON_H
#define SW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "errors.h"
#include "str.h"

/* Nesting of arrays and objects; a FHIR Bundle of resources with contained
 * resources and extensions stays far below it. */
#define SW_JSON_MAX_DEPTH 100

typedef enum sw_json_kind {
    SW_JSON_NULL,
    SW_JSON_BOOL,
    SW_JSON_NUMBER,
    SW_JSON_STRING,
    SW_JSON_ARRAY,
    SW_JSON_OBJECT,
} sw_json_kind;

typedef struct sw_json sw_json;

typedef struct sw_json_member {
    sw_str   key;        /* decoded UTF-8, NUL-terminated after n bytes */
    sw_json *value;
} sw_json_member;

struct sw_json {
    sw_json_kind    kind;
    bool            boolean;   /* BOOL */
    uint32_t        line;      /* where the node starts in the source, from 1; */
    uint32_t        column;    /* 0 for nodes built in memory */
    /* STRING: the decoded UTF-8 text (may contain NUL bytes written as
     * \u0000). NUMBER: the lexeme exactly as written in the source ("1.50",
     * "-0", "1e400"). Both are NUL-terminated after n bytes. Parsed text
     * points into one copy of the input in the arena. */
    sw_str          text;
    size_t          count;     /* ARRAY: elements; OBJECT: members */
    size_t          cap;       /* room in items/members (for appending) */
    sw_json       **items;     /* ARRAY */
    sw_json_member *members;   /* OBJECT, in document order */
};

/* Parses n bytes at text. On success *out is the root; on failure err says
 * "… at line L, column C" and the return is SW_EBADREQUEST (malformed
 * JSON, invalid UTF-8, duplicate member, too deep) or SW_ENOMEM (which is
 * also what an arena over its byte budget gives). The message names at most
 * one character of the input, never a string or a member name, since the
 * input may be patient data. text is only read (it need not end in NUL).
 * The arena gets one copy of it (n + 16 bytes), 64 bytes per value and 8
 * per array element or 24 per member, so about 3 to 4 times n for FHIR. */
int sw_json_parse(sw_arena *a, const char *text, size_t n, sw_json **out,
                  sw_err *err);

/* The member named key of an object, or NULL (also when obj is not an
 * object or is NULL). Linear in the member count, which FHIR keeps small. */
sw_json *sw_json_get(const sw_json *obj, const char *key);
/* Its string text if it is a string, else NULL. */
const char *sw_json_get_string(const sw_json *obj, const char *key);
/* Whether a number lexeme is a whole number in [min, max]; sets *out.
 * Only integer lexemes count ("-0" does; "1.0" and "1e2" do not, as FHIR
 * integers are written without fraction or exponent). */
bool sw_json_number_to_int64(const sw_json *num, int64_t min, int64_t max,
                             int64_t *out);
/* Whether the n bytes at s are exactly one JSON number (RFC 8259 grammar). */
bool sw_json_valid_number(const char *s, size_t n);
/* Whether two trees are equal as this file sees JSON: same kinds, same
 * number lexemes ("1.0" is not "1"), same string bytes, same elements and
 * the same members in the same order. NULL equals only NULL. Trees nested
 * deeper than SW_JSON_MAX_DEPTH compare unequal (unless a == b). */
bool sw_json_equal(const sw_json *a, const sw_json *b);

/* ---- Building and editing (all nodes in the arena) ----------------------- */

/* Constructors return NULL when out of memory; text, lexemes and keys are
 * copied into the arena. Editing functions take keys as C strings. */
sw_json *sw_json_new_null(sw_arena *a);
sw_json *sw_json_new_bool(sw_arena *a, bool b);
/* lexeme must be a valid JSON number; it is copied. NULL if it is not one,
 * so that no tree can hold a number the writer would turn into bad JSON. */
sw_json *sw_json_new_number(sw_arena *a, const char *lexeme, size_t n);
sw_json *sw_json_new_int(sw_arena *a, int64_t v);
/* s must be valid UTF-8 (NUL bytes allowed); NULL if it is not. */
sw_json *sw_json_new_string(sw_arena *a, const char *s, size_t n);
sw_json *sw_json_new_cstring(sw_arena *a, const char *s);
sw_json *sw_json_new_array(sw_arena *a);
sw_json *sw_json_new_object(sw_arena *a);

/* Appends to an array. SW_OK or SW_ENOMEM (SW_EINVAL when array is not an
 * array or value is NULL; the same for the object functions below, which
 * also refuse a NULL key or one that is not valid UTF-8). */
int sw_json_append(sw_arena *a, sw_json *array, sw_json *value);
/* Sets a member: replaces the value in place if key exists (keeping its
 * position), else appends it. */
int sw_json_set(sw_arena *a, sw_json *obj, const char *key, sw_json *value);
/* Sets a member at index pos (0 = first): an existing member with that key
 * is moved there. pos past the end appends. */
int sw_json_set_at(sw_arena *a, sw_json *obj, size_t pos, const char *key,
                   sw_json *value);
/* Removes a member; true when it was there. */
bool sw_json_remove(sw_json *obj, const char *key);
/* A deep copy into arena a (strings and keys too, so it outlives the
 * source's arena). NULL when out of memory or when v is nested deeper than
 * SW_JSON_MAX_DEPTH, which no parsed tree is. */
sw_json *sw_json_clone(sw_arena *a, const sw_json *v);

/* ---- Writing ------------------------------------------------------------- */

/* Appends v as compact JSON: numbers as their lexemes, members in order,
 * strings escaped minimally (quote, backslash, control characters as \n,
 * \t, … or \u00XX; everything else as UTF-8). Parsing the output gives an
 * equal tree, and for input that was compact and minimally escaped the
 * output is the input byte for byte (control characters without a short
 * form are written \u00XX with lower-case hex, as JavaScript does).
 * SW_OK, SW_ETOOBIG (the buffer's ceiling), SW_ENOMEM, or SW_EINVAL for a
 * tree nested deeper than SW_JSON_MAX_DEPTH (which could not be parsed back;
 * this also stops a tree that contains itself). On failure out is left as
 * it was. */
int sw_json_write(sw_buf *out, const sw_json *v);
/* Appends s as a quoted, escaped JSON string (s must be valid UTF-8). */
int sw_json_write_string(sw_buf *out, const char *s, size_t n);

/* A streaming writer for documents built on the fly (a search Bundle with
 * hundreds of entries whose resources are stored JSON text). Commas and
 * nesting are tracked for the caller; the first error sticks and is
 * returned by sw_jw_finish, so calls need no checks in between. Misuse is
 * SW_EINTERNAL: a value in an object without a key, a key outside an
 * object, an end that does not match its begin, a second top-level value,
 * nesting deeper than 63, an invalid number lexeme. After an error nothing
 * more is written. The document is one top-level value; finish checks that
 * it was written and closed. */
typedef struct sw_jw {
    sw_buf  *out;
    int      depth;
    uint64_t has_items;     /* bit d: the container at depth d has an item */
    uint64_t in_object;     /* bit d: the container at depth d is an object */
    bool     after_key;     /* a key was written; a value must follow */
    int      rc;
} sw_jw;

void sw_jw_init(sw_jw *w, sw_buf *out);
void sw_jw_object_begin(sw_jw *w);
void sw_jw_object_end(sw_jw *w);
void sw_jw_array_begin(sw_jw *w);
void sw_jw_array_end(sw_jw *w);
void sw_jw_key(sw_jw *w, const char *key);
/* Strings must be valid UTF-8; a NULL s writes null. */
void sw_jw_string(sw_jw *w, const char *s);
void sw_jw_string_n(sw_jw *w, const char *s, size_t n);
void sw_jw_int(sw_jw *w, int64_t v);
void sw_jw_number(sw_jw *w, const char *lexeme);
void sw_jw_bool(sw_jw *w, bool b);
void sw_jw_null(sw_jw *w);
/* A value that is already valid JSON text (a stored resource), copied as
 * is: it is not checked, so it must come from sw_json_write or the store. */
void sw_jw_raw(sw_jw *w, const char *json, size_t n);
void sw_jw_value(sw_jw *w, const sw_json *v);
/* SW_OK, or the first error (SW_ETOOBIG, SW_ENOMEM, SW_EINTERNAL for
 * unbalanced calls or misuse, SW_EINVAL from sw_jw_value as from
 * sw_json_write). */
int  sw_jw_finish(sw_jw *w);

#endif
