/* cmd_pms_sim.c - `stagewise pms-sim`: runs the PMS simulator
 * (pmssim/pmssim.h) until SIGTERM or SIGINT. The signals are blocked
 * before any thread starts and taken with sigwait, as `serve` does. */
#include "cli.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "pmssim/pmssim.h"

static const char usage[] =
    "Usage: stagewise pms-sim --listen HOST:PORT [--control HOST:PORT]\n"
    "                         [--ehr HOST:PORT] [--mode MODE] [--slow-ms N]\n"
    "                         [--record FILE] [--seed N] [--processing-id P|T]\n"
    "\n"
    "A practice-management system stand-in for demos, tests and training. It\n"
    "receives HL7 v2 over MLLP (DFT^P03 charges, and anything else), checks\n"
    "each DFT as a billing system would and answers by its mode; it sends\n"
    "ADT and SIU messages to the EHR when told to over its control interface\n"
    "(docs/commands/pms-sim.md). It runs until SIGTERM or SIGINT.\n"
    "\n"
    "  --listen HOST:PORT   the MLLP listener (port 0: any free port)\n"
    "  --control HOST:PORT  the HTTP control interface (default 127.0.0.1:0;\n"
    "                       it has no authentication: keep it on loopback)\n"
    "  --ehr HOST:PORT      where POST /send goes unless the request says\n"
    "  --mode MODE          normal (default), ae, ar, down, drop-ack, slow\n"
    "  --slow-ms N          the delay of mode slow (default 2000)\n"
    "  --record FILE        append every message received as a JSON line\n"
    "  --seed N             of the generated patients and visits (default 1)\n"
    "  --processing-id P|T  MSH-11 of the messages it sends (default T)\n"
    "\n"
    "When ready it prints one line:\n"
    "  PMS simulator listening on HOST:PORT (MLLP), control on http://HOST:PORT\n";

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "control", required_argument, NULL, 'c' },
        { "ehr", required_argument, NULL, 'e' },
        { "mode", required_argument, NULL, 'm' },
        { "slow-ms", required_argument, NULL, 's' },
        { "record", required_argument, NULL, 'r' },
        { "seed", required_argument, NULL, 'S' },
        { "processing-id", required_argument, NULL, 'P' },
        { 0, 0, 0, 0 },
    };
    char listen_host[256] = "", control_host[256] = "127.0.0.1", ehr_host[256] = "";
    int listen_port = 0, control_port = 0, ehr_port = 0;
    pmssim_config cfg = { .mode = PMSSIM_NORMAL, .seed = 1 };
    long n;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            if (cli_parse_listen(optarg, listen_host, sizeof listen_host,
                                 &listen_port) != SW_OK)
                return cli_fail(SW_EUSAGE, "pms-sim: --listen must be "
                                "HOST:PORT, not '%s'", optarg);
            break;
        case 'c':
            if (cli_parse_listen(optarg, control_host, sizeof control_host,
                                 &control_port) != SW_OK)
                return cli_fail(SW_EUSAGE, "pms-sim: --control must be "
                                "HOST:PORT, not '%s'", optarg);
            break;
        case 'e':
            if (cli_parse_listen(optarg, ehr_host, sizeof ehr_host,
                                 &ehr_port) != SW_OK || ehr_port == 0)
                return cli_fail(SW_EUSAGE, "pms-sim: --ehr must be HOST:PORT "
                                "with a port, not '%s'", optarg);
            break;
        case 'm':
            if (pmssim_mode_parse(optarg, &cfg.mode) != SW_OK)
                return cli_fail(SW_EUSAGE, "pms-sim: --mode must be normal, "
                                "ae, ar, down, drop-ack or slow, not '%s'", optarg);
            break;
        case 's':
            if (cli_parse_int(optarg, 0, PMSSIM_MAX_SLOW_MS, &n) != SW_OK)
                return cli_fail(SW_EUSAGE, "pms-sim: --slow-ms must be 0 to %d",
                                PMSSIM_MAX_SLOW_MS);
            cfg.slow_ms = (int)n;
            break;
        case 'r':
            cfg.record_path = optarg;
            break;
        case 'S':
            if (cli_parse_int(optarg, 0, 2147483647L, &n) != SW_OK)
                return cli_fail(SW_EUSAGE, "pms-sim: --seed must be a whole "
                                "number from 0 to 2147483647");
            cfg.seed = (uint64_t)n;
            break;
        case 'P':
            if (strcmp(optarg, "P") != 0 && strcmp(optarg, "T") != 0)
                return cli_fail(SW_EUSAGE, "pms-sim: --processing-id must be "
                                "P or T");
            cfg.processing_id = optarg;
            break;
        default:
            return cli_bad_option("pms-sim", argc, argv);
        }
    }
    if (optind < argc)
        return cli_fail(SW_EUSAGE, "pms-sim: unexpected argument '%s'; see "
                        "'stagewise pms-sim --help'", argv[optind]);
    if (listen_host[0] == '\0')
        return cli_fail(SW_EUSAGE, "pms-sim: --listen HOST:PORT is required");
    cfg.listen_host = listen_host;
    cfg.listen_port = listen_port;
    cfg.control_host = control_host;
    cfg.control_port = control_port;
    cfg.ehr_host = ehr_host[0] ? ehr_host : NULL;
    cfg.ehr_port = ehr_port;

    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    pmssim *sim;
    sw_err err;
    if (pmssim_start(&cfg, &sim, &err) != SW_OK)
        return cli_fail_err(&err);
    bool v6 = strchr(listen_host, ':') != NULL;
    bool cv6 = strchr(control_host, ':') != NULL;
    printf("PMS simulator listening on %s%s%s:%d (MLLP), control on "
           "http://%s%s%s:%d\n", v6 ? "[" : "", listen_host, v6 ? "]" : "",
           pmssim_mllp_port(sim), cv6 ? "[" : "", control_host, cv6 ? "]" : "",
           pmssim_control_port(sim));
    fflush(stdout);
    int sig = 0;
    sigwait(&stop_signals, &sig);
    pmssim_stop(sim);
    fprintf(stderr, "PMS simulator stopped (%s).\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    return 0;
}

const cli_command cli_pms_sim = {
    .name = "pms-sim",
    .summary = "run a practice-management system simulator (HL7 v2 over MLLP)",
    .usage = usage,
    .run = run,
};
