/* test_validate.c - the R4 structural validator (fhir/validate.h).
 *
 * The heart is one table: a resource (JSON written with single quotes)
 * and every issue it must produce, as "code@location" lines in document
 * order; a valid resource expects none. Each rule of validate.h has cases
 * on both sides, and documents with several problems must report all of
 * them. Then: messages, Bundles (locations inside entries, conditional
 * references in transactions), the issue cap, deep trees built in memory,
 * and running out of arena memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "fhir/validate.h"
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

#define EXT "{'url':'http://example.org/x','valueString':'y'}"
#define OBS "'resourceType':'Observation','status':'final','code':{'text':'bp'}"
#define ID64 "1234567890123456789012345678901234567890123456789012345678901234"

static const struct {
    const char *json;
    const char *want;    /* "code@location" lines, "" for valid */
} cases[] = {
    /* ---- valid resources ---- */
    { "{'resourceType':'Patient'}", "" },
    { "{'resourceType':'Patient','id':'a-B.9','active':true,'gender':'female',"
      "'birthDate':'1970-01-01','name':[{'family':'X','given':['A','B']}]}", "" },
    { "{'resourceType':'Patient','id':'" ID64 "'}", "" },
    { "{'resourceType':'Patient','birthDate':'2020-02-30'}", "" },   /* the regex allows it */
    { "{" OBS ",'valueQuantity':{'value':1.50,'unit':'mmHg'}}", "" },
    { "{" OBS ",'effectiveDateTime':'2015-02-07T13:28:17-05:00','valueString':'x'}", "" },
    /* a primitive array with a null paired with an extension */
    { "{'resourceType':'Patient','name':[{'given':['A',null],'_given':[null,{'extension':[" EXT "]}]}]}", "" },
    /* an extension instead of a value, also for a required element */
    { "{'resourceType':'Patient','_birthDate':{'extension':[" EXT "]}}", "" },
    { "{'resourceType':'Observation','_status':{'extension':[" EXT "]},'code':{'text':'x'}}", "" },
    { "{'resourceType':'Patient','_birthDate':{'id':'b1'},'birthDate':'1970'}", "" },
    /* references of every allowed form */
    { "{'resourceType':'Patient','managingOrganization':{'reference':'Organization/1'},"
      "'generalPractitioner':[{'reference':'Practitioner/p.1/_history/2'},"
      "{'reference':'https://example.org/fhir/PractitionerRole/9'},"
      "{'reference':'urn:uuid:c757873d-ec9a-4326-a141-556f43239520'},"
      "{'reference':'urn:oid:1.2.3'},{'display':'Dr Who'},{'identifier':{'value':'1'}}]}", "" },
    /* contained resources and local references, either order */
    { "{'resourceType':'Patient','managingOrganization':{'reference':'#org'},"
      "'contained':[{'resourceType':'Organization','id':'org','name':'x'},"
      "{'resourceType':'Practitioner','id':'pr'}],'generalPractitioner':[{'reference':'#pr'}]}", "" },
    { "{'resourceType':'Patient','contained':[{'resourceType':'Organization','id':'o',"
      "'partOf':{'reference':'#'}}],'managingOrganization':{'reference':'#o'}}", "" },
    { "{'resourceType':'Patient','text':{'status':'generated','div':'<div xmlns=\\'x\\'>x</div>'}}", "" },
    { "{'resourceType':'Patient','meta':{'lastUpdated':'2020-01-01T10:00:00.123Z','versionId':'1'}}", "" },
    { "{'resourceType':'Patient','multipleBirthInteger':2147483647}", "" },
    { "{'resourceType':'Basic','code':{'text':'x'},'extension':[{'url':'http://x',"
      "'extension':[{'url':'a','valueDecimal':-0.50}]}]}", "" },

    /* ---- resourceType ---- */
    { "[]", "structure@" },
    { "'Patient'", "structure@" },
    { "{}", "required@resourceType" },
    { "{'resourceType':5}", "structure@resourceType" },
    { "{'resourceType':'Foo'}", "code-invalid@resourceType" },
    { "{'resourceType':'DomainResource'}", "code-invalid@resourceType" },
    { "{'resourceType':'HumanName'}", "code-invalid@resourceType" },
    { "{'resourceType':'Patient','name':[{'resourceType':'HumanName','family':'x'}]}",
      "structure@Patient.name[0].resourceType" },

    /* ---- unknown members and shapes ---- */
    { "{'resourceType':'Patient','foo':1}", "structure@Patient.foo" },
    { "{'resourceType':'Patient','Name':[]}", "structure@Patient.Name" },
    { "{'resourceType':'Patient','deceasedString':'x'}", "structure@Patient.deceasedString" },
    { "{'resourceType':'Patient','_name':[{}]}", "structure@Patient._name" },
    { "{'resourceType':'Patient','name':{'family':'x'}}", "structure@Patient.name" },
    { "{'resourceType':'Patient','gender':['male']}", "structure@Patient.gender" },
    { "{'resourceType':'Patient','name':[]}", "structure@Patient.name" },
    { "{'resourceType':'Patient','name':[{}]}", "structure@Patient.name[0]" },
    { "{'resourceType':'Patient','name':[null]}", "structure@Patient.name[0]" },
    { "{'resourceType':'Patient','name':['Peter']}", "structure@Patient.name[0]" },
    { "{'resourceType':'Patient','maritalStatus':'M'}", "structure@Patient.maritalStatus" },
    { "{'resourceType':'Patient','active':null}", "structure@Patient.active" },
    { "{'resourceType':'Patient','active':'true'}", "structure@Patient.active" },
    { "{'resourceType':'Patient','birthDate':19700101}", "structure@Patient.birthDate" },
    { "{'resourceType':'Patient','telecom':[{'rank':'1'}]}", "structure@Patient.telecom[0].rank" },

    /* ---- primitive formats ---- */
    { "{'resourceType':'Patient','id':'" ID64 "5'}", "too-long@Patient.id" },
    { "{'resourceType':'Patient','id':'a_b'}", "value@Patient.id" },
    { "{'resourceType':'Patient','id':''}", "value@Patient.id" },
    { "{'resourceType':'Patient','birthDate':''}", "value@Patient.birthDate" },
    { "{'resourceType':'Patient','birthDate':'2020-13'}", "value@Patient.birthDate" },
    { "{'resourceType':'Patient','birthDate':'1970-01-01T00:00:00Z'}", "value@Patient.birthDate" },
    { "{'resourceType':'Patient','deceasedDateTime':'2015-02-07T13:28:17'}",
      "value@Patient.deceased.ofType(dateTime)" },
    { "{'resourceType':'Patient','meta':{'lastUpdated':'2020-01-01T10:00:00'}}",
      "value@Patient.meta.lastUpdated" },
    { "{'resourceType':'Patient','multipleBirthInteger':2147483648}",
      "value@Patient.multipleBirth.ofType(integer)" },
    { "{'resourceType':'Patient','multipleBirthInteger':1.0}",
      "value@Patient.multipleBirth.ofType(integer)" },
    { "{'resourceType':'Patient','telecom':[{'system':'phone','value':'1','rank':0}]}",
      "value@Patient.telecom[0].rank" },
    { "{'resourceType':'Patient','photo':[{'size':-1}]}", "value@Patient.photo[0].size" },
    { "{'resourceType':'Patient','photo':[{'data':'abc'}]}", "value@Patient.photo[0].data" },
    { "{'resourceType':'Patient','identifier':[{'system':'http://x y','value':'1'}]}",
      "value@Patient.identifier[0].system" },
    { "{'resourceType':'Patient','name':[{'given':['']}]}", "value@Patient.name[0].given[0]" },
    { "{'resourceType':'Patient','name':[{'family':'a\\u0001b'}]}", "value@Patient.name[0].family" },
    { "{'resourceType':'Patient','gender':'fe  male'}", "value@Patient.gender" },
    { "{'resourceType':'Patient','gender':' male'}", "value@Patient.gender" },

    /* ---- required bindings ---- */
    { "{'resourceType':'Patient','gender':'femal'}", "code-invalid@Patient.gender" },
    { "{'resourceType':'Condition','subject':{'reference':'Patient/1'},'clinicalStatus':{'coding':["
      "{'system':'http://snomed.info/sct','code':'55561003'},"
      "{'system':'http://terminology.hl7.org/CodeSystem/condition-clinical','code':'bogus'}]}}",
      "code-invalid@Condition.clinicalStatus.coding[1].code" },
    { "{'resourceType':'Condition','subject':{'reference':'Patient/1'},'clinicalStatus':{'coding':["
      "{'system':'http://terminology.hl7.org/CodeSystem/condition-clinical','code':'active'}]}}", "" },
    /* a text-only concept or one from another system is not judged */
    { "{'resourceType':'Condition','subject':{'reference':'Patient/1'},'clinicalStatus':{'text':'ok'}}", "" },

    /* ---- cardinality ---- */
    { "{'resourceType':'Observation','status':'final'}", "required@Observation.code" },
    { "{'resourceType':'Observation','code':{'text':'x'}}", "required@Observation.status" },
    { "{'resourceType':'Patient','extension':[{'valueString':'x'}]}",
      "required@Patient.extension[0].url" },
    { "{'resourceType':'Patient','link':[{'type':'seealso'}]}", "required@Patient.link[0].other" },

    /* ---- choice types ---- */
    { "{'resourceType':'Patient','multipleBirthBoolean':true,'multipleBirthInteger':2}",
      "structure@Patient.multipleBirth.ofType(integer)" },
    { "{" OBS ",'valueQuantity':{'value':'1.5'}}", "structure@Observation.value.ofType(Quantity).value" },
    { "{" OBS ",'valueMoney':{'value':1}}", "structure@Observation.valueMoney" },
    { "{" OBS ",'valueString':'a','_valueString':{'extension':[" EXT "]}}", "" },
    { "{'resourceType':'Patient','extension':[{'url':'http://x','valueString':'a','valueCode':'b'}]}",
      "structure@Patient.extension[0].value.ofType(code)" },
    { "{'resourceType':'MedicationRequest','status':'active','intent':'order',"
      "'subject':{'reference':'Patient/1'},'dosageInstruction':[{'doseAndRate':[{'doseQuantity':"
      "{'value':1,'comparator':'<'}}]}]}",
      "structure@MedicationRequest.dosageInstruction[0].doseAndRate[0].dose.ofType(Quantity).comparator"
      "\nrequired@MedicationRequest.medication[x]" },

    /* ---- references ---- */
    { "{'resourceType':'Patient','managingOrganization':{'reference':'Organisation/1'}}",
      "value@Patient.managingOrganization.reference" },
    { "{'resourceType':'Patient','managingOrganization':{'reference':'Organization/'}}",
      "value@Patient.managingOrganization.reference" },
    { "{'resourceType':'Patient','managingOrganization':{'reference':'Organization'}}",
      "value@Patient.managingOrganization.reference" },
    { "{'resourceType':'Patient','managingOrganization':{'reference':'Organization/a_b'}}",
      "value@Patient.managingOrganization.reference" },
    { "{'resourceType':'Patient','managingOrganization':{'reference':'Organization/1/x/2'}}",
      "value@Patient.managingOrganization.reference" },
    { "{'resourceType':'Patient','managingOrganization':{'reference':'Organization/1 '}}",
      "value@Patient.managingOrganization.reference" },
    { "{'resourceType':'Patient','managingOrganization':{'reference':'urn:uuid:C757873D'}}",
      "value@Patient.managingOrganization.reference" },
    { "{'resourceType':'Patient','managingOrganization':{'reference':'urn:oid:3.1'}}",
      "value@Patient.managingOrganization.reference" },
    { "{'resourceType':'Patient','managingOrganization':{'reference':'Organization?identifier=x|1'}}",
      "value@Patient.managingOrganization.reference" },
    { "{'resourceType':'Patient','managingOrganization':{'reference':'Patient/1'}}",
      "value@Patient.managingOrganization.reference" },
    { "{'resourceType':'Patient','generalPractitioner':[{'reference':'Practitioner/1'},"
      "{'reference':'Patient/2'}]}", "value@Patient.generalPractitioner[1].reference" },
    { "{'resourceType':'Patient','managingOrganization':{'reference':'#missing'}}",
      "not-found@Patient.managingOrganization.reference" },
    { "{'resourceType':'Patient','managingOrganization':{'reference':'#a b'}}",
      "value@Patient.managingOrganization.reference" },

    /* ---- contained resources ---- */
    { "{'resourceType':'Patient','contained':[{'resourceType':'Organization','name':'x'}]}",
      "required@Patient.contained[0].id" },
    { "{'resourceType':'Patient','contained':[{'resourceType':'Organization','id':'a',"
      "'contained':[{'resourceType':'Organization','id':'b'}]}]}",
      "structure@Patient.contained[0].contained" },
    { "{'resourceType':'Patient','contained':[{'resourceType':'Organization','id':'a'},"
      "{'resourceType':'Location','id':'a'}]}", "duplicate@Patient.contained[1].id" },
    { "{'resourceType':'Patient','contained':[{'resourceType':'Patient','id':'a','gender':'x'}]}",
      "code-invalid@Patient.contained[0].gender" },
    { "{'resourceType':'Patient','contained':[{'id':'a'}]}",
      "required@Patient.contained[0].resourceType" },
    { "{'resourceType':'Patient','contained':[{'resourceType':'Nope','id':'a'}]}",
      "code-invalid@Patient.contained[0].resourceType" },
    { "{'resourceType':'Patient','contained':{'resourceType':'Organization','id':'a'}}",
      "structure@Patient.contained" },

    /* ---- primitive companions ---- */
    { "{'resourceType':'Patient','_birthDate':'x'}", "structure@Patient.birthDate" },
    { "{'resourceType':'Patient','_birthDate':{}}", "structure@Patient.birthDate" },
    { "{'resourceType':'Patient','_birthDate':{'foo':1}}", "structure@Patient.birthDate.foo" },
    { "{'resourceType':'Patient','_birthDate':[{'id':'x'}]}", "structure@Patient.birthDate" },
    { "{'resourceType':'Patient','_birthDate':{'extension':[{'valueString':'x'}]}}",
      "required@Patient.birthDate.extension[0].url" },
    { "{'resourceType':'Patient','name':[{'given':['A',null]}]}", "structure@Patient.name[0].given[1]" },
    { "{'resourceType':'Patient','name':[{'given':['A',null],'_given':[null,null]}]}",
      "structure@Patient.name[0].given[1]" },
    { "{'resourceType':'Patient','name':[{'given':['A','B'],'_given':[null]}]}",
      "structure@Patient.name[0].given" },
    { "{'resourceType':'Patient','name':[{'_given':[{'id':'x'},null]}]}",
      "structure@Patient.name[0].given[1]" },
    { "{'resourceType':'Patient','name':[{'_given':{'id':'x'}}]}", "structure@Patient.name[0].given" },
    { "{'resourceType':'Patient','name':[{'given':['A'],'_given':[7]}]}",
      "structure@Patient.name[0].given[0]" },
    { "{'resourceType':'Patient','name':[{'given':['A'],'_given':[]}]}",
      "structure@Patient.name[0].given" },

    /* ---- several problems: all of them, in document order ---- */
    { "{'resourceType':'Patient','id':'a_b','gender':'femal','birthDate':'2020-13','foo':1,"
      "'name':{'family':'x'},'telecom':[{'system':'phone','value':''}],'active':'true',"
      "'managingOrganization':{'reference':'Organisation/1'},'contact':[{}],"
      "'generalPractitioner':[{'reference':'#nope'}],"
      "'contained':[{'resourceType':'Organization','name':'x'}]}",
      "value@Patient.id\n"
      "code-invalid@Patient.gender\n"
      "value@Patient.birthDate\n"
      "structure@Patient.foo\n"
      "structure@Patient.name\n"
      "value@Patient.telecom[0].value\n"
      "structure@Patient.active\n"
      "value@Patient.managingOrganization.reference\n"
      "structure@Patient.contact[0]\n"
      "required@Patient.contained[0].id\n"
      "not-found@Patient.generalPractitioner[0].reference" },
    { "{'resourceType':'Observation','valueQuantity':{'value':1,'comparator':'~'},'subject':{'reference':'Patient/'},"
      "'component':[{'valueString':'x'},{'code':{'text':'a'},'valueBoolean':'no'}]}",
      "code-invalid@Observation.value.ofType(Quantity).comparator\n"
      "value@Observation.subject.reference\n"
      "required@Observation.component[0].code\n"
      "structure@Observation.component[1].value.ofType(boolean)\n"
      "required@Observation.status\n"
      "required@Observation.code" },
};

static void test_table(void **state)
{
    sw_arena *a = *state;
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sw_json *r = ft_parse(a, cases[i].json);
        const char *got = ft_validate(a, r, 0);
        if (strcmp(got, cases[i].want) != 0) {
            printf("case %zu: %s\n  want: %s\n  got:  %s\n", i, cases[i].json, cases[i].want, got);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* Observation.status has a required binding too (outside the table
 * because OBS already sets status). */
static void test_status_binding(void **state)
{
    sw_arena *a = *state;
    sw_json *r = ft_parse(a, "{'resourceType':'Observation','status':'done','code':{'text':'x'}}");
    assert_string_equal(ft_validate(a, r, 0), "code-invalid@Observation.status");
}

static void test_issue_fields(void **state)
{
    sw_arena *a = *state;
    sw_json *r = ft_parse(a, "{'resourceType':'Patient',\n 'gender':'femal',\n 'xyz':1}");
    fhir_issues is = { 0 };
    assert_int_equal(fhir_validate(a, r, 0, &is), SW_OK);
    assert_int_equal(is.count, 2);
    assert_int_equal(is.errors, 2);
    assert_false(is.truncated);
    assert_int_equal(is.items[0].severity, FHIR_SEVERITY_ERROR);
    assert_string_equal(fhir_severity_name(is.items[0].severity), "error");
    assert_string_equal(is.items[0].code, "code-invalid");
    assert_string_equal(is.items[0].location, "Patient.gender");
    assert_string_equal(is.items[0].message, "The code 'femal' is not in the required value set "
                        "http://hl7.org/fhir/ValueSet/administrative-gender.");
    assert_int_equal(is.items[0].line, 2);
    assert_int_equal(is.items[0].column, 11);
    assert_string_equal(is.items[1].message, "Unknown element 'xyz' in Patient.");
    assert_int_equal(is.items[1].line, 3);

    /* values that may be patient data are not echoed */
    r = ft_parse(a, "{'resourceType':'Patient','birthDate':'Peter 1970'}");
    fhir_issues is2 = { 0 };
    assert_int_equal(fhir_validate(a, r, 0, &is2), SW_OK);
    assert_int_equal(is2.count, 1);
    assert_null(strstr(is2.items[0].message, "Peter"));
    assert_string_equal(is2.items[0].message, "The value is not a valid date.");

    /* long or odd member names are cut and cleaned in messages */
    r = ft_parse(a, "{'resourceType':'Patient','aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\n':1}");
    fhir_issues is3 = { 0 };
    assert_int_equal(fhir_validate(a, r, 0, &is3), SW_OK);
    assert_int_equal(is3.count, 1);
    assert_non_null(strstr(is3.items[0].message, "aaa...'"));
    assert_null(strchr(is3.items[0].message, '\n'));

    /* issues accumulate across calls */
    r = ft_parse(a, "{'resourceType':'Patient','foo':1}");
    assert_int_equal(fhir_validate(a, r, 0, &is), SW_OK);
    assert_int_equal(is.count, 3);
    assert_int_equal(is.errors, 3);
}

static void test_bundles(void **state)
{
    sw_arena *a = *state;
    sw_json *r = ft_parse(a,
        "{'resourceType':'Bundle','type':'collection','entry':["
        "{'fullUrl':'urn:uuid:c757873d-ec9a-4326-a141-556f43239520',"
        " 'resource':{'resourceType':'Patient','birthDate':'x'}},"
        "{'resource':{'resourceType':'Patient','gender':'x'}},"
        "{'resource':'Patient'},"
        "{'resource':{'resourceType':'Patient','contained':[{'resourceType':'Organization','id':'o'}]}},"
        "{'resource':{'resourceType':'Patient','managingOrganization':{'reference':'#o'}}},"
        "{'resource':{'resourceType':'Patient','managingOrganization':{'reference':'Organization?name=x'}}},"
        "{'resource':{'resourceType':'Bundle','type':'collection','entry':[{'resource':"
        "  {'resourceType':'Patient','id':'a b'}}]}},"
        "{'response':{'status':'201','outcome':{'resourceType':'Patient'}}}]}");
    assert_string_equal(ft_validate(a, r, 0),
        "value@Bundle.entry[0].resource.birthDate\n"
        "code-invalid@Bundle.entry[1].resource.gender\n"
        "structure@Bundle.entry[2].resource\n"
        "not-found@Bundle.entry[4].resource.managingOrganization.reference\n"
        "value@Bundle.entry[5].resource.managingOrganization.reference\n"
        "value@Bundle.entry[6].resource.entry[0].resource.id\n"
        "invalid@Bundle.entry[7].response.outcome");

    /* transactions and batches may use conditional references */
    static const char *const types[] = { "transaction", "batch" };
    for (size_t i = 0; i < 2; i++) {
        char json[1024];
        snprintf(json, sizeof json,
            "{'resourceType':'Bundle','type':'%s','entry':[{'fullUrl':"
            "'urn:uuid:c757873d-ec9a-4326-a141-556f43239520','resource':{'resourceType':'Encounter',"
            "'status':'finished','class':{'code':'AMB'},"
            "'subject':{'reference':'urn:uuid:c757873d-ec9a-4326-a141-556f43239521'},"
            "'participant':[{'individual':{'reference':'Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999962229'}}]},"
            "'request':{'method':'POST','url':'Encounter','ifNoneExist':'identifier=x'}}]}", types[i]);
        r = ft_parse(a, json);
        assert_string_equal(ft_validate(a, r, 0), "");
    }
    /* ... and so may a resource the caller says is a transaction entry */
    r = ft_parse(a, "{'resourceType':'Patient','managingOrganization':{'reference':'Organization?identifier=x|1'}}");
    assert_string_equal(ft_validate(a, r, FHIR_VALIDATE_CONDITIONAL_REFS), "");
    r = ft_parse(a, "{'resourceType':'Patient','managingOrganization':{'reference':'Organisation?identifier=x|1'}}");
    assert_string_equal(ft_validate(a, r, FHIR_VALIDATE_CONDITIONAL_REFS),
                        "value@Patient.managingOrganization.reference");
}

/* A document with thousands of problems keeps the first
 * FHIR_VALIDATE_MAX_ISSUES and counts the rest. */
static void test_issue_cap(void **state)
{
    sw_arena *a = *state;
    sw_json *r = sw_json_new_object(a);
    assert_int_equal(sw_json_set(a, r, "resourceType", sw_json_new_cstring(a, "Patient")), SW_OK);
    for (int i = 0; i < 2500; i++) {
        char key[32];
        snprintf(key, sizeof key, "x%d", i);
        assert_int_equal(sw_json_set(a, r, key, sw_json_new_int(a, i)), SW_OK);
    }
    fhir_issues is = { 0 };
    assert_int_equal(fhir_validate(a, r, 0, &is), SW_OK);
    assert_int_equal(is.count, FHIR_VALIDATE_MAX_ISSUES);
    assert_int_equal(is.errors, 2500);
    assert_true(is.truncated);
    assert_string_equal(is.items[999].location, "Patient.x999");
}

/* Many contained resources and local references: ids are matched by
 * sorting, and exactly the duplicate and the dangling reference are
 * reported, at their own locations. */
static void test_many_contained(void **state)
{
    sw_arena *a = *state;
    sw_json *r = sw_json_new_object(a);
    sw_json_set(a, r, "resourceType", sw_json_new_cstring(a, "List"));
    sw_json_set(a, r, "status", sw_json_new_cstring(a, "current"));
    sw_json_set(a, r, "mode", sw_json_new_cstring(a, "working"));
    sw_json *contained = sw_json_new_array(a);
    sw_json *entries = sw_json_new_array(a);
    for (int i = 0; i < 3000; i++) {
        char id[32], ref[32];
        snprintf(id, sizeof id, "c%d", i == 2999 ? 5 : i);        /* c5 twice */
        snprintf(ref, sizeof ref, "#c%d", i == 1234 ? 9999 : 2999 - i);
        sw_json *res = sw_json_new_object(a);
        sw_json_set(a, res, "resourceType", sw_json_new_cstring(a, "Basic"));
        sw_json_set(a, res, "id", sw_json_new_cstring(a, id));
        sw_json *code = sw_json_new_object(a);
        sw_json_set(a, code, "text", sw_json_new_cstring(a, "x"));
        sw_json_set(a, res, "code", code);
        sw_json_append(a, contained, res);
        sw_json *item = sw_json_new_object(a);
        sw_json *reference = sw_json_new_object(a);
        sw_json_set(a, reference, "reference", sw_json_new_cstring(a, i == 0 ? "#c5" : ref));
        sw_json_set(a, item, "item", reference);
        sw_json_append(a, entries, item);
    }
    sw_json_set(a, r, "contained", contained);
    sw_json_set(a, r, "entry", entries);
    assert_string_equal(ft_validate(a, r, 0),
        "duplicate@List.contained[2999].id\n"
        "not-found@List.entry[1234].item.reference");
}

/* Trees built in memory are not bounded by the parser's depth limit: the
 * walk stops at its own, and long locations are cut, not overrun. */
static void test_deep_tree(void **state)
{
    sw_arena *a = *state;
    sw_json *r = sw_json_new_object(a);
    sw_json_set(a, r, "resourceType", sw_json_new_cstring(a, "Questionnaire"));
    sw_json_set(a, r, "status", sw_json_new_cstring(a, "active"));
    sw_json *parent = r;
    for (int i = 0; i < 400; i++) {
        sw_json *item = sw_json_new_object(a);
        sw_json_set(a, item, "linkId", sw_json_new_cstring(a, "l"));
        sw_json_set(a, item, "type", sw_json_new_cstring(a, "group"));
        sw_json *arr = sw_json_new_array(a);
        sw_json_append(a, arr, item);
        sw_json_set(a, parent, "item", arr);
        parent = item;
    }
    sw_json_set(a, parent, "type", sw_json_new_cstring(a, "bogus"));
    fhir_issues is = { 0 };
    assert_int_equal(fhir_validate(a, r, 0, &is), SW_OK);
    assert_int_equal(is.count, 1);
    assert_string_equal(is.items[0].code, "structure");
    assert_non_null(strstr(is.items[0].message, "too deeply"));
    size_t n = strlen(is.items[0].location);
    assert_true(n <= FHIR_VALIDATE_MAX_PATH + 3);
    assert_string_equal(is.items[0].location + n - 3, "...");
}

/* With too little memory the validator says SW_ENOMEM and stops cleanly;
 * given enough it finds the same issues as always. */
static void test_out_of_memory(void **state)
{
    sw_arena *big = *state;
    sw_json *r = ft_load(big, "fhir-r4-examples/Patient-example.json");
    sw_json *bad = ft_parse(big, "{'resourceType':'Patient','foo':1,'bar':2,'gender':'x',"
                                 "'contained':[{'resourceType':'Organization','id':'o'}],"
                                 "'managingOrganization':{'reference':'#p'}}");
    bool saw_enomem = false, saw_ok = false;
    for (size_t budget = 256; budget < 64 * 1024; budget += 256) {
        sw_arena *a = sw_arena_create(budget);
        if (a == NULL)
            continue;
        fhir_issues is = { 0 };
        int rc = fhir_validate(a, bad, 0, &is);
        assert_true(rc == SW_OK || rc == SW_ENOMEM);
        if (rc == SW_ENOMEM) {
            saw_enomem = true;
        } else {
            saw_ok = true;
            assert_int_equal(is.count, 4);
        }
        is = (fhir_issues){ 0 };
        rc = fhir_validate(a, r, 0, &is);
        assert_true(rc == SW_OK || rc == SW_ENOMEM);
        assert_int_equal(is.errors, 0);
        sw_arena_destroy(a);
    }
    assert_true(saw_enomem);
    assert_true(saw_ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_binding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bundles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_contained, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
