/* test_notes.c - the visit note and the visit's FHIR (src/clinical/notes.c,
 * visit.c): templates for every visit type, section text checked and
 * escaped into XHTML so that it reads back byte for byte (markup, quotes,
 * line breaks, carriage returns), the Composition, Encounter, Condition,
 * Procedure and ChargeItem valid R4 by the validator of src/fhir/, the
 * coding rules naming what is wrong, and billing details read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "clinical_test.h"
#include "clinical/notes.h"
#include "clinical/visit.h"
#include "fhir/validate.h"

#define XSS "<script>alert('x')</script> & \"quoted\" <b>bold</b>\r\nline 2\n\n\tend &amp; &#39; </div>"


static void templates_cover_the_visit_types(void **state)
{
    (void)state;
    size_t n;
    const note_template *t = note_templates(&n);
    assert_true(n >= 4);
    static const char *const types[] = { "new-patient", "follow-up", "acute", "wellness" };
    for (size_t k = 0; k < 4; k++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            if (strcmp(t[i].visit_type, types[k]) == 0) {
                found = true;
                assert_non_null(visit_type_find(t[i].visit_type));
                for (int s = 0; s < NOTE_SECTIONS; s++)
                    assert_non_null(t[i].sections[s]);
            }
        assert_true(found);
    }
    assert_non_null(note_template_find("acute"));
    assert_null(note_template_find("surgery"));
    assert_string_equal(visit_type_guess("Annual physical")->code, "wellness");
    assert_string_equal(visit_type_guess("New patient")->code, "new-patient");
    assert_string_equal(visit_type_guess("Sick visit")->code, "acute");
    assert_string_equal(visit_type_guess("Diabetes check")->code, "follow-up");
    assert_string_equal(visit_type_guess(NULL)->code, "follow-up");
}

static void text_is_checked_and_round_trips(void **state)
{
    (void)state;
    sw_err err;
    assert_int_equal(note_text_check(XSS, "sections.plan", &err), SW_OK);
    assert_int_equal(note_text_check("bell\a", "sections.plan", &err), SW_EINVAL);
    assert_non_null(strstr(err.msg, "sections.plan"));
    assert_int_equal(note_text_check(NULL, "text", &err), SW_EINVAL);
    char *big = malloc(NOTE_TEXT_MAX + 2);
    memset(big, 'a', NOTE_TEXT_MAX + 1);
    big[NOTE_TEXT_MAX + 1] = '\0';
    assert_int_equal(note_text_check(big, "text", &err), SW_EINVAL);
    free(big);
    assert_true(note_text_blank(" \n\t"));
    assert_false(note_text_blank(" x "));

    sw_buf div = SW_BUF_INIT(65536);
    assert_int_equal(note_div(XSS, &div), SW_OK);
    assert_int_equal(strncmp(sw_buf_str(&div), "<div xmlns=\"http://www.w3.org/1999/xhtml\">", 42), 0);
    assert_null(strstr(sw_buf_str(&div) + 42, "<script"));
    assert_null(strstr(sw_buf_str(&div) + 42, "<b>"));
    assert_non_null(strstr(sw_buf_str(&div), "&lt;script&gt;"));
    assert_non_null(strstr(sw_buf_str(&div), "<br/>line 2"));
    char *back = note_div_text(sw_buf_str(&div));
    assert_string_equal(back, XSS);
    free(back);
    /* Written elsewhere: <br>, numeric references, other tags dropped. */
    back = note_div_text("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>a<br>b &#x41;&#66;</p></div>");
    assert_string_equal(back, "a\nb AB");
    free(back);
    back = note_div_text(NULL);
    assert_string_equal(back, "");
    free(back);
    sw_buf_free(&div);
}

static json_t *author(void)
{
    return json_pack("{s:{s:s, s:s}, s:s}", "identifier", "system",
                     "urn:stagewise:user", "value", "dr.test", "display", "Dr Test");
}

static void the_note_is_a_valid_composition(void **state)
{
    (void)state;
    json_t *me = author();
    note_input in = { .patient_id = "p1", .encounter_id = "e1",
                      .date = "2026-11-25T09:30:00Z", .author = me,
                      .template_id = "acute",
                      .sections = { XSS, "", "Viral URI", "Fluids\nRest" } };
    json_t *c = note_composition(&in);
    ct_valid_json(c);
    assert_string_equal(json_string_value(json_object_get(c, "status")), "preliminary");
    assert_int_equal(json_array_size(json_object_get(c, "section")), 3);  /* empty left out */
    assert_string_equal(note_template_of(c), "acute");
    json_t *s = note_sections_of(c);
    assert_string_equal(json_string_value(json_object_get(s, "subjective")), XSS);
    assert_string_equal(json_string_value(json_object_get(s, "objective")), "");
    assert_string_equal(json_string_value(json_object_get(s, "plan")), "Fluids\nRest");
    json_decref(s);
    json_t *code = json_array_get(json_object_get(json_object_get(json_array_get(
        json_object_get(c, "section"), 0), "code"), "coding"), 0);
    assert_string_equal(json_string_value(json_object_get(code, "code")), "61150-9");
    assert_false(note_is_addendum(c));

    assert_int_equal(note_sign(c, me, "2026-11-25T10:00:00Z"), SW_OK);
    ct_valid_json(c);
    assert_string_equal(json_string_value(json_object_get(c, "status")), "final");
    json_t *att = json_array_get(json_object_get(c, "attester"), 0);
    assert_string_equal(json_string_value(json_object_get(att, "mode")), "legal");
    json_decref(c);

    json_t *add = note_addendum("n1", "p1", "e1", me, "2026-11-26T08:00:00Z", XSS);
    ct_valid_json(add);
    assert_true(note_is_addendum(add));
    char *text = note_addendum_text(add);
    assert_string_equal(text, XSS);
    free(text);
    json_decref(add);
    json_decref(me);
}

static int read_coding(const char *body, visit_coding *c, sw_err *err)
{
    json_t *doc = json_loads(body, 0, NULL);
    assert_non_null(doc);
    int rc = visit_coding_read(doc, c, err);
    json_decref(doc);
    return rc;
}

static void coding_is_checked(void **state)
{
    (void)state;
    visit_coding c;
    sw_err err;
    assert_int_equal(read_coding("{\"diagnoses\":[{\"code\":\"e11.9\"},{\"code\":\"I10\"}],"
        "\"procedures\":[{\"code\":\"99214\",\"modifiers\":[\"25\"],\"units\":1,"
        "\"diagnoses\":[2,1]},{\"code\":\"36415\"}]}", &c, &err), SW_OK);
    assert_int_equal(c.ndiagnoses, 2);
    assert_string_equal(c.diagnoses[0]->code, "E11.9");
    assert_int_equal(c.nprocedures, 2);
    assert_string_equal(c.procedures[0].modifiers[0], "25");
    assert_int_equal(c.procedures[0].pointers[0], 2);
    assert_int_equal(c.procedures[1].units, 1);
    assert_int_equal(c.procedures[1].npointers, 1);   /* default: the first */
    json_t *j = visit_coding_json(&c);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(
        json_object_get(j, "diagnoses"), 1), "rank")), 2);
    json_decref(j);

    static const struct { const char *body, *needle; } bad[] = {
        { "{\"diagnoses\":[{\"code\":\"X99.99\"}]}", "X99.99" },
        { "{\"procedures\":[{\"code\":\"12345\"}]}", "12345" },
        { "{\"diagnoses\":[{\"code\":\"I10\"},{\"code\":\"i10\"}]}", "twice" },
        { "{\"diagnoses\":[{\"code\":\"I10\"}],\"procedures\":[{\"code\":\"99213\","
          "\"diagnoses\":[2]}]}", "procedures[1]" },
        { "{\"procedures\":[{\"code\":\"99213\",\"units\":0}]}", "units" },
        { "{\"procedures\":[{\"code\":\"99213\",\"modifiers\":[\"2\"]}]}", "modifier" },
        { "{\"diagnoses\":[{\"code\":\"I10\",\"note\":\"x\"}]}", "note" },
        { "{\"diagnoses\":\"I10\"}", "diagnoses" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(read_coding(bad[i].body, &c, &err), SW_EINVAL);
        if (strstr(err.msg, bad[i].needle) == NULL)
            fail_msg("%s: \"%s\" does not name %s", bad[i].body, err.msg, bad[i].needle);
    }
}

static void visit_resources_are_valid(void **state)
{
    (void)state;
    json_t *me = author();
    visit_encounter_in in = { .patient_id = "p1", .appointment_id = "a1",
                              .type = visit_type_find("acute"),
                              .type_text = "Sick visit", .reason = "Cough",
                              .clinician = me, .start = "2026-11-25T09:00:00Z" };
    json_t *e = visit_encounter(&in);
    ct_valid_json(e);
    assert_string_equal(json_string_value(json_object_get(e, "status")), "arrived");
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "class"),
                                                          "code")), "AMB");
    json_decref(e);

    visit_coding c;
    sw_err err;
    assert_int_equal(read_coding("{\"diagnoses\":[{\"code\":\"J20.9\"},{\"code\":\"R05.1\"}],"
        "\"procedures\":[{\"code\":\"99213\",\"modifiers\":[\"25\",\"gt\"],\"units\":2,"
        "\"diagnoses\":[2,1]}]}", &c, &err), SW_OK);
    json_t *cond = visit_condition(c.diagnoses[0], "p1", "e1", me, "2026-11-25T09:30:00Z");
    ct_valid_json(cond);
    json_decref(cond);
    const char *reasons[] = { "Condition/c2", "Condition/c1" };
    json_t *p = visit_procedure(&c.procedures[0], 1, "p1", "e1", me,
                                "2026-11-25T09:30:00Z", reasons, 2);
    ct_valid_json(p);
    visit_stored_procedure sp;
    assert_true(visit_procedure_read(p, &sp));
    assert_string_equal(sp.code, "99213");
    assert_string_equal(sp.system, CODES_CPT_SYSTEM);
    assert_int_equal(sp.units, 2);
    assert_int_equal(sp.line, 1);
    assert_int_equal(sp.nmodifiers, 2);
    assert_string_equal(sp.modifiers[1], "GT");
    assert_int_equal(sp.nreasons, 2);
    assert_string_equal(sp.reason_ids[0], "c2");

    const code_entry *why[] = { c.diagnoses[1], c.diagnoses[0] };
    visit_charge_in ci = { .procedure = &sp, .procedure_id = "pr1", .patient_id = "p1",
                           .encounter_id = "e1", .occurred = "2026-11-25T09:00:00Z",
                           .entered = "2026-11-25T10:00:00Z", .performer = me,
                           .enterer = me, .reasons = why, .nreasons = 2 };
    json_t *ch = visit_charge_item(&ci);
    ct_valid_json(ch);
    assert_string_equal(json_string_value(json_object_get(ch, "status")), "billable");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ch, "quantity"),
                                                        "value")), 2);
    json_t *r0 = json_array_get(json_object_get(json_array_get(json_object_get(ch,
                                "reason"), 0), "coding"), 0);
    assert_string_equal(json_string_value(json_object_get(r0, "code")), "R05.1");
    assert_string_equal(json_string_value(json_object_get(r0, "system")),
                        CODES_ICD10CM_SYSTEM);
    assert_string_equal(json_string_value(json_object_get(json_array_get(
        json_object_get(ch, "service"), 0), "reference")), "Procedure/pr1");
    json_decref(ch);
    json_decref(p);
    json_decref(me);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(templates_cover_the_visit_types),
        cmocka_unit_test(text_is_checked_and_round_trips),
        cmocka_unit_test(the_note_is_a_valid_composition),
        cmocka_unit_test(coding_is_checked),
        cmocka_unit_test(visit_resources_are_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
