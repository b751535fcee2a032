/* cmd_training.c - `stagewise training init|reset`: the training
 * environment's store from the command line (docs/commands/training.md).
 * init creates and migrates it (as `stagewise serve` would), mirrors the
 * accounts and writes the master population when it is new; reset puts
 * the whole environment back to its master population, or, with --user,
 * only one trainee's exercise patients. Safe while the server runs: every
 * step is a store transaction of its own. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "training/env_reset.h"
#include "training/env_store.h"

static const char usage[] =
    "Usage: stagewise training init  [--db URL] [--training-db URL] [--practice N]\n"
    "                                [--seed N]\n"
    "       stagewise training reset [--user USERNAME] [--db URL]\n"
    "                                [--training-db URL] [--practice N] [--seed N]\n"
    "\n"
    "The training environment (docs/training.md): a store of its own, served\n"
    "under /training/, where every module is live and nothing leaves.\n"
    "\n"
    "  init    create and migrate the training store if missing, copy the\n"
    "          practice's accounts into it (no passwords) and, when new,\n"
    "          write the master population of synthetic patients\n"
    "  reset   delete everything trainees wrote (the audit trail stays) and\n"
    "          write the master population again; with --user, only that\n"
    "          trainee's exercise patients are removed and made afresh\n"
    "\n"
    "  --db URL           the production database (default: $STAGEWISE_DB,\n"
    "                     else sqlite:stagewise.db)\n"
    "  --training-db URL  the training store (default: derived from --db:\n"
    "                     sqlite:PATH-training, or PostgreSQL's schema \"training\")\n"
    "  --practice N       the practice (default 1)\n"
    "  --seed N           the synthetic patients' seed (default 1)\n"
    "  --user USERNAME    reset only this trainee's exercise patients\n";

struct training_args {
    const char *db, *training_db, *user;
    long        practice;
    long        seed;
};

static int parse(int argc, char **argv, bool allow_user,
                 struct training_args *a)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "training-db", required_argument, NULL, 't' },
        { "practice", required_argument, NULL, 'p' },
        { "seed", required_argument, NULL, 's' },
        { "user", required_argument, NULL, 'u' },
        { 0, 0, 0, 0 },
    };
    *a = (struct training_args){ .practice = 1,
                                 .seed = TRAINING_DEFAULT_SEED };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a->db = optarg; break;
        case 't': a->training_db = optarg; break;
        case 'p':
            if (cli_parse_practice("training", optarg, &a->practice) != 0)
                return 2;
            break;
        case 's':
            if (cli_parse_int(optarg, 0, 0x7fffffffL, &a->seed) != SW_OK)
                return cli_fail(SW_EUSAGE, "training: --seed must be a "
                                "whole number from 0 to 2147483647");
            break;
        case 'u':
            if (!allow_user)
                return cli_fail(SW_EUSAGE, "training init: --user belongs "
                                "to 'training reset'");
            if (optarg[0] == '\0')
                return cli_fail(SW_EUSAGE, "training reset: --user needs a "
                                "username");
            a->user = optarg;
            break;
        default:
            return cli_bad_option("training", argc, argv);
        }
    }
    if (optind < argc)
        return cli_fail(SW_EUSAGE, "training: unexpected argument '%s'; see "
                        "'stagewise training --help'", argv[optind]);
    return 0;
}

static int run_init(int argc, char **argv)
{
    struct training_args a;
    int st = parse(argc, argv, false, &a);
    if (st != 0)
        return st;
    sw_store *prod;
    if ((st = cli_open_store(a.db, 1, &prod)) != 0)
        return st;
    training_env_report r;
    sw_err err;
    int rc = training_env_init(prod, cli_db_url(a.db), a.training_db,
                               a.practice, (uint64_t)a.seed, &r, &err);
    store_close(prod);
    if (rc != SW_OK)
        return cli_fail_err(&err);
    printf("Training store %s; %d accounts mirrored; %s.\n",
           r.created ? "created" : "already there", r.accounts,
           r.populated ? "master population written"
                       : "its patients are unchanged");
    return 0;
}

static int run_reset(int argc, char **argv)
{
    struct training_args a;
    int st = parse(argc, argv, true, &a);
    if (st != 0)
        return st;
    sw_store *prod;
    if ((st = cli_open_store(a.db, 1, &prod)) != 0)
        return st;
    sw_store *training = NULL;
    sw_err err;
    int rc = training_store_open(prod, cli_db_url(a.db), a.training_db, 1,
                                 &training, NULL, &err);
    training_env_report r = { 0 };
    if (rc == SW_OK && a.user != NULL)
        rc = training_env_reset_user(prod, training, a.practice, a.user,
                                     (uint64_t)a.seed, &err);
    else if (rc == SW_OK)
        rc = training_env_reset(prod, training, a.practice, (uint64_t)a.seed,
                                &r, &err);
    if (rc == SW_OK && a.user != NULL)
        printf("Training environment of practice %ld: %s's exercise patients "
               "made afresh (seed %ld) in %s.\n", a.practice, a.user, a.seed,
               store_display(training));
    else if (rc == SW_OK)
        printf("Training environment of practice %ld reset in %s: %d tables "
               "emptied, %d accounts mirrored, %d master patients written "
               "(seed %ld).\n", a.practice, store_display(training), r.tables,
               r.accounts, TRAINING_MASTER_PATIENTS, a.seed);
    store_close(training);
    store_close(prod);
    return rc == SW_OK ? 0 : cli_fail_err(&err);
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_fail(SW_EUSAGE, "training: say init or reset; see "
                        "'stagewise training --help'");
    if (strcmp(argv[1], "init") == 0)
        return run_init(argc - 1, argv + 1);
    if (strcmp(argv[1], "reset") == 0)
        return run_reset(argc - 1, argv + 1);
    return cli_fail(SW_EUSAGE, "training: unknown subcommand '%s'; use init "
                    "or reset", argv[1]);
}

const cli_command cli_training = {
    .name = "training",
    .summary = "create or reset the training environment's store",
    .usage = usage,
    .run = run,
};
