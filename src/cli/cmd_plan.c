/* cmd_plan.c - `stagewise plan`: the implementation plan at the command
 * line (docs/commands/plan.md), the same model, linter, diff and store as
 * /api/plan (src/rollout/). Changes are written as the operator
 * ("cli:<login>", audit_cli_who) with their audit entry, like every other
 * command's. `plan lint` exits 1 when the plan has errors, so a script
 * can stop a go-live on it. */
#include "cli.h"
#include "cmd_plan.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/clock.h"
#include "rollout/plan.h"
#include "rollout/plan_diff.h"
#include "rollout/plan_lint.h"
#include "rollout/plan_store.h"
#include "rollout/plan_templates.h"
#include "store/store.h"

static const char usage[] =
    "Usage: stagewise plan SUBCOMMAND [options]\n"
    "\n"
    "The practice's implementation plan: which modules go live in which\n"
    "stage, for whom, after which gates (docs/rollout.md).\n"
    "\n"
    "  show [--version N] [--json]\n"
    "                        the current plan (or version N)\n"
    "  lint                  the linter's findings on the current plan;\n"
    "                        exit status 0 when it has no errors (warnings\n"
    "                        allowed), 1 when it has errors\n"
    "  diff A B              what changed from version A to version B\n"
    "                        (A may be 0: before the first plan)\n"
    "  history               every version: number, when, who, comment\n"
    "  apply-template NAME [--start YYYY-MM-DD]\n"
    "                        a new version from a template: big-bang,\n"
    "                        front-office-first or clinical-first; dates\n"
    "                        count from --start (default today)\n"
    "  set FILE              a new version from a JSON plan file ('-' reads\n"
    "                        standard input)\n"
    "  gates STAGE           each gate of the stage with the data behind it;\n"
    "                        exit status 0 when the stage may go live, 1 if not\n"
    "  go-live STAGE [--force --reason TEXT]\n"
    "                        the stage goes live when every gate passes (else\n"
    "                        the failures are listed, exit status 1); --force\n"
    "                        takes it live anyway and needs a reason\n"
    "  rollback STAGE --reason TEXT\n"
    "                        the stage's modules become read-only again for\n"
    "                        its cohort (later live stages first)\n"
    "\n"
    "  --db URL              sqlite:PATH or postgresql://… (default:\n"
    "                        $STAGEWISE_DB, else sqlite:stagewise.db)\n"
    "  --practice N          the practice (default 1)\n"
    "  --comment TEXT        why, recorded with a new version\n"
    "\n"
    "Changes are recorded in the plan's history and in the audit trail with\n"
    "you as cli:<login>.\n";


static int parse(int argc, char **argv, struct plan_args *a)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "practice", required_argument, NULL, 'p' },
        { "version", required_argument, NULL, 'v' },
        { "json", no_argument, NULL, 'j' },
        { "start", required_argument, NULL, 's' },
        { "comment", required_argument, NULL, 'c' },
        { "force", no_argument, NULL, 'f' },
        { "reason", required_argument, NULL, 'r' },
        { 0, 0, 0, 0 },
    };
    memset(a, 0, sizeof *a);
    a->practice_id = 1;
    /* Options are parsed after the subcommand, which getopt then sees as
     * its program name. */
    a->sub = argv[1];
    argc--;
    argv++;
    opterr = 0;
    optind = 1;
    long v;
    int c, rc;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a->db = optarg; break;
        case 'p':
            if ((rc = cli_parse_practice("plan", optarg, &v)) != 0)
                return rc;
            a->practice_id = v;
            break;
        case 'v':
            if (cli_parse_int(optarg, 1, 0x7fffffffL, &v) != SW_OK)
                return cli_fail(SW_EUSAGE, "plan: --version must be a version number from 1");
            a->version = v;
            break;
        case 'j': a->json = true; break;
        case 's': a->start = optarg; break;
        case 'c': a->comment = optarg; break;
        case 'f': a->force = true; break;
        case 'r': a->reason = optarg; break;
        default: return cli_bad_option("plan", argc, argv);
        }
    }
    a->pos = argv + optind;
    a->npos = argc - optind;
    return 0;
}

int plan_cli_want_args(const struct plan_args *a, int n, const char *what)
{
    if (a->npos != n)
        return cli_fail(SW_EUSAGE, "plan %s: %s; see 'stagewise plan --help'",
                        a->sub, what);
    return 0;
}

int plan_cli_load(sw_store *s, const struct plan_args *a, int64_t v, plan_record *r,
                sw_plan **p)
{
    sw_err err;
    *p = NULL;
    if (plan_store_load(s, a->practice_id, v, r, &err) != SW_OK)
        return cli_fail_err(&err);
    if (r->version == 0)
        return 0;
    plan_issues is;
    if (plan_from_text(r->body, strlen(r->body), p, &is) != SW_OK) {
        char first[400];
        plan_issues_first(&is, first, sizeof first);
        return cli_fail(SW_EINTERNAL, "version %" PRId64 " of the plan no "
                        "longer reads: %s", r->version, first);
    }
    return 0;
}

static void print_stage(size_t i, const plan_stage *st)
{
    char words[600];
    printf("\nStage %zu: %s [%s], target %s, %s", i + 1, st->name, st->id,
           st->target_date, plan_state_name(st->state));
    if (st->live_at)
        printf(" (live since %s)", st->live_at);
    printf("\n  modules: ");
    for (size_t m = 0; m < st->nmodules; m++)
        printf("%s%s", m ? ", " : "", st->modules[m]);
    plan_cohort_words(&st->cohort, words, sizeof words);
    printf("\n  cohort:  %s\n  gates:   ", words);
    for (size_t g = 0; g < st->ngates; g++) {
        plan_gate_words(&st->gates[g], words, sizeof words);
        printf("%s%s", g ? ", " : "", words);
    }
    printf("%s\n", st->ngates ? "" : "none");
    for (size_t g = 0; g < st->ngates; g++)
        for (size_t k = 0; k < st->gates[g].nitems; k++)
            printf("    [ ] %s\n", st->gates[g].items[k].text);
}

static int run_show(sw_store *s, const struct plan_args *a)
{
    if (plan_cli_want_args(a, 0, "show takes no arguments") != 0)
        return 2;
    plan_record r;
    sw_plan *p;
    int status = plan_cli_load(s, a, a->version, &r, &p);
    if (status != 0)
        return status;
    if (r.version == 0) {
        if (a->json)
            puts("{\"version\":0,\"plan\":null}");
        else
            puts("The practice has no plan yet: every module is live for "
                 "everyone. Start one with 'stagewise plan apply-template'.");
        return 0;
    }
    char at[SW_TIME_ISO_MAX];
    sw_time_iso(r.at_ms, at);
    if (a->json) {
        json_t *doc = json_pack("{s:I, s:o*, s:s, s:s, s:s}", "version",
            (json_int_t)r.version, "plan", plan_to_json(p), "updated_at", at,
            "updated_by", r.username, "comment", r.comment);
        char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
        json_decref(doc);
        if (text)
            puts(text);
        free(text);
    } else {
        printf("Plan version %" PRId64 ", %s by %s%s%s\n", r.version, at,
               r.username, r.comment[0] ? ": " : "", r.comment);
        printf("Settings: at most %d modules per stage, at most %d weeks\n",
               p->max_modules_per_stage, p->max_plan_weeks);
        for (size_t i = 0; i < p->nstages; i++)
            print_stage(i, &p->stages[i]);
    }
    plan_free(p);
    plan_record_free(&r);
    return 0;
}

static int run_lint(sw_store *s, const struct plan_args *a)
{
    if (plan_cli_want_args(a, 0, "lint takes no arguments") != 0)
        return 2;
    plan_record r;
    sw_plan *p;
    int status = plan_cli_load(s, a, 0, &r, &p);
    if (status != 0)
        return status;
    if (p == NULL) {
        puts("The practice has no plan yet: nothing to lint.");
        return 0;
    }
    sw_arena *arena = sw_arena_create(0);
    plan_findings f;
    sw_err err;
    int rc = arena ? plan_store_lint(s, arena, a->practice_id, p, &f, &err)
                   : sw_err_set(&err, SW_ENOMEM, NULL);
    if (rc == SW_OK) {
        for (size_t i = 0; i < f.n; i++)
            printf("%-7s %s\n", plan_severity_name(f.items[i].severity),
                   f.items[i].message);
        size_t e = plan_findings_count(&f, PLAN_LINT_ERROR);
        size_t w = plan_findings_count(&f, PLAN_LINT_WARNING);
        printf("Plan version %" PRId64 ": %zu error%s, %zu warning%s.\n",
               r.version, e, e == 1 ? "" : "s", w, w == 1 ? "" : "s");
        status = e > 0 ? 1 : 0;
    } else {
        status = cli_fail_err(&err);
    }
    plan_findings_free(&f);
    sw_arena_destroy(arena);
    plan_free(p);
    plan_record_free(&r);
    return status;
}

static int run_diff(sw_store *s, const struct plan_args *a)
{
    if (plan_cli_want_args(a, 2, "diff takes two version numbers, A and B") != 0)
        return 2;
    long from, to;
    if (cli_parse_int(a->pos[0], 0, 0x7fffffffL, &from) != SW_OK
        || cli_parse_int(a->pos[1], 1, 0x7fffffffL, &to) != SW_OK)
        return cli_fail(SW_EUSAGE, "plan diff: A and B are version numbers "
                        "(A may be 0, before the first plan)");
    plan_record ra = { 0 }, rb = { 0 };
    sw_plan *pa = NULL, *pb = NULL;
    int status = from > 0 ? plan_cli_load(s, a, from, &ra, &pa) : 0;
    if (status == 0)
        status = plan_cli_load(s, a, to, &rb, &pb);
    plan_changes c = { 0 };
    if (status == 0 && plan_diff(pa, pb, &c) != SW_OK)
        status = cli_fail(SW_ENOMEM, "plan diff: out of memory");
    if (status == 0) {
        for (size_t i = 0; i < c.n; i++)
            printf("%s\n", c.items[i]);
        if (c.n == 0)
            printf("No changes from version %ld to version %ld.\n", from, to);
    }
    plan_changes_free(&c);
    plan_free(pa);
    plan_free(pb);
    plan_record_free(&ra);
    plan_record_free(&rb);
    return status;
}

static int run_history(sw_store *s, const struct plan_args *a)
{
    if (plan_cli_want_args(a, 0, "history takes no arguments") != 0)
        return 2;
    plan_record *rows;
    size_t n;
    sw_err err;
    if (plan_store_history(s, a->practice_id, &rows, &n, &err) != SW_OK)
        return cli_fail_err(&err);
    if (n == 0)
        puts("The practice has no plan yet.");
    for (size_t i = 0; i < n; i++) {
        char at[SW_TIME_ISO_MAX];
        sw_time_iso(rows[i].at_ms, at);
        printf("%" PRId64 "\t%s\t%s\t%s\n", rows[i].version, at,
               rows[i].username, rows[i].comment);
    }
    plan_records_free(rows, n);
    return 0;
}

/* Saves p as the new current version and prints it with the lint totals. */
static int save(sw_store *s, const struct plan_args *a, const sw_plan *p,
                const char *comment)
{
    audit_who who;
    audit_cli_who(&who, a->practice_id);
    int64_t version;
    bool stale;
    sw_err err;
    if (plan_store_change(s, &who, -1, p, comment, &version, &stale, &err) != SW_OK)
        return cli_fail_err(&err);
    sw_arena *arena = sw_arena_create(0);
    plan_findings f = { 0 };
    int rc = arena ? plan_store_lint(s, arena, a->practice_id, p, &f, &err)
                   : SW_ENOMEM;
    if (rc == SW_OK)
        printf("Plan version %" PRId64 " saved: %zu lint error(s), %zu "
               "warning(s); see 'stagewise plan lint'.\n", version,
               plan_findings_count(&f, PLAN_LINT_ERROR),
               plan_findings_count(&f, PLAN_LINT_WARNING));
    else
        printf("Plan version %" PRId64 " saved.\n", version);
    plan_findings_free(&f);
    sw_arena_destroy(arena);
    return 0;
}

static int print_issues(const plan_issues *is, const char *what)
{
    for (size_t i = 0; i < is->n; i++)
        fprintf(stderr, "stagewise: %s%s%s\n", is->items[i].path,
                is->items[i].path[0] ? ": " : "", is->items[i].message);
    return cli_fail(SW_EINVAL, "%s is not a valid plan; nothing was saved", what);
}

static int run_apply(sw_store *s, const struct plan_args *a)
{
    if (plan_cli_want_args(a, 1, "apply-template takes the template's name") != 0)
        return 2;
    const plan_template *t = plan_template_find(a->pos[0]);
    if (t == NULL)
        return cli_fail(SW_EUSAGE, "plan apply-template: '%s' is not a "
                        "template; use big-bang, front-office-first or "
                        "clinical-first", a->pos[0]);
    int64_t start = plan_day_of_ms(sw_now_wall_ms());
    if (a->start && !plan_date_parse(a->start, &start))
        return cli_fail(SW_EUSAGE, "plan apply-template: --start must be a "
                        "date YYYY-MM-DD");
    json_t *doc = plan_template_build(t, start);
    sw_plan *p = NULL;
    plan_issues is;
    int rc = doc ? plan_from_json(doc, &p, &is) : SW_ENOMEM;
    json_decref(doc);
    if (rc == SW_EINVAL)
        return print_issues(&is, "the template");
    if (rc != SW_OK)
        return cli_fail(rc, "plan apply-template: out of memory");
    char deflt[120];
    snprintf(deflt, sizeof deflt, "applied the template %s", t->name);
    int status = save(s, a, p, a->comment ? a->comment : deflt);
    plan_free(p);
    return status;
}

/* Reads a whole file (or standard input for "-") of at most max bytes. */
static char *read_all(const char *path, size_t max, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    bool err = ferror(f) != 0;
    if (f != stdin)
        fclose(f);
    if (buf == NULL || err || n > max) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int run_set(sw_store *s, const struct plan_args *a)
{
    if (plan_cli_want_args(a, 1, "set takes a JSON plan file ('-' for standard input)") != 0)
        return 2;
    size_t len;
    char *text = read_all(a->pos[0], PLAN_BODY_MAX, &len);
    if (text == NULL)
        return cli_fail(SW_EIO, "plan set: cannot read '%s' (or it is larger "
                        "than %d bytes)", a->pos[0], PLAN_BODY_MAX);
    sw_plan *p = NULL;
    plan_issues is;
    int rc = plan_from_text(text, len, &p, &is);
    free(text);
    if (rc == SW_EINVAL)
        return print_issues(&is, strcmp(a->pos[0], "-") == 0 ? "standard input"
                                                         : a->pos[0]);
    if (rc != SW_OK)
        return cli_fail(rc, "plan set: out of memory");
    if (a->comment && strlen(a->comment) > PLAN_COMMENT_MAX) {
        plan_free(p);
        return cli_fail(SW_EUSAGE, "plan set: --comment is at most %d "
                        "characters", PLAN_COMMENT_MAX);
    }
    int status = save(s, a, p, a->comment);
    plan_free(p);
    return status;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_fail(SW_EUSAGE, "plan: name a subcommand (show, lint, diff, "
                        "history, apply-template, set, gates, go-live, "
                        "rollback); see 'stagewise plan --help'");
    struct plan_args a;
    int status = parse(argc, argv, &a);
    if (status != 0)
        return status;
    static const struct {
        const char *name;
        int (*fn)(sw_store *, const struct plan_args *);
    } subs[] = {
        { "show", run_show }, { "lint", run_lint }, { "diff", run_diff },
        { "history", run_history }, { "apply-template", run_apply },
        { "set", run_set }, { "gates", plan_cli_gates },
        { "go-live", plan_cli_go_live }, { "rollback", plan_cli_rollback },
    };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        if (strcmp(subs[i].name, a.sub) != 0)
            continue;
        if ((a.version || a.json) && strcmp(a.sub, "show") != 0)
            return cli_fail(SW_EUSAGE, "plan %s: --version and --json belong "
                            "to 'plan show'", a.sub);
        if ((a.force || a.reason) && strcmp(a.sub, "go-live") != 0
            && strcmp(a.sub, "rollback") != 0)
            return cli_fail(SW_EUSAGE, "plan %s: --force and --reason belong "
                            "to 'plan go-live' and 'plan rollback'", a.sub);
        if (a.start && strcmp(a.sub, "apply-template") != 0)
            return cli_fail(SW_EUSAGE, "plan %s: --start belongs to 'plan "
                            "apply-template'", a.sub);
        sw_store *s;
        status = cli_open_store(a.db, 1, &s);
        if (status != 0)
            return status;
        status = subs[i].fn(s, &a);
        store_close(s);
        return status;
    }
    return cli_fail(SW_EUSAGE, "plan: unknown subcommand '%s'; it is show, "
                    "lint, diff, history, apply-template, set, gates, go-live "
                    "or rollback", a.sub);
}

const cli_command cli_plan = {
    .name = "plan",
    .summary = "show, lint, diff and change the implementation plan; go live",
    .usage = usage,
    .run = run,
};
