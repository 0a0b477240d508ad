/* cli token: print the signed reply address of a ticket (for admins debugging a reply
 * that was refused, and for tests). Reads the key file; reads the database only for an
 * agent or note address (bound to the agent's id). --issued DAYS-AGO dates an agent or
 * note address in the past: how tests make an expired one without waiting. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/token.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int token_role_parse(const char *name, struct token *t)
{
	static const struct {
		const char *name;
		enum token_role role;
	} roles[] = {
		{"customer", TOKEN_CUSTOMER}, {"agent", TOKEN_AGENT}, {"note", TOKEN_NOTE},
		{"optout", TOKEN_OPTOUT}, {"command", TOKEN_COMMAND},
	};
	gint64 score;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(roles); i++) {
		if (strcmp(name, roles[i].name) == 0) {
			t->role = roles[i].role;
			return 0;
		}
	}
	/* survey0 ... survey10, nothing after the digits */
	if (strncmp(name, "survey", 6) == 0 && cli_number(name + 6, 0, &score) && score <= 10) {
		t->role = TOKEN_SURVEY;
		t->score = (int)score;
		return 0;
	}
	return -1;
}

int cli_token(struct cli *cli, int argc, char **argv)
{
	char *role = NULL, *queue = NULL, *addr = NULL, *error = NULL, *end, *agent = NULL;
	gint days_ago = 0;
	const GOptionEntry entries[] = {
		{"agent", 'a', 0, G_OPTION_ARG_STRING, &agent,
		 "agent and note roles: the agent the address is for", "EMAIL"},
		{"issued", 0, 0, G_OPTION_ARG_INT, &days_ago,
		 "agent and note roles: issued this many days ago (tests)", "DAYS-AGO"},
		{"role", 'r', 0, G_OPTION_ARG_STRING, &role,
		 "customer (default), agent, note, optout, surveyN or command (an agent's "
		 "command address: no TICKET, --agent EMAIL)", "ROLE"},
		{"queue", 'q', 0, G_OPTION_ARG_STRING, &queue, "queue (default: the first)", "Q"},
		G_OPTION_ENTRY_NULL,
	};
	struct token t = {.role = TOKEN_CUSTOMER, .score = -1};
	const struct conf_queue *q;
	struct token_keys *keys = NULL;
	struct report_json *j;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "TICKET",
			       "Print a ticket's reply address.")) != 0 ||
	    (ret = cli_load(cli)) != 0)
		goto out;
	if (role != NULL && strcmp(role, "command") == 0 && argc == 1 && agent != NULL) {
		/* An agent's command address: bound to the agent, no ticket (doc/agents.md). */
		t.role = TOKEN_COMMAND;
		if ((ret = cli_agent_id(cli, agent, &t.id)) != 0)
			goto out;
		if (t.id == 0) {
			ret = cli_fail(EX_DATAERR, "token: %s is not a registered agent", agent);
			goto out;
		}
		g_clear_pointer(&agent, g_free);
	} else if (argc != 2 || (t.id = g_ascii_strtoll(argv[1], &end, 10)) <= 0 ||
		   *end != '\0' || (role != NULL && token_role_parse(role, &t) < 0) ||
		   t.role == TOKEN_COMMAND) {
		ret = cli_fail(EX_USAGE, "token: usage: token TICKET [--role ROLE] [--queue Q] "
					 "[--agent EMAIL] | token --role command --agent EMAIL");
		goto out;
	}
	if ((t.role == TOKEN_AGENT || t.role == TOKEN_NOTE) != (agent != NULL) || days_ago < 0) {
		ret = cli_fail(EX_USAGE, "token: agent and note addresses (and only they) are "
					 "bound to an agent: --agent EMAIL [--issued DAYS-AGO]");
		goto out;
	}
	if (agent != NULL) {
		t.issued = TOKEN_DAY(clock_now()) - days_ago;
		if (t.issued < 1 || (ret = cli_agent_id(cli, agent, &t.agent)) != 0) {
			ret = ret != 0 ? ret : cli_fail(EX_USAGE, "token: --issued too far back");
			goto out;
		}
		if (t.agent == 0) {
			ret = cli_fail(EX_DATAERR, "token: %s is not a registered agent", agent);
			goto out;
		}
	}
	q = queue != NULL ? conf_queue_by_name(cli->conf, queue)
			  : g_ptr_array_index(cli->conf->queues, 0);
	if (q == NULL) {
		ret = cli_fail(EX_USAGE, "token: no queue '%s'", queue);
		goto out;
	}
	if (token_keys_load(cli->conf->key_file, &keys, &error) < 0 ||
	    token_address(keys, q->local, cli->conf->domain, &t, &addr, &error) < 0) {
		ret = cli_fail(EX_CONFIG, "token: %s", error);
		goto out;
	}
	if ((j = cli_json_result()) != NULL) {
		report_json_int(j, "ticket", t.id);
		report_json_str(j, "role", role != NULL ? role : "customer");
		report_json_str(j, "queue", q->name);
		report_json_str(j, "address", addr);
		cli_json_done(&j);
	} else {
		puts(addr);
	}
out:
	token_keys_free(&keys);
	g_free(error);
	g_free(addr);
	g_free(role);
	g_free(queue);
	g_free(agent);
	return ret;
}
