/* siu.h - SIU messages from the PMS as FHIR Appointments: S12 (book),
 * S13 (reschedule), S14 (modify), S15 (cancel). The field-by-field
 * profile is in docs/hl7-interface.md ("Inbound messages").
 *
 * Runs inside the inbound message's transaction (inbound.c): SW_OK after
 * writing, SW_EINVAL with content errors in c->errs (nothing to keep),
 * any other code the store's. */
#ifndef SW_HL7_SIU_H
#define SW_HL7_SIU_H

#include "hl7/map.h"

/* trigger is MSH-9.2: "S12", "S13", "S14" or "S15". */
int hl7_siu_apply(hl7_map *c, const char *trigger);

#endif
