/* cli: the subcommands of the `postdesk` admin tool. Returns a sysexits code. */
#ifndef POSTDESK_CLI_H
#define POSTDESK_CLI_H

int cli_main(int argc, char **argv);

#endif
