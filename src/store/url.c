/* url.c - parsing the --db / STAGEWISE_DB URL into a backend and its target.
 *
 *   sqlite:PATH                  an SQLite file (relative or absolute path)
 *   postgresql://…, postgres://… a libpq connection URI, passed to libpq as is
 *
 * Anything else is refused with a sentence that shows the accepted forms.
 * The display form hides a password so the URL can appear in logs. */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

#define FORMS "use sqlite:PATH or postgresql://USER@HOST:PORT/DBNAME"

static int has_control_chars(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* Copies a postgres URI, replacing the password in user:password@ and in a
 * password= query parameter with "***". */
static void mask_password(const char *url, char *out, size_t cap)
{
    const char *auth = strstr(url, "://");
    const char *at = NULL, *colon = NULL;
    if (auth != NULL) {
        auth += 3;
        const char *end = auth + strcspn(auth, "/?#");
        for (const char *p = auth; p < end; p++)
            if (*p == '@')
                at = p;
        if (at != NULL) {
            colon = memchr(auth, ':', (size_t)(at - auth));
        }
    }
    if (colon != NULL)
        snprintf(out, cap, "%.*s:***%s", (int)(colon - url), url, at);
    else
        snprintf(out, cap, "%s", url);
    char *pw = strstr(out, "password=");
    if (pw != NULL) {
        char *val = pw + strlen("password=");
        char *end = val + strcspn(val, "&");
        memmove(val + 3, end, strlen(end) + 1);
        memcpy(val, "***", 3);
    }
}

int store_url_parse(const char *url, store_url *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    if (url == NULL || url[0] == '\0')
        return sw_err_set(err, SW_EUSAGE, "the database URL is empty; " FORMS);
    if (strlen(url) >= SW_STORE_MAX_URL_BYTES)
        return sw_err_set(err, SW_EUSAGE,
                          "the database URL is longer than %d bytes",
                          SW_STORE_MAX_URL_BYTES - 1);
    if (has_control_chars(url))
        return sw_err_set(err, SW_EUSAGE,
                          "the database URL contains control characters; " FORMS);

    if (strncmp(url, "sqlite:", 7) == 0) {
        const char *path = url + 7;
        if (strncmp(path, "//", 2) == 0)
            return sw_err_set(err, SW_EUSAGE,
                              "'%s' is ambiguous; write sqlite:PATH, for "
                              "example sqlite:/var/lib/stagewise/practice.db",
                              url);
        if (path[0] == '\0')
            return sw_err_set(err, SW_EUSAGE,
                              "the database URL 'sqlite:' names no file; "
                              "write sqlite:PATH, for example sqlite:stagewise.db");
        out->kind = STORE_SQLITE;
        snprintf(out->path, sizeof out->path, "%s", path);
        snprintf(out->display, sizeof out->display, "%s", url);
        return SW_OK;
    }
    if (strncmp(url, "postgresql://", 13) == 0
        || strncmp(url, "postgres://", 11) == 0) {
        out->kind = STORE_POSTGRES;
        snprintf(out->conninfo, sizeof out->conninfo, "%s", url);
        mask_password(url, out->display, sizeof out->display);
        return SW_OK;
    }

    const char *colon = strchr(url, ':');
    if (colon == NULL)
        return sw_err_set(err, SW_EUSAGE,
                          "the database URL '%s' has no scheme; " FORMS
                          " (for a file: sqlite:%s)", url, url);
    return sw_err_set(err, SW_EUSAGE,
                      "unknown database URL scheme '%.*s'; " FORMS,
                      (int)(colon - url), url);
}
