/* dft.h - the DFT^P03 (post detail financial transactions, HL7 v2.5.1)
 * that carries a visit's charges to the practice-management system, and
 * the checks a charge must pass before it is sent.
 *
 * Two layers. dft_build and dft_validate take plain structs (what a PMS
 * needs to know, already read) and do no I/O, so every segment and field
 * is unit-tested from hand-made input. dft_read (dft_read.c) fills those
 * structs from the stored FHIR resources, inside the transaction that
 * created or voided the charges: the ChargeItems, their Patient and
 * Encounter, the Encounter's ranked Conditions and the rendering
 * provider's Practitioner. The profile, field by field, is in
 * docs/hl7-interface.md "Outbound charges (EHR -> PMS)".
 *
 * Ownership: every string of a dft_input is borrowed (dft_read puts them
 * in the caller's arena). */
#ifndef SW_HL7_DFT_H
#define SW_HL7_DFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "store/store.h"

#define DFT_NPI_SYSTEM   "http://hl7.org/fhir/sid/us-npi"
/* Patient identifiers the PMS assigned (inbound ADT) have a system that
 * starts with this; the rest names the PMS's assigning authority. */
#define DFT_PMS_SYSTEM   "urn:stagewise:pms:"
#define DFT_MRN_SYSTEM   "urn:stagewise:mrn"
#define DFT_MAX_IDS      8
#define DFT_MAX_LINES    64
#define DFT_MAX_DX       4     /* diagnosis pointers per line */
#define DFT_MAX_MODS     4
#define DFT_MAX_DIAGNOSES 48   /* distinct in one message */

typedef struct dft_provider {
    const char *label;     /* who, for a biller: the username or display */
    const char *npi;       /* NULL when the Practitioner has none */
    const char *family, *given;
    bool        linked;    /* the account has a Practitioner record */
} dft_provider;

typedef struct dft_code {
    const char *code, *display;
} dft_code;

typedef struct dft_line {
    const char  *charge_id;   /* FT1-2: the ChargeItem id (36 characters) */
    bool         credit;      /* FT1-6 CR (void) instead of CG */
    bool         found;       /* false: the ChargeItem does not exist */
    const char  *code, *display;
    bool         hcpcs;       /* HCPCS Level II rather than CPT */
    const char  *modifiers[DFT_MAX_MODS];
    size_t       nmodifiers;
    int          units;
    const char  *service_date;   /* FHIR dateTime or date; NULL: none */
    dft_code     dx[DFT_MAX_DX];  /* ICD-10-CM, in pointer order */
    size_t       ndx;
    dft_provider provider;
    bool         has_provider;
} dft_line;

typedef struct dft_id {
    const char *value;
    const char *authority;    /* CX-4 */
    const char *type;         /* CX-5: "PI", "MR" */
} dft_id;

typedef struct dft_diagnosis {
    dft_code code;
    int      rank;            /* 1 first; 0 when the visit does not rank it */
} dft_diagnosis;

typedef struct dft_input {
    /* MSH */
    const char *control_id;
    const char *processing_id;    /* "P" or "T" */
    const char *facility;         /* MSH-4 */
    int64_t     now_ms;           /* MSH-7, EVN-2, FT1-5 */
    /* PID */
    dft_id      ids[DFT_MAX_IDS];
    size_t      nids;
    const char *family, *given, *middle;
    const char *birth_date;       /* FHIR date */
    const char *gender;           /* FHIR administrative gender */
    /* PV1 */
    const char *encounter_id;
    const char *encounter_start;  /* FHIR dateTime */
    const char *encounter_class;  /* v3 ActCode: AMB, VR, HH */
    const dft_provider *attending;   /* the first line's provider */
    /* FT1, DG1 */
    dft_line      lines[DFT_MAX_LINES];
    size_t        nlines;
    dft_diagnosis dx[DFT_MAX_DIAGNOSES];
    size_t        ndx;
} dft_input;

/* Whether npi is ten digits whose last is the Luhn check digit of the
 * other nine prefixed by 80840 (the NPI standard's card issuer prefix). */
bool dft_npi_valid(const char *npi);

/* Checks every line (a code, a date of service, a rendering provider
 * with a valid NPI). SW_OK, or SW_EINVAL with every problem found, one
 * sentence each ("FT1 1: the rendering provider dr.test has no NPI; add
 * it to their Practitioner record and resend"), appended to why. */
int dft_validate(const dft_input *in, sw_buf *why);

/* Writes the message (segments ended by CR). SW_OK or the buffer's error. */
int dft_build(const dft_input *in, sw_buf *out);

/* The CMS place-of-service code for an Encounter class: "11" office,
 * "02" telehealth, "12" home. */
const char *dft_place_of_service(const char *encounter_class);

/* Inside a transaction: reads the resources of n lines (ChargeItem ids and
 * whether each is a credit) of one patient's encounter into in, strings in
 * a. The lines' diagnoses become in->dx, ranked by the Encounter. MSH
 * members are left to the caller. Store errors only; what is missing is
 * left NULL for dft_validate to name. */
struct hl7_charge_line;
int dft_read(store_tx *tx, sw_arena *a, int64_t practice_id,
             const char *patient_id, const char *encounter_id,
             const struct hl7_charge_line *lines, size_t n, dft_input *in);

#endif
