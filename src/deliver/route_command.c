/* route_command: mail to an agent's command address (LOCAL+<agent>-k-<mac>: doc/agents.md
 * "The command address", doc/security.md). The MAC was checked at RCPT; here the From must
 * be the registered agent the address was issued to, as for agent tokens. The mail is
 * kept (ticketless, kind "command": a redelivery answers nothing twice) and answered with
 * the lists it asks for, or with what was wrong in it; the answer goes to the agent's
 * registered address, never to the From. Nothing about any ticket changes. */
#include "config.h"
#include "postdesk/deliver.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "postdesk/thread.h"
#include "deliver-private.h"

#include <string.h>

/* The subject of the answer: the requests, as the agent wrote them (one line). */
static char *command_subject(const struct thread_command_mail *cm)
{
	static const char *const names[] = {"#search", "#mine", "#queue", "#overdue"};
	GString *s = g_string_new("Re: ");

	if (cm->errors->len > 0) {
		g_string_append(s, "command not understood");
		return g_string_free(s, FALSE);
	}
	for (guint i = 0; i < cm->requests->len; i++) {
		const struct thread_request *r = &g_array_index(cm->requests, struct thread_request, i);

		g_string_append_printf(s, "%s%s%s%s", i > 0 ? ", " : "", names[r->kind],
				       r->arg != NULL ? " " : "", r->arg != NULL ? r->arg : "");
	}
	if (s->len > 200) {
		g_string_truncate(s, 197);
		g_string_append(s, "...");
	}
	return g_string_free(s, FALSE);
}

/* The answer's text: the lists, or the errors and nothing else. */
static int command_text(const struct thread_command_mail *cm, struct store *store,
			const struct deliver_env *env, const struct store_agent *agent,
			gint64 now, GString *out, char **error_r)
{
	struct compose_request reqs[8];
	guint n = 0;

	if (cm->errors->len > 0) {
		g_string_append(out, "Your mail could not be understood, so nothing was "
				     "looked up:\n\n");
		for (guint i = 0; i < cm->errors->len; i++)
			g_string_append_printf(out, "  %s\n",
					       (const char *)g_ptr_array_index(cm->errors, i));
		g_string_append_c(out, '\n');
		return 0;
	}
	for (guint i = 0; i < cm->requests->len && n < G_N_ELEMENTS(reqs); i++) {
		const struct thread_request *r = &g_array_index(cm->requests, struct thread_request, i);

		reqs[n].kind = r->kind == THREAD_REQ_SEARCH  ? COMPOSE_LIST_SEARCH
			       : r->kind == THREAD_REQ_MINE  ? COMPOSE_LIST_MINE
			       : r->kind == THREAD_REQ_QUEUE ? COMPOSE_LIST_QUEUE
							     : COMPOSE_LIST_OVERDUE;
		reqs[n++].arg = r->arg;
	}
	return compose_command_lists(env->compose, store, agent, reqs, n, now, out, error_r);
}

/* Keep the mail and answer it. */
static int command_act(struct deliver_msg *d, const struct deliver_rcpt *r,
		       const struct store_agent *agent, struct store *store,
		       const struct deliver_env *env, gint64 now, char **error_r)
{
	char *text = parse_reply_text(d->msg->body, d->msg->body_html, COMPOSE_MARKER);
	struct thread_command_mail *cm = NULL;
	GString *answer = g_string_new("");
	struct thread_input in;
	char *subject = NULL;
	gint64 row = 0;
	int ret;

	deliver_route_input(d, r, &in);
	in.token = NULL;
	thread_command_parse(text, &cm);
	ret = thread_record(store, &in, 0, "command", NULL,
			    cm->errors->len > 0 ? "command,held" : "command", now, &row, error_r);
	if (ret == 0 && env->compose != NULL) {
		subject = command_subject(cm);
		ret = command_text(cm, store, env, agent, now, answer, error_r);
		if (ret == 0)
			ret = compose_queue_agent_mail(env->compose, store, agent,
						       cm->errors->len > 0 ? "command_error"
									   : "command_answer",
						       subject, answer->str, d->msg->message_id,
						       now, error_r);
		if (ret < 0 && store_last_error(store) == STORE_ERR_NONE) {
			/* Not the store's trouble: the mail is kept, the agent gets no answer. */
			log_warn("command mail from <%s>: no answer: %s", agent->email, *error_r);
			g_clear_pointer(error_r, g_free);
			ret = 0;
		}
	}
	g_free(subject);
	g_string_free(answer, TRUE);
	thread_command_mail_free(&cm);
	g_free(text);
	return ret < 0 ? -1 : 0;
}

int deliver_route_command(struct deliver_msg *d, guint i, struct store *store,
			  const struct deliver_env *env, gint64 now, char **error_r)
{
	const struct deliver_rcpt *r = &g_array_index(d->rcpts, struct deliver_rcpt, i);
	struct store_agent *agent = NULL;
	gint64 row = 0, ticket = 0;
	int ret = store_agent_get(store, d->msg->from.addr, &agent, error_r);

	if (ret < 0)
		return -1;
	/* The address was issued to one agent: any other From (another agent's included) is
	 * refused, so a leaked address is no agent power. */
	if (ret == 0 || agent->id != r->token.id) {
		verdict_set(&d->verdicts[i], VERDICT_PERMFAIL, 550, "5.7.1",
			    "<%s>: command address of another agent; <%s> may not use it",
			    r->addr, d->msg->from.addr);
		log_warn("refused command mail to agent %" G_GINT64_FORMAT "'s address from <%s>",
			 r->token.id, d->msg->from.addr);
		store_agent_free(&agent);
		return 1;
	}
	ret = store_message_find(store, d->msg->message_id, r->addr, &row, &ticket, error_r);
	/* An out-of-office (or our own answer coming back) is not a request: no answer. */
	if (ret == 0 && (parse_msg_automatic(d->msg) != NULL || d->msg->x_postdesk_loop != NULL))
		log_info("command mail from <%s> is automatic: not answered", agent->email);
	else if (ret == 0)
		ret = command_act(d, r, agent, store, env, now, error_r);
	store_agent_free(&agent);
	if (ret < 0)
		return -1;
	verdict_set(&d->verdicts[i], VERDICT_OK, 250, "2.0.0", "<%s> command mail answered",
		    r->addr);
	return 0;
}
