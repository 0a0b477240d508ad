/* cli attachment: `postdesk attachment list TICKET [--json]` lists the attachments of a
 * ticket's messages as they were recorded at delivery (message row, index N from 1, safe
 * base name, type, size, and whether the policy withheld it from the agent notice);
 * `attachment get TICKET MSG N > FILE` writes the Nth attachment's decoded bytes, taken
 * again from the stored raw message by the parse module (--json: base64 in an object).
 * Read-only. Shapes in doc/json.md. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/lib.h"
#include "postdesk/parse.h"
#include "postdesk/report.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ATTACHMENT_USAGE "attachment list TICKET [--json] | attachment get TICKET MSG N > FILE"

static int attachment_store_fail(char *error)
{
	int ret = cli_fail(EX_TEMPFAIL, "%s", error);

	g_free(error);
	return ret;
}

/* The ticket's messages (with their recorded attachments): 0, or the exit code (printed). */
static int attachment_messages(struct store *store, gint64 ticket, GPtrArray **msgs_r)
{
	struct store_ticket *t = NULL;
	char *error = NULL;
	int ret = store_ticket_get(store, ticket, &t, &error);

	store_ticket_free(&t);
	if (ret == 0)
		return cli_fail(EX_NOINPUT, "attachment: no ticket %" G_GINT64_FORMAT, ticket);
	if (ret < 0 || store_message_list(store, ticket, FALSE, msgs_r, &error) < 0)
		return attachment_store_fail(error);
	return 0;
}

static void attachment_print(const struct conf *conf, const GPtrArray *msgs, gboolean json)
{
	struct report_json *b = json ? report_json_new() : NULL;
	guint n = 0;

	if (json)
		report_json_begin_array(b, NULL);
	for (guint i = 0; i < msgs->len; i++) {
		const struct store_message *m = g_ptr_array_index(msgs, i);
		for (guint k = 0; k < m->attachments->len; k++) {
			const struct store_attachment *a = g_ptr_array_index(m->attachments, k);
			const char *why = strcmp(m->direction, "in") == 0
					      ? compose_attachment_withheld(conf, a->filename,
									    a->content_type, a->size)
					      : NULL;
			char *name = parse_safe_filename(a->filename);
			if (json) {
				report_json_begin_object(b, NULL);
				report_json_int(b, "message", m->id);
				report_json_int(b, "index", k + 1);
				report_json_str(b, "filename", name);
				report_json_str(b, "content_type", a->content_type);
				report_json_int(b, "size", a->size);
				report_json_str(b, "withheld", why);
				report_json_end_object(b);
			} else {
				if (n == 0)
					printf("%-8s %3s  %-32s %-28s %10s\n", "MESSAGE", "N", "NAME",
					       "TYPE", "SIZE");
				printf("%-8" G_GINT64_FORMAT " %3u  %-32s %-28s %10" G_GINT64_FORMAT
				       "%s%s\n",
				       m->id, k + 1, name, a->content_type, a->size,
				       why != NULL ? "  withheld: " : "", why != NULL ? why : "");
			}
			g_free(name);
			n++;
		}
	}
	if (json) {
		report_json_end_array(b);
		report_json_print(&b, stdout);
	} else if (n == 0) {
		printf("no attachments\n");
	}
}

static void attachment_raw_chunk(const void *data, gsize len, void *ctx)
{
	g_byte_array_append(ctx, data, (guint)len);
}

/* The Nth attachment of message row `row` (which must be on the ticket), written out. */
static int attachment_get(struct store *store, const GPtrArray *msgs, gint64 row, gint64 n,
			  gboolean json)
{
	const struct store_message *m = NULL;
	struct parse_msg *msg = NULL;
	const struct parse_attachment *a;
	GByteArray *raw;
	char *error = NULL;
	int ret;

	for (guint i = 0; i < msgs->len && m == NULL; i++)
		if (((const struct store_message *)g_ptr_array_index(msgs, i))->id == row)
			m = g_ptr_array_index(msgs, i);
	if (m == NULL)
		return cli_fail(EX_NOINPUT, "attachment: message %" G_GINT64_FORMAT
					    " is not on this ticket", row);
	if (n > (gint64)m->attachments->len)
		return cli_fail(EX_NOINPUT, "attachment: message %" G_GINT64_FORMAT " has %u "
					    "attachment%s, not %" G_GINT64_FORMAT, row,
				m->attachments->len, m->attachments->len == 1 ? "" : "s", n);
	raw = g_byte_array_new();
	ret = store_message_raw_read(store, row, attachment_raw_chunk, raw, &error);
	if (ret < 0) {
		g_byte_array_unref(raw);
		return attachment_store_fail(error);
	}
	if (ret == 0 || raw->len == 0 ||
	    parse_message_with_data((const char *)raw->data, raw->len, &msg, &error) < 0 ||
	    n > (gint64)msg->attachments->len) {
		g_byte_array_unref(raw);
		parse_msg_free(&msg);
		ret = cli_fail(EX_DATAERR, "attachment: the raw bytes of message %" G_GINT64_FORMAT
					   " no longer hold attachment %" G_GINT64_FORMAT "%s%s",
			       row, n, error != NULL ? ": " : "", error != NULL ? error : "");
		g_free(error);
		return ret;
	}
	g_byte_array_unref(raw);
	a = g_ptr_array_index(msg->attachments, n - 1);
	if (json) {
		struct report_json *b = report_json_new();
		char *name = parse_safe_filename(a->filename);
		gsize len;
		const guchar *data = g_bytes_get_data(a->data, &len);
		char *b64 = g_base64_encode(data, len);
		report_json_begin_object(b, NULL);
		report_json_int(b, "message", row);
		report_json_int(b, "index", n);
		report_json_str(b, "filename", name);
		report_json_str(b, "content_type", a->content_type);
		report_json_int(b, "size", (gint64)len);
		report_json_str(b, "data_base64", b64);
		report_json_end_object(b);
		report_json_print(&b, stdout);
		g_free(b64);
		g_free(name);
		ret = 0;
	} else {
		gsize len;
		const void *data = g_bytes_get_data(a->data, &len);
		ret = len > 0 && fwrite(data, 1, len, stdout) != len ? EX_IOERR : 0;
		if (fflush(stdout) != 0)
			ret = EX_IOERR;
		if (ret != 0)
			cli_fail(ret, "attachment: writing the bytes failed");
	}
	parse_msg_free(&msg);
	return ret;
}

int cli_attachment(struct cli *cli, int argc, char **argv)
{
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct store *store = NULL;
	GPtrArray *msgs = NULL;
	gint64 ticket = 0, row = 0, n = 0;
	gboolean list;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "list TICKET | get TICKET MSG N",
			       "A ticket's attachments.")) != 0)
		return ret;
	list = argc == 3 && strcmp(argv[1], "list") == 0;
	if (!list && !(argc == 5 && strcmp(argv[1], "get") == 0))
		return cli_fail(EX_USAGE, "attachment: usage: " ATTACHMENT_USAGE);
	if (!cli_number(argv[2], 1, &ticket))
		return cli_fail(EX_USAGE, "attachment: TICKET is a ticket number, not '%s'",
				argv[2]);
	if (!list && (!cli_number(argv[3], 1, &row) || !cli_number(argv[4], 1, &n)))
		return cli_fail(EX_USAGE, "attachment: MSG is a message row and N an attachment's "
					  "number from 1 (as `attachment list` shows them)");
	if (!list && !json && isatty(STDOUT_FILENO))
		return cli_fail(EX_USAGE, "attachment: get writes the file's bytes: redirect them "
					  "(> FILE), or use --json");
	if ((ret = cli_store(cli, STORE_READONLY, &store)) != 0)
		return ret;
	if ((ret = attachment_messages(store, ticket, &msgs)) == 0) {
		if (list)
			attachment_print(cli->conf, msgs, json);
		else
			ret = attachment_get(store, msgs, row, n, json);
	}
	if (msgs != NULL)
		g_ptr_array_unref(msgs);
	store_close(&store);
	return ret;
}
