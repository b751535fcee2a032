/* cmd_interface.h - the subcommands of `stagewise interface` (the HL7 v2
 * interface with the practice-management system, docs/commands/interface.md).
 * Each lives in its own file cmd_interface_<name>.c; cmd_interface.c
 * dispatches to them. Each takes argv with argv[0] the subcommand's name
 * and returns an exit status like every command (0, 1, 2). */
#ifndef SW_CLI_CMD_INTERFACE_H
#define SW_CLI_CMD_INTERFACE_H

int cli_interface_peer(int argc, char **argv);      /* B */
int cli_interface_reconcile(int argc, char **argv); /* E */
int cli_interface_test(int argc, char **argv);      /* D */
int cli_interface_queue(int argc, char **argv);     /* C */

#endif
