/* fhir_test.h - helpers shared by the tests of src/fhir/: JSON written
 * with single quotes for readability, example files from tests/data, and
 * validation issues flattened to "code@location" lines for comparison. */
#ifndef SW_FHIR_TEST_H
#define SW_FHIR_TEST_H

#include <stddef.h>

#include "core/arena.h"
#include "core/json.h"
#include "fhir/validate.h"

/* Parses json after turning every ' into " (the tables stay readable);
 * fails the test on a parse error. */
sw_json *ft_parse(sw_arena *a, const char *json);
/* Parses a file of tests/data (path relative to it, e.g.
 * "fhir-r4-examples/Patient-example.json"); fails the test if missing. */
sw_json *ft_load(sw_arena *a, const char *relpath);
/* The file names of a tests/data directory ending in .json, sorted;
 * *count gets their number. */
char **ft_list_json(sw_arena *a, const char *reldir, size_t *count);
/* Issues as "code@location" joined by '\n' ("" when none). */
const char *ft_issues(sw_arena *a, const fhir_issues *is);
/* Validates and returns ft_issues of the result. */
const char *ft_validate(sw_arena *a, const sw_json *resource, unsigned flags);

#endif
