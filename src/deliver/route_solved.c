/* route_solved: self-service (doc/kb.md "Self-served"). A ticket whose acknowledgement
 * suggested knowledge-base articles is resolved as self-served when its customer says the
 * articles answered them: by mail to the acknowledgement's signed "this answered my
 * question" address (token role TOKEN_SOLVED), or by answering the acknowledgement with
 * only "solved" (or a word of parse/solved_words.def) before any agent has answered.
 * Who may (doc/security.md): the token proves the mail answers ours; the envelope sender
 * must also be the From and a participant of the ticket (its requester or a Cc). Anyone
 * else's "solved" answer is an ordinary message; anyone else's mail to the solved address
 * is refused (550 5.7.1), so a forwarded acknowledgement cannot close a stranger's ticket.
 * The ticket gets status resolved, self_served, an event, the timed work of a resolved
 * ticket (survey_sync) and a notice to its agents, who reopen it with "#status open".
 * Runs in the store's thread inside the caller's savepoint. */
#include "config.h"
#include "postdesk/deliver.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "postdesk/survey.h"
#include "deliver-private.h"

#include <string.h>

#define SOLVED_WARNING                                                                             \
	"The customer says the suggested help articles answered the question: the ticket is "     \
	"resolved as self-served. Answer with #status open to reopen it."

/* 1 if addr is the requester or a Cc of the ticket (From and envelope sender the same). */
static int solved_allowed(struct deliver_msg *d, struct store *store, gint64 ticket,
			  char **error_r)
{
	char *sender = util_addr_normalize(d->sender != NULL ? d->sender : "");
	char *from = util_addr_normalize(d->msg->from.addr != NULL ? d->msg->from.addr : "");
	GPtrArray *parts = NULL;
	int found = 0;

	if (sender[0] != '\0' && strcmp(sender, from) == 0 &&
	    (found = store_participant_list(store, ticket, &parts, error_r)) == 0) {
		for (guint i = 0; i < parts->len && !found; i++) {
			const struct store_participant *p = g_ptr_array_index(parts, i);
			char *pn = util_addr_normalize(p->address);
			found = strcmp(p->role, "agent") != 0 && strcmp(pn, sender) == 0;
			g_free(pn);
		}
		g_ptr_array_unref(parts);
	}
	g_free(sender);
	g_free(from);
	return found;
}

/* Resolve ticket t as self-served and tell its agents. */
static int solved_apply(struct deliver_msg *d, struct store *store,
			const struct deliver_env *env, const struct store_ticket *t, gint64 now,
			char **error_r)
{
	gboolean queued = FALSE;

	/* A resolution like any other (the status event keeps the report's figures and the
	 * customer's last resolution), then the self_served event after it, which the report
	 * reads to tell this resolution apart (doc/metrics.md). */
	if (store_ticket_set_self_served(store, t->id, now, error_r) < 0 ||
	    store_event_add(store, t->id, now, "status", d->sender, "resolved", error_r) < 0 ||
	    store_event_add(store, t->id, now, "self_served", d->sender, t->status, error_r) < 0 ||
	    survey_sync(store, env->conf, t->id, now, error_r) < 0)
		return -1;
	if (env->compose == NULL)
		return 0;
	return compose_failed_event(store,
				      compose_queue_agent_notice(env->compose, store, t->id, d->msg,
								 SOLVED_WARNING, now, &queued,
								 error_r),
				      "self-served notice", t->id, now, error_r);
}

/* Should this recipient's mail be taken as "solved"? 1 yes, 0 no (an ordinary message),
 * -1 error; a refusal sets the verdict and *refused_r. */
static int solved_check(struct deliver_msg *d, const struct deliver_rcpt *r, struct verdict *v,
			struct store *store, const struct store_ticket *t, gboolean *refused_r,
			char **error_r)
{
	gboolean link = r->token.role == TOKEN_SOLVED;
	gint64 when;
	int ret = solved_allowed(d, store, t->id, error_r);

	*refused_r = FALSE;
	if (ret < 0)
		return -1;
	if (ret == 0) {
		if (link) {
			verdict_set(v, VERDICT_PERMFAIL, 550, "5.7.1",
				    "<%s>: only the customer of ticket %" G_GINT64_FORMAT
				    " can mark it as answered, from their own address",
				    r->addr, t->id);
			*refused_r = TRUE;
		}
		return 0;
	}
	if (link)
		return 1;
	/* A "solved" after an agent's answer thanks the agent: an ordinary message. */
	ret = store_ticket_first_reply(store, t->id, &when, error_r);
	return ret < 0 ? -1 : ret == 0;
}

int deliver_route_solved(struct deliver_msg *d, guint i, struct store *store,
			 const struct deliver_env *env, gint64 now, gboolean *handled_r,
			 char **error_r)
{
	const struct deliver_rcpt *r = &g_array_index(d->rcpts, struct deliver_rcpt, i);
	gboolean link = r->has_token && r->token.role == TOKEN_SOLVED, refused = FALSE;
	gboolean automatic = parse_msg_automatic(d->msg) != NULL || d->msg->x_postdesk_loop != NULL;
	struct store_ticket *t = NULL;
	const char *done;
	int ret;

	*handled_r = FALSE;
	if (!link && (!r->has_token || r->token.role != TOKEN_CUSTOMER || automatic ||
		      !parse_solved_request(d->msg)))
		return 0;
	if ((ret = store_ticket_get(store, r->token.id, &t, error_r)) < 0)
		return -1;
	if (ret == 0 && !link)
		return 0; /* no such ticket: the ordinary path refuses it (5.1.1) */
	if (ret == 0 || (link && automatic)) {
		verdict_set(&d->verdicts[i], VERDICT_PERMFAIL, 550, "5.7.1",
			    "<%s>: %s", r->addr,
			    ret == 0 ? "no such ticket" : "automatic mail cannot mark a ticket answered");
		store_ticket_free(&t);
		*handled_r = TRUE;
		return 1;
	}
	ret = solved_check(d, r, &d->verdicts[i], store, t, &refused, error_r);
	if (ret <= 0 || refused) {
		store_ticket_free(&t);
		*handled_r = refused;
		return ret < 0 ? -1 : refused ? 1 : 0;
	}
	done = "resolved as self-served";
	if (strcmp(t->status, "resolved") == 0 || strcmp(t->status, "closed") == 0)
		done = "already resolved: unchanged";
	else if (solved_apply(d, store, env, t, now, error_r) < 0) {
		store_ticket_free(&t);
		return -1;
	}
	*handled_r = TRUE;
	d->ticket_ids[i] = t->id;
	verdict_set(&d->verdicts[i], VERDICT_OK, 250, "2.0.0", "<%s> ticket %" G_GINT64_FORMAT " %s",
		    r->addr, t->id, done);
	store_ticket_free(&t);
	return 0;
}
