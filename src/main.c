/* main.c - the stagewise executable: everything else is in libstagewise. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
