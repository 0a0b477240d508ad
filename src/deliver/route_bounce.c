/* route_bounce: mail to a bounce address (a delivery report about mail we sent). It is not
 * agent mail: it is recorded on the ticket of the outbox row its address names, flags the
 * address it is about, tells the agents, and never opens a ticket. */
#include "config.h"
#include "postdesk/deliver.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "postdesk/thread.h"
#include "deliver-private.h"

/* The address a delivery report may flag. A per-recipient bounce address (b<row>.<n>, the
 * VERP form) names it: the n-th recipient of the row, whatever address the report names
 * (a report naming another one -- a forwarding address, or a recipient of a copy faking
 * a bounce about the requester -- can only ever flag the address that mail went to). The
 * old per-row form (b<row>, mail sent before the upgrade): only an address we sent that
 * mail to, as the report names it; the bounce address is in the Return-Path of all our
 * mail, so anyone who got one can send a "report" naming any address. */
static const char *bounce_address(const struct parse_msg *msg, const struct store_outbox *o,
				  const struct token *t)
{
	guint i;

	if (o == NULL || o->rcpts == NULL)
		return NULL;
	if (t->rcpt != 0)
		return t->rcpt <= g_strv_length(o->rcpts) ? o->rcpts[t->rcpt - 1] : NULL;
	if (msg->dsn_recipient == NULL)
		return o->rcpts[0];
	for (i = 0; o->rcpts[i] != NULL; i++)
		if (g_ascii_strcasecmp(o->rcpts[i], msg->dsn_recipient) == 0)
			return o->rcpts[i];
	return NULL;
}

/* A report about mail we sent: recorded on its ticket, the address flagged when the
 * delivery failed for good, agents told. Never a new ticket. */
int deliver_route_bounce(struct deliver_msg *d, guint i, struct store *store,
		 const struct deliver_env *env, gint64 now, char **error_r)
{
	const struct deliver_rcpt *r = &g_array_index(d->rcpts, struct deliver_rcpt, i);
	const struct parse_msg *msg = d->msg;
	struct store_outbox *o = NULL;
	struct thread_input in;
	gint64 ticket = 0, row;
	gboolean failed = msg->is_dsn && (g_strcmp0(msg->dsn_action, "failed") == 0 ||
					  (msg->dsn_status != NULL && msg->dsn_status[0] == '5'));
	const char *addr;
	char *reason = NULL;
	int ret;

	deliver_route_input(d, r, &in);
	in.token = NULL;
	if ((ret = store_outbox_get(store, r->token.id, &o, error_r)) < 0)
		return -1;
	if (ret == 1)
		ticket = o->ticket_id;
	addr = bounce_address(msg, o, &r->token);
	ret = thread_record(store, &in, ticket, "bounce", NULL, failed ? "bounce" : "report", now,
			    &row, error_r);
	if (ret == 0 && failed && addr != NULL) {
		reason = g_strdup_printf("%s %s", msg->dsn_status != NULL ? msg->dsn_status : "",
					 msg->dsn_diagnostic != NULL ? msg->dsn_diagnostic : "");
		ret = store_customer_set_bounced(store, addr, TRUE, error_r);
		if (ret == 0 && ticket != 0)
			ret = store_event_add(store, ticket, now, "bounce", addr, reason, error_r);
		if (ret == 0 && ticket != 0 && env->compose != NULL)
			ret = compose_failed_event(store,
					     compose_queue_bounce_notice(env->compose, store, ticket,
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
