/* cmd_audit.c - `stagewise audit verify|head`: checking the audit trail's
 * hash chains and printing their heads (src/audit/verify.h,
 * docs/commands/audit.md). */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/verify.h"
#include "store/store.h"

static const char usage[] =
    "Usage: stagewise audit verify [--db URL] [--practice N] [--expect-head SEQ:HASH]\n"
    "       stagewise audit head   [--db URL] [--practice N]\n"
    "\n"
    "verify  recomputes every practice's audit chain (or practice N's) and\n"
    "        reports each edited, inserted, deleted or reordered entry and a\n"
    "        chain whose end does not match its head. With --expect-head (a\n"
    "        head printed earlier by `audit head` and kept outside the\n"
    "        server), it also catches a trail truncated or rewritten since.\n"
    "        Exit status 0: intact; 1: tampering found or the check failed.\n"
    "head    prints the practice's chain head as SEQ:HASH, to keep elsewhere.\n"
    "\n"
    "  --db URL              the database (default: $STAGEWISE_DB, else sqlite:stagewise.db)\n"
    "  --practice N          one practice (default: all for verify, 1 for head)\n"
    "  --expect-head SEQ:HASH  a head recorded earlier (needs --practice or practice 1)\n";

struct options {
    const char *db;
    long        practice;          /* 0: not given */
    const char *expect_head;
};

static int parse(int argc, char **argv, struct options *o)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "practice", required_argument, NULL, 'p' },
        { "expect-head", required_argument, NULL, 'e' },
        { 0, 0, 0, 0 },
    };
    memset(o, 0, sizeof *o);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'p':
            if (cli_parse_int(optarg, 1, 0x7fffffffL, &o->practice) != SW_OK)
                return cli_fail(SW_EUSAGE, "audit: --practice must be a practice number");
            break;
        case 'e': o->expect_head = optarg; break;
        default: return cli_bad_option("audit", argc, argv);
        }
    }
    if (optind != argc)
        return cli_fail(SW_EUSAGE, "audit: unexpected argument '%s'; see "
                        "'stagewise audit --help'", argv[optind]);
    return 0;
}

static void print_problem(const audit_problem *p, void *arg)
{
    (void)arg;
    printf("practice %" PRId64 ", entry %" PRId64 ": %s: %s\n",
           p->practice_id, p->seq, p->kind, p->text);
}

static int run_verify(const struct options *o)
{
    audit_anchor anchor;
    const audit_anchor *ap = NULL;
    if (o->expect_head != NULL) {
        int64_t practice = o->practice ? o->practice : 1;
        if (audit_anchor_parse(o->expect_head, practice, &anchor) != SW_OK)
            return cli_fail(SW_EUSAGE, "audit verify: --expect-head must be "
                            "SEQ:HASH as `stagewise audit head` prints it");
        ap = &anchor;
    }
    sw_store *s;
    int status = cli_open_store(o->db, 1, &s);
    if (status != 0)
        return status;
    sw_err err;
    audit_verify_stats stats;
    int rc = audit_verify(s, o->practice, ap, print_problem, NULL, &stats, &err);
    store_close(s);
    if (rc != SW_OK)
        return cli_fail_err(&err);
    if (stats.problems > 0) {
        fprintf(stderr, "stagewise: the audit trail has been tampered with: "
                "%" PRId64 " problem%s in %" PRId64 " entries\n",
                stats.problems, stats.problems == 1 ? "" : "s", stats.entries);
        return 1;
    }
    printf("The audit trail is intact: %" PRId64 " entries in %" PRId64
           " practice%s%s.\n", stats.entries, stats.practices,
           stats.practices == 1 ? "" : "s",
           ap ? ", including the expected head" : "");
    return 0;
}

static int run_head(const struct options *o)
{
    if (o->expect_head != NULL)
        return cli_fail(SW_EUSAGE, "audit head: --expect-head belongs to 'audit verify'");
    sw_store *s;
    int status = cli_open_store(o->db, 1, &s);
    if (status != 0)
        return status;
    sw_err err;
    int64_t seq;
    char hash[AUDIT_HASH_HEX];
    int rc = audit_head_read(s, o->practice ? o->practice : 1, &seq, hash, &err);
    store_close(s);
    if (rc != SW_OK)
        return cli_fail_err(&err);
    if (seq == 0)
        return cli_fail(SW_ENOTFOUND, "audit head: practice %ld has no audit "
                        "entries yet", o->practice ? o->practice : 1);
    printf("%" PRId64 ":%s\n", seq, hash);
    return 0;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_fail(SW_EUSAGE, "audit: name a subcommand, verify or head; "
                        "see 'stagewise audit --help'");
    const char *sub = argv[1];
    struct options o;
    int status = parse(argc - 1, argv + 1, &o);
    if (status != 0)
        return status;
    if (strcmp(sub, "verify") == 0)
        return run_verify(&o);
    if (strcmp(sub, "head") == 0)
        return run_head(&o);
    return cli_fail(SW_EUSAGE, "audit: unknown subcommand '%s'; it is verify "
                    "or head", sub);
}

const cli_command cli_audit = {
    .name = "audit",
    .summary = "verify the audit trail's hash chain, print its head",
    .usage = usage,
    .run = run,
};
