/* route_agent: mail to an agent or note token (an agent answering from their own mail
 * client) and to a bounce address (a delivery report about mail we sent). The token's MAC
 * was verified at RCPT; here the From must also be a registered agent, or the message is
 * refused and nothing reaches the customer. */
#include "config.h"
#include "postdesk/ingest.h"
#include "postdesk/notify.h"
#include "postdesk/parse.h"
#include "postdesk/survey.h"
#include "postdesk/thread.h"
#include "route-private.h"

#include <string.h>

/* Record the agent's mail and send what it asks for. */
static int agent_act(struct delivery *d, const struct thread_input *in,
		     const struct store_agent *agent, struct store *store,
		     const struct delivery_env *env, gint64 now, char **error_r)
{
	gint64 ticket = in->token->id, row;
	char *text = parse_reply_text(d->msg->body, d->msg->body_html, NOTIFY_MARKER);
	struct thread_agent_mail *am = NULL;
	struct parse_msg *full = NULL;
	gboolean note;
	int ret = -1;

	thread_agent_parse(text, &am);
	note = am->note || in->token->role == TOKEN_NOTE;
	if (thread_agent_apply(store, ticket, agent->email, am, now, error_r) < 0 ||
	    store_participant_add(store, ticket, agent->email, agent->name, "agent", error_r) < 0)
		goto out;
	if (am->errors->len > 0) {
		/* A mistyped command: nothing reaches the customer, nothing is applied. */
		if (thread_record(store, in, ticket, "note", am->text, "held", now, &row,
				  error_r) < 0 ||
		    (env->notify != NULL &&
		     route_notified(store,
				    notify_queue_command_error(env->notify, store, ticket, agent,
							       am->errors, now, error_r),
				    "command error notice", ticket, now, error_r) < 0))
			goto out;
	} else if (thread_record(store, in, ticket, note ? "note" : "agent", am->text, NULL, now,
				 &row, error_r) < 0) {
		goto out;
	} else if (env->notify != NULL && am->text[0] != '\0') {
		if (d->msg->attachments->len > 0)
			parse_message_with_data(d->raw, d->raw_len, &full, NULL);
		if (route_notified(store,
				   note ? notify_queue_note(env->notify, store, ticket, agent,
							    am->text, now, error_r)
					: notify_queue_reply(env->notify, store, ticket, agent,
							     am->text, full != NULL ? full : d->msg,
							     now, error_r),
				   note ? "note" : "reply", ticket, now, error_r) < 0)
			goto out;
	}
	ret = 0;
out:
	parse_msg_free(&full);
	thread_agent_mail_free(&am);
	g_free(text);
	return ret;
}

int route_agent(struct delivery *d, guint i, struct store *store, const struct delivery_env *env,
		gint64 now, char **error_r)
{
	const struct rcpt *r = &g_array_index(d->rcpts, struct rcpt, i);
	struct store_agent *agent = NULL;
	struct store_ticket *t = NULL;
	struct thread_input in;
	const char *automatic;
	gint64 row, ticket;
	int ret;

	route_input(d, r, &in);
	if ((ret = store_ticket_get(store, r->token.id, &t, error_r)) <= 0) {
		if (ret < 0)
			return -1;
		verdict_set(&d->verdicts[i], VERDICT_PERMFAIL, 550, "5.1.1",
			    "<%s>: no such ticket", r->addr);
		return 1;
	}
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
	ticket = r->token.id;
	ret = store_message_find(store, d->msg->message_id, r->addr, &row, &ticket, error_r);
	automatic = thread_message_automatic(d->msg);
	if (ret == 0 && automatic != NULL) /* an agent's out-of-office: keep it, send nothing */
		ret = thread_record(store, &in, r->token.id, "note", NULL, "automatic,held", now,
				    &row, error_r);
	else if (ret == 0)
		ret = agent_act(d, &in, agent, store, env, now, error_r);
	/* Commands may have changed the status, a reply stops the first-response timers:
	 * timed work follows the ticket (survey/). */
	if (ret == 0)
		ret = survey_sync(store, env->conf, r->token.id, now, error_r);
	store_agent_free(&agent);
	if (ret < 0)
		return -1;
	d->ticket_ids[i] = r->token.id;
	verdict_set(&d->verdicts[i], VERDICT_OK, 250, "2.0.0",
		    "<%s> agent mail recorded on ticket %" G_GINT64_FORMAT, r->addr, r->token.id);
	return 0;
}

/* The address a delivery report is about, only if it is one we sent that mail to: the
 * bounce address is in the Return-Path of all our mail, so anyone who got one can send a
 * "report" naming any address; such a report flags nobody. */
static const char *bounce_address(const struct parse_msg *msg, const struct store_outbox *o)
{
	guint i;

	if (o == NULL || o->rcpts == NULL)
		return NULL;
	if (msg->dsn_recipient == NULL)
		return o->rcpts[0];
	for (i = 0; o->rcpts[i] != NULL; i++)
		if (g_ascii_strcasecmp(o->rcpts[i], msg->dsn_recipient) == 0)
			return o->rcpts[i];
	return NULL;
}

/* A report about mail we sent: recorded on its ticket, the address flagged when the
 * delivery failed for good, agents told. Never a new ticket. */
int route_bounce(struct delivery *d, guint i, struct store *store,
		 const struct delivery_env *env, gint64 now, char **error_r)
{
	const struct rcpt *r = &g_array_index(d->rcpts, struct rcpt, i);
	const struct parse_msg *msg = d->msg;
	struct store_outbox *o = NULL;
	struct thread_input in;
	gint64 ticket = 0, row;
	gboolean failed = msg->is_dsn && (g_strcmp0(msg->dsn_action, "failed") == 0 ||
					  (msg->dsn_status != NULL && msg->dsn_status[0] == '5'));
	const char *addr;
	char *reason = NULL;
	int ret;

	route_input(d, r, &in);
	in.token = NULL;
	if ((ret = store_outbox_get(store, r->token.id, &o, error_r)) < 0)
		return -1;
	if (ret == 1)
		ticket = o->ticket_id;
	addr = bounce_address(msg, o);
	ret = thread_record(store, &in, ticket, "bounce", NULL, failed ? "bounce" : "report", now,
			    &row, error_r);
	if (ret == 0 && failed && addr != NULL) {
		reason = g_strdup_printf("%s %s", msg->dsn_status != NULL ? msg->dsn_status : "",
					 msg->dsn_diagnostic != NULL ? msg->dsn_diagnostic : "");
		ret = store_customer_set_bounced(store, addr, TRUE, error_r);
		if (ret == 0 && ticket != 0)
			ret = store_event_add(store, ticket, now, "bounce", addr, reason, error_r);
		if (ret == 0 && ticket != 0 && env->notify != NULL)
			ret = route_notified(store,
					     notify_queue_bounce_notice(env->notify, store, ticket,
									addr, g_strstrip(reason),
									now, error_r),
					     "bounce notice", ticket, now, error_r);
	}
	g_free(reason);
	store_outbox_free(&o);
	if (ret < 0)
		return -1;
	d->ticket_ids[i] = ticket;
	verdict_set(&d->verdicts[i], VERDICT_OK, 250, "2.0.0", "<%s> delivery report recorded",
		    r->addr);
	return 0;
}
