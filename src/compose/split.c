/* split: the acknowledgement a requester gets when an agent splits a message off into a
 * new ticket and asks for it ("#split ROW notify", `postdesk split --notify`): the ack of
 * a new ticket (ack.txt: its number, the [#N] subject, the customer reply address), sent
 * to the ticket's requester. There is no inbound message to answer, so it threads on
 * nothing. Inside the caller's transaction; no state. */
#include "config.h"
#include "postdesk/compose.h"

int compose_queue_split_ack(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			    gint64 now, char **error_r)
{
	struct store_ticket *t = NULL;
	struct parse_msg msg = {0};
	int ret = store_ticket_get(store, ticket_id, &t, error_r);

	if (ret <= 0)
		return ret < 0 ? -1 : 0;
	msg.from.name = t->requester_name;
	msg.from.addr = t->requester;
	msg.message_id = (char *)""; /* no In-Reply-To, no References */
	msg.references = g_ptr_array_new();
	msg.subject = t->subject;
	ret = compose_queue_ack(ctx, store, ticket_id, &msg, t->requester, now, error_r);
	g_ptr_array_unref(msg.references);
	store_ticket_free(&t);
	return ret;
}
