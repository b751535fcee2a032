/* plan_test.h - what the plan tests share: plans written in JSON with
 * single quotes (turned into double quotes here, so tables stay
 * readable), parsed and checked valid. */
#ifndef SW_TEST_PLAN_TEST_H
#define SW_TEST_PLAN_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rollout/plan.h"

/* A copy of text with every ' turned into ". Caller frees. */
static inline char *plan_test_quotes(const char *text)
{
    char *s = strdup(text);
    for (char *p = s; p && *p; p++)
        if (*p == '\'')
            *p = '"';
    return s;
}

/* Parses text (single-quoted JSON); returns the code, the plan in *out
 * and problems in *is. */
static inline int plan_test_parse(const char *text, sw_plan **out,
                                  plan_issues *is)
{
    char *s = plan_test_quotes(text);
    int rc = plan_from_text(s, strlen(s), out, is);
    free(s);
    return rc;
}

/* The same for a plan that must check: the test fails naming the first
 * problem otherwise. */
static inline sw_plan *plan_test_parse_ok(const char *text)
{
    sw_plan *p;
    plan_issues is;
    if (plan_test_parse(text, &p, &is) != SW_OK)
        fail_msg("refused: %s: %s", is.items[0].path, is.items[0].message);
    return p;
}

/* A stage with everyone as cohort and no gates. */
#define PT_STAGE(id, date, mods) \
    "{'id':'" id "','name':'" id "','target_date':'" date "','modules':[" mods \
    "],'cohort':{'kind':'everyone'}}"

#endif
