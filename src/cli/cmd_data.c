/* cmd_data.c: placeholder until the subcommand lands. */
#include "cli.h"

#include <stdio.h>

int cmd_data(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "stratlab data: not built yet\n");
    return 1;
}
