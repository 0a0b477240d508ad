/* cli main: `postdesk [-c FILE] COMMAND [ARGS]`: the table of subcommands and the dispatch.
 * The helpers they share are in common.c. */
#include "config.h"
#include "postdesk/cli.h"
#include "postdesk/lib.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *help;
} cli_commands[] = {
	{"init", cli_init, "create the database and the token key"},
	{"deliver", cli_deliver, "deliver one message from stdin (-r RCPT [-f SENDER])"},
	{"tickets", cli_tickets, "list tickets [--status S] [--json]"},
	{"show", cli_show, "show one ticket with its messages [--json]"},
	{"reply", cli_reply, "answer ticket ID as agent: reply ID --from AGENT < text"},
	{"note", cli_note, "internal note on ticket ID: note ID --from AGENT < text"},
	{"status", cli_status, "set a ticket's status: status ID open|pending|resolved|closed"},
	{"assign", cli_assign, "assign a ticket: assign ID AGENT-EMAIL"},
	{"token", cli_token, "print a ticket's signed reply address [--role R]"},
	{"agent", cli_agent, "add EMAIL --name NAME [--queue Q] | list [--json] | remove EMAIL"},
	{"report", cli_report, "metrics [--since D] [--until D] [--by G] [--json|--csv|--html F]"},
	{"outbox", cli_outbox, "list outbound mail [--status S] [--json] | retry ID"},
	{"mailbox", cli_mailbox, "hosted mailboxes fetched by postdesk-fetchd: status [NAME] [--json]"},
	{"tick", cli_tick, "run due timed work once (surveys, reminders) [--now TIME]"},
	{"key", cli_key, "token keys: list | rotate [--grace DAYS] | rotate --prune"},
	{"macro", cli_macro, "canned replies: list [--json] | show NAME [--ticket N] [--json]"},
	{"search", cli_search, "find tickets: search QUERY [--status S] [--queue Q] [--since D] "
			       "[--json]"},
	{"kb", cli_kb, "the knowledge base: reindex, list, search (doc/kb.md)"},
	{"optout", cli_optout, "stop surveys for an opt-out token address (one-click unsubscribe)"},
	{"merge", cli_merge, "fold ticket OTHER into ticket ID: merge ID OTHER [--json]"},
	{"split", cli_split, "split a message off: split ID MESSAGE [--rest] [--notify] [--json]"},
	{"attachment", cli_attachment, "list TICKET [--json] | get TICKET MSG N > FILE"},
	{"customer", cli_customer, "export EMAIL [--out DIR] | erase EMAIL --yes [--actor WHO] [--vacuum]"},
	{"config", cli_config, "the effective configuration [-n: only what the file sets]"},
	{"check", cli_check, "check config, database, key, templates, sockets, Postfix wiring"},
	{"store", cli_store_cmd, "copy --to postgresql://... [--json]: move the desk (doc/scaling.md)"},
};

static int cli_usage(FILE *out)
{
	size_t i;

	fputs("usage: postdesk [-c FILE] COMMAND [OPTIONS]\n\ncommands:\n", out);
	for (i = 0; i < G_N_ELEMENTS(cli_commands); i++)
		fprintf(out, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].help);
	fputs("\nThe configuration file is -c FILE, else $POSTDESK_CONF, else " CONF_DEFAULT_PATH
	      ".\n'postdesk COMMAND --help' for a command's options; postdesk(1); --version.\n",
	      out);
	return out == stdout ? 0 : EX_USAGE;
}

int cli_main(int argc, char **argv)
{
	struct cli cli = {0};
	size_t i;
	int ret;

	g_set_prgname("postdesk");
	cli.conf_path = g_getenv("POSTDESK_CONF");
	/* -c may also come after the subcommand; cli_options() then stores it in conf_opt. */
	if (cli.conf_path == NULL)
		cli.conf_path = CONF_DEFAULT_PATH;
	argc--, argv++;
	if (argc >= 2 && strcmp(argv[0], "-c") == 0) {
		cli.conf_path = argv[1];
		argc -= 2, argv += 2;
	}
	/* --json is an option of the subcommand, but its errors (a bad option, an unknown
	 * command) must be JSON too, so it is looked for before anything is parsed. */
	for (i = 0; i < (size_t)argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			cli_json_mode(TRUE);
	if (argc < 1)
		return cli_usage(stderr);
	if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "-h") == 0)
		return cli_usage(stdout);
	if (strcmp(argv[0], "--version") == 0 || strcmp(argv[0], "-V") == 0 ||
	    strcmp(argv[0], "version") == 0) {
		printf("postdesk %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (i = 0; i < G_N_ELEMENTS(cli_commands); i++) {
		if (strcmp(argv[0], cli_commands[i].name) == 0) {
			ret = cli_commands[i].run(&cli, argc, argv);
			conf_free(&cli.conf);
			g_free(cli.conf_opt);
			return ret;
		}
	}
	cli_fail(EX_USAGE, "unknown command '%s'", argv[0]);
	return cli_usage(stderr);
}
