/* report_csv.c - the adoption report as the exports give it
 * (report_csv.h): CSV, and JSON narrowed to one module.
 *
 * Shared by the /api/adoption/report route and the `stagewise adoption
 * report` command, so that what a practice downloads and what the
 * command line writes are the same. */
#include "adoption/report_csv.h"

#include <string.h>

/* A text field, quoted when needed and disarmed against spreadsheet
 * formulas. */
static int put_text(sw_buf *out, const char *s)
{
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@';
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    int rc = SW_OK;
    if (quote)
        rc = sw_buf_putc(out, '"');
    if (rc == SW_OK && formula)
        rc = sw_buf_putc(out, '\'');
    for (const char *p = s; rc == SW_OK && *p; p++)
        rc = *p == '"' ? sw_buf_puts(out, "\"\"") : sw_buf_putc(out, *p);
    if (rc == SW_OK && quote)
        rc = sw_buf_putc(out, '"');
    return rc;
}

static const char *level_of(const adoption_user_report *r, const char *module)
{
    for (size_t i = 0; module[0] && i < r->nmodules; i++)
        if (strcmp(r->modules[i].module, module) == 0)
            return r->modules[i].level ? r->modules[i].level : "";
    return "";
}

static int put_row(sw_buf *out, const adoption_user_report *r,
                   const adoption_value *v)
{
    const char *unit = v->def && v->def->unit ? v->def->unit : "";
    int rc = put_text(out, r->username);
    if (rc == SW_OK)
        rc = sw_buf_putc(out, ',');
    if (rc == SW_OK)
        rc = put_text(out, v->module);
    if (rc == SW_OK)
        rc = sw_buf_putc(out, ',');
    if (rc == SW_OK)
        rc = put_text(out, v->id);
    if (rc == SW_OK)
        rc = v->has_value ? sw_buf_printf(out, ",%.2f,", v->value)
                          : sw_buf_puts(out, ",,");
    if (rc == SW_OK)
        rc = put_text(out, unit);
    if (rc == SW_OK)
        rc = sw_buf_printf(out, ",%.2f,%.2f,", v->floor, v->goal);
    if (rc == SW_OK)
        rc = put_text(out, v->standing ? v->standing : "");
    if (rc == SW_OK)
        rc = sw_buf_putc(out, ',');
    if (rc == SW_OK)
        rc = put_text(out, level_of(r, v->module));
    if (rc == SW_OK)
        rc = sw_buf_puts(out, "\r\n");
    return rc;
}

int adoption_report_csv(const adoption_user_report *r, size_t n,
                        const char *module, sw_buf *out)
{
    int rc = sw_buf_puts(out, "username,module,benchmark,value,unit,floor,"
                         "goal,standing,level\r\n");
    for (size_t i = 0; rc == SW_OK && i < n; i++)
        for (size_t k = 0; rc == SW_OK && k < r[i].nvalues; k++) {
            const adoption_value *v = &r[i].values[k];
            if (module != NULL && strcmp(v->module, module) != 0)
                continue;
            rc = put_row(out, &r[i], v);
        }
    return rc;
}

json_t *adoption_report_json_module(json_t *doc, const char *module)
{
    static const char *const lists[] = { "benchmarks", "modules", "features" };
    for (size_t k = 0; doc && module && k < 3; k++) {
        json_t *list = json_object_get(doc, lists[k]);
        for (size_t i = json_array_size(list); i-- > 0;) {
            const char *m = json_string_value(json_object_get(
                json_array_get(list, i), "module"));
            if (m == NULL || strcmp(m, module) != 0)
                json_array_remove(list, i);
        }
    }
    return doc;
}
