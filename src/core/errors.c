/* errors.c - lookups into the error table of errors.h and the sw_err helpers.
 * Everything here is derived from SW_ERROR_TABLE; there is no second list. */
#include "errors.h"

#include <stdio.h>
#include <string.h>

struct code_row {
    const char *id;
    int         http;
    const char *fhir;
    const char *msg;
};

static const struct code_row code_rows[SW_ERR__COUNT] = {
#define SW_ERR_ROW(name, id, http, fhir, msg) [name] = { id, http, fhir, msg },
    SW_ERROR_TABLE(SW_ERR_ROW)
#undef SW_ERR_ROW
};

static const struct code_row *row_of(int code)
{
    if (code < 0 || code >= SW_ERR__COUNT)
        code = SW_EINTERNAL;
    return &code_rows[code];
}

const char *sw_code_id(int code)          { return row_of(code)->id; }
int         sw_code_http_status(int code) { return row_of(code)->http; }
const char *sw_code_fhir_type(int code)   { return row_of(code)->fhir; }
const char *sw_code_message(int code)     { return row_of(code)->msg; }

int sw_code_exit_status(int code)
{
    if (code == SW_OK)
        return 0;
    return code == SW_EUSAGE ? 2 : 1;
}

/* vsnprintf cuts at a byte; drop a character it left incomplete so the
 * message stays valid UTF-8 (it goes into JSON and OperationOutcomes). */
static void trim_partial_char(char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0 || (unsigned char)s[i - 1] < 0xC0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (len - (i - 1) < need)
        s[i - 1] = '\0';
}

int sw_err_vset(sw_err *err, int code, const char *fmt, va_list ap)
{
    if (err == NULL)
        return code;
    err->code = code;
    if (fmt == NULL) {
        snprintf(err->msg, sizeof err->msg, "%s", sw_code_message(code));
    } else {
        int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        if (n >= (int)sizeof err->msg)
            trim_partial_char(err->msg, sizeof err->msg - 1);
    }
    return code;
}

int sw_err_set(sw_err *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sw_err_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void sw_err_clear(sw_err *err)
{
    if (err == NULL)
        return;
    err->code = SW_OK;
    err->msg[0] = '\0';
}

const char *sw_err_text(const sw_err *err)
{
    if (err == NULL)
        return sw_code_message(SW_EINTERNAL);
    if (err->msg[0] != '\0')
        return err->msg;
    return sw_code_message(err->code);
}
