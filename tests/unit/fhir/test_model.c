/* test_model.c - lookups over the generated R4 tables (fhir/model.h).
 *
 * Pins what the validator and search extraction rely on: type lookup and
 * the list of concrete resource types, JSON member lookup including choice
 * members ("valueQuantity") and "_x" companions, backbone and
 * contentReference types, cardinality, reference targets, required value
 * sets, search parameters (compiled or marked unsupported with a reason)
 * and the Patient compartment. Also checks the tables' own invariants
 * (sorted, in range), since model.c binary-searches them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "fhir/model_int.h"

#define S(lit) SW_STR_LIT(lit)

static void test_types(void **state)
{
    (void)state;
    assert_int_equal(fhir_type_by_name(S("Patient")), FHIR_TYPE_Patient);
    assert_string_equal(fhir_type_name(FHIR_TYPE_Patient), "Patient");
    assert_int_equal(fhir_type_by_name(S("patient")), FHIR_TYPE_NONE);
    assert_int_equal(fhir_type_by_name(S("")), FHIR_TYPE_NONE);
    assert_int_equal(fhir_type_by_name(S("Patient.")), FHIR_TYPE_NONE);
    assert_string_equal(fhir_type_name(FHIR_TYPE_NONE), "");
    assert_null(fhir_type_get(FHIR_TYPE_NONE));

    fhir_type_id contact = fhir_type_by_name(S("Patient.contact"));
    assert_int_not_equal(contact, FHIR_TYPE_NONE);
    assert_int_equal(fhir_type_get(contact)->kind, FHIR_KIND_BACKBONE);
    assert_int_not_equal(fhir_type_by_name(S("Bundle.entry.request")), FHIR_TYPE_NONE);
    assert_int_not_equal(fhir_type_by_name(S("Timing.repeat")), FHIR_TYPE_NONE);

    assert_int_equal(fhir_type_get(FHIR_TYPE_HumanName)->kind, FHIR_KIND_DATATYPE);
    assert_int_equal(fhir_type_get(FHIR_TYPE_date)->kind, FHIR_KIND_PRIMITIVE);
    assert_int_equal(fhir_type_get(FHIR_TYPE_date)->prim, FHIR_PRIM_DATE);
    assert_int_equal(fhir_type_get(FHIR_TYPE_base64Binary)->prim, FHIR_PRIM_BASE64_BINARY);
    assert_int_equal(fhir_type_get(FHIR_TYPE_xhtml)->prim, FHIR_PRIM_XHTML);
    assert_true(fhir_type_get(FHIR_TYPE_Resource)->abstract);
    assert_true(fhir_type_get(FHIR_TYPE_DomainResource)->abstract);

    /* every primitive kind has exactly one type */
    for (int p = FHIR_PRIM_BOOLEAN; p < FHIR_PRIM__COUNT; p++) {
        int n = 0;
        for (fhir_type_id t = 0; t < FHIR_TYPE_COUNT; t++)
            n += fhir_type_get(t)->prim == p;
        assert_int_equal(n, 1);
    }

    assert_true(fhir_type_derives_from(FHIR_TYPE_Age, FHIR_TYPE_Quantity));
    assert_true(fhir_type_derives_from(FHIR_TYPE_SimpleQuantity, FHIR_TYPE_Quantity));
    assert_true(fhir_type_derives_from(FHIR_TYPE_Patient, FHIR_TYPE_DomainResource));
    assert_true(fhir_type_derives_from(FHIR_TYPE_Bundle, FHIR_TYPE_Resource));
    assert_false(fhir_type_derives_from(FHIR_TYPE_Bundle, FHIR_TYPE_DomainResource));
    assert_false(fhir_type_derives_from(FHIR_TYPE_Quantity, FHIR_TYPE_Age));
}

static void test_resource_types(void **state)
{
    (void)state;
    /* R4 4.0.1: 146 concrete resource types (the package's R4B
     * SubscriptionStatus is left out) */
    assert_int_equal(fhir_resource_type_count(), 146);
    assert_string_equal(fhir_type_name(fhir_resource_type_at(0)), "Account");
    assert_string_equal(fhir_type_name(fhir_resource_type_at(145)), "VisionPrescription");
    assert_int_equal(fhir_resource_type_at(146), FHIR_TYPE_NONE);
    for (size_t i = 0; i < fhir_resource_type_count(); i++) {
        const fhir_type *t = fhir_type_get(fhir_resource_type_at(i));
        assert_int_equal(t->kind, FHIR_KIND_RESOURCE);
        assert_false(t->abstract);
        if (i > 0)
            assert_true(strcmp(fhir_type_name(fhir_resource_type_at(i - 1)), t->name) < 0);
    }
    static const char *const yes[] = { "Patient", "Observation", "Bundle", "Binary",
                                       "Parameters", "AuditEvent", "ChargeItem" };
    static const char *const no[] = { "Resource", "DomainResource", "HumanName", "date",
                                      "Patient.contact", "SubscriptionStatus",
                                      "MetadataResource", "patient", "" };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_true(fhir_is_resource_type(sw_str_of(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_false(fhir_is_resource_type(sw_str_of(no[i])));
}

static void test_tables_sorted(void **state)
{
    (void)state;
    for (fhir_type_id t = 1; t < FHIR_TYPE_COUNT; t++)
        assert_true(strcmp(fhir_types[t - 1].name, fhir_types[t].name) < 0);
    for (fhir_type_id t = 0; t < FHIR_TYPE_COUNT; t++) {
        const fhir_type *ty = &fhir_types[t];
        assert_true(ty->elem_count <= FHIR_MAX_TYPE_ELEMENTS);
        for (size_t m = 1; m < ty->member_count; m++)
            assert_true(strcmp(fhir_members[ty->member_first + m - 1].name,
                               fhir_members[ty->member_first + m].name) < 0);
        for (size_t p = 1; p < ty->param_count; p++)
            assert_true(strcmp(fhir_type_params[ty->param_first + p - 1].code,
                               fhir_type_params[ty->param_first + p].code) < 0);
        for (size_t e = 0; e < ty->elem_count; e++)
            assert_int_equal(fhir_elements[ty->elem_first + e].owner, t);
    }
    for (int v = 0; v < FHIR_VALUESET_COUNT; v++) {
        if (v > 0)
            assert_true(strcmp(fhir_valuesets[v - 1].url, fhir_valuesets[v].url) < 0);
        const fhir_valueset *vs = &fhir_valuesets[v];
        for (size_t i = 1; i < vs->code_count; i++)
            assert_true(strcmp(fhir_vs_codes[vs->code_first + i - 1].code,
                               fhir_vs_codes[vs->code_first + i].code) <= 0);
    }
}

static void test_members(void **state)
{
    (void)state;
    fhir_member_info mi;

    assert_true(fhir_member_lookup(FHIR_TYPE_Patient, S("birthDate"), &mi));
    assert_string_equal(mi.element->name, "birthDate");
    assert_int_equal(mi.type, FHIR_TYPE_date);
    assert_false(mi.companion);
    assert_int_equal(mi.element->max, FHIR_MAX_1);

    assert_true(fhir_member_lookup(FHIR_TYPE_Patient, S("_birthDate"), &mi));
    assert_string_equal(mi.element->name, "birthDate");
    assert_true(mi.companion);

    /* companions exist only for primitives */
    assert_true(fhir_member_lookup(FHIR_TYPE_Patient, S("name"), &mi));
    assert_int_equal(mi.element->max, FHIR_MAX_MANY);
    assert_int_equal(mi.type, FHIR_TYPE_HumanName);
    assert_false(fhir_member_lookup(FHIR_TYPE_Patient, S("_name"), NULL));
    assert_false(fhir_member_lookup(FHIR_TYPE_Patient, S("nam"), NULL));
    assert_false(fhir_member_lookup(FHIR_TYPE_Patient, S("_"), NULL));
    assert_false(fhir_member_lookup(FHIR_TYPE_Patient, S(""), NULL));
    assert_false(fhir_member_lookup(FHIR_TYPE_Patient, S("resourceType"), NULL));

    /* choice members */
    assert_true(fhir_member_lookup(FHIR_TYPE_Observation, S("valueQuantity"), &mi));
    assert_string_equal(mi.element->name, "value");
    assert_true(mi.element->choice);
    assert_int_equal(mi.type, FHIR_TYPE_Quantity);
    assert_true(fhir_member_lookup(FHIR_TYPE_Observation, S("valueString"), &mi));
    assert_int_equal(mi.type, FHIR_TYPE_string);
    assert_true(fhir_member_lookup(FHIR_TYPE_Observation, S("_valueString"), &mi));
    assert_true(mi.companion);
    assert_true(fhir_member_lookup(FHIR_TYPE_Observation, S("effectiveDateTime"), &mi));
    assert_int_equal(mi.type, FHIR_TYPE_dateTime);
    assert_false(fhir_member_lookup(FHIR_TYPE_Observation, S("value"), NULL));
    assert_false(fhir_member_lookup(FHIR_TYPE_Observation, S("valueMoney"), NULL));
    assert_false(fhir_member_lookup(FHIR_TYPE_Observation, S("_valueQuantity"), NULL));
    assert_true(fhir_member_lookup(FHIR_TYPE_Patient, S("deceasedBoolean"), &mi));
    assert_int_equal(mi.type, FHIR_TYPE_boolean);
    assert_true(fhir_member_lookup(FHIR_TYPE_Extension, S("valueBase64Binary"), &mi));
    assert_int_equal(mi.type, FHIR_TYPE_base64Binary);

    /* a profiled choice type keeps the JSON name of its base type */
    fhir_type_id dr = fhir_type_by_name(S("Dosage.doseAndRate"));
    assert_true(fhir_member_lookup(dr, S("doseQuantity"), &mi));
    assert_int_equal(mi.type, FHIR_TYPE_SimpleQuantity);
    size_t n;
    fhir_type_elements(FHIR_TYPE_SimpleQuantity, &n);
    const fhir_element *cmp = fhir_element_by_name(FHIR_TYPE_SimpleQuantity, S("comparator"));
    assert_non_null(cmp);
    assert_int_equal(cmp->max, FHIR_MAX_0);

    /* backbone elements and contentReference */
    assert_true(fhir_member_lookup(FHIR_TYPE_Patient, S("contact"), &mi));
    assert_string_equal(fhir_type_name(mi.type), "Patient.contact");
    fhir_type_id entry = fhir_type_by_name(S("Bundle.entry"));
    assert_true(fhir_member_lookup(entry, S("link"), &mi));
    assert_string_equal(fhir_type_name(mi.type), "Bundle.link");
    assert_true(fhir_member_lookup(entry, S("resource"), &mi));
    assert_int_equal(mi.type, FHIR_TYPE_Resource);
    fhir_type_id item = fhir_type_by_name(S("Questionnaire.item"));
    assert_true(fhir_member_lookup(item, S("item"), &mi));
    assert_int_equal(mi.type, item);

    /* resources' own elements */
    assert_true(fhir_member_lookup(FHIR_TYPE_Patient, S("id"), &mi));
    assert_int_equal(mi.type, FHIR_TYPE_id);
    assert_true(fhir_member_lookup(FHIR_TYPE_Patient, S("contained"), &mi));
    assert_int_equal(mi.type, FHIR_TYPE_Resource);
    assert_true(fhir_member_lookup(FHIR_TYPE_Patient, S("meta"), &mi));
    assert_true(fhir_member_lookup(FHIR_TYPE_Bundle, S("id"), &mi));
    assert_false(fhir_member_lookup(FHIR_TYPE_Bundle, S("text"), NULL));
    assert_true(fhir_member_lookup(FHIR_TYPE_Extension, S("url"), &mi));
    assert_int_equal(mi.type, FHIR_TYPE_uri);
    assert_true(fhir_member_lookup(FHIR_TYPE_Element, S("id"), &mi));
    assert_int_equal(mi.type, FHIR_TYPE_string);
    assert_true(fhir_member_lookup(FHIR_TYPE_Narrative, S("div"), &mi));
    assert_int_equal(mi.type, FHIR_TYPE_xhtml);
}

static void test_elements(void **state)
{
    (void)state;
    const fhir_element *e = fhir_element_by_name(FHIR_TYPE_Observation, S("status"));
    assert_non_null(e);
    assert_int_equal(e->min, 1);
    assert_int_equal(e->max, FHIR_MAX_1);
    assert_int_equal(fhir_element_by_name(FHIR_TYPE_Extension, S("url"))->min, 1);

    e = fhir_element_by_name(FHIR_TYPE_Observation, S("value[x]"));
    assert_non_null(e);
    assert_ptr_equal(e, fhir_element_by_name(FHIR_TYPE_Observation, S("value")));
    assert_true(e->choice);
    assert_int_equal(e->ntypes, 11);
    bool quantity = false, period = false;
    for (size_t i = 0; i < e->ntypes; i++) {
        quantity |= fhir_element_type(e, i) == FHIR_TYPE_Quantity;
        period |= fhir_element_type(e, i) == FHIR_TYPE_Period;
    }
    assert_true(quantity && period);
    assert_int_equal(fhir_element_type(e, e->ntypes), FHIR_TYPE_NONE);

    /* element order is the definition's */
    size_t n;
    const fhir_element *els = fhir_type_elements(FHIR_TYPE_Patient, &n);
    assert_string_equal(els[0].name, "id");
    assert_string_equal(els[1].name, "meta");
    assert_true(n > 20);
    assert_int_equal(fhir_element_index(&els[0]), fhir_type_get(FHIR_TYPE_Patient)->elem_first);

    /* reference targets */
    e = fhir_element_by_name(FHIR_TYPE_Observation, S("subject"));
    assert_true(fhir_element_allows_target(e, FHIR_TYPE_Patient));
    assert_true(fhir_element_allows_target(e, FHIR_TYPE_Group));
    assert_true(fhir_element_allows_target(e, FHIR_TYPE_Device));
    assert_true(fhir_element_allows_target(e, FHIR_TYPE_Location));
    assert_false(fhir_element_allows_target(e, FHIR_TYPE_Practitioner));
    assert_int_equal(e->ntargets, 4);
    e = fhir_element_by_name(FHIR_TYPE_Patient, S("generalPractitioner"));
    assert_false(fhir_element_allows_target(e, FHIR_TYPE_Patient));
    assert_true(fhir_element_allows_target(e, FHIR_TYPE_PractitionerRole));
    /* Reference(Any) */
    e = fhir_element_by_name(FHIR_TYPE_Extension, S("value"));
    assert_int_equal(e->ntargets, 0);
    assert_true(fhir_element_allows_target(e, FHIR_TYPE_Patient));
    e = fhir_element_by_name(FHIR_TYPE_Provenance, S("target"));
    assert_int_equal(e->ntargets, 0);
}

static void test_value_sets(void **state)
{
    (void)state;
    const fhir_element *g = fhir_element_by_name(FHIR_TYPE_Patient, S("gender"));
    assert_true(g->binding >= 0);
    int vs = g->binding;
    assert_string_equal(fhir_valueset_get(vs)->url,
                        "http://hl7.org/fhir/ValueSet/administrative-gender");
    assert_int_equal(fhir_valueset_by_url(S("http://hl7.org/fhir/ValueSet/administrative-gender")), vs);
    assert_int_equal(fhir_valueset_by_url(S("http://hl7.org/fhir/ValueSet/nope")), -1);
    static const char *const codes[] = { "male", "female", "other", "unknown" };
    for (size_t i = 0; i < 4; i++)
        assert_true(fhir_valueset_has_code(vs, S(""), sw_str_of(codes[i])));
    assert_false(fhir_valueset_has_code(vs, S(""), S("femal")));
    assert_false(fhir_valueset_has_code(vs, S(""), S("Male")));
    assert_false(fhir_valueset_has_code(vs, S(""), S("")));
    assert_true(fhir_valueset_has_code(vs, S("http://hl7.org/fhir/administrative-gender"), S("male")));
    assert_false(fhir_valueset_has_code(vs, S("http://loinc.org"), S("male")));
    assert_true(fhir_valueset_has_system(vs, S("http://hl7.org/fhir/administrative-gender")));
    assert_false(fhir_valueset_has_system(vs, S("http://loinc.org")));
    assert_string_equal(fhir_valueset_system(vs, 0), "http://hl7.org/fhir/administrative-gender");
    assert_null(fhir_valueset_system(vs, 1));
    assert_int_equal(fhir_valueset_get(vs)->code_count, 4);

    /* required CodeableConcept binding */
    const fhir_element *cs = fhir_element_by_name(FHIR_TYPE_Condition, S("clinicalStatus"));
    assert_true(cs->binding >= 0);
    assert_true(fhir_valueset_has_code(cs->binding,
        S("http://terminology.hl7.org/CodeSystem/condition-clinical"), S("active")));
    assert_true(fhir_valueset_has_code(cs->binding,
        S("http://terminology.hl7.org/CodeSystem/condition-clinical"), S("remission")));

    /* a whole code system included by the value set */
    const fhir_element *st = fhir_element_by_name(FHIR_TYPE_Observation, S("status"));
    assert_true(fhir_valueset_has_code(st->binding, S(""), S("final")));
    assert_true(fhir_valueset_has_code(st->binding, S(""), S("entered-in-error")));
    assert_false(fhir_valueset_has_code(st->binding, S(""), S("done")));

    /* value sets that cannot be enumerated give no binding */
    fhir_type_id att = FHIR_TYPE_Attachment;
    assert_int_equal(fhir_element_by_name(att, S("contentType"))->binding, -1);
    assert_int_equal(fhir_element_by_name(FHIR_TYPE_Money, S("currency"))->binding, -1);
    /* preferred / extensible bindings are not enforced */
    assert_int_equal(fhir_element_by_name(FHIR_TYPE_Observation, S("category"))->binding, -1);
    assert_null(fhir_valueset_get(-1));
    assert_null(fhir_valueset_get(FHIR_VALUESET_COUNT));
}

static void test_search_params(void **state)
{
    (void)state;
    const fhir_type_param *p = fhir_search_param_find(FHIR_TYPE_Patient, S("birthdate"));
    assert_non_null(p);
    assert_true(p->unsupported == NULL);
    assert_int_equal(fhir_type_param_type(p), FHIR_PARAM_DATE);
    assert_string_equal(fhir_param_type_name(fhir_type_param_type(p)), "date");
    const fhir_search_param *def = fhir_type_param_def(p);
    assert_string_equal(def->code, "birthdate");
    assert_string_equal(def->url, "http://hl7.org/fhir/SearchParameter/individual-birthdate");
    assert_non_null(strstr(def->expression, "Patient.birthDate"));
    assert_int_equal(p->path_count, 1);

    assert_null(fhir_search_param_find(FHIR_TYPE_Patient, S("birthDate")));
    assert_null(fhir_search_param_find(FHIR_TYPE_Patient, S("")));
    assert_null(fhir_search_param_find(FHIR_TYPE_NONE, S("name")));

    /* Resource-level parameters apply to every type */
    for (size_t i = 0; i < fhir_resource_type_count(); i++) {
        fhir_type_id t = fhir_resource_type_at(i);
        const fhir_type_param *id = fhir_search_param_find(t, S("_id"));
        assert_non_null(id);
        assert_null(id->unsupported);
        assert_int_equal(fhir_type_param_type(id), FHIR_PARAM_TOKEN);
        assert_non_null(fhir_search_param_find(t, S("_lastUpdated")));
        /* full text search is not compiled */
        const fhir_type_param *content = fhir_search_param_find(t, S("_content"));
        assert_non_null(content);
        assert_non_null(content->unsupported);
    }
    /* _text is DomainResource's: Bundle has none */
    assert_null(fhir_search_param_find(FHIR_TYPE_Bundle, S("_text")));
    assert_non_null(fhir_search_param_find(FHIR_TYPE_Patient, S("_text")));

    /* unsupported ones say why */
    p = fhir_search_param_find(FHIR_TYPE_Observation, S("code-value-quantity"));
    assert_non_null(p);
    assert_int_equal(fhir_type_param_type(p), FHIR_PARAM_COMPOSITE);
    assert_string_equal(p->unsupported, "composite parameters are not compiled");
    p = fhir_search_param_find(FHIR_TYPE_Patient, S("deceased"));
    assert_non_null(strstr(p->unsupported, "exists()"));
    p = fhir_search_param_find(FHIR_TYPE_Location, S("near"));
    assert_int_equal(fhir_type_param_type(p), FHIR_PARAM_SPECIAL);
    assert_non_null(p->unsupported);

    /* what a clinic searches on is compiled */
    static const struct { fhir_type_id t; const char *code; fhir_param_type type; } want[] = {
        { FHIR_TYPE_Patient, "name", FHIR_PARAM_STRING },
        { FHIR_TYPE_Patient, "family", FHIR_PARAM_STRING },
        { FHIR_TYPE_Patient, "given", FHIR_PARAM_STRING },
        { FHIR_TYPE_Patient, "gender", FHIR_PARAM_TOKEN },
        { FHIR_TYPE_Patient, "identifier", FHIR_PARAM_TOKEN },
        { FHIR_TYPE_Patient, "phone", FHIR_PARAM_TOKEN },
        { FHIR_TYPE_Patient, "email", FHIR_PARAM_TOKEN },
        { FHIR_TYPE_Patient, "address-postalcode", FHIR_PARAM_STRING },
        { FHIR_TYPE_Patient, "general-practitioner", FHIR_PARAM_REFERENCE },
        { FHIR_TYPE_Observation, "patient", FHIR_PARAM_REFERENCE },
        { FHIR_TYPE_Observation, "subject", FHIR_PARAM_REFERENCE },
        { FHIR_TYPE_Observation, "code", FHIR_PARAM_TOKEN },
        { FHIR_TYPE_Observation, "category", FHIR_PARAM_TOKEN },
        { FHIR_TYPE_Observation, "date", FHIR_PARAM_DATE },
        { FHIR_TYPE_Observation, "status", FHIR_PARAM_TOKEN },
        { FHIR_TYPE_Observation, "value-quantity", FHIR_PARAM_QUANTITY },
        { FHIR_TYPE_Condition, "onset-date", FHIR_PARAM_DATE },
        { FHIR_TYPE_Condition, "clinical-status", FHIR_PARAM_TOKEN },
        { FHIR_TYPE_Encounter, "date", FHIR_PARAM_DATE },
        { FHIR_TYPE_Encounter, "practitioner", FHIR_PARAM_REFERENCE },
        { FHIR_TYPE_MedicationRequest, "authoredon", FHIR_PARAM_DATE },
        { FHIR_TYPE_MedicationRequest, "medication", FHIR_PARAM_REFERENCE },
        { FHIR_TYPE_MedicationRequest, "intent", FHIR_PARAM_TOKEN },
        { FHIR_TYPE_Appointment, "actor", FHIR_PARAM_REFERENCE },
        { FHIR_TYPE_Appointment, "practitioner", FHIR_PARAM_REFERENCE },
        { FHIR_TYPE_Appointment, "date", FHIR_PARAM_DATE },
        { FHIR_TYPE_InsurancePlan, "name", FHIR_PARAM_STRING },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        p = fhir_search_param_find(want[i].t, sw_str_of(want[i].code));
        if (p == NULL || p->unsupported != NULL)
            fail_msg("%s.%s not compiled: %s", fhir_type_name(want[i].t), want[i].code,
                     p ? p->unsupported : "missing");
        assert_int_equal(fhir_type_param_type(p), want[i].type);
    }

    /* reference targets of a parameter */
    def = fhir_type_param_def(fhir_search_param_find(FHIR_TYPE_Observation, S("subject")));
    assert_int_equal(fhir_search_param_target_count(def), 4);
    assert_int_equal(fhir_search_param_target(def, 4), FHIR_TYPE_NONE);

    size_t n;
    const fhir_type_param *all = fhir_search_params_of(FHIR_TYPE_Patient, &n);
    assert_true(n >= 30);
    assert_string_equal(all[0].code, "_content");
}

static void test_compartment(void **state)
{
    (void)state;
    static const struct { fhir_type_id t; const char *codes; } want[] = {
        { FHIR_TYPE_Observation, "performer subject" },
        { FHIR_TYPE_AllergyIntolerance, "asserter patient recorder" },
        { FHIR_TYPE_Appointment, "actor" },
        { FHIR_TYPE_Encounter, "subject" },   /* as the pinned definitions say */
        { FHIR_TYPE_Patient, "link" },
        { FHIR_TYPE_Organization, "" },
        { FHIR_TYPE_Practitioner, "" },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char got[256] = "";
        size_t n = fhir_compartment_param_count(want[i].t);
        for (size_t k = 0; k < n; k++) {
            const fhir_type_param *p = fhir_compartment_param(want[i].t, k);
            assert_non_null(p);
            strcat(got, k ? " " : "");
            strcat(got, p->code);
        }
        assert_null(fhir_compartment_param(want[i].t, n));
        if (strcmp(got, want[i].codes) != 0)
            fail_msg("%s: got '%s', want '%s'", fhir_type_name(want[i].t), got, want[i].codes);
    }
    assert_int_equal(fhir_compartment_param_count(FHIR_TYPE_NONE), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_resource_types),
        cmocka_unit_test(test_tables_sorted),
        cmocka_unit_test(test_members),
        cmocka_unit_test(test_elements),
        cmocka_unit_test(test_value_sets),
        cmocka_unit_test(test_search_params),
        cmocka_unit_test(test_compartment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
