/* testadoption.c - rows by hand for the adoption tests (testadoption.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "rollout/plan_store.h"
#include "testadoption.h"
#include "testserver.h"

static int script_fn(store_tx *tx, void *arg)
{
    return store_exec_script(tx, arg);
}

void ta_sql(teststore *f, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sw_err err;
    if (store_write(f->store, script_fn, text, &err) != SW_OK)
        fail_msg("%s: %s", text, sw_err_text(&err));
}

struct one { const char *sql; int64_t value; };

static int one_fn(store_tx *tx, void *arg)
{
    struct one *o = arg;
    return store_query_int64(tx, &o->value, o->sql, "");
}

int64_t ta_query(teststore *f, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    struct one o = { text, 0 };
    sw_err err;
    if (store_read(f->store, one_fn, &o, &err) != SW_OK)
        fail_msg("%s: %s", text, sw_err_text(&err));
    return o.value;
}

int64_t ta_add_user(teststore *f, const char *username, const char *roles,
                    const char *practitioner)
{
    assert_int_equal(sw_test_add_user(f->db, username, roles), 0);
    if (practitioner && *practitioner)
        ta_sql(f, "UPDATE app_user SET practitioner_id = '%s' WHERE "
               "practice_id = 1 AND username = '%s'", practitioner, username);
    return ta_query(f, "SELECT user_id FROM app_user WHERE practice_id = 1 "
                    "AND username = '%s'", username);
}

void ta_save_plan(teststore *f, const char *json)
{
    char body[4096];
    size_t k = 0;
    for (const char *p = json; *p && k + 1 < sizeof body; p++)
        body[k++] = *p == '\'' ? '"' : *p;
    body[k] = '\0';
    audit_who who = { 1, 0, "test", "", "cli", "" };
    int64_t expected = ta_query(f, "SELECT COALESCE(MAX(version), 0) FROM "
                                "plan_version WHERE practice_id = 1");
    plan_save in = { &who, expected, body, NULL };
    int64_t version;
    sw_err err;
    if (plan_store_save(f->store, &in, &version, &err) != SW_OK)
        fail_msg("saving the plan: %s", sw_err_text(&err));
}
