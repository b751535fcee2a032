/* fuzz_fhir_validate.c - libFuzzer target for the FHIR R4 validator
 * (fhir_validate in src/fhir/validate.c, with primitive.c and the
 * generated tables behind it) and the search-path walk that index
 * extraction runs on every write (fhir_search_eval_all in searchpath.c).
 * Every resource a client sends goes through both.
 *
 * Each input is one JSON text; what sw_json_parse accepts is validated
 * twice (plain, and as a transaction entry). Besides what ASan and UBSan
 * catch, the target checks validate.h's promises:
 *   - the validation runs to the end (SW_OK: the arena budget is ample);
 *   - at most FHIR_VALIDATE_MAX_ISSUES issues are kept, `truncated` says
 *     when more were found, and errors counts every error;
 *   - every issue has a code, a location within FHIR_VALIDATE_MAX_PATH
 *     (plus "...") and a message, all valid UTF-8 without control
 *     characters, so they can go into an OperationOutcome as they are;
 *   - a resource found valid is still valid after writing and parsing it
 *     again (validation depends on the tree, not on formatting);
 *   - on a valid resource the search-path walk selects only nodes of the
 *     shape their type needs; on any other input it does not crash.
 *
 * Run by hand (new inputs go to the first directory, so not the seeds):
 *   build/san/fuzz/fuzz_fhir_validate -dict=fuzz/fhir_validate.dict
 *       -max_len=9000 /tmp/corpus fuzz/corpus/fhir_validate */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/errors.h"
#include "core/json.h"
#include "core/utf8.h"
#include "fhir/searchpath.h"
#include "fhir/validate.h"

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,       \
                    __LINE__, #cond);                                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* Ample for any input of -max_len; running out would be a finding. */
#define ARENA_BUDGET (256u * 1024 * 1024)

static void check_text(const char *s, size_t max)
{
    CHECK(s != NULL);
    size_t n = strlen(s);
    CHECK(n <= max);
    CHECK(sw_utf8_valid(s, n));
    for (size_t i = 0; i < n; i++)
        CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static void check_issues(const fhir_issues *is)
{
    CHECK(is->count <= FHIR_VALIDATE_MAX_ISSUES);
    CHECK(is->count <= is->cap || is->count == 0);
    CHECK(is->errors >= is->count);      /* every issue so far is an error */
    CHECK(is->truncated == (is->errors > is->count));
    for (size_t i = 0; i < is->count; i++) {
        const fhir_issue *x = &is->items[i];
        CHECK(x->severity == FHIR_SEVERITY_ERROR);
        CHECK(x->code != NULL && x->code[0] != '\0');
        check_text(x->location, FHIR_VALIDATE_MAX_PATH + 3);
        check_text(x->message, 4096);
        CHECK(x->message[0] != '\0');
    }
}

static int on_node(void *arg, const fhir_type_param *tp, const sw_json *node,
                   fhir_type_id type)
{
    size_t *count = arg;
    const fhir_type *t = fhir_type_get(type);
    CHECK(tp != NULL && tp->unsupported == NULL);
    CHECK(t != NULL && node != NULL);
    CHECK(node->kind != SW_JSON_NULL && node->kind != SW_JSON_ARRAY);
    if (t->kind != FHIR_KIND_PRIMITIVE)
        CHECK(node->kind == SW_JSON_OBJECT);
    (*count)++;
    return 0;
}

/* On invalid resources the walk may meet any shape; it only must not
 * crash or select nulls. */
static int on_any_node(void *arg, const fhir_type_param *tp, const sw_json *node,
                       fhir_type_id type)
{
    size_t *count = arg;
    CHECK(tp != NULL && node != NULL && fhir_type_get(type) != NULL);
    CHECK(node->kind != SW_JSON_NULL);
    (*count)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena *a = sw_arena_create(ARENA_BUDGET);
    if (a == NULL)
        return 0;
    sw_json *root = NULL;
    if (sw_json_parse(a, (const char *)data, size, &root, NULL) != SW_OK)
        goto out;

    fhir_issues is = { 0 };
    CHECK(fhir_validate(a, root, 0, &is) == SW_OK);
    check_issues(&is);

    fhir_issues tx = { 0 };
    CHECK(fhir_validate(a, root, FHIR_VALIDATE_CONDITIONAL_REFS, &tx) == SW_OK);
    check_issues(&tx);
    /* the flag only ever forgives conditional references */
    CHECK(tx.errors <= is.errors);

    if (is.errors == 0) {
        sw_buf b = SW_BUF_INIT(64 * 1024 * 1024);
        CHECK(sw_json_write(&b, root) == SW_OK);
        sw_json *again = NULL;
        CHECK(sw_json_parse(a, b.data, b.len, &again, NULL) == SW_OK);
        fhir_issues re = { 0 };
        CHECK(fhir_validate(a, again, 0, &re) == SW_OK);
        CHECK(re.errors == 0);
        sw_buf_free(&b);

        size_t nodes = 0;
        CHECK(fhir_search_eval_all(root, on_node, &nodes) == SW_OK);
    } else {
        /* the walk must cope with whatever shape it meets */
        size_t nodes = 0;
        int rc = fhir_search_eval_all(root, on_any_node, &nodes);
        CHECK(rc == SW_OK || rc == SW_EINVAL);
    }
out:
    sw_arena_destroy(a);
    return 0;
}
