/* test_config.c - the `key = value` configuration file of `stagewise serve
 * --config` (src/cli/config.c): what a line may hold, which keys exist,
 * how flags, repeated and joined keys behave, and that every refusal names
 * the file, the line and the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/config.h"

static const struct option opts[] = {
    { "db", required_argument, NULL, 'd' },
    { "threads", required_argument, NULL, 't' },
    { "trust-proxy", required_argument, NULL, 'p' },
    { "no-training", no_argument, NULL, 'n' },
    { "config", required_argument, NULL, 'c' },
    { 0, 0, 0, 0 },
};
static const char *const joined[] = { "trust-proxy", NULL };
static const char *const refused[] = { "config", NULL };

/* Writes text to a new temporary file; its path is in path. */
static void write_file(char path[64], const char *text)
{
    snprintf(path, 64, "/tmp/sw-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int load(const char *text, cli_config *c, sw_err *err, char path[64])
{
    write_file(path, text);
    int rc = cli_config_load(path, opts, joined, refused, c, err);
    unlink(path);
    return rc;
}

static void test_keys_values_comments(void **state)
{
    (void)state;
    cli_config c;
    sw_err err = { 0 };
    char path[64];
    assert_int_equal(load("# a comment\n\n  db = sqlite:/var/x.db  \n"
                          "\tthreads=8\r\n   # indented comment\n"
                          "trust-proxy = \"10.0.0.1\"\n", &c, &err, path), SW_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.entries[0].option, "--db");
    assert_string_equal(c.entries[0].value, "sqlite:/var/x.db");
    assert_int_equal(c.entries[0].line, 3);
    assert_string_equal(c.entries[1].option, "--threads");
    assert_string_equal(c.entries[1].value, "8");
    assert_int_equal(c.entries[1].line, 4);
    assert_string_equal(c.entries[2].value, "10.0.0.1");   /* quotes removed */
    cli_config_free(&c);
}

static void test_later_wins_and_joined_keys_add_up(void **state)
{
    (void)state;
    cli_config c;
    sw_err err = { 0 };
    char path[64];
    assert_int_equal(load("threads = 4\ntrust-proxy = 10.0.0.1\n"
                          "threads = 6\ntrust-proxy = 10.0.0.2,10.0.0.3\n"
                          "db = postgresql://h/db#not-a-comment\n",
                          &c, &err, path), SW_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.entries[0].value, "6");
    assert_int_equal(c.entries[0].line, 3);
    assert_string_equal(c.entries[1].value, "10.0.0.1,10.0.0.2,10.0.0.3");
    assert_string_equal(c.entries[2].value, "postgresql://h/db#not-a-comment");
    cli_config_free(&c);
}

static void test_flags(void **state)
{
    (void)state;
    cli_config c;
    sw_err err = { 0 };
    char path[64];
    assert_int_equal(load("no-training = true\n", &c, &err, path), SW_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.entries[0].option, "--no-training");
    assert_null(c.entries[0].value);
    cli_config_free(&c);
    assert_int_equal(load("no-training = yes\nno-training = false\n", &c, &err,
                          path), SW_OK);
    assert_int_equal(c.n, 0);
    cli_config_free(&c);
    assert_int_equal(load("db = x\nno-training = maybe\n", &c, &err, path),
                     SW_EUSAGE);
    assert_non_null(strstr(err.msg, ":2:"));
    assert_non_null(strstr(err.msg, "'no-training'"));
    assert_non_null(strstr(err.msg, "true or false"));
}

/* Each refusal: the text, the line it must name, a word it must say. */
static void test_refusals_name_file_line_and_key(void **state)
{
    (void)state;
    static const struct { const char *text; const char *where; const char *word; }
    cases[] = {
        { "db = x\nbogus = 1\n", ":2:", "'bogus'" },
        { "config = /etc/other.conf\n", ":1:", "'config'" },
        { "# c\n--db = x\n", ":2:", "'--db'" },
        { "db x\n", ":1:", "key = value" },
        { "\n\n = 5\n", ":3:", "key is missing" },
        { "threads =\n", ":1:", "'threads' has no value" },
        { "Threads = 4\n", ":1:", "'Threads'" },   /* keys are exact */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cli_config c;
        sw_err err = { 0 };
        char path[64];
        assert_int_equal(load(cases[i].text, &c, &err, path), SW_EUSAGE);
        assert_non_null(strstr(err.msg, path));
        if (strstr(err.msg, cases[i].where) == NULL
            || strstr(err.msg, cases[i].word) == NULL)
            fail_msg("case %zu: %s", i, err.msg);
        assert_int_equal(c.n, 0);
    }
}

static void test_missing_file(void **state)
{
    (void)state;
    cli_config c;
    sw_err err = { 0 };
    assert_int_not_equal(cli_config_load("/nonexistent/stagewise.conf", opts,
                                         joined, refused, &c, &err), SW_OK);
    assert_non_null(strstr(err.msg, "/nonexistent/stagewise.conf"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_values_comments),
        cmocka_unit_test(test_later_wins_and_joined_keys_add_up),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_refusals_name_file_line_and_key),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
