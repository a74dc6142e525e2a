/* cmd_strategies.c: placeholder until the subcommand lands. */
#include "cli.h"

#include <stdio.h>

int cmd_strategies(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "stratlab strategies: not built yet\n");
    return 1;
}
