/* testvisits.c - visits signed through /api for the HL7 integration tests
 * (testvisits.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testvisits.h"

void testvisits_link_practitioner(sw_test_env *e, const char *username,
                                  const char *id, const char *npi)
{
    char path[160], body[512];
    snprintf(path, sizeof path, "/fhir/Practitioner/%s", id);
    snprintf(body, sizeof body, "{\"resourceType\":\"Practitioner\",\"id\":\"%s\","
             "\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-npi\","
             "\"value\":\"%s\"}],\"name\":[{\"family\":\"Test\",\"given\":[\"Dana\"]}]}",
             id, npi);
    sw_test_fhir_create(e, path, body);
    json_t *users = sw_test_get_json(e, e->auth, "/api/users");
    json_t *list = json_is_array(users) ? users : json_object_get(users, "users"), *u;
    size_t i;
    json_int_t uid = 0;
    json_array_foreach(list, i, u)
        if (strcmp(sw_test_str(u, "username"), username) == 0)
            uid = json_integer_value(json_object_get(u, "id"));
    json_decref(users);
    assert_true(uid > 0);
    snprintf(path, sizeof path, "/api/users/%lld", (long long)uid);
    snprintf(body, sizeof body, "{\"practitioner_id\":\"%s\"}", id);
    json_t *doc;
    assert_int_equal(sw_test_call(e, e->auth, "PATCH", path, body, &doc), 200);
    json_decref(doc);
}

char *testvisits_sign(sw_test_env *e, const char *auth, const char *patient,
                      const char *coding, char charges[][80], size_t max,
                      size_t *ncharges)
{
    char path[160];
    json_t *doc;
    snprintf(path, sizeof path, "/api/patients/%s/visits", patient);
    assert_int_equal(sw_test_call(e, auth, "POST", path,
                     "{\"visit_type\":\"acute\",\"reason\":\"Cough\"}", &doc), 201);
    char *enc = strdup(sw_test_str(doc, "encounter"));
    json_decref(doc);
    snprintf(path, sizeof path, "/api/visits/%s/note", enc);
    assert_int_equal(sw_test_call(e, auth, "PUT", path, "{\"template\":\"acute\","
                     "\"sections\":{\"subjective\":\"s\",\"objective\":\"o\","
                     "\"assessment\":\"a\",\"plan\":\"p\"}}", &doc), 200);
    json_decref(doc);
    snprintf(path, sizeof path, "/api/visits/%s/coding", enc);
    assert_int_equal(sw_test_call(e, auth, "PUT", path, coding, &doc), 200);
    json_decref(doc);
    snprintf(path, sizeof path, "/api/visits/%s/sign", enc);
    long status = sw_test_call(e, auth, "POST", path, NULL, &doc);
    if (status != 200) {
        char *text = json_dumps(doc, 0);
        fail_msg("signing %s answered %ld: %s", enc, status, text);
    }
    if (charges != NULL) {
        json_t *list = json_object_get(doc, "charges");
        *ncharges = json_array_size(list);
        assert_true(*ncharges <= max);
        for (size_t i = 0; i < *ncharges; i++)
            snprintf(charges[i], 80, "%s",
                     json_string_value(json_array_get(list, i)));
    }
    json_decref(doc);
    return enc;
}
