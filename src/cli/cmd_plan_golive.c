/* cmd_plan_golive.c - `stagewise plan gates|go-live|rollback STAGE`: the
 * same gate evaluation and plan versions as POST /api/plan/stages/{id}/
 * go-live and rollback (rollout/golive_store.h), as the operator
 * (cli:<login>). At the command line the operator is trusted with the
 * implementation lead's plan:admin, as with every other plan change there:
 * whoever can run commands on the server can write the database. */
#include "cli.h"
#include "cmd_plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "rollout/golive.h"
#include "rollout/golive_store.h"

/* The current plan and the stage named by the one argument. */
typedef struct stage_ref {
    plan_record r;
    sw_plan    *plan;
    size_t      index;
} stage_ref;

static int find_stage(sw_store *s, const struct plan_args *a, stage_ref *ref)
{
    memset(ref, 0, sizeof *ref);
    if (plan_cli_want_args(a, 1, "name the stage by its id (see 'stagewise "
                           "plan show')") != 0)
        return 2;
    int status = plan_cli_load(s, a, 0, &ref->r, &ref->plan);
    if (status != 0)
        return status;
    if (ref->plan == NULL) {
        plan_record_free(&ref->r);
        return cli_fail(SW_ENOTFOUND, "plan %s: the practice has no plan yet; "
                        "apply a template first", a->sub);
    }
    if (plan_stage_find(ref->plan, a->pos[0], &ref->index) == NULL) {
        status = cli_fail(SW_ENOTFOUND, "plan %s: the plan has no stage '%s'; "
                          "see 'stagewise plan show' for the stage ids",
                          a->sub, a->pos[0]);
        plan_free(ref->plan);
        plan_record_free(&ref->r);
    }
    return status;
}

static void stage_ref_free(stage_ref *ref)
{
    plan_free(ref->plan);
    plan_record_free(&ref->r);
}

static void print_checks(const golive_result *g)
{
    for (size_t i = 0; i < g->nchecks; i++)
        printf("%-6s %-16s %s\n", g->checks[i].passed ? "pass" : "FAIL",
               g->checks[i].gate, g->checks[i].message);
}

static int evaluate(sw_store *s, const struct plan_args *a,
                    const stage_ref *ref, sw_arena *arena, golive_result *g)
{
    sw_err err;
    if (golive_store_evaluate(s, arena, a->practice_id, ref->plan, ref->index,
                              g, &err) != SW_OK)
        return cli_fail_err(&err);
    return 0;
}

int plan_cli_gates(sw_store *s, const struct plan_args *a)
{
    stage_ref ref;
    int status = find_stage(s, a, &ref);
    if (status != 0)
        return status;
    sw_arena *arena = sw_arena_create(0);
    golive_result g;
    status = arena ? evaluate(s, a, &ref, arena, &g)
                   : cli_fail(SW_ENOMEM, "plan gates: out of memory");
    if (status == 0) {
        const plan_stage *st = &ref.plan->stages[ref.index];
        printf("Stage %s [%s], %s\n", st->name, st->id,
               plan_state_name(st->state));
        print_checks(&g);
        printf("%s\n", g.failed == 0 ? "Every gate passes: the stage may go live."
                                     : "The stage may not go live yet.");
        status = g.failed == 0 ? 0 : 1;
    }
    sw_arena_destroy(arena);
    stage_ref_free(&ref);
    return status;
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static int transition(sw_store *s, const struct plan_args *a,
                      const stage_ref *ref, plan_stage_state state,
                      const char *comment, const char *detail)
{
    audit_who who;
    audit_cli_who(&who, a->practice_id);
    int64_t version = 0;
    sw_err err;
    const plan_stage *st = &ref->plan->stages[ref->index];
    if (golive_store_transition(s, &who, ref->plan, ref->r.version, st->id,
                                state, comment, detail, &version, &err) != SW_OK)
        return cli_fail_err(&err);
    printf("Stage %s is %s (plan version %" PRId64 ").\n", st->name,
           plan_state_name(state), version);
    return 0;
}

/* The stage a go-live or a rollback names, once --reason (if given) is
 * within its bound; 0, or the exit status after saying why. */
static int reason_and_stage(sw_store *s, const struct plan_args *a,
                            const char *command, stage_ref *ref)
{
    if (a->reason && strlen(a->reason) > GOLIVE_REASON_MAX)
        return cli_fail(SW_EUSAGE, "%s: --reason is at most %d characters",
                        command, GOLIVE_REASON_MAX);
    return find_stage(s, a, ref);
}

int plan_cli_go_live(sw_store *s, const struct plan_args *a)
{
    if (a->force && blank(a->reason))
        return cli_fail(SW_EUSAGE, "plan go-live: --force needs --reason: say "
                        "why the stage goes live without its gates");
    stage_ref ref;
    int status = reason_and_stage(s, a, "plan go-live", &ref);
    if (status != 0)
        return status;
    const plan_stage *st = &ref.plan->stages[ref.index];
    sw_arena *arena = sw_arena_create(0);
    golive_result g;
    if (arena == NULL)
        status = cli_fail(SW_ENOMEM, "plan go-live: out of memory");
    else if (st->state == PLAN_STAGE_LIVE)
        status = cli_fail(SW_ECONFLICT, "plan go-live: stage '%s' is live "
                          "already", st->id);
    else
        status = evaluate(s, a, &ref, arena, &g);
    if (status == 0 && g.failed > 0 && !a->force) {
        print_checks(&g);
        status = cli_fail(SW_ECONFLICT, "plan go-live: stage '%s' cannot go "
                          "live: %zu gate%s failed; pass them, or force the "
                          "go-live with --force --reason", st->name, g.failed,
                          g.failed == 1 ? "" : "s");
    } else if (status == 0) {
        char comment[PLAN_COMMENT_MAX];
        if (a->force)
            snprintf(comment, sizeof comment, "forced go-live of stage '%s' "
                     "(%zu gate%s failed): %s", st->id, g.failed,
                     g.failed == 1 ? "" : "s", a->reason);
        else
            snprintf(comment, sizeof comment, "go-live of stage '%s'%s%s",
                     st->id, a->reason ? ": " : "", a->reason ? a->reason : "");
        status = transition(s, a, &ref, PLAN_STAGE_LIVE, comment,
                            a->force ? "forced" : "gates passed");
    }
    sw_arena_destroy(arena);
    stage_ref_free(&ref);
    return status;
}

int plan_cli_rollback(sw_store *s, const struct plan_args *a)
{
    if (a->force)
        return cli_fail(SW_EUSAGE, "plan rollback: --force belongs to 'plan "
                        "go-live'");
    if (blank(a->reason))
        return cli_fail(SW_EUSAGE, "plan rollback: give --reason: say why the "
                        "stage is rolled back");
    stage_ref ref;
    int status = reason_and_stage(s, a, "plan rollback", &ref);
    if (status != 0)
        return status;
    const plan_stage *st = &ref.plan->stages[ref.index];
    const plan_stage *later = golive_later_live(ref.plan, ref.index);
    if (st->state != PLAN_STAGE_LIVE) {
        status = cli_fail(SW_ECONFLICT, "plan rollback: only a live stage can "
                          "be rolled back; '%s' is %s", st->id,
                          plan_state_name(st->state));
    } else if (later != NULL) {
        status = cli_fail(SW_ECONFLICT, "plan rollback: stage '%s' is live and "
                          "comes after this one: roll it back first",
                          later->name);
    } else {
        char comment[PLAN_COMMENT_MAX];
        snprintf(comment, sizeof comment, "rollback of stage '%s': %s", st->id,
                 a->reason);
        status = transition(s, a, &ref, PLAN_STAGE_ROLLED_BACK, comment,
                            "rolled back");
    }
    stage_ref_free(&ref);
    return status;
}
