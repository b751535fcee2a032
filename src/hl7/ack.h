/* ack.h - HL7 v2 acknowledgments: building the ACK we answer a message
 * with, and reading the ACK a peer answers ours with.
 *
 * Original mode (MSH-15 and MSH-16 empty): AA accepted, AE content error
 * (with ERR segments naming each field), AR rejected (cannot take it now:
 * the store is down, the message type is not one we take). Enhanced mode
 * (MSH-15 given): the accept acknowledgment CA / CE / CR answers on the
 * same connection once the message is stored (docs/hl7-interface.md). */
#ifndef SW_HL7_ACK_H
#define SW_HL7_ACK_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"
#include "hl7/message.h"

/* One ERR segment: where (ERR-2, "PID-7" as segment, field, component),
 * the HL7 table 0357 code (ERR-3: "101" required field missing, "102" data
 * type error, "103" table value not found, "200" unsupported message type,
 * "207" application internal error), and a sentence (ERR-8). */
typedef struct hl7_ack_error {
    const char *segment;     /* "PID", or NULL when not about one field */
    int         field;       /* 1-based; 0 for none */
    int         component;   /* 0 for the whole field */
    const char *code;
    const char *text;
} hl7_ack_error;

/* Builds the ACK for message `in` (MSH swapped: our MSH-3/4 are its
 * MSH-5/6; ACK^<its trigger>^ACK; its processing id and version; a new
 * control id of our own) with MSA-1 code, MSA-2 its control id, MSA-3 text
 * (may be NULL), then one ERR per error. `in` may be NULL when the message
 * could not be parsed: raw/raw_len are then searched for an MSH-10 to echo
 * (empty when there is none). */
int hl7_ack_build(const hl7_message *in, const char *raw, size_t raw_len,
                  const char *code, const char *text,
                  const hl7_ack_error *errs, size_t nerr, int64_t now_ms,
                  sw_buf *out);

/* What an ACK says. */
typedef struct hl7_ack {
    char code[3];            /* MSA-1: AA AE AR CA CE CR */
    char control_id[200];    /* MSA-2: the control id acknowledged */
    char text[400];          /* MSA-3 and each ERR's location and text,
                                for a biller's work queue */
} hl7_ack;

/* Reads an ACK; SW_EINVAL (err says why) when it is not a parseable
 * message with an MSA segment. */
int hl7_ack_read(const char *msg, size_t len, hl7_ack *out, sw_err *err);

#endif
