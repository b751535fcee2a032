/* cmd_adoption.c - `stagewise adoption report|rebuild|evaluate|baseline`:
 * the adoption benchmarks at the command line (docs/commands/adoption.md,
 * docs/adoption-metrics.md), for the implementation lead's scripts and
 * for a practice without the web app open.
 *
 * report catches the roll-ups up first (rollup.h), as the server's
 * reports do, so what it prints is current; its CSV is the same writer as
 * the API's (report_csv.h). evaluate runs the daily findings evaluation
 * on demand; rebuild re-derives every roll-up from the audit trail;
 * baseline import reads the practice management system's visit counts. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adoption/baseline_csv.h"
#include "adoption/findings.h"
#include "adoption/report.h"
#include "adoption/report_csv.h"
#include "adoption/rollup.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "rollout/catalog.h"
#include "store/store.h"
#include "training/course.h"

#define REPORT_MAX_USERS 500
#define CSV_MAX_BYTES    (64 * 1024 * 1024)

static const char usage[] =
    "Usage: stagewise adoption report [--user U] [--module M]\n"
    "                                 [--format table|json|csv] [--as-of DATE]\n"
    "       stagewise adoption evaluate [--as-of DATE] [--courses DIR]\n"
    "       stagewise adoption rebuild\n"
    "       stagewise adoption baseline import FILE.csv\n"
    "  (each also takes [--db URL] [--practice N])\n"
    "\n"
    "report     each user's level per live module and the benchmarks under\n"
    "           their floor (table), or the whole report (json, csv);\n"
    "           the roll-ups are caught up first\n"
    "evaluate   finds neglected features and benchmarks stuck under their\n"
    "           floor, clears and re-measures findings (the server does it\n"
    "           daily)\n"
    "rebuild    deletes the roll-ups and rolls up the whole audit trail again\n"
    "baseline import  reads pre-go-live visit counts: a CSV with the header\n"
    "           username,week_start,visits,sessions\n"
    "\n"
    "  --user U        one user (a username)\n"
    "  --module M      one module (a module id; 'stagewise modules' lists them)\n"
    "  --format F      table (default), json or csv\n"
    "  --as-of DATE    the day reported on, YYYY-MM-DD (default today, in the\n"
    "                  practice's local time)\n"
    "  --courses DIR   the training courses for the recommendations (default\n"
    "                  the courses/ directory of the source tree)\n"
    "  --db URL        the database (default $STAGEWISE_DB or\n"
    "                  sqlite:stagewise.db)\n"
    "  --practice N    the practice (default 1)\n";

typedef struct opts {
    const char *db, *user, *module, *format, *as_of, *courses;
    long practice;
} opts;

/* ---- report -------------------------------------------------------------- */

typedef struct report_ctx {
    int64_t practice_id, as_of_day;   /* as_of_day -1: today */
    const char *username;
    adoption_user_report *reports;
    size_t n;
    bool no_user;
} report_ctx;

static int report_fn(store_tx *tx, void *arg)
{
    report_ctx *c = arg;
    c->n = 0;
    c->no_user = false;
    int rc = SW_OK;
    if (c->as_of_day < 0)
        rc = adoption_today(tx, c->practice_id, -1, &c->as_of_day);
    int64_t ids[REPORT_MAX_USERS];
    size_t n = 0;
    if (rc == SW_OK && c->username) {
        rc = store_query_int64(tx, &ids[0], "SELECT user_id FROM app_user WHERE "
                               "practice_id = ? AND username = ?", "it",
                               c->practice_id, c->username);
        if (rc == SW_ENOTFOUND) {
            c->no_user = true;
            return SW_OK;
        }
        n = 1;
    } else if (rc == SW_OK) {
        rc = adoption_report_users(tx, c->practice_id, ids, REPORT_MAX_USERS, &n);
    }
    /* One report context for every user (plan and rollout table once). */
    adoption_report_ctx *rctx = NULL;
    if (rc == SW_OK && n > 0)
        rc = adoption_report_ctx_open(tx, c->practice_id, &rctx);
    for (size_t i = 0; rc == SW_OK && i < n; i++)
        if ((rc = adoption_report_user_ctx(tx, rctx, ids[i], c->as_of_day,
                                           false, &c->reports[i])) == SW_OK)
            c->n++;
    adoption_report_ctx_close(rctx);
    return rc;
}

static void print_table(const report_ctx *c, const char *module)
{
    printf("%-20s  %-16s  %-11s  %s\n", "USERNAME", "MODULE", "LEVEL",
           "BELOW FLOOR");
    for (size_t i = 0; i < c->n; i++) {
        const adoption_user_report *r = &c->reports[i];
        for (size_t m = 0; m < r->nmodules; m++) {
            const adoption_module_state *ms = &r->modules[m];
            if (module && strcmp(ms->module, module) != 0)
                continue;
            char level[32];
            snprintf(level, sizeof level, "%s%s", ms->level ? ms->level : "",
                     ms->settling ? "*" : "");
            char below[512] = "";
            for (size_t k = 0; k < r->nvalues; k++) {
                const adoption_value *v = &r->values[k];
                if (strcmp(v->module, ms->module) != 0 || v->standing == NULL
                    || strcmp(v->standing, "below_floor") != 0)
                    continue;
                size_t len = strlen(below);
                snprintf(below + len, sizeof below - len, "%s%s %.1f (floor "
                         "%.1f)", len ? ", " : "", v->id, v->value, v->floor);
            }
            printf("%-20s  %-16s  %-11s  %s\n", r->username, ms->module, level,
                   below[0] ? below : "-");
        }
    }
    printf("\n* inside the settling-in window: not flagged yet.\n");
}

static int print_json(const report_ctx *c, const char *module)
{
    json_t *users = json_array();
    for (size_t i = 0; users && i < c->n; i++) {
        json_t *one = adoption_report_json_module(
            adoption_report_json(&c->reports[i]), module);
        if (one == NULL || json_array_append_new(users, one) != 0) {
            json_decref(users);
            users = NULL;
        }
    }
    char as_of[11];
    adoption_day_text(c->as_of_day, as_of);
    json_t *doc = users ? json_pack("{s:s,s:o}", "as_of", as_of, "users", users)
                        : NULL;
    char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    json_decref(doc);
    if (text == NULL)
        return cli_fail(SW_ENOMEM, "adoption report: out of memory writing "
                        "the JSON");
    puts(text);
    free(text);
    return 0;
}

static int print_csv(const report_ctx *c, const char *module)
{
    sw_buf out = SW_BUF_INIT(CSV_MAX_BYTES);
    int rc = adoption_report_csv(c->reports, c->n, module, &out);
    if (rc == SW_OK)
        fwrite(sw_buf_str(&out), 1, out.len, stdout);
    sw_buf_free(&out);
    return rc == SW_OK ? 0 : cli_fail(rc, "adoption report: the CSV is too "
                                      "large to write");
}

static int run_report(sw_store *s, const opts *o, int64_t as_of_day)
{
    sw_err err;
    if (adoption_rollup_catch_up(s, o->practice, NULL, &err) != SW_OK)
        return cli_fail_err(&err);
    report_ctx c = { .practice_id = o->practice, .as_of_day = as_of_day,
                     .username = o->user };
    c.reports = sw_calloc(o->user ? 1 : REPORT_MAX_USERS, sizeof *c.reports);
    if (c.reports == NULL)
        return cli_fail(SW_ENOMEM, "adoption report: out of memory");
    int status = 0;
    if (store_read(s, report_fn, &c, &err) != SW_OK)
        status = cli_fail_err(&err);
    else if (c.no_user)
        status = cli_fail(SW_ENOTFOUND, "adoption report: there is no user "
                          "'%s' in practice %ld", o->user, o->practice);
    else if (strcmp(o->format, "json") == 0)
        status = print_json(&c, o->module);
    else if (strcmp(o->format, "csv") == 0)
        status = print_csv(&c, o->module);
    else
        print_table(&c, o->module);
    sw_free(c.reports);
    if (status == 0 && (fflush(stdout) != 0 || ferror(stdout)))
        return cli_fail(SW_EIO, "adoption report: could not write to standard "
                        "output");
    return status;
}

/* ---- evaluate, rebuild ---------------------------------------------------- */

typedef struct day_ctx {
    int64_t practice_id, day;
} day_ctx;

static int today_fn(store_tx *tx, void *arg)
{
    day_ctx *c = arg;
    return adoption_today(tx, c->practice_id, -1, &c->day);
}

static int run_evaluate(sw_store *s, const opts *o, int64_t as_of_day)
{
    sw_err err;
    training_courses *courses = NULL;
    if (training_courses_load(o->courses ? o->courses : SW_COURSES_DIR,
                              &courses, &err) != SW_OK) {
        if (o->courses)
            return cli_fail_err(&err);
        fprintf(stderr, "stagewise: adoption evaluate: no training courses "
                "found, so recommendations name super-users only.\n");
        courses = NULL;
    }
    int status = 0;
    day_ctx d = { o->practice, as_of_day };
    adoption_eval_counts counts;
    if (adoption_rollup_catch_up(s, o->practice, NULL, &err) != SW_OK
        || (d.day < 0 && store_read(s, today_fn, &d, &err) != SW_OK)
        || adoption_evaluate(s, o->practice, d.day, courses, &counts, &err)
           != SW_OK)
        status = cli_fail_err(&err);
    else {
        char day[11];
        adoption_day_text(d.day, day);
        printf("Evaluated adoption as of %s: %d finding%s opened, %d cleared, "
               "%d re-measured.\n", day, counts.opened,
               counts.opened == 1 ? "" : "s", counts.cleared, counts.remeasured);
    }
    training_courses_free(courses);
    return status;
}

static int run_rebuild(sw_store *s, const opts *o)
{
    sw_err err;
    if (adoption_rollup_rebuild(s, o->practice, &err) != SW_OK)
        return cli_fail_err(&err);
    printf("Rebuilt the adoption roll-ups of practice %ld from the audit "
           "trail.\n", o->practice);
    return 0;
}

/* ---- baseline import ------------------------------------------------------ */

typedef struct import_ctx {
    int64_t practice_id, imported;
    const char *text;
    size_t len;
} import_ctx;

static int import_fn(store_tx *tx, void *arg)
{
    import_ctx *c = arg;
    return adoption_baseline_import_csv(tx, c->practice_id, c->text, c->len,
                                        &c->imported);
}

static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cli_fail(SW_EIO, "adoption baseline import: cannot open '%s'; "
                        "check the path", path);
    sw_buf b = SW_BUF_INIT(ADOPTION_BASELINE_MAX_BYTES);
    char chunk[8192];
    size_t n;
    int rc = SW_OK;
    while (rc == SW_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = sw_buf_append(&b, chunk, n);
    bool failed = ferror(f);
    fclose(f);
    if (rc != SW_OK || failed) {
        sw_buf_free(&b);
        return cli_fail(rc != SW_OK ? rc : SW_EIO, "adoption baseline import: "
                        "'%s' %s", path, rc == SW_ETOOBIG ? "is larger than 2 MB"
                                                         : "could not be read");
    }
    *out = sw_buf_detach(&b, len);
    return *out ? 0 : cli_fail(SW_ENOMEM, "adoption baseline import: out of "
                               "memory");
}

static int run_baseline(sw_store *s, const opts *o, const char *path)
{
    import_ctx c = { .practice_id = o->practice };
    char *text = NULL;
    int status = read_file(path, &text, &c.len);
    if (status != 0)
        return status;
    c.text = text;
    sw_err err;
    if (store_write(s, import_fn, &c, &err) != SW_OK)
        status = cli_fail(err.code, "adoption baseline import: %s; nothing was "
                          "imported", err.msg);
    else
        printf("Imported %lld week%s of baseline visits.\n",
               (long long)c.imported, c.imported == 1 ? "" : "s");
    sw_free(text);
    return status;
}

/* ---- Dispatch ---------------------------------------------------------------- */

static int check_options(const char *sub, const opts *o, int64_t *as_of_day)
{
    bool report = strcmp(sub, "report") == 0;
    bool evaluate = strcmp(sub, "evaluate") == 0;
    if (!report && (o->user || o->module || o->format))
        return cli_fail(SW_EUSAGE, "adoption %s: --user, --module and --format "
                        "belong to 'adoption report'", sub);
    if (!report && !evaluate && o->as_of)
        return cli_fail(SW_EUSAGE, "adoption %s: --as-of belongs to 'adoption "
                        "report' and 'adoption evaluate'", sub);
    if (!evaluate && o->courses)
        return cli_fail(SW_EUSAGE, "adoption %s: --courses belongs to 'adoption "
                        "evaluate'", sub);
    if (o->module && !catalog_is_module(o->module))
        return cli_fail(SW_EUSAGE, "adoption report: '%s' is not a module id; "
                        "'stagewise modules' lists them", o->module);
    if (o->format && strcmp(o->format, "table") != 0
        && strcmp(o->format, "json") != 0 && strcmp(o->format, "csv") != 0)
        return cli_fail(SW_EUSAGE, "adoption report: --format is table, json "
                        "or csv, not '%s'", o->format);
    *as_of_day = -1;
    if (o->as_of && !adoption_day_parse(o->as_of, as_of_day))
        return cli_fail(SW_EUSAGE, "adoption %s: --as-of must be a date "
                        "YYYY-MM-DD", sub);
    return 0;
}

enum { OPT_DB = 1, OPT_PRACTICE, OPT_USER, OPT_MODULE, OPT_FORMAT, OPT_AS_OF,
       OPT_COURSES };

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_fail(SW_EUSAGE, "adoption: name a subcommand (report, "
                        "evaluate, rebuild, baseline); see 'stagewise adoption "
                        "--help'");
    static const struct option longopts[] = {
        { "db", required_argument, NULL, OPT_DB },
        { "practice", required_argument, NULL, OPT_PRACTICE },
        { "user", required_argument, NULL, OPT_USER },
        { "module", required_argument, NULL, OPT_MODULE },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "as-of", required_argument, NULL, OPT_AS_OF },
        { "courses", required_argument, NULL, OPT_COURSES },
        { 0, 0, 0, 0 },
    };
    const char *sub = argv[1];
    opts o = { .practice = 1 };
    argc--;
    argv++;
    opterr = 0;
    optind = 1;
    int c, status;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_DB:      o.db = optarg; break;
        case OPT_USER:    o.user = optarg; break;
        case OPT_MODULE:  o.module = optarg; break;
        case OPT_FORMAT:  o.format = optarg; break;
        case OPT_AS_OF:   o.as_of = optarg; break;
        case OPT_COURSES: o.courses = optarg; break;
        case OPT_PRACTICE:
            if ((status = cli_parse_practice("adoption", optarg, &o.practice)) != 0)
                return status;
            break;
        default: return cli_bad_option("adoption", argc, argv);
        }
    }
    char **pos = argv + optind;
    int npos = argc - optind;
    bool baseline = strcmp(sub, "baseline") == 0;
    if (!baseline && strcmp(sub, "report") != 0 && strcmp(sub, "evaluate") != 0
        && strcmp(sub, "rebuild") != 0)
        return cli_fail(SW_EUSAGE, "adoption: unknown subcommand '%s'; it is "
                        "report, evaluate, rebuild or baseline", sub);
    if (baseline && (npos != 2 || strcmp(pos[0], "import") != 0))
        return cli_fail(SW_EUSAGE, "adoption baseline: write 'stagewise adoption "
                        "baseline import FILE.csv'");
    if (!baseline && npos != 0)
        return cli_fail(SW_EUSAGE, "adoption %s: unexpected argument '%s'; see "
                        "'stagewise adoption --help'", sub, pos[0]);
    int64_t as_of_day;
    if ((status = check_options(sub, &o, &as_of_day)) != 0)
        return status;
    if (o.format == NULL)
        o.format = "table";
    sw_store *s;
    if ((status = cli_open_store(o.db, 2, &s)) != 0)
        return status;
    if (strcmp(sub, "report") == 0)
        status = run_report(s, &o, as_of_day);
    else if (strcmp(sub, "evaluate") == 0)
        status = run_evaluate(s, &o, as_of_day);
    else if (strcmp(sub, "rebuild") == 0)
        status = run_rebuild(s, &o);
    else
        status = run_baseline(s, &o, pos[1]);
    store_close(s);
    return status;
}

const cli_command cli_adoption = {
    .name = "adoption",
    .summary = "adoption reports, findings evaluation, roll-ups, baseline import",
    .usage = usage,
    .run = run,
};
