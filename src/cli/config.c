/* config.c - reads the `key = value` configuration file (config.h). Kept
 * separate from the command so that the rules of the format are in one
 * small place and unit-tested without starting a server. */
#include "cli/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool in_list(const char *const *list, const char *key)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++)
        if (strcmp(list[i], key) == 0)
            return true;
    return false;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'
                     || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static char *dup_or_null(const char *s)
{
    return s == NULL ? NULL : strdup(s);
}

/* Adds or replaces the entry for option (already "--key"). */
static int put(cli_config *c, const char *option, const char *value,
               bool joined, int line, sw_err *err)
{
    for (int i = 0; i < c->n; i++) {
        cli_config_entry *e = &c->entries[i];
        if (strcmp(e->option, option) != 0)
            continue;
        if (joined && e->value != NULL && value != NULL) {
            size_t n = strlen(e->value) + 1 + strlen(value) + 1;
            char *both = malloc(n);
            if (both == NULL)
                return sw_err_set(err, SW_ENOMEM, NULL);
            snprintf(both, n, "%s,%s", e->value, value);
            free(e->value);
            e->value = both;
            return SW_OK;
        }
        /* The later value wins and keeps the file's order of its line. */
        free(e->value);
        e->value = dup_or_null(value);
        e->line = line;
        if (value != NULL && e->value == NULL)
            return sw_err_set(err, SW_ENOMEM, NULL);
        return SW_OK;
    }
    if (c->n >= CLI_CONFIG_MAX_ENTRIES)
        return sw_err_set(err, SW_EUSAGE, "%s:%d: more than %d keys", c->path,
                          line, CLI_CONFIG_MAX_ENTRIES);
    cli_config_entry *e = &c->entries[c->n];
    e->option = strdup(option);
    e->value = dup_or_null(value);
    e->line = line;
    if (e->option == NULL || (value != NULL && e->value == NULL)) {
        free(e->option);
        free(e->value);
        return sw_err_set(err, SW_ENOMEM, NULL);
    }
    c->n++;
    return SW_OK;
}

/* One non-blank, non-comment line. */
static int parse_line(cli_config *c, char *text, int line,
                      const struct option *opts, const char *const *joined,
                      const char *const *refused, sw_err *err)
{
    char *eq = strchr(text, '=');
    if (eq == NULL)
        return sw_err_set(err, SW_EUSAGE, "%s:%d: expected 'key = value', "
                          "found '%.60s'", c->path, line, text);
    *eq = '\0';
    char *key = trim(text), *value = trim(eq + 1);
    if (*key == '\0')
        return sw_err_set(err, SW_EUSAGE, "%s:%d: a key is missing before "
                          "'='", c->path, line);
    size_t vn = strlen(value);
    if (vn >= 2 && value[0] == '"' && value[vn - 1] == '"') {
        value[vn - 1] = '\0';
        value++;
    }
    const struct option *o = NULL;
    for (size_t i = 0; opts[i].name != NULL; i++)
        if (strcmp(opts[i].name, key) == 0)
            o = &opts[i];
    if (o == NULL || in_list(refused, key))
        return sw_err_set(err, SW_EUSAGE, "%s:%d: unknown key '%.60s'; the "
                          "keys are the command's long options without '--'",
                          c->path, line, key);
    char option[128];
    snprintf(option, sizeof option, "--%s", key);
    if (o->has_arg == no_argument) {
        if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0)
            return put(c, option, NULL, false, line, err);
        if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0) {
            /* false: as if the key were absent (an earlier true is undone). */
            for (int i = 0; i < c->n; i++)
                if (strcmp(c->entries[i].option, option) == 0) {
                    free(c->entries[i].option);
                    free(c->entries[i].value);
                    memmove(&c->entries[i], &c->entries[i + 1],
                            (size_t)(c->n - i - 1) * sizeof c->entries[0]);
                    c->n--;
                    break;
                }
            return SW_OK;
        }
        return sw_err_set(err, SW_EUSAGE, "%s:%d: key '%s' takes true or "
                          "false", c->path, line, key);
    }
    if (*value == '\0')
        return sw_err_set(err, SW_EUSAGE, "%s:%d: key '%s' has no value",
                          c->path, line, key);
    return put(c, option, value, in_list(joined, key), line, err);
}

int cli_config_load(const char *path, const struct option *opts,
                    const char *const *joined, const char *const *refused,
                    cli_config *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->path, sizeof out->path, "%s", path);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return sw_err_set(err, errno == ENOENT ? SW_EUSAGE : SW_EIO,
                          "cannot read the configuration file %s: %s", path,
                          strerror(errno));
    char buf[CLI_CONFIG_MAX_LINE + 2];
    int line = 0, rc = SW_OK;
    while (rc == SW_OK && fgets(buf, sizeof buf, f) != NULL) {
        line++;
        size_t n = strlen(buf);
        if (n > CLI_CONFIG_MAX_LINE && buf[n - 1] != '\n') {
            rc = sw_err_set(err, SW_EUSAGE, "%s:%d: the line is longer than "
                            "%d bytes", path, line, CLI_CONFIG_MAX_LINE);
            break;
        }
        char *t = trim(buf);
        if (*t == '\0' || *t == '#')
            continue;
        rc = parse_line(out, t, line, opts, joined, refused, err);
    }
    if (rc == SW_OK && ferror(f))
        rc = sw_err_set(err, SW_EIO, "cannot read the configuration file %s",
                        path);
    fclose(f);
    if (rc != SW_OK)
        cli_config_free(out);
    return rc;
}

void cli_config_free(cli_config *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->entries[i].option);
        free(c->entries[i].value);
    }
    c->n = 0;
}
