/* inbound.h - messages from the practice-management system: ADT^A04, A08,
 * A28, A31 (register or update a Patient, with insurance as Coverage), A40
 * (merge), SIU^S12-S15 (book, reschedule, modify, cancel an Appointment).
 *
 * Each message is stored durably (hl7_inbound) before it is acknowledged,
 * in the same transaction as the records it creates or changes, and only
 * once per sender (MSH-3^MSH-4) and control id (MSH-10): a message sent
 * again is answered with the ACK it got the first time and changes
 * nothing. A content error (a missing PID-3, a bad date) is stored too and
 * answered AE with an ERR per field; a message we cannot take now (the
 * store is unreachable) is answered AR and not stored. Enhanced mode
 * (MSH-15 given) answers CA / CE / CR instead. */
#ifndef SW_HL7_INBOUND_H
#define SW_HL7_INBOUND_H

#include <stdint.h>

#include "core/buf.h"
#include "store/store.h"

typedef struct hl7_inbound_result {
    char code[3];          /* the MSA-1 answered */
    bool duplicate;        /* seen before: the stored ACK was answered */
    char patient_id[64];   /* the Patient created or changed, or "" */
} hl7_inbound_result;

/* Takes one message received from peer_address for practice_id and puts
 * the ACK to answer in ack (reset first). Always produces an ACK (AR when
 * nothing else is possible); returns SW_OK, or SW_ENOMEM. */
int hl7_inbound_take(sw_store *s, int64_t practice_id, const char *peer_address,
                     const char *msg, size_t len, sw_buf *ack,
                     hl7_inbound_result *r);

#endif
