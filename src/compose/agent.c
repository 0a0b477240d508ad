/* agent: mail caused by agents -- the answer to the customer, internal notes, the
 * "command not understood" reply -- and the bounce notice to agents. */
#include "config.h"
#include "postdesk/compose.h"

#include <string.h>

#include "compose-private.h"

#define AGENT_MAX_REFERENCES 20


/* Threading into the customer's conversation: In-Reply-To the newest customer message,
 * References the customer-facing messages (theirs and ours), newest AGENT_MAX_REFERENCES. */
static int agent_threading(struct store *store, gint64 ticket, GPtrArray *refs,
			   char **in_reply_to_r, char **error_r)
{
	GPtrArray *msgs = NULL;
	guint i;

	if (store_message_list(store, ticket, FALSE, &msgs, error_r) < 0)
		return -1;
	for (i = 0; i < msgs->len; i++) {
		const struct store_message *m = g_ptr_array_index(msgs, i);
		gboolean in = strcmp(m->direction, "in") == 0;
		if ((in && strcmp(m->kind, "customer") != 0) || !compose_msgid_ok(m->message_id))
			continue; /* agents' mail to us is not in the customer's thread */
		if (in && util_flags_have(m->flags, "unverified"))
			continue; /* nor is what anyone may have written (doc/security.md) */
		if (in) {
			g_free(*in_reply_to_r);
			*in_reply_to_r = g_strdup(m->message_id);
		}
		g_ptr_array_add(refs, g_strdup(m->message_id));
	}
	if (refs->len > AGENT_MAX_REFERENCES)
		g_ptr_array_remove_range(refs, 0, refs->len - AGENT_MAX_REFERENCES);
	g_ptr_array_unref(msgs);
	return 0;
}

/* To: the requester; Cc: the other participants, at most max addresses in all (the
 * requester first: participant_list sorts it there). Addresses stay owned by list; the
 * ones left out are appended to capped. */
static void agent_customer_rcpts(const GPtrArray *parts, gint64 max, GArray *to, GArray *cc,
				 GPtrArray *rcpts, GPtrArray *capped)
{
	guint i;

	for (i = 0; i < parts->len; i++) {
		const struct store_participant *p = g_ptr_array_index(parts, i);
		struct parse_out_addr a = {p->name, p->address};
		if (strcmp(p->role, "agent") == 0)
			continue;
		if (!parse_addr_usable(p->address)) {
			log_warn("not copying %s on an agent reply: not an address we can send to",
				 p->address);
			continue;
		}
		if ((gint64)rcpts->len >= max) {
			g_ptr_array_add(capped, (gpointer)p->address);
			continue;
		}
		g_array_append_val(strcmp(p->role, "requester") == 0 ? to : cc, a);
		g_ptr_array_add(rcpts, g_strdup(p->address));
	}
}

static int agent_internal(struct compose_ctx *ctx, struct store *store, struct compose_job *job,
			  const struct store_ticket *t, const struct conf_queue *q,
			  enum token_role role, const char *from_name, gint64 now, char **error_r);

/* An answer that did not go to every participant (max_recipients): a recipients_capped
 * event on the ticket and a short notice to the agent who answered. */
static int agent_capped(struct compose_ctx *ctx, struct store *store,
			const struct store_ticket *t, const struct conf_queue *q,
			const struct store_agent *agent, const GPtrArray *capped, gint64 now,
			char **error_r)
{
	GString *who = g_string_new("");
	struct compose_job job;
	char *reason;
	int ret;

	for (guint i = 0; i < capped->len && i < 5; i++)
		g_string_append_printf(who, "%s%s", i > 0 ? ", " : "",
				       (const char *)g_ptr_array_index(capped, i));
	if (capped->len > 5)
		g_string_append(who, ", ...");
	reason = g_strdup_printf("%u address%s left out (max_recipients %" G_GINT64_FORMAT "): %s",
				 capped->len, capped->len == 1 ? "" : "es",
				 ctx->conf->max_recipients, who->str);
	g_string_free(who, TRUE);
	log_warn("ticket %" G_GINT64_FORMAT ": answer not copied to everyone: %s", t->id, reason);
	ret = store_event_add(store, t->id, now, "recipients_capped", agent->email, reason, error_r);
	if (ret == 0) {
		compose_job_init(&job, COMPOSE_RECIPIENTS_CAPPED, "capped_notice", t->id, ctx);
		compose_vars_ticket(job.vars, t, q);
		compose_job_lang(&job, NULL, q);
		compose_var(job.vars, "agent.name", agent->name);
		compose_var(job.vars, "reason", reason);
		g_ptr_array_add(job.rcpts, g_strdup(agent->email));
		ret = agent_internal(ctx, store, &job, t, q, TOKEN_AGENT, q->display, now, error_r);
		compose_job_clear(&job);
	}
	g_free(reason);
	return ret;
}


int compose_queue_reply(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
		       const struct store_agent *agent, const char *text,
		       const struct parse_msg *msg, gint64 now, char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	GPtrArray *parts = NULL, *refs = g_ptr_array_new_with_free_func(g_free);
	GArray *to = g_array_new(FALSE, TRUE, sizeof(struct parse_out_addr));
	GArray *cc = g_array_new(FALSE, TRUE, sizeof(struct parse_out_addr));
	GPtrArray *capped = g_ptr_array_new(); /* borrowed from parts */
	struct parse_out_attachment *att = NULL;
	struct compose_job job;
	char *in_reply_to = NULL, *reply_to = NULL, *from_name = NULL;
	guint n_att = 0;
	int ret = -1;

	compose_job_init(&job, COMPOSE_REPLY, "reply", ticket_id, ctx);
	if (compose_ticket(ctx, store, ticket_id, &t, &q, error_r) < 0 ||
	    store_participant_list(store, ticket_id, &parts, error_r) < 0 ||
	    agent_threading(store, ticket_id, refs, &in_reply_to, error_r) < 0)
		goto out;
	agent_customer_rcpts(parts, ctx->conf->max_recipients, to, cc, job.rcpts, capped);
	compose_vars_ticket(job.vars, t, q);
	compose_job_lang(&job, t, q);
	compose_var(job.vars, "agent.name", agent->name);
	compose_var(job.vars, "agent.email", agent->email);
	compose_var(job.vars, "message.body", text);
	reply_to = compose_token(ctx, q, ticket_id, TOKEN_CUSTOMER);
	struct parse_out_addr reply = {q->display, reply_to};
	from_name = g_strdup_printf("%s (%s)", agent->name, q->display);
	att = compose_attachments(msg, &n_att);
	job.mail.from_name = from_name;
	job.mail.from_addr = q->address;
	job.mail.to = (struct parse_out_addr *)to->data;
	job.mail.n_to = to->len;
	job.mail.cc = (struct parse_out_addr *)cc->data;
	job.mail.n_cc = cc->len;
	job.mail.reply_to = &reply;
	job.mail.in_reply_to = in_reply_to;
	job.mail.references = (const char *const *)refs->pdata;
	job.mail.n_references = refs->len;
	job.mail.attachments = att;
	job.mail.n_attachments = n_att;
	job.store_kind = "agent";
	ret = compose_job_queue(ctx, store, &job, now, error_r);
	if (ret == 0)
		ret = store_event_add(store, ticket_id, now, "reply", agent->email,
				      "answer sent to the customer", error_r);
	if (ret == 0 && capped->len > 0)
		ret = agent_capped(ctx, store, t, q, agent, capped, now, error_r);
out:
	g_ptr_array_unref(capped);
	compose_job_clear(&job);
	if (parts != NULL)
		g_ptr_array_unref(parts);
	g_ptr_array_unref(refs);
	g_array_free(to, TRUE);
	g_array_free(cc, TRUE);
	g_free(att);
	g_free(in_reply_to);
	g_free(reply_to);
	g_free(from_name);
	store_ticket_free(&t);
	return ret;
}

/* Mail to agents about a ticket: note, command error, bounce notice. rcpts filled by the
 * caller; one mail per agent, Reply-To the role's token bound to that agent (a reply to a
 * note is a note). */
static int agent_internal(struct compose_ctx *ctx, struct store *store, struct compose_job *job,
			  const struct store_ticket *t, const struct conf_queue *q,
			  enum token_role role, const char *from_name, gint64 now, char **error_r)
{
	job->mail.from_name = from_name;
	job->mail.from_addr = q->address;
	job->mail.auto_submitted = "auto-generated";
	return compose_job_queue_agents(ctx, store, job, q, role, now, error_r);
}


int compose_queue_note(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
		      const struct store_agent *agent, const char *text, gint64 now,
		      char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	struct compose_job job;
	char *from = NULL;
	int ret = -1;

	compose_job_init(&job, COMPOSE_NOTE, "note", ticket_id, ctx);
	if (compose_ticket(ctx, store, ticket_id, &t, &q, error_r) < 0 ||
	    compose_agent_rcpts(store, t, agent->email, job.rcpts, error_r) < 0)
		goto out;
	compose_vars_ticket(job.vars, t, q);
	compose_job_lang(&job, NULL, q);
	compose_var(job.vars, "agent.name", agent->name);
	compose_var(job.vars, "agent.email", agent->email);
	compose_var(job.vars, "note.body", text);
	from = g_strdup_printf("%s (note)", agent->name);
	ret = agent_internal(ctx, store, &job, t, q, TOKEN_NOTE, from, now, error_r);
out:
	g_free(from);
	compose_job_clear(&job);
	store_ticket_free(&t);
	return ret;
}

int compose_queue_command_error(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			       const struct store_agent *agent, const GPtrArray *errors,
			       gint64 now, char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	struct compose_job job;
	GString *lines = g_string_new("");
	guint i;
	int ret = -1;

	compose_job_init(&job, COMPOSE_COMMAND_ERROR, "command_error", ticket_id, ctx);
	if (compose_ticket(ctx, store, ticket_id, &t, &q, error_r) < 0)
		goto out;
	for (i = 0; i < errors->len; i++)
		g_string_append_printf(lines, "  %s\n", (const char *)g_ptr_array_index(errors, i));
	compose_vars_ticket(job.vars, t, q);
	compose_job_lang(&job, NULL, q);
	compose_var(job.vars, "agent.name", agent->name);
	compose_var(job.vars, "agent.email", agent->email);
	compose_var(job.vars, "commands", lines->str);
	g_ptr_array_add(job.rcpts, g_strdup(agent->email));
	ret = agent_internal(ctx, store, &job, t, q, TOKEN_AGENT, q->display, now, error_r);
out:
	g_string_free(lines, TRUE);
	compose_job_clear(&job);
	store_ticket_free(&t);
	return ret;
}

int compose_queue_bounce_notice(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			       const char *recipient, const char *reason, gint64 now,
			       char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	struct compose_job job;
	int ret = -1;

	compose_job_init(&job, COMPOSE_BOUNCE_NOTICE, "bounce_notice", ticket_id, ctx);
	if (compose_ticket(ctx, store, ticket_id, &t, &q, error_r) < 0 ||
	    compose_agent_rcpts(store, t, NULL, job.rcpts, error_r) < 0)
		goto out;
	compose_vars_ticket(job.vars, t, q);
	compose_job_lang(&job, NULL, q);
	compose_var(job.vars, "recipient", recipient);
	compose_var(job.vars, "reason", reason);
	ret = agent_internal(ctx, store, &job, t, q, TOKEN_NOTE, q->display, now, error_r);
out:
	compose_job_clear(&job);
	store_ticket_free(&t);
	return ret;
}
