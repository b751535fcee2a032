/* pmssim_int.h - what the PMS simulator's files share (pmssim.h is the
 * outside view): its state, the log of received messages (received.c),
 * the billing checks (validate.c), the MLLP answers (answer.c), the
 * generated messages (generate.h) and the control interface (control.c).
 * Everything in struct pmssim below `lock` is guarded by it. */
#ifndef SW_PMSSIM_INT_H
#define SW_PMSSIM_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>

#include "core/buf.h"
#include "hl7/ack.h"
#include "hl7/message.h"
#include "hl7/mllp.h"
#include "http/http.h"
#include "pmssim/generate.h"
#include "pmssim/pmssim.h"

/* ---- The log of received messages (received.c) ---------------------------- */

/* How a message was answered the last time it came. */
typedef enum pmssim_outcome {
    PMSSIM_KEPT,        /* accepted (AA/CA) or kept with the ACK dropped */
    PMSSIM_REJECTED,    /* AE/CE: a content error, kept for the record */
    PMSSIM_REFUSED,     /* AR/CR: not taken; a resend is taken afresh */
} pmssim_outcome;

typedef struct pmssim_received {
    char    *control_id;    /* MSH-10 */
    char    *sender;        /* MSH-3^MSH-4 */
    char    *type;          /* MSH-9.1^MSH-9.2: "DFT^P03" */
    char    *patient_id;    /* PID-3.1 */
    char    *codes;         /* FT1-7.1 of each FT1, comma-separated */
    char    *npis;          /* FT1-20.1 of each FT1, comma-separated */
    char    *kinds;         /* FT1-6 of each FT1, comma-separated */
    char    *text;          /* the message as received */
    char     answer[3];     /* MSA-1 of the last answer ("" when dropped) */
    pmssim_outcome outcome;
    int64_t  received_at;   /* ms since the epoch, first receipt */
    int      attempts;      /* receipts in all */
    int      duplicates;    /* receipts after it was kept */
} pmssim_received;

typedef struct pmssim_log {
    pmssim_received *items;
    size_t           n, cap;
    FILE            *record;    /* JSON lines, or NULL */
} pmssim_log;

/* The entry for this sender and control id, or NULL. */
pmssim_received *pmssim_log_find(pmssim_log *l, const char *sender,
                                 const char *control_id);
/* A new entry for message m (text as received); NULL when out of memory. */
pmssim_received *pmssim_log_add(pmssim_log *l, const hl7_message *m,
                                const char *text, size_t len, int64_t now_ms);
/* Replaces a refused entry's text and details with a resend's. */
int  pmssim_log_refresh(pmssim_received *r, const hl7_message *m,
                        const char *text, size_t len);
/* Appends {time, control_id, type, text} to the record file, if any. */
void pmssim_log_record(pmssim_log *l, const char *control_id, const char *type,
                       const char *text, size_t len, int64_t now_ms);
void pmssim_log_clear(pmssim_log *l);
/* The /received list, oldest first; and one entry's summary. */
json_t *pmssim_log_json(const pmssim_log *l);
json_t *pmssim_received_json(const pmssim_received *r);

/* ---- The billing system's checks (validate.c) ------------------------------ */

#define PMSSIM_MAX_ERRORS 32

typedef struct pmssim_errors {
    hl7_ack_error items[PMSSIM_MAX_ERRORS];
    char          text[PMSSIM_MAX_ERRORS][160];
    size_t        n;
} pmssim_errors;

/* The content errors a PMS would answer AE for: none for a message that
 * is not a DFT. */
void pmssim_validate(const hl7_message *m, pmssim_errors *out);

/* ---- The simulator --------------------------------------------------------- */

struct pmssim {
    mllp_server        *mllp;
    http_server        *control;
    http_route_table    control_table;     /* control.c's, with ctx this */
    const http_route_table *control_tables[1];
    char                ehr_host[256];   /* "" when none */
    char                processing_id[2];
    int                 ehr_port;

    pthread_mutex_t     lock;
    pmssim_mode         mode;
    int                 slow_ms;
    pmssim_log          log;
    pmssim_generator    gen;
};

/* The MLLP side (answer.c). */
bool pmssim_accept(void *ctx, const mllp_peer *peer);
int  pmssim_answer(void *ctx, const mllp_peer *peer, const char *msg,
                   size_t len, sw_buf *reply);

/* The HTTP control interface (control.c). */
int  pmssim_control_start(pmssim *p, const char *host, int port, sw_err *err);

/* Sends msg to host:port over MLLP and puts the reply in ack. */
int  pmssim_send(const char *host, int port, const char *msg, size_t len,
                 sw_buf *ack, sw_err *err);

#endif
