/* cli act: what an agent does by mail, from the command line. `reply` and `note` make the
 * agent's mail and run it through the same pipeline as mail to the agent token address
 * (so commands at the top work, and it is recorded the same way); `status` and `assign`
 * apply one command directly, with an event naming who did it. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/report.h"
#include "postdesk/survey.h"
#include "postdesk/thread.h"
#include "postdesk/token.h"
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

static int act_ticket_id(const char *s, gint64 *id_r)
{
	return cli_number(s, 1, id_r) ? 0 : -1;
}

static char *act_read_stdin(void)
{
	GString *s = g_string_new("");
	char buf[8192];
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		g_string_append_len(s, buf, n);
	return g_string_free(s, FALSE);
}

/* The agent's mail to the ticket's agent token, built with GMime like any outbound mail. */
static int act_mail(struct cli *cli, gint64 id, const char *agent, const char *text)
{
	struct token t = {.id = id, .role = TOKEN_AGENT, .score = -1,
			  .issued = TOKEN_DAY(clock_now())};
	const struct conf_queue *q = g_ptr_array_index(cli->conf->queues, 0);
	struct token_keys *keys = NULL;
	char *rcpts[2] = {NULL, NULL}, *raw = NULL, *error = NULL, *uuid = g_uuid_string_random();
	char *msgid = g_strdup_printf("cli.%s@%s", uuid, cli->conf->hostname);
	struct parse_out_addr to = {NULL, NULL};
	struct parse_out m = {0};
	gsize len = 0;
	int ret;

	if ((ret = cli_agent_id(cli, agent, &t.agent)) != 0)
		goto out;
	if (token_keys_load(cli->conf->key_file, &keys, &error) < 0 ||
	    token_address(keys, q->local, cli->conf->domain, &t, &rcpts[0], &error) < 0) {
		ret = cli_fail(EX_CONFIG, "%s", error);
		goto out;
	}
	to.addr = rcpts[0];
	m.from_addr = agent;
	m.to = &to;
	m.n_to = 1;
	m.subject = "";
	m.body = text;
	m.message_id = msgid;
	if (parse_build(&m, &raw, &len, &error) < 0) {
		ret = cli_fail(EX_DATAERR, "%s", error);
		goto out;
	}
	parse_init();
	ret = cli_deliver_raw(cli, rcpts, agent, raw, len);
out:
	g_free(error);
	g_free(rcpts[0]);
	g_free(msgid);
	g_free(uuid);
	token_keys_free(&keys);
	return ret;
}

static int act_write(struct cli *cli, int argc, char **argv, gboolean note)
{
	char *from = NULL, *text = NULL, *body;
	const GOptionEntry entries[] = {
		{"from", 'f', 0, G_OPTION_ARG_STRING, &from, "the agent (registered address)",
		 "AGENT"},
		G_OPTION_ENTRY_NULL,
	};
	gint64 id;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "ID < TEXT",
			       note ? "Add an internal note." : "Answer the customer.")) != 0)
		goto out;
	if (argc != 2 || act_ticket_id(argv[1], &id) < 0 || from == NULL) {
		ret = cli_fail(EX_USAGE, "%s: usage: %s ID --from AGENT < text", argv[0], argv[0]);
		goto out;
	}
	if ((ret = cli_load(cli)) != 0)
		goto out;
	text = act_read_stdin();
	body = note ? g_strconcat("#note\n", text, NULL) : g_strdup(text);
	ret = act_mail(cli, id, from, body);
	g_free(body);
out:
	g_free(text);
	g_free(from);
	return ret;
}

int cli_reply(struct cli *cli, int argc, char **argv)
{
	return act_write(cli, argc, argv, FALSE);
}

int cli_note(struct cli *cli, int argc, char **argv)
{
	return act_write(cli, argc, argv, TRUE);
}

/* Apply one command line ("#status resolved") to a ticket, as `actor`. */
static int act_command(struct cli *cli, gint64 id, const char *actor, const char *line)
{
	struct thread_agent_mail *am = NULL;
	struct store *store = NULL;
	struct store_ticket *t = NULL;
	struct report_json *j;
	char *error = NULL;
	int ret, found;

	thread_agent_parse(line, &am);
	if ((ret = cli_store(cli, 0, &store)) != 0)
		goto out;
	if (store_begin(store, &error) < 0 || (found = store_ticket_get(store, id, &t, &error)) < 0 ||
	    (found == 1 && thread_agent_apply(store, id, actor, am, clock_now(), &error) < 0) ||
	    /* timed work follows the new status (survey/) */
	    (found == 1 && survey_sync(store, cli->conf, id, clock_now(), &error) < 0)) {
		store_rollback(store);
		ret = cli_fail(EX_TEMPFAIL, "%s", error);
	} else if (found == 0) {
		store_rollback(store);
		ret = cli_fail(EX_NOINPUT, "no ticket %" G_GINT64_FORMAT, id);
	} else if (am->errors->len > 0) {
		store_rollback(store);
		ret = cli_fail(EX_DATAERR, "%s", (const char *)g_ptr_array_index(am->errors, 0));
	} else if (store_commit(store, &error) < 0) {
		ret = cli_fail(EX_TEMPFAIL, "%s", error);
	} else if ((j = cli_json_result()) != NULL) {
		report_json_int(j, "ticket", id);
		report_json_str(j, "applied", line + 1);
		cli_json_done(&j);
	} else {
		printf("ticket %" G_GINT64_FORMAT ": %s\n", id, line + 1);
	}
out:
	g_free(error);
	store_ticket_free(&t);
	store_close(&store);
	thread_agent_mail_free(&am);
	return ret;
}

static int act_one(struct cli *cli, int argc, char **argv, const char *cmd, const char *usage)
{
	char *from = NULL, *line;
	const GOptionEntry entries[] = {
		{"from", 'f', 0, G_OPTION_ARG_STRING, &from, "who does it (for the event log)",
		 "WHO"},
		G_OPTION_ENTRY_NULL,
	};
	gint64 id;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, usage, "Change a ticket.")) != 0)
		goto out;
	if (argc != 3 || act_ticket_id(argv[1], &id) < 0) {
		ret = cli_fail(EX_USAGE, "%s: usage: %s %s", argv[0], argv[0], usage);
		goto out;
	}
	line = g_strdup_printf("#%s %s", cmd, argv[2]);
	ret = act_command(cli, id, from != NULL ? from : "admin", line);
	g_free(line);
out:
	g_free(from);
	return ret;
}

int cli_status(struct cli *cli, int argc, char **argv)
{
	return act_one(cli, argc, argv, "status", "ID open|pending|resolved|closed [--from WHO]");
}

int cli_assign(struct cli *cli, int argc, char **argv)
{
	return act_one(cli, argc, argv, "assign", "ID AGENT-EMAIL [--from WHO]");
}
