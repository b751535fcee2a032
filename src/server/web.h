/* web.h - the web app's files, served by the same binary at /.
 *
 * At start-up every file under the web directory (web/ of the source tree,
 * or --web DIR) is read into memory once: index.html is served at /, and
 * every other file at /static/<path below DIR/static>. The set is fixed
 * while the server runs, so no request touches the file system and no
 * request path can reach a file outside it. The files carry no patient
 * data: the app asks /api and /fhir for everything (docs/web.md). */
#ifndef SW_SERVER_WEB_H
#define SW_SERVER_WEB_H

#include <stddef.h>

#include "core/errors.h"
#include "http/http.h"

#define WEB_MAX_FILES       512
#define WEB_MAX_TOTAL_BYTES (32u * 1024 * 1024)

typedef struct web_file {
    char       *path;          /* "/", "/static/app.js" */
    const char *content_type;
    char       *data;
    size_t      len;
    char        etag[24];      /* "\"<hash>\"" of the content */
} web_file;

typedef struct web_files {
    web_file *files;
    size_t    count;
} web_files;

/* Reads dir/index.html and everything under dir/static. SW_ENOTFOUND when
 * dir has no index.html; SW_ETOOBIG past the limits above. */
int  web_load(const char *dir, web_files *out, sw_err *err);
void web_free(web_files *w);
/* The file served at path, or NULL. */
const web_file *web_find(const web_files *w, const char *path);

/* The route table: GET / and GET /static/… (public: the sign-in page
 * must load before anyone is signed in). Its ctx is the web_files. */
http_route_table web_route_table(web_files *w);

#endif
