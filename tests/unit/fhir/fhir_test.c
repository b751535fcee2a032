/* fhir_test.c - see fhir_test.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/errors.h"
#include "fhir_test.h"

static const char *data_dir(void)
{
    const char *d = getenv("STAGEWISE_TEST_DATA");
    return d ? d : "tests/data";
}

sw_json *ft_parse(sw_arena *a, const char *json)
{
    size_t n = strlen(json);
    char *copy = sw_arena_strndup(a, json, n);
    assert_non_null(copy);
    for (size_t i = 0; i < n; i++)
        if (copy[i] == '\'')
            copy[i] = '"';
    sw_json *root = NULL;
    sw_err err;
    if (sw_json_parse(a, copy, n, &root, &err) != SW_OK)
        fail_msg("test JSON does not parse: %s\n%s", sw_err_text(&err), copy);
    return root;
}

sw_json *ft_load(sw_arena *a, const char *relpath)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", data_dir(), relpath);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot read %s (STAGEWISE_TEST_DATA)", path);
    sw_buf b = SW_BUF_INIT(64 * 1024 * 1024);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        assert_int_equal(sw_buf_append(&b, chunk, n), SW_OK);
    fclose(f);
    sw_json *root = NULL;
    sw_err err;
    if (sw_json_parse(a, b.data ? b.data : "", b.len, &root, &err) != SW_OK)
        fail_msg("%s does not parse: %s", path, sw_err_text(&err));
    sw_buf_free(&b);
    return root;
}

static int cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

char **ft_list_json(sw_arena *a, const char *reldir, size_t *count)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", data_dir(), reldir);
    DIR *d = opendir(path);
    if (d == NULL)
        fail_msg("cannot list %s (STAGEWISE_TEST_DATA)", path);
    size_t n = 0, cap = 64;
    char **names = sw_arena_alloc(a, cap * sizeof *names);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (n == cap) {
            char **more = sw_arena_alloc(a, cap * 2 * sizeof *names);
            memcpy(more, names, n * sizeof *names);
            names = more;
            cap *= 2;
        }
        names[n++] = sw_arena_strdup(a, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    *count = n;
    return names;
}

const char *ft_issues(sw_arena *a, const fhir_issues *is)
{
    sw_buf b = SW_BUF_INIT(1024 * 1024);
    for (size_t i = 0; i < is->count; i++)
        sw_buf_printf(&b, "%s%s@%s", i ? "\n" : "", is->items[i].code, is->items[i].location);
    const char *out = sw_arena_strdup(a, sw_buf_str(&b));
    sw_buf_free(&b);
    return out;
}

const char *ft_validate(sw_arena *a, const sw_json *resource, unsigned flags)
{
    fhir_issues is = { 0 };
    assert_int_equal(fhir_validate(a, resource, flags, &is), SW_OK);
    return ft_issues(a, &is);
}
