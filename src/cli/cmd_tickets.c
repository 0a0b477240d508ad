/* cli tickets / show: list tickets and show one, as text or JSON (shapes in
 * doc/json.md). Read-only: opens the store read-only. A customer's message is shown as
 * its new text with the quoted part collapsed (what the agent notice showed), computed
 * here from what is stored; --full shows the whole decoded text. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/parse.h"
#include "postdesk/report.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Members of a ticket object (the caller opens and closes the object). */
static void json_ticket(struct report_json *b, const struct store_ticket *t)
{
	report_json_int(b, "id", t->id);
	report_json_str(b, "status", t->status);
	report_json_str(b, "priority", t->priority);
	report_json_str(b, "queue", t->queue);
	report_json_str(b, "subject", t->subject);
	report_json_str(b, "requester", t->requester);
	report_json_str(b, "requester_name", t->requester_name);
	report_json_str(b, "assignee", t->assignee);
	report_json_time(b, "created", t->created);
	report_json_time(b, "updated", t->updated);
	report_json_int(b, "message_count", t->message_count);
	report_json_id(b, "linked_to", t->linked_to);
	/* "" for a ticket from before migration 10: its queue's language. */
	report_json_str(b, "language", t->lang);
}

/* What agents read of a message: the new text of a customer's (or automatic) inbound
 * mail, else the stored text as is. */
struct show_text {
	char *text;    /* g_malloc'ed */
	guint hidden;  /* lines of the whole text left out */
};

static gboolean show_is_customer(const struct store_message *m)
{
	return strcmp(m->direction, "in") == 0 &&
	       (strcmp(m->kind, "customer") == 0 || strcmp(m->kind, "auto") == 0);
}

static void show_raw_chunk(const void *data, gsize len, void *ctx)
{
	g_byte_array_append(ctx, data, (guint)len);
}

/* The message parsed again from its raw bytes (read through the store, expanded), or NULL
 * when they cannot be read: the caller falls back on the stored text. */
static struct parse_msg *show_reparse(struct store *store, const struct store_message *m)
{
	struct parse_msg *msg = NULL;
	GByteArray *raw = g_byte_array_new();
	char *error = NULL;

	if (store_message_raw_read(store, m->id, show_raw_chunk, raw, &error) != 1 ||
	    parse_message((const char *)raw->data, raw->len, &msg, &error) != 0) {
		g_free(error);
		msg = NULL;
	}
	g_byte_array_unref(raw);
	return msg;
}

/* The whole decoded text: from the raw bytes for customer mail (its row holds only the new
 * text) and for rows that keep no text (automatic mail we sent); else the stored text. */
static char *show_full_text(struct store *store, const struct store_message *m)
{
	struct parse_msg *msg;
	char *text;

	if ((!show_is_customer(m) && m->body[0] != '\0') || (msg = show_reparse(store, m)) == NULL)
		return g_strdup(m->body);
	text = g_strdup(msg->body);
	parse_msg_free(&msg);
	return text;
}

/* A customer's message is read again from its raw bytes: its row holds only its new text
 * (doc/schema.md; rows from before hold the whole text and read the same way), and for
 * mail that came as HTML only the HTML's quote containers (gmail_quote, divRplyFwdMsg,
 * blockquote type=cite) are a better guide than the text made of them, as for the notice.
 * If the raw bytes cannot be read, the stored text serves. */
static void show_text_get(struct store *store, const struct store_message *m,
			  struct show_text *st)
{
	gboolean html = util_flags_have(m->flags, "html-only");
	struct parse_msg *msg;

	st->hidden = 0;
	if (!show_is_customer(m)) {
		st->text = show_full_text(store, m);
		return;
	}
	if ((msg = show_reparse(store, m)) != NULL) {
		st->text = parse_reply_view(msg->body, html ? msg->body_html : NULL, &st->hidden);
		parse_msg_free(&msg);
		return;
	}
	st->text = parse_reply_view(m->body, NULL, &st->hidden);
}


static void json_message(struct report_json *b, struct store *store,
			 const struct store_message *m)
{
	struct show_text st;
	char *text;

	guint i;

	report_json_begin_object(b, NULL);
	report_json_int(b, "id", m->id);
	report_json_str(b, "direction", m->direction);
	report_json_str(b, "kind", m->kind);
	report_json_str(b, "from", m->from_addr);
	report_json_str(b, "from_name", m->from_name);
	report_json_str(b, "to", m->rcpt);
	report_json_str(b, "subject", m->subject);
	report_json_time(b, "date", m->date);
	report_json_time(b, "stored", m->created);
	report_json_str(b, "message_id", m->message_id);
	report_json_str(b, "flags", m->flags);
	text = show_full_text(store, m);
	report_json_str(b, "body", text);
	g_free(text);
	show_text_get(store, m, &st);
	report_json_str(b, "new_text", st.text);
	report_json_int(b, "quoted_lines", st.hidden);
	g_free(st.text);
	report_json_begin_array(b, "attachments");
	for (i = 0; i < m->attachments->len; i++) {
		const struct store_attachment *a = g_ptr_array_index(m->attachments, i);
		report_json_begin_object(b, NULL);
		report_json_str(b, "filename", a->filename);
		report_json_str(b, "content_type", a->content_type);
		report_json_int(b, "size", a->size);
		report_json_end_object(b);
	}
	report_json_end_array(b);
	report_json_end_object(b);
}

/* Listing state: rows arrive one by one from the store and leave at once (flat memory). */
struct tickets_out {
	gboolean json;
	gint64 n, last_id;
};

static void tickets_row(const struct store_ticket *t, void *ctx)
{
	struct tickets_out *o = ctx;

	if (o->json) {
		struct report_json *b = report_json_new();
		char *text;

		report_json_begin_object(b, NULL);
		json_ticket(b, t);
		report_json_end_object(b);
		text = report_json_text(b, TRUE);
		printf("%s%s", o->n == 0 ? "" : ",\n", text);
		g_free(text);
		report_json_free(&b);
	} else {
		char *updated = clock_format(t->updated);

		if (o->n == 0)
			printf("%-6s %-8s %-10s %-20s %4s  %-28s %s\n", "ID", "STATUS", "QUEUE",
			       "UPDATED", "MSGS", "REQUESTER", "SUBJECT");
		printf("%-6" G_GINT64_FORMAT " %-8s %-10s %-20s %4" G_GINT64_FORMAT "  %-28s %s\n",
		       t->id, t->status, t->queue, updated, t->message_count, t->requester,
		       t->subject);
		g_free(updated);
	}
	o->n++;
	o->last_id = t->id;
}

static int tickets_fail_store(char *error)
{
	int ret = cli_fail(EX_TEMPFAIL, "%s", error);

	g_free(error);
	return ret;
}

/* The statuses a ticket can have (the schema's CHECK). */
static gboolean tickets_status_ok(const char *s)
{
	static const char *const statuses[] = {"new", "open", "pending", "resolved", "closed"};

	for (guint i = 0; i < G_N_ELEMENTS(statuses); i++)
		if (strcmp(s, statuses[i]) == 0)
			return TRUE;
	return FALSE;
}

int cli_tickets(struct cli *cli, int argc, char **argv)
{
	char *status = NULL;
	gboolean json = FALSE;
	gint64 limit = CLI_PAGE_DEFAULT, after = 0;
	const GOptionEntry entries[] = {
		{"status", 's', 0, G_OPTION_ARG_STRING, &status, "only tickets in this status",
		 "S"},
		{"limit", 'n', 0, G_OPTION_ARG_INT64, &limit,
		 "at most N tickets (default " G_STRINGIFY(CLI_PAGE_DEFAULT) ", 0: all)", "N"},
		{"after", 0, 0, G_OPTION_ARG_INT64, &after,
		 "the page after ticket ID: tickets older than it", "ID"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct tickets_out o = {0};
	struct store *store = NULL;
	char *error = NULL;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "",
			       "List tickets, newest first, a page at a time.")) != 0)
		goto out;
	if (status != NULL && !tickets_status_ok(status)) {
		ret = cli_fail(EX_USAGE, "tickets: --status takes new, open, pending, resolved or "
					 "closed, not '%s'", status);
		goto out;
	}
	if (limit < 0 || after < 0) {
		ret = cli_fail(EX_USAGE, "tickets: --limit and --after take a number >= 0");
		goto out;
	}
	if ((ret = cli_store(cli, STORE_READONLY, &store)) != 0)
		goto out;
	o.json = json;
	if (json)
		fputs("[", stdout);
	if (store_ticket_page(store, status, after, limit, tickets_row, &o, &error) < 0) {
		if (json)
			fputs("]\n", stdout);
		ret = tickets_fail_store(error);
		goto out;
	}
	if (json)
		fputs(o.n > 0 ? "\n]\n" : "]\n", stdout);
	/* A person at a terminal is told how to go on; a script counts the rows it got. */
	if (limit > 0 && o.n == limit && isatty(STDOUT_FILENO) && !json)
		fprintf(stderr, "postdesk: %" G_GINT64_FORMAT " tickets shown; the next page: "
				"--after %" G_GINT64_FORMAT "\n", o.n, o.last_id);
out:
	store_close(&store);
	g_free(status);
	return ret;
}

/* The ticket's order references, newest message first (issue 14, doc/orders.md): text
 * lines, or the "orders" member of `show --json` when b is set. */
#define SHOW_ORDERS_MAX 20
static void show_orders(const GPtrArray *orders, struct report_json *b)
{
	if (b != NULL)
		report_json_begin_array(b, "orders");
	else if (orders->len > 0)
		printf("Orders:\n");
	for (guint i = 0; i < orders->len; i++) {
		const struct store_order_ref *r = g_ptr_array_index(orders, i);
		if (b == NULL) {
			printf("  %s (message %" G_GINT64_FORMAT "): %s%s%s%s\n", r->ref,
			       r->message_row,
			       r->error[0] ? "lookup failed: " : r->looked ? "" : "not looked up",
			       r->error[0] ? r->error : r->status, r->tracking[0] ? ", tracking " : "",
			       r->tracking);
			continue;
		}
		report_json_begin_object(b, NULL);
		report_json_str(b, "ref", r->ref);
		report_json_id(b, "message", r->message_row);
		report_json_time(b, "looked_up", r->looked);
		report_json_str(b, "error", r->error[0] ? r->error : NULL);
		report_json_str(b, "status", r->status);
		report_json_str(b, "tracking", r->tracking);
		report_json_str(b, "total", r->total);
		report_json_str(b, "items", r->items);
		report_json_end_object(b);
	}
	if (b != NULL)
		report_json_end_array(b);
}

static void show_print_text(struct store *store, const struct store_ticket *t,
			    const GPtrArray *msgs, const GPtrArray *orders, gboolean full)
{
	guint i;
	struct show_text st;

	printf("Ticket #%" G_GINT64_FORMAT ": %s\nStatus: %s  Priority: %s  Queue: %s\n"
	       "Requester: %s <%s>\n",
	       t->id, t->subject, t->status, t->priority, t->queue, t->requester_name,
	       t->requester);
	printf("Language: %s\n", t->lang[0] != '\0' ? t->lang : "(the queue's)");
	show_orders(orders, NULL);
	for (i = 0; i < msgs->len; i++) {
		const struct store_message *m = g_ptr_array_index(msgs, i);
		char *when = clock_format(m->created);
		if (full) {
			st.text = show_full_text(store, m);
			st.hidden = 0;
		} else {
			show_text_get(store, m, &st);
		}
		printf("\n--- message %" G_GINT64_FORMAT
		       " (%s, %s%s) %s from %s\nSubject: %s\n\n%s\n",
		       m->id, m->direction, m->kind,
		       util_flags_have(m->flags, "unverified") ? ", UNVERIFIED sender" : "", when,
		       m->from_addr, m->subject, st.text);
		if (st.hidden > 0)
			printf("\n[quoted text hidden: %u line%s - postdesk show %" G_GINT64_FORMAT
			       " --full]\n",
			       st.hidden, st.hidden == 1 ? "" : "s", t->id);
		g_free(st.text);
		g_free(when);
	}
}

/* events and tags members of `show --json` */
static int show_json_history(struct store *store, gint64 id, struct report_json *b, char **error_r)
{
	GPtrArray *events = NULL;
	char **tags = NULL;
	guint i;

	if (store_event_list(store, id, &events, error_r) < 0 ||
	    store_tag_list(store, id, &tags, error_r) < 0) {
		if (events != NULL)
			g_ptr_array_unref(events);
		return -1;
	}
	report_json_begin_array(b, "tags");
	for (i = 0; tags[i] != NULL; i++)
		report_json_str(b, NULL, tags[i]);
	report_json_end_array(b);
	report_json_begin_array(b, "events");
	for (i = 0; i < events->len; i++) {
		const struct store_event *e = g_ptr_array_index(events, i);
		report_json_begin_object(b, NULL);
		report_json_time(b, "created", e->created);
		report_json_str(b, "kind", e->kind);
		report_json_str(b, "actor", e->actor);
		report_json_str(b, "detail", e->detail);
		report_json_end_object(b);
	}
	report_json_end_array(b);
	g_ptr_array_unref(events);
	g_strfreev(tags);
	return 0;
}

static void show_raw_out(const void *data, gsize len, void *ctx)
{
	(void)ctx;
	(void)fwrite(data, 1, len, stdout);
}

/* show --raw ROW: the stored message ROW byte for byte (expanded by the store). */
static int show_raw(struct cli *cli, gint64 row)
{
	struct store *store = NULL;
	char *error = NULL;
	int ret;

	if ((ret = cli_store(cli, STORE_READONLY, &store)) != 0)
		return ret;
	ret = store_message_raw_read(store, row, show_raw_out, NULL, &error);
	store_close(&store);
	if (ret < 0)
		return tickets_fail_store(error);
	if (ret == 0)
		return cli_fail(EX_NOINPUT, "show: no message %" G_GINT64_FORMAT, row);
	return fflush(stdout) == 0 ? 0 : cli_fail(EX_IOERR, "show: writing: %s", g_strerror(errno));
}

int cli_show(struct cli *cli, int argc, char **argv)
{
	gboolean json = FALSE, full = FALSE, raw = FALSE;
	const GOptionEntry entries[] = {
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL},
		{"full", 0, 0, G_OPTION_ARG_NONE, &full,
		 "customers' messages whole, quoted text included", NULL},
		{"raw", 0, 0, G_OPTION_ARG_NONE, &raw,
		 "ID is a message number: print that message byte for byte", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct store *store = NULL;
	struct store_ticket *t = NULL;
	GPtrArray *msgs = NULL, *orders = NULL;
	char *error = NULL, *end;
	gint64 id;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "ID", "Show a ticket.")) != 0)
		return ret;
	if (argc != 2 || (id = g_ascii_strtoll(argv[1], &end, 10)) <= 0 || *end != '\0')
		return cli_fail(EX_USAGE, "show: usage: show ID [--json] [--full] | show --raw MSG");
	if (raw)
		return show_raw(cli, id);
	if ((ret = cli_store(cli, STORE_READONLY, &store)) != 0)
		return ret;
	ret = store_ticket_get(store, id, &t, &error);
	if (ret == 1 && (store_message_list(store, id, FALSE, &msgs, &error) < 0 ||
			 store_order_ref_ticket(store, id, SHOW_ORDERS_MAX, &orders, &error) < 0))
		ret = -1;
	if (ret < 0) {
		ret = tickets_fail_store(error);
	} else if (ret == 0) {
		ret = cli_fail(EX_NOINPUT, "show: no ticket %" G_GINT64_FORMAT, id);
	} else if (json) {
		struct report_json *b = report_json_new();
		guint i;
		report_json_begin_object(b, NULL);
		json_ticket(b, t);
		report_json_begin_array(b, "messages");
		for (i = 0; i < msgs->len; i++)
			json_message(b, store, g_ptr_array_index(msgs, i));
		report_json_end_array(b);
		show_orders(orders, b);
		ret = show_json_history(store, id, b, &error);
		report_json_end_object(b);
		if (ret == 0)
			report_json_print(&b, stdout);
		else
			ret = tickets_fail_store(error);
		report_json_free(&b);
	} else {
		show_print_text(store, t, msgs, orders, full);
		ret = 0;
	}
	if (msgs != NULL)
		g_ptr_array_unref(msgs);
	if (orders != NULL)
		g_ptr_array_unref(orders);
	store_ticket_free(&t);
	store_close(&store);
	return ret;
}
