/* import.c - loading files of FHIR data (see import.h).
 *
 * Everything ends up as a transaction or batch Bundle handed to bundle.c,
 * so an import follows exactly the rules of POST /fhir: validation,
 * reference rewriting, conditional creates and references, no-op updates.
 * What this file adds is turning files into such Bundles, making them safe
 * to load twice (ids from urn:uuid fullUrls, PUT instead of POST), and
 * isolating bad data (a batch for what is not a transaction; a failed
 * NDJSON chunk is retried entry by entry). */
#include "import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/json.h"
#include "core/limits.h"
#include "fhir/bundle.h"
#include "fhir/model.h"
#include "fhir/validate.h"

/* A whole .json file is read into memory; NDJSON is read a line at a time. */
#define IMPORT_MAX_FILE (1024L * 1024 * 1024)
#define IMPORT_MAX_LINE (64 * 1024 * 1024)

struct deferred {
    char            *path;
    char            *text;
    size_t           len;
    int64_t          entries;
    char            *why;
    struct deferred *next;
};

struct fhir_import {
    sw_store          *store;
    int64_t            practice_id;
    audit_who          who;          /* the operator at the command line */
    fhir_import_hooks  hooks;
    fhir_import_stats  st;
    struct deferred   *deferred;
};

static void reject(fhir_import *im, const char *file, const char *where,
                   const char *why)
{
    if (im->hooks.reject)
        im->hooks.reject(im->hooks.arg, file, where, why);
}

static void progress(fhir_import *im)
{
    if (im->hooks.progress)
        im->hooks.progress(im->hooks.arg, &im->st);
}

int fhir_import_begin(sw_store *s, int64_t practice_id,
                      const fhir_import_hooks *hooks, fhir_import **out)
{
    fhir_import *im = sw_calloc(1, sizeof *im);
    if (im == NULL)
        return SW_ENOMEM;
    im->store = s;
    im->practice_id = practice_id;
    audit_cli_who(&im->who, practice_id);
    if (hooks)
        im->hooks = *hooks;
    *out = im;
    return SW_OK;
}

/* ---- Making entries loadable twice --------------------------------------- */

static sw_json *str(sw_arena *a, const char *s)
{
    return sw_json_new_cstring(a, s);
}

/* A request object {method, url}. */
static sw_json *request(sw_arena *a, const char *method, const char *url)
{
    sw_json *r = sw_json_new_object(a);
    if (r == NULL || sw_json_set(a, r, "method", str(a, method)) != SW_OK
        || sw_json_set(a, r, "url", str(a, url)) != SW_OK)
        return NULL;
    return r;
}

/* POST of a resource whose fullUrl is urn:uuid:X becomes PUT Type/X with
 * id X, unless it is a conditional create: loading it again then finds the
 * same resource instead of making a copy. */
static int stabilize_entry(sw_arena *a, sw_json *entry)
{
    sw_json *req = sw_json_get(entry, "request");
    sw_json *res = sw_json_get(entry, "resource");
    const char *method = sw_json_get_string(req, "method");
    const char *full = sw_json_get_string(entry, "fullUrl");
    const char *type = sw_json_get_string(res, "resourceType");
    if (method == NULL || strcmp(method, "POST") != 0 || type == NULL
        || sw_json_get(req, "ifNoneExist") != NULL || full == NULL
        || strncmp(full, "urn:uuid:", 9) != 0 || strlen(full + 9) > 64)
        return SW_OK;
    const char *id = full + 9;
    sw_json *nreq = request(a, "PUT", sw_arena_printf(a, "%s/%s", type, id));
    if (nreq == NULL)
        return SW_ENOMEM;
    int rc = sw_json_set(a, entry, "request", nreq);
    if (rc == SW_OK)
        rc = sw_json_set_at(a, res, 1, "id", str(a, id));
    return rc;
}

/* An entry for a resource on its own: PUT when it has an id, else POST. */
static sw_json *entry_for(sw_arena *a, sw_json *res)
{
    const char *type = sw_json_get_string(res, "resourceType");
    const char *id = sw_json_get_string(res, "id");
    sw_json *e = sw_json_new_object(a);
    sw_json *r = id ? request(a, "PUT", sw_arena_printf(a, "%s/%s", type, id))
                    : request(a, "POST", type);
    if (e == NULL || r == NULL || sw_json_set(a, e, "resource", res) != SW_OK
        || sw_json_set(a, e, "request", r) != SW_OK)
        return NULL;
    return e;
}

static sw_json *new_bundle(sw_arena *a, const char *type, sw_json **entries)
{
    sw_json *b = sw_json_new_object(a);
    *entries = sw_json_new_array(a);
    if (b == NULL || *entries == NULL
        || sw_json_set(a, b, "resourceType", str(a, "Bundle")) != SW_OK
        || sw_json_set(a, b, "type", str(a, type)) != SW_OK
        || sw_json_set(a, b, "entry", *entries) != SW_OK)
        return NULL;
    return b;
}

/* ---- Running a Bundle ---------------------------------------------------- */

static void add_stats(fhir_import *im, const fhir_bundle_stats *bs)
{
    im->st.created += bs->created;
    im->st.updated += bs->updated;
    im->st.unchanged += bs->unchanged;
    im->st.rejected += bs->failed;
}

static const char *first_issue(const fhir_issues *issues, char *buf, size_t cap)
{
    if (issues->count == 0)
        return "it could not be stored";
    const fhir_issue *it = &issues->items[0];
    if (it->location)
        snprintf(buf, cap, "%s: %s", it->location, it->message);
    else
        snprintf(buf, cap, "%s", it->message);
    return buf;
}

/* Runs bundle; reports batch entries that failed. */
static int run_bundle(fhir_import *im, sw_arena *a, sw_json *bundle,
                      const char *file, fhir_issues *issues)
{
    fhir_bundle_stats bs = { 0 };
    fhir_bundle_opts opts = {
        .practice_id = im->practice_id, .who = &im->who,
        .base = "urn:stagewise:import",
        .minimal = true, .stats = &bs,
    };
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    int rc = fhir_bundle_process(im->store, a, bundle, &opts, &out, issues);
    if (rc == SW_OK && bs.failed > 0) {
        /* Which batch entries failed, from the response's statuses. */
        sw_json *resp;
        sw_err err;
        if (sw_json_parse(a, sw_buf_str(&out), out.len, &resp, &err) == SW_OK) {
            const sw_json *es = sw_json_get(resp, "entry");
            for (size_t i = 0; es && i < es->count; i++) {
                const sw_json *r = sw_json_get(es->items[i], "response");
                const char *status = sw_json_get_string(r, "status");
                if (status && status[0] >= '4') {
                    const sw_json *oo = sw_json_get(r, "outcome");
                    const sw_json *iss = sw_json_get(oo, "issue");
                    const char *why = iss && iss->count
                        ? sw_json_get_string(iss->items[0], "diagnostics") : status;
                    char where[32];
                    snprintf(where, sizeof where, "entry %zu", i);
                    reject(im, file, where, why ? why : status);
                }
            }
        }
    }
    sw_buf_free(&out);
    if (rc == SW_OK)
        add_stats(im, &bs);
    return rc;
}

/* Validates each entry's resource on its own; invalid entries are reported
 * and dropped (for a batch or collection, the rest still loads). */
static int drop_invalid_entries(fhir_import *im, sw_arena *a, sw_json *entries,
                                const char *file)
{
    size_t keep = 0;
    for (size_t i = 0; i < entries->count; i++) {
        sw_json *res = sw_json_get(entries->items[i], "resource");
        fhir_issues issues = { 0 };
        if (res != NULL) {
            int rc = fhir_validate(a, res, FHIR_VALIDATE_CONDITIONAL_REFS, &issues);
            if (rc != SW_OK)
                return rc;
        }
        if (issues.errors > 0) {
            char where[32], why[600];
            snprintf(where, sizeof where, "entry %zu", i);
            reject(im, file, where, first_issue(&issues, why, sizeof why));
            im->st.rejected++;
            continue;
        }
        entries->items[keep++] = entries->items[i];
    }
    entries->count = keep;
    return SW_OK;
}

/* Loads a parsed document. text/len are the file's bytes, kept for a
 * deferred retry; retrying says this is such a retry (its resources were
 * counted already). */
static int load_document(fhir_import *im, sw_arena *a, sw_json *doc,
                         const char *file, const char *text, size_t len,
                         bool retrying)
{
    const char *rtype = sw_json_get_string(doc, "resourceType");
    const char *btype = rtype && strcmp(rtype, "Bundle") == 0
                      ? sw_json_get_string(doc, "type") : NULL;
    sw_json *entries = sw_json_get(doc, "entry");
    if (rtype == NULL) {
        reject(im, file, "the file", "it is not a FHIR resource (no resourceType)");
        im->st.rejected++;
        return SW_OK;
    }
    sw_json *bundle = doc;
    bool transaction = btype && strcmp(btype, "transaction") == 0;
    if (btype && (strcmp(btype, "transaction") == 0 || strcmp(btype, "batch") == 0)) {
        for (size_t i = 0; entries && i < entries->count; i++)
            if (stabilize_entry(a, entries->items[i]) != SW_OK)
                return SW_ENOMEM;
    } else if (btype && (strcmp(btype, "collection") == 0 || strcmp(btype, "searchset") == 0)) {
        sw_json *list;
        bundle = new_bundle(a, "batch", &list);
        if (bundle == NULL)
            return SW_ENOMEM;
        for (size_t i = 0; entries && i < entries->count; i++) {
            sw_json *res = sw_json_get(entries->items[i], "resource");
            sw_json *e = res ? entry_for(a, res) : NULL;
            if (e != NULL && sw_json_append(a, list, e) != SW_OK)
                return SW_ENOMEM;
        }
        entries = list;
    } else {
        /* One resource (a document or message Bundle is one too). */
        sw_json *list;
        bundle = new_bundle(a, "batch", &list);
        sw_json *e = bundle ? entry_for(a, doc) : NULL;
        if (e == NULL || sw_json_append(a, list, e) != SW_OK)
            return SW_ENOMEM;
        entries = list;
    }
    size_t n = entries ? entries->count : 0;
    if (!retrying)
        im->st.resources += (int64_t)n;

    fhir_issues issues = { 0 };
    if (transaction) {
        int rc = fhir_validate(a, bundle, 0, &issues);
        if (rc != SW_OK)
            return rc;
        if (issues.errors > 0) {
            char why[600];
            reject(im, file, "the transaction", first_issue(&issues, why, sizeof why));
            im->st.rejected += (int64_t)n;
            return SW_OK;
        }
    } else if (entries != NULL) {
        int rc = drop_invalid_entries(im, a, entries, file);
        if (rc != SW_OK)
            return rc;
    }
    int rc = run_bundle(im, a, bundle, file, &issues);
    if (rc == SW_EPRECOND && transaction) {
        /* Perhaps a conditional reference to what a later file brings. */
        struct deferred *d = sw_calloc(1, sizeof *d);
        char why[600];
        if (d == NULL || (d->path = sw_strdup(file)) == NULL
            || (d->text = sw_strndup(text, len)) == NULL
            || (d->why = sw_strdup(first_issue(&issues, why, sizeof why))) == NULL) {
            if (d) {
                sw_free(d->path);
                sw_free(d->text);
                sw_free(d);
            }
            return SW_ENOMEM;
        }
        d->len = len;
        d->entries = (int64_t)n;
        d->next = im->deferred;
        im->deferred = d;
        return SW_OK;
    }
    if (rc != SW_OK && rc != SW_ENOMEM) {
        char why[600];
        reject(im, file, transaction ? "the transaction" : "the Bundle",
               first_issue(&issues, why, sizeof why));
        im->st.rejected += (int64_t)n;
        return rc == SW_ESTORE || rc == SW_EIO ? rc : SW_OK;
    }
    return rc;
}

/* ---- Files --------------------------------------------------------------- */

static int read_file(const char *path, char **text, size_t *len, sw_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sw_err_set(err, SW_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || sb.st_size > IMPORT_MAX_FILE) {
        fclose(f);
        return sw_err_set(err, SW_ETOOBIG, "%s is larger than %ld bytes; "
                          "split it or use NDJSON", path, IMPORT_MAX_FILE);
    }
    *text = sw_malloc((size_t)sb.st_size + 1);
    if (*text == NULL) {
        fclose(f);
        return sw_err_set(err, SW_ENOMEM, NULL);
    }
    *len = fread(*text, 1, (size_t)sb.st_size, f);
    (*text)[*len] = '\0';
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        sw_free(*text);
        return sw_err_set(err, SW_EIO, "cannot read %s", path);
    }
    return SW_OK;
}

static int load_json_text(fhir_import *im, const char *file, const char *text,
                          size_t len, bool retrying)
{
    sw_arena *a = sw_arena_create(0);
    if (a == NULL)
        return SW_ENOMEM;
    sw_json *doc;
    sw_err perr;
    int rc = sw_json_parse(a, text, len, &doc, &perr);
    if (rc == SW_OK && doc->kind != SW_JSON_OBJECT) {
        reject(im, file, "the file", "it is not a JSON object");
        im->st.rejected++;
    } else if (rc == SW_OK) {
        rc = load_document(im, a, doc, file, text, len, retrying);
    } else if (rc != SW_ENOMEM) {
        reject(im, file, "the file", sw_err_text(&perr));
        im->st.rejected++;
        rc = SW_OK;
    }
    sw_arena_destroy(a);
    return rc;
}

/* Runs a chunk of NDJSON resources as one transaction; if that fails, one
 * by one, so a bad line costs only itself. */
static int load_chunk(fhir_import *im, sw_arena *a, sw_json *bundle,
                      sw_json *entries, const char *file, const int *lines)
{
    fhir_issues issues = { 0 };
    int rc = run_bundle(im, a, bundle, file, &issues);
    if (rc == SW_OK || rc == SW_ENOMEM || rc == SW_ESTORE || rc == SW_EIO)
        return rc;
    for (size_t i = 0; i < entries->count; i++) {
        sw_json *one_list;
        sw_json *one = new_bundle(a, "transaction", &one_list);
        if (one == NULL || sw_json_append(a, one_list, entries->items[i]) != SW_OK)
            return SW_ENOMEM;
        fhir_issues oi = { 0 };
        rc = run_bundle(im, a, one, file, &oi);
        if (rc == SW_ENOMEM || rc == SW_ESTORE || rc == SW_EIO)
            return rc;
        if (rc != SW_OK) {
            char where[32], why[600];
            snprintf(where, sizeof where, "line %d", lines[i]);
            reject(im, file, where, first_issue(&oi, why, sizeof why));
            im->st.rejected++;
        }
    }
    return SW_OK;
}

static int load_ndjson(fhir_import *im, const char *path, sw_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sw_err_set(err, SW_EIO, "cannot open %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0, rc = SW_OK;
    int lines[FHIR_IMPORT_BATCH];
    sw_arena *a = NULL;
    sw_json *bundle = NULL, *entries = NULL;
    while (rc == SW_OK && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        im->st.bytes += n;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        char where[32];
        snprintf(where, sizeof where, "line %d", lineno);
        if (n > IMPORT_MAX_LINE) {
            reject(im, path, where, "the line is too long");
            im->st.rejected++;
            continue;
        }
        if (a == NULL) {
            a = sw_arena_create(0);
            bundle = a ? new_bundle(a, "transaction", &entries) : NULL;
            if (bundle == NULL) {
                rc = SW_ENOMEM;
                break;
            }
        }
        im->st.resources++;
        sw_json *res = NULL;
        sw_err perr;
        if (sw_json_parse(a, line, (size_t)n, &res, &perr) != SW_OK
            || res->kind != SW_JSON_OBJECT) {
            reject(im, path, where, res ? "it is not a JSON object" : sw_err_text(&perr));
            im->st.rejected++;
            continue;
        }
        fhir_issues issues = { 0 };
        if ((rc = fhir_validate(a, res, 0, &issues)) != SW_OK)
            break;
        if (issues.errors > 0) {
            char why[600];
            reject(im, path, where, first_issue(&issues, why, sizeof why));
            im->st.rejected++;
            continue;
        }
        sw_json *e = entry_for(a, res);
        if (e == NULL || sw_json_append(a, entries, e) != SW_OK) {
            rc = SW_ENOMEM;
            break;
        }
        lines[entries->count - 1] = lineno;
        if (entries->count == FHIR_IMPORT_BATCH) {
            rc = load_chunk(im, a, bundle, entries, path, lines);
            sw_arena_destroy(a);
            a = NULL;
            progress(im);
        }
    }
    if (rc == SW_OK && a != NULL && entries->count > 0)
        rc = load_chunk(im, a, bundle, entries, path, lines);
    sw_arena_destroy(a);
    free(line);
    fclose(f);
    if (rc != SW_OK)
        return sw_err_set(err, rc, "loading %s stopped: %s", path, sw_code_message(rc));
    return SW_OK;
}

int fhir_import_file(fhir_import *im, const char *path, sw_err *err)
{
    size_t plen = strlen(path);
    int rc;
    im->st.files++;
    if (plen > 7 && strcmp(path + plen - 7, ".ndjson") == 0) {
        rc = load_ndjson(im, path, err);
    } else {
        char *text = NULL;
        size_t len = 0;
        if ((rc = read_file(path, &text, &len, err)) != SW_OK)
            return rc;
        im->st.bytes += (int64_t)len;
        rc = load_json_text(im, path, text, len, false);
        sw_free(text);
        if (rc != SW_OK)
            sw_err_set(err, rc, "loading %s stopped: %s", path, sw_code_message(rc));
    }
    progress(im);
    return rc;
}

int fhir_import_finish(fhir_import *im, fhir_import_stats *stats)
{
    int rc = SW_OK;
    /* Retry deferred transactions while a pass makes progress: a file may
     * depend on another deferred one. */
    for (bool progressed = true; progressed && im->deferred && rc == SW_OK;) {
        progressed = false;
        struct deferred *list = im->deferred;
        im->deferred = NULL;
        while (list != NULL) {
            struct deferred *d = list;
            list = d->next;
            int64_t before = im->st.created + im->st.updated + im->st.unchanged;
            struct deferred *prev_head = im->deferred;
            rc = load_json_text(im, d->path, d->text, d->len, true);
            bool deferred_again = im->deferred != prev_head;
            if (!deferred_again && im->st.created + im->st.updated + im->st.unchanged > before)
                progressed = true;
            sw_free(d->path);
            sw_free(d->text);
            sw_free(d->why);
            sw_free(d);
            if (rc != SW_OK)
                break;
        }
    }
    /* Whatever is still deferred fails for good. */
    while (im->deferred != NULL) {
        struct deferred *d = im->deferred;
        im->deferred = d->next;
        reject(im, d->path, "the transaction", d->why);
        im->st.rejected += d->entries;
        sw_free(d->path);
        sw_free(d->text);
        sw_free(d->why);
        sw_free(d);
    }
    progress(im);
    if (stats)
        *stats = im->st;
    return rc;
}

void fhir_import_free(fhir_import *im)
{
    if (im == NULL)
        return;
    while (im->deferred != NULL) {
        struct deferred *d = im->deferred;
        im->deferred = d->next;
        sw_free(d->path);
        sw_free(d->text);
        sw_free(d->why);
        sw_free(d);
    }
    sw_free(im);
}
