/* vitals.c - vital signs as FHIR Observations (see vitals.h). */
#include "vitals.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "fhir/write.h"

#define LOINC     "http://loinc.org"
#define UCUM      "http://unitsofmeasure.org"
#define SNOMED    "http://snomed.info/sct"
#define CATEGORY  "http://terminology.hl7.org/CodeSystem/observation-category"

static const vitals_smoking smoking[] = {
    { "current_every_day", "449868002",       "Smokes tobacco daily" },
    { "current_some_day",  "428041000124106", "Occasional tobacco smoker" },
    { "former",            "8517006",         "Ex-smoker" },
    { "never",             "266919005",       "Never smoked tobacco" },
    { "current_unknown",   "77176002",        "Smoker" },
    { "unknown",           "266927001",       "Tobacco smoking consumption unknown" },
};

const vitals_smoking *vitals_smoking_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof smoking / sizeof smoking[0]; i++)
        if (strcmp(smoking[i].name, name) == 0)
            return &smoking[i];
    return NULL;
}

const vitals_smoking *vitals_smoking_all(int *n)
{
    *n = (int)(sizeof smoking / sizeof smoking[0]);
    return smoking;
}

static int out_of_range(sw_err *err, const char *field, double lo, double hi,
                        const char *unit)
{
    return sw_err_set(err, SW_EINVAL, "\"%s\" must be from %g to %g %s",
                      field, lo, hi, unit);
}

int vitals_check(const vitals_set *v, sw_err *err)
{
    if (v->has_height && !(v->height_cm >= 20 && v->height_cm <= 272))
        return out_of_range(err, "height_cm", 20, 272, "cm");
    if (v->has_weight && !(v->weight_kg >= 0.2 && v->weight_kg <= 650))
        return out_of_range(err, "weight_kg", 0.2, 650, "kg");
    if (v->has_bp) {
        if (v->systolic < 40 || v->systolic > 300)
            return out_of_range(err, "systolic", 40, 300, "mm[Hg]");
        if (v->diastolic < 20 || v->diastolic > 200)
            return out_of_range(err, "diastolic", 20, 200, "mm[Hg]");
        if (v->diastolic >= v->systolic)
            return sw_err_set(err, SW_EINVAL, "\"diastolic\" must be below "
                              "\"systolic\"");
    }
    if (v->has_heart_rate && (v->heart_rate < 20 || v->heart_rate > 300))
        return out_of_range(err, "heart_rate", 20, 300, "/min");
    if (v->has_resp_rate && (v->resp_rate < 2 || v->resp_rate > 100))
        return out_of_range(err, "respiratory_rate", 2, 100, "/min");
    if (v->has_temperature && !(v->temperature_c >= 25 && v->temperature_c <= 46))
        return out_of_range(err, "temperature_c", 25, 46, "Cel");
    if (v->has_spo2 && (v->spo2 < 40 || v->spo2 > 100))
        return out_of_range(err, "spo2", 40, 100, "%");
    if (!(v->has_height || v->has_weight || v->has_bp || v->has_heart_rate
          || v->has_resp_rate || v->has_temperature || v->has_spo2
          || v->smoking))
        return sw_err_set(err, SW_EINVAL, "give at least one measure or the "
                          "smoking status");
    return SW_OK;
}

double vitals_bmi(double height_cm, double weight_kg)
{
    double m = height_cm / 100.0;
    return round(weight_kg / (m * m) * 10.0) / 10.0;
}

/* ---- Writing the Bundle -------------------------------------------------- */

struct ctx {
    sw_jw      *w;
    const char *patient, *encounter, *effective;
};

static void concept(sw_jw *w, const char *system, const char *code,
                    const char *display)
{
    fhir_write_concept(w, system, code, display, display);
}

static void quantity(sw_jw *w, double value, int decimals, const char *unit)
{
    char lexeme[32];
    snprintf(lexeme, sizeof lexeme, "%.*f", decimals, value);
    sw_jw_object_begin(w);
    sw_jw_key(w, "value");
    sw_jw_number(w, lexeme);
    sw_jw_key(w, "unit");
    sw_jw_string(w, unit);
    sw_jw_key(w, "system");
    sw_jw_string(w, UCUM);
    sw_jw_key(w, "code");
    sw_jw_string(w, unit);
    sw_jw_object_end(w);
}

/* Opens an entry and its Observation up to the code; the caller adds the
 * value and calls end_observation. */
static void begin_observation(struct ctx *c, const char *category,
                              const char *category_display, const char *code,
                              const char *display)
{
    sw_jw *w = c->w;
    char ref[160];
    sw_jw_object_begin(w);
    sw_jw_key(w, "resource");
    sw_jw_object_begin(w);
    sw_jw_key(w, "resourceType");
    sw_jw_string(w, "Observation");
    sw_jw_key(w, "status");
    sw_jw_string(w, "final");
    sw_jw_key(w, "category");
    sw_jw_array_begin(w);
    concept(w, CATEGORY, category, category_display);
    sw_jw_array_end(w);
    sw_jw_key(w, "code");
    concept(w, LOINC, code, display);
    sw_jw_key(w, "subject");
    sw_jw_object_begin(w);
    snprintf(ref, sizeof ref, "Patient/%s", c->patient);
    sw_jw_key(w, "reference");
    sw_jw_string(w, ref);
    sw_jw_object_end(w);
    if (c->encounter) {
        snprintf(ref, sizeof ref, "Encounter/%s", c->encounter);
        sw_jw_key(w, "encounter");
        sw_jw_object_begin(w);
        sw_jw_key(w, "reference");
        sw_jw_string(w, ref);
        sw_jw_object_end(w);
    }
    sw_jw_key(w, "effectiveDateTime");
    sw_jw_string(w, c->effective);
}

static void end_observation(struct ctx *c)
{
    sw_jw *w = c->w;
    sw_jw_object_end(w);                 /* resource */
    sw_jw_key(w, "request");
    sw_jw_object_begin(w);
    sw_jw_key(w, "method");
    sw_jw_string(w, "POST");
    sw_jw_key(w, "url");
    sw_jw_string(w, "Observation");
    sw_jw_object_end(w);
    sw_jw_object_end(w);                 /* entry */
}

static void vital(struct ctx *c, const char *code, const char *display,
                  double value, int decimals, const char *unit)
{
    begin_observation(c, "vital-signs", "Vital Signs", code, display);
    sw_jw_key(c->w, "valueQuantity");
    quantity(c->w, value, decimals, unit);
    end_observation(c);
}

static void bp_component(sw_jw *w, const char *code, const char *display,
                         int value)
{
    sw_jw_object_begin(w);
    sw_jw_key(w, "code");
    concept(w, LOINC, code, display);
    sw_jw_key(w, "valueQuantity");
    quantity(w, value, 0, "mm[Hg]");
    sw_jw_object_end(w);
}

int vitals_bundle(const vitals_set *v, const char *patient_id,
                  const char *encounter_id, const char *effective,
                  sw_buf *out)
{
    sw_jw w;
    sw_jw_init(&w, out);
    struct ctx c = { &w, patient_id, encounter_id, effective };
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "resourceType");
    sw_jw_string(&w, "Bundle");
    sw_jw_key(&w, "type");
    sw_jw_string(&w, "transaction");
    sw_jw_key(&w, "entry");
    sw_jw_array_begin(&w);
    if (v->has_height)
        vital(&c, "8302-2", "Body height", v->height_cm, 1, "cm");
    if (v->has_weight)
        vital(&c, "29463-7", "Body weight", v->weight_kg, 2, "kg");
    if (v->has_height && v->has_weight)
        vital(&c, "39156-5", "Body mass index (BMI) [Ratio]",
              vitals_bmi(v->height_cm, v->weight_kg), 1, "kg/m2");
    if (v->has_bp) {
        begin_observation(&c, "vital-signs", "Vital Signs", "85354-9",
                          "Blood pressure panel with all children optional");
        sw_jw_key(&w, "component");
        sw_jw_array_begin(&w);
        bp_component(&w, "8480-6", "Systolic blood pressure", v->systolic);
        bp_component(&w, "8462-4", "Diastolic blood pressure", v->diastolic);
        sw_jw_array_end(&w);
        end_observation(&c);
    }
    if (v->has_heart_rate)
        vital(&c, "8867-4", "Heart rate", v->heart_rate, 0, "/min");
    if (v->has_resp_rate)
        vital(&c, "9279-1", "Respiratory rate", v->resp_rate, 0, "/min");
    if (v->has_temperature)
        vital(&c, "8310-5", "Body temperature", v->temperature_c, 1, "Cel");
    if (v->has_spo2)
        vital(&c, "59408-5", "Oxygen saturation in Arterial blood by Pulse "
              "oximetry", v->spo2, 0, "%");
    const vitals_smoking *s = vitals_smoking_find(v->smoking);
    if (s) {
        begin_observation(&c, "social-history", "Social History", "72166-2",
                          "Tobacco smoking status");
        sw_jw_key(&w, "valueCodeableConcept");
        concept(&w, SNOMED, s->snomed, s->display);
        end_observation(&c);
    }
    sw_jw_array_end(&w);
    sw_jw_object_end(&w);
    return sw_jw_finish(&w);
}
