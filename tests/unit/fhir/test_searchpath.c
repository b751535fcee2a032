/* test_searchpath.c - search-parameter paths evaluated on real resources
 * (fhir/searchpath.h).
 *
 * Each case names a resource (an official R4 example from
 * tests/data/fhir-r4-examples, or inline JSON with single quotes), a
 * search parameter code, and what the parameter must select: every node
 * as "Type:json" in order. Covered: simple paths, choice types (onset,
 * effective, medication[x], value[x]), where(system='phone') filters,
 * where(resolve() is Patient) on relative, absolute, contained and typed
 * references, and parameters that select nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/errors.h"
#include "fhir/searchpath.h"
#include "fhir_test.h"

static int setup(void **state)
{
    *state = sw_arena_create(0);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    sw_arena_destroy(*state);
    return 0;
}

typedef struct collect {
    sw_buf buf;
    int    count;
    int    stop_after;      /* 0: never */
} collect;

static int on_node(void *arg, const fhir_type_param *tp, const sw_json *node, fhir_type_id type)
{
    collect *c = arg;
    (void)tp;
    if (c->count++)
        sw_buf_puts(&c->buf, " | ");
    sw_buf_printf(&c->buf, "%s:", fhir_type_name(type));
    assert_int_equal(sw_json_write(&c->buf, node), SW_OK);
    if (c->stop_after && c->count == c->stop_after)
        return 42;
    return 0;
}

/* What parameter code of the resource's type selects, as text. */
static const char *eval(sw_arena *a, const sw_json *res, const char *code)
{
    const char *rt = sw_json_get_string(res, "resourceType");
    assert_non_null(rt);
    fhir_type_id t = fhir_type_by_name(sw_str_of(rt));
    const fhir_type_param *tp = fhir_search_param_find(t, sw_str_of(code));
    if (tp == NULL)
        fail_msg("%s has no search parameter %s", rt, code);
    if (!fhir_search_supported(tp))
        fail_msg("%s.%s is unsupported: %s", rt, code, tp->unsupported);
    collect c = { .buf = SW_BUF_INIT(1024 * 1024) };
    assert_int_equal(fhir_search_eval(tp, res, on_node, &c), 0);
    const char *out = sw_arena_strdup(a, sw_buf_str(&c.buf));
    sw_buf_free(&c.buf);
    return out;
}

static const struct {
    const char *file;   /* in tests/data/fhir-r4-examples, or NULL */
    const char *json;   /* inline resource when file is NULL */
    const char *code;
    const char *want;
} cases[] = {
    /* Patient */
    { "Patient-example.json", NULL, "family", "string:\"Chalmers\" | string:\"Windsor\"" },
    { "Patient-example.json", NULL, "given",
      "string:\"Peter\" | string:\"James\" | string:\"Jim\" | string:\"Peter\" | string:\"James\"" },
    { "Patient-example.json", NULL, "birthdate", "date:\"1974-12-25\"" },
    { NULL, "{'resourceType':'Patient','name':[{'family':'A'},{'text':'B C'}]}", "name",
      "HumanName:{\"family\":\"A\"} | HumanName:{\"text\":\"B C\"}" },
    { "Patient-example.json", NULL, "identifier",
      "Identifier:{\"use\":\"usual\",\"type\":{\"coding\":[{\"system\":"
      "\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]},"
      "\"system\":\"urn:oid:1.2.36.146.595.217.0.1\",\"value\":\"12345\","
      "\"period\":{\"start\":\"2001-05-06\"},\"assigner\":{\"display\":\"Acme Healthcare\"}}" },
    { "Patient-example.json", NULL, "gender", "code:\"male\"" },
    { "Patient-example.json", NULL, "_id", "id:\"example\"" },
    { "Patient-example.json", NULL, "address-postalcode", "string:\"3999\"" },
    { "Patient-example.json", NULL, "address-city", "string:\"PleasantVille\"" },
    { "Patient-example.json", NULL, "organization", "Reference:{\"reference\":\"Organization/1\"}" },
    { "Patient-example.json", NULL, "phone",
      "ContactPoint:{\"system\":\"phone\",\"value\":\"(03) 5555 6473\",\"use\":\"work\",\"rank\":1} | "
      "ContactPoint:{\"system\":\"phone\",\"value\":\"(03) 3410 5613\",\"use\":\"mobile\",\"rank\":2} | "
      "ContactPoint:{\"system\":\"phone\",\"value\":\"(03) 5555 8834\",\"use\":\"old\",\"period\":{\"end\":\"2014\"}}" },
    { "Patient-example.json", NULL, "email", "" },
    { "Patient-example.json", NULL, "general-practitioner", "" },
    { "Patient-f001.json", NULL, "email",
      "ContactPoint:{\"system\":\"email\",\"value\":\"p.heuvel@gmail.com\",\"use\":\"home\"}" },
    { "Patient-f001.json", NULL, "phone",
      "ContactPoint:{\"system\":\"phone\",\"value\":\"0648352638\",\"use\":\"mobile\"}" },
    { "Patient-f001.json", NULL, "address-postalcode", "string:\"1024 RJ\"" },
    { NULL, "{'resourceType':'Patient','generalPractitioner':[{'reference':'Practitioner/1'},"
            "{'reference':'Organization/2'}]}", "general-practitioner",
      "Reference:{\"reference\":\"Practitioner/1\"} | Reference:{\"reference\":\"Organization/2\"}" },
    { NULL, "{'resourceType':'Patient','name':[{'given':['A',null],'_given':[null,{'id':'x'}]}]}",
      "given", "string:\"A\"" },
    { NULL, "{'resourceType':'Patient','deceasedDateTime':'2020-01-01'}", "death-date",
      "dateTime:\"2020-01-01\"" },
    { NULL, "{'resourceType':'Patient','deceasedBoolean':true}", "death-date", "" },

    /* Observation */
    { "Observation-f001.json", NULL, "subject",
      "Reference:{\"reference\":\"Patient/f001\",\"display\":\"P. van de Heuvel\"}" },
    { "Observation-f001.json", NULL, "patient",
      "Reference:{\"reference\":\"Patient/f001\",\"display\":\"P. van de Heuvel\"}" },
    { "Observation-f001.json", NULL, "code",
      "CodeableConcept:{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"15074-8\","
      "\"display\":\"Glucose [Moles/volume] in Blood\"}]}" },
    { "Observation-f001.json", NULL, "date", "Period:{\"start\":\"2013-04-02T09:30:10+01:00\"}" },
    { "Observation-f001.json", NULL, "status", "code:\"final\"" },
    { "Observation-f001.json", NULL, "value-quantity",
      "Quantity:{\"value\":6.3,\"unit\":\"mmol/l\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mmol/L\"}" },
    { "Observation-blood-pressure.json", NULL, "date", "dateTime:\"2012-09-17\"" },
    { "Observation-blood-pressure.json", NULL, "category",
      "CodeableConcept:{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/observation-category\","
      "\"code\":\"vital-signs\",\"display\":\"Vital Signs\"}]}" },
    { "Observation-blood-pressure.json", NULL, "value-quantity", "" },
    { "Observation-blood-pressure.json", NULL, "component-value-quantity",
      "Quantity:{\"value\":107,\"unit\":\"mmHg\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mm[Hg]\"} | "
      "Quantity:{\"value\":60,\"unit\":\"mmHg\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mm[Hg]\"}" },
    { "Observation-blood-pressure.json", NULL, "patient", "Reference:{\"reference\":\"Patient/example\"}" },
    { "Observation-bmi.json", NULL, "value-quantity",
      "Quantity:{\"value\":16.2,\"unit\":\"kg/m2\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"kg/m2\"}" },
    /* decimals keep their lexeme */
    { NULL, "{'resourceType':'Observation','status':'final','code':{'text':'x'},"
            "'valueQuantity':{'value':1.50,'unit':'m'}}", "value-quantity",
      "Quantity:{\"value\":1.50,\"unit\":\"m\"}" },
    { NULL, "{'resourceType':'Observation','status':'final','code':{'text':'x'},"
            "'valueCodeableConcept':{'text':'pos'}}", "value-concept",
      "CodeableConcept:{\"text\":\"pos\"}" },
    { NULL, "{'resourceType':'Observation','status':'final','code':{'text':'x'},"
            "'valueCodeableConcept':{'text':'pos'}}", "value-string", "string:\"pos\"" },
    /* resolve() is Patient: only references to a Patient */
    { NULL, "{'resourceType':'Observation','subject':{'reference':'Group/1'}}", "patient", "" },
    { NULL, "{'resourceType':'Observation','subject':{'reference':'Group/1'}}", "subject",
      "Reference:{\"reference\":\"Group/1\"}" },
    { NULL, "{'resourceType':'Observation','subject':{'reference':'https://x.org/fhir/Patient/7/_history/2'}}",
      "patient", "Reference:{\"reference\":\"https://x.org/fhir/Patient/7/_history/2\"}" },
    { NULL, "{'resourceType':'Observation','contained':[{'resourceType':'Patient','id':'p1'}],"
            "'subject':{'reference':'#p1'}}", "patient", "Reference:{\"reference\":\"#p1\"}" },
    { NULL, "{'resourceType':'Observation','contained':[{'resourceType':'Group','id':'p1'}],"
            "'subject':{'reference':'#p1'}}", "patient", "" },
    { NULL, "{'resourceType':'Observation','subject':{'reference':'urn:uuid:c757873d-ec9a-4326-a141-556f43239520',"
            "'type':'Patient'}}", "patient",
      "Reference:{\"reference\":\"urn:uuid:c757873d-ec9a-4326-a141-556f43239520\",\"type\":\"Patient\"}" },
    { NULL, "{'resourceType':'Observation','subject':{'reference':'urn:uuid:c757873d-ec9a-4326-a141-556f43239520'}}",
      "patient", "" },

    /* Condition */
    { "Condition-f201.json", NULL, "onset-date", "dateTime:\"2013-04-02\"" },
    { "Condition-f201.json", NULL, "clinical-status",
      "CodeableConcept:{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-clinical\","
      "\"code\":\"resolved\"}]}" },
    { "Condition-example.json", NULL, "patient", "Reference:{\"reference\":\"Patient/example\"}" },
    { NULL, "{'resourceType':'Condition','onsetPeriod':{'start':'2020'}}", "onset-date",
      "Period:{\"start\":\"2020\"}" },
    { NULL, "{'resourceType':'Condition','onsetAge':{'value':40}}", "onset-date", "" },
    { NULL, "{'resourceType':'Condition','onsetAge':{'value':40}}", "onset-age", "Age:{\"value\":40}" },
    { NULL, "{'resourceType':'Condition','onsetString':'childhood'}", "onset-info",
      "string:\"childhood\"" },

    /* MedicationRequest */
    { "MedicationRequest-medrx0302.json", NULL, "authoredon", "dateTime:\"2015-01-15\"" },
    { "MedicationRequest-medrx0302.json", NULL, "medication", "Reference:{\"reference\":\"#med0320\"}" },
    { "MedicationRequest-medrx0302.json", NULL, "code", "" },
    { "MedicationRequest-medrx002.json", NULL, "medication",
      "Reference:{\"reference\":\"Medication/med0316\",\"display\":\"prescribed medication\"}" },
    { "MedicationRequest-medrx002.json", NULL, "patient",
      "Reference:{\"reference\":\"Patient/pat1\",\"display\":\"Donald Duck\"}" },
    { NULL, "{'resourceType':'MedicationRequest','medicationCodeableConcept':{'text':'aspirin'}}",
      "code", "CodeableConcept:{\"text\":\"aspirin\"}" },
    { NULL, "{'resourceType':'MedicationRequest','medicationCodeableConcept':{'text':'aspirin'}}",
      "medication", "" },

    /* Appointment */
    { "Appointment-example.json", NULL, "actor",
      "Reference:{\"reference\":\"Patient/example\",\"display\":\"Peter James Chalmers\"} | "
      "Reference:{\"reference\":\"Practitioner/example\",\"display\":\"Dr Adam Careful\"} | "
      "Reference:{\"reference\":\"Location/1\",\"display\":\"South Wing, second floor\"}" },
    { "Appointment-example.json", NULL, "practitioner",
      "Reference:{\"reference\":\"Practitioner/example\",\"display\":\"Dr Adam Careful\"}" },
    { "Appointment-example.json", NULL, "patient",
      "Reference:{\"reference\":\"Patient/example\",\"display\":\"Peter James Chalmers\"}" },
    { "Appointment-example.json", NULL, "location",
      "Reference:{\"reference\":\"Location/1\",\"display\":\"South Wing, second floor\"}" },
    { "Appointment-example.json", NULL, "date", "instant:\"2013-12-10T09:00:00Z\"" },
    { "Appointment-example.json", NULL, "status", "code:\"booked\"" },

    /* Encounter */
    { "Encounter-f001.json", NULL, "practitioner",
      "Reference:{\"reference\":\"Practitioner/f002\",\"display\":\"P. Voigt\"}" },
    { NULL, "{'resourceType':'Encounter','period':{'start':'2020-01-01T10:00:00Z'},"
            "'participant':[{'individual':{'reference':'RelatedPerson/1'}}]}", "date",
      "Period:{\"start\":\"2020-01-01T10:00:00Z\"}" },
    { NULL, "{'resourceType':'Encounter','participant':[{'individual':{'reference':'RelatedPerson/1'}}]}",
      "practitioner", "" },
    { NULL, "{'resourceType':'Encounter','participant':[{'individual':{'reference':'RelatedPerson/1'}}]}",
      "participant", "Reference:{\"reference\":\"RelatedPerson/1\"}" },

    /* others of the clinical record */
    { "Immunization-example.json", NULL, "date", "dateTime:\"2013-01-10\"" },
    { "DiagnosticReport-f201.json", NULL, "date", "dateTime:\"2012-12-01T12:00:00+01:00\"" },
    { "MedicationStatement-example001.json", NULL, "medication", "Reference:{\"reference\":\"#med0309\"}" },
    { NULL, "{'resourceType':'InsurancePlan','name':'Gold','alias':['G']}", "name",
      "string:\"Gold\" | string:\"G\"" },
};

static void test_cases(void **state)
{
    sw_arena *a = *state;
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sw_json *res;
        if (cases[i].json != NULL) {
            res = ft_parse(a, cases[i].json);
        } else {
            char rel[256];
            snprintf(rel, sizeof rel, "fhir-r4-examples/%s", cases[i].file);
            res = ft_load(a, rel);
        }
        const char *got = eval(a, res, cases[i].code);
        if (strcmp(got, cases[i].want) != 0) {
            printf("case %zu (%s %s):\n  want: %s\n  got:  %s\n", i,
                   cases[i].file ? cases[i].file : cases[i].json, cases[i].code, cases[i].want, got);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_reference_target_type(void **state)
{
    sw_arena *a = *state;
    static const struct { const char *ref; const char *type; } cases2[] = {
        { "{'reference':'Patient/1'}", "Patient" },
        { "{'reference':'Patient/1/_history/3'}", "Patient" },
        { "{'reference':'http://example.org/fhir/Observation/1'}", "Observation" },
        { "{'reference':'http://example.org/fhir/Observation/1/_history/2'}", "Observation" },
        { "{'reference':'Patient?identifier=x|1'}", "Patient" },
        { "{'reference':'urn:uuid:c757873d-ec9a-4326-a141-556f43239520'}", "" },
        { "{'reference':'urn:uuid:c757873d-ec9a-4326-a141-556f43239520','type':'Practitioner'}", "Practitioner" },
        { "{'type':'http://hl7.org/fhir/StructureDefinition/Location'}", "Location" },
        { "{'reference':'Nope/1'}", "" },
        { "{'reference':'Resource/1'}", "" },
        { "{'reference':'#c1'}", "Medication" },
        { "{'reference':'#c2'}", "" },
        { "{'identifier':{'value':'1'}}", "" },
        { "{'display':'x'}", "" },
    };
    sw_json *container = ft_parse(a, "{'resourceType':'MedicationRequest','contained':["
                                     "{'resourceType':'Medication','id':'c1'}]}");
    for (size_t i = 0; i < sizeof cases2 / sizeof *cases2; i++) {
        sw_json *ref = ft_parse(a, cases2[i].ref);
        const char *got = fhir_type_name(fhir_reference_target_type(ref, container));
        if (strcmp(got, cases2[i].type) != 0)
            fail_msg("%s: got '%s', want '%s'", cases2[i].ref, got, cases2[i].type);
    }
    assert_int_equal(fhir_reference_target_type(NULL, NULL), FHIR_TYPE_NONE);
}

static void test_unsupported_and_all(void **state)
{
    sw_arena *a = *state;
    sw_json *p = ft_load(a, "fhir-r4-examples/Patient-example.json");
    collect c = { .buf = SW_BUF_INIT(1024 * 1024) };

    /* an unsupported parameter selects nothing */
    const fhir_type_param *dec = fhir_search_param_find(FHIR_TYPE_Patient, SW_STR_LIT("deceased"));
    assert_false(fhir_search_supported(dec));
    assert_int_equal(fhir_search_eval(dec, p, on_node, &c), 0);
    assert_int_equal(c.count, 0);

    /* all supported parameters at once */
    assert_int_equal(fhir_search_eval_all(p, on_node, &c), 0);
    assert_true(c.count > 20);

    /* a nonzero return stops the walk and comes back */
    collect stop = { .buf = SW_BUF_INIT(1024 * 1024), .stop_after = 2 };
    assert_int_equal(fhir_search_eval_all(p, on_node, &stop), 42);
    assert_int_equal(stop.count, 2);

    sw_json *bad = ft_parse(a, "{'resourceType':'Nope'}");
    assert_int_equal(fhir_search_eval_all(bad, on_node, &c), SW_EINVAL);
    bad = ft_parse(a, "{'name':'x'}");
    assert_int_equal(fhir_search_eval_all(bad, on_node, &c), SW_EINVAL);
    sw_buf_free(&c.buf);
    sw_buf_free(&stop.buf);
}

/* Every supported parameter of every example selects only nodes of the
 * type its path promises, shaped as that type is in JSON. */
typedef struct shape_check {
    int nodes;
} shape_check;

static int check_shape(void *arg, const fhir_type_param *tp, const sw_json *node, fhir_type_id type)
{
    shape_check *s = arg;
    const fhir_type *t = fhir_type_get(type);
    assert_non_null(t);
    if (t->kind == FHIR_KIND_PRIMITIVE) {
        if (node->kind == SW_JSON_OBJECT || node->kind == SW_JSON_ARRAY || node->kind == SW_JSON_NULL)
            fail_msg("%s selected a %d for primitive %s", tp->code, node->kind, t->name);
    } else if (node->kind != SW_JSON_OBJECT) {
        fail_msg("%s selected a %d for %s", tp->code, node->kind, t->name);
    }
    s->nodes++;
    return 0;
}

static void test_every_example(void **state)
{
    sw_arena *a = *state;
    size_t n;
    char **names = ft_list_json(a, "fhir-r4-examples", &n);
    shape_check s = { 0 };
    for (size_t i = 0; i < n; i++) {
        char rel[512];
        snprintf(rel, sizeof rel, "fhir-r4-examples/%s", names[i]);
        sw_json *res = ft_load(a, rel);
        assert_int_equal(fhir_search_eval_all(res, check_shape, &s), 0);
        /* and the entries of a Bundle */
        const sw_json *entry = sw_json_get(res, "entry");
        for (size_t k = 0; entry && k < entry->count; k++) {
            const sw_json *r = sw_json_get(entry->items[k], "resource");
            if (r)
                assert_int_equal(fhir_search_eval_all(r, check_shape, &s), 0);
        }
    }
    assert_true(s.nodes > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_target_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsupported_and_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_example, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
