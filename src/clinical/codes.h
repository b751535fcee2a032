/* codes.h - the billing code tables a visit is coded with: common
 * ambulatory ICD-10-CM diagnoses, and CPT / HCPCS Level II procedures and
 * visit levels, shipped in the binary (codes_icd10.c, codes_cpt.c) and
 * searched in memory as the clinician types (docs/workflows.md, "Coding").
 *
 * The tables are small (a few hundred rows) and read-only, so a search is a
 * linear scan: well under a millisecond, no index to keep. A code not in
 * the tables is refused when a visit is coded: the claim a practice sends
 * must carry codes the payer knows, and the tables hold only codes checked
 * against the public code sets (ICD-10-CM from CDC/CMS, HCPCS from CMS).
 * CPT descriptors are the AMA's copyright: the displays here are our own
 * short plain descriptions. */
#ifndef SW_CLINICAL_CODES_H
#define SW_CLINICAL_CODES_H

#include <stdbool.h>
#include <stddef.h>

#define CODES_ICD10CM_SYSTEM "http://hl7.org/fhir/sid/icd-10-cm"
#define CODES_CPT_SYSTEM     "http://www.ama-assn.org/go/cpt"
#define CODES_HCPCS_SYSTEM   "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"

/* The most results a search returns. */
#define CODES_SEARCH_MAX 20

typedef struct code_entry {
    const char *code;
    const char *display;
} code_entry;

/* Which table a search or look-up is about. */
typedef enum codes_table {
    CODES_DIAGNOSES,     /* ICD-10-CM */
    CODES_PROCEDURES,    /* CPT and HCPCS Level II */
} codes_table;

/* The tables themselves (codes_icd10.c, codes_cpt.c). */
extern const code_entry codes_icd10cm[];
extern const size_t     codes_icd10cm_count;
extern const code_entry codes_procedure[];
extern const size_t     codes_procedure_count;

/* The entry of exactly `code` (case-insensitive: "e11.9" finds E11.9), or
 * NULL when the table does not have it. */
const code_entry *codes_find(codes_table t, const char *code);

/* The FHIR code system of an entry of the table t: ICD-10-CM for
 * diagnoses; for procedures HCPCS when the code starts with a letter
 * (G0439), else CPT. */
const char *codes_system(codes_table t, const char *code);

/* Entries matching q, at most max (<= CODES_SEARCH_MAX) into out, best
 * first: codes starting with q (ignoring case and the dot, so "e119" finds
 * E11.9), then entries whose display has, for every word of q, a word
 * starting with it ("type 2 diab"). An empty q matches nothing. Returns
 * how many. */
size_t codes_search(codes_table t, const char *q, const code_entry **out,
                    size_t max);

#endif
