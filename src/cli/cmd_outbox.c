/* cli outbox: `postdesk outbox [--status S] [--json]` lists the outbound mail rows that
 * postdesk-notifyd drains; `postdesk outbox retry ID` puts a failed (or deferred) row back
 * to queued, due now, in one transaction. A sent row is never requeued. JSON shape in
 * doc/json.md, the life of a row in doc/outbox.md. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/report.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void outbox_json_row(struct report_json *b, const struct store_outbox *o)
{
	report_json_begin_object(b, NULL);
	report_json_int(b, "id", o->id);
	report_json_id(b, "ticket", o->ticket_id);
	report_json_str(b, "kind", o->kind);
	report_json_begin_array(b, "rcpts");
	for (char **r = o->rcpts; *r != NULL; r++)
		report_json_str(b, NULL, *r);
	report_json_end_array(b);
	report_json_str(b, "message_id", o->message_id);
	report_json_str(b, "status", o->status);
	report_json_int(b, "attempts", o->attempts);
	/* Only a queued row has a next attempt. */
	report_json_time(b, "next_attempt", strcmp(o->status, "queued") == 0 ? o->next_attempt : 0);
	report_json_str(b, "last_error", o->last_error != NULL ? o->last_error : "");
	report_json_time(b, "created", o->created);
	report_json_time(b, "sent_at", o->sent_at);
	report_json_end_object(b);
}

static void outbox_print_text(const GPtrArray *list)
{
	guint i;

	printf("%-6s %-6s %-13s %-7s %3s  %-20s %-20s %-20s %s / %s\n", "ID", "TICKET", "KIND",
	       "STATUS", "TRY", "CREATED", "NEXT", "SENT", "RCPTS", "LAST ERROR");
	for (i = 0; i < list->len; i++) {
		const struct store_outbox *o = g_ptr_array_index(list, i);
		char *created = clock_format(o->created), *rcpts = g_strjoinv(",", o->rcpts);
		char *next = strcmp(o->status, "queued") == 0 ? clock_format(o->next_attempt)
							      : g_strdup("-");
		char *sent = o->sent_at != 0 ? clock_format(o->sent_at) : g_strdup("-");
		char *ticket = o->ticket_id != 0
				   ? g_strdup_printf("%" G_GINT64_FORMAT, o->ticket_id)
				   : g_strdup("-");
		printf("%-6" G_GINT64_FORMAT " %-6s %-13s %-7s %3" G_GINT64_FORMAT
		       "  %-20s %-20s %-20s %s / %s\n",
		       o->id, ticket, o->kind, o->status, o->attempts, created, next, sent, rcpts,
		       o->last_error != NULL && *o->last_error != '\0' ? o->last_error : "-");
		g_free(ticket);
		g_free(sent);
		g_free(next);
		g_free(rcpts);
		g_free(created);
	}
}

static int outbox_list(struct cli *cli, const char *status, gint64 limit, gint64 after,
		       gboolean json)
{
	struct store *store = NULL;
	GPtrArray *list = NULL;
	char *error = NULL;
	int ret;

	if (status != NULL && strcmp(status, "queued") != 0 && strcmp(status, "sent") != 0 &&
	    strcmp(status, "failed") != 0)
		return cli_fail(EX_USAGE, "outbox: --status is queued, sent or failed");
	if (limit < 0 || after < 0)
		return cli_fail(EX_USAGE, "outbox: --limit and --after take a number >= 0");
	if ((ret = cli_store(cli, STORE_READONLY, &store)) != 0)
		return ret;
	if (store_outbox_page(store, status, after, limit, &list, &error) < 0) {
		ret = cli_fail(EX_TEMPFAIL, "outbox: %s", error);
		g_free(error);
	} else if (json) {
		struct report_json *b = report_json_new();
		report_json_begin_array(b, NULL);
		for (guint i = 0; i < list->len; i++)
			outbox_json_row(b, g_ptr_array_index(list, i));
		report_json_end_array(b);
		report_json_print(&b, stdout);
	} else {
		outbox_print_text(list);
	}
	if (list != NULL)
		g_ptr_array_unref(list);
	store_close(&store);
	return ret;
}

/* Requeue row id. The check and the update share one transaction, so a row that
 * postdesk-notifyd marks sent meanwhile is refused, not requeued. */
static int outbox_retry(struct cli *cli, gint64 id)
{
	struct store *store = NULL;
	struct store_outbox *o = NULL;
	struct report_json *j;
	char *error = NULL;
	int ret, found = -1;

	if ((ret = cli_store(cli, 0, &store)) != 0)
		return ret;
	if (store_begin(store, &error) < 0 ||
	    (found = store_outbox_get(store, id, &o, &error)) < 0) {
		ret = cli_fail(EX_TEMPFAIL, "outbox retry: %s", error);
	} else if (found == 0) {
		ret = cli_fail(EX_NOINPUT, "outbox retry: no outbox row %" G_GINT64_FORMAT, id);
	} else if (strcmp(o->status, "sent") == 0) {
		ret = cli_fail(EX_DATAERR,
			       "outbox retry: row %" G_GINT64_FORMAT " was already sent; a mail "
			       "the relay accepted is never sent again",
			       id);
	} else if (store_outbox_retry(store, id, clock_now(), &error) < 0 ||
		   store_commit(store, &error) < 0) {
		ret = cli_fail(EX_TEMPFAIL, "outbox retry: %s", error);
	} else if ((j = cli_json_result()) != NULL) {
		report_json_int(j, "id", id);
		report_json_str(j, "status", "queued");
		cli_json_done(&j);
		ret = 0;
	} else {
		puts("requeued");
		ret = 0;
	}
	if (ret != 0)
		store_rollback(store);
	g_free(error);
	store_outbox_free(&o);
	store_close(&store);
	return ret;
}

/* `outbox raw ID`: the message exactly as it was (or will be) handed to the relay. */
static int outbox_raw(struct cli *cli, gint64 id)
{
	struct store *store = NULL;
	GBytes *raw = NULL;
	struct report_json *j;
	char *error = NULL;
	int ret, found;

	if ((ret = cli_store(cli, STORE_READONLY, &store)) != 0)
		return ret;
	found = store_outbox_raw(store, id, &raw, &error);
	if (found < 0) {
		ret = cli_fail(EX_TEMPFAIL, "outbox raw: %s", error);
	} else if (found == 0) {
		ret = cli_fail(EX_NOINPUT, "outbox raw: no outbox row %" G_GINT64_FORMAT, id);
	} else if ((j = cli_json_result()) != NULL) {
		gsize len;
		const guchar *data = g_bytes_get_data(raw, &len);
		char *b64 = g_base64_encode(data, len);

		/* the bytes as they go to the relay need not be UTF-8: base64 */
		report_json_int(j, "id", id);
		report_json_str(j, "raw_base64", b64);
		cli_json_done(&j);
		g_free(b64);
		ret = 0;
	} else {
		gsize len;
		const char *data = g_bytes_get_data(raw, &len);

		ret = fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0
			  ? 0
			  : cli_fail(EX_IOERR, "outbox raw: write: %s", g_strerror(errno));
	}
	if (raw != NULL)
		g_bytes_unref(raw);
	g_free(error);
	store_close(&store);
	return ret;
}

int cli_outbox(struct cli *cli, int argc, char **argv)
{
	char *status = NULL;
	gboolean json = FALSE;
	gint64 limit = CLI_PAGE_DEFAULT, after = 0;
	const GOptionEntry entries[] = {
	    {"status", 's', 0, G_OPTION_ARG_STRING, &status,
	     "only rows in this status (queued, sent, failed)", "S"},
	    {"limit", 'n', 0, G_OPTION_ARG_INT64, &limit,
	     "at most N rows (default " G_STRINGIFY(CLI_PAGE_DEFAULT) ", 0: all)", "N"},
	    {"after", 0, 0, G_OPTION_ARG_INT64, &after, "the page after row ID: older rows", "ID"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL},
	    G_OPTION_ENTRY_NULL,
	};
	gint64 id;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "[retry ID | raw ID]",
			       "List outbound mail, requeue one, or print one as sent.")) != 0)
		goto out;
	if (argc == 1) {
		ret = outbox_list(cli, status, limit, after, json);
	} else if (argc == 3 && status == NULL && cli_number(argv[2], 1, &id) &&
		   (strcmp(argv[1], "retry") == 0 || strcmp(argv[1], "raw") == 0)) {
		ret = strcmp(argv[1], "retry") == 0 ? outbox_retry(cli, id) : outbox_raw(cli, id);
	} else {
		ret = cli_fail(EX_USAGE, "outbox: usage: outbox [--status S] | outbox retry ID | "
					 "outbox raw ID (each with --json)");
	}
out:
	g_free(status);
	return ret;
}
