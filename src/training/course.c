/* course.c - loading and checking course files (see course.h): the
 * directory, a file's course and its exercises (their checks:
 * course_checks.c). Called once at start by serve (and lazily by apps
 * built by hand in tests); a bad file stops the start with one sentence
 * naming the file and the member, so a practice that edits a course sees
 * exactly what to fix. */
#include "training/course.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/alloc.h"
#include "rollout/catalog.h"
#include "training/course_int.h"

#define BAD(...) sw_err_set(err, SW_EBADREQUEST, __VA_ARGS__)

/* Copies string member `key` of o into out (cap bytes): required or not,
 * at most cap-1 bytes. */
int course_get_str(const char *file, const char *path, json_t *o,
                   const char *key, bool required, char *out, size_t cap,
                   sw_err *err)
{
    json_t *v = json_object_get(o, key);
    out[0] = '\0';
    if (v == NULL && !required)
        return SW_OK;
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0' || strlen(s) >= cap)
        return BAD("%s: %s%s must be a non-empty string of at most %zu "
                   "characters", file, path, key, cap - 1);
    memcpy(out, s, strlen(s) + 1);
    return SW_OK;
}

int course_only_members(const char *file, const char *path, json_t *o,
                        const char *const *names, const char *what,
                        sw_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        bool ok = false;
        for (size_t i = 0; names[i] && !ok; i++)
            ok = strcmp(names[i], key) == 0;
        if (!ok)
            return BAD("%s: %s%s is not a member of %s", file, path, key,
                       what);
    }
    return SW_OK;
}

static int get_int(const char *file, json_t *o, const char *key, int def,
                   int lo, int hi, int *out, sw_err *err)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL) {
        *out = def;
        return SW_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo
        || json_integer_value(v) > hi)
        return BAD("%s: %s must be a whole number from %d to %d", file, key,
                   lo, hi);
    *out = (int)json_integer_value(v);
    return SW_OK;
}

static int parse_exercise(const char *file, size_t i, json_t *o,
                          course_exercise *e, sw_err *err)
{
    static const char *const names[] = { "id", "title", "checks", NULL };
    char path[48];
    snprintf(path, sizeof path, "exercises[%zu].", i);
    int rc;
    if (!json_is_object(o))
        return BAD("%s: exercises[%zu] must be an object", file, i);
    if ((rc = course_only_members(file, path, o, names, "a course file",
                                  err)) != SW_OK
        || (rc = course_get_str(file, path, o, "id", true, e->id, sizeof e->id, err)) != SW_OK
        || (rc = course_get_str(file, path, o, "title", true, e->title, sizeof e->title, err)) != SW_OK)
        return rc;
    json_t *checks = json_object_get(o, "checks");
    if (!json_is_array(checks) || json_array_size(checks) == 0
        || json_array_size(checks) > COURSE_MAX_CHECKS)
        return BAD("%s: %schecks must be a list of 1 to %d checks", file, path,
                   COURSE_MAX_CHECKS);
    e->nchecks = json_array_size(checks);
    for (size_t k = 0; k < e->nchecks; k++) {
        char cpath[96];
        snprintf(cpath, sizeof cpath, "%schecks[%zu].", path, k);
        if ((rc = course_parse_check(file, cpath, json_array_get(checks, k),
                              &e->checks[k], err)) != SW_OK)
            return rc;
    }
    return SW_OK;
}

/* A course id is its module's course id, or that and "-suffix". */
static bool id_fits_module(const char *id, const char *module)
{
    const catalog_module *m = catalog_find(module);
    if (m == NULL || m->course == NULL)
        return false;
    size_t n = strlen(m->course);
    return strncmp(id, m->course, n) == 0
           && (id[n] == '\0' || (id[n] == '-' && id[n + 1] != '\0'));
}

int training_course_parse(const char *file, const char *text,
                          training_course *out, sw_err *err)
{
    static const char *const names[] = { "id", "module", "title", "roles",
                                         "exercises", "pass_mark",
                                         "time_limit_minutes", NULL };
    json_error_t jerr;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL)
        return BAD("%s: not valid JSON at line %d", file, jerr.line);
    int rc = SW_OK;
    memset(out, 0, sizeof *out);
    if (!json_is_object(doc)) {
        rc = BAD("%s: the file must hold one JSON object", file);
        goto out;
    }
    if ((rc = course_only_members(file, "", doc, names, "a course file",
                                  err)) != SW_OK
        || (rc = course_get_str(file, "", doc, "id", true, out->id, sizeof out->id, err)) != SW_OK
        || (rc = course_get_str(file, "", doc, "module", true, out->module, sizeof out->module, err)) != SW_OK
        || (rc = course_get_str(file, "", doc, "title", true, out->title, sizeof out->title, err)) != SW_OK
        || (rc = get_int(file, doc, "pass_mark", COURSE_DEFAULT_PASS_MARK, 1, 100,
                         &out->pass_mark, err)) != SW_OK
        || (rc = get_int(file, doc, "time_limit_minutes", COURSE_DEFAULT_TIME_LIMIT,
                         1, 240, &out->time_limit_minutes, err)) != SW_OK)
        goto out;
    if (!catalog_is_module(out->module)) {
        rc = BAD("%s: module '%s' is not a module of the catalog", file, out->module);
        goto out;
    }
    if (!id_fits_module(out->id, out->module)) {
        rc = BAD("%s: id must be the module's course id '%s', or it followed "
                 "by '-' and a variant name", file, catalog_find(out->module)->course);
        goto out;
    }
    json_t *roles = json_object_get(doc, "roles");
    if (roles) {
        if (!json_is_array(roles) || json_array_size(roles) > COURSE_MAX_ROLES) {
            rc = BAD("%s: roles must be a list of at most %d role ids", file,
                     COURSE_MAX_ROLES);
            goto out;
        }
        for (size_t i = 0; i < json_array_size(roles); i++) {
            const char *r = json_string_value(json_array_get(roles, i));
            if (r == NULL || r[0] == '\0' || strlen(r) >= sizeof out->roles[0]) {
                rc = BAD("%s: roles[%zu] must be a role id", file, i);
                goto out;
            }
            memcpy(out->roles[out->nroles++], r, strlen(r) + 1);
        }
    }
    json_t *ex = json_object_get(doc, "exercises");
    if (!json_is_array(ex) || json_array_size(ex) < 1
        || json_array_size(ex) > COURSE_MAX_EXERCISES) {
        rc = BAD("%s: exercises must be a list of 1 to %d exercises", file,
                 COURSE_MAX_EXERCISES);
        goto out;
    }
    out->nexercises = json_array_size(ex);
    for (size_t i = 0; i < out->nexercises; i++) {
        if ((rc = parse_exercise(file, i, json_array_get(ex, i),
                                 &out->exercises[i], err)) != SW_OK)
            goto out;
        for (size_t k = 0; k < i; k++)
            if (strcmp(out->exercises[k].id, out->exercises[i].id) == 0) {
                rc = BAD("%s: exercises[%zu].id '%s' is used twice", file, i,
                         out->exercises[i].id);
                goto out;
            }
    }
out:
    json_decref(doc);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return SW_EIO;
    char *buf = sw_malloc(COURSE_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, COURSE_FILE_MAX + 1, f) : 0;
    fclose(f);
    if (buf == NULL)
        return SW_ENOMEM;
    if (n > COURSE_FILE_MAX) {
        sw_free(buf);
        return SW_ETOOBIG;
    }
    buf[n] = '\0';
    *out = buf;
    return SW_OK;
}

int training_courses_load(const char *dir, training_courses **out, sw_err *err)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (d == NULL)
        return sw_err_set(err, SW_EIO, "cannot open the courses directory %s", dir);
    char *names[COURSE_MAX_COURSES];
    size_t n = 0;
    int rc = SW_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || de->d_name[0] == '.'
            || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        if (n == COURSE_MAX_COURSES) {
            rc = sw_err_set(err, SW_EBADREQUEST, "%s: more than %d course files",
                            dir, COURSE_MAX_COURSES);
            break;
        }
        if ((names[n] = sw_strdup(de->d_name)) == NULL) {
            rc = sw_err_set(err, SW_ENOMEM, NULL);
            break;
        }
        n++;
    }
    closedir(d);
    training_courses *c = NULL;
    if (rc == SW_OK) {
        qsort(names, n, sizeof names[0], by_name);
        c = sw_calloc(1, sizeof *c);
        if (c && n)
            c->items = sw_calloc(n, sizeof *c->items);
        if (c == NULL || (n && c->items == NULL))
            rc = sw_err_set(err, SW_ENOMEM, NULL);
    }
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        char path[4096];
        char *text = NULL;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc = read_file(path, &text);
        if (rc != SW_OK) {
            sw_err_set(err, rc, "%s: cannot be read (at most %d bytes)",
                       names[i], COURSE_FILE_MAX);
            break;
        }
        rc = training_course_parse(names[i], text, &c->items[c->n], err);
        sw_free(text);
        if (rc != SW_OK)
            break;
        if (training_course_find(c, c->items[c->n].id)) {
            rc = BAD("%s: id '%s' is already the id of another course file",
                     names[i], c->items[c->n].id);
            break;
        }
        c->n++;
    }
    for (size_t i = 0; i < n; i++)
        sw_free(names[i]);
    if (rc != SW_OK) {
        training_courses_free(c);
        return rc;
    }
    *out = c;
    return SW_OK;
}

void training_courses_free(training_courses *c)
{
    if (c == NULL)
        return;
    sw_free(c->items);
    sw_free(c);
}

const training_course *training_course_find(const training_courses *c,
                                            const char *id)
{
    for (size_t i = 0; c && id && i < c->n; i++)
        if (strcmp(c->items[i].id, id) == 0)
            return &c->items[i];
    return NULL;
}

bool training_course_for_roles(const training_course *c, const char *roles)
{
    if (c->nroles == 0)
        return true;
    for (size_t i = 0; i < c->nroles; i++) {
        size_t n = strlen(c->roles[i]);
        for (const char *p = roles ? roles : ""; *p; ) {
            const char *end = strchr(p, ',');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            if (len == n && strncmp(p, c->roles[i], n) == 0)
                return true;
            p += len + (end ? 1 : 0);
        }
    }
    return false;
}
