/* route: what an accepted message does, by the kind of address it was sent to.
 *   queue address or customer token -> thread into a ticket, acknowledge a new ticket,
 *                                      tell the agents
 *   agent / note token              -> an agent's answer, note or commands
 *   bounce address                  -> a delivery report about mail we sent
 * Runs in the store's thread inside the caller's savepoint; every outbound mail it causes
 * is an outbox row in the same transaction. Returns -1 on store trouble (4xx), 0 done,
 * 1 refused permanently (the caller rolls the savepoint back); the verdict says which. */
#include "config.h"
#include "postdesk/deliver.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "postdesk/survey.h"
#include "postdesk/thread.h"
#include "deliver-private.h"

#include <string.h>

void deliver_route_input(const struct deliver_msg *d, const struct deliver_rcpt *r, struct thread_input *in)
{
	memset(in, 0, sizeof(*in));
	in->msg = d->msg;
	/* What the store keeps: the compressed bytes (stored.c); the bytes as they came if
	 * none were made (a caller that skipped deliver_parse: the store reads both). */
	if (d->stored != NULL || d->stored_fd >= 0) {
		in->raw = d->stored != NULL ? g_bytes_get_data(d->stored, NULL) : NULL;
		in->raw_len = d->stored_len;
		in->raw_fd = d->stored_fd;
	} else {
		in->raw = d->raw;
		in->raw_len = d->raw_len;
		in->raw_fd = d->raw_fd;
	}
	in->stored_text = d->stored_text;
	in->rcpt = r->addr;
	in->env_sender = d->sender;
	in->queue = r->queue;
	in->token = r->has_token ? &r->token : NULL;
}

int deliver_parse_full(const struct deliver_msg *d, struct parse_msg **full_r)
{
	*full_r = NULL;
	if (d->raw_fd >= 0)
		return parse_message_fd(d->raw_fd, d->raw_len, TRUE, full_r, NULL);
	return parse_message_with_data(d->raw, d->raw_len, full_r, NULL);
}

/* What the agents must read before they believe the message (doc/security.md): nothing
 * backs its sender, or To/Cc addresses were left out. NULL if nothing; g_malloc'ed. */
static char *deliver_route_warning(const struct deliver_msg *d, const struct thread_result *res,
				   const char *withheld)
{
	GString *w = g_string_new("");

	if (res->trust == THREAD_TRUST_UNVERIFIED)
		g_string_append_printf(
		    w,
		    "UNVERIFIED SENDER: this message matched the ticket by %s "
		    "only; nothing proves it was written by <%s>.\n"
		    "It changed nothing on the ticket and was copied to no one.\n",
		    res->trust_why, d->msg->from.addr);
	if (res->participants_capped > 0)
		g_string_append_printf(w,
				       "%" G_GINT64_FORMAT " To/Cc addresses were not added to the "
				       "ticket (max_participants) and get no copies.\n",
				       res->participants_capped);
	if (withheld != NULL)
		g_string_append(w, withheld);
	if (w->len == 0) {
		g_string_free(w, TRUE);
		return NULL;
	}
	g_string_append_c(w, '\n');
	return g_string_free(w, FALSE);
}

/* After a customer message is stored: acknowledge a new ticket (if the loop rules allow)
 * and tell the agents. Automatic mail into a ticket tells no one (doc/security.md): it is
 * in the ticket's history, and loops or floods of it cannot become floods of notices. */
static int deliver_route_customer_mail(const struct deliver_msg *d, const struct deliver_env *env,
			       struct store *store, const struct thread_result *res, gint64 now,
			       char **error_r)
{
	char *warning, *withheld;
	gboolean queued, hold = FALSE;
	int ret;

	if (res->new_ticket && d->acks_held) {
		/* lmtpd: the language detector and the acknowledgement (KB search, template,
		 * MIME) were more than half of its CPU per new ticket; notifyd does both from
		 * the stored message once this commit is through (survey/acks.c), under the
		 * same rules (compose_ack_new_ticket). */
		if (store_ack_hold(store, res->message_row, res->ticket_id, now, error_r) < 0)
			return -1;
	} else if (res->new_ticket &&
		   compose_ack_new_ticket(env->compose, store, res->ticket_id, d->msg, d->sender,
					  now, error_r) < 0)
		return -1;
	/* Our own mail coming back is not news for the agents. */
	if (d->msg->x_postdesk_loop != NULL || res->automatic != NULL)
		return 0;
	/* attachment policy: what it withholds stays in the raw message; agents are told (the
	 * names, types and sizes decide, known without the bytes) */
	withheld = compose_attachments_withhold(env->conf, d->msg, res->ticket_id,
						res->message_row);
	warning = deliver_route_warning(d, res, withheld);
	g_free(withheld);
	ret = deliver_route_orders(d, env, store, res, &hold, error_r);
	/* Held, notifyd composes it from the stored message: after the order lookup, or when
	 * it passes attachments on (parsing the message again with their bytes, encoding them
	 * and storing a copy per agent cost the single writer more than the message itself). */
	if (ret == 0 && (hold || d->msg->attachments->len > 0))
		ret = store_order_notice_hold(store, res->message_row, res->ticket_id, warning,
					      now, error_r);
	else if (ret == 0)
		ret = compose_queue_agent_notice(env->compose, store, res->ticket_id, d->msg,
						 warning, now, &queued, error_r);
	g_free(warning);
	return compose_failed_event(store, ret, "agent notice", res->ticket_id, now, error_r);
}

int deliver_route_customer(struct deliver_msg *d, guint i, struct store *store,
		   const struct deliver_env *env, gint64 now, char **error_r)
{
	const struct deliver_rcpt *r = &g_array_index(d->rcpts, struct deliver_rcpt, i);
	struct thread_input in;
	struct thread_result res;
	gboolean permanent = FALSE;

	deliver_route_input(d, r, &in);
	if (thread_deliver(store, env->conf, &in, now, &res, &permanent, error_r) < 0) {
		if (!permanent)
			return -1;
		verdict_set(&d->verdicts[i], VERDICT_PERMFAIL, 550, "5.1.1", "<%s>: %s", r->addr,
			    *error_r);
		return 1;
	}
	d->ticket_ids[i] = res.ticket_id;
	if (!res.duplicate && env->compose != NULL &&
	    deliver_route_customer_mail(d, env, store, &res, now, error_r) < 0)
		return -1;
	/* Timed work follows the status: a follow-up on an open ticket changes nothing. */
	if (res.status_changed && survey_sync(store, env->conf, res.ticket_id, now, error_r) < 0)
		return -1;
	verdict_set(&d->verdicts[i], VERDICT_OK, 250, "2.0.0",
		    "<%s> %s ticket %" G_GINT64_FORMAT " (%s%s)", r->addr,
		    res.duplicate    ? "already stored in"
		    : res.new_ticket ? "opened"
				     : "added to",
		    res.ticket_id, res.duplicate ? "duplicate" : thread_rule_name(res.rule),
		    res.duplicate || res.trust != THREAD_TRUST_UNVERIFIED ? "" : ", unverified");
	return 0;
}
