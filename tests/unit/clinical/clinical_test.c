/* clinical_test.c - parsing and FHIR validation for the unit tests of
 * src/clinical (clinical_test.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "clinical_test.h"
#include "fhir/validate.h"

sw_json *ct_parse(sw_arena *a, const char *text)
{
    sw_json *r;
    if (sw_json_parse(a, text, strlen(text), &r, NULL) != SW_OK)
        fail_msg("bad test JSON: %s", text);
    return r;
}

static void validate(sw_arena *a, sw_json *r)
{
    fhir_issues issues = { 0 };
    assert_int_equal(fhir_validate(a, r, 0, &issues), SW_OK);
    if (issues.errors)
        fail_msg("not valid FHIR: %s at %s", issues.items[0].message,
                 issues.items[0].location);
}

sw_json *ct_valid(sw_arena *a, const sw_buf *b)
{
    sw_json *r;
    assert_int_equal(sw_json_parse(a, sw_buf_str(b), b->len, &r, NULL), SW_OK);
    validate(a, r);
    return r;
}

void ct_valid_json(json_t *r)
{
    assert_non_null(r);
    char *text = json_dumps(r, JSON_COMPACT);
    assert_non_null(text);
    sw_arena *a = sw_arena_create(0);
    validate(a, ct_parse(a, text));
    sw_arena_destroy(a);
    free(text);
}
