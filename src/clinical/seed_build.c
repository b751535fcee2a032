/* seed_build.c - FHIR for program-written data (seed_build.h): moved out
 * of the demo practice so the training generator writes the same shapes. */
#include "clinical/seed_build.h"

#include <stdio.h>

#define RXNORM  "http://www.nlm.nih.gov/research/umls/rxnorm"
#define ICD10CM "http://hl7.org/fhir/sid/icd-10-cm"

json_t *seed_transaction(void)
{
    return json_pack("{s:s, s:s, s:[]}", "resourceType", "Bundle",
                     "type", "transaction", "entry");
}

void seed_put(json_t *bundle, json_t *resource)
{
    if (resource == NULL)
        return;
    char url[160];
    snprintf(url, sizeof url, "%s/%s",
             json_string_value(json_object_get(resource, "resourceType")),
             json_string_value(json_object_get(resource, "id")));
    json_array_append_new(json_object_get(bundle, "entry"),
                          json_pack("{s:o, s:{s:s, s:s}}", "resource", resource,
                                    "request", "method", "PUT", "url", url));
}

json_t *seed_patient_ref(const char *id)
{
    char ref[96];
    snprintf(ref, sizeof ref, "Patient/%s", id);
    return json_pack("{s:s}", "reference", ref);
}

json_t *seed_problem(const char *id, const char *patient, const char *icd10,
                     const char *display, const char *onset)
{
    return json_pack(
        "{s:s, s:s, s:{s:[{s:s, s:s}]}, s:{s:[{s:s, s:s}]},"
        " s:[{s:[{s:s, s:s}]}], s:{s:[{s:s, s:s, s:s}], s:s}, s:o, s:s, s:s}",
        "resourceType", "Condition", "id", id,
        "clinicalStatus", "coding", "system",
        "http://terminology.hl7.org/CodeSystem/condition-clinical", "code", "active",
        "verificationStatus", "coding", "system",
        "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code", "confirmed",
        "category", "coding", "system",
        "http://terminology.hl7.org/CodeSystem/condition-category", "code",
        "problem-list-item",
        "code", "coding", "system", ICD10CM, "code", icd10, "display", display,
        "text", display,
        "subject", seed_patient_ref(patient), "onsetDateTime", onset,
        "recordedDate", onset);
}

json_t *seed_medication(const char *id, const char *patient, const char *rxnorm,
                        const char *name, const char *sig, const char *since,
                        json_t *requester)
{
    json_t *r = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:[{s:s, s:s, s:s}], s:s}, s:o, s:s,"
        " s:[{s:s}]}",
        "resourceType", "MedicationRequest", "id", id, "status", "active",
        "intent", "order",
        "medicationCodeableConcept", "coding", "system", RXNORM, "code", rxnorm,
        "display", name, "text", name,
        "subject", seed_patient_ref(patient), "authoredOn", since,
        "dosageInstruction", "text", sig);
    if (r != NULL && requester != NULL)
        json_object_set_new(r, "requester", requester);
    else if (requester != NULL)
        json_decref(requester);
    return r;
}
