/* writer.h - composing HL7 v2 messages that Stagewise sends (ACKs, DFT,
 * and the PMS simulator's ADT and SIU), with the standard delimiters
 * |^~\& and every piece of text escaped.
 *
 *   hl7_writer w;
 *   hl7_w_begin(&w, &buf);
 *   hl7_w_msh(&w, &(hl7_msh){ .type = "ACK^A04^ACK", .control_id = "A1", ... });
 *   hl7_w_segment(&w, "MSA");
 *   hl7_w_field(&w, "AA");            MSA-1
 *   hl7_w_field(&w, "MSG00001");      MSA-2
 *   hl7_w_comp(&w, "A");              next component of the same field
 *   rc = hl7_w_end(&w);               SW_OK, or the first buffer error
 *
 * Fields are written in order: hl7_w_field starts the next field, hl7_w_rep
 * the next repetition of it, hl7_w_comp the next component, hl7_w_sub the
 * next sub-component; hl7_w_skip leaves fields empty. NULL text writes
 * nothing (empty); hl7_w_null writes the HL7 NULL "". Errors are sticky:
 * after the first failure nothing more is written and hl7_w_end returns it.
 * Segments end with CR. */
#ifndef SW_HL7_WRITER_H
#define SW_HL7_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "hl7/message.h"

typedef struct hl7_writer {
    sw_buf      *out;
    hl7_encoding enc;
    int          rc;
    int          segments;   /* written so far */
} hl7_writer;

/* What MSH says; NULL members are left empty. now_ms 0 is now. */
typedef struct hl7_msh {
    const char *sending_app, *sending_facility;       /* MSH-3, MSH-4 */
    const char *receiving_app, *receiving_facility;   /* MSH-5, MSH-6 */
    int64_t     now_ms;                               /* MSH-7 */
    const char *type;          /* MSH-9 as written: "DFT^P03^DFT_P03" */
    const char *control_id;    /* MSH-10 */
    const char *processing_id; /* MSH-11: "P" or "T" */
    const char *version;       /* MSH-12: NULL is "2.5.1" */
    const char *accept_ack;    /* MSH-15, enhanced mode: "AL" */
    const char *app_ack;       /* MSH-16 */
} hl7_msh;

void hl7_w_begin(hl7_writer *w, sw_buf *out);
/* Writes the whole MSH segment. */
void hl7_w_msh(hl7_writer *w, const hl7_msh *h);
/* Starts a segment (ending the previous one). */
void hl7_w_segment(hl7_writer *w, const char *id);
void hl7_w_field(hl7_writer *w, const char *text);
void hl7_w_fieldf(hl7_writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void hl7_w_skip(hl7_writer *w, int nfields);
void hl7_w_rep(hl7_writer *w, const char *text);
void hl7_w_comp(hl7_writer *w, const char *text);
void hl7_w_sub(hl7_writer *w, const char *text);
void hl7_w_null(hl7_writer *w);          /* the next field is "" */
/* Ends the last segment; SW_OK or the first error. */
int hl7_w_end(hl7_writer *w);

/* An HL7 DTM of ms since the epoch in UTC: YYYYMMDDHHMMSS (15 bytes). */
void hl7_time(int64_t ms, char out[15]);

#endif
