/* route_status: a customer's mail to their ticket's reply address that only says "status"
 * (parse_status_request) is answered with the ticket's state and our last answer, and
 * nothing is added to the ticket: no message row, no reopen, no notice, no timer change.
 * Who may ask (doc/agents.md "Status by mail"): only an address that already takes part
 * in the ticket as its requester or a Cc (From and envelope sender the same), writing to
 * the ticket's signed customer token. Anyone else's "status" mail -- a forwarded copy's
 * reader, a new address -- is an ordinary message: stored under the trust rules and shown
 * to the agents, who decide. The answer is automatic mail (RFC 3834 and the per-address
 * rate limit); when those rules forbid it the mail is still accepted and nothing is sent.
 * Runs in the store's thread inside the caller's savepoint. */
#include "config.h"
#include "postdesk/deliver.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "deliver-private.h"

#include <string.h>

/* 1 if addr is the requester or a Cc of the ticket, 0 if not, -1 on store error. */
static int status_participant(struct store *store, gint64 ticket, const char *addr,
			      char **error_r)
{
	GPtrArray *parts = NULL;
	char *norm = util_addr_normalize(addr);
	int found = 0;

	if (store_participant_list(store, ticket, &parts, error_r) < 0) {
		g_free(norm);
		return -1;
	}
	for (guint i = 0; i < parts->len && !found; i++) {
		const struct store_participant *p = g_ptr_array_index(parts, i);
		char *pn = util_addr_normalize(p->address);
		found = strcmp(p->role, "agent") != 0 && strcmp(pn, norm) == 0;
		g_free(pn);
	}
	g_ptr_array_unref(parts);
	g_free(norm);
	return found;
}

static gboolean status_same_addr(const char *a, const char *b)
{
	char *na = util_addr_normalize(a != NULL ? a : ""), *nb = util_addr_normalize(b != NULL ? b : "");
	gboolean same = na[0] != '\0' && strcmp(na, nb) == 0;

	g_free(na);
	g_free(nb);
	return same;
}

/* Why no answer may go (a static reason), NULL if it may; -1 in *ret_r on store error. */
static const char *status_blocked(struct deliver_msg *d, struct store *store,
				  const struct deliver_env *env, gint64 ticket, gint64 now,
				  int *ret_r, char **error_r)
{
	const char *block = compose_autoreply_block(env->conf, d->msg, d->sender);
	struct store_customer *c = NULL;
	int ret;

	*ret_r = 0;
	if (block != NULL)
		return block;
	if ((ret = store_customer_get(store, d->sender, &c, error_r)) == 1 && c->bounced)
		block = "address bounced before";
	store_customer_free(&c);
	if (ret >= 0 && block == NULL &&
	    (ret = compose_autoreply_rate_ok(store, env->conf, d->sender, ticket, now,
					     error_r)) == 0)
		block = "rate limit";
	if (ret < 0)
		*ret_r = -1;
	return block;
}

int deliver_route_status(struct deliver_msg *d, guint i, struct store *store,
			 const struct deliver_env *env, gint64 now, gboolean *handled_r,
			 char **error_r)
{
	const struct deliver_rcpt *r = &g_array_index(d->rcpts, struct deliver_rcpt, i);
	gint64 ticket = r->token.id;
	struct store_ticket *t = NULL;
	const char *block;
	int ret;

	*handled_r = FALSE;
	if (!r->has_token || r->token.role != TOKEN_CUSTOMER || env->compose == NULL ||
	    parse_msg_automatic(d->msg) != NULL || d->msg->x_postdesk_loop != NULL ||
	    !parse_status_request(d->msg))
		return 0;
	/* The answer goes to the envelope sender (RFC 3834): it must be the From, and a
	 * participant's address. */
	if (!status_same_addr(d->sender, d->msg->from.addr))
		return 0;
	if ((ret = store_ticket_get(store, ticket, &t, error_r)) <= 0)
		return ret; /* no such ticket: the ordinary path refuses it (5.1.1) */
	store_ticket_free(&t);
	if ((ret = status_participant(store, ticket, d->sender, error_r)) <= 0)
		return ret;
	block = status_blocked(d, store, env, ticket, now, &ret, error_r);
	if (ret < 0)
		return -1;
	if (block != NULL)
		log_info("ticket %" G_GINT64_FORMAT ": status request from <%s> not answered (%s)",
			 ticket, d->sender, block);
	else if (compose_failed_event(store,
					compose_queue_status(env->compose, store, ticket, d->msg,
							     d->sender, now, error_r),
					"status answer", ticket, now, error_r) < 0)
		return -1;
	*handled_r = TRUE;
	d->ticket_ids[i] = ticket;
	verdict_set(&d->verdicts[i], VERDICT_OK, 250, "2.0.0",
		    "<%s> status request for ticket %" G_GINT64_FORMAT " %s", r->addr, ticket,
		    block == NULL ? "answered" : "not answered (automatic mail rules)");
	return 0;
}
