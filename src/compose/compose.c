/* compose: turn a ticket event into outbound mail. Each function renders a template,
 * builds the message (parse_build), and writes it as an outbox row -- in the caller's
 * transaction, so the mail exists exactly when the event that caused it does.
 * Mail a customer can reply to is also stored as an outbound message row, so that a reply
 * quoting its Message-ID threads back into the ticket.
 * Owns: the loaded templates (struct compose_ctx, immutable after compose_ctx_new). */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/token.h"

#include <string.h>

#include "compose-private.h"

static const char *const compose_names[COMPOSE_N] = {
	"ack", "agent_notice", "reply", "note", "bounce_notice", "command_error", "survey",
	"pending_reminder", "frt_reminder", "recipients_capped", "status_reply",
	"command_answer", /* keep the order of enum compose_tpl */
};

int compose_ctx_new(const struct conf *conf, const struct token_keys *keys,
		   struct compose_ctx **ctx_r, char **error_r)
{
	struct compose_ctx *ctx = g_new0(struct compose_ctx, 1);
	const char *defaults = compose_template_default_dir();
	int i;

	ctx->conf = conf;
	ctx->keys = keys;
	for (int l = 0; l < COMPOSE_LANGS; l++) {
		for (i = 0; i < COMPOSE_N; i++) {
			if (compose_template_load_lang(conf->template_dir, defaults, lang_code(l),
						       compose_names[i], &ctx->tpl[l][i],
						       error_r) < 0) {
				compose_ctx_free(&ctx);
				return -1;
			}
		}
	}
	if (compose_kb_load(ctx, error_r) < 0) {
		compose_ctx_free(&ctx);
		return -1;
	}
	*ctx_r = ctx;
	return 0;
}

void compose_ctx_free(struct compose_ctx **ctxp)
{
	struct compose_ctx *ctx = *ctxp;
	int i;

	if (ctx == NULL)
		return;
	for (int l = 0; l < COMPOSE_LANGS; l++)
		for (i = 0; i < COMPOSE_N; i++)
			compose_template_free(&ctx->tpl[l][i]);
	for (int l = 0; l < COMPOSE_LANGS; l++)
		compose_template_free(&ctx->kb_tpl[l]);
	g_free(ctx);
	*ctxp = NULL;
}

gboolean compose_msgid_ok(const char *id)
{
	const char *at = id != NULL ? strchr(id, '@') : NULL;

	return at != NULL && at != id && at[1] != '\0' && strpbrk(id, " \t\r\n<>") == NULL;
}

/* "pd.<time>.<random>@host": the time (microseconds, hex, fixed width) first, so our own
 * Message-IDs sort in the order they are made and each one lands at the end of the
 * messages' (message_id, rcpt) index instead of on a random page of it (one dirty page
 * fewer per stored outbound mail); 64 bits from the system's secure generator after it
 * keep them unguessable (a reference to one, with the right From, verifies a reply). */
char *compose_message_id(const struct compose_ctx *ctx)
{
	guint32 r[2];

	token_random(r, sizeof(r));
	return g_strdup_printf("pd.%016" G_GINT64_MODIFIER "x.%08x%08x@%s", g_get_real_time(),
			       r[0], r[1], ctx->conf->hostname);
}

char *compose_token(const struct compose_ctx *ctx, const struct conf_queue *q, gint64 ticket,
		    enum token_role role)
{
	struct token t = {.id = ticket, .role = role, .score = -1};
	char *addr = NULL;

	/* The queue's local part is short and checked at config load: cannot fail. */
	if (token_address(ctx->keys, q->local, ctx->conf->domain, &t, &addr, NULL) < 0)
		g_error("cannot make a reply address for %s", q->local);
	return addr;
}

void compose_vars_ticket(GHashTable *vars, const struct store_ticket *t,
			 const struct conf_queue *q)
{
	g_hash_table_insert(vars, g_strdup("ticket.id"), g_strdup_printf("%" G_GINT64_FORMAT, t->id));
	g_hash_table_insert(vars, g_strdup("ticket.subject"), g_strdup(t->subject));
	g_hash_table_insert(vars, g_strdup("ticket.status"), g_strdup(t->status));
	g_hash_table_insert(vars, g_strdup("ticket.priority"), g_strdup(t->priority));
	g_hash_table_insert(vars, g_strdup("ticket.queue"), g_strdup(t->queue));
	g_hash_table_insert(vars, g_strdup("customer.name"),
			    g_strdup(t->requester_name[0] != '\0' ? t->requester_name
								  : t->requester));
	g_hash_table_insert(vars, g_strdup("customer.email"), g_strdup(t->requester));
	g_hash_table_insert(vars, g_strdup("queue.name"), g_strdup(q->display));
	g_hash_table_insert(vars, g_strdup("queue.address"), g_strdup(q->address));
	g_hash_table_insert(vars, g_strdup("marker"), g_strdup(COMPOSE_MARKER));
}

GHashTable *compose_vars_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

void compose_var(GHashTable *vars, const char *name, const char *value)
{
	g_hash_table_insert(vars, g_strdup(name), g_strdup(value != NULL ? value : ""));
}

/* Render, build, queue; and for mail a customer can answer, store the outbound message. */
int compose_job_queue(struct compose_ctx *ctx, struct store *store, struct compose_job *job,
		  gint64 now, char **error_r)
{
	char *subject = NULL, *body = NULL, *raw = NULL;
	GBytes *zraw = NULL;
	const char *loop[] = {"X-Postdesk-Loop", "X-Postdesk-Ticket"};
	struct parse_out_header headers[3 + COMPOSE_MAX_EXTRA_HEADERS];
	guint n_ours = 2;
	char *ticket_str = g_strdup_printf("%" G_GINT64_FORMAT, job->ticket_id);
	gint64 outbox_id = 0, row = 0;
	gsize len = 0;
	int ret = -1;

	if (compose_template_render(job->own_tpl != NULL ? job->own_tpl
							 : ctx->tpl[job->lang][job->tpl],
				    job->vars, &subject, &body, error_r) < 0)
		goto out;
	headers[0] = (struct parse_out_header){loop[0], ctx->conf->domain};
	headers[1] = (struct parse_out_header){loop[1], ticket_str};
	/* Automatic mail asks Exchange not to answer it (out-of-office, delivery receipts):
	 * the header Outlook and Exchange honour besides RFC 3834's Auto-Submitted. */
	if (job->mail.auto_submitted != NULL)
		headers[n_ours++] = (struct parse_out_header){"X-Auto-Response-Suppress", "All"};
	job->mail.subject = subject;
	job->mail.body = body;
	job->mail.message_id = job->message_id;
	/* The job's own headers (job->mail.headers, e.g. List-Unsubscribe) follow ours. */
	for (guint i = 0; i < job->mail.n_headers && i < COMPOSE_MAX_EXTRA_HEADERS; i++)
		headers[n_ours + i] = job->mail.headers[i];
	job->mail.headers = headers;
	job->mail.n_headers = n_ours + MIN(job->mail.n_headers, COMPOSE_MAX_EXTRA_HEADERS);
	job->mail.date = now;
	if (job->rcpts->len == 0) {
		ret = util_error(error_r, "%s for ticket %" G_GINT64_FORMAT ": no recipient",
				 job->kind, job->ticket_id);
		goto out;
	}
	if (parse_build(&job->mail, &raw, &len, error_r) < 0)
		goto out;
	/* Stored as they are, not compressed: this runs in the caller's transaction, in lmtpd
	 * the single writer's thread, where a zlib stream per acknowledgement was a tenth of
	 * the writer's time (perf, 2 KB x 10 sessions) to save under a KB. The store's readers
	 * take unmarked bytes as they are (lib/zip.c); inbound mail is compressed in the
	 * session threads. */
	zraw = g_bytes_new(raw, len);
	/* Mail a customer can answer is a message of the ticket too: stored first, so that
	 * the outbox row can name it instead of holding a second copy of its bytes. */
	if (job->store_kind != NULL) {
		struct store_message m = {0};
		m.ticket_id = job->ticket_id;
		m.direction = (char *)"out";
		m.kind = (char *)job->store_kind;
		m.message_id = job->message_id;
		m.rcpt = g_ptr_array_index(job->rcpts, 0);
		m.env_sender = (char *)"";
		m.from_addr = (char *)job->mail.from_addr;
		m.from_name = (char *)(job->mail.from_name != NULL ? job->mail.from_name : "");
		m.subject = subject;
		m.date = now;
		m.body = (char *)(job->stored_body != NULL ? job->stored_body : body);
		m.flags = (char *)"";
		/* Automatic mail (acknowledgements, surveys, reminders) is a template's text:
		 * nothing the desk searches or lists. Its row keeps no copy of the text (an
		 * empty body); postdesk show reads it from the raw bytes (doc/schema.md). */
		if (job->stored_body == NULL && strcmp(job->store_kind, "agent") != 0)
			m.body = (char *)"";
		m.raw = zraw;
		m.attachments = job->stored_attachments;
		ret = store_message_insert(store, &m, now, &row, error_r);
		if (ret < 0)
			goto out;
	}
	g_ptr_array_add(job->rcpts, NULL); /* the outbox takes a NULL-terminated list */
	if (row != 0)
		ret = store_outbox_add_stored(store, job->ticket_id, job->kind,
					      (const char *const *)job->rcpts->pdata,
					      job->message_id, row, now, &outbox_id, error_r);
	else
		ret = store_outbox_add(store, job->ticket_id, job->kind,
				       (const char *const *)job->rcpts->pdata, job->message_id,
				       g_bytes_get_data(zraw, NULL), g_bytes_get_size(zraw), now,
				       &outbox_id, error_r);
	g_ptr_array_remove_index(job->rcpts, job->rcpts->len - 1);
	if (ret < 0)
		goto out;
	ret = 0;
out:
	g_free(ticket_str);
	g_free(subject);
	g_free(body);
	g_free(raw);
	if (zraw != NULL)
		g_bytes_unref(zraw);
	return ret;
}

/* One agent's reply address: bound to the agent (0 if addr is not a registered agent, as a
 * queue lead may not be: such a token is refused when used) and to the day of now; and
 * *command_r, the agent's command address (left NULL for an address that is no agent). */
static int compose_agent_token(struct compose_ctx *ctx, struct store *store,
			       const struct conf_queue *q, gint64 ticket, enum token_role role,
			       const char *addr, gint64 now, char **token_r, char **command_r,
			       char **error_r)
{
	struct token t = {.id = ticket, .role = role, .score = -1, .issued = TOKEN_DAY(now)};
	struct token c = {.role = TOKEN_COMMAND, .score = -1};
	struct store_agent *a = NULL;
	int ret = store_agent_get(store, addr, &a, error_r);

	if (ret < 0)
		return -1;
	if (ret == 1)
		t.agent = c.id = a->id;
	store_agent_free(&a);
	if (token_address(ctx->keys, q->local, ctx->conf->domain, &t, token_r, error_r) < 0)
		return util_error(error_r, "no reply address for %s", addr);
	/* The agent's command address (#search, #mine...: doc/agents.md), for the footer. */
	if (c.id != 0 &&
	    token_address(ctx->keys, q->local, ctx->conf->domain, &c, command_r, error_r) < 0) {
		g_clear_pointer(token_r, g_free);
		return util_error(error_r, "no command address for %s", addr);
	}
	return 0;
}

/* The previous mail of ticket to addr: *irt_r its Message-ID, *refs_r (NULL-terminated)
 * the first one of the ticket to addr and the last few (STORE_AGENT_THREAD_RECENT), in
 * the order they were sent, each once. Both NULL when nothing was sent to addr yet. */
static int compose_agent_thread(struct store *store, gint64 ticket, const char *addr,
				char **irt_r, char ***refs_r, char **error_r)
{
	char *first = NULL, **recent = NULL;
	GPtrArray *refs;
	int ret = store_agent_thread_get(store, ticket, addr, &first, &recent, error_r);

	*irt_r = NULL;
	*refs_r = NULL;
	if (ret <= 0)
		return ret;
	refs = g_ptr_array_new();
	if (compose_msgid_ok(first))
		g_ptr_array_add(refs, g_strdup(first));
	for (guint i = 0; recent[i] != NULL; i++) {
		if (!compose_msgid_ok(recent[i]) || g_strcmp0(recent[i], first) == 0)
			continue;
		g_ptr_array_add(refs, g_strdup(recent[i]));
	}
	if (refs->len > 0)
		*irt_r = g_strdup(g_ptr_array_index(refs, refs->len - 1));
	g_ptr_array_add(refs, NULL);
	*refs_r = (char **)g_ptr_array_free(refs, FALSE);
	g_free(first);
	g_strfreev(recent);
	return 0;
}

/* One agent's mail: threaded on the previous mail of the ticket to that address, queued,
 * then recorded as the newest of that thread (same transaction). */
static int compose_queue_agent_threaded(struct compose_ctx *ctx, struct store *store,
					struct compose_job *job, const char *addr, gint64 now,
					char **error_r)
{
	char *irt = NULL, **refs = NULL;
	int ret = compose_agent_thread(store, job->ticket_id, addr, &irt, &refs, error_r);

	if (ret == 0) {
		job->mail.in_reply_to = irt;
		job->mail.references = (const char *const *)refs;
		job->mail.n_references = refs != NULL ? g_strv_length(refs) : 0;
		ret = compose_job_queue(ctx, store, job, now, error_r);
	}
	if (ret == 0)
		ret = store_agent_thread_add(store, job->ticket_id, addr, job->message_id,
					     error_r);
	g_free(irt);
	g_strfreev(refs);
	return ret;
}

int compose_job_queue_agents(struct compose_ctx *ctx, struct store *store,
			     struct compose_job *job, const struct conf_queue *q,
			     enum token_role role, gint64 now, char **error_r)
{
	GPtrArray *all = job->rcpts;
	const struct parse_out mail = job->mail; /* compose_job_queue changes the headers */
	int ret = 0;

	for (guint i = 0; ret == 0 && i < all->len; i++) {
		const char *addr = g_ptr_array_index(all, i);
		struct parse_out_addr to = {NULL, addr}, reply = {q->display, NULL};
		char *token = NULL, *command = NULL;

		if (compose_agent_token(ctx, store, q, job->ticket_id, role, addr, now, &token,
					&command, error_r) < 0)
			return -1;
		compose_var(job->vars, "agent.command_address", command);
		g_free(command);
		reply.addr = token;
		job->mail = mail;
		job->mail.to = &to;
		job->mail.n_to = 1;
		job->mail.reply_to = &reply;
		if (i > 0) { /* each mail its own Message-ID */
			g_free(job->message_id);
			job->message_id = compose_message_id(ctx);
		}
		job->rcpts = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(job->rcpts, g_strdup(addr));
		ret = compose_queue_agent_threaded(ctx, store, job, addr, now, error_r);
		g_ptr_array_unref(job->rcpts);
		job->rcpts = all;
		g_free(token);
	}
	job->mail = mail;
	return ret;
}

void compose_job_init(struct compose_job *job, enum compose_tpl tpl, const char *kind,
		      gint64 ticket_id, const struct compose_ctx *ctx)
{
	memset(job, 0, sizeof(*job));
	job->tpl = tpl;
	job->kind = kind;
	job->ticket_id = ticket_id;
	job->vars = compose_vars_new();
	job->rcpts = g_ptr_array_new_with_free_func(g_free);
	job->message_id = compose_message_id(ctx);
}

void compose_job_clear(struct compose_job *job)
{
	g_hash_table_unref(job->vars);
	g_ptr_array_unref(job->rcpts);
	g_free(job->message_id);
}

/* The ticket and its queue (the first queue if the ticket's was removed from the config). */
int compose_ticket(struct compose_ctx *ctx, struct store *store, gint64 id,
			 struct store_ticket **t_r, const struct conf_queue **q_r, char **error_r)
{
	int ret = store_ticket_get(store, id, t_r, error_r);

	if (ret <= 0)
		return ret < 0 ? -1 : util_error(error_r, "no ticket %" G_GINT64_FORMAT, id);
	*q_r = conf_queue_by_name(ctx->conf, (*t_r)->queue);
	if (*q_r == NULL)
		*q_r = g_ptr_array_index(ctx->conf->queues, 0);
	return 0;
}

/* The assignee, else every agent of the queue; without `except` (the author). */
int compose_agent_rcpts(struct store *store, const struct store_ticket *t,
			      const char *except, GPtrArray *rcpts, char **error_r)
{
	GPtrArray *agents = NULL;
	guint i;

	if (t->assignee != NULL && g_strcmp0(t->assignee, except) != 0) {
		g_ptr_array_add(rcpts, g_strdup(t->assignee));
		return 0;
	}
	if (store_agent_list(store, t->queue, &agents, error_r) < 0)
		return -1;
	for (i = 0; i < agents->len; i++) {
		const struct store_agent *a = g_ptr_array_index(agents, i);
		if (g_strcmp0(a->email, except) != 0)
			g_ptr_array_add(rcpts, g_strdup(a->email));
	}
	g_ptr_array_unref(agents);
	return 0;
}

/* Borrowed views of a parsed message's attachments (parsed with data). */
struct parse_out_attachment *compose_attachments(const struct parse_msg *msg, guint *n_r)
{
	struct parse_out_attachment *att;
	guint i, n = 0;

	*n_r = 0;
	if (msg == NULL || msg->attachments->len == 0)
		return NULL;
	att = g_new0(struct parse_out_attachment, msg->attachments->len);
	for (i = 0; i < msg->attachments->len; i++) {
		const struct parse_attachment *a = g_ptr_array_index(msg->attachments, i);
		if (a->data == NULL)
			continue;
		att[n].filename = a->filename[0] != '\0' ? a->filename : "attachment";
		att[n].content_type = a->content_type;
		att[n].data = a->data;
		n++;
	}
	*n_r = n;
	return att;
}
