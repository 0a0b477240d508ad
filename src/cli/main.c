/* cli main: dispatch `postdesk SUBCOMMAND`. */
#include "config.h"
#include "postdesk/cli.h"
#include <stdio.h>
int cli_main(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "postdesk: not yet\n");
	return 64;
}
