/* vitals.h - recording vital signs and smoking status as FHIR
 * Observations, with the body mass index computed.
 *
 * A set of vitals taken at one time becomes one Observation per measure,
 * coded as the FHIR vital-signs profiles require (LOINC code, category
 * vital-signs, UCUM units): height 8302-2 (cm), weight 29463-7 (kg), BMI
 * 39156-5 (kg/m2, from this set's height and weight, one decimal), blood
 * pressure panel 85354-9 with systolic 8480-6 and diastolic 8462-4
 * (mm[Hg]), heart rate 8867-4 (/min), respiratory rate 9279-1 (/min), body
 * temperature 8310-5 (Cel), oxygen saturation 59408-5 (%). Smoking status
 * is 72166-2 (category social-history) with a SNOMED CT answer. All of them
 * are written as one FHIR transaction (vitals_bundle), so a set is saved
 * whole or not at all. */
#ifndef SW_CLINICAL_VITALS_H
#define SW_CLINICAL_VITALS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"

/* A measure that was not given has its has_ flag false. */
typedef struct vitals_set {
    bool   has_height, has_weight, has_bp, has_heart_rate, has_resp_rate,
           has_temperature, has_spo2;
    double height_cm, weight_kg, temperature_c;
    int    systolic, diastolic, heart_rate, resp_rate, spo2;
    const char *smoking;      /* a vitals_smoking name, or NULL */
} vitals_set;

/* The smoking status answers a user picks from, by name. */
typedef struct vitals_smoking {
    const char *name;         /* "never", "former", "current_every_day", … */
    const char *snomed;
    const char *display;
} vitals_smoking;

const vitals_smoking *vitals_smoking_find(const char *name);
/* The table, for documentation and the web app; *n gets its length. */
const vitals_smoking *vitals_smoking_all(int *n);

/* Checks each value against the range a living patient can have (height
 * 20-272 cm, weight 0.2-650 kg, systolic 40-300 above diastolic 20-200,
 * heart rate 20-300, respiratory rate 2-100, temperature 25-46 C, SpO2
 * 40-100), that at least one measure is given, and both blood pressures or
 * neither. SW_EINVAL with a sentence naming the field otherwise. */
int vitals_check(const vitals_set *v, sw_err *err);

/* BMI rounded to one decimal, from height in cm and weight in kg. */
double vitals_bmi(double height_cm, double weight_kg);

/* Writes the transaction Bundle (JSON text) that creates the set's
 * Observations for Patient/patient_id (and Encounter/encounter_id when not
 * NULL), effective at effective (an ISO instant). */
int vitals_bundle(const vitals_set *v, const char *patient_id,
                  const char *encounter_id, const char *effective,
                  sw_buf *out);

#endif
