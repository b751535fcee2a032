/* cmd_plan.h - what the files of `stagewise plan` share: the parsed
 * command line, and loading a version of the plan (cmd_plan.c); the
 * go-live subcommands live in cmd_plan_golive.c. */
#ifndef SW_CLI_CMD_PLAN_H
#define SW_CLI_CMD_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "rollout/plan.h"
#include "rollout/plan_store.h"
#include "store/store.h"

struct plan_args {
    const char *sub;
    const char *db;
    int64_t     practice_id;
    int64_t     version;          /* --version, 0 when not given */
    bool        json;
    bool        force;            /* go-live --force */
    const char *start, *comment, *reason;
    char      **pos;
    int         npos;
};

/* 0 when the subcommand got n positional arguments, else the usage exit
 * status after saying `what`. */
int plan_cli_want_args(const struct plan_args *a, int n, const char *what);
/* Loads version v (0: current) as a plan; *p NULL when there is none.
 * Returns 0 or the exit status after saying why. */
int plan_cli_load(sw_store *s, const struct plan_args *a, int64_t v,
                  plan_record *r, sw_plan **p);

int plan_cli_gates(sw_store *s, const struct plan_args *a);
int plan_cli_go_live(sw_store *s, const struct plan_args *a);
int plan_cli_rollback(sw_store *s, const struct plan_args *a);

#endif
