/* events: one function per kind of ticket mail (acknowledgement, agent notice,
 * agent reply, note, command error, bounce notice). They gather recipients, threading and
 * template variables from the store, then hand a compose_job to compose_job_queue(). */
#include "config.h"
#include "postdesk/compose.h"

#include <string.h>

#include "compose-private.h"



int compose_queue_ack(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
		     const struct parse_msg *msg, const char *to, gint64 now, char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	struct compose_job job;
	struct parse_out_addr rcpt = {msg->from.name, to};
	const char **refs;
	char *reply_to;
	guint i, n_refs = 0;
	int ret;

	if (compose_ticket(ctx, store, ticket_id, &t, &q, error_r) < 0)
		return -1;
	compose_job_init(&job, COMPOSE_ACK, "ack", ticket_id, ctx);
	compose_vars_ticket(job.vars, t, q);
	compose_job_lang(&job, t, q);
	compose_var_date(&job, msg->date != 0 ? msg->date : now, q);
	compose_kb_vars(ctx, store, t, q, msg, job.vars);
	reply_to = compose_token(ctx, q, ticket_id, TOKEN_CUSTOMER);
	struct parse_out_addr reply = {q->display, reply_to};
	/* References: the customer's chain plus their message, so their client threads it;
	 * the last 20 of the chain at most (a hostile header is bounded only by the size). */
	refs = g_new0(const char *, msg->references->len + 1);
	for (i = msg->references->len > 20 ? msg->references->len - 20 : 0;
	     i < msg->references->len; i++)
		if (compose_msgid_ok(g_ptr_array_index(msg->references, i)))
			refs[n_refs++] = g_ptr_array_index(msg->references, i);
	if (compose_msgid_ok(msg->message_id))
		refs[n_refs++] = msg->message_id;
	g_ptr_array_add(job.rcpts, g_strdup(to));
	job.mail.from_name = q->display;
	job.mail.from_addr = q->address;
	job.mail.to = &rcpt;
	job.mail.n_to = 1;
	job.mail.reply_to = &reply;
	job.mail.in_reply_to = compose_msgid_ok(msg->message_id) ? msg->message_id : NULL;
	job.mail.references = refs;
	job.mail.n_references = n_refs;
	job.mail.auto_submitted = "auto-replied";
	job.store_kind = "auto";
	ret = compose_job_queue(ctx, store, &job, now, error_r);
	if (ret == 0)
		ret = store_autoreply_add(store, to, ticket_id, now, error_r);
	if (ret == 0)
		ret = store_event_add(store, ticket_id, now, "ack", "postdesk", to, error_r);
	compose_job_clear(&job);
	g_free(refs);
	g_free(reply_to);
	store_ticket_free(&t);
	return ret;
}

/* The customer's new text for the agents, the quoted part (the agent notice with its
 * history, our acknowledgement) collapsed to one line that says where the whole is. */
static char *events_customer_text(const struct parse_msg *msg, gint64 ticket_id)
{
	guint hidden;
	char *view = parse_reply_view(msg->body, msg->body_html, &hidden), *text;

	if (hidden == 0)
		return view;
	text = g_strdup_printf("%s\n\n[quoted text hidden: %u line%s - postdesk show %" G_GINT64_FORMAT
			       " --full]",
			       view, hidden, hidden == 1 ? "" : "s", ticket_id);
	g_free(view);
	return text;
}

/* The requester's other tickets for the notice: *count_r their number (all of them, from the
 * counter customers.ticket_count keeps: no recount as the history grows), and the newest
 * EVENTS_HISTORY_SHOWN with number and status, one per line; a line says how many older
 * ones are not listed (no silent cap). */
#define EVENTS_HISTORY_SHOWN 5
static char *events_history(struct store *store, const struct store_ticket *t, char **count_r,
			    char **csat_r, char **error_r)
{
	struct store_customer *c = NULL;
	GPtrArray *recent = NULL;
	GString *s;
	gint64 count;
	guint i;

	if (store_customer_get(store, t->requester, &c, error_r) < 0 ||
	    store_customer_recent_tickets(store, t->requester_id, t->id, EVENTS_HISTORY_SHOWN,
					  &recent, error_r) < 0) {
		store_customer_free(&c);
		return NULL;
	}
	/* ticket_count includes this ticket (the requester's own). */
	count = MAX(c != NULL ? c->ticket_count - 1 : 0, (gint64)recent->len);
	*csat_r = compose_csat_text(c);
	store_customer_free(&c);
	s = g_string_new("");
	for (i = 0; i < recent->len; i++) {
		const struct store_ticket *r = g_ptr_array_index(recent, i);
		g_string_append_printf(s, "  #%" G_GINT64_FORMAT " (%s) %s\n", r->id, r->status,
				       r->subject);
	}
	if (count > (gint64)recent->len)
		g_string_append_printf(s, "  ... and %" G_GINT64_FORMAT " older\n",
				       count - (gint64)recent->len);
	*count_r = g_strdup_printf("%" G_GINT64_FORMAT, count);
	g_ptr_array_unref(recent);
	return g_string_free(s, FALSE);
}

int compose_queue_agent_notice(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			       const struct parse_msg *msg, const char *warning, gint64 now,
			       gboolean *queued_r, char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	struct compose_job job;
	struct parse_out_attachment *att;
	char *from_name, *history, *count = NULL, *csat = NULL, *date, *text, *msg_id;
	GPtrArray *orders = NULL;
	gint64 row = 0;
	guint n_att;
	int ret = -1, found;

	*queued_r = FALSE;
	if (compose_ticket(ctx, store, ticket_id, &t, &q, error_r) < 0)
		return -1;
	compose_job_init(&job, COMPOSE_AGENT_NOTICE, "agent_notice", ticket_id, ctx);
	ret = compose_agent_rcpts(store, t, NULL, job.rcpts, error_r);
	if (ret == 0 && job.rcpts->len == 0)
		log_warn("ticket %" G_GINT64_FORMAT ": queue %s has no agents to notify",
			 ticket_id, t->queue);
	/* Nobody to tell (or a store error): no need to read the customer's history. */
	if (ret < 0 || job.rcpts->len == 0 ||
	    (history = events_history(store, t, &count, &csat, error_r)) == NULL) {
		ret = ret < 0 || job.rcpts->len > 0 ? -1 : 0; /* before job's rcpts are freed */
		compose_job_clear(&job);
		store_ticket_free(&t);
		return ret;
	}
	ret = -1;
	compose_vars_ticket(job.vars, t, q);
	compose_job_lang(&job, NULL, q);
	compose_var(job.vars, "customer.name", msg->from.name[0] ? msg->from.name : msg->from.addr);
	compose_var(job.vars, "customer.email", msg->from.addr);
	text = events_customer_text(msg, ticket_id);
	compose_var(job.vars, "message.body", text);
	g_free(text);
	compose_var(job.vars, "message.from", msg->from.addr);
	date = clock_format(msg->date != 0 ? msg->date : now);
	compose_var(job.vars, "message.date", date);
	compose_var(job.vars, "message.warning", warning);
	/* The message's number, so an agent can name it in "#split N" from their mail client
	 * (stored before the notice is composed; a first copy is the ticket's). */
	found = store_message_first_in(store, msg->message_id, &row, error_r);
	msg_id = found == 1 ? g_strdup_printf("%" G_GINT64_FORMAT, row) : g_strdup("?");
	compose_var(job.vars, "message.id", msg_id);
	/* its order references, with what the shop said (held for notifyd's lookup) */
	if (found == 1 && store_order_ref_list(store, row, &orders, error_r) < 0)
		found = -1;
	if (orders != NULL) {
		compose_vars_orders(job.vars, orders);
		g_ptr_array_unref(orders);
	}
	compose_var(job.vars, "customer.csat", csat);
	compose_var(job.vars, "history.count", count);
	compose_var(job.vars, "history.subjects", history);
	from_name = g_strdup_printf("%s via %s", msg->from.name[0] ? msg->from.name : msg->from.addr,
				    q->display);
	att = compose_attachments(msg, &n_att);
	job.mail.from_name = from_name;
	job.mail.from_addr = q->address;
	job.mail.auto_submitted = "auto-generated";
	job.mail.attachments = att;
	job.mail.n_attachments = n_att;
	if (found >= 0 &&
	    (ret = compose_job_queue_agents(ctx, store, &job, q, TOKEN_AGENT, now, error_r)) == 0)
		*queued_r = TRUE;
	compose_job_clear(&job);
	g_free(att);
	g_free(from_name);
	g_free(history);
	g_free(count);
	g_free(csat);
	g_free(date);
	g_free(msg_id);
	store_ticket_free(&t);
	return ret;
}
