/* pmssim.h - the PMS simulator: a stand-in for a practice-management
 * system, for demos, tests, training and the go-live interface test suite
 * (`stagewise pms-sim`, docs/commands/pms-sim.md).
 *
 * It listens for HL7 v2 over MLLP (hl7/mllp.h) and keeps every message it
 * receives (in memory, and as JSON lines in a record file when asked). It
 * checks a DFT^P03 the way a billing system would (PID-3; on every FT1 the
 * date of service FT1-4, the type FT1-6 CG or CR, the code FT1-7 and the
 * performing provider FT1-20) and answers according to its mode:
 *   normal    AA, or AE with an ERR per missing field
 *   ae        AE to everything
 *   ar        AR to everything (listed as refused; taken afresh if resent)
 *   down      connections are closed unanswered
 *   drop-ack  keeps the message, then closes without answering; the same
 *             control id (MSH-10) sent again is a duplicate: answered AA
 *             and counted, not kept twice
 *   slow      the normal answer after slow_ms
 * A message whose MSH-15 asks for enhanced mode gets CA / CE / CR instead.
 *
 * A small HTTP control interface (control.c, JSON, no authentication: bind
 * it to loopback) lists what was received, changes the mode and makes the
 * simulator send messages a PMS sends (ADT registrations and updates, SIU
 * bookings, reschedules and cancellations), generated from a seed so that
 * a run can be repeated.
 *
 * Ownership: pmssim_start allocates, pmssim_stop frees; the simulator's
 * state is behind one mutex, used by the MLLP connection threads and the
 * HTTP threads alike. Workload: a handful of messages a second at most. */
#ifndef SW_PMSSIM_H
#define SW_PMSSIM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/errors.h"

typedef enum pmssim_mode {
    PMSSIM_NORMAL,
    PMSSIM_AE,
    PMSSIM_AR,
    PMSSIM_DOWN,
    PMSSIM_DROP_ACK,
    PMSSIM_SLOW,
} pmssim_mode;

/* "normal", "ae", "ar", "down", "drop-ack", "slow". */
const char *pmssim_mode_name(pmssim_mode m);
/* SW_OK, or SW_EINVAL for a name not in the list above. */
int pmssim_mode_parse(const char *name, pmssim_mode *out);

#define PMSSIM_MAX_SLOW_MS 600000

typedef struct pmssim_config {
    const char *listen_host;    /* MLLP */
    int         listen_port;    /* 0: any free port */
    const char *control_host;   /* HTTP control; NULL: 127.0.0.1 */
    int         control_port;   /* 0: any free port */
    const char *ehr_host;       /* where POST /send goes by default; NULL: none */
    int         ehr_port;
    pmssim_mode mode;
    int         slow_ms;        /* for mode slow; 0: 2000 */
    const char *record_path;    /* JSON lines of every message; NULL: none */
    uint64_t    seed;           /* of the generated patients and visits */
    const char *processing_id;  /* MSH-11 of what it sends; NULL: "T" */
} pmssim_config;

typedef struct pmssim pmssim;

/* Starts both listeners. SW_EIO with a sentence when a port cannot be
 * bound or the record file cannot be opened. */
int  pmssim_start(const pmssim_config *cfg, pmssim **out, sw_err *err);
int  pmssim_mllp_port(const pmssim *p);
int  pmssim_control_port(const pmssim *p);
/* Stops both listeners (answers in flight are written) and frees.
 * Accepts NULL. */
void pmssim_stop(pmssim *p);

#endif
