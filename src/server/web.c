/* web.c - loading the web app's files and serving them (see web.h). */
#include "web.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
    const char *ext;
    const char *type;
} content_types[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".js",   "text/javascript; charset=utf-8" },
    { ".mjs",  "text/javascript; charset=utf-8" },
    { ".css",  "text/css; charset=utf-8" },
    { ".json", "application/json" },
    { ".svg",  "image/svg+xml" },
    { ".png",  "image/png" },
    { ".ico",  "image/x-icon" },
    { ".woff2", "font/woff2" },
    { ".txt",  "text/plain; charset=utf-8" },
};

static const char *content_type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof content_types / sizeof content_types[0]; i++)
        if (strcmp(dot, content_types[i].ext) == 0)
            return content_types[i].type;
    return NULL;
}

/* A name we serve: letters, digits, '.', '-', '_', not hidden. Anything
 * else (editor backups, dotfiles) stays on disk. */
static bool servable_name(const char *name)
{
    if (name[0] == '.' || name[0] == '\0')
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
            return false;
    return true;
}

struct loader {
    web_files *w;
    size_t     total;
    sw_err    *err;
};

static int add_file(struct loader *l, const char *fs_path, const char *url,
                    const char *type)
{
    web_files *w = l->w;
    if (w->count == WEB_MAX_FILES)
        return sw_err_set(l->err, SW_ETOOBIG, "the web app has more than %d "
                          "files", WEB_MAX_FILES);
    FILE *f = fopen(fs_path, "rb");
    if (f == NULL)
        return sw_err_set(l->err, SW_EIO, "cannot read %s: %s", fs_path,
                          strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)
        || l->total + (size_t)st.st_size > WEB_MAX_TOTAL_BYTES) {
        fclose(f);
        return sw_err_set(l->err, SW_ETOOBIG, "%s is not a regular file or "
                          "the web app is over %u bytes", fs_path,
                          WEB_MAX_TOTAL_BYTES);
    }
    web_file *wf = &w->files[w->count];
    memset(wf, 0, sizeof *wf);
    wf->len = (size_t)st.st_size;
    wf->data = malloc(wf->len + 1);
    wf->path = strdup(url);
    if (wf->data == NULL || wf->path == NULL
        || fread(wf->data, 1, wf->len, f) != wf->len) {
        fclose(f);
        free(wf->data);
        free(wf->path);
        return sw_err_set(l->err, SW_EIO, "cannot read %s", fs_path);
    }
    fclose(f);
    wf->content_type = type;
    unsigned char digest[8];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)wf->data,
                       wf->len, NULL, 0);
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    snprintf(wf->etag, sizeof wf->etag, "\"%s\"", hex);
    l->total += wf->len;
    w->count++;
    return SW_OK;
}

static int walk(struct loader *l, const char *dir, const char *url_prefix,
                int depth)
{
    if (depth > 8)
        return SW_OK;
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT ? SW_OK
             : sw_err_set(l->err, SW_EIO, "cannot read %s: %s", dir, strerror(errno));
    int rc = SW_OK;
    struct dirent *e;
    while (rc == SW_OK && (e = readdir(d)) != NULL) {
        if (!servable_name(e->d_name))
            continue;
        char fs_path[4096], url[1024];
        snprintf(fs_path, sizeof fs_path, "%s/%s", dir, e->d_name);
        if ((size_t)snprintf(url, sizeof url, "%s/%s", url_prefix, e->d_name)
            >= sizeof url)
            continue;
        struct stat st;
        if (stat(fs_path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk(l, fs_path, url, depth + 1);
        else if (S_ISREG(st.st_mode) && content_type_of(e->d_name))
            rc = add_file(l, fs_path, url, content_type_of(e->d_name));
    }
    closedir(d);
    return rc;
}

int web_load(const char *dir, web_files *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    out->files = calloc(WEB_MAX_FILES, sizeof *out->files);
    if (out->files == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory loading the web app");
    struct loader l = { out, 0, err };
    char index[4096], statics[4096];
    snprintf(index, sizeof index, "%s/index.html", dir);
    snprintf(statics, sizeof statics, "%s/static", dir);
    struct stat st;
    int rc;
    if (stat(index, &st) != 0 || !S_ISREG(st.st_mode))
        rc = sw_err_set(err, SW_ENOTFOUND, "the web app is not in %s (no "
                        "index.html there); give its directory with --web DIR",
                        dir);
    else
        rc = add_file(&l, index, "/", content_type_of(index));
    if (rc == SW_OK)
        rc = walk(&l, statics, "/static", 0);
    if (rc != SW_OK)
        web_free(out);
    return rc;
}

void web_free(web_files *w)
{
    for (size_t i = 0; w->files && i < w->count; i++) {
        free(w->files[i].path);
        free(w->files[i].data);
    }
    free(w->files);
    memset(w, 0, sizeof *w);
}

const web_file *web_find(const web_files *w, const char *path)
{
    for (size_t i = 0; i < w->count; i++)
        if (strcmp(w->files[i].path, path) == 0)
            return &w->files[i];
    return NULL;
}

/* ---- Serving ------------------------------------------------------------- */

/* The page may load only its own scripts and styles and talk only to this
 * server: a script that slips into a page through data (a patient's
 * name) cannot run, and the app cannot be framed. */
static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static int send_file(sw_request *req, sw_response *res, const web_file *f)
{
    int rc = http_set_header(res, "ETag", f->etag);
    /* Revalidated on every load, so an upgrade is seen at once; the
     * files hold no patient data. */
    if (rc == SW_OK)
        rc = http_set_header(res, "Cache-Control", "no-cache");
    if (rc == SW_OK)
        rc = http_set_header(res, "X-Content-Type-Options", "nosniff");
    if (rc == SW_OK)
        rc = http_set_header(res, "Referrer-Policy", "no-referrer");
    if (rc == SW_OK && strncmp(f->content_type, "text/html", 9) == 0) {
        rc = http_set_header(res, "Content-Security-Policy", csp);
        if (rc == SW_OK)
            rc = http_set_header(res, "X-Frame-Options", "DENY");
    }
    if (rc != SW_OK)
        return http_fail(res, rc, NULL);
    const char *inm = http_header_get(req, "If-None-Match");
    if (inm && strcmp(inm, f->etag) == 0) {
        res->status = 304;
        return SW_OK;
    }
    return http_reply(res, 200, f->content_type, f->data, f->len);
}

static int get_index(sw_request *req, sw_response *res)
{
    const web_file *f = web_find(req->ctx, "/");
    if (f == NULL)
        return http_fail(res, SW_ENOTFOUND, "the web app is not installed");
    return send_file(req, res, f);
}

static int get_static(sw_request *req, sw_response *res)
{
    char path[1100];
    if (req->rest == NULL
        || (size_t)snprintf(path, sizeof path, "/static/%s", req->rest) >= sizeof path)
        return http_fail(res, SW_ENOTFOUND, "no such file");
    const web_file *f = web_find(req->ctx, path);
    if (f == NULL)
        return http_fail(res, SW_ENOTFOUND, "no such file: %s", path);
    return send_file(req, res, f);
}

static const http_route routes[] = {
    { "GET", "/",          get_index,  HTTP_ROUTE_PUBLIC, NULL },
    { "GET", "/static/*",  get_static, HTTP_ROUTE_PUBLIC, NULL },
};

http_route_table web_route_table(web_files *w)
{
    http_route_table t = {
        .name = "web",
        .routes = routes,
        .count = sizeof routes / sizeof routes[0],
        .ctx = w,
    };
    return t;
}
