/* test_cmd_adoption.c - `stagewise adoption report|evaluate|rebuild|
 * baseline import` run as a user would run them (docs/commands/
 * adoption.md), on each store: usage errors exit 2 with one sentence, a
 * failure exits 1, and the report's table, JSON and CSV formats, the
 * baseline import (all or none), the evaluation and the rebuild work on
 * an initialised practice. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testapi.h"
#include "testdb.h"
#include "testserver.h"

typedef struct fixture {
    char *db, *dir;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->db = sw_test_fresh_db();
    f->dir = sw_test_tmpdir();
    sw_test_init_db(f->db);
    if (sw_test_add_user(f->db, "dr.a", "physician") != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    free(f->db);
    free(f->dir);
    free(f);
    return 0;
}

static void usage_errors(void **state)
{
    (void)state;
    const char *help[] = { "adoption", "--help", NULL };
    char *out = sw_test_expect_run(0, help, NULL);
    assert_non_null(strstr(out, "baseline import"));
    free(out);
    const char *none[] = { "adoption", NULL };
    free(sw_test_expect_run(2, none, "subcommand"));
    const char *unknown[] = { "adoption", "frob", NULL };
    free(sw_test_expect_run(2, unknown, "'frob'"));
    const char *format[] = { "adoption", "report", "--format", "xml", NULL };
    free(sw_test_expect_run(2, format, "--format"));
    const char *module[] = { "adoption", "report", "--module", "nope", NULL };
    free(sw_test_expect_run(2, module, "'nope' is not a module id"));
    const char *as_of[] = { "adoption", "report", "--as-of", "2026-13-01", NULL };
    free(sw_test_expect_run(2, as_of, "--as-of"));
    const char *misplaced[] = { "adoption", "rebuild", "--user", "x", NULL };
    free(sw_test_expect_run(2, misplaced, "--user"));
    const char *baseline[] = { "adoption", "baseline", "export", "x", NULL };
    free(sw_test_expect_run(2, baseline, "baseline import FILE.csv"));
    const char *bad_opt[] = { "adoption", "report", "--nope", NULL };
    free(sw_test_expect_run(2, bad_opt, "--nope"));
}

static void report_formats(void **state)
{
    fixture *f = *state;
    const char *nobody[] = { "adoption", "report", "--db", f->db, "--user",
                             "nobody", NULL };
    free(sw_test_expect_run(1, nobody, "no user 'nobody'"));

    const char *table[] = { "adoption", "report", "--db", f->db, "--as-of",
                            "2026-11-29", NULL };
    char *out = sw_test_expect_run(0, table, NULL);
    assert_non_null(strstr(out, "USERNAME"));
    assert_non_null(strstr(out, "BELOW FLOOR"));
    assert_non_null(strstr(out, "dr.a"));
    assert_non_null(strstr(out, "documentation"));
    free(out);

    const char *json[] = { "adoption", "report", "--db", f->db, "--as-of",
                           "2026-11-29", "--format", "json", NULL };
    out = sw_test_expect_run(0, json, NULL);
    json_t *doc = json_loads(out, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "as_of")),
                        "2026-11-29");
    json_t *users = json_object_get(doc, "users");
    bool found = false;
    for (size_t i = 0; i < json_array_size(users); i++) {
        json_t *u = json_object_get(json_array_get(users, i), "user");
        found |= strcmp(json_string_value(json_object_get(u, "username")),
                        "dr.a") == 0;
    }
    assert_true(found);
    json_decref(doc);
    free(out);

    /* --module narrows the JSON as the API does. */
    const char *narrow[] = { "adoption", "report", "--db", f->db, "--user",
                             "dr.a", "--format", "json", "--module", "problems",
                             NULL };
    out = sw_test_expect_run(0, narrow, NULL);
    doc = json_loads(out, 0, NULL);
    json_t *one = json_array_get(json_object_get(doc, "users"), 0);
    static const char *const lists[] = { "benchmarks", "modules", "features" };
    for (size_t k = 0; k < 3; k++) {
        json_t *list = json_object_get(one, lists[k]);
        assert_true(json_array_size(list) >= 1);
        for (size_t i = 0; i < json_array_size(list); i++)
            assert_string_equal(json_string_value(json_object_get(
                json_array_get(list, i), "module")), "problems");
    }
    json_decref(doc);
    free(out);

    const char *csv[] = { "adoption", "report", "--db", f->db, "--user", "dr.a",
                          "--module", "problems", "--format", "csv", NULL };
    out = sw_test_expect_run(0, csv, NULL);
    assert_true(strncmp(out, "username,module,benchmark,value,unit,floor,goal,"
                        "standing,level\r\n", 64) == 0);
    int rows = 0;
    for (char *line = strstr(out, "\r\n") + 2; *line; rows++) {
        assert_true(strncmp(line, "dr.a,problems,", 14) == 0);
        char *next = strstr(line, "\r\n");
        assert_non_null(next);
        line = next + 2;
    }
    assert_true(rows >= 1);          /* the problem list ratio at least */
    assert_non_null(strstr(out, "dr.a,problems,problem_list,"));
    free(out);
}

static char *write_file(const fixture *f, const char *name, const char *text)
{
    size_t n = strlen(f->dir) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

static void baseline_evaluate_rebuild(void **state)
{
    fixture *f = *state;
    char *good = write_file(f, "good.csv", "username,week_start,visits,sessions\n"
                            "dr.a,2026-10-05,40,10\ndr.a,2026-10-12,38,9.5\n");
    char *bad = write_file(f, "bad.csv", "username,week_start,visits,sessions\n"
                           "dr.a,2026-10-19,40,10\nnobody,2026-10-19,1,1\n");
    const char *import_bad[] = { "adoption", "baseline", "import", bad, "--db",
                                 f->db, NULL };
    free(sw_test_expect_run(1, import_bad, "line 3"));
    const char *import_good[] = { "adoption", "baseline", "import", good, "--db",
                                  f->db, NULL };
    char *out = sw_test_expect_run(0, import_good, NULL);
    assert_non_null(strstr(out, "Imported 2 weeks"));
    free(out);
    const char *missing[] = { "adoption", "baseline", "import", "/nonexistent/x.csv",
                              "--db", f->db, NULL };
    free(sw_test_expect_run(1, missing, "cannot open"));

    const char *evaluate[] = { "adoption", "evaluate", "--db", f->db, "--as-of",
                               "2026-11-29", NULL };
    out = sw_test_expect_run(0, evaluate, NULL);
    assert_non_null(strstr(out, "Evaluated adoption as of 2026-11-29"));
    free(out);
    const char *rebuild[] = { "adoption", "rebuild", "--db", f->db, NULL };
    out = sw_test_expect_run(0, rebuild, NULL);
    assert_non_null(strstr(out, "Rebuilt"));
    free(out);
    free(good);
    free(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(usage_errors),
        cmocka_unit_test_setup_teardown(report_formats, setup, teardown),
        cmocka_unit_test_setup_teardown(baseline_evaluate_rebuild, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
