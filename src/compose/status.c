/* status: the answer to a customer who asked for their ticket's state by mail ("status";
 * parse_status_request). It says the status and our last answer, and is automatic mail in
 * every respect -- Auto-Submitted: auto-replied, to the envelope sender only, counted by
 * the per-address rate limit (the caller checks compose_autoreply_block and the limit) --
 * and it adds nothing to the ticket: no message row, no event; only the outbox row and the
 * rate-limit log. Who may ask is the caller's rule (deliver/route.c, doc/agents.md). */
#include "config.h"
#include "postdesk/compose.h"

#include <string.h>

#include "compose-private.h"

/* The last answer the customer got from an agent: *date_r and *text_r (g_malloc'ed, without
 * the signature); both NULL when there was none. */
static int status_last_answer(struct store *store, gint64 ticket_id, char **date_r,
			      char **text_r, char **error_r)
{
	GPtrArray *msgs = NULL;
	const struct store_message *last = NULL;
	char *cut;

	*date_r = *text_r = NULL;
	if (store_message_list(store, ticket_id, FALSE, &msgs, error_r) < 0)
		return -1;
	for (guint i = 0; i < msgs->len; i++) {
		const struct store_message *m = g_ptr_array_index(msgs, i);
		if (strcmp(m->direction, "out") == 0 && strcmp(m->kind, "agent") == 0)
			last = m;
	}
	if (last != NULL) {
		*date_r = clock_format(last->date != 0 ? last->date : last->created);
		*text_r = g_strdup(last->body);
		if ((cut = strstr(*text_r, "\n-- \n")) != NULL)
			*cut = '\0';
		g_strstrip(*text_r);
	}
	g_ptr_array_unref(msgs);
	return 0;
}

int compose_queue_status(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			 const struct parse_msg *msg, const char *to, gint64 now, char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	struct compose_job job;
	struct parse_out_addr rcpt = {msg->from.name, to};
	char *reply_to = NULL, *date = NULL, *text = NULL;
	int ret = -1;

	if (compose_ticket(ctx, store, ticket_id, &t, &q, error_r) < 0)
		return -1;
	compose_job_init(&job, COMPOSE_STATUS_REPLY, "status_reply", ticket_id, ctx);
	if (status_last_answer(store, ticket_id, &date, &text, error_r) < 0)
		goto out;
	compose_vars_ticket(job.vars, t, q);
	compose_var(job.vars, "message.date", date != NULL ? date : "-");
	compose_var(job.vars, "message.body",
		    text != NULL ? text : "(no answer yet: your request is waiting for an agent)");
	reply_to = compose_token(ctx, q, ticket_id, TOKEN_CUSTOMER);
	struct parse_out_addr reply = {q->display, reply_to};
	const char *refs[1] = {msg->message_id};
	g_ptr_array_add(job.rcpts, g_strdup(to));
	job.mail.from_name = q->display;
	job.mail.from_addr = q->address;
	job.mail.to = &rcpt;
	job.mail.n_to = 1;
	job.mail.reply_to = &reply;
	if (compose_msgid_ok(msg->message_id)) {
		job.mail.in_reply_to = msg->message_id;
		job.mail.references = refs;
		job.mail.n_references = 1;
	}
	job.mail.auto_submitted = "auto-replied";
	job.store_kind = NULL; /* nothing is added to the ticket */
	ret = compose_job_queue(ctx, store, &job, now, error_r);
	if (ret == 0)
		ret = store_autoreply_add(store, to, ticket_id, now, error_r);
out:
	compose_job_clear(&job);
	g_free(reply_to);
	g_free(date);
	g_free(text);
	store_ticket_free(&t);
	return ret;
}
