/* cli customer: a customer's data, for the rights of access and erasure.
 * `customer export EMAIL [--out DIR]` writes DIR/customer-ID.json (the customer, their
 * tickets with messages' metadata and text, events and surveys) and DIR/customer-ID.mbox
 * (the raw messages, mboxrd), both mode 0600. `customer erase EMAIL --yes [--actor WHO]`
 * erases them in one transaction (store/privacy.c says what goes and what stays), with an
 * audit record naming who did it, then empties the WAL so the bytes leave the disk too.
 * Both show progress on a terminal, nothing with --json or when not a terminal. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/report.h"
#include "cli.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CUSTOMER_USAGE                                                                             \
	"customer export EMAIL [--out DIR] | customer erase EMAIL --yes [--actor WHO] [--vacuum]"

/* What one run works on. */
struct customer_run {
	struct store *store;
	struct store_customer *c;
	GArray *requested, *other; /* ticket ids */
	gboolean json;
	gboolean vacuum; /* erase: rebuild the file afterwards */
	gint64 n_messages;
};

static int customer_store_fail(char *error)
{
	int ret = cli_fail(EX_TEMPFAIL, "%s", error);

	g_free(error);
	return ret;
}

static void customer_progress(const char *what, guint i, guint n)
{
	if (!cli_progress_on())
		return;
	fprintf(stderr, "\r%s: ticket %u of %u", what, i, n);
	if (i == n)
		fputc('\n', stderr);
}

/* An address as people write one: local@domain, no space or control character. */
static gboolean customer_email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return FALSE;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '<' || *s == '>')
			return FALSE;
	return TRUE;
}

/* Open the store and find the customer and their tickets: 0 or the exit code (printed). */
static int customer_open(struct cli *cli, const char *email, int flags, struct customer_run *r)
{
	char *error = NULL;
	int ret;

	if (!customer_email_ok(email))
		return cli_fail(EX_USAGE, "customer: '%s' is not an email address", email);
	if ((ret = cli_store(cli, flags, &r->store)) != 0)
		return ret;
	ret = store_customer_get(r->store, email, &r->c, &error);
	if (ret == 0)
		return cli_fail(EX_NOINPUT, "customer: no customer %s", email);
	if (ret < 0 || store_customer_tickets(r->store, r->c->id, r->c->email, &r->requested,
					      &r->other, &error) < 0)
		return customer_store_fail(error);
	return 0;
}

static void customer_close(struct customer_run *r)
{
	if (r->requested != NULL)
		g_array_unref(r->requested);
	if (r->other != NULL)
		g_array_unref(r->other);
	store_customer_free(&r->c);
	store_close(&r->store);
}

/* ---- export ---- */

static void customer_raw_chunk(const void *data, gsize len, void *ctx)
{
	g_byte_array_append(ctx, data, (guint)len);
}

/* One message in mboxrd form: a From_ line, the bytes with LF line ends, every line that
 * is ">*From " quoted with one more '>', and a blank line after it. */
static void customer_mbox_message(GString *out, const struct store_message *m,
				  const GByteArray *raw)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(m->created);
	char *when = g_date_time_format(dt, "%a %b %_d %H:%M:%S %Y");
	const char *sender = m->env_sender != NULL && m->env_sender[0] != '\0' &&
				     strchr(m->env_sender, ' ') == NULL
				 ? m->env_sender
				 : "MAILER-DAEMON";
	gsize i = 0, len = raw->len;

	g_string_append_printf(out, "From %s %s\n", sender, when);
	while (i < len) {
		const char *line = (const char *)raw->data + i;
		const char *nl = memchr(line, '\n', len - i);
		gsize n = nl != NULL ? (gsize)(nl - line) : len - i, q = 0;
		while (q < n && line[q] == '>')
			q++;
		if (n - q >= 5 && memcmp(line + q, "From ", 5) == 0)
			g_string_append_c(out, '>');
		g_string_append_len(out, line, n > 0 && line[n - 1] == '\r' ? n - 1 : n);
		g_string_append_c(out, '\n');
		i += n + (nl != NULL ? 1 : 0);
	}
	g_string_append_c(out, '\n');
	g_free(when);
	g_date_time_unref(dt);
}

static void customer_json_message(struct report_json *b, const struct store_message *m)
{
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
	report_json_str(b, "body", m->body);
	report_json_begin_array(b, "attachments");
	for (guint k = 0; k < m->attachments->len; k++) {
		const struct store_attachment *a = g_ptr_array_index(m->attachments, k);
		report_json_begin_object(b, NULL);
		report_json_str(b, "filename", a->filename);
		report_json_str(b, "content_type", a->content_type);
		report_json_int(b, "size", a->size);
		report_json_end_object(b);
	}
	report_json_end_array(b);
	report_json_end_object(b);
}

/* events NULL: someone else's ticket, whose history is not the customer's. */
static void customer_json_history(struct report_json *b, const GPtrArray *events,
				  const struct store_survey *s)
{
	report_json_begin_array(b, "events");
	for (guint i = 0; events != NULL && i < events->len; i++) {
		const struct store_event *e = g_ptr_array_index(events, i);
		report_json_begin_object(b, NULL);
		report_json_time(b, "created", e->created);
		report_json_str(b, "kind", e->kind);
		report_json_str(b, "actor", e->actor);
		report_json_str(b, "detail", e->detail);
		report_json_end_object(b);
	}
	report_json_end_array(b);
	if (s == NULL) {
		report_json_null(b, "survey");
		return;
	}
	report_json_begin_object(b, "survey");
	report_json_time(b, "requested", s->requested);
	if (s->csat >= 0)
		report_json_int(b, "csat", s->csat);
	else
		report_json_null(b, "csat");
	if (s->nps >= 0)
		report_json_int(b, "nps", s->nps);
	else
		report_json_null(b, "nps");
	if (s->ces >= 0)
		report_json_int(b, "ces", s->ces);
	else
		report_json_null(b, "ces");
	report_json_str(b, "comment", s->comment);
	report_json_time(b, "answered", s->answered);
	report_json_end_object(b);
}

/* Whether a message of someone else's ticket is the customer's: theirs or to them. */
static gboolean customer_msg_theirs(const struct store_message *m, const char *email)
{
	return g_strcmp0(m->from_addr, email) == 0 || g_strcmp0(m->rcpt, email) == 0;
}

/* One ticket into the JSON document and the mbox. 0, -1 with *error_r. */
static int customer_export_ticket(struct customer_run *r, gint64 id, gboolean requested,
				  struct report_json *b, GString *mbox, char **error_r)
{
	struct store_ticket *t = NULL;
	struct store_survey *s = NULL;
	GPtrArray *msgs = NULL, *events = NULL;
	int ret = -1;

	if (store_ticket_get(r->store, id, &t, error_r) != 1 ||
	    store_message_list(r->store, id, FALSE, &msgs, error_r) < 0 ||
	    store_event_list(r->store, id, &events, error_r) < 0 ||
	    (requested && store_survey_get(r->store, id, &s, error_r) < 0))
		goto out;
	report_json_begin_object(b, NULL);
	report_json_int(b, "id", t->id);
	report_json_str(b, "role", requested ? "requester" : "participant");
	report_json_str(b, "status", t->status);
	report_json_str(b, "queue", t->queue);
	report_json_str(b, "subject", t->subject);
	report_json_time(b, "created", t->created);
	report_json_time(b, "updated", t->updated);
	report_json_begin_array(b, "messages");
	for (guint i = 0; i < msgs->len; i++) {
		const struct store_message *m = g_ptr_array_index(msgs, i);
		GByteArray *raw;
		if (!requested && !customer_msg_theirs(m, r->c->email))
			continue;
		customer_json_message(b, m);
		raw = g_byte_array_new();
		if (store_message_raw_read(r->store, m->id, customer_raw_chunk, raw, error_r) < 0) {
			g_byte_array_unref(raw);
			goto out;
		}
		customer_mbox_message(mbox, m, raw);
		g_byte_array_unref(raw);
		r->n_messages++;
	}
	report_json_end_array(b);
	customer_json_history(b, requested ? events : NULL, s);
	report_json_end_object(b);
	ret = 0;
out:
	if (ret < 0 && *error_r == NULL)
		*error_r = g_strdup_printf("ticket %" G_GINT64_FORMAT " vanished", id);
	if (msgs != NULL)
		g_ptr_array_unref(msgs);
	if (events != NULL)
		g_ptr_array_unref(events);
	store_survey_free(&s);
	store_ticket_free(&t);
	return ret;
}

/* Write a file of personal data: mode 0600, replaced whole. 0 or the exit code. */
static int customer_write(const char *path, const char *data, gsize len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	gsize done = 0;
	ssize_t n;

	if (fd < 0)
		return cli_fail(EX_CANTCREAT, "customer: %s: %s", path, g_strerror(errno));
	while (done < len && (n = write(fd, data + done, len - done)) > 0)
		done += (gsize)n;
	if (done < len || fsync(fd) < 0) {
		int err = errno;
		close(fd);
		return cli_fail(EX_IOERR, "customer: %s: %s", path, g_strerror(err));
	}
	close(fd);
	return 0;
}

static void customer_json_customer(struct report_json *b, const struct store_customer *c)
{
	report_json_begin_object(b, "customer");
	report_json_int(b, "id", c->id);
	report_json_str(b, "email", c->email);
	report_json_str(b, "name", c->name);
	report_json_bool(b, "bounced", c->bounced);
	report_json_bool(b, "survey_optout", c->survey_optout);
	report_json_int(b, "ticket_count", c->ticket_count);
	report_json_end_object(b);
}

static int customer_export_files(struct customer_run *r, const char *dir)
{
	struct report_json *b = report_json_new();
	GString *mbox = g_string_new("");
	guint n = r->requested->len + r->other->len;
	char *error = NULL, *text, *json_path, *mbox_path;
	int ret = 0;

	report_json_begin_object(b, NULL);
	report_json_time(b, "exported", clock_now());
	customer_json_customer(b, r->c);
	report_json_begin_array(b, "tickets");
	for (guint i = 0; i < n && ret == 0; i++) {
		gboolean req = i < r->requested->len;
		gint64 id = req ? g_array_index(r->requested, gint64, i)
				: g_array_index(r->other, gint64, i - r->requested->len);
		if (customer_export_ticket(r, id, req, b, mbox, &error) < 0)
			ret = customer_store_fail(error);
		customer_progress("export", i + 1, n);
	}
	report_json_end_array(b);
	report_json_end_object(b);
	text = report_json_text(b, TRUE);
	report_json_free(&b);
	json_path = g_strdup_printf("%s/customer-%" G_GINT64_FORMAT ".json", dir, r->c->id);
	mbox_path = g_strdup_printf("%s/customer-%" G_GINT64_FORMAT ".mbox", dir, r->c->id);
	if (ret == 0 && (ret = customer_write(json_path, text, strlen(text))) == 0)
		ret = customer_write(mbox_path, mbox->str, mbox->len);
	if (ret == 0 && r->json) {
		b = report_json_new();
		report_json_begin_object(b, NULL);
		report_json_int(b, "customer", r->c->id);
		report_json_int(b, "tickets", n);
		report_json_int(b, "messages", r->n_messages);
		report_json_str(b, "json", json_path);
		report_json_str(b, "mbox", mbox_path);
		report_json_end_object(b);
		report_json_print(&b, stdout);
	} else if (ret == 0) {
		printf("customer %" G_GINT64_FORMAT ": %u tickets, %" G_GINT64_FORMAT
		       " messages\n%s\n%s\n",
		       r->c->id, n, r->n_messages, json_path, mbox_path);
	}
	g_free(text);
	g_free(json_path);
	g_free(mbox_path);
	g_string_free(mbox, TRUE);
	return ret;
}

static int customer_export(struct cli *cli, const char *email, const char *dir, gboolean json)
{
	struct customer_run r = {.json = json};
	int ret;

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
		return cli_fail(EX_USAGE, "customer: --out %s is not a directory", dir);
	if ((ret = customer_open(cli, email, STORE_READONLY, &r)) == 0)
		ret = customer_export_files(&r, dir);
	customer_close(&r);
	return ret;
}

/* ---- erase ---- */

static int customer_erase_tickets(struct customer_run *r, const char *actor, gint64 now,
				  char **error_r)
{
	guint n = r->requested->len + r->other->len;

	for (guint i = 0; i < n; i++) {
		gboolean req = i < r->requested->len;
		gint64 id = req ? g_array_index(r->requested, gint64, i)
				: g_array_index(r->other, gint64, i - r->requested->len);
		if (store_customer_erase_ticket(r->store, id, req, r->c->email, r->c->name,
						error_r) < 0 ||
		    store_event_add(r->store, id, now, "erased", actor,
				    req ? "the requester's data was erased"
					: "a participant's data was erased",
				    error_r) < 0)
			return -1;
		customer_progress("erase", i + 1, n);
	}
	return 0;
}

static int customer_erase_run(struct customer_run *r, const char *actor)
{
	gint64 now = clock_now();
	char *error = NULL, *detail;
	int ret;

	detail = g_strdup_printf("customer %" G_GINT64_FORMAT ": %u tickets anonymised, "
				 "removed from %u other tickets",
				 r->c->id, r->requested->len, r->other->len);
	ret = store_secure_delete(r->store, &error) < 0 || store_begin(r->store, &error) < 0 ? -1 : 0;
	if (ret == 0 && (customer_erase_tickets(r, actor, now, &error) < 0 ||
			 store_customer_erase_finish(r->store, r->c->id, r->c->email, actor,
						     detail, now, &error) < 0 ||
			 store_commit(r->store, &error) < 0)) {
		store_rollback(r->store);
		ret = -1;
	}
	if (ret < 0) {
		g_free(detail);
		return customer_store_fail(error);
	}
	if (r->vacuum && store_vacuum(r->store, &error) < 0) {
		g_free(detail);
		return customer_store_fail(error);
	}
	/* The old pages also sit in the WAL until it is copied back and emptied. A reader
	 * (a daemon) may hold it for now: the next checkpoint then does it. */
	if (store_checkpoint(r->store, TRUE, NULL, &error) < 0) {
		log_warn("customer erase: the WAL is emptied later (%s)", error);
		g_clear_pointer(&error, g_free);
	}
	log_info("customer erase by %s: %s", actor, detail);
	if (r->json) {
		struct report_json *b = report_json_new();
		report_json_begin_object(b, NULL);
		report_json_int(b, "customer", r->c->id);
		report_json_int(b, "tickets_anonymised", r->requested->len);
		report_json_int(b, "tickets_left", r->other->len);
		report_json_str(b, "actor", actor);
		report_json_time(b, "erased", now);
		report_json_end_object(b);
		report_json_print(&b, stdout);
	} else {
		printf("erased %s\n", detail);
	}
	g_free(detail);
	return 0;
}

static int customer_erase(struct cli *cli, const char *email, gboolean yes, const char *actor,
			  gboolean json, gboolean vacuum)
{
	struct customer_run r = {.json = json, .vacuum = vacuum};
	int ret;

	if (!yes)
		return cli_fail(EX_USAGE, "customer: erase cannot be undone: add --yes");
	if (actor == NULL)
		actor = g_get_user_name();
	if (*actor == '\0' || strpbrk(actor, "\r\n") != NULL)
		return cli_fail(EX_USAGE, "customer: --actor must be a name on one line");
	if ((ret = customer_open(cli, email, 0, &r)) == 0)
		ret = customer_erase_run(&r, actor);
	customer_close(&r);
	return ret;
}

int cli_customer(struct cli *cli, int argc, char **argv)
{
	gboolean json = FALSE, yes = FALSE, vacuum = FALSE;
	char *out = NULL, *actor = NULL;
	const GOptionEntry entries[] = {
		{"out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
		 "export: the directory to write into (default: the current one)", "DIR"},
		{"yes", 0, 0, G_OPTION_ARG_NONE, &yes, "erase: yes, erase (it cannot be undone)",
		 NULL},
		{"actor", 0, 0, G_OPTION_ARG_STRING, &actor,
		 "erase: who does it, for the audit record (default: the Unix user)", "WHO"},
		{"vacuum", 0, 0, G_OPTION_ARG_NONE, &vacuum,
		 "erase: then rebuild the database file, so no free page keeps old bytes", NULL},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL},
		G_OPTION_ENTRY_NULL,
	};
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "export|erase EMAIL",
			       "A customer's data: export it, or erase it.")) != 0)
		goto out;
	if (argc == 3 && strcmp(argv[1], "export") == 0 && !yes && actor == NULL && !vacuum)
		ret = customer_export(cli, argv[2], out != NULL ? out : ".", json);
	else if (argc == 3 && strcmp(argv[1], "erase") == 0 && out == NULL)
		ret = customer_erase(cli, argv[2], yes, actor, json, vacuum);
	else
		ret = cli_fail(EX_USAGE, "customer: usage: " CUSTOMER_USAGE);
out:
	g_free(out);
	g_free(actor);
	return ret;
}
