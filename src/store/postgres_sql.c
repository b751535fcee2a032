/* postgres_sql.c - rewriting the portable `?` placeholders of our SQL to
 * PostgreSQL's $1..$n, leaving string literals (including E'' escapes),
 * quoted identifiers, comments (nested, as PostgreSQL allows) and
 * dollar-quoted text alone. Runs once per statement per connection, when
 * the statement is first prepared. */
#include "postgres_conn.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

static bool ident_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || (unsigned char)ch >= 0x80;
}

/* Length of a dollar-quote tag ($$ or $name$) at p, or 0 when p does not
 * open one ($1 is a parameter, a$b an identifier). */
static size_t dollar_tag(const char *start, const char *p)
{
    if (p > start && ident_char(p[-1]))
        return 0;
    size_t n = 1;
    if (isdigit((unsigned char)p[1]))
        return 0;
    while (p[n] != '\0' && p[n] != '$' && ident_char(p[n]))
        n++;
    return p[n] == '$' ? n + 1 : 0;
}

/* One pass over sql: counts placeholders and the rewritten length, and
 * writes the rewritten text when out is not NULL. */
static size_t rewrite(const char *sql, char *out, int *count)
{
    size_t o = 0;
    int n = 0;
    const char *p = sql;
    /* ch is evaluated on both passes: it usually advances p. */
#define PUT(ch) do { char put_ = (ch); if (out) out[o] = put_; o++; } while (0)
    while (*p) {
        if (*p == '\'' || *p == '"') {
            char q = *p;
            /* E'…' strings take backslash escapes. */
            bool bs = q == '\'' && p > sql && (p[-1] == 'E' || p[-1] == 'e')
                   && (p - 1 == sql || !ident_char(p[-2]));
            PUT(*p++);
            while (*p) {
                if (bs && *p == '\\' && p[1] != '\0') {
                    PUT(*p++);
                    PUT(*p++);
                } else if (*p == q && p[1] == q) {
                    PUT(*p++);
                    PUT(*p++);
                } else if (*p == q) {
                    PUT(*p++);
                    break;
                } else {
                    PUT(*p++);
                }
            }
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                PUT(*p++);
        } else if (p[0] == '/' && p[1] == '*') {
            int depth = 0;                  /* PostgreSQL nests them */
            do {
                if (p[0] == '/' && p[1] == '*') {
                    depth++;
                    PUT(*p++);
                    PUT(*p++);
                } else if (p[0] == '*' && p[1] == '/') {
                    depth--;
                    PUT(*p++);
                    PUT(*p++);
                } else {
                    PUT(*p++);
                }
            } while (*p && depth > 0);
        } else if (*p == '$' && dollar_tag(sql, p) > 0) {
            size_t t = dollar_tag(sql, p);
            const char *tag = p;
            for (size_t i = 0; i < t; i++)
                PUT(*p++);
            while (*p && strncmp(p, tag, t) != 0)
                PUT(*p++);
            for (size_t i = 0; i < t && *p; i++)
                PUT(*p++);
        } else if (*p == '?') {
            char num[16];
            int len = snprintf(num, sizeof num, "$%d", ++n);
            for (int i = 0; i < len; i++)
                PUT(num[i]);
            p++;
        } else {
            PUT(*p++);
        }
    }
    PUT('\0');
#undef PUT
    *count = n;
    return o;
}

char *pg_rewrite_placeholders(const char *sql, int *count)
{
    size_t len = rewrite(sql, NULL, count);
    char *out = sw_malloc(len);
    if (out != NULL)
        rewrite(sql, out, count);
    return out;
}
