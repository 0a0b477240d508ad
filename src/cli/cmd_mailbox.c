/* cli mailbox: `postdesk mailbox status [NAME] [--json]`: for each [mailbox NAME] of the
 * config (or the one named), what postdesk-fetchd recorded in mailbox_state: how it runs
 * (idle, poll, pop3), the last attempt and the last success, the last error and how many
 * attempts in a row failed, the backlog (messages on the server not fetched yet at the last
 * poll), the messages skipped (refused for good or too big: left on the server) and
 * whether the admins were alerted about the current outage. The list is as long as the
 * config's mailboxes (no paging needed); read-only, one read per mailbox (doc/fetch.md). */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/report.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static char *mailbox_when(gint64 t)
{
	return t != 0 ? clock_format(t) : g_strdup("never");
}

static void mailbox_text(const struct conf_mailbox *m, int found,
			 const struct store_mailbox_state *st)
{
	char *attempt = mailbox_when(st->last_attempt), *ok = mailbox_when(st->last_success);

	printf("[mailbox %s] %s %s@%s:%" G_GINT64_FORMAT " -> [queue %s]\n", m->name, m->protocol,
	       m->user, m->host, m->port, m->queue);
	if (!found) {
		puts("  state:        not fetched yet (is postdesk-fetchd running?)");
	} else {
		printf("  state:        %s\n", st->failures == 0 ? "ok" : "FAILING");
		printf("  mode:         %s\n", st->mode[0] != '\0' ? st->mode : "-");
		printf("  last attempt: %s\n", attempt);
		printf("  last success: %s\n", ok);
		printf("  failures:     %" G_GINT64_FORMAT " in a row\n", st->failures);
		printf("  last error:   %s\n", st->last_error != NULL ? st->last_error : "-");
		printf("  backlog:      %" G_GINT64_FORMAT "\n", st->backlog);
		printf("  skipped:      %" G_GINT64_FORMAT " (refused or too big, left on the "
		       "server)\n", st->skipped);
		printf("  fetched:      %" G_GINT64_FORMAT "\n", st->fetched);
		if (st->alerted != 0) {
			char *a = clock_format(st->alerted);
			printf("  alerted:      %s\n", a);
			g_free(a);
		}
	}
	g_free(attempt);
	g_free(ok);
}

static void mailbox_json(struct report_json *j, const struct conf_mailbox *m, int found,
			 const struct store_mailbox_state *st)
{
	report_json_begin_object(j, NULL);
	report_json_str(j, "name", m->name);
	report_json_str(j, "protocol", m->protocol);
	report_json_str(j, "host", m->host);
	report_json_int(j, "port", m->port);
	report_json_str(j, "user", m->user);
	report_json_str(j, "queue", m->queue);
	report_json_str(j, "state", !found ? "never" : st->failures == 0 ? "ok" : "failing");
	report_json_str(j, "mode", found ? st->mode : "");
	report_json_time(j, "last_attempt", st->last_attempt);
	report_json_time(j, "last_success", st->last_success);
	if (st->last_error != NULL)
		report_json_str(j, "last_error", st->last_error);
	else
		report_json_null(j, "last_error");
	report_json_time(j, "last_error_at", st->last_error_at);
	report_json_int(j, "failures", st->failures);
	report_json_int(j, "backlog", st->backlog);
	report_json_int(j, "skipped", st->skipped);
	report_json_int(j, "fetched", st->fetched);
	report_json_time(j, "alerted", st->alerted);
	report_json_end_object(j);
}

static int mailbox_status(struct cli *cli, const char *only, gboolean json)
{
	GPtrArray *boxes = cli->conf->mailboxes;
	struct report_json *j = json ? report_json_new() : NULL;
	struct store *store = NULL;
	char *error = NULL;
	int ret;

	if (only != NULL && conf_mailbox_by_name(cli->conf, only) == NULL)
		return cli_fail(EX_USAGE, "mailbox status: no [mailbox %s] in the config", only);
	if ((ret = cli_store(cli, STORE_READONLY, &store)) != 0)
		return ret;
	if (j != NULL)
		report_json_begin_array(j, NULL);
	else if (boxes->len == 0)
		puts("no [mailbox NAME] in the config (doc/fetch.md)");
	for (guint i = 0; i < boxes->len && ret == 0; i++) {
		const struct conf_mailbox *m = g_ptr_array_index(boxes, i);
		struct store_mailbox_state st;
		int found;

		if (only != NULL && strcmp(m->name, only) != 0)
			continue;
		found = store_mailbox_state_get(store, m->name, &st, &error);
		if (found < 0) {
			ret = cli_fail(EX_TEMPFAIL, "mailbox status: %s", error);
			g_free(error);
			break;
		}
		if (j != NULL)
			mailbox_json(j, m, found, &st);
		else
			mailbox_text(m, found, &st);
		store_mailbox_state_clear(&st);
	}
	if (j != NULL && ret == 0) {
		report_json_end_array(j);
		report_json_print(&j, stdout);
	}
	report_json_free(&j);
	store_close(&store);
	return ret;
}

int cli_mailbox(struct cli *cli, int argc, char **argv)
{
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL},
	    G_OPTION_ENTRY_NULL,
	};
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "status [NAME]",
			       "The state of the hosted mailboxes postdesk-fetchd reads.")) != 0)
		return ret;
	if ((argc != 2 && argc != 3) || strcmp(argv[1], "status") != 0)
		return cli_fail(EX_USAGE, "mailbox: usage: mailbox status [NAME] [--json]");
	if ((ret = cli_load(cli)) != 0)
		return ret;
	return mailbox_status(cli, argc == 3 ? argv[2] : NULL, json);
}
