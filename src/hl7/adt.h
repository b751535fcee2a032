/* adt.h - ADT messages from the PMS as FHIR: A04, A08, A28 and A31
 * register or update a Patient (PID) and its insurance as Coverage (IN1),
 * A40 merges two patients (PID + MRG). docs/hl7-interface.md lists each
 * field read.
 *
 * Both run inside the inbound message's transaction (inbound.c). They
 * return SW_OK after writing; SW_EINVAL when the message has content
 * errors (recorded in c->errs; the caller rolls back whatever was
 * written); any other code is the store's. */
#ifndef SW_HL7_ADT_H
#define SW_HL7_ADT_H

#include "hl7/map.h"

/* Creates the Patient PID-3 names when no Patient has one of its
 * identifiers, else updates it (members we do not map are kept), and
 * writes a Coverage per IN1. Sets c->patient_id. */
int hl7_adt_register(hl7_map *c);

/* A40: the Patient MRG-1 names is merged into the one PID-3 names. */
int hl7_adt_merge(hl7_map *c);

/* The Patient one of PID-3's identifiers names (SS ones excepted), or
 * NULL; a missing or empty PID-3 is a content error (SW_EINVAL). */
int hl7_adt_find_patient(hl7_map *c, const char **id);

#endif
