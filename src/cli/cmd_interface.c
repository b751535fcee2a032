/* cmd_interface.c - `stagewise interface SUBCOMMAND`: the HL7 v2 interface
 * with the practice-management system at the command line
 * (docs/commands/interface.md). This file only dispatches; each subcommand
 * is its own file (cmd_interface_<name>.c, declared in cmd_interface.h). */
#include "cli.h"

#include <string.h>

#include "cmd_interface.h"

static const char usage[] =
    "Usage: stagewise interface SUBCOMMAND [options]\n"
    "\n"
    "The HL7 v2 interface with the practice-management system (PMS):\n"
    "ADT and SIU messages in, charges (DFT^P03) out (docs/hl7-interface.md).\n"
    "\n"
    "  peer        show or set the PMS peer: the addresses it may connect\n"
    "              from, where outbound messages go, our facility name, the\n"
    "              processing id (P or T)\n"
    "  queue       the outbound queue: what is waiting, sent, acknowledged\n"
    "              or failed; retry or cancel a message\n"
    "  reconcile   compare the charges made in the EHR with what the PMS\n"
    "              acknowledged\n"
    "  test        run the interface test suite against a PMS (or the\n"
    "              simulator) and record the run\n"
    "\n"
    "  --db URL    sqlite:PATH or postgresql://... (default: $STAGEWISE_DB,\n"
    "              else sqlite:stagewise.db)\n"
    "\n"
    "Each subcommand's options are in docs/commands/interface.md; peer's:\n"
    "  peer [--practice N] [--allow ADDR[,ADDR...]] [--send-to HOST:PORT]\n"
    "       [--processing-id P|T] [--facility NAME] [--show]\n";

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_fail(SW_EUSAGE, "interface: name a subcommand (peer, queue, "
                        "reconcile, test); see 'stagewise interface --help'");
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } subs[] = {
        { "peer", cli_interface_peer },
        { "queue", cli_interface_queue },
        { "reconcile", cli_interface_reconcile },
        { "test", cli_interface_test },
    };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(subs[i].name, argv[1]) == 0)
            return subs[i].fn(argc - 1, argv + 1);
    return cli_fail(SW_EUSAGE, "interface: unknown subcommand '%s'; it is peer, "
                    "queue, reconcile or test", argv[1]);
}

const cli_command cli_interface = {
    .name = "interface",
    .summary = "the HL7 v2 interface: peer, queue, reconcile, test",
    .usage = usage,
    .run = run,
};
