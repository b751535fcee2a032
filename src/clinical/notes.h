/* notes.h - the visit note: SOAP templates per visit type, and the note as
 * a FHIR R4 Composition (LOINC 11506-3 "Progress note") whose four
 * sections carry exactly what the clinician typed (docs/workflows.md, "The
 * visit note").
 *
 * A section's text is stored as its Narrative: the text XHTML-escaped
 * inside <div xmlns="http://www.w3.org/1999/xhtml">, each line break as
 * <br/>. The escaping is made to be undone exactly (&, <, >, the quotes,
 * carriage returns as &#13;), so the note read back is byte for byte what
 * was sent, markup included, and any FHIR client shows it as plain text.
 * A section left empty (or only white space) is left out: R4 wants a
 * narrative to have content. The template the note started from is kept in
 * the extension NOTE_EXT_TEMPLATE. Drafts are status "preliminary"; signing
 * makes the Composition "final" with a legal attester. An addendum is its
 * own final Composition that relatesTo "appends" the note. */
#ifndef SW_CLINICAL_NOTES_H
#define SW_CLINICAL_NOTES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/errors.h"

#define NOTE_LOINC              "http://loinc.org"
#define NOTE_TYPE_CODE          "11506-3"
#define NOTE_TYPE_DISPLAY       "Progress note"
#define NOTE_EXT_TEMPLATE       "urn:stagewise:note-template"
#define NOTE_XHTML_NS           "http://www.w3.org/1999/xhtml"

/* The longest section (and addendum) text, in bytes. */
#define NOTE_TEXT_MAX (64 * 1024)

/* The sections, in note order. */
enum { NOTE_SUBJECTIVE, NOTE_OBJECTIVE, NOTE_ASSESSMENT, NOTE_PLAN, NOTE_SECTIONS };

typedef struct note_section_def {
    const char *name;          /* the /api member: "subjective" */
    const char *title;         /* "Subjective" */
    const char *loinc;         /* 61150-9 */
    const char *loinc_display; /* "Subjective Narrative" */
} note_section_def;

extern const note_section_def note_sections[NOTE_SECTIONS];

typedef struct note_template {
    const char *id;
    const char *title;
    const char *visit_type;                /* visit.h VISIT_TYPE_* code */
    const char *sections[NOTE_SECTIONS];   /* starting text per section */
} note_template;

/* The shipped templates; *n gets how many. */
const note_template *note_templates(size_t *n);
/* The template with this id, or NULL. */
const note_template *note_template_find(const char *id);

/* Checks a section or addendum text: valid UTF-8 is the caller's (JSON),
 * here at most NOTE_TEXT_MAX bytes and no control characters but tab,
 * line feed and carriage return (XHTML cannot hold them). SW_EINVAL with a
 * sentence naming `what`. */
int note_text_check(const char *text, const char *what, sw_err *err);
/* Whether text is empty or only white space (the section is left out). */
bool note_text_blank(const char *text);

/* The Narrative div holding text, escaped as above. */
int note_div(const char *text, sw_buf *out);
/* The text a div made by note_div holds (also reads divs written
 * elsewhere: other tags are dropped, <br> is a line break, character
 * references are decoded); the caller frees it. NULL when out of memory. */
char *note_div_text(const char *div);

/* What a draft or signed note holds. */
typedef struct note_input {
    const char *patient_id;
    const char *encounter_id;
    const char *date;            /* ISO instant of this save */
    json_t     *author;          /* Reference (borrowed) */
    const char *template_id;     /* may be NULL */
    const char *sections[NOTE_SECTIONS];  /* NULL or "" leaves one out */
} note_input;

/* A new preliminary Composition (the caller decrefs). */
json_t *note_composition(const note_input *in);
/* The /api sections object {"subjective", …} of a stored Composition:
 * every member present, "" for a section it lacks. */
json_t *note_sections_of(json_t *composition);
/* The template id a stored Composition started from, or NULL. */
const char *note_template_of(json_t *composition);

/* Signs a stored Composition in place: status final, a legal attester
 * (party borrowed) at `at`, meta removed so it can be PUT back. */
int note_sign(json_t *composition, json_t *party, const char *at);

/* An addendum to Composition/note_id: final, by author at `at`. */
json_t *note_addendum(const char *note_id, const char *patient_id,
                      const char *encounter_id, json_t *author,
                      const char *at, const char *text);
/* The text of a stored addendum ("" when it has none). Caller frees. */
char *note_addendum_text(json_t *addendum);
/* Whether a stored Composition is an addendum (relatesTo appends). */
bool note_is_addendum(json_t *composition);

#endif
