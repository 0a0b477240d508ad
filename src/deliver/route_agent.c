/* route_agent: mail to an agent or note token (an agent answering from their own mail
 * client). The token's MAC and age were checked at RCPT; here the From must also be the
 * registered agent the token was issued to, or the message is refused and nothing reaches
 * the customer. */
#include "config.h"
#include "postdesk/deliver.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "postdesk/survey.h"
#include "postdesk/thread.h"
#include "deliver-private.h"

#include <string.h>

/* After #split: the new ticket's timed work, and its requester's acknowledgement when the
 * agent asked for it ("notify"). */
static int agent_moved(struct store *store, const struct deliver_env *env,
		       const struct thread_agent_mail *am, gint64 now, char **error_r)
{
	if (am->split_new == 0)
		return 0;
	if (survey_sync(store, env->conf, am->split_new, now, error_r) < 0)
		return -1;
	return am->split_notify && env->compose != NULL
		       ? compose_queue_split_ack(env->compose, store, am->split_new, now, error_r)
		       : 0;
}

/* Each "#macro NAME" of the mail replaced by the macro's text for this ticket and agent; an
 * unknown or broken macro is an error of the mail (held, the agent told), like a mistyped
 * command. -1 only on store trouble. */
static int agent_macros(struct thread_agent_mail *am, struct store *store,
			const struct deliver_env *env, gint64 ticket,
			const struct store_agent *agent, char **error_r)
{
	for (guint i = 0; i < am->macros->len; i++) {
		const char *name = g_ptr_array_index(am->macros, i);
		char *text = NULL, *why = NULL;
		int ret = compose_macro_render(env->conf, store, ticket, agent->name, agent->email,
					       name, &text, &why);

		if (ret < 0 && store_last_error(store) != STORE_ERR_NONE) {
			*error_r = why;
			return -1;
		}
		if (ret == 1)
			thread_agent_expand(am, name, text);
		else
			g_ptr_array_add(am->errors,
					ret == 0 ? g_strdup_printf("#macro %s: no such macro (postdesk "
								   "macro list)", name)
						 : g_strdup_printf("#macro %s: %s", name, why));
		g_free(text);
		g_free(why);
	}
	return 0;
}

/* Record the agent's mail and send what it asks for. */
static int agent_act(struct deliver_msg *d, const struct thread_input *in,
		     const struct store_agent *agent, struct store *store,
		     const struct deliver_env *env, gint64 now, char **error_r)
{
	gint64 ticket = in->token->id, row;
	char *text = parse_reply_text(d->msg->body, d->msg->body_html, COMPOSE_MARKER);
	struct thread_agent_mail *am = NULL;
	struct parse_msg *full = NULL;
	gboolean note;
	int ret = -1;

	thread_agent_parse(text, &am);
	if (agent_macros(am, store, env, ticket, agent, error_r) < 0)
		goto out;
	note = am->note || in->token->role == TOKEN_NOTE;
	if (thread_agent_run(store, env->conf, ticket, agent->email, am, now, error_r) < 0 ||
	    store_participant_add(store, ticket, agent->email, agent->name, "agent", error_r) < 0)
		goto out;
	if (am->errors->len > 0) {
		/* A mistyped command: nothing reaches the customer, nothing is applied. */
		if (thread_record(store, in, ticket, "note", am->text, "held", now, &row,
				  error_r) < 0 ||
		    (env->compose != NULL &&
		     compose_failed_event(store,
				    compose_queue_command_error(env->compose, store, ticket, agent,
							       am->errors, now, error_r),
				    "command error notice", ticket, now, error_r) < 0))
			goto out;
	} else if (thread_record(store, in, ticket, note ? "note" : "agent", am->text, NULL, now,
				 &row, error_r) < 0 ||
		   agent_moved(store, env, am, now, error_r) < 0) {
		goto out;
	} else if (env->compose != NULL && am->text[0] != '\0') {
		if (d->msg->attachments->len > 0)
			(void)deliver_parse_full(d, &full);
		if (compose_failed_event(store,
				   note ? compose_queue_note(env->compose, store, ticket, agent,
							    am->text, now, error_r)
					: compose_queue_reply(env->compose, store, ticket, agent,
							     am->text, full != NULL ? full : d->msg,
							     now, error_r),
				   note ? "note" : "reply", ticket, now, error_r) < 0)
			goto out;
		/* Answered: the ticket waits for the customer (status_after_reply). */
		if (!note && thread_agent_after_reply(store, ticket, agent->email, am,
						      env->conf->status_after_reply, now,
						      error_r) < 0)
			goto out;
	}
	ret = 0;
out:
	parse_msg_free(&full);
	thread_agent_mail_free(&am);
	g_free(text);
	return ret;
}

int deliver_route_agent(struct deliver_msg *d, guint i, struct store *store, const struct deliver_env *env,
		gint64 now, char **error_r)
{
	const struct deliver_rcpt *r = &g_array_index(d->rcpts, struct deliver_rcpt, i);
	struct store_agent *agent = NULL;
	struct store_ticket *t = NULL;
	struct thread_input in;
	struct token tok = r->token;
	const char *automatic;
	gint64 row, ticket;
	int ret;

	deliver_route_input(d, r, &in);
	if ((ret = store_ticket_get(store, r->token.id, &t, error_r)) <= 0) {
		if (ret < 0)
			return -1;
		verdict_set(&d->verdicts[i], VERDICT_PERMFAIL, 550, "5.1.1",
			    "<%s>: no such ticket", r->addr);
		return 1;
	}
	/* A merged ticket's agent address acts on the ticket it was folded into (same queue:
	 * merges stay inside one). */
	if (thread_follow_merged(store, &tok.id, error_r) < 0) {
		store_ticket_free(&t);
		return -1;
	}
	in.token = &tok;
	ret = store_agent_get(store, d->msg->from.addr, &agent, error_r);
	/* An agent kept to one queue acts only on that queue's tickets, even with another
	 * queue's token in hand (a forwarded notice). */
	if (ret == 1 && agent->queue != NULL && g_strcmp0(agent->queue, t->queue) != 0) {
		store_agent_free(&agent);
		ret = 0;
	}
	store_ticket_free(&t);
	if (ret <= 0) {
		if (ret < 0)
			return -1;
		verdict_set(&d->verdicts[i], VERDICT_PERMFAIL, 550, "5.7.1",
			    "<%s>: %s is not a registered agent of this ticket's queue", r->addr,
			    d->msg->from.addr);
		log_warn("refused agent mail for ticket %" G_GINT64_FORMAT " from <%s>",
			 r->token.id, d->msg->from.addr);
		return 1;
	}
	/* The token was issued to one agent: another agent's From (or a removed agent's token
	 * with anyone's) is refused, so a leaked notice is not agent power. */
	if (!deliver_rcpt_agent_check(r, d->msg->from.addr, agent, &d->verdicts[i])) {
		log_warn("refused agent mail for ticket %" G_GINT64_FORMAT " from <%s>: token of "
			 "agent %" G_GINT64_FORMAT, r->token.id, d->msg->from.addr, r->token.agent);
		store_agent_free(&agent);
		return 1;
	}
	ticket = tok.id;
	ret = store_message_find(store, d->msg->message_id, r->addr, &row, &ticket, error_r);
	automatic = parse_msg_automatic(d->msg);
	if (ret == 0 && automatic != NULL) /* an agent's out-of-office: keep it, send nothing */
		ret = thread_record(store, &in, tok.id, "note", NULL, "automatic,held", now,
				    &row, error_r);
	else if (ret == 0)
		ret = agent_act(d, &in, agent, store, env, now, error_r);
	/* Commands may have changed the status, a reply stops the first-response timers:
	 * timed work follows the ticket (survey/). */
	if (ret == 0)
		ret = survey_sync(store, env->conf, tok.id, now, error_r);
	store_agent_free(&agent);
	if (ret < 0)
		return -1;
	d->ticket_ids[i] = tok.id;
	verdict_set(&d->verdicts[i], VERDICT_OK, 250, "2.0.0",
		    "<%s> agent mail recorded on ticket %" G_GINT64_FORMAT, r->addr, tok.id);
	return 0;
}
